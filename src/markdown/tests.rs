//! Tests of the Markdown stage: events to the document model.

use super::*;
use crate::diag::{code, Severity};
use crate::doc::{plain_text, Block, HtmlNode, Inline};

fn parse(text: &str) -> (ParsedChapter, Diagnostics) {
    let mut diags = Diagnostics::default();
    let parsed = parse_chapter(FileId(0), text, &mut diags);
    (parsed, diags)
}

#[test]
fn headings_keep_attributes_and_spans() {
    let text = "# Title {#custom .unnumbered}\n\n## Section\n";
    let (parsed, _) = parse(text);
    let Block::Heading(h) = &parsed.blocks[0] else {
        panic!("expected a heading, got {:?}", parsed.blocks[0]);
    };
    assert_eq!((h.level, h.id.as_str(), h.explicit_id), (1, "custom", true));
    assert_eq!(h.attrs.classes, vec!["unnumbered"]);
    assert_eq!(plain_text(&h.content), "Title");
    let Block::Heading(h2) = &parsed.blocks[1] else {
        panic!("expected a heading");
    };
    assert_eq!(&text[h2.span.range.clone()], "## Section\n");
    assert!(!h2.explicit_id);
}

#[test]
fn smart_punctuation_and_inlines() {
    let (parsed, _) = parse("\"Quoted\" -- it's *em* **strong** ~~gone~~ `code`\n");
    let Block::Paragraph { content, .. } = &parsed.blocks[0] else {
        panic!("expected a paragraph");
    };
    assert_eq!(plain_text(content), "“Quoted” – it’s em strong gone code");
    assert!(content.iter().any(|i| matches!(i, Inline::Emph(_))));
    assert!(content.iter().any(|i| matches!(i, Inline::Strong(_))));
    assert!(content.iter().any(|i| matches!(i, Inline::Strike(_))));
    assert!(content
        .iter()
        .any(|i| matches!(i, Inline::Code(c) if c == "code")));
}

#[test]
fn lone_image_is_a_figure_with_alt_and_caption() {
    let (parsed, _) = parse("![A map of the city](images/map.png \"The city in 1975\")\n");
    let Block::Figure(figure) = &parsed.blocks[0] else {
        panic!("expected a figure, got {:?}", parsed.blocks[0]);
    };
    assert_eq!(figure.image.alt, "A map of the city");
    assert_eq!(figure.image.src, "images/map.png");
    assert_eq!(plain_text(&figure.caption), "The city in 1975");
}

#[test]
fn footnotes_are_collected_with_labels() {
    let (parsed, _) = parse("Text.[^a] More.[^b]\n\n[^a]: First note.\n[^b]: Second *note*.\n");
    assert_eq!(parsed.notes.len(), 2);
    assert_eq!(parsed.notes[0].label, "a");
    let Block::Paragraph { content, .. } = &parsed.notes[1].blocks[0] else {
        panic!("expected a paragraph in the note");
    };
    assert_eq!(plain_text(content), "Second note.");
    let calls = match &parsed.blocks[0] {
        Block::Paragraph { content, .. } => content
            .iter()
            .filter(|i| matches!(i, Inline::NoteRef(_)))
            .count(),
        _ => 0,
    };
    assert_eq!(calls, 2);
}

#[test]
fn a_tag_of_no_html_element_is_text() {
    let (parsed, diags) =
        parse("# MaybeUninit<T>\n\nCall `f` on <String> and </T> then <span>kept</span>.\n");
    let Block::Heading(h) = &parsed.blocks[0] else {
        panic!("expected a heading");
    };
    assert_eq!(plain_text(&h.content), "MaybeUninit<T>");
    let Block::Paragraph { content, .. } = &parsed.blocks[1] else {
        panic!("expected a paragraph");
    };
    assert_eq!(
        plain_text(content),
        "Call f on <String> and </T> then kept."
    );
    assert!(diags.items().is_empty(), "{:?}", diags.items());
}

