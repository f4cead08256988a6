//! Text shaping for the PDF typesetter: Unicode text in, positioned glyphs out.
//!
//! [`shape`] splits text into runs by the first face of the [`FontSet`] chain (primary face, then
//! fallbacks) that has every character of a grapheme-like cluster, shapes each run with
//! `rustybuzz` in its script and the book's language (kerning, ligatures, old-style figures),
//! and returns a [`ShapedRun`]: glyphs in points, glyph clusters with the text each stands for
//! (a ligature maps back to "ffi", a Khmer cluster to its code points), and the characters no
//! face has. The line breaker builds its boxes from the clusters (a ligature is never split);
//! the PDF writer uses the cluster text for `/ToUnicode` and `/ActualText`.
//!
//! Shaping is deterministic and cached per word by [`ShapeCache`].

use std::ops::Range;
use std::str::FromStr;
use std::sync::Arc;

use rustybuzz::ttf_parser::Tag;
use rustybuzz::{BufferFlags, Feature, UnicodeBuffer};
use unicode_properties::{GeneralCategoryGroup, UnicodeGeneralCategory};
use unicode_script::{Script as UScript, UnicodeScript};

use super::layout::Ink;
use crate::fonts::{guard, FaceChoice, FaceId, Family, FontFace, FontSet, Style};
use crate::units::FontUnits;

/// The typographic features a piece of text is shaped with.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct ShapeOptions {
    /// Apply the font's kerning (`kern`).
    pub kerning: bool,
    /// Apply standard and contextual ligatures (`liga`, `clig`).
    pub ligatures: bool,
    /// Use old-style figures (`onum`) where the font has them.
    pub oldstyle_figures: bool,
    /// Lower-case letters as small capitals (`smcp`) where the font has them.
    pub small_caps: bool,
    /// The text's BCP-47 language tag (the book's `language`), for language-specific forms.
    pub language: Option<String>,
    /// The direction the text runs in.
    pub direction: ShapeDirection,
}

/// The direction a run is shaped in. A paragraph with right-to-left text orders its
/// characters by the Unicode Bidirectional Algorithm and shapes each stretch of one
/// embedding level in that level's direction: Arabic digits run left to right, and a
/// bracket between Hebrew words is mirrored. Other text is shaped in its script's own
/// direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub(crate) enum ShapeDirection {
    /// The direction of the text's script (right to left for Arabic and Hebrew letters).
    #[default]
    OfScript,
    /// Left to right (an even embedding level).
    LeftToRight,
    /// Right to left (an odd embedding level): glyphs, and the stretches set in different
    /// faces, come out in visual order, the text's end first.
    RightToLeft,
}

impl Default for ShapeOptions {
    fn default() -> Self {
        ShapeOptions {
            kerning: true,
            ligatures: true,
            oldstyle_figures: false,
            small_caps: false,
            language: None,
            direction: ShapeDirection::OfScript,
        }
    }
}

/// One positioned glyph. Lengths are in points; `y_offset` is positive upwards.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ShapedGlyph {
    /// The face the glyph comes from.
    pub face: FaceId,
    /// Glyph id in that face.
    pub glyph_id: u16,
    /// Byte offset in the run's text of the cluster this glyph belongs to (32 bits: a run
    /// holds a word, a piece of one or a line of code, and a book holds a glyph per letter).
    pub cluster: u32,
    /// How far the pen moves after this glyph.
    pub x_advance: f32,
    /// Horizontal displacement of this glyph from the pen (marks).
    pub x_offset: f32,
    /// Vertical displacement of this glyph from the baseline (marks).
    pub y_offset: f32,
}

/// Glyphs that stand together for a stretch of text: one glyph for one letter, one glyph for
/// "ffi", or several glyphs for a Khmer syllable. Never split across lines.
///
/// What [`ShapedRun::cluster`] answers; a run stores less (see [`StoredCluster`]).
#[derive(Debug, Clone, PartialEq)]
pub struct GlyphCluster {
    /// Byte range of the text this cluster stands for.
    pub text: Range<usize>,
    /// Indices of its glyphs in [`ShapedRun::glyphs`].
    pub glyphs: Range<usize>,
    /// Sum of its glyphs' advances, in points.
    pub width: f32,
}

/// A cluster as a run keeps it: its text and glyph ranges in 32 bits, and no width (the sum
/// of its glyphs' advances, added up again when asked for, in the same order). The composed
/// pages hold every run they show, and a table of a million distinct cells held 40 bytes
/// per letter for its clusters where 16 do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct StoredCluster {
    text: [u32; 2],
    glyphs: [u32; 2],
}

/// The result of shaping one piece of text at one size.
///
/// Its text and lists are boxed slices, sized exactly and without a capacity field: the
/// composed pages hold every run they show, a run per word. Its clusters are kept only when
/// they cannot be told from its glyphs (see [`kept_clusters`]).
#[derive(Debug, Clone, PartialEq)]
pub struct ShapedRun {
    /// The text that was shaped.
    pub text: Box<str>,
    /// The font size, in points.
    pub size_pt: f32,
    /// Glyphs in visual order.
    pub glyphs: Box<[ShapedGlyph]>,
    /// Glyph clusters in visual order, covering all glyphs; empty when each glyph is a
    /// cluster of its own (see [`kept_clusters`]).
    clusters: Box<[StoredCluster]>,
    /// Characters (with their byte offset) that the face set for their cluster lacks, because no
    /// face of the chain has the whole cluster; drawn as `.notdef`. Worth a warning each.
    pub missing: Box<[(char, usize)]>,
    /// The colour the glyphs are filled with (black but for highlighted code).
    pub ink: Ink,
}

