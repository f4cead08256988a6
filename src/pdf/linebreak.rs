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

/// TeX's infinity for penalties: a cost of `+INFINITY_PENALTY` forbids a
/// break, `-INFINITY_PENALTY` forces one.
pub const INFINITY_PENALTY: f64 = 10_000.0;

/// Badness of a line that cannot stretch enough (TeX's `inf_bad`).
const INF_BAD: f64 = 10_000.0;
/// Largest dimension accepted, in points; wider (or infinite) values are clamped.
const MAX_DIM: f64 = 1.0e9;
/// Rounding tolerance in points when deciding whether a line fits.
const EPS: f64 = 1.0e-6;
/// Active nodes above this many are pruned (oldest first) to keep huge or
/// degenerate paragraphs (e.g. zero-width items) linear.
const MAX_ACTIVE: usize = 1024;
/// Nodes made since the last compaction of the line breaker's arena that trigger the next.
const COMPACT_YOUNG: usize = 4096;
/// Distinct hyphen-run lengths tracked per breakpoint.
const MAX_RUN_BUCKETS: usize = 8;
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
pub enum Item {
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
    pub fn hyphen(width: f64) -> Item {
        Item::Penalty {
            width,
            cost: 0.0,
            flagged: true,
        }
    }

    /// A forced line break (TeX's `\\`, or the end of a paragraph).
    pub fn forced_break() -> Item {
        Item::Penalty {
            width: 0.0,
            cost: -INFINITY_PENALTY,
            flagged: false,
        }
    }

    /// The usual paragraph ending: no break before the fill, infinitely
    /// stretchable fill glue (TeX's `\parfillskip`), a forced break.
    pub fn paragraph_end() -> [Item; 3] {
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
/// Invalid widths (NaN, negative) count as 0.
#[derive(Clone, Copy)]
pub enum LineWidths<'a> {
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
    pub fn width(&self, line: usize) -> f64 {
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
pub struct BreakOptions {
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
            ragged: None,
        }
    }
}

/// Which pass of the breaker produced the result.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pass {
    /// Within `tolerance`.
    Normal,
    /// Within `tolerance` with `emergency_stretch` added to every line.
    Emergency,
    /// Any badness accepted; overfull only where a single piece is too wide.
    LastResort,
}

/// One line of the broken paragraph.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Line {
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
pub struct Breaks {
    /// The lines, in order. Empty for a paragraph without boxes.
    pub lines: Vec<Line>,
    /// The pass that succeeded.
    pub pass: Pass,
    /// Total demerits of the chosen breaks.
    pub demerits: f64,
}

impl Breaks {
    /// The break positions (each line's `end`).
    pub fn positions(&self) -> Vec<usize> {
        self.lines.iter().map(|l| l.end).collect()
    }

