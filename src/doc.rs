//! The document model: the one contract between the Markdown front end and both backends.
//!
//! `markdown` builds it from pulldown-cmark events, `resolve` fills in ids, numbers, note and
//! citation renderings and link targets, and then `epub` and `pdf` each render the same resolved
//! [`Book`]. Backends never see Markdown or pulldown-cmark types. Every node that came from the
//! manuscript keeps a [`Span`] so later stages can report problems at file:line:col.

pub(crate) mod html;
pub(crate) mod index;
pub(crate) mod labels;
pub(crate) mod numerals;
pub(crate) mod size;
pub(crate) mod walk;

pub(crate) use labels::{
    is_crossref_label, label_anchor, label_prefix, Attributes, CaptionSide, CrossRef, LabelKind,
    LatexReference, Listing, Numbered,
};
pub(crate) use size::{image_size, ImageLength};

use std::path::PathBuf;

use crate::diag::{FileId, Span};
use crate::units::Pt;

/// A whole book: metadata, chapters in reading order, and the images they use.
#[derive(Debug, Clone)]
pub struct Book {
    /// Title, authors, identifier and the rest of the metadata.
    pub meta: Meta,
    /// Chapters in reading order (front matter, body, back matter, generated references).
    pub chapters: Vec<Chapter>,
    /// Every local image the book uses, deduplicated; [`Image::asset`] indexes this.
    pub images: Vec<ImageAsset>,
    /// How many images in the text have no alternative text (for accessibility claims).
    pub undescribed_images: usize,
    /// The back-of-book index, sorted and grouped by resolve, when `[back-matter] index`
    /// asks for one and the text marks entries.
    pub index: Option<index::Index>,
}

/// Bibliographic metadata of the book, validated and normalised from book.toml.
#[derive(Debug, Clone)]
pub struct Meta {
    /// Main title.
    pub title: String,
    /// Optional subtitle.
    pub subtitle: Option<String>,
    /// Authors, editors, translators, illustrators in the order given.
    pub contributors: Vec<Contributor>,
    /// BCP 47 language tag of the text (e.g. `en`, `fr-CA`).
    pub language: String,
    /// The stable identifier (ISBN-13 or a derived UUID).
    pub identifier: Identifier,
    /// The EPUB edition's own ISBN (`[epub] isbn`), its identifier when given.
    pub epub_isbn: Option<Isbn>,
    /// The print edition: bleed, paper and ISBN.
    pub print: PrintOptions,
    /// Publisher name, if any.
    pub publisher: Option<String>,
    /// Publication date, `YYYY`, `YYYY-MM` or `YYYY-MM-DD`.
    pub date: Option<String>,
    /// Modification timestamp `YYYY-MM-DDThh:mm:ssZ`, from SOURCE_DATE_EPOCH or the date.
    pub modified: String,
    /// When this edition's files were made, `YYYY-MM-DDThh:mm:ssZ` (the PDF's creation
    /// date): SOURCE_DATE_EPOCH, else the newest modification time of the files read;
    /// empty when neither is known. Never the book's `date`, which may be 1818.
    pub produced: String,
    /// Rights statement printed on the copyright page.
    pub rights: Option<String>,
    /// Licence, as an SPDX id or free text.
    pub license: Option<String>,
    /// Short description (blurb).
    pub description: Option<String>,
    /// Subject headings.
    pub subjects: Vec<String>,
    /// Series name and position.
    pub series: Option<Series>,
    /// The cover image, an index into [`Book::images`].
    pub cover: Option<usize>,
    /// Which generated front-matter pages to include.
    pub front: FrontMatterOptions,
    /// Whether the book ends with an index (`[back-matter] index`).
    pub back_index: bool,
    /// File-name stem of the outputs (`<slug>.epub`).
    pub slug: String,
    /// Where captions go and whether references name pages.
    pub numbering: NumberingOptions,
    /// How chapters and parts are numbered and labelled (`[numbering] chapters`, `parts`,
    /// `chapter-label`).
    pub chapter_numbering: ChapterNumbering,
    /// How a chapter's text opens (`[pdf] drop-cap` and `opening`), which the EPUB's
    /// stylesheet follows too.
    pub opening: OpeningOptions,
    /// The book's math macros (book.toml's `[math] macros`: name without backslash, body),
    /// which every formula is read with.
    pub math_macros: Vec<(String, String)>,
}

/// How numbered things are shown: where their captions go, and whether a reference in the PDF
/// adds the page of its target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NumberingOptions {
    /// Figure captions above or below the image (below by default).
    pub figure_caption: CaptionSide,
    /// Table captions above or below the table (above by default).
    pub table_caption: CaptionSide,
    /// A reference in the PDF reads "Figure 3.2 on page 41".
    pub page_references: bool,
}

impl Default for NumberingOptions {
    fn default() -> Self {
        NumberingOptions {
            figure_caption: CaptionSide::Below,
            table_caption: CaptionSide::Above,
            page_references: false,
        }
    }
}

/// The `epub:type` of an "Also by" card page (front matter `type: also-by`): the EPUB
/// vocabulary's page listing other works.
pub(crate) const ALSO_BY_TYPE: &str = "seriespage";

/// How a chapter's first paragraph is set.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OpeningOptions {
    /// A drop cap of this many lines (0: none).
    pub drop_cap_lines: usize,
    /// The first line in small capitals.
    pub small_caps: bool,
}

