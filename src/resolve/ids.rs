//! Book-unique anchor ids: headings, raw HTML ids, reference entries.
//!
//! Ids must be unique across the whole book, not only per chapter, because the PDF is one
//! document and cross-chapter links name an id. Explicit ids (`{#id}`) are kept verbatim and a
//! duplicate is an error; generated ids are slugs of the heading text, de-duplicated with a
//! numeric suffix in reading order, so they are stable from build to build.

use std::collections::{BTreeMap, BTreeSet};

use crate::diag::{code, Diagnostic, Diagnostics, SourceMap, Span};
use crate::doc::walk;
use crate::doc::{is_crossref_label, label_anchor, plain_text, Block, Chapter, HtmlNode, Inline};

/// Names handed out once each; a taken name gets `-2`, `-3`, … appended.
#[derive(Debug, Default)]
pub(super) struct UniqueNames {
    taken: BTreeSet<String>,
    /// Next suffix to try per base name, so 100,000 equal headings stay linear.
    next_suffix: BTreeMap<String, usize>,
}

impl UniqueNames {
    /// Take `wanted`, or the first free `wanted-N`.
    pub(super) fn claim(&mut self, wanted: &str) -> String {
        if self.taken.insert(wanted.to_string()) {
            return wanted.to_string();
        }
        let n = self.next_suffix.entry(wanted.to_string()).or_insert(2);
        loop {
            let candidate = format!("{wanted}-{n}");
            *n += 1;
            if self.taken.insert(candidate.clone()) {
                return candidate;
            }
        }
    }

    /// Take `name` exactly; false when it was already taken.
    pub(super) fn claim_exact(&mut self, name: &str) -> bool {
        self.taken.insert(name.to_string())
    }
}

/// Every anchor id in the book and the chapter that holds it.
#[derive(Debug, Default)]
pub(super) struct Anchors {
    names: UniqueNames,
    chapter_of: BTreeMap<String, usize>,
    /// Where each id the author chose was first written (for "used twice" hints).
    written_at: BTreeMap<String, Span>,
}

impl Anchors {
    /// Register an id the author chose; false if it is already used.
    pub(super) fn insert_exact(&mut self, id: &str, chapter: usize) -> bool {
        if !self.names.claim_exact(id) {
            return false;
        }
        self.chapter_of.insert(id.to_string(), chapter);
        true
    }

    /// Register a generated id, made unique, and return it.
    pub(super) fn insert_generated(&mut self, wanted: &str, chapter: usize) -> String {
        let id = self.names.claim(wanted);
        self.chapter_of.insert(id.clone(), chapter);
        id
    }

    /// The chapter holding `id`.
    pub(super) fn chapter_of(&self, id: &str) -> Option<usize> {
        self.chapter_of.get(id).copied()
    }
}

/// Give every heading a book-unique id and register all other author ids.
pub(super) fn assign_ids(
    chapters: &mut [Chapter],
    sources: &SourceMap,
    diags: &mut Diagnostics,
) -> Anchors {
    let mut anchors = Anchors::default();
    for (index, chapter) in chapters.iter_mut().enumerate() {
        register_explicit(index, &mut chapter.blocks, &mut anchors, sources, diags);
        for note in &mut chapter.notes {
            register_explicit(index, &mut note.blocks, &mut anchors, sources, diags);
        }
    }
    for (index, chapter) in chapters.iter_mut().enumerate() {
        walk::blocks_mut(&mut chapter.blocks, &mut |block| {
            if let Block::Heading(heading) = block {
                if !heading.explicit_id {
                    heading.id = anchors
                        .insert_generated(&heading_slug(&plain_text(&heading.content)), index);
                }
            }
        });
    }
    anchors
}

