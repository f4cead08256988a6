//! Walking the chapters in reading order (a footnote's content at its first call): the first
//! walk collects the citations, the second writes their renderings back and, in note styles,
//! turns each citation outside a footnote into a footnote of its own.

use crate::diag::Span;
use crate::doc::{Block, Chapter, Citation, Inline, Note, NoteRef};

/// Where a citation stands in the reading order.
#[derive(Debug, Clone, Copy)]
pub(super) struct Place {
    /// Inside one of the author's footnotes.
    pub(super) in_note: bool,
    /// The book-wide number of the footnote it is in or becomes (0 for in-text styles).
    pub(super) note_number: usize,
}

/// A citation met in reading order.
pub(super) struct Site {
    /// The citation as written.
    pub(super) citation: Citation,
    /// Where it stands.
    pub(super) place: Place,
}

/// Visits citations in reading order: the body, and each footnote's content at its first
/// call (unreferenced notes last). The visitor returns what replaces the citation and,
/// possibly, a generated footnote for the chapter.
struct Walker<F> {
    visit: F,
    cites_make_notes: bool,
    note_count: usize,
    notes: Vec<Note>,
    /// Label → index of the first note of `notes` with it: a call finds its note without a
    /// scan of the chapter's notes (100,000 notes took minutes).
    note_index: std::collections::HashMap<String, usize>,
    seen: Vec<bool>,
    generated: Vec<Note>,
}

impl<F: FnMut(Citation, Place) -> (Vec<Inline>, Option<Note>)> Walker<F> {
    fn new(cites_make_notes: bool, visit: F) -> Self {
        Walker {
            visit,
            cites_make_notes,
            note_count: 0,
            notes: Vec::new(),
            note_index: std::collections::HashMap::new(),
            seen: Vec::new(),
            generated: Vec::new(),
        }
    }

    fn chapter(&mut self, chapter: &mut Chapter) {
        self.notes = std::mem::take(&mut chapter.notes);
        self.note_index.clear();
        for (index, note) in self.notes.iter().enumerate() {
            self.note_index.entry(note.label.clone()).or_insert(index);
        }
        self.seen = vec![false; self.notes.len()];
        self.blocks(&mut chapter.blocks, None);
        for index in 0..self.notes.len() {
            if !self.seen[index] {
                self.note(index);
            }
        }
        chapter.notes = std::mem::take(&mut self.notes);
        chapter.notes.append(&mut self.generated);
    }

    fn note(&mut self, index: usize) {
        self.seen[index] = true;
        self.note_count += 1;
        let number = self.note_count;
        let mut blocks = std::mem::take(&mut self.notes[index].blocks);
        self.blocks(&mut blocks, Some(number));
        self.notes[index].blocks = blocks;
    }

    fn blocks(&mut self, blocks: &mut [Block], note: Option<usize>) {
        for block in blocks {
            self.block(block, note);
        }
    }

    fn block(&mut self, block: &mut Block, note: Option<usize>) {
        match block {
            Block::Heading(heading) => self.inlines(&mut heading.content, note),
            Block::Paragraph { content, .. } => self.inlines(content, note),
            Block::Quote { blocks, .. } | Block::Container { blocks, .. } => {
                self.blocks(blocks, note)
            }
            Block::List(list) => {
                for item in &mut list.items {
                    self.blocks(&mut item.blocks, note);
                }
            }
            Block::Table(table) => {
                self.inlines(&mut table.caption, note);
                let rows = table.rows.iter_mut().flatten();
                for cell in table.head.iter_mut().chain(rows) {
                    self.inlines(cell, note);
                }
            }
            Block::Figure(figure) => self.inlines(&mut figure.caption, note),
            Block::Code {
                listing: Some(listing),
                ..
            } => self.inlines(&mut listing.caption, note),
            Block::Code { .. }
            | Block::Rule { .. }
            | Block::Html { .. }
            | Block::ReferencesMarker { .. }
            | Block::References(_) => {}
        }
    }

