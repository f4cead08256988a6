//! Rendering: the layout IR straight into a `lopdf::Document`, one flat `match` per item
//! (STYLE.md, after typst-pdf). Glyph runs go through `text_pdf` (subset fonts, ToUnicode,
//! ActualText), images through `image_pdf`, links become annotations pointing at anchor
//! positions. The post-pass then finishes the same in-memory document.
//!
//! Each page's content stream is written as bytes by `content` and compressed as soon as the
//! page is done, so memory follows the size of the output. We used to hand printpdf 0.12 a
//! vector of operations per page and let it serialise, then parse its output back for the
//! post-pass: on a 4,040-page book its serialiser took 2.56 s of a 6.8 s build and its
//! operation vectors most of a 900 MB peak (measured with `OCTAVO_TIMINGS`).

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::sync::Arc;

use lopdf::{Dictionary, Document, Object, ObjectId, Stream, StringFormat};

use super::content::{deflate, Content};
use super::image_pdf::image_xobject;
use super::text_pdf::{embed_fonts, EmbeddedFonts, GlyphUsage, TextState};
use crate::doc::ImageAsset;
use crate::fonts::FontSet;
use crate::typeset::layout::{Ink, Item, LinkDest, Page};
use crate::units::Pt;

/// Why the PDF could not be written.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    /// Fonts could not be embedded or a run placed.
    #[error("{0}")]
    Text(#[from] super::text_pdf::TextPdfError),
    /// An image could not be read or decoded.
    #[error("image {path}: {reason}")]
    Image {
        /// The file.
        path: String,
        /// What went wrong.
        reason: String,
    },
}

/// What to render.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RenderInput<'a> {
    /// The composed pages.
    pub pages: &'a [Page],
    /// Anchor id → (page index, y from the top), for internal links.
    pub anchors: &'a BTreeMap<String, (usize, Pt)>,
    /// The book's images, indexed by `Item::Image::image`.
    pub images: &'a [ImageAsset],
    /// The faces the runs were shaped with.
    pub fonts: &'a FontSet<'a>,
    /// Page width and height.
    pub size: (Pt, Pt),
    /// Leave content streams and CMaps uncompressed (debugging).
    pub readable: bool,
}

/// Document-wide objects every page refers to.
struct Shared {
    fonts: EmbeddedFonts,
    /// Type0 font objects by face index.
    font_ids: Vec<Option<ObjectId>>,
    /// Image XObjects by image index.
    image_ids: BTreeMap<usize, ObjectId>,
    /// Every page's object id, allocated before any page is written so links can point ahead.
    page_ids: Vec<ObjectId>,
    pages_root: ObjectId,
}

/// Renders `input` into a document with a catalog, a page tree and everything the pages use.
pub(crate) fn render_document(input: &RenderInput<'_>) -> Result<Document, RenderError> {
    let mut doc = Document::with_version("1.5");
    let usage = record_usage(input.pages);
    let mut fonts = crate::timing::time("pdf embed fonts", || embed_fonts(input.fonts, &usage))?;
    let font_ids = fonts.write(&mut doc, input.fonts, !input.readable);
    let image_ids = crate::timing::time("pdf images", || add_images(&mut doc, input))?;
    let pages_root = doc.new_object_id();
    let page_ids = input.pages.iter().map(|_| doc.new_object_id()).collect();
    let shared = Shared {
        fonts,
        font_ids,
        image_ids,
        page_ids,
        pages_root,
    };
    crate::timing::time("pdf pages", || write_pages(&mut doc, input, &shared))?;
    write_catalog(&mut doc, &shared);
    Ok(doc)
}

/// The glyphs of every run on `pages`.
fn record_usage(pages: &[Page]) -> GlyphUsage {
    let mut usage = GlyphUsage::new();
    // Runs are shared through the shaping cache; recording one twice changes nothing (the
    // first text seen for a glyph wins), so each is recorded once.
    let mut recorded = HashSet::new();
    for item in pages.iter().flat_map(|p| &p.items) {
        if let Item::Glyphs(run) = item {
            if recorded.insert(Arc::as_ptr(&run.run)) {
                usage.record(&run.run);
            }
        }
    }
    usage
}

