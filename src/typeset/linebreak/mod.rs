//! Knuth–Plass total-fit line breaking for octavo's PDF paragraphs.
//!
//! The typesetter turns shaped text into [`Item`]s (boxes for unbreakable
//! clusters, glue for spaces, penalties for optional or forced breaks) and
//! asks [`break_paragraph`] for the breakpoints that minimise the demerits of
//! the whole paragraph, as in Knuth and Plass (1981) and TeX: an active list of
//! feasible breakpoints, badness `100·r³`, demerits
//! `(line_penalty + badness)² ± penalty²`, fitness classes, and extra demerits
//! for consecutive hyphens and fitness jumps.
//!
//! We wrote our own because the crates we tried hard-code their penalties and
//! demerits: a prototype on `paragraph-breaker` hyphenated 33 % of its lines,
//! seven in a row (DESIGN.md, "Line breaking is ours"). Here every parameter
//! is a field of [`BreakOptions`], runs of hyphenated lines can be capped, and
//! the last-resort pass never sets an overfull line unless one unbreakable
//! piece is wider than the measure, which is then reported, not a panic.
//!
//! The breaker only sees widths (in points); callers keep their payload in a
//! parallel vector and use the returned indices. Everything is deterministic:
//! no hash maps, no `powf`, the same float operations in the same order.

mod search;

use search::{Node, Outcome, Search};

/// TeX's infinity for penalties: a cost of `+INFINITY_PENALTY` forbids a
/// break, `-INFINITY_PENALTY` forces one.
pub(crate) const INFINITY_PENALTY: f64 = 10_000.0;

/// Badness of a line that cannot stretch enough (TeX's `inf_bad`).
const INF_BAD: f64 = 10_000.0;
/// Largest dimension accepted, in points; wider (or infinite) values are clamped.
const MAX_DIM: f64 = 1.0e9;
/// Rounding tolerance in points when deciding whether a line fits.
const EPS: f64 = 1.0e-6;
/// Fitness classes: very loose, loose, decent, tight.
const FITNESS_CLASSES: usize = 4;
/// Fitness class of a line stretched to badness over 99.
const VERY_LOOSE: u8 = 0;
/// Fitness class of a line stretched to badness 13 to 99.
const LOOSE: u8 = 1;
/// Fitness class of a line with badness at most 12.
const DECENT: u8 = 2;
/// Fitness class of a line shrunk to badness over 12.
const TIGHT: u8 = 3;
/// Marks "no node" in the arena.
const NONE: usize = usize::MAX;

/// One element of a paragraph, as in TeX's horizontal lists.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Item {
    /// Unbreakable material (a shaped cluster, a word, an indent).
    Box {
        /// Width in points.
        width: f64,
    },
    /// Space that may stretch or shrink. A legal break when it directly
    /// follows a box; discarded at the start of a line and at a break.
    Glue {
        /// Natural width in points.
        width: f64,
        /// Stretchability in points; `f64::INFINITY` is fill glue.
        stretch: f64,
        /// Shrinkability in points.
        shrink: f64,
    },
    /// A possible break. Not a legal break if `cost >= INFINITY_PENALTY`;
    /// forced if `cost <= -INFINITY_PENALTY`.
    Penalty {
        /// Width added to the line when it breaks here (a hyphen).
        width: f64,
        /// Cost of breaking here; for flagged penalties the breaker adds
        /// [`BreakOptions::hyphen_penalty`].
        cost: f64,
        /// A hyphenation break (counts for consecutive-hyphen demerits).
        flagged: bool,
    },
}

impl Item {
    /// A hyphenation point whose broken form adds a hyphen of `width`;
    /// its cost is [`BreakOptions::hyphen_penalty`].
    pub(crate) fn hyphen(width: f64) -> Item {
        Item::Penalty {
            width,
            cost: 0.0,
            flagged: true,
        }
    }

    /// A forced line break (TeX's `\\`, or the end of a paragraph).
    pub(crate) fn forced_break() -> Item {
        Item::Penalty {
            width: 0.0,
            cost: -INFINITY_PENALTY,
            flagged: false,
        }
    }

