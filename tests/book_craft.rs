//! Book craft (issue 20): chapter numbering that a book can turn off or set in roman
//! numerals or words, no label over a title that names its own chapter, parts numbered
//! apart, special pages (dedication, epigraph, "Also by", acknowledgements, colophon) set
//! without a heading unless given one, and a warning when two chapter files open with the
//! same number.

mod common;

use common::{book, keep_for_epubcheck, xhtml_body};
use octavo::{compile, write_epub, EpubOptions, ResolveOptions};

/// A built test book: its EPUB, the text of each PDF page and the warnings' codes and
/// messages.
struct Built {
    epub: Vec<u8>,
    pages: Vec<String>,
    warnings: Vec<(String, String)>,
}

/// Build the book of `files` into both outputs; the EPUB is kept for EPUBCheck as `name`.
fn build(name: &str, files: &[(&str, &str)]) -> Built {
    let (_guard, dir) = book(files);
    let compiled = compile(&dir, &ResolveOptions::default());
    assert!(!compiled.diags.has_errors(), "{:?}", compiled.diags.items());
    let book = compiled.book.as_ref().expect("a book");
    let epub = write_epub(book, &EpubOptions::default()).expect("EPUB written");
    keep_for_epubcheck(name, &epub);
    let pdf = common::print_pdf(book);
    let pages = pdf
        .composition
        .pages
        .iter()
        .map(|page| octavo::layout_dump::dump_pages(std::slice::from_ref(page)))
        .collect();
    let warnings = compiled
        .diags
        .items()
        .iter()
        .map(|d| (d.code.to_string(), d.message.clone()))
        .collect();
    Built {
        epub,
        pages,
        warnings,
    }
}

const BOOK: &str = "title = \"Craft\"\nlanguage = \"en\"\n";

fn chapter(title: &str) -> String {
    format!("# {title}\n\nThe text of {title}, a sentence long.\n")
}

/// The whole PDF's text dump.
fn pdf_text(built: &Built) -> String {
    built.pages.concat()
}

fn nav(built: &Built) -> String {
    xhtml_body(&built.epub, "EPUB/nav.xhtml")
}

#[test]
fn chapters_are_arabic_by_default_and_none_turns_numbers_and_labels_off() {
    let storm = chapter("The Storm");
    let calm = chapter("The Calm");
    let files = |numbering: &'static str| {
        let config = format!("{BOOK}{numbering}");
        (config, storm.clone(), calm.clone())
    };
    let (config, a, b) = files("");
    let default = build(
        "craft-arabic",
        &[
            ("book.toml", &config),
            ("chapters/01.md", &a),
            ("chapters/02.md", &b),
        ],
    );
    assert!(pdf_text(&default).contains("Chapter 2"));
    assert!(nav(&default).contains("2. The Calm"));
    let (config, a, b) = files("[numbering]\nchapters = \"none\"\n");
    let none = build(
        "craft-none",
        &[
            ("book.toml", &config),
            ("chapters/01.md", &a),
            ("chapters/02.md", &b),
        ],
    );
    assert!(!pdf_text(&none).contains("Chapter"), "{}", pdf_text(&none));
    assert!(nav(&none).contains(">The Calm<"), "{}", nav(&none));
    assert!(!nav(&none).contains("2. The Calm"));
    let body = xhtml_body(&none.epub, "EPUB/text/02.xhtml");
    assert!(!body.contains("chapter-label"), "{body}");
}

#[test]
fn roman_numbers_words_and_the_books_own_label() {
    let (a, b) = (chapter("The Storm"), chapter("The Calm"));
    let config = format!("{BOOK}[numbering]\nchapters = \"roman\"\nchapter-label = \"Book\"\n");
    let roman = build(
        "craft-roman",
        &[
            ("book.toml", &config),
            ("chapters/01.md", &a),
            ("chapters/02.md", &b),
        ],
    );
    assert!(pdf_text(&roman).contains("Book II"), "{}", pdf_text(&roman));
    assert!(nav(&roman).contains("II. The Calm"));
    let body = xhtml_body(&roman.epub, "EPUB/text/02.xhtml");
    assert!(body.contains(">Book II</span>"), "{body}");
    let config = format!("{BOOK}[numbering]\nchapters = \"words\"\n");
    let words = build(
        "craft-words",
        &[
            ("book.toml", &config),
            ("chapters/01.md", &a),
            ("chapters/02.md", &b),
        ],
    );
    assert!(
        pdf_text(&words).contains("Chapter Two"),
        "{}",
        pdf_text(&words)
    );
}

