//! Citations: renders every pandoc citation of the book and the reference list with hayagriva.
//!
//! 1. The bibliography (BibLaTeX `.bib`, hayagriva `.yaml`, CSL-JSON `.json`) is parsed; a
//!    malformed BibLaTeX entry is reported at its line and the other entries still load.
//! 2. The CSL style comes from hayagriva's archive or a `.csl` file.
//! 3. The chapters are walked in reading order (a footnote's content at its first call) to
//!    collect citations, which all go through one `BibliographyDriver`, so disambiguation
//!    (1996a/1996b), positions (first, subsequent, ibid) and numbering are book-wide.
//! 4. hayagriva's element tree (never its unescaped HTML output) is turned into our inlines;
//!    the part of a citation belonging to each cited work links to its entry (`ref-<key>`).
//! 5. A second walk in the same order writes the renderings back. With a note style, each
//!    citation outside a footnote becomes a footnote of its own.

mod bib_links;
mod csl_macros;
mod graph;

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;
use std::panic::{catch_unwind, AssertUnwindSafe};

use hayagriva::archive::ArchivedStyle;
use hayagriva::citationberg::json::Item as JsonItem;
use hayagriva::citationberg::taxonomy::Locator as CslLocator;
use hayagriva::citationberg::{
    FontStyle, FontWeight, IndependentStyle, Locale, LocaleCode, Style, StyleClass, VerticalAlign,
};
use hayagriva::{
    BibliographyDriver, BibliographyRequest, CitationItem, CitationRequest, CitePurpose, ElemChild,
    ElemChildren, ElemMeta, Formatting, LocatorPayload, Rendered, SpecificLocator,
};

use crate::diag::{closest, code, Diagnostic, Diagnostics, FileId, SourceMap, Span};
use crate::doc::{
    plain_text, BibEntry, Block, Chapter, Citation, CiteMode, Inline, Link, LinkTarget, Locator,
    LocatorKind, Note, NoteRef,
};

/// The style used when book.toml names none.
pub const DEFAULT_STYLE: &str = "chicago-author-date";

/// How citations are rendered: the style, the language, uncited entries, the list's title.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CiteOptions {
    /// The CSL style.
    pub style: StyleChoice,
    /// BCP 47 language of the book (`en`, `en-GB`), used for the style's terms and dates.
    pub locale: String,
    /// Keys to list although never cited, or `["*"]` for every entry.
    pub nocite: Vec<String>,
    /// Title of the reference list, overriding the style's.
    pub title: Option<String>,
}

/// Which CSL style renders the citations.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StyleChoice {
    /// A style of hayagriva's archive: `chicago-author-date` (default), `apa`, `mla`, `ieee`,
    /// `chicago-notes`, or any other archive name.
    Named(String),
    /// A `.csl` file loaded into the [`SourceMap`].
    File(FileId),
}

/// The rendered reference list, ready to be placed in the book.
#[derive(Debug, Clone)]
pub struct RenderedBibliography {
    /// Its heading ("References", "Works Cited", "Bibliography" or book.toml's).
    pub title: String,
    /// The entries in the style's order.
    pub entries: Vec<BibEntry>,
}

/// Renders every [`Inline::Cite`] in the chapters (fills [`Citation::rendered`]), turns
/// citations into footnotes for note styles, and returns the reference list. `None` when
/// there is nothing to list (no citations and no `nocite`, or no usable bibliography).
pub fn resolve_citations(
    chapters: &mut [Chapter],
    bibliography: Option<FileId>,
    options: &CiteOptions,
    sources: &SourceMap,
    diags: &mut Diagnostics,
) -> Option<RenderedBibliography> {
    if bibliography.is_none() && collect(chapters, false).is_empty() {
        return None;
    }
    let style = load_style(&options.style, sources, diags);
    let sites = collect(chapters, style.is_note());
    let Some(file) = bibliography else {
        report_missing_bibliography(&sites, diags);
        apply(
            chapters,
            style.is_note(),
            sites.iter().map(fallback).collect(),
        );
        return None;
    };
    let bib = load_bibliography(file, sources, diags);
    report_unknown_keys(&sites, &bib, diags);
    let nocite = nocite_keys(&bib, &options.nocite, diags);
    report_unused(&sites, &bib, &nocite, diags);
    let ctx = RenderContext::new(&style, &bib, &options.locale);
    let (outputs, list) = render(&ctx, &sites, &nocite, diags);
    apply(chapters, style.is_note(), outputs);
    let entries = list.filter(|entries| !entries.is_empty())?;
    let title = options
        .title
        .clone()
        .unwrap_or_else(|| style.title.to_string());
    Some(RenderedBibliography { title, entries })
}

// ---------------------------------------------------------------------------------------
// Styles

/// What a style's citations look at of the citations before them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PositionUse {
    /// Nothing: identical citations render identically.
    None,
    /// Only whether each work was cited before (`position="first"` / `"subsequent"`).
    FirstOnly,
    /// Their neighbours too ("ibid", "near-note", note numbers).
    Full,
}

/// The CSL style in use and what its reference list is called.
struct LoadedStyle {
    csl: IndependentStyle,
    title: &'static str,
}

impl LoadedStyle {
    fn is_note(&self) -> bool {
        self.csl.settings.class == StyleClass::Note
    }

    /// How a citation's rendering can depend on the citations before it, through CSL
    /// `position` tests or the `first-reference-note-number` variable. citationberg offers no
    /// query for this, so the citation layout and the macros are searched in their serde
    /// form; a style that cannot be serialised is treated as fully positional.
    fn position_use(&self) -> PositionUse {
        let parts = (&self.csl.citation, &self.csl.macros);
        let Ok(json) = serde_json::to_string(&parts) else {
            return PositionUse::Full;
        };
        if json.contains("first-reference-note-number") {
            return PositionUse::Full;
        }
        let key = "\"@position\":[";
        let mut tested = json.match_indices(key).map(|(at, _)| {
            let list = &json[at + key.len()..];
            &list[..list.find(']').unwrap_or(list.len())]
        });
        // "first" and "subsequent" only ask whether a work was cited before (hayagriva
        // evaluates them from that alone); "ibid" and "near-note" look at neighbours.
        let simple = |list: &str| {
            list.split(',')
                .all(|v| v == "\"first\"" || v == "\"subsequent\"")
        };
        match tested.next() {
            None => PositionUse::None,
            Some(first) if simple(first) && tested.all(simple) => PositionUse::FirstOnly,
            Some(_) => PositionUse::Full,
        }
    }
}

/// Load the chosen style; after an error, fall back to the default so that the other
/// problems (unknown keys, malformed entries) are still reported.
fn load_style(choice: &StyleChoice, sources: &SourceMap, diags: &mut Diagnostics) -> LoadedStyle {
    let loaded = match choice {
        StyleChoice::Named(name) => named_style(name, diags),
        StyleChoice::File(file) => file_style(*file, sources, diags),
    };
    loaded.unwrap_or_else(default_style)
}

fn default_style() -> LoadedStyle {
    archived_style(ArchivedStyle::ChicagoAuthorDate)
        .expect("hayagriva's archive holds chicago-author-date as an independent style")
}

fn named_style(name: &str, diags: &mut Diagnostics) -> Option<LoadedStyle> {
    let style = ArchivedStyle::by_name(name).and_then(archived_style);
    if style.is_none() {
        let names = style_names();
        let near = closest(name, names.iter().copied());
        let mut hint = String::new();
        if let Some(first) = near.first() {
            hint = format!("did you mean `{first}`? ");
        }
        hint.push_str(&format!(
            "use a path ending in .csl, or one of: {}",
            names.join(", ")
        ));
        diags.push(
            Diagnostic::error(code::CSL_STYLE, format!("unknown citation style `{name}`"))
                .with_hint(hint),
        );
    }
    style
}

/// Every name the archive knows, aliases included, sorted.
fn style_names() -> Vec<&'static str> {
    let mut names: Vec<&'static str> = ArchivedStyle::all()
        .iter()
        .flat_map(|style| style.names().iter().copied())
        .collect();
    names.sort_unstable();
    names.dedup();
    names
}

fn archived_style(style: ArchivedStyle) -> Option<LoadedStyle> {
    match style.get() {
        Style::Independent(csl) => Some(LoadedStyle {
            title: list_title(Some(style), &csl),
            csl,
        }),
        Style::Dependent(dependent) => {
            let parent = ArchivedStyle::by_id(&dependent.parent_link.href)?;
            let Style::Independent(csl) = parent.get() else {
                return None;
            };
            Some(LoadedStyle {
                title: list_title(Some(style), &csl),
                csl,
            })
        }
    }
}

fn file_style(file: FileId, sources: &SourceMap, diags: &mut Diagnostics) -> Option<LoadedStyle> {
    let source = sources.get(file);
    // A macro cycle is reported here: rendering with it would recurse without end.
    if !csl_macros::check_macro_calls(&source.text, file, diags) {
        return None;
    }
    let problem = match Style::from_xml(&source.text) {
        Ok(Style::Independent(csl)) => {
            let title = list_title(None, &csl);
            return Some(LoadedStyle { csl, title });
        }
        Ok(Style::Dependent(dependent)) => {
            let href = dependent.parent_link.href;
            let parent = ArchivedStyle::by_id(&href).and_then(archived_style);
            if parent.is_some() {
                return parent;
            }
            format!("its parent style {href} is not in octavo's style archive")
        }
        Err(error) => error.to_string(),
    };
    diags.push(
        Diagnostic::error(
            code::CSL_STYLE,
            format!("`{}` is not a usable CSL style: {problem}", source.name),
        )
        .at(Span::new(file, 0..0))
        .with_hint("check the file against the CSL 1.0.2 schema, or name an archive style"),
    );
    None
}

/// The reference list's heading for a style.
fn list_title(archived: Option<ArchivedStyle>, csl: &IndependentStyle) -> &'static str {
    match archived {
        Some(ArchivedStyle::ModernLanguageAssociation) => "Works Cited",
        Some(ArchivedStyle::ChicagoNotes | ArchivedStyle::ChicagoShortenedNotes) => "Bibliography",
        _ if csl.settings.class == StyleClass::Note => "Bibliography",
        _ => "References",
    }
}

// ---------------------------------------------------------------------------------------
// Bibliography files

/// The parsed bibliography: its entries, where each one is, and which keys are broken.
struct Bibliography {
    file: FileId,
    name: String,
    library: Library,
    /// Keys in file order.
    order: Vec<String>,
    /// Where each entry's key is written.
    positions: BTreeMap<String, Span>,
    /// Keys of entries that failed to parse (already reported).
    broken: BTreeSet<String>,
    /// False when the whole file was unreadable: keys are then not checked.
    usable: bool,
}

/// Entries in either of hayagriva's entry types.
enum Library {
    /// From BibLaTeX or hayagriva YAML.
    Native(hayagriva::Library),
    /// From CSL-JSON.
    Json(Vec<JsonItem>),
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

    fn contains(&self, key: &str) -> bool {
        self.positions.contains_key(key) && !self.broken.contains(key) && self.has_entry(key)
    }

    fn has_entry(&self, key: &str) -> bool {
        match &self.library {
            Library::Native(library) => library.get(key).is_some(),
            Library::Json(items) => items.iter().any(|item| item.id().as_deref() == Some(key)),
        }
    }

    fn span_of(&self, key: &str) -> Span {
        self.positions
            .get(key)
            .cloned()
            .unwrap_or_else(|| Span::new(self.file, 0..0))
    }
}