    fn inlines(&mut self, list: &mut Vec<Inline>, note: Option<usize>) {
        if !has_calls(list) {
            return;
        }
        let mut call_at = None;
        for inline in std::mem::take(list) {
            call_at = match inline {
                Inline::Text { text, span } if call_at.is_some() => {
                    move_punctuation(list, call_at, text, span);
                    None
                }
                Inline::Cite(citation) => self.cite(list, *citation, note),
                Inline::NoteRef(call) => {
                    let index = self.note_index.get(&call.label).copied();
                    list.push(Inline::NoteRef(call));
                    if let Some(index) = index.filter(|&i| !self.seen[i]) {
                        self.note(index);
                    }
                    None
                }
                other => {
                    list.push(self.nested(other, note));
                    None
                }
            };
        }
    }

    /// Replace a citation; returns the position of a lone generated note call, which (as in
    /// pandoc) takes no space before it and goes after the punctuation that follows.
    fn cite(
        &mut self,
        list: &mut Vec<Inline>,
        citation: Citation,
        note: Option<usize>,
    ) -> Option<usize> {
        let place = self.place(note);
        let (replacement, generated) = (self.visit)(citation, place);
        let lone_call =
            generated.is_some() && matches!(replacement.as_slice(), [Inline::NoteRef(_)]);
        if lone_call {
            if let Some(Inline::Text { text, .. }) = list.last_mut() {
                text.truncate(text.trim_end().len());
            }
        }
        let at = list.len();
        list.extend(replacement);
        self.generated.extend(generated);
        lone_call.then_some(at)
    }

    fn nested(&mut self, mut inline: Inline, note: Option<usize>) -> Inline {
        match &mut inline {
            Inline::Emph(content) | Inline::Strong(content) | Inline::Strike(content) => {
                self.inlines(content, note)
            }
            Inline::Link(link) => self.inlines(&mut link.content, note),
            Inline::Html(html) => self.inlines(&mut html.children, note),
            _ => {}
        }
        inline
    }

    fn place(&mut self, note: Option<usize>) -> Place {
        match note {
            Some(number) => Place {
                in_note: true,
                note_number: number,
            },
            None if self.cites_make_notes => {
                self.note_count += 1;
                Place {
                    in_note: false,
                    note_number: self.note_count,
                }
            }
            None => Place {
                in_note: false,
                note_number: 0,
            },
        }
    }
}

/// Whether `list` holds a citation or a note call at any depth. A list without one is left
/// as it is by the walk rather than rebuilt (a paragraph of millions of inlines was copied
/// inline by inline for nothing).
fn has_calls(list: &[Inline]) -> bool {
    list.iter().any(|inline| match inline {
        Inline::Cite(_) | Inline::NoteRef(_) => true,
        Inline::Emph(c) | Inline::Strong(c) | Inline::Strike(c) => has_calls(c),
        Inline::Link(link) => has_calls(&link.content),
        Inline::Html(html) => has_calls(&html.children),
        _ => false,
    })
}

/// Move the punctuation starting `text` before the note call at `call_at` (`1928 [@a].` →
/// `1928.¹`), then append the rest of the text.
fn move_punctuation(list: &mut Vec<Inline>, call_at: Option<usize>, text: String, span: Span) {
    let punct = text.len()
        - text
            .trim_start_matches(['.', ',', ';', ':', '!', '?'])
            .len();
    if let Some(at) = call_at.filter(|_| punct > 0) {
        match at.checked_sub(1).and_then(|before| list.get_mut(before)) {
            Some(Inline::Text { text: before, .. }) => before.push_str(&text[..punct]),
            _ => list.insert(at, Inline::text(&text[..punct], span.clone())),
        }
    }
    if punct < text.len() {
        list.push(Inline::Text {
            text: text[punct..].to_string(),
            span,
        });
    }
}

