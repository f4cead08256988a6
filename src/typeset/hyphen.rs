//! Hyphenation points for the words of a paragraph, for the line breaker.
//!
//! Liang's patterns come from the `hyphenation` crate, which embeds the TeX patterns of
//! about 70 languages (`embed_all`); [`patterns_for`] picks the set for a BCP 47 tag (en-GB
//! gets the British patterns, de the 1996 German ones). Around them we apply the rules a
//! book needs and the crate does not know (DESIGN.md, "Line breaking is ours"): at least two
//! letters before and three after a break (more where the language's own patterns ask for
//! more); no hyphenation of capitalised words, which in most languages are names ("Phnom
//! Penh", "Cambodia"), except in German, where every noun is capitalised; none of words
//! with a capital after the first letter (camelCase, "iPhone", acronyms), of words with
//! digits, of URLs and e-mail addresses, or of code; compounds break only after their own
//! hyphens; leading and trailing punctuation is left alone. A span in another language
//! ([`Hyphenator::hyphenate_in`]) is hyphenated by that language's patterns.
//! Offsets are bytes into the caller's token, always on `char` boundaries, so
//! the shaper can map them to clusters.

use std::sync::{Arc, Mutex, OnceLock};

use hyphenation::{Hyphenator as _, Language, Load, Standard};
use rustc_hash::FxHashMap;

/// Fewest letters before a break.
pub(crate) const LEFT_MIN: usize = 2;
/// Fewest letters after a break.
pub(crate) const RIGHT_MIN: usize = 3;
/// Longest letter run that pattern hyphenation is tried on (TeX's limit).
const MAX_RUN_LETTERS: usize = 63;
/// Longest token core considered at all; longer ones are not words.
const MAX_CORE_CHARS: usize = 256;
/// U+00AD SOFT HYPHEN.
const SOFT_HYPHEN: char = '\u{ad}';

/// What kind of text a token is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum TokenKind {
    /// Running text: hyphenated by the rules of this module.
    Prose,
    /// Inline or block code: never hyphenated.
    Code,
    /// Running text too wide for its measure (a narrow table cell): hyphenated by the
    /// patterns even when capitalised, since it must break somewhere.
    Wide,
}

/// A place where a token may be broken across lines.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct HyphenPoint {
    /// Byte offset into the token: the first line gets `token[..offset]`,
    /// the next line `token[offset..]`. Always a `char` boundary.
    pub offset: usize,
    /// A hyphen must be added at the end of the first part (false after an
    /// explicit hyphen or dash, which is already there).
    pub insert_hyphen: bool,
}

/// Finds hyphenation points; load it once per book and keep it.
///
/// It hyphenates the book's language by default and any other language with patterns on
/// request ([`Hyphenator::hyphenate_in`]); a language without patterns is set unhyphenated
/// (the build warns about it once, see [`unhyphenated_language`]).
pub(crate) struct Hyphenator {
    /// The book language's patterns, `None` when the crate has none for it.
    book: Option<Patterns>,
    /// Patterns of the other languages met so far (spans), by language.
    others: std::cell::RefCell<FxHashMap<Language, Patterns>>,
    /// Points already found, per language and word: a book repeats its words, and pattern
    /// matching is the costliest part of setting a paragraph (9 % of a PDF build before
    /// this cache). One hyphenator serves one thread, so a `RefCell` is enough.
    /// One map per [`TokenKind`], so that a lookup needs no key of its own.
    memo: std::cell::RefCell<FxHashMap<TextLanguage, [Memo; 3]>>,
}

/// The patterns a stretch of text is hyphenated with: the book's, or a span's own.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub(crate) enum TextLanguage {
    /// The book's language.
    #[default]
    Book,
    /// A span in a language with patterns.
    Patterns(Language),
    /// A span in a language without patterns: words break only after their own hyphens.
    Unhyphenated,
}

