//! What we change in the file krilla (0.8) writes, in place, where krilla has no setting.
//!
//! - **Glyph widths.** krilla writes each glyph's `/W` width as `advance / upem × 1000` in
//!   `f32`: 506 units come out as `505.99997`, and a 2048-unit font's widths are fractions.
//!   PDFium (Chrome's viewer) reads widths as integers, truncating, so glyphs drifted by up to
//!   a unit each there while other viewers placed them right. The widths are written as the
//!   integers [`pdf_width`] gives, padded to their old length (nothing moves), and the text
//!   batches compute every `TJ` adjustment against those integers (`glyphs`), so every
//!   viewer places every glyph where the typesetter did.
//! - **The catalog**, the last object, gains `/PageMode /UseOutlines` when the book has an
//!   outline (a viewer opens the bookmarks panel with the file; `/UseNone` otherwise) and
//!   `/ViewerPreferences << /DisplayDocTitle true >>` (the window shows the book's title, not
//!   the file name), unless krilla wrote them itself.
//! - **The cross-reference table** (20 bytes an object: about 1 MB for a 4,000-page book, 7%
//!   of its file) becomes a Flate-compressed cross-reference stream with the PNG "up"
//!   predictor, a few bytes an object, holding the trailer's entries; and the small objects
//!   (a third of the file, uncompressed) go into compressed object streams
//!   (`object_streams`), except in the readable-PDF option.
//!
//! krilla 0.8 has a setting for none of these: it writes `/DisplayDocTitle` only under its
//! PDF/UA-1 validator, which needs tagging, and no page mode, no integer widths and no
//! cross-reference stream at all.
//!
//! Anything unexpected (another krilla version, a PDF version without cross-reference
//! streams) leaves that part as krilla wrote it: the file is valid either way, and a build
//! never fails for it. That would lose a fix without a word, so krilla is pinned to an exact
//! version (`Cargo.toml`), and `tests/krilla_fixes.rs` fails when the sample book's PDF lacks
//! any of them (as do the writer's own tests).

use std::collections::BTreeMap;
use std::io::Write;

use super::object_streams::{deflate, Entry};
use super::png_passthrough::{self, PngStream};

/// The catalog entries added, each with the key that tells whether krilla wrote it already.
const DISPLAY_DOC_TITLE: (&str, &str) = (
    "/ViewerPreferences",
    "/ViewerPreferences<</DisplayDocTitle true>>",
);

/// Bytes of a cross-reference stream entry's type and generation fields.
const TYPE_BYTES: usize = 1;
const GENERATION_BYTES: usize = 2;

/// How much below an integer krilla's `f32` width may fall and still mean that integer.
const WIDTH_ROUNDING: f32 = 0.001;

/// The integer `/W` width of a glyph whose width krilla computes as `krilla_width`
/// (`advance / upem × 1000` in `f32`): the width truncated, as PDFium reads it, after
/// undoing `f32` rounding (`505.99997` is 506).
pub(super) fn pdf_width(krilla_width: f32) -> f32 {
    (krilla_width + WIDTH_ROUNDING).floor()
}

/// What [`fix`] does besides the widths.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Fixes {
    /// The book has an outline (`/PageMode /UseOutlines`).
    pub has_outline: bool,
    /// Pack the small objects into object streams (`object_streams`); off for the
    /// readable-PDF option, which keeps every object legible.
    pub object_streams: bool,
    /// Add PDF/X-4's output intent and identification ([`super::pdfx`]) first.
    pub pdf_x4: bool,
}

/// The file with the changes of the module documentation; `pdf` unchanged where it is not
/// what krilla writes.
#[cfg(test)]
pub(super) fn fix(pdf: Vec<u8>, fixes: Fixes) -> Vec<u8> {
    let original = pdf.clone();
    fix_and_copy(pdf, fixes, &BTreeMap::new()).unwrap_or(original)
}

