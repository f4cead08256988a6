//! Citations whose brackets hold emphasis, strong text, code or a formula in a prefix or
//! suffix (`[*see* @key, p. 4, **emphasis added**]`). pulldown-cmark splits such a group
//! into several inlines, so the text runs that [`super::citations`] reads never hold the
//! whole group: here the container's inlines are read as one text (each styled inline as its
//! plain text), and a citation found across styled inlines replaces them, its prefix and
//! suffix keeping their styling.

use std::ops::Range;

use super::builder::Builder;
use super::citations::{self, FoundCitation, FoundItem};
use super::text_runs::push_citation_or_refs;
use crate::diag::Span;
use crate::doc::{plain_text, CiteItem, CiteMode, Inline};

/// What one inline of the container is, for reading citations across it.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Piece {
    /// Text or a soft break: may be cut anywhere.
    Text,
    /// Emphasis, strong, struck-out text, code, a formula or an HTML element: may stand in
    /// a prefix or a suffix, whole.
    Styled,
    /// A link, an image, a note call, a line break…: no citation is read across it.
    Barrier,
}

/// The container's inlines read as one text: each inline's bytes in it.
struct Flat {
    text: String,
    pieces: Vec<(Range<usize>, Piece)>,
}

impl Flat {
    fn of(inlines: &[Inline]) -> Flat {
        let mut text = String::new();
        let mut pieces = Vec::with_capacity(inlines.len());
        for inline in inlines {
            let start = text.len();
            let piece = match inline {
                Inline::Text { text: t, .. } => {
                    text.push_str(t);
                    Piece::Text
                }
                Inline::SoftBreak => {
                    text.push('\n');
                    Piece::Text
                }
                inline if is_styled(inline) => {
                    // A styled inline reads as its words; `\u{1}` keeps it from vanishing
                    // when it has none.
                    let words = plain_text(std::slice::from_ref(inline));
                    text.push_str(if words.is_empty() { "\u{1}" } else { &words });
                    Piece::Styled
                }
                _ => {
                    text.push('\u{1}');
                    Piece::Barrier
                }
            };
            pieces.push((start..text.len(), piece));
        }
        Flat { text, pieces }
    }

    /// The pieces `range` touches, with whether each is only partly inside it.
    fn touched(&self, range: &Range<usize>) -> impl Iterator<Item = (usize, Piece, bool)> + '_ {
        let range = range.clone();
        self.pieces
            .iter()
            .enumerate()
            .filter(move |(_, (r, _))| r.start < range.end && range.start < r.end)
            .map(move |(i, (r, piece))| {
                let partial = r.start < range.start || range.end < r.end;
                (i, *piece, partial)
            })
    }

    /// Whether the citation can be read here: it crosses a styled inline (else the text
    /// runs read it), no barrier, and cuts no styled inline; its keys stand in text.
    fn takes(&self, citation: &FoundCitation) -> bool {
        if citation.mode != CiteMode::Parenthetical {
            return false;
        }
        let mut styled = false;
        for (_, piece, partial) in self.touched(&citation.range) {
            match piece {
                Piece::Barrier => return false,
                Piece::Styled if partial => return false,
                Piece::Styled => styled = true,
                Piece::Text => {}
            }
        }
        let keys_in_text = citation.items.iter().all(|item| {
            self.touched(&item.key_range)
                .all(|(_, piece, _)| piece == Piece::Text)
        });
        styled && keys_in_text
    }

    /// The inlines covering `range` (text cut at its ends), or `None` when it cuts through
    /// any other inline.
    fn slice(&self, inlines: &[Inline], range: &Range<usize>) -> Option<Vec<Inline>> {
        let mut out = Vec::new();
        for (i, piece, partial) in self.touched(range) {
            match (&inlines[i], piece) {
                (Inline::Text { text, span }, _) => {
                    let at = self.pieces[i].0.start;
                    let from = range.start.saturating_sub(at);
                    let to = (range.end - at).min(text.len());
                    let cut = text.get(from..to)?;
                    out.push(Inline::Text {
                        text: cut.to_string(),
                        span: sub_span(span, text.len(), from..to),
                    });
                }
                (inline, _) if !partial => out.push(inline.clone()),
                _ => return None,
            }
        }
        Some(out)
    }
}

