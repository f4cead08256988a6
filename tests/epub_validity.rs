//! "Nothing lost, nothing invalid" (issue 12): manuscripts that used to give an EPUB that
//! EPUBCheck refuses, or a failure with no location, each built here from a small book made at
//! test time. Every EPUB written goes through `common::keep_for_epubcheck`, so `make test`
//! checks it with EPUBCheck.

mod common;

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use octavo::ResolveOptions;
use octavo::{code, Diagnostic, Severity};
use octavo::{compile, Compiled};

/// A book folder in a temporary directory (removed when dropped).
struct TempBook {
    _tmp: tempfile::TempDir,
    dir: PathBuf,
}

/// A book with the given files; a minimal book.toml unless one is given.
fn book(files: &[(&str, &[u8])]) -> TempBook {
    let tmp = tempfile::tempdir().expect("temp dir");
    let dir = tmp.path().join("book");
    std::fs::create_dir_all(&dir).expect("book dir");
    if !files.iter().any(|(name, _)| *name == "book.toml") {
        write(
            &dir,
            "book.toml",
            b"title = \"Validity\"\ndate = \"2024\"\n",
        );
    }
    for (name, data) in files {
        write(&dir, name, data);
    }
    TempBook { _tmp: tmp, dir }
}

fn write(dir: &Path, name: &str, data: &[u8]) {
    let path = dir.join(name);
    std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    std::fs::write(path, data).expect("write");
}

fn compile_with(dir: &Path, allow_remote: bool) -> Compiled {
    let options = ResolveOptions {
        allow_remote,
        ..ResolveOptions::default()
    };
    compile(dir, &options)
}

/// The EPUB of a book that must compile without errors, kept for EPUBCheck as `name`.
fn epub(name: &str, compiled: &Compiled) -> Vec<u8> {
    let errors: Vec<&Diagnostic> = compiled
        .diags
        .items()
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .collect();
    assert!(errors.is_empty(), "{name}: unexpected errors {errors:#?}");
    let book = compiled.book.as_ref().expect("a book");
    let options = octavo::epub_options(compiled).expect("EPUB options");
    let bytes = octavo::write_epub(book, &options).expect("EPUB written");
    common::keep_for_epubcheck(name, &bytes);
    bytes
}

/// One file of an EPUB as text.
fn entry(bytes: &[u8], name: &str) -> String {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a zip");
    let mut file = archive.by_name(name).expect("the entry exists");
    let mut text = String::new();
    file.read_to_string(&mut text).expect("UTF-8");
    text
}

/// The diagnostics with `code`, each as (`file:line:col` or "-", message).
fn located(compiled: &Compiled, code: &str) -> Vec<(String, String)> {
    compiled
        .diags
        .items()
        .iter()
        .filter(|d| d.code == code)
        .map(|d| {
            let at = d
                .span
                .as_ref()
                .map_or("-".to_string(), |s| compiled.sources().location(s));
            (at, d.message.clone())
        })
        .collect()
}

/// `octavo build --format ARGS…` in `dir`.
fn run(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_octavo"))
        .arg("build")
        .args(args)
        .arg("--out")
        .arg(dir.join("out"))
        .current_dir(dir)
        .output()
        .expect("run octavo")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

const CHAPTER: &str = "chapters/01-one.md";

// 3. Language tags -------------------------------------------------------------------------

#[test]
fn a_malformed_language_tag_is_an_error_at_its_book_toml_span() {
    let toml = b"title = \"T\"\ndate = \"2024\"\nlanguage = \"en-a\"\n";
    let b = book(&[("book.toml", toml), (CHAPTER, b"# One\n\nText.\n")]);
    let compiled = compile_with(&b.dir, false);
    let found = located(&compiled, code::CONFIG_INVALID);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].0, "book.toml:3:12");
    assert!(
        found[0].1.contains("`en-a` is not a language tag"),
        "{found:?}"
    );
}

#[test]
fn a_malformed_lang_attribute_in_raw_html_is_dropped_with_a_warning() {
    let text =
        b"# One\n\nA <span lang=\"en-a\">word</span> and <span lang=\"sr-Latn\">rec</span>.\n";
    let b = book(&[(CHAPTER, text)]);
    let compiled = compile_with(&b.dir, false);
    assert_eq!(located(&compiled, code::HTML_DROPPED).len(), 1);
    let bytes = epub("lang-attribute", &compiled);
    let body = entry(&bytes, "EPUB/text/01-one.xhtml");
    assert!(!body.contains("en-a"), "{body}");
    assert!(body.contains("lang=\"sr-Latn\""), "{body}");
}

