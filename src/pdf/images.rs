//! The book's images, read for krilla.
//!
//! krilla embeds a JPEG unchanged as `/DCTDecode` (its header gives the size and colour
//! space; CMYK is written inverted, as Adobe's CMYK JPEGs store it) and decodes a PNG,
//! writing its colour losslessly as `/FlateDecode` with an `/SMask` when it has
//! transparency. Before an image goes to krilla we refuse what would do harm: a JPEG that
//! `/DCTDecode` readers cannot show (12-bit, lossless or arithmetic-coded), and an image of
//! more than [`MAX_IMAGE_PIXELS`] pixels (a decompression bomb), from its header alone.
//!
//! A GIF (its first frame, composed onto its logical screen) and a WebP are decoded here by
//! the `image` crate under an allocation limit and handed to krilla as RGBA pixels (krilla's
//! own GIF reader takes a first frame smaller than the screen for the whole picture). An
//! SVG is parsed by usvg with the book's faces ([`crate::fonts::svg_options`]) and drawn
//! as vectors by krilla-svg.

use std::path::Path;
use std::sync::Arc;

use krilla::image::Image;
use krilla::Data;
use usvg::fontdb::Database;

use super::png_passthrough::PngStream;
use crate::doc::MAX_IMAGE_PIXELS;

/// An image as the PDF draws it.
pub(crate) enum PdfImage {
    /// Pixels krilla embeds.
    Raster(Image),
    /// A drawing krilla-svg turns into PDF paths and text.
    Svg(Box<usvg::Tree>),
    /// A PNG copied into the PDF as it is: krilla draws `stand_in`, which
    /// [`super::png_passthrough::substitute`] replaces with `stream` in the written file.
    CopiedPng {
        /// The image krilla draws in its place.
        stand_in: Image,
        /// The PNG's data.
        stream: Box<PngStream>,
    },
}

/// The media type of the SVG images the book holds.
const SVG_MEDIA_TYPE: &str = "image/svg+xml";

/// Bytes a decoded pixel may take: 16-bit RGBA, the widest PNG.
const MAX_BYTES_PER_PIXEL: u64 = 8;

/// The image at `path` (of `media_type`, as resolve found it) ready for krilla, image
/// `number` of the document; `svg_fonts` are the faces an SVG's text is set in. The error
/// is a reason to show with the path.
pub(crate) fn read_pdf_image(
    path: &Path,
    media_type: &str,
    svg_fonts: &Arc<Database>,
    number: usize,
) -> Result<PdfImage, String> {
    if media_type == SVG_MEDIA_TYPE {
        let bytes = crate::manuscript::read_regular(path, crate::manuscript::NO_SIZE_LIMIT)
            .map_err(|problem| problem.describe(&path.display().to_string()))?;
        let text = String::from_utf8(bytes).map_err(|_| "the SVG is not UTF-8 text")?;
        let tree = crate::fonts::parse_svg(&text, Arc::clone(svg_fonts))?;
        return Ok(PdfImage::Svg(Box::new(tree)));
    }
    // The path was confined to the book when the image was resolved.
    let bytes = crate::manuscript::read_regular(path, crate::manuscript::NO_SIZE_LIMIT)
        .map_err(|problem| problem.describe(&path.display().to_string()))?;
    if let Some(stream) = PngStream::parse(&bytes) {
        check_pixels(stream.width, stream.height)?;
        let stand_in = stream.placeholder(number)?;
        return Ok(PdfImage::CopiedPng {
            stand_in,
            stream: Box::new(stream),
        });
    }
    image_from_bytes(bytes).map(PdfImage::Raster)
}

/// The PNG file signature.
const PNG_SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";

/// Checks that the image at `path` (of `media_type`) can go into the PDF (`octavo check`):
/// it is read as the writer reads it, and a PNG's pixels are decoded too, since krilla
/// decodes them only when the document is written.
pub(crate) fn check_image(path: &Path, media_type: &str) -> Result<(), String> {
    if media_type == SVG_MEDIA_TYPE {
        return read_pdf_image(path, media_type, &Arc::default(), 0).map(|_| ());
    }
    let bytes = crate::manuscript::read_regular(path, crate::manuscript::NO_SIZE_LIMIT)
        .map_err(|problem| problem.describe(&path.display().to_string()))?;
    let png = bytes.starts_with(PNG_SIGNATURE);
    if png {
        decode(&bytes)?;
    }
    image_from_bytes(bytes).map(|_| ())
}

