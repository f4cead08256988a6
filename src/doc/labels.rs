//! Attribute blocks, numbers and cross-references in the document model.
//!
//! pandoc and Quarto write attributes in braces after an image, a heading, a fenced div's
//! opening, a code fence or a table caption: `{#fig-map .wide width=50% fig-alt="…"}`. The
//! Markdown stage reads them into [`Attributes`]; resolve numbers what carries a label
//! (figures, tables, listings, sections) into [`Numbered`], and renders each [`CrossRef`]
//! (`@fig-map`, `[-@tbl-x]`, `[Fig. @fig-map]`) into linked text both backends print.

use crate::diag::Span;

use super::{CiteItem, Inline};

/// A pandoc attribute block `{#id .class key=value}` as the author wrote it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Attributes {
    /// `#id`: the label or anchor id, as written (`fig-map`, `fig:map`).
    pub id: Option<String>,
    /// `.class` names in order; `-` is read as `unnumbered`, as pandoc does.
    pub classes: Vec<String>,
    /// `key=value` pairs in order, quotes removed.
    pub pairs: Vec<(String, String)>,
    /// Where the block was written, braces included; `None` when there was none.
    pub span: Option<Span>,
}

impl Attributes {
    /// The value of `key`, if given.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.pairs
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// True when `.class` was given.
    pub fn has_class(&self, class: &str) -> bool {
        self.classes.iter().any(|c| c == class)
    }

    /// True for a block that said nothing (or no block at all).
    pub fn is_empty(&self) -> bool {
        self.id.is_none() && self.classes.is_empty() && self.pairs.is_empty()
    }
}

/// What a numbered element is: the word in front of its number and the prefix of its labels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum LabelKind {
    /// A figure (`fig-`).
    Figure,
    /// A table (`tbl-`).
    Table,
    /// A code listing (`lst-`).
    Listing,
    /// A section heading (`sec-`).
    Section,
    /// A chapter (a level-1 heading labelled `sec-`).
    Chapter,
    /// An appendix (a level-1 heading of an appendix chapter labelled `sec-`).
    Appendix,
    /// A labelled display equation (`eq-`).
    Equation,
}

/// The number resolve gave a figure, table or listing: what its caption and every reference
/// to it print, and where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Numbered {
    /// What it is.
    pub kind: LabelKind,
    /// The number alone (`3.2`, `A.1`, `4`).
    pub number: String,
    /// The word and the number in the book's language (`Figure 3.2`, `Abbildung 3.2`).
    pub label: String,
    /// Its anchor id, unique in the book (the label with `:` made `-`, or a generated one).
    pub anchor: String,
}

/// Where a caption is set, relative to what it describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CaptionSide {
    /// Above.
    Above,
    /// Below.
    Below,
}

/// A cross-reference as written (`@fig-x`, `[-@tbl-y]`, `[see @sec-z; @fig-x]`) and, after
/// resolve, the linked text it prints.
#[derive(Debug, Clone)]
pub struct CrossRef {
    /// The labels referred to, in order, with their prefix and suffix text (the same parts a
    /// citation has; `suppress_author` is `[-@…]`: the number alone).
    pub items: Vec<CiteItem>,
    /// Written in brackets (`[@fig-x]`) rather than in running text (`@fig-x`).
    pub bracketed: bool,
    /// The text to print, with links to the targets (filled by resolve; until then, and
    /// when a label cannot be resolved, the reference as written).
    pub rendered: Vec<Inline>,
    /// The anchor of its one target, for "on page 41" in the PDF (`[numbering]
    /// page-references`); `None` for lists, numbers alone and what did not resolve.
    pub page_anchor: Option<String>,
    /// Source range of the whole reference.
    pub span: Span,
    /// Written as a LaTeX command in the text (`\eqref{x}`, `\ref{x}`, `\cref{x}`) rather
    /// than as `@x`.
    pub latex: Option<LatexReference>,
}

/// A cross-reference written as a LaTeX command.
#[derive(Debug, Clone)]
pub struct LatexReference {
    /// The command as written, printed (with a warning, not an error) when nothing in the
    /// book carries its label: a LaTeX label may name what only LaTeX numbers.
    pub written: String,
    /// `\eqref`: the number in parentheses.
    pub parenthesised: bool,
}

/// A code block that is a numbered listing (`{#lst-x lst-cap="…"}` on its fence, or a
/// `::: {#lst-x}` div around it).
#[derive(Debug, Clone)]
pub struct Listing {
    /// The attributes of the fence or the div.
    pub attrs: Attributes,
    /// The caption (`lst-cap`, or the div's last paragraph).
    pub caption: Vec<Inline>,
    /// Its number, after resolve.
    pub number: Option<Numbered>,
}

/// The label prefixes Quarto reserves for cross-references (and pandoc-crossref's with a
/// colon): a key with one of these is never a citation key.
pub(crate) const CROSSREF_PREFIXES: &[&str] = &[
    "fig", "tbl", "lst", "sec", "eq", "thm", "lem", "cor", "prp", "cnj", "def", "exm", "exr",
    "sol", "rem", "nte", "tip", "wrn", "imp", "cau", "apx",
];

/// True when `key` is a cross-reference label (`fig-x`, `tbl:y`), never a citation key.
pub(crate) fn is_crossref_label(key: &str) -> bool {
    label_prefix(key).is_some()
}

/// The reserved prefix of a label (`fig` for `fig-x` or `fig:x`), if it has one and something
/// after it.
pub(crate) fn label_prefix(key: &str) -> Option<&str> {
    let split = key.find(['-', ':'])?;
    let (prefix, rest) = (&key[..split], &key[split + 1..]);
    (!rest.is_empty() && CROSSREF_PREFIXES.contains(&prefix)).then_some(prefix)
}

/// The anchor id of a label: pandoc-crossref's `fig:x` becomes `fig-x` (a colon is not safe in
/// every reader's fragment identifiers); a Quarto label is its own id.
pub(crate) fn label_anchor(label: &str) -> String {
    label.replacen(':', "-", 1)
}

/// Letters for appendices: A … Z, then AA, AB, …
pub(crate) fn appendix_letter(n: u32) -> String {
    let mut n = n.max(1);
    let mut letters = Vec::new();
    while n > 0 {
        let rem = (n - 1) % 26;
        letters.push(char::from(b'A' + rem as u8));
        n = (n - 1) / 26;
    }
    letters.iter().rev().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_told_from_citation_keys() {
        assert!(is_crossref_label("fig-map"));
        assert!(is_crossref_label("tbl:summary"));
        assert!(is_crossref_label("sec-intro"));
        assert!(!is_crossref_label("fig-"));
        assert!(!is_crossref_label("kiernan1996"));
        assert!(!is_crossref_label("figueroa2001"));
        assert!(!is_crossref_label("Nesslage:etal:2021"));
        assert_eq!(label_anchor("fig:map"), "fig-map");
    }

    #[test]
    fn appendix_letters() {
        assert_eq!(appendix_letter(1), "A");
        assert_eq!(appendix_letter(26), "Z");
        assert_eq!(appendix_letter(27), "AA");
    }
}
