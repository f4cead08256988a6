//! Raw HTML in the tree: HTML blocks (sanitised by `html`) become blocks or open containers
//! for the Markdown after them, and inline tags open and close inline containers. What is
//! dropped is reported. An `<img>` of a file in the book (mdBook's way to size a picture)
//! becomes an image as Markdown's would: a figure when it is the whole block, an image in
//! the line otherwise, its `width` and `height` read as pandoc's attributes.

use std::ops::Range;

use super::builder::{BlockContainer, Builder, Frame, InlineContainer};
use super::{html, wrappers, MAX_DEPTH};
use crate::diag::{code, Diagnostic, Span};
use crate::doc::{Attributes, Block, Figure, HtmlNode, Image, Inline};

impl<'a> Builder<'a> {
    /// An HTML block ended: sanitise it and place its pieces, reporting what is dropped.
    pub(super) fn close_html_block(&mut self, text: &str, range: Range<usize>) {
        if let Some(after_tag) = html::unclosed_raw_text_start(text) {
            return self.reopen_raw_text_block(text, after_tag, range);
        }
        let span = self.span(range.clone());
        if let Some(image) = lone_local_image(text, &span) {
            let figure = Figure {
                image,
                caption: Vec::new(),
                attrs: Attributes::default(),
                number: None,
                span,
            };
            return self.push_block(Block::Figure(Box::new(figure)), range.start);
        }
        if let Some(figure) = html_figure(text, &span) {
            return self.push_block(Block::Figure(Box::new(figure)), range.start);
        }
        let sanitized = html::sanitize_block(text);
        for dropped in &sanitized.dropped {
            self.diags.push(
                Diagnostic::warning(code::HTML_DROPPED, format!("raw HTML dropped: {dropped}"))
                    .at(span.clone())
                    .with_hint(
                        "octavo keeps only safe structural HTML; use Markdown for images and links",
                    ),
            );
        }
        if sanitized.comments.iter().any(|c| c == "references") {
            self.push_block(Block::ReferencesMarker { span: span.clone() }, range.start);
        }
        for piece in sanitized.pieces {
            self.html_piece(piece, &range);
        }
    }

    /// Place one piece of a sanitised HTML block: nodes become a block, an open element
    /// becomes a container for the Markdown that follows, an end tag closes one.
    fn html_piece(&mut self, piece: html::BlockPiece, range: &Range<usize>) {
        match piece {
            html::BlockPiece::Nodes(nodes) => self.push_html_nodes(nodes, range),
            html::BlockPiece::Open {
                name,
                attrs,
                children,
            } => {
                if self.stack.len() >= MAX_DEPTH {
                    self.report_depth(range.clone());
                    return self.push_html_nodes(children, range);
                }
                self.close_implicit_paragraph(range.start);
                self.stack.push(Frame::Blocks {
                    kind: BlockContainer::Html { name, attrs },
                    blocks: Vec::new(),
                    start: range.start,
                });
                self.push_html_nodes(children, range);
            }
            html::BlockPiece::Close(name) => self.close_html_element(&name, range.end),
        }
    }

    fn push_html_nodes(&mut self, nodes: Vec<HtmlNode>, range: &Range<usize>) {
        self.close_implicit_paragraph(range.start);
        let nodes: Vec<HtmlNode> = wrappers::adopt_orphans(nodes, &self.html_parent())
            .into_iter()
            .filter(|n| !is_blank_node(n))
            .collect();
        if !nodes.is_empty() {
            let span = self.span(range.clone());
            self.push_block(Block::Html { nodes, span }, range.start);
        }
    }

    /// The raw HTML element that new blocks go into (`""` in a Markdown container).
    pub(super) fn html_parent(&self) -> String {
        match self.stack.last() {
            Some(Frame::Blocks {
                kind: BlockContainer::Html { name, .. },
                ..
            }) => name.clone(),
            _ => String::new(),
        }
    }

