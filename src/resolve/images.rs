//! Images: found inside the book folder, typed by their bytes, measured from their headers,
//! and given a unique name in the package.
//!
//! Dimensions come from the file header only (no decoding), so a decompression bomb costs
//! nothing here. Remote images are refused (an EPUB must be self-contained) unless the user
//! allows them, in which case they become plain links: nothing is ever fetched.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};

mod density;
mod svg;

use super::ids::UniqueNames;
use crate::diag::{code, Diagnostic, Diagnostics, SourceMap, Span};
use crate::doc::walk;
use crate::doc::{
    Chapter, Image, ImageAsset, Inline, Link, LinkTarget, DEFAULT_PPI, MAX_IMAGE_PIXELS,
};
use crate::manuscript::{open_regular, read_regular, BookRoot, PathProblem};
use crate::units::Pt;

/// Retailers (Apple, Kobo, Amazon) reject images above about 4 megapixels.
pub(super) const RETAILER_PIXELS: u64 = 4_000_000;
/// The most memory an image may take decoded: the PDF backend decodes images that it cannot
/// embed as they are under this allocation limit (`pdf::images`, four bytes for each of
/// its largest image's pixels), so an image over it is refused here, at its reference.
pub(super) const MAX_DECODED_BYTES: u64 = MAX_IMAGE_PIXELS * 4;
/// Minimum cover size retailers ask for.
pub(super) const COVER_MIN: (u32, u32) = (1600, 2560);

/// Collects and deduplicates the book's images.
pub(super) struct ImageCollector<'a> {
    root: &'a BookRoot,
    allow_remote: bool,
    assets: Vec<ImageAsset>,
    by_path: BTreeMap<PathBuf, usize>,
    names: UniqueNames,
    undescribed: usize,
    /// An image that cannot be used is a warning ([`code::FOREIGN_IMAGE_UNUSABLE`]), not an
    /// error: the book was written for another tool, which shows a broken image and goes on.
    pub(super) unusable_is_warning: bool,
    /// Whether the image being added has a description, which the page shows when the image
    /// cannot be used (the warning says which).
    described: bool,
}

impl<'a> ImageCollector<'a> {
    /// A collector for the book in `root`.
    pub(super) fn new(root: &'a BookRoot, allow_remote: bool) -> Self {
        ImageCollector {
            root,
            allow_remote,
            assets: Vec::new(),
            by_path: BTreeMap::new(),
            names: UniqueNames::default(),
            undescribed: 0,
            unusable_is_warning: false,
            described: true,
        }
    }

    /// The collected assets, indexed by `Image::asset`, and the count of images without
    /// alternative text.
    pub(super) fn finish(self) -> (Vec<ImageAsset>, usize) {
        (self.assets, self.undescribed)
    }

    /// Resolve every image of a chapter (and its notes).
    pub(super) fn collect_chapter(
        &mut self,
        chapter: &mut Chapter,
        sources: &SourceMap,
        diags: &mut Diagnostics,
    ) {
        // Relative to the file that holds the image (a chapter may merge several).
        let folder = |file| {
            Path::new(&sources.get(file).name)
                .parent()
                .map(Path::to_path_buf)
                .unwrap_or_default()
        };
        let mut remote: Vec<Span> = Vec::new();
        let mut visit = |image: &mut Image| {
            warn_unread_size(image, diags);
            let base = folder(image.span.file);
            let described = !image.alt.trim().is_empty();
            let mut shown = true;
            if is_remote(&image.src) {
                remote.push(image.span.clone());
            } else {
                self.described = described;
                image.asset = self.add_image(&base, image, diags);
                self.described = true;
                // An image of another tool's book that cannot be used is not in the book:
                // its warning says whether a description stands in for it.
                shown = image.asset.is_some() || !self.unusable_is_warning;
            }
            if !described && shown {
                self.undescribed += 1;
                diags.push(
                    Diagnostic::warning(
                        code::MISSING_ALT,
                        format!("the image `{}` has no alternative text", image.src),
                    )
                    .at(image.span.clone())
                    .with_hint(
                        "describe the image for readers who cannot see it: ![what it shows](path)",
                    ),
                );
            }
        };
        walk::images_mut(&mut chapter.blocks, &mut visit);
        for note in &mut chapter.notes {
            walk::images_mut(&mut note.blocks, &mut visit);
        }
        if !remote.is_empty() {
            self.handle_remote(chapter, remote, diags);
        }
    }

