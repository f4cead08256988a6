//! Opening frames: the container each start tag pushes on the builder's stack.

use std::ops::Range;

use pulldown_cmark::{
    Alignment, CodeBlockKind, HeadingLevel, LinkType, MetadataBlockKind, Tag, TagEnd,
};

use super::builder::{BlockContainer, Builder, Frame, InlineContainer};
use super::MAX_DEPTH;
use crate::doc::{label_anchor, Align, Attributes, Heading, Table};

impl<'a> Builder<'a> {
    /// A start tag: push the frame it opens (nothing past [`MAX_DEPTH`]; the matching end
    /// tag is then skipped too).
    pub(super) fn start(&mut self, tag: Tag<'_>, range: Range<usize>) {
        if self.stack.len() >= MAX_DEPTH {
            self.suppressed += 1;
            self.report_depth(range);
            return;
        }
        let frame = match tag {
            Tag::Paragraph => {
                Some(self.inline_frame(InlineContainer::Paragraph { implicit: false }, &range))
            }
            Tag::Heading {
                level,
                id,
                classes,
                attrs,
            } => {
                let parsed = pulldown_attributes(id, classes, attrs);
                Some(self.heading_frame(level, parsed, &range))
            }
            Tag::BlockQuote(_) => Some(Frame::Blocks {
                kind: BlockContainer::Quote,
                blocks: Vec::new(),
                start: range.start,
            }),
            Tag::CodeBlock(kind) => Some(Frame::Code {
                info: match &kind {
                    CodeBlockKind::Fenced(info) => info.to_string(),
                    CodeBlockKind::Indented => String::new(),
                },
                text: String::new(),
                start: range.start,
            }),
            Tag::HtmlBlock => Some(Frame::HtmlBlock {
                text: String::new(),
                start: range.start,
            }),
            Tag::List(start_number) => Some(Frame::List {
                start_number,
                items: Vec::new(),
                start: range.start,
            }),
            Tag::Item => Some(Frame::Blocks {
                kind: BlockContainer::Item { task: None },
                blocks: Vec::new(),
                start: range.start,
            }),
            Tag::FootnoteDefinition(label) => Some(Frame::Blocks {
                kind: BlockContainer::Note {
                    label: label.to_string(),
                },
                blocks: Vec::new(),
                start: range.start,
            }),
            Tag::Table(aligns) => Some(self.table_frame(&aligns, &range)),
            Tag::TableHead | Tag::TableRow => None,
            Tag::TableCell => Some(self.inline_frame(InlineContainer::Cell, &range)),
            Tag::Emphasis => Some(self.inline_frame(InlineContainer::Emph, &range)),
            Tag::Strong => Some(self.inline_frame(InlineContainer::Strong, &range)),
            Tag::Strikethrough => Some(self.inline_frame(InlineContainer::Strike, &range)),
            Tag::Superscript => Some(self.element_frame("sup", &range)),
            Tag::Subscript => Some(self.element_frame("sub", &range)),
            Tag::DefinitionList => Some(self.element_blocks("dl", &range)),
            Tag::DefinitionListTitle => Some(self.element_blocks("dt", &range)),
            Tag::DefinitionListDefinition => Some(self.element_blocks("dd", &range)),
            Tag::Link {
                link_type,
                dest_url,
                title,
                ..
            } => Some(self.inline_frame(
                InlineContainer::Link {
                    dest: link_destination(link_type, &dest_url),
                    title: title.to_string(),
                },
                &range,
            )),
            Tag::Image {
                dest_url, title, ..
            } => Some(self.inline_frame(
                InlineContainer::Image {
                    dest: dest_url.to_string(),
                    title: title.to_string(),
                },
                &range,
            )),
            Tag::MetadataBlock(kind) => Some(Frame::Metadata {
                toml: kind == MetadataBlockKind::PlusesStyle,
                text: String::new(),
                start: None,
                block_start: range.start,
            }),
        };
        if let Some(frame) = frame {
            if is_block_frame(&frame) {
                self.close_implicit_paragraph(range.start);
            }
            self.stack.push(frame);
        }
    }

    /// An empty frame of inlines for an element Markdown syntax makes (`sup`, `sub`).
    fn element_frame(&self, name: &'static str, range: &Range<usize>) -> Frame {
        self.inline_frame(InlineContainer::Element { name }, range)
    }

    /// An empty frame of blocks for an element Markdown syntax makes (`dl`, `dt`, `dd`).
    fn element_blocks(&self, name: &'static str, range: &Range<usize>) -> Frame {
        Frame::Blocks {
            kind: BlockContainer::Element { name },
            blocks: Vec::new(),
            start: range.start,
        }
    }