fn register_explicit(
    index: usize,
    blocks: &mut [Block],
    anchors: &mut Anchors,
    sources: &SourceMap,
    diags: &mut Diagnostics,
) {
    let mut found: Vec<(String, Span)> = Vec::new();
    walk::blocks_mut(blocks, &mut |block| match block {
        Block::Heading(h) if h.explicit_id => {
            let span = h.attrs.span.clone().unwrap_or_else(|| h.span.clone());
            found.push((h.id.clone(), span));
        }
        Block::Figure(_) | Block::Table(_) | Block::Code { .. } => {
            if let Some((id, span)) = labelled_id(block) {
                found.push((id, span));
            }
        }
        Block::Html { nodes, span } => collect_html_ids(nodes, span, &mut found),
        Block::Container { attrs, span, .. } => push_id_attr(attrs, span, &mut found),
        Block::References(entries) => {
            for entry in entries.iter() {
                found.push((entry.id.clone(), Span::new(crate::diag::FileId(0), 0..0)));
            }
        }
        _ => {}
    });
    walk::blocks_mut(blocks, &mut |block| {
        let Some(span) = block.span().cloned() else {
            return;
        };
        walk::block_inlines_mut(block, &mut |inline| {
            if let Inline::Html(html) = inline {
                push_id_attr(&html.attrs, &span, &mut found);
            }
        });
    });
    for (id, span) in found {
        if !crate::markdown::html::is_xml_id(&id) {
            diags.push(
                Diagnostic::error(code::DUPLICATE_ID, format!("`{id}` is not a valid id"))
                    .at(span)
                    .with_hint(
                        "ids start with a letter and hold letters, digits, `-`, `_` and `.`",
                    ),
            );
        } else if !anchors.insert_exact(&id, index) {
            let first = anchors.written_at.get(&id).unwrap_or(&span);
            let (code, message, hint) = if is_crossref_label(&id) {
                (
                    code::DUPLICATE_LABEL,
                    format!("the label `{id}` is used twice"),
                    format!(
                        "labels must be unique in the whole book: rename this one (the first is at {}), and the references meant for it",
                        sources.location(first)
                    ),
                )
            } else {
                (
                    code::DUPLICATE_ID,
                    format!("the id `{id}` is used twice"),
                    format!(
                        "ids must be unique in the whole book; rename this one (the first is at {})",
                        sources.location(first)
                    ),
                )
            };
            diags.push(Diagnostic::error(code, message).at(span).with_hint(hint));
        } else {
            anchors.written_at.insert(id, span);
        }
    }
}

/// The anchor id of a labelled figure, table or listing (`fig:x` written as `fig-x`), with
/// where the label was written.
fn labelled_id(block: &Block) -> Option<(String, Span)> {
    let (label, attrs_span, span) = match block {
        Block::Figure(f) => {
            let attrs = f.attrs.span.as_ref().or(f.image.attrs.span.as_ref());
            (f.label()?, attrs, &f.span)
        }
        Block::Table(t) => (t.attrs.id.as_deref()?, t.attrs.span.as_ref(), &t.span),
        Block::Code {
            listing: Some(l),
            span,
            ..
        } => (l.attrs.id.as_deref()?, l.attrs.span.as_ref(), span),
        _ => return None,
    };
    Some((label_anchor(label), attrs_span.unwrap_or(span).clone()))
}

fn collect_html_ids(nodes: &[HtmlNode], span: &Span, found: &mut Vec<(String, Span)>) {
    for node in nodes {
        if let HtmlNode::Element {
            attrs, children, ..
        } = node
        {
            push_id_attr(attrs, span, found);
            collect_html_ids(children, span, found);
        }
    }
}

/// Raw HTML elements with an `id` are link targets like heading ids.
fn push_id_attr(attrs: &[(String, String)], span: &Span, found: &mut Vec<(String, Span)>) {
    for (name, value) in attrs {
        if name == "id" {
            found.push((value.clone(), span.clone()));
        }
    }
}

/// A heading's generated id: lower-case words joined by hyphens, starting with a letter.
pub(super) fn heading_slug(text: &str) -> String {
    let mut slug = String::new();
    let mut pending_hyphen = false;
    for c in text.chars() {
        if crate::markdown::html::is_id_char(c) {
            if pending_hyphen && !slug.is_empty() {
                slug.push('-');
            }
            pending_hyphen = false;
            slug.extend(c.to_lowercase());
        } else if c.is_whitespace() || c == '-' || c == '–' || c == '—' || c == '/' {
            pending_hyphen = true;
        }
    }
    match slug.chars().next() {
        None => "section".to_string(),
        Some(c) if !c.is_alphabetic() && c != '_' => format!("h-{slug}"),
        Some(_) => slug,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_valid_ids() {
        assert_eq!(heading_slug("The Rise of Pol Pot"), "the-rise-of-pol-pot");
        assert_eq!(heading_slug("S-21 Prison"), "s-21-prison");
        assert_eq!(heading_slug("1975: Year Zero!"), "h-1975-year-zero");
        assert_eq!(heading_slug("???"), "section");
        assert_eq!(heading_slug("Tuol Sleng (ទួលស្លែង)"), "tuol-sleng-ទួលស្លែង");
    }

    #[test]
    fn unique_names_suffix() {
        let mut names = UniqueNames::default();
        assert_eq!(names.claim("a"), "a");
        assert_eq!(names.claim("a"), "a-2");
        assert_eq!(names.claim("a"), "a-3");
        assert!(!names.claim_exact("a-2"));
    }
}