    fn handle_remote(&self, chapter: &mut Chapter, spans: Vec<Span>, diags: &mut Diagnostics) {
        if !self.allow_remote {
            for span in spans {
                diags.push(
                    Diagnostic::error(code::REMOTE_IMAGE, "remote images cannot go into an EPUB")
                        .at(span)
                        .with_hint("download the image into the book folder and link it by path, or build with --allow-remote to turn remote images into links"),
                );
            }
            return;
        }
        replace_remote_images(&mut chapter.blocks);
        for note in &mut chapter.notes {
            replace_remote_images(&mut note.blocks);
        }
    }

    fn add_image(&mut self, base: &Path, image: &Image, diags: &mut Diagnostics) -> Option<usize> {
        let path = self
            .root
            .resolve(base, &image.src)
            .or_else(|first| match first {
                PathProblem::Missing => self.root.resolve(Path::new(""), &image.src),
                other => Err(other),
            });
        match path {
            Ok(path) => self.add_file(&path, "", image.span.clone(), diags),
            Err(problem) => {
                diags.push(
                    self.unusable(
                        if problem == PathProblem::Missing {
                            code::MISSING_IMAGE
                        } else {
                            problem.code()
                        },
                        format!("image: {}", problem.describe(&image.src)),
                    )
                    .at(image.span.clone())
                    .with_hint(
                        "image paths are relative to the chapter file or to the book folder",
                    ),
                );
                None
            }
        }
    }

    /// The diagnostic for an image that cannot be used: the error `error_code`, or in a book
    /// written for another tool a warning that says whether its description stands in for
    /// it.
    fn unusable(&self, error_code: &'static str, message: String) -> Diagnostic {
        if self.unusable_is_warning {
            let instead = if self.described {
                "its description is shown instead"
            } else {
                "it has no description either, so nothing stands in for it"
            };
            Diagnostic::warning(
                code::FOREIGN_IMAGE_UNUSABLE,
                format!("{message}; {instead}"),
            )
        } else {
            Diagnostic::error(error_code, message)
        }
    }

    /// Add the cover image: PNG or JPEG only (what every retailer accepts).
    pub(super) fn add_cover(
        &mut self,
        path: &Path,
        span: Span,
        diags: &mut Diagnostics,
    ) -> Option<usize> {
        let index = self.add_file(path, "cover", span.clone(), diags)?;
        let asset = &self.assets[index];
        if !matches!(asset.media_type.as_str(), "image/png" | "image/jpeg") {
            diags.push(
                Diagnostic::error(
                    code::COVER,
                    format!("the cover is {}, not PNG or JPEG", asset.media_type),
                )
                .at(span)
                .with_hint("retailers require a JPEG or PNG cover, at least 1600x2560 pixels"),
            );
            return None;
        }
        let (width, height) = (asset.width, asset.height);
        if width < COVER_MIN.0 || height < COVER_MIN.1 {
            diags.push(
                Diagnostic::warning(
                    code::COVER_SIZE,
                    format!("the cover is {width}x{height} pixels, smaller than the 1600x2560 retailers ask for"),
                )
                .at(span)
                .with_hint("make the cover at least 1600 pixels wide and 2560 high"),
            );
        }
        Some(index)
    }

    fn add_file(
        &mut self,
        path: &Path,
        stem: &str,
        span: Span,
        diags: &mut Diagnostics,
    ) -> Option<usize> {
        if let Some(&index) = self.by_path.get(path) {
            return Some(index);
        }
        if let Err(problem) = self.root.open(path) {
            diags.push(
                self.unusable(problem.code(), problem.describe(&self.root.display(path)))
                    .at(span)
                    .with_hint(problem.hint()),
            );
            return None;
        }
        let probe = match probe_image(path) {
            Ok(probe) => probe,
            Err(problem) => {
                diags.push(
                    self.unusable(
                        code::IMAGE_FORMAT,
                        format!("{}: {}", self.root.display(path), problem.message),
                    )
                    .at(span)
                    .with_hint(problem.hint),
                );
                return None;
            }
        };
        if !self.size_acceptable(path, &probe, stem == "cover", &span, diags) {
            return None;
        }
        let package_path = self.package_name(path, stem, probe.extension);
        self.assets.push(ImageAsset {
            path: path.to_path_buf(),
            package_path,
            media_type: probe.media_type.to_string(),
            width: probe.width,
            height: probe.height,
            natural: probe.natural,
        });
        let index = self.assets.len() - 1;
        self.by_path.insert(path.to_path_buf(), index);
        Some(index)
    }