#[test]
fn an_html_figure_is_a_figure_with_its_caption_and_label() {
    let text = "<figure id=\"fig-x\">\n<img src=\"a.png\" alt=\"Alt\">\n<figcaption>Cap <em>tion</em>.</figcaption>\n</figure>\n\n<figure>\n\n![B](b.png)\n\n<figcaption>\n\nMarkdown *cap*.\n\n</figcaption>\n</figure>\n";
    let (parsed, diags) = parse(text);
    assert!(diags.items().is_empty(), "{:?}", diags.items());
    let figures: Vec<_> = parsed
        .blocks
        .iter()
        .map(|b| match b {
            Block::Figure(f) => (f.image.src.as_str(), plain_text(&f.caption), f.label()),
            other => panic!("expected figures, got {other:?}"),
        })
        .collect();
    assert_eq!(
        figures,
        [
            ("a.png", "Cap tion.".to_string(), Some("fig-x")),
            ("b.png", "Markdown cap.".to_string(), None)
        ]
    );
    // Two images in one figure element stay HTML (the second is reported).
    let (parsed, _) = parse(
        "<figure>\n<img src=\"a.png\" alt=\"A\">\n<img src=\"b.png\" alt=\"B\">\n</figure>\n",
    );
    assert!(!matches!(parsed.blocks[0], Block::Figure(_)));
}

/// The element names and paragraph texts of a container tree, flattened in order.
fn outline(blocks: &[Block]) -> Vec<String> {
    let mut out = Vec::new();
    for block in blocks {
        match block {
            Block::Container { name, blocks, .. } => {
                out.push(name.clone());
                out.extend(outline(blocks));
            }
            Block::Paragraph { content, .. } => out.push(plain_text(content)),
            other => out.push(format!("{other:?}")),
        }
    }
    out
}

#[test]
fn loose_definition_lists_hold_paragraphs() {
    let text = "Apple\n\n:   A fruit.\n\n    More about it.\n\nDate\n\n:   First.\n\n:   Second.\n";
    let (parsed, diags) = parse(text);
    assert!(diags.items().is_empty(), "{:?}", diags.items());
    assert_eq!(
        outline(&parsed.blocks),
        [
            "dl",
            "dt",
            "Apple",
            "dd",
            "A fruit.",
            "More about it.",
            "dt",
            "Date",
            "dd",
            "First.",
            "dd",
            "Second."
        ]
    );
}

#[test]
fn a_chapter_with_fenced_divs_keeps_them_and_its_tight_definitions() {
    let text = "::: {.note}\nA note.\n:::\n\nTerm\n: Its definition.\n";
    let (parsed, _) = parse(text);
    assert_eq!(
        outline(&parsed.blocks),
        [
            "div",
            "A note.",
            "dl",
            "dt",
            "Term",
            "dd",
            "Its definition."
        ]
    );
}

#[test]
fn a_blank_header_row_is_no_header() {
    let (parsed, _) = parse("|   |  |\n|---|--|\n| a | b |\n| c | d |\n");
    let Block::Table(table) = &parsed.blocks[0] else {
        panic!("expected a table, got {:?}", parsed.blocks[0]);
    };
    assert!(table.head.is_empty(), "{:?}", table.head);
    assert_eq!(table.rows.len(), 2);
    let (parsed, _) = parse("|   | B |\n|---|---|\n| a | b |\n");
    let Block::Table(table) = &parsed.blocks[0] else {
        panic!("expected a table");
    };
    assert_eq!(table.head.len(), 2, "one heading makes a header row");
}

