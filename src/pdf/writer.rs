//! The PDF writer: the composed pages through krilla (the PDF library under Typst's
//! exporter), which subsets and embeds the fonts, writes `/ToUnicode` and `/ActualText`,
//! embeds the images, and writes the outline, page labels, metadata and a content-derived
//! `/ID`, so the same input always gives the same bytes.
//!
//! Each page is drawn in the order of the old content streams: its text first ([`glyphs`]:
//! runs joined into as few `draw_glyphs` calls as the faces allow), then rules (stroked
//! lines) and images; then its links become annotations (`/XYZ` destinations at anchors,
//! URI actions for web addresses). What krilla reports (a font it cannot read, an image it
//! cannot decode) becomes a [`WriteError`] naming the file, and a panic inside it an error
//! too, not a crash.
//!
//! [`glyphs`]: super::glyphs

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::Arc;

use krilla::action::{Action, LinkAction};
use krilla::annotation::{Annotation, LinkAnnotation, Target};
use krilla::destination::{Destination, XyzDestination};
use krilla::error::KrillaError;
use krilla::geom::{PathBuilder, Point, Quadrilateral, Rect, Size, Transform};
use krilla::page::{PageLabel, PageSettings};
use krilla::paint::{Fill, Stroke};
use krilla::surface::Surface;
use krilla::tagging::{Artifact, ArtifactType, ContentTag, SpanTag};
use krilla::text::Font;
use krilla::{Data, Document, SerializeSettings};
use krilla_svg::{SurfaceExt, SvgSettings};

use super::glyphs::TextBatch;
use super::images::PdfImage;
use super::krilla_fixes::Fixes;
use super::labels::{page_labels, PageLabelRange};
use super::metadata::{krilla_metadata, validate_info, DocumentInfo};
use super::outline::{krilla_outline, validate_outline, OutlineEntry};
use super::png_passthrough::PngStream;
use super::standards::Standard;
use super::tags::TagTreeBuilder;
use crate::doc::ImageAsset;
use crate::fonts::{svg_font_database, FontSet};
use crate::typeset::layout::{ImageItem, Item, LinkDest, LinkItem, Page, RuleItem};
use crate::typeset::structure::{NodeId, Structure};
use crate::units::Pt;

/// How far above an anchor a link's destination puts the view's top edge: a heading is not
/// pressed against the window's edge.
const LINK_VIEW_MARGIN: Pt = Pt::new(2.0);

/// Addresses longer than this many bytes get one annotation per page, with a quadrilateral
/// per line, instead of one per line: krilla writes the address into every annotation, and
/// a 200 KB address set over many lines made the file quadratic in its length.
const LONG_URI_BYTES: usize = 2048;

/// The hyphen the line breaker adds where it breaks a word (`typeset::paragraph`).
const ADDED_HYPHEN: &str = "-";

/// The longest word whose halves get one `/ActualText`, in bytes (longer "words", such as
/// a run of letters without a space, keep their hyphen in copied text).
const MAX_HYPHENATED_WORD_BYTES: usize = 256;

/// How much of a long address its link's description (`/Contents`) quotes, in bytes.
const LONG_LINK_ALT_BYTES: usize = 80;