    /// The usual paragraph ending: no break before the fill, infinitely
    /// stretchable fill glue (TeX's `\parfillskip`), a forced break.
    pub(crate) fn paragraph_end() -> [Item; 3] {
        [
            Item::Penalty {
                width: 0.0,
                cost: INFINITY_PENALTY,
                flagged: false,
            },
            Item::Glue {
                width: 0.0,
                stretch: f64::INFINITY,
                shrink: 0.0,
            },
            Item::forced_break(),
        ]
    }
}

/// The measure of each line, by line number (0 = first line).
/// Invalid widths (NaN, negative) count as 0. The typesetter sets every paragraph with
/// [`LineWidths::FirstRest`]; the other shapes are the breaker's general interface, which
/// the tests exercise.
#[derive(Clone, Copy)]
#[cfg_attr(not(test), allow(dead_code))]
pub(crate) enum LineWidths<'a> {
    /// Every line has the same width.
    Uniform(f64),
    /// The first line differs (e.g. beside a drop cap), the rest share one width.
    FirstRest {
        /// Width of line 0.
        first: f64,
        /// Width of every later line.
        rest: f64,
    },
    /// Line `i` has `list[i]`; lines past the end repeat the last entry
    /// (an empty list means width 0).
    List(&'a [f64]),
    /// Any shape, e.g. around a float. The caller promises that every line
    /// from `constant_from` on has the width of line `constant_from`.
    Shaped {
        /// Width of a line by number.
        width: &'a dyn Fn(usize) -> f64,
        /// First line number from which the width no longer changes.
        constant_from: usize,
    },
}

impl LineWidths<'_> {
    /// The width of line `line` (0-based), sanitised to `0..=1e9` points.
    pub(crate) fn width(&self, line: usize) -> f64 {
        let raw = match self {
            LineWidths::Uniform(w) => *w,
            LineWidths::FirstRest { first, rest } => {
                if line == 0 {
                    *first
                } else {
                    *rest
                }
            }
            LineWidths::List(list) => list.get(line).or(list.last()).copied().unwrap_or(0.0),
            LineWidths::Shaped { width, .. } => width(line),
        };
        if raw.is_nan() {
            0.0
        } else {
            raw.clamp(0.0, MAX_DIM)
        }
    }

    /// The first line number from which all widths are equal.
    fn constant_from(&self) -> usize {
        match self {
            LineWidths::Uniform(_) => 0,
            LineWidths::FirstRest { .. } => 1,
            LineWidths::List(list) => constant_tail(list),
            LineWidths::Shaped { constant_from, .. } => *constant_from,
        }
    }
}

/// Index from which a width list no longer changes.
fn constant_tail(list: &[f64]) -> usize {
    let Some(last) = list.last() else { return 0 };
    let same = list
        .iter()
        .rev()
        .take_while(|w| w.to_bits() == last.to_bits());
    list.len() - same.count()
}

/// TeX-like parameters of the breaker. `Default` gives book settings.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct BreakOptions {
    /// Largest badness accepted in the normal and emergency passes (TeX's
    /// `\tolerance`, 0 to 10000). A first pass without hyphenation
    /// (`\pretolerance`) is the caller's business.
    pub tolerance: f64,
    /// Added to every line's badness before squaring (TeX's `\linepenalty`).
    pub line_penalty: f64,
    /// Added to the cost of every flagged penalty (TeX's `\hyphenpenalty`).
    pub hyphen_penalty: f64,
    /// Demerits for two consecutive lines ending at flagged breaks.
    pub double_hyphen_demerits: f64,
    /// Demerits when the penultimate line ends at a flagged break.
    pub final_hyphen_demerits: f64,
    /// Demerits when adjacent lines differ by more than one fitness class.
    pub adj_demerits: f64,
    /// Extra stretch (points) per line allowed in the emergency pass; 0 skips it.
    pub emergency_stretch: f64,
    /// Lines to add (positive) or remove (negative) relative to the optimum,
    /// if the normal or emergency pass can do it.
    pub looseness: i32,
    /// Most consecutive lines ending at flagged breaks (0 = no limit). Kept in
    /// the normal and emergency passes, relaxed in the last resort. Limits
    /// above 8 are tracked approximately.
    pub max_hyphen_run: usize,
    /// The last full line (the one before a paragraph's last line) may end at a
    /// flagged break. When false it never does in the normal and emergency
    /// passes (a reader should not have to turn to a word's end on a line of
    /// its own); the last resort allows it.
    pub hyphen_before_last_line: bool,
    /// Ragged-right setting: `Some(stretch)` puts invisible right-margin glue
    /// of `stretch` points on every line (TeX's `\rightskip=0pt plus …`).
    /// Give interword glue no stretch or shrink for a true rag. `None` (the
    /// default) justifies; callers may also build their own ragged glue.
    pub ragged: Option<f64>,
}

