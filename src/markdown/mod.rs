//! Markdown to the document model: pulldown-cmark events become an owned tree with spans.
//!
//! The tree is built with an explicit stack (no recursion over the input), so a hostile file
//! with ten thousand nested quotes cannot overflow the stack; nesting deeper than
//! [`MAX_DEPTH`] is flattened into the innermost allowed container and reported once.
//! Citations in pandoc syntax are recognised here, in text only (never in code), so backends
//! receive `Inline::Cite` nodes and never look at Markdown again.

pub mod citations;
pub mod front_matter;
pub mod html;
mod wrappers;

use std::ops::Range;

use pulldown_cmark::{
    Alignment, CodeBlockKind, Event, HeadingLevel, LinkType, MetadataBlockKind, Options, Parser,
    Tag, TagEnd,
};

use crate::diag::{code, Diagnostic, Diagnostics, FileId, Span};
use crate::doc::{
    Align, Block, Citation, CiteItem, Figure, Heading, HtmlNode, Image, Inline, Link, LinkTarget,
    List, ListItem, Note, NoteRef, Table,
};
use front_matter::{parse_front_matter, FrontMatter};

/// Containers nested deeper than this are flattened (with a diagnostic).
pub const MAX_DEPTH: usize = 64;

/// Raw text read again as Markdown (an unclosed `<style>` block, misplaced front matter) may
/// hold more of the same; past this depth it is kept as plain text.
const MAX_REPARSE_DEPTH: usize = 8;

/// One chapter file after parsing, before book-wide resolution.
#[derive(Debug, Clone)]
pub struct ParsedChapter {
    /// Settings from the chapter's front matter.
    pub front: FrontMatter,
    /// The chapter's blocks.
    pub blocks: Vec<Block>,
    /// Footnote definitions in the order written (numbered later by resolve).
    pub notes: Vec<Note>,
}

/// The pulldown-cmark extensions octavo enables.
pub fn parser_options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_SMART_PUNCTUATION
        | Options::ENABLE_HEADING_ATTRIBUTES
        | Options::ENABLE_YAML_STYLE_METADATA_BLOCKS
        | Options::ENABLE_PLUSES_DELIMITED_METADATA_BLOCKS
        | Options::ENABLE_TASKLISTS
}

/// Parse one chapter's Markdown into blocks and notes.
pub fn parse_chapter(file: FileId, text: &str, diags: &mut Diagnostics) -> ParsedChapter {
    let mut builder = Builder::new(file, text, diags);
    for (event, range) in Parser::new_ext(text, parser_options()).into_offset_iter() {
        builder.event(event, range);
    }
    builder.finish()
}

/// What an open container on the builder's stack is.
enum Frame {
    /// A container of blocks: the chapter root, a quote, a list item, a footnote definition.
    Blocks {
        kind: BlockContainer,
        blocks: Vec<Block>,
        start: usize,
    },
    /// A list collecting its items.
    List {
        start_number: Option<u64>,
        items: Vec<ListItem>,
        start: usize,
    },
    /// A container of inlines.
    Inlines {
        kind: InlineContainer,
        inlines: Vec<Inline>,
        start: usize,
    },
    /// A table collecting rows.
    Table {
        table: Table,
        row: Vec<Vec<Inline>>,
        in_head: bool,
    },
    /// A code block collecting text.
    Code {
        lang: Option<String>,
        text: String,
        start: usize,
    },
    /// An HTML block collecting raw text.
    HtmlBlock { text: String, start: usize },
    /// Front matter collecting raw text.
    Metadata {
        toml: bool,
        text: String,
        start: Option<usize>,
        block_start: usize,
    },
}

enum BlockContainer {
    Root,
    Quote,
    Item {
        task: Option<bool>,
    },
    Note {
        label: String,
    },
    /// A raw HTML element left open by one HTML block and closed by a later one.
    Html {
        name: String,
        attrs: Vec<(String, String)>,
    },
}

enum InlineContainer {
    Paragraph {
        implicit: bool,
    },
    Heading(Heading),
    Emph,
    Strong,
    Strike,
    Link {
        dest: String,
        title: String,
    },
    Image {
        dest: String,
        title: String,
    },
    Cell,
    Html {
        name: String,
        attrs: Vec<(String, String)>,
    },
    /// The content of an opaque inline element (`<title>`, `<script>`): dropped when its end
    /// tag comes, kept when the paragraph ends first (then only the start tag was dropped).
    Skipped {
        name: String,
        /// The start tag as written, printed when the element is never closed.
        tag: String,
    },
}

struct Builder<'a> {
    file: FileId,
    text: &'a str,
    stack: Vec<Frame>,
    notes: Vec<Note>,
    front: FrontMatter,
    diags: &'a mut Diagnostics,
    suppressed: usize,
    depth_reported: bool,
    /// How many Markdown re-parses of raw text are running inside each other.
    reparse_depth: usize,
    /// While re-parsing text that is not a verbatim slice of the source, every span is this
    /// range (the raw HTML block or front matter it came from).
    span_clamp: Option<Range<usize>>,
}

