//! SPIKE (issue 13): a second PDF writer that renders the same [`Composition`] through
//! `krilla` (the PDF layer under Typst's exporter), to measure it against our own writer
//! (`render` + `postpass`). Selected with `OCTAVO_PDF_WRITER=krilla`; never the default.
//!
//! The typesetter is unchanged: glyph runs are handed to krilla as font data plus glyph
//! ids, advances and offsets, each glyph with the byte range of the cluster it belongs to in
//! the run's text, so krilla builds `/ToUnicode` and falls back to `/ActualText` itself.
//! Rules are stroked paths, images go through krilla's JPEG/PNG readers, links become link
//! annotations (`/XYZ` destinations or URI actions), and the outline, page labels and
//! metadata use krilla's document-level API.

use std::collections::BTreeMap;
use std::num::NonZeroU32;
use std::ops::Range;

use krilla::annotation::{Annotation, LinkAnnotation, Target};
use krilla::action::{Action, LinkAction};
use krilla::configure::{Accessibility, Archival, Configuration, ConfigurationBuilder, Validator};
use krilla::destination::{Destination, XyzDestination};
use krilla::geom::{PathBuilder, Point, Rect, Size, Transform};
use krilla::image::Image;
use krilla::metadata::{DateTime, Metadata};
use krilla::outline::{Outline, OutlineNode};
use krilla::page::{NumberingStyle, PageLabel, PageSettings};
use krilla::paint::Stroke;
use krilla::surface::Surface;
use krilla::text::{Font, GlyphId, KrillaGlyph};
use krilla::{Data, Document, SerializeSettings};

use super::font::FontSet;
use super::layout_ir::{GlyphRun, Item, LinkDest, Page};
use super::finish::Finishing as PostPass;
use super::labels::{LabelStyle, PageLabelRange};
use super::outline::OutlineEntry;
use crate::doc::ImageAsset;

/// Why the krilla writer failed.
#[derive(Debug, thiserror::Error)]
pub enum KrillaWriterError {
    /// A face krilla could not read.
    #[error("font {0}: krilla cannot read it")]
    Font(String),
    /// An image krilla could not read.
    #[error("image {path}: {reason}")]
    Image {
        /// The file.
        path: String,
        /// What went wrong.
        reason: String,
    },
    /// krilla refused to write the document.
    #[error("krilla: {0}")]
    Finish(String),
}

/// What the krilla writer renders.
pub struct KrillaInput<'a> {
    /// The composed pages.
    pub pages: &'a [Page],
    /// Anchor id → (page index, y from the top).
    pub anchors: &'a BTreeMap<String, (usize, f64)>,
    /// The book's images, indexed by `ImageItem::image`.
    pub images: &'a [ImageAsset],
    /// The faces the runs were shaped with.
    pub fonts: &'a FontSet<'static>,
    /// Page width and height in points.
    pub size: (f64, f64),
    /// Leave content streams uncompressed.
    pub readable: bool,
    /// Outline, labels and metadata, as the post-pass of the own writer gets them.
    pub pass: &'a PostPass,
}

/// Renders the pages through krilla and returns the PDF's bytes.
pub fn write(input: &KrillaInput<'_>) -> Result<Vec<u8>, KrillaWriterError> {
    let settings = SerializeSettings {
        compress_content_streams: !input.readable,
        xmp_metadata: true,
        configuration: configuration(),
        ..SerializeSettings::default()
    };
    let mut doc = Document::new_with(settings);
    let fonts = krilla_fonts(input.fonts)?;
    let images = crate::timing::time("krilla images", || krilla_images(input))?;
    crate::timing::time("krilla pages", || {
        write_pages(&mut doc, input, &fonts, &images)
    });
    doc.set_outline(outline(&input.pass.outline, input.size.1));
    doc.set_metadata(metadata(input.pass));
    crate::timing::time("krilla finish", || doc.finish()).map_err(|e| match e {
        krilla::error::KrillaError::Validation(errors) => {
            KrillaWriterError::Finish(validation_summary(&errors))
        }
        other => KrillaWriterError::Finish(format!("{other:?}")),
    })
}

/// The validator `OCTAVO_KRILLA_VALIDATE` names (`a2b`, `a2u`, `a3b`, `a4`, `ua1`), if any.
fn configuration() -> Configuration {
    let validator = match std::env::var("OCTAVO_KRILLA_VALIDATE").as_deref() {
        Ok("a1b") => Validator::A(Archival::A1_B),
        Ok("a2b") => Validator::A(Archival::A2_B),
        Ok("a2u") => Validator::A(Archival::A2_U),
        Ok("a3b") => Validator::A(Archival::A3_B),
        Ok("a4") => Validator::A(Archival::A4),
        Ok("ua1") => Validator::Ua(Accessibility::UA1),
        _ => return Configuration::default(),
    };
    ConfigurationBuilder::new()
        .set_validator(validator)
        .finish()
        .unwrap_or_default()
}

