//! Closing frames: what each container built is attached to its parent when its end tag
//! comes (or when no end tag will come, for implicit paragraphs and raw HTML left open).

use std::ops::Range;

use pulldown_cmark::TagEnd;

use super::blocks::{is_blank_text, paragraph_block};
use super::builder::{BlockContainer, Builder, Frame, InlineContainer};
use super::front_matter::parse_front_matter;
use super::open::opens_frame;
use super::{html, wrappers};
use crate::doc::{Attributes, Block, Image, Inline, Link, LinkTarget, List, ListItem, Note};

impl<'a> Builder<'a> {
    /// An end tag: close its frame, and the frames above it no end tag will close.
    pub(super) fn end(&mut self, tag: TagEnd, range: Range<usize>) {
        match tag {
            TagEnd::TableHead => return self.end_table_row(true),
            TagEnd::TableRow => return self.end_table_row(false),
            _ => {}
        }
        if !opens_frame(tag) {
            return;
        }
        if self.suppressed > 0 {
            self.suppressed -= 1;
            return;
        }
        self.close_dangling_frames(range.end);
        self.close_top(range.end);
    }

    fn end_table_row(&mut self, head: bool) {
        if let Some(Frame::Table {
            table,
            row,
            in_head,
            ..
        }) = self.stack.last_mut()
        {
            let cells = fitted(std::mem::take(row));
            if head || *in_head {
                // A pipe table's header row left blank (`| | |`) is no header: pandoc drops
                // it too, and empty header cells are a barrier to screen readers.
                if !cells.iter().flatten().all(is_blank_text) {
                    table.head = cells;
                }
            } else {
                table.rows.push(cells);
            }
            *in_head = false;
        }
    }

    /// Close the top frame when it is a paragraph no start tag opened (text at block level).
    pub(super) fn close_implicit_paragraph(&mut self, end: usize) {
        if let Some(Frame::Inlines {
            kind: InlineContainer::Paragraph { implicit: true },
            ..
        }) = self.stack.last()
        {
            self.close_top(end);
        }
    }

    /// Close the frames no end event will close, above the frame an end event belongs to:
    /// implicit paragraphs, and raw HTML elements left open (an unclosed `<span>` in a list
    /// item, a `<div>` opened in a quote) end with the Markdown container around them.
    fn close_dangling_frames(&mut self, end: usize) {
        while let Some(
            Frame::Inlines {
                kind:
                    InlineContainer::Paragraph { implicit: true }
                    | InlineContainer::Html { .. }
                    | InlineContainer::Skipped { .. },
                ..
            }
            | Frame::Blocks {
                kind: BlockContainer::Html { .. },
                ..
            },
        ) = self.stack.last()
        {
            self.close_top(end);
        }
    }

    /// Pop the top frame and attach what it built to its parent.
    pub(super) fn close_top(&mut self, end: usize) {
        let Some(frame) = self.stack.pop() else {
            return;
        };
        match frame {
            Frame::Blocks {
                kind,
                blocks,
                start,
            } => self.close_blocks(kind, blocks, start..end),
            Frame::List {
                start_number,
                items,
                start,
            } => {
                let span = self.span(start..end);
                let list = List {
                    start: start_number,
                    items,
                    span,
                };
                self.push_block(Block::List(list), start);
            }
            Frame::Inlines {
                kind,
                inlines,
                start,
            } => self.close_inlines(kind, inlines, start..end),
            Frame::Table { table, .. } => {
                let start = table.span.range.start;
                self.push_block(Block::Table(Box::new(table)), start)
            }
            Frame::Code { info, text, start } => self.close_code(&info, text, start..end),
            Frame::HtmlBlock { text, start } => self.close_html_block(&text, start..end),
            Frame::Metadata {
                toml,
                text,
                start,
                block_start,
            } => {
                if self.at_document_start(block_start) {
                    let offset = start.unwrap_or(0);
                    self.front = parse_front_matter(
                        self.file,
                        &text,
                        offset,
                        toml,
                        self.dialect.foreign_front_matter,
                        self.diags,
                    );
                } else {
                    // Front matter counts only at the very top; elsewhere the lines are
                    // Markdown (a thematic break, text, a setext underline).
                    self.reparse_source(block_start..end);
                }
            }
        }
    }

