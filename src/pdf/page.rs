//! The page builder: a chapter's vertical flow of lines and spaces cut into pages.
//!
//! Breaks are allowed or forbidden per element, which is how widows, orphans and headings
//! kept with what follows are expressed (see [`paragraph_breaks`]). Each page is filled while
//! its lines and the footnotes they call fit; when the next element does not fit, the page
//! ends at the last allowed break, preferring one that does not leave a hyphen at the foot of
//! the page. Footnotes go to the foot of the page that calls them, under a short rule; a note
//! too long for the space left is split and continued on the next page. Discardable space at
//! the top of a page is dropped. Pages end short rather than break a rule ("move a line").

use super::layout_ir::Item;

/// One element of the vertical flow.
#[derive(Debug, Clone, PartialEq)]
pub enum Flow {
    /// A line (or an unbreakable block such as a figure or a heading line).
    Line(FlowLine),
    /// Vertical space, dropped at the top of a page.
    Space(f64),
}

/// A line of the flow and what the page builder must know about it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct FlowLine {
    /// Vertical advance from this line's top to the next element's top.
    pub height: f64,
    /// What is drawn, relative to the line's top-left corner (x from the text block's left).
    pub items: Vec<Item>,
    /// Footnotes this line calls (indices into the chapter's note lines).
    pub notes: Vec<usize>,
    /// May the page end after this line?
    pub break_after: bool,
    /// The line ends with a hyphen (a page should not end on it).
    pub hyphenated: bool,
    /// A line set again at the top of a page this line starts (a table's header row).
    pub repeat: Option<Box<FlowLine>>,
}

/// A footnote's lines, set at the note size.
pub type NoteLines = Vec<FlowLine>;

/// A page's content before running heads and folios: body lines and footnote lines, each
/// with its top offset inside the text block.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PageContent {
    /// Body lines and their tops.
    pub body: Vec<(f64, FlowLine)>,
    /// Footnote lines and their tops (measured from the text block's top).
    pub notes: Vec<(f64, FlowLine)>,
    /// Where the rule above the notes goes, when there are notes.
    pub note_rule: Option<f64>,
}

/// Geometry the builder needs.
#[derive(Debug, Clone, Copy)]
pub struct PageSpec {
    /// Height of the text block.
    pub text_height: f64,
    /// Space between the body and the footnote rule, and the rule and the notes.
    pub note_gap: f64,
    /// Extra space taken at the top of the first page (chapter openings are set lower).
    pub first_page_drop: f64,
}

/// Break rules for an n-line paragraph: no break after its first line (orphan) or before its
/// last (widow); a break after the last line is allowed.
pub fn paragraph_breaks(lines: usize) -> Vec<bool> {
    (1..=lines)
        .map(|k| k == lines || (k >= 2 && lines - k >= 2))
        .collect()
}

/// Cut the flow into pages.
pub fn build_pages(flow: &[Flow], notes: &[NoteLines], spec: &PageSpec) -> Vec<PageContent> {
    let mut pages = Vec::new();
    let mut carried: Vec<FlowLine> = Vec::new();
    let mut start = 0;
    let mut first = true;
    while start < flow.len() || !carried.is_empty() {
        start = skip_spaces(flow, start);
        let header = match flow.get(start) {
            Some(Flow::Line(line)) if !first => line.repeat.as_deref().cloned(),
            _ => None,
        };
        let drop = if first {
            spec.first_page_drop
        } else {
            header.as_ref().map_or(0.0, |h| h.height)
        };
        let (mut page, next, rest) =
            fill_page(flow, notes, start, std::mem::take(&mut carried), drop, spec);
        if let Some(header) = header {
            page.body.insert(0, (0.0, header));
        }
        first = false;
        let stuck =
            next == start && rest.is_empty() && page.body.is_empty() && page.notes.is_empty();
        pages.push(page);
        carried = rest;
        if stuck {
            break;
        }
        start = next;
        if start >= flow.len() && carried.is_empty() {
            break;
        }
    }
    pages
}

fn skip_spaces(flow: &[Flow], mut index: usize) -> usize {
    while matches!(flow.get(index), Some(Flow::Space(_))) {
        index += 1;
    }
    index
}

/// Height of a sequence of lines.
fn lines_height(lines: &[FlowLine]) -> f64 {
    lines.iter().map(|l| l.height).sum()
}