/// A run's glyphs, clusters and missing characters while it is being shaped.
#[derive(Debug, Default)]
struct Parts {
    glyphs: Vec<ShapedGlyph>,
    clusters: Vec<StoredCluster>,
    missing: Vec<(char, usize)>,
}

/// The clusters a run keeps of `clusters`: none when each glyph is a cluster of its own
/// standing for the text from its offset to the next glyph's (the first from the start, the
/// last to the end, `text_len`), as in nearly all Latin text, ligatures included; the run
/// then tells them from its glyphs ([`derived_cluster`]). Otherwise all of them.
fn kept_clusters(
    glyphs: &[ShapedGlyph],
    clusters: Vec<StoredCluster>,
    text_len: usize,
) -> Box<[StoredCluster]> {
    let derivable = clusters.len() == glyphs.len()
        && (clusters.iter().enumerate()).all(|(i, c)| *c == derived_cluster(glyphs, i, text_len));
    if derivable {
        Box::default()
    } else {
        clusters.into_boxed_slice()
    }
}

/// Cluster `index` of a run whose every glyph is a cluster of its own (see
/// [`kept_clusters`]).
fn derived_cluster(glyphs: &[ShapedGlyph], index: usize, text_len: usize) -> StoredCluster {
    let start = match index {
        0 => 0,
        _ => glyphs.get(index).map_or(0, |g| g.cluster),
    };
    let end = glyphs
        .get(index + 1)
        .map_or(narrow(text_len), |g| g.cluster);
    StoredCluster {
        text: [start, end],
        glyphs: [narrow(index), narrow(index + 1)],
    }
}

impl ShapedRun {
    /// A run of `text` at `size_pt` without glyphs or clusters.
    pub fn new(text: &str, size_pt: f32) -> ShapedRun {
        ShapedRun::from_parts(text, size_pt, Parts::default())
    }

    fn from_parts(text: &str, size_pt: f32, parts: Parts) -> ShapedRun {
        let clusters = kept_clusters(&parts.glyphs, parts.clusters, text.len());
        ShapedRun {
            text: text.into(),
            size_pt,
            glyphs: parts.glyphs.into_boxed_slice(),
            clusters,
            missing: parts.missing.into_boxed_slice(),
            ink: Ink::BLACK,
        }
    }

    /// One glyph of `face` standing for `text` (a formula's glyph, placed by the math
    /// layout rather than shaped), `advance` points wide.
    pub(crate) fn single_glyph(
        face: FaceId,
        glyph_id: u16,
        text: &str,
        size_pt: f32,
        advance: f32,
    ) -> ShapedRun {
        let glyph = ShapedGlyph {
            face,
            glyph_id,
            cluster: 0,
            x_advance: advance,
            x_offset: 0.0,
            y_offset: 0.0,
        };
        let parts = Parts {
            glyphs: vec![glyph],
            clusters: Vec::new(),
            missing: Vec::new(),
        };
        ShapedRun::from_parts(text, size_pt, parts)
    }

    /// The same glyphs at `scale` times the size (a display formula shrunk to the measure).
    pub(crate) fn scaled(&self, scale: f32) -> ShapedRun {
        let mut run = self.clone();
        run.size_pt *= scale;
        for glyph in run.glyphs.iter_mut() {
            glyph.x_advance *= scale;
            glyph.x_offset *= scale;
            glyph.y_offset *= scale;
        }
        run
    }

    /// Total advance width, in points.
    pub fn width(&self) -> f32 {
        self.glyphs.iter().map(|g| g.x_advance).sum()
    }

    /// Number of clusters.
    pub fn cluster_count(&self) -> usize {
        if self.clusters.is_empty() {
            self.glyphs.len()
        } else {
            self.clusters.len()
        }
    }

    /// Cluster `index` as the run keeps it, or derives it from its glyphs.
    fn stored(&self, index: usize) -> Option<StoredCluster> {
        if self.clusters.is_empty() {
            (index < self.glyphs.len())
                .then(|| derived_cluster(&self.glyphs, index, self.text.len()))
        } else {
            self.clusters.get(index).copied()
        }
    }

    /// Cluster `index`, which must be below [`ShapedRun::cluster_count`].
    pub fn cluster(&self, index: usize) -> GlyphCluster {
        match self.stored(index) {
            Some(stored) => self.unpack(stored),
            None => panic!("cluster {index} of a run of {}", self.cluster_count()),
        }
    }

