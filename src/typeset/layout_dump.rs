//! A plain-text dump of laid-out pages for the golden tests (tests/golden/pdf-*.txt): every
//! text line of every page with its baseline, its left and right ends, its face and size, and
//! every rule, image, link and anchor, so that any change of line breaking, spacing or
//! placement inside a page shows as a changed line of the dump.

use super::layout::{page_text, GlyphRun, Item, LinkDest, Page};
use super::shape::ShapedRun;
use crate::fonts::{FaceId, FontSet};
use crate::units::Pt;

/// Glyph runs whose baselines differ by at most this much (points) are on one line.
const DUMP_BASELINE_TOLERANCE: f64 = 0.5;

/// A cluster of runs all smaller than the line below it, and at most this far above that
/// line's baseline (in ems of its text), is raised within it (a note call, a superscript).
const DUMP_RAISE_LIMIT_EM: f64 = 0.5;

/// Runs further apart than this (points) have a space between them in a dumped line.
const DUMP_WORD_GAP: f64 = 0.5;

/// The first line of a dump: how to read the lines under each page's summary.
const DUMP_LEGEND: &str = "(each page: text <baseline> <left> <right>  <face> <size>  | \
    <text, with {face size ^rise: text} where it is set otherwise>; rule <centre> <left> \
    <right>; image and link <top> <left> <right>; anchor <top>. Points from the page's \
    top-left corner, y down)\n";

/// A plain-text dump of pages for golden tests, in which any change of layout shows as a
/// changed line: each page's summary (number, kind, label, first and last words), then from
/// the top every text line, rule and image, then the page's links and anchors.
///
/// A text line gives its baseline, its left and right ends, the face and size most of its
/// text is set in, and its text; a stretch in another face or size, or raised, is written
/// `{face size ^rise: text}`. Faces are named by their file name without its extension, looked
/// up in octavo's bundled fonts, which the pages must have been set with. Lengths are in
/// points, rounded to 0.01 so that floating-point noise never shows.
pub fn dump_pages(pages: &[Page]) -> String {
    match FontSet::builtin() {
        Ok(fonts) => dump_pages_in(pages, &fonts),
        Err(error) => format!("the bundled fonts cannot be read: {error}\n"),
    }
}

/// [`dump_pages`] with faces named from `fonts`, the set the pages were set with.
fn dump_pages_in(pages: &[Page], fonts: &FontSet<'_>) -> String {
    let mut out = String::from(DUMP_LEGEND);
    for (index, page) in pages.iter().enumerate() {
        dump_page(&mut out, index + 1, page, fonts);
    }
    out
}

/// One dumped entry with the position it is sorted by (hundredths of a point: y, then x).
type DumpEntry = (i64, i64, String);

/// A page's summary line, then its text lines, rules and images from the top, then its links
/// and anchors from the top, each indented by two spaces.
fn dump_page(out: &mut String, number: usize, page: &Page, fonts: &FontSet<'_>) {
    out.push_str(&page_summary(number, page));
    let mut visible: Vec<DumpEntry> = text_lines(page)
        .iter()
        .map(|line| (line.look.y, hundredths(line.left()), dump_line(line, fonts)))
        .collect();
    let mut marks: Vec<DumpEntry> = Vec::new();
    for item in &page.items {
        let Some(entry) = dump_item(item) else {
            continue;
        };
        match item {
            Item::Link(_) | Item::Anchor(_) => marks.push(entry),
            _ => visible.push(entry),
        }
    }
    for entries in [&mut visible, &mut marks] {
        entries.sort_by_key(|&(y, x, _)| (y, x));
        for (.., text) in entries.iter() {
            out.push_str("  ");
            out.push_str(text);
            out.push('\n');
        }
    }
}

/// `page  12 body    4      | Year Zero: The … fighting in 4`: number, kind, label, and the
/// first and last three words.
fn page_summary(number: usize, page: &Page) -> String {
    let text = page_text(page);
    let words: Vec<&str> = text.split_whitespace().collect();
    let first = words.iter().take(3).copied().collect::<Vec<_>>().join(" ");
    let last = words[words.len().saturating_sub(3)..].join(" ");
    format!(
        "page {:>3} {:<7} {:<6} | {} … {}\n",
        number,
        format!("{:?}", page.kind).to_lowercase(),
        page.label.as_deref().unwrap_or("-"),
        first,
        last
    )
}

