//! Where each page of the print edition begins in the text: what the EPUB's page list
//! (`epub:type="pagebreak"` markers and the `page-list` nav) is made from, so that a reader
//! of the EPUB and a reader of the printed book can say "page 47" and mean the same words.
//!
//! A page is found by its first words: the composer's pages know which of their items are
//! content (their marks) and what text each glyph run stands for, but not where in the
//! Markdown it came from, so the EPUB writer finds the place again by looking for the same
//! words, in order, through the chapter's text ([`match_words`] reads both sides alike).

use super::compose::Composition;
use super::layout::{GlyphRun, Item, Page, PageKind};
use crate::units::Pt;

/// Words of a page's opening the EPUB writer looks for: enough to tell places apart, few
/// enough to stay on the page.
const WORDS_PER_START: usize = 6;

/// The start of one print page in a chapter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PageStart {
    /// The page's number as printed (its PDF page label): `47`, or `xii` in roman front
    /// matter.
    pub label: String,
    /// The chapter the page belongs to (index into the book's chapters).
    pub chapter: usize,
    /// The first words of the page's text (as [`match_words`] reads them), without the end
    /// of a word hyphenated across from the page before.
    pub words: Vec<String>,
}

/// The start of every page of `composition` that belongs to a chapter, in page order. A page
/// without text (an image alone, a blank verso) has no words: the EPUB marks it where the
/// next page's words begin.
pub(crate) fn page_starts(composition: &Composition) -> Vec<PageStart> {
    let pages = &composition.pages;
    let Some(&first_chapter_page) = composition.chapter_pages.first() else {
        return Vec::new();
    };
    let mut starts = Vec::new();
    let mut carried = false;
    for (index, page) in pages.iter().enumerate().skip(first_chapter_page) {
        let chapter = composition
            .chapter_pages
            .partition_point(|&first| first <= index)
            .saturating_sub(1);
        let text = content_text(page);
        let mut words = match_words(&text);
        if carried && !words.is_empty() {
            // The page opens with the end of a word the page before broke at a hyphen.
            words.remove(0);
        }
        if page.kind != PageKind::Blank || !text.trim().is_empty() {
            carried = text.trim_end().ends_with(['-', '\u{2010}', '\u{ad}']);
        }
        words.truncate(WORDS_PER_START);
        starts.push(PageStart {
            label: page_label(composition, index),
            chapter,
            words,
        });
    }
    starts
}

/// The page's number as the PDF labels it: arabic from the first body chapter, lower-case
/// roman before it (counted from the first page after a cover).
fn page_label(composition: &Composition, index: usize) -> String {
    let cover = composition
        .pages
        .first()
        .is_some_and(|p| p.kind == PageKind::Cover);
    let arabic = composition.first_arabic.unwrap_or(composition.pages.len());
    if index >= arabic {
        return (index - arabic + 1).to_string();
    }
    let n = u32::try_from(index + 1 - usize::from(cover)).unwrap_or(u32::MAX);
    crate::doc::numerals::roman_upper(n).to_lowercase()
}

/// The text of a page's content (its marked items, not running heads and folios), in reading
/// order: lines top to bottom, runs left to right, a space between runs apart on a line.
fn content_text(page: &Page) -> String {
    let mut runs: Vec<&GlyphRun> = content_items(page)
        .filter_map(|item| match item {
            Item::Glyphs(run) => Some(run),
            _ => None,
        })
        .collect();
    runs.sort_by(|a, b| a.y.total_cmp(&b.y).then(a.x.total_cmp(&b.x)));
    let near = Pt::new(0.5);
    let mut out = String::new();
    let mut last: Option<(Pt, Pt)> = None;
    for run in runs {
        match last {
            Some((y, _)) if (run.y - y).abs() > near => out.push('\n'),
            Some((_, end)) if run.x > end + near => out.push(' '),
            _ => {}
        }
        last = Some((run.y, run.x + run.width()));
        out.push_str(&run.run.text);
    }
    out
}

/// The items of `page` that belong to a structure element (its content, not its artifacts):
/// each mark holds from its first item to the next mark's.
fn content_items(page: &Page) -> impl Iterator<Item = &Item> {
    let ends = page
        .marks
        .iter()
        .skip(1)
        .map(|mark| mark.first as usize)
        .chain([page.items.len()]);
    page.marks
        .iter()
        .zip(ends)
        .filter(|(mark, _)| mark.node.is_some())
        .flat_map(|(mark, end)| page.items.get(mark.first as usize..end).unwrap_or_default())
}

/// The words of `text` as the page list matches them: runs of letters and digits,
/// lower-cased, so that punctuation, dashes, quotation marks and the way each output breaks
/// or hyphenates a line do not matter.
pub(crate) fn match_words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|word| !word.is_empty())
        .map(str::to_lowercase)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_letters_and_digits_lower_cased() {
        assert_eq!(
            match_words("“Well—known,” she said: S-21 (1975)."),
            ["well", "known", "she", "said", "s", "21", "1975"]
        );
        assert_eq!(match_words("  "), Vec::<String>::new());
    }
}
