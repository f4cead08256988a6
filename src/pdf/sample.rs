//! A one-page font sample: every face and feature the PDF backend handles (the four Libertine
//! styles, the monospace, English mixed with Khmer, ligatures, kerning, old-style figures),
//! written through the same path as a book. Tests read it back with PDF tools.

use std::collections::BTreeMap;

use super::metadata::DocumentInfo;
use super::writer::{write, DocumentParts, Pages, WriteInput};
use super::PdfError;
use crate::fonts::{FaceChoice, Family, FontSet, Style};
use crate::typeset::layout::{GlyphRun, Item, Page};
use crate::typeset::shape::{ShapeCache, ShapeOptions};
use crate::units::Pt;

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

/// A4.
const A4: (Pt, Pt) = (Pt::new(595.276), Pt::new(841.89));

/// Builds a one-page A4 PDF showing every face and feature, through the book's writer.
pub(crate) fn sample_pdf(fonts: &FontSet<'static>) -> Result<Vec<u8>, PdfError> {
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
                x: Pt::new(60.0),
                y: A4.1 - Pt::new(780.0 - 30.0 * i as f64),
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
        pages: Pages::Kept(&pages),
        anchors: &BTreeMap::new(),
        images: &[],
        fonts,
        size: A4,
        readable: false,
        parts: &parts,
    };
    Ok(write(input)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::process::Command;

    const KHMER_WORDS: [&str; 4] = ["ខ្មែរក្រហម", "ទួលស្លែង", "ជើងឯក", "អង្គការ"];

    /// Runs `tool` with `args`. A missing tool fails the test: `make test-tools` installs
    /// poppler-utils and qpdf before the tests run.
    fn run_tool(tool: &str, args: &[&std::ffi::OsStr]) -> std::process::Output {
        Command::new(tool)
            .args(args)
            .output()
            .unwrap_or_else(|e| panic!("{tool} is needed (`make test-tools` installs it): {e}"))
    }

    #[test]
    fn sample_pdf_extracts_checks_and_embeds_subsets() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sample.pdf");
        let fonts = FontSet::builtin().unwrap();
        std::fs::write(&path, sample_pdf(&fonts).unwrap()).unwrap();
        let pdf = path.as_os_str();
        {
            let out = run_tool(
                "pdftotext",
                &["-enc".as_ref(), "UTF-8".as_ref(), pdf, "-".as_ref()],
            );
            let text = String::from_utf8_lossy(&out.stdout);
            assert!(text.contains("efficient office affluent"), "{text}");
            assert!(text.contains("AVATAR Wave 1975"), "{text}");
            assert!(
                text.contains("fn main() { let office = 1975; } // ffi"),
                "{text}"
            );
            for word in KHMER_WORDS {
                assert!(text.contains(word), "{word} not in {text}");
            }
        }
        {
            let out = run_tool("qpdf", &["--check".as_ref(), pdf]);
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stdout)
            );
        }
        {
            let out = run_tool("pdffonts", &[pdf]);
            assert_fonts_embedded_and_subset(&String::from_utf8_lossy(&out.stdout));
        }
    }

    /// Every font row of `pdffonts` says `emb yes`, `sub yes` and `uni yes`, under a subset
    /// name.
    fn assert_fonts_embedded_and_subset(listing: &str) {
        let rows: Vec<&str> = listing.lines().skip(2).collect();
        assert!(rows.len() >= 7, "{listing}");
        for row in rows {
            let cols: Vec<&str> = row.split_whitespace().collect();
            // name type [type2] encoding emb sub uni object gen
            let n = cols.len();
            assert!(n >= 7, "{row}");
            assert_eq!(&cols[n - 5..n - 2], ["yes", "yes", "yes"], "{row}");
            assert_eq!(cols[0].as_bytes().get(6), Some(&b'+'), "{row}");
        }
    }
}
