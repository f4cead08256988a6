//! PLACEHOLDER while citations are written in parallel.
use crate::diag::{Diagnostics, FileId, SourceMap};
use crate::doc::{BibEntry, Chapter};

/// Options.
pub struct CiteOptions {
    /// Style.
    pub style: StyleChoice,
    /// Locale.
    pub locale: String,
    /// Nocite.
    pub nocite: Vec<String>,
    /// Title.
    pub title: Option<String>,
}
/// Style.
pub enum StyleChoice {
    /// Named.
    Named(String),
    /// File.
    File(FileId),
}
/// Rendered.
pub struct RenderedBibliography {
    /// Title.
    pub title: String,
    /// Entries.
    pub entries: Vec<BibEntry>,
}
/// Resolve.
pub fn resolve_citations(
    _chapters: &mut [Chapter],
    _bibliography: Option<FileId>,
    _options: &CiteOptions,
    _sources: &SourceMap,
    _diags: &mut Diagnostics,
) -> Option<RenderedBibliography> {
    None
}
