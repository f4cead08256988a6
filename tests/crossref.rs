//! Issue 14, items 3, 4, 5 and 7: numbered figures, tables and listings, section numbers and
//! lettered appendices, cross-references in Quarto's and pandoc-crossref's syntax, table
//! captions, and the lists of figures and tables, in the EPUB and the PDF. The test book is
//! `tests/cases/crossref`; the hostile books are written here; the Quarto book `tsar` of the
//! shared corpus is measured.

mod common;

use common::quarto_chapters;

use common::book;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use common::{build_epub, keep_for_epubcheck, pdf_dir, repo, xhtml_body};
use octavo::layout::{page_text, Item, LinkDest};
use octavo::{compile, render_json, ResolveOptions};

fn case() -> PathBuf {
    repo().join("tests/cases/crossref")
}

/// Every `href` of a `crossref` span in an XHTML body, with the link's text.
fn crossref_links(body: &str) -> Vec<(String, String)> {
    let mut links = Vec::new();
    for span in body.split("<span class=\"crossref\">").skip(1) {
        let span = &span[..span.find("</span>").unwrap_or(span.len())];
        for anchor in span.split("<a href=\"").skip(1) {
            let href = &anchor[..anchor.find('"').expect("href ends")];
            let text_start = anchor.find('>').expect("tag ends") + 1;
            let text = &anchor[text_start..anchor.find("</a>").expect("link ends")];
            links.push((href.to_string(), text.to_string()));
        }
    }
    links
}

#[test]
fn the_epub_numbers_captions_and_links_references_to_their_targets() {
    let (epub, diags, _) = build_epub(&case());
    keep_for_epubcheck("crossref", &epub);
    assert_eq!(diags.items().len(), 0, "{:?}", diags.items());
    let intro = xhtml_body(&epub, "EPUB/text/01-introduction.xhtml");
    let more = xhtml_body(&epub, "EPUB/text/02-more.xhtml");
    let appendix = xhtml_body(&epub, "EPUB/text/03-appendix.xhtml");
    assert!(
        more.contains("<figure id=\"fig-chart\">")
            && more.contains("<span class=\"caption-label\">Figure 2.1:</span> Stripes of colour"),
        "{more}"
    );
    assert!(
        intro.contains("<caption><span class=\"caption-label\">Table 1.1:</span> Sums of the first items</caption>"),
        "{intro}"
    );
    assert!(
        more.contains("<span class=\"caption-label\">Table 2.1:</span> Counted before the table"),
        "the `Table:` caption before its table: {more}"
    );
    assert!(
        !intro.contains("{#tbl-sums}") && !intro.contains(": Sums"),
        "{intro}"
    );
    assert!(appendix.contains("Appendix A</span>") && appendix.contains(">A.1</span> Sources"));
    let links = crossref_links(&intro);
    let expected = [
        ("#fig-bars", "Figure 1.1"),
        ("#tbl-sums", "Table 1.1"),
        ("#fig-bars", "1.1"),
        ("#fig-bars", "Fig. 1.1"),
        ("#fig-bars", "1.1"),
        ("02-more.xhtml#fig-chart", "2.1"),
        ("#sec-methods", "Section 1.1"),
        ("03-appendix.xhtml#sec-data", "Appendix A"),
        ("#sec-aside", "Section “An aside”"),
        ("02-more.xhtml#fig-stripes", "Figure 2.2"),
        ("02-more.xhtml#tbl-before", "Table 2.1"),
        ("#lst-hello", "Listing 1.1"),
    ];
    let found: Vec<(&str, &str)> = links
        .iter()
        .map(|(h, t)| (h.as_str(), t.as_str()))
        .collect();
    assert_eq!(found, expected);
    assert!(intro.contains("two figures at once are <span class=\"crossref\">Figures <a"));
    for (file, body) in [
        ("01-introduction.xhtml", &intro),
        ("02-more.xhtml", &more),
        ("03-appendix.xhtml", &appendix),
    ] {
        for (href, _) in crossref_links(body) {
            let (target_file, id) = href.split_once('#').expect("a fragment");
            let target = if target_file.is_empty() {
                file
            } else {
                target_file
            };
            let target_body = xhtml_body(&epub, &format!("EPUB/text/{target}"));
            assert!(
                target_body.contains(&format!(" id=\"{id}\"")),
                "{file}: {href} leads nowhere"
            );
        }
    }
}

