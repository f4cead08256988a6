//! The book's design in one place: every size, space, indent and rule the typesetter sets,
//! as proportions of the profile's body size and leading, so that a designer reads (and
//! changes) the whole design here rather than in the code that sets each block.
//!
//! A value is one of:
//! - an [`Em`], relative to the body size (`× body`: sizes, indents, insets) or to the
//!   element's own size (`× size`: leadings and gaps tied to a heading's or a caption's size);
//! - an `f32` scale of the size of the text around it (inline elements, headings: type sizes
//!   are `f32` in the typesetter);
//! - a plain multiple of the body leading (`× leading`): vertical space between blocks;
//! - a plain share of the page, the text block or the measure;
//! - a [`Pt`] length (rule thicknesses).
//!
//! Each profile has its design ([`Style::for_profile`]): the print book's, and the handouts'
//! (A4 and US letter), which share the book's proportions (their larger body size and
//! leading, see [`super::profile`], scale every value) but print code in colour where the
//! book prints it in greys ([`CodeTheme`]).

use super::layout::Ink;
use crate::doc::TokenClass;
use crate::fonts::Style as FaceStyle;
use crate::units::{Em, Pt};

/// The design of a book: how each kind of block and page is set.
#[derive(Debug, Clone, PartialEq)]
pub struct Style {
    /// Running text.
    pub text: Text,
    /// Footnote calls, struck-through text, inline code, superscripts and `<small>`.
    pub inline: Inline,
    /// The opening of a chapter: its drop and title.
    pub opening: Opening,
    /// Section headings, by level (1, 2, 3, then 4 and deeper: see [`Style::heading`]).
    pub headings: [Heading; 4],
    /// Space between a heading and what follows.
    pub heading_space_after: f64,
    /// Block quotations.
    pub quote: Quote,
    /// Lists.
    pub list: List,
    /// Definition lists: terms and their definitions.
    pub definitions: Definitions,
    /// Code blocks.
    pub code: Code,
    /// The scene break (a thematic break between paragraphs).
    pub scene_break: SceneBreak,
    /// Figures and their captions.
    pub figure: Figure,
    /// Tables.
    pub table: Table,
    /// Footnotes.
    pub notes: Notes,
    /// Entries of the references list.
    pub references: References,
    /// Running heads and folios.
    pub heads: Heads,
    /// The printed contents.
    pub contents: Contents,
    /// The back-of-book index.
    pub index: IndexDesign,
    /// The half title page.
    pub half_title: HalfTitle,
    /// The title page.
    pub title_page: TitlePage,
    /// The copyright page.
    pub copyright: Copyright,
    /// The compact title block a handout opens with.
    pub title_block: TitleBlock,
    /// The cover wrap of the print edition.
    pub cover: CoverDesign,
}

/// The cover wrap (back, spine, front): sizes relative to the body size, colours of the
/// typographic cover drawn when the book has no cover image.
#[derive(Debug, Clone, PartialEq)]
pub struct CoverDesign {
    /// Size of the title on the front (× body).
    pub title_size: Em,
    /// Leading of the title's lines (× its size).
    pub title_leading: f64,
    /// Size of the subtitle and the names on the front (× body).
    pub names_size: Em,
    /// Where the front's title starts (× the trim height from its top).
    pub title_top: f64,
    /// Space between title and subtitle, and before the names (× the names' size).
    pub gap: f64,
    /// Size of the blurb on the back (× body).
    pub blurb_size: Em,
    /// Leading of the blurb (× its size).
    pub blurb_leading: f64,
    /// Largest size of the spine's text (× body); smaller when the spine is narrow.
    pub spine_size: Em,
    /// Share of the room across the spine its text's size may take.
    pub spine_fill: f64,
    /// The field of the wrap (sRGB).
    pub background: [u8; 3],
    /// The text on it (sRGB).
    pub ink: [u8; 3],
}

