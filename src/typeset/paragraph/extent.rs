//! How wide a paragraph is before it is set: its narrowest width (the widest stretch
//! between two places a line may break, hyphenation aside) and its widest (all of it on one
//! line), as CSS's min-content and max-content widths. Table columns are sized from them.
//!
//! The paragraph is built into line-breaking items exactly as [`super::set_paragraph`]
//! builds it (the same words, spaces, note calls and break opportunities), so that a column
//! given a cell's widest width sets it on one line, and one given its narrowest breaks no
//! word.

use super::{Alignment, Builder, ParagraphSpec, Piece, Pieces, TextContext};
use crate::typeset::linebreak::{Item, INFINITY_PENALTY};
use crate::units::Pt;

/// The narrowest and widest a paragraph can be set without breaking a word.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub(crate) struct ContentWidths {
    /// The widest unbreakable stretch: a word, a code span, a URL's longest part between
    /// slashes (with a note call that follows it).
    pub min: Pt,
    /// The widest line when the paragraph breaks only where it is told to (hard breaks).
    pub max: Pt,
    /// The narrowest width when words may also be hyphenated (the widest stretch between
    /// hyphenation points, with its hyphen): [`ContentWidths::min`] until measured by
    /// [`hyphenated_min_width`].
    pub hyphenated: Pt,
}

/// The content widths of `pieces`, without hyphenation.
pub(crate) fn content_widths(pieces: &Pieces<'_>, ctx: &mut TextContext<'_>) -> ContentWidths {
    ctx.without_hyphenation(|ctx| widths_of(&paragraph_items(pieces, ctx)))
}

/// The narrowest width of `pieces` when its words may be hyphenated.
pub(crate) fn hyphenated_min_width(pieces: &Pieces<'_>, ctx: &mut TextContext<'_>) -> Pt {
    widths_of(&paragraph_items(pieces, ctx)).min
}

/// The line-breaking items of `pieces`, as the paragraph would be built for a measure
/// nothing is too wide for (so that no emergency break is offered).
fn paragraph_items(pieces: &Pieces<'_>, ctx: &mut TextContext<'_>) -> Vec<Item> {
    let mut builder = Builder::new(ctx, pieces, f64::INFINITY, true);
    let spec = ParagraphSpec::plain(Pt::ZERO, Pt::ZERO, Alignment::Ragged);
    builder.pieces(pieces, &spec);
    builder.items
}

/// Drop the shapings of `pieces`' words from the cache (words shaped at a size they were
/// only measured at).
pub(crate) fn forget_words(pieces: &Pieces<'_>, ctx: &mut TextContext<'_>) {
    for piece in pieces.list() {
        if let Piece::Text(text, style) = piece {
            let Some(style) = pieces.styles.get(*style as usize) else {
                continue;
            };
            for word in text.split(' ').filter(|w| !w.is_empty()) {
                ctx.forget(word, style);
            }
        }
    }
}

