//! pandoc attribute blocks: `{#id .class key=value key="quoted value"}`.
//!
//! They follow an image (`![Map](map.png){#fig-map width=50%}`), a heading, a fenced div's
//! opening (`::: {#fig-map}`), a code fence (```` ```{#lst-x .python} ````) and a table
//! caption (`: Summary {#tbl-x}`). The parse is pure: the caller locates the block in the
//! source and reports what does not parse. pulldown-cmark has already turned straight quotes
//! into curly ones in running text, so both kinds quote a value.

use crate::doc::Attributes;

/// Longest attribute block read, in bytes: more is text, not attributes (keeps hostile input
/// linear where a block is looked for in every text run).
pub(super) const MAX_ATTRIBUTE_BLOCK: usize = 4096;

/// Why a `{…}` could not be read as attributes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum AttributeProblem {
    /// A quoted value has no closing quote.
    UnclosedQuote,
    /// A word that is none of `#id`, `.class`, `-` or `key=value`.
    UnknownItem(String),
}

impl AttributeProblem {
    /// The problem in words, for a diagnostic.
    pub(super) fn describe(&self) -> String {
        match self {
            AttributeProblem::UnclosedQuote => "a quoted value is not closed".to_string(),
            AttributeProblem::UnknownItem(item) => {
                format!("`{item}` is not `#id`, `.class` or `key=value`")
            }
        }
    }
}

/// The length in bytes of the attribute block `{…}` at the start of `text` (through its
/// closing brace, quotes respected), if there is one.
pub(super) fn block_length(text: &str) -> Option<usize> {
    if !text.starts_with('{') {
        return None;
    }
    let mut quote: Option<char> = None;
    for (i, c) in text.char_indices().skip(1) {
        if i > MAX_ATTRIBUTE_BLOCK {
            return None;
        }
        match quote {
            Some(q) if c == closing_quote(q) => quote = None,
            Some(_) => {}
            None if c == '}' => return Some(i + 1),
            None if c == '{' || c == '\n' => return None,
            None if is_opening_quote(c) => quote = Some(c),
            None => {}
        }
    }
    None
}

/// The byte offset of the attribute block that ends `text` (white space after it aside), if
/// `text` ends with one.
pub(super) fn trailing_block_start(text: &str) -> Option<usize> {
    let trimmed = text.trim_end();
    if !trimmed.ends_with('}') {
        return None;
    }
    let window_start = trimmed.len().saturating_sub(MAX_ATTRIBUTE_BLOCK);
    let mut start = trimmed.len();
    // The last `{` from which a block runs exactly to the end; a brace inside a quoted value
    // moves it back, but only a few times (a run of braces must not cost a scan each).
    for _ in 0..MAX_QUOTED_BRACES {
        let open = trimmed[..start].rfind('{')?;
        if open < window_start {
            return None;
        }
        if block_length(&trimmed[open..]) == Some(trimmed.len() - open) {
            return Some(open);
        }
        start = open;
    }
    None
}

/// How many `{` inside quoted values the search for a trailing block steps over.
const MAX_QUOTED_BRACES: usize = 4;

/// True for text that looks like an attribute block (`{#…`, `{.…`, `{-}`, `{key=…`), worth a
/// warning when it does not parse, as opposed to braces in prose.
pub(super) fn looks_like_attributes(block: &str) -> bool {
    let inner = block.trim_start_matches('{').trim_start();
    inner.starts_with(['#', '.'])
        || inner.starts_with("-}")
        || inner.starts_with("- ")
        || inner
            .split(|c: char| c.is_whitespace() || c == '}')
            .next()
            .is_some_and(|word| word.contains('=') && !word.starts_with('='))
}

/// Read an attribute block, braces included (`{#id .class key=value}`).
pub(super) fn parse_attributes(block: &str) -> Result<Attributes, AttributeProblem> {
    let inner = block
        .strip_prefix('{')
        .and_then(|b| b.strip_suffix('}'))
        .unwrap_or(block);
    let mut attrs = Attributes::default();
    let mut rest = inner.trim_start();
    while !rest.is_empty() {
        let (item, after) = next_item(rest)?;
        add_item(&mut attrs, item)?;
        rest = after.trim_start();
    }
    Ok(attrs)
}

