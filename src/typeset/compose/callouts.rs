//! Callouts (Quarto's `::: {.callout-note}`, an `<aside class="callout …">` in the model)
//! and `<details>` as boxes: a rule above and below, the text inset between them (details
//! left out when `[pdf] details = "omit"`). The box takes the design of
//! a block quotation (its inset and space) and the rules of a table's head, so that it
//! belongs to the book's other set-off blocks.

use super::blocks::FlowState;
use super::Composer;
use crate::doc::{Block, Chapter};
use crate::typeset::layout::{Item, RuleItem};
use crate::typeset::page::{Flow, FlowLine};
use crate::units::Pt;

/// True for a container set as a box: a callout the Markdown stage made, or `<details>`
/// (an mdBook's speaker notes; the PDF cannot fold them away).
pub(super) fn is_callout(name: &str, attrs: &[(String, String)]) -> bool {
    let callout = name == "aside"
        && attrs
            .iter()
            .any(|(key, value)| key == "class" && value.split(' ').any(|c| c == "callout"));
    callout || name == "details"
}

impl Composer<'_, '_> {
    /// A callout's blocks between two rules, inset like a quotation.
    pub(super) fn callout(
        &mut self,
        chapter: &Chapter,
        blocks: &[Block],
        x: Pt,
        width: Pt,
        flow: &mut Vec<Flow>,
    ) {
        let quote = &self.design().quote;
        let inset = quote.inset.at(self.profile.font_size);
        let space = self.profile.leading * quote.space;
        let thickness = self.design().table.head_rule;
        flow.push(Flow::Space(space));
        flow.push(rule_line(x, width, space, thickness, false));
        let mut inner = FlowState {
            titled: true,
            ..FlowState::default()
        };
        for block in blocks {
            self.block(
                chapter,
                block,
                x + inset,
                width - 2.0 * inset,
                &mut inner,
                flow,
            );
        }
        flow.push(rule_line(x, width, space, thickness, true));
        flow.push(Flow::Space(space));
    }
}

/// A line holding only a rule across the box: the rule at the top of a closing line, at the
/// bottom of an opening one, so that the text keeps `gap` from both. The page may not break
/// right after the opening rule.
fn rule_line(x: Pt, width: Pt, gap: Pt, thickness: Pt, closing: bool) -> Flow {
    let rule = RuleItem {
        x,
        y: if closing { Pt::ZERO } else { gap },
        width,
        thickness,
    };
    Flow::Line(FlowLine {
        height: gap,
        items: vec![Item::Rule(Box::new(rule))],
        break_after: closing,
        ..FlowLine::default()
    })
}
