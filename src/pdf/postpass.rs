//! The lopdf post-pass: the document-level structure of a book (DESIGN.md "A lopdf post-pass").
//!
//! `render` produces the pages, fonts and images as an in-memory `lopdf::Document`; [`finish`]
//! adds what belongs to the whole book and writes the bytes, with no serialise-and-parse round
//! trip (the build used to save printpdf's output and parse it back here: that re-parse cost
//! about half a second on a 4,040-page book). [`apply`] does the same to a PDF's bytes.
//!
//! - **Outline.** A nested tree (chapters → sections → …) whose entries jump to the heading
//!   itself (`/XYZ null y null`). Entries with children are written *closed*, like LaTeX's
//!   hyperref does by default: a book has dozens of chapters and hundreds of sections, and an
//!   outline that opens fully is a wall a reader must scroll through, while the closed
//!   chapter list fits the sidebar and expands on demand.
//! - **`/PageMode /UseOutlines`** (a name, as viewers require) when there is an outline,
//!   `/UseNone` otherwise.
//! - **`/PageLabels`** (roman folios in the front matter, arabic from chapter one), `/Lang`
//!   and `/ViewerPreferences << /DisplayDocTitle true >>`.
//! - **Metadata.** `/Info` and an XMP `/Metadata` stream are written afresh from
//!   [`DocumentInfo`], consistent with each other, with dates from the book (never the clock).
//! - **Determinism.** Unreachable objects are pruned and the rest renumbered densely in their
//!   original order; `/ID` is a 128-bit digest of the file as written with a placeholder ID,
//!   patched in place (one save), so the same input always gives the same bytes. The bytes
//!   are written by [`super::serialize`] (on all cores, with a compressed cross-reference
//!   stream) rather than by lopdf.
//! - **Streams.** Flate-compress every unfiltered stream, or (the debugging option) inflate
//!   every Flate-compressed content stream so a human can read the page operators.
//!
//! It also raises the header to PDF 1.5 (`/Metadata`, `/Lang` and `/DisplayDocTitle` are
//! PDF 1.4 features, marked content with `/ActualText` needs 1.5).

use std::collections::{BTreeMap, BTreeSet};

use lopdf::{Dictionary, Document, Object, ObjectId, Stream, StringFormat};

/// Largest size a single stream may inflate to when decompressing for readability.
const MAX_INFLATED_STREAM: usize = 1 << 30;

/// The producer written to `/Info` and to the XMP packet.
const PRODUCER: &str = "octavo";

/// One entry of the PDF outline (the bookmarks panel), with its nested entries.
#[derive(Debug, Clone, PartialEq)]
pub struct OutlineEntry {
    /// The text shown in the outline (any Unicode).
    pub title: String,
    /// The 0-based index of the page the entry jumps to.
    pub page: usize,
    /// Where on that page the view's top edge goes, in points from the page bottom.
    pub y: f64,
    /// Entries nested under this one (sections of a chapter, …).
    pub children: Vec<OutlineEntry>,
}

/// The numbering style of a page label range (`/S` in a page label dictionary).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LabelStyle {
    /// Arabic numerals: 1, 2, 3 (`/S /D`).
    Decimal,
    /// Lower-case roman numerals: i, ii, iii (`/S /r`).
    LowerRoman,
    /// Upper-case roman numerals: I, II, III (`/S /R`).
    UpperRoman,
    /// No number: the label is the prefix alone (e.g. "Cover").
    None,
}

/// A run of pages sharing one label style, from `first_page` to the next range's start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageLabelRange {
    /// The 0-based index of the range's first page; the first range must start at 0.
    pub first_page: usize,
    /// How the pages of the range are numbered.
    pub style: LabelStyle,
    /// Text put before every number of the range (may be empty).
    pub prefix: String,
    /// The number of the range's first page (at least 1).
    pub start: u32,
}

/// Document metadata, written both to `/Info` and to the XMP packet.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DocumentInfo {
    /// The book's title (`/Title`, `dc:title`).
    pub title: String,
    /// The author or authors as one display string (`/Author`, `dc:creator`).
    pub author: String,
    /// A one-line description (`/Subject`, `dc:description`).
    pub subject: String,
    /// Keywords (`/Keywords` joined by ", ", `dc:subject` as a bag, `pdf:Keywords`).
    pub keywords: Vec<String>,
    /// The main language as a BCP 47 tag (catalog `/Lang`, `dc:language`).
    pub language: String,
    /// The tool that made the source (`/Creator`, `xmp:CreatorTool`).
    pub creator: String,
    /// Creation and modification date, `YYYY-MM-DDThh:mm:ssZ` (UTC); empty to write no date.
    pub date: String,
}

