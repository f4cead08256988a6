//! Arbitrary bytes as a chapter, through every stage and both backends: no input may panic.
//! Run: `cargo fuzz run chapter` (nightly, or RUSTC_BOOTSTRAP=1 on stable).

#![no_main]

use std::path::PathBuf;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use octavo::compile;
use octavo::{write_epub, EpubOptions};
use octavo::ResolveOptions;

/// One book folder per fuzzing process, reused for every input.
fn book_dir() -> &'static PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let base = if std::path::Path::new("/dev/shm").is_dir() {
            PathBuf::from("/dev/shm")
        } else {
            std::env::temp_dir()
        };
        let dir = base.join(format!("octavo-fuzz-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("chapters")).expect("fuzz book folder");
        std::fs::write(dir.join("book.toml"), "title = \"Fuzz\"\n").expect("book.toml");
        dir
    })
}

fuzz_target!(|data: &[u8]| {
    let dir = book_dir();
    if std::fs::write(dir.join("chapters/a.md"), data).is_err() {
        return;
    }
    let compiled = compile(dir, &ResolveOptions::default());
    if let (false, Some(book)) = (compiled.diags.has_errors(), &compiled.book) {
        let _ = write_epub(book, &EpubOptions::default());
        let options = octavo::PdfOptions {
            profile: octavo::Profile::builtin("print"),
            chapters: None,
            readable: false,
            fonts: None,
        };
        let _ = octavo::write_pdf(book, &options);
    }
});
