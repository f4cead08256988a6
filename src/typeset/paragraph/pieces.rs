//! A paragraph's text before it is set: pieces of text in a [`TextStyle`], note calls and
//! hard breaks ([`Pieces`]), and the per-thread context that shapes them ([`TextContext`]).

use std::borrow::Cow;
use std::sync::Arc;

use crate::fonts::{FaceChoice, Family, FontSet, Style};
use crate::typeset::hyphen::{Hyphenator, TextLanguage};
use crate::typeset::layout::LinkDest;
use crate::typeset::math::MathBox;
use crate::typeset::shape::{ShapeCache, ShapeDirection, ShapeOptions, ShapedRun};
use crate::typeset::structure::InlineTag;
use crate::typeset::style;
use crate::units::Pt;

/// The look of a stretch of text.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct TextStyle {
    /// Family and style.
    pub choice: FaceChoice,
    /// Size in points.
    pub size: f32,
    /// Raise above the baseline (superscripts), points.
    pub rise: f32,
    /// Link target of this text.
    pub link: Option<LinkDest>,
    /// Struck through (`~~text~~`, `<del>`, `<s>`).
    pub strike: bool,
    /// Lower-case letters as small capitals, from the font's `smcp` feature
    /// (`[words]{.smallcaps}`, a chapter's first line with `[pdf] opening = "small-caps"`).
    pub small_caps: bool,
    /// The inline element the text is tagged as, when not its block's (a span in another
    /// language): `None` for most text.
    pub tag: Option<InlineTag>,
}

impl TextStyle {
    /// Regular serif at `size`.
    pub(crate) fn serif(size: f32) -> TextStyle {
        TextStyle {
            choice: FaceChoice::new(Family::Serif, Style::Regular),
            size,
            rise: 0.0,
            link: None,
            strike: false,
            small_caps: false,
            tag: None,
        }
    }

    /// The same style with another face style (italic, bold).
    pub(crate) fn with_style(&self, style: Style) -> TextStyle {
        TextStyle {
            choice: FaceChoice::new(self.choice.family, style),
            ..self.clone()
        }
    }
}

/// The index of a style in a paragraph's list of styles ([`Pieces`]).
pub(crate) type StyleId = u32;

/// How many of the last styles stored are compared with a new one before it is stored
/// again: text and code spans alternate, links each bring their own.
const STYLES_LOOKED_BACK: usize = 8;

/// A paragraph's inline content, flattened: pieces of text (borrowed from the document
/// where they can be), forced breaks and note calls, with the styles they name stored once
/// for the pieces that share them. A paragraph of three million code spans took a string
/// and a style for each.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Pieces<'a> {
    list: Vec<Piece<'a>>,
    pub(super) styles: Vec<TextStyle>,
    /// The languages of the spans open at the end of the list, innermost last.
    languages: Vec<TextLanguage>,
}

/// One piece of a paragraph.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Piece<'a> {
    /// Text in a style (may contain spaces: they become glue).
    Text(Cow<'a, str>, StyleId),
    /// A forced line break.
    Break,
    /// A footnote call.
    Note(Box<NoteCall>),
    /// An inline formula, already laid out: one unbreakable box on the baseline, with the
    /// element it is tagged as.
    Math(Arc<MathBox>, Option<InlineTag>),
    /// An image set in the line.
    Image(Box<InlineImage>),
    /// A named place in the line that takes no room (an index mark): its line carries the
    /// anchor, so the place's page is the page of the line.
    Anchor(Box<str>),
    /// The words from here on are hyphenated in this language (a span in another language
    /// begins or ends).
    Language(TextLanguage),
}

/// An image set in a line of text: its size, the image it draws and the link it is part of.
/// Its bottom sits on the baseline; a line holding one taller than the text above the
/// baseline grows by the difference.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct InlineImage {
    /// Index into the book's images.
    pub image: usize,
    /// Width on the page (reduced to the measure when wider).
    pub width: Pt,
    /// Height on the page.
    pub height: Pt,
    /// Set on a line of its own (the author gave its size, which may be a line's width).
    pub own_line: bool,
    /// The link it is part of, if any.
    pub link: Option<LinkDest>,
}

