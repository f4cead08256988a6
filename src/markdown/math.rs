//! Formulas: pulldown-cmark's `$…$` and `$$…$$` become [`Inline::Math`] with the span of
//! their LaTeX source, and the attribute block after a display formula (`$$ … $$ {#eq-x}`)
//! becomes its label. Nothing inside a formula is Markdown: no emphasis, no smart quotes.

use std::ops::Range;

use super::attributes::{block_length, parse_attributes};
use super::builder::Builder;
use crate::diag::{code, Diagnostic, Span};
use crate::doc::{Attributes, Inline, Math};

impl Builder<'_> {
    /// A formula event: its source between the delimiters.
    pub(super) fn math(&mut self, source: &str, display: bool, range: Range<usize>) {
        if source.trim().is_empty() {
            // `$$ $$`, or what pulldown-cmark makes of a `$$…$$` whose braces do not balance:
            // the formula it meant is printed as text after it.
            let span = self.span(range.clone());
            self.warn_unread_formula(span);
        }
        let written = self.text.get(range.clone()).unwrap_or_default();
        let source_range = match written.find(source) {
            Some(offset) if !source.is_empty() => {
                range.start + offset..range.start + offset + source.len()
            }
            _ => range.clone(),
        };
        let math = Math {
            source: source.to_string(),
            display,
            span: self.span(source_range),
            attrs: Attributes::default(),
            number: None,
            tag: None,
            label: None,
            rows: Vec::new(),
            refs: Vec::new(),
            text: String::new(),
        };
        self.push_inline(Inline::Math(Box::new(math)), range)
    }

    /// A warning at `span`: dollars there that hold no formula, so the LaTeX around them is
    /// printed as written. One a paragraph: the dollars of one unread formula (both ends of
    /// a `$$…$$`, which pulldown-cmark may read as two empty formulas) are one mistake.
    fn warn_unread_formula(&mut self, span: Span) {
        let paragraph = self.open_inlines_start().unwrap_or(span.range.start);
        if self.unread_formula_at.replace(paragraph) == Some(paragraph) {
            return;
        }
        self.diags.push(
            Diagnostic::warning(
                code::MATH_NOT_READ,
                "these dollars hold no formula: the LaTeX near them is printed as written",
            )
            .at(span)
            .with_hint(
                "pulldown-cmark reads $…$ and $$…$$ as mathematics only when the braces inside \
                 balance and nothing is empty; balance the { }, or write \\$ for a dollar sign",
            ),
        );
    }

    /// A `$` left as text (at `dollar`) followed by `next`: when `next` is another `$` or
    /// starts with a LaTeX command, these are the dollars of a formula pulldown-cmark did not
    /// read (its braces do not balance), whose LaTeX prints as written. A `$` before a number
    /// or a space (a price) is text and says nothing.
    pub(super) fn check_after_dollar(&mut self, dollar: Range<usize>, next: &str) {
        let bytes = next.as_bytes();
        let command =
            bytes.first() == Some(&b'\\') && bytes.get(1).is_some_and(u8::is_ascii_alphabetic);
        if next == "$" || command {
            let span = self.span(dollar);
            self.warn_unread_formula(span);
        }
    }

    /// The attribute block at the start of `text` (after spaces), which follows a display
    /// formula, taken as the formula's; the text after it is returned.
    pub(super) fn take_math_attributes(
        &mut self,
        text: String,
        range: Range<usize>,
        math: &mut Math,
    ) -> (String, Range<usize>) {
        let spaces = text.len() - text.trim_start_matches([' ', '\t']).len();
        let Some(length) = block_length(&text[spaces..]) else {
            return (text, range);
        };
        let Ok(attrs) = parse_attributes(&text[spaces..spaces + length]) else {
            return (text, range);
        };
        let source = self.text.get(range.clone()).unwrap_or_default();
        let source_spaces = source.len() - source.trim_start_matches([' ', '\t']).len();
        let source_length = source
            .get(source_spaces..)
            .and_then(block_length)
            .filter(|_| self.span_clamp.is_none());
        let start = range.start + source_spaces;
        let span = self.span(start..start + source_length.unwrap_or(length));
        math.attrs = Attributes {
            span: Some(span),
            ..attrs
        };
        let rest_start = source_length.map_or(range.start, |n| start + n);
        let rest = text[spaces + length..].to_string();
        (rest, rest_start.min(range.end)..range.end)
    }
}

/// How far the source is ahead of the text read, from each offset of the text read on: in
/// order, `(offset, bytes)`; before the first, the two agree.
pub(super) type Shifts = Vec<(usize, isize)>;

/// One change to the source: the bytes at `at..at + removed` become `inserted`.
struct Edit {
    at: usize,
    removed: usize,
    inserted: &'static str,
}

