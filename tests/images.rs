//! Issue 14's test book, `tests/cases/images`: every image reaches the PDF, in every format
//! the EPUB takes (SVG as vectors with its text in the book's faces, PNG, JPEG, GIF's first
//! frame, WebP), at the size its attributes ask for or at its natural size, in the line when
//! it is not alone in its paragraph; a raster printed below 150 ppi is a located warning; the
//! EPUB carries the sizes as CSS. Its third chapter numbers tables beside the figures and
//! refers to them in every form (Quarto's, pandoc-crossref's, number alone, the author's own
//! prefix, sections): each reference reads right and its link lands on its target's page, in
//! both outputs, and nothing on a page, the seven-column table included, leaves the text block.

mod common;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::Command;

use common::{build_epub, keep_for_epubcheck, pdf_dir, repo, xhtml_body};
use lopdf::{Document, Object};
use octavo::layout::{page_text, Item, Page};
use octavo::{compile, ResolveOptions};

fn case() -> PathBuf {
    repo().join("tests/cases/images")
}

/// The test book's PDF in the print profile, kept for qpdf, with its layout and warnings.
fn pdf() -> (octavo::PdfOutput, octavo::Compiled) {
    let compiled = compile(&case(), &ResolveOptions::default());
    assert!(
        !compiled.diags.has_errors(),
        "{}",
        octavo::render_json(&compiled.diags, compiled.sources())
    );
    let book = compiled.book.as_ref().expect("a book");
    let output = common::print_pdf(book);
    std::fs::write(pdf_dir().join("images.pdf"), &output.bytes).expect("keep the PDF");
    (output, compiled)
}

/// The file name of each of the book's images, by index.
fn image_names(compiled: &octavo::Compiled) -> Vec<String> {
    let book = compiled.book.as_ref().expect("a book");
    book.images
        .iter()
        .map(|asset| {
            asset
                .path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default()
        })
        .collect()
}

/// Every image the layout sets: (file name, width, height, page index), in page order.
fn set_images(pages: &[Page], names: &[String]) -> Vec<(String, f64, f64, usize)> {
    let mut found = Vec::new();
    for (index, page) in pages.iter().enumerate() {
        for item in &page.items {
            if let Item::Image(image) = item {
                let name = names.get(image.image).cloned().unwrap_or_default();
                found.push((name, image.width.get(), image.height.get(), index));
            }
        }
    }
    found
}

/// The image and form XObjects each page's resources name (the SVGs' drawings are drawn
/// into the page itself or into forms; rasters are image XObjects, also inside forms).
fn xobjects_per_page(bytes: &[u8]) -> Vec<(usize, usize)> {
    let doc = Document::load_mem(bytes).expect("the PDF parses");
    doc.get_pages()
        .values()
        .map(|&page_id| {
            let mut counts = (0, 0);
            let page = doc.get_dictionary(page_id).expect("a page");
            if let Ok(resources) = page.get(b"Resources") {
                count_xobjects(&doc, resources, &mut counts, 0);
            }
            counts
        })
        .collect()
}

/// Adds the image and form XObjects under `resources` (and under the forms' own resources).
fn count_xobjects(doc: &Document, resources: &Object, counts: &mut (usize, usize), depth: usize) {
    if depth > 8 {
        return;
    }
    let Ok(resources) = deref(doc, resources).as_dict() else {
        return;
    };
    let Ok(xobjects) = resources.get(b"XObject") else {
        return;
    };
    let Ok(xobjects) = deref(doc, xobjects).as_dict() else {
        return;
    };
    for (_, xobject) in xobjects.iter() {
        let Ok(stream) = deref(doc, xobject).as_stream() else {
            continue;
        };
        match stream.dict.get(b"Subtype").and_then(|s| s.as_name()) {
            Ok(b"Image") => counts.0 += 1,
            Ok(b"Form") => {
                counts.1 += 1;
                if let Ok(inner) = stream.dict.get(b"Resources") {
                    count_xobjects(doc, inner, counts, depth + 1);
                }
            }
            _ => {}
        }
    }
}

fn deref<'d>(doc: &'d Document, object: &'d Object) -> &'d Object {
    match object {
        Object::Reference(id) => doc.get_object(*id).unwrap_or(object),
        other => other,
    }
}

