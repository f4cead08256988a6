//! Tests of the writer with fonts and images: subsetting and embedding, a face in two roles,
//! damaged fonts, JPEG and PNG embedding, damaged images.

use std::sync::Arc;

use lopdf::{Document as Pdf, Object};

use super::tests::{dict, fonts, page, pdftotext, qpdf_check, text, Written, SIZE};
use super::*;
use crate::fonts::bundled::file;
use crate::fonts::{FaceChoice, FaceRole, Family, FontFace, Style};
use crate::typeset::layout::GlyphRun;
use crate::typeset::shape::{shape, ShapeOptions};

#[test]
fn fonts_are_subset_embedded_and_tagged() {
    let items = vec![text("office ខ្មែរ", 20.0, 100.0)];
    let doc = Written::pages(vec![page(items)]).read();
    let mut names = Vec::new();
    for (_, object) in doc.objects.iter() {
        let Ok(font) = object.as_dict() else { continue };
        let subtype = font.get(b"Subtype").and_then(Object::as_name).ok();
        if !matches!(subtype, Some(b"CIDFontType0" | b"CIDFontType2")) {
            continue;
        }
        let name = String::from_utf8_lossy(font.get(b"BaseFont").unwrap().as_name().unwrap());
        let (tag, _) = name.split_once('+').expect("a subset tag");
        assert!(
            tag.len() == 6 && tag.bytes().all(|b| b.is_ascii_uppercase()),
            "{name}"
        );
        let descriptor = dict(&doc, font.get(b"FontDescriptor").unwrap());
        assert!(
            [b"FontFile".as_slice(), b"FontFile2", b"FontFile3"]
                .iter()
                .any(|key| descriptor.has(key)),
            "{name} is embedded"
        );
        // Integer widths, as PDFium reads them (krilla's own are f32 fractions).
        let widths = font.get(b"W").and_then(Object::as_array).expect("/W");
        assert!(
            widths.iter().all(|w| matches!(w, Object::Integer(_))),
            "{name}: {widths:?}"
        );
        names.push(name.into_owned());
    }
    names.sort();
    assert_eq!(names.len(), 2, "{names:?}");
    assert!(names[0].ends_with("+LinLibertineO"), "{names:?}");
    assert!(names[1].contains("NotoSerifKhmer"), "{names:?}");
}

#[test]
fn one_face_in_two_roles_is_embedded_once() {
    let data = file(FaceRole::Family(Family::Serif, Style::Regular)).data;
    let mut set = FontSet::new(FontFace::parse(data, 0, "R.otf").unwrap());
    set.set_face(
        Family::Serif,
        Style::Bold,
        FontFace::parse(data, 0, "R.otf").unwrap(),
    );
    let set: &'static FontSet<'static> = Box::leak(Box::new(set));
    let items = [Style::Regular, Style::Bold]
        .into_iter()
        .enumerate()
        .map(|(i, style)| {
            let choice = FaceChoice::new(Family::Serif, style);
            let run = shape(set, "same", choice, 10.0, &ShapeOptions::default());
            Item::Glyphs(GlyphRun {
                x: Pt::new(20.0),
                y: Pt::new(100.0 + 20.0 * i as f64),
                run: Arc::new(run),
            })
        })
        .collect();
    let pages = vec![page(items)];
    let bytes = write_pages(&pages, &[], set).unwrap();
    qpdf_check(&bytes);
    let doc = Pdf::load_mem(&bytes).unwrap();
    let programs = doc
        .objects
        .values()
        .filter(|o| {
            o.as_dict().is_ok_and(|d| {
                d.get(b"Type").and_then(Object::as_name).ok() == Some(b"FontDescriptor")
            })
        })
        .count();
    assert_eq!(programs, 1, "the same font data is one embedded font");
    let extracted = pdftotext(&bytes);
    assert_eq!(extracted.matches("same").count(), 2, "{extracted}");
}