impl Default for BreakOptions {
    fn default() -> Self {
        BreakOptions {
            tolerance: 200.0,
            line_penalty: 10.0,
            hyphen_penalty: 50.0,
            double_hyphen_demerits: 10_000.0,
            final_hyphen_demerits: 5_000.0,
            adj_demerits: 10_000.0,
            emergency_stretch: 15.0,
            looseness: 0,
            max_hyphen_run: 2,
            hyphen_before_last_line: false,
            ragged: None,
        }
    }
}

/// Which pass of the breaker produced the result.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Pass {
    /// Within `tolerance`.
    Normal,
    /// Within `tolerance` with `emergency_stretch` added to every line.
    Emergency,
    /// Any badness accepted; overfull only where a single piece is too wide.
    LastResort,
}

/// One line of the broken paragraph.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Line {
    /// First item of the line (glue and penalties after a break are skipped).
    pub start: usize,
    /// The item the line breaks at, excluded from the line except for a
    /// penalty's width; `items.len()` when the items end without a forced break.
    pub end: usize,
    /// Adjustment ratio: glue stretches by `ratio·stretch` (ratio > 0) or
    /// shrinks by `-ratio·shrink` (ratio < 0, at least -1). 0 when the line
    /// has fill glue (which then takes the slack) or no stretch at all.
    pub ratio: f64,
    /// TeX badness of the line as set (0 to 10000).
    pub badness: f64,
    /// The line ends at a flagged (hyphenation) penalty.
    pub hyphenated: bool,
    /// The line is wider than its measure even fully shrunk.
    pub overfull: bool,
}

/// The result of [`break_paragraph`].
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Breaks {
    /// The lines, in order. Empty for a paragraph without boxes.
    pub lines: Vec<Line>,
    /// The pass that succeeded.
    pub pass: Pass,
    /// Total demerits of the chosen breaks.
    pub demerits: f64,
}

impl Breaks {
    /// The break positions (each line's `end`).
    #[cfg(test)]
    pub(crate) fn positions(&self) -> Vec<usize> {
        self.lines.iter().map(|l| l.end).collect()
    }

    /// Whether any line is overfull.
    #[cfg(test)]
    pub(crate) fn has_overfull(&self) -> bool {
        self.lines.iter().any(|l| l.overfull)
    }
}

/// Break `items` into lines of `widths`, minimising total demerits.
///
/// Tries the normal pass, then the emergency pass, then the last resort
/// (infinite tolerance, hyphen-run limit relaxed), which never sets an
/// overfull line if a solution without one exists; where a single piece is
/// wider than the measure, that line is marked `overfull`. Items after the
/// last box and its forced break are ignored; without a final forced break
/// the paragraph ends as if [`Item::paragraph_end`] followed. Never panics.
///
/// The no-overfull guarantee assumes material does not get narrower as a
/// line grows (no net negative widths) and fewer than 1024 breakpoints alive
/// at once; beyond that the oldest are dropped to stay linear.
pub(crate) fn break_paragraph(items: &[Item], widths: &LineWidths, opts: &BreakOptions) -> Breaks {
    break_lines(&Paragraph::new(items, widths, opts))
}

