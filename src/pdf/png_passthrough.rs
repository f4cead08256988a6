//! PNG images copied into the PDF as they are, without decoding them.
//!
//! A PNG's image data (its `IDAT` chunks, joined) is a zlib stream of scanlines, each led by
//! a filter byte: exactly what a PDF image with `/FlateDecode` and the PNG predictors
//! (`/DecodeParms << /Predictor 15 … >>`) holds. pdfTeX copies such PNGs unchanged; krilla
//! decodes every PNG and compresses its pixels again, which for a 1920×3072 cover took
//! 0.13 s and 33 MB, more than the rest of a small book's PDF, and wrote a larger file.
//!
//! krilla has no way to take image data already compressed, so a PNG that can be copied
//! ([`PngStream::parse`]: not interlaced, no transparency, grey, RGB or a palette) goes to
//! krilla as a tiny stand-in image ([`PngStream::placeholder`]) that carries the same colour
//! space (and ICC profile), and [`substitute`] replaces each stand-in's image object in the
//! finished file with the PNG's own data: the colour space stays the one krilla wrote, so a
//! PDF/A or PDF/UA file stays what krilla validated. A stand-in that cannot be found or
//! replaced is an error, never a grey strip in the book. Any other PNG (and any PNG with
//! something unexpected in it) is decoded by krilla as before.

use std::collections::BTreeMap;
use std::io::Read;
use std::sync::Arc;

use krilla::image::{BitsPerComponent, CustomImage, Image, ImageColorspace};

use super::object_streams::objects_in_order;

/// The PNG file signature.
const SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";

/// What a stand-in's pixels start with, then its image number as [`NUMBER_DIGITS`] hex
/// digits: one grey pixel a byte, so the stand-in is `MARK.len() + NUMBER_DIGITS` pixels
/// wide and one high.
const MARK: &[u8] = b"octavo png pass-through ";
/// Hex digits of a stand-in's image number.
const NUMBER_DIGITS: usize = 8;
/// Width of a stand-in image in pixels.
const PLACEHOLDER_WIDTH: usize = MARK.len() + NUMBER_DIGITS;

/// The largest ICC profile read from an `iCCP` chunk (inflated); a larger one is left to
/// krilla's decoder.
const MAX_ICC_BYTES: u64 = 4 << 20;

/// The colours of a PNG that can be copied.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum PngColour {
    /// Grey levels (1, 2, 4, 8 or 16 bits).
    Grey,
    /// Red, green and blue (8 or 16 bits each).
    Rgb,
    /// Indices into this palette of RGB triples (1, 2, 4 or 8 bits).
    Palette(Vec<u8>),
}

/// A PNG whose image data goes into the PDF unchanged.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct PngStream {
    /// Pixels across.
    pub width: u32,
    /// Pixels down.
    pub height: u32,
    /// Bits per sample (per palette index for a palette image).
    pub bit_depth: u8,
    /// The colours.
    pub colour: PngColour,
    /// The embedded ICC profile, inflated.
    pub icc: Option<Vec<u8>>,
    /// The `IDAT` chunks' data, joined: one zlib stream.
    pub data: Vec<u8>,
}

impl PngStream {
    /// `bytes` as a PNG to copy, or `None` when krilla must decode it: not a PNG, damaged
    /// (a bad checksum, a chunk cut short), interlaced, with an alpha channel or a `tRNS`
    /// chunk, or with anything else a copied stream could not show as a decoder would.
    pub(crate) fn parse(bytes: &[u8]) -> Option<PngStream> {
        let mut rest = bytes.strip_prefix(SIGNATURE)?;
        let mut header = None;
        let mut palette = None;
        let mut icc = None;
        let mut data = Vec::new();
        loop {
            let (kind, body, after) = chunk(rest)?;
            rest = after;
            match kind {
                b"IHDR" => header = Some(Header::parse(body)?),
                b"PLTE" => palette = Some(body.to_vec()),
                b"iCCP" => icc = Some(inflate_icc(body)?),
                b"tRNS" => return None,
                b"IDAT" => data.extend_from_slice(body),
                b"IEND" => break,
                // A critical chunk we do not know changes what the pixels mean.
                _ if kind[0].is_ascii_uppercase() => return None,
                _ => {}
            }
        }
        let header = header?;
        if !zlib_header_ok(&data) {
            return None;
        }
        let colour = match (header.colour_type, palette) {
            (0, _) if matches!(header.bit_depth, 1 | 2 | 4 | 8 | 16) => PngColour::Grey,
            (2, _) if matches!(header.bit_depth, 8 | 16) => PngColour::Rgb,
            (3, Some(palette))
                if matches!(header.bit_depth, 1 | 2 | 4 | 8)
                    && !palette.is_empty()
                    && palette.len() % 3 == 0
                    && palette.len() / 3 <= 1 << header.bit_depth =>
            {
                PngColour::Palette(palette)
            }
            _ => return None,
        };
        Some(PngStream {
            width: header.width,
            height: header.height,
            bit_depth: header.bit_depth,
            colour,
            icc,
            data,
        })
    }

