//! Raw HTML in Markdown: tokenised by html5ever, filtered through an allow-list, rebuilt as a
//! well-formed tree.
//!
//! EPUB content documents are XHTML, so tag soup must become balanced XML, and a manuscript
//! from the internet may carry scripts or event handlers. We use html5ever's tokenizer (the
//! spec's, so entities and odd quoting are decoded exactly as browsers do) and build the tree
//! ourselves with a stack: unknown or dangerous elements and attributes are dropped and
//! reported, unclosed elements are closed, stray end tags ignored. Images in raw HTML are
//! dropped (they would bypass packaging and confinement): Markdown image syntax is the way.

use std::cell::RefCell;

use html5ever::tendril::StrTendril;
use html5ever::tokenizer::{
    BufferQueue, TagKind, Token, TokenSink, TokenSinkResult, Tokenizer, TokenizerOpts,
};
use html5ever::TokenizerResult;

use crate::doc::{HtmlNode, HTML_INLINE_ELEMENTS as INLINE_ELEMENTS, HTML_VOID_ELEMENTS};

/// One token of raw HTML, in our own terms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HtmlToken {
    /// `<name attr="v">`, with decoded attribute values.
    Start {
        /// Lower-case tag name.
        name: String,
        /// Attributes in source order.
        attrs: Vec<(String, String)>,
        /// Written as `<name/>`.
        self_closing: bool,
    },
    /// `</name>`.
    End {
        /// Lower-case tag name.
        name: String,
    },
    /// Character data, entities decoded.
    Text(String),
    /// `<!-- … -->`.
    Comment(String),
}

struct Collector {
    tokens: RefCell<Vec<HtmlToken>>,
}

impl TokenSink for Collector {
    type Handle = ();

    fn process_token(&self, token: Token, _line: u64) -> TokenSinkResult<()> {
        let ours = match token {
            Token::TagToken(tag) => {
                let name = tag.name.to_string().to_ascii_lowercase();
                match tag.kind {
                    TagKind::StartTag => HtmlToken::Start {
                        name,
                        attrs: tag
                            .attrs
                            .iter()
                            .map(|a| (qualified_name(&a.name), a.value.to_string()))
                            .collect(),
                        self_closing: tag.self_closing,
                    },
                    TagKind::EndTag => HtmlToken::End { name },
                }
            }
            Token::CharacterTokens(text) => HtmlToken::Text(text.to_string()),
            Token::CommentToken(text) => HtmlToken::Comment(text.to_string()),
            _ => return TokenSinkResult::Continue,
        };
        self.tokens.borrow_mut().push(ours);
        TokenSinkResult::Continue
    }
}

fn qualified_name(name: &html5ever::QualName) -> String {
    match &name.prefix {
        Some(prefix) => format!("{}:{}", prefix, name.local),
        None => name.local.to_string().to_ascii_lowercase(),
    }
}

/// Tokenise an HTML snippet exactly as a browser's tokenizer would.
pub fn tokenize(html: &str) -> Vec<HtmlToken> {
    let collector = Collector {
        tokens: RefCell::new(Vec::new()),
    };
    let tokenizer = Tokenizer::new(collector, TokenizerOpts::default());
    let queue = BufferQueue::default();
    queue.push_back(StrTendril::from(html));
    while let TokenizerResult::Script(_) = tokenizer.feed(&queue) {}
    tokenizer.end();
    let tokens = tokenizer.sink.tokens.take();
    merge_text(tokens)
}

fn merge_text(tokens: Vec<HtmlToken>) -> Vec<HtmlToken> {
    let mut out: Vec<HtmlToken> = Vec::with_capacity(tokens.len());
    for token in tokens {
        if let (HtmlToken::Text(more), Some(HtmlToken::Text(text))) = (&token, out.last_mut()) {
            text.push_str(more);
            continue;
        }
        out.push(token);
    }
    out
}

/// Elements additionally allowed in block HTML.
const BLOCK_ELEMENTS: &[&str] = &[
    "aside",
    "blockquote",
    "caption",
    "col",
    "colgroup",
    "dd",
    "details",
    "div",
    "dl",
    "dt",
    "figcaption",
    "figure",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "li",
    "ol",
    "p",
    "pre",
    "section",
    "summary",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "tr",
    "ul",
];