    /// Refuse absurd images (decompression bombs), warn above the retailers' 4 megapixels.
    fn size_acceptable(
        &self,
        path: &Path,
        probe: &ImageProbe,
        is_cover: bool,
        span: &Span,
        diags: &mut Diagnostics,
    ) -> bool {
        let pixels = u64::from(probe.width) * u64::from(probe.height);
        let name = self.root.display(path);
        if probe.decoded_bytes > MAX_DECODED_BYTES {
            diags.push(
                Diagnostic::error(
                    code::IMAGE_TOO_LARGE,
                    format!(
                        "{name} ({}x{} pixels) would take {} MB of memory to decode, more than the {} MB octavo allows",
                        probe.width,
                        probe.height,
                        probe.decoded_bytes.div_ceil(MEGABYTE),
                        MAX_DECODED_BYTES / MEGABYTE
                    ),
                )
                .at(span.clone())
                .with_hint("scale the image down, or save it with 8 bits per channel; e-book retailers accept at most 4 megapixels"),
            );
            return false;
        }
        if pixels > MAX_IMAGE_PIXELS {
            diags.push(
                Diagnostic::error(
                    code::IMAGE_TOO_LARGE,
                    format!(
                        "{name} is {}x{} pixels, too large to process safely",
                        probe.width, probe.height
                    ),
                )
                .at(span.clone())
                .with_hint("scale the image down; e-book retailers accept at most 4 megapixels"),
            );
            return false;
        }
        // Covers are exempt: retailers ask for 1600x2560 (4.1 megapixels) or more.
        if pixels > RETAILER_PIXELS && !is_cover {
            diags.push(
                Diagnostic::warning(
                    code::RETAILER_LIMIT,
                    format!(
                        "{name} is {}x{} pixels, over the 4 megapixels retailers accept",
                        probe.width, probe.height
                    ),
                )
                .at(span.clone())
                .with_hint("scale it to at most 4 megapixels (e.g. 2000x2000)"),
            );
        }
        true
    }

    fn package_name(&mut self, path: &Path, stem: &str, extension: &str) -> String {
        let original = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let mut wanted = crate::config::slugify(if stem.is_empty() { &original } else { stem }, "");
        if wanted.is_empty() || !wanted.starts_with(|c: char| c.is_ascii_alphabetic()) {
            wanted = format!("image-{wanted}");
        }
        let unique = self.names.claim(&wanted);
        format!("images/{unique}.{extension}")
    }
}

/// A `width` or `height` that is not a length (`50vw`, `auto`, `-3in`) is a warning at the
/// attribute block: the image is set at its natural size.
fn warn_unread_size(image: &Image, diags: &mut Diagnostics) {
    for key in ["width", "height"] {
        let Some(value) = image.attrs.get(key) else {
            continue;
        };
        if crate::doc::ImageLength::parse(value).is_some() {
            continue;
        }
        let found = Diagnostic::warning(
            code::IMAGE_SIZE_UNREAD,
            format!("the {key} `{value}` of the image `{}` is not a length", image.src),
        )
        .at(image.attrs.span.clone().unwrap_or_else(|| image.span.clone()))
        .with_hint(
            "give a positive length in %, px, pt, pc, in, cm or mm (`{width=50%}`, `{width=3in}`); \
             without one the image is set at its natural size",
        );
        diags.push(found);
    }
}

fn is_remote(src: &str) -> bool {
    let lower = src.trim().to_ascii_lowercase();
    lower.starts_with("http://") || lower.starts_with("https://") || lower.starts_with("//")
}

/// Remote images become links to them (`--allow-remote`); a figure of one becomes a
/// paragraph holding the link. Inside a link (the usual README badge,
/// `[![build](…/badge.svg)](…/job)`) a remote image becomes its text instead: a link may not
/// hold another link.
fn replace_remote_images(blocks: &mut [crate::doc::Block]) {
    walk::inlines_mut(blocks, &mut |inline| match inline {
        Inline::Link(link) => images_to_text(&mut link.content),
        Inline::Html(html) if html.name == "a" => images_to_text(&mut html.children),
        Inline::Image(image) if is_remote(&image.src) => *inline = remote_image_link(image),
        _ => {}
    });
    walk::blocks_mut(blocks, &mut |block| {
        if let crate::doc::Block::Figure(figure) = block {
            if is_remote(&figure.image.src) {
                let link = remote_image_link(&figure.image);
                *block = crate::doc::Block::Paragraph {
                    content: vec![link],
                    span: figure.span.clone(),
                };
            }
        }
    });
}