/// How chapter (or part) numbers print: `[numbering] chapters` and `parts`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ChapterNumberStyle {
    /// 1, 2, 3 (chapters' default).
    #[default]
    Arabic,
    /// I, II, III.
    Roman,
    /// One, Two, Three (in English; other languages print figures).
    Words,
    /// No number and no label at all (the parts' default).
    None,
}

/// The numbers and the label word of chapters and parts.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ChapterNumbering {
    /// How body chapters are numbered.
    pub chapters: ChapterNumberStyle,
    /// How parts (`type: part`) are numbered, counted apart from the chapters.
    pub parts: ChapterNumberStyle,
    /// The word over a chapter's number; the language's ("Chapter") when `None`.
    pub chapter_label: Option<String>,
}

/// A person or body credited for the book, with their MARC relator role.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contributor {
    /// Name as displayed.
    pub name: String,
    /// Their role.
    pub role: Role,
}

/// The roles octavo knows how to print and declare (MARC relator codes in the OPF).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Author (`aut`).
    Author,
    /// Editor (`edt`).
    Editor,
    /// Translator (`trl`).
    Translator,
    /// Illustrator (`ill`).
    Illustrator,
}

impl Role {
    /// The MARC relator code declared in the OPF.
    pub fn marc_code(self) -> &'static str {
        match self {
            Role::Author => "aut",
            Role::Editor => "edt",
            Role::Translator => "trl",
            Role::Illustrator => "ill",
        }
    }
}

/// An edition's ISBN-13: the digits, and the digits hyphenated as the ISBN agency's ranges
/// divide them (registration group, registrant, publication), as they are printed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Isbn {
    /// The thirteen digits.
    pub digits: String,
    /// `978-0-306-40615-7`.
    pub hyphenated: String,
}

/// The paper a print edition is printed on: its thickness sets the spine's width.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Paper {
    /// White paper (thinner).
    #[default]
    White,
    /// Cream paper (thicker).
    Cream,
}

/// What a printing service needs beyond the interior's pages (`[print]`).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PrintOptions {
    /// Bleed beyond the trim on the top, bottom and outer edges (zero for none).
    pub bleed: Pt,
    /// The interior's paper.
    pub paper: Paper,
    /// The print edition's ISBN.
    pub isbn: Option<Isbn>,
}

/// The package identifier and what kind it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Identifier {
    /// A checksum-validated ISBN-13, digits only.
    Isbn(String),
    /// A UUID, given or derived from title and authors.
    Uuid(String),
}

impl Isbn {
    /// The ISBN of thirteen `digits` (no hyphens), hyphenated by the ISBN agency's ranges;
    /// `None` when the check digit is wrong or no range holds it.
    pub fn from_digits(digits: &str) -> Option<Isbn> {
        let parsed: isbn::Isbn13 = digits.parse().ok()?;
        let hyphenated = parsed.hyphenate().ok()?.to_string();
        Some(Isbn {
            digits: digits.to_string(),
            hyphenated,
        })
    }
}

impl Meta {
    /// The contributors' names joined by commas, as the metadata and the covers show them.
    pub fn names(&self) -> String {
        let names: Vec<&str> = self.contributors.iter().map(|c| c.name.as_str()).collect();
        names.join(", ")
    }

    /// How the copyright pages name the book: each edition's ISBN, hyphenated and marked
    /// with its edition (`ISBN 978-… (print)`), and the book's own ISBN when it is neither;
    /// the identifier when there is no ISBN at all.
    pub fn identifier_lines(&self) -> Vec<String> {
        let editions = [(&self.print.isbn, "print"), (&self.epub_isbn, "EPUB")];
        let mut lines: Vec<String> = editions
            .iter()
            .filter_map(|(isbn, edition)| {
                let isbn = isbn.as_ref()?;
                Some(format!("ISBN {} ({edition})", isbn.hyphenated))
            })
            .collect();
        let is_edition = |digits: &str| {
            editions
                .iter()
                .any(|(isbn, _)| isbn.as_ref().is_some_and(|i| i.digits == digits))
        };
        match &self.identifier {
            Identifier::Isbn(digits) if !is_edition(digits) => {
                let shown =
                    Isbn::from_digits(digits).map_or_else(|| digits.clone(), |i| i.hyphenated);
                lines.push(format!("ISBN {shown}"));
            }
            Identifier::Uuid(uuid) if lines.is_empty() => {
                lines.push(format!("Identifier: urn:uuid:{uuid}"));
            }
            _ => {}
        }
        lines
    }

    /// The EPUB's `dc:identifier`: its own ISBN when it has one, else the book's identifier.
    pub fn epub_identifier(&self) -> Identifier {
        match &self.epub_isbn {
            Some(isbn) => Identifier::Isbn(isbn.digits.clone()),
            None => self.identifier.clone(),
        }
    }
}

impl Identifier {
    /// The identifier as a URN, as written in `dc:identifier`.
    pub fn urn(&self) -> String {
        match self {
            Identifier::Isbn(isbn) => format!("urn:isbn:{isbn}"),
            Identifier::Uuid(uuid) => format!("urn:uuid:{uuid}"),
        }
    }
}

/// A book's series and its number in it.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    /// Name of the series.
    pub name: String,
    /// Position in the series, if numbered.
    pub index: Option<f64>,
}

/// Switches for the generated front-matter pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FrontMatterOptions {
    /// Half-title page (title only).
    pub half_title: bool,
    /// Title page (title, subtitle, contributors, publisher).
    pub title_page: bool,
    /// Copyright page (rights, licence, identifier, edition).
    pub copyright: bool,
    /// Contents page in the reading order.
    pub toc: bool,
    /// A list of the numbered figures after the contents.
    pub list_of_figures: bool,
    /// A list of the numbered tables after the contents.
    pub list_of_tables: bool,
}

