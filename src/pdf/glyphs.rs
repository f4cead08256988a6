//! Shaped text handed to krilla: a page's glyph runs become as few `draw_glyphs` calls as
//! the faces allow, with every glyph where the typesetter put it, written tersely.
//!
//! - **Batches.** krilla draws one face and size per call, and wraps each call in its own
//!   graphics state and text object (`q … cm … BT … ET Q`, about 40 bytes). Consecutive runs
//!   in one face and size are joined into a [`TextBatch`], across lines too: each line's
//!   glyphs carry the line's distance from the batch's first baseline as their `y_offset`,
//!   which makes krilla start a new text line (`Tm`) there. Runs stay in reading order, so
//!   extraction order is unchanged.
//! - **Positions.** krilla places a text line at its pen position, which it sums in `f32`
//!   from the advances it was given; a gap between two runs on a line goes into the advance
//!   of the glyph before it, which krilla writes as a `TJ` adjustment. The batch keeps the
//!   same sums, so that the glyph before a new line gets the advance that lands krilla's pen
//!   exactly on the line's start (rounded to a thousandth of a point, as viewers cannot
//!   tell), whatever the rounding on the way.
//! - **Short numbers.** An advance given to krilla comes back in the content stream as
//!   `advance × 1000 − font advance`, computed in `f32`: a word space of 177.17 thousandths
//!   of an em came out as `-177.17487`, a kern of 7 as `-6.9999695`, and the noise made the
//!   compressed content streams a fifth larger. [`TextBatch`] repeats krilla's arithmetic
//!   ([`TjState`]) and, among the `f32` advances within 0.005 thousandths of an em of the
//!   wanted one, picks one that krilla writes with at most three decimals (two if it can),
//!   or with no adjustment at all where none is wanted.
//!
//! - **Integer widths.** The adjustments are computed against the integer `/W` widths that
//!   replace krilla's fractional ones (`krilla_fixes`), as PDFium reads widths.
//!
//! - **Inks.** A batch is one ink too: a run in another colour (highlighted code) draws the
//!   batch and starts another, filled in its ink (a grey as a grey, for print).
//!
//! Each glyph carries the byte range of its cluster in the batch's text: krilla builds
//! `/ToUnicode` from those ranges, and wraps a cluster in `/ActualText` when its glyphs
//! cannot spell it (reordered or textless Khmer glyphs, a glyph met before with other text).
//! A run that stands for no text (a code line's number) gives its glyphs empty ranges, and
//! a face's `.notdef` is claimed before its first use ([`TextBatch::claim_notdef`]), since
//! krilla writes no `/ToUnicode` entry for it.

use std::ops::Range;

use krilla::color::{luma, rgb};
use krilla::geom::Point;
use krilla::paint::Fill;
use krilla::surface::Surface;
use krilla::text::{Font, Glyph, GlyphId};

use super::krilla_fixes::pdf_width;
use crate::fonts::{FontFace, FontSet};
use crate::typeset::layout::{GlyphRun, Ink};
use crate::typeset::shape::{ShapedGlyph, ShapedRun};

/// The units of a `TJ` adjustment (and of krilla's CID font widths) per em.
const TJ_UNITS_PER_EM: f32 = 1000.0;

/// An adjustment krilla writes only above this size (its own threshold), in `TJ` units.
const KRILLA_ADJUSTMENT_EPSILON: f32 = 0.001;

/// How far a written adjustment may stray from the wanted one, in `TJ` units (thousandths
/// of an em: 0.00005 pt at 10 pt, the old writer's precision).
const ADJUSTMENT_TOLERANCE: f64 = 0.005;

/// Line starts and baselines are rounded to this fraction of a point.
const COORDINATE_STEPS_PER_PT: f64 = 1000.0;

/// How much shorter than its longest glyph a cluster's last glyph must end for the cluster
/// to count as ending short ([`TextBatch::ends_short`]), in ems.
const SHORT_CLUSTER_TOLERANCE_EM: f32 = 0.02;

