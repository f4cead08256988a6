use std::collections::BTreeMap;

use super::*;

/// A PNG of `width`×`height` pixels of `colour` (image crate), with its pixels as written.
fn png(colour: image::ColorType, width: u32, height: u32) -> (Vec<u8>, Vec<u8>) {
    let channels = usize::from(colour.channel_count());
    let bytes_per_channel = usize::from(colour.bytes_per_pixel()) / channels;
    let len = width as usize * height as usize * channels * bytes_per_channel;
    let pixels: Vec<u8> = (0..len).map(|i| (i * 37 % 251) as u8).collect();
    let mut out = Vec::new();
    image::codecs::png::PngEncoder::new(&mut out)
        .write_image(&pixels, width, height, colour.into())
        .expect("encodes");
    (out, pixels)
}

use image::ImageEncoder;

#[test]
fn grey_and_rgb_pngs_are_copied() {
    for (colour, depth, kind) in [
        (image::ColorType::L8, 8, PngColour::Grey),
        (image::ColorType::Rgb8, 8, PngColour::Rgb),
        (image::ColorType::Rgb16, 16, PngColour::Rgb),
        (image::ColorType::L16, 16, PngColour::Grey),
    ] {
        let (bytes, _) = png(colour, 7, 5);
        let stream = PngStream::parse(&bytes).expect("copied");
        assert_eq!((stream.width, stream.height), (7, 5));
        assert_eq!(stream.bit_depth, depth);
        assert_eq!(stream.colour, kind);
        assert!(zlib_header_ok(&stream.data));
    }
}

#[test]
fn transparency_and_damage_leave_the_png_to_krilla() {
    for colour in [image::ColorType::Rgba8, image::ColorType::La8] {
        let (bytes, _) = png(colour, 4, 4);
        assert_eq!(PngStream::parse(&bytes), None, "{colour:?}");
    }
    let (mut bytes, _) = png(image::ColorType::Rgb8, 4, 4);
    assert!(PngStream::parse(&bytes).is_some());
    // A flipped bit in the image data: the chunk's CRC no longer matches.
    let at = bytes.len() - 20;
    bytes[at] ^= 1;
    assert_eq!(PngStream::parse(&bytes), None);
    let (bytes, _) = png(image::ColorType::Rgb8, 4, 4);
    assert_eq!(
        PngStream::parse(&bytes[..bytes.len() - 12]),
        None,
        "no IEND"
    );
    assert_eq!(PngStream::parse(b"GIF89a"), None);
}

/// `body` as a PNG chunk of `kind`, with its length and CRC.
fn chunk_bytes(kind: &[u8; 4], body: &[u8]) -> Vec<u8> {
    let mut typed = kind.to_vec();
    typed.extend_from_slice(body);
    let mut out = (body.len() as u32).to_be_bytes().to_vec();
    out.extend_from_slice(&typed);
    out.extend_from_slice(&crc32fast::hash(&typed).to_be_bytes());
    out
}

/// A PNG put together from chunks: a header for `colour_type` at `depth`, then `extra`,
/// then one row of `row` (filter byte included), compressed.
fn assembled(colour_type: u8, depth: u8, width: u32, extra: &[Vec<u8>], row: &[u8]) -> Vec<u8> {
    let mut header = width.to_be_bytes().to_vec();
    header.extend_from_slice(&1u32.to_be_bytes());
    header.extend_from_slice(&[depth, colour_type, 0, 0, 0]);
    let mut bytes = SIGNATURE.to_vec();
    bytes.extend(chunk_bytes(b"IHDR", &header));
    for chunk in extra {
        bytes.extend_from_slice(chunk);
    }
    let data = super::super::object_streams::deflate(row);
    bytes.extend(chunk_bytes(b"IDAT", &data));
    bytes.extend(chunk_bytes(b"IEND", b""));
    bytes
}

