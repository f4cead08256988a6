//! `octavo build`: run the pipeline and write the outputs atomically.
//!
//! [`compile`] is the shared front half (load, parse, resolve) that `check` also uses; `build`
//! adds the backends and writes the outputs as one pair ([`commit`]): each to a temporary file
//! in the output folder, all renamed over the old files only when all are complete, under a
//! lock on the folder. A failed build never leaves a half-written, clobbered or mismatched
//! EPUB and PDF.

pub(crate) mod commit;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::diag::{code, Diagnostic, Diagnostics, SourceMap};
use crate::doc::Book;
use crate::epub::{write_epub, EpubOptions};
use crate::fonts::{configured_fonts, FontSet};
use crate::manuscript::{self, Manuscript};
use crate::markdown::{parse_chapter_in, Dialect};
use crate::resolve::{resolve_book, ResolveOptions};
use crate::typeset::page_list::PageStart;

/// Which outputs to produce.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// The EPUB only.
    Epub,
    /// The PDF only.
    Pdf,
    /// Both.
    All,
}

/// Everything `octavo build` was asked to do.
#[derive(Debug, Clone)]
pub struct BuildOptions {
    /// The book folder (holding book.toml).
    pub dir: PathBuf,
    /// Where to write; default `DIR/out`.
    pub out: Option<PathBuf>,
    /// Which outputs.
    pub format: Format,
    /// PDF profile override.
    pub profile: Option<String>,
    /// Chapter numbers to print in the PDF (handouts), e.g. 3..=5; all when `None`.
    pub chapters: Option<std::ops::RangeInclusive<u32>>,
    /// Write the PDF's content streams uncompressed and readable (debugging).
    pub readable_pdf: bool,
    /// Resolution settings from the command line.
    pub resolve: ResolveOptions,
    /// Fail, writing nothing, when typesetting finds a warning (`--deny-warnings`): a
    /// build that exits 1 leaves the previous outputs as they were.
    pub deny_warnings: bool,
}

/// The result of the front half of the pipeline.
pub struct Compiled {
    /// The resolved book, when the manuscript could be loaded at all.
    pub book: Option<Book>,
    /// The loaded manuscript (config and sources), when it could be loaded.
    pub manuscript: Option<Manuscript>,
    /// The fonts book.toml's `[fonts]` names (with the bundled ones for the rest), loaded once
    /// for both backends; `None` for the bundled set.
    pub fonts: Option<Arc<FontSet<'static>>>,
    /// The `[epub] css` stylesheet with what an EPUB may not hold dropped, filtered once the
    /// book's images are known (see [`crate::css`]); `None` when there is none.
    pub epub_css: Option<String>,
    /// What keeps the EPUB from claiming accessibility conformance, and who would answer for
    /// the claim; `None` when there is no book.
    pub accessibility: Option<crate::epub::conformance::Conformance>,
    /// Every problem found.
    pub diags: Diagnostics,
    /// Sources read before the manuscript failed to load (book.toml), for the messages.
    pub early_sources: SourceMap,
}

impl Compiled {
    /// Where book.toml names the cover image, when it does.
    fn cover_span(&self) -> Option<crate::diag::Span> {
        let manuscript = self.manuscript.as_ref()?;
        let cover = manuscript.config.cover.as_ref()?;
        Some(crate::diag::Span::new(manuscript.config_file, cover.span()))
    }

    /// The source texts, for rendering diagnostics.
    pub fn sources(&self) -> &SourceMap {
        self.manuscript
            .as_ref()
            .map_or(&self.early_sources, |m| &m.sources)
    }
}

/// Load, parse and resolve the book in `dir`.
pub fn compile(dir: &Path, options: &ResolveOptions) -> Compiled {
    let mut diags = Diagnostics::default();
    let loaded = crate::timing::time("load", || manuscript::load(dir, &mut diags));
    let mut manuscript = match loaded {
        Ok(manuscript) => manuscript,
        Err(early_sources) => {
            return Compiled {
                book: None,
                manuscript: None,
                fonts: None,
                epub_css: None,
                accessibility: None,
                diags,
                early_sources,
            }
        }
    };
    let fonts = configured_fonts(&manuscript, &mut diags);
    let parsed = crate::timing::time("parse", || parse_chapters(&manuscript, &mut diags));
    let mut book = crate::timing::time("resolve", || {
        resolve_book(&mut manuscript, parsed, options, &mut diags)
    });
    let fonts = crate::timing::time("system fonts", || {
        with_system_faces(&manuscript, &mut book, fonts)
    })
    .map(Arc::new);
    check_text_block(&manuscript, &mut diags);
    let epub_css = crate::css::filter_book_stylesheet(&manuscript, &book, &mut diags);
    let accessibility = assess_accessibility(&manuscript, &book, epub_css.as_deref(), &mut diags);
    if manuscript.origin.is_foreign() {
        diags.fold_repeated_warnings(&manuscript.sources);
    }
    Compiled {
        book: Some(book),
        manuscript: Some(manuscript),
        fonts,
        epub_css,
        accessibility: Some(accessibility),
        diags,
        early_sources: SourceMap::default(),
    }
}