impl<'a> Builder<'a> {
    fn new(file: FileId, text: &'a str, diags: &'a mut Diagnostics) -> Self {
        Builder {
            file,
            text,
            stack: vec![Frame::Blocks {
                kind: BlockContainer::Root,
                blocks: Vec::new(),
                start: 0,
            }],
            notes: Vec::new(),
            front: FrontMatter::default(),
            diags,
            suppressed: 0,
            depth_reported: false,
            reparse_depth: 0,
            span_clamp: None,
        }
    }

    fn span(&self, range: Range<usize>) -> Span {
        match &self.span_clamp {
            Some(clamp) => Span::new(self.file, clamp.clone()),
            None => Span::new(self.file, range),
        }
    }

    fn finish(mut self) -> ParsedChapter {
        while self.stack.len() > 1 {
            self.close_top(self.text.len());
        }
        let blocks = match self.stack.pop() {
            Some(Frame::Blocks { blocks, .. }) => blocks,
            _ => Vec::new(),
        };
        ParsedChapter {
            front: self.front,
            blocks: drop_refs_closers(blocks),
            notes: self.notes,
        }
    }

    fn event(&mut self, event: Event<'_>, range: Range<usize>) {
        match event {
            Event::Start(tag) => self.start(tag, range),
            Event::End(tag) => self.end(tag, range),
            Event::Text(text) => self.text_event(&text, range),
            Event::Code(code) => self.push_inline(Inline::Code(code.to_string()), range),
            Event::InlineMath(math) | Event::DisplayMath(math) => {
                self.push_inline(Inline::Code(math.to_string()), range)
            }
            Event::Html(html) => self.html_text(&html),
            Event::InlineHtml(html) => self.inline_html(&html, range),
            Event::FootnoteReference(label) => {
                let note = NoteRef {
                    label: label.to_string(),
                    note: None,
                    id: String::new(),
                    span: self.span(range.clone()),
                };
                self.push_inline(Inline::NoteRef(Box::new(note)), range)
            }
            Event::SoftBreak => self.push_inline(Inline::SoftBreak, range),
            Event::HardBreak => self.push_inline(Inline::HardBreak, range),
            Event::Rule => {
                let span = self.span(range.clone());
                self.push_block(Block::Rule { span }, range.start)
            }
            Event::TaskListMarker(done) => self.set_task(done),
        }
    }

    fn start(&mut self, tag: Tag<'_>, range: Range<usize>) {
        if self.stack.len() >= MAX_DEPTH {
            self.suppressed += 1;
            self.report_depth(range);
            return;
        }
        let frame = match tag {
            Tag::Paragraph => {
                Some(self.inline_frame(InlineContainer::Paragraph { implicit: false }, &range))
            }
            Tag::Heading {
                level, id, classes, ..
            } => Some(self.heading_frame(level, id.map(|i| i.to_string()), classes, &range)),
            Tag::BlockQuote(_) => Some(Frame::Blocks {
                kind: BlockContainer::Quote,
                blocks: Vec::new(),
                start: range.start,
            }),
            Tag::CodeBlock(kind) => Some(Frame::Code {
                lang: code_language(&kind),
                text: String::new(),
                start: range.start,
            }),
            Tag::HtmlBlock => Some(Frame::HtmlBlock {
                text: String::new(),
                start: range.start,
            }),
            Tag::List(start_number) => Some(Frame::List {
                start_number,
                items: Vec::new(),
                start: range.start,
            }),
            Tag::Item => Some(Frame::Blocks {
                kind: BlockContainer::Item { task: None },
                blocks: Vec::new(),
                start: range.start,
            }),
            Tag::FootnoteDefinition(label) => Some(Frame::Blocks {
                kind: BlockContainer::Note {
                    label: label.to_string(),
                },
                blocks: Vec::new(),
                start: range.start,
            }),
            Tag::Table(aligns) => Some(self.table_frame(&aligns, &range)),
            Tag::TableHead | Tag::TableRow => None,
            Tag::TableCell => Some(self.inline_frame(InlineContainer::Cell, &range)),
            Tag::Emphasis => Some(self.inline_frame(InlineContainer::Emph, &range)),
            Tag::Strong => Some(self.inline_frame(InlineContainer::Strong, &range)),
            Tag::Strikethrough => Some(self.inline_frame(InlineContainer::Strike, &range)),
            Tag::Link {
                link_type,
                dest_url,
                title,
                ..
            } => Some(self.inline_frame(
                InlineContainer::Link {
                    dest: link_destination(link_type, &dest_url),
                    title: title.to_string(),
                },
                &range,
            )),
            Tag::Image {
                dest_url, title, ..
            } => Some(self.inline_frame(
                InlineContainer::Image {
                    dest: dest_url.to_string(),
                    title: title.to_string(),
                },
                &range,
            )),
            Tag::MetadataBlock(kind) => Some(Frame::Metadata {
                toml: kind == MetadataBlockKind::PlusesStyle,
                text: String::new(),
                start: None,
                block_start: range.start,
            }),
            // Not enabled; their content still lands in the current container.
            _ => None,
        };
        if let Some(frame) = frame {
            if is_block_frame(&frame) {
                self.close_implicit_paragraph(range.start);
            }
            self.stack.push(frame);
        }
    }

