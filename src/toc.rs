//! The book's table of contents as a tree, shared by the EPUB nav/NCX and the PDF contents
//! and outline, so both backends list exactly the same entries.

use crate::doc::{numerals, plain_text, Block, Book, Chapter, Meta};
use crate::locale::Terms;

/// Deepest heading level listed under a chapter.
pub(crate) const MAX_TOC_LEVEL: u8 = 3;

/// One entry: a chapter or a section inside it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TocEntry {
    /// Text shown (with the chapter number for numbered chapters).
    pub title: String,
    /// Chapter index in the book.
    pub chapter: usize,
    /// Heading id, `None` for the chapter itself when it has no title heading.
    pub anchor: Option<String>,
    /// Sections nested under it.
    pub children: Vec<TocEntry>,
}

/// The contents tree: every chapter with a title, with its level-2 and level-3 headings
/// nested (a dedication or an epigraph without a title is not listed).
pub(crate) fn build_toc(book: &Book) -> Vec<TocEntry> {
    let terms = crate::locale::terms(&book.meta.language);
    book.chapters
        .iter()
        .enumerate()
        .filter(|(_, chapter)| !plain_text(&chapter.title).trim().is_empty())
        .map(|(index, chapter)| {
            let title = plain_text(&chapter.title);
            let title = match shown_number(chapter, &book.meta, terms) {
                Some(n) => format!("{n}. {title}"),
                None => title,
            };
            let anchor = chapter.title_id().map(str::to_string);
            TocEntry {
                title,
                chapter: index,
                anchor,
                children: section_entries(index, &chapter.blocks),
            }
        })
        .collect()
}

/// The anchor id of the first line of a chapter that has no title heading of its own (a
/// titled dedication): the PDF's contents and outline point at it.
pub(crate) fn chapter_start_id(chapter: &Chapter) -> String {
    format!("octavo-start-{}", chapter.slug)
}

/// The entries with the chapters that have no title heading pointing at their first line
/// ([`chapter_start_id`]), for the PDF, where a position is needed.
pub(crate) fn anchored_at_starts(book: &Book, mut entries: Vec<TocEntry>) -> Vec<TocEntry> {
    fill_start_anchors(book, &mut entries);
    entries
}

fn fill_start_anchors(book: &Book, entries: &mut [TocEntry]) {
    for entry in entries {
        if entry.anchor.is_none() {
            entry.anchor = book.chapters.get(entry.chapter).map(chapter_start_id);
        }
        fill_start_anchors(book, &mut entry.children);
    }
}

/// The contents tree with the book's parts: the chapters after a part page (up to the next
/// part, or the back matter) nested under it, for the EPUB's navigation and the PDF's
/// outline. Without parts it is [`build_toc`].
pub(crate) fn build_toc_with_parts(book: &Book) -> Vec<TocEntry> {
    let mut nested: Vec<TocEntry> = Vec::new();
    let mut open_part: Option<TocEntry> = None;
    for entry in build_toc(book) {
        let chapter = &book.chapters[entry.chapter];
        let is_part = chapter.epub_type.as_deref() == Some("part");
        let in_part = chapter.division == crate::doc::Division::Body && !chapter.generated;
        if is_part || !in_part || chapter.leaves_part {
            nested.extend(open_part.take());
        }
        match (&mut open_part, is_part) {
            (_, true) => open_part = Some(entry),
            (Some(part), false) => part.children.push(entry),
            (None, false) => nested.push(entry),
        }
    }
    nested.extend(open_part);
    nested
}

/// For each chapter of `book`, the index of the part page it belongs to, by the rule
/// [`build_toc_with_parts`] nests the contents with: the body chapters after a part page, up
/// to the next part, the back matter or a chapter that leaves the part. The PDF's tag tree
/// puts those chapters under their part's element.
pub(crate) fn parts_of(book: &Book) -> Vec<Option<usize>> {
    let mut open = None;
    let mut out = Vec::with_capacity(book.chapters.len());
    for (index, chapter) in book.chapters.iter().enumerate() {
        let is_part = chapter.is_part_page();
        let in_part = chapter.division == crate::doc::Division::Body && !chapter.generated;
        if is_part || !in_part || chapter.leaves_part {
            open = None;
        }
        out.push(open);
        if is_part {
            open = Some(index);
        }
    }
    out
}

/// One entry of a list of figures or tables.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CaptionEntry {
    /// The number (`1.2`), or empty when figures are not numbered.
    pub number: String,
    /// The caption's text.
    pub caption: String,
    /// Chapter index in the book.
    pub chapter: usize,
    /// The anchor id of the figure or table.
    pub anchor: String,
}

/// Which list: of figures or of tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CaptionList {
    /// Numbered or captioned figures.
    Figures,
    /// Numbered or captioned tables.
    Tables,
}

