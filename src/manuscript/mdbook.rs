//! An mdBook read as it is: `book.toml` with a `[book]` table, `src/SUMMARY.md` for the
//! chapters (prefix chapters, numbered chapters nested in lists, part titles, suffix
//! chapters, drafts), and each chapter's `{{#include}}`s expanded (see [`super::preprocess`]).

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::{Path, PathBuf};

use super::preprocess::{expand, IncludeReader};
use super::structure::{BookStructure, Matter, PartTitle, Placement};
use super::{read_text_file, BookRoot, PathProblem, MAX_TEXT_BYTES};
use crate::diag::{code, Diagnostic, Diagnostics, FileId, SourceMap, Span};

/// One line of SUMMARY.md that names a chapter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SummaryEntry {
    /// The title in the brackets.
    pub title: String,
    /// The path in the parentheses (empty for a draft).
    pub path: String,
    /// 0 for a top-level entry, 1 for one nested once, …
    pub depth: u8,
    /// Prefix, numbered or suffix.
    pub matter: Matter,
    /// The byte range of the entry's line.
    pub range: Range<usize>,
}

/// What SUMMARY.md lists, in order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Summary {
    /// The chapters.
    pub entries: Vec<SummaryEntry>,
    /// Part titles: the index of the entry each comes before, the title and its line.
    pub parts: Vec<(usize, String, Range<usize>)>,
    /// Lines that are neither chapters, part titles nor separators.
    pub unread: Vec<Range<usize>>,
}

/// Read SUMMARY.md's text.
pub(crate) fn parse_summary(text: &str) -> Summary {
    let mut summary = Summary::default();
    let mut in_comment = false;
    let mut indents: Vec<usize> = Vec::new();
    let mut numbered_seen = false;
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let range = offset..offset + line.trim_end().len();
        offset += line.len();
        let trimmed = line.trim();
        if in_comment {
            in_comment = !trimmed.contains("-->");
            continue;
        }
        if trimmed.starts_with("<!--") {
            in_comment = !trimmed.contains("-->");
            continue;
        }
        if trimmed.is_empty() || is_separator(trimmed) {
            continue;
        }
        if let Some(title) = trimmed.strip_prefix('#') {
            let title = title.trim_start_matches('#').trim().to_string();
            // A heading before any chapter is SUMMARY.md's own title.
            if !summary.entries.is_empty() {
                summary.parts.push((summary.entries.len(), title, range));
            }
            continue;
        }
        let indent = line.len() - line.trim_start().len();
        let (item, numbered) = match list_item(trimmed) {
            Some(item) => (item, true),
            None => (trimmed, false),
        };
        let Some((title, path)) = link(item) else {
            summary.unread.push(range);
            continue;
        };
        let (depth, matter) = if numbered {
            numbered_seen = true;
            (depth_of(&mut indents, indent), Matter::Numbered)
        } else {
            indents.clear();
            let matter = if numbered_seen {
                Matter::Suffix
            } else {
                Matter::Prefix
            };
            (0, matter)
        };
        summary.entries.push(SummaryEntry {
            title,
            path,
            depth,
            matter,
            range,
        });
    }
    summary
}

fn is_separator(line: &str) -> bool {
    line.len() >= 3
        && ["-", "*", "_"]
            .iter()
            .any(|c| line.chars().all(|x| x.to_string() == *c))
}

/// The text after a list marker (`- `, `* `, `1. `).
fn list_item(line: &str) -> Option<&str> {
    if let Some(rest) = line.strip_prefix("- ").or_else(|| line.strip_prefix("* ")) {
        return Some(rest.trim_start());
    }
    let digits = line.find(|c: char| !c.is_ascii_digit())?;
    (digits > 0)
        .then(|| line[digits..].strip_prefix(". "))
        .flatten()
        .map(str::trim_start)
}

