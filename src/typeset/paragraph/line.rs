//! Set lines: the items of a broken paragraph placed on their lines (justified, ragged,
//! centred or flush right), with the glyph runs, images, link areas, strike-through rules
//! and note anchors they stand for.

use std::ops::Range;
use std::sync::Arc;

use super::{Alignment, InlineImage, ParagraphSpec, Payload, StyleId, TextStyle};
use crate::typeset::layout::{AnchorItem, GlyphRun, ImageItem, Item, LinkItem, RuleItem};
use crate::typeset::linebreak;
use crate::typeset::math::MathBox;
use crate::typeset::page::FlowLine;
use crate::typeset::shape::ShapedRun;
use crate::typeset::structure::{InlineTag, LineMark};
use crate::typeset::style::{Inline as InlineDesign, Style};
use crate::units::Pt;

/// A broken paragraph's items, what they stand for, and the styles those name.
pub(super) struct LineLayout<'p> {
    pub(super) items: &'p [linebreak::Item],
    pub(super) payloads: &'p [Payload],
    pub(super) styles: &'p [TextStyle],
    /// The book's design (baseline, strike-through).
    pub(super) design: &'p Style,
    /// Each item's embedding level (empty for a paragraph left to right throughout).
    pub(super) levels: &'p [u8],
    /// The paragraph's own embedding level: 1 when it runs right to left.
    pub(super) base_level: u8,
}

/// Position the items of one line: boxes at their widths, glue set by the line's ratio, in
/// the visual order of their embedding levels (a line of a paragraph with right-to-left
/// text), flush right when the paragraph runs right to left. Positions along the line are
/// computed in the breaker's numbers (`f64` points) and become lengths when the items are
/// placed; the items are added in reading order, so that a PDF's text comes out as written.
pub(super) fn lay_out_line(
    layout: &LineLayout<'_>,
    line: &linebreak::Line,
    indent: Pt,
    measure: Pt,
    spec: &ParagraphSpec,
) -> FlowLine {
    let design = layout.design;
    let mut baseline = spec.leading * design.text.baseline;
    let mut out = FlowLine {
        height: spec.leading,
        break_after: true,
        hyphenated: line.hyphenated,
        ..FlowLine::default()
    };
    let LineLayout {
        items,
        payloads,
        styles,
        ..
    } = *layout;
    let placed = placed_items(layout, line);
    let spacing = letter_spacing(layout, line, &placed, spec.alignment);
    let advances: Vec<f64> = placed
        .iter()
        .map(|&index| {
            let item = &items[index];
            let ends_line = index == line.end;
            let width = advance(item, ends_line, spacing.ratio, spec.alignment);
            if spacing.per_em > 0.0 {
                width + spacing.per_em * ems(layout, index, ends_line)
            } else {
                width
            }
        })
        .collect();
    let natural: f64 = advances.iter().sum();
    let right_to_left = layout.base_level % 2 == 1;
    let (indent, measure) = (indent.get(), measure.get());
    let start = if right_to_left {
        spec.width.get() - indent - measure
    } else {
        indent
    };
    let xs = positions(layout, &placed, &advances, start);
    let shift = match spec.alignment {
        Alignment::Centered => ((measure - natural) / 2.0).max(0.0),
        Alignment::FlushRight => (measure - natural).max(0.0),
        _ if right_to_left => (measure - natural).max(0.0),
        _ => 0.0,
    };
    let mut runs: Vec<PlacedRun> = Vec::new();
    let mut images: Vec<(f64, &InlineImage)> = Vec::new();
    let mut formulas: Vec<(usize, f64, Arc<MathBox>, Option<InlineTag>)> = Vec::new();
    for (&index, &x) in placed.iter().zip(&xs) {
        match (&items[index], &payloads[index]) {
            (linebreak::Item::Box { .. }, Payload::Image(image)) => images.push((x, &**image)),
            (linebreak::Item::Box { .. }, Payload::Math(formula, tag)) => {
                formulas.push((index, x, Arc::clone(formula), *tag));
            }
            (linebreak::Item::Box { .. }, payload) => {
                place_box(payload, index, x, &mut runs, &mut out);
            }
            (linebreak::Item::Penalty { .. }, Payload::Hyphen { run, style })
                if index == line.end =>
            {
                runs.push(PlacedRun {
                    index,
                    x,
                    run: Arc::clone(run),
                    clusters: 0..run.cluster_count(),
                    style: *style,
                });
            }
            _ => {}
        }
    }
    if !formulas.is_empty() {
        let boxes = formulas.iter().map(|f| &*f.2);
        let (above, below) = crate::typeset::math::extra_room(boxes, spec.leading);
        baseline += above;
        out.height += above + below;
    }
    // Formulas and text in reading order; each stretch of an inline element's items is
    // marked as its own.
    let mut current = None;
    let mut formulas = formulas.into_iter().peekable();
    for placed_run in runs {
        while let Some((_, formula_x, formula, tag)) =
            formulas.next_if(|(fi, ..)| *fi <= placed_run.index)
        {
            retag(&mut out, &mut current, tag);
            formula.draw(Pt::new(formula_x + shift), baseline, 1.0, &mut out.items);
        }
        let Some(style) = styles.get(placed_run.style as usize) else {
            continue;
        };
        retag(&mut out, &mut current, style.tag);
        let letters = slice_run(&placed_run.run, placed_run.clusters);
        let letters = if spacing.per_em > 0.0 && spaceable(&letters) {
            let extra = (spacing.per_em * f64::from(letters.size_pt)) as f32;
            Arc::new(letters.letter_spaced(extra))
        } else {
            letters
        };
        emit_run(
            &mut out,
            placed_run.x + shift,
            baseline,
            letters,
            style,
            &design.inline,
        );
    }
    for (_, formula_x, formula, tag) in formulas {
        retag(&mut out, &mut current, tag);
        formula.draw(Pt::new(formula_x + shift), baseline, 1.0, &mut out.items);
    }
    retag(&mut out, &mut current, None);
    for (image_x, image) in images {
        emit_image(&mut out, image_x + shift, baseline, image);
    }
    merge_by_element(&mut out);
    make_room_for_images(&mut out);
    out
}

