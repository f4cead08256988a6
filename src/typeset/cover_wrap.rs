//! The print edition's cover wrap: back cover, spine and front cover on one sheet, with the
//! bleed around it, as printing services take it (`<slug>-cover.pdf`).
//!
//! The sheet's geometry follows Amazon KDP Print's cover rules, which IngramSpark's and Lulu's
//! differ from only in their paper thicknesses: 0.125 in of bleed on every side (when the
//! book sets none, the wrap still gets it: no printer takes a cover without), a spine as wide
//! as the interior's page count times the paper's thickness per page (0.002252 in on white,
//! 0.0025 in on cream), text on the spine only from 80 pages on and 0.0625 in clear of each
//! fold, and a clear 2 × 1.2 in box in the back cover's lower right corner, 0.25 in from the
//! trim and the spine, where the service prints the ISBN's barcode.

use std::sync::Arc;

use crate::doc::{Book, Paper};
use crate::fonts::{FaceChoice, Family, FontSet, Style};
use crate::typeset::layout::{moved, GlyphRun, ImageItem, Ink, Item};
use crate::typeset::paragraph::{set_paragraph, Alignment, ParagraphSpec, Pieces, TextStyle};
use crate::typeset::profile::Profile;
use crate::typeset::style::CoverDesign;
use crate::typeset::TextContext;
use crate::units::Pt;

/// Bleed of the wrap when the book sets none (KDP, IngramSpark and Lulu all ask for it).
const DEFAULT_BLEED_INCHES: f64 = 0.125;
/// Thickness of a page of white paper (KDP Print).
const WHITE_PAGE_INCHES: f64 = 0.002252;
/// Thickness of a page of cream paper (KDP Print).
const CREAM_PAGE_INCHES: f64 = 0.0025;
/// Fewest pages whose spine may carry text (KDP Print).
pub(crate) const MIN_PAGES_FOR_SPINE_TEXT: usize = 80;
/// Clear room between the spine's text and each fold.
const SPINE_TEXT_CLEARANCE_INCHES: f64 = 0.0625;
/// Width and height of the barcode's box.
const BARCODE_INCHES: (f64, f64) = (2.0, 1.2);
/// Distance of the barcode's box from the trim's foot and from the spine.
const BARCODE_INSET_INCHES: f64 = 0.25;
/// Distance of text on the covers from the trim: inside the printers' safe area
/// (0.125 in for KDP and Lulu, 0.25 in for IngramSpark), with room to spare.
const SAFE_MARGIN_INCHES: f64 = 0.5;
/// Resolution printers ask of a cover image at its printed size.
pub(crate) const PRINT_DPI: f64 = 300.0;

/// A rectangle on the sheet: left, top, width, height (the top-left corner is the origin).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SheetRect {
    /// Left edge.
    pub x: Pt,
    /// Top edge.
    pub y: Pt,
    /// Width.
    pub width: Pt,
    /// Height.
    pub height: Pt,
}

/// The cover wrap, laid out: what [`crate::pdf::cover_wrap`] draws.
#[derive(Debug, Clone)]
pub struct CoverWrap {
    /// The whole sheet: both covers, the spine and the bleed around them.
    pub width: Pt,
    /// Its height: the trim height and the bleed above and below.
    pub height: Pt,
    /// Bleed on every side.
    pub bleed: Pt,
    /// The spine's width.
    pub spine: Pt,
    /// Pages of the interior the spine was computed from.
    pub pages: usize,
    /// The field behind everything.
    pub background: Ink,
    /// The front cover's image, filling the front panel and its bleed (clipped to it).
    pub front_image: Option<(ImageItem, SheetRect)>,
    /// Text on the covers, on the flat sheet.
    pub items: Vec<Item>,
    /// Text on the spine, laid out along it as if it were a page turned a quarter to the
    /// left: x runs down the spine from its top, y across it from the back cover's fold.
    pub spine_items: Vec<Item>,
    /// The clear box left for the barcode.
    pub barcode: SheetRect,
    /// The cover image's resolution at its printed size, when the front has one.
    pub image_dpi: Option<f64>,
}

