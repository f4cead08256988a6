//! The search for the best breaks of a paragraph: one pass over its breakpoints with an
//! arena of nodes reached so far and the active list of those a line can still start from.

use super::{
    fit_line, Breakpoint, Fit, Kind, Measure, Paragraph, PassConfig, Sums, DECENT, FITNESS_CLASSES,
    NONE,
};

/// Active nodes above this many are pruned (oldest first) to keep huge or
/// degenerate paragraphs (e.g. zero-width items) linear.
const MAX_ACTIVE: usize = 1024;
/// Nodes made since the last compaction of the line breaker's arena that trigger the next.
pub(super) const COMPACT_YOUNG: usize = 4096;
/// Distinct hyphen-run lengths tracked per breakpoint.
const MAX_RUN_BUCKETS: usize = 8;

/// A breakpoint reached by some path: an entry of the node arena.
#[derive(Clone, Copy)]
pub(super) struct Node {
    /// Item index of the break (0 for the paragraph start).
    pub(super) pos: usize,
    /// First item of the following line.
    pub(super) start: usize,
    /// Totals up to `start`.
    pub(super) sums: Sums,
    /// Lines set before this break's following line.
    pub(super) line: usize,
    /// The node this one was reached from.
    pub(super) prev: usize,
    /// Total demerits from the paragraph start.
    pub(super) total: f64,
    pub(super) fitness: u8,
    /// Consecutive flagged breaks ending here.
    pub(super) run: u8,
    pub(super) flagged: bool,
    /// The line ending here is overfull (last-resort break).
    pub(super) overfull: bool,
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
pub(super) struct Outcome {
    pub(super) breaks: Vec<(usize, bool, bool)>,
    pub(super) demerits: f64,
    /// How many lines the result is away from the requested looseness.
    pub(super) miss: u64,
}

/// The state of one pass over a paragraph.
pub(super) struct Search<'p, 'a> {
    para: &'p Paragraph<'a>,
    cfg: PassConfig,
    pub(super) arena: Vec<Node>,
    active: Vec<usize>,
    next: Vec<usize>,
    cands: [Candidate; FITNESS_CLASSES * MAX_RUN_BUCKETS],
    /// Arena nodes before this index were kept by a compaction and are not looked at again
    /// (see [`Search::maybe_compact`]).
    settled: usize,
    /// Nodes made since the last compaction that trigger the next ([`COMPACT_YOUNG`]).
    pub(super) compact_young: usize,
    /// Cached start of the line after recent breaks: (start, totals there).
    start_cache: Option<(usize, Sums)>,
    /// Lines from an active node to a breakpoint evaluated so far: the work of the search.
    pub(super) considered: usize,
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
    pub(super) fn new(para: &'p Paragraph<'a>, cfg: PassConfig) -> Self {
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
    pub(super) fn run(&mut self) -> Option<Outcome> {
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
        let hyphen_before_last = node.flagged && bp.last;
        if hyphen_before_last && !self.para.p.hyphen_before_last_line && !self.cfg.last {
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