/// Flips bytes of the shipped fonts (a fixed xorshift sequence, so failures reproduce) and
/// writes a line with each through shaping and krilla: errors are fine, panics are not.
#[test]
fn corrupted_fonts_are_errors_not_panics() {
    let files = [
        file(FaceRole::Family(Family::Serif, Style::Regular)),
        file(FaceRole::Family(Family::Mono, Style::Regular)),
        file(FaceRole::Fallback(Style::Regular)),
    ];
    let mut seed: u64 = 0x1234_5678;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let (mut written, mut internal) = (0, 0);
    for round in 0..300 {
        let mut data = files[round % 3].data.to_vec();
        let span = if round % 2 == 0 { 4096 } else { data.len() };
        for _ in 0..1 + next() % 20 {
            let i = (next() as usize) % span.min(data.len());
            data[i] = next() as u8;
        }
        match write_with_font(data) {
            Some(Ok(_)) => written += 1,
            Some(Err(WriteError::Internal(_))) => internal += 1,
            Some(Err(_)) | None => {}
        }
    }
    assert!(written > 100, "{written} written, {internal} caught panics");
}

/// Parses `data` as the only face, shapes a line with it and writes it; `None` if the font
/// does not even parse.
fn write_with_font(data: Vec<u8>) -> Option<Result<Vec<u8>, WriteError>> {
    let data: &'static [u8] = Box::leak(data.into_boxed_slice());
    let face = FontFace::parse(data, 0, "corrupt.otf").ok()?;
    let set: &'static FontSet<'static> = Box::leak(Box::new(FontSet::new(face)));
    let choice = FaceChoice::new(Family::Serif, Style::Regular);
    let run = shape(
        set,
        "office AVATAR ខ្មែរ 1975",
        choice,
        10.0,
        &ShapeOptions::default(),
    );
    let pages = vec![page(vec![Item::Glyphs(GlyphRun {
        x: Pt::new(20.0),
        y: Pt::new(100.0),
        run: Arc::new(run),
    })])];
    Some(write_pages(&pages, &[], set))
}

/// `pages` written with `images` and `fonts` at the test page size, without outline, labels
/// or metadata.
fn write_pages(
    pages: &[Page],
    images: &[ImageAsset],
    fonts: &FontSet<'static>,
) -> Result<Vec<u8>, WriteError> {
    write(WriteInput {
        pages: Pages::Kept(pages),
        anchors: &BTreeMap::new(),
        images,
        fonts,
        size: SIZE,
        readable: false,
        parts: &DocumentParts::default(),
    })
}

/// The image XObjects of the document's first page, by their `/Width`.
fn page_images(doc: &Pdf) -> BTreeMap<i64, lopdf::Stream> {
    let mut images = BTreeMap::new();
    for (_, object) in doc.objects.iter() {
        let Ok(stream) = object.as_stream() else {
            continue;
        };
        let subtype = stream.dict.get(b"Subtype").and_then(Object::as_name).ok();
        let width = stream.dict.get(b"Width").and_then(Object::as_i64);
        if let (Some(b"Image"), Ok(width)) = (subtype, width) {
            images.insert(width, stream.clone());
        }
    }
    images
}

