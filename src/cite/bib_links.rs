//! The references inside a .bib file, checked before the biblatex crate expands them.
//!
//! biblatex expands a field's `@string`s, and an entry's `crossref` and `xdata` entries,
//! recursively: `@string{loop = loop # loop}` or two entries naming each other as `crossref`
//! overflow the stack and abort the process. Here the file is read with biblatex's own raw
//! parser (which expands nothing), the two reference graphs are checked with
//! [`super::graph`], every problem is reported at the reference that causes it, and the
//! references concerned are cut from the text handed on, with every byte offset kept (so
//! all later positions stay right).

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;

use biblatex::{RawBibliography, RawChunk};

use super::graph::{find_problems, Limits, Node, Problem};
use crate::diag::{code, Diagnostic, Diagnostics, FileId, Span};

/// How deep `@string`s may name other strings (real files nest two or three).
const STRING_DEPTH: usize = 64;
/// The most text one `@string` may expand to.
const STRING_BYTES: u64 = 1 << 20;
/// How many `crossref`/`xdata` levels an entry may inherit through (real files use one or
/// two; biblatex recurses, and copies the parent, once per level).
const ENTRY_DEPTH: usize = 8;
/// How many entries an entry's inheritance may visit, itself included, each counted every
/// time it is reached (biblatex copies a shared parent again for every path to it). This
/// keeps the work of resolving a whole file linear in its number of entries.
const ENTRY_VISITS: u64 = 32;
/// How much of a key is compared when following `crossref`/`xdata` (keys are short; this
/// bounds the memory a file of long string-built keys could take).
const KEY_BYTES: usize = 1024;

/// A field or string value as written, with its position in the file.
struct Value<'s> {
    /// The field's name (`crossref`) or the string's name, and where it is written.
    name: &'s str,
    name_at: Range<usize>,
    /// Where the value is written (from its first to its last part).
    at: Range<usize>,
    /// Its parts: literal text or the name of a string.
    parts: Vec<(RawChunk<'s>, Range<usize>)>,
}

/// An entry's key and its `crossref` and `xdata` fields.
struct Entry<'s> {
    key: &'s str,
    links: Vec<Value<'s>>,
}

/// What the raw parser found: `@string` definitions and entries, positions in the file.
#[derive(Default)]
struct Raw<'s> {
    strings: Vec<Value<'s>>,
    entries: Vec<Entry<'s>>,
}

/// Report the cycles and runaway expansions among the `@string`s and the `crossref`/`xdata`
/// fields of `text`, and return the text with the offending references cut: a string's
/// value becomes empty, an entry's `crossref`/`xdata` field becomes blanks. The result has
/// the same length and lines as `text`. `chunks` are the file's `@` blocks, parsed one by
/// one when the file as a whole does not parse.
pub(super) fn cut_runaway_references<'t>(
    text: &'t str,
    chunks: &[Range<usize>],
    file: FileId,
    diags: &mut Diagnostics,
) -> Cow<'t, str> {
    let raw = read_raw(text, chunks);
    let mut found: Vec<Diagnostic> = Vec::new();
    let mut string_cuts: Vec<Range<usize>> = Vec::new();
    let strings = string_graph(&raw);
    for problem in find_problems(&strings.nodes, string_limits()) {
        found.push(string_problem(&raw, &strings, &problem, file));
        for n in problem_nodes(&problem) {
            let definitions = strings.definitions[n].iter();
            string_cuts.extend(definitions.map(|&d| raw.strings[d].at.clone()));
        }
    }
    let mut entry_cuts: Vec<Range<usize>> = Vec::new();
    let entries = entry_graph(&raw, &strings, &string_cuts);
    for problem in find_problems(&entries.nodes, entry_limits()) {
        found.push(entry_problem(&raw, &entries, &problem, file));
        for n in problem_nodes(&problem) {
            let entry = &raw.entries[entries.entry[n]];
            entry_cuts.extend(entry.links.iter().map(|link| field_extent(text, link)));
        }
    }
    // The graphs give their problems children first; the reader wants them in file order.
    found.sort_by_key(|d| d.span.as_ref().map_or(0, |span| span.range.start));
    found.into_iter().for_each(|d| diags.push(d));
    if string_cuts.is_empty() && entry_cuts.is_empty() {
        return Cow::Borrowed(text);
    }
    let mut cut = text.to_string();
    for range in string_cuts {
        blank_value(&mut cut, range);
    }
    for range in entry_cuts {
        blank(&mut cut, range);
    }
    Cow::Owned(cut)
}