#[test]
fn tables_lists_code_and_rules() {
    let text = "| Year | Event |\n|---:|:---|\n| 1975 | Fall |\n| 1979 | End |\n\n- [x] done\n- [ ] todo\n  1. nested\n\n```rust\nfn main() {}\n```\n\n* * *\n";
    let (parsed, _) = parse(text);
    let Block::Table(table) = &parsed.blocks[0] else {
        panic!("expected a table, got {:?}", parsed.blocks[0]);
    };
    assert_eq!(table.head.len(), 2);
    assert_eq!(table.rows.len(), 2);
    assert_eq!(table.aligns[0], crate::doc::Align::Right);
    let Block::List(list) = &parsed.blocks[1] else {
        panic!("expected a list");
    };
    assert_eq!(list.items[0].task, Some(true));
    assert_eq!(list.items[1].task, Some(false));
    assert!(list.items[1]
        .blocks
        .iter()
        .any(|b| matches!(b, Block::List(inner) if inner.start == Some(1))));
    assert!(
        matches!(&parsed.blocks[2], Block::Code { lang: Some(l), text, .. } if l == "rust" && text == "fn main() {}\n")
    );
    assert!(matches!(parsed.blocks[3], Block::Rule { .. }));
}

#[test]
fn front_matter_is_read() {
    let (parsed, diags) =
        parse("---\ntype: preface\nunnumbered: true\n---\n\n# Preface\n\nText.\n");
    assert!(!diags.has_errors(), "{:?}", diags.items());
    assert_eq!(parsed.front.epub_type.as_deref(), Some("preface"));
    assert!(parsed.front.unnumbered);
    assert!(matches!(parsed.blocks[0], Block::Heading(_)));
}

#[test]
fn inline_html_spans_are_kept_and_scripts_dropped() {
    let (parsed, diags) =
        parse("Say <span lang=\"km\" onclick=\"x\">ខ្មែរ</span> <script>alert(1)</script>now.\n");
    let Block::Paragraph { content, .. } = &parsed.blocks[0] else {
        panic!("expected a paragraph");
    };
    let span = content.iter().find_map(|i| match i {
        Inline::Html(html) => Some((&html.name, &html.attrs, &html.children)),
        _ => None,
    });
    let (name, attrs, children) = span.expect("a span element");
    assert_eq!(name, "span");
    assert_eq!(attrs, &vec![("lang".to_string(), "km".to_string())]);
    assert_eq!(plain_text(children), "ខ្មែរ");
    assert_eq!(plain_text(content), "Say ខ្មែរ now.");
    assert_eq!(diags.count(Severity::Warning), 2);
}

#[test]
fn block_html_is_sanitised_with_a_located_warning() {
    let text = "Intro.\n\n<div class=\"box\"><p>Kept</p><iframe src=\"x\"></iframe></div>\n";
    let (parsed, diags) = parse(text);
    assert!(matches!(&parsed.blocks[1], Block::Html { nodes, .. } if nodes.len() == 1));
    let warning = &diags.items()[0];
    assert_eq!(warning.code, code::HTML_DROPPED);
    assert_eq!(warning.span.as_ref().map(|s| s.range.start), Some(8));
}

#[test]
fn references_markers() {
    let (parsed, _) = parse("Text.\n\n::: {#refs}\n:::\n\nAfter.\n");
    assert!(matches!(parsed.blocks[1], Block::ReferencesMarker { .. }));
    assert_eq!(parsed.blocks.len(), 3);
    let (parsed, _) = parse("Text.\n\n<!-- references -->\n");
    assert!(matches!(parsed.blocks[1], Block::ReferencesMarker { .. }));
}

#[test]
fn deep_nesting_is_flattened_with_one_diagnostic() {
    let depth = 10_000;
    let text = format!("{} deep\n", ">".repeat(depth));
    let (parsed, diags) = parse(&text);
    assert_eq!(diags.count(Severity::Error), 1);
    assert_eq!(diags.items()[0].code, code::NESTING);
    let mut text_found = false;
    let mut blocks = parsed.blocks;
    crate::doc::walk::inlines_mut(&mut blocks, &mut |i| {
        if matches!(i, Inline::Text { text, .. } if text == "deep") {
            text_found = true;
        }
    });
    assert!(text_found, "the text inside the nesting is kept");
}

