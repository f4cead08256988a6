//! Issue 12, "Nothing lost, nothing invalid": reference cycles in bibliographies and styles
//! reported instead of aborting, a shared bibliography's uncited entries summarised, long
//! source lines shown as a window and repeated diagnostics capped, print interiors without
//! the cover, handouts with a title block, and `--chapters` for the EPUB.

mod common;

use common::book;

use std::path::Path;
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

// ---------------------------------------------------------------------------------------
// Print interiors and handouts

use octavo::layout::{page_text, Item, PageKind};

/// The PDF of the book in `dir` in `profile`, of the chapters in `chapters` (all when
/// `None`), as `octavo build` makes it; kept for qpdf.
fn pdf(
    name: &str,
    dir: &Path,
    profile: &str,
    chapters: Option<std::ops::RangeInclusive<u32>>,
) -> octavo::PdfOutput {
    let resolve = octavo::ResolveOptions::default();
    let compiled = octavo::compile(dir, &resolve);
    assert!(compiled.book.is_some(), "{} loads", dir.display());
    let options = octavo::BuildOptions {
        dir: dir.to_path_buf(),
        out: None,
        format: octavo::Format::Pdf,
        profile: Some(profile.into()),
        chapters,
        readable_pdf: false,
        deny_warnings: false,
        resolve,
    };
    let output = octavo::build_pdf(&compiled, &options).expect("a PDF");
    std::fs::write(common::pdf_dir().join(format!("{name}.pdf")), &output.bytes)
        .expect("keep the PDF");
    output
}

const SAMPLE_TITLE: &str = "Year Zero: The Killing Fields and S-21";

#[test]
fn a_print_interior_has_no_cover_and_opens_on_the_half_title() {
    let output = pdf(
        "print-interior",
        &common::repo().join("manuscript"),
        "print",
        None,
    );
    let pages = &output.composition.pages;
    assert!(pages.iter().all(|p| p.kind != PageKind::Cover));
    assert_eq!(pages[0].kind, PageKind::Front);
    assert_eq!(pages[0].label.as_deref(), Some("i"));
    assert_eq!(page_text(&pages[0]).trim(), SAMPLE_TITLE, "the half title");
    let title_page = pages
        .iter()
        .position(|p| page_text(p).contains("A Short History"))
        .expect("a title page");
    assert_eq!(title_page % 2, 0, "the title page is a recto");
    assert_eq!(pages[title_page].label.as_deref(), Some("iii"));
    let contents = pages
        .iter()
        .position(|p| page_text(p).trim_start().starts_with("Contents"))
        .expect("a contents page");
    assert_eq!(contents % 2, 0, "the contents open on a recto");
}

#[test]
fn a_screen_pdf_of_the_whole_book_and_the_epub_keep_the_cover() {
    let dir = common::repo().join("manuscript");
    let output = pdf("a4-whole-book", &dir, "a4", None);
    assert_eq!(output.composition.pages[0].kind, PageKind::Cover);
    assert_eq!(output.composition.pages[1].label.as_deref(), Some("i"));
    let (epub, ..) = common::build_epub(&dir);
    assert!(!common::xhtml_body(&epub, "EPUB/text/cover.xhtml").is_empty());
}

#[test]
fn a_handout_opens_with_a_title_block_instead_of_front_matter() {
    let output = pdf(
        "handout-a4-3-4",
        &common::repo().join("manuscript"),
        "a4",
        Some(3..=4),
    );
    let pages = &output.composition.pages;
    let kinds: Vec<PageKind> = pages.iter().map(|p| p.kind).collect();
    assert!(
        kinds
            .iter()
            .all(|k| matches!(k, PageKind::Opening | PageKind::Body)),
        "no cover, front matter or blank page: {kinds:?}"
    );
    assert!(pages.len() <= 6, "{} pages for five of text", pages.len());
    let first = page_text(&pages[0]);
    let block = format!(
        "{SAMPLE_TITLE} 3. The Rise of Pol Pot · 4. The Ideology of the Khmer Rouge octavo sample edition · 2026-11-25 Chapter 3 The Rise of Pol Pot"
    );
    let words: Vec<&str> = first.split_whitespace().collect();
    assert!(words.join(" ").starts_with(&block), "{first}");
    assert_eq!(pages[0].label.as_deref(), Some("1"));
    let rule = pages[0]
        .items
        .iter()
        .find_map(|item| match item {
            Item::Rule(rule) => Some(rule.y.get()),
            _ => None,
        })
        .expect("a rule under the title block");
    let mut above: Vec<i64> = pages[0]
        .items
        .iter()
        .filter_map(|item| match item {
            Item::Glyphs(run) if run.y.get() < rule => Some(run.y.get().round() as i64),
            _ => None,
        })
        .collect();
    above.dedup();
    assert_eq!(above.len(), 3, "title, chapters and byline above the rule");
}

