//! Diagnostics: every problem octavo finds, with a stable code, a source span and a hint.
//!
//! Stages never print. They push [`Diagnostic`]s into a [`Diagnostics`] sink; the CLI renders
//! them all at the end, rustc-style, with the file, line, column and the offending source line.

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::PathBuf;

use codespan_reporting::diagnostic as cs;
use codespan_reporting::files::{self, Files};
use codespan_reporting::term;

/// Index of a loaded source file in the [`SourceMap`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FileId(pub u32);

/// A byte range in one source file: where a node of the document model came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Span {
    /// The file the bytes belong to.
    pub file: FileId,
    /// Byte range inside that file's text.
    pub range: Range<usize>,
}

impl Span {
    /// A span covering `range` in `file`.
    pub fn new(file: FileId, range: Range<usize>) -> Span {
        Span { file, range }
    }
}

/// How bad a problem is: errors fail the build, warnings do not (unless denied).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// Worth knowing; the output is still written.
    Warning,
    /// The output cannot be trusted; nothing is written.
    Error,
}

/// Stable diagnostic codes, so CI scripts and tests can match on them.
pub mod code {
    /// book.toml is missing or unreadable.
    pub const CONFIG_MISSING: &str = "E0001";
    /// book.toml is not valid TOML or has a wrong key or value.
    pub const CONFIG_INVALID: &str = "E0002";
    /// A file could not be read.
    pub const IO: &str = "E0003";
    /// A path leaves the book folder.
    pub const PATH_ESCAPES: &str = "E0004";
    /// A chapter file is not valid UTF-8.
    pub const INVALID_UTF8: &str = "E0005";
    /// The book has no chapters.
    pub const NO_CHAPTERS: &str = "E0006";
    /// A file to read is a FIFO, a device or a folder, not a regular file.
    pub const NOT_REGULAR_FILE: &str = "E0007";
    /// A file name octavo cannot use (not UTF-8, or an output name the system refuses).
    pub const FILE_NAME: &str = "E0008";
    /// A chapter's front matter is malformed.
    pub const FRONT_MATTER: &str = "E0101";
    /// A citation names a key the bibliography lacks.
    pub const UNKNOWN_CITATION: &str = "E0102";
    /// The bibliography file is malformed.
    pub const BIBLIOGRAPHY: &str = "E0103";
    /// A link points at a chapter or anchor that does not exist.
    pub const BROKEN_LINK: &str = "E0104";
    /// A footnote reference has no definition.
    pub const MISSING_FOOTNOTE: &str = "E0105";
    /// An image file is missing or unreadable.
    pub const MISSING_IMAGE: &str = "E0106";
    /// An image is remote and the EPUB must be self-contained.
    pub const REMOTE_IMAGE: &str = "E0107";
    /// An image format EPUB readers cannot show.
    pub const IMAGE_FORMAT: &str = "E0108";
    /// Two elements carry the same explicit id.
    pub const DUPLICATE_ID: &str = "E0109";
    /// The cover is missing or unusable.
    pub const COVER: &str = "E0110";
    /// Markdown nested too deeply to process safely.
    pub const NESTING: &str = "E0111";
    /// The citation style is unknown.
    pub const CSL_STYLE: &str = "E0112";
    /// An image is too large to process safely.
    pub const IMAGE_TOO_LARGE: &str = "E0113";
    /// A font named in book.toml cannot be found or used.
    pub const FONT: &str = "E0114";
    /// Bibliography references (`@string`s, `crossref`, `xdata`) that lead back to
    /// themselves, or nest or expand too far to be followed safely.
    pub const BIB_REFERENCE_CYCLE: &str = "E0125";
    /// CSL macros that call themselves, or nest or expand too far to be followed safely.
    pub const CSL_MACRO_CYCLE: &str = "E0126";
    /// A cross-reference names a label nothing in the book carries.
    pub const UNKNOWN_LABEL: &str = "E0150";
    /// Two figures, tables, listings or sections carry the same label.
    pub const DUPLICATE_LABEL: &str = "E0151";
    /// Raw HTML content was dropped by the allow-list.
    pub const HTML_DROPPED: &str = "W0201";
    /// Control characters were removed from the text.
    pub const CONTROL_CHAR: &str = "W0202";
    /// A footnote is defined but never referenced.
    pub const UNUSED_FOOTNOTE: &str = "W0203";
    /// A bibliography entry is never cited.
    pub const UNUSED_REFERENCE: &str = "W0204";
    /// An image has no alternative text.
    pub const MISSING_ALT: &str = "W0205";
    /// Heading levels jump (h1 to h3).
    pub const HEADING_JUMP: &str = "W0206";
    /// A chapter is empty or only a heading.
    pub const EMPTY_CHAPTER: &str = "W0207";
    /// A chapter has no level-1 heading and no title.
    pub const NO_TITLE: &str = "W0208";
    /// An image or chapter exceeds what e-book retailers accept.
    pub const RETAILER_LIMIT: &str = "W0209";
    /// The cover is missing or too small for retailers.
    pub const COVER_SIZE: &str = "W0210";
    /// A character no font can draw.
    pub const MISSING_GLYPH: &str = "W0211";
    /// A setting octavo reads but does not act on yet.
    pub const NOT_SUPPORTED: &str = "W0212";
    /// An output left by an earlier build is damaged.
    pub const BROKEN_OUTPUT: &str = "W0213";
    /// An output left by an earlier build is older than the manuscript.
    pub const STALE_OUTPUT: &str = "W0214";
    /// Part of a stylesheet was dropped: an EPUB may not hold it (imports, remote files,
    /// markup, `direction`).
    pub const CSS_DROPPED: &str = "W0215";
    /// A citation the style renders as nothing (`[-@key]` in MLA, whose author is its
    /// whole citation): it is left out of the text.
    pub const EMPTY_CITATION: &str = "W0216";
    /// An attribute block (`{#id .class key=value}`) that does not read.
    pub const ATTRIBUTES_UNREAD: &str = "W0250";
    /// A cross-reference to a label octavo cannot number (a code chunk it does not run, an
    /// equation): printed as written.
    pub const UNRESOLVED_LABEL: &str = "W0251";
    /// A `::: {#fig-x}` div that is not closed, or holds what octavo cannot number.
    pub const LABELLED_DIV: &str = "W0252";
    /// A labelled table caption (`: Caption {#tbl-x}`) with no table before or after it.
    pub const CAPTION_WITHOUT_TABLE: &str = "W0253";
    /// A link with no target (`[text]()`): its text is kept, unlinked.
    pub const EMPTY_LINK: &str = "W0233";
    /// A table too wide for the PDF's page even at its smallest size: words inside its
    /// cells are broken.
    pub const TABLE_WORDS_BROKEN: &str = "W0260";
    /// A table with more columns than fit side by side on the PDF's page: it is set in
    /// groups of columns, one after the other.
    pub const TABLE_IN_GROUPS: &str = "W0261";
    /// A code fence names a language octavo does not know but one it does is one edit away
    /// (`pyhton`): the code is set plain.
    pub const CODE_LANGUAGE_MISSPELLED: &str = "W0270";
    /// A token in a code block is longer than the PDF's line: it is broken inside (once per
    /// block).
    pub const CODE_TOKEN_CUT: &str = "W0271";
    /// A raster image printed at fewer pixels per inch than print needs (150): it will
    /// look soft or blocky on paper.
    pub const LOW_RESOLUTION: &str = "W0280";
    /// An image's `width` or `height` that is not a length octavo reads (`{width=50vw}`):
    /// the image is set at its natural size.
    pub const IMAGE_SIZE_UNREAD: &str = "W0281";
    /// A command in a formula that neither octavo's LaTeX subset nor `[math] macros` defines.
    pub const MATH_UNKNOWN_COMMAND: &str = "E0180";
    /// A formula that does not read (unbalanced braces, a missing argument, an unknown
    /// environment).
    pub const MATH_SYNTAX: &str = "E0181";
    /// A `[math] macros` entry whose name or body does not read.
    pub const MATH_BAD_MACRO: &str = "E0182";
    /// A display formula wider than the measure: it is scaled down to fit.
    pub const MATH_TOO_WIDE: &str = "W0290";
    /// A character in a formula the math font has no glyph for.
    pub const MATH_MISSING_GLYPH: &str = "W0291";
    /// A formula numbered row by row whose rows the layout found in another number than the
    /// source has: some row numbers may not be printed.
    pub const MATH_ROWS_UNPLACED: &str = "W0292";
    /// Dollars that hold no formula (an empty one, or `$…$` whose braces do not balance,
    /// which pulldown-cmark leaves as text): the LaTeX is printed as written.
    pub const MATH_NOT_READ: &str = "W0293";
    /// A `\tag` without its text in braces, or a `\label` without its name (or with braces
    /// that never close): it is left out and the formula keeps no tag or label.
    pub const EQUATION_TAG_UNREAD: &str = "E0260";
    /// `\tag`, `\notag`, `\nonumber` or `\label` in an inline formula: only a display
    /// formula has a number.
    pub const EQUATION_TAG_INLINE: &str = "E0261";
    /// `\tag{}` with no text, or `\label{}` with no name.
    pub const EQUATION_TAG_EMPTY: &str = "E0262";
    /// A second `\tag` or `\label` in one formula (or one row of it): the first counts.
    pub const EQUATION_TAG_TWICE: &str = "E0263";
    /// A formula labelled both by `{#eq-x}` after it and by `\label` inside it (on the
    /// formula or on its rows): one of them names nothing.
    pub const EQUATION_LABEL_CONFLICT: &str = "E0264";
    /// A `\tag` whose text holds commands or dollars: printed as written.
    pub const EQUATION_TAG_AS_WRITTEN: &str = "W0385";
    /// A label (`{#eq-x}`) on a formula `\notag` or `\nonumber` leaves unnumbered: the
    /// label names nothing a reference can print.
    pub const EQUATION_LABEL_UNNUMBERED: &str = "W0386";
    /// An mdBook `{{#include}}` (or `rustdoc_include`, `playground`) that cannot be read: a
    /// missing or outside file, an unknown anchor, includes nested too deep.
    pub const INCLUDE: &str = "E0190";
    /// A SUMMARY.md or `_quarto.yml` that lists no chapter octavo can read, or lists one badly.
    pub const BOOK_LISTING: &str = "E0191";
    /// Front-matter keys that belong to another tool (mdBook's `minutes`, Quarto's `engine`):
    /// ignored, reported once for the whole book.
    pub const FOREIGN_FRONT_MATTER: &str = "W0300";
    /// A preprocessor directive octavo does not run (`{{%…}}`, an unknown `{{#…}}`): its text
    /// is left out, reported once per kind.
    pub const DIRECTIVE: &str = "W0301";
    /// A draft chapter of SUMMARY.md (`[Title]()`): there is no file, so it is skipped.
    pub const DRAFT_CHAPTER: &str = "W0302";
    /// A line of SUMMARY.md that is neither a chapter, a part title nor a separator.
    pub const SUMMARY_LINE: &str = "W0303";
    /// Code chunks Quarto would run to make a figure: octavo prints their code only.
    pub const CHUNK_FIGURE: &str = "W0304";
    /// Both book.toml and another tool's configuration: book.toml is the one read.
    pub const CONFIG_CHOSEN: &str = "W0305";
    /// Raw LaTeX that octavo cannot set: left out.
    pub const RAW_LATEX: &str = "W0306";
    /// An mdBook include names an anchor its file does not mark: nothing is included (as in
    /// mdBook).
    pub const INCLUDE_ANCHOR: &str = "W0307";
    /// A link to a file that is not a chapter (a download, a web page of the HTML book) in a
    /// book written for another tool: its text is printed without the link.
    pub const LINK_NOT_IN_BOOK: &str = "W0308";
    /// An image a book written for another tool refers to that cannot be used (missing, not
    /// an image, a symbolic link saved as a plain file): that tool would show a broken image
    /// and go on, so octavo shows the image's description and goes on. In octavo's own books
    /// it is an error.
    pub const FOREIGN_IMAGE_UNUSABLE: &str = "W0309";
    /// The text marks index entries (`\index{…}`, `[text]{.index}`) but book.toml asks for
    /// no index: the marks print nothing and no index is made.
    pub const INDEX_NOT_ENABLED: &str = "W0320";
    /// `[back-matter] index = true` but no chapter marks an entry: there is no index.
    pub const INDEX_EMPTY: &str = "W0321";
    /// An `\index{` whose braces never close: printed as written.
    pub const INDEX_UNCLOSED: &str = "W0322";
    /// An `\index{}` with no term (or an empty level, `a!`): it marks nothing.
    pub const INDEX_EMPTY_TERM: &str = "W0323";
    /// A date range in a CSL-JSON or BibLaTeX entry: the citation library prints single dates
    /// only, so the range's start is printed and its end left out.
    pub const DATE_RANGE_END: &str = "W0330";
    /// `[pdf] standard` names a standard octavo cannot write (or two that exclude each other).
    pub const PDF_STANDARD_UNKNOWN: &str = "E0230";
    /// The PDF breaks a rule of the standard `[pdf] standard` asks for.
    pub const PDF_STANDARD_VIOLATION: &str = "E0231";
    /// `[pdf]`'s page size and margins leave too small a text block to set text in.
    pub const TEXT_BLOCK_TOO_SMALL: &str = "E0232";
    /// Two chapter files open with the same number (`00-a.md`, `000-b.md`): their order
    /// is decided by the rest of their names.
    pub const CHAPTER_ORDER_AMBIGUOUS: &str = "W0360";
    /// Small capitals asked for in a face without them (no `smcp`): the text prints in its
    /// lower-case letters.
    pub const NO_SMALL_CAPS: &str = "W0361";
    /// Text in a language the hyphenation patterns do not cover (the book's or a span's):
    /// the PDF sets it unhyphenated. Once per language.
    pub const NO_HYPHENATION_PATTERNS: &str = "W0370";
    /// The cover image is below print resolution at the size of the cover wrap's front.
    pub const COVER_LOW_RESOLUTION: &str = "W0380";
    /// The EPUB cannot claim accessibility conformance: what is missing.
    pub const ACCESSIBILITY_NOT_CLAIMED: &str = "W0381";
}

