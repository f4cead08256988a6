//! Shaped text in the PDF: subset the faces, place glyph runs by glyph id, keep the text
//! extractable.
//!
//! Rendering is two-phase because a subset renumbers glyphs: first every run of the book is
//! recorded in a [`GlyphUsage`], then [`embed_fonts`] subsets each face with `subsetter` (new
//! glyph ids in ascending order of the old ones) and names it `ABCDEF+PostScriptName` with a tag
//! hashed from the glyph set; [`EmbeddedFonts::write`] adds the font objects (`font_pdf`) and
//! [`EmbeddedFonts::place_run`] writes runs as `Tf`/`Tm`/`TJ` operators straight into a page's
//! [`Content`] (we write content streams ourselves: see `content`).
//!
//! - Each glyph's `/ToUnicode` text is the text of a cluster it made up alone, else the
//!   character of a cluster it was part of that the face maps to it ([`GlyphUsage`] picks one
//!   per glyph); multi-character texts work, so a ligature maps to "ffi".
//! - A per-glyph CMap cannot express a Khmer syllable whose glyphs are reordered (the pre-base
//!   vowel drawn first) or have no character of their own (subjoined consonants). Such
//!   clusters are wrapped in `/Span <</ActualText (text)>> BDC … EMC`.
//! - `TJ` cannot move glyphs vertically, so glyphs with a `y_offset` (marks) start a new `Tm`.
//!   Consecutive stretches on one baseline in one font continue the open `TJ` with an
//!   adjustment instead of a new `Tm`, so a line of words is one `TJ`.
//! - `/W` widths are `(advance * 1000 / upem) as i64`; `TJ` adjustments are computed against
//!   those same integers, so positions match exactly.

use std::collections::BTreeSet;
use std::ops::Range;

use lopdf::{Document, ObjectId};

use super::content::Content;
use super::font_pdf::{write_font, SubsetFont};
use crate::fonts::{subset_face, FaceId, FontError, FontFace, FontProgram, FontSet, SubsetError};
use crate::typeset::shape::{is_default_ignorable, ShapedRun};
use crate::units::{thousandths_per_pt, thousandths_per_pt_f64, thousandths_to_pt, FontUnits};

/// Why text could not be written to the PDF.
#[derive(Debug, thiserror::Error)]
pub enum TextPdfError {
    /// A font could not be read.
    #[error(transparent)]
    Font(#[from] FontError),
    /// `subsetter` rejected the font.
    #[error("font {name}: cannot subset it ({reason})")]
    Subset {
        /// The font's file name.
        name: String,
        /// What the subsetter reported.
        reason: String,
    },
    /// A run was placed with a glyph that was not recorded before the fonts were embedded.
    #[error("glyph {glyph} of face {face} was placed but not recorded before embedding")]
    Unrecorded {
        /// Index of the face in its font set.
        face: usize,
        /// The glyph id.
        glyph: u16,
    },
}

/// The glyphs a document uses, per face, with the text each glyph stands for.
#[derive(Debug, Default, Clone)]
pub(crate) struct GlyphUsage {
    /// Indexed by face index, then by glyph id.
    faces: Vec<Vec<Option<GlyphText>>>,
}

/// What a used glyph stands for, as far as the runs tell.
#[derive(Debug, Default, Clone)]
struct GlyphText {
    /// The text of a cluster the glyph made up alone (first seen).
    alone: Option<String>,
    /// The text of a multi-glyph cluster the glyph was part of (first seen).
    within: Option<String>,
}

impl GlyphText {
    /// The glyph's `/ToUnicode` text: a cluster it made up alone, else the character of a
    /// cluster it was part of that the face maps to it, else nothing.
    fn text(&self, face: &FontFace<'_>, gid: u16) -> String {
        if let Some(text) = &self.alone {
            return text.clone();
        }
        let within = self.within.as_deref().unwrap_or("");
        let nominal = within.chars().find(|&c| face.glyph_for(c) == Some(gid));
        nominal.map(String::from).unwrap_or_default()
    }
}

impl GlyphUsage {
    /// No glyphs yet.
    pub(crate) fn new() -> Self {
        GlyphUsage::default()
    }