impl CoverWrap {
    /// The trimmed sheet (what the reader holds): the sheet without its bleed.
    pub fn trim(&self) -> SheetRect {
        SheetRect {
            x: self.bleed,
            y: self.bleed,
            width: self.width - self.bleed * 2.0,
            height: self.height - self.bleed * 2.0,
        }
    }

    /// The spine's fold lines' left edge on the sheet.
    pub fn spine_left(&self) -> Pt {
        (self.width - self.spine) / 2.0
    }
}

/// The spine's width for `pages` pages of `paper`.
pub fn spine_width(pages: usize, paper: Paper) -> Pt {
    let per_page = match paper {
        Paper::White => WHITE_PAGE_INCHES,
        Paper::Cream => CREAM_PAGE_INCHES,
    };
    Pt::inches(per_page * pages as f64)
}

/// Lays out the wrap of `book` printed on `pages` pages of `profile`'s trim size.
pub(crate) fn compose(
    book: &Book,
    profile: &Profile,
    fonts: &FontSet<'static>,
    pages: usize,
) -> CoverWrap {
    let mut ctx = super::text_context(book, profile, fonts);
    let design = &profile.design.cover;
    let bleed = if book.meta.print.bleed > Pt::ZERO {
        book.meta.print.bleed
    } else {
        Pt::inches(DEFAULT_BLEED_INCHES)
    };
    let spine = spine_width(pages, book.meta.print.paper);
    let (trim_w, trim_h) = (profile.page_width, profile.page_height);
    let mut wrap = CoverWrap {
        width: bleed * 2.0 + trim_w * 2.0 + spine,
        height: bleed * 2.0 + trim_h,
        bleed,
        spine,
        pages,
        background: Ink(design.background),
        front_image: None,
        items: Vec::new(),
        spine_items: Vec::new(),
        barcode: barcode_box(bleed, trim_w, trim_h),
        image_dpi: None,
    };
    let ink = Ink(design.ink);
    let front_left = bleed + trim_w + spine;
    let body = profile.font_size;
    match front_image(book, &wrap, front_left) {
        Some((image, panel, dpi)) => {
            if let Some(edge) = book.images.get(image.image).and_then(left_edge_colour) {
                wrap.background = edge;
            }
            wrap.front_image = Some((image, panel));
            wrap.image_dpi = Some(dpi);
        }
        None => {
            let front = front_text(book, design, body, trim_w, &mut ctx);
            let top = bleed + trim_h * design.title_top;
            wrap.items.extend(inked(front, front_left, top, ink));
        }
    }
    let back = back_text(book, design, body, trim_w, &mut ctx);
    let margin = Pt::inches(SAFE_MARGIN_INCHES);
    wrap.items
        .extend(inked(back, bleed + margin, bleed + margin, ink));
    if pages >= MIN_PAGES_FOR_SPINE_TEXT {
        wrap.spine_items = spine_text(book, design, body, spine, trim_h, ink, &mut ctx);
    }
    wrap
}

/// The barcode's box on the back cover, for a sheet with `bleed` and covers of the trim size.
fn barcode_box(bleed: Pt, trim_w: Pt, trim_h: Pt) -> SheetRect {
    let (w, h) = (Pt::inches(BARCODE_INCHES.0), Pt::inches(BARCODE_INCHES.1));
    let inset = Pt::inches(BARCODE_INSET_INCHES);
    SheetRect {
        x: bleed + trim_w - inset - w,
        y: bleed + trim_h - inset - h,
        width: w,
        height: h,
    }
}