#[test]
fn the_lists_of_figures_and_tables_follow_the_contents() {
    let (epub, _, _) = build_epub(&case());
    let figures = xhtml_body(&epub, "EPUB/text/list-of-figures.xhtml");
    assert!(figures.contains("epub:type=\"loi\""), "{figures}");
    let entries: Vec<&str> = figures.matches("<li><a href=").collect();
    assert_eq!(entries.len(), 4, "{figures}");
    assert!(figures.contains(
        "<a href=\"03-appendix.xhtml#fig-appendix\"><span class=\"caption-label\">Figure A.1</span> Bars in the appendix</a>"
    ));
    let tables = xhtml_body(&epub, "EPUB/text/list-of-tables.xhtml");
    assert!(tables.contains("epub:type=\"lot\"") && tables.contains("Table 2.1"));
    let opf = common::dump_epub(&epub);
    let spine: Vec<&str> = opf.lines().filter(|l| l.starts_with("<itemref")).collect();
    let at = |id: &str| spine.iter().position(|l| l.contains(&format!("\"{id}\"")));
    assert!(at("nav") < at("loi") && at("loi") < at("lot") && at("lot") < at("c-01-introduction"));
}

/// The PDF of the test book, with its layout.
fn pdf() -> octavo::PdfOutput {
    print_pdf(&case(), "crossref")
}

/// The print PDF of the book in `dir`, which must have no errors; kept as `name`.pdf for
/// `qpdf --check`.
fn print_pdf(dir: &Path, name: &str) -> octavo::PdfOutput {
    let compiled = compile(dir, &ResolveOptions::default());
    assert!(!compiled.diags.has_errors());
    let book = compiled.book.as_ref().expect("a book");
    let output = common::print_pdf(book);
    std::fs::write(pdf_dir().join(format!("{name}.pdf")), &output.bytes).expect("keep the PDF");
    output
}

#[test]
fn the_pdf_prints_numbers_and_its_links_land_on_their_targets() {
    let output = pdf();
    let pages = &output.composition.pages;
    let texts: Vec<String> = pages.iter().map(page_text).collect();
    let page_of = |needle: &str| {
        texts
            .iter()
            .rposition(|t| t.contains(needle))
            .unwrap_or_else(|| panic!("no page holds {needle:?}"))
    };
    // Words compared across line ends: where the lines break is the line breaker's business.
    let all = texts
        .join(" ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    for words in [
        "This chapter shows Figure 1.1 and Table 1.1",
        "two figures at once are Figures 1.1 and 2.1",
        "the appendix has Figure A.1",
        "refers to Figure A.1 and to Section A.1",
    ] {
        assert!(all.contains(words), "{words:?} missing");
    }
    let targets = [
        ("fig-bars", "Figure 1.1: Two bars"),
        ("tbl-sums", "Table 1.1: Sums"),
        ("fig-chart", "Figure 2.1: Stripes"),
        ("tbl-before", "Table 2.1: Counted"),
        ("fig-appendix", "Figure A.1: Bars"),
        ("lst-hello", "Listing 1.1: Saying hello"),
        ("sec-methods", "1.1 Methods"),
        ("sec-sources", "A.1 Sources"),
    ];
    let anchors = &output.composition.anchors;
    let mut linked: BTreeMap<String, usize> = BTreeMap::new();
    for page in pages {
        for item in &page.items {
            if let Item::Link(link) = item {
                if let LinkDest::Anchor(id) = &link.target {
                    *linked.entry(id.to_string()).or_default() += 1;
                }
            }
        }
    }
    for (id, caption) in targets {
        let (page, _) = anchors.get(id).unwrap_or_else(|| panic!("no anchor {id}"));
        assert_eq!(
            *page,
            page_of(caption),
            "{id} lands on the page of {caption:?}"
        );
        assert!(linked.contains_key(id), "nothing links to {id}");
    }
    let list = page_of("List of Figures");
    assert!(
        texts[list].contains("A.1 Bars in the appendix"),
        "{}",
        texts[list]
    );
    let tables = page_of("List of Tables");
    assert!(texts[tables].contains("1.1 Sums of the first items"));
}

