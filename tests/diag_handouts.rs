//! Issue 12, "Nothing lost, nothing invalid": reference cycles in bibliographies and styles
//! reported instead of aborting, a shared bibliography's uncited entries summarised, long
//! source lines shown as a window and repeated diagnostics capped, print interiors without
//! the cover, handouts with a title block, and `--chapters` for the EPUB.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn octavo(args: &[&str], cwd: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_octavo"))
        .args(args)
        .current_dir(cwd)
        .env_remove("SOURCE_DATE_EPOCH")
        .output()
        .expect("run octavo")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// A book folder with the given files, in a fresh temporary directory.
fn book(files: &[(&str, &str)]) -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().expect("temp dir");
    let dir = tmp.path().join("book");
    for (name, text) in files {
        let path = dir.join(name);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, text).expect("write");
    }
    (tmp, dir)
}

const CITING_TOML: &str =
    "title = \"Cycles\"\ndate = \"2024-05-01\"\nbibliography = \"references.bib\"\n";
const CITING_CHAPTER: &str = "# One\n\nAs shown [@b].\n";

/// `check` and `build` of a book whose bibliography or style holds a cycle: exit 1 with the
/// diagnostic `code` at `location`, never an abort.
fn assert_reported(files: &[(&str, &str)], code: &str, location: &str) {
    let (_tmp, dir) = book(files);
    for command in ["check", "build"] {
        let out = octavo(&[command, "."], &dir);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(1), "{command}: {err}");
        assert!(err.contains(&format!("error[{code}]")), "{command}: {err}");
        assert!(err.contains(location), "{command}: {err}");
    }
}

#[test]
fn a_string_that_names_itself_is_reported_not_a_stack_overflow() {
    let bib = "@string{loop = loop # loop}\n\n@book{b,\n  title = loop,\n  year = {2000}\n}\n";
    assert_reported(
        &[
            ("book.toml", CITING_TOML),
            ("chapters/one.md", CITING_CHAPTER),
            ("references.bib", bib),
        ],
        "E0125",
        "references.bib:1:16",
    );
}

#[test]
fn a_crossref_cycle_is_reported_not_a_stack_overflow() {
    let bib = "@book{b,\n  title = {B},\n  year = {2000}\n}\n\n@inbook{x,\n  crossref = {y},\n  title = {X}\n}\n\n@inbook{y,\n  crossref = {x},\n  title = {Y}\n}\n";
    assert_reported(
        &[
            ("book.toml", CITING_TOML),
            ("chapters/one.md", CITING_CHAPTER),
            ("references.bib", bib),
        ],
        "E0125",
        "references.bib:7:14",
    );
}

const LOOPING_STYLE: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<style xmlns="http://purl.org/net/xbiblio/csl" class="in-text" version="1.0">
  <info>
    <title>Loop</title>
    <id>loop</id>
    <updated>2020-01-01T00:00:00+00:00</updated>
  </info>
  <macro name="a">
    <text macro="b"/>
  </macro>
  <macro name="b">
    <text macro="a"/>
  </macro>
  <citation>
    <layout>
      <text macro="a"/>
    </layout>
  </citation>
  <bibliography>
    <layout>
      <text variable="title"/>
    </layout>
  </bibliography>
</style>
"#;

#[test]
fn a_csl_macro_cycle_is_reported_not_a_stack_overflow() {
    let toml = format!("{CITING_TOML}csl = \"loop.csl\"\n");
    let bib = "@book{b,\n  title = {B},\n  year = {2000}\n}\n";
    assert_reported(
        &[
            ("book.toml", &toml),
            ("chapters/one.md", CITING_CHAPTER),
            ("references.bib", bib),
            ("loop.csl", LOOPING_STYLE),
        ],
        "E0126",
        "loop.csl:9:11",
    );
}