fn load_bibliography(file: FileId, sources: &SourceMap, diags: &mut Diagnostics) -> Bibliography {
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

/// One `@type{...}` block of a .bib file, found by its `@` at a line start.
struct BibChunk {
    range: Range<usize>,
    is_macro: bool,
    key: Option<(String, Range<usize>)>,
}

fn load_biblatex(bib: &mut Bibliography, text: &str, diags: &mut Diagnostics) {
    let chunks = scan_bib(text);
    let ranges: Vec<Range<usize>> = chunks.iter().map(|c| c.range.clone()).collect();
    // Cycles and runaway expansions are reported and cut here: biblatex would recurse on them.
    let guarded = bib_links::cut_runaway_references(text, &ranges, bib.file, diags);
    let text = guarded.as_ref();
    for chunk in &chunks {
        if let Some((key, range)) = &chunk.key {
            let span = Span::new(bib.file, range.clone());
            bib.positions.entry(key.clone()).or_insert(span);
        }
    }
    bib.usable = true;
    match hayagriva::io::from_biblatex_str(text) {
        Ok(library) => bib.library = Library::Native(library),
        Err(_) => bib.library = Library::Native(parse_chunks(bib, text, &chunks, diags)),
    }
    // Entries the line scan missed (two on one line) still get a position.
    if let Library::Native(library) = &bib.library {
        for entry in library.iter() {
            let fallback = Span::new(bib.file, 0..0);
            bib.positions
                .entry(entry.key().to_string())
                .or_insert(fallback);
        }
    }
}

/// The slow path after the whole file failed: parse entry by entry (with the `@string`
/// macros seen so far), so every malformed entry is reported and the good ones load.
fn parse_chunks(
    bib: &mut Bibliography,
    text: &str,
    chunks: &[BibChunk],
    diags: &mut Diagnostics,
) -> hayagriva::Library {
    let mut macros = String::new();
    let mut library = hayagriva::Library::new();
    for chunk in chunks {
        let body = &text[chunk.range.clone()];
        match hayagriva::io::from_biblatex_str(&format!("{macros}{body}")) {
            Ok(parsed) => {
                if chunk.is_macro {
                    macros.push_str(body);
                    macros.push('\n');
                }
                for entry in parsed.iter() {
                    add_entry(bib, &mut library, entry, chunk, diags);
                }
            }
            Err(errors) => {
                for error in errors {
                    let (range, problem) = match error {
                        hayagriva::io::BibLaTeXError::Parse(e) => (e.span, e.kind.to_string()),
                        hayagriva::io::BibLaTeXError::Type(e) => (e.span, e.kind.to_string()),
                    };
                    let at = shift_into(range, macros.len(), &chunk.range);
                    report_malformed(bib, chunk, at, &problem, body.trim_end().len(), diags);
                }
                if let Some((key, _)) = &chunk.key {
                    bib.broken.insert(key.clone());
                }
            }
        }
    }
    library
}

fn add_entry(
    bib: &Bibliography,
    library: &mut hayagriva::Library,
    entry: &hayagriva::Entry,
    chunk: &BibChunk,
    diags: &mut Diagnostics,
) {
    if library.get(entry.key()).is_none() {
        library.push(entry);
        return;
    }
    let range = chunk
        .key
        .as_ref()
        .map_or(chunk.range.clone(), |(_, r)| r.clone());
    diags.push(
        Diagnostic::error(
            code::BIBLIOGRAPHY,
            format!("duplicate key `{}` in {}", entry.key(), bib.name),
        )
        .at(Span::new(bib.file, range))
        .with_hint("keys must be unique; the first entry with this key is used"),
    );
}

/// Map an error range in `macros + chunk` back into the file, inside the chunk.
fn shift_into(range: Range<usize>, skip: usize, chunk: &Range<usize>) -> Range<usize> {
    let start = (chunk.start + range.start.saturating_sub(skip)).min(chunk.end);
    let end = (chunk.start + range.end.saturating_sub(skip)).clamp(start, chunk.end);
    start..end
}

/// Report a parse error; one found at the very end of the entry means it never closed, and
/// is shown at the entry's key.
fn report_malformed(
    bib: &Bibliography,
    chunk: &BibChunk,
    at: Range<usize>,
    problem: &str,
    content_len: usize,
    diags: &mut Diagnostics,
) {
    let key = chunk.key.as_ref();
    let unclosed = at.start >= chunk.range.start + content_len;
    let (what, hint, range) = match key {
        Some((key, range)) if unclosed => (
            format!(
                "malformed entry `{key}` in {}: it does not close ({problem} at its end)",
                bib.name
            ),
            "check that every { in the entry has its }",
            range.clone(),
        ),
        Some((key, _)) if problem == "expected comma" => (
            format!("malformed entry `{key}` in {}: {problem}", bib.name),
            "a comma is probably missing at the end of the previous field",
            at,
        ),
        Some((key, _)) => (
            format!("malformed entry `{key}` in {}: {problem}", bib.name),
            "an entry reads @type{key, field = {value}, field = {value}}",
            at,
        ),
        None => (
            format!("malformed entry in {}: {problem}", bib.name),
            "an entry reads @type{key, field = {value}, field = {value}}",
            at,
        ),
    };
    diags.push(
        Diagnostic::error(code::BIBLIOGRAPHY, what)
            .at(Span::new(bib.file, range))
            .with_hint(hint),
    );
}

/// Split a .bib file into blocks starting with `@` at the beginning of a line.
fn scan_bib(text: &str) -> Vec<BibChunk> {
    let mut starts = Vec::new();
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim_start();
        if trimmed.starts_with('@') {
            starts.push(offset + line.len() - trimmed.len());
        }
        offset += line.len();
    }
    let ends = starts.iter().skip(1).copied().chain([text.len()]);
    starts
        .iter()
        .zip(ends)
        .map(|(&start, end)| chunk_head(text, start..end))
        .collect()
}

/// Read a block's type and key.
fn chunk_head(text: &str, range: Range<usize>) -> BibChunk {
    let body = &text[range.clone()];
    let open = body.find(['{', '(']);
    let kind = open.map_or("", |open| body[1..open].trim());
    let is_macro = kind.eq_ignore_ascii_case("string");
    let is_entry = !is_macro
        && !kind.eq_ignore_ascii_case("comment")
        && !kind.eq_ignore_ascii_case("preamble");
    let key = open.filter(|_| is_entry).and_then(|open| {
        let after = &body[open + 1..];
        let len = after.find([',', '}', ')', '\n']).unwrap_or(after.len());
        let raw = &after[..len];
        let key = raw.trim();
        let lead = raw.len() - raw.trim_start().len();
        let start = range.start + open + 1 + lead;
        (!key.is_empty()).then(|| (key.to_string(), start..start + key.len()))
    });
    BibChunk {
        range,
        is_macro,
        key,
    }
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
            bib.library = Library::Json(items);
            bib.usable = true;
        }
        Err(error) => {
            let at = offset_of(text, error.line(), error.column());
            report_unreadable(bib, at, &error.to_string(), diags);
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

// ---------------------------------------------------------------------------------------
// Walking the chapters

/// Where a citation stands in the reading order.
#[derive(Debug, Clone, Copy)]
struct Place {
    /// Inside one of the author's footnotes.
    in_note: bool,
    /// The book-wide number of the footnote it is in or becomes (0 for in-text styles).
    note_number: usize,
}

/// A citation met in reading order.
struct Site {
    citation: Citation,
    place: Place,
}

/// Visits citations in reading order: the body, and each footnote's content at its first
/// call (unreferenced notes last). The visitor returns what replaces the citation and,
/// possibly, a generated footnote for the chapter.
struct Walker<F> {
    visit: F,
    cites_make_notes: bool,
    note_count: usize,
    notes: Vec<Note>,
    /// Label → index of the first note of `notes` with it: a call finds its note without a
    /// scan of the chapter's notes (100,000 notes took minutes).
    note_index: std::collections::HashMap<String, usize>,
    seen: Vec<bool>,
    generated: Vec<Note>,
}

impl<F: FnMut(Citation, Place) -> (Vec<Inline>, Option<Note>)> Walker<F> {
    fn new(cites_make_notes: bool, visit: F) -> Self {
        Walker {
            visit,
            cites_make_notes,
            note_count: 0,
            notes: Vec::new(),
            note_index: std::collections::HashMap::new(),
            seen: Vec::new(),
            generated: Vec::new(),
        }
    }

    fn chapter(&mut self, chapter: &mut Chapter) {
        self.notes = std::mem::take(&mut chapter.notes);
        self.note_index.clear();
        for (index, note) in self.notes.iter().enumerate() {
            self.note_index.entry(note.label.clone()).or_insert(index);
        }
        self.seen = vec![false; self.notes.len()];
        self.blocks(&mut chapter.blocks, None);
        for index in 0..self.notes.len() {
            if !self.seen[index] {
                self.note(index);
            }
        }
        chapter.notes = std::mem::take(&mut self.notes);
        chapter.notes.append(&mut self.generated);
    }

    fn note(&mut self, index: usize) {
        self.seen[index] = true;
        self.note_count += 1;
        let number = self.note_count;
        let mut blocks = std::mem::take(&mut self.notes[index].blocks);
        self.blocks(&mut blocks, Some(number));
        self.notes[index].blocks = blocks;
    }

    fn blocks(&mut self, blocks: &mut [Block], note: Option<usize>) {
        for block in blocks {
            self.block(block, note);
        }
    }

    fn block(&mut self, block: &mut Block, note: Option<usize>) {
        match block {
            Block::Heading(heading) => self.inlines(&mut heading.content, note),
            Block::Paragraph { content, .. } => self.inlines(content, note),
            Block::Quote { blocks, .. } | Block::Container { blocks, .. } => {
                self.blocks(blocks, note)
            }
            Block::List(list) => {
                for item in &mut list.items {
                    self.blocks(&mut item.blocks, note);
                }
            }
            Block::Table(table) => {
                let rows = table.rows.iter_mut().flatten();
                for cell in table.head.iter_mut().chain(rows) {
                    self.inlines(cell, note);
                }
            }
            Block::Figure(figure) => self.inlines(&mut figure.caption, note),
            Block::Code { .. }
            | Block::Rule { .. }
            | Block::Html { .. }
            | Block::ReferencesMarker { .. }
            | Block::References(_) => {}
        }
    }

    fn inlines(&mut self, list: &mut Vec<Inline>, note: Option<usize>) {
        if !has_calls(list) {
            return;
        }
        let mut call_at = None;
        for inline in std::mem::take(list) {
            call_at = match inline {
                Inline::Text { text, span } if call_at.is_some() => {
                    move_punctuation(list, call_at, text, span);
                    None
                }
                Inline::Cite(citation) => self.cite(list, *citation, note),
                Inline::NoteRef(call) => {
                    let index = self.note_index.get(&call.label).copied();
                    list.push(Inline::NoteRef(call));
                    if let Some(index) = index.filter(|&i| !self.seen[i]) {
                        self.note(index);
                    }
                    None
                }
                other => {
                    list.push(self.nested(other, note));
                    None
                }
            };
        }
    }

    /// Replace a citation; returns the position of a lone generated note call, which (as in
    /// pandoc) takes no space before it and goes after the punctuation that follows.
    fn cite(
        &mut self,
        list: &mut Vec<Inline>,
        citation: Citation,
        note: Option<usize>,
    ) -> Option<usize> {
        let place = self.place(note);
        let (replacement, generated) = (self.visit)(citation, place);
        let lone_call =
            generated.is_some() && matches!(replacement.as_slice(), [Inline::NoteRef(_)]);
        if lone_call {
            if let Some(Inline::Text { text, .. }) = list.last_mut() {
                text.truncate(text.trim_end().len());
            }
        }
        let at = list.len();
        list.extend(replacement);
        self.generated.extend(generated);
        lone_call.then_some(at)
    }

    fn nested(&mut self, mut inline: Inline, note: Option<usize>) -> Inline {
        match &mut inline {
            Inline::Emph(content) | Inline::Strong(content) | Inline::Strike(content) => {
                self.inlines(content, note)
            }
            Inline::Link(link) => self.inlines(&mut link.content, note),
            Inline::Html(html) => self.inlines(&mut html.children, note),
            _ => {}
        }
        inline
    }

    fn place(&mut self, note: Option<usize>) -> Place {
        match note {
            Some(number) => Place {
                in_note: true,
                note_number: number,
            },
            None if self.cites_make_notes => {
                self.note_count += 1;
                Place {
                    in_note: false,
                    note_number: self.note_count,
                }
            }
            None => Place {
                in_note: false,
                note_number: 0,
            },
        }
    }
}

/// Move the punctuation starting `text` before the note call at `call_at` ("1928 [@a]." →
/// "1928.¹"), then append the rest of the text.
/// Whether `list` holds a citation or a note call at any depth. A list without one is left
/// as it is by the walk rather than rebuilt (a paragraph of millions of inlines was copied
/// inline by inline for nothing).
fn has_calls(list: &[Inline]) -> bool {
    list.iter().any(|inline| match inline {
        Inline::Cite(_) | Inline::NoteRef(_) => true,
        Inline::Emph(c) | Inline::Strong(c) | Inline::Strike(c) => has_calls(c),
        Inline::Link(link) => has_calls(&link.content),
        Inline::Html(html) => has_calls(&html.children),
        _ => false,
    })
}

fn move_punctuation(list: &mut Vec<Inline>, call_at: Option<usize>, text: String, span: Span) {
    let punct = text.len()
        - text
            .trim_start_matches(['.', ',', ';', ':', '!', '?'])
            .len();
    if let Some(at) = call_at.filter(|_| punct > 0) {
        match at.checked_sub(1).and_then(|before| list.get_mut(before)) {
            Some(Inline::Text { text: before, .. }) => before.push_str(&text[..punct]),
            _ => list.insert(at, Inline::text(&text[..punct], span.clone())),
        }
    }
    if punct < text.len() {
        list.push(Inline::Text {
            text: text[punct..].to_string(),
            span,
        });
    }
}

/// First walk: every citation, in reading order, with its place.
fn collect(chapters: &mut [Chapter], note_style: bool) -> Vec<Site> {
    let mut sites = Vec::new();
    let mut walker = Walker::new(note_style, |citation: Citation, place| {
        sites.push(Site {
            citation: citation.clone(),
            place,
        });
        (vec![Inline::Cite(Box::new(citation))], None)
    });
    for chapter in chapters.iter_mut() {
        walker.chapter(chapter);
    }
    drop(walker);
    sites
}

/// What a citation becomes.
enum Output {
    /// Rendered in place: fills [`Citation::rendered`].
    Inline(Vec<Inline>),
    /// A footnote holding `content`; narrative citations keep `lead` (the author) in the text.
    Note {
        content: Vec<Inline>,
        lead: Option<Vec<Inline>>,
    },
}

/// Second walk, in the same order as [`collect`]: write the outputs back.
fn apply(chapters: &mut [Chapter], note_style: bool, outputs: Vec<Output>) {
    let mut outputs = outputs.into_iter();
    let mut count = 0;
    let mut walker = Walker::new(note_style, |mut citation: Citation, _place| {
        match outputs.next() {
            Some(Output::Inline(rendered)) => {
                citation.rendered = rendered;
                (vec![Inline::Cite(Box::new(citation))], None)
            }
            Some(Output::Note { content, lead }) => {
                count += 1;
                citation_note(citation, format!("cite-{count}"), content, lead)
            }
            None => (vec![Inline::Cite(Box::new(citation))], None),
        }
    });
    for chapter in chapters.iter_mut() {
        walker.chapter(chapter);
    }
}

/// A generated footnote for a citation and the call that replaces the citation.
fn citation_note(
    mut citation: Citation,
    label: String,
    content: Vec<Inline>,
    lead: Option<Vec<Inline>>,
) -> (Vec<Inline>, Option<Note>) {
    let span = citation.span.clone();
    let note = Note {
        label: label.clone(),
        number: 0,
        id: String::new(),
        ref_id: String::new(),
        blocks: vec![Block::Paragraph {
            content,
            span: span.clone(),
        }],
        span: span.clone(),
    };
    let call = Inline::NoteRef(Box::new(NoteRef {
        label,
        note: None,
        id: String::new(),
        span,
    }));
    let inlines = match lead {
        Some(lead) => {
            citation.rendered = lead;
            vec![Inline::Cite(Box::new(citation)), call]
        }
        None => vec![call],
    };
    (inlines, Some(note))
}

// ---------------------------------------------------------------------------------------
// Checks

fn report_missing_bibliography(sites: &[Site], diags: &mut Diagnostics) {
    for site in sites {
        let keys: Vec<String> = site
            .citation
            .items
            .iter()
            .map(|i| format!("`{}`", i.key))
            .collect();
        diags.push(
            Diagnostic::error(
                code::UNKNOWN_CITATION,
                format!(
                    "citation of {} but no bibliography is configured",
                    keys.join(", ")
                ),
            )
            .at(site.citation.span.clone())
            .with_hint("set `bibliography = \"references.bib\"` in book.toml"),
        );
    }
}

fn report_unknown_keys(sites: &[Site], bib: &Bibliography, diags: &mut Diagnostics) {
    if !bib.usable {
        return;
    }
    let items = sites.iter().flat_map(|site| &site.citation.items);
    for item in items.filter(|i| !bib.contains(&i.key) && !bib.broken.contains(&i.key)) {
        diags.push(
            Diagnostic::error(
                code::UNKNOWN_CITATION,
                format!(
                    "unknown citation key `{}`: no such entry in {}",
                    item.key, bib.name
                ),
            )
            .at(item.span.clone())
            .with_hint(unknown_key_hint(&item.key, bib)),
        );
    }
}

fn unknown_key_hint(key: &str, bib: &Bibliography) -> String {
    let near = closest(key, bib.order.iter().map(String::as_str));
    if near.is_empty() {
        return format!("add an entry `{key}` to {} or correct the key", bib.name);
    }
    let near: Vec<String> = near.iter().map(|k| format!("`{k}`")).collect();
    format!("did you mean {}?", near.join(" or "))
}

/// The keys listed although not cited, in file order; unknown ones are errors.
fn nocite_keys(bib: &Bibliography, requested: &[String], diags: &mut Diagnostics) -> Vec<String> {
    if requested.iter().any(|key| key == "*") {
        return bib.order.clone();
    }
    for key in requested.iter().filter(|k| bib.usable && !bib.contains(k)) {
        if bib.broken.contains(key) {
            continue;
        }
        diags.push(
            Diagnostic::error(
                code::UNKNOWN_CITATION,
                format!("`nocite` key `{key}` has no entry in {}", bib.name),
            )
            .in_file("book.toml")
            .with_hint(unknown_key_hint(key, bib)),
        );
    }
    let wanted: BTreeSet<&String> = requested.iter().collect();
    bib.order
        .iter()
        .filter(|k| wanted.contains(k))
        .cloned()
        .collect()
}

/// Above this many uncited entries the bibliography is taken for a shared one, and one
/// warning counts them instead of one warning each.
const UNUSED_NAMED_EACH: usize = 20;
/// How many uncited keys that one warning names.
const UNUSED_NAMED_IN_SUMMARY: usize = 5;

fn report_unused(sites: &[Site], bib: &Bibliography, nocite: &[String], diags: &mut Diagnostics) {
    let cited: BTreeSet<&str> = sites
        .iter()
        .flat_map(|site| site.citation.items.iter().map(|i| i.key.as_str()))
        .chain(nocite.iter().map(String::as_str))
        .collect();
    let unused: Vec<&String> = bib
        .order
        .iter()
        .filter(|k| !cited.contains(k.as_str()))
        .collect();
    if unused.len() > UNUSED_NAMED_EACH {
        diags.push(unused_summary(bib, &unused));
        return;
    }
    for key in unused {
        diags.push(
            Diagnostic::warning(
                code::UNUSED_REFERENCE,
                format!("bibliography entry `{key}` is never cited"),
            )
            .at(bib.span_of(key))
            .with_hint(format!(
                "cite it as [@{key}], add it to `nocite` in book.toml, or remove it"
            )),
        );
    }
}

/// One warning for the many uncited entries of a shared bibliography, at the first of them.
fn unused_summary(bib: &Bibliography, unused: &[&String]) -> Diagnostic {
    let named: Vec<String> = unused
        .iter()
        .take(UNUSED_NAMED_IN_SUMMARY)
        .map(|key| format!("`{key}`"))
        .collect();
    let first = unused.first().map_or(String::new(), |key| key.to_string());
    Diagnostic::warning(
        code::UNUSED_REFERENCE,
        format!(
            "{} of the {} entries in {} are never cited ({}, …)",
            unused.len(),
            bib.order.len(),
            bib.name,
            named.join(", ")
        ),
    )
    .at(bib.span_of(&first))
    .with_hint(
        "a shared bibliography may hold more than the book cites; list keys in `nocite` \
         in book.toml (or [\"*\"] for all) to print them in the references",
    )
}

// ---------------------------------------------------------------------------------------
// Rendering with hayagriva

/// Everything rendering needs, fixed for the run.
struct RenderContext<'a> {
    style: &'a LoadedStyle,
    bib: &'a Bibliography,
    locale: Option<LocaleCode>,
    locales: Vec<Locale>,
    /// Anchor id of each entry (`ref-<key>`, sanitised, unique).
    ids: BTreeMap<String, String>,
}