/// One problem found in the manuscript or its configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// Stable code from [`code`].
    pub code: &'static str,
    /// What is wrong, in one sentence.
    pub message: String,
    /// Where, when it can be pinned to source text.
    pub span: Option<Span>,
    /// The file concerned when there is no span (e.g. an unreadable image).
    pub path: Option<PathBuf>,
    /// How to fix it.
    pub hint: Option<String>,
}

impl Diagnostic {
    /// An error with a code and message and no location yet.
    pub fn error(code: &'static str, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Error,
            code,
            message: message.into(),
            span: None,
            path: None,
            hint: None,
        }
    }

    /// A warning with a code and message and no location yet.
    pub fn warning(code: &'static str, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(code, message)
        }
    }

    /// Attach the source span the problem is at.
    pub fn at(mut self, span: Span) -> Diagnostic {
        self.span = Some(span);
        self
    }

    /// Attach a file path (for problems that have no span in a text file).
    pub fn in_file(mut self, path: impl Into<PathBuf>) -> Diagnostic {
        self.path = Some(path.into());
        self
    }

    /// Attach a hint saying how to fix the problem.
    pub fn with_hint(mut self, hint: impl Into<String>) -> Diagnostic {
        self.hint = Some(hint.into());
        self
    }
}

/// The sink every stage reports into; the CLI renders it at the end of the run.
#[derive(Debug, Default)]
pub struct Diagnostics {
    items: Vec<Diagnostic>,
}

