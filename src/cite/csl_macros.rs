//! The macro calls of a `.csl` style file, checked before hayagriva renders with them.
//!
//! hayagriva expands a `<text macro="…"/>` (or a sort `<key macro="…"/>`) by rendering the
//! macro's body, recursively: a macro that calls itself, directly or through others,
//! overflows the stack and aborts the process. The file's macros and their calls are read
//! with quick-xml (positions included), checked with [`super::graph`], and every problem is
//! reported at the call that causes it; the style is then not used.

use std::collections::BTreeMap;
use std::ops::Range;

use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;

use super::graph::{find_problems, Limits, Node, Problem};
use crate::diag::{code, Diagnostic, Diagnostics, FileId, Span};

/// How deep macros may call macros (the styles of hayagriva's archive reach 11).
const MACRO_DEPTH: usize = 64;
/// How many macro calls a macro may expand to, each counted every time it is reached (a
/// style's whole call tree, written out; chicago-notes, the largest in hayagriva's archive,
/// has about 100,000). Beyond this, rendering one citation could take hours.
const MACRO_CALLS: u64 = 1 << 22;

/// A macro definition and the calls in its body.
struct Macro {
    name: String,
    /// Where `name="…"` is written.
    at: Range<usize>,
    /// (called macro, where `macro="…"` is written).
    calls: Vec<(String, Range<usize>)>,
}

/// Report macros that call themselves or expand too far; `false` when there are any (the
/// style must not be rendered with). A file that is not well-formed XML passes: the CSL
/// parser reports it.
pub(super) fn check_macro_calls(text: &str, file: FileId, diags: &mut Diagnostics) -> bool {
    let Some(macros) = read_macros(text) else {
        return true;
    };
    let by_name: BTreeMap<&str, usize> = macros
        .iter()
        .enumerate()
        .map(|(n, m)| (m.name.as_str(), n))
        .collect();
    let nodes: Vec<Node> = macros
        .iter()
        .map(|m| Node {
            weight: 1,
            edges: m
                .calls
                .iter()
                .filter_map(|(name, _)| by_name.get(name.as_str()).copied())
                .collect(),
        })
        .collect();
    let limits = Limits {
        depth: MACRO_DEPTH,
        size: MACRO_CALLS,
    };
    let problems = find_problems(&nodes, limits);
    let mut found: Vec<Diagnostic> = problems.iter().map(|p| report(&macros, p, file)).collect();
    // The graph gives its problems children first; the reader wants them in file order.
    found.sort_by_key(|d| d.span.as_ref().map_or(0, |span| span.range.start));
    found.into_iter().for_each(|d| diags.push(d));
    problems.is_empty()
}

fn report(macros: &[Macro], problem: &Problem, file: FileId) -> Diagnostic {
    match problem {
        Problem::Cycle { path, .. } => {
            let (first, next) = (&macros[path[0]], &macros[path[1]]);
            let at = first
                .calls
                .iter()
                .find(|(name, _)| *name == next.name)
                .map_or(first.at.clone(), |(_, at)| at.clone());
            let message = if path.len() == 2 {
                format!("CSL macro `{}` calls itself", first.name)
            } else {
                let names: Vec<&str> = path.iter().map(|&n| macros[n].name.as_str()).collect();
                format!(
                    "CSL macro `{}` calls itself through other macros: {}",
                    first.name,
                    names.join(" → ")
                )
            };
            Diagnostic::error(code::CSL_MACRO_CYCLE, message)
                .at(Span::new(file, at))
                .with_hint("a macro may not call itself, directly or through other macros; remove one of these calls")
        }
        Problem::TooDeep(n) | Problem::TooLarge(n) => {
            let too = if matches!(problem, Problem::TooDeep(_)) {
                format!("calls macros more than {MACRO_DEPTH} levels deep")
            } else {
                format!("expands to more than {MACRO_CALLS} macro calls")
            };
            let m = &macros[*n];
            Diagnostic::error(
                code::CSL_MACRO_CYCLE,
                format!("CSL macro `{}` {too}", m.name),
            )
            .at(Span::new(file, m.at.clone()))
            .with_hint("call fewer macros from this one, or write their content out")
        }
    }
}

