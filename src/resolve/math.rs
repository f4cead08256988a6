//! Formulas checked before any backend sets them: each is read with the book's macros, and
//! what does not read is an error at the command (or the formula) at fault, so that no
//! backend prints LaTeX it could not typeset.

use std::collections::BTreeMap;
use std::ops::Range;

use super::numbers::Target;

use crate::diag::{code, Diagnostic, Diagnostics, Span};
use crate::doc::{
    label_prefix, walk, Block, Chapter, EquationRow, EquationTag, Inline, Math, MathLabel, MathRef,
};
use crate::manuscript::Manuscript;
use crate::math::tags::{numbered_rows, take_tags, FoundTag, TagCommand};
use crate::math::text::readable_text;
use crate::math::tree::parse;
use crate::math::{check, Macros, MathError};

/// Reads every formula of the book (notes, table cells and captions included), reports the
/// ones that do not read (and the macros of book.toml that do not), and gives those of
/// titles, headings and captions their readable text.
pub(super) fn check_formulas(
    manuscript: &Manuscript,
    chapters: &mut [Chapter],
    diags: &mut Diagnostics,
) {
    let macros = book_macros(manuscript, diags);
    for chapter in chapters {
        let mut check_inline = |inline: &mut Inline| {
            if let Inline::Math(math) = inline {
                take_equation_tags(math, diags);
                if let Err(error) = check(&math.source, &macros) {
                    diags.push(formula_error(&error, &math.span, math.source.len()));
                }
            }
        };
        walk::inlines_mut(&mut chapter.blocks, &mut check_inline);
        for note in &mut chapter.notes {
            walk::inlines_mut(&mut note.blocks, &mut check_inline);
        }
        give_titles_readable_text(chapter, &macros);
    }
}

/// Takes the formula's `\tag`, `\notag`, `\nonumber` and `\label` out of its source into
/// [`Math::tag`] and [`Math::label`] (or, for an `align` or `gather` whose rows carry them,
/// into [`Math::rows`]), and its `\eqref` and `\ref` into [`Math::refs`]; one that cannot
/// number a display formula is reported.
fn take_equation_tags(math: &mut Math, diags: &mut Diagnostics) {
    let taken = take_tags(&math.source);
    if taken.tags.is_empty() && taken.refs.is_empty() {
        return;
    }
    let written_len = math.source.len();
    let at = |range: &Range<usize>| command_span(&math.span, written_len, range);
    math.refs = taken
        .refs
        .iter()
        .map(|found| MathRef {
            key: found.key.clone(),
            parenthesised: found.parenthesised,
            at: found.range.start,
            length: found.range.len(),
            span: at(&found.range),
        })
        .collect();
    math.source = taken.source;
    if taken.tags.is_empty() {
        return;
    }
    if !math.display {
        for tag in &taken.tags {
            diags.push(
                Diagnostic::error(
                    code::EQUATION_TAG_INLINE,
                    "an inline formula has no number: its tag or label is left out",
                )
                .at(at(&tag.range))
                .with_hint("make it a display formula ($$ … $$) to number it"),
            );
        }
        return;
    }
    if let Some(rows) = numbered_rows(&math.source) {
        let mut by_row: Vec<Vec<&FoundTag>> = vec![Vec::new(); rows.len()];
        for tag in &taken.tags {
            let row = rows.iter().position(|r| tag.range.start < r.end);
            by_row[row.unwrap_or(rows.len() - 1)].push(tag);
        }
        let numbers_rows = by_row.iter().flatten().any(|t| {
            matches!(
                t.command,
                Some(TagCommand::Tag { .. } | TagCommand::Label(_))
            )
        });
        if numbers_rows {
            math.rows = by_row
                .iter()
                .map(|tags| {
                    let (tag, label) = read_numbering(tags, &at, diags);
                    EquationRow {
                        tag,
                        label,
                        number: None,
                    }
                })
                .collect();
            report_label_conflict(math, diags);
            return;
        }
    }
    let tags: Vec<&FoundTag> = taken.tags.iter().collect();
    (math.tag, math.label) = read_numbering(&tags, &at, diags);
    report_label_conflict(math, diags);
}

