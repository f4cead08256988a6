//! Code listings (issue 15): highlighting classified once and shown alike in both outputs,
//! long lines broken where a programmer would break them, copy-paste that gives the line as
//! written, and the count of breaks inside a token on comprehensive-rust.
//!
//! The PDF is read from the typeset layout: a code line is the glyph runs of one baseline
//! set in the bundled monospace, and a continuation is a line that carries the margin mark
//! (a run that stands for no text).

mod common;

use std::path::{Path, PathBuf};

use common::{keep_for_epubcheck, pdf_dir, repo};
use octavo::layout::{Item, Page};
use octavo::{compile, ResolveOptions};

/// The test book of this issue.
fn case() -> PathBuf {
    repo().join("tests/cases/code")
}

/// Face indices of the bundled monospace (regular, oblique, bold, bold oblique) in the
/// bundled font set's order.
const MONO_FACES: std::ops::RangeInclusive<usize> = 4..=7;

/// The ink of strings in the print profile's grey theme.
const GREY_STRING_INK: [u8; 3] = [0x4d, 0x4d, 0x4d];

/// One printed line of code.
#[derive(Debug)]
struct CodeLine {
    /// Where its first character that is not a space starts.
    x: f64,
    /// Where its first character starts.
    left: f64,
    /// Its runs' text and ink, left to right.
    runs: Vec<(String, [u8; 3])>,
    /// The glyphs of the runs in the margin that stand for no text (the continuation mark,
    /// a line number).
    margin: Vec<u16>,
}

impl CodeLine {
    fn text(&self) -> String {
        self.runs.iter().map(|(t, _)| t.as_str()).collect()
    }

    /// It continues the line above: it carries the continuation mark `mark` (a glyph id).
    fn continues(&self, mark: u16) -> bool {
        self.margin == [mark]
    }
}

/// A glyph run of a code line: x, width, text, ink, glyph ids.
type Run = (f64, f64, String, [u8; 3], Vec<u16>);

/// The code lines of a page, top to bottom.
fn code_lines(page: &Page) -> Vec<CodeLine> {
    let mut by_baseline: std::collections::BTreeMap<i64, Vec<Run>> =
        std::collections::BTreeMap::new();
    for item in &page.items {
        let Item::Glyphs(run) = item else { continue };
        let Some(first) = run.run.glyphs.first() else {
            continue;
        };
        if !MONO_FACES.contains(&first.face.index()) {
            continue;
        }
        let y = (run.y.get() * 100.0).round() as i64;
        let glyphs = run.run.glyphs.iter().map(|g| g.glyph_id).collect();
        let text = run.run.text.to_string();
        let entry = (run.x.get(), run.width().get(), text, run.run.ink.0, glyphs);
        by_baseline.entry(y).or_default().push(entry);
    }
    by_baseline
        .into_values()
        .map(|mut runs| {
            runs.sort_by(|a, b| a.0.total_cmp(&b.0));
            let (margin, runs): (Vec<Run>, Vec<Run>) =
                runs.into_iter().partition(|run| run.2.is_empty());
            CodeLine {
                x: first_letter_x(&runs),
                left: runs.first().map_or(0.0, |r| r.0),
                runs: runs.iter().map(|r| (r.2.clone(), r.3)).collect(),
                margin: margin.into_iter().flat_map(|r| r.4).collect(),
            }
        })
        .collect()
}

/// Where the first character that is not a space starts (runs of a monospace: each
/// character of a run is as wide as the others).
fn first_letter_x(runs: &[Run]) -> f64 {
    for (x, width, text, ..) in runs {
        let chars = text.chars().count().max(1) as f64;
        if let Some(spaces) = text.chars().position(|c| c != ' ') {
            return x + width * spaces as f64 / chars;
        }
    }
    runs.first().map_or(0.0, |r| r.0)
}