/// Where a chapter belongs in the book's structure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Division {
    /// Preface, foreword, introduction before the main text: unnumbered, roman folios.
    Front,
    /// The main text.
    Body,
    /// Appendices, timelines, references.
    Back,
}

/// One chapter: one Markdown file, or a page octavo generates (the references).
#[derive(Debug, Clone)]
pub struct Chapter {
    /// The source file (for generated chapters, the file that triggered them).
    pub file: FileId,
    /// Output file stem, unique in the book (`01-introduction`).
    pub slug: String,
    /// Front, body or back matter.
    pub division: Division,
    /// Structural semantics (`preface`, `appendix`, `bibliography`, …); `chapter` if none.
    pub epub_type: Option<String>,
    /// Chapter number, for numbered body chapters.
    pub number: Option<u32>,
    /// Position among the appendices (1 for appendix A), for chapters of `type: appendix`.
    pub appendix: Option<u32>,
    /// Position among the book's parts (1 for the first), for part pages.
    pub part: Option<u32>,
    /// Title as inlines (front-matter override or the first level-1 heading).
    pub title: Vec<Inline>,
    /// The blocks, starting with the title heading when the file has one.
    pub blocks: Vec<Block>,
    /// Footnotes in the order they are first referenced (after resolve).
    pub notes: Vec<Note>,
    /// True for chapters octavo generated (the references page).
    pub generated: bool,
    /// True for a chapter listed after a part's chapters but outside any part (Quarto's
    /// `chapters:` going on after a `- part:` group): it closes the part before it in the
    /// contents.
    pub leaves_part: bool,
}

/// A footnote, numbered per chapter.
#[derive(Debug, Clone)]
pub struct Note {
    /// The label written in Markdown (`[^label]`); generated notes get `cite-N`.
    pub label: String,
    /// Number shown at the call and before the note.
    pub number: u32,
    /// Anchor id of the note, unique in the book.
    pub id: String,
    /// Anchor id of the first reference to it (the back link target).
    pub ref_id: String,
    /// The note's content.
    pub blocks: Vec<Block>,
    /// Where it was defined.
    pub span: Span,
}

/// Block-level content.
#[derive(Debug, Clone)]
pub enum Block {
    /// A heading, with a book-unique id after resolve.
    Heading(Box<Heading>),
    /// A paragraph of inlines.
    Paragraph {
        /// Its content.
        content: Vec<Inline>,
        /// Source range.
        span: Span,
    },
    /// A block quotation.
    Quote {
        /// Quoted blocks.
        blocks: Vec<Block>,
        /// Source range.
        span: Span,
    },
    /// An ordered or bulleted list.
    List(List),
    /// Preformatted code.
    Code {
        /// Language tag from the fence, if any.
        lang: Option<String>,
        /// The code text, verbatim.
        text: String,
        /// Its label, caption and number when it is a listing (`{#lst-x}`).
        listing: Option<Box<Listing>>,
        /// The highlighted stretches of `text`, after resolve (see [`CodeToken`]).
        tokens: Vec<CodeToken>,
        /// Source range.
        span: Span,
    },
    /// A table with a header row (boxed, as the figure: a block is as large as its largest
    /// kind, and paragraphs, the most common, are small).
    Table(Box<Table>),
    /// An image standing alone in its paragraph, with optional caption.
    Figure(Box<Figure>),
    /// A thematic break: a scene break in prose.
    Rule {
        /// Source range.
        span: Span,
    },
    /// Raw HTML that survived the allow-list, as a well-formed tree.
    Html {
        /// The sanitised nodes.
        nodes: Vec<HtmlNode>,
        /// Source range.
        span: Span,
    },
    /// An allow-listed HTML element wrapped around Markdown blocks: `<div class="note">`, a
    /// blank line, Markdown, a blank line, `</div>`. Elements that only hold phrasing content
    /// never appear here: the Markdown stage wraps each inner block's text in them instead.
    Container {
        /// Lower-case tag name (`div`, `section`, `aside`, `details`, `td`, …).
        name: String,
        /// Allowed attributes in source order.
        attrs: Vec<(String, String)>,
        /// The blocks inside, in reading order.
        blocks: Vec<Block>,
        /// Source range from the start tag to the end tag.
        span: Span,
    },
    /// Where the references list goes (`<!-- references -->` or `::: {#refs}`).
    ReferencesMarker {
        /// Source range.
        span: Span,
    },
    /// The rendered reference list (placed by resolve).
    References(Vec<BibEntry>),
}

/// A stretch of a code block's text that the highlighter classified, by byte offsets into
/// the text. Resolve fills a block's tokens once, in order and not overlapping; text between
/// them is plain. Both backends read them, so the EPUB's classes and the PDF's inks agree.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CodeToken {
    /// First byte.
    pub start: u32,
    /// Byte after the last.
    pub end: u32,
    /// What it is.
    pub class: TokenClass,
}