/// What a formula's (or a row's) tag commands ask for: its tag and its label, each that
/// cannot be read reported.
fn read_numbering(
    tags: &[&FoundTag],
    at: &dyn Fn(&Range<usize>) -> Span,
    diags: &mut Diagnostics,
) -> (Option<EquationTag>, Option<MathLabel>) {
    let mut tag = None;
    let mut label: Option<MathLabel> = None;
    for found in tags {
        let span = at(&found.range);
        match &found.command {
            None => diags.push(
                Diagnostic::error(
                    code::EQUATION_TAG_UNREAD,
                    "`\\tag` or `\\label` without its text in braces: it is left out",
                )
                .at(span)
                .with_hint("write it in braces: \\tag{A.1}, \\label{eq-name}"),
            ),
            Some(TagCommand::NoNumber) => {
                if tag.is_none() {
                    tag = Some(EquationTag::Unnumbered);
                }
            }
            Some(TagCommand::Label(name)) => {
                if name.is_empty() {
                    diags.push(
                        Diagnostic::error(code::EQUATION_TAG_EMPTY, "`\\label{}` has no name")
                            .at(span)
                            .with_hint("name the equation: \\label{eq-name}"),
                    );
                } else if let Some(first) = &label {
                    diags.push(
                        Diagnostic::error(
                            code::EQUATION_TAG_TWICE,
                            format!(
                                "a second `\\label` on one equation: `{}` names it",
                                first.name
                            ),
                        )
                        .at(span)
                        .with_hint("keep one \\label per equation (per row of an align)"),
                    );
                } else {
                    label = Some(MathLabel {
                        name: name.clone(),
                        span,
                    });
                }
            }
            Some(TagCommand::Tag { text, starred }) => {
                if let Some(EquationTag::Text { .. }) = tag {
                    diags.push(
                        Diagnostic::error(
                            code::EQUATION_TAG_TWICE,
                            "a second `\\tag` on one equation: the first numbers it",
                        )
                        .at(span)
                        .with_hint("keep one \\tag per display formula (per row of an align)"),
                    );
                } else if text.is_empty() {
                    diags.push(
                        Diagnostic::error(code::EQUATION_TAG_EMPTY, "`\\tag{}` has no text")
                            .at(span)
                            .with_hint("write the number in the braces, or use \\notag"),
                    );
                } else {
                    if text.contains(['\\', '$']) {
                        diags.push(
                            Diagnostic::warning(
                                code::EQUATION_TAG_AS_WRITTEN,
                                format!("the tag `{text}` is printed as written"),
                            )
                            .at(span)
                            .with_hint(
                                "a tag is plain text: write the characters themselves (★, †)",
                            ),
                        );
                    }
                    tag = Some(EquationTag::Text {
                        text: text.clone(),
                        starred: *starred,
                    });
                }
            }
        }
    }
    (tag, label)
}

/// A formula labelled after its `$$` (`{#eq-x}`) and by `\label` inside it: the label
/// after it names nothing.
fn report_label_conflict(math: &Math, diags: &mut Diagnostics) {
    let labelled_after = math.attrs.id.as_deref().and_then(label_prefix) == Some("eq");
    let labelled_inside = math.label.is_some() || math.numbered_by_rows();
    if !(labelled_after && labelled_inside) {
        return;
    }
    let label = math.attrs.id.as_deref().unwrap_or_default();
    let why = if math.numbered_by_rows() {
        "its rows are numbered one by one (they carry \\label or \\tag)"
    } else {
        "it is named by its \\label already"
    };
    let mut error = Diagnostic::error(
        code::EQUATION_LABEL_CONFLICT,
        format!("`{{#{label}}}` cannot label this formula: {why}"),
    )
    .with_hint("label the formula one way: `{#eq-x}` after its $$, or \\label inside it");
    if let Some(span) = &math.attrs.span {
        error = error.at(span.clone());
    }
    diags.push(error);
}

/// Puts the numbers that every formula's `\eqref` and `\ref` name into its source, as text
/// (`\eqref{eq-x}` shows `(3.2)`); one whose label nothing numbers is an error.
pub(super) fn fill_formula_references(
    chapters: &mut [Chapter],
    targets: &BTreeMap<String, Target>,
    diags: &mut Diagnostics,
) {
    for chapter in chapters {
        let mut fill = |inline: &mut Inline| {
            if let Inline::Math(math) = inline {
                if !math.refs.is_empty() {
                    fill_references(math, targets, diags);
                }
            }
        };
        walk::inlines_mut(&mut chapter.blocks, &mut fill);
        for note in &mut chapter.notes {
            walk::inlines_mut(&mut note.blocks, &mut fill);
        }
    }
}

