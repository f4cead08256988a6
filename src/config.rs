//! `book.toml`: the book's metadata and settings, parsed strictly.
//!
//! Unknown keys are errors (a typo must not silently drop a setting), and every value that can
//! be wrong (identifier, date, language, lengths) is validated here with the span of the value,
//! so the message names the line and column in book.toml.

use serde::Deserialize;
use toml::Spanned;

use crate::diag::{code, Diagnostic, Diagnostics, FileId, Span};
use crate::doc::{Contributor, FrontMatterOptions, Identifier, Role, Series};
use crate::units::Pt;
pub(crate) use standards::{PdfStandard, StandardNames};

pub(crate) mod foreign;
pub(crate) mod print;
mod standards;

/// The raw contents of book.toml, as the user wrote them.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct BookConfig {
    /// Main title (required; in an mdBook it may come from `[book]` instead).
    #[serde(default = "missing_title")]
    pub title: Spanned<String>,
    /// Subtitle.
    pub subtitle: Option<String>,
    /// Contributors in display order.
    #[serde(default)]
    pub authors: Vec<AuthorConfig>,
    /// BCP 47 language tag; `en` when absent.
    pub language: Option<Spanned<String>>,
    /// ISBN-13 or UUID; derived from title and authors when absent.
    pub identifier: Option<Spanned<String>>,
    /// Publisher name.
    pub publisher: Option<String>,
    /// Publication date: `YYYY`, `YYYY-MM` or `YYYY-MM-DD`.
    pub date: Option<Spanned<String>>,
    /// Rights statement for the copyright page.
    pub rights: Option<String>,
    /// Licence (SPDX id such as `CC-BY-4.0`, or free text).
    pub license: Option<String>,
    /// Short description.
    pub description: Option<String>,
    /// Subject headings.
    #[serde(default)]
    pub subjects: Vec<String>,
    /// Series this book belongs to.
    pub series: Option<SeriesConfig>,
    /// Cover image path, relative to the book folder.
    pub cover: Option<Spanned<String>>,
    /// Chapter files in reading order; default: natural sort of `chapters/*.md`.
    pub chapters: Option<Vec<Spanned<String>>>,
    /// Generated front-matter pages.
    #[serde(default)]
    pub front_matter: FrontMatterConfig,
    /// Generated back-matter pages (the index).
    #[serde(default)]
    pub back_matter: BackMatterConfig,
    /// Bibliography file (`.bib`, hayagriva `.yaml`, CSL `.json`), or a list of files of one
    /// format (read as one; a key in two files is reported).
    pub bibliography: Option<Spanned<toml::Value>>,
    /// Citation style name or `.csl` path.
    pub csl: Option<Spanned<String>>,
    /// Keys to list in the references even when not cited (`["*"]` for all).
    #[serde(default)]
    pub nocite: Vec<String>,
    /// Title of the references page, overriding the style's.
    pub references_title: Option<String>,
    /// Output file stem; default derived from the title.
    pub slug: Option<Spanned<String>>,
    /// EPUB settings.
    #[serde(default)]
    pub epub: EpubConfig,
    /// Fonts (for the PDF, and the EPUB when embedding).
    #[serde(default)]
    pub fonts: FontsConfig,
    /// PDF settings.
    #[serde(default)]
    pub pdf: PdfConfig,
    /// Numbers of figures, tables and sections, captions and references.
    #[serde(default)]
    pub numbering: NumberingConfig,
    /// Mathematics: the book's own LaTeX commands.
    #[serde(default)]
    pub math: MathConfig,
    /// The print edition: bleed, paper, ISBN.
    #[serde(default)]
    pub print: print::PrintConfig,
}

/// `[math]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case", default)]
pub struct MathConfig {
    /// The book's commands, by name without the backslash: `R = '\mathbb{R}'`,
    /// `norm = '\left\lVert #1 \right\rVert'` (`#1`…`#9` are the arguments).
    pub macros: std::collections::BTreeMap<String, Spanned<String>>,
}

/// `[numbering]`: how figures, tables, listings and sections are numbered and captioned.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case", default)]
pub struct NumberingConfig {
    /// `chapter` (Figure 3.2, the default), `book` (Figure 14) or `none`.
    pub figures: Option<Spanned<String>>,
    /// Like `figures`, for tables; follows `figures` when absent.
    pub tables: Option<Spanned<String>>,
    /// Number sections (1.2, A.1) in the headings, the contents and references.
    pub sections: bool,
    /// `below` (default) or `above` the image.
    pub figure_caption: Option<Spanned<String>>,
    /// `above` (default) or `below` the table.
    pub table_caption: Option<Spanned<String>>,
    /// A reference in the PDF adds the page of its target ("Figure 3.2 on page 41").
    pub page_references: bool,
    /// Body chapters: `arabic` (the default), `roman`, `words` or `none` (no number and no
    /// label in the headings and the contents).
    pub chapters: Option<Spanned<String>>,
    /// Parts (`type: part`), numbered apart from the chapters: `none` (the default),
    /// `arabic`, `roman` or `words`.
    pub parts: Option<Spanned<String>>,
    /// The word over a chapter's number; the language's ("Chapter") by default.
    pub chapter_label: Option<String>,
}

/// How figures or tables are numbered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NumberScheme {
    /// Per chapter: Figure 3.2, Figure A.1.
    Chapter,
    /// Through the book: Figure 14.
    Book,
    /// Not numbered (captions print without a number; references print the caption).
    None,
}