/// The kinds of code token octavo tells apart: a small fixed set that a stylesheet or a
/// print palette can give each a look, whatever the language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum TokenClass {
    /// A reserved word (`fn`, `def`, `SELECT`).
    Keyword,
    /// A type or class name (`i32`, `String`).
    Type,
    /// A function or macro name, where defined or called.
    Function,
    /// A string or character literal, its quotes and escapes included.
    String,
    /// A numeric literal.
    Number,
    /// A named constant or literal (`true`, `None`, `NULL`).
    Constant,
    /// A comment.
    Comment,
    /// An operator (`+`, `&&`, `->`).
    Operator,
    /// Brackets, separators and the like.
    Punctuation,
    /// An attribute, annotation or key (`#[derive]`, `@Override`, `class=` in HTML).
    Attribute,
    /// A variable or parameter the grammar singles out.
    Variable,
    /// A markup tag name (`p` in `<p>`).
    Tag,
    /// A heading in a markup language.
    Heading,
    /// A line a diff adds.
    Inserted,
    /// A line a diff removes.
    Deleted,
}

impl TokenClass {
    /// Every class, in declaration order.
    pub const ALL: [TokenClass; 15] = [
        TokenClass::Keyword,
        TokenClass::Type,
        TokenClass::Function,
        TokenClass::String,
        TokenClass::Number,
        TokenClass::Constant,
        TokenClass::Comment,
        TokenClass::Operator,
        TokenClass::Punctuation,
        TokenClass::Attribute,
        TokenClass::Variable,
        TokenClass::Tag,
        TokenClass::Heading,
        TokenClass::Inserted,
        TokenClass::Deleted,
    ];

    /// The class's name, as the EPUB's stylesheet and tests spell it (`keyword`).
    pub fn name(self) -> &'static str {
        match self {
            TokenClass::Keyword => "keyword",
            TokenClass::Type => "type",
            TokenClass::Function => "function",
            TokenClass::String => "string",
            TokenClass::Number => "number",
            TokenClass::Constant => "constant",
            TokenClass::Comment => "comment",
            TokenClass::Operator => "operator",
            TokenClass::Punctuation => "punctuation",
            TokenClass::Attribute => "attribute",
            TokenClass::Variable => "variable",
            TokenClass::Tag => "tag",
            TokenClass::Heading => "heading",
            TokenClass::Inserted => "inserted",
            TokenClass::Deleted => "deleted",
        }
    }
}

/// A heading and its anchor.
#[derive(Debug, Clone)]
pub struct Heading {
    /// 1 to 6.
    pub level: u8,
    /// Anchor id, unique in the whole book after resolve.
    pub id: String,
    /// True when the author wrote `{#id}`: kept verbatim, duplicates are errors.
    pub explicit_id: bool,
    /// The attribute block after the heading text (`{#sec-x .unnumbered}`; `{-}` is
    /// `unnumbered`).
    pub attrs: Attributes,
    /// The section number (`1.2`, `A.1`), when `[numbering] sections` is on (after resolve).
    pub number: Option<String>,
    /// Heading text.
    pub content: Vec<Inline>,
    /// Source range.
    pub span: Span,
}

/// A list and its items.
#[derive(Debug, Clone)]
pub struct List {
    /// First number for ordered lists; `None` for bullets.
    pub start: Option<u64>,
    /// Items, each a sequence of blocks.
    pub items: Vec<ListItem>,
    /// Source range.
    pub span: Span,
}

/// One list item.
#[derive(Debug, Clone)]
pub struct ListItem {
    /// Task-list checkbox state, if it is a task item.
    pub task: Option<bool>,
    /// The item's blocks (a tight item holds one paragraph).
    pub blocks: Vec<Block>,
}

/// Horizontal alignment of a table column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    /// Not specified.
    None,
    /// Left.
    Left,
    /// Centre.
    Center,
    /// Right.
    Right,
}

/// A table: column alignments, a header row and body rows of cells.
#[derive(Debug, Clone)]
pub struct Table {
    /// One alignment per column.
    pub aligns: Vec<Align>,
    /// Header cells.
    pub head: Vec<Vec<Inline>>,
    /// Body rows of cells.
    pub rows: Vec<Vec<Vec<Inline>>>,
    /// The caption (`Table: …` or `: …` beside a pipe table), empty when none.
    pub caption: Vec<Inline>,
    /// The caption's attribute block (`{#tbl-x}`), or a `::: {#tbl-x}` div's.
    pub attrs: Attributes,
    /// Its number, after resolve.
    pub number: Option<Numbered>,
    /// Source range.
    pub span: Span,
}

/// A figure: an image with alternative text and an optional caption.
#[derive(Debug, Clone)]
pub struct Figure {
    /// The image.
    pub image: Image,
    /// Caption shown with it (from the image title, or for a labelled image its description,
    /// or a figure div's last paragraph).
    pub caption: Vec<Inline>,
    /// A `::: {#fig-x}` div's attributes (the image's own are on [`Image::attrs`]).
    pub attrs: Attributes,
    /// Its number, after resolve.
    pub number: Option<Numbered>,
    /// Source range.
    pub span: Span,
}

impl Figure {
    /// The figure's label: the div's id, else the image's (`![…](a.png){#fig-x}`).
    pub fn label(&self) -> Option<&str> {
        self.attrs.id.as_deref().or(self.image.attrs.id.as_deref())
    }
}

/// An image reference as written, plus what resolve found.
#[derive(Debug, Clone)]
pub struct Image {
    /// The path or URL exactly as written.
    pub src: String,
    /// Alternative text (may be empty: then it is decorative, and check warns).
    pub alt: String,
    /// The description as written, with its emphasis, formulas and spans (`alt` is its
    /// plain text): the caption of a labelled figure. Empty for an HTML `<img>`.
    pub description: Vec<Inline>,
    /// Title attribute.
    pub title: String,
    /// Index into [`Book::images`] once resolved.
    pub asset: Option<usize>,
    /// The attribute block after it (`{#fig-x width=50%}`), for labels and sizes.
    pub attrs: Attributes,
    /// Source range.
    pub span: Span,
}

