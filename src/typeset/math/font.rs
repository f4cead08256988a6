//! The math face and its OpenType MATH table, read through ttf-parser (rustybuzz's): the
//! constants that place fractions, radicals, scripts and limits, each glyph's ink box and
//! italic correction, and the larger variants and assemblies stretchy glyphs grow by.

use rustybuzz::ttf_parser::math::{GlyphConstruction, MathValue};
use rustybuzz::ttf_parser::{Face, GlyphId};

use crate::fonts::FaceId;

/// The math face of a font set, with its MATH table.
pub(crate) struct MathFont<'f> {
    /// The face's id in the font set (what the PDF writer draws it by).
    pub face_id: FaceId,
    face: &'f Face<'f>,
    math: rustybuzz::ttf_parser::math::Table<'f>,
    /// Design units per em.
    pub upem: f32,
}

/// A glyph's metrics in design units: advance, ink above and below the baseline, italic
/// correction.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct GlyphMetrics {
    /// How far the pen moves.
    pub advance: f32,
    /// Ink above the baseline.
    pub height: f32,
    /// Ink below the baseline.
    pub depth: f32,
    /// Italic correction: how far the ink leans past the advance at the top.
    pub italic: f32,
    /// Left end of the ink.
    pub ink_left: f32,
    /// Right end of the ink.
    pub ink_right: f32,
}

/// One piece of a stretched glyph: the glyph and its offset along the stretch direction
/// (design units from the start).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Part {
    /// The glyph.
    pub glyph: u16,
    /// Its start along the stretch, design units from the first part's.
    pub offset: f32,
}

impl<'f> MathFont<'f> {
    /// The face as a math face; `None` when it has no MATH table with constants.
    pub(crate) fn new(face_id: FaceId, face: &'f Face<'f>) -> Option<MathFont<'f>> {
        let math = face.tables().math?;
        math.constants?;
        Some(MathFont {
            face_id,
            face,
            math,
            upem: f32::from(face.units_per_em()),
        })
    }

    /// The glyph for `ch` (`.notdef`, 0, when the face lacks it).
    pub(crate) fn glyph(&self, ch: char) -> u16 {
        self.face.glyph_index(ch).map_or(0, |g| g.0)
    }

    /// A glyph's metrics.
    pub(crate) fn metrics(&self, glyph: u16) -> GlyphMetrics {
        let id = GlyphId(glyph);
        let advance = self.face.glyph_hor_advance(id).map_or(0.0, f32::from);
        let ink = self.face.glyph_bounding_box(id);
        let (height, depth) = ink.map_or((0.0, 0.0), |b| (f32::from(b.y_max), -f32::from(b.y_min)));
        let (ink_left, ink_right) =
            ink.map_or((0.0, advance), |b| (f32::from(b.x_min), f32::from(b.x_max)));
        let italic = self
            .math
            .glyph_info
            .and_then(|info| info.italic_corrections)
            .and_then(|values| values.get(id))
            .map_or(0.0, |v| f32::from(v.value));
        GlyphMetrics {
            advance,
            height,
            depth,
            italic,
            ink_left,
            ink_right,
        }
    }

    /// A MATH constant in design units.
    pub(crate) fn constant(&self, read: impl Fn(&Constants<'f>) -> MathValue<'f>) -> f32 {
        self.math
            .constants
            .map_or(0.0, |c| f32::from(read(&c).value))
    }

    /// A MATH constant that is a percentage or a plain number.
    pub(crate) fn number(&self, read: impl Fn(&Constants<'f>) -> f32) -> f32 {
        self.math.constants.map_or(0.0, |c| read(&c))
    }

    /// The parts that draw `glyph` at least `target` long (design units), vertically or
    /// horizontally: the first variant long enough, else the assembly with as many repeats
    /// of its extenders as it needs, else the largest variant.
    pub(crate) fn stretched(&self, glyph: u16, target: f32, vertical: bool) -> Vec<Part> {
        let Some(variants) = self.math.variants else {
            return vec![Part { glyph, offset: 0.0 }];
        };
        let constructions = if vertical {
            variants.vertical_constructions
        } else {
            variants.horizontal_constructions
        };
        let Some(construction) = constructions.get(GlyphId(glyph)) else {
            return vec![Part { glyph, offset: 0.0 }];
        };
        let mut largest = glyph;
        for variant in construction.variants {
            largest = variant.variant_glyph.0;
            if f32::from(variant.advance_measurement) >= target {
                return vec![Part {
                    glyph: largest,
                    offset: 0.0,
                }];
            }
        }
        let overlap = f32::from(variants.min_connector_overlap);
        assemble(&construction, target, overlap).unwrap_or_else(|| {
            vec![Part {
                glyph: largest,
                offset: 0.0,
            }]
        })
    }
}

/// The MATH constants table.
pub(crate) type Constants<'f> = rustybuzz::ttf_parser::math::Constants<'f>;

/// Most repeats of an assembly's extenders (a formula is never taller than a page).
const MAX_EXTENDER_REPEATS: usize = 200;

/// The parts of an assembly at least `target` long: the extenders repeated until the
/// parts, overlapping by `overlap`, reach it.
fn assemble(construction: &GlyphConstruction<'_>, target: f32, overlap: f32) -> Option<Vec<Part>> {
    let assembly = construction.assembly?;
    let parts: Vec<_> = assembly.parts.into_iter().collect();
    if parts.is_empty() {
        return None;
    }
    let full = |repeats: usize| -> (Vec<u16>, f32) {
        let mut glyphs = Vec::new();
        let mut length = 0.0;
        for part in &parts {
            let count = if part.part_flags.extender() {
                repeats
            } else {
                1
            };
            for _ in 0..count {
                glyphs.push(part.glyph_id.0);
                length += f32::from(part.full_advance);
            }
        }
        let joints = glyphs.len().saturating_sub(1) as f32;
        (glyphs, length - joints * overlap)
    };
    let mut repeats = 0;
    let (mut glyphs, mut length) = full(repeats);
    while length < target && repeats < MAX_EXTENDER_REPEATS {
        repeats += 1;
        (glyphs, length) = full(repeats);
    }
    let advances: Vec<f32> = parts
        .iter()
        .flat_map(|p| {
            let count = if p.part_flags.extender() { repeats } else { 1 };
            std::iter::repeat_n(f32::from(p.full_advance), count)
        })
        .collect();
    let joints = glyphs.len().saturating_sub(1).max(1) as f32;
    // Spread the extra length (up to the overlap) evenly over the joints.
    let spare = ((length - target).max(0.0) / joints).min(overlap);
    let step_overlap = overlap + spare;
    let mut offset = 0.0;
    let mut out = Vec::with_capacity(glyphs.len());
    for (glyph, advance) in glyphs.into_iter().zip(advances) {
        out.push(Part { glyph, offset });
        offset += advance - step_overlap;
    }
    Some(out)
}
