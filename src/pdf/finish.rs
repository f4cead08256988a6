//! Finishing the PDF: what belongs to the whole book, added to the document `render` made in
//! memory, and the bytes written once.
//!
//! - **Outline** ([`super::outline`]), **page labels** ([`super::labels`]) and **metadata**
//!   ([`super::metadata`]: `/Info` and XMP, with dates from the book, never the clock).
//! - **`/PageMode /UseOutlines`** (a name, as viewers require) when there is an outline,
//!   `/UseNone` otherwise; `/Lang` and `/ViewerPreferences << /DisplayDocTitle true >>`.
//! - **Determinism.** `render` numbers objects 1..n in order, all reachable (checked in debug
//!   builds); `/ID` is a 128-bit digest of the file as written with a placeholder ID, patched in
//!   place (one save), so the same input always gives the same bytes. The bytes are written by
//!   [`super::serialize`] (on all cores, with a compressed cross-reference stream).
//! - **Streams.** Flate-compress any stream `render` left unfiltered (none is, in the debugging
//!   option that keeps content streams readable).
//!
//! It also raises the header to PDF 1.5 (`/Metadata`, `/Lang` and `/DisplayDocTitle` are
//! PDF 1.4 features, marked content with `/ActualText` needs 1.5).

use std::collections::BTreeSet;

use lopdf::{Dictionary, Document, Object, ObjectId, Stream, StringFormat};

use super::labels::{page_labels, PageLabelRange};
use super::metadata::{info_dict, xmp_stream, DocumentInfo, PdfDate};
use super::outline::{validate_outline, write_outline, OutlineEntry};

/// Everything finishing adds to a PDF.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Finishing {
    /// The top-level outline entries (chapters), with their sections nested.
    pub outline: Vec<OutlineEntry>,
    /// Page label ranges in increasing `first_page` order; empty to write no `/PageLabels`.
    pub labels: Vec<PageLabelRange>,
    /// Title, author, language, date, ….
    pub info: DocumentInfo,
    /// `true` to Flate-compress the streams `render` left unfiltered; `false` for the
    /// debugging option, whose content streams `render` wrote readable.
    pub compress: bool,
}

/// Why finishing could not produce a PDF.
#[derive(Debug, thiserror::Error)]
pub enum FinishError {
    /// The trailer has no usable `/Root` catalog dictionary.
    #[error("the rendered PDF has no document catalog")]
    NoCatalog,
    /// The page tree is empty.
    #[error("the rendered PDF has no pages")]
    NoPages,
    /// An outline entry points past the last page.
    #[error(
        "outline entry {title:?} points at page {page} (0-based) but the PDF has {pages} pages"
    )]
    OutlinePage {
        /// The entry's title.
        title: String,
        /// The page it asked for.
        page: usize,
        /// How many pages the PDF has.
        pages: usize,
    },
    /// An outline entry's `y` is NaN or infinite.
    #[error("outline entry {title:?} has a non-finite position")]
    OutlinePosition {
        /// The entry's title.
        title: String,
    },
    /// The page label ranges are not usable as a number tree.
    #[error("invalid page labels: {0}")]
    Labels(String),
    /// `DocumentInfo::date` is not `YYYY-MM-DDThh:mm:ssZ`.
    #[error("invalid date {0:?}: expected YYYY-MM-DDThh:mm:ssZ")]
    Date(String),
    /// A stream could not be compressed.
    #[error("cannot compress stream {id:?}: {source}")]
    Compress {
        /// The stream's object id.
        id: ObjectId,
        /// What lopdf reported.
        #[source]
        source: lopdf::Error,
    },
}

/// Finishes a document in memory (as `render` makes it) and writes it.
///
/// The output depends only on the document's content (not its `/ID`) and on `pass`.
pub fn finish(mut doc: Document, pass: &Finishing) -> Result<Vec<u8>, FinishError> {
    let date = PdfDate::parse(&pass.info.date)?;
    let catalog_id = catalog_id(&doc)?;
    let pages: Vec<ObjectId> = doc.page_iter().collect();
    if pages.is_empty() {
        return Err(FinishError::NoPages);
    }
    validate_outline(&pass.outline, pages.len())?;
    let labels = page_labels(&pass.labels, pages.len())?;
    let info = write_structure(&mut doc, catalog_id, &pages, pass, labels, date.as_ref())?;
    doc.trailer = Dictionary::from_iter(vec![
        ("Root", Object::Reference(catalog_id)),
        ("Info", Object::Reference(info)),
    ]);
    debug_assert!(
        is_dense(&doc),
        "render numbers its objects 1..n, all reachable"
    );
    doc.max_id = doc.objects.len() as u32;
    if pass.compress {
        compress_streams(&mut doc)?;
    }
    raise_version(&mut doc);
    let saved = save_with_content_id(&mut doc);
    crate::parallel::drop_in_background(doc);
    saved
}

