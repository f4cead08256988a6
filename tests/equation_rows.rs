//! Issue 16, equations as LaTeX numbers them: `\label{x}` inside a display formula names and
//! numbers it; an `align` or `gather` whose rows carry `\label` or `\tag` is numbered row by
//! row (every row but a `\notag` one, as LaTeX does), each number on its row's baseline at
//! the right margin in the PDF and in a last column of the MathML table in the EPUB (drawn
//! into the image when formulas are SVG); `\eqref{x}`, `\ref{x}` and `\cref{x}` print the
//! number in the text and in formulas.

mod common;

use common::{book, build_epub, keep_for_epubcheck, xhtml_body};
use octavo::{compile, ResolveOptions};

const TOML: &str = include_str!("cases/equations/book.toml");

/// The equations test book: a counted formula (1.1), an align whose rows are labelled (1.2,
/// none, 1.3), a formula named by `\label` (1.4), a gather with a tag and an unlabelled row
/// (G, 1.5), and references to them in the text and in a formula.
const CHAPTER: &str = include_str!("cases/equations/chapters/01.md");

fn rows_book(toml: &str) -> (tempfile::TempDir, std::path::PathBuf) {
    book(&[("book.toml", toml), ("chapters/01.md", CHAPTER)])
}

/// The numbers of the MathML tables' number cells, in order (an empty cell as "").
fn number_cells(body: &str) -> Vec<String> {
    let open = "<mtd class=\"equation-number\">";
    body.match_indices(open)
        .map(|(at, _)| {
            let rest = &body[at + open.len()..];
            let cell = &rest[..rest.find("</mtd>").unwrap_or(0)];
            cell.trim_start_matches("<mtext>")
                .trim_end_matches("</mtext>")
                .to_string()
        })
        .collect()
}

#[test]
fn rows_are_numbered_in_a_last_column_of_the_epubs_mathml() {
    let (_tmp, dir) = rows_book(TOML);
    let (bytes, diags, _) = build_epub(&dir);
    keep_for_epubcheck("equation-rows", &bytes);
    assert!(diags.items().is_empty(), "{:?}", diags.items());
    let body = xhtml_body(&bytes, "EPUB/text/01.xhtml");
    assert_eq!(
        number_cells(&body),
        ["(1.2)", "", "(1.3)", "(G)", "(1.5)"],
        "{body}"
    );
    for id in ["eq-f", "eq-h", "equation-G", "equation-1-5"] {
        assert!(body.contains(&format!("<mtr id=\"{id}\"")), "{id}: {body}");
    }
    assert!(
        body.contains("<span class=\"display-math\" id=\"einstein\">"),
        "{body}"
    );
    assert!(body.contains("<span class=\"equation-number\">(1.4)</span>"));
    assert!(
        !body.contains("\\label") && !body.contains("\\eqref"),
        "{body}"
    );
}

#[test]
fn references_print_the_numbers_in_the_text_and_in_formulas() {
    let (_tmp, dir) = rows_book(TOML);
    let (bytes, _, _) = build_epub(&dir);
    let body = xhtml_body(&bytes, "EPUB/text/01.xhtml");
    assert!(
        body.contains("By <span class=\"crossref\">(<a href=\"#eq-f\">1.2</a>)</span> and <span class=\"crossref\"><a href=\"#eq-h\">1.3</a></span>, with <span class=\"crossref\"><a href=\"#einstein\">Equation 1.4</a></span>"),
        "{body}"
    );
    assert!(
        body.contains("<mi>y</mi><mo>=</mo><mtext>(1.2)</mtext>"),
        "{body}"
    );
    assert!(
        body.contains("form, <span class=\"crossref\"><a href=\"#eq-f\">Equation 1.2</a></span> and <span class=\"crossref\"><a href=\"#eq-h\">1.3</a></span>"),
        "{body}"
    );
}

#[test]
fn each_rows_number_is_on_its_rows_baseline_at_the_right_margin_in_the_pdf() {
    let (_tmp, dir) = rows_book(TOML);
    let compiled = compile(&dir, &ResolveOptions::default());
    assert!(!compiled.diags.has_errors(), "{:?}", compiled.diags.items());
    let output = common::print_pdf(compiled.book.as_ref().expect("a book"));
    let runs = common::glyph_runs(&output);
    let find = |text: &str| {
        runs.iter()
            .find(|r| &*r.run.text == text)
            .unwrap_or_else(|| panic!("{text} not printed"))
    };
    let numbers = ["(1.1)", "(1.2)", "(1.3)", "(1.4)", "(G)", "(1.5)"];
    let right_edge = |t: &str| find(t).x.to_f32() + find(t).run.width();
    for number in numbers {
        assert!(
            (right_edge(number) - right_edge("(1.1)")).abs() < 0.01,
            "{number} ends at the margin"
        );
    }
    // (1.2) is on the baseline of `f(x)`, (1.3) on that of `h(x)`'s fraction line, lower.
    let baseline_of = |glyph_text: &str| {
        runs.iter()
            .find(|r| &*r.run.text == glyph_text)
            .map(|r| r.y.to_f32())
            .unwrap_or_else(|| panic!("{glyph_text} not drawn"))
    };
    assert!((find("(1.2)").y.to_f32() - baseline_of("𝑓")).abs() < 0.01);
    assert!((find("(1.3)").y.to_f32() - baseline_of("ℎ")).abs() < 0.01);
    assert!(find("(1.5)").y > find("(G)").y);
    // The unnumbered row and the references in the text print no number of their own.
    let texts: Vec<&str> = runs.iter().map(|r| &*r.run.text).collect();
    assert!(!texts.contains(&"(1.6)"), "{texts:?}");
}

