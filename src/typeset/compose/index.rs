//! The printed index: the book's last pages, two columns of entries under letter headings,
//! each entry's page numbers links to its marks, consecutive pages merged into ranges.
//!
//! It is set once the pages are known, like the contents' second pass: the marks' pages come
//! from the counting pass ([`PageNumbers`]), and since the index comes last, setting it moves
//! no page it names. Its lines are set at the column's width and cut into columns by
//! [`columns`]; the last page's two columns are balanced.

use std::sync::Arc;

use super::contents::{front_page, PageNumbers};
use super::Composer;
use crate::doc::index::{Index, IndexEntry};
use crate::fonts::Style;
use crate::typeset::layout::{LinkDest, Page};
use crate::typeset::page::{Flow, FlowLine, PageContent};
use crate::typeset::paragraph::{set_paragraph, Alignment, ParagraphSpec, Pieces, TextStyle};
use crate::units::Pt;

/// The anchor of the index's first page (the outline points at it).
pub(crate) const INDEX_ANCHOR: &str = "octavo-index";

impl<'a, 'f> Composer<'a, 'f> {
    /// The index's pages (none in a handout or a book without an index).
    pub(super) fn index_pages(&mut self, numbers: &PageNumbers) -> Vec<Page> {
        let Some(index) = self.book.index.as_ref().filter(|_| !self.handout) else {
            return Vec::new();
        };
        let mut title = Vec::new();
        self.contents_title(self.terms.index, INDEX_ANCHOR, &mut title);
        let title_height = flow_height(&title);
        let design = &self.design().index;
        let gap = design.column_gap.at(self.profile.font_size);
        let column_width = (self.profile.text_width() - gap) / 2.0;
        let lines = self.index_lines(index, numbers, column_width);
        let room = self.profile.text_height();
        let pages = columns(lines, room, room - title_height);
        let shift = column_width + gap;
        pages
            .into_iter()
            .enumerate()
            .map(|(n, [left, right])| {
                let mut content = PageContent::default();
                let mut top = Pt::ZERO;
                if n == 0 {
                    for element in std::mem::take(&mut title) {
                        if let Flow::Line(line) = element {
                            let height = line.height;
                            content.body.push((top, line));
                            top += height;
                        } else if let Flow::Space(space) = element {
                            top += space;
                        }
                    }
                }
                let offset = |column: Vec<(Pt, FlowLine)>| {
                    column.into_iter().map(move |(y, line)| (y + top, line))
                };
                content.body.extend(offset(left));
                let right_column = PageContent {
                    body: offset(right).collect(),
                    ..PageContent::default()
                };
                let mut items = self.place_content(content, n);
                let right_items = self.place_content(right_column, n);
                items.extend(right_items.into_iter().map(|mut i| {
                    i.translate(shift, Pt::ZERO);
                    i
                }));
                front_page(items)
            })
            .collect()
    }

    /// Every entry set at the column's width, each letter group under its heading.
    fn index_lines(&mut self, index: &Index, numbers: &PageNumbers, width: Pt) -> Vec<Flow> {
        let design = &self.design().index;
        let size = design.size.at(self.profile.font_size);
        let style = TextStyle::serif(size.to_f32());
        let leading = self.profile.leading * design.leading;
        let mut flow = Vec::new();
        for group in &index.groups {
            let heading = if group.heading.is_empty() {
                self.terms.symbols
            } else {
                group.heading.as_str()
            };
            flow.push(Flow::Space(
                self.profile.leading * design.space_before_letter,
            ));
            let bold = style.with_style(Style::Bold);
            let spec = ParagraphSpec::plain(width, leading, Alignment::Ragged);
            let heading_lines = set_paragraph(&Pieces::one(heading, &bold), &spec, &mut self.ctx);
            // A letter heading stays with the entry under it.
            flow.extend(heading_lines.into_iter().map(|line| {
                Flow::Line(FlowLine {
                    break_after: false,
                    ..line
                })
            }));
            for entry in &group.entries {
                self.index_entry(entry, numbers, &style, width, leading, &mut flow);
            }
        }
        flow
    }