impl Diagnostics {
    /// Record one diagnostic.
    pub fn push(&mut self, diagnostic: Diagnostic) {
        self.items.push(diagnostic);
    }

    /// Append everything `other` recorded (diagnostics gathered on another thread, merged
    /// in a fixed order so the report does not depend on scheduling).
    pub fn append(&mut self, other: Diagnostics) {
        self.items.extend(other.items);
    }

    /// True when at least one error was recorded.
    pub fn has_errors(&self) -> bool {
        self.items.iter().any(|d| d.severity == Severity::Error)
    }

    /// True when at least one warning was recorded.
    pub fn has_warnings(&self) -> bool {
        self.items.iter().any(|d| d.severity == Severity::Warning)
    }

    /// All diagnostics in the order they were found.
    pub fn items(&self) -> &[Diagnostic] {
        &self.items
    }

    /// Number of diagnostics of the given severity.
    pub fn count(&self, severity: Severity) -> usize {
        self.items.iter().filter(|d| d.severity == severity).count()
    }

    /// Each warning code once: a warning whose code was reported before is folded into the
    /// first one's message, with its place (the first [`FOLDED_SHOWN`] of them in full, the
    /// rest counted). For a book written for another tool, whose author did not write it
    /// for octavo: what octavo cannot use is reported as a short list of kinds, nothing
    /// dropped. Errors are never folded.
    pub fn fold_repeated_warnings(&mut self, sources: &SourceMap) {
        let mut first_of: std::collections::HashMap<&'static str, usize> = Default::default();
        let mut others: Vec<Vec<String>> = Vec::new();
        let mut kept: Vec<Diagnostic> = Vec::with_capacity(self.items.len());
        for diagnostic in std::mem::take(&mut self.items) {
            if diagnostic.severity == Severity::Warning {
                if let Some(&first) = first_of.get(diagnostic.code) {
                    let place = match (&diagnostic.span, &diagnostic.path) {
                        (Some(span), _) => sources.location(span),
                        (None, Some(path)) => path.display().to_string(),
                        (None, None) => String::new(),
                    };
                    others[first].push(format!("{place}: {}", diagnostic.message));
                    continue;
                }
                first_of.insert(diagnostic.code, kept.len());
            }
            kept.push(diagnostic);
            others.push(Vec::new());
        }
        for (diagnostic, more) in kept.iter_mut().zip(others) {
            if more.is_empty() {
                continue;
            }
            let shown: Vec<&str> = more.iter().take(FOLDED_SHOWN).map(String::as_str).collect();
            let rest = more.len() - shown.len();
            let tail = if rest > 0 {
                format!("; and {rest} more")
            } else {
                String::new()
            };
            diagnostic.message = format!(
                "{} ({} more like it: {}{tail})",
                diagnostic.message,
                more.len(),
                shown.join("; ")
            );
        }
        self.items = kept;
    }
}