    /// An end tag in its own HTML block closes the element a previous block left open, when no
    /// Markdown container (quote, list item) opened since; otherwise it is a stray tag.
    fn close_html_element(&mut self, name: &str, end: usize) {
        let open = self.stack.iter().rposition(|frame| match frame {
            Frame::Blocks {
                kind: BlockContainer::Html { name: open, .. },
                ..
            } => open == name,
            Frame::Blocks { .. } => false,
            _ => true,
        });
        let Some(position) = open else {
            return;
        };
        if !matches!(&self.stack[position], Frame::Blocks { kind: BlockContainer::Html { name: open, .. }, .. } if open == name)
        {
            return;
        }
        while self.stack.len() > position {
            self.close_top(end);
        }
    }

    /// An HTML block that starts with `<script>`, `<style>`, `<textarea>` or `<pre>` and never
    /// closes it runs to the end of its container in CommonMark, swallowing the Markdown after
    /// it. Only the start tag goes; what follows is read as Markdown again.
    ///
    /// A start tag followed by words on its line is a tag name in prose: it is printed as
    /// written. A start tag alone on its line is dropped.
    fn reopen_raw_text_block(&mut self, text: &str, after_tag: usize, range: Range<usize>) {
        let tag = text[..after_tag].trim();
        let tag_range = range.start..range.start + after_tag.min(range.len());
        let line_rest = text[after_tag..].lines().next().unwrap_or("");
        let prose = !line_rest.trim().is_empty();
        let verbatim = self.text.get(range.clone()) == Some(text);
        if prose {
            let name = tag.trim_start_matches('<');
            let name: String = name.chars().take_while(char::is_ascii_alphabetic).collect();
            self.warn_unclosed_tag(&name.to_ascii_lowercase(), &tag_range);
            // A backslash before `<` makes the tag literal text; spans shift back by one.
            let escaped = format!("\\{}", text.trim_start());
            let base = range.start + (text.len() - text.trim_start().len());
            if verbatim {
                let map = |r: Range<usize>| {
                    base + r.start.saturating_sub(1)..base + r.end.saturating_sub(1)
                };
                self.reparse(&escaped, map);
            } else {
                self.reparse_text(&escaped, range);
            }
            return;
        }
        self.warn_dropped(
            &format!("{tag} (never closed: only the tag is dropped)"),
            &tag_range,
        );
        if verbatim {
            self.reparse_source(range.start + after_tag..range.end);
        } else {
            self.reparse_text(&text[after_tag..], range);
        }
    }

    /// An inline HTML tag (`<span lang="km">`, `</span>`, `<br>`, a comment). A tag of no
    /// HTML element's name (`MaybeUninit<T>`) is text, as pandoc prints it.
    pub(super) fn inline_html(&mut self, raw: &str, range: Range<usize>) {
        let tokens = html::tokenize(raw);
        if let [html::HtmlToken::Start { name, .. } | html::HtmlToken::End { name }] =
            tokens.as_slice()
        {
            if !html::is_html_element(name) {
                let span = self.span(range.clone());
                return self.push_inline(Inline::text(raw.to_string(), span), range);
            }
        }
        for token in tokens {
            self.inline_html_token(token, raw, range.clone());
        }
    }

    fn inline_html_token(&mut self, token: html::HtmlToken, raw: &str, range: Range<usize>) {
        match token {
            html::HtmlToken::Start {
                name,
                attrs,
                self_closing,
            } => {
                if html::is_opaque_element(&name) && !self_closing && self.stack.len() < MAX_DEPTH {
                    let tag = raw.to_string();
                    let kind = InlineContainer::Skipped { name, tag };
                    return self.open_inline_frame(kind, &range);
                }
                self.inline_html_start(name, attrs, self_closing, range)
            }
            html::HtmlToken::End { name } => self.inline_html_end(&name, range),
            html::HtmlToken::Text(text) => {
                let span = self.span(range.clone());
                self.push_inline(Inline::text(text, span), range)
            }
            html::HtmlToken::Comment(_) => {}
        }
    }

