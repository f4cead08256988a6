//! Every EPUB valid, nothing lost, no panic: chapters generated from a grammar of Markdown's
//! block and inline constructs (`common::grammar`) are built through every stage. For each:
//! no stage may panic; every word reaches the EPUB (and, for a sample, the PDF) or is covered
//! by a located diagnostic; and when the build is clean, every XHTML, OPF and NCX file of the
//! EPUB is well-formed XML. A sample of the clean EPUBs goes through EPUBCheck in `make test`.
//! The `grammar` fuzz target in `fuzz/` runs the same property on the fuzzer's choices.

mod common;

use std::path::Path;

use common::grammar::{self, Lcg};
use common::wellformed::assert_well_formed;
use common::words::{check_epub, check_pdf};
use octavo::compile;
use octavo::ResolveOptions;

/// How many random books the test builds (each is two chapters).
const ROUNDS: usize = 400;
/// Every how many rounds the PDF is also set and its text checked (pdftotext is slow).
const PDF_EVERY: usize = 20;

/// A book folder with an image the grammar refers to and a second chapter to link to.
fn book_folder() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().expect("temp dir");
    let dir = tmp.path();
    std::fs::create_dir_all(dir.join("images")).expect("mkdir");
    std::fs::write(
        dir.join("book.toml"),
        "title = \"Grammar\"\ndate = \"2024\"\nchapters = [\"a.md\", \"other.md\"]\n",
    )
    .expect("toml");
    let mut png = Vec::new();
    image::RgbImage::from_pixel(4, 4, image::Rgb([200, 30, 30]))
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .expect("a PNG");
    std::fs::write(dir.join("images/dot.png"), png).expect("image");
    tmp
}

/// Build the book in `dir`; check its outputs. Returns the EPUB when the build was clean.
fn build_and_check(dir: &Path, round: usize, context: &str) -> Option<Vec<u8>> {
    let compiled = compile(dir, &ResolveOptions::default());
    let book = compiled.book.as_ref()?;
    let options = octavo::epub_options(&compiled).expect("EPUB options");
    let epub = octavo::write_epub(book, &options).expect("EPUB written");
    let sources = compiled.sources();
    if let Err(e) = check_epub(book, sources, &compiled.diags, &epub) {
        panic!("{e}\nfor {context}");
    }
    if round.is_multiple_of(PDF_EVERY) {
        let pdf_options = octavo::PdfOptions {
            profile: octavo::Profile::builtin("a4"),
            chapters: None,
            readable: false,
            fonts: None,
        };
        let pdf = octavo::write_pdf(book, &pdf_options).expect("PDF written");
        let path = dir.join("grammar.pdf");
        std::fs::write(&path, &pdf.bytes).expect("write PDF");
        if let Err(e) = check_pdf(book, sources, &compiled.diags, &path, &pdf) {
            panic!("{e}\nfor {context}");
        }
    }
    if compiled.diags.has_errors() {
        return None;
    }
    assert_well_formed(&epub, context);
    Some(epub)
}

#[test]
fn generated_books_are_valid_and_lose_nothing() {
    let tmp = book_folder();
    let dir = tmp.path();
    let mut rng = Lcg(0x0c7a_5eed);
    let mut kept = 0;
    let mut clean = 0;
    for round in 0..ROUNDS {
        let a = grammar::chapter(&mut rng);
        let other = grammar::chapter(&mut rng);
        std::fs::write(dir.join("a.md"), &a).expect("write a");
        std::fs::write(dir.join("other.md"), &other).expect("write other");
        let context = format!("round {round}:\n--- a.md\n{a}\n--- other.md\n{other}");
        let result = std::panic::catch_unwind(|| build_and_check(dir, round, &context));
        let epub = match result {
            Ok(epub) => epub,
            Err(panic) => std::panic::resume_unwind(panic),
        };
        if let Some(bytes) = epub {
            clean += 1;
            if kept < 10 && clean % 15 == 1 {
                common::keep_for_epubcheck(&format!("grammar-{round}"), &bytes);
                kept += 1;
            }
        }
    }
    assert!(
        clean > ROUNDS / 10,
        "too few clean books ({clean}) to say much about validity"
    );
}