/// Writes the outline, metadata and catalog entries; returns the new `/Info` object's id.
fn write_structure(
    doc: &mut Document,
    catalog_id: ObjectId,
    pages: &[ObjectId],
    pass: &Finishing,
    labels: Option<Dictionary>,
    date: Option<&PdfDate>,
) -> Result<ObjectId, FinishError> {
    let outline = write_outline(doc, &pass.outline, pages);
    let metadata = doc.add_object(xmp_stream(&pass.info, date));
    let info = doc.add_object(info_dict(&pass.info, date));
    let viewer_prefs = viewer_preferences(doc, catalog_id);
    let catalog = doc
        .get_dictionary_mut(catalog_id)
        .map_err(|_| FinishError::NoCatalog)?;
    update_catalog(catalog, outline, labels, metadata, &pass.info.language);
    catalog.set("ViewerPreferences", viewer_prefs);
    Ok(info)
}

/// The object id of the document catalog.
fn catalog_id(doc: &Document) -> Result<ObjectId, FinishError> {
    let id = doc
        .trailer
        .get(b"Root")
        .and_then(Object::as_reference)
        .map_err(|_| FinishError::NoCatalog)?;
    match doc.get_dictionary(id) {
        Ok(_) => Ok(id),
        Err(_) => Err(FinishError::NoCatalog),
    }
}

/// Sets `/Outlines`, `/PageMode`, `/PageLabels`, `/Metadata` and `/Lang` on the catalog.
fn update_catalog(
    catalog: &mut Dictionary,
    outline: Option<ObjectId>,
    labels: Option<Dictionary>,
    metadata: ObjectId,
    language: &str,
) {
    match outline {
        Some(root) => {
            catalog.set("Outlines", Object::Reference(root));
            catalog.set("PageMode", Object::Name(b"UseOutlines".to_vec()));
        }
        None => {
            catalog.remove(b"Outlines");
            catalog.set("PageMode", Object::Name(b"UseNone".to_vec()));
        }
    }
    match labels {
        Some(labels) => catalog.set("PageLabels", Object::Dictionary(labels)),
        None => {
            catalog.remove(b"PageLabels");
        }
    }
    catalog.set("Metadata", Object::Reference(metadata));
    if language.is_empty() {
        catalog.remove(b"Lang");
    } else {
        catalog.set("Lang", text_string(language));
    }
}

/// The catalog's `/ViewerPreferences` (kept if present) with `/DisplayDocTitle true`.
fn viewer_preferences(doc: &Document, catalog_id: ObjectId) -> Object {
    let mut prefs = doc
        .get_dictionary(catalog_id)
        .and_then(|c| c.get_deref(b"ViewerPreferences", doc))
        .and_then(Object::as_dict)
        .cloned()
        .unwrap_or_default();
    prefs.set("DisplayDocTitle", Object::Boolean(true));
    Object::Dictionary(prefs)
}

/// A PDF text string: PDFDocEncoding (here: printable ASCII) when possible, else UTF-16BE
/// with a byte order mark.
pub(super) fn text_string(text: &str) -> Object {
    if text.bytes().all(|b| (0x20..0x7f).contains(&b)) {
        Object::String(text.as_bytes().to_vec(), StringFormat::Literal)
    } else {
        let mut bytes = vec![0xfe, 0xff];
        bytes.extend(text.encode_utf16().flat_map(u16::to_be_bytes));
        Object::String(bytes, StringFormat::Hexadecimal)
    }
}

/// True when the objects are numbered 1..n (generation 0) and every one is reachable from
/// the trailer, as `render` makes them: the file's numbering then depends only on content.
fn is_dense(doc: &Document) -> bool {
    let mut seen = BTreeSet::new();
    let mut todo = Vec::new();
    for (_, value) in doc.trailer.iter() {
        collect_references(value, &mut todo);
    }
    while let Some(id) = todo.pop() {
        if let Some(object) = doc.objects.get(&id) {
            if seen.insert(id) {
                collect_references(object, &mut todo);
            }
        }
    }
    seen.len() == doc.objects.len() && seen.iter().zip(1u32..).all(|(&id, n)| id == (n, 0))
}

fn collect_references(object: &Object, out: &mut Vec<ObjectId>) {
    match object {
        Object::Reference(id) => out.push(*id),
        Object::Array(items) => items.iter().for_each(|o| collect_references(o, out)),
        Object::Dictionary(dict) => dict.iter().for_each(|(_, o)| collect_references(o, out)),
        Object::Stream(stream) => stream
            .dict
            .iter()
            .for_each(|(_, o)| collect_references(o, out)),
        _ => {}
    }
}

// ---------------------------------------------------------------------------------------------
// Streams

/// Flate-compresses every stream that has no filter yet, except the XMP packet.
fn compress_streams(doc: &mut Document) -> Result<(), FinishError> {
    for (&id, object) in doc.objects.iter_mut() {
        let Object::Stream(stream) = object else {
            continue;
        };
        if stream.dict.has(b"Filter") || is_metadata(stream) {
            continue;
        }
        stream
            .compress()
            .map_err(|source| FinishError::Compress { id, source })?;
    }
    Ok(())
}

fn is_metadata(stream: &Stream) -> bool {
    has_name(stream, b"Type", b"Metadata")
}

/// Whether the stream's dictionary maps `key` to the name `value`.
fn has_name(stream: &Stream, key: &[u8], value: &[u8]) -> bool {
    stream
        .dict
        .get(key)
        .and_then(Object::as_name)
        .is_ok_and(|n| n == value)
}

// ---------------------------------------------------------------------------------------------
// Saving

