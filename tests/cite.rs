//! Citations as a new user writes them (issue 18): pandoc's ways of placing the reference
//! list, checked end to end through the library.

mod common;

const BIB: &str = "@book{doe2005,\n  author = {Doe, Jane},\n  title = {A History of Printing},\n  \
                   publisher = {Oxford University Press},\n  date = {2005},\n}\n";

/// `# References {#references}` at the end of the last chapter is where pandoc users put
/// the list: the list goes under that heading, with no generated chapter and no clash of ids.
#[test]
fn a_references_heading_places_the_list() {
    let (_tmp, dir) = common::book(&[
        (
            "book.toml",
            "title = \"T\"\nbibliography = \"references.bib\"\n",
        ),
        ("references.bib", BIB),
        ("chapters/01.md", "# One\n\nAs shown [@doe2005, 12].\n"),
        (
            "chapters/02.md",
            "# Two\n\nMore text.\n\n# References {#references}\n\n# After\n\nAn appendix.\n",
        ),
    ]);
    let (bytes, diags, _) = common::build_epub(&dir);
    assert!(diags.items().is_empty(), "{:?}", diags.items());
    common::keep_for_epubcheck("cite-references-heading", &bytes);
    let dump = common::dump_epub(&bytes);
    let heading = dump.find("id=\"references\"").expect("the heading");
    let entry = dump.find("Doe, Jane. 2005.").expect("the entry");
    let after = dump.find("An appendix.").expect("the next section");
    assert!(heading < entry && entry < after, "{dump}");
    assert_eq!(dump.matches("Doe, Jane. 2005.").count(), 1, "{dump}");
}

/// pandoc's citation syntax as scholars write it: a prefix and a suffix in italics or bold
/// keep their styling inside the citation, and `-@key` outside brackets prints the year in
/// parentheses, as pandoc's citeproc prints them.
#[test]
fn styled_prefixes_and_a_bare_suppressed_author_are_citations() {
    let (_tmp, dir) = common::book(&[
        (
            "book.toml",
            "title = \"T\"\nbibliography = \"references.bib\"\ncsl = \"apa\"\n",
        ),
        ("references.bib", BIB),
        (
            "chapters/01.md",
            "# One\n\nAs shown [*see* @doe2005, p. 12, **emphasis added**]. Doe -@doe2005 \
             argues.\n",
        ),
    ]);
    let (bytes, diags, _) = common::build_epub(&dir);
    assert!(diags.items().is_empty(), "{:?}", diags.items());
    common::keep_for_epubcheck("cite-styled-prefix", &bytes);
    let dump = common::dump_epub(&bytes);
    assert!(
        dump.contains("(<em>see</em> <a href=\"references.xhtml#ref-doe2005\">Doe, 2005, p. 12</a>, <strong>emphasis added</strong>)"),
        "{dump}"
    );
    assert!(
        dump.contains("Doe <span class=\"citation\">(<a href=\"references.xhtml#ref-doe2005\">2005</a>)</span> argues"),
        "{dump}"
    );
    assert!(
        !dump.contains("-@doe2005") && !dump.contains("*see*"),
        "{dump}"
    );
}