    /// Records the glyphs of `run`. The first text seen for a glyph wins, so the text chosen
    /// for `/ToUnicode` is deterministic.
    pub(crate) fn record(&mut self, run: &ShapedRun) {
        for (i, cluster) in run.clusters().enumerate() {
            let text = run.cluster_text(i);
            let single = cluster.glyphs.len() == 1;
            for glyph in run.cluster_glyphs(i) {
                let known = self.slot(glyph.face, glyph.glyph_id);
                if single && known.alone.is_none() {
                    known.alone = visible_text(text);
                } else if !single && known.within.is_none() {
                    known.within = Some(text.to_string());
                }
            }
        }
    }

    fn slot(&mut self, face: FaceId, gid: u16) -> &mut GlyphText {
        grow(&mut self.faces, face.index());
        let glyphs = &mut self.faces[face.index()];
        grow(glyphs, usize::from(gid));
        glyphs[usize::from(gid)].get_or_insert_with(GlyphText::default)
    }
}

/// Makes `slots[index]` exist.
fn grow<T: Default>(slots: &mut Vec<T>, index: usize) {
    if slots.len() <= index {
        slots.resize_with(index + 1, T::default);
    }
}

/// `text` without default-ignorable characters (a hidden joiner is not what a glyph shows), or
/// `None` if nothing is left.
fn visible_text(text: &str) -> Option<String> {
    let visible: String = text.chars().filter(|&c| !is_default_ignorable(c)).collect();
    (!visible.is_empty()).then_some(visible)
}

/// One glyph of an embedded subset.
#[derive(Debug, Clone, PartialEq)]
struct EmbeddedGlyph {
    /// The code shown in the content stream (the subset glyph id).
    code: u16,
    /// Advance in 1/1000 em, exactly as written to `/W`.
    width: i64,
    /// What `/ToUnicode` maps the glyph to (may be empty).
    text: String,
}

/// One face as embedded in the document.
#[derive(Debug, Clone)]
struct EmbeddedFace {
    /// `ABCDEF+PostScriptName`.
    base_font: String,
    /// The page resource name (`F1`, `F2`, …).
    resource: String,
    /// Indexed by the face's glyph id.
    glyphs: Vec<Option<EmbeddedGlyph>>,
    /// Advance of each subset glyph, indexed by code (for `/W`).
    widths: Vec<i64>,
    /// The subset outlines; taken when the font is written.
    program: Option<FontProgram>,
}

/// The subset faces of a document, ready to place runs with.
#[derive(Debug, Clone, Default)]
pub(crate) struct EmbeddedFonts {
    /// Indexed by face index.
    faces: Vec<Option<EmbeddedFace>>,
}

/// Subsets every face that `usage` records a glyph of.
pub(crate) fn embed_fonts(
    fonts: &FontSet<'_>,
    usage: &GlyphUsage,
) -> Result<EmbeddedFonts, TextPdfError> {
    let mut faces: Vec<Option<EmbeddedFace>> = Vec::new();
    for (id, face) in fonts.faces() {
        let glyphs = usage.faces.get(id.index()).map_or(&[][..], Vec::as_slice);
        if glyphs.iter().all(Option::is_none) {
            faces.push(None);
            continue;
        }
        let taken = |name: &str| faces.iter().flatten().any(|f| f.base_font == name);
        let resource = format!("F{}", faces.iter().flatten().count() + 1);
        let embedded = embed_face(face, glyphs, taken, resource)?;
        faces.push(Some(embedded));
    }
    Ok(EmbeddedFonts { faces })
}

/// Subsets `face` to the recorded `glyphs` and names it with a tag no font in use (`taken`) has.
fn embed_face(
    face: &FontFace<'_>,
    glyphs: &[Option<GlyphText>],
    taken: impl Fn(&str) -> bool,
    resource: String,
) -> Result<EmbeddedFace, TextPdfError> {
    // Glyph ids come from a face's 16-bit glyph ids, so every index fits.
    let gids: Vec<u16> = (0u16..)
        .zip(glyphs)
        .filter_map(|(gid, g)| g.as_ref().map(|_| gid))
        .collect();
    let mut remapper = subsetter::GlyphRemapper::new();
    for &gid in &gids {
        remapper.remap(gid);
    }
    let program = subset_program(face, &remapper)?;
    let ps_name = face.postscript_name();
    // The same face twice in a set (or two files with one name) must not share a name.
    let base_font = (0u32..)
        .map(|salt| format!("{}+{ps_name}", subset_tag(ps_name, salt, &gids)))
        .find(|name| !taken(name))
        .unwrap_or_default();
    let widths: Vec<i64> = remapper
        .remapped_gids()
        .map(|gid| pdf_width(face, gid))
        .collect();
    let glyphs = glyphs
        .iter()
        .zip(0u16..)
        .map(|(text, gid)| {
            let text = text.as_ref()?.text(face, gid);
            let code = remapper.get(gid).unwrap_or(0);
            let width = widths.get(usize::from(code)).copied().unwrap_or(0);
            Some(EmbeddedGlyph { code, width, text })
        })
        .collect();
    Ok(EmbeddedFace {
        base_font,
        resource,
        glyphs,
        widths,
        program: Some(program),
    })
}

/// The subset of `face` holding the glyphs of `remapper`, as it will be embedded.
fn subset_program(
    face: &FontFace<'_>,
    remapper: &subsetter::GlyphRemapper,
) -> Result<FontProgram, TextPdfError> {
    subset_face(face, remapper).map_err(|problem| TextPdfError::Subset {
        name: face.label().to_string(),
        reason: match problem {
            SubsetError::Malformed => "malformed font".to_string(),
            SubsetError::Rejected(reason) => reason,
            SubsetError::NoCff => "no CFF table in the subset".to_string(),
        },
    })
}

/// The `/W` width of glyph `gid`: its advance in 1/1000 em, truncated.
fn pdf_width(face: &FontFace<'_>, gid: u16) -> i64 {
    face.advance(gid).map_or(0, |w| {
        FontUnits::new(f32::from(w)).to_thousandths(face.units_per_em()) as i64
    })
}

/// The six capital letters that tag a subset (`ABCDEF+Name`), from an FNV-1a hash of the
/// PostScript name, a salt (0 unless the name is taken) and the glyph ids, so the same glyph
/// set always gets the same tag.
pub(crate) fn subset_tag(postscript_name: &str, salt: u32, gids: &[u16]) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let bytes = postscript_name
        .bytes()
        .chain([0])
        .chain(salt.to_be_bytes())
        .chain(gids.iter().flat_map(|g| g.to_be_bytes()));
    for b in bytes {
        hash = (hash ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3);
    }
    (0..6)
        .map(|i| char::from(b'A' + ((hash >> (i * 10)) % 26) as u8))
        .collect()
}

