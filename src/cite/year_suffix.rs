//! Year suffixes (1999a, 1999b) handed out again in reference-list order, as CSL wants
//! (hayagriva hands them out in the order the works are first cited).

use std::collections::BTreeMap;

use super::render::RenderContext;
use super::walk::Output;
use crate::doc::{plain_text, BibEntry, Inline, LinkTarget};

/// A year suffix to change: works by the same author in the same year are told apart by a
/// letter (1999a, 1999b), and CSL hands the letters out in the order of the reference list.
/// hayagriva hands them out in the order the works are first cited (typst/hayagriva#330 and
/// #469, open), so the sample book's list read "Chandler 1999b" above "Chandler 1999a".
/// The letters are handed out again, in list order, to the list and to every citation of
/// the works concerned.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct SuffixFix {
    key: String,
    year: String,
    old: char,
    new: char,
}

/// The suffix changes that put the letters in reference-list order. Works are grouped by
/// what their entry reads before the year (the author, in author-date styles) and the year;
/// a group whose letters are already in order, or that is not a clean run of distinct
/// letters, is left alone.
pub(super) fn year_suffix_fixes(entries: &[BibEntry]) -> Vec<SuffixFix> {
    let mut groups: BTreeMap<(String, String), Vec<(&str, char)>> = BTreeMap::new();
    for entry in entries {
        let text = plain_text(&entry.content);
        if let Some((at, year, letter)) = find_year_suffix(&text) {
            let prefix = text[..at].to_string();
            groups
                .entry((prefix, year.to_string()))
                .or_default()
                .push((entry.key.as_str(), letter));
        }
    }
    let mut fixes = Vec::new();
    for ((_, year), members) in groups {
        let mut letters: Vec<char> = members.iter().map(|&(_, letter)| letter).collect();
        letters.sort_unstable();
        letters.dedup();
        if members.len() < 2 || letters.len() != members.len() {
            continue;
        }
        for (&(key, old), &new) in members.iter().zip(&letters) {
            if old != new {
                fixes.push(SuffixFix {
                    key: key.to_string(),
                    year: year.clone(),
                    old,
                    new,
                });
            }
        }
    }
    fixes
}

/// What an undated work prints for its year in English, before its letter (`n.d.-a`).
const NO_DATE: &str = "n.d.-";

/// The first year with a one-letter suffix in `text` ("1999b" or "n.d.-b", not "1999" or
/// "1999ff"): where the year starts, the year (with the hyphen of "n.d.-"), and the letter.
fn find_year_suffix(text: &str) -> Option<(usize, &str, char)> {
    let dated = find_dated_suffix(text);
    let undated = find_undated_suffix(text);
    match (dated, undated) {
        (Some(d), Some(u)) => Some(if u.0 < d.0 { u } else { d }),
        (d, u) => d.or(u),
    }
}

fn find_dated_suffix(text: &str) -> Option<(usize, &str, char)> {
    let bytes = text.as_bytes();
    (0..bytes.len().saturating_sub(4)).find_map(|at| {
        let year = bytes.get(at..at + 4)?;
        let letter = *bytes.get(at + 4)?;
        let digit_before = at > 0 && bytes[at - 1].is_ascii_digit();
        let after = bytes.get(at + 5).copied();
        let alone = !after.is_some_and(|b| b.is_ascii_alphanumeric());
        (year.iter().all(u8::is_ascii_digit)
            && !digit_before
            && letter.is_ascii_lowercase()
            && alone)
            .then(|| (at, &text[at..at + 4], char::from(letter)))
    })
}

fn find_undated_suffix(text: &str) -> Option<(usize, &str, char)> {
    text.match_indices(NO_DATE).find_map(|(at, _)| {
        let rest = &text.as_bytes()[at + NO_DATE.len()..];
        let letter = *rest.first()?;
        let alone = !rest.get(1).is_some_and(|b| b.is_ascii_alphanumeric());
        (letter.is_ascii_lowercase() && alone)
            .then(|| (at, &text[at..at + NO_DATE.len()], char::from(letter)))
    })
}

/// Applies `fixes` to the reference list and to the citations' links to those works.
pub(super) fn apply_suffix_fixes(
    ctx: &RenderContext,
    fixes: &[SuffixFix],
    outputs: &mut [Output],
    entries: &mut [BibEntry],
) {
    for entry in entries.iter_mut() {
        if let Some(fix) = fixes.iter().find(|f| f.key == entry.key) {
            replace_suffix(&mut entry.content, fix);
        }
    }
    let by_anchor: BTreeMap<String, &SuffixFix> =
        fixes.iter().map(|fix| (ctx.id(&fix.key), fix)).collect();
    for output in outputs {
        match output {
            Output::Inline(content) => fix_cited_suffixes(content, &by_anchor),
            Output::Note { content, lead } => {
                fix_cited_suffixes(content, &by_anchor);
                if let Some(lead) = lead {
                    fix_cited_suffixes(lead, &by_anchor);
                }
            }
        }
    }
}