/// Running text.
#[derive(Debug, Clone, PartialEq)]
pub struct Text {
    /// First-line indent of a paragraph that follows a paragraph (× body).
    pub indent: Em,
    /// Depth of a line's baseline below the top of the line (× the line's leading).
    pub baseline: f64,
    /// How far a ragged line may fall short of the measure before the breaker minds
    /// (× measure).
    pub ragged: f64,
}

/// Inline elements, relative to the text around them.
#[derive(Debug, Clone, PartialEq)]
pub struct Inline {
    /// Size of a footnote call (× size of the text it is in).
    pub note_call_size: f32,
    /// How far a footnote call is raised (× size of the text it is in).
    pub note_call_rise: f32,
    /// Height of a strike-through line's centre above the baseline (× size; about half the
    /// x-height of a book face).
    pub strike_rise: Em,
    /// Thickness of a strike-through line (× size).
    pub strike_thickness: Em,
    /// Inline code (`code`, `<kbd>`) (× size).
    pub code_size: f32,
    /// Superscripts and subscripts (× size).
    pub script_size: f32,
    /// How far a superscript is raised (× size).
    pub script_rise: f32,
    /// How far a subscript is lowered (× the superscript's rise).
    pub subscript_drop: f32,
    /// `<small>` text (× size).
    pub small_size: f32,
    /// The tallest an image in the line is set at its natural size (× leading); one whose
    /// size the author gave may be taller, on a line of its own.
    pub image_max_height: f64,
}

/// The opening of a chapter.
#[derive(Debug, Clone, PartialEq)]
pub struct Opening {
    /// How far down the text block a chapter starts (× text block height).
    pub drop: f64,
    /// How far down a dedication, an epigraph or an "Also by" page starts (× text block
    /// height); its lines are centred.
    pub special_drop: f64,
    /// Space between a drop cap and the text beside it.
    pub drop_cap_gap: Em,
    /// Face of the "Chapter N" line above the title (set at the body size).
    pub number_face: FaceStyle,
    /// Leading of the "Chapter N" line (× leading).
    pub number_leading: f64,
    /// Size of the chapter title (× body).
    pub title_size: Em,
    /// Leading of the chapter title (× its size).
    pub title_leading: Em,
    /// Space after the chapter title (× leading).
    pub space_after: f64,
}

/// A level of section headings.
#[derive(Debug, Clone, PartialEq)]
pub struct Heading {
    /// Face.
    pub face: FaceStyle,
    /// Size (× body).
    pub size: f32,
    /// Space before the heading (× leading).
    pub space_before: f64,
    /// Leading of its lines (× its size; never less than the body leading).
    pub leading: Em,
}

/// Block quotations.
#[derive(Debug, Clone, PartialEq)]
pub struct Quote {
    /// Inset on both sides (× body).
    pub inset: Em,
    /// Space before and after (× leading).
    pub space: f64,
}

/// Definition lists (pandoc's, and HTML's `<dl>`), set as LaTeX's `description`: each term
/// in bold on a line of its own, kept with its definitions, which are inset below it.
#[derive(Debug, Clone, PartialEq)]
pub struct Definitions {
    /// Inset of the definitions (× body).
    pub inset: Em,
    /// Space before and after the list, and between one term's definitions and the next
    /// term (× leading).
    pub space: f64,
}

/// Lists.
#[derive(Debug, Clone, PartialEq)]
pub struct List {
    /// Inset of the items' text (× body); the markers hang in it.
    pub inset: Em,
    /// Space before and after the list (× leading).
    pub space: f64,
    /// Space between a marker and its item's text (× body).
    pub marker_gap: Em,
    /// Marker of an unordered item.
    pub bullet: &'static str,
    /// Marker of a task that is done.
    pub task_done: &'static str,
    /// Marker of a task still open.
    pub task_open: &'static str,
}