    /// Colour samples per pixel in the copied data.
    fn colours(&self) -> u8 {
        match self.colour {
            PngColour::Rgb => 3,
            PngColour::Grey | PngColour::Palette(_) => 1,
        }
    }

    /// The stand-in krilla draws for this PNG, image `number` of the document: its colour
    /// space and ICC profile are this PNG's (a palette's are RGB), its pixels the mark.
    pub(crate) fn placeholder(&self, number: usize) -> Result<Image, String> {
        let colour_space = match self.colour {
            PngColour::Grey => ImageColorspace::Luma,
            PngColour::Rgb | PngColour::Palette(_) => ImageColorspace::Rgb,
        };
        let stand_in = StandIn {
            pixels: placeholder_pixels(number, colour_space),
            colour_space,
            icc: self.icc.clone().map(Arc::new),
        };
        Image::from_custom(stand_in, false)
    }

    /// The image dictionary's entries that describe the copied data, replacing the
    /// stand-in's: `colour_space` is what krilla wrote for the stand-in.
    fn entries(&self, colour_space: &str) -> Vec<(&'static str, String)> {
        let colour_space = match &self.colour {
            PngColour::Palette(palette) => format!(
                "[/Indexed {colour_space} {} <{}>]",
                palette.len() / 3 - 1,
                hex(palette)
            ),
            PngColour::Grey | PngColour::Rgb => colour_space.to_string(),
        };
        vec![
            ("Width", self.width.to_string()),
            ("Height", self.height.to_string()),
            ("ColorSpace", colour_space),
            ("BitsPerComponent", self.bit_depth.to_string()),
            ("Filter", "/FlateDecode".to_string()),
            (
                "DecodeParms",
                format!(
                    "<</Predictor 15/Colors {}/BitsPerComponent {}/Columns {}>>",
                    self.colours(),
                    self.bit_depth,
                    self.width
                ),
            ),
            ("Length", self.data.len().to_string()),
        ]
    }
}

/// The fields of an `IHDR` chunk that matter here.
struct Header {
    width: u32,
    height: u32,
    bit_depth: u8,
    colour_type: u8,
}

impl Header {
    /// The header, when it is 13 bytes with the standard compression and filter methods,
    /// no interlacing and a size other than zero.
    fn parse(body: &[u8]) -> Option<Header> {
        let [w0, w1, w2, w3, h0, h1, h2, h3, bit_depth, colour_type, 0, 0, 0] = *body else {
            return None;
        };
        let width = u32::from_be_bytes([w0, w1, w2, w3]);
        let height = u32::from_be_bytes([h0, h1, h2, h3]);
        (width > 0 && height > 0).then_some(Header {
            width,
            height,
            bit_depth,
            colour_type,
        })
    }
}

/// The next chunk of `bytes`: its type, its data and what follows it; `None` when it is
/// cut short or its CRC is wrong.
fn chunk(bytes: &[u8]) -> Option<(&[u8; 4], &[u8], &[u8])> {
    let length = usize::try_from(u32::from_be_bytes(bytes.get(..4)?.try_into().ok()?)).ok()?;
    let typed = bytes.get(4..8 + length)?;
    let crc = u32::from_be_bytes(bytes.get(8 + length..12 + length)?.try_into().ok()?);
    if crc32fast::hash(typed) != crc {
        return None;
    }
    let kind: &[u8; 4] = typed.get(..4)?.try_into().ok()?;
    Some((kind, &typed[4..], &bytes[12 + length..]))
}

