//! Paragraphs: inline content to shaped words, Knuth-Plass items, and set lines.
//!
//! Words are shaped whole (through the per-word cache), so kerning and ligatures inside a
//! word are kept; the boxes between break opportunities are made of glyph clusters, so a
//! hyphenation point inside a ligature is simply not offered (the ligature is never split).
//! Break opportunities: spaces (glue), hyphenation points (flagged penalties with the hyphen's
//! width), existing hyphens and dashes, and slashes in URLs. Code is never hyphenated.

mod bidi;
mod extent;
mod line;
mod pieces;

use std::borrow::Cow;
use std::ops::Range;
use std::sync::Arc;

use super::hyphen::{Hyphenator, TextLanguage, TokenKind};
use super::layout::LinkDest;
use super::linebreak::{self, BreakOptions, LineWidths};
use super::page::FlowLine;
use super::shape::{joins_previous, ShapeDirection, ShapedRun};
use super::style::JUSTIFICATION;
use crate::fonts::{FaceChoice, Family, Style};
use crate::units::Pt;
pub(crate) use extent::{content_widths, forget_words, hyphenated_min_width, ContentWidths};
pub(crate) use line::slice_run;
use line::{lay_out_line, LineLayout};
use pieces::store_style;
pub(crate) use pieces::{InlineImage, NoteCall, Piece, Pieces, StyleId, TextContext, TextStyle};

/// How the lines of a paragraph are set.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Alignment {
    /// Justified, last line flush left.
    Justified,
    /// Flush left, ragged right.
    Ragged,
    /// Centred lines.
    Centered,
    /// Flush right, ragged left (right-aligned table columns).
    FlushRight,
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
    Image(Box<InlineImage>),
    Math(
        Arc<crate::typeset::math::MathBox>,
        Option<crate::typeset::structure::InlineTag>,
    ),
    Anchor(Box<str>),
    Nothing,
}

/// Paragraph settings.
#[derive(Debug, Clone)]
pub(crate) struct ParagraphSpec {
    /// Line measure.
    pub width: Pt,
    /// Indent of the first line (0 for none).
    pub first_indent: Pt,
    /// Indent of the other lines (hanging indents in the references).
    pub rest_indent: Pt,
    /// Baseline-to-baseline distance.
    pub leading: Pt,
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
    pub(crate) fn plain(width: Pt, leading: Pt, alignment: Alignment) -> ParagraphSpec {
        ParagraphSpec {
            width,
            first_indent: Pt::ZERO,
            rest_indent: Pt::ZERO,
            leading,
            alignment,
        }
    }
}

/// A shaped piece of a word: a part, or a line-wide piece of a long part.
struct Shaped {
    run: Arc<ShapedRun>,
    style: StyleId,
    /// The part's embedding level (see [`bidi`]).
    level: u8,
    /// Byte offset of the piece in the word.
    offset: usize,
    /// A line-wide piece in the middle of a long part, set as one box between two breaks.
    whole_line: bool,
}

/// A part of a word being gathered: its text, its style and its embedding level (a word
/// is cut where its style or its level changes).
#[derive(Debug, Clone, Copy)]
struct WordPart<'t> {
    text: &'t str,
    style: StyleId,
    level: u8,
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
    /// An image set on a line of its own was the last thing added: what follows starts a
    /// new line (and the space after the image is not set).
    break_pending: bool,
    /// The language of the text being read ([`Piece::Language`]).
    language: TextLanguage,
    /// The language of the word being gathered: that of its first piece.
    word_language: TextLanguage,
    /// Every prose word may be hyphenated as if it were too wide for the measure (names
    /// too): the narrowest a table column can be made.
    every_word_wide: bool,
    /// The embedding levels of a paragraph with right-to-left text.
    bidi: Option<bidi::Levels>,
    /// Where the piece being read starts in the paragraph's text (see [`bidi::piece_text`]).
    text_at: usize,
    /// The embedding level of each item, when the paragraph has levels (else empty).
    levels: Vec<u8>,
    /// The embedding level of the items being added.
    level: u8,
}

