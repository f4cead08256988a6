//! Tests of attribute blocks, captions, labelled divs and cross-references in the Markdown
//! stage.

use super::*;
use crate::diag::code;
use crate::doc::{plain_text, Block, Inline};

fn parse(text: &str) -> (ParsedChapter, Diagnostics) {
    let mut diags = Diagnostics::default();
    let parsed = parse_chapter(FileId(0), text, &mut diags);
    (parsed, diags)
}

fn codes(diags: &Diagnostics) -> Vec<&'static str> {
    diags.items().iter().map(|d| d.code).collect()
}

#[test]
fn heading_attributes_are_read_from_the_source() {
    let text = "## Methods {#sec-methods .wide note=\"two words\"}\n\n## Aside {-}\n";
    let (parsed, diags) = parse(text);
    assert!(diags.items().is_empty(), "{diags:?}");
    let Block::Heading(h) = &parsed.blocks[0] else {
        panic!("a heading");
    };
    assert_eq!(h.id, "sec-methods");
    assert_eq!(h.attrs.get("note"), Some("two words"));
    let span = h.attrs.span.clone().expect("span");
    assert_eq!(&text[span.range], "{#sec-methods .wide note=\"two words\"}");
    let Block::Heading(aside) = &parsed.blocks[1] else {
        panic!("a heading");
    };
    assert!(aside.attrs.has_class("unnumbered"));
    assert_eq!(plain_text(&aside.content), "Aside");
}

#[test]
fn a_heading_block_that_does_not_read_is_a_warning() {
    let (_, diags) = parse("## Using {braces here}\n");
    assert_eq!(codes(&diags), vec![code::ATTRIBUTES_UNREAD]);
}

#[test]
fn image_attributes_label_the_figure_and_caption_it() {
    let text = "![The city](map.png){#fig-map width=\"50%\" fig-alt=\"A map\"}\n";
    let (parsed, diags) = parse(text);
    assert!(diags.items().is_empty(), "{diags:?}");
    let Block::Figure(figure) = &parsed.blocks[0] else {
        panic!("a figure, got {:?}", parsed.blocks[0]);
    };
    assert_eq!(figure.label(), Some("fig-map"));
    assert_eq!(figure.image.attrs.get("width"), Some("50%"));
    assert_eq!(plain_text(&figure.caption), "The city");
    assert_eq!(figure.image.alt, "A map");
    let span = figure.image.attrs.span.clone().expect("span");
    assert_eq!(
        &text[span.range],
        "{#fig-map width=\"50%\" fig-alt=\"A map\"}"
    );
}

#[test]
fn an_unreadable_image_block_stays_text_with_a_warning() {
    let (parsed, diags) = parse("An ![icon](i.png){#x word} in text.\n");
    assert_eq!(codes(&diags), vec![code::ATTRIBUTES_UNREAD]);
    let Block::Paragraph { content, .. } = &parsed.blocks[0] else {
        panic!("a paragraph");
    };
    assert!(plain_text(content).contains("{#x word}"), "{content:?}");
    let (parsed, diags) = parse("An ![icon](i.png){#x width=\"3} in text.\n");
    assert!(diags.items().is_empty());
    let Block::Paragraph { content, .. } = &parsed.blocks[0] else {
        panic!("a paragraph");
    };
    assert!(plain_text(content).contains("{#x width="), "{content:?}");
}

#[test]
fn table_captions_before_and_after() {
    let text = "| a | b |\n|---|---|\n| 1 | 2 |\n\n: Sums {#tbl-sums}\n\nTable: Before *it* {#tbl-before}\n\n| c |\n|---|\n| 3 |\n";
    let (parsed, diags) = parse(text);
    assert!(diags.items().is_empty(), "{diags:?}");
    let tables: Vec<_> = parsed
        .blocks
        .iter()
        .filter_map(|b| match b {
            Block::Table(t) => Some(t),
            _ => None,
        })
        .collect();
    assert_eq!(parsed.blocks.len(), 2, "{:?}", parsed.blocks);
    assert_eq!(plain_text(&tables[0].caption), "Sums");
    assert_eq!(tables[0].attrs.id.as_deref(), Some("tbl-sums"));
    assert_eq!(plain_text(&tables[1].caption), "Before it");
    assert_eq!(tables[1].attrs.id.as_deref(), Some("tbl-before"));
}

#[test]
fn a_labelled_caption_without_a_table_is_a_warning() {
    let (parsed, diags) = parse("Text.\n\n: Lonely {#tbl-x}\n");
    assert_eq!(codes(&diags), vec![code::CAPTION_WITHOUT_TABLE]);
    assert_eq!(parsed.blocks.len(), 2);
}

#[test]
fn figure_divs_take_their_last_paragraph_as_caption() {
    for text in [
        "::: {#fig-a}\n![](a.png)\n\nThe *caption*.\n:::\n",
        "::: {#fig-a}\n\n![](a.png)\n\nThe *caption*.\n\n:::\n",
    ] {
        let (parsed, diags) = parse(text);
        assert!(diags.items().is_empty(), "{diags:?}");
        let [Block::Figure(figure)] = parsed.blocks.as_slice() else {
            panic!("one figure from {text:?}, got {:?}", parsed.blocks);
        };
        assert_eq!(figure.label(), Some("fig-a"));
        assert_eq!(plain_text(&figure.caption), "The caption.");
    }
}

