//! Captions and labelled divs, read from the blocks of a container once it is complete:
//!
//! - a paragraph `Table: Caption {#tbl-x}` or `: Caption {#tbl-x}` (pandoc, Quarto) right
//!   before or after a pipe table becomes that table's caption and label;
//! - a fenced div `::: {#fig-x}` … `:::` (Quarto) around one image, one table or one code
//!   block, its last paragraph the caption, becomes a labelled figure, table or listing.
//!
//! pulldown-cmark knows neither, so both arrive as paragraphs of text; other fenced divs
//! (`::: {.callout-note}`) are grouped here too and made containers by `divs`.

use super::attributes::{block_length, looks_like_attributes, parse_attributes};
use super::blocks::paragraph_block;
use super::builder::Builder;
use super::{ForeignLabel, ForeignReason};
use crate::diag::{code, Diagnostic, Span};
use crate::doc::{label_prefix, Attributes, Block, Inline, Listing};

/// A fenced div found in a container's blocks: its attributes and what it holds.
pub(super) struct LabelledDiv {
    pub(super) attrs: Attributes,
    /// The blocks between the fences (the first and last paragraph trimmed of them).
    pub(super) inner: Vec<Block>,
    pub(super) span: Span,
}

impl<'a> Builder<'a> {
    /// Labelled divs and table captions among a container's blocks.
    pub(super) fn group_captions(&mut self, blocks: Vec<Block>) -> Vec<Block> {
        if !blocks.iter().any(|b| matches!(b, Block::Paragraph { .. })) {
            return blocks;
        }
        let blocks = self.group_labelled_divs(blocks);
        let blocks = self.attach_table_captions(blocks);
        self.report_lone_captions(&blocks);
        blocks
    }

    /// Fenced divs among the blocks: labelled ones become figures, tables and listings,
    /// the others containers (callouts among them).
    pub(super) fn group_labelled_divs(&mut self, blocks: Vec<Block>) -> Vec<Block> {
        let mut out = Vec::with_capacity(blocks.len());
        let mut blocks = blocks.into_iter().peekable();
        while let Some(block) = blocks.next() {
            let Some((attrs, labelled)) = self.div_opening(&block) else {
                out.push(block);
                continue;
            };
            let mut depth = fence_depth_after(&block, 1, true);
            let mut taken = vec![block];
            while depth.is_some_and(|d| d > 0) {
                let Some(next) = blocks.next() else { break };
                depth = fence_depth_after(&next, depth.unwrap_or(0), false);
                taken.push(next);
            }
            if depth != Some(0) {
                self.report_unclosed_div(&attrs, &taken[0]);
                out.extend(taken);
                continue;
            }
            let div = self.labelled_div(attrs, taken);
            if labelled {
                out.extend(self.div_block(div));
            } else {
                out.push(self.fenced_div(div));
            }
        }
        out
    }

    /// The attributes of a paragraph that opens a fenced div (`::: {#fig-x}`,
    /// `::: {.callout-note}`, `::: warning` on its first line), with their span, and whether
    /// it is a labelled div (a figure, table or listing).
    fn div_opening(&mut self, block: &Block) -> Option<(Attributes, bool)> {
        let Block::Paragraph { content, span } = block else {
            return None;
        };
        let Some(Inline::Text { text, .. }) = content.first() else {
            return None;
        };
        if content.len() > 1 && !matches!(content[1], Inline::SoftBreak) {
            return None;
        }
        let after = text.trim_start_matches(':');
        if text.len() - after.len() < 3 {
            return None;
        }
        let block_text = after.trim().trim_end_matches(':').trim_end();
        let attrs = if block_text.starts_with('{') {
            if block_length(block_text) != Some(block_text.len()) {
                return None;
            }
            parse_attributes(block_text).ok()?
        } else {
            super::divs::bare_class(block_text)?
        };
        let labelled = attrs
            .id
            .as_deref()
            .and_then(label_prefix)
            .is_some_and(|p| matches!(p, "fig" | "tbl" | "lst"));
        let attrs = Attributes {
            span: Some(self.first_brace_span(span)),
            ..attrs
        };
        (labelled || super::divs::is_plain_div(&attrs)).then_some((attrs, labelled))
    }

