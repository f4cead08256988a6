//! Mutable walks over the document tree, shared by every pass that visits the whole book.
//!
//! The resolve passes (ids, notes, links, images, citations), the checks, the handout excerpt
//! and the build's citation bookkeeping each visit every inline or block in reading order,
//! including table cells, figure captions, note bodies and link texts; writing that traversal
//! once keeps the passes short and makes sure none of them forgets a corner.

use super::{Block, Inline};

/// Visit every block (depth first, in reading order), containers before their children.
pub(crate) fn blocks_mut(blocks: &mut [Block], f: &mut dyn FnMut(&mut Block)) {
    for block in blocks {
        f(block);
        match block {
            Block::Quote { blocks, .. } | Block::Container { blocks, .. } => blocks_mut(blocks, f),
            Block::List(list) => {
                for item in &mut list.items {
                    blocks_mut(&mut item.blocks, f);
                }
            }
            _ => {}
        }
    }
}

/// Visit every inline sequence's elements in reading order, parents before children.
pub(crate) fn inlines_mut(blocks: &mut [Block], f: &mut dyn FnMut(&mut Inline)) {
    blocks_mut(blocks, &mut |block| {
        for_block_inlines(block, &mut |inlines| each_inline_mut(inlines, f))
    });
}

/// Visit each inline that belongs directly to `block` (not to blocks nested in it), and the
/// inlines inside those.
pub(crate) fn block_inlines_mut(block: &mut Block, f: &mut dyn FnMut(&mut Inline)) {
    for_block_inlines(block, &mut |inlines| each_inline_mut(inlines, f));
}

/// Call `f` on each inline sequence that belongs directly to `block` (not nested blocks).
fn for_block_inlines(block: &mut Block, f: &mut dyn FnMut(&mut Vec<Inline>)) {
    match block {
        Block::Heading(h) => f(&mut h.content),
        Block::Paragraph { content, .. } => f(content),
        Block::Table(table) => {
            f(&mut table.caption);
            for cell in &mut table.head {
                f(cell);
            }
            for row in &mut table.rows {
                for cell in row {
                    f(cell);
                }
            }
        }
        Block::Figure(figure) => f(&mut figure.caption),
        Block::Code {
            listing: Some(listing),
            ..
        } => f(&mut listing.caption),
        Block::References(entries) => {
            for entry in entries {
                f(&mut entry.content);
            }
        }
        _ => {}
    }
}

/// Visit each inline and, recursively, the inlines inside it.
pub(crate) fn each_inline_mut(inlines: &mut [Inline], f: &mut dyn FnMut(&mut Inline)) {
    for inline in inlines {
        f(inline);
        match inline {
            Inline::Emph(c) | Inline::Strong(c) | Inline::Strike(c) => each_inline_mut(c, f),
            Inline::Html(html) => each_inline_mut(&mut html.children, f),
            Inline::Link(link) => each_inline_mut(&mut link.content, f),
            Inline::Cite(cite) => each_inline_mut(&mut cite.rendered, f),
            Inline::Ref(reference) => each_inline_mut(&mut reference.rendered, f),
            _ => {}
        }
    }
}

/// Visit every image (inline or figure) in the blocks.
pub(crate) fn images_mut(blocks: &mut [Block], f: &mut dyn FnMut(&mut crate::doc::Image)) {
    blocks_mut(blocks, &mut |block| {
        if let Block::Figure(figure) = block {
            f(&mut figure.image);
        }
    });
    inlines_mut(blocks, &mut |inline| {
        if let Inline::Image(image) = inline {
            f(image);
        }
    });
}