/// krilla's validation errors, counted by kind (the first of each kind shown in full).
fn validation_summary(errors: &[(krilla::configure::ValidationError, krilla::configure::Validators)]) -> String {
    let mut kinds: BTreeMap<String, (usize, String)> = BTreeMap::new();
    for (error, _) in errors {
        let full = format!("{error:?}");
        let kind = full.split(['(', ' ', '{']).next().unwrap_or("").to_string();
        kinds.entry(kind).or_insert((0, full)).0 += 1;
    }
    let mut out = format!("{} validation errors:", errors.len());
    for (kind, (count, first)) in kinds {
        let first: String = first.chars().take(160).collect();
        out.push_str(&format!("\n  {count:>7} {kind}  e.g. {first}"));
    }
    out
}

/// One krilla font per face of the set, by face index.
fn krilla_fonts(fonts: &FontSet<'static>) -> Result<Vec<Font>, KrillaWriterError> {
    fonts
        .faces()
        .map(|(_, face)| {
            Font::new(Data::from(face.data()), face.index())
                .ok_or_else(|| KrillaWriterError::Font(face.label().to_string()))
        })
        .collect()
}

/// Every image the pages show, read by krilla, by image index.
fn krilla_images(input: &KrillaInput<'_>) -> Result<BTreeMap<usize, Image>, KrillaWriterError> {
    let mut images = BTreeMap::new();
    for item in input.pages.iter().flat_map(|p| &p.items) {
        let Item::Image(image) = item else { continue };
        if images.contains_key(&image.image) {
            continue;
        }
        let Some(asset) = input.images.get(image.image) else {
            continue;
        };
        let error = |reason: String| KrillaWriterError::Image {
            path: asset.path.display().to_string(),
            reason,
        };
        let bytes = crate::manuscript::read_regular(&asset.path, crate::manuscript::NO_SIZE_LIMIT)
            .map_err(|p| error(p.describe(&asset.path.display().to_string())))?;
        let data = Data::from(bytes);
        let decoded = if asset.media_type == "image/jpeg" {
            Image::from_jpeg(data, false)
        } else {
            Image::from_png(data, false)
        };
        images.insert(image.image, decoded.map_err(error)?);
    }
    Ok(images)
}

/// Every page: its content through a krilla surface, then its link annotations.
fn write_pages(
    doc: &mut Document,
    input: &KrillaInput<'_>,
    fonts: &[Font],
    images: &BTreeMap<usize, Image>,
) {
    let (width, height) = (input.size.0 as f32, input.size.1 as f32);
    for (index, page) in input.pages.iter().enumerate() {
        let mut settings = PageSettings::from_wh(width, height)
            .unwrap_or_else(|| PageSettings::from_wh(1.0, 1.0).expect("a 1 pt page"))
            .with_page_label(page_label(&input.pass.labels, index));
        settings = settings.with_trim_box(Rect::from_xywh(0.0, 0.0, width, height));
        let mut out = doc.start_page_with(settings);
        let mut surface = out.surface();
        draw_items(&mut surface, page, fonts, images);
        surface.finish();
        for annotation in annotations(page, input) {
            out.add_annotation(annotation);
        }
        out.finish();
    }
}

/// Glyph runs (first, merged into lines unless `OCTAVO_KRILLA_MERGE=0`), then rules and
/// images, like the own writer.
fn draw_items(
    surface: &mut Surface<'_>,
    page: &Page,
    fonts: &[Font],
    images: &BTreeMap<usize, Image>,
) {
    let merge = std::env::var("OCTAVO_KRILLA_MERGE").as_deref() != Ok("0");
    let mut line = LineBuffer::default();
    for item in &page.items {
        if let Item::Glyphs(run) = item {
            for_each_segment(run, |segment| {
                if !merge || !line.extends(&segment) {
                    line.flush(surface, fonts);
                }
                line.push(segment);
            });
        }
    }
    line.flush(surface, fonts);
    for item in &page.items {
        match item {
            Item::Rule(rule) => {
                let mut path = PathBuilder::new();
                path.move_to(rule.x as f32, rule.y as f32);
                path.line_to((rule.x + rule.width) as f32, rule.y as f32);
                let Some(path) = path.finish() else { continue };
                surface.set_fill(None);
                surface.set_stroke(Some(Stroke {
                    width: rule.thickness as f32,
                    ..Stroke::default()
                }));
                surface.draw_path(&path);
                surface.set_stroke(None);
                surface.set_fill(Some(krilla::paint::Fill::default()));
            }
            Item::Image(image) => {
                let (Some(picture), Some(size)) = (
                    images.get(&image.image),
                    Size::from_wh(image.width as f32, image.height as f32),
                ) else {
                    continue;
                };
                surface.push_transform(&Transform::from_translate(image.x as f32, image.y as f32));
                surface.draw_image(picture.clone(), size);
                surface.pop();
            }
            Item::Glyphs(_) | Item::Link(_) | Item::Anchor(_) => {}
        }
    }
}