    /// The clusters in visual order.
    pub fn clusters(&self) -> impl ExactSizeIterator<Item = GlyphCluster> + '_ {
        (0..self.cluster_count()).map(|index| self.cluster(index))
    }

    fn unpack(&self, stored: StoredCluster) -> GlyphCluster {
        let [text_start, text_end] = stored.text.map(|n| n as usize);
        let [glyph_start, glyph_end] = stored.glyphs.map(|n| n as usize);
        let glyphs = glyph_start..glyph_end;
        let width = self.glyphs.get(glyphs.clone()).unwrap_or(&[]);
        GlyphCluster {
            text: text_start..text_end,
            width: width.iter().map(|g| g.x_advance).sum(),
            glyphs,
        }
    }

    /// The text cluster `index` stands for ("ffi" for the ffi ligature).
    pub fn cluster_text(&self, index: usize) -> &str {
        self.stored(index)
            .and_then(|c| self.text.get(c.text[0] as usize..c.text[1] as usize))
            .unwrap_or("")
    }

    /// The glyphs of cluster `index`.
    pub fn cluster_glyphs(&self, index: usize) -> &[ShapedGlyph] {
        self.stored(index)
            .and_then(|c| self.glyphs.get(c.glyphs[0] as usize..c.glyphs[1] as usize))
            .unwrap_or(&[])
    }

    /// The same glyphs standing for no text: a mark drawn beside the text (a code line's
    /// number, its continuation sign) that copying the text must not pick up.
    pub fn textless(&self) -> ShapedRun {
        let clusters = (0..self.cluster_count())
            .filter_map(|index| self.stored(index))
            .map(|stored| StoredCluster {
                text: [0, 0],
                ..stored
            })
            .collect();
        ShapedRun {
            text: Box::default(),
            clusters,
            missing: Box::default(),
            ..self.clone()
        }
    }

    /// The run with `extra` points added after each of its clusters (letter spacing: a
    /// ligature or a Khmer syllable is spaced as one letter).
    pub fn letter_spaced(&self, extra: f32) -> ShapedRun {
        let mut glyphs = self.glyphs.clone();
        for cluster in self.clusters() {
            if let Some(last) = cluster.glyphs.end.checked_sub(1) {
                glyphs[last].x_advance += extra;
            }
        }
        ShapedRun {
            glyphs,
            ..self.clone()
        }
    }

    /// The clusters `range` (within [`ShapedRun::cluster_count`]) as a run of their own, with
    /// their text and glyphs; offsets rebased to it.
    pub fn slice(&self, range: Range<usize>) -> ShapedRun {
        let end = range.end.min(self.cluster_count());
        let stored: Vec<StoredCluster> = (range.start.min(end)..end)
            .filter_map(|index| self.stored(index))
            .collect();
        let (Some(first), Some(last)) = (stored.first(), stored.last()) else {
            return ShapedRun {
                ink: self.ink,
                ..ShapedRun::new("", self.size_pt)
            };
        };
        let text_start = stored
            .iter()
            .map(|c| c.text[0])
            .min()
            .unwrap_or(first.text[0]);
        let text_end = stored
            .iter()
            .map(|c| c.text[1])
            .max()
            .unwrap_or(last.text[1]);
        let [glyph_start, glyph_end] = [first.glyphs[0], last.glyphs[1]];
        let glyphs: Box<[ShapedGlyph]> = self.glyphs[glyph_start as usize..glyph_end as usize]
            .iter()
            .map(|g| ShapedGlyph {
                cluster: g.cluster.saturating_sub(text_start),
                ..*g
            })
            .collect();
        let clusters = stored
            .iter()
            .map(|c| StoredCluster {
                text: c.text.map(|n| n - text_start),
                glyphs: c.glyphs.map(|n| n - glyph_start),
            })
            .collect();
        let text = self
            .text
            .get(text_start as usize..text_end as usize)
            .unwrap_or("");
        ShapedRun {
            text: text.into(),
            size_pt: self.size_pt,
            clusters: kept_clusters(&glyphs, clusters, text.len()),
            glyphs,
            missing: Box::default(),
            ink: self.ink,
        }
    }
}

/// Shapes `text` in `choice` at `size_pt` with per-glyph fallback through `fonts`.
#[cfg(test)]
pub(crate) fn shape(
    fonts: &FontSet<'_>,
    text: &str,
    choice: FaceChoice,
    size_pt: f32,
    options: &ShapeOptions,
) -> ShapedRun {
    shape_with_plans(
        fonts,
        text,
        choice,
        size_pt,
        options,
        &mut PlanCache::default(),
    )
}

/// rustybuzz shape plans already built, for one set of [`ShapeOptions`]. Building a plan is
/// the slow part of shaping a short run (rustybuzz's own advice is to reuse them), and a
/// book needs only a handful: one per face, direction and script.
#[derive(Default)]
pub(crate) struct PlanCache {
    plans: Vec<(
        FaceId,
        rustybuzz::Direction,
        Option<rustybuzz::Script>,
        rustybuzz::ShapePlan,
    )>,
}

impl std::fmt::Debug for PlanCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PlanCache")
            .field("plans", &self.plans.len())
            .finish()
    }
}

impl PlanCache {
    /// The plan for `buffer` (whose segment properties are set) in `face`.
    fn plan(
        &mut self,
        id: FaceId,
        face: &rustybuzz::Face<'_>,
        buffer: &UnicodeBuffer,
        language: Option<&rustybuzz::Language>,
        features: &[Feature],
    ) -> &rustybuzz::ShapePlan {
        let (direction, script) = (buffer.direction(), Some(buffer.script()));
        let found = self
            .plans
            .iter()
            .position(|(f, d, s, _)| *f == id && *d == direction && *s == script);
        let index = found.unwrap_or_else(|| {
            let plan = rustybuzz::ShapePlan::new(face, direction, script, language, features);
            self.plans.push((id, direction, script, plan));
            self.plans.len() - 1
        });
        &self.plans[index].3
    }
}

/// [`shape`] with shape plans kept in `plans` (which must only ever see the same `options`).
pub(crate) fn shape_with_plans(
    fonts: &FontSet<'_>,
    text: &str,
    choice: FaceChoice,
    size_pt: f32,
    options: &ShapeOptions,
    plans: &mut PlanCache,
) -> ShapedRun {
    let parts = shape_parts(fonts, text, choice, size_pt, options, plans);
    ShapedRun::from_parts(text, size_pt, parts)
}

/// The glyphs, every cluster and the missing characters of `text` shaped.
fn shape_parts(
    fonts: &FontSet<'_>,
    text: &str,
    choice: FaceChoice,
    size_pt: f32,
    options: &ShapeOptions,
    plans: &mut PlanCache,
) -> Parts {
    let chain = fonts.chain(choice);
    let mut run = Parts::default();
    let features = features(options);
    let language = options
        .language
        .as_deref()
        .and_then(|l| rustybuzz::Language::from_str(l).ok());
    let mut segments = segments(fonts, &chain, text, &mut run.missing);
    if options.direction == ShapeDirection::RightToLeft {
        segments.reverse();
    }
    for segment in segments {
        let first_glyph = run.glyphs.len();
        let setup = Setup {
            features: &features,
            language: language.as_ref(),
            direction: options.direction,
        };
        shape_segment(fonts, text, &segment, size_pt, &setup, &mut run, plans);
        add_clusters(&mut run, first_glyph, segment.range.clone());
    }
    run
}