    fn report_depth(&mut self, range: Range<usize>) {
        if !self.depth_reported {
            self.depth_reported = true;
            let span = self.span(range);
            self.diags.push(
                Diagnostic::error(
                    code::NESTING,
                    format!("Markdown nested more than {MAX_DEPTH} levels deep"),
                )
                .at(span)
                .with_hint("deeper lists or quotes are flattened; restructure the text"),
            );
        }
    }

    fn inline_frame(&self, kind: InlineContainer, range: &Range<usize>) -> Frame {
        Frame::Inlines {
            kind,
            inlines: Vec::new(),
            start: range.start,
        }
    }

    fn heading_frame(
        &self,
        level: HeadingLevel,
        id: Option<String>,
        classes: Vec<pulldown_cmark::CowStr<'_>>,
        range: &Range<usize>,
    ) -> Frame {
        let heading = Heading {
            level: level as u8,
            explicit_id: id.is_some(),
            id: id.unwrap_or_default(),
            classes: classes.iter().map(|c| c.to_string()).collect(),
            content: Vec::new(),
            span: self.span(range.clone()),
        };
        self.inline_frame(InlineContainer::Heading(heading), range)
    }

    fn table_frame(&self, aligns: &[Alignment], range: &Range<usize>) -> Frame {
        let aligns = aligns
            .iter()
            .map(|a| match a {
                Alignment::None => Align::None,
                Alignment::Left => Align::Left,
                Alignment::Center => Align::Center,
                Alignment::Right => Align::Right,
            })
            .collect();
        Frame::Table {
            table: Table {
                aligns,
                head: Vec::new(),
                rows: Vec::new(),
                span: self.span(range.clone()),
            },
            row: Vec::new(),
            in_head: false,
        }
    }

