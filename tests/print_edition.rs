//! The print edition beyond the interior: the cover wrap (`<slug>-cover.pdf`) sized from
//! the interior's pages and paper, each edition's ISBN checked and printed hyphenated, and
//! the settings' errors at their place in book.toml.

mod common;

use std::path::Path;
use std::process::Command;

use lopdf::{Document, Object};

/// Points per inch.
const PT: f64 = 72.0;

/// A chapter of `paragraphs` paragraphs of plain prose, different in each chapter.
fn chapter(number: usize, paragraphs: usize) -> String {
    let words = [
        "the",
        "river",
        "carried",
        "letters",
        "north",
        "while",
        "winter",
        "kept",
        "its",
        "promise",
        "and",
        "travellers",
        "waited",
        "for",
        "news",
        "of",
        "distant",
        "harbours",
    ];
    let mut text = format!("# Part {number}\n\n");
    for p in 0..paragraphs {
        let sentence: Vec<&str> = (0..90)
            .map(|i| words[(i * 7 + p * 3 + number) % words.len()])
            .collect();
        text.push_str(&sentence.join(" "));
        text.push_str(".\n\n");
    }
    text
}

/// A book folder with `chapters` chapters and `extra` book.toml lines.
fn print_book(
    chapters: usize,
    paragraphs: usize,
    extra: &str,
) -> (tempfile::TempDir, std::path::PathBuf) {
    let config = format!(
        "title = \"The Northern Letters\"\nlanguage = \"en\"\ndate = \"2026-01-01\"\n\
         publisher = \"Harbour Press\"\n\
         description = \"A winter of letters carried north along the river.\"\n\
         [[authors]]\nname = \"Ada Lindqvist\"\n{extra}"
    );
    let texts: Vec<(String, String)> = (1..=chapters)
        .map(|n| (format!("chapters/{n:02}.md"), chapter(n, paragraphs)))
        .collect();
    let mut files: Vec<(&str, &str)> = vec![("book.toml", config.as_str())];
    files.extend(
        texts
            .iter()
            .map(|(name, text)| (name.as_str(), text.as_str())),
    );
    common::book(&files)
}

/// Runs `octavo build` on `dir` into `dir/out`; (success, stderr).
fn build(dir: &Path) -> (bool, String) {
    let run = Command::new(env!("CARGO_BIN_EXE_octavo"))
        .args([
            "build",
            &dir.display().to_string(),
            "--message-format",
            "human",
        ])
        .env("SOURCE_DATE_EPOCH", "1767225600")
        .output()
        .expect("octavo runs");
    (
        run.status.success(),
        String::from_utf8_lossy(&run.stderr).into_owned(),
    )
}

/// A page box of the first page, as numbers.
fn page_box(doc: &Document, name: &[u8]) -> [f64; 4] {
    let page = doc.get_pages().values().next().copied().expect("a page");
    let dict = doc.get_dictionary(page).expect("the page dictionary");
    let array = dict.get(name).and_then(Object::as_array).expect("the box");
    let numbers: Vec<f64> = array
        .iter()
        .map(|o| {
            o.as_float()
                .map(f64::from)
                .or_else(|_| o.as_i64().map(|i| i as f64))
        })
        .collect::<Result<_, _>>()
        .expect("numbers");
    [numbers[0], numbers[1], numbers[2], numbers[3]]
}

/// The book in `dir` set in the print profile (with its cover wrap).
fn composed(dir: &Path) -> octavo::PdfOutput {
    let compiled = octavo::compile(dir, &octavo::ResolveOptions::default());
    common::print_pdf(compiled.book.as_ref().expect("a book"))
}

/// The interior's text, page after page.
fn interior_text(output: &octavo::PdfOutput) -> String {
    let pages = &output.composition.pages;
    pages.iter().map(octavo::layout::page_text).collect()
}

/// The text of the cover wrap's covers, then of its spine.
fn cover_text(output: &octavo::PdfOutput) -> (String, String) {
    let wrap = &output.cover.as_ref().expect("a cover wrap").wrap;
    let page = |items: &[octavo::layout::Item]| {
        octavo::layout::page_text(&octavo::layout::Page {
            items: items.to_vec(),
            label: None,
            kind: octavo::layout::PageKind::Front,
            marks: Vec::new(),
        })
    };
    (page(&wrap.items), page(&wrap.spine_items))
}

