//! The shape of the code, checked: the pipeline's one-way data flow and the size of its files.
//!
//! **Layers.** Every top-level module of `src/` sits in a layer of [`LAYERS`]; a module may
//! use its own layer and the layers below it, never one above. The table is the pipeline:
//! utilities that know nothing of books (0), the document model and book.toml (1), the
//! loaded manuscript (2), fonts, stylesheets and formulas' LaTeX (3), the Markdown front end (4), the passes
//! that resolve the book (5), the typesetter (6), the backends (7), and the commands that
//! drive them all (8). The test reads every `src/**/*.rs`, finds each `use crate::X` and
//! `crate::X::` path outside comments and string literals (test modules included: a test
//! that reaches up the pipeline ties the layers together just the same), and names every
//! arrow against the flow with its file and line.
//!
//! **File size.** No file holds more than [`MAX_CODE_LINES`] lines of code, not counting
//! blank lines, comments and `#[cfg(test)]` items (a file that is itself a test module, such
//! as `linebreak/tests.rs`, counts none). A longer file is a room too big to hold in one's
//! head: split it along its seams.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// The layers, lowest first. A module may import only from its own layer or a lower one.
const LAYERS: &[&[&str]] = &[
    // 0: utilities that know nothing of books.
    &[
        "diag", "xml", "timing", "progress", "parallel", "locale", "url", "units",
    ],
    // 1: the document model and book.toml.
    &["doc", "config"],
    // 2: the manuscript on disk, confined to the book folder.
    &["manuscript"],
    // 3: fonts, stylesheets, the highlighter and the LaTeX reader of formulas.
    &["fonts", "css", "highlight", "math"],
    // 4: Markdown to the document model.
    &["markdown"],
    // 5: the passes over the parsed book: ids, notes, links, citations, the contents.
    &["resolve", "cite", "toc"],
    // 6: the typesetter: the resolved book set in pages.
    &["typeset"],
    // 7: the backends.
    &["pdf", "epub"],
    // 8: the commands that run the pipeline.
    &["build", "check", "new", "cover"],
];

/// Most lines of code a file may hold (tests, comments and blank lines not counted).
const MAX_CODE_LINES: usize = 800;

