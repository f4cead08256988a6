//! The back-of-book index: every index mark gets a book-unique anchor id, and the marks'
//! terms become the sorted, grouped [`Index`] both backends print.
//!
//! Terms sort by their sort key (makeindex's `key@Words`, else the words) with the book
//! language's collation (ICU4X's `icu_collator`: "éclair" among the E's in English, "Ångström"
//! after Z in Swedish); a sub-entry sorts among its parent's. The letter groups follow the
//! same collation: a term files under the base letter of its first character when the
//! language treats the two alike (Å under A in English), under the letter itself otherwise.

use std::cmp::Ordering;
use std::collections::HashMap;

use icu_collator::options::{CollatorOptions, Strength};
use icu_collator::{Collator, CollatorBorrowed};

use crate::diag::{code, Diagnostic, Diagnostics};
use crate::doc::index::{Index, IndexEntry, IndexGroup, IndexLocator, IndexMark, SeeKind};
use crate::doc::{plain_text, walk, Block, Chapter, Inline};

/// The prefix of the marks' anchor ids (`octavo-ix-1`), which no heading id takes.
const MARK_ID_PREFIX: &str = "octavo-ix-";

/// Give every mark its anchor id and build the index from them when the book wants one:
/// as book.toml's `[back-matter] index` (`asked`) says, and when it says nothing, in a book
/// written for another tool (Quarto, pandoc: no book.toml to ask in), whose `\index` marks
/// are written for no other purpose than an index. Marks in an octavo book that says nothing
/// are reported once, with how to ask; an index asked for with no marks too.
pub(crate) fn build_index(
    chapters: &mut [Chapter],
    language: &str,
    asked: Option<bool>,
    foreign: bool,
    diags: &mut Diagnostics,
) -> Option<Index> {
    let marks = collect_marks(chapters);
    let Some(first) = marks.first() else {
        if asked == Some(true) {
            diags.push(
                Diagnostic::warning(
                    code::INDEX_EMPTY,
                    "book.toml asks for an index, but no chapter marks an entry: there is none",
                )
                .with_hint("mark terms with \\index{term} or [term]{.index}"),
            );
        }
        return None;
    };
    if asked == Some(false) {
        return None;
    }
    if asked.is_none() && !foreign {
        diags.push(
            Diagnostic::warning(
                code::INDEX_NOT_ENABLED,
                format!(
                    "the text marks {} index entries, but the book has no index",
                    marks.len()
                ),
            )
            .at(first.mark.span.clone())
            .with_hint("add `[back-matter]` with `index = true` to book.toml to print one"),
        );
        return None;
    }
    Some(sorted_index(marks, language))
}

/// A mark with the place it was found.
struct PlacedMark {
    mark: IndexMark,
    locator: IndexLocator,
}

/// Every mark in reading order (chapter text, then its notes), each given its id.
fn collect_marks(chapters: &mut [Chapter]) -> Vec<PlacedMark> {
    let mut marks = Vec::new();
    for (number, chapter) in chapters.iter_mut().enumerate() {
        let mut section = plain_text(&chapter.title);
        let mut visit = |block: &mut Block, section: &mut String| {
            if let Block::Heading(heading) = block {
                *section = plain_text(&heading.content);
            }
            walk::block_inlines_mut(block, &mut |inline| {
                if let Inline::IndexMark(mark) = inline {
                    mark.id = format!("{MARK_ID_PREFIX}{}", marks.len() + 1);
                    marks.push(PlacedMark {
                        mark: IndexMark::clone(mark),
                        locator: IndexLocator {
                            chapter: number,
                            id: mark.id.clone(),
                            section: section.clone(),
                        },
                    });
                }
            });
        };
        walk::blocks_mut(&mut chapter.blocks, &mut |block| visit(block, &mut section));
        for note in &mut chapter.notes {
            walk::blocks_mut(&mut note.blocks, &mut |block| visit(block, &mut section));
        }
    }
    marks
}

/// One term of the index while it is built: its words, places, references and sub-terms.
#[derive(Default)]
struct Node {
    sort: String,
    display: String,
    locators: Vec<IndexLocator>,
    see: Vec<String>,
    see_also: Vec<String>,
    children: Vec<usize>,
}

/// The marks as a sorted index in letter groups.
fn sorted_index(marks: Vec<PlacedMark>, language: &str) -> Index {
    let mut nodes = vec![Node::default()];
    let mut by_key: HashMap<(usize, String, String), usize> = HashMap::new();
    for placed in marks {
        let mut parent = 0;
        for term in &placed.mark.terms {
            let key = (parent, term.sort.clone(), term.display.clone());
            parent = *by_key.entry(key).or_insert_with(|| {
                nodes.push(Node {
                    sort: term.sort.clone(),
                    display: term.display.clone(),
                    ..Node::default()
                });
                let id = nodes.len() - 1;
                nodes[parent].children.push(id);
                id
            });
        }
        let node = &mut nodes[parent];
        match placed.mark.see {
            Some((SeeKind::See, target)) => push_unique(&mut node.see, target),
            Some((SeeKind::SeeAlso, target)) => push_unique(&mut node.see_also, target),
            None => node.locators.push(placed.locator),
        }
    }
    let collation = Collation::for_language(language);
    for id in 0..nodes.len() {
        let mut children = std::mem::take(&mut nodes[id].children);
        children.sort_by(|&a, &b| collation.order(&nodes[a], &nodes[b]));
        nodes[id].children = children;
    }
    let mut groups: Vec<IndexGroup> = Vec::new();
    let top = std::mem::take(&mut nodes[0].children);
    for id in top {
        let heading = collation.letter(&nodes[id].sort);
        let same = groups
            .last()
            .is_some_and(|g| collation.same_letter(&g.heading, &heading));
        if !same {
            groups.push(IndexGroup {
                heading,
                entries: Vec::new(),
            });
        }
        if let Some(group) = groups.last_mut() {
            flatten(&mut nodes, id, 0, &mut group.entries);
        }
    }
    Index { groups }
}

