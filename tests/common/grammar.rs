//! Markdown chapters generated from a grammar of block and inline constructs, for the property
//! test (`tests/every_epub_valid.rs`) and the `grammar` fuzz target: raw HTML fragments
//! (wrappers, opaque elements, tables split by blank lines), links with odd URLs, tables,
//! nested lists and quotes, footnotes, images and citations, with words between them so that
//! the no-word-lost check has something to find.
//!
//! The generator draws its choices from a [`Choices`] source: a seeded generator in the test,
//! the fuzzer's bytes in the fuzz target.

/// Where the generator's decisions come from.
pub trait Choices {
    /// A number in `0..n` (`n > 0`).
    fn below(&mut self, n: usize) -> usize;
}

/// A small deterministic generator (64-bit LCG), so a failing seed reproduces.
pub struct Lcg(pub u64);

impl Choices for Lcg {
    fn below(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((self.0 >> 33) as usize) % n.max(1)
    }
}

/// Words the generated text is made of (plain, accented, Khmer, digits).
const WORDS: &[&str] = &[
    "alpha",
    "beta",
    "gamma",
    "delta",
    "river",
    "stone",
    "école",
    "naïve",
    "ខ្មែរ",
    "1975",
    "x42",
    "Zürich",
    "quick",
    "brown",
    "fox",
    "jumps",
    "über",
    "lazy",
    "dog",
];

/// URLs authors write, including characters RFC 3986 does not allow unencoded.
const URLS: &[&str] = &[
    "https://example.org/a b",
    "https://doi.org/10.1002/(SICI)1097-4571(199806)49:8<693::AID-ASI4>3.0.CO;2-0",
    "https://example.org/q?a=1|2&b=[3]",
    "https://example.org/{x}^y\\z",
    "https://example.org/%20already",
    "mailto:someone@example.org",
    "#chapter-heading",
    "",
    "other.md",
];

/// Raw HTML fragments, opened and closed around Markdown or standing alone.
const WRAPPERS: &[&str] = &[
    "div",
    "section",
    "aside",
    "details",
    "span",
    "del",
    "ins",
    "sup",
    "sub",
    "kbd",
    "mark",
    "abbr",
    "small",
    "cite",
    "q",
    "dfn",
    "var",
    "samp",
    "blockquote",
    "table",
    "ul",
];

const OPAQUE: &[&str] = &[
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

/// A generated chapter: Markdown text.
pub fn chapter(c: &mut impl Choices) -> String {
    let mut out = String::from("# Chapter heading\n\n");
    let blocks = 1 + c.below(12);
    for _ in 0..blocks {
        block(c, &mut out, 0);
        out.push_str("\n\n");
    }
    out
}

fn word(c: &mut impl Choices) -> &'static str {
    WORDS[c.below(WORDS.len())]
}

fn words(c: &mut impl Choices, out: &mut String) {
    let n = 1 + c.below(6);
    for i in 0..n {
        if i > 0 {
            out.push(' ');
        }
        out.push_str(word(c));
    }
}

fn block(c: &mut impl Choices, out: &mut String, depth: usize) {
    let kind = if depth > 3 { 0 } else { c.below(13) };
    match kind {
        0..=2 => paragraph(c, out),
        3 => {
            out.push_str(&"#".repeat(2 + c.below(4)));
            out.push(' ');
            inlines(c, out);
        }
        4 => list(c, out, depth),
        5 => quote(c, out, depth),
        6 => code_block(c, out),
        7 => table(c, out),
        8 => wrapper_block(c, out, depth),
        9 => html_table(c, out),
        10 => opaque_block(c, out),
        11 => {
            out.push_str("Text with a note.[^n");
            out.push_str(&c.below(3).to_string());
            out.push_str("]\n\n[^n");
            out.push_str(&c.below(3).to_string());
            out.push_str("]: ");
            inlines(c, out);
        }
        _ => out.push_str("* * *"),
    }
}

fn paragraph(c: &mut impl Choices, out: &mut String) {
    let lines = 1 + c.below(3);
    for i in 0..lines {
        if i > 0 {
            out.push('\n');
        }
        inlines(c, out);
    }
}

