//! Composition: the resolved book to pages of the layout IR.
//!
//! Each chapter's blocks become a vertical flow of set lines (paragraphs through the
//! Knuth-Plass breaker) that the page builder cuts into pages; front matter is drawn from the
//! metadata; the contents are set twice (once to count their pages, once with the real
//! numbers); running heads and folios are added last, when every page's number is known.

mod blocks;
mod callouts;
mod code;
mod contents;
mod figures;
mod front;
mod heads;
mod images;
pub(crate) mod index;
mod inline;
mod lists;
mod math;
mod notes;
mod opening;
mod table_widths;
mod tables;
#[cfg(test)]
mod test_books;

use std::collections::{BTreeMap, BTreeSet};

use super::layout::{moved, Item, Page, PageKind, RuleItem};
use super::page::{PageContent, PageSpec};
use super::paragraph::{TextContext, TextStyle};
use super::profile::Profile;
use super::structure::{NodeId, PageMark, Role, Structure};
use super::style::Style;
use crate::diag::Diagnostic;
use crate::doc::{Book, Chapter, Division};
use crate::locale::Terms;
use crate::units::Pt;
use contents::{ContentsPages, PageNumbers};

/// Everything the renderer and the finishing step need.
#[derive(Debug, Default)]
pub struct Composition {
    /// The pages.
    pub pages: Vec<Page>,
    /// Anchor id → (page index, y from the top).
    pub anchors: BTreeMap<String, (usize, Pt)>,
    /// For each chapter, the index of its first page.
    pub chapter_pages: Vec<usize>,
    /// Index of the first page numbered in arabic (the first body chapter).
    pub first_arabic: Option<usize>,
    /// What the typesetter had to do that the author should know (a table's words broken
    /// to fit the page), located in the manuscript, in the book's order.
    pub warnings: Vec<Diagnostic>,
    /// The book's structure elements, which the pages' marks name (the tag tree).
    pub structure: Structure,
}

/// Composes one book.
pub(crate) struct Composer<'a, 'f> {
    book: &'a Book,
    profile: &'a Profile,
    /// Fonts, shaping cache and hyphenation.
    pub ctx: TextContext<'f>,
    terms: &'static Terms,
    /// Composing a handout (some chapters), not the book.
    handout: bool,
    /// Warnings raised while setting the chapters, in their order.
    warnings: Vec<Diagnostic>,
    /// The chapter whose first page opens with the handout's title block, and the chapters
    /// the block names.
    title_block: Option<(usize, std::sync::Arc<[usize]>)>,
    /// Anchor id → page label, for "on page N" after references (`[numbering]
    /// page-references`); `None` while the pages are not known yet (a stand-in is set).
    page_labels: Option<std::sync::Arc<BTreeMap<String, String>>>,
    /// The book's math macros, which every formula is read with.
    macros: crate::math::Macros,
    /// The structure elements of the chapter being set (its root the chapter's `Sect`).
    structure: Structure,
}

/// How many times chapters are set again so that "on page N" names the right page.
/// The book's math macros (book.toml's `[math] macros`, checked by resolve).
fn book_macros(book: &Book) -> crate::math::Macros {
    let defined = book.meta.math_macros.iter();
    crate::math::Macros::new(defined.map(|(name, body)| (name.as_str(), body.as_str()))).0
}

const MAX_PAGE_REFERENCE_PASSES: usize = 3;

/// Most threads chapters are set on (beyond this, memory grows faster than speed).
const MAX_WORKERS: usize = 8;

/// A chapter cut into page contents, before numbering.
struct ChapterPages {
    chapter: usize,
    pages: Vec<PageContent>,
    /// The chapter's structure elements, which its lines' marks name.
    structure: Structure,
}

impl<'a, 'f> Composer<'a, 'f> {
    /// A composer for `book` in `profile`.
    pub(crate) fn new(book: &'a Book, profile: &'a Profile, ctx: TextContext<'f>) -> Self {
        Composer {
            book,
            profile,
            ctx,
            terms: crate::locale::terms(&book.meta.language),
            handout: false,
            warnings: Vec::new(),
            title_block: None,
            page_labels: None,
            macros: book_macros(book),
            structure: Structure::new(Role::Sect),
        }
    }

