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
