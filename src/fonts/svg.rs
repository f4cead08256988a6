//! The book's faces as the font database usvg lays out SVG text with, and the options every
//! SVG is parsed with: text in a figure is set in the book's serif (or its monospace, for
//! `font-family="monospace"`), never in a font of the machine that builds the book, and an
//! SVG never reads a file.
//!
//! `resolve` parses each SVG with no faces at all (to measure it and to refuse one usvg
//! cannot draw, at its reference); the PDF writer parses it again with the book's faces.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use usvg::fontdb::{Database, Source};
use usvg::ImageKind;

use super::{Family, FontSet, Style};
use crate::doc::MAX_IMAGE_PIXELS;

/// A font database holding every face of `fonts` (their bytes shared, not copied), with the
/// CSS generic families mapped onto the book's: `monospace` to its code face, every other
/// generic family (and a name no face has, which usvg falls back to `serif` for) to its
/// text face.
pub(crate) fn svg_font_database(fonts: &FontSet<'static>) -> Arc<Database> {
    let mut database = Database::new();
    for (_, face) in fonts.faces() {
        let bytes: &'static [u8] = face.data();
        database.load_font_source(Source::Binary(Arc::new(bytes)));
    }
    let family_of = |family: Family| {
        let id = fonts.primary(super::FaceChoice::new(family, Style::Regular));
        fonts.face(id).family_name()
    };
    if let Some(serif) = family_of(Family::Serif) {
        database.set_serif_family(serif.clone());
        database.set_sans_serif_family(serif.clone());
        database.set_cursive_family(serif.clone());
        database.set_fantasy_family(serif);
    }
    if let Some(mono) = family_of(Family::Mono) {
        database.set_monospace_family(mono);
    }
    Arc::new(database)
}

/// Parses an SVG (already through `resolve::images::svg`'s check) with the faces of
/// `database` (empty to measure it without its text), the book's serif where it names no
/// family. No file is ever read for an `<image>` (the check lets only embedded PNG and
/// JPEG data through; this makes sure), and an embedded image of more than
/// [`MAX_IMAGE_PIXELS`] pixels by its header (a decompression bomb) refuses the drawing.
pub(crate) fn parse_svg(text: &str, database: Arc<Database>) -> Result<usvg::Tree, String> {
    let too_large = Arc::new(AtomicBool::new(false));
    let options = svg_options(database, Arc::clone(&too_large));
    let tree = usvg::Tree::from_str(text, &options).map_err(|error| error.to_string())?;
    if too_large.load(Ordering::Relaxed) {
        return Err(format!(
            "it embeds an image of more than {MAX_IMAGE_PIXELS} pixels"
        ));
    }
    Ok(tree)
}

/// The options [`parse_svg`] parses with; an embedded image too large sets `too_large`.
fn svg_options(database: Arc<Database>, too_large: Arc<AtomicBool>) -> usvg::Options<'static> {
    let font_family = database
        .family_name(&usvg::fontdb::Family::Serif)
        .to_string();
    let resolve_data = Box::new(move |_: &str, data: Arc<Vec<u8>>, _: &usvg::Options<'_>| {
        let image = embedded_image(data);
        if image.is_none() {
            too_large.store(true, Ordering::Relaxed);
        }
        image.flatten()
    });
    let image_href_resolver = usvg::ImageHrefResolver {
        resolve_data,
        resolve_string: Box::new(|_: &str, _: &usvg::Options<'_>| None),
    };
    usvg::Options {
        resources_dir: None,
        font_family,
        image_href_resolver,
        fontdb: database,
        ..usvg::Options::default()
    }
}

