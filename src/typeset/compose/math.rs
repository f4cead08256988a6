//! Formulas in the composed pages: inline formulas become boxes in their paragraph's
//! pieces; a paragraph holding display formulas is set as its stretches of text with each
//! display formula between them, centred on a line of its own with its number at the right.

use std::sync::Arc;

use super::blocks::FlowState;
use super::Composer;
use crate::diag::{code, Diagnostic};
use crate::doc::{Chapter, Inline, Math};
use crate::typeset::layout::{AnchorItem, GlyphRun, Item};
use crate::typeset::math::{lay_out_formula, MathBox};
use crate::typeset::page::{Flow, FlowLine};
use crate::typeset::paragraph::{Alignment, Pieces, TextStyle};
use crate::typeset::structure::{LineMark, Role};
use crate::units::Pt;

/// Space above and below a display formula, in leadings.
const DISPLAY_SPACE: f64 = 0.5;
/// Least space between a display formula and its number, in ems of the body size.
const NUMBER_GAP: f32 = 1.0;

impl Composer<'_, '_> {
    /// The formula laid out at `size`, or `None` when it does not read (resolve reported it)
    /// or the fonts have no math face.
    pub(super) fn formula(
        &mut self,
        math: &Math,
        size: f32,
        display: bool,
    ) -> Option<Arc<MathBox>> {
        let nodes = crate::math::tree::parse(&math.source, &self.macros)?;
        let formula = lay_out_formula(&nodes, self.ctx.fonts, size, display)?;
        if !formula.missing.is_empty() {
            self.warn_missing_glyphs(math, &formula.missing);
        }
        Some(Arc::new(formula))
    }

    fn warn_missing_glyphs(&mut self, math: &Math, missing: &[char]) {
        let mut shown: Vec<String> = missing
            .iter()
            .map(|c| format!("{c} (U+{:04X})", *c as u32))
            .collect();
        shown.dedup();
        let warning = Diagnostic::warning(
            code::MATH_MISSING_GLYPH,
            format!("the math font has no glyph for {}", shown.join(", ")),
        )
        .at(written_span(math))
        .with_hint("write the symbol with another command, or as \\text{…}");
        self.warnings.push(warning);
    }