/// The JSON diagnostics `octavo check` gives for a book.
fn check_json(dir: &Path) -> (Output, Vec<serde_json::Value>) {
    let out = Command::new(env!("CARGO_BIN_EXE_octavo"))
        .args(["check", ".", "--message-format", "json"])
        .current_dir(dir)
        .output()
        .expect("run octavo");
    let lines = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON object per line"))
        .collect();
    (out, lines)
}

#[test]
fn a_shared_bibliography_gives_one_warning_for_its_uncited_entries() {
    let mut bib = String::new();
    for n in 0..50_000 {
        bib.push_str(&format!(
            "@book{{k{n},\n  title = {{Work {n}}},\n  author = {{Writer, A.}},\n  year = {{2000}}\n}}\n\n"
        ));
    }
    let chapter = "# One\n\nAs shown [@k7; @k12; @k49999].\n";
    let (_tmp, dir) = book(&[
        ("book.toml", CITING_TOML),
        ("chapters/one.md", chapter),
        ("references.bib", &bib),
    ]);
    let (out, diags) = check_json(&dir);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let unused: Vec<&serde_json::Value> = diags.iter().filter(|d| d["code"] == "W0204").collect();
    assert_eq!(unused.len(), 1, "one warning, not {}", unused.len());
    let message = unused[0]["message"].as_str().expect("a message");
    assert!(message.contains("49997 of the 50000 entries"), "{message}");
    assert_eq!(unused[0]["file"], "references.bib");
    assert_eq!(unused[0]["line"], 1, "at the first uncited entry");
}

#[test]
fn a_few_uncited_entries_are_each_named_at_their_line() {
    let bib = "@book{a, title = {A}, year = {2000}}\n@book{b, title = {B}, year = {2000}}\n@book{c, title = {C}, year = {2000}}\n";
    let (_tmp, dir) = book(&[
        ("book.toml", CITING_TOML),
        ("chapters/one.md", CITING_CHAPTER),
        ("references.bib", bib),
    ]);
    let (_, diags) = check_json(&dir);
    let lines: Vec<i64> = diags
        .iter()
        .filter(|d| d["code"] == "W0204")
        .map(|d| d["line"].as_i64().expect("a line"))
        .collect();
    assert_eq!(lines, vec![1, 3]);
}

#[test]
fn a_long_source_line_is_shown_as_a_window_and_repeats_are_capped() {
    let line = "Lorem ipsum dolor sit amet <blink>x</blink> ".repeat(1_000);
    let chapter = format!("# Long\n\n{line}\n");
    let (_tmp, dir) = book(&[
        ("book.toml", "title = \"Long\"\ndate = \"2024-05-01\"\n"),
        ("chapters/one.md", &chapter),
    ]);
    let out = octavo(&["check", "."], &dir);
    let err = stderr(&out);
    assert!(
        err.len() < 20_000,
        "{} bytes of diagnostics for a {} byte line",
        err.len(),
        line.len()
    );
    let longest = err.lines().map(|l| l.chars().count()).max().unwrap_or(0);
    assert!(longest < 160, "a line of {longest} characters");
    assert_eq!(err.matches("warning[W0201]").count(), 20, "{err}");
    let (_, all) = check_json(&dir);
    let dropped = all.iter().filter(|d| d["code"] == "W0201").count();
    assert!(dropped >= 1_000, "{dropped}");
    let more = format!(
        "… and {} more W0201 warnings in chapters/one.md",
        dropped - 20
    );
    assert!(err.contains(&more), "{err}");
    // The window shows where the 20th dropped tag is, with its true line and column.
    let column = 28 + 19 * "Lorem ipsum dolor sit amet <blink>x</blink> ".len();
    assert!(
        err.contains(&format!("chapters/one.md:3:{column}")),
        "{err}"
    );
    let window = "3 │ …nk>x</blink> Lorem ipsum dolor sit amet <blink>x</blink> Lorem ipsum dolor sit amet <blink>x</blink>…";
    assert!(err.contains(window), "{err}");
}
