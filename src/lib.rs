//! octavo: a folder of Markdown in, a valid EPUB 3 and a typeset PDF out.
//!
//! The pipeline runs one way (DESIGN.md): [`manuscript`] loads book.toml and the chapter files
//! (confined to the book folder), [`markdown`] turns each chapter into the [`doc`] model,
//! [`resolve`] fills in ids, notes, citations ([`cite`]) and link targets, and the backends
//! ([`epub`]) render the resolved book. Problems travel as [`diag::Diagnostic`]s with spans.
//! The commands ([`build`], [`check`], [`new`]) drive it.

pub mod build;
pub mod check;
pub mod cite;
pub mod config;
pub mod cover;
pub mod css;
pub mod diag;
pub mod doc;
pub mod epub;
pub mod fonts;
pub mod locale;
pub mod manuscript;
pub mod markdown;
pub mod new;
pub mod parallel;
pub mod pdf;
pub mod progress;
pub mod resolve;
pub mod timing;
pub mod toc;
pub mod typeset;
pub mod url;
pub mod xml;