/// The largest image octavo takes, in pixels: a larger one is refused where the book refers
/// to it (a decompression bomb, not a picture), and the PDF embeds nothing larger.
pub(crate) const MAX_IMAGE_PIXELS: u64 = 100_000_000;

/// A local image file that goes into the outputs.
#[derive(Debug, Clone, PartialEq)]
pub struct ImageAsset {
    /// Absolute path on disk (confined to the book root).
    pub path: PathBuf,
    /// Path inside the EPUB's content folder (`images/map.png`).
    pub package_path: String,
    /// Media type detected from the file's bytes.
    pub media_type: String,
    /// Pixel width (0 for SVG).
    pub width: u32,
    /// Pixel height (0 for SVG).
    pub height: u32,
    /// The size it prints at when the book asks for no other: a raster's pixels at the
    /// resolution its file records (PNG `pHYs`, JPEG JFIF or EXIF; [`DEFAULT_PPI`] when it
    /// records none), an SVG's own width and height (from its `viewBox` when it has none).
    pub natural: (Pt, Pt),
}

/// The resolution a raster image is assumed to have when its file records none: what a
/// printed page needs, so an image without one prints as large as it can without blurring.
pub(crate) const DEFAULT_PPI: f64 = 150.0;

/// Raw HTML elements that may appear inside a paragraph (the allow-list's inline part);
/// backends use it to tell inline from block elements.
pub(crate) const HTML_INLINE_ELEMENTS: &[&str] = &[
    "a", "abbr", "b", "bdi", "bdo", "br", "cite", "code", "del", "dfn", "em", "i", "ins", "kbd",
    "mark", "q", "rp", "rt", "ruby", "s", "samp", "small", "span", "strong", "sub", "sup", "time",
    "u", "var", "wbr",
];

/// Raw HTML elements without content (written `<br/>` in XHTML).
pub(crate) const HTML_VOID_ELEMENTS: &[&str] = &["br", "col", "hr", "wbr"];

/// A raw HTML node that passed the allow-list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HtmlNode {
    /// An element with attributes and children.
    Element {
        /// Lower-case tag name.
        name: String,
        /// Allowed attributes in source order.
        attrs: Vec<(String, String)>,
        /// Child nodes.
        children: Vec<HtmlNode>,
    },
    /// Character data.
    Text(String),
}

/// Inline content.
#[derive(Debug, Clone)]
pub enum Inline {
    /// Plain text.
    Text {
        /// The characters (smart punctuation already applied).
        text: String,
        /// Source range.
        span: Span,
    },
    /// Emphasis (italic).
    Emph(Vec<Inline>),
    /// Strong emphasis (bold).
    Strong(Vec<Inline>),
    /// Struck-out text.
    Strike(Vec<Inline>),
    /// Inline code, verbatim.
    Code(String),
    /// A hyperlink.
    Link(Box<Link>),
    /// An inline image.
    Image(Box<Image>),
    /// A footnote call.
    NoteRef(Box<NoteRef>),
    /// A citation.
    Cite(Box<Citation>),
    /// A cross-reference to a figure, table, listing or section.
    Ref(Box<CrossRef>),
    /// A line break in the source (a space when rendered).
    SoftBreak,
    /// A forced line break.
    HardBreak,
    /// An allow-listed inline HTML element (e.g. `<span lang="km">`).
    Html(Box<HtmlInline>),
    /// A formula in LaTeX notation (`$…$`, `$$…$$`, `\\(…\\)`, `\\[…\\]`).
    Math(Box<Math>),
    /// A place the index points at (`\\index{term}`, `[text]{.index}`): prints nothing,
    /// becomes an anchor in both outputs.
    IndexMark(Box<index::IndexMark>),
}

/// A formula as the author wrote it: the backends lay it out from its LaTeX source
/// (`crate::math` reads it), which resolve has checked.
#[derive(Debug, Clone)]
pub struct Math {
    /// The LaTeX between the delimiters, as written.
    pub source: String,
    /// Display (`$$…$$`, its own centred line) rather than inline in the text.
    pub display: bool,
    /// Where the source is (delimiters excluded), so a command is found at its column.
    pub span: Span,
    /// The attribute block after a display formula (`{#eq-x}`), if any.
    pub attrs: Attributes,
    /// The number resolve gave a labelled or tagged display formula ("(3.2)" beside it).
    pub number: Option<Numbered>,
    /// What the formula's `\tag{…}`, `\tag*{…}`, `\notag` or `\nonumber` asks for, which
    /// resolve takes out of [`Math::source`] (blanked, so columns keep their place).
    pub tag: Option<EquationTag>,
    /// The formula's `\label{…}`, which names it as `{#eq-x}` does (taken out as its tag is).
    pub label: Option<MathLabel>,
    /// An `align` or `gather` numbered row by row (its rows carry `\label` or `\tag`): each
    /// row's tag, label and number, in order; empty for a formula numbered as a whole or not
    /// at all.
    pub rows: Vec<EquationRow>,
    /// The `\eqref{…}` and `\ref{…}` the formula shows, which resolve replaces in
    /// [`Math::source`] by the numbers they name.
    pub refs: Vec<MathRef>,
    /// The formula as readable text (`x²+1`), which resolve sets in titles, headings and
    /// captions, shown where only text can go (navigation, outline, lists of figures); empty
    /// elsewhere, and [`plain_text`] then gives the source.
    pub text: String,
}

