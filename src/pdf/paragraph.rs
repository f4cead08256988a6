//! Paragraphs: inline content to shaped words, Knuth-Plass items, and set lines.
//!
//! Words are shaped whole (through the per-word cache), so kerning and ligatures inside a
//! word are kept; the boxes between break opportunities are made of glyph clusters, so a
//! hyphenation point inside a ligature is simply not offered (the ligature is never split).
//! Break opportunities: spaces (glue), hyphenation points (flagged penalties with the hyphen's
//! width), existing hyphens and dashes, and slashes in URLs. Code is never hyphenated.

use std::borrow::Cow;
use std::ops::Range;
use std::sync::Arc;

use super::font::{FaceChoice, Family, FontSet, Style};
use super::hyphen::{Hyphenator, TokenKind};
use super::layout_ir::{AnchorItem, GlyphRun, Item, LinkDest, LinkItem, RuleItem};
use super::linebreak::{self, BreakOptions, LineWidths};
use super::page::FlowLine;
use super::shape::{joins_previous, ShapeCache, ShapeOptions, ShapedRun};

/// How the lines of a paragraph are set.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Alignment {
    /// Justified, last line flush left.
    Justified,
    /// Flush left, ragged right.
    Ragged,
    /// Centred lines.
    Centered,
    /// Flush right, ragged left (right-aligned table columns).
    FlushRight,
}

/// The look of a stretch of text.
#[derive(Debug, Clone, PartialEq)]
pub struct TextStyle {
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
}

/// Height of a strike-through line's centre above the baseline, in ems (about half the
/// x-height of a book face).
pub const STRIKE_RISE_EM: f64 = 0.25;

/// Thickness of a strike-through line, in ems.
pub const STRIKE_THICKNESS_EM: f64 = 0.05;

impl TextStyle {
    /// Regular serif at `size`.
    pub fn serif(size: f32) -> TextStyle {
        TextStyle {
            choice: FaceChoice::new(Family::Serif, Style::Regular),
            size,
            rise: 0.0,
            link: None,
            strike: false,
        }
    }

    /// The same style with another face style (italic, bold).
    pub fn with_style(&self, style: Style) -> TextStyle {
        TextStyle {
            choice: FaceChoice::new(self.choice.family, style),
            ..self.clone()
        }
    }
}

/// The index of a style in a paragraph's list of styles ([`Pieces`]).
pub type StyleId = u32;

/// How many of the last styles stored are compared with a new one before it is stored
/// again: text and code spans alternate, links each bring their own.
const STYLES_LOOKED_BACK: usize = 8;

/// A paragraph's inline content, flattened: pieces of text (borrowed from the document
/// where they can be), forced breaks and note calls, with the styles they name stored once
/// for the pieces that share them. A paragraph of three million code spans took a string
/// and a style for each.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Pieces<'a> {
    list: Vec<Piece<'a>>,
    styles: Vec<TextStyle>,
}

/// One piece of a paragraph.
#[derive(Debug, Clone, PartialEq)]
pub enum Piece<'a> {
    /// Text in a style (may contain spaces: they become glue).
    Text(Cow<'a, str>, StyleId),
    /// A forced line break.
    Break,
    /// A footnote call.
    Note(Box<NoteCall>),
}

/// A footnote call: its superscript number, the note's index in the chapter's note lines,
/// and anchors (call id, note id).
#[derive(Debug, Clone, PartialEq)]
pub struct NoteCall {
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
    pub fn new() -> Pieces<'a> {
        Pieces::default()
    }

    /// A single piece of text.
    pub fn one(text: impl Into<Cow<'a, str>>, style: &TextStyle) -> Pieces<'a> {
        let mut pieces = Pieces::new();
        pieces.text(text, style);
        pieces
    }

    /// Add text in `style`.
    pub fn text(&mut self, text: impl Into<Cow<'a, str>>, style: &TextStyle) {
        let id = store_style(&mut self.styles, style);
        self.list.push(Piece::Text(text.into(), id));
    }

    /// Add a forced line break.
    pub fn hard_break(&mut self) {
        self.list.push(Piece::Break);
    }

    /// Add a footnote call.
    pub fn note(&mut self, call: NoteCall) {
        self.list.push(Piece::Note(Box::new(call)));
    }

    /// True when there is nothing to set.
    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// The pieces in order.
    pub fn list(&self) -> &[Piece<'a>] {
        &self.list
    }

    /// The style a piece names.
    pub fn style(&self, id: StyleId) -> Option<&TextStyle> {
        self.styles.get(id as usize)
    }
}

