//! The EPUB 3 backend: a resolved [`Book`] to a package that passes EPUBCheck 5 with no
//! errors and no warnings.
//!
//! We write the OPF, nav and NCX ourselves over the `zip` crate (DESIGN.md says why not
//! epub-builder). The package is assembled in memory as a list of [`Item`]s, then zipped with
//! `mimetype` first and stored, every other entry sorted and stamped 1980-01-01, so the same
//! book gives the same bytes on every machine.

pub(crate) mod conformance;
pub(crate) mod excerpt;
mod fonts;
mod index;
pub(crate) mod math_svg;
pub(crate) mod nav;
pub(crate) mod opf;
pub(crate) mod page_breaks;
mod pages;
pub(crate) mod xhtml;
pub(crate) mod zip;

use std::path::PathBuf;

pub use crate::config::EpubMath;
use crate::doc::Book;
use crate::fonts::FontSet;
use crate::locale::terms;
use crate::toc::CaptionList;

/// The default stylesheet: relative units only, no colours, so reader settings win.
pub(crate) const DEFAULT_CSS: &str = include_str!("book.css");

/// Settings of the EPUB backend.
#[derive(Debug, Clone, Default)]
pub struct EpubOptions {
    /// A stylesheet appended after the default one.
    pub extra_css: Option<String>,
    /// Embed the book's fonts (text serif, monospace, fallbacks) with `@font-face` rules.
    pub embed_fonts: bool,
    /// The fonts book.toml's `[fonts]` names, with the bundled ones for the rest; `None`
    /// for octavo's own set. Embedded instead of the bundled fonts, so that the EPUB reads
    /// in the faces the PDF is set in.
    pub fonts: Option<std::sync::Arc<FontSet<'static>>>,
    /// How formulas are written: MathML, or SVG images drawn from the PDF's layout.
    pub math: EpubMath,
    /// Who answers for the EPUB Accessibility 1.1 conformance claim, when the book passes
    /// octavo's checks ([`conformance::assess`]); no claim when `None`.
    pub certified_by: Option<String>,
    /// Where the print edition's pages begin (from typesetting it), for the page list: a
    /// marker at each in the chapters, the `page-list` nav, and the page-break metadata.
    pub(crate) page_starts: Option<std::sync::Arc<Vec<crate::typeset::page_list::PageStart>>>,
}

/// Why the EPUB could not be written.
#[derive(Debug, thiserror::Error)]
pub enum EpubError {
    /// An image or font could not be read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The zip writer failed.
    #[error("cannot write the EPUB archive: {0}")]
    Zip(String),
}

/// One file of the package: where it goes, what it is, and whether it is read in order.
#[derive(Debug, Clone)]
pub(crate) struct Item {
    /// Manifest id.
    pub id: String,
    /// Path relative to the package folder (`text/01-intro.xhtml`).
    pub href: String,
    /// Media type.
    pub media_type: &'static str,
    /// Manifest properties (`nav`, `cover-image`, …), space separated.
    pub properties: String,
    /// Position in the reading order, if in the spine.
    pub spine: Option<usize>,
    /// The bytes.
    pub data: Vec<u8>,
}

/// The package being assembled.
#[derive(Debug, Default)]
pub(crate) struct Package {
    /// Every file, in manifest order.
    pub items: Vec<Item>,
    /// True when a cover page exists.
    pub has_cover_page: bool,
    /// True when a title page exists.
    pub has_title_page: bool,
    /// The lists of figures and tables written, with their file names under `text/`.
    pub caption_lists: Vec<(CaptionList, String)>,
    /// True when the book ends with an index page.
    pub has_index: bool,
    /// Pages added to the spine so far (counting them per page was quadratic in chapters).
    spine_pages: usize,
    /// The print pages marked in the chapters: (label, chapter file under `text/`), in
    /// page order.
    pub page_list: Vec<(String, String)>,
}

impl Package {
    fn add(&mut self, id: &str, href: &str, media_type: &'static str, data: Vec<u8>) -> &mut Item {
        self.items.push(Item {
            id: id.to_string(),
            href: href.to_string(),
            media_type,
            properties: String::new(),
            spine: None,
            data,
        });
        let last = self.items.len() - 1;
        &mut self.items[last]
    }

    fn add_page(&mut self, id: &str, href: &str, data: String) {
        let order = self.spine_pages;
        self.spine_pages += 1;
        let has_math = data.contains(MATHML_START);
        let item = self.add(id, href, "application/xhtml+xml", data.into_bytes());
        item.spine = Some(order);
        if has_math {
            item.properties = "mathml".to_string();
        }
    }
}

/// How every formula's MathML starts ([`crate::math::to_mathml`]): a page holding one is
/// declared with the `mathml` manifest property.
const MATHML_START: &str = "<math alttext=";

/// Build the EPUB file's bytes for a resolved book.
pub fn write_epub(book: &Book, options: &EpubOptions) -> Result<Vec<u8>, EpubError> {
    let package = assemble(book, options)?;
    let opf = opf::package_document(book, &package, options.certified_by.as_deref());
    zip::write_package(&package, &opf)
}