    /// An inline formula into `out` (its source as text when it cannot be laid out).
    pub(super) fn inline_formula<'d>(
        &mut self,
        math: &'d Math,
        style: &TextStyle,
        out: &mut Pieces<'d>,
    ) {
        match self.formula(math, style.size, false) {
            Some(formula) => {
                let alt = Some(math.source.to_string());
                let tag = self.inline_tag(Role::Formula, alt, style, false);
                out.math(formula, Some(tag));
            }
            None => out.text(math.source.as_str(), style),
        }
    }

    /// A paragraph with display formulas: its text before, between and after them as
    /// paragraphs (only the first indented), each formula on its own line.
    pub(super) fn paragraph_with_display_math(
        &mut self,
        chapter: &Chapter,
        content: &[Inline],
        x: Pt,
        width: Pt,
        state: &mut FlowState,
        flow: &mut Vec<Flow>,
    ) {
        let style = self.body();
        let mut first = true;
        for stretch in content.split_inclusive(is_display_math) {
            let (text, formula) = match stretch.split_last() {
                Some((Inline::Math(math), text)) if math.display => (text, Some(math)),
                _ => (stretch, None),
            };
            if !is_blank(text) {
                let mut pieces = Pieces::new();
                self.pieces(chapter, trim_breaks(text), &style, &mut pieces);
                let indent = if first && state.indent_next {
                    self.design().text.indent.at(Pt::from_f32(style.size))
                } else {
                    Pt::ZERO
                };
                let leading = self.profile.leading;
                self.paragraph(
                    &pieces,
                    x,
                    width,
                    indent,
                    Alignment::Justified,
                    leading,
                    flow,
                );
            }
            first = false;
            if let Some(math) = formula {
                self.display_formula(math, x, width, flow);
            }
        }
    }

    /// A display formula centred in the measure, its number (if labelled) at the right; a
    /// formula too wide is scaled down to fit, with a warning.
    fn display_formula(&mut self, math: &Math, x: Pt, width: Pt, flow: &mut Vec<Flow>) {
        let style = self.body();
        let Some(formula) = self.formula(math, style.size, true) else {
            let mut pieces = Pieces::new();
            pieces.text(math.source.as_str(), &style);
            self.centered(&pieces, self.profile.leading, flow);
            return;
        };
        let numbers = self.equation_numbers(math, &formula);
        let number_width = numbers
            .iter()
            .map(|number| number.run.width())
            .fold(0.0, f32::max);
        let reserved = if numbers.is_empty() {
            0.0
        } else {
            2.0 * (number_width + NUMBER_GAP * style.size)
        };
        let available = (width.to_f32() - reserved).max(width.to_f32() / 2.0);
        let scale = if formula.width > available {
            self.warn_too_wide(math, formula.width, available);
            available / formula.width
        } else {
            1.0
        };
        let leading = self.profile.leading;
        let space = leading * DISPLAY_SPACE;
        let above = Pt::from_f32(formula.height * scale).max(leading * self.design().text.baseline);
        let below =
            Pt::from_f32(formula.depth * scale).max(leading * (1.0 - self.design().text.baseline));
        let baseline = space + above;
        let mut line = FlowLine {
            height: baseline + below + space,
            break_after: true,
            ..FlowLine::default()
        };
        let left = x + (width - Pt::from_f32(formula.width * scale)) / 2.0;
        let node = self.structure.add(Role::Formula, Some(math.source.clone()));
        line.marks.push(LineMark {
            first: 0,
            node: Some(node),
        });
        formula.draw(left, baseline, scale, &mut line.items);
        if !numbers.is_empty() {
            // The numbers belong to the paragraph the formula is in.
            let first = u32::try_from(line.items.len()).unwrap_or(u32::MAX);
            line.marks.push(LineMark {
                first,
                node: Some(self.structure.current()),
            });
        }
        for number in numbers {
            let number_x = x + width - Pt::from_f32(number.run.width());
            let number_baseline = baseline + Pt::from_f32(number.baseline * scale);
            let row_top = number_baseline - leading * self.design().text.baseline;
            line.items.push(Item::Glyphs(GlyphRun {
                x: number_x,
                y: number_baseline,
                run: number.run,
            }));
            line.items.push(Item::Anchor(Box::new(AnchorItem {
                id: number.anchor,
                y: row_top.max(Pt::ZERO),
            })));
        }
        flow.push(Flow::Line(line));
    }

    /// The numbers printed at the right of a display formula: its own on its baseline, or
    /// each numbered row's on the row's baseline.
    fn equation_numbers(&mut self, math: &Math, formula: &MathBox) -> Vec<EquationNumber> {
        let style = self.body();
        let mut numbers = Vec::new();
        if !math.numbered_by_rows() {
            if let Some((number, shown)) = math.number.as_ref().zip(math.number_shown()) {
                numbers.push(EquationNumber {
                    run: self.ctx.shape(&shown, &style),
                    baseline: 0.0,
                    anchor: number.anchor.clone(),
                });
            }
            return numbers;
        }
        if formula.rows.len() != math.rows.len() {
            self.warnings.push(
                Diagnostic::warning(
                    code::MATH_ROWS_UNPLACED,
                    format!(
                        "the formula's {} numbered rows were laid out as {}: its numbers are set at the rows found",
                        math.rows.len(),
                        formula.rows.len()
                    ),
                )
                .at(written_span(math))
                .with_hint("write each row of the align on a line of its own, ended by \\\\"),
            );
        }
        for (row, &baseline) in math.rows.iter().zip(&formula.rows) {
            let Some((number, shown)) = row.number.as_ref().zip(row.number_shown()) else {
                continue;
            };
            numbers.push(EquationNumber {
                run: self.ctx.shape(&shown, &style),
                baseline,
                anchor: number.anchor.clone(),
            });
        }
        numbers
    }

    fn warn_too_wide(&mut self, math: &Math, natural: f32, available: f32) {
        let warning = Diagnostic::warning(
            code::MATH_TOO_WIDE,
            format!(
                "display formula is {natural:.0} pt wide, the measure leaves {available:.0} pt: \
                 it is set smaller to fit"
            ),
        )
        .at(written_span(math))
        .with_hint("break it over lines with \\begin{aligned} … \\\\ … \\end{aligned}");
        self.warnings.push(warning);
    }
}

/// An equation number ready to place: shaped, on which baseline of its formula (down from
/// the formula's, unscaled), and its anchor.
struct EquationNumber {
    run: Arc<crate::typeset::shape::ShapedRun>,
    baseline: f32,
    anchor: String,
}

/// The span of the formula's LaTeX without the spaces and line breaks around it (a display
/// formula's source often starts on the line after its `$$`).
fn written_span(math: &Math) -> crate::diag::Span {
    let mut span = math.span.clone();
    if span.range.len() == math.source.len() {
        let leading = math.source.len() - math.source.trim_start().len();
        let trailing = math.source.len() - math.source.trim_end().len();
        span.range =
            span.range.start + leading..(span.range.end - trailing).max(span.range.start + leading);
    }
    span
}

/// True for a display formula.
pub(super) fn is_display_math(inline: &Inline) -> bool {
    matches!(inline, Inline::Math(math) if math.display)
}

/// True when the inlines hold nothing to print (spaces and line breaks only).
fn is_blank(inlines: &[Inline]) -> bool {
    inlines.iter().all(|inline| match inline {
        Inline::Text { text, .. } => text.trim().is_empty(),
        Inline::SoftBreak | Inline::HardBreak => true,
        _ => false,
    })
}

/// The inlines without the line breaks at their ends (around a display formula).
fn trim_breaks(inlines: &[Inline]) -> &[Inline] {
    let is_break = |i: &Inline| matches!(i, Inline::SoftBreak | Inline::HardBreak);
    let start = inlines
        .iter()
        .position(|i| !is_break(i))
        .unwrap_or(inlines.len());
    let end = inlines
        .iter()
        .rposition(|i| !is_break(i))
        .map_or(start, |e| e + 1);
    &inlines[start..end.max(start)]
}
