//! Tests of the writer: what the old writer promised, checked on krilla's output by reading
//! it back (lopdf, which `octavo check` uses to read PDFs, and qpdf where installed).

use std::sync::Arc;

use lopdf::{Dictionary, Document as Pdf, Object, ObjectId};

use super::*;
use crate::pdf::font::{FaceChoice, Family, FontFace, Style};
use crate::pdf::labels::LabelStyle;
use crate::pdf::layout_ir::GlyphRun;
use crate::pdf::shape::{shape, ShapeOptions};

const SIZE: (f64, f64) = (400.0, 600.0);

fn fonts() -> &'static FontSet<'static> {
    static FONTS: std::sync::OnceLock<FontSet<'static>> = std::sync::OnceLock::new();
    FONTS.get_or_init(|| FontSet::builtin().expect("the bundled fonts"))
}

/// A glyph run of `text` in the regular serif at 10 pt, its baseline at (`x`, `y`).
fn text(text: &str, x: f64, y: f64) -> Item {
    let choice = FaceChoice::new(Family::Serif, Style::Regular);
    let run = shape(fonts(), text, choice, 10.0, &ShapeOptions::default());
    Item::Glyphs(GlyphRun {
        x,
        y,
        run: Arc::new(run),
    })
}

fn page(items: Vec<Item>) -> Page {
    Page {
        items,
        ..Page::default()
    }
}

struct Written {
    pages: Vec<Page>,
    anchors: BTreeMap<String, (usize, f64)>,
    parts: DocumentParts,
    readable: bool,
}

impl Written {
    fn pages(pages: Vec<Page>) -> Self {
        Written {
            pages,
            anchors: BTreeMap::new(),
            parts: DocumentParts::default(),
            readable: false,
        }
    }

    fn write(&self) -> Result<Vec<u8>, WriteError> {
        write(&WriteInput {
            pages: &self.pages,
            anchors: &self.anchors,
            images: &[],
            fonts: fonts(),
            size: SIZE,
            readable: self.readable,
            parts: &self.parts,
        })
    }

    fn read(&self) -> Pdf {
        let bytes = self.write().expect("the PDF is written");
        qpdf_check(&bytes);
        Pdf::load_mem(&bytes).expect("the PDF parses")
    }
}

/// `qpdf --check` accepts the file (when qpdf is installed).
fn qpdf_check(bytes: &[u8]) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("check.pdf");
    std::fs::write(&path, bytes).unwrap();
    let Ok(out) = std::process::Command::new("qpdf")
        .arg("--check")
        .arg(&path)
        .output()
    else {
        return;
    };
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && !report.contains("WARNING"),
        "{report}"
    );
}

fn catalog(doc: &Pdf) -> &Dictionary {
    doc.catalog().expect("a catalog")
}

fn dict<'d>(doc: &'d Pdf, object: &'d Object) -> &'d Dictionary {
    match object {
        Object::Reference(id) => doc.get_dictionary(*id).expect("a dictionary"),
        Object::Dictionary(dict) => dict,
        other => panic!("not a dictionary: {other:?}"),
    }
}

fn array<'d>(doc: &'d Pdf, object: &'d Object) -> &'d Vec<Object> {
    match object {
        Object::Reference(id) => doc.get_object(*id).and_then(Object::as_array).unwrap(),
        Object::Array(items) => items,
        other => panic!("not an array: {other:?}"),
    }
}

fn number(object: &Object) -> f64 {
    match object {
        Object::Integer(i) => *i as f64,
        Object::Real(r) => f64::from(*r),
        other => panic!("not a number: {other:?}"),
    }
}

fn text_of(object: &Object) -> String {
    let Object::String(bytes, _) = object else {
        panic!("not a string: {object:?}");
    };
    lopdf::decode_text_string(object).unwrap_or_else(|_| String::from_utf8_lossy(bytes).into())
}

/// The page's content stream, decompressed.
fn content(doc: &Pdf, page: ObjectId) -> String {
    String::from_utf8_lossy(&doc.get_page_content(page)).into_owned()
}

