//! The EPUB's page list from the print edition (issue 19): a book with a print ISBN gets a
//! `pagebreak` marker where each printed page begins, a `page-list` nav linking them, and
//! `pageBreakSource` naming the print ISBN. The markers are checked against the print PDF's
//! own pages: after each marker come the first words of its page.

mod common;

use std::io::Read;

use octavo::layout::{page_text, Page, PageKind};
use octavo::{compile, ResolveOptions};

/// The sample book with a print edition, compiled.
fn sample_with_print_isbn() -> (tempfile::TempDir, octavo::Compiled) {
    let tmp = tempfile::tempdir().expect("temp dir");
    let dir = tmp.path().join("book");
    common::copy_tree(&common::repo().join("manuscript"), &dir);
    let mut toml = std::fs::read_to_string(dir.join("book.toml")).expect("book.toml");
    toml.push_str("\n[print]\nisbn = \"978-0-306-40615-7\"\n");
    std::fs::write(dir.join("book.toml"), toml).expect("book.toml");
    let compiled = compile(&dir, &ResolveOptions::default());
    assert!(!compiled.diags.has_errors());
    (tmp, compiled)
}

/// Every file of the EPUB, by name.
fn entries(epub: &[u8]) -> Vec<(String, String)> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(epub)).expect("a zip");
    let mut out = Vec::new();
    for i in 0..archive.len() {
        let mut file = archive.by_index(i).expect("entry");
        let mut text = String::new();
        let readable = file.read_to_string(&mut text).is_ok();
        if readable {
            let name = file.name().map(|n| n.to_string()).unwrap_or_default();
            out.push((name, text));
        }
    }
    out
}

/// Words as the comparison reads them: letters and digits, lower-cased.
fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// The text after each page marker of the chapters (tags read as spaces, as a cell or a
/// paragraph ends a word), by page label, in spine order.
fn text_after_markers(files: &[(String, String)]) -> Vec<(String, String)> {
    let opf = &files
        .iter()
        .find(|(name, _)| name == "EPUB/package.opf")
        .expect("the OPF")
        .1;
    let mut found = Vec::new();
    for idref in opf.split("<itemref idref=\"").skip(1) {
        let id = idref.split('"').next().unwrap_or_default();
        let href = opf
            .split(&format!("<item id=\"{id}\" href=\""))
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .unwrap_or_default();
        let Some((_, xhtml)) = files.iter().find(|(n, _)| *n == format!("EPUB/{href}")) else {
            continue;
        };
        for piece in xhtml.split("<span epub:type=\"pagebreak\"").skip(1) {
            let label = piece
                .split("aria-label=\"")
                .nth(1)
                .and_then(|rest| rest.split('"').next())
                .unwrap_or_default()
                .to_string();
            let after = piece.split_once("</span>").map_or("", |(_, rest)| rest);
            let plain: String = strip_tags(after).chars().take(600).collect();
            found.push((label, plain));
        }
    }
    found
}

/// `xhtml` with every tag replaced by a space (a page's marker among them).
fn strip_tags(xhtml: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in xhtml.chars() {
        match c {
            '<' => {
                in_tag = true;
                out.push(' ');
            }
            '>' => in_tag = false,
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.replace("&amp;", "&")
}

/// `page` with only its content: the items its marks give a structure element (no running
/// head, folio or repeated table header).
fn content_of(page: &Page) -> Page {
    let mut content = page.clone();
    content.items.clear();
    for (i, mark) in page.marks.iter().enumerate() {
        let end = page
            .marks
            .get(i + 1)
            .map_or(page.items.len(), |next| next.first as usize);
        if mark.node.is_some() {
            content
                .items
                .extend_from_slice(&page.items[mark.first as usize..end]);
        }
    }
    content
}

#[test]
fn each_page_marker_stands_where_its_print_page_begins() {
    let (_tmp, compiled) = sample_with_print_isbn();
    let book = compiled.book.as_ref().expect("a book");
    let pdf = common::print_pdf(book);
    let options = octavo::epub_options(&compiled).expect("EPUB options");
    let epub = octavo::write_epub(book, &options).expect("EPUB written");
    common::keep_for_epubcheck("page-list", &epub);
    let files = entries(&epub);
    let composition = &pdf.composition;
    let first_chapter = composition.chapter_pages[0];
    let first_arabic = composition.first_arabic.expect("arabic pages");

    let markers = text_after_markers(&files);
    assert_eq!(
        markers.len(),
        composition.pages.len() - first_chapter,
        "a marker for every page from the first chapter on"
    );
    let mut compared = 0;
    for (label, after) in &markers {
        let Ok(number) = label.parse::<usize>() else {
            continue;
        };
        let page = &composition.pages[first_arabic + number - 1];
        // A chapter's opening page is marked where its section begins, a blank page where
        // its chapter ends.
        if page.kind != PageKind::Body {
            continue;
        }
        let page_words = words(&page_text(&content_of(page)));
        let marker_words = words(after);
        let opening: Vec<&String> = marker_words.iter().take(3).collect();
        // The page may open with the end of a word hyphenated on the page before.
        let begins = |skip: usize| {
            page_words
                .iter()
                .skip(skip)
                .take(3)
                .eq(opening.iter().copied())
        };
        assert!(
            begins(0) || begins(1),
            "page {label}: the marker is followed by {opening:?}, the page begins {:?}",
            &page_words[..page_words.len().min(8)]
        );
        compared += 1;
    }
    eprintln!("{compared} body pages compared");
    assert!(compared >= 10, "only {compared} body pages compared");

    let nav = &files
        .iter()
        .find(|(n, _)| n == "EPUB/nav.xhtml")
        .expect("nav")
        .1;
    let page_list = nav
        .split("<nav epub:type=\"page-list\"")
        .nth(1)
        .and_then(|rest| rest.split("</nav>").next())
        .expect("a page-list nav");
    assert_eq!(page_list.matches("<li>").count(), markers.len());
    assert!(page_list.contains("#page-1\">1</a>"), "{page_list}");
    let opf = &files
        .iter()
        .find(|(n, _)| n == "EPUB/package.opf")
        .expect("OPF")
        .1;
    assert!(opf.contains("<meta property=\"pageBreakSource\">urn:isbn:9780306406157</meta>"));
    assert!(opf.contains(">printPageNumbers</meta>"));
}

#[test]
fn a_book_without_a_print_edition_has_no_page_list() {
    let compiled = compile(
        &common::repo().join("manuscript"),
        &ResolveOptions::default(),
    );
    let book = compiled.book.as_ref().expect("a book");
    let options = octavo::epub_options(&compiled).expect("EPUB options");
    let epub = octavo::write_epub(book, &options).expect("EPUB written");
    let files = entries(&epub);
    assert!(files.iter().all(|(_, text)| !text.contains("pagebreak")));
    let opf = &files
        .iter()
        .find(|(n, _)| n == "EPUB/package.opf")
        .expect("OPF")
        .1;
    assert!(!opf.contains("pageBreakSource"));
}
