//! Fonts, shared by the typesetter, the PDF writer, the EPUB and the cover: the faces octavo
//! ships ([`bundled`]), one face parsed with its metrics ([`face`]), a book's faces by role
//! with the fallback chains shaping consults ([`set`]), the faces book.toml's `[fonts]` names
//! ([`config`]), the system's faces for characters those cannot draw (`[fonts] system`:
//! [`system`]), the probe that a face can be subset for the PDF ([`subset`]), and the
//! faces and options SVG figures are parsed with ([`svg`]).
//!
//! The build loads the book's fonts once ([`configured_fonts`], or [`FontSet::builtin`]) and
//! hands the same set to both backends, so the EPUB embeds the faces the PDF is set in.

pub(crate) mod bundled;
mod config;
mod face;
mod set;
mod subset;
mod svg;
pub(crate) mod system;

pub(crate) use config::configured_fonts;
pub(crate) use face::guard;
pub(crate) use face::{FontError, FontFace};
pub(crate) use set::{FaceChoice, FaceId, FaceRole, Family, FontSet, Style};
pub(crate) use svg::{parse_svg, svg_font_database};