fn features(options: &ShapeOptions) -> Vec<Feature> {
    let mut features = Vec::new();
    let mut set = |tag: &[u8; 4], value: u32| {
        features.push(Feature::new(Tag::from_bytes(tag), value, ..));
    };
    if !options.kerning {
        set(b"kern", 0);
    }
    if !options.ligatures {
        set(b"liga", 0);
        set(b"clig", 0);
    }
    if options.oldstyle_figures {
        set(b"onum", 1);
    }
    if options.small_caps {
        set(b"smcp", 1);
    }
    features
}

/// A stretch of text set in one face and one script.
#[derive(Debug, Clone, PartialEq)]
struct Segment {
    range: Range<usize>,
    face: FaceId,
    script: Option<UScript>,
}

/// Splits `text` into segments by face (first of `chain` covering a whole grapheme) and script,
/// recording characters no face covers in `missing`.
fn segments(
    fonts: &FontSet<'_>,
    chain: &[FaceId],
    text: &str,
    missing: &mut Vec<(char, usize)>,
) -> Vec<Segment> {
    if let Some(segment) = ascii_segment(fonts, chain, text) {
        return vec![segment];
    }
    grapheme_segments(fonts, chain, text, missing)
}

/// [`segments`] grapheme by grapheme.
fn grapheme_segments(
    fonts: &FontSet<'_>,
    chain: &[FaceId],
    text: &str,
    missing: &mut Vec<(char, usize)>,
) -> Vec<Segment> {
    let mut out: Vec<Segment> = Vec::new();
    for range in graphemes(text) {
        let grapheme = &text[range.clone()];
        let face = choose_face(fonts, chain, grapheme);
        record_missing(fonts.face(face), grapheme, range.start, missing);
        let script = grapheme.chars().next().and_then(real_script);
        match out.last_mut() {
            Some(last)
                if last.face == face
                    && (script.is_none() || last.script.is_none_or(|s| Some(s) == script)) =>
            {
                last.range.end = range.end;
                last.script = last.script.or(script);
            }
            _ => out.push(Segment {
                range,
                face,
                script,
            }),
        }
    }
    out
}

/// The one segment of an ASCII text the chain's first face covers whole, without looking at
/// each character's grapheme, face and script: no ASCII character joins the one before it,
/// every character gets that first face, and the only script among them is Latin (of the
/// letters; digits, spaces and punctuation are shared by scripts). `None` for other text.
fn ascii_segment(fonts: &FontSet<'_>, chain: &[FaceId], text: &str) -> Option<Segment> {
    let &first = chain.first()?;
    if text.is_empty() || !fonts.face(first).has_ascii(text.as_bytes()) {
        return None;
    }
    let latin = text.bytes().any(|b| b.is_ascii_alphabetic());
    Some(Segment {
        range: 0..text.len(),
        face: first,
        script: latin.then_some(UScript::Latin),
    })
}

/// The script of `c`, or `None` for characters shared by scripts (spaces, digits, marks).
fn real_script(c: char) -> Option<UScript> {
    match c.script() {
        UScript::Common | UScript::Inherited | UScript::Unknown => None,
        s => Some(s),
    }
}

/// The first face in `chain` that has every (visible) character of `grapheme`; failing that, the
/// first that has its base character; failing that, the primary face.
fn choose_face(fonts: &FontSet<'_>, chain: &[FaceId], grapheme: &str) -> FaceId {
    let covers_all = |id: &&FaceId| {
        let face = fonts.face(**id);
        grapheme
            .chars()
            .all(|c| is_default_ignorable(c) || face.has_char(c))
    };
    let base = grapheme.chars().next().unwrap_or(' ');
    chain
        .iter()
        .find(covers_all)
        .or_else(|| chain.iter().find(|id| fonts.face(**id).has_char(base)))
        .or(chain.first())
        .copied()
        .unwrap_or_else(|| fonts.primary(FaceChoice::new(Family::Serif, Style::Regular)))
}

fn record_missing(
    face: &FontFace<'_>,
    grapheme: &str,
    start: usize,
    missing: &mut Vec<(char, usize)>,
) {
    for (offset, c) in grapheme.char_indices() {
        if !is_default_ignorable(c) && !c.is_control() && !face.has_char(c) {
            missing.push((c, start + offset));
        }
    }
}

/// Default-ignorable characters the shaper hides; no face needs a glyph for them.
pub(crate) fn is_default_ignorable(c: char) -> bool {
    matches!(c,
        '\u{00AD}' | '\u{034F}' | '\u{061C}' | '\u{180B}'..='\u{180F}' | '\u{200B}'..='\u{200F}'
        | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{206F}' | '\u{FE00}'..='\u{FE0F}'
        | '\u{FEFF}' | '\u{E0000}'..='\u{E0FFF}')
}

/// Splits text into grapheme-like clusters that must stay in one face: a base character with
/// the marks, joiners, variation selectors and Khmer signs that follow it, and a consonant
/// after a virama or Khmer coeng (U+17D2).
fn graphemes(text: &str) -> Vec<Range<usize>> {
    let mut out: Vec<Range<usize>> = Vec::new();
    let mut prev: Option<char> = None;
    for (i, c) in text.char_indices() {
        let end = i + c.len_utf8();
        let joins = prev.is_some_and(|p| joins_previous(p, c));
        match out.last_mut() {
            Some(last) if joins => last.end = end,
            _ => out.push(i..end),
        }
        prev = Some(c);
    }
    out
}

