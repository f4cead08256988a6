//! `octavo check`: every stage of the pipeline, nothing written.
//!
//! It runs the same [`crate::build::compile`] as `build` and also renders the EPUB in memory,
//! so anything that would fail a build fails the check, and reports all problems at once.

use std::path::Path;

use crate::build::{compile, Compiled};
use crate::epub::write_epub;
use crate::resolve::ResolveOptions;

/// Run every stage for the book in `dir` without writing any file.
pub fn check_book(dir: &Path, options: &ResolveOptions) -> Compiled {
    let mut compiled = compile(dir, options);
    if compiled.diags.has_errors() {
        return compiled;
    }
    if let (Some(book), Some(manuscript)) = (&compiled.book, &compiled.manuscript) {
        let options = match crate::build::epub_options(manuscript) {
            Ok(options) => options,
            Err(err) => {
                compiled.diags.push(crate::diag::Diagnostic::error(
                    crate::diag::code::IO,
                    err.to_string(),
                ));
                return compiled;
            }
        };
        if let Err(err) = write_epub(book, &options) {
            compiled.diags.push(crate::diag::Diagnostic::error(
                crate::diag::code::IO,
                format!("the EPUB could not be assembled: {err}"),
            ));
        }
    }
    compiled
}