/// The chapter with LaTeX's `\(…\)` and `\[…\]` rewritten as `$…$` and `$$…$$`, and a
/// mathematics environment written in the text (`\begin{align}` … `\end{align}`, as pandoc
/// reads it) wrapped in `$$`, when it has any outside code, raw HTML and dollar math (`None`
/// when it has none), with the [`Shifts`] that map the rewritten text back to the source.
/// pulldown-cmark knows only dollars, reads `\(` as an escaped parenthesis, and would read
/// an environment's `\\` and `_` as Markdown.
pub(super) fn with_bracket_math_as_dollars(text: &str) -> Option<(String, Shifts)> {
    let unlisted = without_list_markers_in_display_math(text);
    let text = unlisted.as_deref().unwrap_or(text);
    let unchanged = || unlisted.clone().map(|t| (t, Vec::new()));
    if !text.contains("\\(") && !text.contains("\\[") && !text.contains("\\begin{") {
        return unchanged();
    }
    let excluded = verbatim_ranges(text);
    let mut edits: Vec<Edit> = Vec::new();
    for (open, close, display) in bracket_pairs(text, &excluded) {
        let inserted = if display { "$$" } else { "$" };
        edits.push(Edit {
            at: open,
            removed: 2,
            inserted,
        });
        edits.push(Edit {
            at: close,
            removed: 2,
            inserted,
        });
    }
    for (start, end) in environments(text, &excluded, &edits) {
        edits.push(Edit {
            at: start,
            removed: 0,
            inserted: "$$",
        });
        edits.push(Edit {
            at: end,
            removed: 0,
            inserted: "$$",
        });
    }
    if edits.is_empty() {
        return unchanged();
    }
    // Where an environment ends just as a bracket begins, the insertion goes first and the
    // bracket's two bytes are replaced after it: no two edits overlap.
    edits.sort_by_key(|edit| (edit.at, edit.removed));
    let mut out = String::with_capacity(text.len() + 4 * edits.len());
    let mut shifts = Shifts::new();
    let (mut copied, mut ahead) = (0, 0isize);
    for edit in edits {
        out.push_str(&text[copied..edit.at]);
        out.push_str(edit.inserted);
        ahead += edit.removed as isize - edit.inserted.len() as isize;
        shifts.push((out.len(), ahead));
        copied = edit.at + edit.removed;
    }
    out.push_str(&text[copied..]);
    Some((out, shifts))
}

/// LaTeX environments of mathematics that octavo sets when they stand in the text (as
/// display math); another environment there is raw LaTeX.
pub(super) const TEXT_MATH_ENVIRONMENTS: [&str; 8] = [
    "align",
    "align*",
    "equation",
    "equation*",
    "gather",
    "gather*",
    "multline",
    "multline*",
];

/// The mathematics environments written in the text, outside code, raw HTML, dollar math
/// and the bracket pairs of `edits`: each `\begin{…}`'s offset and the offset after its
/// `\end{…}`, which must close it within the paragraph (no blank line between).
///
/// Every test is a look-up in sorted offsets, so a chapter of many environments, brackets
/// and code spans, or of many unclosed `\begin{…}`, costs time linear in its length: no
/// `\begin{` searches all the others.
fn environments(text: &str, excluded: &[Range<usize>], edits: &[Edit]) -> Vec<(usize, usize)> {
    let mut found = Vec::new();
    if !text.contains("\\begin{") {
        return found;
    }
    let covered = covered_ranges(excluded, edits);
    let mut bracket_offsets: Vec<usize> = edits.iter().map(|edit| edit.at).collect();
    bracket_offsets.sort_unstable();
    let blank_lines = blank_line_starts(text);
    let mut closes: [Option<Vec<usize>>; TEXT_MATH_ENVIRONMENTS.len()] = Default::default();
    let mut from = 0;
    while let Some(offset) = text[from..].find("\\begin{") {
        let start = from + offset;
        from = start + 1;
        if covers(&covered, start) || (start > 0 && text.as_bytes()[start - 1] == b'\\') {
            continue;
        }
        let name_start = start + "\\begin{".len();
        let Some(name) = text[name_start..].split('}').next() else {
            continue;
        };
        let Some(kind) = TEXT_MATH_ENVIRONMENTS
            .iter()
            .position(|known| *known == name)
        else {
            continue;
        };
        let close = format!("\\end{{{name}}}");
        let offsets = closes[kind]
            .get_or_insert_with(|| text.match_indices(&close).map(|(at, _)| at).collect());
        let Some(&close_at) = offsets.get(offsets.partition_point(|&at| at < start)) else {
            continue;
        };
        let end = close_at + close.len();
        // A blank line inside ends the paragraph first; a bracket pair that opens or closes
        // inside crosses the environment: the brackets are the formula, the environment is
        // left as written.
        if any_between(&blank_lines, start, end) || any_between(&bracket_offsets, start, end) {
            continue;
        }
        found.push((start, end));
        from = end;
    }
    found
}