/// Why the PDF could not be written.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    /// Nothing was composed.
    #[error("the PDF has no pages")]
    NoPages,
    /// The page size is not a positive, finite size.
    #[error("the page size {} x {} pt is not usable", width.get(), height.get())]
    PageSize {
        /// The width asked for.
        width: Pt,
        /// The height asked for.
        height: Pt,
    },
    /// A face krilla could not read or embed.
    #[error("font {name}: {reason}")]
    Font {
        /// The font's file name.
        name: String,
        /// What went wrong.
        reason: String,
    },
    /// An image that could not be read or decoded.
    #[error("image {path}: {reason}")]
    Image {
        /// The file.
        path: String,
        /// What went wrong.
        reason: String,
    },
    /// An outline entry points past the last page.
    #[error(
        "outline entry {title:?} points at page {page} (0-based) but the PDF has {pages} pages"
    )]
    OutlinePage {
        /// The entry's title.
        title: String,
        /// The page it asked for.
        page: usize,
        /// How many pages the PDF has.
        pages: usize,
    },
    /// An outline entry's position is NaN or infinite.
    #[error("outline entry {title:?} has a non-finite position")]
    OutlinePosition {
        /// The entry's title.
        title: String,
    },
    /// The page label ranges are not usable.
    #[error("invalid page labels: {0}")]
    Labels(String),
    /// `DocumentInfo::date` is not `YYYY-MM-DDThh:mm:ssZ`.
    #[error("invalid date {0:?}: expected YYYY-MM-DDThh:mm:ssZ")]
    Date(String),
    /// The file breaks a rule of a standard `[pdf] standard` asks for.
    #[error("{place}: the PDF breaks {rule}: {reason}")]
    Standard {
        /// The standard and clause.
        rule: String,
        /// Where (a page, or the document).
        place: String,
        /// What is wrong.
        reason: String,
    },
    /// krilla refused the document for another reason.
    #[error("krilla: {0}")]
    Krilla(String),
    /// krilla panicked (a bug there, or a font or image it could not cope with).
    #[error("the PDF library failed unexpectedly ({0})")]
    Internal(String),
}

/// What belongs to the whole document rather than to a page.
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct DocumentParts {
    /// The top-level outline entries (chapters), with their sections nested.
    pub outline: Vec<OutlineEntry>,
    /// Page label ranges in increasing `first_page` order; empty to write no `/PageLabels`.
    pub labels: Vec<PageLabelRange>,
    /// Title, author, language, date, ….
    pub info: DocumentInfo,
    /// The structure elements the pages' marks name: the tag tree.
    pub structure: Structure,
    /// The standards the file must meet (`[pdf] standard`), checked by krilla as it writes.
    pub standards: Vec<Standard>,
    /// Bleed beyond the trim on the top, bottom and outer edges (`[print] bleed`; zero for
    /// none): the media box grows by it, the TrimBox keeps the page's size, and the page's
    /// content moves with the trim.
    pub bleed: Pt,
    /// Whether pages alternate recto and verso (the outer edge of a verso is its left).
    pub two_sided: bool,
}

impl DocumentParts {
    /// Where page `index`'s trimmed page sits on its sheet: the bleed above it, and on a
    /// verso the bleed at its left, its outer edge.
    fn trim_origin(&self, index: usize) -> (Pt, Pt) {
        let verso = self.two_sided && index % 2 == 1;
        let left = if verso { self.bleed } else { Pt::ZERO };
        (left, self.bleed)
    }

    /// The sheet a page of `trim` size is printed on: the trim and its bleed.
    fn sheet(&self, trim: Size) -> Size {
        let bleed = self.bleed.to_f32();
        Size::from_wh(trim.width() + bleed, trim.height() + 2.0 * bleed).unwrap_or(trim)
    }
}

/// What the writer writes.
#[derive(Debug)]
pub(crate) struct WriteInput<'a> {
    /// The composed pages.
    pub pages: Pages<'a>,
    /// Anchor id → (page index, y from the top), for internal links.
    pub anchors: &'a BTreeMap<String, (usize, Pt)>,
    /// The book's images, indexed by `ImageItem::image`.
    pub images: &'a [ImageAsset],
    /// The faces the runs were shaped with.
    pub fonts: &'a FontSet<'static>,
    /// Page width and height.
    pub size: (Pt, Pt),
    /// Leave content streams uncompressed (debugging).
    pub readable: bool,
    /// Outline, page labels and metadata.
    pub parts: &'a DocumentParts,
}

