//! The page builder: a chapter's vertical flow of lines and spaces cut into pages.
//!
//! Breaks are allowed or forbidden per element, which is how widows, orphans and headings
//! kept with what follows are expressed (see [`paragraph_breaks`]). Each page is filled while
//! its lines and the footnotes they call fit; when the next element does not fit, the page
//! ends at the last allowed break, preferring one that does not leave a hyphen at the foot of
//! the page. Footnotes go to the foot of the page that calls them, under a short rule; a note
//! too long for the space left is split and continued on the next page. Discardable space at
//! the top of a page is dropped. Pages end short rather than break a rule ("move a line").
//!
//! A figure that does not fit where it stands floats, as LaTeX's `[tp]` would: to the top of
//! its own page when it takes at most [`PageSpec::top_float_fraction`] of it (the text before
//! it then sets below it), else to the top of the next page, the text after it filling this
//! one. Figures keep their order; one marked "here" never floats.
//!
//! In a two-sided book the two pages of a spread end at the same height: when one of them
//! must end a line or two short, its facing page is cut short by the same amount, so the
//! spread's foot lines up (the last resort the issue allows, taken consistently on both
//! pages). A spread that shortening cannot balance (the widow and orphan rules move two
//! lines where one was wanted) has its shorter page's lines spaced out, by at most two
//! lines in all, until the feet meet. A chapter's last page carries at least [`MIN_LAST_PAGE_LINES`] lines when a line
//! or two taken from each page of the previous spread can give it that many.
//!
//! The cutter tries pages and spreads several ways, so it places lines by reference
//! ([`LineRef`]); once the cut is final, the lines are moved from the flow and the notes
//! onto the pages. Cloning them onto each page held every line of a chapter twice.

use super::layout::Item;
use crate::units::Pt;

/// One element of the vertical flow.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Flow {
    /// A line (or an unbreakable block such as a figure or a heading line).
    Line(FlowLine),
    /// Vertical space, dropped at the top of a page.
    Space(Pt),
}

/// A line of the flow and what the page builder must know about it.
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct FlowLine {
    /// Vertical advance from this line's top to the next element's top.
    pub height: Pt,
    /// What is drawn, relative to the line's top-left corner (x from the text block's left).
    pub items: Vec<Item>,
    /// Footnotes this line calls (indices into the chapter's note lines).
    pub notes: Vec<usize>,
    /// May the page end after this line?
    pub break_after: bool,
    /// The line ends with a hyphen (a page should not end on it).
    pub hyphenated: bool,
    /// A line set again at the top of a page this line starts (a table's header row),
    /// shared by all the rows of its table.
    pub repeat: Option<std::sync::Arc<FlowLine>>,
    /// A figure: when it does not fit, the text after it fills the page and it goes to the
    /// top of the next page instead of leaving a gap.
    pub float: bool,
    /// Which structure elements the items belong to (`typeset::structure`).
    pub marks: Vec<crate::typeset::structure::LineMark>,
}

impl FlowLine {
    /// Adds `line`'s items, moved by (`dx`, `dy`), with the marks that say which elements
    /// they belong to (a span or a formula inside a table's cell or a caption), and the
    /// notes it calls.
    pub(crate) fn append(&mut self, line: FlowLine, dx: Pt, dy: Pt) {
        let offset = u32::try_from(self.items.len()).unwrap_or(u32::MAX);
        self.marks.extend(
            line.marks
                .into_iter()
                .map(|mark| crate::typeset::structure::LineMark {
                    first: mark.first.saturating_add(offset),
                    ..mark
                }),
        );
        self.items
            .extend(crate::typeset::layout::moved(line.items, dx, dy));
        self.notes.extend(line.notes);
    }
}

/// A footnote's lines, set at the note size.
pub(crate) type NoteLines = Vec<FlowLine>;

/// A page's content before running heads and folios: body lines and footnote lines, each
/// with its top offset inside the text block.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct PageContent {
    /// Body lines and their tops.
    pub body: Vec<(Pt, FlowLine)>,
    /// Footnote lines and their tops (measured from the text block's top).
    pub notes: Vec<(Pt, FlowLine)>,
    /// Where the rule above the notes goes, when there are notes.
    pub note_rule: Option<Pt>,
}

/// Geometry the builder needs.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PageSpec {
    /// Height of the text block.
    pub text_height: Pt,
    /// Space between the body and the footnote rule, and the rule and the notes.
    pub note_gap: Pt,
    /// Extra space taken at the top of the first page (chapter openings are set lower).
    pub first_page_drop: Pt,
    /// Height of one body line; spreads are balanced in whole lines of this height.
    /// Zero turns balancing off (the contents, unit tests of the plain cutter).
    pub line: Pt,
    /// Pages come in spreads: page 0 is a recto, pages 1 and 2 face each other, and so on.
    pub two_sided: bool,
    /// The most of the text block a figure may take at the top of the page on which it
    /// does not fit where it stands (the text before it then sets below it); a taller one
    /// goes to the top of the next page. Zero keeps every figure in the flow's order.
    pub top_float_fraction: f64,
}

/// The fewest lines a chapter's last page should carry (a page with two or three lines looks
/// like an accident).
pub(crate) const MIN_LAST_PAGE_LINES: usize = 5;

/// A spread is balanced only when its pages end at most this many lines short; a bigger gap
/// is a figure or table that went to the next page, and shortening the facing page would
/// not make the two match.
const MAX_BALANCE_LINES: usize = 2;