/// The cover image scaled to fill the front panel and its bleed (centred, cropped by the
/// panel), the panel, and the image's resolution at that size.
fn front_image(
    book: &Book,
    wrap: &CoverWrap,
    front_left: Pt,
) -> Option<(ImageItem, SheetRect, f64)> {
    let index = book.meta.cover?;
    let asset = book.images.get(index)?;
    if asset.width == 0 || asset.height == 0 {
        return None;
    }
    let panel = SheetRect {
        x: front_left,
        y: Pt::ZERO,
        width: wrap.width - front_left,
        height: wrap.height,
    };
    let (iw, ih) = (f64::from(asset.width), f64::from(asset.height));
    let scale = (panel.width.get() / iw).max(panel.height.get() / ih);
    let (w, h) = (Pt::new(iw * scale), Pt::new(ih * scale));
    let image = ImageItem {
        image: index,
        x: panel.x + (panel.width - w) / 2.0,
        y: panel.y + (panel.height - h) / 2.0,
        width: w,
        height: h,
    };
    let dpi = iw / (w.get() / 72.0);
    Some((image, panel, dpi))
}

/// The average colour of the image's left edge, where the front meets the spine: the
/// spine and the back continue it. `None` when the image cannot be decoded. A PNG is read
/// a row at a time (a 1920×3072 cover would take 17 MB decoded whole); anything else is
/// decoded whole.
fn left_edge_colour(asset: &crate::doc::ImageAsset) -> Option<Ink> {
    let bytes = std::fs::read(&asset.path).ok()?;
    let edge = png_left_edge(&bytes).or_else(|| {
        let image = image::load_from_memory(&bytes).ok()?.into_rgb8();
        Some(
            (0..image.height())
                .map(|y| image.get_pixel(0, y).0)
                .collect(),
        )
    })?;
    average(&edge)
}

/// The first pixel of every row of a non-interlaced PNG, as RGB; `None` for anything else.
fn png_left_edge(bytes: &[u8]) -> Option<Vec<[u8; 3]>> {
    let mut decoder = png::Decoder::new(std::io::Cursor::new(bytes));
    decoder.set_transformations(png::Transformations::EXPAND | png::Transformations::STRIP_16);
    let mut reader = decoder.read_info().ok()?;
    if reader.info().interlaced {
        return None;
    }
    let (colour, _) = reader.output_color_type();
    let mut edge = Vec::with_capacity(reader.info().height as usize);
    while let Some(row) = reader.next_row().ok()? {
        let pixel = row.data();
        edge.push(match colour {
            png::ColorType::Rgb | png::ColorType::Rgba => {
                [*pixel.first()?, *pixel.get(1)?, *pixel.get(2)?]
            }
            png::ColorType::Grayscale | png::ColorType::GrayscaleAlpha => [*pixel.first()?; 3],
            png::ColorType::Indexed => return None,
        });
    }
    Some(edge)
}

/// The average of `pixels`; `None` when there are none.
fn average(pixels: &[[u8; 3]]) -> Option<Ink> {
    let count = u64::try_from(pixels.len()).ok().filter(|&n| n > 0)?;
    let mut sums = [0u64; 3];
    for pixel in pixels {
        for (sum, channel) in sums.iter_mut().zip(pixel) {
            *sum += u64::from(*channel);
        }
    }
    Some(Ink(
        sums.map(|sum| u8::try_from(sum / count).unwrap_or(u8::MAX))
    ))
}

/// The measure of text on a cover `trim_w` wide: inside the safe margin on both sides.
fn safe_measure(trim_w: Pt) -> Pt {
    trim_w - Pt::inches(SAFE_MARGIN_INCHES) * 2.0
}

/// The front of a book without a cover image: title, subtitle and names, centred on the
/// panel's measure, relative to the panel's top-left corner.
fn front_text(
    book: &Book,
    design: &CoverDesign,
    body: Pt,
    trim_w: Pt,
    ctx: &mut TextContext<'_>,
) -> Vec<Item> {
    let margin = Pt::inches(SAFE_MARGIN_INCHES);
    let measure = safe_measure(trim_w);
    let meta = &book.meta;
    let title_size = design.title_size.at(body);
    let names_size = design.names_size.at(body);
    let gap = names_size * design.gap;
    let mut items = Vec::new();
    let mut y = Pt::ZERO;
    let title = serif(title_size, Style::Bold);
    y = centred(
        &meta.title,
        &title,
        title_size * design.title_leading,
        measure,
        y,
        &mut items,
        ctx,
    );
    if let Some(subtitle) = &meta.subtitle {
        let style = serif(names_size, Style::Italic);
        y = centred(
            subtitle,
            &style,
            names_size * design.title_leading,
            measure,
            y + gap,
            &mut items,
            ctx,
        );
    }
    let names = meta.names();
    if !names.is_empty() {
        let style = serif(names_size, Style::Regular);
        let leading = names_size * design.title_leading;
        centred(
            &names,
            &style,
            leading,
            measure,
            y + gap * 2.0,
            &mut items,
            ctx,
        );
    }
    moved(items, margin, Pt::ZERO).collect()
}