/// The numbering schemes book.toml accepts.
const NUMBER_SCHEMES: [&str; 3] = ["chapter", "book", "none"];
/// The chapter openings `[pdf] opening` accepts.
const PDF_OPENINGS: [&str; 2] = ["plain", "small-caps"];
/// The chapter and part number styles book.toml accepts.
const CHAPTER_STYLES: [&str; 4] = ["arabic", "roman", "words", "none"];
/// The caption sides book.toml accepts.
const CAPTION_SIDES: [&str; 2] = ["above", "below"];

/// One `[[authors]]` entry.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct AuthorConfig {
    /// Display name (must not be empty: `dc:creator` needs text).
    pub name: Spanned<String>,
    /// `author` (default), `editor`, `translator` or `illustrator`.
    pub role: Option<Spanned<String>>,
}

/// `[series]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct SeriesConfig {
    /// Series name.
    pub name: String,
    /// Position in the series.
    pub index: Option<f64>,
}

/// `[front-matter]`: which generated pages to include. A book has all of them unless a key
/// says `false`; a handout (`--chapters`) has only those a key sets to `true`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case", default)]
pub struct FrontMatterConfig {
    /// Half-title page.
    pub half_title: Option<bool>,
    /// Title page.
    pub title_page: Option<bool>,
    /// Copyright page.
    pub copyright: Option<bool>,
    /// Contents page.
    pub toc: Option<bool>,
    /// A list of figures after the contents (off unless set).
    pub list_of_figures: Option<bool>,
    /// A list of tables after the contents (off unless set).
    pub list_of_tables: Option<bool>,
}

/// `[back-matter]`: generated pages after the text. Off unless a key turns them on.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case", default)]
pub struct BackMatterConfig {
    /// An index of the terms the text marks (`\index{…}`, `[text]{.index}`), last in the
    /// book.
    pub index: Option<bool>,
}

/// `[epub]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case", default)]
pub struct EpubConfig {
    /// Embed the book's fonts in the EPUB (readers may still override them).
    pub embed_fonts: bool,
    /// Extra stylesheet (path in the book folder) appended after the default one.
    pub css: Option<Spanned<String>>,
    /// How formulas are written: `mathml` (the default) or `svg` (an image per formula, for
    /// readers without MathML).
    pub math: Option<Spanned<String>>,
    /// The EPUB edition's ISBN-13 (its `dc:identifier`; each edition has its own).
    pub isbn: Option<Spanned<String>>,
}

/// How the EPUB writes formulas.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum EpubMath {
    /// Presentation MathML with the LaTeX as `alttext` (the default).
    #[default]
    MathMl,
    /// An SVG image per formula, drawn from the PDF's layout, with the LaTeX as alt text.
    Svg,
}

impl EpubMath {
    /// The setting for book.toml's `[epub] math` value; `None` for an unknown one.
    pub fn from_config(value: &str) -> Option<EpubMath> {
        match value {
            "mathml" => Some(EpubMath::MathMl),
            "svg" => Some(EpubMath::Svg),
            _ => None,
        }
    }
}

/// The values `[epub] math` takes, for the hint of an unknown one.
pub(crate) const EPUB_MATH_VALUES: [&str; 2] = ["mathml", "svg"];

/// `[fonts]`: font folders or files inside the book folder; octavo's own fonts otherwise.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case", default)]
pub struct FontsConfig {
    /// Text face folder (regular, italic, bold, bold italic).
    pub serif: Option<Spanned<String>>,
    /// Monospace face folder.
    pub mono: Option<Spanned<String>>,
    /// Fallback faces tried per glyph, in order.
    pub fallback: Vec<Spanned<String>>,
    /// Look in the system's fonts for the characters the book's faces cannot draw.
    pub system: bool,
}

/// `[pdf]`: the PDF profile and its overrides.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case", default)]
pub struct PdfConfig {
    /// `print` (6x9 in, recto openings), `a4` or `letter`.
    pub profile: Option<Spanned<String>>,
    /// Page width, e.g. `6in`, `210mm`.
    pub page_width: Option<Spanned<String>>,
    /// Page height.
    pub page_height: Option<Spanned<String>>,
    /// Body text size, e.g. `10.5pt`.
    pub font_size: Option<Spanned<String>>,
    /// Baseline-to-baseline distance, e.g. `13.5pt`.
    pub leading: Option<Spanned<String>>,
    /// Margins.
    pub margins: MarginsConfig,
    /// Use old-style figures in running text when the font has them.
    pub oldstyle_figures: Option<bool>,
    /// How highlighted code is printed: `colour`, `grey` or `plain` (by default grey in the
    /// print profile, colour in the handouts).
    pub code_theme: Option<Spanned<String>>,
    /// Size of code blocks, e.g. `8.5pt`.
    pub code_size: Option<Spanned<String>>,
    /// Smallest size a code block is set at to make its longest line fit, e.g. `7.5pt`.
    pub code_min_size: Option<Spanned<String>>,
    /// `<details>` (an mdBook's speaker notes): `box` (the default, set like a callout) or
    /// `omit` (left out of the PDF; the EPUB keeps them).
    pub details: Option<Spanned<String>>,
    /// How a chapter's text opens: `plain` (the default) or `small-caps` (its first line
    /// in small capitals).
    pub opening: Option<Spanned<String>>,
    /// A drop cap opens each chapter's text: `true` (three lines), or `2` or `3` lines.
    pub drop_cap: Option<Spanned<toml::Value>>,
    /// The standards the PDF must meet: `pdf/ua-1`, `pdf/a-2b`, `pdf/a-2a` or `pdf/x-4`,
    /// one or a list.
    pub standard: Option<Spanned<StandardNames>>,
}

