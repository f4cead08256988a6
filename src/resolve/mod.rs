//! Resolution: from parsed chapters to the book both backends render.
//!
//! One pass over the document model, after parsing and before any backend: chapter titles,
//! divisions and numbers; book-unique heading ids; footnote numbering; citations and the
//! references page; link targets between chapters; images located, typed and measured. Every
//! problem is reported with its span, and the backends can then trust what they get.

mod arrange;
mod ids;
mod images;
mod index;
mod links;
mod lint;
mod math;
mod notes;
mod numbers;
mod xref;

use std::path::Path;

use crate::cite::{self, CiteOptions, StyleChoice};
use crate::diag::{code, Diagnostic, Diagnostics, FileId, Span};
use crate::doc::walk;
use crate::doc::{Block, Book, Chapter, Division, Heading, Inline, Meta};
use crate::manuscript::{read_configured_text, resolve_configured, Manuscript};
use crate::markdown::{ForeignLabel, ParsedChapter};

/// Settings that come from the command line rather than book.toml.
#[derive(Debug, Clone, Default)]
pub struct ResolveOptions {
    /// Turn remote images into links instead of failing.
    pub allow_remote: bool,
    /// Citation style overriding book.toml (`--csl`).
    pub csl: Option<String>,
    /// Seconds since the epoch for `dcterms:modified` (SOURCE_DATE_EPOCH).
    pub source_date_epoch: Option<i64>,
}

/// Resolve a loaded and parsed manuscript into a book. Problems go into `diags`.
pub(crate) fn resolve_book(
    manuscript: &mut Manuscript,
    parsed: Vec<ParsedChapter>,
    options: &ResolveOptions,
    diags: &mut Diagnostics,
) -> Book {
    let mut parsed = parsed;
    let foreign: Vec<ForeignLabel> = parsed
        .iter_mut()
        .flat_map(|p| std::mem::take(&mut p.foreign_labels))
        .collect();
    // A single-file pandoc book's metadata block is the book's: read already.
    let read_elsewhere: &[&str] = match manuscript.origin {
        crate::manuscript::Origin::PandocSingleFile => &crate::manuscript::PANDOC_METADATA_KEYS,
        _ => &[],
    };
    let directives = manuscript.structure.as_ref().map(|s| &s.skipped_directives);
    arrange::report_foreign_material(&parsed, read_elsewhere, directives, diags);
    if manuscript.origin.is_foreign() {
        arrange::report_chunk_figures(&foreign, diags);
    }
    let (mut chapters, members) = build_chapters(manuscript, parsed);
    crate::timing::time("resolve highlighting", || {
        crate::highlight::highlight_chapters(&mut chapters, &manuscript.sources, diags)
    });
    let no_directives = std::collections::BTreeSet::new();
    let directives_left_out = manuscript
        .structure
        .as_ref()
        .map_or(&no_directives, |s| &s.directives_left_out);
    crate::timing::time("resolve lint", || {
        lint::lint_chapters(&mut chapters, directives_left_out, diags)
    });
    let references = crate::timing::time("resolve citations", || {
        resolve_references(manuscript, &mut chapters, options, diags)
    });
    fill_titles(&mut chapters, diags);
    place_references(manuscript, &mut chapters, references);
    let mut anchors = crate::timing::time("resolve ids", || {
        ids::assign_ids(&mut chapters, &manuscript.sources, diags)
    });
    notes::number_notes(&mut chapters, &mut anchors, diags);
    crate::timing::time("resolve math", || {
        math::check_formulas(manuscript, &mut chapters, diags)
    });
    crate::timing::time("resolve links", || {
        links::resolve_links(&mut chapters, &members, &anchors, manuscript, diags)
    });
    crate::timing::time("resolve cross-references", || {
        number_and_refer(manuscript, &mut chapters, &mut anchors, &foreign, diags)
    });
    // Books written for the web (an mdBook's badges) have remote images: links, as with
    // --allow-remote.
    let allow_remote = options.allow_remote || manuscript.origin.is_foreign();
    let mut assets = images::ImageCollector::new(&manuscript.root, allow_remote);
    assets.unusable_is_warning = manuscript.origin.is_foreign();
    for chapter in &mut chapters {
        assets.collect_chapter(chapter, &manuscript.sources, diags);
    }
    let cover = resolve_cover(manuscript, &mut assets, diags);
    let mut meta = build_meta(manuscript, options, cover);
    let (images, undescribed_images) = assets.finish();
    let index = crate::timing::time("resolve index", || {
        let asked = manuscript.config.back_matter.index;
        let foreign = manuscript.origin.is_foreign();
        index::build_index(&mut chapters, &meta.language, asked, foreign, diags)
    });
    meta.back_index = index.is_some();
    Book {
        meta,
        chapters,
        images,
        undescribed_images,
        index,
    }
}

