//! `octavo check` on the outputs a previous build left in the book's `out/` folder: an
//! EPUB or PDF that is damaged (a crash of another tool, a sync conflict, a truncated copy)
//! or older than the manuscript is reported, so nobody ships a stale or broken file. Only
//! what can be verified cheaply and without our writers is checked: the EPUB's container
//! structure (mimetype first and stored, container.xml, the package document, every manifest
//! item present) and the PDF's (it parses, has pages, embeds every font).

use std::io::Read;
use std::time::SystemTime;

use crate::diag::{code, Diagnostic, Diagnostics, FileId, Span};
use crate::manuscript::Manuscript;

/// Largest earlier output read back for checking.
const MAX_OUTPUT_BYTES: u64 = 4 * 1024 * 1024 * 1024;

/// The names of a build's outputs under `out/`: the EPUB, the PDF and the print edition's
/// cover wrap.
fn output_names(slug: &str) -> [String; 3] {
    [
        format!("{slug}.epub"),
        format!("{slug}.pdf"),
        format!("{slug}-cover.pdf"),
    ]
}

/// Check `out/<slug>.epub`, `out/<slug>.pdf` and `out/<slug>-cover.pdf` under the book
/// root, when they exist.
pub(crate) fn check_outputs(manuscript: &Manuscript, slug: &str, diags: &mut Diagnostics) {
    let out = manuscript.root.path().join("out");
    let newest = newest_source(manuscript);
    for name in output_names(slug) {
        let verify = if name.ends_with(".epub") {
            verify_epub
        } else {
            verify_pdf
        };
        let path = out.join(&name);
        // Read like every other file: only a regular file inside the book (a FIFO left
        // under the output's name is not waited on).
        let Ok(bytes) = manuscript.root.read(&path, MAX_OUTPUT_BYTES) else {
            continue;
        };
        let shown = format!("out/{name}");
        if let Err(reason) = verify(&bytes) {
            diags.push(
                Diagnostic::warning(code::BROKEN_OUTPUT, format!("{shown} is damaged: {reason}"))
                    .at(Span::new(manuscript.config_file, 0..0))
                    .with_hint("run `octavo build` to write it again"),
            );
            continue;
        }
        let written = std::fs::metadata(&path).and_then(|m| m.modified()).ok();
        if let (Some(written), Some((source, changed))) = (written, newest) {
            if changed > written {
                diags.push(
                    Diagnostic::warning(
                        code::STALE_OUTPUT,
                        format!("{shown} is older than this file"),
                    )
                    .at(Span::new(source, 0..0))
                    .with_hint("run `octavo build` to bring it up to date"),
                );
            }
        }
    }
}

/// The build writes `out/<slug>.epub` and `.pdf`: report what would stop it (an `out` that
/// is not a folder, a folder where an output goes) before the book is typeset.
pub(crate) fn check_output_names(manuscript: &Manuscript, slug: &str, diags: &mut Diagnostics) {
    let out = manuscript.root.path().join("out");
    let at = Span::new(manuscript.config_file, 0..0);
    if std::fs::symlink_metadata(&out).is_ok_and(|m| !m.is_dir()) {
        diags.push(
            Diagnostic::error(
                code::FILE_NAME,
                "`out` is not a folder: the build cannot write its outputs there",
            )
            .at(at)
            .with_hint("rename or remove the file `out`, or build with --out DIR"),
        );
        return;
    }
    for file in output_names(slug) {
        let name = format!("out/{file}");
        if std::fs::symlink_metadata(out.join(&file)).is_ok_and(|m| m.is_dir()) {
            let what = match file.rsplit_once('.') {
                _ if file.ends_with("-cover.pdf") => "cover wrap".to_string(),
                Some((_, extension)) => extension.to_uppercase(),
                None => file.clone(),
            };
            diags.push(
                Diagnostic::error(
                    code::FILE_NAME,
                    format!("`{name}` is a folder: the build cannot write the {what} there"),
                )
                .at(at.clone())
                .with_hint("rename or remove that folder"),
            );
        }
    }
}

/// The most recently modified of book.toml, the chapters and the bibliography.
fn newest_source(manuscript: &Manuscript) -> Option<(FileId, SystemTime)> {
    let files = std::iter::once(manuscript.config_file)
        .chain(manuscript.chapters.iter().copied())
        .chain(manuscript.bibliography);
    files
        .filter_map(|file| {
            let name = &manuscript.sources.get(file).name;
            let path = manuscript.root.path().join(name);
            let modified = std::fs::metadata(path).and_then(|m| m.modified()).ok()?;
            Some((file, modified))
        })
        .max_by_key(|(_, modified)| *modified)
}