/// `[pdf.margins]`, as lengths with units.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case", default)]
pub struct MarginsConfig {
    /// Top margin.
    pub top: Option<Spanned<String>>,
    /// Bottom margin.
    pub bottom: Option<Spanned<String>>,
    /// Inner (binding side) margin.
    pub inner: Option<Spanned<String>>,
    /// Outer margin.
    pub outer: Option<Spanned<String>>,
}

/// The code themes `[pdf] code-theme` may name (see `typeset::style::CodeTheme`).
pub(crate) const PDF_CODE_THEMES: [&str; 5] = ["colour", "color", "grey", "gray", "plain"];

/// The PDF profiles octavo knows.
pub(crate) const PDF_PROFILES: [&str; 3] = ["print", "a4", "letter"];

/// Parse book.toml text; syntax errors, unknown keys and bad values become diagnostics.
pub(crate) fn parse_config(
    file: FileId,
    text: &str,
    diags: &mut Diagnostics,
) -> Option<BookConfig> {
    match toml::from_str::<BookConfig>(text) {
        Ok(config) => {
            validate(file, &config, diags);
            Some(config)
        }
        Err(err) => {
            diags.push(toml_error(file, text, &err));
            None
        }
    }
}

pub(crate) fn toml_error(file: FileId, text: &str, err: &toml::de::Error) -> Diagnostic {
    let message = err.message().trim().to_string();
    let mut d = Diagnostic::error(code::CONFIG_INVALID, format!("book.toml: {message}"));
    if let Some(range) = err.span() {
        let end = range.end.min(text.len());
        d = d.at(Span::new(file, range.start.min(end)..end));
    }
    if let Some(hint) = unknown_key_hint(&message) {
        d = d.with_hint(hint);
    }
    d
}

/// For "unknown field `titel`, expected one of `title`, …", suggest the closest key.
fn unknown_key_hint(message: &str) -> Option<String> {
    let rest = message.strip_prefix("unknown field `")?;
    let (wrong, expected) = rest.split_once('`')?;
    let candidates: Vec<&str> = expected
        .split('`')
        .skip(1)
        .step_by(2)
        .filter(|s| !s.is_empty())
        .collect();
    let best = crate::diag::closest(wrong, candidates.iter().copied());
    match best.first() {
        Some(key) => Some(format!("did you mean `{key}`?")),
        None => Some(format!("known keys here: {}", candidates.join(", "))),
    }
}

/// The title of a book.toml that gives none: empty, at no place (see [`title_missing`]).
fn missing_title() -> Spanned<String> {
    Spanned::new(0..0, String::new())
}

/// True when book.toml gave no title at all (not even an empty one).
pub(crate) fn title_missing(config: &BookConfig) -> bool {
    config.title.span() == (0..0) && config.title.get_ref().is_empty()
}

fn span_of<T>(file: FileId, value: &Spanned<T>) -> Span {
    Span::new(file, value.span())
}

/// `[pdf] standard`: known names, and no two of one family (PDF/A-2b with PDF/A-2a).
fn validate_standards(file: FileId, standard: &Spanned<StandardNames>, diags: &mut Diagnostics) {
    let hint = "write [pdf] standard = \"pdf/ua-1\", \"pdf/a-2b\", \"pdf/a-2a\" or \"pdf/x-4\", \
                or a list such as [\"pdf/ua-1\", \"pdf/a-2b\"]";
    let mut archival = 0;
    let mut print = 0;
    for name in standard.get_ref().names() {
        match PdfStandard::from_name(name) {
            None => diags.push(
                Diagnostic::error(
                    code::PDF_STANDARD_UNKNOWN,
                    format!("book.toml: `{name}` is not a PDF standard octavo can write"),
                )
                .at(span_of(file, standard))
                .with_hint(hint),
            ),
            Some(PdfStandard::X4) => print += 1,
            Some(PdfStandard::A2a | PdfStandard::A2b) => archival += 1,
            Some(PdfStandard::Ua1) => {}
        }
    }
    if print > 0 && archival > 0 {
        diags.push(
            Diagnostic::error(
                code::PDF_STANDARD_UNKNOWN,
                "book.toml: a PDF cannot meet PDF/X-4 and PDF/A at once: PDF/X-4 prints to a \
                 CMYK press condition, PDF/A keeps sRGB, and each needs its own output intent",
            )
            .at(span_of(file, standard))
            .with_hint("choose one: standard = \"pdf/x-4\" for the printer's file, or \"pdf/a-2b\" for the archive"),
        );
    }
    if archival > 1 {
        diags.push(
            Diagnostic::error(
                code::PDF_STANDARD_UNKNOWN,
                "book.toml: a PDF meets one level of PDF/A, not two",
            )
            .at(span_of(file, standard))
            .with_hint("keep pdf/a-2a (which includes pdf/a-2b) or pdf/a-2b"),
        );
    }
}

/// The standards `[pdf] standard` names (the unknown ones left out: `validate` reports
/// them).
pub(crate) fn pdf_standards(config: &PdfConfig) -> Vec<PdfStandard> {
    let Some(standard) = &config.standard else {
        return Vec::new();
    };
    let names = standard.get_ref().names();
    names
        .into_iter()
        .filter_map(PdfStandard::from_name)
        .collect()
}

