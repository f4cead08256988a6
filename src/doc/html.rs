//! Raw HTML nodes read as document blocks, for backends that set text themselves.
//!
//! The EPUB writes allow-listed HTML as it is; the PDF typesetter has no HTML engine, so it
//! sets raw HTML through the same blocks as Markdown: `<p>` and loose text become paragraphs,
//! `<h2>` a heading, `<ul>` a list, `<table>` a table, `<pre>` code, `<blockquote>` a quote,
//! and phrasing elements stay [`Inline::Html`] so their look (italic, strike, superscript)
//! carries over. Nothing is dropped: an element this module does not know is read as a
//! container of its children.

use super::{Align, Block, Heading, HtmlNode, Inline, List, ListItem, Table, HTML_INLINE_ELEMENTS};
use crate::diag::Span;

/// The blocks that raw HTML nodes stand for. `span` is where the HTML was written.
pub(crate) fn to_blocks(nodes: &[HtmlNode], span: &Span) -> Vec<Block> {
    let mut reader = BlockReader {
        span,
        blocks: Vec::new(),
        inlines: Vec::new(),
    };
    reader.nodes(nodes);
    reader.finish()
}

/// Collects blocks, gathering loose phrasing content into paragraphs.
struct BlockReader<'s> {
    span: &'s Span,
    blocks: Vec<Block>,
    inlines: Vec<Inline>,
}

impl BlockReader<'_> {
    fn nodes(&mut self, nodes: &[HtmlNode]) {
        for node in nodes {
            self.node(node);
        }
    }

    fn node(&mut self, node: &HtmlNode) {
        let HtmlNode::Element {
            name,
            attrs,
            children,
        } = node
        else {
            return self
                .inlines
                .extend(to_inlines(std::slice::from_ref(node), self.span));
        };
        if is_phrasing(name) {
            return self
                .inlines
                .extend(to_inlines(std::slice::from_ref(node), self.span));
        }
        self.flush();
        let span = self.span.clone();
        let block = match name.as_str() {
            "p" | "dt" | "caption" | "figcaption" => Block::Paragraph {
                content: to_inlines(children, self.span),
                span,
            },
            // Print cannot fold a `<details>` away: its summary reads as a bold lead-in.
            "summary" => Block::Paragraph {
                content: vec![Inline::Html(Box::new(crate::doc::HtmlInline {
                    name: "b".to_string(),
                    attrs: Vec::new(),
                    children: to_inlines(children, self.span),
                }))],
                span,
            },
            "h1" | "h2" | "h3" | "h4" | "h5" | "h6" => Block::Heading(Box::new(Heading {
                level: name[1..].parse().unwrap_or(6),
                id: attr(attrs, "id").unwrap_or_default(),
                explicit_id: attr(attrs, "id").is_some(),
                attrs: super::Attributes::default(),
                number: None,
                content: to_inlines(children, self.span),
                span,
            })),
            "hr" => Block::Rule { span },
            "pre" => Block::Code {
                lang: None,
                text: super::html_plain_text(children),
                listing: None,
                tokens: Vec::new(),
                span,
            },
            "blockquote" => Block::Quote {
                blocks: to_blocks(children, self.span),
                span,
            },
            "ul" | "ol" => Block::List(self.list(name, attrs, children)),
            "table" => Block::Table(Box::new(table(children, self.span))),
            _ => Block::Container {
                name: name.clone(),
                attrs: attrs.clone(),
                blocks: to_blocks(children, self.span),
                span,
            },
        };
        self.blocks.push(block);
    }

    fn list(&self, name: &str, attrs: &[(String, String)], children: &[HtmlNode]) -> List {
        let start = (name == "ol").then(|| {
            attr(attrs, "start")
                .and_then(|s| s.parse::<u64>().ok())
                .unwrap_or(1)
        });
        let items = children
            .iter()
            .filter_map(|child| match child {
                HtmlNode::Element { children, .. } => Some(ListItem {
                    task: None,
                    blocks: to_blocks(children, self.span),
                }),
                HtmlNode::Text(text) if !text.trim().is_empty() => Some(ListItem {
                    task: None,
                    blocks: to_blocks(std::slice::from_ref(child), self.span),
                }),
                HtmlNode::Text(_) => None,
            })
            .collect();
        List {
            start,
            items,
            span: self.span.clone(),
        }
    }

    /// Loose phrasing content becomes a paragraph (white space alone is dropped).
    fn flush(&mut self) {
        let content = std::mem::take(&mut self.inlines);
        let blank = content.iter().all(|inline| match inline {
            Inline::Text { text, .. } => text.trim().is_empty(),
            Inline::SoftBreak => true,
            _ => false,
        });
        if !blank {
            self.blocks.push(Block::Paragraph {
                content,
                span: self.span.clone(),
            });
        }
    }

    fn finish(mut self) -> Vec<Block> {
        self.flush();
        self.blocks
    }
}