fn page_ids(doc: &Pdf) -> Vec<ObjectId> {
    doc.page_iter().collect()
}

fn link(target: LinkDest) -> Item {
    Item::Link(Box::new(LinkItem {
        x: 10.0,
        y: 20.0,
        width: 30.0,
        height: 12.0,
        target,
    }))
}

#[test]
fn links_become_borderless_annotations_pointing_at_anchors() {
    let first = page(vec![
        link(LinkDest::Anchor("there".into())),
        link(LinkDest::Uri("https://example.org/(a)".into())),
        link(LinkDest::Anchor("nowhere".into())),
    ]);
    let second = page(vec![Item::Rule(Box::new(RuleItem {
        x: 0.0,
        y: 50.0,
        width: 100.0,
        thickness: 0.5,
    }))]);
    let mut written = Written::pages(vec![first, second]);
    written.anchors = BTreeMap::from([("there".to_string(), (1, 100.0))]);
    written.readable = true;
    let doc = written.read();
    let pages = page_ids(&doc);
    let first = doc.get_dictionary(pages[0]).unwrap();
    let annots = array(&doc, first.get(b"Annots").unwrap());
    assert_eq!(annots.len(), 2, "the unknown anchor is dropped");
    let internal = dict(&doc, &annots[0]);
    let rect: Vec<f64> = array(&doc, internal.get(b"Rect").unwrap())
        .iter()
        .map(number)
        .collect();
    assert_eq!(rect, [10.0, 568.0, 40.0, 580.0]);
    let dest = array(&doc, internal.get(b"Dest").unwrap());
    assert_eq!(dest[0], Object::Reference(pages[1]));
    assert_eq!(dest[1].as_name().unwrap(), b"XYZ");
    assert_eq!(number(&dest[3]), 502.0, "2 pt above the anchor");
    let border = array(&doc, internal.get(b"Border").unwrap());
    assert!(border.iter().all(|b| number(b) == 0.0));
    let uri = dict(&doc, &annots[1]);
    let action = dict(&doc, uri.get(b"A").unwrap());
    assert_eq!(action.get(b"S").unwrap().as_name().unwrap(), b"URI");
    assert_eq!(
        text_of(action.get(b"URI").unwrap()),
        "https://example.org/(a)"
    );
    let second = doc.get_dictionary(pages[1]).unwrap();
    assert!(!second.has(b"Annots"));
    let ops = content(&doc, pages[1]);
    assert!(
        ops.contains("0.5 w") && ops.contains("0 50 m") && ops.contains("100 50 l"),
        "{ops}"
    );
}

#[test]
fn a_long_address_over_many_lines_is_written_once_per_page() {
    let uri: Arc<str> = Arc::from(format!("https://example.org/{}", "a".repeat(10_000)));
    let items = (0..50)
        .map(|line| {
            Item::Link(Box::new(LinkItem {
                x: 10.0,
                y: 20.0 + 12.0 * f64::from(line),
                width: 300.0,
                height: 12.0,
                target: LinkDest::Uri(Arc::clone(&uri)),
            }))
        })
        .collect();
    let mut written = Written::pages(vec![page(items)]);
    written.readable = true;
    let bytes = written.write().unwrap();
    let needle = uri.as_bytes();
    let count = bytes.windows(needle.len()).filter(|w| *w == needle).count();
    assert_eq!(count, 1, "the address is written {count} times");
    let doc = Pdf::load_mem(&bytes).unwrap();
    let first = doc.get_dictionary(page_ids(&doc)[0]).unwrap();
    let annots = array(&doc, first.get(b"Annots").unwrap());
    let annot = dict(&doc, &annots[0]);
    assert_eq!(array(&doc, annot.get(b"QuadPoints").unwrap()).len(), 50 * 8);
}