/// Every numbered figure (or table) of the book in reading order, for the lists after the
/// contents; both backends list the same entries.
pub(crate) fn caption_list(book: &Book, list: CaptionList) -> Vec<CaptionEntry> {
    let mut entries = Vec::new();
    for (index, chapter) in book.chapters.iter().enumerate() {
        collect_captions(index, &chapter.blocks, list, &mut entries);
    }
    entries
}

fn collect_captions(
    chapter: usize,
    blocks: &[Block],
    list: CaptionList,
    out: &mut Vec<CaptionEntry>,
) {
    for block in blocks {
        let found = match (block, list) {
            (Block::Figure(f), CaptionList::Figures) => Some((&f.number, &f.caption)),
            (Block::Table(t), CaptionList::Tables) => Some((&t.number, &t.caption)),
            (Block::Quote { blocks, .. } | Block::Container { blocks, .. }, _) => {
                collect_captions(chapter, blocks, list, out);
                None
            }
            (Block::List(l), _) => {
                for item in &l.items {
                    collect_captions(chapter, &item.blocks, list, out);
                }
                None
            }
            _ => None,
        };
        if let Some((Some(number), caption)) = found {
            out.push(CaptionEntry {
                number: number.number.clone(),
                caption: plain_text(caption),
                chapter,
                anchor: number.anchor.clone(),
            });
        }
    }
}

/// The label over a chapter's title: "Chapter 3" (or "Chapter III", "Chapter Three", with
/// the book's own word), "Appendix A", "Part II"; none for other chapters, when the book
/// numbers none, and when the title already names the chapter ("Chapter 1", "Letter 4").
pub(crate) fn chapter_label(chapter: &Chapter, meta: &Meta, terms: &Terms) -> Option<String> {
    let number = shown_number(chapter, meta, terms)?;
    Some(format!("{} {number}", label_word(chapter, meta, terms)))
}

/// The number a chapter shows in its label and its contents line, unless its title
/// already carries one.
fn shown_number(chapter: &Chapter, meta: &Meta, terms: &Terms) -> Option<String> {
    let number = chapter.number_shown(meta)?;
    let word = label_word(chapter, meta, terms);
    let title = plain_text(&chapter.title);
    (!numerals::title_carries_label(&title, word)).then_some(number)
}

/// The word before a chapter's number: the book's `chapter-label` or the language's word.
fn label_word<'a>(chapter: &Chapter, meta: &'a Meta, terms: &'a Terms) -> &'a str {
    match (chapter.number, chapter.appendix) {
        (Some(_), _) => meta
            .chapter_numbering
            .chapter_label
            .as_deref()
            .unwrap_or(terms.chapter),
        (None, Some(_)) => terms.numbered.appendix.0,
        _ => terms.part,
    }
}

/// Nest the chapter's headings (after its title) by level.
fn section_entries(chapter: usize, blocks: &[Block]) -> Vec<TocEntry> {
    let headings: Vec<(u8, TocEntry)> = blocks
        .iter()
        .filter_map(|b| match b {
            Block::Heading(h) => Some(h),
            _ => None,
        })
        .skip_while(|h| h.level != 1)
        .skip(1)
        .filter(|h| h.level <= MAX_TOC_LEVEL && !plain_text(&h.content).trim().is_empty())
        .map(|h| {
            let title = match &h.number {
                Some(number) => format!("{number} {}", plain_text(&h.content)),
                None => plain_text(&h.content),
            };
            let entry = TocEntry {
                title,
                chapter,
                anchor: Some(h.id.clone()),
                children: Vec::new(),
            };
            (h.level.max(2), entry)
        })
        .collect();
    nest(headings)
}

/// Turn a flat (level, entry) sequence into a tree; a deeper level nests under the last
/// shallower one, and a jump (2 → 4) nests one step, never leaving an empty level.
fn nest(flat: Vec<(u8, TocEntry)>) -> Vec<TocEntry> {
    let mut roots: Vec<TocEntry> = Vec::new();
    let mut stack: Vec<(u8, TocEntry)> = Vec::new();
    for (level, entry) in flat {
        while let Some((top, _)) = stack.last() {
            if *top < level {
                break;
            }
            pop_into(&mut stack, &mut roots);
        }
        stack.push((level, entry));
    }
    while !stack.is_empty() {
        pop_into(&mut stack, &mut roots);
    }
    roots
}

fn pop_into(stack: &mut Vec<(u8, TocEntry)>, roots: &mut Vec<TocEntry>) {
    if let Some((_, done)) = stack.pop() {
        match stack.last_mut() {
            Some((_, parent)) => parent.children.push(done),
            None => roots.push(done),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(title: &str) -> TocEntry {
        TocEntry {
            title: title.into(),
            chapter: 0,
            anchor: None,
            children: Vec::new(),
        }
    }

    #[test]
    fn nesting_follows_levels() {
        let tree = nest(vec![
            (2, entry("a")),
            (3, entry("a1")),
            (3, entry("a2")),
            (2, entry("b")),
        ]);
        assert_eq!(tree.len(), 2);
        assert_eq!(tree[0].children.len(), 2);
        assert!(tree[1].children.is_empty());
    }
}