#[test]
fn deep_lists_do_not_overflow() {
    let text: String = (0..5_000)
        .map(|i| format!("{}- item\n", "  ".repeat(i)))
        .collect();
    let (_, diags) = parse(&text);
    assert!(diags.count(Severity::Error) <= 1);
}

#[test]
fn citations_are_found_in_text_but_not_in_code_or_escaped() {
    let text = "As @kiernan1996 shows [see @chandler1999, p. 4; @short2005]. Mail a@b.org, `@code`, \\@escaped.\n";
    let (parsed, _) = parse(text);
    let Block::Paragraph { content, .. } = &parsed.blocks[0] else {
        panic!("expected a paragraph");
    };
    let cites: Vec<&crate::doc::Citation> = content
        .iter()
        .filter_map(|i| match i {
            Inline::Cite(c) => Some(&**c),
            _ => None,
        })
        .collect();
    assert_eq!(cites.len(), 2, "{content:?}");
    assert_eq!(cites[0].mode, crate::doc::CiteMode::Narrative);
    assert_eq!(&text[cites[0].items[0].span.range.clone()], "@kiernan1996");
    let keys: Vec<&str> = cites[1].items.iter().map(|i| i.key.as_str()).collect();
    assert_eq!(keys, vec!["chandler1999", "short2005"]);
    assert_eq!(cites[1].items[0].prefix, "see");
    assert!(plain_text(content).contains("@escaped"));
}

/// The words of a parsed chapter, in order (footnotes after the text).
fn words_of(parsed: &ParsedChapter) -> Vec<String> {
    let mut text = crate::doc::blocks_plain_text(&parsed.blocks);
    for note in &parsed.notes {
        text.push_str(&crate::doc::blocks_plain_text(&note.blocks));
    }
    text.split_whitespace().map(str::to_string).collect()
}

fn assert_words_kept(parsed: &ParsedChapter, words: &[&str]) {
    let found = words_of(parsed);
    for word in words {
        assert!(
            found.iter().any(|w| w == word),
            "`{word}` is lost; the chapter reads {found:?}"
        );
    }
}

const OPAQUE_TAGS: &[&str] = &[
    "title",
    "script",
    "style",
    "textarea",
    "iframe",
    "noscript",
    "template",
    "select",
    "xmp",
    "plaintext",
];

#[test]
fn a_tag_name_in_running_text_keeps_the_rest_of_the_chapter() {
    for tag in OPAQUE_TAGS {
        let text = format!(
            "# Start\n\nEvery page needs a <{tag}> element, and more.\n\nSecond paragraph.\n\n## Later heading\n\nFinal words.\n"
        );
        let (parsed, diags) = parse(&text);
        assert_words_kept(
            &parsed,
            &["element,", "Second", "Later", "heading", "Final", "words."],
        );
        assert!(
            diags.count(Severity::Warning) >= 1,
            "<{tag}>: a warning says what happened"
        );
    }
}

#[test]
fn a_tag_name_at_the_start_of_a_line_keeps_the_rest_of_the_chapter() {
    for tag in OPAQUE_TAGS {
        let text = format!(
            "# Start\n\n<{tag}> elements are rare.\n\nSecond paragraph.\n\n> quoted <{tag}>\n> text\n\n## Later heading\n\nFinal *words*.\n"
        );
        let (parsed, _) = parse(&text);
        assert_words_kept(
            &parsed,
            &[
                "elements", "rare.", "Second", "quoted", "text", "Later", "heading", "Final",
                "words.",
            ],
        );
    }
}

#[test]
fn an_unclosed_style_block_drops_only_its_tag() {
    let (parsed, diags) = parse("Intro.\n\n<style>\nbody {}\n\n## Later\n\nPara *emph*.\n");
    assert_words_kept(&parsed, &["Intro.", "Later", "Para", "emph."]);
    assert!(parsed
        .blocks
        .iter()
        .any(|b| matches!(b, Block::Heading(h) if plain_text(&h.content) == "Later")));
    assert_eq!(diags.items()[0].code, code::HTML_DROPPED);
    let span = diags.items()[0].span.as_ref().expect("a location");
    assert_eq!(span.range.start, 8, "the warning points at the <style> tag");
}