#[test]
fn every_image_reaches_the_pdf_in_every_format() {
    let (output, compiled) = pdf();
    let names = image_names(&compiled);
    let set = set_images(&output.composition.pages, &names);
    let set_names: std::collections::BTreeSet<&str> =
        set.iter().map(|(name, ..)| name.as_str()).collect();
    for name in [
        "labelled.svg",
        "doctype11.svg",
        "doctype10.svg",
        "bars-300ppi.png",
        "ring.jpg",
        "triangle.gif",
        "dots.webp",
        "badge.png",
        "gear.png",
        "check.png",
    ] {
        assert!(set_names.contains(name), "{name} is not set: {set:?}");
    }
    // Every raster the layout sets on a page is an image XObject of that page; every page
    // with an SVG draws it (paths in its content, or a form).
    let xobjects = xobjects_per_page(&output.bytes);
    let mut rasters: BTreeMap<usize, std::collections::BTreeSet<&str>> = BTreeMap::new();
    let mut svgs: BTreeMap<usize, usize> = BTreeMap::new();
    for (name, _, _, page) in &set {
        if name.ends_with(".svg") {
            *svgs.entry(*page).or_default() += 1;
        } else {
            rasters.entry(*page).or_default().insert(name);
        }
    }
    for (page, names) in &rasters {
        let (images, _) = xobjects[*page];
        assert!(
            images >= names.len(),
            "page {}: {} image XObjects for {names:?}",
            page + 1,
            images
        );
    }
    let doc = Document::load_mem(&output.bytes).expect("the PDF parses");
    let page_ids: Vec<_> = doc.get_pages().values().copied().collect();
    for page in svgs.keys() {
        let content = doc.get_page_content(page_ids[*page]);
        let operations = lopdf::content::Content::decode(&content).expect("content decodes");
        let paths = operations
            .operations
            .iter()
            // Fills and curves: the SVGs' shapes (the pages' rules are stroked lines).
            .filter(|op| matches!(op.operator.as_str(), "f" | "B" | "f*" | "b" | "re" | "c"))
            .count();
        let (_, forms) = xobjects[*page];
        assert!(
            paths > 0 || forms > 0,
            "page {}: an SVG is set but nothing is drawn",
            page + 1
        );
    }
}

#[test]
fn no_image_is_replaced_by_its_description() {
    let (output, _) = pdf();
    let text = pdftotext(&output.bytes);
    for description in [
        "[A diagram",
        "[A graph drawn",
        "[Shapes saved",
        "[The first frame",
        "[Dots from",
        "[gear]",
        "[check mark]",
    ] {
        assert!(!text.contains(description), "{description:?} printed");
    }
    assert!(!text.contains("gear button"), "the gear's alt text printed");
    // The SVG's labels are text, in the book's faces.
    for label in ["Source", "Target", "parse()"] {
        assert!(
            text.contains(label),
            "the SVG's label {label:?} is not text"
        );
    }
    let figures = output
        .composition
        .pages
        .iter()
        .map(page_text)
        .collect::<Vec<_>>()
        .join("\n");
    assert!(figures.contains("Figure 1.1: A diagram whose labels are text"));
    assert!(figures.contains("Figure 1.6: The first frame of an animated GIF"));
}

