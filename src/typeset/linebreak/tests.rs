//! Tests of the line breaker: hand-made paragraphs, and random ones checked against a brute
//! force search and a greedy breaker.

use super::search::COMPACT_YOUNG;
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
        ok &= o.hyphen_before_last_line || !(flag_prev && is_last);
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
        hyphen_before_last_line: true,
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

/// The last full line of a paragraph never ends at a hyphen unless the option allows it
/// or only the last resort can set the paragraph: at some measures the free optimum does
/// end there, and then the rule finds another set of breaks.
#[test]
fn no_hyphen_before_the_last_line() {
    let items = hyphen_ladder();
    let free = BreakOptions {
        hyphen_penalty: 0.0,
        final_hyphen_demerits: 0.0,
        hyphen_before_last_line: true,
        ..BreakOptions::default()
    };
    let ruled = BreakOptions {
        hyphen_before_last_line: false,
        ..free
    };
    let penultimate_hyphen =
        |b: &Breaks| b.lines.len() >= 2 && b.lines[b.lines.len() - 2].hyphenated;
    let mut differs = 0;
    for w in 30..90 {
        let w = f64::from(w);
        let (f, r) = (uniform(&items, w, &free), uniform(&items, w, &ruled));
        assert_valid(&items, &r);
        if r.pass != Pass::LastResort {
            assert!(!penultimate_hyphen(&r), "{w}: {r:?}");
        }
        if penultimate_hyphen(&f) && !penultimate_hyphen(&r) {
            differs += 1;
        }
    }
    assert!(differs > 0);
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
        hyphen_before_last_line: false,
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