/// The back: the blurb (the book's `description`), then the publisher and the print ISBN
/// above the barcode's box, relative to the back's safe area's top-left corner.
fn back_text(
    book: &Book,
    design: &CoverDesign,
    body: Pt,
    trim_w: Pt,
    ctx: &mut TextContext<'_>,
) -> Vec<Item> {
    let measure = safe_measure(trim_w);
    let size = design.blurb_size.at(body);
    let leading = size * design.blurb_leading;
    let style = serif(size, Style::Regular);
    let mut items = Vec::new();
    let mut y = Pt::ZERO;
    for paragraph in book.meta.description.iter().flat_map(|d| d.split("\n\n")) {
        let text = paragraph.split_whitespace().collect::<Vec<_>>().join(" ");
        if text.is_empty() {
            continue;
        }
        let spec = ParagraphSpec::plain(measure, leading, Alignment::Justified);
        for line in set_paragraph(&Pieces::one(&text, &style), &spec, ctx) {
            items.extend(moved(line.items, Pt::ZERO, y));
            y += line.height;
        }
        y += leading;
    }
    let credits: Vec<String> = [
        book.meta.publisher.clone(),
        book.meta
            .print
            .isbn
            .as_ref()
            .map(|i| format!("ISBN {}", i.hyphenated)),
    ]
    .into_iter()
    .flatten()
    .collect();
    let below = y.max(leading * 2.0);
    let spec = ParagraphSpec::plain(measure, leading, Alignment::Ragged);
    for (n, credit) in credits.iter().enumerate() {
        let small = serif(size * 0.85, Style::Regular);
        let at = below + leading * (n as f64 + 1.0);
        for line in set_paragraph(&Pieces::one(credit, &small), &spec, ctx) {
            items.extend(moved(line.items, Pt::ZERO, at));
        }
    }
    items
}

/// The spine's line, title and names, centred along its length and across its width.
fn spine_text(
    book: &Book,
    design: &CoverDesign,
    body: Pt,
    spine: Pt,
    trim_h: Pt,
    ink: Ink,
    ctx: &mut TextContext<'_>,
) -> Vec<Item> {
    let room = spine - Pt::inches(SPINE_TEXT_CLEARANCE_INCHES) * 2.0;
    if room <= Pt::ZERO {
        return Vec::new();
    }
    let size = design.spine_size.at(body).min(room * design.spine_fill);
    let names = book.meta.names();
    let text = if names.is_empty() {
        book.meta.title.clone()
    } else {
        format!("{}  \u{2022}  {names}", book.meta.title)
    };
    let length = trim_h - Pt::inches(SAFE_MARGIN_INCHES) * 2.0;
    let style = serif(size, Style::Regular);
    let spec = ParagraphSpec::plain(length, size, Alignment::Centered);
    let lines = set_paragraph(&Pieces::one(&text, &style), &spec, ctx);
    let Some(line) = lines.into_iter().next() else {
        return Vec::new();
    };
    // The line's box is a leading high, its baseline `baseline` of it down: centre the
    // box across the spine.
    let down = (spine - line.height) / 2.0;
    let along = (trim_h - length) / 2.0;
    inked(line.items, along, down, ink).collect()
}

