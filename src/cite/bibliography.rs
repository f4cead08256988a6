//! The bibliography file (BibLaTeX `.bib`, hayagriva `.yaml`, CSL-JSON `.json`): its entries,
//! where each key is written, and which entries are broken. An unreadable file is reported
//! at the place its parser stopped.

use std::collections::{BTreeMap, BTreeSet};

use hayagriva::citationberg::json::{
    DateValue as JsonDate, Item as JsonItem, NameValue as JsonName, Value as JsonValue,
};

use super::bib_import;
use super::biblatex::load_biblatex;
use crate::diag::{code, Diagnostic, Diagnostics, FileId, SourceMap, Span};

/// The parsed bibliography: its entries, where each one is, and which keys are broken.
pub(super) struct Bibliography {
    /// The file, for diagnostics' spans.
    pub(super) file: FileId,
    /// The file's name, for diagnostics' messages.
    pub(super) name: String,
    /// The entries.
    pub(super) library: Library,
    /// Keys in file order.
    pub(super) order: Vec<String>,
    /// Where each entry's key is written.
    pub(super) positions: BTreeMap<String, Span>,
    /// Keys of entries that failed to parse (already reported).
    pub(super) broken: BTreeSet<String>,
    /// False when the whole file was unreadable: keys are then not checked.
    pub(super) usable: bool,
}

impl Bibliography {
    fn empty(file: FileId, name: &str) -> Bibliography {
        Bibliography {
            file,
            name: name.to_string(),
            library: Library::Native(hayagriva::Library::new()),
            order: Vec::new(),
            positions: BTreeMap::new(),
            broken: BTreeSet::new(),
            usable: false,
        }
    }

    /// Whether `key` names an entry that parsed, so a citation of it can be rendered.
    pub(super) fn contains(&self, key: &str) -> bool {
        self.positions.contains_key(key) && !self.broken.contains(key) && self.has_entry(key)
    }

    fn has_entry(&self, key: &str) -> bool {
        match &self.library {
            Library::Native(library) => library.get(key).is_some(),
            Library::Json(items) => items.iter().any(|item| item.id().as_deref() == Some(key)),
        }
    }

    /// Where `key` is written in the file (its start when unknown).
    pub(super) fn span_of(&self, key: &str) -> Span {
        self.positions
            .get(key)
            .cloned()
            .unwrap_or_else(|| Span::new(self.file, 0..0))
    }
}

/// Entries in either of hayagriva's entry types.
pub(super) enum Library {
    /// From BibLaTeX or hayagriva YAML.
    Native(hayagriva::Library),
    /// From CSL-JSON.
    Json(Vec<JsonItem>),
}

/// Reads the bibliography file `file` by its extension; an unreadable or unsupported file
/// is reported and gives a bibliography whose keys are not checked.
pub(super) fn load_bibliography(
    file: FileId,
    sources: &SourceMap,
    diags: &mut Diagnostics,
) -> Bibliography {
    let source = sources.get(file);
    let lower = source.name.to_ascii_lowercase();
    let mut bib = Bibliography::empty(file, &source.name);
    if lower.ends_with(".bib") || lower.ends_with(".bibtex") {
        load_biblatex(&mut bib, &source.text, diags);
    } else if lower.ends_with(".yaml") || lower.ends_with(".yml") {
        load_yaml(&mut bib, &source.text, diags);
    } else if lower.ends_with(".json") {
        load_json(&mut bib, &source.text, diags);
    } else {
        diags.push(
            Diagnostic::error(
                code::BIBLIOGRAPHY,
                format!("unsupported bibliography format `{}`", source.name),
            )
            .at(Span::new(file, 0..0))
            .with_hint("use a .bib (BibLaTeX), .yaml (hayagriva) or .json (CSL-JSON) file"),
        );
        return bib;
    }
    let mut keys: Vec<(usize, String)> = bib
        .positions
        .iter()
        .filter(|(key, _)| bib.has_entry(key))
        .map(|(key, span)| (span.range.start, key.clone()))
        .collect();
    keys.sort();
    bib.order = keys.into_iter().map(|(_, key)| key).collect();
    bib
}

