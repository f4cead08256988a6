//! Thousands of random chapters built from Markdown's sharp edges, through every stage and the
//! EPUB writer: no input may panic. (A cheap, deterministic cousin of the cargo-fuzz target in
//! `fuzz/`, so CI exercises the same property on every run.)

mod common;

use octavo::compile;
use octavo::ResolveOptions;
use octavo::{write_epub, EpubOptions};

const PIECES: &[&str] = &[
    "# ",
    "## ",
    "###### ",
    "> ",
    "- ",
    "1. ",
    "* ",
    "  ",
    "\n",
    "\n\n",
    "text ",
    "word",
    "*",
    "**",
    "_",
    "~~",
    "`",
    "```",
    "```rust\n",
    "    ",
    "[",
    "]",
    "(",
    ")",
    "![",
    "](x.png)",
    "](#id)",
    "](other.md)",
    "[^a]",
    "[^a]: note\n",
    "[^b]",
    "@key",
    "[@key, p. 4]",
    "[-@x; @y]",
    "<span lang=\"km\">",
    "</span>",
    "<div>",
    "</div>",
    "<script>",
    "<!-- references -->",
    "::: {#refs}",
    "|",
    "| a | b |\n|---|---|\n",
    "---\n",
    "+++\n",
    "title: x\n",
    "{#id}",
    "{.unnumbered}",
    "&amp;",
    "&#0;",
    "\u{0}",
    "\u{7}",
    "ខ្មែរ",
    "é",
    "\u{200B}",
    "\u{FEFF}",
    "\\",
    "<",
    ">",
    "&",
    "\"",
    "'",
    "--",
    "...",
    "\t",
    "\r\n",
    "http://x.org",
    "- [ ] ",
    "- [x] ",
    "<br>",
    "<sup>",
    "</p>",
    "<p",
    " onclick=x>",
    "[[",
    "]]",
    "![](",
    "#",
    "^",
    "$",
    "$$",
    "\\(",
    "\\)",
    "\\[",
    "\\]",
    "x^2",
    "\\begin{gather}",
    "\\end{gather}",
    "\\begin{align}",
    "\\end{align}",
    "\\label{eq:a}",
    "\\eqref{eq:a}",
    "\\tag{1}",
    "\\notag",
    "\\\\",
    "{#eq-a}",
    "@eq-a",
    "::: {.callout-note}\n",
    ":::\n",
    "\\index{x}",
];

/// A small deterministic generator (64-bit LCG), so failures reproduce.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) as usize
    }
}

fn random_chapter(rng: &mut Lcg) -> String {
    let len = 1 + rng.next() % 120;
    (0..len)
        .map(|_| PIECES[rng.next() % PIECES.len()])
        .collect()
}

#[test]
fn random_chapters_never_panic() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let dir = tmp.path();
    std::fs::create_dir_all(dir.join("chapters")).expect("mkdir");
    std::fs::write(dir.join("book.toml"), "title = \"Random\"\n").expect("toml");
    let mut rng = Lcg(0x5eed);
    let mut kept = 0;
    for round in 0..1500 {
        let a = random_chapter(&mut rng);
        let b = random_chapter(&mut rng);
        std::fs::write(dir.join("chapters/a.md"), &a).expect("write a");
        std::fs::write(dir.join("chapters/other.md"), &b).expect("write b");
        let result = std::panic::catch_unwind(|| {
            let compiled = compile(dir, &ResolveOptions::default());
            match (compiled.diags.has_errors(), &compiled.book) {
                (false, Some(book)) => {
                    Some(write_epub(book, &EpubOptions::default()).expect("EPUB of a clean book"))
                }
                _ => None,
            }
        });
        let Ok(epub) = result else {
            panic!("round {round} panicked on:\n--- a.md\n{a:?}\n--- other.md\n{b:?}");
        };
        // A sample of the clean random books goes through EPUBCheck in `make test`.
        if let (Some(bytes), true) = (epub, kept < 12 && round % 7 == 0) {
            common::keep_for_epubcheck(&format!("random-{round}"), &bytes);
            kept += 1;
        }
    }
}