    fn inline_html_start(
        &mut self,
        name: String,
        attrs: Vec<(String, String)>,
        self_closing: bool,
        range: Range<usize>,
    ) {
        if name == "br" {
            return self.push_inline(Inline::HardBreak, range);
        }
        if self.stack.len() >= MAX_DEPTH {
            return self.report_depth(range);
        }
        if let Some(image) = local_image(&name, &attrs, &self.span(range.clone())) {
            return self.push_inline(Inline::Image(Box::new(image)), range);
        }
        if !html::is_inline_element(&name) || html::VOID_ELEMENTS.contains(&name.as_str()) {
            if let Some(alt) = html::image_alt(&name, &attrs) {
                self.warn_dropped(&format!("<{name}> (its alternative text is kept)"), &range);
                let span = self.span(range.clone());
                return self.push_inline(Inline::text(alt, span), range);
            }
            return self.warn_dropped(&format!("<{name}>"), &range);
        }
        let (kept, dropped) = html::filter_attributes(&name, &attrs);
        for attribute in dropped {
            self.warn_dropped(&format!("attribute `{attribute}` on <{name}>"), &range);
        }
        if self_closing {
            return;
        }
        self.open_inline_frame(InlineContainer::Html { name, attrs: kept }, &range);
    }

    /// Open an inline frame, in an implicit paragraph when the text is at block level.
    fn open_inline_frame(&mut self, kind: InlineContainer, range: &Range<usize>) {
        if matches!(self.stack.last(), Some(Frame::Blocks { .. })) {
            let paragraph = self.inline_frame(InlineContainer::Paragraph { implicit: true }, range);
            self.stack.push(paragraph);
        }
        let frame = self.inline_frame(kind, range);
        self.stack.push(frame);
    }

    fn inline_html_end(&mut self, name: &str, range: Range<usize>) {
        let open = self.stack.iter().rposition(|f| match f {
            Frame::Inlines {
                kind:
                    InlineContainer::Html { name: n, .. } | InlineContainer::Skipped { name: n, .. },
                ..
            } => n == name,
            _ => false,
        });
        let Some(position) = open else {
            return;
        };
        let only_html_above = self.stack[position..].iter().all(|f| {
            matches!(
                f,
                Frame::Inlines {
                    kind: InlineContainer::Html { .. } | InlineContainer::Skipped { .. },
                    ..
                }
            )
        });
        if !only_html_above {
            return;
        }
        while self.stack.len() > position + 1 {
            self.close_top(range.end);
        }
        if let Some(Frame::Inlines {
            kind: InlineContainer::Skipped { name, .. },
            start,
            ..
        }) = self.stack.last()
        {
            let what = format!("<{name}> and its content");
            let dropped = *start..range.end;
            self.stack.pop();
            return self.warn_dropped(&what, &dropped);
        }
        self.close_top(range.end);
    }

    /// An opaque element in running text that is never closed is most likely a tag name in
    /// prose (`every page needs a <title> element`): it is printed as written.
    pub(super) fn warn_unclosed_tag(&mut self, name: &str, range: &Range<usize>) {
        let span = self.span(range.clone());
        self.diags.push(
            Diagnostic::warning(
                code::HTML_DROPPED,
                format!("<{name}> is never closed: printed as text"),
            )
            .at(span)
            .with_hint(format!(
                "write `<{name}>` in backticks for a tag name in prose, or close the element"
            )),
        );
    }

    fn warn_dropped(&mut self, what: &str, range: &Range<usize>) {
        let span = self.span(range.clone());
        self.diags.push(
            Diagnostic::warning(code::HTML_DROPPED, format!("raw HTML dropped: {what}"))
                .at(span)
                .with_hint(
                    "octavo keeps only safe inline HTML such as <span lang=\"…\">, <sup>, <abbr>",
                ),
        );
    }
}