/// The id of `style` in `styles`: one of the last few stored when it is the same (see
/// [`same_style`]), else a new entry.
fn store_style(styles: &mut Vec<TextStyle>, style: &TextStyle) -> StyleId {
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
pub struct TextContext<'f> {
    /// The book's fonts.
    pub fonts: &'f FontSet<'static>,
    /// Shaping cache shared by the whole book.
    pub cache: ShapeCache,
    /// Hyphenation for the book's language, if available.
    pub hyphenator: Option<Hyphenator>,
    /// Features for running text.
    pub options: ShapeOptions,
    /// Characters no font could draw: (char, first piece text) for warnings.
    pub missing: Vec<char>,
}

impl<'f> TextContext<'f> {
    /// A context with the same fonts, language and features but its own (empty) caches and
    /// no missing characters yet: one per thread when chapters are set in parallel.
    pub fn fork(&self) -> TextContext<'f> {
        TextContext {
            fonts: self.fonts,
            cache: ShapeCache::new(),
            hyphenator: self.hyphenator.as_ref().and_then(Hyphenator::fork),
            options: self.options.clone(),
            missing: Vec::new(),
        }
    }

    /// Shape `text` in `style` through the cache.
    pub fn shape(&mut self, text: &str, style: &TextStyle) -> Arc<ShapedRun> {
        let options = options_for(&self.options, style);
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

    /// Drop the cached shaping of `text` in `style` (text shaped only to be measured).
    pub fn forget(&mut self, text: &str, style: &TextStyle) {
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
    } else {
        Cow::Borrowed(options)
    }
}

/// What an item of the paragraph stands for, to draw the lines after breaking. Styles are
/// indices into the paragraph's [`Builder::styles`].
#[derive(Debug, Clone)]
enum Payload {
    Glyphs {
        run: Arc<ShapedRun>,
        clusters: Range<usize>,
        style: StyleId,
    },
    Hyphen {
        run: Arc<ShapedRun>,
        style: StyleId,
    },
    Note {
        note: usize,
        call_id: String,
    },
    Nothing,
}

/// Paragraph settings.
#[derive(Debug, Clone)]
pub struct ParagraphSpec {
    /// Line measure.
    pub width: f64,
    /// Indent of the first line (0 for none).
    pub first_indent: f64,
    /// Indent of the other lines (hanging indents in the references).
    pub rest_indent: f64,
    /// Baseline-to-baseline distance.
    pub leading: f64,
    /// Alignment.
    pub alignment: Alignment,
}

/// Cost of breaking inside a word too wide for the measure (between any two clusters).
const EMERGENCY_BREAK_COST: f64 = 5000.0;

/// A word too wide for the measure may break where no rule allows it about this many times
/// per line: often enough that its lines end at most a sixteenth of the measure short, few
/// enough that the line breaker's work per line stays that of ordinary text.
const EMERGENCY_BREAKS_PER_LINE: f64 = 16.0;

/// A word part longer than this (in bytes) is shaped in pieces (no real word is this long;
/// a URL may be, and is cut only where a piece ends).
const LONG_PART_BYTES: usize = 1024;

/// Characters shaped to estimate the advance of a long part's characters.
const PIECE_SAMPLE_CHARS: usize = 64;

/// The most characters in one piece of a long part (for characters without width).
const MAX_PIECE_CHARS: usize = 1024;

/// A line-wide piece is cut to fill this much of the measure at the sampled advance, so
/// that wider characters later in it rarely make it too wide for a line.
const LINE_PIECE_FILL: f64 = 0.92;

/// Line-wide pieces at the start of a long part that break on the grid (so that the part
/// can start on a line shared with the text before it, filling it).
const GRID_LINES_BEFORE: usize = 2;

impl ParagraphSpec {
    /// A paragraph without indents.
    pub fn plain(width: f64, leading: f64, alignment: Alignment) -> ParagraphSpec {
        ParagraphSpec {
            width,
            first_indent: 0.0,
            rest_indent: 0.0,
            leading,
            alignment,
        }
    }
}

/// A shaped piece of a word: a part, or a line-wide piece of a long part.
struct Shaped {
    run: Arc<ShapedRun>,
    style: StyleId,
    /// Byte offset of the piece in the word.
    offset: usize,
    /// A line-wide piece in the middle of a long part, set as one box between two breaks.
    whole_line: bool,
}

