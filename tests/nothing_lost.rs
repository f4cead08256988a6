//! Nothing lost: every word of every chapter reaches the EPUB's text and the PDF's extracted
//! text, in order, or a diagnostic located on it says why not (see `common::words`).
//!
//! The books: the sample, every test case, Frankenstein and the two technical books under
//! `../shared/corpus/` (an mdBook and a Quarto book, built as far as octavo can read them
//! today: their chapters are copied into a temporary book folder, never edited). Every EPUB
//! is kept for EPUBCheck and every PDF for qpdf (`make test`).

mod common;

use common::quarto_chapters;

use std::path::{Path, PathBuf};

use common::words::{check_epub, check_pdf};
use common::{keep_for_epubcheck, pdf_dir, repo};
use octavo::compile;
use octavo::ResolveOptions;

/// The shared test corpus beside the repository; CI clones it there.
fn corpus() -> PathBuf {
    let path = repo().join("../shared/corpus");
    assert!(
        path.is_dir(),
        "the test corpus is missing at {} (CI places shared/ beside the clone)",
        path.display()
    );
    path
}

/// Build `dir` (diagnostics or not), write both outputs, and check every word in each.
fn assert_nothing_lost(name: &str, dir: &Path) {
    let compiled = compile(dir, &ResolveOptions::default());
    let book = compiled.book.as_ref().expect("the book loads");
    let options = octavo::epub_options(&compiled).expect("EPUB options");
    let epub = octavo::write_epub(book, &options).expect("EPUB written");
    keep_for_epubcheck(&format!("nothing-lost-{name}"), &epub);
    let pdf_options = octavo::PdfOptions {
        profile: octavo::Profile::builtin("print"),
        chapters: None,
        readable: false,
        fonts: compiled.fonts.clone(),
    };
    let pdf = octavo::write_pdf(book, &pdf_options).expect("PDF written");
    let pdf_path = pdf_dir().join(format!("nothing-lost-{name}.pdf"));
    std::fs::write(&pdf_path, &pdf.bytes).expect("keep the PDF");
    let sources = compiled.sources();
    let epub_words =
        check_epub(book, sources, &compiled.diags, &epub).unwrap_or_else(|e| panic!("{e}"));
    let pdf_words = check_pdf(book, sources, &compiled.diags, &pdf_path, &pdf)
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        epub_words > 0 && pdf_words > 0,
        "{name}: no words were checked"
    );
}

/// A temporary book folder holding copies of `files` (paths relative to `from`), with a
/// book.toml that lists them as its chapters in order.
fn book_from(from: &Path, files: &[String], extra_toml: &str) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().expect("temp dir");
    copy_tree(from, tmp.path());
    let chapters: Vec<String> = files.iter().map(|f| format!("{f:?}")).collect();
    let toml = format!(
        "title = \"Corpus\"\ndate = \"2024\"\nlanguage = \"en\"\n{extra_toml}chapters = [{}]\n",
        chapters.join(", ")
    );
    std::fs::write(tmp.path().join("book.toml"), toml).expect("book.toml");
    tmp
}

fn copy_tree(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from)
        .expect("read corpus folder")
        .flatten()
    {
        let path = entry.path();
        let target = to.join(entry.file_name());
        let kind = entry.file_type().expect("file type");
        if kind.is_dir() {
            std::fs::create_dir_all(&target).expect("mkdir");
            copy_tree(&path, &target);
        } else if kind.is_file() && entry.file_name() != "book.toml" {
            std::fs::copy(&path, &target).expect("copy");
        }
    }
}

#[test]
fn the_sample_book() {
    assert_nothing_lost("sample", &repo().join("manuscript"));
}

#[test]
fn every_test_case() {
    let mut cases: Vec<PathBuf> = std::fs::read_dir(repo().join("tests/cases"))
        .expect("tests/cases")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.join("book.toml").is_file())
        .collect();
    cases.sort();
    assert!(!cases.is_empty());
    for case in cases {
        let name = case
            .file_name()
            .expect("name")
            .to_string_lossy()
            .into_owned();
        assert_nothing_lost(&format!("case-{name}"), &case);
    }
}

#[test]
fn frankenstein() {
    let from = corpus().join("novels/frankenstein-chapters");
    let mut files: Vec<String> = std::fs::read_dir(&from)
        .expect("Frankenstein")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".md"))
        .collect();
    files.sort();
    let book = book_from(&from, &files, "");
    assert_nothing_lost("frankenstein", book.path());
}

/// The chapter files an mdBook's SUMMARY.md links, in order (relative to `src/`).
fn summary_chapters(summary: &str) -> Vec<String> {
    summary
        .lines()
        .filter_map(|line| {
            let start = line.find("](")? + 2;
            let end = start + line[start..].find(')')?;
            let target = &line[start..end];
            target.ends_with(".md").then(|| format!("src/{target}"))
        })
        .collect()
}

#[test]
fn comprehensive_rust_an_mdbook() {
    let from = corpus().join("technical/comprehensive-rust/source");
    let summary = std::fs::read_to_string(from.join("src/SUMMARY.md")).expect("SUMMARY.md");
    let files = summary_chapters(&summary);
    assert!(files.len() > 500, "SUMMARY.md lists the chapters");
    let book = book_from(&from, &files, "");
    assert_nothing_lost("comprehensive-rust", book.path());
}

#[test]
fn tsar_a_quarto_book() {
    let from = corpus().join("technical/tsar/source");
    let config = std::fs::read_to_string(from.join("_quarto.yml")).expect("_quarto.yml");
    let files = quarto_chapters(&config);
    assert!(files.len() > 10, "_quarto.yml lists the chapters");
    let book = book_from(&from, &files, "bibliography = \"references.bib\"\n");
    assert_nothing_lost("tsar", book.path());
}
