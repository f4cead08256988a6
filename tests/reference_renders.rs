//! Reference renders: chosen pages of the sample book (the contents, a chapter opening with a
//! footnote, the figure, the table), set in each profile (print, a4, letter), and in print two
//! pages of the images test book (SVG figures drawn as vectors with their text, rasters at
//! their natural sizes; its seven-column table), two of the code test book (highlighting in
//! print's greys and faces, numbered and highlighted lines) and the first page of the
//! formula test book and the page of the languages test book (five scripts, two of them
//! right to left), rendered to grey images and compared with the PNGs in
//! tests/reference/ within a tolerance, so that a visual change the text dumps of
//! tests/golden/ cannot see (a glyph drawn wrong, a rule's thickness, an image, a colour, the
//! page size) fails, as does a change in margins, sizes or spacing.
//!
//! The renderer is PDFium through the PyPI package `pypdfium2`, at the exact version in
//! tests/reference/renderer.txt, installed into .tools/pypdfium2 by `make test-tools` (part
//! of `make test`) and driven by tests/reference/render.py. Pinned this way, every machine
//! renders with the same PDFium build, which brings its own FreeType and rasteriser: the
//! references are reproduced pixel for pixel, on any distribution, so the tolerance can be
//! tight. poppler's `pdftoppm` was the other candidate; its version is whatever the
//! distribution ships (22.12 on Debian 12, other versions elsewhere) and its antialiasing
//! depends on the system's FreeType and Cairo, so references made on one machine would drift
//! on another. A missing or different renderer fails the test; it never skips.
//!
//! Bless intended changes with `UPDATE_REFERENCE=1 cargo test --test reference_renders`
//! (refused when CI is set), look at the new PNGs, and commit them.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use image::{GrayImage, ImageEncoder, Rgb, RgbImage};
use octavo::layout::{page_text, Item, Page, PageKind};

/// Render resolution: 1 pixel per point, enough to see a line or a margin move by a point,
/// small enough to commit (a page is 15 to 60 KB as a grey PNG).
const DPI: u32 = 72;

/// A pixel differs when its grey level is off by more than this (of 255). The pinned PDFium
/// reproduces its renders exactly; the margin absorbs rounding in another build of the same
/// version (another processor), which moves antialiased edges by a few levels.
const PIXEL_THRESHOLD: u8 = 24;

/// The most pixels of a page that may differ. Measured on the chosen pages (print, a4,
/// letter): two letters of one word swapped differ in 34 to 123 pixels, a comma made a
/// semicolon in 254 to 709, the table's rules twice as thick in 320 to 914, the map drawn
/// 2 pt narrower in 4,000 to 6,900, a margin or the body size changed by a point in 10,000 to
/// 46,000. A rule under a point thick is drawn one pixel wide whatever its thickness: the
/// golden dumps see that.
const MAX_DIFFERING_PIXELS: usize = 20;

/// A page chosen for rendering: its name in the reference files and how to find it.
struct Chosen {
    name: &'static str,
    what: &'static str,
    find: fn(&Page) -> bool,
}

/// The contents, a chapter opening with a footnote and Khmer, the figure, and the table.
const CHOSEN: [Chosen; 4] = [
    Chosen {
        name: "contents",
        what: "the first page of the contents",
        find: |page| page_text(page).trim_start().starts_with("Contents"),
    },
    Chosen {
        name: "chapter-1",
        what: "the opening of chapter 1 (footnote, Khmer)",
        find: |page| {
            page.kind == PageKind::Opening && page_text(page).trim_start().starts_with("Chapter 1")
        },
    },
    Chosen {
        name: "figure",
        what: "the page with the map",
        find: |page| {
            page.kind != PageKind::Cover
                && page.items.iter().any(|item| matches!(item, Item::Image(_)))
        },
    },
    Chosen {
        name: "table",
        what: "the first page of the timeline's table",
        find: |page| page_text(page).contains("Cambodian communists found"),
    },
];