impl Shaped {
    fn new(run: Arc<ShapedRun>, style: StyleId, offset: usize, whole_line: bool) -> Shaped {
        Shaped {
            run,
            style,
            offset,
            whole_line,
        }
    }
}

struct Builder<'a, 'f> {
    ctx: &'a mut TextContext<'f>,
    /// The narrowest line width of the paragraph.
    measure: f64,
    items: Vec<linebreak::Item>,
    payloads: Vec<Payload>,
    /// The styles the payloads name: the pieces' styles, then those made here (note calls,
    /// hyphens).
    styles: Vec<TextStyle>,
}

/// Set a paragraph: break it into lines and lay each line out.
pub fn set_paragraph(
    pieces: &Pieces<'_>,
    spec: &ParagraphSpec,
    ctx: &mut TextContext<'_>,
) -> Vec<FlowLine> {
    let mut builder = Builder {
        ctx,
        measure: spec.width - spec.rest_indent.max(spec.first_indent),
        items: Vec::new(),
        payloads: Vec::new(),
        styles: pieces.styles.clone(),
    };
    if spec.first_indent > 0.0 {
        builder.push(
            linebreak::Item::Box {
                width: spec.first_indent,
            },
            Payload::Nothing,
        );
    }
    builder.pieces(pieces, spec);
    for item in linebreak::Item::paragraph_end() {
        builder.push(item, Payload::Nothing);
    }
    let widths = LineWidths::FirstRest {
        first: spec.width,
        rest: spec.width - spec.rest_indent,
    };
    let mut options = BreakOptions::default();
    if spec.alignment != Alignment::Justified {
        options.ragged = Some(spec.width * 0.3);
    }
    let breaks = linebreak::break_paragraph(&builder.items, &widths, &options);
    let Builder {
        items,
        payloads,
        styles,
        ..
    } = builder;
    breaks
        .lines
        .iter()
        .enumerate()
        .map(|(n, line)| {
            let indent = if n == 0 { 0.0 } else { spec.rest_indent };
            let measure = if n == 0 {
                spec.width
            } else {
                spec.width - spec.rest_indent
            };
            let layout = LineLayout {
                items: &items,
                payloads: &payloads,
                styles: &styles,
            };
            lay_out_line(&layout, line, indent, measure, spec)
        })
        .collect()
}

impl Builder<'_, '_> {
    fn push(&mut self, item: linebreak::Item, payload: Payload) {
        self.items.push(item);
        self.payloads.push(payload);
    }

    /// The id of `style` among the paragraph's styles.
    fn style_id(&mut self, style: &TextStyle) -> StyleId {
        store_style(&mut self.styles, style)
    }

    /// The style `id` names (the paragraph's body style for an id out of range, which the
    /// builder never makes).
    fn style(&self, id: StyleId) -> TextStyle {
        self.styles
            .get(id as usize)
            .cloned()
            .unwrap_or_else(|| TextStyle::serif(10.0))
    }

    fn pieces(&mut self, pieces: &Pieces<'_>, spec: &ParagraphSpec) {
        let mut word: Vec<(&str, StyleId)> = Vec::new();
        for piece in pieces.list() {
            match piece {
                Piece::Text(text, style) => {
                    for (i, chunk) in text.split(' ').enumerate() {
                        if i > 0 {
                            self.flush_word(&mut word);
                            self.space(*style, spec);
                        }
                        if !chunk.is_empty() {
                            word.push((chunk, *style));
                        }
                    }
                }
                Piece::Break => {
                    self.flush_word(&mut word);
                    self.push(
                        linebreak::Item::Glue {
                            width: 0.0,
                            stretch: 1e6,
                            shrink: 0.0,
                        },
                        Payload::Nothing,
                    );
                    self.push(linebreak::Item::forced_break(), Payload::Nothing);
                }
                Piece::Note(call) => {
                    self.flush_word(&mut word);
                    self.note_call(call);
                }
            }
        }
        self.flush_word(&mut word);
    }

    /// Interword glue: the space of the face, stretch 1/2, shrink 1/3 (TeX's proportions).
    fn space(&mut self, style: StyleId, spec: &ParagraphSpec) {
        if matches!(self.items.last(), Some(linebreak::Item::Glue { .. }) | None) {
            return;
        }
        let plain = TextStyle {
            link: None,
            rise: 0.0,
            ..self.style(style)
        };
        let width = f64::from(self.ctx.shape(" ", &plain).width());
        let (stretch, shrink) = match spec.alignment {
            Alignment::Justified => (width / 2.0, width / 3.0),
            _ => (0.0, 0.0),
        };
        self.push(
            linebreak::Item::Glue {
                width,
                stretch,
                shrink,
            },
            Payload::Nothing,
        );
    }

