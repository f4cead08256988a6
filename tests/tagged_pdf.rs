//! Tagged PDF and the standards on request, checked from outside: `scripts/check-tagged-pdf`
//! (pikepdf, written against the ISO rules, not against octavo's code) walks each PDF's
//! structure tree and content streams, and `qpdf --check` reads the file. The checker must
//! be installed (`make test-tools` puts pikepdf in `.tools/pikepdf`); a test fails, never
//! skips, without it.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

/// Where `make test-tools` installs pikepdf.
fn pikepdf_dir() -> PathBuf {
    common::repo().join(".tools/pikepdf")
}

/// The checker's verdict on `pdf`: (passed, its report); with `text`, the structure text is
/// written there.
fn check(pdf: &Path, standards: &[&str], text: Option<&Path>) -> (bool, String) {
    let mut arguments: Vec<String> = Vec::new();
    for standard in standards {
        arguments.extend(["--standard".to_string(), standard.to_string()]);
    }
    if let Some(text) = text {
        arguments.extend(["--text".to_string(), text.display().to_string()]);
    }
    run_checker(pdf, &arguments)
}

/// The checker's verdict on an untagged PDF (a cover wrap): the standards' rules only.
fn check_untagged(pdf: &Path, standards: &[&str]) -> (bool, String) {
    let mut arguments = vec!["--untagged".to_string()];
    for standard in standards {
        arguments.extend(["--standard".to_string(), standard.to_string()]);
    }
    run_checker(pdf, &arguments)
}

/// `scripts/check-tagged-pdf` run on `pdf` with `arguments`: (passed, its report).
fn run_checker(pdf: &Path, arguments: &[String]) -> (bool, String) {
    let mut command = Command::new("python3");
    command
        .arg(common::repo().join("scripts/check-tagged-pdf"))
        .arg(pdf)
        .args(arguments)
        .env("PYTHONPATH", pikepdf_dir());
    let out = command
        .output()
        .expect("python3 runs (make test-tools installs it)");
    let report = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        !report.contains("ModuleNotFoundError"),
        "pikepdf is missing: run `make test-tools`\n{report}"
    );
    (out.status.success(), report)
}

/// `qpdf --check` passes on `pdf` without warnings.
fn assert_qpdf_clean(pdf: &Path) {
    let out = Command::new("qpdf")
        .arg("--check")
        .arg(pdf)
        .output()
        .expect("qpdf runs (make test-tools installs it)");
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        out.status.success() && !text.contains("WARNING"),
        "qpdf --check on {}: {text}{}",
        pdf.display(),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Builds the book in `dir` with the octavo binary; returns the PDF's path (in `out`) or
/// the build's messages.
fn build(dir: &Path, out: &Path) -> Result<PathBuf, String> {
    let run = Command::new(env!("CARGO_BIN_EXE_octavo"))
        .arg("build")
        .arg(dir)
        .arg("--out")
        .arg(out)
        .args(["--format", "pdf", "-q"])
        .env("SOURCE_DATE_EPOCH", "1700000000")
        .output()
        .expect("octavo runs");
    let messages = format!(
        "{}{}",
        String::from_utf8_lossy(&run.stdout),
        String::from_utf8_lossy(&run.stderr)
    );
    if !run.status.success() {
        return Err(messages);
    }
    let pdf = std::fs::read_dir(out)
        .expect("out folder")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| !p.to_string_lossy().ends_with("-cover.pdf"))
        .find(|p| p.extension().is_some_and(|e| e == "pdf"));
    pdf.ok_or(messages)
}

/// Keeps `pdf` for `make test`'s qpdf pass under `name`.
fn keep(pdf: &Path, name: &str) {
    std::fs::copy(pdf, common::pdf_dir().join(format!("{name}.pdf"))).expect("keep PDF");
}

