//! Issue 17, books as they are: an mdBook, a Quarto book and a pandoc book build without
//! being converted. Small books written for these tests are under `tests/cases/books/`; the
//! two real books of `../shared/corpus/technical/` are built as they are (each in a few
//! seconds in a debug build).

mod common;

use std::path::{Path, PathBuf};

use common::{keep_for_epubcheck, pdf_dir, repo, xhtml_body};
use octavo::{compile, Diagnostics, ResolveOptions, Severity};

fn case(name: &str) -> PathBuf {
    repo().join("tests/cases/books").join(name)
}

fn corpus(name: &str) -> PathBuf {
    repo()
        .join("../shared/corpus/technical")
        .join(name)
        .join("source")
}

/// A built book: its EPUB and PDF, and every diagnostic.
struct Built {
    epub: Vec<u8>,
    pdf: octavo::PdfOutput,
    diags: Diagnostics,
    rendered: String,
}

/// Build `dir` into both outputs (kept for EPUBCheck and qpdf); panics on errors.
fn build(name: &str, dir: &Path) -> Built {
    let compiled = compile(dir, &ResolveOptions::default());
    let rendered = octavo::render_json(&compiled.diags, compiled.sources());
    assert!(!compiled.diags.has_errors(), "{name}:\n{rendered}");
    let book = compiled.book.as_ref().expect("a book");
    let options = octavo::epub_options(&compiled).expect("EPUB options");
    let epub = octavo::write_epub(book, &options).expect("EPUB written");
    keep_for_epubcheck(&format!("books-{name}"), &epub);
    let pdf_options = octavo::PdfOptions {
        profile: octavo::Profile::builtin("print"),
        chapters: None,
        readable: false,
        fonts: compiled.fonts.clone(),
    };
    let pdf = octavo::write_pdf(book, &pdf_options).expect("PDF written");
    std::fs::write(pdf_dir().join(format!("books-{name}.pdf")), &pdf.bytes).expect("keep PDF");
    Built {
        epub,
        pdf,
        diags: compiled.diags,
        rendered,
    }
}

/// The codes of the warnings, in order.
fn warning_codes(diags: &Diagnostics) -> Vec<&'static str> {
    diags
        .items()
        .iter()
        .filter(|d| d.severity == Severity::Warning)
        .map(|d| d.code)
        .collect()
}

/// The text of XHTML: tags removed, the five entities read.
fn text_of(xhtml: &str) -> String {
    let mut text = String::new();
    let mut in_tag = false;
    for c in xhtml.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}