#[test]
fn runs_in_one_face_share_one_text_object_with_a_line_each() {
    let first = text("AVA", 10.0, 100.0);
    let Item::Glyphs(run) = &first else {
        unreachable!()
    };
    let gap = f64::from(run.run.width()) + 2.5;
    let items = vec![
        first.clone(),
        text("Wave", 10.0 + gap, 100.0),
        text("AVA", 10.0, 112.0),
    ];
    let mut written = Written::pages(vec![page(items)]);
    written.readable = true;
    let doc = written.read();
    let ops = content(&doc, page_ids(&doc)[0]);
    assert_eq!(ops.matches("BT").count(), 1, "{ops}");
    assert_eq!(
        ops.matches(" Tm").count(),
        2,
        "one text line per baseline: {ops}"
    );
    assert_eq!(ops.matches("TJ").count(), 2, "{ops}");
    // Lines start exactly where the layout puts them (krilla's y axis points down).
    assert!(ops.contains("1 0 0 -1 10 100 Tm"), "{ops}");
    assert!(ops.contains("1 0 0 -1 10 112 Tm"), "{ops}");
}

#[test]
fn khmer_clusters_get_actual_text_and_latin_does_not() {
    let latin = Written::pages(vec![page(vec![text(
        "office affluent AVATAR",
        10.0,
        100.0,
    )])]);
    let latin = Written {
        readable: true,
        ..latin
    };
    let doc = latin.read();
    assert!(!content(&doc, page_ids(&doc)[0]).contains("/ActualText"));
    let khmer = Written {
        readable: true,
        ..Written::pages(vec![page(vec![text("office ខ្មែរ ទួលស្លែង", 10.0, 100.0)])])
    };
    let doc = khmer.read();
    let ops = content(&doc, page_ids(&doc)[0]);
    assert!(ops.contains("/ActualText"), "{ops}");
    assert_eq!(
        ops.matches("BDC").count(),
        ops.matches("EMC").count(),
        "{ops}"
    );
}

#[test]
fn text_extracts_with_ligatures_and_khmer_words_whole() {
    let lines = [
        "efficient office affluent AVATAR",
        "ខ្មែរក្រហម ទួលស្លែង ជើងឯក អង្គការ",
    ];
    let items = lines
        .iter()
        .enumerate()
        .map(|(i, line)| text(line, 20.0, 100.0 + 20.0 * i as f64))
        .collect();
    let bytes = Written::pages(vec![page(items)]).write().unwrap();
    let Some(extracted) = pdftotext(&bytes) else {
        return;
    };
    for line in lines {
        for word in line.split(' ') {
            assert!(
                extracted.split_whitespace().any(|w| w == word),
                "{word} not in {extracted}"
            );
        }
    }
}

/// The text `pdftotext` extracts, when it is installed.
fn pdftotext(bytes: &[u8]) -> Option<String> {
    let dir = tempfile::tempdir().ok()?;
    let path = dir.path().join("text.pdf");
    std::fs::write(&path, bytes).ok()?;
    let out = std::process::Command::new("pdftotext")
        .args(["-enc", "UTF-8"])
        .arg(&path)
        .arg("-")
        .output()
        .ok()?;
    Some(String::from_utf8_lossy(&out.stdout).into_owned())
}

fn entry(title: &str, page: usize, top: f64, children: Vec<OutlineEntry>) -> OutlineEntry {
    OutlineEntry {
        title: title.to_string(),
        page,
        top,
        children,
    }
}

fn parts() -> DocumentParts {
    DocumentParts {
        outline: vec![
            entry(
                "Chapter one",
                0,
                100.0,
                vec![entry("Section", 1, 200.0, vec![])],
            ),
            entry("ជំពូក ២", 2, 50.0, vec![]),
        ],
        labels: vec![
            PageLabelRange {
                first_page: 0,
                style: LabelStyle::None,
                prefix: "Cover".to_string(),
                start: 1,
            },
            PageLabelRange {
                first_page: 1,
                style: LabelStyle::LowerRoman,
                prefix: String::new(),
                start: 1,
            },
            PageLabelRange {
                first_page: 3,
                style: LabelStyle::Decimal,
                prefix: String::new(),
                start: 1,
            },
        ],
        info: DocumentInfo {
            title: "A <Title> & more".to_string(),
            author: "Ann Author, Bo Writer".to_string(),
            subject: "What it is about".to_string(),
            keywords: vec!["history".to_string(), "Cambodia".to_string()],
            language: "en-GB".to_string(),
            creator: "octavo".to_string(),
            date: "2024-01-02T03:04:05Z".to_string(),
        },
    }
}

