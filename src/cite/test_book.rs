//! What the citation tests share: a one-chapter book written in pandoc syntax, a
//! bibliography with tricky entries, and readers of what [`resolve_citations`] made of them.

use std::ops::Range;

use super::{resolve_citations, CiteOptions, RenderedBibliography, StyleChoice};
use crate::diag::{Diagnostics, FileId, Severity, SourceMap, Span};
use crate::doc::{
    plain_text, Block, Chapter, Citation, Division, Inline, LinkTarget, Note, NoteRef,
};
use crate::markdown::citations::find_citations;

/// Tricky entries: two 1996 works by Kiernan, a corporate author, four authors, protected
/// capitals, a DOI, a URL, a `@string` macro, and an entry nobody cites.
pub(super) const BIB: &str = r#"@string{yup = "Yale University Press"}

@book{kiernan1996,
  author = {Kiernan, Ben},
  title = {The {Pol Pot} Regime: Race, Power and Genocide in {Cambodia} under the {Khmer Rouge}},
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
  title = {Judgement in {Case} 001},
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
pub(super) struct TestBook {
    pub(super) sources: SourceMap,
    pub(super) chapters: Vec<Chapter>,
    pub(super) bib: Option<FileId>,
}

/// A book of `paragraphs` and `notes` (label, text), with the bibliography file `bib`
/// (name, text) when given.
pub(super) fn book(
    paragraphs: &[&str],
    notes: &[(&str, &str)],
    bib: Option<(&str, &str)>,
) -> TestBook {
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
        appendix: None,
        part: None,
        title: Vec::new(),
        blocks,
        notes,
        generated: false,
        leaves_part: false,
    };
    TestBook {
        sources,
        chapters: vec![chapter],
        bib,
    }
}

/// The inlines of one paragraph: its `[^label]` note calls and its citations.
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

/// Text and citations, found the way the markdown stage finds them.
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
                styled_prefix: Vec::new(),
                styled_suffix: Vec::new(),
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

/// The options for a named style, in English, with no `nocite` and no title.
pub(super) fn options(style: &str) -> CiteOptions {
    CiteOptions {
        style: StyleChoice::Named(style.to_string()),
        locale: "en".into(),
        nocite: Vec::new(),
        title: None,
    }
}

/// A book after [`resolve_citations`]: its chapters, the reference list, the diagnostics.
pub(super) struct Outcome {
    pub(super) book: TestBook,
    pub(super) list: Option<RenderedBibliography>,
    pub(super) diags: Diagnostics,
}

/// Resolves the citations of `book` with `options`.
pub(super) fn run_with(mut book: TestBook, options: &CiteOptions) -> Outcome {
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

/// Resolves the citations of `paragraphs` against [`BIB`] in `style`.
pub(super) fn run(paragraphs: &[&str], style: &str) -> Outcome {
    let book = book(paragraphs, &[], Some(("references.bib", BIB)));
    run_with(book, &options(style))
}

/// Every citation's rendering in reading order (body, then notes).
pub(super) fn cites(outcome: &Outcome) -> Vec<String> {
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

/// Appends the rendering of each citation of `inlines`.
fn collect_cites(inlines: &[Inline], out: &mut Vec<String>) {
    for inline in inlines {
        if let Inline::Cite(cite) = inline {
            out.push(plain_text(&cite.rendered));
        }
    }
}

/// The generated footnotes' text, in order.
pub(super) fn cite_notes(outcome: &Outcome) -> Vec<String> {
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

/// The reference list's entries as plain text.
pub(super) fn entries(outcome: &Outcome) -> Vec<String> {
    let list = outcome.list.as_ref().expect("a reference list");
    list.entries
        .iter()
        .map(|e| plain_text(&e.content))
        .collect()
}

/// The reference list's entries as (key, plain text), in the list's order.
pub(super) fn entries_by_key(outcome: &Outcome) -> Vec<(String, String)> {
    let Some(list) = outcome.list.as_ref() else {
        return Vec::new();
    };
    let entries = list.entries.iter();
    entries
        .map(|e| (e.key.clone(), plain_text(&e.content)))
        .collect()
}

/// Appends the id of every anchor link in `inlines`, citations' renderings included.
pub(super) fn anchors(inlines: &[Inline], out: &mut Vec<String>) {
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

/// The messages of the diagnostics of `severity`.
pub(super) fn messages(diags: &Diagnostics, severity: Severity) -> Vec<String> {
    let items = diags.items().iter().filter(|d| d.severity == severity);
    items.map(|d| d.message.clone()).collect()
}

/// Citations of every kind, in pandoc syntax: plain, with locators, prefixes and suffixes,
/// narrative, author suppressed, and several works at once.
pub(super) const SAMPLE: &[&str] = &[
    "[@kiernan1996]",
    "[@kiernan1996, pp. 45-47]",
    "[see @kiernan1996b, chap. 2; @eccc2010]",
    "@chandler1999 says",
    "@chandler1999 [p. 12, emphasis added] says",
    "[-@kiernan1996b, 104]",
    "[@chandler1999; @kiernan1996; @kiernan1996b]",
    "[@eccc2010, 33, emphasis added]",
];