/// The file with the changes of the module documentation and the copied PNGs `streams` (by
/// image number) in place of their stand-ins ([`super::png_passthrough`]), in the one pass
/// that rewrites the file. The fixes are left out where the file is not what krilla
/// writes; a stand-in that cannot be replaced is an error.
pub(super) fn fix_and_copy(
    mut pdf: Vec<u8>,
    fixes: Fixes,
    streams: &BTreeMap<usize, &PngStream>,
) -> Result<Vec<u8>, String> {
    if fixes.pdf_x4 {
        pdf = super::pdfx::with_print_intent(&pdf)?;
    }
    let Some(tail) = Tail::parse(&pdf) else {
        return png_passthrough::substitute(pdf, streams);
    };
    let replacements =
        png_passthrough::stand_in_replacements(&pdf, &tail.offsets, tail.xref_start, streams)?;
    integer_widths(&mut pdf, &tail.offsets);
    if !supports_xref_streams(&pdf) {
        return png_passthrough::substitute(pdf, streams);
    }
    Ok(tail.rewrite(pdf, fixes, &replacements))
}

/// Rewrites the fractional widths of the `/W` arrays of every CID font dictionary as the
/// integers [`pdf_width`] gives, each padded with spaces to its old length.
fn integer_widths(pdf: &mut [u8], offsets: &[Option<usize>]) {
    for &offset in offsets.iter().flatten() {
        let Some(widths) = cid_widths(pdf, offset) else {
            continue;
        };
        let mut at = widths.start;
        while at < widths.end {
            let len = pdf[at..widths.end]
                .iter()
                .position(|b| !(b.is_ascii_digit() || *b == b'.'))
                .unwrap_or(widths.end - at);
            if len == 0 {
                at += 1;
                continue;
            }
            let token = &pdf[at..at + len];
            if token.contains(&b'.') {
                let value = std::str::from_utf8(token)
                    .ok()
                    .and_then(|t| t.parse::<f32>().ok());
                if let Some(value) = value {
                    let integer = format!("{:<len$}", pdf_width(value) as i64);
                    if integer.len() == len {
                        pdf[at..at + len].copy_from_slice(integer.as_bytes());
                    }
                }
            }
            at += len;
        }
    }
}

/// The inside of the `/W` array of the CID font dictionary at `offset`, if that object is
/// one (`N 0 obj` then `<</Type/Font/Subtype/CIDFontType…`).
fn cid_widths(pdf: &[u8], offset: usize) -> Option<std::ops::Range<usize>> {
    let object = pdf.get(offset..)?;
    let open = object.iter().take(32).position(|&b| b == b'<')?;
    if !object[open..].starts_with(b"<</Type/Font/Subtype/CIDFontType") {
        return None;
    }
    let end = find(object, b"endobj")?;
    let key = find(&object[..end], b"/W[")? + 3;
    let mut depth = 1;
    let close = object[key..end].iter().position(|&b| {
        match b {
            b'[' => depth += 1,
            b']' => depth -= 1,
            _ => {}
        }
        depth == 0
    })?;
    Some(offset + key..offset + key + close)
}

/// Where `needle` first occurs in `haystack`.
pub(super) fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// What the end of krilla's file holds.
#[derive(Debug)]
pub(super) struct Tail {
    /// Where the `xref` keyword starts.
    pub(super) xref_start: usize,
    /// The offset of each object (`None` for a free entry), by object number.
    pub(super) offsets: Vec<Option<usize>>,
    /// The trailer's entries other than `/Size`, as written.
    pub(super) trailer_entries: String,
    /// Where the catalog's dictionary starts and ends (`<<` to `>>`, inclusive).
    pub(super) catalog: std::ops::Range<usize>,
}

impl Tail {
    pub(super) fn parse(pdf: &[u8]) -> Option<Tail> {
        let xref_start = startxref(pdf)?;
        let mut lines = Lines {
            pdf,
            at: xref_start,
        };
        if lines.next()? != b"xref" {
            return None;
        }
        let section = std::str::from_utf8(lines.next()?).ok()?;
        let (first, count) = section.split_once(' ')?;
        let (first, count): (usize, usize) = (first.parse().ok()?, count.parse().ok()?);
        if first != 0 {
            return None;
        }
        let mut offsets = Vec::with_capacity(count);
        for _ in 0..count {
            offsets.push(xref_entry(pdf.get(lines.at..lines.at + 20)?)?);
            lines.at += 20;
        }
        if lines.next()? != b"trailer" {
            return None;
        }
        let trailer = std::str::from_utf8(pdf.get(lines.at..)?).ok()?;
        let trailer_entries = trailer_entries(trailer)?;
        let catalog = catalog_range(pdf, &offsets, xref_start)?;
        Some(Tail {
            xref_start,
            offsets,
            trailer_entries,
            catalog,
        })
    }