/// The book's font set (`None`: the bundled one) with, when book.toml asks for it
/// (`[fonts] system = true`), faces of the system's fonts for the characters its own faces
/// cannot draw, after its fallbacks.
fn with_system_faces(
    manuscript: &Manuscript,
    book: &mut Book,
    fonts: Option<FontSet<'static>>,
) -> Option<FontSet<'static>> {
    if !manuscript.config.fonts.system {
        return fonts;
    }
    let mut set = match fonts {
        Some(set) => set,
        None => FontSet::builtin().ok()?,
    };
    let missing = crate::check::undrawable_characters(book, &set);
    for face in crate::fonts::system::faces_for(&missing) {
        set.add_fallback(crate::fonts::Style::Regular, face);
    }
    Some(set)
}

/// The EPUB's accessibility conformance ([`crate::epub::conformance`]); when a publisher's
/// book cannot claim it, one warning at book.toml saying what is missing.
fn assess_accessibility(
    manuscript: &Manuscript,
    book: &crate::doc::Book,
    epub_css: Option<&str>,
    diags: &mut Diagnostics,
) -> crate::epub::conformance::Conformance {
    let declared = manuscript.config.language.is_some();
    let found = crate::epub::conformance::assess(book, declared, epub_css);
    if found.withheld() {
        diags.push(
            crate::diag::Diagnostic::warning(
                crate::diag::code::ACCESSIBILITY_NOT_CLAIMED,
                format!(
                    "the EPUB does not claim to meet EPUB Accessibility 1.1 (WCAG 2.2 AA); missing: {}",
                    found.missing.join("; ")
                ),
            )
            .at(crate::diag::Span::new(manuscript.config_file, 0..0))
            .with_hint("supply what is missing, and the EPUB names the conformance and who certifies it in its metadata"),
        );
    }
    found
}

/// Parse every chapter, on all cores: chapters are independent until they are resolved.
/// Each chapter's diagnostics are kept apart and appended in chapter order, so the report is
/// the same as a sequential parse's.
fn parse_chapters(
    manuscript: &Manuscript,
    diags: &mut Diagnostics,
) -> Vec<crate::markdown::ParsedChapter> {
    let dialect = Dialect {
        foreign_front_matter: manuscript.origin.is_foreign(),
        mdbook_code: manuscript.origin == manuscript::Origin::MdBook,
        chunk_options: matches!(
            manuscript.origin,
            manuscript::Origin::Quarto
                | manuscript::Origin::Pandoc
                | manuscript::Origin::PandocSingleFile
        ),
    };
    let parse = |file: crate::diag::FileId| {
        let mut found = Diagnostics::default();
        let text = &manuscript.sources.get(file).text;
        let chapter = parse_chapter_in(file, text, dialect, &mut found);
        (chapter, found)
    };
    let results = crate::parallel::map(&manuscript.chapters, |&file| parse(file));
    results
        .into_iter()
        .map(|(chapter, found)| {
            diags.append(found);
            chapter
        })
        .collect()
}

/// Why a build stopped without writing.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    /// The manuscript has errors (reported as diagnostics).
    #[error("the manuscript has errors; nothing was written")]
    Manuscript,
    /// A requested output is not available.
    #[error("{0}")]
    Unsupported(String),
    /// Writing failed.
    #[error("{0}")]
    Io(String),
    /// The command line asks for something the book cannot give (e.g. `--chapters 7` of a
    /// book of five chapters).
    #[error("{0}")]
    Usage(String),
    /// Typesetting found warnings and `--deny-warnings` was given (they are held here, to be
    /// reported like the manuscript's); nothing was written.
    #[error("warnings are denied; nothing was written")]
    DeniedWarnings(Diagnostics),
}