/// Code blocks.
#[derive(Debug, Clone, PartialEq)]
pub struct Code {
    /// Size (× body).
    pub size: Em,
    /// Smallest size a block is set at so that its longest line fits (× body); lines still
    /// too long at it are broken.
    pub min_size: Em,
    /// Leading (× the code's size).
    pub leading: Em,
    /// Space before and after (× leading).
    pub space: f64,
    /// What a tab becomes.
    pub tab: &'static str,
    /// The mark set in the margin before the continuation of a broken line.
    pub continuation: &'static str,
    /// Size of that mark (× the code's size).
    pub continuation_size: f32,
    /// Space between the mark and the code (× the code's size).
    pub continuation_gap: Em,
    /// Ink of the mark, and of line numbers (set in the margin like it, at its size).
    pub continuation_ink: Ink,
    /// Width of the bar in the margin beside a highlighted line (`hl_lines`).
    pub highlight_bar: Pt,
    /// How much further than its line's own indentation a continuation starts (× the code's
    /// size; about two characters of the monospace).
    pub continuation_indent: Em,
    /// The most a continuation is indented, as a share of the measure.
    pub max_indent_share: f64,
    /// A block of at most this many lines is never split across pages.
    pub unbroken_lines: usize,
    /// Lines kept together at each side of a page break inside a block.
    pub split_lines: usize,
    /// Colours and faces of highlighted tokens.
    pub theme: CodeTheme,
}

/// How highlighted code looks in the PDF (`[pdf] code-theme`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeTheme {
    /// Colours for screens and colour printing (the a4 and letter handouts).
    Colour,
    /// Greys and weights that survive a black-and-white press (the print profile).
    Grey,
    /// Black, upright: no highlighting.
    Plain,
}

impl CodeTheme {
    /// The theme book.toml names (`colour`/`color`, `grey`/`gray`, `plain`).
    pub fn from_name(name: &str) -> Option<CodeTheme> {
        match name {
            "colour" | "color" => Some(CodeTheme::Colour),
            "grey" | "gray" => Some(CodeTheme::Grey),
            "plain" => Some(CodeTheme::Plain),
            _ => None,
        }
    }

    /// The ink and face of a token of `class`.
    pub fn look(self, class: TokenClass) -> TokenLook {
        match self {
            CodeTheme::Colour => colour_look(class),
            CodeTheme::Grey => grey_look(class),
            CodeTheme::Plain => TokenLook::PLAIN,
        }
    }
}

/// How one class of code token is set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TokenLook {
    /// Its colour.
    pub ink: Ink,
    /// Its face of the monospace family.
    pub face: FaceStyle,
}

impl TokenLook {
    /// Black, upright: plain code.
    pub const PLAIN: TokenLook = TokenLook {
        ink: Ink::BLACK,
        face: FaceStyle::Regular,
    };

    const fn new(rgb: u32, face: FaceStyle) -> TokenLook {
        let [_, r, g, b] = rgb.to_be_bytes();
        TokenLook {
            ink: Ink([r, g, b]),
            face,
        }
    }
}

/// The colour theme: hues dark enough for 4.5:1 contrast on white paper (the EPUB's
/// stylesheet uses the same family of hues), keywords bold, comments italic.
fn colour_look(class: TokenClass) -> TokenLook {
    use FaceStyle::{Bold, Italic, Regular};
    match class {
        TokenClass::Keyword => TokenLook::new(0x8f_1f8f, Bold),
        TokenClass::Type => TokenLook::new(0x0b_6173, Regular),
        TokenClass::Function => TokenLook::new(0x1f_4fb0, Regular),
        TokenClass::String => TokenLook::new(0x1a_6b1a, Regular),
        TokenClass::Number | TokenClass::Constant => TokenLook::new(0x9a_4a08, Regular),
        TokenClass::Comment => TokenLook::new(0x5f_5f5f, Italic),
        TokenClass::Attribute => TokenLook::new(0x75_5a0a, Regular),
        TokenClass::Tag => TokenLook::new(0x16_5f86, Regular),
        TokenClass::Heading => TokenLook::new(0x00_0000, Bold),
        TokenClass::Inserted => TokenLook::new(0x1a_6b28, Regular),
        TokenClass::Deleted => TokenLook::new(0xb0_1f2c, Regular),
        TokenClass::Operator | TokenClass::Punctuation | TokenClass::Variable => TokenLook::PLAIN,
    }
}