impl TextLanguage {
    /// The patterns for a span whose BCP 47 tag is `tag`.
    pub(crate) fn of_tag(tag: &str) -> TextLanguage {
        match patterns_for(tag) {
            Some(language) => TextLanguage::Patterns(language),
            None => TextLanguage::Unhyphenated,
        }
    }
}

/// Hyphenation points found per word.
type Memo = FxHashMap<String, Vec<HyphenPoint>>;

/// One language's patterns and the rules that go with them.
#[derive(Clone)]
struct Patterns {
    /// The patterns, shared by every thread (loading them takes ~20 ms).
    dict: Arc<Standard>,
    /// Fewest letters before and after a break: the book's minima or the language's own,
    /// whichever is larger.
    minima: (usize, usize),
    /// Capitalised words are hyphenated (German nouns); elsewhere they are names.
    capitals: bool,
}

impl Patterns {
    /// The patterns of `language`, loaded once per process and shared.
    fn load(language: Language) -> Option<Patterns> {
        static LOADED: OnceLock<Mutex<FxHashMap<Language, Arc<Standard>>>> = OnceLock::new();
        let loaded = LOADED.get_or_init(Default::default);
        let mut loaded = loaded
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let dict = match loaded.get(&language) {
            Some(dict) => Arc::clone(dict),
            None => {
                let dict = Arc::new(Standard::from_embedded(language).ok()?);
                loaded.insert(language, Arc::clone(&dict));
                dict
            }
        };
        let (left, right) = language.minima();
        Some(Patterns {
            dict,
            minima: (left.max(LEFT_MIN), right.max(RIGHT_MIN)),
            capitals: capitalised_words_hyphenate(language),
        })
    }
}

/// Languages that capitalise common nouns, so that a capital does not mark a name.
fn capitalised_words_hyphenate(language: Language) -> bool {
    matches!(
        language,
        Language::German1901 | Language::German1996 | Language::GermanSwiss
    )
}

/// Words longer than this (in bytes) are not memoised: they are rare, and a hostile
/// megabyte-long word must not be kept twice.
const MEMO_MAX_WORD: usize = 64;

/// A memo holding this many words is emptied before it takes another: a novel uses some
/// tens of thousands of distinct words, but a table of a million distinct cells would keep
/// each (110 MB) for nothing. The points found do not depend on the memo.
const MEMO_MAX_WORDS: usize = 1 << 16;

/// Languages whose writing is not hyphenated in print (lines break between words or
/// syllables without a hyphen, or anywhere): no patterns are wanted, and no warning is due.
const NEVER_HYPHENATED: &[&str] = &[
    "zh", "ja", "ko", "km", "lo", "my", "bo", "dz", "ii", "jv", "su", "zxx", "und", "mul",
];

/// Regions whose English follows British spelling and hyphenation.
const BRITISH_ENGLISH_REGIONS: &[&str] = &["gb", "uk", "au", "nz", "ie", "za", "in"];

/// The patterns for a BCP 47 language tag (case and `_` ignored), `None` when the
/// `hyphenation` crate has none: English by region (British for en-GB and the
/// Commonwealth, US otherwise), German in the 1996 spelling unless the tag asks for 1901,
/// Greek monotonic unless polytonic, Serbian in its script, and every other language
/// through its primary subtag.
pub(crate) fn patterns_for(tag: &str) -> Option<Language> {
    let tag = tag.trim().to_ascii_lowercase().replace('_', "-");
    let subtags: Vec<&str> = tag.split('-').collect();
    let has = |s: &str| subtags.iter().skip(1).any(|t| *t == s);
    let language = match subtags.first().copied()? {
        "en" if BRITISH_ENGLISH_REGIONS.iter().any(|r| has(r)) => Language::EnglishGB,
        "en" => Language::EnglishUS,
        "de" | "gsw" if has("1901") && has("ch") => Language::GermanSwiss,
        "de" if has("1901") => Language::German1901,
        "de" | "gsw" => Language::German1996,
        "el" if has("polyton") => Language::GreekPoly,
        "el" => Language::GreekMono,
        "la" if has("x") && has("classic") => Language::LatinClassic,
        "la" if has("x") && has("liturgic") => Language::LatinLiturgical,
        "sr" if has("latn") => Language::SerbocroatianLatin,
        "sr" => Language::SerbianCyrillic,
        "sh" if has("cyrl") => Language::SerbocroatianCyrillic,
        "sh" | "bs" => Language::SerbocroatianLatin,
        "no" => Language::NorwegianBokmal,
        "mn" => Language::Mongolian,
        "fi" if has("school") => Language::FinnishScholastic,
        primary => Language::try_from_code(primary)?,
    };
    Some(language)
}

