//! Raw HTML elements wrapped around Markdown, made into valid structure.
//!
//! An author writes `<div class="note">`, Markdown, `</div>` in separate HTML blocks; the
//! builder collects the Markdown in between and hands it here. Block elements become a
//! [`Block::Container`]; phrasing elements (`<del>`, `<span>`) cannot hold paragraphs in XHTML,
//! so each inner block's text is wrapped in them instead. Elements that need a particular
//! parent (`<li>`, `<td>`, `<tr>`) but lost it become `<div>`, and Markdown written straight
//! inside a list or table element gets the child element it needs, so the EPUB stays valid.

use crate::diag::Span;
use crate::doc::{Block, HtmlNode, Inline};

use super::html;

/// The blocks that a closed wrapper element turns into.
pub(super) fn html_container_blocks(
    name: String,
    attrs: Vec<(String, String)>,
    blocks: Vec<Block>,
    span: Span,
) -> Vec<Block> {
    if html::is_inline_element(&name) {
        return blocks
            .into_iter()
            .map(|block| wrap_block_text(&name, &attrs, block))
            .collect();
    }
    if name == "figure" {
        if let Some(figure) = captioned_figure(&attrs, &blocks) {
            return vec![figure];
        }
    }
    let blocks = supply_required_children(&name, blocks, &span);
    vec![Block::Container {
        name,
        attrs,
        blocks,
        span,
    }]
}

/// A `<figure>` around Markdown: one image (a figure of its own) and a `<figcaption>` of
/// Markdown paragraphs make one figure with that caption, labelled by the element's `id`.
fn captioned_figure(attrs: &[(String, String)], blocks: &[Block]) -> Option<Block> {
    let mut figures = blocks.iter().filter_map(|b| match b {
        Block::Figure(figure) => Some(figure),
        _ => None,
    });
    let (figure, None) = (figures.next()?, figures.next()) else {
        return None;
    };
    let mut caption: Vec<Inline> = Vec::new();
    for block in blocks {
        match block {
            Block::Figure(_) => {}
            Block::Container { name, blocks, .. } if name == "figcaption" => {
                for block in blocks {
                    let Block::Paragraph { content, .. } = block else {
                        return None;
                    };
                    if !caption.is_empty() {
                        caption.push(Inline::SoftBreak);
                    }
                    caption.extend(content.iter().cloned());
                }
            }
            _ => return None,
        }
    }
    let mut figure = figure.clone();
    if !caption.is_empty() {
        figure.caption = caption;
    }
    if let Some((_, id)) = attrs.iter().find(|(k, _)| k == "id") {
        figure.attrs.id = Some(id.clone());
    }
    Some(Block::Figure(figure))
}

/// The parents an element must sit in, for elements that cannot stand in flow content.
fn required_parents(name: &str) -> Option<&'static [&'static str]> {
    Some(match name {
        "li" => &["ul", "ol"],
        "dt" | "dd" => &["dl"],
        "tr" => &["table", "thead", "tbody", "tfoot"],
        "td" | "th" => &["tr"],
        "thead" | "tbody" | "tfoot" | "caption" | "colgroup" => &["table"],
        "col" => &["colgroup", "table"],
        "summary" => &["details"],
        "figcaption" => &["figure"],
        _ => return None,
    })
}

/// True when `name` may appear directly inside `parent` (`""` for a Markdown container).
pub(super) fn fits_parent(name: &str, parent: &str) -> bool {
    required_parents(name).is_none_or(|parents| parents.contains(&parent))
}

/// The element that must wrap flow content placed directly in `parent`, if any.
fn required_child(parent: &str) -> Option<&'static str> {
    match parent {
        "ul" | "ol" => Some("li"),
        "dl" => Some("dd"),
        "table" | "thead" | "tbody" | "tfoot" => Some("tr"),
        "tr" => Some("td"),
        _ => None,
    }
}

/// Rename elements that lost their required parent to `div` (keeping only attributes a `div`
/// may carry) and drop orphaned `col`s, throughout a sanitised tree placed in `parent`.
pub(super) fn adopt_orphans(nodes: Vec<HtmlNode>, parent: &str) -> Vec<HtmlNode> {
    nodes
        .into_iter()
        .filter_map(|node| match node {
            HtmlNode::Element {
                name,
                attrs,
                children,
            } => {
                if fits_parent(&name, parent) {
                    let children = adopt_orphans(children, &name);
                    return Some(HtmlNode::Element {
                        name,
                        attrs,
                        children,
                    });
                }
                if name == "col" {
                    return None;
                }
                let (attrs, _) = html::filter_attributes("div", &attrs);
                let children = adopt_orphans(children, "div");
                Some(HtmlNode::Element {
                    name: "div".to_string(),
                    attrs,
                    children,
                })
            }
            text => Some(text),
        })
        .collect()
}

/// A container element that lost its required parent becomes a `div`.
pub(super) fn adopted_name(
    name: String,
    attrs: Vec<(String, String)>,
    parent: &str,
) -> (String, Vec<(String, String)>) {
    if fits_parent(&name, parent) {
        (name, attrs)
    } else {
        let (attrs, _) = html::filter_attributes("div", &attrs);
        ("div".to_string(), attrs)
    }
}