    fn note_call(&mut self, call: &NoteCall) {
        let NoteCall {
            number,
            note,
            call_id,
            note_id,
            style,
        } = call;
        let call_style = TextStyle {
            choice: FaceChoice::new(Family::Serif, Style::Regular),
            size: style.size * 0.68,
            rise: style.size * 0.36,
            link: Some(LinkDest::Anchor(Arc::from(note_id.as_str()))),
            strike: false,
        };
        let run = self.ctx.shape(&number.to_string(), &call_style);
        let width = f64::from(run.width());
        let clusters = 0..run.clusters.len();
        let style = self.style_id(&call_style);
        self.push(
            linebreak::Item::Box { width },
            Payload::Glyphs {
                run,
                clusters,
                style,
            },
        );
        self.push(
            linebreak::Item::Box { width: 0.0 },
            Payload::Note {
                note: *note,
                call_id: call_id.clone(),
            },
        );
    }

    /// Shape a word's parts and emit boxes with the break opportunities inside it. A word
    /// wider than the measure may also break where no rule allows it (see [`Builder::word_part`]),
    /// between its parts as well as inside them: an overfull line is never the answer, even
    /// for a 12 MB word.
    fn flush_word(&mut self, word: &mut Vec<(&str, StyleId)>) {
        if word.is_empty() {
            return;
        }
        let full: Cow<'_, str> = match word.as_slice() {
            [(part, _)] => Cow::Borrowed(*part),
            parts => Cow::Owned(parts.iter().map(|(t, _)| *t).collect()),
        };
        let prose = word.iter().all(|&(_, s)| {
            self.styles
                .get(s as usize)
                .is_some_and(|s| s.choice.family == Family::Serif)
        });
        let points = break_points(&full, prose, self.ctx.hyphenator.as_ref());
        drop(full);
        let shaped = self.shape_parts(word);
        word.clear();
        let total: f64 = shaped.iter().map(|p| f64::from(p.run.width())).sum();
        let grid = (total > self.measure).then_some(self.measure / EMERGENCY_BREAKS_PER_LINE);
        let mut since_break = 0.0;
        let mut next_point = 0;
        let mut after_line = false;
        for (n, piece) in shaped.into_iter().enumerate() {
            let Shaped {
                run,
                style,
                offset,
                whole_line,
            } = piece;
            let end = offset + run.text.len();
            let on_grid = grid.is_some_and(|step| since_break >= step);
            if n > 0 && (on_grid || whole_line || after_line) {
                self.emergency_break();
                since_break = 0.0;
            }
            after_line = whole_line;
            // Points on a part's edge are not offered (the parts are shaped apart).
            while points.get(next_point).is_some_and(|(p, _)| *p <= offset) {
                next_point += 1;
            }
            let first = next_point;
            while points.get(next_point).is_some_and(|(p, _)| *p < end) {
                next_point += 1;
            }
            let width = f64::from(run.width());
            if whole_line && width <= self.measure {
                self.glyph_box(&run, 0..run.clusters.len(), width, style);
                continue;
            }
            let local: Vec<(usize, bool)> = points[first..next_point]
                .iter()
                .map(|&(p, h)| (p - offset, h))
                .collect();
            self.word_part(run, &local, style, grid, &mut since_break);
        }
    }

    /// The word's parts shaped, each with its byte offset in the word. A part longer than
    /// [`LONG_PART_BYTES`] is cut into pieces about a line wide, each shaped on its own (a
    /// 12 MB run shaped whole held gigabytes of glyphs; pieces of a repeated text are shaped
    /// once and shared through the cache). The pieces between its first two and its last
    /// are set as whole lines; those three break on the grid, so that the part starts and
    /// ends on a line shared with the text around it.
    fn shape_parts(&mut self, parts: &[(&str, StyleId)]) -> Vec<Shaped> {
        let mut shaped = Vec::with_capacity(parts.len());
        let mut offset = 0;
        for &(text, style_id) in parts {
            let style = self.style(style_id);
            if text.len() <= LONG_PART_BYTES {
                let run = self.ctx.shape(text, &style);
                shaped.push(Shaped::new(run, style_id, offset, false));
                offset += text.len();
                continue;
            }
            let per_line = self.chars_per_line(text, &style);
            let pieces: Vec<&str> = split_pieces(text, per_line).collect();
            let count = pieces.len();
            for (n, piece) in pieces.into_iter().enumerate() {
                let whole_line = n >= GRID_LINES_BEFORE && n + 1 < count;
                let run = self.ctx.shape(piece, &style);
                shaped.push(Shaped::new(run, style_id, offset, whole_line));
                offset += piece.len();
            }
        }
        shaped
    }

    /// How many characters of `text` fill about a line: its opening characters are shaped to
    /// learn their average advance. A piece that comes out wider than the measure after all
    /// breaks on the grid.
    fn chars_per_line(&mut self, text: &str, style: &TextStyle) -> usize {
        let sample = split_pieces(text, PIECE_SAMPLE_CHARS)
            .next()
            .unwrap_or(text);
        let count = sample.chars().count().max(1);
        let advance = f64::from(self.ctx.shape(sample, style).width()) / count as f64;
        if advance > 0.0 {
            ((self.measure * LINE_PIECE_FILL / advance).floor() as usize).clamp(1, MAX_PIECE_CHARS)
        } else {
            MAX_PIECE_CHARS
        }
    }

    /// Boxes for a shaped word part, split at its break points (`points` sorted by offset).
    /// With a `grid` (the word is wider than the measure) the part may also break wherever
    /// `since_break`, the width set since the word's last break, has reached one grid step,
    /// at a high cost. A grid step rather than every cluster: that many breakpoints on one
    /// line kept hundreds of nodes active in the line breaker for each of a 2 MB word's
    /// clusters.
    fn word_part(
        &mut self,
        run: Arc<ShapedRun>,
        points: &[(usize, bool)],
        style: StyleId,
        grid: Option<f64>,
        since_break: &mut f64,
    ) {
        let mut next_point = points.iter().peekable();
        let mut start = 0;
        let mut width = 0.0;
        let last = run.clusters.len().saturating_sub(1);
        for (i, cluster) in run.clusters.iter().enumerate() {
            width += f64::from(cluster.width);
            *since_break += f64::from(cluster.width);
            while next_point.next_if(|(p, _)| *p < cluster.text.end).is_some() {}
            let hyphen = next_point
                .next_if(|(p, _)| *p == cluster.text.end)
                .map(|&(_, h)| h);
            let emergency = grid.is_some_and(|step| *since_break >= step);
            if i == last || (hyphen.is_none() && !emergency) {
                continue;
            }
            self.glyph_box(&run, start..i + 1, width, style);
            match hyphen {
                Some(add_hyphen) => self.break_point(add_hyphen, style),
                None => self.emergency_break(),
            }
            *since_break = 0.0;
            start = i + 1;
            width = 0.0;
        }
        if start < run.clusters.len() {
            self.glyph_box(&run, start..run.clusters.len(), width, style);
        }
    }

    /// A break inside a word too wide for the measure, where no rule allows one.
    fn emergency_break(&mut self) {
        self.push(
            linebreak::Item::Penalty {
                width: 0.0,
                cost: EMERGENCY_BREAK_COST,
                flagged: false,
            },
            Payload::Nothing,
        );
    }

    fn glyph_box(
        &mut self,
        run: &Arc<ShapedRun>,
        clusters: Range<usize>,
        width: f64,
        style: StyleId,
    ) {
        self.push(
            linebreak::Item::Box { width },
            Payload::Glyphs {
                run: Arc::clone(run),
                clusters,
                style,
            },
        );
    }

    /// A hyphenation point (a hyphen is added if the line breaks here) or a break after an
    /// existing hyphen, dash or slash (nothing added).
    fn break_point(&mut self, add_hyphen: bool, style: StyleId) {
        if add_hyphen {
            let plain = TextStyle {
                link: None,
                ..self.style(style)
            };
            let hyphen = self.ctx.shape("-", &plain);
            let width = f64::from(hyphen.width());
            let style = self.style_id(&plain);
            self.push(
                linebreak::Item::hyphen(width),
                Payload::Hyphen { run: hyphen, style },
            );
        } else {
            self.push(linebreak::Item::hyphen(0.0), Payload::Nothing);
        }
    }
}