/// The PDF's text as pdftotext extracts it.
fn pdftotext(bytes: &[u8]) -> String {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("images.pdf");
    std::fs::write(&path, bytes).expect("write the PDF");
    let out = Command::new("pdftotext")
        .arg(&path)
        .arg("-")
        .output()
        .expect("pdftotext runs (make test-tools installs it)");
    assert!(out.status.success());
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn images_are_set_at_their_natural_or_asked_size() {
    let (output, compiled) = pdf();
    let names = image_names(&compiled);
    let set = set_images(&output.composition.pages, &names);
    let text_width = octavo::Profile::builtin("print").text_width().get();
    let size_of = |name: &str, nth: usize| {
        let (_, w, h, _) = set
            .iter()
            .filter(|(n, ..)| n == name)
            .nth(nth)
            .unwrap_or_else(|| panic!("{name} #{nth} not set"));
        (*w, *h)
    };
    let close = |found: f64, expected: f64, what: &str| {
        assert!(
            (found - expected).abs() < 0.05,
            "{what}: {found} pt, expected {expected} pt"
        );
    };
    // Natural sizes: 450 px at the 300 ppi of its pHYs chunk; 300 px at the JPEG's 150 dpi;
    // a GIF and a WebP record none (150 ppi); an SVG's own width (2in; 134pt).
    close(size_of("bars-300ppi.png", 0).0, 108.0, "PNG at 300 ppi");
    close(
        size_of("bars-300ppi.png", 0).1,
        72.0,
        "PNG at 300 ppi, height",
    );
    close(size_of("ring.jpg", 0).0, 144.0, "JPEG at 150 dpi");
    close(
        size_of("triangle.gif", 0).0,
        160.0 / 150.0 * 72.0,
        "GIF at 150 ppi",
    );
    close(
        size_of("dots.webp", 0).0,
        200.0 / 150.0 * 72.0,
        "WebP at 150 ppi",
    );
    close(size_of("doctype10.svg", 0).0, 144.0, "SVG 2in wide");
    close(size_of("doctype11.svg", 0).0, 134.0, "SVG 134pt wide");
    close(size_of("labelled.svg", 0).0, 180.0, "SVG 240px wide");
    // Asked sizes.
    close(
        size_of("bars-300ppi.png", 1).0,
        text_width / 2.0,
        "width=50%",
    );
    close(size_of("labelled.svg", 1).0, 216.0, "width=3in");
    close(
        size_of("labelled.svg", 1).1,
        81.0,
        "width=3in keeps the proportions",
    );
    close(size_of("ring.jpg", 1).0, 4.0 / 2.54 * 72.0, "width=4cm");
    close(size_of("dots.webp", 1).1, 54.0, "height=0.75in");
    close(size_of("doctype11.svg", 1).0, 150.0, "width=200px");
    close(size_of("badge.png", 0).0, 216.0, "width=3in");
    // Inline icons at their natural size (150 ppi), within two lines.
    close(size_of("gear.png", 0).0, 24.0 / 150.0 * 72.0, "inline gear");
    close(
        size_of("check.png", 0).0,
        16.0 / 150.0 * 72.0,
        "inline check mark",
    );
}

#[test]
fn a_low_resolution_raster_is_a_warning_at_its_reference() {
    let (output, compiled) = pdf();
    let warnings: Vec<_> = output
        .composition
        .warnings
        .iter()
        .filter(|w| w.code == "W0280")
        .collect();
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    let warning = warnings[0];
    assert!(
        warning.message.contains("badge.png") && warning.message.contains("prints at 29 ppi"),
        "{}",
        warning.message
    );
    let span = warning.span.as_ref().expect("located");
    let location = compiled.sources().location(span);
    let source = std::fs::read_to_string(case().join("chapters/02-sizes.md")).expect("source");
    let line = source
        .lines()
        .position(|l| l.starts_with("![An 88 by 31 pixel badge"))
        .expect("the badge's line")
        + 1;
    assert!(
        location.ends_with(&format!("02-sizes.md:{line}:1")),
        "{location}"
    );
}

#[test]
fn inline_images_sit_in_their_line_and_in_table_cells() {
    let (output, compiled) = pdf();
    let names = image_names(&compiled);
    let gear = names.iter().position(|n| n == "gear.png").expect("gear");
    let check = names.iter().position(|n| n == "check.png").expect("check");
    let page = output
        .composition
        .pages
        .iter()
        .find(|p| page_text(p).contains("Click the"))
        .expect("the page with the icons");
    let line_of = |word: &str| {
        page.items.iter().find_map(|item| match item {
            Item::Glyphs(run) if run.run.text.contains(word) => Some(run.y.get()),
            _ => None,
        })
    };
    let click = line_of("Click").expect("Click is set");
    let icons: Vec<(usize, f64, f64)> = page
        .items
        .iter()
        .filter_map(|item| match item {
            Item::Image(image) if image.image == gear || image.image == check => {
                Some((image.image, image.y.get(), (image.y + image.height).get()))
            }
            _ => None,
        })
        .collect();
    assert_eq!(
        icons.len(),
        4,
        "two in the text, two in the table: {icons:?}"
    );
    // The gear's bottom sits on the baseline of "Click the".
    let (_, _, bottom) = icons[0];
    assert!((bottom - click).abs() < 0.01, "{bottom} vs {click}");
    // In the table, each icon is in its row, beside the row's text (the cells are set from
    // the row's top; the icon's line is taller than a line of text).
    for (word, icon) in [("Opens", &icons[2]), ("Keeps", &icons[3])] {
        let baseline = line_of(word).expect("the row's text");
        let (_, top, bottom) = *icon;
        assert!(
            top < baseline && bottom > baseline - 4.0 && bottom < baseline + 4.0,
            "{word}: {icon:?} vs the baseline {baseline}"
        );
    }
}

#[test]
fn the_epub_carries_every_image_with_its_size() {
    let (epub, diags, _) = build_epub(&case());
    keep_for_epubcheck("images", &epub);
    let unexpected: Vec<_> = diags.items().iter().filter(|d| d.code != "W0280").collect();
    assert!(unexpected.is_empty(), "{unexpected:?}");
    let sizes = xhtml_body(&epub, "EPUB/text/02-sizes.xhtml");
    for style in [
        "style=\"width: 50%\"",
        "style=\"width: 3in\"",
        "style=\"width: 4cm\"",
        "style=\"height: 0.75in\"",
        "style=\"width: 200px\"",
    ] {
        assert!(sizes.contains(style), "{style} missing: {sizes}");
    }
    assert!(sizes.contains("class=\"inline\""), "{sizes}");
    let archive = zip_entry(&epub, "EPUB/images/doctype10.svg");
    assert!(!archive.contains("DOCTYPE"), "{archive}");
    let svg11 = zip_entry(&epub, "EPUB/images/doctype11.svg");
    assert!(svg11.contains("<!DOCTYPE svg PUBLIC \"-//W3C//DTD SVG 1.1//EN\""));
}

/// One file of the EPUB as text.
fn zip_entry(epub: &[u8], name: &str) -> String {
    use std::io::Read;
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(epub)).expect("a zip");
    let mut entry = archive.by_name(name).expect("the entry");
    let mut text = String::new();
    entry.read_to_string(&mut text).expect("UTF-8");
    text
}