/// [`break_paragraph`] on a prepared paragraph.
fn break_lines(para: &Paragraph) -> Breaks {
    if para.scan_len == 0 && para.end_virtual {
        return Breaks {
            lines: Vec::new(),
            pass: Pass::Normal,
            demerits: 0.0,
        };
    }
    let mut chosen: Option<(Outcome, Pass)> = None;
    for (cfg, pass) in para.passes() {
        if cfg.last && chosen.is_some() {
            break;
        }
        let Some(outcome) = Search::new(para, cfg).run() else {
            continue;
        };
        let done = outcome.miss == 0;
        if chosen.as_ref().is_none_or(|(c, _)| outcome.miss < c.miss) {
            chosen = Some((outcome, pass));
        }
        if done {
            break;
        }
    }
    match chosen {
        Some((outcome, pass)) => para.lines(&outcome, pass),
        None => para.lines(&para.fallback(), Pass::LastResort),
    }
}

/// Options with every value made finite and in range.
#[derive(Clone, Copy)]
struct Params {
    tolerance: f64,
    line_penalty: f64,
    hyphen_penalty: f64,
    double_hyphen: f64,
    final_hyphen: f64,
    adj: f64,
    emergency: f64,
    looseness: i32,
    run_limit: usize,
    hyphen_before_last_line: bool,
    ragged: f64,
}

/// `x` if finite, else `default`, clamped to `lo..=hi`.
fn finite(x: f64, default: f64, lo: f64, hi: f64) -> f64 {
    if x.is_finite() {
        x.clamp(lo, hi)
    } else {
        default
    }
}

impl Params {
    fn new(o: &BreakOptions) -> Params {
        let d = BreakOptions::default();
        let dem = |x: f64, dx: f64| finite(x, dx, -1.0e9, 1.0e9);
        Params {
            tolerance: finite(o.tolerance, d.tolerance, 0.0, INF_BAD),
            line_penalty: finite(o.line_penalty, d.line_penalty, -INF_BAD, INF_BAD),
            hyphen_penalty: finite(o.hyphen_penalty, d.hyphen_penalty, -INF_BAD, INF_BAD),
            double_hyphen: dem(o.double_hyphen_demerits, d.double_hyphen_demerits),
            final_hyphen: dem(o.final_hyphen_demerits, d.final_hyphen_demerits),
            adj: dem(o.adj_demerits, d.adj_demerits),
            emergency: finite(o.emergency_stretch, 0.0, 0.0, MAX_DIM),
            looseness: o.looseness,
            run_limit: o.max_hyphen_run,
            hyphen_before_last_line: o.hyphen_before_last_line,
            ragged: o.ragged.map_or(0.0, |s| finite(s, 0.0, 0.0, MAX_DIM)),
        }
    }
}

/// Settings of one pass.
#[derive(Clone, Copy)]
struct PassConfig {
    threshold: f64,
    extra_stretch: f64,
    last: bool,
}

/// An item with sanitised values.
#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Box,
    Glue,
    Penalty,
}

/// Sanitised view of an [`Item`].
#[derive(Clone, Copy)]
struct Clean {
    kind: Kind,
    width: f64,
    stretch: f64,
    shrink: f64,
    fil: f64,
    cost: f64,
    flagged: bool,
}

/// A width in points, finite and clamped.
fn dim(x: f64) -> f64 {
    if x.is_nan() {
        0.0
    } else {
        x.clamp(-MAX_DIM, MAX_DIM)
    }
}