fn six_pages() -> Vec<Page> {
    (0..6)
        .map(|i| page(vec![text(&format!("page {i}"), 20.0, 100.0)]))
        .collect()
}

#[test]
fn writes_a_closed_nested_outline_with_page_destinations() {
    let written = Written {
        parts: parts(),
        ..Written::pages(six_pages())
    };
    let doc = written.read();
    let pages = page_ids(&doc);
    let root = dict(&doc, catalog(&doc).get(b"Outlines").unwrap());
    assert_eq!(
        number(root.get(b"Count").unwrap()),
        2.0,
        "only chapters show"
    );
    let first = dict(&doc, root.get(b"First").unwrap());
    assert_eq!(text_of(first.get(b"Title").unwrap()), "Chapter one");
    assert_eq!(number(first.get(b"Count").unwrap()), -1.0, "closed");
    let dest = array(&doc, first.get(b"Dest").unwrap());
    assert_eq!(dest[0], Object::Reference(pages[0]));
    assert_eq!(number(&dest[3]), 500.0);
    let section = dict(&doc, first.get(b"First").unwrap());
    assert_eq!(text_of(section.get(b"Title").unwrap()), "Section");
    let dest = array(&doc, section.get(b"Dest").unwrap());
    assert_eq!(dest[0], Object::Reference(pages[1]));
    let second = dict(&doc, first.get(b"Next").unwrap());
    assert_eq!(text_of(second.get(b"Title").unwrap()), "ជំពូក ២");
    assert!(!second.has(b"Count"));
}

#[test]
fn sets_page_mode_language_and_viewer_preferences() {
    let written = Written {
        parts: parts(),
        ..Written::pages(six_pages())
    };
    let doc = written.read();
    let catalog = catalog(&doc);
    assert_eq!(
        catalog.get(b"PageMode").unwrap().as_name().unwrap(),
        b"UseOutlines"
    );
    assert_eq!(text_of(catalog.get(b"Lang").unwrap()), "en-GB");
    let prefs = dict(&doc, catalog.get(b"ViewerPreferences").unwrap());
    assert_eq!(
        prefs.get(b"DisplayDocTitle").unwrap(),
        &Object::Boolean(true)
    );
    // The cross-reference stream holds the trailer.
    assert!(doc.trailer.has(b"Root") && doc.trailer.has(b"ID") && doc.trailer.has(b"Info"));
}

#[test]
fn no_outline_means_no_outline_panel() {
    let doc = Written::pages(six_pages()).read();
    let catalog = catalog(&doc);
    assert!(!catalog.has(b"Outlines"));
    assert_eq!(
        catalog.get(b"PageMode").unwrap().as_name().unwrap(),
        b"UseNone"
    );
    assert!(!catalog.has(b"PageLabels") && !catalog.has(b"Lang"));
}

#[test]
fn writes_one_page_label_entry_per_range() {
    let written = Written {
        parts: parts(),
        ..Written::pages(six_pages())
    };
    let doc = written.read();
    let labels = dict(&doc, catalog(&doc).get(b"PageLabels").unwrap());
    let nums = array(&doc, labels.get(b"Nums").unwrap());
    let entries: Vec<(f64, String)> = nums
        .chunks(2)
        .map(|pair| {
            let label = dict(&doc, &pair[1]);
            let style = label
                .get(b"S")
                .map(|s| String::from_utf8_lossy(s.as_name().unwrap()).into_owned())
                .unwrap_or_default();
            let prefix = label.get(b"P").map(text_of).unwrap_or_default();
            assert!(!label.has(b"St"), "numbering starts at 1");
            (number(&pair[0]), format!("{style}{prefix}"))
        })
        .collect();
    assert_eq!(
        entries,
        [
            (0.0, "Cover".to_string()),
            (1.0, "r".to_string()),
            (3.0, "D".to_string())
        ]
    );
}