// 1. URLs percent-encoded -------------------------------------------------------------------

const DOI: &str = "10.1002/(SICI)1097-4571(199806)49:8<693::AID-ASI4>3.0.CO;2-0";

#[test]
fn link_urls_are_percent_encoded_in_every_href() {
    let text = format!(
        "# One\n\n\
         [spaced](<https://a.b/c d>) [doi](https://doi.org/{DOI}) \
         <https://a.b/x|y^z{{1}}> [kept](https://a.b/c%20d) \
         <a href=\"https://a.b/raw path\\[x]\">raw</a> [@smith2020; @jones2021].\n"
    );
    let bib = format!(
        "@article{{smith2020,\n  author = {{Smith, Ann}},\n  title = {{A Title}},\n  \
         journal = {{J}},\n  year = {{2020}},\n  doi = {{{DOI}}}\n}}\n\
         @misc{{jones2021,\n  author = {{Jones, Bo}},\n  title = {{A Page}},\n  \
         year = {{2021}},\n  url = {{https://example.org/a b|c}}\n}}\n"
    );
    let toml = b"title = \"T\"\ndate = \"2024\"\nbibliography = \"refs.bib\"\n";
    let b = book(&[
        ("book.toml", toml),
        (CHAPTER, text.as_bytes()),
        ("refs.bib", bib.as_bytes()),
    ]);
    let compiled = compile_with(&b.dir, false);
    let bytes = epub("encoded-urls", &compiled);
    let mut hrefs = Vec::new();
    for name in ["EPUB/text/01-one.xhtml", "EPUB/text/references.xhtml"] {
        let body = entry(&bytes, name);
        hrefs.extend(
            body.split("href=\"")
                .skip(1)
                .map(|rest| rest[..rest.find('"').expect("closing quote")].to_string())
                .filter(|href| href.contains("://")),
        );
    }
    for wanted in [
        "https://a.b/c%20d",
        "https://doi.org/10.1002/(SICI)1097-4571(199806)49:8%3C693::AID-ASI4%3E3.0.CO;2-0",
        "https://a.b/x%7Cy%5Ez%7B1%7D",
        "https://a.b/raw%20path%5C%5Bx%5D",
        "https://example.org/a%20b%7Cc",
    ] {
        assert!(
            hrefs.iter().any(|h| h == wanted),
            "{wanted} not in {hrefs:#?}"
        );
    }
    for href in &hrefs {
        assert!(
            !href.contains(|c: char| " |\\[]{}^<>\"`".contains(c) || !c.is_ascii()),
            "{href} is not a valid URL"
        );
        assert!(!href.contains("%25"), "{href} was encoded twice");
    }
}

// 2. Remote images inside links ---------------------------------------------------------------

/// True when some `<a` opens before the previous one closed.
fn has_nested_link(xhtml: &str) -> bool {
    let mut depth = 0usize;
    let mut rest = xhtml;
    while let Some(at) = rest.find('<') {
        rest = &rest[at..];
        if rest.starts_with("<a ") || rest.starts_with("<a>") {
            depth += 1;
            if depth > 1 {
                return true;
            }
        } else if rest.starts_with("</a>") {
            depth = depth.saturating_sub(1);
        }
        rest = &rest[1..];
    }
    false
}

#[test]
fn a_remote_badge_inside_a_link_becomes_the_link_text_not_a_nested_link() {
    let text = b"# One\n\n\
        [![build status](https://ci.example/badge.svg)](https://ci.example/job) and \
        [**see ![](https://ci.example/b.svg)**](https://ci.example/b) and \
        ![alone](https://ci.example/alone.png).\n\n\
        A note.[^1]\n\n\
        [^1]: [![in a note](https://ci.example/n.svg)](https://ci.example/n)\n";
    let b = book(&[(CHAPTER, text)]);
    let compiled = compile_with(&b.dir, true);
    let bytes = epub("remote-badge", &compiled);
    let body = entry(&bytes, "EPUB/text/01-one.xhtml");
    assert!(!has_nested_link(&body), "{body}");
    assert!(
        body.contains("<a href=\"https://ci.example/job\">build status</a>"),
        "{body}"
    );
    assert!(
        body.contains(
            "<a href=\"https://ci.example/b\"><strong>see https://ci.example/b.svg</strong></a>"
        ),
        "{body}"
    );
    assert!(
        body.contains("<a href=\"https://ci.example/alone.png\">alone</a>"),
        "{body}"
    );
    assert!(
        body.contains("<a href=\"https://ci.example/n\">in a note</a>"),
        "{body}"
    );
    assert!(!body.contains("<img"), "{body}");
}

