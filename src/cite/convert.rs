//! hayagriva's element tree turned into our inlines (never its unescaped HTML output):
//! formatting, links, each cited work's part linked to its entry, prefixes, suffixes and
//! suppressed authors.

use hayagriva::citationberg::{FontStyle, FontWeight, VerticalAlign};
use hayagriva::{ElemChild, ElemChildren, ElemMeta, Formatting};

use super::render::RenderContext;
use crate::diag::Span;
use crate::doc::{Citation, Inline, Link, LinkTarget};

/// Turns hayagriva's element tree into inlines carrying `span`.
pub(super) struct Converter<'a> {
    /// The span every produced inline carries.
    pub(super) span: Span,
    /// Set when converting a citation: each cited item's part is linked to its entry.
    pub(super) cite: Option<CiteContext<'a>>,
}

impl Converter<'_> {
    /// Convert `children`; inside a linked item (`flat`), external links become text, since
    /// links cannot nest.
    pub(super) fn children(&self, children: &[ElemChild], out: &mut Vec<Inline>, flat: bool) {
        for child in children {
            self.child(child, out, flat);
        }
    }

    fn child(&self, child: &ElemChild, out: &mut Vec<Inline>, flat: bool) {
        match child {
            ElemChild::Text(text) => self.formatted(&text.text, text.formatting, out),
            ElemChild::Markup(text) => self.formatted(text, Formatting::default(), out),
            ElemChild::Elem(elem) => match (&elem.meta, &self.cite) {
                (Some(ElemMeta::Entry(index)), Some(cite)) => {
                    self.item(cite, &elem.children, *index, out)
                }
                _ => {
                    if elem.display.is_some() && !out.is_empty() {
                        push(out, Inline::text(" ", self.span.clone()));
                    }
                    self.children(&elem.children.0, out, flat)
                }
            },
            ElemChild::Link { text, .. } if flat => {
                self.formatted(&text.text, text.formatting, out)
            }
            ElemChild::Link { text, url } => {
                let mut content = Vec::new();
                self.formatted(&text.text, text.formatting, &mut content);
                out.push(Inline::Link(Box::new(Link {
                    target: LinkTarget::External(url.clone()),
                    title: String::new(),
                    content,
                    span: self.span.clone(),
                })));
            }
            ElemChild::Transparent { .. } => {}
        }
    }

    fn formatted(&self, text: &str, formatting: Formatting, out: &mut Vec<Inline>) {
        if text.is_empty() {
            return;
        }
        let mut inline = Inline::text(text, self.span.clone());
        if formatting.font_weight == FontWeight::Bold {
            inline = Inline::Strong(vec![inline]);
        }
        if formatting.font_style == FontStyle::Italic {
            inline = Inline::Emph(vec![inline]);
        }
        let tag = match formatting.vertical_align {
            VerticalAlign::Sup => Some("sup"),
            VerticalAlign::Sub => Some("sub"),
            _ => None,
        };
        if let Some(tag) = tag {
            inline = Inline::Html(Box::new(crate::doc::HtmlInline {
                name: tag.to_string(),
                attrs: Vec::new(),
                children: vec![inline],
            }));
        }
        push(out, inline);
    }

    /// One cited work: prefix, the linked rendering, suffix.
    fn item(
        &self,
        cite: &CiteContext,
        children: &ElemChildren,
        index: usize,
        out: &mut Vec<Inline>,
    ) {
        let item = cite
            .known
            .get(index)
            .and_then(|&i| cite.citation.items.get(i));
        let Some(item) = item else {
            return self.children(&children.0, out, true);
        };
        let mut children = children.0.clone();
        let named_in_text = cite.author_in_text && index == 0;
        if item.suppress_author || named_in_text {
            strip_author(&mut children);
        }
        let mut inner = Vec::new();
        self.children(&children, &mut inner, true);
        if cite.narrative {
            narrative_suffix(&mut inner, &item.suffix, &self.span);
        }
        if !item.styled_prefix.is_empty() {
            out.extend(item.styled_prefix.iter().cloned());
            push(out, Inline::text(" ", self.span.clone()));
        } else if !item.prefix.is_empty() {
            push(
                out,
                Inline::text(format!("{} ", item.prefix), self.span.clone()),
            );
        }
        out.push(Inline::Link(Box::new(Link {
            target: LinkTarget::Anchor(cite.ctx.id(&item.key)),
            title: String::new(),
            content: inner,
            span: item.span.clone(),
        })));
        if cite.narrative || item.suffix.is_empty() {
            return;
        }
        if item.styled_suffix.is_empty() {
            push(
                out,
                Inline::text(joined_suffix(&item.suffix), self.span.clone()),
            );
        } else {
            if joined_suffix(&item.suffix).starts_with(' ') {
                push(out, Inline::text(" ", self.span.clone()));
            }
            out.extend(item.styled_suffix.iter().cloned());
        }
    }
}

