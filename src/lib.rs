//! octavo: a folder of Markdown in, a valid EPUB 3 and a typeset PDF out.
//!
//! The pipeline runs one way (DESIGN.md): `manuscript` loads book.toml and the chapter files
//! (confined to the book folder), `fonts` loads the faces book.toml names, `markdown` turns
//! each chapter into the `doc` model, `resolve` fills in ids, notes, citations (`cite`) and
//! link targets, and the backends render the resolved book: `epub`, and `typeset` (the book
//! set in pages of positioned glyphs) written by `pdf`. Problems travel as [`Diagnostic`]s
//! with spans. The commands (`build`, `check`, `new`) drive it.
//!
//! Modules are private; what the command line and the tests use is re-exported here. A module
//! imports only from its own layer or a lower one (tests/architecture.rs holds the table):
//!
//! | layer | modules                                                   |
//! |-------|-----------------------------------------------------------|
//! | 0     | diag, xml, timing, progress, parallel, locale, url, units |
//! | 1     | doc, config                                               |
//! | 2     | manuscript                                                |
//! | 3     | fonts, css, highlight                                     |
//! | 4     | markdown                                                  |
//! | 5     | resolve, cite, toc                                        |
//! | 6     | typeset                                                   |
//! | 7     | pdf, epub                                                 |
//! | 8     | build, check, new, cover (and the binary)                 |

#![warn(missing_docs, unreachable_pub)]

mod build;
mod check;
mod cite;
mod config;
mod cover;
mod css;
mod diag;
mod doc;
mod epub;
mod fonts;
mod highlight;
mod locale;
mod manuscript;
mod markdown;
mod math;
mod new;
mod parallel;
mod pdf;
mod progress;
mod resolve;
mod timing;
mod toc;
mod typeset;
mod units;
mod url;
mod xml;

pub use build::{
    build_outputs, build_pdf, compile, epub_options, BuildError, BuildOptions, BuildReport,
    Compiled, Format,
};
pub use check::{check_book, check_glyphs};
pub use diag::{
    code, escape_controls, render_human, render_json, Diagnostic, Diagnostics, FileId, Severity,
    SourceMap, Span,
};
pub use doc::{plain_text, Book, CodeToken, TokenClass};
pub use epub::conformance::Conformance;
pub use epub::xhtml::chapter_file;
pub use epub::{write_epub, EpubMath, EpubOptions};
pub use highlight::classify as classify_code;
pub use markdown::citations::find_citations;
pub use markdown::html::{is_html_element, tokenize, HtmlToken};
pub use markdown::{math_prepared_source, parser_options, parser_options_for};
pub use new::{create_book, NewOptions};
pub use pdf::{write_pdf, CoverOutput, PdfOptions, PdfOutput};
pub use progress::{enable as enable_progress, finish as finish_progress, phase as progress_phase};
pub use resolve::ResolveOptions;
pub use typeset::cover_wrap;
pub use typeset::layout;
pub use typeset::layout_dump;
pub use typeset::profile::Profile;
pub use typeset::structure;