#[test]
fn the_cover_wrap_is_as_wide_as_two_covers_the_spine_and_the_bleed() {
    let (_guard, dir) = print_book(3, 4, "[print]\npaper = \"cream\"\n");
    let (ok, stderr) = build(&dir);
    assert!(ok, "{stderr}");
    let interior = Document::load(dir.join("out/the-northern-letters.pdf")).expect("interior");
    let pages = interior.get_pages().len() as f64;
    let cover_path = dir.join("out/the-northern-letters-cover.pdf");
    let bytes = std::fs::read(&cover_path).expect("the cover wrap is written");
    std::fs::write(common::pdf_dir().join("print-edition-cover.pdf"), &bytes).expect("keep");
    let cover = Document::load_mem(&bytes).expect("the cover parses");
    assert_eq!(cover.get_pages().len(), 1);
    let media = page_box(&cover, b"MediaBox");
    let spine = pages * 0.0025 * PT;
    let bleed = 0.125 * PT;
    let width = 2.0 * bleed + 2.0 * 6.0 * PT + spine;
    assert!((media[2] - width).abs() < 0.01, "{media:?} vs {width}");
    assert!((media[3] - (9.0 * PT + 2.0 * bleed)).abs() < 0.01);
    let trim = page_box(&cover, b"TrimBox");
    assert!((trim[0] - bleed).abs() < 0.01 && (trim[2] - (width - bleed)).abs() < 0.01);
    let (covers, spine) = cover_text(&composed(&dir));
    assert!(
        covers.contains("winter of letters"),
        "the blurb is on the back: {covers}"
    );
    assert!(
        covers.contains("The Northern Letters"),
        "the front: {covers}"
    );
    // A short book's spine carries no text.
    assert_eq!(spine, "");
}

#[test]
fn a_long_book_has_its_title_and_author_on_the_spine() {
    let (_guard, dir) = print_book(24, 12, "");
    let (ok, stderr) = build(&dir);
    assert!(ok, "{stderr}");
    let interior = Document::load(dir.join("out/the-northern-letters.pdf")).expect("interior");
    assert!(
        interior.get_pages().len() >= 80,
        "{}",
        interior.get_pages().len()
    );
    assert!(dir.join("out/the-northern-letters-cover.pdf").exists());
    let (_, spine) = cover_text(&composed(&dir));
    assert_eq!(spine.trim(), "The Northern Letters \u{2022} Ada Lindqvist");
}

#[test]
fn each_edition_has_its_own_isbn_printed_hyphenated() {
    let (_guard, dir) = print_book(
        1,
        2,
        "[print]\nisbn = \"9780306406157\"\n[epub]\nisbn = \"9781492067665\"\n",
    );
    let (ok, stderr) = build(&dir);
    assert!(ok, "{stderr}");
    let output = composed(&dir);
    let text = interior_text(&output).replace('\n', " ");
    assert!(text.contains("ISBN 978-0-306-40615-7 (print)."), "{text}");
    assert!(text.contains("ISBN 978-1-4920-6766-5 (EPUB)."), "{text}");
    let (covers, _) = cover_text(&output);
    assert!(covers.contains("ISBN 978-0-306-40615-7"), "{covers}");
    let epub = std::fs::read(dir.join("out/the-northern-letters.epub")).expect("the EPUB");
    common::keep_for_epubcheck("print-edition-isbns", &epub);
    let opf = common::dump_epub(&epub);
    assert!(
        opf.contains("urn:isbn:9781492067665"),
        "the EPUB is named by its own ISBN"
    );
    // The print ISBN is named only as the source of the EPUB's page list.
    let print_isbn: Vec<&str> = opf
        .lines()
        .filter(|line| line.contains("urn:isbn:9780306406157"))
        .collect();
    assert_eq!(
        print_isbn,
        ["<meta property=\"pageBreakSource\">urn:isbn:9780306406157</meta>"],
        "{opf}"
    );
    // The NCX names the EPUB by the same identifier as its package.
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(&epub)).expect("a zip");
    let mut ncx = String::new();
    std::io::Read::read_to_string(
        &mut archive.by_name("EPUB/toc.ncx").expect("the NCX"),
        &mut ncx,
    )
    .expect("UTF-8");
    assert!(ncx.contains("content=\"urn:isbn:9781492067665\""), "{ncx}");
}