fn load_yaml(bib: &mut Bibliography, text: &str, diags: &mut Diagnostics) {
    match hayagriva::io::from_yaml_str(text) {
        Ok(library) => {
            bib.positions = yaml_positions(text, bib.file);
            for entry in library.iter() {
                let fallback = Span::new(bib.file, 0..0);
                bib.positions
                    .entry(entry.key().to_string())
                    .or_insert(fallback);
            }
            bib.library = Library::Native(library);
            bib.usable = true;
        }
        Err(error) => {
            let at = error.location().map_or(0, |l| l.index()).min(text.len());
            report_unreadable(bib, at, &error.to_string(), diags);
        }
    }
}

/// Top-level keys of a hayagriva YAML file: unindented `key:` lines.
fn yaml_positions(text: &str, file: FileId) -> BTreeMap<String, Span> {
    let mut positions = BTreeMap::new();
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let first = line.chars().next();
        let top = first.is_some_and(|c| !c.is_whitespace() && !matches!(c, '#' | '-'));
        if let Some(colon) = line.find(':').filter(|_| top) {
            let raw = &line[..colon];
            let key = raw.trim().trim_matches(['"', '\'']);
            let start = offset + raw.find(key).unwrap_or(0);
            positions
                .entry(key.to_string())
                .or_insert_with(|| Span::new(file, start..start + key.len()));
        }
        offset += line.len();
    }
    positions
}

fn load_json(bib: &mut Bibliography, text: &str, diags: &mut Diagnostics) {
    match serde_json::from_str::<Vec<JsonItem>>(text) {
        Ok(items) => {
            bib.positions = json_positions(text, bib.file);
            for (n, item) in items.iter().enumerate() {
                match item.id() {
                    Some(id) => {
                        let fallback = Span::new(bib.file, 0..0);
                        bib.positions.entry(id.into_owned()).or_insert(fallback);
                    }
                    None => {
                        report_unreadable(bib, 0, &format!("item {} has no \"id\"", n + 1), diags)
                    }
                }
            }
            let mut items = items;
            for item in &mut items {
                tidy_json_item(bib, item, diags);
            }
            bib.library = Library::Json(items);
            bib.usable = true;
        }
        Err(error) => {
            let at = offset_of(text, error.line(), error.column());
            report_unreadable(bib, at, &error.to_string(), diags);
        }
    }
}

/// Readies a CSL-JSON item for hayagriva, which would otherwise print `<i>` in titles, take a
/// compound family name apart ("López de Molina" sorted under "Molina") and panic on a date
/// range (hayagriva 0.10 `csl/taxonomy.rs`: "ranges are not supported"; typst/hayagriva#527
/// would add ranges, closed unmerged):
/// - the rich-text markup of CSL-JSON (`<i>`, `<b>`, `<sc>`, `<sup>`, `<sub>`,
///   `<span class="nocase">`) is taken out of strings, keeping their text;
/// - a family name without particles is kept whole (CSL-JSON names are already split);
/// - a date range keeps its start, with a warning saying that its end is not printed.
fn tidy_json_item(bib: &Bibliography, item: &mut JsonItem, diags: &mut Diagnostics) {
    let id = item.id().map(|id| id.into_owned()).unwrap_or_default();
    let mut ranges = Vec::new();
    for (field, value) in item.0.iter_mut() {
        match value {
            JsonValue::String(text) if text.contains('<') => *text = strip_markup(text),
            JsonValue::Names(names) => names.iter_mut().for_each(keep_family_whole),
            JsonValue::Date(date) => ranges.extend(drop_range_end(date).then(|| field.clone())),
            _ => {}
        }
    }
    for field in ranges {
        report_date_range(bib, &id, &field, diags);
    }
}

