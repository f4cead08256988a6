//! The tree builder's state: a stack of open containers (frames), each collecting what the
//! events inside it produce, and the dispatch of pulldown-cmark events onto that stack.
//!
//! Opening frames is in `open`, closing them in `close`, raw HTML in `raw_html`, re-reading
//! raw text as Markdown in `reparse`, and merging text runs (citations, note calls) in
//! `text_runs`.

use std::ops::Range;

use pulldown_cmark::Event;

use super::blocks::{block_as_inlines, drop_refs_closers};
use super::front_matter::FrontMatter;
use super::{ForeignLabel, ParsedChapter, MAX_DEPTH};
use crate::diag::{code, Diagnostic, Diagnostics, FileId, Span};
use crate::doc::{Block, Heading, Inline, ListItem, Note, NoteRef, Table};

/// What an open container on the builder's stack is.
pub(super) enum Frame {
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
        /// The fence's info string (empty for an indented block).
        info: String,
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

/// The kind of a frame that collects blocks.
pub(super) enum BlockContainer {
    Root,
    Quote,
    Item {
        task: Option<bool>,
    },
    Note {
        label: String,
    },
    /// An element Markdown syntax makes (a definition list `dl`, its `dt` and `dd`).
    Element {
        name: &'static str,
    },
    /// A raw HTML element left open by one HTML block and closed by a later one.
    Html {
        name: String,
        attrs: Vec<(String, String)>,
    },
}

/// The kind of a frame that collects inlines.
pub(super) enum InlineContainer {
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
    /// An inline element Markdown syntax makes (`^sup^`, `~sub~`).
    Element {
        name: &'static str,
    },
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

/// Builds one chapter's tree from its events: the stack of open frames and what is gathered
/// beside it (notes, front matter, diagnostics).
pub(super) struct Builder<'a> {
    pub(super) file: FileId,
    pub(super) text: &'a str,
    pub(super) stack: Vec<Frame>,
    pub(super) notes: Vec<Note>,
    pub(super) front: FrontMatter,
    pub(super) diags: &'a mut Diagnostics,
    pub(super) suppressed: usize,
    pub(super) depth_reported: bool,
    /// How many Markdown re-parses of raw text are running inside each other.
    pub(super) reparse_depth: usize,
    /// While re-parsing text that is not a verbatim slice of the source, every span is this
    /// range (the raw HTML block or front matter it came from).
    pub(super) span_clamp: Option<Range<usize>>,
    /// Labels defined where octavo cannot number them (code chunks it does not run,
    /// equations), so that references to them are warnings, not unknown labels.
    pub(super) foreign_labels: Vec<ForeignLabel>,
    /// How the text read (`\(…\)` rewritten as `$…$`, environments wrapped in `$$`) maps
    /// back to the source.
    pub(super) shifts: super::math::Shifts,
    /// The conventions of the tool the chapter was written for.
    pub(super) dialect: super::Dialect,
    /// How many fenced divs are being made inside each other.
    pub(super) div_depth: usize,
    /// Index marks written alone in a paragraph (`\index{term}` on its own line after a
    /// heading): they go to the start of the next paragraph or heading, whose page they name.
    pub(super) pending_index_marks: Vec<Inline>,
    /// The argument of an `\index{…}` that ends the open heading's line, which pulldown-cmark
    /// took for the heading's attribute block, and where it is.
    pub(super) heading_index: Option<(String, Span)>,
    /// LaTeX layout commands left out of the text so far (reported once each at the end).
    pub(super) latex_left_out: super::latex_text::LeftOut,
    /// The paragraph (its start) of the last warning about dollars that hold no formula: one
    /// a paragraph.
    pub(super) unread_formula_at: Option<usize>,
    /// A `$` pulldown-cmark just gave as text (not escaped): a formula it did not read when
    /// the text after it starts another `$` or a LaTeX command.
    pub(super) lone_dollar: Option<Range<usize>>,
}

impl<'a> Builder<'a> {
    /// A builder for one chapter, its stack holding only the chapter root.
    pub(super) fn new(file: FileId, text: &'a str, diags: &'a mut Diagnostics) -> Self {
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
            foreign_labels: Vec::new(),
            shifts: Vec::new(),
            dialect: super::Dialect::default(),
            div_depth: 0,
            pending_index_marks: Vec::new(),
            heading_index: None,
            latex_left_out: super::latex_text::LeftOut::new(),
            unread_formula_at: None,
            lone_dollar: None,
        }
    }

    /// The span of a source range (the clamp range while re-reading text that moved).
    pub(super) fn span(&self, range: Range<usize>) -> Span {
        match &self.span_clamp {
            Some(clamp) => Span::new(self.file, clamp.clone()),
            None => Span::new(
                self.file,
                self.source_offset(range.start)..self.source_offset(range.end),
            ),
        }
    }

    /// The offset in the source of an offset in the text read.
    fn source_offset(&self, offset: usize) -> usize {
        let index = self.shifts.partition_point(|&(at, _)| at <= offset);
        let ahead = index.checked_sub(1).map_or(0, |i| self.shifts[i].1);
        offset.saturating_add_signed(ahead)
    }

    /// Close every frame still open and hand back the chapter.
    pub(super) fn finish(mut self) -> ParsedChapter {
        while self.stack.len() > 1 {
            self.close_top(self.text.len());
        }
        let mut blocks = match self.stack.pop() {
            Some(Frame::Blocks { blocks, .. }) => blocks,
            _ => Vec::new(),
        };
        // Marks after the last paragraph stay at the chapter's end, in a paragraph of
        // their own that prints nothing.
        if let Some(span) = self.pending_index_span() {
            let content = std::mem::take(&mut self.pending_index_marks);
            blocks.push(Block::Paragraph { content, span });
        }
        let blocks = self.group_captions(blocks);
        self.report_latex_left_out();
        ParsedChapter {
            front: self.front,
            blocks: drop_refs_closers(blocks),
            notes: self.notes,
            foreign_labels: self.foreign_labels,
        }
    }

    /// Where the innermost open paragraph (or other run of inlines) starts in the text read.
    pub(super) fn open_inlines_start(&self) -> Option<usize> {
        self.stack.iter().rev().find_map(|frame| match frame {
            Frame::Inlines { start, .. } => Some(*start),
            _ => None,
        })
    }

    /// Feed one pulldown-cmark event with its source range.
    pub(super) fn event(&mut self, event: Event<'_>, range: Range<usize>) {
        let dollar = self.lone_dollar.take();
        if let (Some(dollar), Event::Text(text)) = (dollar, &event) {
            self.check_after_dollar(dollar, text);
        }
        if matches!(&event, Event::Text(text) if &**text == "$" && range.len() == 1) {
            self.lone_dollar = Some(range.clone());
        }
        match event {
            Event::Start(tag) => self.start(tag, range),
            Event::End(tag) => self.end(tag, range),
            Event::Text(text) => self.text_event(&text, range),
            Event::Code(code) => self.push_inline(Inline::Code(code.to_string()), range),
            Event::InlineMath(math) => self.math(&math, false, range),
            Event::DisplayMath(math) => self.math(&math, true, range),
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

    /// Report nesting past [`MAX_DEPTH`], once per chapter.
    pub(super) fn report_depth(&mut self, range: Range<usize>) {
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

    /// Add a block to the innermost container (closing an implicit paragraph first).
    pub(super) fn push_block(&mut self, block: Block, start: usize) {
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

    /// Add an inline to the innermost container, opening an implicit paragraph at block
    /// level.
    pub(super) fn push_inline(&mut self, inline: Inline, range: Range<usize>) {
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
}