/// Number figures, tables, listings and sections, then render every cross-reference.
fn number_and_refer(
    manuscript: &Manuscript,
    chapters: &mut [Chapter],
    anchors: &mut ids::Anchors,
    foreign: &[ForeignLabel],
    diags: &mut Diagnostics,
) {
    let config = &manuscript.config;
    let terms = crate::locale::terms(&config.language());
    let settings = numbers::NumberingSettings {
        figures: config.figure_numbers(),
        tables: config.table_numbers(),
        sections: config.numbering.sections,
        chapters: config.chapter_numbering().chapters,
        language: config.language(),
    };
    let targets = numbers::number_book(chapters, settings, terms, anchors, diags);
    math::fill_formula_references(chapters, &targets, diags);
    let context = xref::RefContext {
        targets: &targets,
        foreign: foreign.iter().map(|f| (f.label.as_str(), f)).collect(),
        terms,
        sources: &manuscript.sources,
        suggested: std::cell::Cell::new(0),
        summary: manuscript
            .origin
            .is_foreign()
            .then(|| std::cell::RefCell::new(std::collections::BTreeMap::new())),
    };
    xref::resolve_cross_references(chapters, &context, diags);
}

/// The chapters, numbered, and the files merged into them (a book listed by another tool).
fn build_chapters(
    manuscript: &Manuscript,
    parsed: Vec<ParsedChapter>,
) -> (Vec<Chapter>, Vec<arrange::Member>) {
    let mut slugs = ids::UniqueNames::default();
    let build = |file: FileId, slugs: &mut ids::UniqueNames, chapter: ParsedChapter| {
        let name = &manuscript.sources.get(file).name;
        let slug = slugs.claim(&file_slug(name));
        build_chapter(file, slug, chapter)
    };
    let (mut chapters, members) = match &manuscript.structure {
        Some(structure) => arrange::arrange(structure, parsed, &mut slugs, build),
        None => {
            let chapters = manuscript
                .chapters
                .iter()
                .zip(parsed)
                .map(|(file, chapter)| build(*file, &mut slugs, chapter))
                .collect();
            (chapters, Vec::new())
        }
    };
    number_chapters(&mut chapters);
    (chapters, members)
}

/// Numbers for numbered body chapters, parts (counted apart) and letters for appendices, in
/// reading order.
fn number_chapters(chapters: &mut [Chapter]) {
    let mut next_number = 1;
    let mut next_appendix = 1;
    let mut next_part = 1;
    for built in chapters {
        if built.epub_type.as_deref() == Some("part") {
            built.part = Some(next_part);
            next_part += 1;
        }
        if built.division == Division::Body && built.number == Some(0) {
            built.number = Some(next_number);
            next_number += 1;
        }
        if built.appendix == Some(0) {
            built.appendix = Some(next_appendix);
            next_appendix += 1;
        }
    }
}

/// The output stem for a chapter file: its file stem, made safe for a file name.
fn file_slug(name: &str) -> String {
    let stem = Path::new(name)
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    crate::config::slugify(&stem, "chapter")
}