/// How many of the warnings folded into the first of their code are named in full.
pub(crate) const FOLDED_SHOWN: usize = 5;

/// One loaded text file: its path relative to the book root (for messages) and its text.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// Path shown in messages, relative to the book root, with `/` separators.
    pub name: String,
    /// The file's text after UTF-8 validation (BOM removed), as octavo reads it (an mdBook
    /// chapter's with its includes expanded).
    pub text: String,
    line_starts: Vec<usize>,
    /// The file as written, when `text` was made from it: messages point there.
    written: Option<Box<Written>>,
}

/// A file as its author wrote it, and where each stretch of the text made from it comes from.
#[derive(Debug, Clone)]
struct Written {
    text: String,
    line_starts: Vec<usize>,
    origins: Vec<Origin>,
}

/// Where a stretch of a preprocessed text comes from in the file as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    /// The stretch, in the preprocessed text.
    pub expanded: Range<usize>,
    /// Its source in the file as written.
    pub written: Range<usize>,
    /// True when the stretch is a copy of `written` byte for byte; false when `written` is a
    /// directive and the stretch what it expanded to (an included file).
    pub copied: bool,
}

impl SourceFile {
    /// The text and line starts messages quote, and `offset` (into [`SourceFile::text`])
    /// moved into that text: the file as written when there is one, where an offset in an
    /// included file is the directive's start (its end for the `end` of a span).
    fn shown(&self, offset: usize, end: bool) -> (&str, &[usize], usize) {
        let Some(written) = &self.written else {
            return (&self.text, &self.line_starts, offset);
        };
        let origins = &written.origins;
        // The stretch that holds the offset. At a boundary, a directive that starts there
        // (a place reported at an include is the directive's, even when it included
        // nothing), else the stretch that starts there.
        let first = origins.partition_point(|o| o.expanded.end < offset);
        let holding = origins[first..]
            .iter()
            .take_while(|o| o.expanded.start <= offset)
            .count();
        let at_directive = origins[first..first + holding]
            .iter()
            .position(|o| !o.copied && o.expanded.start == offset);
        let index = at_directive
            .or(holding.checked_sub(1))
            .map(|i| first + i)
            .or(origins.len().checked_sub(1));
        let moved = index.map_or(offset, |i| {
            let origin = &origins[i];
            if origin.copied {
                let within = offset.saturating_sub(origin.expanded.start);
                (origin.written.start + within).min(origin.written.end)
            } else if end {
                origin.written.end
            } else {
                origin.written.start
            }
        });
        (
            &written.text,
            &written.line_starts,
            moved.min(written.text.len()),
        )
    }
}

/// The byte offset of each line's start in `text`.
fn line_starts(text: &str) -> Vec<usize> {
    std::iter::once(0)
        .chain(text.match_indices('\n').map(|(i, _)| i + 1))
        .collect()
}

/// All text files of a run, so spans can be turned into line:column when printing.
#[derive(Debug, Default, Clone)]
pub struct SourceMap {
    files: Vec<SourceFile>,
}

impl SourceMap {
    /// Register a file's text and get its id.
    pub fn add(&mut self, name: impl Into<String>, text: String) -> FileId {
        let line_starts = line_starts(&text);
        self.files.push(SourceFile {
            name: name.into(),
            text,
            line_starts,
            written: None,
        });
        FileId((self.files.len() - 1) as u32)
    }