/// Sets `text` centred on `measure` from `y`, adding its lines to `items`; the y after it.
fn centred(
    text: &str,
    style: &TextStyle,
    leading: Pt,
    measure: Pt,
    mut y: Pt,
    items: &mut Vec<Item>,
    ctx: &mut TextContext<'_>,
) -> Pt {
    let spec = ParagraphSpec::plain(measure, leading, Alignment::Centered);
    for line in set_paragraph(&Pieces::one(text, style), &spec, ctx) {
        items.extend(moved(line.items, Pt::ZERO, y));
        y += line.height;
    }
    y
}

/// Regular serif of `size` in `style`.
fn serif(size: Pt, style: Style) -> TextStyle {
    TextStyle {
        choice: FaceChoice::new(Family::Serif, style),
        ..TextStyle::serif(size.to_f32())
    }
}

/// `items` moved by (dx, dy), their glyphs in `ink`.
fn inked(items: Vec<Item>, dx: Pt, dy: Pt, ink: Ink) -> impl Iterator<Item = Item> {
    moved(items, dx, dy).map(move |item| match item {
        Item::Glyphs(run) => {
            let mut shaped = (*run.run).clone();
            shaped.ink = ink;
            Item::Glyphs(GlyphRun {
                run: Arc::new(shaped),
                ..run
            })
        }
        other => other,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_spine_grows_with_the_pages_and_the_paper() {
        // KDP's calculator: 190 pages of white paper make a 0.4279 in spine.
        let white = spine_width(190, Paper::White);
        assert!((white.get() / 72.0 - 0.427_88).abs() < 1e-4);
        let cream = spine_width(190, Paper::Cream);
        assert!((cream.get() / 72.0 - 0.475).abs() < 1e-4);
        assert_eq!(spine_width(0, Paper::White), Pt::ZERO);
    }

    #[test]
    fn the_barcode_box_sits_in_the_back_covers_lower_right_corner() {
        let bleed = Pt::inches(0.125);
        let rect = barcode_box(bleed, Pt::inches(6.0), Pt::inches(9.0));
        let inches = |p: Pt| p.get() / 72.0;
        assert!((inches(rect.x + rect.width) - (0.125 + 6.0 - 0.25)).abs() < 1e-9);
        assert!((inches(rect.y + rect.height) - (0.125 + 9.0 - 0.25)).abs() < 1e-9);
        assert!((inches(rect.width) - 2.0).abs() < 1e-9);
    }

    /// `pixels` (RGB, `width` across) encoded as a PNG of `colour`.
    fn encoded(pixels: &image::RgbImage, colour: image::ColorType) -> Vec<u8> {
        let mut bytes = Vec::new();
        let dynamic = image::DynamicImage::ImageRgb8(pixels.clone());
        let converted = match colour {
            image::ColorType::L8 => image::DynamicImage::ImageLuma8(dynamic.to_luma8()),
            image::ColorType::Rgba16 => image::DynamicImage::ImageRgba16(dynamic.to_rgba16()),
            _ => dynamic,
        };
        converted
            .write_to(
                &mut std::io::Cursor::new(&mut bytes),
                image::ImageFormat::Png,
            )
            .expect("encodes");
        bytes
    }

    #[test]
    fn a_pngs_left_edge_is_read_row_by_row_as_a_whole_decode_reads_it() {
        let pixels = image::RgbImage::from_fn(5, 4, |x, y| {
            image::Rgb([(x * 40 + y * 7) as u8, (y * 50) as u8, 200 - (x * 3) as u8])
        });
        for colour in [
            image::ColorType::Rgb8,
            image::ColorType::L8,
            image::ColorType::Rgba16,
        ] {
            let bytes = encoded(&pixels, colour);
            let whole = image::load_from_memory(&bytes)
                .expect("decodes")
                .into_rgb8();
            let expected: Vec<[u8; 3]> = (0..4).map(|y| whole.get_pixel(0, y).0).collect();
            assert_eq!(png_left_edge(&bytes), Some(expected), "{colour:?}");
        }
        assert_eq!(png_left_edge(b"not a png"), None);
        assert_eq!(
            average(&[[10, 20, 30], [20, 40, 50]]),
            Some(Ink([15, 30, 40]))
        );
        assert_eq!(average(&[]), None);
    }
}