/// The citation being converted and how its items map to hayagriva's.
pub(super) struct CiteContext<'a> {
    /// Gives each entry's anchor id.
    pub(super) ctx: &'a RenderContext<'a>,
    /// The citation as written: its items' prefixes, suffixes and spans.
    pub(super) citation: &'a Citation,
    /// hayagriva's item index `i` is `citation.items[known[i]]`.
    pub(super) known: &'a [usize],
    /// A narrative citation (`@key [p. 4]`): suffixes go inside the parentheses.
    pub(super) narrative: bool,
    /// The first item's author stands in the sentence (a narrative citation in a note
    /// style), so the note leaves them out, as citeproc does.
    pub(super) author_in_text: bool,
}

/// Append, merging adjacent text and adjacent emphasis of the same kind.
pub(super) fn push(out: &mut Vec<Inline>, inline: Inline) {
    match (out.last_mut(), inline) {
        (Some(Inline::Text { text: last, .. }), Inline::Text { text, .. }) => last.push_str(&text),
        (Some(Inline::Emph(last)), Inline::Emph(more))
        | (Some(Inline::Strong(last)), Inline::Strong(more)) => {
            for inline in more {
                push(last, inline);
            }
        }
        (_, inline) => out.push(inline),
    }
}

/// `[-@key]`: drop the first names element and the delimiter after it ("Kiernan 1996" →
/// "1996"). hayagriva has no public suppress-author form: its `Year` purpose loses the year
/// suffix and the locator.
fn strip_author(children: &mut Vec<ElemChild>) -> bool {
    for i in 0..children.len() {
        let ElemChild::Elem(elem) = &mut children[i] else {
            continue;
        };
        if matches!(elem.meta, Some(ElemMeta::Names(_))) {
            children.remove(i);
            trim_leading_delimiter(children, i);
            return true;
        }
        if strip_author(&mut elem.children.0) {
            if is_blank(&elem.children.0) {
                children.remove(i);
                trim_leading_delimiter(children, i);
            }
            return true;
        }
    }
    false
}

/// The names that open the first cited work's rendering: what a narrative citation in a
/// note style puts in the sentence, taken from the note as citeproc takes it.
pub(super) fn first_work_author(children: &[ElemChild]) -> Option<&ElemChild> {
    children.iter().find_map(|child| match child {
        ElemChild::Elem(elem) if elem.meta == Some(ElemMeta::Entry(0)) => {
            first_names(&elem.children.0)
        }
        ElemChild::Elem(elem) => first_work_author(&elem.children.0),
        _ => None,
    })
}

/// The first names element, depth first (the one [`strip_author`] removes).
fn first_names(children: &[ElemChild]) -> Option<&ElemChild> {
    children.iter().find_map(|child| match child {
        ElemChild::Elem(elem) if matches!(elem.meta, Some(ElemMeta::Names(_))) => Some(child),
        ElemChild::Elem(elem) => first_names(&elem.children.0),
        _ => None,
    })
}

fn is_blank(children: &[ElemChild]) -> bool {
    children.iter().all(|child| match child {
        ElemChild::Text(text) => text.text.trim().is_empty(),
        ElemChild::Markup(text) => text.trim().is_empty(),
        ElemChild::Elem(elem) => is_blank(&elem.children.0),
        ElemChild::Link { text, .. } => text.text.trim().is_empty(),
        ElemChild::Transparent { .. } => true,
    })
}

fn trim_leading_delimiter(children: &mut Vec<ElemChild>, at: usize) {
    if let Some(ElemChild::Text(text)) = children.get_mut(at) {
        let trimmed = text.text.trim_start_matches([' ', ',', ';', ':', '\u{a0}']);
        text.text = trimmed.to_string();
        if text.text.is_empty() {
            children.remove(at);
        }
    }
}