    /// Regular serif at the body size.
    fn body(&self) -> TextStyle {
        TextStyle::serif(self.profile.font_size.to_f32())
    }

    /// The book's design (borrowed from the profile, not from the composer).
    fn design(&self) -> &'a Style {
        &self.profile.design
    }

    /// Page geometry for a chapter (balanced spreads) or, with `balance` false, the contents.
    fn spec(&self, drop: Pt, balance: bool) -> PageSpec {
        PageSpec {
            text_height: self.profile.text_height(),
            note_gap: self.profile.leading * self.design().notes.gap,
            first_page_drop: drop,
            line: if balance {
                self.profile.leading
            } else {
                Pt::ZERO
            },
            two_sided: self.profile.two_sided,
            top_float_fraction: if balance {
                self.design().figure.top_fraction
            } else {
                0.0
            },
        }
    }

    /// Compose the whole book (only the chapters whose indices are in `selected`, when given).
    pub(crate) fn compose(&mut self, selected: Option<&[usize]>) -> Composition {
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
        // The contents set with placeholders is also the first counting pass's contents.
        let placeholder = PageNumbers::Placeholder;
        let counting_toc = front.toc.then(|| self.toc_pages(&chapters, &placeholder));
        let toc_count = counting_toc.as_ref().map_or(0, |toc| toc.pages.len());
        let mut labels = self.count_pages(&mut chapter_pages, counting_toc, toc_count, &chapters);
        // References that name pages are set again with the numbers the pass found, until
        // the pages they name stop moving.
        for _ in 0..MAX_PAGE_REFERENCE_PASSES {
            if !self.book.meta.numbering.page_references
                || self.page_labels.as_deref() == Some(&labels)
            {
                break;
            }
            self.page_labels = Some(std::sync::Arc::new(labels));
            // The warnings of the pass before are raised again.
            self.warnings.clear();
            chapter_pages = self.set_chapters(&chapters);
            labels = self.count_pages(&mut chapter_pages, None, toc_count, &chapters);
        }
        let numbers = PageNumbers::Known(labels);
        let mut composition = self.assemble(
            &mut chapter_pages,
            None,
            toc_count,
            &chapters,
            &numbers,
            Pass::Final,
        );
        composition.warnings = summarised(std::mem::take(&mut self.warnings));
        composition
    }

    /// Assemble the book once to learn on which page each anchor lands (anchor → label).
    /// `toc` is the contents already set with placeholder numbers, if it is at hand.
    fn count_pages(
        &mut self,
        chapter_pages: &mut [ChapterPages],
        toc: Option<ContentsPages>,
        toc_count: usize,
        chapters: &[usize],
    ) -> BTreeMap<String, String> {
        let composition = crate::timing::time("pdf assemble (count)", || {
            let placeholder = PageNumbers::Placeholder;
            self.assemble(
                chapter_pages,
                toc,
                toc_count,
                chapters,
                &placeholder,
                Pass::Count,
            )
        });
        composition
            .anchors
            .iter()
            .map(|(id, (page, _))| {
                let label = composition.pages[*page].label.clone().unwrap_or_default();
                (id.clone(), label)
            })
            .collect()
    }

    /// Set the chapters' pages, in parallel when there are several chapters and cores
    /// (chapters are independent until they are numbered).
    fn set_chapters(&mut self, chapters: &[usize]) -> Vec<ChapterPages> {
        crate::progress::phase("typesetting", chapters.len());
        self.map_forked(chapters, |composer, &chapter| {
            let pages = composer.chapter_pages(chapter);
            crate::progress::step();
            let structure = std::mem::take(&mut composer.structure);
            ChapterPages {
                chapter,
                pages,
                structure,
            }
        })
    }

    /// `work` done on each of `items`, in parallel when there are several items and cores,
    /// the results in the items' order.
    ///
    /// Each worker thread takes the next item from a shared counter and works with a
    /// composer of its own, whose [`TextContext`] is forked from this one (fonts shared,
    /// caches per thread). The characters no font has and the warnings are merged item by
    /// item, in the items' order, so the outcome does not depend on which thread did what.
    fn map_forked<T: Sync, R: Send>(
        &mut self,
        items: &[T],
        work: impl Fn(&mut Composer<'a, 'f>, &T) -> R + Sync,
    ) -> Vec<R> {
        let workers = std::thread::available_parallelism()
            .map_or(1, std::num::NonZeroUsize::get)
            .min(items.len())
            .min(MAX_WORKERS);
        if workers <= 1 {
            return items.iter().map(|item| work(self, item)).collect();
        }
        let next = std::sync::atomic::AtomicUsize::new(0);
        let (book, profile) = (self.book, self.profile);
        let title_block = &self.title_block;
        let page_labels = &self.page_labels;
        let work = &work;
        let mut done: Vec<(usize, R, Vec<char>, Vec<Diagnostic>)> = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..workers)
                .map(|_| {
                    let ctx = self.ctx.fork();
                    let next = &next;
                    scope.spawn(move || {
                        let mut composer = Composer::new(book, profile, ctx);
                        composer.title_block.clone_from(title_block);
                        composer.page_labels.clone_from(page_labels);
                        let mut out = Vec::new();
                        loop {
                            let n = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                            let Some(item) = items.get(n) else {
                                break;
                            };
                            let result = work(&mut composer, item);
                            let missing = std::mem::take(&mut composer.ctx.missing);
                            let warnings = std::mem::take(&mut composer.warnings);
                            out.push((n, result, missing, warnings));
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
        done.sort_by_key(|(n, ..)| *n);
        let mut results = Vec::with_capacity(done.len());
        for (_, result, missing, warnings) in done {
            self.warnings.extend(warnings);
            for c in missing {
                if !self.ctx.missing.contains(&c) {
                    self.ctx.missing.push(c);
                }
            }
            results.push(result);
        }
        results
    }

    /// Put the book's pages in order: front matter, contents, chapters (with blank versos in
    /// two-sided books), then number them and add heads and folios. The counting pass only
    /// needs where each anchor lands, so it carries the anchors alone; the final pass moves
    /// the chapters' lines onto the pages (the set chapters are used up). `prepared_toc` is
    /// the contents when it is already set with this pass's numbers.
    fn assemble(
        &mut self,
        chapter_pages: &mut [ChapterPages],
        prepared_toc: Option<ContentsPages>,
        toc_count: usize,
        chapters: &[usize],
        numbers: &PageNumbers,
        pass: Pass,
    ) -> Composition {
        let mut out = Composition {
            structure: Structure::new(Role::Document),
            ..Composition::default()
        };
        let mut pages: Vec<Page> = Vec::new();
        let two_sided = self.profile.two_sided;
        if let Some(mut cover) = self.cover_page() {
            let alt = format!("{} ({})", self.book.meta.title, self.terms.cover);
            mark_page(&mut out.structure, &mut cover, Role::Figure, Some(alt));
            pages.push(cover);
            if two_sided {
                pages.push(blank());
            }
        }
        // An "Also by" card page comes before the half title.
        let book = self.book;
        chapter_pages.sort_by_key(|c| !book.chapters[c.chapter].is_card_page());
        let cards = chapter_pages
            .iter()
            .take_while(|c| book.chapters[c.chapter].is_card_page())
            .count();
        let (card_pages, text_pages) = chapter_pages.split_at_mut(cards);
        let mut parts = Parts::new(book);
        for chapter in card_pages {
            self.push_chapter(chapter, &mut pages, &mut out, pass, &mut parts);
        }
        let front = self.book.meta.front;
        if front.half_title {
            if two_sided && cards > 0 {
                self.open_recto(&mut pages);
            }
            let mut page = self.half_title_page();
            mark_page(&mut out.structure, &mut page, Role::P, None);
            pages.push(page);
            if two_sided {
                pages.push(blank());
            }
        }
        if front.title_page {
            let mut page = self.title_page();
            mark_page(&mut out.structure, &mut page, Role::Sect, None);
            pages.push(page);
        }
        if front.copyright {
            if two_sided && pages.len().is_multiple_of(2) {
                pages.push(blank());
            }
            let mut page = self.copyright_page();
            mark_page(&mut out.structure, &mut page, Role::Sect, None);
            pages.push(page);
        }
        if front.toc {
            self.open_recto(&mut pages);
            let toc = match prepared_toc {
                Some(toc) => toc,
                None => self.toc_pages(chapters, numbers),
            };
            debug_assert!(toc.pages.len() == toc_count || toc_count == 0);
            pages.extend(graft_pages(&mut out.structure, toc));
        }
        let lists = [
            (front.list_of_figures, crate::toc::CaptionList::Figures),
            (front.list_of_tables, crate::toc::CaptionList::Tables),
        ];
        for (wanted, list) in lists {
            let list_pages = if wanted {
                self.caption_list_pages(list, chapters, numbers)
            } else {
                ContentsPages::default()
            };
            if !list_pages.pages.is_empty() {
                self.open_recto(&mut pages);
                pages.extend(graft_pages(&mut out.structure, list_pages));
            }
        }
        for chapter in text_pages {
            self.push_chapter(chapter, &mut pages, &mut out, pass, &mut parts);
        }
        // The index comes last, so it moves no page it names: the counting pass needs none.
        if pass == Pass::Final {
            let mut index_pages = self.index_pages(numbers);
            mark_pages(&mut out.structure, &mut index_pages, Role::Index);
            if !index_pages.is_empty() {
                self.open_recto(&mut pages);
                pages.extend(index_pages);
            }
        }
        self.number_pages(&mut pages, out.first_arabic);
        if pass == Pass::Final {
            let content_ends: Vec<usize> = pages.iter().map(|p| p.items.len()).collect();
            self.add_heads(&mut pages, chapter_pages, &out.chapter_pages);
            for (page, end) in pages.iter_mut().zip(content_ends) {
                mark_artifacts_from(page, end);
            }
        }
        out.anchors = collect_anchors(&pages);
        out.pages = pages;
        out
    }

    /// Add a chapter's pages, opening on a recto.
    fn push_chapter(
        &self,
        chapter: &mut ChapterPages,
        pages: &mut Vec<Page>,
        out: &mut Composition,
        pass: Pass,
        parts: &mut Parts,
    ) {
        self.open_recto(pages);
        let division = self.book.chapters[chapter.chapter].division;
        if division != Division::Front && out.first_arabic.is_none() {
            out.first_arabic = Some(pages.len());
        }
        out.chapter_pages.push(pages.len());
        let offset = match pass {
            Pass::Count => 0,
            Pass::Final => parts.graft(&mut out.structure, chapter),
        };
        for (n, content) in chapter.pages.iter_mut().enumerate() {
            let kind = if n == 0 {
                PageKind::Opening
            } else {
                PageKind::Body
            };
            let (items, marks) = match pass {
                Pass::Count => (anchors_of(content), Vec::new()),
                Pass::Final => self.place_marked(std::mem::take(content), pages.len(), offset),
            };
            pages.push(Page {
                items,
                label: None,
                kind,
                marks,
            });
        }
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

    /// Page content placed on the page (translated into page coordinates), its marks left
    /// out (the contents and the index are marked whole).
    fn place_content(&self, content: PageContent, page_index: usize) -> Vec<Item> {
        self.place_marked(content, page_index, 0).0
    }

    /// Chapter pages content placed on the page (translated into page coordinates), with
    /// the marks of its lines as the page's (their nodes `offset` further on: the chapter's
    /// nodes in the book's structure).
    fn place_marked(
        &self,
        content: PageContent,
        page_index: usize,
        offset: NodeId,
    ) -> (Vec<Item>, Vec<PageMark>) {
        let left = self.profile.text_left(page_index);
        let top = self.profile.top;
        // Sized exactly, with room for the note rule, the running head and the folio: a
        // 4,000-page book holds about a million items, and a vector grown by doubling
        // leaves a third of its room unused.
        let lines = content.body.iter().chain(&content.notes);
        let count: usize = lines.map(|(_, line)| line.items.len()).sum();
        let mut items = Vec::with_capacity(count + 3);
        let mut marks: Vec<PageMark> = Vec::new();
        for (y, line) in content.body.into_iter().chain(content.notes) {
            let base = items.len();
            for mark in &line.marks {
                let node = mark.node.map(|n| n + offset);
                push_mark(&mut marks, base + mark.first as usize, node);
            }
            if line.marks.is_empty() {
                push_mark(&mut marks, base, Some(offset));
            }
            items.extend(moved(line.items, left, top + y));
        }
        push_mark(&mut marks, items.len(), None);
        if let Some(rule_y) = content.note_rule {
            let notes = &self.design().notes;
            items.push(Item::Rule(Box::new(RuleItem {
                x: left,
                y: top + rule_y,
                width: self.profile.text_width() / notes.rule_divisor,
                thickness: notes.rule,
            })));
        }
        (items, marks)
    }
}

/// Where the chapters go in the book's structure: a part page is a `Part` element, and the
/// chapters of a part go under it (under the root otherwise, and in books without parts).
struct Parts {
    /// For each chapter, the part page it belongs to ([`crate::toc::parts_of`]).
    part_of: Vec<Option<usize>>,
    /// For each chapter, whether it is a part page.
    is_part: Vec<bool>,
    /// Part page (chapter index) → its element, once grafted.
    nodes: BTreeMap<usize, NodeId>,
}

impl Parts {
    fn new(book: &Book) -> Self {
        Parts {
            part_of: crate::toc::parts_of(book),
            is_part: book.chapters.iter().map(Chapter::is_part_page).collect(),
            nodes: BTreeMap::new(),
        }
    }

    /// Grafts `chapter`'s structure (used up) under its part or the root; returns the
    /// offset of its nodes.
    fn graft(&mut self, structure: &mut Structure, chapter: &mut ChapterPages) -> NodeId {
        let mut set = std::mem::take(&mut chapter.structure);
        let is_part = self.is_part.get(chapter.chapter).copied().unwrap_or(false);
        if is_part {
            if let Some(root) = set.nodes.first_mut() {
                root.role = Role::Part;
            }
        }
        let part = self.part_of.get(chapter.chapter).copied().flatten();
        let parent = part.and_then(|p| self.nodes.get(&p)).copied().unwrap_or(0);
        let offset = structure.graft(set, parent);
        if is_part {
            self.nodes.insert(chapter.chapter, offset);
        }
        offset
    }
}

fn blank() -> Page {
    Page {
        items: Vec::new(),
        label: None,
        kind: PageKind::Blank,
        marks: Vec::new(),
    }
}

/// Adds a mark for the items from `first` on, unless the last mark names `node` already (a
/// run goes on) or starts at `first` (it is replaced).
fn push_mark(marks: &mut Vec<PageMark>, first: usize, node: Option<NodeId>) {
    let first = u32::try_from(first).unwrap_or(u32::MAX);
    match marks.last_mut() {
        Some(last) if last.node == node => {}
        Some(last) if last.first == first => last.node = node,
        _ => marks.push(PageMark { first, node }),
    }
}

/// Marks all of a page of front or back matter as one new element under the root.
fn mark_page(structure: &mut Structure, page: &mut Page, role: Role, alt: Option<String>) {
    if page.items.is_empty() {
        return;
    }
    let node = structure.add(role, alt);
    page.marks = vec![PageMark {
        first: 0,
        node: Some(node),
    }];
}

/// Marks the pages of the index as one element under the root.
fn mark_pages(structure: &mut Structure, pages: &mut [Page], role: Role) {
    if pages.is_empty() {
        return;
    }
    let node = structure.add(role, None);
    for page in pages.iter_mut().filter(|p| !p.items.is_empty()) {
        page.marks = vec![PageMark {
            first: 0,
            node: Some(node),
        }];
    }
}

/// The pages of the contents or a list, their structure grafted under the book's root and
/// their marks naming its nodes there.
fn graft_pages(structure: &mut Structure, contents: ContentsPages) -> Vec<Page> {
    let mut pages = contents.pages;
    let offset = structure.graft(contents.structure, 0);
    for mark in pages.iter_mut().flat_map(|p| p.marks.iter_mut()) {
        mark.node = mark.node.map(|n| n + offset);
    }
    pages
}

/// Marks the page's items from `end` on (its running head and folio) as artifacts.
fn mark_artifacts_from(page: &mut Page, end: usize) {
    if page.items.len() > end {
        push_mark(&mut page.marks, end, None);
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
                .map(move |item| item.translated(Pt::ZERO, *y))
        })
        .collect()
}

/// Which assembly: the one that counts pages for the contents, or the real one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Pass {
    Count,
    Final,
}

fn collect_anchors(pages: &[Page]) -> BTreeMap<String, (usize, Pt)> {
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

/// Lower-case roman numerals for front-matter folios.
pub(crate) fn roman(n: usize) -> String {
    let n = u32::try_from(n).unwrap_or(u32::MAX);
    crate::doc::numerals::roman_upper(n).to_ascii_lowercase()
}

/// The warnings with those of one kind that a book raises by the dozen (display formulas
/// set smaller to fit the measure: a statistics book has twenty) made one, at the first,
/// with the count.
fn summarised(mut warnings: Vec<Diagnostic>) -> Vec<Diagnostic> {
    // A face without small capitals is one warning, at the first place that asks for them.
    let mut small_caps_seen = false;
    warnings.retain(|w| {
        let repeated = w.code == crate::diag::code::NO_SMALL_CAPS && small_caps_seen;
        small_caps_seen |= w.code == crate::diag::code::NO_SMALL_CAPS;
        !repeated
    });
    let kind = crate::diag::code::MATH_TOO_WIDE;
    let count = warnings.iter().filter(|w| w.code == kind).count();
    if count < 2 {
        return warnings;
    }
    let mut out = Vec::with_capacity(warnings.len() - count + 1);
    for mut warning in warnings {
        if warning.code != kind {
            out.push(warning);
        } else if !out.iter().any(|w: &Diagnostic| w.code == kind) {
            let first = warning
                .message
                .split(':')
                .next()
                .unwrap_or_default()
                .to_string();
            warning.message = format!(
                "{count} display formulas are wider than the measure and set smaller to fit; \
                 the first is here ({first})"
            );
            out.push(warning);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_formulas_too_wide_are_one_warning() {
        let wide = |at: usize| {
            Diagnostic::warning(
                crate::diag::code::MATH_TOO_WIDE,
                "display formula is 461 pt wide, the measure leaves 330 pt: it is set smaller to fit",
            )
            .at(crate::diag::Span::new(crate::diag::FileId(0), at..at + 1))
        };
        let other = Diagnostic::warning(crate::diag::code::CODE_TOKEN_CUT, "cut");
        let out = summarised(vec![wide(5), other.clone(), wide(9), wide(12)]);
        assert_eq!(out.len(), 2);
        assert_eq!(
            out[0].message,
            "3 display formulas are wider than the measure and set smaller to fit; the first is \
             here (display formula is 461 pt wide, the measure leaves 330 pt)"
        );
        assert_eq!(out[0].span.as_ref().map(|s| s.range.start), Some(5));
        assert_eq!(out[1].code, other.code);
        assert_eq!(summarised(vec![wide(1)])[0].message, wide(1).message);
    }

    #[test]
    fn the_chapters_of_a_part_are_under_its_part_element() {
        use super::test_books::{all, book_of_files, child_roles, children, structure_of};
        let part = "---\ntype: part\n---\n# Part One\n";
        let chapter = |title: &str| format!("# {title}\n\nText.\n");
        let (one, two) = (chapter("One"), chapter("Two"));
        let files = [
            ("01.md", part),
            ("02.md", one.as_str()),
            ("03.md", two.as_str()),
        ];
        let book = book_of_files("title = \"T\"\n", &files);
        let structure = structure_of(&book);
        let parts = all(&structure, Role::Part);
        assert_eq!(parts.len(), 1);
        let part = parts[0];
        assert_eq!(structure.nodes[part as usize].parent, Some(0));
        assert_eq!(
            child_roles(&structure, part),
            [Role::Heading(1), Role::Sect, Role::Sect]
        );
        for sect in children(&structure, part).into_iter().skip(1) {
            assert_eq!(child_roles(&structure, sect)[0], Role::Heading(1));
        }
    }

    #[test]
    fn chapters_without_parts_are_under_the_root() {
        use super::test_books::{all, book_of_files, structure_of};
        let files = [("01.md", "# One\n\nText.\n"), ("02.md", "# Two\n\nText.\n")];
        let structure = structure_of(&book_of_files("title = \"T\"\n", &files));
        assert!(all(&structure, Role::Part).is_empty());
        let chapters: Vec<_> = structure
            .nodes
            .iter()
            .filter(|n| n.role == Role::Sect && n.parent == Some(0))
            .collect();
        assert!(
            chapters.len() >= 2,
            "the two chapters (and front pages) under the root"
        );
    }

    #[test]
    fn roman_numerals() {
        assert_eq!(super::roman(4), "iv");
        assert_eq!(super::roman(14), "xiv");
        assert_eq!(super::roman(1999), "mcmxcix");
    }
}
