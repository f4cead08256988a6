//! Cross-references: every `@fig-x`, `[-@tbl-y]`, `[Fig. @fig-x]` and `[@fig-a; @fig-b]`
//! rendered into linked text ("Figure 3.2", "3.2", "Fig. 3.2", "Figures 3.2 and 3.3").
//!
//! A label nothing carries is an error with the nearest labels as a hint; a label octavo knows
//! but cannot number (a code chunk it does not run, an equation) is a warning naming why, and
//! the reference prints as written.

use std::collections::BTreeMap;

use super::numbers::{kind_word, Target};
use crate::diag::{closest, code, Diagnostic, Diagnostics, SourceMap};
use crate::doc::walk;
use crate::doc::{
    label_prefix, Chapter, CiteItem, CrossRef, Inline, LatexReference, Link, LinkTarget,
};
use crate::locale::Terms;
use crate::markdown::{ForeignLabel, ForeignReason};

/// What references are resolved against.
pub(super) struct RefContext<'a> {
    /// Every numbered or titled label.
    pub targets: &'a BTreeMap<String, Target>,
    /// Labels octavo cannot number, by label.
    pub foreign: BTreeMap<&'a str, &'a ForeignLabel>,
    /// The book's words.
    pub terms: &'a Terms,
    /// For locations in hints.
    pub sources: &'a SourceMap,
    /// How many unknown labels have had "did you mean" hints.
    pub suggested: std::cell::Cell<usize>,
    /// For a book written for another tool: references to labels octavo cannot number,
    /// gathered by why (the first warning of each kind and how many there are), reported
    /// once per kind; `None` reports each where it is.
    pub summary: Option<std::cell::RefCell<BTreeMap<&'static str, (Diagnostic, usize)>>>,
}

/// Unknown labels past this many get a hint without "did you mean" (each suggestion compares
/// the label with every label of the book).
const MAX_SUGGESTIONS: usize = 200;

/// Render every cross-reference of every chapter, its notes and its title.
pub(super) fn resolve_cross_references(
    chapters: &mut [Chapter],
    context: &RefContext<'_>,
    diags: &mut Diagnostics,
) {
    for chapter in chapters.iter_mut() {
        let mut visit = |inline: &mut Inline| {
            if let Inline::Ref(reference) = inline {
                reference.rendered = render(reference, context, diags);
                reference.page_anchor = page_anchor(reference, context);
            }
        };
        walk::inlines_mut(&mut chapter.blocks, &mut visit);
        for note in &mut chapter.notes {
            walk::inlines_mut(&mut note.blocks, &mut visit);
        }
        // The title is a copy of the title heading's text, whose references were reported.
        let mut copies = Diagnostics::default();
        walk::each_inline_mut(&mut chapter.title, &mut |inline| {
            if let Inline::Ref(reference) = inline {
                reference.rendered = render(reference, context, &mut copies);
                reference.page_anchor = page_anchor(reference, context);
            }
        });
    }
    report_summary(context, diags);
}

/// One warning per kind of label octavo cannot number, the first reference's, counting the
/// others.
fn report_summary(context: &RefContext<'_>, diags: &mut Diagnostics) {
    let Some(summary) = &context.summary else {
        return;
    };
    for (_, (mut warning, count)) in std::mem::take(&mut *summary.borrow_mut()) {
        if count > 1 {
            warning.message = format!(
                "{} ({} references of this kind in the book are printed as written; this is the first)",
                warning.message,
                count
            );
        }
        diags.push(warning);
    }
}

/// One part of a rendered reference: resolved items of one kind, or an item printed as
/// written.
enum Part<'t> {
    Resolved(Vec<(&'t CiteItem, &'t Target)>),
    Written(String),
}