/// Raises the header to at least PDF 1.4.
fn raise_version(doc: &mut Document) {
    let parse = |v: &str| {
        let (major, minor) = v.trim().split_once('.')?;
        Some((major.parse::<u32>().ok()?, minor.parse::<u32>().ok()?))
    };
    // 1.5: marked content with /ActualText (Khmer text extraction) needs it.
    if parse(&doc.version).is_none_or(|v| v < (1, 5)) {
        doc.version = "1.5".to_string();
    }
}

/// A stand-in `/ID` while the digest is computed: 16 bytes, so its hex form has the length of
/// the real one and can be overwritten in place.
const ID_PLACEHOLDER: [u8; 16] = [0; 16];

/// Saves the document once with a placeholder `/ID`, then overwrites the placeholder with a
/// digest of those bytes: the ID depends only on the content, and nothing is saved twice.
/// Written by [`super::serialize`], not lopdf's writer (see there why).
fn save_with_content_id(doc: &mut Document) -> Result<Vec<u8>, FinishError> {
    let placeholder = Object::String(ID_PLACEHOLDER.to_vec(), StringFormat::Hexadecimal);
    doc.trailer
        .set("ID", Object::Array(vec![placeholder.clone(), placeholder]));
    let mut out = super::serialize::save(doc);
    let digest = hex_upper(&content_digest(&out).to_be_bytes());
    let found = patch_trailer_id(&mut out, &hex_upper(&ID_PLACEHOLDER), &digest);
    // The placeholder is written in the trailer dictionary; not finding it is a bug.
    debug_assert!(found, "the /ID placeholder was not found in the trailer");
    Ok(out)
}

/// Replaces both copies of `placeholder` in the trailer with `digest`, matching its
/// case-insensitively; whether it was found. The trailer is the dictionary of the
/// cross-reference section that `startxref` points at (a `trailer` after a table, or the
/// cross-reference stream's own dictionary), up to that stream's data: a page's content
/// stream may well contain the placeholder's 32 zeros, and must not be touched.
fn patch_trailer_id(out: &mut [u8], placeholder: &str, digest: &str) -> bool {
    let Some(start) = last_xref_section(out) else {
        return false;
    };
    let end = find(&out[start..], b"stream").map_or(out.len(), |at| start + at);
    let mut found = false;
    let mut at = start;
    while let Some(pos) = find_ignore_case(&out[at..end], placeholder.as_bytes()) {
        let start = at + pos;
        out[start..start + digest.len()].copy_from_slice(digest.as_bytes());
        at = start + digest.len();
        found = true;
    }
    found
}

/// The offset `startxref` gives at the end of `pdf`, when it lies within the file.
fn last_xref_section(pdf: &[u8]) -> Option<usize> {
    let keyword = rfind(pdf, b"startxref")?;
    let digits = pdf.get(keyword + b"startxref".len()..)?;
    let digits: String = digits
        .iter()
        .skip_while(|b| b.is_ascii_whitespace())
        .take_while(|b| b.is_ascii_digit())
        .map(|&b| char::from(b))
        .collect();
    digits.parse().ok().filter(|&at| at < keyword)
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn rfind(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).rposition(|w| w == needle)
}

fn find_ignore_case(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|w| w.eq_ignore_ascii_case(needle))
}

fn hex_upper(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02X}")).collect()
}

/// A 128-bit digest of `bytes` for `/ID`: two FNV-1a style lanes with different seeds over
/// little-endian 8-byte words (the tail zero-padded, the length mixed in), each word folded
/// with a multiply and a shift so high input bits reach low output bits, then a SplitMix64
/// finaliser. Stable across platforms and Rust versions, needs no key, and reads a 13 MB file
/// in milliseconds (the byte-at-a-time 128-bit FNV-1a it replaces took far longer).
fn content_digest(bytes: &[u8]) -> u128 {
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    let mut lanes: [u64; 2] = [0xcbf2_9ce4_8422_2325, 0x6c62_272e_07bb_0142];
    let mut mix = |word: u64| {
        for (lane, rotate) in lanes.iter_mut().zip([0, 31]) {
            let h = (*lane ^ word.rotate_left(rotate)).wrapping_mul(PRIME);
            *lane = h ^ (h >> 29);
        }
    };
    let mut chunks = bytes.chunks_exact(8);
    for chunk in &mut chunks {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        mix(u64::from_le_bytes(word));
    }
    let mut tail = [0u8; 8];
    tail[..chunks.remainder().len()].copy_from_slice(chunks.remainder());
    mix(u64::from_le_bytes(tail));
    mix(bytes.len() as u64);
    let [a, b] = lanes.map(splitmix64);
    (u128::from(a) << 64) | u128::from(b)
}