#[test]
fn a_title_that_names_its_chapter_gets_no_label_and_no_number_in_the_contents() {
    let (letter, first) = (chapter("Letter 1"), chapter("Chapter 1"));
    let built = build(
        "craft-own-label",
        &[
            ("book.toml", BOOK),
            ("chapters/01.md", &letter),
            ("chapters/02.md", &first),
        ],
    );
    let text = pdf_text(&built);
    assert!(!text.contains("Chapter 2"), "{text}");
    assert!(!nav(&built).contains("2. Chapter 1"), "{}", nav(&built));
    assert!(!nav(&built).contains("1. Letter 1"));
    let body = xhtml_body(&built.epub, "EPUB/text/02.xhtml");
    assert!(!body.contains("chapter-label"), "{body}");
}

#[test]
fn a_book_setting_of_chapter_numbers_rejects_an_unknown_style() {
    let config = format!("{BOOK}[numbering]\nchapters = \"greek\"\n");
    let (_guard, dir) = book(&[("book.toml", &config), ("chapters/01.md", "# A\n\nText.\n")]);
    let compiled = compile(&dir, &ResolveOptions::default());
    let messages: Vec<&str> = compiled
        .diags
        .items()
        .iter()
        .map(|d| d.message.as_str())
        .collect();
    assert!(
        messages
            .iter()
            .any(|m| m.contains("`greek` is not one of arabic, roman, words, none")),
        "{messages:?}"
    );
}

#[test]
fn a_dedication_has_no_heading_its_epub_type_and_no_contents_line() {
    let dedication = "---\ntype: dedication\n---\n\nTo my sister.\n";
    let built = build(
        "craft-dedication",
        &[
            ("book.toml", BOOK),
            ("chapters/00-dedication.md", dedication),
            ("chapters/01.md", &chapter("The Storm")),
        ],
    );
    assert!(built.warnings.is_empty(), "{:?}", built.warnings);
    let body = xhtml_body(&built.epub, "EPUB/text/00-dedication.xhtml");
    assert!(
        body.contains("<section epub:type=\"dedication\" role=\"doc-dedication\""),
        "{body}"
    );
    assert!(!body.contains("<h1"), "{body}");
    assert!(!body.contains("00-dedication</"), "{body}");
    assert!(!nav(&built).contains("dedication"), "{}", nav(&built));
    let text = pdf_text(&built);
    let set_lines: Vec<&str> = text
        .lines()
        .filter(|l| l.trim_start().starts_with("text "))
        .collect();
    assert!(set_lines.iter().any(|l| l.ends_with("| To my sister.")));
    assert!(
        !set_lines.iter().any(|l| l.contains("00-dedication")),
        "{text}"
    );
    // Alone on its page: no folio under it.
    let page = built
        .pages
        .iter()
        .find(|p| p.contains("To my sister."))
        .expect("the dedication's page");
    assert_eq!(
        page.lines()
            .filter(|l| l.trim_start().starts_with("text "))
            .count(),
        1,
        "{page}"
    );
    // The storm is chapter 1: the dedication is not numbered.
    assert!(text.contains("Chapter 1"));
}

#[test]
fn a_titled_special_page_is_listed_with_its_page_number() {
    let epigraph = "---\ntype: epigraph\ntitle: Epigraph\n---\n\n> Did I request thee, Maker?\n";
    let built = build(
        "craft-epigraph",
        &[
            ("book.toml", BOOK),
            ("chapters/00-epigraph.md", epigraph),
            ("chapters/01.md", &chapter("The Storm")),
        ],
    );
    assert!(nav(&built).contains(">Epigraph<"), "{}", nav(&built));
    let contents = built
        .pages
        .iter()
        .find(|p| p.contains("Contents"))
        .expect("a contents page");
    let line = contents
        .lines()
        .find(|l| l.trim_start().starts_with("text ") && l.contains("Epigraph"))
        .expect("the epigraph listed");
    // Its page number, the roman folio of its page, ends the line.
    let page_label = built
        .pages
        .iter()
        .find(|p| p.contains("Did I request thee"))
        .and_then(|p| p.lines().nth(1))
        .and_then(|summary| summary.split_whitespace().nth(3))
        .expect("the epigraph's page label")
        .to_string();
    assert!(
        line.trim_end().ends_with(&format!(" {page_label}")),
        "{line} / {page_label}"
    );
}

