//! The PDF backend: our own typesetter (DESIGN.md "Line breaking is ours", "Page building is
//! ours"). Landing piece by piece: the Knuth-Plass line breaker, hyphenation, the page
//! builder, profiles and the layout IR are here and tested; shaping and rendering follow.

pub mod hyphen;
pub mod layout_ir;
pub mod linebreak;
pub mod page;
pub mod profile;