pub(crate) fn validate(file: FileId, config: &BookConfig, diags: &mut Diagnostics) {
    if title_missing(config) {
        diags.push(
            Diagnostic::error(code::CONFIG_INVALID, "book.toml: missing field `title`")
                .at(Span::new(file, 0..0))
                .with_hint("give the book a title: title = \"…\""),
        );
    } else if config.title.get_ref().trim().is_empty() {
        diags.push(
            Diagnostic::error(code::CONFIG_INVALID, "book.toml: the title is empty")
                .at(span_of(file, &config.title)),
        );
    }
    if let Some(details) = &config.pdf.details {
        if !["box", "omit"].contains(&details.get_ref().as_str()) {
            diags.push(
                Diagnostic::error(
                    code::CONFIG_INVALID,
                    format!(
                        "book.toml: `{}` is not a way to set <details>",
                        details.get_ref()
                    ),
                )
                .at(span_of(file, details))
                .with_hint("write [pdf] details = \"box\" or details = \"omit\""),
            );
        }
    }
    if let Some(standard) = &config.pdf.standard {
        validate_standards(file, standard, diags);
    }
    if let Some(math) = &config.epub.math {
        if EpubMath::from_config(math.get_ref()).is_none() {
            diags.push(
                Diagnostic::error(
                    code::CONFIG_INVALID,
                    format!(
                        "book.toml: `{}` is not a way to write formulas in the EPUB",
                        math.get_ref()
                    ),
                )
                .at(span_of(file, math))
                .with_hint(format!(
                    "write [epub] math = \"{}\" (or \"{}\" for readers without MathML)",
                    EPUB_MATH_VALUES[0], EPUB_MATH_VALUES[1]
                )),
            );
        }
    }
    if let Some(bibliography) = &config.bibliography {
        let files = match bibliography.get_ref() {
            toml::Value::Array(items) => items.iter().all(toml::Value::is_str),
            other => other.is_str(),
        };
        if !files {
            diags.push(
                Diagnostic::error(
                    code::CONFIG_INVALID,
                    "book.toml: `bibliography` names a file or a list of files",
                )
                .at(span_of(file, bibliography))
                .with_hint("write bibliography = \"references.bib\" or bibliography = [\"a.bib\", \"b.bib\"]"),
            );
        }
    }
    if let Some(language) = &config.language {
        if !is_language_tag(language.get_ref()) {
            diags.push(
                Diagnostic::error(
                    code::CONFIG_INVALID,
                    format!("book.toml: `{}` is not a language tag", language.get_ref()),
                )
                .at(span_of(file, language))
                .with_hint("use a BCP 47 tag such as \"en\", \"en-GB\", \"fr\" or \"km\""),
            );
        }
    }
    if let Some(date) = &config.date {
        if !is_date(date.get_ref()) {
            diags.push(
                Diagnostic::error(
                    code::CONFIG_INVALID,
                    format!("book.toml: `{}` is not a date", date.get_ref()),
                )
                .at(span_of(file, date))
                .with_hint("write the date as YYYY-MM-DD, YYYY-MM or YYYY"),
            );
        }
    }
    if let Some(identifier) = &config.identifier {
        if let Err(problem) = parse_identifier(identifier.get_ref()) {
            diags.push(
                Diagnostic::error(code::CONFIG_INVALID, format!("book.toml: {problem}"))
                    .at(span_of(file, identifier))
                    .with_hint("give a valid ISBN-13 or a UUID, or remove `identifier` to get a stable UUID derived from the title and authors"),
            );
        }
    }
    for author in &config.authors {
        if author.name.get_ref().trim().is_empty() {
            diags.push(
                Diagnostic::error(code::CONFIG_INVALID, "book.toml: an author's name is empty")
                    .at(span_of(file, &author.name))
                    .with_hint("write the name as it should appear on the title page, or remove this [[authors]] entry"),
            );
        }
        if let Some(role) = &author.role {
            if parse_role(role.get_ref()).is_none() {
                diags.push(
                    Diagnostic::error(
                        code::CONFIG_INVALID,
                        format!("book.toml: unknown role `{}`", role.get_ref()),
                    )
                    .at(span_of(file, role))
                    .with_hint("roles are author, editor, translator and illustrator"),
                );
            }
        }
    }
    validate_pdf(file, &config.pdf, diags);
    validate_numbering(file, &config.numbering, diags);
    print::validate_editions(file, &config.print, config.epub.isbn.as_ref(), diags);
}

fn validate_numbering(file: FileId, numbering: &NumberingConfig, diags: &mut Diagnostics) {
    let choices: [(&Option<Spanned<String>>, &[&str]); 6] = [
        (&numbering.chapters, &CHAPTER_STYLES),
        (&numbering.parts, &CHAPTER_STYLES),
        (&numbering.figures, &NUMBER_SCHEMES),
        (&numbering.tables, &NUMBER_SCHEMES),
        (&numbering.figure_caption, &CAPTION_SIDES),
        (&numbering.table_caption, &CAPTION_SIDES),
    ];
    for (value, allowed) in choices {
        let Some(value) = value else { continue };
        if !allowed.contains(&value.get_ref().as_str()) {
            diags.push(
                Diagnostic::error(
                    code::CONFIG_INVALID,
                    format!(
                        "book.toml: `{}` is not one of {}",
                        value.get_ref(),
                        allowed.join(", ")
                    ),
                )
                .at(span_of(file, value))
                .with_hint(format!("write one of: {}", allowed.join(", "))),
            );
        }
    }
}

