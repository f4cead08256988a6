//! Scripts and directions in the PDF (issue 20, item 3), on `tests/cases/languages`: an
//! English book with German, French and Greek passages, two Chinese names set in the CJK
//! fallback font its book.toml names, Arabic and Hebrew phrases inside English sentences,
//! and a paragraph in each of Arabic and Hebrew. Right-to-left text is
//! shown from the right (each phrase's first word rightmost, numbers inside it still left to
//! right), a right-to-left paragraph's lines sit flush right, the PDF's text stays in reading
//! order, and the bundled fallbacks draw every letter. `[fonts] system = true` draws what
//! they cannot from the system's fonts.

mod common;

use common::{glyph_runs, keep_for_epubcheck, repo};
use octavo::layout::GlyphRun;

fn case() -> std::path::PathBuf {
    repo().join("tests/cases/languages")
}

/// The case book set for print in its fonts (the bundled ones and the CJK fallback its
/// book.toml names), with the warnings its glyph check gave.
fn set_book() -> (octavo::PdfOutput, Vec<String>) {
    let (compiled, warnings) = common::checked_book(&case());
    let options = octavo::PdfOptions {
        profile: octavo::Profile::builtin("print"),
        chapters: None,
        readable: false,
        fonts: compiled.fonts.clone(),
    };
    let book = compiled.book.as_ref().expect("a book");
    let output = octavo::write_pdf(book, &options).expect("PDF written");
    (output, warnings)
}

/// The runs that set `phrase`'s words, one run a word, in reading order.
fn runs_of<'r>(runs: &[&'r GlyphRun], phrase: &str) -> Vec<&'r GlyphRun> {
    let words: Vec<&str> = phrase.split(' ').collect();
    let at = runs
        .windows(words.len())
        .position(|w| {
            w.iter()
                .zip(&words)
                .all(|(run, word)| &*run.run.text == *word)
        })
        .unwrap_or_else(|| panic!("no runs set {phrase:?}"));
    runs[at..at + words.len()].to_vec()
}

#[test]
fn right_to_left_phrases_are_shown_from_the_right_in_reading_order() {
    let (output, _) = set_book();
    let runs = glyph_runs(&output);
    for phrase in [
        "مرحبا بكم في المكتبة",
        "ברוכים הבאים לספרייה",
        "افتتحت المكتبة عام 1975 في المدينة",
    ] {
        let placed = runs_of(&runs, phrase);
        for pair in placed.windows(2) {
            assert!(
                pair[1].x + pair[1].width() <= pair[0].x,
                "{phrase:?}: {:?} is not left of {:?}",
                pair[1].run.text,
                pair[0].run.text
            );
        }
    }
    let year = runs_of(&runs, "1975")[0];
    assert_eq!(
        year.run.cluster_text(0),
        "1",
        "a number reads left to right"
    );
}

#[test]
fn a_right_to_left_paragraph_sits_flush_right() {
    let (output, _) = set_book();
    let runs = glyph_runs(&output);
    let first = runs_of(&runs, "هذه فقرة")[0];
    let last = runs_of(&runs, "للصفحة.")[0];
    let right_edge = |run: &GlyphRun| (run.x + run.width()).get();
    let on_line = |y: f64| {
        runs.iter()
            .filter(|r| (r.y.get() - y).abs() < 0.01)
            .map(|r| right_edge(r))
            .fold(f64::MIN, f64::max)
    };
    let measure_end = right_edge(first);
    assert!(
        (on_line(first.y.get()) - measure_end).abs() < 0.01,
        "the paragraph's first word is the rightmost of its line"
    );
    assert!(
        (on_line(last.y.get()) - measure_end).abs() < 0.01,
        "the last line ends at the right edge too"
    );
    let english = runs_of(&runs, "Most of this book")[0];
    assert!(
        (right_edge(first) - english.x.get()) > 200.0,
        "right-aligned, not left"
    );
}

/// The words of the PDF's content, in the order it draws them (`pdftotext -raw`), which
/// is the order a screen reader and a search find them in: a right-to-left word's glyphs are
/// drawn in visual order (each maps to its letter), the words themselves in reading order.
#[test]
fn the_pdf_draws_right_to_left_words_in_reading_order() {
    let (output, _) = set_book();
    let pdf = common::pdf_dir().join("languages.pdf");
    std::fs::write(&pdf, &output.bytes).expect("keep the PDF");
    let text = common::words::pdftotext(&pdf).expect("pdftotext");
    let words: Vec<String> = text
        .split_whitespace()
        .map(|w| w.replace(['\u{202A}', '\u{202B}', '\u{202C}'], ""))
        .filter(|w| !w.is_empty())
        .collect();
    let text = words.join(" ");
    for phrase in [
        "مرحبا بكم في المكتبة",
        "ברוכים הבאים לספרייה",
        "افتتحت المكتبة عام 1975 في",
        "هذه فقرة كاملة باللغة",
        "تقرأ من اليمين إلى",
        "זוהי פסקה",
        "הנקראת מימין לשמאל",
    ] {
        assert!(text.contains(phrase), "{phrase:?} not in reading order");
    }
}