/// Break rules for an n-line paragraph: no break after its first line (orphan) or before its
/// last (widow); a break after the last line is allowed.
pub(crate) fn paragraph_breaks(lines: usize) -> Vec<bool> {
    (1..=lines)
        .map(|k| k == lines || (k >= 2 && lines - k >= 2))
        .collect()
}

/// A line placed on a page while the cut is tried, by where it comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LineRef {
    /// The flow's line at this index.
    Flow(usize),
    /// The header (`repeat`) of the flow's line at this index.
    Header(usize),
    /// Line `.1` of note `.0`.
    Note(usize, usize),
}

/// A page as the cutter makes it: lines by reference, each with its top.
#[derive(Debug, Clone, Default)]
struct CutPage {
    body: Vec<(Pt, LineRef)>,
    notes: Vec<(Pt, LineRef)>,
    note_rule: Option<Pt>,
}

/// What the cutter reads: the chapter's flow and its notes' lines.
#[derive(Clone, Copy)]
struct Source<'a> {
    flow: &'a [Flow],
    notes: &'a [NoteLines],
}

impl Source<'_> {
    /// The line `line` refers to (a default line for a reference the cutter never makes).
    fn line(&self, line: LineRef) -> Option<&FlowLine> {
        match line {
            LineRef::Flow(index) => match self.flow.get(index) {
                Some(Flow::Line(line)) => Some(line),
                _ => None,
            },
            LineRef::Header(index) => match self.flow.get(index) {
                Some(Flow::Line(line)) => line.repeat.as_deref(),
                _ => None,
            },
            LineRef::Note(note, index) => self.notes.get(note)?.get(index),
        }
    }

    fn height(&self, line: LineRef) -> Pt {
        self.line(line).map_or(Pt::ZERO, |l| l.height)
    }

    /// Height of note lines.
    fn notes_height(&self, lines: &[(usize, usize)]) -> Pt {
        lines
            .iter()
            .map(|&(note, index)| self.height(LineRef::Note(note, index)))
            .sum()
    }
}

/// Where the cutter stands between two pages: the next flow element, note lines carried
/// over (note, line), and whether the next page is the chapter's first.
#[derive(Debug, Clone)]
struct CutState {
    start: usize,
    carried: Vec<(usize, usize)>,
    first: bool,
    /// Figures (flow indices) that did not fit and wait for the top of the next page.
    deferred: Vec<usize>,
    /// Figures already set at the top of an earlier page, above the text before them: the
    /// flow passes over them (and the space before each).
    set_above: Vec<usize>,
}

impl CutState {
    fn done(&self, flow: &[Flow]) -> bool {
        skip_spaces(flow, self.start) >= flow.len()
            && self.carried.is_empty()
            && self.deferred.is_empty()
    }
}

/// Cut the flow into pages, balancing spreads and the chapter's last page (see the module
/// documentation). The flow's and the notes' lines are moved onto the pages.
pub(crate) fn build_pages(
    flow: Vec<Flow>,
    notes: Vec<NoteLines>,
    spec: &PageSpec,
) -> Vec<PageContent> {
    let cut = cut_pages(
        Source {
            flow: &flow,
            notes: &notes,
        },
        spec,
    );
    materialize(cut, flow, notes)
}

/// The pages, lines by reference.
fn cut_pages(source: Source<'_>, spec: &PageSpec) -> Vec<CutPage> {
    let initial = CutState {
        start: 0,
        carried: Vec::new(),
        first: true,
        deferred: Vec::new(),
        set_above: Vec::new(),
    };
    let pages = cut_from(source, spec, initial.clone(), 0, (Pt::ZERO, 0));
    if spec.line <= Pt::ZERO || pages.len() < 2 {
        return pages;
    }
    let last_lines = pages.last().map_or(0, |p| p.body.len());
    let mut pages = if last_lines >= MIN_LAST_PAGE_LINES {
        pages
    } else {
        fill_last_page(source, spec, initial, pages)
    };
    if spec.two_sided {
        stretch_spreads(source, spec, &mut pages);
    }
    pages
}

/// The spreads that shortening could not balance (the widow and orphan rules moved two
/// lines where one was wanted) are balanced by stretching: the shorter page's lines are
/// spaced out evenly until its foot meets the facing page's, by no more than
/// [`MAX_BALANCE_LINES`] lines. The chapter's last page is left short, and a page with
/// footnotes ends at the foot of the text block anyway.
fn stretch_spreads(source: Source<'_>, spec: &PageSpec, pages: &mut [CutPage]) {
    let count = pages.len();
    let mut verso = 1;
    while verso + 2 < count {
        let recto = verso + 1;
        let (left, right) = pages.split_at_mut(recto);
        let (a, b) = (&mut left[verso], &mut right[0]);
        if a.notes.is_empty() && b.notes.is_empty() {
            let (foot_a, foot_b) = (body_foot(source, a), body_foot(source, b));
            let gap = (foot_a - foot_b).abs();
            let budget = spec.line * MAX_BALANCE_LINES as f64 + STRETCH_TOLERANCE;
            if gap > STRETCH_TOLERANCE && gap <= budget {
                let shorter = if foot_a < foot_b { a } else { b };
                stretch(shorter, gap);
            }
        }
        verso += 2;
    }
}

/// Lengths below this are the same position (rounding of line heights).
const STRETCH_TOLERANCE: Pt = Pt::new(0.01);

