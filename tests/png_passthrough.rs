//! PNGs copied into the PDF undecoded (`pdf::png_passthrough`): grey (1 to 16 bits), RGB (8
//! and 16 bits) and palette PNGs keep their own compressed data, with the PNG predictors, and
//! show exactly their pixels; a PNG with an alpha channel still goes through krilla's decoder
//! (an `/SMask`). The pixels are read back from the PDF by poppler's `pdfimages` (installed by
//! `make test-tools`), so a stand-in left in the file, a wrong predictor or a wrong colour
//! space would all show.

mod common;

use std::path::Path;
use std::process::Command;

use common::pdf_dir;
use lopdf::{Document, Object};

/// One test image: its file name, size, and its PNG bytes.
struct TestPng {
    name: &'static str,
    width: u32,
    height: u32,
    bytes: Vec<u8>,
}

/// A pixel value for (x, y) of image `seed`, varied enough that any filter or predictor
/// slip changes it.
fn sample(seed: u32, x: u32, y: u32) -> u32 {
    (x * 31 + y * 17 + seed * 7 + (x * y) % 13) % 65_536
}

/// `data` written as a PNG by the `png` crate with `colour` at `depth` (and `palette`).
fn encode(
    width: u32,
    height: u32,
    colour: png::ColorType,
    depth: png::BitDepth,
    palette: Option<Vec<u8>>,
    data: &[u8],
) -> Vec<u8> {
    let mut bytes = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut bytes, width, height);
        encoder.set_color(colour);
        encoder.set_depth(depth);
        if let Some(palette) = palette {
            encoder.set_palette(palette);
        }
        let mut writer = encoder.write_header().expect("header");
        writer.write_image_data(data).expect("data");
    }
    bytes
}

/// Rows of `width` samples of `bits` each, packed as PNG packs them.
fn packed(width: u32, height: u32, bits: u32, value: impl Fn(u32, u32) -> u32) -> Vec<u8> {
    let mut data = Vec::new();
    for y in 0..height {
        let mut row = vec![0u8; (width * bits).div_ceil(8) as usize];
        for x in 0..width {
            let v = value(x, y) & ((1u32 << bits) - 1);
            match bits {
                16 => {
                    row[(x * 2) as usize] = (v >> 8) as u8;
                    row[(x * 2 + 1) as usize] = v as u8;
                }
                8 => row[x as usize] = v as u8,
                _ => {
                    let bit = x * bits;
                    let shift = 8 - bits - bit % 8;
                    row[(bit / 8) as usize] |= (v << shift) as u8;
                }
            }
        }
        data.extend(row);
    }
    data
}

fn test_pngs() -> Vec<TestPng> {
    use png::{BitDepth, ColorType};
    let mut out = Vec::new();
    let mut add = |name, width, height, bytes| {
        out.push(TestPng {
            name,
            width,
            height,
            bytes,
        })
    };
    let grey1 = packed(37, 11, 1, |x, y| sample(1, x, y) / 3);
    add(
        "grey1.png",
        37,
        11,
        encode(37, 11, ColorType::Grayscale, BitDepth::One, None, &grey1),
    );
    let grey8 = packed(41, 12, 8, |x, y| sample(2, x, y));
    add(
        "grey8.png",
        41,
        12,
        encode(41, 12, ColorType::Grayscale, BitDepth::Eight, None, &grey8),
    );
    let rgb8: Vec<u8> = (0..13u32)
        .flat_map(|y| (0..43u32).flat_map(move |x| [0, 1, 2].map(|c| sample(3 + c, x, y) as u8)))
        .collect();
    add(
        "rgb8.png",
        43,
        13,
        encode(43, 13, ColorType::Rgb, BitDepth::Eight, None, &rgb8),
    );
    // Samples that are multiples of 257 survive poppler's trip through 8 bits exactly, but
    // for 65535, which pdfimages writes as 0 (it rounds up past 16 bits).
    let rgb16 = packed(47 * 3, 14, 16, |x, y| sample(6, x, y) % 255 * 257);
    add(
        "rgb16.png",
        47,
        14,
        encode(47, 14, ColorType::Rgb, BitDepth::Sixteen, None, &rgb16),
    );
    let palette: Vec<u8> = (0..16u32)
        .flat_map(|i| [i * 16, 255 - i * 16, (i * 53) % 256].map(|v| v as u8))
        .collect();
    let indices = packed(53, 15, 4, |x, y| sample(7, x, y));
    add(
        "palette4.png",
        53,
        15,
        encode(
            53,
            15,
            ColorType::Indexed,
            BitDepth::Four,
            Some(palette),
            &indices,
        ),
    );
    let rgba: Vec<u8> = (0..16u32)
        .flat_map(|y| (0..59u32).flat_map(move |x| [0, 1, 2, 3].map(|c| sample(8 + c, x, y) as u8)))
        .collect();
    add(
        "rgba8.png",
        59,
        16,
        encode(59, 16, ColorType::Rgba, BitDepth::Eight, None, &rgba),
    );
    out
}