/// The language of `tag` when its text will be set unhyphenated for want of patterns (a
/// language the crate lacks), for the build's warning; `None` when it has patterns or is
/// not hyphenated in print at all (Chinese, Khmer, …; see [`NEVER_HYPHENATED`]).
pub(crate) fn unhyphenated_language(tag: &str) -> Option<String> {
    let tag = tag.trim().to_ascii_lowercase().replace('_', "-");
    let primary = tag.split('-').next().unwrap_or_default();
    if primary.is_empty() || NEVER_HYPHENATED.contains(&primary) || patterns_for(&tag).is_some() {
        return None;
    }
    Some(tag)
}

impl std::fmt::Debug for Hyphenator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let language = self.book.as_ref().map(|p| p.dict.language().code());
        f.debug_struct("Hyphenator")
            .field("language", &language)
            .finish()
    }
}

impl Hyphenator {
    /// The hyphenator for a book in the BCP 47 language `tag` (see [`patterns_for`]); a
    /// language without patterns is set unhyphenated, its spans in other languages by
    /// their own patterns.
    pub(crate) fn new(tag: &str) -> Hyphenator {
        Hyphenator {
            book: patterns_for(tag).and_then(Patterns::load),
            others: Default::default(),
            memo: Default::default(),
        }
    }

    /// A hyphenator for the same language with an empty memo, for another thread.
    pub(crate) fn fork(&self) -> Option<Hyphenator> {
        Some(Hyphenator {
            book: self.book.clone(),
            others: Default::default(),
            memo: Default::default(),
        })
    }

    /// The points where `token` may break in the book's language (see
    /// [`Hyphenator::hyphenate_in`]).
    #[cfg(test)]
    pub(crate) fn hyphenate(&self, token: &str, kind: TokenKind) -> Vec<HyphenPoint> {
        self.hyphenate_in(token, kind, TextLanguage::Book)
    }

    /// The points where `token` (one whitespace-free token, punctuation
    /// included) may break, in increasing order.
    ///
    /// Soft hyphens (U+00AD), where present, are the author's choice and the
    /// only points returned (the offset is just after the U+00AD, which the
    /// caller should not render). A token with hyphens or dashes breaks only
    /// after them: never elsewhere, so that a compound is never broken without
    /// a visible hyphen. Otherwise the letter core is hyphenated by the
    /// patterns of `language` (none at all when the language has none).
    pub(crate) fn hyphenate_in(
        &self,
        token: &str,
        kind: TokenKind,
        language: TextLanguage,
    ) -> Vec<HyphenPoint> {
        let patterns = match language {
            TextLanguage::Book => self.book.clone(),
            TextLanguage::Patterns(language) => self.patterns(language),
            TextLanguage::Unhyphenated => None,
        };
        if token.len() > MEMO_MAX_WORD {
            return find_points(token, kind, patterns.as_ref());
        }
        let memo = kind as usize;
        if let Some(points) = self
            .memo
            .borrow()
            .get(&language)
            .and_then(|memos| memos[memo].get(token))
        {
            return points.clone();
        }
        let points = find_points(token, kind, patterns.as_ref());
        let mut memos = self.memo.borrow_mut();
        let memos = memos.entry(language).or_default();
        if memos[memo].len() >= MEMO_MAX_WORDS {
            memos[memo].clear();
        }
        memos[memo].insert(token.to_string(), points.clone());
        points
    }