    /// One entry: its term, its pages (links to the marks) and its cross-references, the
    /// later lines hanging under the first.
    fn index_entry(
        &mut self,
        entry: &IndexEntry,
        numbers: &PageNumbers,
        style: &TextStyle,
        width: Pt,
        leading: Pt,
        flow: &mut Vec<Flow>,
    ) {
        let design = &self.design().index;
        let size = Pt::from_f32(style.size);
        let indent = design.level_indent.at(size) * entry.depth as f64;
        let mut pieces = Pieces::new();
        pieces.text(entry.term.as_str(), style);
        for (label, id) in page_ranges(entry, numbers, design.range_dash) {
            pieces.text(design.separator, style);
            let linked = TextStyle {
                link: Some(LinkDest::Anchor(Arc::from(id.as_str()))),
                ..style.clone()
            };
            pieces.text(label, &linked);
        }
        let italic = style.with_style(Style::Italic);
        let references = [
            (&entry.see, self.terms.see),
            (&entry.see_also, self.terms.see_also),
        ];
        for (targets, words) in references {
            if targets.is_empty() {
                continue;
            }
            pieces.text(design.separator, style);
            pieces.text(words, &italic);
            let shown: Vec<String> = targets.iter().map(|t| t.replace('!', ", ")).collect();
            pieces.text(format!(" {}", shown.join("; ")), style);
        }
        let spec = ParagraphSpec {
            width: width - indent,
            first_indent: Pt::ZERO,
            rest_indent: design.turnover_indent.at(size),
            leading,
            alignment: Alignment::Ragged,
        };
        let lines = set_paragraph(&pieces, &spec, &mut self.ctx);
        for mut line in lines {
            line.break_after = true;
            line.items
                .iter_mut()
                .for_each(|item| item.translate(indent, Pt::ZERO));
            flow.push(Flow::Line(line));
        }
    }
}

/// An entry's pages as printed, each with the mark it links to: duplicates dropped, runs
/// of consecutive pages merged into a range ("12–14") linked to its first mark.
fn page_ranges(entry: &IndexEntry, numbers: &PageNumbers, dash: &str) -> Vec<(String, String)> {
    let mut pages: Vec<(String, String)> = Vec::new();
    for locator in &entry.locators {
        let label = numbers.of(Some(&locator.id));
        if label.is_empty() || pages.iter().any(|(seen, _)| *seen == label) {
            continue;
        }
        pages.push((label, locator.id.clone()));
    }
    let mut out: Vec<(String, String)> = Vec::new();
    let mut run: Option<(u64, u64, String, String)> = None;
    for (label, id) in pages {
        let number = label.parse::<u64>().ok();
        match (&mut run, number) {
            (Some((_, last, _, _)), Some(n)) if n == *last + 1 => *last = n,
            _ => {
                out.extend(run.take().map(|r| range_label(r, dash)));
                match number {
                    Some(n) => run = Some((n, n, label, id)),
                    None => out.push((label, id)),
                }
            }
        }
    }
    out.extend(run.map(|r| range_label(r, dash)));
    out
}

fn range_label(
    (first, last, label, id): (u64, u64, String, String),
    dash: &str,
) -> (String, String) {
    if first == last {
        (label, id)
    } else {
        (format!("{first}{dash}{last}"), id)
    }
}

fn flow_height(flow: &[Flow]) -> Pt {
    flow.iter()
        .map(|element| match element {
            Flow::Line(line) => line.height,
            Flow::Space(space) => *space,
        })
        .fold(Pt::ZERO, |a, b| a + b)
}

/// A page's two columns: lines with their tops.
type Columns = [Vec<(Pt, FlowLine)>; 2];