#[test]
fn an_also_by_page_comes_before_the_half_title() {
    let also_by = "---\ntype: also-by\n---\n\n*Mathilda*\n\n*The Last Man*\n";
    let built = build(
        "craft-also-by",
        &[
            ("book.toml", BOOK),
            ("chapters/00-also-by.md", also_by),
            ("chapters/01.md", &chapter("The Storm")),
        ],
    );
    let opf = xhtml_body(&built.epub, "EPUB/package.opf");
    let card = opf
        .find("<itemref idref=\"c-00-also-by\"")
        .expect("in the spine");
    let half_title = opf
        .find("<itemref idref=\"halftitle\"")
        .expect("a half title");
    assert!(card < half_title, "{opf}");
    let body = xhtml_body(&built.epub, "EPUB/text/00-also-by.xhtml");
    assert!(body.contains("epub:type=\"seriespage\""), "{body}");
    let first = &built.pages[0];
    assert!(first.contains("Mathilda"), "{first}");
    let half = built
        .pages
        .iter()
        .position(|p| p.contains("Craft"))
        .expect("a half title");
    assert!(half > 0);
}

#[test]
fn parts_are_numbered_apart_from_the_chapters() {
    let part = |title: &str| format!("---\ntype: part\n---\n\n# {title}\n");
    let config = format!("{BOOK}[numbering]\nparts = \"roman\"\n");
    let built = build(
        "craft-parts",
        &[
            ("book.toml", &config),
            ("chapters/01.md", &part("Before")),
            ("chapters/02.md", &chapter("The Storm")),
            ("chapters/03.md", &part("After")),
            ("chapters/04.md", &chapter("The Calm")),
        ],
    );
    let text = pdf_text(&built);
    assert!(text.contains("Part II"), "{text}");
    assert!(text.contains("Chapter 2"), "{text}");
    assert!(nav(&built).contains("II. After"), "{}", nav(&built));
}

#[test]
fn chapter_files_that_open_with_the_same_number_are_a_warning_naming_both() {
    let built = build(
        "craft-order",
        &[
            ("book.toml", BOOK),
            ("chapters/000-also-by.md", &chapter("Also")),
            ("chapters/00-dedication.md", &chapter("Dedication")),
            ("chapters/01-one.md", &chapter("One")),
        ],
    );
    let order: Vec<&(String, String)> = built
        .warnings
        .iter()
        .filter(|(code, _)| code == "W0360")
        .collect();
    assert_eq!(order.len(), 1, "{:?}", built.warnings);
    let message = &order[0].1;
    assert!(message.contains("chapters/00-dedication.md"), "{message}");
    assert!(message.contains("chapters/000-also-by.md"), "{message}");
}

/// The glyph ids of every run in the book's PDF whose text is `text`.
fn glyphs_of(output: &octavo::PdfOutput, text: &str) -> Vec<Vec<u16>> {
    common::glyph_runs(output)
        .into_iter()
        .filter(|run| &*run.run.text == text)
        .map(|run| run.run.glyphs.iter().map(|g| g.glyph_id).collect())
        .collect()
}

/// The PDF of the book of `files`, in the profile its book.toml sets up.
fn print_pdf_of(files: &[(&str, &str)]) -> octavo::PdfOutput {
    let (_guard, dir) = book(files);
    let compiled = compile(&dir, &ResolveOptions::default());
    assert!(!compiled.diags.has_errors(), "{:?}", compiled.diags.items());
    let config = &compiled.manuscript.as_ref().expect("a manuscript").config;
    let options = octavo::PdfOptions {
        profile: octavo::Profile::resolve(None, &config.pdf),
        chapters: None,
        readable: false,
        fonts: None,
    };
    octavo::write_pdf(compiled.book.as_ref().expect("a book"), &options).expect("PDF written")
}

