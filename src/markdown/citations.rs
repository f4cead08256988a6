//! Pandoc citation syntax: finds `[@key, p. 45]`, `[see @a; -@b]` and narrative `@key [p. 4]`
//! in a run of plain text.
//!
//! The markdown stage merges the adjacent text events of an inline container (code spans, code
//! blocks and link texts never reach this module) and calls [`find_citations`]. Parsing is pure:
//! no diagnostics, no knowledge of the bibliography. What is not a citation stays text.
//!
//! Decisions, where pandoc leaves room:
//! - A key starts at a word start (after whitespace, an opening bracket or quote, or a dash), so
//!   `a@b.org` and `x@y` are not citations. It starts with a letter, digit or `_` and may contain
//!   `:` `.` `-` `_` `/` `+` `#` inside (trailing ones are dropped: `@short2005.` is
//!   `short2005`). `@{any key}` takes everything up to `}`.
//! - A bracket group is a citation only if every `;`-separated part holds a valid `@key`.
//! - Balanced brackets inside a group stay part of it: `[@a, p. 4 [fn]]` is one citation with
//!   locator `4` and suffix `[fn]`.
//! - The suffix is kept as written after the locator, with its leading comma when there is one
//!   (`[@a, 33, emphasis added]` → locator `33`, suffix `, emphasis added`), as pandoc does; the
//!   prefix is trimmed. Whitespace runs (soft breaks) become single spaces.
//! - A narrative `@key` takes a bracket right after it (`@key [p. 45]`) as its locator and
//!   suffix, unless that bracket holds citations of its own.
//! - Groups longer than [`MAX_GROUP`] bytes are not citations, which keeps hostile input linear.

use rustc_hash::FxHashMap as HashMap;
use std::ops::Range;

use crate::doc::{CiteMode, Locator, LocatorKind};

/// Longest bracket group, in bytes, still considered as a citation.
pub(crate) const MAX_GROUP: usize = 4096;

/// One citation found in a text run; byte ranges are relative to the text passed in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FoundCitation {
    /// Byte range of the whole citation (`[` to `]`, or `@key` plus its bracket).
    pub range: Range<usize>,
    /// Parenthetical (`[@key]`) or narrative (`@key`).
    pub mode: CiteMode,
    /// The cited works in the order written.
    pub items: Vec<FoundItem>,
}

/// One cited work inside a [`FoundCitation`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FoundItem {
    /// The bibliography key, without `@`.
    pub key: String,
    /// Byte range of `@key` in the text.
    pub key_range: Range<usize>,
    /// Text before the key ("see"), trimmed.
    pub prefix: String,
    /// The pinpoint, when one was recognised.
    pub locator: Option<Locator>,
    /// Text after the locator as written (", emphasis added"), trimmed.
    pub suffix: String,
    /// `-@key`: print the year only.
    pub suppress_author: bool,
    /// Bytes of the prefix as written, untrimmed (empty in a narrative citation).
    pub prefix_range: Range<usize>,
    /// Bytes of the suffix as written, from its first character to the end of its part.
    pub suffix_range: Range<usize>,
}

/// Find every pandoc citation in `text`, in order, without overlaps.
pub fn find_citations(text: &str) -> Vec<FoundCitation> {
    let pairs = bracket_pairs(text);
    let mut found = Vec::new();
    let mut pos = 0;
    while let Some(c) = text[pos..].chars().next() {
        let citation = match c {
            '[' => bracket_citation(text, pos, &pairs),
            '@' => narrative_citation(text, pos, &pairs),
            '-' => suppressed_citation(text, pos, &pairs),
            _ => None,
        };
        match citation {
            Some(citation) => {
                pos = citation.range.end;
                found.push(citation);
            }
            None => pos += c.len_utf8(),
        }
    }
    found
}

/// Byte offset of each `[` to the offset of its matching `]`.
fn bracket_pairs(text: &str) -> HashMap<usize, usize> {
    let mut open = Vec::new();
    let mut pairs = HashMap::default();
    for (i, c) in text.char_indices() {
        match c {
            '[' => open.push(i),
            ']' => {
                if let Some(start) = open.pop() {
                    pairs.insert(start, i);
                }
            }
            _ => {}
        }
    }
    pairs
}