    /// The patterns of a span's `language`, loaded on first use.
    fn patterns(&self, language: Language) -> Option<Patterns> {
        if let Some(patterns) = self.others.borrow().get(&language) {
            return Some(patterns.clone());
        }
        let patterns = Patterns::load(language)?;
        self.others.borrow_mut().insert(language, patterns.clone());
        Some(patterns)
    }
}

/// The points of `token` (see [`Hyphenator::hyphenate_in`]) with `patterns`.
fn find_points(token: &str, kind: TokenKind, patterns: Option<&Patterns>) -> Vec<HyphenPoint> {
    if kind == TokenKind::Code || !is_plain_word(token) {
        return Vec::new();
    }
    let Some((start, end)) = letter_core(token) else {
        return Vec::new();
    };
    let Some(core) = token.get(start..end) else {
        return Vec::new();
    };
    if core.chars().count() > MAX_CORE_CHARS || !core.chars().all(allowed_in_core) {
        return Vec::new();
    }
    let points = if core.contains(SOFT_HYPHEN) {
        soft_points(core)
    } else if core.contains(is_breaking_dash) || core.contains(NON_BREAKING_HYPHEN) {
        dash_points(core)
    } else if has_inner_capital(core) {
        Vec::new()
    } else {
        match patterns {
            Some(p) if p.capitals || kind == TokenKind::Wide || !starts_with_capital(core) => {
                pattern_points(p, core)
            }
            _ => Vec::new(),
        }
    };
    points
        .into_iter()
        .map(|p| HyphenPoint {
            offset: p.offset + start,
            ..p
        })
        .collect()
}

/// Pattern hyphenation of each letter run of `core` (runs are separated by apostrophes),
/// keeping the letter minima over the whole core.
fn pattern_points(patterns: &Patterns, core: &str) -> Vec<HyphenPoint> {
    let (left, right) = patterns.minima;
    let mut points = Vec::new();
    for (run_start, run) in letter_runs(core) {
        let letters = run.chars().filter(|c| c.is_alphabetic()).count();
        if !(left + right..=MAX_RUN_LETTERS).contains(&letters) {
            continue;
        }
        for offset in run_points(&patterns.dict, run) {
            let offset = run_start + offset;
            if breakable_at(core, offset, left, right) {
                points.push(HyphenPoint {
                    offset,
                    insert_hyphen: true,
                });
            }
        }
    }
    points
}

/// Pattern break offsets inside one run of letters, mapped back from the lower-cased copy
/// the patterns need.
fn run_points(dict: &Standard, run: &str) -> Vec<usize> {
    let mut lower = String::with_capacity(run.len());
    let mut map = Vec::with_capacity(run.len() + 1);
    for (i, c) in run.char_indices() {
        map.push((lower.len(), i));
        let mut lc = c.to_lowercase();
        match (lc.next(), lc.next()) {
            (Some(l), None) => lower.push(l),
            _ => lower.push(c),
        }
    }
    map.push((lower.len(), run.len()));
    dict.opportunities(&lower)
        .into_iter()
        .filter_map(|o| map.binary_search_by_key(&o, |&(l, _)| l).ok())
        .filter_map(|k| map.get(k).map(|&(_, orig)| orig))
        .collect()
}

/// U+2011 NON-BREAKING HYPHEN: a hyphen that forbids breaking.
const NON_BREAKING_HYPHEN: char = '\u{2011}';

/// Hyphen and dashes after which a line may break.
fn is_breaking_dash(c: char) -> bool {
    matches!(c, '-' | '\u{2010}' | '\u{2013}' | '\u{2014}')
}

/// Apostrophes that may occur inside a word.
fn is_apostrophe(c: char) -> bool {
    matches!(c, '\'' | '\u{2019}' | '\u{02bc}')
}

