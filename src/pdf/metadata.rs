//! Document metadata, written both to `/Info` and to an XMP `/Metadata` packet, consistent
//! with each other, with dates from the book (never the clock).

use lopdf::{Dictionary, Object, Stream, StringFormat};

use super::finish::{text_string, FinishError};

/// The producer written to `/Info` and to the XMP packet.
const PRODUCER: &str = "octavo";

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

/// A validated UTC timestamp.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct PdfDate {
    year: u32,
    month: u32,
    day: u32,
    hour: u32,
    minute: u32,
    second: u32,
}

impl PdfDate {
    /// Parses `YYYY-MM-DDThh:mm:ssZ`; an empty string means "no date".
    pub(super) fn parse(text: &str) -> Result<Option<Self>, FinishError> {
        if text.is_empty() {
            return Ok(None);
        }
        let bad = || FinishError::Date(text.to_string());
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

/// The `/Info` dictionary; empty fields are left out.
pub(super) fn info_dict(info: &DocumentInfo, date: Option<&PdfDate>) -> Dictionary {
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
pub(super) fn xmp_stream(info: &DocumentInfo, date: Option<&PdfDate>) -> Stream {
    let dict = Dictionary::from_iter(vec![
        ("Type", Object::Name(b"Metadata".to_vec())),
        ("Subtype", Object::Name(b"XML".to_vec())),
    ]);
    Stream::new(dict, xmp_packet(info, date).into_bytes()).with_compression(false)
}

/// The XMP packet, consistent with [`info_dict`].
pub(super) fn xmp_packet(info: &DocumentInfo, date: Option<&PdfDate>) -> String {
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
pub(super) fn xml_escape(text: &str) -> String {
    crate::xml::escape(text)
}