/// The composed pages the writer draws, kept by the caller or handed over.
#[derive(Debug)]
pub(crate) enum Pages<'a> {
    /// Pages the caller keeps (tests and dumps of the layout read them afterwards).
    Kept(&'a [Page]),
    /// Pages the writer frees one by one as it draws them: a build needs only the bytes,
    /// and the pages hold every shaped run of the book, as much memory as krilla's drawing
    /// of them.
    Released(Vec<Page>),
}

impl Pages<'_> {
    /// All the pages (those already drawn and released are empty).
    fn as_slice(&self) -> &[Page] {
        match self {
            Pages::Kept(pages) => pages,
            Pages::Released(pages) => pages,
        }
    }

    /// How many pages there are.
    pub(crate) fn len(&self) -> usize {
        self.as_slice().len()
    }
}

/// The pages drawn into krilla's document, which no longer needs the composed pages: what
/// [`finish`] turns into the file.
pub(crate) struct Drawn {
    doc: Document,
    fonts: Vec<Font>,
    images: BTreeMap<usize, PageImage>,
    fixes: Fixes,
}

/// Writes the PDF: [`draw`], then [`finish`] (for the tests and the sample page; a book's
/// build calls the two itself, handing its pages over to be freed as they are drawn).
#[cfg(test)]
pub(crate) fn write(mut input: WriteInput<'_>) -> Result<Vec<u8>, WriteError> {
    let drawn = draw(&mut input)?;
    finish(drawn, input.fonts)
}

/// Draws the pages, with their links, outline, labels and metadata, into krilla's document.
/// Released pages are freed as they are drawn.
pub(crate) fn draw(input: &mut WriteInput<'_>) -> Result<Drawn, WriteError> {
    let pages = input.pages.len();
    if pages == 0 {
        return Err(WriteError::NoPages);
    }
    validate_outline(&input.parts.outline, pages)?;
    validate_info(&input.parts.info)?;
    let labels = page_labels(&input.parts.labels, pages)?;
    let (width, height) = input.size;
    let page_size = Size::from_wh(width.to_f32(), height.to_f32())
        .filter(|_| width.is_finite() && height.is_finite())
        .ok_or(WriteError::PageSize { width, height })?;
    guarded(|| draw_document(input, &labels, page_size))
}

/// The finished file: krilla serialises the document (subsetting the fonts, encoding the
/// images), then [`super::krilla_fixes`] changes what krilla has no setting for. `set` is
/// the font set the pages were drawn with (to name a face krilla refuses).
pub(crate) fn finish(drawn: Drawn, set: &FontSet<'static>) -> Result<Vec<u8>, WriteError> {
    let Drawn {
        doc,
        fonts,
        images,
        fixes,
    } = drawn;
    let bytes = guarded(|| {
        crate::timing::time("pdf finish", || doc.finish())
            .map_err(|error| describe_error(error, set, &fonts, &images))
    })?;
    let streams = copied_pngs(&images);
    crate::timing::time("pdf fixes", || {
        super::krilla_fixes::fix_and_copy(bytes, fixes, &streams)
    })
    .map_err(WriteError::Internal)
}

/// `work`'s result, or a panic inside krilla as an error.
pub(super) fn guarded<T>(work: impl FnOnce() -> Result<T, WriteError>) -> Result<T, WriteError> {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(work)) {
        Ok(result) => result,
        Err(panic) => Err(WriteError::Internal(panic_message(&*panic))),
    }
}

/// The text of a panic's payload.
fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "no message".to_string())
}