/// Combining marks (a decomposed "naïve" keeps its diaeresis with the `i`).
fn is_combining(c: char) -> bool {
    matches!(c,
        '\u{0300}'..='\u{036f}'
        | '\u{1ab0}'..='\u{1aff}'
        | '\u{1dc0}'..='\u{1dff}'
        | '\u{20d0}'..='\u{20ff}'
        | '\u{fe20}'..='\u{fe2f}')
}

fn is_letter_or_mark(c: char) -> bool {
    c.is_alphabetic() || is_combining(c)
}

/// Characters a hyphenatable word may contain between its first and last letter.
fn allowed_in_core(c: char) -> bool {
    is_letter_or_mark(c)
        || is_apostrophe(c)
        || is_breaking_dash(c)
        || c == NON_BREAKING_HYPHEN
        || c == SOFT_HYPHEN
}

/// False for tokens with digits and for URL- or e-mail-like tokens.
fn is_plain_word(token: &str) -> bool {
    let lower = token.to_lowercase();
    !token.chars().any(char::is_numeric)
        && !lower.contains("://")
        && !lower.contains('@')
        && !lower.contains("www.")
}

/// Byte range from the first letter to the end of the last letter (with its
/// combining marks); `None` if the token has no letter.
fn letter_core(token: &str) -> Option<(usize, usize)> {
    let start = token.find(char::is_alphabetic)?;
    let (last, c) = token
        .char_indices()
        .rev()
        .find(|&(_, c)| is_letter_or_mark(c))?;
    let end = last + c.len_utf8();
    (end > start).then_some((start, end))
}

/// A word that starts with a capital letter (a name, in most languages).
fn starts_with_capital(core: &str) -> bool {
    core.chars().next().is_some_and(char::is_uppercase)
}

/// A capital letter anywhere after the first character.
fn has_inner_capital(core: &str) -> bool {
    core.chars().skip(1).any(char::is_uppercase)
}

/// Maximal runs of letters (with marks) and their byte offsets in `core`.
fn letter_runs(core: &str) -> Vec<(usize, &str)> {
    let mut runs = Vec::new();
    let mut start = None;
    for (i, c) in core
        .char_indices()
        .chain(std::iter::once((core.len(), ' ')))
    {
        match (start, is_letter_or_mark(c)) {
            (None, true) => start = Some(i),
            (Some(s), false) => {
                runs.push((s, &core[s..i]));
                start = None;
            }
            _ => {}
        }
    }
    runs
}

/// Whether `offset` is a boundary with at least `left` letters before it and
/// `right` after it, not followed by a combining mark.
fn breakable_at(core: &str, offset: usize, left: usize, right: usize) -> bool {
    let (Some(before), Some(after)) = (core.get(..offset), core.get(offset..)) else {
        return false;
    };
    let letters = |s: &str| s.chars().filter(|c| c.is_alphabetic()).count();
    let starts_with_mark = after.chars().next().is_some_and(is_combining);
    !starts_with_mark && letters(before) >= left && letters(after) >= right
}

/// Breaks just after each soft hyphen with a letter on both sides.
fn soft_points(core: &str) -> Vec<HyphenPoint> {
    core.match_indices(SOFT_HYPHEN)
        .map(|(i, s)| i + s.len())
        .filter(|&offset| breakable_at(core, offset, 1, 1))
        .map(|offset| HyphenPoint {
            offset,
            insert_hyphen: true,
        })
        .collect()
}