    /// Replace a file's text with the text a preprocessor made of it (an mdBook chapter with
    /// its `{{#include}}`s expanded), `origins` saying where each stretch of it comes from:
    /// spans into the file then point into the new text, and messages quote the file as
    /// written, at the directive for a place in an included file.
    pub fn replace_text(&mut self, id: FileId, text: String, origins: Vec<Origin>) {
        let file = &mut self.files[id.0 as usize];
        let old_text = std::mem::replace(&mut file.text, text);
        let old_starts = std::mem::replace(&mut file.line_starts, line_starts(&file.text));
        file.written = Some(Box::new(Written {
            text: old_text,
            line_starts: old_starts,
            origins,
        }));
    }

    /// The file behind an id. Ids come only from [`SourceMap::add`] on this map.
    pub fn get(&self, id: FileId) -> &SourceFile {
        &self.files[id.0 as usize]
    }

    /// Every file registered, in the order they were added.
    pub fn files(&self) -> impl Iterator<Item = &SourceFile> {
        self.files.iter()
    }

    /// The file behind an id, if this map has it.
    pub fn try_get(&self, id: FileId) -> Option<&SourceFile> {
        self.files.get(id.0 as usize)
    }

    /// 1-based line and column (in characters) of a byte offset, in the file as written.
    pub fn line_col(&self, id: FileId, offset: usize) -> (usize, usize) {
        let (text, line_starts, offset) = self.get(id).shown(offset, false);
        let offset = offset.min(text.len());
        let line = line_starts.partition_point(|&s| s <= offset) - 1;
        let start = line_starts[line];
        let column = text
            .get(start..offset)
            .map_or(offset - start, |s| s.chars().count());
        (line + 1, column + 1)
    }

    /// `file:line:col` for a span, as printed in messages and JSON.
    pub fn location(&self, span: &Span) -> String {
        let (line, col) = self.line_col(span.file, span.range.start);
        format!("{}:{}:{}", self.get(span.file).name, line, col)
    }
}

/// Print every diagnostic rustc-style (source line, caret, hint) to `out`. A long source
/// line is shown as a window around the column ([`Excerpt`]); of each kind of diagnostic
/// (code and file), the first [`SHOWN_PER_KIND`] are printed, then one line counting the
/// rest (the JSON output lists them all).
pub fn render_human(
    diagnostics: &Diagnostics,
    sources: &SourceMap,
    out: &mut dyn term::WriteStyle,
) -> std::io::Result<()> {
    let config = term::Config::default();
    let totals = kind_totals(diagnostics, sources);
    let mut shown: BTreeMap<(&str, &str), usize> = BTreeMap::new();
    for d in diagnostics.items() {
        let kind = (d.code, kind_file(d, sources));
        let count = shown.entry(kind).or_default();
        *count += 1;
        if *count > SHOWN_PER_KIND {
            continue;
        }
        let excerpt = d.span.as_ref().and_then(|span| Excerpt::of(span, sources));
        let rendered = to_codespan(d, excerpt.as_ref());
        let files = excerpt.unwrap_or_default();
        term::emit_to_write_style(out, &config, &files, &rendered)
            .map_err(|e| std::io::Error::other(e.to_string()))?;
        let total = totals.get(&kind).copied().unwrap_or(0);
        if *count == SHOWN_PER_KIND && total > SHOWN_PER_KIND {
            let more = more_of_a_kind(d, kind.1, total - SHOWN_PER_KIND);
            term::emit_to_write_style(out, &config, &files, &more)
                .map_err(|e| std::io::Error::other(e.to_string()))?;
        }
    }
    Ok(())
}

fn to_codespan(d: &Diagnostic, excerpt: Option<&Excerpt>) -> cs::Diagnostic<()> {
    let base = match d.severity {
        Severity::Error => cs::Diagnostic::error(),
        Severity::Warning => cs::Diagnostic::warning(),
    };
    let mut message = d.message.clone();
    if let (None, Some(path)) = (&d.span, &d.path) {
        message = format!("{}: {}", path.display(), message);
    }
    let message = escape_controls(&message).into_owned();
    let mut out = base.with_code(d.code).with_message(message);
    if let Some(excerpt) = excerpt {
        out = out.with_labels(vec![cs::Label::primary((), excerpt.label.clone())]);
    }
    if let Some(hint) = &d.hint {
        out = out.with_notes(vec![format!("hint: {}", escape_controls(hint))]);
    }
    out
}

// ---------------------------------------------------------------------------------------
// Repeated diagnostics

/// How many diagnostics of one code in one file are printed in full.
pub(crate) const SHOWN_PER_KIND: usize = 20;

/// The file a diagnostic's kind is counted in: its span's file, its path, or none.
fn kind_file<'a>(d: &'a Diagnostic, sources: &'a SourceMap) -> &'a str {
    let spanned = d.span.as_ref().and_then(|s| sources.try_get(s.file));
    match (spanned, &d.path) {
        (Some(file), _) => &file.name,
        (None, Some(path)) => path.to_str().unwrap_or(""),
        (None, None) => "",
    }
}

/// How many diagnostics there are of each kind (code and file).
fn kind_totals<'a>(
    diagnostics: &'a Diagnostics,
    sources: &'a SourceMap,
) -> BTreeMap<(&'a str, &'a str), usize> {
    let mut totals = BTreeMap::new();
    for d in diagnostics.items() {
        *totals.entry((d.code, kind_file(d, sources))).or_default() += 1;
    }
    totals
}

/// "… and 980 more W0201 warnings in chapters/a.md", after the last one printed.
fn more_of_a_kind(d: &Diagnostic, file: &str, more: usize) -> cs::Diagnostic<()> {
    let what = match (d.severity, more) {
        (Severity::Error, 1) => "error",
        (Severity::Error, _) => "errors",
        (Severity::Warning, 1) => "warning",
        (Severity::Warning, _) => "warnings",
    };
    let place = if file.is_empty() {
        String::new()
    } else {
        format!(" in {file}")
    };
    cs::Diagnostic::note().with_message(format!(
        "… and {more} more {} {what}{place} (`--message-format json` lists them all)",
        d.code
    ))
}