/// A rule, an image, a link or an anchor as one dump line; glyph runs are dumped by lines.
fn dump_item(item: &Item) -> Option<DumpEntry> {
    let (y, x, text) = match item {
        Item::Glyphs(_) => return None,
        Item::Rule(rule) => (
            rule.y,
            rule.x,
            format!(
                "rule   {}  thickness {}",
                span(rule.y.get(), rule.x.get(), (rule.x + rule.width).get()),
                pt(rule.thickness.get())
            ),
        ),
        Item::Image(image) => (
            image.y,
            image.x,
            format!(
                "image  {}  height {}  image #{}",
                span(image.y.get(), image.x.get(), (image.x + image.width).get()),
                pt(image.height.get()),
                image.image
            ),
        ),
        Item::Link(link) => (
            link.y,
            link.x,
            format!(
                "link   {}  height {}  -> {}",
                span(link.y.get(), link.x.get(), (link.x + link.width).get()),
                pt(link.height.get()),
                match &link.target {
                    LinkDest::Anchor(id) => format!("#{id}"),
                    LinkDest::Uri(uri) => uri.to_string(),
                }
            ),
        ),
        Item::Anchor(anchor) => (
            anchor.y,
            Pt::ZERO,
            format!("anchor {:>7}  #{}", pt(anchor.y.get()), anchor.id),
        ),
    };
    Some((hundredths(y.get()), hundredths(x.get()), text))
}

/// `y x-left x-right` in aligned columns.
fn span(y: f64, left: f64, right: f64) -> String {
    format!("{:>7} {:>7} {:>7}", pt(y), pt(left), pt(right))
}

/// `value` in hundredths of a point, rounded: the precision of the dump.
fn hundredths(value: f64) -> i64 {
    // Page coordinates are far inside i64's range; `as` saturates on anything hostile.
    (value * 100.0).round() as i64
}

/// `value` rounded to 0.01 pt, with two decimals ("72.00"; never "-0.00").
fn pt(value: f64) -> String {
    format_hundredths(hundredths(value))
}

/// Hundredths of a point as points with two decimals.
fn format_hundredths(value: i64) -> String {
    let sign = if value < 0 { "-" } else { "" };
    let magnitude = value.unsigned_abs();
    format!("{sign}{}.{:02}", magnitude / 100, magnitude % 100)
}

/// How a stretch of text is set: face, size and baseline (in hundredths of a point).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Look {
    face: Option<FaceId>,
    size: i64,
    y: i64,
}

/// A glyph run as the dump sees it: its extent, and its text cut where the face changes
/// (a fallback face inside a word).
struct RunView<'a> {
    x: f64,
    end: f64,
    y: f64,
    size: f32,
    pieces: Vec<(Option<FaceId>, &'a str)>,
}

impl<'a> RunView<'a> {
    fn of(run: &'a GlyphRun) -> Self {
        RunView {
            x: run.x.get(),
            end: (run.x + run.width()).get(),
            y: run.y.get(),
            size: run.run.size_pt,
            pieces: pieces_by_face(&run.run),
        }
    }

    fn look(&self, face: Option<FaceId>) -> Look {
        Look {
            face,
            size: hundredths(f64::from(self.size)),
            y: hundredths(self.y),
        }
    }
}

/// The text of `run` in logical order, cut where the face of its clusters changes. Every
/// byte of the text is in a piece, even one no cluster claims.
fn pieces_by_face(run: &ShapedRun) -> Vec<(Option<FaceId>, &str)> {
    let mut starts: Vec<(usize, Option<FaceId>)> = (0..run.cluster_count())
        .map(|index| {
            let face = run.cluster_glyphs(index).first().map(|glyph| glyph.face);
            (run.cluster(index).text.start, face)
        })
        .collect();
    starts.sort_by_key(|&(start, _)| start);
    starts.dedup_by(|later, earlier| later.1 == earlier.1);
    let first_face = starts.first().and_then(|&(_, face)| face);
    match starts.first_mut() {
        Some(first) => first.0 = 0,
        None => starts.push((0, first_face)),
    }
    let ends = starts.iter().skip(1).map(|&(start, _)| start);
    starts
        .iter()
        .zip(ends.chain(std::iter::once(run.text.len())))
        .map(|(&(start, face), end)| (face, run.text.get(start..end).unwrap_or("")))
        .collect()
}

/// Text runs on one baseline (with those raised above it), left to right.
struct TextLine<'a> {
    /// How most of its text is set; its `y` is the line's baseline.
    look: Look,
    runs: Vec<RunView<'a>>,
}

impl TextLine<'_> {
    fn left(&self) -> f64 {
        self.runs
            .iter()
            .map(|run| run.x)
            .fold(f64::INFINITY, f64::min)
    }

    fn right(&self) -> f64 {
        self.runs
            .iter()
            .map(|run| run.end)
            .fold(f64::NEG_INFINITY, f64::max)
    }
}