/// A suffix as printed after the locator: a space before words, none before punctuation.
fn joined_suffix(suffix: &str) -> String {
    match suffix.chars().next() {
        Some(c) if c.is_alphanumeric() => format!(" {suffix}"),
        _ => suffix.to_string(),
    }
}

/// Narrative renderings end in "(1996, 45)": the suffix goes inside the parentheses, and
/// an empty "()" (MLA without a locator) is dropped.
fn narrative_suffix(inner: &mut Vec<Inline>, suffix: &str, span: &Span) {
    if let Some(Inline::Text { text, .. }) = inner.last_mut() {
        if text.ends_with("()") {
            text.truncate(text.len() - 2);
            if !suffix.is_empty() {
                let bare = suffix.trim_start_matches([',', ' ']);
                text.push_str(&format!("({bare})"));
            }
            *text = text.trim_end().to_string();
            return;
        }
        if !suffix.is_empty() && text.ends_with(')') {
            text.insert_str(text.len() - 1, &joined_suffix(suffix));
            return;
        }
    }
    if !suffix.is_empty() {
        push(inner, Inline::text(joined_suffix(suffix), span.clone()));
    }
}

/// Upper-case the first letter (a note starts a sentence: "See Kiernan …").
pub(super) fn capitalize_first(inlines: &mut [Inline]) -> bool {
    for inline in inlines {
        let done = match inline {
            Inline::Text { text, .. } => match text.chars().next() {
                Some(first) => {
                    let upper: String = first.to_uppercase().collect();
                    text.replace_range(..first.len_utf8(), &upper);
                    true
                }
                None => false,
            },
            Inline::Emph(content) | Inline::Strong(content) | Inline::Strike(content) => {
                capitalize_first(content)
            }
            Inline::Link(link) => capitalize_first(&mut link.content),
            Inline::Html(html) => capitalize_first(&mut html.children),
            _ => false,
        };
        if done {
            return true;
        }
    }
    false
}

/// Collapse the double spaces some styles leave between fields, and a period doubled after
/// a quoted title that ends in its own punctuation (reference-list entries, and notes once
/// their final period has gone inside the quotation marks).
pub(super) fn tidy_text(inlines: &mut [Inline]) {
    for inline in inlines {
        match inline {
            Inline::Text { text, .. } => {
                while text.contains("  ") {
                    *text = text.replace("  ", " ");
                }
                if text.contains(" : ") {
                    *text = close_volume_colon(text);
                }
                collapse_period_after_quote(text);
            }
            Inline::Emph(content) | Inline::Strong(content) | Inline::Strike(content) => {
                tidy_text(content)
            }
            Inline::Link(link) => tidy_text(&mut link.content),
            Inline::Html(html) => tidy_text(&mut html.children),
            _ => {}
        }
    }
}

/// `‘A Page.’.` written `‘A Page.’`: where the quotation marks go outside the punctuation
/// (British English), hayagriva adds the field's period after a quoted title that already
/// ends in one; CSL processors collapse the two (citeproc prints `‘A Page.’ 2019.`).
/// In American English the field's period goes inside the quotation marks instead, after
/// the title's own: `“A Page..”` is written `“A Page.”` (an ellipsis, `...”`, stays).
fn collapse_period_after_quote(text: &mut String) {
    for quote in ['’', '”', '»'] {
        for mark in ['.', '?', '!'] {
            let doubled = format!("{mark}{quote}.");
            if text.contains(&doubled) {
                *text = text.replace(&doubled, &format!("{mark}{quote}"));
            }
            let inside = format!("{mark}.{quote}");
            let mut from = 0;
            while let Some(found) = text[from..].find(&inside) {
                let at = from + found;
                let ellipsis = mark == '.' && text[..at].ends_with('.');
                if !ellipsis {
                    text.replace_range(at..at + inside.len(), &format!("{mark}{quote}"));
                }
                from = at + mark.len_utf8();
            }
        }
    }
}

