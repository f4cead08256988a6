//! Code blocks: monospace lines, never hyphenated, wrapped at the measure with a `↪`.

use super::Composer;
use crate::fonts::{FaceChoice, Family, Style};
use crate::typeset::layout::{GlyphRun, Item};
use crate::typeset::page::{paragraph_breaks, Flow, FlowLine};
use crate::typeset::paragraph::{slice_run, TextStyle};

impl<'a, 'f> Composer<'a, 'f> {
    pub(super) fn code(&mut self, text: &str, x: f64, width: f64, flow: &mut Vec<Flow>) {
        let size = (self.profile.font_size * 0.82) as f32;
        let style = TextStyle {
            choice: FaceChoice::new(Family::Mono, Style::Regular),
            size,
            rise: 0.0,
            link: None,
            strike: false,
        };
        let leading = f64::from(size) * 1.3;
        flow.push(Flow::Space(self.profile.leading * 0.4));
        let mut lines = Vec::new();
        for source_line in text.trim_end_matches('\n').split('\n') {
            let run = self.ctx.shape(&source_line.replace('\t', "    "), &style);
            let mut start = 0;
            let mut first = true;
            while start < run.clusters.len() || (first && run.clusters.is_empty()) {
                let prefix = if first {
                    None
                } else {
                    Some(self.ctx.shape("↪ ", &style))
                };
                let prefix_width = prefix.as_ref().map_or(0.0, |p| f64::from(p.width()));
                let mut end = start;
                let mut used = prefix_width;
                while end < run.clusters.len()
                    && (used + f64::from(run.clusters[end].width) <= width || end == start)
                {
                    used += f64::from(run.clusters[end].width);
                    end += 1;
                }
                let mut line = FlowLine {
                    height: leading,
                    break_after: true,
                    ..FlowLine::default()
                };
                let baseline = leading * 0.78;
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
                if run.clusters.is_empty() {
                    break;
                }
            }
        }
        let rules = paragraph_breaks(lines.len());
        for (mut line, allowed) in lines.into_iter().zip(rules) {
            line.break_after = allowed;
            flow.push(Flow::Line(line));
        }
        flow.push(Flow::Space(self.profile.leading * 0.4));
    }
}
