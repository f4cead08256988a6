//! The resolution a raster image's file records, which sets the size it prints at: a PNG's
//! `pHYs` chunk (pixels per metre), a JPEG's JFIF header (dots per inch or per centimetre)
//! or, failing that, its EXIF `XResolution` and `ResolutionUnit`. GIF and WebP record none.
//!
//! Only the header is read (the chunks before a PNG's pixels, the segments before a JPEG's
//! scan), and a value that makes no sense (zero, or beyond [`MAX_PPI`]) counts as none.

/// Centimetres in an inch.
const CM_PER_INCH: f64 = 2.54;
/// Metres in an inch.
const METRES_PER_INCH: f64 = 0.0254;
/// Below this a recorded resolution is a placeholder (some tools write 1), not a size.
const MIN_PPI: f64 = 10.0;
/// Above this a recorded resolution is a mistake (no scanner or screen is this fine).
const MAX_PPI: f64 = 10_000.0;

/// The horizontal and vertical resolution, in pixels per inch, that `head` (the first bytes
/// of a PNG or JPEG file) records; `None` when it records none that makes sense.
pub(super) fn recorded_ppi(head: &[u8]) -> Option<(f64, f64)> {
    let ppi = if head.starts_with(b"\x89PNG\r\n\x1a\n") {
        png_ppi(head)
    } else if head.starts_with(&[0xFF, 0xD8]) {
        jpeg_ppi(head)
    } else {
        None
    }?;
    let sensible = |v: f64| (MIN_PPI..=MAX_PPI).contains(&v);
    (sensible(ppi.0) && sensible(ppi.1)).then_some(ppi)
}

/// A PNG's `pHYs` chunk in metres (the unit "unknown" gives only an aspect ratio).
fn png_ppi(bytes: &[u8]) -> Option<(f64, f64)> {
    let mut at = 8;
    loop {
        let length = usize::try_from(read_u32(bytes, at, true)?).ok()?;
        let kind = bytes.get(at + 4..at + 8)?;
        let data = bytes.get(at + 8..at.checked_add(8)?.checked_add(length)?)?;
        match kind {
            b"pHYs" => {
                let x = read_u32(data, 0, true)?;
                let y = read_u32(data, 4, true)?;
                let metres = *data.get(8)? == 1;
                let ppi = |per_metre: u32| f64::from(per_metre) * METRES_PER_INCH;
                return metres.then(|| (ppi(x), ppi(y)));
            }
            b"IDAT" | b"IEND" => return None,
            _ => at += 12 + length,
        }
    }
}

/// A JPEG's JFIF density when it gives a unit, else its EXIF resolution.
fn jpeg_ppi(bytes: &[u8]) -> Option<(f64, f64)> {
    let mut at = 2;
    let mut exif = None;
    while let Some((marker, body)) = next_segment(bytes, &mut at) {
        match marker {
            0xE0 if body.starts_with(b"JFIF\0") => {
                if let Some(ppi) = jfif_ppi(&body[5..]) {
                    return Some(ppi);
                }
            }
            0xE1 if body.starts_with(b"Exif\0\0") => exif = exif_ppi(&body[6..]),
            // The scan, or a frame header: no more header segments of interest.
            0xDA | 0xD9 | 0xC0..=0xCF => break,
            _ => {}
        }
    }
    exif
}

/// JFIF after its identifier: version (2 bytes), unit (1 dots per inch, 2 per centimetre),
/// horizontal and vertical density.
fn jfif_ppi(body: &[u8]) -> Option<(f64, f64)> {
    let unit = *body.get(2)?;
    let x = f64::from(read_u16(body, 3, true)?);
    let y = f64::from(read_u16(body, 5, true)?);
    match unit {
        1 => Some((x, y)),
        2 => Some((x * CM_PER_INCH, y * CM_PER_INCH)),
        _ => None,
    }
}

/// EXIF's first image directory: `XResolution` and `YResolution` (rationals) in the unit of
/// `ResolutionUnit` (2 inches, the default; 3 centimetres).
fn exif_ppi(tiff: &[u8]) -> Option<(f64, f64)> {
    let big_endian = match tiff.get(..2)? {
        b"MM" => true,
        b"II" => false,
        _ => return None,
    };
    let directory = usize::try_from(read_u32(tiff, 4, big_endian)?).ok()?;
    let entries = read_u16(tiff, directory, big_endian)?;
    let (mut x, mut y, mut unit) = (None, None, 2);
    for index in 0..usize::from(entries) {
        let entry = directory + 2 + 12 * index;
        let tag = read_u16(tiff, entry, big_endian)?;
        let value_at = entry + 8;
        match tag {
            0x011A => x = exif_rational(tiff, value_at, big_endian),
            0x011B => y = exif_rational(tiff, value_at, big_endian),
            0x0128 => unit = read_u16(tiff, value_at, big_endian)?,
            _ => {}
        }
    }
    let scale = match unit {
        2 => 1.0,
        3 => CM_PER_INCH,
        _ => return None,
    };
    let x = x?;
    Some((x * scale, y.unwrap_or(x) * scale))
}