/// A JPEG, PNG, GIF or WebP as a krilla image, after the checks above.
fn image_from_bytes(bytes: Vec<u8>) -> Result<Image, String> {
    if bytes.starts_with(&[0xFF, 0xD8]) {
        let (width, height) = check_jpeg_frame(&bytes)?;
        check_pixels(width, height)?;
        Image::from_jpeg(Data::from(bytes), false)
    } else if bytes.starts_with(PNG_SIGNATURE) {
        // krilla reads only the header here; the pixels are decoded when the PDF is written.
        let image = Image::from_png(Data::from(bytes), false)?;
        let (width, height) = image.size();
        check_pixels(width, height)?;
        Ok(image)
    } else if bytes.starts_with(b"GIF8") || bytes.get(8..12) == Some(&b"WEBP"[..]) {
        let pixels = decode(&bytes)?.into_rgba8();
        let (width, height) = pixels.dimensions();
        check_pixels(width, height)?;
        Ok(Image::from_rgba8(pixels.into_raw(), width, height))
    } else {
        Err("it is not a PNG, JPEG, GIF or WebP file".to_string())
    }
}

/// Refuses an image without pixels or with more than [`MAX_IMAGE_PIXELS`].
fn check_pixels(width: u32, height: u32) -> Result<(), String> {
    let pixels = u64::from(width) * u64::from(height);
    if pixels == 0 {
        return Err("it has no pixels".to_string());
    }
    if pixels > MAX_IMAGE_PIXELS {
        return Err(format!(
            "{width}x{height} pixels is more than the limit of {MAX_IMAGE_PIXELS}"
        ));
    }
    Ok(())
}

/// Decodes an image under the pixel limit (what krilla does with a PNG when it writes the
/// document); a GIF's first frame.
fn decode(bytes: &[u8]) -> Result<image::DynamicImage, String> {
    let mut reader = image::ImageReader::new(std::io::Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| e.to_string())?;
    let mut limits = image::Limits::default();
    limits.max_alloc = Some(MAX_IMAGE_PIXELS * MAX_BYTES_PER_PIXEL);
    reader.limits(limits);
    reader.decode().map_err(|e| e.to_string())
}