#[test]
fn rejects_outline_targets_outside_the_document_and_bad_dates() {
    let mut written = Written {
        parts: parts(),
        ..Written::pages(six_pages())
    };
    written.parts.outline[0].children[0].page = 6;
    assert!(matches!(
        written.write(),
        Err(WriteError::OutlinePage {
            page: 6,
            pages: 6,
            ..
        })
    ));
    written.parts = parts();
    written.parts.outline[1].top = f64::NAN;
    assert!(matches!(
        written.write(),
        Err(WriteError::OutlinePosition { .. })
    ));
    written.parts = parts();
    written.parts.info.date = "2024-02-30T00:00:00Z".to_string();
    assert!(matches!(written.write(), Err(WriteError::Date(_))));
    written.parts = parts();
    written.parts.labels[2].first_page = 9;
    assert!(matches!(written.write(), Err(WriteError::Labels(_))));
}

#[test]
fn a_pdf_without_pages_or_with_no_page_size_is_an_error() {
    assert!(matches!(
        Written::pages(Vec::new()).write(),
        Err(WriteError::NoPages)
    ));
    let pages = six_pages();
    let parts = DocumentParts::default();
    let input = WriteInput {
        pages: &pages,
        anchors: &BTreeMap::new(),
        images: &[],
        fonts: fonts(),
        size: (0.0, f64::INFINITY),
        readable: false,
        parts: &parts,
    };
    assert!(matches!(write(&input), Err(WriteError::PageSize { .. })));
}

#[test]
fn writes_info_and_xmp_from_the_given_date() {
    let written = Written {
        parts: parts(),
        ..Written::pages(six_pages())
    };
    let bytes = written.write().unwrap();
    let doc = Pdf::load_mem(&bytes).unwrap();
    let info = dict(&doc, doc.trailer.get(b"Info").unwrap());
    let field = |key: &[u8]| text_of(info.get(key).unwrap());
    assert_eq!(field(b"Title"), "A <Title> & more");
    assert_eq!(field(b"Author"), "Ann Author, Bo Writer");
    assert_eq!(field(b"Subject"), "What it is about");
    assert_eq!(field(b"Keywords"), "history, Cambodia");
    assert_eq!(field(b"Producer"), "octavo");
    assert!(field(b"CreationDate").starts_with("D:20240102030405"));
    assert_eq!(field(b"CreationDate"), field(b"ModDate"));
    let metadata = doc
        .get_object(
            catalog(&doc)
                .get(b"Metadata")
                .unwrap()
                .as_reference()
                .unwrap(),
        )
        .and_then(Object::as_stream)
        .unwrap();
    let xmp = String::from_utf8_lossy(&metadata.content).into_owned();
    assert!(!metadata.dict.has(b"Filter"), "XMP stays readable");
    assert!(xmp.contains("A &lt;Title&gt; &amp; more"), "{xmp}");
    assert!(xmp.contains("2024-01-02T03:04:05"), "{xmp}");
    assert!(
        xmp.contains("Ann Author, Bo Writer") && xmp.contains("en-GB"),
        "{xmp}"
    );
    let mut reader = quick_xml::Reader::from_str(xmp.trim_start_matches('\u{feff}'));
    loop {
        match reader.read_event() {
            Ok(quick_xml::events::Event::Eof) => break,
            Ok(_) => {}
            Err(e) => panic!("XMP is not well-formed: {e}\n{xmp}"),
        }
    }
}

#[test]
fn output_is_deterministic_and_its_id_follows_the_content() {
    let written = Written {
        parts: parts(),
        ..Written::pages(six_pages())
    };
    let first = written.write().unwrap();
    assert_eq!(
        first,
        written.write().unwrap(),
        "the same input, the same bytes"
    );
    let mut changed = Written {
        parts: parts(),
        ..Written::pages(six_pages())
    };
    changed.pages[5] = page(vec![text("page five, changed", 20.0, 100.0)]);
    let second = changed.write().unwrap();
    let id = |bytes: &[u8]| {
        let doc = Pdf::load_mem(bytes).unwrap();
        array(&doc, doc.trailer.get(b"ID").unwrap()).clone()
    };
    let (a, b) = (id(&first), id(&second));
    assert_ne!(a[1], b[1], "the instance ID is a digest of the content");
}

