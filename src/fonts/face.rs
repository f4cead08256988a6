//! Font faces: one OpenType face parsed once, with what shaping, layout and embedding need.
//!
//! A [`FontFace`] is parsed with `rustybuzz` (whose `ttf_parser` we reuse) together with the
//! metrics page layout needs and the PostScript name a PDF embeds it under. Parsing a broken
//! font file is an error, never a panic: fonts may come from `book.toml`.
//!
//! Faces borrow their bytes (`&'a [u8]`): the fonts octavo ships are `&'static`
//! ([`super::bundled`]), fonts read at run time live in a buffer the build keeps for as long
//! as the [`super::FontSet`].

use rustybuzz::ttf_parser;

use crate::units::UnitScale;

/// Why a font could not be used.
#[derive(Debug, thiserror::Error)]
pub enum FontError {
    /// The bytes are not a readable OpenType/TrueType face.
    #[error("font {name}: cannot read it as OpenType ({reason})")]
    Parse {
        /// The font's file name (or other label).
        name: String,
        /// What the parser reported.
        reason: String,
    },
    /// The face has no Unicode `cmap` subtable, so text cannot be mapped to glyphs.
    #[error("font {name}: has no Unicode character map")]
    NoUnicodeCmap {
        /// The font's file name (or other label).
        name: String,
    },
    /// The face has no outlines we can embed (neither `glyf` nor `CFF `).
    #[error("font {name}: has neither TrueType nor CFF outlines (CFF2 and bitmap fonts are not supported)")]
    UnsupportedOutlines {
        /// The font's file name (or other label).
        name: String,
    },
}

/// Vertical metrics and style data of a face, in font units unless stated otherwise.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FaceMetrics {
    /// Font units per em (the scale of every other metric).
    pub units_per_em: u16,
    /// Typographic ascender (positive, above the baseline).
    pub ascender: i16,
    /// Typographic descender (negative, below the baseline).
    pub descender: i16,
    /// Extra line gap recommended by the font.
    pub line_gap: i16,
    /// Height of capital letters (`H`).
    pub cap_height: i16,
    /// Height of lowercase letters (`x`).
    pub x_height: i16,
    /// Italic angle in degrees, counter-clockwise from vertical (negative for italics).
    pub italic_angle: f32,
    /// Weight class (400 regular, 700 bold).
    pub weight: u16,
    /// Whether the outlines are CFF (`OTTO`) rather than TrueType `glyf`.
    pub is_cff: bool,
    /// The bounding box of all glyphs (`head`): x min, y min, x max, y max.
    pub bbox: [i16; 4],
    /// Whether every glyph has the same advance (`post`'s `isFixedPitch`).
    pub monospaced: bool,
}

/// One parsed font face, ready for shaping and embedding.
pub struct FontFace<'a> {
    label: String,
    data: &'a [u8],
    index: u32,
    face: rustybuzz::Face<'a>,
    metrics: FaceMetrics,
    postscript_name: String,
    shaping_failed: std::sync::atomic::AtomicBool,
    /// Bit `c` is set when the face maps ASCII character `c` to a glyph: most text is
    /// ASCII, and a `cmap` lookup for each of its characters was a tenth of shaping.
    ascii: u128,
}

impl std::fmt::Debug for FontFace<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FontFace")
            .field("label", &self.label)
            .field("postscript_name", &self.postscript_name)
            .field("metrics", &self.metrics)
            .finish()
    }
}

impl<'a> FontFace<'a> {
    /// Parses face `index` of `data` (0 unless `data` is a collection); `label` (usually the file
    /// name) names the font in errors and stands in for a missing PostScript name.
    pub fn parse(data: &'a [u8], index: u32, label: &str) -> Result<Self, FontError> {
        guard(|| Self::parse_unguarded(data, index, label)).unwrap_or_else(|| {
            Err(FontError::Parse {
                name: label.to_string(),
                reason: "malformed tables".to_string(),
            })
        })
    }

    fn parse_unguarded(data: &'a [u8], index: u32, label: &str) -> Result<Self, FontError> {
        let ttf = ttf_parser::Face::parse(data, index).map_err(|e| FontError::Parse {
            name: label.to_string(),
            reason: e.to_string(),
        })?;
        check_usable(&ttf, label)?;
        let metrics = read_metrics(&ttf);
        let postscript_name =
            read_postscript_name(&ttf).unwrap_or_else(|| sanitize_ps_name(label_stem(label)));
        let ascii = (0..128u8)
            .filter(|&b| ttf.glyph_index(char::from(b)).is_some())
            .fold(0u128, |bits, b| bits | 1 << b);
        Ok(FontFace {
            label: label.to_string(),
            data,
            index,
            face: rustybuzz::Face::from_face(ttf),
            metrics,
            postscript_name,
            shaping_failed: std::sync::atomic::AtomicBool::new(false),
            ascii,
        })
    }

