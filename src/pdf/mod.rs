//! The PDF backend: the book set by [`crate::typeset`], written as a PDF. The pages of the
//! layout are rendered straight into an in-memory `lopdf` document ([`render`]: content
//! streams written as bytes by [`content`], subset fonts through [`text_pdf`] and
//! [`font_pdf`], images through [`image_pdf`]) and finished on that same document
//! ([`finish`]: [`outline`], [`labels`], [`metadata`], a content-derived /ID), which writes
//! the bytes ([`serialize`]). Nothing here sets type.
//!
//! We write content streams and font dictionaries ourselves: printpdf, which we used before,
//! spent 2.56 s of a 6.8 s build of a 4,040-page book serialising its operation vectors (most
//! of a 900 MB peak), and the post-pass then parsed its output back (measured with
//! `OCTAVO_TIMINGS`).

pub(crate) mod content;
pub(crate) mod finish;
pub(crate) mod font_pdf;
pub(crate) mod image_pdf;
pub(crate) mod labels;
pub(crate) mod metadata;
pub(crate) mod outline;
pub(crate) mod render;
#[cfg(test)]
mod sample;
pub(crate) mod serialize;
pub(crate) mod text_pdf;

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
    /// Rendering failed.
    #[error("{0}")]
    Render(#[from] render::RenderError),
    /// Finishing the document failed.
    #[error("{0}")]
    Finishing(#[from] finish::FinishError),
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
}

/// What [`write_pdf_keeping`] keeps of the composed pages once they are rendered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum KeepPages {
    /// All of them, in [`PdfOutput::composition`] (for tests and dumps of the layout).
    All,
    /// None: a build only needs the bytes, and the pages hold every shaped run of the book,
    /// so they are dropped before the file is finished (`composition.pages` is empty).
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
    let size = (options.profile.page_width, options.profile.page_height);
    crate::progress::phase("writing PDF", 1);
    let input = render::RenderInput {
        pages: &composition.pages,
        anchors: &composition.anchors,
        images: &book.images,
        fonts: &fonts,
        size,
        readable: options.readable,
    };
    let doc = crate::timing::time("pdf render", || render::render_document(&input))?;
    let pass = finishing_for(book, &composition, options);
    let pages = composition.pages.len();
    if keep == KeepPages::None {
        crate::parallel::drop_in_background(std::mem::take(&mut composition.pages));
    }
    let bytes = crate::timing::time("pdf finish", || finish::finish(doc, &pass))?;
    let mut outline = Vec::new();
    flatten_outline(&crate::toc::build_toc(book), &composition, 0, &mut outline);
    Ok(PdfOutput {
        bytes,
        missing_glyphs: typeset.missing_glyphs,
        pages,
        composition,
        outline,
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

fn finishing_for(
    book: &Book,
    composition: &Composition,
    options: &PdfOptions,
) -> finish::Finishing {
    let toc = crate::toc::build_toc(book);
    let page_height = options.profile.page_height;
    let outline = toc
        .iter()
        .filter_map(|entry| outline_entry(entry, &composition.anchors, page_height))
        .collect();
    finish::Finishing {
        outline,
        labels: page_labels(composition),
        info: metadata::DocumentInfo {
            title: book.meta.title.clone(),
            author: book
                .meta
                .contributors
                .iter()
                .map(|c| c.name.clone())
                .collect::<Vec<_>>()
                .join(", "),
            subject: book
                .meta
                .description
                .clone()
                .or_else(|| book.meta.subtitle.clone())
                .unwrap_or_default(),
            keywords: book.meta.subjects.clone(),
            language: book.meta.language.clone(),
            creator: "octavo".to_string(),
            date: book.meta.modified.clone(),
        },
        compress: !options.readable,
    }
}

fn outline_entry(
    entry: &crate::toc::TocEntry,
    anchors: &BTreeMap<String, (usize, Pt)>,
    page_height: Pt,
) -> Option<outline::OutlineEntry> {
    let (page, y) = anchors.get(entry.anchor.as_deref()?)?;
    Some(outline::OutlineEntry {
        title: entry.title.clone(),
        page: *page,
        y: (page_height - *y).get(),
        children: entry
            .children
            .iter()
            .filter_map(|c| outline_entry(c, anchors, page_height))
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