/// `text` cut into pieces of `chars` characters (at least one), never between a character and
/// the marks or joiners that belong with it.
fn split_pieces(text: &str, chars: usize) -> impl Iterator<Item = &str> {
    let chars = chars.max(1);
    let mut rest = text;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let mut prev: Option<char> = None;
        let mut cut = rest.len();
        for (count, (i, c)) in rest.char_indices().enumerate() {
            let joins = prev.is_some_and(|p| joins_previous(p, c));
            if count >= chars && !joins {
                cut = i;
                break;
            }
            prev = Some(c);
        }
        let (piece, tail) = rest.split_at(cut);
        rest = tail;
        Some(piece)
    })
}

/// Byte offsets inside a word where a line may break, and whether a hyphen is added there.
fn break_points(word: &str, prose: bool, hyphenator: Option<&Hyphenator>) -> Vec<(usize, bool)> {
    if word.contains("://") || word.starts_with("www.") {
        return word
            .match_indices('/')
            .map(|(i, _)| i + 1)
            .filter(|&i| i < word.len() && !word[i..].starts_with('/'))
            .map(|i| (i, false))
            .collect();
    }
    let kind = if prose {
        TokenKind::Prose
    } else {
        TokenKind::Code
    };
    match hyphenator {
        Some(h) if prose => h
            .hyphenate(word, kind)
            .into_iter()
            .map(|p| (p.offset, p.insert_hyphen))
            .collect(),
        _ => word
            .char_indices()
            .filter(|(_, c)| prose && matches!(c, '-' | '–' | '—' | '/'))
            .map(|(i, c)| (i + c.len_utf8(), false))
            .collect(),
    }
}

