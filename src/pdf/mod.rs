//! The PDF backend: the book set by [`crate::typeset`], written through krilla (the PDF
//! library under Typst's exporter). The pages of the layout go through [`writer`] into krilla
//! (text by [`glyphs`], images by [`images`]), with the [`outline`], the page [`labels`] and
//! the [`metadata`] computed here from the composition; [`krilla_fixes`] then changes what
//! krilla has no setting for in the finished file. Nothing here sets type.
//!
//! Writing PDF objects is krilla's (MIT/Apache): it subsets and embeds fonts, keeps text
//! extractable, and brings tagged PDF, PDF/UA and PDF/A within reach. We wrote content
//! streams, fonts and the file ourselves before (ARCHITECTURE.md, "The PDF writing layer").

pub(crate) mod cover_wrap;
pub(crate) mod glyphs;
pub(crate) mod images;
mod krilla_fixes;
pub(crate) mod labels;
pub(crate) mod metadata;
mod object_streams;
pub(crate) mod outline;
mod pdfx;
mod png_passthrough;
#[cfg(test)]
mod sample;
pub(crate) mod standards;
mod tags;
pub(crate) mod writer;

use std::collections::BTreeMap;

use crate::doc::Book;
use crate::fonts::{FontError, FontSet};
use crate::typeset::compose::Composition;
use crate::typeset::layout::PageKind;
use crate::typeset::profile::Profile;
use crate::units::Pt;

/// Settings of the PDF backend.
#[derive(Debug, Clone)]
pub struct PdfOptions {
    /// Page geometry and sizes.
    pub profile: Profile,
    /// Chapters to print (indices), for handouts; all when `None`.
    pub chapters: Option<Vec<usize>>,
    /// Write uncompressed, readable content streams (debugging).
    pub readable: bool,
    /// The fonts book.toml names (`[fonts]`); the bundled set when `None`.
    pub fonts: Option<std::sync::Arc<FontSet<'static>>>,
}

/// Why the PDF could not be written.
#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    /// The bundled fonts could not be read (a broken build).
    #[error("fonts: {0}")]
    Font(#[from] FontError),
    /// Writing the composed pages failed.
    #[error("{0}")]
    Write(#[from] writer::WriteError),
}

/// The PDF's bytes, and characters no font could draw (for warnings).
pub struct PdfOutput {
    /// The finished file.
    pub bytes: Vec<u8>,
    /// Characters drawn as blanks.
    pub missing_glyphs: Vec<char>,
    /// Number of pages.
    pub pages: usize,
    /// The composed pages (for golden dumps; without pages when [`KeepPages::None`]).
    pub composition: Composition,
    /// The outline as written: (depth, title, anchor id), in order.
    pub outline: Vec<(usize, String, String)>,
    /// The print edition's cover wrap (back, spine, front), for a whole book set for print
    /// (two-sided); `None` for screen PDFs and handouts.
    pub cover: Option<CoverOutput>,
}

/// The cover wrap's PDF and what it was made from.
pub struct CoverOutput {
    /// The finished file.
    pub bytes: Vec<u8>,
    /// Its layout: sheet size, spine, bleed (for the build's report and the tests).
    pub wrap: crate::typeset::cover_wrap::CoverWrap,
}

/// What [`write_pdf_keeping`] keeps of the composed pages once they are drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum KeepPages {
    /// All of them, in [`PdfOutput::composition`] (for tests and dumps of the layout).
    All,
    /// None: a build only needs the bytes, and the pages hold every shaped run of the book,
    /// so each is freed as soon as krilla has drawn it (`composition.pages` is empty).
    None,
}

/// Typeset the book ([`crate::typeset`]) and write it as a PDF, keeping the composed pages
/// in the output.
pub fn write_pdf(book: &Book, options: &PdfOptions) -> Result<PdfOutput, PdfError> {
    write_pdf_keeping(book, options, KeepPages::All)
}