/// A stretch of one run's glyphs in one face, ready for krilla.
struct Segment<'a> {
    face: usize,
    size: f32,
    x: f32,
    y: f32,
    /// Glyphs with text ranges into `text`.
    glyphs: Vec<KrillaGlyph>,
    text: &'a str,
    /// Total advance in points.
    width: f32,
}

/// Calls `f` with each stretch of `run` in one face (a run may mix faces through fallback).
fn for_each_segment<'a>(run: &'a GlyphRun, mut f: impl FnMut(Segment<'a>)) {
    let shaped = &run.run;
    let size = shaped.size_pt;
    if size <= 0.0 {
        return;
    }
    let ranges = glyph_text_ranges(shaped);
    let mut x = run.x as f32;
    let mut start = 0;
    while start < shaped.glyphs.len() {
        let face = shaped.glyphs[start].face;
        let end = shaped.glyphs[start..]
            .iter()
            .position(|g| g.face != face)
            .map_or(shaped.glyphs.len(), |n| start + n);
        let glyphs: Vec<KrillaGlyph> = shaped.glyphs[start..end]
            .iter()
            .zip(&ranges[start..end])
            .map(|(g, range)| {
                KrillaGlyph::new(
                    GlyphId::new(u32::from(g.glyph_id)),
                    g.x_advance / size,
                    g.x_offset / size,
                    g.y_offset / size,
                    0.0,
                    range.clone(),
                    None,
                )
            })
            .collect();
        let width = shaped.glyphs[start..end].iter().map(|g| g.x_advance).sum();
        f(Segment {
            face: face.index(),
            size,
            x,
            y: run.y as f32,
            glyphs,
            text: &shaped.text,
            width,
        });
        x += width;
        start = end;
    }
}

/// Segments on one baseline in one face and size, joined into one `draw_glyphs` call: the gap
/// between two words goes into the advance of the last glyph before it (krilla writes it as
/// a `TJ` adjustment) and the texts are joined with a space, as a line of a typst frame is.
#[derive(Default)]
struct LineBuffer {
    face: usize,
    size: f32,
    x: f32,
    y: f32,
    /// Where the pen is after the last glyph.
    pen: f32,
    glyphs: Vec<KrillaGlyph>,
    text: String,
}

impl LineBuffer {
    /// Whether `segment` continues the buffered line.
    fn extends(&self, segment: &Segment<'_>) -> bool {
        !self.glyphs.is_empty()
            && self.face == segment.face
            && self.size == segment.size
            && self.y == segment.y
            && segment.x >= self.pen - 0.01
    }

    fn push(&mut self, segment: Segment<'_>) {
        if self.glyphs.is_empty() {
            self.face = segment.face;
            self.size = segment.size;
            self.x = segment.x;
            self.y = segment.y;
            self.pen = segment.x;
        } else {
            let gap = segment.x - self.pen;
            if let Some(last) = self.glyphs.last_mut() {
                last.x_advance += gap / self.size;
            }
            if gap > 0.01 {
                self.text.push(' ');
            }
        }
        let offset = self.text.len();
        self.text.push_str(segment.text);
        self.glyphs.extend(segment.glyphs.into_iter().map(|mut g| {
            g.text_range = g.text_range.start + offset..g.text_range.end + offset;
            g
        }));
        self.pen = segment.x + segment.width;
    }

    /// Draws the buffered line, if any, and empties the buffer.
    fn flush(&mut self, surface: &mut Surface<'_>, fonts: &[Font]) {
        if let (false, Some(font)) = (self.glyphs.is_empty(), fonts.get(self.face)) {
            surface.draw_glyphs(
                Point::from_xy(self.x, self.y),
                &self.glyphs,
                font.clone(),
                &self.text,
                self.size,
                false,
            );
        }
        self.glyphs.clear();
        self.text.clear();
    }
}