impl EmbeddedFonts {
    fn face(&self, face: FaceId) -> Option<&EmbeddedFace> {
        self.faces.get(face.index())?.as_ref()
    }

    /// The `/BaseFont` name (`ABCDEF+PostScriptName`) `face` is embedded under, if it is used.
    #[cfg(test)]
    pub(crate) fn base_font(&self, face: FaceId) -> Option<&str> {
        self.face(face).map(|f| f.base_font.as_str())
    }

    /// The page resource name `face` is shown with, if it is used.
    pub(crate) fn resource(&self, face: FaceId) -> Option<&str> {
        self.resource_at(face.index())
    }

    /// The page resource name of the face with index `index`, if it is used.
    pub(crate) fn resource_at(&self, index: usize) -> Option<&str> {
        let face = self.faces.get(index)?.as_ref()?;
        Some(face.resource.as_str())
    }

    /// Adds every subset to `doc` (Flate-compressed when `compress`), releasing the font
    /// programs; returns the font objects by face index.
    pub(crate) fn write(
        &mut self,
        doc: &mut Document,
        fonts: &FontSet<'_>,
        compress: bool,
    ) -> Vec<Option<ObjectId>> {
        let mut ids = Vec::with_capacity(self.faces.len());
        for (slot, (_, face)) in self.faces.iter_mut().zip(fonts.faces()) {
            let Some(embedded) = slot else {
                ids.push(None);
                continue;
            };
            let Some(program) = embedded.program.take() else {
                ids.push(None);
                continue;
            };
            let texts = embedded.code_texts();
            let texts: Vec<(u16, &str)> = texts.iter().map(|(c, t)| (*c, t.as_str())).collect();
            let subset = SubsetFont {
                base_font: &embedded.base_font,
                face,
                program: &program,
                widths: &embedded.widths,
                texts: &texts,
            };
            ids.push(Some(write_font(doc, &subset, compress)));
        }
        ids
    }
}