/// Everything krilla does before it writes the file: fonts, images, pages, outline,
/// metadata.
fn draw_document(
    input: &mut WriteInput<'_>,
    labels: &[PageLabel],
    page_size: Size,
) -> Result<Drawn, WriteError> {
    let standards = &input.parts.standards;
    let settings = SerializeSettings {
        compress_content_streams: !input.readable,
        enable_tagging: true,
        ..super::standards::settings(standards)?
    };
    let mut doc = Document::new_with(settings);
    doc.reserve_pages(input.pages.len());
    let fonts = krilla_fonts(input.fonts)?;
    let images = crate::timing::time("pdf images", || read_images(input))?;
    let tags = crate::timing::time("pdf pages", || {
        write_pages(&mut doc, input, labels, page_size, &fonts, &images)
    });
    let lang = Some(input.parts.info.language.clone()).filter(|l| !l.is_empty());
    doc.set_tag_tree(tags.finish(lang));
    doc.set_outline(krilla_outline(&input.parts.outline, input.parts.bleed));
    doc.set_metadata(krilla_metadata(&input.parts.info)?);
    let fixes = Fixes {
        has_outline: !input.parts.outline.is_empty(),
        object_streams: !input.readable,
        pdf_x4: standards.contains(&Standard::X4),
    };
    Ok(Drawn {
        doc,
        fonts,
        images,
        fixes,
    })
}

/// One krilla font per face of the set, by face index.
pub(super) fn krilla_fonts(fonts: &FontSet<'static>) -> Result<Vec<Font>, WriteError> {
    fonts
        .faces()
        .map(|(_, face)| {
            Font::new(Data::from(face.data()), face.index()).ok_or_else(|| WriteError::Font {
                name: face.label().to_string(),
                reason: "the PDF library cannot read it".to_string(),
            })
        })
        .collect()
}

/// An image the pages show, read for krilla, with the file it came from.
pub(super) struct PageImage {
    image: PdfImage,
    path: PathBuf,
}

impl PageImage {
    /// `asset`, image `number` of the document, read for krilla (an SVG's text in the
    /// book's `fonts`).
    pub(super) fn read(
        asset: &ImageAsset,
        number: usize,
        fonts: &FontSet<'static>,
    ) -> Result<Self, WriteError> {
        let svg_fonts = if asset.media_type == "image/svg+xml" {
            svg_font_database(fonts)
        } else {
            Arc::default()
        };
        Self::read_with(asset, number, &svg_fonts)
    }

    /// `asset`, image `number`, read for krilla, an SVG's text in the font database
    /// `svg_fonts`.
    fn read_with(
        asset: &ImageAsset,
        number: usize,
        svg_fonts: &Arc<usvg::fontdb::Database>,
    ) -> Result<Self, WriteError> {
        let image =
            super::images::read_pdf_image(&asset.path, &asset.media_type, svg_fonts, number)
                .map_err(|reason| WriteError::Image {
                    path: asset.path.display().to_string(),
                    reason,
                })?;
        Ok(PageImage {
            image,
            path: asset.path.clone(),
        })
    }
}

impl PageImage {
    /// The image krilla draws for this one; `None` for an SVG.
    fn krilla_image(&self) -> Option<&krilla::image::Image> {
        match &self.image {
            PdfImage::Raster(image)
            | PdfImage::CopiedPng {
                stand_in: image, ..
            } => Some(image),
            PdfImage::Svg(_) => None,
        }
    }
}

/// The PNGs among `images` that are copied into the file, by image number.
fn copied_pngs(images: &BTreeMap<usize, PageImage>) -> BTreeMap<usize, &PngStream> {
    images
        .iter()
        .filter_map(|(&number, image)| match &image.image {
            PdfImage::CopiedPng { stream, .. } => Some((number, &**stream)),
            PdfImage::Raster(_) | PdfImage::Svg(_) => None,
        })
        .collect()
}

/// `pdf` as krilla wrote it with `images` drawn, each copied PNG's stand-in replaced by the
/// PNG's data ([`super::png_passthrough`]).
pub(super) fn copy_pngs(
    pdf: Vec<u8>,
    images: &BTreeMap<usize, PageImage>,
) -> Result<Vec<u8>, WriteError> {
    super::png_passthrough::substitute(pdf, &copied_pngs(images)).map_err(WriteError::Internal)
}

