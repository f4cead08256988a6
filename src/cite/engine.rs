//! The corrections octavo makes to hayagriva's CSL engine (the vendored copy in
//! `vendor/hayagriva`, each change listed in `vendor/hayagriva/OCTAVO-PATCHES.md`), each
//! checked on a small book against what citeproc and the CSL specification print.

use hayagriva::lang::{Case, TitleCase};

use super::test_book::{book, cite_notes, cites, entries, options, run_with};

/// Works whose only names are an editor or a translator.
const EDITED: &str = r#"
@book{abelard1989,
  editor = {Abelard, Peter},
  title = {Collected Letters},
  publisher = {Routledge},
  date = {1989},
}

@book{beowulf1999,
  title = {Beowulf},
  translator = {Heaney, Seamus},
  publisher = {Norton},
  date = {1999},
}
"#;

/// The citations of `paragraphs` and the reference list, against `bib`, in `style`.
fn render(paragraphs: &[&str], bib: &str, style: &str) -> (Vec<String>, Vec<String>) {
    let outcome = run_with(
        book(paragraphs, &[], Some(("references.bib", bib))),
        &options(style),
    );
    let rendered = if style.ends_with("-notes") {
        cite_notes(&outcome)
    } else {
        cites(&outcome)
    };
    (rendered, entries(&outcome))
}

/// The Chicago styles substitute the editor or translator for a missing author from inside a
/// `cs:choose`: the names keep the form of the author's (family name in citations, inverted
/// with the role in the list), and a narrative citation still names them, or the title that
/// stands for them.
#[test]
fn a_substituted_editor_or_translator_is_named_as_the_author_would_be() {
    let paragraphs = [
        "[@abelard1989]",
        "[@beowulf1999, 12]",
        "@abelard1989 argues",
        "@beowulf1999 shows",
    ];
    let (citations, list) = render(&paragraphs, EDITED, "chicago-author-date");
    assert_eq!(
        citations,
        [
            "(Abelard 1989)",
            "(Heaney 1999, 12)",
            "Abelard (1989)",
            "Heaney (1999)"
        ]
    );
    assert_eq!(
        list,
        [
            "Abelard, Peter, ed. 1989. Collected Letters. Routledge.",
            "Heaney, Seamus, trans. 1999. Beowulf. Norton.",
        ]
    );
    let (notes, _) = render(&["[@beowulf1999]"], EDITED, "chicago-notes");
    assert_eq!(notes, ["Seamus Heaney, trans., Beowulf (Norton, 1999)."]);
    // APA substitutes the title for a translator: a narrative citation names the title.
    let (citations, _) = render(&["@beowulf1999 shows"], EDITED, "apa");
    assert_eq!(citations, ["Beowulf (1999)"]);
}

/// Works by one author, by two, and two undated works by one body.
const GROUPED: &str = r#"
@book{doe2005,
  author = {Doe, Jane},
  title = {A History of Printing},
  publisher = {Oxford University Press},
  date = {2005},
}

@book{doe2006,
  author = {Doe, Jane},
  title = {Paper and Ink},
  publisher = {Penguin},
  date = {2006},
}

@book{doeroe2007,
  author = {Doe, Jane and Roe, Richard},
  title = {The Printed Page},
  publisher = {MIT Press},
  date = {2007},
}

@book{smith2010,
  author = {Smith, Adam},
  title = {Ink},
  publisher = {Penguin},
  date = {2010},
}

@report{unesco-a,
  author = {{UNESCO}},
  title = {Literacy in the World},
  institution = {UNESCO},
}

@report{unesco-b,
  author = {{UNESCO}},
  title = {Libraries for All},
  institution = {UNESCO},
}
"#;

