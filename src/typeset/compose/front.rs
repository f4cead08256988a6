//! Front matter drawn from the book's metadata: cover, half title, title page, copyright
//! page, and the compact title block a handout opens with instead.

use super::blocks::keep_together;
use super::Composer;
use crate::fonts::Style;
use crate::typeset::layout::{moved, ImageItem, Item, Page, PageKind, RuleItem};
use crate::typeset::page::{Flow, FlowLine};
use crate::typeset::paragraph::{set_paragraph, Alignment, ParagraphSpec, Pieces, TextStyle};

impl<'a, 'f> Composer<'a, 'f> {
    /// The cover, as the first page of a screen PDF of the whole book. A print interior
    /// (two-sided) never carries it: the cover is printed on its own stock, and page 1 of
    /// the interior is the half title, a recto. A handout has none either.
    pub(super) fn cover_page(&self) -> Option<Page> {
        if self.profile.two_sided || self.handout {
            return None;
        }
        let index = self.book.meta.cover?;
        let asset = self.book.images.get(index)?;
        if asset.width == 0 || asset.height == 0 {
            return None;
        }
        let (pw, ph) = (self.profile.page_width, self.profile.page_height);
        let scale = (pw / f64::from(asset.width)).max(ph / f64::from(asset.height));
        let (w, h) = (
            f64::from(asset.width) * scale,
            f64::from(asset.height) * scale,
        );
        Some(Page {
            items: vec![Item::Image(Box::new(ImageItem {
                image: index,
                x: (pw - w) / 2.0,
                y: (ph - h) / 2.0,
                width: w,
                height: h,
            }))],
            label: None,
            kind: PageKind::Cover,
        })
    }

    fn centered_lines(
        &mut self,
        text: &str,
        style: &TextStyle,
        leading: f64,
        top: f64,
        page_index: usize,
    ) -> (Vec<Item>, f64) {
        let width = self.profile.text_width();
        let spec = ParagraphSpec::plain(width, leading, Alignment::Centered);
        let lines = set_paragraph(&Pieces::one(text, style), &spec, &mut self.ctx);
        let left = self.profile.text_left(page_index);
        let mut items = Vec::new();
        let mut y = top;
        for line in lines {
            items.extend(moved(line.items, left, y));
            y += line.height;
        }
        (items, y)
    }

    pub(super) fn half_title_page(&mut self) -> Page {
        let style = TextStyle::serif((self.profile.font_size * 1.5) as f32);
        let top = self.profile.page_height * 0.28;
        let title = self.book.meta.title.clone();
        let (items, _) = self.centered_lines(&title, &style, self.profile.leading * 1.6, top, 0);
        front_page(items)
    }

    pub(super) fn title_page(&mut self) -> Page {
        let meta = self.book.meta.clone();
        let body = self.profile.font_size;
        let mut y = self.profile.page_height * 0.22;
        let mut items = Vec::new();
        let (title, next) = self.centered_lines(
            &meta.title,
            &TextStyle::serif((body * 2.1) as f32),
            body * 2.6,
            y,
            0,
        );
        items.extend(title);
        y = next + body;
        if let Some(subtitle) = &meta.subtitle {
            let (sub, next) = self.centered_lines(
                subtitle,
                &self.body().with_style(Style::Italic),
                body * 1.6,
                y,
                0,
            );
            items.extend(sub);
            y = next;
        }
        y += body * 3.0;
        let names: Vec<String> = meta.contributors.iter().map(|c| c.name.clone()).collect();
        if !names.is_empty() {
            let (who, _) = self.centered_lines(
                &names.join(", "),
                &TextStyle::serif((body * 1.2) as f32),
                body * 1.6,
                y,
                0,
            );
            items.extend(who);
        }
        if let Some(publisher) = &meta.publisher {
            let bottom = self.profile.page_height - self.profile.bottom - body * 2.0;
            let (p, _) = self.centered_lines(publisher, &self.body(), body * 1.4, bottom, 0);
            items.extend(p);
        }
        front_page(items)
    }

    pub(super) fn copyright_page(&mut self) -> Page {
        let meta = self.book.meta.clone();
        let size = (self.profile.font_size * 0.85) as f32;
        let style = TextStyle::serif(size);
        let serif = self
            .ctx
            .fonts
            .face(self.ctx.fonts.primary(self.body().choice));
        let family = serif
            .family_name()
            .unwrap_or_else(|| serif.postscript_name().to_string());
        let paragraphs = copyright_paragraphs(&meta, &family);
        // A narrow justified column, as copyright pages are usually set.
        let width = self.profile.text_width() * 0.7;
        let leading = f64::from(size) * 1.35;
        let mut lines = Vec::new();
        for text in paragraphs {
            let spec = ParagraphSpec::plain(width, leading, Alignment::Justified);
            lines.extend(set_paragraph(
                &Pieces::one(text, &style),
                &spec,
                &mut self.ctx,
            ));
            lines.push(FlowLine {
                height: leading * 0.6,
                ..FlowLine::default()
            });
        }
        let height: f64 = lines.iter().map(|l| l.height).sum();
        let index = if self.profile.two_sided { 1 } else { 0 };
        let left = self.profile.text_left(index);
        let mut y = self.profile.page_height - self.profile.bottom - height;
        let mut items = Vec::new();
        for line in lines {
            items.extend(moved(line.items, left, y));
            y += line.height;
        }
        Page {
            items,
            label: None,
            kind: PageKind::Front,
        }
    }

