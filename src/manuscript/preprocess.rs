//! mdBook's preprocessor directives in a chapter's text, expanded before it is parsed:
//! `{{#include file}}`, `{{#include file:anchor}}`, `{{#include file:10:20}}`,
//! `{{#rustdoc_include …}}` and `{{#playground …}}` are replaced by the text they name (read
//! through the confined root, so never from outside the book); `{{#title …}}` is dropped;
//! `\{{#…}}` is the directive's text itself. Directives octavo does not run (`{{%…}}` of the
//! course plugin, an unknown `{{#…}}`) are left out and reported, once per kind.

use std::ops::Range;
use std::path::Path;

/// Includes nested deeper than this are refused (mdBook's own limit).
const MAX_INCLUDE_DEPTH: usize = 10;

/// A chapter's text with its includes expanded may not grow past the size of the largest
/// text file octavo reads: a file that includes another twice, which includes another
/// twice, … would otherwise grow exponentially.
const MAX_EXPANDED_BYTES: usize = super::MAX_TEXT_BYTES as usize;

/// What expanding a chapter found, with ranges into the expanded text.
#[derive(Debug, Default)]
pub(crate) struct Expansion {
    /// The chapter's text with the directives replaced.
    pub text: String,
    /// Directives left out: their kind (`%segment`, `#template`) and where they stood.
    pub skipped: Vec<(String, Range<usize>)>,
    /// Includes that failed: why, and where the directive stood.
    pub failed: Vec<(String, Range<usize>)>,
    /// Includes refused because they would include a file being expanded again (a cycle,
    /// which would never end): the chain of files, and where the directive stood.
    pub cycles: Vec<(String, Range<usize>)>,
    /// Includes of an anchor their file does not mark (nothing included, as in mdBook).
    pub missing_anchors: Vec<(String, Range<usize>)>,
    /// Where each stretch of the expanded text comes from in the chapter as written, in
    /// order: the chapter's own text, or a directive (what it expanded to).
    pub origins: Vec<crate::diag::Origin>,
    /// The most bytes the expanded text may hold.
    limit: usize,
    /// The files (relative to the book root) and selections being expanded, outermost
    /// first: an include of one of them again would never end.
    including: Vec<(std::path::PathBuf, String)>,
    /// Once an include was refused for the limit: its entry in `failed`, and how many
    /// includes after it were left out with it (not read at all).
    over_limit: Option<(usize, usize)>,
}

/// Reads a file named by a directive, relative to the folder of the file holding it
/// (relative to the book root): its text and its own path relative to the book root, or
/// why not.
pub(crate) trait IncludeReader {
    /// Read `written` (as the directive names it) from the folder `base`.
    fn read_include(
        &mut self,
        base: &Path,
        written: &str,
    ) -> Result<(String, std::path::PathBuf), String>;
}

/// Expand the directives of `text`, the file `file` (relative to the book root).
pub(crate) fn expand(text: &str, file: &Path, reader: &mut dyn IncludeReader) -> Expansion {
    expand_within(text, file, reader, MAX_EXPANDED_BYTES)
}

/// [`expand`], the expanded text kept under `limit` bytes.
fn expand_within(
    text: &str,
    file: &Path,
    reader: &mut dyn IncludeReader,
    limit: usize,
) -> Expansion {
    let mut expansion = Expansion {
        limit,
        including: vec![(file.to_path_buf(), String::new())],
        ..Expansion::default()
    };
    let base = file.parent().unwrap_or(Path::new(""));
    expand_into(text, base, reader, 0, &mut expansion);
    if let Some((first, more)) = expansion.over_limit.filter(|&(_, more)| more > 0) {
        if let Some((why, _)) = expansion.failed.get_mut(first) {
            why.push_str(&format!(
                "; the {more} include(s) after it are left out with it"
            ));
        }
    }
    expansion
}

/// Note that the expanded text from `expanded_start` to its end came from `written` in the
/// chapter as written (at the top level only: a nested include is part of its directive's).
fn note_origin(
    out: &mut Expansion,
    depth: usize,
    expanded_start: usize,
    written: Range<usize>,
    copied: bool,
) {
    if depth == 0 {
        out.origins.push(crate::diag::Origin {
            expanded: expanded_start..out.text.len(),
            written,
            copied,
        });
    }
}