/// Every element name of HTML (the living standard's and the obsolete ones browsers still
/// parse as elements), SVG and MathML's roots. A tag of another name (`Vec<T>`,
/// `Result<Ok>` in prose) is no HTML, and pandoc prints it as text; so does octavo.
const HTML_ELEMENT_NAMES: &[&str] = &[
    "a",
    "abbr",
    "acronym",
    "address",
    "applet",
    "area",
    "article",
    "aside",
    "audio",
    "b",
    "base",
    "basefont",
    "bdi",
    "bdo",
    "bgsound",
    "big",
    "blink",
    "blockquote",
    "body",
    "br",
    "button",
    "canvas",
    "caption",
    "center",
    "cite",
    "code",
    "col",
    "colgroup",
    "data",
    "datalist",
    "dd",
    "del",
    "details",
    "dfn",
    "dialog",
    "dir",
    "div",
    "dl",
    "dt",
    "em",
    "embed",
    "fieldset",
    "figcaption",
    "figure",
    "font",
    "footer",
    "form",
    "frame",
    "frameset",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "head",
    "header",
    "hgroup",
    "hr",
    "html",
    "i",
    "iframe",
    "image",
    "img",
    "input",
    "ins",
    "isindex",
    "kbd",
    "keygen",
    "label",
    "legend",
    "li",
    "link",
    "listing",
    "main",
    "map",
    "mark",
    "marquee",
    "math",
    "menu",
    "menuitem",
    "meta",
    "meter",
    "multicol",
    "nav",
    "nextid",
    "nobr",
    "noembed",
    "noframes",
    "noscript",
    "object",
    "ol",
    "optgroup",
    "option",
    "output",
    "p",
    "param",
    "picture",
    "plaintext",
    "pre",
    "progress",
    "q",
    "rb",
    "rp",
    "rt",
    "rtc",
    "ruby",
    "s",
    "samp",
    "script",
    "search",
    "section",
    "select",
    "slot",
    "small",
    "source",
    "spacer",
    "span",
    "strike",
    "strong",
    "style",
    "sub",
    "summary",
    "sup",
    "svg",
    "table",
    "tbody",
    "td",
    "template",
    "textarea",
    "tfoot",
    "th",
    "thead",
    "time",
    "title",
    "tr",
    "track",
    "tt",
    "u",
    "ul",
    "var",
    "video",
    "wbr",
    "xmp",
];

/// True when `name` (lower case) names an HTML element, or a custom element (with a hyphen).
pub fn is_html_element(name: &str) -> bool {
    name.contains('-') || HTML_ELEMENT_NAMES.binary_search(&name).is_ok()
}

/// Elements whose content is dropped along with them.
const OPAQUE_ELEMENTS: &[&str] = &[
    "script", "style", "iframe", "object", "embed", "template", "noscript", "svg", "math",
    "textarea", "select", "title", "head",
];

/// Raw HTML nested deeper than this keeps its text but loses its inner tags.
const MAX_HTML_DEPTH: usize = 64;

/// Elements without content.
pub(super) const VOID_ELEMENTS: &[&str] = HTML_VOID_ELEMENTS;

/// True when an element may appear inline in running text.
pub(super) fn is_inline_element(name: &str) -> bool {
    INLINE_ELEMENTS.contains(&name)
}

fn is_block_element(name: &str) -> bool {
    BLOCK_ELEMENTS.contains(&name) || INLINE_ELEMENTS.contains(&name)
}

/// True when dropping the element must also drop everything inside it.
pub(super) fn is_opaque_element(name: &str) -> bool {
    OPAQUE_ELEMENTS.contains(&name)
}

/// Keep allowed attributes with safe values; return them and the names of dropped ones.
pub(super) fn filter_attributes(
    element: &str,
    attrs: &[(String, String)],
) -> (Vec<(String, String)>, Vec<String>) {
    let mut kept: Vec<(String, String)> = Vec::new();
    let mut dropped = Vec::new();
    for (name, value) in attrs {
        let name = if name == "xml:lang" { "lang" } else { name };
        let ok = attribute_allowed(element, name, value)
            && !kept.iter().any(|(existing, _)| existing == name);
        if ok {
            kept.push((name.to_string(), value.clone()));
        } else {
            dropped.push(name.to_string());
        }
    }
    (kept, dropped)
}

