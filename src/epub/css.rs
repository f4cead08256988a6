//! Stylesheets made fit for an EPUB: book.toml's `[epub] css`, and the styles inside SVG
//! images.
//!
//! An EPUB is self-contained and has no scripts, so a stylesheet in it may not import other
//! stylesheets, load fonts or images from the web or from outside the package, or carry
//! markup, and EPUB forbids the `direction` and `unicode-bidi` properties (the reading system
//! sets them). The text is tokenised with Servo's `cssparser` (CSS Syntax Level 3) and walked
//! rule by rule; what may not stay is cut out of the text at its byte range and reported
//! there, and every other byte is kept as the author wrote it. Each `url()` is handed to a
//! judge that keeps it, rewrites it (a path in the book becomes the path of the packaged
//! file) or drops it.

use std::ops::Range;
use std::path::Path;

use cssparser::{Delimiter, ParseError, Parser, Token};

mod selector;

use crate::diag::{code, Diagnostic, Diagnostics, Span};
use crate::doc::{Book, ImageAsset};
use crate::manuscript::{has_url_scheme, BookRoot, Manuscript, PathProblem};

/// How deep blocks may nest before the rest is dropped (cssparser itself stops at 75).
const MAX_NESTING: usize = 32;

/// Where the CSS is, which decides what EPUB forbids in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CssPlace {
    /// A style sheet (a file, or a `style` element): EPUB forbids `direction` and
    /// `unicode-bidi` there.
    Stylesheet,
    /// Declarations in a `style` attribute (wrapped in a rule to be parsed), where EPUB
    /// leaves them alone.
    StyleAttribute,
}

/// What becomes of one `url()` of a stylesheet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UrlVerdict {
    /// It may stay as written.
    Keep,
    /// It stays, written as this URL instead.
    Rewrite(String),
    /// It may not stay: why, and how to fix it.
    Drop {
        /// Why, in a clause ("`x.png` is a remote file").
        reason: String,
        /// What the author can do.
        hint: String,
    },
}

/// A part of a stylesheet that was cut out, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dropped {
    /// Byte range of the rule or declaration in the stylesheet's text.
    pub range: Range<usize>,
    /// What was dropped and why, in one sentence.
    pub message: String,
    /// How to fix it.
    pub hint: String,
}

/// A stylesheet with what an EPUB may not hold cut out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FilteredCss {
    /// The stylesheet's text with the drops and URL rewrites applied.
    pub css: String,
    /// Everything cut out, in source order.
    pub dropped: Vec<Dropped>,
}

/// The `[epub] css` stylesheet [`crate::manuscript::load`] read, with what an EPUB may not
/// hold dropped, each drop a warning at its line and column. A `url()` naming an image the
/// book packages is rewritten to the packaged file; any other file is dropped.
pub fn filter_book_stylesheet(
    manuscript: &Manuscript,
    book: &Book,
    diags: &mut Diagnostics,
) -> Option<String> {
    let file = manuscript.stylesheet?;
    let source = manuscript.sources.get(file);
    let base = Path::new(&source.name).parent().unwrap_or(Path::new(""));
    let judge = |url: &str| judge_book_url(url, &manuscript.root, base, &book.images);
    let filtered = filter_stylesheet(&source.text, CssPlace::Stylesheet, &judge);
    for dropped in filtered.dropped {
        diags.push(
            Diagnostic::warning(code::CSS_DROPPED, dropped.message)
                .at(Span::new(file, dropped.range))
                .with_hint(dropped.hint),
        );
    }
    Some(filtered.css)
}