/// A book of one chapter showing every test image, each in a paragraph of its own.
fn write_book(dir: &Path, pngs: &[TestPng]) {
    std::fs::create_dir_all(dir.join("chapters")).expect("chapters");
    std::fs::create_dir_all(dir.join("images")).expect("images");
    std::fs::write(dir.join("book.toml"), "title = \"PNGs\"\ndate = \"2024\"\n").expect("toml");
    let mut text = String::from("# Images\n\n");
    for png in pngs {
        std::fs::write(dir.join("images").join(png.name), &png.bytes).expect("png");
        text.push_str(&format!(
            "Before {0}.\n\n![The image {0}](images/{0}){{width=40%}}\n\n",
            png.name
        ));
    }
    std::fs::write(dir.join("chapters/01-images.md"), text).expect("chapter");
}

/// The PDF's image XObjects: (width, height, copied with the PNG predictors, has an SMask).
fn image_objects(pdf: &[u8]) -> Vec<(i64, i64, bool, bool)> {
    let doc = Document::load_mem(pdf).expect("lopdf reads the PDF");
    let mut found = Vec::new();
    for object in doc.objects.values() {
        let Object::Stream(stream) = object else {
            continue;
        };
        let dict = &stream.dict;
        if dict.get(b"Subtype").and_then(Object::as_name).ok() != Some(&b"Image"[..]) {
            continue;
        }
        let number = |key: &[u8]| dict.get(key).and_then(Object::as_i64).unwrap_or(-1);
        let predicted = dict
            .get(b"DecodeParms")
            .and_then(Object::as_dict)
            .and_then(|p| p.get(b"Predictor"))
            .and_then(Object::as_i64)
            .ok()
            == Some(15);
        let masked = dict.get(b"SMask").is_ok();
        found.push((number(b"Width"), number(b"Height"), predicted, masked));
    }
    found.sort_unstable();
    found
}

/// The images poppler decodes from `pdf`, by size, as RGB pixels.
fn poppler_images(pdf: &Path, out: &Path) -> Vec<image::RgbImage> {
    let status = Command::new("pdfimages")
        .arg("-png")
        .arg(pdf)
        .arg(out.join("img"))
        .status()
        .expect("pdfimages (poppler-utils, installed by `make test-tools`) runs");
    assert!(status.success());
    let mut images = Vec::new();
    let mut names: Vec<_> = std::fs::read_dir(out)
        .expect("the extracted images")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "png"))
        .collect();
    names.sort();
    for path in names {
        images.push(image::open(&path).expect("poppler's PNG").to_rgb8());
    }
    images
}

#[test]
fn copied_pngs_show_exactly_their_pixels() {
    let pngs = test_pngs();
    let tmp = tempfile::tempdir().expect("temp dir");
    let book = tmp.path().join("book");
    write_book(&book, &pngs);
    let (pdf, _) = common::build_pdf("png-passthrough", &book, "print");
    let pdf_path = pdf_dir().join("png-passthrough.pdf");

    // Every PNG without alpha copied with the predictors; the RGBA one decoded by krilla.
    let objects = image_objects(&pdf);
    for png in &pngs {
        let (w, h) = (i64::from(png.width), i64::from(png.height));
        let alpha = png.name.starts_with("rgba");
        assert!(
            objects.contains(&(w, h, !alpha, alpha)),
            "{}: {objects:?}",
            png.name
        );
    }
    let text = String::from_utf8_lossy(&pdf);
    assert!(
        !text.contains("octavo png pass-through"),
        "a stand-in is left"
    );

    let extracted = tmp.path().join("extracted");
    std::fs::create_dir_all(&extracted).expect("dir");
    let decoded = poppler_images(&pdf_path, &extracted);
    for png in pngs.iter().filter(|p| !p.name.starts_with("rgba")) {
        let original = image::load_from_memory(&png.bytes)
            .expect("the test PNG decodes")
            .to_rgb8();
        let shown = decoded
            .iter()
            .find(|i| i.dimensions() == (png.width, png.height))
            .unwrap_or_else(|| panic!("{} is not among the PDF's images", png.name));
        let worst = original
            .pixels()
            .zip(shown.pixels())
            .flat_map(|(a, b)| a.0.into_iter().zip(b.0).map(|(x, y)| x.abs_diff(y)))
            .max()
            .unwrap_or(0);
        assert_eq!(worst, 0, "{}: pixels differ by up to {worst}", png.name);
    }
}