/// The span of bytes `cut` of a text whose span is `span`: exact when the text is its source
/// as written, else the whole text's.
fn sub_span(span: &Span, text_len: usize, cut: Range<usize>) -> Span {
    if span.range.len() == text_len {
        Span::new(
            span.file,
            span.range.start + cut.start..span.range.start + cut.end,
        )
    } else {
        span.clone()
    }
}

/// A styled prefix or suffix as printed: soft breaks as spaces, no space at either end.
fn trimmed(mut inlines: Vec<Inline>, span: &Span) -> Vec<Inline> {
    for inline in &mut inlines {
        if matches!(inline, Inline::SoftBreak) {
            *inline = Inline::text(" ", span.clone());
        }
    }
    if let Some(Inline::Text { text, .. }) = inlines.first_mut() {
        *text = text.trim_start().to_string();
    }
    if let Some(Inline::Text { text, .. }) = inlines.last_mut() {
        *text = text.trim_end().to_string();
    }
    inlines.retain(|inline| !matches!(inline, Inline::Text { text, .. } if text.is_empty()));
    inlines
}

impl Builder<'_> {
    /// Reads the citations of `inlines` that cross styled inlines; the rest is left to the
    /// text runs.
    pub(super) fn with_styled_citations(&self, inlines: Vec<Inline>) -> Vec<Inline> {
        if self.dialect.mdbook_code || !may_hold_styled_citation(&inlines) {
            return inlines;
        }
        let flat = Flat::of(&inlines);
        let taken: Vec<FoundCitation> = citations::find_citations(&flat.text)
            .into_iter()
            .filter(|citation| flat.takes(citation))
            .collect();
        if taken.is_empty() {
            return inlines;
        }
        let mut out = Vec::with_capacity(inlines.len());
        let mut cursor = 0;
        for citation in &taken {
            let Some(items) = self.styled_items(&flat, &inlines, citation) else {
                continue;
            };
            let Some(before) = flat.slice(&inlines, &(cursor..citation.range.start)) else {
                continue;
            };
            out.extend(before);
            let (Some(first), Some(last)) = (items.first(), items.last()) else {
                continue;
            };
            let (start, end) = (first.span.range.start, last.span.range.end);
            let span = Span::new(first.span.file, start..end.max(start));
            push_citation_or_refs(items, citation.mode, span, &mut out);
            cursor = citation.range.end;
        }
        match flat.slice(&inlines, &(cursor..flat.text.len())) {
            Some(rest) => out.extend(rest),
            None => return inlines,
        }
        out
    }

    /// The citation's items, each with its styled prefix and suffix; `None` when one cannot
    /// be cut out whole.
    fn styled_items(
        &self,
        flat: &Flat,
        inlines: &[Inline],
        citation: &FoundCitation,
    ) -> Option<Vec<CiteItem>> {
        citation
            .items
            .iter()
            .map(|item| {
                let styled = |range: &Range<usize>| -> Option<Vec<Inline>> {
                    let crosses_style = flat
                        .touched(range)
                        .any(|(_, piece, _)| piece == Piece::Styled);
                    if !crosses_style {
                        return Some(Vec::new());
                    }
                    let span = key_span(flat, inlines, item);
                    flat.slice(inlines, range).map(|cut| trimmed(cut, &span))
                };
                Some(CiteItem {
                    key: item.key.clone(),
                    prefix: item.prefix.clone(),
                    locator: item.locator.clone(),
                    suffix: item.suffix.clone(),
                    suppress_author: item.suppress_author,
                    styled_prefix: styled(&item.prefix_range)?,
                    styled_suffix: styled(&item.suffix_range)?,
                    span: key_span(flat, inlines, item),
                })
            })
            .collect()
    }
}

/// The source span of an item's `@key`, from the text inlines holding it (pulldown-cmark
/// may give one word in several).
fn key_span(flat: &Flat, inlines: &[Inline], item: &FoundItem) -> Span {
    let range = &item.key_range;
    let mut holders = flat.touched(range).map(|(i, _, _)| i);
    let first = holders.next();
    let last = holders.last().or(first);
    let cut = |i: usize| -> Option<Span> {
        let Inline::Text { text, span } = &inlines[i] else {
            return None;
        };
        let at = flat.pieces[i].0.start;
        let from = range.start.saturating_sub(at).min(text.len());
        let to = (range.end - at).min(text.len());
        Some(sub_span(span, text.len(), from..to))
    };
    match (first.and_then(cut), last.and_then(cut)) {
        (Some(start), Some(end)) if start.file == end.file => Span::new(
            start.file,
            start.range.start..end.range.end.max(start.range.start),
        ),
        _ => unreachable_span(inlines),
    }
}