/// Whether `c` belongs to the same grapheme-like cluster as `prev` (a mark, a joiner, a
/// consonant after a virama): text is never cut between them.
pub(crate) fn joins_previous(prev: char, c: char) -> bool {
    let after_joiner = prev == '\u{200D}' || is_virama(prev) && c.is_alphabetic();
    after_joiner || is_extending(c)
}

fn is_extending(c: char) -> bool {
    c.general_category_group() == GeneralCategoryGroup::Mark
        || matches!(c, '\u{200C}' | '\u{200D}' | '\u{FE00}'..='\u{FE0F}' | '\u{E0100}'..='\u{E01EF}')
        || matches!(c, '\u{17B4}'..='\u{17D3}' | '\u{17DD}' | '\u{1F3FB}'..='\u{1F3FF}')
}

/// Signs that join the next consonant into the same syllable.
fn is_virama(c: char) -> bool {
    matches!(
        c,
        '\u{17D2}'
            | '\u{094D}'
            | '\u{09CD}'
            | '\u{0A4D}'
            | '\u{0ACD}'
            | '\u{0B4D}'
            | '\u{0BCD}'
            | '\u{0C4D}'
            | '\u{0CCD}'
            | '\u{0D4D}'
            | '\u{0DCA}'
            | '\u{1039}'
            | '\u{1A60}'
    )
}

/// What every segment of a run is shaped with.
struct Setup<'a> {
    features: &'a [Feature],
    language: Option<&'a rustybuzz::Language>,
    direction: ShapeDirection,
}

fn shape_segment(
    fonts: &FontSet<'_>,
    text: &str,
    segment: &Segment,
    size_pt: f32,
    setup: &Setup<'_>,
    run: &mut Parts,
    plans: &mut PlanCache,
) {
    let Setup {
        features,
        language,
        direction,
    } = *setup;
    let face = fonts.face(segment.face);
    let buffer = segment_buffer(text, segment, language, direction);
    let shaped = face.shaper().and_then(|shaper| {
        guard(|| {
            let plan = plans.plan(segment.face, shaper, &buffer, language, features);
            rustybuzz::shape_with_plan(shaper, plan, buffer)
        })
    });
    let Some(output) = shaped else {
        face.mark_shaping_failed();
        return shape_nominal(face, text, segment, size_pt, run);
    };
    let scale = face.scale(size_pt);
    // Sized exactly: a book's cache holds a run for each distinct word.
    run.glyphs.reserve_exact(output.len());
    run.clusters.reserve_exact(output.len());
    for (info, pos) in output.glyph_infos().iter().zip(output.glyph_positions()) {
        run.glyphs.push(ShapedGlyph {
            face: segment.face,
            // Glyph ids in OpenType are 16-bit; rustybuzz widens them to u32.
            glyph_id: u16::try_from(info.glyph_id).unwrap_or(0),
            cluster: narrow(segment.range.start) + info.cluster,
            x_advance: FontUnits::new(pos.x_advance as f32).at(scale),
            x_offset: FontUnits::new(pos.x_offset as f32).at(scale),
            y_offset: FontUnits::new(pos.y_offset as f32).at(scale),
        });
    }
}

/// One glyph per character from the `cmap`, without any OpenType feature: what a face whose
/// layout tables made the shaper fail still gets.
fn shape_nominal(
    face: &FontFace<'_>,
    text: &str,
    segment: &Segment,
    size_pt: f32,
    run: &mut Parts,
) {
    let scale = face.scale(size_pt);
    for (offset, c) in text[segment.range.clone()].char_indices() {
        let glyph_id = face.glyph_for(c).unwrap_or(0);
        let advance = face.advance(glyph_id).unwrap_or(0);
        run.glyphs.push(ShapedGlyph {
            face: segment.face,
            glyph_id,
            cluster: narrow(segment.range.start + offset),
            x_advance: FontUnits::new(f32::from(advance)).at(scale),
            x_offset: 0.0,
            y_offset: 0.0,
        });
    }
}

fn segment_buffer(
    text: &str,
    segment: &Segment,
    language: Option<&rustybuzz::Language>,
    direction: ShapeDirection,
) -> UnicodeBuffer {
    let range = segment.range.clone();
    let mut buffer = UnicodeBuffer::new();
    buffer.push_str(&text[range.clone()]);
    buffer.set_pre_context(&text[..range.start]);
    buffer.set_post_context(&text[range.end..]);
    let mut flags = BufferFlags::empty();
    if range.start == 0 {
        flags |= BufferFlags::BEGINNING_OF_TEXT;
    }
    if range.end == text.len() {
        flags |= BufferFlags::END_OF_TEXT;
    }
    buffer.set_flags(flags);
    if let Some(lang) = language {
        buffer.set_language(lang.clone());
    }
    if let Some(script) = segment.script.and_then(rb_script) {
        buffer.set_script(script);
    }
    match direction {
        ShapeDirection::OfScript => {}
        ShapeDirection::LeftToRight => buffer.set_direction(rustybuzz::Direction::LeftToRight),
        ShapeDirection::RightToLeft => buffer.set_direction(rustybuzz::Direction::RightToLeft),
    }
    buffer.guess_segment_properties();
    buffer
}

fn rb_script(script: UScript) -> Option<rustybuzz::Script> {
    let code = script.short_name().as_bytes();
    let tag: [u8; 4] = code.try_into().ok()?;
    rustybuzz::Script::from_iso15924_tag(Tag::from_bytes(&tag))
}

