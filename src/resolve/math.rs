//! Formulas checked before any backend sets them: each is read with the book's macros, and
//! what does not read is an error at the command (or the formula) at fault, so that no
//! backend prints LaTeX it could not typeset.

use crate::diag::{code, Diagnostic, Diagnostics, Span};
use crate::doc::{walk, Block, Chapter, EquationTag, Inline, Math};
use crate::manuscript::Manuscript;
use crate::math::tags::{take_tags, FoundTag, TagCommand};
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

/// Takes the formula's `\tag`, `\notag` and `\nonumber` out of its source into
/// [`Math::tag`]; one that cannot be a display formula's number is reported.
fn take_equation_tags(math: &mut Math, diags: &mut Diagnostics) {
    let (blanked, found) = take_tags(&math.source);
    if found.is_empty() {
        return;
    }
    math.source = blanked;
    let at = |found: &FoundTag| tag_span(&math.span, math.source.len(), found);
    if !math.display {
        for tag in &found {
            diags.push(
                Diagnostic::error(
                    code::EQUATION_TAG_INLINE,
                    "an inline formula has no number: its tag is left out",
                )
                .at(at(tag))
                .with_hint("make it a display formula ($$ … $$) to number it"),
            );
        }
        return;
    }
    let mut tag = None;
    for found in &found {
        match &found.command {
            None => diags.push(
                Diagnostic::error(
                    code::EQUATION_TAG_UNREAD,
                    "`\\tag` without its text in braces: it is left out",
                )
                .at(at(found))
                .with_hint("write the number in braces: \\tag{A.1}"),
            ),
            Some(TagCommand::NoNumber) => {
                if tag.is_none() {
                    tag = Some(EquationTag::Unnumbered);
                }
            }
            Some(TagCommand::Tag { text, starred }) => {
                if let Some(EquationTag::Text { .. }) = tag {
                    diags.push(
                        Diagnostic::error(
                            code::EQUATION_TAG_TWICE,
                            "a second `\\tag` in one formula: the first numbers it",
                        )
                        .at(at(found))
                        .with_hint("keep one \\tag per display formula"),
                    );
                } else if text.is_empty() {
                    diags.push(
                        Diagnostic::error(code::EQUATION_TAG_EMPTY, "`\\tag{}` has no text")
                            .at(at(found))
                            .with_hint("write the number in the braces, or use \\notag"),
                    );
                } else {
                    if text.contains(['\\', '$']) {
                        diags.push(
                            Diagnostic::warning(
                                code::EQUATION_TAG_AS_WRITTEN,
                                format!("the tag `{text}` is printed as written"),
                            )
                            .at(at(found))
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
    math.tag = tag;
}

/// Where a tag command is: its exact bytes when the formula's span is its source as
/// written, else the formula.
fn tag_span(span: &Span, source_len: usize, found: &FoundTag) -> Span {
    if span.range.len() == source_len {
        let start = span.range.start;
        Span::new(
            span.file,
            start + found.range.start..start + found.range.end,
        )
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