/// How many neighbouring `f32` values a search tries on either side of its estimate.
const SEARCH_ULPS: u32 = 3;

/// The glyph a face draws for a character it lacks.
const NOTDEF: u16 = 0;

/// Slots of the memo of [`TjState::tidy_advance`]'s answers ([`AdvanceMemo`]).
const ADVANCE_MEMO_SLOTS: usize = 4096;

/// One glyph as krilla draws it. Advances and offsets are in ems (krilla scales them by the
/// batch's size); the text range is a byte range of the batch's text.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct PlacedGlyph {
    glyph_id: u16,
    text_start: usize,
    text_end: usize,
    x_advance: f32,
    x_offset: f32,
    y_offset: f32,
}

impl Glyph for PlacedGlyph {
    fn glyph_id(&self) -> GlyphId {
        GlyphId::new(u32::from(self.glyph_id))
    }

    fn text_range(&self) -> Range<usize> {
        self.text_start..self.text_end
    }

    fn x_advance(&self, size: f32) -> f32 {
        self.x_advance * size
    }

    fn x_offset(&self, size: f32) -> f32 {
        self.x_offset * size
    }

    fn y_offset(&self, size: f32) -> f32 {
        self.y_offset * size
    }

    fn y_advance(&self, _size: f32) -> f32 {
        0.0
    }

    fn location(&self) -> Option<krilla::surface::Location> {
        None
    }
}

/// The fill for glyphs in `ink`: a grey as a grey (print's code theme uses only greys,
/// which a press prints in black ink alone), any other colour as sRGB.
fn ink_fill(ink: Ink) -> Fill {
    let [red, green, blue] = ink.0;
    let paint = if red == green && green == blue {
        luma::Color::new(red).into()
    } else {
        rgb::Color::new(red, green, blue).into()
    };
    Fill {
        paint,
        ..Fill::default()
    }
}

/// Consecutive glyphs in one face, size and ink, drawn by one `draw_glyphs` call.
///
/// The last glyph pushed is *pending*: its advance is settled when the next glyph shows
/// whether a gap, a new line or a new group follows it.
pub(super) struct TextBatch<'f> {
    /// The faces of the book's font set and krilla's fonts for them, by face index.
    faces: Vec<&'f FontFace<'static>>,
    fonts: &'f [Font],
    face: usize,
    size: f32,
    /// The colour the batch's glyphs are filled with.
    ink: Ink,
    /// Where krilla starts: the first glyph's pen position (krilla's coordinates, y down).
    origin: (f32, f32),
    glyphs: Vec<PlacedGlyph>,
    text: String,
    /// krilla's pen before the pending glyph, summed as krilla sums it.
    pen: f32,
    /// The pending glyph's advance as the layout has it, in points.
    pending_advance: f64,
    /// Where the layout's pen is after the pending glyph, in points.
    layout_pen: f64,
    /// krilla's running `TJ` adjustment, as it stands before the pending glyph's advance.
    tj: TjState,
    /// The current line's `y_offset`, in ems, and its baseline (rounded layout coordinate).
    line_offset: f32,
    line_y: f32,
    /// Answers of the searches for short adjustments, by their question.
    memo: AdvanceMemo,
    /// By face index: whether the face's `.notdef` has been claimed ([`Self::claim_notdef`]).
    notdef_claimed: Vec<bool>,
}

impl<'f> TextBatch<'f> {
    /// An empty batch drawing with `fonts` (krilla's fonts for the faces of `set`).
    pub(super) fn new(set: &'f FontSet<'static>, fonts: &'f [Font]) -> Self {
        TextBatch {
            faces: set.faces().map(|(_, face)| face).collect(),
            fonts,
            face: 0,
            size: 0.0,
            ink: Ink::BLACK,
            origin: (0.0, 0.0),
            glyphs: Vec::new(),
            text: String::new(),
            pen: 0.0,
            pending_advance: 0.0,
            layout_pen: 0.0,
            tj: TjState::default(),
            line_offset: 0.0,
            line_y: 0.0,
            memo: AdvanceMemo::new(),
            notdef_claimed: Vec::new(),
        }
    }

