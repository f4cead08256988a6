//! The logical structure of the composed book: what the PDF writer turns into the tag tree
//! of a tagged PDF (ISO 32000-1 §14.8, PDF/UA-1).
//!
//! The composer opens a [`Node`] for every structural element it sets (a chapter, a
//! heading, a paragraph, a list item, a table, a figure, a footnote …) and marks the lines
//! it sets for that element with the node ([`LineMark`]); the page assembly turns the
//! lines' marks into the page's [`PageMark`]s (runs of items with their node), and marks
//! what belongs to no element (running heads, folios, rules, blank pages) as artifacts.
//! The PDF writer only reads these nodes and marks: it never looks back at the Markdown.
//!
//! Nodes are numbered in the order they are opened; each names its parent. The order of a
//! node's children in the tag tree is the order in which their content first appears on
//! the pages, which is the reading order of the set text (a footnote after the text of its
//! page, a floated figure where it was placed).

/// A node's number in its [`Structure`].
pub type NodeId = u32;

/// The role of a structure element: the standard structure types of ISO 32000-1 §14.8.4
/// that the book's content uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// The whole book (the root).
    Document,
    /// A part (a division of chapters).
    Part,
    /// A chapter or a front-matter page (title, copyright).
    Sect,
    /// A heading of level 1 to 6.
    Heading(u8),
    /// A paragraph.
    P,
    /// A list.
    L,
    /// A list item.
    LI,
    /// A list item's marker.
    Lbl,
    /// A list item's body.
    LBody,
    /// A table.
    Table,
    /// A table's header rows.
    THead,
    /// A table's body rows.
    TBody,
    /// A table row.
    TR,
    /// A table header cell (its scope is the column).
    TH,
    /// A table data cell.
    TD,
    /// A figure (its alternative text is the node's `alt`).
    Figure,
    /// A figure's or table's caption.
    Caption,
    /// A formula, display or inline (its alternative text is its TeX source).
    Formula,
    /// A stretch of text inside a block with a language of its own (its `lang`).
    Span,
    /// A code block.
    Code,
    /// A block quotation.
    BlockQuote,
    /// A footnote.
    Note,
    /// The table of contents (and the lists of figures and tables).
    Toc,
    /// One entry of a table of contents.
    Toci,
    /// The index.
    Index,
    /// One entry of the bibliography.
    BibEntry,
    /// A generic block (a callout, a container of blocks).
    Div,
}

/// One structure element.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// What it is.
    pub role: Role,
    /// The node it belongs to; `None` only for the root.
    pub parent: Option<NodeId>,
    /// Its alternative text and language, boxed: few nodes have either, and a table of
    /// 200,000 rows is a million nodes (24 bytes each this way, 64 with both inline).
    text: Option<Box<NodeText>>,
}

/// What few structure elements carry besides their role.
#[derive(Debug, Clone, PartialEq, Default)]
struct NodeText {
    /// Alternative text (figures, formulas), when the source gives one.
    alt: Option<String>,
    /// The language of its text (BCP 47), when it differs from the book's (a span in
    /// another language): the PDF's `/Lang` of the element.
    lang: Option<String>,
}

impl Node {
    /// Alternative text (figures, formulas), when the source gives one.
    pub fn alt(&self) -> Option<&str> {
        self.text.as_ref()?.alt.as_deref()
    }

    /// The language of its text (BCP 47), when it differs from the book's (a span in
    /// another language): the PDF's `/Lang` of the element.
    pub fn lang(&self) -> Option<&str> {
        self.text.as_ref()?.lang.as_deref()
    }
}

/// The inline element a stretch of a paragraph's text is tagged as (a span in another
/// language, an inline formula) rather than its block's: the line setter marks where its
/// items begin and end ([`LineMark`]), so that it is an element of its own in the PDF.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InlineTag {
    /// The inline element.
    pub node: NodeId,
    /// The block the text around it belongs to (what the items after it go back to).
    pub block: NodeId,
}

/// The structure elements of a book (or of one chapter while it is set), in the order they
/// were opened. Node 0 is the root.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Structure {
    /// The nodes; a node's id is its index.
    pub nodes: Vec<Node>,
    /// The nodes opened and not yet closed, innermost last: a new node's parent.
    open: Vec<NodeId>,
}

impl Structure {
    /// A structure whose root has `role`.
    pub fn new(role: Role) -> Self {
        Structure {
            nodes: vec![Node {
                role,
                parent: None,
                text: None,
            }],
            open: vec![0],
        }
    }