/// Set a paragraph: break it into lines and lay each line out.
pub(crate) fn set_paragraph(
    pieces: &Pieces<'_>,
    spec: &ParagraphSpec,
    ctx: &mut TextContext<'_>,
) -> Vec<FlowLine> {
    set_paragraph_hung(pieces, spec, None, ctx)
}

/// The first lines of a paragraph set narrower, beside something in the margin of the
/// text (a drop cap).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Hang {
    /// How many lines.
    pub lines: usize,
    /// How far they are indented.
    pub indent: Pt,
}

/// [`set_paragraph`] with the first lines indented by a [`Hang`], when given.
pub(crate) fn set_paragraph_hung(
    pieces: &Pieces<'_>,
    spec: &ParagraphSpec,
    hang: Option<Hang>,
    ctx: &mut TextContext<'_>,
) -> Vec<FlowLine> {
    let mut options = justified_options();
    if spec.alignment != Alignment::Justified {
        options.ragged = Some((spec.width * ctx.design.text.ragged).get());
    }
    set_lines(pieces, spec, &options, hang, ctx)
}

/// The line breaker's settings for a justified paragraph (see [`JUSTIFICATION`]).
fn justified_options() -> BreakOptions {
    let j = JUSTIFICATION;
    BreakOptions {
        hyphen_penalty: j.hyphen_penalty,
        tolerance: j.tolerance,
        line_penalty: j.line_penalty,
        emergency_stretch: j.emergency_stretch,
        max_hyphen_run: j.max_hyphen_run,
        ..BreakOptions::default()
    }
}

/// Set a paragraph in a narrow measure (a table's cell), unjustified: its lines may fall
/// `rag` short of the measure before the line breaker minds, and any number of them in a
/// row may end at a hyphen or after a URL's slash (a long address in a narrow column is
/// all such lines).
pub(crate) fn set_paragraph_narrow(
    pieces: &Pieces<'_>,
    spec: &ParagraphSpec,
    rag: Pt,
    ctx: &mut TextContext<'_>,
) -> Vec<FlowLine> {
    let options = BreakOptions {
        ragged: Some(rag.get()),
        max_hyphen_run: 0,
        // A long address in a narrow column breaks after a slash on every line, the last
        // full line too: better than inside a part.
        hyphen_before_last_line: true,
        ..BreakOptions::default()
    };
    set_lines(pieces, spec, &options, None, ctx)
}

/// Break a paragraph into lines with `options` and lay each line out.
fn set_lines(
    pieces: &Pieces<'_>,
    spec: &ParagraphSpec,
    options: &BreakOptions,
    hang: Option<Hang>,
    ctx: &mut TextContext<'_>,
) -> Vec<FlowLine> {
    let hang_indent = hang.map_or(Pt::ZERO, |h| h.indent);
    let widest_indent = spec.rest_indent.max(spec.first_indent).max(hang_indent);
    let mut builder = Builder::new(ctx, pieces, (spec.width - widest_indent).get(), false);
    let base_level = builder.base_level();
    if spec.first_indent > Pt::ZERO {
        builder.push(
            linebreak::Item::Box {
                width: spec.first_indent.get(),
            },
            Payload::Nothing,
        );
    }
    builder.pieces(pieces, spec);
    builder.level = base_level;
    for item in linebreak::Item::paragraph_end() {
        builder.push(item, Payload::Nothing);
    }
    // Line `n`'s indent and width: a hung line's, the first's, or the rest's.
    let line_shape = |n: usize| -> (Pt, Pt) {
        match hang {
            Some(hang) if n < hang.lines => (hang.indent, spec.width - hang.indent),
            _ if n == 0 => (Pt::ZERO, spec.width),
            _ => (spec.rest_indent, spec.width - spec.rest_indent),
        }
    };
    let hung_widths: Vec<f64> = match hang {
        Some(hang) => (0..=hang.lines).map(|n| line_shape(n).1.get()).collect(),
        None => Vec::new(),
    };
    let widths = match hang {
        Some(_) => LineWidths::List(&hung_widths),
        None => LineWidths::FirstRest {
            first: spec.width.get(),
            rest: (spec.width - spec.rest_indent).get(),
        },
    };
    let breaks = linebreak::break_paragraph(&builder.items, &widths, options);
    let design = builder.ctx.design;
    let Builder {
        items,
        payloads,
        styles,
        levels,
        ..
    } = builder;
    breaks
        .lines
        .iter()
        .enumerate()
        .map(|(n, line)| {
            let (indent, measure) = line_shape(n);
            let layout = LineLayout {
                items: &items,
                payloads: &payloads,
                styles: &styles,
                design,
                levels: &levels,
                base_level,
            };
            lay_out_line(&layout, line, indent, measure, spec)
        })
        .collect()
}