/// Refuse book.toml's page size and margins when they leave too small a text block (for the
/// profile book.toml names, or the print profile), at the first of the keys that made it.
fn check_text_block(manuscript: &Manuscript, diags: &mut Diagnostics) {
    use crate::typeset::profile::{Profile, TextBlockProblem};
    let pdf = &manuscript.config.pdf;
    let Some(problem) = Profile::resolve(None, pdf).text_block_problem() else {
        return;
    };
    let m = &pdf.margins;
    let (why, keys, hint) = match problem {
        TextBlockProblem::Width(why) => (
            why,
            [&m.inner, &m.outer, &pdf.page_width],
            "make the inner and outer margins smaller, or the page wider",
        ),
        TextBlockProblem::FontSize(why) => (
            why,
            [&pdf.font_size, &m.inner, &m.outer],
            "set a smaller font-size, or give the text block more width",
        ),
        TextBlockProblem::Height(why) => (
            why,
            [&m.top, &m.bottom, &pdf.page_height],
            "make the top and bottom margins smaller, or the page taller",
        ),
    };
    let mut error =
        Diagnostic::error(code::TEXT_BLOCK_TOO_SMALL, format!("book.toml: {why}")).with_hint(hint);
    let file = manuscript.config_file;
    error = match keys.into_iter().flatten().next() {
        Some(key) => error.at(crate::diag::Span::new(file, key.span())),
        None => error.in_file("book.toml"),
    };
    diags.push(error);
}

/// What a build produced.
#[derive(Debug, Default)]
pub struct BuildReport {
    /// Files written.
    pub written: Vec<PathBuf>,
    /// Remarks for the user (e.g. an output that was skipped).
    pub notes: Vec<String>,
    /// Warnings only setting the PDF could find (a table too wide for the page), located
    /// in the manuscript.
    pub diags: Diagnostics,
}

/// Build the outputs for an already compiled book and write them as one pair
/// ([`commit::write_outputs`]). `waiting` is called if another build is writing to the same
/// output folder, before this one waits for it.
pub fn build_outputs(
    compiled: &Compiled,
    options: &BuildOptions,
    waiting: &dyn Fn(&Path),
) -> Result<BuildReport, BuildError> {
    if compiled.diags.has_errors() {
        return Err(BuildError::Manuscript);
    }
    let Some(book) = &compiled.book else {
        return Err(BuildError::Manuscript);
    };
    let out_dir = options
        .out
        .clone()
        .unwrap_or_else(|| options.dir.join("out"));
    // Typeset and package everything first, then write: a failure leaves no new file. The
    // EPUB is packaged on its own thread while the PDF is typeset (both only read the book).
    let mut outputs: Vec<(PathBuf, Vec<u8>)> = Vec::new();
    let mut report = BuildReport::default();
    let want_epub = options.format != Format::Pdf;
    let want_pdf = options.format != Format::Epub;
    let selected = selected_chapters(book, options)?;
    let (epub, pdf) = std::thread::scope(|scope| {
        let epub = want_epub.then(|| {
            scope.spawn(|| -> Result<Vec<u8>, BuildError> {
                let mut epub_options = epub_options(compiled)?;
                if selected.is_some() {
                    // A handout's chapters are not the print edition's pages.
                    epub_options.page_starts = None;
                }
                // A handout's EPUB holds the same chapters as its PDF.
                let excerpt = selected.as_deref().map(|chosen| {
                    crate::epub::excerpt::excerpt(&handout_book(book, chosen), chosen)
                });
                let book = excerpt.as_ref().unwrap_or(book);
                crate::timing::time("epub", || write_epub(book, &epub_options))
                    .map_err(|e| BuildError::Io(e.to_string()))
            })
        });
        // Characters no font has were reported as W0211 warnings with their location.
        let keep = crate::pdf::KeepPages::None;
        let pdf = want_pdf.then(|| typeset_pdf(compiled, options, keep));
        let epub = epub.map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)));
        (epub, pdf)
    });
    if let Some(bytes) = epub {
        outputs.push((out_dir.join(format!("{}.epub", book.meta.slug)), bytes?));
    }
    if let Some(pdf) = pdf {
        let crate::pdf::PdfOutput {
            bytes,
            mut composition,
            cover,
            ..
        } = pdf?;
        for warning in std::mem::take(&mut composition.warnings) {
            report.diags.push(warning);
        }
        outputs.push((out_dir.join(format!("{}.pdf", book.meta.slug)), bytes));
        if let Some(cover) = cover {
            if let Some(warning) = cover_warnings(compiled, &cover.wrap) {
                report.diags.push(warning);
            }
            let name = format!("{}-cover.pdf", book.meta.slug);
            outputs.push((out_dir.join(name), cover.bytes));
        }
        crate::parallel::drop_in_background(composition);
    }
    if let Some(manuscript) = compiled
        .manuscript
        .as_ref()
        .filter(|m| m.origin.is_foreign())
    {
        report.diags.fold_repeated_warnings(&manuscript.sources);
    }
    if options.deny_warnings && report.diags.has_warnings() {
        return Err(BuildError::DeniedWarnings(report.diags));
    }
    crate::timing::time("write", || {
        commit::write_outputs(&out_dir, &outputs, waiting)
    })
    .map_err(|(path, e)| BuildError::Io(format!("cannot write {}: {e}", path.display())))?;
    report.written = outputs.into_iter().map(|(path, _)| path).collect();
    Ok(report)
}

