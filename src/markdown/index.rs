//! Index marks in the text: LaTeX's `\index{…}` as pandoc and Quarto authors write it
//! (inline, after a heading, alone on a line) and pandoc's `[text]{.index}` span, read into
//! [`IndexMark`]s that print nothing and become the index's places.
//!
//! The argument follows makeindex: `!` separates levels (`term!sub!subsub`), `@` a sort key
//! from the words printed (`Angstrom@Ångström`), `|see{other}` and `|seealso{other}` make
//! cross-references, other `|` formats (`|(`, `|)`, `|textbf`) are read and ignored, and `"`
//! quotes the next character (`"!`).

use std::ops::Range;

use super::builder::Builder;
use crate::diag::{code, Diagnostic, Span};
use crate::doc::index::{IndexMark, IndexTerm, SeeKind};
use crate::doc::Inline;

/// The command that marks an index entry.
const INDEX_COMMAND: &str = "\\index{";

/// The most levels an entry has (makeindex's limit); deeper ones join the last.
const MAX_LEVELS: usize = 3;

/// What an `\index` argument says: the term's levels and a cross-reference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct IndexKey {
    /// Levels, main term first.
    pub terms: Vec<IndexTerm>,
    /// `|see{…}` or `|seealso{…}`.
    pub see: Option<(SeeKind, String)>,
}

/// Why an index argument cannot be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum KeyFault {
    /// A level with no words (`\index{}`, `\index{a!}`).
    EmptyTerm,
}

/// A piece of text split at its index commands.
#[derive(Debug, PartialEq, Eq)]
enum Segment<'t> {
    /// Text to print.
    Text(&'t str),
    /// A whole `\index{…}` command: its argument.
    Command(&'t str),
    /// `\index{` whose braces never close: printed as written.
    Unclosed(&'t str),
}

/// Split `text` at its `\index{…}` commands.
fn segments(text: &str) -> Vec<Segment<'_>> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find(INDEX_COMMAND) {
        if start > 0 {
            out.push(Segment::Text(&rest[..start]));
        }
        let after = &rest[start + INDEX_COMMAND.len()..];
        match closing_brace(after) {
            Some(end) => {
                out.push(Segment::Command(&after[..end]));
                rest = &after[end + 1..];
            }
            None => {
                out.push(Segment::Unclosed(&rest[start..]));
                rest = "";
            }
        }
    }
    if !rest.is_empty() {
        out.push(Segment::Text(rest));
    }
    out
}

/// The characters of `text` that makeindex reads as syntax: each with its offset and the
/// depth of braces it stands in; a character after `"` (quoted) and the `"` itself are
/// skipped.
fn unquoted(text: &str) -> impl Iterator<Item = (usize, char, usize)> + '_ {
    let mut depth = 0usize;
    let mut quoted = false;
    text.char_indices().filter_map(move |(at, c)| {
        if std::mem::take(&mut quoted) {
            return None;
        }
        let before = depth;
        match c {
            '"' => {
                quoted = true;
                return None;
            }
            '{' => depth += 1,
            '}' => depth = depth.saturating_sub(1),
            _ => {}
        }
        Some((at, c, before))
    })
}

/// The offset of the brace that closes the group `text` is the inside of (nested braces
/// counted, `"`-quoted ones not).
fn closing_brace(text: &str) -> Option<usize> {
    unquoted(text)
        .find(|&(_, c, depth)| c == '}' && depth == 0)
        .map(|(at, ..)| at)
}

/// `text` split at the first `separator` that is not quoted or inside braces.
fn split_unquoted(text: &str, separator: char) -> (&str, Option<&str>) {
    match unquoted(text).find(|&(_, c, depth)| c == separator && depth == 0) {
        Some((at, c, _)) => (&text[..at], Some(&text[at + c.len_utf8()..])),
        None => (text, None),
    }
}

