//! Right-to-left text in a paragraph: the Unicode Bidirectional Algorithm (UAX #9, through
//! `unicode-bidi`) gives every character of the paragraph an embedding level, even for
//! left-to-right text and odd for right-to-left text. The builder cuts words where the level
//! changes and shapes each stretch in its level's direction; each line, once broken, shows
//! its items in the visual order that the levels give (rule L2), while the PDF keeps them in
//! reading order.
//!
//! A paragraph takes the direction of its first strong letter (rules P2 and P3, what HTML's
//! `dir="auto"` does), or right to left throughout a book whose language runs so. A
//! paragraph with no right-to-left letter in a left-to-right book is never analysed: its
//! levels are all 0 and its lines are laid out as they always were.

use std::ops::Range;

use unicode_bidi::{bidi_class, BidiClass, BidiInfo, Level};

use super::pieces::Piece;

/// What stands in the paragraph's text for a forced line break: a line separator, which
/// ends no bidirectional paragraph.
const BREAK_TEXT: &str = "\u{2028}";

/// What stands for a note call, a formula or an image: an object replacement character, a
/// neutral like any other object in running text.
const OBJECT_TEXT: &str = "\u{FFFC}";

/// The text `piece` adds to its paragraph's text: what the levels are computed over.
pub(super) fn piece_text<'p>(piece: &'p Piece<'_>) -> &'p str {
    match piece {
        Piece::Text(text, _) => text,
        Piece::Break => BREAK_TEXT,
        Piece::Note(_) | Piece::Math(..) | Piece::Image(_) => OBJECT_TEXT,
        Piece::Anchor(_) | Piece::Language(_) => "",
    }
}

/// The embedding level of every byte of a paragraph's text.
#[derive(Debug)]
pub(super) struct Levels {
    levels: Vec<u8>,
    /// The paragraph's own level: 0 (left to right) or 1 (right to left).
    pub(super) base: u8,
}

impl Levels {
    /// The levels of the paragraph made of `pieces`, or `None` when it is left to right
    /// throughout (no right-to-left letter or mark, in a left-to-right book).
    pub(super) fn of(pieces: &[Piece<'_>], right_to_left_book: bool) -> Option<Levels> {
        if !right_to_left_book && !pieces.iter().any(has_right_to_left) {
            return None;
        }
        let text: String = pieces.iter().map(piece_text).collect();
        let base = right_to_left_book.then(Level::rtl);
        let info = BidiInfo::new(&text, base);
        let base = info
            .paragraphs
            .first()
            .map_or(u8::from(right_to_left_book), |p| p.level.number());
        let levels = info.levels.iter().map(Level::number).collect();
        Some(Levels { levels, base })
    }

    /// The level of the character at byte `offset` (the paragraph's own past its end).
    pub(super) fn at(&self, offset: usize) -> u8 {
        self.levels.get(offset).copied().unwrap_or(self.base)
    }

    /// `range` of the paragraph's text cut where the level changes: each stretch's range
    /// (relative to `range.start`) and level.
    pub(super) fn runs(&self, range: Range<usize>) -> Vec<(Range<usize>, u8)> {
        let mut runs: Vec<(Range<usize>, u8)> = Vec::new();
        for offset in range.clone() {
            let level = self.at(offset);
            let at = offset - range.start;
            match runs.last_mut() {
                Some((run, last)) if *last == level => run.end = at + 1,
                _ => runs.push((at..at + 1, level)),
            }
        }
        runs
    }
}

/// Whether `piece` holds a letter or mark that runs right to left.
fn has_right_to_left(piece: &Piece<'_>) -> bool {
    let Piece::Text(text, _) = piece else {
        return false;
    };
    !text.is_ascii()
        && text.chars().any(|c| {
            in_right_to_left_blocks(c)
                && matches!(
                    bidi_class(c),
                    BidiClass::R | BidiClass::AL | BidiClass::RLE | BidiClass::RLO | BidiClass::RLI
                )
        })
}

/// Whether `c` lies where every right-to-left letter and mark does (Hebrew to NKo and the
/// Arabic supplements, the Hebrew and Arabic presentation forms, the right-to-left scripts of
/// the supplementary planes, and the explicit marks): a range test that spares the Latin
/// text of most paragraphs (curly quotes and dashes included) a table lookup per character.
fn in_right_to_left_blocks(c: char) -> bool {
    matches!(c,
        '\u{0590}'..='\u{08FF}' | '\u{FB1D}'..='\u{FDFF}' | '\u{FE70}'..='\u{FEFF}'
        | '\u{10800}'..='\u{10FFF}' | '\u{1E800}'..='\u{1EFFF}'
        | '\u{200F}' | '\u{202B}' | '\u{202E}' | '\u{2067}')
}

/// The order in which a line's items are shown, from its left: `order[i]` is the index (in
/// `levels`, the items' levels in reading order) of the item shown `i`th (rule L2).
pub(super) fn visual_order(levels: &[u8]) -> Vec<usize> {
    let levels: Vec<Level> = levels
        .iter()
        .map(|&n| Level::new(n).unwrap_or_else(|_| Level::ltr()))
        .collect();
    BidiInfo::reorder_visual(&levels)
}

#[cfg(test)]
mod tests {
    use std::borrow::Cow;