/// The offsets `excluded` covers and those strictly inside a bracket pair of `edits`, as
/// sorted ranges that do not overlap.
fn covered_ranges(excluded: &[Range<usize>], edits: &[Edit]) -> Vec<Range<usize>> {
    let mut ranges: Vec<Range<usize>> = excluded.to_vec();
    ranges.extend(edits.chunks(2).filter_map(|pair| match pair {
        [open, close] => Some(open.at + 1..close.at),
        _ => None,
    }));
    ranges.sort_unstable_by_key(|range| range.start);
    let mut merged: Vec<Range<usize>> = Vec::with_capacity(ranges.len());
    for range in ranges {
        match merged.last_mut() {
            Some(last) if range.start <= last.end => last.end = last.end.max(range.end),
            _ => merged.push(range),
        }
    }
    merged
}

/// Whether one of the sorted, disjoint `ranges` holds `at`.
fn covers(ranges: &[Range<usize>], at: usize) -> bool {
    let after = ranges.partition_point(|range| range.start <= at);
    after > 0 && ranges[after - 1].contains(&at)
}

/// Whether one of the sorted `offsets` lies strictly between `start` and `end`.
fn any_between(offsets: &[usize], start: usize, end: usize) -> bool {
    let first = offsets.partition_point(|&at| at <= start);
    offsets.get(first).is_some_and(|&at| at < end)
}

/// Where each line of `text` that is empty or white space only starts, in order.
fn blank_line_starts(text: &str) -> Vec<usize> {
    let mut starts = Vec::new();
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        if line.trim().is_empty() {
            starts.push(offset);
        }
        offset += line.len();
    }
    starts
}

/// The `\(`…`\)` and `\[`…`\]` pairs outside code, raw HTML and dollar math (`excluded`):
/// the offsets of the opening and closing backslashes, and whether the pair is display math.
fn bracket_pairs(text: &str, excluded: &[Range<usize>]) -> Vec<(usize, usize, bool)> {
    let bytes = text.as_bytes();
    let mut pairs = Vec::new();
    let mut open: Option<(usize, u8)> = None;
    let mut at = 0;
    let mut next_excluded = 0;
    while at + 1 < bytes.len() {
        if bytes[at] != b'\\' {
            at += 1;
            continue;
        }
        while excluded.get(next_excluded).is_some_and(|r| r.end <= at) {
            next_excluded += 1;
        }
        if excluded.get(next_excluded).is_some_and(|r| r.contains(&at)) {
            at += 1;
            continue;
        }
        match (open, bytes[at + 1]) {
            (None, b'(' | b'[') => open = Some((at, bytes[at + 1])),
            (Some((start, b'(')), b')') => {
                if looks_like_latex(&text[start + 2..at]) {
                    pairs.push((start, at, false));
                }
                open = None;
            }
            (Some((start, b'[')), b']') => {
                if looks_like_latex(&text[start + 2..at]) {
                    pairs.push((start, at, true));
                }
                open = None;
            }
            _ => {}
        }
        // A backslash escapes the next character: `\\(` is not an opening.
        at += 2;
    }
    pairs
}
/// The text with each line inside a `$$…$$` that starts like a list item (`+ x`, `- x`,
/// `* x`, which would end the paragraph the formula is in) starting with a space instead:
/// `+ x` becomes ` +x`, the same to LaTeX and the same length. `None` when there is none.
fn without_list_markers_in_display_math(text: &str) -> Option<String> {
    if !text.contains("$$") {
        return None;
    }
    let code = code_ranges(text);
    let mut bytes = text.as_bytes().to_vec();
    let mut changed = false;
    let mut inside = false;
    let mut at = 0;
    let mut next_code = 0;
    while at + 1 < bytes.len() {
        while code.get(next_code).is_some_and(|r| r.end <= at) {
            next_code += 1;
        }
        if code.get(next_code).is_some_and(|r| r.contains(&at)) {
            at += 1;
            continue;
        }
        match (bytes[at], bytes[at + 1]) {
            (b'\\', _) => at += 2,
            (b'$', b'$') => {
                inside = !inside;
                at += 2;
            }
            (b'\n', _) if inside => {
                changed |= unlist_line(&mut bytes, at + 1);
                at += 1;
            }
            _ => at += 1,
        }
    }
    if !changed {
        return None;
    }
    String::from_utf8(bytes).ok()
}