/// The ICC profile of an `iCCP` chunk (a name, a zero byte, method 0, zlib data).
fn inflate_icc(body: &[u8]) -> Option<Vec<u8>> {
    let name_end = body.iter().position(|&b| b == 0)?;
    let compressed = body.get(name_end + 2..)?;
    if body.get(name_end + 1) != Some(&0) {
        return None;
    }
    let mut profile = Vec::new();
    flate2::read::ZlibDecoder::new(compressed)
        .take(MAX_ICC_BYTES + 1)
        .read_to_end(&mut profile)
        .ok()?;
    (profile.len() as u64 <= MAX_ICC_BYTES).then_some(profile)
}

/// Whether `data` starts as a zlib stream a PDF reader inflates: deflate, a header whose
/// check bits are right, no preset dictionary.
fn zlib_header_ok(data: &[u8]) -> bool {
    let [cmf, flg, ..] = *data else {
        return false;
    };
    cmf & 0x0F == 8
        && cmf >> 4 <= 7
        && (u16::from(cmf) << 8 | u16::from(flg)) % 31 == 0
        && flg & 0x20 == 0
}

/// `bytes` as upper-case hex digits.
fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02X}")).collect()
}

/// The pixels of stand-in `number`: the mark and the number, then zeros to fill a row of
/// [`PLACEHOLDER_WIDTH`] pixels of `colour_space`.
fn placeholder_pixels(number: usize, colour_space: ImageColorspace) -> Vec<u8> {
    let components = match colour_space {
        ImageColorspace::Luma => 1,
        ImageColorspace::Rgb => 3,
        ImageColorspace::Cmyk => 4,
    };
    let mut pixels = MARK.to_vec();
    pixels.extend_from_slice(format!("{number:0width$x}", width = NUMBER_DIGITS).as_bytes());
    pixels.resize(PLACEHOLDER_WIDTH * components, 0);
    pixels
}

/// The image number a stand-in's inflated pixels carry.
fn placeholder_number(pixels: &[u8]) -> Option<usize> {
    let digits = pixels.strip_prefix(MARK)?.get(..NUMBER_DIGITS)?;
    usize::from_str_radix(std::str::from_utf8(digits).ok()?, 16).ok()
}

/// The stand-in image handed to krilla.
#[derive(Debug, Clone, Hash)]
struct StandIn {
    pixels: Vec<u8>,
    colour_space: ImageColorspace,
    icc: Option<Arc<Vec<u8>>>,
}

impl CustomImage for StandIn {
    fn color_channel(&self) -> &[u8] {
        &self.pixels
    }

    fn alpha_channel(&self) -> Option<&[u8]> {
        None
    }

    fn bits_per_component(&self) -> BitsPerComponent {
        BitsPerComponent::Eight
    }

    fn size(&self) -> (u32, u32) {
        (PLACEHOLDER_WIDTH as u32, 1)
    }

    fn icc_profile(&self) -> Option<&[u8]> {
        self.icc.as_deref().map(Vec::as_slice)
    }

    fn color_space(&self) -> ImageColorspace {
        self.colour_space
    }
}

/// The PDF krilla wrote (a cross-reference table, every object at the offset it gives)
/// with each stand-in's image object holding its PNG's data instead: `streams` by image
/// number. An error when the file is not laid out as krilla writes it or when a stand-in
/// is missing, so that no image is ever left out of the book without a word.
pub(crate) fn substitute(
    pdf: Vec<u8>,
    streams: &BTreeMap<usize, &PngStream>,
) -> Result<Vec<u8>, String> {
    if streams.is_empty() {
        return Ok(pdf);
    }
    let table = XrefTable::parse(&pdf).ok_or("the PDF's cross-reference table is unexpected")?;
    let replacements = stand_in_replacements(&pdf, &table.offsets, table.xref_start, streams)?;
    let (mut out, offsets) = rebuilt(&pdf, &table.offsets, table.xref_start, &replacements);
    let xref_at = out.len();
    table.write(&mut out, &offsets, xref_at);
    Ok(out)
}

/// Bytes at the start of an object within which an image's dictionary begins.
const DICTIONARY_WINDOW: usize = 256;

