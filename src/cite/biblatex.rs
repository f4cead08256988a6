//! BibLaTeX `.bib` files. When the whole file does not parse, it is parsed again entry by
//! entry (each found by its `@` at a line start), so that every malformed entry is reported
//! at its line and the good ones still load.

use std::ops::Range;

use super::bibliography::{self, Bibliography, Library};
use super::{bib_import, bib_links, tex};
use crate::diag::{code, Diagnostic, Diagnostics, Span};

/// One `@type{...}` block of a .bib file, found by its `@` at a line start.
pub(super) struct BibChunk {
    pub(super) range: Range<usize>,
    is_macro: bool,
    key: Option<(String, Range<usize>)>,
}

/// Reads a `.bib` file into `bib`: its entries, where each key is written, and (after a
/// failed parse of the whole) the keys of the entries that did not parse.
pub(super) fn load_biblatex(bib: &mut Bibliography, text: &str, diags: &mut Diagnostics) {
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
    match parse_biblatex(text) {
        Ok(imported) => {
            report_date_ranges(bib, &imported.date_ranges, diags);
            bib.library = Library::Native(imported.library);
        }
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
        match parse_biblatex(&format!("{macros}{body}")) {
            Ok(imported) => {
                if chunk.is_macro {
                    macros.push_str(body);
                    macros.push('\n');
                }
                report_date_ranges(bib, &imported.date_ranges, diags);
                for entry in imported.library.iter() {
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

/// What a `.bib` text became: hayagriva's entries, and the date fields (entry key, field)
/// whose range was cut down to its start.
struct Imported {
    library: hayagriva::Library,
    date_ranges: Vec<(String, &'static str)>,
}

/// Parses BibLaTeX `text` into hayagriva's entries, its TeX markup tidied first (see
/// [`tex`](super::tex)) and the entries shaped as pandoc reads them (see
/// [`bib_import`](super::bib_import)).
fn parse_biblatex(text: &str) -> Result<Imported, Vec<hayagriva::io::BibLaTeXError>> {
    let mut parsed = ::biblatex::Bibliography::parse(text)
        .map_err(|error| vec![hayagriva::io::BibLaTeXError::Parse(error)])?;
    let mut taken_out = bib_import::TakenOut::default();
    let mut date_ranges = Vec::new();
    for entry in parsed.iter_mut() {
        bib_import::name_the_genre(entry);
        bib_import::read_as_pandoc_does(entry);
        bib_import::drop_issue_title(entry);
        bib_import::eprint_as_url(entry);
        let ranges = bib_import::keep_range_starts(entry);
        date_ranges.extend(ranges.into_iter().map(|field| (entry.key.clone(), field)));
        tex::tidy_entry(entry);
        bib_import::publisher_as_pandoc_reads_it(entry);
        taken_out.take(entry);
    }
    let library = hayagriva::io::from_biblatex(&parsed).map_err(|errors| {
        errors
            .into_iter()
            .map(hayagriva::io::BibLaTeXError::Type)
            .collect::<Vec<_>>()
    })?;
    Ok(Imported {
        library: bib_import::reshape(&library, &taken_out),
        date_ranges,
    })
}

/// Warns of each date range whose end is not printed.
fn report_date_ranges(bib: &Bibliography, ranges: &[(String, &str)], diags: &mut Diagnostics) {
    for (key, field) in ranges {
        bibliography::report_date_range(bib, key, field, diags);
    }
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
pub(super) fn scan_bib(text: &str) -> Vec<BibChunk> {
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

#[cfg(test)]
mod tests {
    use super::super::test_book::{book, cites, entries, messages, options, run_with};
    use crate::diag::Severity;

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
    fn a_date_range_prints_its_start_with_a_warning() {
        let bib = "@book{a, author = {Ang, Ing}, title = {One}, year = {1990}}\n\
                   @inproceedings{conf, author = {Park, Ji-woo}, title = {Digital Type},\n  \
                   booktitle = {Proceedings}, date = {2011-01/2012-02}}\n";
        let book = book(&["[@a; @conf]"], &[], Some(("refs.bib", bib)));
        let outcome = run_with(book, &options("chicago-author-date"));
        assert_eq!(cites(&outcome), ["(Ang 1990; Park 2011)"]);
        let warnings = messages(&outcome.diags, Severity::Warning);
        assert_eq!(
            warnings,
            ["`date` of `conf` is a date range: only its start is printed"]
        );
        let warning = &outcome.diags.items()[0];
        let at = warning.span.as_ref().expect("a position");
        assert_eq!(outcome.book.sources.location(at), "refs.bib:2:16");
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
}
