//! Code blocks: monospace lines, never hyphenated, wrapped at the measure with a `↪`.

use super::Composer;
use crate::fonts::{FaceChoice, Family, Style};
use crate::typeset::layout::{GlyphRun, Item};
use crate::typeset::page::{paragraph_breaks, Flow, FlowLine};
use crate::typeset::paragraph::{slice_run, TextStyle};
use crate::typeset::shape::ShapedRun;
use crate::units::Pt;

impl<'a, 'f> Composer<'a, 'f> {
    pub(super) fn code(&mut self, text: &str, x: Pt, width: Pt, flow: &mut Vec<Flow>) {
        let design = self.design();
        let size = design.code.size.at(self.profile.font_size).to_f32();
        let style = TextStyle {
            choice: FaceChoice::new(Family::Mono, Style::Regular),
            size,
            rise: 0.0,
            link: None,
            strike: false,
        };
        let leading = design.code.leading.at(Pt::from_f32(size));
        flow.push(Flow::Space(self.profile.leading * design.code.space));
        let mut lines = Vec::new();
        for source_line in text.trim_end_matches('\n').split('\n') {
            let run = self
                .ctx
                .shape(&source_line.replace('\t', design.code.tab), &style);
            let mut start = 0;
            let mut first = true;
            let clusters = run.cluster_count();
            while start < clusters || (first && clusters == 0) {
                let prefix = if first {
                    None
                } else {
                    Some(self.ctx.shape(design.code.continuation, &style))
                };
                let prefix_width = prefix
                    .as_ref()
                    .map_or(Pt::ZERO, |p| Pt::from_f32(p.width()));
                let end = line_end(&run, start, prefix_width, width);
                let mut line = FlowLine {
                    height: leading,
                    break_after: true,
                    ..FlowLine::default()
                };
                let baseline = leading * design.text.baseline;
                if let Some(prefix) = prefix {
                    line.items.push(Item::Glyphs(GlyphRun {
                        x,
                        y: baseline,
                        run: prefix,
                    }));
                }
                if end > start {
                    let piece = slice_run(&run, start..end);
                    line.items.push(Item::Glyphs(GlyphRun {
                        x: x + prefix_width,
                        y: baseline,
                        run: piece,
                    }));
                }
                lines.push(line);
                start = end;
                first = false;
                if clusters == 0 {
                    break;
                }
            }
        }
        let rules = paragraph_breaks(lines.len());
        for (mut line, allowed) in lines.into_iter().zip(rules) {
            line.break_after = allowed;
            flow.push(Flow::Line(line));
        }
        flow.push(Flow::Space(self.profile.leading * design.code.space));
    }
}

/// Where a line of code that starts at cluster `start` ends to fit `width`, `used` already
/// taken by the continuation mark: at least one cluster, so that every line makes progress.
fn line_end(run: &ShapedRun, start: usize, mut used: Pt, width: Pt) -> usize {
    let mut end = start;
    while end < run.cluster_count() {
        let cluster = Pt::from_f32(run.cluster(end).width);
        if used + cluster > width && end != start {
            break;
        }
        used += cluster;
        end += 1;
    }
    end
}
