//! A book listed by another tool made into octavo's chapters: a file nested under another in
//! SUMMARY.md becomes a section of that chapter (its headings moved down a level per step of
//! nesting), a part title becomes a part page of its own, and the chapters before and after
//! the numbered ones are front and back matter. Front-matter keys of the other tool are
//! reported here, once for the book.

use std::collections::BTreeMap;

use super::ids::UniqueNames;
use crate::diag::{code, Diagnostic, Diagnostics, FileId, Span};
use crate::doc::{Attributes, Block, Chapter, Division, Heading, Inline};
use crate::manuscript::structure::{BookStructure, Matter, Placement};
use crate::markdown::{ForeignLabel, ForeignReason, ParsedChapter};

/// The deepest heading level.
const MAX_HEADING_LEVEL: u8 = 6;

/// A file merged into a chapter (a nested SUMMARY.md entry): links to it go to its first
/// heading in that chapter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Member {
    /// The merged file.
    pub file: FileId,
    /// The index of the chapter it is part of.
    pub chapter: usize,
}

/// Chapters (before numbering) and the files merged into them, as `structure` arranges the
/// parsed files; `build` makes a chapter of one file.
pub(super) fn arrange(
    structure: &BookStructure,
    parsed: Vec<ParsedChapter>,
    slugs: &mut UniqueNames,
    mut build: impl FnMut(FileId, &mut UniqueNames, ParsedChapter) -> Chapter,
) -> (Vec<Chapter>, Vec<Member>) {
    let mut chapters: Vec<Chapter> = Vec::new();
    let mut members = Vec::new();
    let mut parts = structure.parts.iter().peekable();
    for (index, (placement, chapter)) in structure.placements.iter().zip(parsed).enumerate() {
        while let Some(part) = parts.next_if(|p| p.before <= index) {
            chapters.push(part_chapter(&part.title, &part.span, slugs));
        }
        match chapters.last_mut().filter(|_| placement.depth > 0) {
            Some(open) => {
                merge_into(open, placement, chapter);
                members.push(Member {
                    file: placement.file,
                    chapter: chapters.len() - 1,
                });
            }
            None => {
                let mut built = build(placement.file, slugs, with_title(placement, chapter));
                place(&mut built, placement.matter);
                built.leaves_part = placement.leaves_part;
                chapters.push(built);
            }
        }
    }
    for part in parts {
        chapters.push(part_chapter(&part.title, &part.span, slugs));
    }
    (chapters, members)
}

/// A chapter file without a `# Title` takes the title its listing gives.
fn with_title(placement: &Placement, mut chapter: ParsedChapter) -> ParsedChapter {
    let has_heading = chapter
        .blocks
        .iter()
        .any(|b| matches!(b, Block::Heading(h) if h.level == 1));
    if chapter.front.title.is_some() || has_heading {
        return chapter;
    }
    // Quarto's index.qmd starts at `## Preface`: the first heading names the chapter.
    let first_heading = chapter.blocks.iter().find_map(|b| match b {
        Block::Heading(h) => Some(crate::doc::plain_text(&h.content)),
        _ => None,
    });
    let title = Some(placement.title.clone())
        .filter(|t| !t.trim().is_empty())
        .or(first_heading)
        .filter(|t| !t.trim().is_empty());
    chapter.front.title = title;
    chapter
}

/// Prefix chapters are unnumbered front matter, suffix chapters unnumbered back matter,
/// appendices lettered.
fn place(chapter: &mut Chapter, matter: Matter) {
    match matter {
        Matter::Numbered => {}
        Matter::Prefix => {
            chapter.division = Division::Front;
            chapter.number = None;
        }
        Matter::Suffix => {
            chapter.division = Division::Back;
            chapter.number = None;
        }
        Matter::Appendix => {
            chapter.division = Division::Back;
            chapter.number = None;
            if chapter.epub_type.is_none() {
                chapter.epub_type = Some("appendix".to_string());
                chapter.appendix = Some(0);
            }
        }
    }
}

/// A part page: its title as the only heading.
fn part_chapter(title: &str, span: &Span, slugs: &mut UniqueNames) -> Chapter {
    let content = vec![Inline::text(title.to_string(), span.clone())];
    Chapter {
        file: span.file,
        slug: slugs.claim(&crate::config::slugify(title, "part")),
        division: Division::Body,
        epub_type: Some("part".to_string()),
        number: None,
        appendix: None,
        part: None,
        title: content.clone(),
        blocks: vec![Block::Heading(Box::new(Heading {
            level: 1,
            id: String::new(),
            explicit_id: false,
            attrs: Attributes::default(),
            number: None,
            content,
            span: span.clone(),
        }))],
        notes: Vec::new(),
        generated: false,
        leaves_part: false,
    }
}