/// What a printer would refuse in the cover wrap: a cover image below print resolution at
/// the front's size, named at book.toml's `cover`.
fn cover_warnings(
    compiled: &Compiled,
    wrap: &crate::typeset::cover_wrap::CoverWrap,
) -> Option<crate::diag::Diagnostic> {
    let dpi = wrap.image_dpi?;
    let wanted = crate::typeset::cover_wrap::PRINT_DPI;
    if dpi >= wanted {
        return None;
    }
    let mut warning = crate::diag::Diagnostic::warning(
        crate::diag::code::COVER_LOW_RESOLUTION,
        format!(
            "the cover image prints at {dpi:.0} dpi on the front of the cover wrap; printers ask for {wanted:.0}"
        ),
    )
    .with_hint("give a cover image at least as large as the front cover plus its bleed at 300 dpi (for 6x9 in: 1838 x 2775 pixels)");
    if let Some(span) = compiled.cover_span() {
        warning = warning.at(span);
    }
    Some(warning)
}

/// Typeset the compiled book's PDF with the profile and chapter selection asked for.
pub fn build_pdf(
    compiled: &Compiled,
    options: &BuildOptions,
) -> Result<crate::pdf::PdfOutput, BuildError> {
    typeset_pdf(compiled, options, crate::pdf::KeepPages::All)
}

/// [`build_pdf`], keeping the composed pages as `keep` says.
fn typeset_pdf(
    compiled: &Compiled,
    options: &BuildOptions,
    keep: crate::pdf::KeepPages,
) -> Result<crate::pdf::PdfOutput, BuildError> {
    let (Some(book), Some(manuscript)) = (&compiled.book, &compiled.manuscript) else {
        return Err(BuildError::Manuscript);
    };
    let profile = crate::typeset::profile::Profile::resolve(
        options.profile.as_deref(),
        &manuscript.config.pdf,
    );
    let chapters = selected_chapters(book, options)?;
    let handout = chapters.as_deref().map(|selected| {
        let mut handout = handout_book(book, selected);
        handout.meta.front = manuscript.config.handout_front_matter();
        handout
    });
    let pdf_options = crate::pdf::PdfOptions {
        profile,
        chapters,
        readable: options.readable_pdf,
        fonts: compiled.fonts.clone(),
    };
    crate::pdf::write_pdf_keeping(handout.as_ref().unwrap_or(book), &pdf_options, keep)
        .map_err(|e| BuildError::Io(format!("the PDF could not be written: {e}")))
}

/// The chapter indices `--chapters` selects (`None` for the whole book).
fn selected_chapters(
    book: &Book,
    options: &BuildOptions,
) -> Result<Option<Vec<usize>>, BuildError> {
    options
        .chapters
        .as_ref()
        .map(|range| select_chapters(book, range))
        .transpose()
}

/// The indices of the chapters a handout of `range` prints: the numbered chapters in it,
/// and the generated ones (the references) when they list a work those chapters cite. A
/// range that holds no chapter is a usage error, not an empty handout.
fn select_chapters(
    book: &Book,
    range: &std::ops::RangeInclusive<u32>,
) -> Result<Vec<usize>, BuildError> {
    let numbers: Vec<u32> = book.chapters.iter().filter_map(|c| c.number).collect();
    if !numbers.iter().any(|n| range.contains(n)) {
        let have = match (numbers.iter().min(), numbers.iter().max()) {
            (Some(first), Some(last)) => format!("its chapters are numbered {first} to {last}"),
            _ => "it has no numbered chapters".to_string(),
        };
        let asked = if range.start() == range.end() {
            range.start().to_string()
        } else {
            format!("{}-{}", range.start(), range.end())
        };
        return Err(BuildError::Usage(format!(
            "--chapters {asked} selects no chapter of the book: {have}"
        )));
    }
    let numbered: Vec<usize> = book
        .chapters
        .iter()
        .enumerate()
        .filter(|(_, c)| !c.generated && c.number.is_some_and(|n| range.contains(&n)))
        .map(|(i, _)| i)
        .collect();
    let cited = cited_keys(book, &numbered);
    let mut selected = numbered;
    for (index, chapter) in book.chapters.iter().enumerate() {
        if chapter.generated && lists_any(chapter, &cited) {
            selected.push(index);
        }
    }
    selected.sort_unstable();
    Ok(selected)
}