/// The `<macro>` elements and the `macro="…"` calls inside each; `None` when the XML is
/// not well-formed.
fn read_macros(text: &str) -> Option<Vec<Macro>> {
    let mut reader = Reader::from_str(text);
    let mut macros: Vec<Macro> = Vec::new();
    // Depth of nesting inside the current <macro>, when in one.
    let mut inside: Option<usize> = None;
    loop {
        let before = usize::try_from(reader.buffer_position()).ok()?;
        let event = reader.read_event().ok()?;
        let after = usize::try_from(reader.buffer_position())
            .ok()?
            .min(text.len());
        let tag = before.min(after)..after;
        match event {
            Event::Eof => return Some(macros),
            Event::Start(element) => {
                if let Some(depth) = inside.as_mut() {
                    *depth += 1;
                    add_call(&mut macros, &element, text, tag);
                } else if element.local_name().as_ref() == b"macro" {
                    let name = attribute(&element, b"name").unwrap_or_default();
                    let at = attribute_at(text, tag, "name");
                    macros.push(Macro {
                        name,
                        at,
                        calls: Vec::new(),
                    });
                    inside = Some(0);
                }
            }
            Event::Empty(element) if inside.is_some() => {
                add_call(&mut macros, &element, text, tag);
            }
            Event::End(_) => {
                inside = match inside {
                    Some(0) | None => None,
                    Some(depth) => Some(depth - 1),
                };
            }
            _ => {}
        }
    }
}

fn add_call(macros: &mut [Macro], element: &BytesStart, text: &str, tag: Range<usize>) {
    if let (Some(name), Some(current)) = (attribute(element, b"macro"), macros.last_mut()) {
        let at = attribute_at(text, tag, "macro");
        current.calls.push((name, at));
    }
}

fn attribute(element: &BytesStart, name: &[u8]) -> Option<String> {
    element
        .attributes()
        .flatten()
        .find(|a| a.key.local_name().as_ref() == name)
        .and_then(|a| a.unescape_value().ok())
        .map(|v| v.into_owned())
}

/// Where `name="…"` is written inside the tag at `tag` (the whole tag if it cannot be
/// found).
fn attribute_at(text: &str, tag: Range<usize>, name: &str) -> Range<usize> {
    let Some(source) = text.get(tag.clone()) else {
        return tag;
    };
    let found = source.match_indices(name).find(|(at, _)| {
        let before = source[..*at].chars().next_back();
        let after = source[at + name.len()..].trim_start();
        before.is_some_and(char::is_whitespace) && after.starts_with('=')
    });
    let Some((at, _)) = found else {
        return tag;
    };
    let rest = &source[at..];
    let end = rest
        .find(['"', '\''])
        .and_then(|open| {
            let quote = rest[open..].chars().next()?;
            rest[open + 1..].find(quote).map(|close| open + close + 2)
        })
        .unwrap_or(name.len());
    tag.start + at..tag.start + at + end
}

#[cfg(test)]
mod tests {
    use super::*;

    fn style(macros: &str) -> String {
        format!(
            r#"<?xml version="1.0" encoding="utf-8"?>
<style xmlns="http://purl.org/net/xbiblio/csl" class="in-text" version="1.0">
  <info><title>T</title><id>t</id><updated>2020-01-01T00:00:00+00:00</updated></info>
{macros}
  <citation><layout><text macro="a"/></layout></citation>
</style>
"#
        )
    }

    fn messages(text: &str) -> (bool, Vec<(String, String)>) {
        let mut diags = Diagnostics::default();
        let ok = check_macro_calls(text, FileId(0), &mut diags);
        let found = diags
            .items()
            .iter()
            .map(|d| {
                let at = d.span.as_ref().map_or(0..0, |s| s.range.clone());
                (d.message.clone(), text[at].to_string())
            })
            .collect();
        (ok, found)
    }

    #[test]
    fn a_macro_calling_itself_is_reported_at_the_call() {
        let text = style(r#"  <macro name="a"><group><text macro="a"/></group></macro>"#);
        let (ok, found) = messages(&text);
        assert!(!ok);
        assert_eq!(
            found,
            vec![(
                "CSL macro `a` calls itself".to_string(),
                "macro=\"a\"".to_string()
            )]
        );
    }

    #[test]
    fn macros_calling_each_other_name_the_cycle() {
        let text = style(
            r#"  <macro name="a"><text macro="b"/></macro>
  <macro name="b"><text variable="title"/><text macro="a"/></macro>"#,
        );
        let (ok, found) = messages(&text);
        assert!(!ok);
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].0.contains("a → b → a"), "{found:?}");
        assert_eq!(found[0].1, "macro=\"b\"");
    }

    #[test]
    fn ordinary_calls_pass() {
        let text = style(
            r#"  <macro name="a"><text macro="b"/><text macro="b"/></macro>
  <macro name="b"><text variable="title"/></macro>"#,
        );
        assert_eq!(messages(&text), (true, Vec::new()));
    }

    #[test]
    fn broken_xml_is_left_to_the_csl_parser() {
        assert_eq!(messages("<style><macro name=\"a\">"), (true, Vec::new()));
    }
}