fn render(reference: &CrossRef, context: &RefContext<'_>, diags: &mut Diagnostics) -> Vec<Inline> {
    let mut parts: Vec<Part<'_>> = Vec::new();
    for item in &reference.items {
        let Some(target) = context.targets.get(&item.key) else {
            if let Some(latex) = &reference.latex {
                diags.push(unresolved_latex_reference(item, latex));
                parts.push(Part::Written(latex.written.clone()));
                continue;
            }
            report_unresolved(item, context, diags);
            parts.push(Part::Written(written(item)));
            continue;
        };
        let joins = plain(item)
            && target.number.is_some()
            && matches!(parts.last(), Some(Part::Resolved(group))
                if group.iter().all(|(i, t)| plain(i) && t.kind == target.kind && t.number.is_some()));
        match parts.last_mut() {
            Some(Part::Resolved(group)) if joins => group.push((item, target)),
            _ => parts.push(Part::Resolved(vec![(item, target)])),
        }
    }
    let span = reference.span.clone();
    let rendered: Vec<Vec<Inline>> = parts
        .iter()
        .map(|part| match part {
            Part::Resolved(group) => render_group(group, context.terms, &span),
            Part::Written(text) => vec![Inline::text(text.clone(), span.clone())],
        })
        .collect();
    let mut out = join_list(rendered, context.terms.and, &span);
    let parenthesised = reference.latex.as_ref().is_some_and(|l| l.parenthesised);
    if parenthesised && matches!(parts.as_slice(), [Part::Resolved(_)]) {
        out.insert(0, Inline::text("(", span.clone()));
        out.push(Inline::text(")", span));
    }
    out
}

/// A LaTeX reference (`\ref{x}`) to a label nothing in the book carries: printed as written,
/// since the label may name what only LaTeX numbers.
fn unresolved_latex_reference(item: &CiteItem, latex: &LatexReference) -> Diagnostic {
    Diagnostic::warning(
        code::RAW_LATEX,
        format!(
            "raw LaTeX (`{}`) is printed as written: nothing in the book carries the label `{}`",
            latex.written, item.key
        ),
    )
    .at(item.span.clone())
    .with_hint("label what it names (\\label{…} inside an equation, {#fig-x} on a figure), or write @label")
}

/// The anchor a reference to one target names the page of: not a number alone (`-@`).
fn page_anchor(reference: &CrossRef, context: &RefContext<'_>) -> Option<String> {
    match reference.items.as_slice() {
        [item] if !item.suppress_author => context
            .targets
            .get(&item.key)
            .map(|target| target.anchor.clone()),
        _ => None,
    }
}

/// An item with nothing but its label: it may share a plural word with its neighbours.
fn plain(item: &CiteItem) -> bool {
    item.prefix.is_empty()
        && item.suffix.is_empty()
        && item.locator.is_none()
        && !item.suppress_author
}

/// The item as the author wrote it, printed when it cannot be resolved.
fn written(item: &CiteItem) -> String {
    let dash = if item.suppress_author { "-" } else { "" };
    let prefix = if item.prefix.is_empty() {
        String::new()
    } else {
        format!("{} ", item.prefix)
    };
    format!("{prefix}{dash}@{}{}", item.key, item.suffix)
}

/// "Figure 3.2", "Figures 3.2 and 3.3", "3.2" (`-@`), "Fig. 3.2" (a prefix), "Section
/// “Methods”" (no number), each number linked to its target.
fn render_group(
    group: &[(&CiteItem, &Target)],
    terms: &Terms,
    span: &crate::diag::Span,
) -> Vec<Inline> {
    let text = |t: String| Inline::text(t, span.clone());
    let (first_item, first_target) = group[0];
    if group.len() > 1 {
        let word = kind_word(&terms.numbered, first_target.kind, true);
        let numbers: Vec<Vec<Inline>> = group
            .iter()
            .map(|(_, target)| {
                vec![link(
                    target,
                    target.number.clone().unwrap_or_default(),
                    span,
                )]
            })
            .collect();
        let mut out = vec![text(format!("{word} "))];
        out.extend(join_list(numbers, terms.and, span));
        return out;
    }
    let name = match &first_target.number {
        Some(number) => number.clone(),
        None => {
            let (open, close) = terms.quotes;
            format!(
                "{open}{}{close}",
                crate::doc::plain_text(&first_target.title)
            )
        }
    };
    let shown = if first_item.suppress_author {
        name
    } else if !first_item.prefix.is_empty() {
        format!("{} {name}", first_item.prefix)
    } else {
        format!(
            "{} {name}",
            kind_word(&terms.numbered, first_target.kind, false)
        )
    };
    let mut out = vec![link(first_target, shown, span)];
    if let Some(locator) = &first_item.locator {
        out.push(text(format!(", {}", locator.value)));
    }
    if !first_item.suffix.is_empty() {
        out.push(text(first_item.suffix.clone()));
    }
    out
}