    /// The span of the first `{…}` in a block's source, or the block's.
    fn first_brace_span(&self, span: &Span) -> Span {
        let source = self.text.get(span.range.clone()).unwrap_or_default();
        match source.find('{') {
            Some(open) if self.span_clamp.is_none() => {
                let length = block_length(&source[open..]).unwrap_or(1);
                let start = span.range.start + open;
                Span::new(span.file, start..start + length)
            }
            _ => span.clone(),
        }
    }

    /// The div's blocks without its fences: the opening paragraph's later lines and the
    /// closing paragraph's earlier lines are paragraphs of their own.
    fn labelled_div(&mut self, attrs: Attributes, taken: Vec<Block>) -> LabelledDiv {
        let start = taken.first().and_then(Block::span).cloned();
        let end = taken.last().and_then(Block::span).cloned();
        let span = match (start, end) {
            (Some(s), Some(e)) => Span::new(s.file, s.range.start..e.range.end.max(s.range.end)),
            (Some(s), None) => s,
            _ => Span::new(self.file, 0..0),
        };
        let count = taken.len();
        let mut inner = Vec::with_capacity(count);
        for (i, block) in taken.into_iter().enumerate() {
            let block = if i == 0 {
                drop_first_line(block)
            } else {
                Some(block)
            };
            let block = match block {
                Some(b) if i + 1 == count => drop_last_line(b),
                other => other,
            };
            inner.extend(block);
        }
        LabelledDiv { attrs, inner, span }
    }

    /// The labelled block a div makes; when it holds something else, its blocks as they are,
    /// with a warning, and its label remembered so that references to it say why.
    fn div_block(&mut self, div: LabelledDiv) -> Vec<Block> {
        let LabelledDiv {
            attrs,
            mut inner,
            span,
        } = div;
        let caption = match inner.last() {
            Some(Block::Paragraph { .. }) if inner.len() > 1 => match inner.pop() {
                Some(Block::Paragraph { content, .. }) => Some(content),
                _ => None,
            },
            _ => None,
        };
        let prefix = attrs.id.as_deref().and_then(label_prefix).unwrap_or("fig");
        match (prefix, inner.as_mut_slice()) {
            ("fig", [Block::Figure(figure)]) => {
                if let Some(caption) = caption {
                    figure.caption = caption;
                }
                figure.attrs = attrs;
            }
            ("tbl", [Block::Table(table)]) => {
                table.caption = caption.unwrap_or_default();
                table.attrs = attrs;
            }
            ("lst", [Block::Code { listing, .. }]) => {
                let classes = listing.as_ref().map(|l| l.attrs.classes.clone());
                let mut attrs = attrs;
                attrs.classes.extend(classes.unwrap_or_default());
                *listing = Some(Box::new(Listing {
                    attrs,
                    caption: caption.unwrap_or_default(),
                    number: None,
                }));
            }
            _ => {
                self.report_unsupported_div(&attrs, prefix, &span);
                if let Some(caption) = caption {
                    inner.push(paragraph_block(caption, span));
                }
            }
        }
        inner
    }

    fn report_unsupported_div(&mut self, attrs: &Attributes, prefix: &str, span: &Span) {
        let what = match prefix {
            "tbl" => "one table",
            "lst" => "one code block",
            _ => "one image",
        };
        let at = attrs.span.clone().unwrap_or_else(|| span.clone());
        self.diags.push(
            Diagnostic::warning(
                code::LABELLED_DIV,
                format!("this labelled div holds something other than {what} and a caption: it is not numbered"),
            )
            .at(at.clone())
            .with_hint(format!("put {what} in the div and its caption in the div's last paragraph; the content is printed as it is")),
        );
        self.remember_div_label(attrs, at);
    }