/// A footnote call: its superscript number, the note's index in the chapter's note lines,
/// and anchors (call id, note id).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct NoteCall {
    /// Number shown.
    pub number: u32,
    /// Index of the note in the chapter.
    pub note: usize,
    /// The call's own anchor id.
    pub call_id: String,
    /// The note's anchor id (link target).
    pub note_id: String,
    /// Style of the surrounding text (the call is set smaller and raised).
    pub style: TextStyle,
}

impl<'a> Pieces<'a> {
    /// No pieces yet.
    pub(crate) fn new() -> Pieces<'a> {
        Pieces::default()
    }

    /// A single piece of text.
    pub(crate) fn one(text: impl Into<Cow<'a, str>>, style: &TextStyle) -> Pieces<'a> {
        let mut pieces = Pieces::new();
        pieces.text(text, style);
        pieces
    }

    /// Add text in `style`.
    pub(crate) fn text(&mut self, text: impl Into<Cow<'a, str>>, style: &TextStyle) {
        let id = store_style(&mut self.styles, style);
        self.list.push(Piece::Text(text.into(), id));
    }

    /// A span in the language `tag` (BCP 47) begins: its words are hyphenated by that
    /// language's patterns until [`Pieces::end_language`].
    pub(crate) fn begin_language(&mut self, tag: &str) {
        let language = TextLanguage::of_tag(tag);
        self.languages.push(language);
        self.list.push(Piece::Language(language));
    }

    /// The innermost span begun by [`Pieces::begin_language`] ends.
    pub(crate) fn end_language(&mut self) {
        self.languages.pop();
        let outer = self.languages.last().copied().unwrap_or_default();
        self.list.push(Piece::Language(outer));
    }

    /// Add a forced line break.
    pub(crate) fn hard_break(&mut self) {
        self.list.push(Piece::Break);
    }

    /// Add a footnote call.
    pub(crate) fn note(&mut self, call: NoteCall) {
        self.list.push(Piece::Note(Box::new(call)));
    }

    /// Add an image set in the line.
    /// A place named `id` between the pieces before and after it.
    pub(crate) fn anchor(&mut self, id: &str) {
        self.list.push(Piece::Anchor(id.into()));
    }

    /// An image set in the line.
    pub(crate) fn image(&mut self, image: InlineImage) {
        self.list.push(Piece::Image(Box::new(image)));
    }

    /// Add an inline formula, tagged as `tag`'s element.
    pub(crate) fn math(&mut self, formula: Arc<MathBox>, tag: Option<InlineTag>) {
        self.list.push(Piece::Math(formula, tag));
    }

    /// True when there is nothing to set.
    pub(crate) fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// The pieces in order.
    pub(crate) fn list(&self) -> &[Piece<'a>] {
        &self.list
    }

    /// The same pieces with the text up to the end of the word holding its `letters`-th
    /// letter (spaces not counted) in small capitals: a chapter's first line set in them.
    pub(crate) fn with_small_caps_lead(&self, letters: usize) -> Pieces<'a> {
        let mut out = Pieces::new();
        let mut left = letters;
        for piece in &self.list {
            let Piece::Text(text, id) = piece else {
                out.list.push(piece.clone());
                continue;
            };
            let style = &self.styles[*id as usize];
            let split = lead_end(text, left);
            let (lead, rest) = text.split_at(split);
            left = left.saturating_sub(lead.chars().filter(|c| !c.is_whitespace()).count());
            if split == text.len() && left == 0 && !lead.is_empty() {
                // The word may go on in the next piece: keep it in small capitals too.
                left = usize::from(!lead.ends_with(char::is_whitespace));
            }
            if !lead.is_empty() {
                let small = TextStyle {
                    small_caps: true,
                    ..style.clone()
                };
                out.text(lead.to_string(), &small);
            }
            if !rest.is_empty() {
                out.text(rest.to_string(), style);
            }
        }
        out
    }
}

