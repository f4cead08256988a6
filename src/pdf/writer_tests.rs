//! Tests of the writer: what the old writer promised, checked on krilla's output by reading
//! it back (lopdf, which `octavo check` uses to read PDFs, and qpdf where installed).

use std::sync::Arc;

use lopdf::{Dictionary, Document as Pdf, Object, ObjectId};

use super::*;
use crate::fonts::{FaceChoice, Family, Style};
use crate::pdf::labels::LabelStyle;
use crate::typeset::layout::GlyphRun;
use crate::typeset::shape::{shape, ShapeOptions};

pub(super) const SIZE: (Pt, Pt) = (Pt::new(400.0), Pt::new(600.0));

pub(super) fn fonts() -> &'static FontSet<'static> {
    static FONTS: std::sync::OnceLock<FontSet<'static>> = std::sync::OnceLock::new();
    FONTS.get_or_init(|| FontSet::builtin().expect("the bundled fonts"))
}

/// A glyph run of `text` in the regular serif at 10 pt, its baseline at (`x`, `y`).
pub(super) fn text(text: &str, x: f64, y: f64) -> Item {
    let choice = FaceChoice::new(Family::Serif, Style::Regular);
    let run = shape(fonts(), text, choice, 10.0, &ShapeOptions::default());
    Item::Glyphs(GlyphRun {
        x: Pt::new(x),
        y: Pt::new(y),
        run: Arc::new(run),
    })
}

pub(super) fn page(items: Vec<Item>) -> Page {
    Page {
        items,
        ..Page::default()
    }
}

pub(super) struct Written {
    pages: Vec<Page>,
    anchors: BTreeMap<String, (usize, Pt)>,
    parts: DocumentParts,
    readable: bool,
}

impl Written {
    pub(super) fn pages(pages: Vec<Page>) -> Self {
        Written {
            pages,
            anchors: BTreeMap::new(),
            parts: DocumentParts::default(),
            readable: false,
        }
    }

    pub(super) fn write(&self) -> Result<Vec<u8>, WriteError> {
        write(WriteInput {
            pages: Pages::Kept(&self.pages),
            anchors: &self.anchors,
            images: &[],
            fonts: fonts(),
            size: SIZE,
            readable: self.readable,
            parts: &self.parts,
        })
    }

    pub(super) fn read(&self) -> Pdf {
        let bytes = self.write().expect("the PDF is written");
        qpdf_check(&bytes);
        Pdf::load_mem(&bytes).expect("the PDF parses")
    }
}

/// `qpdf --check` accepts the file (a missing qpdf fails the test: `make test-tools`
/// installs it).
pub(super) fn qpdf_check(bytes: &[u8]) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("check.pdf");
    std::fs::write(&path, bytes).unwrap();
    let out = std::process::Command::new("qpdf")
        .arg("--check")
        .arg(&path)
        .output()
        .unwrap_or_else(|e| panic!("qpdf is needed (`make test-tools` installs it): {e}"));
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && !report.contains("WARNING"),
        "{report}"
    );
}

fn catalog(doc: &Pdf) -> &Dictionary {
    doc.catalog().expect("a catalog")
}

pub(super) fn dict<'d>(doc: &'d Pdf, object: &'d Object) -> &'d Dictionary {
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
        x: Pt::new(10.0),
        y: Pt::new(20.0),
        width: Pt::new(30.0),
        height: Pt::new(12.0),
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
        x: Pt::new(0.0),
        y: Pt::new(50.0),
        width: Pt::new(100.0),
        thickness: Pt::new(0.5),
    }))]);
    let mut written = Written::pages(vec![first, second]);
    written.anchors = BTreeMap::from([("there".to_string(), (1, Pt::new(100.0)))]);
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
                x: Pt::new(10.0),
                y: Pt::new(20.0 + 12.0 * f64::from(line)),
                width: Pt::new(300.0),
                height: Pt::new(12.0),
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
    let extracted = pdftotext(&bytes);
    for line in lines {
        for word in line.split(' ') {
            assert!(
                extracted.split_whitespace().any(|w| w == word),
                "{word} not in {extracted}"
            );
        }
    }
}

#[test]
fn the_same_run_on_several_lines_extracts_each_time() {
    // A code block repeating a line: the shaping cache gives every line the same run.
    let choice = FaceChoice::new(Family::Mono, Style::Regular);
    let run = Arc::new(shape(fonts(), "c", choice, 9.0, &ShapeOptions::default()));
    let items = (0..3)
        .map(|line| {
            Item::Glyphs(GlyphRun {
                x: Pt::new(20.0),
                y: Pt::new(100.0 + 11.0 * f64::from(line)),
                run: Arc::clone(&run),
            })
        })
        .collect();
    let bytes = Written::pages(vec![page(items)]).write().unwrap();
    let extracted = pdftotext(&bytes);
    assert_eq!(extracted.split_whitespace().collect::<Vec<_>>(), ["c"; 3]);
}