/// Diagnostics of the book in `dir` as JSON lines.
fn diagnostics(dir: &Path) -> String {
    let compiled = compile(dir, &ResolveOptions::default());
    render_json(&compiled.diags, compiled.sources())
}

#[test]
fn an_unknown_label_is_a_located_error_with_a_hint() {
    let (_tmp, dir) = book(&[
        ("book.toml", "title = \"Unknown\"\n"),
        (
            "chapters/one.md",
            "# One @fig-title\n\n![A map](map.png){#fig-map}\n\nSee @fig-mpa and @eq-none.\n",
        ),
    ]);
    let json = diagnostics(&dir);
    let unknown: Vec<&str> = json.lines().filter(|l| l.contains("E0150")).collect();
    assert_eq!(unknown.len(), 3, "once each, the title's too: {json}");
    assert!(unknown[0].contains("`fig-title`"), "{}", unknown[0]);
    assert!(
        unknown[1].contains("\"line\":5") && unknown[1].contains("\"column\":5"),
        "{}",
        unknown[1]
    );
    assert!(
        unknown[1].contains("did you mean `fig-map`?"),
        "{}",
        unknown[1]
    );
    assert!(unknown[2].contains("equations"), "{}", unknown[2]);
    assert!(
        !json.contains("E0102"),
        "a label is never a citation: {json}"
    );
}

#[test]
fn a_duplicate_label_is_a_located_error_naming_the_first() {
    let (_tmp, dir) = book(&[
        ("book.toml", "title = \"Twice\"\n"),
        (
            "chapters/one.md",
            "# One\n\n| a |\n|---|\n| 1 |\n\n: First {#tbl-x}\n",
        ),
        (
            "chapters/two.md",
            "# Two\n\n| b |\n|---|\n| 2 |\n\n: Second {#tbl-x}\n\nSee @tbl-x.\n",
        ),
    ]);
    let json = diagnostics(&dir);
    let twice: Vec<&str> = json.lines().filter(|l| l.contains("E0151")).collect();
    assert_eq!(twice.len(), 1, "{json}");
    assert!(
        twice[0].contains("chapters/two.md") && twice[0].contains("\"line\":7"),
        "{}",
        twice[0]
    );
    assert!(twice[0].contains("\"column\":10"), "{}", twice[0]);
    assert!(
        twice[0].contains("the first is at chapters/one.md:7:9"),
        "{}",
        twice[0]
    );
}