#[test]
fn closed_opaque_elements_still_drop_their_content() {
    let (parsed, _) =
        parse("Before <script>alert(1)</script> after.\n\n<style>p {}</style>\n\nEnd.\n");
    let words = words_of(&parsed);
    assert!(
        !words.iter().any(|w| w.contains("alert") || w.contains("p")),
        "{words:?}"
    );
    assert_words_kept(&parsed, &["Before", "after.", "End."]);
}

#[test]
fn html_wrappers_keep_their_markdown_children() {
    let text = "<div class=\"note\">\n\nInside the **div**.\n\n- item\n\n</div>\n\nAfter.\n";
    let (parsed, _) = parse(text);
    let Block::Container {
        name,
        attrs,
        blocks,
        span,
    } = &parsed.blocks[0]
    else {
        panic!("expected a container, got {:?}", parsed.blocks[0]);
    };
    assert_eq!(name, "div");
    assert_eq!(attrs, &vec![("class".to_string(), "note".to_string())]);
    assert!(matches!(blocks[0], Block::Paragraph { .. }));
    assert!(matches!(blocks[1], Block::List(_)));
    assert_eq!(
        &text[span.range.clone()],
        &text[..text.find("\n\nAfter").unwrap_or(0) + 1]
    );
    assert!(matches!(&parsed.blocks[1], Block::Paragraph { .. }));
}

#[test]
fn every_allowed_wrapper_keeps_its_markdown() {
    for tag in [
        "div", "section", "aside", "details", "span", "del", "ins", "sup", "sub", "kbd", "mark",
        "abbr", "small", "cite", "q", "dfn", "var", "samp",
    ] {
        let text = format!("<{tag}>\n\nWrapped *words* here.\n\n</{tag}>\n\nAfter.\n");
        let (parsed, diags) = parse(&text);
        assert_words_kept(&parsed, &["Wrapped", "words", "here.", "After."]);
        assert_eq!(
            diags.count(Severity::Warning),
            0,
            "<{tag}>: {:?}",
            diags.items()
        );
        let wrapped = format!("{:?}", parsed.blocks[0]);
        assert!(
            wrapped.contains(&format!("\"{tag}\"")),
            "<{tag}> is kept: {wrapped}"
        );
    }
}

#[test]
fn details_keep_their_summary_first() {
    let (parsed, _) =
        parse("<details>\n<summary>Click</summary>\n\nHidden **text**.\n\n</details>\n");
    let Block::Container { name, blocks, .. } = &parsed.blocks[0] else {
        panic!("expected a container, got {:?}", parsed.blocks);
    };
    assert_eq!(name, "details");
    assert!(
        matches!(&blocks[0], Block::Html { nodes, .. } if matches!(&nodes[0], HtmlNode::Element { name, .. } if name == "summary"))
    );
    assert_words_kept(&parsed, &["Click", "Hidden", "text."]);
}

#[test]
fn html_tables_split_by_blank_lines_stay_one_table() {
    let text = "<table>\n<tr><td>a</td></tr>\n\n<tr><td>b</td></tr>\n</table>\n\nAfter.\n";
    let (parsed, _) = parse(text);
    let Block::Container { name, blocks, .. } = &parsed.blocks[0] else {
        panic!("expected a table container, got {:?}", parsed.blocks);
    };
    assert_eq!(name, "table");
    assert_eq!(blocks.len(), 2, "{blocks:?}");
    assert_words_kept(&parsed, &["a", "b", "After."]);
    assert_eq!(parsed.blocks.len(), 2);
}