/// Typeset the book into a PDF, keeping the composed pages as `keep` says.
pub(crate) fn write_pdf_keeping(
    book: &Book,
    options: &PdfOptions,
    keep: KeepPages,
) -> Result<PdfOutput, PdfError> {
    let fonts = match &options.fonts {
        Some(fonts) => std::sync::Arc::clone(fonts),
        None => std::sync::Arc::new(FontSet::builtin()?),
    };
    let chapters = options.chapters.as_deref();
    let typeset = crate::typeset::typeset(book, &options.profile, &fonts, chapters);
    let mut composition = typeset.composition;
    crate::progress::phase("writing PDF", 1);
    let mut parts = document_parts(book, &composition);
    parts.structure = std::mem::take(&mut composition.structure);
    parts.standards.clone_from(&options.profile.standards);
    // Bleed is for the print interior (two-sided); a screen PDF is never trimmed.
    parts.two_sided = options.profile.two_sided;
    if options.profile.two_sided {
        parts.bleed = book.meta.print.bleed;
    }
    let pages = composition.pages.len();
    let drawn_pages = match keep {
        KeepPages::All => writer::Pages::Kept(&composition.pages),
        KeepPages::None => writer::Pages::Released(std::mem::take(&mut composition.pages)),
    };
    let mut input = writer::WriteInput {
        pages: drawn_pages,
        anchors: &composition.anchors,
        images: &book.images,
        fonts: &fonts,
        size: (options.profile.page_width, options.profile.page_height),
        readable: options.readable,
        parts: &parts,
    };
    let drawn = crate::timing::time("pdf draw", || writer::draw(&mut input))?;
    drop(input);
    // The structure tree, outline and labels are in the drawn document now; a long book's
    // structure tree alone is tens of MB, which would wait through the file's writing.
    drop(parts);
    let bytes = crate::timing::time("pdf write", || writer::finish(drawn, &fonts))?;
    let cover = if options.profile.two_sided && chapters.is_none() {
        let wrap = crate::typeset::cover_wrap::compose(book, &options.profile, &fonts, pages);
        let bytes = cover_wrap::write(&wrap, book, &fonts, &options.profile.standards)?;
        Some(CoverOutput { bytes, wrap })
    } else {
        None
    };
    let mut outline = Vec::new();
    flatten_outline(
        &crate::toc::build_toc_with_parts(book),
        &composition,
        0,
        &mut outline,
    );
    if let Some(index) = index_outline(book, &composition) {
        let anchor = crate::typeset::compose::index::INDEX_ANCHOR.to_string();
        outline.push((0, index.title, anchor));
    }
    Ok(PdfOutput {
        bytes,
        missing_glyphs: typeset.missing_glyphs,
        pages,
        composition,
        outline,
        cover,
    })
}

/// The outline entries that have a position in the composed pages, depth first.
fn flatten_outline(
    entries: &[crate::toc::TocEntry],
    composition: &Composition,
    depth: usize,
    out: &mut Vec<(usize, String, String)>,
) {
    for entry in entries {
        let Some(anchor) = entry
            .anchor
            .as_ref()
            .filter(|a| composition.anchors.contains_key(*a))
        else {
            continue;
        };
        out.push((depth, entry.title.clone(), anchor.clone()));
        flatten_outline(&entry.children, composition, depth + 1, out);
    }
}

/// The outline, page labels and metadata of the book's PDF.
fn document_parts(book: &Book, composition: &Composition) -> writer::DocumentParts {
    let toc = crate::toc::anchored_at_starts(book, crate::toc::build_toc_with_parts(book));
    let mut outline: Vec<outline::OutlineEntry> = toc
        .iter()
        .filter_map(|entry| outline_entry(entry, &composition.anchors))
        .collect();
    outline.extend(index_outline(book, composition));
    writer::DocumentParts {
        outline,
        labels: page_labels(composition),
        info: metadata::DocumentInfo {
            title: book.meta.title.clone(),
            author: book.meta.names(),
            subject: book
                .meta
                .description
                .clone()
                .or_else(|| book.meta.subtitle.clone())
                .unwrap_or_default(),
            keywords: book.meta.subjects.clone(),
            language: book.meta.language.clone(),
            creator: "octavo".to_string(),
            date: book.meta.produced.clone(),
        },
        ..writer::DocumentParts::default()
    }
}

/// The index's outline entry, last, when the book has an index.
fn index_outline(book: &Book, composition: &Composition) -> Option<outline::OutlineEntry> {
    let index_anchor = crate::typeset::compose::index::INDEX_ANCHOR;
    let (page, top) = composition.anchors.get(index_anchor)?;
    Some(outline::OutlineEntry {
        title: crate::locale::terms(&book.meta.language).index.to_string(),
        page: *page,
        top: *top,
        children: Vec::new(),
    })
}

/// The outline entry of a table-of-contents entry that has a position, with its children.
fn outline_entry(
    entry: &crate::toc::TocEntry,
    anchors: &BTreeMap<String, (usize, Pt)>,
) -> Option<outline::OutlineEntry> {
    let (page, top) = anchors.get(entry.anchor.as_deref()?)?;
    Some(outline::OutlineEntry {
        title: entry.title.clone(),
        page: *page,
        top: *top,
        children: entry
            .children
            .iter()
            .filter_map(|c| outline_entry(c, anchors))
            .collect(),
    })
}

/// Page label ranges: the cover unlabelled, roman front matter, arabic from the first body
/// chapter.
fn page_labels(composition: &Composition) -> Vec<labels::PageLabelRange> {
    let mut labels = Vec::new();
    let pages = &composition.pages;
    let cover = pages.first().is_some_and(|p| p.kind == PageKind::Cover);
    if cover {
        labels.push(labels::PageLabelRange {
            first_page: 0,
            style: labels::LabelStyle::None,
            prefix: "Cover".to_string(),
            start: 1,
        });
    }
    let front_start = usize::from(cover);
    let arabic = composition.first_arabic.unwrap_or(pages.len());
    if front_start < arabic.min(pages.len()) {
        labels.push(labels::PageLabelRange {
            first_page: front_start,
            style: labels::LabelStyle::LowerRoman,
            prefix: String::new(),
            start: 1,
        });
    }
    if arabic < pages.len() {
        labels.push(labels::PageLabelRange {
            first_page: arabic,
            style: labels::LabelStyle::Decimal,
            prefix: String::new(),
            start: 1,
        });
    }
    labels
}