/// What may become of a `url()` in the book's stylesheet (in the folder `base`): fragments
/// and raster `data:` URLs stay, an image the book packages is pointed at in the package,
/// anything else is dropped.
fn judge_book_url(url: &str, root: &BookRoot, base: &Path, images: &[ImageAsset]) -> UrlVerdict {
    let url = url.trim();
    let lower = url.to_ascii_lowercase();
    let drop = |reason: String, hint: &str| UrlVerdict::Drop {
        reason,
        hint: hint.to_string(),
    };
    if url.starts_with('#') {
        return UrlVerdict::Keep;
    }
    if lower.starts_with("data:") {
        return if RASTER_DATA.iter().any(|t| lower.starts_with(t)) {
            UrlVerdict::Keep
        } else {
            drop(
                "a data: URL that is not a PNG, JPEG, GIF or WebP image".to_string(),
                "put the file in the book folder instead",
            )
        };
    }
    if url.is_empty() || has_url_scheme(url) || url.starts_with("//") {
        return drop(
            format!("`{url}` is not a file in the book, and an EPUB holds all it shows"),
            "put the file in the book folder and show it in a chapter, so that it is packaged",
        );
    }
    let (path, fragment) = match url.find(['?', '#']) {
        Some(at) => (&url[..at], url[at..].split_once('#').map(|(_, f)| f)),
        None => (url, None),
    };
    let fragment = fragment.map(|f| format!("#{f}")).unwrap_or_default();
    match root.resolve(base, path) {
        Ok(file) => match images.iter().find(|image| image.path == file) {
            Some(image) => UrlVerdict::Rewrite(format!("../{}{fragment}", image.package_path)),
            None => drop(
                format!("`{url}` is not packaged in the EPUB (only the images chapters show are)"),
                "show the image in a chapter, or drop the rule; fonts are embedded with [fonts] and [epub] embed-fonts",
            ),
        },
        Err(PathProblem::Missing) => drop(
            format!("`{url}` does not exist"),
            "paths in the stylesheet are relative to its folder",
        ),
        Err(problem) => drop(problem.describe(url), "an EPUB holds only files of the book"),
    }
}

/// `data:` URLs of the raster images every reading system shows.
const RASTER_DATA: [&str; 4] = [
    "data:image/png",
    "data:image/jpeg",
    "data:image/gif",
    "data:image/webp",
];

/// Cut out of `text` what an EPUB may not hold in `place`; `judge` decides each `url()`.
pub fn filter_stylesheet(
    text: &str,
    place: CssPlace,
    judge: &dyn Fn(&str) -> UrlVerdict,
) -> FilteredCss {
    let mut filter = Filter {
        text,
        place,
        judge,
        edits: Vec::new(),
        dropped: Vec::new(),
    };
    let mut parser = Parser::new(text);
    filter.rule_list(&mut parser, false, 0);
    filter.dropped.sort_by_key(|d| d.range.start);
    FilteredCss {
        css: apply_edits(text, filter.edits),
        dropped: filter.dropped,
    }
}

/// What a run of tokens holds that matters here.
#[derive(Debug, Default)]
struct Findings {
    /// Each `url()` (or URL string): its byte range and the URL.
    urls: Vec<(Range<usize>, String)>,
    /// The first thing that is not CSS at all, if any: markup, a bad string, a stray bracket.
    invalid: Option<&'static str>,
    /// Tokens read other than whitespace (blocks count as one).
    tokens: usize,
    /// True when a `{…}` block was among them.
    has_block: bool,
}

impl Findings {
    fn mark_invalid(&mut self, what: &'static str) {
        self.invalid = self.invalid.or(Some(what));
    }
}

struct Filter<'a> {
    text: &'a str,
    place: CssPlace,
    judge: &'a dyn Fn(&str) -> UrlVerdict,
    /// Replacements of byte ranges of the original text, never overlapping.
    edits: Vec<(Range<usize>, String)>,
    dropped: Vec<Dropped>,
}

type Parsed = Result<(), ParseError<()>>;