/// `38 : 173` (a volume without issue, then its pages) written `38: 173`: hayagriva leaves the
/// space that an absent issue number would have followed (the journal-article layout of the
/// Chicago styles), which no style asks for.
fn close_volume_colon(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(" : ") {
        let before_digit = rest[..at].ends_with(|c: char| c.is_ascii_digit());
        let after_digit = rest[at + 3..].starts_with(|c: char| c.is_ascii_digit());
        out.push_str(&rest[..at]);
        out.push_str(if before_digit && after_digit {
            ": "
        } else {
            " : "
        });
        rest = &rest[at + 3..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_period_after_a_quoted_title_ending_in_one_is_dropped() {
        let mut text = "Web, Wanda. ‘A Page.’. 2019. ‘Why?’. Done’.".to_string();
        super::collapse_period_after_quote(&mut text);
        assert_eq!(text, "Web, Wanda. ‘A Page.’ 2019. ‘Why?’ Done’.");
        let mut text = "Web. “A Page..” “Why?.” “And so...” End.".to_string();
        super::collapse_period_after_quote(&mut text);
        assert_eq!(text, "Web. “A Page.” “Why?” “And so...” End.");
    }

    use super::super::test_book::{anchors, run, SAMPLE};

    #[test]
    fn a_volume_without_issue_is_followed_by_a_colon_without_space() {
        assert_eq!(
            super::close_volume_colon("Mathematik 38 : 173–98."),
            "Mathematik 38: 173–98."
        );
        assert_eq!(
            super::close_volume_colon("Tome I : Paris"),
            "Tome I : Paris"
        );
    }
    use crate::doc::{plain_text, Block, Inline, LinkTarget};

    #[test]
    fn citations_link_to_their_entries() {
        let outcome = run(SAMPLE, "chicago-author-date");
        let ids: Vec<String> = outcome
            .list
            .as_ref()
            .unwrap()
            .entries
            .iter()
            .map(|e| e.id.clone())
            .collect();
        assert_eq!(
            ids,
            [
                "ref-chandler1999",
                "ref-eccc2010",
                "ref-kiernan1996b",
                "ref-kiernan1996"
            ]
        );
        let Block::Paragraph { content, .. } = &outcome.book.chapters[0].blocks[2] else {
            panic!("paragraph expected");
        };
        let mut found = Vec::new();
        anchors(content, &mut found);
        assert_eq!(found, ["ref-kiernan1996b", "ref-eccc2010"]);
        let Some(Inline::Cite(cite)) = content.first() else {
            panic!("citation expected");
        };
        // The prefix stays outside the link; each link covers its own item.
        assert!(matches!(&cite.rendered[0], Inline::Text { text, .. } if text == "(see "));
        let Inline::Link(link) = &cite.rendered[1] else {
            panic!("link expected");
        };
        assert_eq!(plain_text(&link.content), "Kiernan 1996a, chap. 2");
        assert_eq!(link.span, cite.items[0].span);
        for chapter in &outcome.book.chapters {
            for block in &chapter.blocks {
                if let Block::Paragraph { content, .. } = block {
                    let mut targets = Vec::new();
                    anchors(content, &mut targets);
                    assert!(!targets.is_empty());
                    assert!(targets.iter().all(|t| ids.contains(t)), "{targets:?}");
                }
            }
        }
    }

    #[test]
    fn references_keep_italics_and_live_links() {
        let outcome = run(SAMPLE, "chicago-author-date");
        let list = outcome.list.unwrap();
        assert_eq!(list.title, "References");
        let chandler = &list.entries[0].content;
        let emph: Vec<String> = chandler
            .iter()
            .filter_map(|i| match i {
                Inline::Emph(c) => Some(plain_text(c)),
                _ => None,
            })
            .collect();
        assert_eq!(emph, ["Voices from S-21"]);
        let external: Vec<&LinkTarget> = list.entries[2]
            .content
            .iter()
            .filter_map(|i| match i {
                Inline::Link(link) => Some(&link.target),
                _ => None,
            })
            .collect();
        assert_eq!(
            external,
            [&LinkTarget::External(
                "https://doi.org/10.1234/jas.1996.55".into()
            )]
        );
        // Entry text points at the entry in the .bib (file 1), line 13.
        let Inline::Text { span, .. } = &list.entries[2].content[0] else {
            panic!("text expected");
        };
        assert_eq!(outcome.book.sources.location(span), "references.bib:11:10");
    }
}