/// Where the page's body ends: the bottom of its last line.
fn body_foot(source: Source<'_>, page: &CutPage) -> Pt {
    page.body
        .last()
        .map_or(Pt::ZERO, |&(top, line)| top + source.height(line))
}

/// Move the page's lines down, each a share of `by` that grows evenly to all of it at the
/// last line (the first stays in place).
fn stretch(page: &mut CutPage, by: Pt) {
    let steps = page.body.len().saturating_sub(1);
    if steps == 0 {
        return;
    }
    for (n, (top, _)) in page.body.iter_mut().enumerate() {
        *top += by * (n as f64 / steps as f64);
    }
}

/// The cut pages with their lines: each line the cut places once is moved from `flow` or
/// `notes`, one placed more often is cloned but for its last place, and headers are cloned
/// from the line that repeats them (before any line moves).
fn materialize(
    cut: Vec<CutPage>,
    mut flow: Vec<Flow>,
    mut notes: Vec<NoteLines>,
) -> Vec<PageContent> {
    let source = Source {
        flow: &flow,
        notes: &notes,
    };
    let mut headers: Vec<FlowLine> = Vec::new();
    let mut uses = Uses {
        flow: vec![0; flow.len()],
        notes: notes.iter().map(|lines| vec![0; lines.len()]).collect(),
        none: 0,
    };
    for &(_, line) in cut.iter().flat_map(|p| p.body.iter().chain(&p.notes)) {
        match line {
            LineRef::Header(_) => {
                // A repeated header is a continuation mark: its text is in the structure
                // once, where the table starts.
                let mut header = source.line(line).cloned().unwrap_or_default();
                header.marks = vec![crate::typeset::structure::LineMark {
                    first: 0,
                    node: None,
                }];
                headers.push(header);
            }
            _ => *uses.of(line) += 1,
        }
    }
    let mut headers = headers.into_iter();
    let mut take = |line: LineRef| -> FlowLine {
        let slot = match line {
            LineRef::Header(_) => return headers.next().unwrap_or_default(),
            LineRef::Flow(index) => match flow.get_mut(index) {
                Some(Flow::Line(line)) => line,
                _ => return FlowLine::default(),
            },
            LineRef::Note(note, index) => {
                match notes.get_mut(note).and_then(|lines| lines.get_mut(index)) {
                    Some(line) => line,
                    None => return FlowLine::default(),
                }
            }
        };
        let left = uses.of(line);
        *left = left.saturating_sub(1);
        if *left == 0 {
            std::mem::take(slot)
        } else {
            slot.clone()
        }
    };
    cut.into_iter()
        .map(|page| PageContent {
            body: page
                .body
                .into_iter()
                .map(|(top, l)| (top, take(l)))
                .collect(),
            notes: page
                .notes
                .into_iter()
                .map(|(top, l)| (top, take(l)))
                .collect(),
            note_rule: page.note_rule,
        })
        .collect()
}

/// How many times the cut places each flow and note line.
struct Uses {
    flow: Vec<u32>,
    notes: Vec<Vec<u32>>,
    /// Where references the cutter never makes count (headers, lines out of range).
    none: u32,
}

impl Uses {
    fn of(&mut self, line: LineRef) -> &mut u32 {
        let slot = match line {
            LineRef::Flow(index) => self.flow.get_mut(index),
            LineRef::Note(note, index) => self.notes.get_mut(note).and_then(|l| l.get_mut(index)),
            LineRef::Header(_) => None,
        };
        slot.unwrap_or(&mut self.none)
    }
}

/// Cut pages from `state` on, the first of them numbered `index` within the chapter, with the
/// pages before chapter page `until` shortened by `reduce` (the later ones are balanced as
/// usual).
fn cut_from(
    source: Source<'_>,
    spec: &PageSpec,
    mut state: CutState,
    index: usize,
    (reduce, until): (Pt, usize),
) -> Vec<CutPage> {
    let mut pages: Vec<CutPage> = Vec::new();
    loop {
        let at = index + pages.len();
        let extra = if at < until { reduce } else { Pt::ZERO };
        let (spread, next, stuck) = cut_spread(source, spec, &state, at, extra);
        pages.extend(spread);
        if stuck || next.done(source.flow) {
            return pages;
        }
        state = next;
    }
}

/// Retry the end of the chapter with the previous spread (then the previous two, or the
/// opening page) a line or two shorter so that the last page carries [`MIN_LAST_PAGE_LINES`]; keep the original when
/// that costs a page or does not help.
fn fill_last_page(
    source: Source<'_>,
    spec: &PageSpec,
    initial: CutState,
    pages: Vec<CutPage>,
) -> Vec<CutPage> {
    let n = pages.len();
    let near = spread_start(n - 2, spec.two_sided);
    let mut starts = vec![near];
    if near > 1 {
        starts.push(spread_start(near - 1, spec.two_sided));
    }
    // The opening page may be shortened too: it faces the previous chapter's end or a blank.
    for start in starts {
        let Some(state) = replay(source, spec, initial.clone(), start) else {
            continue;
        };
        for lines in 1..=MAX_BALANCE_LINES {
            let reduce = (spec.line * lines as f64, n - 1);
            let tail = cut_from(source, spec, state.clone(), start, reduce);
            let last = tail.last().map_or(0, |p| p.body.len());
            if start + tail.len() == n && last >= MIN_LAST_PAGE_LINES {
                let mut out = pages;
                out.truncate(start);
                out.extend(tail);
                return out;
            }
        }
    }
    pages
}