/// The lines of `file` between `ANCHOR: name` and `ANCHOR_END: name`, read here on their
/// own (not through octavo), without lines marking other anchors.
fn anchor_lines(file: &Path, name: &str) -> String {
    let text = std::fs::read_to_string(file).expect("included file");
    let start = format!("ANCHOR: {name}");
    let end = format!("ANCHOR_END: {name}");
    text.lines()
        .skip_while(|l| !l.contains(&start))
        .skip(1)
        .take_while(|l| !l.contains(&end))
        .filter(|l| !l.contains("ANCHOR"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Every text of the EPUB's XHTML files, in package order.
fn epub_text(epub: &[u8]) -> String {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(epub)).expect("a zip");
    let names: Vec<String> = (0..archive.len())
        .map(|i| {
            let file = archive.by_index(i).expect("zip entry");
            file.name().expect("entry name").to_string()
        })
        .filter(|n| n.ends_with(".xhtml"))
        .collect();
    let mut all = String::new();
    for name in names {
        let mut file = archive.by_name(&name).expect("listed");
        let mut text = String::new();
        std::io::Read::read_to_string(&mut file, &mut text).expect("UTF-8");
        all.push_str(&text_of(&text));
    }
    all
}

#[test]
fn an_mdbook_builds_as_it_is() {
    let built = build("mdbook", &case("mdbook"));
    // A draft, then a directive octavo does not run and front-matter keys of mdBook's
    // plugins: the two are one warning, since both belong to the book's preprocessors (the
    // chapter a directive leaves with only its heading is not reported again as empty).
    assert_eq!(
        warning_codes(&built.diags),
        ["W0302", "W0301"],
        "{}",
        built.rendered
    );
    let preprocessors = &built.diags.items()[1].message;
    assert!(
        preprocessors.contains("`{{%segment …}}`")
            && preprocessors.contains("front-matter keys the book's preprocessors read are ignored: `minutes` (2), `course` (1)"),
        "{preprocessors}"
    );
    let start = xhtml_body(&built.epub, "EPUB/text/start.xhtml");
    // Nested entries are sections of their chapter; a file without a heading takes the
    // title SUMMARY.md gives it.
    assert!(
        start.contains("<h2 id=\"installing\">Installing</h2>"),
        "{start}"
    );
    assert!(
        start.contains("<h3 id=\"on-linux\">On Linux</h3>"),
        "{start}"
    );
    assert!(!start.contains("segment"), "{start}");
    // A link to a nested file goes to its heading; `.html` names the chapter's `.md`.
    assert!(
        start.contains("href=\"code.xhtml#hidden-lines\""),
        "{start}"
    );
    let welcome = xhtml_body(&built.epub, "EPUB/text/welcome.xhtml");
    assert!(
        welcome.contains("href=\"start.xhtml#installing\""),
        "{welcome}"
    );
    // The prefix chapter is unnumbered, the numbered ones count on across the part.
    let code = xhtml_body(&built.epub, "EPUB/text/code.xhtml");
    assert!(code.contains("Chapter 2"), "{code}");
    assert!(!welcome.contains("Chapter"), "{welcome}");
}

#[test]
fn mdbook_includes_and_hidden_lines() {
    let built = build("mdbook", &case("mdbook"));
    let code = text_of(&xhtml_body(&built.epub, "EPUB/text/code.xhtml"));
    let demo = case("mdbook").join("examples/demo.rs");
    for anchor in ["main", "helper"] {
        let lines = anchor_lines(&demo, anchor);
        assert!(code.contains(&lines), "{anchor}:\n{lines}\nnot in\n{code}");
    }
    assert!(
        code.contains("name = \"demo\"\nversion = \"0.1.0\""),
        "{code}"
    );
    assert!(!code.contains("[package]"), "{code}");
    // Hidden lines are left out, `##` is a `#` written out, an escaped directive is text.
    assert!(
        !code.contains("use std::fmt") && !code.contains("hidden = 1"),
        "{code}"
    );
    assert!(code.contains("    #[derive(Debug)]"), "{code}");
    assert!(code.contains("{{#include file.rs}}"), "{code}");
}

#[test]
fn mdbook_parts_in_the_nav_and_the_outline() {
    let built = build("mdbook", &case("mdbook"));
    let outline: Vec<(usize, &str)> = built
        .pdf
        .outline
        .iter()
        .map(|(depth, title, _)| (*depth, title.as_str()))
        .collect();
    assert!(outline.contains(&(0, "The Second Part")), "{outline:?}");
    assert!(outline.contains(&(1, "2. Code")), "{outline:?}");
    assert!(outline.contains(&(0, "Thanks")), "{outline:?}");
    let nav = xhtml_body(&built.epub, "EPUB/nav.xhtml");
    let part = nav.find(">The Second Part<").expect("the part in the nav");
    let chapter = nav.find(">2. Code<").expect("the chapter in the nav");
    assert!(part < chapter);
    assert!(
        nav[part..chapter].contains("<ol>"),
        "the chapter is nested under its part"
    );
}

#[test]
fn an_mdbook_octavo_table_is_read_strictly() {
    let (_tmp, dir) = common::book(&[
        (
            "book.toml",
            "[book]\ntitle = \"T\"\n\n[output.octavo]\nsubtitel = \"S\"\n",
        ),
        ("src/SUMMARY.md", "- [A](a.md)\n"),
        ("src/a.md", "# A\n\nText.\n"),
    ]);
    let compiled = compile(&dir, &ResolveOptions::default());
    let error = compiled
        .diags
        .items()
        .iter()
        .find(|d| d.severity == Severity::Error)
        .expect("an error");
    assert!(error.message.contains("subtitel"), "{}", error.message);
    assert!(error.span.is_some());
}

#[test]
fn an_mdbook_include_cannot_leave_the_book() {
    let (tmp, dir) = common::book(&[
        ("book.toml", "[book]\ntitle = \"T\"\n"),
        ("src/SUMMARY.md", "- [A](a.md)\n"),
        (
            "src/a.md",
            "# A\n\n```\n{{#include ../../secret.txt}}\n```\n",
        ),
    ]);
    std::fs::write(tmp.path().join("secret.txt"), "the secret").expect("write");
    let compiled = compile(&dir, &ResolveOptions::default());
    let error = compiled
        .diags
        .items()
        .iter()
        .find(|d| d.code == "E0190")
        .expect("the include is refused");
    assert!(
        error.message.contains("outside the book"),
        "{}",
        error.message
    );
    let book = compiled.book.as_ref().expect("a book");
    let text = octavo::plain_text(&book.chapters[0].title);
    assert_eq!(text, "A");
}

/// Comprehensive Rust, an mdBook of 562 files, as it is: no error, a handful of warnings,
/// its 17 parts at the top of the outline and the navigation, no directive and no hidden
/// line in the text, and its includes the lines of the anchors they name.
#[test]
fn comprehensive_rust_builds_as_it_is() {
    let dir = corpus("comprehensive-rust");
    let built = build("comprehensive-rust", &dir);
    // Each kind of warning once, the places of its repeats in its message; the glyph check
    // reports the text's faces and the code's apart. These are faults of the source as
    // published (links to files it does not ship, an image saved as a link, emoji).
    let warnings = warning_codes(&built.diags);
    let count = |code: &str| warnings.iter().filter(|w| **w == code).count();
    let repeated: Vec<&&str> = warnings
        .iter()
        .filter(|code| count(code) > if **code == "W0211" { 2 } else { 1 })
        .collect();
    assert!(repeated.is_empty(), "{repeated:?}\n{}", built.rendered);
    assert!(warnings.len() <= 9, "{}", built.rendered);
    // The course preprocessor's directives and front-matter keys are one warning; the image
    // saved as a link, which has no description either, is one warning, not two.
    assert!(
        !warnings.contains(&"W0300") && !warnings.contains(&"W0205"),
        "{warnings:?}"
    );
    assert!(
        built
            .diags
            .items()
            .iter()
            .any(|d| d.code == "W0309" && d.message.contains("no description either")),
        "{}",
        built.rendered
    );
    let parts = [
        "Day 1: Morning",
        "Day 4: Afternoon",
        "Android",
        "Bare Metal: Afternoon",
        "Idiomatic Rust",
        "Final Words",
    ];
    let top: Vec<&str> = built
        .pdf
        .outline
        .iter()
        .filter(|(depth, ..)| *depth == 0)
        .map(|(_, title, _)| title.as_str())
        .collect();
    for part in parts {
        assert!(top.contains(&part), "{part} not in {top:?}");
    }
    let summary = std::fs::read_to_string(dir.join("src/SUMMARY.md")).expect("SUMMARY.md");
    let part_count = summary.lines().filter(|l| l.starts_with("# ")).count();
    assert_eq!(part_count, 17);
    let nav = xhtml_body(&built.epub, "EPUB/nav.xhtml");
    let part_files = summary
        .lines()
        .filter_map(|l| l.strip_prefix("# "))
        .filter(|title| nav.contains(&format!(">{title}</a>\n<ol>")))
        .count();
    assert_eq!(part_files, 17, "every part opens a group in the nav");
    let text = epub_text(&built.epub);
    assert!(!text.contains("{{#include") && !text.contains("{{%"));
    for (file, anchor) in [
        ("src/types-and-values/exercise.rs", "fib"),
        ("src/control-flow-basics/exercise.rs", "collatz_length"),
        ("src/references/exercise.rs", "main"),
    ] {
        let lines = anchor_lines(&dir.join(file), anchor);
        // Hidden lines of the included code are left out in the book.
        let shown: Vec<&str> = lines
            .lines()
            .filter(|l| !l.trim_start().starts_with("# ") && l.trim() != "#")
            .collect();
        assert!(!shown.is_empty(), "{file}:{anchor}");
        assert!(
            text.contains(&shown.join("\n")),
            "{file}:{anchor} is not in the book"
        );
    }
}

#[test]
fn a_quarto_book_builds_from_its_quarto_yml() {
    let built = build("quarto", &case("quarto"));
    // Quarto's own front-matter keys, the chunk that would make a figure, and the two
    // references to it: one warning each kind.
    assert_eq!(
        warning_codes(&built.diags),
        ["W0300", "W0304", "W0251"],
        "{}",
        built.rendered
    );
    let methods = xhtml_body(&built.epub, "EPUB/text/methods-2.xhtml");
    // Callouts are asides with a role; their title heading is their first paragraph.
    assert!(
        methods.contains("<aside class=\"callout callout-note\" role=\"note\">\n<p><strong>A note on data</strong></p>"),
        "{methods}"
    );
    assert!(methods.contains("<strong>Careful</strong>"), "{methods}");
    // A chunk is a listing without its `#|` options.
    assert!(
        text_of(&methods).contains("plot(cumsum(rnorm(100)))"),
        "{methods}"
    );
    assert!(!methods.contains("#|"), "{methods}");
    // Keys with colons, from two bibliography files.
    assert!(methods.contains("Smith"), "{methods}");
    assert!(methods.contains("Jones and Lee"), "{methods}");
    let nav = xhtml_body(&built.epub, "EPUB/nav.xhtml");
    assert!(nav.contains(">Preface</a>"), "{nav}");
    // The part holds its own chapters; the chapter listed after them is outside it.
    let part = nav.find(">Methods</a>").expect("the part");
    let chapter = nav.find(">1. Methods</a>").expect("its chapter");
    let results = nav.find(">2. Results</a>").expect("the next chapter");
    assert!(nav[part..chapter].contains("<ol>"), "{nav}");
    assert!(
        nav[chapter..results].contains("</ol>\n</li>\n<li>"),
        "{nav}"
    );
    assert!(nav.contains(">A. Extra material</a>"), "{nav}");
    let title_page = xhtml_body(&built.epub, "EPUB/text/titlepage.xhtml");
    assert!(title_page.contains("A Small Quarto Book"), "{title_page}");
    assert!(title_page.contains("Grace Example"), "{title_page}");
    let page_of_callout = built
        .pdf
        .outline
        .iter()
        .any(|(_, title, _)| title == "A note on data");
    assert!(!page_of_callout, "a callout's title is not a section");
}

#[test]
fn book_toml_wins_over_quarto_yml_and_says_so() {
    let (_tmp, dir) = common::book(&[
        ("book.toml", "title = \"From book.toml\"\n"),
        (
            "_quarto.yml",
            "book:\n  title: From Quarto\n  chapters: [a.qmd]\n",
        ),
        ("chapters/01.md", "# One\n\nText.\n"),
    ]);
    let compiled = compile(&dir, &ResolveOptions::default());
    assert!(!compiled.diags.has_errors());
    let book = compiled.book.as_ref().expect("a book");
    assert_eq!(book.meta.title, "From book.toml");
    assert_eq!(warning_codes(&compiled.diags), ["W0305"]);
}

/// The Quarto book of the corpus as it is: no error, callouts as boxes, citations whose keys
/// hold colons resolved, chunks as listings, and the warnings summarised (each kind once).
#[test]
fn tsar_builds_as_it_is() {
    let built = build("tsar", &corpus("tsar"));
    let warnings = warning_codes(&built.diags);
    let mut kinds = warnings.clone();
    kinds.sort();
    kinds.dedup();
    // Each kind once: repeats are folded into the first, with their places.
    let count = |code: &str| warnings.iter().filter(|w| **w == code).count();
    let repeated: Vec<&&str> = kinds.iter().filter(|k| count(k) > 1).collect();
    assert!(repeated.is_empty(), "{repeated:?}\n{}", built.rendered);
    let text = epub_text(&built.epub);
    assert!(!text.contains(":::") && !text.contains("callout-note"));
    assert!(!text.contains("#| label"));
    assert!(!text.contains("@Nesslage:etal:2021:environmental"));
    let chapter = xhtml_body(&built.epub, "EPUB/text/l01-regression.xhtml");
    assert!(chapter.contains("<aside class=\"callout callout-note\" role=\"note\">"));
    assert!(chapter.contains("<pre><code class=\"language-r\">"));
}

#[test]
fn book_toml_takes_several_bibliography_files_and_reports_keys_in_two() {
    let entry = |key: &str| {
        format!("@book{{{key},\n  author = {{A, B}},\n  title = {{T}},\n  year = {{2020}}\n}}\n")
    };
    let a = entry("one") + &entry("both");
    let b = entry("two") + &entry("both");
    let (_tmp, dir) = common::book(&[
        (
            "book.toml",
            "title = \"T\"\nbibliography = [\"a.bib\", \"b.bib\"]\n",
        ),
        ("a.bib", &a),
        ("b.bib", &b),
        ("chapters/01.md", "# One\n\nAs @one and @two say.\n"),
    ]);
    let compiled = compile(&dir, &ResolveOptions::default());
    let messages: Vec<&str> = compiled
        .diags
        .items()
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .map(|d| d.message.as_str())
        .collect();
    assert_eq!(messages.len(), 1, "{messages:?}");
    assert!(messages[0].contains("duplicate key `both`"), "{messages:?}");
    let (_tmp, dir) = common::book(&[
        (
            "book.toml",
            "title = \"T\"\nbibliography = [\"a.bib\", \"b.bib\"]\n",
        ),
        ("a.bib", &entry("one")),
        ("b.bib", &entry("two")),
        ("chapters/01.md", "# One\n\nAs @one and @two say.\n"),
    ]);
    let compiled = compile(&dir, &ResolveOptions::default());
    assert!(!compiled.diags.has_errors());
    let book = compiled.book.as_ref().expect("a book");
    let references = book.chapters.last().expect("a references page");
    assert!(references.generated);
}

#[test]
fn a_pandoc_book_builds_from_its_metadata_yaml() {
    let built = build("pandoc", &case("pandoc"));
    // Raw LaTeX (`\newpage`) is left out, with a warning at it.
    assert_eq!(warning_codes(&built.diags), ["W0306"], "{}", built.rendered);
    let title_page = xhtml_body(&built.epub, "EPUB/text/titlepage.xhtml");
    assert!(title_page.contains("A Small pandoc Book"), "{title_page}");
    assert!(
        title_page.contains("Mary Example and John Example"),
        "{title_page}"
    );
    let start = xhtml_body(&built.epub, "EPUB/text/01-start.xhtml");
    // Superscripts and subscripts, inside words too.
    assert!(start.contains("H<sub>2</sub>O"), "{start}");
    assert!(start.contains("2<sup>10</sup> is"), "{start}");
    // Callouts and nested divs, with their language.
    assert!(
        start.contains("<aside class=\"callout callout-important\" role=\"note\">"),
        "{start}"
    );
    assert!(
        start.contains("<div class=\"epigraph\" lang=\"fr\" xml:lang=\"fr\">"),
        "{start}"
    );
    assert!(start.contains("<div class=\"source\">"), "{start}");
    // An inline note is a footnote, its text with its markup and brackets.
    assert!(!start.contains("^["), "{start}");
    assert!(
        start.contains("The note, with <em>emphasis</em> and [brackets]."),
        "{start}"
    );
    assert!(start.contains("epub:type=\"noteref\""), "{start}");
    // `nocite` lists a work no chapter cites.
    let references = xhtml_body(&built.epub, "EPUB/text/references.xhtml");
    assert!(references.contains("Unread"), "{references}");
    // `{.unnumbered}` on the title heading.
    let end = xhtml_body(&built.epub, "EPUB/text/02-end.xhtml");
    assert!(!end.contains("Chapter 2"), "{end}");
    // Bracketed spans.
    assert!(
        end.contains("<span class=\"smallcaps\">Small Caps</span>"),
        "{end}"
    );
    assert!(end.contains("lang=\"de\""), "{end}");
    assert!(end.contains("<u>underlined</u>"), "{end}");
    // A line block keeps its lines and their indentation, without the bars.
    assert!(
        end.contains("anatomical<br/>\n\u{a0}\u{a0}\u{a0}into space"),
        "{end}"
    );
    assert!(
        !end.contains("newpage") && end.contains("The last line."),
        "{end}"
    );
}

/// The text of a PDF the tests kept.
fn pdf_text(name: &str) -> String {
    common::words::pdftotext(&pdf_dir().join(format!("books-{name}.pdf"))).expect("pdftotext")
}

#[test]
fn speaker_notes_are_boxes_in_the_pdf_or_left_out() {
    let built = build("mdbook", &case("mdbook"));
    assert!(pdf_text("mdbook").contains("Speaker notes: thank the audience."));
    let thanks = xhtml_body(&built.epub, "EPUB/text/thanks.xhtml");
    assert!(thanks.contains("<details>"), "{thanks}");
    // `[pdf] details = "omit"` in octavo's table of the mdBook's book.toml.
    let tmp = tempfile::tempdir().expect("temp dir");
    let dir = tmp.path().join("book");
    common::copy_tree(&case("mdbook"), &dir);
    let toml = std::fs::read_to_string(dir.join("book.toml")).expect("book.toml");
    std::fs::write(
        dir.join("book.toml"),
        toml + "\n[output.octavo.pdf]\ndetails = \"omit\"\n",
    )
    .expect("write");
    let compiled = compile(&dir, &ResolveOptions::default());
    assert!(!compiled.diags.has_errors());
    let book = compiled.book.as_ref().expect("a book");
    let manuscript = compiled.manuscript.as_ref().expect("loaded");
    let profile = octavo::Profile::resolve(None, &manuscript.config.pdf);
    let pdf_options = octavo::PdfOptions {
        profile,
        chapters: None,
        readable: false,
        fonts: None,
    };
    let pdf = octavo::write_pdf(book, &pdf_options).expect("PDF written");
    let path = pdf_dir().join("books-mdbook-omit.pdf");
    std::fs::write(&path, &pdf.bytes).expect("keep PDF");
    let text = common::words::pdftotext(&path).expect("pdftotext");
    assert!(text.contains("Thank you for reading."));
    assert!(!text.contains("Speaker notes"), "{text}");
}

/// SUMMARY.md nested 300 levels deep: the deepest files are sections at the deepest heading
/// level, and nothing overflows.
#[test]
fn a_summary_nested_very_deep_builds() {
    let mut summary = String::new();
    let mut files: Vec<(String, String)> = Vec::new();
    for depth in 0..300 {
        summary.push_str(&format!(
            "{}- [C{depth}](c{depth}.md)\n",
            "  ".repeat(depth)
        ));
        files.push((
            format!("src/c{depth}.md"),
            format!("# C{depth}\n\nText {depth}.\n"),
        ));
    }
    let mut all: Vec<(&str, &str)> = vec![
        ("book.toml", "[book]\ntitle = \"Deep\"\n"),
        ("src/SUMMARY.md", &summary),
    ];
    all.extend(files.iter().map(|(n, t)| (n.as_str(), t.as_str())));
    let (_tmp, dir) = common::book(&all);
    let compiled = compile(&dir, &ResolveOptions::default());
    assert!(!compiled.diags.has_errors());
    let book = compiled.book.as_ref().expect("a book");
    assert_eq!(book.chapters.len(), 1);
    let text = octavo::plain_text(&book.chapters[0].title);
    assert_eq!(text, "C0");
}

#[test]
fn a_single_file_pandoc_book_takes_its_metadata_block() {
    let (_tmp, dir) = common::book(&[(
        "book.md",
        "---\ntitle: One File\nauthor: [Ann Author]\nlang: en\n...\n\n# Beginning\n\nText.\n",
    )]);
    let compiled = compile(&dir, &ResolveOptions::default());
    assert!(
        compiled.diags.items().is_empty(),
        "{}",
        octavo::render_json(&compiled.diags, compiled.sources())
    );
    let book = compiled.book.as_ref().expect("a book");
    assert_eq!(book.meta.title, "One File");
    assert_eq!(book.meta.contributors[0].name, "Ann Author");
    assert_eq!(book.chapters.len(), 1);
}

#[test]
fn definition_lists_set_terms_apart_and_definitions_inset_in_the_pdf() {
    let chapter = "# Terms\n\nApple\n\n:   A fruit that grows on trees.\n\n    More about apples.\n\nBanana\n:   A yellow fruit.\n";
    let (_tmp, dir) = common::book(&[
        ("book.toml", "title = \"Terms\"\nlanguage = \"en\"\n"),
        ("chapters/01.md", chapter),
    ]);
    let compiled = octavo::compile(&dir, &octavo::ResolveOptions::default());
    let book = compiled.book.as_ref().expect("a book");
    let output = common::print_pdf(book);
    let runs = common::glyph_runs(&output);
    let run = |text: &str| {
        *runs
            .iter()
            .find(|run| &*run.run.text == text)
            .unwrap_or_else(|| panic!("no run {text:?}"))
    };
    let face = |run: &octavo::layout::GlyphRun| run.run.glyphs[0].face;
    let (apple, fruit, more, banana) = (run("Apple"), run("A"), run("More"), run("Banana"));
    assert_eq!(apple.x, banana.x, "terms start at the same place");
    assert!(fruit.x > apple.x, "a definition is inset");
    assert!(more.x >= fruit.x, "its second paragraph too");
    assert_ne!(
        face(apple),
        face(fruit),
        "a term is set in another face (bold)"
    );
    assert_eq!(face(apple), face(banana));
}

#[test]
fn a_tilde_opens_a_definition_as_a_colon_does() {
    let chapter =
        "# Terms\n\nApple\n~ A fruit.\n\nPear\n\n~   Another fruit.\n\n~~~\n~ code\n~~~\n";
    let (_tmp, dir) = common::book(&[
        ("book.toml", "title = \"Terms\"\nlanguage = \"en\"\n"),
        ("chapters/01.md", chapter),
    ]);
    let (epub, diags, _) = common::build_epub(&dir);
    assert!(diags.items().is_empty());
    let body = common::xhtml_body(&epub, "EPUB/text/01.xhtml");
    assert!(body.contains("<dd>\n<p>A fruit.</p>\n</dd>"), "{body}");
    assert!(
        body.contains("<dd>\n<p>Another fruit.</p>\n</dd>"),
        "{body}"
    );
    assert!(
        body.contains("~ code"),
        "a fenced block keeps its tilde: {body}"
    );
    keep_for_epubcheck("books-tilde-definitions", &epub);
}

#[test]
fn a_heading_that_skips_levels_is_reported_and_set_one_level_down() {
    let chapter =
        "# Chapter\n\n## Two\n\n#### Four\n\n#### Four again\n\n##### Five\n\n### Three\n";
    let (_tmp, dir) = common::book(&[
        ("book.toml", "title = \"Levels\"\nlanguage = \"en\"\n"),
        ("chapters/01.md", chapter),
    ]);
    let (epub, diags, _) = common::build_epub(&dir);
    let jumps: Vec<&str> = diags
        .items()
        .iter()
        .filter(|d| d.code == "W0206")
        .map(|d| d.message.as_str())
        .collect();
    assert_eq!(
        jumps,
        ["heading level jumps from 2 to 4; it is set as a level-3 heading"]
    );
    let body = xhtml_body(&epub, "EPUB/text/01.xhtml");
    for heading in [
        ">Two</h2>",
        ">Four</h3>",
        ">Four again</h3>",
        ">Five</h4>",
        ">Three</h3>",
    ] {
        assert!(body.contains(heading), "no {heading} in {body}");
    }
    keep_for_epubcheck("books-heading-levels", &epub);
}

#[test]
fn a_mathematics_environment_written_in_the_text_is_display_math() {
    let chapter = "# Fit\n\nThe model, estimated as:\n\\begin{align}\n\\widehat{Y}_t &= \\hat{\\beta}_0 + \\hat{\\beta}_1 X_t,\\\\\n\\widehat{Y}_t &= 0.0008 - 0.0637 X_t.\n\\end{align}\nThe fit is good.\n";
    let (_tmp, dir) = common::book(&[
        ("book.toml", "title = \"Fit\"\nlanguage = \"en\"\n"),
        ("chapters/01.md", chapter),
    ]);
    let (epub, diags, sources) = common::build_epub(&dir);
    assert!(
        diags.items().is_empty(),
        "{}",
        octavo::render_json(&diags, &sources)
    );
    let body = xhtml_body(&epub, "EPUB/text/01.xhtml");
    assert!(
        body.contains("display=\"block\"") && body.contains("<mtable"),
        "{body}"
    );
    assert!(body.contains("The fit is good."), "{body}");
    keep_for_epubcheck("books-text-environment", &epub);
}