/// Parse the whole file raw, or each chunk on its own when the whole does not parse (the
/// chunks that do not parse are reported later, as malformed entries).
fn read_raw<'s>(text: &'s str, chunks: &[Range<usize>]) -> Raw<'s> {
    let mut raw = Raw::default();
    if let Ok(parsed) = RawBibliography::parse(text) {
        collect(&mut raw, parsed, 0);
        return raw;
    }
    for chunk in chunks {
        if let Ok(parsed) = RawBibliography::parse(&text[chunk.clone()]) {
            collect(&mut raw, parsed, chunk.start);
        }
    }
    raw
}

fn collect<'s>(raw: &mut Raw<'s>, parsed: RawBibliography<'s>, offset: usize) {
    for pair in parsed.abbreviations {
        raw.strings.push(value(&pair, offset));
    }
    for entry in parsed.entries {
        let links = entry
            .v
            .fields
            .iter()
            .filter(|pair| is_link_field(pair.key.v))
            .map(|pair| value(pair, offset))
            .collect();
        raw.entries.push(Entry {
            key: entry.v.key.v,
            links,
        });
    }
}

/// The fields through which biblatex makes an entry take fields from other entries.
fn is_link_field(name: &str) -> bool {
    name.eq_ignore_ascii_case("crossref") || name.eq_ignore_ascii_case("xdata")
}

fn value<'s>(pair: &biblatex::Pair<'s>, offset: usize) -> Value<'s> {
    let shift = |r: &Range<usize>| r.start + offset..r.end + offset;
    Value {
        name: pair.key.v,
        name_at: shift(&pair.key.span),
        at: shift(&pair.value.span),
        parts: pair
            .value
            .v
            .iter()
            .map(|part| (part.v.clone(), shift(&part.span)))
            .collect(),
    }
}

// ---------------------------------------------------------------------------------------
// The @string graph

/// One node per string name (all its definitions merged, so that whichever one biblatex
/// uses is covered).
struct StringGraph<'s> {
    nodes: Vec<Node>,
    names: Vec<&'s str>,
    /// The indices in [`Raw::strings`] of each name's definitions.
    definitions: Vec<Vec<usize>>,
    /// For each node, the position of each of its references, parallel to its edges.
    edge_at: Vec<Vec<Range<usize>>>,
    by_name: BTreeMap<&'s str, usize>,
}

fn string_graph<'s>(raw: &Raw<'s>) -> StringGraph<'s> {
    let mut graph = StringGraph {
        nodes: Vec::new(),
        names: Vec::new(),
        definitions: Vec::new(),
        edge_at: Vec::new(),
        by_name: BTreeMap::new(),
    };
    for (d, string) in raw.strings.iter().enumerate() {
        let n = *graph.by_name.entry(string.name).or_insert_with(|| {
            graph.names.push(string.name);
            graph.definitions.push(Vec::new());
            graph.nodes.push(Node::default());
            graph.edge_at.push(Vec::new());
            graph.nodes.len() - 1
        });
        graph.definitions[n].push(d);
        // Its text, and one for the chunk biblatex makes of it even when it is empty.
        let literal: u64 = string
            .parts
            .iter()
            .filter_map(|(part, _)| match part {
                RawChunk::Normal(text) => Some(text.len() as u64),
                RawChunk::Abbreviation(_) => None,
            })
            .sum();
        graph.nodes[n].weight = graph.nodes[n].weight.max(literal + 1);
    }
    for string in &raw.strings {
        let n = graph.by_name[string.name];
        for (part, at) in &string.parts {
            if let RawChunk::Abbreviation(name) = part {
                if let Some(&target) = graph.by_name.get(name) {
                    graph.nodes[n].edges.push(target);
                    graph.edge_at[n].push(at.clone());
                }
            }
        }
    }
    graph
}

