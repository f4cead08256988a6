//! Rendering: the layout IR to printpdf operations, one flat `match` per item (STYLE.md,
//! after typst-pdf). Glyph runs go through `text_pdf` (subset fonts, ToUnicode, ActualText),
//! images are decoded under `image::Limits` and embedded losslessly, links become annotations
//! pointing at anchor positions.

use std::collections::BTreeMap;

use printpdf::{
    Actions, Destination, Line, LinePoint, LinkAnnotation, Mm, Op, PdfDocument, PdfPage,
    PdfSaveOptions, Point, Pt, RawImage, RawImageData, RawImageFormat, Rect, XObjectId,
    XObjectTransform,
};

use super::font::FontSet;
use super::layout_ir::{Item, LinkDest, Page};
use super::text_pdf::{embed_fonts, GlyphUsage, TextState};
use crate::doc::Book;

/// Why the PDF could not be written.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    /// Fonts could not be embedded or a run placed.
    #[error("{0}")]
    Text(#[from] super::text_pdf::TextPdfError),
    /// An image could not be read or decoded.
    #[error("image {path}: {reason}")]
    Image {
        /// The file.
        path: String,
        /// What went wrong.
        reason: String,
    },
}

/// Largest image, in pixels, decoded for the PDF (a decompression bomb is refused).
pub const MAX_IMAGE_PIXELS: u64 = 100_000_000;

/// Render pages to PDF bytes (before the post-pass).
pub fn render_pdf(
    book: &Book,
    pages: &[Page],
    anchors: &BTreeMap<String, (usize, f64)>,
    fonts: &FontSet<'static>,
    size: (f64, f64),
    readable: bool,
) -> Result<Vec<u8>, RenderError> {
    let mut doc = PdfDocument::new(&book.meta.title);
    let mut usage = GlyphUsage::new();
    for page in pages {
        for item in &page.items {
            if let Item::Glyphs(run) = item {
                usage.record(&run.run);
            }
        }
    }
    let embedded = crate::timing::time("pdf embed fonts", || embed_fonts(&mut doc, fonts, &usage))?;
    let images = add_images(&mut doc, book, pages)?;
    let (width, height) = size;
    let mut pdf_pages = Vec::with_capacity(pages.len());
    for page in pages {
        let mut ops = Vec::new();
        let mut state = TextState::default();
        let mut in_text = false;
        for item in &page.items {
            if let Item::Glyphs(run) = item {
                if !in_text {
                    ops.push(Op::StartTextSection);
                    in_text = true;
                }
                embedded.place_run(
                    &run.run,
                    (run.x as f32, (height - run.y) as f32),
                    &mut state,
                    &mut ops,
                )?;
            }
        }
        if in_text {
            ops.push(Op::EndTextSection);
        }
        for item in &page.items {
            match item {
                Item::Rule {
                    x,
                    y,
                    width,
                    thickness,
                } => ops.extend(rule(*x, height - y, *width, *thickness)),
                Item::Image {
                    image,
                    x,
                    y,
                    width: w,
                    height: h,
                } => {
                    if let Some((id, px_w, px_h)) = images.get(image) {
                        ops.push(place_image(
                            id,
                            *x,
                            height - y - h,
                            *w / *px_w as f64,
                            *h / *px_h as f64,
                        ));
                    }
                }
                Item::Link {
                    x,
                    y,
                    width: w,
                    height: h,
                    target,
                } => {
                    if let Some(op) = link(target, *x, height - y - h, *w, *h, anchors, height) {
                        ops.push(op);
                    }
                }
                Item::Glyphs(_) | Item::Anchor { .. } => {}
            }
        }
        pdf_pages.push(PdfPage::new(
            Mm::from(Pt(width as f32)),
            Mm::from(Pt(height as f32)),
            ops,
        ));
    }
    doc.with_pages(pdf_pages);
    let options = PdfSaveOptions {
        optimize: !readable,
        subset_fonts: false,
        secure: true,
        image_optimization: None,
    };
    let mut warnings = Vec::new();
    Ok(crate::timing::time("pdf printpdf save", || {
        doc.save(&options, &mut warnings)
    }))
}