#[test]
fn small_caps_are_the_fonts_smcp_glyphs() {
    let text = "# One\n\nA plain word here.\n\nA [word]{.smallcaps} there.\n";
    let output = print_pdf_of(&[("book.toml", BOOK), ("chapters/01.md", text)]);
    let runs = glyphs_of(&output, "word");
    assert_eq!(runs.len(), 2, "{runs:?}");
    assert_eq!(runs[0].len(), 4);
    assert_eq!(runs[1].len(), 4);
    // Each letter is another glyph: the font's small capital, not the lower-case letter.
    assert!(
        runs[0]
            .iter()
            .zip(&runs[1])
            .all(|(plain, small)| plain != small),
        "{runs:?}"
    );
}

#[test]
fn a_small_caps_opening_sets_the_first_line_and_no_more_in_small_capitals() {
    let words = "word ".repeat(60);
    let text = format!("# One\n\n{words}\n");
    let plain = print_pdf_of(&[("book.toml", BOOK), ("chapters/01.md", &text)]);
    let config = format!("{BOOK}[pdf]\nopening = \"small-caps\"\n");
    let opened = print_pdf_of(&[("book.toml", &config), ("chapters/01.md", &text)]);
    let plain_glyphs = &glyphs_of(&plain, "word")[0];
    let kinds: Vec<bool> = glyphs_of(&opened, "word")
        .iter()
        .map(|g| g != plain_glyphs)
        .collect();
    let small = kinds.iter().take_while(|&&k| k).count();
    assert!(small > 3, "{kinds:?}");
    assert!(
        small < 20,
        "one line of small capitals, not the paragraph: {kinds:?}"
    );
    assert!(kinds[small..].iter().all(|&k| !k), "{kinds:?}");
}

#[test]
fn a_drop_cap_is_the_first_letter_three_lines_tall_beside_indented_lines() {
    let words = "word ".repeat(80);
    let text = format!("# One\n\nOnce {words}\n\nShort.\n");
    let config = format!("{BOOK}[pdf]\ndrop-cap = true\n");
    let output = print_pdf_of(&[("book.toml", &config), ("chapters/01.md", &text)]);
    let runs = common::glyph_runs(&output);
    let cap = runs
        .iter()
        .find(|run| &*run.run.text == "O")
        .expect("the drop cap");
    let body = runs
        .iter()
        .find(|run| &*run.run.text == "nce")
        .expect("the rest of the word");
    assert!(
        cap.run.size_pt > 3.0 * body.run.size_pt,
        "{} pt",
        cap.run.size_pt
    );
    // Its baseline is the third line's; the lines beside it start after it.
    let baselines: Vec<f64> = {
        let mut ys: Vec<f64> = runs
            .iter()
            .filter(|run| &*run.run.text == "word")
            .map(|run| run.y.get())
            .collect();
        ys.dedup();
        ys
    };
    assert!(
        (cap.y.get() - baselines[2]).abs() < 0.01,
        "{} {baselines:?}",
        cap.y.get()
    );
    let cap_right = (cap.x + cap.width()).get();
    let starts_beside = runs
        .iter()
        .filter(|run| (run.y.get() - baselines[1]).abs() < 0.01)
        .map(|run| run.x.get())
        .fold(f64::MAX, f64::min);
    assert!(starts_beside > cap_right, "{starts_beside} <= {cap_right}");
    let fourth_line = runs
        .iter()
        .filter(|run| (run.y.get() - baselines[3]).abs() < 0.01)
        .map(|run| run.x.get())
        .fold(f64::MAX, f64::min);
    assert!(
        fourth_line < cap.x.get() + 1.0,
        "the fourth line is not indented"
    );
    // The EPUB gives the same paragraph a drop cap through its stylesheet.
    let (_guard, dir) = book(&[("book.toml", &config), ("chapters/01.md", &text)]);
    let (epub, _, _) = common::build_epub(&dir);
    keep_for_epubcheck("craft-drop-cap", &epub);
    let body = xhtml_body(&epub, "EPUB/text/01.xhtml");
    assert!(body.contains("class=\"drop-cap-3\""), "{body}");
}