/// The cutter's state after the first `count` pages, cut exactly as [`cut_from`] cuts them
/// (the cut is deterministic); `None` when the spreads do not end at `count`.
fn replay(
    source: Source<'_>,
    spec: &PageSpec,
    mut state: CutState,
    count: usize,
) -> Option<CutState> {
    let mut cut = 0;
    while cut < count {
        let (spread, next, stuck) = cut_spread(source, spec, &state, cut, Pt::ZERO);
        if stuck {
            return None;
        }
        cut += spread.len();
        state = next;
    }
    (cut == count).then_some(state)
}

/// The first page of the spread that holds chapter page `index` (page 0 stands alone).
fn spread_start(index: usize, two_sided: bool) -> usize {
    if !two_sided || index % 2 == 1 || index == 0 {
        index
    } else {
        index - 1
    }
}

/// Cut the next page, or the next two when they form a spread (a verso at an odd index and
/// the recto after it), so that both end at the same height. `extra` shortens both pages.
/// Returns the pages, the state after them, and whether the cutter is stuck.
fn cut_spread(
    source: Source<'_>,
    spec: &PageSpec,
    state: &CutState,
    index: usize,
    extra: Pt,
) -> (Vec<CutPage>, CutState, bool) {
    let Source { flow, notes } = source;
    let (verso, next, stuck, verso_short) = cut_page(flow, notes, spec, state, extra);
    let spread = spec.two_sided && spec.line > Pt::ZERO && index % 2 == 1;
    if !spread || stuck || next.done(flow) {
        return (vec![verso], next, stuck);
    }
    let (recto, after, stuck_b, recto_short) = cut_page(flow, notes, spec, &next, extra);
    let lines = |short: Pt| (short / spec.line + 0.25).floor() as usize;
    let (v0, r0) = (lines(verso_short), lines(recto_short));
    // Balanced already; or the recto ends the chapter; or a gap left by a figure that no
    // shortening of the facing page would match.
    if v0 == r0 || after.done(flow) || v0.max(r0) > MAX_BALANCE_LINES {
        return (vec![verso, recto], after, stuck_b);
    }
    // Shorten either page by up to MAX_BALANCE_LINES lines (each shortening may move more
    // than a line, because of the widow and orphan rules) and keep the pair whose feet
    // line up, preferring the least shortening.
    let mut best = (
        (v0.abs_diff(r0), v0 + r0),
        vec![verso, recto],
        after,
        stuck_b,
    );
    for a in 0..=MAX_BALANCE_LINES {
        let reduce_a = extra + spec.line * a as f64;
        let (verso, next, stuck, short) = cut_page(flow, notes, spec, state, reduce_a);
        if stuck || next.done(flow) {
            continue;
        }
        let seen_v = a + lines(short);
        for b in 0..=MAX_BALANCE_LINES {
            let reduce_b = extra + spec.line * b as f64;
            let (recto, after, stuck_b, short_b) = cut_page(flow, notes, spec, &next, reduce_b);
            if after.done(flow) {
                continue;
            }
            let seen_r = b + lines(short_b);
            let score = (seen_v.abs_diff(seen_r), seen_v + seen_r);
            if score < best.0 {
                best = (score, vec![verso.clone(), recto], after, stuck_b);
            }
        }
    }
    (best.1, best.2, best.3)
}

/// Cut one page from `state` with the text block `reduce` shorter. Returns the page, the
/// state after it, whether no progress was possible, and how far short of its (reduced)
/// height the page ends (zero when it has footnotes, which sit at the foot anyway).
fn cut_page(
    flow: &[Flow],
    notes: &[NoteLines],
    spec: &PageSpec,
    state: &CutState,
    reduce: Pt,
) -> (CutPage, CutState, bool, Pt) {
    let source = Source { flow, notes };
    let start = skip_spaces(flow, state.start);
    let header = match flow.get(start) {
        Some(Flow::Line(line)) if !state.first => line.repeat.as_deref().map(|h| h.height),
        _ => None,
    };
    let drop = if state.first {
        spec.first_page_drop
    } else {
        header.unwrap_or(Pt::ZERO)
    };
    let page_spec = PageSpec {
        text_height: spec.text_height - reduce,
        ..*spec
    };
    let mut from = Start {
        index: start,
        carried: state.carried.clone(),
        deferred: &state.deferred,
        set_above: &state.set_above,
        hoisted: None,
    };
    // A page hoists at most one figure: filled again with it, it hoists no other.
    let (mut page, next, rest, deferred) = loop {
        match fill_page(flow, notes, &from, drop, &page_spec) {
            Filled::Page(page, next, rest, deferred) => break (page, next, rest, deferred),
            Filled::Hoist(figure) => from.hoisted = Some(figure),
        }
    };
    // The hoisted figure's place in the flow is passed over on the pages that reach it.
    let set_above: Vec<usize> = (state.set_above.iter().copied())
        .chain(from.hoisted)
        .filter(|&figure| figure >= next)
        .collect();
    if header.is_some() {
        page.body.insert(0, (Pt::ZERO, LineRef::Header(start)));
    }
    let stuck = next == start
        && rest.is_empty()
        && deferred.is_empty()
        && page.body.is_empty()
        && page.notes.is_empty();
    let bottom = page
        .body
        .last()
        .map_or(Pt::ZERO, |&(top, l)| top + source.height(l));
    let short = if page.notes.is_empty() {
        (page_spec.text_height - bottom).max(Pt::ZERO)
    } else {
        Pt::ZERO
    };
    let after = CutState {
        start: next,
        carried: rest,
        first: false,
        deferred,
        set_above,
    };
    (page, after, stuck, short)
}