#[test]
fn jpegs_pass_through_and_pngs_keep_colour_and_transparency() {
    let dir = tempfile::tempdir().unwrap();
    let rgb = image::RgbImage::from_fn(7, 5, |x, y| image::Rgb([x as u8 * 30, y as u8 * 40, 9]));
    let mut jpeg = Vec::new();
    image::DynamicImage::ImageRgb8(rgb.clone())
        .write_to(
            &mut std::io::Cursor::new(&mut jpeg),
            image::ImageFormat::Jpeg,
        )
        .unwrap();
    let mut rgba = image::RgbaImage::new(2, 1);
    rgba.put_pixel(0, 0, image::Rgba([255, 0, 0, 255]));
    rgba.put_pixel(1, 0, image::Rgba([0, 0, 255, 0]));
    let files = [
        ("photo.jpg", jpeg.clone()),
        (
            "alpha.png",
            crate::pdf::images::tests::png(image::DynamicImage::ImageRgba8(rgba)),
        ),
        (
            "gray.png",
            crate::pdf::images::tests::png(image::DynamicImage::ImageLuma8(
                image::GrayImage::from_raw(3, 1, vec![0, 200, 90]).unwrap(),
            )),
        ),
    ];
    let assets: Vec<ImageAsset> = files
        .iter()
        .map(|(name, bytes)| {
            let path = dir.path().join(name);
            std::fs::write(&path, bytes).unwrap();
            ImageAsset {
                path,
                package_path: format!("images/{name}"),
                media_type: String::new(),
                width: 0,
                height: 0,
                natural: (Pt::new(70.0), Pt::new(50.0)),
            }
        })
        .collect();
    let items = (0..assets.len())
        .map(|image| {
            Item::Image(Box::new(ImageItem {
                image,
                x: Pt::new(20.0),
                y: Pt::new(50.0 + 100.0 * image as f64),
                width: Pt::new(70.0),
                height: Pt::new(50.0),
            }))
        })
        .collect();
    let pages = vec![page(items)];
    let bytes = write_pages(&pages, &assets, fonts()).unwrap();
    qpdf_check(&bytes);
    let doc = Pdf::load_mem(&bytes).unwrap();
    let images = page_images(&doc);
    let name = |stream: &lopdf::Stream, key: &[u8]| {
        stream
            .dict
            .get(key)
            .and_then(Object::as_name)
            .map(|n| String::from_utf8_lossy(n).into_owned())
            .unwrap_or_default()
    };
    let photo = &images[&7];
    assert_eq!(name(photo, b"Filter"), "DCTDecode");
    assert_eq!(photo.content, jpeg, "the JPEG is embedded unchanged");
    assert_eq!(name(photo, b"ColorSpace"), "DeviceRGB");
    let alpha = &images[&2];
    assert_eq!(name(alpha, b"ColorSpace"), "DeviceRGB");
    assert_eq!(
        alpha.decompressed_content().unwrap(),
        [255, 0, 0, 0, 0, 255]
    );
    let mask = alpha.dict.get(b"SMask").unwrap().as_reference().unwrap();
    let mask = doc.get_object(mask).and_then(Object::as_stream).unwrap();
    assert_eq!(mask.decompressed_content().unwrap(), [255, 0]);
    let gray = &images[&3];
    assert_eq!(name(gray, b"ColorSpace"), "DeviceGray");
    assert!(!gray.dict.has(b"SMask"), "opaque: no mask");
    assert_eq!(gray.decompressed_content().unwrap(), [0, 200, 90]);
}

#[test]
fn an_image_that_cannot_be_read_names_its_file() {
    let good = crate::pdf::images::tests::png(image::DynamicImage::ImageRgb8(
        image::RgbImage::from_fn(40, 30, |x, y| image::Rgb([x as u8, y as u8, 7])),
    ));
    // A damaged header is found when the image is read, damaged pixels when krilla
    // decodes them as it writes the file.
    for bytes in [
        b"\x89PNG\r\n\x1a\nnot really".to_vec(),
        good[..good.len() - 40].to_vec(),
    ] {
        image_error_names_the_file(&bytes);
    }
}

fn image_error_names_the_file(bytes: &[u8]) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("broken.png");
    std::fs::write(&path, bytes).unwrap();
    let assets = [ImageAsset {
        path: path.clone(),
        package_path: "images/broken.png".to_string(),
        media_type: "image/png".to_string(),
        width: 10,
        height: 10,
        natural: (Pt::new(10.0), Pt::new(10.0)),
    }];
    let pages = vec![page(vec![Item::Image(Box::new(ImageItem {
        image: 0,
        x: Pt::new(0.0),
        y: Pt::new(0.0),
        width: Pt::new(10.0),
        height: Pt::new(10.0),
    }))])];
    let result = write_pages(&pages, &assets, fonts());
    let Err(error @ WriteError::Image { .. }) = result else {
        panic!("{result:?}");
    };
    assert!(error.to_string().contains("broken.png"), "{error}");
}
