//! Front matter drawn from the book's metadata: cover, half title, title page, copyright
//! page, and the compact title block a handout opens with instead.

use super::blocks::keep_together;
use super::Composer;
use crate::fonts::Style;
use crate::typeset::layout::{moved, ImageItem, Item, Page, PageKind, RuleItem};
use crate::typeset::page::{Flow, FlowLine};
use crate::typeset::paragraph::{set_paragraph, Alignment, ParagraphSpec, Pieces, TextStyle};
use crate::units::Pt;

/// Punctuation a title is best broken after.
const TITLE_BREAK_MARKS: &[char] = &[':', ';', ',', '—', '–'];

/// The longest display text broken evenly (longer, it is a paragraph: the setter breaks it).
const MAX_BALANCED_CHARS: usize = 200;

/// How much longer (as a factor) the longest line of a title broken after punctuation may
/// be than that of the most even break, and still be preferred.
const TITLE_PUNCTUATION_PREFERENCE: f64 = 1.35;

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
            marks: Vec::new(),
        })
    }

    fn centered_lines(
        &mut self,
        text: &str,
        style: &TextStyle,
        leading: Pt,
        top: Pt,
        page_index: usize,
    ) -> (Vec<Item>, Pt) {
        let width = self.profile.text_width();
        let spec = ParagraphSpec::plain(width, leading, Alignment::Centered);
        let mut pieces = Pieces::new();
        for (n, part) in self
            .balanced_lines(text, style, width)
            .into_iter()
            .enumerate()
        {
            if n > 0 {
                pieces.hard_break();
            }
            pieces.text(part, style);
        }
        let lines = set_paragraph(&pieces, &spec, &mut self.ctx);
        let left = self.profile.text_left(page_index);
        let mut items = Vec::new();
        let mut y = top;
        for line in lines {
            items.extend(moved(line.items, left, y));
            y += line.height;
        }
        (items, y)
    }

    /// A display line (a title) that does not fit the measure, broken into lines of even
    /// length: after a colon, a dash, a semicolon or a comma when one stands near enough to
    /// the middle, else between the words that make the longest line shortest. Parts still
    /// too wide are broken by the paragraph setter.
    fn balanced_lines(&mut self, text: &str, style: &TextStyle, width: Pt) -> Vec<String> {
        let text = text.trim();
        let measure = |composer: &mut Self, part: &str| -> f64 {
            let run = composer.ctx.shape(part.trim(), style);
            let wide = f64::from(run.width());
            composer.ctx.forget(part.trim(), style);
            wide
        };
        // Each break is measured: only a title's length is worth it.
        if text.chars().count() > MAX_BALANCED_CHARS || measure(self, text) <= width.get() {
            return vec![text.to_string()];
        }
        let spaces: Vec<usize> = text.match_indices(' ').map(|(at, _)| at).collect();
        let mut best: Option<(f64, usize)> = None;
        for &at in &spaces {
            let (left, right) = (&text[..at], &text[at + 1..]);
            let longest = measure(self, left).max(measure(self, right));
            let at_punctuation = left.ends_with(TITLE_BREAK_MARKS) || right.starts_with('—');
            // A break after punctuation is preferred unless it makes the longest line
            // much longer than the most even break.
            let score = if at_punctuation {
                longest / TITLE_PUNCTUATION_PREFERENCE
            } else {
                longest
            };
            if best.is_none_or(|(b, _)| score < b) {
                best = Some((score, at));
            }
        }
        match best {
            Some((_, at)) => vec![text[..at].to_string(), text[at + 1..].to_string()],
            None => vec![text.to_string()],
        }
    }

    pub(super) fn half_title_page(&mut self) -> Page {
        let design = &self.design().half_title;
        let style = TextStyle::serif(design.size.at(self.profile.font_size).to_f32());
        let top = self.profile.page_height * design.top;
        let title = self.book.meta.title.clone();
        let leading = self.profile.leading * design.leading;
        let (items, _) = self.centered_lines(&title, &style, leading, top, 0);
        front_page(items)
    }

    pub(super) fn title_page(&mut self) -> Page {
        let meta = self.book.meta.clone();
        let body = self.profile.font_size;
        let design = &self.design().title_page;
        let mut y = self.profile.page_height * design.top;
        let mut items = Vec::new();
        let (title, next) = self.centered_lines(
            &meta.title,
            &TextStyle::serif(design.title_size.at(body).to_f32()),
            design.title_leading.at(body),
            y,
            0,
        );
        items.extend(title);
        y = next + design.after_title.at(body);
        if let Some(subtitle) = &meta.subtitle {
            let (sub, next) = self.centered_lines(
                subtitle,
                &self.body().with_style(design.subtitle_face),
                design.subtitle_leading.at(body),
                y,
                0,
            );
            items.extend(sub);
            y = next;
        }
        y += design.before_names.at(body);
        let names: Vec<String> = meta.contributors.iter().map(|c| c.name.clone()).collect();
        if !names.is_empty() {
            let (who, _) = self.centered_lines(
                &names.join(", "),
                &TextStyle::serif(design.names_size.at(body).to_f32()),
                design.names_leading.at(body),
                y,
                0,
            );
            items.extend(who);
        }
        if let Some(publisher) = &meta.publisher {
            let raise = design.publisher_raise.at(body);
            let bottom = self.profile.page_height - self.profile.bottom - raise;
            let leading = design.publisher_leading.at(body);
            let (p, _) = self.centered_lines(publisher, &self.body(), leading, bottom, 0);
            items.extend(p);
        }
        front_page(items)
    }

    pub(super) fn copyright_page(&mut self) -> Page {
        let meta = self.book.meta.clone();
        let design = &self.design().copyright;
        let size = design.size.at(self.profile.font_size).to_f32();
        let style = TextStyle::serif(size);
        let serif = self
            .ctx
            .fonts
            .face(self.ctx.fonts.primary(self.body().choice));
        let family = serif
            .family_name()
            .unwrap_or_else(|| serif.postscript_name().to_string());
        let paragraphs = copyright_paragraphs(&meta, &family);
        // A narrow column set ragged right: justified, its short lines of names and long
        // identifiers would open wide gaps between words.
        let width = self.profile.text_width() * design.measure;
        let leading = design.leading.at(Pt::from_f32(size));
        let mut lines = Vec::new();
        for text in paragraphs {
            let spec = ParagraphSpec::plain(width, leading, Alignment::Ragged);
            lines.extend(set_paragraph(
                &Pieces::one(text, &style),
                &spec,
                &mut self.ctx,
            ));
            lines.push(FlowLine {
                height: leading * design.paragraph_gap,
                ..FlowLine::default()
            });
        }
        let height: Pt = lines.iter().map(|l| l.height).sum();
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
            marks: Vec::new(),
        }
    }

    /// The compact title block a handout opens with instead of front-matter pages: the
    /// book's title, the chapters it holds (when more than one: a single chapter's title
    /// follows just below), the authors and date, and a rule across the measure. The first
    /// chapter begins under it, on the same page.
    pub(super) fn title_block_flow(&mut self, chapters: &[usize]) -> Vec<Flow> {
        let body = self.profile.font_size;
        let design = &self.design().title_block;
        let mut flow = Vec::new();
        let lines = [
            (self.book.meta.title.clone(), design.title, Style::Regular),
            (
                self.title_block_chapters(chapters),
                design.chapters,
                design.chapters_face,
            ),
            (self.title_block_byline(), design.byline, Style::Regular),
        ];
        for (text, scale, style) in lines {
            if text.is_empty() {
                continue;
            }
            let size = scale.at(body);
            let style = TextStyle::serif(size.to_f32()).with_style(style);
            let pieces = Pieces::one(text, &style);
            self.centered(&pieces, design.leading.at(size), &mut flow);
        }
        let gap = self.profile.leading * design.rule_gap;
        let rule = RuleItem {
            x: Pt::ZERO,
            y: gap,
            width: self.profile.text_width(),
            thickness: design.rule,
        };
        flow.push(Flow::Line(FlowLine {
            height: gap,
            items: vec![Item::Rule(Box::new(rule))],
            ..FlowLine::default()
        }));
        keep_together(&mut flow);
        flow.push(Flow::Space(self.profile.leading * design.space_after));
        flow
    }

    /// The handout's chapters as the contents names them ("3. The Rise of Pol Pot"), joined;
    /// empty for a single chapter. Beyond the design's `max_chapters`, the first and last.
    fn title_block_chapters(&self, chapters: &[usize]) -> String {
        let design = &self.design().title_block;
        let toc = crate::toc::build_toc(self.book);
        let titles: Vec<&str> = chapters
            .iter()
            .filter(|&&i| self.book.chapters.get(i).is_some_and(|c| !c.generated))
            .filter_map(|&i| toc.iter().find(|entry| entry.chapter == i))
            .map(|entry| entry.title.as_str())
            .collect();
        match titles.as_slice() {
            [] | [_] => String::new(),
            [first, .., last] if titles.len() > design.max_chapters => {
                format!("{first} … {last}")
            }
            _ => titles.join(design.separator),
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
        parts.join(self.design().title_block.separator)
    }
}

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
    let identifier: Vec<String> = meta
        .identifier_lines()
        .iter()
        .map(|l| sentence(l))
        .collect();
    vec![
        book.join(" "),
        format!(
            "{} Typeset with octavo in {typeface}.",
            identifier.join(" ")
        ),
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
        marks: Vec::new(),
    }
}
