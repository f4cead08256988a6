//! Formulas as SVG images (`[epub] math = "svg"`), for readers that do not render MathML
//! (Kindle, Kobo): each formula laid out by the PDF's own math layout
//! ([`crate::typeset::math`]) and drawn as one SVG path from the math face's glyph outlines,
//! so the image needs no font. The page shows it as an `<img role="math">` whose alt text is
//! the LaTeX source; an inline one sits on the baseline by its depth.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Arc;

use rustybuzz::ttf_parser::{GlyphId, OutlineBuilder};

use crate::fonts::FontSet;
use crate::math::tree::{Class, Node};
use crate::math::Macros;
use crate::typeset::math::{lay_out_formula, MathBox};

/// The size formulas are laid out at, in points. The layout scales linearly, and the page
/// gives the image its size in ems of the reader's text, so this only sets the SVG's units.
const LAYOUT_SIZE: f32 = 10.0;
/// Space between a formula and its rows' numbers, in ems.
const ROW_NUMBER_GAP: f32 = 2.0;
/// Space left around the ink so antialiasing is not clipped, in points.
const INK_MARGIN: f32 = 0.2;

/// One formula's image as the page shows it: its file and its extent in ems.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct MathImage {
    /// Path inside the package (`math/f1.svg`).
    pub href: String,
    /// Width, in ems.
    pub width: f32,
    /// Height above the baseline plus depth below it, in ems.
    pub height: f32,
    /// Depth below the baseline, in ems (how far the image drops below the line's baseline).
    pub depth: f32,
}

/// The book's formula images, made as the chapters are written: one file per distinct
/// formula (the same source in the same style is drawn once).
pub(crate) struct MathImages {
    fonts: Arc<FontSet<'static>>,
    macros: Macros,
    by_formula: BTreeMap<(String, bool, Vec<Option<String>>), MathImage>,
    /// The SVG files, in the order they were made: package path and bytes.
    pub files: Vec<(String, Vec<u8>)>,
}

impl MathImages {
    /// No images yet; formulas will be read with `macros` and set in `fonts`' math face.
    pub(crate) fn new(fonts: Arc<FontSet<'static>>, macros: Macros) -> Self {
        MathImages {
            fonts,
            macros,
            by_formula: BTreeMap::new(),
            files: Vec::new(),
        }
    }

    /// The image of a formula, with `row_numbers` (`(3.2)`, or none for a row left
    /// unnumbered) at the right of its rows when it is numbered row by row; `None` when it
    /// does not read (resolve reported it) or the fonts have no math face, and the page shows
    /// its MathML instead.
    pub(crate) fn image(
        &mut self,
        source: &str,
        display: bool,
        row_numbers: &[Option<String>],
    ) -> Option<MathImage> {
        let key = (source.to_string(), display, row_numbers.to_vec());
        if let Some(image) = self.by_formula.get(&key) {
            return Some(image.clone());
        }
        let nodes = crate::math::tree::parse(source, &self.macros)?;
        let mut formula = lay_out_formula(&nodes, &self.fonts, LAYOUT_SIZE, display)?;
        self.add_row_numbers(&mut formula, row_numbers);
        let drawn = draw_svg(&formula, &self.fonts);
        let href = format!("math/f{}.svg", self.files.len() + 1);
        let image = MathImage {
            href: href.clone(),
            width: drawn.width / LAYOUT_SIZE,
            height: (drawn.top + drawn.bottom) / LAYOUT_SIZE,
            depth: drawn.bottom / LAYOUT_SIZE,
        };
        self.files.push((href, drawn.svg.into_bytes()));
        self.by_formula.insert(key, image.clone());
        Some(image)
    }
}

impl MathImages {
    /// Draws each row's number right of the formula, on the row's baseline, a gap away.
    fn add_row_numbers(&self, formula: &mut MathBox, row_numbers: &[Option<String>]) {
        let rows = formula.rows.clone();
        let left = formula.width + ROW_NUMBER_GAP * LAYOUT_SIZE;
        for (number, baseline) in row_numbers.iter().zip(rows) {
            let Some(number) = number else {
                continue;
            };
            let text = [Node::Text {
                text: number.clone(),
                class: Class::Ord,
            }];
            let Some(number) = lay_out_formula(&text, &self.fonts, LAYOUT_SIZE, false) else {
                continue;
            };
            let width = formula.width.max(left + number.width);
            formula.append(&number, left, baseline);
            formula.width = width;
        }
    }
}

/// A formula drawn: the SVG and its extent in points (`top` above the baseline, `bottom`
/// below it).
struct DrawnFormula {
    svg: String,
    width: f32,
    top: f32,
    bottom: f32,
}

/// The formula as an SVG document: one path holding every glyph's outline and every rule,
/// in points with the baseline at y = 0, the view box covering the box and the ink.
fn draw_svg(formula: &MathBox, fonts: &FontSet<'_>) -> DrawnFormula {
    let mut path = PathWriter::default();
    for glyph in &formula.glyphs {
        let mut x = glyph.x;
        for shaped in glyph.run.glyphs.iter() {
            let font_face = fonts.face(shaped.face);
            let Some(face) = font_face.shaper() else {
                continue;
            };
            path.scale = glyph.run.size_pt / f32::from(font_face.units_per_em());
            path.origin = (x + shaped.x_offset, glyph.y - shaped.y_offset);
            face.outline_glyph(GlyphId(shaped.glyph_id), &mut path);
            x += shaped.x_advance;
        }
    }
    for rule in &formula.rules {
        let top = rule.y - rule.thickness / 2.0;
        path.rectangle(rule.x, top, rule.width, rule.thickness);
    }
    let left = path.ink.left.min(0.0) - INK_MARGIN;
    let right = path.ink.right.max(formula.width) + INK_MARGIN;
    let top = path.ink.top.max(formula.height) + INK_MARGIN;
    let bottom = path.ink.bottom.max(formula.depth) + INK_MARGIN;
    let width = right - left;
    let svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}pt\" height=\"{h}pt\" viewBox=\"{x} {y} {w} {h}\"><path d=\"{d}\"/></svg>\n",
        w = number(width),
        h = number(top + bottom),
        x = number(left),
        y = number(-top),
        d = path.d.trim_end(),
    );
    DrawnFormula {
        svg,
        width,
        top,
        bottom,
    }
}

