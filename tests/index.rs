//! The back-of-book index (issue 17): `\index{…}` and `[text]{.index}` marks in a pandoc
//! Markdown book become an index at the end of the EPUB (EPUB Indexes markup, links to the
//! marks) and of the PDF (two columns, page numbers that are the marks' pages, ranges merged),
//! sorted by the book language's collation. The test book (tests/cases/index) is built once
//! per output.

mod common;

use std::sync::OnceLock;

use common::{book, build_epub, keep_for_epubcheck, words::pdftotext, xhtml_body};
use octavo::{compile, ResolveOptions};

fn case() -> std::path::PathBuf {
    common::repo().join("tests/cases/index")
}

/// The test book's EPUB, built once.
fn epub() -> &'static [u8] {
    static EPUB: OnceLock<Vec<u8>> = OnceLock::new();
    EPUB.get_or_init(|| {
        let (bytes, diags, _) = build_epub(&case());
        assert!(diags.items().is_empty(), "{:?}", diags.items());
        keep_for_epubcheck("index", &bytes);
        bytes
    })
}

/// The test book's PDF: each page's text (pdftotext) and label, and the outline's titles.
struct Pdf {
    pages: Vec<(String, String)>,
    outline: Vec<String>,
}

fn pdf() -> &'static Pdf {
    static PDF: OnceLock<Pdf> = OnceLock::new();
    PDF.get_or_init(|| {
        let compiled = compile(&case(), &ResolveOptions::default());
        let book = compiled.book.as_ref().expect("a book");
        let output = common::print_pdf(book);
        let path = common::pdf_dir().join("index.pdf");
        std::fs::write(&path, &output.bytes).expect("keep the PDF");
        let text = pdftotext(&path).expect("pdftotext");
        let labels = output.composition.pages.iter().map(|p| p.label.clone());
        let pages = text
            .split('\u{c}')
            .zip(labels)
            .map(|(text, label)| (label.unwrap_or_default(), text.replace("-\n", "")))
            .collect();
        let outline = output.outline.iter().map(|(_, t, _)| t.clone()).collect();
        Pdf { pages, outline }
    })
}

/// Where each of `terms` first appears in `text`, asserting the order.
fn assert_in_order(text: &str, terms: &[&str]) {
    let mut last = 0;
    for term in terms {
        let at = text[last..]
            .find(term)
            .unwrap_or_else(|| panic!("{term:?} missing or out of order in:\n{text}"));
        last += at + term.len();
    }
}

#[test]
fn the_epub_index_lists_sorted_entries_linked_to_their_marks() {
    let bytes = epub();
    let index = xhtml_body(bytes, "EPUB/text/octavo-index.xhtml");
    assert!(
        index.contains("epub:type=\"index\"") && index.contains("role=\"doc-index\""),
        "{index}"
    );
    // English collation: Å with A, é with e (not after z as by code points); sub-entries
    // under their term; symbols and digits first.
    assert_in_order(
        &index,
        &[
            ">Symbols<",
            ">42<",
            ">A<",
            ">Ångström<",
            ">Brewster, David<",
            ">colour<",
            "index-xref-preferred",
            ">éclair<",
            ">electron<",
            ">light<",
            ">optics<",
            "index-xref-related",
            ">wave<",
            "index-entry-list",
            ">frequency<",
            ">length<",
            ">zebra<",
        ],
    );
    // Every locator points at an anchor its chapter holds.
    let mut locators = 0;
    for piece in index.split("epub:type=\"index-locator\" href=\"").skip(1) {
        let href = &piece[..piece.find('"').expect("an href's end")];
        let (file, id) = href.split_once('#').expect("file#id");
        let chapter = xhtml_body(bytes, &format!("EPUB/text/{file}"));
        assert!(chapter.contains(&format!("id=\"{id}\"")), "{href}");
        locators += 1;
    }
    assert!(locators >= 12, "{locators} locators");
    let nav = xhtml_body(bytes, "EPUB/nav.xhtml");
    assert!(nav.contains("octavo-index.xhtml#index\">Index<"), "{nav}");
    assert!(nav.contains("epub:type=\"index\""), "a landmark: {nav}");
    for file in ["01-light", "02-prisms", "03-polarisation"] {
        let chapter = xhtml_body(bytes, &format!("EPUB/text/{file}.xhtml"));
        assert!(!chapter.contains("\\index"), "{chapter}");
        assert!(!chapter.contains("{.index"), "{chapter}");
    }
}

/// The page the PDF's index gives for `term` (the first number after it).
fn index_page_of(index: &str, term: &str) -> String {
    let line = index
        .lines()
        .find(|l| l.starts_with(&format!("{term}, ")))
        .unwrap_or_else(|| panic!("no entry {term:?} in:\n{index}"));
    line[term.len() + 2..]
        .split([',', '–'])
        .next()
        .expect("a page")
        .trim()
        .to_string()
}