/// The print theme: black and two greys no lighter than 60 % black (a halftone that lighter
/// breaks up on a black-and-white press), told apart by weight and slope as much as by tone.
fn grey_look(class: TokenClass) -> TokenLook {
    use FaceStyle::{Bold, Italic, Regular};
    match class {
        TokenClass::Keyword | TokenClass::Heading => TokenLook::new(0x00_0000, Bold),
        TokenClass::Comment => TokenLook::new(0x66_6666, Italic),
        TokenClass::String => TokenLook::new(0x4d_4d4d, Regular),
        TokenClass::Deleted => TokenLook::new(0x66_6666, Regular),
        TokenClass::Inserted => TokenLook::new(0x00_0000, Bold),
        _ => TokenLook::PLAIN,
    }
}

/// The scene break.
#[derive(Debug, Clone, PartialEq)]
pub struct SceneBreak {
    /// The mark, centred.
    pub mark: &'static str,
    /// Height of the break (× leading).
    pub height: f64,
    /// Baseline of the mark below the top of the break (× leading).
    pub baseline: f64,
}

/// Figures.
#[derive(Debug, Clone, PartialEq)]
pub struct Figure {
    /// Tallest an image is set (× text block height).
    pub max_height: f64,
    /// Space before a figure (× leading).
    pub space_before: f64,
    /// Space below the image, and below the caption (× leading).
    pub gap: f64,
    /// Face of the caption (and of an image shown by its description).
    pub caption_face: FaceStyle,
    /// Face of a caption's number ("Figure 3.2:"), also for tables and listings.
    pub label_face: FaceStyle,
    /// Size of the caption (× body).
    pub caption_size: Em,
    /// Leading of the caption (× leading).
    pub caption_leading: f64,
    /// The most of the text block a figure may take at the top of the page on which it does
    /// not fit where it stands (LaTeX's `\topfraction`); a taller one goes to the next
    /// page's top.
    pub top_fraction: f64,
}

/// Tables, set as a book designer sets them: each column as wide as its content asks
/// (HTML's automatic table layout), ragged right, at their natural width when they are
/// narrower than the measure, smaller type before wrapping when they are wider.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// Size of a table's text when its columns fit (× body).
    pub size: Em,
    /// The smallest size a table too wide for the measure is reduced to (× body); past it
    /// the table's cells wrap, and its longest words break.
    pub min_size: Em,
    /// Each step of shrinking a table too wide for the measure multiplies its size by this,
    /// down to [`Table::min_size`].
    pub shrink_step: f32,
    /// Leading (× leading, then × the table's reduction).
    pub leading: f64,
    /// Space before and after (× leading).
    pub space: f64,
    /// Space above and below a cell's text (× the table's leading).
    pub cell_padding: f64,
    /// How far a line of a cell may fall short of its column before the line breaker minds
    /// (× the column): narrow columns leave short lines rather than break words.
    pub rag: f64,
    /// Space between columns (× the table's size). None outside the first and last column:
    /// the table's edges are its text's.
    pub gutter: Em,
    /// Gutter of a table whose longest words do not fit side by side even at the smallest
    /// size (× the usual gutter).
    pub squeezed_gutter: f64,
    /// A column whose one-line width is at most this gets it whole, so that dates and
    /// numbers are not wrapped to give a column of prose a little more (× measure).
    pub narrow_column: f64,
    /// The narrowest a column that wraps is made before the table is set smaller (× the
    /// table's size): a table whose columns of prose would be a word or two wide is set at
    /// the smallest size, where they are widest.
    pub comfortable_column: Em,
    /// The narrowest a column is made for words too long for it (× the table's size): a
    /// table with more columns than fit at this width is set in groups of columns.
    pub min_column: Em,
    /// Where a table narrower than the measure goes.
    pub placement: TablePlacement,
    /// Face of the header row.
    pub head_face: FaceStyle,
    /// Thickness of the rule under the header row, in points.
    pub head_rule: Pt,
    /// Thickness of the rule under every other row, in points.
    pub row_rule: Pt,
}