/// Turns the line at `start`, if it opens like a list item, into one that does not.
fn unlist_line(bytes: &mut [u8], start: usize) -> bool {
    let indent = bytes[start..]
        .iter()
        .take(3)
        .take_while(|&&b| b == b' ')
        .count();
    let marker = start + indent;
    let is_item = matches!(bytes.get(marker), Some(b'+' | b'-' | b'*'))
        && matches!(bytes.get(marker + 1), Some(b' ' | b'\t'));
    if is_item {
        bytes.swap(marker, marker + 1);
    }
    is_item
}

/// True when text between `\(` and `\)` (or `\[` and `\]`) reads as LaTeX: a command, a
/// script or an equals sign. Markdown writes `\[` for a literal bracket (`\[E0133\]`), so
/// escaped brackets around plain words stay text.
fn looks_like_latex(content: &str) -> bool {
    let command = content
        .as_bytes()
        .windows(2)
        .any(|pair| pair[0] == b'\\' && pair[1].is_ascii_alphabetic());
    command || content.contains(['^', '_', '='])
}

/// Byte ranges of code and raw HTML (also for the other rewrites of the source before it
/// is read).
pub(super) fn code_ranges(text: &str) -> Vec<Range<usize>> {
    use pulldown_cmark::{Event, Parser, Tag};
    let mut ranges = Vec::new();
    for (event, range) in Parser::new_ext(text, super::parser_options()).into_offset_iter() {
        match event {
            Event::Start(Tag::CodeBlock(_) | Tag::HtmlBlock) | Event::Code(_) => ranges.push(range),
            _ => {}
        }
    }
    ranges.sort_by_key(|r| r.start);
    ranges
}

/// Byte ranges pulldown-cmark reads verbatim: code, raw HTML and dollar math.
fn verbatim_ranges(text: &str) -> Vec<Range<usize>> {
    use pulldown_cmark::{Event, Parser, Tag};
    let mut ranges = Vec::new();
    for (event, range) in Parser::new_ext(text, super::parser_options()).into_offset_iter() {
        match event {
            Event::Start(Tag::CodeBlock(_) | Tag::HtmlBlock)
            | Event::Code(_)
            | Event::InlineMath(_)
            | Event::DisplayMath(_)
            | Event::Html(_)
            | Event::InlineHtml(_) => ranges.push(range),
            _ => {}
        }
    }
    ranges.sort_by_key(|r| r.start);
    ranges
}

#[cfg(test)]
mod tests {
    use super::with_bracket_math_as_dollars;

    #[test]
    fn brackets_become_dollars_with_shifts() {
        let source = "a \\(x^2\\) b \\[y=1\\] `\\(z^2\\)` \\[E0133\\]";
        let (text, shifts) = with_bracket_math_as_dollars(source).unwrap();
        assert_eq!(text, "a $x^2$ b $$y=1$$ `\\(z^2\\)` \\[E0133\\]");
        assert_eq!(shifts, [(3, 1), (7, 2), (12, 2), (17, 2)]);
    }

    #[test]
    fn an_environment_in_the_text_becomes_display_math() {
        let source = "Fitted:\n\\begin{align}\ny_t &= a\\\\\nz &= b\n\\end{align}\nafter `\\begin{align}` and \\begin{tabular}\n";
        let (text, shifts) = with_bracket_math_as_dollars(source).unwrap();
        assert_eq!(
            text,
            "Fitted:\n$$\\begin{align}\ny_t &= a\\\\\nz &= b\n\\end{align}$$\nafter `\\begin{align}` and \\begin{tabular}\n"
        );
        assert_eq!(shifts, [(10, -2), (55, -4)]);
        // Not across a blank line, which ends the paragraph.
        assert!(with_bracket_math_as_dollars("\\begin{align}\na\n\n\\end{align}\n").is_none());
    }

    /// Found by a random-input run: an environment that a bracket pair crosses, or that
    /// ends where a bracket begins, made two edits overlap and the rewrite panicked.
    #[test]
    fn environments_and_brackets_that_meet_or_cross() {
        let crossing = "\\begin{gather} x \\[ y^2 \\end{gather} z \\]\n";
        let (text, _) = with_bracket_math_as_dollars(crossing).unwrap();
        assert_eq!(text, "\\begin{gather} x $$ y^2 \\end{gather} z $$\n");
        let touching = "\\[ a^2 \\]\\begin{gather} y \\end{gather}\\[ b^2 \\]\n";
        let (text, shifts) = with_bracket_math_as_dollars(touching).unwrap();
        assert_eq!(
            text,
            "$$ a^2 $$$$\\begin{gather} y \\end{gather}$$$$ b^2 $$\n"
        );
        assert_eq!(shifts.len(), 6);
    }

    #[test]
    fn a_list_marker_inside_display_math_stays_math() {
        let (text, _) = with_bracket_math_as_dollars("$$\na\n+ b\n$$\n\n+ item\n").unwrap();
        assert_eq!(text, "$$\na\n +b\n$$\n\n+ item\n");
    }
}