#[test]
fn every_letter_has_a_glyph_and_the_epub_marks_the_directions() {
    let (output, warnings) = set_book();
    assert!(
        output.missing_glyphs.is_empty(),
        "{:?}",
        output.missing_glyphs
    );
    assert!(
        warnings.iter().all(|w| !w.contains("glyph")),
        "{warnings:?}"
    );
    let (epub, _, _) = common::build_epub(&case());
    keep_for_epubcheck("languages", &epub);
    let chapter = common::xhtml_body(&epub, "EPUB/text/01-scripts.xhtml");
    assert!(
        chapter.contains(r#"lang="ar" xml:lang="ar" dir="rtl""#),
        "{chapter}"
    );
    assert!(chapter.contains(r#"lang="he" xml:lang="he" dir="rtl""#));
}

/// Builds the book in `dir` as `octavo build` does, with the system's fonts being those of
/// the fontconfig file `fonts_conf`; the exit code and the messages.
fn build_with_system(dir: &std::path::Path, fonts_conf: &std::path::Path) -> (i32, String) {
    let run = std::process::Command::new(env!("CARGO_BIN_EXE_octavo"))
        .args(["build", "--format", "pdf"])
        .current_dir(dir)
        .env("FONTCONFIG_FILE", fonts_conf)
        .env("SOURCE_DATE_EPOCH", "1700000000")
        .output()
        .expect("octavo runs");
    let stderr = String::from_utf8_lossy(&run.stderr).into_owned();
    (run.status.code().unwrap_or(-1), stderr)
}

/// The fonts a PDF embeds, by `pdffonts` (poppler-utils, installed by `make test`).
fn embedded_fonts(pdf: &std::path::Path) -> String {
    let run = std::process::Command::new("pdffonts")
        .arg(pdf)
        .output()
        .expect("pdffonts (poppler-utils, installed by `make test`) runs");
    String::from_utf8_lossy(&run.stdout).into_owned()
}

/// `[fonts] system = true` takes a face of the system's fonts for the characters the book's
/// faces cannot draw. The system here is a fontconfig file naming one folder, holding the
/// Thai face Garuda (installed by `make test-tools`): it draws the Thai greeting, and the
/// warning is left for the Chinese character no font on it has, naming its script.
#[test]
fn system_fonts_draw_what_the_bundled_faces_cannot() {
    let garuda = std::path::Path::new("/usr/share/fonts/truetype/tlwg/Garuda.ttf");
    assert!(
        garuda.is_file(),
        "Garuda (Debian's fonts-tlwg-garuda-ttf, installed by `make test-tools`)"
    );
    let chapter = "# One\n\nThey greet us with สวัสดี and write ሰ.\n";
    for system in [false, true] {
        let toml = format!("title = \"Symbols\"\n\n[fonts]\nsystem = {system}\n");
        let (tmp, dir) = common::book(&[("book.toml", toml.as_str()), ("chapters/01.md", chapter)]);
        let folder = tmp.path().join("system-fonts");
        std::fs::create_dir_all(&folder).expect("mkdir");
        std::fs::copy(garuda, folder.join("Garuda.ttf")).expect("copy the font");
        let conf = tmp.path().join("fonts.conf");
        let xml = format!(
            "<?xml version=\"1.0\"?>\n<fontconfig><dir>{}</dir></fontconfig>\n",
            folder.display()
        );
        std::fs::write(&conf, xml).expect("fonts.conf");
        let (code, stderr) = build_with_system(&dir, &conf);
        assert_eq!(code, 0, "{stderr}");
        let fonts = embedded_fonts(&dir.join("out/symbols.pdf"));
        if system {
            assert!(fonts.contains("Garuda"), "{fonts}");
            assert!(
                stderr.contains("no font can draw `ሰ` (U+1230) (Ethiopic)"),
                "{stderr}"
            );
        } else {
            assert!(!fonts.contains("Garuda"), "{fonts}");
            assert!(
                stderr.contains("no font can draw 6 characters (Thai, Ethiopic)"),
                "{stderr}"
            );
        }
    }
}