#[test]
fn html_table_cells_hold_markdown() {
    let text = "<table>\n<tr><td>\n\n*emph cell*\n\n</td></tr>\n</table>\n";
    let (parsed, _) = parse(text);
    let Block::Container { name, blocks, .. } = &parsed.blocks[0] else {
        panic!("expected a table, got {:?}", parsed.blocks);
    };
    assert_eq!(name, "table");
    let Block::Container { name, blocks, .. } = &blocks[0] else {
        panic!("expected a row, got {blocks:?}");
    };
    assert_eq!(name, "tr");
    let Block::Container { name, blocks, .. } = &blocks[0] else {
        panic!("expected a cell, got {blocks:?}");
    };
    assert_eq!(name, "td");
    assert!(matches!(&blocks[0], Block::Paragraph { .. }));
}

#[test]
fn wrappers_left_open_close_with_their_markdown_container() {
    let (parsed, _) = parse("> <div>\n>\n> quoted\n\nAfter.\n\n</div>\n");
    let Block::Quote { blocks, .. } = &parsed.blocks[0] else {
        panic!("expected a quote, got {:?}", parsed.blocks);
    };
    assert!(matches!(&blocks[0], Block::Container { .. }), "{blocks:?}");
    assert!(matches!(&parsed.blocks[1], Block::Paragraph { .. }));
    assert_words_kept(&parsed, &["quoted", "After."]);
}

#[test]
fn front_matter_only_at_the_very_top() {
    let text = "# Title\n\nIntro.\n\n---\ntitle: not front matter\n---\n\nEnd.\n";
    let (parsed, diags) = parse(text);
    assert!(!diags.has_errors(), "{:?}", diags.items());
    assert_eq!(parsed.front.title, None);
    assert!(parsed
        .blocks
        .iter()
        .any(|b| matches!(b, Block::Rule { .. })));
    assert_words_kept(&parsed, &["title:", "not", "front", "matter", "End."]);
    let heading = parsed.blocks.iter().find_map(|b| match b {
        Block::Heading(h) if h.level == 2 => Some(h),
        _ => None,
    });
    let heading = heading.expect("the setext heading CommonMark reads");
    assert_eq!(
        &text[heading.span.range.clone()].trim_end(),
        &"title: not front matter\n---"
    );
    let (parsed, _) = parse("---\ntitle: Yes\n---\n\nText.\n");
    assert_eq!(parsed.front.title.as_deref(), Some("Yes"));
}

#[test]
fn an_unclosed_inline_element_in_a_list_item_keeps_the_items_after_it() {
    let text = "- one <span id=\"a\"> open\n- two\n- three\n\nAfter the list.\n";
    let (parsed, _) = parse(text);
    let Block::List(list) = &parsed.blocks[0] else {
        panic!("expected a list, got {:?}", parsed.blocks);
    };
    assert_eq!(list.items.len(), 3, "{list:?}");
    assert_words_kept(&parsed, &["one", "open", "two", "three", "After", "list."]);
}

/// A paragraph of code spans between spaces keeps each span and space as written; text
/// runs that need merging, citations, breaks and undefined note calls still go the long way.
#[test]
fn settled_text_runs_are_kept_and_the_rest_merged() {
    let (parsed, diags) = parse("`a` `b` and *c* [^none] @key\nnext `d`\n");
    let Block::Paragraph { content, .. } = &parsed.blocks[0] else {
        panic!("expected a paragraph");
    };
    let kinds: Vec<String> = content
        .iter()
        .map(|i| match i {
            Inline::Code(c) => format!("code {c}"),
            Inline::Text { text, .. } => format!("text {text:?}"),
            Inline::Emph(_) => "emph".to_string(),
            Inline::Cite(_) => "cite".to_string(),
            Inline::SoftBreak => "break".to_string(),
            other => format!("{other:?}"),
        })
        .collect();
    assert_eq!(
        kinds,
        [
            "code a",
            "text \" \"",
            "code b",
            "text \" and \"",
            "emph",
            "text \" [^none] \"",
            "cite",
            "break",
            "text \"next \"",
            "code d"
        ]
    );
    assert!(diags.has_errors(), "the undefined note is reported");
}