/// The size of a JPEG whose first frame is 8-bit baseline, extended or progressive Huffman
/// (what every `/DCTDecode` reader shows); anything else, or a header cut short, is refused.
fn check_jpeg_frame(bytes: &[u8]) -> Result<(u32, u32), String> {
    let unusable = "it is a JPEG that PDF readers cannot show (12-bit, lossless or \
                    arithmetic-coded); save it as a baseline JPEG or a PNG";
    let mut at = 2;
    loop {
        let (marker, body) =
            next_segment(bytes, &mut at).ok_or("its JPEG header is damaged or cut short")?;
        match marker {
            0xC0..=0xC2 => {
                let [precision, h1, h2, w1, w2, ..] = *body else {
                    return Err("its JPEG frame header is cut short".to_string());
                };
                if precision != 8 {
                    return Err(unusable.to_string());
                }
                let size = |a, b| u32::from(u16::from_be_bytes([a, b]));
                return Ok((size(w1, w2), size(h1, h2)));
            }
            0xC3 | 0xC5..=0xC7 | 0xC9..=0xCB | 0xCD..=0xCF => return Err(unusable.to_string()),
            0xD9 | 0xDA => return Err("its JPEG header has no frame".to_string()),
            _ => {}
        }
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

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A JPEG header: SOI, optional APP14 "Adobe", a frame header of the given kind (`0xC0`
    /// baseline), precision, size and components, and EOI.
    pub(crate) fn jpeg(
        width: u16,
        height: u16,
        components: u8,
        frame: u8,
        precision: u8,
    ) -> Vec<u8> {
        let mut bytes = vec![0xFF, 0xD8, 0xFF, 0xE0, 0, 4, 0, 0];
        bytes.extend([0xFF, frame, 0, 8 + 3 * components, precision]);
        bytes.extend(height.to_be_bytes());
        bytes.extend(width.to_be_bytes());
        bytes.push(components);
        bytes.extend(std::iter::repeat_n([1, 0x11, 0], components.into()).flatten());
        bytes.extend([0xFF, 0xD9]);
        bytes
    }

    /// `image` encoded as a PNG.
    pub(crate) fn png(image: image::DynamicImage) -> Vec<u8> {
        let mut png = Vec::new();
        image
            .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
            .unwrap();
        png
    }

    #[test]
    fn jpeg_frames_readers_cannot_show_are_refused() {
        assert_eq!(check_jpeg_frame(&jpeg(30, 10, 3, 0xC0, 8)), Ok((30, 10)));
        assert!(
            check_jpeg_frame(&jpeg(10, 10, 3, 0xC2, 8)).is_ok(),
            "progressive"
        );
        for (frame, precision) in [(0xC0, 12), (0xC3, 8), (0xC9, 8)] {
            let err = check_jpeg_frame(&jpeg(10, 10, 3, frame, precision)).unwrap_err();
            assert!(err.contains("cannot show"), "{frame:x}: {err}");
        }
        let full = jpeg(10, 10, 3, 0xC0, 8);
        for cut in 2..full.len() - 12 {
            assert!(check_jpeg_frame(&full[..cut]).is_err(), "{cut}");
        }
    }

    #[test]
    fn huge_images_are_refused_from_their_header() {
        let err = image_from_bytes(jpeg(60_000, 60_000, 3, 0xC0, 8)).unwrap_err();
        assert!(err.contains("more than the limit"), "{err}");
        // A PNG header claiming 50000x50000 pixels: refused before anything is decoded.
        let mut header = png(image::DynamicImage::ImageRgb8(image::RgbImage::new(1, 1)));
        header[16..24].copy_from_slice(&[0, 0, 0xC3, 0x50, 0, 0, 0xC3, 0x50]);
        let mut crc = flate2::Crc::new();
        crc.update(&header[12..29]);
        header[29..33].copy_from_slice(&crc.sum().to_be_bytes());
        let err = image_from_bytes(header).unwrap_err();
        assert!(err.contains("more than the limit"), "{err}");
    }

    #[test]
    fn other_formats_and_damaged_images_are_refused() {
        assert!(image_from_bytes(b"GIF89a....".to_vec()).is_err());
        assert!(image_from_bytes(b"BM......".to_vec()).is_err());
        let dir = tempfile::tempdir().unwrap();
        let good = png(image::DynamicImage::ImageRgb8(image::RgbImage::new(30, 20)));
        let path = dir.path().join("good.png");
        std::fs::write(&path, &good).unwrap();
        assert!(check_image(&path, "image/png").is_ok());
        let damaged = dir.path().join("damaged.png");
        std::fs::write(&damaged, &good[..good.len() - 30]).unwrap();
        assert!(check_image(&damaged, "image/png").is_err());
        let svg = dir.path().join("bad.svg");
        std::fs::write(
            &svg,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"0\"/>",
        )
        .unwrap();
        assert!(check_image(&svg, "image/svg+xml").is_err());
    }

    /// `image` encoded in `format`.
    pub(crate) fn encoded(image: image::DynamicImage, format: image::ImageFormat) -> Vec<u8> {
        let mut bytes = Vec::new();
        image
            .write_to(&mut std::io::Cursor::new(&mut bytes), format)
            .unwrap();
        bytes
    }

    #[test]
    fn gif_and_webp_are_decoded_into_pixels() {
        let picture = image::DynamicImage::ImageRgba8(image::RgbaImage::from_pixel(
            12,
            7,
            image::Rgba([200, 30, 30, 255]),
        ));
        for format in [image::ImageFormat::Gif, image::ImageFormat::WebP] {
            let image = image_from_bytes(encoded(picture.clone(), format)).unwrap();
            assert_eq!(image.size(), (12, 7), "{format:?}");
        }
    }
}