fn skip_spaces(flow: &[Flow], mut index: usize) -> usize {
    while matches!(flow.get(index), Some(Flow::Space(_))) {
        index += 1;
    }
    index
}

/// Where a page starts: the next flow element, note lines carried over from the previous
/// page, figures deferred from it, figures set above their place on an earlier page, and
/// the figure this page sets at its top, above the text before it.
struct Start<'d> {
    index: usize,
    carried: Vec<(usize, usize)>,
    deferred: &'d [usize],
    set_above: &'d [usize],
    hoisted: Option<usize>,
}

/// What filling a page gave: the page (see [`fill_page`]), or a figure that does not fit
/// where it stands and should be set at the top of this page instead.
enum Filled {
    Page(CutPage, usize, Vec<(usize, usize)>, Vec<usize>),
    Hoist(usize),
}

/// Fill one page: first the figures deferred from the previous page and the figure hoisted
/// to this page's top, then the flow from `from.index`, with the note lines carried over at
/// the foot. A figure that does not fit once something is on the page goes to the top of
/// this page when it may ([`may_hoist`]: `Filled::Hoist`, and the caller fills the page
/// again), else to the top of the next one, and the text after it fills this page. Returns
/// the page, the index of the first element left for the next page, note lines carried
/// further, and the figures deferred.
fn fill_page(
    flow: &[Flow],
    notes: &[NoteLines],
    from: &Start<'_>,
    drop: Pt,
    spec: &PageSpec,
) -> Filled {
    let Start {
        index: start,
        ref carried,
        deferred,
        set_above,
        hoisted,
    } = *from;
    let carried_height = Source { flow, notes }.notes_height(carried);
    let mut used = drop;
    let mut notes_height = carried_height;
    let mut placed: Vec<(usize, Pt)> = Vec::new(); // (flow index, top)
    let mut last_break: Option<usize> = None; // count of placed elements at an allowed break
    let mut last_clean_break: Option<usize> = None;
    let mut waiting: Vec<usize> = Vec::new();
    for &figure in deferred {
        let Some(Flow::Line(line)) = flow.get(figure) else {
            continue;
        };
        let fits = used + line.height + notes_height <= spec.text_height;
        if fits || placed.is_empty() {
            placed.push((figure, used));
            used += line.height;
            last_break = Some(placed.len());
            last_clean_break = Some(placed.len());
        } else {
            waiting.push(figure);
        }
    }
    if let Some(figure) = hoisted.filter(|_| waiting.is_empty()) {
        if let Some(Flow::Line(line)) = flow.get(figure) {
            placed.push((figure, used));
            used += line.height;
            last_break = Some(placed.len());
            last_clean_break = Some(placed.len());
        }
    }
    let passed_over = |index: usize| {
        let set_earlier = |i: usize| hoisted == Some(i) || set_above.contains(&i);
        set_earlier(index) || (matches!(flow[index], Flow::Space(_)) && set_earlier(index + 1))
    };
    let mut index = start;
    while index < flow.len() {
        if passed_over(index) {
            index += 1;
            continue;
        }
        let (height, called, line) = match &flow[index] {
            Flow::Space(h) => (*h, Pt::ZERO, None),
            Flow::Line(line) => (line.height, called_height(line, notes), Some(line)),
        };
        let total_notes = notes_height + called;
        let gap = if total_notes > Pt::ZERO {
            spec.note_gap
        } else {
            Pt::ZERO
        };
        let fits = used + height + total_notes + gap <= spec.text_height;
        if let Some(figure) = line.filter(|l| l.float) {
            let first_on_page = placed.iter().all(|&(i, _)| i >= start);
            let unhoisted = waiting.is_empty() && hoisted.is_none() && first_on_page;
            if !fits && unhoisted && may_hoist(figure, !placed.is_empty(), drop, spec) {
                return Filled::Hoist(index);
            }
            // Figures keep their order: one waiting makes the next wait too.
            if !placed.is_empty() && (!fits || !waiting.is_empty()) {
                waiting.push(index);
                index += 1;
                continue;
            }
        }
        // A first line whose notes alone overflow still goes here; its notes are split.
        let alone = placed.is_empty() && used + height + gap <= spec.text_height;
        if !(fits || (alone && line.is_some())) {
            break;
        }
        placed.push((index, used));
        used += height;
        notes_height = total_notes;
        if let Some(line) = line {
            if line.break_after || !fits {
                last_break = Some(placed.len());
                if !line.hyphenated {
                    last_clean_break = Some(placed.len());
                }
            }
        }
        index += 1;
        if !fits {
            break;
        }
    }
    let cut = choose_cut(&placed, last_break, last_clean_break, index, flow.len());
    let kept = &placed[..cut];
    let next = placed
        .get(cut..)
        .and_then(|rest| rest.iter().map(|&(i, _)| i).filter(|&i| i >= start).min())
        .map_or(index, |i| i);
    // Figures the cut left behind come back with the flow; those before it still wait.
    waiting.retain(|&figure| figure < next);
    for &(figure, _) in placed.get(cut..).unwrap_or(&[]) {
        if figure < start {
            waiting.insert(0, figure);
        }
    }
    waiting.sort_unstable();
    if kept.is_empty() && carried.is_empty() && next < flow.len() && waiting.is_empty() {
        // Progress guarantee: an element taller than a page is placed alone.
        let (page, next, rest) = place_alone(flow, notes, next, drop, spec);
        return Filled::Page(page, next, rest, Vec::new());
    }
    let (page, rest) = assemble(flow, notes, kept, carried.clone(), spec);
    Filled::Page(page, next, rest, waiting)
}