/// The page's glyph runs grouped into lines by baseline, from the top.
fn text_lines(page: &Page) -> Vec<TextLine<'_>> {
    let mut runs: Vec<RunView> = page
        .items
        .iter()
        .filter_map(|item| match item {
            Item::Glyphs(run) if !run.run.text.is_empty() => Some(RunView::of(run)),
            _ => None,
        })
        .collect();
    runs.sort_by(|a, b| a.y.total_cmp(&b.y).then(a.x.total_cmp(&b.x)));
    let mut groups: Vec<Vec<RunView>> = Vec::new();
    for run in runs {
        match groups.last_mut() {
            Some(group) if (run.y - group[0].y).abs() <= DUMP_BASELINE_TOLERANCE => group.push(run),
            _ => groups.push(vec![run]),
        }
    }
    let mut lines = Vec::new();
    let mut raised = Vec::new();
    let mut groups = groups.into_iter().peekable();
    while let Some(mut group) = groups.next() {
        if groups
            .peek()
            .is_some_and(|below| is_raised_over(&group, below))
        {
            raised.append(&mut group);
            continue;
        }
        group.append(&mut raised);
        group.sort_by(|a, b| a.x.total_cmp(&b.x));
        lines.push(TextLine {
            look: dominant_look(&group),
            runs: group,
        });
    }
    lines
}

/// Whether `group` is set smaller than the line `below` and just above its baseline.
fn is_raised_over(group: &[RunView], below: &[RunView]) -> bool {
    let look = dominant_look(below);
    let size = look.size as f64 / 100.0;
    let height = look.y as f64 / 100.0 - group[0].y;
    group.iter().all(|run| f64::from(run.size) < size) && height <= DUMP_RAISE_LIMIT_EM * size
}

/// The look most characters of `runs` are set in (the first such on a tie).
fn dominant_look(runs: &[RunView]) -> Look {
    let mut tally: Vec<(Look, usize)> = Vec::new();
    for run in runs {
        for &(face, text) in &run.pieces {
            let look = run.look(face);
            let count = text.chars().count();
            match tally.iter_mut().find(|(seen, _)| *seen == look) {
                Some((_, total)) => *total += count,
                None => tally.push((look, count)),
            }
        }
    }
    let mut best: Option<(Look, usize)> = None;
    for (look, count) in tally {
        if best.is_none_or(|(_, most)| count > most) {
            best = Some((look, count));
        }
    }
    best.map_or(
        Look {
            face: None,
            size: 0,
            y: 0,
        },
        |(look, _)| look,
    )
}

/// `text  y left right  face size  | text`, other looks marked inline.
fn dump_line(line: &TextLine, fonts: &FontSet<'_>) -> String {
    let mut segments: Vec<(Look, String)> = Vec::new();
    let mut previous_end: Option<f64> = None;
    for run in &line.runs {
        let spaced = previous_end.is_some_and(|end| run.x > end + DUMP_WORD_GAP);
        previous_end = Some(previous_end.map_or(run.end, |end| end.max(run.end)));
        for (index, &(face, text)) in run.pieces.iter().enumerate() {
            let space = spaced && index == 0;
            push_segment(&mut segments, run.look(face), space, text, line.look);
        }
    }
    let mut text = String::new();
    for (look, segment) in &segments {
        if *look == line.look {
            text.push_str(segment);
        } else {
            text.push_str(&format!("{{{}", look_label(look, fonts)));
            if look.y != line.look.y {
                text.push_str(&format!(" ^{}", format_hundredths(line.look.y - look.y)));
            }
            text.push_str(&format!(": {segment}}}"));
        }
    }
    format!(
        "text   {}  {}  | {text}",
        span(line.look.y as f64 / 100.0, line.left(), line.right()),
        look_label(&line.look, fonts)
    )
}

/// Appends `text` in `look`, after a space when `space`; a space between two looks is
/// written in the line's own look, outside either.
fn push_segment(
    segments: &mut Vec<(Look, String)>,
    look: Look,
    space: bool,
    text: &str,
    line_look: Look,
) {
    if let Some((last, segment)) = segments.last_mut() {
        if *last == look {
            if space {
                segment.push(' ');
            }
            segment.push_str(text);
            return;
        }
    }
    if space {
        segments.push((line_look, " ".to_string()));
    }
    segments.push((look, text.to_string()));
}

/// `face size`: the face's file name without extension, and the size in points.
fn look_label(look: &Look, fonts: &FontSet<'_>) -> String {
    let face = look
        .face
        .and_then(|id| fonts.faces().find(|&(each, _)| each == id))
        .map_or("?", |(_, face)| face_stem(face.label()));
    format!("{face} {}", format_hundredths(look.size))
}