/// `[Title](path)`: the title and the path.
fn link(item: &str) -> Option<(String, String)> {
    let rest = item.strip_prefix('[')?;
    let close = rest.rfind("](")?;
    let target = rest[close + 2..].trim_end().strip_suffix(')')?;
    Some((rest[..close].to_string(), target.trim().to_string()))
}

/// The nesting depth of a list item indented by `indent` columns.
fn depth_of(indents: &mut Vec<usize>, indent: usize) -> u8 {
    while indents.last().is_some_and(|&last| last > indent) {
        indents.pop();
    }
    if indents.last() != Some(&indent) {
        indents.push(indent);
    }
    u8::try_from(indents.len().saturating_sub(1)).unwrap_or(u8::MAX)
}

/// Load the chapters SUMMARY.md (in the folder `src`) lists, with their directives expanded.
pub(crate) fn load_mdbook_chapters(
    root: &BookRoot,
    src: &str,
    sources: &mut SourceMap,
    diags: &mut Diagnostics,
) -> (Vec<FileId>, BookStructure) {
    let summary_path = root.path().join(src).join("SUMMARY.md");
    let Some(summary_file) = read_text_file(root, &summary_path, sources, diags) else {
        return (Vec::new(), BookStructure::default());
    };
    let summary = parse_summary(&sources.get(summary_file).text);
    let at = |range: &Range<usize>| Span::new(summary_file, range.clone());
    for range in &summary.unread {
        diags.push(
            Diagnostic::warning(code::SUMMARY_LINE, "SUMMARY.md: this line is not a chapter, a part title or a separator; it is left out")
                .at(at(range))
                .with_hint("write chapters as `- [Title](file.md)`, part titles as `# Title`"),
        );
    }
    let mut structure = BookStructure::default();
    let mut files = Vec::new();
    let mut part_titles = summary.parts.iter().peekable();
    let mut seen: BTreeMap<PathBuf, ()> = BTreeMap::new();
    let mut skipped: BTreeMap<String, (Span, usize)> = BTreeMap::new();
    for (index, entry) in summary.entries.iter().enumerate() {
        while let Some((_, title, range)) = part_titles.next_if(|(before, ..)| *before <= index) {
            structure.parts.push(PartTitle {
                before: structure.placements.len(),
                title: title.clone(),
                span: at(range),
            });
        }
        if entry.path.is_empty() {
            diags.push(
                Diagnostic::warning(
                    code::DRAFT_CHAPTER,
                    format!(
                        "SUMMARY.md: `{}` is a draft chapter (no file); it is skipped",
                        entry.title
                    ),
                )
                .at(at(&entry.range)),
            );
            continue;
        }
        let Some(file) = read_listed(root, src, entry, at(&entry.range), sources, diags) else {
            continue;
        };
        let path = root.path().join(&sources.get(file).name);
        if seen.insert(path, ()).is_some() {
            // mdBook lists a file twice as two pages; once is enough in a book.
            continue;
        }
        for (kind, span) in expand_directives(root, file, sources, diags) {
            skipped.entry(kind).or_insert((span, 0)).1 += 1;
            structure.directives_left_out.insert(file);
        }
        // A nested entry with no chapter above it opens one.
        let depth = if structure.placements.is_empty() {
            0
        } else {
            entry.depth
        };
        structure.placements.push(Placement {
            file,
            depth,
            matter: entry.matter,
            title: entry.title.clone(),
            listed_at: at(&entry.range),
            leaves_part: false,
        });
        files.push(file);
    }
    for (_, title, range) in part_titles {
        structure.parts.push(PartTitle {
            before: structure.placements.len(),
            title: title.clone(),
            span: at(range),
        });
    }
    structure.skipped_directives = skipped;
    if files.is_empty() && !diags.has_errors() {
        diags.push(
            Diagnostic::error(code::BOOK_LISTING, "SUMMARY.md lists no chapter")
                .at(Span::new(summary_file, 0..0))
                .with_hint("list chapters as `- [Title](file.md)`"),
        );
    }
    (files, structure)
}

