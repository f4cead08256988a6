//! pandoc's inline notes, `text^[the note's text]`: the bracketed inlines become a footnote
//! of the chapter (under a label no author can write, so it never meets a `[^label]`), and a
//! call to it stands where they were. pulldown-cmark knows no inline notes, so they arrive as
//! text `^[`, the note's inlines, and a `]` in a later text.

use super::builder::Builder;
use crate::diag::Span;
use crate::doc::{Block, Inline, Note, NoteRef};

/// A note being collected: its inlines so far and how many brackets are open in it.
struct OpenNote {
    content: Vec<Inline>,
    depth: usize,
    span: Span,
}

impl Builder<'_> {
    /// The inlines with every `^[…]` made a note call, its text a note of the chapter. A note
    /// never closed stays as written.
    pub(super) fn inline_notes(&mut self, inlines: Vec<Inline>) -> Vec<Inline> {
        let opens = |i: &Inline| matches!(i, Inline::Text { text, .. } if text.contains("^["));
        if !inlines.iter().any(opens) {
            return inlines;
        }
        let mut out = Vec::with_capacity(inlines.len());
        let mut open: Option<OpenNote> = None;
        for inline in inlines {
            match inline {
                Inline::Text { text, span } => self.note_text(&text, &span, &mut open, &mut out),
                other => match open.as_mut() {
                    Some(note) => note.content.push(other),
                    None => out.push(other),
                },
            }
        }
        if let Some(note) = open {
            out.push(Inline::text("^[", note.span.clone()));
            out.extend(note.content);
        }
        out
    }

    /// One text: outside a note, up to `^[`; inside one, up to its closing `]`.
    fn note_text(
        &mut self,
        text: &str,
        span: &Span,
        open: &mut Option<OpenNote>,
        out: &mut Vec<Inline>,
    ) {
        let mut rest = text;
        while !rest.is_empty() {
            match open.as_mut() {
                None => {
                    let Some(at) = rest.find("^[") else {
                        out.push(Inline::text(rest, span.clone()));
                        return;
                    };
                    if at > 0 {
                        out.push(Inline::text(&rest[..at], span.clone()));
                    }
                    *open = Some(OpenNote {
                        content: Vec::new(),
                        depth: 1,
                        span: span.clone(),
                    });
                    rest = &rest[at + 2..];
                }
                Some(note) => {
                    let Some(close) = closing_bracket(rest, &mut note.depth) else {
                        note.content.push(Inline::text(rest, span.clone()));
                        return;
                    };
                    if close > 0 {
                        note.content
                            .push(Inline::text(&rest[..close], span.clone()));
                    }
                    if let Some(note) = open.take() {
                        out.push(self.note_call(note));
                    }
                    rest = &rest[close + 1..];
                }
            }
        }
    }

    /// A note of the chapter holding the inlines, and the call to it.
    fn note_call(&mut self, note: OpenNote) -> Inline {
        // Unique in the book: chapters that merge several files merge their notes.
        let label = format!("inline note {} {}", self.file.0, self.notes.len() + 1);
        self.notes.push(Note {
            label: label.clone(),
            number: 0,
            id: String::new(),
            ref_id: String::new(),
            blocks: vec![Block::Paragraph {
                content: note.content,
                span: note.span.clone(),
            }],
            span: note.span.clone(),
        });
        Inline::NoteRef(Box::new(NoteRef {
            label,
            note: None,
            id: String::new(),
            span: note.span,
        }))
    }
}

/// The offset of the `]` that closes a note whose `depth` brackets are open, counting the
/// brackets of `text`; `None` when the note goes on past it.
fn closing_bracket(text: &str, depth: &mut usize) -> Option<usize> {
    for (at, c) in text.char_indices() {
        match c {
            '[' => *depth += 1,
            ']' => {
                *depth -= 1;
                if *depth == 0 {
                    return Some(at);
                }
            }
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::closing_bracket;

    #[test]
    fn brackets_nest_inside_a_note() {
        let mut depth = 1;
        assert_eq!(closing_bracket("a [b] c] d", &mut depth), Some(7));
        let mut depth = 1;
        assert_eq!(closing_bracket("a [b", &mut depth), None);
        assert_eq!(depth, 2);
    }
}
