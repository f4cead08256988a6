//! Attributes and labels the builder reads beside the text: a heading's attribute block (read
//! again from the source, where quoted values keep their spaces), the block after an image,
//! a code fence's info string (a listing, or a chunk Quarto would run), and equation labels.

use std::ops::Range;

use super::attributes::{
    block_length, looks_like_attributes, parse_attributes, trailing_block_start,
};
use super::builder::Builder;
use super::open::code_language;
use super::{ForeignLabel, ForeignReason};
use crate::diag::{code, Diagnostic, Span};
use crate::doc::{label_prefix, Attributes, Block, Inline, Listing};

impl<'a> Builder<'a> {
    /// A heading's attributes: the block after its text as the source has it, or, where the
    /// source cannot be read again (text re-parsed from raw HTML), what pulldown-cmark read.
    pub(super) fn heading_attributes(
        &mut self,
        parsed: Attributes,
        range: &Range<usize>,
    ) -> Attributes {
        if self.span_clamp.is_some() {
            return parsed;
        }
        let text: &'a str = self.text;
        let Some(source) = text.get(range.clone()) else {
            return parsed;
        };
        let line = heading_text(source);
        let Some(open) = trailing_block_start(line) else {
            return parsed;
        };
        let block = line[open..].trim_end();
        let at = range.start + open;
        let span = self.span(at..at + block.len());
        if line[..open].ends_with("\\index") {
            // `# Title \index{term}`: an index mark, not attributes.
            let argument = &block[1..block.len() - 1];
            self.heading_index = Some((argument.to_string(), span));
            return Attributes::default();
        }
        match parse_attributes(block) {
            Ok(attrs) => Attributes {
                span: Some(span),
                ..attrs
            },
            Err(problem) => {
                self.warn_attributes(&problem.describe(), span, "heading");
                parsed
            }
        }
    }

    /// The attribute block that opens `text`, the text run right after an image: read into the
    /// image's attributes and cut from the text. A block that does not read stays text, with a
    /// warning when it looks meant as attributes.
    pub(super) fn take_image_attributes(
        &mut self,
        text: String,
        range: Range<usize>,
        image: &mut crate::doc::Image,
    ) -> (String, Range<usize>) {
        let Some(length) = super::attributes::block_length(&text) else {
            return (text, range);
        };
        let block = &text[..length];
        let source_length = self
            .text
            .get(range.start..)
            .and_then(block_length)
            .filter(|_| self.span_clamp.is_none());
        let span = match source_length {
            Some(n) => self.span(range.start..range.start + n),
            None => self.span(range.clone()),
        };
        match parse_attributes(block) {
            Ok(attrs) => {
                image.attrs = Attributes {
                    span: Some(span),
                    ..attrs
                };
                let start = range.start + source_length.unwrap_or(0);
                (text[length..].to_string(), start.min(range.end)..range.end)
            }
            Err(problem) => {
                if looks_like_attributes(block) {
                    self.warn_attributes(&problem.describe(), span, "image");
                }
                (text, range)
            }
        }
    }

    /// Report an attribute block that does not read.
    pub(super) fn warn_attributes(&mut self, problem: &str, span: Span, after: &str) {
        self.diags.push(
            Diagnostic::warning(
                code::ATTRIBUTES_UNREAD,
                format!("the attribute block after this {after} is not understood: {problem}"),
            )
            .at(span)
            .with_hint("write `{#id .class key=value key=\"a quoted value\"}`; what does not read is ignored or kept as text"),
        );
    }