/// Cut the flow into pages of two columns `room` high (`first_room` on the first page,
/// under the title). Where what is left fits on one page, its first column stops at the
/// first break past half of it, so the last page's columns end level. Space at the top of
/// a column is dropped; a column never ends after a line that must stay with the next.
fn columns(flow: Vec<Flow>, room: Pt, first_room: Pt) -> Vec<Columns> {
    let heights: Vec<(Pt, bool, bool)> = flow
        .iter()
        .map(|element| match element {
            Flow::Line(line) => (line.height, line.break_after, true),
            Flow::Space(space) => (*space, true, false),
        })
        .collect();
    let mut lines: Vec<Option<FlowLine>> = flow
        .into_iter()
        .map(|element| match element {
            Flow::Line(line) => Some(line),
            Flow::Space(_) => None,
        })
        .collect();
    let mut pages = Vec::new();
    let mut cursor = 0;
    while cursor < heights.len() {
        let room = if pages.is_empty() { first_room } else { room };
        let left_over = heights[cursor..]
            .iter()
            .fold(Pt::ZERO, |sum, (h, _, _)| sum + *h);
        let target = if left_over <= room * 2.0 {
            left_over / 2.0
        } else {
            room
        };
        let (left, next) = column(&heights, cursor, room, target);
        let (right, after) = column(&heights, next, room, room);
        let take = |placed: Vec<(Pt, usize)>, lines: &mut Vec<Option<FlowLine>>| {
            placed
                .into_iter()
                .filter_map(|(y, i)| lines[i].take().map(|line| (y, line)))
                .collect::<Vec<_>>()
        };
        let page = [take(left, &mut lines), take(right, &mut lines)];
        // A line taller than a whole column is placed alone rather than looped on.
        cursor = if after == cursor { cursor + 1 } else { after };
        pages.push(page);
    }
    pages
}

/// One column from `start`: the lines placed (top, index in the flow) and where the next
/// column starts. It stops when the next line does not fit in `room`, or at the first break
/// allowed once `target` is reached.
fn column(
    heights: &[(Pt, bool, bool)],
    start: usize,
    room: Pt,
    target: Pt,
) -> (Vec<(Pt, usize)>, usize) {
    let mut placed: Vec<(Pt, usize)> = Vec::new();
    let mut y = Pt::ZERO;
    let mut at = start;
    let mut last_break: Option<(usize, usize)> = None;
    while let Some(&(height, break_after, is_line)) = heights.get(at) {
        if !is_line {
            if !placed.is_empty() {
                y += height;
            }
            at += 1;
            continue;
        }
        let full = y + height > room && !placed.is_empty();
        let reached = y >= target && last_break.is_some_and(|(n, _)| n == placed.len());
        if full || reached {
            // End at the last allowed break, not after a line that keeps with the next.
            if let Some((count, next)) = last_break.filter(|_| full) {
                placed.truncate(count);
                return (placed, next);
            }
            return (placed, at);
        }
        placed.push((y, at));
        y += height;
        at += 1;
        if break_after {
            last_break = Some((placed.len(), at));
        }
    }
    (placed, at)
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

    #[test]
    fn pages_are_deduplicated_and_runs_merged() {
        use crate::doc::index::IndexLocator;
        let labels = [
            ("a", "ix"),
            ("b", "3"),
            ("c", "4"),
            ("d", "4"),
            ("e", "5"),
            ("f", "9"),
        ];
        let numbers = PageNumbers::Known(
            labels
                .iter()
                .map(|(id, label)| (id.to_string(), label.to_string()))
                .collect(),
        );
        let entry = IndexEntry {
            depth: 0,
            term: "term".to_string(),
            locators: labels
                .iter()
                .map(|(id, _)| IndexLocator {
                    chapter: 0,
                    id: id.to_string(),
                    section: String::new(),
                })
                .collect(),
            see: Vec::new(),
            see_also: Vec::new(),
        };
        let ranges = page_ranges(&entry, &numbers, "–");
        let expected = [("ix", "a"), ("3–5", "b"), ("9", "f")];
        let expected: Vec<(String, String)> = expected
            .iter()
            .map(|(l, i)| (l.to_string(), i.to_string()))
            .collect();
        assert_eq!(ranges, expected);
    }

    #[test]
    fn the_last_page_is_balanced_and_headings_keep_with_their_entry() {
        let mut flow = vec![line(false)];
        flow.extend((0..9).map(|_| line(true)));
        // 10 lines of 10 pt in columns of 100 pt: one page, 5 lines a column.
        let pages = columns(flow.clone(), Pt::new(100.0), Pt::new(100.0));
        assert_eq!(pages.len(), 1);
        assert_eq!((pages[0][0].len(), pages[0][1].len()), (5, 5));
        // Columns of 30 pt: a heading is never a column's last line.
        flow.insert(3, line(false));
        let pages = columns(flow, Pt::new(30.0), Pt::new(30.0));
        let placed: usize = pages.iter().flatten().map(Vec::len).sum();
        assert_eq!(placed, 11);
        for column in pages.iter().flatten() {
            assert!(column.last().is_none_or(|(_, l)| l.break_after));
        }
    }
}
