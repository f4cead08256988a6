//! Structural warnings a careful editor would give: heading levels that jump, chapters that
//! are empty or hold only a heading.

use std::collections::BTreeSet;

use crate::diag::{code, Diagnostic, Diagnostics, FileId, Span};
use crate::doc::{Block, Chapter};

/// Warn about structure problems in the author's chapters. A chapter of a file in
/// `directives_left_out` lost text to a directive octavo does not run, as a warning has said
/// already: it is not reported as empty too.
pub(super) fn lint_chapters(
    chapters: &[Chapter],
    directives_left_out: &BTreeSet<FileId>,
    diags: &mut Diagnostics,
) {
    for chapter in chapters.iter().filter(|c| !c.generated) {
        heading_jumps(chapter, diags);
        if !directives_left_out.contains(&chapter.file) {
            emptiness(chapter, diags);
        }
    }
}

fn heading_jumps(chapter: &Chapter, diags: &mut Diagnostics) {
    let mut previous: Option<u8> = None;
    for block in &chapter.blocks {
        let Block::Heading(h) = block else {
            continue;
        };
        if let Some(prev) = previous {
            if h.level > prev + 1 {
                diags.push(
                    Diagnostic::warning(
                        code::HEADING_JUMP,
                        format!("heading level jumps from {prev} to {}", h.level),
                    )
                    .at(h.span.clone())
                    .with_hint(format!(
                        "use {} here: skipped levels confuse screen readers and the contents",
                        "#".repeat(usize::from(prev) + 1)
                    )),
                );
            }
        }
        previous = Some(h.level);
    }
}

fn emptiness(chapter: &Chapter, diags: &mut Diagnostics) {
    // A part page holds its title only.
    if chapter.epub_type.as_deref() == Some("part") {
        return;
    }
    let content = chapter
        .blocks
        .iter()
        .filter(|b| !matches!(b, Block::Heading(_)))
        .count();
    if content > 0 {
        return;
    }
    let message = if chapter.blocks.is_empty() {
        "this chapter is empty"
    } else {
        "this chapter holds only a heading"
    };
    diags.push(
        Diagnostic::warning(code::EMPTY_CHAPTER, message)
            .at(Span::new(chapter.file, 0..0))
            .with_hint("write its text, or remove the file from the book"),
    );
}