#[test]
fn a_size_that_is_not_a_length_is_a_warning() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let dir = tmp.path();
    std::fs::create_dir_all(dir.join("chapters")).expect("mkdir");
    std::fs::create_dir_all(dir.join("images")).expect("mkdir");
    std::fs::copy(case().join("images/ring.jpg"), dir.join("images/ring.jpg")).expect("copy");
    std::fs::write(
        dir.join("book.toml"),
        "title = \"T\"\nlanguage = \"en\"\n[[authors]]\nname = \"A\"\n",
    )
    .expect("book.toml");
    std::fs::write(
        dir.join("chapters/01.md"),
        "# One\n\n![A ring](../images/ring.jpg){width=50vw}\n",
    )
    .expect("chapter");
    let compiled = compile(dir, &ResolveOptions::default());
    let warning = compiled
        .diags
        .items()
        .iter()
        .find(|d| d.code == "W0281")
        .expect("a warning");
    assert!(warning.message.contains("`50vw`"), "{}", warning.message);
    let location = compiled
        .sources()
        .location(warning.span.as_ref().expect("located"));
    assert!(location.ends_with("01.md:3:30"), "{location}");
}

/// Where a figure was set, in a chapter where it (given `attributes`) does not fit on the
/// page where it is written.
struct Placement {
    /// The page index of the figure.
    figure: usize,
    /// The page index of the paragraph written after it.
    after: usize,
    /// Text written before the figure is set below it on its page.
    text_before_below: bool,
}