#[test]
fn a_drop_cap_setting_that_is_not_two_or_three_lines_is_an_error() {
    let config = format!("{BOOK}[pdf]\ndrop-cap = 7\n");
    let (_guard, dir) = book(&[("book.toml", &config), ("chapters/01.md", "# A\n\nText.\n")]);
    let compiled = compile(&dir, &ResolveOptions::default());
    assert!(compiled.diags.has_errors());
}

/// The text lines of the pages whose dump contains `marker`, each joined from its runs.
fn page_lines(built: &Built, marker: &str) -> Vec<String> {
    built
        .pages
        .iter()
        .filter(|p| p.contains(marker))
        .flat_map(|page| page.lines())
        .filter(|l| l.trim_start().starts_with("text "))
        .filter_map(|l| l.split_once("| ").map(|(_, text)| text.to_string()))
        .collect()
}

#[test]
fn a_long_title_breaks_after_its_colon_and_a_title_without_one_evenly() {
    let config = "title = \"Year Zero: The Killing Fields and S-21\"\nlanguage = \"en\"\n";
    let built = build(
        "craft-title-colon",
        &[("book.toml", config), ("chapters/01.md", &chapter("One"))],
    );
    let lines = page_lines(&built, "Year Zero:");
    assert!(lines.contains(&"Year Zero:".to_string()), "{lines:?}");
    assert!(
        lines.contains(&"The Killing Fields and S-21".to_string()),
        "{lines:?}"
    );
    let config = "title = \"Notes Toward the Natural History of Rivers Lakes and Marshes\"\n";
    let built = build(
        "craft-title-even",
        &[("book.toml", config), ("chapters/01.md", &chapter("One"))],
    );
    let lines = page_lines(&built, "Notes Toward");
    let title: Vec<&String> = lines
        .iter()
        .filter(|l| {
            "Notes Toward the Natural History of Rivers Lakes and Marshes".contains(l.as_str())
        })
        .collect();
    assert!(title.len() >= 2, "{lines:?}");
    // The half title's two lines.
    let lengths: Vec<usize> = title[..2].iter().map(|l| l.chars().count()).collect();
    let (short, long) = (lengths.iter().min().unwrap(), lengths.iter().max().unwrap());
    assert!(long - short <= 12, "uneven lines: {title:?}");
}

#[test]
fn the_copyright_page_is_set_ragged_right_without_wide_gaps() {
    let (_guard, dir) = book(&[
        ("book.toml", "title = \"Craft\"\nrights = \"Public domain (text); split mechanically from simon-forman/Literature-as-Markdown\"\n"),
        ("chapters/01.md", &chapter("One")),
    ]);
    let compiled = compile(&dir, &ResolveOptions::default());
    let output = common::print_pdf(compiled.book.as_ref().expect("a book"));
    let page = output
        .composition
        .pages
        .iter()
        .find(|p| {
            p.items.iter().any(|i| matches!(i, octavo::layout::Item::Glyphs(g) if g.run.text.contains("Identifier")))
        })
        .expect("the copyright page");
    let mut runs: Vec<&octavo::layout::GlyphRun> = page
        .items
        .iter()
        .filter_map(|i| match i {
            octavo::layout::Item::Glyphs(g) => Some(g),
            _ => None,
        })
        .collect();
    runs.sort_by(|a, b| {
        (a.y.get(), a.x.get())
            .partial_cmp(&(b.y.get(), b.x.get()))
            .unwrap()
    });
    for pair in runs.windows(2) {
        if (pair[0].y.get() - pair[1].y.get()).abs() > 0.01 {
            continue;
        }
        let gap = (pair[1].x - (pair[0].x + pair[0].width())).get();
        let em = f64::from(pair[0].run.size_pt);
        assert!(
            gap < 0.5 * em,
            "a gap of {:.2} em after {:?}",
            gap / em,
            pair[0].run.text
        );
    }
}

