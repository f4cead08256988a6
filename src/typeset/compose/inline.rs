//! Inline content: the document's inlines flattened into pieces of text in a style (emphasis,
//! code, links, note calls, citations, allow-listed inline HTML) and images set in the line.

use std::sync::Arc;

use super::Composer;
use crate::diag::{code, Diagnostic, Span};
use crate::doc::{Chapter, Inline, LinkTarget};
use crate::fonts::{FaceChoice, Family, Style};
use crate::typeset::layout::LinkDest;
use crate::typeset::paragraph::{NoteCall, Pieces, TextStyle};
use crate::typeset::style::Inline as InlineDesign;

impl<'a, 'f> Composer<'a, 'f> {
    /// Flatten inlines into pieces in `style`.
    pub(crate) fn pieces<'d>(
        &mut self,
        chapter: &Chapter,
        inlines: &'d [Inline],
        style: &TextStyle,
        out: &mut Pieces<'d>,
    ) {
        for inline in inlines {
            match inline {
                Inline::Text { text, .. } if text.contains('\n') => {
                    out.text(text.replace('\n', " "), style)
                }
                Inline::Text { text, .. } => out.text(text.as_str(), style),
                Inline::Emph(c) => {
                    let s = style.with_style(toggle_italic(style.choice.style));
                    self.pieces(chapter, c, &s, out);
                }
                Inline::Strong(c) => {
                    let s = style.with_style(add_bold(style.choice.style));
                    self.pieces(chapter, c, &s, out);
                }
                Inline::Strike(c) => {
                    let s = TextStyle {
                        strike: true,
                        ..style.clone()
                    };
                    self.pieces(chapter, c, &s, out);
                }
                Inline::Code(code) => {
                    let s = TextStyle {
                        choice: FaceChoice::new(Family::Mono, Style::Regular),
                        size: style.size * self.design().inline.code_size,
                        ..style.clone()
                    };
                    out.text(code.as_str(), &s);
                }
                Inline::Link(link) => {
                    let s = TextStyle {
                        link: self.link_dest(&link.target),
                        ..style.clone()
                    };
                    self.pieces(chapter, &link.content, &s, out);
                }
                Inline::Image(image) => self.inline_image(image, style, out),
                Inline::Math(math) => self.inline_formula(math, style, out),
                Inline::NoteRef(call) => {
                    if let Some(note) = call.note.and_then(|n| chapter.notes.get(n).map(|x| (n, x)))
                    {
                        out.note(NoteCall {
                            number: note.1.number,
                            note: note.0,
                            call_id: call.id.clone(),
                            note_id: note.1.id.clone(),
                            style: style.clone(),
                        });
                    }
                }
                Inline::Cite(cite) => self.pieces(chapter, &cite.rendered, style, out),
                Inline::Ref(reference) => {
                    self.pieces(chapter, &reference.rendered, style, out);
                    if let Some(page) = self.page_reference(reference.page_anchor.as_deref()) {
                        out.text(page, style);
                    }
                }
                Inline::IndexMark(mark) if !mark.id.is_empty() => out.anchor(&mark.id),
                Inline::IndexMark(_) => {}
                Inline::SoftBreak => out.text(" ", style),
                Inline::HardBreak => out.hard_break(),
                Inline::Html(html) => {
                    let (name, children) = (&html.name, &html.children);
                    let s = html_inline_style(html, style, &self.design().inline);
                    if s.small_caps {
                        self.check_small_caps(chapter, &s);
                    }
                    let quoted = name == "q";
                    if quoted {
                        out.text("“", &s);
                    }
                    let lang = html.attrs.iter().find(|(k, _)| k == "lang");
                    if let Some((_, tag)) = lang {
                        out.begin_language(tag);
                    }
                    self.pieces(chapter, children, &s, out);
                    if lang.is_some() {
                        out.end_language();
                    }
                    if quoted {
                        out.text("”", &s);
                    }
                }
            }
        }
    }

    /// Warn when the face `style` is set in has no small capitals (no `smcp`): the text
    /// then prints in its lower-case letters (the warning is made one for the book).
    pub(super) fn check_small_caps(&mut self, chapter: &Chapter, style: &TextStyle) {
        let fonts = self.ctx.fonts;
        let face = fonts.face(fonts.primary(style.choice));
        if face.has_feature(b"smcp") {
            return;
        }
        let name = face
            .family_name()
            .unwrap_or_else(|| face.postscript_name().to_string());
        self.warnings.push(
            Diagnostic::warning(
                code::NO_SMALL_CAPS,
                format!("the font {name} has no small capitals (smcp): small capitals print as lower-case letters in the PDF"),
            )
            .at(Span::new(chapter.file, 0..0))
            .with_hint("choose a serif with small capitals in book.toml's [fonts]"),
        );
    }

    /// " on page 41" after a reference, when book.toml asks for page references; a stand-in
    /// as wide as most numbers while the pages are not known yet.
    fn page_reference(&self, anchor: Option<&str>) -> Option<String> {
        if !self.book.meta.numbering.page_references {
            return None;
        }
        let anchor = anchor?;
        let label = match &self.page_labels {
            Some(labels) => labels.get(anchor)?.clone(),
            None => super::contents::PAGE_NUMBER_STAND_IN.to_string(),
        };
        Some(format!(" {} {label}", self.terms.on_page))
    }

    fn link_dest(&self, target: &LinkTarget) -> Option<LinkDest> {
        match target {
            LinkTarget::External(url) => Some(LinkDest::Uri(Arc::from(url.as_str()))),
            LinkTarget::Internal { chapter, anchor } => anchor
                .clone()
                .or_else(|| {
                    self.book
                        .chapters
                        .get(*chapter)
                        .and_then(|c| c.title_id().map(str::to_string))
                })
                .map(|id| LinkDest::Anchor(Arc::from(id))),
            LinkTarget::Anchor(id) => Some(LinkDest::Anchor(Arc::from(id.as_str()))),
            LinkTarget::Raw(_) => None,
        }
    }
}