fn figure_placement(attributes: &str) -> Placement {
    let tmp = tempfile::tempdir().expect("temp dir");
    let dir = tmp.path();
    std::fs::create_dir_all(dir.join("chapters")).expect("mkdir");
    std::fs::create_dir_all(dir.join("images")).expect("mkdir");
    std::fs::copy(case().join("images/ring.jpg"), dir.join("images/ring.jpg")).expect("copy");
    std::fs::write(
        dir.join("book.toml"),
        "title = \"T\"\nlanguage = \"en\"\n[[authors]]\nname = \"A\"\n",
    )
    .expect("book.toml");
    let filler = "Words to fill the page before the figure comes. ".repeat(40);
    let chapter = format!(
        "# One\n\n{filler}\n\n{filler}\n\n![A ring](../images/ring.jpg){{height=4in{attributes}}}\n\nAfter the figure.\n"
    );
    std::fs::write(dir.join("chapters/01.md"), chapter).expect("chapter");
    let compiled = compile(dir, &ResolveOptions::default());
    let book = compiled.book.as_ref().expect("a book");
    let output = common::print_pdf(book);
    let pages = &output.composition.pages;
    let figure = pages
        .iter()
        .position(|p| p.items.iter().any(|i| matches!(i, Item::Image(_))))
        .expect("the figure is set");
    let after = pages
        .iter()
        .position(|p| page_text(p).contains("After the figure."))
        .expect("the paragraph after it");
    let image_top = pages[figure].items.iter().find_map(|i| match i {
        Item::Image(image) => Some(image.y),
        _ => None,
    });
    let text_before_below = pages[figure].items.iter().any(|i| match i {
        Item::Glyphs(run) => run.run.text.contains("Words") && Some(run.y) > image_top,
        _ => false,
    });
    Placement {
        figure,
        after,
        text_before_below,
    }
}

#[test]
fn a_figure_floats_to_the_top_of_its_page_unless_it_keeps_its_place() {
    let floating = figure_placement("");
    assert!(
        floating.text_before_below && floating.figure <= floating.after,
        "it goes to the top of the page where it did not fit, the text before it below it"
    );
    for here in [" .here", " fig-pos=\"h\"", " fig-pos=H"] {
        let kept = figure_placement(here);
        assert!(
            kept.figure <= kept.after && !kept.text_before_below,
            "{here}: the figure stays in place"
        );
    }
}

/// Glyphs may hang into the margin by this much of the body size (margin kerning of a stop
/// or a hyphen) before they count as past the text block, as pdf-inspect counts overfull.
const HANG_EM: f64 = 0.25;

#[test]
fn nothing_on_a_page_of_the_text_leaves_the_text_block() {
    let (output, _) = pdf();
    let profile = octavo::Profile::builtin("print");
    let hang = HANG_EM * f64::from(profile.font_size.to_f32());
    let (top, bottom) = (
        profile.top.get(),
        (profile.top + profile.text_height()).get(),
    );
    let mut checked = 0;
    for (index, page) in output.composition.pages.iter().enumerate() {
        let left = profile.text_left(index).get();
        let right = left + profile.text_width().get();
        let inside = |start: f64, end: f64, slack: f64| {
            start >= left - slack - SAME && end <= right + slack + SAME
        };
        for item in &page.items {
            let (what, start, end, slack) = match item {
                // Running heads and folios sit outside the text block by design.
                Item::Glyphs(run) if run.y.get() > top && run.y.get() < bottom => (
                    run.run.text.to_string(),
                    run.x.get(),
                    (run.x + run.width()).get(),
                    hang,
                ),
                Item::Rule(rule) => (
                    "a rule".to_string(),
                    rule.x.get(),
                    (rule.x + rule.width).get(),
                    0.0,
                ),
                Item::Image(image) => (
                    format!("image {}", image.image),
                    image.x.get(),
                    (image.x + image.width).get(),
                    0.0,
                ),
                _ => continue,
            };
            checked += 1;
            assert!(
                inside(start, end, slack),
                "page {}: {what:?} at {start:.2}..{end:.2} leaves the text block {left:.2}..{right:.2}",
                index + 1
            );
        }
    }
    assert!(checked > 100, "only {checked} items checked");
}

/// Positions within a hundredth of a point are the same.
const SAME: f64 = 0.01;