/// A novel-like book: chapters of paragraphs of varied length (a fixed sequence), long
/// enough for many spreads.
fn novel() -> Vec<(String, String)> {
    let mut seed: u64 = 20;
    let mut next = move |range: u64| {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (seed >> 33) % range
    };
    let words = [
        "the",
        "monster",
        "glacier",
        "wandered",
        "through",
        "a",
        "night",
        "of",
        "storms",
        "and",
        "I",
        "beheld",
        "Elizabeth",
        "Geneva",
        "lake",
        "mountains",
        "despair",
        "creature",
        "science",
        "forbidden",
        "knowledge",
        "cottage",
        "fire",
        "wretched",
    ];
    let mut files = vec![("book.toml".to_string(), BOOK.to_string())];
    for chapter in 1..=8 {
        let mut text = format!("# The {chapter}th Part of the Tale\n\n");
        for _ in 0..(40 + next(20)) {
            let length = 8 + next(120);
            let paragraph: Vec<&str> = (0..length).map(|_| words[next(24) as usize]).collect();
            text.push_str(&paragraph.join(" "));
            text.push_str(".\n\n");
        }
        files.push((format!("chapters/{chapter:02}.md"), text));
    }
    files
}

#[test]
fn every_full_spread_of_a_novel_ends_at_one_height() {
    let files = novel();
    let files: Vec<(&str, &str)> = files
        .iter()
        .map(|(n, t)| (n.as_str(), t.as_str()))
        .collect();
    let output = print_pdf_of(&files);
    let composition = &output.composition;
    let body_size = 10.5;
    // The last body baseline of each page (the folio and running head are set smaller).
    let feet: Vec<Option<f64>> = composition
        .pages
        .iter()
        .map(|page| {
            page.items
                .iter()
                .filter_map(|item| match item {
                    octavo::layout::Item::Glyphs(g) if (g.run.size_pt - body_size).abs() < 0.01 => {
                        Some(g.y.get())
                    }
                    _ => None,
                })
                .reduce(f64::max)
        })
        .collect();
    let openings: std::collections::BTreeSet<usize> =
        composition.chapter_pages.iter().copied().collect();
    // A chapter's last page comes before the next opening, or the blank verso before it.
    let last_of_chapter = |page: usize| {
        openings.contains(&(page + 1)) || feet.get(page + 1).is_none_or(Option::is_none)
    };
    let (mut spreads, mut mismatched) = (0, Vec::new());
    // Page indices 1, 2 face each other (index 0 is the first recto), and so on.
    for verso in (1..feet.len().saturating_sub(1)).step_by(2) {
        let recto = verso + 1;
        let (Some(a), Some(b)) = (feet[verso], feet[recto]) else {
            continue;
        };
        let plain = |p: usize| !openings.contains(&p) && !last_of_chapter(p);
        if !plain(verso) || !plain(recto) {
            continue;
        }
        spreads += 1;
        if (a - b).abs() > 0.01 {
            mismatched.push((verso + 1, a, b));
        }
    }
    assert!(spreads >= 20, "only {spreads} full spreads");
    assert!(mismatched.is_empty(), "{mismatched:?} of {spreads}");
}

/// The PDF's `/CreationDate` (from the document information dictionary) after `octavo
/// build` of the book of `files`, with `SOURCE_DATE_EPOCH` set to `epoch` when given and
/// every file's modification time set to `mtime`.
fn creation_date(files: &[(&str, &str)], epoch: Option<&str>, mtime: u64) -> String {
    let (_guard, dir) = book(files);
    let time = std::time::UNIX_EPOCH + std::time::Duration::from_secs(mtime);
    for (name, _) in files {
        let file = std::fs::File::options()
            .write(true)
            .open(dir.join(name))
            .expect("open");
        file.set_modified(time).expect("set the modification time");
    }
    let out = dir.join("out");
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_octavo"));
    command
        .args(["build", "-q", "--format", "pdf", "--out"])
        .arg(&out)
        .arg(&dir);
    match epoch {
        Some(epoch) => command.env("SOURCE_DATE_EPOCH", epoch),
        None => command.env_remove("SOURCE_DATE_EPOCH"),
    };
    let run = command.output().expect("run octavo");
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let pdf = std::fs::read(out.join("craft.pdf")).expect("the PDF");
    let doc = lopdf::Document::load_mem(&pdf).expect("the PDF parses");
    let info = doc
        .trailer
        .get(b"Info")
        .and_then(|i| i.as_reference())
        .expect("an Info");
    let date = doc
        .get_object(info)
        .and_then(|o| o.as_dict())
        .and_then(|d| d.get(b"CreationDate"))
        .and_then(|d| d.as_str())
        .expect("a CreationDate");
    String::from_utf8_lossy(date).into_owned()
}