/// In each link to a work with a fix: "1999a" becomes "1999b", and a lone "a" (the second
/// work of a collapsed citation, "1999a, b") becomes "b".
fn fix_cited_suffixes(inlines: &mut [Inline], by_anchor: &BTreeMap<String, &SuffixFix>) {
    for inline in inlines {
        match inline {
            Inline::Link(link) => {
                let fix = match &link.target {
                    LinkTarget::Anchor(id) => by_anchor.get(id).copied(),
                    _ => None,
                };
                match fix {
                    Some(fix) if !replace_suffix(&mut link.content, fix) => {
                        replace_lone_letter(&mut link.content, fix);
                    }
                    Some(_) => {}
                    None => fix_cited_suffixes(&mut link.content, by_anchor),
                }
            }
            Inline::Emph(children) | Inline::Strong(children) | Inline::Strike(children) => {
                fix_cited_suffixes(children, by_anchor)
            }
            Inline::Html(html) => fix_cited_suffixes(&mut html.children, by_anchor),
            _ => {}
        }
    }
}

/// Replaces the first "{year}{old}" in the text of `inlines` with "{year}{new}"; whether it
/// was found.
fn replace_suffix(inlines: &mut [Inline], fix: &SuffixFix) -> bool {
    for inline in inlines {
        let found = match inline {
            Inline::Text { text, .. } => {
                let wanted = format!("{}{}", fix.year, fix.old);
                let at = text.match_indices(&wanted).map(|(at, _)| at).find(|&at| {
                    let end = at + wanted.len();
                    !text[end..].starts_with(|c: char| c.is_alphanumeric())
                        && !text[..at].ends_with(|c: char| c.is_ascii_digit())
                });
                if let Some(at) = at {
                    let letter = at + fix.year.len();
                    text.replace_range(letter..letter + 1, fix.new.encode_utf8(&mut [0; 4]));
                }
                at.is_some()
            }
            Inline::Emph(children) | Inline::Strong(children) | Inline::Strike(children) => {
                replace_suffix(children, fix)
            }
            Inline::Html(html) => replace_suffix(&mut html.children, fix),
            Inline::Link(link) => replace_suffix(&mut link.content, fix),
            _ => false,
        };
        if found {
            return true;
        }
    }
    false
}

/// Replaces the text of `inlines` when it is the letter `old` alone.
fn replace_lone_letter(inlines: &mut [Inline], fix: &SuffixFix) {
    if plain_text(inlines).trim() != fix.old.to_string() {
        return;
    }
    for inline in inlines {
        if let Inline::Text { text, .. } = inline {
            if let Some(at) = text.find(fix.old) {
                text.replace_range(at..at + 1, fix.new.encode_utf8(&mut [0; 4]));
                return;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_book::{cites, entries, run};
    use super::*;

    #[test]
    fn undated_suffixes_follow_the_reference_list() {
        assert_eq!(
            find_year_suffix("UNESCO. n.d.-b. Libraries"),
            Some((8, "n.d.-", 'b'))
        );
        assert_eq!(find_year_suffix("X. n.d.-ab."), None);
        let entry = |key: &str, text: &str| BibEntry {
            key: key.into(),
            id: format!("ref-{key}"),
            content: vec![Inline::text(
                text,
                crate::diag::Span::new(crate::diag::FileId(0), 0..0),
            )],
        };
        let list = [
            entry("lib", "UNESCO. n.d.-b. Libraries for All."),
            entry("lit", "UNESCO. n.d.-a. Literacy in the World."),
        ];
        let fixes = year_suffix_fixes(&list);
        let changes: Vec<(&str, char, char)> = fixes
            .iter()
            .map(|f| (f.key.as_str(), f.old, f.new))
            .collect();
        assert_eq!(changes, [("lib", 'b', 'a'), ("lit", 'a', 'b')]);
    }

    #[test]
    fn year_suffixes_follow_the_reference_list() {
        // The Pol Pot Regime is cited first, but Bophana comes first in the list: it is
        // 1996a, in the list and in the text (hayagriva alone gives the opposite).
        let text = "[@kiernan1996] [@kiernan1996b] [@kiernan1996; @kiernan1996b]";
        for style in ["chicago-author-date", "apa"] {
            let outcome = run(&[text], style);
            let list = entries(&outcome);
            let bophana = list.iter().position(|e| e.contains("Bophana"));
            let regime = list.iter().position(|e| e.contains("Pol Pot"));
            assert!(bophana < regime, "{style}: {list:?}");
            assert!(
                list[bophana.unwrap()].contains("1996a"),
                "{style}: {list:?}"
            );
            assert!(list[regime.unwrap()].contains("1996b"), "{style}: {list:?}");
            let got = cites(&outcome);
            assert!(
                got[0].contains("1996b") && !got[0].contains("1996a"),
                "{style}: {got:?}"
            );
            assert!(
                got[1].contains("1996a") && !got[1].contains("1996b"),
                "{style}: {got:?}"
            );
        }
    }

    #[test]
    fn a_year_suffix_is_found_only_after_a_four_digit_year() {
        assert_eq!(
            find_year_suffix("Kiernan, Ben. 1996b. Title"),
            Some((14, "1996", 'b'))
        );
        assert_eq!(
            find_year_suffix("(1999a, January 1)"),
            Some((1, "1999", 'a'))
        );
        assert_eq!(find_year_suffix("pp. 1996ff and 12345a"), None);
        assert_eq!(find_year_suffix("in 2001 a year"), None);
    }
}
