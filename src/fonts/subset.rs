//! A face cut down to a few glyphs as the PDF writer will cut it, to learn early whether it
//! can be embedded.
//!
//! The PDF writer (krilla) subsets every face it embeds with `subsetter` 0.2, the version
//! octavo depends on too; the font configuration probes a face through the same subsetter, so
//! that a font named in book.toml that cannot be subset is an error at its key when the book
//! is loaded (in `check` as in `build`), not a failure after the book has been typeset. A CFF
//! face comes back from `subsetter` as an `OTTO` file whose `CFF ` table is what the PDF
//! embeds: a subset without one cannot be embedded.

use rustybuzz::ttf_parser;

use super::face::{guard, FontFace};

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

/// Subsets `face` to the glyphs of `remapper` as the PDF writer will, and checks that the
/// subset holds what the PDF embeds.
pub(crate) fn subset_face(
    face: &FontFace<'_>,
    remapper: &subsetter::GlyphRemapper,
) -> Result<(), SubsetError> {
    let bytes = guard(|| subsetter::subset(face.data(), face.index(), remapper))
        .ok_or(SubsetError::Malformed)?
        .map_err(|e| SubsetError::Rejected(e.to_string()))?;
    if !bytes.starts_with(b"OTTO") {
        return Ok(());
    }
    let raw = ttf_parser::RawFace::parse(&bytes, 0).map_err(|_| SubsetError::NoCff)?;
    match raw.table(ttf_parser::Tag::from_bytes(b"CFF ")) {
        Some(_) => Ok(()),
        None => Err(SubsetError::NoCff),
    }
}

/// Characters whose glyphs [`probe_subset`] subsets: what nearly every book prints.
const PROBE_CHARACTERS: &str = "AZaz09 .,";

/// Read `face` as the PDF writer (krilla) does and subset it to a few glyphs as krilla will,
/// so that a font the PDF cannot embed (tables krilla or the subsetter cannot read) is an
/// error at its book.toml key, in `check` as in `build` (or a system face passed over), not
/// a failure after the book has been typeset.
pub(super) fn probe_subset(face: &FontFace<'static>) -> Result<(), &'static str> {
    let readable =
        guard(|| krilla::text::Font::new(krilla::Data::from(face.data()), face.index()).is_some());
    if readable != Some(true) {
        return Err("the PDF writer cannot read it (malformed font)");
    }
    let mut remapper = subsetter::GlyphRemapper::new();
    for c in PROBE_CHARACTERS.chars() {
        if let Some(glyph) = face.glyph_for(c) {
            remapper.remap(glyph);
        }
    }
    match subset_face(face, &remapper) {
        Ok(()) => Ok(()),
        Err(SubsetError::Malformed | SubsetError::Rejected(_)) => {
            Err("it cannot be subset for the PDF (malformed font)")
        }
        Err(SubsetError::NoCff) => {
            Err("it cannot be subset for the PDF (no CFF table in the subset)")
        }
    }
}