    /// Adds a node under the innermost open node and returns it, without opening it.
    pub fn add(&mut self, role: Role, alt: Option<String>) -> NodeId {
        let id = NodeId::try_from(self.nodes.len()).unwrap_or(NodeId::MAX);
        let parent = self.open.last().copied().or(Some(0));
        let text = alt.map(|alt| {
            Box::new(NodeText {
                alt: Some(alt),
                lang: None,
            })
        });
        self.nodes.push(Node { role, parent, text });
        id
    }

    /// Sets the language of `node`'s text (a span in another language).
    pub fn set_lang(&mut self, node: NodeId, lang: &str) {
        if let Some(node) = self.nodes.get_mut(node as usize) {
            node.text.get_or_insert_with(Box::default).lang = Some(lang.to_string());
        }
    }

    /// Adds a node under the innermost open node and opens it: the nodes added until
    /// [`Self::close`] are its children.
    pub fn open(&mut self, role: Role, alt: Option<String>) -> NodeId {
        let id = self.add(role, alt);
        self.open.push(id);
        id
    }

    /// The innermost open node (the root when none is).
    pub fn current(&self) -> NodeId {
        self.open.last().copied().unwrap_or(0)
    }

    /// Closes the innermost open node (never the root).
    pub fn close(&mut self) {
        if self.open.len() > 1 {
            self.open.pop();
        }
    }

    /// Appends `other`'s nodes, its root under `parent`; returns the id `other`'s node 0
    /// has here (add it to `other`'s ids to get theirs here).
    pub fn graft(&mut self, other: Structure, parent: NodeId) -> NodeId {
        let offset = NodeId::try_from(self.nodes.len()).unwrap_or(NodeId::MAX);
        for mut node in other.nodes {
            node.parent = Some(node.parent.map_or(parent, |p| p + offset));
            self.nodes.push(node);
        }
        offset
    }
}

/// Which node a line's items belong to, from one item on: the items from `first` up to the
/// next mark's `first` (or the line's end). Items before a line's first mark are not marked
/// yet: the element that encloses them claims them ([`stamp`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LineMark {
    /// The first item marked.
    pub first: u32,
    /// The node, or `None` for an artifact (a scene break's ornament).
    pub node: Option<NodeId>,
}

/// Which node a page's items belong to, from one item on (as [`LineMark`], in page items).
/// Items before a page's first mark are artifacts.
pub type PageMark = LineMark;

/// Marks the items of `marks`' line that no mark claims yet (those before its first mark,
/// or all of them) as `node`'s.
pub fn stamp(marks: &mut Vec<LineMark>, node: Option<NodeId>) {
    if marks.first().is_none_or(|m| m.first > 0) {
        marks.insert(0, LineMark { first: 0, node });
    }
}

/// Shifts `marks` for `count` items inserted at the front of their line, which `node` gets.
pub fn prepend(marks: &mut Vec<LineMark>, count: u32, node: Option<NodeId>) {
    for mark in marks.iter_mut() {
        mark.first += count;
    }
    marks.insert(0, LineMark { first: 0, node });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nodes_nest_as_they_are_opened() {
        let mut s = Structure::new(Role::Sect);
        let list = s.open(Role::L, None);
        let item = s.open(Role::LI, None);
        let p = s.add(Role::P, None);
        s.close();
        s.close();
        let after = s.add(Role::P, None);
        assert_eq!(s.nodes[p as usize].parent, Some(item));
        assert_eq!(s.nodes[item as usize].parent, Some(list));
        assert_eq!(s.nodes[after as usize].parent, Some(0));
    }

    #[test]
    fn a_grafted_structure_keeps_its_shape() {
        let mut book = Structure::new(Role::Document);
        let mut chapter = Structure::new(Role::Sect);
        chapter.add(Role::P, None);
        let offset = book.graft(chapter, 0);
        assert_eq!(offset, 1);
        assert_eq!(book.nodes[1].parent, Some(0));
        assert_eq!(book.nodes[2].parent, Some(1));
    }

    #[test]
    fn stamping_claims_only_unmarked_items() {
        let mut marks = vec![LineMark {
            first: 2,
            node: Some(5),
        }];
        stamp(&mut marks, Some(1));
        assert_eq!(
            marks[0],
            LineMark {
                first: 0,
                node: Some(1)
            }
        );
        stamp(&mut marks, Some(9));
        assert_eq!(marks.len(), 2);
        prepend(&mut marks, 1, Some(3));
        assert_eq!(marks[1].first, 1);
        assert_eq!(marks[2].first, 3);
    }
}