fn link(target: &Target, shown: String, span: &crate::diag::Span) -> Inline {
    Inline::Link(Box::new(Link {
        target: LinkTarget::Internal {
            chapter: target.chapter,
            anchor: Some(target.anchor.clone()),
        },
        title: String::new(),
        content: vec![Inline::text(shown, span.clone())],
        span: span.clone(),
    }))
}

/// `a`, `a and b`, `a, b and c`.
fn join_list(parts: Vec<Vec<Inline>>, and: &str, span: &crate::diag::Span) -> Vec<Inline> {
    let count = parts.len();
    let mut out = Vec::new();
    for (i, part) in parts.into_iter().enumerate() {
        if i > 0 {
            let joint = if i + 1 == count {
                format!(" {and} ")
            } else {
                ", ".to_string()
            };
            out.push(Inline::text(joint, span.clone()));
        }
        out.extend(part);
    }
    out
}

/// A warning for a label octavo knows but cannot number, an error for one nothing carries.
fn report_unresolved(item: &CiteItem, context: &RefContext<'_>, diags: &mut Diagnostics) {
    if let Some(foreign) = context.foreign.get(item.key.as_str()) {
        let at = context.sources.location(&foreign.span);
        let (why, hint) = match &foreign.why {
            ForeignReason::CodeChunk { language } => (
                format!("it labels a ```{{{language}}} code chunk (at {at}), which octavo prints but does not run"),
                format!("include the figure or table the chunk makes, e.g. ![Caption](figure.png){{#{}}}", item.key),
            ),
            ForeignReason::Equation => (
                format!("its label (at {at}) follows no display formula"),
                "put the label right after the closing $$ of a display formula: $$ … $$ {#eq-x}".to_string(),
            ),
            ForeignReason::UnsupportedDiv => (
                format!("it labels a div octavo could not number (at {at})"),
                "see the warning on the div".to_string(),
            ),
        };
        let warning = Diagnostic::warning(
            code::UNRESOLVED_LABEL,
            format!(
                "`@{}` cannot be resolved: {why}; it is printed as written",
                item.key
            ),
        )
        .at(item.span.clone())
        .with_hint(hint);
        match &context.summary {
            Some(summary) => {
                let kind = match &foreign.why {
                    ForeignReason::CodeChunk { .. } => "chunk",
                    ForeignReason::Equation => "equation",
                    ForeignReason::UnsupportedDiv => "div",
                };
                let mut summary = summary.borrow_mut();
                summary.entry(kind).or_insert((warning, 0)).1 += 1;
            }
            None => diags.push(warning),
        }
        return;
    }
    let suggest = context.suggested.get() < MAX_SUGGESTIONS;
    context.suggested.set(context.suggested.get() + 1);
    diags.push(
        Diagnostic::error(
            code::UNKNOWN_LABEL,
            format!(
                "unknown label `{}`: nothing in the book carries it",
                item.key
            ),
        )
        .at(item.span.clone())
        .with_hint(unknown_label_hint(&item.key, context, suggest)),
    );
}

fn unknown_label_hint(key: &str, context: &RefContext<'_>, suggest: bool) -> String {
    let known = context
        .targets
        .keys()
        .map(String::as_str)
        .chain(context.foreign.keys().copied());
    let near = if suggest {
        closest(key, known)
    } else {
        Vec::new()
    };
    if !near.is_empty() {
        let near: Vec<String> = near.iter().map(|k| format!("`{k}`")).collect();
        return format!("did you mean {}?", near.join(" or "));
    }
    match label_prefix(key) {
        Some("fig") => format!("label a figure with ![Caption](image.png){{#{key}}}"),
        Some("tbl") => format!("label a table with a caption beside it: `: Caption {{#{key}}}`"),
        Some("sec") => format!("label a heading with ## Title {{#{key}}}"),
        Some("lst") => format!("label a code block with ```{{#{key} lst-cap=\"Caption\"}}"),
        Some("eq") => format!("octavo numbers equations labelled as $$ … $$ {{#{key}}}"),
        _ => "octavo numbers figures (fig-), tables (tbl-), listings (lst-) and sections (sec-)"
            .to_string(),
    }
}
