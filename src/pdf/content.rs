//! Page content streams written as bytes, operator by operator.
//!
//! We write PDF operators ourselves instead of building a vector of operation values for a PDF
//! library to serialise: printpdf's serialiser took 2.56 s of a 6.8 s build of a 4,040-page
//! book (measured with `OCTAVO_TIMINGS`), and its operation vectors were most of the 900 MB peak.
//! A page's stream is a few kilobytes of text that is compressed as soon as the page is done.
//!
//! Numbers are written compactly and deterministically by [`Content::number`]: rounded to a
//! fixed number of decimals, trailing zeros trimmed, never in exponent notation, never `-0`.

use std::cell::RefCell;
use std::io::Write;

use flate2::{Compress, Compression, FlushCompress, Status};

/// Decimals kept for coordinates and sizes (a thousandth of a point).
pub(crate) const COORD_DECIMALS: u32 = 3;

/// Decimals kept for `TJ` adjustments (thousandths of an em, so 1/100000 em).
pub(crate) const KERN_DECIMALS: u32 = 2;

/// The bytes of one content stream being written.
#[derive(Debug, Default, Clone)]
pub(crate) struct Content {
    bytes: Vec<u8>,
    /// The length of `bytes` just after the last glyph string, so that a glyph written
    /// right after it joins that string (see [`Content::glyph`]).
    glyphs_end: usize,
}

impl Content {
    /// An empty stream.
    pub(crate) fn new() -> Self {
        Content::default()
    }

    /// The stream's bytes so far.
    pub(crate) fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The finished stream.
    pub(crate) fn into_bytes(self) -> Vec<u8> {
        self.bytes
    }

    /// Writes `value` rounded to `decimals` (at most 6) and a separating space.
    pub(crate) fn number(&mut self, value: f64, decimals: u32) {
        push_number(&mut self.bytes, value, decimals);
        self.bytes.push(b' ');
    }

    /// Writes an operator and ends the line.
    pub(crate) fn op(&mut self, operator: &str) {
        self.bytes.extend_from_slice(operator.as_bytes());
        self.bytes.push(b'\n');
    }

    /// Writes `/name ` (the name must be made of regular characters).
    pub(crate) fn name(&mut self, name: &str) {
        self.bytes.push(b'/');
        self.bytes.extend_from_slice(name.as_bytes());
        self.bytes.push(b' ');
    }

    /// `BT`: begins a text object.
    pub(crate) fn begin_text(&mut self) {
        self.op("BT");
    }

    /// `ET`: ends a text object.
    pub(crate) fn end_text(&mut self) {
        self.op("ET");
    }

    /// `/res size Tf`: selects a font resource and size.
    pub(crate) fn set_font(&mut self, resource: &str, size: f32) {
        self.name(resource);
        self.number(f64::from(size), COORD_DECIMALS);
        self.op("Tf");
    }

    /// `1 0 0 1 x y Tm`: puts the text origin at (`x`, `y`).
    pub(crate) fn text_matrix(&mut self, x: f32, y: f32) {
        self.bytes.extend_from_slice(b"1 0 0 1 ");
        self.number(f64::from(x), COORD_DECIMALS);
        self.number(f64::from(y), COORD_DECIMALS);
        self.op("Tm");
    }

    /// `[`: opens a `TJ` array.
    pub(crate) fn open_array(&mut self) {
        self.bytes.push(b'[');
    }

    /// A two-byte glyph code inside a `TJ` array, as hex. Glyphs with no adjustment between
    /// them share one string (`<00190030>`, not `<0019><0030>`): a sixth smaller before
    /// compression, which makes the streams faster to compress.
    pub(crate) fn glyph(&mut self, code: u16) {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let nibble = |shift: u16| HEX[usize::from((code >> shift) & 0xF)];
        let digits = [nibble(12), nibble(8), nibble(4), nibble(0)];
        if self.glyphs_end > 0 && self.glyphs_end == self.bytes.len() {
            self.bytes.pop();
        } else {
            self.bytes.push(b'<');
        }
        self.bytes.extend_from_slice(&digits);
        self.bytes.push(b'>');
        self.glyphs_end = self.bytes.len();
    }

    /// A `TJ` adjustment in thousandths of an em (positive moves left).
    pub(crate) fn adjustment(&mut self, value: f64) {
        if !matches!(self.bytes.last(), Some(b'[' | b'>')) {
            self.bytes.push(b' ');
        }
        push_number(&mut self.bytes, value, KERN_DECIMALS);
    }