fn attribute_allowed(element: &str, name: &str, value: &str) -> bool {
    match name {
        "class" | "title" | "aria-label" => true,
        "id" => is_xml_id(value),
        "lang" => crate::config::is_language_tag(value),
        "dir" => matches!(value, "ltr" | "rtl" | "auto"),
        "colspan" | "rowspan" => {
            matches!(element, "td" | "th") && value.parse::<u16>().is_ok_and(|n| n > 0)
        }
        "start" => element == "ol" && value.parse::<i64>().is_ok(),
        "reversed" => element == "ol",
        "datetime" => matches!(element, "time" | "del" | "ins"),
        "href" => element == "a" && is_safe_href(value),
        "rel" => {
            element == "a"
                && value
                    .split_whitespace()
                    .all(|t| LINK_RELATIONS.contains(&t))
        }
        _ => false,
    }
}

/// The link types HTML defines for `<a rel>` (`rel="license"` on a Creative Commons notice).
const LINK_RELATIONS: &[&str] = &[
    "alternate",
    "author",
    "bookmark",
    "external",
    "help",
    "license",
    "next",
    "nofollow",
    "noopener",
    "noreferrer",
    "prev",
    "search",
    "tag",
];

/// Links in raw HTML may point to the web, mail, or an anchor; anything else is dropped.
fn is_safe_href(value: &str) -> bool {
    let lower = value.trim().to_ascii_lowercase();
    lower.starts_with("http://")
        || lower.starts_with("https://")
        || lower.starts_with("mailto:")
        || (lower.starts_with('#') && is_xml_id(&value.trim()[1..]))
}

/// True for an XML NCName usable as an id (letter or `_` first; letters, digits, `-_.` after).
pub(crate) fn is_xml_id(value: &str) -> bool {
    let mut chars = value.chars();
    let first_ok = chars.next().is_some_and(|c| c.is_alphabetic() || c == '_');
    first_ok && chars.all(|c| is_id_char(c) || matches!(c, '-' | '.'))
}

/// Characters kept in generated ids: ASCII letters, digits and `_`, and non-ASCII characters
/// outside the punctuation and symbol blocks (so Khmer vowel signs survive), all of which XML
/// allows in names.
pub(crate) fn is_id_char(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_alphanumeric() || c == '_';
    }
    let code = c as u32;
    let punctuation = (0x00A0..=0x00BF).contains(&code)
        || (0x2000..=0x206F).contains(&code)
        || (0x3000..=0x3003).contains(&code)
        || matches!(c, '×' | '÷' | '\u{FEFF}');
    !c.is_whitespace() && !punctuation && !c.is_control()
}

/// One piece of a raw HTML block, in source order.
///
/// An HTML block in Markdown ends at a blank line, so an author who wraps Markdown in
/// `<div class="note">` … `</div>` writes three blocks: the start tag, Markdown, the end tag.
/// The sanitiser therefore reports elements left open at the end of a block and end tags that
/// close something opened earlier, and the Markdown stage nests the Markdown in between.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum BlockPiece {
    /// Complete, balanced nodes.
    Nodes(Vec<HtmlNode>),
    /// An element left open at the end of the block, with the complete children it has so far.
    Open {
        /// Lower-case tag name.
        name: String,
        /// Allowed attributes.
        attrs: Vec<(String, String)>,
        /// Children written in this block after the start tag.
        children: Vec<HtmlNode>,
    },
    /// An end tag whose start tag is not in this block.
    Close(String),
}

/// Raw HTML turned into an allow-listed tree, plus what had to go.
#[derive(Debug, Default, PartialEq, Eq)]
pub(super) struct Sanitized {
    /// The well-formed result, in source order.
    pub(super) pieces: Vec<BlockPiece>,
    /// Human descriptions of each dropped element or attribute (`<script>`, `onclick`).
    pub(super) dropped: Vec<String>,
    /// Comments found (used for markers such as `<!-- references -->`).
    pub(super) comments: Vec<String>,
}

impl Sanitized {
    /// All complete nodes, ignoring open and close pieces (for callers that want a tree).
    #[cfg(test)]
    fn nodes(&self) -> Vec<HtmlNode> {
        let mut nodes = Vec::new();
        for piece in &self.pieces {
            match piece {
                BlockPiece::Nodes(more) => nodes.extend(more.iter().cloned()),
                BlockPiece::Open {
                    name,
                    attrs,
                    children,
                } => nodes.push(HtmlNode::Element {
                    name: name.clone(),
                    attrs: attrs.clone(),
                    children: children.clone(),
                }),
                BlockPiece::Close(_) => {}
            }
        }
        nodes
    }
}

struct OpenElement {
    name: String,
    attrs: Vec<(String, String)>,
    children: Vec<HtmlNode>,
}

