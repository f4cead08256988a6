use super::*;
use crate::math::{tree, Macros};

fn laid_out(source: &str, display: bool) -> MathBox {
    let fonts = FontSet::builtin().expect("bundled fonts");
    let nodes = tree::parse(source, &Macros::new([]).0).expect("reads");
    lay_out_formula(&nodes, &fonts, 10.0, display).expect("a math face")
}

fn text_of(formula: &MathBox) -> String {
    formula.glyphs.iter().map(|g| &*g.run.text).collect()
}

#[test]
fn every_glyph_is_a_real_glyph_with_its_character() {
    let formula = laid_out(r"x = \frac{-b \pm \sqrt{b^2 - 4ac}}{2a}", true);
    assert!(formula.glyphs.iter().all(|g| g.run.glyphs[0].glyph_id != 0));
    assert_eq!(text_of(&formula), "𝑥=−𝑏±√𝑏2−4𝑎𝑐2𝑎");
    // The fraction bar and the radical's overbar.
    assert_eq!(formula.rules.len(), 2);
}

#[test]
fn a_fraction_straddles_the_axis_and_shrinks_inline() {
    let display = laid_out(r"\frac{a}{b}", true);
    let inline = laid_out(r"\frac{a}{b}", false);
    assert!(display.height > 5.0 && display.depth > 3.0, "{display:?}");
    assert!(inline.height < display.height && inline.width < display.width);
}

#[test]
fn scripts_rise_and_drop() {
    let formula = laid_out(r"x_i^2", false);
    let y_of = |text: &str| {
        formula
            .glyphs
            .iter()
            .find(|g| &*g.run.text == text)
            .map(|g| g.y)
    };
    assert_eq!(y_of("𝑥"), Some(0.0));
    assert!(y_of("𝑖") > Some(0.0), "subscript below");
    assert!(y_of("2") < Some(0.0), "superscript above");
    assert!(formula.glyphs.iter().skip(1).all(|g| g.run.size_pt < 10.0));
}

#[test]
fn limits_go_above_and_below_in_display_only() {
    let display = laid_out(r"\sum_{i=1}^{n} i", true);
    let inline = laid_out(r"\sum_{i=1}^{n} i", false);
    let sum_x = |f: &MathBox| f.glyphs[0].x;
    let n_x = |f: &MathBox| f.glyphs.iter().find(|g| &*g.run.text == "𝑛").map(|g| g.x);
    assert!(n_x(&display) < Some(sum_x(&display) + display.glyphs[0].run.width()));
    assert!(n_x(&inline) > Some(sum_x(&inline) + inline.glyphs[0].run.width() * 0.9));
    assert!(display.height > inline.height);
}

#[test]
fn fenced_delimiters_grow_with_their_content() {
    let small = laid_out(r"\left( a \right)", true);
    let tall = laid_out(r"\left( \frac{a}{b} \right)", true);
    let paren = |f: &MathBox| f.glyphs[0].run.glyphs[0].glyph_id;
    assert_ne!(paren(&small), paren(&tall), "a larger variant");
    assert!(tall.height + tall.depth > small.height + small.depth);
}

#[test]
fn a_matrix_has_its_rows_and_columns() {
    let formula = laid_out(
        r"\begin{pmatrix} 1 & 2 & 3 \\ 4 & 5 & 6 \\ 7 & 8 & 9 \end{pmatrix}",
        true,
    );
    let digit = |d: &str| {
        formula
            .glyphs
            .iter()
            .find(|g| &*g.run.text == d)
            .map(|g| (g.x, g.y))
    };
    let (one, two, four) = (
        digit("1").unwrap(),
        digit("2").unwrap(),
        digit("4").unwrap(),
    );
    assert!(two.0 > one.0 && (two.1 - one.1).abs() < 0.01);
    assert!(four.1 > one.1 && (four.0 - one.0).abs() < 0.01);
}

#[test]
fn cases_get_a_brace() {
    let formula = laid_out(
        r"f(x) = \begin{cases} 0 & x < 0 \\ 1 & x \ge 0 \end{cases}",
        true,
    );
    assert!(text_of(&formula).contains('{'), "{}", text_of(&formula));
}

#[test]
fn a_display_integral_is_larger_than_an_inline_one() {
    let display = laid_out(r"\int_0^1 x", true);
    let inline = laid_out(r"\int_0^1 x", false);
    let id = |f: &MathBox| f.glyphs[0].run.glyphs[0].glyph_id;
    assert_ne!(id(&display), id(&inline), "{:?}", display.glyphs[0]);
}

#[test]
fn a_matrix_spaces_its_rows_evenly_whatever_they_hold() {
    let formula = laid_out(
        r"\begin{pmatrix} a & \frac{1}{2} \\ b & c \\ y_{j} & d \\ e & f \end{pmatrix}",
        true,
    );
    let y_of = |text: &str| {
        let glyph = formula.glyphs.iter().find(|g| &*g.run.text == text);
        glyph.map(|g| g.y).expect(text)
    };
    let baselines = [y_of("𝑎"), y_of("𝑏"), y_of("𝑦"), y_of("𝑒")];
    let pitches: Vec<f32> = baselines.windows(2).map(|p| p[1] - p[0]).collect();
    for pitch in &pitches {
        assert!((pitch - pitches[0]).abs() < 0.01, "{pitches:?}");
    }
    assert!(
        pitches[0] >= 12.0,
        "at least the baseline distance: {pitches:?}"
    );
}

#[test]
fn a_display_integrals_scripts_sit_at_its_top_and_bottom() {
    let formula = laid_out(r"\int_{a}^{b} x", true);
    let y_of = |text: &str| {
        let glyph = formula.glyphs.iter().find(|g| &*g.run.text == text);
        glyph.map(|g| g.y).expect(text)
    };
    assert!(-y_of("𝑏") > 8.0, "the upper limit high: {}", y_of("𝑏"));
    assert!(y_of("𝑎") > 6.0, "the lower limit low: {}", y_of("𝑎"));
}
