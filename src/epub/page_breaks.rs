//! The print edition's page breaks in a chapter's XHTML: an empty
//! `<span epub:type="pagebreak" role="doc-pagebreak">` where each printed page begins,
//! found by the page's first words ([`crate::typeset::page_list`]).
//!
//! The writer hands every piece of running text to [`PageBreaks::text`], which writes it and
//! remembers where each word starts in the document; when the last words read are a page's
//! first words, the page's marker goes in before them. A page that opens the chapter is
//! marked at the section's start (its heading's label is not text the writer reads); a page
//! whose words are not found (an image alone on it, words the EPUB writes differently) is
//! marked where the next page that is found begins, or at the chapter's end: never left out.

use std::collections::VecDeque;

use crate::typeset::page_list::PageStart;
use crate::xml::escape;

/// How many pages ahead a match may be found: a page whose words are not found is marked
/// with the next that is.
const LOOKAHEAD: usize = 3;

/// The page breaks of one chapter, as it is written.
#[derive(Debug, Default)]
pub(crate) struct PageBreaks {
    /// The chapter's pages not yet marked, in order.
    pending: VecDeque<PageStart>,
    /// The last words read, with where each starts in the document.
    recent: VecDeque<(usize, String)>,
    /// The word being read (text may end inside one and the next piece continue it).
    open: Option<(usize, String)>,
}

impl PageBreaks {
    /// The breaks of the chapter's pages `starts`, in page order.
    pub(crate) fn new(starts: Vec<PageStart>) -> Self {
        PageBreaks {
            pending: starts.into(),
            ..PageBreaks::default()
        }
    }

    /// Marks the page that opens the chapter, if the chapter has pages: at `out`'s end,
    /// where the section begins.
    pub(crate) fn open_chapter(&mut self, out: &mut String) {
        if let Some(first) = self.pending.pop_front() {
            out.push_str(&marker(&first.label));
        }
    }

    /// Writes `text` (escaped) to `out`, marking any page that begins in it.
    pub(crate) fn text(&mut self, out: &mut String, text: &str) {
        let mut rest = text;
        while !rest.is_empty() {
            let word_len = rest
                .find(|c: char| !c.is_alphanumeric())
                .unwrap_or(rest.len());
            if word_len > 0 {
                let (word, after) = rest.split_at(word_len);
                let open = self.open.get_or_insert_with(|| (out.len(), String::new()));
                open.1.push_str(&word.to_lowercase());
                // Letters and digits need no escaping.
                out.push_str(word);
                rest = after;
                continue;
            }
            self.end_word(out);
            let gap_len = rest.find(char::is_alphanumeric).unwrap_or(rest.len());
            let (gap, after) = rest.split_at(gap_len);
            out.push_str(&escape(gap));
            rest = after;
        }
    }

    /// A block ends or begins: a word cannot run on across it.
    pub(crate) fn boundary(&mut self, out: &mut String) {
        self.end_word(out);
    }

    /// Marks the pages not found at `out`'s end (the chapter's end).
    pub(crate) fn close_chapter(&mut self, out: &mut String) {
        self.end_word(out);
        while let Some(page) = self.pending.pop_front() {
            out.push_str(&marker(&page.label));
        }
    }

    /// Ends the word being read and looks for a page beginning with the words read.
    fn end_word(&mut self, out: &mut String) {
        let Some(word) = self.open.take() else {
            return;
        };
        self.recent.push_back(word);
        let longest = self
            .pending
            .iter()
            .map(|p| p.words.len())
            .max()
            .unwrap_or(0);
        while self.recent.len() > longest.max(1) {
            self.recent.pop_front();
        }
        let found = self
            .pending
            .iter()
            .take(LOOKAHEAD)
            .position(|page| self.begins_here(page));
        let Some(found) = found else {
            return;
        };
        let count = self.pending[found].words.len();
        let at = self.recent[self.recent.len() - count].0;
        let markers: String = self
            .pending
            .drain(..=found)
            .map(|page| marker(&page.label))
            .collect();
        out.insert_str(at, &markers);
        self.recent.clear();
    }

    /// Whether the last words read are `page`'s first words.
    fn begins_here(&self, page: &PageStart) -> bool {
        let count = page.words.len();
        count > 0
            && self.recent.len() >= count
            && self
                .recent
                .iter()
                .skip(self.recent.len() - count)
                .map(|(_, w)| w)
                .eq(page.words.iter())
    }
}

/// The marker of the page `label`.
pub(crate) fn marker(label: &str) -> String {
    let label = escape(label);
    format!(
        "<span epub:type=\"pagebreak\" role=\"doc-pagebreak\" id=\"page-{label}\" aria-label=\"{label}\"></span>"
    )
}

/// The words of `text` as [`PageBreaks`] reads them (for tests).
#[cfg(test)]
fn words(text: &str) -> Vec<String> {
    crate::typeset::page_list::match_words(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(label: &str, chapter_text: &str) -> PageStart {
        PageStart {
            label: label.to_string(),
            chapter: 0,
            words: words(chapter_text),
        }
    }

    #[test]
    fn a_page_is_marked_before_its_first_words_even_across_elements() {
        let mut breaks = PageBreaks::new(vec![
            page("1", ""),
            page("2", "brown fox jumps"),
            page("3", "lazy dog"),
        ]);
        let mut out = String::from("<section>");
        breaks.open_chapter(&mut out);
        breaks.text(&mut out, "The quick ");
        out.push_str("<em>");
        breaks.text(&mut out, "bro");
        out.push_str("</em>");
        breaks.text(&mut out, "wn fox jumps & over the ");
        breaks.boundary(&mut out);
        breaks.text(&mut out, "lazy dog.");
        breaks.close_chapter(&mut out);
        assert_eq!(
            out,
            format!(
                "<section>{}The quick <em>{}bro</em>wn fox jumps &amp; over the {}lazy dog.",
                marker("1"),
                marker("2"),
                marker("3")
            )
        );
    }

    #[test]
    fn a_page_not_found_is_marked_with_the_next_or_at_the_end() {
        let mut breaks = PageBreaks::new(vec![
            page("1", "one"),
            page("2", "nowhere to be found"),
            page("3", "three four"),
            page("4", "never"),
        ]);
        let mut out = String::new();
        breaks.open_chapter(&mut out);
        breaks.text(&mut out, "one two three four five");
        breaks.close_chapter(&mut out);
        assert_eq!(
            out,
            format!(
                "{}one two {}{}three four five{}",
                marker("1"),
                marker("2"),
                marker("3"),
                marker("4")
            )
        );
    }
}