/// Whether `figure`, which does not fit where it stands, may go to the top of this page:
/// text is on the page already, the page does not open a chapter or repeat a table's
/// header, the figure calls no footnotes (they would land on a page before their call),
/// and it takes at most the page's share for figures at the top.
fn may_hoist(figure: &FlowLine, text_before: bool, drop: Pt, spec: &PageSpec) -> bool {
    text_before
        && drop == Pt::ZERO
        && figure.notes.is_empty()
        && figure.height <= spec.text_height * spec.top_float_fraction
}

fn called_height(line: &FlowLine, notes: &[NoteLines]) -> Pt {
    line.notes
        .iter()
        .map(|&n| {
            notes
                .get(n)
                .map_or(Pt::ZERO, |l| l.iter().map(|l| l.height).sum())
        })
        .sum()
}

fn place_alone(
    flow: &[Flow],
    notes: &[NoteLines],
    index: usize,
    drop: Pt,
    spec: &PageSpec,
) -> (CutPage, usize, Vec<(usize, usize)>) {
    let kept = [(index, drop)];
    let (page, rest) = assemble(flow, notes, &kept, Vec::new(), spec);
    (page, index + 1, rest)
}

/// Where to end the page: everything fits → all; else the last allowed break, preferring one
/// not after a hyphenated line unless that costs more than two lines.
fn choose_cut(
    placed: &[(usize, Pt)],
    last_break: Option<usize>,
    last_clean_break: Option<usize>,
    index: usize,
    flow_len: usize,
) -> usize {
    if index >= flow_len {
        return placed.len();
    }
    match (last_break, last_clean_break) {
        (Some(any), Some(clean)) if any - clean <= 2 => clean,
        (Some(any), _) => any,
        // No allowed break on the whole page: break where it overflowed.
        (None, _) => placed.len(),
    }
}