/// Where the ink reaches, in points: left and right of the origin, above and below the
/// baseline.
#[derive(Default)]
struct Ink {
    left: f32,
    right: f32,
    top: f32,
    bottom: f32,
}

/// An SVG path's data written from glyph outlines in design units, placed at `origin`
/// (points, y down) and scaled by `scale` (points per design unit).
#[derive(Default)]
struct PathWriter {
    d: String,
    origin: (f32, f32),
    scale: f32,
    ink: Ink,
}

impl PathWriter {
    /// A point of the outline in the SVG's coordinates, widening the ink to cover it.
    fn point(&mut self, x: f32, y: f32) -> (f32, f32) {
        let px = self.origin.0 + x * self.scale;
        let py = self.origin.1 - y * self.scale;
        self.cover(px, py);
        (px, py)
    }

    fn cover(&mut self, x: f32, y: f32) {
        self.ink.left = self.ink.left.min(x);
        self.ink.right = self.ink.right.max(x);
        self.ink.top = self.ink.top.max(-y);
        self.ink.bottom = self.ink.bottom.max(y);
    }

    fn command(&mut self, letter: char, points: &[(f32, f32)]) {
        self.d.push(letter);
        for (n, (x, y)) in points.iter().enumerate() {
            if n > 0 {
                self.d.push(' ');
            }
            let _ = write!(self.d, "{} {}", number(*x), number(*y));
        }
    }

    /// A filled rectangle, its top left corner at (`x`, `y`).
    fn rectangle(&mut self, x: f32, y: f32, width: f32, height: f32) {
        self.cover(x, y);
        self.cover(x + width, y + height);
        let _ = write!(
            self.d,
            "M{} {}H{}V{}H{}",
            number(x),
            number(y),
            number(x + width),
            number(y + height),
            number(x)
        );
        self.d.push('Z');
    }
}

impl OutlineBuilder for PathWriter {
    fn move_to(&mut self, x: f32, y: f32) {
        let p = self.point(x, y);
        self.command('M', &[p]);
    }

    fn line_to(&mut self, x: f32, y: f32) {
        let p = self.point(x, y);
        self.command('L', &[p]);
    }

    fn quad_to(&mut self, x1: f32, y1: f32, x: f32, y: f32) {
        let c = self.point(x1, y1);
        let p = self.point(x, y);
        self.command('Q', &[c, p]);
    }

    fn curve_to(&mut self, x1: f32, y1: f32, x2: f32, y2: f32, x: f32, y: f32) {
        let c1 = self.point(x1, y1);
        let c2 = self.point(x2, y2);
        let p = self.point(x, y);
        self.command('C', &[c1, c2, p]);
    }

    fn close(&mut self) {
        self.d.push('Z');
    }
}

/// A length with at most two decimals (a hundredth of a point), without trailing zeros.
fn number(value: f32) -> String {
    let rounded = (value * 100.0).round() / 100.0;
    let text = format!("{rounded:.2}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    match text {
        "-0" | "" => "0".to_string(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn images() -> MathImages {
        MathImages::new(Arc::new(FontSet::builtin().unwrap()), Macros::new([]).0)
    }

    #[test]
    fn a_formula_is_one_path_with_no_text_and_its_depth_below_the_baseline() {
        let mut images = images();
        let image = images.image("y_{i}^2", false, &[]).unwrap();
        assert_eq!(image.href, "math/f1.svg");
        let svg = std::str::from_utf8(&images.files[0].1).unwrap();
        assert_eq!(svg.matches("<path").count(), 1, "{svg}");
        assert!(!svg.contains("<text") && !svg.contains("font"), "{svg}");
        assert!(image.depth > 0.05, "a subscript drops below: {image:?}");
        assert!(image.height > image.depth && image.width > 0.5, "{image:?}");
    }

    #[test]
    fn a_fraction_bar_is_drawn_and_the_same_formula_is_one_file() {
        let mut images = images();
        let first = images.image(r"\frac{a}{b}", true, &[]).unwrap();
        let again = images.image(r"\frac{a}{b}", true, &[]).unwrap();
        let inline = images.image(r"\frac{a}{b}", false, &[]).unwrap();
        assert_eq!(first, again);
        assert_ne!(first.href, inline.href);
        assert_eq!(images.files.len(), 2);
        let svg = std::str::from_utf8(&images.files[0].1).unwrap();
        assert!(svg.contains('H') && svg.contains('V'), "the bar: {svg}");
        assert!(first.height > inline.height, "display is taller");
    }

    #[test]
    fn a_formula_that_does_not_read_has_no_image() {
        assert!(images().image(r"\frac{a", false, &[]).is_none());
    }

    #[test]
    fn numbers_are_short() {
        assert_eq!(number(1.0), "1");
        assert_eq!(number(-0.001), "0");
        assert_eq!(number(2.345_6), "2.35");
        assert_eq!(number(-12.5), "-12.5");
    }
}