    /// A code block: a plain one, a listing (`{#lst-x .python lst-cap="…"}`), or a chunk that
    /// Quarto would run (```` ```{r} ````), whose `#| label:` is remembered.
    pub(super) fn close_code(&mut self, info: &str, text: String, range: Range<usize>) {
        let span = self.span(range.clone());
        let trimmed = info.trim();
        let (lang, listing) = if trimmed.starts_with('{') && looks_like_attributes(trimmed) {
            self.fence_attributes(trimmed, &range)
        } else {
            if trimmed.starts_with('{') {
                self.chunk_labels(trimmed, &text, &range);
            }
            (code_language(info), None)
        };
        // A chunk's `#|` lines are options for Quarto's run, not code.
        let chunk = trimmed.starts_with('{') && !looks_like_attributes(trimmed);
        let text = if chunk && self.dialect.chunk_options {
            without_chunk_options(&text)
        } else {
            text
        };
        let text = if self.dialect.mdbook_code && lang.as_deref() == Some("rust") {
            without_hidden_lines(&text)
        } else {
            text
        };
        let block = Block::Code {
            lang,
            text,
            listing,
            tokens: Vec::new(),
            span,
        };
        self.push_block(block, range.start);
    }

    /// The language and listing of a fence written `{#lst-x .python lst-cap="…"}`.
    fn fence_attributes(
        &mut self,
        info: &str,
        range: &Range<usize>,
    ) -> (Option<String>, Option<Box<Listing>>) {
        let at = self
            .text
            .get(range.clone())
            .and_then(|source| source.find('{'))
            .map_or(range.start, |offset| range.start + offset);
        let length = block_length(info).unwrap_or(info.len());
        let span = self.span(at..at + length);
        let attrs = match parse_attributes(&info[..length]) {
            Ok(attrs) => attrs,
            Err(problem) => {
                self.warn_attributes(&problem.describe(), span, "code fence");
                return (code_language(info), None);
            }
        };
        let lang = attrs.classes.first().cloned();
        let caption = attrs
            .get("lst-cap")
            .or_else(|| attrs.get("caption"))
            .map(|text| vec![Inline::text(text, span.clone())])
            .unwrap_or_default();
        let listing = Listing {
            attrs: Attributes {
                span: Some(span),
                ..attrs
            },
            caption,
            number: None,
        };
        (lang, Some(Box::new(listing)))
    }

    /// The labels of a chunk Quarto or knitr would run: `#| label: fig-x` lines, and a
    /// knitr label in the header (```` ```{r fig-x, echo=FALSE} ````).
    fn chunk_labels(&mut self, info: &str, code: &str, range: &Range<usize>) {
        let header = info.trim_matches(|c| c == '{' || c == '}');
        let mut words = header.split([' ', ',']).filter(|w| !w.is_empty());
        let language = words.next().unwrap_or_default().to_string();
        let mut labels: Vec<String> = words
            .next()
            .filter(|w| !w.contains('='))
            .map(str::to_string)
            .into_iter()
            .collect();
        for line in code.lines() {
            let option = line.trim_start().strip_prefix("#|").map(str::trim);
            if let Some(value) = option.and_then(|o| o.strip_prefix("label:")) {
                labels.push(value.trim().trim_matches(['"', '\'']).to_string());
            }
        }
        for label in labels.into_iter().filter(|l| label_prefix(l).is_some()) {
            let span = self.source_span_of(&label, range);
            let why = ForeignReason::CodeChunk {
                language: language.clone(),
            };
            self.foreign_labels.push(ForeignLabel { label, span, why });
        }
    }

    /// Equation labels (`{#eq-x}`) in a run of text that follow no display formula (one that
    /// does took its label already): references to them are warnings.
    pub(super) fn equation_labels(&mut self, text: &str, range: &Range<usize>) {
        for (at, _) in text.match_indices("{#eq") {
            let Some(length) = block_length(&text[at..]) else {
                continue;
            };
            let Ok(attrs) = parse_attributes(&text[at..at + length]) else {
                continue;
            };
            if let Some(label) = attrs.id.filter(|id| label_prefix(id) == Some("eq")) {
                let span = self.source_span_of(&label, range);
                let why = ForeignReason::Equation;
                self.foreign_labels.push(ForeignLabel { label, span, why });
            }
        }
    }

