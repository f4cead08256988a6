//! The back-of-book index in the document model: the marks the text carries
//! ([`IndexMark`], from `\index{…}` and `[text]{.index}`) and the index resolve builds from
//! them ([`Index`]: entries sorted by the book language's collation, grouped by letter), which
//! both backends print, the EPUB with links to the marks and the PDF with their pages.

use crate::diag::Span;

/// One level of an index term: the words printed and the key it sorts by (makeindex's
/// `sort@Display`; the same words when no key is given).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexTerm {
    /// The key the term sorts by.
    pub sort: String,
    /// The words printed.
    pub display: String,
}

/// A cross-reference instead of (or beside) a place: "see" sends the reader elsewhere,
/// "see also" adds a related term.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SeeKind {
    /// `|see{other}`: the term has no places of its own.
    See,
    /// `|seealso{other}`: the term's places and a related term.
    SeeAlso,
}

/// A place in the text the index points at: `\index{term!sub}` or `[text]{.index}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexMark {
    /// The term's levels, main term first (one to three).
    pub terms: Vec<IndexTerm>,
    /// A cross-reference the mark makes (then it names no place).
    pub see: Option<(SeeKind, String)>,
    /// The anchor id the backends write at the mark, unique in the book (after resolve).
    pub id: String,
    /// Where the mark is written.
    pub span: Span,
}

/// The index: letter groups in the book language's alphabetical order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Index {
    /// The groups, one per initial letter (symbols and digits first, in one group).
    pub groups: Vec<IndexGroup>,
}

/// The entries that start with one letter, under that letter as a heading.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexGroup {
    /// The letter as printed ("A"); empty for the group of symbols and digits.
    pub heading: String,
    /// The entries in order, each sub-entry right after its parent.
    pub entries: Vec<IndexEntry>,
}

/// One line of the index: a term at a depth, its places and its cross-references.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexEntry {
    /// 0 for a main term, 1 for a sub-entry, 2 for a sub-sub-entry.
    pub depth: usize,
    /// The term as printed.
    pub term: String,
    /// The marks that name this term, in reading order.
    pub locators: Vec<IndexLocator>,
    /// "See" targets (the term has no places of its own).
    pub see: Vec<String>,
    /// "See also" targets.
    pub see_also: Vec<String>,
}

/// One place an entry points at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexLocator {
    /// Index of the chapter in [`super::Book::chapters`].
    pub chapter: usize,
    /// The mark's anchor id.
    pub id: String,
    /// The title of the section the mark is in (the EPUB names places by it; it has no
    /// pages).
    pub section: String,
}

impl Index {
    /// How many entries (main and sub-entries) the index holds.
    pub fn entry_count(&self) -> usize {
        self.groups.iter().map(|g| g.entries.len()).sum()
    }
}