    /// The label given at parse time (usually the file name).
    pub fn label(&self) -> &str {
        &self.label
    }

    /// The font file's bytes.
    pub fn data(&self) -> &'a [u8] {
        self.data
    }

    /// The face index inside the file (0 unless it is a collection).
    pub fn index(&self) -> u32 {
        self.index
    }

    /// Metrics and style data.
    pub fn metrics(&self) -> &FaceMetrics {
        &self.metrics
    }

    /// Font units per em.
    pub fn units_per_em(&self) -> u16 {
        self.metrics.units_per_em
    }

    /// The PostScript name, reduced to characters legal in a PDF name.
    pub fn postscript_name(&self) -> &str {
        &self.postscript_name
    }

    /// The family name a reader knows the face by (the typographic family, else the family
    /// from the `name` table), for the colophon; `None` when the font names none.
    pub fn family_name(&self) -> Option<String> {
        let names = self.face.names();
        [
            ttf_parser::name_id::TYPOGRAPHIC_FAMILY,
            ttf_parser::name_id::FAMILY,
        ]
        .into_iter()
        .find_map(|id| {
            names
                .into_iter()
                .filter(|n| n.name_id == id)
                .find_map(|n| n.to_string())
        })
        .filter(|name| !name.trim().is_empty())
    }

    /// Points per font unit at `size_pt`.
    pub fn scale(&self, size_pt: f32) -> UnitScale {
        UnitScale::new(size_pt, self.metrics.units_per_em)
    }

    /// Whether the face maps `c` to a glyph.
    pub fn has_char(&self, c: char) -> bool {
        if c.is_ascii() {
            return self.ascii & 1 << u32::from(c) != 0;
        }
        self.face.glyph_index(c).is_some()
    }

    /// Whether the face maps every character of the ASCII text `text` to a glyph.
    pub fn has_ascii(&self, text: &[u8]) -> bool {
        text.iter().all(|&b| b < 128 && self.ascii & 1 << b != 0)
    }

    /// The glyph `c` maps to, if any.
    pub fn glyph_for(&self, c: char) -> Option<u16> {
        self.face.glyph_index(c).map(|g| g.0)
    }

    /// Number of glyphs in the face.
    pub fn glyph_count(&self) -> u16 {
        self.face.number_of_glyphs()
    }

    /// Horizontal advance of glyph `gid`, in font units.
    pub fn advance(&self, gid: u16) -> Option<u16> {
        self.face.glyph_hor_advance(ttf_parser::GlyphId(gid))
    }

    /// Whether the face's substitutions (GSUB) offer the OpenType feature `tag` (`smcp`).
    pub fn has_feature(&self, tag: &[u8; 4]) -> bool {
        let tag = ttf_parser::Tag::from_bytes(tag);
        self.face
            .tables()
            .gsub
            .is_some_and(|gsub| gsub.features.find(tag).is_some())
    }

    /// The `rustybuzz` face, for shaping; `None` once shaping with it has failed.
    pub(crate) fn shaper(&self) -> Option<&rustybuzz::Face<'a>> {
        (!self.shaping_failed()).then_some(&self.face)
    }

    /// Whether the face's layout tables made the shaper fail, so that its text is set glyph by
    /// glyph from the `cmap` (no ligatures, kerning or complex-script forms). Worth a warning.
    pub fn shaping_failed(&self) -> bool {
        self.shaping_failed
            .load(std::sync::atomic::Ordering::Relaxed)
    }

    pub(crate) fn mark_shaping_failed(&self) {
        self.shaping_failed
            .store(true, std::sync::atomic::Ordering::Relaxed);
    }
}

/// Runs `f`, turning a panic into `None`.
///
/// `ttf-parser`, `rustybuzz` and `subsetter` are meant never to panic, yet a corrupted font
/// (fonts can come from `book.toml`) trips debug assertions and an `unwrap` in `rustybuzz`
/// 0.20's GSUB code (found by flipping bytes of the shipped fonts). Parsing, shaping and
/// subsetting go through this guard so a broken font is an error, not a crash. Nothing `f`
/// touches outlives a panic in a broken state: faces are only read.
pub(crate) fn guard<T>(f: impl FnOnce() -> T) -> Option<T> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).ok()
}

fn check_usable(ttf: &ttf_parser::Face<'_>, label: &str) -> Result<(), FontError> {
    let tables = ttf.tables();
    let unicode = tables
        .cmap
        .is_some_and(|c| c.subtables.into_iter().any(|s| s.is_unicode()));
    if !unicode {
        return Err(FontError::NoUnicodeCmap {
            name: label.to_string(),
        });
    }
    if tables.glyf.is_none() && tables.cff.is_none() {
        return Err(FontError::UnsupportedOutlines {
            name: label.to_string(),
        });
    }
    Ok(())
}