/// An embedded PNG or JPEG (by its bytes, whatever its media type says): `Some(None)` for
/// other data (not drawn; the SVG check refused any other kind), `None` for one whose
/// header gives more than [`MAX_IMAGE_PIXELS`] pixels or none.
fn embedded_image(data: Arc<Vec<u8>>) -> Option<Option<ImageKind>> {
    let png = data.starts_with(b"\x89PNG\r\n\x1a\n");
    let jpeg = data.starts_with(&[0xFF, 0xD8]);
    if !png && !jpeg {
        return Some(None);
    }
    let (width, height) = image::ImageReader::new(std::io::Cursor::new(data.as_slice()))
        .with_guessed_format()
        .ok()?
        .into_dimensions()
        .ok()?;
    let pixels = u64::from(width) * u64::from(height);
    if pixels == 0 || pixels > MAX_IMAGE_PIXELS {
        return None;
    }
    Some(Some(if png {
        ImageKind::PNG(data)
    } else {
        ImageKind::JPEG(data)
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT_SVG: &str = r#"<svg xmlns="http://www.w3.org/2000/svg" width="120" height="40">
        <text x="4" y="20" font-family="Helvetica">Label</text>
        <text x="4" y="36" font-family="monospace">code</text></svg>"#;

    #[test]
    fn svg_text_is_set_in_the_book_faces() {
        let fonts = FontSet::builtin().unwrap();
        let tree = parse_svg(TEXT_SVG, svg_font_database(&fonts)).unwrap();
        let mut families = Vec::new();
        collect_font_families(tree.root(), tree.fontdb(), &mut families);
        assert_eq!(families.len(), 2, "{families:?}");
        assert!(families[0].contains("Libertine"), "{families:?}");
        assert!(families[1].contains("DejaVu Sans Mono"), "{families:?}");
    }

    #[test]
    fn an_svg_never_reads_a_file() {
        let dir = tempfile::tempdir().unwrap();
        let png = dir.path().join("secret.png");
        std::fs::write(&png, b"\x89PNG\r\n\x1a\n").unwrap();
        let svg = format!(
            r#"<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="10" height="10"><image width="10" height="10" xlink:href="{}"/></svg>"#,
            png.display()
        );
        let tree = parse_svg(&svg, Arc::default()).unwrap();
        assert!(!tree.root().has_children());
    }

    #[test]
    fn an_embedded_image_too_large_refuses_the_drawing() {
        // A PNG header claiming 50000x50000 pixels.
        let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR".to_vec();
        png.extend(50_000u32.to_be_bytes());
        png.extend(50_000u32.to_be_bytes());
        png.extend([8, 2, 0, 0, 0]);
        let mut crc = flate2::Crc::new();
        crc.update(&png[12..29]);
        png.extend(crc.sum().to_be_bytes());
        let svg = |data: &[u8]| {
            use base64_free::encode;
            format!(
                r#"<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><image width="10" height="10" href="data:image/png;base64,{}"/></svg>"#,
                encode(data)
            )
        };
        let error = parse_svg(&svg(&png), Arc::default()).unwrap_err();
        assert!(error.contains("more than"), "{error}");
        let mut small = Vec::new();
        image::DynamicImage::ImageRgb8(image::RgbImage::new(3, 2))
            .write_to(
                &mut std::io::Cursor::new(&mut small),
                image::ImageFormat::Png,
            )
            .unwrap();
        let tree = parse_svg(&svg(&small), Arc::default()).unwrap();
        assert!(tree.root().has_children());
    }

    /// Base64 for the tests (no crate needed for a few bytes).
    mod base64_free {
        const ALPHABET: &[u8; 64] =
            b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

        pub(super) fn encode(bytes: &[u8]) -> String {
            let mut out = String::new();
            for chunk in bytes.chunks(3) {
                let b = [
                    chunk[0],
                    *chunk.get(1).unwrap_or(&0),
                    *chunk.get(2).unwrap_or(&0),
                ];
                let n = u32::from(b[0]) << 16 | u32::from(b[1]) << 8 | u32::from(b[2]);
                for i in 0..4 {
                    if i <= chunk.len() {
                        out.push(char::from(ALPHABET[(n >> (18 - 6 * i)) as usize & 63]));
                    } else {
                        out.push('=');
                    }
                }
            }
            out
        }
    }

    /// The families of the faces the text of `group` was laid out with, in order.
    fn collect_font_families(group: &usvg::Group, database: &Database, out: &mut Vec<String>) {
        for node in group.children() {
            match node {
                usvg::Node::Group(group) => collect_font_families(group, database, out),
                usvg::Node::Text(text) => {
                    let glyph = text.layouted()[0].positioned_glyphs.first().unwrap();
                    let face = database.face(glyph.font).unwrap();
                    out.push(face.families[0].0.clone());
                }
                _ => {}
            }
        }
    }
}
