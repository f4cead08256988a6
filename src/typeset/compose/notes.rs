//! Footnotes: each note of a chapter set as lines for the foot of the page, and notes called
//! from inside other notes attached after the note that calls them.

use super::Composer;
use crate::doc::{Block, Chapter, Inline};
use crate::typeset::layout::{AnchorItem, Item};
use crate::typeset::page::{Flow, FlowLine, NoteLines};
use crate::typeset::paragraph::{set_paragraph, Alignment, ParagraphSpec, Pieces, TextStyle};
use crate::units::Pt;

impl<'a, 'f> Composer<'a, 'f> {
    pub(super) fn note_lines(&mut self, chapter: &Chapter) -> Vec<NoteLines> {
        let design = &self.design().notes;
        let size = design.size.at(self.profile.font_size).to_f32();
        let leading = self.profile.leading * design.leading;
        let width = self.profile.text_width();
        chapter
            .notes
            .iter()
            .map(|note| {
                let style = TextStyle::serif(size);
                let mut lines: Vec<FlowLine> = Vec::new();
                for (n, block) in note.blocks.iter().enumerate() {
                    let mut pieces = Pieces::new();
                    if n == 0 {
                        pieces.text(format!("{}. ", note.number), &style);
                    }
                    let content = match block {
                        Block::Paragraph { content, .. } => content.clone(),
                        other => block_text(other),
                    };
                    self.pieces(chapter, &content, &style, &mut pieces);
                    let spec = ParagraphSpec::plain(width, leading, Alignment::Justified);
                    let mut set = set_paragraph(&pieces, &spec, &mut self.ctx);
                    if n == 0 {
                        if let Some(first) = set.first_mut() {
                            first.items.push(Item::Anchor(Box::new(AnchorItem {
                                id: note.id.clone(),
                                y: Pt::ZERO,
                            })));
                        }
                    }
                    lines.extend(set);
                }
                lines
            })
            .collect()
    }
}

/// Notes called only from inside other notes follow the note that calls them: the page
/// builder places the notes that body lines call, so a note called from a note alone never
/// reached the page. Each note is placed once, after the first note (in the order the body
/// calls them) whose lines call it, and the notes it calls follow it in turn.
pub(super) fn attach_nested_notes(mut notes: Vec<NoteLines>, flow: &[Flow]) -> Vec<NoteLines> {
    let mut placed = vec![false; notes.len()];
    let mut roots = Vec::new();
    for element in flow {
        let Flow::Line(line) = element else { continue };
        let header = line.repeat.as_deref().map(|h| h.notes.as_slice());
        for &n in line.notes.iter().chain(header.unwrap_or_default()) {
            if let Some(seen) = placed.get_mut(n) {
                if !*seen {
                    *seen = true;
                    roots.push(n);
                }
            }
        }
    }
    for root in roots {
        let mut lines = Vec::new();
        let mut stack = vec![root];
        while let Some(n) = stack.pop() {
            let own = std::mem::take(&mut notes[n]);
            let called: Vec<usize> = own.iter().flat_map(|l| l.notes.iter().copied()).collect();
            for &m in called.iter().rev() {
                if placed.get(m) == Some(&false) {
                    placed[m] = true;
                    stack.push(m);
                }
            }
            lines.extend(own);
        }
        notes[root] = lines;
    }
    notes
}

/// A block that can only be shown as text in a note (lists, code, tables) becomes its plain
/// text, every word kept.
fn block_text(block: &Block) -> Vec<Inline> {
    let span = crate::diag::Span::new(crate::diag::FileId(0), 0..0);
    let text = crate::doc::blocks_plain_text(std::slice::from_ref(block));
    let words: Vec<&str> = text.split_whitespace().collect();
    vec![Inline::text(words.join(" "), span)]
}