/// SplitMix64's finaliser: every input bit affects every output bit.
fn splitmix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pdf::labels::LabelStyle;
    use crate::pdf::metadata::{xml_escape, xmp_packet};

    fn is_flate_only(stream: &Stream) -> bool {
        stream.filters().is_ok_and(|f| f == [b"FlateDecode"])
    }

    const PAGES: usize = 5;

    /// A five-page document built with lopdf (two front-matter pages, three body pages, each
    /// showing "Page i" twenty times), with the given `/ID`, numbered and linked as `render` makes a document.
    fn fixture(compressed: bool, id: &[u8]) -> Document {
        let mut doc = Document::with_version("1.4");
        let pages_id = doc.new_object_id();
        let font = doc.add_object(Dictionary::from_iter(vec![
            ("Type", Object::Name(b"Font".to_vec())),
            ("Subtype", Object::Name(b"Type1".to_vec())),
            ("BaseFont", Object::Name(b"Helvetica".to_vec())),
        ]));
        let kids = (0..PAGES)
            .map(|i| Object::Reference(fixture_page(&mut doc, i, pages_id, font, compressed)))
            .collect();
        doc.objects.insert(
            pages_id,
            Object::Dictionary(Dictionary::from_iter(vec![
                ("Type", Object::Name(b"Pages".to_vec())),
                ("Kids", Object::Array(kids)),
                ("Count", Object::Integer(PAGES as i64)),
            ])),
        );
        let catalog = doc.add_object(Dictionary::from_iter(vec![
            ("Type", Object::Name(b"Catalog".to_vec())),
            ("Pages", Object::Reference(pages_id)),
        ]));
        let id = Object::String(id.to_vec(), StringFormat::Hexadecimal);
        doc.trailer.set("Root", Object::Reference(catalog));
        doc.trailer.set("ID", Object::Array(vec![id.clone(), id]));
        doc
    }

    fn fixture_page(
        doc: &mut Document,
        i: usize,
        parent: ObjectId,
        font: ObjectId,
        compressed: bool,
    ) -> ObjectId {
        let mut text = String::from("BT\n/F1 12 Tf\n56 560 Td\n14 TL\n");
        for _ in 0..20 {
            text.push_str(&format!("(Page {i}) Tj\nT*\n"));
        }
        text.push_str("ET\n");
        let mut stream = Stream::new(Dictionary::new(), text.into_bytes());
        if compressed {
            stream.compress().unwrap();
        }
        let contents = doc.add_object(stream);
        let fonts = Dictionary::from_iter(vec![("F1", Object::Reference(font))]);
        let media_box = [0, 0, 432, 648].map(Object::Integer).to_vec();
        doc.add_object(Dictionary::from_iter(vec![
            ("Type", Object::Name(b"Page".to_vec())),
            ("Parent", Object::Reference(parent)),
            ("MediaBox", Object::Array(media_box)),
            (
                "Resources",
                Object::Dictionary(Dictionary::from_iter(vec![(
                    "Font",
                    Object::Dictionary(fonts),
                )])),
            ),
            ("Contents", Object::Reference(contents)),
        ]))
    }

    fn entry(title: &str, page: usize, y: f64, children: Vec<OutlineEntry>) -> OutlineEntry {
        OutlineEntry {
            title: title.to_string(),
            page,
            y,
            children,
        }
    }

    const KHMER: &str =
        "1.2 \u{1797}\u{17b6}\u{179f}\u{17b6}\u{1781}\u{17d2}\u{1798}\u{17c2}\u{179a}";

    fn pass(compress: bool) -> Finishing {
        Finishing {
            outline: vec![
                entry("Contents", 1, 600.0, vec![]),
                entry(
                    "Chapter 1: \u{201c}Beginnings\u{201d}",
                    2,
                    500.0,
                    vec![
                        entry("1.1 Caf\u{e9}", 2, 300.0, vec![]),
                        entry(KHMER, 3, 400.0, vec![entry("1.2.1 Deep", 3, 200.5, vec![])]),
                    ],
                ),
                entry("Chapter 2", 4, 500.0, vec![]),
            ],
            labels: vec![
                PageLabelRange {
                    first_page: 0,
                    style: LabelStyle::LowerRoman,
                    prefix: String::new(),
                    start: 1,
                },
                PageLabelRange {
                    first_page: 2,
                    style: LabelStyle::Decimal,
                    prefix: "p. ".into(),
                    start: 3,
                },
            ],
            info: DocumentInfo {
                title: "A \u{201c}Book\u{201d}".into(),
                author: "Ann & Bob <ab>".into(),
                subject: "Testing the post-pass".into(),
                keywords: vec!["typesetting".into(), "Khmer".into()],
                language: "en-GB".into(),
                creator: "octavo 0.1.0".into(),
                date: "2024-05-06T07:08:09Z".into(),
            },
            compress,
        }
    }

    fn reload(bytes: &[u8]) -> Document {
        Document::load_mem(bytes).expect("the output reloads")
    }

    fn catalog(doc: &Document) -> &Dictionary {
        doc.catalog().expect("catalog")
    }

    fn decode_text(object: &Object) -> String {
        let bytes = object.as_str().expect("a string");
        match bytes.strip_prefix(&[0xfe, 0xff][..]) {
            Some(utf16) => {
                let units: Vec<u16> = utf16
                    .chunks(2)
                    .map(|c| u16::from_be_bytes([c[0], c[1]]))
                    .collect();
                String::from_utf16(&units).expect("valid UTF-16")
            }
            None => bytes.iter().map(|&b| char::from(b)).collect(),
        }
    }

    /// An outline item as read back: title, 0-based page, y, /Count, children.
    #[derive(Debug, PartialEq)]
    struct Item {
        title: String,
        page: usize,
        y: f32,
        count: Option<i64>,
        children: Vec<Item>,
    }

    /// Reads the items under `parent`, checking Parent/Prev/Next/Last links on the way.
    fn read_items(doc: &Document, parent: ObjectId, pages: &[ObjectId]) -> Vec<Item> {
        let parent_dict = doc.get_dictionary(parent).unwrap();
        let Ok(first) = parent_dict.get(b"First").and_then(Object::as_reference) else {
            return vec![];
        };
        let mut items = vec![];
        let (mut current, mut previous) = (Some(first), None);
        while let Some(id) = current {
            let dict = doc.get_dictionary(id).unwrap();
            assert_eq!(dict.get(b"Parent").unwrap().as_reference().unwrap(), parent);
            assert_eq!(
                dict.get(b"Prev").and_then(Object::as_reference).ok(),
                previous
            );
            let dest = dict.get(b"Dest").unwrap().as_array().unwrap();
            assert_eq!(dest[1].as_name().unwrap(), b"XYZ");
            let page_ref = dest[0].as_reference().unwrap();
            items.push(Item {
                title: decode_text(dict.get(b"Title").unwrap()),
                page: pages.iter().position(|p| *p == page_ref).expect("a page"),
                y: dest[3].as_float().unwrap(),
                count: dict.get(b"Count").and_then(Object::as_i64).ok(),
                children: read_items(doc, id, pages),
            });
            previous = Some(id);
            current = dict.get(b"Next").and_then(Object::as_reference).ok();
        }
        let last = parent_dict.get(b"Last").unwrap().as_reference().unwrap();
        assert_eq!(Some(last), previous);
        items
    }

    fn item(title: &str, page: usize, y: f32, count: Option<i64>, children: Vec<Item>) -> Item {
        Item {
            title: title.into(),
            page,
            y,
            count,
            children,
        }
    }

    #[test]
    fn writes_a_nested_outline_with_page_destinations() {
        let doc = reload(&finish(fixture(false, b"first"), &pass(true)).unwrap());
        let pages: Vec<ObjectId> = doc.page_iter().collect();
        let root = catalog(&doc)
            .get(b"Outlines")
            .unwrap()
            .as_reference()
            .unwrap();
        let root_dict = doc.get_dictionary(root).unwrap();
        assert_eq!(
            root_dict.get(b"Type").unwrap().as_name().unwrap(),
            b"Outlines"
        );
        assert_eq!(root_dict.get(b"Count").unwrap().as_i64().unwrap(), 3);
        let expected = vec![
            item("Contents", 1, 600.0, None, vec![]),
            item(
                "Chapter 1: \u{201c}Beginnings\u{201d}",
                2,
                500.0,
                Some(-2),
                vec![
                    item("1.1 Caf\u{e9}", 2, 300.0, None, vec![]),
                    item(
                        KHMER,
                        3,
                        400.0,
                        Some(-1),
                        vec![item("1.2.1 Deep", 3, 200.5, None, vec![])],
                    ),
                ],
            ),
            item("Chapter 2", 4, 500.0, None, vec![]),
        ];
        assert_eq!(read_items(&doc, root, &pages), expected);
    }

    #[test]
    fn titles_are_pdfdoc_when_ascii_else_utf16_with_bom() {
        assert_eq!(
            text_string("Chapter 2"),
            Object::String(b"Chapter 2".to_vec(), StringFormat::Literal)
        );
        let Object::String(bytes, _) = text_string("Caf\u{e9} \u{1f600}") else {
            panic!("not a string");
        };
        assert_eq!(&bytes[..4], &[0xfe, 0xff, 0, b'C']);
        assert_eq!(
            decode_text(&text_string("Caf\u{e9} \u{1f600}")),
            "Caf\u{e9} \u{1f600}"
        );
    }

    #[test]
    fn sets_page_mode_language_and_viewer_preferences() {
        let doc = reload(&finish(fixture(false, b"first"), &pass(true)).unwrap());
        let catalog = catalog(&doc);
        assert_eq!(
            catalog.get(b"PageMode").unwrap().as_name().unwrap(),
            b"UseOutlines"
        );
        assert_eq!(decode_text(catalog.get(b"Lang").unwrap()), "en-GB");
        let prefs = catalog
            .get(b"ViewerPreferences")
            .unwrap()
            .as_dict()
            .unwrap();
        assert!(prefs.get(b"DisplayDocTitle").unwrap().as_bool().unwrap());
        assert!(doc.version.as_str() >= "1.4");
    }

    #[test]
    fn no_outline_means_no_outline_panel() {
        let mut pass = pass(true);
        pass.outline.clear();
        let doc = reload(&finish(fixture(false, b"first"), &pass).unwrap());
        assert!(!catalog(&doc).has(b"Outlines"));
        assert_eq!(
            catalog(&doc).get(b"PageMode").unwrap().as_name().unwrap(),
            b"UseNone"
        );
    }

    #[test]
    fn writes_page_label_ranges() {
        let doc = reload(&finish(fixture(false, b"first"), &pass(true)).unwrap());
        let labels = catalog(&doc).get(b"PageLabels").unwrap().as_dict().unwrap();
        let nums = labels.get(b"Nums").unwrap().as_array().unwrap();
        assert_eq!(nums.len(), 4);
        assert_eq!(nums[0].as_i64().unwrap(), 0);
        let roman = nums[1].as_dict().unwrap();
        assert_eq!(roman.get(b"S").unwrap().as_name().unwrap(), b"r");
        assert!(!roman.has(b"St") && !roman.has(b"P"));
        assert_eq!(nums[2].as_i64().unwrap(), 2);
        let arabic = nums[3].as_dict().unwrap();
        assert_eq!(arabic.get(b"S").unwrap().as_name().unwrap(), b"D");
        assert_eq!(arabic.get(b"St").unwrap().as_i64().unwrap(), 3);
        assert_eq!(decode_text(arabic.get(b"P").unwrap()), "p. ");
    }

    #[test]
    fn rejects_bad_label_ranges() {
        let mut bad = pass(true);
        bad.labels[0].first_page = 1;
        assert!(matches!(
            finish(fixture(false, b"first"), &bad),
            Err(FinishError::Labels(_))
        ));
        let mut bad = pass(true);
        bad.labels[1].first_page = PAGES;
        assert!(matches!(
            finish(fixture(false, b"first"), &bad),
            Err(FinishError::Labels(_))
        ));
        let mut bad = pass(true);
        bad.labels[1].first_page = 0;
        assert!(matches!(
            finish(fixture(false, b"first"), &bad),
            Err(FinishError::Labels(_))
        ));
        let mut bad = pass(true);
        bad.labels[1].start = 0;
        assert!(matches!(
            finish(fixture(false, b"first"), &bad),
            Err(FinishError::Labels(_))
        ));
    }

    #[test]
    fn rejects_outline_targets_outside_the_document() {
        let mut bad = pass(true);
        bad.outline[1].children[1].children[0].page = PAGES;
        let err = finish(fixture(false, b"first"), &bad).unwrap_err();
        assert!(
            matches!(err, FinishError::OutlinePage { page: PAGES, .. }),
            "{err}"
        );
        let mut bad = pass(true);
        bad.outline[0].y = f64::NAN;
        assert!(matches!(
            finish(fixture(false, b"first"), &bad),
            Err(FinishError::OutlinePosition { .. })
        ));
    }

    fn info(doc: &Document) -> &Dictionary {
        let id = doc.trailer.get(b"Info").unwrap().as_reference().unwrap();
        doc.get_dictionary(id).unwrap()
    }

    #[test]
    fn writes_info_afresh_from_the_given_date() {
        let doc = reload(&finish(fixture(false, b"first"), &pass(true)).unwrap());
        let info = info(&doc);
        let text = |key: &[u8]| decode_text(info.get(key).unwrap());
        assert_eq!(text(b"Title"), "A \u{201c}Book\u{201d}");
        assert_eq!(text(b"Author"), "Ann & Bob <ab>");
        assert_eq!(text(b"Subject"), "Testing the post-pass");
        assert_eq!(text(b"Keywords"), "typesetting, Khmer");
        assert_eq!(text(b"Creator"), "octavo 0.1.0");
        assert_eq!(text(b"Producer"), "octavo");
        assert_eq!(text(b"CreationDate"), "D:20240506070809Z");
        assert_eq!(text(b"ModDate"), "D:20240506070809Z");
    }

    #[test]
    fn rejects_malformed_dates() {
        for date in [
            "2023-02-29T00:00:00Z",
            "2024-04-31T00:00:00Z",
            "2024-05-06",
            "2024-13-06T07:08:09Z",
            "2024-05-06T07:08:09+01",
            "yyyy-05-06T07:08:09Z",
        ] {
            let mut bad = pass(true);
            bad.info.date = date.into();
            assert!(
                matches!(
                    finish(fixture(false, b"first"), &bad),
                    Err(FinishError::Date(_))
                ),
                "{date}"
            );
        }
        let mut undated = pass(true);
        undated.info.date.clear();
        let doc = reload(&finish(fixture(false, b"first"), &undated).unwrap());
        assert!(!info(&doc).has(b"CreationDate"));
        assert!(!xmp_text(&doc).contains("CreateDate"));
    }

    fn xmp_text(doc: &Document) -> String {
        let id = catalog(doc)
            .get(b"Metadata")
            .unwrap()
            .as_reference()
            .unwrap();
        let stream = doc.get_object(id).unwrap().as_stream().unwrap();
        assert!(!stream.dict.has(b"Filter"), "XMP must stay uncompressed");
        assert_eq!(
            stream.dict.get(b"Subtype").unwrap().as_name().unwrap(),
            b"XML"
        );
        String::from_utf8(stream.content.clone()).expect("UTF-8 XMP")
    }

    /// A small well-formedness check: balanced tags, known entities, no stray markup.
    fn assert_well_formed(xml: &str) {
        let mut stack: Vec<&str> = vec![];
        let mut rest = xml;
        while let Some(start) = rest.find(['<', '&']) {
            let text = &rest[..start];
            assert!(!text.contains('>'), "stray '>' in {text:?}");
            rest = &rest[start..];
            if rest.starts_with('&') {
                let known = ["&amp;", "&lt;", "&gt;", "&quot;", "&apos;"];
                assert!(
                    known.iter().any(|e| rest.starts_with(e)),
                    "bad entity at {rest:.20}"
                );
                rest = &rest[1..];
                continue;
            }
            let end = rest.find('>').expect("unclosed tag");
            let tag = &rest[1..end];
            rest = &rest[end + 1..];
            if tag.starts_with('?') {
                assert!(tag.ends_with('?'));
            } else if let Some(name) = tag.strip_prefix('/') {
                assert_eq!(stack.pop(), Some(name), "mismatched </{name}>");
            } else if !tag.ends_with('/') {
                assert!(!tag.contains('<'));
                stack.push(tag.split_whitespace().next().expect("a tag name"));
            }
        }
        assert!(stack.is_empty(), "unclosed {stack:?}");
    }

    #[test]
    fn writes_well_formed_xmp_consistent_with_info() {
        let doc = reload(&finish(fixture(false, b"first"), &pass(true)).unwrap());
        let xmp = xmp_text(&doc);
        assert_well_formed(&xmp);
        for expected in [
            "<dc:title><rdf:Alt><rdf:li xml:lang=\"x-default\">A \u{201c}Book\u{201d}</rdf:li>",
            "<dc:creator><rdf:Seq><rdf:li>Ann &amp; Bob &lt;ab&gt;</rdf:li></rdf:Seq>",
            "<dc:description><rdf:Alt><rdf:li xml:lang=\"x-default\">Testing the post-pass<",
            "<dc:subject><rdf:Bag><rdf:li>typesetting</rdf:li><rdf:li>Khmer</rdf:li></rdf:Bag>",
            "<dc:language><rdf:Bag><rdf:li>en-GB</rdf:li></rdf:Bag>",
            "<xmp:CreateDate>2024-05-06T07:08:09Z</xmp:CreateDate>",
            "<xmp:ModifyDate>2024-05-06T07:08:09Z</xmp:ModifyDate>",
            "<xmp:CreatorTool>octavo 0.1.0</xmp:CreatorTool>",
            "<pdf:Producer>octavo</pdf:Producer>",
            "<pdf:Keywords>typesetting, Khmer</pdf:Keywords>",
        ] {
            assert!(xmp.contains(expected), "missing {expected} in\n{xmp}");
        }
    }

    #[test]
    fn xml_escape_handles_markup_and_control_characters() {
        assert_eq!(
            xml_escape("a<b>&\"c'\u{1}\td"),
            "a&lt;b&gt;&amp;&quot;c&apos;\td"
        );
        assert_well_formed(&xmp_packet(
            &DocumentInfo {
                title: "</dc:title><x>".into(),
                author: "]]> & <!--".into(),
                ..Default::default()
            },
            None,
        ));
    }

    #[test]
    fn output_is_deterministic_and_independent_of_the_input_id() {
        let a = finish(fixture(false, b"first"), &pass(true)).unwrap();
        let b = finish(fixture(false, b"first"), &pass(true)).unwrap();
        let c = finish(fixture(false, b"second"), &pass(true)).unwrap();
        assert_eq!(a, b);
        assert_eq!(a, c);
        let doc = reload(&a);
        let ids = doc.trailer.get(b"ID").unwrap().as_array().unwrap();
        assert_eq!(ids.len(), 2);
        assert_eq!(ids[0], ids[1]);
        assert_eq!(ids[0].as_str().unwrap().len(), 16);
        assert_ne!(ids[0].as_str().unwrap(), ID_PLACEHOLDER);
        let mut other = pass(true);
        other.info.title.push('!');
        let d = reload(&finish(fixture(false, b"first"), &other).unwrap());
        assert_ne!(
            d.trailer.get(b"ID").unwrap(),
            doc.trailer.get(b"ID").unwrap()
        );
    }

    fn page_content_streams(doc: &Document) -> Vec<&Stream> {
        doc.page_iter()
            .flat_map(|page| doc.get_page_contents(page))
            .map(|id| doc.get_object(id).unwrap().as_stream().unwrap())
            .collect()
    }

    #[test]
    fn compresses_unfiltered_streams() {
        let doc = reload(&finish(fixture(false, b"first"), &pass(true)).unwrap());
        let streams = page_content_streams(&doc);
        assert_eq!(streams.len(), PAGES);
        for stream in streams {
            // lopdf keeps a stream raw when Flate would not make it smaller.
            if stream.content.len() > 64 {
                assert!(is_flate_only(stream));
            }
        }
    }

    #[test]
    fn a_pdf_without_pages_is_an_error() {
        let mut doc = Document::with_version("1.4");
        let pages = doc.add_object(Dictionary::from_iter(vec![
            ("Type", Object::Name(b"Pages".to_vec())),
            ("Kids", Object::Array(vec![])),
            ("Count", Object::Integer(0)),
        ]));
        let catalog = doc.add_object(Dictionary::from_iter(vec![
            ("Type", Object::Name(b"Catalog".to_vec())),
            ("Pages", Object::Reference(pages)),
        ]));
        doc.trailer.set("Root", Object::Reference(catalog));
        assert!(matches!(
            finish(doc, &pass(true)),
            Err(FinishError::NoPages)
        ));
    }

    /// Runs `qpdf --check` on the output (qpdf is installed by `make test`).
    fn qpdf_check(bytes: &[u8], name: &str) {
        let path =
            std::env::temp_dir().join(format!("octavo-finish-{}-{name}.pdf", std::process::id()));
        std::fs::write(&path, bytes).unwrap();
        let result = std::process::Command::new("qpdf")
            .arg("--check")
            .arg(&path)
            .output();
        let _ = std::fs::remove_file(&path);
        match result {
            Err(e) => panic!("cannot run qpdf (poppler-utils and qpdf come with `make test`): {e}"),
            Ok(out) => assert!(
                out.status.success(),
                "qpdf --check failed on {name}:\n{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            ),
        }
    }

    #[test]
    fn qpdf_accepts_the_output() {
        qpdf_check(
            &finish(fixture(false, b"first"), &pass(true)).unwrap(),
            "compressed",
        );
        qpdf_check(
            &finish(fixture(false, b"first"), &pass(false)).unwrap(),
            "readable",
        );
    }

    /// The outline (level, 1-based page, title) and page label ranges (first page, style,
    /// prefix) as qpdf reads them from `bytes`.
    fn qpdf_outline_and_labels(bytes: &[u8]) -> String {
        let path =
            std::env::temp_dir().join(format!("octavo-finish-{}-json.pdf", std::process::id()));
        std::fs::write(&path, bytes).unwrap();
        let out = std::process::Command::new("qpdf")
            .args(["--json=2", "--json-key=outlines", "--json-key=pagelabels"])
            .arg(&path)
            .output()
            .expect("qpdf runs (make test installs it)");
        let _ = std::fs::remove_file(&path);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let mut dump = String::new();
        fn walk(items: &serde_json::Value, level: usize, dump: &mut String) {
            for item in items.as_array().into_iter().flatten() {
                let page = &item["destpageposfrom1"];
                let title = item["title"].as_str().unwrap_or("");
                dump.push_str(&format!("toc {level} {page} {title}\n"));
                walk(&item["kids"], level + 1, dump);
            }
        }
        walk(&json["outlines"], 1, &mut dump);
        for range in json["pagelabels"].as_array().into_iter().flatten() {
            let label = &range["label"];
            dump.push_str(&format!(
                "label {} {} {:?}\n",
                range["index"],
                label["/S"],
                label["/P"].as_str().unwrap_or("")
            ));
        }
        dump
    }

    #[test]
    fn qpdf_reads_the_outline_and_labels() {
        let bytes = finish(fixture(false, b"first"), &pass(true)).unwrap();
        let expected = format!(
            "toc 1 2 Contents\n\
             toc 1 3 Chapter 1: \u{201c}Beginnings\u{201d}\n\
             toc 2 3 1.1 Caf\u{e9}\n\
             toc 2 4 {KHMER}\n\
             toc 3 4 1.2.1 Deep\n\
             toc 1 5 Chapter 2\n\
             label 0 \"/r\" \"\"\n\
             label 2 \"/D\" \"u:p. \"\n"
        );
        assert_eq!(qpdf_outline_and_labels(&bytes), expected);
    }

    const PINNED_EMPTY: u128 = 0x9a66_28c4_0bda_bec6_9c5f_3bf4_c0c7_2e69;
    const PINNED_OCTAVO: u128 = 0xf004_b198_ef1a_5501_7791_5d68_1a98_d2a3;

    #[test]
    fn content_digest_is_pinned_and_sensitive() {
        // Pinned: a change here changes every /ID octavo writes.
        assert_eq!(content_digest(b""), PINNED_EMPTY);
        assert_eq!(content_digest(b"octavo"), PINNED_OCTAVO);
        let text = b"%PDF-1.5 the same content always gives the same /ID".repeat(100);
        let base = content_digest(&text);
        for i in [0, 7, 8, text.len() - 1] {
            let mut flipped = text.clone();
            flipped[i] ^= 0x80;
            assert_ne!(content_digest(&flipped), base, "bit flipped at {i}");
        }
        assert_ne!(content_digest(&text[..text.len() - 1]), base);
        assert_ne!(content_digest(b"a\0"), content_digest(b"a"));
    }

    #[test]
    fn the_placeholder_id_is_patched_in_the_trailer_only() {
        let placeholder = hex_upper(&ID_PLACEHOLDER);
        let digest = "AB".repeat(16);
        // A cross-reference table and its trailer, after a stream with the placeholder.
        let head = format!("1 0 obj\n<<>>stream\n{placeholder}\nendstream\nendobj\n");
        let table = format!(
            "xref\n0 1\ntrailer\n<</ID[<{placeholder}><{}>]>>",
            placeholder.to_lowercase()
        );
        let mut bytes = format!("{head}{table}\nstartxref\n{}\n%%EOF", head.len()).into_bytes();
        assert!(patch_trailer_id(&mut bytes, &placeholder, &digest));
        let text = String::from_utf8(bytes).unwrap();
        assert!(text.starts_with(&head), "{text}");
        assert_eq!(text.matches(&digest).count(), 2, "{text}");
        // A cross-reference stream: its dictionary is patched, its data is not.
        let xref = format!(
            "2 0 obj\n<</ID[<{placeholder}><{placeholder}>]>>stream\n{placeholder}\nendstream"
        );
        let mut bytes = format!("{head}{xref}\nstartxref\n{}\n%%EOF", head.len()).into_bytes();
        assert!(patch_trailer_id(&mut bytes, &placeholder, &digest));
        let text = String::from_utf8(bytes).unwrap();
        assert!(text.starts_with(&head), "{text}");
        assert_eq!(text.matches(&digest).count(), 2, "{text}");
        assert!(
            text.contains(&format!("stream\n{placeholder}\nendstream\n")),
            "{text}"
        );
    }
}
