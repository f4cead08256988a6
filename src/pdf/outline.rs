//! The PDF outline (the bookmarks panel): a nested tree (chapters, sections, …) whose entries
//! jump to the heading itself (`/XYZ left top null`). Entries with children are written
//! *closed*, like LaTeX's hyperref does by default: a book has dozens of chapters and hundreds
//! of sections, and an outline that opens fully is a wall a reader must scroll through, while
//! the closed chapter list fits the sidebar and expands on demand.

use krilla::destination::XyzDestination;
use krilla::geom::Point;
use krilla::outline::{Outline, OutlineNode};

use super::writer::WriteError;
use crate::units::Pt;

/// One entry of the PDF outline (the bookmarks panel), with its nested entries.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct OutlineEntry {
    /// The text shown in the outline (any Unicode).
    pub title: String,
    /// The 0-based index of the page the entry jumps to.
    pub page: usize,
    /// Where on that page the view's top edge goes, from the page's top.
    pub top: Pt,
    /// Entries nested under this one (sections of a chapter, …).
    pub children: Vec<OutlineEntry>,
}

/// Checks every outline entry's target page and position: krilla needs both to be valid.
pub(super) fn validate_outline(entries: &[OutlineEntry], pages: usize) -> Result<(), WriteError> {
    for entry in entries {
        if entry.page >= pages {
            return Err(WriteError::OutlinePage {
                title: entry.title.clone(),
                page: entry.page,
                pages,
            });
        }
        if !entry.top.is_finite() {
            return Err(WriteError::OutlinePosition {
                title: entry.title.clone(),
            });
        }
        validate_outline(&entry.children, pages)?;
    }
    Ok(())
}

/// The outline as krilla writes it (checked by [`validate_outline`] first), on pages
/// printed with `bleed` above their trim.
pub(super) fn krilla_outline(entries: &[OutlineEntry], bleed: Pt) -> Outline {
    let mut outline = Outline::new();
    for entry in entries {
        outline.push_child(node(entry, bleed));
    }
    outline
}

/// One closed outline item and its children.
fn node(entry: &OutlineEntry, bleed: Pt) -> OutlineNode {
    let top = (entry.top + bleed).to_f32();
    let destination = XyzDestination::new(entry.page, Point::from_xy(0.0, top));
    let mut node = OutlineNode::new(entry.title.clone(), destination).with_open(false);
    for child in &entry.children {
        node.push_child(self::node(child, bleed));
    }
    node
}
