//! A typographic placeholder cover, drawn by octavo itself (for `octavo new`).
//!
//! Retailers need a JPEG or PNG of at least 1600x2560 pixels, and a newcomer's first build
//! should have one. We set the title and author in the bundled serif on a plain field, large
//! enough to read as a thumbnail, and encode a PNG. Deterministic: same title, same bytes.

use ab_glyph::{Font, FontRef, PxScale, ScaleFont};
use image::{Rgb, RgbImage};

use crate::fonts::{bundled, FaceRole, Family, Style};
use crate::typeset::style::{COVER_FIELD as BACKGROUND, COVER_INK as INK};

/// Cover width in pixels: above the retailers' minimum (1600), enough for 300 dpi on the
/// front of a 6x9 in print cover wrap with its bleed (1838).
pub(crate) const WIDTH: u32 = 1920;
/// Cover height in pixels (the retailers' 1:1.6).
pub(crate) const HEIGHT: u32 = 3072;
/// The drawing's sizes and positions are designed on a 1600-pixel-wide cover; this scales
/// them to [`WIDTH`].
const SCALE: f32 = WIDTH as f32 / 1600.0;

const ACCENT: [u8; 3] = [0xc9, 0xa2, 0x4d];
const TEXT_WIDTH: f32 = 1280.0 * SCALE;

/// Why the cover could not be drawn.
#[derive(Debug, thiserror::Error)]
pub enum CoverError {
    /// The bundled font could not be read (a broken build).
    #[error("the bundled font cannot be read")]
    Font,
    /// PNG encoding failed.
    #[error("cannot encode the cover: {0}")]
    Encode(String),
}

/// Draw a cover for `title` and `author` and return PNG bytes.
pub(crate) fn render_cover_png(title: &str, author: &str) -> Result<Vec<u8>, CoverError> {
    let serif = FontRef::try_from_slice(
        bundled::file(FaceRole::Family(Family::Serif, Style::Regular)).data,
    )
    .map_err(|_| CoverError::Font)?;
    let italic =
        FontRef::try_from_slice(bundled::file(FaceRole::Family(Family::Serif, Style::Italic)).data)
            .map_err(|_| CoverError::Font)?;
    let mut canvas = RgbImage::from_pixel(WIDTH, HEIGHT, Rgb(BACKGROUND));
    let (size, lines) = fit_title(&serif, title);
    let line_height = size * 1.12;
    let block = line_height * lines.len() as f32;
    let mut baseline = 900.0 * SCALE - block / 2.0 + size;
    for line in &lines {
        draw_centered(&mut canvas, &serif, size, line, baseline, INK);
        baseline += line_height;
    }
    fill_rect(
        &mut canvas,
        (WIDTH / 2 - scaled(160.0), baseline as u32 + scaled(40.0)),
        (scaled(320.0), scaled(6.0)),
        ACCENT,
    );
    if !author.is_empty() {
        let author_size = fit_single_line(&italic, author, 110.0 * SCALE);
        draw_centered(
            &mut canvas,
            &italic,
            author_size,
            author,
            2200.0 * SCALE,
            INK,
        );
    }
    let mut png = Vec::new();
    image::DynamicImage::ImageRgb8(canvas)
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .map_err(|e| CoverError::Encode(e.to_string()))?;
    Ok(png)
}

/// A length of the 1600-pixel design in the cover's pixels.
fn scaled(design: f32) -> u32 {
    (design * SCALE).round() as u32
}

/// The largest size (from 220 design pixels down) at which the title wraps into at most
/// four lines.
fn fit_title(font: &FontRef<'_>, title: &str) -> (f32, Vec<String>) {
    let mut size = 220.0 * SCALE;
    loop {
        let lines = wrap(font, size, title);
        if lines.len() <= 4 || size <= 60.0 * SCALE {
            return (size, lines);
        }
        size -= 10.0 * SCALE;
    }
}

