//! Figures: the image scaled into the measure (at most part of the page tall), centred,
//! with its caption below; a figure that does not fit floats to the next page.

use super::Composer;
use crate::doc::Chapter;
use crate::fonts::Style;
use crate::typeset::layout::{moved, ImageItem, Item};
use crate::typeset::page::{Flow, FlowLine};
use crate::typeset::paragraph::{set_paragraph, Alignment, ParagraphSpec, Pieces, TextStyle};

impl<'a, 'f> Composer<'a, 'f> {
    pub(super) fn figure(
        &mut self,
        chapter: &Chapter,
        figure: &crate::doc::Figure,
        x: f64,
        width: f64,
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
        if !matches!(asset.media_type.as_str(), "image/png" | "image/jpeg") || asset.width == 0 {
            let pieces = Pieces::one(
                format!("[{}]", figure.image.alt),
                &self.body().with_style(Style::Italic),
            );
            self.paragraph(
                &pieces,
                x,
                width,
                0.0,
                Alignment::Centered,
                self.profile.leading,
                flow,
            );
            return;
        }
        let max_height = self.profile.text_height() * 0.6;
        let aspect = f64::from(asset.height) / f64::from(asset.width);
        let mut w = width;
        let mut h = w * aspect;
        if h > max_height {
            h = max_height;
            w = h / aspect;
        }
        let mut block = FlowLine {
            height: h + self.profile.leading * 0.6,
            break_after: false,
            items: vec![Item::Image(Box::new(ImageItem {
                image: index,
                x: x + (width - w) / 2.0,
                y: 0.0,
                width: w,
                height: h,
            }))],
            ..FlowLine::default()
        };
        let style = TextStyle {
            size: (self.profile.font_size * 0.88) as f32,
            ..self.body().with_style(Style::Italic)
        };
        let mut pieces = Pieces::new();
        self.pieces(chapter, &figure.caption, &style, &mut pieces);
        let spec = ParagraphSpec::plain(width, self.profile.leading * 0.9, Alignment::Centered);
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
        block.height += self.profile.leading * 0.6;
        block.break_after = true;
        block.float = true;
        flow.push(Flow::Space(self.profile.leading * 0.5));
        flow.push(Flow::Line(block));
    }
}