/// Glyphs of a run placed on a line: the index of the (first) item they stand for, their
/// left edge, and the run's clusters they are.
struct PlacedRun {
    index: usize,
    x: f64,
    run: Arc<ShapedRun>,
    clusters: Range<usize>,
    style: StyleId,
}

/// The indices of the items set on `line`, in reading order: those between its breaks and
/// the hyphen it ends with, if any.
fn placed_items(layout: &LineLayout<'_>, line: &linebreak::Line) -> Vec<usize> {
    let end = line.end.min(layout.items.len());
    let hyphen = matches!(
        (layout.items.get(line.end), layout.payloads.get(line.end)),
        (
            Some(linebreak::Item::Penalty { .. }),
            Some(Payload::Hyphen { .. })
        )
    );
    (line.start..end)
        .chain(hyphen.then_some(line.end))
        .collect()
}

/// How far `item` moves the pen on its line: a box its width, glue its width stretched or
/// shrunk by `ratio` (in a justified paragraph), the penalty the line breaks at
/// (`ends_line`, a hyphen) its width, any other penalty nothing.
fn advance(item: &linebreak::Item, ends_line: bool, ratio: f64, alignment: Alignment) -> f64 {
    match *item {
        linebreak::Item::Box { width } => width,
        linebreak::Item::Penalty { width, .. } => {
            if ends_line {
                width
            } else {
                0.0
            }
        }
        linebreak::Item::Glue {
            width,
            stretch,
            shrink,
        } => {
            let extra = if alignment != Alignment::Justified || stretch.is_infinite() {
                0.0
            } else if ratio >= 0.0 {
                ratio * stretch
            } else {
                ratio * shrink
            };
            width + extra
        }
    }
}

/// How a justified line is spread: the ratio its spaces are stretched by, and the letter
/// spacing it takes, in ems of its text (see [`letter_spacing`]).
#[derive(Debug, Clone, Copy)]
struct Spread {
    ratio: f64,
    per_em: f64,
}

/// The spread of `line`: its ratio as broken, or, for a justified line whose spaces stretch
/// past [`crate::typeset::style::Justification::letter_spacing_from`], the excess taken as
/// letter spacing after each cluster (at most `max_letter_spacing` ems of each run's size)
/// and the spaces stretched by what is left.
fn letter_spacing(
    layout: &LineLayout<'_>,
    line: &linebreak::Line,
    placed: &[usize],
    alignment: Alignment,
) -> Spread {
    let ratio = if line.ratio.is_finite() {
        line.ratio
    } else {
        0.0
    };
    let plain = Spread { ratio, per_em: 0.0 };
    let j = crate::typeset::style::JUSTIFICATION;
    if alignment != Alignment::Justified || ratio <= j.letter_spacing_from {
        return plain;
    }
    let stretch: f64 = placed
        .iter()
        .filter_map(|&i| match layout.items[i] {
            linebreak::Item::Glue { stretch, .. } if stretch.is_finite() => Some(stretch),
            _ => None,
        })
        .sum();
    let ems: f64 = placed.iter().map(|&i| ems(layout, i, i == line.end)).sum();
    if stretch <= 0.0 || ems <= 0.0 {
        return plain;
    }
    let excess = (ratio - j.letter_spacing_from) * stretch;
    let per_em = (excess / ems).min(j.max_letter_spacing);
    Spread {
        ratio: ratio - per_em * ems / stretch,
        per_em,
    }
}