/// Read an `\index` argument (or a `.index` span's term) in makeindex's syntax.
pub(crate) fn parse_index_key(argument: &str) -> Result<IndexKey, KeyFault> {
    let (key, format) = split_unquoted(argument, '|');
    let see = format.and_then(cross_reference);
    let mut levels = Vec::new();
    let mut rest = Some(key);
    while let Some(level) = rest {
        let (this, next) = split_unquoted(level, '!');
        levels.push(this);
        rest = next;
    }
    if levels.len() > MAX_LEVELS {
        let deeper = levels.split_off(MAX_LEVELS - 1);
        let joined: Vec<String> = deeper.iter().map(|l| l.trim().to_string()).collect();
        let joined = joined.join(", ");
        let terms = levels
            .iter()
            .map(|l| term(l))
            .chain(std::iter::once(term(&joined)))
            .collect::<Result<Vec<_>, _>>()?;
        return Ok(IndexKey { terms, see });
    }
    let terms = levels
        .iter()
        .map(|l| term(l))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(IndexKey { terms, see })
}

/// One level: `sort@Display` or the words alone.
fn term(level: &str) -> Result<IndexTerm, KeyFault> {
    let (sort, display) = match split_unquoted(level, '@') {
        (sort, Some(display)) => (sort, display),
        (words, None) => (words, words),
    };
    let display = plain_words(display);
    let sort = plain_words(sort);
    if display.is_empty() || sort.is_empty() {
        return Err(KeyFault::EmptyTerm);
    }
    Ok(IndexTerm { sort, display })
}

/// `see{other}` or `seealso{other}` after the `|`; other formats print no reference.
fn cross_reference(format: &str) -> Option<(SeeKind, String)> {
    let format = format.trim();
    let (kind, rest) = if let Some(rest) = format.strip_prefix("seealso{") {
        (SeeKind::SeeAlso, rest)
    } else if let Some(rest) = format.strip_prefix("see{") {
        (SeeKind::See, rest)
    } else {
        return None;
    };
    let end = closing_brace(rest).unwrap_or(rest.len());
    let target = plain_words(&rest[..end]);
    (!target.is_empty()).then_some((kind, target))
}