fn is_phrasing(name: &str) -> bool {
    HTML_INLINE_ELEMENTS.contains(&name)
}

fn attr(attrs: &[(String, String)], name: &str) -> Option<String> {
    attrs
        .iter()
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.clone())
}

/// Phrasing nodes as inlines; block elements found inside phrasing are read for their text.
pub(crate) fn to_inlines(nodes: &[HtmlNode], span: &Span) -> Vec<Inline> {
    let mut out = Vec::new();
    for node in nodes {
        match node {
            HtmlNode::Text(text) => out.push(Inline::text(collapse_space(text), span.clone())),
            HtmlNode::Element { name, .. } if name == "br" => out.push(Inline::HardBreak),
            HtmlNode::Element { name, .. } if name == "wbr" => {}
            HtmlNode::Element {
                name,
                attrs,
                children,
            } => {
                let children = to_inlines(children, span);
                if is_phrasing(name) {
                    out.push(Inline::Html(Box::new(crate::doc::HtmlInline {
                        name: name.clone(),
                        attrs: attrs.clone(),
                        children,
                    })));
                } else {
                    out.push(Inline::text(" ", span.clone()));
                    out.extend(children);
                    out.push(Inline::text(" ", span.clone()));
                }
            }
        }
    }
    out
}

/// HTML collapses runs of white space (line breaks included) to one space.
fn collapse_space(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut space = false;
    for c in text.chars() {
        if c.is_whitespace() {
            space = true;
        } else {
            if space {
                out.push(' ');
            }
            space = false;
            out.push(c);
        }
    }
    if space {
        out.push(' ');
    }
    out
}

/// A `<table>` (or row group) written over several HTML blocks, with Markdown in its cells,
/// as a table: its rows come from raw HTML `<tr>` nodes and from `<tr>` containers whose
/// cells hold blocks (their text becomes the cell's inlines). `None` for other containers.
pub(crate) fn container_table(name: &str, blocks: &[Block], span: &Span) -> Option<Table> {
    if !matches!(name, "table" | "thead" | "tbody" | "tfoot") {
        return None;
    }
    let mut rows: Vec<(bool, Vec<Vec<Inline>>)> = Vec::new();
    collect_container_rows(blocks, span, &mut rows);
    Some(rows_to_table(rows, span))
}

fn collect_container_rows(blocks: &[Block], span: &Span, rows: &mut Vec<(bool, Vec<Vec<Inline>>)>) {
    for block in blocks {
        match block {
            Block::Html { nodes, .. } => collect_rows(nodes, span, rows),
            Block::Container { name, blocks, .. } if name == "tr" => {
                rows.push(container_row(blocks, span));
            }
            Block::Container { blocks, .. } => collect_container_rows(blocks, span, rows),
            other => rows.push((
                false,
                vec![blocks_as_inlines(std::slice::from_ref(other), span)],
            )),
        }
    }
}

/// The cells of a `<tr>` container: cell containers, and cells written as raw HTML.
fn container_row(blocks: &[Block], span: &Span) -> (bool, Vec<Vec<Inline>>) {
    let mut header = false;
    let mut cells = Vec::new();
    for block in blocks {
        match block {
            Block::Container { name, blocks, .. } => {
                header |= name == "th";
                cells.push(blocks_as_inlines(blocks, span));
            }
            Block::Html { nodes, .. } => {
                for node in nodes {
                    if let HtmlNode::Element { name, children, .. } = node {
                        header |= name == "th";
                        cells.push(to_inlines(children, span));
                    }
                }
            }
            other => cells.push(blocks_as_inlines(std::slice::from_ref(other), span)),
        }
    }
    (header, cells)
}