/// Where a table narrower than the measure is set (a table is never stretched to fill it:
/// its rules would run on past its last column).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TablePlacement {
    /// Against the left edge of the text, as the paragraphs around it.
    FlushLeft,
    /// Centred on the measure, as LaTeX's and Typst's table figures are.
    Centred,
}

/// Footnotes.
#[derive(Debug, Clone, PartialEq)]
pub struct Notes {
    /// Size (× body).
    pub size: Em,
    /// Leading (× leading).
    pub leading: f64,
    /// Space between the text and the notes (× leading).
    pub gap: f64,
    /// The rule above the notes is the measure divided by this.
    pub rule_divisor: f64,
    /// Thickness of the rule above the notes, in points.
    pub rule: Pt,
}

/// Entries of the references list.
#[derive(Debug, Clone, PartialEq)]
pub struct References {
    /// Hanging indent of an entry's later lines (× body).
    pub hanging_indent: Em,
    /// Space after each entry (× leading).
    pub space_after: f64,
}

/// Running heads and folios.
#[derive(Debug, Clone, PartialEq)]
pub struct Heads {
    /// Size of running heads and folios (× body).
    pub size: Em,
    /// Face of the running heads.
    pub head_face: FaceStyle,
    /// Baseline of the running head above the text block (× leading).
    pub head_raise: f64,
    /// Baseline of the folio below the text block (× leading).
    pub folio_drop: f64,
    /// Longest running head, in characters (a longer title is cut with an ellipsis).
    pub max_chars: usize,
}

/// The printed contents.
#[derive(Debug, Clone, PartialEq)]
pub struct Contents {
    /// Size of the "Contents" title (× body).
    pub title_size: Em,
    /// Leading of the title (× leading).
    pub title_leading: f64,
    /// Space after the title (× leading).
    pub space_after_title: f64,
    /// Indent of a section under its chapter (× body).
    pub section_indent: Em,
    /// Size of a section's entry (× body; chapters are at the body size).
    pub section_size: Em,
    /// Room kept between an entry's title and the right edge beyond its page number
    /// (× the entry's size).
    pub number_room: Em,
    /// Indent of an entry's later lines (× the entry's size).
    pub turnover_indent: Em,
    /// Space between the dot leaders and the text on either side (× the entry's size).
    pub leader_gap: Em,
    /// One step of the dot leaders.
    pub leader: &'static str,
    /// Above this many entries the contents list chapters only.
    pub max_lines: usize,
}

/// The back-of-book index: two columns of entries under letter headings.
#[derive(Debug, Clone, PartialEq)]
pub struct IndexDesign {
    /// Size of an entry (× body).
    pub size: Em,
    /// Leading of an entry's lines (× leading).
    pub leading: f64,
    /// Space between the two columns (× body).
    pub column_gap: Em,
    /// Indent of a sub-entry per level (× the entry's size).
    pub level_indent: Em,
    /// Indent of an entry's later lines beyond its first (× the entry's size).
    pub turnover_indent: Em,
    /// Space above a letter heading (× leading).
    pub space_before_letter: f64,
    /// Between the term and its first page, and between pages.
    pub separator: &'static str,
    /// Between the first and last page of a range (an en dash).
    pub range_dash: &'static str,
}

/// The half title page.
#[derive(Debug, Clone, PartialEq)]
pub struct HalfTitle {
    /// Size of the title (× body).
    pub size: Em,
    /// Where the title starts (× page height).
    pub top: f64,
    /// Leading (× leading).
    pub leading: f64,
}

/// The title page. Its spaces are multiples of the body size.
#[derive(Debug, Clone, PartialEq)]
pub struct TitlePage {
    /// Where the title starts (× page height).
    pub top: f64,
    /// Size of the title (× body).
    pub title_size: Em,
    /// Leading of the title (× body).
    pub title_leading: Em,
    /// Space after the title (× body).
    pub after_title: Em,
    /// Face of the subtitle (set at the body size).
    pub subtitle_face: FaceStyle,
    /// Leading of the subtitle (× body).
    pub subtitle_leading: Em,
    /// Space before the authors (× body).
    pub before_names: Em,
    /// Size of the authors' names (× body).
    pub names_size: Em,
    /// Leading of the names (× body).
    pub names_leading: Em,
    /// Height of the publisher's line above the bottom margin (× body).
    pub publisher_raise: Em,
    /// Leading of the publisher's line (× body).
    pub publisher_leading: Em,
}