/// The page tree root (one flat list of kids) and the catalog, set as the trailer's `/Root`.
fn write_catalog(doc: &mut Document, shared: &Shared) {
    let kids = shared.page_ids.iter().map(|&id| Object::Reference(id));
    let root = Dictionary::from_iter(vec![
        ("Type", name("Pages")),
        ("Kids", Object::Array(kids.collect())),
        ("Count", Object::Integer(shared.page_ids.len() as i64)),
    ]);
    doc.objects
        .insert(shared.pages_root, Object::Dictionary(root));
    let catalog = doc.add_object(Dictionary::from_iter(vec![
        ("Type", name("Catalog")),
        ("Pages", Object::Reference(shared.pages_root)),
    ]));
    doc.trailer.set("Root", Object::Reference(catalog));
}

fn name(text: &str) -> Object {
    Object::Name(text.as_bytes().to_vec())
}

/// A number rounded to a thousandth, as a PDF real (adding 0 turns `-0` into `0`).
fn real(value: f64) -> Object {
    Object::Real(((value * 1000.0).round() / 1000.0 + 0.0) as f32)
}

/// Writes every page: content stream, annotations, page dictionary.
///
/// Each page's content stream (and its compression, about half the work) depends only on
/// the page, so they are made on all cores first ([`prepare_pages`]); the page objects are
/// then added in page order, so the result does not depend on timing.
fn write_pages(
    doc: &mut Document,
    input: &RenderInput<'_>,
    shared: &Shared,
) -> Result<(), RenderError> {
    let compress = !input.readable;
    let prepared = prepare_pages(input, shared, compress)?;
    let pages = input.pages.iter().zip(&shared.page_ids).zip(prepared);
    let mut actions = UriActions::default();
    for ((page, &page_id), (content, used)) in pages {
        let contents = doc.new_object_id();
        insert_content(doc, contents, content, compress);
        let mut dict = Dictionary::from_iter(vec![
            ("Type", name("Page")),
            ("Parent", Object::Reference(shared.pages_root)),
            ("MediaBox", media_box(input.size)),
            // The trimmed page is the whole page: printers ask for it.
            ("TrimBox", media_box(input.size)),
            ("Resources", Object::Dictionary(resources(&used, shared))),
            ("Contents", Object::Reference(contents)),
        ]);
        let annots = annotations(doc, page, input, shared, &mut actions);
        if !annots.is_empty() {
            dict.set("Annots", Object::Array(annots));
        }
        doc.objects.insert(page_id, Object::Dictionary(dict));
    }
    Ok(())
}

/// Every page's content stream (Flate-compressed when `compress`) and the resources it uses,
/// in page order, made on all cores.
fn prepare_pages(
    input: &RenderInput<'_>,
    shared: &Shared,
    compress: bool,
) -> Result<Vec<(Vec<u8>, UsedResources)>, RenderError> {
    crate::parallel::map(input.pages, |page| {
        let (content, used) = page_content(page, input, shared)?;
        Ok((if compress { deflate(&content) } else { content }, used))
    })
    .into_iter()
    .collect()
}

/// Adds a content stream; `compressed` says the bytes are Flate data.
fn insert_content(doc: &mut Document, id: ObjectId, content: Vec<u8>, compressed: bool) {
    let mut stream = Stream::new(Dictionary::new(), Vec::new());
    if compressed {
        stream.dict.set("Filter", name("FlateDecode"));
    }
    stream.set_content(content);
    doc.objects.insert(id, Object::Stream(stream));
}

fn media_box((width, height): (Pt, Pt)) -> Object {
    Object::Array(vec![
        Object::Integer(0),
        Object::Integer(0),
        real(width.get()),
        real(height.get()),
    ])
}

