//! Formulas set for the page: a formula's tree ([`crate::math::tree`]) laid out with the
//! book's math face ([`font`], its OpenType MATH table) into a [`MathBox`] of positioned
//! glyphs and rules ([`layout`]), which a paragraph carries as one unbreakable box (inline)
//! or the composer centres on a line of its own (display).

mod font;
mod layout;

use std::sync::Arc;

use crate::fonts::FontSet;
use crate::math::tree::{MathStyle, Node};
use crate::typeset::layout::{GlyphRun, Item, RuleItem};
use crate::typeset::shape::ShapedRun;
use crate::units::Pt;
use font::MathFont;
use layout::{lay_out_list, Ctx};

/// A laid-out formula: its extent around the baseline and what it draws. Lengths are points;
/// `y` offsets are down from the baseline.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct MathBox {
    /// Advance width.
    pub width: f32,
    /// Ink above the baseline.
    pub height: f32,
    /// Ink below the baseline.
    pub depth: f32,
    /// Italic correction of a lone glyph (space a following superscript leans into).
    pub italic: f32,
    /// Glyphs, each with its own run.
    pub glyphs: Vec<MathGlyph>,
    /// Fraction bars, radical overbars.
    pub rules: Vec<MathRule>,
    /// Characters the math face has no glyph for (drawn as `.notdef`).
    pub missing: Vec<char>,
    /// The baselines of the rows of the formula's outer `align` or `gather` (down from the
    /// box's baseline), where a formula numbered row by row puts each row's number; empty
    /// for any other formula.
    pub rows: Vec<f32>,
}

/// One glyph of a formula.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct MathGlyph {
    /// Left of the glyph's origin from the box's left.
    pub x: f32,
    /// Its baseline below the box's baseline.
    pub y: f32,
    /// The glyph, its size and the character it stands for.
    pub run: Arc<ShapedRun>,
}

/// A rule of a formula.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct MathRule {
    /// Left end from the box's left.
    pub x: f32,
    /// Centre below the box's baseline.
    pub y: f32,
    /// Length.
    pub width: f32,
    /// Thickness.
    pub thickness: f32,
}

impl MathBox {
    /// Adds `other`'s glyphs and rules at (`dx`, `dy`) and grows the height and depth to
    /// cover them (the width is the caller's to set).
    pub(crate) fn append(&mut self, other: &MathBox, dx: f32, dy: f32) {
        self.glyphs.extend(other.glyphs.iter().map(|g| MathGlyph {
            x: g.x + dx,
            y: g.y + dy,
            run: Arc::clone(&g.run),
        }));
        self.rules.extend(other.rules.iter().map(|r| MathRule {
            x: r.x + dx,
            y: r.y + dy,
            ..r.clone()
        }));
        self.missing.extend_from_slice(&other.missing);
        self.height = self.height.max(other.height - dy);
        self.depth = self.depth.max(other.depth + dy);
    }

    /// Moves everything down by `dy` (up when negative).
    pub(crate) fn shift_down(&mut self, dy: f32) {
        for glyph in &mut self.glyphs {
            glyph.y += dy;
        }
        for rule in &mut self.rules {
            rule.y += dy;
        }
        self.height -= dy;
        self.depth += dy;
    }

    /// The items that draw it with its baseline's left end at (`x`, `baseline`), scaled by
    /// `scale` (1 unless a display formula is too wide for the measure).
    pub(crate) fn draw(&self, x: Pt, baseline: Pt, scale: f32, out: &mut Vec<Item>) {
        for glyph in &self.glyphs {
            let run = if scale == 1.0 {
                Arc::clone(&glyph.run)
            } else {
                Arc::new(glyph.run.scaled(scale))
            };
            out.push(Item::Glyphs(GlyphRun {
                x: x + Pt::from_f32(glyph.x * scale),
                y: baseline + Pt::from_f32(glyph.y * scale),
                run,
            }));
        }
        for rule in &self.rules {
            out.push(Item::Rule(Box::new(RuleItem {
                x: x + Pt::from_f32(rule.x * scale),
                y: baseline + Pt::from_f32(rule.y * scale),
                width: Pt::from_f32(rule.width * scale),
                thickness: Pt::from_f32(rule.thickness * scale),
            })));
        }
    }
}

/// How far above its baseline an inline formula's ink may reach before its line is given
/// more room, in leadings: to just above the descenders of the line before.
const INLINE_ROOM_ABOVE: f64 = 0.75;
/// How far below its baseline, in leadings: to just above the ascenders of the line after.
const INLINE_ROOM_BELOW: f64 = 0.35;

/// The room a line must add above and below its baseline for its inline formulas: none
/// unless one reaches past the room the leading leaves, so formulas disturb the leading no
/// more than they must.
pub(crate) fn extra_room<'f>(
    formulas: impl Iterator<Item = &'f MathBox> + Clone,
    leading: Pt,
) -> (Pt, Pt) {
    let height = formulas.clone().map(|f| f.height).fold(0.0, f32::max);
    let depth = formulas.map(|f| f.depth).fold(0.0, f32::max);
    let room_above = leading * INLINE_ROOM_ABOVE;
    let room_below = leading * INLINE_ROOM_BELOW;
    let above = (Pt::from_f32(height) - room_above).max(Pt::ZERO);
    let below = (Pt::from_f32(depth) - room_below).max(Pt::ZERO);
    (above, below)
}

/// Lays out a formula's nodes at `size` points, in display or text style; `None` when the
/// font set has no math face.
pub(crate) fn lay_out_formula(
    nodes: &[Node],
    fonts: &FontSet<'_>,
    size: f32,
    display: bool,
) -> Option<MathBox> {
    let face_id = fonts.math()?;
    let face = fonts.face(face_id).shaper()?;
    let font = MathFont::new(face_id, face)?;
    let ctx = Ctx {
        font: &font,
        base_size: size,
        style: if display {
            MathStyle::Display
        } else {
            MathStyle::Text
        },
        cramped: false,
    };
    Some(lay_out_list(nodes, ctx))
}

#[cfg(test)]
mod tests;