    /// `] TJ`: closes the array and shows it.
    pub(crate) fn show_array(&mut self) {
        self.op("]TJ");
    }

    /// `/Span <</ActualText <FEFF…>>> BDC`: what text extraction reports for what follows.
    pub(crate) fn begin_actual_text(&mut self, text: &str) {
        self.bytes.extend_from_slice(b"/Span<</ActualText<FEFF");
        for unit in text.encode_utf16() {
            let _ = write!(self.bytes, "{unit:04X}");
        }
        self.op(">>>BDC");
    }

    /// `EMC`: ends a marked-content sequence.
    pub(crate) fn end_marked_content(&mut self) {
        self.op("EMC");
    }

    /// A horizontal rule of `width` from (`x`, `y`), stroked `thickness` wide.
    pub(crate) fn rule(&mut self, x: f64, y: f64, width: f64, thickness: f64) {
        self.number(thickness, COORD_DECIMALS);
        self.op("w");
        self.number(x, COORD_DECIMALS);
        self.number(y, COORD_DECIMALS);
        self.op("m");
        self.number(x + width, COORD_DECIMALS);
        self.number(y, COORD_DECIMALS);
        self.op("l");
        self.op("S");
    }

    /// Draws image XObject `resource` into the box with lower-left corner (`x`, `y`).
    pub(crate) fn image(&mut self, resource: &str, x: f64, y: f64, width: f64, height: f64) {
        self.op("q");
        self.number(width, COORD_DECIMALS);
        self.bytes.extend_from_slice(b"0 0 ");
        self.number(height, COORD_DECIMALS);
        self.number(x, COORD_DECIMALS);
        self.number(y, COORD_DECIMALS);
        self.op("cm");
        self.name(resource);
        self.op("Do");
        self.op("Q");
    }
}

/// Flate (zlib) compression level for streams. Measured on the 4,040-page x100 book: level 6
/// gave 11.3 MB with 0.66 s of rendering, level 3 gives 12.3 MB (+9 %) with 0.43 s, level 2
/// 13.1 MB, level 1 17.0 MB. Level 3 buys a third of the render time for a few percent.
const FLATE_LEVEL: u32 = 3;

thread_local! {
    /// One compressor per thread, reset for every stream: allocating a fresh one (a few hundred
    /// kilobytes of window and hash tables) for each of thousands of pages fragmented the heap
    /// into a gigabyte of peak memory on a 4,040-page book and doubled the time.
    static COMPRESSOR: RefCell<Option<Compress>> = const { RefCell::new(None) };
}

/// `bytes` zlib-compressed, for a `/FlateDecode` stream.
pub(crate) fn deflate(bytes: &[u8]) -> Vec<u8> {
    COMPRESSOR.with(|cell| {
        let mut slot = cell.borrow_mut();
        let compressor =
            slot.get_or_insert_with(|| Compress::new(Compression::new(FLATE_LEVEL), true));
        compressor.reset();
        compress_all(compressor, bytes).unwrap_or_else(|| deflate_fresh(bytes))
    })
}

/// Runs `compressor` over all of `bytes`; `None` if it reports an error.
fn compress_all(compressor: &mut Compress, bytes: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(bytes.len() / 4 + 64);
    loop {
        let consumed = usize::try_from(compressor.total_in()).ok()?;
        let rest = bytes.get(consumed..)?;
        match compressor.compress_vec(rest, &mut out, FlushCompress::Finish) {
            Ok(Status::StreamEnd) => return Some(out),
            Ok(_) => out.reserve(out.capacity().max(64)),
            Err(_) => return None,
        }
    }
}

/// `bytes` compressed by a new encoder (the fallback; writing into a Vec cannot fail).
fn deflate_fresh(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::ZlibEncoder::new(Vec::new(), Compression::new(FLATE_LEVEL));
    let _ = encoder.write_all(bytes);
    encoder.finish().unwrap_or_default()
}