/// The content range of the group opened at `open`, if it closes and is short enough.
fn group_content(open: usize, pairs: &HashMap<usize, usize>) -> Option<Range<usize>> {
    let close = *pairs.get(&open)?;
    (close - open <= MAX_GROUP).then_some(open + 1..close)
}

/// `[see @a, p. 4; @b]` starting at `open`.
fn bracket_citation(
    text: &str,
    open: usize,
    pairs: &HashMap<usize, usize>,
) -> Option<FoundCitation> {
    let content = group_content(open, pairs)?;
    let items = split_parts(text, content.clone(), pairs)
        .into_iter()
        .map(|part| parse_item(text, part, pairs))
        .collect::<Option<Vec<_>>>()?;
    Some(FoundCitation {
        range: open..content.end + 1,
        mode: CiteMode::Parenthetical,
        items,
    })
}

/// Split a group's content at `;` outside nested brackets.
fn split_parts(
    text: &str,
    content: Range<usize>,
    pairs: &HashMap<usize, usize>,
) -> Vec<Range<usize>> {
    let mut parts = Vec::new();
    let mut start = content.start;
    let mut pos = content.start;
    while pos < content.end {
        let Some(c) = text[pos..].chars().next() else {
            break;
        };
        match c {
            '[' => match pairs.get(&pos) {
                Some(&close) if close < content.end => pos = close,
                _ => {}
            },
            ';' => {
                parts.push(start..pos);
                start = pos + 1;
            }
            _ => {}
        }
        pos += text[pos..].chars().next().map_or(1, char::len_utf8);
    }
    parts.push(start..content.end);
    parts
}

/// One `;`-separated part: `prefix [-]@key [, locator] [suffix]`.
fn parse_item(text: &str, part: Range<usize>, pairs: &HashMap<usize, usize>) -> Option<FoundItem> {
    let (at, key, key_end) = first_key(text, part.clone(), pairs)?;
    let suppress_author = text[part.start..at].ends_with('-');
    let prefix_end = if suppress_author { at - 1 } else { at };
    let (locator, suffix, suffix_at) = parse_locator_and_suffix(&text[key_end..part.end]);
    Some(FoundItem {
        key,
        key_range: at..key_end,
        prefix: normalize_space(&text[part.start..prefix_end]),
        locator,
        suffix,
        suppress_author,
        prefix_range: part.start..prefix_end,
        suffix_range: key_end + suffix_at..part.end,
    })
}

/// The first `@key` at a word start in `range` (skipping nested groups): `(at, key, end)`.
fn first_key(
    text: &str,
    range: Range<usize>,
    pairs: &HashMap<usize, usize>,
) -> Option<(usize, String, usize)> {
    let mut pos = range.start;
    while pos < range.end {
        let c = text[pos..].chars().next()?;
        if c == '[' {
            if let Some(&close) = pairs.get(&pos).filter(|&&close| close < range.end) {
                pos = close + 1;
                continue;
            }
        }
        if c == '@' && key_may_start(&text[range.start..pos]) {
            if let Some((key, end)) = parse_key(text, pos, range.end) {
                return Some((pos, key, end));
            }
        }
        pos += c.len_utf8();
    }
    None
}

/// Whether a key may start after `before` inside a group: at its start, at a word start, or
/// after a `-` that is itself at a word start.
fn key_may_start(before: &str) -> bool {
    let mut rev = before.chars().rev();
    match rev.next() {
        None => true,
        Some('-') => is_word_start(rev.next()),
        prev => is_word_start(prev),
    }
}

/// A narrative `@key`, optionally followed by ` [locator, suffix]`.
fn narrative_citation(
    text: &str,
    at: usize,
    pairs: &HashMap<usize, usize>,
) -> Option<FoundCitation> {
    if !is_word_start(text[..at].chars().next_back()) {
        return None;
    }
    narrative_at(text, at, pairs)
}

/// `-@key` outside brackets, as pandoc reads it: the year alone, in parentheses ("(1996)").
fn suppressed_citation(
    text: &str,
    dash: usize,
    pairs: &HashMap<usize, usize>,
) -> Option<FoundCitation> {
    if !text[dash + 1..].starts_with('@') || !is_word_start(text[..dash].chars().next_back()) {
        return None;
    }
    let mut citation = narrative_at(text, dash + 1, pairs)?;
    citation.range.start = dash;
    citation.mode = CiteMode::Parenthetical;
    for item in &mut citation.items {
        item.suppress_author = true;
        item.prefix_range = dash..dash;
    }
    Some(citation)
}