impl<'a> RenderContext<'a> {
    fn new(style: &'a LoadedStyle, bib: &'a Bibliography, locale: &str) -> Self {
        RenderContext {
            style,
            bib,
            locale: (!locale.is_empty()).then(|| LocaleCode(locale.to_string())),
            locales: archive_locales(locale),
            ids: anchor_ids(&bib.order),
        }
    }

    fn id(&self, key: &str) -> String {
        self.ids
            .get(key)
            .cloned()
            .unwrap_or_else(|| format!("ref-{}", sanitize_id(key)))
    }
}

/// The CSL locales from hayagriva's archive that a book in `language` can use: those of its
/// language (any region) and en-US, the CSL fallback. `hayagriva::archive::locales()`
/// decodes all 63 of them, which took 70 ms: most of the time of a small book's build.
/// Each archived locale is CBOR whose `@xml:lang` field names it; a locale whose name cannot be
/// read that way is decoded anyway, so nothing usable is ever left out.
fn archive_locales(language: &str) -> Vec<Locale> {
    let primary = |code: &str| {
        code.split(['-', '_'])
            .next()
            .unwrap_or("")
            .to_ascii_lowercase()
    };
    let wanted = primary(language);
    hayagriva::archive::LOCALES
        .iter()
        .filter(|bytes| {
            cbor_lang(bytes).is_none_or(|code| primary(code) == wanted || code == "en-US")
        })
        .filter_map(|bytes| ciborium::de::from_reader::<Locale, _>(*bytes).ok())
        .collect()
}

/// The `xml:lang` of a CBOR-encoded CSL locale: the map key "@xml:lang" (citationberg's
/// serde name for the attribute) followed by a short text string.
fn cbor_lang(bytes: &[u8]) -> Option<&str> {
    const KEY: &[u8] = b"\x69@xml:lang";
    let at = bytes.windows(KEY.len()).position(|w| w == KEY)? + KEY.len();
    let head = *bytes.get(at)?;
    if !(0x60..0x78).contains(&head) {
        return None;
    }
    let len = usize::from(head - 0x60);
    std::str::from_utf8(bytes.get(at + 1..at + 1 + len)?).ok()
}

/// How one citation is asked of hayagriva.
struct Plan {
    /// Indices of the citation's items that exist in the bibliography.
    known: Vec<usize>,
    /// `Prose` for narrative citations in in-text styles.
    purpose: Option<CitePurpose>,
    /// Whether the author alone is also rendered (narrative citations that become notes).
    lead: bool,
}

/// What the driver produced, per site.
struct Driven {
    rendered: Rendered,
    /// Index into `rendered.citations`, for sites that were rendered.
    requests: Vec<Option<usize>>,
    /// The author-only rendering for narrative citations turned into notes.
    leads: Vec<Option<ElemChildren>>,
}

fn plan(ctx: &RenderContext, site: &Site) -> Plan {
    let items = &site.citation.items;
    let known = (0..items.len())
        .filter(|&i| ctx.bib.contains(&items[i].key))
        .collect();
    let narrative = site.citation.mode == CiteMode::Narrative;
    let note_style = ctx.style.is_note();
    Plan {
        known,
        purpose: (narrative && !note_style).then_some(CitePurpose::Prose),
        lead: narrative && note_style && !site.place.in_note,
    }
}

fn csl_locator(locator: &Locator) -> SpecificLocator<'_> {
    let kind = match locator.kind {
        LocatorKind::Page => CslLocator::Page,
        LocatorKind::Chapter => CslLocator::Chapter,
        LocatorKind::Section => CslLocator::Section,
        LocatorKind::Figure => CslLocator::Figure,
        LocatorKind::Note => CslLocator::Note,
        LocatorKind::Paragraph => CslLocator::Paragraph,
        LocatorKind::Volume => CslLocator::Volume,
        LocatorKind::Line => CslLocator::Line,
    };
    SpecificLocator(kind, LocatorPayload::Str(&locator.value))
}

/// Identical citations are asked of hayagriva once. Rendering is the costliest part of a
/// large book's front half (the x100 benchmark's 11,700 citations took 3.5 s, almost all in
/// hayagriva), and disambiguation depends only on which works are cited, not how often.
///
/// Two citations are identical when hayagriva sees the same thing: the same items with the
/// same locators and purpose and, when the style tests positions, the same position: for
/// each item whether it is cited for the first time and, in a style that looks at
/// neighbours (CSL's "ibid"), the citation just before it when the two share a work (see
/// [`ibid_context`]; sharing none, it cannot be an ibid).
///
/// hayagriva takes a citation's predecessor to be the citation asked before it. So when a
/// new citation must be asked in such a style and the last one asked would give it another
/// ibid context than its real predecessor, the citations in between are asked again first,
/// in order: each is then seen in its real context, so hayagriva renders nothing the book
/// does not contain (a rendering seen out of context could take part in disambiguation and
/// change other citations). Because every skipped citation repeats one asked earlier,
/// hayagriva has seen every work the book has cited so far, and "first" and "subsequent"
/// stay right. A test renders random runs of citations both ways and compares them.
///
/// Citations of note styles are never merged: their positions also depend on note numbers
/// and on how many citations lie between ("near-note"). In-text styles never see note
/// numbers (hayagriva's `CitationRequest::new` drops them), so there a citation inside a
/// footnote merges like any other.
struct AskedCitations {
    /// Whether identical citations may be merged at all.
    enabled: bool,
    position: PositionUse,
    asked: BTreeMap<CitationKey, usize>,
    /// The key of the citation being asked, until its request number is known.
    pending: Option<CitationKey>,
    cited: BTreeSet<String>,
    /// What the last site with known works cites: the real predecessor.
    previous: Option<Vec<CitedItem>>,
    /// The last site asked of hayagriva, and what it cites: its idea of the predecessor.
    last_asked: Option<(usize, Vec<CitedItem>)>,
}

/// A cited work's key and its locator (kind and value), as hayagriva sees them.
type CitedItem = (String, Option<(String, String)>);

/// What hayagriva sees of a citation (see [`AskedCitations`]): its works, purpose, which
/// works are cited for the first time, and (in styles that look at neighbours) its
/// [`ibid_context`].
type CitationKey = (
    Vec<CitedItem>,
    Option<String>,
    Vec<bool>,
    Option<Vec<CitedItem>>,
);

/// Whether a citation must be asked of hayagriva.
enum Asking {
    /// It renders exactly as this earlier request did.
    Reuse(usize),
    /// Ask it, after asking again the sites in `replay` (those with known works), so that
    /// hayagriva sees its real predecessor.
    Ask { replay: Range<usize> },
}

impl AskedCitations {
    fn new(style: &LoadedStyle) -> Self {
        AskedCitations {
            enabled: !style.is_note() && !never_merge(),
            position: style.position_use(),
            asked: BTreeMap::new(),
            pending: None,
            cited: BTreeSet::new(),
            previous: None,
            last_asked: None,
        }
    }

