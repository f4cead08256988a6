//! The tag tree of the tagged PDF, built from the composer's structure elements
//! (`typeset::structure`) as the pages are drawn.
//!
//! The writer draws each run of a page's items that belongs to one element as one marked
//! content sequence (krilla's `start_tagged`, which gives it an MCID and the page its
//! `/StructParents`), and hands the sequence's identifier to [`TagTreeBuilder::content`];
//! a link annotation's identifier goes to [`TagTreeBuilder::link`]. An element enters its
//! parent's children when its first content does, so the children of every element are in
//! the order the pages show them (the reading order). Elements that got no content (an
//! empty paragraph) are left out, as krilla leaves out empty groups.
//!
//! krilla writes the rest: the structure tree root with its parent tree, `/MarkInfo`,
//! `/StructParents` on pages and annotations, `/Tabs /S`, and the `/Lang` of the root.

use std::num::NonZeroU16;

use krilla::tagging::Identifier;
use krilla::tagging::{ListNumbering, Node, TableHeaderScope, Tag, TagGroup, TagKind, TagTree};

use super::standards::page_location;
use crate::typeset::structure::{NodeId, Role, Structure};

/// The most of a heading's text its `/T` holds, in bytes: a title, not the heading's whole
/// text when an author writes a paragraph as a heading (each of its many runs would add to
/// it).
const MAX_TITLE_BYTES: usize = 512;

/// One child of an element, in reading order.
enum Child {
    /// A marked content sequence (or an annotation) of the element itself.
    Content(Identifier),
    /// A child element.
    Element(NodeId),
    /// A link annotation, inside a `Link` element of its own.
    Link(Identifier),
}

/// Collects the identifiers of the drawn content under the elements they belong to.
pub(super) struct TagTreeBuilder<'s> {
    structure: &'s Structure,
    children: Vec<Vec<Child>>,
    attached: Vec<bool>,
    /// The text of each heading (its `/T`, which PDF/UA asks for).
    heading_text: Vec<Option<String>>,
    /// The page being drawn (0-based).
    page: usize,
    /// The page each element's content starts on, to name it in an error.
    first_page: Vec<usize>,
}

impl<'s> TagTreeBuilder<'s> {
    /// A builder for the elements of `structure`.
    pub(super) fn new(structure: &'s Structure) -> Self {
        let count = structure.nodes.len();
        let mut attached = vec![false; count];
        if let Some(root) = attached.first_mut() {
            *root = true;
        }
        TagTreeBuilder {
            structure,
            children: (0..count).map(|_| Vec::new()).collect(),
            attached,
            heading_text: vec![None; count],
            page: 0,
            first_page: vec![0; count],
        }
    }

    /// The content that follows is on page `index` (0-based).
    pub(super) fn start_page(&mut self, index: usize) {
        self.page = index;
    }

    /// Whether `node` names an element of the structure.
    pub(super) fn knows(&self, node: NodeId) -> bool {
        (node as usize) < self.children.len()
    }

    /// `id` (a marked content sequence) belongs to `node`.
    pub(super) fn content(&mut self, node: NodeId, id: Identifier) {
        self.attach(node);
        if let Some(children) = self.children.get_mut(node as usize) {
            children.push(Child::Content(id));
        }
    }

    /// `id` (a link annotation) belongs to `node`.
    pub(super) fn link(&mut self, node: NodeId, id: Identifier) {
        self.attach(node);
        if let Some(children) = self.children.get_mut(node as usize) {
            children.push(Child::Link(id));
        }
    }

    /// Records text drawn for `node` (kept for headings only, with the text of the inline
    /// elements inside them).
    pub(super) fn text(&mut self, node: NodeId, text: &str) {
        let Some(node) = self.heading_of(node) else {
            return;
        };
        if let Some(slot) = self.heading_text.get_mut(node as usize) {
            let title = slot.get_or_insert_with(String::new);
            if title.len() >= MAX_TITLE_BYTES {
                return;
            }
            if !title.is_empty() && !title.ends_with(' ') && !text.starts_with(' ') {
                title.push(' ');
            }
            let room = MAX_TITLE_BYTES.saturating_sub(title.len());
            let end = (0..=room.min(text.len()))
                .rev()
                .find(|&i| text.is_char_boundary(i))
                .unwrap_or(0);
            title.push_str(&text[..end]);
        }
    }

    /// The heading `node` is, or is an inline element (a span in another language) of.
    fn heading_of(&self, node: NodeId) -> Option<NodeId> {
        let mut current = node;
        loop {
            let element = self.structure.nodes.get(current as usize)?;
            match element.role {
                Role::Heading(_) => return Some(current),
                Role::Span | Role::Formula => current = element.parent?,
                _ => return None,
            }
        }
    }

