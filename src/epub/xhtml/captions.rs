//! Captioned elements in XHTML: figures (`<figure>` and `<figcaption>`), tables (`<caption>`)
//! and listings (a `<figure class="listing">` around the code), each with its anchor id and
//! its number in a `<span class="caption-label">` before the caption text.

use super::{escape, Writer};
use crate::doc::{
    label_anchor, CaptionSide, CodeToken, Figure, Image, Inline, Listing, Numbered, Table,
};
use crate::highlight::LineMarks;

impl Writer<'_> {
    pub(super) fn figure(&mut self, figure: &Figure) {
        let id = anchor_of(figure.number.as_ref(), figure.label());
        self.out
            .push_str(&format!("<figure{}>\n", id_attribute(id.as_deref())));
        let side = self.book.meta.numbering.figure_caption;
        if side == CaptionSide::Above {
            self.caption("figcaption", figure.number.as_ref(), &figure.caption);
        }
        let untitled = Image {
            title: String::new(),
            ..figure.image.clone()
        };
        self.image(&untitled, "");
        self.out.push('\n');
        if side == CaptionSide::Below {
            self.caption("figcaption", figure.number.as_ref(), &figure.caption);
        }
        self.out.push_str("</figure>\n");
    }

    /// A table in a wrapper that scrolls sideways when the table is wider than the screen
    /// (a phone's), focusable so that it can be scrolled from the keyboard.
    pub(super) fn table(&mut self, table: &Table) {
        let id = anchor_of(table.number.as_ref(), table.attrs.id.as_deref());
        let below = self.book.meta.numbering.table_caption == CaptionSide::Below;
        let class = if below && has_caption(table.number.as_ref(), &table.caption) {
            " class=\"caption-below\""
        } else {
            ""
        };
        self.out.push_str(&format!(
            "<div class=\"table-wrap\" tabindex=\"0\">\n<table{}{class}>\n",
            id_attribute(id.as_deref())
        ));
        self.caption("caption", table.number.as_ref(), &table.caption);
        if !table.head.is_empty() {
            self.out.push_str("<thead>\n");
            self.table_row(&table.head, &table.aligns, "th");
            self.out.push_str("</thead>\n");
        }
        self.out.push_str("<tbody>\n");
        for row in &table.rows {
            self.table_row(row, &table.aligns, "td");
        }
        self.out.push_str("</tbody>\n</table>\n</div>\n");
    }

    /// A listing: the code in a figure, its caption above it.
    pub(super) fn listing(
        &mut self,
        lang: Option<&str>,
        text: &str,
        tokens: &[CodeToken],
        listing: &Listing,
    ) {
        let id = anchor_of(listing.number.as_ref(), listing.attrs.id.as_deref());
        if !has_caption(listing.number.as_ref(), &listing.caption) {
            // An id alone: the code block carries it in a plain figure.
            self.out.push_str(&format!(
                "<figure class=\"listing\"{}>\n",
                id_attribute(id.as_deref())
            ));
            self.code_block(lang, text, tokens, &LineMarks::of(Some(&listing.attrs)));
            self.out.push_str("</figure>\n");
            return;
        }
        self.out.push_str(&format!(
            "<figure class=\"listing\"{}>\n",
            id_attribute(id.as_deref())
        ));
        self.caption("figcaption", listing.number.as_ref(), &listing.caption);
        self.code_block(lang, text, tokens, &LineMarks::of(Some(&listing.attrs)));
        self.out.push_str("</figure>\n");
    }

    /// `<figcaption>` or `<caption>`: "Figure 3.2: " in a span, then the caption's text.
    fn caption(&mut self, tag: &str, number: Option<&Numbered>, content: &[Inline]) {
        self.pages.boundary(&mut self.out);
        if !has_caption(number, content) {
            return;
        }
        self.out.push_str(&format!("<{tag}>"));
        if let Some(number) = number {
            let colon = if content.is_empty() { "" } else { ":" };
            self.out.push_str(&format!(
                "<span class=\"caption-label\">{}{colon}</span>",
                escape(&number.label)
            ));
            if !content.is_empty() {
                self.out.push(' ');
            }
        }
        self.inlines(content);
        self.out.push_str(&format!("</{tag}>\n"));
    }
}

fn has_caption(number: Option<&Numbered>, content: &[Inline]) -> bool {
    number.is_some() || !content.is_empty()
}

/// The anchor of a numbered element, or of a labelled one left unnumbered.
fn anchor_of(number: Option<&Numbered>, label: Option<&str>) -> Option<String> {
    number
        .map(|n| n.anchor.clone())
        .or_else(|| label.map(label_anchor))
}

fn id_attribute(id: Option<&str>) -> String {
    id.map(|id| format!(" id=\"{}\"", escape(id)))
        .unwrap_or_default()
}