/// The number a display formula asks for in its LaTeX, instead of a counted one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EquationTag {
    /// `\tag{A.1}` (in parentheses, as a counted number prints) or `\tag*{A.1}` (bare).
    Text {
        /// The tag's text, as written.
        text: String,
        /// `\tag*`: printed without parentheses.
        starred: bool,
    },
    /// `\notag` or `\nonumber`: no number, even with a label.
    Unnumbered,
}

impl Math {
    /// The number as printed beside the formula: `(3.2)`, or `A.1` for a `\tag*`.
    pub fn number_shown(&self) -> Option<String> {
        shown_number(self.number.as_ref()?, self.tag.as_ref())
    }

    /// True when its rows are numbered one by one ([`Math::rows`]).
    pub fn numbered_by_rows(&self) -> bool {
        !self.rows.is_empty()
    }
}

/// A number as printed beside its formula or row: in parentheses, bare for a `\tag*`.
fn shown_number(number: &Numbered, tag: Option<&EquationTag>) -> Option<String> {
    let bare = matches!(tag, Some(EquationTag::Text { starred: true, .. }));
    Some(if bare {
        number.number.clone()
    } else {
        format!("({})", number.number)
    })
}

/// A `\label{name}` in a formula.
#[derive(Debug, Clone)]
pub struct MathLabel {
    /// The name, as written.
    pub name: String,
    /// Where the command is.
    pub span: Span,
}

/// One row of an `align` or `gather` numbered row by row.
#[derive(Debug, Clone, Default)]
pub struct EquationRow {
    /// The row's `\tag`, `\notag` or `\nonumber`.
    pub tag: Option<EquationTag>,
    /// The row's `\label`.
    pub label: Option<MathLabel>,
    /// Its number, after resolve (`None` for a `\notag` row).
    pub number: Option<Numbered>,
}

impl EquationRow {
    /// The number as printed at the row's right: `(3.2)`, or `A.1` for a `\tag*`.
    pub fn number_shown(&self) -> Option<String> {
        shown_number(self.number.as_ref()?, self.tag.as_ref())
    }
}

/// An `\eqref{x}` or `\ref{x}` in a formula.
#[derive(Debug, Clone)]
pub struct MathRef {
    /// The label it names.
    pub key: String,
    /// `\eqref`: the number in parentheses.
    pub parenthesised: bool,
    /// Where the blanked command starts in [`Math::source`].
    pub at: usize,
    /// How many bytes it took there.
    pub length: usize,
    /// Where the command is in the manuscript.
    pub span: Span,
}

/// An allow-listed inline HTML element and its content.
///
/// Boxed in [`Inline`], as links, images, note calls and citations are: an inline is then
/// no bigger than a text (48 bytes, not 112), which is most of the memory a long
/// paragraph takes.
#[derive(Debug, Clone)]
pub struct HtmlInline {
    /// Lower-case tag name.
    pub name: String,
    /// Allowed attributes.
    pub attrs: Vec<(String, String)>,
    /// Content.
    pub children: Vec<Inline>,
}

/// A hyperlink and its resolved target.
#[derive(Debug, Clone)]
pub struct Link {
    /// Where it points.
    pub target: LinkTarget,
    /// Title attribute.
    pub title: String,
    /// Link text.
    pub content: Vec<Inline>,
    /// Source range.
    pub span: Span,
}

/// A link target, raw before resolve and classified after.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkTarget {
    /// As written; resolve replaces it.
    Raw(String),
    /// A web or mail address, kept as is.
    External(String),
    /// An anchor id anywhere in the book (`ref-kiernan1996`); resolve turns it into `Internal`.
    Anchor(String),
    /// A place in the book: a chapter and optionally an anchor in it.
    Internal {
        /// Chapter index in [`Book::chapters`].
        chapter: usize,
        /// Anchor id inside that chapter.
        anchor: Option<String>,
    },
}

/// A footnote call.
#[derive(Debug, Clone)]
pub struct NoteRef {
    /// The label written in Markdown.
    pub label: String,
    /// Index into the chapter's notes, after resolve.
    pub note: Option<usize>,
    /// This call's own anchor id (a back link target), after resolve.
    pub id: String,
    /// Source range.
    pub span: Span,
}

/// How a citation reads: "(Kiernan 1996)" or "Kiernan (1996)".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CiteMode {
    /// `[@key]`.
    Parenthetical,
    /// `@key`.
    Narrative,
}

/// A citation of one or more works, as written in pandoc syntax.
#[derive(Debug, Clone)]
pub struct Citation {
    /// The works cited, in order.
    pub items: Vec<CiteItem>,
    /// Parenthetical or narrative.
    pub mode: CiteMode,
    /// The rendered text with links to the entries (filled by resolve).
    pub rendered: Vec<Inline>,
    /// Source range of the whole citation.
    pub span: Span,
}

/// One cited work inside a citation.
#[derive(Debug, Clone)]
pub struct CiteItem {
    /// The bibliography key.
    pub key: String,
    /// Text before the reference ("see").
    pub prefix: String,
    /// Locator such as pages.
    pub locator: Option<Locator>,
    /// Text after the locator.
    pub suffix: String,
    /// `[-@key]`: print the year only.
    pub suppress_author: bool,
    /// The prefix with its emphasis, code or formulas (`[*see* @key]`); empty when the
    /// prefix is plain text, which `prefix` then holds alone.
    pub styled_prefix: Vec<Inline>,
    /// The suffix with its styling, as `styled_prefix`.
    pub styled_suffix: Vec<Inline>,
    /// Source range of `@key`.
    pub span: Span,
}