    fn close_blocks(&mut self, kind: BlockContainer, blocks: Vec<Block>, range: Range<usize>) {
        let span = self.span(range.clone());
        match kind {
            BlockContainer::Root => self.stack.push(Frame::Blocks {
                kind,
                blocks,
                start: 0,
            }),
            BlockContainer::Quote => {
                let blocks = self.group_captions(blocks);
                self.push_block(Block::Quote { blocks, span }, range.start)
            }
            BlockContainer::Item { task } => {
                let blocks = self.group_captions(blocks);
                if let Some(Frame::List { items, .. }) = self.stack.last_mut() {
                    items.push(ListItem { task, blocks });
                }
            }
            BlockContainer::Html { name, attrs } => {
                let blocks = self.group_captions(blocks);
                let (name, attrs) = wrappers::adopted_name(name, attrs, &self.html_parent());
                for block in wrappers::html_container_blocks(name, attrs, blocks, span) {
                    self.push_block(block, range.start);
                }
            }
            BlockContainer::Element { name } => {
                let blocks = self.group_captions(blocks);
                let block = Block::Container {
                    name: name.to_string(),
                    attrs: Vec::new(),
                    blocks,
                    span,
                };
                self.push_block(block, range.start);
            }
            BlockContainer::Note { label } => self.notes.push(Note {
                label,
                number: 0,
                id: String::new(),
                ref_id: String::new(),
                blocks,
                span,
            }),
        }
    }

    fn close_inlines(&mut self, kind: InlineContainer, inlines: Vec<Inline>, range: Range<usize>) {
        let span = self.span(range.clone());
        let inlines = fitted(inlines);
        match kind {
            InlineContainer::Paragraph { .. } => {
                if self.is_raw_latex(&inlines, &span) {
                    return;
                }
                let content = self.with_citations(inlines);
                if super::index::only_index_marks(&content) {
                    let marks = content.into_iter();
                    let marks = marks.filter(|i| matches!(i, Inline::IndexMark(_)));
                    self.pending_index_marks.extend(marks);
                    return;
                }
                let content = self.with_pending_index_marks(content);
                let content = fitted(self.inline_notes(content));
                let block = paragraph_block(content, span);
                self.push_block(block, range.start);
            }
            InlineContainer::Heading(mut heading) => {
                let mut content = self.with_citations(inlines);
                self.heading_end_index_mark(&mut content);
                heading.content = fitted(self.with_pending_index_marks(content));
                self.push_block(Block::Heading(Box::new(heading)), range.start);
            }
            InlineContainer::Cell => {
                let cell = fitted(self.with_citations(inlines));
                if let Some(Frame::Table { row, .. }) = self.stack.last_mut() {
                    row.push(cell);
                }
            }
            InlineContainer::Emph => {
                let inlines = self.index_marks_in(inlines);
                self.push_inline(Inline::Emph(inlines), range)
            }
            InlineContainer::Strong => {
                let inlines = self.index_marks_in(inlines);
                self.push_inline(Inline::Strong(inlines), range)
            }
            InlineContainer::Strike => {
                let inlines = self.index_marks_in(inlines);
                self.push_inline(Inline::Strike(inlines), range)
            }
            InlineContainer::Link { dest, title } => {
                let link = Link {
                    target: LinkTarget::Raw(dest),
                    title,
                    content: self.index_marks_in(inlines),
                    span,
                };
                self.push_inline(Inline::Link(Box::new(link)), range);
            }
            InlineContainer::Image { dest, title } => {
                let description = self.with_citations(inlines);
                let image = Image {
                    src: dest,
                    alt: crate::doc::plain_text(&description),
                    description,
                    title,
                    asset: None,
                    attrs: Attributes::default(),
                    span,
                };
                self.push_inline(Inline::Image(Box::new(image)), range);
            }
            InlineContainer::Element { name } => {
                let element = Inline::Html(Box::new(crate::doc::HtmlInline {
                    name: name.to_string(),
                    attrs: Vec::new(),
                    children: inlines,
                }));
                self.push_inline(element, range);
            }
            InlineContainer::Html { name, attrs } => {
                let blank = inlines.iter().all(is_blank_text);
                if html::is_empty_link(&name, &attrs, blank) {
                    return;
                }
                let html = Inline::Html(Box::new(crate::doc::HtmlInline {
                    name,
                    attrs,
                    children: inlines,
                }));
                self.push_inline(html, range);
            }
            InlineContainer::Skipped { name, tag } => {
                self.warn_unclosed_tag(&name, &(range.start..range.start + tag.len()));
                let tag_span = self.span(range.start..range.start + tag.len());
                self.push_inline(Inline::text(tag, tag_span), range.clone());
                for inline in inlines {
                    self.push_inline(inline, range.clone());
                }
            }
        }
    }

    /// True when only white space (or a byte-order mark) comes before `offset`.
    fn at_document_start(&self, offset: usize) -> bool {
        self.text
            .get(..offset)
            .is_some_and(|before| before.trim_start_matches('\u{feff}').trim().is_empty())
    }
}

/// `items` without room to spare. A container's inlines are collected by pushing, which
/// leaves up to half of a vector unused and gives a one-inline table cell room for four: a
/// table of a million cells held 192 bytes per cell where 48 were used.
fn fitted<T>(mut items: Vec<T>) -> Vec<T> {
    items.shrink_to_fit();
    items
}
