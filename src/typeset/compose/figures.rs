//! Figures: the image at the size [`super::images`] finds for it, centred, with its caption
//! below (or above); a figure that does not fit floats to the top of the next page while
//! the text after it fills this one, unless it is marked to keep its place (`.here`,
//! `{fig-pos="h"}`).
//! Also the numbered captions of tables and listings ("Table 1.4: …"), set here so that the
//! table and code composers only call for them.

use super::images::{set_size, ImageRoom};
use super::Composer;
use crate::doc::{CaptionSide, Chapter, Inline, Numbered};
use crate::typeset::layout::{AnchorItem, ImageItem, Item};
use crate::typeset::page::{Flow, FlowLine};
use crate::typeset::paragraph::{set_paragraph, Alignment, ParagraphSpec, Pieces, TextStyle};
use crate::typeset::structure::{LineMark, NodeId, Role};
use crate::units::Pt;

impl<'a, 'f> Composer<'a, 'f> {
    pub(super) fn figure(
        &mut self,
        chapter: &Chapter,
        figure: &crate::doc::Figure,
        x: Pt,
        width: Pt,
        flow: &mut Vec<Flow>,
    ) {
        let anchor = figure
            .number
            .as_ref()
            .map(|n| n.anchor.clone())
            .or_else(|| figure.label().map(crate::doc::label_anchor));
        let Some(asset) = figure
            .image
            .asset
            .and_then(|i| self.book.images.get(i).map(|a| (i, a)))
        else {
            return;
        };
        let (index, asset) = asset;
        let design = &self.design().figure;
        let figure_node = self.structure.current();
        // The caption is open while its text is set: a span or a formula in it is its child.
        let caption_node = self.structure.open(Role::Caption, None);
        let caption = self.caption_lines(
            chapter,
            figure.number.as_ref(),
            &figure.caption,
            width,
            Alignment::Centered,
        );
        self.structure.close();
        let gaps = self.profile.leading * (design.gap * 2.0);
        let caption_height = caption
            .iter()
            .map(|l| l.height)
            .fold(Pt::ZERO, |a, b| a + b);
        let text_height = self.profile.text_height();
        let room = ImageRoom {
            width,
            natural_height: text_height * design.max_height,
            given_height: (text_height - caption_height - gaps)
                .max(text_height * design.max_height),
        };
        let size = set_size(&figure.image, asset, room, text_height);
        self.check_resolution(&figure.image, asset, size.width);
        let (w, h) = (size.width, size.height);
        let mut block = FlowLine::default();
        let above = self.book.meta.numbering.figure_caption == CaptionSide::Above;
        let (before, after) = if above {
            (caption, Vec::new())
        } else {
            (Vec::new(), caption)
        };
        mark_from(&mut block, Some(caption_node));
        stack_lines(&mut block, before, x);
        mark_from(&mut block, Some(figure_node));
        block.items.push(Item::Image(Box::new(ImageItem {
            image: index,
            x: x + (width - w) / 2.0,
            y: block.height,
            width: w,
            height: h,
        })));
        block.height += h + self.profile.leading * design.gap;
        mark_from(&mut block, Some(caption_node));
        stack_lines(&mut block, after, x);
        if let Some(id) = anchor {
            block
                .items
                .push(Item::Anchor(Box::new(AnchorItem { id, y: Pt::ZERO })));
        }
        block.height += self.profile.leading * design.gap;
        block.break_after = true;
        block.float = !keeps_its_place(figure);
        flow.push(Flow::Space(self.profile.leading * design.space_before));
        flow.push(Flow::Line(block));
    }

    /// A caption's lines at the caption size: the number's label ("Figure 3.2:") in the
    /// label face, then the caption's text in the caption face. Nothing when there is
    /// neither number nor text.
    pub(super) fn caption_lines(
        &mut self,
        chapter: &Chapter,
        number: Option<&Numbered>,
        content: &[Inline],
        width: Pt,
        alignment: Alignment,
    ) -> Vec<FlowLine> {
        let design = &self.design().figure;
        let size = design.caption_size.at(self.profile.font_size).to_f32();
        let style = TextStyle {
            size,
            ..self.body().with_style(design.caption_face)
        };
        let mut pieces = Pieces::new();
        if let Some(number) = number {
            let label = style.with_style(design.label_face);
            let colon = if content.is_empty() { "" } else { ":" };
            pieces.text(format!("{}{colon}", number.label), &label);
            if !content.is_empty() {
                pieces.text(" ", &style);
            }
        }
        self.pieces(chapter, content, &style, &mut pieces);
        if pieces.is_empty() {
            return Vec::new();
        }
        let leading = self.profile.leading * design.caption_leading;
        let spec = ParagraphSpec::plain(width, leading, alignment);
        set_paragraph(&pieces, &spec, &mut self.ctx)
    }