    /// Decide how the citation at site `index` is asked. After [`Asking::Ask`], the caller
    /// asks the replayed sites and this one, then reports its request number with
    /// [`AskedCitations::asked_as`].
    fn decide(&mut self, index: usize, site: &Site, plan: &Plan) -> Asking {
        let items: Vec<CitedItem> = plan
            .known
            .iter()
            .map(|&i| {
                let item = &site.citation.items[i];
                let locator = item
                    .locator
                    .as_ref()
                    .map(|l| (format!("{:?}", l.kind), l.value.clone()));
                (item.key.clone(), locator)
            })
            .collect();
        let firsts: Vec<bool> = items.iter().map(|(k, _)| !self.cited.contains(k)).collect();
        self.cited.extend(items.iter().map(|(k, _)| k.clone()));
        let previous = self.previous.replace(items.clone());
        let purpose = plan.purpose.map(|p| format!("{p:?}"));
        let full = self.position == PositionUse::Full;
        let predecessor = previous.as_deref().and_then(|p| ibid_context(p, &items));
        let key = match self.position {
            PositionUse::Full => (items.clone(), purpose, firsts, predecessor.clone()),
            PositionUse::FirstOnly => (items.clone(), purpose, firsts, None),
            PositionUse::None => (items.clone(), purpose, Vec::new(), None),
        };
        if self.enabled {
            if let Some(&earlier) = self.asked.get(&key) {
                return Asking::Reuse(earlier);
            }
        }
        // hayagriva would take the last citation asked for this one's predecessor: when that
        // gives another ibid context, the citations in between are asked again first.
        let seen_by_hayagriva = self
            .last_asked
            .as_ref()
            .and_then(|(_, asked)| ibid_context(asked, &items));
        let replay = match &self.last_asked {
            Some((at, _)) if full && seen_by_hayagriva != predecessor => at + 1..index,
            None if full && predecessor.is_some() => 0..index,
            _ => index..index,
        };
        self.pending = Some(key);
        self.last_asked = Some((index, items));
        Asking::Ask { replay }
    }

    /// Record that the citation just decided on was asked as request `request`.
    fn asked_as(&mut self, request: usize) {
        if let Some(key) = self.pending.take() {
            self.asked.entry(key).or_insert(request);
        }
    }
}

#[cfg(test)]
thread_local! {
    /// Tests set this to ask every citation of hayagriva, the reference that merged
    /// rendering is compared with.
    static NEVER_MERGE: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Whether merging is switched off (only ever by tests).
fn never_merge() -> bool {
    #[cfg(test)]
    {
        NEVER_MERGE.with(std::cell::Cell::get)
    }
    #[cfg(not(test))]
    {
        false
    }
}

/// What a citation's rendering can take from the citation before it: CSL's "ibid" compares
/// the last work of the one with the first work of the other (in the order the style sorts
/// them into), so when the two share no work it is never ibid, whatever they cite. `None`
/// then; otherwise the whole previous citation, since its sorted order is hayagriva's to
/// decide.
fn ibid_context(previous: &[CitedItem], current: &[CitedItem]) -> Option<Vec<CitedItem>> {
    let shares = previous
        .iter()
        .any(|(key, _)| current.iter().any(|(k, _)| k == key));
    shares.then(|| previous.to_vec())
}

/// Run hayagriva's driver over every citation (and the hidden `nocite` entries).
///
/// A macro rather than a generic function: hayagriva's `EntryLike` bound lives in a private
/// module and cannot be named, so the code is instantiated once per entry type.
macro_rules! drive {
    ($ctx:expr, $sites:expr, $plans:expr, $nocite:expr, $lookup:expr) => {{
        let ctx: &RenderContext = $ctx;
        let lookup = $lookup;
        let style = &ctx.style.csl;
        let mut driver = BibliographyDriver::new();
        let mut requests = Vec::new();
        let mut leads = Vec::new();
        let mut count = 0;
        let mut asked = AskedCitations::new(&ctx.style);
        let sites: &[Site] = $sites;
        let plans: &[Plan] = $plans;
        let items_of = |at: usize| -> Vec<_> {
            let (site, plan) = (&sites[at], &plans[at]);
            plan.known
                .iter()
                .filter_map(|&i| {
                    let item = &site.citation.items[i];
                    let locator = item.locator.as_ref().map(csl_locator);
                    let entry = lookup(item.key.as_str())?;
                    Some(CitationItem::new(entry, locator, None, false, plan.purpose))
                })
                .collect()
        };
        let request_of = |site: &Site, items| {
            let note = Some(site.place.note_number).filter(|&n| n > 0);
            CitationRequest::new(items, style, ctx.locale.clone(), &ctx.locales, note)
        };
        for (site_index, (site, plan)) in sites.iter().zip(plans.iter()).enumerate() {
            let items = items_of(site_index);
            let first = items.first().map(|item| item.entry);
            leads.push(first.filter(|_| plan.lead).map(|entry| {
                let author = CitationItem::new(entry, None, None, false, Some(CitePurpose::Author));
                let request = CitationRequest::new(
                    vec![author],
                    style,
                    ctx.locale.clone(),
                    &ctx.locales,
                    None,
                );
                hayagriva::standalone_citation(request)
            }));
            if items.is_empty() {
                requests.push(None);
                continue;
            }
            match asked.decide(site_index, site, plan) {
                Asking::Reuse(earlier) => requests.push(Some(earlier)),
                Asking::Ask { replay } => {
                    for again in replay {
                        let again_items = items_of(again);
                        if !again_items.is_empty() {
                            driver.citation(request_of(&sites[again], again_items));
                            count += 1;
                        }
                    }
                    asked.asked_as(count);
                    requests.push(Some(count));
                    count += 1;
                    driver.citation(request_of(site, items));
                }
            }
        }
        let hidden: Vec<_> = $nocite
            .iter()
            .filter_map(|key: &String| lookup(key.as_str()))
            .map(|entry| CitationItem::new(entry, None, None, true, None))
            .collect();
        if !hidden.is_empty() {
            driver.citation(CitationRequest::new(
                hidden,
                style,
                ctx.locale.clone(),
                &ctx.locales,
                None,
            ));
        }
        let request = BibliographyRequest::new(style, ctx.locale.clone(), &ctx.locales);
        Driven {
            rendered: driver.finish(request),
            requests,
            leads,
        }
    }};
}

fn drive(ctx: &RenderContext, sites: &[Site], plans: &[Plan], nocite: &[String]) -> Driven {
    match &ctx.bib.library {
        Library::Native(library) => {
            drive!(ctx, sites, plans, nocite, |key: &str| library.get(key))
        }
        Library::Json(items) => {
            let by_id: BTreeMap<String, &JsonItem> = items
                .iter()
                .filter_map(|item| Some((item.id()?.into_owned(), item)))
                .collect();
            drive!(ctx, sites, plans, nocite, |key: &str| by_id
                .get(key)
                .copied())
        }
    }
}

/// Render all citations and the reference list (`None` when the style has no list).
fn render(
    ctx: &RenderContext,
    sites: &[Site],
    nocite: &[String],
    diags: &mut Diagnostics,
) -> (Vec<Output>, Option<Vec<BibEntry>>) {
    let plans: Vec<Plan> = sites.iter().map(|site| plan(ctx, site)).collect();
    let driven = match catch_unwind(AssertUnwindSafe(|| drive(ctx, sites, &plans, nocite))) {
        Ok(driven) => driven,
        Err(_) => {
            diags.push(
                Diagnostic::error(
                    code::BIBLIOGRAPHY,
                    format!("the citation processor failed on {}", ctx.bib.name),
                )
                .at(Span::new(ctx.bib.file, 0..0))
                .with_hint("please report this with the bibliography entry that triggers it"),
            );
            return (sites.iter().map(fallback).collect(), None);
        }
    };
    let mut outputs: Vec<Output> = sites
        .iter()
        .enumerate()
        .map(|(i, site)| output(ctx, site, &plans[i], &driven, i))
        .collect();
    let mut entries: Option<Vec<BibEntry>> = driven
        .rendered
        .bibliography
        .as_ref()
        .map(|list| list.items.iter().map(|item| bib_entry(ctx, item)).collect());
    if let Some(entries) = entries.as_mut() {
        let fixes = year_suffix_fixes(entries);
        if !fixes.is_empty() {
            apply_suffix_fixes(ctx, &fixes, &mut outputs, entries);
        }
    }
    (outputs, entries)
}

// ---------------------------------------------------------------------------------------
// Year suffixes in reference-list order

/// A year suffix to change: works by the same author in the same year are told apart by a
/// letter (1999a, 1999b), and CSL hands the letters out in the order of the reference list.
/// hayagriva hands them out in the order the works are first cited (typst/hayagriva#330 and
/// #469, open), so the sample book's list read "Chandler 1999b" above "Chandler 1999a".
/// The letters are handed out again, in list order, to the list and to every citation of
/// the works concerned.
#[derive(Debug, Clone, PartialEq)]
struct SuffixFix {
    key: String,
    year: String,
    old: char,
    new: char,
}

/// The suffix changes that put the letters in reference-list order. Works are grouped by
/// what their entry reads before the year (the author, in author-date styles) and the year;
/// a group whose letters are already in order, or that is not a clean run of distinct
/// letters, is left alone.
fn year_suffix_fixes(entries: &[BibEntry]) -> Vec<SuffixFix> {
    let mut groups: BTreeMap<(String, String), Vec<(&str, char)>> = BTreeMap::new();
    for entry in entries {
        let text = plain_text(&entry.content);
        if let Some((at, year, letter)) = find_year_suffix(&text) {
            let prefix = text[..at].to_string();
            groups
                .entry((prefix, year.to_string()))
                .or_default()
                .push((entry.key.as_str(), letter));
        }
    }
    let mut fixes = Vec::new();
    for ((_, year), members) in groups {
        let mut letters: Vec<char> = members.iter().map(|&(_, letter)| letter).collect();
        letters.sort_unstable();
        letters.dedup();
        if members.len() < 2 || letters.len() != members.len() {
            continue;
        }
        for (&(key, old), &new) in members.iter().zip(&letters) {
            if old != new {
                fixes.push(SuffixFix {
                    key: key.to_string(),
                    year: year.clone(),
                    old,
                    new,
                });
            }
        }
    }
    fixes
}

/// The first year with a one-letter suffix in `text` ("1999b", not "1999" or "1999ff"):
/// where the year starts, the year, and the letter.
fn find_year_suffix(text: &str) -> Option<(usize, &str, char)> {
    let bytes = text.as_bytes();
    (0..bytes.len().saturating_sub(4)).find_map(|at| {
        let year = bytes.get(at..at + 4)?;
        let letter = *bytes.get(at + 4)?;
        let digit_before = at > 0 && bytes[at - 1].is_ascii_digit();
        let after = bytes.get(at + 5).copied();
        let alone = !after.is_some_and(|b| b.is_ascii_alphanumeric());
        (year.iter().all(u8::is_ascii_digit)
            && !digit_before
            && letter.is_ascii_lowercase()
            && alone)
            .then(|| (at, &text[at..at + 4], char::from(letter)))
    })
}

/// Applies `fixes` to the reference list and to the citations' links to those works.
fn apply_suffix_fixes(
    ctx: &RenderContext,
    fixes: &[SuffixFix],
    outputs: &mut [Output],
    entries: &mut [BibEntry],
) {
    for entry in entries.iter_mut() {
        if let Some(fix) = fixes.iter().find(|f| f.key == entry.key) {
            replace_suffix(&mut entry.content, fix);
        }
    }
    let by_anchor: BTreeMap<String, &SuffixFix> =
        fixes.iter().map(|fix| (ctx.id(&fix.key), fix)).collect();
    for output in outputs {
        match output {
            Output::Inline(content) => fix_cited_suffixes(content, &by_anchor),
            Output::Note { content, lead } => {
                fix_cited_suffixes(content, &by_anchor);
                if let Some(lead) = lead {
                    fix_cited_suffixes(lead, &by_anchor);
                }
            }
        }
    }
}

/// In each link to a work with a fix: "1999a" becomes "1999b", and a lone "a" (the second
/// work of a collapsed citation, "1999a, b") becomes "b".
fn fix_cited_suffixes(inlines: &mut [Inline], by_anchor: &BTreeMap<String, &SuffixFix>) {
    for inline in inlines {
        match inline {
            Inline::Link(link) => {
                let fix = match &link.target {
                    LinkTarget::Anchor(id) => by_anchor.get(id).copied(),
                    _ => None,
                };
                match fix {
                    Some(fix) if !replace_suffix(&mut link.content, fix) => {
                        replace_lone_letter(&mut link.content, fix);
                    }
                    Some(_) => {}
                    None => fix_cited_suffixes(&mut link.content, by_anchor),
                }
            }
            Inline::Emph(children) | Inline::Strong(children) | Inline::Strike(children) => {
                fix_cited_suffixes(children, by_anchor)
            }
            Inline::Html(html) => fix_cited_suffixes(&mut html.children, by_anchor),
            _ => {}
        }
    }
}

/// Replaces the first "{year}{old}" in the text of `inlines` with "{year}{new}"; whether it
/// was found.
fn replace_suffix(inlines: &mut [Inline], fix: &SuffixFix) -> bool {
    for inline in inlines {
        let found = match inline {
            Inline::Text { text, .. } => {
                let wanted = format!("{}{}", fix.year, fix.old);
                let at = text.match_indices(&wanted).map(|(at, _)| at).find(|&at| {
                    let end = at + wanted.len();
                    !text[end..].starts_with(|c: char| c.is_alphanumeric())
                        && !text[..at].ends_with(|c: char| c.is_ascii_digit())
                });
                if let Some(at) = at {
                    let letter = at + fix.year.len();
                    text.replace_range(letter..letter + 1, fix.new.encode_utf8(&mut [0; 4]));
                }
                at.is_some()
            }
            Inline::Emph(children) | Inline::Strong(children) | Inline::Strike(children) => {
                replace_suffix(children, fix)
            }
            Inline::Html(html) => replace_suffix(&mut html.children, fix),
            Inline::Link(link) => replace_suffix(&mut link.content, fix),
            _ => false,
        };
        if found {
            return true;
        }
    }
    false
}

/// Replaces the text of `inlines` when it is the letter `old` alone.
fn replace_lone_letter(inlines: &mut [Inline], fix: &SuffixFix) {
    if plain_text(inlines).trim() != fix.old.to_string() {
        return;
    }
    for inline in inlines {
        if let Inline::Text { text, .. } = inline {
            if let Some(at) = text.find(fix.old) {
                text.replace_range(at..at + 1, fix.new.encode_utf8(&mut [0; 4]));
                return;
            }
        }
    }
}

fn output(ctx: &RenderContext, site: &Site, plan: &Plan, driven: &Driven, index: usize) -> Output {
    let rendered = driven.requests[index].and_then(|r| driven.rendered.citations.get(r));
    let Some(rendered) = rendered else {
        return fallback(site);
    };
    let converter = Converter {
        span: site.citation.span.clone(),
        cite: Some(CiteContext {
            ctx,
            citation: &site.citation,
            known: &plan.known,
            narrative: plan.purpose == Some(CitePurpose::Prose),
        }),
    };
    let mut content = Vec::new();
    converter.children(&rendered.citation.0, &mut content, false);
    if !ctx.style.is_note() || site.place.in_note {
        return Output::Inline(content);
    }
    capitalize_first(&mut content);
    let lead = driven.leads[index]
        .as_ref()
        .map(|lead| lead_inlines(ctx, site, plan, lead));
    Output::Note { content, lead }
}

/// The author of a narrative citation in a note style, linked to the entry.
fn lead_inlines(ctx: &RenderContext, site: &Site, plan: &Plan, lead: &ElemChildren) -> Vec<Inline> {
    let converter = Converter {
        span: site.citation.span.clone(),
        cite: None,
    };
    let mut content = Vec::new();
    converter.children(&lead.0, &mut content, true);
    let item = plan.known.first().and_then(|&i| site.citation.items.get(i));
    match item {
        Some(item) => vec![Inline::Link(Box::new(Link {
            target: LinkTarget::Anchor(ctx.id(&item.key)),
            title: String::new(),
            content,
            span: item.span.clone(),
        }))],
        None => content,
    }
}

/// What a citation shows when it cannot be rendered: its keys in bold with a question mark.
fn fallback(site: &Site) -> Output {
    let span = site.citation.span.clone();
    let keys: Vec<&str> = site.citation.items.iter().map(|i| i.key.as_str()).collect();
    let text = format!("{}?", keys.join("; "));
    Output::Inline(vec![Inline::Strong(vec![Inline::text(text, span)])])
}

fn bib_entry(ctx: &RenderContext, item: &hayagriva::BibliographyItem) -> BibEntry {
    let converter = Converter {
        span: ctx.bib.span_of(&item.key),
        cite: None,
    };
    let mut content = Vec::new();
    if let Some(first) = &item.first_field {
        converter.children(std::slice::from_ref(first), &mut content, false);
        push(&mut content, Inline::text(" ", converter.span.clone()));
    }
    converter.children(&item.content.0, &mut content, false);
    tidy_spaces(&mut content);
    BibEntry {
        key: item.key.clone(),
        id: ctx.id(&item.key),
        content,
    }
}

// ---------------------------------------------------------------------------------------
// hayagriva elements → our inlines

/// Turns hayagriva's element tree into inlines carrying `span`.
struct Converter<'a> {
    span: Span,
    /// Set when converting a citation: each cited item's part is linked to its entry.
    cite: Option<CiteContext<'a>>,
}