/// The narrative citation whose `@` is at `at`, wherever it stands.
fn narrative_at(text: &str, at: usize, pairs: &HashMap<usize, usize>) -> Option<FoundCitation> {
    let (key, key_end) = parse_key(text, at, text.len())?;
    let mut item = FoundItem {
        key,
        key_range: at..key_end,
        prefix: String::new(),
        locator: None,
        suffix: String::new(),
        suppress_author: false,
        prefix_range: at..at,
        suffix_range: key_end..key_end,
    };
    let mut end = key_end;
    if let Some(content) = trailing_group(text, key_end, pairs) {
        let (locator, suffix, suffix_at) = parse_locator_and_suffix(&text[content.clone()]);
        item.locator = locator;
        item.suffix = suffix;
        item.suffix_range = content.start + suffix_at..content.end;
        end = content.end + 1;
    }
    Some(FoundCitation {
        range: at..end,
        mode: CiteMode::Narrative,
        items: vec![item],
    })
}

/// The content of a `[...]` right after a narrative key (one space allowed), unless it cites.
fn trailing_group(
    text: &str,
    key_end: usize,
    pairs: &HashMap<usize, usize>,
) -> Option<Range<usize>> {
    let rest = &text[key_end..];
    let gap = match rest.chars().next()? {
        '[' => 0,
        c if c.is_whitespace() && rest[c.len_utf8()..].starts_with('[') => c.len_utf8(),
        _ => return None,
    };
    let content = group_content(key_end + gap, pairs)?;
    match first_key(text, content.clone(), pairs) {
        Some(_) => None,
        None => Some(content),
    }
}

/// Parse the key after the `@` at `at`; returns the key and the byte offset after it.
fn parse_key(text: &str, at: usize, limit: usize) -> Option<(String, usize)> {
    let body = text.get(at + 1..limit)?;
    if let Some(braced) = body.strip_prefix('{') {
        let close = braced.find('}')?;
        let key = braced[..close].trim();
        let valid = !key.is_empty() && !key.contains(['{', '@']);
        return valid.then(|| (key.to_string(), at + 2 + close + 1));
    }
    let first = body.chars().next()?;
    if !(first.is_alphanumeric() || first == '_') {
        return None;
    }
    let len = key_length(body);
    Some((body[..len].to_string(), at + 1 + len))
}

/// Length in bytes of the key at the start of `body`: key characters, with internal
/// punctuation kept only when a key character follows it.
fn key_length(body: &str) -> usize {
    let mut end = 0;
    let mut chars = body.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if is_key_char(c) {
            end = i + c.len_utf8();
        } else if is_internal_punct(c) && chars.peek().is_some_and(|&(_, n)| is_key_char(n)) {
            continue;
        } else {
            break;
        }
    }
    end
}

fn is_key_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || (!c.is_ascii() && !c.is_whitespace() && !is_unicode_punct(c))
}

fn is_internal_punct(c: char) -> bool {
    matches!(c, ':' | '.' | '-' | '_' | '/' | '+' | '#')
}

/// Non-ASCII punctuation that ends a key: general punctuation (curly quotes, dashes), Latin-1
/// punctuation, CJK and full-width punctuation, Khmer signs.
fn is_unicode_punct(c: char) -> bool {
    matches!(c,
        '\u{00A0}'..='\u{00BF}' | '\u{00D7}' | '\u{00F7}' | '\u{2000}'..='\u{206F}'
        | '\u{2E00}'..='\u{2E7F}' | '\u{3000}'..='\u{303F}' | '\u{FF00}'..='\u{FF0F}'
        | '\u{FF1A}'..='\u{FF20}' | '\u{17D4}'..='\u{17DA}')
}

/// Whether a key may start after `prev` (the character before the `@`).
fn is_word_start(prev: Option<char>) -> bool {
    match prev {
        None => true,
        Some(c) => {
            c.is_whitespace()
                || matches!(
                    c,
                    '(' | '[' | '{' | '"' | '\'' | '“' | '‘' | '«' | '‹' | '„' | '‚' | '—' | '–'
                )
        }
    }
}

