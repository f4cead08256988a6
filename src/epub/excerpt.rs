//! The book cut down to some of its chapters, for the EPUB of a handout (`--chapters`).
//!
//! The excerpt holds the chosen chapters (with their notes) and only the images they show;
//! every internal link is renumbered, and a link into a chapter left out becomes its plain
//! text, so that no link of the EPUB points at a file it does not contain.

use std::collections::BTreeMap;

use crate::doc::walk::{each_inline_mut, images_mut, inlines_mut};
use crate::doc::{Book, Chapter, Inline, LinkTarget};

/// The `selected` chapters of `book` (indices, in reading order) as a book of their own.
pub(crate) fn excerpt(book: &Book, selected: &[usize]) -> Book {
    let new_index: BTreeMap<usize, usize> = selected
        .iter()
        .filter(|&&i| i < book.chapters.len())
        .enumerate()
        .map(|(new, &old)| (old, new))
        .collect();
    let mut chapters: Vec<Chapter> = new_index
        .keys()
        .map(|&old| book.chapters[old].clone())
        .collect();
    for chapter in &mut chapters {
        relink(chapter, &new_index);
    }
    let mut excerpt = Book {
        meta: book.meta.clone(),
        chapters,
        images: Vec::new(),
        undescribed_images: 0,
        index: None,
    };
    keep_shown_images(&mut excerpt, book);
    excerpt
}

/// Renumber the chapter's internal links; a link into a chapter left out keeps its text only.
fn relink(chapter: &mut Chapter, new_index: &BTreeMap<usize, usize>) {
    let mut visit = |inline: &mut Inline| {
        let Inline::Link(link) = inline else {
            return;
        };
        let LinkTarget::Internal { chapter, .. } = &mut link.target else {
            return;
        };
        if let Some(&index) = new_index.get(chapter) {
            *chapter = index;
            return;
        }
        let children = std::mem::take(&mut link.content);
        *inline = Inline::Html(Box::new(crate::doc::HtmlInline {
            name: "span".to_string(),
            attrs: Vec::new(),
            children,
        }));
    };
    inlines_mut(&mut chapter.blocks, &mut visit);
    for note in &mut chapter.notes {
        inlines_mut(&mut note.blocks, &mut visit);
    }
    // Chapter titles are inlines too (shown in the contents).
    each_inline_mut(&mut chapter.title, &mut visit);
}

/// Keep the images the excerpt shows (and the cover), renumbered in their first order.
fn keep_shown_images(excerpt: &mut Book, book: &Book) {
    let mut new_asset: BTreeMap<usize, usize> = BTreeMap::new();
    let mut keep = |old: usize, images: &mut Vec<crate::doc::ImageAsset>| -> Option<usize> {
        let asset = book.images.get(old)?;
        Some(*new_asset.entry(old).or_insert_with(|| {
            images.push(asset.clone());
            images.len() - 1
        }))
    };
    let mut images = Vec::new();
    excerpt.meta.cover = excerpt.meta.cover.and_then(|old| keep(old, &mut images));
    let mut undescribed = 0;
    for chapter in &mut excerpt.chapters {
        let mut visit = |image: &mut crate::doc::Image| {
            image.asset = image.asset.and_then(|old| keep(old, &mut images));
            undescribed += usize::from(image.alt.trim().is_empty());
        };
        images_mut(&mut chapter.blocks, &mut visit);
        for note in &mut chapter.notes {
            images_mut(&mut note.blocks, &mut visit);
        }
    }
    excerpt.images = images;
    excerpt.undescribed_images = undescribed;
}
