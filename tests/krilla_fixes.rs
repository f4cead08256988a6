//! What `pdf::krilla_fixes` changes in krilla's file, checked on the sample book's PDF as
//! `octavo build` writes it. The fixes read krilla's byte layout and leave a part as krilla
//! wrote it when the layout is not the one they know (the file stays valid), so a krilla
//! upgrade that changes the layout would lose them without an error: these tests are what
//! fails then. krilla is pinned to an exact version in Cargo.toml for the same reason.

mod common;

use lopdf::{Document, Object};

use common::build_sample;

/// What to say when a fix is missing from the file.
const UPGRADE_HINT: &str = "krilla_fixes no longer applies to krilla's output (was krilla \
                            upgraded? see ARCHITECTURE.md, \"The PDF writing layer\")";

/// The numbers of a `/W` array at any depth that are not integers.
fn fractional_widths(widths: &[Object]) -> Vec<String> {
    let mut found = Vec::new();
    for width in widths {
        match width {
            Object::Integer(_) => {}
            Object::Array(inner) => found.extend(fractional_widths(inner)),
            other => found.push(format!("{other:?}")),
        }
    }
    found
}

#[test]
fn every_glyph_width_in_the_sample_is_an_integer() {
    let bytes = build_sample(&[], "1700000000");
    let doc = Document::load_mem(&bytes).expect("the PDF parses");
    let mut fonts = Vec::new();
    for object in doc.objects.values() {
        let Ok(font) = object.as_dict() else { continue };
        let subtype = font.get(b"Subtype").and_then(Object::as_name).ok();
        if !matches!(subtype, Some(b"CIDFontType0" | b"CIDFontType2")) {
            continue;
        }
        let name = font
            .get(b"BaseFont")
            .and_then(Object::as_name)
            .map(|name| String::from_utf8_lossy(name).into_owned())
            .expect("a /BaseFont");
        let widths = font
            .get(b"W")
            .and_then(Object::as_array)
            .unwrap_or_else(|_| panic!("{name} has no /W array"));
        let fractional = fractional_widths(widths);
        assert!(
            fractional.is_empty(),
            "{name} has fractional widths {fractional:?}: {UPGRADE_HINT}"
        );
        fonts.push(name);
    }
    // The text faces in their styles and the Khmer fallback.
    let has = |part: &str| fonts.iter().any(|name| name.contains(part));
    assert!(
        fonts.len() >= 4 && has("LinLibertine") && has("NotoSerifKhmer"),
        "{fonts:?}"
    );
}

#[test]
fn the_sample_opens_with_its_outline_and_title() {
    let bytes = build_sample(&[], "1700000000");
    let doc = Document::load_mem(&bytes).expect("the PDF parses");
    let catalog = doc.catalog().expect("a catalog");
    let page_mode = catalog.get(b"PageMode").and_then(Object::as_name);
    assert_eq!(
        page_mode.ok(),
        Some(b"UseOutlines".as_slice()),
        "{UPGRADE_HINT}"
    );
    let preferences = match catalog.get(b"ViewerPreferences") {
        Ok(Object::Reference(id)) => doc.get_dictionary(*id).ok(),
        Ok(Object::Dictionary(dict)) => Some(dict),
        _ => None,
    };
    let title = preferences.and_then(|p| p.get(b"DisplayDocTitle").ok());
    assert_eq!(title, Some(&Object::Boolean(true)), "{UPGRADE_HINT}");
}

/// The object `startxref` points at: its dictionary's text up to its stream.
fn cross_reference_object(bytes: &[u8]) -> String {
    let keyword = b"startxref\n";
    let at = bytes
        .windows(keyword.len())
        .rposition(|w| w == keyword)
        .expect("startxref")
        + keyword.len();
    let offset: usize = std::str::from_utf8(&bytes[at..])
        .ok()
        .and_then(|tail| tail.lines().next())
        .and_then(|line| line.parse().ok())
        .expect("an offset after startxref");
    let object = bytes.get(offset..).expect("an offset inside the file");
    let end = object
        .windows(b"stream".len())
        .position(|w| w == b"stream")
        .unwrap_or(object.len());
    String::from_utf8_lossy(&object[..end]).into_owned()
}

#[test]
fn the_sample_has_a_cross_reference_stream_and_object_streams() {
    for (extra, packed) in [(&[][..], true), (&["--readable-pdf"][..], false)] {
        let bytes = build_sample(extra, "1700000000");
        let xref = cross_reference_object(&bytes);
        assert!(
            xref.contains(" 0 obj") && xref.contains("/Type/XRef"),
            "{extra:?}: startxref points at {:?}: {UPGRADE_HINT}",
            xref.chars().take(80).collect::<String>()
        );
        assert!(
            !String::from_utf8_lossy(&bytes).contains("\ntrailer\n"),
            "{extra:?}: a cross-reference table is left: {UPGRADE_HINT}"
        );
        let object_streams = bytes
            .windows(b"/Type/ObjStm".len())
            .filter(|w| *w == b"/Type/ObjStm")
            .count();
        assert_eq!(
            object_streams > 0,
            packed,
            "{extra:?}: {object_streams} object streams: {UPGRADE_HINT}"
        );
    }
}
