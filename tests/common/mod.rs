//! Shared helpers for the integration tests: building books through the library, dumping an
//! EPUB's structure as readable text, and comparing with golden files.

#![allow(dead_code)]

pub mod grammar;
pub mod png;
pub mod wellformed;
pub mod words;

use std::io::Read;
use std::path::{Path, PathBuf};

use octavo::compile;
use octavo::write_epub;
use octavo::ResolveOptions;
use octavo::{render_json, Diagnostics, SourceMap};

/// A book folder holding `files` (name, text), in a fresh temporary directory kept as
/// long as the returned guard lives.
pub fn book(files: &[(&str, &str)]) -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().expect("temp dir");
    let dir = tmp.path().join("book");
    for (name, text) in files {
        let path = dir.join(name);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, text).expect("write");
    }
    (tmp, dir)
}

/// The chapter files a Quarto book's `_quarto.yml` lists (chapters, then appendices).
pub fn quarto_chapters(config: &str) -> Vec<String> {
    config
        .lines()
        .map(str::trim)
        .filter_map(|line| line.strip_prefix("- "))
        .filter(|item| item.ends_with(".qmd"))
        .map(str::to_string)
        .collect()
}

/// Builds the sample manuscript's PDF with `octavo build` (the binary, with `extra`
/// arguments and `SOURCE_DATE_EPOCH=epoch`) into a fresh folder; returns its bytes.
pub fn build_sample(extra: &[&str], epoch: &str) -> Vec<u8> {
    let out = tempfile::tempdir().expect("temp dir");
    let manuscript = repo().join("manuscript");
    let mut args = vec![
        "build".to_string(),
        manuscript.display().to_string(),
        "--out".to_string(),
        out.path().display().to_string(),
        "--format".to_string(),
        "pdf".to_string(),
        "-q".to_string(),
    ];
    args.extend(extra.iter().map(|a| a.to_string()));
    let run = std::process::Command::new(env!("CARGO_BIN_EXE_octavo"))
        .args(&args)
        .env("SOURCE_DATE_EPOCH", epoch)
        .output()
        .expect("run octavo");
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    std::fs::read(pdf_in(out.path())).expect("the PDF")
}

/// The interior PDF in `dir` (not the print edition's cover wrap, `<slug>-cover.pdf`).
fn pdf_in(dir: &Path) -> PathBuf {
    std::fs::read_dir(dir)
        .expect("the output folder")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| !p.to_string_lossy().ends_with("-cover.pdf"))
        .find(|p| p.extension().is_some_and(|e| e == "pdf"))
        .expect("a PDF")
}

/// The repository root.
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Folder where every EPUB the tests produce is kept, for EPUBCheck (`make test`).
pub fn epub_dir() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("epubs");
    std::fs::create_dir_all(&dir).expect("create the test EPUB folder");
    dir
}

/// Build the book in `dir` through the library; panics with the diagnostics on errors.
pub fn build_epub(dir: &Path) -> (Vec<u8>, Diagnostics, SourceMap) {
    build_epub_with(dir, &ResolveOptions::default())
}

/// Like [`build_epub`], with command-line settings (e.g. `--csl`).
pub fn build_epub_with(dir: &Path, resolve: &ResolveOptions) -> (Vec<u8>, Diagnostics, SourceMap) {
    let compiled = compile(dir, resolve);
    if compiled.diags.has_errors() {
        panic!(
            "{} has errors:\n{}",
            dir.display(),
            render_json(&compiled.diags, compiled.sources())
        );
    }
    let book = compiled.book.as_ref().expect("a book");
    let options = octavo::epub_options(&compiled).expect("EPUB options");
    let bytes = write_epub(book, &options).expect("EPUB written");
    let sources = compiled.sources().clone();
    (bytes, compiled.diags, sources)
}

/// The diagnostics of a book made of `files`: each one's code and line:column, if located.
pub fn codes_and_places(files: &[(&str, &str)]) -> Vec<(&'static str, Option<(usize, usize)>)> {
    let (_tmp, dir) = book(files);
    let compiled = compile(&dir, &ResolveOptions::default());
    compiled
        .diags
        .items()
        .iter()
        .map(|d| {
            let at = d
                .span
                .as_ref()
                .map(|span| compiled.sources().line_col(span.file, span.range.start));
            (d.code, at)
        })
        .collect()
}

/// [`codes_and_places`] where every diagnostic must be located.
pub fn located_codes(files: &[(&str, &str)]) -> Vec<(&'static str, (usize, usize))> {
    codes_and_places(files)
        .into_iter()
        .map(|(code, at)| (code, at.expect("located")))
        .collect()
}

