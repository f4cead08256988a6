//! Blocks made from what a paragraph holds: a figure, the references marker, plain text
//! where a block cannot go.

use crate::diag::Span;
use crate::doc::{label_prefix, Attributes, Block, Figure, Image, Inline};

/// A paragraph that holds only an image is a figure; `::: {#refs}` marks the references.
pub(super) fn paragraph_block(content: Vec<Inline>, span: Span) -> Block {
    let mut meaningful = content
        .iter()
        .filter(|i| !matches!(i, Inline::SoftBreak) && !is_blank_text(i));
    if let (Some(Inline::Image(image)), None) = (meaningful.next(), meaningful.next()) {
        return Block::Figure(Box::new(figure_of(Image::clone(image), span)));
    }
    if is_refs_marker(&content) {
        return Block::ReferencesMarker { span };
    }
    if is_definition(&content) {
        return definition_list(content, span);
    }
    Block::Paragraph {
        content: line_block(content),
        span,
    }
}

/// The text of a line that starts a definition (`: ` or `:   ` after a term), if it is one.
fn definition_start(inline: &Inline) -> Option<&str> {
    match inline {
        Inline::Text { text, .. } => text
            .strip_prefix(": ")
            .or_else(|| text.strip_prefix(":\t"))
            .map(str::trim_start),
        _ => None,
    }
}

/// pandoc's definition list, written tight: a term line, then lines starting with `: `
/// (each a definition; the lines after one continue it). A paragraph starting with `:` is a
/// table's caption, not a definition.
fn is_definition(content: &[Inline]) -> bool {
    let mut lines = content.split(|i| matches!(i, Inline::SoftBreak));
    let term_ok = lines
        .next()
        .and_then(<[Inline]>::first)
        .is_some_and(|first| definition_start(first).is_none() && !is_colon_text(first));
    term_ok
        && lines
            .next()
            .and_then(<[Inline]>::first)
            .is_some_and(|first| definition_start(first).is_some())
}

fn is_colon_text(inline: &Inline) -> bool {
    matches!(inline, Inline::Text { text, .. } if text.starts_with(':'))
}

/// A `<dl>` of the term and its definitions.
fn definition_list(content: Vec<Inline>, span: Span) -> Block {
    let container = |name: &str, blocks: Vec<Block>| Block::Container {
        name: name.to_string(),
        attrs: Vec::new(),
        blocks,
        span: span.clone(),
    };
    let paragraph = |content: Vec<Inline>| Block::Paragraph {
        content,
        span: span.clone(),
    };
    let mut parts: Vec<Vec<Inline>> = vec![Vec::new()];
    let mut line_start = true;
    for inline in content {
        if line_start {
            if let Some(rest) = definition_start(&inline) {
                let Inline::Text {
                    span: text_span, ..
                } = &inline
                else {
                    continue;
                };
                let start = vec![Inline::text(rest, text_span.clone())];
                parts.push(start);
                line_start = false;
                continue;
            }
        }
        line_start = matches!(inline, Inline::SoftBreak);
        if let Some(part) = parts.last_mut() {
            if !(line_start && part.is_empty()) {
                part.push(inline);
            }
        }
    }
    let mut parts = parts.into_iter();
    let mut term = parts.next().unwrap_or_default();
    if matches!(term.last(), Some(Inline::SoftBreak)) {
        term.pop();
    }
    let mut blocks = vec![container("dt", vec![paragraph(term)])];
    for mut definition in parts {
        if matches!(definition.last(), Some(Inline::SoftBreak)) {
            definition.pop();
        }
        blocks.push(container("dd", vec![paragraph(definition)]));
    }
    container("dl", blocks)
}

/// pandoc's line block: every line starts with `| `; the bars go, the lines stay lines and
/// their indentation stays (as no-break spaces).
fn line_block(content: Vec<Inline>) -> Vec<Inline> {
    let is_bar_line = |line: &[Inline]| matches!(line.first(), Some(Inline::Text { text, .. }) if text == "|" || text.starts_with("| "));
    if content.is_empty()
        || !content
            .split(|i| matches!(i, Inline::SoftBreak))
            .all(is_bar_line)
    {
        return content;
    }
    let mut out = Vec::with_capacity(content.len());
    let mut line_start = true;
    for inline in content {
        match inline {
            Inline::SoftBreak => {
                out.push(Inline::HardBreak);
                line_start = true;
            }
            Inline::Text { text, span } if line_start => {
                line_start = false;
                let rest = text.strip_prefix('|').unwrap_or(&text);
                let rest = rest.strip_prefix(' ').unwrap_or(rest);
                let indent = rest.len() - rest.trim_start_matches(' ').len();
                let kept = format!("{}{}", "\u{a0}".repeat(indent), &rest[indent..]);
                if !kept.is_empty() {
                    out.push(Inline::Text { text: kept, span });
                }
            }
            other => {
                line_start = false;
                out.push(other);
            }
        }
    }
    out
}