/// The image of an HTML block that holds one `<img>` of a local file and nothing else (but
/// blanks and comments).
fn lone_local_image(text: &str, span: &Span) -> Option<Image> {
    let mut image = None;
    for token in html::tokenize(text) {
        match token {
            html::HtmlToken::Start { name, attrs, .. } if image.is_none() => {
                image = Some(local_image(&name, &attrs, span)?);
            }
            html::HtmlToken::End { name } if name == "img" => {}
            html::HtmlToken::Text(text) if text.trim().is_empty() => {}
            html::HtmlToken::Comment(_) => {}
            _ => return None,
        }
    }
    image
}

/// The figure of an HTML block written as `<figure>` around one `<img>` of a local file and
/// an optional `<figcaption>` (whose text, its inline tags aside, is the caption). The
/// figure's `id` labels it as `{#fig-x}` does.
fn html_figure(text: &str, span: &Span) -> Option<Figure> {
    let tokens = html::tokenize(text);
    let mut tokens = tokens
        .into_iter()
        .filter(|t| !matches!(t, html::HtmlToken::Comment(_)))
        .filter(|t| !matches!(t, html::HtmlToken::Text(text) if text.trim().is_empty()));
    let html::HtmlToken::Start { name, attrs, .. } = tokens.next()? else {
        return None;
    };
    if name != "figure" {
        return None;
    }
    let (mut image, mut caption, mut in_caption, mut closed) = (None, String::new(), false, false);
    for token in tokens {
        match token {
            _ if closed => return None,
            html::HtmlToken::Start { name, attrs, .. } if !in_caption && image.is_none() => {
                if name == "figcaption" {
                    in_caption = true;
                } else {
                    image = Some(local_image(&name, &attrs, span)?);
                }
            }
            html::HtmlToken::Start { name, .. } if name == "figcaption" => in_caption = true,
            html::HtmlToken::End { name } if name == "figcaption" => in_caption = false,
            html::HtmlToken::End { name } if name == "figure" && !in_caption => closed = true,
            html::HtmlToken::End { name } if name == "img" => {}
            html::HtmlToken::Text(text) if in_caption => caption.push_str(&text),
            // Phrasing tags in the caption (`<em>`) keep their text.
            html::HtmlToken::Start { .. } | html::HtmlToken::End { .. } if in_caption => {}
            _ => return None,
        }
    }
    let id = attrs
        .iter()
        .find(|(k, _)| k == "id")
        .map(|(_, v)| v.trim().to_string());
    let caption = caption.split_whitespace().collect::<Vec<_>>().join(" ");
    Some(Figure {
        image: image.filter(|_| closed)?,
        caption: if caption.is_empty() {
            Vec::new()
        } else {
            vec![Inline::text(caption, span.clone())]
        },
        attrs: Attributes {
            id: id.filter(|id| !id.is_empty()),
            ..Attributes::default()
        },
        number: None,
        span: span.clone(),
    })
}

/// An `<img>` whose `src` is a file in the book, as an image with its description, title,
/// id, width and height; `None` for any other element, and for a web address or a `data:`
/// URL (whose description is kept instead, as for any dropped element).
fn local_image(name: &str, attrs: &[(String, String)], span: &Span) -> Option<Image> {
    if name != "img" {
        return None;
    }
    let get = |key: &str| {
        attrs
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.trim().to_string())
    };
    let src = get("src").filter(|s| !s.is_empty())?;
    let scheme = src.split_once(':').map(|(scheme, _)| scheme);
    let is_url = src.starts_with("//")
        || scheme.is_some_and(|s| s.len() > 1 && s.chars().all(|c| c.is_ascii_alphabetic()));
    if is_url {
        return None;
    }
    let pairs = ["width", "height"]
        .into_iter()
        .filter_map(|key| get(key).map(|value| (key.to_string(), value)))
        .collect();
    Some(Image {
        src,
        alt: get("alt").unwrap_or_default(),
        description: Vec::new(),
        title: get("title").unwrap_or_default(),
        asset: None,
        attrs: Attributes {
            id: get("id").filter(|id| !id.is_empty()),
            pairs,
            ..Attributes::default()
        },
        span: span.clone(),
    })
}

fn is_blank_node(node: &HtmlNode) -> bool {
    matches!(node, HtmlNode::Text(text) if text.trim().is_empty())
}