    /// Adds `run` to the batch, drawing (and emptying) the batch first whenever the face,
    /// size or ink changes.
    pub(super) fn add_run(&mut self, run: &GlyphRun, surface: &mut Surface<'_>) {
        let shaped = &*run.run;
        let size = shaped.size_pt;
        if !(size.is_finite() && size > 0.0 && run.x.is_finite() && run.y.is_finite()) {
            return;
        }
        if !self.glyphs.is_empty() && self.ink != shaped.ink {
            self.draw(surface);
        }
        self.ink = shaped.ink;
        let mut x = run.x.get();
        for segment in segments(shaped) {
            if !self.glyphs.is_empty() && (self.face != segment.face || self.size != size) {
                self.draw(surface);
            }
            x = self.push_segment(shaped, &segment, x, run.y.get());
        }
    }

    /// Draws the batch, if it holds anything, and empties it.
    pub(super) fn draw(&mut self, surface: &mut Surface<'_>) {
        if let (false, Some(font)) = (self.glyphs.is_empty(), self.fonts.get(self.face)) {
            let inked = self.ink != Ink::BLACK;
            if inked {
                surface.set_fill(Some(ink_fill(self.ink)));
            }
            surface.draw_glyphs(
                Point::from_xy(self.origin.0, self.origin.1),
                &self.glyphs,
                font.clone(),
                &self.text,
                self.size,
                false,
            );
            if inked {
                surface.set_fill(Some(Fill::default()));
            }
        }
        self.glyphs.clear();
        self.text.clear();
    }

    /// Appends the glyphs of `segment` (starting at `x` on baseline `y`, layout coordinates);
    /// returns where the layout's pen is after them.
    fn push_segment(&mut self, run: &ShapedRun, segment: &Segment, x: f64, y: f64) -> f64 {
        let size = run.size_pt;
        let line_y = coordinate(y);
        if self.glyphs.is_empty() {
            self.face = segment.face;
            self.size = size;
            self.origin = (coordinate(x), line_y);
            self.pen = self.origin.0;
            self.tj = TjState::default();
            self.line_offset = 0.0;
            self.line_y = line_y;
        } else if line_y != self.line_y {
            // The next glyph's `y_offset` differs from the pending one's, so `push_glyph`
            // lands the pen on `x` for the new line.
            let top = self.origin.1;
            self.line_offset = exact_factor(top - line_y, size, |v| top - v * size == line_y);
            self.line_y = line_y;
        } else {
            self.pending_advance += x - self.layout_pen;
        }
        self.layout_pen = x;
        let base = self.run_text(run);
        // A cluster that ends short, and the clusters it runs into: (first glyph, text start).
        let mut joined: Option<(usize, usize)> = None;
        for index in segment.clusters.clone() {
            let cluster = run.cluster(index);
            let glyphs = run.cluster_glyphs(index);
            if joined.is_none() {
                self.claim_notdef(glyphs, base + cluster.text.start);
            }
            let first = self.glyphs.len();
            let start = joined.map_or(base + cluster.text.start, |(_, start)| start);
            let end = base + cluster.text.end;
            for glyph in glyphs {
                let placed = PlacedGlyph {
                    glyph_id: glyph.glyph_id,
                    text_start: start,
                    text_end: end,
                    x_advance: glyph.x_advance / size,
                    x_offset: glyph.x_offset / size,
                    y_offset: self.line_offset + glyph.y_offset / size,
                };
                self.push_glyph(placed, glyph);
            }
            if let Some((from, _)) = joined {
                for glyph in &mut self.glyphs[from..] {
                    glyph.text_end = end;
                }
            }
            joined = self
                .ends_short(glyphs, size)
                .then(|| joined.unwrap_or((first, start)));
        }
        self.layout_pen
    }

