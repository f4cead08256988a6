//! Subset fonts as PDF objects: a Type0 font (`/Identity-H`) over a CID font, its font
//! descriptor, the font program and a `/ToUnicode` CMap.
//!
//! We write these dictionaries ourselves rather than through a PDF library's font support: the
//! library we used (printpdf) re-parsed every subset we handed it, and its serialiser was most
//! of the PDF backend's time on long books (see `content`). What goes in ([`FontProgram`], from
//! `subsetter` 0.2 through [`crate::fonts`]):
//!
//! - A TrueType (`glyf`) face comes back as a TrueType file: it is embedded as `/FontFile2`
//!   under a `CIDFontType2` with `/CIDToGIDMap /Identity`.
//! - A CFF face comes back as an `OTTO` file whose `CFF ` table is CID-keyed with an identity
//!   charset (subsetter rewrites it so). The bare table is embedded as `/FontFile3
//!   /Subtype /CIDFontType0C` under a `CIDFontType0`. A bare CID-keyed CFF is what every
//!   viewer family resolves the same way; with the identity charset, CID = subset glyph id.
//!
//! Either way the code shown in a content stream is the subset glyph id. `/W` holds each
//! glyph's advance scaled to 1000/em and truncated to an integer, the same integers `TJ`
//! adjustments are computed against (`text_pdf`), so glyphs land exactly where shaping put them.

use std::fmt::Write;

use lopdf::{Dictionary, Document, Object, ObjectId, Stream};

use crate::fonts::{FontFace, FontProgram};
use crate::units::FontUnits;

/// One subset face, ready to be written.
#[derive(Debug)]
pub(crate) struct SubsetFont<'a> {
    /// `ABCDEF+PostScriptName`.
    pub base_font: &'a str,
    /// The face the subset was made from (for its metrics).
    pub face: &'a FontFace<'a>,
    /// The embedded outlines.
    pub program: &'a FontProgram,
    /// Advance of each subset glyph in 1/1000 em, indexed by code.
    pub widths: &'a [i64],
    /// Text of each code that has any, in ascending code order.
    pub texts: &'a [(u16, &'a str)],
}

/// Adds the Type0 font for `font` and everything it refers to; returns the font's id.
/// The font program is always Flate-compressed (it is binary anyway); `compress` says whether
/// the CMap is too.
pub(crate) fn write_font(doc: &mut Document, font: &SubsetFont<'_>, compress: bool) -> ObjectId {
    let (subtype, file_key, program) = embed_program(font.program);
    let program = doc.add_object(flate(program, true));
    let descriptor = descriptor(font, file_key, program);
    let descriptor = doc.add_object(descriptor);
    let cmap = Stream::new(Dictionary::new(), to_unicode_cmap(font.texts).into_bytes());
    let to_unicode = doc.add_object(flate(cmap, compress));
    let mut cid_font = Dictionary::from_iter(vec![
        ("Type", name("Font")),
        ("Subtype", name(subtype)),
        ("BaseFont", name(font.base_font)),
        ("CIDSystemInfo", Object::Dictionary(cid_system_info())),
        ("FontDescriptor", Object::Reference(descriptor)),
        ("DW", Object::Integer(1000)),
        ("W", Object::Array(width_array(font.widths))),
    ]);
    if subtype == "CIDFontType2" {
        cid_font.set("CIDToGIDMap", name("Identity"));
    }
    doc.add_object(Dictionary::from_iter(vec![
        ("Type", name("Font")),
        ("Subtype", name("Type0")),
        ("BaseFont", name(font.base_font)),
        ("Encoding", name("Identity-H")),
        ("DescendantFonts", Object::Array(vec![cid_font.into()])),
        ("ToUnicode", Object::Reference(to_unicode)),
    ]))
}

fn name(text: &str) -> Object {
    Object::Name(text.as_bytes().to_vec())
}

/// The descendant font's subtype, the descriptor's key for the program, and its stream.
fn embed_program(program: &FontProgram) -> (&'static str, &'static str, Stream) {
    match program {
        FontProgram::TrueType(bytes) => {
            let dict =
                Dictionary::from_iter(vec![("Length1", Object::Integer(bytes.len() as i64))]);
            (
                "CIDFontType2",
                "FontFile2",
                Stream::new(dict, bytes.clone()),
            )
        }
        FontProgram::Cff(bytes) => {
            let dict = Dictionary::from_iter(vec![("Subtype", name("CIDFontType0C"))]);
            (
                "CIDFontType0",
                "FontFile3",
                Stream::new(dict, bytes.clone()),
            )
        }
    }
}

/// `stream`, Flate-compressed when `compress` is set.
fn flate(stream: Stream, compress: bool) -> Stream {
    if !compress {
        return stream;
    }
    let mut dict = stream.dict;
    dict.set("Filter", name("FlateDecode"));
    Stream::new(dict, super::content::deflate(&stream.content))
}

fn cid_system_info() -> Dictionary {
    Dictionary::from_iter(vec![
        ("Registry", Object::string_literal("Adobe")),
        ("Ordering", Object::string_literal("Identity")),
        ("Supplement", Object::Integer(0)),
    ])
}

