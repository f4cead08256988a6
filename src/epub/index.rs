//! The index page, marked up as the EPUB Indexes specification describes (`index`,
//! `index-group`, `index-entry-list`, `index-entry`, `index-term`, `index-locator`,
//! `index-xref-preferred`, `index-xref-related`), so reading systems that know indexes can
//! offer it and others show a plain list of links.
//!
//! An EPUB has no pages: each place is a link named by the title of the section the mark is
//! in (what a reader can judge a place by), a section named once however many marks it holds.

use super::xhtml::{chapter_file, document_start, escape, DOCUMENT_END};
use crate::doc::index::{Index, IndexEntry, IndexLocator};
use crate::doc::Book;
use crate::locale::Terms;

/// The index page's file in the package (no chapter's slug starts with `octavo-`).
pub(crate) const INDEX_HREF: &str = "text/octavo-index.xhtml";
/// The id of the index page's section (the nav and the landmarks point at it).
pub(crate) const INDEX_ID: &str = "index";

/// The index page's XHTML.
pub(crate) fn index_page(book: &Book, index: &Index, terms: &Terms) -> String {
    let mut out = document_start(
        terms.index,
        &book.meta.language,
        &[super::pages::CSS.to_string()],
        "backmatter",
    );
    out.push_str(&format!(
        "<section class=\"index\" epub:type=\"index\" role=\"doc-index\" id=\"{INDEX_ID}\">\n<h1>{}</h1>\n",
        escape(terms.index)
    ));
    let targets = TermIds::new(index);
    let mut counter = 0;
    for (number, group) in index.groups.iter().enumerate() {
        let heading = if group.heading.is_empty() {
            terms.symbols
        } else {
            group.heading.as_str()
        };
        out.push_str(&format!(
            "<section epub:type=\"index-group\" id=\"index-group-{}\">\n<h2>{}</h2>\n",
            number + 1,
            escape(heading)
        ));
        write_entries(
            book,
            &group.entries,
            &targets,
            terms,
            &mut counter,
            &mut out,
        );
        out.push_str("</section>\n");
    }
    out.push_str("</section>\n");
    out.push_str(DOCUMENT_END);
    out
}

/// Main entries' ids by their words, for "see" links.
struct TermIds<'i> {
    ids: std::collections::HashMap<&'i str, String>,
}

impl<'i> TermIds<'i> {
    fn new(index: &'i Index) -> Self {
        let mut ids = std::collections::HashMap::new();
        let main = index.groups.iter().flat_map(|g| &g.entries);
        for (number, entry) in main.enumerate().filter(|(_, e)| e.depth == 0) {
            ids.entry(entry.term.as_str())
                .or_insert_with(|| entry_id(number));
        }
        TermIds { ids }
    }

    /// The id of the main entry a "see" target names (its first level, `term!sub`).
    fn of(&self, target: &str) -> Option<&str> {
        let main = target.split('!').next().unwrap_or(target).trim();
        self.ids.get(main).map(String::as_str)
    }
}

fn entry_id(number: usize) -> String {
    format!("index-entry-{}", number + 1)
}

/// A group's entries as nested lists, a sub-entry's list inside its parent's item.
fn write_entries(
    book: &Book,
    entries: &[IndexEntry],
    targets: &TermIds<'_>,
    terms: &Terms,
    counter: &mut usize,
    out: &mut String,
) {
    let mut open_depth: Option<usize> = None;
    for entry in entries {
        match open_depth {
            None => out.push_str("<ul epub:type=\"index-entry-list\">\n"),
            Some(depth) if entry.depth > depth => {
                out.push_str("\n<ul epub:type=\"index-entry-list\">\n")
            }
            Some(depth) => {
                out.push_str("</li>\n");
                for _ in entry.depth..depth {
                    out.push_str("</ul>\n</li>\n");
                }
            }
        }
        open_depth = Some(entry.depth);
        let number = *counter;
        *counter += 1;
        if entry.depth == 0 {
            out.push_str(&format!(
                "<li epub:type=\"index-entry\" id=\"{}\">",
                entry_id(number)
            ));
        } else {
            out.push_str("<li epub:type=\"index-entry\">");
        }
        write_entry(book, entry, targets, terms, out);
    }
    if let Some(depth) = open_depth {
        out.push_str("</li>\n");
        for _ in 0..depth {
            out.push_str("</ul>\n</li>\n");
        }
        out.push_str("</ul>\n");
    }
}

fn write_entry(
    book: &Book,
    entry: &IndexEntry,
    targets: &TermIds<'_>,
    terms: &Terms,
    out: &mut String,
) {
    out.push_str(&format!(
        "<span epub:type=\"index-term\">{}</span>",
        escape(&entry.term)
    ));
    let mut previous: Option<&IndexLocator> = None;
    for locator in &entry.locators {
        let same_section =
            previous.is_some_and(|p| p.chapter == locator.chapter && p.section == locator.section);
        if same_section {
            continue;
        }
        previous = Some(locator);
        let chapter = &book.chapters[locator.chapter];
        out.push_str(&format!(
            ", <a epub:type=\"index-locator\" href=\"{}#{}\">{}</a>",
            escape(&chapter_file(chapter)),
            escape(&locator.id),
            escape(&locator.section)
        ));
    }
    write_references(&entry.see, terms.see, "index-xref-preferred", targets, out);
    write_references(
        &entry.see_also,
        terms.see_also,
        "index-xref-related",
        targets,
        out,
    );
}

/// "see X" or "see also X, Y": each term a link to its entry when the index has it.
fn write_references(
    references: &[String],
    words: &str,
    kind: &str,
    targets: &TermIds<'_>,
    out: &mut String,
) {
    if references.is_empty() {
        return;
    }
    out.push_str(&format!(", <em>{}</em> ", escape(words)));
    for (n, target) in references.iter().enumerate() {
        if n > 0 {
            out.push_str("; ");
        }
        let shown = escape(&target.replace('!', ", "));
        match targets.of(target) {
            Some(id) => out.push_str(&format!(
                "<a epub:type=\"{kind}\" href=\"#{}\">{shown}</a>",
                escape(id)
            )),
            None => out.push_str(&format!("<span epub:type=\"{kind}\">{shown}</span>")),
        }
    }
}