/// Every image the pages show, by image index. The SVGs' font database (the book's faces)
/// is made once, when the first SVG is met.
fn read_images(input: &WriteInput<'_>) -> Result<BTreeMap<usize, PageImage>, WriteError> {
    let mut images = BTreeMap::new();
    let mut svg_fonts = None;
    for item in input.pages.as_slice().iter().flat_map(|p| &p.items) {
        let Item::Image(image) = item else { continue };
        if images.contains_key(&image.image) {
            continue;
        }
        let Some(asset) = input.images.get(image.image) else {
            continue;
        };
        let fonts = if asset.media_type == "image/svg+xml" {
            let fonts = svg_fonts.get_or_insert_with(|| svg_font_database(input.fonts));
            Arc::clone(fonts)
        } else {
            Arc::default()
        };
        images.insert(
            image.image,
            PageImage::read_with(asset, image.image, &fonts)?,
        );
    }
    Ok(images)
}

/// krilla's error as a [`WriteError`], naming the font or image it is about.
fn describe_error(
    error: KrillaError,
    set: &FontSet<'static>,
    fonts: &[Font],
    images: &BTreeMap<usize, PageImage>,
) -> WriteError {
    match error {
        KrillaError::Font(font, reason) => {
            let face = fonts.iter().position(|f| *f == font);
            let name = face
                .and_then(|i| set.faces().nth(i))
                .map_or_else(|| "(unknown)".to_string(), |(_, f)| f.label().to_string());
            WriteError::Font { name, reason }
        }
        KrillaError::Image(image, _, reason) => {
            let path = images
                .values()
                .find(|i| i.krilla_image() == Some(&image))
                .map_or_else(|| "(unknown)".to_string(), |i| i.path.display().to_string());
            WriteError::Image { path, reason }
        }
        KrillaError::Validation(errors) => match errors.first() {
            // The first broken rule; the rest are usually the same rule elsewhere.
            Some((error, _)) => super::standards::violation(error),
            None => WriteError::Krilla("validation failed".to_string()),
        },
        other => WriteError::Krilla(other.to_string()),
    }
}

/// Every page: its content through a krilla surface, each run of items of one structure
/// element as a marked content sequence (the rest as artifacts), then its link annotations,
/// each under a `Link` element of the element it is in. Returns the tag tree's builder.
fn write_pages<'i>(
    doc: &mut Document,
    input: &mut WriteInput<'i>,
    labels: &[PageLabel],
    page_size: Size,
    fonts: &[Font],
    images: &BTreeMap<usize, PageImage>,
) -> TagTreeBuilder<'i> {
    let sheet = input.parts.sheet(page_size);
    let whole_sheet = Rect::from_xywh(0.0, 0.0, sheet.width(), sheet.height());
    let mut batch = TextBatch::new(input.fonts, fonts);
    let mut tags = TagTreeBuilder::new(&input.parts.structure);
    for index in 0..input.pages.len() {
        let released;
        let page = match &mut input.pages {
            Pages::Kept(pages) => &pages[index],
            Pages::Released(pages) => {
                released = std::mem::take(&mut pages[index]);
                &released
            }
        };
        let input = &*input;
        let label = labels.get(index).cloned().unwrap_or_default();
        // Printers ask for the TrimBox: the page as it is cut, inside its bleed.
        let (left, top) = input.parts.trim_origin(index);
        let trim = Rect::from_xywh(
            left.to_f32(),
            top.to_f32(),
            page_size.width(),
            page_size.height(),
        );
        let mut settings = PageSettings::new(sheet)
            .with_page_label(label)
            .with_trim_box(trim);
        if input.parts.bleed > Pt::ZERO {
            settings = settings.with_bleed_box(whole_sheet);
        }
        let mut out = doc.start_page_with(settings);
        tags.start_page(index);
        let mut surface = out.surface();
        if let Some(location) = super::standards::page_location(index) {
            surface.set_location(location);
        }
        surface.push_transform(&Transform::from_translate(left.to_f32(), top.to_f32()));
        for (range, node) in runs(page, &tags) {
            let items = &page.items[range];
            draw_run(&mut surface, &mut batch, &mut tags, items, node, images);
        }
        surface.pop();
        surface.finish();
        for (annotation, item) in annotations(page, index, input) {
            match node_of(page, item, &tags) {
                Some(node) => {
                    let id = out.add_tagged_annotation(annotation);
                    tags.link(node, id);
                }
                None => out.add_annotation(annotation),
            }
        }
        out.finish();
    }
    tags
}