/// The book in `dir` compiled and its glyphs checked as `octavo build` checks them (with the
/// fonts book.toml names), with the warnings (code and message) the two gave.
pub fn checked_book(dir: &Path) -> (octavo::Compiled, Vec<String>) {
    let mut compiled = compile(dir, &ResolveOptions::default());
    let fonts = compiled.fonts.clone();
    let book = compiled.book.as_mut().expect("a book");
    octavo::check_glyphs(book, fonts.as_deref(), &mut compiled.diags);
    let warnings = compiled
        .diags
        .items()
        .iter()
        .map(|d| format!("{}: {}", d.code, d.message))
        .collect();
    (compiled, warnings)
}

/// Keep an EPUB where `make test` runs EPUBCheck on it.
pub fn keep_for_epubcheck(name: &str, bytes: &[u8]) {
    std::fs::write(epub_dir().join(format!("{name}.epub")), bytes).expect("write test EPUB");
}

/// A readable dump of an EPUB's structure: the file list with media types, compression and
/// sizes; the OPF (volatile values normalised); the nav; the NCX; each XHTML body.
pub fn dump_epub(bytes: &[u8]) -> String {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a zip");
    let mut files: Vec<(String, String, u64, String)> = Vec::new();
    let mut texts: Vec<(String, String)> = Vec::new();
    for i in 0..archive.len() {
        let mut file = archive.by_index(i).expect("zip entry");
        let name = file.name().expect("entry name").to_string();
        let method = format!("{:?}", file.compression()).to_lowercase();
        let mut data = Vec::new();
        file.read_to_end(&mut data).expect("read entry");
        files.push((name.clone(), method, data.len() as u64, String::new()));
        if name.ends_with(".opf") || name.ends_with(".xhtml") || name.ends_with(".ncx") {
            texts.push((name, String::from_utf8(data).expect("UTF-8 text")));
        }
    }
    let opf = texts
        .iter()
        .find(|(n, _)| n.ends_with(".opf"))
        .map(|(_, t)| t.clone())
        .unwrap_or_default();
    for file in &mut files {
        file.3 = media_type_of(&opf, &file.0);
    }
    let mut out = String::from("== files (in archive order)\n");
    for (name, method, size, media) in &files {
        out.push_str(&format!("{name}  {media}  {method}  {size}\n"));
    }
    for (name, text) in &texts {
        out.push_str(&format!("\n== {name}\n"));
        out.push_str(&normalise(name, text));
    }
    out
}

fn media_type_of(opf: &str, name: &str) -> String {
    let href = name.strip_prefix("EPUB/").unwrap_or(name);
    let needle = format!("href=\"{href}\" media-type=\"");
    opf.find(&needle)
        .map(|at| {
            let rest = &opf[at + needle.len()..];
            rest[..rest.find('"').unwrap_or(0)].to_string()
        })
        .unwrap_or_else(|| "-".to_string())
}

fn normalise(name: &str, text: &str) -> String {
    if name.ends_with(".opf") {
        return text
            .lines()
            .map(|l| {
                if l.contains("dcterms:modified") {
                    "<meta property=\"dcterms:modified\">(normalised)</meta>".to_string()
                } else {
                    l.to_string()
                }
            })
            .collect::<Vec<_>>()
            .join("\n")
            + "\n";
    }
    if name.ends_with(".xhtml") {
        let start = text.find("<body").unwrap_or(0);
        let end = text
            .find("</body>")
            .map_or(text.len(), |e| e + "</body>".len());
        return format!("{}\n", &text[start..end]);
    }
    text.to_string()
}

/// Compare `actual` with `tests/golden/<name>.txt`; `UPDATE_GOLDEN=1` rewrites it (refused on CI).
pub fn assert_golden(name: &str, actual: &str) {
    let path = repo().join("tests/golden").join(format!("{name}.txt"));
    let update = std::env::var_os("UPDATE_GOLDEN").is_some_and(|v| v == "1");
    if update {
        assert!(
            std::env::var_os("CI").is_none(),
            "UPDATE_GOLDEN is refused when CI is set: golden files are blessed by a person"
        );
        std::fs::write(&path, actual).expect("write golden file");
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|_| {
        panic!(
            "missing golden file {}; review the output and bless it with UPDATE_GOLDEN=1 cargo test",
            path.display()
        )
    });
    if expected != actual {
        let diff = first_difference(&expected, actual);
        panic!(
            "{} differs from the output (first difference at line {}):\n- {}\n+ {}\nIf the change is intended, bless it with UPDATE_GOLDEN=1 cargo test",
            path.display(),
            diff.0,
            diff.1,
            diff.2
        );
    }
}

fn first_difference(expected: &str, actual: &str) -> (usize, String, String) {
    let mut e = expected.lines();
    let mut a = actual.lines();
    let mut line = 1;
    loop {
        match (e.next(), a.next()) {
            (Some(x), Some(y)) if x == y => line += 1,
            (x, y) => {
                return (
                    line,
                    x.unwrap_or("<end>").to_string(),
                    y.unwrap_or("<end>").to_string(),
                )
            }
        }
    }
}

/// Folder where every PDF the tests produce is kept, for `qpdf --check` (`make test`).
pub fn pdf_dir() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("pdfs");
    std::fs::create_dir_all(&dir).expect("create the test PDF folder");
    dir
}

