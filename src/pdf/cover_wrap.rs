//! The cover wrap's PDF (`<slug>-cover.pdf`): one sheet, laid out by
//! [`crate::typeset::cover_wrap`], drawn through krilla like the interior's pages: the
//! field, the front's image clipped to its panel and bleed, the text of the covers, the
//! spine's text turned a quarter to the right (read from the top down, as English books'
//! spines are), and the clear box for the barcode. The TrimBox marks the trimmed cover, the
//! BleedBox the whole sheet.

use std::collections::BTreeMap;

use krilla::geom::{PathBuilder, Rect, Size, Transform};
use krilla::page::PageSettings;
use krilla::paint::{Fill, FillRule};
use krilla::Document;

use super::glyphs::TextBatch;
use super::metadata::{krilla_metadata, validate_info, DocumentInfo};
use super::standards::Standard;
use super::writer::{copy_pngs, draw_image, guarded, krilla_fonts, PageImage, WriteError};
use crate::doc::Book;
use crate::fonts::FontSet;
use crate::typeset::cover_wrap::{CoverWrap, SheetRect};
use crate::typeset::layout::{Ink, Item};

/// The colour of the barcode's box: the printer's barcode is black on white.
const BARCODE_FIELD: Ink = Ink([255, 255, 255]);

/// Writes `wrap` as a one-page PDF, with `book`'s metadata, to the book's standards that
/// apply to a cover ([`cover_standards`]).
pub(crate) fn write(
    wrap: &CoverWrap,
    book: &Book,
    fonts: &FontSet<'static>,
    standards: &[Standard],
) -> Result<Vec<u8>, WriteError> {
    let size =
        Size::from_wh(wrap.width.to_f32(), wrap.height.to_f32()).ok_or(WriteError::PageSize {
            width: wrap.width,
            height: wrap.height,
        })?;
    let info = DocumentInfo {
        title: book.meta.title.clone(),
        author: book.meta.names(),
        subject: "Cover".to_string(),
        keywords: Vec::new(),
        language: book.meta.language.clone(),
        creator: "octavo".to_string(),
        date: book.meta.produced.clone(),
    };
    validate_info(&info)?;
    let standards = cover_standards(standards);
    let pdf = guarded(|| draw(wrap, book, fonts, size, &info, &standards))?;
    if standards.contains(&Standard::X4) {
        return super::pdfx::with_print_intent(&pdf).map_err(WriteError::Internal);
    }
    Ok(pdf)
}

/// The standards of the book's PDF that its cover is written to: PDF/X-4 (the printer's
/// file) and PDF/A-2b (PDF/A-2a's level for a cover, which is a picture with a few lines of
/// text and no reading structure to tag); PDF/UA-1 is for the book's reading, not its cover.
fn cover_standards(standards: &[Standard]) -> Vec<Standard> {
    let mut kept = Vec::new();
    for standard in standards {
        let standard = match standard {
            Standard::X4 => Standard::X4,
            Standard::A2a | Standard::A2b => Standard::A2b,
            Standard::Ua1 => continue,
        };
        if !kept.contains(&standard) {
            kept.push(standard);
        }
    }
    kept
}

/// The sheet drawn into a krilla document, serialised.
fn draw(
    wrap: &CoverWrap,
    book: &Book,
    fonts: &FontSet<'static>,
    size: Size,
    info: &DocumentInfo,
    standards: &[Standard],
) -> Result<Vec<u8>, WriteError> {
    let mut doc = Document::new_with(super::standards::settings(standards)?);
    let krilla_fonts = krilla_fonts(fonts)?;
    let images = front_image(wrap, book, fonts)?;
    let trim = wrap.trim();
    let settings = PageSettings::new(size)
        .with_trim_box(rect(&trim))
        .with_bleed_box(Rect::from_xywh(0.0, 0.0, size.width(), size.height()));
    let mut page = doc.start_page_with(settings);
    let mut surface = page.surface();
    let sheet = SheetRect {
        x: crate::units::Pt::ZERO,
        y: crate::units::Pt::ZERO,
        width: wrap.width,
        height: wrap.height,
    };
    fill_rect(&mut surface, &sheet, wrap.background);
    if let Some((image, panel)) = &wrap.front_image {
        if let Some(clip) = rect(panel).and_then(|r| {
            let mut path = PathBuilder::new();
            path.push_rect(r);
            path.finish()
        }) {
            surface.push_clip_path(&clip, &FillRule::NonZero);
            draw_image(&mut surface, image, &images);
            surface.pop();
        }
    }
    let mut batch = TextBatch::new(fonts, &krilla_fonts);
    draw_runs(&mut batch, &mut surface, &wrap.items);
    // The spine's line is laid out along x; turned a quarter clockwise about the front
    // fold's top: local (x, y) lands at (fold - y, top + x).
    let fold = (wrap.spine_left() + wrap.spine).to_f32();
    let top = wrap.bleed.to_f32();
    surface.push_transform(&Transform::from_row(0.0, 1.0, -1.0, 0.0, fold, top));
    draw_runs(&mut batch, &mut surface, &wrap.spine_items);
    surface.pop();
    fill_rect(&mut surface, &wrap.barcode, BARCODE_FIELD);
    surface.finish();
    page.finish();
    doc.set_metadata(krilla_metadata(info)?);
    let pdf = doc
        .finish()
        .map_err(|error| WriteError::Krilla(error.to_string()))?;
    copy_pngs(pdf, &images)
}

/// The glyph runs among `items`, drawn in one batch.
fn draw_runs(
    batch: &mut TextBatch<'_>,
    surface: &mut krilla::surface::Surface<'_>,
    items: &[Item],
) {
    for item in items {
        if let Item::Glyphs(run) = item {
            batch.add_run(run, surface);
        }
    }
    batch.draw(surface);
}

/// The front's image, read for krilla, by its image index.
fn front_image(
    wrap: &CoverWrap,
    book: &Book,
    fonts: &FontSet<'static>,
) -> Result<BTreeMap<usize, PageImage>, WriteError> {
    let mut images = BTreeMap::new();
    let Some((item, _)) = &wrap.front_image else {
        return Ok(images);
    };
    let Some(asset) = book.images.get(item.image) else {
        return Ok(images);
    };
    images.insert(item.image, PageImage::read(asset, item.image, fonts)?);
    Ok(images)
}

/// `area` filled with `ink`.
fn fill_rect(surface: &mut krilla::surface::Surface<'_>, area: &SheetRect, ink: Ink) {
    let Some(path) = rect(area).and_then(|r| {
        let mut path = PathBuilder::new();
        path.push_rect(r);
        path.finish()
    }) else {
        return;
    };
    let [red, green, blue] = ink.0;
    surface.set_fill(Some(Fill {
        paint: krilla::color::rgb::Color::new(red, green, blue).into(),
        ..Fill::default()
    }));
    surface.draw_path(&path);
    surface.set_fill(Some(Fill::default()));
}

/// krilla's rectangle for `area`.
fn rect(area: &SheetRect) -> Option<Rect> {
    Rect::from_xywh(
        area.x.to_f32(),
        area.y.to_f32(),
        area.width.to_f32(),
        area.height.to_f32(),
    )
}
