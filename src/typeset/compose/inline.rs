//! Inline content: the document's inlines flattened into pieces of text in a style (emphasis,
//! code, links, note calls, citations, allow-listed inline HTML) and images set in the line.

use std::sync::Arc;

use super::Composer;
use crate::diag::{code, Diagnostic, Span};
use crate::doc::{Chapter, Inline, LinkTarget};
use crate::fonts::{FaceChoice, Family, Style};
use crate::typeset::layout::LinkDest;
use crate::typeset::paragraph::{NoteCall, Pieces, TextStyle};
use crate::typeset::structure::{InlineTag, Role};
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
                        let s = self.open_span(tag, &s);
                        self.pieces(chapter, children, &s, out);
                        self.structure.close();
                        out.end_language();
                    } else {
                        self.pieces(chapter, children, &s, out);
                    }
                    if quoted {
                        out.text("”", &s);
                    }
                }
            }
        }
    }

    /// Opens a `Span` element in the language `lang` inside the text set in `style` (close
    /// it when its text is added); returns the style its text is set in, tagged with it.
    fn open_span(&mut self, lang: &str, style: &TextStyle) -> TextStyle {
        let tag = self.inline_tag(Role::Span, None, style, true);
        self.structure.set_lang(tag.node, lang);
        TextStyle {
            tag: Some(tag),
            ..style.clone()
        }
    }

    /// A new inline element (`role`) in the text set in `style`, opened when `open`: its
    /// items are marked as its own, the items after it as their block's.
    pub(super) fn inline_tag(
        &mut self,
        role: Role,
        alt: Option<String>,
        style: &TextStyle,
        open: bool,
    ) -> InlineTag {
        let block = style.tag.map_or(self.structure.current(), |t| t.block);
        let node = if open {
            self.structure.open(role, alt)
        } else {
            self.structure.add(role, alt)
        };
        InlineTag { node, block }
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

#[cfg(test)]
mod tests {
    use super::super::test_books::{all, book_of_files, child_roles, composition_of};
    use crate::typeset::layout::Item;
    use crate::typeset::structure::{NodeId, Role};

    /// The text of the glyph runs of the book's pages marked with `node`.
    fn text_of(composition: &super::super::Composition, node: NodeId) -> String {
        let mut text = String::new();
        for page in &composition.pages {
            for (index, item) in page.items.iter().enumerate() {
                let at = page.marks.partition_point(|m| m.first as usize <= index);
                let mark = at.checked_sub(1).and_then(|at| page.marks.get(at));
                if let (Item::Glyphs(run), Some(mark)) = (item, mark) {
                    if mark.node == Some(node) {
                        text.push_str(&run.run.text);
                    }
                }
            }
        }
        text
    }

    #[test]
    fn a_span_in_another_language_is_a_span_with_its_lang_in_its_paragraph() {
        let chapter = "# One\n\nFirst.\n\nWe say [bonjour madame]{lang=fr} to her.\n";
        let book = book_of_files("title = \"T\"\n", &[("01.md", chapter)]);
        let composition = composition_of(&book);
        let structure = &composition.structure;
        let spans = all(structure, Role::Span);
        assert_eq!(spans.len(), 1);
        let span = &structure.nodes[spans[0] as usize];
        assert_eq!(span.lang(), Some("fr"));
        let paragraph = span.parent.expect("a parent");
        assert_eq!(structure.nodes[paragraph as usize].role, Role::P);
        assert_eq!(child_roles(structure, paragraph), [Role::Span]);
        assert_eq!(
            text_of(&composition, spans[0]).replace(' ', ""),
            "bonjourmadame"
        );
        let around = text_of(&composition, paragraph);
        assert!(
            around.starts_with("We") && around.ends_with("her."),
            "{around}"
        );
    }

    #[test]
    fn an_inline_formula_is_a_formula_with_its_source_in_its_paragraph() {
        let chapter = "# One\n\nThe square $x^2$ grows.\n";
        let book = book_of_files("title = \"T\"\n", &[("01.md", chapter)]);
        let composition = composition_of(&book);
        let structure = &composition.structure;
        let formulas = all(structure, Role::Formula);
        assert_eq!(formulas.len(), 1);
        let formula = &structure.nodes[formulas[0] as usize];
        assert_eq!(formula.alt(), Some("x^2"));
        let paragraph = formula.parent.expect("a parent");
        assert_eq!(structure.nodes[paragraph as usize].role, Role::P);
        let marked = composition.pages.iter().flat_map(|p| &p.marks);
        assert!(marked.into_iter().any(|m| m.node == Some(formulas[0])));
        assert!(text_of(&composition, paragraph).ends_with("grows."));
    }
}