/// Remote images anywhere inside `inlines` become their text.
fn images_to_text(inlines: &mut [Inline]) {
    walk::each_inline_mut(inlines, &mut |inline| {
        if let Inline::Image(image) = inline {
            if is_remote(&image.src) {
                *inline = Inline::text(remote_image_text(image), image.span.clone());
            }
        }
    });
}

/// What stands for a remote image: its alternative text, or its address when it has none.
fn remote_image_text(image: &Image) -> String {
    if image.alt.trim().is_empty() {
        image.src.clone()
    } else {
        image.alt.clone()
    }
}

fn remote_image_link(image: &Image) -> Inline {
    Inline::Link(Box::new(Link {
        target: LinkTarget::External(image.src.clone()),
        title: image.title.clone(),
        content: vec![Inline::text(remote_image_text(image), image.span.clone())],
        span: image.span.clone(),
    }))
}

/// What the first bytes of an image file say it is.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct ImageProbe {
    /// Media type for the manifest.
    pub media_type: &'static str,
    /// File extension used in the package.
    pub extension: &'static str,
    /// Pixel width (0 when unknown, e.g. SVG).
    pub width: u32,
    /// Pixel height.
    pub height: u32,
    /// Bytes the decoded pixels take (0 when unknown, e.g. SVG).
    pub decoded_bytes: u64,
    /// The size it prints at by default (see [`ImageAsset::natural`]).
    pub natural: (Pt, Pt),
}

/// Bytes in a megabyte, for messages.
const MEGABYTE: u64 = 1_000_000;

/// Why an image cannot go into the book, and what to do about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct ImageProblem {
    /// What is wrong with the file.
    pub message: String,
    /// How to fix it.
    pub hint: &'static str,
}

impl From<String> for ImageProblem {
    fn from(message: String) -> Self {
        ImageProblem {
            message,
            hint: "EPUB readers show PNG, JPEG, GIF, WebP and SVG images",
        }
    }
}

/// How much of an image file is read to type it and find its resolution: a JPEG's EXIF
/// segment is at most 64 KiB, and comes before its pixels.
const HEAD_BYTES: u64 = 70 * 1024;

/// Points in a CSS pixel (an SVG's user unit): 96 pixels to the inch.
const POINTS_PER_CSS_PIXEL: f64 = 0.75;

/// Identify an image by its magic bytes and read its size from the header.
pub(super) fn probe_image(path: &Path) -> Result<ImageProbe, ImageProblem> {
    let mut head = Vec::with_capacity(4096);
    open_regular(path)
        .map_err(|problem| problem.describe("the image"))?
        .take(HEAD_BYTES)
        .read_to_end(&mut head)
        .map_err(|e| format!("cannot read the image: {e}"))?;
    let Some((media_type, extension)) = sniff(&head) else {
        return Err(not_an_image(&head));
    };
    if media_type == "image/svg+xml" {
        let natural = check_svg(path)?;
        return Ok(ImageProbe {
            media_type,
            extension,
            width: 0,
            height: 0,
            decoded_bytes: 0,
            natural,
        });
    }
    let (width, height, decoded_bytes) = header_size(path)?;
    let (ppi_x, ppi_y) = density::recorded_ppi(&head).unwrap_or((DEFAULT_PPI, DEFAULT_PPI));
    let natural = (
        Pt::inches(f64::from(width) / ppi_x),
        Pt::inches(f64::from(height) / ppi_y),
    );
    Ok(ImageProbe {
        media_type,
        extension,
        width,
        height,
        decoded_bytes,
        natural,
    })
}

/// Why a file that is not an image was refused: a file holding only a path (a symbolic
/// link that git or a copy saved as a plain file) says so.
fn not_an_image(head: &[u8]) -> ImageProblem {
    let text = std::str::from_utf8(head).map(str::trim).unwrap_or("");
    let a_path = !text.is_empty()
        && text.len() <= 1024
        && !text.contains(['\n', '<'])
        && text.contains('/')
        && text.rsplit('.').next().is_some_and(|extension| {
            ["png", "jpg", "jpeg", "gif", "webp", "svg"]
                .contains(&extension.to_ascii_lowercase().as_str())
        });
    if a_path {
        return ImageProblem {
            message: format!(
                "the file holds only the path `{text}`, not an image (a symbolic link saved as a plain file?)"
            ),
            hint: "put the image itself there (or make the link a real one), or refer to the file it names",
        };
    }
    "not a PNG, JPEG, GIF, WebP or SVG image".to_string().into()
}