#[test]
fn palette_pngs_are_copied_unless_transparent() {
    let palette = chunk_bytes(b"PLTE", &[255, 0, 0, 0, 0, 255]);
    let bytes = assembled(3, 8, 2, std::slice::from_ref(&palette), &[0, 0, 1]);
    let stream = PngStream::parse(&bytes).expect("copied");
    assert_eq!(
        stream.colour,
        PngColour::Palette(vec![255, 0, 0, 0, 0, 255])
    );
    let entries = stream.entries("/DeviceRGB");
    assert!(entries.contains(&(
        "ColorSpace",
        "[/Indexed /DeviceRGB 1 <FF00000000FF>]".into()
    )));
    let transparent = chunk_bytes(b"tRNS", &[0]);
    let bytes = assembled(3, 8, 2, &[palette, transparent], &[0, 0, 1]);
    assert_eq!(PngStream::parse(&bytes), None);
    let interlaced = {
        let mut bytes = assembled(2, 8, 1, &[], &[0, 1, 2, 3]);
        // The interlace byte is the last of IHDR's data; fix the CRC after it.
        bytes[28] = 1;
        let crc = crc32fast::hash(&bytes[12..29]).to_be_bytes();
        bytes[29..33].copy_from_slice(&crc);
        bytes
    };
    assert_eq!(PngStream::parse(&interlaced), None);
}

#[test]
fn the_stand_in_carries_its_number() {
    for number in [0, 7, 0xABCDEF] {
        for space in [ImageColorspace::Luma, ImageColorspace::Rgb] {
            let pixels = placeholder_pixels(number, space);
            assert_eq!(placeholder_number(&pixels), Some(number));
        }
    }
    assert_eq!(placeholder_number(b"an ordinary image's pixels"), None);
}

#[test]
fn dictionaries_split_into_entries() {
    let dict = "/Length 12/Type/XObject/Width 32/ColorSpace 7 0 R/Decode[1 0]/D<</A 1>>/I true";
    assert_eq!(
        dict_entries(dict),
        Some(vec![
            ("Length", "12"),
            ("Type", "/XObject"),
            ("Width", "32"),
            ("ColorSpace", "7 0 R"),
            ("Decode", "[1 0]"),
            ("D", "<</A 1>>"),
            ("I", "true"),
        ])
    );
    assert_eq!(dict_entries("Width 3"), None);
}

/// A one-page PDF from krilla drawing `images` side by side.
fn krilla_pdf(images: &[Image]) -> Vec<u8> {
    use krilla::geom::{Size, Transform};
    let mut doc = krilla::Document::new();
    let mut page = doc.start_page_with(krilla::page::PageSettings::new(
        Size::from_wh(200.0, 100.0).expect("size"),
    ));
    let mut surface = page.surface();
    for (i, image) in images.iter().enumerate() {
        surface.push_transform(&Transform::from_translate(i as f32 * 60.0, 0.0));
        surface.draw_image(image.clone(), Size::from_wh(50.0, 50.0).expect("size"));
        surface.pop();
    }
    surface.finish();
    page.finish();
    doc.finish().expect("krilla writes it")
}

#[test]
fn stand_ins_are_replaced_by_the_png_data() {
    let (grey, _) = png(image::ColorType::L8, 9, 4);
    let (rgb, _) = png(image::ColorType::Rgb8, 5, 3);
    let grey = PngStream::parse(&grey).expect("copied");
    let rgb = PngStream::parse(&rgb).expect("copied");
    let images = [
        grey.placeholder(3).expect("stand-in"),
        rgb.placeholder(11).expect("stand-in"),
    ];
    let pdf = krilla_pdf(&images);
    let streams = BTreeMap::from([(3, &grey), (11, &rgb)]);
    let out = substitute(pdf, &streams).expect("replaced");
    let text = String::from_utf8_lossy(&out);
    assert!(text.contains("/Width 9/Height 4/ColorSpace/DeviceGray/BitsPerComponent 8"));
    assert!(text.contains("/DecodeParms<</Predictor 15/Colors 3/BitsPerComponent 8/Columns 5>>"));
    assert!(find(&out, &grey.data).is_some() && find(&out, &rgb.data).is_some());
    assert!(!text.contains("/Width 32"), "no stand-in is left");
    // The cross-reference table points at every object.
    let table = XrefTable::parse(&out).expect("a table");
    for (number, offset) in table.offsets.iter().enumerate() {
        if let Some(offset) = offset {
            assert!(out[*offset..].starts_with(format!("{number} 0 obj\n").as_bytes()));
        }
    }
}

#[test]
fn a_missing_stand_in_is_an_error() {
    let (rgb, _) = png(image::ColorType::Rgb8, 5, 3);
    let rgb = PngStream::parse(&rgb).expect("copied");
    let pdf = krilla_pdf(&[rgb.placeholder(1).expect("stand-in")]);
    let streams = BTreeMap::from([(2, &rgb)]);
    assert!(substitute(pdf, &streams).is_err());
}