fn build_chapter(file: FileId, slug: String, parsed: ParsedChapter) -> Chapter {
    let front = parsed.front;
    let division = division_of(front.epub_type.as_deref());
    // The title from the heading is filled in after citations are rendered (see
    // `fill_titles`); a front-matter title is final.
    let title = front
        .title
        .as_ref()
        .filter(|t| !t.trim().is_empty())
        .map(|t| vec![Inline::text(t.clone(), Span::new(file, 0..0))])
        .unwrap_or_default();
    // `# Preface {.unnumbered}` (or `{-}`) on the title heading unnumbers the chapter, as
    // in Quarto.
    let title_unnumbered = parsed.blocks.iter().find_map(|b| match b {
        Block::Heading(h) if h.level == 1 => Some(h.attrs.has_class("unnumbered")),
        _ => None,
    });
    let unnumbered = front.unnumbered || title_unnumbered == Some(true);
    let numbered = division == Division::Body
        && !unnumbered
        && matches!(front.epub_type.as_deref(), None | Some("chapter"));
    let appendix = front.epub_type.as_deref() == Some("appendix") && !unnumbered;
    Chapter {
        file,
        slug,
        division,
        epub_type: front.epub_type,
        number: numbered.then_some(0),
        appendix: appendix.then_some(0),
        part: None,
        title,
        blocks: parsed.blocks,
        notes: parsed.notes,
        generated: false,
        leaves_part: false,
    }
}

/// Chapters without a front-matter title take their first level-1 heading (with its
/// citations rendered by now), or, lacking one, their file name with a warning. A special
/// page (a dedication, an epigraph, …) without a heading stays untitled: it has none.
fn fill_titles(chapters: &mut [Chapter], diags: &mut Diagnostics) {
    for chapter in chapters.iter_mut().filter(|c| c.title.is_empty()) {
        let heading = chapter.blocks.iter().find_map(|b| match b {
            Block::Heading(h) if h.level == 1 => Some(h.content.clone()),
            _ => None,
        });
        let span = Span::new(chapter.file, 0..0);
        match heading.filter(|t| !crate::doc::plain_text(t).trim().is_empty()) {
            Some(content) => chapter.title = content,
            None if chapter.is_special_page() => {}
            None => {
                diags.push(
                    Diagnostic::warning(
                        code::NO_TITLE,
                        "this chapter has no `# Title` heading with text",
                    )
                    .at(span.clone())
                    .with_hint(
                        "start the chapter with `# Its Title`, or set `title:` in its front matter",
                    ),
                );
                chapter.title = vec![Inline::text(chapter.slug.clone(), span)];
            }
        }
    }
}

/// Front matter and back matter types; everything else is the body.
pub(crate) fn division_of(epub_type: Option<&str>) -> Division {
    match epub_type {
        Some(
            "preface"
            | "foreword"
            | "prologue"
            | "dedication"
            | "epigraph"
            | "acknowledgments"
            | "introduction"
            | "preamble"
            | crate::doc::ALSO_BY_TYPE,
        ) => Division::Front,
        Some("appendix" | "afterword" | "epilogue" | "glossary" | "colophon" | "bibliography") => {
            Division::Back
        }
        _ => Division::Body,
    }
}

fn resolve_references(
    manuscript: &mut Manuscript,
    chapters: &mut [Chapter],
    options: &ResolveOptions,
    diags: &mut Diagnostics,
) -> Option<cite::RenderedBibliography> {
    let config = &manuscript.config;
    let style = match (&options.csl, &config.csl) {
        (Some(name), _) => style_choice(manuscript, name, None, diags)?,
        (None, Some(value)) => {
            let name = value.get_ref().clone();
            style_choice(manuscript, &name, Some(value.clone()), diags)?
        }
        (None, None) => StyleChoice::Named("chicago-author-date".to_string()),
    };
    let config = &manuscript.config;
    let options = CiteOptions {
        style,
        locale: config.language(),
        nocite: config.nocite.clone(),
        title: config.references_title.clone(),
    };
    cite::resolve_citations(
        chapters,
        manuscript.bibliography,
        &options,
        &manuscript.sources,
        diags,
    )
}