// 7. Empty author names, images too large to decode ----------------------------------------

#[test]
fn an_empty_author_name_is_an_error_at_its_book_toml_span() {
    let toml = b"title = \"T\"\ndate = \"2024\"\n\n[[authors]]\nname = \"\"\n\n[[authors]]\nname = \"Ann\"\n";
    let b = book(&[("book.toml", toml), (CHAPTER, b"# One\n\nText.\n")]);
    let compiled = compile_with(&b.dir, false);
    let found = located(&compiled, code::CONFIG_INVALID);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].0, "book.toml:5:8");
    assert!(found[0].1.contains("name is empty"), "{found:?}");
}

#[test]
fn empty_optional_metadata_is_left_out_of_the_package_document() {
    let toml =
        b"title = \"T\"\nsubtitle = \"\"\ndate = \"2024\"\npublisher = \" \"\nrights = \"\"\n\
        description = \"\"\nsubjects = [\"\", \"History\"]\n\n[series]\nname = \"\"\n";
    let b = book(&[("book.toml", toml), (CHAPTER, b"# One\n\nText.\n")]);
    let bytes = epub("empty-metadata", &compile_with(&b.dir, false));
    let opf = entry(&bytes, "EPUB/package.opf");
    for gone in [
        "dc:publisher",
        "dc:rights",
        "dc:description",
        "subtitle",
        "collection",
    ] {
        assert!(!opf.contains(gone), "{gone} in {opf}");
    }
    assert!(opf.contains("<dc:subject>History</dc:subject>"), "{opf}");
    assert_eq!(opf.matches("<dc:subject>").count(), 1, "{opf}");
}

/// A PNG signature and IHDR claiming `width`x`height` at `depth` bits, RGBA, with a tiny
/// IDAT: enough for the header to be read, far too little to decode.
fn png_header(width: u32, height: u32, depth: u8) -> Vec<u8> {
    fn chunk(kind: &[u8], data: &[u8]) -> Vec<u8> {
        let mut out = (data.len() as u32).to_be_bytes().to_vec();
        out.extend_from_slice(kind);
        out.extend_from_slice(data);
        let checked: Vec<u8> = kind.iter().chain(data).copied().collect();
        out.extend_from_slice(&crc32(&checked).to_be_bytes());
        out
    }
    let mut ihdr = width.to_be_bytes().to_vec();
    ihdr.extend_from_slice(&height.to_be_bytes());
    ihdr.extend_from_slice(&[depth, 6, 0, 0, 0]);
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    png.extend(chunk(b"IHDR", &ihdr));
    png.extend(chunk(
        b"IDAT",
        &[0x78, 0x9C, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01],
    ));
    png.extend(chunk(b"IEND", &[]));
    png
}

