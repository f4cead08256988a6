//! The navigation document (nested contents and landmarks) and the NCX for older readers.

use super::xhtml::{chapter_file, document_start, escape, DOCUMENT_END};
use super::Package;
use crate::doc::{Book, Division};
use crate::locale::Terms;
use crate::toc::TocEntry;

/// Href of a contents entry, relative to the package folder (where nav.xhtml lives): the
/// chapter file for a chapter, `file#id` for a section.
fn entry_href(book: &Book, entry: &TocEntry) -> String {
    let chapter = &book.chapters[entry.chapter];
    let file = format!("text/{}", chapter_file(chapter));
    match &entry.anchor {
        Some(anchor) if chapter.title_id() != Some(anchor.as_str()) => format!("{file}#{anchor}"),
        _ => file,
    }
}

/// nav.xhtml: the contents (`epub:type="toc"`) and the landmarks.
pub(crate) fn nav_document(
    book: &Book,
    toc: &[TocEntry],
    package: &Package,
    terms: &Terms,
) -> String {
    let mut out = document_start(
        terms.contents,
        &book.meta.language,
        &["css/book.css".to_string()],
        "frontmatter",
    );
    out.push_str("<nav epub:type=\"toc\" role=\"doc-toc\" id=\"toc\">\n");
    out.push_str(&format!("<h1>{}</h1>\n", escape(terms.contents)));
    nav_list(book, toc, &mut out);
    if package.has_index {
        // The index closes the contents, after the last chapter.
        out.truncate(out.len() - "</ol>\n".len());
        out.push_str(&format!(
            "<li><a href=\"{}#{}\">{}</a></li>\n</ol>\n",
            super::index::INDEX_HREF,
            super::index::INDEX_ID,
            escape(terms.index)
        ));
    }
    out.push_str("</nav>\n");
    page_list(package, &mut out);
    landmarks(book, package, terms, &mut out);
    out.push_str(DOCUMENT_END);
    out
}

/// The print edition's pages, each linked to its marker: hidden, as reading systems show it
/// in their own way ("go to page").
fn page_list(package: &Package, out: &mut String) {
    if package.page_list.is_empty() {
        return;
    }
    out.push_str("<nav epub:type=\"page-list\" role=\"doc-pagelist\" hidden=\"hidden\">\n<ol>\n");
    for (label, href) in &package.page_list {
        out.push_str(&format!(
            "<li><a href=\"{}#page-{1}\">{1}</a></li>\n",
            escape(href),
            escape(label)
        ));
    }
    out.push_str("</ol>\n</nav>\n");
}

fn nav_list(book: &Book, entries: &[TocEntry], out: &mut String) {
    out.push_str("<ol>\n");
    for entry in entries {
        out.push_str(&format!(
            "<li><a href=\"{}\">{}</a>",
            escape(&entry_href(book, entry)),
            escape(&entry.title)
        ));
        if !entry.children.is_empty() {
            out.push('\n');
            nav_list(book, &entry.children, out);
        }
        out.push_str("</li>\n");
    }
    out.push_str("</ol>\n");
}

fn landmarks(book: &Book, package: &Package, terms: &Terms, out: &mut String) {
    out.push_str("<nav epub:type=\"landmarks\" id=\"landmarks\" hidden=\"hidden\">\n");
    out.push_str(&format!("<h2>{}</h2>\n<ol>\n", escape(terms.guide)));
    let mut marks: Vec<(String, &str, String)> = Vec::new();
    if package.has_cover_page {
        marks.push(("text/cover.xhtml".into(), "cover", terms.cover.into()));
    }
    if package.has_title_page {
        marks.push((
            "text/titlepage.xhtml".into(),
            "titlepage",
            terms.title_page.into(),
        ));
    }
    if book.meta.front.toc {
        marks.push(("nav.xhtml#toc".into(), "toc", terms.contents.into()));
    }
    for (list, file) in &package.caption_lists {
        let (kind, title) = match list {
            crate::toc::CaptionList::Figures => ("loi", terms.list_of_figures),
            crate::toc::CaptionList::Tables => ("lot", terms.list_of_tables),
        };
        marks.push((format!("text/{file}#{kind}"), kind, title.into()));
    }
    if let Some(first) = book.chapters.iter().find(|c| c.division == Division::Body) {
        marks.push((
            format!("text/{}", chapter_file(first)),
            "bodymatter",
            terms.start.into(),
        ));
    }
    if let Some(refs) = book
        .chapters
        .iter()
        .find(|c| c.epub_type.as_deref() == Some("bibliography"))
    {
        let title = crate::doc::plain_text(&refs.title);
        marks.push((
            format!("text/{}", chapter_file(refs)),
            "bibliography",
            title,
        ));
    }
    if package.has_index {
        let href = format!("{}#{}", super::index::INDEX_HREF, super::index::INDEX_ID);
        marks.push((href, "index", terms.index.into()));
    }
    for (href, kind, title) in marks {
        out.push_str(&format!(
            "<li><a epub:type=\"{kind}\" href=\"{}\">{}</a></li>\n",
            escape(&href),
            escape(&title)
        ));
    }
    out.push_str("</ol>\n</nav>\n");
}

/// toc.ncx: the EPUB 2 navigation, still read by some older devices.
pub(crate) fn ncx_document(book: &Book, toc: &[TocEntry], terms: &Terms) -> String {
    let mut out = String::new();
    out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    out.push_str(&format!(
        "<ncx xmlns=\"http://www.daisy.org/z3986/2005/ncx/\" version=\"2005-1\" xml:lang=\"{}\">\n",
        escape(&book.meta.language)
    ));
    out.push_str("<head>\n");
    out.push_str(&format!(
        "<meta name=\"dtb:uid\" content=\"{}\"/>\n",
        escape(&book.meta.epub_identifier().urn())
    ));
    out.push_str(&format!(
        "<meta name=\"dtb:depth\" content=\"{}\"/>\n",
        depth(toc)
    ));
    out.push_str("<meta name=\"dtb:totalPageCount\" content=\"0\"/>\n<meta name=\"dtb:maxPageNumber\" content=\"0\"/>\n</head>\n");
    out.push_str(&format!(
        "<docTitle><text>{}</text></docTitle>\n<navMap>\n",
        escape(&book.meta.title)
    ));
    let mut order = 0;
    nav_points(book, toc, &mut order, &mut out);
    if book.index.is_some() {
        order += 1;
        out.push_str(&format!(
            "<navPoint id=\"np-{order}\" playOrder=\"{order}\">\n<navLabel><text>{}</text></navLabel>\n<content src=\"{}\"/>\n</navPoint>\n",
            escape(terms.index),
            super::index::INDEX_HREF
        ));
    }
    out.push_str("</navMap>\n</ncx>\n");
    out
}

fn depth(entries: &[TocEntry]) -> usize {
    entries
        .iter()
        .map(|e| 1 + depth(&e.children))
        .max()
        .unwrap_or(1)
}

fn nav_points(book: &Book, entries: &[TocEntry], order: &mut usize, out: &mut String) {
    for entry in entries {
        *order += 1;
        out.push_str(&format!(
            "<navPoint id=\"np-{0}\" playOrder=\"{0}\">\n<navLabel><text>{1}</text></navLabel>\n<content src=\"{2}\"/>\n",
            order,
            escape(&entry.title),
            escape(&entry_href(book, entry))
        ));
        nav_points(book, &entry.children, order, out);
        out.push_str("</navPoint>\n");
    }
}