/// A span for a key whose text inline could not be found (never, as [`Flat::takes`] checks
/// that keys stand in text): the first text's.
fn unreachable_span(inlines: &[Inline]) -> Span {
    inlines
        .iter()
        .find_map(|inline| match inline {
            Inline::Text { span, .. } => Some(span.clone()),
            _ => None,
        })
        .unwrap_or_else(|| Span::new(crate::diag::FileId(0), 0..0))
}

/// A cheap test before reading: some text holds `[` and `@`, and a styled inline stands
/// beside them.
fn may_hold_styled_citation(inlines: &[Inline]) -> bool {
    let text_with = |c: char| {
        inlines
            .iter()
            .any(|i| matches!(i, Inline::Text { text, .. } if text.contains(c)))
    };
    inlines.iter().any(is_styled) && text_with('[') && text_with('@')
}

/// Whether an inline may stand whole in a citation's prefix or suffix.
fn is_styled(inline: &Inline) -> bool {
    matches!(
        inline,
        Inline::Emph(_)
            | Inline::Strong(_)
            | Inline::Strike(_)
            | Inline::Code(_)
            | Inline::Math(_)
            | Inline::Html(_)
    )
}

#[cfg(test)]
pub(super) mod tests {
    use crate::diag::{Diagnostics, FileId};
    use crate::doc::{plain_text, Block, Citation, Inline};

    pub(super) fn paragraph(text: &str) -> Vec<Inline> {
        let mut diags = Diagnostics::default();
        let parsed = super::super::parse_chapter(FileId(0), text, &mut diags);
        let Some(Block::Paragraph { content, .. }) = parsed.blocks.into_iter().next() else {
            panic!("a paragraph expected");
        };
        content
    }

    fn citations(content: &[Inline]) -> Vec<&Citation> {
        content
            .iter()
            .filter_map(|inline| match inline {
                Inline::Cite(citation) => Some(&**citation),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn a_styled_prefix_and_suffix_keep_their_styling() {
        let text = "As [*see* @doe, 12, **emphasis added**; also @roe] says.[^n]\n\n[^n]: A note.";
        let content = paragraph(text);
        let found = citations(&content);
        assert_eq!(found.len(), 1, "{content:?}");
        let first = &found[0].items[0];
        assert_eq!(first.prefix, "see");
        assert!(matches!(&first.styled_prefix[..], [Inline::Emph(_)]));
        assert_eq!(first.locator.as_ref().map(|l| l.value.as_str()), Some("12"));
        assert_eq!(plain_text(&first.styled_suffix), ", emphasis added");
        assert_eq!(&text[first.span.range.clone()], "@doe");
        assert_eq!(found[0].items[1].prefix, "also");
        assert!(found[0].items[1].styled_prefix.is_empty());
        // The note call after the citation stays.
        assert_eq!(plain_text(&content[..3]), "As  says.");
        assert!(matches!(content[3], Inline::NoteRef(_)));
    }

    #[test]
    fn a_citation_inside_emphasis_is_read() {
        let content = paragraph("*As @doe argues [see @roe, 4]* and <kbd>@home</kbd>.");
        let Inline::Emph(inner) = &content[0] else {
            panic!("{content:?}");
        };
        let keys: Vec<&str> = citations(inner)
            .iter()
            .map(|c| c.items[0].key.as_str())
            .collect();
        assert_eq!(keys, ["doe", "roe"]);
        assert!(plain_text(&content).contains("@home"), "{content:?}");
    }

    #[test]
    fn a_group_broken_by_its_styling_or_a_link_stays_text() {
        for text in [
            "Broken *[see @doe*] here.",
            "Linked [see [a](b.md) @doe] here.",
            "Bold key [see **@doe**] here.",
        ] {
            let content = paragraph(text);
            let parenthetical = citations(&content)
                .iter()
                .any(|c| c.mode == crate::doc::CiteMode::Parenthetical);
            assert!(!parenthetical, "{text}: {content:?}");
            assert!(plain_text(&content).contains('['), "{text}");
        }
    }
}