/// The page's items in runs of one element each (`None`: artifacts), from its marks.
fn runs(page: &Page, tags: &TagTreeBuilder<'_>) -> Vec<(std::ops::Range<usize>, Option<NodeId>)> {
    let count = page.items.len();
    let mut out = Vec::with_capacity(page.marks.len() + 1);
    let mut start = 0;
    let mut node = None;
    for mark in &page.marks {
        let first = (mark.first as usize).min(count);
        if first > start {
            out.push((start..first, node));
        }
        start = start.max(first);
        node = mark.node.filter(|&n| tags.knows(n));
    }
    if count > start {
        out.push((start..count, node));
    }
    out
}

/// The element the page's item at `index` belongs to.
fn node_of(page: &Page, index: usize, tags: &TagTreeBuilder<'_>) -> Option<NodeId> {
    let at = page.marks.partition_point(|m| m.first as usize <= index);
    let mark = page.marks.get(at.checked_sub(1)?)?;
    mark.node.filter(|&n| tags.knows(n))
}

/// What is drawn of a run: its text and images, in marked content sequences of its
/// element (or one artifact), then its rules, always artifacts.
fn draw_run(
    surface: &mut Surface<'_>,
    batch: &mut TextBatch<'_>,
    tags: &mut TagTreeBuilder<'_>,
    items: &[Item],
    node: Option<NodeId>,
    images: &BTreeMap<usize, PageImage>,
) {
    let drawn = |item: &Item| matches!(item, Item::Glyphs(_) | Item::Image(_));
    if node.is_some() {
        // A word hyphenated at a line's end is one sequence of its own, whose text is the
        // whole word (copying gives "typesetting", not "typeset- ting").
        for (range, word) in hyphenation_spans(items) {
            let part = &items[range];
            if part.iter().any(drawn) {
                let tag = match &word {
                    Some(word) => ContentTag::Span(SpanTag::empty().with_actual_text(Some(word))),
                    None => ContentTag::Other,
                };
                draw_marked(surface, batch, tags, part, node, images, tag);
            }
        }
    } else if items.iter().any(drawn) {
        let tag = ContentTag::Artifact(Artifact::with_kind(ArtifactType::PaginationOther));
        draw_marked(surface, batch, tags, items, node, images, tag);
    }
    if items.iter().any(|i| matches!(i, Item::Rule(_))) {
        surface.start_tagged(ContentTag::Artifact(Artifact::with_kind(
            ArtifactType::Layout,
        )));
        for item in items {
            if let Item::Rule(rule) = item {
                draw_rule(surface, rule);
            }
        }
        surface.end_tagged();
    }
}