fn push_unique(list: &mut Vec<String>, target: String) {
    if !list.contains(&target) {
        list.push(target);
    }
}

/// The entry of node `id` and its sub-entries, in order (an explicit stack: no recursion).
fn flatten(nodes: &mut [Node], id: usize, depth: usize, out: &mut Vec<IndexEntry>) {
    let mut stack = vec![(id, depth)];
    while let Some((id, depth)) = stack.pop() {
        let node = &mut nodes[id];
        out.push(IndexEntry {
            depth,
            term: std::mem::take(&mut node.display),
            locators: std::mem::take(&mut node.locators),
            see: std::mem::take(&mut node.see),
            see_also: std::mem::take(&mut node.see_also),
        });
        stack.extend(node.children.iter().rev().map(|&c| (c, depth + 1)));
    }
}

/// The book language's collation, at full strength for the order and at primary strength
/// for telling whether two letters file together.
struct Collation {
    order: CollatorBorrowed<'static>,
    letters: CollatorBorrowed<'static>,
}

impl Collation {
    fn for_language(language: &str) -> Collation {
        let locale = icu_locale_core::Locale::try_from_str(language).ok();
        let collator = |strength: Option<Strength>| {
            let mut options = CollatorOptions::default();
            options.strength = strength;
            let preferences = locale.clone().map(Into::into).unwrap_or_default();
            Collator::try_new(preferences, options)
                .or_else(|_| Collator::try_new(Default::default(), options))
        };
        // The root collation's data is compiled in: it is always there.
        let (Ok(order), Ok(letters)) = (collator(None), collator(Some(Strength::Primary))) else {
            unreachable!("ICU4X's compiled root collation is always available")
        };
        Collation { order, letters }
    }

    /// Sort keys first, then the words printed, then the bytes (so the order is total).
    fn order(&self, a: &Node, b: &Node) -> Ordering {
        self.order
            .compare(&a.sort, &b.sort)
            .then_with(|| self.order.compare(&a.display, &b.display))
            .then_with(|| a.display.cmp(&b.display))
    }

    /// The letter heading a term files under: its first letter in capitals, the base letter
    /// when the language files the two alike; empty for a symbol or digit.
    fn letter(&self, sort: &str) -> String {
        let Some(first) = sort.chars().next().filter(|c| c.is_alphabetic()) else {
            return String::new();
        };
        let capital: String = first.to_uppercase().collect();
        let decomposed = icu_normalizer::DecomposingNormalizerBorrowed::new_nfd();
        let base: String = decomposed.normalize(&capital).chars().take(1).collect();
        if self.letters.compare(&base, &capital) == Ordering::Equal {
            base
        } else {
            capital
        }
    }

    fn same_letter(&self, a: &str, b: &str) -> bool {
        self.letters.compare(a, b) == Ordering::Equal
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::{FileId, Span};
    use crate::doc::index::IndexTerm;

    fn placed(terms: &[&str], see: Option<(SeeKind, &str)>, n: usize) -> PlacedMark {
        PlacedMark {
            mark: IndexMark {
                terms: terms
                    .iter()
                    .map(|t| IndexTerm {
                        sort: t.to_string(),
                        display: t.to_string(),
                    })
                    .collect(),
                see: see.map(|(k, t)| (k, t.to_string())),
                id: format!("m{n}"),
                span: Span::new(FileId(0), 0..0),
            },
            locator: IndexLocator {
                chapter: 0,
                id: format!("m{n}"),
                section: String::new(),
            },
        }
    }

    fn headings_and_terms(index: &Index) -> Vec<(String, Vec<String>)> {
        index
            .groups
            .iter()
            .map(|g| {
                let terms = g
                    .entries
                    .iter()
                    .map(|e| format!("{}{}", "-".repeat(e.depth), e.term));
                (g.heading.clone(), terms.collect())
            })
            .collect()
    }

    #[test]
    fn sorted_by_the_language_and_grouped_by_letter() {
        let marks = || {
            vec![
                placed(&["zebra"], None, 1),
                placed(&["Ångström"], None, 2),
                placed(&["apple", "red"], None, 3),
                placed(&["éclair"], None, 4),
                placed(&["apple"], None, 5),
                placed(&["apple", "green"], None, 6),
                placed(&["42"], None, 7),
                placed(&["fruit"], Some((SeeKind::See, "apple")), 8),
            ]
        };
        let english = sorted_index(marks(), "en");
        assert_eq!(
            headings_and_terms(&english),
            [
                ("".to_string(), vec!["42".to_string()]),
                (
                    "A".into(),
                    vec![
                        "Ångström".into(),
                        "apple".into(),
                        "-green".into(),
                        "-red".into()
                    ]
                ),
                ("E".into(), vec!["éclair".into()]),
                ("F".into(), vec!["fruit".into()]),
                ("Z".into(), vec!["zebra".into()]),
            ]
        );
        let fruit = &english.groups[3].entries[0];
        assert_eq!(
            (fruit.see.as_slice(), fruit.locators.len()),
            (&["apple".to_string()][..], 0)
        );
        let swedish = sorted_index(marks(), "sv");
        let last = swedish.groups.last().expect("groups");
        assert_eq!(
            (last.heading.as_str(), last.entries[0].term.as_str()),
            ("Å", "Ångström")
        );
    }
}
