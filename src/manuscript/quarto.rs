//! A Quarto book read as it is: `_quarto.yml`'s `book:` (title, subtitle, author, date,
//! chapters with their parts, appendices), `bibliography` (a file or a list of files), `csl`
//! and `lang`. Everything else in it is Quarto's (the HTML theme, knitr's options) and left
//! alone. Values are located at the line of their key, for messages.

use std::path::Path;

use serde_yaml::Value;
use toml::Spanned;

use super::structure::{BookStructure, Matter, PartTitle, Placement};
use super::{read_text_file, BookRoot};
use crate::config::{AuthorConfig, BookConfig};
use crate::diag::{code, Diagnostic, Diagnostics, FileId, SourceMap, Span};

/// What `_quarto.yml` (or pandoc's `metadata.yaml`) gives octavo.
#[derive(Debug)]
pub(crate) struct ListedBook {
    /// The metadata and settings, as book.toml would give them.
    pub config: BookConfig,
    /// The chapter files, in order.
    pub chapters: Vec<FileId>,
    /// Parts and appendices.
    pub structure: BookStructure,
    /// The bibliography files named, in order.
    pub bibliographies: Vec<Spanned<String>>,
}

/// Read `_quarto.yml` (already in `sources` as `file`) and the chapters it lists.
pub(crate) fn load_quarto(
    root: &BookRoot,
    file: FileId,
    sources: &mut SourceMap,
    diags: &mut Diagnostics,
) -> Option<ListedBook> {
    let text = sources.get(file).text.clone();
    let yaml = parse_yaml(file, &text, "_quarto.yml", diags)?;
    let book = yaml.get("book").cloned().unwrap_or(Value::Null);
    let config = metadata_config(&book, &yaml, &text, file, diags)?;
    let bibliographies = bibliographies(&yaml, &text);
    let mut listing = Listing::default();
    listing.add_list(book.get("chapters"), Matter::Numbered, &text);
    listing.add_list(book.get("appendices"), Matter::Appendix, &text);
    let (chapters, structure) = listing.load(root, file, sources, diags);
    if chapters.is_empty() && !diags.has_errors() {
        diags.push(
            Diagnostic::error(code::BOOK_LISTING, "_quarto.yml lists no chapter")
                .at(Span::new(file, key_line(&text, "book")))
                .with_hint("list the chapter files under `book:` `chapters:`"),
        );
    }
    Some(ListedBook {
        config,
        chapters,
        structure,
        bibliographies,
    })
}

/// A YAML configuration's text read; a syntax error is reported at its place.
pub(super) fn parse_yaml(
    file: FileId,
    text: &str,
    what: &str,
    diags: &mut Diagnostics,
) -> Option<Value> {
    match serde_yaml::from_str(text) {
        Ok(yaml) => Some(yaml),
        Err(err) => {
            let at = err.location().map_or(0, |l| l.index().min(text.len()));
            diags.push(
                Diagnostic::error(code::CONFIG_INVALID, format!("{what}: {err}"))
                    .at(Span::new(file, at..at)),
            );
            None
        }
    }
}

/// The bibliography files a YAML configuration names (one, or a list).
pub(super) fn bibliographies(yaml: &Value, text: &str) -> Vec<Spanned<String>> {
    strings(yaml.get("bibliography"))
        .into_iter()
        .map(|name| Spanned::new(key_line(text, "bibliography"), name))
        .collect()
}

/// The book's metadata from pandoc's or Quarto's YAML (`book`: Quarto's `book:` table, or
/// the document itself for pandoc; `top`: the document), as book.toml would give it, each
/// value located at the line of its key.
pub(super) fn metadata_config(
    book: &Value,
    top: &Value,
    text: &str,
    file: FileId,
    diags: &mut Diagnostics,
) -> Option<BookConfig> {
    let located = |key: &str, value: String| Spanned::new(key_line(text, key), value);
    let either = |key: &str| book.get(key).or_else(|| top.get(key));
    let mut config = toml::from_str::<BookConfig>("").ok()?;
    if let Some(title) = string(either("title")) {
        config.title = located("title", title);
    }
    config.subtitle = string(either("subtitle"));
    config.authors = authors(either("author"))
        .into_iter()
        .map(|name| AuthorConfig {
            name: located("author", name),
            role: None,
        })
        .collect();
    config.date = string(either("date"))
        .filter(|d| crate::config::is_date(d))
        .map(|d| located("date", d));
    config.description = string(either("description")).or_else(|| string(either("abstract")));
    config.rights = string(either("rights"));
    config.language = string(either("lang")).map(|l| located("lang", l));
    config.csl = string(either("csl")).map(|c| located("csl", c));
    config.cover = string(either("cover-image")).map(|c| located("cover-image", c));
    config.nocite = strings(either("nocite"))
        .iter()
        .flat_map(|n| {
            n.split([',', ' ', ';'])
                .map(str::to_string)
                .collect::<Vec<_>>()
        })
        .filter_map(|n| n.trim().strip_prefix('@').map(str::to_string))
        .collect();
    crate::config::validate(file, &config, diags);
    Some(config)
}