/// Read the chapter file an entry names; problems are reported at the entry.
fn read_listed(
    root: &BookRoot,
    src: &str,
    entry: &SummaryEntry,
    span: Span,
    sources: &mut SourceMap,
    diags: &mut Diagnostics,
) -> Option<FileId> {
    let written = entry.path.split('#').next().unwrap_or_default();
    match root.resolve(Path::new(src), written) {
        Ok(path) => read_text_file(root, &path, sources, diags),
        Err(problem) => {
            diags.push(
                Diagnostic::error(
                    problem.code(),
                    format!("SUMMARY.md: {}", problem.describe(written)),
                )
                .at(span)
                .with_hint("paths in SUMMARY.md are relative to the folder that holds it"),
            );
            None
        }
    }
}

/// Reads included files through the confined root.
struct ConfinedReader<'a> {
    root: &'a BookRoot,
}

impl IncludeReader for ConfinedReader<'_> {
    fn read_include(&mut self, base: &Path, written: &str) -> Result<(String, PathBuf), String> {
        let path = self
            .root
            .resolve_file(base, written)
            .map_err(|problem| problem.describe(written))?;
        let bytes = self
            .root
            .read(&path, MAX_TEXT_BYTES)
            .map_err(|problem: PathProblem| problem.describe(written))?;
        let text =
            String::from_utf8(bytes).map_err(|_| format!("`{written}` is not UTF-8 text"))?;
        let relative = path.strip_prefix(self.root.path()).unwrap_or(&path);
        Ok((text.replace("\r\n", "\n"), relative.to_path_buf()))
    }
}

/// Replace the chapter's text by its text with the directives expanded; report includes that
/// fail; return the directives octavo does not run (their kind and place).
fn expand_directives(
    root: &BookRoot,
    file: FileId,
    sources: &mut SourceMap,
    diags: &mut Diagnostics,
) -> Vec<(String, Span)> {
    let text = &sources.get(file).text;
    if !text.contains("{{") {
        return Vec::new();
    }
    let chapter = PathBuf::from(&sources.get(file).name);
    let expansion = expand(text, &chapter, &mut ConfinedReader { root });
    sources.replace_text(file, expansion.text, expansion.origins);
    for (why, range) in expansion.failed {
        diags.push(
            Diagnostic::error(code::INCLUDE, format!("the include cannot be read: {why}"))
                .at(Span::new(file, range))
                .with_hint("an {{#include}} names a file inside the book folder, relative to the chapter, and an anchor marked `ANCHOR: name` in it"),
        );
    }
    for (why, range) in expansion.cycles {
        diags.push(
            Diagnostic::error(code::INCLUDE, format!("the include would never end: {why}"))
                .at(Span::new(file, range))
                .with_hint("remove the include that closes the circle: a file cannot include itself, directly or through the files it includes"),
        );
    }
    for (why, range) in expansion.missing_anchors {
        diags.push(
            Diagnostic::warning(code::INCLUDE_ANCHOR, format!("nothing is included: {why}"))
                .at(Span::new(file, range))
                .with_hint("mark the lines in the file with `ANCHOR: name` and `ANCHOR_END: name` comments"),
        );
    }
    expansion
        .skipped
        .into_iter()
        .map(|(kind, range)| (kind, Span::new(file, range)))
        .collect()
}

/// One warning for the directives octavo does not run, at the first one met in reading
/// order: the kind when there is one, else each kind with its count.
#[cfg(test)]
fn report_skipped(skipped: BTreeMap<String, (Span, usize)>, diags: &mut Diagnostics) {
    if let Some(warning) = skipped_directives_warning(&skipped) {
        diags.push(warning);
    }
}