/// What a page's content refers to.
#[derive(Debug, Default)]
struct UsedResources {
    /// Face indices.
    faces: BTreeSet<usize>,
    /// Image indices.
    images: BTreeSet<usize>,
}

/// The page's `/Resources`: the fonts and images its content names.
fn resources(used: &UsedResources, shared: &Shared) -> Dictionary {
    let mut fonts = Dictionary::new();
    for &face in &used.faces {
        let resource = shared.fonts.resource_at(face);
        if let (Some(resource), Some(Some(id))) = (resource, shared.font_ids.get(face)) {
            fonts.set(resource, Object::Reference(*id));
        }
    }
    let mut images = Dictionary::new();
    for image in &used.images {
        if let Some(&id) = shared.image_ids.get(image) {
            images.set(image_resource(*image), Object::Reference(id));
        }
    }
    let mut dict = Dictionary::new();
    if !fonts.is_empty() {
        dict.set("Font", Object::Dictionary(fonts));
    }
    if !images.is_empty() {
        dict.set("XObject", Object::Dictionary(images));
    }
    dict
}

/// The resource name of image `index` (`Im1`, …): fixed, so the same book gives the same bytes.
fn image_resource(index: usize) -> String {
    format!("Im{}", index + 1)
}

/// Sets the fill colour that glyphs are drawn with (`r g b rg`).
fn set_fill(out: &mut Content, ink: Ink) {
    for fraction in ink.rgb_fractions() {
        out.number(fraction, 3);
    }
    out.op("rg");
}

/// The page's content stream (text first, then rules and images) and what it uses.
fn page_content(
    page: &Page,
    input: &RenderInput<'_>,
    shared: &Shared,
) -> Result<(Vec<u8>, UsedResources), RenderError> {
    let height = input.size.1;
    let mut out = Content::new();
    let mut used = UsedResources::default();
    let mut state = TextState::default();
    let mut ink = Ink::BLACK;
    for item in &page.items {
        if let Item::Glyphs(run) = item {
            if out.bytes().is_empty() {
                out.begin_text();
            }
            if run.run.ink != ink {
                state.finish(&mut out);
                set_fill(&mut out, run.run.ink);
                ink = run.run.ink;
            }
            let origin = (run.x.to_f32(), (height - run.y).to_f32());
            shared
                .fonts
                .place_run(&run.run, origin, &mut state, &mut out)?;
        }
    }
    if !out.bytes().is_empty() {
        state.finish(&mut out);
        if ink != Ink::BLACK {
            set_fill(&mut out, Ink::BLACK);
        }
        out.end_text();
    }
    used.faces = state.used_faces().iter().map(|f| f.index()).collect();
    for item in &page.items {
        match item {
            Item::Rule(rule) => out.rule(
                rule.x.get(),
                (height - rule.y).get(),
                rule.width.get(),
                rule.thickness.get(),
            ),
            Item::Image(image) if shared.image_ids.contains_key(&image.image) => {
                let bottom = height - image.y - image.height;
                out.image(
                    &image_resource(image.image),
                    image.x.get(),
                    bottom.get(),
                    image.width.get(),
                    image.height.get(),
                );
                used.images.insert(image.image);
            }
            _ => {}
        }
    }
    Ok((out.into_bytes(), used))
}

/// The `/URI` action of each web address, written once as an object of its own: a long link
/// set over many lines has one annotation per line, and each repeating a 200 KB address made
/// the file quadratic in the link's length. Keyed by the shared target's address (every
/// rectangle of one link holds the same `Arc`), so equal addresses from different links may
/// still get two actions, which is harmless.
#[derive(Default)]
struct UriActions {
    ids: HashMap<*const u8, ObjectId>,
}