fn expand_into(
    text: &str,
    base: &Path,
    reader: &mut dyn IncludeReader,
    depth: usize,
    out: &mut Expansion,
) {
    let mut rest = text;
    // Where `rest` starts in `text`, and where the stretch copied since the last directive
    // starts in `text` and in the expanded text.
    let offset = |rest: &str| text.len() - rest.len();
    let (mut copy_from, mut copy_to) = (0, out.text.len());
    while let Some(at) = rest.find("{{") {
        let (before, from) = rest.split_at(at);
        let is_directive = from[2..].starts_with(['#', '%']);
        let Some(end) = from.find("}}").filter(|_| is_directive) else {
            // Not a directive (`{{ x }}` in a template): kept as written.
            out.text.push_str(before);
            out.text.push_str("{{");
            rest = &from[2..];
            continue;
        };
        if let Some(kept) = before.strip_suffix('\\') {
            // The escape's backslash goes: what follows is one byte earlier than written.
            out.text.push_str(kept);
            note_origin(out, depth, copy_to, copy_from..offset(from) - 1, true);
            (copy_from, copy_to) = (offset(from), out.text.len());
            out.text.push_str(&from[..end + 2]);
        } else {
            out.text.push_str(before);
            note_origin(out, depth, copy_to, copy_from..offset(from), true);
            let expanded_start = out.text.len();
            apply_directive(from[2..end].trim(), base, reader, depth, out);
            let directive = offset(from)..offset(from) + end + 2;
            note_origin(out, depth, expanded_start, directive, false);
            (copy_from, copy_to) = (offset(from) + end + 2, out.text.len());
        }
        rest = &from[end + 2..];
    }
    out.text.push_str(rest);
    note_origin(out, depth, copy_to, copy_from..text.len(), true);
}

fn apply_directive(
    directive: &str,
    base: &Path,
    reader: &mut dyn IncludeReader,
    depth: usize,
    out: &mut Expansion,
) {
    let start = out.text.len();
    let whole = start..start;
    if let Some(command) = directive.strip_prefix('#') {
        let (name, args) = command
            .split_once(char::is_whitespace)
            .unwrap_or((command, ""));
        match name {
            "include" | "rustdoc_include" | "playground" => {
                include(args.trim(), base, reader, depth, out)
            }
            "title" => {}
            other => out.skipped.push((format!("#{other}"), whole)),
        }
    } else if let Some(command) = directive.strip_prefix('%') {
        let kind = command.split_whitespace().next().unwrap_or_default();
        out.skipped.push((format!("%{kind}"), whole));
    }
}

fn include(
    args: &str,
    base: &Path,
    reader: &mut dyn IncludeReader,
    depth: usize,
    out: &mut Expansion,
) {
    let at = out.text.len()..out.text.len();
    // `{{#playground file editable}}`: what follows the file are options for the web page.
    let target = args.split_whitespace().next().unwrap_or_default();
    let (path, selection) = match target.split_once(':') {
        Some((path, selection)) => (path, Some(selection)),
        None => (target, None),
    };
    if let Some((_, more)) = &mut out.over_limit {
        *more += 1;
        return;
    }
    if depth >= MAX_INCLUDE_DEPTH {
        let why = format!("`{path}`: includes are nested more than {MAX_INCLUDE_DEPTH} deep");
        out.failed.push((why, at));
        return;
    }
    let (text, file) = match reader.read_include(base, path) {
        Ok(found) => found,
        Err(why) => {
            out.failed.push((why, at));
            return;
        }
    };
    let key = (file, selection.unwrap_or_default().trim().to_string());
    if let Some(first) = out.including.iter().position(|open| *open == key) {
        out.cycles
            .push((include_cycle(path, &out.including[first..], &key.0), at));
        return;
    }
    let folder = key.0.parent().unwrap_or(Path::new("")).to_path_buf();
    match select(&text, selection) {
        Ok(selected) if out.text.len() + selected.len() > out.limit => {
            let why = format!(
                "`{path}`: with its includes the chapter would be larger than {} bytes",
                out.limit
            );
            out.failed.push((why, at));
            out.over_limit = Some((out.failed.len() - 1, 0));
        }
        Ok(selected) => {
            out.including.push(key);
            expand_into(&selected, &folder, reader, depth + 1, out);
            out.including.pop();
        }
        Err(why) => out.missing_anchors.push((format!("`{path}`: {why}"), at)),
    }
}

/// Why an include of `file` (written `path`), which `chain` is already expanding, is
/// refused: the files from its first inclusion to itself again.
fn include_cycle(path: &str, chain: &[(std::path::PathBuf, String)], file: &Path) -> String {
    let mut names: Vec<String> = chain
        .iter()
        .map(|(open, _)| open.display().to_string())
        .collect();
    names.push(file.display().to_string());
    format!("`{path}` includes itself again: {}", names.join(" → "))
}