impl Filter<'_> {
    /// A list of rules: the stylesheet, or the body of `@media`, `@supports`, `@keyframes`
    /// (`keyframes`).
    fn rule_list(&mut self, p: &mut Parser, keyframes: bool, depth: usize) {
        let tail = loop {
            let before = p.position().byte_index();
            p.skip_whitespace();
            let start = p.position().byte_index();
            let state = p.state();
            let Ok(token) = p.next().cloned() else {
                break before;
            };
            match token {
                // `<!--` and `-->` may stand around a stylesheet and mean nothing.
                Token::CDO | Token::CDC => {
                    let end = p.position().byte_index();
                    self.edits.push((start..end, String::new()));
                }
                Token::AtKeyword(name) => self.at_rule(p, &name, start, depth),
                _ => {
                    p.reset(&state);
                    self.qualified_rule(p, start, keyframes, depth);
                }
            }
            let end = p.position().byte_index();
            if depth == 0 && end == self.text.len() && !ends_complete(&self.text[start..end]) {
                self.drop_unfinished(start..end);
            }
        };
        if depth == 0 && !ends_complete(&self.text[tail..]) {
            let message = "an unterminated comment at the end was dropped".to_string();
            self.drop_range(tail..self.text.len(), message, "close the comment with */");
        }
    }

    /// `selector { declarations }`: dropped whole when its selector is not CSS.
    fn qualified_rule(&mut self, p: &mut Parser, start: usize, keyframe: bool, depth: usize) {
        let mut prelude = Findings::default();
        let before = p.state();
        let _ = p.parse_until_before(Delimiter::CurlyBracketBlock, |p| -> Parsed {
            self.scan(p, &mut prelude, depth);
            Ok(())
        });
        if prelude.tokens == 0 {
            prelude.mark_invalid("a block without a selector");
        }
        if prelude.invalid.is_none() {
            p.reset(&before);
            let valid = p.parse_until_before(Delimiter::CurlyBracketBlock, |p| -> Parsed {
                match selector::is_valid_selector_list(p, keyframe) {
                    true => Ok(()),
                    false => Err(ParseError::custom(())),
                }
            });
            if valid.is_err() {
                prelude.mark_invalid("a selector that is not valid CSS");
            }
        }
        let has_block = p.next().is_ok();
        match prelude.invalid {
            Some(what) => {
                let message = format!("a rule was dropped: it holds {what}");
                self.drop_rest(p, has_block, start, message, INVALID_HINT);
            }
            None if !has_block => {
                let message = "text that is not a CSS rule was dropped".to_string();
                self.drop_rest(p, false, start, message, INVALID_HINT);
            }
            None => self.declaration_block(p, false, depth),
        }
    }

    /// An at-rule, by what it is.
    fn at_rule(&mut self, p: &mut Parser, name: &str, start: usize, depth: usize) {
        let mut prelude = Findings::default();
        let _ = p.parse_until_before(
            Delimiter::CurlyBracketBlock | Delimiter::Semicolon,
            |p| -> Parsed {
                self.scan(p, &mut prelude, depth);
                Ok(())
            },
        );
        let has_block = matches!(p.next(), Ok(Token::CurlyBracketBlock));
        let lower = name.to_ascii_lowercase();
        if let Some(what) = prelude.invalid {
            let message = format!("the @{name} rule was dropped: it holds {what}");
            return self.drop_rest(p, has_block, start, message, INVALID_HINT);
        }
        match lower.as_str() {
            "import" => {
                let message =
                    "the @import rule was dropped: an EPUB's stylesheet cannot load another"
                        .to_string();
                let hint = "copy the rules you need into this stylesheet";
                self.drop_rest(p, has_block, start, message, hint);
            }
            // The stylesheet is UTF-8 and follows octavo's: `@charset` may only come first.
            "charset" => self.drop_rest(p, has_block, start, String::new(), ""),
            _ if !has_block => {}
            "font-face" => self.font_face(p, start, depth),
            "media" | "supports" | "layer" | "container" | "scope" | "starting-style"
            | "document" => self.nested_rules(p, false, depth),
            _ if lower.ends_with("keyframes") => self.nested_rules(p, true, depth),
            _ => self.declaration_block(p, true, depth),
        }
    }

    /// The block after `@media …` or `@keyframes …`: more rules.
    fn nested_rules(&mut self, p: &mut Parser, keyframes: bool, depth: usize) {
        if depth >= MAX_NESTING {
            return self.too_deep(p);
        }
        let _ = p.parse_nested_block(|p| -> Parsed {
            self.rule_list(p, keyframes, depth + 1);
            Ok(())
        });
    }

    /// `@font-face { … }`: dropped whole when a font file it names may not stay (a rule
    /// without its `src` loads nothing).
    fn font_face(&mut self, p: &mut Parser, start: usize, depth: usize) {
        let mut findings = Findings::default();
        let _ = p.parse_nested_block(|p| -> Parsed {
            self.scan(p, &mut findings, depth + 1);
            Ok(())
        });
        let end = p.position().byte_index();
        if let Some(what) = findings.invalid {
            let message = format!("the @font-face rule was dropped: it holds {what}");
            return self.drop_range(start..end, message, INVALID_HINT);
        }
        match self.judge_urls(&findings.urls) {
            Ok(rewrites) => self.edits.extend(rewrites),
            Err((reason, hint)) => {
                let message = format!("the @font-face rule was dropped: {reason}");
                self.drop_range(start..end, message, &hint);
            }
        }
    }

    /// `{ property: value; … }`: each declaration is kept, rewritten or dropped on its own.
    /// At-rules inside are kept where they belong (`@page`'s margin boxes, `at_rules`);
    /// nested style rules are dropped: EPUB reading systems do not know CSS nesting.
    fn declaration_block(&mut self, p: &mut Parser, at_rules: bool, depth: usize) {
        if depth >= MAX_NESTING {
            return self.too_deep(p);
        }
        let _ = p.parse_nested_block(|p| -> Parsed {
            loop {
                p.skip_whitespace();
                if p.is_exhausted() {
                    return Ok(());
                }
                self.declaration(p, at_rules, depth + 1);
            }
        });
    }

    /// One declaration, up to its `;`, or a nested rule, up to its block's end.
    fn declaration(&mut self, p: &mut Parser, at_rules: bool, depth: usize) {
        let start = p.position().byte_index();
        let at_keyword = next_if(p, |t| match t {
            Token::AtKeyword(name) => Some(name.to_string()),
            _ => None,
        });
        if let Some(name) = at_keyword.as_ref().filter(|_| at_rules) {
            return self.at_rule(p, name, start, depth);
        }
        let mut findings = Findings::default();
        let mut property = None;
        let mut colon = false;
        let _ = p.parse_until_after(Delimiter::Semicolon, |p| -> Parsed {
            if at_keyword.is_none() {
                property = next_if(p, |t| match t {
                    Token::Ident(name) => Some(name.to_ascii_lowercase()),
                    _ => None,
                });
                p.skip_whitespace();
                colon = next_if(p, |t| matches!(t, Token::Colon).then_some(())).is_some();
            }
            self.scan(p, &mut findings, depth);
            Ok(())
        });
        let range = start..p.position().byte_index();
        if findings.has_block && property.is_some() && colon {
            return self.drop_malformed(range, true);
        }
        if let Some(what) = findings.invalid {
            let message = format!("a declaration was dropped: it holds {what}");
            return self.drop_range(range, message, INVALID_HINT);
        }
        let well_formed = colon && findings.tokens > 0 && !findings.has_block;
        let Some(property) = property.filter(|_| well_formed) else {
            return self.drop_malformed(range, at_keyword.is_some() || findings.has_block);
        };
        if !bang_is_important(&self.text[range.clone()]) {
            let message = "a declaration was dropped: a `!` in it is not `!important` at its end";
            return self.drop_range(range, message.to_string(), INVALID_HINT);
        }
        let forbidden = matches!(property.as_str(), "direction" | "unicode-bidi");
        if forbidden && self.place == CssPlace::Stylesheet {
            let message = format!(
                "the `{property}` declaration was dropped: in an EPUB the reading system sets the text direction"
            );
            let hint = "mark right-to-left passages with dir=\"rtl\" in raw HTML instead";
            return self.drop_range(range, message, hint);
        }
        match self.judge_urls(&findings.urls) {
            Ok(rewrites) => self.edits.extend(rewrites),
            Err((reason, hint)) => {
                self.drop_range(range, format!("a declaration was dropped: {reason}"), &hint)
            }
        }
    }

    /// The rewrites for these URLs, or the first reason why one of them may not stay.
    #[allow(clippy::type_complexity)]
    fn judge_urls(
        &self,
        urls: &[(Range<usize>, String)],
    ) -> Result<Vec<(Range<usize>, String)>, (String, String)> {
        let mut rewrites = Vec::new();
        for (range, url) in urls {
            match (self.judge)(url) {
                UrlVerdict::Keep => {}
                UrlVerdict::Rewrite(new) => rewrites.push((range.clone(), css_url(&new))),
                UrlVerdict::Drop { reason, hint } => return Err((reason, hint)),
            }
        }
        Ok(rewrites)
    }

    /// Collect the URLs and anything invalid in the rest of `p`, blocks included.
    fn scan(&self, p: &mut Parser, findings: &mut Findings, depth: usize) {
        loop {
            let start = p.position().byte_index();
            let Ok(token) = p.next_including_whitespace().cloned() else {
                return;
            };
            if !matches!(token, Token::WhiteSpace(_)) {
                findings.tokens += 1;
            }
            findings.has_block |= matches!(token, Token::CurlyBracketBlock);
            self.note_token(p, &token, start, findings, depth);
        }
    }

    /// Record what `token` (just read, starting at `start`) holds, reading its block if it
    /// opens one.
    fn note_token(
        &self,
        p: &mut Parser,
        token: &Token,
        start: usize,
        findings: &mut Findings,
        depth: usize,
    ) {
        let opens_block = matches!(
            token,
            Token::Function(_)
                | Token::ParenthesisBlock
                | Token::SquareBracketBlock
                | Token::CurlyBracketBlock
        );
        match token {
            Token::UnquotedUrl(url) => {
                let range = start..p.position().byte_index();
                findings.urls.push((range, url.to_string()));
            }
            Token::Delim('<') | Token::CDO | Token::CDC => findings.mark_invalid("markup"),
            Token::AtKeyword(_) => findings.mark_invalid("an at-keyword where none belongs"),
            Token::BadUrl(_) => findings.mark_invalid("a malformed url()"),
            Token::BadString(_) => findings.mark_invalid("a string broken by a new line"),
            Token::CloseParenthesis | Token::CloseSquareBracket | Token::CloseCurlyBracket => {
                findings.mark_invalid("an unmatched closing bracket")
            }
            // Its block is skipped unread by the next token read.
            _ if opens_block && depth >= MAX_NESTING => {
                findings.mark_invalid("blocks nested too deeply")
            }
            Token::Function(name) if is_url_function(name) => {
                self.url_function(p, start, findings, depth)
            }
            Token::Function(name) if is_image_set(name) => self.image_set(p, findings, depth),
            _ if opens_block => {
                let _ = p.parse_nested_block(|p| -> Parsed {
                    self.scan(p, findings, depth + 1);
                    Ok(())
                });
            }
            _ => {}
        }
    }

    /// `url("…")` or `src("…")`, the function token just read at `start`.
    fn url_function(&self, p: &mut Parser, start: usize, findings: &mut Findings, depth: usize) {
        let mut url = None;
        let mut rest = Findings::default();
        let _ = p.parse_nested_block(|p| -> Parsed {
            p.skip_whitespace();
            url = next_if(p, |t| match t {
                Token::QuotedString(text) => Some(text.to_string()),
                _ => None,
            });
            self.scan(p, &mut rest, depth + 1);
            Ok(())
        });
        match url {
            Some(url) => findings.urls.push((start..p.position().byte_index(), url)),
            None => findings.mark_invalid("a url() without an address"),
        }
        if let Some(what) = rest.invalid {
            findings.mark_invalid(what);
        }
        findings.urls.extend(rest.urls);
    }

    /// `image-set("a.png" 1x, …)`: its strings are URLs too.
    fn image_set(&self, p: &mut Parser, findings: &mut Findings, depth: usize) {
        let _ = p.parse_nested_block(|p| -> Parsed {
            loop {
                let start = p.position().byte_index();
                let Ok(token) = p.next_including_whitespace().cloned() else {
                    return Ok(());
                };
                match token {
                    Token::QuotedString(url) => {
                        let range = start..p.position().byte_index();
                        findings.urls.push((range, url.to_string()));
                    }
                    other => self.note_token(p, &other, start, findings, depth + 1),
                }
            }
        });
    }

    /// A declaration that is not `property: value` goes; an empty one (`;;`) silently.
    fn drop_malformed(&mut self, range: Range<usize>, nested_rule: bool) {
        let text = &self.text[range.clone()];
        let empty = text.trim_end_matches(';').trim().is_empty();
        let message = if empty {
            String::new()
        } else if nested_rule {
            "a nested rule was dropped: EPUB reading systems do not know CSS nesting".to_string()
        } else {
            "a declaration was dropped: it is not `property: value`".to_string()
        };
        let hint = "write nested rules out in full at the top level";
        self.drop_range(
            range,
            message,
            if nested_rule { hint } else { INVALID_HINT },
        );
    }

    fn too_deep(&mut self, p: &mut Parser) {
        let start = p.position().byte_index();
        consume_block(p);
        let end = p.position().byte_index();
        let message = "a block nested too deeply was dropped".to_string();
        self.drop_range(start..end, message, INVALID_HINT);
    }

    /// The stylesheet ends inside this rule (an open brace, string or comment): nothing
    /// may be left open, so it goes.
    fn drop_unfinished(&mut self, range: Range<usize>) {
        self.edits.retain(|(edit, _)| edit.end <= range.start);
        self.dropped.retain(|d| d.range.end <= range.start);
        let message = "the stylesheet ends inside this rule, which was dropped".to_string();
        self.drop_range(
            range,
            message,
            "close the rule's braces, strings and comments",
        );
    }

    /// Drop from `start` to the end of the rule whose prelude was just read (and its block).
    fn drop_rest(
        &mut self,
        p: &mut Parser,
        has_block: bool,
        start: usize,
        message: String,
        hint: &str,
    ) {
        if has_block {
            consume_block(p);
        }
        let end = p.position().byte_index();
        self.drop_range(start..end, message, hint);
    }

    /// Cut `range` out; an empty message drops it without a word (`@charset`).
    fn drop_range(&mut self, range: Range<usize>, message: String, hint: &str) {
        self.edits.push((range.clone(), String::new()));
        if !message.is_empty() {
            self.dropped.push(Dropped {
                range,
                message,
                hint: hint.to_string(),
            });
        }
    }
}