impl UriActions {
    /// The action object for `uri`, added to `doc` the first time.
    fn get(&mut self, doc: &mut Document, uri: &Arc<str>) -> ObjectId {
        *self.ids.entry(uri.as_ptr()).or_insert_with(|| {
            doc.add_object(Dictionary::from_iter(vec![
                ("S", name("URI")),
                (
                    "URI",
                    Object::String(uri.as_bytes().to_vec(), StringFormat::Literal),
                ),
            ]))
        })
    }
}

/// The page's link annotations, added to `doc`; references to them for `/Annots`.
fn annotations(
    doc: &mut Document,
    page: &Page,
    input: &RenderInput<'_>,
    shared: &Shared,
    actions: &mut UriActions,
) -> Vec<Object> {
    let height = input.size.1;
    let mut annots = Vec::new();
    for item in &page.items {
        let Item::Link(link) = item else {
            continue;
        };
        let Some(target) = link_target(doc, &link.target, input, shared, actions) else {
            continue;
        };
        let bottom = height - link.y - link.height;
        let rect =
            [link.x, bottom, link.x + link.width, bottom + link.height].map(|v| real(v.get()));
        let mut dict = Dictionary::from_iter(vec![
            ("Type", name("Annot")),
            ("Subtype", name("Link")),
            ("Rect", Object::Array(rect.to_vec())),
            // No border: readers of books do not want boxes around every citation.
            ("Border", Object::Array(vec![Object::Integer(0); 3])),
        ]);
        dict.set(target.0, target.1);
        annots.push(Object::Reference(doc.add_object(dict)));
    }
    annots
}

/// `/Dest [page /XYZ null top null]` for an anchor (2 pt above it, the view's top edge), or
/// `/A` pointing at the address's `<< /S /URI /URI (…) >>` action; `None` for an unknown
/// anchor.
fn link_target(
    doc: &mut Document,
    target: &LinkDest,
    input: &RenderInput<'_>,
    shared: &Shared,
    actions: &mut UriActions,
) -> Option<(&'static str, Object)> {
    match target {
        LinkDest::Uri(uri) => Some(("A", Object::Reference(actions.get(doc, uri)))),
        LinkDest::Anchor(id) => {
            let (page, top) = input.anchors.get(&**id)?;
            let page_id = *shared.page_ids.get(*page)?;
            let dest = vec![
                Object::Reference(page_id),
                name("XYZ"),
                Object::Null,
                real((input.size.1 - *top).get() + 2.0),
                Object::Null,
            ];
            Some(("Dest", Object::Array(dest)))
        }
    }
}