/// The citation being converted and how its items map to hayagriva's.
struct CiteContext<'a> {
    ctx: &'a RenderContext<'a>,
    citation: &'a Citation,
    /// hayagriva's item index `i` is `citation.items[known[i]]`.
    known: &'a [usize],
    narrative: bool,
}

impl Converter<'_> {
    /// Convert `children`; inside a linked item (`flat`), external links become text, since
    /// links cannot nest.
    fn children(&self, children: &[ElemChild], out: &mut Vec<Inline>, flat: bool) {
        for child in children {
            self.child(child, out, flat);
        }
    }

    fn child(&self, child: &ElemChild, out: &mut Vec<Inline>, flat: bool) {
        match child {
            ElemChild::Text(text) => self.formatted(&text.text, text.formatting, out),
            ElemChild::Markup(text) => self.formatted(text, Formatting::default(), out),
            ElemChild::Elem(elem) => match (&elem.meta, &self.cite) {
                (Some(ElemMeta::Entry(index)), Some(cite)) => {
                    self.item(cite, &elem.children, *index, out)
                }
                _ => {
                    if elem.display.is_some() && !out.is_empty() {
                        push(out, Inline::text(" ", self.span.clone()));
                    }
                    self.children(&elem.children.0, out, flat)
                }
            },
            ElemChild::Link { text, .. } if flat => {
                self.formatted(&text.text, text.formatting, out)
            }
            ElemChild::Link { text, url } => {
                let mut content = Vec::new();
                self.formatted(&text.text, text.formatting, &mut content);
                out.push(Inline::Link(Box::new(Link {
                    target: LinkTarget::External(url.clone()),
                    title: String::new(),
                    content,
                    span: self.span.clone(),
                })));
            }
            ElemChild::Transparent { .. } => {}
        }
    }

    fn formatted(&self, text: &str, formatting: Formatting, out: &mut Vec<Inline>) {
        if text.is_empty() {
            return;
        }
        let mut inline = Inline::text(text, self.span.clone());
        if formatting.font_weight == FontWeight::Bold {
            inline = Inline::Strong(vec![inline]);
        }
        if formatting.font_style == FontStyle::Italic {
            inline = Inline::Emph(vec![inline]);
        }
        let tag = match formatting.vertical_align {
            VerticalAlign::Sup => Some("sup"),
            VerticalAlign::Sub => Some("sub"),
            _ => None,
        };
        if let Some(tag) = tag {
            inline = Inline::Html(Box::new(crate::doc::HtmlInline {
                name: tag.to_string(),
                attrs: Vec::new(),
                children: vec![inline],
            }));
        }
        push(out, inline);
    }

    /// One cited work: prefix, the linked rendering, suffix.
    fn item(
        &self,
        cite: &CiteContext,
        children: &ElemChildren,
        index: usize,
        out: &mut Vec<Inline>,
    ) {
        let item = cite
            .known
            .get(index)
            .and_then(|&i| cite.citation.items.get(i));
        let Some(item) = item else {
            return self.children(&children.0, out, true);
        };
        let mut children = children.0.clone();
        if item.suppress_author {
            strip_author(&mut children);
        }
        let mut inner = Vec::new();
        self.children(&children, &mut inner, true);
        if cite.narrative {
            narrative_suffix(&mut inner, &item.suffix, &self.span);
        }
        if !item.prefix.is_empty() {
            push(
                out,
                Inline::text(format!("{} ", item.prefix), self.span.clone()),
            );
        }
        out.push(Inline::Link(Box::new(Link {
            target: LinkTarget::Anchor(cite.ctx.id(&item.key)),
            title: String::new(),
            content: inner,
            span: item.span.clone(),
        })));
        if !cite.narrative && !item.suffix.is_empty() {
            push(
                out,
                Inline::text(joined_suffix(&item.suffix), self.span.clone()),
            );
        }
    }
}

/// Append, merging adjacent text and adjacent emphasis of the same kind.
fn push(out: &mut Vec<Inline>, inline: Inline) {
    match (out.last_mut(), inline) {
        (Some(Inline::Text { text: last, .. }), Inline::Text { text, .. }) => last.push_str(&text),
        (Some(Inline::Emph(last)), Inline::Emph(more))
        | (Some(Inline::Strong(last)), Inline::Strong(more)) => {
            for inline in more {
                push(last, inline);
            }
        }
        (_, inline) => out.push(inline),
    }
}

/// `[-@key]`: drop the first names element and the delimiter after it ("Kiernan 1996" →
/// "1996"). hayagriva has no public suppress-author form: its `Year` purpose loses the year
/// suffix and the locator.
fn strip_author(children: &mut Vec<ElemChild>) -> bool {
    for i in 0..children.len() {
        let ElemChild::Elem(elem) = &mut children[i] else {
            continue;
        };
        if matches!(elem.meta, Some(ElemMeta::Names(_))) {
            children.remove(i);
            trim_leading_delimiter(children, i);
            return true;
        }
        if strip_author(&mut elem.children.0) {
            if is_blank(&elem.children.0) {
                children.remove(i);
                trim_leading_delimiter(children, i);
            }
            return true;
        }
    }
    false
}

fn is_blank(children: &[ElemChild]) -> bool {
    children.iter().all(|child| match child {
        ElemChild::Text(text) => text.text.trim().is_empty(),
        ElemChild::Markup(text) => text.trim().is_empty(),
        ElemChild::Elem(elem) => is_blank(&elem.children.0),
        ElemChild::Link { text, .. } => text.text.trim().is_empty(),
        ElemChild::Transparent { .. } => true,
    })
}

fn trim_leading_delimiter(children: &mut Vec<ElemChild>, at: usize) {
    if let Some(ElemChild::Text(text)) = children.get_mut(at) {
        let trimmed = text.text.trim_start_matches([' ', ',', ';', ':', '\u{a0}']);
        text.text = trimmed.to_string();
        if text.text.is_empty() {
            children.remove(at);
        }
    }
}

/// A suffix as printed after the locator: a space before words, none before punctuation.
fn joined_suffix(suffix: &str) -> String {
    match suffix.chars().next() {
        Some(c) if c.is_alphanumeric() => format!(" {suffix}"),
        _ => suffix.to_string(),
    }
}

/// Narrative renderings end in "(1996, 45)": the suffix goes inside the parentheses, and
/// an empty "()" (MLA without a locator) is dropped.
fn narrative_suffix(inner: &mut Vec<Inline>, suffix: &str, span: &Span) {
    if let Some(Inline::Text { text, .. }) = inner.last_mut() {
        if text.ends_with("()") {
            text.truncate(text.len() - 2);
            if !suffix.is_empty() {
                let bare = suffix.trim_start_matches([',', ' ']);
                text.push_str(&format!("({bare})"));
            }
            *text = text.trim_end().to_string();
            return;
        }
        if !suffix.is_empty() && text.ends_with(')') {
            text.insert_str(text.len() - 1, &joined_suffix(suffix));
            return;
        }
    }
    if !suffix.is_empty() {
        push(inner, Inline::text(joined_suffix(suffix), span.clone()));
    }
}

/// Upper-case the first letter (a note starts a sentence: "See Kiernan …").
fn capitalize_first(inlines: &mut [Inline]) -> bool {
    for inline in inlines {
        let done = match inline {
            Inline::Text { text, .. } => match text.chars().next() {
                Some(first) => {
                    let upper: String = first.to_uppercase().collect();
                    text.replace_range(..first.len_utf8(), &upper);
                    true
                }
                None => false,
            },
            Inline::Emph(content) | Inline::Strong(content) | Inline::Strike(content) => {
                capitalize_first(content)
            }
            Inline::Link(link) => capitalize_first(&mut link.content),
            Inline::Html(html) => capitalize_first(&mut html.children),
            _ => false,
        };
        if done {
            return true;
        }
    }
    false
}

/// Collapse the double spaces some styles leave between fields.
fn tidy_spaces(inlines: &mut [Inline]) {
    for inline in inlines {
        match inline {
            Inline::Text { text, .. } => {
                while text.contains("  ") {
                    *text = text.replace("  ", " ");
                }
            }
            Inline::Emph(content) | Inline::Strong(content) | Inline::Strike(content) => {
                tidy_spaces(content)
            }
            Inline::Link(link) => tidy_spaces(&mut link.content),
            Inline::Html(html) => tidy_spaces(&mut html.children),
            _ => {}
        }
    }
}

/// `ref-<key>` for each key, made a valid XML id and unique, in file order.
fn anchor_ids(keys: &[String]) -> BTreeMap<String, String> {
    let mut used = BTreeSet::new();
    let mut ids = BTreeMap::new();
    for key in keys {
        let base = format!("ref-{}", sanitize_id(key));
        let mut id = base.clone();
        let mut n = 2;
        while !used.insert(id.clone()) {
            id = format!("{base}-{n}");
            n += 1;
        }
        ids.insert(key.clone(), id);
    }
    ids
}