// ---------------------------------------------------------------------------------------
// Windowed excerpts of source lines

/// Lines longer than this many characters are shown as a window of this width.
pub(crate) const EXCERPT_WIDTH: usize = 100;
/// How many characters of the window come before the column.
const EXCERPT_BEFORE: usize = 40;
/// Marks text cut from either end of a windowed line.
const CUT_MARK: &str = "…";

/// The source line a diagnostic points into, cut to a window around its column when long
/// (codespan-reporting would print the whole line, for every diagnostic on it: 12.5 MB
/// lines made gigabytes of output). It presents itself to codespan-reporting as a file of
/// one line that carries the real line number and columns.
#[derive(Debug, Default)]
struct Excerpt {
    /// The file's name, as shown.
    name: String,
    /// The window of the line, with [`CUT_MARK`] where text was cut.
    text: String,
    /// 1-based number of the line in its file.
    line: usize,
    /// Characters of the line left out before the window.
    chars_before: usize,
    /// Bytes of [`CUT_MARK`] at the start of `text` (0 when nothing was cut there).
    mark_len: usize,
    /// The span's part inside the window, as a byte range of `text`.
    label: Range<usize>,
}

impl Excerpt {
    /// The window of the span's first line, or `None` when the span's file is unknown.
    fn of(span: &Span, sources: &SourceMap) -> Option<Excerpt> {
        let file = sources.try_get(span.file)?;
        let (text, line_starts, start) = file.shown(span.range.start, false);
        let (_, _, end) = file.shown(span.range.end, true);
        let start = floor_char_boundary(text, start.min(text.len()));
        let end = floor_char_boundary(text, end.clamp(start, text.len()));
        let line_index = line_starts.partition_point(|&s| s <= start) - 1;
        let line_start = line_starts[line_index];
        let line_end = text[line_start..]
            .find('\n')
            .map_or(text.len(), |n| line_start + n);
        let line = text[line_start..line_end].trim_end_matches('\r');
        let column = text[line_start..start].chars().count();
        let (window, chars_before) = window_of(line, column);
        let cut_before = chars_before > 0;
        let window_end = window.start + window.text.len();
        let mark_len = if cut_before { CUT_MARK.len() } else { 0 };
        let mut shown = String::with_capacity(window.text.len() + 2 * CUT_MARK.len());
        if cut_before {
            shown.push_str(CUT_MARK);
        }
        shown.push_str(window.text);
        if window_end < line.len() {
            shown.push_str(CUT_MARK);
        }
        let in_line = |offset: usize| offset - line_start;
        let label_start = in_line(start).clamp(window.start, window_end) - window.start;
        let label_end = in_line(end.min(line_start + line.len())).clamp(window.start, window_end)
            - window.start;
        let label = label_start + mark_len..label_end.max(label_start) + mark_len;
        // Control characters are printed escaped, one character for one: the label moves to
        // the same characters of the escaped text.
        let chars_to = |at: usize| shown[..at].chars().count();
        let label_chars = chars_to(label.start)..chars_to(label.end);
        let escaped = escape_controls(&shown).into_owned();
        let label = byte_at_in(&escaped, label_chars.start)..byte_at_in(&escaped, label_chars.end);
        Some(Excerpt {
            name: escape_controls(&file.name).into_owned(),
            text: escaped,
            line: line_index + 1,
            chars_before,
            mark_len,
            label,
        })
    }
}

/// A part of a line: its byte offset in the line and its text.
struct Window<'a> {
    start: usize,
    text: &'a str,
}

/// The part of `line` shown around character `column`: the whole line when it is at most
/// [`EXCERPT_WIDTH`] characters, else that many characters with [`EXCERPT_BEFORE`] of them
/// before the column. Also returns how many characters come before the window.
fn window_of(line: &str, column: usize) -> (Window<'_>, usize) {
    let length = line.chars().count();
    if length <= EXCERPT_WIDTH {
        return (
            Window {
                start: 0,
                text: line,
            },
            0,
        );
    }
    let first = column
        .saturating_sub(EXCERPT_BEFORE)
        .min(length - EXCERPT_WIDTH);
    let start = byte_at_in(line, first);
    let end = start + byte_at_in(&line[start..], EXCERPT_WIDTH);
    (
        Window {
            start,
            text: &line[start..end],
        },
        first,
    )
}

/// Byte offset of the `chars`-th character of `text` (its length when shorter).
fn byte_at_in(text: &str, chars: usize) -> usize {
    text.char_indices()
        .nth(chars)
        .map_or(text.len(), |(i, _)| i)
}