    /// Before the first `.notdef` glyph of a face: that glyph once more, standing for no
    /// text and advancing nothing, at `text_at`. krilla maps a glyph to the text it first
    /// stands for in `/ToUnicode` and gives later, other texts an `/ActualText`, but writes
    /// no `/ToUnicode` entry for `.notdef`: without the claim, the first character a face
    /// lacks (and every later use of it) would copy as nothing.
    fn claim_notdef(&mut self, glyphs: &[ShapedGlyph], text_at: usize) {
        let Some(glyph) = glyphs.iter().find(|g| g.glyph_id == NOTDEF) else {
            return;
        };
        let face = glyph.face.index();
        if self.notdef_claimed.len() <= face {
            self.notdef_claimed.resize(face + 1, false);
        }
        if std::mem::replace(&mut self.notdef_claimed[face], true) {
            return;
        }
        let size = self.size;
        let claim = PlacedGlyph {
            glyph_id: NOTDEF,
            text_start: text_at,
            text_end: text_at,
            x_advance: 0.0,
            x_offset: glyph.x_offset / size,
            y_offset: self.line_offset + glyph.y_offset / size,
        };
        let advancing_nothing = ShapedGlyph {
            x_advance: 0.0,
            ..*glyph
        };
        self.push_glyph(claim, &advancing_nothing);
    }

    /// Whether the last of a cluster's `glyphs` ends before another of them (a mark drawn
    /// under or over its base). Text extractors place a cluster's `/ActualText` from its
    /// first glyph's start to its last glyph's end, and take the gap from there to the next
    /// letter for a word space ("ទួ លស្លែង"), so such a cluster shares its text range, and
    /// with it krilla's `/ActualText` span, with the cluster after it.
    fn ends_short(&self, glyphs: &[ShapedGlyph], size: f32) -> bool {
        if glyphs.len() < 2 {
            return false;
        }
        let Some(face) = glyphs.first().and_then(|g| self.faces.get(g.face.index())) else {
            return false;
        };
        let scale = size / f32::from(face.units_per_em().max(1));
        let (mut pen, mut reach, mut last_end) = (0.0f32, f32::MIN, 0.0f32);
        for glyph in glyphs {
            let width = f32::from(face.advance(glyph.glyph_id).unwrap_or(0)) * scale;
            last_end = pen + glyph.x_offset + width;
            reach = reach.max(last_end);
            pen += glyph.x_advance;
        }
        last_end < reach - size * SHORT_CLUSTER_TOLERANCE_EM
    }

    /// Settles the pending glyph's advance now that `next` follows it, and makes `next`
    /// pending.
    fn push_glyph(&mut self, next: PlacedGlyph, shaped: &ShapedGlyph) {
        if let Some(&pending) = self.glyphs.last() {
            if pending.y_offset != next.y_offset {
                // krilla starts a new group at `next`, at its pen: land the pen exactly.
                self.settle_at(coordinate(self.layout_pen));
                self.tj = TjState::default();
            } else {
                self.settle_tidily(next.x_offset);
            }
        }
        self.tj.begin_glyph(next.x_offset);
        self.glyphs.push(next);
        self.pending_advance = f64::from(shaped.x_advance);
        self.layout_pen += f64::from(shaped.x_advance);
    }

    /// Gives the pending glyph the advance that brings krilla's pen to `x` (a new line or
    /// group starts there, so no `TJ` adjustment follows it).
    fn settle_at(&mut self, x: f32) {
        let (size, before) = (self.size, self.pen);
        let Some(last) = self.glyphs.last_mut() else {
            return;
        };
        last.x_advance = exact_factor(x - before, size, |v| before + v * size == x);
        self.pen = before + last.x_advance * size;
    }