/// A chapter file `_quarto.yml` lists: its name, its run, where it is written, and whether it
/// comes after a part's files outside any part.
type ListedFile = (String, Matter, std::ops::Range<usize>, bool);

/// The chapter files and part titles `_quarto.yml` lists, in order.
#[derive(Debug, Default)]
struct Listing {
    /// (file as written, run, where it is written, listed outside a part after one).
    files: Vec<ListedFile>,
    /// (index of the first file of the part, title, where it is written).
    parts: Vec<(usize, String, std::ops::Range<usize>)>,
    /// The start of the line after the last entry found: entries are looked up in the order
    /// they are written, so each search starts there and a long list is read once, not once
    /// an entry.
    cursor: usize,
}

impl Listing {
    fn add_list(&mut self, list: Option<&Value>, matter: Matter, text: &str) {
        self.add_items(list, matter, text, false);
    }

    fn add_items(&mut self, list: Option<&Value>, matter: Matter, text: &str, in_part: bool) {
        let Some(Value::Sequence(items)) = list else {
            return;
        };
        for item in items {
            match item {
                Value::String(name) => {
                    let leaves_part = !in_part && !self.parts.is_empty();
                    let at = self.entry_line(text, name);
                    self.files.push((name.clone(), matter, at, leaves_part));
                }
                Value::Mapping(_) => {
                    if let Some(title) = string(item.get("part")) {
                        let at = self.entry_line(text, "part:");
                        self.parts.push((self.files.len(), title, at));
                    }
                    self.add_items(item.get("chapters"), matter, text, true);
                }
                _ => {}
            }
        }
    }

    /// Where the entry `key` is written: the first line after the last entry found that
    /// names it, else the first line anywhere (an entry in a `[a, b]` list has no line of
    /// its own).
    fn entry_line(&mut self, text: &str, key: &str) -> std::ops::Range<usize> {
        let Some(at) = key_line_from(text, key, self.cursor) else {
            return key_line(text, key);
        };
        self.cursor = text[at.end..]
            .find('\n')
            .map_or(text.len(), |newline| at.end + newline + 1);
        at
    }

    fn load(
        self,
        root: &BookRoot,
        listing: FileId,
        sources: &mut SourceMap,
        diags: &mut Diagnostics,
    ) -> (Vec<FileId>, BookStructure) {
        let mut structure = BookStructure::default();
        let mut chapters = Vec::new();
        let mut parts = self.parts.into_iter().peekable();
        for (index, (name, matter, range, leaves_part)) in self.files.into_iter().enumerate() {
            while let Some((_, title, at)) = parts.next_if(|(before, ..)| *before <= index) {
                structure.parts.push(PartTitle {
                    before: structure.placements.len(),
                    title,
                    span: Span::new(listing, at),
                });
            }
            let span = Span::new(listing, range);
            let file = match root.resolve_file(Path::new(""), &name) {
                Ok(path) => read_text_file(root, &path, sources, diags),
                Err(problem) => {
                    diags.push(
                        Diagnostic::error(
                            problem.code(),
                            format!("_quarto.yml: {}", problem.describe(&name)),
                        )
                        .at(span.clone())
                        .with_hint("chapter files are named relative to the folder of _quarto.yml"),
                    );
                    None
                }
            };
            let Some(file) = file else {
                continue;
            };
            // Quarto's `index.qmd` is the book's home page: its preface, unnumbered.
            let is_index = chapters.is_empty() && name.starts_with("index.");
            structure.placements.push(Placement {
                file,
                depth: 0,
                matter: if is_index { Matter::Prefix } else { matter },
                title: String::new(),
                listed_at: span,
                leaves_part,
            });
            chapters.push(file);
        }
        (chapters, structure)
    }
}

/// A scalar as text (`2024` and `true` too).
fn string(value: Option<&Value>) -> Option<String> {
    match value? {
        Value::String(text) => Some(text.clone()),
        Value::Number(number) => Some(number.to_string()),
        Value::Bool(flag) => Some(flag.to_string()),
        _ => None,
    }
}