/// Elements that may stay open across HTML blocks and hold the Markdown written after them.
/// Phrasing-only containers (`p`, headings) are closed at the end of their block instead, as a
/// browser closes `<p>` at the next block.
fn is_wrapper_element(name: &str) -> bool {
    (is_block_element(name) && !is_phrasing_container(name) && !VOID_ELEMENTS.contains(&name))
        || (is_inline_element(name) && !VOID_ELEMENTS.contains(&name))
}

/// Sanitise a block of raw HTML into balanced pieces of allowed elements.
///
/// An opaque element (`<script>`, `<title>`) is dropped with its content up to its end tag;
/// when the block holds no end tag, only the start tag is dropped and what follows is kept.
pub(super) fn sanitize_block(html: &str) -> Sanitized {
    let tokens = tokenize(html);
    let mut state = BlockSanitizer::default();
    let mut index = 0;
    while index < tokens.len() {
        let token = &tokens[index];
        index += 1;
        if let HtmlToken::Start {
            name, self_closing, ..
        } = token
        {
            if is_opaque_element(name) {
                match (*self_closing, opaque_end(&tokens, index, name)) {
                    (false, Some(end)) => {
                        state.out.dropped.push(format!("<{name}> and its content"));
                        index = end + 1;
                    }
                    (false, None) => state
                        .out
                        .dropped
                        .push(format!("<{name}> (never closed: only the tag is dropped)")),
                    (true, _) => state.out.dropped.push(format!("<{name}>")),
                }
                continue;
            }
        }
        state.token(token.clone());
    }
    state.finish()
}

/// The index of the end tag that closes an opaque element opened just before `from`.
fn opaque_end(tokens: &[HtmlToken], from: usize, name: &str) -> Option<usize> {
    let mut depth = 1usize;
    for (offset, token) in tokens[from..].iter().enumerate() {
        match token {
            HtmlToken::Start { name: n, .. } if n == name => depth += 1,
            HtmlToken::End { name: n } if n == name => {
                depth -= 1;
                if depth == 0 {
                    return Some(from + offset);
                }
            }
            _ => {}
        }
    }
    None
}

/// The stack machine behind [`sanitize_block`].
struct BlockSanitizer {
    out: Sanitized,
    stack: Vec<OpenElement>,
}

impl Default for BlockSanitizer {
    fn default() -> Self {
        BlockSanitizer {
            out: Sanitized::default(),
            stack: vec![root_element()],
        }
    }
}

fn root_element() -> OpenElement {
    OpenElement {
        name: String::new(),
        attrs: Vec::new(),
        children: Vec::new(),
    }
}

impl BlockSanitizer {
    fn token(&mut self, token: HtmlToken) {
        match token {
            HtmlToken::Text(text) => push_child(&mut self.stack, HtmlNode::Text(text)),
            HtmlToken::Comment(text) => self.out.comments.push(text.trim().to_string()),
            HtmlToken::Start {
                name,
                attrs,
                self_closing,
            } => self.start(name, &attrs, self_closing),
            HtmlToken::End { name } => self.end(&name),
        }
    }

    fn start(&mut self, name: String, attrs: &[(String, String)], self_closing: bool) {
        if !is_block_element(&name) {
            match image_alt(&name, attrs) {
                Some(alt) => {
                    self.out
                        .dropped
                        .push(format!("<{name}> (its alternative text is kept)"));
                    push_child(&mut self.stack, HtmlNode::Text(alt));
                }
                None => self.out.dropped.push(format!("<{name}>")),
            }
            return;
        }
        if self.stack.len() > MAX_HTML_DEPTH {
            if !self
                .out
                .dropped
                .iter()
                .any(|d| d.starts_with("elements nested"))
            {
                self.out.dropped.push(format!(
                    "elements nested deeper than {MAX_HTML_DEPTH} levels"
                ));
            }
            return;
        }
        let (kept, dropped) = filter_attributes(&name, attrs);
        self.out.dropped.extend(
            dropped
                .into_iter()
                .map(|a| format!("attribute `{a}` on <{name}>")),
        );
        if !is_inline_element(&name) {
            close_phrasing_containers(&mut self.stack);
        }
        let element = OpenElement {
            name,
            attrs: kept,
            children: Vec::new(),
        };
        if self_closing || VOID_ELEMENTS.contains(&element.name.as_str()) {
            push_child(&mut self.stack, close(element));
        } else {
            self.stack.push(element);
        }
    }

