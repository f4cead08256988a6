//! Text runs: adjacent text and soft breaks merged into one, then read for pandoc citations
//! and for calls to footnotes that are never defined.

use std::ops::Range;

use super::builder::Builder;
use super::citations;
use crate::diag::{code, Diagnostic, Span};
use crate::doc::{is_crossref_label, Citation, CiteItem, CiteMode, CrossRef, Inline};

/// Adjacent text and soft breaks, merged as they are read.
#[derive(Debug, Default)]
struct TextRun {
    /// The texts, a soft break as a line break.
    merged: String,
    /// From the first text's start to the furthest end of any text, once there is one.
    range: Option<Range<usize>>,
    /// Something was added (a run of one empty text is a run).
    started: bool,
}

impl TextRun {
    fn push_text(&mut self, text: &str, source: Range<usize>) {
        self.merged.push_str(text);
        self.range = Some(match self.range.take() {
            Some(r) => r.start..source.end.max(r.end),
            None => source,
        });
        self.started = true;
    }

    fn push_break(&mut self) {
        self.merged.push('\n');
        self.started = true;
    }
}

impl<'a> Builder<'a> {
    /// Merge adjacent text and recognise pandoc citations in it.
    pub(super) fn with_citations(&mut self, inlines: Vec<Inline>) -> Vec<Inline> {
        self.nested_equation_labels(&inlines);
        self.read_text_runs(inlines, 0)
    }

    /// Reads the text runs of `inlines` and of the emphasis, strong, struck-out and HTML
    /// elements inside them (`*as @doe argues*` cites too); a link's text is left as it is,
    /// since a citation there would be a link inside a link.
    fn read_text_runs(&mut self, inlines: Vec<Inline>, depth: usize) -> Vec<Inline> {
        let mut inlines = self.with_styled_citations(inlines);
        if depth < super::MAX_DEPTH {
            for inline in &mut inlines {
                let children = match inline {
                    Inline::Emph(children)
                    | Inline::Strong(children)
                    | Inline::Strike(children) => children,
                    Inline::Html(html) if !is_verbatim_element(&html.name) => &mut html.children,
                    _ => continue,
                };
                *children = self.read_text_runs(std::mem::take(children), depth + 1);
            }
        }
        if self.text_runs_settled(&inlines) {
            return inlines;
        }
        let mut out = Vec::with_capacity(inlines.len());
        // The run's text is gathered as it is met: a run of a million pieces is never also
        // held as a list of them.
        let mut run = TextRun::default();
        for inline in inlines {
            match inline {
                Inline::Text { text, span } => run.push_text(&text, span.range),
                Inline::SoftBreak => run.push_break(),
                other => {
                    self.flush_text_run(std::mem::take(&mut run), &mut out);
                    out.push(other);
                }
            }
        }
        self.flush_text_run(run, &mut out);
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
                        && !text.contains(['\n', '@', '[', '{', '\\'])
                        && self.span(span.range.clone()) == *span
                }
                Inline::SoftBreak => alone,
                _ => true,
            }
        })
    }

    fn flush_text_run(&mut self, run: TextRun, out: &mut Vec<Inline>) {
        if !run.started {
            return;
        }
        let TextRun { merged, range, .. } = run;
        let range = range.unwrap_or(0..0);
        let (merged, range) = match out.last_mut() {
            Some(Inline::Image(image)) if merged.starts_with('{') => {
                self.take_image_attributes(merged, range, image)
            }
            Some(Inline::Math(math)) if math.display && merged.trim_start().starts_with('{') => {
                self.take_math_attributes(merged, range, math)
            }
            _ => (merged, range),
        };
        if merged.contains("{#eq") {
            self.equation_labels(&merged, &range);
        }
        self.report_undefined_notes(&merged, range.clone());
        self.split_index_commands(&merged, range, out, &mut |builder, text, source, out| {
            builder.split_latex_commands(text, source, out, &mut |builder, text, source, out| {
                builder.split_citations(text, source, out)
            })
        });
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
        if self.dialect.mdbook_code {
            // mdBook has no citations: `@name` is a handle or an address, text.
            push_text_with_breaks(text, self.span(source), out);
            return;
        }
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
                        styled_prefix: Vec::new(),
                        styled_suffix: Vec::new(),
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
            let span = self.span(start..end);
            push_citation_or_refs(items, citation.mode, span, out);
            cursor = citation.range.end;
        }
        push_text_with_breaks(&text[cursor..], self.span(source), out);
    }
}

/// An inline HTML element whose text is a computer's (`<kbd>@home</kbd>`): never read for
/// citations.
fn is_verbatim_element(name: &str) -> bool {
    matches!(name, "code" | "kbd" | "samp" | "var" | "tt")
}