fn sniff(head: &[u8]) -> Option<(&'static str, &'static str)> {
    if head.starts_with(b"\x89PNG\r\n\x1a\n") {
        return Some(("image/png", "png"));
    }
    if head.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return Some(("image/jpeg", "jpg"));
    }
    if head.starts_with(b"GIF87a") || head.starts_with(b"GIF89a") {
        return Some(("image/gif", "gif"));
    }
    if head.len() >= 12 && &head[..4] == b"RIFF" && &head[8..12] == b"WEBP" {
        return Some(("image/webp", "webp"));
    }
    let text = String::from_utf8_lossy(head);
    let text = text.trim_start_matches('\u{FEFF}').trim_start();
    // After an XML declaration, comments or a document type declaration; the root may be
    // prefixed (`<svg:svg`). Whether it really is an SVG is for `svg::check_svg` to say.
    let looks_svg = text.starts_with('<') && (text.contains("<svg") || text.contains(":svg"));
    looks_svg.then_some(("image/svg+xml", "svg"))
}

/// SVG is XML and can carry scripts, entity declarations (entity bombs, XXE) and references to
/// other files, which readers would act on: see [`svg`] for what is packaged. What passes is
/// parsed as the PDF writer parses it (without fonts: text does not change the size), so an
/// SVG it could not draw is refused here, and measured: its size in points.
fn check_svg(path: &Path) -> Result<(Pt, Pt), ImageProblem> {
    let bytes = read_regular(path, MAX_SVG_BYTES).map_err(|problem| match problem {
        PathProblem::TooLarge(_) => "the SVG is larger than 10 MB".to_string(),
        other => other.describe("the image"),
    })?;
    let text = String::from_utf8(bytes).map_err(|_| "the SVG is not UTF-8 text".to_string())?;
    svg::check_svg(&text).map_err(|refusal| ImageProblem {
        message: format!(
            "the SVG holds {} (line {}), which an EPUB may not: only drawings can be packaged",
            refusal.what, refusal.line
        ),
        hint: "remove it from the drawing, or export a plain SVG (Inkscape: Save As > Plain SVG; Illustrator: SVG 1.1 without Illustrator editing data); a PNG works too",
    })?;
    let tree = crate::fonts::parse_svg(&text, std::sync::Arc::default()).map_err(|reason| {
        ImageProblem {
            message: format!("the SVG cannot be drawn: {reason}"),
            hint: "open it in a browser or Inkscape and save it again as a plain SVG",
        }
    })?;
    let size = tree.size();
    let points = |pixels: f32| Pt::new(f64::from(pixels) * POINTS_PER_CSS_PIXEL);
    Ok((points(size.width()), points(size.height())))
}

/// Largest SVG file accepted.
pub(super) const MAX_SVG_BYTES: u64 = 10 * 1024 * 1024;

/// Width, height and decoded size in bytes, from the header alone.
fn header_size(path: &Path) -> Result<(u32, u32, u64), String> {
    use image::ImageDecoder;
    let file = open_regular(path).map_err(|problem| problem.describe("the image"))?;
    let decoder = image::ImageReader::new(std::io::BufReader::new(file))
        .with_guessed_format()
        .map_err(|e| format!("cannot read the image: {e}"))?
        .into_decoder()
        .map_err(|e| format!("the image is damaged: {e}"))?;
    let (width, height) = decoder.dimensions();
    Ok((width, height, decoder.total_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffing() {
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\nxxxx"), Some(("image/png", "png")));
        assert_eq!(
            sniff(b"<?xml version=\"1.0\"?>\n<svg xmlns=\"\">"),
            Some(("image/svg+xml", "svg"))
        );
        assert_eq!(sniff(b"hello"), None);
        assert_eq!(
            sniff(b"<!DOCTYPE svg>\n<svg xmlns=\"\">"),
            Some(("image/svg+xml", "svg"))
        );
        assert_eq!(
            sniff(b"<s:svg xmlns:s=\"http://www.w3.org/2000/svg\">"),
            Some(("image/svg+xml", "svg"))
        );
        assert_eq!(sniff(b"RIFF\0\0\0\0WEBPVP8 "), Some(("image/webp", "webp")));
    }

    #[test]
    fn a_file_holding_a_path_says_so() {
        let problem = not_an_image(b"../../../../third_party/cxx/overview.svg");
        assert!(problem
            .message
            .contains("holds only the path `../../../../third_party/cxx/overview.svg`"));
        let problem = not_an_image(b"hello world");
        assert_eq!(problem.message, "not a PNG, JPEG, GIF, WebP or SVG image");
    }
}