/// Reads every image the pages show and adds it (with its soft mask) to `doc`.
fn add_images(
    doc: &mut Document,
    input: &RenderInput<'_>,
) -> Result<BTreeMap<usize, ObjectId>, RenderError> {
    let used: BTreeSet<usize> = input
        .pages
        .iter()
        .flat_map(|p| &p.items)
        .filter_map(|item| match item {
            Item::Image(image) => Some(image.image),
            _ => None,
        })
        .collect();
    let mut ids = BTreeMap::new();
    for index in used {
        let Some(asset) = input.images.get(index) else {
            continue;
        };
        let xobject = image_xobject(&asset.path).map_err(|reason| RenderError::Image {
            path: asset.path.display().to_string(),
            reason,
        })?;
        let mut image = xobject.image;
        if let Some(mask) = xobject.smask {
            image
                .dict
                .set("SMask", Object::Reference(doc.add_object(mask)));
        }
        ids.insert(index, doc.add_object(image));
    }
    Ok(ids)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::typeset::layout::{LinkItem, RuleItem};

    #[test]
    fn reals_are_rounded_and_never_negative_zero() {
        let Object::Real(zero) = real(-0.0001) else {
            panic!("not a real");
        };
        assert!(zero.is_sign_positive());
        assert_eq!(real(12.34567), Object::Real(12.346));
    }

    fn link(target: LinkDest) -> Item {
        Item::Link(Box::new(LinkItem {
            x: Pt::new(10.0),
            y: Pt::new(20.0),
            width: Pt::new(30.0),
            height: Pt::new(12.0),
            target,
        }))
    }

    #[test]
    fn a_link_over_many_lines_writes_its_address_once() {
        let fonts = FontSet::builtin().unwrap();
        let uri: Arc<str> = Arc::from(format!("https://example.org/{}", "a".repeat(10_000)));
        let page = Page {
            items: (0..50)
                .map(|_| link(LinkDest::Uri(Arc::clone(&uri))))
                .collect(),
            ..Page::default()
        };
        let pages = [page];
        let input = RenderInput {
            pages: &pages,
            anchors: &BTreeMap::new(),
            images: &[],
            fonts: &fonts,
            size: (Pt::new(400.0), Pt::new(600.0)),
            readable: true,
        };
        let doc = render_document(&input).unwrap();
        let mut bytes = Vec::new();
        let mut doc = doc;
        doc.save_to(&mut bytes).unwrap();
        let needle = uri.as_bytes();
        let count = bytes.windows(needle.len()).filter(|w| *w == needle).count();
        assert_eq!(count, 1, "the address is written {count} times");
    }

    #[test]
    fn links_become_borderless_annotations_pointing_at_anchors() {
        let fonts = FontSet::builtin().unwrap();
        let first = Page {
            items: vec![
                link(LinkDest::Anchor("there".into())),
                link(LinkDest::Uri("https://example.org/(a)".into())),
                link(LinkDest::Anchor("nowhere".into())),
            ],
            ..Page::default()
        };
        let second = Page {
            items: vec![Item::Rule(Box::new(RuleItem {
                x: Pt::new(0.0),
                y: Pt::new(50.0),
                width: Pt::new(100.0),
                thickness: Pt::new(0.5),
            }))],
            ..Page::default()
        };
        let pages = [first, second];
        let anchors = BTreeMap::from([("there".to_string(), (1, Pt::new(100.0)))]);
        let input = RenderInput {
            pages: &pages,
            anchors: &anchors,
            images: &[],
            fonts: &fonts,
            size: (Pt::new(400.0), Pt::new(600.0)),
            readable: true,
        };
        let doc = render_document(&input).unwrap();
        let page_ids: Vec<ObjectId> = doc.page_iter().collect();
        assert_eq!(page_ids.len(), 2);
        let page = doc.get_dictionary(page_ids[0]).unwrap();
        let annots = page.get(b"Annots").unwrap().as_array().unwrap();
        assert_eq!(annots.len(), 2, "the unknown anchor is dropped");
        let annot = |i: usize| {
            let id = annots[i].as_reference().unwrap();
            doc.get_dictionary(id).unwrap().clone()
        };
        let internal = annot(0);
        assert_eq!(
            internal.get(b"Rect").unwrap(),
            &Object::Array([10.0, 568.0, 40.0, 580.0].map(Object::Real).to_vec())
        );
        let dest = internal.get(b"Dest").unwrap().as_array().unwrap();
        assert_eq!(dest[0], Object::Reference(page_ids[1]));
        assert_eq!(dest[3], Object::Real(502.0));
        let border = internal.get(b"Border").unwrap().as_array().unwrap();
        assert!(border.iter().all(|b| b.as_i64().ok() == Some(0)));
        let action = annot(1);
        let action = action.get(b"A").unwrap().as_reference().unwrap();
        let action = doc.get_dictionary(action).unwrap();
        assert_eq!(action.get(b"S").unwrap().as_name().unwrap(), b"URI");
        let second = doc.get_dictionary(page_ids[1]).unwrap();
        let contents = second.get(b"Contents").unwrap().as_reference().unwrap();
        let stream = doc.get_object(contents).unwrap().as_stream().unwrap();
        assert_eq!(stream.content, b"0.5 w\n0 550 m\n100 550 l\nS\n");
        assert!(!second.has(b"Annots"));
    }
}
