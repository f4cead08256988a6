//! Composition: the resolved book to pages of the layout IR.
//!
//! Each chapter's blocks become a vertical flow of set lines (paragraphs through the
//! Knuth-Plass breaker) that the page builder cuts into pages; front matter is drawn from the
//! metadata; the contents are set twice (once to count their pages, once with the real
//! numbers); running heads and folios are added last, when every page's number is known.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use super::font::{FaceChoice, Family, Style};
use super::layout_ir::{
    moved, AnchorItem, GlyphRun, ImageItem, Item, LinkDest, LinkItem, Page, PageKind, RuleItem,
};
use super::page::{
    build_pages, paragraph_breaks, Flow, FlowLine, NoteLines, PageContent, PageSpec,
};
use super::paragraph::{
    set_paragraph, slice_run, Alignment, NoteCall, ParagraphSpec, Pieces, TextContext, TextStyle,
};
use super::profile::Profile;
use crate::doc::{Align, Block, Book, Chapter, Division, Inline, LinkTarget, List, Table};
use crate::locale::Terms;

/// Everything the renderer and the finishing step need.
#[derive(Debug, Default)]
pub struct Composition {
    /// The pages.
    pub pages: Vec<Page>,
    /// Anchor id → (page index, y from the top).
    pub anchors: BTreeMap<String, (usize, f64)>,
    /// For each chapter, the index of its first page.
    pub chapter_pages: Vec<usize>,
    /// Index of the first page numbered in arabic (the first body chapter).
    pub first_arabic: Option<usize>,
}

/// Composes one book.
pub struct Composer<'a, 'f> {
    book: &'a Book,
    profile: &'a Profile,
    /// Fonts, shaping cache and hyphenation.
    pub ctx: TextContext<'f>,
    terms: &'static Terms,
    /// Composing a handout (some chapters), not the book.
    handout: bool,
    /// The chapter whose first page opens with the handout's title block, and the chapters
    /// the block names.
    title_block: Option<(usize, std::sync::Arc<[usize]>)>,
}

/// Most threads chapters are set on (beyond this, memory grows faster than speed).
const MAX_WORKERS: usize = 8;

/// A chapter cut into page contents, before numbering.
struct ChapterPages {
    chapter: usize,
    pages: Vec<PageContent>,
}

impl<'a, 'f> Composer<'a, 'f> {
    /// A composer for `book` in `profile`.
    pub fn new(book: &'a Book, profile: &'a Profile, ctx: TextContext<'f>) -> Self {
        Composer {
            book,
            profile,
            ctx,
            terms: crate::locale::terms(&book.meta.language),
            handout: false,
            title_block: None,
        }
    }

    fn body(&self) -> TextStyle {
        TextStyle::serif(self.profile.font_size as f32)
    }

    /// Page geometry for a chapter (balanced spreads) or, with `balance` false, the contents.
    fn spec(&self, drop: f64, balance: bool) -> PageSpec {
        PageSpec {
            text_height: self.profile.text_height(),
            note_gap: self.profile.leading,
            first_page_drop: drop,
            line: if balance { self.profile.leading } else { 0.0 },
            two_sided: self.profile.two_sided,
        }
    }

    /// Compose the whole book (only the chapters whose indices are in `selected`, when given).
    pub fn compose(&mut self, selected: Option<&[usize]>) -> Composition {
        let selected: Option<BTreeSet<usize>> = selected.map(|s| s.iter().copied().collect());
        let chapters: Vec<usize> = (0..self.book.chapters.len())
            .filter(|i| selected.as_ref().is_none_or(|s| s.contains(i)))
            .collect();
        self.handout = selected.is_some();
        let front = self.book.meta.front;
        let any_front = front.half_title || front.title_page || front.copyright || front.toc;
        if self.handout && !any_front {
            let first = chapters.first().copied();
            self.title_block = first.map(|first| (first, chapters.as_slice().into()));
        }
        let mut chapter_pages =
            crate::timing::time("pdf set chapters", || self.set_chapters(&chapters));
        // First pass: count the contents pages with placeholder numbers; second: real numbers.
        let placeholder = PageNumbers::Placeholder;
        let toc_count = self.toc_pages(&chapters, &placeholder).len();
        let composition = crate::timing::time("pdf assemble (count)", || {
            let (toc, pass) = (&chapters, Pass::Count);
            self.assemble(&mut chapter_pages, toc_count, toc, &placeholder, pass)
        });
        let numbers = PageNumbers::Known(
            composition
                .anchors
                .iter()
                .map(|(id, (page, _))| {
                    let label = composition.pages[*page].label.clone().unwrap_or_default();
                    (id.clone(), label)
                })
                .collect(),
        );
        // The first composition only served to number the pages: free it before the second.
        drop(composition);
        self.assemble(
            &mut chapter_pages,
            toc_count,
            &chapters,
            &numbers,
            Pass::Final,
        )
    }