#[test]
fn print_pages_match_their_references() {
    check_profile("print");
}

#[test]
fn a4_pages_match_their_references() {
    check_profile("a4");
}

#[test]
fn letter_pages_match_their_references() {
    check_profile("letter");
}

/// The first page of the images test book's first chapter: an SVG with text labels, one
/// from graphviz with the SVG 1.1 document type, and the start of the rasters.
#[test]
fn an_images_page_matches_its_reference() {
    check_book_page("images", "print-images", "Figure 1.1: A diagram");
}

/// The images test book's seven-column table, set smaller and wrapped inside the text block
/// with its rules across the table, under its numbered caption.
#[test]
fn a_wide_table_page_matches_its_reference() {
    check_book_page("images", "print-images-table", "Table 3.1: Seven columns");
}

/// The code test book's first chapter opening: a captioned Rust listing in the print code
/// theme's greys and faces, a comment in Japanese from the CJK fallback, and more languages.
#[test]
fn a_code_page_matches_its_reference() {
    check_book_page("code", "print-code", "Listing 1.1: Summing a slice");
}

/// The formula test book's first page: inline formulas on the baseline, display formulas
/// centred with their numbers, fractions, radicals, an integral's limits, `aligned`, the
/// matrices and `cases` (tests/cases/math, which tests/math.rs checks in text).
#[test]
fn a_math_page_matches_its_reference() {
    check_book_page("math", "print-math", "The roots are in");
}

/// The equations test book's page: an `align` numbered row by row (a `\notag` row without
/// a number), a `gather` with a tag, each number on its row's baseline at the right margin,
/// and `\eqref` in the text and in a formula (tests/equation_rows.rs checks them by position).
#[test]
fn an_equations_page_matches_its_reference() {
    check_book_page("equations", "print-equations", "First, a counted one");
}

/// The code test book's page of numbered lines with a highlighted one (the number and the bar
/// in the margin), after a misspelled and an unknown language set plain.
#[test]
fn a_page_of_numbered_code_lines_matches_its_reference() {
    check_book_page("code", "print-code-lines", "Numbered lines");
}

/// The languages test book's page: German, French and Greek passages, Arabic and Hebrew
/// phrases shown right to left inside English lines, and an Arabic and a Hebrew paragraph
/// set flush right (tests/cases/languages, which tests/languages.rs checks by position).
#[test]
fn a_page_in_five_scripts_matches_its_reference() {
    check_book_page(
        "languages",
        "print-languages",
        "Most of this book is English",
    );
}

/// Sets the test book `tests/cases/{case}` in print, renders the first page whose text holds
/// `marker` and compares it with (or blesses) the reference `{name}.png`.
fn check_book_page(case: &str, name: &str, marker: &str) {
    let output = book_pdf(
        &common::repo().join("tests/cases").join(case),
        "print",
        name,
    );
    let number = output
        .composition
        .pages
        .iter()
        .position(|page| page_text(page).contains(marker))
        .unwrap_or_else(|| panic!("no page of {case} holds {marker:?}"))
        + 1;
    let work = work_dir();
    let pdf_path = work.join(format!("{name}.pdf"));
    std::fs::write(&pdf_path, &output.bytes).expect("write the PDF to render");
    let prefix = work.join(name);
    render_pages(&pdf_path, &[number], &prefix);
    let actual = read_render(&prefix, number);
    if blessing() {
        write_png(&reference_dir().join(format!("{name}.png")), &actual);
    } else if let Err(failure) = compare(name, &format!("the page of {marker:?}"), number, &actual)
    {
        panic!("{failure}");
    }
}