/// The cites of one author are grouped and collapsed as citeproc does: the years joined
/// with the cite-group delimiter (", ", the CSL default when a style collapses), or with the
/// layout delimiter when one of them has a locator; an item moved next to its author's
/// first cite keeps its own author's group; an item with its own prefix is not moved; an
/// undated work keeps its "n.d.".
#[test]
fn cites_of_one_author_are_grouped_and_collapsed_as_citeproc_does() {
    let paragraphs = [
        "[@doe2005; @doe2006; @doeroe2007]",
        "[see @doe2005, chap. 3; @doeroe2007; @doe2006]",
        "[@doe2005, 12; also @doe2006]",
        "[@doe2005; @smith2010; @doeroe2007]",
        "[@unesco-a; @unesco-b]",
    ];
    let (citations, _) = render(&paragraphs, GROUPED, "chicago-author-date");
    assert_eq!(
        citations,
        [
            "(Doe 2005, 2006; Doe and Roe 2007)",
            "(see Doe 2005, chap. 3; 2006; Doe and Roe 2007)",
            "(Doe 2005, 12; also Doe 2006)",
            "(Doe 2005; Smith 2010; Doe and Roe 2007)",
            "(UNESCO, n.d.-b, n.d.-a)",
        ]
    );
    let (citations, _) = render(&paragraphs[..1], GROUPED, "apa");
    assert_eq!(citations, ["(Doe, 2005, 2006; Doe & Roe, 2007)"]);
}

/// Titles holding a quotation: an article's (quoted by the style) and a book's (italic).
const QUOTING: &str = r#"
@article{wright2015,
  author = {Wright, Ellen},
  title = {Reading \mkbibquote{Ulysses} Again},
  journaltitle = {Modernism Quarterly},
  volume = {22},
  pages = {5--19},
  date = {2015},
}

@book{wright2016,
  author = {Wright, Ellen},
  title = {After \mkbibquote{Ulysses}},
  publisher = {Penguin},
  date = {2016},
}
"#;

/// Quotation marks inside a title the style quotes become inner quotation marks, as
/// citeproc prints them; a title the style does not quote keeps its own.
#[test]
fn quotation_marks_inside_a_quoted_title_become_inner_ones() {
    let (_, list) = render(
        &["[@wright2015; @wright2016]"],
        QUOTING,
        "chicago-author-date",
    );
    assert_eq!(
        list[0],
        "Wright, Ellen. 2015. “Reading ‘Ulysses’ Again.” Modernism Quarterly 22: 5–19."
    );
    assert!(list[1].starts_with("Wright, Ellen. 2016. After “Ulysses”"));
}

/// A Russian title, title-cased as if it were English (its language is not given).
const RUSSIAN: &str = r#"
@book{tolstoy1869,
  author = {Толстой, Лев},
  title = {Война и мир},
  publisher = {Русский вестник},
  date = {1869},
}
"#;

/// Title case leaves a word of one lowercase letter as it is, as citeproc does: "и"
/// ("and") stays lowercase, the other words are capitalised.
#[test]
fn title_case_leaves_a_one_letter_word_lowercase() {
    let (_, list) = render(&["[@tolstoy1869]"], RUSSIAN, "chicago-author-date");
    assert_eq!(list, ["Толстой, Лев. 1869. Война и Мир. Русский вестник."]);
    let title_case: Case = TitleCase::new().into();
    assert_eq!(title_case.transform("и мир"), "И Мир");
    assert_eq!(title_case.transform("x-ray and I"), "X-Ray and I");
}

/// Given names joined by a hyphen, the second part capitalised or not.
const HYPHENATED: &str = r#"
@book{lee2015,
  author = {Lee, Min-jun},
  title = {Type Design},
  publisher = {Penguin},
  date = {2015},
}

@book{godard1960,
  author = {Godard, Jean-Luc},
  title = {Breathless},
  publisher = {Penguin},
  date = {1960},
}
"#;

/// A part of a given name joined by a hyphen and written in lowercase gives no initial, as
/// citeproc prints it ("Min-jun" → "M."); a capitalised one does ("Jean-Luc" → "J.-L.").
#[test]
fn a_lowercase_part_after_a_hyphen_gives_no_initial() {
    let (_, list) = render(&["[@lee2015; @godard1960]"], HYPHENATED, "apa");
    assert_eq!(
        list,
        [
            "Godard, J.-L. (1960). Breathless. Penguin.",
            "Lee, M. (2015). Type design. Penguin.",
        ]
    );
}

/// An edited volume, as BibLaTeX writes it.
const COLLECTION: &str = r#"
@collection{abelard1989,
  editor = {Abelard, Peter},
  title = {Collected Letters},
  publisher = {Routledge},
  location = {New York},
  date = {1989},
}
"#;