    fn report_unclosed_div(&mut self, attrs: &Attributes, opening: &Block) {
        let at = attrs
            .span
            .clone()
            .or_else(|| opening.span().cloned())
            .unwrap_or_else(|| Span::new(self.file, 0..0));
        self.diags.push(
            Diagnostic::warning(code::LABELLED_DIV, "this labelled div is never closed")
                .at(at.clone())
                .with_hint("end the div with a line `:::`; until then it is printed as text"),
        );
        self.remember_div_label(attrs, at);
    }

    fn remember_div_label(&mut self, attrs: &Attributes, span: Span) {
        if let Some(label) = attrs.id.clone() {
            let why = ForeignReason::UnsupportedDiv;
            self.foreign_labels.push(ForeignLabel { label, span, why });
        }
    }

    /// Each pipe table takes a caption paragraph just before it, or else just after it.
    fn attach_table_captions(&mut self, blocks: Vec<Block>) -> Vec<Block> {
        let mut out: Vec<Block> = Vec::with_capacity(blocks.len());
        let mut blocks = blocks.into_iter().peekable();
        while let Some(mut block) = blocks.next() {
            if let Block::Table(table) = &mut block {
                if table.caption.is_empty() && table.attrs.is_empty() {
                    let before = out.last().is_some_and(is_caption_paragraph);
                    let caption = if before {
                        out.pop()
                    } else if blocks.peek().is_some_and(is_caption_paragraph) {
                        blocks.next()
                    } else {
                        None
                    };
                    if let Some(Block::Paragraph { content, span }) = caption {
                        let (caption, attrs) = self.caption_parts(content, &span);
                        table.caption = caption;
                        table.attrs = attrs;
                    }
                }
            }
            out.push(block);
        }
        out
    }

    /// A caption paragraph's text without `Table:` or `:` and its attribute block, and the
    /// attributes (a block that does not read stays in the text, with a warning).
    fn caption_parts(
        &mut self,
        mut content: Vec<Inline>,
        span: &Span,
    ) -> (Vec<Inline>, Attributes) {
        if let Some(Inline::Text { text, .. }) = content.first_mut() {
            *text = strip_caption_prefix(text)
                .unwrap_or(text)
                .trim_start()
                .to_string();
        }
        let attrs = self.take_trailing_attributes(&mut content, span);
        while matches!(content.last(), Some(Inline::SoftBreak)) {
            content.pop();
        }
        content.retain(|i| !matches!(i, Inline::Text { text, .. } if text.is_empty()));
        (content, attrs)
    }

    /// The attribute block ending the last text of `content`, cut from it.
    fn take_trailing_attributes(&mut self, content: &mut [Inline], span: &Span) -> Attributes {
        let Some(Inline::Text { text, .. }) = content
            .iter_mut()
            .rev()
            .find(|i| !matches!(i, Inline::SoftBreak))
        else {
            return Attributes::default();
        };
        let Some(open) = super::attributes::trailing_block_start(text) else {
            return Attributes::default();
        };
        let block = text[open..].trim_end().to_string();
        let at = self.last_brace_span(span);
        match parse_attributes(&block) {
            Ok(attrs) => {
                text.truncate(open);
                let trimmed = text.trim_end().len();
                text.truncate(trimmed);
                Attributes {
                    span: Some(at),
                    ..attrs
                }
            }
            Err(problem) => {
                if looks_like_attributes(&block) {
                    self.warn_attributes(&problem.describe(), at, "caption");
                }
                Attributes::default()
            }
        }
    }

    /// The span of the attribute block that ends a block's source, or the block's.
    fn last_brace_span(&self, span: &Span) -> Span {
        let source = self.text.get(span.range.clone()).unwrap_or_default();
        match super::attributes::trailing_block_start(source) {
            Some(open) if self.span_clamp.is_none() => {
                let length = source[open..].trim_end().len();
                let start = span.range.start + open;
                Span::new(span.file, start..start + length)
            }
            _ => span.clone(),
        }
    }