    /// The caption of a table or a listing, and its anchor, as flow before the table (caption
    /// above) and after it (caption below). The caption stays with the table: no page break
    /// between them.
    pub(super) fn table_caption(
        &mut self,
        chapter: &Chapter,
        table: &crate::doc::Table,
        x: Pt,
        width: Pt,
    ) -> (Vec<Flow>, Vec<Flow>) {
        let anchor = table
            .number
            .as_ref()
            .map(|n| n.anchor.clone())
            .or_else(|| table.attrs.id.as_deref().map(crate::doc::label_anchor));
        let lines = self.caption_lines(
            chapter,
            table.number.as_ref(),
            &table.caption,
            width,
            Alignment::Ragged,
        );
        let side = self.book.meta.numbering.table_caption;
        self.captioned_flow(lines, anchor, x, side)
    }

    /// A listing's caption and anchor, set above its code.
    pub(super) fn listing_caption(
        &mut self,
        chapter: &Chapter,
        listing: &crate::doc::Listing,
        x: Pt,
        width: Pt,
        flow: &mut Vec<Flow>,
    ) {
        let anchor = listing
            .number
            .as_ref()
            .map(|n| n.anchor.clone())
            .or_else(|| listing.attrs.id.as_deref().map(crate::doc::label_anchor));
        let lines = self.caption_lines(
            chapter,
            listing.number.as_ref(),
            &listing.caption,
            width,
            Alignment::Ragged,
        );
        let (above, _) = self.captioned_flow(lines, anchor, x, CaptionSide::Above);
        flow.extend(above);
    }

    /// Caption lines as flow above or below what they caption, with the anchor on the first.
    pub(super) fn captioned_flow(
        &self,
        lines: Vec<FlowLine>,
        anchor: Option<String>,
        x: Pt,
        side: CaptionSide,
    ) -> (Vec<Flow>, Vec<Flow>) {
        let mut caption: Vec<Flow> = Vec::new();
        if !lines.is_empty() {
            caption.push(Flow::Space(
                self.profile.leading * self.design().figure.gap / 2.0,
            ));
        }
        let count = lines.len();
        for (i, mut line) in lines.into_iter().enumerate() {
            line.items
                .iter_mut()
                .for_each(|item| item.translate(x, Pt::ZERO));
            line.break_after = side == CaptionSide::Below && i + 1 == count;
            caption.push(Flow::Line(line));
        }
        let mut anchored = Vec::new();
        if anchor.is_some() {
            anchored.push(Flow::Line(FlowLine::default()));
            push_anchor(&mut anchored, anchor);
        }
        match side {
            CaptionSide::Above => {
                anchored.extend(caption);
                (anchored, Vec::new())
            }
            CaptionSide::Below => (anchored, caption),
        }
    }
}

/// A figure marked to stay where it is written (`{fig-pos="h"}` or `"H"`, as Quarto and
/// LaTeX write it, or `.here`), on the image or its div: when it does not fit, the page
/// ends before it rather than the text after it filling the page.
fn keeps_its_place(figure: &crate::doc::Figure) -> bool {
    [&figure.attrs, &figure.image.attrs].iter().any(|attrs| {
        attrs.has_class("here")
            || attrs
                .get("fig-pos")
                .is_some_and(|pos| pos.trim().eq_ignore_ascii_case("h"))
    })
}

/// No page break between a table's last line and the caption below it.
pub(super) fn keep_with_caption(flow: &mut [Flow]) {
    if let Some(Flow::Line(line)) = flow.iter_mut().rev().find(|f| matches!(f, Flow::Line(_))) {
        line.break_after = false;
    }
}

/// Add set lines below what `block` already holds.
fn stack_lines(block: &mut FlowLine, lines: Vec<FlowLine>, x: Pt) {
    for line in lines {
        let (dy, height) = (block.height, line.height);
        block.append(line, x, dy);
        block.height += height;
    }
}

/// Put `anchor` on the first line of `flow`.
fn push_anchor(flow: &mut [Flow], anchor: Option<String>) {
    let Some(id) = anchor else { return };
    let first = flow.iter_mut().find_map(|f| match f {
        Flow::Line(line) => Some(line),
        _ => None,
    });
    if let Some(line) = first {
        line.items
            .push(Item::Anchor(Box::new(AnchorItem { id, y: Pt::ZERO })));
    }
}

/// Marks the items `block` gets from now on as `node`'s (`typeset::structure`).
fn mark_from(block: &mut FlowLine, node: Option<NodeId>) {
    let first = u32::try_from(block.items.len()).unwrap_or(u32::MAX);
    match block.marks.last_mut() {
        Some(last) if last.first == first => last.node = node,
        _ => block.marks.push(LineMark { first, node }),
    }
}