fn validate_pdf(file: FileId, pdf: &PdfConfig, diags: &mut Diagnostics) {
    if let Some(profile) = &pdf.profile {
        if !PDF_PROFILES.contains(&profile.get_ref().as_str()) {
            diags.push(
                Diagnostic::error(
                    code::CONFIG_INVALID,
                    format!("book.toml: unknown PDF profile `{}`", profile.get_ref()),
                )
                .at(span_of(file, profile))
                .with_hint("profiles are print, a4 and letter"),
            );
        }
    }
    if let Some(drop_cap) = &pdf.drop_cap {
        if drop_cap_lines(drop_cap.get_ref()).is_none() {
            diags.push(
                Diagnostic::error(
                    code::CONFIG_INVALID,
                    format!(
                        "book.toml: `drop-cap = {}` is not a drop cap",
                        drop_cap.get_ref()
                    ),
                )
                .at(span_of(file, drop_cap))
                .with_hint("write `drop-cap = true` (three lines), `2` or `3`, or `false`"),
            );
        }
    }
    if let Some(opening) = &pdf.opening {
        if !PDF_OPENINGS.contains(&opening.get_ref().as_str()) {
            diags.push(
                Diagnostic::error(
                    code::CONFIG_INVALID,
                    format!("book.toml: unknown chapter opening `{}`", opening.get_ref()),
                )
                .at(span_of(file, opening))
                .with_hint("openings are plain and small-caps"),
            );
        }
    }
    if let Some(theme) = &pdf.code_theme {
        if !PDF_CODE_THEMES.contains(&theme.get_ref().as_str()) {
            diags.push(
                Diagnostic::error(
                    code::CONFIG_INVALID,
                    format!("book.toml: unknown code theme `{}`", theme.get_ref()),
                )
                .at(span_of(file, theme))
                .with_hint("code themes are colour (or color), grey (or gray) and plain"),
            );
        }
    }
    let m = &pdf.margins;
    let lengths = [
        &pdf.page_width,
        &pdf.page_height,
        &pdf.font_size,
        &pdf.leading,
        &pdf.code_size,
        &pdf.code_min_size,
        &m.top,
        &m.bottom,
        &m.inner,
        &m.outer,
    ];
    for length in lengths.into_iter().flatten() {
        if parse_length(length.get_ref()).is_none() {
            diags.push(
                Diagnostic::error(
                    code::CONFIG_INVALID,
                    format!("book.toml: `{}` is not a length", length.get_ref()),
                )
                .at(span_of(file, length))
                .with_hint("write a number with a unit: pt, mm, cm or in (e.g. \"0.75in\")"),
            );
        }
    }
}

/// A length from `12pt`, `20mm`, `2cm`, `0.75in`.
pub(crate) fn parse_length(text: &str) -> Option<Pt> {
    let text = text.trim();
    let split = text.find(|c: char| c.is_ascii_alphabetic())?;
    let (number, unit) = text.split_at(split);
    let value: f64 = number.trim().parse().ok()?;
    let length = match unit {
        "pt" => Pt::new(value),
        "mm" => Pt::mm(value),
        "cm" => Pt::cm(value),
        "in" => Pt::inches(value),
        _ => return None,
    };
    (value.is_finite() && value > 0.0).then_some(length)
}

/// The role named in book.toml.
pub(crate) fn parse_role(text: &str) -> Option<Role> {
    match text {
        "author" | "aut" => Some(Role::Author),
        "editor" | "edt" => Some(Role::Editor),
        "translator" | "trl" => Some(Role::Translator),
        "illustrator" | "ill" => Some(Role::Illustrator),
        _ => None,
    }
}

/// True for a well-formed BCP 47 language tag (`en`, `en-GB`, `sr-Latn-RS`, `de-CH-1996`,
/// `en-x-private`), as ICU4X parses it. Reading systems and EPUBCheck refuse malformed tags
/// such as `en-a` (an extension with no subtag) in `dc:language`, `xml:lang` and `lang`.
/// Legacy forms ICU does not parse (extended language subtags such as `zh-yue`, grandfathered
/// tags such as `i-klingon`, `_` as separator) are refused too: each has a modern equivalent
/// (`yue`, `tlh`, `en-GB`).
pub(crate) fn is_language_tag(tag: &str) -> bool {
    !tag.contains('_') && icu_locale_core::Locale::try_from_str(tag).is_ok()
}

/// True for `YYYY`, `YYYY-MM` and `YYYY-MM-DD` with a real month and day.
pub(crate) fn is_date(text: &str) -> bool {
    let parts: Vec<&str> = text.split('-').collect();
    let numeric = |s: &str, len: usize| s.len() == len && s.chars().all(|c| c.is_ascii_digit());
    match parts.as_slice() {
        [y] => numeric(y, 4),
        [y, m] => numeric(y, 4) && numeric(m, 2) && (1..=12).contains(&m.parse().unwrap_or(0)),
        [y, m, d] => numeric(y, 4) && numeric(m, 2) && numeric(d, 2) && valid_day(y, m, d),
        _ => false,
    }
}

fn valid_day(y: &str, m: &str, d: &str) -> bool {
    let (Ok(y), Ok(m), Ok(d)) = (y.parse::<u32>(), m.parse::<u32>(), d.parse::<u32>()) else {
        return false;
    };
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1..=days).contains(&d)
}

/// Parse a user identifier: an ISBN-13 (checksum validated) or a UUID.
pub(crate) fn parse_identifier(text: &str) -> Result<Identifier, String> {
    let trimmed = text.trim();
    let lower = trimmed.to_ascii_lowercase();
    let uuid_text = lower.strip_prefix("urn:uuid:").unwrap_or(&lower);
    if let Ok(uuid) = uuid::Uuid::parse_str(uuid_text) {
        return Ok(Identifier::Uuid(uuid.hyphenated().to_string()));
    }
    let isbn_text = lower
        .strip_prefix("urn:isbn:")
        .or_else(|| lower.strip_prefix("isbn"))
        .unwrap_or(&lower);
    let digits: String = isbn_text
        .chars()
        .filter(|c| !matches!(c, '-' | ' ' | ':'))
        .collect();
    if digits.len() != 13 || !digits.chars().all(|c| c.is_ascii_digit()) {
        return Err(format!("`{trimmed}` is neither an ISBN-13 nor a UUID"));
    }
    if !isbn13_checksum_ok(&digits) {
        return Err(format!("ISBN `{trimmed}` has a wrong check digit"));
    }
    Ok(Identifier::Isbn(digits))
}