/// `n` in 32 bits (text offsets: saturating, far beyond any run octavo shapes).
fn narrow(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// Groups the glyphs from `first_glyph` on (one shaped segment covering `text`) into clusters.
fn add_clusters(run: &mut Parts, first_glyph: usize, text: Range<usize>) {
    let glyphs = &run.glyphs[first_glyph..];
    let mut starts: Vec<usize> = glyphs.iter().map(|g| g.cluster as usize).collect();
    starts.sort_unstable();
    starts.dedup();
    let text_end = |start: usize| match starts.binary_search(&start) {
        Ok(i) => starts.get(i + 1).copied().unwrap_or(text.end),
        Err(_) => text.end,
    };
    let mut i = 0;
    while i < glyphs.len() {
        let cluster = glyphs[i].cluster;
        let n = glyphs[i..]
            .iter()
            .take_while(|g| g.cluster == cluster)
            .count();
        let cluster = cluster as usize;
        // Text before the first cluster (hidden characters the shaper dropped) joins it.
        let start = if cluster == starts[0] {
            text.start
        } else {
            cluster
        };
        run.clusters.push(StoredCluster {
            text: [narrow(start), narrow(text_end(cluster))],
            glyphs: [narrow(first_glyph + i), narrow(first_glyph + i + n)],
        });
        i += n;
    }
}

/// `run` as shaping its text at `size_pt` gives it, without shaping it again. Shaping works
/// in font units, whatever the size: only the scale of the positions changes. Each position
/// was stored as `units × scale` (an integer times the face's points per unit), so the
/// units are read back and scaled anew, exactly as a fresh shaping computes them. A table
/// measured at one size and set at a smaller one was shaped twice, cell by cell. `None` when
/// some position does not read back exactly (then the text is shaped afresh).
fn rescaled(fonts: &FontSet<'_>, run: &ShapedRun, size_pt: f32) -> Option<ShapedRun> {
    let mut glyphs = Vec::with_capacity(run.glyphs.len());
    for glyph in &run.glyphs {
        let face = fonts.face(glyph.face);
        let (from, to) = (face.scale(run.size_pt).get(), face.scale(size_pt).get());
        if !from.is_normal() || !to.is_normal() {
            return None;
        }
        let units = |value: f32| -> Option<f32> {
            let units = (value / from).round();
            let exact = units.abs() < MAX_EXACT_UNITS && units * from == value;
            exact.then_some(units * to)
        };
        glyphs.push(ShapedGlyph {
            x_advance: units(glyph.x_advance)?,
            x_offset: units(glyph.x_offset)?,
            y_offset: units(glyph.y_offset)?,
            ..*glyph
        });
    }
    let glyphs = glyphs.into_boxed_slice();
    Some(ShapedRun {
        text: run.text.clone(),
        size_pt,
        glyphs,
        clusters: run.clusters.clone(),
        missing: run.missing.clone(),
        ink: run.ink,
    })
}

/// Font units below this are read back from a scaled position without doubt (an `f32` holds
/// every integer up to 2^24, and two such integers scale to different values).
const MAX_EXACT_UNITS: f32 = 1_048_576.0;

/// Shaping results reused across calls: a book repeats its words, so paragraphs are shaped
/// word by word through this cache. Keyed by (family and style, size bits, options, text);
/// one cache belongs to one [`FontSet`]. Lookups hash, but nothing is ever iterated into output.
#[derive(Debug, Default)]
pub(crate) struct ShapeCache {
    buckets: Vec<CacheBucket>,
    hits: u64,
    misses: u64,
    /// Misses answered by scaling a run cached at another size (no shaping).
    rescales: u64,
}

/// A cached run, found by its text: the run holds the text already, so the cache keeps no
/// second copy of it as a key.
#[derive(Debug)]
struct CachedRun(Arc<ShapedRun>);

impl std::borrow::Borrow<str> for CachedRun {
    fn borrow(&self) -> &str {
        &self.0.text
    }
}

impl std::hash::Hash for CachedRun {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.0.text.hash(state);
    }
}

impl PartialEq for CachedRun {
    fn eq(&self, other: &Self) -> bool {
        self.0.text == other.0.text
    }
}

impl Eq for CachedRun {}

#[derive(Debug)]
struct CacheBucket {
    choice: FaceChoice,
    size_bits: u32,
    options: ShapeOptions,
    runs: rustc_hash::FxHashSet<CachedRun>,
    plans: PlanCache,
}

impl ShapeCache {
    /// An empty cache.
    pub(crate) fn new() -> Self {
        ShapeCache::default()
    }

    /// Like [`shape`], but returns the stored run when this exact request was shaped before.
    pub(crate) fn shape(
        &mut self,
        fonts: &FontSet<'_>,
        text: &str,
        choice: FaceChoice,
        size_pt: f32,
        options: &ShapeOptions,
    ) -> Arc<ShapedRun> {
        let bucket = self.bucket(choice, size_pt, options);
        if let Some(run) = self.buckets[bucket].runs.get(text) {
            self.hits += 1;
            return Arc::clone(&run.0);
        }
        self.misses += 1;
        let rescaled = self
            .buckets
            .iter()
            .filter(|b| b.choice == choice && b.options == *options)
            .find_map(|b| b.runs.get(text))
            .and_then(|other| rescaled(fonts, &other.0, size_pt));
        let run = match rescaled {
            Some(run) => {
                self.rescales += 1;
                run
            }
            None => {
                let plans = &mut self.buckets[bucket].plans;
                shape_with_plans(fonts, text, choice, size_pt, options, plans)
            }
        };
        let run = Arc::new(run);
        self.buckets[bucket]
            .runs
            .insert(CachedRun(Arc::clone(&run)));
        run
    }

    fn bucket(&mut self, choice: FaceChoice, size_pt: f32, options: &ShapeOptions) -> usize {
        let size_bits = size_pt.to_bits();
        let found = self
            .buckets
            .iter()
            .position(|b| b.choice == choice && b.size_bits == size_bits && b.options == *options);
        found.unwrap_or_else(|| {
            self.buckets.push(CacheBucket {
                choice,
                size_bits,
                options: options.clone(),
                runs: Default::default(),
                plans: PlanCache::default(),
            });
            self.buckets.len() - 1
        })
    }