    /// The file with the catalog's entries added, the objects of `replacements` (by number)
    /// replaced, the small objects packed when asked, and a cross-reference stream in place
    /// of the table and trailer.
    fn rewrite(
        &self,
        mut pdf: Vec<u8>,
        fixes: Fixes,
        replacements: &BTreeMap<usize, Vec<u8>>,
    ) -> Vec<u8> {
        let added = catalog_entries(&pdf[self.catalog.clone()], fixes.has_outline);
        // The catalog is the last object: inserting into it moves nothing else.
        let insert_at = self.catalog.end - 2;
        pdf.truncate(self.xref_start);
        pdf.splice(insert_at..insert_at, added.into_bytes());
        let end = pdf.len();
        let packed = fixes
            .object_streams
            .then(|| super::object_streams::pack(&pdf, &self.offsets, end, replacements))
            .flatten();
        let (mut out, mut entries) = match packed {
            Some(packed) => (packed.bytes, packed.entries),
            None => {
                let (pdf, offsets) = if replacements.is_empty() {
                    (pdf, self.offsets.clone())
                } else {
                    png_passthrough::rebuilt(&pdf, &self.offsets, end, replacements)
                };
                let entries = offsets.iter().map(|o| o.map_or(Entry::Free, Entry::At));
                (pdf, entries.collect())
            }
        };
        let xref_offset = out.len();
        entries.push(Entry::At(xref_offset));
        self.write_xref_stream(&mut out, &entries, xref_offset);
        out
    }

    /// The cross-reference stream (the last object number, at `xref_offset`) for `entries`,
    /// then `startxref` and `%%EOF`.
    fn write_xref_stream(&self, out: &mut Vec<u8>, entries: &[Entry], xref_offset: usize) {
        let number = entries.len() - 1;
        let field_bytes = bytes_for(xref_offset.max(number));
        let columns = TYPE_BYTES + field_bytes + GENERATION_BYTES;
        let data = deflate(&up_predicted(&xref_rows(entries, field_bytes), columns));
        let _ = write!(
            out,
            "{number} 0 obj\n<</Type/XRef/Size {size}/W[{TYPE_BYTES} {field_bytes} \
             {GENERATION_BYTES}]/Filter/FlateDecode/DecodeParms<</Predictor 12/Columns \
             {columns}>>/Length {length}{trailer}>>\nstream\n",
            size = number + 1,
            length = data.len(),
            trailer = self.trailer_entries,
        );
        out.extend_from_slice(&data);
        let _ = write!(out, "\nendstream\nendobj\nstartxref\n{xref_offset}\n%%EOF");
    }
}

/// The entries the catalog gains (those krilla did not write itself).
fn catalog_entries(catalog: &[u8], has_outline: bool) -> String {
    let mut added = String::new();
    if !contains(catalog, b"/PageMode") {
        added.push_str(if has_outline {
            "/PageMode/UseOutlines"
        } else {
            "/PageMode/UseNone"
        });
    }
    if !contains(catalog, DISPLAY_DOC_TITLE.0.as_bytes()) {
        added.push_str(DISPLAY_DOC_TITLE.1);
    }
    added
}

/// Whether the header names PDF 1.5 or later, which cross-reference streams need.
fn supports_xref_streams(pdf: &[u8]) -> bool {
    let Some(header) = pdf.strip_prefix(b"%PDF-") else {
        return false;
    };
    let line = header.split(|&b| b == b'\n').next().unwrap_or_default();
    let version = std::str::from_utf8(line).unwrap_or_default().trim();
    let parsed = version
        .split_once('.')
        .and_then(|(major, minor)| Some((major.parse::<u32>().ok()?, minor.parse::<u32>().ok()?)));
    parsed.is_some_and(|version| version >= (1, 5))
}