#[test]
fn one_isbn_for_both_editions_and_bad_print_settings_are_errors_at_their_place() {
    let (_guard, dir) = print_book(
        1,
        1,
        "[print]\nisbn = \"978-0-306-40615-7\"\npaper = \"glossy\"\nbleed = \"2in\"\n[epub]\nisbn = \"9780306406157\"\n",
    );
    let (ok, stderr) = build(&dir);
    assert!(!ok);
    assert!(
        stderr.contains("the print edition and the EPUB have the same ISBN"),
        "{stderr}"
    );
    assert!(
        stderr.contains("book.toml:13:8"),
        "the EPUB's ISBN is pointed at: {stderr}"
    );
    assert!(stderr.contains("unknown paper `glossy`"), "{stderr}");
    assert!(stderr.contains("`2in` is not a bleed"), "{stderr}");
    assert!(!dir.join("out").exists(), "a failed build writes nothing");
    let (_guard, dir) = print_book(1, 1, "[print]\nisbn = \"978-0-306-40615-6\"\n");
    let (ok, stderr) = build(&dir);
    assert!(!ok);
    assert!(stderr.contains("wrong check digit"), "{stderr}");
}

#[test]
fn a_new_books_cover_is_sharp_enough_for_the_cover_wrap() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let dir = tmp.path().join("fresh");
    let created = Command::new(env!("CARGO_BIN_EXE_octavo"))
        .args(["new", &dir.display().to_string()])
        .output()
        .expect("octavo new runs");
    assert!(created.status.success());
    let (ok, stderr) = build(&dir);
    assert!(ok, "{stderr}");
    assert!(!stderr.contains("W0380"), "{stderr}");
    assert!(dir.join("out/fresh-cover.pdf").exists());
}

/// The EPUB's package document of the book in `dir` and the build's messages.
fn epub_claim(dir: &Path) -> (String, String) {
    let (ok, stderr) = build(dir);
    assert!(ok, "{stderr}");
    let epub = std::fs::read(dir.join("out/the-northern-letters.epub")).expect("the EPUB");
    (common::dump_epub(&epub), stderr)
}

#[test]
fn the_epub_claims_accessibility_conformance_only_when_the_checks_pass() {
    let (_guard, dir) = print_book(2, 2, "");
    let (package, stderr) = epub_claim(&dir);
    assert!(!stderr.contains("W0381"), "{stderr}");
    assert!(
        package.contains("<meta property=\"dcterms:conformsTo\">EPUB Accessibility 1.1 - WCAG 2.2 Level AA</meta>"),
        "{package}"
    );
    assert!(package.contains("<meta property=\"a11y:certifiedBy\">Harbour Press</meta>"));
    let epub = std::fs::read(dir.join("out/the-northern-letters.epub")).expect("the EPUB");
    common::keep_for_epubcheck("print-edition-conformance", &epub);

    // Each failing check withholds the claim and is named in the one warning.
    let cases = [("[epub]\ncss = \"pale.css\"\n", "#aaaaaa (2.3:1 on white)")];
    for (extra, reason) in cases {
        let (_guard, dir) = print_book(1, 1, extra);
        std::fs::write(dir.join("pale.css"), "p { color: #aaaaaa; }\n").expect("css");
        let (package, stderr) = epub_claim(&dir);
        assert!(!package.contains("conformsTo"), "{extra}");
        assert!(
            stderr.contains("W0381") && stderr.contains(reason),
            "{stderr}"
        );
    }
    // A book with a print edition has its page list, so it claims conformance too.
    let (_guard, dir) = print_book(1, 1, "[print]\nisbn = \"9780306406157\"\n");
    let (package, stderr) = epub_claim(&dir);
    assert!(package.contains("conformsTo"), "{stderr}");
    assert!(package.contains("pageBreakSource"), "{package}");
    // A publisher's book without its language declared is told so; a book with no
    // publisher is not being published: it claims nothing and hears nothing of it.
    let (_guard, dir) = common::book(&[
        (
            "book.toml",
            "title = \"The Northern Letters\"\npublisher = \"Harbour Press\"\n",
        ),
        ("chapters/01.md", "# One\n\nText.\n"),
    ]);
    let (package, stderr) = epub_claim(&dir);
    assert!(!package.contains("conformsTo"));
    assert!(
        stderr.contains("W0381") && stderr.contains("the book's language"),
        "{stderr}"
    );
    let (_guard, dir) = common::book(&[
        (
            "book.toml",
            "title = \"The Northern Letters\"\nlanguage = \"en\"\n",
        ),
        ("chapters/01.md", "# One\n\nText.\n"),
    ]);
    let (package, stderr) = epub_claim(&dir);
    assert!(!package.contains("conformsTo"));
    assert!(!stderr.contains("W0381"), "{stderr}");
}