    /// Gives the pending glyph its layout advance, chosen among the nearly equal `f32`
    /// values for a short `TJ` adjustment after it (or none), given the `x_offset` of the
    /// glyph that follows it on the same line.
    fn settle_tidily(&mut self, next_x_offset: f32) {
        let (size, before) = (self.size, self.pen);
        let font_advance = self.font_advance();
        let wanted = self.pending_advance;
        let tj = self.tj;
        let memo = &mut self.memo;
        let Some(last) = self.glyphs.last_mut() else {
            return;
        };
        // Without a search: the advance that leaves the glyph where the layout wants it in a
        // viewer that advances it by its integer `/W` width.
        let correction = font_advance.map_or(0.0, |fa| f64::from(fa - pdf_width(fa)));
        let estimate = (wanted / f64::from(size) + correction / f64::from(TJ_UNITS_PER_EM)) as f32;
        last.x_advance = match font_advance {
            Some(font_advance) if last.x_offset == 0.0 && next_x_offset == 0.0 => memo
                .tidy_advance(tj, wanted / f64::from(size), font_advance)
                .unwrap_or(estimate),
            _ => estimate,
        };
        self.tj = tj.after_glyph(last.x_advance, last.x_offset, font_advance);
        self.pen = before + last.x_advance * size;
    }

    /// krilla's advance of the pending glyph in `TJ` units (`advance / upem × 1000`, in
    /// `f32` as krilla computes it), if the face has one.
    fn font_advance(&self) -> Option<f32> {
        let glyph = self.glyphs.last()?;
        let face = self.faces.get(self.face)?;
        let units = f32::from(face.advance(glyph.glyph_id)?);
        let upem = f32::from(face.units_per_em());
        Some(units / upem * TJ_UNITS_PER_EM)
    }

    /// Appends `run`'s text to the batch's text; where it starts there. Every occurrence
    /// of a run gets its own copy, even the same shaped run drawn again on the next line
    /// (a code block's repeated line): krilla takes glyphs with one text range for one
    /// cluster, and would extract the lines as one.
    fn run_text(&mut self, run: &ShapedRun) -> usize {
        let base = self.text.len();
        self.text.push_str(&run.text);
        base
    }
}

/// krilla's running `TJ` adjustment within a group of glyphs (`TJ` units): what it adds for
/// each glyph, and when it writes and resets it.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
struct TjState {
    adjustment: f32,
}

impl TjState {
    /// Before a glyph is shown: its `x_offset` is added, and an adjustment beyond krilla's
    /// threshold is written (and reset).
    fn begin_glyph(&mut self, x_offset: f32) {
        self.adjustment += x_offset * TJ_UNITS_PER_EM;
        if self.adjustment.abs() > KRILLA_ADJUSTMENT_EPSILON {
            self.adjustment = 0.0;
        }
    }

    /// After a glyph with advance `x_advance` (ems) is shown.
    fn after_glyph(self, x_advance: f32, x_offset: f32, font_advance: Option<f32>) -> TjState {
        let mut adjustment = self.adjustment;
        if let Some(font_advance) = font_advance {
            adjustment += x_advance * TJ_UNITS_PER_EM - font_advance;
        }
        adjustment -= x_offset * TJ_UNITS_PER_EM;
        TjState { adjustment }
    }

    /// The number krilla writes before the next glyph (its `x_offset` being 0), if any.
    fn written(self) -> Option<f32> {
        let adjustment = self.adjustment;
        (adjustment.abs() > KRILLA_ADJUSTMENT_EPSILON)
            .then(|| -(adjustment / TJ_UNITS_PER_EM * TJ_UNITS_PER_EM))
    }