/// The ems item `index` is letter spaced by, for each em of spacing: its clusters times its
/// text's size (a word's box; the hyphen ending the line, `ends_line`, is one cluster);
/// nothing for others.
fn ems(layout: &LineLayout<'_>, index: usize, ends_line: bool) -> f64 {
    let size = |style: StyleId| layout.styles.get(style as usize).map_or(0.0, |s| s.size);
    match (&layout.items[index], layout.payloads.get(index)) {
        (
            linebreak::Item::Box { .. },
            Some(Payload::Glyphs {
                clusters, style, ..
            }),
        ) => clusters.len() as f64 * f64::from(size(*style)),
        (linebreak::Item::Penalty { .. }, Some(Payload::Hyphen { style, .. })) if ends_line => {
            f64::from(size(*style))
        }
        _ => 0.0,
    }
}

/// Whether a run's letters may be spaced: those of Latin, Greek and Cyrillic and the
/// characters every script shares. Joined scripts (Arabic, whose letters connect; Devanagari
/// and its kin, hung from one headline) and the others are never spaced.
fn spaceable(run: &ShapedRun) -> bool {
    use unicode_script::{Script, UnicodeScript};
    run.text.is_ascii()
        || run.text.chars().all(|c| {
            c < '\u{0370}'
                || matches!(
                    c.script(),
                    Script::Latin
                        | Script::Greek
                        | Script::Cyrillic
                        | Script::Common
                        | Script::Inherited
                )
        })
}

/// The left edge of each of the `placed` items, whose `advances` are given in reading
/// order, from `start`: in reading order for a left-to-right line, else in the visual
/// order of their embedding levels, with the spaces at the line's end at the paragraph's
/// level (rules L1 and L2 of the Unicode Bidirectional Algorithm).
fn positions(layout: &LineLayout<'_>, placed: &[usize], advances: &[f64], start: f64) -> Vec<f64> {
    let mut xs = vec![0.0; placed.len()];
    let base = layout.base_level;
    let mut levels: Vec<u8> = placed
        .iter()
        .map(|&i| layout.levels.get(i).copied().unwrap_or(base))
        .collect();
    if levels.iter().all(|&level| level == 0) {
        let mut x = start;
        for (slot, advance) in xs.iter_mut().zip(advances) {
            *slot = x;
            x += advance;
        }
        return xs;
    }
    for (level, &index) in levels.iter_mut().zip(placed).rev() {
        if !matches!(layout.items[index], linebreak::Item::Glue { .. }) {
            break;
        }
        *level = base;
    }
    let mut x = start;
    for k in super::bidi::visual_order(&levels) {
        xs[k] = x;
        x += advances[k];
    }
    xs
}

/// Marks the items added to `out` from here on as `next`'s inline element, or, leaving
/// one, as its block's (nothing changes while the element stays `current`).
fn retag(out: &mut FlowLine, current: &mut Option<InlineTag>, next: Option<InlineTag>) {
    let node = match (next, *current) {
        (next, current) if next == current => return,
        (Some(tag), _) => tag.node,
        (None, Some(open)) => open.block,
        (None, None) => return,
    };
    *current = next;
    let first = u32::try_from(out.items.len()).unwrap_or(u32::MAX);
    match out.marks.last_mut() {
        Some(last) if last.first == first => last.node = Some(node),
        _ => out.marks.push(LineMark {
            first,
            node: Some(node),
        }),
    }
}

/// Merges the line's link areas and strike-through rules within each stretch of one
/// element (its marks), so that the marks still start where they did.
fn merge_by_element(out: &mut FlowLine) {
    let mut items = std::mem::take(&mut out.items).into_iter();
    let mut merged = Vec::with_capacity(items.len());
    let mut taken = 0;
    let ends: Vec<usize> = out.marks.iter().map(|m| m.first as usize).collect();
    for (index, end) in ends.into_iter().chain([usize::MAX]).enumerate() {
        let mut stretch: Vec<Item> = items.by_ref().take(end.saturating_sub(taken)).collect();
        taken += stretch.len();
        merge_links(&mut stretch);
        merge_rules(&mut stretch);
        merged.extend(stretch);
        if let Some(mark) = out.marks.get_mut(index) {
            mark.first = u32::try_from(merged.len()).unwrap_or(u32::MAX);
        }
    }
    out.items = merged;
}