fn src() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// Every `.rs` file under `dir`, sorted.
fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(dir) = pending.pop() {
        let entries = std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
        for entry in entries {
            let path = entry.expect("a directory entry").path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

/// `src/`-relative path with forward slashes, for messages.
fn shown(path: &Path) -> String {
    let relative = path.strip_prefix(src()).unwrap_or(path);
    let parts: Vec<String> = relative
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    format!("src/{}", parts.join("/"))
}

/// The top-level module a file belongs to (`None` for the crate root and the binary).
fn module_of(path: &Path) -> Option<String> {
    let relative = path.strip_prefix(src()).ok()?;
    let first = relative.components().next()?.as_os_str().to_string_lossy();
    let name = first.strip_suffix(".rs").unwrap_or(&first).to_string();
    (name != "lib" && name != "main").then_some(name)
}

fn layer_of(module: &str) -> Option<usize> {
    LAYERS.iter().position(|layer| layer.contains(&module))
}

/// The text with comments and the contents of string and character literals blanked out
/// (newlines kept, so line numbers stay right).
fn code_only(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        let (c, next) = (chars[i], chars.get(i + 1).copied());
        i = match c {
            '/' if next == Some('/') => skip_line_comment(&chars, i, &mut out),
            '/' if next == Some('*') => skip_block_comment(&chars, i, &mut out),
            'r' if raw_string_at(&chars, i) => skip_raw_string(&chars, i, &mut out),
            '"' => skip_quoted(&chars, i, '"', &mut out),
            '\'' if is_char_literal(&chars, i) => skip_quoted(&chars, i, '\'', &mut out),
            _ => {
                out.push(c);
                i + 1
            }
        };
    }
    out
}

/// A space for each character, but newlines stay.
fn blank(c: char) -> char {
    if c == '\n' {
        '\n'
    } else {
        ' '
    }
}

/// Blanks the `//` comment at `i`; returns the index of its newline.
fn skip_line_comment(chars: &[char], mut i: usize, out: &mut String) -> usize {
    while i < chars.len() && chars[i] != '\n' {
        out.push(' ');
        i += 1;
    }
    i
}

/// Blanks the (possibly nested) `/* */` comment at `i`; returns the index after it.
fn skip_block_comment(chars: &[char], mut i: usize, out: &mut String) -> usize {
    let mut depth = 0;
    while i < chars.len() {
        let pair = (chars[i], chars.get(i + 1).copied());
        if pair == ('/', Some('*')) || pair == ('*', Some('/')) {
            depth += if pair.0 == '/' { 1 } else { -1 };
            out.push_str("  ");
            i += 2;
            if depth == 0 {
                break;
            }
        } else {
            out.push(blank(chars[i]));
            i += 1;
        }
    }
    i
}

/// Keeps the quotes of the string or character literal at `i` and blanks what is between
/// them (escapes included); returns the index after it.
fn skip_quoted(chars: &[char], mut i: usize, quote: char, out: &mut String) -> usize {
    out.push(quote);
    i += 1;
    while i < chars.len() && chars[i] != quote {
        if chars[i] == '\\' {
            out.push(' ');
            i += 1;
        }
        if i < chars.len() {
            out.push(blank(chars[i]));
            i += 1;
        }
    }
    out.push(quote);
    i + 1
}

/// Whether `r` at `i` starts a raw string (`r"…"`, `r#"…"#`) rather than an identifier.
fn raw_string_at(chars: &[char], i: usize) -> bool {
    let before = i.checked_sub(1).map(|b| chars[b]);
    if before.is_some_and(|b| b.is_alphanumeric() || b == '_') {
        return false;
    }
    let mut j = i + 1;
    while chars.get(j) == Some(&'#') {
        j += 1;
    }
    chars.get(j) == Some(&'"')
}

/// Blanks the raw string starting at `i`; returns the index after it.
fn skip_raw_string(chars: &[char], i: usize, out: &mut String) -> usize {
    let mut j = i + 1;
    let mut hashes = 0;
    while chars[j] == '#' {
        hashes += 1;
        j += 1;
    }
    j += 1; // the opening quote
    out.push_str(&" ".repeat(j - i));
    while j < chars.len() {
        if chars[j] == '"' && (1..=hashes).all(|k| chars.get(j + k) == Some(&'#')) {
            out.push_str(&" ".repeat(1 + hashes));
            return j + 1 + hashes;
        }
        out.push(if chars[j] == '\n' { '\n' } else { ' ' });
        j += 1;
    }
    j
}

/// Whether `'` at `i` opens a character literal (`'a'`, `'\n'`) rather than a lifetime.
fn is_char_literal(chars: &[char], i: usize) -> bool {
    matches!(
        (chars.get(i + 1), chars.get(i + 2)),
        (Some('\\'), _) | (Some(_), Some('\''))
    )
}

/// The top-level modules each line of `code` names through `crate::`: `(line, module)`.
fn crate_paths(code: &str) -> Vec<(usize, String)> {
    let mut found = Vec::new();
    for (n, line) in code.lines().enumerate() {
        let mut rest = line;
        while let Some(at) = rest.find("crate::") {
            let before = rest[..at].chars().next_back();
            rest = &rest[at + "crate::".len()..];
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
                continue; // `octavo_crate::`, not `crate::`
            }
            if let Some(group) = rest.strip_prefix('{') {
                found.extend(grouped_modules(group).into_iter().map(|m| (n + 1, m)));
            } else {
                let name: String = rest
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                found.push((n + 1, name));
            }
        }
    }
    found
}

/// The first names of each path in `use crate::{a::b, c, d::{e, f}}` (the text after `{`).
fn grouped_modules(group: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut depth = 0;
    let mut at_start = true;
    let mut name = String::new();
    for c in group.chars() {
        match c {
            '{' => depth += 1,
            '}' if depth == 0 => break,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                if !name.is_empty() {
                    names.push(std::mem::take(&mut name));
                }
                at_start = true;
            }
            c if at_start && (c.is_alphanumeric() || c == '_') => name.push(c),
            _ if at_start && !name.is_empty() => {
                names.push(std::mem::take(&mut name));
                at_start = false;
            }
            _ => {}
        }
    }
    if !name.is_empty() {
        names.push(name);
    }
    names
}

#[test]
fn every_top_level_module_has_a_layer() {
    let mut missing = BTreeSet::new();
    for file in rust_files(&src()) {
        if let Some(module) = module_of(&file) {
            if layer_of(&module).is_none() {
                missing.insert(module);
            }
        }
    }
    assert!(
        missing.is_empty(),
        "modules without a layer in tests/architecture.rs LAYERS: {missing:?}"
    );
}

