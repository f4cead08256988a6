//! Issue 16: LaTeX formulas typeset in the PDF and written as MathML in the EPUB. A book with
//! every construct of the LaTeX subset, numbered equations and references, a formula in a
//! footnote and in a table cell: EPUBCheck-clean MathML with the source as `alttext`, a PDF
//! whose text holds no `$` and no backslash command; an unknown command is one error at its
//! column.

mod common;

use common::{book, build_epub, build_pdf, keep_for_epubcheck, words::pdftotext, xhtml_body};
use octavo::{compile, ResolveOptions};

/// The formula test book (also a reference render): its book.toml and its chapter.
const TOML: &str = include_str!("cases/math/book.toml");

/// Every construct of the issue's item 2, inline and display.
const CHAPTER: &str = include_str!("cases/math/chapters/01.md");

fn formula_book() -> (tempfile::TempDir, std::path::PathBuf) {
    book(&[("book.toml", TOML), ("chapters/01.md", CHAPTER)])
}

#[test]
fn the_epub_holds_mathml_with_the_source_as_alttext() {
    let (_tmp, dir) = formula_book();
    let (bytes, diags, _) = build_epub(&dir);
    keep_for_epubcheck("math", &bytes);
    let warnings: Vec<_> = diags
        .items()
        .iter()
        .map(|d| (d.code, d.message.clone()))
        .collect();
    assert!(warnings.is_empty(), "{warnings:?}");
    let body = xhtml_body(&bytes, "EPUB/text/01.xhtml");
    assert!(
        body.contains(r#"<math alttext="f&apos;(x) = a_1 x + b_{ij}""#),
        "{body}"
    );
    assert!(
        body.contains(r#"alttext="\alpha + \beta""#),
        "\\( \\) is a formula: {body}"
    );
    assert!(body.contains(r#"display="block""#));
    assert!(
        body.contains("(1.1)") && body.contains("(1.2)"),
        "equation numbers"
    );
    assert!(
        body.contains("Equation 1.1") && body.contains("Equation 1.2"),
        "references"
    );
    assert!(
        !body.contains("<em>"),
        "no emphasis from `_` inside formulas: {body}"
    );
    assert!(!body.contains('’'), "no smart quotes inside formulas");
    let opf = xhtml_body(&bytes, "EPUB/package.opf");
    assert!(opf.contains(r#"properties="mathml""#), "{opf}");
}

#[test]
fn the_pdf_typesets_every_formula() {
    let (_tmp, dir) = formula_book();
    let (bytes, dump) = build_pdf("math", &dir, "print");
    assert!(!bytes.is_empty());
    let path = common::pdf_dir().join("math.pdf");
    let text = pdftotext(&path).expect("pdftotext");
    assert!(!text.contains('$'), "{text}");
    let command = regex_free_command(&text);
    assert!(
        command.is_none(),
        "a LaTeX command in the PDF's text: {command:?}\n{text}"
    );
    assert!(
        text.contains("(1.1)") && text.contains("Equation 1.1"),
        "{text}"
    );
    assert!(
        text.contains('𝑥') && text.contains('∑'),
        "formulas copy as their characters"
    );
    assert!(
        dump.contains("TeXGyrePagellaMath"),
        "set in the math face:\n{dump}"
    );
}

/// The first `\name` in `text`, if any.
fn regex_free_command(text: &str) -> Option<String> {
    let at = text.find('\\')?;
    Some(text[at..].chars().take(20).collect())
}

#[test]
fn an_unknown_command_is_one_error_at_its_column() {
    let chapter = "# One\n\nText $a + \\foo{b}$ and more.\n";
    let (_tmp, dir) = book(&[("book.toml", TOML), ("chapters/01.md", chapter)]);
    let compiled = compile(&dir, &ResolveOptions::default());
    let errors: Vec<_> = compiled
        .diags
        .items()
        .iter()
        .filter(|d| d.code.starts_with('E'))
        .collect();
    assert_eq!(errors.len(), 1, "{errors:?}");
    let error = errors[0];
    assert_eq!(error.code, "E0180");
    assert!(error.message.contains("\\foo"), "{}", error.message);
    let span = error.span.as_ref().expect("located");
    let (line, column) = compiled.sources().line_col(span.file, span.range.start);
    assert_eq!((line, column), (3, 11));
}

#[test]
fn a_reference_to_an_equation_links_to_it() {
    let (_tmp, dir) = formula_book();
    let (bytes, _, _) = build_epub(&dir);
    let body = xhtml_body(&bytes, "EPUB/text/01.xhtml");
    assert!(body.contains(r#"id="eq-quadratic""#), "{body}");
    assert!(body.contains("#eq-quadratic"), "{body}");
}

/// The PDF of the book in `dir`, all chapters or the `chapters` given (a handout).
fn pdf_of(dir: &std::path::Path, chapters: Option<Vec<usize>>) -> octavo::PdfOutput {
    let compiled = compile(dir, &ResolveOptions::default());
    assert!(!compiled.diags.has_errors(), "{:?}", compiled.diags.items());
    let options = octavo::PdfOptions {
        profile: octavo::Profile::builtin("print"),
        chapters,
        readable: false,
        fonts: None,
    };
    octavo::write_pdf(compiled.book.as_ref().expect("a book"), &options).expect("PDF written")
}

#[test]
fn a_handout_keeps_the_books_equation_numbers() {
    let one = "# One\n\n$$ a = b $$ {#eq-a}\n";
    let two = "# Two\n\nAs @eq-a says:\n\n$$ c = d $$ {#eq-c}\n\nand @eq-c.\n";
    let (_tmp, dir) = book(&[
        ("book.toml", TOML),
        ("chapters/01.md", one),
        ("chapters/02.md", two),
    ]);
    let output = pdf_of(&dir, Some(vec![1]));
    let path = common::pdf_dir().join("math-handout.pdf");
    std::fs::write(&path, &output.bytes).expect("keep PDF");
    let text = pdftotext(&path).expect("pdftotext");
    assert!(text.contains("(2.1)"), "{text}");
    assert!(
        text.contains("Equation 1.1") && text.contains("Equation 2.1"),
        "{text}"
    );
}

#[test]
fn a_display_formula_too_wide_is_scaled_to_the_measure_with_a_warning() {
    let wide = (1..=40)
        .map(|n| format!("x_{{{n}}}"))
        .collect::<Vec<_>>()
        .join(" + ");
    let chapter = format!("# One\n\n$$ {wide} $$\n");
    let (_tmp, dir) = book(&[("book.toml", TOML), ("chapters/01.md", &chapter)]);
    let output = pdf_of(&dir, None);
    let warnings = &output.composition.warnings;
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert_eq!(warnings[0].code, "W0290");
    let measure = octavo::Profile::builtin("print").text_width().get();
    let (left, right) = ink_extent(&output);
    assert!(
        right - left <= measure + 0.5,
        "{left}..{right} is wider than {measure}"
    );
}

/// The leftmost start and rightmost end of the glyph runs on the chapter's opening page.
fn ink_extent(output: &octavo::PdfOutput) -> (f64, f64) {
    let pages = &output.composition.pages;
    let page = pages
        .iter()
        .find(|p| p.kind == octavo::layout::PageKind::Opening);
    let runs = page
        .expect("a chapter page")
        .items
        .iter()
        .filter_map(|item| match item {
            octavo::layout::Item::Glyphs(run) => Some((run.x.get(), (run.x + run.width()).get())),
            _ => None,
        });
    runs.fold((f64::INFINITY, 0.0), |(l, r), (x, end)| {
        (l.min(x), r.max(end))
    })
}

#[test]
fn a_tall_inline_formula_opens_its_line_and_a_short_one_does_not() {
    let tall =
        "# One\n\nText $\\displaystyle\\sum_{i=1}^{n} \\frac{a_i}{b_i}$ in a line.\n\nNext.\n";
    let short = "# One\n\nText $x^2$ in a line.\n\nNext.\n";
    let gap = |chapter: &str| {
        let (_tmp, dir) = book(&[("book.toml", TOML), ("chapters/01.md", chapter)]);
        let output = pdf_of(&dir, None);
        let page = output
            .composition
            .pages
            .iter()
            .find(|p| p.kind == octavo::layout::PageKind::Opening);
        let baseline_of = |word: &str| {
            page.expect("a chapter page")
                .items
                .iter()
                .find_map(|item| match item {
                    octavo::layout::Item::Glyphs(run) if &*run.run.text == word => {
                        Some(run.y.get())
                    }
                    _ => None,
                })
        };
        baseline_of("Next.").expect("Next.") - baseline_of("Text").expect("Text")
    };
    assert!(
        gap(tall) > gap(short) + 2.0,
        "{} vs {}",
        gap(tall),
        gap(short)
    );
}

#[test]
fn a_formula_nested_twenty_thousand_deep_is_an_error_not_a_crash() {
    let chapter = format!(
        "# H\n\n${}x$ and ${}x{}$\n",
        "\\sqrt".repeat(20_000),
        "{".repeat(20_000),
        "}".repeat(20_000)
    );
    let (_tmp, dir) = book(&[("book.toml", TOML), ("chapters/01.md", &chapter)]);
    let compiled = compile(&dir, &ResolveOptions::default());
    let codes: Vec<&str> = compiled.diags.items().iter().map(|d| d.code).collect();
    assert_eq!(codes, ["E0181", "E0181"]);
}

/// The only error of a one-chapter book, and its line and column.
fn the_one_error(toml: &str, chapter: &str) -> (octavo::Diagnostic, (usize, usize)) {
    let (_tmp, dir) = book(&[("book.toml", toml), ("chapters/01.md", chapter)]);
    let compiled = compile(&dir, &ResolveOptions::default());
    let errors: Vec<_> = compiled
        .diags
        .items()
        .iter()
        .filter(|d| d.code.starts_with('E'))
        .collect();
    assert_eq!(errors.len(), 1, "{errors:?}");
    let span = errors[0].span.as_ref().expect("located");
    let at = compiled.sources().line_col(span.file, span.range.start);
    (errors[0].clone(), at)
}

#[test]
fn a_macro_that_does_not_read_is_an_error_in_book_toml() {
    let toml = "title = \"M\"\n\n[math]\nmacros = { ok = 'x', bad = '\\frac{' }\n";
    let (error, at) = the_one_error(toml, "# One\n\n$\\ok$\n");
    assert_eq!(error.code, "E0182");
    assert!(error.message.contains("`bad`"), "{}", error.message);
    assert_eq!(at.0, 4);
}

/// The formula book with `[epub] math = "svg"`.
fn svg_formula_book() -> (tempfile::TempDir, std::path::PathBuf) {
    let toml = format!("{TOML}\n[epub]\nmath = \"svg\"\n");
    book(&[("book.toml", &toml), ("chapters/01.md", CHAPTER)])
}

/// Every `<img class="math-…">` of a page: its `src` and `alt`.
fn math_images(body: &str) -> Vec<(String, String)> {
    let attribute = |img: &str, name: &str| {
        let start = img.find(&format!(" {name}=\""))? + name.len() + 3;
        let end = img[start..].find('"')? + start;
        Some(img[start..end].to_string())
    };
    body.split("<img class=\"math-")
        .skip(1)
        .filter_map(|img| Some((attribute(img, "src")?, attribute(img, "alt")?)))
        .collect()
}

#[test]
fn an_svg_epub_draws_each_formula_as_an_image_with_its_source_as_alt_text() {
    let (_tmp, dir) = svg_formula_book();
    let (bytes, diags, _) = build_epub(&dir);
    keep_for_epubcheck("math-svg", &bytes);
    assert!(diags.items().is_empty(), "{:?}", diags.items());
    let body = xhtml_body(&bytes, "EPUB/text/01.xhtml");
    assert!(!body.contains("<math"), "no MathML: {body}");
    let images = math_images(&body);
    let (mathml, _, _) = build_epub(&formula_book().1);
    let formulas = xhtml_body(&mathml, "EPUB/text/01.xhtml")
        .matches("<math ")
        .count();
    assert_eq!(images.len(), formulas, "one image per formula: {body}");
    assert!(
        images
            .iter()
            .any(|(_, alt)| alt == r"f&apos;(x) = a_1 x + b_{ij}"),
        "{images:?}"
    );
    assert!(body.contains(r#"role="math""#), "{body}");
    assert!(
        body.contains("vertical-align:-"),
        "inline formulas sit on the baseline"
    );
    let opf = xhtml_body(&bytes, "EPUB/package.opf");
    assert!(!opf.contains(r#"properties="mathml""#), "{opf}");
    for (src, _) in &images {
        let href = src.trim_start_matches("../");
        assert!(
            opf.contains(&format!(r#"href="{href}" media-type="image/svg+xml""#)),
            "{href} in the manifest: {opf}"
        );
        let svg = xhtml_body(&bytes, &format!("EPUB/{href}"));
        assert!(
            svg.starts_with("<svg") && svg.contains("<path d=\"M"),
            "{svg}"
        );
    }
}

#[test]
fn an_unknown_epub_math_setting_is_an_error_in_book_toml() {
    let toml = "title = \"M\"\n\n[epub]\nmath = \"png\"\n";
    let (error, at) = the_one_error(toml, "# One\n\n$x$\n");
    assert!(error.message.contains("`png`"), "{}", error.message);
    assert!(error.hint.as_deref().unwrap_or("").contains("svg"));
    assert_eq!(at, (4, 8));
}

#[test]
fn a_heading_with_a_formula_reads_as_text_in_the_nav_and_the_outline() {
    let chapter = "# The $x^2$ case\n\nText.\n\n## Roots of $\\sqrt{a_i}$\n\nMore.\n";
    let (_tmp, dir) = book(&[("book.toml", TOML), ("chapters/01.md", chapter)]);
    let (bytes, _, _) = build_epub(&dir);
    let nav = xhtml_body(&bytes, "EPUB/nav.xhtml");
    assert!(nav.contains("The x² case"), "{nav}");
    assert!(nav.contains("Roots of √aᵢ"), "{nav}");
    assert!(!nav.contains("x^2"), "{nav}");
    let (_, dump) = build_pdf("math-heading", &dir, "print");
    let outline = &dump[dump.find("== outline").expect("an outline")..];
    assert!(
        outline.contains("The x² case") && outline.contains("Roots of √aᵢ"),
        "{outline}"
    );
}