/// Markdown blocks written straight inside `<ul>`, `<table>` or `<tr>` get the list item, row
/// or cell they need.
fn supply_required_children(parent: &str, blocks: Vec<Block>, span: &Span) -> Vec<Block> {
    let Some(child) = required_child(parent) else {
        return blocks;
    };
    blocks
        .into_iter()
        .map(|block| {
            if is_element_block(&block, child) {
                block
            } else {
                let inner = supply_required_children(child, vec![block], span);
                Block::Container {
                    name: child.to_string(),
                    attrs: Vec::new(),
                    blocks: inner,
                    span: span.clone(),
                }
            }
        })
        .collect()
}

/// True when the block is already made of elements that may stand where `child` is required
/// (a `<th>` where a cell is, `<dt>` in a definition list, row groups in a table), or white
/// space between them.
fn is_element_block(block: &Block, child: &str) -> bool {
    match block {
        Block::Container { name, .. } => stands_for(name, child),
        Block::Html { nodes, .. } => nodes.iter().all(|node| match node {
            HtmlNode::Element { name, .. } => stands_for(name, child),
            HtmlNode::Text(text) => text.trim().is_empty(),
        }),
        _ => false,
    }
}

fn stands_for(name: &str, child: &str) -> bool {
    name == child
        || match child {
            "td" => name == "th",
            "dd" => name == "dt",
            "tr" => matches!(name, "thead" | "tbody" | "tfoot" | "caption" | "colgroup"),
            _ => false,
        }
}

/// Wrap the text of one block (and of the blocks inside it) in a phrasing element.
fn wrap_block_text(name: &str, attrs: &[(String, String)], block: Block) -> Block {
    let wrap = |content: Vec<Inline>| -> Vec<Inline> {
        if content.is_empty() {
            return content;
        }
        vec![Inline::Html(Box::new(crate::doc::HtmlInline {
            name: name.to_string(),
            attrs: attrs.to_vec(),
            children: content,
        }))]
    };
    let wrap_all = |blocks: Vec<Block>| -> Vec<Block> {
        blocks
            .into_iter()
            .map(|b| wrap_block_text(name, attrs, b))
            .collect()
    };
    match block {
        Block::Paragraph { content, span } => Block::Paragraph {
            content: wrap(content),
            span,
        },
        Block::Heading(mut heading) => {
            heading.content = wrap(heading.content);
            Block::Heading(heading)
        }
        Block::Quote { blocks, span } => Block::Quote {
            blocks: wrap_all(blocks),
            span,
        },
        Block::List(mut list) => {
            for item in &mut list.items {
                item.blocks = wrap_all(std::mem::take(&mut item.blocks));
            }
            Block::List(list)
        }
        Block::Container {
            name: outer,
            attrs: outer_attrs,
            blocks,
            span,
        } => Block::Container {
            name: outer,
            attrs: outer_attrs,
            blocks: wrap_all(blocks),
            span,
        },
        Block::Table(mut table) => {
            for cell in table.head.iter_mut().chain(table.rows.iter_mut().flatten()) {
                *cell = wrap(std::mem::take(cell));
            }
            Block::Table(table)
        }
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::FileId;

    fn span() -> Span {
        Span::new(FileId(0), 0..0)
    }

    fn para(text: &str) -> Block {
        Block::Paragraph {
            content: vec![Inline::text(text, span())],
            span: span(),
        }
    }

    #[test]
    fn phrasing_wrappers_wrap_each_paragraph() {
        let blocks =
            html_container_blocks("del".into(), vec![], vec![para("a"), para("b")], span());
        assert_eq!(blocks.len(), 2);
        for block in blocks {
            let Block::Paragraph { content, .. } = block else {
                panic!("expected a paragraph");
            };
            assert!(matches!(&content[0], Inline::Html(html) if html.name == "del"));
        }
    }

    #[test]
    fn markdown_in_a_table_gets_a_row_and_a_cell() {
        let blocks = html_container_blocks("table".into(), vec![], vec![para("a")], span());
        let [Block::Container { blocks, .. }] = blocks.as_slice() else {
            panic!("expected one container");
        };
        let [Block::Container { name, blocks, .. }] = blocks.as_slice() else {
            panic!("expected a row");
        };
        assert_eq!(name, "tr");
        assert!(matches!(blocks.as_slice(), [Block::Container { name, .. }] if name == "td"));
    }

    #[test]
    fn header_cells_are_cells_of_a_row() {
        let th = Block::Container {
            name: "th".into(),
            attrs: vec![],
            blocks: vec![para("h")],
            span: span(),
        };
        let blocks = html_container_blocks("tr".into(), vec![], vec![th], span());
        let [Block::Container { blocks, .. }] = blocks.as_slice() else {
            panic!("expected one row");
        };
        assert!(matches!(blocks.as_slice(), [Block::Container { name, .. }] if name == "th"));
    }

    #[test]
    fn orphaned_cells_become_divs() {
        let nodes = vec![HtmlNode::Element {
            name: "td".into(),
            attrs: vec![("colspan".into(), "2".into())],
            children: vec![HtmlNode::Text("x".into())],
        }];
        let adopted = adopt_orphans(nodes, "");
        assert_eq!(
            adopted,
            vec![HtmlNode::Element {
                name: "div".into(),
                attrs: vec![],
                children: vec![HtmlNode::Text("x".into())],
            }]
        );
    }
}