/// The warning for the directives octavo does not run (by kind: the first place and the
/// count), at the first one met in reading order: the kind when there is one, else each kind
/// with its count; `None` when there are none. Resolve reports it, with the front-matter
/// keys that the same preprocessors read.
pub(crate) fn skipped_directives_warning(
    skipped: &BTreeMap<String, (Span, usize)>,
) -> Option<Diagnostic> {
    let first = skipped
        .values()
        .map(|(span, _)| span)
        .min_by_key(|span| (span.file, span.range.start))
        .cloned()?;
    let message = if let [(kind, (_, count))] = Vec::from_iter(skipped).as_slice() {
        let times = if *count == 1 {
            String::new()
        } else {
            format!(" ({count} in the book; this is the first)")
        };
        format!("the preprocessor directive `{{{{{kind} …}}}}` is not run by octavo; its text is left out{times}")
    } else {
        let mut kinds: Vec<(&String, usize)> = skipped
            .iter()
            .map(|(kind, (_, count))| (kind, *count))
            .collect();
        kinds.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(b.0)));
        let listed: Vec<String> = kinds
            .iter()
            .map(|(kind, count)| format!("`{{{{{kind} …}}}}` ({count})"))
            .collect();
        format!(
            "preprocessor directives octavo does not run are left out with their text: {} (the first is here)",
            listed.join(", ")
        )
    };
    Some(
        Diagnostic::warning(code::DIRECTIVE, message)
            .at(first)
            .with_hint("octavo runs mdBook's include, rustdoc_include and playground; write what other preprocessors would make into the chapter"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directives_octavo_does_not_run_are_one_warning() {
        let span = |file: u32, at: usize| Span::new(crate::diag::FileId(file), at..at);
        let mut diags = Diagnostics::default();
        report_skipped(
            BTreeMap::from([
                ("%course".to_string(), (span(2, 5), 4)),
                ("%segment".to_string(), (span(1, 9), 35)),
                ("#template".to_string(), (span(1, 3), 1)),
            ]),
            &mut diags,
        );
        let [warning] = diags.items() else {
            panic!("one warning: {:?}", diags.items());
        };
        assert_eq!(warning.span, Some(span(1, 3)));
        assert_eq!(
            warning.message,
            "preprocessor directives octavo does not run are left out with their text: \
             `{{%segment …}}` (35), `{{%course …}}` (4), `{{#template …}}` (1) (the first is here)"
        );
        let mut diags = Diagnostics::default();
        report_skipped(
            BTreeMap::from([("%course".to_string(), (span(2, 5), 4))]),
            &mut diags,
        );
        assert!(diags.items()[0]
            .message
            .contains("`{{%course …}}` is not run"));
    }

    #[test]
    fn summary_structure() {
        let text = "# Summary\n\n<!-- a\ncomment -->\n[Intro](intro.md)\n\n- [One](one.md)\n  - [One A](one/a.md)\n    - [Deep](one/a/deep.md)\n  - [One B](one/b.md)\n\n---\n\n# Part Two\n\n1. [Two](two.md)\n- [Draft]()\n\n[Thanks](thanks.md)\nstray text\n";
        let summary = parse_summary(text);
        let shape: Vec<(&str, u8, Matter)> = summary
            .entries
            .iter()
            .map(|e| (e.path.as_str(), e.depth, e.matter))
            .collect();
        assert_eq!(
            shape,
            vec![
                ("intro.md", 0, Matter::Prefix),
                ("one.md", 0, Matter::Numbered),
                ("one/a.md", 1, Matter::Numbered),
                ("one/a/deep.md", 2, Matter::Numbered),
                ("one/b.md", 1, Matter::Numbered),
                ("two.md", 0, Matter::Numbered),
                ("", 0, Matter::Numbered),
                ("thanks.md", 0, Matter::Suffix),
            ]
        );
        assert_eq!(summary.parts.len(), 1);
        assert_eq!(summary.parts[0].0, 5);
        assert_eq!(summary.parts[0].1, "Part Two");
        assert_eq!(summary.unread.len(), 1);
    }

    #[test]
    fn titles_with_brackets_and_code() {
        let summary = parse_summary("- [`[T]` and [x]](a.md)\n");
        assert_eq!(summary.entries[0].title, "`[T]` and [x]");
        assert_eq!(summary.entries[0].path, "a.md");
    }
}