/// A style name, or a `.csl` file inside the book folder.
fn style_choice(
    manuscript: &mut Manuscript,
    name: &str,
    value: Option<toml::Spanned<String>>,
    diags: &mut Diagnostics,
) -> Option<StyleChoice> {
    if !name.ends_with(".csl") {
        return Some(StyleChoice::Named(name.to_string()));
    }
    let value = value.unwrap_or_else(|| toml::Spanned::new(0..0, name.to_string()));
    let id = read_configured_text(
        &manuscript.root,
        &value,
        manuscript.config_file,
        "csl",
        &mut manuscript.sources,
        diags,
    )?;
    Some(StyleChoice::File(id))
}

/// Put the reference list where a marker asks, else under a `{#references}` heading, else in
/// its own chapter at the end.
fn place_references(
    manuscript: &Manuscript,
    chapters: &mut Vec<Chapter>,
    references: Option<cite::RenderedBibliography>,
) {
    let Some(references) = references else {
        return;
    };
    for chapter in chapters.iter_mut() {
        let mut placed = false;
        walk::blocks_mut(&mut chapter.blocks, &mut |block| {
            if !placed && matches!(block, Block::ReferencesMarker { .. }) {
                *block = Block::References(references.entries.clone());
                placed = true;
            }
        });
        if placed {
            if chapter.epub_type.is_none() {
                chapter.epub_type = Some("bibliography".to_string());
            }
            return;
        }
    }
    if place_under_references_heading(chapters, &references) {
        return;
    }
    let file = manuscript.bibliography.unwrap_or(manuscript.config_file);
    let span = Span::new(file, 0..0);
    let heading = Heading {
        level: 1,
        id: "references".to_string(),
        explicit_id: true,
        attrs: crate::doc::Attributes::default(),
        number: None,
        content: vec![Inline::text(references.title.clone(), span.clone())],
        span: span.clone(),
    };
    chapters.push(Chapter {
        file,
        slug: unique_slug(chapters, "references"),
        division: Division::Back,
        epub_type: Some("bibliography".to_string()),
        number: None,
        appendix: None,
        part: None,
        title: vec![Inline::text(references.title, span)],
        blocks: vec![
            Block::Heading(Box::new(heading)),
            Block::References(references.entries),
        ],
        notes: Vec::new(),
        generated: true,
        leaves_part: false,
    });
}

/// The id of the heading pandoc users write to place the reference list
/// (`# References {#references}`).
const REFERENCES_HEADING_ID: &str = "references";

/// Puts the reference list at the end of the section headed `{#references}`, as pandoc
/// users place it; false when no top-level heading has that id.
fn place_under_references_heading(
    chapters: &mut [Chapter],
    references: &cite::RenderedBibliography,
) -> bool {
    for chapter in chapters.iter_mut() {
        let heading = chapter
            .blocks
            .iter()
            .position(|block| matches!(block, Block::Heading(h) if h.id == REFERENCES_HEADING_ID));
        let Some(at) = heading else {
            continue;
        };
        let level = match &chapter.blocks[at] {
            Block::Heading(h) => h.level,
            _ => continue,
        };
        let section_end = chapter.blocks[at + 1..]
            .iter()
            .position(|block| matches!(block, Block::Heading(h) if h.level <= level))
            .map_or(chapter.blocks.len(), |offset| at + 1 + offset);
        chapter
            .blocks
            .insert(section_end, Block::References(references.entries.clone()));
        if chapter.epub_type.is_none() {
            chapter.epub_type = Some("bibliography".to_string());
        }
        return true;
    }
    false
}

fn unique_slug(chapters: &[Chapter], wanted: &str) -> String {
    let mut names = ids::UniqueNames::default();
    for chapter in chapters {
        names.claim(&chapter.slug);
    }
    names.claim(wanted)
}

