//! The bridge from shaped text to printpdf 0.12: subset and embed the faces, place glyph runs by
//! glyph id, and keep the text extractable.
//!
//! Rendering is two-phase because a subset renumbers glyphs: first every run of the book is
//! recorded in a [`GlyphUsage`], then [`embed_fonts`] subsets each face with `subsetter` (new
//! glyph ids in ascending order of the old ones), names it `ABCDEF+PostScriptName` with a tag
//! hashed from the glyph set, and registers it with the document; then
//! [`EmbeddedFonts::place_run`] turns runs into `Tf`/`Tm`/`TJ` operations.
//!
//! What printpdf 0.12 (without its `text_layout` feature) does and does not do for us:
//! - It embeds whatever font program we hand to `ParsedFont::from_bytes` as-is: a subsetter CFF
//!   font (CID-keyed, identity charset) as `/FontFile3 /CIDFontType0C`, a TrueType subset as
//!   `/FontFile2` with `/CIDToGIDMap /Identity`. It cannot subset itself, and it names the font
//!   after `ParsedFont::font_name`, adding no subset tag: so we set `font_name` to our tagged name.
//! - `add_font` keys fonts by a random `FontId`; we insert into `resources.fonts.map` ourselves
//!   with the tagged name as the key, so resource names are deterministic.
//! - Its `/ToUnicode` CMap maps each glyph to the `cid` string of the `Codepoint`s shown with it
//!   (the last one wins); multi-character strings work, so a ligature maps to "ffi". We always
//!   pass the same string for a glyph ([`GlyphUsage`] picks it).
//! - A per-glyph CMap cannot express a Khmer syllable whose glyphs are reordered (the pre-base
//!   vowel drawn first) or have no character of their own (subjoined consonants). For such
//!   clusters we wrap the glyphs in `/Span <</ActualText (text)>> BDC … EMC`, which printpdf
//!   writes through `Op::BeginMarkedContentWithProperties`; no lopdf post-pass is needed.
//! - `TJ` cannot move glyphs vertically, so glyphs with a `y_offset` (marks) start a new `Tm`.
//! - Its `/W` widths are `(advance * 1000 / upem) as i64` of the subset font; our `TJ`
//!   adjustments are computed against those same integers, so positions match exactly.

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::Path;

use printpdf::{
    Codepoint, DictItem, FontId, Mm, Op, ParsedFont, PdfDocument, PdfFontHandle, PdfPage,
    PdfSaveOptions, Pt, TextItem, TextMatrix,
};

use super::font::{guard, FaceChoice, FaceId, Family, FontError, FontFace, FontSet, Style};
use super::shape::{is_default_ignorable, ShapeCache, ShapeOptions, ShapedRun};

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
    /// printpdf could not read the subset font back.
    #[error("font {name}: printpdf cannot read the subset font")]
    Reparse {
        /// The font's file name.
        name: String,
    },
    /// A run was placed with a glyph that was not recorded before the fonts were embedded.
    #[error("glyph {glyph} of face {face} was placed but not recorded before embedding")]
    Unrecorded {
        /// Index of the face in its font set.
        face: usize,
        /// The glyph id.
        glyph: u16,
    },
    /// Writing the file failed.
    #[error("cannot write {path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The I/O error.
        source: std::io::Error,
    },
}

/// The glyphs a document uses, per face, with the text each glyph stands for.
#[derive(Debug, Default, Clone)]
pub struct GlyphUsage {
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
    pub fn new() -> Self {
        GlyphUsage::default()
    }

