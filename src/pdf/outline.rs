//! The PDF outline (the bookmarks panel): a nested tree (chapters, sections, …) whose entries
//! jump to the heading itself (`/XYZ null y null`). Entries with children are written
//! *closed*, like LaTeX's hyperref does by default: a book has dozens of chapters and hundreds
//! of sections, and an outline that opens fully is a wall a reader must scroll through, while
//! the closed chapter list fits the sidebar and expands on demand.

use lopdf::{Dictionary, Document, Object, ObjectId};

use super::finish::{text_string, FinishError};

/// One entry of the PDF outline (the bookmarks panel), with its nested entries.
#[derive(Debug, Clone, PartialEq)]
pub struct OutlineEntry {
    /// The text shown in the outline (any Unicode).
    pub title: String,
    /// The 0-based index of the page the entry jumps to.
    pub page: usize,
    /// Where on that page the view's top edge goes, in points from the page bottom.
    pub y: f64,
    /// Entries nested under this one (sections of a chapter, …).
    pub children: Vec<OutlineEntry>,
}

/// Checks every outline entry's target page and position.
pub(super) fn validate_outline(entries: &[OutlineEntry], pages: usize) -> Result<(), FinishError> {
    for entry in entries {
        if entry.page >= pages {
            return Err(FinishError::OutlinePage {
                title: entry.title.clone(),
                page: entry.page,
                pages,
            });
        }
        if !entry.y.is_finite() {
            return Err(FinishError::OutlinePosition {
                title: entry.title.clone(),
            });
        }
        validate_outline(&entry.children, pages)?;
    }
    Ok(())
}

/// Writes the outline root and its items; `None` when there is no outline.
pub(super) fn write_outline(
    doc: &mut Document,
    entries: &[OutlineEntry],
    pages: &[ObjectId],
) -> Option<ObjectId> {
    if entries.is_empty() {
        return None;
    }
    let root = doc.new_object_id();
    let (first, last) = write_siblings(doc, entries, root, pages);
    let dict = Dictionary::from_iter(vec![
        ("Type", Object::Name(b"Outlines".to_vec())),
        ("First", Object::Reference(first)),
        ("Last", Object::Reference(last)),
        // Every item with children is closed, so exactly the top level is visible.
        ("Count", Object::Integer(entries.len() as i64)),
    ]);
    doc.objects.insert(root, Object::Dictionary(dict));
    Some(root)
}

/// Writes one list of sibling items under `parent`; returns the first and last item ids.
/// `entries` must not be empty.
fn write_siblings(
    doc: &mut Document,
    entries: &[OutlineEntry],
    parent: ObjectId,
    pages: &[ObjectId],
) -> (ObjectId, ObjectId) {
    let ids: Vec<ObjectId> = entries.iter().map(|_| doc.new_object_id()).collect();
    for (i, entry) in entries.iter().enumerate() {
        let mut dict = outline_item(entry, parent, pages);
        if i > 0 {
            dict.set("Prev", Object::Reference(ids[i - 1]));
        }
        if let Some(next) = ids.get(i + 1) {
            dict.set("Next", Object::Reference(*next));
        }
        if !entry.children.is_empty() {
            let (first, last) = write_siblings(doc, &entry.children, ids[i], pages);
            dict.set("First", Object::Reference(first));
            dict.set("Last", Object::Reference(last));
            // Negative: closed, with this many items shown when opened (its children, which
            // are closed themselves).
            dict.set("Count", Object::Integer(-(entry.children.len() as i64)));
        }
        doc.objects.insert(ids[i], Object::Dictionary(dict));
    }
    (ids[0], ids[ids.len() - 1])
}

/// An outline item's own entries: title, parent and destination.
fn outline_item(entry: &OutlineEntry, parent: ObjectId, pages: &[ObjectId]) -> Dictionary {
    let page = pages[entry.page];
    let dest = vec![
        Object::Reference(page),
        Object::Name(b"XYZ".to_vec()),
        Object::Null,
        Object::Real(entry.y as f32),
        Object::Null,
    ];
    Dictionary::from_iter(vec![
        ("Title", text_string(&entry.title)),
        ("Parent", Object::Reference(parent)),
        ("Dest", Object::Array(dest)),
    ])
}
