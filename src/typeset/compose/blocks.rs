//! A chapter's blocks as a vertical flow: paragraphs, headings and the chapter title, quotes,
//! references, scene breaks and raw HTML containers (lists, code, tables, figures and notes
//! have files of their own).

use super::notes::attach_nested_notes;
use super::Composer;
use crate::doc::{Block, Chapter, Inline};
use crate::fonts::Style;
use crate::typeset::layout::{AnchorItem, GlyphRun, Item};
use crate::typeset::page::{build_pages, paragraph_breaks, Flow, FlowLine, PageContent};
use crate::typeset::paragraph::{set_paragraph, Alignment, ParagraphSpec, Pieces, TextStyle};

impl<'a, 'f> Composer<'a, 'f> {
    pub(super) fn chapter_pages(&mut self, index: usize) -> Vec<PageContent> {
        let chapter = &self.book.chapters[index];
        let notes = self.note_lines(chapter);
        let mut flow = Vec::new();
        let mut state = FlowState::default();
        let width = self.profile.text_width();
        for block in &chapter.blocks {
            self.block(chapter, block, 0.0, width, &mut state, &mut flow);
        }
        if chapter.title_id().is_none() {
            let mut title = Vec::new();
            self.chapter_title(chapter, &chapter.title, None, &mut title);
            flow.splice(0..0, title);
        }
        let notes = attach_nested_notes(notes, &flow);
        let mut drop = self.profile.text_height() * 0.18;
        if let Some((_, named)) = self.title_block.clone().filter(|(i, _)| *i == index) {
            let block = self.title_block_flow(&named);
            flow.splice(0..0, block);
            drop = 0.0;
        }
        build_pages(&flow, &notes, &self.spec(drop, true))
    }

    /// Set one block, with anchors for the ids raw HTML gave it (link targets like headings).
    pub(super) fn block(
        &mut self,
        chapter: &Chapter,
        block: &Block,
        x: f64,
        width: f64,
        state: &mut FlowState,
        flow: &mut Vec<Flow>,
    ) {
        let start = flow.len();
        self.block_content(chapter, block, x, width, state, flow);
        let ids = crate::doc::html_ids_of(block);
        let first_line = flow[start..].iter_mut().find_map(|f| match f {
            Flow::Line(line) => Some(line),
            _ => None,
        });
        if let Some(line) = first_line {
            for id in ids {
                line.items
                    .push(Item::Anchor(Box::new(AnchorItem { id, y: 0.0 })));
            }
        }
    }

    fn block_content(
        &mut self,
        chapter: &Chapter,
        block: &Block,
        x: f64,
        width: f64,
        state: &mut FlowState,
        flow: &mut Vec<Flow>,
    ) {
        match block {
            Block::Heading(h) if h.level == 1 && !state.titled => {
                state.titled = true;
                let mut lines = Vec::new();
                self.chapter_title(chapter, &h.content, Some(&h.id), &mut lines);
                flow.extend(lines);
                state.indent_next = false;
            }
            Block::Heading(h) => {
                self.heading(chapter, h.level, &h.content, &h.id, width, flow);
                state.indent_next = false;
            }
            Block::Paragraph { content, .. } => {
                let style = self.body();
                let mut pieces = Pieces::new();
                self.pieces(chapter, content, &style, &mut pieces);
                let indent = if state.indent_next {
                    f64::from(style.size) * 1.2
                } else {
                    0.0
                };
                self.paragraph(
                    &pieces,
                    x,
                    width,
                    indent,
                    Alignment::Justified,
                    self.profile.leading,
                    flow,
                );
                state.indent_next = true;
            }
            Block::Quote { blocks, .. } => {
                let inset = self.profile.font_size * 1.5;
                flow.push(Flow::Space(self.profile.leading * 0.5));
                let mut inner = FlowState {
                    titled: true,
                    ..FlowState::default()
                };
                for b in blocks {
                    self.block(chapter, b, x + inset, width - 2.0 * inset, &mut inner, flow);
                }
                flow.push(Flow::Space(self.profile.leading * 0.5));
                state.indent_next = false;
            }
            Block::List(list) => {
                self.list(chapter, list, x, width, flow);
                state.indent_next = false;
            }
            Block::Code { text, .. } => {
                self.code(text, x, width, flow);
                state.indent_next = false;
            }
            Block::Table(table) => {
                self.table(chapter, table, x, width, flow);
                state.indent_next = false;
            }
            Block::Figure(figure) => {
                self.figure(chapter, figure, x, width, flow);
                state.indent_next = false;
            }
            Block::Rule { .. } => {
                self.scene_break(x, width, flow);
                state.indent_next = false;
            }
            Block::Html { nodes, span } => {
                for b in crate::doc::html::to_blocks(nodes, span) {
                    self.block(chapter, &b, x, width, state, flow);
                }
            }
            Block::References(entries) => {
                for entry in entries {
                    let style = self.body();
                    let mut pieces = Pieces::new();
                    self.pieces(chapter, &entry.content, &style, &mut pieces);
                    let start = flow.len();
                    let spec = ParagraphSpec {
                        width,
                        first_indent: 0.0,
                        rest_indent: f64::from(style.size) * 1.5,
                        leading: self.profile.leading,
                        alignment: Alignment::Justified,
                    };
                    let lines = set_paragraph(&pieces, &spec, &mut self.ctx);
                    self.push_lines(lines, x, flow);
                    if let Some(Flow::Line(first)) = flow.get_mut(start) {
                        first.items.push(Item::Anchor(Box::new(AnchorItem {
                            id: entry.id.clone(),
                            y: 0.0,
                        })));
                    }
                    flow.push(Flow::Space(self.profile.leading * 0.35));
                }
            }
            Block::Container {
                name, blocks, span, ..
            } => {
                if let Some(table) = crate::doc::html::container_table(name, blocks, span) {
                    self.table(chapter, &table, x, width, flow);
                } else {
                    let mut inner = FlowState {
                        titled: true,
                        ..FlowState::default()
                    };
                    for b in blocks {
                        self.block(chapter, b, x, width, &mut inner, flow);
                    }
                }
                state.indent_next = false;
            }
            Block::ReferencesMarker { .. } => {}
        }
    }