/// The copyright page: a narrow justified column at the foot of the page.
#[derive(Debug, Clone, PartialEq)]
pub struct Copyright {
    /// Size (× body).
    pub size: Em,
    /// Width of the column (× measure).
    pub measure: f64,
    /// Leading (× its size).
    pub leading: Em,
    /// Space between paragraphs (× its leading).
    pub paragraph_gap: f64,
}

/// The handout title block: a title between the body and the level-1 section headings in
/// size (the chapter title below it is the larger), the chapters at body size in italic, the
/// byline at the running heads' size, a hairline rule.
#[derive(Debug, Clone, PartialEq)]
pub struct TitleBlock {
    /// Size of the book's title (× body).
    pub title: Em,
    /// Size of the chapters' line (× body).
    pub chapters: Em,
    /// Face of the chapters' line (the title and byline are upright).
    pub chapters_face: FaceStyle,
    /// Size of the byline (× body).
    pub byline: Em,
    /// Leading of each line (× its size).
    pub leading: Em,
    /// Thickness of the rule, in points.
    pub rule: Pt,
    /// Space between the last line and the rule (× leading).
    pub rule_gap: f64,
    /// Space after the rule (× leading).
    pub space_after: f64,
    /// Most chapters the block names one by one (more are given as the first and last).
    pub max_chapters: usize,
    /// Between the chapter titles, and between the names and the date.
    pub separator: &'static str,
}

impl Style {
    /// The design of section headings of `level` (Markdown's 1 to 6): levels 1 to 3 have
    /// their own, deeper levels share the last.
    pub fn heading(&self, level: u8) -> &Heading {
        let index = usize::from(level.saturating_sub(1));
        &self.headings[index.min(self.headings.len() - 1)]
    }

    /// The design of the profile called `name` (`print` when unknown).
    pub fn for_profile(name: &str) -> &'static Style {
        match name {
            "a4" => &A4,
            "letter" => &LETTER,
            _ => &PRINT,
        }
    }
}