fn crc32(data: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for byte in data {
        crc ^= u32::from(*byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

#[test]
fn an_image_too_large_to_decode_is_an_error_at_its_reference() {
    // 8000x8000 RGBA at 16 bits: 64 megapixels (under the pixel limit), 512 MB decoded.
    let text = b"# One\n\nText.\n\n![a big picture](../images/big.png)\n";
    let b = book(&[
        (CHAPTER, text),
        ("images/big.png", &png_header(8000, 8000, 16)),
    ]);
    let output = run(&b.dir, &[]);
    let message = stderr(&output);
    assert_eq!(output.status.code(), Some(1), "{message}");
    assert!(message.contains("error[E0113]"), "{message}");
    assert!(message.contains("images/big.png"), "{message}");
    assert!(message.contains("chapters/01-one.md:5:1"), "{message}");
    assert!(!message.contains("Memory limit"), "{message}");
}

// 5. Accessibility ----------------------------------------------------------------------------

/// A real PNG of the given size (decodable, for EPUBCheck and readers).
fn small_png(width: u32, height: u32) -> Vec<u8> {
    let image = image::RgbImage::from_pixel(width, height, image::Rgb([200, 180, 120]));
    let mut bytes = std::io::Cursor::new(Vec::new());
    image
        .write_to(&mut bytes, image::ImageFormat::Png)
        .expect("encode PNG");
    bytes.into_inner()
}

#[test]
fn links_are_not_told_apart_by_colour_alone() {
    let text = b"# One\n\nA claim.[^1]\n\n[^1]: The note.\n";
    let b = book(&[(CHAPTER, text)]);
    let bytes = epub("note-links", &compile_with(&b.dir, false));
    let css = entry(&bytes, "EPUB/css/book.css");
    let undecorated: Vec<&str> = css
        .split('}')
        .filter(|rule| rule.contains("text-decoration: none"))
        .map(|rule| rule[..rule.find('{').expect("a rule")].trim())
        .map(|selector| selector.rsplit("*/").next().unwrap_or(selector).trim())
        .collect();
    // The note call is raised (superscript); anything else must keep its underline.
    assert_eq!(undecorated, vec!["a.noteref"], "{css}");
    let body = entry(&bytes, "EPUB/text/01-one.xhtml");
    assert!(body.contains("<sup><a epub:type=\"noteref\""), "{body}");
}

#[test]
fn the_accessibility_summary_counts_the_cover() {
    let toml = b"title = \"T\"\ndate = \"2024\"\ncover = \"images/cover.png\"\n";
    let b = book(&[
        ("book.toml", toml),
        (CHAPTER, b"# One\n\nText.\n"),
        ("images/cover.png", &small_png(1600, 2560)),
    ]);
    let bytes = epub("cover-only", &compile_with(&b.dir, false));
    let opf = entry(&bytes, "EPUB/package.opf");
    assert!(!opf.contains("no images"), "{opf}");
    assert!(opf.contains("the cover, has a text description"), "{opf}");
    assert!(
        opf.contains("<meta property=\"schema:accessMode\">visual</meta>"),
        "{opf}"
    );
    assert!(
        opf.contains("<meta property=\"schema:accessibilityFeature\">alternativeText</meta>"),
        "{opf}"
    );
    let cover = entry(&bytes, "EPUB/text/cover.xhtml");
    assert!(cover.contains("alt=\"Cover: T\""), "{cover}");
}

// 6. The book's stylesheet --------------------------------------------------------------------

#[test]
fn what_an_epub_may_not_hold_is_dropped_from_the_stylesheet_with_located_warnings() {
    let css = "@import url(\"more.css\");\n\
        p { color: #333; background: url(http://cdn.example/bg.png) }\n\
        @font-face { font-family: Web; src: url(https://fonts.example/web.woff2) }\n\
        </style><script>alert(1)</script>\n\
        q { color: blue }\n\
        h1 { background: url(../images/map.png) no-repeat; direction: rtl }\n\
        h2 { background: url(../images/unused.png) }\n\
        h3 { background: url(../../outside.png) }\n\
        em { font-style: normal }\n";
    let toml = b"title = \"T\"\ndate = \"2024\"\n\n[epub]\ncss = \"styles/book.css\"\n";
    let b = book(&[
        ("book.toml", toml),
        (CHAPTER, b"# One\n\n![A map](../images/map.png)\n"),
        ("styles/book.css", css.as_bytes()),
        ("styles/more.css", b"p { color: red }\n"),
        ("images/map.png", &small_png(20, 10)),
        ("images/unused.png", &small_png(20, 10)),
    ]);
    std::fs::write(b.dir.join("../outside.png"), small_png(4, 4)).expect("outside file");
    let compiled = compile_with(&b.dir, false);
    let found = located(&compiled, code::CSS_DROPPED);
    let at: Vec<&str> = found.iter().map(|(at, _)| at.as_str()).collect();
    assert_eq!(
        at,
        [
            "styles/book.css:1:1",
            "styles/book.css:2:18",
            "styles/book.css:3:1",
            "styles/book.css:4:1",
            "styles/book.css:6:52",
            "styles/book.css:7:6",
            "styles/book.css:8:6",
        ],
        "{found:#?}"
    );
    assert!(found[0].1.contains("@import"), "{found:#?}");
    assert!(
        found[1].1.contains("http://cdn.example/bg.png"),
        "{found:#?}"
    );
    assert!(found[2].1.contains("@font-face"), "{found:#?}");
    // As in a browser, the broken rule runs to the next block: `q {…}` goes with it.
    assert!(found[3].1.contains("markup"), "{found:#?}");
    assert!(found[4].1.contains("direction"), "{found:#?}");
    assert!(found[5].1.contains("not packaged"), "{found:#?}");
    assert!(found[6].1.contains("outside the book"), "{found:#?}");
    let bytes = epub("stylesheet-filtered", &compiled);
    let packaged = entry(&bytes, "EPUB/css/book.css");
    let extra = &packaged[packaged
        .find("/* book.toml [epub] css */")
        .expect("extra CSS")..];
    for gone in [
        "@import",
        "http",
        "script",
        "@font-face",
        "direction",
        "unused",
        "outside",
        "blue",
    ] {
        assert!(!extra.contains(gone), "{gone} in {extra}");
    }
    for kept in [
        "p { color: #333; ",
        "h1 { background: url(\"../images/map.png\") no-repeat; ",
        "em { font-style: normal }",
    ] {
        assert!(extra.contains(kept), "{kept} not in {extra}");
    }
}

#[test]
fn a_stylesheet_outside_the_book_is_an_error_at_its_book_toml_span() {
    let toml = b"title = \"T\"\ndate = \"2024\"\n\n[epub]\ncss = \"../outside.css\"\n";
    let b = book(&[("book.toml", toml), (CHAPTER, b"# One\n\nText.\n")]);
    std::fs::write(b.dir.join("../outside.css"), "p { }\n").expect("outside file");
    let output = run(&b.dir, &["--format", "epub"]);
    let message = stderr(&output);
    assert_eq!(output.status.code(), Some(1), "{message}");
    assert!(
        message.contains("leads outside the book folder"),
        "{message}"
    );
    assert!(message.contains("book.toml:5:7"), "{message}");
    assert!(!message.contains("cannot find the stylesheet"), "{message}");
}

// 4. SVG images -------------------------------------------------------------------------------

/// An SVG as graphviz writes it: the SVG 1.1 document type declaration, XLink, a link.
const GRAPHVIZ_SVG: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?>\n\
<!DOCTYPE svg PUBLIC \"-//W3C//DTD SVG 1.1//EN\"\n \"http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd\">\n\
<!-- Generated by graphviz version 2.43.0 (0)\n -->\n\
<svg width=\"62pt\" height=\"116pt\" viewBox=\"0.00 0.00 62.00 116.00\" xmlns=\"http://www.w3.org/2000/svg\" xmlns:xlink=\"http://www.w3.org/1999/xlink\">\n\
<g id=\"graph0\" class=\"graph\" transform=\"scale(1 1) rotate(0) translate(4 112)\">\n<title>G</title>\n\
<polygon fill=\"white\" stroke=\"transparent\" points=\"-4,4 -4,-112 58,-112 58,4 -4,4\"/>\n\
<g id=\"node1\" class=\"node\"><title>a</title>\n<g id=\"a_node1\"><a xlink:href=\"https://example.org/a\" xlink:title=\"a\">\n\
<ellipse fill=\"none\" stroke=\"black\" cx=\"27\" cy=\"-90\" rx=\"27\" ry=\"18\"/>\n\
<text text-anchor=\"middle\" x=\"27\" y=\"-86.3\" font-family=\"Times,serif\" font-size=\"14.00\">a</text>\n</a></g></g>\n\
<g id=\"edge1\" class=\"edge\"><title>a&#45;&gt;b</title>\n\
<path fill=\"none\" stroke=\"black\" d=\"M27,-71.7C27,-63.98 27,-54.71 27,-46.11\"/>\n\
<polygon fill=\"black\" stroke=\"black\" points=\"30.5,-46.1 27,-36.1 23.5,-46.1 30.5,-46.1\"/>\n</g>\n</g>\n</svg>\n";

/// An SVG as Inkscape saves it: editor data in its own namespaces, RDF metadata.
const INKSCAPE_SVG: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?>\n\
<svg xmlns:dc=\"http://purl.org/dc/elements/1.1/\" xmlns:cc=\"http://creativecommons.org/ns#\" \
xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\" xmlns:svg=\"http://www.w3.org/2000/svg\" \
xmlns=\"http://www.w3.org/2000/svg\" xmlns:sodipodi=\"http://sodipodi.sourceforge.net/DTD/sodipodi-0.dtd\" \
xmlns:inkscape=\"http://www.inkscape.org/namespaces/inkscape\" width=\"50mm\" height=\"20mm\" \
viewBox=\"0 0 50 20\" version=\"1.1\" id=\"svg8\" inkscape:version=\"0.92.4 (5da689c313, 2019-01-14)\" sodipodi:docname=\"box.svg\">\n\
<defs id=\"defs2\"><linearGradient inkscape:collect=\"always\" id=\"g1\"><stop style=\"stop-color:#000;stop-opacity:1\" offset=\"0\" id=\"stop1\"/></linearGradient></defs>\n\
<sodipodi:namedview id=\"base\" pagecolor=\"#ffffff\" bordercolor=\"#666666\" inkscape:pageopacity=\"0.0\" inkscape:zoom=\"2.8\" inkscape:document-units=\"mm\" showgrid=\"false\"/>\n\
<metadata id=\"metadata5\"><rdf:RDF><cc:Work rdf:about=\"\"><dc:format>image/svg+xml</dc:format>\
<dc:type rdf:resource=\"http://purl.org/dc/dcmitype/StillImage\"/><dc:title/></cc:Work></rdf:RDF></metadata>\n\
<g inkscape:label=\"Layer 1\" inkscape:groupmode=\"layer\" id=\"layer1\">\n\
<rect style=\"fill:url(#g1);stroke:#000;stroke-width:0.26\" id=\"rect10\" width=\"40\" height=\"10\" x=\"5\" y=\"5\"/>\n\
<text xml:space=\"preserve\" style=\"font-size:4px;line-height:1.25;font-family:sans-serif;direction:ltr;writing-mode:lr-tb\" x=\"8\" y=\"11\" id=\"text1\">\
<tspan sodipodi:role=\"line\" id=\"tspan1\" x=\"8\" y=\"11\">a box</tspan></text>\n</g>\n</svg>\n";

/// An SVG as Illustrator exports it (SVG 1.1, no editing data).
const ILLUSTRATOR_SVG: &str = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n\
<!-- Generator: Adobe Illustrator 15.1.0, SVG Export Plug-In . SVG Version: 6.00 Build 0)  -->\n\
<!DOCTYPE svg PUBLIC \"-//W3C//DTD SVG 1.1//EN\" \"http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd\">\n\
<svg version=\"1.1\" id=\"Layer_1\" xmlns=\"http://www.w3.org/2000/svg\" xmlns:xlink=\"http://www.w3.org/1999/xlink\" x=\"0px\" y=\"0px\"\n\
\t width=\"120px\" height=\"80px\" viewBox=\"0 0 120 80\" enable-background=\"new 0 0 120 80\" xml:space=\"preserve\">\n\
<style type=\"text/css\">\n\t.st0{fill:#8F1F1D;}\n</style>\n\
<path class=\"st0\" data-name=\"body\" d=\"M70,33c-13,0-25,1-34,4v22c9,2,21,4,34,4c15,0,28-2,37-5V39C99,35,85,33,70,33\"/>\n\
</svg>\n";

#[test]
fn svgs_as_graphviz_inkscape_and_illustrator_write_them_are_packaged() {
    let text = b"# One\n\n![A graph](../images/graph.svg)\n\n![A box](../images/box.svg)\n\n\
        ![A crab](../images/crab.svg)\n";
    let b = book(&[
        (CHAPTER, text),
        ("images/graph.svg", GRAPHVIZ_SVG.as_bytes()),
        ("images/box.svg", INKSCAPE_SVG.as_bytes()),
        ("images/crab.svg", ILLUSTRATOR_SVG.as_bytes()),
    ]);
    let compiled = compile_with(&b.dir, false);
    let bytes = epub("svg-from-tools", &compiled);
    for (name, svg) in [
        ("graph", GRAPHVIZ_SVG),
        ("box", INKSCAPE_SVG),
        ("crab", ILLUSTRATOR_SVG),
    ] {
        assert_eq!(entry(&bytes, &format!("EPUB/images/{name}.svg")), svg);
    }
}

#[test]
fn svgs_that_load_or_run_something_are_refused_at_their_reference() {
    let remote =
        "<svg xmlns=\"http://www.w3.org/2000/svg\" xmlns:xlink=\"http://www.w3.org/1999/xlink\">\n\
        <image href = \"http://tracker.example/pixel.png\" width=\"1\" height=\"1\"/>\n</svg>\n";
    let script = "<svg xmlns=\"http://www.w3.org/2000/svg\">\n<rect width=\"1\" height=\"1\"/>\n\
        <s:script xmlns:s=\"http://www.w3.org/2000/svg\">alert(1)</s:script>\n</svg>\n";
    let text = b"# One\n\n![remote](../images/remote.svg)\n\n![script](../images/script.svg)\n";
    let b = book(&[
        (CHAPTER, text),
        ("images/remote.svg", remote.as_bytes()),
        ("images/script.svg", script.as_bytes()),
    ]);
    let compiled = compile_with(&b.dir, false);
    let found = located(&compiled, code::IMAGE_FORMAT);
    assert_eq!(found.len(), 2, "{found:#?}");
    assert_eq!(found[0].0, "chapters/01-one.md:3:1");
    assert!(
        found[0].1.contains("images/remote.svg: the SVG holds an image that is not an embedded PNG or JPEG (`http://tracker.example/pixel.png`) in <image> (line 2)"),
        "{found:#?}"
    );
    assert_eq!(found[1].0, "chapters/01-one.md:5:1");
    assert!(
        found[1]
            .1
            .contains("images/script.svg: the SVG holds a <script> element (line 3)"),
        "{found:#?}"
    );
    let output = run(&b.dir, &["--format", "epub"]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
}

#[test]
fn right_to_left_text_is_marked_with_its_direction() {
    let text = "# One\n\nShe wrote [مرحبا بالعالم]{lang=ar} and <span lang=\"he\">שלום</span>.\n\n\
                <div lang=\"fa\">\n\nیک بند فارسی.\n\n</div>\n\n::: {lang=ur}\nاردو میں\n:::\n\nAnd <span lang=\"ar\" dir=\"ltr\">kept</span>.\n";
    let b = book(&[(CHAPTER, text.as_bytes())]);
    let compiled = compile_with(&b.dir, false);
    let bytes = epub("right-to-left-spans", &compiled);
    let body = entry(&bytes, "EPUB/text/01-one.xhtml");
    assert!(
        body.contains("lang=\"ar\" xml:lang=\"ar\" dir=\"rtl\">مرحبا بالعالم"),
        "{body}"
    );
    assert!(
        body.contains("lang=\"he\" xml:lang=\"he\" dir=\"rtl\">שלום"),
        "{body}"
    );
    assert!(
        body.contains("lang=\"fa\" xml:lang=\"fa\" dir=\"rtl\""),
        "{body}"
    );
    // A fenced div with only an attribute is a div too.
    assert!(
        body.contains("<div lang=\"ur\" xml:lang=\"ur\" dir=\"rtl\">"),
        "{body}"
    );
    assert!(
        body.contains("dir=\"ltr\">kept"),
        "the author's dir is kept: {body}"
    );
    assert_eq!(body.matches("dir=").count(), 5, "{body}");
    assert!(!entry(&bytes, "EPUB/package.opf").contains("page-progression-direction"));
}

#[test]
fn a_right_to_left_book_turns_its_pages_leftwards() {
    let toml = "title = \"كتاب\"\ndate = \"2024\"\nlanguage = \"ar\"\n";
    let text = "# واحد\n\nنص عربي مع [English words]{lang=en}.\n";
    let b = book(&[("book.toml", toml.as_bytes()), (CHAPTER, text.as_bytes())]);
    let compiled = compile_with(&b.dir, false);
    let bytes = epub("right-to-left-book", &compiled);
    let opf = entry(&bytes, "EPUB/package.opf");
    assert!(
        opf.contains("<spine toc=\"ncx\" page-progression-direction=\"rtl\">"),
        "{opf}"
    );
    let names: Vec<String> = {
        let archive = zip::ZipArchive::new(std::io::Cursor::new(&bytes)).expect("a zip");
        archive
            .file_names()
            .filter_map(|name| name.ok().map(|n| n.to_string()))
            .collect()
    };
    let chapter = names
        .iter()
        .find(|n| n.starts_with("EPUB/text/01"))
        .expect("the chapter");
    let body = entry(&bytes, chapter);
    assert!(body.contains("xml:lang=\"ar\" dir=\"rtl\">"), "{body}");
    assert!(
        body.contains("lang=\"en\" xml:lang=\"en\" dir=\"ltr\">English words"),
        "{body}"
    );
}