/// A face label's file name without directories or extension.
fn face_stem(label: &str) -> &str {
    let file = label.rsplit(['/', '\\']).next().unwrap_or(label);
    file.rsplit_once('.').map_or(file, |(stem, _)| stem)
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::fonts::{FaceChoice, Family, Style};
    use crate::typeset::layout::{AnchorItem, LinkItem, PageKind, RuleItem};
    use crate::typeset::shape::{shape, ShapeOptions};

    fn run(fonts: &FontSet<'_>, text: &str, style: Style, size: f32, x: f64, y: f64) -> Item {
        let choice = FaceChoice::new(Family::Serif, style);
        let shaped = shape(fonts, text, choice, size, &ShapeOptions::default());
        Item::Glyphs(GlyphRun {
            x: Pt::new(x),
            y: Pt::new(y),
            run: Arc::new(shaped),
        })
    }

    /// The lines of the dump of `page` under its legend and summary.
    fn dumped(page: Page) -> Vec<String> {
        let fonts = FontSet::builtin().unwrap();
        let dump = dump_pages_in(&[page], &fonts);
        dump.lines().skip(2).map(str::to_string).collect()
    }

    #[test]
    fn every_line_is_dumped_with_its_position_face_and_size() {
        let fonts = FontSet::builtin().unwrap();
        let first = run(&fonts, "First", Style::Regular, 10.0, 50.0, 100.0);
        let first_end = 50.0 + f64::from(shape_width(&fonts, "First"));
        let page = Page {
            items: vec![
                run(&fonts, "line", Style::Regular, 10.0, first_end + 3.0, 100.0),
                first,
                run(&fonts, "Second", Style::Regular, 10.0, 50.0, 112.0),
            ],
            label: Some("7".to_string()),
            kind: PageKind::Body,
            marks: Vec::new(),
        };
        let lines = dumped(page);
        assert_eq!(lines.len(), 2, "{lines:#?}");
        assert!(
            lines[0].starts_with("  text    100.00   50.00 ")
                && lines[0].ends_with("  LinLibertine_R 10.00  | First line"),
            "{lines:#?}"
        );
        assert!(
            lines[1].starts_with("  text    112.00   50.00 ") && lines[1].ends_with("| Second"),
            "{lines:#?}"
        );
    }

    fn shape_width(fonts: &FontSet<'_>, text: &str) -> f32 {
        let choice = FaceChoice::new(Family::Serif, Style::Regular);
        shape(fonts, text, choice, 10.0, &ShapeOptions::default()).width()
    }

    #[test]
    fn a_moved_line_changes_its_dump() {
        let fonts = FontSet::builtin().unwrap();
        let at = |y| Page {
            items: vec![run(&fonts, "Moved", Style::Regular, 10.0, 50.0, y)],
            ..Page::default()
        };
        assert_ne!(dumped(at(100.0)), dumped(at(100.5)));
    }

    #[test]
    fn another_face_and_a_raised_note_call_are_marked_inline() {
        let fonts = FontSet::builtin().unwrap();
        let regular_end = 50.0 + f64::from(shape_width(&fonts, "Seeing"));
        let page = Page {
            items: vec![
                run(&fonts, "Seeing", Style::Regular, 10.0, 50.0, 100.0),
                run(
                    &fonts,
                    "this",
                    Style::Italic,
                    10.0,
                    regular_end + 3.0,
                    100.0,
                ),
                run(&fonts, "1", Style::Regular, 6.5, regular_end + 30.0, 96.5),
            ],
            ..Page::default()
        };
        let lines = dumped(page);
        assert_eq!(lines.len(), 1, "{lines:#?}");
        assert!(
            lines[0].ends_with(
                "LinLibertine_R 10.00  | Seeing {LinLibertine_RI 10.00: this} \
                 {LinLibertine_R 6.50 ^3.50: 1}"
            ),
            "{lines:#?}"
        );
    }

    #[test]
    fn rules_links_and_anchors_are_dumped_after_the_text() {
        let page = Page {
            items: vec![
                Item::Anchor(Box::new(AnchorItem {
                    id: "top".to_string(),
                    y: Pt::new(20.0),
                })),
                Item::Link(Box::new(LinkItem {
                    x: Pt::new(10.0),
                    y: Pt::new(30.0),
                    width: Pt::new(20.0),
                    height: Pt::new(12.0),
                    target: LinkDest::Uri(Arc::from("https://example.org")),
                })),
                Item::Rule(Box::new(RuleItem {
                    x: Pt::new(10.0),
                    y: Pt::new(40.0),
                    width: Pt::new(100.0),
                    thickness: Pt::new(0.4),
                })),
            ],
            ..Page::default()
        };
        assert_eq!(
            dumped(page),
            [
                "  rule     40.00   10.00  110.00  thickness 0.40",
                "  anchor   20.00  #top",
                "  link     30.00   10.00   30.00  height 12.00  -> https://example.org",
            ]
        );
    }

    #[test]
    fn lengths_round_to_hundredths_without_negative_zero() {
        assert_eq!(pt(72.004), "72.00");
        assert_eq!(pt(-0.001), "0.00");
        assert_eq!(pt(-1.5), "-1.50");
    }
}
