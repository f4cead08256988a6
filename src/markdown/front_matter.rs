//! Per-chapter front matter: a YAML (`---`) or TOML (`+++`) block at the top of a chapter.
//!
//! Only flat `key: value` settings are meaningful for a chapter (title override, `unnumbered`,
//! and the structural type), so instead of pulling in a full YAML library we read that flat
//! subset strictly and report anything else at its line.

use serde::Deserialize;

use crate::diag::{code, Diagnostic, Diagnostics, FileId, Span};

/// What a chapter's front matter may set.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct FrontMatter {
    /// Title to use instead of the first heading.
    pub title: Option<String>,
    /// No chapter number for this chapter.
    #[serde(default)]
    pub unnumbered: bool,
    /// Structural type: `preface`, `appendix`, … (see `EPUB_TYPES`).
    #[serde(rename = "type")]
    pub epub_type: Option<String>,
}

/// Chapter types octavo accepts, from the EPUB Structural Semantics Vocabulary.
const EPUB_TYPES: &[&str] = &[
    "acknowledgments",
    "afterword",
    "appendix",
    "chapter",
    "colophon",
    "conclusion",
    "dedication",
    "epigraph",
    "epilogue",
    "foreword",
    "glossary",
    "introduction",
    "part",
    "preamble",
    "preface",
    "prologue",
];

/// Parse the text of a metadata block (without its fences); `toml` selects the `+++` dialect.
pub(super) fn parse_front_matter(
    file: FileId,
    text: &str,
    offset: usize,
    toml: bool,
    diags: &mut Diagnostics,
) -> FrontMatter {
    let parsed = if toml {
        parse_toml(file, text, offset, diags)
    } else {
        parse_flat_yaml(file, text, offset, diags)
    };
    if let Some(kind) = &parsed.epub_type {
        if !EPUB_TYPES.contains(&kind.as_str()) {
            diags.push(
                Diagnostic::error(code::FRONT_MATTER, format!("unknown chapter type `{kind}`"))
                    .at(Span::new(file, offset..offset + text.len()))
                    .with_hint(format!("use one of: {}", EPUB_TYPES.join(", "))),
            );
            return FrontMatter {
                epub_type: None,
                ..parsed
            };
        }
    }
    parsed
}

fn parse_toml(file: FileId, text: &str, offset: usize, diags: &mut Diagnostics) -> FrontMatter {
    match toml::from_str::<FrontMatter>(text) {
        Ok(front) => front,
        Err(err) => {
            let range = err.span().unwrap_or(0..0);
            diags.push(
                Diagnostic::error(
                    code::FRONT_MATTER,
                    format!("front matter: {}", err.message().trim()),
                )
                .at(Span::new(file, offset + range.start..offset + range.end)),
            );
            FrontMatter::default()
        }
    }
}

fn parse_flat_yaml(
    file: FileId,
    text: &str,
    offset: usize,
    diags: &mut Diagnostics,
) -> FrontMatter {
    let mut front = FrontMatter::default();
    let mut line_start = offset;
    for line in text.split_inclusive('\n') {
        let span = Span::new(file, line_start..line_start + line.trim_end().len());
        line_start += line.len();
        let content = line.trim();
        if content.is_empty() || content.starts_with('#') {
            continue;
        }
        if let Err(problem) = apply_yaml_line(&mut front, content) {
            diags.push(
                Diagnostic::error(code::FRONT_MATTER, format!("front matter: {problem}"))
                    .at(span)
                    .with_hint("chapter front matter takes `title: …`, `unnumbered: true` and `type: preface|appendix|…`"),
            );
        }
    }
    front
}

fn apply_yaml_line(front: &mut FrontMatter, line: &str) -> Result<(), String> {
    let (key, value) = line
        .split_once(':')
        .ok_or_else(|| format!("expected `key: value`, found `{line}`"))?;
    let value = yaml_scalar(value.trim())?;
    match key.trim() {
        "title" => front.title = Some(value),
        "unnumbered" => front.unnumbered = yaml_bool(&value)?,
        "type" => front.epub_type = Some(value),
        other => return Err(format!("unknown key `{other}`")),
    }
    Ok(())
}

fn yaml_scalar(value: &str) -> Result<String, String> {
    let quoted = |q: char| value.len() >= 2 && value.starts_with(q) && value.ends_with(q);
    if quoted('"') || quoted('\'') {
        return Ok(value[1..value.len() - 1].to_string());
    }
    let unquoted = value.split(" #").next().unwrap_or("").trim();
    if unquoted.starts_with(['[', '{', '|', '>', '&', '*']) {
        return Err(format!("only plain values are supported, found `{value}`"));
    }
    Ok(unquoted.to_string())
}

fn yaml_bool(value: &str) -> Result<bool, String> {
    match value {
        "true" | "yes" | "on" => Ok(true),
        "false" | "no" | "off" => Ok(false),
        _ => Err(format!("`{value}` is not true or false")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flat_yaml() {
        let mut diags = Diagnostics::default();
        let text = "title: \"Preface: why\"\nunnumbered: true\ntype: preface # front\n";
        let front = parse_front_matter(FileId(0), text, 4, false, &mut diags);
        assert!(!diags.has_errors());
        assert_eq!(front.title.as_deref(), Some("Preface: why"));
        assert!(front.unnumbered);
        assert_eq!(front.epub_type.as_deref(), Some("preface"));
    }

    #[test]
    fn bad_lines_are_located() {
        let mut diags = Diagnostics::default();
        let text = "title: A\ncolour: red\ntype: novella\n";
        parse_front_matter(FileId(0), text, 4, false, &mut diags);
        let spans: Vec<_> = diags
            .items()
            .iter()
            .map(|d| d.span.clone().unwrap().range)
            .collect();
        assert_eq!(spans[0], 13..24);
        assert_eq!(diags.items().len(), 2);
    }

    #[test]
    fn toml_front_matter() {
        let mut diags = Diagnostics::default();
        let front = parse_front_matter(FileId(0), "type = \"appendix\"\n", 0, true, &mut diags);
        assert_eq!(front.epub_type.as_deref(), Some("appendix"));
    }
}
