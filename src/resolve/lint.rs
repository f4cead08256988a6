//! Structural warnings a careful editor would give: heading levels that jump (closed up, so
//! that both outputs are accessible), chapters that are empty or hold only a heading.

use std::collections::BTreeSet;

use crate::diag::{code, Diagnostic, Diagnostics, FileId, Span};
use crate::doc::{Block, Chapter};

/// Warn about structure problems in the author's chapters. A chapter of a file in
/// `directives_left_out` lost text to a directive octavo does not run, as a warning has said
/// already: it is not reported as empty too.
pub(super) fn lint_chapters(
    chapters: &mut [Chapter],
    directives_left_out: &BTreeSet<FileId>,
    diags: &mut Diagnostics,
) {
    for chapter in chapters.iter_mut().filter(|c| !c.generated) {
        close_heading_gaps(chapter, diags);
        if !directives_left_out.contains(&chapter.file) {
            emptiness(chapter, diags);
        }
    }
}

/// Report a heading that skips levels (`##` then `####`) and set it one level below the
/// heading it follows, in both outputs: screen readers (and DAISY Ace) take a skipped level
/// for a missing section. A heading keeps its place among its siblings: the `####`s after
/// a `##` all become `###`.
fn close_heading_gaps(chapter: &mut Chapter, diags: &mut Diagnostics) {
    // The open headings: (level written, level set); the level of the heading before.
    let mut open: Vec<(u8, u8)> = Vec::new();
    let mut previous: Option<u8> = None;
    for block in &mut chapter.blocks {
        let Block::Heading(h) = block else {
            continue;
        };
        let jumped = previous.filter(|&prev| h.level > prev + 1);
        previous = Some(h.level);
        while open.last().is_some_and(|&(written, _)| written >= h.level) {
            open.pop();
        }
        let level = match open.last() {
            Some(&(_, set)) if h.level > set + 1 => {
                if let Some(written) = jumped {
                    diags.push(
                        Diagnostic::warning(
                            code::HEADING_JUMP,
                            format!(
                                "heading level jumps from {written} to {}; it is set as a level-{} heading",
                                h.level,
                                set + 1
                            ),
                        )
                        .at(h.span.clone())
                        .with_hint(format!(
                            "use {} here: skipped levels confuse screen readers and the contents",
                            "#".repeat(usize::from(written) + 1)
                        )),
                    );
                }
                set + 1
            }
            _ => h.level,
        };
        open.push((h.level, level));
        h.level = level;
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