/// A BibLaTeX @collection is an edited book, not the archival collection of CSL's
/// `collection` type: no "[Archival collection]" in APA, and its publisher and date printed
/// as a book's.
#[test]
fn an_edited_collection_is_printed_as_a_book() {
    let (_, list) = render(&["[@abelard1989]"], COLLECTION, "apa");
    assert_eq!(
        list,
        ["Abelard, P. (Ed.). (1989). Collected letters. Routledge."]
    );
    let (_, list) = render(&["[@abelard1989]"], COLLECTION, "ieee");
    assert_eq!(
        list,
        ["[1] P. Abelard, Ed., Collected letters. New York: Routledge, 1989."]
    );
}

/// A locator of pages is a page range like the `page` variable: the style's
/// `page-range-format` shortens it (MLA's minimal-two, Chicago's chicago-16).
#[test]
fn a_page_range_locator_follows_the_page_range_format() {
    let (citations, _) = render(
        &["[@doeroe2007, 100-110]"],
        GROUPED,
        "modern-language-association",
    );
    assert_eq!(citations, ["(Doe and Roe 100–10)"]);
    let (citations, _) = render(&["[@doe2005, 321-328]"], GROUPED, "chicago-author-date");
    assert_eq!(citations, ["(Doe 2005, 321–28)"]);
}

/// A work whose editor is also its translator.
const EDITED_AND_TRANSLATED: &str = r#"
@book{homer1996,
  author = {Homer},
  title = {The Odyssey},
  editor = {Fagles, Robert},
  translator = {Fagles, Robert},
  publisher = {Viking},
  date = {1996},
}
"#;

/// An editor who is also the translator is named once, with the joint role: the Chicago
/// styles print the editor-translator and then the editor and translator, which citeproc
/// leaves out once the editor-translator is printed.
#[test]
fn an_editor_who_is_also_the_translator_is_named_once() {
    let (_, list) = render(
        &["[@homer1996]"],
        EDITED_AND_TRANSLATED,
        "chicago-author-date",
    );
    assert_eq!(
        list,
        ["Homer. 1996. The Odyssey. Edited and translated by Robert Fagles. Viking."]
    );
}

/// A style that sorts the cites of a citation (APA) sorts them only within the runs that no
/// prefix or suffix of their own breaks, as citeproc does, so that "also" stays before the
/// work it introduces.
#[test]
fn cites_are_sorted_only_between_their_own_prefixes() {
    let paragraphs = [
        "[@smith2010; @doe2005; also @doe2006]",
        "[@doeroe2007; @doe2006; see @doe2005]",
        "[@doe2006; @smith2010; @doe2005, 12]",
    ];
    let (citations, _) = render(&paragraphs, GROUPED, "apa");
    assert_eq!(
        citations,
        [
            "(Doe, 2005; Smith, 2010; also Doe, 2006)",
            "(Doe, 2006; Doe & Roe, 2007; see Doe, 2005)",
            "(Doe, 2005, p. 12; 2006; Smith, 2010)",
        ]
    );
}

/// A date whose parts are all absent from the entry's date prints nothing and takes no
/// delimiter: APA's month and day of a web page or a document dated by its year.
#[test]
fn a_date_of_absent_parts_writes_no_delimiter() {
    let bib = r#"
@online{web2019,
  author = {Web, Wanda},
  title = {A Page},
  url = {https://example.org/page},
  date = {2019},
}

@misc{data2021,
  author = {Data, Dan},
  title = {A Dataset},
  howpublished = {Zenodo},
  date = {2021},
}

@online{dated2020,
  author = {Day, Dora},
  title = {A Dated Page},
  url = {https://example.org/dated},
  date = {2020-03-04},
}
"#;
    let (_, list) = render(&["[@web2019; @data2021; @dated2020]"], bib, "apa");
    assert_eq!(
        list,
        [
            "Data, D. (2021). A dataset. Zenodo.",
            "Day, D. (2020, March 4). A dated page. https://example.org/dated",
            "Web, W. (2019). A page. https://example.org/page",
        ]
    );
}