/// Adds an image with its bottom on the line's baseline, and its link's area.
fn emit_image(out: &mut FlowLine, x: f64, baseline: Pt, image: &InlineImage) {
    let x = Pt::new(x);
    let y = baseline - image.height;
    out.items.push(Item::Image(Box::new(ImageItem {
        image: image.image,
        x,
        y,
        width: image.width,
        height: image.height,
    })));
    if let Some(target) = &image.link {
        out.items.push(Item::Link(Box::new(LinkItem {
            x,
            y,
            width: image.width,
            height: image.height,
            target: target.clone(),
        })));
    }
}

/// A line whose images rise above its top is made taller by the difference, its content
/// moved down with it, so the image does not overlap the line before.
fn make_room_for_images(out: &mut FlowLine) {
    let top = out
        .items
        .iter()
        .filter_map(|item| match item {
            Item::Image(image) => Some(image.y),
            _ => None,
        })
        .fold(Pt::ZERO, Pt::min);
    if top >= Pt::ZERO {
        return;
    }
    let extra = Pt::ZERO - top;
    for item in &mut out.items {
        match item {
            // A link as tall as the line grows with it.
            Item::Link(link) if link.y == Pt::ZERO && link.height == out.height => {
                link.height += extra;
            }
            item => item.translate(Pt::ZERO, extra),
        }
    }
    out.height += extra;
}

/// Link areas of one target this close together on a line are one area (the spaces of a
/// linked phrase).
const LINK_GAP: Pt = Pt::new(20.0);

/// Strike-through rules this close together on a line, in their thickness, are one rule.
const RULE_GAP: f64 = 12.0;

/// Positions and thicknesses closer than this are the same.
const SAME: Pt = Pt::new(0.01);