    #[allow(clippy::too_many_arguments)]
    pub(super) fn paragraph(
        &mut self,
        pieces: &Pieces<'_>,
        x: f64,
        width: f64,
        indent: f64,
        alignment: Alignment,
        leading: f64,
        flow: &mut Vec<Flow>,
    ) {
        let spec = ParagraphSpec {
            width,
            first_indent: indent,
            rest_indent: 0.0,
            leading,
            alignment,
        };
        let lines = set_paragraph(pieces, &spec, &mut self.ctx);
        self.push_lines(lines, x, flow);
    }

    /// A centred, unindented paragraph across the measure (titles, labels).
    pub(super) fn centered(&mut self, pieces: &Pieces<'_>, leading: f64, flow: &mut Vec<Flow>) {
        let width = self.profile.text_width();
        self.paragraph(pieces, 0.0, width, 0.0, Alignment::Centered, leading, flow);
    }

    /// Add set lines to the flow with widow and orphan rules, shifted right by `x`.
    fn push_lines(&self, lines: Vec<FlowLine>, x: f64, flow: &mut Vec<Flow>) {
        let rules = paragraph_breaks(lines.len());
        for (mut line, allowed) in lines.into_iter().zip(rules) {
            line.break_after = allowed;
            if x != 0.0 {
                line.items.iter_mut().for_each(|i| i.translate(x, 0.0));
            }
            flow.push(Flow::Line(line));
        }
    }

    fn chapter_title(
        &mut self,
        chapter: &Chapter,
        content: &[Inline],
        id: Option<&str>,
        flow: &mut Vec<Flow>,
    ) {
        if let Some(number) = chapter.number {
            let style = self.body().with_style(Style::Italic);
            let pieces = Pieces::one(format!("{} {number}", self.terms.chapter), &style);
            self.centered(&pieces, self.profile.leading * 1.6, flow);
        }
        let size = (self.profile.font_size * 1.9) as f32;
        let style = TextStyle::serif(size);
        let mut pieces = Pieces::new();
        self.pieces(chapter, content, &style, &mut pieces);
        let start = flow.len();
        self.centered(&pieces, f64::from(size) * 1.25, flow);
        keep_together(&mut flow[start.saturating_sub(1)..]);
        if let (Some(id), Some(Flow::Line(first))) = (id, flow.get_mut(start)) {
            first.items.push(Item::Anchor(Box::new(AnchorItem {
                id: id.to_string(),
                y: 0.0,
            })));
        }
        flow.push(Flow::Space(self.profile.leading * 2.0));
    }

    fn heading(
        &mut self,
        chapter: &Chapter,
        level: u8,
        content: &[Inline],
        id: &str,
        width: f64,
        flow: &mut Vec<Flow>,
    ) {
        let body = self.profile.font_size as f32;
        let (style, size) = match level {
            1 => (Style::Regular, body * 1.45),
            2 => (Style::Bold, body * 1.1),
            3 => (Style::Italic, body * 1.05),
            _ => (Style::Bold, body),
        };
        let style = TextStyle {
            size,
            ..TextStyle::serif(size).with_style(style)
        };
        let mut pieces = Pieces::new();
        self.pieces(chapter, content, &style, &mut pieces);
        flow.push(Flow::Space(
            self.profile.leading * if level <= 2 { 1.4 } else { 1.0 },
        ));
        let start = flow.len();
        let leading = (f64::from(size) * 1.25).max(self.profile.leading);
        self.paragraph(&pieces, 0.0, width, 0.0, Alignment::Ragged, leading, flow);
        keep_together(&mut flow[start..]);
        if let (Some(Flow::Line(first)), false) = (flow.get_mut(start), id.is_empty()) {
            first.items.push(Item::Anchor(Box::new(AnchorItem {
                id: id.to_string(),
                y: 0.0,
            })));
        }
        flow.push(Flow::Space(self.profile.leading * 0.4));
    }

    fn scene_break(&mut self, x: f64, width: f64, flow: &mut Vec<Flow>) {
        let style = self.body();
        let run = self.ctx.shape("*\u{2003}*\u{2003}*", &style);
        let line = FlowLine {
            height: self.profile.leading * 2.0,
            break_after: true,
            items: vec![Item::Glyphs(GlyphRun {
                x: x + (width - f64::from(run.width())) / 2.0,
                y: self.profile.leading * 1.2,
                run,
            })],
            ..FlowLine::default()
        };
        flow.push(Flow::Line(line));
    }
}

/// What the blocks set so far mean for the next one.
#[derive(Debug, Default)]
pub(super) struct FlowState {
    /// A title has been set: a level-1 heading is now a section heading, not the chapter's
    /// title.
    pub(super) titled: bool,
    /// The next paragraph is indented (it follows a paragraph).
    pub(super) indent_next: bool,
}

/// No page break between these elements (a heading and its lines).
pub(super) fn keep_together(flow: &mut [Flow]) {
    for element in flow {
        if let Flow::Line(line) = element {
            line.break_after = false;
        }
    }
}