fn string_limits() -> Limits {
    Limits {
        depth: STRING_DEPTH,
        size: STRING_BYTES,
    }
}

fn string_problem(raw: &Raw, graph: &StringGraph, problem: &Problem, file: FileId) -> Diagnostic {
    match problem {
        Problem::Cycle { path, .. } => {
            let first = path[0];
            let at = reference_at(&graph.nodes, &graph.edge_at, first, path[1]);
            let message = if path.len() == 2 {
                format!("@string `{}` names itself", graph.names[first])
            } else {
                format!(
                    "@string `{}` names itself through other strings: {}",
                    graph.names[first],
                    chain(path.iter().map(|&n| graph.names[n]))
                )
            };
            Diagnostic::error(code::BIB_REFERENCE_CYCLE, message)
                .at(Span::new(file, at))
                .with_hint("a string can only be made of text and strings that do not name it")
        }
        Problem::TooDeep(n) | Problem::TooLarge(n) => {
            let too = if matches!(problem, Problem::TooDeep(_)) {
                format!("names strings more than {STRING_DEPTH} levels deep")
            } else {
                format!("expands to more than {} MiB of text", STRING_BYTES >> 20)
            };
            let at = graph.definitions[*n]
                .first()
                .map_or(0..0, |&d| raw.strings[d].name_at.clone());
            Diagnostic::error(
                code::BIB_REFERENCE_CYCLE,
                format!("@string `{}` {too}", graph.names[*n]),
            )
            .at(Span::new(file, at))
            .with_hint("write some of the text out instead of naming strings inside strings")
        }
    }
}

// ---------------------------------------------------------------------------------------
// The crossref/xdata graph

/// One node per entry key (the first entry with a key, as biblatex keeps it).
struct EntryGraph {
    nodes: Vec<Node>,
    /// The index in [`Raw::entries`] of each node's entry.
    entry: Vec<usize>,
    /// For each node, the position of each reference (the field value), parallel to edges.
    edge_at: Vec<Vec<Range<usize>>>,
}

fn entry_graph(raw: &Raw, strings: &StringGraph, cut: &[Range<usize>]) -> EntryGraph {
    let mut by_key: BTreeMap<&str, usize> = BTreeMap::new();
    let mut graph = EntryGraph {
        nodes: Vec::new(),
        entry: Vec::new(),
        edge_at: Vec::new(),
    };
    for (e, entry) in raw.entries.iter().enumerate() {
        by_key.entry(key_prefix(entry.key)).or_insert_with(|| {
            graph.entry.push(e);
            graph.nodes.push(Node {
                weight: 1,
                edges: Vec::new(),
            });
            graph.edge_at.push(Vec::new());
            graph.nodes.len() - 1
        });
    }
    let mut texts = StringTexts::new(raw, strings, cut);
    for n in 0..graph.nodes.len() {
        for link in &raw.entries[graph.entry[n]].links {
            let value = texts.value_text(&link.parts);
            for key in value.split(',').map(|k| key_prefix(k.trim())) {
                if let Some(&target) = by_key.get(key) {
                    graph.nodes[n].edges.push(target);
                    graph.edge_at[n].push(link.at.clone());
                }
            }
        }
    }
    graph
}

fn entry_limits() -> Limits {
    Limits {
        depth: ENTRY_DEPTH,
        size: ENTRY_VISITS,
    }
}

fn entry_problem(raw: &Raw, graph: &EntryGraph, problem: &Problem, file: FileId) -> Diagnostic {
    let key = |n: usize| raw.entries[graph.entry[n]].key;
    let (message, at, hint) = match problem {
        Problem::Cycle { path, .. } => {
            let at = reference_at(&graph.nodes, &graph.edge_at, path[0], path[1]);
            let through = if path.len() == 2 {
                String::new()
            } else {
                format!(
                    " through other entries: {}",
                    chain(path.iter().map(|&n| key(n)))
                )
            };
            (
                format!(
                    "entry `{}` takes its fields from itself (crossref/xdata){through}",
                    key(path[0])
                ),
                at,
                "an entry's crossref or xdata must not lead back to it: remove one of these fields",
            )
        }
        Problem::TooDeep(n) | Problem::TooLarge(n) => {
            let too = if matches!(problem, Problem::TooDeep(_)) {
                format!("through more than {ENTRY_DEPTH} levels of crossref/xdata")
            } else {
                format!("from more than {ENTRY_VISITS} entries (crossref/xdata, counted each time they are reached)")
            };
            let first = &raw.entries[graph.entry[*n]].links;
            let at = first.first().map_or(0..0, |link| link.at.clone());
            (
                format!("entry `{}` takes its fields {too}", key(*n)),
                at,
                "give the entry its fields directly instead of through so many other entries",
            )
        }
    };
    Diagnostic::error(code::BIB_REFERENCE_CYCLE, message)
        .at(Span::new(file, at))
        .with_hint(hint)
}