fn rule(x: f64, y: f64, width: f64, thickness: f64) -> Vec<Op> {
    let point = |x: f64| LinePoint {
        p: Point {
            x: Pt(x as f32),
            y: Pt(y as f32),
        },
        bezier: false,
    };
    vec![
        Op::SetOutlineThickness {
            pt: Pt(thickness as f32),
        },
        Op::DrawLine {
            line: Line {
                points: vec![point(x), point(x + width)],
                is_closed: false,
            },
        },
    ]
}

fn place_image(id: &XObjectId, x: f64, y: f64, scale_x: f64, scale_y: f64) -> Op {
    Op::UseXobject {
        id: id.clone(),
        transform: XObjectTransform {
            translate_x: Some(Pt(x as f32)),
            translate_y: Some(Pt(y as f32)),
            scale_x: Some(scale_x as f32),
            scale_y: Some(scale_y as f32),
            dpi: Some(72.0),
            ..XObjectTransform::default()
        },
    }
}

fn link(
    target: &LinkDest,
    x: f64,
    y: f64,
    width: f64,
    height: f64,
    anchors: &BTreeMap<String, (usize, f64)>,
    page_height: f64,
) -> Option<Op> {
    let actions = match target {
        LinkDest::Uri(uri) => Actions::Uri(uri.clone()),
        LinkDest::Anchor(id) => {
            let (page, top) = anchors.get(id)?;
            Actions::Goto(Destination::Xyz {
                page: page + 1,
                left: None,
                top: Some((page_height - top + 2.0) as f32),
                zoom: None,
            })
        }
    };
    let rect = Rect {
        x: Pt(x as f32),
        y: Pt(y as f32),
        width: Pt(width as f32),
        height: Pt(height as f32),
        mode: None,
        winding_order: None,
    };
    Some(Op::LinkAnnotation {
        // No border: readers of books do not want boxes around every citation.
        link: LinkAnnotation::new(
            rect,
            actions,
            Some(printpdf::BorderArray::Solid([0.0, 0.0, 0.0])),
            None,
            None,
        ),
    })
}

/// Decode every image used (PNG and JPEG) under pixel limits and add it to the document.
fn add_images(
    doc: &mut PdfDocument,
    book: &Book,
    pages: &[Page],
) -> Result<BTreeMap<usize, (XObjectId, u32, u32)>, RenderError> {
    let mut ids = BTreeMap::new();
    for page in pages {
        for item in &page.items {
            let Item::Image { image, .. } = item else {
                continue;
            };
            if ids.contains_key(image) {
                continue;
            }
            let Some(asset) = book.images.get(*image) else {
                continue;
            };
            let raw = decode_image(&asset.path)?;
            let (w, h) = (raw.width as u32, raw.height as u32);
            // A fixed resource name (printpdf's add_image picks a random one), so the same
            // book gives the same bytes.
            let id = XObjectId(format!("Im{}", image + 1));
            doc.resources
                .xobjects
                .map
                .insert(id.clone(), printpdf::XObject::Image(raw));
            ids.insert(*image, (id, w, h));
        }
    }
    Ok(ids)
}

fn decode_image(path: &std::path::Path) -> Result<RawImage, RenderError> {
    let error = |reason: String| RenderError::Image {
        path: path.display().to_string(),
        reason,
    };
    let mut reader = image::ImageReader::open(path)
        .and_then(|r| r.with_guessed_format())
        .map_err(|e| error(e.to_string()))?;
    let mut limits = image::Limits::default();
    limits.max_alloc = Some(MAX_IMAGE_PIXELS * 4);
    reader.limits(limits);
    let decoded = reader.decode().map_err(|e| error(e.to_string()))?;
    let rgb = decoded.to_rgb8();
    Ok(RawImage {
        width: rgb.width() as usize,
        height: rgb.height() as usize,
        pixels: RawImageData::U8(rgb.into_raw()),
        data_format: RawImageFormat::RGB8,
        tag: Vec::new(),
    })
}
