//! Images as PDF XObjects, written as `lopdf` streams by us (see `content` for why we write
//! PDF objects ourselves).
//!
//! - A baseline or progressive 8-bit JPEG is passed through unchanged as `/DCTDecode`: its
//!   header gives the size and the colour space (1 component gray, 3 RGB, 4 CMYK; Adobe's
//!   inverted CMYK gets `/Decode [1 0 1 0 1 0 1 0]`). Re-encoding it would lose quality or
//!   bloat the file.
//! - An opaque 8-bit gray or RGB PNG that is not interlaced is passed through too: its IDAT
//!   data already is a zlib stream of PNG-filtered rows, which `/FlateDecode` with
//!   `/Predictor 15` reads as it is (no decode, no re-compression: the 1600x2560 cover took
//!   most of a small book's PDF time that way).
//! - Anything else (other PNGs) is decoded under `image::Limits` and embedded losslessly at
//!   full resolution as `/FlateDecode`, gray or RGB, with an `/SMask` when it has
//!   transparency.

use std::path::Path;

use lopdf::{Dictionary, Object, Stream};

use super::content::deflate;
use crate::doc::MAX_IMAGE_PIXELS;

/// An image XObject and, for transparency, its soft mask (to be referenced as `/SMask`).
#[derive(Debug)]
pub(crate) struct ImageXObject {
    /// The image stream.
    pub image: Stream,
    /// The alpha channel as a gray image, if the image has one that is not fully opaque.
    pub smask: Option<Stream>,
}

/// Reads and converts the image at `path`; the error is a reason to show with the path.
pub(crate) fn image_xobject(path: &Path) -> Result<ImageXObject, String> {
    // The path was confined to the book when the image was resolved.
    let bytes = crate::manuscript::read_regular(path, crate::manuscript::NO_SIZE_LIMIT)
        .map_err(|problem| problem.describe(&path.display().to_string()))?;
    if let Some(header) = JpegHeader::parse(&bytes) {
        header.check_size()?;
        return Ok(ImageXObject {
            image: header.xobject(bytes),
            smask: None,
        });
    }
    if let Some(image) = png_passthrough(&bytes) {
        return Ok(ImageXObject { image, smask: None });
    }
    decoded_xobject(&bytes)
}

/// The PNG as an XObject without decoding it, when that is possible: 8-bit gray or RGB, not
/// interlaced, no transparency (`tRNS`), every chunk where its length says, size within
/// [`MAX_IMAGE_PIXELS`]. `None` sends the image through the decoder instead.
fn png_passthrough(bytes: &[u8]) -> Option<Stream> {
    const SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";
    let mut at = SIGNATURE.len();
    if !bytes.starts_with(SIGNATURE) {
        return None;
    }
    let mut header = None;
    let mut data = Vec::new();
    loop {
        let length =
            usize::try_from(u32::from_be_bytes(bytes.get(at..at + 4)?.try_into().ok()?)).ok()?;
        let kind = bytes.get(at + 4..at + 8)?;
        let body = bytes.get(at + 8..at.checked_add(8 + length)?)?;
        at += 12 + length; // length, type, data, CRC
        match kind {
            b"IHDR" if body.len() == 13 => header = Some(body.to_vec()),
            b"IDAT" => data.extend_from_slice(body),
            b"tRNS" | b"PLTE" => return None,
            b"IEND" => break,
            _ => {}
        }
    }
    let header = header?;
    let width = u32::from_be_bytes(header[0..4].try_into().ok()?);
    let height = u32::from_be_bytes(header[4..8].try_into().ok()?);
    let (depth, color, interlace) = (header[8], header[9], header[12]);
    let (space, colors) = match color {
        0 => ("DeviceGray", 1),
        2 => ("DeviceRGB", 3),
        _ => return None,
    };
    let pixels = u64::from(width) * u64::from(height);
    if depth != 8 || interlace != 0 || data.is_empty() || pixels == 0 || pixels > MAX_IMAGE_PIXELS {
        return None;
    }
    let mut dict = image_dict(width, height, space);
    dict.set("Filter", Object::Name(b"FlateDecode".to_vec()));
    let parms = Dictionary::from_iter(vec![
        ("Predictor", Object::Integer(15)),
        ("Colors", Object::Integer(colors)),
        ("BitsPerComponent", Object::Integer(8)),
        ("Columns", Object::Integer(i64::from(width))),
    ]);
    dict.set("DecodeParms", Object::Dictionary(parms));
    Some(Stream::new(dict, data).with_compression(false))
}