#[test]
fn streams_are_compressed_unless_readable() {
    let pages = || vec![page(vec![text("office", 20.0, 100.0)])];
    let doc = Written::pages(pages()).read();
    for (_, object) in doc.objects.iter() {
        if let Object::Stream(stream) = object {
            let xmp = stream.dict.get(b"Type").and_then(Object::as_name).ok() == Some(b"Metadata");
            assert!(xmp || stream.dict.has(b"Filter"), "{:?}", stream.dict);
        }
    }
    let readable = Written {
        readable: true,
        ..Written::pages(pages())
    };
    let doc = readable.read();
    let page = doc.get_dictionary(page_ids(&doc)[0]).unwrap();
    let contents = page.get(b"Contents").unwrap().as_reference().unwrap();
    let stream = doc
        .get_object(contents)
        .and_then(Object::as_stream)
        .unwrap();
    assert!(!stream.dict.has(b"Filter"));
    assert!(String::from_utf8_lossy(&stream.content).contains("TJ"));
}

#[test]
fn fonts_are_subset_embedded_and_tagged() {
    let items = vec![text("office ខ្មែរ", 20.0, 100.0)];
    let doc = Written::pages(vec![page(items)]).read();
    let mut names = Vec::new();
    for (_, object) in doc.objects.iter() {
        let Ok(font) = object.as_dict() else { continue };
        let subtype = font.get(b"Subtype").and_then(Object::as_name).ok();
        if !matches!(subtype, Some(b"CIDFontType0" | b"CIDFontType2")) {
            continue;
        }
        let name = String::from_utf8_lossy(font.get(b"BaseFont").unwrap().as_name().unwrap());
        let (tag, _) = name.split_once('+').expect("a subset tag");
        assert!(
            tag.len() == 6 && tag.bytes().all(|b| b.is_ascii_uppercase()),
            "{name}"
        );
        let descriptor = dict(&doc, font.get(b"FontDescriptor").unwrap());
        assert!(
            [b"FontFile".as_slice(), b"FontFile2", b"FontFile3"]
                .iter()
                .any(|key| descriptor.has(key)),
            "{name} is embedded"
        );
        names.push(name.into_owned());
    }
    names.sort();
    assert_eq!(names.len(), 2, "{names:?}");
    assert!(names[0].ends_with("+LinLibertineO"), "{names:?}");
    assert!(names[1].contains("NotoSerifKhmer"), "{names:?}");
}

#[test]
fn one_face_in_two_roles_is_embedded_once() {
    let data = crate::fonts::SERIF_REGULAR.data;
    let mut set = FontSet::new(FontFace::parse(data, 0, "R.otf").unwrap());
    set.set_face(
        Family::Serif,
        Style::Bold,
        FontFace::parse(data, 0, "R.otf").unwrap(),
    );
    let set: &'static FontSet<'static> = Box::leak(Box::new(set));
    let items = [Style::Regular, Style::Bold]
        .into_iter()
        .enumerate()
        .map(|(i, style)| {
            let choice = FaceChoice::new(Family::Serif, style);
            let run = shape(set, "same", choice, 10.0, &ShapeOptions::default());
            Item::Glyphs(GlyphRun {
                x: 20.0,
                y: 100.0 + 20.0 * i as f64,
                run: Arc::new(run),
            })
        })
        .collect();
    let pages = vec![page(items)];
    let parts = DocumentParts::default();
    let bytes = write(&WriteInput {
        pages: &pages,
        anchors: &BTreeMap::new(),
        images: &[],
        fonts: set,
        size: SIZE,
        readable: false,
        parts: &parts,
    })
    .unwrap();
    qpdf_check(&bytes);
    let doc = Pdf::load_mem(&bytes).unwrap();
    let programs = doc
        .objects
        .values()
        .filter(|o| {
            o.as_dict().is_ok_and(|d| {
                d.get(b"Type").and_then(Object::as_name).ok() == Some(b"FontDescriptor")
            })
        })
        .count();
    assert_eq!(programs, 1, "the same font data is one embedded font");
    if let Some(extracted) = pdftotext(&bytes) {
        assert_eq!(extracted.matches("same").count(), 2, "{extracted}");
    }
}

