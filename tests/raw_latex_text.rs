//! LaTeX commands in running text (issue 17, item 3): text commands keep their text in its
//! style, symbols print their character, layout commands are left out with one warning per
//! command and chapter, and commands Markdown writes its own way are printed as written with
//! a warning; a backslash before any other word is the author's text.

mod common;

const CHAPTER: &str = "# One\n\nBefore \\noindent the rest, \\vspace{2em} more: \\textbf{bold}, \\emph{slanted}, \\texttt{mono} and \\LaTeX{} here.\n\nAgain \\noindent and C:\\Users\\Ada stays \\S 4.\n\nSee \\cite{knuth} there.\n";

#[test]
fn latex_commands_in_the_text_are_read_not_printed() {
    let (_tmp, dir) = common::book(&[
        ("book.toml", "title = \"Raw\"\nlanguage = \"en\"\n"),
        ("chapters/01.md", CHAPTER),
    ]);
    let (epub, diags, sources) = common::build_epub(&dir);
    common::keep_for_epubcheck("raw-latex-text", &epub);
    let body = common::xhtml_body(&epub, "EPUB/text/01.xhtml");
    assert!(
        body.contains("<p>Before the rest, more: <strong>bold</strong>, <em>slanted</em>, <code>mono</code> and LaTeX here.</p>"),
        "{body}"
    );
    assert!(
        body.contains("<p>Again and C:\\Users\\Ada stays \u{a7} 4.</p>"),
        "{body}"
    );
    assert!(body.contains("See \\cite{knuth} there."), "{body}");
    let warnings: Vec<String> = diags
        .items()
        .iter()
        .map(|d| {
            format!(
                "{} {} {}",
                d.code,
                sources.location(d.span.as_ref().expect("located")),
                d.message
            )
        })
        .collect();
    assert_eq!(warnings.len(), 3, "{warnings:#?}");
    assert!(
        warnings[0].contains("chapters/01.md:7:5") && warnings[0].contains("`\\cite`"),
        "{warnings:#?}"
    );
    assert!(
        warnings[1].contains("chapters/01.md:3:8")
            && warnings[1].contains("`\\noindent`) is left out (2 times"),
        "{warnings:#?}"
    );
    assert!(
        warnings[2].contains("chapters/01.md:3:28") && warnings[2].contains("`\\vspace`"),
        "{warnings:#?}"
    );
}

#[test]
fn the_pdf_prints_the_text_of_the_commands_and_nothing_of_the_layout() {
    let (_tmp, dir) = common::book(&[
        ("book.toml", "title = \"Raw\"\nlanguage = \"en\"\n"),
        ("chapters/01.md", CHAPTER),
    ]);
    let compiled = octavo::compile(&dir, &octavo::ResolveOptions::default());
    let output = common::print_pdf(compiled.book.as_ref().expect("a book"));
    let text: String = output
        .composition
        .pages
        .iter()
        .map(octavo::layout::page_text)
        .collect();
    let text = text.replace('\n', " ");
    assert!(
        text.contains("Before the rest, more: bold, slanted, mono and LaTeX here."),
        "{text}"
    );
    assert!(
        !text.contains("noindent") && !text.contains("vspace"),
        "{text}"
    );
}