const INVALID_HINT: &str =
    "a stylesheet holds CSS rules only; look for a missing brace, quote or semicolon";

/// True unless a `!` in the declaration (at its top level) is something other than a final
/// `!important`.
fn bang_is_important(declaration: &str) -> bool {
    let mut p = Parser::new(declaration);
    while let Ok(token) = p.next() {
        if matches!(token, Token::Delim('!')) {
            let important = matches!(p.next(), Ok(Token::Ident(word)) if word.eq_ignore_ascii_case("important"));
            let rest = p.next().cloned();
            return important && matches!(rest, Err(_) | Ok(Token::Semicolon)) && p.next().is_err();
        }
    }
    true
}

/// The next token when `pick` accepts it; otherwise nothing is read.
fn next_if<T>(p: &mut Parser, pick: impl Fn(&Token) -> Option<T>) -> Option<T> {
    p.try_parse(|p| p.next().map_err(|_| ()).and_then(|t| pick(t).ok_or(())))
        .ok()
}

/// Read the block whose opening token was just read, and everything in it.
fn consume_block(p: &mut Parser) {
    let _ = p.parse_nested_block(|p| -> Parsed {
        while p.next_including_whitespace_and_comments().is_ok() {}
        Ok(())
    });
}

fn is_url_function(name: &str) -> bool {
    name.eq_ignore_ascii_case("url") || name.eq_ignore_ascii_case("src")
}

