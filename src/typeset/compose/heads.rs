//! Running heads and folios, added to the pages last, when every page's number is known.

use super::contents::is_toc_marker;
use super::{ChapterPages, Composer};
use crate::typeset::layout::{GlyphRun, Item, Page, PageKind};
use crate::typeset::paragraph::TextStyle;
use crate::units::Pt;

impl<'a, 'f> Composer<'a, 'f> {
    /// Running heads (book title on versos, chapter title on rectos) at the top of body
    /// pages, and a folio centred at the foot of every numbered page of running text: body
    /// pages, chapter openings (a drop folio, as in most trade books) and the contents.
    /// Blanks and the display pages of the front matter (half title, title, copyright) get
    /// none. The folio sits at the foot rather than in the head so that it never competes
    /// with the head and reads the same on versos and rectos.
    pub(super) fn add_heads(
        &mut self,
        pages: &mut [Page],
        chapters: &[ChapterPages],
        starts: &[usize],
    ) {
        let book_title = self.book.meta.title.clone();
        let mut current: Option<usize> = None;
        // `starts` ascend with the pages: walk both together (a search per page was
        // quadratic in a book of 100,000 chapters).
        let mut next_start = starts.iter().zip(chapters).peekable();
        for (index, page) in pages.iter_mut().enumerate() {
            while let Some((_, chapter)) = next_start.next_if(|(&s, _)| s <= index) {
                current = Some(chapter.chapter);
            }
            let Some(label) = page.label.clone() else {
                continue;
            };
            // A dedication or an epigraph stands alone on its page, without a folio.
            let special_opening = page.kind == PageKind::Opening
                && current.is_some_and(|c| self.book.chapters[c].is_special_page());
            let wants_folio = matches!(page.kind, PageKind::Body | PageKind::Opening)
                && !special_opening
                || (page.kind == PageKind::Front && page.items.iter().any(is_toc_marker));
            if !wants_folio {
                continue;
            }
            let recto = !self.profile.two_sided || index % 2 == 0;
            if page.kind == PageKind::Body {
                let head = match current {
                    Some(chapter) if recto => {
                        crate::doc::plain_text(&self.book.chapters[chapter].title)
                    }
                    _ => book_title.clone(),
                };
                let item = self.head_line(&head, index);
                page.items.extend(item);
            }
            let folio = self.folio(&label, index);
            page.items.push(folio);
        }
    }

    /// The running head, centred in small italic above the text block.
    fn head_line(&mut self, head: &str, page_index: usize) -> Option<Item> {
        if head.is_empty() {
            return None;
        }
        let design = &self.design().heads;
        let style = TextStyle {
            size: self.head_size(),
            ..self.body().with_style(design.head_face)
        };
        let run = self
            .ctx
            .shape(&truncate_chars(head, design.max_chars), &style);
        let left = self.profile.text_left(page_index);
        let x = left + (self.profile.text_width() - Pt::from_f32(run.width())).max(Pt::ZERO) / 2.0;
        let baseline = self.profile.top - self.profile.leading * design.head_raise;
        Some(Item::Glyphs(GlyphRun {
            x,
            y: baseline,
            run,
        }))
    }

    /// The page number, centred below the text block (two lines under its last baseline).
    pub(super) fn folio(&mut self, label: &str, page_index: usize) -> Item {
        let style = TextStyle {
            size: self.head_size(),
            ..self.body()
        };
        let run = self.ctx.shape(label, &style);
        let left = self.profile.text_left(page_index);
        let x = left + (self.profile.text_width() - Pt::from_f32(run.width())).max(Pt::ZERO) / 2.0;
        let drop = self.profile.leading * self.design().heads.folio_drop;
        let baseline = self.profile.top + self.profile.text_height() + drop;
        Item::Glyphs(GlyphRun {
            x,
            y: baseline,
            run,
        })
    }

    /// Size of running heads and folios: a step below the body.
    fn head_size(&self) -> f32 {
        self.design().heads.size.at(self.profile.font_size).to_f32()
    }
}

fn truncate_chars(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let cut: String = text.chars().take(max - 1).collect();
    format!("{}…", cut.trim_end())
}