impl<'a, 'f> Builder<'a, 'f> {
    /// A builder for the paragraph of `pieces` set in lines `measure` wide at the narrowest.
    fn new(
        ctx: &'a mut TextContext<'f>,
        pieces: &Pieces<'_>,
        measure: f64,
        every_word_wide: bool,
    ) -> Self {
        let bidi = bidi::Levels::of(pieces.list(), ctx.right_to_left);
        let level = bidi.as_ref().map_or(0, |levels| levels.base);
        Builder {
            ctx,
            measure,
            items: Vec::new(),
            payloads: Vec::new(),
            styles: pieces.styles.clone(),
            break_pending: false,
            language: TextLanguage::Book,
            word_language: TextLanguage::Book,
            every_word_wide,
            bidi,
            text_at: 0,
            levels: Vec::new(),
            level,
        }
    }

    fn push(&mut self, item: linebreak::Item, payload: Payload) {
        self.items.push(item);
        self.payloads.push(payload);
        if self.bidi.is_some() {
            self.levels.push(self.level);
        }
    }

    /// The embedding level of the paragraph's text at byte `offset` (0 throughout a
    /// paragraph without levels).
    fn level_at(&self, offset: usize) -> u8 {
        self.bidi.as_ref().map_or(0, |levels| levels.at(offset))
    }

    /// The paragraph's own embedding level.
    fn base_level(&self) -> u8 {
        self.bidi.as_ref().map_or(0, |levels| levels.base)
    }