/// The content widths of a paragraph's items: boxes are unbreakable, glue after a box and
/// penalties below infinity are breaks (the glue is dropped there, the penalty's width
/// added), forced breaks end a line.
fn widths_of(items: &[Item]) -> ContentWidths {
    let mut min: f64 = 0.0;
    let mut max: f64 = 0.0;
    // Width since the last break opportunity, and the current line's width.
    let mut unbroken = 0.0;
    let mut line = 0.0;
    // Glue waiting for a box to follow it on the line (glue at a line's start or end is
    // not set).
    let mut glue = 0.0;
    let mut line_started = false;
    let mut after_box = false;
    for item in items {
        match *item {
            Item::Box { width } => {
                unbroken += width;
                line += glue + width;
                glue = 0.0;
                line_started = true;
                after_box = true;
            }
            Item::Glue { width, .. } => {
                if after_box {
                    min = min.max(unbroken);
                    unbroken = 0.0;
                }
                if line_started {
                    glue += width;
                }
                after_box = false;
            }
            Item::Penalty { width, cost, .. } if cost <= -INFINITY_PENALTY => {
                min = min.max(unbroken + width);
                max = max.max(line);
                (unbroken, line, glue) = (0.0, 0.0, 0.0);
                line_started = false;
                after_box = false;
            }
            Item::Penalty { width, cost, .. } => {
                if cost < INFINITY_PENALTY {
                    min = min.max(unbroken + width);
                    unbroken = 0.0;
                }
                after_box = false;
            }
        }
    }
    let min = Pt::new(min.max(unbroken));
    ContentWidths {
        min,
        max: Pt::new(max.max(line)),
        hyphenated: min,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fonts::{FaceChoice, Family, FontSet, Style};
    use crate::typeset::paragraph::test_context as context;
    use crate::typeset::paragraph::{set_paragraph, TextStyle};

    fn width(ctx: &mut TextContext<'_>, text: &str, style: &TextStyle) -> f64 {
        f64::from(ctx.shape(text, style).width())
    }

    #[test]
    fn items_give_the_longest_stretch_and_the_line() {
        let items = [
            Item::Box { width: 10.0 },
            Item::Glue {
                width: 3.0,
                stretch: 0.0,
                shrink: 0.0,
            },
            Item::Box { width: 25.0 },
            Item::hyphen(0.0),
            Item::Box { width: 5.0 },
            Item::Glue {
                width: 3.0,
                stretch: 0.0,
                shrink: 0.0,
            },
        ];
        let widths = widths_of(&items);
        assert_eq!(widths.min, Pt::new(25.0));
        // The trailing space is not set.
        assert_eq!(widths.max, Pt::new(43.0));
    }

    #[test]
    fn a_hard_break_ends_a_line_and_leading_space_is_dropped() {
        let glue = Item::Glue {
            width: 3.0,
            stretch: 0.0,
            shrink: 0.0,
        };
        let items = [
            Item::Box { width: 10.0 },
            glue,
            Item::Box { width: 10.0 },
            glue,
            Item::forced_break(),
            glue,
            Item::Box { width: 12.0 },
        ];
        let widths = widths_of(&items);
        assert_eq!(widths.max, Pt::new(23.0));
        assert_eq!(widths.min, Pt::new(12.0));
    }

    #[test]
    fn words_are_measured_as_they_are_set() {
        let fonts = FontSet::builtin().expect("bundled fonts");
        let mut ctx = context(&fonts);
        let style = TextStyle::serif(9.0);
        let text = "Typesetting extraordinary tables";
        let measured = content_widths(&Pieces::one(text, &style), &mut ctx);
        let longest = width(&mut ctx, "extraordinary", &style);
        assert!((measured.min.get() - longest).abs() < 1e-3, "{measured:?}");
        // Set at its widest width, the paragraph is one line; a hair narrower, two.
        let pieces = Pieces::one(text, &style);
        let spec = |w: Pt| ParagraphSpec::plain(w, Pt::new(11.0), Alignment::Ragged);
        let one = set_paragraph(&pieces, &spec(measured.max), &mut ctx);
        assert_eq!(one.len(), 1);
        let two = set_paragraph(&pieces, &spec(measured.max - Pt::new(0.01)), &mut ctx);
        assert_eq!(two.len(), 2);
    }

    #[test]
    fn urls_break_after_slashes_and_code_never() {
        let fonts = FontSet::builtin().expect("bundled fonts");
        let mut ctx = context(&fonts);
        let style = TextStyle::serif(9.0);
        let url = "https://github.com/pulldown-cmark/pulldown-cmark";
        let measured = content_widths(&Pieces::one(url, &style), &mut ctx);
        assert!(measured.min.get() < width(&mut ctx, url, &style) / 2.0);
        let code = TextStyle {
            choice: FaceChoice::new(Family::Mono, Style::Regular),
            ..style
        };
        let identifier = "into_offset_iter-and-more";
        let measured = content_widths(&Pieces::one(identifier, &code), &mut ctx);
        let whole = width(&mut ctx, identifier, &code);
        assert!((measured.min.get() - whole).abs() < 1e-3);
    }

    #[test]
    fn hyphenation_is_not_a_break_and_is_given_back() {
        let fonts = FontSet::builtin().expect("bundled fonts");
        let mut ctx = context(&fonts);
        let style = TextStyle::serif(9.0);
        let word = "electronegativity";
        let pieces = Pieces::one(word, &style);
        let measured = content_widths(&pieces, &mut ctx);
        assert!((measured.min.get() - width(&mut ctx, word, &style)).abs() < 1e-3);
        assert!(ctx.hyphenator.is_some(), "the context hyphenates again");
        let hyphenated = hyphenated_min_width(&pieces, &mut ctx);
        assert!(
            hyphenated < measured.min * 0.5,
            "{hyphenated:?} of {measured:?}"
        );
    }
}