#[test]
fn other_divs_are_containers_and_odd_figure_divs_warn() {
    let (parsed, diags) = parse("::: {.callout-note}\nA note.\n:::\n");
    assert!(diags.items().is_empty());
    assert_eq!(parsed.blocks.len(), 1);
    assert!(
        matches!(&parsed.blocks[0], Block::Container { name, blocks, .. } if name == "aside" && blocks.len() == 1),
        "{:?}",
        parsed.blocks
    );
    let (parsed, diags) = parse("::: {#fig-two}\n![](a.png)\n\n![](b.png)\n\nBoth.\n:::\n");
    assert_eq!(codes(&diags), vec![code::LABELLED_DIV]);
    assert_eq!(parsed.blocks.len(), 3, "{:?}", parsed.blocks);
    assert_eq!(parsed.foreign_labels[0].label, "fig-two");
    let (_, diags) = parse("::: {#fig-open}\n![](a.png)\n");
    assert_eq!(codes(&diags), vec![code::LABELLED_DIV]);
}

#[test]
fn listings_from_fences_and_divs() {
    let text = "```{#lst-hello .python lst-cap=\"Say hello\"}\nprint('hi')\n```\n\n::: {#lst-two}\n```rust\nfn main() {}\n```\n\nA caption.\n:::\n";
    let (parsed, diags) = parse(text);
    assert!(diags.items().is_empty(), "{diags:?}");
    let listings: Vec<_> = parsed
        .blocks
        .iter()
        .filter_map(|b| match b {
            Block::Code {
                lang,
                listing: Some(l),
                ..
            } => Some((lang.clone(), l)),
            _ => None,
        })
        .collect();
    assert_eq!(listings.len(), 2, "{:?}", parsed.blocks);
    assert_eq!(listings[0].0.as_deref(), Some("python"));
    assert_eq!(plain_text(&listings[0].1.caption), "Say hello");
    assert_eq!(listings[1].1.attrs.id.as_deref(), Some("lst-two"));
    assert_eq!(plain_text(&listings[1].1.caption), "A caption.");
}

#[test]
fn chunk_and_equation_labels_are_remembered() {
    let text = "```{r}\n#| label: fig-trend\n#| fig-cap: \"A trend\"\nplot(x)\n```\n\n$$ x = 1 $$ {#eq-one}\n\nNo formula {#eq-two}\n";
    let (parsed, _) = parse(text);
    let labels: Vec<(&str, &ForeignReason)> = parsed
        .foreign_labels
        .iter()
        .map(|l| (l.label.as_str(), &l.why))
        .collect();
    assert_eq!(labels.len(), 2, "{labels:?}");
    assert_eq!(labels[0].0, "fig-trend");
    assert!(matches!(labels[0].1, ForeignReason::CodeChunk { language } if language == "r"));
    // The label after a display formula is the formula's; one after text is foreign.
    assert_eq!(labels[1], ("eq-two", &ForeignReason::Equation));
    let Block::Paragraph { content, .. } = &parsed.blocks[1] else {
        panic!("a paragraph: {:?}", parsed.blocks);
    };
    let Some(crate::doc::Inline::Math(math)) = content.first() else {
        panic!("a formula: {content:?}");
    };
    assert_eq!(math.attrs.id.as_deref(), Some("eq-one"));
    assert_eq!(content.len(), 1, "the label is not text: {content:?}");
    let span = &parsed.foreign_labels[0].span;
    assert_eq!(&text[span.range.clone()], "fig-trend");
}

#[test]
fn labels_are_references_not_citations() {
    let (parsed, _) = parse("See @fig-map, [-@tbl-x] and [Fig. @fig:y; @smith2020].\n");
    let Block::Paragraph { content, .. } = &parsed.blocks[0] else {
        panic!("a paragraph");
    };
    let refs: Vec<_> = content
        .iter()
        .filter_map(|i| match i {
            Inline::Ref(r) => Some(r),
            _ => None,
        })
        .collect();
    assert_eq!(refs.len(), 3);
    assert!(!refs[0].bracketed && refs[0].items[0].key == "fig-map");
    assert!(refs[1].items[0].suppress_author);
    assert_eq!(refs[2].items[0].prefix, "Fig.");
    let cites = content
        .iter()
        .filter(|i| matches!(i, Inline::Cite(_)))
        .count();
    assert_eq!(cites, 1, "the citation in the mixed group stays a citation");
}

#[test]
fn fenced_divs_nest_and_callouts_take_their_title() {
    let text = "::: {.callout-tip title=\"Try it\"}\nOuter.\n\n::: {.aside #inner lang=de}\nInnen.\n:::\n:::\n\n::: callout-warning\n## Careful\n\nText.\n:::\n";
    let (parsed, diags) = parse(text);
    assert!(diags.items().is_empty(), "{diags:?}");
    let [Block::Container {
        name,
        attrs,
        blocks,
        ..
    }, Block::Container { blocks: second, .. }] = parsed.blocks.as_slice()
    else {
        panic!("two containers: {:?}", parsed.blocks);
    };
    assert_eq!(name, "aside");
    assert!(attrs.contains(&("role".to_string(), "doc-tip".to_string())));
    assert!(
        matches!(&blocks[0], Block::Paragraph { content, .. } if matches!(&content[0], Inline::Strong(_)))
    );
    let Block::Container { name, attrs, .. } = &blocks[2] else {
        panic!("a nested div: {blocks:?}");
    };
    assert_eq!(name, "div");
    assert!(attrs.contains(&("id".to_string(), "inner".to_string())));
    assert!(attrs.contains(&("lang".to_string(), "de".to_string())));
    // The heading a callout starts with is its title, not a section.
    assert!(
        !second.iter().any(|b| matches!(b, Block::Heading(_))),
        "{second:?}"
    );
}