fn resolve_cover(
    manuscript: &Manuscript,
    assets: &mut images::ImageCollector,
    diags: &mut Diagnostics,
) -> Option<usize> {
    let value = manuscript.config.cover.as_ref()?;
    let path = resolve_configured(
        &manuscript.root,
        value,
        manuscript.config_file,
        "cover",
        diags,
    )?;
    let span = Span::new(manuscript.config_file, value.span());
    assets.add_cover(&path, span, diags)
}

fn build_meta(manuscript: &Manuscript, options: &ResolveOptions, cover: Option<usize>) -> Meta {
    let config = &manuscript.config;
    let date = config.date.as_ref().map(|d| d.get_ref().clone());
    Meta {
        title: config.title.get_ref().trim().to_string(),
        subtitle: config.subtitle.clone(),
        contributors: config.contributors(),
        language: config.language(),
        identifier: config.identifier(),
        epub_isbn: config.epub_isbn(),
        print: config.print_options(),
        publisher: config.publisher.clone(),
        modified: modified_timestamp(options.source_date_epoch, date.as_deref()),
        produced: produced_timestamp(options.source_date_epoch, manuscript),
        date,
        rights: config.rights.clone(),
        license: config.license.clone(),
        description: config.description.clone(),
        subjects: config.subjects.clone(),
        series: config.series(),
        cover,
        front: config.front_matter(),
        back_index: false,
        slug: config.slug(),
        numbering: config.numbering_options(),
        chapter_numbering: config.chapter_numbering(),
        opening: config.opening_options(),
        math_macros: config
            .math
            .macros
            .iter()
            .map(|(name, body)| (name.clone(), body.get_ref().clone()))
            .collect(),
    }
}

/// When the outputs are made, from SOURCE_DATE_EPOCH, else from the newest modification time
/// of the files the build read (the same files give the same date); empty when neither is
/// known.
fn produced_timestamp(epoch: Option<i64>, manuscript: &Manuscript) -> String {
    let newest = || {
        manuscript
            .sources
            .files()
            .filter_map(|file| {
                let path = manuscript.root.path().join(&file.name);
                let modified = std::fs::metadata(path).ok()?.modified().ok()?;
                let since = modified.duration_since(std::time::UNIX_EPOCH).ok()?;
                i64::try_from(since.as_secs()).ok()
            })
            .max()
    };
    epoch.or_else(newest).map(format_epoch).unwrap_or_default()
}

/// `YYYY-MM-DDThh:mm:ssZ` from SOURCE_DATE_EPOCH, else the book's date, else the Unix epoch.
/// Never the clock: the same input must give the same bytes.
pub(crate) fn modified_timestamp(epoch: Option<i64>, date: Option<&str>) -> String {
    if let Some(seconds) = epoch {
        return format_epoch(seconds);
    }
    let Some(date) = date else {
        return format_epoch(0);
    };
    let mut parts = date.split('-');
    let year = parts.next().unwrap_or("1970");
    let month = parts.next().unwrap_or("01");
    let day = parts.next().unwrap_or("01");
    format!("{year}-{month}-{day}T00:00:00Z")
}

/// Format seconds since 1970 as an ISO 8601 UTC timestamp (civil calendar, no clock).
pub(crate) fn format_epoch(seconds: i64) -> String {
    let days = seconds.div_euclid(86_400);
    let secs = seconds.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        secs / 3600,
        secs % 3600 / 60,
        secs % 60
    )
}

/// Howard Hinnant's days-to-civil algorithm.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_never_use_the_clock() {
        assert_eq!(format_epoch(0), "1970-01-01T00:00:00Z");
        assert_eq!(format_epoch(1_700_000_000), "2023-11-14T22:13:20Z");
        assert_eq!(format_epoch(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(
            modified_timestamp(None, Some("2026-11")),
            "2026-11-01T00:00:00Z"
        );
        assert_eq!(
            modified_timestamp(Some(86_400), Some("2026")),
            "1970-01-02T00:00:00Z"
        );
    }

    #[test]
    fn divisions() {
        assert_eq!(division_of(Some("preface")), Division::Front);
        assert_eq!(division_of(Some("appendix")), Division::Back);
        assert_eq!(division_of(None), Division::Body);
    }
}