/// ISBN-13 check: weights 1,3,1,3… over all 13 digits sum to a multiple of 10.
pub(crate) fn isbn13_checksum_ok(digits: &str) -> bool {
    let sum: u32 = digits
        .chars()
        .filter_map(|c| c.to_digit(10))
        .enumerate()
        .map(|(i, d)| if i % 2 == 0 { d } else { 3 * d })
        .sum();
    digits.len() == 13 && sum.is_multiple_of(10)
}

/// A UUID (v5) derived from title and authors: stable across builds and machines.
pub(crate) fn derived_identifier(title: &str, contributors: &[Contributor]) -> Identifier {
    let mut seed = format!("octavo:{title}");
    for c in contributors {
        seed.push('\n');
        seed.push_str(&c.name);
    }
    let uuid = uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_URL, seed.as_bytes());
    Identifier::Uuid(uuid.hyphenated().to_string())
}

impl BookConfig {
    /// Contributors with parsed roles (unknown roles were reported by validation).
    pub fn contributors(&self) -> Vec<Contributor> {
        self.authors
            .iter()
            .map(|a| Contributor {
                name: a.name.get_ref().clone(),
                role: a
                    .role
                    .as_ref()
                    .and_then(|r| parse_role(r.get_ref()))
                    .unwrap_or(Role::Author),
            })
            .collect()
    }

    /// The identifier given, or one derived from title and authors.
    pub fn identifier(&self) -> Identifier {
        self.identifier
            .as_ref()
            .and_then(|i| parse_identifier(i.get_ref()).ok())
            .unwrap_or_else(|| derived_identifier(self.title.get_ref(), &self.contributors()))
    }

    /// The language tag, `en` when absent.
    pub fn language(&self) -> String {
        self.language
            .as_ref()
            .map_or_else(|| "en".to_string(), |l| l.get_ref().clone())
    }

    /// Series metadata.
    pub fn series(&self) -> Option<Series> {
        self.series.as_ref().map(|s| Series {
            name: s.name.clone(),
            index: s.index,
        })
    }

    /// Front-matter switches of the book: every page unless book.toml turns it off.
    pub fn front_matter(&self) -> FrontMatterOptions {
        self.front_matter_or(true)
    }

    /// Front-matter switches of a handout: only the pages book.toml asks for by name.
    pub fn handout_front_matter(&self) -> FrontMatterOptions {
        self.front_matter_or(false)
    }

    fn front_matter_or(&self, unset: bool) -> FrontMatterOptions {
        let f = &self.front_matter;
        FrontMatterOptions {
            half_title: f.half_title.unwrap_or(unset),
            title_page: f.title_page.unwrap_or(unset),
            copyright: f.copyright.unwrap_or(unset),
            toc: f.toc.unwrap_or(unset),
            list_of_figures: f.list_of_figures.unwrap_or(false),
            list_of_tables: f.list_of_tables.unwrap_or(false),
        }
    }

    /// How figures are numbered (`chapter` unless book.toml says otherwise).
    pub(crate) fn figure_numbers(&self) -> NumberScheme {
        scheme(self.numbering.figures.as_ref()).unwrap_or(NumberScheme::Chapter)
    }

    /// How tables are numbered: as figures unless `tables` is given.
    pub(crate) fn table_numbers(&self) -> NumberScheme {
        scheme(self.numbering.tables.as_ref()).unwrap_or_else(|| self.figure_numbers())
    }

    /// The print edition's settings for the typesetter.
    pub fn print_options(&self) -> crate::doc::PrintOptions {
        print::print_options(&self.print)
    }

    /// The EPUB edition's own ISBN, when `[epub] isbn` gives one.
    pub fn epub_isbn(&self) -> Option<crate::doc::Isbn> {
        let isbn = self.epub.isbn.as_ref()?;
        print::parse_isbn(isbn.get_ref()).ok()
    }

    /// Caption sides and page references for the backends.
    pub fn numbering_options(&self) -> crate::doc::NumberingOptions {
        let n = &self.numbering;
        let defaults = crate::doc::NumberingOptions::default();
        crate::doc::NumberingOptions {
            figure_caption: side(n.figure_caption.as_ref()).unwrap_or(defaults.figure_caption),
            table_caption: side(n.table_caption.as_ref()).unwrap_or(defaults.table_caption),
            page_references: n.page_references,
        }
    }

    /// How a chapter's text opens: `[pdf] drop-cap` and `opening`.
    pub fn opening_options(&self) -> crate::doc::OpeningOptions {
        let pdf = &self.pdf;
        crate::doc::OpeningOptions {
            drop_cap_lines: pdf
                .drop_cap
                .as_ref()
                .and_then(|d| drop_cap_lines(d.get_ref()))
                .unwrap_or(0),
            small_caps: pdf
                .opening
                .as_ref()
                .is_some_and(|o| o.get_ref() == "small-caps"),
        }
    }