#[test]
fn the_pdfs_creation_date_is_the_builds_never_the_books_historical_date() {
    let config = "title = \"Craft\"\ndate = \"1818\"\n";
    let files = [
        ("book.toml", config),
        ("chapters/01.md", "# One\n\nText.\n"),
    ];
    // SOURCE_DATE_EPOCH 1700000000 is 2023-11-14 22:13:20 UTC.
    let pinned = creation_date(&files, Some("1700000000"), 1_000_000_000);
    assert!(pinned.starts_with("D:20231114221320"), "{pinned}");
    // Without it, the newest of the files read: 1000000000 is 2001-09-09 01:46:40 UTC.
    let from_files = creation_date(&files, None, 1_000_000_000);
    assert!(from_files.starts_with("D:20010909014640"), "{from_files}");
    assert!(!from_files.contains("1818"));
}

#[test]
fn a_reference_to_a_chapter_names_it_as_its_heading_does() {
    let first = "# The Storm {#sec-storm}\n\nText.\n";
    let second = "# The Calm\n\nAs @sec-storm told.\n";
    let files = |numbering: &str| {
        vec![
            (
                "book.toml".to_string(),
                format!("{BOOK}[numbering]\nchapters = \"{numbering}\"\n"),
            ),
            ("chapters/01.md".to_string(), first.to_string()),
            ("chapters/02.md".to_string(), second.to_string()),
        ]
    };
    for (numbering, expected) in [("roman", "Chapter I"), ("none", "“The Storm”")] {
        let files = files(numbering);
        let files: Vec<(&str, &str)> = files
            .iter()
            .map(|(n, t)| (n.as_str(), t.as_str()))
            .collect();
        let built = build(&format!("craft-ref-{numbering}"), &files);
        let body = xhtml_body(&built.epub, "EPUB/text/02.xhtml");
        assert!(body.contains(expected), "{numbering}: {body}");
        if numbering == "none" {
            assert!(!body.contains("Chapter 1"), "{body}");
        }
    }
}

/// The messages `octavo build --format pdf` prints (JSON) for the book in `dir`.
fn pdf_build_messages(dir: &std::path::Path) -> String {
    let run = std::process::Command::new(env!("CARGO_BIN_EXE_octavo"))
        .args(["build", "--format", "pdf", "--message-format", "json"])
        .arg(dir)
        .output()
        .expect("run octavo");
    let messages =
        String::from_utf8_lossy(&run.stderr).into_owned() + &String::from_utf8_lossy(&run.stdout);
    assert!(run.status.success(), "{messages}");
    messages
}

#[test]
fn small_capitals_in_a_face_without_them_are_one_warning() {
    let text = "# One\n\nA [word]{.smallcaps} and [another]{.smallcaps}.\n";
    let other = "# Two\n\nAlso [here]{.smallcaps}.\n";
    let config = format!("{BOOK}[fonts]\nserif = \"fonts/DejaVuSansMono.ttf\"\n");
    let (_guard, dir) = book(&[
        ("book.toml", &config),
        ("chapters/01.md", text),
        ("chapters/02.md", other),
    ]);
    std::fs::create_dir_all(dir.join("fonts")).expect("mkdir");
    std::fs::copy(
        common::repo().join("fonts/dejavu-sans-mono/DejaVuSansMono.ttf"),
        dir.join("fonts/DejaVuSansMono.ttf"),
    )
    .expect("copy the font");
    let messages = pdf_build_messages(&dir);
    assert_eq!(messages.matches("W0361").count(), 1, "{messages}");
    // The bundled serif has them: no warning.
    let (_guard, dir) = book(&[
        ("book.toml", BOOK),
        ("chapters/01.md", text),
        ("chapters/02.md", other),
    ]);
    let messages = pdf_build_messages(&dir);
    assert!(!messages.contains("W0361"), "{messages}");
}
