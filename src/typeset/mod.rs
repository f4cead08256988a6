//! The typesetter (DESIGN.md "Line breaking is ours", "Page building is ours"): the resolved
//! book to pages of positioned glyph runs, rules, images, links and anchors ([`layout`]),
//! which a backend writes without setting any type of its own.
//!
//! The phases, one file each: [`shape`] turns text into positioned glyphs (through the
//! book's [`crate::fonts::FontSet`]), [`hyphen`] finds hyphenation points, [`paragraph`]
//! builds the items of a paragraph and sets its lines, broken by [`linebreak`]
//! (Knuth-Plass); [`compose`] sets each kind of block into a vertical flow and assembles the
//! book, and [`page`] cuts a flow into pages. The page geometry and sizes come from the
//! [`profile`].

pub(crate) mod code_breaks;
pub(crate) mod compose;
pub mod cover_wrap;
pub(crate) mod hyphen;
pub mod layout;
pub mod layout_dump;
pub(crate) mod linebreak;
pub(crate) mod math;
pub(crate) mod page;
pub(crate) mod page_list;
pub(crate) mod paragraph;
pub(crate) mod profile;
pub(crate) mod shape;
pub mod structure;
pub(crate) mod style;

use crate::doc::Book;
use crate::fonts::FontSet;
use compose::{Composer, Composition};
use paragraph::TextContext;
use profile::Profile;

/// The book set in pages, and the characters no font could draw (for warnings).
pub(crate) struct Typeset {
    /// The pages, anchors and page numbering.
    pub composition: Composition,
    /// Characters drawn as blanks, in the order first met.
    pub missing_glyphs: Vec<char>,
}

/// What setting text in `book`'s language, `profile`'s design and `fonts` needs: the
/// shaping cache, the hyphenator, the shaping options.
pub(crate) fn text_context<'f>(
    book: &Book,
    profile: &'f Profile,
    fonts: &'f FontSet<'static>,
) -> TextContext<'f> {
    TextContext {
        fonts,
        design: &profile.design,
        cache: shape::ShapeCache::new(),
        hyphenator: Some(hyphen::Hyphenator::new(&book.meta.language)),
        options: shape::ShapeOptions {
            kerning: true,
            ligatures: true,
            oldstyle_figures: profile.oldstyle_figures,
            small_caps: false,
            language: Some(book.meta.language.clone()),
            direction: shape::ShapeDirection::OfScript,
        },
        right_to_left: crate::locale::is_rtl(&book.meta.language),
        missing: Vec::new(),
    }
}

/// Set `book` in `profile` with `fonts` (only the chapters whose indices are in `chapters`,
/// for a handout, when given).
pub(crate) fn typeset(
    book: &Book,
    profile: &Profile,
    fonts: &FontSet<'static>,
    chapters: Option<&[usize]>,
) -> Typeset {
    let ctx = text_context(book, profile, fonts);
    let mut composer = Composer::new(book, profile, ctx);
    let composition = crate::timing::time("pdf compose", || composer.compose(chapters));
    let missing_glyphs = std::mem::take(&mut composer.ctx.missing);
    // The shaping cache and hyphenation memo are of no more use.
    crate::parallel::drop_in_background(composer.ctx.cache);
    Typeset {
        composition,
        missing_glyphs,
    }
}