    /// An advance (ems) for a glyph of `font_advance` (krilla's width) that krilla writes as
    /// a short adjustment, or exactly none when none is wanted, such that a viewer advancing
    /// the glyph by its integer `/W` width ([`pdf_width`]) less the adjustment lands within
    /// [`ADJUSTMENT_TOLERANCE`] of `wanted` (ems, as the layout has it); `None` if no nearby
    /// value does.
    fn tidy_advance(self, wanted: f64, font_advance: f32) -> Option<f32> {
        let carried = f64::from(self.adjustment);
        let width = f64::from(pdf_width(font_advance));
        let intended = carried + wanted * f64::from(TJ_UNITS_PER_EM) - width;
        // Most glyphs: no adjustment wanted, and the font's own advance (or a neighbour of
        // it, krilla's arithmetic being `f32`) gives exactly none.
        if intended.abs() <= f64::from(KRILLA_ADJUSTMENT_EPSILON) && carried == 0.0 {
            let plain = neighbours(font_advance / TJ_UNITS_PER_EM)
                .find(|&v| self.after_glyph(v, 0.0, Some(font_advance)).adjustment == 0.0);
            if plain.is_some() {
                return plain;
            }
        }
        short_decimals(intended).find_map(|decimal| {
            let advance =
                (decimal - carried + f64::from(font_advance)) / f64::from(TJ_UNITS_PER_EM);
            neighbours(advance as f32).find(|&v| {
                let after = self.after_glyph(v, 0.0, Some(font_advance));
                match after.written() {
                    // Nothing written and nothing carried to the next glyph.
                    None => decimal == 0.0 && after.adjustment == 0.0,
                    Some(number) => number == (-decimal) as f32,
                }
            })
        })
    }
}

/// What [`TjState::tidy_advance`] is asked: the adjustment carried, the wanted advance and
/// the glyph's width, as bits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct AdvanceQuestion {
    carried: u32,
    wanted: u64,
    font_advance: u32,
}

/// The latest answers of [`TjState::tidy_advance`], direct-mapped by their question.
///
/// A monospace line asks the same question for every glyph (one width, nothing carried),
/// and where the face's widths are fractions of a thousandth (DejaVu Sans Mono's 2048 units
/// to the em) no short form exists, found only after some eighty tries: code took three
/// times as long to write as prose. A question takes the slot its hash names, replacing what
/// was there, so the memo stays small; an answer is reused only for the same question, so
/// the file does not depend on the memo.
struct AdvanceMemo {
    slots: Box<[Option<Remembered>]>,
}

/// A question and the advance found for it (`None`: no short form).
type Remembered = (AdvanceQuestion, Option<f32>);

impl AdvanceMemo {
    fn new() -> Self {
        AdvanceMemo {
            slots: vec![None; ADVANCE_MEMO_SLOTS].into_boxed_slice(),
        }
    }

    /// `tj.tidy_advance(wanted, font_advance)`, remembered.
    fn tidy_advance(&mut self, tj: TjState, wanted: f64, font_advance: f32) -> Option<f32> {
        use std::hash::BuildHasher;
        let question = AdvanceQuestion {
            carried: tj.adjustment.to_bits(),
            wanted: wanted.to_bits(),
            font_advance: font_advance.to_bits(),
        };
        let hash = rustc_hash::FxBuildHasher.hash_one(question);
        let slot = &mut self.slots[(hash as usize) % ADVANCE_MEMO_SLOTS];
        match *slot {
            Some((asked, answer)) if asked == question => answer,
            _ => {
                let answer = tj.tidy_advance(wanted, font_advance);
                *slot = Some((question, answer));
                answer
            }
        }
    }
}

/// The numbers within [`ADJUSTMENT_TOLERANCE`] of `value` worth writing, shortest first: 0
/// when it is within krilla's threshold, else `value` to two decimals, then to three.
fn short_decimals(value: f64) -> impl Iterator<Item = f64> {
    let zero = (value.abs() <= f64::from(KRILLA_ADJUSTMENT_EPSILON)).then_some(0.0);
    let hundredths = (value * 100.0).round() / 100.0;
    let thousandths = (value * 1000.0).round();
    let steps = (ADJUSTMENT_TOLERANCE * 1000.0) as i64;
    let three = (0..=steps).flat_map(move |d| {
        let both = [thousandths + d as f64, thousandths - d as f64];
        both.into_iter().take(if d == 0 { 1 } else { 2 })
    });
    zero.into_iter()
        .chain(std::iter::once(hundredths))
        .chain(three.map(|t| t / 1000.0))
        .filter(move |d| (d - value).abs() <= ADJUSTMENT_TOLERANCE)
}

