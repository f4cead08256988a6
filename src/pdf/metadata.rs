//! Document metadata: krilla writes it both to `/Info` and to an XMP `/Metadata` packet,
//! consistent with each other, with dates from the book (never the clock).

use krilla::metadata::{DateTime, Metadata};

use super::writer::WriteError;

/// The producer written to `/Info` and to the XMP packet.
const PRODUCER: &str = "octavo";

/// Document metadata, written both to `/Info` and to the XMP packet.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct DocumentInfo {
    /// The book's title (`/Title`, `dc:title`).
    pub title: String,
    /// The author or authors as one display string (`/Author`, `dc:creator`).
    pub author: String,
    /// A one-line description (`/Subject`, `dc:description`).
    pub subject: String,
    /// Keywords (`/Keywords` and `pdf:Keywords`, joined by ", ").
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
struct PdfDate {
    year: u16,
    month: u8,
    day: u8,
    hour: u8,
    minute: u8,
    second: u8,
}

impl PdfDate {
    /// Parses `YYYY-MM-DDThh:mm:ssZ`; an empty string means "no date".
    fn parse(text: &str) -> Result<Option<Self>, WriteError> {
        if text.is_empty() {
            return Ok(None);
        }
        let bad = || WriteError::Date(text.to_string());
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
        let num = |from: usize, to: usize| text[from..to].parse::<u8>().map_err(|_| bad());
        let date = PdfDate {
            year: text[0..4].parse().map_err(|_| bad())?,
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

    fn krilla(self) -> DateTime {
        DateTime::new(self.year)
            .month(self.month)
            .day(self.day)
            .hour(self.hour)
            .minute(self.minute)
            .second(self.second)
            .utc_offset_hour(0)
            .utc_offset_minute(0)
    }
}

/// The number of days in `month` (1-12) of `year` in the Gregorian calendar.
fn days_in_month(year: u16, month: u8) -> u8 {
    let leap = year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400));
    match month {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Checks the date: a malformed one is an error, not a PDF without a date.
pub(super) fn validate_info(info: &DocumentInfo) -> Result<(), WriteError> {
    PdfDate::parse(&info.date).map(|_| ())
}

/// krilla's metadata for `info` (checked by [`validate_info`] first); empty fields are left
/// out.
pub(super) fn krilla_metadata(info: &DocumentInfo) -> Result<Metadata, WriteError> {
    let mut meta = Metadata::new().producer(PRODUCER.to_string());
    let text = |value: &str| (!value.is_empty()).then(|| value.to_string());
    if let Some(title) = text(&info.title) {
        meta = meta.title(title);
    }
    if let Some(author) = text(&info.author) {
        meta = meta.authors(vec![author]);
    }
    if let Some(subject) = text(&info.subject) {
        meta = meta.description(subject);
    }
    if !info.keywords.is_empty() {
        meta = meta.keywords(info.keywords.clone());
    }
    if let Some(language) = text(&info.language) {
        meta = meta.language(language);
    }
    if let Some(creator) = text(&info.creator) {
        meta = meta.creator(creator);
    }
    if let Some(date) = PdfDate::parse(&info.date)? {
        meta = meta.creation_date(date.krilla());
    }
    Ok(meta)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_malformed_dates() {
        for bad in [
            "2024-02-30T00:00:00Z",
            "2023-02-29T00:00:00Z",
            "2024-13-01T00:00:00Z",
            "2024-01-01T24:00:00Z",
            "2024-01-01 00:00:00Z",
            "2024-01-01T00:00:00",
            "yesterday",
        ] {
            assert!(
                matches!(PdfDate::parse(bad), Err(WriteError::Date(_))),
                "{bad}"
            );
        }
        assert!(PdfDate::parse("2024-02-29T23:59:60Z").unwrap().is_some());
        assert!(PdfDate::parse("").unwrap().is_none());
    }
}