fn clean(item: &Item, hyphen_penalty: f64) -> Clean {
    let mut c = Clean {
        kind: Kind::Box,
        width: 0.0,
        stretch: 0.0,
        shrink: 0.0,
        fil: 0.0,
        cost: 0.0,
        flagged: false,
    };
    match *item {
        Item::Box { width } => c.width = dim(width),
        Item::Glue {
            width,
            stretch,
            shrink,
        } => {
            c.kind = Kind::Glue;
            c.width = dim(width);
            if stretch == f64::INFINITY {
                c.fil = 1.0;
            } else if stretch.is_finite() {
                c.stretch = dim(stretch);
            }
            c.shrink = if shrink.is_finite() {
                dim(shrink).max(0.0)
            } else {
                0.0
            };
        }
        Item::Penalty {
            width,
            cost,
            flagged,
        } => {
            c.kind = Kind::Penalty;
            c.width = dim(width);
            c.flagged = flagged;
            c.cost = penalty_cost(cost, if flagged { hyphen_penalty } else { 0.0 });
        }
    }
    c
}

/// A penalty's cost plus `extra`; forced and forbidden stay so, NaN forbids.
fn penalty_cost(cost: f64, extra: f64) -> f64 {
    if cost.is_nan() || cost >= INFINITY_PENALTY {
        INFINITY_PENALTY
    } else if cost <= -INFINITY_PENALTY {
        -INFINITY_PENALTY
    } else {
        (cost + extra).clamp(-INFINITY_PENALTY, INFINITY_PENALTY)
    }
}

/// Running totals of widths, stretch, shrink and fill glue.
#[derive(Clone, Copy, Default)]
struct Sums {
    width: f64,
    stretch: f64,
    shrink: f64,
    fil: f64,
}

impl Sums {
    fn add(&mut self, c: &Clean) {
        match c.kind {
            Kind::Box => self.width += c.width,
            Kind::Glue => {
                self.width += c.width;
                self.stretch += c.stretch;
                self.shrink += c.shrink;
                self.fil += c.fil;
            }
            Kind::Penalty => {}
        }
    }
}

/// A legal breakpoint.
#[derive(Clone, Copy)]
struct Breakpoint {
    pos: usize,
    width: f64,
    cost: f64,
    flagged: bool,
    forced: bool,
    last: bool,
    fil: f64,
}

/// The shape of one line: totals of its material.
#[derive(Clone, Copy)]
struct Measure {
    natural: f64,
    stretch: f64,
    shrink: f64,
    fil: f64,
}

/// How a line fits its measure.
#[derive(Clone, Copy)]
struct Fit {
    badness: f64,
    ratio: f64,
    overfull: bool,
    fitness: u8,
    /// The line is short of its measure and has no fill glue: it is stretched, and a line
    /// holding less of the same material would be stretched at least as far.
    short: bool,
}

/// TeX's badness `100·r³`, capped at 10000, computed by multiplication.
fn badness(r: f64) -> f64 {
    let r = r.abs();
    if r >= 100.0 {
        return INF_BAD;
    }
    (100.0 * r * r * r).min(INF_BAD)
}

/// A line set at its natural width.
const NATURAL_FIT: Fit = Fit {
    badness: 0.0,
    ratio: 0.0,
    overfull: false,
    fitness: DECENT,
    short: false,
};

/// How `m` fits in `width` with `extra` stretch that only counts for badness.
fn fit_line(m: &Measure, width: f64, extra: f64) -> Fit {
    let shortfall = width - m.natural;
    if shortfall > EPS && m.fil <= 0.0 {
        stretched(shortfall, m.stretch, extra)
    } else if shortfall < -EPS {
        shrunk(shortfall, m.shrink)
    } else {
        NATURAL_FIT
    }
}

/// A line `shortfall` points short with finite `stretch` (+ `extra` for badness).
fn stretched(shortfall: f64, stretch: f64, extra: f64) -> Fit {
    let ratio = if stretch > EPS {
        shortfall / stretch
    } else {
        0.0
    };
    let total = stretch + extra;
    let badness = if total > EPS {
        badness(shortfall / total)
    } else {
        INF_BAD
    };
    let fitness = match badness {
        b if b > 99.0 => VERY_LOOSE,
        b if b > 12.0 => LOOSE,
        _ => DECENT,
    };
    Fit {
        badness,
        ratio,
        overfull: false,
        fitness,
        short: true,
    }
}

