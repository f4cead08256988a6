//! Raw text read again as Markdown: an unclosed `<style>` block, misplaced front matter.

use std::ops::Range;

use pulldown_cmark::{Options, Parser};

use super::builder::Builder;
use super::parser_options_for;
use crate::doc::{Block, Inline};

/// Raw text read again as Markdown (an unclosed `<style>` block, misplaced front matter) may
/// hold more of the same; past this depth it is kept as plain text.
const MAX_REPARSE_DEPTH: usize = 8;

impl<'a> Builder<'a> {
    /// Read a slice of the chapter's source as Markdown, in the current container.
    pub(super) fn reparse_source(&mut self, range: Range<usize>) {
        let text: &'a str = self.text;
        let Some(slice) = text.get(range.clone()) else {
            return;
        };
        self.reparse(slice, |r| range.start + r.start..range.start + r.end);
    }

    /// Read text that is not a verbatim slice of the source (a block inside a quote has lost
    /// its `>` markers) as Markdown; every span points at `range`, the block it came from.
    pub(super) fn reparse_text(&mut self, text: &str, range: Range<usize>) {
        let outer = self.span_clamp.replace(range.clone());
        self.reparse(text, |_| range.clone());
        self.span_clamp = outer;
    }

    /// Read `text` as Markdown in the current container, `map` taking its ranges back to the
    /// source; past [`MAX_REPARSE_DEPTH`] it is kept as one plain paragraph.
    pub(super) fn reparse(&mut self, text: &str, map: impl Fn(Range<usize>) -> Range<usize>) {
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
        let options = parser_options_for(text)
            - Options::ENABLE_YAML_STYLE_METADATA_BLOCKS
            - Options::ENABLE_PLUSES_DELIMITED_METADATA_BLOCKS;
        for (event, range) in Parser::new_ext(text, options).into_offset_iter() {
            self.event(event, map(range));
        }
        self.reparse_depth -= 1;
    }
}