/// The print book (6x9 in): a classical book page.
const PRINT: Style = Style {
    text: Text {
        indent: Em::new(1.2),
        baseline: 0.78,
        ragged: 0.3,
    },
    inline: Inline {
        note_call_size: 0.68,
        note_call_rise: 0.36,
        strike_rise: Em::new(0.25),
        strike_thickness: Em::new(0.05),
        code_size: 0.88,
        script_size: 0.7,
        script_rise: 0.35,
        subscript_drop: 0.6,
        small_size: 0.85,
        image_max_height: 2.0,
    },
    opening: Opening {
        drop: 0.18,
        special_drop: 0.3,
        drop_cap_gap: Em::new(0.15),
        number_face: FaceStyle::Italic,
        number_leading: 1.6,
        title_size: Em::new(1.9),
        title_leading: Em::new(1.25),
        space_after: 2.0,
    },
    headings: [
        heading(FaceStyle::Regular, 1.45, 1.4),
        heading(FaceStyle::Bold, 1.1, 1.4),
        heading(FaceStyle::Italic, 1.05, 1.0),
        heading(FaceStyle::Bold, 1.0, 1.0),
    ],
    heading_space_after: 0.4,
    quote: Quote {
        inset: Em::new(1.5),
        space: 0.5,
    },
    definitions: Definitions {
        inset: Em::new(1.6),
        space: 0.3,
    },
    list: List {
        inset: Em::new(1.6),
        space: 0.3,
        marker_gap: Em::new(0.4),
        bullet: "•",
        task_done: "☑",
        task_open: "☐",
    },
    code: Code {
        size: Em::new(0.82),
        // 10 % smaller at most.
        min_size: Em::new(0.738),
        leading: Em::new(1.3),
        space: 0.4,
        tab: "    ",
        continuation: "↪",
        continuation_size: 0.8,
        continuation_gap: Em::new(0.5),
        continuation_ink: Ink::grey(0x80),
        highlight_bar: Pt::new(1.0),
        continuation_indent: Em::new(1.2),
        max_indent_share: 0.5,
        unbroken_lines: 8,
        split_lines: 2,
        theme: CodeTheme::Grey,
    },
    scene_break: SceneBreak {
        mark: "*\u{2003}*\u{2003}*",
        height: 2.0,
        baseline: 1.2,
    },
    figure: Figure {
        max_height: 0.6,
        space_before: 0.5,
        gap: 0.6,
        caption_face: FaceStyle::Italic,
        label_face: FaceStyle::Bold,
        caption_size: Em::new(0.88),
        caption_leading: 0.9,
        top_fraction: 0.7,
    },
    table: Table {
        size: Em::new(0.9),
        min_size: Em::new(0.8),
        shrink_step: 0.95,
        leading: 0.9,
        space: 0.5,
        cell_padding: 0.2,
        rag: 1.0,
        gutter: Em::new(1.0),
        squeezed_gutter: 0.5,
        narrow_column: 0.3,
        comfortable_column: Em::new(6.0),
        min_column: Em::new(2.5),
        placement: TablePlacement::Centred,
        head_face: FaceStyle::Bold,
        head_rule: Pt::new(0.6),
        row_rule: Pt::new(0.25),
    },
    notes: Notes {
        size: Em::new(0.82),
        leading: 0.8,
        gap: 1.0,
        rule_divisor: 3.0,
        rule: Pt::new(0.4),
    },
    references: References {
        hanging_indent: Em::new(1.5),
        space_after: 0.35,
    },
    heads: Heads {
        size: Em::new(0.85),
        head_face: FaceStyle::Italic,
        head_raise: 1.5,
        folio_drop: 1.5,
        max_chars: 70,
    },
    contents: Contents {
        title_size: Em::new(1.6),
        title_leading: 2.0,
        space_after_title: 1.0,
        section_indent: Em::new(1.5),
        section_size: Em::new(0.92),
        number_room: Em::new(2.5),
        turnover_indent: Em::new(1.0),
        leader_gap: Em::new(0.5),
        leader: " .",
        max_lines: 1000,
    },
    index: IndexDesign {
        size: Em::new(0.9),
        leading: 0.9,
        column_gap: Em::new(1.5),
        level_indent: Em::new(1.0),
        turnover_indent: Em::new(2.0),
        space_before_letter: 1.0,
        separator: ", ",
        range_dash: "\u{2013}",
    },
    half_title: HalfTitle {
        size: Em::new(1.5),
        top: 0.28,
        leading: 1.6,
    },
    title_page: TitlePage {
        top: 0.22,
        title_size: Em::new(2.1),
        title_leading: Em::new(2.6),
        after_title: Em::new(1.0),
        subtitle_face: FaceStyle::Italic,
        subtitle_leading: Em::new(1.6),
        before_names: Em::new(3.0),
        names_size: Em::new(1.2),
        names_leading: Em::new(1.6),
        publisher_raise: Em::new(2.0),
        publisher_leading: Em::new(1.4),
    },
    copyright: Copyright {
        size: Em::new(0.85),
        measure: 0.7,
        leading: Em::new(1.35),
        paragraph_gap: 0.6,
    },
    title_block: TitleBlock {
        title: Em::new(1.35),
        chapters: Em::new(1.0),
        chapters_face: FaceStyle::Italic,
        byline: Em::new(0.85),
        leading: Em::new(1.3),
        rule: Pt::new(0.4),
        rule_gap: 0.6,
        space_after: 1.6,
        max_chapters: 6,
        separator: " · ",
    },
    cover: CoverDesign {
        title_size: Em::new(2.6),
        title_leading: 1.15,
        names_size: Em::new(1.4),
        title_top: 0.2,
        gap: 1.2,
        blurb_size: Em::new(1.15),
        blurb_leading: 1.4,
        spine_size: Em::new(1.0),
        spine_fill: 0.55,
        background: COVER_FIELD,
        ink: COVER_INK,
    },
};

