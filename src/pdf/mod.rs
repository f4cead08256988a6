//! The PDF backend: our own typesetter (DESIGN.md "Line breaking is ours", "Page building is
//! ours"), written out by krilla. The resolved book is composed into pages of the layout IR
//! ([`compose`]: shaped paragraphs broken by [`linebreak`], pages cut by [`page`]), and the
//! pages go through [`writer`] into krilla (text by [`glyphs`], images by [`images`]), with
//! the [`outline`], the page [`labels`] and the [`metadata`] computed here from the
//! composition.
//!
//! Writing PDF objects is krilla's (MIT/Apache, the PDF layer under Typst's exporter): it
//! subsets and embeds fonts, keeps text extractable, and brings tagged PDF, PDF/UA and PDF/A
//! within reach. We wrote content streams, fonts and the file ourselves before; printpdf,
//! before that, spent most of a large book's build serialising operation vectors.

pub mod compose;
pub mod font;
pub mod font_config;
pub mod glyphs;
pub mod hyphen;
pub mod images;
mod krilla_fixes;
pub mod labels;
pub mod layout_dump;
pub mod layout_ir;
pub mod linebreak;
pub mod metadata;
mod object_streams;
pub mod outline;
pub mod page;
pub mod paragraph;
pub mod profile;
pub mod sample;
pub mod shape;
pub mod writer;

use std::collections::BTreeMap;

use crate::doc::Book;
use compose::{Composer, Composition};
use paragraph::TextContext;
use profile::Profile;

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
    pub fonts: Option<std::sync::Arc<font::FontSet<'static>>>,
}

/// Why the PDF could not be written.
#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    /// The bundled fonts could not be read (a broken build).
    #[error("fonts: {0}")]
    Font(#[from] font::FontError),
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
    /// The composed pages (for golden dumps).
    pub composition: Composition,
    /// The outline as written: (depth, title, anchor id), in order.
    pub outline: Vec<(usize, String, String)>,
}

/// Typeset the book into a PDF.
pub fn write_pdf(book: &Book, options: &PdfOptions) -> Result<PdfOutput, PdfError> {
    let fonts = match &options.fonts {
        Some(fonts) => std::sync::Arc::clone(fonts),
        None => std::sync::Arc::new(font::FontSet::builtin()?),
    };
    let ctx = TextContext {
        fonts: &fonts,
        cache: shape::ShapeCache::new(),
        hyphenator: hyphen::Hyphenator::for_language(&book.meta.language),
        options: shape::ShapeOptions {
            kerning: true,
            ligatures: true,
            oldstyle_figures: options.profile.oldstyle_figures,
            language: Some(book.meta.language.clone()),
        },
        missing: Vec::new(),
    };
    let mut composer = Composer::new(book, &options.profile, ctx);
    let composition = crate::timing::time("pdf compose", || {
        composer.compose(options.chapters.as_deref())
    });
    let missing_glyphs = std::mem::take(&mut composer.ctx.missing);
    let size = (options.profile.page_width, options.profile.page_height);
    crate::progress::phase("writing PDF", 1);
    let parts = document_parts(book, &composition);
    let input = writer::WriteInput {
        pages: &composition.pages,
        anchors: &composition.anchors,
        images: &book.images,
        fonts: &fonts,
        size,
        readable: options.readable,
        parts: &parts,
    };
    let bytes = crate::timing::time("pdf write", || writer::write(&input))?;
    let mut outline = Vec::new();
    flatten_outline(&crate::toc::build_toc(book), &composition, 0, &mut outline);
    Ok(PdfOutput {
        bytes,
        missing_glyphs,
        pages: composition.pages.len(),
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

/// The outline, page labels and metadata of the book's PDF.
fn document_parts(book: &Book, composition: &Composition) -> writer::DocumentParts {
    let toc = crate::toc::build_toc(book);
    let outline = toc
        .iter()
        .filter_map(|entry| outline_entry(entry, &composition.anchors))
        .collect();
    writer::DocumentParts {
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
    }
}

/// The outline entry of a table-of-contents entry that has a position, with its children.
fn outline_entry(
    entry: &crate::toc::TocEntry,
    anchors: &BTreeMap<String, (usize, f64)>,
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
    let cover = pages
        .first()
        .is_some_and(|p| p.kind == layout_ir::PageKind::Cover);
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