/// Whether two styles look the same: links are compared by their shared target (every box
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
        && a.choice == b.choice
        && a.size.to_bits() == b.size.to_bits()
        && a.rise.to_bits() == b.rise.to_bits()
        && a.strike == b.strike
}

/// A broken paragraph's items, what they stand for, and the styles those name.
struct LineLayout<'p> {
    items: &'p [linebreak::Item],
    payloads: &'p [Payload],
    styles: &'p [TextStyle],
}

/// Position the items of one line: boxes at their widths, glue set by the line's ratio.
fn lay_out_line(
    layout: &LineLayout<'_>,
    line: &linebreak::Line,
    indent: f64,
    measure: f64,
    spec: &ParagraphSpec,
) -> FlowLine {
    let baseline = spec.leading * 0.78;
    let mut x = indent;
    let mut out = FlowLine {
        height: spec.leading,
        break_after: true,
        hyphenated: line.hyphenated,
        ..FlowLine::default()
    };
    let ratio = if line.ratio.is_finite() {
        line.ratio
    } else {
        0.0
    };
    let stretch_glue = spec.alignment == Alignment::Justified;
    let LineLayout {
        items,
        payloads,
        styles,
    } = *layout;
    let end = line.end.min(items.len());
    let mut runs: Vec<(f64, Arc<ShapedRun>, Range<usize>, StyleId)> = Vec::new();
    for index in line.start..end {
        match (&items[index], &payloads[index]) {
            (linebreak::Item::Box { width }, payload) => {
                place_box(payload, x, &mut runs, &mut out);
                x += width;
            }
            (
                linebreak::Item::Glue {
                    width,
                    stretch,
                    shrink,
                },
                _,
            ) => {
                let extra = if !stretch_glue || stretch.is_infinite() {
                    0.0
                } else if ratio >= 0.0 {
                    ratio * stretch
                } else {
                    ratio * shrink
                };
                x += width + extra;
            }
            _ => {}
        }
    }
    if let (Some(linebreak::Item::Penalty { width, .. }), Some(Payload::Hyphen { run, style })) =
        (items.get(line.end), payloads.get(line.end))
    {
        let clusters = 0..run.clusters.len();
        runs.push((x, Arc::clone(run), clusters, *style));
        x += width;
    }
    let shift = match spec.alignment {
        Alignment::Centered => ((measure - (x - indent)) / 2.0).max(0.0),
        Alignment::FlushRight => (measure - (x - indent)).max(0.0),
        _ => 0.0,
    };
    for (run_x, run, clusters, style) in runs {
        let Some(style) = styles.get(style as usize) else {
            continue;
        };
        emit_run(
            &mut out,
            run_x + shift,
            baseline,
            &run,
            clusters,
            style,
            spec.leading,
        );
    }
    merge_links(&mut out.items);
    merge_rules(&mut out.items);
    out
}

/// One link rectangle per stretch of a line with the same target (not one per word).
fn merge_links(items: &mut Vec<Item>) {
    merge_adjacent(items, |previous, next| match (previous, next) {
        (Item::Link(previous), Item::Link(link)) => {
            let gap = link.x - (previous.x + previous.width);
            let joins = previous.target == link.target && (0.0..20.0).contains(&gap);
            if joins {
                previous.width = link.x + link.width - previous.x;
            }
            Some(joins)
        }
        (_, Item::Link(_)) => None,
        _ => Some(false),
    });
}