    /// Equation labels inside emphasis, links and inline HTML (mathematics with `_` and `*`
    /// often reads as emphasis): top-level text runs are read when they are merged.
    pub(super) fn nested_equation_labels(&mut self, inlines: &[Inline]) {
        for inline in inlines {
            let children = match inline {
                Inline::Emph(c) | Inline::Strong(c) | Inline::Strike(c) => c,
                Inline::Link(link) => &link.content,
                Inline::Html(html) => &html.children,
                _ => continue,
            };
            for child in children {
                if let Inline::Text { text, span } = child {
                    if text.contains("{#eq") {
                        self.equation_labels(text, &span.range);
                    }
                }
            }
            self.nested_equation_labels(children);
        }
    }

    /// The span of `needle`'s first occurrence in the source range, or of the range.
    fn source_span_of(&self, needle: &str, range: &Range<usize>) -> Span {
        let found = self
            .text
            .get(range.clone())
            .and_then(|source| source.find(needle));
        match found {
            Some(offset) => {
                let start = range.start + offset;
                self.span(start..start + needle.len())
            }
            None => self.span(range.clone()),
        }
    }
}

/// A code chunk without its `#| key: value` option lines.
fn without_chunk_options(code: &str) -> String {
    code.split_inclusive('\n')
        .filter(|line| !line.trim_start().starts_with("#|"))
        .collect()
}

/// A Rust block as mdBook shows it: lines that are `#` alone or start with `# ` (after the
/// indentation) are hidden, and `##` at the start of a line is a `#` written out.
fn without_hidden_lines(code: &str) -> String {
    let mut shown = String::with_capacity(code.len());
    for line in code.split_inclusive('\n') {
        let content = line.trim_end_matches(['\n', '\r']);
        let trimmed = content.trim_start();
        if trimmed == "#" || trimmed.starts_with("# ") {
            continue;
        }
        if trimmed.starts_with("##") {
            let indent = content.len() - trimmed.len();
            shown.push_str(&line[..indent]);
            shown.push_str(&line[indent + 1..]);
        } else {
            shown.push_str(line);
        }
    }
    shown
}

/// The text line of a heading's source: the underline of a setext heading and the closing
/// `#`s of an ATX heading left out.
fn heading_text(source: &str) -> &str {
    let trimmed = source.trim_end();
    let lines: Vec<&str> = trimmed.lines().collect();
    if lines.len() > 1 {
        let underline = lines[lines.len() - 1].trim();
        if !underline.is_empty() && underline.chars().all(|c| c == '=' || c == '-') {
            let end = trimmed.len() - lines[lines.len() - 1].len();
            return trimmed[..end].trim_end();
        }
    }
    let without_closing = trimmed.trim_end_matches('#');
    if without_closing.len() < trimmed.len() && without_closing.ends_with([' ', '\t']) {
        return without_closing.trim_end();
    }
    trimmed
}

#[cfg(test)]
mod tests {
    use super::{heading_text, without_chunk_options, without_hidden_lines};

    #[test]
    fn chunk_options_are_left_out() {
        let code = "#| label: fig-x\n#| fig-cap: \"A\"\nplot(x)\n  #| echo: false\n# a comment\n";
        assert_eq!(without_chunk_options(code), "plot(x)\n# a comment\n");
    }

    #[test]
    fn hidden_rust_lines() {
        let code = "# use std::fmt;\n#\nfn main() {\n    # let x = 1;\n    ##[derive(Debug)]\n    #[test]\n}\n";
        assert_eq!(
            without_hidden_lines(code),
            "fn main() {\n    #[derive(Debug)]\n    #[test]\n}\n"
        );
    }

    #[test]
    fn heading_lines() {
        assert_eq!(heading_text("## Title {#a} ##\n"), "## Title {#a}");
        assert_eq!(heading_text("Title {#a}\n=====\n"), "Title {#a}");
        assert_eq!(heading_text("# C#\n"), "# C#");
    }
}