/// Every file of the package, in manifest order, with the spine positions set.
pub(crate) fn assemble(book: &Book, options: &EpubOptions) -> Result<Package, EpubError> {
    let terms = terms(&book.meta.language);
    let toc = crate::toc::build_toc_with_parts(book);
    let mut package = Package::default();
    let mut css = DEFAULT_CSS.to_string();
    if options.embed_fonts {
        match options.fonts.as_deref() {
            Some(fonts) => fonts::embed_book_fonts(fonts, &mut package, &mut css),
            None => fonts::embed_bundled_fonts(&mut package, &mut css),
        }
    }
    if let Some(extra) = &options.extra_css {
        css.push_str("\n/* book.toml [epub] css */\n");
        css.push_str(extra);
    }
    package.add("css", "css/book.css", "text/css", css.into_bytes());
    if let Some(cover) = pages::cover_page(book, terms) {
        package.has_cover_page = true;
        package.add_page("cover", "text/cover.xhtml", cover);
    }
    let mut math_images = math_images(book, options);
    // An "Also by" card page comes before the half title, as in a printed book.
    let (card_pages, text): (Vec<usize>, Vec<usize>) =
        (0..book.chapters.len()).partition(|&i| book.chapters[i].is_card_page());
    let mut starts = chapter_page_starts(book, options);
    let mut add = |index: usize, package: &mut Package| {
        add_chapter(
            book,
            index,
            terms,
            math_images.as_mut(),
            &mut starts,
            package,
        );
    };
    for &index in &card_pages {
        add(index, &mut package);
    }
    let front = &book.meta.front;
    if front.half_title {
        package.add_page(
            "halftitle",
            "text/halftitle.xhtml",
            pages::half_title_page(book),
        );
    }
    if front.title_page {
        package.has_title_page = true;
        package.add_page(
            "titlepage",
            "text/titlepage.xhtml",
            pages::title_page(book, terms),
        );
    }
    if front.copyright {
        package.add_page(
            "copyright",
            "text/copyright.xhtml",
            pages::copyright_page(book, terms),
        );
    }
    let nav_at = package.items.len();
    add_caption_lists(book, &mut package, terms);
    for index in text {
        add(index, &mut package);
    }
    if let Some(book_index) = &book.index {
        package.has_index = true;
        let page = index::index_page(book, book_index, terms);
        package.add_page("book-index", index::INDEX_HREF, page);
    }
    add_nav(book, &toc, &mut package, nav_at, terms);
    package.add(
        "ncx",
        "toc.ncx",
        "application/x-dtbncx+xml",
        nav::ncx_document(book, &toc, terms).into_bytes(),
    );
    add_images(book, &mut package)?;
    if let Some(images) = math_images {
        add_math_images(images, &mut package);
    }
    Ok(package)
}

/// One chapter's page, in the spine, with the markers of the print pages that begin in it
/// (taken from `starts`, by chapter).
fn add_chapter(
    book: &Book,
    index: usize,
    terms: &crate::locale::Terms,
    math_images: Option<&mut math_svg::MathImages>,
    starts: &mut [Vec<crate::typeset::page_list::PageStart>],
    package: &mut Package,
) {
    let pages = starts
        .get_mut(index)
        .map(std::mem::take)
        .unwrap_or_default();
    let chapter = &book.chapters[index];
    let href = format!("text/{}", xhtml::chapter_file(chapter));
    for page in &pages {
        package.page_list.push((page.label.clone(), href.clone()));
    }
    let page = xhtml::write_chapter(book, index, terms, math_images, pages);
    package.add_page(&format!("c-{}", chapter.slug), &href, page);
}

/// The print pages that begin in each chapter, by chapter index (none without a page list).
fn chapter_page_starts(
    book: &Book,
    options: &EpubOptions,
) -> Vec<Vec<crate::typeset::page_list::PageStart>> {
    let mut starts = vec![Vec::new(); book.chapters.len()];
    for page in options.page_starts.iter().flat_map(|list| list.iter()) {
        if let Some(chapter) = starts.get_mut(page.chapter) {
            chapter.push(page.clone());
        }
    }
    starts
}

/// Where formulas are drawn when `[epub] math = "svg"`: in the book's fonts, or octavo's own.
fn math_images(book: &Book, options: &EpubOptions) -> Option<math_svg::MathImages> {
    if options.math != EpubMath::Svg {
        return None;
    }
    let fonts = match &options.fonts {
        Some(fonts) => std::sync::Arc::clone(fonts),
        None => std::sync::Arc::new(FontSet::builtin().ok()?),
    };
    Some(math_svg::MathImages::new(fonts, xhtml::book_macros(book)))
}

/// The formulas' SVG images, after the book's own images.
fn add_math_images(images: math_svg::MathImages, package: &mut Package) {
    for (index, (href, data)) in images.files.into_iter().enumerate() {
        package.add(&format!("math-{}", index + 1), &href, "image/svg+xml", data);
    }
}