#[test]
fn references_of_every_form_read_right_and_land_on_their_targets() {
    let (output, _) = pdf();
    let pages = &output.composition.pages;
    let texts: Vec<String> = pages.iter().map(page_text).collect();
    let all = texts
        .join(" ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    for words in [
        "The densities of Table 3.1 are the masses",
        "Tab. 3.1 keeps the author",
        "Quarto: Figure 1.1, Figure 1.4 and Table 3.2.",
        "The number alone: figure 1.5 and table 3.1.",
        "A prefix of the author’s: Fig. 1.6.",
        "pandoc-crossref: Figure 3.1.",
        "Sections: Section 3.1, and the chapter itself, Chapter 3.",
        "Figures 2.1 and 2.6 are in this chapter; 1.1 is in the first.",
    ] {
        assert!(all.contains(words), "{words:?} missing from the PDF");
    }
    let page_of = |needle: &str| {
        texts
            .iter()
            .rposition(|t| t.contains(needle))
            .unwrap_or_else(|| panic!("no page holds {needle:?}"))
    };
    let mut linked: BTreeMap<String, usize> = BTreeMap::new();
    for page in pages {
        for item in &page.items {
            if let Item::Link(link) = item {
                if let octavo::layout::LinkDest::Anchor(id) = &link.target {
                    *linked.entry(id.to_string()).or_default() += 1;
                }
            }
        }
    }
    for (id, target) in [
        ("fig-labelled", "Figure 1.1: A diagram"),
        ("fig-bars", "Figure 1.4: Bars from a PNG"),
        ("fig-ring", "Figure 1.5: A ring"),
        ("fig-gif", "Figure 1.6: The first frame"),
        ("fig-half", "Figure 2.1: Half the width"),
        ("fig-badge", "Figure 2.6: An 88 by 31"),
        ("tbl-samples", "Table 3.1: Seven columns"),
        ("tbl-kinds", "Table 3.2: How each kind"),
        ("fig-again", "Figure 3.1: A second look"),
        ("sec-measurements", "3.1 Measurements"),
        ("sec-references", "Tables and references"),
    ] {
        let (page, _) = output
            .composition
            .anchors
            .get(id)
            .unwrap_or_else(|| panic!("no anchor {id}"));
        assert_eq!(
            *page,
            page_of(target),
            "{id} lands on the page of {target:?}"
        );
        assert!(linked.contains_key(id), "nothing links to {id}");
    }
}

#[test]
fn the_epub_links_every_reference_to_its_target_file() {
    let (epub, diags, sources) = build_epub(&case());
    assert!(
        !diags.has_errors(),
        "{}",
        octavo::render_json(&diags, &sources)
    );
    let chapter = xhtml_body(&epub, "EPUB/text/03-references.xhtml");
    for link in [
        "href=\"01-formats.xhtml#fig-labelled\">Figure 1.1</a>",
        "href=\"#tbl-samples\">Table 3.1</a>",
        "href=\"#fig-again\">Figure 3.1</a>",
        "href=\"#sec-measurements\">Section 3.1</a>",
    ] {
        assert!(chapter.contains(link), "no {link:?} in {chapter}");
    }
}

/// A labelled figure is captioned by its description as written: its formula is typeset, its
/// emphasis and its span in another language kept, in the PDF and in the EPUB, and its
/// alternative text is the description's plain text.
#[test]
fn a_figure_caption_keeps_its_formulas_emphasis_and_spans() {
    let chapter = "# One\n\n![The area $\\pi r^2$ of a *round* [Kreis]{lang=de}](images/check.png){#fig-area}\n\nSee @fig-area.\n";
    let (_tmp, dir) = common::book(&[
        ("book.toml", "title = \"Captions\"\n"),
        ("chapters/01.md", chapter),
    ]);
    std::fs::create_dir_all(dir.join("images")).expect("mkdir");
    std::fs::copy(
        case().join("images/check.png"),
        dir.join("images/check.png"),
    )
    .expect("copy the image");
    let (epub, _, _) = build_epub(&dir);
    keep_for_epubcheck("images-figure-caption-inlines", &epub);
    let body = xhtml_body(&epub, "EPUB/text/01.xhtml");
    let caption = body
        .split("<figcaption>")
        .nth(1)
        .and_then(|rest| rest.split("</figcaption>").next())
        .expect("a figcaption");
    assert!(caption.contains("<math"), "{caption}");
    assert!(caption.contains("<em>round</em>"), "{caption}");
    assert!(
        caption.contains(r#"<span lang="de" xml:lang="de">Kreis</span>"#),
        "{caption}"
    );
    assert!(
        body.contains(r#"alt="The area \pi r^2 of a round Kreis""#),
        "{body}"
    );
    let compiled = compile(&dir, &ResolveOptions::default());
    let output = common::print_pdf(compiled.book.as_ref().expect("a book"));
    let text = pdftotext(&output.bytes);
    assert!(text.contains("of a round Kreis"), "{text}");
    assert!(!text.contains('$') && !text.contains("[Kreis]"), "{text}");
}
