//! A one-page font sample: every face and feature the PDF backend handles (the four Libertine
//! styles, the monospace, English mixed with Khmer, ligatures, kerning, old-style figures),
//! written through the same path as a book. Tests read it back with PDF tools.

use std::collections::BTreeMap;

use super::font::{FaceChoice, Family, FontSet, Style};
use super::layout_ir::{GlyphRun, Item, Page};
use super::metadata::DocumentInfo;
use super::shape::{ShapeCache, ShapeOptions};
use super::writer::{write, DocumentParts, WriteInput};
use super::PdfError;

/// The sample page: (family, style, size, old-style figures, text) per line.
const SAMPLE_LINES: [(Family, Style, f32, bool, &str); 9] = [
    (
        Family::Serif,
        Style::Regular,
        13.0,
        false,
        "Regular: efficient office affluent. AVATAR Wave 1975",
    ),
    (
        Family::Serif,
        Style::Italic,
        13.0,
        false,
        "Italic: efficient office affluent. AVATAR Wave 1975",
    ),
    (
        Family::Serif,
        Style::Bold,
        13.0,
        false,
        "Bold: efficient office affluent. AVATAR Wave 1975",
    ),
    (
        Family::Serif,
        Style::BoldItalic,
        13.0,
        false,
        "Bold italic: efficient office affluent. AVATAR Wave 1975",
    ),
    (
        Family::Mono,
        Style::Regular,
        11.0,
        false,
        "Mono: fn main() { let office = 1975; } // ffi",
    ),
    (
        Family::Serif,
        Style::Regular,
        13.0,
        false,
        "Khmer: ខ្មែរក្រហម ទួលស្លែង ជើងឯក អង្គការ (in the text)",
    ),
    (
        Family::Serif,
        Style::Bold,
        13.0,
        false,
        "Bold Khmer: ខ្មែរក្រហម ទួលស្លែង",
    ),
    (
        Family::Serif,
        Style::Regular,
        13.0,
        false,
        "efficient office affluent",
    ),
    (
        Family::Serif,
        Style::Regular,
        13.0,
        true,
        "AVATAR Wave 1975 (kerning, old-style figures)",
    ),
];

/// A4 in points.
const A4: (f64, f64) = (595.276, 841.89);

/// Builds a one-page A4 PDF showing every face and feature, through the book's writer.
pub fn sample_pdf(fonts: &FontSet<'static>) -> Result<Vec<u8>, PdfError> {
    let mut cache = ShapeCache::new();
    let items = SAMPLE_LINES
        .iter()
        .enumerate()
        .map(|(i, &(family, style, size, oldstyle_figures, text))| {
            let options = ShapeOptions {
                oldstyle_figures,
                language: Some("en-GB".to_string()),
                ..ShapeOptions::default()
            };
            let run = cache.shape(fonts, text, FaceChoice::new(family, style), size, &options);
            Item::Glyphs(GlyphRun {
                x: 60.0,
                y: A4.1 - (780.0 - 30.0 * i as f64),
                run,
            })
        })
        .collect();
    let pages = vec![Page {
        items,
        ..Page::default()
    }];
    let parts = DocumentParts {
        info: DocumentInfo {
            title: "octavo font sample".to_string(),
            creator: "octavo".to_string(),
            ..DocumentInfo::default()
        },
        ..DocumentParts::default()
    };
    let input = WriteInput {
        pages: &pages,
        anchors: &BTreeMap::new(),
        images: &[],
        fonts,
        size: A4,
        readable: false,
        parts: &parts,
    };
    Ok(write(&input)?)
}