    use super::*;

    fn text(s: &str) -> Piece<'_> {
        Piece::Text(Cow::Borrowed(s), 0)
    }

    #[test]
    fn left_to_right_text_is_not_analysed() {
        assert!(Levels::of(&[text("Plain English, café.")], false).is_none());
    }

    #[test]
    fn a_hebrew_phrase_in_english_is_one_right_to_left_run() {
        let pieces = [text("He said שלום עולם today.")];
        let levels = Levels::of(&pieces, false).expect("right-to-left text");
        assert_eq!(levels.base, 0);
        let start = "He said ".len();
        let phrase = start.."He said שלום עולם".len();
        let runs = levels.runs(phrase.clone());
        assert_eq!(runs, vec![(0..phrase.len(), 1)]);
        assert_eq!(levels.at(start - 1), 0, "the space before the phrase");
    }

    #[test]
    fn an_arabic_paragraph_is_right_to_left_with_its_digits_left_to_right() {
        let pieces = [text("في عام 1975 دخلت")];
        let levels = Levels::of(&pieces, false).expect("right-to-left text");
        assert_eq!(levels.base, 1);
        let digits = "في عام ".len();
        assert_eq!(levels.at(digits), 2);
        assert_eq!(levels.at(0), 1);
    }

    #[test]
    fn a_right_to_left_book_sets_even_english_right_to_left() {
        let levels = Levels::of(&[text("Hello")], true).expect("analysed");
        assert_eq!(levels.base, 1);
        assert_eq!(levels.at(0), 2);
    }

    #[test]
    fn every_right_to_left_character_is_in_the_blocks_tested_first() {
        for c in (0..=0x10FFFF).filter_map(char::from_u32) {
            let strong = matches!(
                bidi_class(c),
                BidiClass::R | BidiClass::AL | BidiClass::RLE | BidiClass::RLO | BidiClass::RLI
            );
            assert!(!strong || in_right_to_left_blocks(c), "U+{:04X}", c as u32);
        }
    }

    #[test]
    fn objects_and_breaks_take_their_place_in_the_text() {
        assert_eq!(piece_text(&Piece::Break).len(), 3);
        assert_eq!(piece_text(&Piece::Anchor("x".into())), "");
    }

    #[test]
    fn runs_of_levels_are_reversed_from_the_highest_level_down() {
        assert_eq!(visual_order(&[0, 0, 1, 1, 1, 0]), vec![0, 1, 4, 3, 2, 5]);
        assert_eq!(visual_order(&[1, 1, 2, 2, 1]), vec![4, 2, 3, 1, 0]);
    }
}