    /// Forgets the run stored for this request, if any: for text shaped only to be measured
    /// (a table's cells at the size the table turned out too wide for).
    pub(crate) fn forget(
        &mut self,
        text: &str,
        choice: FaceChoice,
        size_pt: f32,
        options: &ShapeOptions,
    ) {
        let size_bits = size_pt.to_bits();
        let bucket = self
            .buckets
            .iter_mut()
            .find(|b| b.choice == choice && b.size_bits == size_bits && b.options == *options);
        if let Some(bucket) = bucket {
            bucket.runs.remove(text);
        }
    }

    /// Number of stored runs.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.buckets.iter().map(|b| b.runs.len()).sum()
    }

    /// Whether no run is stored.
    #[cfg(test)]
    pub(crate) fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Requests answered from the cache.
    #[cfg(test)]
    pub(crate) fn hits(&self) -> u64 {
        self.hits
    }

    /// Requests that had to be shaped.
    #[cfg(test)]
    pub(crate) fn misses(&self) -> u64 {
        self.misses
    }

    /// Requests answered by scaling a run cached at another size.
    #[cfg(test)]
    pub(crate) fn rescales(&self) -> u64 {
        self.rescales
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KHMER: &str = "ខ្មែរក្រហម ទួលស្លែង ជើងឯក អង្គការ";

    fn serif() -> FaceChoice {
        FaceChoice::new(Family::Serif, Style::Regular)
    }

    fn fonts() -> FontSet<'static> {
        FontSet::builtin().unwrap()
    }

    #[test]
    fn ffi_is_one_ligature_glyph_that_maps_back_to_ffi() {
        let fonts = fonts();
        let run = shape(&fonts, "efficient", serif(), 10.0, &ShapeOptions::default());
        assert_eq!(run.glyphs.len(), 7, "{run:#?}");
        let ffi = (0..run.cluster_count()).find(|&i| run.cluster_text(i) == "ffi");
        let ffi = ffi.expect("a cluster for ffi");
        assert_eq!(run.cluster_glyphs(ffi).len(), 1);
        let texts: Vec<&str> = (0..run.cluster_count())
            .map(|i| run.cluster_text(i))
            .collect();
        assert_eq!(texts.concat(), "efficient");

        let plain = ShapeOptions {
            ligatures: false,
            ..ShapeOptions::default()
        };
        let run = shape(&fonts, "efficient", serif(), 10.0, &plain);
        assert_eq!(run.glyphs.len(), 9);
    }

    #[test]
    fn kerning_tightens_av() {
        let fonts = fonts();
        let kerned = shape(&fonts, "AV", serif(), 10.0, &ShapeOptions::default());
        let flat = ShapeOptions {
            kerning: false,
            ..ShapeOptions::default()
        };
        let unkerned = shape(&fonts, "AV", serif(), 10.0, &flat);
        assert!(
            kerned.width() < unkerned.width() - 0.2,
            "{} vs {}",
            kerned.width(),
            unkerned.width()
        );
        assert!(kerned.glyphs[0].x_advance < unkerned.glyphs[0].x_advance);
    }

    #[test]
    fn oldstyle_figures_change_glyphs() {
        let fonts = fonts();
        let lining = shape(&fonts, "1975", serif(), 10.0, &ShapeOptions::default());
        let onum = ShapeOptions {
            oldstyle_figures: true,
            ..ShapeOptions::default()
        };
        let oldstyle = shape(&fonts, "1975", serif(), 10.0, &onum);
        let ids = |r: &ShapedRun| r.glyphs.iter().map(|g| g.glyph_id).collect::<Vec<_>>();
        assert_ne!(ids(&lining), ids(&oldstyle));
        assert_eq!(oldstyle.cluster_text(1), "9");
    }

    #[test]
    fn khmer_shapes_with_the_khmer_face_and_nothing_missing() {
        let fonts = fonts();
        let run = shape(&fonts, KHMER, serif(), 10.0, &ShapeOptions::default());
        assert!(run.missing.is_empty(), "{:?}", run.missing);
        let khmer_face = fonts.chain(serif())[1];
        for (i, cluster) in run.clusters().enumerate() {
            let text = run.cluster_text(i);
            let face = run.glyphs[cluster.glyphs.start].face;
            if text == " " {
                assert_eq!(face.index(), 0);
            } else {
                assert_eq!(face, khmer_face, "cluster {text:?}");
            }
        }
        assert!(run.glyphs.iter().all(|g| g.glyph_id != 0));
        let texts: Vec<&str> = (0..run.cluster_count())
            .map(|i| run.cluster_text(i))
            .collect();
        assert_eq!(texts.concat(), KHMER);
        // Coeng clusters hold several code points: "ខ្មែ" is one syllable.
        assert!(texts.iter().any(|t| t.chars().count() >= 3), "{texts:?}");
    }

    #[test]
    fn coeng_keeps_a_syllable_in_one_grapheme() {
        let g = graphemes("ក្រ a\u{301}");
        let texts: Vec<&str> = g.iter().map(|r| &"ក្រ a\u{301}"[r.clone()]).collect();
        assert_eq!(texts, ["ក្រ", " ", "a\u{301}"]);
    }

    #[test]
    fn a_character_in_no_font_is_reported_missing() {
        let fonts = fonts();
        let text = "a\u{13000}b \u{10900}";
        let run = shape(&fonts, text, serif(), 10.0, &ShapeOptions::default());
        assert_eq!(*run.missing, [('\u{13000}', 1), ('\u{10900}', 7)]);
        let texts: Vec<&str> = (0..run.cluster_count())
            .map(|i| run.cluster_text(i))
            .collect();
        assert_eq!(texts.concat(), text);
    }

    #[test]
    fn cache_hits_return_identical_runs() {
        let fonts = fonts();
        let mut cache = ShapeCache::new();
        let options = ShapeOptions::default();
        let a = cache.shape(&fonts, "office", serif(), 10.0, &options);
        let b = cache.shape(&fonts, "office", serif(), 10.0, &options);
        assert!(Arc::ptr_eq(&a, &b));
        assert_eq!(*a, shape(&fonts, "office", serif(), 10.0, &options));
        let c = cache.shape(&fonts, "office", serif(), 11.0, &options);
        assert!(!Arc::ptr_eq(&a, &c));
        assert_eq!((cache.hits(), cache.misses(), cache.len()), (1, 2, 2));
    }

    #[test]
    fn shaping_is_deterministic() {
        let fonts = fonts();
        let text = "AVATAR Wave 1975 efficient ខ្មែរ";
        let a = shape(&fonts, text, serif(), 9.5, &ShapeOptions::default());
        let b = shape(&fonts, text, serif(), 9.5, &ShapeOptions::default());
        assert_eq!(a, b);
    }

    /// ASCII text the first face covers is cut into the segment the grapheme-by-grapheme
    /// rules make, in every family and style.
    #[test]
    fn ascii_text_is_the_segment_the_general_rules_make() {
        let fonts = fonts();
        let texts = [
            "efficient",
            "c12345_6",
            "1975",
            "--",
            "A.V.",
            "x",
            " a b ",
            "a\tb",
            "",
        ];
        for family in [Family::Serif, Family::Mono] {
            for style in [Style::Regular, Style::Italic, Style::Bold] {
                let chain = fonts.chain(FaceChoice::new(family, style));
                for text in texts {
                    let mut missing = Vec::new();
                    let general = grapheme_segments(&fonts, &chain, text, &mut missing);
                    if let Some(fast) = ascii_segment(&fonts, &chain, text) {
                        assert_eq!(vec![fast], general, "{text:?}");
                        assert!(missing.is_empty());
                    }
                }
            }
        }
    }

    /// The ASCII coverage a face keeps answers as its `cmap` does.
    #[test]
    fn ascii_coverage_matches_the_cmap() {
        let fonts = fonts();
        for family in [Family::Serif, Family::Mono] {
            for id in fonts.chain(FaceChoice::new(family, Style::Regular)) {
                let face = fonts.face(id);
                for c in (0..128u8).map(char::from) {
                    assert_eq!(face.has_char(c), face.glyph_for(c).is_some(), "{c:?}");
                }
            }
        }
    }

    /// A run shaped at one size and read back at another is the run shaping at that size
    /// gives, bit for bit: ligatures, kerning, marks, fallback faces and code alike.
    #[test]
    fn a_run_rescaled_is_the_run_shaped_at_that_size() {
        let fonts = fonts();
        let options = ShapeOptions::default();
        let mono = FaceChoice::new(Family::Mono, Style::Regular);
        let texts = [
            "efficient",
            "AVATAR Wolf.",
            "c12345_6",
            KHMER,
            "naïve café",
            "x",
        ];
        for choice in [serif(), mono] {
            for text in texts {
                let measured = shape(&fonts, text, choice, 9.0, &options);
                let derived = rescaled(&fonts, &measured, 7.13).expect("read back exactly");
                let fresh = shape(&fonts, text, choice, 7.13, &options);
                assert_eq!(derived, fresh, "{text}");
            }
        }
    }

    /// A run that keeps no clusters (each glyph its own) tells the same clusters from its
    /// glyphs as it was given; one that keeps them gives them back.
    #[test]
    fn clusters_told_from_the_glyphs_are_the_clusters_shaping_made() {
        let fonts = fonts();
        let options = ShapeOptions::default();
        let mono = FaceChoice::new(Family::Mono, Style::Regular);
        let texts = [
            ("efficient", true),
            ("AVATAR Wolf.", true),
            ("c12345_6", true),
            ("a\u{1F600}b \u{10900}", true),
            (KHMER, false),
            ("q\u{301}xq\u{323}", false),
            ("\u{200B}hidden", true),
        ];
        for choice in [serif(), mono] {
            for (text, told) in texts {
                let parts = shape_parts(
                    &fonts,
                    text,
                    choice,
                    9.0,
                    &options,
                    &mut PlanCache::default(),
                );
                let given = parts.clusters.clone();
                let run = ShapedRun::from_parts(text, 9.0, parts);
                let clusters: Vec<GlyphCluster> = run.clusters().collect();
                let expected: Vec<GlyphCluster> = given.iter().map(|&c| run.unpack(c)).collect();
                assert_eq!(clusters, expected, "{text:?}");
                if choice == serif() {
                    assert_eq!(run.clusters.is_empty(), told, "{text:?}");
                }
                // A slice keeps no missing characters (they were reported with the run).
                let whole = run.slice(0..run.cluster_count());
                let without_missing = ShapedRun {
                    missing: Box::default(),
                    ..run.clone()
                };
                assert_eq!(whole, without_missing, "{text:?}");
                for start in 0..run.cluster_count() {
                    let tail = run.slice(start..run.cluster_count());
                    let texts: String = (0..tail.cluster_count())
                        .map(|i| tail.cluster_text(i))
                        .collect();
                    assert_eq!(&*tail.text, texts, "{text:?} from {start}");
                }
            }
        }
    }

    #[test]
    fn a_forgotten_run_is_shaped_again() {
        let fonts = fonts();
        let options = ShapeOptions::default();
        let mut cache = ShapeCache::new();
        cache.shape(&fonts, "word", serif(), 9.0, &options);
        cache.forget("word", serif(), 9.0, &options);
        assert!(cache.is_empty());
        cache.shape(&fonts, "word", serif(), 9.0, &options);
        assert_eq!((cache.hits(), cache.misses()), (0, 2));
    }
}