impl EmbeddedFace {
    /// `(code, text)` of every embedded glyph, in code order.
    fn code_texts(&self) -> Vec<(u16, String)> {
        let mut texts: Vec<(u16, String)> = self
            .glyphs
            .iter()
            .flatten()
            .map(|g| (g.code, g.text.clone()))
            .collect();
        texts.sort_by_key(|(code, _)| *code);
        texts
    }
}

/// Text-object state shared by consecutive [`EmbeddedFonts::place_run`] calls: the font in
/// use (selected only when it changes), the `TJ` still open, and the faces shown (for the
/// page's resources). Call [`TextState::finish`] before `ET`; start a fresh state after it.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct TextState {
    font: Option<(FaceId, u32)>,
    open: Option<OpenShow>,
    used: BTreeSet<FaceId>,
}

/// A `TJ` array being written: its `Tm` origin and where the viewer's pen is, relative to it,
/// in thousandths of an em.
#[derive(Debug, Clone, Copy, PartialEq)]
struct OpenShow {
    x: f32,
    y: f32,
    pen: f64,
}

impl TextState {
    /// Closes the open `TJ`, if any. Call before any operator other than glyph placement.
    pub(crate) fn finish(&mut self, out: &mut Content) {
        if self.open.take().is_some() {
            out.show_array();
        }
    }

    /// The faces shown since the state was made.
    pub(crate) fn used_faces(&self) -> &BTreeSet<FaceId> {
        &self.used
    }

    /// Shows `glyphs` (one face, one baseline): continues the open `TJ` when it is on the same
    /// baseline, else opens a new one at the first glyph.
    fn show(&mut self, glyphs: &[Placed<'_>], size: f32, out: &mut Content) {
        let Some(first) = glyphs.first() else {
            return;
        };
        let per_em = thousandths_per_pt_f64(size);
        match &mut self.open {
            Some(open) if open.y == first.y => {
                let target = (f64::from(first.x) - f64::from(open.x)) * per_em;
                let adjust = round_adjustment(open.pen - target);
                if adjust != 0.0 {
                    out.adjustment(adjust);
                    open.pen -= adjust;
                }
            }
            _ => {
                self.finish(out);
                out.text_matrix(first.x, first.y);
                out.open_array();
                self.open = Some(OpenShow {
                    x: first.x,
                    y: first.y,
                    pen: 0.0,
                });
            }
        }
        let Some(open) = &mut self.open else {
            return;
        };
        for (glyph, adjust) in glyphs.iter().zip(adjustments(glyphs, size)) {
            out.glyph(glyph.glyph.code);
            open.pen += glyph.glyph.width as f64;
            if adjust != 0.0 {
                out.adjustment(adjust);
                open.pen -= adjust;
            }
        }
    }
}

/// A `TJ` adjustment rounded to the precision it is written with.
fn round_adjustment(value: f64) -> f64 {
    let rounded = (value * 100.0).round() / 100.0;
    if rounded == 0.0 {
        0.0
    } else {
        rounded
    }
}

/// A glyph ready for the content stream.
#[derive(Debug, Clone, Copy)]
struct Placed<'e> {
    face: FaceId,
    glyph: &'e EmbeddedGlyph,
    x: f32,
    y: f32,
    /// Where text extraction thinks the glyph ends: `x` plus its `/W` width.
    ink_end: f32,
}