/// One strike-through line per stretch of struck words on a line, across the spaces between
/// them.
fn merge_rules(items: &mut Vec<Item>) {
    merge_adjacent(items, |previous, next| match (previous, next) {
        (Item::Rule(previous), Item::Rule(rule)) => {
            let gap = rule.x - (previous.x + previous.width);
            let same_line = (previous.y - rule.y).abs() < 0.01
                && (previous.thickness - rule.thickness).abs() < 0.01;
            let joins = same_line && (0.0..rule.thickness * 12.0).contains(&gap);
            if joins {
                previous.width = rule.x + rule.width - previous.x;
            }
            Some(joins)
        }
        (_, Item::Rule(_)) => None,
        _ => Some(false),
    });
}

/// Merge each item into the last earlier item of its kind when `join(earlier, item)` says
/// `Some(true)` (it extended the earlier one); `None` means "not this one, look further
/// back", `Some(false)` keeps the item.
fn merge_adjacent(items: &mut Vec<Item>, join: impl Fn(&mut Item, &Item) -> Option<bool>) {
    let mut merged: Vec<Item> = Vec::with_capacity(items.len());
    'items: for item in items.drain(..) {
        for earlier in merged.iter_mut().rev() {
            match join(earlier, &item) {
                Some(true) => continue 'items,
                Some(false) => break,
                None => {}
            }
        }
        merged.push(item);
    }
    *items = merged;
}

fn place_box(
    payload: &Payload,
    x: f64,
    runs: &mut Vec<(f64, Arc<ShapedRun>, Range<usize>, StyleId)>,
    out: &mut FlowLine,
) {
    match payload {
        Payload::Glyphs {
            run,
            clusters,
            style,
        } => {
            // Continue the previous run when this box is the next clusters of the same word.
            if let Some(last) = runs.last_mut() {
                if Arc::ptr_eq(&last.1, run) && last.2.end == clusters.start {
                    last.2.end = clusters.end;
                    return;
                }
            }
            runs.push((x, Arc::clone(run), clusters.clone(), *style));
        }
        Payload::Note { note, call_id } => {
            out.notes.push(*note);
            out.items.push(Item::Anchor(Box::new(AnchorItem {
                id: call_id.clone(),
                y: 0.0,
            })));
        }
        Payload::Hyphen { .. } | Payload::Nothing => {}
    }
}

fn emit_run(
    out: &mut FlowLine,
    x: f64,
    baseline: f64,
    run: &Arc<ShapedRun>,
    clusters: Range<usize>,
    style: &TextStyle,
    leading: f64,
) {
    let sliced = slice_run(run, clusters);
    let width = f64::from(sliced.width());
    let y = baseline - f64::from(style.rise);
    out.items.push(Item::Glyphs(GlyphRun { x, y, run: sliced }));
    if style.strike {
        let size = f64::from(style.size);
        out.items.push(Item::Rule(Box::new(RuleItem {
            x,
            y: y - size * STRIKE_RISE_EM,
            width,
            thickness: size * STRIKE_THICKNESS_EM,
        })));
    }
    if let Some(target) = &style.link {
        out.items.push(Item::Link(Box::new(LinkItem {
            x,
            y: 0.0,
            width,
            height: leading,
            target: target.clone(),
        })));
    }
}