/// What a JPEG's header says about it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct JpegHeader {
    width: u16,
    height: u16,
    components: u8,
    /// An Adobe `APP14` marker: its CMYK is stored inverted.
    adobe: bool,
}

impl JpegHeader {
    /// Parses the markers up to the first frame header; `None` unless it is an 8-bit baseline,
    /// extended or progressive Huffman JPEG with 1, 3 or 4 components (what `/DCTDecode`
    /// reads everywhere).
    fn parse(bytes: &[u8]) -> Option<JpegHeader> {
        if !bytes.starts_with(&[0xFF, 0xD8]) {
            return None;
        }
        let mut adobe = false;
        let mut at = 2;
        loop {
            let (marker, body) = next_segment(bytes, &mut at)?;
            match marker {
                0xEE => adobe |= body.starts_with(b"Adobe"),
                0xC0..=0xC2 => return JpegHeader::from_frame(body, adobe),
                0xC3 | 0xC5..=0xC7 | 0xC9..=0xCB | 0xCD..=0xCF | 0xD9 | 0xDA => return None,
                _ => {}
            }
        }
    }

    /// The frame header's fields: precision, height, width, components.
    fn from_frame(body: &[u8], adobe: bool) -> Option<JpegHeader> {
        let [precision, h1, h2, w1, w2, components, ..] = *body else {
            return None;
        };
        let header = JpegHeader {
            width: u16::from_be_bytes([w1, w2]),
            height: u16::from_be_bytes([h1, h2]),
            components,
            adobe,
        };
        let usable = precision == 8
            && header.width > 0
            && header.height > 0
            && matches!(components, 1 | 3 | 4);
        usable.then_some(header)
    }

    fn check_size(&self) -> Result<(), String> {
        let pixels = u64::from(self.width) * u64::from(self.height);
        if pixels > MAX_IMAGE_PIXELS {
            return Err(format!(
                "{}x{} pixels is more than the limit of {MAX_IMAGE_PIXELS}",
                self.width, self.height
            ));
        }
        Ok(())
    }

    /// The JPEG bytes as a `/DCTDecode` image.
    fn xobject(&self, bytes: Vec<u8>) -> Stream {
        let space = match self.components {
            1 => "DeviceGray",
            3 => "DeviceRGB",
            _ => "DeviceCMYK",
        };
        let mut dict = image_dict(u32::from(self.width), u32::from(self.height), space);
        dict.set("Filter", Object::Name(b"DCTDecode".to_vec()));
        if self.components == 4 && self.adobe {
            let decode = [1, 0, 1, 0, 1, 0, 1, 0].map(Object::Integer);
            dict.set("Decode", Object::Array(decode.to_vec()));
        }
        Stream::new(dict, bytes).with_compression(false)
    }
}

/// The next marker segment at `*at`: its marker byte and body (without the length).
/// Markers without a body (RSTn, TEM) come back with an empty one.
fn next_segment<'b>(bytes: &'b [u8], at: &mut usize) -> Option<(u8, &'b [u8])> {
    while bytes.get(*at) == Some(&0xFF) && bytes.get(*at + 1) == Some(&0xFF) {
        *at += 1;
    }
    let (&0xFF, &marker) = (bytes.get(*at)?, bytes.get(*at + 1)?) else {
        return None;
    };
    *at += 2;
    if matches!(marker, 0x01 | 0xD0..=0xD7) {
        return Some((marker, &[]));
    }
    let len = usize::from(u16::from_be_bytes([*bytes.get(*at)?, *bytes.get(*at + 1)?]));
    let body = bytes.get(*at + 2..*at + len.max(2))?;
    *at += len.max(2);
    Some((marker, body))
}

/// `/Type /XObject /Subtype /Image` with size, colour space and 8 bits per component.
fn image_dict(width: u32, height: u32, space: &str) -> Dictionary {
    Dictionary::from_iter(vec![
        ("Type", Object::Name(b"XObject".to_vec())),
        ("Subtype", Object::Name(b"Image".to_vec())),
        ("Width", Object::Integer(i64::from(width))),
        ("Height", Object::Integer(i64::from(height))),
        ("ColorSpace", Object::Name(space.as_bytes().to_vec())),
        ("BitsPerComponent", Object::Integer(8)),
    ])
}