impl EmbeddedFonts {
    /// Writes the operators that draw `run` with its baseline starting at (`x`, `y`) points
    /// from the page's lower-left corner. Must be called inside a text object (`BT`…`ET`).
    pub(crate) fn place_run(
        &self,
        run: &ShapedRun,
        (x, y): (f32, f32),
        state: &mut TextState,
        out: &mut Content,
    ) -> Result<(), TextPdfError> {
        let placed = self.place_glyphs(run, x, y)?;
        let spans = self.spans(run, &placed);
        for (clusters, actual) in spans {
            if clusters.is_empty() {
                continue;
            }
            let (first, last) = (run.cluster(clusters.start), run.cluster(clusters.end - 1));
            if actual {
                state.finish(out);
                let text = run.text.get(first.text.start..last.text.end);
                out.begin_actual_text(text.unwrap_or(""));
            }
            let glyphs = &placed[first.glyphs.start..last.glyphs.end];
            self.show_glyphs(glyphs, run.size_pt, state, out);
            if actual {
                state.finish(out);
                out.end_marked_content();
            }
        }
        Ok(())
    }

    /// Absolute positions of every glyph of `run`.
    fn place_glyphs(
        &self,
        run: &ShapedRun,
        x: f32,
        y: f32,
    ) -> Result<Vec<Placed<'_>>, TextPdfError> {
        let mut pen = x;
        let mut out = Vec::with_capacity(run.glyphs.len());
        for g in &run.glyphs {
            let glyph = self
                .face(g.face)
                .and_then(|f| f.glyphs.get(usize::from(g.glyph_id))?.as_ref())
                .ok_or(TextPdfError::Unrecorded {
                    face: g.face.index(),
                    glyph: g.glyph_id,
                })?;
            let gx = pen + g.x_offset;
            pen += g.x_advance;
            out.push(Placed {
                face: g.face,
                glyph,
                x: gx,
                y: y + g.y_offset,
                ink_end: gx + thousandths_to_pt(glyph.width as f32, run.size_pt),
            });
        }
        Ok(out)
    }

    /// Splits the clusters of `run` into stretches shown plainly (`false`) and stretches wrapped
    /// in `/ActualText` (`true`).
    ///
    /// A cluster needs `/ActualText` when its glyphs' `/ToUnicode` texts do not spell its text
    /// (reordered or textless Khmer glyphs), or when its last glyph ends before another of its
    /// glyphs (a mark drawn over its base): extractors take the gap from that mark to the next
    /// letter for a word space. An extractor places the actual text between the first glyph's
    /// start and the last glyph's end, so a span also takes in the cluster after such a mark.
    fn spans(&self, run: &ShapedRun, placed: &[Placed<'_>]) -> Vec<(Range<usize>, bool)> {
        let tolerance = run.size_pt * 0.02;
        // short[c]: the last glyph of cluster c ends before another of its glyphs (a mark after
        // its base), so a span ending there would look shorter than the text it covers.
        let short: Vec<bool> = run
            .clusters()
            .map(|c| {
                let glyphs = &placed[c.glyphs];
                let reach = glyphs.iter().map(|g| g.ink_end).fold(f32::MIN, f32::max);
                glyphs
                    .last()
                    .is_some_and(|last| last.ink_end < reach - tolerance)
            })
            .collect();
        let special: Vec<bool> = (0..run.cluster_count())
            .map(|c| short[c] || !spells(run, placed, c))
            .collect();
        let mut spans = Vec::new();
        let mut start = 0;
        while start < special.len() {
            let actual = special[start];
            let mut end = start + 1;
            while end < special.len() && (special[end] == actual || actual && short[end - 1]) {
                end += 1;
            }
            spans.push((start..end, actual));
            start = end;
        }
        spans
    }

    /// Shows `glyphs`, one stretch per face and baseline.
    fn show_glyphs(
        &self,
        glyphs: &[Placed<'_>],
        size: f32,
        state: &mut TextState,
        out: &mut Content,
    ) {
        let mut start = 0;
        while start < glyphs.len() {
            let first = glyphs[start];
            let n = glyphs[start..]
                .iter()
                .take_while(|g| g.face == first.face && g.y == first.y)
                .count();
            self.select_font(first.face, size, state, out);
            state.show(&glyphs[start..start + n], size, out);
            start += n;
        }
    }

    fn select_font(&self, face: FaceId, size: f32, state: &mut TextState, out: &mut Content) {
        let wanted = Some((face, size.to_bits()));
        if state.font == wanted {
            return;
        }
        if let Some(resource) = self.resource(face) {
            state.finish(out);
            out.set_font(resource, size);
            state.font = wanted;
            state.used.insert(face);
        }
    }
}

/// Whether the `/ToUnicode` texts of the glyphs of cluster `index` spell its text.
fn spells(run: &ShapedRun, placed: &[Placed<'_>], index: usize) -> bool {
    let mut rest = run.cluster_text(index);
    for p in &placed[run.cluster(index).glyphs] {
        match rest.strip_prefix(p.glyph.text.as_str()) {
            Some(tail) => rest = tail,
            None => return false,
        }
    }
    rest.is_empty()
}

/// The `TJ` adjustment after each glyph: it moves the pen from where the `/W` width leaves it
/// to where the next glyph belongs (0 after the last).
fn adjustments<'g>(glyphs: &'g [Placed<'_>], size: f32) -> impl Iterator<Item = f64> + 'g {
    let per_pt = thousandths_per_pt(size);
    glyphs.iter().enumerate().map(move |(i, g)| {
        glyphs.get(i + 1).map_or(0.0, |next| {
            let adjust = g.glyph.width as f32 - (next.x - g.x) * per_pt;
            f64::from((adjust * 100.0).round() / 100.0)
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fonts::{FaceChoice, FaceRole, Family, Style};
    use crate::typeset::shape::ShapeOptions;
    use std::process::Command;

    const KHMER_WORDS: [&str; 4] = ["ខ្មែរក្រហម", "ទួលស្លែង", "ជើងឯក", "អង្គការ"];

    /// Runs `tool` with `args`; `None` when the tool is not installed.
    fn run_tool(tool: &str, args: &[&std::ffi::OsStr]) -> Option<std::process::Output> {
        Command::new(tool).args(args).output().ok()
    }

    fn sample_in_tempdir() -> (tempfile::TempDir, std::path::PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sample.pdf");
        let fonts = FontSet::builtin().unwrap();
        std::fs::write(&path, crate::pdf::sample::sample_pdf(&fonts).unwrap()).unwrap();
        (dir, path)
    }

    /// Places `run` at the origin in a fresh text object; the operators as text.
    fn placed(embedded: &EmbeddedFonts, run: &ShapedRun) -> Result<String, TextPdfError> {
        let mut out = Content::new();
        let mut state = TextState::default();
        embedded.place_run(run, (0.0, 0.0), &mut state, &mut out)?;
        state.finish(&mut out);
        Ok(String::from_utf8_lossy(out.bytes()).into_owned())
    }

    fn embedded_count(embedded: &EmbeddedFonts) -> usize {
        embedded.faces.iter().flatten().count()
    }

    #[test]
    fn subset_tags_are_deterministic_capitals() {
        let a = subset_tag("LinLibertineO", 0, &[0, 3, 70]);
        assert_eq!(a, subset_tag("LinLibertineO", 0, &[0, 3, 70]));
        assert_ne!(a, subset_tag("LinLibertineO", 0, &[0, 3, 71]));
        assert_ne!(a, subset_tag("LinLibertineO", 1, &[0, 3, 70]));
        assert!(a.len() == 6 && a.bytes().all(|b| b.is_ascii_uppercase()));
    }

    #[test]
    fn fonts_are_subset_and_named_with_tags() {
        let fonts = FontSet::builtin().unwrap();
        let run = crate::typeset::shape::shape(
            &fonts,
            "office ខ្មែរ",
            FaceChoice::new(Family::Serif, Style::Regular),
            10.0,
            &ShapeOptions::default(),
        );
        let mut usage = GlyphUsage::new();
        usage.record(&run);
        let embedded = embed_fonts(&fonts, &usage).unwrap();
        let chain = fonts.chain(FaceChoice::new(Family::Serif, Style::Regular));
        let name = embedded.base_font(chain[0]).unwrap();
        assert!(
            name.ends_with("+LinLibertineO") || name.contains('+'),
            "{name}"
        );
        assert_eq!(name.as_bytes()[6], b'+');
        assert!(embedded
            .base_font(chain[1])
            .unwrap()
            .contains("NotoSerifKhmer"));
        assert_eq!(embedded_count(&embedded), 2);
        // Subsetting is deterministic: the same usage embeds the same name.
        let again = embed_fonts(&fonts, &usage).unwrap();
        assert_eq!(again.base_font(chain[0]), Some(name));
    }

    #[test]
    fn one_face_used_twice_gets_two_names() {
        let data =
            crate::fonts::bundled::file(FaceRole::Family(Family::Serif, Style::Regular)).data;
        let mut fonts = FontSet::new(FontFace::parse(data, 0, "R.otf").unwrap());
        fonts.set_face(
            Family::Serif,
            Style::Bold,
            FontFace::parse(data, 0, "R.otf").unwrap(),
        );
        let mut usage = GlyphUsage::new();
        for style in [Style::Regular, Style::Bold] {
            let choice = FaceChoice::new(Family::Serif, style);
            let run = crate::typeset::shape::shape(
                &fonts,
                "same",
                choice,
                10.0,
                &ShapeOptions::default(),
            );
            usage.record(&run);
        }
        let embedded = embed_fonts(&fonts, &usage).unwrap();
        assert_eq!(embedded_count(&embedded), 2);
        let bold = fonts.primary(FaceChoice::new(Family::Serif, Style::Bold));
        let regular = fonts.primary(FaceChoice::new(Family::Serif, Style::Regular));
        assert_ne!(embedded.base_font(bold), embedded.base_font(regular));
    }

    #[test]
    fn khmer_clusters_get_actual_text_and_latin_does_not() {
        let fonts = FontSet::builtin().unwrap();
        let choice = FaceChoice::new(Family::Serif, Style::Regular);
        let run = crate::typeset::shape::shape(
            &fonts,
            "office ខ្មែរ",
            choice,
            10.0,
            &ShapeOptions::default(),
        );
        let mut usage = GlyphUsage::new();
        usage.record(&run);
        let embedded = embed_fonts(&fonts, &usage).unwrap();
        let ops = placed(&embedded, &run).unwrap();
        assert_eq!(ops.matches("/ActualText").count(), 1, "{ops}");
        assert_eq!(
            ops.matches("BDC").count(),
            ops.matches("EMC").count(),
            "{ops}"
        );
        assert!(ops.matches("]TJ").count() >= 2, "{ops}");
        assert_eq!(
            ops.matches('[').count(),
            ops.matches("]TJ").count(),
            "{ops}"
        );
    }

    #[test]
    fn runs_on_one_baseline_continue_one_tj() {
        let fonts = FontSet::builtin().unwrap();
        let choice = FaceChoice::new(Family::Serif, Style::Regular);
        let options = ShapeOptions::default();
        let first = crate::typeset::shape::shape(&fonts, "AVA", choice, 10.0, &options);
        let second = crate::typeset::shape::shape(&fonts, "Wave", choice, 10.0, &options);
        let mut usage = GlyphUsage::new();
        usage.record(&first);
        usage.record(&second);
        let embedded = embed_fonts(&fonts, &usage).unwrap();
        let mut out = Content::new();
        let mut state = TextState::default();
        let gap = first.width() + 2.5;
        for (run, x, y) in [(&first, 10.0, 100.0), (&second, 10.0 + gap, 100.0)] {
            embedded
                .place_run(run, (x, y), &mut state, &mut out)
                .unwrap();
        }
        embedded
            .place_run(&first, (10.0, 88.0), &mut state, &mut out)
            .unwrap();
        state.finish(&mut out);
        let ops = String::from_utf8_lossy(out.bytes()).into_owned();
        assert_eq!(ops.matches("Tf").count(), 1, "{ops}");
        assert_eq!(ops.matches("Tm").count(), 2, "{ops}");
        assert_eq!(ops.matches("]TJ").count(), 2, "{ops}");
        assert!(ops.starts_with("/F1 10 Tf\n1 0 0 1 10 100 Tm\n[<"), "{ops}");
        assert!(ops.contains("\n1 0 0 1 10 88 Tm\n"), "{ops}");
        assert_eq!(state.used_faces().len(), 1);
    }

    #[test]
    fn placing_an_unrecorded_glyph_is_an_error() {
        let fonts = FontSet::builtin().unwrap();
        let choice = FaceChoice::new(Family::Serif, Style::Regular);
        let run = crate::typeset::shape::shape(&fonts, "a", choice, 10.0, &ShapeOptions::default());
        let result = placed(&EmbeddedFonts::default(), &run);
        assert!(matches!(result, Err(TextPdfError::Unrecorded { .. })));
    }

    #[test]
    fn sample_pdf_extracts_checks_and_embeds_subsets() {
        let (_dir, path) = sample_in_tempdir();
        let pdf = path.as_os_str();
        if let Some(out) = run_tool(
            "pdftotext",
            &["-enc".as_ref(), "UTF-8".as_ref(), pdf, "-".as_ref()],
        ) {
            let text = String::from_utf8_lossy(&out.stdout);
            assert!(text.contains("efficient office affluent"), "{text}");
            assert!(text.contains("AVATAR"), "{text}");
            for word in KHMER_WORDS {
                assert!(text.contains(word), "{word} not in {text}");
            }
        }
        if let Some(out) = run_tool("qpdf", &["--check".as_ref(), pdf]) {
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stdout)
            );
        }
        if let Some(out) = run_tool("pdffonts", &[pdf]) {
            assert_fonts_embedded_and_subset(&String::from_utf8_lossy(&out.stdout));
        }
    }

    /// Flips bytes of the shipped fonts (a fixed xorshift sequence, so failures reproduce) and
    /// runs each through parse, shape, subset and placement: errors are fine, panics are not.
    #[test]
    fn corrupted_fonts_are_errors_not_panics() {
        use crate::fonts;
        let files = [
            fonts::bundled::file(FaceRole::Family(Family::Serif, Style::Regular)),
            fonts::bundled::file(FaceRole::Family(Family::Mono, Style::Regular)),
            fonts::bundled::file(FaceRole::Fallback(Style::Regular)),
        ];
        let mut seed: u64 = 0x1234_5678;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let mut survived = 0;
        // Rounds 139, 161, 215, 217, 268 and 281 used to panic inside the font crates.
        for round in 0..300 {
            let mut data = files[round % 3].data.to_vec();
            let span = if round % 2 == 0 { 4096 } else { data.len() };
            for _ in 0..1 + next() % 20 {
                let i = (next() as usize) % span.min(data.len());
                data[i] = next() as u8;
            }
            survived += usize::from(typeset_with(&data));
        }
        assert!(survived > 100, "{survived}");
    }

    /// Parses `data`, shapes a line with it and embeds it; whether everything succeeded.
    fn typeset_with(data: &[u8]) -> bool {
        let Ok(face) = FontFace::parse(data, 0, "corrupt.otf") else {
            return false;
        };
        let fonts = FontSet::new(face);
        let choice = FaceChoice::new(Family::Serif, Style::Regular);
        let text = "office AVATAR ខ្មែរ 1975";
        let run =
            crate::typeset::shape::shape(&fonts, text, choice, 10.0, &ShapeOptions::default());
        let mut usage = GlyphUsage::new();
        usage.record(&run);
        let Ok(mut embedded) = embed_fonts(&fonts, &usage) else {
            return false;
        };
        embedded.write(&mut Document::with_version("1.5"), &fonts, true);
        placed(&embedded, &run).is_ok()
    }

    /// Every font row of `pdffonts` says `emb yes` and `sub yes`.
    fn assert_fonts_embedded_and_subset(listing: &str) {
        let rows: Vec<&str> = listing.lines().skip(2).collect();
        assert!(rows.len() >= 7, "{listing}");
        for row in rows {
            let cols: Vec<&str> = row.split_whitespace().collect();
            // name type [type2] encoding emb sub uni object gen
            let n = cols.len();
            assert!(n >= 7, "{row}");
            assert_eq!(&cols[n - 5..n - 2], ["yes", "yes", "yes"], "{row}");
            assert_eq!(cols[0].as_bytes().get(6), Some(&b'+'), "{row}");
        }
    }
}
