//! The opening of a chapter's text: its first paragraph set with a drop cap (`[pdf]
//! drop-cap`) and with its first line in small capitals (`[pdf] opening = "small-caps"`).

use super::Composer;
use crate::fonts::{FaceChoice, Family, Style};
use crate::typeset::layout::{GlyphRun, Item};
use crate::typeset::page::{Flow, FlowLine};
use crate::typeset::paragraph::{
    set_paragraph_hung, Alignment, Hang, ParagraphSpec, Pieces, TextStyle,
};
use crate::units::Pt;

/// How many times a small-capital first line is set again with fewer letters when its
/// capitals pushed words to the next line.
const LEAD_FITTING_PASSES: usize = 2;

impl<'a, 'f> Composer<'a, 'f> {
    /// The chapter's first paragraph, set with its drop cap and small-capital first line
    /// as the book asks; `None` when it asks for neither (or the paragraph opens with no
    /// letter to drop).
    pub(super) fn opening_paragraph(
        &mut self,
        pieces: &Pieces<'_>,
        width: Pt,
        indent: Pt,
    ) -> Option<Vec<FlowLine>> {
        let small_caps = self.book.meta.opening.small_caps;
        let drop_cap = self.book.meta.opening.drop_cap_lines >= 2;
        if !small_caps && !drop_cap {
            return None;
        }
        let spec = ParagraphSpec {
            width,
            first_indent: indent,
            rest_indent: Pt::ZERO,
            leading: self.profile.leading,
            alignment: Alignment::Justified,
        };
        // A drop cap needs as many lines beside it as it is tall.
        let cap = if drop_cap {
            self.drop_cap(pieces)
                .filter(|cap| self.line_count(&cap.rest, &spec, cap.hang) >= cap.hang.lines)
        } else {
            None
        };
        let (spec, hang, text) = match &cap {
            Some(cap) => (
                ParagraphSpec {
                    first_indent: Pt::ZERO,
                    ..spec
                },
                Some(cap.hang),
                &cap.rest,
            ),
            None => (spec, None, pieces),
        };
        let text = if small_caps {
            self.small_caps_lead(text, &spec, hang)
        } else {
            text.clone()
        };
        let mut lines = set_paragraph_hung(&text, &spec, hang, &mut self.ctx);
        if let Some(cap) = cap {
            let first = lines.first_mut()?;
            let baseline = first.items.iter().find_map(|item| match item {
                Item::Glyphs(run) => Some(run.y),
                _ => None,
            })?;
            let drop = self.profile.leading * (cap.hang.lines - 1) as f64;
            first.items.push(Item::Glyphs(GlyphRun {
                x: Pt::ZERO,
                y: baseline + drop,
                run: cap.run,
            }));
        } else if drop_cap && !small_caps {
            return None;
        }
        Some(lines)
    }

    /// How many lines the paragraph takes beside a drop cap.
    fn line_count(&mut self, pieces: &Pieces<'_>, spec: &ParagraphSpec, hang: Hang) -> usize {
        let spec = ParagraphSpec {
            first_indent: Pt::ZERO,
            ..*spec
        };
        set_paragraph_hung(pieces, &spec, Some(hang), &mut self.ctx).len()
    }

    /// The drop cap for a paragraph: its first letter (with the quotation mark before it)
    /// set so tall that its capital height reaches from the first line's cap height to the
    /// baseline of the last line it stands beside.
    fn drop_cap(&mut self, pieces: &Pieces<'_>) -> Option<DropCap<'static>> {
        let (initial, rest) = pieces.split_initial()?;
        let lines = self.book.meta.opening.drop_cap_lines;
        let fonts = self.ctx.fonts;
        let face = fonts.face(fonts.primary(FaceChoice::new(Family::Serif, Style::Regular)));
        let metrics = face.metrics();
        let cap_share = f64::from(metrics.cap_height) / f64::from(metrics.units_per_em);
        if cap_share <= 0.0 {
            return None;
        }
        let body = self.profile.font_size;
        let cap_height = self.profile.leading * (lines - 1) as f64 + body * cap_share;
        let size = cap_height / cap_share;
        let run = self.ctx.shape(&initial, &TextStyle::serif(size.to_f32()));
        let gap = self.design().opening.drop_cap_gap.at(body);
        let indent = Pt::from_f32(run.width()) + gap;
        Some(DropCap {
            run,
            hang: Hang { lines, indent },
            rest,
        })
    }

    /// The paragraph with its first line in small capitals: the letters the line holds
    /// when set plainly, fewer when capitals wider than the letters push words over.
    fn small_caps_lead<'p>(
        &mut self,
        pieces: &Pieces<'p>,
        spec: &ParagraphSpec,
        hang: Option<Hang>,
    ) -> Pieces<'p> {
        let set = |pieces: &Pieces<'_>, ctx: &mut _| {
            first_line_letters(&set_paragraph_hung(pieces, spec, hang, ctx))
        };
        let mut letters = set(pieces, &mut self.ctx);
        let mut lead = pieces.with_small_caps_lead(letters);
        for _ in 0..LEAD_FITTING_PASSES {
            let fitted = set(&lead, &mut self.ctx);
            if fitted >= letters {
                break;
            }
            letters = fitted;
            lead = pieces.with_small_caps_lead(letters);
        }
        lead
    }
}

/// A drop cap: its shaped letter, the lines it indents and the paragraph without it.
struct DropCap<'p> {
    run: std::sync::Arc<crate::typeset::shape::ShapedRun>,
    hang: Hang,
    rest: Pieces<'p>,
}

/// No page break between the lines a drop cap stands beside.
pub(super) fn keep_drop_cap_lines(lines: usize, flow: &mut [Flow]) {
    let kept = lines.saturating_sub(1);
    for element in flow.iter_mut().take(kept) {
        if let Flow::Line(line) = element {
            line.break_after = false;
        }
    }
}

/// The letters (spaces left out) of a set paragraph's first line.
fn first_line_letters(lines: &[FlowLine]) -> usize {
    let Some(first) = lines.first() else {
        return 0;
    };
    first
        .items
        .iter()
        .filter_map(|item| match item {
            Item::Glyphs(glyphs) => Some(
                glyphs
                    .run
                    .text
                    .chars()
                    .filter(|c| !c.is_whitespace())
                    .count(),
            ),
            _ => None,
        })
        .sum()
}