#[test]
fn a_handout_prints_the_front_matter_book_toml_asks_for() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let dir = tmp.path().join("book");
    copy_dir(&common::repo().join("manuscript"), &dir);
    let toml = std::fs::read_to_string(dir.join("book.toml")).expect("book.toml");
    std::fs::write(
        dir.join("book.toml"),
        format!("{toml}\n[front-matter]\ntitle-page = true\n"),
    )
    .expect("write book.toml");
    let output = pdf("handout-front-matter", &dir, "a4", Some(3..=3));
    let pages = &output.composition.pages;
    assert_eq!(pages[0].kind, PageKind::Front);
    assert!(
        page_text(&pages[0]).contains("A Short History"),
        "the title page"
    );
    assert!(pages.iter().all(|p| p.kind != PageKind::Cover));
    let opening = page_text(&pages[1]);
    assert!(
        opening.trim_start().starts_with("Chapter 3"),
        "no title block: {opening}"
    );
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read dir") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("type").is_dir() {
            if entry.file_name() != "out" {
                copy_dir(&entry.path(), &target);
            }
        } else {
            std::fs::copy(entry.path(), target).expect("copy");
        }
    }
}

/// The names of the files in an EPUB.
fn epub_files(bytes: &[u8]) -> Vec<String> {
    let archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a zip");
    (0..archive.len())
        .map(|i| {
            let mut archive = archive.clone();
            let file = archive.by_index(i).expect("an entry");
            file.name().expect("a name").to_string()
        })
        .collect()
}

/// `octavo build` of the sample book with `args`, into a temporary folder: the EPUB's bytes.
fn build_sample_epub(args: &[&str]) -> Vec<u8> {
    let out = tempfile::tempdir().expect("temp dir");
    let manuscript = common::repo().join("manuscript");
    let mut all = vec!["build", "manuscript", "--format", "epub", "--out"];
    let out_dir = out.path().to_str().expect("a UTF-8 path").to_string();
    all.push(&out_dir);
    all.extend(args);
    let built = octavo(&all, manuscript.parent().expect("the repository"));
    assert_eq!(built.status.code(), Some(0), "{}", stderr(&built));
    std::fs::read(
        out.path()
            .join("year-zero-the-killing-fields-and-s-21.epub"),
    )
    .expect("an EPUB")
}

#[test]
fn chapters_select_the_chapters_of_the_epub_too() {
    let whole = build_sample_epub(&[]);
    let handout = build_sample_epub(&["--chapters", "3-4"]);
    common::keep_for_epubcheck("handout-chapters-3-4", &handout);
    assert!(whole != handout, "--chapters changes the EPUB");
    let texts: Vec<String> = epub_files(&handout)
        .into_iter()
        .filter(|f| {
            f.starts_with("EPUB/text/") && f.chars().nth(10).is_some_and(|c| c.is_ascii_digit())
        })
        .collect();
    assert_eq!(
        texts,
        vec![
            "EPUB/text/03-the-rise-of-pol-pot.xhtml",
            "EPUB/text/04-the-ideology-of-the-khmer-rouge.xhtml"
        ]
    );
    let references = common::xhtml_body(&handout, "EPUB/text/references.xhtml");
    let listed: Vec<&str> = references
        .split("id=\"ref-")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .collect();
    let cited = [
        "becker1998",
        "chandler1999brother",
        "chandler1999voices",
        "dy2007",
        "eccc2018",
        "hinton2005",
        "kiernan1996",
        "short2005",
    ];
    assert_eq!(
        listed, cited,
        "only the works chapters 3 and 4 cite (of 15)"
    );
    let nav = common::xhtml_body(&handout, "EPUB/nav.xhtml");
    assert!(!nav.contains("01-introduction"), "{nav}");
}

#[test]
fn a_link_into_a_chapter_left_out_becomes_plain_text() {
    let handout = build_sample_epub(&["--chapters", "7"]);
    common::keep_for_epubcheck("handout-chapter-7", &handout);
    let chapter = common::xhtml_body(
        &handout,
        "EPUB/text/07-survivors-and-eyewitness-accounts.xhtml",
    );
    assert!(
        chapter.contains("records, <span>see chapter 6</span>."),
        "{chapter}"
    );
    assert!(!chapter.contains("06-s-21-prison.xhtml"), "{chapter}");
    let with_six = build_sample_epub(&["--chapters", "6-7"]);
    let chapter = common::xhtml_body(
        &with_six,
        "EPUB/text/07-survivors-and-eyewitness-accounts.xhtml",
    );
    assert!(
        chapter.contains("href=\"06-s-21-prison.xhtml#the-archive\""),
        "{chapter}"
    );
}