/// The field of the covers octavo draws: `octavo new`'s placeholder and the cover wrap of
/// a book without a cover image (sRGB).
pub(crate) const COVER_FIELD: [u8; 3] = [0x1f, 0x2a, 0x38];
/// The text on that field (sRGB).
pub(crate) const COVER_INK: [u8; 3] = [0xf3, 0xee, 0xe2];

/// A4 handouts: the book's proportions at the handout's body size and leading.
const A4: Style = HANDOUT;

/// US letter handouts: the book's proportions at the handout's body size and leading.
const LETTER: Style = HANDOUT;

/// The handouts' design: the book's, with code in colour (handouts are read on screens and
/// printed on office printers).
const HANDOUT: Style = Style {
    code: Code {
        theme: CodeTheme::Colour,
        ..PRINT.code
    },
    ..PRINT
};

/// Line breaking of justified text (Knuth–Plass, in TeX's terms).
///
/// Tuned on the sample book and Frankenstein at 6x9 in and at A5 against Typst on the same
/// text (ARCHITECTURE.md, "Hyphenation"): a hyphen costs as much as a line stretched to
/// badness ~500, so that a word is broken only where the alternative is a markedly loose
/// line, and the tolerance is wide enough that the normal pass still finds such breaks
/// (with TeX's 50 and 200, 120 to 130 lines in 1,000 ended at a hyphen, Typst's 21 to 38).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Justification {
    /// The cost of ending a line at a hyphen (TeX's `\hyphenpenalty`).
    pub hyphen_penalty: f64,
    /// The largest badness a line may have before the emergency pass (`\tolerance`).
    pub tolerance: f64,
    /// Added to each line's badness before squaring (`\linepenalty`).
    pub line_penalty: f64,
    /// Extra stretch per line in the emergency pass, in points (`\emergencystretch`).
    pub emergency_stretch: f64,
    /// Most consecutive lines ending at a hyphen.
    pub max_hyphen_run: usize,
    /// A justified line whose spaces stretch past this ratio of their stretch (half a space
    /// each: a gap of 1.5 spaces) takes the excess as letter spacing, so that its word
    /// spaces stay close to those of its neighbours.
    pub letter_spacing_from: f64,
    /// The most letter spacing a line takes, in ems of its text: the spacing of a loose line
    /// is shared between its words and its letters, never taken from the letters alone.
    pub max_letter_spacing: f64,
}

/// The line breaking of every justified paragraph.
pub(crate) const JUSTIFICATION: Justification = Justification {
    hyphen_penalty: 500.0,
    tolerance: 1000.0,
    line_penalty: 10.0,
    emergency_stretch: 30.0,
    max_hyphen_run: 2,
    letter_spacing_from: 1.0,
    max_letter_spacing: 0.02,
};

/// The heading leading (× its size) shared by every level.
const HEADING_LEADING: Em = Em::new(1.25);

const fn heading(face: FaceStyle, size: f32, space_before: f64) -> Heading {
    Heading {
        face,
        size,
        space_before,
        leading: HEADING_LEADING,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_deeper_than_three_share_the_last_heading_design() {
        let style = Style::for_profile("print");
        assert_eq!(style.heading(1), &style.headings[0]);
        assert_eq!(style.heading(3), &style.headings[2]);
        assert_eq!(style.heading(4), &style.headings[3]);
        assert_eq!(style.heading(6), &style.headings[3]);
    }

    #[test]
    fn every_profile_has_a_design_and_unknown_names_get_the_book_s() {
        assert_eq!(Style::for_profile("a4"), &A4);
        assert_eq!(Style::for_profile("letter"), &LETTER);
        assert_eq!(Style::for_profile("print"), &PRINT);
        assert_eq!(Style::for_profile("folio"), &PRINT);
    }
}