/// Flips bytes of the shipped fonts (a fixed xorshift sequence, so failures reproduce) and
/// writes a line with each through shaping and krilla: errors are fine, panics are not.
#[test]
fn corrupted_fonts_are_errors_not_panics() {
    use crate::fonts;
    let files = [
        fonts::SERIF_REGULAR,
        fonts::MONO_REGULAR,
        fonts::KHMER_REGULAR,
    ];
    let mut seed: u64 = 0x1234_5678;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let (mut written, mut internal) = (0, 0);
    for round in 0..300 {
        let mut data = files[round % 3].data.to_vec();
        let span = if round % 2 == 0 { 4096 } else { data.len() };
        for _ in 0..1 + next() % 20 {
            let i = (next() as usize) % span.min(data.len());
            data[i] = next() as u8;
        }
        match write_with_font(data) {
            Some(Ok(_)) => written += 1,
            Some(Err(WriteError::Internal(_))) => internal += 1,
            Some(Err(_)) | None => {}
        }
    }
    assert!(written > 100, "{written} written, {internal} caught panics");
}

/// Parses `data` as the only face, shapes a line with it and writes it; `None` if the font
/// does not even parse.
fn write_with_font(data: Vec<u8>) -> Option<Result<Vec<u8>, WriteError>> {
    let data: &'static [u8] = Box::leak(data.into_boxed_slice());
    let face = FontFace::parse(data, 0, "corrupt.otf").ok()?;
    let set: &'static FontSet<'static> = Box::leak(Box::new(FontSet::new(face)));
    let choice = FaceChoice::new(Family::Serif, Style::Regular);
    let run = shape(
        set,
        "office AVATAR ខ្មែរ 1975",
        choice,
        10.0,
        &ShapeOptions::default(),
    );
    let pages = vec![page(vec![Item::Glyphs(GlyphRun {
        x: 20.0,
        y: 100.0,
        run: Arc::new(run),
    })])];
    let parts = DocumentParts::default();
    Some(write(&WriteInput {
        pages: &pages,
        anchors: &BTreeMap::new(),
        images: &[],
        fonts: set,
        size: SIZE,
        readable: false,
        parts: &parts,
    }))
}

/// The image XObjects of the document's first page, by their `/Width`.
fn page_images(doc: &Pdf) -> BTreeMap<i64, lopdf::Stream> {
    let mut images = BTreeMap::new();
    for (_, object) in doc.objects.iter() {
        let Ok(stream) = object.as_stream() else {
            continue;
        };
        let subtype = stream.dict.get(b"Subtype").and_then(Object::as_name).ok();
        let width = stream.dict.get(b"Width").and_then(Object::as_i64);
        if let (Some(b"Image"), Ok(width)) = (subtype, width) {
            images.insert(width, stream.clone());
        }
    }
    images
}