/// A string or a list of strings.
fn strings(value: Option<&Value>) -> Vec<String> {
    match value {
        Some(Value::Sequence(items)) => items.iter().filter_map(|v| string(Some(v))).collect(),
        other => string(other).into_iter().collect(),
    }
}

/// Authors as Quarto writes them: a name, a list of names, or a list of `{name: …}`.
fn authors(value: Option<&Value>) -> Vec<String> {
    match value {
        Some(Value::Sequence(items)) => items
            .iter()
            .filter_map(|item| string(Some(item)).or_else(|| name_of(item)))
            .collect(),
        Some(item @ Value::Mapping(_)) => name_of(item).into_iter().collect(),
        other => string(other).into_iter().collect(),
    }
}

fn name_of(item: &Value) -> Option<String> {
    let name = item.get("name")?;
    string(Some(name)).or_else(|| {
        let given = string(name.get("given"))?;
        let family = string(name.get("family")).unwrap_or_default();
        Some(format!("{given} {family}").trim().to_string())
    })
}

/// The range of the first line where `key` is written (`key:` or `- key`), for messages.
fn key_line(text: &str, key: &str) -> std::ops::Range<usize> {
    key_line_from(text, key, 0).unwrap_or(0..0)
}

/// The range of the first line at or after byte `from` (a line's start) where `key` is
/// written, if any.
fn key_line_from(text: &str, key: &str, from: usize) -> Option<std::ops::Range<usize>> {
    let mut offset = from;
    for line in text.get(from..)?.split_inclusive('\n') {
        let content = line.trim_start().trim_start_matches("- ").trim_start();
        let stripped = content.trim_start_matches(['"', '\'']);
        if stripped.starts_with(key) {
            let start = offset + (line.len() - content.len());
            return Some(start..offset + line.trim_end().len());
        }
        offset += line.len();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn authors_in_every_form() {
        let yaml: Value = serde_yaml::from_str(
            "a: X\nb: [X, Y]\nc:\n  - name: X\n  - name: {given: Y, family: Z}\n",
        )
        .expect("yaml");
        assert_eq!(authors(yaml.get("a")), ["X"]);
        assert_eq!(authors(yaml.get("b")), ["X", "Y"]);
        assert_eq!(authors(yaml.get("c")), ["X", "Y Z"]);
    }

    /// The chapters and appendices `_quarto.yml`'s `text` lists under `book:`.
    fn listing_of(text: &str) -> Listing {
        let yaml: Value = serde_yaml::from_str(text).expect("yaml");
        let book = yaml.get("book").expect("book");
        let mut listing = Listing::default();
        listing.add_list(book.get("chapters"), Matter::Numbered, text);
        listing.add_list(book.get("appendices"), Matter::Appendix, text);
        listing
    }

    #[test]
    fn chapters_parts_and_appendices() {
        let text = "book:\n  chapters:\n    - index.qmd\n    - part: One\n      chapters:\n        - a.qmd\n        - b.qmd\n  appendices:\n    - x.qmd\n";
        let listing = listing_of(text);
        let files: Vec<(&str, Matter)> = listing
            .files
            .iter()
            .map(|(f, m, _, _)| (f.as_str(), *m))
            .collect();
        assert_eq!(
            files,
            [
                ("index.qmd", Matter::Numbered),
                ("a.qmd", Matter::Numbered),
                ("b.qmd", Matter::Numbered),
                ("x.qmd", Matter::Appendix)
            ]
        );
        assert_eq!(listing.parts[0].0, 1);
        assert_eq!(listing.parts[0].1, "One");
        assert_eq!(&text[key_line(text, "b.qmd")], "b.qmd");
    }

    /// Each entry is found at its own line, in the order written: a file listed twice is
    /// located twice, and an entry inside a `[a, b]` list at the first line that names it.
    #[test]
    fn entries_are_located_in_the_order_written() {
        let text = "book:\n  chapters:\n    - a.qmd\n    - part: A\n      chapters:\n        - b.qmd\n    - a.qmd\n  appendices: [b.qmd]\n";
        let listing = listing_of(text);
        let lines: Vec<usize> = listing
            .files
            .iter()
            .map(|(_, _, at, _)| 1 + text[..at.start].matches('\n').count())
            .collect();
        assert_eq!(lines, [3, 6, 7, 6]);
        assert_eq!(&text[listing.parts[0].2.clone()], "part: A");
    }
}