/// A Flate-compressed image stream of 8-bit samples.
fn flate_image(width: u32, height: u32, space: &str, samples: &[u8]) -> Stream {
    let mut dict = image_dict(width, height, space);
    dict.set("Filter", Object::Name(b"FlateDecode".to_vec()));
    Stream::new(dict, deflate(samples)).with_compression(false)
}

/// Decodes an image (PNG) under pixel limits into gray or RGB samples and an alpha mask.
fn decoded_xobject(bytes: &[u8]) -> Result<ImageXObject, String> {
    let mut reader = image::ImageReader::new(std::io::Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| e.to_string())?;
    let mut limits = image::Limits::default();
    limits.max_alloc = Some(MAX_IMAGE_PIXELS * 4);
    reader.limits(limits);
    let decoded = reader.decode().map_err(|e| e.to_string())?;
    let (width, height) = (decoded.width(), decoded.height());
    let color = decoded.color();
    let (space, samples, alpha) = match (color.has_color(), color.has_alpha()) {
        (false, false) => ("DeviceGray", decoded.into_luma8().into_raw(), None),
        (true, false) => ("DeviceRGB", decoded.into_rgb8().into_raw(), None),
        (false, true) => split_alpha("DeviceGray", decoded.into_luma_alpha8().into_raw(), 1),
        (true, true) => split_alpha("DeviceRGB", decoded.into_rgba8().into_raw(), 3),
    };
    let smask = alpha
        .filter(|a| a.iter().any(|&v| v != 0xFF))
        .map(|a| flate_image(width, height, "DeviceGray", &a));
    Ok(ImageXObject {
        image: flate_image(width, height, space, &samples),
        smask,
    })
}