    /// How chapters and parts are numbered and labelled.
    pub fn chapter_numbering(&self) -> crate::doc::ChapterNumbering {
        let n = &self.numbering;
        let label = n.chapter_label.as_deref().map(str::trim);
        crate::doc::ChapterNumbering {
            chapters: chapter_style(n.chapters.as_ref())
                .unwrap_or(crate::doc::ChapterNumberStyle::Arabic),
            parts: chapter_style(n.parts.as_ref()).unwrap_or(crate::doc::ChapterNumberStyle::None),
            chapter_label: label.map(str::to_string),
        }
    }

    /// The bibliography files named, each with the span of the `bibliography` value; a value
    /// that is neither a file name nor a list of them was reported by validation.
    pub(crate) fn bibliography_files(&self) -> Vec<Spanned<String>> {
        let Some(value) = &self.bibliography else {
            return Vec::new();
        };
        let span = value.span();
        let named = |v: &toml::Value| {
            v.as_str()
                .map(|s| Spanned::new(span.clone(), s.to_string()))
        };
        match value.get_ref() {
            toml::Value::Array(items) => items.iter().filter_map(named).collect(),
            other => named(other).into_iter().collect(),
        }
    }

    /// The output file stem: the `slug` key, or the title slugged.
    pub fn slug(&self) -> String {
        let source = self
            .slug
            .as_ref()
            .map_or(self.title.get_ref().as_str(), |s| s.get_ref().as_str());
        slugify(source, "book")
    }
}

/// The lines a `[pdf] drop-cap` value asks for: 0 for `false`, 3 for `true`, else 2 or 3.
pub(crate) fn drop_cap_lines(value: &toml::Value) -> Option<usize> {
    match value {
        toml::Value::Boolean(false) => Some(0),
        toml::Value::Boolean(true) => Some(DEFAULT_DROP_CAP_LINES),
        toml::Value::Integer(lines @ 2..=3) => usize::try_from(*lines).ok(),
        _ => None,
    }
}

/// The lines of a drop cap asked for with `drop-cap = true`.
const DEFAULT_DROP_CAP_LINES: usize = 3;

fn chapter_style(value: Option<&Spanned<String>>) -> Option<crate::doc::ChapterNumberStyle> {
    use crate::doc::ChapterNumberStyle as Style;
    match value?.get_ref().as_str() {
        "arabic" => Some(Style::Arabic),
        "roman" => Some(Style::Roman),
        "words" => Some(Style::Words),
        "none" => Some(Style::None),
        _ => None,
    }
}

fn scheme(value: Option<&Spanned<String>>) -> Option<NumberScheme> {
    match value?.get_ref().as_str() {
        "chapter" => Some(NumberScheme::Chapter),
        "book" => Some(NumberScheme::Book),
        "none" => Some(NumberScheme::None),
        _ => None,
    }
}

fn side(value: Option<&Spanned<String>>) -> Option<crate::doc::CaptionSide> {
    match value?.get_ref().as_str() {
        "above" => Some(crate::doc::CaptionSide::Above),
        "below" => Some(crate::doc::CaptionSide::Below),
        _ => None,
    }
}

/// Longest slug, in bytes. Slugs name files (`<slug>.epub`, `text/<slug>.xhtml`,
/// `images/<slug>.png`); a file name may have 255 bytes, and a slug leaves room for an
/// extension and the `-N` that keeps names unique.
pub(crate) const MAX_SLUG_BYTES: usize = 80;

/// The file-name stem for `text` (a title, a chapter's or an image's file name): transliterated
/// to ASCII, lower-case letters and digits kept, apostrophes dropped, everything else collapsed
/// into single hyphens, and cut at a hyphen to at most [`MAX_SLUG_BYTES`]. `fallback` when
/// nothing is left. Every slug in the book comes from here.
pub(crate) fn slugify(text: &str, fallback: &str) -> String {
    let mut slug = String::new();
    let mut pending_hyphen = false;
    for c in any_ascii::any_ascii(text).chars() {
        if c.is_ascii_alphanumeric() {
            if pending_hyphen && !slug.is_empty() {
                slug.push('-');
            }
            pending_hyphen = false;
            slug.push(c.to_ascii_lowercase());
        } else if c != '\'' {
            pending_hyphen = true;
        }
        if slug.len() > MAX_SLUG_BYTES {
            break;
        }
    }
    let slug = bound_slug(slug);
    if slug.is_empty() {
        fallback.to_string()
    } else {
        slug
    }
}