    /// An end tag closes its element here, or, when it was opened by an earlier block, ends
    /// this block's open elements and becomes a [`BlockPiece::Close`].
    fn end(&mut self, name: &str) {
        if self.stack.iter().skip(1).any(|e| e.name == name) {
            close_until(&mut self.stack, name);
            return;
        }
        if !is_wrapper_element(name) {
            return;
        }
        while self.stack.len() > 1 {
            if let Some(element) = self.stack.pop() {
                push_child(&mut self.stack, close(element));
            }
        }
        self.flush_nodes();
        self.out.pieces.push(BlockPiece::Close(name.to_string()));
    }

    fn flush_nodes(&mut self) {
        let nodes = std::mem::take(&mut self.stack[0].children);
        if !nodes.is_empty() {
            self.out.pieces.push(BlockPiece::Nodes(nodes));
        }
    }

    /// Elements still open at the end: phrasing containers close here; the outermost wrappers
    /// stay open for the Markdown that follows.
    fn finish(mut self) -> Sanitized {
        let keep_open = self
            .stack
            .iter()
            .skip(1)
            .take_while(|e| is_wrapper_element(&e.name))
            .count();
        while self.stack.len() > keep_open + 1 {
            if let Some(element) = self.stack.pop() {
                push_child(&mut self.stack, close(element));
            }
        }
        self.flush_nodes();
        for element in self.stack.drain(1..) {
            self.out.pieces.push(BlockPiece::Open {
                name: element.name,
                attrs: element.attrs,
                children: element.children,
            });
        }
        self.out
    }
}

/// Elements whose HTML block (CommonMark's first kind) runs until their end tag.
const RAW_TEXT_BLOCK_ELEMENTS: &[&str] = &["script", "style", "textarea", "pre"];

/// When an HTML block starts with `<script>`, `<style>`, `<textarea>` or `<pre>` and holds no
/// end tag for it, CommonMark ran the block to the end of its container: the offset just
/// after the start tag, from where the text should be read as Markdown again.
pub(super) fn unclosed_raw_text_start(block: &str) -> Option<usize> {
    let trimmed = block.trim_start_matches([' ', '\t']);
    let indent = block.len() - trimmed.len();
    let head = trimmed.get(..trimmed.len().min(12)).unwrap_or(trimmed);
    let head = head.to_ascii_lowercase();
    let name = RAW_TEXT_BLOCK_ELEMENTS.iter().find(|name| {
        head.strip_prefix('<')
            .and_then(|rest| rest.strip_prefix(**name))
            .is_some_and(|rest| rest.is_empty() || rest.starts_with(['>', ' ', '\t', '\n', '/']))
    })?;
    let closed = block.to_ascii_lowercase().contains(&format!("</{name}"));
    if closed {
        return None;
    }
    let tag_end = trimmed.find('>').map_or(block.len(), |i| indent + i + 1);
    Some(tag_end)
}

/// The alternative text of a raw HTML `<img>`, which is printed in its place when the image is
/// dropped (a raw image would bypass packaging and confinement; Markdown images are the way).
pub(super) fn image_alt(name: &str, attrs: &[(String, String)]) -> Option<String> {
    let alt = attrs.iter().find(|(key, _)| key == "alt")?.1.trim();
    (name == "img" && !alt.is_empty()).then(|| alt.to_string())
}

/// True for a link (`<a href>`) with no content: nobody can see, click or name it (its image
/// was dropped, say). An `<a id>` without `href` is a link target and stays.
pub(super) fn is_empty_link(name: &str, attrs: &[(String, String)], blank: bool) -> bool {
    name == "a" && blank && attrs.iter().any(|(key, _)| key == "href")
}

/// Add a closed node to the innermost open element; an empty link goes.
fn push_child(stack: &mut [OpenElement], node: HtmlNode) {
    if let HtmlNode::Element {
        name,
        attrs,
        children,
    } = &node
    {
        let blank = children
            .iter()
            .all(|c| matches!(c, HtmlNode::Text(t) if t.trim().is_empty()));
        if is_empty_link(name, attrs, blank) {
            return;
        }
    }
    if let Some(top) = stack.last_mut() {
        top.children.push(node);
    }
}

fn close(element: OpenElement) -> HtmlNode {
    HtmlNode::Element {
        name: element.name,
        attrs: element.attrs,
        children: element.children,
    }
}

