//! Formula layout, TeX's way with the MATH table's numbers: a list of atoms with TeX's
//! spaces between their classes, fractions and radicals placed by the table's constants,
//! scripts and limits, delimiters grown from variants and assemblies, and tables of cells.
//! Lengths here are points, y down from the baseline (a box's `height` is above it).

use std::sync::Arc;

use super::font::{Constants, MathFont, Part};
use super::{MathBox, MathGlyph, MathRule};
use crate::math::tree::{Class, MathStyle, Node, ScriptPlace, TableKind};
use crate::typeset::shape::ShapedRun;

/// TeX's math unit: 1/18 em.
const MU: f32 = 1.0 / 18.0;
/// Thin, medium and thick spaces in mu (TeX's `\thinmuskip`, `\medmuskip`, `\thickmuskip`).
const THIN: f32 = 3.0;
const MEDIUM: f32 = 4.0;
const THICK: f32 = 5.0;
/// A `\left…\right` delimiter covers at least this share of the content (`\delimiterfactor`).
const DELIMITER_FACTOR: f32 = 0.901;
/// …and falls short of it by at most this, in ems (`\delimitershortfall`, 5 pt at 10 pt).
const DELIMITER_SHORTFALL: f32 = 0.5;
/// A display operator is at least this many times its text size (√2, as LaTeX's display
/// sums and integrals are to their text sizes).
const DISPLAY_OPERATOR_GROWTH: f32 = 1.41;
/// An accent or brace grows when the base is wider than its ink by this factor.
const STRETCH_BEYOND: f32 = 1.1;
/// Space around a fraction (`\nulldelimiterspace`), in ems.
const NULL_DELIMITER: f32 = 0.12;
/// Space between the columns of a matrix or cases (2 × `\arraycolsep`), in ems.
const COLUMN_GAP: f32 = 1.0;
/// Space between the pairs of columns of `align`, in ems.
const ALIGN_PAIR_GAP: f32 = 2.0;
/// Baseline distance of a table's rows (`\baselineskip` × `\arraystretch`), in ems.
const ROW_BASELINE: f32 = 1.2;
/// Least space between the ink of two rows (`\jot`, 3 pt at 10 pt), in ems.
const ROW_GAP: f32 = 0.3;
/// The strut every row of a matrix or `cases` holds, above and below its baseline, in ems
/// (TeX's array strut: 0.7 and 0.3 of the row's baseline distance).
const STRUT_HEIGHT: f32 = 0.7 * ROW_BASELINE;
const STRUT_DEPTH: f32 = 0.3 * ROW_BASELINE;

/// The state a node is laid out in.
#[derive(Clone, Copy)]
pub(super) struct Ctx<'a, 'f> {
    /// The math face.
    pub font: &'a MathFont<'f>,
    /// The size of text and display style, points.
    pub base_size: f32,
    /// The current style (display, text, script, scriptscript).
    pub style: MathStyle,
    /// Cramped (superscripts lower: under a radical, in a denominator, in subscripts).
    pub cramped: bool,
}

impl<'a, 'f> Ctx<'a, 'f> {
    /// The font size of the current style.
    fn size(&self) -> f32 {
        let percent = match self.style {
            MathStyle::Display | MathStyle::Text => 100.0,
            MathStyle::Script => self
                .font
                .number(|c| f32::from(c.script_percent_scale_down())),
            MathStyle::ScriptScript => self
                .font
                .number(|c| f32::from(c.script_script_percent_scale_down())),
        };
        let percent = if percent <= 0.0 { 70.0 } else { percent };
        self.base_size * percent / 100.0
    }

    /// Design units to points at the current size.
    fn pt(&self, units: f32) -> f32 {
        units * self.size() / self.font.upem
    }