/// Everything the post-pass adds to a PDF.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PostPass {
    /// The top-level outline entries (chapters), with their sections nested.
    pub outline: Vec<OutlineEntry>,
    /// Page label ranges in increasing `first_page` order; empty to write no `/PageLabels`.
    pub labels: Vec<PageLabelRange>,
    /// Title, author, language, date, ….
    pub info: DocumentInfo,
    /// `true` to Flate-compress all unfiltered streams; `false` to inflate content streams so
    /// they can be read in a text editor (debugging).
    pub compress: bool,
}

/// Why the post-pass could not produce a PDF.
#[derive(Debug, thiserror::Error)]
pub enum PostPassError {
    /// lopdf could not parse the input.
    #[error("cannot read the rendered PDF: {0}")]
    Load(#[source] lopdf::Error),
    /// The parser gave up in a way that would have crashed the program.
    #[error("cannot read the rendered PDF: the parser failed on malformed input")]
    Malformed,
    /// The input is encrypted, which the renderer never does.
    #[error("the rendered PDF is encrypted")]
    Encrypted,
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

/// Applies the post-pass to a PDF's bytes and returns the new PDF's bytes.
///
/// The output depends only on `pdf`'s content (not its `/ID`) and on `pass`: the same input
/// gives byte-identical output. Malformed input is an error, never a panic.
pub fn apply(pdf: &[u8], pass: &PostPass) -> Result<Vec<u8>, PostPassError> {
    finish(load(pdf)?, pass)
}

/// Applies the post-pass to a document in memory (as `render` makes it) and writes it.
///
/// The output depends only on the document's content (not its `/ID`) and on `pass`.
pub fn finish(mut doc: Document, pass: &PostPass) -> Result<Vec<u8>, PostPassError> {
    let date = PdfDate::parse(&pass.info.date)?;
    let catalog_id = catalog_id(&doc)?;
    let pages: Vec<ObjectId> = doc.page_iter().collect();
    if pages.is_empty() {
        return Err(PostPassError::NoPages);
    }
    validate_outline(&pass.outline, pages.len())?;
    let labels = page_labels(&pass.labels, pages.len())?;
    let info = write_structure(&mut doc, catalog_id, &pages, pass, labels, date.as_ref())?;
    doc.trailer = Dictionary::from_iter(vec![
        ("Root", Object::Reference(catalog_id)),
        ("Info", Object::Reference(info)),
    ]);
    compact(&mut doc);
    if pass.compress {
        compress_streams(&mut doc)?;
    } else {
        inflate_content_streams(&mut doc);
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
    pass: &PostPass,
    labels: Option<Dictionary>,
    date: Option<&PdfDate>,
) -> Result<ObjectId, PostPassError> {
    let outline = write_outline(doc, &pass.outline, pages);
    let metadata = doc.add_object(xmp_stream(&pass.info, date));
    let info = doc.add_object(info_dict(&pass.info, date));
    let viewer_prefs = viewer_preferences(doc, catalog_id);
    let catalog = doc
        .get_dictionary_mut(catalog_id)
        .map_err(|_| PostPassError::NoCatalog)?;
    update_catalog(catalog, outline, labels, metadata, &pass.info.language);
    catalog.set("ViewerPreferences", viewer_prefs);
    Ok(info)
}

/// Loads the PDF, turning parser panics into an error.
fn load(pdf: &[u8]) -> Result<Document, PostPassError> {
    let mut loaded = std::panic::catch_unwind(|| Document::load_mem(pdf))
        .map_err(|_| PostPassError::Malformed)?
        .map_err(PostPassError::Load)?;
    if loaded.is_encrypted() || loaded.trailer.has(b"Encrypt") {
        return Err(PostPassError::Encrypted);
    }
    // New objects are numbered from max_id: never let a bad xref make them collide.
    let highest = loaded.objects.keys().map(|id| id.0).max().unwrap_or(0);
    loaded.max_id = loaded.max_id.max(highest);
    Ok(loaded)
}

/// The object id of the document catalog.
fn catalog_id(doc: &Document) -> Result<ObjectId, PostPassError> {
    let id = doc
        .trailer
        .get(b"Root")
        .and_then(Object::as_reference)
        .map_err(|_| PostPassError::NoCatalog)?;
    match doc.get_dictionary(id) {
        Ok(_) => Ok(id),
        Err(_) => Err(PostPassError::NoCatalog),
    }
}

// ---------------------------------------------------------------------------------------------
// Validation

/// Checks every outline entry's target page and position.
fn validate_outline(entries: &[OutlineEntry], pages: usize) -> Result<(), PostPassError> {
    for entry in entries {
        if entry.page >= pages {
            return Err(PostPassError::OutlinePage {
                title: entry.title.clone(),
                page: entry.page,
                pages,
            });
        }
        if !entry.y.is_finite() {
            return Err(PostPassError::OutlinePosition {
                title: entry.title.clone(),
            });
        }
        validate_outline(&entry.children, pages)?;
    }
    Ok(())
}

/// Builds the `/PageLabels` number tree, or `None` when there are no ranges.
fn page_labels(
    ranges: &[PageLabelRange],
    pages: usize,
) -> Result<Option<Dictionary>, PostPassError> {
    let Some(first) = ranges.first() else {
        return Ok(None);
    };
    if first.first_page != 0 {
        return Err(PostPassError::Labels(
            "the first range must start at page 0".into(),
        ));
    }
    let mut nums = Vec::with_capacity(ranges.len() * 2);
    let mut previous = None;
    for range in ranges {
        check_label_range(range, previous, pages)?;
        previous = Some(range.first_page);
        nums.push(Object::Integer(range.first_page as i64));
        nums.push(Object::Dictionary(label_dict(range)));
    }
    Ok(Some(Dictionary::from_iter(vec![(
        "Nums",
        Object::Array(nums),
    )])))
}

fn check_label_range(
    range: &PageLabelRange,
    previous: Option<usize>,
    pages: usize,
) -> Result<(), PostPassError> {
    if previous.is_some_and(|p| range.first_page <= p) {
        return Err(PostPassError::Labels(format!(
            "range at page {} is not after the previous range",
            range.first_page
        )));
    }
    if range.first_page >= pages {
        return Err(PostPassError::Labels(format!(
            "range at page {} but the PDF has {pages} pages",
            range.first_page
        )));
    }
    if range.start == 0 {
        return Err(PostPassError::Labels(format!(
            "range at page {} starts numbering at 0 (must be at least 1)",
            range.first_page
        )));
    }
    Ok(())
}

/// One page label dictionary: `<< /S /r /P (prefix) /St n >>`.
fn label_dict(range: &PageLabelRange) -> Dictionary {
    let mut dict = Dictionary::new();
    let style: Option<&str> = match range.style {
        LabelStyle::Decimal => Some("D"),
        LabelStyle::LowerRoman => Some("r"),
        LabelStyle::UpperRoman => Some("R"),
        LabelStyle::None => None,
    };
    if let Some(style) = style {
        dict.set("S", Object::Name(style.into()));
    }
    if !range.prefix.is_empty() {
        dict.set("P", text_string(&range.prefix));
    }
    if range.start != 1 {
        dict.set("St", Object::Integer(i64::from(range.start)));
    }
    dict
}

// ---------------------------------------------------------------------------------------------
// Dates

/// A validated UTC timestamp.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct PdfDate {
    year: u32,
    month: u32,
    day: u32,
    hour: u32,
    minute: u32,
    second: u32,
}

impl PdfDate {
    /// Parses `YYYY-MM-DDThh:mm:ssZ`; an empty string means "no date".
    fn parse(text: &str) -> Result<Option<Self>, PostPassError> {
        if text.is_empty() {
            return Ok(None);
        }
        let bad = || PostPassError::Date(text.to_string());
        let bytes = text.as_bytes();
        let shape_ok = bytes.len() == 20
            && bytes.iter().enumerate().all(|(i, &b)| match i {
                4 | 7 => b == b'-',
                10 => b == b'T',
                13 | 16 => b == b':',
                19 => b == b'Z',
                _ => b.is_ascii_digit(),
            });
        if !shape_ok {
            return Err(bad());
        }
        let num = |from: usize, to: usize| text[from..to].parse::<u32>().map_err(|_| bad());
        let date = PdfDate {
            year: num(0, 4)?,
            month: num(5, 7)?,
            day: num(8, 10)?,
            hour: num(11, 13)?,
            minute: num(14, 16)?,
            second: num(17, 19)?,
        };
        date.in_range().then_some(Some(date)).ok_or_else(bad)
    }

    fn in_range(&self) -> bool {
        (1..=12).contains(&self.month)
            && (1..=days_in_month(self.year, self.month)).contains(&self.day)
            && self.hour < 24
            && self.minute < 60
            && self.second < 61
    }

    /// `D:YYYYMMDDHHmmSSZ`, the PDF date format.
    fn pdf(&self) -> String {
        format!(
            "D:{:04}{:02}{:02}{:02}{:02}{:02}Z",
            self.year, self.month, self.day, self.hour, self.minute, self.second
        )
    }

    /// `YYYY-MM-DDThh:mm:ssZ`, the XMP date format.
    fn xmp(&self) -> String {
        format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
            self.year, self.month, self.day, self.hour, self.minute, self.second
        )
    }
}

/// The number of days in `month` (1-12) of `year` in the Gregorian calendar.
fn days_in_month(year: u32, month: u32) -> u32 {
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    match month {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

// ---------------------------------------------------------------------------------------------
// Text strings

/// A PDF text string: PDFDocEncoding (here: printable ASCII) when possible, else UTF-16BE
/// with a byte order mark.
fn text_string(text: &str) -> Object {
    if text.bytes().all(|b| (0x20..0x7f).contains(&b)) {
        Object::String(text.as_bytes().to_vec(), StringFormat::Literal)
    } else {
        let mut bytes = vec![0xfe, 0xff];
        bytes.extend(text.encode_utf16().flat_map(u16::to_be_bytes));
        Object::String(bytes, StringFormat::Hexadecimal)
    }
}

// ---------------------------------------------------------------------------------------------
// Outline

/// Writes the outline root and its items; `None` when there is no outline.
fn write_outline(
    doc: &mut Document,
    entries: &[OutlineEntry],
    pages: &[ObjectId],
) -> Option<ObjectId> {
    if entries.is_empty() {
        return None;
    }
    let root = doc.new_object_id();
    let (first, last) = write_siblings(doc, entries, root, pages);
    let dict = Dictionary::from_iter(vec![
        ("Type", Object::Name(b"Outlines".to_vec())),
        ("First", Object::Reference(first)),
        ("Last", Object::Reference(last)),
        // Every item with children is closed, so exactly the top level is visible.
        ("Count", Object::Integer(entries.len() as i64)),
    ]);
    doc.objects.insert(root, Object::Dictionary(dict));
    Some(root)
}

/// Writes one list of sibling items under `parent`; returns the first and last item ids.
/// `entries` must not be empty.
fn write_siblings(
    doc: &mut Document,
    entries: &[OutlineEntry],
    parent: ObjectId,
    pages: &[ObjectId],
) -> (ObjectId, ObjectId) {
    let ids: Vec<ObjectId> = entries.iter().map(|_| doc.new_object_id()).collect();
    for (i, entry) in entries.iter().enumerate() {
        let mut dict = outline_item(entry, parent, pages);
        if i > 0 {
            dict.set("Prev", Object::Reference(ids[i - 1]));
        }
        if let Some(next) = ids.get(i + 1) {
            dict.set("Next", Object::Reference(*next));
        }
        if !entry.children.is_empty() {
            let (first, last) = write_siblings(doc, &entry.children, ids[i], pages);
            dict.set("First", Object::Reference(first));
            dict.set("Last", Object::Reference(last));
            // Negative: closed, with this many items shown when opened (its children, which
            // are closed themselves).
            dict.set("Count", Object::Integer(-(entry.children.len() as i64)));
        }
        doc.objects.insert(ids[i], Object::Dictionary(dict));
    }
    (ids[0], ids[ids.len() - 1])
}

/// An outline item's own entries: title, parent and destination.
fn outline_item(entry: &OutlineEntry, parent: ObjectId, pages: &[ObjectId]) -> Dictionary {
    let page = pages[entry.page];
    let dest = vec![
        Object::Reference(page),
        Object::Name(b"XYZ".to_vec()),
        Object::Null,
        Object::Real(entry.y as f32),
        Object::Null,
    ];
    Dictionary::from_iter(vec![
        ("Title", text_string(&entry.title)),
        ("Parent", Object::Reference(parent)),
        ("Dest", Object::Array(dest)),
    ])
}

// ---------------------------------------------------------------------------------------------
// Catalog

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

// ---------------------------------------------------------------------------------------------
// Metadata

/// The `/Info` dictionary; empty fields are left out.
fn info_dict(info: &DocumentInfo, date: Option<&PdfDate>) -> Dictionary {
    let keywords = info.keywords.join(", ");
    let fields = [
        ("Title", info.title.as_str()),
        ("Author", info.author.as_str()),
        ("Subject", info.subject.as_str()),
        ("Keywords", keywords.as_str()),
        ("Creator", info.creator.as_str()),
        ("Producer", PRODUCER),
    ];
    let mut dict = Dictionary::new();
    for (key, value) in fields.into_iter().filter(|(_, v)| !v.is_empty()) {
        dict.set(key, text_string(value));
    }
    if let Some(date) = date {
        let stamp = date.pdf().into_bytes();
        dict.set(
            "CreationDate",
            Object::String(stamp.clone(), StringFormat::Literal),
        );
        dict.set("ModDate", Object::String(stamp, StringFormat::Literal));
    }
    dict
}

/// The XMP `/Metadata` stream; it stays uncompressed so tools can find it without PDF parsing.
fn xmp_stream(info: &DocumentInfo, date: Option<&PdfDate>) -> Stream {
    let dict = Dictionary::from_iter(vec![
        ("Type", Object::Name(b"Metadata".to_vec())),
        ("Subtype", Object::Name(b"XML".to_vec())),
    ]);
    Stream::new(dict, xmp_packet(info, date).into_bytes()).with_compression(false)
}

/// The XMP packet, consistent with [`info_dict`].
fn xmp_packet(info: &DocumentInfo, date: Option<&PdfDate>) -> String {
    let mut body = String::from("   <dc:format>application/pdf</dc:format>\n");
    if !info.title.is_empty() {
        body += &xmp_lang_alt("dc:title", &info.title);
    }
    if !info.author.is_empty() {
        body += &xmp_list("dc:creator", "rdf:Seq", std::slice::from_ref(&info.author));
    }
    if !info.subject.is_empty() {
        body += &xmp_lang_alt("dc:description", &info.subject);
    }
    if !info.keywords.is_empty() {
        body += &xmp_list("dc:subject", "rdf:Bag", &info.keywords);
    }
    if !info.language.is_empty() {
        body += &xmp_list(
            "dc:language",
            "rdf:Bag",
            std::slice::from_ref(&info.language),
        );
    }
    if let Some(date) = date {
        for name in ["xmp:CreateDate", "xmp:ModifyDate", "xmp:MetadataDate"] {
            body += &xmp_simple(name, &date.xmp());
        }
    }
    if !info.creator.is_empty() {
        body += &xmp_simple("xmp:CreatorTool", &info.creator);
    }
    body += &xmp_simple("pdf:Producer", PRODUCER);
    if !info.keywords.is_empty() {
        body += &xmp_simple("pdf:Keywords", &info.keywords.join(", "));
    }
    format!(
        "<?xpacket begin=\"\u{feff}\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?>\n\
         <x:xmpmeta xmlns:x=\"adobe:ns:meta/\">\n \
         <rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">\n  \
         <rdf:Description rdf:about=\"\"\n    \
         xmlns:dc=\"http://purl.org/dc/elements/1.1/\"\n    \
         xmlns:xmp=\"http://ns.adobe.com/xap/1.0/\"\n    \
         xmlns:pdf=\"http://ns.adobe.com/pdf/1.3/\">\n\
         {body}  </rdf:Description>\n </rdf:RDF>\n</x:xmpmeta>\n<?xpacket end=\"w\"?>"
    )
}

fn xmp_simple(name: &str, value: &str) -> String {
    format!("   <{name}>{}</{name}>\n", xml_escape(value))
}

fn xmp_lang_alt(name: &str, value: &str) -> String {
    format!(
        "   <{name}><rdf:Alt><rdf:li xml:lang=\"x-default\">{}</rdf:li></rdf:Alt></{name}>\n",
        xml_escape(value)
    )
}

fn xmp_list(name: &str, container: &str, values: &[String]) -> String {
    let items: String = values
        .iter()
        .map(|v| format!("<rdf:li>{}</rdf:li>", xml_escape(v)))
        .collect();
    format!("   <{name}><{container}>{items}</{container}></{name}>\n")
}

/// XML escaping for the XMP packet (shared with the EPUB writer).
fn xml_escape(text: &str) -> String {
    crate::xml::escape(text)
}

// ---------------------------------------------------------------------------------------------
// Pruning and renumbering

/// Drops objects unreachable from the trailer and renumbers the rest 1..n (generation 0) in
/// their original order, so the output's numbering depends only on the document's content.
/// References to missing objects become `null`, as the PDF specification reads them.
fn compact(doc: &mut Document) {
    let reachable = reachable(doc);
    let dense = reachable.len() == doc.objects.len()
        && reachable.iter().zip(1u32..).all(|(&id, n)| id == (n, 0));
    if dense {
        // Already numbered 1..n with nothing unreachable (what `render` makes): renumbering
        // would change nothing.
        doc.max_id = reachable.len() as u32;
        return;
    }
    let renumber: BTreeMap<ObjectId, ObjectId> = reachable
        .iter()
        .zip(1u32..)
        .map(|(&old, new)| (old, (new, 0)))
        .collect();
    let objects = std::mem::take(&mut doc.objects);
    for (old, mut object) in objects {
        if let Some(&new) = renumber.get(&old) {
            rewrite_references(&mut object, &renumber);
            doc.objects.insert(new, object);
        }
    }
    for (_, value) in doc.trailer.iter_mut() {
        rewrite_references(value, &renumber);
    }
    doc.max_id = renumber.len() as u32;
}

/// The ids of all existing objects reachable from the trailer.
fn reachable(doc: &Document) -> BTreeSet<ObjectId> {
    let mut seen = BTreeSet::new();
    let mut todo = Vec::new();
    for (_, value) in doc.trailer.iter() {
        collect_references(value, &mut todo);
    }
    while let Some(id) = todo.pop() {
        let Some(object) = doc.objects.get(&id) else {
            continue;
        };
        if seen.insert(id) {
            collect_references(object, &mut todo);
        }
    }
    seen
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

fn rewrite_references(object: &mut Object, renumber: &BTreeMap<ObjectId, ObjectId>) {
    match object {
        Object::Reference(id) => match renumber.get(id) {
            Some(&new) => *id = new,
            None => *object = Object::Null,
        },
        Object::Array(items) => items
            .iter_mut()
            .for_each(|o| rewrite_references(o, renumber)),
        Object::Dictionary(dict) => dict
            .iter_mut()
            .for_each(|(_, o)| rewrite_references(o, renumber)),
        Object::Stream(stream) => stream
            .dict
            .iter_mut()
            .for_each(|(_, o)| rewrite_references(o, renumber)),
        _ => {}
    }
}

// ---------------------------------------------------------------------------------------------
// Streams

/// Flate-compresses every stream that has no filter yet, except the XMP packet.
fn compress_streams(doc: &mut Document) -> Result<(), PostPassError> {
    for (&id, object) in doc.objects.iter_mut() {
        let Object::Stream(stream) = object else {
            continue;
        };
        if stream.dict.has(b"Filter") || is_metadata(stream) {
            continue;
        }
        stream
            .compress()
            .map_err(|source| PostPassError::Compress { id, source })?;
    }
    Ok(())
}

/// Inflates every stream that is Flate-compressed (and nothing else), except images and font
/// programs, which are binary anyway. A stream that does not inflate is left as it was.
fn inflate_content_streams(doc: &mut Document) {
    let font_programs = font_programs(doc);
    for (id, object) in doc.objects.iter_mut() {
        let Object::Stream(stream) = object else {
            continue;
        };
        if font_programs.contains(id) || is_image(stream) || !is_flate_only(stream) {
            continue;
        }
        if let Ok(plain) = stream.decompressed_content_with_limit(MAX_INFLATED_STREAM) {
            stream.set_plain_content(plain);
        }
    }
}

/// The ids of the streams a font descriptor names as `/FontFile`, `/FontFile2` or `/FontFile3`.
fn font_programs(doc: &Document) -> BTreeSet<ObjectId> {
    let mut ids = BTreeSet::new();
    for object in doc.objects.values() {
        let Ok(dict) = object.as_dict() else {
            continue;
        };
        for key in [&b"FontFile"[..], b"FontFile2", b"FontFile3"] {
            if let Ok(id) = dict.get(key).and_then(Object::as_reference) {
                ids.insert(id);
            }
        }
    }
    ids
}

fn is_metadata(stream: &Stream) -> bool {
    has_name(stream, b"Type", b"Metadata")
}

fn is_image(stream: &Stream) -> bool {
    has_name(stream, b"Subtype", b"Image")
}

/// Whether the stream's dictionary maps `key` to the name `value`.
fn has_name(stream: &Stream, key: &[u8], value: &[u8]) -> bool {
    stream
        .dict
        .get(key)
        .and_then(Object::as_name)
        .is_ok_and(|n| n == value)
}

fn is_flate_only(stream: &Stream) -> bool {
    stream.filters().is_ok_and(|f| f == [b"FlateDecode"])
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
fn save_with_content_id(doc: &mut Document) -> Result<Vec<u8>, PostPassError> {
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

    const PAGES: usize = 5;

    /// A five-page document built with lopdf (two front-matter pages, three body pages, each
    /// showing "Page i" twenty times), with a stale `/Info` and the given `/ID`.
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
        let stale_info = doc.add_object(Dictionary::from_iter(vec![
            ("GTS_PDFXVersion", Object::string_literal("")),
            ("Trapped", Object::Name(b"False".to_vec())),
            ("Identifier", Object::string_literal("random")),
        ]));
        let id = Object::String(id.to_vec(), StringFormat::Hexadecimal);
        doc.trailer.set("Root", Object::Reference(catalog));
        doc.trailer.set("Info", Object::Reference(stale_info));
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

    fn saved(mut doc: Document) -> Vec<u8> {
        let mut bytes = Vec::new();
        doc.save_to(&mut bytes).unwrap();
        bytes
    }

    /// The fixture's bytes, streams uncompressed.
    fn plain() -> Vec<u8> {
        saved(fixture(false, b"first"))
    }

    /// The fixture's bytes, content streams Flate-compressed.
    fn compressed() -> Vec<u8> {
        saved(fixture(true, b"first"))
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

    fn pass(compress: bool) -> PostPass {
        PostPass {
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
        let doc = reload(&apply(&plain(), &pass(true)).unwrap());
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
        let doc = reload(&apply(&plain(), &pass(true)).unwrap());
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
        let doc = reload(&apply(&plain(), &pass).unwrap());
        assert!(!catalog(&doc).has(b"Outlines"));
        assert_eq!(
            catalog(&doc).get(b"PageMode").unwrap().as_name().unwrap(),
            b"UseNone"
        );
    }

    #[test]
    fn writes_page_label_ranges() {
        let doc = reload(&apply(&plain(), &pass(true)).unwrap());
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
            apply(&plain(), &bad),
            Err(PostPassError::Labels(_))
        ));
        let mut bad = pass(true);
        bad.labels[1].first_page = PAGES;
        assert!(matches!(
            apply(&plain(), &bad),
            Err(PostPassError::Labels(_))
        ));
        let mut bad = pass(true);
        bad.labels[1].first_page = 0;
        assert!(matches!(
            apply(&plain(), &bad),
            Err(PostPassError::Labels(_))
        ));
        let mut bad = pass(true);
        bad.labels[1].start = 0;
        assert!(matches!(
            apply(&plain(), &bad),
            Err(PostPassError::Labels(_))
        ));
    }

    #[test]
    fn rejects_outline_targets_outside_the_document() {
        let mut bad = pass(true);
        bad.outline[1].children[1].children[0].page = PAGES;
        let err = apply(&plain(), &bad).unwrap_err();
        assert!(
            matches!(err, PostPassError::OutlinePage { page: PAGES, .. }),
            "{err}"
        );
        let mut bad = pass(true);
        bad.outline[0].y = f64::NAN;
        assert!(matches!(
            apply(&plain(), &bad),
            Err(PostPassError::OutlinePosition { .. })
        ));
    }

    fn info(doc: &Document) -> &Dictionary {
        let id = doc.trailer.get(b"Info").unwrap().as_reference().unwrap();
        doc.get_dictionary(id).unwrap()
    }

    #[test]
    fn writes_info_afresh_from_the_given_date() {
        let doc = reload(&apply(&plain(), &pass(true)).unwrap());
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
        for key in [&b"GTS_PDFXVersion"[..], b"Trapped", b"Identifier"] {
            assert!(!info.has(key), "{}", String::from_utf8_lossy(key));
        }
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
                matches!(apply(&plain(), &bad), Err(PostPassError::Date(_))),
                "{date}"
            );
        }
        let mut undated = pass(true);
        undated.info.date.clear();
        let doc = reload(&apply(&plain(), &undated).unwrap());
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
        let doc = reload(&apply(&plain(), &pass(true)).unwrap());
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
        let first_render = plain();
        let second_render = saved(fixture(false, b"second"));
        assert_ne!(first_render, second_render);
        let a = apply(&first_render, &pass(true)).unwrap();
        let b = apply(&first_render, &pass(true)).unwrap();
        let c = apply(&second_render, &pass(true)).unwrap();
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
        let d = reload(&apply(&first_render, &other).unwrap());
        assert_ne!(
            d.trailer.get(b"ID").unwrap(),
            doc.trailer.get(b"ID").unwrap()
        );
    }

    #[test]
    fn finishing_in_memory_matches_finishing_the_bytes() {
        let in_memory = finish(fixture(true, b"first"), &pass(true)).unwrap();
        assert_eq!(in_memory, apply(&compressed(), &pass(true)).unwrap());
    }

    #[test]
    fn reapplying_replaces_rather_than_accumulates() {
        let once = apply(&plain(), &pass(true)).unwrap();
        let twice = apply(&once, &pass(true)).unwrap();
        assert_eq!(reload(&once).objects.len(), reload(&twice).objects.len());
        let doc = reload(&twice);
        let ids: Vec<u32> = doc.objects.keys().map(|id| id.0).collect();
        assert_eq!(
            ids,
            (1..=ids.len() as u32).collect::<Vec<_>>(),
            "dense numbering"
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
        let doc = reload(&apply(&plain(), &pass(true)).unwrap());
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
    fn debug_mode_leaves_content_streams_readable() {
        let compressed_input = compressed();
        assert!(page_content_streams(&reload(&compressed_input))
            .iter()
            .any(|s| s.dict.has(b"Filter")));
        let out = apply(&compressed_input, &pass(false)).unwrap();
        let doc = reload(&out);
        for (i, stream) in page_content_streams(&doc).into_iter().enumerate() {
            assert!(!stream.dict.has(b"Filter"));
            let text = String::from_utf8_lossy(&stream.content);
            assert!(text.contains(&format!("(Page {i}) Tj")), "{text}");
        }
    }

    #[test]
    fn malformed_input_is_an_error_not_a_panic() {
        let good = plain();
        for input in [
            &b""[..],
            b"not a pdf",
            b"%PDF-1.4\n%%EOF",
            &good[..good.len() / 2],
        ] {
            let _ = apply(input, &pass(true));
        }
        for cut in (0..good.len()).step_by(97) {
            let _ = apply(&good[..cut], &pass(true));
        }
        assert!(apply(b"garbage", &pass(true)).is_err());
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
        let mut bytes = Vec::new();
        doc.save_to(&mut bytes).unwrap();
        assert!(matches!(
            apply(&bytes, &pass(true)),
            Err(PostPassError::NoPages)
        ));
    }

    /// Runs `qpdf --check` on the output when qpdf is installed.
    fn qpdf_check(bytes: &[u8], name: &str) {
        let path =
            std::env::temp_dir().join(format!("octavo-postpass-{}-{name}.pdf", std::process::id()));
        std::fs::write(&path, bytes).unwrap();
        let result = std::process::Command::new("qpdf")
            .arg("--check")
            .arg(&path)
            .output();
        let _ = std::fs::remove_file(&path);
        match result {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                eprintln!("qpdf not installed: skipping qpdf --check");
            }
            Err(e) => panic!("cannot run qpdf: {e}"),
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
        qpdf_check(&apply(&plain(), &pass(true)).unwrap(), "compressed");
        qpdf_check(&apply(&compressed(), &pass(false)).unwrap(), "readable");
        let rendered = finish(fixture(false, b"x"), &pass(true)).unwrap();
        qpdf_check(&rendered, "in-memory");
    }

    const PYMUPDF_DUMP: &str = "import sys
try:
    import pymupdf
except ImportError:
    print('SKIP'); sys.exit(0)
d = pymupdf.open(sys.argv[1])
for level, title, page in d.get_toc():
    print('toc', level, page, title)
print('labels', '|'.join(d[i].get_label() for i in range(d.page_count)))
";

    #[test]
    fn pymupdf_reads_the_outline_and_labels() {
        let path =
            std::env::temp_dir().join(format!("octavo-postpass-{}-mupdf.pdf", std::process::id()));
        std::fs::write(&path, apply(&plain(), &pass(true)).unwrap()).unwrap();
        let result = std::process::Command::new("python3")
            .args(["-c", PYMUPDF_DUMP])
            .arg(&path)
            .env("PYTHONIOENCODING", "utf-8")
            .output();
        let _ = std::fs::remove_file(&path);
        let Ok(out) = result else {
            return eprintln!("python3 not available: skipping the PyMuPDF check");
        };
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        if stdout.trim() == "SKIP" {
            return eprintln!("PyMuPDF not installed: skipping the PyMuPDF check");
        }
        let expected = format!(
            "toc 1 2 Contents\n\
             toc 1 3 Chapter 1: \u{201c}Beginnings\u{201d}\n\
             toc 2 3 1.1 Caf\u{e9}\n\
             toc 2 4 {KHMER}\n\
             toc 3 4 1.2.1 Deep\n\
             toc 1 5 Chapter 2\n\
             labels i|ii|p. 3|p. 4|p. 5\n"
        );
        assert_eq!(stdout, expected);
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