#[test]
fn the_pdf_index_gives_the_pages_of_its_marks() {
    let pdf = pdf();
    let (_, index) = pdf
        .pages
        .iter()
        .find(|(_, text)| text.trim_start().starts_with("Index"))
        .expect("an index page");
    // Three entries' pages hold their words.
    for (term, words) in [
        ("Ångström", "Ångström"),
        ("zebra", "zebra"),
        ("Brewster, David", "Brewster found the angle"),
    ] {
        let label = index_page_of(index, term);
        let (_, page) = pdf
            .pages
            .iter()
            .find(|(l, _)| *l == label)
            .unwrap_or_else(|| panic!("no page {label}"));
        assert!(
            page.replace('\n', " ").contains(words),
            "{term} names page {label}, which does not hold {words:?}:\n{page}"
        );
    }
    // Three marks of "spectrum" on consecutive pages make a range; a "see" has no page.
    assert!(
        index
            .lines()
            .any(|l| l.starts_with("spectrum, ") && l.contains('–')),
        "{index}"
    );
    assert!(index.contains("colour, see light"), "{index}");
    assert!(index.contains("see also light"), "{index}");
    assert_in_order(index, &["Ångström", "éclair", "electron", "zebra"]);
    assert!(
        pdf.outline.iter().any(|t| t == "Index"),
        "{:?}",
        pdf.outline
    );
    for (label, text) in &pdf.pages {
        assert!(!text.contains("\\index"), "page {label}:\n{text}");
        assert!(!text.contains(".index"), "page {label}:\n{text}");
    }
}

fn codes(files: &[(&str, &str)]) -> Vec<(String, Option<(usize, usize)>)> {
    common::codes_and_places(files)
        .into_iter()
        .map(|(code, at)| (code.to_string(), at))
        .collect()
}

const TOML: &str = "title = \"T\"\nlanguage = \"en\"\n";

#[test]
fn faulty_marks_and_a_missing_switch_are_located_warnings() {
    let text = "# One\n\nA \\index{open mark and text.\n\nAn empty \\index{} mark.\n";
    let found = codes(&[
        (
            "book.toml",
            &format!("{TOML}\n[back-matter]\nindex = true\n"),
        ),
        ("chapters/01.md", text),
    ]);
    assert!(
        found.contains(&("W0322".to_string(), Some((3, 3)))),
        "{found:?}"
    );
    assert!(
        found.contains(&("W0323".to_string(), Some((5, 10)))),
        "{found:?}"
    );
    assert!(
        found.iter().any(|(c, _)| c == "W0321"),
        "no entry left: {found:?}"
    );
    // Marks in a book that asks for no index: one warning at the first, saying how.
    let found = codes(&[
        ("book.toml", TOML),
        ("chapters/01.md", "# One\n\nA \\index{a} b \\index{b}.\n"),
    ]);
    assert_eq!(found, [("W0320".to_string(), Some((3, 3)))]);
    // Turned off on purpose: silent.
    let found = codes(&[
        (
            "book.toml",
            &format!("{TOML}\n[back-matter]\nindex = false\n"),
        ),
        ("chapters/01.md", "# One\n\nA \\index{a} b.\n"),
    ]);
    assert!(found.is_empty(), "{found:?}");
    // Unknown keys stay errors.
    let found = codes(&[
        (
            "book.toml",
            &format!("{TOML}\n[back-matter]\nindexes = true\n"),
        ),
        ("chapters/01.md", "# One\n"),
    ]);
    assert!(found.iter().any(|(c, _)| c.starts_with('E')), "{found:?}");
}

/// A Quarto book has no book.toml to ask in: its `\index` marks, written for an index and
/// nothing else, make one without a warning (marked up as the EPUB Indexes say).
#[test]
fn a_quarto_book_that_marks_entries_gets_an_index() {
    let (_tmp, dir) = book(&[
        (
            "_quarto.yml",
            "book:\n  title: Marked\n  chapters: [a.qmd]\nlang: en\n",
        ),
        (
            "a.qmd",
            "# One\n\\index{kettle}\n\nThe kettle\\index{kettle!lid} sings.\n",
        ),
    ]);
    let (bytes, diags, _) = build_epub(&dir);
    assert!(
        !diags.items().iter().any(|d| d.code.starts_with("W032")),
        "{:?}",
        diags.items()
    );
    keep_for_epubcheck("index-quarto", &bytes);
    let index = xhtml_body(&bytes, "EPUB/text/octavo-index.xhtml");
    assert_in_order(&index, &[">K<", ">kettle<", "index-locator", ">lid<"]);
}
