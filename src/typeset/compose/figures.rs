//! Figures: the image scaled into the measure (at most part of the page tall), centred,
//! with its caption below; a figure that does not fit floats to the next page.

use super::Composer;
use crate::doc::Chapter;
use crate::typeset::layout::{moved, ImageItem, Item};
use crate::typeset::page::{Flow, FlowLine};
use crate::typeset::paragraph::{set_paragraph, Alignment, ParagraphSpec, Pieces, TextStyle};
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
        let Some(asset) = figure
            .image
            .asset
            .and_then(|i| self.book.images.get(i).map(|a| (i, a)))
        else {
            return;
        };
        let (index, asset) = asset;
        let design = &self.design().figure;
        if !matches!(asset.media_type.as_str(), "image/png" | "image/jpeg") || asset.width == 0 {
            let pieces = Pieces::one(
                format!("[{}]", figure.image.alt),
                &self.body().with_style(design.caption_face),
            );
            self.paragraph(
                &pieces,
                x,
                width,
                Pt::ZERO,
                Alignment::Centered,
                self.profile.leading,
                flow,
            );
            return;
        }
        let max_height = self.profile.text_height() * design.max_height;
        let aspect = f64::from(asset.height) / f64::from(asset.width);
        let mut w = width;
        let mut h = w * aspect;
        if h > max_height {
            h = max_height;
            w = h / aspect;
        }
        let mut block = FlowLine {
            height: h + self.profile.leading * design.gap,
            break_after: false,
            items: vec![Item::Image(Box::new(ImageItem {
                image: index,
                x: x + (width - w) / 2.0,
                y: Pt::ZERO,
                width: w,
                height: h,
            }))],
            ..FlowLine::default()
        };
        let style = TextStyle {
            size: design.caption_size.at(self.profile.font_size).to_f32(),
            ..self.body().with_style(design.caption_face)
        };
        let mut pieces = Pieces::new();
        self.pieces(chapter, &figure.caption, &style, &mut pieces);
        let leading = self.profile.leading * design.caption_leading;
        let spec = ParagraphSpec::plain(width, leading, Alignment::Centered);
        let caption = if pieces.is_empty() {
            Vec::new()
        } else {
            set_paragraph(&pieces, &spec, &mut self.ctx)
        };
        for line in caption {
            let dy = block.height;
            block.items.extend(moved(line.items, x, dy));
            block.height += line.height;
        }
        block.height += self.profile.leading * design.gap;
        block.break_after = true;
        block.float = true;
        flow.push(Flow::Space(self.profile.leading * design.space_before));
        flow.push(Flow::Line(block));
    }
}