/// A PDF rectangle: left, bottom, right, top.
type PdfRect = [f64; 4];

/// The pages' media and trim boxes and their first link's rectangle, page by page.
fn boxes_and_links(pdf: &Path) -> Vec<(PdfRect, PdfRect, Option<PdfRect>)> {
    let doc = Document::load(pdf).expect("the PDF parses");
    let numbers = |object: &Object| -> PdfRect {
        let array = object.as_array().expect("an array");
        let values: Vec<f64> = array
            .iter()
            .map(|o| {
                o.as_float()
                    .map(f64::from)
                    .or_else(|_| o.as_i64().map(|i| i as f64))
            })
            .collect::<Result<_, _>>()
            .expect("numbers");
        [values[0], values[1], values[2], values[3]]
    };
    doc.get_pages()
        .values()
        .map(|&id| {
            let page = doc.get_dictionary(id).expect("a page");
            let media = numbers(page.get(b"MediaBox").expect("MediaBox"));
            let trim = numbers(page.get(b"TrimBox").expect("TrimBox"));
            let link = page
                .get(b"Annots")
                .ok()
                .and_then(|a| a.as_array().ok())
                .and_then(|a| a.first())
                .and_then(|r| r.as_reference().ok())
                .and_then(|r| doc.get_dictionary(r).ok())
                .and_then(|d| d.get(b"Rect").ok())
                .map(numbers);
            (media, trim, link)
        })
        .collect()
}

#[test]
fn bleed_grows_the_sheet_on_the_outer_edges_and_moves_the_page_with_its_trim() {
    let (_plain_guard, plain) = print_book(3, 3, "");
    let (_bleed_guard, bled) = print_book(3, 3, "[print]\nbleed = \"0.125in\"\n");
    for dir in [&plain, &bled] {
        let (ok, stderr) = build(dir);
        assert!(ok, "{stderr}");
    }
    let name = "out/the-northern-letters.pdf";
    let without = boxes_and_links(&plain.join(name));
    let with = boxes_and_links(&bled.join(name));
    let bleed = 0.125 * PT;
    assert_eq!(without.len(), with.len());
    for (index, ((_, _, plain_link), (media, trim, link))) in without.iter().zip(&with).enumerate()
    {
        assert!((media[2] - (6.0 * PT + bleed)).abs() < 0.01, "{media:?}");
        assert!(
            (media[3] - (9.0 * PT + 2.0 * bleed)).abs() < 0.01,
            "{media:?}"
        );
        // A recto's outer edge is its right, a verso's its left.
        let left = if index % 2 == 1 { bleed } else { 0.0 };
        assert!(
            (trim[0] - left).abs() < 0.01 && (trim[1] - bleed).abs() < 0.01,
            "{trim:?}"
        );
        assert!((trim[2] - trim[0] - 6.0 * PT).abs() < 0.01, "{trim:?}");
        if let (Some(plain_link), Some(link)) = (plain_link, link) {
            assert!(
                (link[0] - plain_link[0] - left).abs() < 0.01,
                "{link:?} {plain_link:?}"
            );
            assert!(
                (link[1] - plain_link[1] - bleed).abs() < 0.01,
                "{link:?} {plain_link:?}"
            );
        }
    }
    assert!(
        with.iter().any(|(_, _, link)| link.is_some()),
        "the contents links"
    );
    let bytes = std::fs::read(bled.join(name)).expect("the PDF");
    std::fs::write(common::pdf_dir().join("print-edition-bleed.pdf"), bytes).expect("keep");
}