/// Lay out the kept body lines and the notes (carried ones first, then those the kept lines
/// call) at the foot; note lines that do not fit are carried to the next page.
fn assemble(
    flow: &[Flow],
    notes: &[NoteLines],
    kept: &[(usize, Pt)],
    carried: Vec<(usize, usize)>,
    spec: &PageSpec,
) -> (CutPage, Vec<(usize, usize)>) {
    let source = Source { flow, notes };
    let mut page = CutPage::default();
    let mut body_bottom = Pt::ZERO;
    let mut all_notes = carried;
    for &(index, top) in kept {
        if let Flow::Line(line) = &flow[index] {
            body_bottom = top + line.height;
            page.body.push((top, LineRef::Flow(index)));
            for &n in &line.notes {
                let count = notes.get(n).map_or(0, Vec::len);
                all_notes.extend((0..count).map(|k| (n, k)));
            }
        }
    }
    if all_notes.is_empty() {
        return (page, Vec::new());
    }
    let room = spec.text_height - body_bottom - spec.note_gap;
    let mut height = Pt::ZERO;
    let mut split = all_notes.len();
    for (i, &(note, k)) in all_notes.iter().enumerate() {
        let line_height = source.height(LineRef::Note(note, k));
        if height + line_height > room && i > 0 {
            split = i;
            break;
        }
        height += line_height;
    }
    let rest = all_notes.split_off(split);
    let mut top = spec.text_height - height;
    page.note_rule = Some(top - spec.note_gap / 2.0);
    for (note, k) in all_notes {
        let h = source.height(LineRef::Note(note, k));
        page.notes.push((top, LineRef::Note(note, k)));
        top += h;
    }
    (page, rest)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(break_after: bool) -> Flow {
        Flow::Line(FlowLine {
            height: Pt::new(10.0),
            break_after,
            ..FlowLine::default()
        })
    }

    fn paragraph(lines: usize) -> Vec<Flow> {
        paragraph_breaks(lines).into_iter().map(line).collect()
    }

    const SPEC: PageSpec = PageSpec {
        text_height: Pt::new(100.0),
        note_gap: Pt::new(5.0),
        first_page_drop: Pt::new(0.0),
        line: Pt::new(0.0),
        two_sided: false,
        top_float_fraction: 0.0,
    };

    #[test]
    fn widow_and_orphan_rules() {
        assert_eq!(paragraph_breaks(1), vec![true]);
        assert_eq!(paragraph_breaks(3), vec![false, false, true]);
        assert_eq!(paragraph_breaks(5), vec![false, true, true, false, true]);
    }

    #[test]
    fn a_widow_is_avoided_by_moving_a_line() {
        // 11 lines, 10 fit: breaking after line 10 would leave a widow, so 9 + 2.
        let pages = build_pages(paragraph(11), Vec::new(), &SPEC);
        let counts: Vec<usize> = pages.iter().map(|p| p.body.len()).collect();
        assert_eq!(counts, vec![9, 2]);
    }

    #[test]
    fn spaces_are_dropped_at_the_top_of_a_page() {
        let mut flow = paragraph(10);
        flow.push(Flow::Space(Pt::new(15.0)));
        flow.extend(paragraph(3));
        let pages = build_pages(flow, Vec::new(), &SPEC);
        assert_eq!(pages.len(), 2);
        assert_eq!(pages[1].body[0].0, Pt::ZERO);
    }

    #[test]
    fn footnotes_go_to_the_page_that_calls_them_and_split_when_long() {
        let mut flow = paragraph(6);
        if let Flow::Line(l) = &mut flow[1] {
            l.notes = vec![0];
        }
        let note: NoteLines = (0..8)
            .map(|_| FlowLine {
                height: Pt::new(8.0),
                ..FlowLine::default()
            })
            .collect();
        let pages = build_pages(flow, vec![note], &SPEC);
        let first = &pages[0];
        assert!(first.note_rule.is_some());
        let bottom = first.notes.last().map_or(Pt::ZERO, |(t, l)| *t + l.height);
        assert!(
            (bottom - Pt::new(100.0)).abs() < Pt::new(1e-9),
            "notes end at the foot: {bottom:?}"
        );
        let total_notes: usize = pages.iter().map(|p| p.notes.len()).sum();
        assert_eq!(total_notes, 8, "no note line lost");
    }

    #[test]
    fn a_table_header_is_repeated_on_the_next_page() {
        let header = FlowLine {
            height: Pt::new(10.0),
            ..FlowLine::default()
        };
        let mut flow = vec![Flow::Line(header.clone())];
        for _ in 0..15 {
            flow.push(Flow::Line(FlowLine {
                height: Pt::new(10.0),
                break_after: true,
                repeat: Some(std::sync::Arc::new(header.clone())),
                ..FlowLine::default()
            }));
        }
        let pages = build_pages(flow, Vec::new(), &SPEC);
        assert_eq!(pages.len(), 2);
        assert_eq!(pages[1].body.len(), 7, "header + the 6 rows left");
        assert_eq!(
            pages[1].body[0].1.repeat, None,
            "the first line is the header"
        );
    }

    /// A line marked with an anchor `id`.
    fn marked(id: &str, height: f64) -> FlowLine {
        FlowLine {
            height: Pt::new(height),
            break_after: true,
            items: vec![Item::Anchor(Box::new(crate::typeset::layout::AnchorItem {
                id: id.to_string(),
                y: Pt::ZERO,
            }))],
            ..FlowLine::default()
        }
    }

    fn ids(lines: &[(Pt, FlowLine)]) -> Vec<String> {
        let anchors = lines.iter().flat_map(|(_, line)| &line.items);
        anchors
            .filter_map(|item| match item {
                Item::Anchor(anchor) => Some(anchor.id.clone()),
                _ => None,
            })
            .collect()
    }

    /// Lines placed by reference reach the pages whole: every body and note line once, in
    /// order, and the header at the top of each page after the first.
    #[test]
    fn every_line_reaches_its_page_once_with_its_content() {
        let header = std::sync::Arc::new(marked("head", 10.0));
        let mut flow = vec![Flow::Line(marked("head", 10.0))];
        for i in 0..25 {
            let mut row = marked(&format!("row{i}"), 10.0);
            row.repeat = Some(std::sync::Arc::clone(&header));
            if i == 3 {
                row.notes = vec![0];
            }
            flow.push(Flow::Line(row));
        }
        let note: NoteLines = (0..8).map(|k| marked(&format!("note{k}"), 8.0)).collect();
        let pages = build_pages(flow, vec![note], &SPEC);
        assert!(pages.len() >= 3);
        let mut rows = Vec::new();
        let mut notes = Vec::new();
        for (n, page) in pages.iter().enumerate() {
            let body = ids(&page.body);
            if n > 0 {
                assert_eq!(body.first().map(String::as_str), Some("head"), "page {n}");
            }
            rows.extend(body.into_iter().filter(|id| id != "head"));
            notes.extend(ids(&page.notes));
        }
        let want: Vec<String> = (0..25).map(|i| format!("row{i}")).collect();
        assert_eq!(rows, want);
        let want: Vec<String> = (0..8).map(|k| format!("note{k}")).collect();
        assert_eq!(notes, want);
    }

    #[test]
    fn an_element_taller_than_the_page_still_makes_progress() {
        let flow = vec![Flow::Line(FlowLine {
            height: Pt::new(500.0),
            break_after: true,
            ..FlowLine::default()
        })];
        let pages = build_pages(flow, Vec::new(), &SPEC);
        assert_eq!(pages.len(), 1);
    }

    #[test]
    fn the_page_does_not_end_on_a_hyphen_when_it_can_help_it() {
        let mut flow = paragraph(14);
        if let Flow::Line(l) = &mut flow[9] {
            l.hyphenated = true;
        }
        let pages = build_pages(flow, Vec::new(), &SPEC);
        assert_eq!(pages[0].body.len(), 9);
    }

    /// Ten-line pages in spreads, balanced in lines of 10.
    const SPREADS: PageSpec = PageSpec {
        text_height: Pt::new(100.0),
        note_gap: Pt::new(5.0),
        first_page_drop: Pt::new(0.0),
        line: Pt::new(10.0),
        two_sided: true,
        top_float_fraction: 0.0,
    };

    fn bottoms(pages: &[PageContent]) -> Vec<f64> {
        pages
            .iter()
            .map(|p| p.body.last().map_or(Pt::ZERO, |(t, l)| *t + l.height).get())
            .collect()
    }

    #[test]
    fn a_spread_whose_verso_ends_short_is_balanced_on_the_recto() {
        // Page 0: 10 lines. Page 1 (verso) would end with the first line of a 3-line
        // paragraph, so it ends a line short; the recto facing it is cut short to match.
        let mut flow = paragraph(10);
        flow.extend(paragraph(9));
        flow.extend(paragraph(3));
        flow.extend(paragraph(30));
        let plain = build_pages(flow.clone(), Vec::new(), &SPEC);
        assert_eq!(
            bottoms(&plain)[1..3],
            [90.0, 100.0],
            "unbalanced without spreads"
        );
        let pages = build_pages(flow, Vec::new(), &SPREADS);
        let b = bottoms(&pages);
        assert_eq!(b[1], b[2], "the spread's feet line up: {b:?}");
        let lines: usize = pages.iter().map(|p| p.body.len()).sum();
        assert_eq!(lines, 52, "no line lost");
    }

    #[test]
    fn the_last_page_of_a_chapter_gets_enough_lines() {
        // 10 + 10 + 10 + 2: the last page would hold two lines; the spread before it gives
        // it more.
        let mut flow = Vec::new();
        for _ in 0..8 {
            flow.extend(paragraph(4));
        }
        let plain = build_pages(flow.clone(), Vec::new(), &SPEC);
        assert_eq!(plain.last().map(|p| p.body.len()), Some(2));
        let pages = build_pages(flow, Vec::new(), &SPREADS);
        assert_eq!(pages.len(), plain.len(), "no page added");
        let last = pages.last().map_or(0, |p| p.body.len());
        assert!(last >= MIN_LAST_PAGE_LINES, "last page has {last} lines");
        let b = bottoms(&pages);
        assert_eq!(b[1], b[2], "the shortened spread stays balanced: {b:?}");
    }

    #[test]
    fn a_figure_that_does_not_fit_floats_to_the_next_page_top() {
        let figure = Flow::Line(FlowLine {
            height: Pt::new(30.0),
            break_after: true,
            float: true,
            ..FlowLine::default()
        });
        let mut flow: Vec<Flow> = (0..8).map(|_| line(true)).collect();
        flow.push(figure);
        flow.extend((0..6).map(|_| line(true)));
        let pages = build_pages(flow, Vec::new(), &SPEC);
        assert_eq!(pages.len(), 2);
        let heights = |p: &PageContent| {
            p.body
                .iter()
                .map(|(_, l)| l.height.get())
                .collect::<Vec<_>>()
        };
        assert_eq!(
            heights(&pages[0]),
            vec![10.0; 10],
            "text fills the first page"
        );
        assert_eq!(
            pages[1].body[0].1.height,
            Pt::new(30.0),
            "the figure opens the next page"
        );
        assert_eq!(pages[1].body[0].0, Pt::ZERO);
        assert_eq!(pages[1].body.len(), 5, "then the rest of the text");
    }

    /// Eight lines, a figure `figure_height` tall, six lines, set with figures allowed to
    /// take 70 % of a page's top: each page's body as (top, flow index) pairs (the figure
    /// is index 8).
    fn hoisting(figure_height: f64) -> Vec<Vec<(f64, usize)>> {
        let spec = PageSpec {
            top_float_fraction: 0.7,
            ..SPEC
        };
        let figure = Flow::Line(FlowLine {
            height: Pt::new(figure_height),
            break_after: true,
            float: true,
            ..FlowLine::default()
        });
        let mut flow: Vec<Flow> = (0..8).map(|_| line(true)).collect();
        flow.push(figure);
        flow.extend((0..6).map(|_| line(true)));
        let source = Source {
            flow: &flow,
            notes: &[],
        };
        let flow_index = |line: LineRef| match line {
            LineRef::Flow(i) | LineRef::Header(i) => i,
            LineRef::Note(..) => usize::MAX,
        };
        (cut_pages(source, &spec).iter())
            .map(|page| {
                (page.body.iter())
                    .map(|&(top, line)| (top.get(), flow_index(line)))
                    .collect()
            })
            .collect()
    }

    #[test]
    fn a_figure_that_does_not_fit_goes_to_the_top_of_its_own_page() {
        let pages = hoisting(30.0);
        let lines = |range: std::ops::Range<usize>, from: f64| -> Vec<(f64, usize)> {
            range
                .enumerate()
                .map(|(k, i)| (from + 10.0 * k as f64, i))
                .collect()
        };
        let first = [vec![(0.0, 8)], lines(0..7, 30.0)].concat();
        assert_eq!(pages[0], first, "the figure, then the text before it");
        let second = [lines(7..8, 0.0), lines(9..15, 10.0)].concat();
        assert_eq!(
            pages[1], second,
            "the figure is not set again where it stood"
        );
        assert_eq!(pages.len(), 2);
    }

    #[test]
    fn a_figure_too_tall_for_the_top_of_its_page_goes_to_the_next() {
        let pages = hoisting(80.0);
        assert_eq!(pages[0].len(), 10, "text fills the first page");
        assert!(pages[0].iter().all(|&(_, i)| i != 8));
        assert_eq!(pages[1][0], (0.0, 8), "the figure opens the next page");
    }
}