#[test]
fn jpegs_pass_through_and_pngs_keep_colour_and_transparency() {
    let dir = tempfile::tempdir().unwrap();
    let rgb = image::RgbImage::from_fn(7, 5, |x, y| image::Rgb([x as u8 * 30, y as u8 * 40, 9]));
    let mut jpeg = Vec::new();
    image::DynamicImage::ImageRgb8(rgb.clone())
        .write_to(
            &mut std::io::Cursor::new(&mut jpeg),
            image::ImageFormat::Jpeg,
        )
        .unwrap();
    let mut rgba = image::RgbaImage::new(2, 1);
    rgba.put_pixel(0, 0, image::Rgba([255, 0, 0, 255]));
    rgba.put_pixel(1, 0, image::Rgba([0, 0, 255, 0]));
    let files = [
        ("photo.jpg", jpeg.clone()),
        (
            "alpha.png",
            crate::pdf::images::tests::png(image::DynamicImage::ImageRgba8(rgba)),
        ),
        (
            "gray.png",
            crate::pdf::images::tests::png(image::DynamicImage::ImageLuma8(
                image::GrayImage::from_raw(3, 1, vec![0, 200, 90]).unwrap(),
            )),
        ),
    ];
    let assets: Vec<ImageAsset> = files
        .iter()
        .map(|(name, bytes)| {
            let path = dir.path().join(name);
            std::fs::write(&path, bytes).unwrap();
            ImageAsset {
                path,
                package_path: format!("images/{name}"),
                media_type: String::new(),
                width: 0,
                height: 0,
            }
        })
        .collect();
    let items = (0..assets.len())
        .map(|image| {
            Item::Image(Box::new(ImageItem {
                image,
                x: 20.0,
                y: 50.0 + 100.0 * image as f64,
                width: 70.0,
                height: 50.0,
            }))
        })
        .collect();
    let pages = vec![page(items)];
    let parts = DocumentParts::default();
    let bytes = write(&WriteInput {
        pages: &pages,
        anchors: &BTreeMap::new(),
        images: &assets,
        fonts: fonts(),
        size: SIZE,
        readable: false,
        parts: &parts,
    })
    .unwrap();
    qpdf_check(&bytes);
    let doc = Pdf::load_mem(&bytes).unwrap();
    let images = page_images(&doc);
    let name = |stream: &lopdf::Stream, key: &[u8]| {
        stream
            .dict
            .get(key)
            .and_then(Object::as_name)
            .map(|n| String::from_utf8_lossy(n).into_owned())
            .unwrap_or_default()
    };
    let photo = &images[&7];
    assert_eq!(name(photo, b"Filter"), "DCTDecode");
    assert_eq!(photo.content, jpeg, "the JPEG is embedded unchanged");
    assert_eq!(name(photo, b"ColorSpace"), "DeviceRGB");
    let alpha = &images[&2];
    assert_eq!(name(alpha, b"ColorSpace"), "DeviceRGB");
    assert_eq!(
        alpha.decompressed_content().unwrap(),
        [255, 0, 0, 0, 0, 255]
    );
    let mask = alpha.dict.get(b"SMask").unwrap().as_reference().unwrap();
    let mask = doc.get_object(mask).and_then(Object::as_stream).unwrap();
    assert_eq!(mask.decompressed_content().unwrap(), [255, 0]);
    let gray = &images[&3];
    assert_eq!(name(gray, b"ColorSpace"), "DeviceGray");
    assert!(!gray.dict.has(b"SMask"), "opaque: no mask");
    assert_eq!(gray.decompressed_content().unwrap(), [0, 200, 90]);
}

#[test]
fn an_image_that_cannot_be_read_names_its_file() {
    let good = crate::pdf::images::tests::png(image::DynamicImage::ImageRgb8(
        image::RgbImage::from_fn(40, 30, |x, y| image::Rgb([x as u8, y as u8, 7])),
    ));
    // A damaged header is found when the image is read, damaged pixels when krilla
    // decodes them as it writes the file.
    for bytes in [
        b"\x89PNG\r\n\x1a\nnot really".to_vec(),
        good[..good.len() - 40].to_vec(),
    ] {
        image_error_names_the_file(&bytes);
    }
}

fn image_error_names_the_file(bytes: &[u8]) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("broken.png");
    std::fs::write(&path, bytes).unwrap();
    let assets = [ImageAsset {
        path: path.clone(),
        package_path: "images/broken.png".to_string(),
        media_type: "image/png".to_string(),
        width: 10,
        height: 10,
    }];
    let pages = vec![page(vec![Item::Image(Box::new(ImageItem {
        image: 0,
        x: 0.0,
        y: 0.0,
        width: 10.0,
        height: 10.0,
    }))])];
    let parts = DocumentParts::default();
    let result = write(&WriteInput {
        pages: &pages,
        anchors: &BTreeMap::new(),
        images: &assets,
        fonts: fonts(),
        size: SIZE,
        readable: false,
        parts: &parts,
    });
    let Err(error @ WriteError::Image { .. }) = result else {
        panic!("{result:?}");
    };
    assert!(error.to_string().contains("broken.png"), "{error}");
}
