//! The OCF container: a zip with `mimetype` first and stored, then every file in sorted order
//! with fixed timestamps and permissions, so the archive's bytes depend only on its content.

use std::io::{Cursor, Write};

use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

use super::{EpubError, Package};

/// Folder inside the container that holds the package.
pub(crate) const CONTENT_DIR: &str = "EPUB";

const CONTAINER_XML: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>
<container version=\"1.0\" xmlns=\"urn:oasis:names:tc:opendocument:xmlns:container\">
<rootfiles>
<rootfile full-path=\"EPUB/package.opf\" media-type=\"application/oebps-package+xml\"/>
</rootfiles>
</container>
";

/// Zip the package and its package document (`opf`) into EPUB bytes.
pub(crate) fn write_package(package: &Package, opf: &str) -> Result<Vec<u8>, EpubError> {
    let mut entries: Vec<(String, &[u8])> = package
        .items
        .iter()
        .map(|item| (format!("{CONTENT_DIR}/{}", item.href), item.data.as_slice()))
        .collect();
    entries.push((format!("{CONTENT_DIR}/package.opf"), opf.as_bytes()));
    entries.push((
        "META-INF/container.xml".to_string(),
        CONTAINER_XML.as_bytes(),
    ));
    entries.sort_by(|a, b| a.0.cmp(&b.0));
    zip_entries(&entries)
}

fn options(method: CompressionMethod) -> SimpleFileOptions {
    SimpleFileOptions::DEFAULT
        .compression_method(method)
        .unix_permissions(0o644)
}

fn zip_entries(entries: &[(String, &[u8])]) -> Result<Vec<u8>, EpubError> {
    let zip_error = |e: zip::result::ZipError| EpubError::Zip(e.to_string());
    let io_error = |e: std::io::Error| EpubError::Zip(e.to_string());
    let mut writer = ZipWriter::new(Cursor::new(Vec::new()));
    writer
        .start_file("mimetype", options(CompressionMethod::Stored))
        .map_err(zip_error)?;
    writer
        .write_all(b"application/epub+zip")
        .map_err(io_error)?;
    for (name, data) in entries {
        let method = if already_compressed(name) {
            CompressionMethod::Stored
        } else {
            CompressionMethod::Deflated
        };
        writer
            .start_file(name.as_str(), options(method))
            .map_err(zip_error)?;
        writer.write_all(data).map_err(io_error)?;
    }
    let cursor = writer.finish().map_err(zip_error)?;
    Ok(cursor.into_inner())
}

/// PNG, JPEG, GIF and WebP are compressed already: storing them saves time and nothing else.
fn already_compressed(name: &str) -> bool {
    [".png", ".jpg", ".jpeg", ".gif", ".webp"]
        .iter()
        .any(|ext| name.ends_with(ext))
}