/// The run's items cut where a hyphenated word's two halves (the half before the line's
/// end, the added hyphen, the half that starts the next line) become a piece of their own,
/// with the word they spell; the other pieces with `None`.
fn hyphenation_spans(items: &[Item]) -> Vec<(std::ops::Range<usize>, Option<String>)> {
    let glyphs = |i: usize| match items.get(i) {
        Some(Item::Glyphs(run)) => Some(run),
        _ => None,
    };
    let mut out = Vec::new();
    let mut start = 0;
    for (index, item) in items.iter().enumerate() {
        let Item::Glyphs(hyphen) = item else { continue };
        if index <= start || &*hyphen.run.text != ADDED_HYPHEN {
            continue;
        }
        // The glyph run before it (a link's area may come between).
        let Some((before_index, before)) = (start..index)
            .rev()
            .find_map(|i| glyphs(i).map(|run| (i, run)))
            .filter(|(_, b)| b.y == hyphen.y && b.run.text.ends_with(char::is_alphabetic))
        else {
            continue;
        };
        // The next glyph run in reading order, on the next line.
        let Some((after_index, after)) = (index + 1..items.len())
            .find_map(|i| glyphs(i).map(|run| (i, run)))
            .filter(|(_, a)| a.y > hyphen.y && a.run.text.starts_with(char::is_alphabetic))
        else {
            continue;
        };
        if before_index > start {
            out.push((start..before_index, None));
        }
        if before.run.text.len() + after.run.text.len() > MAX_HYPHENATED_WORD_BYTES {
            continue;
        }
        let word = format!("{}{}", before.run.text, after.run.text);
        out.push((before_index..after_index + 1, Some(word)));
        start = after_index + 1;
    }
    if start < items.len() || out.is_empty() {
        out.push((start..items.len(), None));
    }
    out
}

/// Draws the text and images of `items` as one marked content sequence with `tag`, put
/// under `node` in the tag tree.
fn draw_marked(
    surface: &mut Surface<'_>,
    batch: &mut TextBatch<'_>,
    tags: &mut TagTreeBuilder<'_>,
    items: &[Item],
    node: Option<NodeId>,
    images: &BTreeMap<usize, PageImage>,
    tag: ContentTag<'_>,
) {
    let id = surface.start_tagged(tag);
    for item in items {
        if let Item::Glyphs(run) = item {
            batch.add_run(run, surface);
            if let Some(node) = node {
                tags.text(node, &run.run.text);
            }
        }
    }
    batch.draw(surface);
    for item in items {
        if let Item::Image(image) = item {
            draw_image(surface, image, images);
        }
    }
    surface.end_tagged();
    if let Some(node) = node {
        tags.content(node, id);
    }
}

/// A horizontal rule: a stroked line through the rule's centre.
fn draw_rule(surface: &mut Surface<'_>, rule: &RuleItem) {
    let mut path = PathBuilder::new();
    path.move_to(rule.x.to_f32(), rule.y.to_f32());
    path.line_to((rule.x + rule.width).to_f32(), rule.y.to_f32());
    let Some(path) = path.finish() else { return };
    surface.set_fill(None);
    surface.set_stroke(Some(Stroke {
        width: rule.thickness.to_f32(),
        ..Stroke::default()
    }));
    surface.draw_path(&path);
    surface.set_stroke(None);
    surface.set_fill(Some(Fill::default()));
}

/// An image scaled into its box: pixels, or an SVG's paths and text.
pub(super) fn draw_image(
    surface: &mut Surface<'_>,
    item: &ImageItem,
    images: &BTreeMap<usize, PageImage>,
) {
    let (Some(image), Some(size)) = (
        images.get(&item.image),
        Size::from_wh(item.width.to_f32(), item.height.to_f32()),
    ) else {
        return;
    };
    surface.push_transform(&Transform::from_translate(item.x.to_f32(), item.y.to_f32()));
    match &image.image {
        PdfImage::Raster(raster)
        | PdfImage::CopiedPng {
            stand_in: raster, ..
        } => {
            surface.draw_image(raster.clone(), size);
        }
        PdfImage::Svg(tree) => {
            // Text stays text (selectable, searchable), in the book's faces.
            let settings = SvgSettings {
                embed_text: true,
                ..SvgSettings::default()
            };
            surface.draw_svg(tree, size, settings);
        }
    }
    surface.pop();
}