/// The byte range of its cluster's text, for each glyph of `run`.
fn glyph_text_ranges(run: &super::shape::ShapedRun) -> Vec<Range<usize>> {
    let mut ranges = vec![0..0; run.glyphs.len()];
    for cluster in &run.clusters {
        for slot in ranges.get_mut(cluster.glyphs.clone()).into_iter().flatten() {
            *slot = cluster.text.clone();
        }
    }
    ranges
}

/// The page's link annotations (borderless; an unknown anchor is dropped).
fn annotations(page: &Page, input: &KrillaInput<'_>) -> Vec<Annotation> {
    let mut out = Vec::new();
    for item in &page.items {
        let Item::Link(link) = item else { continue };
        let target = match &link.target {
            LinkDest::Uri(uri) => Target::Action(Action::Link(LinkAction::new(uri.to_string()))),
            LinkDest::Anchor(id) => {
                let Some(&(page, top)) = input.anchors.get(&**id) else {
                    continue;
                };
                let point = Point::from_xy(0.0, (top - 2.0).max(0.0) as f32);
                Target::Destination(Destination::Xyz(XyzDestination::new(page, point)))
            }
        };
        let Some(rect) = Rect::from_xywh(
            link.x as f32,
            link.y as f32,
            link.width as f32,
            link.height as f32,
        ) else {
            continue;
        };
        out.push(LinkAnnotation::new(rect, target).into());
    }
    out
}

/// The label of page `index` from the label ranges (krilla takes one per page).
fn page_label(ranges: &[PageLabelRange], index: usize) -> PageLabel {
    let Some(range) = ranges.iter().rev().find(|r| r.first_page <= index) else {
        return PageLabel::default();
    };
    let style = match range.style {
        LabelStyle::Decimal => Some(NumberingStyle::Arabic),
        LabelStyle::LowerRoman => Some(NumberingStyle::LowerRoman),
        LabelStyle::UpperRoman => Some(NumberingStyle::UpperRoman),
        LabelStyle::None => None,
    };
    let prefix = (!range.prefix.is_empty()).then(|| range.prefix.clone());
    let number = range.start as usize + (index - range.first_page);
    let offset = style
        .and_then(|_| u32::try_from(number).ok())
        .and_then(NonZeroU32::new);
    PageLabel::new(style, prefix, offset)
}

/// The outline: entries with children start closed, like the own writer's.
fn outline(entries: &[OutlineEntry], page_height: f64) -> Outline {
    let mut outline = Outline::new();
    for entry in entries {
        outline.push_child(outline_node(entry, page_height));
    }
    outline
}

fn outline_node(entry: &OutlineEntry, page_height: f64) -> OutlineNode {
    let top = (page_height - entry.y) as f32;
    let dest = XyzDestination::new(entry.page, Point::from_xy(0.0, top));
    let mut node = OutlineNode::new(entry.title.clone(), dest).with_open(false);
    for child in &entry.children {
        node.push_child(outline_node(child, page_height));
    }
    node
}

/// `/Info` and XMP from the same document information the post-pass writes.
fn metadata(pass: &PostPass) -> Metadata {
    let info = &pass.info;
    let mut meta = Metadata::new()
        .title(info.title.clone())
        .language(info.language.clone())
        .creator(info.creator.clone())
        .producer("octavo (krilla)".to_string());
    if !info.author.is_empty() {
        meta = meta.authors(vec![info.author.clone()]);
    }
    if !info.subject.is_empty() {
        meta = meta.description(info.subject.clone());
    }
    if !info.keywords.is_empty() {
        meta = meta.keywords(info.keywords.clone());
    }
    if let Some(date) = parse_date(&info.date) {
        meta = meta.creation_date(date);
    }
    meta
}

/// `YYYY-MM-DDThh:mm:ssZ` as a krilla date (UTC).
fn parse_date(text: &str) -> Option<DateTime> {
    let number = |range: Range<usize>| text.get(range)?.parse::<u16>().ok();
    let small = |range: Range<usize>| number(range).and_then(|n| u8::try_from(n).ok());
    Some(
        DateTime::new(number(0..4)?)
            .month(small(5..7)?)
            .day(small(8..10)?)
            .hour(small(11..13)?)
            .minute(small(14..16)?)
            .second(small(17..19)?)
            .utc_offset_hour(0)
            .utc_offset_minute(0),
    )
}