    /// Records the glyphs of `run`. The first text seen for a glyph wins, so the text chosen
    /// for `/ToUnicode` is deterministic.
    pub fn record(&mut self, run: &ShapedRun) {
        for (i, cluster) in run.clusters.iter().enumerate() {
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

    /// Whether no glyph has been recorded.
    pub fn is_empty(&self) -> bool {
        self.faces
            .iter()
            .all(|glyphs| glyphs.iter().all(Option::is_none))
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
    /// Advance in 1/1000 em, exactly as printpdf writes it to `/W`.
    width: i64,
    /// What `/ToUnicode` maps the glyph to (may be empty).
    text: String,
}

/// One face as embedded in the document.
#[derive(Debug, Clone)]
struct EmbeddedFace {
    base_font: String,
    font_id: FontId,
    /// Indexed by the face's glyph id.
    glyphs: Vec<Option<EmbeddedGlyph>>,
}

/// The subset faces of a document, ready to place runs with.
#[derive(Debug, Clone, Default)]
pub struct EmbeddedFonts {
    /// Indexed by face index.
    faces: Vec<Option<EmbeddedFace>>,
}

/// Subsets every face in `usage` and adds it to `doc`.
pub fn embed_fonts(
    doc: &mut PdfDocument,
    fonts: &FontSet<'_>,
    usage: &GlyphUsage,
) -> Result<EmbeddedFonts, TextPdfError> {
    let mut faces = Vec::new();
    for (id, face) in fonts.faces() {
        let glyphs = usage.faces.get(id.index()).map_or(&[][..], Vec::as_slice);
        if glyphs.iter().all(Option::is_none) {
            faces.push(None);
            continue;
        }
        let taken = |name: &str| {
            doc.resources
                .fonts
                .map
                .contains_key(&FontId(name.to_string()))
        };
        let (embedded, parsed) = embed_face(face, glyphs, taken)?;
        let pdf_font = printpdf::PdfFont::new(parsed);
        doc.resources
            .fonts
            .map
            .insert(embedded.font_id.clone(), pdf_font);
        faces.push(Some(embedded));
    }
    Ok(EmbeddedFonts { faces })
}

/// Subsets `face` to the recorded `glyphs` and names it with a tag no font in use (`taken`) has.
fn embed_face(
    face: &FontFace<'_>,
    glyphs: &[Option<GlyphText>],
    taken: impl Fn(&str) -> bool,
) -> Result<(EmbeddedFace, ParsedFont), TextPdfError> {
    // Glyph ids come from a face's 16-bit glyph ids, so every index fits.
    let gids: Vec<u16> = (0u16..)
        .zip(glyphs)
        .filter_map(|(gid, g)| g.as_ref().map(|_| gid))
        .collect();
    let mut remapper = subsetter::GlyphRemapper::new();
    for &gid in &gids {
        remapper.remap(gid);
    }
    let subset_error = |reason: String| TextPdfError::Subset {
        name: face.label().to_string(),
        reason,
    };
    let program = guard(|| subsetter::subset(face.data(), face.index(), &remapper))
        .ok_or_else(|| subset_error("malformed font".to_string()))?
        .map_err(|e| subset_error(e.to_string()))?;
    let ps_name = face.postscript_name();
    // The same face twice in a set (or two files with one name) must not share a name.
    let base_font = (0u32..)
        .map(|salt| format!("{}+{ps_name}", subset_tag(ps_name, salt, &gids)))
        .find(|name| !taken(name))
        .unwrap_or_default();
    let mut warnings = Vec::new();
    let mut parsed = guard(|| ParsedFont::from_bytes(&program, 0, &mut warnings))
        .flatten()
        .ok_or_else(|| TextPdfError::Reparse {
            name: face.label().to_string(),
        })?;
    parsed.font_name = Some(base_font.clone());
    let glyphs = glyphs
        .iter()
        .zip(0u16..)
        .map(|(text, gid)| {
            let text = text.as_ref()?.text(face, gid);
            let code = remapper.get(gid).unwrap_or(0);
            let width = pdf_width(&parsed, code);
            Some(EmbeddedGlyph { code, width, text })
        })
        .collect();
    let font_id = FontId(base_font.clone());
    let embedded = EmbeddedFace {
        base_font,
        font_id,
        glyphs,
    };
    Ok((embedded, parsed))
}

/// The width printpdf writes to `/W` for `code` (see `get_scaled_glyph_width` in printpdf).
fn pdf_width(font: &ParsedFont, code: u16) -> i64 {
    let upm = f32::from(font.pdf_font_metrics.units_per_em.max(1));
    font.get_glyph_width(code)
        .map_or(0, |w| (f32::from(w) * 1000.0 / upm) as i64)
}

/// The six capital letters that tag a subset (`ABCDEF+Name`), from an FNV-1a hash of the
/// PostScript name, a salt (0 unless the name is taken) and the glyph ids, so the same glyph
/// set always gets the same tag.
pub fn subset_tag(postscript_name: &str, salt: u32, gids: &[u16]) -> String {
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

/// Text-object state shared by consecutive [`EmbeddedFonts::place_run`] calls, so a font is
/// only selected when it changes. Start a fresh one after every `EndTextSection`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TextState {
    font: Option<(FaceId, u32)>,
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
    fn face(&self, face: FaceId) -> Option<&EmbeddedFace> {
        self.faces.get(face.index())?.as_ref()
    }

    /// The `/BaseFont` name (`ABCDEF+PostScriptName`) `face` is embedded under, if it is used.
    pub fn base_font(&self, face: FaceId) -> Option<&str> {
        self.face(face).map(|f| f.base_font.as_str())
    }

    /// Appends the operations that draw `run` with its baseline starting at (`x`, `y`) points
    /// from the page's lower-left corner. Must be called inside a text section (`BT`…`ET`).
    pub fn place_run(
        &self,
        run: &ShapedRun,
        (x, y): (f32, f32),
        state: &mut TextState,
        ops: &mut Vec<Op>,
    ) -> Result<(), TextPdfError> {
        let placed = self.place_glyphs(run, x, y)?;
        let spans = self.spans(run, &placed);
        for (clusters, actual) in spans {
            let group = &run.clusters[clusters];
            let (Some(first), Some(last)) = (group.first(), group.last()) else {
                continue;
            };
            if actual {
                let text = run.text.get(first.text.start..last.text.end);
                ops.push(begin_actual_text(text.unwrap_or("")));
            }
            let glyphs = &placed[first.glyphs.start..last.glyphs.end];
            self.show_glyphs(glyphs, run.size_pt, state, ops);
            if actual {
                ops.push(Op::EndMarkedContent);
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
                ink_end: gx + glyph.width as f32 * run.size_pt / 1000.0,
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
            .clusters
            .iter()
            .map(|c| {
                let glyphs = &placed[c.glyphs.clone()];
                let reach = glyphs.iter().map(|g| g.ink_end).fold(f32::MIN, f32::max);
                glyphs
                    .last()
                    .is_some_and(|last| last.ink_end < reach - tolerance)
            })
            .collect();
        let special: Vec<bool> = (0..run.clusters.len())
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

    /// Shows `glyphs`, one `Tm` + `TJ` per stretch in one face on one baseline.
    fn show_glyphs(
        &self,
        glyphs: &[Placed<'_>],
        size: f32,
        state: &mut TextState,
        ops: &mut Vec<Op>,
    ) {
        let mut start = 0;
        while start < glyphs.len() {
            let first = glyphs[start];
            let n = glyphs[start..]
                .iter()
                .take_while(|g| g.face == first.face && g.y == first.y)
                .count();
            self.select_font(first.face, size, state, ops);
            ops.push(Op::SetTextMatrix {
                matrix: TextMatrix::Translate(Pt(first.x), Pt(first.y)),
            });
            let items = vec![TextItem::GlyphIds(codepoints(
                &glyphs[start..start + n],
                size,
            ))];
            ops.push(Op::ShowText { items });
            start += n;
        }
    }

    fn select_font(&self, face: FaceId, size: f32, state: &mut TextState, ops: &mut Vec<Op>) {
        let wanted = Some((face, size.to_bits()));
        if state.font == wanted {
            return;
        }
        if let Some(embedded) = self.face(face) {
            ops.push(Op::SetFont {
                font: PdfFontHandle::External(embedded.font_id.clone()),
                size: Pt(size),
            });
            state.font = wanted;
        }
    }
}

/// Whether the `/ToUnicode` texts of the glyphs of cluster `index` spell its text.
fn spells(run: &ShapedRun, placed: &[Placed<'_>], index: usize) -> bool {
    let mut rest = run.cluster_text(index);
    for p in &placed[run.clusters[index].glyphs.clone()] {
        match rest.strip_prefix(p.glyph.text.as_str()) {
            Some(tail) => rest = tail,
            None => return false,
        }
    }
    rest.is_empty()
}

/// Codepoints whose `TJ` adjustments move the pen from where the `/W` width leaves it after
/// each glyph to where the next glyph belongs.
fn codepoints(glyphs: &[Placed<'_>], size: f32) -> Vec<Codepoint> {
    let per_pt = 1000.0 / size.max(f32::MIN_POSITIVE);
    let mut out = Vec::with_capacity(glyphs.len());
    for (i, g) in glyphs.iter().enumerate() {
        let offset = glyphs.get(i + 1).map_or(0.0, |next| {
            let adjust = g.glyph.width as f32 - (next.x - g.x) * per_pt;
            (adjust * 100.0).round() / 100.0
        });
        out.push(Codepoint::with_cid(
            g.glyph.code,
            offset,
            g.glyph.text.clone(),
        ));
    }
    out
}

/// `/Span <</ActualText <FEFF…>>> BDC`: the text extraction should report for what follows.
fn begin_actual_text(text: &str) -> Op {
    let mut utf16 = vec![0xFE, 0xFF];
    utf16.extend(text.encode_utf16().flat_map(|u| u.to_be_bytes()));
    let mut map = BTreeMap::new();
    map.insert(
        "ActualText".to_string(),
        DictItem::String {
            data: utf16,
            literal: false,
        },
    );
    Op::BeginMarkedContentWithProperties {
        tag: "Span".to_string(),
        properties: DictItem::Dict { map },
    }
}

/// The sample page: (family, style, size, old-style figures, text) per line.
const SAMPLE_LINES: [(Family, Style, f32, bool, &str); 9] = [
    (
        Family::Serif,
        Style::Regular,
        13.0,
        false,
        "Regular: efficient office affluent. AVATAR Wave 1975",
    ),
    (
        Family::Serif,
        Style::Italic,
        13.0,
        false,
        "Italic: efficient office affluent. AVATAR Wave 1975",
    ),
    (
        Family::Serif,
        Style::Bold,
        13.0,
        false,
        "Bold: efficient office affluent. AVATAR Wave 1975",
    ),
    (
        Family::Serif,
        Style::BoldItalic,
        13.0,
        false,
        "Bold italic: efficient office affluent. AVATAR Wave 1975",
    ),
    (
        Family::Mono,
        Style::Regular,
        11.0,
        false,
        "Mono: fn main() { let office = 1975; } // ffi",
    ),
    (
        Family::Serif,
        Style::Regular,
        13.0,
        false,
        "Khmer: ខ្មែរក្រហម ទួលស្លែង ជើងឯក អង្គការ (in the text)",
    ),
    (
        Family::Serif,
        Style::Bold,
        13.0,
        false,
        "Bold Khmer: ខ្មែរក្រហម ទួលស្លែង",
    ),
    (
        Family::Serif,
        Style::Regular,
        13.0,
        false,
        "efficient office affluent",
    ),
    (
        Family::Serif,
        Style::Regular,
        13.0,
        true,
        "AVATAR Wave 1975 (kerning, old-style figures)",
    ),
];

/// Builds a one-page A4 PDF showing every face and feature: the four Libertine styles, the
/// monospace, English mixed with Khmer, ligatures, kerning and old-style figures.
pub fn sample_pdf(fonts: &FontSet<'_>) -> Result<Vec<u8>, TextPdfError> {
    let mut cache = ShapeCache::new();
    let runs: Vec<_> = SAMPLE_LINES
        .iter()
        .map(|&(family, style, size, oldstyle_figures, text)| {
            let options = ShapeOptions {
                oldstyle_figures,
                language: Some("en-GB".to_string()),
                ..ShapeOptions::default()
            };
            cache.shape(fonts, text, FaceChoice::new(family, style), size, &options)
        })
        .collect();
    let mut usage = GlyphUsage::new();
    runs.iter().for_each(|run| usage.record(run));
    let mut doc = PdfDocument::new("octavo font sample");
    let embedded = embed_fonts(&mut doc, fonts, &usage)?;
    let mut ops = vec![Op::StartTextSection];
    let mut state = TextState::default();
    for (i, run) in runs.iter().enumerate() {
        let y = 780.0 - 30.0 * i as f32;
        embedded.place_run(run, (60.0, y), &mut state, &mut ops)?;
    }
    ops.push(Op::EndTextSection);
    let page = PdfPage::new(Mm(210.0), Mm(297.0), ops);
    let mut warnings = Vec::new();
    Ok(doc
        .with_pages(vec![page])
        .save(&PdfSaveOptions::default(), &mut warnings))
}

/// Writes [`sample_pdf`] with the fonts octavo ships to `path`.
pub fn write_sample_pdf(path: &Path) -> Result<(), TextPdfError> {
    let fonts = FontSet::builtin()?;
    let bytes = sample_pdf(&fonts)?;
    std::fs::write(path, bytes).map_err(|source| TextPdfError::Io {
        path: path.display().to_string(),
        source,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::process::Command;

    const KHMER_WORDS: [&str; 4] = ["ខ្មែរក្រហម", "ទួលស្លែង", "ជើងឯក", "អង្គការ"];

    /// Runs `tool` with `args`; `None` when the tool is not installed.
    fn run_tool(tool: &str, args: &[&std::ffi::OsStr]) -> Option<std::process::Output> {
        Command::new(tool).args(args).output().ok()
    }

    fn sample_in_tempdir() -> (tempfile::TempDir, std::path::PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sample.pdf");
        write_sample_pdf(&path).unwrap();
        (dir, path)
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
        let run = crate::pdf::shape::shape(
            &fonts,
            "office ខ្មែរ",
            FaceChoice::new(Family::Serif, Style::Regular),
            10.0,
            &ShapeOptions::default(),
        );
        let mut usage = GlyphUsage::new();
        usage.record(&run);
        let mut doc = PdfDocument::new("t");
        let embedded = embed_fonts(&mut doc, &fonts, &usage).unwrap();
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
        assert_eq!(doc.resources.fonts.map.len(), 2);
        // Subsetting is deterministic: the same usage embeds the same name.
        let again = embed_fonts(&mut PdfDocument::new("u"), &fonts, &usage).unwrap();
        assert_eq!(again.base_font(chain[0]), Some(name));
    }

    #[test]
    fn one_face_used_twice_gets_two_names() {
        let data = crate::fonts::SERIF_REGULAR.data;
        let mut fonts = FontSet::new(FontFace::parse(data, 0, "R.otf").unwrap());
        fonts.set_face(
            Family::Serif,
            Style::Bold,
            FontFace::parse(data, 0, "R.otf").unwrap(),
        );
        let mut usage = GlyphUsage::new();
        for style in [Style::Regular, Style::Bold] {
            let choice = FaceChoice::new(Family::Serif, style);
            let run =
                crate::pdf::shape::shape(&fonts, "same", choice, 10.0, &ShapeOptions::default());
            usage.record(&run);
        }
        let mut doc = PdfDocument::new("t");
        let embedded = embed_fonts(&mut doc, &fonts, &usage).unwrap();
        assert_eq!(doc.resources.fonts.map.len(), 2);
        let bold = fonts.primary(FaceChoice::new(Family::Serif, Style::Bold));
        let regular = fonts.primary(FaceChoice::new(Family::Serif, Style::Regular));
        assert_ne!(embedded.base_font(bold), embedded.base_font(regular));
    }

    #[test]
    fn khmer_clusters_get_actual_text_and_latin_does_not() {
        let fonts = FontSet::builtin().unwrap();
        let choice = FaceChoice::new(Family::Serif, Style::Regular);
        let run =
            crate::pdf::shape::shape(&fonts, "office ខ្មែរ", choice, 10.0, &ShapeOptions::default());
        let mut usage = GlyphUsage::new();
        usage.record(&run);
        let embedded = embed_fonts(&mut PdfDocument::new("t"), &fonts, &usage).unwrap();
        let mut ops = Vec::new();
        embedded
            .place_run(&run, (0.0, 0.0), &mut TextState::default(), &mut ops)
            .unwrap();
        let spans = ops
            .iter()
            .filter(|op| matches!(op, Op::BeginMarkedContentWithProperties { .. }))
            .count();
        assert_eq!(spans, 1, "{ops:#?}");
        let shows = ops
            .iter()
            .filter(|op| matches!(op, Op::ShowText { .. }))
            .count();
        assert!(shows >= 2);
    }

    #[test]
    fn placing_an_unrecorded_glyph_is_an_error() {
        let fonts = FontSet::builtin().unwrap();
        let choice = FaceChoice::new(Family::Serif, Style::Regular);
        let run = crate::pdf::shape::shape(&fonts, "a", choice, 10.0, &ShapeOptions::default());
        let embedded = EmbeddedFonts::default();
        let result =
            embedded.place_run(&run, (0.0, 0.0), &mut TextState::default(), &mut Vec::new());
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
            fonts::SERIF_REGULAR,
            fonts::MONO_REGULAR,
            fonts::KHMER_REGULAR,
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
        let run = crate::pdf::shape::shape(&fonts, text, choice, 10.0, &ShapeOptions::default());
        let mut usage = GlyphUsage::new();
        usage.record(&run);
        let Ok(embedded) = embed_fonts(&mut PdfDocument::new("t"), &fonts, &usage) else {
            return false;
        };
        let mut ops = Vec::new();
        embedded
            .place_run(&run, (0.0, 0.0), &mut TextState::default(), &mut ops)
            .is_ok()
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
