//! PLACEHOLDER while the citation parser is written in parallel: finds nothing.
use std::ops::Range;

use crate::doc::{CiteMode, Locator};

/// One citation found in a text run.
pub struct FoundCitation {
    /// Byte range in the text.
    pub range: Range<usize>,
    /// Parenthetical or narrative.
    pub mode: CiteMode,
    /// The items.
    pub items: Vec<FoundItem>,
}

/// One item.
pub struct FoundItem {
    /// Key.
    pub key: String,
    /// Range of `@key`.
    pub key_range: Range<usize>,
    /// Prefix.
    pub prefix: String,
    /// Locator.
    pub locator: Option<Locator>,
    /// Suffix.
    pub suffix: String,
    /// Suppress author.
    pub suppress_author: bool,
}

/// Find citations.
pub fn find_citations(_text: &str) -> Vec<FoundCitation> {
    Vec::new()
}