/// Appends `value` rounded to `decimals` (clamped to 6): trailing zeros trimmed, no exponent,
/// no `-0`; NaN is written as 0 and infinities saturate.
pub(crate) fn push_number(out: &mut Vec<u8>, value: f64, decimals: u32) {
    let decimals = decimals.min(6);
    let scale = 10i64.pow(decimals);
    // `as` saturates and maps NaN to 0, so the integer arithmetic below cannot overflow badly.
    let scaled = (value * scale as f64).round() as i64;
    if scaled < 0 {
        out.push(b'-');
    }
    let magnitude = scaled.unsigned_abs();
    let scale = scale.unsigned_abs();
    push_digits(out, magnitude / scale, 1);
    let mut fraction = magnitude % scale;
    if fraction == 0 {
        return;
    }
    let mut digits = decimals;
    while fraction % 10 == 0 {
        fraction /= 10;
        digits -= 1;
    }
    out.push(b'.');
    push_digits(out, fraction, digits as usize);
}

/// Appends `value` in decimal, zero-padded to at least `width` digits (this runs for every
/// number of every page, so it avoids `fmt`).
pub(crate) fn push_digits(out: &mut Vec<u8>, mut value: u64, width: usize) {
    let mut buf = [b'0'; 20];
    let mut at = buf.len();
    while value > 0 || buf.len() - at < width.clamp(1, 20) {
        at -= 1;
        buf[at] = b'0' + (value % 10) as u8;
        value /= 10;
    }
    out.extend_from_slice(&buf[at..]);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn number(value: f64, decimals: u32) -> String {
        let mut out = Vec::new();
        push_number(&mut out, value, decimals);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn numbers_are_compact_and_never_negative_zero() {
        assert_eq!(number(0.0, 3), "0");
        assert_eq!(number(-0.0, 3), "0");
        assert_eq!(number(-0.0001, 3), "0");
        assert_eq!(number(12.5, 3), "12.5");
        assert_eq!(number(12.0, 3), "12");
        assert_eq!(number(-1.23456, 3), "-1.235");
        assert_eq!(number(0.05, 3), "0.05");
        assert_eq!(number(-0.005, 2), "-0.01");
        assert_eq!(number(1e20, 3), "9223372036854775.807");
        assert_eq!(number(f64::NAN, 3), "0");
        assert_eq!(number(1e-9, 3), "0");
        assert_eq!(number(123456.7891, 2), "123456.79");
        assert_eq!(number(0.007, 3), "0.007");
        assert_eq!(number(-10.0204, 3), "-10.02");
        assert_eq!(number(100.0, 0), "100");
    }

    /// Inflates zlib data.
    fn inflate(data: &[u8]) -> Vec<u8> {
        use std::io::Read;
        let mut out = Vec::new();
        flate2::read::ZlibDecoder::new(data)
            .read_to_end(&mut out)
            .unwrap();
        out
    }

    #[test]
    fn deflate_round_trips_and_reuses_its_compressor_cleanly() {
        let big: Vec<u8> = (0..200_000u32)
            .flat_map(|i| (i % 251).to_le_bytes())
            .collect();
        for input in [&b""[..], b"BT ET", &big, b"BT ET"] {
            let packed = deflate(input);
            assert_eq!(inflate(&packed), input);
            assert_eq!(
                packed,
                deflate_fresh(input),
                "same bytes as a fresh encoder"
            );
        }
    }

    #[test]
    fn writes_operators_tersely() {
        let mut c = Content::new();
        c.begin_text();
        c.set_font("F1", 10.5);
        c.text_matrix(72.0, 700.25);
        c.open_array();
        c.glyph(3);
        c.adjustment(-12.5);
        c.glyph(0xf1a2);
        c.glyph(0x0019);
        c.show_array();
        c.end_text();
        c.rule(10.0, 20.0, 30.0, 0.4);
        c.image("Im1", 1.0, 2.0, 3.0, 4.0);
        let text = String::from_utf8(c.into_bytes()).unwrap();
        assert_eq!(
            text,
            "BT\n/F1 10.5 Tf\n1 0 0 1 72 700.25 Tm\n[<0003>-12.5<f1a20019>]TJ\nET\n\
             0.4 w\n10 20 m\n40 20 l\nS\nq\n3 0 0 4 1 2 cm\n/Im1 Do\nQ\n"
        );
    }

    #[test]
    fn actual_text_is_utf16_hex() {
        let mut c = Content::new();
        c.begin_actual_text("ខ");
        c.end_marked_content();
        assert_eq!(
            String::from_utf8(c.into_bytes()).unwrap(),
            "/Span<</ActualText<FEFF1781>>>BDC\nEMC\n"
        );
    }
}
