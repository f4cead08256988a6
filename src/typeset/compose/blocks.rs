//! A chapter's blocks as a vertical flow: paragraphs, headings and the chapter title, quotes,
//! references, scene breaks and raw HTML containers (lists, code, tables, figures and notes
//! have files of their own).

use super::notes::attach_nested_notes;
use super::{math, Composer};
use crate::doc::{Block, Chapter, Inline};
use crate::highlight::LineMarks;
use crate::typeset::layout::{AnchorItem, GlyphRun, Item};
use crate::typeset::page::{build_pages, paragraph_breaks, Flow, FlowLine, PageContent};
use crate::typeset::paragraph::{set_paragraph, Alignment, ParagraphSpec, Pieces, TextStyle};
use crate::typeset::structure::{stamp, NodeId, Role, Structure};
use crate::units::Pt;

impl<'a, 'f> Composer<'a, 'f> {
    pub(super) fn chapter_pages(&mut self, index: usize) -> Vec<PageContent> {
        let chapter = &self.book.chapters[index];
        self.structure = Structure::new(Role::Sect);
        let mut notes = self.note_lines(chapter);
        let mut flow = Vec::new();
        let special = chapter.is_special_page();
        let mut state = FlowState {
            centred: special,
            opening: !special,
            ..FlowState::default()
        };
        let width = self.profile.text_width();
        for block in &chapter.blocks {
            self.block(chapter, block, Pt::ZERO, width, &mut state, &mut flow);
        }
        let untitled = crate::doc::plain_text(&chapter.title).trim().is_empty();
        if chapter.title_id().is_none() && !untitled {
            let mut title = Vec::new();
            self.chapter_title(chapter, &chapter.title, None, &mut title);
            let node = self.structure.add(Role::Heading(1), None);
            stamp_flow(&mut title, Some(node));
            flow.splice(0..0, title);
        }
        mark_chapter_start(chapter, &mut flow);
        for lines in &mut notes {
            let node = self.structure.add(Role::Note, None);
            for line in lines {
                stamp(&mut line.marks, Some(node));
            }
        }
        let notes = attach_nested_notes(notes, &flow);
        let opening = &self.design().opening;
        let drop_share = if special {
            opening.special_drop
        } else {
            opening.drop
        };
        let mut drop = self.profile.text_height() * drop_share;
        if let Some((_, named)) = self.title_block.clone().filter(|(i, _)| *i == index) {
            let mut block = self.title_block_flow(&named);
            let node = self.structure.add(Role::Div, None);
            stamp_flow(&mut block, Some(node));
            flow.splice(0..0, block);
            drop = Pt::ZERO;
        }
        build_pages(flow, notes, &self.spec(drop, true))
    }

    /// Set one block, with anchors for the ids raw HTML gave it (link targets like headings).
    pub(super) fn block(
        &mut self,
        chapter: &Chapter,
        block: &Block,
        x: Pt,
        width: Pt,
        state: &mut FlowState,
        flow: &mut Vec<Flow>,
    ) {
        let start = flow.len();
        let node = self.open_node(block, state);
        self.block_content(chapter, block, x, width, state, flow);
        match node {
            Marking::Element(node) => {
                self.structure.close();
                stamp_flow(&mut flow[start..], Some(node));
            }
            Marking::Artifact => stamp_flow(&mut flow[start..], None),
            Marking::Transparent => {}
        }
        let ids = crate::doc::html_ids_of(block);
        let first_line = flow[start..].iter_mut().find_map(|f| match f {
            Flow::Line(line) => Some(line),
            _ => None,
        });
        if let Some(line) = first_line {
            for id in ids {
                line.items
                    .push(Item::Anchor(Box::new(AnchorItem { id, y: Pt::ZERO })));
            }
        }
    }

    /// Opens the structure element `block` is (the lines it sets are stamped with it).
    fn open_node(&mut self, block: &Block, state: &FlowState) -> Marking {
        let role = match block {
            Block::Heading(h) if h.level == 1 && !state.titled => Role::Heading(1),
            Block::Heading(h) => Role::Heading(h.level.clamp(1, MAX_HEADING_LEVEL)),
            Block::Paragraph { .. } => Role::P,
            Block::Quote { .. } => Role::BlockQuote,
            Block::List(_) => Role::L,
            Block::Code { .. } => Role::Code,
            Block::Table(_) => Role::Table,
            Block::Figure(figure) => {
                let alt = Some(figure.image.alt.clone()).filter(|a| !a.trim().is_empty());
                let caption = Some(crate::doc::plain_text(&figure.caption));
                let alt = alt.or(caption).filter(|a| !a.trim().is_empty());
                return Marking::Element(self.structure.open(Role::Figure, alt));
            }
            Block::Rule { .. } => return Marking::Artifact,
            Block::Html { .. } | Block::ReferencesMarker { .. } => return Marking::Transparent,
            Block::References(_) | Block::Container { .. } => Role::Div,
        };
        Marking::Element(self.structure.open(role, None))
    }

