//! The corrections octavo makes to hayagriva's CSL engine (the vendored copy in
//! `vendor/hayagriva`, each change listed in `vendor/hayagriva/OCTAVO-PATCHES.md`), each
//! checked on a small book against what citeproc and the CSL specification print.

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
/// with the role in the list), and a narrative citation still names them.
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
}