/// Characters that may stand before a drop cap's letter and drop with it.
const OPENING_MARKS: &[char] = &['“', '‘', '"', '\'', '«', '„', '¿', '¡', '(', '['];

impl Pieces<'_> {
    /// The paragraph's first letter (with the quotation marks before it) apart from the
    /// rest: a drop cap's. `None` when the paragraph does not open with text holding a
    /// letter or a digit.
    pub(crate) fn split_initial(&self) -> Option<(String, Pieces<'static>)> {
        let Some(Piece::Text(first, first_style)) = self.list.first() else {
            return None;
        };
        let marks = first.len() - first.trim_start_matches(OPENING_MARKS).len();
        let letter = first[marks..]
            .chars()
            .next()
            .filter(|c| c.is_alphanumeric())?;
        let split = marks + letter.len_utf8();
        let mut rest = Pieces::new();
        rest.styles.clone_from(&self.styles);
        let remainder = &first[split..];
        if !remainder.is_empty() {
            rest.list
                .push(Piece::Text(remainder.to_string().into(), *first_style));
        }
        for piece in &self.list[1..] {
            rest.list.push(owned(piece));
        }
        Some((first[..split].to_string(), rest))
    }
}

/// A piece that borrows nothing.
fn owned(piece: &Piece<'_>) -> Piece<'static> {
    match piece {
        Piece::Text(text, style) => Piece::Text(text.to_string().into(), *style),
        Piece::Break => Piece::Break,
        Piece::Note(call) => Piece::Note(call.clone()),
        Piece::Math(formula, tag) => Piece::Math(formula.clone(), *tag),
        Piece::Image(image) => Piece::Image(image.clone()),
        Piece::Anchor(id) => Piece::Anchor(id.clone()),
        Piece::Language(language) => Piece::Language(*language),
    }
}

/// The byte offset in `text` where a lead of `letters` letters ends: after the word holding
/// the last of them (the whole text when it holds fewer).
fn lead_end(text: &str, letters: usize) -> usize {
    if letters == 0 {
        return 0;
    }
    let mut counted = 0;
    for (at, c) in text.char_indices() {
        if counted >= letters && c.is_whitespace() {
            return at;
        }
        if !c.is_whitespace() {
            counted += 1;
        }
    }
    text.len()
}

/// The id of `style` in `styles`: one of the last few stored when it is the same (see
/// [`same_style`]), else a new entry.
pub(super) fn store_style(styles: &mut Vec<TextStyle>, style: &TextStyle) -> StyleId {
    let recent = styles.len().saturating_sub(STYLES_LOOKED_BACK);
    let found = (recent..styles.len())
        .rev()
        .find(|&i| same_style(&styles[i], style));
    let index = found.unwrap_or_else(|| {
        styles.push(style.clone());
        styles.len() - 1
    });
    StyleId::try_from(index).unwrap_or(StyleId::MAX)
}

/// The per-run state the paragraph builder needs: fonts, cache, hyphenation, features.
pub(crate) struct TextContext<'f> {
    /// The book's fonts.
    pub fonts: &'f FontSet<'static>,
    /// The book's design (baselines, note calls, strike-through, ragged lines).
    pub design: &'f style::Style,
    /// Shaping cache shared by the whole book.
    pub cache: ShapeCache,
    /// Hyphenation for the book's language, if available.
    pub hyphenator: Option<Hyphenator>,
    /// Features for running text.
    pub options: ShapeOptions,
    /// The book's language runs right to left: its paragraphs are set right to left, their
    /// lines flush right (others take the direction of their first letter, see
    /// [`super::bidi`]).
    pub right_to_left: bool,
    /// Characters no font could draw: (char, first piece text) for warnings.
    pub missing: Vec<char>,
}