/// Warns that the date `field` of entry `id` is a range of which only the start is printed
/// (hayagriva 0.10 has no date ranges).
pub(super) fn report_date_range(
    bib: &Bibliography,
    id: &str,
    field: &str,
    diags: &mut Diagnostics,
) {
    let at = bib.positions.get(id).cloned();
    diags.push(
        Diagnostic::warning(
            code::DATE_RANGE_END,
            format!("`{field}` of `{id}` is a date range: only its start is printed"),
        )
        .at(at.unwrap_or_else(|| Span::new(bib.file, 0..0)))
        .with_hint("the citation library prints single dates; give the range in a note"),
    );
}

/// The rich-text tags CSL-JSON allows in strings, taken out.
const JSON_MARKUP: &[&str] = &[
    "<i>",
    "</i>",
    "<b>",
    "</b>",
    "<sc>",
    "</sc>",
    "<sup>",
    "</sup>",
    "<sub>",
    "</sub>",
    "<span class=\"nocase\">",
    "<span style=\"font-variant:small-caps;\">",
    "</span>",
];

fn strip_markup(text: &str) -> String {
    let mut out = text.to_string();
    for tag in JSON_MARKUP {
        if out.contains(tag) {
            out = out.replace(tag, "");
        }
    }
    out
}

/// hayagriva splits a family name that comes without particles as if it were a whole name;
/// an empty dropping particle makes it take the name as given. It would also read the first
/// words of a family name as a particle when they are in its list (`La Fontaine`), which
/// [`whole_family_name`](super::bib_import::whole_family_name) prevents.
fn keep_family_whole(name: &mut JsonName) {
    if let JsonName::Item(item) = name {
        let no_particles = item.non_dropping_particle.is_none() && item.dropping_particle.is_none();
        if no_particles && item.family.contains(' ') {
            item.dropping_particle = Some(String::new());
        }
        if item.family.contains(' ') {
            item.family = bib_import::whole_family_name(&item.family);
        }
    }
}

/// Cuts a date range down to its start; true when there was an end.
fn drop_range_end(date: &mut JsonDate) -> bool {
    match date {
        JsonDate::Raw { raw, .. } => raw.end.take().is_some(),
        JsonDate::DateParts { date_parts, .. } => {
            let had_end = date_parts.0.len() > 1;
            date_parts.0.truncate(1);
            had_end
        }
    }
}

/// Where each `"id": "key"` of a CSL-JSON file is.
fn json_positions(text: &str, file: FileId) -> BTreeMap<String, Span> {
    let mut positions = BTreeMap::new();
    for (at, _) in text.match_indices("\"id\"") {
        let rest = &text[at + 4..];
        let Some(value) = rest.trim_start().strip_prefix(':').map(str::trim_start) else {
            continue;
        };
        let start = text.len() - value.len();
        let (key, len) = match value.strip_prefix('"') {
            Some(quoted) => match quoted.find('"') {
                Some(end) => (&quoted[..end], end + 2),
                None => continue,
            },
            None => {
                let end = value
                    .find(|c: char| !c.is_ascii_digit())
                    .unwrap_or(value.len());
                (&value[..end], end)
            }
        };
        positions
            .entry(key.to_string())
            .or_insert_with(|| Span::new(file, start..start + len));
    }
    positions
}