/// Breaks just after each hyphen or dash that is followed by a letter.
fn dash_points(core: &str) -> Vec<HyphenPoint> {
    core.char_indices()
        .filter(|&(_, c)| is_breaking_dash(c))
        .map(|(i, c)| i + c.len_utf8())
        .filter(|&offset| {
            core.get(offset..)
                .is_some_and(|s| s.starts_with(char::is_alphabetic))
        })
        .filter(|&offset| breakable_at(core, offset, LEFT_MIN, RIGHT_MIN))
        .map(|offset| HyphenPoint {
            offset,
            insert_hyphen: false,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn english() -> Hyphenator {
        Hyphenator::new("en-US")
    }

    /// The memo never holds more than its bound, and what it forgets is found again alike.
    #[test]
    fn the_memo_is_bounded_and_answers_alike_after_it_is_emptied() {
        let h = english();
        let first = offsets(&h, "typographical");
        for n in 0..MEMO_MAX_WORDS + 10 {
            h.hyphenate(&format!("word{n}"), TokenKind::Prose);
            let memo = h.memo.borrow();
            let words = memo
                .get(&TextLanguage::Book)
                .map_or(0, |m| m[TokenKind::Prose as usize].len());
            assert!(words <= MEMO_MAX_WORDS);
        }
        assert_eq!(offsets(&h, "typographical"), first);
    }

    fn offsets(h: &Hyphenator, token: &str) -> Vec<usize> {
        h.hyphenate(token, TokenKind::Prose)
            .iter()
            .map(|p| p.offset)
            .collect()
    }

    /// The token with `-` at each inserted hyphen and `|` after explicit ones.
    fn shown(h: &Hyphenator, token: &str) -> String {
        let mut out = String::new();
        let mut last = 0;
        for p in h.hyphenate(token, TokenKind::Prose) {
            out.push_str(&token[last..p.offset]);
            out.push(if p.insert_hyphen { '-' } else { '|' });
            last = p.offset;
        }
        out.push_str(&token[last..]);
        out
    }

    #[test]
    fn loads_once_and_debugs() {
        let clock = std::time::Instant::now();
        let h = english();
        eprintln!("en-US patterns loaded in {:?}", clock.elapsed());
        assert_eq!(format!("{h:?}"), "Hyphenator { language: Some(\"en-us\") }");
    }

    #[test]
    fn languages() {
        for tag in ["en", "en-US", "EN_us", "en-CA", " en "] {
            assert_eq!(patterns_for(tag), Some(Language::EnglishUS), "{tag}");
        }
        for tag in ["en-GB", "en-gb", "en-AU", "en-Latn-GB"] {
            assert_eq!(patterns_for(tag), Some(Language::EnglishGB), "{tag}");
        }
        let expected = [
            ("de", Language::German1996),
            ("de-AT", Language::German1996),
            ("de-CH", Language::German1996),
            ("de-1901", Language::German1901),
            ("fr-CA", Language::French),
            ("es", Language::Spanish),
            ("it", Language::Italian),
            ("pt-BR", Language::Portuguese),
            ("nl", Language::Dutch),
            ("sv", Language::Swedish),
            ("da", Language::Danish),
            ("no", Language::NorwegianBokmal),
            ("nn", Language::NorwegianNynorsk),
            ("pl", Language::Polish),
            ("cs", Language::Czech),
            ("ru", Language::Russian),
            ("el", Language::GreekMono),
            ("sr-Latn", Language::SerbocroatianLatin),
        ];
        for (tag, language) in expected {
            assert_eq!(patterns_for(tag), Some(language), "{tag}");
            assert!(Patterns::load(language).is_some(), "{tag}");
        }
        for tag in ["km", "", "english", "xx", "ja"] {
            assert_eq!(patterns_for(tag), None, "{tag}");
        }
    }

    #[test]
    fn languages_without_patterns_are_named_once_known() {
        assert_eq!(unhyphenated_language("xx-YY"), Some("xx-yy".to_string()));
        assert_eq!(unhyphenated_language("haw"), Some("haw".to_string()));
        for tag in ["en", "de", "km", "zh-Hans", "ja", "und", ""] {
            assert_eq!(unhyphenated_language(tag), None, "{tag}");
        }
    }

    #[test]
    fn each_language_its_own_patterns() {
        let h = english();
        let british = TextLanguage::of_tag("en-GB");
        let shown_in = |word: &str, language| {
            let mut out = String::new();
            let mut last = 0;
            for p in h.hyphenate_in(word, TokenKind::Prose, language) {
                out.push_str(&word[last..p.offset]);
                out.push('-');
                last = p.offset;
            }
            out.push_str(&word[last..]);
            out
        };
        // The US and British patterns disagree on this word.
        assert_ne!(
            shown_in("democratic", TextLanguage::Book),
            shown_in("democratic", british)
        );
        let german = TextLanguage::of_tag("de");
        let shown = shown_in("Donaudampfschifffahrtsgesellschaft", german);
        assert!(shown.matches('-').count() >= 5, "{shown}");
        assert!(shown.contains("schiff-fahrts"), "{shown}");
        let compound = "Donaudampfschifffahrts-Gesellschaft";
        let points = h.hyphenate_in(compound, TokenKind::Prose, german);
        assert_eq!(points.len(), 1);
        assert!(!points[0].insert_hyphen && compound[..points[0].offset].ends_with('-'));
        assert_eq!(
            shown_in("extraordinaire", TextLanguage::of_tag("fr")),
            "ex-tra-or-di-naire"
        );
        assert_eq!(
            shown_in("hyphenation", TextLanguage::Unhyphenated),
            "hyphenation"
        );
    }

    #[test]
    fn dictionary_words() {
        let h = english();
        assert_eq!(shown(&h, "hyphenation"), "hy-phen-a-tion");
        assert_eq!(offsets(&h, "hyphenation"), vec![2, 6, 7]);
        assert_eq!(shown(&h, "international"), "in-ter-na-tional");
        assert!(h
            .hyphenate("hyphenation", TokenKind::Prose)
            .iter()
            .all(|p| p.insert_hyphen));
    }

    /// Capitalised words are names in English ("Cambodia", "Hinton"); German
    /// capitalises every noun, and hyphenates them.
    #[test]
    fn capitalised_words_are_names_except_in_german() {
        let h = english();
        for word in ["Cambodia", "Hinton", "Phnom", "Dictionary", "“Cambodia,”"] {
            assert!(offsets(&h, word).is_empty(), "{word}");
        }
        assert_eq!(shown(&h, "dictionary"), "dic-tio-nary");
        // A name wider than its measure (a narrow cell) must break: by the patterns.
        let wide = h.hyphenate_in("Cambodia", TokenKind::Wide, TextLanguage::Book);
        assert_eq!(wide.len(), 2);
        let german = Hyphenator::new("de-DE");
        assert_eq!(shown(&german, "Gesellschaft"), "Ge-sell-schaft");
    }

    #[test]
    fn inner_capitals_are_never_hyphenated() {
        let h = english();
        for word in [
            "McDonald",
            "iPhone",
            "NASA",
            "UNESCO",
            "camelCaseIdentifier",
            "ÉLÉGANCE",
        ] {
            assert!(offsets(&h, word).is_empty(), "{word}");
        }
    }

    #[test]
    fn minimum_two_before_three_after() {
        let h = english();
        let words = [
            "hyphenation",
            "international",
            "encyclopedia",
            "representative",
            "unbelievably",
            "catastrophically",
            "extraordinary",
            "responsibilities",
        ];
        for word in words {
            let points = offsets(&h, word);
            assert!(!points.is_empty(), "{word}");
            for p in points {
                assert!(
                    p >= LEFT_MIN && word.len() - p >= RIGHT_MIN,
                    "{word} at {p}"
                );
            }
        }
        assert!(offsets(&h, "ideas").is_empty());
    }

    #[test]
    fn digits_urls_and_mail_are_left_alone() {
        let h = english();
        let tokens = [
            "https://example.org/path",
            "https://example.org/hyphenation",
            "www.hyphenation.org",
            "WWW.EXAMPLE.ORG",
            "someone@example.org",
            "hyphenation2",
            "COVID-19",
            "1990s",
            "example.org",
            "snake_case_identifier",
        ];
        for token in tokens {
            assert!(offsets(&h, token).is_empty(), "{token}");
        }
    }

    #[test]
    fn code_is_never_hyphenated() {
        let h = english();
        assert!(h.hyphenate("hyphenation", TokenKind::Code).is_empty());
        assert!(h.hyphenate("well-known", TokenKind::Code).is_empty());
    }

    #[test]
    fn compounds_break_only_after_their_hyphens() {
        let h = english();
        assert_eq!(shown(&h, "well-known"), "well-|known");
        assert_eq!(shown(&h, "hyphenation-friendly"), "hyphenation-|friendly");
        assert_eq!(shown(&h, "Anglo-Saxon"), "Anglo-|Saxon");
        assert_eq!(shown(&h, "mother-in-law"), "mother-|in-|law");
        assert_eq!(shown(&h, "encyclopedia—anyway"), "encyclopedia—|anyway");
        assert!(offsets(&h, "e-mail").is_empty());
        assert!(offsets(&h, "x-ray").is_empty());
        assert!(offsets(&h, "well\u{2011}known").is_empty());
        let points = h.hyphenate("well-known", TokenKind::Prose);
        assert_eq!(
            points,
            vec![HyphenPoint {
                offset: 5,
                insert_hyphen: false
            }]
        );
    }

    #[test]
    fn soft_hyphens_are_the_authors_choice() {
        let h = english();
        let word = "ri\u{ad}bo\u{ad}nu\u{ad}cle\u{ad}ase";
        assert_eq!(offsets(&h, word), vec![4, 8, 12, 17]);
        assert!(word[..4].ends_with('\u{ad}'));
    }

    #[test]
    fn punctuation_around_the_core() {
        let h = english();
        let token = "“hyphenation,”";
        let points = offsets(&h, token);
        assert_eq!(points, vec![5, 9, 10]);
        assert_eq!(&token[..5], "“hy");
        assert_eq!(shown(&h, "(encyclopedia)"), "(en-cy-clo-pe-dia)");
        assert_eq!(shown(&h, "everybody's"), "every-body's");
        assert_eq!(shown(&h, "representative’s"), "rep-re-sen-ta-tive’s");
        assert_eq!(shown(&h, "‘international’"), "‘in-ter-na-tional’");
    }

    #[test]
    fn unicode_offsets_are_char_boundaries() {
        let h = english();
        assert_eq!(shown(&h, "élégance"), "élé-gance");
        assert_eq!(offsets(&h, "élégance"), vec![5]);
        for token in [
            "naïve",
            "naïvety",
            "nai\u{308}vety",
            "«façade»",
            "İstanbul",
            "Ⱥlgorithmic",
        ] {
            for p in offsets(&h, token) {
                assert!(token.is_char_boundary(p), "{token} at {p}");
            }
        }
        assert!(!breakable_at("nai\u{308}vety", 3, 1, 1));
    }

    /// Deterministic pseudo-random tokens from a mixed alphabet: no panic,
    /// offsets increasing, inside the token and on char boundaries.
    #[test]
    fn arbitrary_tokens_are_safe() {
        let h = english();
        let alphabet: Vec<char> =
            "abcdefghijklmnopqrstuvwxyzAEIOUéïçßİẞ-‐–—'’\u{ad}\u{2011}\u{308}“”.,;:!?()/@_1៖ក្ម"
                .chars()
                .collect();
        let mut state: u64 = 1;
        for _ in 0..3000 {
            let mut token = String::new();
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1);
            let len = (state >> 59) as usize + 1;
            for _ in 0..len * 2 {
                state = state
                    .wrapping_mul(6_364_136_223_846_793_005)
                    .wrapping_add(1);
                token.push(alphabet[(state >> 33) as usize % alphabet.len()]);
            }
            let points = offsets(&h, &token);
            let mut last = 0;
            for p in points {
                assert!(
                    p > last && p < token.len() && token.is_char_boundary(p),
                    "{token:?}"
                );
                last = p;
            }
        }
        assert!(offsets(&h, "").is_empty());
        assert!(offsets(&h, "“”").is_empty());
        assert!(offsets(&h, &"a".repeat(100_000)).is_empty());
    }
}