/// Typeset the book in `dir` in `profile`; keeps the PDF for qpdf and returns it with its dump.
pub fn build_pdf(name: &str, dir: &Path, profile: &str) -> (Vec<u8>, String) {
    let compiled = compile(dir, &ResolveOptions::default());
    let book = compiled.book.as_ref().expect("a book");
    let options = octavo::PdfOptions {
        profile: octavo::Profile::builtin(profile),
        chapters: None,
        readable: false,
        fonts: None,
    };
    let output = octavo::write_pdf(book, &options).expect("PDF written");
    std::fs::write(pdf_dir().join(format!("{name}.pdf")), &output.bytes).expect("keep PDF");
    let dump = dump_pdf(&output);
    (output.bytes, dump)
}

/// Every page of a PDF (each text line with its position, face and size; rules, images, links
/// and anchors), its chapter openings, outline, fonts and link counts. The PDF must have been
/// set in the bundled fonts (`PdfOptions::fonts` `None`), whose faces name the dump's.
pub fn dump_pdf(output: &octavo::PdfOutput) -> String {
    use octavo::layout::Item;
    let composition = &output.composition;
    let mut out = format!("== pages ({})\n", composition.pages.len());
    out.push_str(&octavo::layout_dump::dump_pages(&composition.pages));
    out.push_str("\n== chapter openings (page index)\n");
    for page in &composition.chapter_pages {
        out.push_str(&format!("{}\n", page + 1));
    }
    out.push_str("\n== outline (title -> page label)\n");
    for (depth, title, anchor) in &output.outline {
        let label = composition
            .anchors
            .get(anchor)
            .and_then(|(page, _)| composition.pages[*page].label.clone())
            .unwrap_or_else(|| "?".to_string());
        out.push_str(&format!("{}{title} -> {label}\n", "  ".repeat(*depth)));
    }
    let doc = lopdf::Document::load_mem(&output.bytes).expect("the PDF parses");
    // The embedded faces: the CID fonts under the Type0 fonts (whose own name may carry the
    // encoding, "…-Identity-H").
    let mut fonts = std::collections::BTreeSet::new();
    for (_, object) in doc.objects.iter() {
        if let Ok(dict) = object.as_dict() {
            let subtype = dict.get(b"Subtype").and_then(|t| t.as_name()).ok();
            if matches!(subtype, Some(b"CIDFontType0" | b"CIDFontType2")) {
                if let Ok(name) = dict.get(b"BaseFont").and_then(|n| n.as_name()) {
                    let name = String::from_utf8_lossy(name).into_owned();
                    fonts.insert(
                        name.split_once('+')
                            .map_or(name.clone(), |(_, n)| format!("XXXXXX+{n}")),
                    );
                }
            }
        }
    }
    out.push_str("\n== fonts\n");
    for font in fonts {
        out.push_str(&format!("{font}\n"));
    }
    let (mut internal, mut external) = (0, 0);
    for page in &composition.pages {
        for item in &page.items {
            match item {
                Item::Link(link) if matches!(link.target, octavo::layout::LinkDest::Anchor(_)) => {
                    internal += 1
                }
                Item::Link(_) => external += 1,
                _ => {}
            }
        }
    }
    out.push_str(&format!(
        "\n== links\ninternal {internal}\nexternal {external}\n"
    ));
    out
}

/// The body of one XHTML file of an EPUB, or an empty string.
pub fn xhtml_body(bytes: &[u8], name: &str) -> String {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a zip");
    let Ok(mut file) = archive.by_name(name) else {
        return String::new();
    };
    let mut text = String::new();
    file.read_to_string(&mut text).expect("UTF-8");
    let start = text.find("<body").unwrap_or(0);
    let end = text
        .find("</body>")
        .map_or(text.len(), |e| e + "</body>".len());
    text[start..end].to_string()
}

/// Copies the folder `from` into `to`, subfolders included: a corpus book built in a
/// temporary folder, so that a test can add its own book.toml.
pub fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read the folder").flatten() {
        let target = to.join(entry.file_name());
        if entry.file_type().expect("file type").is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy");
        }
    }
}

/// The book set in the print profile with the bundled fonts: the PDF most tests look at.
pub fn print_pdf(book: &octavo::Book) -> octavo::PdfOutput {
    let options = octavo::PdfOptions {
        profile: octavo::Profile::builtin("print"),
        chapters: None,
        readable: false,
        fonts: None,
    };
    octavo::write_pdf(book, &options).expect("PDF written")
}

/// Every glyph run the PDF's layout sets, page by page.
pub fn glyph_runs(output: &octavo::PdfOutput) -> Vec<&octavo::layout::GlyphRun> {
    output
        .composition
        .pages
        .iter()
        .flat_map(|page| &page.items)
        .filter_map(|item| match item {
            octavo::layout::Item::Glyphs(run) => Some(run),
            _ => None,
        })
        .collect()
}