    /// Set the chapters' pages, in parallel when there are several chapters and cores.
    ///
    /// Chapters are independent until they are numbered, so each worker thread takes the
    /// next chapter from a shared counter and sets it with its own [`TextContext`] (fonts
    /// shared, caches per thread). Results are put back in chapter order and the characters
    /// no font has are merged chapter by chapter, so the output does not depend on which
    /// thread set what.
    fn set_chapters(&mut self, chapters: &[usize]) -> Vec<ChapterPages> {
        crate::progress::phase("typesetting", chapters.len());
        let workers = std::thread::available_parallelism()
            .map_or(1, std::num::NonZeroUsize::get)
            .min(chapters.len())
            .min(MAX_WORKERS);
        if workers <= 1 {
            return chapters
                .iter()
                .map(|&i| {
                    let pages = self.chapter_pages(i);
                    crate::progress::step();
                    ChapterPages { chapter: i, pages }
                })
                .collect();
        }
        let next = std::sync::atomic::AtomicUsize::new(0);
        let (book, profile) = (self.book, self.profile);
        let title_block = &self.title_block;
        let mut done: Vec<(usize, ChapterPages, Vec<char>)> = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..workers)
                .map(|_| {
                    let ctx = self.ctx.fork();
                    let next = &next;
                    scope.spawn(move || {
                        let mut composer = Composer::new(book, profile, ctx);
                        composer.title_block.clone_from(title_block);
                        let mut out = Vec::new();
                        loop {
                            let n = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                            let Some(&chapter) = chapters.get(n) else {
                                break;
                            };
                            let pages = composer.chapter_pages(chapter);
                            crate::progress::step();
                            let missing = std::mem::take(&mut composer.ctx.missing);
                            out.push((n, ChapterPages { chapter, pages }, missing));
                        }
                        out
                    })
                })
                .collect();
            handles
                .into_iter()
                .flat_map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
                .collect()
        });
        done.sort_by_key(|(n, _, _)| *n);
        let mut result = Vec::with_capacity(done.len());
        for (_, pages, missing) in done {
            for c in missing {
                if !self.ctx.missing.contains(&c) {
                    self.ctx.missing.push(c);
                }
            }
            result.push(pages);
        }
        result
    }

    /// Put the book's pages in order: front matter, contents, chapters (with blank versos in
    /// two-sided books), then number them and add heads and folios. The counting pass only
    /// needs where each anchor lands, so it carries the anchors alone; the final pass moves
    /// the chapters' lines onto the pages (the set chapters are used up).
    fn assemble(
        &mut self,
        chapter_pages: &mut [ChapterPages],
        toc_count: usize,
        chapters: &[usize],
        numbers: &PageNumbers,
        pass: Pass,
    ) -> Composition {
        let mut out = Composition::default();
        let mut pages: Vec<Page> = Vec::new();
        let two_sided = self.profile.two_sided;
        if let Some(cover) = self.cover_page() {
            pages.push(cover);
            if two_sided {
                pages.push(blank());
            }
        }
        let front = self.book.meta.front;
        if front.half_title {
            pages.push(self.half_title_page());
            if two_sided {
                pages.push(blank());
            }
        }
        if front.title_page {
            pages.push(self.title_page());
        }
        if front.copyright {
            if two_sided && pages.len() % 2 == 0 {
                pages.push(blank());
            }
            pages.push(self.copyright_page());
        }
        if front.toc {
            self.open_recto(&mut pages);
            let toc = self.toc_pages(chapters, numbers);
            debug_assert!(toc.len() == toc_count || toc_count == 0);
            pages.extend(toc);
        }
        for chapter in chapter_pages.iter_mut() {
            self.open_recto(&mut pages);
            let division = self.book.chapters[chapter.chapter].division;
            if division != Division::Front && out.first_arabic.is_none() {
                out.first_arabic = Some(pages.len());
            }
            out.chapter_pages.push(pages.len());
            for (n, content) in chapter.pages.iter_mut().enumerate() {
                let kind = if n == 0 {
                    PageKind::Opening
                } else {
                    PageKind::Body
                };
                let items = match pass {
                    Pass::Count => anchors_of(content),
                    Pass::Final => self.place_content(std::mem::take(content), pages.len()),
                };
                pages.push(Page {
                    items,
                    label: None,
                    kind,
                });
            }
        }
        self.number_pages(&mut pages, out.first_arabic);
        if pass == Pass::Final {
            self.add_heads(&mut pages, chapter_pages, &out.chapter_pages);
        }
        out.anchors = collect_anchors(&pages);
        out.pages = pages;
        out
    }

    /// In two-sided books a chapter opens on a recto (odd page number, even index).
    fn open_recto(&self, pages: &mut Vec<Page>) {
        if self.profile.two_sided && pages.len() % 2 == 1 {
            pages.push(blank());
        }
    }

    /// Labels: the cover has none; front matter roman from the first page after the cover;
    /// arabic from the first body chapter.
    fn number_pages(&self, pages: &mut [Page], first_arabic: Option<usize>) {
        let start = usize::from(pages.first().is_some_and(|p| p.kind == PageKind::Cover));
        let arabic = first_arabic.unwrap_or(pages.len());
        for (i, page) in pages.iter_mut().enumerate() {
            if page.kind == PageKind::Cover {
                continue;
            }
            page.label = Some(if i >= arabic {
                (i - arabic + 1).to_string()
            } else {
                roman(i + 1 - start)
            });
        }
    }

    /// Chapter pages content placed on the page (translated into page coordinates).
    fn place_content(&self, content: PageContent, page_index: usize) -> Vec<Item> {
        let left = self.profile.text_left(page_index);
        let top = self.profile.top;
        // Sized exactly, with room for the note rule, the running head and the folio: a
        // 4,000-page book holds about a million items, and a vector grown by doubling
        // leaves a third of its room unused.
        let lines = content.body.iter().chain(&content.notes);
        let count: usize = lines.map(|(_, line)| line.items.len()).sum();
        let mut items = Vec::with_capacity(count + 3);
        for (y, line) in content.body.into_iter().chain(content.notes) {
            items.extend(moved(line.items, left, top + y));
        }
        if let Some(rule_y) = content.note_rule {
            items.push(Item::Rule(Box::new(RuleItem {
                x: left,
                y: top + rule_y,
                width: self.profile.text_width() / 3.0,
                thickness: 0.4,
            })));
        }
        items
    }

    /// Running heads (book title on versos, chapter title on rectos) at the top of body
    /// pages, and a folio centred at the foot of every numbered page of running text: body
    /// pages, chapter openings (a drop folio, as in most trade books) and the contents.
    /// Blanks and the display pages of the front matter (half title, title, copyright) get
    /// none. The folio sits at the foot rather than in the head so that it never competes
    /// with the head and reads the same on versos and rectos.
    fn add_heads(&mut self, pages: &mut [Page], chapters: &[ChapterPages], starts: &[usize]) {
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
            let wants_folio = matches!(page.kind, PageKind::Body | PageKind::Opening)
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
        let style = TextStyle {
            size: self.head_size(),
            ..self.body().with_style(Style::Italic)
        };
        let run = self.ctx.shape(&truncate_chars(head, 70), &style);
        let left = self.profile.text_left(page_index);
        let x = left + (self.profile.text_width() - f64::from(run.width())).max(0.0) / 2.0;
        let baseline = self.profile.top - self.profile.leading * 1.5;
        Some(Item::Glyphs(GlyphRun {
            x,
            y: baseline,
            run,
        }))
    }

    /// The page number, centred below the text block (two lines under its last baseline).
    fn folio(&mut self, label: &str, page_index: usize) -> Item {
        let style = TextStyle {
            size: self.head_size(),
            ..self.body()
        };
        let run = self.ctx.shape(label, &style);
        let left = self.profile.text_left(page_index);
        let x = left + (self.profile.text_width() - f64::from(run.width())).max(0.0) / 2.0;
        let baseline = self.profile.top + self.profile.text_height() + self.profile.leading * 1.5;
        Item::Glyphs(GlyphRun {
            x,
            y: baseline,
            run,
        })
    }

    /// Size of running heads and folios: a step below the body.
    fn head_size(&self) -> f32 {
        (self.profile.font_size * 0.85) as f32
    }

    // ----- chapters -------------------------------------------------------------------

    fn chapter_pages(&mut self, index: usize) -> Vec<PageContent> {
        let chapter = &self.book.chapters[index];
        let notes = self.note_lines(chapter);
        let mut flow = Vec::new();
        let mut state = FlowState::default();
        let width = self.profile.text_width();
        for block in &chapter.blocks {
            self.block(chapter, block, 0.0, width, &mut state, &mut flow);
        }
        if chapter.title_id().is_none() {
            let mut title = Vec::new();
            self.chapter_title(chapter, &chapter.title, None, &mut title);
            flow.splice(0..0, title);
        }
        let notes = attach_nested_notes(notes, &flow);
        let mut drop = self.profile.text_height() * 0.18;
        if let Some((_, named)) = self.title_block.clone().filter(|(i, _)| *i == index) {
            let block = self.title_block_flow(&named);
            flow.splice(0..0, block);
            drop = 0.0;
        }
        build_pages(&flow, &notes, &self.spec(drop, true))
    }

    fn note_lines(&mut self, chapter: &Chapter) -> Vec<NoteLines> {
        let size = (self.profile.font_size * 0.82) as f32;
        let leading = self.profile.leading * 0.8;
        let width = self.profile.text_width();
        chapter
            .notes
            .iter()
            .map(|note| {
                let style = TextStyle::serif(size);
                let mut lines: Vec<FlowLine> = Vec::new();
                for (n, block) in note.blocks.iter().enumerate() {
                    let mut pieces = Pieces::new();
                    if n == 0 {
                        pieces.text(format!("{}. ", note.number), &style);
                    }
                    let content = match block {
                        Block::Paragraph { content, .. } => content.clone(),
                        other => block_text(other),
                    };
                    self.pieces(chapter, &content, &style, &mut pieces);
                    let spec = ParagraphSpec::plain(width, leading, Alignment::Justified);
                    let mut set = set_paragraph(&pieces, &spec, &mut self.ctx);
                    if n == 0 {
                        if let Some(first) = set.first_mut() {
                            first.items.push(Item::Anchor(Box::new(AnchorItem {
                                id: note.id.clone(),
                                y: 0.0,
                            })));
                        }
                    }
                    lines.extend(set);
                }
                lines
            })
            .collect()
    }

    /// Set one block, with anchors for the ids raw HTML gave it (link targets like headings).
    fn block(
        &mut self,
        chapter: &Chapter,
        block: &Block,
        x: f64,
        width: f64,
        state: &mut FlowState,
        flow: &mut Vec<Flow>,
    ) {
        let start = flow.len();
        self.block_content(chapter, block, x, width, state, flow);
        let ids = crate::doc::html_ids_of(block);
        let first_line = flow[start..].iter_mut().find_map(|f| match f {
            Flow::Line(line) => Some(line),
            _ => None,
        });
        if let Some(line) = first_line {
            for id in ids {
                line.items
                    .push(Item::Anchor(Box::new(AnchorItem { id, y: 0.0 })));
            }
        }
    }

    fn block_content(
        &mut self,
        chapter: &Chapter,
        block: &Block,
        x: f64,
        width: f64,
        state: &mut FlowState,
        flow: &mut Vec<Flow>,
    ) {
        match block {
            Block::Heading(h) if h.level == 1 && !state.titled => {
                state.titled = true;
                let mut lines = Vec::new();
                self.chapter_title(chapter, &h.content, Some(&h.id), &mut lines);
                flow.extend(lines);
                state.indent_next = false;
            }
            Block::Heading(h) => {
                self.heading(chapter, h.level, &h.content, &h.id, width, flow);
                state.indent_next = false;
            }
            Block::Paragraph { content, .. } => {
                let style = self.body();
                let mut pieces = Pieces::new();
                self.pieces(chapter, content, &style, &mut pieces);
                let indent = if state.indent_next {
                    f64::from(style.size) * 1.2
                } else {
                    0.0
                };
                self.paragraph(
                    &pieces,
                    x,
                    width,
                    indent,
                    Alignment::Justified,
                    self.profile.leading,
                    flow,
                );
                state.indent_next = true;
            }
            Block::Quote { blocks, .. } => {
                let inset = self.profile.font_size * 1.5;
                flow.push(Flow::Space(self.profile.leading * 0.5));
                let mut inner = FlowState {
                    titled: true,
                    ..FlowState::default()
                };
                for b in blocks {
                    self.block(chapter, b, x + inset, width - 2.0 * inset, &mut inner, flow);
                }
                flow.push(Flow::Space(self.profile.leading * 0.5));
                state.indent_next = false;
            }
            Block::List(list) => {
                self.list(chapter, list, x, width, flow);
                state.indent_next = false;
            }
            Block::Code { text, .. } => {
                self.code(text, x, width, flow);
                state.indent_next = false;
            }
            Block::Table(table) => {
                self.table(chapter, table, x, width, flow);
                state.indent_next = false;
            }
            Block::Figure(figure) => {
                self.figure(chapter, figure, x, width, flow);
                state.indent_next = false;
            }
            Block::Rule { .. } => {
                self.scene_break(x, width, flow);
                state.indent_next = false;
            }
            Block::Html { nodes, span } => {
                for b in crate::doc::html::to_blocks(nodes, span) {
                    self.block(chapter, &b, x, width, state, flow);
                }
            }
            Block::References(entries) => {
                for entry in entries {
                    let style = self.body();
                    let mut pieces = Pieces::new();
                    self.pieces(chapter, &entry.content, &style, &mut pieces);
                    let start = flow.len();
                    let spec = ParagraphSpec {
                        width,
                        first_indent: 0.0,
                        rest_indent: f64::from(style.size) * 1.5,
                        leading: self.profile.leading,
                        alignment: Alignment::Justified,
                    };
                    let lines = set_paragraph(&pieces, &spec, &mut self.ctx);
                    self.push_lines(lines, x, flow);
                    if let Some(Flow::Line(first)) = flow.get_mut(start) {
                        first.items.push(Item::Anchor(Box::new(AnchorItem {
                            id: entry.id.clone(),
                            y: 0.0,
                        })));
                    }
                    flow.push(Flow::Space(self.profile.leading * 0.35));
                }
            }
            Block::Container {
                name, blocks, span, ..
            } => {
                if let Some(table) = crate::doc::html::container_table(name, blocks, span) {
                    self.table(chapter, &table, x, width, flow);
                } else {
                    let mut inner = FlowState {
                        titled: true,
                        ..FlowState::default()
                    };
                    for b in blocks {
                        self.block(chapter, b, x, width, &mut inner, flow);
                    }
                }
                state.indent_next = false;
            }
            Block::ReferencesMarker { .. } => {}
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn paragraph(
        &mut self,
        pieces: &Pieces<'_>,
        x: f64,
        width: f64,
        indent: f64,
        alignment: Alignment,
        leading: f64,
        flow: &mut Vec<Flow>,
    ) {
        let spec = ParagraphSpec {
            width,
            first_indent: indent,
            rest_indent: 0.0,
            leading,
            alignment,
        };
        let lines = set_paragraph(pieces, &spec, &mut self.ctx);
        self.push_lines(lines, x, flow);
    }

    /// A centred, unindented paragraph across the measure (titles, labels).
    fn centered(&mut self, pieces: &Pieces<'_>, leading: f64, flow: &mut Vec<Flow>) {
        let width = self.profile.text_width();
        self.paragraph(pieces, 0.0, width, 0.0, Alignment::Centered, leading, flow);
    }

    /// Add set lines to the flow with widow and orphan rules, shifted right by `x`.
    fn push_lines(&self, lines: Vec<FlowLine>, x: f64, flow: &mut Vec<Flow>) {
        let rules = paragraph_breaks(lines.len());
        for (mut line, allowed) in lines.into_iter().zip(rules) {
            line.break_after = allowed;
            if x != 0.0 {
                line.items.iter_mut().for_each(|i| i.translate(x, 0.0));
            }
            flow.push(Flow::Line(line));
        }
    }

    fn chapter_title(
        &mut self,
        chapter: &Chapter,
        content: &[Inline],
        id: Option<&str>,
        flow: &mut Vec<Flow>,
    ) {
        if let Some(number) = chapter.number {
            let style = self.body().with_style(Style::Italic);
            let pieces = Pieces::one(format!("{} {number}", self.terms.chapter), &style);
            self.centered(&pieces, self.profile.leading * 1.6, flow);
        }
        let size = (self.profile.font_size * 1.9) as f32;
        let style = TextStyle::serif(size);
        let mut pieces = Pieces::new();
        self.pieces(chapter, content, &style, &mut pieces);
        let start = flow.len();
        self.centered(&pieces, f64::from(size) * 1.25, flow);
        keep_together(&mut flow[start.saturating_sub(1)..]);
        if let (Some(id), Some(Flow::Line(first))) = (id, flow.get_mut(start)) {
            first.items.push(Item::Anchor(Box::new(AnchorItem {
                id: id.to_string(),
                y: 0.0,
            })));
        }
        flow.push(Flow::Space(self.profile.leading * 2.0));
    }

    fn heading(
        &mut self,
        chapter: &Chapter,
        level: u8,
        content: &[Inline],
        id: &str,
        width: f64,
        flow: &mut Vec<Flow>,
    ) {
        let body = self.profile.font_size as f32;
        let (style, size) = match level {
            1 => (Style::Regular, body * 1.45),
            2 => (Style::Bold, body * 1.1),
            3 => (Style::Italic, body * 1.05),
            _ => (Style::Bold, body),
        };
        let style = TextStyle {
            size,
            ..TextStyle::serif(size).with_style(style)
        };
        let mut pieces = Pieces::new();
        self.pieces(chapter, content, &style, &mut pieces);
        flow.push(Flow::Space(
            self.profile.leading * if level <= 2 { 1.4 } else { 1.0 },
        ));
        let start = flow.len();
        let leading = (f64::from(size) * 1.25).max(self.profile.leading);
        self.paragraph(&pieces, 0.0, width, 0.0, Alignment::Ragged, leading, flow);
        keep_together(&mut flow[start..]);
        if let (Some(Flow::Line(first)), false) = (flow.get_mut(start), id.is_empty()) {
            first.items.push(Item::Anchor(Box::new(AnchorItem {
                id: id.to_string(),
                y: 0.0,
            })));
        }
        flow.push(Flow::Space(self.profile.leading * 0.4));
    }

    fn list(&mut self, chapter: &Chapter, list: &List, x: f64, width: f64, flow: &mut Vec<Flow>) {
        let inset = self.profile.font_size * 1.6;
        flow.push(Flow::Space(self.profile.leading * 0.3));
        for (n, item) in list.items.iter().enumerate() {
            let marker = match (list.start, item.task) {
                (_, Some(true)) => "☑".to_string(),
                (_, Some(false)) => "☐".to_string(),
                (Some(start), None) => format!("{}.", start + n as u64),
                (None, None) => "•".to_string(),
            };
            let start = flow.len();
            let mut state = FlowState {
                titled: true,
                ..FlowState::default()
            };
            for block in &item.blocks {
                self.block(chapter, block, x + inset, width - inset, &mut state, flow);
            }
            let style = self.body();
            let run = self.ctx.shape(&marker, &style);
            let marker_x = x + inset - f64::from(run.width()) - f64::from(style.size) * 0.4;
            if let Some(Flow::Line(first)) = flow[start..]
                .iter_mut()
                .find(|f| matches!(f, Flow::Line(_)))
            {
                let baseline = first.items.iter().find_map(|i| match i {
                    Item::Glyphs(g) => Some(g.y),
                    _ => None,
                });
                let y = baseline.unwrap_or(self.profile.leading * 0.78);
                // The marker comes first in the content stream, so that text extraction and
                // copying read "1. item", not "item 1.".
                first.items.insert(
                    0,
                    Item::Glyphs(GlyphRun {
                        x: marker_x,
                        y,
                        run,
                    }),
                );
            }
        }
        flow.push(Flow::Space(self.profile.leading * 0.3));
    }

    fn code(&mut self, text: &str, x: f64, width: f64, flow: &mut Vec<Flow>) {
        let size = (self.profile.font_size * 0.82) as f32;
        let style = TextStyle {
            choice: FaceChoice::new(Family::Mono, Style::Regular),
            size,
            rise: 0.0,
            link: None,
            strike: false,
        };
        let leading = f64::from(size) * 1.3;
        flow.push(Flow::Space(self.profile.leading * 0.4));
        let mut lines = Vec::new();
        for source_line in text.trim_end_matches('\n').split('\n') {
            let run = self.ctx.shape(&source_line.replace('\t', "    "), &style);
            let mut start = 0;
            let mut first = true;
            while start < run.clusters.len() || (first && run.clusters.is_empty()) {
                let prefix = if first {
                    None
                } else {
                    Some(self.ctx.shape("↪ ", &style))
                };
                let prefix_width = prefix.as_ref().map_or(0.0, |p| f64::from(p.width()));
                let mut end = start;
                let mut used = prefix_width;
                while end < run.clusters.len()
                    && (used + f64::from(run.clusters[end].width) <= width || end == start)
                {
                    used += f64::from(run.clusters[end].width);
                    end += 1;
                }
                let mut line = FlowLine {
                    height: leading,
                    break_after: true,
                    ..FlowLine::default()
                };
                let baseline = leading * 0.78;
                if let Some(prefix) = prefix {
                    line.items.push(Item::Glyphs(GlyphRun {
                        x,
                        y: baseline,
                        run: prefix,
                    }));
                }
                if end > start {
                    let piece = slice_run(&run, start..end);
                    line.items.push(Item::Glyphs(GlyphRun {
                        x: x + prefix_width,
                        y: baseline,
                        run: piece,
                    }));
                }
                lines.push(line);
                start = end;
                first = false;
                if run.clusters.is_empty() {
                    break;
                }
            }
        }
        let rules = paragraph_breaks(lines.len());
        for (mut line, allowed) in lines.into_iter().zip(rules) {
            line.break_after = allowed;
            flow.push(Flow::Line(line));
        }
        flow.push(Flow::Space(self.profile.leading * 0.4));
    }

    fn scene_break(&mut self, x: f64, width: f64, flow: &mut Vec<Flow>) {
        let style = self.body();
        let run = self.ctx.shape("*\u{2003}*\u{2003}*", &style);
        let line = FlowLine {
            height: self.profile.leading * 2.0,
            break_after: true,
            items: vec![Item::Glyphs(GlyphRun {
                x: x + (width - f64::from(run.width())) / 2.0,
                y: self.profile.leading * 1.2,
                run,
            })],
            ..FlowLine::default()
        };
        flow.push(Flow::Line(line));
    }

    fn figure(
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

    /// A table, in as many column groups as the page needs: each group is set as a table of
    /// its own, one after the other, so that no cell's text falls off the page.
    fn table(
        &mut self,
        chapter: &Chapter,
        table: &Table,
        x: f64,
        width: f64,
        flow: &mut Vec<Flow>,
    ) {
        let columns = table.aligns.len().max(table.head.len()).max(1);
        let floor = self
            .profile
            .table_min_font_size
            .min(self.profile.font_size * 0.9);
        let narrowest = floor * MIN_TABLE_COLUMN_EMS;
        let per_group = ((width / narrowest).floor() as usize).max(1);
        let groups = columns.div_ceil(per_group);
        // Groups of equal size, so the last is not left with a column or two.
        let size = columns.div_ceil(groups);
        for first in (0..columns).step_by(size) {
            let group = TableGroup {
                table,
                columns: first..(first + size).min(columns),
            };
            self.table_group(chapter, &group, x, width, flow);
        }
    }

    fn table_group(
        &mut self,
        chapter: &Chapter,
        group: &TableGroup<'_>,
        x: f64,
        width: f64,
        flow: &mut Vec<Flow>,
    ) {
        let layout = self.table_layout(group, width);
        let leading = self.profile.leading * 0.9 * layout.scale;
        flow.push(Flow::Space(self.profile.leading * 0.5));
        let head = group.cells(&group.table.head);
        let header = self.table_row(chapter, head, group, &layout, x, leading, true);
        self.forget_measured(head, &layout, true);
        let mut header_line = header.clone();
        header_line.break_after = false;
        flow.push(Flow::Line(header_line));
        let header = Arc::new(header);
        let rows = &group.table.rows;
        for (n, row) in rows.iter().enumerate() {
            let cells = group.cells(row);
            let mut line = self.table_row(chapter, cells, group, &layout, x, leading, false);
            self.forget_measured(cells, &layout, false);
            line.repeat = Some(Arc::clone(&header));
            line.break_after = n + 1 < rows.len() && n >= 1 && rows.len() - n > 2;
            if n + 1 == rows.len() {
                line.break_after = true;
            }
            flow.push(Flow::Line(line));
        }
        flow.push(Flow::Space(self.profile.leading * 0.5));
    }

    /// Font size, gutter and column widths, from content as a browser's automatic table
    /// layout does: each column gets at least its longest word; what is left goes to the
    /// columns in proportion to how much more their text would need to sit on one line (so a
    /// date column stays narrow and unbroken). When the longest words do not fit side by
    /// side, the table's text is made smaller step by step down to the profile's
    /// `table_min_font_size`; if they still do not fit, the columns share the measure in
    /// proportion to their longest words, which then break where they must.
    fn table_layout(&mut self, group: &TableGroup<'_>, width: f64) -> TableLayout {
        let base = self.table_size();
        let (min, max) = self.column_extents(group, width, base);
        let min_total: f64 = min.iter().sum();
        let floor = (self.profile.table_min_font_size as f32).min(base);
        let mut size = base;
        while f64::from(size / base) * min_total > width && size > floor {
            size = (size * TABLE_SHRINK_STEP).max(floor);
        }
        let scale = if size < base {
            f64::from(size / base)
        } else {
            1.0
        };
        let min: Vec<f64> = min.iter().map(|m| m * scale).collect();
        let max: Vec<f64> = max.iter().map(|m| m * scale).collect();
        let min_total = min_total * scale;
        let gutter = f64::from(size);
        if min_total > width {
            let widths = min.iter().map(|m| m * width / min_total).collect();
            return TableLayout {
                size,
                scale,
                gutter: gutter * SQUEEZED_GUTTER,
                widths,
            };
        }
        TableLayout {
            size,
            scale,
            gutter,
            widths: share_out(&min, &max, width),
        }
    }

    /// Once a row is set at a smaller size than the table was measured at, the shapings made
    /// to measure its cells are of no more use (and the set ones were made from them without
    /// shaping again): they are dropped row by row, so that a table of a million cells is not
    /// held at two sizes.
    fn forget_measured(&mut self, cells: &[Vec<Inline>], layout: &TableLayout, header: bool) {
        let measured = self.table_size();
        if layout.size.to_bits() == measured.to_bits() {
            return;
        }
        let style = TextStyle::serif(measured);
        let style = if header {
            style.with_style(Style::Bold)
        } else {
            style
        };
        for cell in cells {
            let text = crate::doc::plain_text(cell);
            for word in text.split_whitespace() {
                self.ctx.forget(word, &style);
            }
            self.ctx.forget(&text, &style);
        }
    }

    /// The size a table is measured at, and set at when it fits.
    fn table_size(&self) -> f32 {
        (self.profile.font_size * 0.9) as f32
    }

    /// Each column's narrowest width (its longest word, at most half the measure, or its
    /// whole line when that is narrow) and its one-line width, gutter included, at `size`.
    fn column_extents(
        &mut self,
        group: &TableGroup<'_>,
        width: f64,
        size: f32,
    ) -> (Vec<f64>, Vec<f64>) {
        let gutter = f64::from(size);
        let style = TextStyle::serif(size);
        let columns = group.columns.len();
        let mut min = vec![gutter * 2.0; columns];
        let mut max = vec![gutter * 2.0; columns];
        let table = group.table;
        let bold = style.with_style(Style::Bold);
        let rows =
            std::iter::once((&table.head, &bold)).chain(table.rows.iter().map(|r| (r, &style)));
        for (row, style) in rows {
            for (i, cell) in group.cells(row).iter().enumerate().take(columns) {
                let text = crate::doc::plain_text(cell);
                let line = f64::from(self.ctx.shape(&text, style).width()) + gutter;
                let word = text
                    .split_whitespace()
                    .map(|w| f64::from(self.ctx.shape(w, style).width()))
                    .fold(0.0, f64::max)
                    + gutter;
                max[i] = max[i].max(line);
                min[i] = min[i].max(word.min(width / 2.0));
            }
        }
        // Narrow columns (dates, numbers) get their full one-line width first.
        for i in 0..columns {
            if max[i] <= width * 0.3 {
                min[i] = max[i];
            }
        }
        (min, max)
    }

    #[allow(clippy::too_many_arguments)]
    fn table_row(
        &mut self,
        chapter: &Chapter,
        cells: &[Vec<Inline>],
        group: &TableGroup<'_>,
        layout: &TableLayout,
        x: f64,
        leading: f64,
        header: bool,
    ) -> FlowLine {
        let size = layout.size;
        let style = if header {
            TextStyle::serif(size).with_style(Style::Bold)
        } else {
            TextStyle::serif(size)
        };
        let gutter = layout.gutter;
        let mut line = FlowLine {
            height: 0.0,
            break_after: true,
            ..FlowLine::default()
        };
        let mut cell_x = x;
        let widths = &layout.widths;
        for (i, w) in widths.iter().enumerate() {
            let mut pieces = Pieces::new();
            if let Some(cell) = cells.get(i) {
                self.pieces(chapter, cell, &style, &mut pieces);
            }
            // The last column runs to the edge of the measure. Columns follow the Markdown
            // alignment (`---:` right, `:---:` centre); otherwise wide columns are justified
            // (as LaTeX's p columns are) and narrow ones ragged.
            let last = i + 1 == widths.len();
            let text_width = if last { *w } else { (w - gutter).max(gutter) };
            let alignment = match group.align(i) {
                Some(Align::Right) => Alignment::FlushRight,
                Some(Align::Center) => Alignment::Centered,
                Some(Align::Left) => Alignment::Ragged,
                _ if text_width > f64::from(size) * 14.0 => Alignment::Justified,
                _ => Alignment::Ragged,
            };
            let spec = ParagraphSpec::plain(text_width, leading, alignment);
            let lines = if pieces.is_empty() {
                Vec::new()
            } else {
                set_paragraph(&pieces, &spec, &mut self.ctx)
            };
            let mut y = leading * 0.2;
            for l in lines {
                line.notes.extend(l.notes.iter().copied());
                line.items.extend(moved(l.items, cell_x, y));
                y += l.height;
            }
            line.height = line.height.max(y + leading * 0.2);
            cell_x += w;
        }
        let total: f64 = widths.iter().sum();
        line.items.push(Item::Rule(Box::new(RuleItem {
            x,
            y: line.height,
            width: total - gutter,
            thickness: if header { 0.6 } else { 0.25 },
        })));
        line
    }

    // ----- inline content -------------------------------------------------------------

    /// Flatten inlines into pieces in `style`.
    pub fn pieces<'d>(
        &mut self,
        chapter: &Chapter,
        inlines: &'d [Inline],
        style: &TextStyle,
        out: &mut Pieces<'d>,
    ) {
        for inline in inlines {
            match inline {
                Inline::Text { text, .. } if text.contains('\n') => {
                    out.text(text.replace('\n', " "), style)
                }
                Inline::Text { text, .. } => out.text(text.as_str(), style),
                Inline::Emph(c) => {
                    let s = style.with_style(toggle_italic(style.choice.style));
                    self.pieces(chapter, c, &s, out);
                }
                Inline::Strong(c) => {
                    let s = style.with_style(add_bold(style.choice.style));
                    self.pieces(chapter, c, &s, out);
                }
                Inline::Strike(c) => {
                    let s = TextStyle {
                        strike: true,
                        ..style.clone()
                    };
                    self.pieces(chapter, c, &s, out);
                }
                Inline::Code(code) => {
                    let s = TextStyle {
                        choice: FaceChoice::new(Family::Mono, Style::Regular),
                        size: style.size * INLINE_CODE_SCALE,
                        ..style.clone()
                    };
                    out.text(code.as_str(), &s);
                }
                Inline::Link(link) => {
                    let s = TextStyle {
                        link: self.link_dest(&link.target),
                        ..style.clone()
                    };
                    self.pieces(chapter, &link.content, &s, out);
                }
                Inline::Image(image) => out.text(image.alt.as_str(), style),
                Inline::NoteRef(call) => {
                    if let Some(note) = call.note.and_then(|n| chapter.notes.get(n).map(|x| (n, x)))
                    {
                        out.note(NoteCall {
                            number: note.1.number,
                            note: note.0,
                            call_id: call.id.clone(),
                            note_id: note.1.id.clone(),
                            style: style.clone(),
                        });
                    }
                }
                Inline::Cite(cite) => self.pieces(chapter, &cite.rendered, style, out),
                Inline::SoftBreak => out.text(" ", style),
                Inline::HardBreak => out.hard_break(),
                Inline::Html(html) => {
                    let (name, children) = (&html.name, &html.children);
                    let s = html_inline_style(name, style);
                    let quoted = name == "q";
                    if quoted {
                        out.text("“", &s);
                    }
                    self.pieces(chapter, children, &s, out);
                    if quoted {
                        out.text("”", &s);
                    }
                }
            }
        }
    }

    fn link_dest(&self, target: &LinkTarget) -> Option<LinkDest> {
        match target {
            LinkTarget::External(url) => Some(LinkDest::Uri(Arc::from(url.as_str()))),
            LinkTarget::Internal { chapter, anchor } => anchor
                .clone()
                .or_else(|| {
                    self.book
                        .chapters
                        .get(*chapter)
                        .and_then(|c| c.title_id().map(str::to_string))
                })
                .map(|id| LinkDest::Anchor(Arc::from(id))),
            LinkTarget::Anchor(id) => Some(LinkDest::Anchor(Arc::from(id.as_str()))),
            LinkTarget::Raw(_) => None,
        }
    }

    // ----- generated pages ------------------------------------------------------------

    /// The cover, as the first page of a screen PDF of the whole book. A print interior
    /// (two-sided) never carries it: the cover is printed on its own stock, and page 1 of
    /// the interior is the half title, a recto. A handout has none either.
    fn cover_page(&self) -> Option<Page> {
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

    fn half_title_page(&mut self) -> Page {
        let style = TextStyle::serif((self.profile.font_size * 1.5) as f32);
        let top = self.profile.page_height * 0.28;
        let title = self.book.meta.title.clone();
        let (items, _) = self.centered_lines(&title, &style, self.profile.leading * 1.6, top, 0);
        front_page(items)
    }

    fn title_page(&mut self) -> Page {
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

    fn copyright_page(&mut self) -> Page {
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
    fn title_block_flow(&mut self, chapters: &[usize]) -> Vec<Flow> {
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

    /// The contents: one line per chapter and section, dot leaders, page numbers, links.
    fn toc_pages(&mut self, chapters: &[usize], numbers: &PageNumbers) -> Vec<Page> {
        let toc = crate::toc::build_toc(self.book);
        let mut flow = Vec::new();
        let title_style = TextStyle::serif((self.profile.font_size * 1.6) as f32);
        let width = self.profile.text_width();
        let pieces = Pieces::one(self.terms.contents.to_string(), &title_style);
        self.paragraph(
            &pieces,
            0.0,
            width,
            0.0,
            Alignment::Centered,
            self.profile.leading * 2.0,
            &mut flow,
        );
        if let Some(Flow::Line(first)) = flow.first_mut() {
            first.items.push(Item::Anchor(Box::new(AnchorItem {
                id: TOC_ANCHOR.to_string(),
                y: 0.0,
            })));
            first.items.push(toc_marker());
        }
        flow.push(Flow::Space(self.profile.leading));
        let total_entries: usize = toc.iter().map(|e| 1 + e.children.len()).sum();
        let listed: BTreeSet<usize> = chapters.iter().copied().collect();
        for entry in toc.iter().filter(|e| listed.contains(&e.chapter)) {
            let number = numbers.of(entry.anchor.as_deref());
            self.toc_entry(
                &entry.title,
                entry.anchor.as_deref(),
                &number,
                0.0,
                false,
                &mut flow,
            );
            // A contents of thousands of lines helps nobody (and costs memory): beyond
            // MAX_CONTENTS_LINES entries only chapters are listed; the outline keeps all.
            let children: &[crate::toc::TocEntry] = if total_entries > MAX_CONTENTS_LINES {
                &[]
            } else {
                &entry.children
            };
            for child in children {
                let number = numbers.of(child.anchor.as_deref());
                self.toc_entry(
                    &child.title,
                    child.anchor.as_deref(),
                    &number,
                    self.profile.font_size * 1.5,
                    true,
                    &mut flow,
                );
            }
        }
        let pages = build_pages(&flow, &[], &self.spec(0.0, false));
        pages
            .into_iter()
            .enumerate()
            .map(|(n, content)| {
                let mut items = self.place_content(content, n);
                items.push(toc_marker());
                Page {
                    items,
                    label: None,
                    kind: PageKind::Front,
                }
            })
            .collect()
    }

    fn toc_entry(
        &mut self,
        title: &str,
        anchor: Option<&str>,
        number: &str,
        indent: f64,
        small: bool,
        flow: &mut Vec<Flow>,
    ) {
        let size = if small {
            self.profile.font_size * 0.92
        } else {
            self.profile.font_size
        } as f32;
        let style = TextStyle {
            link: anchor.map(|id| LinkDest::Anchor(Arc::from(id))),
            ..TextStyle::serif(size)
        };
        let width = self.profile.text_width();
        let number_run = self.ctx.shape(number, &TextStyle::serif(size));
        let number_width = f64::from(number_run.width());
        // The title's measure leaves room for at least the placeholder the counting pass
        // sets, so that both passes break a long title into the same lines (and the contents
        // keep their page count) while numbers have three digits.
        let placeholder = self
            .ctx
            .shape(PageNumbers::PLACEHOLDER, &TextStyle::serif(size));
        let reserve = number_width.max(f64::from(placeholder.width()));
        let spec = ParagraphSpec {
            width: width - indent - reserve - f64::from(size) * 2.5,
            first_indent: 0.0,
            rest_indent: f64::from(size),
            leading: self.profile.leading,
            alignment: Alignment::Ragged,
        };
        let mut lines = set_paragraph(&Pieces::one(title, &style), &spec, &mut self.ctx);
        if let Some(last) = lines.last_mut() {
            let end = last
                .items
                .iter()
                .filter_map(|i| match i {
                    Item::Glyphs(g) => Some(g.x + g.width()),
                    _ => None,
                })
                .fold(0.0, f64::max);
            let baseline = self.profile.leading * 0.78;
            if !number.is_empty() {
                let dots = self.ctx.shape(" .", &TextStyle::serif(size));
                let dot_width = f64::from(dots.width()).max(1.0);
                let start = indent + end + f64::from(size) * 0.5;
                let stop = width - number_width - f64::from(size) * 0.5;
                let count = ((stop - start) / dot_width).floor().max(0.0) as usize;
                if count > 0 {
                    let leader = self.ctx.shape(&" .".repeat(count), &TextStyle::serif(size));
                    let x = stop - f64::from(leader.width());
                    last.items.push(Item::Glyphs(GlyphRun {
                        x: x - indent,
                        y: baseline,
                        run: leader,
                    }));
                }
                last.items.push(Item::Glyphs(GlyphRun {
                    x: width - number_width - indent,
                    y: baseline,
                    run: number_run,
                }));
            }
            if let Some(target) = style.link.clone() {
                last.items.push(Item::Link(Box::new(LinkItem {
                    x: 0.0,
                    y: 0.0,
                    width: width - indent,
                    height: self.profile.leading,
                    target,
                })));
            }
        }
        let n = lines.len();
        for (i, mut line) in lines.into_iter().enumerate() {
            line.break_after = i + 1 == n;
            line.items.iter_mut().for_each(|i| i.translate(indent, 0.0));
            flow.push(Flow::Line(line));
        }
    }
}

/// Page numbers for the contents: placeholders while counting its pages, then the labels.
enum PageNumbers {
    /// Three-digit stand-ins, as wide as most real numbers.
    Placeholder,
    /// Anchor id → page label.
    Known(BTreeMap<String, String>),
}

impl PageNumbers {
    /// The stand-in for every page number while the contents' pages are counted.
    const PLACEHOLDER: &'static str = "000";

    fn of(&self, anchor: Option<&str>) -> String {
        match (self, anchor) {
            (PageNumbers::Placeholder, _) => PageNumbers::PLACEHOLDER.to_string(),
            (PageNumbers::Known(map), Some(id)) => map.get(id).cloned().unwrap_or_default(),
            (PageNumbers::Known(_), None) => String::new(),
        }
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

/// Notes called only from inside other notes follow the note that calls them: the page
/// builder places the notes that body lines call, so a note called from a note alone never
/// reached the page. Each note is placed once, after the first note (in the order the body
/// calls them) whose lines call it, and the notes it calls follow it in turn.
fn attach_nested_notes(mut notes: Vec<NoteLines>, flow: &[Flow]) -> Vec<NoteLines> {
    let mut placed = vec![false; notes.len()];
    let mut roots = Vec::new();
    for element in flow {
        let Flow::Line(line) = element else { continue };
        let header = line.repeat.as_deref().map(|h| h.notes.as_slice());
        for &n in line.notes.iter().chain(header.unwrap_or_default()) {
            if let Some(seen) = placed.get_mut(n) {
                if !*seen {
                    *seen = true;
                    roots.push(n);
                }
            }
        }
    }
    for root in roots {
        let mut lines = Vec::new();
        let mut stack = vec![root];
        while let Some(n) = stack.pop() {
            let own = std::mem::take(&mut notes[n]);
            let called: Vec<usize> = own.iter().flat_map(|l| l.notes.iter().copied()).collect();
            for &m in called.iter().rev() {
                if placed.get(m) == Some(&false) {
                    placed[m] = true;
                    stack.push(m);
                }
            }
            lines.extend(own);
        }
        notes[root] = lines;
    }
    notes
}

/// Columns of a table set together: all of them, or those that fit the page side by side.
struct TableGroup<'t> {
    table: &'t Table,
    columns: std::ops::Range<usize>,
}

impl TableGroup<'_> {
    /// The cells of `row` in this group's columns.
    fn cells<'r>(&self, row: &'r [Vec<Inline>]) -> &'r [Vec<Inline>] {
        let end = self.columns.end.min(row.len());
        row.get(self.columns.start.min(end)..end)
            .unwrap_or_default()
    }

    /// The Markdown alignment of the group's `i`th column.
    fn align(&self, i: usize) -> Option<&Align> {
        self.table.aligns.get(self.columns.start + i)
    }
}

/// How a table (or column group) is set.
struct TableLayout {
    /// Font size of its text.
    size: f32,
    /// That size over the usual table size (1 unless the table had to be made smaller).
    scale: f64,
    /// Space between columns.
    gutter: f64,
    /// Width of each column, gutter included.
    widths: Vec<f64>,
}

/// Each step of shrinking a table too wide for the page multiplies its font size by this.
const TABLE_SHRINK_STEP: f32 = 0.92;

/// The narrowest column, in ems of the smallest table text: a table with more columns than
/// fit at this width is set in groups of columns.
const MIN_TABLE_COLUMN_EMS: f64 = 4.0;

/// The gutter of a table whose longest words do not fit even at the smallest size, as a
/// fraction of the usual one (an em).
const SQUEEZED_GUTTER: f64 = 0.5;

/// Column widths filling `width` from each column's narrowest (`min`) and one-line (`max`)
/// widths, whose narrowest widths fit side by side.
fn share_out(min: &[f64], max: &[f64], width: f64) -> Vec<f64> {
    let min_total: f64 = min.iter().sum();
    let spare = (width - min_total).max(0.0);
    let wants: Vec<f64> = max.iter().zip(min).map(|(a, b)| (a - b).max(0.0)).collect();
    let want_total: f64 = wants.iter().sum();
    if want_total <= spare {
        // Everything fits on one line per cell: share the rest out evenly to fill the measure.
        let extra = (spare - want_total) / min.len().max(1) as f64;
        return max.iter().map(|m| m + extra).collect();
    }
    min.iter()
        .zip(&wants)
        .map(|(m, w)| m + spare * w / want_total.max(1e-9))
        .collect()
}

/// Above this many entries the printed contents lists chapters only.
pub const MAX_CONTENTS_LINES: usize = 1000;

/// The anchor the contents page carries (outline and landmarks point at it).
pub const TOC_ANCHOR: &str = "octavo-contents";

fn toc_marker() -> Item {
    Item::Anchor(Box::new(AnchorItem {
        id: "octavo-toc-page".to_string(),
        y: 0.0,
    }))
}

fn is_toc_marker(item: &Item) -> bool {
    matches!(item, Item::Anchor(anchor) if anchor.id == "octavo-toc-page")
}

#[derive(Debug, Default)]
struct FlowState {
    titled: bool,
    indent_next: bool,
}

/// No page break between these elements (a heading and its lines).
fn keep_together(flow: &mut [Flow]) {
    for element in flow {
        if let Flow::Line(line) = element {
            line.break_after = false;
        }
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

fn blank() -> Page {
    Page {
        items: Vec::new(),
        label: None,
        kind: PageKind::Blank,
    }
}

/// The anchors on a page's lines (all the counting pass needs of it).
fn anchors_of(content: &PageContent) -> Vec<Item> {
    let lines = content.body.iter().chain(&content.notes);
    lines
        .flat_map(|(y, line)| {
            line.items
                .iter()
                .filter(|item| matches!(item, Item::Anchor(_)))
                .map(move |item| item.translated(0.0, *y))
        })
        .collect()
}

/// Which assembly: the one that counts pages for the contents, or the real one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Pass {
    Count,
    Final,
}

fn collect_anchors(pages: &[Page]) -> BTreeMap<String, (usize, f64)> {
    let mut anchors = BTreeMap::new();
    for (index, page) in pages.iter().enumerate() {
        for item in &page.items {
            if let Item::Anchor(anchor) = item {
                anchors
                    .entry(anchor.id.clone())
                    .or_insert((index, anchor.y));
            }
        }
    }
    anchors
}

fn toggle_italic(style: Style) -> Style {
    match style {
        Style::Regular => Style::Italic,
        Style::Italic => Style::Regular,
        Style::Bold => Style::BoldItalic,
        Style::BoldItalic => Style::Bold,
    }
}

fn add_bold(style: Style) -> Style {
    match style {
        Style::Regular | Style::Bold => Style::Bold,
        Style::Italic | Style::BoldItalic => Style::BoldItalic,
    }
}

fn truncate_chars(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let cut: String = text.chars().take(max - 1).collect();
    format!("{}…", cut.trim_end())
}

/// Lower-case roman numerals for front-matter folios.
pub fn roman(mut n: usize) -> String {
    const TABLE: [(usize, &str); 13] = [
        (1000, "m"),
        (900, "cm"),
        (500, "d"),
        (400, "cd"),
        (100, "c"),
        (90, "xc"),
        (50, "l"),
        (40, "xl"),
        (10, "x"),
        (9, "ix"),
        (5, "v"),
        (4, "iv"),
        (1, "i"),
    ];
    let mut out = String::new();
    for (value, digits) in TABLE {
        while n >= value {
            out.push_str(digits);
            n -= value;
        }
    }
    out
}

/// How an allow-listed inline HTML element sets its text, as a browser's default style does.
fn html_inline_style(name: &str, style: &TextStyle) -> TextStyle {
    match name {
        "em" | "i" | "cite" | "dfn" | "var" => style.with_style(toggle_italic(style.choice.style)),
        "strong" | "b" => style.with_style(add_bold(style.choice.style)),
        "del" | "s" => TextStyle {
            strike: true,
            ..style.clone()
        },
        "code" | "kbd" | "samp" => TextStyle {
            choice: FaceChoice::new(Family::Mono, Style::Regular),
            size: style.size * INLINE_CODE_SCALE,
            ..style.clone()
        },
        "sup" | "sub" => {
            let rise = style.size * SCRIPT_RISE_EM;
            TextStyle {
                size: style.size * SCRIPT_SCALE,
                rise: style.rise + if name == "sup" { rise } else { -rise * 0.6 },
                ..style.clone()
            }
        }
        "small" => TextStyle {
            size: style.size * SMALL_SCALE,
            ..style.clone()
        },
        _ => style.clone(),
    }
}

/// Inline code (`code`, `<kbd>`) relative to the text around it.
const INLINE_CODE_SCALE: f32 = 0.88;
/// Superscripts and subscripts relative to the text around them.
const SCRIPT_SCALE: f32 = 0.7;
/// How far a superscript is raised, in ems of the surrounding text.
const SCRIPT_RISE_EM: f32 = 0.35;
/// `<small>` text relative to the text around it.
const SMALL_SCALE: f32 = 0.85;

/// A block that can only be shown as text in a note (lists, code, tables) becomes its plain
/// text, every word kept.
fn block_text(block: &Block) -> Vec<Inline> {
    let span = crate::diag::Span::new(crate::diag::FileId(0), 0..0);
    let text = crate::doc::blocks_plain_text(std::slice::from_ref(block));
    let words: Vec<&str> = text.split_whitespace().collect();
    vec![Inline::text(words.join(" "), span)]
}

#[cfg(test)]
mod tests {
    #[test]
    fn roman_numerals() {
        assert_eq!(super::roman(4), "iv");
        assert_eq!(super::roman(14), "xiv");
        assert_eq!(super::roman(1999), "mcmxcix");
    }
}