    fn end(&mut self, tag: TagEnd, range: Range<usize>) {
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
            let cells = std::mem::take(row);
            if head || *in_head {
                table.head = cells;
            } else {
                table.rows.push(cells);
            }
            *in_head = false;
        }
    }

    fn close_implicit_paragraph(&mut self, end: usize) {
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
    fn close_top(&mut self, end: usize) {
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
                self.push_block(Block::Table(table), start)
            }
            Frame::Code { lang, text, start } => {
                let span = self.span(start..end);
                self.push_block(Block::Code { lang, text, span }, start)
            }
            Frame::HtmlBlock { text, start } => self.close_html_block(&text, start..end),
            Frame::Metadata {
                toml,
                text,
                start,
                block_start,
            } => {
                if self.at_document_start(block_start) {
                    let offset = start.unwrap_or(0);
                    self.front = parse_front_matter(self.file, &text, offset, toml, self.diags);
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
            BlockContainer::Quote => self.push_block(Block::Quote { blocks, span }, range.start),
            BlockContainer::Item { task } => {
                if let Some(Frame::List { items, .. }) = self.stack.last_mut() {
                    items.push(ListItem { task, blocks });
                }
            }
            BlockContainer::Html { name, attrs } => {
                let (name, attrs) = wrappers::adopted_name(name, attrs, &self.html_parent());
                for block in wrappers::html_container_blocks(name, attrs, blocks, span) {
                    self.push_block(block, range.start);
                }
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
        match kind {
            InlineContainer::Paragraph { .. } => {
                let content = self.with_citations(inlines);
                let block = paragraph_block(content, span);
                self.push_block(block, range.start);
            }
            InlineContainer::Heading(mut heading) => {
                heading.content = self.with_citations(inlines);
                self.push_block(Block::Heading(heading), range.start);
            }
            InlineContainer::Cell => {
                let cell = self.with_citations(inlines);
                if let Some(Frame::Table { row, .. }) = self.stack.last_mut() {
                    row.push(cell);
                }
            }
            InlineContainer::Emph => self.push_inline(Inline::Emph(inlines), range),
            InlineContainer::Strong => self.push_inline(Inline::Strong(inlines), range),
            InlineContainer::Strike => self.push_inline(Inline::Strike(inlines), range),
            InlineContainer::Link { dest, title } => {
                let link = Link {
                    target: LinkTarget::Raw(dest),
                    title,
                    content: inlines,
                    span,
                };
                self.push_inline(Inline::Link(Box::new(link)), range);
            }
            InlineContainer::Image { dest, title } => {
                let image = Image {
                    src: dest,
                    alt: crate::doc::plain_text(&inlines),
                    title,
                    asset: None,
                    span,
                };
                self.push_inline(Inline::Image(Box::new(image)), range);
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

    fn close_html_block(&mut self, text: &str, range: Range<usize>) {
        if let Some(after_tag) = html::unclosed_raw_text_start(text) {
            return self.reopen_raw_text_block(text, after_tag, range);
        }
        let span = self.span(range.clone());
        let sanitized = html::sanitize_block(text);
        for dropped in &sanitized.dropped {
            self.diags.push(
                Diagnostic::warning(code::HTML_DROPPED, format!("raw HTML dropped: {dropped}"))
                    .at(span.clone())
                    .with_hint(
                        "octavo keeps only safe structural HTML; use Markdown for images and links",
                    ),
            );
        }
        if sanitized.comments.iter().any(|c| c == "references") {
            self.push_block(Block::ReferencesMarker { span: span.clone() }, range.start);
        }
        for piece in sanitized.pieces {
            self.html_piece(piece, &range);
        }
    }

    /// Place one piece of a sanitised HTML block: nodes become a block, an open element
    /// becomes a container for the Markdown that follows, an end tag closes one.
    fn html_piece(&mut self, piece: html::BlockPiece, range: &Range<usize>) {
        match piece {
            html::BlockPiece::Nodes(nodes) => self.push_html_nodes(nodes, range),
            html::BlockPiece::Open {
                name,
                attrs,
                children,
            } => {
                if self.stack.len() >= MAX_DEPTH {
                    self.report_depth(range.clone());
                    return self.push_html_nodes(children, range);
                }
                self.close_implicit_paragraph(range.start);
                self.stack.push(Frame::Blocks {
                    kind: BlockContainer::Html { name, attrs },
                    blocks: Vec::new(),
                    start: range.start,
                });
                self.push_html_nodes(children, range);
            }
            html::BlockPiece::Close(name) => self.close_html_element(&name, range.end),
        }
    }

    fn push_html_nodes(&mut self, nodes: Vec<HtmlNode>, range: &Range<usize>) {
        self.close_implicit_paragraph(range.start);
        let nodes: Vec<HtmlNode> = wrappers::adopt_orphans(nodes, &self.html_parent())
            .into_iter()
            .filter(|n| !is_blank_node(n))
            .collect();
        if !nodes.is_empty() {
            let span = self.span(range.clone());
            self.push_block(Block::Html { nodes, span }, range.start);
        }
    }

    /// The raw HTML element that new blocks go into (`""` in a Markdown container).
    fn html_parent(&self) -> String {
        match self.stack.last() {
            Some(Frame::Blocks {
                kind: BlockContainer::Html { name, .. },
                ..
            }) => name.clone(),
            _ => String::new(),
        }
    }

    /// An end tag in its own HTML block closes the element a previous block left open, when no
    /// Markdown container (quote, list item) opened since; otherwise it is a stray tag.
    fn close_html_element(&mut self, name: &str, end: usize) {
        let open = self.stack.iter().rposition(|frame| match frame {
            Frame::Blocks {
                kind: BlockContainer::Html { name: open, .. },
                ..
            } => open == name,
            Frame::Blocks { .. } => false,
            _ => true,
        });
        let Some(position) = open else {
            return;
        };
        if !matches!(&self.stack[position], Frame::Blocks { kind: BlockContainer::Html { name: open, .. }, .. } if open == name)
        {
            return;
        }
        while self.stack.len() > position {
            self.close_top(end);
        }
    }

    /// An HTML block that starts with `<script>`, `<style>`, `<textarea>` or `<pre>` and never
    /// closes it runs to the end of its container in CommonMark, swallowing the Markdown after
    /// it. Only the start tag goes; what follows is read as Markdown again.
    ///
    /// A start tag followed by words on its line is a tag name in prose: it is printed as
    /// written. A start tag alone on its line is dropped.
    fn reopen_raw_text_block(&mut self, text: &str, after_tag: usize, range: Range<usize>) {
        let tag = text[..after_tag].trim();
        let tag_range = range.start..range.start + after_tag.min(range.len());
        let line_rest = text[after_tag..].lines().next().unwrap_or("");
        let prose = !line_rest.trim().is_empty();
        let verbatim = self.text.get(range.clone()) == Some(text);
        if prose {
            let name = tag.trim_start_matches('<');
            let name: String = name.chars().take_while(char::is_ascii_alphabetic).collect();
            self.warn_unclosed_tag(&name.to_ascii_lowercase(), &tag_range);
            // A backslash before `<` makes the tag literal text; spans shift back by one.
            let escaped = format!("\\{}", text.trim_start());
            let base = range.start + (text.len() - text.trim_start().len());
            if verbatim {
                let map = |r: Range<usize>| {
                    base + r.start.saturating_sub(1)..base + r.end.saturating_sub(1)
                };
                self.reparse(&escaped, map);
            } else {
                self.reparse_text(&escaped, range);
            }
            return;
        }
        self.warn_dropped(
            &format!("{tag} (never closed: only the tag is dropped)"),
            &tag_range,
        );
        if verbatim {
            self.reparse_source(range.start + after_tag..range.end);
        } else {
            self.reparse_text(&text[after_tag..], range);
        }
    }

    /// Read a slice of the chapter's source as Markdown, in the current container.
    fn reparse_source(&mut self, range: Range<usize>) {
        let text: &'a str = self.text;
        let Some(slice) = text.get(range.clone()) else {
            return;
        };
        self.reparse(slice, |r| range.start + r.start..range.start + r.end);
    }

    /// Read text that is not a verbatim slice of the source (a block inside a quote has lost
    /// its `>` markers) as Markdown; every span points at `range`, the block it came from.
    fn reparse_text(&mut self, text: &str, range: Range<usize>) {
        let outer = self.span_clamp.replace(range.clone());
        self.reparse(text, |_| range.clone());
        self.span_clamp = outer;
    }

    fn reparse(&mut self, text: &str, map: impl Fn(Range<usize>) -> Range<usize>) {
        if self.reparse_depth >= MAX_REPARSE_DEPTH {
            let span = self.span(map(0..text.len()));
            let start = span.range.start;
            return self.push_block(
                Block::Paragraph {
                    content: vec![Inline::text(text.trim(), span.clone())],
                    span,
                },
                start,
            );
        }
        self.reparse_depth += 1;
        let options = parser_options()
            - Options::ENABLE_YAML_STYLE_METADATA_BLOCKS
            - Options::ENABLE_PLUSES_DELIMITED_METADATA_BLOCKS;
        for (event, range) in Parser::new_ext(text, options).into_offset_iter() {
            self.event(event, map(range));
        }
        self.reparse_depth -= 1;
    }

    /// True when only white space (or a byte-order mark) comes before `offset`.
    fn at_document_start(&self, offset: usize) -> bool {
        self.text
            .get(..offset)
            .is_some_and(|before| before.trim_start_matches('\u{feff}').trim().is_empty())
    }

    fn push_block(&mut self, block: Block, start: usize) {
        if !matches!(self.stack.last(), Some(Frame::Blocks { .. })) {
            self.close_implicit_paragraph(start);
        }
        match self.stack.last_mut() {
            Some(Frame::Blocks { blocks, .. }) => blocks.push(block),
            // A block where only inlines fit (deep nesting flattened): keep its text.
            Some(Frame::Inlines { inlines, .. }) => inlines.extend(block_as_inlines(block)),
            _ => {}
        }
    }

    fn push_inline(&mut self, inline: Inline, range: Range<usize>) {
        match self.stack.last_mut() {
            Some(Frame::Inlines { inlines, .. }) => inlines.push(inline),
            Some(Frame::Code { text, .. }) => text.push_str(&crate::doc::plain_text(&[inline])),
            Some(Frame::Blocks { .. }) => {
                self.stack.push(Frame::Inlines {
                    kind: InlineContainer::Paragraph { implicit: true },
                    inlines: vec![inline],
                    start: range.start,
                });
            }
            _ => {}
        }
    }

    fn text_event(&mut self, text: &str, range: Range<usize>) {
        match self.stack.last_mut() {
            Some(Frame::Code { text: code, .. }) => code.push_str(text),
            Some(Frame::HtmlBlock { text: html, .. }) => html.push_str(text),
            Some(Frame::Metadata {
                text: meta, start, ..
            }) => {
                start.get_or_insert(range.start);
                meta.push_str(text);
            }
            _ => {
                let span = self.span(range.clone());
                self.push_inline(Inline::text(text, span), range)
            }
        }
    }

    fn html_text(&mut self, html: &str) {
        if let Some(Frame::HtmlBlock { text, .. }) = self.stack.last_mut() {
            text.push_str(html);
        }
    }

    fn set_task(&mut self, done: bool) {
        for frame in self.stack.iter_mut().rev() {
            if let Frame::Blocks {
                kind: BlockContainer::Item { task },
                ..
            } = frame
            {
                *task = Some(done);
                return;
            }
        }
    }

    /// An inline HTML tag (`<span lang="km">`, `</span>`, `<br>`, a comment).
    fn inline_html(&mut self, raw: &str, range: Range<usize>) {
        for token in html::tokenize(raw) {
            self.inline_html_token(token, raw, range.clone());
        }
    }

    fn inline_html_token(&mut self, token: html::HtmlToken, raw: &str, range: Range<usize>) {
        match token {
            html::HtmlToken::Start {
                name,
                attrs,
                self_closing,
            } => {
                if html::is_opaque_element(&name) && !self_closing && self.stack.len() < MAX_DEPTH {
                    let tag = raw.to_string();
                    let kind = InlineContainer::Skipped { name, tag };
                    return self.open_inline_frame(kind, &range);
                }
                self.inline_html_start(name, attrs, self_closing, range)
            }
            html::HtmlToken::End { name } => self.inline_html_end(&name, range),
            html::HtmlToken::Text(text) => {
                let span = self.span(range.clone());
                self.push_inline(Inline::text(text, span), range)
            }
            html::HtmlToken::Comment(_) => {}
        }
    }

    fn inline_html_start(
        &mut self,
        name: String,
        attrs: Vec<(String, String)>,
        self_closing: bool,
        range: Range<usize>,
    ) {
        if name == "br" {
            return self.push_inline(Inline::HardBreak, range);
        }
        if self.stack.len() >= MAX_DEPTH {
            return self.report_depth(range);
        }
        if !html::is_inline_element(&name) || html::VOID_ELEMENTS.contains(&name.as_str()) {
            if let Some(alt) = html::image_alt(&name, &attrs) {
                self.warn_dropped(&format!("<{name}> (its alternative text is kept)"), &range);
                let span = self.span(range.clone());
                return self.push_inline(Inline::text(alt, span), range);
            }
            return self.warn_dropped(&format!("<{name}>"), &range);
        }
        let (kept, dropped) = html::filter_attributes(&name, &attrs);
        for attribute in dropped {
            self.warn_dropped(&format!("attribute `{attribute}` on <{name}>"), &range);
        }
        if self_closing {
            return;
        }
        self.open_inline_frame(InlineContainer::Html { name, attrs: kept }, &range);
    }

    /// Open an inline frame, in an implicit paragraph when the text is at block level.
    fn open_inline_frame(&mut self, kind: InlineContainer, range: &Range<usize>) {
        if matches!(self.stack.last(), Some(Frame::Blocks { .. })) {
            let paragraph = self.inline_frame(InlineContainer::Paragraph { implicit: true }, range);
            self.stack.push(paragraph);
        }
        let frame = self.inline_frame(kind, range);
        self.stack.push(frame);
    }

    fn inline_html_end(&mut self, name: &str, range: Range<usize>) {
        let open = self.stack.iter().rposition(|f| match f {
            Frame::Inlines {
                kind:
                    InlineContainer::Html { name: n, .. } | InlineContainer::Skipped { name: n, .. },
                ..
            } => n == name,
            _ => false,
        });
        let Some(position) = open else {
            return;
        };
        let only_html_above = self.stack[position..].iter().all(|f| {
            matches!(
                f,
                Frame::Inlines {
                    kind: InlineContainer::Html { .. } | InlineContainer::Skipped { .. },
                    ..
                }
            )
        });
        if !only_html_above {
            return;
        }
        while self.stack.len() > position + 1 {
            self.close_top(range.end);
        }
        if let Some(Frame::Inlines {
            kind: InlineContainer::Skipped { name, .. },
            start,
            ..
        }) = self.stack.last()
        {
            let what = format!("<{name}> and its content");
            let dropped = *start..range.end;
            self.stack.pop();
            return self.warn_dropped(&what, &dropped);
        }
        self.close_top(range.end);
    }

    /// An opaque element in running text that is never closed is most likely a tag name in
    /// prose (`every page needs a <title> element`): it is printed as written.
    fn warn_unclosed_tag(&mut self, name: &str, range: &Range<usize>) {
        let span = self.span(range.clone());
        self.diags.push(
            Diagnostic::warning(
                code::HTML_DROPPED,
                format!("<{name}> is never closed: printed as text"),
            )
            .at(span)
            .with_hint(format!(
                "write `<{name}>` in backticks for a tag name in prose, or close the element"
            )),
        );
    }

    fn warn_dropped(&mut self, what: &str, range: &Range<usize>) {
        let span = self.span(range.clone());
        self.diags.push(
            Diagnostic::warning(code::HTML_DROPPED, format!("raw HTML dropped: {what}"))
                .at(span)
                .with_hint(
                    "octavo keeps only safe inline HTML such as <span lang=\"…\">, <sup>, <abbr>",
                ),
        );
    }

    /// Merge adjacent text and recognise pandoc citations in it.
    fn with_citations(&mut self, inlines: Vec<Inline>) -> Vec<Inline> {
        if self.text_runs_settled(&inlines) {
            return inlines;
        }
        let mut out = Vec::with_capacity(inlines.len());
        let mut run: Vec<Inline> = Vec::new();
        for inline in inlines {
            match inline {
                Inline::Text { .. } | Inline::SoftBreak => run.push(inline),
                other => {
                    self.flush_text_run(&mut run, &mut out);
                    out.push(other);
                }
            }
        }
        self.flush_text_run(&mut run, &mut out);
        out
    }

    /// True when merging text runs would give back `inlines` unchanged: every run of text
    /// and soft breaks is a single soft break, or a single text with its own span and nothing
    /// a citation, a note call or a line break could start. Such a list (a flood of code
    /// spans between spaces) is kept as it is rather than copied.
    fn text_runs_settled(&self, inlines: &[Inline]) -> bool {
        let in_run = |i: &Inline| matches!(i, Inline::Text { .. } | Inline::SoftBreak);
        inlines.iter().enumerate().all(|(k, inline)| {
            let after_run = k > 0 && in_run(&inlines[k - 1]);
            let before_run = inlines.get(k + 1).is_some_and(in_run);
            let alone = !after_run && !before_run;
            match inline {
                Inline::Text { text, span } => {
                    alone
                        && !text.is_empty()
                        && !text.contains(['\n', '@', '['])
                        && self.span(span.range.clone()) == *span
                }
                Inline::SoftBreak => alone,
                _ => true,
            }
        })
    }

    fn flush_text_run(&mut self, run: &mut Vec<Inline>, out: &mut Vec<Inline>) {
        if run.is_empty() {
            return;
        }
        let mut merged = String::new();
        let mut range: Option<Range<usize>> = None;
        for inline in run.drain(..) {
            match inline {
                Inline::Text { text, span } => {
                    merged.push_str(&text);
                    range = Some(match range {
                        Some(r) => r.start..span.range.end.max(r.end),
                        None => span.range,
                    });
                }
                _ => merged.push('\n'),
            }
        }
        let range = range.unwrap_or(0..0);
        self.report_undefined_notes(&merged, range.clone());
        self.split_citations(&merged, range, out);
    }

    /// pulldown-cmark leaves a call to an undefined footnote as the literal text `[^label]`;
    /// that is a mistake worth an error, not text to print.
    fn report_undefined_notes(&mut self, text: &str, source: Range<usize>) {
        let mut locator = SourceLocator::new(self.text, source);
        for label in literal_note_calls(text) {
            let call = format!("[^{label}]");
            let at = locator.find(&call);
            let escaped = at.start > 0 && self.text.as_bytes().get(at.start - 1) == Some(&b'\\');
            if escaped || at.is_empty() {
                continue;
            }
            self.diags.push(
                Diagnostic::error(
                    code::MISSING_FOOTNOTE,
                    format!("footnote [^{label}] is never defined"),
                )
                .at(self.span(at))
                .with_hint(format!(
                    "add a definition line: [^{label}]: The note's text."
                )),
            );
        }
    }

    /// True when the source byte before `offset` is a backslash escape.
    fn escaped_at(&self, offset: usize) -> bool {
        offset > 0 && self.text.as_bytes().get(offset - 1) == Some(&b'\\')
    }

    fn split_citations(&self, text: &str, source: Range<usize>, out: &mut Vec<Inline>) {
        let found = citations::find_citations(text);
        let mut locator = SourceLocator::new(self.text, source.clone());
        let mut cursor = 0;
        for citation in found {
            let items: Vec<CiteItem> = citation
                .items
                .into_iter()
                .map(|item| {
                    let at = locator.find(&format!("@{}", item.key));
                    CiteItem {
                        key: item.key,
                        prefix: item.prefix,
                        locator: item.locator,
                        suffix: item.suffix,
                        suppress_author: item.suppress_author,
                        span: self.span(at),
                    }
                })
                .collect();
            // `\@key` was escaped by the author: pulldown-cmark dropped the backslash, the
            // source still has it. Such a "citation" is plain text.
            if items.iter().any(|i| self.escaped_at(i.span.range.start)) {
                continue;
            }
            push_text_with_breaks(
                &text[cursor..citation.range.start],
                self.span(source.clone()),
                out,
            );
            let start = items.first().map_or(source.start, |i| i.span.range.start);
            let end = items.last().map_or(source.end, |i| i.span.range.end);
            out.push(Inline::Cite(Box::new(Citation {
                items,
                mode: citation.mode,
                rendered: Vec::new(),
                span: self.span(start..end),
            })));
            cursor = citation.range.end;
        }
        push_text_with_breaks(&text[cursor..], self.span(source), out);
    }
}

/// Finds successive `@key` occurrences in a source range, so citation spans point at the key.
struct SourceLocator<'a> {
    text: &'a str,
    range: Range<usize>,
    cursor: usize,
}

impl<'a> SourceLocator<'a> {
    fn new(text: &'a str, range: Range<usize>) -> Self {
        let cursor = range.start;
        SourceLocator {
            text,
            range,
            cursor,
        }
    }

    fn find(&mut self, needle: &str) -> Range<usize> {
        let window = self.text.get(self.cursor..self.range.end).unwrap_or("");
        match window.find(needle) {
            Some(offset) => {
                let start = self.cursor + offset;
                self.cursor = start + needle.len();
                start..start + needle.len()
            }
            None => self.cursor..self.cursor,
        }
    }
}

/// Push text, turning the `\n` that stood for soft breaks back into `SoftBreak`s.
fn push_text_with_breaks(text: &str, span: Span, out: &mut Vec<Inline>) {
    for (i, part) in text.split('\n').enumerate() {
        if i > 0 {
            out.push(Inline::SoftBreak);
        }
        if !part.is_empty() {
            out.push(Inline::text(part, span.clone()));
        }
    }
}

/// Labels of `[^label]` written in text (calls pulldown-cmark could not match to a note).
fn literal_note_calls(text: &str) -> Vec<&str> {
    let mut labels = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("[^") {
        let after = &rest[start + 2..];
        match after.find(']') {
            Some(end) if end > 0 && !after[..end].contains(char::is_whitespace) => {
                labels.push(&after[..end]);
                rest = &after[end + 1..];
            }
            _ => rest = after,
        }
    }
    labels
}

fn is_block_frame(frame: &Frame) -> bool {
    !matches!(
        frame,
        Frame::Inlines {
            kind: InlineContainer::Emph
                | InlineContainer::Strong
                | InlineContainer::Strike
                | InlineContainer::Link { .. }
                | InlineContainer::Image { .. }
                | InlineContainer::Html { .. }
                | InlineContainer::Skipped { .. }
                | InlineContainer::Cell,
            ..
        } | Frame::Metadata { .. }
    )
}

fn opens_frame(tag: TagEnd) -> bool {
    matches!(
        tag,
        TagEnd::Paragraph
            | TagEnd::Heading(_)
            | TagEnd::BlockQuote(_)
            | TagEnd::CodeBlock
            | TagEnd::HtmlBlock
            | TagEnd::List(_)
            | TagEnd::Item
            | TagEnd::FootnoteDefinition
            | TagEnd::Table
            | TagEnd::TableCell
            | TagEnd::Emphasis
            | TagEnd::Strong
            | TagEnd::Strikethrough
            | TagEnd::Link
            | TagEnd::Image
            | TagEnd::MetadataBlock(_)
    )
}

/// An autolinked address (`<name@example.org>`) is a mail link.
fn link_destination(link_type: LinkType, dest: &str) -> String {
    let has_scheme = dest.to_ascii_lowercase().starts_with("mailto:");
    if link_type == LinkType::Email && !has_scheme {
        format!("mailto:{dest}")
    } else {
        dest.to_string()
    }
}

fn code_language(kind: &CodeBlockKind<'_>) -> Option<String> {
    match kind {
        CodeBlockKind::Fenced(info) => info
            .split_whitespace()
            .next()
            .map(|lang| {
                lang.trim_matches(|c| c == '{' || c == '}' || c == '.')
                    .to_string()
            })
            .filter(|lang| !lang.is_empty()),
        CodeBlockKind::Indented => None,
    }
}

/// A paragraph that holds only an image is a figure; `::: {#refs}` marks the references.
fn paragraph_block(content: Vec<Inline>, span: Span) -> Block {
    let mut meaningful = content
        .iter()
        .filter(|i| !matches!(i, Inline::SoftBreak) && !is_blank_text(i));
    if let (Some(Inline::Image(image)), None) = (meaningful.next(), meaningful.next()) {
        let caption = if image.title.is_empty() {
            Vec::new()
        } else {
            vec![Inline::text(image.title.clone(), image.span.clone())]
        };
        return Block::Figure(Figure {
            image: Image::clone(image),
            caption,
            span,
        });
    }
    if is_refs_marker(&content) {
        return Block::ReferencesMarker { span };
    }
    Block::Paragraph { content, span }
}

/// Drop a lone `:::` paragraph that closes a `::: {#refs}` marker written with a blank line.
fn drop_refs_closers(blocks: Vec<Block>) -> Vec<Block> {
    let mut out: Vec<Block> = Vec::with_capacity(blocks.len());
    for block in blocks {
        let closes_marker = matches!(out.last(), Some(Block::ReferencesMarker { .. }))
            && matches!(&block, Block::Paragraph { content, .. } if crate::doc::plain_text(content).trim() == ":::");
        if !closes_marker {
            out.push(block);
        }
    }
    out
}

fn is_blank_text(inline: &Inline) -> bool {
    matches!(inline, Inline::Text { text, .. } if text.trim().is_empty())
}

fn is_blank_node(node: &HtmlNode) -> bool {
    matches!(node, HtmlNode::Text(text) if text.trim().is_empty())
}

/// Longest text of a `::: {#refs}` marker paragraph, white space aside.
const REFS_MARKER_CHARS: usize = ":::{#refs}:::".len();

/// True for a paragraph that reads `::: {#refs}` (optionally closed by `:::`), the pandoc
/// marker for where the references go. The text is gathered inline by inline and the test
/// gives up as soon as it holds more than a marker's characters, so a long paragraph costs
/// no copy of its text.
fn is_refs_marker(content: &[Inline]) -> bool {
    let mut text = String::new();
    let mut visible = 0;
    for inline in content {
        let piece = crate::doc::plain_text(std::slice::from_ref(inline));
        visible += piece.chars().filter(|c| !c.is_whitespace()).count();
        if visible > REFS_MARKER_CHARS {
            return false;
        }
        text.push_str(&piece);
    }
    let words: Vec<&str> = text.split_whitespace().collect();
    matches!(
        words.as_slice(),
        [":::", "{#refs}"] | [":::", "{#refs}", ":::"]
    )
}

/// When nesting was flattened, a block inside an inline container keeps only its text.
fn block_as_inlines(block: Block) -> Vec<Inline> {
    match block {
        Block::Paragraph { content, .. } => content,
        Block::Heading(h) => h.content,
        Block::Code { text, .. } => vec![Inline::Code(text)],
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests;
