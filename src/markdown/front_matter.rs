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
pub(crate) struct FrontMatter {
    /// Title to use instead of the first heading.
    pub title: Option<String>,
    /// No chapter number for this chapter.
    #[serde(default)]
    pub unnumbered: bool,
    /// Structural type: `preface`, `appendix`, … (see `EPUB_TYPES`).
    #[serde(rename = "type")]
    pub epub_type: Option<String>,
    /// Keys of another tool's front matter (mdBook's `minutes`, Quarto's `engine`), with where
    /// each is written: ignored, and reported once for the whole book.
    #[serde(skip)]
    pub foreign_keys: Vec<(String, Span)>,
}

/// The keys octavo reads in a chapter's front matter.
const KNOWN_KEYS: [&str; 3] = ["title", "unnumbered", "type"];

/// Chapter types octavo accepts, from the EPUB Structural Semantics Vocabulary.
const EPUB_TYPES: &[&str] = &[
    "acknowledgements",
    "acknowledgments",
    "also-by",
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

/// Parse the text of a metadata block (without its fences); `toml` selects the `+++` dialect,
/// `foreign` collects keys octavo does not know instead of reporting them.
pub(super) fn parse_front_matter(
    file: FileId,
    text: &str,
    offset: usize,
    toml: bool,
    foreign: bool,
    diags: &mut Diagnostics,
) -> FrontMatter {
    let parsed = match (toml, foreign) {
        (true, false) => parse_toml(file, text, offset, diags),
        (true, true) => parse_foreign_toml(file, text, offset, diags),
        (false, _) => parse_flat_yaml(file, text, offset, foreign, diags),
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
    FrontMatter {
        epub_type: parsed.epub_type.as_deref().map(vocabulary_type),
        ..parsed
    }
}

/// The vocabulary's term for a type written in front matter: `also-by` is the EPUB's
/// `seriespage`, the British `acknowledgements` its `acknowledgments`.
fn vocabulary_type(written: &str) -> String {
    match written {
        "also-by" => crate::doc::ALSO_BY_TYPE,
        "acknowledgements" => "acknowledgments",
        other => other,
    }
    .to_string()
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

/// TOML front matter of a book written for another tool: its keys octavo does not know are
/// collected, the rest read strictly.
fn parse_foreign_toml(
    file: FileId,
    text: &str,
    offset: usize,
    diags: &mut Diagnostics,
) -> FrontMatter {
    let Ok(mut table) = toml::from_str::<toml::Table>(text) else {
        return parse_toml(file, text, offset, diags);
    };
    let span = Span::new(file, offset..offset + text.len());
    let foreign: Vec<(String, Span)> = table
        .keys()
        .filter(|key| !KNOWN_KEYS.contains(&key.as_str()))
        .map(|key| (key.clone(), span.clone()))
        .collect();
    table.retain(|key, _| KNOWN_KEYS.contains(&key));
    let mut front = parse_toml(file, &table.to_string(), offset, diags);
    front.foreign_keys = foreign;
    front
}

fn parse_flat_yaml(
    file: FileId,
    text: &str,
    offset: usize,
    foreign: bool,
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
        if foreign {
            // Another tool's nested values and lists belong to its key above.
            if line.starts_with([' ', '\t', '-']) {
                continue;
            }
            let key = content.split(':').next().unwrap_or_default().trim();
            if !KNOWN_KEYS.contains(&key) {
                front.foreign_keys.push((key.to_string(), span));
                continue;
            }
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
        let front = parse_front_matter(FileId(0), text, 4, false, false, &mut diags);
        assert!(!diags.has_errors());
        assert_eq!(front.title.as_deref(), Some("Preface: why"));
        assert!(front.unnumbered);
        assert_eq!(front.epub_type.as_deref(), Some("preface"));
    }

    #[test]
    fn bad_lines_are_located() {
        let mut diags = Diagnostics::default();
        let text = "title: A\ncolour: red\ntype: novella\n";
        parse_front_matter(FileId(0), text, 4, false, false, &mut diags);
        let spans: Vec<_> = diags
            .items()
            .iter()
            .map(|d| d.span.clone().unwrap().range)
            .collect();
        assert_eq!(spans[0], 13..24);
        assert_eq!(diags.items().len(), 2);
    }

    #[test]
    fn foreign_keys_are_collected_not_errors() {
        let mut diags = Diagnostics::default();
        let text = "minutes: 5\ntitle: T\neditor_options:\n  chunk_output_type: console\n";
        let front = parse_front_matter(FileId(0), text, 0, false, true, &mut diags);
        assert!(diags.items().is_empty());
        assert_eq!(front.title.as_deref(), Some("T"));
        let keys: Vec<&str> = front.foreign_keys.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(keys, ["minutes", "editor_options"]);
        let front = parse_front_matter(FileId(0), "minutes = 5\n", 0, true, true, &mut diags);
        assert!(diags.items().is_empty());
        assert_eq!(front.foreign_keys[0].0, "minutes");
    }

    #[test]
    fn toml_front_matter() {
        let mut diags = Diagnostics::default();
        let front = parse_front_matter(
            FileId(0),
            "type = \"appendix\"\n",
            0,
            true,
            false,
            &mut diags,
        );
        assert_eq!(front.epub_type.as_deref(), Some("appendix"));
    }
}
