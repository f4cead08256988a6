//! Lists: each item's blocks set on an inset, with its marker (bullet, number or task box)
//! hung in the margin of its first line.

use super::blocks::FlowState;
use super::Composer;
use crate::doc::{Chapter, List};
use crate::typeset::layout::{GlyphRun, Item};
use crate::typeset::page::Flow;
use crate::typeset::structure::{prepend, Role};
use crate::units::Pt;

impl<'a, 'f> Composer<'a, 'f> {
    pub(super) fn list(
        &mut self,
        chapter: &Chapter,
        list: &List,
        x: Pt,
        width: Pt,
        flow: &mut Vec<Flow>,
    ) {
        let design = &self.design().list;
        let inset = design.inset.at(self.profile.font_size);
        flow.push(Flow::Space(self.profile.leading * design.space));
        for (n, item) in list.items.iter().enumerate() {
            let marker = match (list.start, item.task) {
                (_, Some(true)) => design.task_done.to_string(),
                (_, Some(false)) => design.task_open.to_string(),
                (Some(start), None) => format!("{}.", start + n as u64),
                (None, None) => design.bullet.to_string(),
            };
            let start = flow.len();
            let mut state = FlowState {
                titled: true,
                ..FlowState::default()
            };
            self.structure.open(Role::LI, None);
            let body = self.structure.open(Role::LBody, None);
            for block in &item.blocks {
                self.block(chapter, block, x + inset, width - inset, &mut state, flow);
            }
            self.structure.close();
            let label = self.structure.add(Role::Lbl, None);
            self.structure.close();
            super::blocks::stamp_flow(&mut flow[start..], Some(body));
            let style = self.body();
            let run = self.ctx.shape(&marker, &style);
            let gap = design.marker_gap.at(Pt::from_f32(style.size));
            let marker_x = x + inset - Pt::from_f32(run.width()) - gap;
            if let Some(Flow::Line(first)) = flow[start..]
                .iter_mut()
                .find(|f| matches!(f, Flow::Line(_)))
            {
                let baseline = first.items.iter().find_map(|i| match i {
                    Item::Glyphs(g) => Some(g.y),
                    _ => None,
                });
                let y = baseline.unwrap_or(self.profile.leading * self.design().text.baseline);
                // The marker comes first in the content stream, so that text extraction and
                // copying read "1. item", not "item 1.".
                prepend(&mut first.marks, 1, Some(label));
                first.items.insert(
                    0,
                    Item::Glyphs(GlyphRun {
                        x: marker_x,
                        y,
                        run,
                    }),
                );
            }
        }
        flow.push(Flow::Space(self.profile.leading * design.space));
    }
}