#[test]
fn characters_no_face_has_copy_as_themselves() {
    // Drawn as `.notdef`, for which krilla writes no `/ToUnicode` entry: the first such
    // character of a face, and every later use of it, would otherwise copy as nothing.
    let lines = ["total 合計 here", "合 alone 計 again", "mono 合計"];
    let mut items: Vec<Item> = lines[..2]
        .iter()
        .enumerate()
        .map(|(i, line)| text(line, 20.0, 100.0 + 20.0 * i as f64))
        .collect();
    let choice = FaceChoice::new(Family::Mono, Style::Regular);
    let run = Arc::new(shape(
        fonts(),
        lines[2],
        choice,
        9.0,
        &ShapeOptions::default(),
    ));
    items.push(Item::Glyphs(GlyphRun {
        x: Pt::new(20.0),
        y: Pt::new(160.0),
        run,
    }));
    let bytes = Written::pages(vec![page(items)]).write().unwrap();
    let extracted = pdftotext(&bytes);
    let words: Vec<&str> = extracted.split_whitespace().collect();
    let expected: Vec<&str> = lines.iter().flat_map(|l| l.split(' ')).collect();
    assert_eq!(words, expected);
}

/// The text `pdftotext` extracts (a missing pdftotext fails the test: `make test-tools`
/// installs it).
pub(super) fn pdftotext(bytes: &[u8]) -> String {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let path = dir.path().join("text.pdf");
    std::fs::write(&path, bytes).expect("the PDF written");
    let out = std::process::Command::new("pdftotext")
        .args(["-enc", "UTF-8"])
        .arg(&path)
        .arg("-")
        .output()
        .unwrap_or_else(|e| panic!("pdftotext is needed (`make test-tools` installs it): {e}"));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn entry(title: &str, page: usize, top: f64, children: Vec<OutlineEntry>) -> OutlineEntry {
    OutlineEntry {
        title: title.to_string(),
        page,
        top: Pt::new(top),
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
        ..DocumentParts::default()
    }
}

#[test]
fn released_pages_are_written_as_kept_ones_are() {
    let mut pages = six_pages();
    pages[0].items.push(link(LinkDest::Anchor("last".into())));
    pages[5].items.push(link(LinkDest::Anchor("first".into())));
    let anchors = BTreeMap::from([
        ("first".to_string(), (0, Pt::new(90.0))),
        ("last".to_string(), (5, Pt::new(90.0))),
    ]);
    let parts = parts();
    let input = |pages| WriteInput {
        pages,
        anchors: &anchors,
        images: &[],
        fonts: fonts(),
        size: SIZE,
        readable: true,
        parts: &parts,
    };
    let kept = write(input(Pages::Kept(&pages))).expect("written from kept pages");
    let released = write(input(Pages::Released(pages.clone()))).expect("written from released");
    assert!(
        kept == released,
        "freeing each page once drawn changes nothing in the file"
    );
    assert!(pdftotext(&released).contains("page 5"));
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
    written.parts.outline[1].top = Pt::new(f64::NAN);
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
        pages: Pages::Kept(&pages),
        anchors: &BTreeMap::new(),
        images: &[],
        fonts: fonts(),
        size: (Pt::new(0.0), Pt::new(f64::INFINITY)),
        readable: false,
        parts: &parts,
    };
    assert!(matches!(write(input), Err(WriteError::PageSize { .. })));
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
    let bytes = Written::pages(pages()).write().unwrap();
    let doc = Pdf::load_mem(&bytes).unwrap();
    for (_, object) in doc.objects.iter() {
        if let Object::Stream(stream) = object {
            let kind = stream.dict.get(b"Type").and_then(Object::as_name).ok();
            // lopdf unpacks object streams as it reads them: their filter is checked below.
            let exempt = matches!(kind, Some(b"Metadata" | b"ObjStm"));
            assert!(exempt || stream.dict.has(b"Filter"), "{:?}", stream.dict);
        }
    }
    let text = String::from_utf8_lossy(&bytes);
    let packed = text.matches("/Type/ObjStm").count();
    assert!(packed >= 1, "the small objects are packed");
    assert_eq!(text.matches("/Type/ObjStm/N ").count(), packed);
    assert_eq!(
        text.split("/Type/ObjStm")
            .skip(1)
            .filter(|d| d[..d.find(">>").unwrap()].contains("/Filter/FlateDecode"))
            .count(),
        packed
    );
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
