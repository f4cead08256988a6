//! Code blocks in XHTML: `<pre><code class="language-…">`, each highlighted token in a
//! `<span class="hl-…">` that the stylesheet colours (no colour is written inline, and
//! without the stylesheet the code reads as plain text). A block with line numbers or
//! highlighted lines has each line in a `<span class="line">`: the numbers are CSS counters
//! (generated content, so copying the code does not copy them).

use super::{css_class, escape, Writer};
use crate::doc::{CodeToken, TokenClass};
use crate::highlight::LineMarks;

impl Writer<'_> {
    /// A code block with its tokens and the line marks its fence asked for.
    pub(super) fn code_block(
        &mut self,
        lang: Option<&str>,
        text: &str,
        tokens: &[CodeToken],
        marks: &LineMarks,
    ) {
        let numbered = marks.first_number.is_some();
        self.out.push_str(if numbered {
            "<pre class=\"numbered\"><code"
        } else {
            "<pre><code"
        });
        if let Some(lang) = lang {
            self.out
                .push_str(&format!(" class=\"language-{}\"", escape(&css_class(lang))));
        }
        if let Some(first) = marks.first_number.filter(|&n| n != 1) {
            // The counter counts up before each line: it starts one below the first number.
            let reset = first.saturating_sub(1);
            self.out
                .push_str(&format!(" style=\"counter-reset: line {reset}\""));
        }
        self.out.push('>');
        let text = text.strip_suffix('\n').unwrap_or(text);
        if marks.any() {
            self.code_lines(text, tokens, marks);
        } else {
            for (piece, class) in stretches(text, tokens, 0..text.len()) {
                self.code_piece(piece, class);
            }
        }
        self.out.push_str("</code></pre>\n");
    }

    /// Each line in its own `<span class="line">` (`line hl` when highlighted).
    fn code_lines(&mut self, text: &str, tokens: &[CodeToken], marks: &LineMarks) {
        let mut start = 0;
        let mut first = 0;
        for (index, line) in text.split('\n').enumerate() {
            while tokens.get(first).is_some_and(|t| (t.end as usize) <= start) {
                first += 1;
            }
            let tokens = tokens.get(first..).unwrap_or_default();
            if index > 0 {
                self.out.push('\n');
            }
            let class = if marks.is_highlighted(index) {
                "line hl"
            } else {
                "line"
            };
            self.out.push_str(&format!("<span class=\"{class}\">"));
            for (piece, class) in stretches(text, tokens, start..start + line.len()) {
                self.code_piece(piece, class);
            }
            self.out.push_str("</span>");
            start += line.len() + 1;
        }
    }

    fn code_piece(&mut self, piece: &str, class: Option<TokenClass>) {
        match class {
            Some(class) => self.out.push_str(&format!(
                "<span class=\"hl-{}\">{}</span>",
                class.name(),
                escape(piece)
            )),
            None => self.out.push_str(&escape(piece)),
        }
    }
}

/// The stretches of `text[range]`, each with its token's class or none.
fn stretches<'t>(
    text: &'t str,
    tokens: &[CodeToken],
    range: std::ops::Range<usize>,
) -> Vec<(&'t str, Option<TokenClass>)> {
    let mut out = Vec::new();
    let mut at = range.start;
    for token in tokens {
        let start = (token.start as usize).clamp(at, range.end);
        let end = (token.end as usize).clamp(start, range.end);
        if start >= end {
            if token.start as usize >= range.end {
                break;
            }
            continue;
        }
        if let (Some(before), Some(inside)) = (text.get(at..start), text.get(start..end)) {
            if !before.is_empty() {
                out.push((before, None));
            }
            out.push((inside, Some(token.class)));
            at = end;
        }
    }
    if let Some(rest) = text.get(at..range.end).filter(|rest| !rest.is_empty()) {
        out.push((rest, None));
    }
    out
}