/// One formula's references filled in, from the last (so the places of the others hold).
fn fill_references(math: &mut Math, targets: &BTreeMap<String, Target>, diags: &mut Diagnostics) {
    for reference in math.refs.iter().rev() {
        let number = targets
            .get(&reference.key)
            .and_then(|target| target.number.as_deref());
        let Some(number) = number else {
            diags.push(unresolved_formula_reference(reference, targets));
            continue;
        };
        let number: String = number
            .chars()
            .filter(|c| {
                !matches!(
                    c,
                    '\\' | '{' | '}' | '$' | '&' | '#' | '^' | '_' | '%' | '~'
                )
            })
            .collect();
        let shown = if reference.parenthesised {
            format!("\\text{{({number})}}")
        } else {
            format!("\\text{{{number}}}")
        };
        let place = reference.at..reference.at + reference.length;
        if math.source.get(place.clone()).is_some() {
            math.source.replace_range(place, &shown);
        }
    }
}

/// The error for a reference in a formula to a label nothing numbers.
fn unresolved_formula_reference(
    reference: &MathRef,
    targets: &BTreeMap<String, Target>,
) -> Diagnostic {
    let message = if reference.key.is_empty() {
        "this reference names no label: its braces are empty".to_string()
    } else if targets.contains_key(&reference.key) {
        format!(
            "`{}` names something without a number: a formula can show only a number",
            reference.key
        )
    } else {
        format!(
            "unknown label `{}`: nothing in the book carries it",
            reference.key
        )
    };
    Diagnostic::error(code::UNKNOWN_LABEL, message)
        .at(reference.span.clone())
        .with_hint("name a numbered equation: \\label{eq-x} inside it, or {#eq-x} after its $$")
}

/// Where a command of the formula is: its exact bytes when the formula's span is its source
/// as written, else the formula.
fn command_span(span: &Span, source_len: usize, range: &Range<usize>) -> Span {
    if span.range.len() == source_len {
        let start = span.range.start;
        Span::new(span.file, start + range.start..start + range.end)
    } else {
        span.clone()
    }
}

/// Gives the formulas of what is shown as plain text (the chapter's title, headings, the
/// captions the lists of figures and tables show) their readable text; the others never
/// need it, and reading every formula again would cost as much as checking it.
fn give_titles_readable_text(chapter: &mut Chapter, macros: &Macros) {
    let mut set = |inline: &mut Inline| {
        if let Inline::Math(math) = inline {
            set_readable_text(math, macros);
        }
    };
    walk::each_inline_mut(&mut chapter.title, &mut set);
    walk::blocks_mut(&mut chapter.blocks, &mut |block| match block {
        Block::Heading(heading) => walk::each_inline_mut(&mut heading.content, &mut set),
        Block::Figure(figure) => walk::each_inline_mut(&mut figure.caption, &mut set),
        Block::Table(table) => walk::each_inline_mut(&mut table.caption, &mut set),
        _ => {}
    });
}

/// Gives a formula that reads its readable text.
fn set_readable_text(math: &mut Math, macros: &Macros) {
    if let Some(nodes) = parse(&math.source, macros) {
        math.text = readable_text(&nodes);
    }
}

/// The macros of book.toml, each that does not read reported at its definition.
fn book_macros(manuscript: &Manuscript, diags: &mut Diagnostics) -> Macros {
    let defined = &manuscript.config.math.macros;
    let (macros, errors) = Macros::new(
        defined
            .iter()
            .map(|(name, body)| (name.as_str(), body.get_ref().as_str())),
    );
    for error in errors {
        let span = defined
            .get(&error.name)
            .map(|body| Span::new(manuscript.config_file, body.span()));
        let mut diagnostic = Diagnostic::error(
            code::MATH_BAD_MACRO,
            format!(
                "math macro `{}` does not read: {}",
                error.name, error.message
            ),
        )
        .with_hint("write the body in LaTeX with #1…#9 for its arguments, the name in letters");
        if let Some(span) = span {
            diagnostic = diagnostic.at(span);
        }
        diags.push(diagnostic);
    }
    macros
}

/// The diagnostic for a formula that does not read, at the exact bytes when the formula's
/// span is its source as written.
fn formula_error(error: &MathError, span: &Span, source_len: usize) -> Diagnostic {
    let exact = span.range.len() == source_len;
    let range = if exact {
        span.range.start + error.range.start..span.range.start + error.range.end
    } else {
        span.range.clone()
    };
    let code = if error.unknown_command {
        code::MATH_UNKNOWN_COMMAND
    } else {
        code::MATH_SYNTAX
    };
    Diagnostic::error(code, error.message.clone())
        .at(Span::new(span.file, range))
        .with_hint(error.hint.clone())
}
