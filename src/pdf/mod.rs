//! The PDF backend: our own typesetter (DESIGN.md "Line breaking is ours", "Page building is
//! ours"). Landing piece by piece: the Knuth-Plass line breaker and hyphenation are here and
//! tested; shaping, page building and rendering follow.

pub mod hyphen;
pub mod linebreak;