/// Each stand-in among the objects of `pdf` (at `offsets` by number, the last ending at
/// `end`) rewritten whole with its PNG's data, by object number. An error when a stand-in
/// of `streams` is not found.
pub(crate) fn stand_in_replacements(
    pdf: &[u8],
    offsets: &[Option<usize>],
    end: usize,
    streams: &BTreeMap<usize, &PngStream>,
) -> Result<BTreeMap<usize, Vec<u8>>, String> {
    let mut replacements = BTreeMap::new();
    if streams.is_empty() {
        return Ok(replacements);
    }
    let mut found = BTreeMap::new();
    for (start, number, object_end) in objects_in_order(offsets, end) {
        let object = pdf
            .get(start..object_end)
            .ok_or("an object lies outside the file")?;
        let head = &object[..object.len().min(DICTIONARY_WINDOW)];
        if find(head, b"/Subtype/Image").is_none() {
            continue;
        }
        if let Some((image, replacement)) = replace_stand_in(object, number, streams) {
            found.insert(image, number);
            replacements.insert(number, replacement);
        }
    }
    match streams.keys().find(|image| !found.contains_key(*image)) {
        Some(missing) => Err(format!("image {missing} was not found in the written PDF")),
        None => Ok(replacements),
    }
}

/// `pdf` up to `end` with the objects of `replacements` (by number) replaced, and every
/// object's new offset.
pub(crate) fn rebuilt(
    pdf: &[u8],
    offsets: &[Option<usize>],
    end: usize,
    replacements: &BTreeMap<usize, Vec<u8>>,
) -> (Vec<u8>, Vec<Option<usize>>) {
    let grown: usize = replacements.values().map(Vec::len).sum();
    let mut out = Vec::with_capacity(end + grown);
    let mut new_offsets = offsets.to_vec();
    let mut copied_from = 0;
    for (start, number, object_end) in objects_in_order(offsets, end) {
        // Every object moves by what the replacements before it added or removed.
        new_offsets[number] = Some(out.len() + (start - copied_from));
        if let Some(replacement) = replacements.get(&number) {
            out.extend_from_slice(&pdf[copied_from..start]);
            out.extend_from_slice(replacement);
            copied_from = object_end;
        }
    }
    out.extend_from_slice(&pdf[copied_from..end]);
    (out, new_offsets)
}

/// The stand-in `object` (number `number`) replaced: the image number it stood in for and
/// the whole object, rewritten; `None` when it is not a stand-in.
fn replace_stand_in(
    object: &[u8],
    number: usize,
    streams: &BTreeMap<usize, &PngStream>,
) -> Option<(usize, Vec<u8>)> {
    let header = format!("{number} 0 obj\n");
    let body = object.strip_prefix(header.as_bytes())?;
    let dict_end = find(body, b">>\nstream\n")?;
    let dict = std::str::from_utf8(body.get(2..dict_end)?).ok()?;
    if !body.starts_with(b"<<") || !dict.contains("/Subtype/Image") {
        return None;
    }
    let entries = dict_entries(dict)?;
    let value = |key: &str| entries.iter().find(|(k, _)| *k == key).map(|(_, v)| *v);
    if value("Width")? != PLACEHOLDER_WIDTH.to_string() || value("Height")? != "1" {
        return None;
    }
    let length: usize = value("Length")?.parse().ok()?;
    let data_start = dict_end + b">>\nstream\n".len();
    let compressed = body.get(data_start..data_start + length)?;
    let mut pixels = Vec::new();
    flate2::read::ZlibDecoder::new(compressed)
        .take(PLACEHOLDER_WIDTH as u64 * 4)
        .read_to_end(&mut pixels)
        .ok()?;
    let image = placeholder_number(&pixels)?;
    let stream = streams.get(&image)?;
    let replaced = stream.entries(value("ColorSpace")?);
    let kept = entries
        .iter()
        .filter(|(key, _)| !replaced.iter().any(|(k, _)| k == key))
        .map(|&(key, value)| (key, value.to_string()))
        .collect::<Vec<_>>();
    let mut rewritten = format!("{header}<<");
    for (key, value) in kept.into_iter().chain(replaced) {
        // A space only where the value would otherwise run into the key.
        let space = if value.starts_with(['/', '[', '<']) {
            ""
        } else {
            " "
        };
        rewritten.push_str(&format!("/{key}{space}{value}"));
    }
    rewritten.push_str(">>\nstream\n");
    let mut bytes = rewritten.into_bytes();
    bytes.extend_from_slice(&stream.data);
    bytes.extend_from_slice(b"\nendstream\nendobj\n");
    Some((image, bytes))
}

