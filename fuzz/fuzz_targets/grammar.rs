//! Chapters generated from Markdown's grammar (`tests/common/grammar.rs`) with the fuzzer's
//! bytes as the choices: no stage may panic, every word reaches the EPUB or is covered by a
//! located diagnostic, and a clean build's EPUB is well-formed XML. The property test
//! `tests/every_epub_valid.rs` runs the same checks on a seeded generator in `make test`.
//! Run: `cargo fuzz run grammar` (nightly, or RUSTC_BOOTSTRAP=1 on stable).

#![no_main]

// Shared with the integration tests, which use the parts this target does not.
#[allow(dead_code)]
#[path = "../../tests/common/grammar.rs"]
mod grammar;
#[path = "../../tests/common/wellformed.rs"]
mod wellformed;
#[allow(dead_code)]
#[path = "../../tests/common/words.rs"]
mod words;

use std::path::PathBuf;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use octavo::compile;
use octavo::ResolveOptions;

/// The fuzzer's bytes as the generator's choices (zeros once they run out).
struct Bytes<'a>(&'a [u8]);

impl grammar::Choices for Bytes<'_> {
    fn below(&mut self, n: usize) -> usize {
        let Some((&first, rest)) = self.0.split_first() else {
            return 0;
        };
        self.0 = rest;
        usize::from(first) % n.max(1)
    }
}

/// One book folder per fuzzing process, reused for every input.
fn book_dir() -> &'static PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("octavo-grammar-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("images")).expect("fuzz book folder");
        std::fs::write(
            dir.join("book.toml"),
            "title = \"Fuzz\"\nchapters = [\"a.md\", \"other.md\"]\n",
        )
        .expect("book.toml");
        std::fs::write(dir.join("other.md"), "# Other\n\nText.\n").expect("other.md");
        let mut png = Vec::new();
        image::RgbImage::from_pixel(2, 2, image::Rgb([0, 0, 0]))
            .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
            .expect("a PNG");
        std::fs::write(dir.join("images/dot.png"), png).expect("image");
        dir
    })
}

fuzz_target!(|data: &[u8]| {
    let dir = book_dir();
    let chapter = grammar::chapter(&mut Bytes(data));
    if std::fs::write(dir.join("a.md"), &chapter).is_err() {
        return;
    }
    let compiled = compile(dir, &ResolveOptions::default());
    let Some(book) = &compiled.book else {
        return;
    };
    let options = octavo::epub_options(&compiled).expect("EPUB options");
    let epub = octavo::write_epub(book, &options).expect("EPUB written");
    if let Err(e) = words::check_epub(book, compiled.sources(), &compiled.diags, &epub) {
        panic!("{e}\n--- a.md\n{chapter}");
    }
    if !compiled.diags.has_errors() {
        wellformed::assert_well_formed(&epub, &chapter);
    }
});