/// Elements whose content may only be phrasing (inline) content.
fn is_phrasing_container(name: &str) -> bool {
    is_inline_element(name)
        || matches!(
            name,
            "p" | "h1" | "h2" | "h3" | "h4" | "h5" | "h6" | "pre" | "dt" | "caption" | "summary"
        )
}

/// A block element cannot sit inside a paragraph or an inline element: close them first, as
/// an HTML parser would (`<p>a<div>` is `<p>a</p><div>`), so the XHTML stays valid.
fn close_phrasing_containers(stack: &mut Vec<OpenElement>) {
    let Some(outermost) = stack
        .iter()
        .skip(1)
        .position(|e| is_phrasing_container(&e.name))
    else {
        return;
    };
    while stack.len() > outermost + 1 {
        if let Some(element) = stack.pop() {
            push_child(stack, close(element));
        }
    }
}

fn close_until(stack: &mut Vec<OpenElement>, name: &str) {
    let Some(position) = stack.iter().skip(1).rposition(|e| e.name == name) else {
        return;
    };
    while stack.len() > position + 1 {
        if let Some(element) = stack.pop() {
            push_child(stack, close(element));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_links_relation_is_kept_when_html_defines_it() {
        let attrs = |rel: &str| vec![("rel".to_string(), rel.to_string())];
        let (kept, dropped) = filter_attributes("a", &attrs("license"));
        assert_eq!((kept.len(), dropped.len()), (1, 0));
        let (kept, dropped) = filter_attributes("a", &attrs("license stylesheet"));
        assert_eq!((kept.len(), dropped), (0, vec!["rel".to_string()]));
        let (_, dropped) = filter_attributes("span", &attrs("license"));
        assert_eq!(dropped, ["rel"]);
    }

    #[test]
    fn element_names_are_sorted_for_the_search() {
        assert!(HTML_ELEMENT_NAMES.windows(2).all(|w| w[0] < w[1]));
        assert!(is_html_element("span") && is_html_element("my-widget"));
        assert!(!is_html_element("t") && !is_html_element("string"));
    }

    fn el(name: &str, attrs: &[(&str, &str)], children: Vec<HtmlNode>) -> HtmlNode {
        HtmlNode::Element {
            name: name.into(),
            attrs: attrs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            children,
        }
    }

    #[test]
    fn scripts_and_handlers_are_dropped() {
        let s =
            sanitize_block("<div onclick=\"x()\" class=\"a\">hi<script>alert(1)</script></div>");
        assert_eq!(
            s.nodes(),
            vec![el(
                "div",
                &[("class", "a")],
                vec![HtmlNode::Text("hi".into())]
            )]
        );
        assert_eq!(
            s.dropped,
            vec!["attribute `onclick` on <div>", "<script> and its content"]
        );
    }

    #[test]
    fn unclosed_and_stray_tags_are_balanced() {
        let s = sanitize_block("<p>a <em>b</p></span>c");
        assert_eq!(
            s.nodes(),
            vec![
                el(
                    "p",
                    &[],
                    vec![
                        HtmlNode::Text("a ".into()),
                        el("em", &[], vec![HtmlNode::Text("b".into())])
                    ]
                ),
                HtmlNode::Text("c".into())
            ]
        );
    }

    #[test]
    fn blocks_close_open_paragraphs() {
        let s = sanitize_block("<p>a<em>b<div>c</div>");
        assert_eq!(
            s.nodes(),
            vec![
                el(
                    "p",
                    &[],
                    vec![
                        HtmlNode::Text("a".into()),
                        el("em", &[], vec![HtmlNode::Text("b".into())])
                    ]
                ),
                el("div", &[], vec![HtmlNode::Text("c".into())]),
            ]
        );
    }

    #[test]
    fn javascript_links_and_images_are_refused() {
        let s = sanitize_block("<a href=\"javascript:alert(1)\">x</a><img src=\"/etc/passwd\">");
        assert_eq!(
            s.nodes(),
            vec![el("a", &[], vec![HtmlNode::Text("x".into())])]
        );
        assert_eq!(s.dropped, vec!["attribute `href` on <a>", "<img>"]);
    }

    #[test]
    fn entities_are_decoded_and_comments_kept_aside() {
        let s = sanitize_block("<!-- references --><p>&amp;&eacute;&#x1F600;</p>");
        assert_eq!(s.comments, vec!["references"]);
        assert_eq!(
            s.nodes(),
            vec![el("p", &[], vec![HtmlNode::Text("&é😀".into())])]
        );
    }
}