/// `value` and the `f32` values next to it, nearest first.
fn neighbours(value: f32) -> impl Iterator<Item = f32> {
    let (mut up, mut down) = (value, value);
    std::iter::once(value).chain((0..SEARCH_ULPS).flat_map(move |_| {
        up = next_up(up);
        down = next_down(down);
        [up, down]
    }))
}

/// A layout coordinate (points) rounded to [`COORDINATE_STEPS_PER_PT`], as `f32`.
fn coordinate(value: f64) -> f32 {
    ((value * COORDINATE_STEPS_PER_PT).round() / COORDINATE_STEPS_PER_PT) as f32
}

/// A factor `v` with `v * size` as close to `distance` as `f32` allows: the quotient, or a
/// neighbour of it for which `lands(v)` holds (krilla's own sum then gives exactly the
/// wanted coordinate).
fn exact_factor(distance: f32, size: f32, lands: impl Fn(f32) -> bool) -> f32 {
    let estimate = (f64::from(distance) / f64::from(size)) as f32;
    if !estimate.is_finite() {
        return estimate;
    }
    neighbours(estimate).find(|&v| lands(v)).unwrap_or(estimate)
}

/// The next `f32` above `value` (finite input).
fn next_up(value: f32) -> f32 {
    if value == 0.0 {
        return f32::from_bits(1);
    }
    let bits = value.to_bits();
    f32::from_bits(if value > 0.0 { bits + 1 } else { bits - 1 })
}

/// The next `f32` below `value` (finite input).
fn next_down(value: f32) -> f32 {
    -next_up(-value)
}

/// A stretch of one run in one face: clusters of the run (all glyphs of a cluster share a
/// face, since fallback replaces whole clusters).
struct Segment {
    clusters: Range<usize>,
    face: usize,
}