/// The text a field's parts stand for, as biblatex reads a key from it: literal parts
/// without their grouping braces, strings expanded (those cut count as empty), at most
/// [`KEY_BYTES`] of it. Keys are compared on that much of them: two keys that long and alike
/// are taken for one (at worst a false report, never a cycle missed).
struct StringTexts<'r, 's> {
    raw: &'r Raw<'s>,
    strings: &'r StringGraph<'s>,
    /// Where the cut string values start.
    cut: BTreeSet<usize>,
    memo: BTreeMap<usize, String>,
}

impl<'r, 's> StringTexts<'r, 's> {
    fn new(raw: &'r Raw<'s>, strings: &'r StringGraph<'s>, cut: &[Range<usize>]) -> Self {
        StringTexts {
            raw,
            strings,
            cut: cut.iter().map(|r| r.start).collect(),
            memo: BTreeMap::new(),
        }
    }

    fn value_text(&mut self, parts: &[(RawChunk, Range<usize>)]) -> String {
        let mut text = String::new();
        for (part, _) in parts {
            match part {
                RawChunk::Normal(literal) => {
                    text.extend(literal.chars().filter(|c| !matches!(c, '{' | '}')));
                }
                RawChunk::Abbreviation(name) => {
                    if let Some(&n) = self.strings.by_name.get(name) {
                        text.push_str(&self.string_text(n));
                    }
                }
            }
            if text.len() >= KEY_BYTES {
                break;
            }
        }
        key_prefix(&text).to_string()
    }

    /// The expansion of string `n` (its last definition, the one biblatex uses). The
    /// strings left uncut nest at most [`STRING_DEPTH`] deep, which bounds the recursion.
    fn string_text(&mut self, n: usize) -> String {
        if let Some(text) = self.memo.get(&n) {
            return text.clone();
        }
        let raw = self.raw;
        let Some(definition) = self.strings.definitions[n].last().map(|&d| &raw.strings[d]) else {
            return String::new();
        };
        let text = if self.cut.contains(&definition.at.start) {
            String::new()
        } else {
            self.value_text(&definition.parts)
        };
        self.memo.insert(n, text.clone());
        text
    }
}

/// The first [`KEY_BYTES`] of a key (cut at a character boundary).
fn key_prefix(key: &str) -> &str {
    let mut end = key.len().min(KEY_BYTES);
    while !key.is_char_boundary(end) {
        end -= 1;
    }
    &key[..end]
}

// ---------------------------------------------------------------------------------------
// Reporting and cutting

/// The nodes whose references must be cut for a problem.
fn problem_nodes(problem: &Problem) -> Vec<usize> {
    match problem {
        Problem::Cycle { members, .. } => members.clone(),
        Problem::TooDeep(n) | Problem::TooLarge(n) => vec![*n],
    }
}

/// Where node `from` refers to node `to` (its first such reference).
fn reference_at(
    nodes: &[Node],
    edge_at: &[Vec<Range<usize>>],
    from: usize,
    to: usize,
) -> Range<usize> {
    nodes[from]
        .edges
        .iter()
        .position(|&e| e == to)
        .and_then(|i| edge_at[from].get(i).cloned())
        .unwrap_or(0..0)
}

/// `a → b → a`.
fn chain<'a>(names: impl Iterator<Item = &'a str>) -> String {
    names.collect::<Vec<_>>().join(" → ")
}