/// First walk: every citation, in reading order, with its place.
pub(super) fn collect(chapters: &mut [Chapter], note_style: bool) -> Vec<Site> {
    let mut sites = Vec::new();
    let mut walker = Walker::new(note_style, |citation: Citation, place| {
        sites.push(Site {
            citation: citation.clone(),
            place,
        });
        (vec![Inline::Cite(Box::new(citation))], None)
    });
    for chapter in chapters.iter_mut() {
        walker.chapter(chapter);
    }
    drop(walker);
    sites
}

/// What a citation becomes.
pub(super) enum Output {
    /// Rendered in place: fills [`Citation::rendered`].
    Inline(Vec<Inline>),
    /// A footnote holding `content`; narrative citations keep `lead` (the author) in the text.
    Note {
        content: Vec<Inline>,
        lead: Option<Vec<Inline>>,
    },
}

/// Second walk, in the same order as [`collect`]: write the outputs back.
pub(super) fn apply(chapters: &mut [Chapter], note_style: bool, outputs: Vec<Output>) {
    let mut outputs = outputs.into_iter();
    let mut count = 0;
    let mut walker = Walker::new(note_style, |mut citation: Citation, _place| {
        match outputs.next() {
            Some(Output::Inline(rendered)) => {
                citation.rendered = rendered;
                (vec![Inline::Cite(Box::new(citation))], None)
            }
            Some(Output::Note { content, lead }) => {
                count += 1;
                citation_note(citation, format!("cite-{count}"), content, lead)
            }
            None => (vec![Inline::Cite(Box::new(citation))], None),
        }
    });
    for chapter in chapters.iter_mut() {
        walker.chapter(chapter);
    }
}

/// A generated footnote for a citation and the call that replaces the citation.
fn citation_note(
    mut citation: Citation,
    label: String,
    content: Vec<Inline>,
    lead: Option<Vec<Inline>>,
) -> (Vec<Inline>, Option<Note>) {
    let span = citation.span.clone();
    let note = Note {
        label: label.clone(),
        number: 0,
        id: String::new(),
        ref_id: String::new(),
        blocks: vec![Block::Paragraph {
            content,
            span: span.clone(),
        }],
        span: span.clone(),
    };
    let call = Inline::NoteRef(Box::new(NoteRef {
        label,
        note: None,
        id: String::new(),
        span,
    }));
    let inlines = match lead {
        Some(lead) => {
            citation.rendered = lead;
            vec![Inline::Cite(Box::new(citation)), call]
        }
        None => vec![call],
    };
    (inlines, Some(note))
}

#[cfg(test)]
mod tests {
    use super::super::test_book::{book, cite_notes, cites, options, run, run_with, BIB, SAMPLE};
    use crate::doc::{plain_text, Block, Inline};