fn is_image_set(name: &str) -> bool {
    name.eq_ignore_ascii_case("image-set") || name.eq_ignore_ascii_case("-webkit-image-set")
}

/// `url("…")` with the characters a CSS string cannot hold escaped.
fn css_url(url: &str) -> String {
    let mut out = String::from("url(\"");
    for c in url.chars() {
        match c {
            '"' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            '\n' => out.push_str("\\a "),
            c => out.push(c),
        }
    }
    out.push_str("\")");
    out
}

/// True when nothing is left open at the end of `fragment` (a brace, bracket, string or
/// comment): a rule written after it would then stand at the top level.
fn ends_complete(fragment: &str) -> bool {
    const SENTINEL: &str = "octavo-sentinel";
    let probe = format!("{fragment}\n{SENTINEL}{{}}");
    let mut p = Parser::new(&probe);
    let mut after_sentinel = false;
    while let Ok(token) = p.next() {
        match token {
            Token::CurlyBracketBlock if after_sentinel => return true,
            Token::Ident(name) => after_sentinel = &**name == SENTINEL,
            _ => after_sentinel = false,
        }
    }
    false
}

/// `text` with each range replaced; ranges are sorted here and must not overlap.
fn apply_edits(text: &str, mut edits: Vec<(Range<usize>, String)>) -> String {
    edits.sort_by_key(|(range, _)| (range.start, range.end));
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for (range, replacement) in edits {
        if range.start < at {
            continue;
        }
        out.push_str(&text[at..range.start]);
        out.push_str(&replacement);
        at = range.end;
    }
    out.push_str(&text[at..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Keeps `#…` and `data:`, rewrites `keep/…` to `../images/…`, drops everything else.
    fn judge(url: &str) -> UrlVerdict {
        if url.starts_with('#') || url.starts_with("data:") || url.starts_with("../images/") {
            UrlVerdict::Keep
        } else if let Some(name) = url.strip_prefix("keep/") {
            UrlVerdict::Rewrite(format!("../images/{name}"))
        } else {
            UrlVerdict::Drop {
                reason: format!("`{url}` is not allowed"),
                hint: String::new(),
            }
        }
    }

    fn filter(text: &str) -> (String, Vec<String>) {
        let filtered = filter_stylesheet(text, CssPlace::Stylesheet, &judge);
        let dropped = filtered
            .dropped
            .iter()
            .map(|d| format!("{}: {}", &text[d.range.clone()], d.message))
            .collect();
        (filtered.css, dropped)
    }

    #[test]
    fn plain_css_is_kept_byte_for_byte() {
        let css = "/* c */\n@media (min-width: 30em) {\n  p { margin: 0 !important; }\n}\n\
                   h1::before { content: \"\\2014\"; }\n@page { margin: 1em; }\n\
                   @keyframes x { from { opacity: 0 } to { opacity: 1 } }\n\
                   .a { background: url(#grad) }\n@namespace svg url(http://www.w3.org/2000/svg);\n";
        assert_eq!(filter(css), (css.to_string(), vec![]));
    }

    #[test]
    fn octavos_own_stylesheet_passes_unchanged() {
        let own = crate::epub::DEFAULT_CSS;
        assert_eq!(filter(own), (own.to_string(), vec![]));
    }

    #[test]
    fn imports_remote_urls_and_markup_are_dropped_where_they_are() {
        let (css, dropped) = filter(
            "@import url(\"other.css\");\np { color: red; background: url(http://x/y.png); margin: 0 }\n\
             </style><script>alert(1)</script> q { color: blue }\n\
             @font-face { font-family: X; src: url(https://x/f.woff2) }\nem { font-style: normal }\n",
        );
        assert_eq!(
            css,
            "\np { color: red;  margin: 0 }\n\n\nem { font-style: normal }\n"
        );
        assert_eq!(dropped.len(), 4, "{dropped:#?}");
        assert!(dropped[0].starts_with("@import url(\"other.css\");: the @import rule"));
        assert!(dropped[1].starts_with("background: url(http://x/y.png);: a declaration"));
        assert!(dropped[2].contains("it holds markup"), "{}", dropped[2]);
        assert!(dropped[3].contains("@font-face rule was dropped: `https://x/f.woff2`"));
    }

    #[test]
    fn urls_are_rewritten_in_every_spelling() {
        let (css, dropped) = filter(
            "a { background: url(keep/a.png) } b { background: URL( 'keep/b.png' ) }\n\
             c { background-image: image-set(\"keep/c.png\" 1x, \"keep/d.png\" 2x) }",
        );
        assert!(dropped.is_empty(), "{dropped:?}");
        assert_eq!(
            css,
            "a { background: url(\"../images/a.png\") } b { background: url(\"../images/b.png\") }\n\
             c { background-image: image-set(url(\"../images/c.png\") 1x, url(\"../images/d.png\") 2x) }"
        );
    }

    #[test]
    fn epub_forbidden_properties_and_broken_css_are_dropped() {
        let (css, dropped) =
            filter("p { direction: rtl; color: red }\n} q { x: y }\n@charset \"utf-8\";\n");
        assert_eq!(css, "p {  color: red }\n\n\n");
        assert_eq!(dropped.len(), 2, "{dropped:#?}");
        assert!(dropped[0].contains("`direction`"));
        assert!(dropped[1].contains("unmatched closing bracket"));
    }

    #[test]
    fn what_epubcheck_refuses_is_dropped_too() {
        let (css, dropped) = filter(
            "p { & .x { color: red } color: blue }\nq { color: ; margin: 0;; }\n\
             r { color red; font-weight: bold !importantly }\n5 { color: red }\n\
             a[href=\"x\" i] { color: red }\ns { content: \"}\"@import }\n",
        );
        assert_eq!(css, "p { }\nq {  margin: 0; }\nr {  }\n\n\ns { }\n");
        let messages: Vec<&str> = dropped
            .iter()
            .map(|d| &d[d.find(": ").map_or(0, |at| at + 2)..])
            .collect();
        assert_eq!(dropped.len(), 7, "{dropped:#?}");
        assert!(messages[0].contains("nested rule"), "{messages:#?}");
        assert!(
            messages[1].contains("not `property: value`"),
            "{messages:#?}"
        );
        assert!(messages[3].contains("`!important`"), "{messages:#?}");
        assert!(messages[4].contains("selector"), "{messages:#?}");
        assert!(messages[6].contains("at-keyword"), "{messages:#?}");
    }

    #[test]
    fn nothing_is_left_open_at_the_end() {
        for unfinished in [
            "p { color: red",
            "p { content: \"}",
            "p { color: rgb(1,2",
            "@media (a",
        ] {
            let (css, dropped) = filter(&format!("q {{ }}\n{unfinished}"));
            assert_eq!(css, "q { }\n", "{unfinished}");
            assert_eq!(dropped.len(), 1, "{unfinished}: {dropped:?}");
        }
        let (css, dropped) = filter("q { }\n/* open comment");
        assert_eq!(css, "q { }");
        assert_eq!(dropped.len(), 1);
    }

    /// Random stylesheets from CSS-ish pieces: filtering never panics, and what comes out
    /// is clean (filtering it again drops nothing and changes nothing).
    #[test]
    fn filtered_stylesheets_are_clean() {
        const PIECES: [&str; 24] = [
            "p",
            " ",
            "{",
            "}",
            "(",
            ")",
            ";",
            ":",
            "\"",
            "'",
            "/*",
            "*/",
            "<",
            "\n",
            "\\",
            "@import",
            "@media",
            "@font-face",
            "url(",
            "keep/a.png",
            "http://x/",
            "#a",
            "direction",
            "[",
        ];
        let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
        for _ in 0..3000 {
            let mut css = String::new();
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            for _ in 0..(state % 40) {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                css.push_str(PIECES[(state % PIECES.len() as u64) as usize]);
            }
            let once = filter_stylesheet(&css, CssPlace::Stylesheet, &judge);
            let twice = filter_stylesheet(&once.css, CssPlace::Stylesheet, &judge);
            assert!(
                twice.dropped.is_empty(),
                "{css:?} -> {:?}: {:?}",
                once.css,
                twice.dropped
            );
            assert_eq!(twice.css, once.css, "{css:?}");
        }
    }

    #[test]
    fn deep_nesting_stays_linear_and_is_dropped() {
        let deep = format!(
            "p {{ x: {}1{} }} q {{ }}",
            "(".repeat(100_000),
            ")".repeat(100_000)
        );
        let (css, dropped) = filter(&deep);
        assert_eq!(css, "p { } q { }");
        assert_eq!(dropped.len(), 1);
        let blocks = format!("{}{}", "@media a {".repeat(10_000), "}".repeat(10_000));
        let (_, dropped) = filter(&blocks);
        assert_eq!(dropped.len(), 1);
    }
}
