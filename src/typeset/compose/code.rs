//! Code blocks: monospace lines in the inks and faces of the profile's code theme (read from
//! the tokens resolve classified), never hyphenated. A block whose longest line is too long
//! for the measure is first set smaller, down to the design's smallest code size; a line
//! still too long is broken as a programmer would break it ([`super::code_breaks`]), its
//! continuation indented past the line's own indentation with a small mark in the margin.
//! The mark carries no text and the indentation is only a shift, so copying a broken line
//! from the PDF gives the line as written. A block breaks across pages only between source
//! lines, keeping a few lines on each side, and a short block never.

use std::sync::Arc;

use rustc_hash::FxHashMap;

use super::Composer;
use crate::diag::{code, Diagnostic, Span};
use crate::doc::{CodeToken, TokenClass};
use crate::fonts::{FaceChoice, Family};
use crate::highlight::LineMarks;
use crate::typeset::code_breaks::{break_line, Cell};
use crate::typeset::layout::{GlyphRun, Item, RuleItem};
use crate::typeset::page::{Flow, FlowLine};
use crate::typeset::paragraph::{slice_run, TextStyle};
use crate::typeset::shape::ShapedRun;
use crate::typeset::style::{Code, TokenLook};
use crate::units::Pt;

/// A code block as the composer needs it.
pub(super) struct CodeBlock<'b> {
    /// The code, verbatim.
    pub text: &'b str,
    /// Its highlighted stretches.
    pub tokens: &'b [CodeToken],
    /// Where it is, for warnings.
    pub span: &'b Span,
    /// Line numbers and highlighted lines.
    pub marks: LineMarks,
}

/// A stretch of one class in a source line, tabs expanded.
struct Stretch {
    text: String,
    class: Option<TokenClass>,
}

/// Where and how big a block's lines are set.
#[derive(Debug, Clone, Copy)]
struct Frame {
    /// Left edge of the code.
    x: Pt,
    /// The measure.
    width: Pt,
    /// The code's size.
    size: f32,
    /// Its leading.
    leading: Pt,
    /// Baseline below a line's top.
    baseline: Pt,
}

/// A stretch shaped: its run, and where its clusters start among the line's cells.
struct ShapedStretch {
    run: Arc<ShapedRun>,
    first_cell: usize,
}

impl<'a, 'f> Composer<'a, 'f> {
    /// Sets `block` at `x`, `width` wide, into `flow`.
    pub(super) fn code(&mut self, block: &CodeBlock<'_>, x: Pt, width: Pt, flow: &mut Vec<Flow>) {
        let design = &self.design().code;
        let lines = source_lines(block.text, block.tokens, design.tab);
        let size = self.code_size(&lines, width);
        let leading = design.leading.at(Pt::from_f32(size));
        let baseline = leading * self.design().text.baseline;
        flow.push(Flow::Space(self.profile.leading * design.space));
        let mut shaped = FxHashMap::default();
        let mut set: Vec<(FlowLine, bool)> = Vec::new();
        let mut cut_token = false;
        let frame = Frame {
            x,
            width,
            size,
            leading,
            baseline,
        };
        for (index, line) in lines.iter().enumerate() {
            let stretches = self.shape_stretches(line, size, &mut shaped);
            cut_token |=
                self.set_source_line(&stretches, line, index, &block.marks, &frame, &mut set);
        }
        if cut_token {
            self.warnings.push(token_cut(block.span));
        }
        let breaks = code_breaks(&set, design);
        for ((mut line, _), allowed) in set.into_iter().zip(breaks) {
            line.break_after = allowed;
            flow.push(Flow::Line(line));
        }
        flow.push(Flow::Space(self.profile.leading * design.space));
    }

    /// Sets one source line as one printed line or more (pushed to `set` with whether each
    /// ends the source line); returns whether a token had to be cut.
    fn set_source_line(
        &mut self,
        stretches: &[ShapedStretch],
        line: &[Stretch],
        index: usize,
        marks: &LineMarks,
        frame: &Frame,
        set: &mut Vec<(FlowLine, bool)>,
    ) -> bool {
        let design = &self.design().code;
        let Frame {
            x,
            width,
            size,
            leading,
            baseline,
        } = *frame;
        let cells = line_cells(line, stretches);
        let indent = cells.iter().take_while(|c| c.first == ' ').count();
        let indent_width: f64 = cells[..indent].iter().map(|c| c.width).sum();
        let step = design.continuation_indent.at(Pt::from_f32(size)).get();
        let shift = (indent_width + step).min(width.get() * design.max_indent_share);
        let broken = break_line(&cells, indent, width.get(), width.get() - shift);
        let mut ranges = broken.lines;
        if ranges.is_empty() {
            // An empty source line is one empty printed line.
            ranges.push(0..0);
        }
        let count = ranges.len();
        for (k, range) in ranges.into_iter().enumerate() {
            let at = if k == 0 { x } else { x + Pt::new(shift) };
            let mut items = place_cells(stretches, range, at, baseline);
            let margin = match marks.number(index) {
                Some(number) if k == 0 => Some(number.to_string()),
                _ if k > 0 => Some(design.continuation.to_string()),
                _ => None,
            };
            if let Some(text) = margin {
                items.push(self.margin_text(&text, size, x, baseline));
            }
            if marks.is_highlighted(index) {
                items.push(highlight_bar(design, size, x, leading));
            }
            let line = FlowLine {
                height: leading,
                items,
                ..FlowLine::default()
            };
            set.push((line, k + 1 == count));
        }
        broken.cut_token
    }