/// The `/FontDescriptor`, with metrics from the original face in 1/1000 em.
fn descriptor(font: &SubsetFont<'_>, file_key: &str, program: ObjectId) -> Dictionary {
    let metrics = font.face.metrics();
    let upem = metrics.units_per_em;
    let scale = |v: i16| {
        let thousandths = FontUnits::new(f32::from(v)).to_thousandths(upem);
        Object::Integer(thousandths.round() as i64)
    };
    let [x_min, y_min, x_max, y_max] = metrics.bbox;
    Dictionary::from_iter(vec![
        ("Type", name("FontDescriptor")),
        ("FontName", name(font.base_font)),
        ("Flags", Object::Integer(descriptor_flags(font.face))),
        (
            "FontBBox",
            Object::Array(vec![scale(x_min), scale(y_min), scale(x_max), scale(y_max)]),
        ),
        ("ItalicAngle", italic_angle(metrics.italic_angle)),
        ("Ascent", scale(metrics.ascender)),
        ("Descent", scale(metrics.descender)),
        ("CapHeight", scale(metrics.cap_height)),
        ("StemV", Object::Integer(stem_v(metrics.weight))),
        (file_key, Object::Reference(program)),
    ])
}

/// `/Flags` (ISO 32000-1 table 123): non-symbolic, plus fixed pitch and italic when so.
fn descriptor_flags(face: &FontFace<'_>) -> i64 {
    const FIXED_PITCH: i64 = 1;
    const NONSYMBOLIC: i64 = 1 << 5;
    const ITALIC: i64 = 1 << 6;
    let metrics = face.metrics();
    let mut flags = NONSYMBOLIC;
    if metrics.monospaced {
        flags |= FIXED_PITCH;
    }
    if metrics.italic_angle != 0.0 {
        flags |= ITALIC;
    }
    flags
}

/// The italic angle to a tenth of a degree, as an integer when it is whole (never `-0`).
fn italic_angle(degrees: f32) -> Object {
    let tenths = (degrees * 10.0).round() as i64;
    if tenths % 10 == 0 {
        Object::Integer(tenths / 10)
    } else {
        Object::Real(tenths as f32 / 10.0)
    }
}

/// `/StemV`, which no font table records: estimated from the weight class as PDF producers
/// conventionally do (88 at 400, 166 at 700), 80 when the face has no weight.
fn stem_v(weight: u16) -> i64 {
    if weight == 0 {
        return 80;
    }
    50 + (f32::from(weight) / 65.0).powi(2).round() as i64
}

/// `/W` as one run `[0 [w0 w1 …]]` (subset codes are dense from 0).
fn width_array(widths: &[i64]) -> Vec<Object> {
    if widths.is_empty() {
        return Vec::new();
    }
    let list = widths.iter().map(|&w| Object::Integer(w)).collect();
    vec![Object::Integer(0), Object::Array(list)]
}

/// Most entries a `beginbfchar` block may hold.
const BFCHAR_BLOCK: usize = 100;

/// The `/ToUnicode` CMap: each code to its text in UTF-16BE (several characters for a ligature).
pub(crate) fn to_unicode_cmap(texts: &[(u16, &str)]) -> String {
    let mut out = String::from(
        "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n\
         /CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n\
         /CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n\
         1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n",
    );
    let mapped: Vec<&(u16, &str)> = texts.iter().filter(|(_, t)| !t.is_empty()).collect();
    for block in mapped.chunks(BFCHAR_BLOCK) {
        let _ = writeln!(out, "{} beginbfchar", block.len());
        for (code, text) in block {
            let _ = write!(out, "<{code:04X}> <");
            for unit in text.encode_utf16() {
                let _ = write!(out, "{unit:04X}");
            }
            out.push_str(">\n");
        }
        out.push_str("endbfchar\n");
    }
    out.push_str("endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cmap_maps_codes_to_utf16_and_skips_empty_text() {
        let cmap = to_unicode_cmap(&[(1, "ffi"), (2, ""), (3, "\u{1F600}")]);
        assert!(cmap.contains("2 beginbfchar\n<0001> <006600660069>\n<0003> <D83DDE00>\n"));
        assert!(!cmap.contains("<0002>"));
    }

    #[test]
    fn cmap_blocks_hold_at_most_a_hundred_entries() {
        let texts: Vec<(u16, &str)> = (0..250).map(|c| (c, "a")).collect();
        let cmap = to_unicode_cmap(&texts);
        assert_eq!(cmap.matches("100 beginbfchar").count(), 2);
        assert_eq!(cmap.matches("50 beginbfchar").count(), 1);
    }

    #[test]
    fn descriptor_numbers() {
        assert_eq!(stem_v(400), 88);
        assert_eq!(stem_v(700), 166);
        assert_eq!(stem_v(0), 80);
        assert_eq!(italic_angle(-0.0), Object::Integer(0));
        assert_eq!(italic_angle(-12.0), Object::Integer(-12));
        assert_eq!(italic_angle(-11.96), Object::Integer(-12));
        assert_eq!(italic_angle(-9.4), Object::Real(-9.4));
        assert_eq!(width_array(&[]), Vec::<Object>::new());
    }
}