fn inlines(c: &mut impl Choices, out: &mut String) {
    let n = 1 + c.below(6);
    for _ in 0..n {
        match c.below(14) {
            0 => {
                out.push('*');
                words(c, out);
                out.push('*');
            }
            1 => {
                out.push_str("**");
                words(c, out);
                out.push_str("**");
            }
            2 => {
                out.push_str("~~");
                words(c, out);
                out.push_str("~~");
            }
            3 => {
                out.push('`');
                words(c, out);
                out.push('`');
            }
            4 => {
                out.push('[');
                words(c, out);
                out.push_str("](<");
                out.push_str(URLS[c.below(URLS.len())]);
                out.push_str(">)");
            }
            5 => {
                let tag = WRAPPERS[c.below(10) + 4];
                out.push_str(&format!("<{tag}>"));
                words(c, out);
                out.push_str(&format!("</{tag}>"));
            }
            6 => {
                let tag = OPAQUE[c.below(OPAQUE.len())];
                out.push_str(&format!("a <{tag}> tag"));
            }
            7 => out.push_str("![a picture](images/dot.png)"),
            8 => out.push_str(&format!("<span id=\"anchor-{}\">", c.below(100_000))),
            9 => out.push_str("<https://example.org/auto> <someone@example.org>"),
            10 => out.push_str("&amp; &lt;tag&gt; \\* \\_"),
            11 => out.push_str("[![badge](images/dot.png)](https://example.org/ci)"),
            _ => words(c, out),
        }
        out.push(' ');
    }
}

fn list(c: &mut impl Choices, out: &mut String, depth: usize) {
    let ordered = c.below(2) == 0;
    let items = 1 + c.below(4);
    let indent = "   ".repeat(depth.min(3));
    for i in 0..items {
        out.push_str(&indent);
        out.push_str(if ordered { "1. " } else { "- " });
        inlines(c, out);
        out.push('\n');
        if c.below(4) == 0 {
            out.push('\n');
            let mut inner = String::new();
            block(c, &mut inner, depth + 1);
            for line in inner.lines() {
                out.push_str(&indent);
                out.push_str("   ");
                out.push_str(line);
                out.push('\n');
            }
        }
        if i + 1 < items && c.below(3) == 0 {
            out.push('\n');
        }
    }
}

fn quote(c: &mut impl Choices, out: &mut String, depth: usize) {
    let mut inner = String::new();
    block(c, &mut inner, depth + 1);
    for line in inner.lines() {
        out.push_str("> ");
        out.push_str(line);
        out.push('\n');
    }
}

fn code_block(c: &mut impl Choices, out: &mut String) {
    out.push_str("```rust\n");
    let lines = 1 + c.below(4);
    for _ in 0..lines {
        out.push_str("let ");
        out.push_str(word(c));
        out.push_str(" = \"<b>&\";\n");
    }
    out.push_str("```");
}

fn table(c: &mut impl Choices, out: &mut String) {
    let columns = 1 + c.below(5);
    let rows = 1 + c.below(4);
    for row in 0..=rows {
        out.push('|');
        for _ in 0..columns {
            out.push(' ');
            out.push_str(word(c));
            out.push_str(" |");
        }
        out.push('\n');
        if row == 0 {
            out.push('|');
            out.push_str(&"---|".repeat(columns));
            out.push('\n');
        }
    }
}

fn wrapper_block(c: &mut impl Choices, out: &mut String, depth: usize) {
    let tag = WRAPPERS[c.below(WRAPPERS.len())];
    let attrs = match c.below(3) {
        0 => " class=\"note\"".to_string(),
        1 => format!(" id=\"wrapped-{}\"", c.below(100_000)),
        _ => String::new(),
    };
    out.push_str(&format!("<{tag}{attrs}>\n\n"));
    let inner = 1 + c.below(3);
    for _ in 0..inner {
        block(c, out, depth + 1);
        out.push_str("\n\n");
    }
    if c.below(6) != 0 {
        out.push_str(&format!("</{tag}>"));
    }
}

fn html_table(c: &mut impl Choices, out: &mut String) {
    out.push_str("<table>\n<tr><th>");
    out.push_str(word(c));
    out.push_str("</th></tr>\n");
    if c.below(2) == 0 {
        out.push('\n');
    }
    out.push_str("<tr><td>\n\n");
    inlines(c, out);
    out.push_str("\n\n</td></tr>\n</table>");
}

fn opaque_block(c: &mut impl Choices, out: &mut String) {
    let tag = OPAQUE[c.below(OPAQUE.len())];
    match c.below(3) {
        0 => out.push_str(&format!("<{tag}>\nhidden {tag} text\n</{tag}>")),
        1 => out.push_str(&format!("<{tag}> is a tag name in prose")),
        _ => out.push_str(&format!("<{tag}>")),
    }
}