/// Append a nested file to its chapter: its headings one level lower per step of nesting,
/// and, when it has no heading, its listing's title as one.
fn merge_into(chapter: &mut Chapter, placement: &Placement, parsed: ParsedChapter) {
    let shift = placement.depth;
    let mut blocks = parsed.blocks;
    let has_heading = blocks.iter().any(|b| matches!(b, Block::Heading(_)));
    if !has_heading {
        let title = parsed
            .front
            .title
            .unwrap_or_else(|| placement.title.clone());
        blocks.insert(0, listing_heading(&title, placement.file));
    }
    for block in &mut blocks {
        if let Block::Heading(heading) = block {
            heading.level = heading.level.saturating_add(shift).min(MAX_HEADING_LEVEL);
        }
    }
    chapter.blocks.extend(blocks);
    chapter.notes.extend(parsed.notes);
}

/// A level-1 heading holding a listing's title, placed at the start of `file` (so that
/// links to the file find it).
fn listing_heading(title: &str, file: FileId) -> Block {
    Block::Heading(Box::new(Heading {
        level: 1,
        id: String::new(),
        explicit_id: false,
        attrs: Attributes::default(),
        number: None,
        content: vec![Inline::text(title.to_string(), Span::new(file, 0..0))],
        span: Span::new(file, 0..0),
    }))
}

/// What octavo leaves out of a book written for another tool, in one warning each kind:
/// the preprocessor directives it does not run (`directives`, from the book's listing) and
/// the front-matter keys it does not use, with counts. In an mdBook both belong to the
/// book's preprocessors (mdBook itself reads no front matter), so when there are both they
/// are one warning, at the first directive.
pub(super) fn report_foreign_material(
    parsed: &[ParsedChapter],
    read_elsewhere: &[&str],
    directives: Option<&BTreeMap<String, (Span, usize)>>,
    diags: &mut Diagnostics,
) {
    let directives = directives.and_then(crate::manuscript::skipped_directives_warning);
    let keys = foreign_keys(parsed, read_elsewhere);
    match (directives, keys) {
        (Some(mut warning), Some((list, _))) => {
            warning.message = format!(
                "{}; the front-matter keys the book's preprocessors read are ignored: {list}",
                warning.message
            );
            diags.push(warning);
        }
        (Some(warning), None) => diags.push(warning),
        (None, Some((list, first))) => diags.push(
            Diagnostic::warning(
                code::FOREIGN_FRONT_MATTER,
                format!("front-matter keys octavo does not use are ignored: {list} (the first is here)"),
            )
            .at(first)
            .with_hint("chapter front matter sets `title`, `unnumbered` and `type` in octavo; the other keys belong to the tool the book was written for"),
        ),
        (None, None) => {}
    }
}

/// Every front-matter key of another tool in the book with its count (most used first), as
/// a list for a message, and where the first is; `None` when there is none.
fn foreign_keys(parsed: &[ParsedChapter], read_elsewhere: &[&str]) -> Option<(String, Span)> {
    let mut keys: BTreeMap<&str, usize> = BTreeMap::new();
    let mut first: Option<&Span> = None;
    for chapter in parsed {
        let foreign = chapter.front.foreign_keys.iter();
        for (key, span) in foreign.filter(|(k, _)| !read_elsewhere.contains(&k.as_str())) {
            *keys.entry(key.as_str()).or_default() += 1;
            first.get_or_insert(span);
        }
    }
    let first = first?.clone();
    let mut counted: Vec<(&str, usize)> = keys.into_iter().collect();
    counted.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let list: Vec<String> = counted
        .iter()
        .map(|(key, count)| format!("`{key}` ({count})"))
        .collect();
    Some((list.join(", "), first))
}

/// The labels shown in the summary of code chunks that would make figures.
const CHUNK_LABELS_SHOWN: usize = 5;

/// One warning for the code chunks that would make a figure or a table when Quarto runs
/// them, naming their labels: octavo prints their code.
pub(super) fn report_chunk_figures(foreign: &[ForeignLabel], diags: &mut Diagnostics) {
    let chunks: Vec<&ForeignLabel> = foreign
        .iter()
        .filter(|f| matches!(f.why, ForeignReason::CodeChunk { .. }))
        .collect();
    let Some(first) = chunks.first() else {
        return;
    };
    let mut names: Vec<String> = chunks
        .iter()
        .take(CHUNK_LABELS_SHOWN)
        .map(|f| format!("`{}`", f.label))
        .collect();
    if chunks.len() > CHUNK_LABELS_SHOWN {
        names.push(format!("and {} more", chunks.len() - CHUNK_LABELS_SHOWN));
    }
    diags.push(
        Diagnostic::warning(
            code::CHUNK_FIGURE,
            format!(
                "{} code chunk(s) would make a figure or table when Quarto runs them; octavo prints their code and runs nothing: {} (the first is here)",
                chunks.len(),
                names.join(", ")
            ),
        )
        .at(first.span.clone())
        .with_hint("put the image the chunk makes in the book as ![Caption](figure.png){#fig-x} to have the figure"),
    );
}