/// A line `-shortfall` points too long with `shrink` available.
fn shrunk(shortfall: f64, shrink: f64) -> Fit {
    if -shortfall - shrink > EPS {
        return Fit {
            badness: INF_BAD,
            ratio: -1.0,
            overfull: true,
            fitness: TIGHT,
            short: false,
        };
    }
    let ratio = if shrink > EPS {
        (shortfall / shrink).max(-1.0)
    } else {
        0.0
    };
    let badness = badness(ratio);
    Fit {
        badness,
        ratio,
        overfull: false,
        fitness: if badness > 12.0 { TIGHT } else { DECENT },
        short: false,
    }
}

/// A paragraph ready for breaking: items, widths, sanitised parameters.
struct Paragraph<'a> {
    items: &'a [Item],
    widths: &'a LineWidths<'a>,
    p: Params,
    /// Items `0..scan_len` are scanned for breakpoints.
    scan_len: usize,
    /// The final breakpoint's position.
    end: usize,
    /// The final breakpoint is implicit (no forced break ends the items).
    end_virtual: bool,
    /// Line numbers from here on share one width class.
    easy_line: usize,
    /// No item has a negative width or stretch, so a line only grows (in width, stretch,
    /// shrink and fill) as its start moves back: what lets a search stop early (see
    /// [`Search::try_break`]).
    monotone: bool,
}

impl<'a> Paragraph<'a> {
    fn new(items: &'a [Item], widths: &'a LineWidths<'a>, opts: &BreakOptions) -> Self {
        let p = Params::new(opts);
        let (scan_len, end, end_virtual) = find_end(items, p.hyphen_penalty);
        let easy_line = if p.looseness == 0 {
            widths.constant_from()
        } else {
            NONE
        };
        let monotone = items[..scan_len]
            .iter()
            .map(|item| clean(item, p.hyphen_penalty))
            .all(|c| c.kind == Kind::Penalty || (c.width >= 0.0 && c.stretch >= 0.0));
        Paragraph {
            items,
            widths,
            p,
            scan_len,
            end,
            end_virtual,
            easy_line,
            monotone,
        }
    }

    fn item(&self, i: usize) -> Clean {
        match self.items.get(i) {
            Some(item) => clean(item, self.p.hyphen_penalty),
            None => clean(&Item::forced_break(), 0.0),
        }
    }

    /// The passes to try, in order.
    fn passes(&self) -> Vec<(PassConfig, Pass)> {
        let normal = PassConfig {
            threshold: self.p.tolerance,
            extra_stretch: 0.0,
            last: false,
        };
        let mut passes = vec![(normal, Pass::Normal)];
        if self.p.emergency > 0.0 {
            let emergency = PassConfig {
                extra_stretch: self.p.emergency,
                ..normal
            };
            passes.push((emergency, Pass::Emergency));
        }
        let last = PassConfig {
            threshold: INF_BAD,
            extra_stretch: self.p.emergency,
            last: true,
        };
        passes.push((last, Pass::LastResort));
        passes
    }

    /// The breakpoint at item `i`, if it is a legal one.
    fn breakpoint(&self, i: usize, c: &Clean, after_box: bool) -> Option<Breakpoint> {
        let legal = match c.kind {
            Kind::Box => false,
            Kind::Glue => after_box,
            Kind::Penalty => c.cost < INFINITY_PENALTY,
        };
        legal.then_some(Breakpoint {
            pos: i,
            width: if c.kind == Kind::Penalty {
                c.width
            } else {
                0.0
            },
            cost: if c.kind == Kind::Penalty { c.cost } else { 0.0 },
            flagged: c.kind == Kind::Penalty && c.flagged,
            forced: c.kind == Kind::Penalty && c.cost <= -INFINITY_PENALTY,
            last: false,
            fil: 0.0,
        })
    }

    /// The paragraph's final breakpoint.
    fn final_breakpoint(&self) -> Breakpoint {
        let c = self.item(self.end);
        Breakpoint {
            pos: self.end,
            width: if self.end_virtual { 0.0 } else { c.width },
            cost: -INFINITY_PENALTY,
            flagged: false,
            forced: true,
            last: true,
            fil: if self.end_virtual { 1.0 } else { 0.0 },
        }
    }