/// The page's link annotations, borderless; a link to an unknown anchor is dropped.
fn annotations(page: &Page, page_index: usize, input: &WriteInput<'_>) -> Vec<(Annotation, usize)> {
    /// An annotation, or the lines of a long address gathered into one, with the index of
    /// its (first) link item.
    enum Pending<'p> {
        One(Annotation, usize),
        Lines(&'p str, Vec<Quadrilateral>, usize),
    }
    let mut pending = Vec::new();
    // Every line of one link holds the same shared address, so its pointer identifies it.
    let mut long: HashMap<*const u8, usize> = HashMap::new();
    for (index, item) in page.items.iter().enumerate() {
        let Item::Link(link) = item else { continue };
        let Some(rect) = link_rect(link, input.parts.trim_origin(page_index)) else {
            continue;
        };
        match &link.target {
            LinkDest::Uri(uri) if uri.len() > LONG_URI_BYTES => {
                let at = *long.entry(uri.as_ptr()).or_insert_with(|| {
                    pending.push(Pending::Lines(uri, Vec::new(), index));
                    pending.len() - 1
                });
                if let Some(Pending::Lines(_, lines, _)) = pending.get_mut(at) {
                    lines.push(Quadrilateral::from(rect));
                }
            }
            target => {
                if let Some(goal) = link_target(target, input) {
                    let link = LinkAnnotation::new(rect, goal);
                    let annotation = Annotation::new_link(link, Some(link_alt(target)));
                    pending.push(Pending::One(annotation, index));
                }
            }
        }
    }
    pending
        .into_iter()
        .map(|p| match p {
            Pending::One(annotation, index) => (annotation, index),
            Pending::Lines(uri, lines, index) => {
                let link = LinkAnnotation::new_with_quad_points(lines, uri_target(uri));
                (Annotation::new_link(link, Some(long_link_alt(uri))), index)
            }
        })
        .collect()
}

/// A link's description (its `/Contents`, which PDF/UA asks of every annotation): the
/// address, or the place in the book it goes to.
fn link_alt(target: &LinkDest) -> String {
    match target {
        LinkDest::Uri(uri) => long_link_alt(uri),
        LinkDest::Anchor(id) => format!("link to {}", long_link_alt(id)),
    }
}

/// The description of a link to an address or id: the address, or its start when it is
/// long (so that a long address is not written twice, nor a heading's long id into every
/// link to it).
fn long_link_alt(target: &str) -> String {
    if target.len() <= LONG_LINK_ALT_BYTES {
        return target.to_string();
    }
    let end = (0..=LONG_LINK_ALT_BYTES)
        .rev()
        .find(|&i| target.is_char_boundary(i))
        .unwrap_or(0);
    format!("{}…", &target[..end])
}

/// A link that opens `uri`.
fn uri_target(uri: &str) -> Target {
    Target::Action(Action::Link(LinkAction::new(uri.to_string())))
}

/// A link's rectangle (krilla's coordinates, y down), if it has an area.
fn link_rect(link: &LinkItem, (left, top): (Pt, Pt)) -> Option<Rect> {
    let values = [link.x, link.y, link.width, link.height];
    if !values.iter().all(|v| v.is_finite()) {
        return None;
    }
    Rect::from_xywh(
        (link.x + left).to_f32(),
        (link.y + top).to_f32(),
        link.width.to_f32(),
        link.height.to_f32(),
    )
}

/// Where a link goes: an `/XYZ` destination a little above its anchor, or a URI action;
/// `None` for an unknown anchor.
fn link_target(target: &LinkDest, input: &WriteInput<'_>) -> Option<Target> {
    match target {
        LinkDest::Uri(uri) => Some(uri_target(uri)),
        LinkDest::Anchor(id) => {
            let &(page, top) = input.anchors.get(&**id)?;
            if page >= input.pages.len() || !top.is_finite() {
                return None;
            }
            let (_, bleed) = input.parts.trim_origin(page);
            let point = Point::from_xy(0.0, (top + bleed - LINK_VIEW_MARGIN).to_f32());
            Some(Target::Destination(Destination::Xyz(XyzDestination::new(
                page, point,
            ))))
        }
    }
}

#[cfg(test)]
#[path = "writer_tests.rs"]
mod tests;

#[cfg(test)]
#[path = "writer_media_tests.rs"]
mod media_tests;
