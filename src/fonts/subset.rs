//! A face cut down to the glyphs a document uses, in the form a PDF embeds it.
//!
//! Subsetting belongs with the fonts rather than with the PDF writer because the font
//! configuration probes it: a font named in book.toml that cannot be subset is an error at its
//! key when the book is loaded (in `check` as in `build`), not a failure after the book has
//! been typeset. What comes out of `subsetter` 0.2:
//!
//! - A TrueType (`glyf`) face comes back as a TrueType file, embedded whole.
//! - A CFF face comes back as an `OTTO` file whose `CFF ` table is CID-keyed with an identity
//!   charset (subsetter rewrites it so); the bare table is what a PDF embeds.

use rustybuzz::ttf_parser;

use super::face::{guard, FontFace};

/// The outlines of a subset, in the form they are embedded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum FontProgram {
    /// A TrueType file (`/FontFile2`).
    TrueType(Vec<u8>),
    /// A bare CID-keyed CFF table (`/FontFile3 /Subtype /CIDFontType0C`).
    Cff(Vec<u8>),
}

impl FontProgram {
    /// Reads `subsetter`'s output: an `OTTO` file gives its `CFF ` table, anything else is
    /// taken as TrueType. `None` if an `OTTO` file has no `CFF ` table.
    pub(crate) fn from_subset(bytes: Vec<u8>) -> Option<FontProgram> {
        if !bytes.starts_with(b"OTTO") {
            return Some(FontProgram::TrueType(bytes));
        }
        let raw = ttf_parser::RawFace::parse(&bytes, 0).ok()?;
        let cff = raw.table(ttf_parser::Tag::from_bytes(b"CFF "))?;
        Some(FontProgram::Cff(cff.to_vec()))
    }
}

/// Why a face could not be subset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum SubsetError {
    /// The subsetter gave up on the face's tables (it panicked on them).
    Malformed,
    /// The subsetter refused the face: what it reported.
    Rejected(String),
    /// The subset of a CFF face holds no `CFF ` table.
    NoCff,
}

/// The subset of `face` holding the glyphs of `remapper` (new glyph ids in ascending order of
/// the old ones), as it will be embedded.
pub(crate) fn subset_face(
    face: &FontFace<'_>,
    remapper: &subsetter::GlyphRemapper,
) -> Result<FontProgram, SubsetError> {
    let bytes = guard(|| subsetter::subset(face.data(), face.index(), remapper))
        .ok_or(SubsetError::Malformed)?
        .map_err(|e| SubsetError::Rejected(e.to_string()))?;
    FontProgram::from_subset(bytes).ok_or(SubsetError::NoCff)
}