/// The glyph of the continuation mark: the margin run of the line that continues the long
/// string of the code case.
fn mark_glyph(pages: &[Page]) -> u16 {
    pages
        .iter()
        .flat_map(code_lines)
        .find(|line| line.text().starts_with("\"this string is far"))
        .and_then(|line| line.margin.first().copied())
        .expect("the long string's continuation carries the mark")
}

/// What the breaks of a set book look like.
#[derive(Debug, Default)]
struct BreakCount {
    /// Continuation lines.
    continuations: usize,
    /// Breaks inside a token that is longer than the line (allowed).
    long_tokens: usize,
    /// Breaks inside a token that another break could have avoided, with the two lines.
    inside_token: Vec<(String, String)>,
    /// Continuations that start left of the code's left edge or at it.
    not_indented: Vec<String>,
    /// Continuations that start left of the first letter of the line they continue or at it
    /// (a line indented past half the measure has its continuations at half the measure).
    not_past_indentation: Vec<String>,
}

/// Counts the breaks of every broken code line on `pages` (`mark` is the continuation
/// mark's glyph).
fn count_breaks(pages: &[Page], mark: u16) -> BreakCount {
    let mut count = BreakCount::default();
    for page in pages {
        let lines = code_lines(page);
        let (mut source_start, mut source_left) = (f64::MAX, f64::MAX);
        for (k, after) in lines.iter().enumerate() {
            if !after.continues(mark) {
                (source_start, source_left) = (after.x, after.left);
                continue;
            }
            let Some(before) = k.checked_sub(1).map(|b| &lines[b]) else {
                continue;
            };
            count.continuations += 1;
            if after.x <= source_left {
                count.not_indented.push(after.text());
            }
            if after.x <= source_start {
                count.not_past_indentation.push(after.text());
            }
            match break_kind(before, after) {
                Break::Between => {}
                Break::LongToken => count.long_tokens += 1,
                Break::Inside => count.inside_token.push((before.text(), after.text())),
            }
        }
    }
    count
}

enum Break {
    /// At a space or after punctuation, outside a literal.
    Between,
    /// Inside a token that fills the whole line before the break.
    LongToken,
    /// Inside an identifier, a number or a string, where another break existed.
    Inside,
}