/// True when a generated chapter's reference list holds one of the `cited` works.
fn lists_any(chapter: &crate::doc::Chapter, cited: &BTreeSet<String>) -> bool {
    let mut found = false;
    let mut blocks = chapter.blocks.clone();
    crate::doc::walk::blocks_mut(&mut blocks, &mut |block| {
        if let crate::doc::Block::References(entries) = block {
            found |= entries.iter().any(|entry| cited.contains(&entry.key));
        }
    });
    found
}

/// The keys of the works the `selected` chapters (and their notes) cite.
fn cited_keys(book: &Book, selected: &[usize]) -> BTreeSet<String> {
    let mut cited = BTreeSet::new();
    for &index in selected {
        let Some(chapter) = book.chapters.get(index) else {
            continue;
        };
        let mut chapter = chapter.clone();
        let mut collect = |inline: &mut crate::doc::Inline| {
            if let crate::doc::Inline::Cite(cite) = inline {
                cited.extend(cite.items.iter().map(|item| item.key.clone()));
            }
        };
        crate::doc::walk::inlines_mut(&mut chapter.blocks, &mut collect);
        for note in &mut chapter.notes {
            crate::doc::walk::inlines_mut(&mut note.blocks, &mut collect);
        }
    }
    cited
}

/// The book as a handout of the `selected` chapters prints it: its reference list keeps only
/// the works those chapters (and their notes) cite, since a handout's references should not
/// send readers to works it never mentions.
fn handout_book(book: &Book, selected: &[usize]) -> Book {
    let cited = cited_keys(book, selected);
    let mut handout = book.clone();
    for chapter in &mut handout.chapters {
        crate::doc::walk::blocks_mut(&mut chapter.blocks, &mut |block| {
            if let crate::doc::Block::References(entries) = block {
                entries.retain(|entry| cited.contains(&entry.key));
            }
        });
    }
    handout
}

/// The EPUB settings of book.toml, with the stylesheet and fonts [`compile`] prepared.
pub fn epub_options(compiled: &Compiled) -> Result<EpubOptions, BuildError> {
    let manuscript = compiled.manuscript.as_ref().ok_or(BuildError::Manuscript)?;
    Ok(EpubOptions {
        extra_css: compiled.epub_css.clone(),
        embed_fonts: manuscript.config.epub.embed_fonts,
        fonts: compiled.fonts.clone(),
        math: (manuscript.config.epub.math.as_ref())
            .and_then(|math| crate::config::EpubMath::from_config(math.get_ref()))
            .unwrap_or_default(),
        certified_by: compiled
            .accessibility
            .as_ref()
            .and_then(|a| a.claim().map(str::to_string)),
        page_starts: print_page_starts(compiled),
    })
}

/// Where the print edition's pages begin, for the EPUB's page list, when the book has a
/// print edition (`[print] isbn`): the book typeset in the print profile, as `octavo build`
/// sets the print PDF, whatever PDF this build writes (so the EPUB is the same with or
/// without it).
fn print_page_starts(compiled: &Compiled) -> Option<std::sync::Arc<Vec<PageStart>>> {
    let (book, manuscript) = (compiled.book.as_ref()?, compiled.manuscript.as_ref()?);
    book.meta.print.isbn.as_ref()?;
    let profile = crate::typeset::profile::Profile::resolve(Some("print"), &manuscript.config.pdf);
    let fonts = match &compiled.fonts {
        Some(fonts) => std::sync::Arc::clone(fonts),
        None => std::sync::Arc::new(crate::fonts::FontSet::builtin().ok()?),
    };
    let typeset = crate::typeset::typeset(book, &profile, &fonts, None);
    let starts = crate::typeset::page_list::page_starts(&typeset.composition);
    crate::parallel::drop_in_background(typeset.composition);
    Some(std::sync::Arc::new(starts))
}