/// Splits interleaved samples with a trailing alpha byte into colour samples and alpha.
fn split_alpha(
    space: &'static str,
    samples: Vec<u8>,
    colors: usize,
) -> (&'static str, Vec<u8>, Option<Vec<u8>>) {
    let pixels = samples.len() / (colors + 1);
    let mut color = Vec::with_capacity(pixels * colors);
    let mut alpha = Vec::with_capacity(pixels);
    for pixel in samples.chunks_exact(colors + 1) {
        color.extend_from_slice(&pixel[..colors]);
        alpha.push(pixel[colors]);
    }
    (space, color, Some(alpha))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A JPEG header: SOI, optional APP14 "Adobe", SOF0 with the given size and components.
    fn jpeg(width: u16, height: u16, components: u8, adobe: bool) -> Vec<u8> {
        let mut bytes = vec![0xFF, 0xD8, 0xFF, 0xE0, 0, 4, 0, 0];
        if adobe {
            bytes.extend([0xFF, 0xEE, 0, 14]);
            bytes.extend(b"Adobe\0\x64\0\0\0\0\x02");
        }
        bytes.extend([0xFF, 0xC0, 0, 8 + 3 * components, 8]);
        bytes.extend(height.to_be_bytes());
        bytes.extend(width.to_be_bytes());
        bytes.push(components);
        bytes.extend(std::iter::repeat_n([1, 0x11, 0], components.into()).flatten());
        bytes.extend([0xFF, 0xD9]);
        bytes
    }

    #[test]
    fn jpeg_headers_give_size_and_colour_space() {
        let header = JpegHeader::parse(&jpeg(640, 480, 3, false)).unwrap();
        assert_eq!(
            (header.width, header.height, header.components),
            (640, 480, 3)
        );
        let stream = header.xobject(jpeg(640, 480, 3, false));
        assert_eq!(
            stream.dict.get(b"ColorSpace").unwrap().as_name().unwrap(),
            b"DeviceRGB"
        );
        assert_eq!(
            stream.dict.get(b"Filter").unwrap().as_name().unwrap(),
            b"DCTDecode"
        );
        assert_eq!(
            stream.content,
            jpeg(640, 480, 3, false),
            "passed through unchanged"
        );
    }

    #[test]
    fn adobe_cmyk_jpegs_are_decoded_inverted() {
        let header = JpegHeader::parse(&jpeg(10, 10, 4, true)).unwrap();
        let stream = header.xobject(Vec::new());
        assert_eq!(
            stream.dict.get(b"ColorSpace").unwrap().as_name().unwrap(),
            b"DeviceCMYK"
        );
        assert_eq!(
            stream
                .dict
                .get(b"Decode")
                .unwrap()
                .as_array()
                .unwrap()
                .len(),
            8
        );
        let plain = JpegHeader::parse(&jpeg(10, 10, 4, false)).unwrap();
        assert!(!plain.xobject(Vec::new()).dict.has(b"Decode"));
        let gray = JpegHeader::parse(&jpeg(10, 10, 1, true)).unwrap();
        assert!(!gray.xobject(Vec::new()).dict.has(b"Decode"));
    }

    #[test]
    fn odd_or_truncated_jpegs_are_not_passed_through() {
        assert!(JpegHeader::parse(&jpeg(0, 10, 3, false)).is_none());
        assert!(JpegHeader::parse(&jpeg(10, 10, 2, false)).is_none());
        let full = jpeg(10, 10, 3, false);
        for cut in 0..full.len() - 4 {
            assert!(JpegHeader::parse(&full[..cut]).is_none(), "{cut}");
        }
        let huge = JpegHeader::parse(&jpeg(60_000, 60_000, 3, false)).unwrap();
        assert!(huge.check_size().is_err());
    }

    #[test]
    fn pngs_with_transparency_get_a_soft_mask() {
        let mut rgba = image::RgbaImage::new(2, 1);
        rgba.put_pixel(0, 0, image::Rgba([255, 0, 0, 255]));
        rgba.put_pixel(1, 0, image::Rgba([0, 0, 255, 0]));
        let mut png = Vec::new();
        rgba.write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
            .unwrap();
        let xobject = decoded_xobject(&png).unwrap();
        let image = xobject.image;
        assert_eq!(
            image.dict.get(b"ColorSpace").unwrap().as_name().unwrap(),
            b"DeviceRGB"
        );
        assert_eq!(
            image.decompressed_content().unwrap(),
            [255, 0, 0, 0, 0, 255]
        );
        let mask = xobject.smask.expect("a soft mask");
        assert_eq!(mask.decompressed_content().unwrap(), [255, 0]);
    }

    #[test]
    fn opaque_gray_pngs_stay_gray_without_a_mask() {
        let gray = image::GrayImage::from_raw(2, 1, vec![0, 200]).unwrap();
        let mut png = Vec::new();
        gray.write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
            .unwrap();
        let xobject = decoded_xobject(&png).unwrap();
        assert!(xobject.smask.is_none());
        let space = xobject
            .image
            .dict
            .get(b"ColorSpace")
            .unwrap()
            .as_name()
            .unwrap()
            .to_vec();
        assert_eq!(space, b"DeviceGray");
    }

    #[test]
    fn opaque_rgb_pngs_pass_through_and_others_do_not() {
        let encode = |image: image::DynamicImage| {
            let mut png = Vec::new();
            image
                .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
                .unwrap();
            png
        };
        let rgb = encode(image::DynamicImage::ImageRgb8(image::RgbImage::from_fn(
            7,
            5,
            |x, y| image::Rgb([x as u8 * 30, y as u8 * 40, 9]),
        )));
        let stream = png_passthrough(&rgb).expect("an opaque RGB PNG passes through");
        let parms = stream.dict.get(b"DecodeParms").unwrap().as_dict().unwrap();
        assert_eq!(parms.get(b"Predictor").unwrap().as_i64().unwrap(), 15);
        assert_eq!(parms.get(b"Columns").unwrap().as_i64().unwrap(), 7);
        // The stream inflates to 5 rows of a filter byte and 7 RGB pixels.
        let mut rows = Vec::new();
        std::io::Read::read_to_end(
            &mut flate2::read::ZlibDecoder::new(stream.content.as_slice()),
            &mut rows,
        )
        .unwrap();
        assert_eq!(rows.len(), 5 * (1 + 7 * 3));
        let rgba = encode(image::DynamicImage::ImageRgba8(image::RgbaImage::new(3, 3)));
        assert!(png_passthrough(&rgba).is_none(), "alpha needs a soft mask");
        assert!(
            png_passthrough(&rgb[..rgb.len() - 20]).is_none(),
            "truncated"
        );
    }
}