fn fit_single_line(font: &FontRef<'_>, text: &str, start: f32) -> f32 {
    let mut size = start;
    while size > 30.0 * SCALE && line_width(font, size, text) > TEXT_WIDTH {
        size -= 5.0 * SCALE;
    }
    size
}

/// Greedy word wrap to [`TEXT_WIDTH`] (good enough for a few words of display type).
fn wrap(font: &FontRef<'_>, size: f32, text: &str) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut current = String::new();
    for word in text.split_whitespace() {
        let candidate = if current.is_empty() {
            word.to_string()
        } else {
            format!("{current} {word}")
        };
        if line_width(font, size, &candidate) > TEXT_WIDTH && !current.is_empty() {
            lines.push(std::mem::replace(&mut current, word.to_string()));
        } else {
            current = candidate;
        }
    }
    if !current.is_empty() {
        lines.push(current);
    }
    lines
}

fn line_width(font: &FontRef<'_>, size: f32, text: &str) -> f32 {
    let scaled = font.as_scaled(PxScale::from(size));
    let mut width = 0.0;
    let mut previous = None;
    for c in text.chars() {
        let id = scaled.glyph_id(c);
        if let Some(prev) = previous {
            width += scaled.kern(prev, id);
        }
        width += scaled.h_advance(id);
        previous = Some(id);
    }
    width
}

fn draw_centered(
    canvas: &mut RgbImage,
    font: &FontRef<'_>,
    size: f32,
    text: &str,
    baseline: f32,
    ink: [u8; 3],
) {
    let scale = PxScale::from(size);
    let scaled = font.as_scaled(scale);
    let mut x = (WIDTH as f32 - line_width(font, size, text)) / 2.0;
    let mut previous = None;
    for c in text.chars() {
        let id = scaled.glyph_id(c);
        if let Some(prev) = previous {
            x += scaled.kern(prev, id);
        }
        let glyph = id.with_scale_and_position(scale, ab_glyph::point(x, baseline));
        if let Some(outlined) = font.outline_glyph(glyph) {
            let bounds = outlined.px_bounds();
            outlined.draw(|gx, gy, coverage| {
                let px = bounds.min.x as i64 + gx as i64;
                let py = bounds.min.y as i64 + gy as i64;
                blend(canvas, px, py, ink, coverage);
            });
        }
        x += scaled.h_advance(id);
        previous = Some(id);
    }
}

fn blend(canvas: &mut RgbImage, x: i64, y: i64, ink: [u8; 3], coverage: f32) {
    if x < 0 || y < 0 || x >= WIDTH as i64 || y >= HEIGHT as i64 {
        return;
    }
    let pixel = canvas.get_pixel_mut(x as u32, y as u32);
    let alpha = coverage.clamp(0.0, 1.0);
    for (channel, target) in pixel.0.iter_mut().zip(ink) {
        let mixed = *channel as f32 * (1.0 - alpha) + target as f32 * alpha;
        *channel = mixed.round() as u8;
    }
}

fn fill_rect(canvas: &mut RgbImage, origin: (u32, u32), size: (u32, u32), color: [u8; 3]) {
    for y in origin.1..(origin.1 + size.1).min(HEIGHT) {
        for x in origin.0..(origin.0 + size.0).min(WIDTH) {
            canvas.put_pixel(x, y, Rgb(color));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cover_is_a_png_of_the_right_size_and_deterministic() {
        let png =
            render_cover_png("A Very Long Title That Must Wrap Over Lines", "Ann Author").unwrap();
        let image = image::load_from_memory(&png).unwrap();
        assert_eq!((image.width(), image.height()), (WIDTH, HEIGHT));
        assert_eq!(
            png,
            render_cover_png("A Very Long Title That Must Wrap Over Lines", "Ann Author").unwrap()
        );
        // Text was drawn: some pixels are ink-coloured.
        let rgb = image.to_rgb8();
        assert!(rgb.pixels().any(|p| p.0 == INK));
    }
}
