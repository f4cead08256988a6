//! The shape of a book whose chapters are listed by another tool (an mdBook's SUMMARY.md, a
//! Quarto book's `_quarto.yml`): which file opens a chapter and which is a section of the one
//! before, the part titles between them, and which chapters come before or after the
//! numbered ones. A plain octavo book has none: every file is a chapter.

use crate::diag::{FileId, Span};

/// Where the chapters listed by another tool go, file by file.
#[derive(Debug, Clone, Default)]
pub struct BookStructure {
    /// One entry per file of [`super::Manuscript::chapters`], in the same order.
    pub placements: Vec<Placement>,
    /// Part titles, each before the placement it opens.
    pub parts: Vec<PartTitle>,
    /// Files from which a preprocessor directive's text was left out (already reported),
    /// so that a chapter left with only its heading is not reported as empty again.
    pub directives_left_out: std::collections::BTreeSet<FileId>,
    /// The preprocessor directives octavo does not run, by kind: the first place and the
    /// count. Resolve reports them in one warning with the front-matter keys the same
    /// preprocessors read.
    pub skipped_directives: std::collections::BTreeMap<String, (Span, usize)>,
}

/// One chapter file's place.
#[derive(Debug, Clone)]
pub struct Placement {
    /// The file.
    pub file: FileId,
    /// 0 for a chapter; 1 and deeper for a file that becomes a section of the chapter above
    /// it (its headings move down by this many levels).
    pub depth: u8,
    /// Before, in or after the numbered chapters.
    pub matter: Matter,
    /// The title the listing gives (used when the file has no heading of its own).
    pub title: String,
    /// Where the listing names the file.
    pub listed_at: Span,
    /// Listed after a part's files but outside any part (see `doc::Chapter::leaves_part`).
    pub leaves_part: bool,
}

/// The three runs of chapters an mdBook (and a Quarto book) has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Matter {
    /// Before the numbered chapters: unnumbered front matter.
    Prefix,
    /// The numbered chapters.
    Numbered,
    /// After them: unnumbered back matter (Quarto's appendices are lettered).
    Suffix,
    /// An appendix (Quarto's `appendices:`).
    Appendix,
}

/// A part title (`# Day 1: Morning` in SUMMARY.md, `- part: …` in `_quarto.yml`).
#[derive(Debug, Clone)]
pub struct PartTitle {
    /// The index in [`BookStructure::placements`] of the first file of the part.
    pub before: usize,
    /// The title as written.
    pub title: String,
    /// Where it is written.
    pub span: Span,
}