    /// Whether any line is overfull.
    pub fn has_overfull(&self) -> bool {
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
pub fn break_paragraph(items: &[Item], widths: &LineWidths, opts: &BreakOptions) -> Breaks {
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

/// A breakpoint reached by some path: an entry of the node arena.
#[derive(Clone, Copy)]
struct Node {
    /// Item index of the break (0 for the paragraph start).
    pos: usize,
    /// First item of the following line.
    start: usize,
    /// Totals up to `start`.
    sums: Sums,
    /// Lines set before this break's following line.
    line: usize,
    /// The node this one was reached from.
    prev: usize,
    /// Total demerits from the paragraph start.
    total: f64,
    fitness: u8,
    /// Consecutive flagged breaks ending here.
    run: u8,
    flagged: bool,
    /// The line ending here is overfull (last-resort break).
    overfull: bool,
}

/// The best way found so far to reach the current breakpoint in one class.
#[derive(Clone, Copy)]
struct Candidate {
    total: f64,
    from: usize,
    run: u8,
}

const NO_CANDIDATE: Candidate = Candidate {
    total: f64::INFINITY,
    from: NONE,
    run: 0,
};

/// A chosen sequence of breaks: (position, hyphenated, overfull).
struct Outcome {
    breaks: Vec<(usize, bool, bool)>,
    demerits: f64,
    /// How many lines the result is away from the requested looseness.
    miss: u64,
}

/// The state of one pass over a paragraph.
struct Search<'p, 'a> {
    para: &'p Paragraph<'a>,
    cfg: PassConfig,
    arena: Vec<Node>,
    active: Vec<usize>,
    next: Vec<usize>,
    cands: [Candidate; FITNESS_CLASSES * MAX_RUN_BUCKETS],
    /// Arena nodes before this index were kept by a compaction and are not looked at again
    /// (see [`Search::maybe_compact`]).
    settled: usize,
    /// Nodes made since the last compaction that trigger the next ([`COMPACT_YOUNG`]).
    compact_young: usize,
    /// Cached start of the line after recent breaks: (start, totals there).
    start_cache: Option<(usize, Sums)>,
    /// Lines from an active node to a breakpoint evaluated so far: the work of the search.
    considered: usize,
    /// The last line fitted at the current breakpoint: its start, measure (as bits), fit.
    last_fit: Option<(usize, u64, Fit)>,
    /// The active nodes are one class and in order of their line starts, in a monotone
    /// paragraph: the first node whose line to a breakpoint is too loose is followed only
    /// by nodes whose lines are looser still.
    ordered: bool,
    /// Whether `next`, as built so far, is one class in order of line starts.
    next_ordered: bool,
    /// The line start and class of the last node in `next`.
    next_tail: Option<(usize, usize)>,
}

impl<'p, 'a> Search<'p, 'a> {
    fn new(para: &'p Paragraph<'a>, cfg: PassConfig) -> Self {
        let start = Node {
            pos: 0,
            start: 0,
            sums: Sums::default(),
            line: 0,
            prev: NONE,
            total: 0.0,
            fitness: DECENT,
            run: 0,
            flagged: false,
            overfull: false,
        };
        Search {
            para,
            cfg,
            arena: vec![start],
            active: vec![0],
            next: Vec::new(),
            cands: [NO_CANDIDATE; FITNESS_CLASSES * MAX_RUN_BUCKETS],
            settled: 0,
            compact_young: COMPACT_YOUNG,
            start_cache: None,
            considered: 0,
            last_fit: None,
            ordered: para.monotone,
            next_ordered: true,
            next_tail: None,
        }
    }

    /// Scan every breakpoint; the best outcome, or `None` if the pass fails.
    fn run(&mut self) -> Option<Outcome> {
        let mut sums = Sums::default();
        let mut after_box = false;
        for i in 0..self.para.scan_len {
            let c = self.para.item(i);
            if let Some(bp) = self.para.breakpoint(i, &c, after_box) {
                self.maybe_compact();
                self.try_break(&bp, &sums);
                if self.active.is_empty() {
                    return None;
                }
            }
            sums.add(&c);
            after_box = c.kind == Kind::Box;
        }
        let first_final = self.arena.len();
        self.try_break(&self.para.final_breakpoint(), &sums);
        self.choose(first_final)
    }

    /// Consider a break at `bp` from every active node; `sums` are the totals
    /// of the items before it.
    ///
    /// In an ordered active list (see [`Search::ordered`]) the scan stops at the first
    /// line too loose for the pass: the nodes after it start later, so their lines hold
    /// less of the same material and are looser still; they stay active untouched. The
    /// nodes scanned are those within a line's reach of `bp` rather than all of them, and
    /// the result is the same.
    fn try_break(&mut self, bp: &Breakpoint, sums: &Sums) {
        self.last_fit = None;
        let created = self.arena.len();
        let mut dead: Option<usize> = None;
        let mut i = 0;
        while i < self.active.len() {
            let class = self.para.class(self.arena[self.active[i]].line);
            self.cands = [NO_CANDIDATE; FITNESS_CLASSES * MAX_RUN_BUCKETS];
            while let Some(&a) = self.active.get(i) {
                if self.para.class(self.arena[a].line) != class {
                    break;
                }
                let loose = self.consider(a, bp, sums, &mut dead);
                i += 1;
                if loose && self.ordered && !bp.forced {
                    self.keep_rest(i);
                    i = self.active.len();
                }
            }
            self.emit(bp, sums);
        }
        let stuck = self.arena.len() == created && self.next.is_empty();
        if let (true, true, Some(a)) = (self.cfg.last, stuck, dead) {
            self.push_artificial(a, bp, sums);
        }
        self.prune();
        std::mem::swap(&mut self.active, &mut self.next);
        self.next.clear();
        self.ordered = self.para.monotone && self.next_ordered;
        self.next_ordered = true;
        self.next_tail = None;
    }

    /// Keep node `a` active at the next breakpoint.
    fn keep(&mut self, a: usize) {
        let node = &self.arena[a];
        let tail = (node.start, self.para.class(node.line));
        if let Some((start, class)) = self.next_tail {
            if tail.0 < start || tail.1 != class {
                self.next_ordered = false;
            }
        }
        self.next_tail = Some(tail);
        self.next.push(a);
    }

    /// Keep the active nodes from index `from` on, in an ordered list, without looking at
    /// each: only the first can break the order of `next`, and the last becomes its tail.
    fn keep_rest(&mut self, from: usize) {
        let Some(&first) = self.active.get(from) else {
            return;
        };
        self.keep(first);
        let rest = self.active.get(from + 1..).unwrap_or(&[]);
        if let Some(&last) = rest.last() {
            self.next.extend_from_slice(rest);
            let node = &self.arena[last];
            self.next_tail = Some((node.start, self.para.class(node.line)));
        }
    }

    /// Evaluate the line from active node `a` to `bp`: keep `a` active or
    /// note it as dead, and offer the line as a candidate if feasible. Whether
    /// the line is too loose for this pass (short and over the threshold).
    fn consider(
        &mut self,
        a: usize,
        bp: &Breakpoint,
        sums: &Sums,
        dead: &mut Option<usize>,
    ) -> bool {
        self.considered += 1;
        let node = self.arena[a];
        let fit = self.fit_from(&node, bp, sums);
        if fit.overfull || bp.forced {
            self.note_dead(a, dead);
        } else {
            self.keep(a);
        }
        if fit.overfull || fit.badness > self.cfg.threshold {
            return fit.short && fit.badness > self.cfg.threshold;
        }
        let run = if bp.flagged {
            node.run.saturating_add(1)
        } else {
            0
        };
        let limit = self.para.p.run_limit;
        if limit > 0 && usize::from(run) > limit && !self.cfg.last {
            return false;
        }
        let total = node.total + self.para.demerits(fit.badness, fit.fitness, &node, bp);
        let slot = &mut self.cands[usize::from(fit.fitness) * MAX_RUN_BUCKETS + self.bucket(run)];
        if total < slot.total {
            *slot = Candidate {
                total,
                from: a,
                run,
            };
        }
        false
    }

    /// How the line from `node` to `bp` fits. Nodes made at one breakpoint (one per fitness
    /// class and hyphen run) share their line start and usually their measure, so the last
    /// fit is kept for the next node; [`Search::try_break`] forgets it at each breakpoint.
    fn fit_from(&mut self, node: &Node, bp: &Breakpoint, sums: &Sums) -> Fit {
        let width = self.para.widths.width(node.line);
        if let Some((start, bits, fit)) = self.last_fit {
            if start == node.start && bits == width.to_bits() {
                return fit;
            }
        }
        let fit = fit_line(&self.measure(node, bp, sums), width, self.cfg.extra_stretch);
        self.last_fit = Some((node.start, width.to_bits(), fit));
        fit
    }

    /// Remember the dead node a last-resort break would start from: the
    /// latest one, then the cheapest.
    fn note_dead(&self, a: usize, dead: &mut Option<usize>) {
        let (new, old) = (&self.arena[a], dead.map(|d| &self.arena[d]));
        if old.is_none_or(|o| (new.pos, -new.total) > (o.pos, -o.total)) {
            *dead = Some(a);
        }
    }

    /// The candidate bucket for a hyphen run of `run` lines.
    fn bucket(&self, run: u8) -> usize {
        let limit = self.para.p.run_limit.min(MAX_RUN_BUCKETS);
        if limit == 0 || run == 0 {
            0
        } else {
            usize::from(run).min(limit) - 1
        }
    }

    /// Totals of the line from `node` to `bp`.
    fn measure(&self, node: &Node, bp: &Breakpoint, sums: &Sums) -> Measure {
        let ragged = self.para.p.ragged;
        if node.start >= bp.pos {
            return Measure {
                natural: bp.width,
                stretch: ragged,
                shrink: 0.0,
                fil: bp.fil,
            };
        }
        Measure {
            natural: sums.width - node.sums.width + bp.width,
            stretch: sums.stretch - node.sums.stretch + ragged,
            shrink: sums.shrink - node.sums.shrink,
            fil: sums.fil - node.sums.fil + bp.fil,
        }
    }

    /// Create nodes at `bp` for the best candidates of the class just scanned
    /// (TeX keeps only those within `adj_demerits` of the best).
    fn emit(&mut self, bp: &Breakpoint, sums: &Sums) {
        for bucket in 0..MAX_RUN_BUCKETS {
            let slot = |f: usize| f * MAX_RUN_BUCKETS + bucket;
            let best = (0..FITNESS_CLASSES)
                .map(|f| self.cands[slot(f)].total)
                .fold(f64::INFINITY, f64::min);
            if best == f64::INFINITY {
                continue;
            }
            for fitness in 0..FITNESS_CLASSES {
                let cand = self.cands[slot(fitness)];
                if cand.from != NONE && cand.total <= best + self.para.p.adj {
                    self.push_node(cand, fitness as u8, bp, sums, false);
                }
            }
        }
    }

    /// A last-resort overfull break from `a` when nothing else reaches `bp`.
    fn push_artificial(&mut self, a: usize, bp: &Breakpoint, sums: &Sums) {
        let node = self.arena[a];
        let run = if bp.flagged {
            node.run.saturating_add(1)
        } else {
            0
        };
        let cand = Candidate {
            total: node.total,
            from: a,
            run,
        };
        self.push_node(cand, DECENT, bp, sums, true);
    }

    fn push_node(&mut self, c: Candidate, fitness: u8, bp: &Breakpoint, sums: &Sums, over: bool) {
        let (start, start_sums) = self.start_after(bp, sums);
        let node = Node {
            pos: bp.pos,
            start,
            sums: start_sums,
            line: self.arena[c.from].line.saturating_add(1),
            prev: c.from,
            total: c.total,
            fitness,
            run: c.run,
            flagged: bp.flagged,
            overfull: over,
        };
        self.arena.push(node);
        self.keep(self.arena.len() - 1);
    }

    /// Start of the line after a break at `bp`, cached across breakpoints
    /// that share the same following box.
    fn start_after(&mut self, bp: &Breakpoint, sums: &Sums) -> (usize, Sums) {
        if let Some((start, s)) = self.start_cache {
            if bp.pos < start {
                return (start, s);
            }
        }
        let found = self.para.line_start(bp.pos, *sums);
        self.start_cache = Some(found);
        found
    }

    /// Keep the active list bounded: drop the oldest nodes beyond `MAX_ACTIVE`.
    fn prune(&mut self) {
        if self.next.len() <= MAX_ACTIVE {
            return;
        }
        let mut order: Vec<(usize, usize)> =
            self.next.iter().map(|&a| (self.arena[a].pos, a)).collect();
        order.sort_unstable();
        let mut drop: Vec<usize> = order[..order.len() - MAX_ACTIVE / 2]
            .iter()
            .map(|&(_, a)| a)
            .collect();
        drop.sort_unstable();
        self.next.retain(|a| drop.binary_search(a).is_err());
    }

    /// Forget the nodes made since the last compaction that no active node can reach, once
    /// there are [`Search::compact_young`] of them. Nodes kept by an earlier compaction are taken as
    /// alive and left where they are: walking every path back to the paragraph's start (and
    /// clearing a mark per node of the arena) each time made compaction the larger part of
    /// breaking a paragraph of millions of words. The few of them that die later stay as
    /// garbage. Nodes keep their order, so the search's choices do not change.
    fn maybe_compact(&mut self) {
        let young = self.arena.len() - self.settled;
        if young < self.compact_young {
            return;
        }
        let base = self.settled;
        let mut live = vec![false; young];
        for &a in &self.active {
            let mut k = a;
            while k != NONE && k >= base && !live[k - base] {
                live[k - base] = true;
                k = self.arena[k].prev;
            }
        }
        let mut map = vec![NONE; young];
        let mut kept = base;
        for (offset, &alive) in live.iter().enumerate() {
            if alive {
                let mut node = self.arena[base + offset];
                if node.prev != NONE && node.prev >= base {
                    node.prev = map[node.prev - base];
                }
                map[offset] = kept;
                self.arena[kept] = node;
                kept += 1;
            }
        }
        self.arena.truncate(kept);
        for a in &mut self.active {
            if *a >= base {
                *a = map[*a - base];
            }
        }
        self.settled = kept;
    }

    /// Pick the final node (honouring looseness) and read back its breaks.
    fn choose(&self, first_final: usize) -> Option<Outcome> {
        let finals = first_final..self.arena.len();
        let best = finals
            .clone()
            .min_by(|&x, &y| self.arena[x].total.total_cmp(&self.arena[y].total))?;
        let want = self.arena[best].line as i64 + i64::from(self.para.p.looseness);
        let chosen = finals.min_by(|&x, &y| {
            let (nx, ny) = (&self.arena[x], &self.arena[y]);
            let dx = (nx.line as i64 - want).abs();
            let dy = (ny.line as i64 - want).abs();
            dx.cmp(&dy).then(nx.total.total_cmp(&ny.total))
        })?;
        let node = &self.arena[chosen];
        Some(Outcome {
            breaks: self.read_back(chosen),
            demerits: node.total,
            miss: (node.line as i64 - want).unsigned_abs(),
        })
    }

    /// The breaks on the path ending at arena node `last`.
    fn read_back(&self, last: usize) -> Vec<(usize, bool, bool)> {
        let mut breaks = Vec::new();
        let mut k = last;
        while k != NONE && self.arena[k].prev != NONE {
            let n = &self.arena[k];
            breaks.push((n.pos, n.flagged, n.overfull));
            k = n.prev;
        }
        breaks.reverse();
        breaks
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Interword glue used by most tests: 3 pt, stretch 1.5, shrink 1.
    const SPACE: Item = Item::Glue {
        width: 3.0,
        stretch: 1.5,
        shrink: 1.0,
    };
    const HYPHEN: f64 = 3.0;

    /// Words as lists of syllable widths (hyphenation points between them).
    fn para(words: &[&[f64]]) -> Vec<Item> {
        let mut items = Vec::new();
        for (k, word) in words.iter().enumerate() {
            if k > 0 {
                items.push(SPACE);
            }
            for (j, &part) in word.iter().enumerate() {
                if j > 0 {
                    items.push(Item::hyphen(HYPHEN));
                }
                items.push(Item::Box { width: part });
            }
        }
        items.extend(Item::paragraph_end());
        items
    }

    /// Deterministic pseudo-random numbers (Knuth's MMIX LCG).
    struct Lcg(u64);

    impl Lcg {
        fn next(&mut self) -> u64 {
            self.0 = self
                .0
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            self.0 >> 33
        }

        fn below(&mut self, n: u64) -> u64 {
            self.next() % n.max(1)
        }

        /// Widths in whole points from `lo` to `hi` inclusive.
        fn width(&mut self, lo: u64, hi: u64) -> f64 {
            (lo + self.below(hi - lo + 1)) as f64
        }
    }

    /// `n` random words of 1 to `max_syl` syllables, each 5 to 20 pt wide.
    fn random_words(rng: &mut Lcg, n: usize, max_syl: u64) -> Vec<Vec<f64>> {
        (0..n)
            .map(|_| {
                let syl = 1 + rng.below(max_syl) as usize;
                (0..syl).map(|_| rng.width(5, 20)).collect()
            })
            .collect()
    }

    fn para_of(words: &[Vec<f64>]) -> Vec<Item> {
        let refs: Vec<&[f64]> = words.iter().map(|w| w.as_slice()).collect();
        para(&refs)
    }

    fn is_legal(items: &[Item], i: usize) -> bool {
        match items.get(i) {
            Some(Item::Glue { .. }) => i > 0 && matches!(items[i - 1], Item::Box { .. }),
            Some(Item::Penalty { cost, .. }) => *cost < INFINITY_PENALTY,
            Some(Item::Box { .. }) => false,
            None => i == items.len(),
        }
    }

    /// (natural, stretch, shrink, has fill) of items `start..end` plus the
    /// width of a penalty at `end`.
    fn stats(items: &[Item], start: usize, end: usize) -> (f64, f64, f64, bool) {
        let (mut n, mut st, mut sh, mut fil) = (0.0, 0.0, 0.0, false);
        for item in &items[start.min(end)..end] {
            match *item {
                Item::Box { width } => n += width,
                Item::Glue {
                    width,
                    stretch,
                    shrink,
                } => {
                    n += width;
                    sh += shrink;
                    if stretch.is_infinite() {
                        fil = true;
                    } else {
                        st += stretch;
                    }
                }
                Item::Penalty { .. } => {}
            }
        }
        if let Some(Item::Penalty { width, .. }) = items.get(end) {
            n += width;
        }
        (n, st, sh, fil)
    }

    /// First box after a break at `pos`.
    fn next_start(items: &[Item], pos: usize) -> usize {
        (pos + 1..items.len())
            .find(|&i| matches!(items[i], Item::Box { .. }))
            .unwrap_or(items.len())
    }

    /// Breaks are increasing, legal, end at the final forced break, and
    /// line starts follow the discard rule.
    fn assert_valid(items: &[Item], b: &Breaks) {
        let mut prev: Option<usize> = None;
        for line in &b.lines {
            assert!(prev.is_none_or(|p| line.end > p), "not increasing");
            assert!(is_legal(items, line.end), "illegal break at {}", line.end);
            let want = prev.map_or(0, |p| next_start(items, p).min(line.end));
            assert_eq!(line.start, want, "line start");
            assert!(line.ratio.is_finite() && line.badness.is_finite());
            prev = Some(line.end);
        }
        let forced_end =
            matches!(items.last(), Some(Item::Penalty { cost, .. }) if *cost <= -INFINITY_PENALTY);
        let end = items.len() - usize::from(forced_end);
        assert_eq!(prev, Some(end), "must end at the final break");
    }

    /// Whether the line `start..end` is overfull in width `w`.
    fn overfull(items: &[Item], start: usize, end: usize, w: f64) -> bool {
        let (n, _, sh, _) = stats(items, start, end);
        n - sh > w + 1e-6
    }

    /// Reference demerits of one line, as TeX computes them.
    struct RefLine {
        badness: f64,
        fitness: u8,
    }

    fn ref_line(items: &[Item], start: usize, end: usize, w: f64) -> Option<RefLine> {
        let (n, st, sh, fil) = stats(items, start, end);
        let short = w - n;
        if short > 1e-6 {
            let b = if fil {
                0.0
            } else if st > 0.0 {
                (100.0 * (short / st).powi(3)).min(10_000.0)
            } else {
                10_000.0
            };
            let fitness = if b > 99.0 {
                0
            } else if b > 12.0 {
                1
            } else {
                2
            };
            Some(RefLine {
                badness: b,
                fitness,
            })
        } else if short < -1e-6 {
            if -short > sh + 1e-6 {
                return None;
            }
            let b = 100.0 * (-short / sh).powi(3);
            Some(RefLine {
                badness: b,
                fitness: if b > 12.0 { 3 } else { 2 },
            })
        } else {
            Some(RefLine {
                badness: 0.0,
                fitness: 2,
            })
        }
    }

    /// Brute force over every subset of breakpoints: the least total
    /// demerits of a solution within `tolerance` (None if there is none),
    /// and whether any solution without an overfull line exists.
    fn brute_force(items: &[Item], w: f64, o: &BreakOptions) -> (Option<f64>, bool) {
        let last = items.len() - 1;
        let legal: Vec<usize> = (0..last).filter(|&i| is_legal(items, i)).collect();
        assert!(legal.len() <= 16, "too many breakpoints for brute force");
        let (mut best, mut any_fit) = (None::<f64>, false);
        for mask in 0u32..(1 << legal.len()) {
            let mut ends: Vec<usize> = (0..legal.len())
                .filter(|k| mask & (1 << k) != 0)
                .map(|k| legal[k])
                .collect();
            ends.push(last);
            let (fits, total) = ref_total(items, &ends, w, o);
            any_fit |= fits;
            if let Some(t) = total {
                best = Some(best.map_or(t, |b: f64| b.min(t)));
            }
        }
        (best, any_fit)
    }

    /// (no line overfull, total demerits if every line is within tolerance).
    fn ref_total(items: &[Item], ends: &[usize], w: f64, o: &BreakOptions) -> (bool, Option<f64>) {
        let (mut start, mut fit_prev, mut flag_prev, mut run) = (0, 2u8, false, 0usize);
        let (mut total, mut ok) = (0.0, true);
        for (k, &end) in ends.iter().enumerate() {
            let Some(line) = ref_line(items, start, end, w) else {
                return (false, None);
            };
            let (cost, flagged) = match items[end] {
                Item::Penalty { cost, flagged, .. } => {
                    let c = if cost > -INFINITY_PENALTY && flagged {
                        cost + o.hyphen_penalty
                    } else {
                        cost
                    };
                    (c, flagged)
                }
                _ => (0.0, false),
            };
            let is_last = k + 1 == ends.len();
            run = if flagged { run + 1 } else { 0 };
            ok &= line.badness <= o.tolerance;
            ok &= o.max_hyphen_run == 0 || run <= o.max_hyphen_run;
            let mut d = (o.line_penalty + line.badness).powi(2);
            if o.line_penalty + line.badness >= 10_000.0 {
                d = 1.0e8;
            }
            if cost > 0.0 {
                d += cost * cost;
            } else if cost > -INFINITY_PENALTY {
                d -= cost * cost;
            }
            if flag_prev && is_last {
                d += o.final_hyphen_demerits;
            } else if flag_prev && flagged {
                d += o.double_hyphen_demerits;
            }
            if line.fitness.abs_diff(fit_prev) > 1 {
                d += o.adj_demerits;
            }
            total += d;
            (fit_prev, flag_prev) = (line.fitness, flagged);
            start = next_start(items, end).min(ends.get(k + 1).copied().unwrap_or(end));
        }
        (true, ok.then_some(total))
    }

    /// Greedy first-fit: each line takes as much as fits (using shrink).
    fn greedy(items: &[Item], w: f64) -> Vec<usize> {
        let (mut breaks, mut start, mut cand) = (Vec::new(), 0, None);
        for i in 0..items.len() {
            if !is_legal(items, i) {
                continue;
            }
            if overfull(items, start, i, w) {
                if let Some(c) = cand {
                    breaks.push(c);
                    start = next_start(items, c);
                }
            }
            cand = Some(i);
            if matches!(items[i], Item::Penalty { cost, .. } if cost <= -INFINITY_PENALTY) {
                breaks.push(i);
                start = next_start(items, i);
                cand = None;
            }
        }
        breaks
    }

    fn hyphen_run_max(b: &Breaks) -> usize {
        let (mut run, mut max) = (0, 0);
        for l in &b.lines {
            run = if l.hyphenated { run + 1 } else { 0 };
            max = max.max(run);
        }
        max
    }

    fn uniform(items: &[Item], w: f64, o: &BreakOptions) -> Breaks {
        break_paragraph(items, &LineWidths::Uniform(w), o)
    }

    fn words_of(widths: &[f64]) -> Vec<Vec<f64>> {
        widths.iter().map(|&w| vec![w]).collect()
    }

    #[test]
    fn badness_is_cubic_and_capped() {
        assert_eq!(badness(0.0), 0.0);
        assert_eq!(badness(0.5), 12.5);
        assert_eq!(badness(1.0), 100.0);
        assert_eq!(badness(-1.0), 100.0);
        assert_eq!(badness(3.0), 2700.0);
        assert_eq!(badness(5.0), INF_BAD);
        assert_eq!(badness(f64::INFINITY), INF_BAD);
    }

    /// (a) Greedy filling shrinks the second line to the limit; total fit
    /// sets three comfortable lines instead, with far fewer demerits.
    #[test]
    fn total_fit_differs_from_greedy() {
        let items = para_of(&words_of(&[19.0, 17.0, 17.0, 6.0, 10.0, 14.0, 17.0, 5.0]));
        let o = BreakOptions::default();
        let b = uniform(&items, 60.0, &o);
        assert_valid(&items, &b);
        let g = greedy(&items, 60.0);
        assert_eq!(g, vec![5, 17]);
        assert_eq!(b.positions(), vec![5, 13, 17]);
        assert_eq!(b.pass, Pass::Normal);
        let greedy_demerits = ref_total(&items, &g, 60.0, &o).1.unwrap_or(f64::INFINITY);
        let ours = ref_total(&items, &b.positions(), 60.0, &o)
            .1
            .unwrap_or(f64::INFINITY);
        assert!((ours - b.demerits).abs() < 1e-6);
        assert!(ours < greedy_demerits / 1.5, "{ours} vs {greedy_demerits}");
        assert_eq!(b.lines[1].ratio, 4.0 / 4.5);
    }

    /// (b) Three-word lines are too loose for tolerance 200 (badness 237);
    /// emergency stretch makes them acceptable; nothing is ever overfull.
    #[test]
    fn emergency_pass_rescues_loose_paragraph() {
        let items = para_of(&words_of(&[10.0; 6]));
        let o = BreakOptions::default();
        let b = uniform(&items, 40.0, &o);
        assert_valid(&items, &b);
        assert_eq!(b.pass, Pass::Emergency);
        assert_eq!(b.positions(), vec![5, 13]);
        assert!(!b.has_overfull());
        assert_eq!(b.lines[0].ratio, 4.0 / 3.0);
        assert!(b.lines[0].badness > 200.0);
        let no_emergency = BreakOptions {
            emergency_stretch: 0.0,
            ..o
        };
        let last = uniform(&items, 40.0, &no_emergency);
        assert_eq!(last.pass, Pass::LastResort);
        assert_eq!(last.positions(), vec![5, 13]);
        assert!(!last.has_overfull());
    }

    /// (c) Forced breaks end lines (a line may be empty), forbidden ones
    /// never do.
    #[test]
    fn forced_and_forbidden_breaks() {
        let word = Item::Box { width: 10.0 };
        let mut items = vec![word, SPACE, word];
        items.extend(Item::paragraph_end());
        items.extend([word, SPACE, word, SPACE, word]);
        items.push(Item::Penalty {
            width: 0.0,
            cost: INFINITY_PENALTY,
            flagged: false,
        });
        items.extend([SPACE, word, SPACE, word]);
        items.extend(Item::paragraph_end());
        let b = uniform(&items, 46.0, &BreakOptions::default());
        assert_valid(&items, &b);
        assert_eq!(b.pass, Pass::Normal);
        // The forbidding penalty (11) also makes the glue after it (12)
        // illegal, so the second line shrinks fully to take four words.
        assert_eq!(b.positions(), vec![5, 14, 18]);
        assert_eq!(b.lines[1].ratio, -1.0);

        let twice = [word, Item::forced_break(), Item::forced_break(), word];
        let b = uniform(&twice, 46.0, &BreakOptions::default());
        assert_valid(&twice, &b);
        assert_eq!(b.positions(), vec![1, 2, 4]);
        assert_eq!((b.lines[1].start, b.lines[1].end), (2, 2));
        assert!(!b.has_overfull());
    }

    /// The instance for (d): five words with hyphenation points.
    fn hyphen_ladder() -> Vec<Item> {
        para(&[
            &[12.0, 10.0, 6.0],
            &[15.0, 5.0, 8.0],
            &[7.0],
            &[8.0],
            &[7.0, 9.0],
            &[6.0, 17.0],
            &[8.0, 15.0],
            &[5.0, 15.0, 13.0],
        ])
    }

    /// (d) Without double-hyphen demerits the optimum ends three lines in a
    /// row with hyphens; the default demerits alone, or the hard limit alone,
    /// find the alternative with at most two.
    #[test]
    fn consecutive_hyphens_are_avoided() {
        let items = hyphen_ladder();
        let free = BreakOptions {
            hyphen_penalty: 0.0,
            double_hyphen_demerits: 0.0,
            final_hyphen_demerits: 0.0,
            max_hyphen_run: 0,
            ..BreakOptions::default()
        };
        let b = uniform(&items, 50.0, &free);
        assert_valid(&items, &b);
        assert_eq!(b.positions(), vec![7, 17, 25, 35]);
        assert_eq!(hyphen_run_max(&b), 3);
        let demerits = BreakOptions {
            double_hyphen_demerits: 10_000.0,
            ..free
        };
        let d = uniform(&items, 50.0, &demerits);
        assert_valid(&items, &d);
        assert_eq!((d.pass, d.positions()), (Pass::Normal, vec![7, 19, 27, 35]));
        assert!(hyphen_run_max(&d) <= 2);
        let limit = BreakOptions {
            max_hyphen_run: 2,
            ..free
        };
        let l = uniform(&items, 50.0, &limit);
        assert_valid(&items, &l);
        assert_eq!(l.pass, Pass::Normal);
        assert!(hyphen_run_max(&l) <= 2);
    }

    /// (e) A word wider than the measure gets a line of its own, reported as
    /// overfull; the other lines are not. Also for a 10,000,000 pt word.
    #[test]
    fn word_wider_than_measure_is_reported() {
        let items = para_of(&words_of(&[5.0, 50.0, 5.0]));
        let b = uniform(&items, 20.0, &BreakOptions::default());
        assert_valid(&items, &b);
        assert_eq!(b.pass, Pass::LastResort);
        assert_eq!(b.positions(), vec![1, 3, 7]);
        let flags: Vec<bool> = b.lines.iter().map(|l| l.overfull).collect();
        assert_eq!(flags, vec![false, true, false]);

        let mut rng = Lcg(5);
        let mut words = random_words(&mut rng, 60, 2);
        words[30] = vec![1.0e7];
        let items = para_of(&words);
        let b = uniform(&items, 200.0, &BreakOptions::default());
        assert_valid(&items, &b);
        let over: Vec<&Line> = b.lines.iter().filter(|l| l.overfull).collect();
        assert_eq!(over.len(), 1);
        let huge = items.iter().position(|i| *i == Item::Box { width: 1.0e7 });
        assert!(huge.is_some_and(|h| over[0].start <= h && h < over[0].end));
    }

    /// (f) Ragged right with the built-in right-margin glue: rigid spaces,
    /// no overfull line, and the margin takes exactly the slack.
    #[test]
    fn ragged_right_with_margin_glue() {
        let rigid = Item::Glue {
            width: 3.0,
            stretch: 0.0,
            shrink: 0.0,
        };
        let mut rng = Lcg(3);
        let mut items = Vec::new();
        for k in 0..80 {
            if k > 0 {
                items.push(rigid);
            }
            items.push(Item::Box {
                width: rng.width(5, 30),
            });
        }
        items.extend(Item::paragraph_end());
        let justified = uniform(&items, 120.0, &BreakOptions::default());
        assert_ne!(justified.pass, Pass::Normal, "rigid spaces cannot justify");
        let o = BreakOptions {
            ragged: Some(36.0),
            ..BreakOptions::default()
        };
        let b = uniform(&items, 120.0, &o);
        assert_valid(&items, &b);
        assert_eq!(b.pass, Pass::Normal);
        for line in &b.lines[..b.lines.len() - 1] {
            let (natural, ..) = stats(&items, line.start, line.end);
            assert!(natural <= 120.0 && line.badness <= 200.0);
            assert!((line.ratio * 36.0 - (120.0 - natural)).abs() < 1e-9);
        }
    }

    /// (f) Ragged right the Knuth–Plass way, with the caller's own glue:
    /// `glue(0, γ, 0) penalty(0) glue(space, -γ, 0)` between words.
    #[test]
    fn ragged_right_with_caller_glue() {
        let mut rng = Lcg(4);
        let mut items = Vec::new();
        for k in 0..60 {
            if k > 0 {
                items.extend([
                    Item::Glue {
                        width: 0.0,
                        stretch: 36.0,
                        shrink: 0.0,
                    },
                    Item::Penalty {
                        width: 0.0,
                        cost: 0.0,
                        flagged: false,
                    },
                    Item::Glue {
                        width: 3.0,
                        stretch: -36.0,
                        shrink: 0.0,
                    },
                ]);
            }
            items.push(Item::Box {
                width: rng.width(5, 30),
            });
        }
        items.extend(Item::paragraph_end());
        let b = uniform(&items, 120.0, &BreakOptions::default());
        assert_valid(&items, &b);
        assert_eq!(b.pass, Pass::Normal);
        assert!(!b.has_overfull());
        for line in &b.lines[..b.lines.len() - 1] {
            let (natural, stretch, ..) = stats(&items, line.start, line.end);
            assert!(natural <= 120.0);
            // A break at the zero-width glue loses the margin stretch, so
            // it is only chosen (as a tie) when the line is exactly full.
            match items[line.end] {
                Item::Penalty { .. } => assert_eq!(stretch, 36.0),
                _ => assert_eq!(natural, 120.0),
            }
        }
    }

    /// (g) 20,000 words of synthetic widths, with hyphenation points and a
    /// different first line, finish and give valid, never overfull breaks.
    #[test]
    fn long_paragraph_completes() {
        let mut rng = Lcg(1);
        let words = random_words(&mut rng, 20_000, 3);
        let items = para_of(&words);
        let widths = LineWidths::FirstRest {
            first: 280.0,
            rest: 300.0,
        };
        let clock = std::time::Instant::now();
        let b = break_paragraph(&items, &widths, &BreakOptions::default());
        eprintln!("20,000 words: {} items, {:?}", items.len(), clock.elapsed());
        assert_valid(&items, &b);
        assert_eq!(b.pass, Pass::Normal);
        assert!(!b.has_overfull());
        assert!(hyphen_run_max(&b) <= 2);
        assert!(b.lines.len() > 1000);
    }

    /// (g) Small random paragraphs against brute force over every subset of
    /// breakpoints: same optimum when one exists within tolerance, the
    /// normal pass fails when none does, never overfull when avoidable.
    #[test]
    fn random_paragraphs_match_brute_force() {
        let mut rng = Lcg(42);
        let mut checked = 0;
        for _ in 0..400 {
            let n = 3 + rng.below(5) as usize;
            let words = random_words(&mut rng, n, 2);
            let items = para_of(&words);
            let legal = (0..items.len() - 1)
                .filter(|&i| is_legal(&items, i))
                .count();
            if legal > 12 {
                continue;
            }
            let w = rng.width(25, 80);
            let o = BreakOptions {
                tolerance: [100.0, 200.0, 1000.0, 10_000.0][rng.below(4) as usize],
                max_hyphen_run: rng.below(3) as usize,
                emergency_stretch: 0.0,
                ..BreakOptions::default()
            };
            let b = uniform(&items, w, &o);
            assert_valid(&items, &b);
            let (best, any_fit) = brute_force(&items, w, &o);
            match best {
                Some(d) => {
                    assert_eq!(b.pass, Pass::Normal);
                    assert!(
                        (d - b.demerits).abs() <= 1e-6 * d.abs().max(1.0),
                        "{d} {b:?}"
                    );
                }
                None => assert_ne!(b.pass, Pass::Normal),
            }
            if any_fit {
                assert!(!b.has_overfull(), "{words:?} {w} {b:?}");
            }
            checked += 1;
        }
        assert!(checked > 200);
    }

    /// (g) Larger random paragraphs whose words all fit the measure: valid
    /// breaks and never an overfull line, for several shapes and settings.
    #[test]
    fn random_paragraphs_never_overfull() {
        let mut rng = Lcg(9);
        for round in 0..60 {
            let n = 20 + rng.below(200) as usize;
            let words = random_words(&mut rng, n, 3);
            let items = para_of(&words);
            let list = [rng.width(60, 200), rng.width(60, 200), rng.width(60, 200)];
            let narrow = |line: usize| if line % 3 == 1 { 70.0 } else { 150.0 };
            let widths = match round % 4 {
                0 => LineWidths::Uniform(list[0]),
                1 => LineWidths::FirstRest {
                    first: list[0],
                    rest: list[1],
                },
                2 => LineWidths::List(&list),
                _ => LineWidths::Shaped {
                    width: &narrow,
                    constant_from: usize::MAX,
                },
            };
            let o = BreakOptions {
                tolerance: rng.width(0, 400),
                looseness: rng.below(3) as i32 - 1,
                emergency_stretch: rng.width(0, 20),
                ..BreakOptions::default()
            };
            let b = break_paragraph(&items, &widths, &o);
            assert_valid(&items, &b);
            assert!(!b.has_overfull(), "round {round}");
            for (n, line) in b.lines.iter().enumerate() {
                assert!(!overfull(&items, line.start, line.end, widths.width(n)));
            }
        }
    }

    #[test]
    fn looseness_sets_one_more_line() {
        let mut rng = Lcg(8);
        let items = para_of(&random_words(&mut rng, 40, 1));
        let o = BreakOptions {
            tolerance: 1000.0,
            ..BreakOptions::default()
        };
        let base = uniform(&items, 150.0, &o);
        let looser = uniform(&items, 150.0, &BreakOptions { looseness: 1, ..o });
        assert_valid(&items, &looser);
        assert_eq!(looser.lines.len(), base.lines.len() + 1);
        assert_eq!(looser.pass, Pass::Normal);
        // Nothing shrinks enough for fewer lines: the optimum stays.
        let tighter = uniform(&items, 150.0, &BreakOptions { looseness: -1, ..o });
        assert_eq!(tighter, base);
    }

    #[test]
    fn first_line_width_is_respected() {
        let items = para_of(&words_of(&[10.0; 12]));
        let widths = LineWidths::FirstRest {
            first: 26.0,
            rest: 100.0,
        };
        let b = break_paragraph(&items, &widths, &BreakOptions::default());
        assert_valid(&items, &b);
        assert_eq!(b.positions()[0], 3);
        assert!(!b.has_overfull());
    }

    #[test]
    fn missing_final_break_ends_like_a_paragraph() {
        let word = Item::Box { width: 10.0 };
        let items = [word, SPACE, word, SPACE, word, SPACE];
        let b = uniform(&items, 100.0, &BreakOptions::default());
        assert_eq!(b.pass, Pass::Normal);
        assert_eq!(b.lines.len(), 1);
        assert_eq!((b.lines[0].start, b.lines[0].end), (0, items.len()));
        assert_eq!(b.lines[0].badness, 0.0);
    }

    #[test]
    fn degenerate_inputs_do_not_panic() {
        let o = BreakOptions::default();
        let empty = uniform(&[], 100.0, &o);
        assert!(empty.lines.is_empty());
        let glue_only = [SPACE, Item::forced_break(), SPACE];
        assert!(uniform(&glue_only, 100.0, &o).lines.is_empty());
        let nan = f64::NAN;
        let weird = [
            Item::Box { width: nan },
            Item::Glue {
                width: nan,
                stretch: nan,
                shrink: f64::INFINITY,
            },
            Item::Box {
                width: f64::INFINITY,
            },
            Item::Penalty {
                width: nan,
                cost: nan,
                flagged: true,
            },
            Item::Box { width: -5.0 },
            Item::Glue {
                width: 1.0,
                stretch: f64::NEG_INFINITY,
                shrink: -3.0,
            },
            Item::Box { width: 0.0 },
        ];
        let bad_opts = BreakOptions {
            tolerance: nan,
            line_penalty: f64::INFINITY,
            hyphen_penalty: nan,
            double_hyphen_demerits: nan,
            final_hyphen_demerits: f64::NEG_INFINITY,
            adj_demerits: nan,
            emergency_stretch: nan,
            looseness: i32::MIN,
            max_hyphen_run: usize::MAX,
            ragged: Some(nan),
        };
        for w in [0.0, nan, -10.0, f64::INFINITY, 50.0] {
            for opts in [&o, &bad_opts] {
                let b = uniform(&weird, w, opts);
                assert!(!b.lines.is_empty());
                assert!(b.lines.iter().all(|l| l.ratio.is_finite()));
                let b = break_paragraph(&weird, &LineWidths::List(&[]), opts);
                assert_eq!(b.lines.last().map(|l| l.end), Some(weird.len()));
            }
        }
    }

    /// Zero-width material never overflows, so every node would stay active;
    /// the active-list cap keeps this linear.
    #[test]
    fn zero_width_paragraph_stays_bounded() {
        let mut items = Vec::new();
        for _ in 0..30_000 {
            items.extend([
                Item::Box { width: 0.0 },
                Item::Glue {
                    width: 0.0,
                    stretch: 1.0,
                    shrink: 0.0,
                },
            ]);
        }
        items.extend(Item::paragraph_end());
        let b = uniform(&items, 100.0, &BreakOptions::default());
        assert_valid(&items, &b);
    }

    /// A paragraph of `words` words of `width` points (code spans, tiny and all alike).
    fn tiny_words(words: usize, width: f64) -> Vec<Item> {
        let mut items = Vec::new();
        for k in 0..words {
            if k > 0 {
                items.push(SPACE);
            }
            items.push(Item::Box { width });
        }
        items.extend(Item::paragraph_end());
        items
    }

    /// Lines evaluated by the normal pass over `items`, and its outcome.
    fn normal_pass(items: &[Item], widths: &LineWidths, ordered: bool) -> (usize, Option<Outcome>) {
        let mut para = Paragraph::new(items, widths, &BreakOptions::default());
        para.monotone &= ordered;
        let (normal, _) = para.passes()[0];
        let mut search = Search::new(&para, normal);
        let outcome = search.run();
        (search.considered, outcome)
    }

    /// With forty words to a line, every breakpoint used to be tried from the 150 or so
    /// nodes of the last line's width; the ordered search looks at those within reach of a
    /// feasible line only.
    #[test]
    fn the_search_looks_only_at_nodes_within_a_line() {
        let items = tiny_words(20_000, 6.0);
        let widths = LineWidths::FirstRest {
            first: 300.0,
            rest: 300.0,
        };
        let breakpoints = 20_000;
        let (ordered, found) = normal_pass(&items, &widths, true);
        let (full, found_full) = normal_pass(&items, &widths, false);
        assert!(found.is_some() && found_full.is_some());
        assert!(full > 100 * breakpoints, "the full scan did {full}");
        assert!(
            ordered < 50 * breakpoints,
            "{ordered} lines tried for {breakpoints} breakpoints"
        );
    }

    /// Compacting the arena (often, here) changes none of the search's choices.
    #[test]
    fn compaction_keeps_the_breaks() {
        let mut rng = Lcg(5);
        let items = para_of(&random_words(&mut rng, 20_000, 3));
        let widths = LineWidths::FirstRest {
            first: 280.0,
            rest: 300.0,
        };
        let para = Paragraph::new(&items, &widths, &BreakOptions::default());
        let (normal, _) = para.passes()[0];
        let outcome = |young: usize| {
            let mut search = Search::new(&para, normal);
            search.compact_young = young;
            let outcome = search.run().expect("a normal pass");
            (
                outcome.breaks,
                outcome.demerits.to_bits(),
                search.arena.len(),
            )
        };
        let never = outcome(usize::MAX);
        for young in [64, COMPACT_YOUNG] {
            let compacted = outcome(young);
            assert_eq!((&compacted.0, compacted.1), (&never.0, never.1));
        }
        let kept = outcome(COMPACT_YOUNG).2;
        assert!(kept * 3 < never.2, "{kept} nodes kept of {}", never.2);
    }

    /// The ordered search gives exactly the breaks of the full scan, on paragraphs of every
    /// shape, with hyphens, forced breaks, fill glue and the settings that change the passes.
    #[test]
    fn the_ordered_search_breaks_as_the_full_scan_does() {
        let mut rng = Lcg(77);
        for round in 0..300 {
            let n = 10 + rng.below(150) as usize;
            let mut items = para_of(&random_words(&mut rng, n, 3));
            if round % 5 == 0 {
                let at = rng.below(items.len() as u64 - 3) as usize;
                let at = (at..items.len()).find(|&i| matches!(items[i], Item::Glue { .. }));
                if let Some(at) = at {
                    let hard = [
                        Item::Glue {
                            width: 0.0,
                            stretch: f64::INFINITY,
                            shrink: 0.0,
                        },
                        Item::forced_break(),
                    ];
                    items.splice(at..at + 1, hard);
                }
            }
            let list = [rng.width(40, 200), rng.width(40, 200), rng.width(40, 200)];
            let narrow = |line: usize| if line % 3 == 1 { 70.0 } else { 150.0 };
            let widths = match round % 5 {
                0 => LineWidths::Uniform(list[0]),
                1 | 4 => LineWidths::FirstRest {
                    first: list[0],
                    rest: list[1],
                },
                2 => LineWidths::List(&list),
                _ => LineWidths::Shaped {
                    width: &narrow,
                    constant_from: usize::MAX,
                },
            };
            let o = BreakOptions {
                tolerance: [50.0, 100.0, 200.0, 1000.0][rng.below(4) as usize],
                looseness: [0, 0, 0, 1, -1][rng.below(5) as usize],
                emergency_stretch: rng.width(0, 20),
                max_hyphen_run: rng.below(3) as usize,
                ragged: (round % 7 == 0).then_some(30.0),
                ..BreakOptions::default()
            };
            let ordered = Paragraph::new(&items, &widths, &o);
            assert!(ordered.monotone);
            let mut full = Paragraph::new(&items, &widths, &o);
            full.monotone = false;
            assert_eq!(break_lines(&ordered), break_lines(&full), "round {round}");
        }
    }

    /// Not run by default: the figure for a 5 MB paragraph (about 900,000
    /// words). `cargo test --release -- --ignored --nocapture huge`.
    #[test]
    #[ignore]
    fn huge_paragraph() {
        let mut rng = Lcg(2);
        let words = random_words(&mut rng, 900_000, 3);
        let items = para_of(&words);
        let clock = std::time::Instant::now();
        let b = uniform(&items, 300.0, &BreakOptions::default());
        eprintln!(
            "{} items, {} lines, {:?}",
            items.len(),
            b.lines.len(),
            clock.elapsed()
        );
        assert!(!b.has_overfull());
    }
}