/// The largest character boundary at or before `at`.
fn floor_char_boundary(text: &str, mut at: usize) -> usize {
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

impl<'a> Files<'a> for Excerpt {
    type FileId = ();
    type Name = &'a str;
    type Source = &'a str;

    fn name(&'a self, (): ()) -> Result<&'a str, files::Error> {
        Ok(&self.name)
    }

    fn source(&'a self, (): ()) -> Result<&'a str, files::Error> {
        Ok(&self.text)
    }

    fn line_index(&'a self, (): (), _byte_index: usize) -> Result<usize, files::Error> {
        Ok(0)
    }

    fn line_number(&'a self, (): (), _line_index: usize) -> Result<usize, files::Error> {
        Ok(self.line)
    }

    fn column_number(
        &'a self,
        (): (),
        _line_index: usize,
        byte_index: usize,
    ) -> Result<usize, files::Error> {
        let at = floor_char_boundary(&self.text, byte_index.clamp(self.mark_len, self.text.len()));
        let in_window = self.text[self.mark_len..at].chars().count();
        Ok(self.chars_before + in_window + 1)
    }

    fn line_range(&'a self, (): (), _line_index: usize) -> Result<Range<usize>, files::Error> {
        Ok(0..self.text.len())
    }
}

/// `text` safe to print on a terminal: a control character a hostile file could use to
/// move the cursor, clear the screen or recolour the output (C0 but tab and line feed, a
/// carriage return not ending a line, DEL, C1) is shown escaped, C0 and DEL as their
/// Control Pictures (ESC as `␛`) and C1 as U+FFFD (`�`): one character for one, so that
/// the columns codespan prints stay those of the file.
pub fn escape_controls(text: &str) -> std::borrow::Cow<'_, str> {
    let needs = |c: char| c.is_control() && !matches!(c, '\t' | '\n' | '\r');
    if !text.contains(needs) && !text.contains('\r') {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for (at, c) in text.char_indices() {
        match control_escape(c, text[at + c.len_utf8()..].starts_with('\n')) {
            Some(escaped) => out.push(escaped),
            None => out.push(c),
        }
    }
    if out == text {
        return std::borrow::Cow::Borrowed(text);
    }
    std::borrow::Cow::Owned(out)
}

/// The escape [`escape_controls`] prints for `c` (`line_end`: a line feed follows), or
/// `None` when `c` is printed as it is.
fn control_escape(c: char, line_end: bool) -> Option<char> {
    match c {
        '\t' | '\n' => None,
        '\r' if line_end => None,
        '\u{0}'..='\u{1f}' => char::from_u32(0x2400 + c as u32),
        '\u{7f}' => Some('\u{2421}'),
        // C1 has no Control Pictures: the replacement character keeps columns exact.
        '\u{80}'..='\u{9f}' => Some('\u{fffd}'),
        _ => None,
    }
}

/// One JSON object per line per diagnostic, for CI (`--message-format json`).
pub fn render_json(diagnostics: &Diagnostics, sources: &SourceMap) -> String {
    let mut out = String::new();
    for d in diagnostics.items() {
        let mut obj = serde_json::Map::new();
        let severity = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        obj.insert("severity".into(), severity.into());
        obj.insert("code".into(), d.code.into());
        obj.insert("message".into(), d.message.clone().into());
        if let Some(span) = d
            .span
            .as_ref()
            .filter(|s| sources.try_get(s.file).is_some())
        {
            let (line, col) = sources.line_col(span.file, span.range.start);
            obj.insert("file".into(), sources.get(span.file).name.clone().into());
            obj.insert("line".into(), line.into());
            obj.insert("column".into(), col.into());
        } else if let Some(path) = &d.path {
            obj.insert("file".into(), path.display().to_string().into());
        }
        if let Some(hint) = &d.hint {
            obj.insert("hint".into(), hint.clone().into());
        }
        out.push_str(&serde_json::Value::Object(obj).to_string());
        out.push('\n');
    }
    out
}

/// The closest candidates to `wanted` by edit distance, for "did you mean" hints.
pub(crate) fn closest<'a>(
    wanted: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Vec<&'a str> {
    let limit = (wanted.chars().count() / 3).max(2);
    let mut scored: Vec<(usize, &str)> = candidates
        .into_iter()
        .map(|c| (edit_distance(wanted, c), c))
        .filter(|(d, _)| *d <= limit)
        .collect();
    scored.sort();
    scored.into_iter().take(3).map(|(_, c)| c).collect()
}

/// Levenshtein distance over chars (small strings only: keys, field names).
pub(crate) fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            let next = (prev + cost).min(row[j] + 1).min(row[j + 1] + 1);
            prev = row[j + 1];
            row[j + 1] = next;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeated_warnings_fold_into_the_first_of_their_code_and_errors_never() {
        let mut sources = SourceMap::default();
        let file = sources.add("a.md", "one\ntwo\nthree\n".to_string());
        let mut diags = Diagnostics::default();
        for (line, code) in [
            (0, "W0308"),
            (4, "W0308"),
            (8, "W0201"),
            (4, "E0100"),
            (8, "E0100"),
        ] {
            let diagnostic = if code.starts_with('E') {
                Diagnostic::error(code, format!("error {line}"))
            } else {
                Diagnostic::warning(code, format!("missing {line}"))
            };
            diags.push(diagnostic.at(Span::new(file, line..line + 1)));
        }
        diags.fold_repeated_warnings(&sources);
        let messages: Vec<&str> = diags.items().iter().map(|d| d.message.as_str()).collect();
        assert_eq!(
            messages,
            [
                "missing 0 (1 more like it: a.md:2:1: missing 4)",
                "missing 8",
                "error 4",
                "error 8"
            ]
        );
    }

    #[test]
    fn line_col_counts_characters_not_bytes() {
        let mut map = SourceMap::default();
        let id = map.add("a.md", "ab\nខ្មែរ x\n".to_string());
        let x = map.get(id).text.find('x').unwrap();
        assert_eq!(map.line_col(id, x), (2, 7));
        assert_eq!(map.line_col(id, 0), (1, 1));
    }

    #[test]
    fn control_characters_are_escaped_and_spans_follow() {
        assert_eq!(escape_controls("plain\ttext\r\n"), "plain\ttext\r\n");
        assert_eq!(escape_controls("a\u{1b}[2Jb"), "a\u{241b}[2Jb");
        assert_eq!(
            escape_controls("\u{9b}x\u{7f}\ry"),
            "\u{fffd}x\u{2421}\u{240d}y"
        );
        // In a short line and in a window of a long one, the caret stays under the span.
        for pad in [0, 3_000] {
            let text = format!("{}ab\u{1b}cd\u{9b}ef <x> tail\n", "z".repeat(pad));
            let at = text.find("<x>").unwrap();
            let out = human(&text, vec![warning_at(at..at + 3)]);
            assert!(
                !out.contains('\u{1b}') && !out.contains('\u{9b}'),
                "{out:?}"
            );
            let shown = out.lines().find(|l| l.starts_with("1 │")).unwrap();
            assert!(shown.contains("ab\u{241b}cd\u{fffd}ef <x>"), "{shown}");
            let caret = out.lines().find(|l| l.contains('^')).unwrap();
            let caret_at = caret.chars().position(|c| c == '^');
            let tag_at = shown.find("<x>").map(|b| shown[..b].chars().count());
            assert_eq!(caret_at, tag_at, "{out}");
            assert!(out.contains(&format!("a.md:1:{}", pad + 10)), "{out}");
        }
    }

    #[test]
    fn closest_suggests_near_keys() {
        let keys = ["kiernan1996", "chandler1999voices", "short2005"];
        assert_eq!(closest("kiernan1969", keys), vec!["kiernan1996"]);
        assert!(closest("zzzzzz", keys).is_empty());
    }

    /// The human rendering of `diagnostics` over one file holding `text`.
    fn human(text: &str, diagnostics: Vec<Diagnostic>) -> String {
        let mut map = SourceMap::default();
        map.add("a.md", text.to_string());
        let mut diags = Diagnostics::default();
        diagnostics.into_iter().for_each(|d| diags.push(d));
        let mut out = codespan_reporting::term::termcolor::NoColor::new(Vec::new());
        render_human(&diags, &map, &mut out).unwrap();
        String::from_utf8(out.into_inner()).unwrap()
    }

    fn warning_at(range: Range<usize>) -> Diagnostic {
        Diagnostic::warning(code::HTML_DROPPED, "dropped").at(Span::new(FileId(0), range))
    }

    #[test]
    fn a_short_line_is_shown_whole() {
        let text = "# T\n\nSome <blink>x</blink> text.\n";
        let at = text.find("<blink>").unwrap();
        let out = human(text, vec![warning_at(at..at + 7)]);
        let expected = "warning[W0201]: dropped\n  ┌─ a.md:3:6\n  │\n3 │ Some <blink>x</blink> text.\n  │      ^^^^^^^\n\n";
        assert_eq!(out, expected);
    }

    #[test]
    fn a_long_line_is_shown_as_a_window_with_true_columns() {
        // Khmer before the span: columns count characters, the window cuts between them.
        let line = format!("{}<blink>{}", "ខ្មែរ ".repeat(300), "x".repeat(5_000));
        let text = format!("a\n{line}\n");
        let at = text.find("<blink>").unwrap();
        let out = human(&text, vec![warning_at(at..at + 7)]);
        let (_, column) = {
            let mut map = SourceMap::default();
            let id = map.add("a.md", text.clone());
            map.line_col(id, at)
        };
        assert!(out.contains(&format!("a.md:2:{column}")), "{out}");
        let shown = out.lines().find(|l| l.starts_with("2 │")).unwrap();
        assert!(shown.starts_with("2 │ …"), "{shown}");
        assert!(shown.ends_with('…'), "{shown}");
        assert_eq!(shown.chars().count(), "2 │ ".len() - 2 + EXCERPT_WIDTH + 2);
    }

    #[test]
    fn the_caret_stays_under_the_span_in_a_window() {
        let text = format!("{}<blink>{}\n", "a".repeat(3_000), "b".repeat(3_000));
        let out = human(&text, vec![warning_at(3_000..3_007)]);
        assert!(out.contains("a.md:1:3001"), "{out}");
        let shown = out.lines().find(|l| l.starts_with("1 │")).unwrap();
        let caret = out.lines().find(|l| l.contains('^')).unwrap();
        let caret_at = caret.chars().position(|c| c == '^');
        let tag_at = shown.find("<blink>").map(|b| shown[..b].chars().count());
        assert_eq!(caret_at, tag_at, "{out}");
        assert_eq!(caret.matches('^').count(), 7);
    }

    #[test]
    fn a_span_at_the_end_of_a_long_line_keeps_the_line_end() {
        let line = "y".repeat(1_000);
        let text = format!("{line}\r\nnext\n");
        let out = human(&text, vec![warning_at(999..1_003)]);
        assert!(out.contains("a.md:1:1000"), "{out}");
        let shown = out.lines().find(|l| l.starts_with("1 │")).unwrap();
        assert!(
            shown.starts_with("1 │ …") && shown.ends_with('y'),
            "{shown:?}"
        );
    }

    #[test]
    fn repeated_diagnostics_of_a_kind_are_counted_after_the_first_twenty() {
        let text = "x\n".repeat(30);
        let mut diagnostics: Vec<Diagnostic> =
            (0..30).map(|n| warning_at(2 * n..2 * n + 1)).collect();
        diagnostics
            .push(Diagnostic::error(code::BROKEN_LINK, "other").at(Span::new(FileId(0), 0..1)));
        let out = human(&text, diagnostics);
        assert_eq!(out.matches("warning[W0201]").count(), SHOWN_PER_KIND);
        assert!(
            out.contains("… and 10 more W0201 warnings in a.md"),
            "{out}"
        );
        assert!(
            out.contains("error[E0104]: other"),
            "another kind is still shown"
        );
    }
}
