//! Footnote numbering: per chapter, in the order notes are first called.
//!
//! Every call gets its own anchor (so a note called twice has two back-link targets), every
//! note a book-unique id. A call without a definition is an error; a definition never called
//! is a warning and is left out of the outputs.

use std::collections::{BTreeMap, BTreeSet};

use super::ids::Anchors;
use crate::diag::{closest, code, Diagnostic, Diagnostics};
use crate::doc::walk;
use crate::doc::{Chapter, Inline, Note};

/// Number every chapter's notes and link the calls to them.
pub(super) fn number_notes(
    chapters: &mut [Chapter],
    anchors: &mut Anchors,
    diags: &mut Diagnostics,
) {
    for (index, chapter) in chapters.iter_mut().enumerate() {
        number_chapter_notes(index, chapter, anchors, diags);
    }
}

struct Numbering {
    chapter: usize,
    /// label → (number, calls so far)
    assigned: BTreeMap<String, (u32, u32)>,
    order: Vec<String>,
    /// label → anchor id of its first call
    first_call: BTreeMap<String, String>,
}

impl Numbering {
    fn call(&mut self, label: &str, anchors: &mut Anchors) -> (usize, String) {
        let next = self.order.len() as u32 + 1;
        let entry = self.assigned.entry(label.to_string()).or_insert((next, 0));
        if entry.0 == next && entry.1 == 0 {
            self.order.push(label.to_string());
        }
        entry.1 += 1;
        let (number, calls) = *entry;
        let wanted = if calls == 1 {
            format!("fnref{}-{}", self.chapter + 1, number)
        } else {
            format!("fnref{}-{}-{}", self.chapter + 1, number, calls)
        };
        let id = anchors.insert_generated(&wanted, self.chapter);
        if calls == 1 {
            self.first_call.insert(label.to_string(), id.clone());
        }
        (number as usize - 1, id)
    }
}

fn number_chapter_notes(
    index: usize,
    chapter: &mut Chapter,
    anchors: &mut Anchors,
    diags: &mut Diagnostics,
) {
    let mut defined: Vec<Note> = std::mem::take(&mut chapter.notes);
    let labels: BTreeSet<String> = defined.iter().map(|n| n.label.clone()).collect();
    let mut numbering = Numbering {
        chapter: index,
        assigned: BTreeMap::new(),
        order: Vec::new(),
        first_call: BTreeMap::new(),
    };
    let mut visit = |inline: &mut Inline, numbering: &mut Numbering, diags: &mut Diagnostics| {
        let Inline::NoteRef(call) = inline else {
            return;
        };
        if labels.contains(&call.label) {
            let (note, id) = numbering.call(&call.label, anchors);
            call.note = Some(note);
            call.id = id;
        } else {
            report_missing(call, &labels, diags);
        }
    };
    walk::inlines_mut(&mut chapter.blocks, &mut |i| {
        visit(i, &mut numbering, diags)
    });
    // Notes may call further notes; visit each called note's body once, in number order.
    let position: BTreeMap<String, usize> = defined
        .iter()
        .enumerate()
        .rev()
        .map(|(i, n)| (n.label.clone(), i))
        .collect();
    let mut visited = 0;
    while visited < numbering.order.len() {
        if let Some(&at) = position.get(&numbering.order[visited]) {
            walk::inlines_mut(&mut defined[at].blocks, &mut |i| {
                visit(i, &mut numbering, diags)
            });
        }
        visited += 1;
    }
    chapter.notes = order_notes(index, &mut defined, &numbering, anchors, diags);
}

fn report_missing(call: &crate::doc::NoteRef, labels: &BTreeSet<String>, diags: &mut Diagnostics) {
    let near = closest(&call.label, labels.iter().map(String::as_str));
    let hint = match near.first() {
        Some(label) => format!("did you mean [^{label}]?"),
        None => format!("add a definition line: [^{}]: The note's text.", call.label),
    };
    diags.push(
        Diagnostic::error(
            code::MISSING_FOOTNOTE,
            format!("footnote [^{}] is never defined", call.label),
        )
        .at(call.span.clone())
        .with_hint(hint),
    );
}

fn order_notes(
    index: usize,
    defined: &mut Vec<Note>,
    numbering: &Numbering,
    anchors: &mut Anchors,
    diags: &mut Diagnostics,
) -> Vec<Note> {
    let mut ordered = Vec::with_capacity(numbering.order.len());
    let mut by_label: BTreeMap<String, Note> = BTreeMap::new();
    let mut unused = Vec::new();
    for note in defined.drain(..) {
        if numbering.assigned.contains_key(&note.label) && !by_label.contains_key(&note.label) {
            by_label.insert(note.label.clone(), note);
        } else {
            unused.push(note);
        }
    }
    for (position, label) in numbering.order.iter().enumerate() {
        let Some(mut note) = by_label.remove(label) else {
            continue;
        };
        let number = position as u32 + 1;
        note.number = number;
        note.id = anchors.insert_generated(&format!("fn{}-{}", index + 1, number), index);
        note.ref_id = numbering.first_call.get(label).cloned().unwrap_or_default();
        ordered.push(note);
    }
    for unused in unused {
        diags.push(
            Diagnostic::warning(
                code::UNUSED_FOOTNOTE,
                format!("footnote [^{}] is defined but never called", unused.label),
            )
            .at(unused.span)
            .with_hint("call it in the text with [^label], or delete the definition"),
        );
    }
    ordered
}