/// One item and what follows it: a word, or `key=` and a quoted value.
fn next_item(text: &str) -> Result<(Item, &str), AttributeProblem> {
    let word_end = text.find(char::is_whitespace).unwrap_or(text.len());
    let Some(eq) = text[..word_end].find('=').filter(|&eq| eq > 0) else {
        return Ok((Item::Word(text[..word_end].to_string()), &text[word_end..]));
    };
    let key = text[..eq].to_string();
    let value_text = &text[eq + 1..];
    match value_text.chars().next() {
        Some(q) if is_opening_quote(q) => {
            let body = &value_text[q.len_utf8()..];
            let (value, rest) = quoted(body, closing_quote(q))?;
            Ok((Item::Pair(key, value), rest))
        }
        _ => {
            let end = value_text
                .find(char::is_whitespace)
                .unwrap_or(value_text.len());
            let value = value_text[..end].to_string();
            Ok((Item::Pair(key, value), &value_text[end..]))
        }
    }
}

/// A quoted value up to `close` (a backslash escapes the next character).
fn quoted(body: &str, close: char) -> Result<(String, &str), AttributeProblem> {
    let mut value = String::new();
    let mut escaped = false;
    for (i, c) in body.char_indices() {
        if escaped {
            value.push(c);
            escaped = false;
        } else if c == '\\' {
            escaped = true;
        } else if c == close {
            return Ok((value, &body[i + c.len_utf8()..]));
        } else {
            value.push(c);
        }
    }
    Err(AttributeProblem::UnclosedQuote)
}

/// An item of an attribute block.
enum Item {
    /// `#id`, `.class`, `-` or a bare word.
    Word(String),
    /// `key=value`.
    Pair(String, String),
}

fn add_item(attrs: &mut Attributes, item: Item) -> Result<(), AttributeProblem> {
    match item {
        Item::Pair(key, value) => attrs.pairs.push((key, value)),
        Item::Word(word) if word == "-" => attrs.classes.push("unnumbered".to_string()),
        Item::Word(word) => {
            if let Some(id) = word.strip_prefix('#').filter(|id| !id.is_empty()) {
                attrs.id = Some(id.to_string());
            } else if let Some(class) = word.strip_prefix('.').filter(|c| !c.is_empty()) {
                attrs.classes.push(class.to_string());
            } else {
                return Err(AttributeProblem::UnknownItem(word));
            }
        }
    }
    Ok(())
}

fn is_opening_quote(c: char) -> bool {
    matches!(c, '"' | '\'' | '“' | '‘')
}

fn closing_quote(open: char) -> char {
    match open {
        '“' => '”',
        '‘' => '’',
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_classes_and_pairs() {
        let attrs = parse_attributes("{#fig-map .wide width=50% fig-alt=\"A map, drawn\"}")
            .expect("parses");
        assert_eq!(attrs.id.as_deref(), Some("fig-map"));
        assert_eq!(attrs.classes, vec!["wide"]);
        assert_eq!(attrs.get("width"), Some("50%"));
        assert_eq!(attrs.get("fig-alt"), Some("A map, drawn"));
    }

    #[test]
    fn curly_quotes_and_the_dash_class() {
        let attrs = parse_attributes("{- lst-cap=“Say “hi””}");
        assert!(attrs.is_err(), "nested curly quotes end the value early");
        let attrs = parse_attributes("{- lst-cap=“Say hi” k='a b'}").expect("parses");
        assert!(attrs.has_class("unnumbered"));
        assert_eq!(attrs.get("lst-cap"), Some("Say hi"));
        assert_eq!(attrs.get("k"), Some("a b"));
    }

    #[test]
    fn problems() {
        assert_eq!(
            parse_attributes("{#a key=\"open}"),
            Err(AttributeProblem::UnclosedQuote)
        );
        assert_eq!(
            parse_attributes("{#a word}"),
            Err(AttributeProblem::UnknownItem("word".into()))
        );
        assert!(parse_attributes("{}").expect("empty").is_empty());
    }

    #[test]
    fn blocks_are_found() {
        assert_eq!(block_length("{#a b=\"}\"} rest"), Some(10));
        assert_eq!(block_length("{#a"), None);
        assert_eq!(block_length("no"), None);
        assert_eq!(trailing_block_start("Caption {#tbl-x}  "), Some(8));
        assert_eq!(trailing_block_start("a {b} c {#x}"), Some(8));
        assert_eq!(trailing_block_start("no block"), None);
        assert!(looks_like_attributes("{#x}"));
        assert!(looks_like_attributes("{width=3in}"));
        assert!(looks_like_attributes("{-}"));
        assert!(!looks_like_attributes("{a set}"));
    }

    #[test]
    fn a_run_of_braces_costs_one_scan() {
        let hostile = "{".repeat(200_000) + "}";
        let started = std::time::Instant::now();
        for _ in 0..100 {
            assert_eq!(trailing_block_start(&hostile), Some(hostile.len() - 2));
        }
        assert!(started.elapsed() < std::time::Duration::from_secs(2));
        assert_eq!(trailing_block_start("{a=\"{\"}"), Some(0));
    }
}