impl<'f> TextContext<'f> {
    /// A context with the same fonts, language and features but its own (empty) caches and
    /// no missing characters yet: one per thread when chapters are set in parallel.
    pub(crate) fn fork(&self) -> TextContext<'f> {
        TextContext {
            fonts: self.fonts,
            design: self.design,
            cache: ShapeCache::new(),
            hyphenator: self.hyphenator.as_ref().and_then(Hyphenator::fork),
            options: self.options.clone(),
            right_to_left: self.right_to_left,
            missing: Vec::new(),
        }
    }

    /// Shape `text` in `style` through the cache.
    pub(crate) fn shape(&mut self, text: &str, style: &TextStyle) -> Arc<ShapedRun> {
        self.shape_directed(text, style, ShapeDirection::OfScript)
    }

    /// [`TextContext::shape`] in the given direction (a stretch of a paragraph with
    /// right-to-left text, in its embedding level's direction).
    pub(crate) fn shape_directed(
        &mut self,
        text: &str,
        style: &TextStyle,
        direction: ShapeDirection,
    ) -> Arc<ShapedRun> {
        let mut options = options_for(&self.options, style);
        if direction != ShapeDirection::OfScript {
            options.to_mut().direction = direction;
        }
        let run = self
            .cache
            .shape(self.fonts, text, style.choice, style.size, &options);
        for (c, _) in &run.missing {
            if !self.missing.contains(c) {
                self.missing.push(*c);
            }
        }
        run
    }

    /// Run `set` with hyphenation turned off: words then break only at spaces, after
    /// hyphens and dashes, and in URLs (table cells whose words fit their column).
    pub(crate) fn without_hyphenation<T>(&mut self, set: impl FnOnce(&mut Self) -> T) -> T {
        let hyphenator = self.hyphenator.take();
        let result = set(self);
        self.hyphenator = hyphenator;
        result
    }

    /// Drop the cached shaping of `text` in `style` (text shaped only to be measured).
    pub(crate) fn forget(&mut self, text: &str, style: &TextStyle) {
        let options = options_for(&self.options, style);
        self.cache.forget(text, style.choice, style.size, &options);
    }
}

/// The features text in `style` is shaped with, from the book's `options`: code has no
/// ligatures or old-style figures.
fn options_for<'o>(options: &'o ShapeOptions, style: &TextStyle) -> Cow<'o, ShapeOptions> {
    if style.choice.family == Family::Mono {
        Cow::Owned(ShapeOptions {
            ligatures: false,
            oldstyle_figures: false,
            ..options.clone()
        })
    } else if style.small_caps {
        Cow::Owned(ShapeOptions {
            small_caps: true,
            ..options.clone()
        })
    } else {
        Cow::Borrowed(options)
    }
}

/// Whether two styles look the same (and are tagged as the same element): links are compared by their shared target (every box
/// of one link holds the same one), so a long address is never compared character by
/// character.
fn same_style(a: &TextStyle, b: &TextStyle) -> bool {
    let same_link = match (&a.link, &b.link) {
        (None, None) => true,
        (Some(LinkDest::Anchor(x)), Some(LinkDest::Anchor(y)))
        | (Some(LinkDest::Uri(x)), Some(LinkDest::Uri(y))) => Arc::ptr_eq(x, y),
        _ => false,
    };
    same_link
        && a.small_caps == b.small_caps
        && a.choice == b.choice
        && a.size.to_bits() == b.size.to_bits()
        && a.rise.to_bits() == b.rise.to_bits()
        && a.strike == b.strike
        && a.tag == b.tag
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(pieces: &Pieces<'_>) -> Vec<(String, bool)> {
        pieces
            .list()
            .iter()
            .filter_map(|p| match p {
                Piece::Text(t, id) => Some((t.to_string(), pieces.styles[*id as usize].small_caps)),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn a_lead_ends_with_its_word_and_goes_on_into_the_next_piece() {
        let style = TextStyle::serif(10.0);
        let mut pieces = Pieces::new();
        pieces.text("It was a dark", &style);
        pieces.text("ness in the night", &style);
        let lead = pieces.with_small_caps_lead(9);
        assert_eq!(
            texts(&lead),
            vec![
                ("It was a dark".to_string(), true),
                ("ness".to_string(), true),
                (" in the night".to_string(), false),
            ]
        );
        let short = pieces.with_small_caps_lead(3);
        assert_eq!(texts(&short)[0], ("It was".to_string(), true));
        assert_eq!(texts(&short)[1], (" a dark".to_string(), false));
    }
}