/// A whole `name = value` field and the comma after it, if any: blanking this leaves a
/// valid entry (biblatex accepts a comma before the closing brace).
fn field_extent(text: &str, link: &Value) -> Range<usize> {
    let end = link.at.end.min(text.len());
    let rest = &text[end..];
    let after = rest.trim_start();
    let end = if after.starts_with(',') {
        end + (rest.len() - after.len()) + 1
    } else {
        end
    };
    link.name_at.start..end
}

/// Replace a value with an empty one (`{}`, or `0` where only one byte is free), padded
/// with spaces.
fn blank_value(text: &mut String, range: Range<usize>) {
    let empty = if range.len() >= 2 { "{}" } else { "0" };
    replace_keeping_lines(text, range, empty);
}

/// Replace a range with spaces.
fn blank(text: &mut String, range: Range<usize>) {
    replace_keeping_lines(text, range, "");
}

/// Put `with` (ASCII) at the start of `range` and spaces over the rest, keeping line breaks
/// where they are (so every line and column after it stays where it was).
fn replace_keeping_lines(text: &mut String, range: Range<usize>, with: &str) {
    let (start, end) = (range.start.min(text.len()), range.end.min(text.len()));
    if start >= end || !text.is_char_boundary(start) || !text.is_char_boundary(end) {
        return;
    }
    let new: String = text[start..end]
        .bytes()
        .enumerate()
        .map(|(i, byte)| match with.as_bytes().get(i) {
            Some(&b) => char::from(b),
            None if matches!(byte, b'\n' | b'\r') => char::from(byte),
            None => ' ',
        })
        .collect();
    text.replace_range(start..end, &new);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The problems found in `text` (message and the text at their span), and the cut text,
    /// which hayagriva must then parse without recursing forever.
    fn check(text: &str) -> (Vec<(String, String)>, String) {
        let chunks = super::super::biblatex::scan_bib(text);
        let ranges: Vec<Range<usize>> = chunks.iter().map(|c| c.range.clone()).collect();
        let mut diags = Diagnostics::default();
        let cut = cut_runaway_references(text, &ranges, FileId(0), &mut diags).into_owned();
        assert_eq!(cut.len(), text.len(), "offsets are kept");
        assert_eq!(cut.lines().count(), text.lines().count(), "lines are kept");
        let _ = hayagriva::io::from_biblatex_str(&cut);
        let found = diags
            .items()
            .iter()
            .map(|d| {
                let at = d.span.as_ref().map_or(0..0, |s| s.range.clone());
                (d.message.clone(), text[at].to_string())
            })
            .collect();
        (found, cut)
    }

    const BOOK: &str = "@book{b, title = {T}, author = {A}, year = {2000}}\n";

    #[test]
    fn a_string_naming_itself_is_reported_and_emptied() {
        let text = format!("@string{{loop = loop # loop}}\n{BOOK}@book{{c, title = loop}}\n");
        let (found, cut) = check(&text);
        assert_eq!(
            found,
            vec![(
                "@string `loop` names itself".to_string(),
                "loop".to_string()
            )]
        );
        assert!(cut.starts_with("@string{loop = {}         }"), "{cut}");
        assert!(hayagriva::io::from_biblatex_str(&cut).is_ok());
    }

    #[test]
    fn strings_naming_each_other_name_the_cycle_once() {
        let text = "@string{a = \"x\" # b}\n@string{b = a}\n@string{c = a}\n";
        let (found, _) = check(text);
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].0.contains("a → b → a"), "{found:?}");
        assert_eq!(found[0].1, "b");
    }

    #[test]
    fn a_one_letter_string_value_is_emptied_too() {
        let (found, cut) = check("@string{a=a}\n");
        assert_eq!(found.len(), 1);
        assert_eq!(cut, "@string{a=0}\n");
    }

    #[test]
    fn a_crossref_cycle_is_reported_at_the_field_and_cut() {
        let text = "@inbook{a1,\n  crossref = {b1},\n  title = {A}\n}\n\n@inbook{b1,\n  crossref = {a1},\n  title = {B}\n}\n";
        let (found, cut) = check(text);
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].0.contains("a1 → b1 → a1"), "{found:?}");
        assert_eq!(found[0].1, "{b1}");
        assert!(!cut.contains("crossref"), "{cut}");
        let library = hayagriva::io::from_biblatex_str(&cut).expect("parses once cut");
        assert_eq!(library.len(), 2);
    }

    #[test]
    fn an_entry_that_is_its_own_crossref_or_xdata_is_a_cycle() {
        for field in ["crossref = {me}", "xdata = {other, me}", "CrossRef = me_s"] {
            let text = format!("@string{{me_s = \"me\"}}\n@book{{me, title = {{T}}, {field}}}\n");
            let (found, _) = check(&text);
            assert_eq!(found.len(), 1, "{field}: {found:?}");
            assert!(
                found[0].0.contains("takes its fields from itself"),
                "{found:?}"
            );
        }
    }

    #[test]
    fn a_crossref_through_braces_is_followed() {
        let text = "@book{a, crossref = {{b}}}\n@book{b, crossref = \"a\"}\n";
        assert_eq!(check(text).0.len(), 1);
    }

    #[test]
    fn ordinary_strings_and_crossrefs_pass_unchanged() {
        let text = format!(
            "@string{{pub = \"Yale\" # \" University Press\"}}\n@string{{p2 = pub}}\n{BOOK}@inbook{{c, crossref = {{b}}, publisher = p2}}\n"
        );
        let (found, cut) = check(&text);
        assert!(found.is_empty(), "{found:?}");
        assert_eq!(cut, text);
    }

    #[test]
    fn a_long_chain_of_strings_is_cut_where_it_passes_the_limit() {
        let mut text = String::from("@string{s0 = \"x\"}\n");
        for n in 1..200 {
            text.push_str(&format!("@string{{s{n} = s{}}}\n", n - 1));
        }
        text.push_str("@book{k, title = s199}\n");
        let (found, _) = check(&text);
        // 65 levels each: s65, s130, s195 (a cut string starts the count again).
        assert_eq!(found.len(), 3, "{found:?}");
        assert!(found[0].0.contains("s65"), "{found:?}");
        assert!(found[0].0.contains("more than 64 levels"), "{found:?}");
    }

    #[test]
    fn a_doubling_string_is_cut_before_it_fills_the_memory() {
        let mut text = String::from("@string{s0 = \"xxxxxxxxxxxxxxxx\"}\n");
        for n in 1..40 {
            text.push_str(&format!("@string{{s{n} = s{m} # s{m}}}\n", m = n - 1));
        }
        text.push_str("@book{k, title = s39}\n");
        let (found, _) = check(&text);
        // s{n} is about 17 * 2^n bytes: s16 is the first over 1 MiB. Cut, it still stands
        // for one (empty) chunk each time it is named, and s36 names it 2^20 times.
        assert_eq!(found.len(), 2, "{found:?}");
        assert!(
            found[0].0.contains("s16` expands to more than 1 MiB"),
            "{found:?}"
        );
        assert!(found[1].0.contains("s36` expands"), "{found:?}");
    }

    #[test]
    fn a_malformed_entry_does_not_hide_a_cycle() {
        let text = "@book{bad, title = {unclosed}\n@book{a, crossref = {a}}\n";
        assert_eq!(check(text).0.len(), 1);
    }
    #[test]
    fn a_long_crossref_chain_is_cut_past_eight_levels() {
        let text: String = (0..12)
            .map(|n| {
                format!(
                    "@inbook{{c{n}, title = {{T}}, crossref = {{c{}}}}}\n",
                    n + 1
                )
            })
            .collect();
        let (found, cut) = check(&text);
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0]
            .0
            .contains("entry `c2` takes its fields through more than 8 levels"));
        assert_eq!(cut.matches("crossref").count(), 11);
    }

    #[test]
    fn a_doubling_xdata_tree_is_cut_before_it_multiplies_the_work() {
        let text: String = (0..10)
            .map(|n| {
                format!(
                    "@book{{e{n}, title = {{T}}, xdata = {{e{m}, e{m}}}}}\n",
                    m = n + 1
                )
            })
            .collect();
        let (found, _) = check(&text);
        // e9 is visited once, e8 three times, … e4 63 times: more than 32.
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(
            found[0]
                .0
                .contains("entry `e4` takes its fields from more than 32"),
            "{found:?}"
        );
    }
}