#[test]
fn no_module_imports_from_a_higher_layer() {
    let mut against = Vec::new();
    for file in rust_files(&src()) {
        let Some(from) = module_of(&file) else {
            continue;
        };
        let Some(from_layer) = layer_of(&from) else {
            continue;
        };
        let text = std::fs::read_to_string(&file).expect("a source file");
        for (line, to) in crate_paths(&code_only(&text)) {
            let Some(to_layer) = layer_of(&to) else {
                continue; // `crate::Something` re-exported at the root, or a macro
            };
            if to_layer > from_layer {
                against.push(format!(
                    "{}:{line}: {from} (layer {from_layer}) -> {to} (layer {to_layer})",
                    shown(&file)
                ));
            }
        }
    }
    assert!(
        against.is_empty(),
        "imports against the pipeline (a module may use only its own layer and lower ones):\n{}",
        against.join("\n")
    );
}

/// The test modules a file declares out of line (`#[cfg(test)] mod tests;`), as paths.
fn test_module_files(file: &Path, code: &str) -> Vec<PathBuf> {
    let dir = if file
        .file_name()
        .is_some_and(|n| n == "mod.rs" || n == "lib.rs")
    {
        file.parent().map(Path::to_path_buf)
    } else {
        file.parent()
            .map(|p| p.join(file.file_stem().unwrap_or_default()))
    };
    let Some(dir) = dir else {
        return Vec::new();
    };
    let lines: Vec<&str> = code.lines().map(str::trim).collect();
    lines
        .windows(2)
        .filter(|pair| pair[0] == "#[cfg(test)]")
        .filter_map(|pair| pair[1].strip_prefix("mod ")?.strip_suffix(';'))
        .flat_map(|name| {
            [
                dir.join(format!("{name}.rs")),
                dir.join(name).join("mod.rs"),
            ]
        })
        .collect()
}

/// Lines of code in `code` (comments already blanked): not blank, and not inside an item
/// marked `#[cfg(test)]`.
fn code_lines(code: &str) -> usize {
    let lines: Vec<&str> = code.lines().collect();
    let mut count = 0;
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i].trim();
        if line == "#[cfg(test)]" {
            i = end_of_item(&lines, i + 1);
            continue;
        }
        if !line.is_empty() {
            count += 1;
        }
        i += 1;
    }
    count
}

/// The index after the item that starts at line `start` (ends at `;` or its closing brace).
fn end_of_item(lines: &[&str], start: usize) -> usize {
    let mut depth = 0i32;
    for (i, line) in lines.iter().enumerate().skip(start) {
        for c in line.chars() {
            match c {
                '{' => depth += 1,
                '}' => depth -= 1,
                _ => {}
            }
        }
        let trimmed = line.trim_end();
        if depth <= 0 && (trimmed.ends_with('}') || trimmed.ends_with(';')) {
            return i + 1;
        }
    }
    lines.len()
}

#[test]
fn no_file_holds_more_than_800_lines_of_code() {
    let files = rust_files(&src());
    let mut test_files = BTreeSet::new();
    let mut sizes = Vec::new();
    for file in &files {
        let code = code_only(&std::fs::read_to_string(file).expect("a source file"));
        test_files.extend(test_module_files(file, &code));
        sizes.push((file.clone(), code_lines(&code)));
    }
    let too_long: Vec<String> = sizes
        .into_iter()
        .filter(|(file, _)| !test_files.contains(file))
        .filter(|(_, lines)| *lines > MAX_CODE_LINES)
        .map(|(file, lines)| format!("{}: {lines} lines of code", shown(&file)))
        .collect();
    assert!(
        too_long.is_empty(),
        "files over {MAX_CODE_LINES} lines of code (split them along their seams):\n{}",
        too_long.join("\n")
    );
}

#[test]
fn the_scanner_sees_paths_and_not_comments_or_strings() {
    let text = "use crate::doc::Book;\n// crate::pdf in a comment\nlet s = \"crate::epub\";\n\
                use crate::{fonts::FontSet, css, typeset::{layout, page}};\nx(crate::build::run());\n\
                let c = '\\'';\n/* crate::check */ let r = r#\"crate::new\"#;\n";
    let found = crate_paths(&code_only(text));
    let expected: Vec<(usize, String)> = [
        (1, "doc"),
        (4, "fonts"),
        (4, "css"),
        (4, "typeset"),
        (5, "build"),
    ]
    .into_iter()
    .map(|(line, module)| (line, module.to_string()))
    .collect();
    assert_eq!(found, expected);
}

#[test]
fn test_modules_and_comments_are_not_counted() {
    let text = "fn a() {\n    // a comment\n\n    b();\n}\n\n#[cfg(test)]\nmod tests {\n    fn c() {}\n}\n";
    assert_eq!(code_lines(&code_only(text)), 3);
}