/// Keep letters, digits, `-`, `_`, `.` (and XML name characters of other scripts); replace
/// anything else with `-`.
fn sanitize_id(key: &str) -> String {
    key.chars()
        .map(|c| {
            let xml_name = c.is_alphanumeric()
                || matches!(c, '-' | '_' | '.')
                || (!c.is_ascii()
                    && matches!(c, '\u{0300}'..='\u{036F}' | '\u{0370}'..='\u{1FFF}')
                    && c != '\u{037E}');
            if xml_name {
                c
            } else {
                '-'
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::Severity;
    use crate::doc::{plain_text, Division};
    use crate::markdown::citations::find_citations;

    /// Tricky entries: two 1996 works by Kiernan, a corporate author, four authors, protected
    /// capitals, a DOI, a URL, a `@string` macro, and an entry nobody cites.
    const BIB: &str = r#"@string{yup = "Yale University Press"}

@book{kiernan1996,
  author = {Kiernan, Ben},
  title = {The {Pol Pot} Regime: Race, Power and Genocide in Cambodia under the {Khmer Rouge}},
  publisher = yup,
  location = {New Haven},
  year = {1996},
}

@article{kiernan1996b,
  author = {Kiernan, Ben},
  title = {Bophana and the archives of {S-21}},
  journaltitle = {Journal of Asian Studies},
  volume = {55},
  number = {2},
  pages = {100--120},
  year = {1996},
  doi = {10.1234/jas.1996.55},
}

@report{eccc2010,
  author = {{Extraordinary Chambers in the Courts of Cambodia}},
  title = {Judgement in Case 001},
  institution = {ECCC},
  type = {Judgement},
  location = {Phnom Penh},
  year = {2010},
  url = {https://www.eccc.gov.kh/en},
}

@book{chandler1999,
  author = {Chandler, David and Short, Philip and Etcheson, Craig and Hinton, Alexander},
  title = {Voices from {S-21}},
  publisher = {University of California Press},
  location = {Berkeley},
  year = {1999},
}

@book{unused2001,
  author = {Nobody, Ann},
  title = {Never Cited},
  publisher = {Nowhere},
  year = {2001},
}
"#;

    /// A one-chapter book: paragraphs and footnotes written in pandoc syntax (`[^label]` for
    /// note calls), parsed into our model the way the markdown stage does.
    struct TestBook {
        sources: SourceMap,
        chapters: Vec<Chapter>,
        bib: Option<FileId>,
    }

    fn book(paragraphs: &[&str], notes: &[(&str, &str)], bib: Option<(&str, &str)>) -> TestBook {
        let mut sources = SourceMap::default();
        let mut text = String::new();
        let mut ranges = Vec::new();
        for part in paragraphs.iter().chain(notes.iter().map(|(_, t)| t)) {
            ranges.push(text.len());
            text.push_str(part);
            text.push_str("\n\n");
        }
        let file = sources.add("chapters/01.md", text);
        let bib = bib.map(|(name, text)| sources.add(name, text.to_string()));
        let para = |i: usize, part: &str| Block::Paragraph {
            content: inlines(part, ranges[i], file),
            span: Span::new(file, ranges[i]..ranges[i] + part.len()),
        };
        let blocks = paragraphs
            .iter()
            .enumerate()
            .map(|(i, p)| para(i, p))
            .collect();
        let notes = notes
            .iter()
            .enumerate()
            .map(|(i, (label, part))| Note {
                label: label.to_string(),
                number: 0,
                id: String::new(),
                ref_id: String::new(),
                blocks: vec![para(paragraphs.len() + i, part)],
                span: Span::new(file, 0..0),
            })
            .collect();
        let chapter = Chapter {
            file,
            slug: "01".into(),
            division: Division::Body,
            epub_type: None,
            number: Some(1),
            title: Vec::new(),
            blocks,
            notes,
            generated: false,
        };
        TestBook {
            sources,
            chapters: vec![chapter],
            bib,
        }
    }

    fn inlines(text: &str, offset: usize, file: FileId) -> Vec<Inline> {
        let mut out = Vec::new();
        let mut cursor = 0;
        while let Some(start) = text[cursor..].find("[^").map(|i| cursor + i) {
            let end = start + text[start..].find(']').unwrap();
            out.extend(cite_inlines(&text[cursor..start], offset + cursor, file));
            out.push(Inline::NoteRef(Box::new(NoteRef {
                label: text[start + 2..end].to_string(),
                note: None,
                id: String::new(),
                span: Span::new(file, offset + start..offset + end + 1),
            })));
            cursor = end + 1;
        }
        out.extend(cite_inlines(&text[cursor..], offset + cursor, file));
        out
    }

    fn cite_inlines(text: &str, offset: usize, file: FileId) -> Vec<Inline> {
        let mut out = Vec::new();
        let mut cursor = 0;
        let span = |r: Range<usize>| Span::new(file, offset + r.start..offset + r.end);
        for found in find_citations(text) {
            if found.range.start > cursor {
                let before = cursor..found.range.start;
                out.push(Inline::text(&text[before.clone()], span(before)));
            }
            let items = found
                .items
                .into_iter()
                .map(|i| crate::doc::CiteItem {
                    key: i.key,
                    prefix: i.prefix,
                    locator: i.locator,
                    suffix: i.suffix,
                    suppress_author: i.suppress_author,
                    span: span(i.key_range),
                })
                .collect();
            out.push(Inline::Cite(Box::new(Citation {
                items,
                mode: found.mode,
                rendered: Vec::new(),
                span: span(found.range.clone()),
            })));
            cursor = found.range.end;
        }
        out.push(Inline::text(&text[cursor..], span(cursor..text.len())));
        out
    }

    fn options(style: &str) -> CiteOptions {
        CiteOptions {
            style: StyleChoice::Named(style.to_string()),
            locale: "en".into(),
            nocite: Vec::new(),
            title: None,
        }
    }

    struct Outcome {
        book: TestBook,
        list: Option<RenderedBibliography>,
        diags: Diagnostics,
    }

    fn run_with(mut book: TestBook, options: &CiteOptions) -> Outcome {
        let mut diags = Diagnostics::default();
        let list = resolve_citations(
            &mut book.chapters,
            book.bib,
            options,
            &book.sources,
            &mut diags,
        );
        Outcome { book, list, diags }
    }

    fn run(paragraphs: &[&str], style: &str) -> Outcome {
        let book = book(paragraphs, &[], Some(("references.bib", BIB)));
        run_with(book, &options(style))
    }

    /// Every citation's rendering in reading order (body, then notes).
    fn cites(outcome: &Outcome) -> Vec<String> {
        let mut out = Vec::new();
        for chapter in &outcome.book.chapters {
            let notes = chapter.notes.iter().flat_map(|n| &n.blocks);
            for block in chapter.blocks.iter().chain(notes) {
                if let Block::Paragraph { content, .. } = block {
                    collect_cites(content, &mut out);
                }
            }
        }
        out
    }

    fn collect_cites(inlines: &[Inline], out: &mut Vec<String>) {
        for inline in inlines {
            if let Inline::Cite(cite) = inline {
                out.push(plain_text(&cite.rendered));
            }
        }
    }

    /// The generated footnotes' text, in order.
    fn cite_notes(outcome: &Outcome) -> Vec<String> {
        let chapter = &outcome.book.chapters[0];
        let notes = chapter
            .notes
            .iter()
            .filter(|n| n.label.starts_with("cite-"));
        notes
            .map(|n| match &n.blocks[0] {
                Block::Paragraph { content, .. } => plain_text(content),
                _ => String::new(),
            })
            .collect()
    }

    fn entries(outcome: &Outcome) -> Vec<String> {
        let list = outcome.list.as_ref().expect("a reference list");
        list.entries
            .iter()
            .map(|e| plain_text(&e.content))
            .collect()
    }

    fn anchors(inlines: &[Inline], out: &mut Vec<String>) {
        for inline in inlines {
            match inline {
                Inline::Link(link) => {
                    if let LinkTarget::Anchor(id) = &link.target {
                        out.push(id.clone());
                    }
                    anchors(&link.content, out);
                }
                Inline::Cite(cite) => anchors(&cite.rendered, out),
                Inline::Emph(c) | Inline::Strong(c) | Inline::Strike(c) => anchors(c, out),
                _ => {}
            }
        }
    }

    fn messages(diags: &Diagnostics, severity: Severity) -> Vec<String> {
        let items = diags.items().iter().filter(|d| d.severity == severity);
        items.map(|d| d.message.clone()).collect()
    }

    const SAMPLE: &[&str] = &[
        "[@kiernan1996]",
        "[@kiernan1996, pp. 45-47]",
        "[see @kiernan1996b, chap. 2; @eccc2010]",
        "@chandler1999 says",
        "@chandler1999 [p. 12, emphasis added] says",
        "[-@kiernan1996b, 104]",
        "[@chandler1999; @kiernan1996; @kiernan1996b]",
        "[@eccc2010, 33, emphasis added]",
    ];

    fn assert_cites(style: &str, expected: &[&str]) {
        let outcome = run(SAMPLE, style);
        assert_eq!(cites(&outcome), expected, "{style}");
        assert_eq!(
            messages(&outcome.diags, Severity::Error),
            Vec::<String>::new()
        );
    }

    fn assert_entries(style: &str, expected: &[&str]) {
        let outcome = run(SAMPLE, style);
        assert_eq!(entries(&outcome), expected, "{style}");
    }

    #[test]
    fn chicago_author_date_citations() {
        assert_cites(
            "chicago-author-date",
            &[
                "(Kiernan 1996b)",
                "(Kiernan 1996b, 45–47)",
                "(see Kiernan 1996a, chap. 2; Extraordinary Chambers in the Courts of Cambodia 2010)",
                "Chandler et al. (1999)",
                "Chandler et al. (1999, 12, emphasis added)",
                "(1996a, 104)",
                "(Chandler et al. 1999; Kiernan 1996b; 1996a)",
                "(Extraordinary Chambers in the Courts of Cambodia 2010, 33, emphasis added)",
            ],
        );
    }

    #[test]
    fn chicago_author_date_references() {
        assert_entries(
            "chicago-author-date",
            &[
                "Chandler, David, Philip Short, Craig Etcheson, and Alexander Hinton. 1999. \
                 Voices from S-21. University of California Press.",
                "Extraordinary Chambers in the Courts of Cambodia. 2010. Judgement in Case 001. \
                 Judgement. Phnom Penh. https://www.eccc.gov.kh/en.",
                "Kiernan, Ben. 1996a. “Bophana and the Archives of S-21.” Journal of Asian \
                 Studies 55 (2): 100–120. https://doi.org/10.1234/jas.1996.55.",
                "Kiernan, Ben. 1996b. The Pol Pot Regime: Race, Power and Genocide in Cambodia \
                 under the Khmer Rouge. Yale University Press.",
            ],
        );
    }

    #[test]
    fn apa_citations_and_references() {
        assert_cites(
            "apa",
            &[
                "(Kiernan, 1996b)",
                "(Kiernan, 1996b, pp. 45–47)",
                "(Extraordinary Chambers in the Courts of Cambodia, 2010; see Kiernan, 1996a, Chapter 2)",
                "Chandler et al. (1999)",
                "Chandler et al. (1999, p. 12, emphasis added)",
                "(1996a, p. 104)",
                "(Chandler et al., 1999; Kiernan, 1996b; 1996a)",
                "(Extraordinary Chambers in the Courts of Cambodia, 2010, p. 33, emphasis added)",
            ],
        );
        assert_entries(
            "apa",
            &[
                "Chandler, D., Short, P., Etcheson, C., & Hinton, A. (1999). Voices from S-21. \
                 University of California Press.",
                "Extraordinary Chambers in the Courts of Cambodia. (2010). Judgement in Case 001 \
                 [Judgement]. https://www.eccc.gov.kh/en",
                "Kiernan, B. (1996a). Bophana and the archives of S-21. Journal of Asian Studies, \
                 55(2), 100–120. https://doi.org/10.1234/jas.1996.55",
                "Kiernan, B. (1996b). The Pol Pot Regime: Race, Power and Genocide in Cambodia \
                 under the Khmer Rouge. Yale University Press.",
            ],
        );
    }

    #[test]
    fn mla_citations_and_references() {
        let pol_pot =
            "The Pol Pot Regime: Race, Power and Genocide in Cambodia under the Khmer Rouge";
        assert_cites(
            "mla",
            &[
                &format!("(Kiernan, {pol_pot})"),
                &format!("(Kiernan, {pol_pot} 45–47)"),
                "(see Kiernan, “Bophana and the Archives of S-21,” ch. 2; Extraordinary Chambers \
                 in the Courts of Cambodia)",
                "Chandler et al.",
                "Chandler et al. (12, emphasis added)",
                "(“Bophana and the Archives of S-21” 104)",
                &format!(
                    "(Chandler et al.; Kiernan, {pol_pot}; Kiernan, “Bophana and the Archives of S-21”)"
                ),
                "(Extraordinary Chambers in the Courts of Cambodia 33, emphasis added)",
            ],
        );
        assert_entries(
            "mla",
            &[
                "Chandler, David, et al. Voices from S-21. University of California Press, 1999.",
                "Extraordinary Chambers in the Courts of Cambodia. Judgement in Case 001. \
                 Judgement. Phnom Penh, 2010, https://www.eccc.gov.kh/en.",
                "Kiernan, Ben. “Bophana and the Archives of S-21.” Journal of Asian Studies, vol. \
                 55, no. 2, 1996, pp. 100–20, https://doi.org/10.1234/jas.1996.55.",
                &format!("———. {pol_pot}. Yale University Press, 1996."),
            ],
        );
    }

    #[test]
    fn ieee_numbers_in_order_of_citation() {
        assert_cites(
            "ieee",
            &[
                "[1]",
                "[1, pp. 45–47]",
                "see [2, Ch. 2], [3]",
                "D. Chandler, P. Short, C. Etcheson, and A. Hinton [4]",
                "D. Chandler, P. Short, C. Etcheson, and A. Hinton [4, p. 12], emphasis added",
                "[2, p. 104]",
                "[1], [2], [4]",
                "[3, p. 33], emphasis added",
            ],
        );
        assert_entries(
            "ieee",
            &[
                "[1] B. Kiernan, The Pol Pot Regime: Race, Power and Genocide in Cambodia under \
                 the Khmer Rouge. New Haven: Yale University Press, 1996.",
                "[2] B. Kiernan, “Bophana and the archives of S-21,” Journal of Asian Studies, \
                 vol. 55, no. 2, pp. 100–120, 1996, doi: 10.1234/jas.1996.55.",
                "[3] Extraordinary Chambers in the Courts of Cambodia, “Judgement in Case 001,” \
                 Phnom Penh, Judgement, 2010. [Online]. Available: https://www.eccc.gov.kh/en",
                "[4] D. Chandler, P. Short, C. Etcheson, and A. Hinton, Voices from S-21. \
                 Berkeley: University of California Press, 1999.",
            ],
        );
    }

    #[test]
    fn chicago_notes_turns_citations_into_footnotes() {
        let outcome = run(SAMPLE, "chicago-notes");
        let pol_pot =
            "The Pol Pot Regime: Race, Power and Genocide in Cambodia under the Khmer Rouge";
        assert_eq!(
            cite_notes(&outcome),
            [
                format!("Ben Kiernan, {pol_pot} (Yale University Press, 1996)."),
                format!("Kiernan, {pol_pot}, 45–47."),
                "See Ben Kiernan, “Bophana and the Archives of S-21,” Journal of Asian Studies 55, \
                 no. 2 (1996): chap. 2, https://doi.org/10.1234/jas.1996.55; Extraordinary \
                 Chambers in the Courts of Cambodia, Judgement in Case 001, Judgement (Phnom \
                 Penh, 2010), https://www.eccc.gov.kh/en."
                    .to_string(),
                "David Chandler et al., Voices from S-21 (University of California Press, 1999)."
                    .to_string(),
                "Chandler et al., Voices from S-21, 12, emphasis added.".to_string(),
                "“Bophana and the Archives of S-21,” 104.".to_string(),
                format!(
                    "Chandler et al., Voices from S-21; Kiernan, {pol_pot}; Kiernan, “Bophana and \
                     the Archives of S-21”."
                ),
                "Extraordinary Chambers in the Courts of Cambodia, Judgement in Case 001, 33, \
                 emphasis added."
                    .to_string(),
            ]
        );
        // Narrative citations keep the author in the text, linked, before the note call.
        assert_eq!(cites(&outcome), ["Chandler et al.", "Chandler et al."]);
        let Block::Paragraph { content, .. } = &outcome.book.chapters[0].blocks[3] else {
            panic!("paragraph expected");
        };
        assert!(matches!(&content[0], Inline::Cite(_)));
        assert!(matches!(&content[1], Inline::NoteRef(r) if r.label == "cite-4"));
        let Block::Paragraph { content, .. } = &outcome.book.chapters[0].blocks[0] else {
            panic!("paragraph expected");
        };
        assert!(
            matches!(&content[0], Inline::NoteRef(r) if r.label == "cite-1" && r.note.is_none())
        );
        assert_eq!(
            outcome.list.as_ref().map(|l| l.title.as_str()),
            Some("Bibliography")
        );
    }

    #[test]
    fn note_style_renders_citations_inside_footnotes_in_place() {
        let book = book(
            &["First [@kiernan1996, p. 3].[^a] Then [@kiernan1996, p. 9]."],
            &[("a", "As argued in [@kiernan1996b]. See also @eccc2010.")],
            Some(("references.bib", BIB)),
        );
        let outcome = run_with(book, &options("chicago-notes"));
        let notes = &outcome.book.chapters[0].notes;
        let labels: Vec<&str> = notes.iter().map(|n| n.label.as_str()).collect();
        assert_eq!(labels, ["a", "cite-1", "cite-2"]);
        // Generated calls follow the punctuation, with no space before them (as in pandoc).
        let Block::Paragraph { content, .. } = &outcome.book.chapters[0].blocks[0] else {
            panic!("paragraph expected");
        };
        let shape: Vec<String> = content
            .iter()
            .map(|i| match i {
                Inline::Text { text, .. } => text.clone(),
                Inline::NoteRef(call) => format!("^{}", call.label),
                _ => "?".into(),
            })
            .collect();
        assert_eq!(shape, ["First.", "^cite-1", "^a", " Then.", "^cite-2"]);
        // The author's note keeps its citations, rendered inline (no note in a note).
        let Block::Paragraph { content, .. } = &notes[0].blocks[0] else {
            panic!("paragraph expected");
        };
        let inline: Vec<String> = content
            .iter()
            .filter_map(|i| match i {
                Inline::Cite(c) => Some(plain_text(&c.rendered)),
                _ => None,
            })
            .collect();
        assert_eq!(
            inline,
            [
                "Ben Kiernan, “Bophana and the Archives of S-21,” Journal of Asian Studies 55, \
                 no. 2 (1996): 100–120, https://doi.org/10.1234/jas.1996.55.",
                "Extraordinary Chambers in the Courts of Cambodia, Judgement in Case 001, \
                 Judgement (Phnom Penh, 2010), https://www.eccc.gov.kh/en."
            ]
        );
        // Reading order puts note a between the two body citations: the second one is short.
        assert_eq!(
            cite_notes(&outcome),
            [
                "Ben Kiernan, The Pol Pot Regime: Race, Power and Genocide in Cambodia under the \
                 Khmer Rouge (Yale University Press, 1996), 3.",
                "Kiernan, The Pol Pot Regime: Race, Power and Genocide in Cambodia under the \
                 Khmer Rouge, 9."
            ]
        );
    }

    #[test]
    fn citations_link_to_their_entries() {
        let outcome = run(SAMPLE, "chicago-author-date");
        let ids: Vec<String> = outcome
            .list
            .as_ref()
            .unwrap()
            .entries
            .iter()
            .map(|e| e.id.clone())
            .collect();
        assert_eq!(
            ids,
            [
                "ref-chandler1999",
                "ref-eccc2010",
                "ref-kiernan1996b",
                "ref-kiernan1996"
            ]
        );
        let Block::Paragraph { content, .. } = &outcome.book.chapters[0].blocks[2] else {
            panic!("paragraph expected");
        };
        let mut found = Vec::new();
        anchors(content, &mut found);
        assert_eq!(found, ["ref-kiernan1996b", "ref-eccc2010"]);
        let Some(Inline::Cite(cite)) = content.first() else {
            panic!("citation expected");
        };
        // The prefix stays outside the link; each link covers its own item.
        assert!(matches!(&cite.rendered[0], Inline::Text { text, .. } if text == "(see "));
        let Inline::Link(link) = &cite.rendered[1] else {
            panic!("link expected");
        };
        assert_eq!(plain_text(&link.content), "Kiernan 1996a, chap. 2");
        assert_eq!(link.span, cite.items[0].span);
        for chapter in &outcome.book.chapters {
            for block in &chapter.blocks {
                if let Block::Paragraph { content, .. } = block {
                    let mut targets = Vec::new();
                    anchors(content, &mut targets);
                    assert!(!targets.is_empty());
                    assert!(targets.iter().all(|t| ids.contains(t)), "{targets:?}");
                }
            }
        }
    }

    #[test]
    fn references_keep_italics_and_live_links() {
        let outcome = run(SAMPLE, "chicago-author-date");
        let list = outcome.list.unwrap();
        assert_eq!(list.title, "References");
        let chandler = &list.entries[0].content;
        let emph: Vec<String> = chandler
            .iter()
            .filter_map(|i| match i {
                Inline::Emph(c) => Some(plain_text(c)),
                _ => None,
            })
            .collect();
        assert_eq!(emph, ["Voices from S-21"]);
        let external: Vec<&LinkTarget> = list.entries[2]
            .content
            .iter()
            .filter_map(|i| match i {
                Inline::Link(link) => Some(&link.target),
                _ => None,
            })
            .collect();
        assert_eq!(
            external,
            [&LinkTarget::External(
                "https://doi.org/10.1234/jas.1996.55".into()
            )]
        );
        // Entry text points at the entry in the .bib (file 1), line 13.
        let Inline::Text { span, .. } = &list.entries[2].content[0] else {
            panic!("text expected");
        };
        assert_eq!(outcome.book.sources.location(span), "references.bib:11:10");
    }

    #[test]
    fn unknown_key_is_an_error_with_location_and_hint() {
        let book = book(
            &["Intro.", "As shown [@kiernan1969, p. 4]."],
            &[],
            Some(("references.bib", BIB)),
        );
        let outcome = run_with(book, &options("chicago-author-date"));
        let errors: Vec<&Diagnostic> = outcome
            .diags
            .items()
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .collect();
        assert_eq!(errors.len(), 1);
        let error = errors[0];
        assert_eq!(error.code, code::UNKNOWN_CITATION);
        assert_eq!(
            error.message,
            "unknown citation key `kiernan1969`: no such entry in references.bib"
        );
        let span = error.span.as_ref().unwrap();
        assert_eq!(outcome.book.sources.location(span), "chapters/01.md:3:11");
        let hint = "did you mean `kiernan1996` or `kiernan1996b`?";
        assert_eq!(error.hint.as_deref(), Some(hint));
        assert_eq!(cites(&outcome), ["kiernan1969?"]);
    }

    #[test]
    fn malformed_entries_are_reported_each_and_the_rest_still_works() {
        let bib = "@book{good1, author = {Ang, Ing}, title = {First}, year = {1990}}\n\
                   \n\
                   @book{bad1,\n  author = {Xu, Yi}\n  title = {T},\n  year = {1991},\n}\n\
                   \n\
                   @book{bad2,\n  title = {Unclosed,\n  year = {1992},\n}\n\
                   \n\
                   @book{good2, author = {Chey, Dara}, title = {Second}, year = {1993}}\n";
        let book = book(
            &["[@good1; @bad1; @nosuch] and @good2"],
            &[],
            Some(("refs.bib", bib)),
        );
        let outcome = run_with(book, &options("chicago-author-date"));
        let found: Vec<(String, String)> = outcome
            .diags
            .items()
            .iter()
            .map(|d| {
                (
                    outcome.book.sources.location(d.span.as_ref().unwrap()),
                    d.message.clone(),
                )
            })
            .collect();
        let expected = [
            (
                "refs.bib:5:3",
                "malformed entry `bad1` in refs.bib: expected comma",
            ),
            (
                "refs.bib:9:7",
                "malformed entry `bad2` in refs.bib: it does not close (expected comma at its end)",
            ),
            (
                "chapters/01.md:1:17",
                "unknown citation key `nosuch`: no such entry in refs.bib",
            ),
        ];
        let expected: Vec<(String, String)> = expected
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect();
        assert_eq!(found, expected);
        assert_eq!(cites(&outcome), ["(Ang 1990)", "Chey (1993)"]);
        assert_eq!(entries(&outcome).len(), 2);
    }

    #[test]
    fn duplicate_keys_are_errors() {
        let bib = "@book{a, author = {Ang, Ing}, title = {One}, year = {1990}}\n\
                   @book{a, author = {Ang, Ing}, title = {Two}, year = {1991}}\n";
        let book = book(&["[@a]"], &[], Some(("refs.bib", bib)));
        let outcome = run_with(book, &options("apa"));
        assert_eq!(
            messages(&outcome.diags, Severity::Error),
            ["duplicate key `a` in refs.bib"]
        );
        assert_eq!(cites(&outcome), ["(Ang, 1990)"]);
    }

    #[test]
    fn unused_entries_warn_at_their_position() {
        let outcome = run(SAMPLE, "apa");
        let warnings: Vec<&Diagnostic> = outcome.diags.items().iter().collect();
        assert_eq!(warnings.len(), 1);
        assert_eq!(warnings[0].code, code::UNUSED_REFERENCE);
        assert_eq!(
            warnings[0].message,
            "bibliography entry `unused2001` is never cited"
        );
        let span = warnings[0].span.as_ref().unwrap();
        assert_eq!(outcome.book.sources.location(span), "references.bib:40:7");
    }

    #[test]
    fn nocite_lists_uncited_entries() {
        let book1 = book(&["[@kiernan1996]"], &[], Some(("references.bib", BIB)));
        let mut opts = options("chicago-author-date");
        opts.nocite = vec!["*".into()];
        let outcome = run_with(book1, &opts);
        assert!(outcome.diags.items().is_empty());
        assert_eq!(entries(&outcome).len(), 5);
        assert!(entries(&outcome)[4].starts_with("Nobody, Ann. 2001. Never Cited."));
        assert_eq!(cites(&outcome), ["(Kiernan 1996b)"]);

        let book2 = book(&["[@kiernan1996]"], &[], Some(("references.bib", BIB)));
        opts.nocite = vec!["unused2001".into(), "nobody".into()];
        let outcome = run_with(book2, &opts);
        assert_eq!(entries(&outcome).len(), 2);
        let warnings = messages(&outcome.diags, Severity::Warning);
        assert_eq!(warnings.len(), 3, "{warnings:?}");
        assert_eq!(
            messages(&outcome.diags, Severity::Error),
            ["`nocite` key `nobody` has no entry in references.bib"]
        );
    }

    #[test]
    fn nothing_to_do_gives_none_and_no_diagnostics() {
        let outcome = run_with(book(&["No citations here."], &[], None), &options("apa"));
        assert!(outcome.list.is_none());
        assert!(outcome.diags.items().is_empty());
    }

    #[test]
    fn citations_without_bibliography_are_errors() {
        let outcome = run_with(book(&["See [@a; @b] and @c."], &[], None), &options("apa"));
        assert!(outcome.list.is_none());
        let errors = outcome.diags.items();
        assert_eq!(errors.len(), 2);
        assert_eq!(
            errors[0].message,
            "citation of `a`, `b` but no bibliography is configured"
        );
        assert_eq!(
            errors[0].hint.as_deref(),
            Some("set `bibliography = \"references.bib\"` in book.toml")
        );
        assert_eq!(
            outcome
                .book
                .sources
                .location(errors[1].span.as_ref().unwrap()),
            "chapters/01.md:1:18"
        );
    }

    #[test]
    fn unknown_style_is_an_error_and_falls_back() {
        let book = book(&["[@kiernan1996]"], &[], Some(("references.bib", BIB)));
        let outcome = run_with(book, &options("chicago-autor-date"));
        let error = &outcome.diags.items()[0];
        assert_eq!(error.code, code::CSL_STYLE);
        assert_eq!(error.message, "unknown citation style `chicago-autor-date`");
        let hint = error.hint.as_deref().unwrap();
        assert!(
            hint.starts_with("did you mean `chicago-author-date`?"),
            "{hint}"
        );
        assert!(hint.contains("apa") && hint.contains("ieee") && hint.contains("mla"));
        assert_eq!(cites(&outcome), ["(Kiernan 1996)"]);
    }

    /// A minimal author-date CSL style.
    const CSL: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<style xmlns="http://purl.org/net/xbiblio/csl" class="in-text" version="1.0">
  <info><title>Tiny</title><id>tiny</id><updated>2024-01-01T00:00:00+00:00</updated></info>
  <citation>
    <layout prefix="&lt;" suffix="&gt;" delimiter="; ">
      <names variable="author"><name form="short"/></names>
      <date variable="issued" prefix=" "><date-part name="year"/></date>
    </layout>
  </citation>
  <bibliography>
    <layout>
      <names variable="author"><name/></names>
      <text variable="title" prefix=": " font-style="italic"/>
    </layout>
  </bibliography>
</style>"#;

    #[test]
    fn style_files_are_loaded_and_checked() {
        let mut book1 = book(
            &["[@kiernan1996; @eccc2010]"],
            &[],
            Some(("references.bib", BIB)),
        );
        let file = book1.sources.add("styles/tiny.csl", CSL.to_string());
        let mut opts = options("");
        opts.style = StyleChoice::File(file);
        let outcome = run_with(book1, &opts);
        assert_eq!(
            cites(&outcome),
            ["<Kiernan 1996; Extraordinary Chambers in the Courts of Cambodia 2010>"]
        );
        assert_eq!(outcome.list.as_ref().unwrap().title, "References");

        let mut book2 = book(&["[@kiernan1996]"], &[], Some(("references.bib", BIB)));
        let file = book2
            .sources
            .add("styles/broken.csl", "<style>".to_string());
        opts.style = StyleChoice::File(file);
        let outcome = run_with(book2, &opts);
        let error = &outcome.diags.items()[0];
        assert_eq!(error.code, code::CSL_STYLE);
        assert!(error
            .message
            .starts_with("`styles/broken.csl` is not a usable CSL style"));
    }

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
    fn anchor_ids_are_valid_and_unique() {
        let keys: Vec<String> = ["doe:2005", "doe-2005", "a b", "ខ្មែរ"]
            .iter()
            .map(|k| k.to_string())
            .collect();
        let ids = anchor_ids(&keys);
        assert_eq!(ids["doe:2005"], "ref-doe-2005");
        assert_eq!(ids["doe-2005"], "ref-doe-2005-2");
        assert_eq!(ids["a b"], "ref-a-b");
        assert_eq!(ids["ខ្មែរ"], "ref-ខ្មែរ");
    }

    #[test]
    fn rendering_is_deterministic() {
        let first = run(SAMPLE, "apa");
        let second = run(SAMPLE, "apa");
        assert_eq!(cites(&first), cites(&second));
        assert_eq!(entries(&first), entries(&second));
    }

    /// An in-text style whose citations depend on position: the first citation of a work
    /// gives its title, a repeat of the citation just before gives "ibid", any other gives
    /// the author.
    const POSITION_CSL: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<style xmlns="http://purl.org/net/xbiblio/csl" class="in-text" version="1.0">
  <info><title>Position test</title><id>position-test</id><updated>2024-01-01T00:00:00+00:00</updated></info>
  <citation>
    <layout>
      <choose>
        <if position="ibid"><text value="ibid"/></if>
        <else-if position="first"><text variable="title"/></else-if>
        <else><names variable="author"><name form="short"/></names></else>
      </choose>
    </layout>
  </citation>
  <bibliography><layout><text variable="title"/></layout></bibliography>
</style>
"#;

    /// What [`POSITION_CSL`] renders for Kiernan 1996 and ECCC 2010 when not "ibid": the
    /// author (later citations), then the title (first citations).
    const POSITION_RENDERINGS: (&str, &str, &str, &str) = (
        "Kiernan",
        "Extraordinary Chambers in the Courts of Cambodia",
        "The Pol Pot Regime: Race, Power and Genocide in Cambodia under the Khmer Rouge",
        "Judgement in Case 001",
    );

    /// The renderings of `text` in [`POSITION_CSL`].
    fn positional_cites(text: &str) -> Vec<String> {
        let mut book = book(&[text], &[], Some(("references.bib", BIB)));
        let csl = book.sources.add("position.csl", POSITION_CSL.to_string());
        let choice = CiteOptions {
            style: StyleChoice::File(csl),
            ..options("apa")
        };
        cites(&run_with(book, &choice))
    }

    #[test]
    fn merged_citations_keep_their_positions() {
        // Identical citations are asked of hayagriva once, but the first/subsequent/ibid
        // positions must come out as if every one had been asked. In the second text,
        // skipping the fifth K would make hayagriva take the sixth for a repeat of the
        // fourth (an E), and the last E likewise.
        let (k, e, kt, et) = POSITION_RENDERINGS;
        let text = "[@kiernan1996] [@eccc2010] [@kiernan1996] [@kiernan1996] [@eccc2010] \
                    [@kiernan1996] [@eccc2010] [@kiernan1996] [@kiernan1996]";
        assert_eq!(
            positional_cites(text),
            vec![kt, et, k, "ibid", e, k, e, k, "ibid"]
        );
        let text = "[@kiernan1996] [@eccc2010] [@kiernan1996] [@eccc2010] [@kiernan1996] \
                    [@kiernan1996] [@eccc2010] [@eccc2010]";
        assert_eq!(
            positional_cites(text),
            vec![kt, et, k, e, k, "ibid", e, "ibid"]
        );
    }

    #[test]
    fn a_merged_citation_keeps_the_ibid_its_predecessor_gives_it() {
        // hayagriva takes "ibid" from the last work of the citation just before. The fourth
        // and sixth citations are the same, but only the sixth follows a citation ending
        // with Kiernan; merging them would lose that "ibid" (it did, before the predecessor
        // became part of what makes two citations identical).
        let (k, e, kt, et) = POSITION_RENDERINGS;
        let text = "[@eccc2010] [@kiernan1996] [@eccc2010] [@kiernan1996; @eccc2010] \
                    [@kiernan1996] [@kiernan1996; @eccc2010]";
        let (ke, ibid_e) = (format!("{k}{e}"), format!("ibid{e}"));
        assert_eq!(positional_cites(text), vec![et, kt, e, &ke, k, &ibid_e]);
    }

    /// `count` citations of one to three of four works (two by the same author, so
    /// disambiguation has work to do), some with page locators, from a fixed seed.
    fn random_citations(seed: u64, count: usize) -> Vec<String> {
        let keys = ["kiernan1996", "kiernan1996b", "eccc2010", "chandler1999"];
        let mut state = seed;
        let mut next = move |n: u64| {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (state >> 33) % n
        };
        (0..count)
            .map(|_| {
                let items: Vec<String> = (0..1 + next(3))
                    .map(|_| {
                        let key = keys[next(4) as usize];
                        match next(3) {
                            0 => format!("@{key}, p. {}", 1 + next(3)),
                            _ => format!("@{key}"),
                        }
                    })
                    .collect();
                format!("Text [{}].", items.join("; "))
            })
            .collect()
    }

    #[test]
    fn merged_citations_render_as_if_each_were_asked() {
        // Random runs of citations, rendered with merging and with every citation asked of
        // hayagriva, in a style that tests first/subsequent/ibid and in three real ones.
        for seed in 1..=8 {
            let paragraphs = random_citations(seed, 60);
            let texts: Vec<&str> = paragraphs.iter().map(String::as_str).collect();
            let render = |style: &str, merge: bool| {
                NEVER_MERGE.with(|never| never.set(!merge));
                let got = if style == "position" {
                    positional_cites(&texts.join("\n\n"))
                } else {
                    cites(&run(&texts, style))
                };
                NEVER_MERGE.with(|never| never.set(false));
                got
            };
            for style in ["position", "chicago-author-date", "apa", "ieee"] {
                assert_eq!(
                    render(style, true),
                    render(style, false),
                    "seed {seed}, {style}: {paragraphs:?}"
                );
            }
        }
    }

    #[test]
    fn year_suffixes_follow_the_reference_list() {
        // The Pol Pot Regime is cited first, but Bophana comes first in the list: it is
        // 1996a, in the list and in the text (hayagriva alone gives the opposite).
        let text = "[@kiernan1996] [@kiernan1996b] [@kiernan1996; @kiernan1996b]";
        for style in ["chicago-author-date", "apa"] {
            let outcome = run(&[text], style);
            let list = entries(&outcome);
            let bophana = list.iter().position(|e| e.contains("Bophana"));
            let regime = list.iter().position(|e| e.contains("Pol Pot Regime"));
            assert!(bophana < regime, "{style}: {list:?}");
            assert!(
                list[bophana.unwrap()].contains("1996a"),
                "{style}: {list:?}"
            );
            assert!(list[regime.unwrap()].contains("1996b"), "{style}: {list:?}");
            let got = cites(&outcome);
            assert!(
                got[0].contains("1996b") && !got[0].contains("1996a"),
                "{style}: {got:?}"
            );
            assert!(
                got[1].contains("1996a") && !got[1].contains("1996b"),
                "{style}: {got:?}"
            );
        }
    }

    #[test]
    fn a_year_suffix_is_found_only_after_a_four_digit_year() {
        assert_eq!(
            find_year_suffix("Kiernan, Ben. 1996b. Title"),
            Some((14, "1996", 'b'))
        );
        assert_eq!(
            find_year_suffix("(1999a, January 1)"),
            Some((1, "1999", 'a'))
        );
        assert_eq!(find_year_suffix("pp. 1996ff and 12345a"), None);
        assert_eq!(find_year_suffix("in 2001 a year"), None);
    }

    #[test]
    fn identical_citations_render_identically_in_a_style_without_positions() {
        let text = "[@kiernan1996, p. 4] [@eccc2010] [@kiernan1996, p. 4] [@kiernan1996, p. 5]";
        let outcome = run(&[text], "apa");
        let got = cites(&outcome);
        assert_eq!(got[0], got[2]);
        assert_ne!(
            got[0], got[3],
            "a different locator is a different citation"
        );
    }

    #[test]
    fn only_the_books_language_and_the_fallback_locale_are_decoded() {
        let named = hayagriva::archive::LOCALES
            .iter()
            .filter(|b| cbor_lang(b).is_some())
            .count();
        assert_eq!(
            named,
            hayagriva::archive::LOCALES.len(),
            "every locale names itself"
        );
        let langs = |language: &str| -> Vec<String> {
            archive_locales(language)
                .iter()
                .filter_map(|l| l.lang.as_ref().map(|c| c.0.clone()))
                .collect()
        };
        assert_eq!(langs("en"), vec!["en-GB", "en-US"]);
        assert_eq!(langs("fr-CA"), vec!["en-US", "fr-CA", "fr-FR"]);
    }
}