    /// The size the block is set at: the design's, or smaller (down to its smallest) so that
    /// the longest line fits. A monospace's widths grow with the size, so one measure at the
    /// design's size tells.
    fn code_size(&mut self, lines: &[Vec<Stretch>], width: Pt) -> f32 {
        let design = &self.design().code;
        let body = self.profile.font_size;
        let size = design.size.at(body).to_f32();
        let smallest = design.min_size.at(body).to_f32().min(size);
        let style = code_style(TokenLook::PLAIN, size);
        let widest = lines
            .iter()
            .map(|line| {
                line.iter()
                    .map(|s| f64::from(self.ctx.shape(&s.text, &style).width()))
                    .sum::<f64>()
            })
            .fold(0.0, f64::max);
        if widest <= width.get() || widest <= 0.0 {
            return size;
        }
        let fitting = (f64::from(size) * width.get() / widest) as f32;
        // A little under the exact fit, so that rounding never leaves the line a hair long.
        (fitting * 0.999).clamp(smallest, size)
    }

    /// Each stretch of `line` shaped in its look (runs of one look shared within a block).
    fn shape_stretches(
        &mut self,
        line: &[Stretch],
        size: f32,
        shaped: &mut FxHashMap<(String, Option<TokenClass>), Arc<ShapedRun>>,
    ) -> Vec<ShapedStretch> {
        let theme = self.design().code.theme;
        let mut first_cell = 0;
        let mut out = Vec::with_capacity(line.len());
        for stretch in line {
            let key = (stretch.text.clone(), stretch.class);
            let run = match shaped.get(&key) {
                Some(run) => Arc::clone(run),
                None => {
                    let look = stretch.class.map_or(TokenLook::PLAIN, |c| theme.look(c));
                    let mut run = self.ctx.shape(&stretch.text, &code_style(look, size));
                    if look.ink != run.ink {
                        Arc::make_mut(&mut run).ink = look.ink;
                    }
                    shaped.insert(key, Arc::clone(&run));
                    run
                }
            };
            let cells = run.cluster_count();
            out.push(ShapedStretch { run, first_cell });
            first_cell += cells;
        }
        out
    }

    /// `text` (the continuation mark, a line number) set small in the margin, flush right
    /// against the code at `x`: a glyph run that stands for no text, so that copying the code
    /// picks up only the code.
    fn margin_text(&mut self, text: &str, size: f32, x: Pt, baseline: Pt) -> Item {
        let design = &self.design().code;
        let mark_size = size * design.continuation_size;
        let gap = design.continuation_gap.at(Pt::from_f32(size));
        let shaped = self
            .ctx
            .shape(text, &code_style(TokenLook::PLAIN, mark_size));
        let mut mark = shaped.textless();
        mark.ink = design.continuation_ink;
        let width = Pt::from_f32(mark.width());
        Item::Glyphs(GlyphRun {
            x: x - gap - width,
            y: baseline,
            run: Arc::new(mark),
        })
    }
}

/// The bar in the margin beside a highlighted line: a rule as wide as the bar and as tall as
/// the line, midway between the code and the margin text.
fn highlight_bar(design: &Code, size: f32, x: Pt, leading: Pt) -> Item {
    let gap = design.continuation_gap.at(Pt::from_f32(size));
    Item::Rule(Box::new(RuleItem {
        x: x - gap * 0.5 - design.highlight_bar * 0.5,
        y: leading * 0.5,
        width: design.highlight_bar,
        thickness: leading,
    }))
}

/// The monospace in `look`'s face at `size`.
fn code_style(look: TokenLook, size: f32) -> TextStyle {
    TextStyle {
        choice: FaceChoice::new(Family::Mono, look.face),
        size,
        rise: 0.0,
        link: None,
        strike: false,
        small_caps: false,
        tag: None,
    }
}

