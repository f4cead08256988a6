//! Golden structure tests: each book's EPUB, dumped as text, must match tests/golden/.
//! Bless intended changes with `UPDATE_GOLDEN=1 cargo test` (refused when CI is set).

mod common;

use common::{assert_golden, build_epub, dump_epub, keep_for_epubcheck, repo};

/// The EPUB's structure followed by the diagnostics the build gave, as JSON lines.
fn golden_case(name: &str, dir: &std::path::Path) {
    let (bytes, diags, sources) = build_epub(dir);
    keep_for_epubcheck(name, &bytes);
    let mut dump = dump_epub(&bytes);
    dump.push_str("\n== diagnostics\n");
    dump.push_str(&octavo::render_json(&diags, &sources));
    assert_golden(name, &dump);
}

#[test]
fn case_minimal() {
    golden_case("case-minimal", &repo().join("tests/cases/minimal"));
}

#[test]
fn case_features() {
    golden_case("case-features", &repo().join("tests/cases/features"));
}

#[test]
fn case_no_front_matter() {
    golden_case(
        "case-no-front-matter",
        &repo().join("tests/cases/no-front-matter"),
    );
}

#[test]
fn sample_book() {
    golden_case("sample-book", &repo().join("manuscript"));
}

#[test]
fn builds_are_byte_identical() {
    let dir = repo().join("tests/cases/features");
    let (first, ..) = build_epub(&dir);
    let (second, ..) = build_epub(&dir);
    assert!(first == second, "two builds of the same book differ");
}

#[test]
fn pdf_sample_book() {
    let (bytes, dump) = common::build_pdf("sample-book", &repo().join("manuscript"), "print");
    // PDF 1.5 at least: marked content with /ActualText (Khmer) and the compressed
    // cross-reference stream need it.
    let version = std::str::from_utf8(&bytes[5..8]).expect("a version");
    assert!(bytes.starts_with(b"%PDF-") && version >= "1.5", "{version}");
    assert_golden("pdf-sample-book", &dump);
}

#[test]
fn pdf_case_features_a4() {
    let (_, dump) = common::build_pdf(
        "case-features-a4",
        &repo().join("tests/cases/features"),
        "a4",
    );
    assert_golden("pdf-case-features-a4", &dump);
}

/// The code test book in print: every line of every listing, so a change in where long
/// lines of code break (or in their continuation marks and line numbers) shows in the diff.
#[test]
fn pdf_case_code_print() {
    let (_, dump) = common::build_pdf("case-code-print", &repo().join("tests/cases/code"), "print");
    assert_golden("pdf-case-code-print", &dump);
}

#[test]
fn pdf_builds_are_byte_identical() {
    let dir = repo().join("tests/cases/features");
    let (first, _) = common::build_pdf("repro-1", &dir, "print");
    let (second, _) = common::build_pdf("repro-2", &dir, "print");
    assert!(first == second, "two PDF builds of the same book differ");
}

/// Rendered citations and reference lists per style on tricky entries: two works by one
/// author in one year, a corporate author, four authors (et al.), protected capitals, a
/// citation in a footnote (a note inside a note for note styles).
#[test]
fn citations_per_style() {
    let dir = repo().join("tests/cases/citations");
    for style in ["chicago-author-date", "apa", "mla", "ieee", "chicago-notes"] {
        let options = octavo::ResolveOptions {
            csl: Some(style.to_string()),
            ..Default::default()
        };
        let (bytes, diags, sources) = common::build_epub_with(&dir, &options);
        keep_for_epubcheck(&format!("citations-{style}"), &bytes);
        let mut dump = common::xhtml_body(&bytes, "EPUB/text/01-cases.xhtml");
        dump.push_str("\n\n");
        dump.push_str(&common::xhtml_body(&bytes, "EPUB/text/references.xhtml"));
        dump.push_str("\n\n== diagnostics\n");
        dump.push_str(&octavo::render_json(&diags, &sources));
        assert_golden(&format!("citations-{style}"), &dump);
    }
}

/// A handout of chapter 3 lists in its references only the works chapter 3 cites.
#[test]
fn a_handout_lists_only_the_references_its_chapters_cite() {
    let dir = repo().join("manuscript");
    let compiled = octavo::compile(&dir, &octavo::ResolveOptions::default());
    assert!(compiled.book.is_some(), "the sample book loads");
    let options = octavo::BuildOptions {
        dir: dir.clone(),
        out: None,
        format: octavo::Format::Pdf,
        profile: Some("a4".into()),
        chapters: Some(3..=3),
        readable_pdf: false,
        deny_warnings: false,
        resolve: octavo::ResolveOptions::default(),
    };
    let handout = octavo::build_pdf(&compiled, &options).expect("handout");
    let listed: Vec<&str> = handout
        .composition
        .anchors
        .keys()
        .filter_map(|id| id.strip_prefix("ref-"))
        .collect();
    assert_eq!(
        listed,
        vec![
            "becker1998",
            "chandler1999brother",
            "kiernan1996",
            "short2005"
        ]
    );
    let whole = octavo::build_pdf(
        &compiled,
        &octavo::BuildOptions {
            chapters: None,
            ..options
        },
    )
    .expect("whole book");
    let all = whole
        .composition
        .anchors
        .keys()
        .filter(|id| id.starts_with("ref-"))
        .count();
    assert_eq!(all, 15, "the whole book lists every cited work");
}