/// Byte offset of a 1-based line and column, clamped to a character boundary.
fn offset_of(text: &str, line: usize, column: usize) -> usize {
    let line_start: usize = text
        .split_inclusive('\n')
        .take(line.saturating_sub(1))
        .map(str::len)
        .sum();
    let mut at = (line_start + column.saturating_sub(1)).min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

fn report_unreadable(bib: &Bibliography, at: usize, problem: &str, diags: &mut Diagnostics) {
    diags.push(
        Diagnostic::error(
            code::BIBLIOGRAPHY,
            format!("cannot read bibliography {}: {problem}", bib.name),
        )
        .at(Span::new(bib.file, at..at))
        .with_hint("fix the file's syntax; no citation can be rendered until then"),
    );
}

#[cfg(test)]
mod tests {
    use super::super::test_book::{book, cites, options, run_with};
    use crate::diag::code;

    #[test]
    fn yaml_and_csl_json_bibliographies() {
        let yaml = "kiernan1996:\n  type: book\n  title: The Pol Pot Regime\n  author: Kiernan, Ben\n  date: 1996\n\
                    other:\n  type: book\n  title: Other\n  author: Doe, Jane\n  date: 2000\n";
        let outcome = run_with(
            book(&["[@kiernan1996, p. 5]"], &[], Some(("refs.yaml", yaml))),
            &options("apa"),
        );
        assert_eq!(cites(&outcome), ["(Kiernan, 1996, p. 5)"]);
        let warning = &outcome.diags.items()[0];
        assert_eq!(
            outcome
                .book
                .sources
                .location(warning.span.as_ref().unwrap()),
            "refs.yaml:6:1"
        );

        let json = r#"[
  {"id": "kiernan1996", "type": "book", "title": "The Pol Pot Regime",
   "author": [{"family": "Kiernan", "given": "Ben"}], "issued": {"date-parts": [[1996]]}}
]"#;
        let outcome = run_with(
            book(&["@kiernan1996 [p. 5]"], &[], Some(("refs.json", json))),
            &options("chicago-author-date"),
        );
        assert_eq!(cites(&outcome), ["Kiernan (1996, 5)"]);
        assert!(outcome.diags.items().is_empty());
        assert_eq!(outcome.list.unwrap().entries[0].id, "ref-kiernan1996");

        let outcome = run_with(
            book(&["[@x]"], &[], Some(("refs.json", "[{\"id\": \"x\",}]"))),
            &options("apa"),
        );
        let error = &outcome.diags.items()[0];
        assert_eq!(error.code, code::BIBLIOGRAPHY);
        assert_eq!(
            outcome.book.sources.location(error.span.as_ref().unwrap()),
            "refs.json:1:13"
        );
        assert_eq!(
            outcome.diags.items().len(),
            1,
            "no unknown-key noise after a fatal error"
        );
    }

    #[test]
    fn csl_json_date_ranges_render() {
        let json = r#"[
  {"id": "conf", "type": "paper-conference", "title": "Digital Type",
   "author": [{"family": "Park", "given": "Ji-woo"}],
   "issued": {"date-parts": [[2011, 1], [2011, 2]]}}
]"#;
        let outcome = run_with(
            book(&["[@conf]"], &[], Some(("refs.json", json))),
            &options("chicago-author-date"),
        );
        assert_eq!(cites(&outcome), ["(Park 2011)"]);
        let warning = &outcome.diags.items()[0];
        assert_eq!(warning.code, code::DATE_RANGE_END);
        let at = warning.span.as_ref().unwrap();
        assert_eq!(outcome.book.sources.location(at), "refs.json:2:10");
        assert_eq!(outcome.diags.items().len(), 1);
    }

    #[test]
    fn csl_json_markup_and_particles() {
        let json = r#"[
  {"id": "lopez", "type": "book", "title": "Reading <i>Don Quixote</i> Today",
   "author": [{"family": "López de Molina", "given": "Ana"}], "issued": {"date-parts": [[2001]]}},
  {"id": "goethe", "type": "book", "title": "Faust",
   "author": [{"family": "Goethe", "given": "Johann Wolfgang", "non-dropping-particle": "von"}],
   "issued": {"date-parts": [[1808]]}},
  {"id": "fontaine", "type": "book", "title": "Fables",
   "author": [{"family": "La Fontaine", "given": "Jean", "dropping-particle": "de"}],
   "issued": {"date-parts": [[1668]]}}
]"#;
        let outcome = run_with(
            book(
                &["[@lopez; @goethe; @fontaine]"],
                &[],
                Some(("refs.json", json)),
            ),
            &options("chicago-author-date"),
        );
        assert_eq!(
            cites(&outcome),
            ["(López de Molina 2001; von Goethe 1808; La\u{A0}Fontaine 1668)"]
        );
        let entries = super::super::test_book::entries(&outcome);
        assert_eq!(
            entries,
            [
                "Goethe, Johann Wolfgang von. 1808. Faust.",
                "La\u{A0}Fontaine, Jean de. 1668. Fables.",
                "López de Molina, Ana. 2001. Reading Don Quixote Today.",
            ]
        );
    }
}