/// Split what follows a key into an optional locator and the suffix, with the offset in
/// `rest` where the suffix as written starts.
fn parse_locator_and_suffix(rest: &str) -> (Option<Locator>, String, usize) {
    let body = rest.trim_start();
    let after_comma = body.strip_prefix(',').map_or(body, str::trim_start);
    match locator_at(after_comma) {
        Some((locator, consumed)) => {
            let suffix = &after_comma[consumed..];
            let at = rest.len() - suffix.len();
            (Some(locator), normalize_space(suffix), at)
        }
        None => (None, normalize_space(body), rest.len() - body.len()),
    }
}

/// Locator terms, longest first within each kind's family so `pp.` wins over `p.`.
const TERMS: &[(&str, LocatorKind)] = &[
    ("pages", LocatorKind::Page),
    ("page", LocatorKind::Page),
    ("pp.", LocatorKind::Page),
    ("p.", LocatorKind::Page),
    ("chapters", LocatorKind::Chapter),
    ("chapter", LocatorKind::Chapter),
    ("chaps.", LocatorKind::Chapter),
    ("chap.", LocatorKind::Chapter),
    ("chs.", LocatorKind::Chapter),
    ("ch.", LocatorKind::Chapter),
    ("sections", LocatorKind::Section),
    ("section", LocatorKind::Section),
    ("secs.", LocatorKind::Section),
    ("sec.", LocatorKind::Section),
    ("§§", LocatorKind::Section),
    ("§", LocatorKind::Section),
    ("figures", LocatorKind::Figure),
    ("figure", LocatorKind::Figure),
    ("figs.", LocatorKind::Figure),
    ("fig.", LocatorKind::Figure),
    ("notes", LocatorKind::Note),
    ("note", LocatorKind::Note),
    ("nn.", LocatorKind::Note),
    ("n.", LocatorKind::Note),
    ("paragraphs", LocatorKind::Paragraph),
    ("paragraph", LocatorKind::Paragraph),
    ("paras.", LocatorKind::Paragraph),
    ("para.", LocatorKind::Paragraph),
    ("¶¶", LocatorKind::Paragraph),
    ("¶", LocatorKind::Paragraph),
    ("volumes", LocatorKind::Volume),
    ("volume", LocatorKind::Volume),
    ("vols.", LocatorKind::Volume),
    ("vol.", LocatorKind::Volume),
    ("lines", LocatorKind::Line),
    ("line", LocatorKind::Line),
    ("ll.", LocatorKind::Line),
    ("l.", LocatorKind::Line),
    ("books", LocatorKind::Book),
    ("book", LocatorKind::Book),
    ("bks.", LocatorKind::Book),
    ("bk.", LocatorKind::Book),
    ("parts", LocatorKind::Part),
    ("part", LocatorKind::Part),
    ("pts.", LocatorKind::Part),
    ("pt.", LocatorKind::Part),
    ("verses", LocatorKind::Verse),
    ("verse", LocatorKind::Verse),
    ("vv.", LocatorKind::Verse),
    ("v.", LocatorKind::Verse),
    ("columns", LocatorKind::Column),
    ("column", LocatorKind::Column),
    ("cols.", LocatorKind::Column),
    ("col.", LocatorKind::Column),
    ("folios", LocatorKind::Folio),
    ("folio", LocatorKind::Folio),
    ("fols.", LocatorKind::Folio),
    ("fol.", LocatorKind::Folio),
    ("numbers", LocatorKind::Issue),
    ("number", LocatorKind::Issue),
    ("issues", LocatorKind::Issue),
    ("issue", LocatorKind::Issue),
    ("nos.", LocatorKind::Issue),
    ("no.", LocatorKind::Issue),
    ("opera", LocatorKind::Opus),
    ("opus", LocatorKind::Opus),
    ("opp.", LocatorKind::Opus),
    ("op.", LocatorKind::Opus),
    ("sub verbis", LocatorKind::SubVerbo),
    ("sub verbo", LocatorKind::SubVerbo),
    ("s.vv.", LocatorKind::SubVerbo),
    ("s.v.", LocatorKind::SubVerbo),
];

/// A locator at the start of `s`: a term and a value, or a bare number (a page).
fn locator_at(s: &str) -> Option<(Locator, usize)> {
    if let Some((term, kind)) = term_at(s) {
        let after = &s[term..];
        let skipped = after.len() - after.trim_start().len();
        let (value, len) = if kind == LocatorKind::SubVerbo {
            headword_at(&after[skipped..])?
        } else {
            value_at(&after[skipped..], true)?
        };
        return Some((Locator { kind, value }, term + skipped + len));
    }
    let (value, len) = value_at(s, false)?;
    Some((
        Locator {
            kind: LocatorKind::Page,
            value,
        },
        len,
    ))
}