/// Letters and digits only, lower-cased: text compared across line breaks, hyphens and
/// spacing.
fn letters(text: &str) -> String {
    text.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

const BOOK_TOML: &str = "title = \"Tagged\"\nlanguage = \"en\"\n";

/// A chapter with what the tag tree must hold: headings, paragraphs with a long word to
/// hyphenate, a list, a table, a footnote, a quotation, code and links.
const CHAPTER: &str = "# The First Chapter\n\n\
Opening paragraph with ordinary words, and a link to [the second section](#second) and \
to [the web](https://example.org), so that annotations are tagged too. Incomprehensibilities \
and uncharacteristically long constructions should hyphenate across the measure somewhere \
in this paragraph, which goes on long enough to fill several lines of the page.[^n]\n\n\
[^n]: The footnote's own text, set at the foot of the page.\n\n\
## Second Section {#second}\n\n\
- first item of the list\n- second item of the list\n\n\
| Name | Value |\n|------|-------|\n| alpha | one |\n| beta | two |\n\n\
> A quoted paragraph stands apart from the rest.\n\n\
```\nfn main() {}\n```\n\n\
Closing paragraph after the code block.\n";

/// The paragraphs whose text must come out of the structure tree, in this order.
const IN_ORDER: [&str; 9] = [
    "The First Chapter",
    "Opening paragraph with ordinary words, and a link to the second section",
    "Incomprehensibilities and uncharacteristically long constructions should hyphenate",
    "Second Section",
    "first item of the list",
    "second item of the list",
    "A quoted paragraph stands apart from the rest.",
    "fn main() {}",
    "Closing paragraph after the code block.",
];

#[test]
fn the_structure_text_follows_the_source_order() {
    let (_tmp, dir) = common::book(&[("book.toml", BOOK_TOML), ("chapters/01.md", CHAPTER)]);
    let out = tempfile::tempdir().expect("temp dir");
    let pdf = build(&dir, out.path()).expect("the book builds");
    keep(&pdf, "tagged-order");
    let text_path = out.path().join("structure.txt");
    let (ok, report) = check(&pdf, &[], Some(&text_path));
    assert!(ok, "{report}");
    let text = letters(&std::fs::read_to_string(&text_path).expect("structure text"));
    let mut from = 0;
    for paragraph in IN_ORDER {
        let wanted = letters(paragraph);
        let at = text[from..].find(&wanted).unwrap_or_else(|| {
            panic!("{paragraph:?} is not in the structure text after position {from}: {text}")
        });
        from += at + wanted.len();
    }
    assert!(
        text.contains(&letters("The footnote's own text")),
        "the footnote is in the tree"
    );
    assert_qpdf_clean(&pdf);
}

#[test]
fn the_sample_book_and_the_test_books_are_tagged() {
    let mut books = vec![("manuscript".to_string(), common::repo().join("manuscript"))];
    let cases = common::repo().join("tests/cases");
    let mut entries: Vec<PathBuf> = std::fs::read_dir(&cases)
        .expect("tests/cases")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.join("book.toml").exists())
        .collect();
    entries.sort();
    for path in entries {
        let name = path
            .file_name()
            .expect("name")
            .to_string_lossy()
            .to_string();
        books.push((name, path));
    }
    let mut failures = Vec::new();
    for (name, dir) in books {
        let out = tempfile::tempdir().expect("temp dir");
        let pdf = match build(&dir, out.path()) {
            Ok(pdf) => pdf,
            // A test book that fails on purpose (bad input) has no PDF to check.
            Err(messages) if messages.contains("error") => continue,
            Err(messages) => panic!("{name}: {messages}"),
        };
        keep(&pdf, &format!("tagged-{name}"));
        let (ok, report) = check(&pdf, &[], None);
        if !ok {
            failures.push(format!("{name}:\n{report}"));
        }
        assert_qpdf_clean(&pdf);
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn pdf_ua_1_and_pdf_a_2b_builds_pass_the_checker() {
    let toml = format!("{BOOK_TOML}\n[pdf]\nstandard = [\"pdf/ua-1\", \"pdf/a-2b\"]\n");
    let (_tmp, dir) = common::book(&[("book.toml", &toml), ("chapters/01.md", CHAPTER)]);
    let out = tempfile::tempdir().expect("temp dir");
    let pdf = build(&dir, out.path()).expect("the book builds");
    keep(&pdf, "tagged-ua-a2b");
    let (ok, report) = check(&pdf, &["pdf/ua-1", "pdf/a-2b"], None);
    assert!(ok, "{report}");
    assert_qpdf_clean(&pdf);
    // The plain build claims neither standard: the checker tells the difference.
    let (_tmp, plain) = common::book(&[("book.toml", BOOK_TOML), ("chapters/01.md", CHAPTER)]);
    let out = tempfile::tempdir().expect("temp dir");
    let pdf = build(&plain, out.path()).expect("the book builds");
    let (ok, report) = check(&pdf, &["pdf/ua-1", "pdf/a-2b"], None);
    assert!(!ok, "a PDF without the identification passed: {report}");
    assert!(
        report.contains("pdfuaid") && report.contains("GTS_PDFA1"),
        "{report}"
    );
}

/// The images test book (colour and grey rasters with and without alpha, SVGs, a wide
/// table) built to PDF/X-4, `extra` added to its book.toml: the interior's and the cover
/// wrap's paths.
fn images_book_built(extra: &str, out: &Path) -> (PathBuf, PathBuf) {
    let book = out.join("book");
    common::copy_tree(&common::repo().join("tests/cases/images"), &book);
    let toml = std::fs::read_to_string(book.join("book.toml")).expect("book.toml");
    std::fs::write(book.join("book.toml"), format!("{toml}{extra}")).expect("book.toml");
    let pdfs = out.join("pdf");
    let pdf = build(&book, &pdfs).expect("the book builds");
    let cover = pdf.with_file_name(format!(
        "{}-cover.pdf",
        pdf.file_stem().expect("a name").to_string_lossy()
    ));
    (pdf, cover)
}

#[test]
fn pdf_x4_builds_of_the_interior_and_the_cover_pass_the_checker() {
    let out = tempfile::tempdir().expect("temp dir");
    let (pdf, cover) = images_book_built("\n[pdf]\nstandard = \"pdf/x-4\"\n", out.path());
    keep(&pdf, "pdf-x4-interior");
    keep(&cover, "pdf-x4-cover");
    let (ok, report) = check(&pdf, &["pdf/x-4"], None);
    assert!(ok, "{report}");
    let (ok, report) = check_untagged(&cover, &["pdf/x-4"]);
    assert!(ok, "{report}");
    assert_qpdf_clean(&pdf);
    assert_qpdf_clean(&cover);
    // The plain build is no PDF/X: the checker tells the difference.
    let out = tempfile::tempdir().expect("temp dir");
    let (pdf, cover) = images_book_built("", out.path());
    for (file, (ok, report)) in [
        (&pdf, check(&pdf, &["pdf/x-4"], None)),
        (&cover, check_untagged(&cover, &["pdf/x-4"])),
    ] {
        assert!(!ok, "{} passed: {report}", file.display());
        for broken in [
            "GTS_PDFXVersion",
            "GTS_PDFX output intents",
            "printing Link",
        ] {
            assert!(
                report.contains(broken) || file == &cover && broken == "printing Link",
                "{broken} in {report}"
            );
        }
    }
}

#[test]
fn pdf_x4_and_pdf_ua_1_together_pass_the_checker() {
    let toml = format!("{BOOK_TOML}\n[pdf]\nstandard = [\"pdf/x-4\", \"pdf/ua-1\"]\n");
    let (_tmp, dir) = common::book(&[("book.toml", &toml), ("chapters/01.md", CHAPTER)]);
    let out = tempfile::tempdir().expect("temp dir");
    let pdf = build(&dir, out.path()).expect("the book builds");
    keep(&pdf, "pdf-x4-ua1");
    let (ok, report) = check(&pdf, &["pdf/x-4", "pdf/ua-1"], None);
    assert!(ok, "{report}");
    assert_qpdf_clean(&pdf);
}

#[test]
fn pdf_x4_with_pdf_a_is_an_error_naming_the_setting() {
    let toml = format!("{BOOK_TOML}\n[pdf]\nstandard = [\"pdf/x-4\", \"pdf/a-2b\"]\n");
    let (_tmp, dir) = common::book(&[("book.toml", &toml), ("chapters/01.md", CHAPTER)]);
    let out = tempfile::tempdir().expect("temp dir");
    let messages = build(&dir, out.path()).expect_err("the build fails");
    assert!(
        messages.contains("E0230") && messages.contains("PDF/X-4 and PDF/A"),
        "{messages}"
    );
}

#[test]
fn the_checker_fails_an_untagged_pdf() {
    let (_tmp, dir) = common::book(&[("book.toml", BOOK_TOML), ("chapters/01.md", CHAPTER)]);
    let out = tempfile::tempdir().expect("temp dir");
    let pdf = build(&dir, out.path()).expect("the book builds");
    let stripped = out.path().join("stripped.pdf");
    // The same file with its structure tree taken away, as an untagged writer leaves it.
    let script = "import pikepdf, sys\n\
                  pdf = pikepdf.open(sys.argv[1])\n\
                  del pdf.Root['/StructTreeRoot']\n\
                  del pdf.Root['/MarkInfo']\n\
                  pdf.save(sys.argv[2])\n";
    let run = Command::new("python3")
        .args(["-c", script])
        .arg(&pdf)
        .arg(&stripped)
        .env("PYTHONPATH", pikepdf_dir())
        .output()
        .expect("python3 runs");
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let (ok, report) = check(&stripped, &[], None);
    assert!(!ok, "{report}");
    assert!(report.contains("/StructTreeRoot"), "{report}");
}

#[test]
fn an_unknown_standard_is_an_error_naming_the_setting() {
    let toml = format!("{BOOK_TOML}\n[pdf]\nstandard = \"pdf/z-9\"\n");
    let (_tmp, dir) = common::book(&[("book.toml", &toml), ("chapters/01.md", CHAPTER)]);
    let out = tempfile::tempdir().expect("temp dir");
    let messages = build(&dir, out.path()).expect_err("the build fails");
    assert!(messages.contains("E0230"), "{messages}");
    assert!(messages.contains("pdf/z-9"), "{messages}");
}

#[test]
fn a_standard_broken_rule_is_an_error_naming_rule_and_place() {
    // PDF/UA-1 asks for alternative text on every figure: an image with neither alt text
    // nor caption has none to give.
    let toml = format!("{BOOK_TOML}\n[pdf]\nstandard = \"pdf/ua-1\"\n");
    let chapter = "# One\n\nText before.\n\n![](../images/pixel.png)\n\nText after.\n";
    let (_tmp, dir) = common::book(&[("book.toml", &toml), ("chapters/01.md", chapter)]);
    let image = common::repo().join("tests/cases/images/images/check.png");
    std::fs::create_dir_all(dir.join("images")).expect("mkdir");
    std::fs::copy(image, dir.join("images/pixel.png")).expect("copy image");
    let out = tempfile::tempdir().expect("temp dir");
    let messages = build(&dir, out.path()).expect_err("the build fails");
    assert!(messages.contains("PDF/UA-1 7.3"), "{messages}");
    assert!(
        messages.contains("the PDF breaks PDF/UA-1") && !messages.contains("the document:"),
        "{messages}"
    );
}

/// Whether a line ends in a letter and a hyphen: a word broken at the line's end.
fn ends_broken(line: &str) -> bool {
    let mut last = line.trim_end().chars().rev();
    last.next() == Some('-') && last.next().is_some_and(char::is_alphabetic)
}

#[test]
fn words_hyphenated_at_line_ends_copy_whole() {
    let out = tempfile::tempdir().expect("temp dir");
    let pdf = build(&common::repo().join("manuscript"), out.path()).expect("the sample builds");
    let text_path = out.path().join("structure.txt");
    let (ok, report) = check(&pdf, &[], Some(&text_path));
    assert!(ok, "{report}");
    // The sample hyphenates words, each one a sequence whose /ActualText is the word …
    let spans: usize = report
        .lines()
        .find_map(|l| l.strip_prefix("tagged sequences with /ActualText: "))
        .and_then(|n| n.trim().parse().ok())
        .expect("the checker counts /ActualText sequences");
    assert!(
        spans > 0,
        "no hyphenated word has its /ActualText: {report}"
    );
    // … so that no line of the structure's text ends in a broken word.
    let text = std::fs::read_to_string(&text_path).expect("structure text");
    let still_broken: Vec<&str> = text.lines().filter(|l| ends_broken(l)).collect();
    assert!(
        still_broken.is_empty(),
        "{} words read broken from the structure ({spans} joined): {still_broken:#?}",
        still_broken.len()
    );
}