    /// Adds `chunk`, which starts at byte `at` of the paragraph's text, to the word being
    /// gathered: cut where its embedding level changes.
    fn gather<'t>(&self, word: &mut Vec<WordPart<'t>>, chunk: &'t str, style: StyleId, at: usize) {
        let Some(levels) = &self.bidi else {
            word.push(WordPart {
                text: chunk,
                style,
                level: 0,
            });
            return;
        };
        for (range, level) in levels.runs(at..at + chunk.len()) {
            word.push(WordPart {
                text: &chunk[range],
                style,
                level,
            });
        }
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
        let mut word: Vec<WordPart<'_>> = Vec::new();
        for piece in pieces.list() {
            let at = self.text_at;
            self.text_at += bidi::piece_text(piece).len();
            match piece {
                Piece::Text(text, style) => {
                    let mut chunk_at = at;
                    for (i, chunk) in text.split(' ').enumerate() {
                        if i > 0 {
                            self.flush_word(&mut word);
                            self.level = self.level_at(chunk_at);
                            self.space(*style, spec);
                            chunk_at += 1;
                        }
                        if !chunk.is_empty() {
                            self.pending_break();
                            if word.is_empty() {
                                self.word_language = self.language;
                            }
                            self.gather(&mut word, chunk, *style, chunk_at);
                        }
                        chunk_at += chunk.len();
                    }
                }
                Piece::Break => {
                    self.flush_word(&mut word);
                    self.break_pending = false;
                    self.forced_break();
                }
                Piece::Note(call) => {
                    self.flush_word(&mut word);
                    self.pending_break();
                    self.level = self.level_at(at);
                    self.note_call(call);
                }
                Piece::Image(image) => {
                    self.flush_word(&mut word);
                    self.pending_break();
                    self.level = self.level_at(at);
                    self.inline_image(image);
                }
                Piece::Anchor(id) => {
                    self.flush_word(&mut word);
                    self.push(
                        linebreak::Item::Box { width: 0.0 },
                        Payload::Anchor(id.clone()),
                    );
                }
                Piece::Language(language) => self.language = *language,
                Piece::Math(formula, tag) => {
                    self.flush_word(&mut word);
                    self.level = self.level_at(at);
                    let width = f64::from(formula.width);
                    self.push(
                        linebreak::Item::Box { width },
                        Payload::Math(Arc::clone(formula), *tag),
                    );
                }
            }
        }
        self.flush_word(&mut word);
    }

    /// A forced line break (the last line before it is not stretched).
    fn forced_break(&mut self) {
        self.level = self.base_level();
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

    /// The line break an image on a line of its own asked for, before what follows it.
    fn pending_break(&mut self) {
        if std::mem::take(&mut self.break_pending) {
            self.forced_break();
        }
    }

    /// True before anything but an indent, and right after a forced break.
    fn at_line_start(&self) -> bool {
        match self.items.last() {
            Some(linebreak::Item::Penalty { cost, .. }) => *cost <= -linebreak::INFINITY_PENALTY,
            Some(linebreak::Item::Box { .. }) => {
                self.items.len() == 1 && matches!(self.payloads.last(), Some(Payload::Nothing))
            }
            Some(linebreak::Item::Glue { .. }) => false,
            None => true,
        }
    }

    /// An image in the line: a box as wide as the image (reduced to the measure), on a line
    /// of its own when its size was given.
    fn inline_image(&mut self, image: &InlineImage) {
        let scale = (self.measure / image.width.get()).min(1.0);
        let scale = if scale.is_finite() {
            scale.max(0.0)
        } else {
            1.0
        };
        let sized = InlineImage {
            width: image.width * scale,
            height: image.height * scale,
            ..image.clone()
        };
        if sized.own_line && !self.at_line_start() {
            self.forced_break();
        }
        self.push(
            linebreak::Item::Box {
                width: sized.width.get(),
            },
            Payload::Image(Box::new(sized)),
        );
        self.break_pending = image.own_line;
    }

    /// Interword glue: the space of the face, stretch 1/2, shrink 1/3 (TeX's proportions).
    fn space(&mut self, style: StyleId, spec: &ParagraphSpec) {
        if matches!(self.items.last(), Some(linebreak::Item::Glue { .. }) | None)
            || self.break_pending
        {
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
            size: style.size * self.ctx.design.inline.note_call_size,
            rise: style.size * self.ctx.design.inline.note_call_rise,
            link: Some(LinkDest::Anchor(Arc::from(note_id.as_str()))),
            strike: false,
            small_caps: false,
            tag: style.tag,
        };
        let run = self.ctx.shape(&number.to_string(), &call_style);
        let width = f64::from(run.width());
        let clusters = 0..run.cluster_count();
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
    fn flush_word(&mut self, word: &mut Vec<WordPart<'_>>) {
        if word.is_empty() {
            return;
        }
        let full: Cow<'_, str> = match word.as_slice() {
            [part] => Cow::Borrowed(part.text),
            parts => Cow::Owned(parts.iter().map(|part| part.text).collect()),
        };
        let prose = word.iter().all(|part| {
            self.styles
                .get(part.style as usize)
                .is_some_and(|s| s.choice.family == Family::Serif)
        });
        let shaped = self.shape_parts(word);
        let total: f64 = shaped.iter().map(|p| f64::from(p.run.width())).sum();
        // A word wider than the measure must break: by the patterns, even a name, rather
        // than anywhere without a hyphen.
        let kind = match (prose, self.every_word_wide || total > self.measure) {
            (false, _) => None,
            (true, false) => Some(TokenKind::Prose),
            (true, true) => Some(TokenKind::Wide),
        };
        let hyphenator = self.ctx.hyphenator.as_ref();
        let points = break_points(&full, kind, hyphenator, self.word_language);
        drop(full);
        word.clear();
        let grid = (total > self.measure).then_some(self.measure / EMERGENCY_BREAKS_PER_LINE);
        let mut since_break = 0.0;
        let mut next_point = 0;
        let mut after_line = false;
        for (n, piece) in shaped.into_iter().enumerate() {
            let Shaped {
                run,
                style,
                level,
                offset,
                whole_line,
            } = piece;
            self.level = level;
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
                self.glyph_box(&run, 0..run.cluster_count(), width, style);
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
    fn shape_parts(&mut self, parts: &[WordPart<'_>]) -> Vec<Shaped> {
        let mut shaped = Vec::with_capacity(parts.len());
        let mut offset = 0;
        for part in parts {
            let style = self.style(part.style);
            let direction = match (&self.bidi, part.level % 2) {
                (None, _) => ShapeDirection::OfScript,
                (Some(_), 0) => ShapeDirection::LeftToRight,
                (Some(_), _) => ShapeDirection::RightToLeft,
            };
            let add = |run, offset, whole_line| Shaped {
                run,
                style: part.style,
                level: part.level,
                offset,
                whole_line,
            };
            let text = part.text;
            if text.len() <= LONG_PART_BYTES {
                let run = self.ctx.shape_directed(text, &style, direction);
                shaped.push(add(run, offset, false));
                offset += text.len();
                continue;
            }
            let per_line = self.chars_per_line(text, &style);
            let pieces: Vec<&str> = split_pieces(text, per_line).collect();
            let count = pieces.len();
            for (n, piece) in pieces.into_iter().enumerate() {
                let whole_line = n >= GRID_LINES_BEFORE && n + 1 < count;
                let run = self.ctx.shape_directed(piece, &style, direction);
                shaped.push(add(run, offset, whole_line));
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
        let last = run.cluster_count().saturating_sub(1);
        for (i, cluster) in run.clusters().enumerate() {
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
        if start < run.cluster_count() {
            self.glyph_box(&run, start..run.cluster_count(), width, style);
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
/// `kind` is `None` for code.
fn break_points(
    word: &str,
    kind: Option<TokenKind>,
    hyphenator: Option<&Hyphenator>,
    language: TextLanguage,
) -> Vec<(usize, bool)> {
    if word.contains("://") || word.starts_with("www.") {
        return word
            .match_indices('/')
            .map(|(i, _)| i + 1)
            .filter(|&i| i < word.len() && !word[i..].starts_with('/'))
            .map(|i| (i, false))
            .collect();
    }
    let Some(kind) = kind else {
        // Code is never hyphenated: it breaks only where a line of code would.
        return super::code_breaks::inline_code_breaks(word)
            .into_iter()
            .map(|at| (at, false))
            .collect();
    };
    match hyphenator {
        Some(h) => h
            .hyphenate_in(word, kind, language)
            .into_iter()
            .map(|p| (p.offset, p.insert_hyphen))
            .collect(),
        None => word
            .char_indices()
            .filter(|(_, c)| matches!(c, '-' | '–' | '—' | '/'))
            .map(|(i, c)| (i + c.len_utf8(), false))
            .collect(),
    }
}

/// A text context for unit tests: the print design, English hyphenation, an empty cache.
#[cfg(test)]
pub(crate) fn test_context<'f>(fonts: &'f crate::fonts::FontSet<'static>) -> TextContext<'f> {
    TextContext {
        fonts,
        design: crate::typeset::style::Style::for_profile("print"),
        cache: crate::typeset::shape::ShapeCache::new(),
        hyphenator: Some(Hyphenator::new("en")),
        options: crate::typeset::shape::ShapeOptions::default(),
        right_to_left: false,
        missing: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::test_context as context;
    use super::*;
    use crate::fonts::FontSet;
    use crate::typeset::layout::Item;

    fn line_width(line: &FlowLine) -> f64 {
        line.items
            .iter()
            .filter_map(|i| match i {
                Item::Glyphs(g) => Some((g.x + g.width()).get()),
                _ => None,
            })
            .fold(0.0, f64::max)
    }

    fn spec(width: f64) -> ParagraphSpec {
        ParagraphSpec {
            width: Pt::new(width),
            first_indent: Pt::ZERO,
            rest_indent: Pt::ZERO,
            leading: Pt::new(12.0),
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
                Item::Glyphs(g) => Some(&*g.run.text),
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

    /// Each glyph run of `lines` with its left edge, in the order the lines hold them.
    fn runs_with_x(lines: &[FlowLine]) -> Vec<(String, f64)> {
        lines
            .iter()
            .flat_map(|l| &l.items)
            .filter_map(|i| match i {
                Item::Glyphs(g) => Some((g.run.text.to_string(), g.x.get())),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn a_hebrew_phrase_in_english_is_shown_right_to_left_and_kept_in_reading_order() {
        let fonts = FontSet::builtin().expect("bundled fonts");
        let mut ctx = context(&fonts);
        let pieces = Pieces::one("He said שלום עולם today.", &TextStyle::serif(10.0));
        let mut ragged = spec(400.0);
        ragged.alignment = Alignment::Ragged;
        let lines = set_paragraph(&pieces, &ragged, &mut ctx);
        let runs = runs_with_x(&lines);
        let texts: Vec<&str> = runs.iter().map(|(t, _)| t.as_str()).collect();
        assert_eq!(texts, ["He", "said", "שלום", "עולם", "today."]);
        let x = |n: usize| runs[n].1;
        assert!(
            x(0) < x(1) && x(1) < x(3) && x(3) < x(2) && x(2) < x(4),
            "{runs:?}"
        );
    }

    #[test]
    fn a_right_to_left_paragraph_starts_at_the_right_edge() {
        let fonts = FontSet::builtin().expect("bundled fonts");
        let mut ctx = context(&fonts);
        let pieces = Pieces::one("שלום עולם (42).", &TextStyle::serif(10.0));
        let lines = set_paragraph(&pieces, &spec(300.0), &mut ctx);
        let runs = runs_with_x(&lines);
        let (first, last) = (&runs[0], &runs[runs.len() - 1]);
        assert_eq!(first.0, "שלום");
        let right_edge = lines[0]
            .items
            .iter()
            .filter_map(|i| match i {
                Item::Glyphs(g) => Some((g.x + g.width()).get()),
                _ => None,
            })
            .fold(0.0, f64::max);
        assert!(
            (right_edge - 300.0).abs() < 0.01,
            "flush right: {right_edge}"
        );
        assert!(
            first.1 > last.1,
            "the first word is the rightmost: {runs:?}"
        );
    }

    /// `word` three times in a justified paragraph whose measure holds two of them and a
    /// space stretched to 1.6 times its stretch (half a space): past the ratio letter
    /// spacing takes over from, well within the line breaker's tolerance. The lines, the
    /// word's width unspaced, a space's width and the measure.
    fn loose_lines_of(word: &str) -> (Vec<FlowLine>, f64, f64, f64) {
        let fonts = FontSet::builtin().expect("bundled fonts");
        let mut ctx = context(&fonts);
        let style = TextStyle::serif(10.0);
        let plain = f64::from(ctx.shape(word, &style).width());
        let space = f64::from(ctx.shape(" ", &style).width());
        let measure = 2.0 * plain + space + 1.6 * space / 2.0;
        let text = [word; 3].join(" ");
        let lines = set_paragraph(&Pieces::one(text, &style), &spec(measure), &mut ctx);
        (lines, plain, space, measure)
    }

    /// The widths of the glyph runs of `line`.
    fn run_widths(line: &FlowLine) -> Vec<f64> {
        line.items
            .iter()
            .filter_map(|i| match i {
                Item::Glyphs(g) => Some(g.width().get()),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn a_loose_line_shares_its_spacing_with_its_letters() {
        let (lines, plain, space, measure) = loose_lines_of("Mmmmmm");
        let first = runs_with_x(&lines[..1]);
        assert_eq!(first.len(), 2, "{first:?}");
        let widths = run_widths(&lines[0]);
        let most = 6.0 * JUSTIFICATION.max_letter_spacing * 10.0;
        for width in &widths {
            let extra = width - plain;
            assert!(
                extra > 0.01 && extra <= most + 1e-3,
                "spacing {extra} of {most}"
            );
        }
        assert!(
            (line_width(&lines[0]) - measure).abs() < 0.01,
            "the line still fills the measure"
        );
        let gap = first[1].1 - (first[0].1 + widths[0]);
        assert!(gap < space * 1.6, "the space is less stretched: {gap}");
    }

    #[test]
    fn arabic_letters_are_never_spaced() {
        let (lines, plain, ..) = loose_lines_of("مرحبا");
        for width in run_widths(&lines[0]) {
            assert!((width - plain).abs() < 1e-3, "spaced Arabic");
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
            &spec(130.0),
            &mut ctx,
        );
        for line in &lines[..lines.len() - 1] {
            assert!(
                (line_width(line) - 130.0).abs() < 0.5,
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