/// Fill one page from `start`, beginning with note lines carried over from the previous page.
/// Returns the page, the index of the first element left for the next page, and note lines
/// carried further.
fn fill_page(
    flow: &[Flow],
    notes: &[NoteLines],
    start: usize,
    carried: Vec<FlowLine>,
    drop: f64,
    spec: &PageSpec,
) -> (PageContent, usize, Vec<FlowLine>) {
    let carried_height = lines_height(&carried);
    let mut used = drop;
    let mut notes_height = carried_height;
    let mut placed: Vec<(usize, f64)> = Vec::new(); // (flow index, top)
    let mut last_break: Option<usize> = None; // count of placed elements at an allowed break
    let mut last_clean_break: Option<usize> = None;
    let mut index = start;
    while index < flow.len() {
        let (height, called, line) = match &flow[index] {
            Flow::Space(h) => (*h, 0.0, None),
            Flow::Line(line) => (line.height, called_height(line, notes), Some(line)),
        };
        let total_notes = notes_height + called;
        let gap = if total_notes > 0.0 {
            spec.note_gap
        } else {
            0.0
        };
        let fits = used + height + total_notes + gap <= spec.text_height;
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
    let next = placed.get(cut).map_or(index, |&(i, _)| i);
    if kept.is_empty() && carried.is_empty() && next < flow.len() {
        // Progress guarantee: an element taller than a page is placed alone.
        return place_alone(flow, notes, next, drop, spec);
    }
    let (page, rest) = assemble(flow, notes, kept, carried, spec);
    (page, next, rest)
}

fn called_height(line: &FlowLine, notes: &[NoteLines]) -> f64 {
    line.notes
        .iter()
        .map(|&n| notes.get(n).map_or(0.0, |l| lines_height(l)))
        .sum()
}

fn place_alone(
    flow: &[Flow],
    notes: &[NoteLines],
    index: usize,
    drop: f64,
    spec: &PageSpec,
) -> (PageContent, usize, Vec<FlowLine>) {
    let kept = [(index, drop)];
    let (page, rest) = assemble(flow, notes, &kept, Vec::new(), spec);
    (page, index + 1, rest)
}

/// Where to end the page: everything fits → all; else the last allowed break, preferring one
/// not after a hyphenated line unless that costs more than two lines.
fn choose_cut(
    placed: &[(usize, f64)],
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
    kept: &[(usize, f64)],
    carried: Vec<FlowLine>,
    spec: &PageSpec,
) -> (PageContent, Vec<FlowLine>) {
    let mut page = PageContent::default();
    let mut body_bottom = 0.0;
    let mut all_notes = carried;
    for &(index, top) in kept {
        if let Flow::Line(line) = &flow[index] {
            body_bottom = top + line.height;
            page.body.push((top, line.clone()));
            for &n in &line.notes {
                all_notes.extend(notes.get(n).cloned().unwrap_or_default());
            }
        }
    }
    if all_notes.is_empty() {
        return (page, Vec::new());
    }
    let room = spec.text_height - body_bottom - spec.note_gap;
    let mut height = 0.0;
    let mut split = all_notes.len();
    for (i, line) in all_notes.iter().enumerate() {
        if height + line.height > room && i > 0 {
            split = i;
            break;
        }
        height += line.height;
    }
    let rest = all_notes.split_off(split);
    let mut top = spec.text_height - height;
    page.note_rule = Some(top - spec.note_gap / 2.0);
    for line in all_notes {
        let h = line.height;
        page.notes.push((top, line));
        top += h;
    }
    (page, rest)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(break_after: bool) -> Flow {
        Flow::Line(FlowLine {
            height: 10.0,
            break_after,
            ..FlowLine::default()
        })
    }

    fn paragraph(lines: usize) -> Vec<Flow> {
        paragraph_breaks(lines).into_iter().map(line).collect()
    }

    const SPEC: PageSpec = PageSpec {
        text_height: 100.0,
        note_gap: 5.0,
        first_page_drop: 0.0,
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
        let pages = build_pages(&paragraph(11), &[], &SPEC);
        let counts: Vec<usize> = pages.iter().map(|p| p.body.len()).collect();
        assert_eq!(counts, vec![9, 2]);
    }

    #[test]
    fn spaces_are_dropped_at_the_top_of_a_page() {
        let mut flow = paragraph(10);
        flow.push(Flow::Space(15.0));
        flow.extend(paragraph(3));
        let pages = build_pages(&flow, &[], &SPEC);
        assert_eq!(pages.len(), 2);
        assert_eq!(pages[1].body[0].0, 0.0);
    }

    #[test]
    fn footnotes_go_to_the_page_that_calls_them_and_split_when_long() {
        let mut flow = paragraph(6);
        if let Flow::Line(l) = &mut flow[1] {
            l.notes = vec![0];
        }
        let note: NoteLines = (0..8)
            .map(|_| FlowLine {
                height: 8.0,
                ..FlowLine::default()
            })
            .collect();
        let pages = build_pages(&flow, &[note], &SPEC);
        let first = &pages[0];
        assert!(first.note_rule.is_some());
        let bottom = first.notes.last().map(|(t, l)| t + l.height).unwrap_or(0.0);
        assert!(
            (bottom - 100.0).abs() < 1e-9,
            "notes end at the foot: {bottom}"
        );
        let total_notes: usize = pages.iter().map(|p| p.notes.len()).sum();
        assert_eq!(total_notes, 8, "no note line lost");
    }

    #[test]
    fn a_table_header_is_repeated_on_the_next_page() {
        let header = FlowLine {
            height: 10.0,
            ..FlowLine::default()
        };
        let mut flow = vec![Flow::Line(header.clone())];
        for _ in 0..15 {
            flow.push(Flow::Line(FlowLine {
                height: 10.0,
                break_after: true,
                repeat: Some(Box::new(header.clone())),
                ..FlowLine::default()
            }));
        }
        let pages = build_pages(&flow, &[], &SPEC);
        assert_eq!(pages.len(), 2);
        assert_eq!(pages[1].body.len(), 7, "header + the 6 rows left");
        assert_eq!(
            pages[1].body[0].1.repeat, None,
            "the first line is the header"
        );
    }

    #[test]
    fn an_element_taller_than_the_page_still_makes_progress() {
        let flow = vec![Flow::Line(FlowLine {
            height: 500.0,
            break_after: true,
            ..FlowLine::default()
        })];
        let pages = build_pages(&flow, &[], &SPEC);
        assert_eq!(pages.len(), 1);
    }

    #[test]
    fn the_page_does_not_end_on_a_hyphen_when_it_can_help_it() {
        let mut flow = paragraph(14);
        if let Flow::Line(l) = &mut flow[9] {
            l.hyphenated = true;
        }
        let pages = build_pages(&flow, &[], &SPEC);
        assert_eq!(pages[0].body.len(), 9);
    }
}
