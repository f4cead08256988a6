//! Markdown to the document model: pulldown-cmark events become an owned tree with spans.
//!
//! The tree is built with an explicit stack (no recursion over the input), so a hostile file
//! with ten thousand nested quotes cannot overflow the stack; nesting deeper than
//! `MAX_DEPTH` is flattened into the innermost allowed container and reported once.
//! Citations in pandoc syntax are recognised here, in text only (never in code), so backends
//! receive `Inline::Cite` nodes and never look at Markdown again.

mod attributes;
mod blocks;
mod builder;
mod captions;
pub(crate) mod citations;
mod close;
mod divs;
mod front_matter;
pub(crate) mod html;
pub(crate) mod index;
mod inline_notes;
mod labelled;
mod latex_text;
mod math;
mod open;
mod raw_html;
mod reparse;
mod styled_citations;
mod text_runs;
mod tilde_definitions;
mod wrappers;

pub(crate) use front_matter::FrontMatter;

use pulldown_cmark::{Options, Parser};

use crate::diag::{Diagnostics, FileId, Span};
use crate::doc::{Block, Note};
use builder::Builder;

/// Containers nested deeper than this are flattened (with a diagnostic).
const MAX_DEPTH: usize = 64;

/// One chapter file after parsing, before book-wide resolution.
#[derive(Debug, Clone)]
pub(crate) struct ParsedChapter {
    /// Settings from the chapter's front matter.
    pub front: FrontMatter,
    /// The chapter's blocks.
    pub blocks: Vec<Block>,
    /// Footnote definitions in the order written (numbered later by resolve).
    pub notes: Vec<Note>,
    /// Labels octavo cannot number (see [`ForeignLabel`]).
    pub foreign_labels: Vec<ForeignLabel>,
}

/// A label written where octavo cannot give it a number: references to it are warnings
/// naming why, not unknown labels.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ForeignLabel {
    /// The label as written (`fig-trend`).
    pub label: String,
    /// Where it is defined.
    pub span: Span,
    /// Why octavo cannot number it.
    pub why: ForeignReason,
}

/// Why a label cannot be numbered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ForeignReason {
    /// `#| label:` in a code chunk (```` ```{r} ````) that Quarto would run to make the figure
    /// or table; octavo prints the chunk's code and runs nothing.
    CodeChunk {
        /// The chunk's language (`r`, `python`).
        language: String,
    },
    /// `{#eq-x}` that follows no display formula.
    Equation,
    /// A `::: {#fig-x}` div that holds something other than one image (or one table, one
    /// code block for `tbl-` and `lst-`).
    UnsupportedDiv,
}

/// The pulldown-cmark extensions octavo enables.
pub fn parser_options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_SMART_PUNCTUATION
        | Options::ENABLE_HEADING_ATTRIBUTES
        | Options::ENABLE_YAML_STYLE_METADATA_BLOCKS
        | Options::ENABLE_PLUSES_DELIMITED_METADATA_BLOCKS
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_MATH
        | Options::ENABLE_SUPERSCRIPT
        | Options::ENABLE_SUBSCRIPT
}

/// The extensions for reading `text`: [`parser_options`] and pandoc's definition lists
/// (loose ones, and definitions of several paragraphs, included), unless a line of `text`
/// could be misread as a definition. pulldown-cmark, like cmark, reads a colon with no space
/// after it as a definition marker, so a fenced div's `:::` under a paragraph (even after a
/// blank line) would become a definition of that paragraph; and a Quarto caption
/// `: Caption {#tbl-x}` written away from its table would become one too, where the author
/// is told instead that it has no table. A chapter with such lines keeps its divs and
/// captions, and its tight definition lists are read from their paragraphs (see
/// `blocks::paragraph_block`).
pub fn parser_options_for(text: &str) -> Options {
    if text.lines().any(misread_as_definition) {
        parser_options()
    } else {
        parser_options() | Options::ENABLE_DEFINITION_LIST
    }
}

/// True for a line that opens with `::` (a div fence) or is a labelled caption `: … {#…}`,
/// after at most three spaces.
fn misread_as_definition(line: &str) -> bool {
    let indent = line.len() - line.trim_start_matches(' ').len();
    let rest = &line[indent..];
    indent <= 3
        && (rest.starts_with("::")
            || (rest.starts_with(':') && rest.trim_end().ends_with('}') && rest.contains("{#")))
}

/// The chapter's text as octavo hands it to pulldown-cmark, when that differs from the
/// source: LaTeX's `\(…\)` and `\[…\]` as dollars, list markers inside `$$…$$` kept as
/// mathematics (see `math::with_bracket_math_as_dollars`). Tools that read a chapter's
/// Markdown as octavo does (the word checks of the tests) start from it.
pub fn math_prepared_source(text: &str) -> Option<String> {
    math::with_bracket_math_as_dollars(text).map(|(text, _)| text)
}

/// How a chapter written for another tool is read.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Dialect {
    /// Front-matter keys octavo does not know belong to that tool: they are collected in
    /// [`FrontMatter::foreign_keys`] (and reported once for the book), not errors.
    pub foreign_front_matter: bool,
    /// mdBook's conventions: hidden lines (`# ` in a Rust block) are left out, `##` is `#`,
    /// and `@name` is text (mdBook has no citations).
    pub mdbook_code: bool,
    /// Quarto's code chunks: their `#|` option lines are left out (a book written for
    /// Quarto; in octavo's own books every line of a code block is printed).
    pub chunk_options: bool,
}

/// Parse one chapter's Markdown into blocks and notes (octavo's own dialect).
#[cfg(test)]
pub(crate) fn parse_chapter(file: FileId, text: &str, diags: &mut Diagnostics) -> ParsedChapter {
    parse_chapter_in(file, text, Dialect::default(), diags)
}

/// Parse one chapter's Markdown, written for the tool `dialect` describes.
pub(crate) fn parse_chapter_in(
    file: FileId,
    text: &str,
    dialect: Dialect,
    diags: &mut Diagnostics,
) -> ParsedChapter {
    let colons = tilde_definitions::with_colon_markers(text);
    let text = colons.as_deref().unwrap_or(text);
    let rewritten = math::with_bracket_math_as_dollars(text);
    let (text, shifts) = match &rewritten {
        Some((text, shifts)) => (text.as_str(), shifts.clone()),
        None => (text, Vec::new()),
    };
    let mut builder = Builder::new(file, text, diags);
    builder.shifts = shifts;
    builder.dialect = dialect;
    for (event, range) in Parser::new_ext(text, parser_options_for(text)).into_offset_iter() {
        builder.event(event, range);
    }
    builder.finish()
}

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_labels;