    /// The compact title block a handout opens with instead of front-matter pages: the
    /// book's title, the chapters it holds (when more than one: a single chapter's title
    /// follows just below), the authors and date, and a rule across the measure. The first
    /// chapter begins under it, on the same page.
    pub(super) fn title_block_flow(&mut self, chapters: &[usize]) -> Vec<Flow> {
        let body = self.profile.font_size;
        let mut flow = Vec::new();
        let lines = [
            (
                self.book.meta.title.clone(),
                TITLE_BLOCK.title,
                Style::Regular,
            ),
            (
                self.title_block_chapters(chapters),
                TITLE_BLOCK.chapters,
                Style::Italic,
            ),
            (
                self.title_block_byline(),
                TITLE_BLOCK.byline,
                Style::Regular,
            ),
        ];
        for (text, scale, style) in lines {
            if text.is_empty() {
                continue;
            }
            let size = body * scale;
            let style = TextStyle::serif(size as f32).with_style(style);
            let pieces = Pieces::one(text, &style);
            self.centered(&pieces, size * TITLE_BLOCK.leading, &mut flow);
        }
        let gap = self.profile.leading * TITLE_BLOCK.rule_gap;
        let rule = RuleItem {
            x: 0.0,
            y: gap,
            width: self.profile.text_width(),
            thickness: TITLE_BLOCK.rule,
        };
        flow.push(Flow::Line(FlowLine {
            height: gap,
            items: vec![Item::Rule(Box::new(rule))],
            ..FlowLine::default()
        }));
        keep_together(&mut flow);
        flow.push(Flow::Space(self.profile.leading * TITLE_BLOCK.space_after));
        flow
    }

    /// The handout's chapters as the contents names them ("3. The Rise of Pol Pot"), joined;
    /// empty for a single chapter. Beyond [`TITLE_BLOCK_MAX_CHAPTERS`], the first and last.
    fn title_block_chapters(&self, chapters: &[usize]) -> String {
        let toc = crate::toc::build_toc(self.book);
        let titles: Vec<&str> = chapters
            .iter()
            .filter(|&&i| self.book.chapters.get(i).is_some_and(|c| !c.generated))
            .filter_map(|&i| toc.get(i).map(|entry| entry.title.as_str()))
            .collect();
        match titles.as_slice() {
            [] | [_] => String::new(),
            [first, .., last] if titles.len() > TITLE_BLOCK_MAX_CHAPTERS => {
                format!("{first} … {last}")
            }
            _ => titles.join(TITLE_BLOCK_SEPARATOR),
        }
    }

    /// The authors (and other contributors) and the date.
    fn title_block_byline(&self) -> String {
        let meta = &self.book.meta;
        let names: Vec<&str> = meta.contributors.iter().map(|c| c.name.as_str()).collect();
        let parts: Vec<String> = [
            (!names.is_empty()).then(|| names.join(", ")),
            meta.date.clone(),
        ]
        .into_iter()
        .flatten()
        .collect();
        parts.join(TITLE_BLOCK_SEPARATOR)
    }
}

/// The handout title block's type: sizes in multiples of the body size, leading in
/// multiples of each line's size, the rule's thickness in points, the space between the
/// last line and the rule and after the rule in multiples of the body leading.
struct TitleBlockStyle {
    title: f64,
    chapters: f64,
    byline: f64,
    leading: f64,
    rule: f64,
    rule_gap: f64,
    space_after: f64,
}

/// A title between the body and the level-1 section headings in size (the chapter title
/// below it is the larger), the chapters at body size in italic, the byline at the running
/// heads' size, a hairline rule.
const TITLE_BLOCK: TitleBlockStyle = TitleBlockStyle {
    title: 1.35,
    chapters: 1.0,
    byline: 0.85,
    leading: 1.3,
    rule: 0.4,
    rule_gap: 0.6,
    space_after: 1.6,
};

/// Most chapters the title block names one by one.
const TITLE_BLOCK_MAX_CHAPTERS: usize = 6;

/// Between the chapter titles, and between the names and the date, in the title block.
const TITLE_BLOCK_SEPARATOR: &str = " · ";

/// The copyright page's text as two paragraphs of running prose (the book, its publication,
/// rights and licence; then its identifier and a colophon naming `typeface`), so that the narrow justified
/// column is a compact block of full lines rather than a ragged list of fragments.
fn copyright_paragraphs(meta: &crate::doc::Meta, typeface: &str) -> Vec<String> {
    let title = match &meta.subtitle {
        Some(s) => format!("{}: {}", meta.title, s),
        None => meta.title.clone(),
    };
    let published: Vec<&str> = [meta.publisher.as_deref(), meta.date.as_deref()]
        .into_iter()
        .flatten()
        .collect();
    let mut book = vec![sentence(&title)];
    if !published.is_empty() {
        book.push(sentence(&published.join(", ")));
    }
    if let Some(text) = &meta.rights {
        book.push(sentence(text));
    }
    if let Some(license) = &meta.license {
        book.push(format!("Licence: {license}."));
    }
    let identifier = match &meta.identifier {
        crate::doc::Identifier::Isbn(isbn) => format!("ISBN {isbn}."),
        crate::doc::Identifier::Uuid(uuid) => format!("Identifier: urn:uuid:{uuid}."),
    };
    vec![
        book.join(" "),
        format!("{identifier} Typeset with octavo in {typeface}."),
    ]
}

/// `text` ending in a full stop (unless it already ends in sentence punctuation).
fn sentence(text: &str) -> String {
    let trimmed = text.trim_end();
    if trimmed.ends_with(['.', '!', '?']) {
        trimmed.to_string()
    } else {
        format!("{trimmed}.")
    }
}

fn front_page(items: Vec<Item>) -> Page {
    Page {
        items,
        label: None,
        kind: PageKind::Front,
    }
}