/// A dictionary's headword after `s.v.`: one word, or several in quotation marks.
fn headword_at(s: &str) -> Option<(String, usize)> {
    let quoted = ['"', '“', '\''].into_iter().find_map(|open| {
        let close = match open {
            '“' => '”',
            other => other,
        };
        let inner = s.strip_prefix(open)?;
        let end = inner.find(close)?;
        Some(open.len_utf8() + end + close.len_utf8())
    });
    let len = quoted.unwrap_or_else(|| {
        s.find(|c: char| c.is_whitespace() || c == ',' || c == ';')
            .unwrap_or(s.len())
    });
    (len > 0).then(|| (s[..len].to_string(), len))
}

/// The locator term at the start of `s` (case-insensitive): its byte length and kind.
fn term_at(s: &str) -> Option<(usize, LocatorKind)> {
    TERMS.iter().find_map(|&(term, kind)| {
        let head = s.get(..term.len())?;
        let next = s[term.len()..].chars().next();
        let bounded = term.ends_with('.') || !next.is_some_and(char::is_alphabetic);
        (head.eq_ignore_ascii_case(term) && bounded).then_some((term.len(), kind))
    })
}

/// A locator value: number-like tokens joined by range (`-`, `–`, `—`) or list (`,`, `&`,
/// `and`) separators. Returns the value with whitespace normalised and the bytes consumed.
fn value_at(s: &str, labeled: bool) -> Option<(String, usize)> {
    let mut end = token_length(s, labeled)?;
    loop {
        let rest = &s[end..];
        let Some(sep) = separator_length(rest) else {
            break;
        };
        match token_length(&rest[sep..], labeled) {
            Some(len) => end += sep + len,
            None => break,
        }
    }
    Some((normalize_space(&s[..end]), end))
}

/// Length of a separator (with surrounding spaces) at the start of `s`.
fn separator_length(s: &str) -> Option<usize> {
    let trimmed = s.trim_start();
    let lead = s.len() - trimmed.len();
    let sep = ["-", "–", "—", ",", "&", "and "]
        .iter()
        .find(|sep| trimmed.starts_with(**sep))?;
    let after = &trimmed[sep.len()..];
    Some(lead + sep.len() + (after.len() - after.trim_start().len()))
}

/// Length of a number-like token: alphanumerics (with internal `.` and `:`) holding a digit,
/// or, after a locator term, a roman numeral.
fn token_length(s: &str, labeled: bool) -> Option<usize> {
    let len = key_like_length(s);
    let token = &s[..len];
    let numeric = token.chars().any(char::is_numeric);
    let roman = labeled && !token.is_empty() && token.chars().all(|c| "ivxlcdmIVXLCDM".contains(c));
    (numeric || roman).then_some(len)
}

/// Length of the leading run of alphanumerics, with `.` and `:` kept only between them.
fn key_like_length(s: &str) -> usize {
    let mut end = 0;
    let mut chars = s.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if c.is_alphanumeric() {
            end = i + c.len_utf8();
        } else if matches!(c, '.' | ':') && chars.peek().is_some_and(|&(_, n)| n.is_alphanumeric())
        {
            continue;
        } else {
            break;
        }
    }
    end
}