/// A figure of an image alone in its paragraph. The caption is the image's title; a labelled
/// image (`![A map](map.png){#fig-map}`) is captioned by its description as written (its
/// emphasis, formulas and spans kept), as in pandoc and Quarto, and `fig-alt` then gives
/// its alternative text.
fn figure_of(mut image: Image, span: Span) -> Figure {
    let labelled = image
        .attrs
        .id
        .as_deref()
        .is_some_and(|id| label_prefix(id) == Some("fig"));
    let caption = if !image.title.is_empty() {
        vec![Inline::text(image.title.clone(), image.span.clone())]
    } else if labelled {
        std::mem::take(&mut image.description)
    } else {
        Vec::new()
    };
    if labelled {
        if let Some(alt) = image.attrs.get("fig-alt") {
            image.alt = alt.to_string();
        }
    }
    Figure {
        image,
        caption,
        attrs: Attributes::default(),
        number: None,
        span,
    }
}

/// Drop a lone `:::` paragraph that closes a `::: {#refs}` marker written with a blank line.
pub(super) fn drop_refs_closers(blocks: Vec<Block>) -> Vec<Block> {
    let mut out: Vec<Block> = Vec::with_capacity(blocks.len());
    for block in blocks {
        let closes_marker = matches!(out.last(), Some(Block::ReferencesMarker { .. }))
            && matches!(&block, Block::Paragraph { content, .. } if crate::doc::plain_text(content).trim() == ":::");
        if !closes_marker {
            out.push(block);
        }
    }
    out
}

/// True for text that is only white space.
pub(super) fn is_blank_text(inline: &Inline) -> bool {
    matches!(inline, Inline::Text { text, .. } if text.trim().is_empty())
}

/// Longest text of a `::: {#refs}` marker paragraph, white space aside.
const REFS_MARKER_CHARS: usize = ":::{#refs}:::".len();

/// True for a paragraph that reads `::: {#refs}` (optionally closed by `:::`), the pandoc
/// marker for where the references go. The text is gathered inline by inline and the test
/// gives up as soon as it holds more than a marker's characters, so a long paragraph costs
/// no copy of its text.
fn is_refs_marker(content: &[Inline]) -> bool {
    let mut text = String::new();
    let mut visible = 0;
    for inline in content {
        let piece = crate::doc::plain_text(std::slice::from_ref(inline));
        visible += piece.chars().filter(|c| !c.is_whitespace()).count();
        if visible > REFS_MARKER_CHARS {
            return false;
        }
        text.push_str(&piece);
    }
    let words: Vec<&str> = text.split_whitespace().collect();
    matches!(
        words.as_slice(),
        [":::", "{#refs}"] | [":::", "{#refs}", ":::"]
    )
}

/// When nesting was flattened, a block inside an inline container keeps only its text.
pub(super) fn block_as_inlines(block: Block) -> Vec<Inline> {
    match block {
        Block::Paragraph { content, .. } => content,
        Block::Heading(h) => h.content,
        Block::Code { text, .. } => vec![Inline::Code(text)],
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::FileId;

    fn text(t: &str) -> Inline {
        Inline::text(t, Span::new(FileId(0), 0..0))
    }

    #[test]
    fn definitions_after_a_term() {
        let content = vec![
            text("Term"),
            Inline::SoftBreak,
            text(": First"),
            Inline::SoftBreak,
            text("goes on."),
            Inline::SoftBreak,
            text(":   Second."),
        ];
        let Block::Container { name, blocks, .. } =
            paragraph_block(content, Span::new(FileId(0), 0..0))
        else {
            panic!("a definition list");
        };
        assert_eq!(name, "dl");
        let names: Vec<&str> = blocks
            .iter()
            .map(|b| match b {
                Block::Container { name, .. } => name.as_str(),
                _ => "",
            })
            .collect();
        assert_eq!(names, ["dt", "dd", "dd"]);
        assert_eq!(
            crate::doc::blocks_plain_text(&blocks),
            "Term\n\nFirst goes on.\n\nSecond.\n\n"
        );
    }

    #[test]
    fn a_caption_is_not_a_definition() {
        let content = vec![text(": Caption {#tbl-x}")];
        assert!(!is_definition(&content));
        let content = vec![text("Text"), Inline::SoftBreak, text("more")];
        assert!(!is_definition(&content));
    }
}