/// The clusters `range` of a run as a run of their own (text and offsets rebased).
pub fn slice_run(run: &Arc<ShapedRun>, range: Range<usize>) -> Arc<ShapedRun> {
    if range.start == 0 && range.end >= run.clusters.len() {
        return Arc::clone(run);
    }
    let clusters =
        &run.clusters[range.start.min(run.clusters.len())..range.end.min(run.clusters.len())];
    let (Some(first), Some(last)) = (clusters.first(), clusters.last()) else {
        return Arc::new(ShapedRun {
            text: String::new(),
            size_pt: run.size_pt,
            glyphs: Vec::new(),
            clusters: Vec::new(),
            missing: Vec::new(),
        });
    };
    let text_start = clusters
        .iter()
        .map(|c| c.text.start)
        .min()
        .unwrap_or(first.text.start);
    let text_end = clusters
        .iter()
        .map(|c| c.text.end)
        .max()
        .unwrap_or(last.text.end);
    let glyph_start = first.glyphs.start;
    let glyph_end = last.glyphs.end;
    let glyphs = run.glyphs[glyph_start..glyph_end]
        .iter()
        .map(|g| {
            let mut g = *g;
            g.cluster = g.cluster.saturating_sub(text_start);
            g
        })
        .collect();
    let clusters = clusters
        .iter()
        .map(|c| {
            let mut c = c.clone();
            c.text = c.text.start - text_start..c.text.end - text_start;
            c.glyphs = c.glyphs.start - glyph_start..c.glyphs.end - glyph_start;
            c
        })
        .collect();
    Arc::new(ShapedRun {
        text: run.text.get(text_start..text_end).unwrap_or("").to_string(),
        size_pt: run.size_pt,
        glyphs,
        clusters,
        missing: Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn context<'f>(fonts: &'f FontSet<'static>) -> TextContext<'f> {
        TextContext {
            fonts,
            cache: ShapeCache::new(),
            hyphenator: Hyphenator::for_language("en"),
            options: ShapeOptions::default(),
            missing: Vec::new(),
        }
    }

    fn line_width(line: &FlowLine) -> f64 {
        line.items
            .iter()
            .filter_map(|i| match i {
                Item::Glyphs(g) => Some(g.x + g.width()),
                _ => None,
            })
            .fold(0.0, f64::max)
    }

    fn spec(width: f64) -> ParagraphSpec {
        ParagraphSpec {
            width,
            first_indent: 0.0,
            rest_indent: 0.0,
            leading: 12.0,
            alignment: Alignment::Justified,
        }
    }

    #[test]
    fn a_word_wider_than_the_measure_is_broken_not_overfull() {
        let fonts = FontSet::builtin().expect("bundled fonts");
        let mut ctx = context(&fonts);
        let word = "x".repeat(300);
        let pieces = Pieces::one(format!("Before {word} after."), &TextStyle::serif(10.0));
        let lines = set_paragraph(&pieces, &spec(120.0), &mut ctx);
        assert!(lines.len() > 5);
        for line in &lines {
            assert!(
                line_width(line) <= 120.0 + 0.01,
                "overfull: {}",
                line_width(line)
            );
        }
    }

    #[test]
    fn a_long_word_keeps_every_character_and_breaks_on_a_grid() {
        let fonts = FontSet::builtin().expect("bundled fonts");
        let mut ctx = context(&fonts);
        let word: String = (0..30_000)
            .map(|i| char::from(b'a' + (i % 26) as u8))
            .collect();
        let pieces = Pieces::one(format!("A {word} b."), &TextStyle::serif(10.0));
        let lines = set_paragraph(&pieces, &spec(200.0), &mut ctx);
        let text: String = lines
            .iter()
            .flat_map(|l| &l.items)
            .filter_map(|i| match i {
                Item::Glyphs(g) => Some(g.run.text.as_str()),
                _ => None,
            })
            .collect();
        assert!(text == format!("A{word}b."), "text lost or changed");
        for line in &lines {
            assert!(
                line_width(line) <= 200.0 + 0.01,
                "overfull: {}",
                line_width(line)
            );
        }
        // Lines end at most a grid step short (the last line aside).
        let step = 200.0 / EMERGENCY_BREAKS_PER_LINE;
        for line in &lines[1..lines.len() - 1] {
            assert!(
                line_width(line) > 200.0 - 2.0 * step,
                "short: {}",
                line_width(line)
            );
        }
    }

    #[test]
    fn pieces_never_separate_a_mark_from_its_letter() {
        let text = "e\u{301}".repeat(50);
        for piece in split_pieces(&text, 3) {
            assert!(piece.starts_with('e'), "{piece:?}");
        }
        assert_eq!(split_pieces(&text, 3).collect::<String>(), text);
    }

    #[test]
    fn justified_lines_fill_the_measure_and_hyphenate() {
        let fonts = FontSet::builtin().expect("bundled fonts");
        let mut ctx = context(&fonts);
        let text = "The typographical considerations of international publications demand \
            extraordinary attention to hyphenation, justification and the interplay of \
            characteristically unpredictable vocabulary in narrow measures.";
        let lines = set_paragraph(
            &Pieces::one(text, &TextStyle::serif(10.0)),
            &spec(150.0),
            &mut ctx,
        );
        for line in &lines[..lines.len() - 1] {
            assert!(
                (line_width(line) - 150.0).abs() < 0.5,
                "not justified: {}",
                line_width(line)
            );
        }
        assert!(
            lines.iter().any(|l| l.hyphenated),
            "a narrow measure needs a hyphen"
        );
    }
}