    #[test]
    fn chicago_notes_turns_citations_into_footnotes() {
        let outcome = run(SAMPLE, "chicago-notes");
        let pol_pot =
            "The Pol Pot Regime: Race, Power and Genocide in Cambodia under the Khmer Rouge";
        assert_eq!(
            cite_notes(&outcome),
            [
                format!("Ben Kiernan, {pol_pot} (Yale University Press, 1996)."),
                format!("Kiernan, {pol_pot}, 45–47."),
                "See Ben Kiernan, “Bophana and the Archives of S-21,” Journal of Asian Studies 55, \
                 no. 2 (1996): chap. 2, https://doi.org/10.1234/jas.1996.55; Extraordinary \
                 Chambers in the Courts of Cambodia, Judgement in Case 001, Judgement (ECCC, \
                 2010), https://www.eccc.gov.kh/en."
                    .to_string(),
                // Narrative: the author is in the sentence, not in the note.
                "Voices from S-21 (University of California Press, 1999).".to_string(),
                "Voices from S-21, 12, emphasis added.".to_string(),
                "“Bophana and the Archives of S-21,” 104.".to_string(),
                format!(
                    "Chandler et al., Voices from S-21; Kiernan, {pol_pot}; Kiernan, “Bophana and \
                     the Archives of S-21.”"
                ),
                "Extraordinary Chambers in the Courts of Cambodia, Judgement in Case 001, 33, \
                 emphasis added."
                    .to_string(),
            ]
        );
        // Narrative citations keep the author in the text, linked, before the note call, as
        // the note would have named them (in full the first time).
        assert_eq!(
            cites(&outcome),
            ["David Chandler et al.", "Chandler et al."]
        );
        let Block::Paragraph { content, .. } = &outcome.book.chapters[0].blocks[3] else {
            panic!("paragraph expected");
        };
        assert!(matches!(&content[0], Inline::Cite(_)));
        assert!(matches!(&content[1], Inline::NoteRef(r) if r.label == "cite-4"));
        let Block::Paragraph { content, .. } = &outcome.book.chapters[0].blocks[0] else {
            panic!("paragraph expected");
        };
        assert!(
            matches!(&content[0], Inline::NoteRef(r) if r.label == "cite-1" && r.note.is_none())
        );
        assert_eq!(
            outcome.list.as_ref().map(|l| l.title.as_str()),
            Some("Bibliography")
        );
    }

    #[test]
    fn note_style_renders_citations_inside_footnotes_in_place() {
        let book = book(
            &["First [@kiernan1996, p. 3].[^a] Then [@kiernan1996, p. 9]."],
            &[("a", "As argued in [@kiernan1996b]. See also @eccc2010.")],
            Some(("references.bib", BIB)),
        );
        let outcome = run_with(book, &options("chicago-notes"));
        let notes = &outcome.book.chapters[0].notes;
        let labels: Vec<&str> = notes.iter().map(|n| n.label.as_str()).collect();
        assert_eq!(labels, ["a", "cite-1", "cite-2"]);
        // Generated calls follow the punctuation, with no space before them (as in pandoc).
        let Block::Paragraph { content, .. } = &outcome.book.chapters[0].blocks[0] else {
            panic!("paragraph expected");
        };
        let shape: Vec<String> = content
            .iter()
            .map(|i| match i {
                Inline::Text { text, .. } => text.clone(),
                Inline::NoteRef(call) => format!("^{}", call.label),
                _ => "?".into(),
            })
            .collect();
        assert_eq!(shape, ["First.", "^cite-1", "^a", " Then.", "^cite-2"]);
        // The author's note keeps its citations, rendered inline (no note in a note) as
        // citeproc sets them: without the period that ends a note (the note's sentence has
        // its own), in parentheses when written in brackets.
        let Block::Paragraph { content, .. } = &notes[0].blocks[0] else {
            panic!("paragraph expected");
        };
        let inline: Vec<String> = content
            .iter()
            .filter_map(|i| match i {
                Inline::Cite(c) => Some(plain_text(&c.rendered)),
                _ => None,
            })
            .collect();
        assert_eq!(
            inline,
            [
                "(Ben Kiernan, “Bophana and the Archives of S-21,” Journal of Asian Studies 55, \
                 no. 2 (1996): 100–120, https://doi.org/10.1234/jas.1996.55)",
                "Extraordinary Chambers in the Courts of Cambodia, Judgement in Case 001, \
                 Judgement (ECCC, 2010), https://www.eccc.gov.kh/en"
            ]
        );
        // Reading order puts note a between the two body citations: the second one is short.
        assert_eq!(
            cite_notes(&outcome),
            [
                "Ben Kiernan, The Pol Pot Regime: Race, Power and Genocide in Cambodia under the \
                 Khmer Rouge (Yale University Press, 1996), 3.",
                "Kiernan, The Pol Pot Regime: Race, Power and Genocide in Cambodia under the \
                 Khmer Rouge, 9."
            ]
        );
    }
}