/// The stretches of `run` in one face, in order.
fn segments(run: &ShapedRun) -> impl Iterator<Item = Segment> + '_ {
    let face_of = |cluster: usize| Some(run.cluster_glyphs(cluster).first()?.face.index());
    let clusters = run.cluster_count();
    let mut start = 0;
    std::iter::from_fn(move || {
        // Most runs are in one face: one segment, found without looking at each cluster.
        if start == 0 {
            if let Some(first) = run.glyphs.first() {
                if run.glyphs.iter().all(|g| g.face == first.face) {
                    start = clusters;
                    return Some(Segment {
                        clusters: 0..clusters,
                        face: first.face.index(),
                    });
                }
            }
        }
        while start < clusters {
            let Some(face) = face_of(start) else {
                start += 1;
                continue;
            };
            let end = (start + 1..clusters)
                .find(|&c| face_of(c) != Some(face))
                .unwrap_or(clusters);
            let segment = Segment {
                clusters: start..end,
                face,
            };
            start = end;
            return Some(segment);
        }
        None
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_factors_land_on_the_wanted_coordinate() {
        let size = 10.5f32;
        // Line starts and baselines: forward, and back from a line's end to the margin.
        for (from, to) in [
            (44.0f32, 68.53f32),
            (68.53, 82.03),
            (0.1, 841.89),
            (480.3, 44.0),
        ] {
            let v = exact_factor(to - from, size, |v| from + v * size == to);
            assert_eq!(from + v * size, to, "{from} -> {to}");
        }
    }

    #[test]
    fn neighbouring_floats_step_one_unit() {
        for value in [1.5f32, -2.25, 1e-3, -7e4] {
            assert!(next_up(value) > value && next_down(value) < value);
            assert_eq!(next_down(next_up(value)), value);
        }
        assert!(next_up(0.0) > 0.0 && next_down(0.0) < 0.0);
    }

    #[test]
    fn adjustments_are_written_short_or_not_at_all() {
        let mut written_short = 0;
        let cases = 2000;
        for i in 0..cases {
            let font_advance = (200 + i % 700) as f32;
            // A word space of 177.17… thousandths of an em, a kern, and no adjustment.
            for extra in [177.174_87, -6.999_97, 0.0, 258.869_8] {
                let wanted = (f64::from(font_advance) + extra) / 1000.0;
                let state = TjState::default();
                let Some(v) = state.tidy_advance(wanted, font_advance) else {
                    continue;
                };
                assert!((f64::from(v) - wanted).abs() * 1000.0 <= ADJUSTMENT_TOLERANCE + 1e-4);
                let written = state.after_glyph(v, 0.0, Some(font_advance)).written();
                match written {
                    None => assert_eq!(extra, 0.0),
                    Some(number) => {
                        let text = number.to_string();
                        let decimals = text.split('.').nth(1).map_or(0, str::len);
                        assert!(decimals <= 3, "{text}");
                        written_short += 1;
                    }
                }
            }
        }
        // Nearly every nonzero adjustment finds a short form.
        assert!(written_short > cases * 3 * 9 / 10, "{written_short}");
    }

    #[test]
    fn adjustments_follow_the_integer_widths_viewers_use() {
        // DejaVu Sans Mono: 1233 of 2048 units, 602.05078 in krilla's `/W`, 602 after the fix.
        let font_advance = 1233.0f32 / 2048.0 * 1000.0;
        let wanted = f64::from(font_advance) / 1000.0;
        let state = TjState::default();
        // No short form lands within the tolerance here; whatever is written, a viewer
        // advancing the glyph by 602 less it moves 602.05 units.
        let correction = f64::from(font_advance - pdf_width(font_advance)) / 1000.0;
        let v = state
            .tidy_advance(wanted, font_advance)
            .unwrap_or((wanted + correction) as f32);
        let written = state.after_glyph(v, 0.0, Some(font_advance)).written();
        let viewer = 602.0 - f64::from(written.unwrap_or(0.0));
        assert!((viewer - 602.050_78).abs() < 0.005, "{viewer}");
        // Linux Libertine: 506 of 1000 units, 505.99997 in krilla's `/W`, 506 after the fix.
        let font_advance = 506.0f32 / 1000.0 * 1000.0;
        let v = state
            .tidy_advance(0.506, font_advance)
            .expect("a short form");
        assert_eq!(
            state.after_glyph(v, 0.0, Some(font_advance)).written(),
            None
        );
    }

    #[test]
    fn the_memo_answers_as_the_search_does() {
        let mut memo = AdvanceMemo::new();
        let mut carried = TjState::default();
        for i in 0..20_000 {
            // Monospace glyphs asked again and again, and prose widths and spaces.
            let font_advance = if i % 3 == 0 {
                1233.0f32 / 2048.0 * 1000.0
            } else {
                (200 + i % 700) as f32
            };
            let wanted = (f64::from(font_advance) + [0.0, 177.174_87, -6.999_97][i % 3]) / 1000.0;
            let searched = carried.tidy_advance(wanted, font_advance);
            assert_eq!(memo.tidy_advance(carried, wanted, font_advance), searched);
            let v = searched.unwrap_or(wanted as f32);
            carried = carried.after_glyph(v, 0.0, Some(font_advance));
            carried.begin_glyph(0.0);
        }
    }

    #[test]
    fn short_decimals_stay_within_the_tolerance() {
        let found: Vec<f64> = short_decimals(177.174_87).collect();
        assert_eq!(found[0], 177.17);
        assert!(found
            .iter()
            .all(|d| (d - 177.174_87).abs() <= ADJUSTMENT_TOLERANCE));
        assert_eq!(short_decimals(0.0004).next(), Some(0.0));
    }
}