/// The container rules every reading system relies on (OCF 3.3).
pub(crate) fn verify_epub(bytes: &[u8]) -> Result<(), String> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes))
        .map_err(|e| format!("not a ZIP archive ({e})"))?;
    {
        let mut first = archive
            .by_index(0)
            .map_err(|e| format!("cannot read its first entry ({e})"))?;
        let named = first.name().is_ok_and(|name| name == "mimetype");
        if !named || first.compression() != zip::CompressionMethod::Stored {
            return Err("its first entry is not an uncompressed `mimetype`".into());
        }
        let mut mimetype = String::new();
        let read = first.by_ref().take(64).read_to_string(&mut mimetype);
        if read.is_err() || mimetype != "application/epub+zip" {
            return Err("`mimetype` does not say application/epub+zip".into());
        }
    }
    let container = read_entry(&mut archive, "META-INF/container.xml")?;
    let opf_path = attribute(&container, "full-path")
        .ok_or("META-INF/container.xml names no package document")?;
    let opf = read_entry(&mut archive, &opf_path)?;
    let base = opf_path.rsplit_once('/').map_or("", |(dir, _)| dir);
    for item in opf.split("<item ").skip(1) {
        let Some(href) = attribute(item, "href") else {
            continue;
        };
        let path = if base.is_empty() {
            href
        } else {
            format!("{base}/{href}")
        };
        if archive.by_name(&path).is_err() {
            return Err(format!("the manifest lists {path}, which is missing"));
        }
    }
    Ok(())
}

fn read_entry<R: std::io::Read + std::io::Seek>(
    archive: &mut zip::ZipArchive<R>,
    name: &str,
) -> Result<String, String> {
    let mut entry = archive
        .by_name(name)
        .map_err(|_| format!("{name} is missing"))?;
    let mut text = String::new();
    entry
        .by_ref()
        .take(16 * 1024 * 1024)
        .read_to_string(&mut text)
        .map_err(|e| format!("{name} cannot be read ({e})"))?;
    Ok(text)
}

/// The value of the first `name="…"` in `xml` (our own package files use double quotes).
fn attribute(xml: &str, name: &str) -> Option<String> {
    let start = xml.find(&format!("{name}=\""))? + name.len() + 2;
    let end = xml[start..].find('"')? + start;
    Some(xml[start..end].to_string())
}

/// The PDF parses, has pages, and every font it uses is embedded.
pub(crate) fn verify_pdf(bytes: &[u8]) -> Result<(), String> {
    let tail = &bytes[bytes.len().saturating_sub(1024)..];
    if !bytes.starts_with(b"%PDF-") || !tail.windows(5).any(|w| w == b"%%EOF") {
        return Err("it is not a complete PDF file (header or %%EOF missing)".into());
    }
    let doc = lopdf::Document::load_mem(bytes).map_err(|e| format!("it does not parse ({e})"))?;
    let pages = doc.get_pages();
    if pages.is_empty() {
        return Err("it has no pages".into());
    }
    for (number, page) in pages {
        let fonts = doc.get_page_fonts(page).unwrap_or_default();
        for (name, font) in fonts {
            if !font_is_embedded(&doc, font) {
                let name = String::from_utf8_lossy(&name);
                return Err(format!("font {name} on page {number} is not embedded"));
            }
        }
    }
    Ok(())
}

fn font_is_embedded(doc: &lopdf::Document, font: &lopdf::Dictionary) -> bool {
    let descriptor = |dict: &lopdf::Dictionary| -> Option<bool> {
        let descriptor = doc.dereference(dict.get(b"FontDescriptor").ok()?).ok()?.1;
        let descriptor = descriptor.as_dict().ok()?;
        Some(
            [b"FontFile".as_slice(), b"FontFile2", b"FontFile3"]
                .iter()
                .any(|key| descriptor.has(key)),
        )
    };
    if let Some(embedded) = descriptor(font) {
        return embedded;
    }
    // A Type0 font keeps its descriptor in its descendant.
    let descendant = font
        .get(b"DescendantFonts")
        .ok()
        .and_then(|d| doc.dereference(d).ok())
        .and_then(|(_, d)| d.as_array().ok().cloned())
        .and_then(|array| array.first().cloned())
        .and_then(|first| doc.dereference(&first).ok().map(|(_, o)| o.clone()));
    match descendant.as_ref().and_then(|d| d.as_dict().ok()) {
        Some(dict) => descriptor(dict).unwrap_or(false),
        // The 14 standard fonts have no descriptor; octavo never uses them.
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_truncated_pdf_is_damaged() {
        assert!(verify_pdf(b"%PDF-1.7\n1 0 obj").is_err());
    }

    #[test]
    fn a_zip_without_mimetype_first_is_not_an_epub() {
        let mut buffer = std::io::Cursor::new(Vec::new());
        {
            let mut zip = zip::ZipWriter::new(&mut buffer);
            let options = zip::write::SimpleFileOptions::default();
            zip.start_file("hello.txt", options).ok();
            std::io::Write::write_all(&mut zip, b"hi").ok();
            zip.finish().ok();
        }
        let err = verify_epub(buffer.get_ref()).unwrap_err();
        assert!(err.contains("mimetype"), "{err}");
        assert!(verify_epub(b"not a zip").is_err());
    }
}
