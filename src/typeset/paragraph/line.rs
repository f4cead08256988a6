//! Set lines: the items of a broken paragraph placed on their lines (justified, ragged,
//! centred or flush right), with the glyph runs, link areas, strike-through rules and note
//! anchors they stand for.

use std::ops::Range;
use std::sync::Arc;

use super::{
    Alignment, ParagraphSpec, Payload, StyleId, TextStyle, STRIKE_RISE_EM, STRIKE_THICKNESS_EM,
};
use crate::typeset::layout::{AnchorItem, GlyphRun, Item, LinkItem, RuleItem};
use crate::typeset::linebreak;
use crate::typeset::page::FlowLine;
use crate::typeset::shape::ShapedRun;

/// A broken paragraph's items, what they stand for, and the styles those name.
pub(super) struct LineLayout<'p> {
    pub(super) items: &'p [linebreak::Item],
    pub(super) payloads: &'p [Payload],
    pub(super) styles: &'p [TextStyle],
}

/// Position the items of one line: boxes at their widths, glue set by the line's ratio.
pub(super) fn lay_out_line(
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
pub(crate) fn slice_run(run: &Arc<ShapedRun>, range: Range<usize>) -> Arc<ShapedRun> {
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