/// pandoc's class for small capitals, `[words]{.smallcaps}`.
const SMALL_CAPS_CLASS: &str = "smallcaps";

/// Whether the element's `class` attribute names `class`.
fn has_class(html: &crate::doc::HtmlInline, class: &str) -> bool {
    html.attrs
        .iter()
        .any(|(name, value)| name == "class" && value.split_whitespace().any(|c| c == class))
}

fn toggle_italic(style: Style) -> Style {
    match style {
        Style::Regular => Style::Italic,
        Style::Italic => Style::Regular,
        Style::Bold => Style::BoldItalic,
        Style::BoldItalic => Style::Bold,
    }
}

fn add_bold(style: Style) -> Style {
    match style {
        Style::Regular | Style::Bold => Style::Bold,
        Style::Italic | Style::BoldItalic => Style::BoldItalic,
    }
}

/// How an allow-listed inline HTML element sets its text, as a browser's default style does.
fn html_inline_style(
    html: &crate::doc::HtmlInline,
    style: &TextStyle,
    design: &InlineDesign,
) -> TextStyle {
    match html.name.as_str() {
        "em" | "i" | "cite" | "dfn" | "var" => style.with_style(toggle_italic(style.choice.style)),
        "strong" | "b" => style.with_style(add_bold(style.choice.style)),
        "del" | "s" => TextStyle {
            strike: true,
            ..style.clone()
        },
        "code" | "kbd" | "samp" => TextStyle {
            choice: FaceChoice::new(Family::Mono, Style::Regular),
            size: style.size * design.code_size,
            ..style.clone()
        },
        "sup" | "sub" => {
            let rise = style.size * design.script_rise;
            TextStyle {
                size: style.size * design.script_size,
                rise: style.rise
                    + if html.name == "sup" {
                        rise
                    } else {
                        -rise * design.subscript_drop
                    },
                ..style.clone()
            }
        }
        "small" => TextStyle {
            size: style.size * design.small_size,
            ..style.clone()
        },
        "span" if has_class(html, SMALL_CAPS_CLASS) => TextStyle {
            small_caps: true,
            ..style.clone()
        },
        _ => style.clone(),
    }
}