/// The part of an included file a selection names: all of it, lines `10:20` (`10`, `10:`,
/// `:20`), or an anchor's lines. Lines marking anchors are left out in every case.
fn select(text: &str, selection: Option<&str>) -> Result<String, String> {
    let lines: Vec<&str> = text.lines().collect();
    let chosen: Vec<&str> = match selection.map(str::trim).filter(|s| !s.is_empty()) {
        None => lines,
        Some(selection) => match line_range(selection, lines.len()) {
            Some(range) => lines.get(range).unwrap_or_default().to_vec(),
            None => anchored(&lines, selection)?,
        },
    };
    let mut selected = String::new();
    for line in chosen.into_iter().filter(|l| anchor_name(l).is_none()) {
        selected.push_str(line);
        selected.push('\n');
    }
    if !text.ends_with('\n') || text.is_empty() {
        selected.pop();
    }
    Ok(selected)
}

/// `10:20`, `10`, `10:` or `:20` as a range of 0-based line indices; `None` when it is not
/// numbers (an anchor).
fn line_range(selection: &str, count: usize) -> Option<Range<usize>> {
    let number = |s: &str| s.trim().parse::<usize>().ok();
    let range = match selection.split_once(':') {
        None => {
            let line = number(selection)?;
            line.saturating_sub(1)..line
        }
        Some((from, to)) => {
            let from = if from.is_empty() { 1 } else { number(from)? };
            let to = if to.is_empty() { count } else { number(to)? };
            from.saturating_sub(1)..to
        }
    };
    Some(range.start.min(count)..range.end.min(count).max(range.start.min(count)))
}

/// The lines between `ANCHOR: name` and `ANCHOR_END: name`.
fn anchored<'a>(lines: &[&'a str], name: &str) -> Result<Vec<&'a str>, String> {
    let is_marker = |line: &str, kind: &str| anchor_name(line) == Some((kind, name));
    let start = lines
        .iter()
        .position(|l| is_marker(l, "ANCHOR"))
        .ok_or_else(|| format!("there is no `ANCHOR: {name}` in the file"))?;
    let length = lines[start + 1..]
        .iter()
        .position(|l| is_marker(l, "ANCHOR_END"))
        .unwrap_or(lines.len() - start - 1);
    Ok(lines[start + 1..start + 1 + length].to_vec())
}