    /// A constant in points at the current size.
    fn k(
        &self,
        read: impl Fn(&Constants<'f>) -> rustybuzz::ttf_parser::math::MathValue<'f>,
    ) -> f32 {
        self.pt(self.font.constant(read))
    }

    fn with_style(self, style: MathStyle) -> Self {
        Ctx { style, ..self }
    }

    fn cramp(self) -> Self {
        Ctx {
            cramped: true,
            ..self
        }
    }

    fn display(&self) -> bool {
        self.style == MathStyle::Display
    }

    /// The style of a fraction's parts.
    fn fraction_style(&self) -> MathStyle {
        match self.style {
            MathStyle::Display => MathStyle::Text,
            MathStyle::Text => MathStyle::Script,
            _ => MathStyle::ScriptScript,
        }
    }

    /// The style of scripts.
    fn script_style(&self) -> MathStyle {
        match self.style {
            MathStyle::Display | MathStyle::Text => MathStyle::Script,
            _ => MathStyle::ScriptScript,
        }
    }

    fn axis(&self) -> f32 {
        self.k(|c| c.axis_height())
    }
}

/// A laid-out atom and the class it spaces as.
struct Atom {
    math: MathBox,
    class: Class,
}

/// A list of nodes laid out in a row with TeX's spaces between atoms.
pub(super) fn lay_out_list(nodes: &[Node], ctx: Ctx<'_, '_>) -> MathBox {
    let mut ctx = ctx;
    let mut atoms: Vec<Atom> = Vec::with_capacity(nodes.len());
    for node in nodes {
        if let Node::Style(style) = node {
            ctx = ctx.with_style(*style);
            continue;
        }
        atoms.push(lay_out_atom(node, ctx));
    }
    fix_binary_classes(&mut atoms);
    let mut row = MathBox::default();
    if let [only] = atoms.as_slice() {
        // A list that is one environment keeps its rows' baselines.
        row.rows.clone_from(&only.math.rows);
    }
    let mut previous: Option<Class> = None;
    for atom in atoms {
        if let Some(before) = previous {
            row.width += ctx.size() * MU * space_between(before, atom.class, ctx.style);
        }
        previous = Some(atom.class);
        let x = row.width;
        row.append(&atom.math, x, 0.0);
        row.width = x + atom.math.width + atom.math.italic;
    }
    row
}

/// A binary operator with nothing to operate on is ordinary (TeX's rule 5 and 6).
fn fix_binary_classes(atoms: &mut [Atom]) {
    for i in 0..atoms.len() {
        if atoms[i].class != Class::Bin {
            continue;
        }
        let before = i.checked_sub(1).map(|j| atoms[j].class);
        let after = atoms.get(i + 1).map(|a| a.class);
        let no_left = matches!(
            before,
            None | Some(Class::Bin | Class::Op | Class::Rel | Class::Open | Class::Punct)
        );
        let no_right = matches!(after, None | Some(Class::Rel | Class::Close | Class::Punct));
        if no_left || no_right {
            atoms[i].class = Class::Ord;
        }
    }
}

/// TeX's table of spaces between atom classes (The TeXbook, chapter 18), in mu; the spaces
/// marked there as not in script styles are left out in them.
fn space_between(left: Class, right: Class, style: MathStyle) -> f32 {
    use Class::*;
    let script = style >= MathStyle::Script;
    let (space, in_scripts) = match (left, right) {
        (Ord, Op) | (Op, Ord) | (Op, Op) | (Close, Op) | (Inner, Op) => (THIN, true),
        (Ord, Inner) | (Op, Inner) | (Close, Inner) | (Inner, Ord) | (Inner, Open) => (THIN, false),
        (Inner, Punct) | (Inner, Inner) | (Punct, _) if right != Close => (THIN, false),
        (Bin, _) | (_, Bin) => (MEDIUM, false),
        (Rel, Rel) | (Rel, Close) | (Rel, Punct) | (Open, Rel) | (Punct, Rel) => (0.0, true),
        (Rel, _) | (_, Rel) => (THICK, false),
        _ => (0.0, true),
    };
    if script && !in_scripts {
        0.0
    } else {
        space
    }
}

fn lay_out_atom(node: &Node, ctx: Ctx<'_, '_>) -> Atom {
    let atom = |math, class| Atom { math, class };
    match node {
        Node::Char { ch, class, size } => atom(char_box(*ch, *class, *size, ctx), *class),
        Node::Text { text, class } => atom(text_box(text, ctx), *class),
        Node::Group(nodes) => atom(lay_out_list(nodes, ctx), Class::Ord),
        Node::Fenced { open, close, body } => atom(fenced(*open, *close, body, ctx), Class::Inner),
        Node::Fraction {
            numerator,
            denominator,
            no_bar,
        } => atom(fraction(numerator, denominator, *no_bar, ctx), Class::Inner),
        Node::Root { radicand, index } => atom(root(radicand, index.as_deref(), ctx), Class::Ord),
        Node::Scripts {
            base,
            sub,
            sup,
            position,
        } => scripts(base, sub.as_deref(), sup.as_deref(), *position, ctx),
        Node::Space(ems) => atom(
            MathBox {
                width: ems * ctx.size(),
                ..MathBox::default()
            },
            Class::Ord,
        ),
        Node::Style(_) => atom(MathBox::default(), Class::Ord),
        Node::Table { kind, rows } => atom(table(*kind, rows, ctx), Class::Ord),
        Node::Negated(inner) => {
            let mut inner = lay_out_atom(inner, ctx);
            negate(&mut inner.math, ctx);
            inner
        }
    }
}

/// One glyph as a box; a large operator is its display size in display style and sits on
/// the axis, like a delimiter given a size.
fn char_box(ch: char, class: Class, size: Option<f32>, ctx: Ctx<'_, '_>) -> MathBox {
    let glyph = ctx.font.glyph(ch);
    if let Some(ems) = size {
        return stretched_on_axis(glyph, ch, ems * ctx.size(), ctx);
    }
    if class == Class::Op && ctx.display() {
        // The display variant: at least the MATH table's height, and always larger than the
        // text one (some faces' text integral already reaches that height).
        let min = ctx.pt(ctx
            .font
            .number(|c| f32::from(c.display_operator_min_height())));
        let text = ctx.font.metrics(glyph);
        let grown = ctx.pt(text.height + text.depth) * DISPLAY_OPERATOR_GROWTH;
        return stretched_on_axis(glyph, ch, min.max(grown), ctx);
    }
    let mut math = glyph_box(glyph, ch.to_string(), ctx);
    if class == Class::Op {
        centre_on_axis(&mut math, ctx);
    }
    math
}

/// A glyph at the current size.
fn glyph_box(glyph: u16, text: String, ctx: Ctx<'_, '_>) -> MathBox {
    let metrics = ctx.font.metrics(glyph);
    let size = ctx.size();
    let mut math = MathBox {
        width: ctx.pt(metrics.advance),
        height: ctx.pt(metrics.height),
        depth: ctx.pt(metrics.depth),
        italic: ctx.pt(metrics.italic),
        ..MathBox::default()
    };
    if glyph == 0 {
        math.missing.extend(text.chars());
    }
    let run = ShapedRun::single_glyph(ctx.font.face_id, glyph, &text, size, math.width);
    math.glyphs.push(MathGlyph {
        x: 0.0,
        y: 0.0,
        run: Arc::new(run),
    });
    math
}

/// Upright text (`\text`, function names, numbers) in the math face.
fn text_box(text: &str, ctx: Ctx<'_, '_>) -> MathBox {
    let mut row = MathBox::default();
    for ch in text.chars() {
        let glyph = glyph_box(ctx.font.glyph(ch), ch.to_string(), ctx);
        let x = row.width;
        row.append(&glyph, x, 0.0);
        row.width = x + glyph.width;
    }
    row
}

fn centre_on_axis(math: &mut MathBox, ctx: Ctx<'_, '_>) {
    let shift = (math.height - math.depth) / 2.0 - ctx.axis();
    math.shift_down(shift);
}

/// A glyph grown vertically to `target` points and centred on the axis.
fn stretched_on_axis(glyph: u16, ch: char, target: f32, ctx: Ctx<'_, '_>) -> MathBox {
    let units = target * ctx.font.upem / ctx.size();
    let parts = ctx.font.stretched(glyph, units, true);
    let mut math = vertical_parts(&parts, ch, ctx);
    centre_on_axis(&mut math, ctx);
    math
}

/// Parts stacked bottom to top (an assembly), or the one variant as it is.
fn vertical_parts(parts: &[Part], ch: char, ctx: Ctx<'_, '_>) -> MathBox {
    if let [single] = parts {
        return glyph_box(single.glyph, ch.to_string(), ctx);
    }
    let mut math = MathBox::default();
    let mut top: f32 = 0.0;
    for (n, part) in parts.iter().enumerate() {
        let text = if n == 0 {
            ch.to_string()
        } else {
            String::new()
        };
        let piece = glyph_box(part.glyph, text, ctx);
        let bottom = -ctx.pt(part.offset);
        // The part's own baseline sits at its offset above the assembly's bottom.
        let dy = bottom;
        math.append(&piece, 0.0, dy);
        math.width = math.width.max(piece.width);
        top = top.max(ctx.pt(part.offset) + piece.height);
    }
    math.height = top;
    math
}

/// Parts side by side, left to right (a horizontal assembly), or the one variant.
fn horizontal_parts(parts: &[Part], ch: char, ctx: Ctx<'_, '_>) -> MathBox {
    if let [single] = parts {
        return glyph_box(single.glyph, ch.to_string(), ctx);
    }
    let mut math = MathBox::default();
    for (n, part) in parts.iter().enumerate() {
        let text = if n == 0 {
            ch.to_string()
        } else {
            String::new()
        };
        let piece = glyph_box(part.glyph, text, ctx);
        let x = ctx.pt(part.offset);
        math.append(&piece, x, 0.0);
        math.width = math.width.max(x + piece.width);
    }
    math
}

/// `\left…\right`: delimiters grown to cover the content around the axis.
fn fenced(open: Option<char>, close: Option<char>, body: &[Node], ctx: Ctx<'_, '_>) -> MathBox {
    let inner = lay_out_list(body, ctx);
    let axis = ctx.axis();
    let extent = (inner.height - axis).max(inner.depth + axis);
    let target =
        (2.0 * extent * DELIMITER_FACTOR).max(2.0 * extent - DELIMITER_SHORTFALL * ctx.size());
    let mut row = MathBox::default();
    let push = |part: &MathBox, row: &mut MathBox| {
        let x = row.width;
        row.append(part, x, 0.0);
        row.width = x + part.width;
    };
    if let Some(ch) = open {
        push(
            &stretched_on_axis(ctx.font.glyph(ch), ch, target, ctx),
            &mut row,
        );
    }
    push(&inner, &mut row);
    if let Some(ch) = close {
        push(
            &stretched_on_axis(ctx.font.glyph(ch), ch, target, ctx),
            &mut row,
        );
    }
    row
}

/// A fraction: numerator and denominator centred over a bar on the axis.
fn fraction(numerator: &Node, denominator: &Node, no_bar: bool, ctx: Ctx<'_, '_>) -> MathBox {
    let part_ctx = ctx.with_style(ctx.fraction_style());
    let num = lay_out_list(std::slice::from_ref(numerator), part_ctx);
    let den = lay_out_list(std::slice::from_ref(denominator), part_ctx.cramp());
    let display = ctx.display();
    let thickness = if no_bar {
        0.0
    } else {
        ctx.k(|c| c.fraction_rule_thickness())
    };
    let axis = ctx.axis();
    let (mut up, mut down, gap_num, gap_den) = if display {
        (
            ctx.k(|c| c.fraction_numerator_display_style_shift_up()),
            ctx.k(|c| c.fraction_denominator_display_style_shift_down()),
            ctx.k(|c| c.fraction_num_display_style_gap_min()),
            ctx.k(|c| c.fraction_denom_display_style_gap_min()),
        )
    } else {
        (
            ctx.k(|c| c.fraction_numerator_shift_up()),
            ctx.k(|c| c.fraction_denominator_shift_down()),
            ctx.k(|c| c.fraction_numerator_gap_min()),
            ctx.k(|c| c.fraction_denominator_gap_min()),
        )
    };
    up = up.max(axis + thickness / 2.0 + gap_num + num.depth);
    down = down.max(den.height + gap_den + thickness / 2.0 - axis);
    let pad = NULL_DELIMITER * ctx.size();
    let width = num.width.max(den.width);
    let mut math = MathBox {
        width: width + 2.0 * pad,
        ..MathBox::default()
    };
    math.append(&num, pad + (width - num.width) / 2.0, -up);
    math.append(&den, pad + (width - den.width) / 2.0, down);
    if thickness > 0.0 {
        math.rules.push(MathRule {
            x: pad,
            y: -axis,
            width,
            thickness,
        });
    }
    math.height = math.height.max(up + num.height);
    math.depth = math.depth.max(down + den.depth);
    math
}

/// A radical: the sign grown to the radicand's height, a rule over it, the index in the
/// crook.
fn root(radicand: &Node, index: Option<&Node>, ctx: Ctx<'_, '_>) -> MathBox {
    let body = lay_out_list(std::slice::from_ref(radicand), ctx.cramp());
    let thickness = ctx.k(|c| c.radical_rule_thickness());
    let gap = if ctx.display() {
        ctx.k(|c| c.radical_display_style_vertical_gap())
    } else {
        ctx.k(|c| c.radical_vertical_gap())
    };
    let target = body.height + body.depth + gap + thickness;
    let units = target * ctx.font.upem / ctx.size();
    let parts = ctx.font.stretched(ctx.font.glyph('√'), units, true);
    let mut sign = vertical_parts(&parts, '√', ctx);
    // The sign's top meets the rule, which sits `gap` above the radicand.
    let rule_top = body.height + gap + thickness;
    let shift = sign.height - rule_top;
    sign.shift_down(shift);
    let mut math = MathBox::default();
    if let Some(index) = index {
        let index_box = lay_out_list(
            std::slice::from_ref(index),
            ctx.with_style(MathStyle::ScriptScript),
        );
        let before = ctx.k(|c| c.radical_kern_before_degree());
        let after = ctx.k(|c| c.radical_kern_after_degree());
        let raise_percent = ctx
            .font
            .number(|c| f32::from(c.radical_degree_bottom_raise_percent()));
        let raise = (sign.height + sign.depth) * raise_percent / 100.0 - sign.depth;
        math.append(&index_box, before, -(raise + index_box.depth));
        math.width = (before + index_box.width + after).max(0.0);
    }
    let x = math.width;
    math.append(&sign, x, 0.0);
    let body_x = x + sign.width;
    math.append(&body, body_x, 0.0);
    math.rules.push(MathRule {
        x: body_x,
        y: -(rule_top - thickness / 2.0),
        width: body.width,
        thickness,
    });
    let extra = ctx.k(|c| c.radical_extra_ascender());
    math.height = math.height.max(rule_top + extra);
    math.width = body_x + body.width;
    math
}

/// A base with scripts: limits above and below a large operator in display style (and
/// always for accents and braces), otherwise scripts at the right.
fn scripts(
    base: &Node,
    sub: Option<&Node>,
    sup: Option<&Node>,
    place: ScriptPlace,
    ctx: Ctx<'_, '_>,
) -> Atom {
    let base_atom = lay_out_atom(base, ctx);
    let limits = match place {
        ScriptPlace::AboveBelow => true,
        ScriptPlace::Movable => ctx.display(),
        ScriptPlace::Right => false,
    };
    let class = match base_atom.class {
        Class::Op => Class::Op,
        _ if limits && place == ScriptPlace::AboveBelow => base_atom.class,
        _ => Class::Ord,
    };
    let math = if limits {
        over_under(base_atom, sub, sup, place, ctx)
    } else {
        right_scripts(base_atom, sub, sup, ctx)
    };
    Atom { math, class }
}

/// Scripts at the right of the base, placed by the MATH table's script constants.
fn right_scripts(base: Atom, sub: Option<&Node>, sup: Option<&Node>, ctx: Ctx<'_, '_>) -> MathBox {
    let script_ctx = ctx.with_style(ctx.script_style());
    // A large operator's scripts go by its height and depth, as a box's do (TeX's rule 13
    // makes its nucleus a box), so a display integral's sit at its top and bottom.
    let is_char =
        base.math.glyphs.len() == 1 && base.math.rules.is_empty() && base.class != Class::Op;
    let sup_box = sup.map(|n| lay_out_list(std::slice::from_ref(n), script_ctx));
    let sub_box = sub.map(|n| lay_out_list(std::slice::from_ref(n), script_ctx.cramp()));
    let b = &base.math;
    let mut up = 0.0;
    if let Some(s) = &sup_box {
        let shift = if ctx.cramped {
            ctx.k(|c| c.superscript_shift_up_cramped())
        } else {
            ctx.k(|c| c.superscript_shift_up())
        };
        let drop = if is_char {
            0.0
        } else {
            b.height - script_ctx.k(|c| c.superscript_baseline_drop_max())
        };
        up = shift
            .max(drop)
            .max(s.depth + ctx.k(|c| c.superscript_bottom_min()));
    }
    let mut down = 0.0;
    if let Some(s) = &sub_box {
        let drop = if is_char {
            0.0
        } else {
            b.depth + script_ctx.k(|c| c.subscript_baseline_drop_min())
        };
        down = ctx
            .k(|c| c.subscript_shift_down())
            .max(drop)
            .max(s.height - ctx.k(|c| c.subscript_top_max()));
    }
    if let (Some(p), Some(s)) = (&sup_box, &sub_box) {
        let gap = (up - p.depth) - (s.height - down);
        let min = ctx.k(|c| c.sub_superscript_gap_min());
        if gap < min {
            down += min - gap;
        }
    }
    let mut math = MathBox::default();
    math.append(b, 0.0, 0.0);
    let italic = b.italic;
    let is_op = base.class == Class::Op;
    let mut end = b.width
        + if sup_box.is_some() && !is_op {
            italic
        } else {
            0.0
        };
    if let Some(p) = &sup_box {
        let x = b.width + italic;
        math.append(p, x, -up);
        end = end.max(x + p.width);
    }
    if let Some(s) = &sub_box {
        let x = b.width - if is_op { italic } else { 0.0 };
        math.append(s, x, down);
        end = end.max(x + s.width);
    }
    math.width = end + ctx.k(|c| c.space_after_script());
    math
}

/// Limits (or an accent, a brace, a bar) centred above and below the base.
fn over_under(
    base: Atom,
    sub: Option<&Node>,
    sup: Option<&Node>,
    place: ScriptPlace,
    ctx: Ctx<'_, '_>,
) -> MathBox {
    let accent_like = place == ScriptPlace::AboveBelow && base.class != Class::Op;
    let script_ctx = if accent_like {
        ctx
    } else {
        ctx.with_style(ctx.script_style())
    };
    let b = base.math;
    let over = sup.map(|n| stretchy_script(n, b.width, script_ctx));
    let under = sub.map(|n| stretchy_script(n, b.width, script_ctx.cramp()));
    let width = [
        Some(b.width),
        over.as_ref().map(|o| o.width),
        under.as_ref().map(|u| u.width),
    ]
    .into_iter()
    .flatten()
    .fold(0.0, f32::max);
    let mut math = MathBox::default();
    math.append(&b, (width - b.width) / 2.0, 0.0);
    if let Some(o) = &over {
        let y = if accent_like && o.glyphs.is_empty() {
            -(b.height + ctx.k(|c| c.overbar_vertical_gap()))
        } else if accent_like {
            let accent_base = ctx.k(|c| c.accent_base_height());
            -(b.height - accent_base).max(0.0)
        } else {
            let gap = ctx.k(|c| c.upper_limit_gap_min());
            let rise = ctx.k(|c| c.upper_limit_baseline_rise_min());
            -(b.height + (gap + o.depth).max(rise))
        };
        math.append(o, (width - o.width) / 2.0 + b.italic / 2.0, y);
    }
    if let Some(u) = under.as_ref().filter(|u| u.glyphs.is_empty()) {
        let y = b.depth + ctx.k(|c| c.underbar_vertical_gap()) + u.height;
        math.append(u, (width - u.width) / 2.0, y);
    } else if let Some(u) = &under {
        let gap = ctx.k(|c| c.lower_limit_gap_min());
        let drop = ctx.k(|c| c.lower_limit_baseline_drop_min());
        let y = b.depth + (gap + u.height).max(drop);
        math.append(u, (width - u.width) / 2.0 - b.italic / 2.0, y);
    }
    math.width = width;
    math
}

/// A script over or under a base; a lone stretchy character (a wide hat, a brace, a bar)
/// is grown to the base's width.
fn stretchy_script(node: &Node, base_width: f32, ctx: Ctx<'_, '_>) -> MathBox {
    if let Node::Char { ch, .. } = node {
        if matches!(ch, '‾' | '¯' | '_' | '\u{305}' | '\u{332}') {
            // A bar: a rule as wide as the base, its box the rule itself (no glyph), which
            // over_under sets a gap away from the base.
            let thickness = ctx.k(|c| c.overbar_rule_thickness());
            let mut bar = MathBox {
                width: base_width,
                height: thickness,
                ..MathBox::default()
            };
            bar.rules.push(MathRule {
                x: 0.0,
                y: -thickness / 2.0,
                width: base_width,
                thickness,
            });
            return bar;
        }
        let glyph = ctx.font.glyph(*ch);
        let metrics = ctx.font.metrics(glyph);
        let natural = metrics.ink_right - metrics.ink_left;
        let units = base_width * ctx.font.upem / ctx.size();
        let mut accent = if units > natural * STRETCH_BEYOND {
            let parts = ctx.font.stretched(glyph, units, false);
            horizontal_parts(&parts, *ch, ctx)
        } else {
            glyph_box(glyph, ch.to_string(), ctx)
        };
        if let [single] = accent.glyphs.as_mut_slice() {
            // Centre a single glyph by its ink: accents are drawn left of their origin.
            let ink = ctx.font.metrics(single.run.glyphs[0].glyph_id);
            single.x -= ctx.pt(ink.ink_left);
            accent.width = ctx.pt(ink.ink_right - ink.ink_left);
        }
        return accent;
    }
    lay_out_list(std::slice::from_ref(node), ctx)
}

/// A slash through the box.
fn negate(math: &mut MathBox, ctx: Ctx<'_, '_>) {
    let slash = glyph_box(ctx.font.glyph('/'), "\u{338}".to_string(), ctx);
    let x = (math.width - slash.width) / 2.0;
    math.append(&slash, x, 0.0);
}

/// A table cell; the right cell of an `align` pair starts with an empty atom (as amsmath's
/// `{}`), so that a relation opening it is spaced on both sides.
fn lay_out_cell(kind: TableKind, column: usize, cell: &[Node], ctx: Ctx<'_, '_>) -> MathBox {
    if kind == TableKind::Align && column % 2 == 1 {
        let mut nodes = Vec::with_capacity(cell.len() + 1);
        nodes.push(Node::Group(Vec::new()));
        nodes.extend(cell.iter().cloned());
        return lay_out_list(&nodes, ctx);
    }
    lay_out_list(cell, ctx)
}

/// An environment's rows: cells aligned in columns, the table centred on the axis; `cases`
/// gets its brace.
/// Each row's baseline below the first's. A matrix's or `cases`' rows are boxes holding
/// TeX's array strut, a matrix's all as tall and as deep as its tallest and deepest, so its
/// rows are evenly spaced; `align` and `gather` rows are a baseline apart, or further by
/// the ink that does not fit and `\jot`.
fn row_baselines(kind: TableKind, cells: &[Vec<MathBox>], size: f32) -> Vec<f32> {
    let height = |row: &[MathBox]| row.iter().map(|c| c.height).fold(0.0, f32::max);
    let depth = |row: &[MathBox]| row.iter().map(|c| c.depth).fold(0.0, f32::max);
    let strut = (STRUT_HEIGHT * size, STRUT_DEPTH * size);
    let pitches: Vec<f32> = match kind {
        TableKind::Matrix => {
            let tallest = cells.iter().map(|r| height(r)).fold(strut.0, f32::max);
            let deepest = cells.iter().map(|r| depth(r)).fold(strut.1, f32::max);
            vec![tallest + deepest; cells.len().saturating_sub(1)]
        }
        TableKind::Cases => cells
            .windows(2)
            .map(|pair| depth(&pair[0]).max(strut.1) + height(&pair[1]).max(strut.0))
            .collect(),
        TableKind::Align | TableKind::Gather => cells
            .windows(2)
            .map(|pair| {
                let ink = depth(&pair[0]) + height(&pair[1]) + ROW_GAP * size;
                (ROW_BASELINE * size).max(ink)
            })
            .collect(),
    };
    let mut baseline = 0.0;
    let mut baselines = Vec::with_capacity(cells.len());
    baselines.push(0.0);
    for pitch in pitches {
        baseline += pitch;
        baselines.push(baseline);
    }
    baselines.truncate(cells.len());
    baselines
}

fn table(kind: TableKind, rows: &[Vec<Vec<Node>>], ctx: Ctx<'_, '_>) -> MathBox {
    let cell_ctx = match kind {
        TableKind::Align | TableKind::Gather => ctx.with_style(MathStyle::Display),
        _ => ctx.with_style(MathStyle::Text),
    };
    let cells: Vec<Vec<MathBox>> = rows
        .iter()
        .map(|row| {
            let cells = row.iter().enumerate();
            cells
                .map(|(c, cell)| lay_out_cell(kind, c, cell, cell_ctx))
                .collect()
        })
        .collect();
    let columns = cells.iter().map(Vec::len).max().unwrap_or(0);
    let mut widths = vec![0.0f32; columns];
    for row in &cells {
        for (c, cell) in row.iter().enumerate() {
            widths[c] = widths[c].max(cell.width);
        }
    }
    let size = ctx.size();
    let gap_after = |c: usize| -> f32 {
        match kind {
            TableKind::Align if c.is_multiple_of(2) => 0.0,
            TableKind::Align => ALIGN_PAIR_GAP * size,
            _ => COLUMN_GAP * size,
        }
    };
    let mut lefts = Vec::with_capacity(columns);
    let mut x = 0.0;
    for (c, width) in widths.iter().enumerate() {
        lefts.push(x);
        x += width + if c + 1 < columns { gap_after(c) } else { 0.0 };
    }
    let total_width = x;
    let mut math = MathBox::default();
    let baselines = row_baselines(kind, &cells, size);
    for (row, &baseline) in cells.iter().zip(&baselines) {
        for (c, cell) in row.iter().enumerate() {
            let free = widths[c] - cell.width;
            let dx = match kind {
                TableKind::Cases => 0.0,
                TableKind::Align if c % 2 == 0 => free,
                TableKind::Align => 0.0,
                _ => free / 2.0,
            };
            math.append(cell, lefts[c] + dx, baseline);
        }
    }
    math.width = total_width;
    // Centre the rows on the axis.
    let top = math.height;
    let bottom = math.depth;
    let shift = (bottom - top) / 2.0 + ctx.axis();
    math.shift_down(-shift);
    if matches!(kind, TableKind::Align | TableKind::Gather) {
        math.rows = baselines.iter().map(|baseline| baseline - shift).collect();
    }
    if kind == TableKind::Cases {
        let brace_target = math.height + math.depth;
        let mut brace = {
            let mut b = stretched_on_axis(ctx.font.glyph('{'), '{', brace_target, ctx);
            b.width += 0.2 * size;
            b
        };
        let mut row = MathBox::default();
        row.append(&brace, 0.0, 0.0);
        brace.width = brace.width.max(0.0);
        row.append(&math, brace.width, 0.0);
        row.width = brace.width + math.width;
        return row;
    }
    math
}