    /// A labelled caption paragraph left with no table beside it is worth a warning: its
    /// label numbers nothing.
    fn report_lone_captions(&mut self, blocks: &[Block]) {
        for block in blocks {
            let Block::Paragraph { content, span } = block else {
                continue;
            };
            if !is_caption_paragraph(block) {
                continue;
            }
            let text = crate::doc::plain_text(content);
            if !text.contains("{#tbl") {
                continue;
            }
            self.diags.push(
                Diagnostic::warning(
                    code::CAPTION_WITHOUT_TABLE,
                    "this table caption has no table just before or after it",
                )
                .at(self.last_brace_span(span))
                .with_hint("put the caption right before or after the pipe table, separated by a blank line; it is printed as text"),
            );
        }
    }
}

/// The text after `Table:` or `:` that opens a caption paragraph.
fn strip_caption_prefix(text: &str) -> Option<&str> {
    let rest = text
        .strip_prefix("Table:")
        .or_else(|| text.strip_prefix("table:"))
        .or_else(|| text.strip_prefix(':'))?;
    (rest.is_empty() || rest.starts_with(char::is_whitespace)).then_some(rest)
}

/// True for a paragraph written `Table: …` or `: …`.
fn is_caption_paragraph(block: &Block) -> bool {
    matches!(block, Block::Paragraph { content, .. }
        if matches!(content.first(), Some(Inline::Text { text, .. })
            if strip_caption_prefix(text).is_some_and(|rest| !rest.trim().is_empty())))
}

/// The open fenced divs after `block`, `depth` being open before it (its first line left out
/// when `skip_first`, the opening fence itself): each line `::: …` opens one, each line `:::`
/// alone closes one; only whole lines of paragraphs count. `None` when the outermost div
/// closes on a line that is not the paragraph's last (the fence cannot be cut out cleanly).
fn fence_depth_after(block: &Block, mut depth: usize, skip_first: bool) -> Option<usize> {
    let Block::Paragraph { content, .. } = block else {
        return Some(depth);
    };
    let lines: Vec<&[Inline]> = content
        .split(|i| matches!(i, Inline::SoftBreak))
        .skip(usize::from(skip_first))
        .collect();
    let count = lines.len();
    for (n, line) in lines.into_iter().enumerate() {
        let [Inline::Text { text, .. }] = line else {
            continue;
        };
        let rest = text.trim().trim_start_matches(':');
        if text.trim().len() - rest.len() < 3 {
            continue;
        }
        if rest.trim().is_empty() {
            depth = depth.saturating_sub(1);
            if depth == 0 {
                return (n + 1 == count).then_some(0);
            }
        } else {
            depth += 1;
        }
    }
    Some(depth)
}

/// A paragraph without its first line (the div's opening fence); `None` when nothing is left.
fn drop_first_line(block: Block) -> Option<Block> {
    let Block::Paragraph { content, span } = block else {
        return Some(block);
    };
    let rest: Vec<Inline> = match content.iter().position(|i| matches!(i, Inline::SoftBreak)) {
        Some(at) => content.into_iter().skip(at + 1).collect(),
        None => Vec::new(),
    };
    (!rest.is_empty()).then(|| paragraph_block(rest, span))
}

/// A paragraph without its last line (the div's closing fence); `None` when nothing is left.
fn drop_last_line(block: Block) -> Option<Block> {
    let (content, span) = match block {
        Block::Paragraph { content, span } => (content, span),
        Block::Figure(_) => return Some(block),
        other => return Some(other),
    };
    let mut rest = content;
    match rest.iter().rposition(|i| matches!(i, Inline::SoftBreak)) {
        Some(at) => rest.truncate(at),
        None => rest.clear(),
    }
    (!rest.is_empty()).then(|| paragraph_block(rest, span))
}