/// The words of a LaTeX fragment as printed: formatting commands (`\textit{…}`) give their
/// argument, braces and quoting marks go, spaces are collapsed.
fn plain_words(latex: &str) -> String {
    let mut out = String::new();
    let mut chars = latex.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' => {
                if let Some(next) = chars.next() {
                    out.push(next);
                }
            }
            '\\' => {
                let mut name = String::new();
                while let Some(&next) = chars.peek().filter(|n| n.is_ascii_alphabetic()) {
                    name.push(next);
                    chars.next();
                }
                if name.is_empty() {
                    if let Some(next) = chars.next() {
                        out.push(next);
                    }
                }
            }
            '{' | '}' => {}
            c => out.push(c),
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The index mark a `[text]{.index}` span makes: its `index` attribute (in the `\index`
/// syntax) or else its text, with its `see` or `seealso` attribute. `None` when the term
/// is empty.
pub(crate) fn span_mark(
    text: &str,
    attrs: &crate::doc::Attributes,
    span: &Span,
) -> Option<IndexMark> {
    let key = attrs.get("index").unwrap_or(text);
    let mut parsed = parse_index_key(key).ok()?;
    if let Some(target) = attrs.get("see").filter(|t| !t.trim().is_empty()) {
        parsed.see = Some((SeeKind::See, target.trim().to_string()));
    } else if let Some(target) = attrs.get("seealso").filter(|t| !t.trim().is_empty()) {
        parsed.see = Some((SeeKind::SeeAlso, target.trim().to_string()));
    }
    Some(mark(parsed, span.clone()))
}

fn mark(key: IndexKey, span: Span) -> IndexMark {
    IndexMark {
        terms: key.terms,
        see: key.see,
        id: String::new(),
        span,
    }
}

/// True when a paragraph holds nothing but index marks (and the spaces between them).
pub(super) fn only_index_marks(inlines: &[Inline]) -> bool {
    inlines.iter().any(|i| matches!(i, Inline::IndexMark(_)))
        && inlines.iter().all(|i| match i {
            Inline::IndexMark(_) | Inline::SoftBreak | Inline::HardBreak => true,
            Inline::Text { text, .. } => text.trim().is_empty(),
            _ => false,
        })
}

/// What receives the text between index commands: the builder, the text, the source range
/// it is found in, and the inlines it is pushed onto.
pub(super) type PushText<'b, 'a> =
    dyn FnMut(&mut Builder<'a>, &str, Range<usize>, &mut Vec<Inline>) + 'b;

impl<'a> Builder<'a> {
    /// `text` (from the source range `source`) with its `\index{…}` commands made marks;
    /// `push_text` receives each stretch of text between them with the source range it is
    /// searched in.
    pub(super) fn split_index_commands(
        &mut self,
        text: &str,
        source: Range<usize>,
        out: &mut Vec<Inline>,
        push_text: &mut PushText<'_, 'a>,
    ) {
        if !text.contains(INDEX_COMMAND) {
            push_text(self, text, source, out);
            return;
        }
        let mut cursor = source.start;
        for segment in segments(text) {
            match segment {
                Segment::Text(words) => push_text(self, words, cursor..source.end, out),
                Segment::Command(argument) => {
                    let at = self.locate_command(cursor, source.end, argument.len());
                    cursor = at.end;
                    let span = self.span(at);
                    self.push_index_mark(argument, span, out);
                }
                Segment::Unclosed(written) => {
                    let at = self.locate_command(cursor, source.end, 0);
                    self.diags.push(
                        Diagnostic::warning(
                            code::INDEX_UNCLOSED,
                            "this `\\index{` has no closing brace: it is printed as written",
                        )
                        .at(self.span(at.start..at.start + INDEX_COMMAND.len()))
                        .with_hint("close the term with `}`: \\index{term}"),
                    );
                    push_text(self, written, cursor..source.end, out);
                }
            }
        }
    }

    /// Where the next `\index{` command is in the source after `from` (an empty range there
    /// when the source does not hold it as written).
    fn locate_command(&self, from: usize, end: usize, argument_len: usize) -> Range<usize> {
        let window = self.text.get(from..end).unwrap_or("");
        match window.find(INDEX_COMMAND) {
            Some(offset) => {
                let start = from + offset;
                let stop = (start + INDEX_COMMAND.len() + argument_len + 1).min(end);
                start..stop
            }
            None => from..from,
        }
    }

    fn push_index_mark(&mut self, argument: &str, span: Span, out: &mut Vec<Inline>) {
        match parse_index_key(argument) {
            Ok(key) => out.push(Inline::IndexMark(Box::new(mark(key, span)))),
            Err(KeyFault::EmptyTerm) => self.diags.push(
                Diagnostic::warning(
                    code::INDEX_EMPTY_TERM,
                    "this `\\index` names no term: it marks nothing",
                )
                .at(span)
                .with_hint("write the term inside the braces: \\index{term} or \\index{term!sub}"),
            ),
        }
    }

    /// The mark of an `\index{…}` that ends a heading's line (which pulldown-cmark read as
    /// the heading's attributes, leaving `\index` at the end of its text).
    pub(super) fn heading_end_index_mark(&mut self, content: &mut Vec<Inline>) {
        let Some((argument, span)) = self.heading_index.take() else {
            return;
        };
        if let Some(Inline::Text { text, .. }) = content.last_mut() {
            let kept = text.trim_end().strip_suffix("\\index").map(str::trim_end);
            if let Some(kept) = kept {
                *text = kept.to_string();
            }
        }
        if matches!(content.last(), Some(Inline::Text { text, .. }) if text.is_empty()) {
            content.pop();
        }
        self.push_index_mark(&argument, span, content);
    }

    /// `content` with the marks of paragraphs that held only marks put before it.
    pub(super) fn with_pending_index_marks(&mut self, content: Vec<Inline>) -> Vec<Inline> {
        if self.pending_index_marks.is_empty() {
            return content;
        }
        let mut marks = std::mem::take(&mut self.pending_index_marks);
        marks.extend(content);
        marks
    }

    /// The span of the first mark still waiting for a paragraph, if any.
    pub(super) fn pending_index_span(&self) -> Option<Span> {
        self.pending_index_marks.iter().find_map(|i| match i {
            Inline::IndexMark(mark) => Some(mark.span.clone()),
            _ => None,
        })
    }

    /// Inlines of an emphasis, link or the like with their `\index{…}` commands made marks
    /// (the paragraph's own text is read with its citations).
    pub(super) fn index_marks_in(&mut self, inlines: Vec<Inline>) -> Vec<Inline> {
        let has_command = inlines
            .iter()
            .any(|i| matches!(i, Inline::Text { text, .. } if text.contains('\\')));
        if !has_command {
            return inlines;
        }
        let mut out = Vec::with_capacity(inlines.len());
        let mut run: Option<(String, Range<usize>)> = None;
        for inline in inlines {
            match inline {
                Inline::Text { text, span } => {
                    let (merged, range) = run.get_or_insert((String::new(), span.range.clone()));
                    merged.push_str(&text);
                    range.end = range.end.max(span.range.end);
                }
                other => {
                    self.flush_index_run(run.take(), &mut out);
                    out.push(other);
                }
            }
        }
        self.flush_index_run(run.take(), &mut out);
        out
    }

    fn flush_index_run(&mut self, run: Option<(String, Range<usize>)>, out: &mut Vec<Inline>) {
        let Some((text, range)) = run else {
            return;
        };
        self.split_index_commands(&text, range, out, &mut |builder, words, at, out| {
            out.push(Inline::text(words, builder.span(at)));
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn braces_and_quotes_hide_syntax() {
        assert_eq!(closing_brace("a{b}c}d"), Some(5));
        assert_eq!(closing_brace("a\"}b}"), Some(4));
        assert_eq!(closing_brace("a{b"), None);
        assert_eq!(split_unquoted("a{!}b!c", '!'), ("a{!}b", Some("c")));
        assert_eq!(split_unquoted("a\"!b!c", '!'), ("a\"!b", Some("c")));
        assert_eq!(split_unquoted("a}!b", '!'), ("a}", Some("b")));
        assert_eq!(split_unquoted("ab", '!'), ("ab", None));
    }

    fn terms(key: &IndexKey) -> Vec<(&str, &str)> {
        key.terms
            .iter()
            .map(|t| (t.sort.as_str(), t.display.as_str()))
            .collect()
    }

    #[test]
    fn makeindex_syntax() {
        let key = parse_index_key("ring!buffer").expect("a key");
        assert_eq!(terms(&key), [("ring", "ring"), ("buffer", "buffer")]);
        let key = parse_index_key("Angstrom@\\textit{Ångström}").expect("a key");
        assert_eq!(terms(&key), [("Angstrom", "Ångström")]);
        let key = parse_index_key("queue|see{buffer}").expect("a key");
        assert_eq!(key.see, Some((SeeKind::See, "buffer".to_string())));
        let key = parse_index_key("queue|seealso{ring!buffer}").expect("a key");
        assert_eq!(key.see, Some((SeeKind::SeeAlso, "ring!buffer".to_string())));
        let key = parse_index_key("range|(").expect("a key");
        assert_eq!((terms(&key), &key.see), (vec![("range", "range")], &None));
        let key = parse_index_key("wow\"!").expect("a key");
        assert_eq!(terms(&key), [("wow!", "wow!")]);
        let key = parse_index_key("a!b!c!d").expect("a key");
        assert_eq!(terms(&key)[2], ("c, d", "c, d"));
        assert_eq!(parse_index_key(""), Err(KeyFault::EmptyTerm));
        assert_eq!(parse_index_key("a!"), Err(KeyFault::EmptyTerm));
    }

    #[test]
    fn commands_in_text() {
        assert_eq!(
            segments("A \\index{b!{c}} d \\index{e"),
            [
                Segment::Text("A "),
                Segment::Command("b!{c}"),
                Segment::Text(" d "),
                Segment::Unclosed("\\index{e"),
            ]
        );
    }
}