/// The references marker is found however its text is split, and a long paragraph is not
/// mistaken for one.
#[test]
fn the_references_marker_is_recognised_without_copying_long_paragraphs() {
    let (parsed, _) = parse("::: *{#refs}*\n\n:::\n");
    assert!(matches!(parsed.blocks[0], Block::ReferencesMarker { .. }));
    let long = format!("::: {{#refs}} {}\n", "word ".repeat(1000));
    let (parsed, _) = parse(&long);
    assert!(matches!(parsed.blocks[0], Block::Paragraph { .. }));
}

#[test]
fn a_raw_image_leaves_its_alternative_text_and_empty_links_go() {
    let text = "A <a href=\"https://example.org/\"><img alt=\"Licence badge\" src=\"https://x/y.png\"/></a> here.\n\n\
                <a href=\"https://example.org/\"><img src=\"https://x/b.png\"></a>\n\n\
                An <a id=\"target\"></a>anchor stays.\n";
    let (parsed, diags) = parse(text);
    assert_words_kept(&parsed, &["Licence", "badge", "here.", "anchor", "stays."]);
    let Block::Paragraph { content, .. } = &parsed.blocks[0] else {
        panic!("expected a paragraph, got {:?}", parsed.blocks);
    };
    let link = content.iter().find_map(|i| match i {
        Inline::Html(html) if html.name == "a" => Some(plain_text(&html.children)),
        _ => None,
    });
    assert_eq!(
        link.as_deref(),
        Some("Licence badge"),
        "the alt text names the link"
    );
    let links = format!("{:?}", parsed.blocks)
        .matches("name: \"a\"")
        .count();
    assert_eq!(
        links, 2,
        "the named link and the anchor, not the empty link"
    );
    assert!(
        format!("{:?}", parsed.blocks).contains("\"target\""),
        "an <a id> is a link target"
    );
    assert!(diags
        .items()
        .iter()
        .any(|d| d.message.contains("alternative text is kept")));
}

#[test]
fn a_raw_image_of_a_book_file_is_an_image() {
    let text = "<img src=\"shot.png\" width=\"300\" style=\"border: 1px\" alt=\"A screenshot\">\n\n\
                Click <img src=\"gear.png\" alt=\"gear\"> now, or <img src=\"https://x/y.png\" alt=\"remote\">.\n";
    let (parsed, diags) = parse(text);
    let Block::Figure(figure) = &parsed.blocks[0] else {
        panic!("expected a figure, got {:?}", parsed.blocks);
    };
    assert_eq!(figure.image.src, "shot.png");
    assert_eq!(figure.image.alt, "A screenshot");
    assert_eq!(figure.image.attrs.get("width"), Some("300"));
    assert!(figure.caption.is_empty());
    let Block::Paragraph { content, .. } = &parsed.blocks[1] else {
        panic!("expected a paragraph, got {:?}", parsed.blocks);
    };
    let images: Vec<&str> = content
        .iter()
        .filter_map(|i| match i {
            Inline::Image(image) => Some(image.src.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(images, ["gear.png"]);
    assert_words_kept(&parsed, &["Click", "now,", "remote."]);
    assert_eq!(diags.items().len(), 1, "only the remote image is dropped");
}

#[test]
fn dollars_that_hold_no_formula_are_a_warning_and_prices_are_not() {
    let mut diags = Diagnostics::default();
    let text = "# One\n\n$$ \\begin{align} a \\label{ \\\\ b \\end{align} $$\n\n\
                A $x{$ and $$ y { $$ and $\\alpha{$.\n\nIt costs $5 and $6, or $ 7, and \\$\\alpha.\n";
    let _ = parse_chapter(FileId(0), text, &mut diags);
    let found: Vec<(&str, &str)> = diags
        .items()
        .iter()
        .map(|d| {
            let range = d.span.as_ref().expect("located").range.clone();
            (d.code, &text[range])
        })
        .collect();
    assert_eq!(found, [("W0293", "$$ "), ("W0293", "$")], "{text}");
}