/// The block's source lines, each cut into stretches of one class with tabs expanded.
fn source_lines(text: &str, tokens: &[CodeToken], tab: &str) -> Vec<Vec<Stretch>> {
    let text = text.trim_end_matches('\n');
    let mut lines = Vec::new();
    let mut start = 0;
    let mut next_token = 0;
    for line in text.split('\n') {
        let end = start + line.len();
        let mut stretches: Vec<Stretch> = Vec::new();
        let mut at = start;
        while at < end {
            while next_token < tokens.len() && tokens[next_token].end as usize <= at {
                next_token += 1;
            }
            let token = tokens.get(next_token).filter(|t| (t.start as usize) <= at);
            let (stop, class) = match token {
                Some(t) => ((t.end as usize).min(end), Some(t.class)),
                None => {
                    let next = tokens.get(next_token).map_or(end, |t| t.start as usize);
                    (next.clamp(at + 1, end), None)
                }
            };
            let Some(piece) = text.get(at..stop) else {
                break;
            };
            stretches.push(Stretch {
                text: piece.replace('\t', tab),
                class,
            });
            at = stop;
        }
        lines.push(stretches);
        start = end + 1;
    }
    lines
}

/// The cells of a line: every cluster of every stretch, in order.
fn line_cells(line: &[Stretch], stretches: &[ShapedStretch]) -> Vec<Cell> {
    let mut cells = Vec::new();
    for (index, (stretch, shaped)) in line.iter().zip(stretches).enumerate() {
        for cluster in 0..shaped.run.cluster_count() {
            let text = shaped.run.cluster_text(cluster);
            let width = f64::from(shaped.run.cluster(cluster).width);
            cells.push(Cell {
                width,
                first: text.chars().next().unwrap_or(' '),
                last: text.chars().next_back().unwrap_or(' '),
                token: index,
                class: stretch.class,
            });
        }
    }
    cells
}

/// The glyph runs of cells `range` of a line, the first at `x`.
fn place_cells(
    stretches: &[ShapedStretch],
    range: std::ops::Range<usize>,
    x: Pt,
    baseline: Pt,
) -> Vec<Item> {
    let mut items = Vec::new();
    let mut pen = x;
    for stretch in stretches {
        let count = stretch.run.cluster_count();
        let (from, to) = (stretch.first_cell, stretch.first_cell + count);
        let start = range.start.max(from);
        let end = range.end.min(to);
        if start >= end {
            continue;
        }
        let piece = slice_run(&stretch.run, start - from..end - from);
        let width = Pt::from_f32(piece.width());
        items.push(Item::Glyphs(GlyphRun {
            x: pen,
            y: baseline,
            run: piece,
        }));
        pen += width;
    }
    items
}

/// Where the page may end inside a block: only after the last printed line of a source line,
/// with at least `split_lines` lines on each side, and never inside a block of at most
/// `unbroken_lines` lines. After the block's last line it may.
fn code_breaks(lines: &[(FlowLine, bool)], design: &Code) -> Vec<bool> {
    let total = lines.len();
    lines
        .iter()
        .enumerate()
        .map(|(k, (_, ends_source_line))| {
            let after = k + 1;
            after == total
                || (total > design.unbroken_lines
                    && *ends_source_line
                    && after >= design.split_lines
                    && total - after >= design.split_lines)
        })
        .collect()
}

/// The warning for a block in which a token longer than the line was cut.
fn token_cut(span: &Span) -> Diagnostic {
    Diagnostic::warning(
        code::CODE_TOKEN_CUT,
        "a token in this code block is longer than the PDF's line and is broken inside",
    )
    .at(span.clone())
    .with_hint("break the line in the source, or set a smaller [pdf] code-min-size in book.toml")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn source_lines_follow_the_tokens() {
        let text = "let x = 1;\n\tf(\"a\")\n";
        let tokens = [
            CodeToken {
                start: 0,
                end: 3,
                class: TokenClass::Keyword,
            },
            CodeToken {
                start: 14,
                end: 17,
                class: TokenClass::String,
            },
        ];
        let lines = source_lines(text, &tokens, "    ");
        let shown: Vec<Vec<(&str, Option<TokenClass>)>> = lines
            .iter()
            .map(|l| l.iter().map(|s| (s.text.as_str(), s.class)).collect())
            .collect();
        assert_eq!(
            shown,
            [
                vec![("let", Some(TokenClass::Keyword)), (" x = 1;", None)],
                vec![
                    ("    f(", None),
                    ("\"a\"", Some(TokenClass::String)),
                    (")", None)
                ],
            ]
        );
    }

    #[test]
    fn short_blocks_never_split_and_long_ones_keep_two_lines() {
        let design = &crate::typeset::style::Style::for_profile("print").code;
        let lines = |n: usize| vec![(FlowLine::default(), true); n];
        assert_eq!(
            code_breaks(&lines(8), design),
            [vec![false; 7], vec![true]].concat()
        );
        let ten = code_breaks(&lines(10), design);
        assert_eq!(
            ten,
            [false, true, true, true, true, true, true, true, false, true]
        );
        let mut wrapped = lines(10);
        wrapped[3].1 = false;
        assert!(!code_breaks(&wrapped, design)[3]);
    }
}