/// The rational whose offset is at `at`.
fn exif_rational(tiff: &[u8], at: usize, big_endian: bool) -> Option<f64> {
    let offset = usize::try_from(read_u32(tiff, at, big_endian)?).ok()?;
    let numerator = read_u32(tiff, offset, big_endian)?;
    let denominator = read_u32(tiff, offset.checked_add(4)?, big_endian)?;
    (denominator != 0).then(|| f64::from(numerator) / f64::from(denominator))
}

/// The next marker segment at `*at`: its marker byte and body (without the length).
fn next_segment<'b>(bytes: &'b [u8], at: &mut usize) -> Option<(u8, &'b [u8])> {
    while bytes.get(*at) == Some(&0xFF) && bytes.get(*at + 1) == Some(&0xFF) {
        *at += 1;
    }
    let (&0xFF, &marker) = (bytes.get(*at)?, bytes.get(*at + 1)?) else {
        return None;
    };
    *at += 2;
    if matches!(marker, 0x01 | 0xD0..=0xD8) {
        return Some((marker, &[]));
    }
    let length = usize::from(read_u16(bytes, *at, true)?);
    let body = bytes.get(*at + 2..*at + length.max(2))?;
    *at += length.max(2);
    Some((marker, body))
}

fn read_u16(bytes: &[u8], at: usize, big_endian: bool) -> Option<u16> {
    let pair: [u8; 2] = bytes.get(at..at.checked_add(2)?)?.try_into().ok()?;
    Some(if big_endian {
        u16::from_be_bytes(pair)
    } else {
        u16::from_le_bytes(pair)
    })
}

fn read_u32(bytes: &[u8], at: usize, big_endian: bool) -> Option<u32> {
    let quad: [u8; 4] = bytes.get(at..at.checked_add(4)?)?.try_into().ok()?;
    Some(if big_endian {
        u32::from_be_bytes(quad)
    } else {
        u32::from_le_bytes(quad)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A PNG signature and a `pHYs` chunk (CRC not checked here), then IDAT.
    fn png_with_phys(x: u32, y: u32, unit: u8) -> Vec<u8> {
        let mut bytes = b"\x89PNG\r\n\x1a\n".to_vec();
        bytes.extend(13u32.to_be_bytes());
        bytes.extend(b"IHDR");
        bytes.extend([0; 13 + 4]);
        bytes.extend(9u32.to_be_bytes());
        bytes.extend(b"pHYs");
        bytes.extend(x.to_be_bytes());
        bytes.extend(y.to_be_bytes());
        bytes.push(unit);
        bytes.extend([0; 4]);
        bytes.extend(0u32.to_be_bytes());
        bytes.extend(b"IDAT");
        bytes
    }

    #[test]
    fn png_phys_in_metres_is_read() {
        // 300 ppi is 11811 pixels per metre.
        let (x, y) = recorded_ppi(&png_with_phys(11811, 11811, 1)).unwrap();
        assert!(
            (x - 300.0).abs() < 0.01 && (y - 300.0).abs() < 0.01,
            "{x} {y}"
        );
        assert_eq!(recorded_ppi(&png_with_phys(11811, 11811, 0)), None);
        assert_eq!(recorded_ppi(&png_with_phys(0, 0, 1)), None);
        let cut = png_with_phys(11811, 11811, 1);
        for len in 0..cut.len() - 12 {
            let _ = recorded_ppi(&cut[..len]);
        }
    }

    #[test]
    fn jpeg_jfif_density_is_read() {
        let jfif = |unit: u8, x: u16, y: u16| {
            let mut bytes = vec![0xFF, 0xD8, 0xFF, 0xE0, 0, 16];
            bytes.extend(b"JFIF\0\x01\x02");
            bytes.push(unit);
            bytes.extend(x.to_be_bytes());
            bytes.extend(y.to_be_bytes());
            bytes.extend([0, 0, 0xFF, 0xDA]);
            bytes
        };
        assert_eq!(recorded_ppi(&jfif(1, 72, 72)), Some((72.0, 72.0)));
        assert_eq!(recorded_ppi(&jfif(2, 100, 100)), Some((254.0, 254.0)));
        assert_eq!(recorded_ppi(&jfif(0, 1, 1)), None);
    }

    #[test]
    fn jpeg_exif_resolution_is_read() {
        // Little-endian TIFF: IFD0 at 8 with XResolution (rational at 50) and unit inches.
        let mut tiff = b"II\x2a\x00\x08\x00\x00\x00".to_vec();
        tiff.extend(2u16.to_le_bytes());
        tiff.extend([0x1A, 0x01, 5, 0, 1, 0, 0, 0, 50, 0, 0, 0]);
        tiff.extend([0x28, 0x01, 3, 0, 1, 0, 0, 0, 2, 0, 0, 0]);
        tiff.resize(50, 0);
        tiff.extend(600u32.to_le_bytes());
        tiff.extend(2u32.to_le_bytes());
        let mut bytes = vec![0xFF, 0xD8, 0xFF, 0xE1];
        bytes.extend(u16::try_from(tiff.len() + 8).unwrap().to_be_bytes());
        bytes.extend(b"Exif\0\0");
        bytes.extend(&tiff);
        bytes.extend([0xFF, 0xDA]);
        assert_eq!(recorded_ppi(&bytes), Some((300.0, 300.0)));
    }
}