fn is_word(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// How the break between `before` and its continuation `after` falls.
fn break_kind(before: &CodeLine, after: &CodeLine) -> Break {
    let text = before.text();
    let (Some(last), Some(next)) = (text.chars().next_back(), after.text().chars().next()) else {
        return Break::Between;
    };
    let in_word = is_word(last) && is_word(next);
    let last_ink = before.runs.last().map(|r| r.1);
    let next_ink = after.runs.first().map(|r| r.1);
    let in_string = !last.is_whitespace()
        && last_ink == Some(GREY_STRING_INK)
        && next_ink == Some(GREY_STRING_INK);
    if !in_word && !in_string {
        return Break::Between;
    }
    let trimmed = text.trim_start();
    let whole_word = trimmed.chars().all(is_word);
    let whole_string = !trimmed.contains(' ')
        && before
            .runs
            .iter()
            .skip_while(|r| r.0.trim().is_empty())
            .all(|r| r.1 == GREY_STRING_INK);
    if (in_word && whole_word) || (in_string && whole_string) {
        Break::LongToken
    } else {
        Break::Inside
    }
}

/// The case set in `profile`, its PDF kept for qpdf.
fn set_case(profile: &str) -> octavo::PdfOutput {
    let compiled = compile(&case(), &ResolveOptions::default());
    let book = compiled.book.as_ref().expect("the code case loads");
    let options = octavo::PdfOptions {
        profile: octavo::Profile::builtin(profile),
        chapters: None,
        readable: false,
        fonts: None,
    };
    let output = octavo::write_pdf(book, &options).expect("PDF written");
    std::fs::write(pdf_dir().join(format!("code-{profile}.pdf")), &output.bytes)
        .expect("keep the PDF");
    output
}

/// Text between `<span class="hl-…">` tags of an XHTML `<code>` element: (class, text) in
/// order, and the element's plain text.
fn spans_of(code: &str) -> (Vec<(String, String)>, String) {
    let mut spans = Vec::new();
    let mut plain = String::new();
    let mut rest = code;
    while let Some(open) = rest.find("<span class=\"hl-") {
        plain.push_str(&unescape(&rest[..open]));
        let after = &rest[open + "<span class=\"hl-".len()..];
        let quote = after.find('"').expect("class ends");
        let class = after[..quote].to_string();
        let body = &after[quote + 2..];
        let close = body.find("</span>").expect("span closes");
        let text = unescape(&body[..close]);
        plain.push_str(&text);
        spans.push((class, text));
        rest = &body[close + "</span>".len()..];
    }
    plain.push_str(&unescape(rest));
    (spans, plain)
}

fn unescape(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

/// Every `<code class="language-…">` element of an XHTML body: (language, inner XHTML).
fn code_elements(body: &str) -> Vec<(String, String)> {
    let marker = "<pre><code class=\"language-";
    body.match_indices(marker)
        .map(|(at, _)| {
            let rest = &body[at + marker.len()..];
            let quote = rest.find('"').expect("class ends");
            let inner = &rest[quote + 2..];
            let end = inner.find("</code>").expect("code closes");
            (rest[..quote].to_string(), inner[..end].to_string())
        })
        .collect()
}

#[test]
fn epub_token_classes_are_the_highlighters() {
    let (bytes, _, _) = common::build_epub(&case());
    keep_for_epubcheck("code-case", &bytes);
    let mut highlighted = 0;
    for file in [
        "EPUB/text/01-languages.xhtml",
        "EPUB/text/02-long-lines.xhtml",
    ] {
        let body = common::xhtml_body(&bytes, file);
        for (lang, inner) in code_elements(&body) {
            let (spans, plain) = spans_of(&inner);
            let source = format!("{plain}\n");
            let expected: Vec<(String, String)> = octavo::classify_code(&lang, &source)
                .unwrap_or_default()
                .iter()
                .filter_map(|t| {
                    let end = (t.end as usize).min(plain.len());
                    let text = plain.get(t.start as usize..end)?;
                    (!text.is_empty()).then(|| (t.class.name().to_string(), text.to_string()))
                })
                .collect();
            assert_eq!(spans, expected, "{lang} block in {file}");
            highlighted += usize::from(!spans.is_empty());
        }
    }
    assert!(highlighted >= 12, "only {highlighted} highlighted blocks");
    let css = common::dump_epub(&bytes);
    assert!(!css.contains("style=\"color"), "no inline colour");
}

#[test]
fn a_misspelled_language_warns_with_a_suggestion_and_an_unknown_one_does_not() {
    let compiled = compile(&case(), &ResolveOptions::default());
    let found: Vec<_> = compiled
        .diags
        .items()
        .iter()
        .filter(|d| d.code == octavo::code::CODE_LANGUAGE_MISSPELLED)
        .collect();
    assert_eq!(found.len(), 1, "{found:?}");
    let warning = found[0];
    assert!(warning.hint.as_deref().unwrap_or("").contains("`python`"));
    let span = warning.span.as_ref().expect("located");
    let location = compiled.sources().location(span);
    assert!(location.ends_with("01-languages.md:127:4"), "{location}");
    assert!(!warning.message.contains("bob"));
}

#[test]
fn long_lines_break_outside_tokens_with_indented_continuations() {
    let output = set_case("print");
    let pages = &output.composition.pages;
    let count = count_breaks(pages, mark_glyph(pages));
    assert!(count.continuations >= 8, "{count:?}");
    assert!(count.inside_token.is_empty(), "{count:?}");
    assert!(count.not_indented.is_empty(), "{count:?}");
    assert!(count.not_past_indentation.is_empty(), "{count:?}");
    // The hexadecimal number is longer than the line: cut once, with a warning.
    assert_eq!(count.long_tokens, 1, "{count:?}");
    let cut: Vec<_> = output
        .composition
        .warnings
        .iter()
        .filter(|w| w.code == octavo::code::CODE_TOKEN_CUT)
        .collect();
    assert_eq!(cut.len(), 1, "{cut:?}");
}

#[test]
fn copying_a_broken_line_gives_the_line_as_written() {
    set_case("print");
    let pdf = pdf_dir().join("code-print.pdf");
    let out = std::process::Command::new("pdftotext")
        .arg(&pdf)
        .arg("-")
        .output()
        .expect("pdftotext runs");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(!text.contains('↪'), "the continuation mark is not text");
    let wanted = "let total = library.shelves().iter().flat_map(|shelf| shelf.books()).filter(|book| book.is_available()).map(|book| book.pages()).sum::<usize>();";
    let lines: Vec<&str> = text.lines().collect();
    let start = lines
        .iter()
        .position(|l| l.starts_with("let total = library"))
        .expect("the chain is in the text");
    let joined: String = lines[start..start + 3].concat();
    assert_eq!(joined, wanted);
    let first = lines
        .iter()
        .position(|l| l.trim_start().starts_with("\"this string is far"))
        .expect("the long string is in the text");
    assert!(
        !lines[first].starts_with(' '),
        "no indentation is extracted"
    );
}

#[test]
fn the_handouts_print_code_in_colour_and_the_book_in_greys() {
    let inks = |profile: &str| -> std::collections::BTreeSet<[u8; 3]> {
        let output = set_case(profile);
        output
            .composition
            .pages
            .iter()
            .flat_map(code_lines)
            .flat_map(|line| line.runs.into_iter().map(|r| r.1))
            .collect()
    };
    let grey = inks("print");
    assert!(grey.iter().all(|[r, g, b]| r == g && g == b), "{grey:?}");
    assert!(grey.len() >= 2, "{grey:?}");
    let colour = inks("a4");
    assert!(
        colour.iter().any(|[r, g, b]| r != g || g != b),
        "{colour:?}"
    );
}

/// A temporary book of `files` (relative to `from`), as tests/nothing_lost.rs stages them.
fn book_from(from: &Path, files: &[String]) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().expect("temp dir");
    common::copy_tree(from, tmp.path());
    let chapters: Vec<String> = files.iter().map(|f| format!("{f:?}")).collect();
    let toml = format!(
        "title = \"Corpus\"\ndate = \"2024\"\nlanguage = \"en\"\nchapters = [{}]\n",
        chapters.join(", ")
    );
    std::fs::write(tmp.path().join("book.toml"), toml).expect("book.toml");
    tmp
}

#[test]
fn comprehensive_rust_breaks_code_inside_no_token_but_those_longer_than_the_line() {
    let from = repo().join("../shared/corpus/technical/comprehensive-rust/source");
    let summary = std::fs::read_to_string(from.join("src/SUMMARY.md")).expect("SUMMARY.md");
    let files: Vec<String> = summary
        .lines()
        .filter_map(|line| {
            let start = line.find("](")? + 2;
            let end = start + line[start..].find(')')?;
            let target = &line[start..end];
            target.ends_with(".md").then(|| format!("src/{target}"))
        })
        .collect();
    assert!(files.len() > 500, "SUMMARY.md lists the chapters");
    let book_dir = book_from(&from, &files);
    let compiled = compile(book_dir.path(), &ResolveOptions::default());
    let book = compiled.book.as_ref().expect("the book loads");
    let output = common::print_pdf(book);
    let mark = mark_glyph(&set_case("print").composition.pages);
    let count = count_breaks(&output.composition.pages, mark);
    eprintln!(
        "comprehensive-rust: {} continuations, {} inside tokens longer than the line",
        count.continuations, count.long_tokens
    );
    assert!(count.continuations > 0, "the book has long lines");
    assert!(
        count.inside_token.is_empty(),
        "{} breaks inside a token: {:#?}",
        count.inside_token.len(),
        &count.inside_token[..count.inside_token.len().min(10)]
    );
    assert!(count.not_indented.is_empty(), "{:?}", count.not_indented);
}