/// The entries of a dictionary's inside (between `<<` and `>>`), as key and value text;
/// `None` when it is not a sequence of `/Key value` pairs.
fn dict_entries(dict: &str) -> Option<Vec<(&str, &str)>> {
    let mut entries = Vec::new();
    let mut rest = dict.trim_start();
    while !rest.is_empty() {
        let after_slash = rest.strip_prefix('/')?;
        let key_len = name_length(after_slash);
        let key = &after_slash[..key_len];
        let after_key = after_slash[key_len..].trim_start();
        let value_len = value_length(after_key)?;
        entries.push((key, after_key[..value_len].trim_end()));
        rest = after_key[value_len..].trim_start();
    }
    Some(entries)
}

/// Bytes of the name at the start of `text` (after its `/`).
fn name_length(text: &str) -> usize {
    text.find(|c: char| c.is_ascii_whitespace() || "/[]<>()".contains(c))
        .unwrap_or(text.len())
}

/// Bytes of the value at the start of `text`: a name, an array or dictionary (brackets
/// balanced), or the numbers and words before the next key (a number, a reference
/// `12 0 R`, a boolean).
fn value_length(text: &str) -> Option<usize> {
    if let Some(name) = text.strip_prefix('/') {
        return Some(1 + name_length(name));
    }
    if text.starts_with('[') || text.starts_with("<<") {
        let mut depth = 0i32;
        for (at, c) in text.char_indices() {
            match c {
                '[' | '<' => depth += 1,
                ']' | '>' => depth -= 1,
                _ => {}
            }
            if depth == 0 {
                return Some(at + 1);
            }
        }
        return None;
    }
    let end = text.find(['/', '[', '<']).unwrap_or(text.len());
    (end > 0).then_some(end)
}

/// `needle`'s first position in `haystack`.
fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// krilla's classic cross-reference table and trailer.
struct XrefTable {
    /// Where the `xref` keyword starts.
    xref_start: usize,
    /// Each object's offset (`None` for a free entry), by object number.
    offsets: Vec<Option<usize>>,
    /// The trailer, from its keyword up to `startxref`.
    trailer: Vec<u8>,
}

/// Bytes of one entry of a cross-reference table.
const XREF_ENTRY_BYTES: usize = 20;

impl XrefTable {
    /// The table of a file krilla wrote: one section from object 0, then the trailer.
    fn parse(pdf: &[u8]) -> Option<XrefTable> {
        let startxref = pdf.windows(9).rposition(|w| w == b"startxref")?;
        let offset_text = std::str::from_utf8(pdf.get(startxref + 9..)?).ok()?;
        let xref_start: usize = offset_text.split_whitespace().next()?.parse().ok()?;
        let table = pdf.get(xref_start..startxref)?;
        let table = table.strip_prefix(b"xref\n")?;
        let line_end = table.iter().position(|&b| b == b'\n')?;
        let section = std::str::from_utf8(&table[..line_end]).ok()?;
        let (first, count) = section.split_once(' ')?;
        let count: usize = count.trim().parse().ok()?;
        if first != "0" {
            return None;
        }
        let entries = table.get(line_end + 1..line_end + 1 + count * XREF_ENTRY_BYTES)?;
        let offsets = entries
            .chunks(XREF_ENTRY_BYTES)
            .map(|entry| {
                let text = std::str::from_utf8(entry).ok()?;
                let offset: usize = text.get(..10)?.parse().ok()?;
                Some((text.get(17..18)? == "n").then_some(offset))
            })
            .collect::<Option<Vec<_>>>()?;
        let trailer = table
            .get(line_end + 1 + count * XREF_ENTRY_BYTES..)?
            .to_vec();
        Some(XrefTable {
            xref_start,
            offsets,
            trailer,
        })
    }

    /// The table with `offsets`, at `xref_at`, then the trailer and `startxref`.
    fn write(&self, out: &mut Vec<u8>, offsets: &[Option<usize>], xref_at: usize) {
        out.extend_from_slice(format!("xref\n0 {}\n", offsets.len()).as_bytes());
        for (number, offset) in offsets.iter().enumerate() {
            let entry = match offset {
                Some(offset) => format!("{offset:010} 00000 n\r\n"),
                None if number == 0 => "0000000000 65535 f\r\n".to_string(),
                None => "0000000000 00000 f\r\n".to_string(),
            };
            out.extend_from_slice(entry.as_bytes());
        }
        out.extend_from_slice(&self.trailer);
        out.extend_from_slice(format!("startxref\n{xref_at}\n%%EOF").as_bytes());
    }
}

#[cfg(test)]
#[path = "png_passthrough_tests.rs"]
mod tests;