/// `slug` cut to [`MAX_SLUG_BYTES`], at its last hyphen when that keeps at least half.
fn bound_slug(mut slug: String) -> String {
    if slug.len() <= MAX_SLUG_BYTES {
        return slug;
    }
    // The slug is ASCII: every byte index is a character boundary.
    slug.truncate(MAX_SLUG_BYTES);
    match slug.rfind('-') {
        Some(at) if at >= MAX_SLUG_BYTES / 2 => slug.truncate(at),
        _ => slug.truncate(slug.trim_end_matches('-').len()),
    }
    slug
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> (Option<BookConfig>, Diagnostics) {
        let mut diags = Diagnostics::default();
        let config = parse_config(FileId(0), text, &mut diags);
        (config, diags)
    }

    #[test]
    fn code_settings_are_checked() {
        let base = "title = \"T\"\nlanguage = \"en\"\n[pdf]\n";
        let (_, diags) = parse(&format!("{base}code-theme = \"neon\"\n"));
        let theme = diags
            .items()
            .iter()
            .find(|d| d.message.contains("code theme"));
        assert!(
            theme.is_some_and(|d| d.span.is_some()),
            "{:?}",
            diags.items()
        );
        let (_, diags) = parse(&format!("{base}code-size = \"big\"\n"));
        assert!(diags
            .items()
            .iter()
            .any(|d| d.message.contains("not a length")));
        let (_, diags) = parse(&format!(
            "{base}code-theme = \"grey\"\ncode-min-size = \"7pt\"\n"
        ));
        assert!(!diags.has_errors(), "{:?}", diags.items());
    }

    #[test]
    fn isbn_checksum() {
        assert!(parse_identifier("978-0-306-40615-7").is_ok());
        assert!(parse_identifier("978-0-306-40615-6").is_err());
        assert!(parse_identifier("urn:isbn:9780306406157").is_ok());
        assert!(parse_identifier("not an id").is_err());
        assert!(matches!(
            parse_identifier("urn:uuid:6F9619FF-8B86-D011-B42D-00C04FC964FF"),
            Ok(Identifier::Uuid(u)) if u == "6f9619ff-8b86-d011-b42d-00c04fc964ff"
        ));
    }

    #[test]
    fn derived_identifier_is_stable_and_depends_on_authors() {
        let a = vec![Contributor {
            name: "A".into(),
            role: Role::Author,
        }];
        assert_eq!(derived_identifier("T", &a), derived_identifier("T", &a));
        assert_ne!(derived_identifier("T", &a), derived_identifier("T", &[]));
    }

    #[test]
    fn typo_in_key_is_an_error_with_span_and_hint() {
        let (config, diags) = parse("title = \"X\"\nsubtitel = \"Y\"\n");
        assert!(config.is_none());
        let d = &diags.items()[0];
        assert_eq!(d.code, code::CONFIG_INVALID);
        assert!(d.message.contains("subtitel"), "{}", d.message);
        assert_eq!(d.span.as_ref().map(|s| s.range.start), Some(12));
        assert_eq!(d.hint.as_deref(), Some("did you mean `subtitle`?"));
    }

    #[test]
    fn bad_values_are_reported_with_their_span() {
        let text = "title = \"X\"\ndate = \"2024-02-30\"\nlanguage = \"english!\"\n";
        let (config, diags) = parse(text);
        assert!(config.is_some());
        assert_eq!(diags.count(crate::diag::Severity::Error), 2);
        let spans: Vec<&str> = diags
            .items()
            .iter()
            .map(|d| &text[d.span.clone().unwrap().range])
            .collect();
        assert!(spans.contains(&"\"2024-02-30\""), "{spans:?}");
        assert!(spans.contains(&"\"english!\""), "{spans:?}");
    }

    #[test]
    fn language_tags_are_parsed_as_bcp_47() {
        for good in [
            "en",
            "en-GB",
            "fr-CA",
            "km",
            "sr-Latn-RS",
            "de-CH-1996",
            "en-x-octavo",
        ] {
            assert!(is_language_tag(good), "{good}");
        }
        for bad in [
            "en-a", "english!", "", "en_GB", "e", "en--GB", "en-GB-", "123",
        ] {
            assert!(!is_language_tag(bad), "{bad}");
        }
    }

    #[test]
    fn numbering_settings_are_checked_and_tables_follow_figures() {
        let text = "title = \"X\"\n[numbering]\nfigures = \"book\"\ntable-caption = \"left\"\n";
        let (config, diags) = parse(text);
        let config = config.expect("parses");
        assert_eq!(config.table_numbers(), NumberScheme::Book);
        let d = &diags.items()[0];
        assert_eq!(&text[d.span.clone().expect("span").range], "\"left\"");
        assert_eq!(d.hint.as_deref(), Some("write one of: above, below"));
        let (config, _) = parse("title = \"X\"\n");
        let config = config.expect("parses");
        assert_eq!(config.figure_numbers(), NumberScheme::Chapter);
        assert!(!config.front_matter().list_of_figures);
    }

    #[test]
    fn dates_and_lengths() {
        assert!(is_date("2024") && is_date("2024-02") && is_date("2024-02-29"));
        assert!(!is_date("2023-02-29") && !is_date("24-01-01") && !is_date("2024-13"));
        assert_eq!(parse_length("1in"), Some(Pt::new(72.0)));
        assert_eq!(parse_length("25.4mm").map(|v| v.get().round()), Some(72.0));
        assert_eq!(parse_length("12"), None);
        assert_eq!(parse_length("-1pt"), None);
    }

    #[test]
    fn slugs() {
        assert_eq!(
            slugify("Year Zero: The Killing Fields and S-21", "book"),
            "year-zero-the-killing-fields-and-s-21"
        );
        assert_eq!(slugify("L'Été  d’ici", "book"), "lete-dici");
        assert_eq!(slugify("ខ្មែរក្រហម", "book"), "khmaerkrhm");
        assert_eq!(
            slugify("Tuol Sleng (ទួលស្លែង)", "book"),
            "tuol-sleng-tuolslaeng"
        );
        assert_eq!(slugify("?!", "book"), "book");
    }

    #[test]
    fn slugs_are_bounded_at_a_hyphen() {
        let long = slugify(&"word ".repeat(100), "book");
        assert!(long.len() <= MAX_SLUG_BYTES, "{long}");
        assert!(long.ends_with("word") && !long.contains("--"), "{long}");
        let one_word = slugify(&"x".repeat(300), "book");
        assert_eq!(one_word, "x".repeat(MAX_SLUG_BYTES));
        let khmer = slugify(&"ខ្មែរ ".repeat(100), "book");
        assert!(
            khmer.len() <= MAX_SLUG_BYTES && khmer.starts_with("khmaer-"),
            "{khmer}"
        );
    }
}