    /// Makes `node` and its ancestors children of their parents, where they are not yet.
    fn attach(&mut self, node: NodeId) {
        let mut current = node;
        while let Some(false) = self.attached.get(current as usize).copied() {
            self.attached[current as usize] = true;
            self.first_page[current as usize] = self.page;
            let Some(parent) = self.structure.nodes[current as usize].parent else {
                return;
            };
            if let Some(children) = self.children.get_mut(parent as usize) {
                children.push(Child::Element(current));
            }
            current = parent;
        }
    }

    /// The tag tree: the root's children under krilla's `Document` element, in `lang`.
    pub(super) fn finish(mut self, lang: Option<String>) -> TagTree {
        let mut tree = TagTree::new().with_lang(lang);
        let root = self.children.first_mut().map(std::mem::take);
        for child in root.into_iter().flatten() {
            if let Some(node) = self.node(child) {
                tree.push(node);
            }
        }
        tree
    }

    /// The tree node of one child, with its own children.
    fn node(&mut self, child: Child) -> Option<Node> {
        match child {
            Child::Content(id) => Some(Node::Leaf(id)),
            Child::Link(id) => Some(Node::Group(TagGroup::with_children(
                Tag::Link,
                vec![Node::Leaf(id)],
            ))),
            Child::Element(node) => {
                let children = std::mem::take(self.children.get_mut(node as usize)?);
                // Sized to the children: collected from a filter the list would grow to room
                // for four and more, and a book's tree of mostly one- and two-child elements
                // would hold twice the nodes it has (krilla's are 88 bytes).
                let mut nodes = Vec::with_capacity(children.len());
                nodes.extend(children.into_iter().filter_map(|c| self.node(c)));
                let page = self.first_page.get(node as usize).copied().unwrap_or(0);
                let kind = self.kind(node).with_location(page_location(page));
                Some(Node::Group(TagGroup::with_children(kind, nodes)))
            }
        }
    }

    /// The tag of an element.
    fn kind(&mut self, node: NodeId) -> TagKind {
        let Some(element) = self.structure.nodes.get(node as usize) else {
            return Tag::Div.into();
        };
        let alt = element.alt().map(str::to_string);
        let lang = element.lang().map(str::to_string);
        let kind: TagKind = match element.role {
            Role::Document | Role::Div => Tag::Div.into(),
            Role::Part => Tag::Part.into(),
            Role::Sect => Tag::Section.into(),
            Role::Heading(level) => {
                let level = NonZeroU16::new(u16::from(level)).unwrap_or(NonZeroU16::MIN);
                let title = self.heading_text[node as usize].take();
                Tag::Hn(level, Some(title.unwrap_or_default())).into()
            }
            Role::P => Tag::P.into(),
            Role::L => Tag::L(ListNumbering::None).into(),
            Role::LI => Tag::LI.into(),
            Role::Lbl => Tag::Lbl.into(),
            Role::LBody => Tag::LBody.into(),
            Role::Table => Tag::Table.into(),
            Role::THead => Tag::THead.into(),
            Role::TBody => Tag::TBody.into(),
            Role::TR => Tag::TR.into(),
            Role::TH => Tag::TH(TableHeaderScope::Column).into(),
            Role::TD => Tag::TD.into(),
            Role::Figure => Tag::Figure(alt).into(),
            Role::Caption => Tag::Caption.into(),
            Role::Formula => Tag::Formula(alt).into(),
            Role::Code => Tag::Code.into(),
            Role::BlockQuote => Tag::BlockQuote.into(),
            Role::Note => Tag::Note.into(),
            Role::Toc => Tag::TOC.into(),
            Role::Toci => Tag::TOCI.into(),
            Role::Index => Tag::Index.into(),
            Role::BibEntry => Tag::BibEntry.into(),
            Role::Span => Tag::Span.into(),
        };
        kind.with_lang(lang)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_span_in_a_heading_adds_to_its_title() {
        let mut structure = Structure::new(Role::Sect);
        let heading = structure.open(Role::Heading(1), None);
        let span = structure.add(Role::Span, None);
        structure.close();
        let paragraph = structure.add(Role::P, None);
        let mut builder = TagTreeBuilder::new(&structure);
        builder.text(heading, "Year");
        builder.text(span, "Zero");
        builder.text(paragraph, "Text");
        assert_eq!(
            builder.heading_text[heading as usize].as_deref(),
            Some("Year Zero")
        );
        assert_eq!(builder.heading_text[paragraph as usize], None);
    }
}