/// Blocks inside a table cell, as the cell's inlines (paragraphs joined by a space).
fn blocks_as_inlines(blocks: &[Block], span: &Span) -> Vec<Inline> {
    let mut out = Vec::new();
    for block in blocks {
        if !out.is_empty() {
            out.push(Inline::text(" ", span.clone()));
        }
        match block {
            Block::Paragraph { content, .. } => out.extend(content.iter().cloned()),
            Block::Heading(h) => out.extend(h.content.iter().cloned()),
            Block::Html { nodes, .. } => out.extend(to_inlines(nodes, span)),
            other => {
                let text = super::blocks_plain_text(std::slice::from_ref(other));
                out.push(Inline::text(
                    text.split_whitespace().collect::<Vec<_>>().join(" "),
                    span.clone(),
                ));
            }
        }
    }
    out
}

/// A table's rows (in `thead`, `tbody`, `tfoot` or directly in it) and their cells; the first
/// row is the header when it holds `th` cells.
fn table(children: &[HtmlNode], span: &Span) -> Table {
    let mut rows: Vec<(bool, Vec<Vec<Inline>>)> = Vec::new();
    collect_rows(children, span, &mut rows);
    rows_to_table(rows, span)
}

/// Rows padded to one width; a first row of `th` cells is the header.
fn rows_to_table(mut rows: Vec<(bool, Vec<Vec<Inline>>)>, span: &Span) -> Table {
    let columns = rows.iter().map(|(_, cells)| cells.len()).max().unwrap_or(0);
    for (_, cells) in &mut rows {
        cells.resize_with(columns, Vec::new);
    }
    let mut rows = rows.into_iter().peekable();
    let head = match rows.peek() {
        Some((true, _)) => rows.next().map(|(_, cells)| cells).unwrap_or_default(),
        _ => Vec::new(),
    };
    Table {
        aligns: vec![Align::None; columns],
        head,
        rows: rows.map(|(_, cells)| cells).collect(),
        caption: Vec::new(),
        attrs: super::Attributes::default(),
        number: None,
        span: span.clone(),
    }
}

fn collect_rows(nodes: &[HtmlNode], span: &Span, rows: &mut Vec<(bool, Vec<Vec<Inline>>)>) {
    for node in nodes {
        let HtmlNode::Element { name, children, .. } = node else {
            continue;
        };
        match name.as_str() {
            "tr" => {
                let mut header = false;
                let cells = children
                    .iter()
                    .filter_map(|cell| match cell {
                        HtmlNode::Element { name, children, .. } => {
                            header |= name == "th";
                            Some(to_inlines(children, span))
                        }
                        HtmlNode::Text(_) => None,
                    })
                    .collect();
                rows.push((header, cells));
            }
            "thead" | "tbody" | "tfoot" => collect_rows(children, span, rows),
            "caption" => rows.push((false, vec![to_inlines(children, span)])),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::FileId;
    use crate::doc::plain_text;

    fn el(name: &str, children: Vec<HtmlNode>) -> HtmlNode {
        HtmlNode::Element {
            name: name.into(),
            attrs: Vec::new(),
            children,
        }
    }

    fn text(t: &str) -> HtmlNode {
        HtmlNode::Text(t.into())
    }

    #[test]
    fn html_reads_as_blocks() {
        let span = Span::new(FileId(0), 0..0);
        let nodes = vec![
            el("h2", vec![text("Title")]),
            el("p", vec![text("One "), el("em", vec![text("two")])]),
            el(
                "ul",
                vec![
                    el("li", vec![text("a")]),
                    text("\n"),
                    el("li", vec![text("b")]),
                ],
            ),
            el(
                "table",
                vec![
                    el("tr", vec![el("th", vec![text("H")])]),
                    el("tr", vec![el("td", vec![text("c")])]),
                ],
            ),
            text("loose"),
        ];
        let blocks = to_blocks(&nodes, &span);
        assert!(matches!(&blocks[0], Block::Heading(h) if h.level == 2));
        let Block::Paragraph { content, .. } = &blocks[1] else {
            panic!("a paragraph");
        };
        assert_eq!(plain_text(content), "One two");
        assert!(matches!(&content[1], Inline::Html(html) if html.name == "em"));
        assert!(matches!(&blocks[2], Block::List(l) if l.items.len() == 2));
        assert!(matches!(&blocks[3], Block::Table(t) if t.head.len() == 1 && t.rows.len() == 1));
        assert!(matches!(&blocks[4], Block::Paragraph { .. }));
    }
}