    /// Where the line after a break at `pos` starts, and the totals there.
    fn line_start(&self, pos: usize, mut sums: Sums) -> (usize, Sums) {
        let mut j = pos;
        while j < self.scan_len {
            let c = self.item(j);
            if c.kind == Kind::Box {
                break;
            }
            sums.add(&c);
            j += 1;
        }
        (j, sums)
    }

    /// The class of line numbers sharing active-list bookkeeping.
    fn class(&self, line: usize) -> usize {
        line.min(self.easy_line)
    }

    /// Demerits of a line of `badness` and `fitness` from `from` to `bp`.
    fn demerits(&self, badness: f64, fitness: u8, from: &Node, bp: &Breakpoint) -> f64 {
        let base = self.p.line_penalty + badness;
        let mut d = if base.abs() >= INF_BAD {
            1.0e8
        } else {
            base * base
        };
        if bp.cost > 0.0 {
            d += bp.cost * bp.cost;
        } else if bp.cost > -INFINITY_PENALTY {
            d -= bp.cost * bp.cost;
        }
        if from.flagged && bp.last {
            d += self.p.final_hyphen;
        } else if from.flagged && bp.flagged {
            d += self.p.double_hyphen;
        }
        if fitness.abs_diff(from.fitness) > 1 {
            d += self.p.adj;
        }
        d
    }

    /// Used only if even the last-resort pass found nothing (it cannot, by
    /// construction): everything on one line rather than a panic.
    fn fallback(&self) -> Outcome {
        Outcome {
            breaks: vec![(self.end, false, false)],
            demerits: 0.0,
            miss: 0,
        }
    }

    /// Measure items `start..end` (plus the break's penalty width).
    fn measure_range(&self, start: usize, end: usize) -> Measure {
        let mut s = Sums::default();
        for i in start..end.min(self.scan_len) {
            s.add(&self.item(i));
        }
        let (pen, fil) = if end == self.end && self.end_virtual {
            (0.0, 1.0)
        } else {
            let c = self.item(end);
            (
                if c.kind == Kind::Penalty {
                    c.width
                } else {
                    0.0
                },
                0.0,
            )
        };
        Measure {
            natural: s.width + pen,
            stretch: s.stretch + self.p.ragged,
            shrink: s.shrink,
            fil: s.fil + fil,
        }
    }

    /// Turn a chosen sequence of breaks into reported lines.
    fn lines(&self, outcome: &Outcome, pass: Pass) -> Breaks {
        let mut lines = Vec::with_capacity(outcome.breaks.len());
        let mut start = 0;
        for (n, &(end, hyphenated, artificial)) in outcome.breaks.iter().enumerate() {
            let start_here = start.min(end);
            let fit = fit_line(
                &self.measure_range(start_here, end),
                self.widths.width(n),
                0.0,
            );
            lines.push(Line {
                start: start_here,
                end,
                ratio: fit.ratio,
                badness: fit.badness,
                hyphenated,
                overfull: fit.overfull || artificial,
            });
            start = self.line_start(end.saturating_add(1), Sums::default()).0;
        }
        Breaks {
            lines,
            pass,
            demerits: outcome.demerits,
        }
    }
}

/// Where scanning stops, where the final break is, and whether it is implicit.
fn find_end(items: &[Item], hyphen_penalty: f64) -> (usize, usize, bool) {
    let is_box = |i: &Item| matches!(i, Item::Box { .. });
    let Some(last_box) = items.iter().rposition(is_box) else {
        return (0, items.len(), true);
    };
    let forced = items[last_box + 1..].iter().position(|item| {
        let c = clean(item, hyphen_penalty);
        c.kind == Kind::Penalty && c.cost <= -INFINITY_PENALTY
    });
    match forced {
        Some(k) => (last_box + 1 + k, last_box + 1 + k, false),
        None => (last_box + 1, items.len(), true),
    }
}

#[cfg(test)]
mod tests;