    /// An empty frame of inlines of the given kind.
    pub(super) fn inline_frame(&self, kind: InlineContainer, range: &Range<usize>) -> Frame {
        Frame::Inlines {
            kind,
            inlines: Vec::new(),
            start: range.start,
        }
    }

    fn heading_frame(
        &mut self,
        level: HeadingLevel,
        parsed: Attributes,
        range: &Range<usize>,
    ) -> Frame {
        let attrs = self.heading_attributes(parsed, range);
        let heading = Heading {
            level: level as u8,
            explicit_id: attrs.id.is_some(),
            id: attrs.id.as_deref().map(label_anchor).unwrap_or_default(),
            attrs,
            number: None,
            content: Vec::new(),
            span: self.span(range.clone()),
        };
        self.inline_frame(InlineContainer::Heading(heading), range)
    }

    fn table_frame(&self, aligns: &[Alignment], range: &Range<usize>) -> Frame {
        let aligns = aligns
            .iter()
            .map(|a| match a {
                Alignment::None => Align::None,
                Alignment::Left => Align::Left,
                Alignment::Center => Align::Center,
                Alignment::Right => Align::Right,
            })
            .collect();
        Frame::Table {
            table: Table {
                aligns,
                head: Vec::new(),
                rows: Vec::new(),
                caption: Vec::new(),
                attrs: Attributes::default(),
                number: None,
                span: self.span(range.clone()),
            },
            row: Vec::new(),
            in_head: false,
        }
    }
}

fn is_block_frame(frame: &Frame) -> bool {
    !matches!(
        frame,
        Frame::Inlines {
            kind: InlineContainer::Emph
                | InlineContainer::Strong
                | InlineContainer::Strike
                | InlineContainer::Link { .. }
                | InlineContainer::Image { .. }
                | InlineContainer::Html { .. }
                | InlineContainer::Skipped { .. }
                | InlineContainer::Cell,
            ..
        } | Frame::Metadata { .. }
    )
}

/// True for the end tags whose start tag pushed a frame.
pub(super) fn opens_frame(tag: TagEnd) -> bool {
    matches!(
        tag,
        TagEnd::Paragraph
            | TagEnd::Heading(_)
            | TagEnd::BlockQuote(_)
            | TagEnd::CodeBlock
            | TagEnd::HtmlBlock
            | TagEnd::List(_)
            | TagEnd::Item
            | TagEnd::FootnoteDefinition
            | TagEnd::Table
            | TagEnd::TableCell
            | TagEnd::Emphasis
            | TagEnd::Strong
            | TagEnd::Strikethrough
            | TagEnd::Superscript
            | TagEnd::Subscript
            | TagEnd::DefinitionList
            | TagEnd::DefinitionListTitle
            | TagEnd::DefinitionListDefinition
            | TagEnd::Link
            | TagEnd::Image
            | TagEnd::MetadataBlock(_)
    )
}

/// An autolinked address (`<name@example.org>`) is a mail link.
fn link_destination(link_type: LinkType, dest: &str) -> String {
    let has_scheme = dest.to_ascii_lowercase().starts_with("mailto:");
    if link_type == LinkType::Email && !has_scheme {
        format!("mailto:{dest}")
    } else {
        dest.to_string()
    }
}

/// The language of a fence's info string: its first word (`rust`, `{r}` → `r`).
pub(super) fn code_language(info: &str) -> Option<String> {
    // mdBook writes attributes after a comma: `rust,editable`.
    info.split(|c: char| c.is_whitespace() || c == ',')
        .find(|word| !word.is_empty())
        .map(|lang| {
            lang.trim_matches(|c| c == '{' || c == '}' || c == '.')
                .to_string()
        })
        .filter(|lang| !lang.is_empty())
}

/// The attributes pulldown-cmark read after a heading (split at white space, so a quoted value
/// holding spaces comes out in pieces; the builder reads the source again where it can).
fn pulldown_attributes(
    id: Option<pulldown_cmark::CowStr<'_>>,
    classes: Vec<pulldown_cmark::CowStr<'_>>,
    pairs: Vec<(
        pulldown_cmark::CowStr<'_>,
        Option<pulldown_cmark::CowStr<'_>>,
    )>,
) -> Attributes {
    let mut attrs = Attributes {
        id: id.map(|i| i.to_string()),
        classes: classes.iter().map(|c| c.to_string()).collect(),
        ..Attributes::default()
    };
    for (key, value) in pairs {
        match value {
            Some(value) => attrs.pairs.push((key.to_string(), value.to_string())),
            None if key.as_ref() == "-" => attrs.classes.push("unnumbered".to_string()),
            None => attrs.pairs.push((key.to_string(), String::new())),
        }
    }
    attrs
}