/// A citation, or a cross-reference when its keys are labels (`@fig-x`): labels with a
/// reserved prefix are never citation keys. A group mixing both becomes the reference and
/// then the citation.
pub(super) fn push_citation_or_refs(
    items: Vec<CiteItem>,
    mode: CiteMode,
    span: Span,
    out: &mut Vec<Inline>,
) {
    let (labels, keys): (Vec<CiteItem>, Vec<CiteItem>) =
        items.into_iter().partition(|i| is_crossref_label(&i.key));
    let mixed = !labels.is_empty() && !keys.is_empty();
    if !labels.is_empty() {
        let written = written_reference(&labels, mode);
        out.push(Inline::Ref(Box::new(CrossRef {
            items: labels,
            bracketed: mode == CiteMode::Parenthetical,
            rendered: vec![Inline::text(written, span.clone())],
            page_anchor: None,
            span: span.clone(),
            latex: None,
        })));
    }
    if mixed {
        out.push(Inline::text("; ", span.clone()));
    }
    if !keys.is_empty() {
        out.push(Inline::Cite(Box::new(Citation {
            items: keys,
            mode,
            rendered: Vec::new(),
            span,
        })));
    }
}

/// A reference as the author wrote it (`@fig-x`, `[-@fig-x; @tbl-y]`): what prints until
/// resolve renders it, and where a label cannot be resolved.
fn written_reference(items: &[CiteItem], mode: CiteMode) -> String {
    let parts: Vec<String> = items
        .iter()
        .map(|i| {
            let dash = if i.suppress_author { "-" } else { "" };
            let prefix = if i.prefix.is_empty() {
                String::new()
            } else {
                format!("{} ", i.prefix)
            };
            format!("{prefix}{dash}@{}{}", i.key, i.suffix)
        })
        .collect();
    match mode {
        CiteMode::Parenthetical => format!("[{}]", parts.join("; ")),
        CiteMode::Narrative => parts.join("; "),
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

/// Push text with pandoc's bracketed spans (which may hold soft breaks) and superscripts
/// and subscripts, turning the `\n` that stood for soft breaks back into `SoftBreak`s.
fn push_text_with_breaks(text: &str, span: Span, out: &mut Vec<Inline>) {
    let mut rest = text;
    while let Some((before, elements, after)) = next_bracketed_span(rest, &span) {
        push_lines(before, &span, out);
        out.extend(elements);
        rest = after;
    }
    push_lines(rest, &span, out);
}

/// Lines of text, with superscripts and subscripts, and a `SoftBreak` between each two.
fn push_lines(text: &str, span: &Span, out: &mut Vec<Inline>) {
    for (i, part) in text.split('\n').enumerate() {
        if i > 0 {
            out.push(Inline::SoftBreak);
        }
        if !part.is_empty() {
            push_scripts_only(part, span, out);
        }
    }
}

/// pandoc's bracketed span in a run of text, `[words]{.smallcaps}`, `[Wort]{lang=de}`,
/// `[words]{.underline}` (an `<u>`), `[term]{.index}` (the words and an index mark before
/// them): the text before, the inlines the span makes, the text after.
fn next_bracketed_span<'t>(text: &'t str, span: &Span) -> Option<(&'t str, Vec<Inline>, &'t str)> {
    let mut search = 0;
    while let Some(offset) = text[search..].find("]{") {
        let close = search + offset;
        search = close + 2;
        let Some(open) = text[..close].rfind('[') else {
            continue;
        };
        let attributes_end = close + 1 + text[close + 1..].find('}')? + 1;
        let Ok(attrs) = super::attributes::parse_attributes(&text[close + 1..attributes_end])
        else {
            continue;
        };
        let inner = &text[open + 1..close];
        let mut children = Vec::new();
        push_lines(inner, span, &mut children);
        let mut made = Vec::new();
        if attrs.has_class("index") {
            let term = inner.replace('\n', " ");
            let mark = super::index::span_mark(&term, &attrs, span);
            made.extend(mark.map(|m| Inline::IndexMark(Box::new(m))));
        }
        let underline = attrs.classes.iter().any(|c| c == "underline");
        let mut html = Vec::new();
        if let Some(id) = &attrs.id {
            html.push(("id".to_string(), id.clone()));
        }
        let classes: Vec<&str> = attrs
            .classes
            .iter()
            .map(String::as_str)
            .filter(|c| *c != "underline" && *c != "index")
            .collect();
        if !classes.is_empty() {
            html.push(("class".to_string(), classes.join(" ")));
        }
        if let Some(lang) = attrs.get("lang") {
            html.push(("lang".to_string(), lang.to_string()));
        }
        if html.is_empty() && !underline && !made.is_empty() {
            // An index span only marks its words: they print as they are.
            made.extend(children);
        } else {
            made.push(Inline::Html(Box::new(crate::doc::HtmlInline {
                name: if underline { "u" } else { "span" }.to_string(),
                attrs: html,
                children,
            })));
        }
        return Some((&text[..open], made, &text[attributes_end..]));
    }
    None
}

/// Text with pandoc's superscripts and subscripts inside words (`H~2~O`, `2^10^`), which
/// pulldown-cmark reads only between spaces or punctuation. Text holding `$` or `\\` is left
/// alone: it may be mathematics written as text.
fn push_scripts_only(text: &str, span: &Span, out: &mut Vec<Inline>) {
    let mut rest = text;
    if !text.contains('$') && !text.contains('\\') {
        while let Some((before, name, inner, after)) = next_script(rest) {
            if !before.is_empty() {
                out.push(Inline::text(before, span.clone()));
            }
            out.push(Inline::Html(Box::new(crate::doc::HtmlInline {
                name: name.to_string(),
                attrs: Vec::new(),
                children: vec![Inline::text(inner, span.clone())],
            })));
            rest = after;
        }
    }
    if !rest.is_empty() {
        out.push(Inline::text(rest, span.clone()));
    }
}

/// The first `~x~` or `^x^` (no space inside, not doubled): the text before, `sub` or `sup`,
/// the text inside and the text after.
fn next_script(text: &str) -> Option<(&str, &'static str, &str, &str)> {
    let mut search = 0;
    while let Some(offset) = text[search..].find(['~', '^']) {
        let at = search + offset;
        let mark = &text[at..at + 1];
        let after = &text[at + 1..];
        search = at + 1;
        let Some(close) = after.find(mark) else {
            continue;
        };
        let inner = &after[..close];
        let doubled = text[..at].ends_with(mark) || after[close + 1..].starts_with(mark);
        if inner.is_empty() || inner.contains(char::is_whitespace) || doubled {
            continue;
        }
        let name = if mark == "~" { "sub" } else { "sup" };
        return Some((&text[..at], name, inner, &after[close + 1..]));
    }
    None
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

#[cfg(test)]
mod script_tests {
    use super::next_script;

    #[test]
    fn scripts_inside_words() {
        assert_eq!(next_script("H~2~O"), Some(("H", "sub", "2", "O")));
        assert_eq!(next_script("2^10^ is"), Some(("2", "sup", "10", " is")));
        assert_eq!(next_script("a ~ b ~ c"), None);
        assert_eq!(next_script("~~x~~"), None);
        assert_eq!(next_script("no marks"), None);
    }

    #[test]
    fn bracketed_spans() {
        use crate::diag::{FileId, Span};
        use crate::doc::Inline;
        let span = Span::new(FileId(0), 0..0);
        let (before, elements, after) =
            super::next_bracketed_span("A [Wort]{lang=de} here", &span).expect("a span");
        assert_eq!((before, after), ("A ", " here"));
        let Some(Inline::Html(html)) = elements.into_iter().next() else {
            panic!("an element");
        };
        assert_eq!(html.name, "span");
        assert_eq!(html.attrs, [("lang".to_string(), "de".to_string())]);
        let (_, elements, _) =
            super::next_bracketed_span("[under]{.underline}", &span).expect("a span");
        assert!(matches!(&elements[..], [Inline::Html(h)] if h.name == "u"));
        let (_, elements, _) =
            super::next_bracketed_span("[Ångström]{.index see=unit}", &span).expect("a span");
        let [Inline::IndexMark(mark), Inline::Text { text, .. }] = &elements[..] else {
            panic!("a mark and the words: {elements:?}");
        };
        assert_eq!(
            (mark.terms[0].display.as_str(), text.as_str()),
            ("Ångström", "Ångström")
        );
        assert_eq!(mark.see.as_ref().map(|s| s.1.as_str()), Some("unit"));
        assert!(super::next_bracketed_span("[a] {b}", &span).is_none());
    }

    #[test]
    fn a_bracketed_span_may_hold_a_soft_break() {
        use crate::diag::{FileId, Span};
        use crate::doc::Inline;
        let span = Span::new(FileId(0), 0..0);
        let mut out = Vec::new();
        super::push_text_with_breaks("A [lange\nWorte]{lang=de} hier", span, &mut out);
        let [Inline::Text { .. }, Inline::Html(html), Inline::Text { .. }] = &out[..] else {
            panic!("text, a span, text: {out:?}");
        };
        assert!(matches!(
            &html.children[..],
            [Inline::Text { .. }, Inline::SoftBreak, Inline::Text { .. }]
        ));
    }
}