    fn block_content(
        &mut self,
        chapter: &Chapter,
        block: &Block,
        x: Pt,
        width: Pt,
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
                self.heading(chapter, h, width, flow);
                state.indent_next = false;
            }
            Block::Paragraph { content, .. } if content.iter().any(math::is_display_math) => {
                self.paragraph_with_display_math(chapter, content, x, width, state, flow);
                state.indent_next = true;
            }
            Block::Paragraph { content, .. } => {
                let style = self.body();
                let mut pieces = Pieces::new();
                self.pieces(chapter, content, &style, &mut pieces);
                let indent = if state.indent_next && !state.centred {
                    self.design().text.indent.at(Pt::from_f32(style.size))
                } else {
                    Pt::ZERO
                };
                if std::mem::take(&mut state.opening) {
                    if self.book.meta.opening.small_caps {
                        self.check_small_caps(chapter, &style);
                    }
                    if let Some(lines) = self.opening_paragraph(&pieces, width, indent) {
                        let start = flow.len();
                        self.push_lines(lines, x, flow);
                        let cap_lines = self.book.meta.opening.drop_cap_lines;
                        super::opening::keep_drop_cap_lines(cap_lines, &mut flow[start..]);
                        state.indent_next = true;
                        return;
                    }
                }
                let alignment = if state.centred {
                    Alignment::Centered
                } else {
                    Alignment::Justified
                };
                self.paragraph(
                    &pieces,
                    x,
                    width,
                    indent,
                    alignment,
                    self.profile.leading,
                    flow,
                );
                state.indent_next = true;
            }
            Block::Quote { blocks, .. } => {
                let quote = &self.design().quote;
                let inset = quote.inset.at(self.profile.font_size);
                flow.push(Flow::Space(self.profile.leading * quote.space));
                let mut inner = FlowState {
                    titled: true,
                    centred: state.centred,
                    ..FlowState::default()
                };
                for b in blocks {
                    self.block(chapter, b, x + inset, width - 2.0 * inset, &mut inner, flow);
                }
                flow.push(Flow::Space(self.profile.leading * quote.space));
                state.indent_next = false;
            }
            Block::List(list) => {
                self.list(chapter, list, x, width, flow);
                state.indent_next = false;
            }
            Block::Code {
                text,
                listing,
                tokens,
                span,
                ..
            } => {
                if let Some(listing) = listing {
                    self.listing_caption(chapter, listing, x, width, flow);
                }
                let marks = LineMarks::of(listing.as_deref().map(|l| &l.attrs));
                let block = super::code::CodeBlock {
                    text,
                    tokens,
                    span,
                    marks,
                };
                self.code(&block, x, width, flow);
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
                let references = &self.design().references;
                for entry in entries {
                    let style = self.body();
                    let mut pieces = Pieces::new();
                    self.pieces(chapter, &entry.content, &style, &mut pieces);
                    let start = flow.len();
                    let spec = ParagraphSpec {
                        width,
                        first_indent: Pt::ZERO,
                        rest_indent: references.hanging_indent.at(Pt::from_f32(style.size)),
                        leading: self.profile.leading,
                        // Ragged right: an entry is mostly names and title-case words,
                        // which are not hyphenated, and long addresses; justified, one
                        // line in five came out loose.
                        alignment: Alignment::Ragged,
                    };
                    let mut lines = set_paragraph(&pieces, &spec, &mut self.ctx);
                    let node = self.structure.add(Role::BibEntry, None);
                    for line in &mut lines {
                        stamp(&mut line.marks, Some(node));
                    }
                    self.push_lines(lines, x, flow);
                    if let Some(Flow::Line(first)) = flow.get_mut(start) {
                        first.items.push(Item::Anchor(Box::new(AnchorItem {
                            id: entry.id.clone(),
                            y: Pt::ZERO,
                        })));
                    }
                    flow.push(Flow::Space(self.profile.leading * references.space_after));
                }
            }
            Block::Container {
                name,
                attrs,
                blocks,
                span,
            } => {
                if let Some(table) = crate::doc::html::container_table(name, blocks, span) {
                    self.table(chapter, &table, x, width, flow);
                } else if name == "details" && self.profile.omit_details {
                    // `[pdf] details = "omit"`: the author's choice, the EPUB keeps them.
                } else if super::callouts::is_callout(name, attrs) {
                    self.callout(chapter, blocks, x, width, flow);
                } else if name == "dl" {
                    self.definition_list(chapter, blocks, x, width, flow);
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

    /// A definition list (`dl`): each term (`dt`) in bold, unindented and kept with what
    /// follows; each definition (`dd`) inset; anything else in the list as it comes.
    fn definition_list(
        &mut self,
        chapter: &Chapter,
        items: &[Block],
        x: Pt,
        width: Pt,
        flow: &mut Vec<Flow>,
    ) {
        let design = self.design().definitions.clone();
        let inset = design.inset.at(self.profile.font_size);
        let space = self.profile.leading * design.space;
        flow.push(Flow::Space(space));
        let mut after_definition = false;
        for item in items {
            let mut inner = FlowState {
                titled: true,
                ..FlowState::default()
            };
            match item {
                Block::Container { name, blocks, .. } if name == "dt" => {
                    if after_definition {
                        flow.push(Flow::Space(space));
                    }
                    for block in blocks {
                        let term = emboldened(block);
                        self.block(chapter, &term, x, width, &mut inner, flow);
                    }
                    if let Some(Flow::Line(last)) = flow.last_mut() {
                        last.break_after = false;
                    }
                    after_definition = false;
                }
                Block::Container { name, blocks, .. } if name == "dd" => {
                    for block in blocks {
                        self.block(chapter, block, x + inset, width - inset, &mut inner, flow);
                    }
                    after_definition = true;
                }
                other => self.block(chapter, other, x, width, &mut inner, flow),
            }
        }
        flow.push(Flow::Space(space));
    }

    #[allow(clippy::too_many_arguments)]
    pub(super) fn paragraph(
        &mut self,
        pieces: &Pieces<'_>,
        x: Pt,
        width: Pt,
        indent: Pt,
        alignment: Alignment,
        leading: Pt,
        flow: &mut Vec<Flow>,
    ) {
        let spec = ParagraphSpec {
            width,
            first_indent: indent,
            rest_indent: Pt::ZERO,
            leading,
            alignment,
        };
        let lines = set_paragraph(pieces, &spec, &mut self.ctx);
        self.push_lines(lines, x, flow);
    }

    /// A centred, unindented paragraph across the measure (titles, labels).
    pub(super) fn centered(&mut self, pieces: &Pieces<'_>, leading: Pt, flow: &mut Vec<Flow>) {
        let width = self.profile.text_width();
        let (x, indent) = (Pt::ZERO, Pt::ZERO);
        self.paragraph(pieces, x, width, indent, Alignment::Centered, leading, flow);
    }

    /// Add set lines to the flow with widow and orphan rules, shifted right by `x`.
    pub(super) fn push_lines(&self, lines: Vec<FlowLine>, x: Pt, flow: &mut Vec<Flow>) {
        let rules = paragraph_breaks(lines.len());
        for (mut line, allowed) in lines.into_iter().zip(rules) {
            line.break_after = allowed;
            if x != Pt::ZERO {
                line.items.iter_mut().for_each(|i| i.translate(x, Pt::ZERO));
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
        let opening = &self.design().opening;
        if let Some(label) = crate::toc::chapter_label(chapter, &self.book.meta, self.terms) {
            let style = self.body().with_style(opening.number_face);
            let pieces = Pieces::one(label, &style);
            self.centered(&pieces, self.profile.leading * opening.number_leading, flow);
        }
        let size = opening.title_size.at(self.profile.font_size).to_f32();
        let style = TextStyle::serif(size);
        let mut pieces = Pieces::new();
        self.pieces(chapter, content, &style, &mut pieces);
        let start = flow.len();
        self.centered(&pieces, opening.title_leading.at(Pt::from_f32(size)), flow);
        keep_together(&mut flow[start.saturating_sub(1)..]);
        if let (Some(id), Some(Flow::Line(first))) = (id, flow.get_mut(start)) {
            first.items.push(Item::Anchor(Box::new(AnchorItem {
                id: id.to_string(),
                y: Pt::ZERO,
            })));
        }
        flow.push(Flow::Space(self.profile.leading * opening.space_after));
    }

    fn heading(
        &mut self,
        chapter: &Chapter,
        heading: &crate::doc::Heading,
        width: Pt,
        flow: &mut Vec<Flow>,
    ) {
        let (level, id) = (heading.level, heading.id.as_str());
        let body = self.profile.font_size.to_f32();
        let design = self.design().heading(level);
        let size = body * design.size;
        let style = TextStyle {
            size,
            ..TextStyle::serif(size).with_style(design.face)
        };
        let mut pieces = Pieces::new();
        if let Some(number) = &heading.number {
            pieces.text(format!("{number} "), &style);
        }
        self.pieces(chapter, &heading.content, &style, &mut pieces);
        flow.push(Flow::Space(self.profile.leading * design.space_before));
        let start = flow.len();
        let leading = (design.leading.at(Pt::from_f32(size))).max(self.profile.leading);
        let (x, indent) = (Pt::ZERO, Pt::ZERO);
        self.paragraph(&pieces, x, width, indent, Alignment::Ragged, leading, flow);
        keep_together(&mut flow[start..]);
        if let (Some(Flow::Line(first)), false) = (flow.get_mut(start), id.is_empty()) {
            first.items.push(Item::Anchor(Box::new(AnchorItem {
                id: id.to_string(),
                y: Pt::ZERO,
            })));
        }
        flow.push(Flow::Space(
            self.profile.leading * self.design().heading_space_after,
        ));
    }

    fn scene_break(&mut self, x: Pt, width: Pt, flow: &mut Vec<Flow>) {
        let scene_break = &self.design().scene_break;
        let style = self.body();
        let run = self.ctx.shape(scene_break.mark, &style);
        let line = FlowLine {
            height: self.profile.leading * scene_break.height,
            break_after: true,
            items: vec![Item::Glyphs(GlyphRun {
                x: x + (width - Pt::from_f32(run.width())) / 2.0,
                y: self.profile.leading * scene_break.baseline,
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
    /// Paragraphs are centred and unindented (a dedication, an epigraph).
    pub(super) centred: bool,
    /// The next paragraph is the chapter's first (set with a drop cap or a first line in
    /// small capitals when the book asks for them).
    pub(super) opening: bool,
}

/// Mark the first line of a chapter without a title heading with
/// [`crate::toc::chapter_start_id`], for the contents and the outline to point at.
fn mark_chapter_start(chapter: &Chapter, flow: &mut [Flow]) {
    if chapter.title_id().is_some() {
        return;
    }
    let first_line = flow.iter_mut().find_map(|f| match f {
        Flow::Line(line) => Some(line),
        _ => None,
    });
    if let Some(line) = first_line {
        line.items.push(Item::Anchor(Box::new(AnchorItem {
            id: crate::toc::chapter_start_id(chapter),
            y: Pt::ZERO,
        })));
    }
}

/// No page break between these elements (a heading and its lines).
pub(super) fn keep_together(flow: &mut [Flow]) {
    for element in flow {
        if let Flow::Line(line) = element {
            line.break_after = false;
        }
    }
}

/// A term's paragraph with its text in bold (other blocks as they are).
fn emboldened(block: &Block) -> Block {
    match block {
        Block::Paragraph { content, span } => Block::Paragraph {
            content: vec![Inline::Strong(content.clone())],
            span: span.clone(),
        },
        other => other.clone(),
    }
}

/// The deepest heading level tagged PDF names (`H1`–`H6`).
const MAX_HEADING_LEVEL: u8 = 6;

/// What a block is in the structure.
enum Marking {
    /// An element, opened: the block's lines belong to it.
    Element(NodeId),
    /// An ornament (a scene break): its lines are artifacts.
    Artifact,
    /// Nothing of its own: its blocks are elements (raw HTML, a bibliography's place).
    Transparent,
}

/// Stamps the lines of `flow` that are not marked yet with `node` (`structure::stamp`).
pub(super) fn stamp_flow(flow: &mut [Flow], node: Option<NodeId>) {
    for element in flow {
        if let Flow::Line(line) = element {
            stamp(&mut line.marks, node);
        }
    }
}