#[test]
fn numbering_follows_book_toml_and_the_language() {
    let (_tmp, dir) = book(&[
        (
            "book.toml",
            "title = \"Zählung\"\nlanguage = \"de\"\n[numbering]\nfigures = \"book\"\ntables = \"none\"\nfigure-caption = \"above\"\ntable-caption = \"below\"\n",
        ),
        ("images/a.png", ""),
        (
            "chapters/one.md",
            "# Eins\n\nSiehe @fig-a, @fig-b, @tbl-t und @sec-zwei.\n\n## Zwei {#sec-zwei}\n\n| a |\n|---|\n| 1 |\n\n: Werte {#tbl-t}\n",
        ),
        (
            "chapters/two.md",
            "# Zwei\n\n![Bild](../images/a.png){#fig-a}\n\n![Zweites](../images/a.png){#fig-b .unnumbered}\n",
        ),
    ]);
    std::fs::copy(case().join("images/chart.png"), dir.join("images/a.png")).expect("image");
    let (epub, diags, _) = build_epub(&dir);
    keep_for_epubcheck("crossref-numbering-de", &epub);
    assert!(diags.items().is_empty(), "{:?}", diags.items());
    let one = xhtml_body(&epub, "EPUB/text/one.xhtml");
    let two = xhtml_body(&epub, "EPUB/text/two.xhtml");
    assert!(one.contains(">Abbildung 1</a>"), "{one}");
    assert!(
        one.contains(">Abbildung „Zweites“</a>"),
        "an unnumbered figure: {one}"
    );
    assert!(
        one.contains(">Tabelle „Werte“</a>"),
        "an unnumbered table is named: {one}"
    );
    assert!(one.contains(">Abschnitt „Zwei“</a>"), "{one}");
    assert!(
        one.contains("<table id=\"tbl-t\" class=\"caption-below\">\n<caption>Werte</caption>"),
        "an unnumbered caption, set below: {one}"
    );
    let caption = two.find("<figcaption>").expect("a caption");
    assert!(
        caption < two.find("<img").expect("an image"),
        "caption above: {two}"
    );
    assert!(two.contains("Abbildung 1:</span> Bild"), "{two}");
}

/// The Quarto book tsar: its `@sec-`, `@tbl-` and `@eq-` references resolve; its `@fig-`
/// references name figures its R chunks would make, which octavo does not run: each of those
/// is a warning at the reference, never an unknown citation.
#[test]
fn tsar_resolves_its_section_and_table_references_and_reports_the_rest() {
    let from = repo().join("../shared/corpus/technical/tsar/source");
    let config = std::fs::read_to_string(from.join("_quarto.yml")).expect("_quarto.yml");
    let tmp = tempfile::tempdir().expect("temp dir");
    common::copy_tree(&from, tmp.path());
    let chapters: Vec<String> = quarto_chapters(&config)
        .iter()
        .map(|f| format!("{f:?}"))
        .collect();
    let toml = format!(
        "title = \"tsar\"\nbibliography = \"references.bib\"\nchapters = [{}]\n",
        chapters.join(", ")
    );
    std::fs::write(tmp.path().join("book.toml"), toml).expect("book.toml");
    let compiled = compile(tmp.path(), &ResolveOptions::default());
    let book = compiled.book.as_ref().expect("the book loads");
    let options = octavo::epub_options(&compiled).expect("EPUB options");
    let epub = octavo::write_epub(book, &options).expect("EPUB written");
    keep_for_epubcheck("crossref-tsar", &epub);
    let mut counts: BTreeMap<(String, bool), usize> = BTreeMap::new();
    for chapter in &book.chapters {
        let body = xhtml_body(
            &epub,
            &format!("EPUB/text/{}", octavo::chapter_file(chapter)),
        );
        for span in body.split("<span class=\"crossref\">").skip(1) {
            let span = &span[..span.find("</span>").unwrap_or(span.len())];
            for (href, _) in crossref_links(&format!("<span class=\"crossref\">{span}</span>")) {
                let id = href.rsplit('#').next().unwrap_or("");
                let prefix = id.split(['-', ':']).next().unwrap_or("").to_string();
                *counts.entry((prefix, true)).or_default() += 1;
            }
            for written in span.split('@').skip(1) {
                let prefix = written.split(['-', ':']).next().unwrap_or("").to_string();
                *counts.entry((prefix, false)).or_default() += 1;
            }
        }
    }
    let json = render_json(&compiled.diags, compiled.sources());
    let warned = json.lines().filter(|l| l.contains("W0251")).count();
    let unresolved: usize = counts.iter().filter(|((_, r), _)| !r).map(|(_, n)| n).sum();
    eprintln!("tsar references (prefix, resolved) -> count: {counts:?}; warnings: {warned}");
    assert!(!json.contains("E0150"), "no unknown labels");
    assert!(
        !json.lines().any(|l| l.contains("E0102")
            && (l.contains("`fig-")
                || l.contains("`eq-")
                || l.contains("`sec-")
                || l.contains("`tbl-"))),
        "labels are never citation keys"
    );
    assert_eq!(
        counts.get(&("sec".to_string(), false)),
        None,
        "every @sec- resolves"
    );
    assert_eq!(
        counts.get(&("tbl".to_string(), false)),
        None,
        "every @tbl- resolves"
    );
    assert!(counts.get(&("tbl".to_string(), true)).copied().unwrap_or(0) >= 5);
    assert!(counts.get(&("sec".to_string(), true)).copied().unwrap_or(0) >= 35);
    assert_eq!(
        warned, unresolved,
        "each unresolved reference is reported once"
    );
}