/// The offset `startxref` gives at the end of the file.
fn startxref(pdf: &[u8]) -> Option<usize> {
    let keyword = b"startxref\n";
    let at = pdf.len().saturating_sub(64);
    let found = pdf[at..]
        .windows(keyword.len())
        .rposition(|w| w == keyword)?;
    let digits = &pdf[at + found + keyword.len()..];
    let digits: &[u8] = digits.split(|&b| b == b'\n').next()?;
    let offset = std::str::from_utf8(digits).ok()?.parse().ok()?;
    (offset < at + found).then_some(offset)
}

/// Lines of the file from a position on.
struct Lines<'p> {
    pdf: &'p [u8],
    at: usize,
}

impl<'p> Iterator for Lines<'p> {
    type Item = &'p [u8];

    fn next(&mut self) -> Option<&'p [u8]> {
        let rest = self.pdf.get(self.at..)?;
        let end = rest.iter().position(|&b| b == b'\n')?;
        self.at += end + 1;
        Some(&rest[..end])
    }
}

/// One cross-reference table entry (`oooooooooo ggggg n\r\n`): the offset of an object in
/// use, `None` for a free one.
fn xref_entry(entry: &[u8]) -> Option<Option<usize>> {
    let text = std::str::from_utf8(entry).ok()?;
    let offset: usize = text.get(0..10)?.parse().ok()?;
    let generation = text.get(11..16)?;
    match text.get(17..20)? {
        "n\r\n" if generation == "00000" => Some(Some(offset)),
        "f\r\n" => Some(None),
        _ => None,
    }
}

/// The entries of `<<…>>` in `trailer` other than `/Size`, checked to name `/Root`.
fn trailer_entries(trailer: &str) -> Option<String> {
    let body = trailer.strip_prefix("<<")?;
    let end = body.rfind(">>\nstartxref")?;
    let body = &body[..end];
    let size = body.strip_prefix("/Size ")?;
    let rest = size.trim_start_matches(|c: char| c.is_ascii_digit());
    (rest.contains("/Root ") && rest.starts_with('/')).then(|| rest.to_string())
}

/// The catalog's dictionary: the object at the highest offset, right before `xref`, whose
/// dictionary starts with `/Type/Catalog`.
fn catalog_range(
    pdf: &[u8],
    offsets: &[Option<usize>],
    xref_start: usize,
) -> Option<std::ops::Range<usize>> {
    let last = offsets.iter().flatten().copied().max()?;
    let object = pdf.get(last..xref_start)?;
    let open = object.windows(2).position(|w| w == b"<<")?;
    let header = std::str::from_utf8(&object[..open]).ok()?;
    if !header.ends_with(" 0 obj\n") {
        return None;
    }
    if !object[open..].starts_with(b"<</Type/Catalog") {
        return None;
    }
    let tail = b">>\nendobj\n";
    if !object.ends_with(tail) {
        return None;
    }
    Some(last + open..xref_start - tail.len() + 2)
}

/// The number of bytes an offset up to `max` needs.
fn bytes_for(max: usize) -> usize {
    let bits = usize::BITS - max.leading_zeros();
    (bits as usize).div_ceil(8).max(1)
}

/// The rows of the cross-reference stream: type 0 (free: next free 0, generation 65535),
/// type 1 (at an offset, generation 0) or type 2 (in an object stream, at an index).
fn xref_rows(entries: &[Entry], field_bytes: usize) -> Vec<u8> {
    let columns = TYPE_BYTES + field_bytes + GENERATION_BYTES;
    let mut rows = Vec::with_capacity(entries.len() * columns);
    for entry in entries {
        let (kind, field, last) = match *entry {
            Entry::Free => (0u8, 0, u16::MAX),
            Entry::At(offset) => (1, offset, 0),
            Entry::Packed { stream, index } => {
                (2, stream as usize, u16::try_from(index).unwrap_or(0))
            }
        };
        rows.push(kind);
        rows.extend_from_slice(&field.to_be_bytes()[size_of::<usize>() - field_bytes..]);
        rows.extend_from_slice(&last.to_be_bytes());
    }
    rows
}