fn read_metrics(ttf: &ttf_parser::Face<'_>) -> FaceMetrics {
    let ascender = ttf.ascender();
    let bbox = ttf.global_bounding_box();
    let glyph_top = |c: char| {
        ttf.glyph_index(c)
            .and_then(|g| ttf.glyph_bounding_box(g))
            .map(|r| r.y_max)
    };
    let cap_height = ttf
        .capital_height()
        .filter(|&h| h > 0)
        .or_else(|| glyph_top('H'))
        .unwrap_or(ascender.saturating_mul(7) / 10);
    let x_height = ttf
        .x_height()
        .filter(|&h| h > 0)
        .or_else(|| glyph_top('x'))
        .unwrap_or(ascender / 2);
    FaceMetrics {
        units_per_em: ttf.units_per_em(),
        ascender,
        descender: ttf.descender(),
        line_gap: ttf.line_gap(),
        cap_height,
        x_height,
        italic_angle: ttf.italic_angle(),
        weight: ttf.weight().to_number(),
        is_cff: ttf.tables().cff.is_some(),
        bbox: [bbox.x_min, bbox.y_min, bbox.x_max, bbox.y_max],
        monospaced: ttf.is_monospaced(),
    }
}

fn read_postscript_name(ttf: &ttf_parser::Face<'_>) -> Option<String> {
    let names = ttf.names();
    let raw = names
        .into_iter()
        .filter(|n| n.name_id == ttf_parser::name_id::POST_SCRIPT_NAME)
        .find_map(|n| {
            n.to_string().or_else(|| {
                // Macintosh Roman names: PostScript names are ASCII, so the bytes are the text.
                let mac = n.platform_id == ttf_parser::PlatformId::Macintosh;
                (mac && n.name.is_ascii()).then(|| String::from_utf8_lossy(n.name).into_owned())
            })
        })?;
    let name = sanitize_ps_name(&raw);
    (!name.is_empty()).then_some(name)
}

fn label_stem(label: &str) -> &str {
    let file = label.rsplit(['/', '\\']).next().unwrap_or(label);
    file.rsplit_once('.').map_or(file, |(stem, _)| stem)
}

/// Keeps the characters a PostScript name (and a PDF name) may contain, at most 63 of them.
fn sanitize_ps_name(raw: &str) -> String {
    let mut name: String = raw
        .chars()
        .filter(|c| c.is_ascii_graphic() && !"()<>[]{}/%#".contains(*c))
        .take(63)
        .collect();
    if name.is_empty() {
        name.push_str("Font");
    }
    name
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fonts::bundled as fonts;
    use crate::fonts::{FaceRole, Family, Style};

    #[test]
    fn libertine_metrics_are_read() {
        let face = FontFace::parse(
            fonts::file(FaceRole::Family(Family::Serif, Style::Regular)).data,
            0,
            "LinLibertine_R.otf",
        )
        .unwrap();
        let m = face.metrics();
        assert_eq!(m.units_per_em, 1000);
        assert!(m.ascender > 600 && m.descender < 0, "{m:?}");
        assert!(
            m.cap_height > 500 && m.x_height > 350 && m.x_height < m.cap_height,
            "{m:?}"
        );
        assert!(m.is_cff);
        assert!(
            face.postscript_name().starts_with("LinLibertine"),
            "{}",
            face.postscript_name()
        );
        assert!(face.has_char('ﬃ') || face.has_char('f'));
        assert!(!face.has_char('ខ'));
    }

    #[test]
    fn italic_angle_is_negative_for_italics() {
        let face = FontFace::parse(
            fonts::file(FaceRole::Family(Family::Serif, Style::Italic)).data,
            0,
            "LinLibertine_RI.otf",
        )
        .unwrap();
        assert!(face.metrics().italic_angle < 0.0);
    }

    #[test]
    fn garbage_and_truncated_fonts_are_errors() {
        let garbage = b"this is not a font at all, just some text".repeat(10);
        assert!(matches!(
            FontFace::parse(&garbage, 0, "garbage.otf"),
            Err(FontError::Parse { .. })
        ));
        for len in [0, 4, 12, 200, 4096] {
            let cut = &fonts::file(FaceRole::Family(Family::Serif, Style::Regular)).data[..len];
            assert!(
                FontFace::parse(cut, 0, "cut.otf").is_err(),
                "{len} bytes parsed"
            );
        }
        let mut bad_dir = fonts::file(FaceRole::Family(Family::Mono, Style::Regular))
            .data
            .to_vec();
        bad_dir[12..200].fill(0xFF);
        assert!(FontFace::parse(&bad_dir, 0, "bad.ttf").is_err());
    }
}