/// With `[numbering] page-references = true`, a reference in the PDF names the page of its
/// target, and the page is the one the target is on; the EPUB has no pages and says nothing.
#[test]
fn page_references_name_the_page_of_the_target() {
    let tmp = tempfile::tempdir().expect("temp dir");
    common::copy_tree(&case(), tmp.path());
    let toml = std::fs::read_to_string(case().join("book.toml")).expect("book.toml");
    let toml = toml.replace("sections = true", "sections = true\npage-references = true");
    std::fs::write(tmp.path().join("book.toml"), toml).expect("book.toml");
    let output = print_pdf(tmp.path(), "crossref-page-references");
    let composition = &output.composition;
    let all: String = composition
        .pages
        .iter()
        .map(page_text)
        .collect::<Vec<_>>()
        .join("\n");
    let all = all.split_whitespace().collect::<Vec<_>>().join(" ");
    for (id, reference) in [
        ("fig-appendix", "the appendix has Figure A.1 on page"),
        ("sec-methods", "The methods are in Section 1.1 on page"),
        ("tbl-before", "Table 2.1 on page"),
    ] {
        let (page, _) = composition.anchors[id];
        let label = composition.pages[page]
            .label
            .clone()
            .expect("a numbered page");
        assert!(
            all.contains(&format!("{reference} {label}")),
            "{reference} {label} missing from: {all}"
        );
    }
    assert!(
        all.contains("The number alone is 1.1;"),
        "no page for a number alone"
    );
    let (epub, _, _) = build_epub(tmp.path());
    assert!(!xhtml_body(&epub, "EPUB/text/01-introduction.xhtml").contains("on page"));
}

/// Thousands of labels, references and unknown labels: resolved in time linear in the book
/// (the "did you mean" hints are capped), and nothing panics on braces and colons.
#[test]
fn many_labels_and_hostile_attribute_blocks_stay_fast() {
    let mut chapter = String::from("# Many\n\n");
    for n in 0..3000 {
        chapter.push_str(&format!(
            "| a |\n|---|\n| {n} |\n\n: Table {n} {{#tbl-t{n}}}\n\nSee @tbl-t{n} and @tbl-missing{n}.\n\n"
        ));
    }
    chapter.push_str(&format!("## Braces {}}}\n\n", "{".repeat(50_000)));
    chapter.push_str(&format!("::: {{#fig-open\n\n: {}\n\n", "{#".repeat(20_000)));
    let (_tmp, dir) = book(&[
        ("book.toml", "title = \"Many\"\n"),
        ("chapters/one.md", &chapter),
    ]);
    let started = std::time::Instant::now();
    let compiled = compile(&dir, &ResolveOptions::default());
    let elapsed = started.elapsed();
    let unknown = compiled
        .diags
        .items()
        .iter()
        .filter(|d| d.code == "E0150")
        .count();
    assert_eq!(unknown, 3000);
    assert!(elapsed < std::time::Duration::from_secs(60), "{elapsed:?}");
}