/// `rows` (of `columns` bytes) with the PNG "up" filter: each row prefixed by filter type 2
/// and holding its difference from the row above (`/Predictor 12`).
fn up_predicted(rows: &[u8], columns: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(rows.len() + rows.len() / columns.max(1));
    let mut above = vec![0u8; columns];
    for row in rows.chunks(columns) {
        out.push(2);
        out.extend(row.iter().zip(&above).map(|(b, a)| b.wrapping_sub(*a)));
        above.copy_from_slice(row);
    }
    out
}

/// Whether `haystack` contains `needle`.
pub(super) fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The fixes without object streams (the tests read the objects in the file).
    fn fixes(has_outline: bool) -> Fixes {
        Fixes {
            has_outline,
            object_streams: false,
            pdf_x4: false,
        }
    }

    /// A small file in krilla's layout: two objects, the catalog last, table and trailer.
    fn krilla_like() -> Vec<u8> {
        let mut pdf = b"%PDF-1.7\n%AAAA\n\n".to_vec();
        let pages = pdf.len();
        pdf.extend_from_slice(b"1 0 obj\n<</Type/Pages/Count 0/Kids[]>>\nendobj\n\n");
        let catalog = pdf.len();
        pdf.extend_from_slice(b"2 0 obj\n<</Type/Catalog/Pages 1 0 R/Lang(en)>>\nendobj\n");
        let xref = pdf.len();
        let table = format!(
            "xref\n0 3\n0000000000 65535 f\r\n{pages:010} 00000 n\r\n{catalog:010} 00000 n\r\n\
             trailer\n<</Size 3/Root 2 0 R/ID[(a)(b)]>>\nstartxref\n{xref}\n%%EOF"
        );
        pdf.extend_from_slice(table.as_bytes());
        pdf
    }

    fn qpdf_json(pdf: &[u8]) -> Option<serde_json::Value> {
        let dir = tempfile::tempdir().ok()?;
        let path = dir.path().join("tail.pdf");
        std::fs::write(&path, pdf).ok()?;
        let check = std::process::Command::new("qpdf")
            .arg("--check")
            .arg(&path)
            .output()
            .ok()?;
        assert!(
            check.status.success(),
            "{}",
            String::from_utf8_lossy(&check.stdout)
        );
        let json = std::process::Command::new("qpdf")
            .args(["--json", "--json-key=qpdf", "--json-key=trailer"])
            .arg(&path)
            .output()
            .ok()?;
        serde_json::from_slice(&json.stdout).ok()
    }

    #[test]
    fn the_table_becomes_a_stream_and_the_catalog_gains_its_entries() {
        let pdf = fix(krilla_like(), fixes(true));
        let text = String::from_utf8_lossy(&pdf);
        assert!(text.contains(
            "<</Type/Catalog/Pages 1 0 R/Lang(en)/PageMode/UseOutlines\
             /ViewerPreferences<</DisplayDocTitle true>>>>"
        ));
        assert!(!text.contains("trailer") && text.contains("/Type/XRef/Size 4/W[1 1 2]"));
        assert!(text.contains("/Root 2 0 R/ID[(a)(b)]>>"), "{text}");
        if let Some(json) = qpdf_json(&pdf) {
            let catalog = &json["qpdf"][1]["obj:2 0 R"]["value"];
            assert_eq!(catalog["/PageMode"], "/UseOutlines");
            assert_eq!(catalog["/ViewerPreferences"]["/DisplayDocTitle"], true);
        }
    }

    #[test]
    fn fractional_widths_become_integers_in_place() {
        let pdf = krilla_like();
        let text = String::from_utf8_lossy(&pdf).replace(
            "1 0 obj\n<</Type/Pages/Count 0/Kids[]>>",
            "1 0 obj\n<</Type/Font/Subtype/CIDFontType0/DW 0/W[0 0 500 1 2 505.99997 3 3 602.05078]>>",
        );
        // The object grew: fix the later offsets as krilla would have written them.
        let grown = text.len() - pdf.len();
        let mut fixed = String::new();
        for line in text.split_inclusive('\n') {
            match line.strip_suffix(" 00000 n\r\n") {
                Some(offset) if offset.parse::<usize>().unwrap() > 20 => {
                    let moved = offset.parse::<usize>().unwrap() + grown;
                    fixed.push_str(&format!("{moved:010} 00000 n\r\n"));
                }
                _ => fixed.push_str(line),
            }
        }
        let xref = fixed.find("xref\n").unwrap();
        let start = fixed.rfind("startxref\n").unwrap() + "startxref\n".len();
        let fixed = format!("{}{xref}\n%%EOF", &fixed[..start]);
        let out = fix(fixed.clone().into_bytes(), fixes(true));
        let text = String::from_utf8_lossy(&out);
        assert!(
            text.contains("/W[0 0 500 1 2 506       3 3 602      ]"),
            "{text}"
        );
        // Nothing moved: the catalog is where the table said.
        let catalog = fixed.find("2 0 obj").unwrap();
        assert_eq!(text.find("2 0 obj"), Some(catalog));
        let doc = lopdf::Document::load_mem(&out).expect("it parses");
        let font = doc.get_dictionary((1, 0)).expect("the font");
        let widths = font
            .get(b"W")
            .and_then(lopdf::Object::as_array)
            .expect("/W");
        assert_eq!(widths[5], lopdf::Object::Integer(506));
        assert_eq!(widths[8], lopdf::Object::Integer(602));
    }

    #[test]
    fn integer_widths_are_those_pdfium_reads() {
        assert_eq!(pdf_width(505.999_97), 506.0);
        assert_eq!(pdf_width(602.050_8), 602.0);
        assert_eq!(pdf_width(633.789), 633.0);
        assert_eq!(pdf_width(500.0), 500.0);
    }

    #[test]
    fn without_an_outline_the_outline_panel_stays_closed() {
        let pdf = fix(krilla_like(), fixes(false));
        assert!(contains(&pdf, b"/PageMode/UseNone"));
    }

    #[test]
    fn entries_krilla_wrote_are_not_added_twice() {
        let pdf = krilla_like();
        let with_prefs = String::from_utf8_lossy(&pdf).replace(
            "/Lang(en)>>\nendobj",
            "/Lang(en)/ViewerPreferences<</DisplayDocTitle true>>>>\nendobj",
        );
        // The catalog grew, so the table's offset moved: fix it as krilla would have.
        let xref = with_prefs.find("xref\n").unwrap();
        let start = with_prefs.rfind("startxref\n").unwrap() + "startxref\n".len();
        let fixed = format!("{}{xref}\n%%EOF", &with_prefs[..start]);
        let pdf = fix(fixed.into_bytes(), fixes(true));
        let text = String::from_utf8_lossy(&pdf);
        assert_eq!(text.matches("/ViewerPreferences").count(), 1, "{text}");
    }

    #[test]
    fn an_unexpected_tail_is_left_alone() {
        let pdf = krilla_like();
        let old = String::from_utf8_lossy(&pdf).replace("%PDF-1.7", "%PDF-1.4");
        assert_eq!(fix(old.clone().into_bytes(), fixes(true)), old.into_bytes());
        let cut = pdf[..pdf.len() - 30].to_vec();
        assert_eq!(fix(cut.clone(), fixes(true)), cut);
        let mut no_catalog = pdf.clone();
        let at = no_catalog
            .windows(8)
            .position(|w| w == b"/Catalog")
            .unwrap();
        no_catalog[at + 1] = b'K';
        assert_eq!(fix(no_catalog.clone(), fixes(true)), no_catalog);
    }

    #[test]
    fn offsets_use_as_few_bytes_as_they_need() {
        assert_eq!(bytes_for(0), 1);
        assert_eq!(bytes_for(255), 1);
        assert_eq!(bytes_for(256), 2);
        assert_eq!(bytes_for(16_777_216), 4);
        let rows = xref_rows(&[Entry::Free, Entry::At(0x0102)], 2);
        assert_eq!(rows, [0, 0, 0, 0xFF, 0xFF, 1, 0x01, 0x02, 0, 0]);
        assert_eq!(
            up_predicted(&rows, 5),
            [2, 0, 0, 0, 0xFF, 0xFF, 2, 1, 1, 2, 1, 1]
        );
    }
}