/// Trim and collapse whitespace runs (including soft breaks) into single spaces.
fn normalize_space(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(text: &str) -> Vec<Vec<String>> {
        find_citations(text)
            .into_iter()
            .map(|c| c.items.into_iter().map(|i| i.key).collect())
            .collect()
    }

    fn one(text: &str) -> FoundCitation {
        let mut found = find_citations(text);
        assert_eq!(
            found.len(),
            1,
            "expected one citation in {text:?}: {found:?}"
        );
        found.remove(0)
    }

    fn item(text: &str) -> FoundItem {
        let mut citation = one(text);
        assert_eq!(citation.items.len(), 1);
        citation.items.remove(0)
    }

    fn loc(kind: LocatorKind, value: &str) -> Option<Locator> {
        Some(Locator {
            kind,
            value: value.to_string(),
        })
    }

    #[test]
    fn simple_parenthetical() {
        let text = "As shown [@kiernan1996].";
        let c = one(text);
        assert_eq!(c.mode, CiteMode::Parenthetical);
        assert_eq!(&text[c.range.clone()], "[@kiernan1996]");
        let i = &c.items[0];
        assert_eq!(i.key, "kiernan1996");
        assert_eq!(&text[i.key_range.clone()], "@kiernan1996");
        assert_eq!((i.prefix.as_str(), i.suffix.as_str()), ("", ""));
        assert_eq!(i.locator, None);
        assert!(!i.suppress_author);
    }

    #[test]
    fn page_locators() {
        assert_eq!(item("[@k, p. 45]").locator, loc(LocatorKind::Page, "45"));
        assert_eq!(
            item("[@k, pp. 45-47]").locator,
            loc(LocatorKind::Page, "45-47")
        );
        assert_eq!(
            item("[@k, pp. 45–47]").locator,
            loc(LocatorKind::Page, "45–47")
        );
        assert_eq!(item("[@k, 456]").locator, loc(LocatorKind::Page, "456"));
        assert_eq!(item("[@k, p.45]").locator, loc(LocatorKind::Page, "45"));
        assert_eq!(
            item("[@k, pages 12, 14]").locator,
            loc(LocatorKind::Page, "12, 14")
        );
        assert_eq!(item("[@k, P. 9]").locator, loc(LocatorKind::Page, "9"));
        assert_eq!(item("[@k p. 33]").locator, loc(LocatorKind::Page, "33"));
        assert_eq!(
            item("[@k, pp. 33 & 35]").locator,
            loc(LocatorKind::Page, "33 & 35")
        );
        assert_eq!(
            item("[@k, pp. xi-xiv]").locator,
            loc(LocatorKind::Page, "xi-xiv")
        );
    }

    #[test]
    fn a_dash_before_a_bare_key_suppresses_the_author() {
        let found = find_citations("As -@doe2005 shows, and e-@mail is not one.");
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].range, 3..12);
        assert_eq!(found[0].mode, CiteMode::Parenthetical);
        assert!(found[0].items[0].suppress_author);
        assert_eq!(found[0].items[0].key, "doe2005");
        let with_locator = &find_citations("-@doe2005 [p. 4] says")[0];
        assert_eq!(with_locator.items[0].locator, loc(LocatorKind::Page, "4"));
    }

    #[test]
    fn prefix_and_suffix_ranges_are_as_written() {
        let text = "[see  @a, p. 4, emphasis added; -@b]";
        let found = find_citations(text);
        let first = &found[0].items[0];
        assert_eq!(&text[first.prefix_range.clone()], "see  ");
        assert_eq!(&text[first.suffix_range.clone()], ", emphasis added");
        let second = &found[0].items[1];
        assert_eq!(&text[second.prefix_range.clone()], " ");
        assert!(second.suffix_range.is_empty());
    }

    #[test]
    fn every_locator_term_of_csl_is_read() {
        let cases = [
            ("[@k, bk. 9]", LocatorKind::Book, "9"),
            ("[@k, part 1]", LocatorKind::Part, "1"),
            ("[@k, vv. 9-11]", LocatorKind::Verse, "9-11"),
            ("[@k, vol. 2]", LocatorKind::Volume, "2"),
            ("[@k, col. 3]", LocatorKind::Column, "3"),
            ("[@k, fol. 12]", LocatorKind::Folio, "12"),
            ("[@k, no. 4]", LocatorKind::Issue, "4"),
            ("[@k, note 4]", LocatorKind::Note, "4"),
            ("[@k, op. 3]", LocatorKind::Opus, "3"),
            ("[@k, s.v. printing]", LocatorKind::SubVerbo, "printing"),
            (
                "[@k, s.v. “movable type”]",
                LocatorKind::SubVerbo,
                "“movable type”",
            ),
        ];
        for (text, kind, value) in cases {
            assert_eq!(item(text).locator, loc(kind, value), "{text}");
        }
        // CSL 1.0.2's newer locators are not citeproc's: "table 3" is suffix text there.
        let tabled = item("[@k, table 3]");
        assert_eq!(tabled.locator, None);
        assert_eq!(tabled.suffix, ", table 3");
    }

    #[test]
    fn other_locator_terms() {
        let cases = [
            ("chap. 2", LocatorKind::Chapter, "2"),
            ("ch. 3", LocatorKind::Chapter, "3"),
            ("chapter 4", LocatorKind::Chapter, "4"),
            ("chaps. 4-5", LocatorKind::Chapter, "4-5"),
            ("sec. 3.2", LocatorKind::Section, "3.2"),
            ("§ 7", LocatorKind::Section, "7"),
            ("§7", LocatorKind::Section, "7"),
            ("section 2", LocatorKind::Section, "2"),
            ("fig. 4", LocatorKind::Figure, "4"),
            ("figs. 4-6", LocatorKind::Figure, "4-6"),
            ("n. 12", LocatorKind::Note, "12"),
            ("nn. 12-13", LocatorKind::Note, "12-13"),
            ("note 3", LocatorKind::Note, "3"),
            ("para. 5", LocatorKind::Paragraph, "5"),
            ("¶ 5", LocatorKind::Paragraph, "5"),
            ("vol. 2", LocatorKind::Volume, "2"),
            ("vols. ii", LocatorKind::Volume, "ii"),
            ("l. 10", LocatorKind::Line, "10"),
            ("ll. 10–12", LocatorKind::Line, "10–12"),
            ("line 4", LocatorKind::Line, "4"),
        ];
        for (written, kind, value) in cases {
            let text = format!("[@k, {written}]");
            assert_eq!(item(&text).locator, loc(kind, value), "{written}");
        }
    }

    #[test]
    fn locator_then_suffix() {
        let i = item("[@a, 33, emphasis added]");
        assert_eq!(i.locator, loc(LocatorKind::Page, "33"));
        assert_eq!(i.suffix, ", emphasis added");
        let i = item("[@a, and passim]");
        assert_eq!(i.locator, None);
        assert_eq!(i.suffix, ", and passim");
        let i = item("[@a, chapter on genocide]");
        assert_eq!(i.locator, None);
        assert_eq!(i.suffix, ", chapter on genocide");
        let i = item("[@a, 33 and passim]");
        assert_eq!(i.locator, loc(LocatorKind::Page, "33"));
        assert_eq!(i.suffix, "and passim");
    }

    #[test]
    fn prefixes_and_several_items() {
        let c = one("[see @a, chap. 2; also @b]");
        assert_eq!(c.items.len(), 2);
        assert_eq!(c.items[0].prefix, "see");
        assert_eq!(c.items[0].locator, loc(LocatorKind::Chapter, "2"));
        assert_eq!(c.items[1].prefix, "also");
        assert_eq!(c.items[1].key, "b");
        assert_eq!(keys("[@a; @b]"), vec![vec!["a", "b"]]);
        let i = item("[see\nalso @a]");
        assert_eq!(i.prefix, "see also");
    }

    #[test]
    fn suppress_author() {
        let i = item("[-@kiernan1996, p. 4]");
        assert!(i.suppress_author);
        assert_eq!(i.prefix, "");
        assert_eq!(i.locator, loc(LocatorKind::Page, "4"));
        let c = one("[@a; -@b]");
        assert!(!c.items[0].suppress_author);
        assert!(c.items[1].suppress_author);
        let i = item("[see -@a]");
        assert!(i.suppress_author);
        assert_eq!(i.prefix, "see");
    }

    #[test]
    fn narrative() {
        let text = "@kiernan1996 argues that";
        let c = one(text);
        assert_eq!(c.mode, CiteMode::Narrative);
        assert_eq!(&text[c.range.clone()], "@kiernan1996");
        let text = "As @kiernan1996 [p. 45] argues";
        let c = one(text);
        assert_eq!(&text[c.range.clone()], "@kiernan1996 [p. 45]");
        assert_eq!(c.items[0].locator, loc(LocatorKind::Page, "45"));
        let c = one("@a[chap. 3, emphasis added] says");
        assert_eq!(c.items[0].locator, loc(LocatorKind::Chapter, "3"));
        assert_eq!(c.items[0].suffix, ", emphasis added");
    }

    #[test]
    fn narrative_followed_by_a_citation_group() {
        let found = find_citations("@a [@b] says");
        assert_eq!(found.len(), 2);
        assert_eq!(found[0].mode, CiteMode::Narrative);
        assert_eq!(found[0].items[0].locator, None);
        assert_eq!(found[1].mode, CiteMode::Parenthetical);
    }

    #[test]
    fn email_and_mid_word_at_are_not_citations() {
        assert!(find_citations("write to a@b.org or x@y today").is_empty());
        assert!(find_citations("price: 3@4").is_empty());
        assert!(find_citations("handle foo.@bar").is_empty());
        assert!(find_citations("see https://x.org/@user").is_empty());
        assert!(find_citations("an @ alone, @.nope and @-nope").is_empty());
    }

    #[test]
    fn trailing_punctuation_is_not_part_of_the_key() {
        assert_eq!(keys("See @short2005."), vec![vec!["short2005"]]);
        assert_eq!(
            keys("@short2005, and @doe:2005;"),
            vec![vec!["short2005"], vec!["doe:2005"]]
        );
        assert_eq!(keys("(@a.b-c_d:e)"), vec![vec!["a.b-c_d:e"]]);
        assert_eq!(keys("@key's book"), vec![vec!["key"]]);
        assert_eq!(keys("@key’s book"), vec![vec!["key"]]);
        assert_eq!(keys("[@k.]"), vec![vec!["k"]]);
    }

    #[test]
    fn brackets_without_keys_stay_text() {
        assert!(find_citations("[see above] and [1] and [@]").is_empty());
        // Not a group citation; the key inside is still a narrative one, as in pandoc.
        for text in ["[@a; see above]", "[@a;]", "unclosed [@a"] {
            assert_eq!(one(text).mode, CiteMode::Narrative, "{text}");
        }
        assert!(find_citations("[x-@a]").is_empty());
    }

    #[test]
    fn failed_group_still_finds_narrative_inside() {
        let text = "[shown by @a; see below]";
        let c = one(text);
        assert_eq!(c.mode, CiteMode::Narrative);
        assert_eq!(c.items[0].key, "a");
    }

    #[test]
    fn nested_brackets_stay_in_the_suffix() {
        let text = "[@a, p. 4 [fn]] after";
        let c = one(text);
        assert_eq!(&text[c.range.clone()], "[@a, p. 4 [fn]]");
        assert_eq!(c.items[0].locator, loc(LocatorKind::Page, "4"));
        assert_eq!(c.items[0].suffix, "[fn]");
        let c = one("[@a, see [x; y] there]");
        assert_eq!(c.items.len(), 1);
    }

    #[test]
    fn smart_punctuation_and_unicode_around() {
        let text = "“@kiernan1996” wrote ‘[@chandler1999, pp. 12–14]’ — ខ្មែរក្រហម [@s21]។";
        let found = find_citations(text);
        let got: Vec<&str> = found.iter().map(|c| &text[c.range.clone()]).collect();
        assert_eq!(
            got,
            ["@kiernan1996", "[@chandler1999, pp. 12–14]", "[@s21]"]
        );
        assert_eq!(found[1].items[0].locator, loc(LocatorKind::Page, "12–14"));
        assert_eq!(keys("—@a"), vec![vec!["a"]]);
    }

    #[test]
    fn several_citations_in_one_text() {
        let text = "First [@a], then @b [p. 2], and finally [see @c; -@d, fig. 3].";
        let found = find_citations(text);
        let ranges: Vec<&str> = found.iter().map(|c| &text[c.range.clone()]).collect();
        assert_eq!(ranges, ["[@a]", "@b [p. 2]", "[see @c; -@d, fig. 3]"]);
        assert_eq!(found[2].items[1].locator, loc(LocatorKind::Figure, "3"));
        for c in &found {
            for i in &c.items {
                assert_eq!(&text[i.key_range.clone()], format!("@{}", i.key));
            }
        }
    }

    #[test]
    fn braced_keys_and_unicode_keys() {
        assert_eq!(
            keys("[@{Smith, J. 2001}, p. 3]"),
            vec![vec!["Smith, J. 2001"]]
        );
        assert_eq!(
            keys("@müller2001 and @ខ្មែរ"),
            vec![vec!["müller2001"], vec!["ខ្មែរ"]]
        );
    }

    #[test]
    fn hostile_input_stays_fast() {
        let text = "[".repeat(20_000) + &"@a ".repeat(5_000) + &"]".repeat(20_000);
        let started = std::time::Instant::now();
        let _ = find_citations(&text);
        assert!(started.elapsed().as_secs() < 5);
        let text = "@".repeat(50_000) + &"[@".repeat(20_000);
        let _ = find_citations(&text);
        let text = "[see @a ".repeat(500) + &"]".repeat(500);
        assert!(!find_citations(&text).is_empty());
        assert!(started.elapsed().as_secs() < 5);
    }
}