/// A pinpoint: which part of a work.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Locator {
    /// What is counted (page, chapter, …).
    pub kind: LocatorKind,
    /// The value as written ("45-47").
    pub value: String,
}

/// Kinds of locator, mapped from the abbreviations authors write: CSL 1.0.1's, the ones
/// citeproc reads (CSL 1.0.2's act, table or equation are suffix text there).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LocatorKind {
    /// p., pp., page.
    Page,
    /// chap., ch., chapter.
    Chapter,
    /// sec., §.
    Section,
    /// fig.
    Figure,
    /// n., nn., note.
    Note,
    /// para., ¶.
    Paragraph,
    /// vol.
    Volume,
    /// l., ll., line.
    Line,
    /// bk., book.
    Book,
    /// pt., part.
    Part,
    /// v., vv., verse.
    Verse,
    /// col., column.
    Column,
    /// fol., folio.
    Folio,
    /// no., number, issue.
    Issue,
    /// op., opus.
    Opus,
    /// s.v., sub verbo (a dictionary's headword, not a number).
    SubVerbo,
}

/// One rendered entry of the references list.
#[derive(Debug, Clone)]
pub struct BibEntry {
    /// The bibliography key.
    pub key: String,
    /// Anchor id (`ref-<key>`).
    pub id: String,
    /// The formatted reference.
    pub content: Vec<Inline>,
}

impl Chapter {
    /// The chapter's number as printed: `3` for chapter 3, `A` for the first appendix.
    pub fn number_text(&self) -> Option<String> {
        match (self.number, self.appendix) {
            (Some(n), _) => Some(n.to_string()),
            (None, Some(n)) => Some(labels::appendix_letter(n)),
            _ => None,
        }
    }

    /// The number printed with the chapter in its label and the contents, in the book's
    /// style: `IV` for chapter 4 in roman, `A` for the first appendix, the part's number for
    /// a part page; `None` when the style prints none.
    pub fn number_shown(&self, meta: &Meta) -> Option<String> {
        let numbering = &meta.chapter_numbering;
        match (self.number, self.appendix, self.part) {
            (Some(n), _, _) => numerals::styled_number(n, numbering.chapters, &meta.language),
            (None, Some(n), _) => Some(labels::appendix_letter(n)),
            (None, None, Some(n)) => numerals::styled_number(n, numbering.parts, &meta.language),
            _ => None,
        }
    }

    /// True for the pages set without a heading unless they are given one, apart from the
    /// contents unless titled: a dedication, an epigraph, an "Also by" card page,
    /// acknowledgements and a colophon.
    pub fn is_special_page(&self) -> bool {
        matches!(
            self.epub_type.as_deref(),
            Some("dedication" | "epigraph" | ALSO_BY_TYPE | "acknowledgments" | "colophon")
        )
    }

    /// True for a part page (`type: part`), which opens the chapters after it.
    pub fn is_part_page(&self) -> bool {
        self.epub_type.as_deref() == Some("part")
    }

    /// True for an "Also by" card page, which goes before the half title.
    pub fn is_card_page(&self) -> bool {
        self.epub_type.as_deref() == Some(ALSO_BY_TYPE)
    }

    /// The id of the chapter's title heading (its first level-1 heading), if it has one.
    pub fn title_id(&self) -> Option<&str> {
        self.blocks.iter().find_map(|b| match b {
            Block::Heading(h) if h.level == 1 => Some(h.id.as_str()),
            _ => None,
        })
    }
}

impl Block {
    /// Where the block was written; `None` for blocks octavo generated.
    pub fn span(&self) -> Option<&Span> {
        match self {
            Block::Heading(h) => Some(&h.span),
            Block::List(list) => Some(&list.span),
            Block::Table(table) => Some(&table.span),
            Block::Figure(figure) => Some(&figure.span),
            Block::Paragraph { span, .. }
            | Block::Quote { span, .. }
            | Block::Code { span, .. }
            | Block::Rule { span }
            | Block::Html { span, .. }
            | Block::Container { span, .. }
            | Block::ReferencesMarker { span } => Some(span),
            Block::References(_) => None,
        }
    }
}

impl Inline {
    /// A text node.
    pub fn text(text: impl Into<String>, span: Span) -> Inline {
        Inline::Text {
            text: text.into(),
            span,
        }
    }
}

/// The plain text of inlines (for ids, titles in the nav, metadata, alt text).
pub fn plain_text(inlines: &[Inline]) -> String {
    let mut out = String::new();
    push_plain_text(inlines, &mut out);
    out
}

fn push_plain_text(inlines: &[Inline], out: &mut String) {
    for inline in inlines {
        match inline {
            Inline::Text { text, .. } => out.push_str(text),
            Inline::Code(code) => out.push_str(code),
            Inline::Math(math) if !math.text.is_empty() => out.push_str(&math.text),
            Inline::Math(math) => out.push_str(&math.source),
            Inline::Emph(c) | Inline::Strong(c) | Inline::Strike(c) => push_plain_text(c, out),
            Inline::Html(html) => push_plain_text(&html.children, out),
            Inline::Link(link) => push_plain_text(&link.content, out),
            Inline::Image(image) => out.push_str(&image.alt),
            Inline::Cite(cite) => push_plain_text(&cite.rendered, out),
            Inline::Ref(reference) => push_plain_text(&reference.rendered, out),
            Inline::SoftBreak | Inline::HardBreak => out.push(' '),
            Inline::NoteRef(_) | Inline::IndexMark(_) => {}
        }
    }
}