/// One link rectangle per stretch of a line with the same target (not one per word).
fn merge_links(items: &mut Vec<Item>) {
    merge_adjacent(items, |previous, next| match (previous, next) {
        (Item::Link(previous), Item::Link(link)) => {
            let gap = link.x - (previous.x + previous.width);
            let joins = previous.target == link.target && (Pt::ZERO..LINK_GAP).contains(&gap);
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
            let same_line = (previous.y - rule.y).abs() < SAME
                && (previous.thickness - rule.thickness).abs() < SAME;
            let joins = same_line && (Pt::ZERO..rule.thickness * RULE_GAP).contains(&gap);
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

/// Adds what a box stands for: its glyphs to `runs` (joined to the previous run when they
/// are the next clusters of the same word, whichever side of it they are shown on), a note
/// call's or a mark's anchor to the line.
fn place_box(
    payload: &Payload,
    index: usize,
    x: f64,
    runs: &mut Vec<PlacedRun>,
    out: &mut FlowLine,
) {
    match payload {
        Payload::Glyphs {
            run,
            clusters,
            style,
        } => {
            if let Some(last) = runs.last_mut() {
                if Arc::ptr_eq(&last.run, run) && last.clusters.end == clusters.start {
                    last.clusters.end = clusters.end;
                    last.x = last.x.min(x);
                    return;
                }
            }
            runs.push(PlacedRun {
                index,
                x,
                run: Arc::clone(run),
                clusters: clusters.clone(),
                style: *style,
            });
        }
        Payload::Note { note, call_id } => {
            out.notes.push(*note);
            out.items.push(Item::Anchor(Box::new(AnchorItem {
                id: call_id.clone(),
                y: Pt::ZERO,
            })));
        }
        Payload::Anchor(id) => out.items.push(Item::Anchor(Box::new(AnchorItem {
            id: id.to_string(),
            y: Pt::ZERO,
        }))),
        Payload::Hyphen { .. } | Payload::Image(_) | Payload::Math(..) | Payload::Nothing => {}
    }
}

/// Adds the glyphs of `clusters` of `run` at `x` on the line's `baseline`, with the rule of
/// a strike-through and the area of a link (as tall as the line) when `style` has them.
fn emit_run(
    out: &mut FlowLine,
    x: f64,
    baseline: Pt,
    sliced: Arc<ShapedRun>,
    style: &TextStyle,
    design: &InlineDesign,
) {
    let x = Pt::new(x);
    let width = Pt::from_f32(sliced.width());
    let y = baseline - Pt::from_f32(style.rise);
    out.items.push(Item::Glyphs(GlyphRun { x, y, run: sliced }));
    if style.strike {
        let size = Pt::from_f32(style.size);
        out.items.push(Item::Rule(Box::new(RuleItem {
            x,
            y: y - design.strike_rise.at(size),
            width,
            thickness: design.strike_thickness.at(size),
        })));
    }
    if let Some(target) = &style.link {
        out.items.push(Item::Link(Box::new(LinkItem {
            x,
            y: Pt::ZERO,
            width,
            height: out.height,
            target: target.clone(),
        })));
    }
}

/// The clusters `range` of a run as a run of their own (text and offsets rebased); the run
/// itself when the range covers it.
pub(crate) fn slice_run(run: &Arc<ShapedRun>, range: Range<usize>) -> Arc<ShapedRun> {
    if range.start == 0 && range.end >= run.cluster_count() {
        return Arc::clone(run);
    }
    Arc::new(run.slice(range))
}

#[cfg(test)]
mod tests {
    use crate::fonts::FontSet;
    use crate::typeset::hyphen::Hyphenator;
    use crate::typeset::layout::Item;
    use crate::typeset::paragraph::{
        set_paragraph, Alignment, InlineImage, ParagraphSpec, Pieces, TextContext, TextStyle,
    };
    use crate::typeset::shape::{ShapeCache, ShapeOptions};
    use crate::units::Pt;

    fn lines_with(image: InlineImage) -> Vec<crate::typeset::page::FlowLine> {
        let fonts = FontSet::builtin().expect("bundled fonts");
        let mut ctx = TextContext {
            fonts: &fonts,
            design: crate::typeset::style::Style::for_profile("print"),
            cache: ShapeCache::new(),
            hyphenator: Some(Hyphenator::new("en")),
            options: ShapeOptions::default(),
            right_to_left: false,
            missing: Vec::new(),
        };
        let style = TextStyle::serif(10.0);
        let mut pieces = Pieces::new();
        pieces.text("Click the ", &style);
        pieces.image(image);
        pieces.text(" button.", &style);
        let spec = ParagraphSpec::plain(Pt::new(300.0), Pt::new(12.0), Alignment::Justified);
        set_paragraph(&pieces, &spec, &mut ctx)
    }

    fn image(width: f64, height: f64, own_line: bool) -> InlineImage {
        InlineImage {
            image: 0,
            width: Pt::new(width),
            height: Pt::new(height),
            own_line,
            link: None,
        }
    }

    /// (top, bottom) of the line's image, and the baseline of its text.
    fn image_and_baseline(line: &crate::typeset::page::FlowLine) -> (Option<(f64, f64)>, f64) {
        let image = line.items.iter().find_map(|item| match item {
            Item::Image(image) => Some((image.y.get(), (image.y + image.height).get())),
            _ => None,
        });
        let baseline = line
            .items
            .iter()
            .find_map(|item| match item {
                Item::Glyphs(run) => Some(run.y.get()),
                _ => None,
            })
            .unwrap_or(f64::NAN);
        (image, baseline)
    }

    #[test]
    fn a_small_image_sits_on_the_baseline_of_its_line() {
        let lines = lines_with(image(8.0, 8.0, false));
        assert_eq!(lines.len(), 1);
        let (image, baseline) = image_and_baseline(&lines[0]);
        let (top, bottom) = image.expect("the image is set");
        assert!((bottom - baseline).abs() < 1e-9 && top > 0.0);
        assert_eq!(lines[0].height, Pt::new(12.0));
    }

    #[test]
    fn a_tall_image_makes_its_line_taller() {
        let lines = lines_with(image(20.0, 24.0, false));
        let (image, baseline) = image_and_baseline(&lines[0]);
        let (top, bottom) = image.expect("the image is set");
        assert!(
            top.abs() < 1e-9,
            "the image starts at the line's top: {top}"
        );
        assert!((bottom - baseline).abs() < 1e-9);
        assert!(lines[0].height > Pt::new(24.0));
    }

    #[test]
    fn an_image_with_a_given_size_has_its_own_line() {
        let lines = lines_with(image(200.0, 50.0, true));
        assert_eq!(lines.len(), 3, "before, the image, after");
        assert!(image_and_baseline(&lines[1]).0.is_some());
        assert!(image_and_baseline(&lines[0]).0.is_none());
        // Wider than the measure: reduced to it.
        let lines = lines_with(image(600.0, 60.0, true));
        let width = lines[1].items.iter().find_map(|item| match item {
            Item::Image(image) => Some(image.width.get()),
            _ => None,
        });
        assert_eq!(width, Some(300.0));
    }
}