/// `("ANCHOR", name)` or `("ANCHOR_END", name)` for a line marking an anchor.
fn anchor_name(line: &str) -> Option<(&'static str, &str)> {
    for kind in ["ANCHOR_END", "ANCHOR"] {
        if let Some(at) = line.find(&format!("{kind}:")) {
            let before = &line[..at];
            if before.ends_with(|c: char| c.is_alphanumeric() || c == '_') {
                continue;
            }
            let name = line[at + kind.len() + 1..].trim_start();
            let end = name
                .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '-'))
                .unwrap_or(name.len());
            if end > 0 {
                return Some((kind, &name[..end]));
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;
    use std::path::PathBuf;

    struct Files(BTreeMap<&'static str, &'static str>);

    impl IncludeReader for Files {
        fn read_include(
            &mut self,
            base: &Path,
            written: &str,
        ) -> Result<(String, PathBuf), String> {
            let path = base.join(written);
            let key = path.to_string_lossy().into_owned();
            self.0
                .get(key.as_str())
                .map(|text| (text.to_string(), path.clone()))
                .ok_or_else(|| format!("`{written}` does not exist"))
        }
    }

    fn files() -> Files {
        Files(BTreeMap::from([
            (
                "src/a.rs",
                "use x;\n// ANCHOR: main\nfn main() {\n    // ANCHOR: inner\n    go();\n    // ANCHOR_END: inner\n}\n// ANCHOR_END: main\n",
            ),
            ("src/nested.md", "before {{#include a.rs:inner}} after"),
            ("src/loop.md", "{{#include loop.md}}"),
            ("src/twice.md", "{{#include a.rs}}{{#include a.rs}}"),
            ("src/doubled.md", "{{#include twice.md}}{{#include twice.md}}"),
            ("src/ping.md", "ping {{#include pong.md}}"),
            ("src/pong.md", "pong {{#include ping.md}} {{#include ping.md}}"),
            ("src/self.md", "// ANCHOR: part\nkept\n// ANCHOR_END: part\n{{#include self.md:part}}"),
        ]))
    }

    fn run(text: &str) -> Expansion {
        expand(text, Path::new("src/chapter.md"), &mut files())
    }

    #[test]
    fn anchors_lines_and_whole_files() {
        assert_eq!(
            run("{{#include a.rs:main}}").text,
            "fn main() {\n    go();\n}\n"
        );
        assert_eq!(run("{{#include a.rs:inner}}").text, "    go();\n");
        assert_eq!(run("{{#include a.rs:1:1}}").text, "use x;\n");
        assert_eq!(run("{{#include a.rs:3}}").text, "fn main() {\n");
        assert_eq!(run("{{#include a.rs::1}}").text, "use x;\n");
        assert_eq!(
            run("{{#rustdoc_include a.rs}}").text,
            "use x;\nfn main() {\n    go();\n}\n"
        );
        assert_eq!(
            run("{{#playground a.rs:inner editable}}").text,
            "    go();\n"
        );
    }

    #[test]
    fn messages_point_into_the_chapter_as_written() {
        let written = "# T\n{{#include a.rs:inner}}\nafter \\{{#x}} {{%course outline}}\nlast\n";
        let expansion = run(written);
        assert_eq!(expansion.text, "# T\n    go();\n\nafter {{#x}} \nlast\n");
        let mut sources = crate::diag::SourceMap::default();
        let file = sources.add("src/ch.md", written.to_string());
        let expanded = expansion.text.clone();
        sources.replace_text(file, expansion.text, expansion.origins);
        let at = |needle: &str| sources.line_col(file, expanded.find(needle).unwrap());
        // Inside the included lines: the directive's place.
        assert_eq!(at("go();"), (2, 1));
        // After them, the written line, past the escape's backslash.
        assert_eq!(at("after"), (3, 1));
        assert_eq!(at("{{#x}}"), (3, 8));
        assert_eq!(at("last"), (4, 1));
        // A skipped directive is reported at its place in the line.
        let (_, skipped) = &expansion.skipped[0];
        assert_eq!(sources.line_col(file, skipped.start), (3, 15));
    }

    #[test]
    fn includes_nest_and_escapes_stay() {
        assert_eq!(
            run("{{#include nested.md}}").text,
            "before     go();\n after"
        );
        assert_eq!(run(r"\{{#include a.rs}}").text, "{{#include a.rs}}");
        assert_eq!(run("a {{ x }} b").text, "a {{ x }} b");
    }

    #[test]
    fn failures_and_skipped_directives_are_located() {
        let found = run("x {{#include gone.rs}} {{#include a.rs:nope}}");
        assert_eq!(found.failed.len(), 1);
        assert_eq!(found.failed[0].1, 2..2);
        assert!(found.missing_anchors[0].0.contains("ANCHOR: nope"));
        let found = run("ab\n{{%segment outline}}\n{{%session outline}}");
        assert_eq!(found.text, "ab\n\n");
        assert_eq!(found.skipped[0], ("%segment".to_string(), 3..3));
        assert_eq!(found.skipped[1].0, "%session");
        let found = run("{{#include loop.md}}");
        assert_eq!(
            found.cycles[0].0,
            "`loop.md` includes itself again: src/loop.md → src/loop.md"
        );
    }

    /// An include that comes round again is refused at once, not expanded until the depth
    /// limit: two files including each other twice used to expand 2^10 times.
    #[test]
    fn a_cycle_of_includes_stops_where_it_closes() {
        let found = run("{{#include ping.md}}");
        assert_eq!(found.text, "ping pong  ");
        assert_eq!(found.cycles.len(), 2);
        assert!(found.failed.is_empty());
        assert!(found.cycles[0]
            .0
            .ends_with("src/ping.md → src/pong.md → src/ping.md"));
        // The chapter itself is part of the chain.
        let found = expand(
            "{{#include ping.md}}",
            Path::new("src/pong.md"),
            &mut files(),
        );
        assert!(found.cycles[0]
            .0
            .ends_with("src/pong.md → src/ping.md → src/pong.md"));
        // A part of a file may include another part of the same file.
        assert_eq!(run("{{#include self.md}}").text, "kept\nkept");
    }

    #[test]
    fn includes_cannot_grow_past_the_limit() {
        let one = run("{{#include a.rs}}").text.len();
        let found = expand_within(
            "{{#include doubled.md}}{{#include a.rs}}{{#include a.rs}}",
            Path::new("src/chapter.md"),
            &mut files(),
            3 * one,
        );
        // The second `twice.md` would pass the limit: it is not included, nor is any
        // include after it (not even read), and one message says so.
        assert_eq!(found.text.len(), 2 * one);
        assert_eq!(found.failed.len(), 1, "{:?}", found.failed);
        assert!(found.failed[0].0.contains("larger than"));
        assert!(found.failed[0]
            .0
            .ends_with("the 2 include(s) after it are left out with it"));
    }
}