/// The ids raw HTML gives a block itself (not blocks nested in it): a container's own `id`,
/// ids in its raw HTML nodes, and ids of inline HTML elements in its text. Backends make them
/// link targets.
pub(crate) fn html_ids_of(block: &Block) -> Vec<String> {
    let mut ids = Vec::new();
    match block {
        Block::Container { attrs, .. } => push_id(attrs, &mut ids),
        Block::Html { nodes, .. } => push_node_ids(nodes, &mut ids),
        Block::Paragraph { content, .. } => push_inline_ids(content, &mut ids),
        Block::Heading(h) => push_inline_ids(&h.content, &mut ids),
        Block::Table(table) => {
            for cell in table.head.iter().chain(table.rows.iter().flatten()) {
                push_inline_ids(cell, &mut ids);
            }
        }
        _ => {}
    }
    ids
}

fn push_id(attrs: &[(String, String)], ids: &mut Vec<String>) {
    ids.extend(
        attrs
            .iter()
            .filter(|(name, _)| name == "id")
            .map(|(_, value)| value.clone()),
    );
}

fn push_node_ids(nodes: &[HtmlNode], ids: &mut Vec<String>) {
    for node in nodes {
        if let HtmlNode::Element {
            attrs, children, ..
        } = node
        {
            push_id(attrs, ids);
            push_node_ids(children, ids);
        }
    }
}

fn push_inline_ids(inlines: &[Inline], ids: &mut Vec<String>) {
    for inline in inlines {
        match inline {
            Inline::Html(html) => {
                push_id(&html.attrs, ids);
                push_inline_ids(&html.children, ids);
            }
            Inline::Emph(c) | Inline::Strong(c) | Inline::Strike(c) => push_inline_ids(c, ids),
            Inline::Link(link) => push_inline_ids(&link.content, ids),
            _ => {}
        }
    }
}

/// The plain text of blocks, one line per paragraph-like block, for word-level checks and for
/// places that can show a block only as text.
pub(crate) fn blocks_plain_text(blocks: &[Block]) -> String {
    let mut out = String::new();
    for block in blocks {
        push_block_text(block, &mut out);
    }
    out
}

fn push_block_text(block: &Block, out: &mut String) {
    match block {
        Block::Heading(h) => push_plain_text(&h.content, out),
        Block::Paragraph { content, .. } => push_plain_text(content, out),
        Block::Quote { blocks, .. } | Block::Container { blocks, .. } => {
            blocks.iter().for_each(|b| push_block_text(b, out))
        }
        Block::List(list) => {
            for item in &list.items {
                item.blocks.iter().for_each(|b| push_block_text(b, out));
            }
        }
        Block::Code { text, listing, .. } => {
            if let Some(listing) = listing {
                push_plain_text(&listing.caption, out);
                out.push(' ');
            }
            out.push_str(text)
        }
        Block::Table(table) => {
            push_plain_text(&table.caption, out);
            out.push(' ');
            for cell in table.head.iter().chain(table.rows.iter().flatten()) {
                push_plain_text(cell, out);
                out.push(' ');
            }
        }
        Block::Figure(figure) => {
            out.push_str(&figure.image.alt);
            out.push(' ');
            push_plain_text(&figure.caption, out);
        }
        Block::Html { nodes, .. } => push_html_text(nodes, out),
        Block::References(entries) => {
            for entry in entries {
                push_plain_text(&entry.content, out);
                out.push('\n');
            }
        }
        Block::Rule { .. } | Block::ReferencesMarker { .. } => {}
    }
    out.push('\n');
}

/// The text of raw HTML nodes; block elements separate words, inline ones do not.
pub(crate) fn html_plain_text(nodes: &[HtmlNode]) -> String {
    let mut out = String::new();
    push_html_text(nodes, &mut out);
    out
}

fn push_html_text(nodes: &[HtmlNode], out: &mut String) {
    for node in nodes {
        match node {
            HtmlNode::Text(text) => out.push_str(text),
            HtmlNode::Element { name, children, .. } => {
                let inline = HTML_INLINE_ELEMENTS.contains(&name.as_str()) && name != "br";
                if !inline {
                    out.push(' ');
                }
                push_html_text(children, out);
                if !inline {
                    out.push(' ');
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_skips_note_calls() {
        let span = Span::new(FileId(0), 0..0);
        let inlines = vec![
            Inline::text("A ", span.clone()),
            Inline::Emph(vec![Inline::text("b", span.clone())]),
            Inline::NoteRef(Box::new(NoteRef {
                label: "1".into(),
                note: None,
                id: String::new(),
                span: span.clone(),
            })),
            Inline::SoftBreak,
            Inline::Code("c".into()),
        ];
        assert_eq!(plain_text(&inlines), "A b c");
    }

    /// An inline is no bigger than a text: the rare large ones (links, images, note calls,
    /// citations, HTML elements) are boxed, so a paragraph of a million small inlines takes
    /// 48 MB for its list, not 112 MB.
    #[test]
    fn an_inline_is_no_bigger_than_a_text() {
        assert!(
            std::mem::size_of::<Inline>() <= 48,
            "{}",
            std::mem::size_of::<Inline>()
        );
    }

    /// A block is no bigger than a code block: headings, tables and figures (208 to 472
    /// bytes) are boxed, so a chapter's paragraphs take 112 bytes each in its list, not 472.
    #[test]
    fn a_block_is_no_bigger_than_a_code_block() {
        assert!(
            std::mem::size_of::<Block>() <= 112,
            "{}",
            std::mem::size_of::<Block>()
        );
    }
}
