//! Issue 16, equation tags: `\tag{A.1}` numbers a display formula with its text (in
//! parentheses at the right, `\tag*` bare) in the PDF and the EPUB, without advancing the
//! chapter's count, and a label on it makes `@eq-x` read "Equation A.1"; `\notag` and
//! `\nonumber` leave a formula unnumbered; a tag that cannot number anything is an error at
//! its column.

mod common;

use common::{book, build_epub, keep_for_epubcheck, xhtml_body};
use octavo::{compile, ResolveOptions};

const TOML: &str = "title = \"Tags\"\nlanguage = \"en\"\n";

/// A chapter with a counted equation, a tagged one, a starred tag, a `\notag`, and a counted
/// one after them (which must be 1.2: the tags did not count).
const CHAPTER: &str = "# One\n\n\
$$ a = b $$ {#eq-first}\n\n\
$$ E = mc^2 \\tag{A.1} $$ {#eq-tagged}\n\n\
$$ x = y \\tag*{II-b} $$\n\n\
$$ u = v \\notag $$\n\n\
$$ p = q $$ {#eq-second}\n\n\
See @eq-tagged, @eq-first and @eq-second.\n";

fn tag_book() -> (tempfile::TempDir, std::path::PathBuf) {
    book(&[("book.toml", TOML), ("chapters/01.md", CHAPTER)])
}

/// The texts of the equation numbers in the chapter's XHTML, in order.
fn epub_numbers(body: &str) -> Vec<String> {
    let open = "<span class=\"equation-number\">";
    body.match_indices(open)
        .filter_map(|(at, _)| {
            let rest = &body[at + open.len()..];
            rest.find("</span>").map(|end| rest[..end].to_string())
        })
        .collect()
}

#[test]
fn a_tag_numbers_the_formula_in_the_epub_without_counting() {
    let (_tmp, dir) = tag_book();
    let (bytes, diags, _) = build_epub(&dir);
    keep_for_epubcheck("equation-tags", &bytes);
    let codes: Vec<_> = diags.items().iter().map(|d| d.code).collect();
    assert!(codes.is_empty(), "{:?}", diags.items());
    let body = xhtml_body(&bytes, "EPUB/text/01.xhtml");
    assert_eq!(
        epub_numbers(&body),
        vec!["(1.1)", "(A.1)", "II-b", "(1.2)"],
        "{body}"
    );
    assert!(body.contains("Equation A.1"), "{body}");
    assert!(body.contains("Equation 1.1"), "{body}");
    assert!(body.contains("Equation 1.2"), "{body}");
    assert!(body.contains(r#"id="eq-tagged""#), "{body}");
    assert!(
        !body.contains("\\tag"),
        "the tag is not in the formula: {body}"
    );
    assert!(!body.contains("notag"), "{body}");
}

#[test]
fn a_tag_prints_at_the_right_margin_on_the_formulas_baseline_in_the_pdf() {
    let (_tmp, dir) = tag_book();
    let compiled = compile(&dir, &ResolveOptions::default());
    assert!(!compiled.diags.has_errors(), "{:?}", compiled.diags.items());
    let output = common::print_pdf(compiled.book.as_ref().expect("a book"));
    let runs = common::glyph_runs(&output);
    let texts: Vec<&str> = runs.iter().map(|r| &*r.run.text).collect();
    for number in ["(1.1)", "(A.1)", "II-b", "(1.2)"] {
        assert!(texts.contains(&number), "{number} in {texts:?}");
    }
    assert!(
        !texts
            .iter()
            .any(|t| t.contains("\\tag") || t.contains("(1.3)")),
        "{texts:?}"
    );
    // Every number ends at the same right edge, the measure's.
    let right_edges: Vec<f32> = runs
        .iter()
        .filter(|r| ["(1.1)", "(A.1)", "(1.2)"].contains(&&*r.run.text))
        .map(|r| r.x.to_f32() + r.run.width())
        .collect();
    assert_eq!(right_edges.len(), 3, "{texts:?}");
    assert!(
        right_edges
            .iter()
            .all(|e| (e - right_edges[0]).abs() < 0.01),
        "{right_edges:?}"
    );
}

/// The diagnostics of a one-chapter book: code and line:column.
fn diagnostics_of(chapter: &str) -> Vec<(&'static str, (usize, usize))> {
    common::located_codes(&[("book.toml", TOML), ("chapters/01.md", chapter)])
}

#[test]
fn a_tag_in_an_inline_formula_is_an_error_at_its_column() {
    let found = diagnostics_of("# One\n\nText $a \\tag{1}$ more.\n");
    assert_eq!(found, vec![("E0261", (3, 9))]);
}

#[test]
fn a_tag_without_braces_or_empty_or_twice_is_an_error_at_it() {
    assert_eq!(
        diagnostics_of("# One\n\n$$ a \\tag 1 $$\n"),
        vec![("E0260", (3, 6))]
    );
    assert_eq!(
        diagnostics_of("# One\n\n$$ a \\tag{} $$\n"),
        vec![("E0262", (3, 6))]
    );
    assert_eq!(
        diagnostics_of("# One\n\n$$ a \\tag{1} \\tag{2} $$\n"),
        vec![("E0263", (3, 14))]
    );
}

#[test]
fn a_label_on_a_notag_formula_is_a_warning_at_the_label() {
    let found = diagnostics_of("# One\n\n$$ a = b \\nonumber $$ {#eq-a}\n");
    assert_eq!(found, vec![("W0386", (3, 23))]);
}

#[test]
fn notag_in_an_aligned_formula_reads_and_leaves_it_unnumbered() {
    let chapter = "# One\n\n\
$$\\begin{aligned} a &= b \\notag \\\\ c &= d \\nonumber \\end{aligned}$$ {#eq-a}\n";
    let found = diagnostics_of(chapter);
    assert_eq!(found.iter().map(|f| f.0).collect::<Vec<_>>(), vec!["W0386"]);
}

#[test]
fn a_tag_with_a_command_in_it_is_printed_as_written_with_a_warning() {
    let found = diagnostics_of("# One\n\n$$ a \\tag{\\S 2} $$\n");
    assert_eq!(found, vec![("W0385", (3, 6))]);
}