#[test]
fn svg_formulas_draw_the_row_numbers_and_keep_the_anchors() {
    let toml = format!("{TOML}[epub]\nmath = \"svg\"\n");
    let (_tmp, dir) = rows_book(&toml);
    let (bytes, diags, _) = build_epub(&dir);
    keep_for_epubcheck("equation-rows-svg", &bytes);
    assert!(diags.items().is_empty(), "{:?}", diags.items());
    let body = xhtml_body(&bytes, "EPUB/text/01.xhtml");
    assert!(
        body.contains(
            "<span class=\"display-math numbered-rows\"><span id=\"eq-f\"></span><span id=\"eq-h\"></span><img"
        ),
        "{body}"
    );
    // The align's image is wider than the same formula drawn without its numbers, by the
    // gap and the numbers.
    let formulas = &CHAPTER[..CHAPTER.find("By ").expect("the references")];
    let unlabelled = formulas
        .replace(r"\label{eq:f}", "")
        .replace(r"\label{eq:h}", "");
    let (_tmp2, plain_dir) = book(&[("book.toml", &toml), ("chapters/01.md", &unlabelled)]);
    let (plain, _, _) = build_epub(&plain_dir);
    let numbered = first_image_width(&bytes, "numbered-rows\">");
    let unnumbered = first_image_width(&plain, "Then an align");
    assert!(
        numbered > unnumbered + 3.0,
        "{numbered} against {unnumbered}"
    );
}

/// The width (ems) of the first formula image after `marker` in the chapter.
fn first_image_width(epub: &[u8], marker: &str) -> f32 {
    let body = xhtml_body(epub, "EPUB/text/01.xhtml");
    let after = &body[body.find(marker).expect("the marker")..];
    let style = &after[after.find("style=\"width:").expect("an image") + "style=\"width:".len()..];
    style[..style.find("em").expect("ems")]
        .parse()
        .expect("a width")
}

/// The diagnostics of a one-chapter book: code and line:column.
fn diagnostics_of(chapter: &str) -> Vec<(&'static str, (usize, usize))> {
    common::located_codes(&[("book.toml", TOML), ("chapters/01.md", chapter)])
}

#[test]
fn a_label_in_an_inline_formula_is_an_error_at_its_column() {
    assert_eq!(
        diagnostics_of("# One\n\nText $a \\label{x}$ more.\n"),
        [("E0261", (3, 9))]
    );
}

#[test]
fn a_formula_labelled_twice_is_an_error() {
    assert_eq!(
        diagnostics_of("# One\n\n$$ a \\label{x} $$ {#eq-a}\n"),
        [("E0264", (3, 19))]
    );
    assert_eq!(
        diagnostics_of("# One\n\n$$ a \\label{x} \\label{y} $$\n"),
        [("E0263", (3, 16))]
    );
    assert_eq!(
        diagnostics_of("# One\n\n$$ a \\label{x} $$\n\n$$ b \\label{x} $$\n"),
        [("E0151", (5, 6))]
    );
}

#[test]
fn a_reference_nothing_numbers_is_an_error_in_a_formula_and_printed_in_the_text() {
    assert_eq!(
        diagnostics_of("# One\n\n$$ a = \\eqref{nope} $$\n"),
        [("E0150", (3, 8))]
    );
    assert_eq!(
        diagnostics_of("# One\n\nSee \\ref{fig:only-in-latex}.\n"),
        [("W0306", (3, 5))]
    );
}

#[test]
fn an_align_without_labels_or_tags_stays_unnumbered() {
    let chapter = "# One\n\n$$\\begin{align} a &= b \\\\ c &= d \\end{align}$$\n";
    let (_tmp, dir) = book(&[("book.toml", TOML), ("chapters/01.md", chapter)]);
    let (bytes, diags, _) = build_epub(&dir);
    assert!(diags.items().is_empty(), "{:?}", diags.items());
    let body = xhtml_body(&bytes, "EPUB/text/01.xhtml");
    assert!(!body.contains("equation-number"), "{body}");
}
