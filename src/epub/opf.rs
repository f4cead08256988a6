//! The package document (OPF): metadata, manifest and spine.
//!
//! Written by hand rather than through epub-builder (see DESIGN.md): every `dc:` element gets
//! its own id, manifest items carry the properties EPUBCheck expects, and the accessibility
//! metadata is derived from what the book really contains.

use super::xhtml::escape;
use super::{Item, Package};
use crate::doc::Book;

/// The whole package.opf.
pub(crate) fn package_document(
    book: &Book,
    package: &Package,
    certified_by: Option<&str>,
) -> String {
    let mut out = String::new();
    out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    out.push_str(&format!(
        "<package xmlns=\"http://www.idpf.org/2007/opf\" version=\"3.0\" unique-identifier=\"pub-id\" xml:lang=\"{}\">\n",
        escape(&book.meta.language)
    ));
    metadata(book, package, certified_by, &mut out);
    manifest(&package.items, &mut out);
    spine(&package.items, &book.meta.language, &mut out);
    out.push_str("</package>\n");
    out
}

/// An optional metadata value with text in it: the package schema refuses empty `dc:`
/// elements and `meta`s (RSC-005), and an empty value in book.toml says nothing anyway.
fn present(value: &Option<String>) -> Option<&str> {
    value.as_deref().filter(|v| !v.trim().is_empty())
}

fn element(out: &mut String, name: &str, id: Option<&str>, text: &str) {
    match id {
        Some(id) => out.push_str(&format!("<{name} id=\"{id}\">{}</{name}>\n", escape(text))),
        None => out.push_str(&format!("<{name}>{}</{name}>\n", escape(text))),
    }
}

fn meta_property(out: &mut String, property: &str, refines: Option<&str>, text: &str) {
    match refines {
        Some(id) => out.push_str(&format!(
            "<meta refines=\"#{id}\" property=\"{property}\">{}</meta>\n",
            escape(text)
        )),
        None => out.push_str(&format!(
            "<meta property=\"{property}\">{}</meta>\n",
            escape(text)
        )),
    }
}

fn metadata(book: &Book, package: &Package, certified_by: Option<&str>, out: &mut String) {
    let meta = &book.meta;
    out.push_str("<metadata xmlns:dc=\"http://purl.org/dc/elements/1.1/\">\n");
    element(
        out,
        "dc:identifier",
        Some("pub-id"),
        &meta.epub_identifier().urn(),
    );
    element(out, "dc:title", Some("title"), &meta.title);
    meta_property(out, "title-type", Some("title"), "main");
    if let Some(subtitle) = present(&meta.subtitle) {
        element(out, "dc:title", Some("subtitle"), subtitle);
        meta_property(out, "title-type", Some("subtitle"), "subtitle");
    }
    for (i, contributor) in meta.contributors.iter().enumerate() {
        let id = format!("creator{}", i + 1);
        element(out, "dc:creator", Some(&id), &contributor.name);
        out.push_str(&format!(
            "<meta refines=\"#{id}\" property=\"role\" scheme=\"marc:relators\">{}</meta>\n",
            contributor.role.marc_code()
        ));
        meta_property(out, "display-seq", Some(&id), &(i + 1).to_string());
    }
    element(out, "dc:language", None, &meta.language);
    if let Some(date) = &meta.date {
        element(out, "dc:date", None, date);
    }
    for (name, value) in [
        ("dc:publisher", &meta.publisher),
        ("dc:rights", &meta.rights),
        ("dc:description", &meta.description),
    ] {
        if let Some(value) = present(value) {
            element(out, name, None, value);
        }
    }
    for subject in meta.subjects.iter().filter(|s| !s.trim().is_empty()) {
        element(out, "dc:subject", None, subject);
    }
    meta_property(out, "dcterms:modified", None, &meta.modified);
    if let Some(series) = meta.series.as_ref().filter(|s| !s.name.trim().is_empty()) {
        out.push_str(&format!(
            "<meta property=\"belongs-to-collection\" id=\"series\">{}</meta>\n",
            escape(&series.name)
        ));
        meta_property(out, "collection-type", Some("series"), "series");
        if let Some(index) = series.index {
            meta_property(out, "group-position", Some("series"), &index.to_string());
        }
    }
    if let Some(cover) = package
        .items
        .iter()
        .find(|i| i.properties.contains("cover-image"))
    {
        out.push_str(&format!(
            "<meta name=\"cover\" content=\"{}\"/>\n",
            cover.id
        ));
    }
    accessibility(book, package, out);
    if let Some(certifier) = certified_by {
        meta_property(
            out,
            "dcterms:conformsTo",
            None,
            super::conformance::CONFORMS_TO,
        );
        meta_property(out, "a11y:certifiedBy", None, certifier);
    }
    out.push_str("</metadata>\n");
}