/// Sets the sample book in `profile`, renders each chosen page and compares (or blesses) it.
fn check_profile(profile: &str) {
    let bless = blessing();
    let output = sample_book_pdf(profile);
    let work = work_dir();
    let pdf_path = work.join(format!("{profile}.pdf"));
    std::fs::write(&pdf_path, &output.bytes).expect("write the PDF to render");
    let numbers: Vec<usize> = CHOSEN
        .iter()
        .map(|chosen| {
            let index = output.composition.pages.iter().position(chosen.find);
            let index = index
                .unwrap_or_else(|| panic!("{profile}: {} is not in the sample book", chosen.what));
            index + 1
        })
        .collect();
    let prefix = work.join(profile);
    render_pages(&pdf_path, &numbers, &prefix);
    let mut failures = Vec::new();
    for (chosen, &number) in CHOSEN.iter().zip(&numbers) {
        let name = format!("{profile}-{}", chosen.name);
        let actual = read_render(&prefix, number);
        if bless {
            write_png(&reference_dir().join(format!("{name}.png")), &actual);
        } else if let Err(failure) = compare(&name, chosen.what, number, &actual) {
            failures.push(failure);
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// The sample book set in `profile` with the bundled fonts; the PDF is kept for qpdf.
fn sample_book_pdf(profile: &str) -> octavo::PdfOutput {
    book_pdf(
        &common::repo().join("manuscript"),
        profile,
        &format!("reference-{profile}"),
    )
}

/// The book in `dir` set in `profile` with the bundled fonts; the PDF is kept for qpdf as
/// `kept`.pdf.
fn book_pdf(dir: &Path, profile: &str, kept: &str) -> octavo::PdfOutput {
    let compiled = octavo::compile(dir, &octavo::ResolveOptions::default());
    let book = compiled.book.as_ref().expect("the book compiles");
    let options = octavo::PdfOptions {
        profile: octavo::Profile::builtin(profile),
        chapters: None,
        readable: false,
        fonts: compiled.fonts.clone(),
    };
    let output = octavo::write_pdf(book, &options).expect("PDF written");
    let kept = common::pdf_dir().join(format!("{kept}.pdf"));
    std::fs::write(kept, &output.bytes).expect("keep the PDF for qpdf");
    output
}

/// Whether this run rewrites the references (`UPDATE_REFERENCE=1`; refused when CI is set).
fn blessing() -> bool {
    let update = std::env::var_os("UPDATE_REFERENCE").is_some_and(|v| v == "1");
    assert!(
        !update || std::env::var_os("CI").is_none(),
        "UPDATE_REFERENCE is refused when CI is set: reference renders are blessed by a person"
    );
    update
}

fn reference_dir() -> PathBuf {
    common::repo().join("tests/reference")
}

/// Where renders, and on failure the actual and difference images, are written.
fn work_dir() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("reference-renders");
    std::fs::create_dir_all(&dir).expect("create the render folder");
    dir
}

/// The pinned renderer, `pypdfium2==<version>` (tests/reference/renderer.txt, which the
/// Makefile's `test-tools` installs).
fn renderer_pin() -> String {
    let path = reference_dir().join("renderer.txt");
    let pin = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    pin.trim().to_string()
}

/// `PYTHONPATH` with .tools/pypdfium2 first, where `make test-tools` installs the renderer.
fn python_path() -> std::ffi::OsString {
    let tools = common::repo().join(".tools/pypdfium2");
    let existing = std::env::var_os("PYTHONPATH").unwrap_or_default();
    let paths = std::iter::once(tools).chain(std::env::split_paths(&existing));
    std::env::join_paths(paths).expect("a PYTHONPATH")
}

/// Renders pages `numbers` (from 1) of `pdf` at [`DPI`] to `<prefix>-<number>.pgm`. A missing
/// Python or renderer, or another version of it, fails the test.
fn render_pages(pdf: &Path, numbers: &[usize], prefix: &Path) {
    let output = Command::new("python3")
        .arg(reference_dir().join("render.py"))
        .arg(renderer_pin())
        .arg(pdf)
        .arg(DPI.to_string())
        .arg(prefix)
        .args(numbers.iter().map(usize::to_string))
        .env("PYTHONPATH", python_path())
        .output()
        .unwrap_or_else(|e| {
            panic!("python3 (installed with the renderer by `make test-tools`) could not run: {e}")
        });
    assert!(
        output.status.success(),
        "the renderer failed on {}: {}{}",
        pdf.display(),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// The grey render of page `number` written by [`render_pages`].
fn read_render(prefix: &Path, number: usize) -> GrayImage {
    let path = PathBuf::from(format!("{}-{number}.pgm", prefix.display()));
    image::open(&path)
        .unwrap_or_else(|e| panic!("cannot read the render {}: {e}", path.display()))
        .to_luma8()
}

/// Compares a render with its reference; on a difference, writes the render and a difference
/// image into the work folder and says where.
fn compare(name: &str, what: &str, number: usize, actual: &GrayImage) -> Result<(), String> {
    let reference_path = reference_dir().join(format!("{name}.png"));
    let reference = image::open(&reference_path)
        .map_err(|e| {
            format!(
                "{name}: no reference render {} ({e}); make one with UPDATE_REFERENCE=1 cargo test \
                 --test reference_renders and check it by eye",
                reference_path.display()
            )
        })?
        .to_luma8();
    let actual_path = work_dir().join(format!("{name}-actual.png"));
    if reference.dimensions() != actual.dimensions() {
        write_png(&actual_path, actual);
        return Err(format!(
            "{name}: {what} (page {number}) is {:?} pixels, its reference {} is {:?}; the render \
             is {}",
            actual.dimensions(),
            reference_path.display(),
            reference.dimensions(),
            actual_path.display()
        ));
    }
    let differing = differing_pixels(&reference, actual);
    if differing <= MAX_DIFFERING_PIXELS {
        return Ok(());
    }
    let diff_path = work_dir().join(format!("{name}-diff.png"));
    write_png(&actual_path, actual);
    difference_image(&reference, actual)
        .save(&diff_path)
        .expect("write the difference image");
    Err(format!(
        "{name}: {what} (page {number}) differs from {} in {differing} pixels by more than \
         {PIXEL_THRESHOLD} grey levels (at most {MAX_DIFFERING_PIXELS} may).\nThe render is \
         {}, the differences are red in {}.\nIf the change is intended, bless it with \
         UPDATE_REFERENCE=1 cargo test --test reference_renders",
        reference_path.display(),
        actual_path.display(),
        diff_path.display()
    ))
}

/// Pixels whose grey levels differ by more than [`PIXEL_THRESHOLD`].
fn differing_pixels(reference: &GrayImage, actual: &GrayImage) -> usize {
    reference
        .pixels()
        .zip(actual.pixels())
        .filter(|(a, b)| a.0[0].abs_diff(b.0[0]) > PIXEL_THRESHOLD)
        .count()
}

/// The reference faded, with the differing pixels in red.
fn difference_image(reference: &GrayImage, actual: &GrayImage) -> RgbImage {
    RgbImage::from_fn(reference.width(), reference.height(), |x, y| {
        let (a, b) = (reference.get_pixel(x, y).0[0], actual.get_pixel(x, y).0[0]);
        if a.abs_diff(b) > PIXEL_THRESHOLD {
            Rgb([220, 0, 0])
        } else {
            let faded = 255 - (255 - a) / 4;
            Rgb([faded, faded, faded])
        }
    })
}

/// Writes a grey PNG with the strongest compression (references are committed).
fn write_png(path: &Path, image: &GrayImage) {
    let file = std::fs::File::create(path)
        .unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
    let encoder = image::codecs::png::PngEncoder::new_with_quality(
        std::io::BufWriter::new(file),
        image::codecs::png::CompressionType::Best,
        image::codecs::png::FilterType::Adaptive,
    );
    encoder
        .write_image(
            image.as_raw(),
            image.width(),
            image.height(),
            image::ExtendedColorType::L8,
        )
        .unwrap_or_else(|e| panic!("cannot encode {}: {e}", path.display()));
}