/// The lists of figures and tables book.toml asks for, after the contents; a list with no
/// entries is left out.
fn add_caption_lists(book: &Book, package: &mut Package, terms: &crate::locale::Terms) {
    let front = &book.meta.front;
    let lists = [
        (
            front.list_of_figures,
            CaptionList::Figures,
            "loi",
            "text/list-of-figures.xhtml",
        ),
        (
            front.list_of_tables,
            CaptionList::Tables,
            "lot",
            "text/list-of-tables.xhtml",
        ),
    ];
    for (wanted, list, id, href) in lists {
        let entries = crate::toc::caption_list(book, list);
        if wanted && !entries.is_empty() {
            package.add_page(
                id,
                href,
                pages::caption_list_page(book, list, &entries, terms),
            );
            package
                .caption_lists
                .push((list, href.trim_start_matches("text/").to_string()));
        }
    }
}

/// The nav document goes before the chapters in the reading order when a contents page is
/// wanted, and stays out of the spine otherwise.
fn add_nav(
    book: &Book,
    toc: &[crate::toc::TocEntry],
    package: &mut Package,
    position: usize,
    terms: &crate::locale::Terms,
) {
    let document = nav::nav_document(book, toc, package, terms);
    let spine = if book.meta.front.toc {
        let order = package.items[..position]
            .iter()
            .filter(|i| i.spine.is_some())
            .count();
        for item in package.items[position..].iter_mut() {
            if let Some(n) = item.spine.as_mut() {
                *n += 1;
            }
        }
        Some(order)
    } else {
        None
    };
    let item = package.add(
        "nav",
        "nav.xhtml",
        "application/xhtml+xml",
        document.into_bytes(),
    );
    item.properties = "nav".to_string();
    item.spine = spine;
}

fn add_images(book: &Book, package: &mut Package) -> Result<(), EpubError> {
    for (index, asset) in book.images.iter().enumerate() {
        // The path was confined to the book when the image was resolved.
        let data = crate::manuscript::read_regular(&asset.path, crate::manuscript::NO_SIZE_LIMIT)
            .map_err(|problem| EpubError::Read {
            path: asset.path.clone(),
            source: std::io::Error::other(problem.describe("the image")),
        })?;
        let media_type = image_media_type(&asset.media_type);
        let data = if media_type == "image/svg+xml" {
            packaged_svg(data)
        } else {
            data
        };
        let id = format!("img-{}", index + 1);
        let item = package.add(&id, &asset.package_path, media_type, data);
        if book.meta.cover == Some(index) {
            item.properties = "cover-image".to_string();
            item.id = "cover-image".to_string();
        }
    }
    Ok(())
}

/// Public identifiers of SVG 1.0's document type, which resolve accepts and EPUB does not.
const SVG10_PUBLIC_IDS: [&str; 2] = ["-//W3C//DTD SVG 1.0//EN", "-//W3C//DTD SVG 20010904//EN"];

/// An SVG as the EPUB holds it: without an SVG 1.0 document type declaration (resolve let
/// through only those without an internal subset, so the declaration ends at its first
/// `>`); any other SVG unchanged.
fn packaged_svg(data: Vec<u8>) -> Vec<u8> {
    let Ok(text) = std::str::from_utf8(&data) else {
        return data;
    };
    let Some(start) = text.find("<!DOCTYPE") else {
        return data;
    };
    let Some(length) = text[start..].find('>') else {
        return data;
    };
    let declaration = &text[start..start + length];
    if !SVG10_PUBLIC_IDS.iter().any(|id| declaration.contains(id)) {
        return data;
    }
    let mut packaged = String::with_capacity(text.len());
    packaged.push_str(&text[..start]);
    packaged.push_str(text[start + length + 1..].trim_start_matches(['\r', '\n']));
    packaged.into_bytes()
}

fn image_media_type(media_type: &str) -> &'static str {
    match media_type {
        "image/png" => "image/png",
        "image/jpeg" => "image/jpeg",
        "image/gif" => "image/gif",
        "image/webp" => "image/webp",
        _ => "image/svg+xml",
    }
}

#[cfg(test)]
mod svg_tests {
    use super::packaged_svg;

    #[test]
    fn only_an_svg_10_doctype_is_left_out() {
        let svg10 = "<?xml version=\"1.0\"?>\n<!DOCTYPE svg PUBLIC \"-//W3C//DTD SVG 20010904//EN\"\n \"http://www.w3.org/TR/2001/REC-SVG-20010904/DTD/svg10.dtd\">\n<svg/>";
        assert_eq!(
            packaged_svg(svg10.as_bytes().to_vec()),
            b"<?xml version=\"1.0\"?>\n<svg/>"
        );
        let svg11 = "<!DOCTYPE svg PUBLIC \"-//W3C//DTD SVG 1.1//EN\" \"http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd\"><svg/>";
        assert_eq!(packaged_svg(svg11.as_bytes().to_vec()), svg11.as_bytes());
    }
}