/// schema.org accessibility metadata, claimed only where the content supports it; a page
/// list from the print edition (`package.page_list`) is named with its source.
fn accessibility(book: &Book, package: &Package, out: &mut String) {
    // The cover counts: it is shown on the cover page, described by its alternative text.
    let has_images = !book.images.is_empty();
    let only_cover = book.images.len() == 1 && book.meta.cover.is_some();
    let alt_everywhere = book.undescribed_images == 0;
    meta_property(out, "schema:accessMode", None, "textual");
    if has_images {
        meta_property(out, "schema:accessMode", None, "visual");
    }
    if !has_images || alt_everywhere {
        meta_property(out, "schema:accessModeSufficient", None, "textual");
    }
    if has_images {
        meta_property(out, "schema:accessModeSufficient", None, "textual,visual");
    }
    let mut features = vec!["structuralNavigation", "tableOfContents", "readingOrder"];
    if has_images && alt_everywhere {
        features.push("alternativeText");
    }
    let print_isbn = book.meta.print.isbn.as_ref();
    if let (false, Some(isbn)) = (package.page_list.is_empty(), print_isbn) {
        features.extend(["pageBreakMarkers", "pageNavigation", "printPageNumbers"]);
        meta_property(
            out,
            "pageBreakSource",
            None,
            &format!("urn:isbn:{}", isbn.digits),
        );
    }
    for feature in features {
        meta_property(out, "schema:accessibilityFeature", None, feature);
    }
    meta_property(out, "schema:accessibilityHazard", None, "none");
    meta_property(
        out,
        "schema:accessibilitySummary",
        None,
        &summary(has_images, only_cover, alt_everywhere),
    );
}

/// The accessibility summary: what a reader who cannot see the images can rely on.
fn summary(has_images: bool, only_cover: bool, alt_everywhere: bool) -> String {
    let mut text = String::from(
        "The text is structured with headings and a navigable table of contents, in a logical reading order; footnotes are linked both ways.",
    );
    match (has_images, alt_everywhere) {
        (false, _) => text.push_str(" The publication has no images."),
        (true, true) if only_cover => {
            text.push_str(" Its only image, the cover, has a text description.")
        }
        (true, true) => text.push_str(" Every image has a text description."),
        (true, false) => text.push_str(" Some images have no text description."),
    }
    text
}

fn manifest(items: &[Item], out: &mut String) {
    out.push_str("<manifest>\n");
    for item in items {
        out.push_str(&format!(
            "<item id=\"{}\" href=\"{}\" media-type=\"{}\"",
            item.id,
            escape(&item.href),
            item.media_type
        ));
        if !item.properties.is_empty() {
            out.push_str(&format!(" properties=\"{}\"", item.properties));
        }
        out.push_str("/>\n");
    }
    out.push_str("</manifest>\n");
}

/// The reading order; a book in a right-to-left `language` turns its pages leftwards.
fn spine(items: &[Item], language: &str, out: &mut String) {
    if crate::locale::is_rtl(language) {
        out.push_str("<spine toc=\"ncx\" page-progression-direction=\"rtl\">\n");
    } else {
        out.push_str("<spine toc=\"ncx\">\n");
    }
    let mut in_spine: Vec<&Item> = items.iter().filter(|i| i.spine.is_some()).collect();
    in_spine.sort_by_key(|i| i.spine);
    for item in in_spine {
        out.push_str(&format!("<itemref idref=\"{}\"/>\n", item.id));
    }
    out.push_str("</spine>\n");
}
