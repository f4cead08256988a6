//! A formula as a tree the typesetter lays out: pulldown-latex's flat event stream (where a
//! script, a fraction or a root takes the elements after it) folded into nodes, with each
//! letter already in the math alphabet its font asks for (𝑥, 𝐱, ℝ).

use pulldown_latex::event::{
    Content, DelimiterSize, Dimension, DimensionUnit, EnvironmentFlow, Font, Grouping,
    ScriptPosition, ScriptType, StateChange, Style as LatexStyle, Visual,
};
use pulldown_latex::{Event, Storage};

use super::Macros;

/// TeX's classes of atoms: what decides the space between two neighbours.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Class {
    /// Letters, digits, symbols.
    Ord,
    /// Large operators and functions (∑, ∫, sin).
    Op,
    /// Binary operators (+, ×).
    Bin,
    /// Relations (=, ≤, →).
    Rel,
    /// Opening delimiters.
    Open,
    /// Closing delimiters.
    Close,
    /// Punctuation (, ;).
    Punct,
    /// A fraction or a `\left…\right` group.
    Inner,
}

/// The four sizes of TeX's styles.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum MathStyle {
    /// A display formula's own level.
    Display,
    /// Inline formulas, and the parts of fractions in them.
    Text,
    /// Scripts.
    Script,
    /// Scripts of scripts.
    ScriptScript,
}

/// What kind of environment a table is: how its columns align and space.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TableKind {
    /// `matrix` and its bracketed forms, `array`: centred (or as specified) columns.
    Matrix,
    /// `cases`: left-aligned columns after a brace.
    Cases,
    /// `align`, `aligned`, `split`: right and left columns in pairs, aligned at `&`.
    Align,
    /// `gather`: centred rows.
    Gather,
}

/// One node of a formula.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Node {
    /// A character, in its math alphabet, and its class.
    Char {
        /// The character to draw.
        ch: char,
        /// Its class.
        class: Class,
        /// Stretch to this height (ems), for `\big` delimiters.
        size: Option<f32>,
    },
    /// Upright text: `\text{…}`, a function name (`sin`), a number.
    Text {
        /// The text.
        text: String,
        /// Its class (`Op` for function names).
        class: Class,
    },
    /// A group `{…}`, laid out as one ordinary atom.
    Group(Vec<Node>),
    /// `\left( … \right)`: the delimiters stretch to the content.
    Fenced {
        /// The opening delimiter (`None` for `\left.`).
        open: Option<char>,
        /// The closing delimiter.
        close: Option<char>,
        /// The content.
        body: Vec<Node>,
    },
    /// A fraction.
    Fraction {
        /// Above the bar.
        numerator: Box<Node>,
        /// Below the bar.
        denominator: Box<Node>,
        /// No bar (`\binom`'s inside).
        no_bar: bool,
    },
    /// A root.
    Root {
        /// Under the sign.
        radicand: Box<Node>,
        /// The small index (`\sqrt[3]`).
        index: Option<Box<Node>>,
    },
    /// A base with scripts.
    Scripts {
        /// The base.
        base: Box<Node>,
        /// Subscript (or below, for limits).
        sub: Option<Box<Node>>,
        /// Superscript (or above; an accent is a superscript above).
        sup: Option<Box<Node>>,
        /// Where the scripts go.
        position: ScriptPlace,
    },
    /// Horizontal space, in ems.
    Space(f32),
    /// A style change for the rest of the group (`\displaystyle`).
    Style(MathStyle),
    /// An environment's rows of cells.
    Table {
        /// Its kind.
        kind: TableKind,
        /// Rows of cells.
        rows: Vec<Vec<Vec<Node>>>,
    },
    /// A slash through the next element (`\not`).
    Negated(Box<Node>),
}

/// Where scripts are set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ScriptPlace {
    /// Right of the base.
    Right,
    /// Above and below, always (accents, `\underbrace`, `\overset`).
    AboveBelow,
    /// Above and below in display style, right of it otherwise (`\sum`, `\lim`).
    Movable,
}

/// The formula as nodes; `None` when it does not read (resolve reports it).
pub(crate) fn parse(source: &str, macros: &Macros) -> Option<Vec<Node>> {
    if super::nesting::depth(source) > super::nesting::MAX_NESTING {
        return None;
    }
    let input = macros.prefixed(source);
    let storage = Storage::new();
    let events = super::read_events(&input, &storage)?;
    let mut folder = Folder {
        events: &events,
        at: 0,
        fonts: vec![None],
    };
    Some(folder.sequence())
}

/// Folds the event stream into nodes, keeping the font in force for each group.
struct Folder<'e, 'a> {
    events: &'e [Event<'a>],
    at: usize,
    fonts: Vec<Option<Font>>,
}

/// A cell boundary met while reading a sequence.
enum Stop {
    End,
    Cell,
    Row,
}

impl Folder<'_, '_> {
    /// Nodes up to the end of the current group (or of the input).
    fn sequence(&mut self) -> Vec<Node> {
        self.sequence_until().0
    }

    /// Nodes up to the end of the group, an `&` or a `\\`, and which of them ended it.
    fn sequence_until(&mut self) -> (Vec<Node>, Stop) {
        let mut nodes = Vec::new();
        while let Some(event) = self.events.get(self.at) {
            match event {
                Event::End => {
                    self.at += 1;
                    return (nodes, Stop::End);
                }
                Event::EnvironmentFlow(EnvironmentFlow::Alignment) => {
                    self.at += 1;
                    return (nodes, Stop::Cell);
                }
                Event::EnvironmentFlow(EnvironmentFlow::NewLine { .. }) => {
                    self.at += 1;
                    return (nodes, Stop::Row);
                }
                Event::EnvironmentFlow(EnvironmentFlow::StartLines { .. }) => self.at += 1,
                _ => nodes.extend(self.element()),
            }
        }
        (nodes, Stop::End)
    }

    /// The next element; `None` for a state change that produces no node.
    fn element(&mut self) -> Option<Node> {
        let event = self.events.get(self.at)?.clone();
        self.at += 1;
        match event {
            Event::Content(content) => Some(self.content(content)),
            Event::Begin(grouping) => Some(self.group(grouping)),
            Event::End | Event::EnvironmentFlow(_) => None,
            Event::Visual(visual) => Some(self.visual(visual)),
            Event::Script { ty, position } => Some(self.scripts(ty, position)),
            Event::Space { width, .. } => Some(Node::Space(width.map_or(0.0, ems))),
            Event::StateChange(change) => self.state_change(change),
        }
    }

    /// The next element, or an empty group when the stream ends early.
    fn operand(&mut self) -> Box<Node> {
        loop {
            if self.at >= self.events.len() {
                return Box::new(Node::Group(Vec::new()));
            }
            if let Some(node) = self.element() {
                return Box::new(node);
            }
        }
    }

    fn state_change(&mut self, change: StateChange) -> Option<Node> {
        match change {
            StateChange::Font(font) => {
                if let Some(current) = self.fonts.last_mut() {
                    *current = font;
                }
                None
            }
            StateChange::Style(style) => Some(Node::Style(match style {
                LatexStyle::Display => MathStyle::Display,
                LatexStyle::Text => MathStyle::Text,
                LatexStyle::Script => MathStyle::Script,
                LatexStyle::ScriptScript => MathStyle::ScriptScript,
            })),
            StateChange::Color(_) => None,
        }
    }

    fn font(&self) -> Option<Font> {
        self.fonts.last().copied().flatten()
    }

    fn content(&self, content: Content<'_>) -> Node {
        let char_node = |ch, class| Node::Char {
            ch,
            class,
            size: None,
        };
        match content {
            Content::Text(text) => Node::Text {
                text: text.to_string(),
                class: Class::Ord,
            },
            Content::Number(number) => Node::Text {
                text: number.chars().map(|c| styled(c, self.font())).collect(),
                class: Class::Ord,
            },
            Content::Function(name) => Node::Text {
                text: name.to_string(),
                class: Class::Op,
            },
            Content::Ordinary { content, stretchy } => char_node(
                styled(accent_mark(content, stretchy), self.font()),
                Class::Ord,
            ),
            Content::LargeOp { content, .. } => char_node(content, Class::Op),
            Content::BinaryOp { content, .. } => char_node(content, Class::Bin),
            Content::Relation { content, .. } => {
                let mut buffer = [0u8; 8];
                let bytes = content.encode_utf8_to_buf(&mut buffer);
                relation(String::from_utf8_lossy(bytes).into_owned())
            }
            Content::Delimiter { content, size, ty } => {
                let class = match ty {
                    pulldown_latex::event::DelimiterType::Open => Class::Open,
                    pulldown_latex::event::DelimiterType::Close => Class::Close,
                    pulldown_latex::event::DelimiterType::Fence => Class::Ord,
                };
                Node::Char {
                    ch: content,
                    class,
                    size: size.map(delimiter_ems),
                }
            }
            Content::Punctuation(ch) => char_node(ch, Class::Punct),
        }
    }

    fn group(&mut self, grouping: Grouping) -> Node {
        self.fonts.push(self.font());
        let node = match grouping {
            Grouping::Normal => Node::Group(self.sequence()),
            Grouping::LeftRight(open, close) => Node::Fenced {
                open,
                close,
                body: self.sequence(),
            },
            other => self.table(table_kind(&other)),
        };
        self.fonts.pop();
        node
    }

    fn table(&mut self, kind: TableKind) -> Node {
        let mut rows = Vec::new();
        let mut row = Vec::new();
        loop {
            let (cell, stop) = self.sequence_until();
            row.push(cell);
            match stop {
                Stop::Cell => {}
                Stop::Row => rows.push(std::mem::take(&mut row)),
                Stop::End => break,
            }
        }
        let empty_last = row.len() == 1 && row[0].is_empty();
        if !empty_last {
            rows.push(row);
        }
        Node::Table { kind, rows }
    }

    fn visual(&mut self, visual: Visual) -> Node {
        match visual {
            Visual::SquareRoot => Node::Root {
                radicand: self.operand(),
                index: None,
            },
            Visual::Root => {
                let radicand = self.operand();
                Node::Root {
                    radicand,
                    index: Some(self.operand()),
                }
            }
            Visual::Fraction(bar) => {
                let numerator = self.operand();
                Node::Fraction {
                    numerator,
                    denominator: self.operand(),
                    no_bar: bar.is_some_and(|d| ems(d) == 0.0),
                }
            }
            Visual::Negation => Node::Negated(self.operand()),
        }
    }

    fn scripts(&mut self, ty: ScriptType, position: ScriptPosition) -> Node {
        let base = self.operand();
        let (sub, sup) = match ty {
            ScriptType::Subscript => (Some(self.operand()), None),
            ScriptType::Superscript => (None, Some(self.operand())),
            ScriptType::SubSuperscript => {
                let sub = self.operand();
                (Some(sub), Some(self.operand()))
            }
        };
        let position = match position {
            ScriptPosition::Right => ScriptPlace::Right,
            ScriptPosition::AboveBelow => ScriptPlace::AboveBelow,
            ScriptPosition::Movable => ScriptPlace::Movable,
        };
        Node::Scripts {
            base,
            sub,
            sup,
            position,
        }
    }
}

/// The combining mark a math face draws an accent with, for the spacing characters
/// pulldown-latex gives accents as (`\hat` is `^`, `\dot` is `˙`); other characters as they are.
fn accent_mark(ch: char, stretchy: bool) -> char {
    match ch {
        '→' if !stretchy => '\u{20D7}',
        '^' => '\u{302}',
        '~' => '\u{303}',
        '˙' => '\u{307}',
        '¨' => '\u{308}',
        'ˇ' => '\u{30C}',
        '˘' => '\u{306}',
        '´' => '\u{301}',
        '`' => '\u{300}',
        other => other,
    }
}

/// A relation: one character, or a text of two (`≔`-like pairs).
fn relation(chars: String) -> Node {
    let mut iter = chars.chars();
    match (iter.next(), iter.next()) {
        (Some(ch), None) => Node::Char {
            ch,
            class: Class::Rel,
            size: None,
        },
        _ => Node::Text {
            text: chars,
            class: Class::Rel,
        },
    }
}

fn table_kind(grouping: &Grouping) -> TableKind {
    match grouping {
        Grouping::Cases { .. } => TableKind::Cases,
        Grouping::Align { .. }
        | Grouping::Aligned
        | Grouping::Split
        | Grouping::Alignat { .. }
        | Grouping::Alignedat { .. } => TableKind::Align,
        Grouping::Gather { .. } | Grouping::Gathered | Grouping::Multline => TableKind::Gather,
        Grouping::Equation { .. } => TableKind::Gather,
        _ => TableKind::Matrix,
    }
}

/// `\big`, `\Big`, `\bigg`, `\Bigg` heights in ems (TeX's 1.2, 1.8, 2.4, 3.0 of the size).
fn delimiter_ems(size: DelimiterSize) -> f32 {
    match size {
        DelimiterSize::Big => 1.2,
        DelimiterSize::BIG => 1.8,
        DelimiterSize::Bigg => 2.4,
        DelimiterSize::BIGG => 3.0,
    }
}

/// A dimension in ems (18 mu to the em; points at 10 pt to the em).
fn ems(dimension: Dimension) -> f32 {
    let value = dimension.value;
    match dimension.unit {
        DimensionUnit::Em => value,
        DimensionUnit::Mu => value / 18.0,
        DimensionUnit::Ex => value * 0.45,
        DimensionUnit::Pt | DimensionUnit::Bp | DimensionUnit::Dd => value / 10.0,
        DimensionUnit::Pc => value * 1.2,
        DimensionUnit::Mm => value / 3.5146,
        DimensionUnit::Cm => value / 0.35146,
        DimensionUnit::In => value * 7.227,
        _ => value / 10.0,
    }
}

/// The character in the math alphabet of `font` (italic for letters when none is set).
pub(crate) fn styled(ch: char, font: Option<Font>) -> char {
    let alphabet = match font {
        None => default_alphabet(ch),
        Some(font) => font,
    };
    math_alphanumeric(ch, alphabet).unwrap_or(ch)
}

fn default_alphabet(ch: char) -> Font {
    if ch.is_ascii_alphabetic() || ('α'..='ω').contains(&ch) || "ϵϑϕϱϖ".contains(ch) {
        Font::Italic
    } else {
        Font::UpRight
    }
}

/// The Mathematical Alphanumeric Symbols block (U+1D400) for Latin letters, digits and
/// Greek; `None` for characters it does not have in that alphabet.
fn math_alphanumeric(ch: char, font: Font) -> Option<char> {
    let latin = |base: u32| -> Option<char> {
        let offset = if ch.is_ascii_uppercase() {
            ch as u32 - 'A' as u32
        } else {
            26 + ch as u32 - 'a' as u32
        };
        char::from_u32(base + offset).map(|c| holes(c).unwrap_or(c))
    };
    if ch.is_ascii_alphabetic() {
        return match font {
            Font::UpRight => Some(ch),
            Font::Bold => latin(0x1D400),
            Font::Italic => latin(0x1D434),
            Font::BoldItalic | Font::BoldSymbol => latin(0x1D468),
            Font::Script => latin(0x1D49C),
            Font::BoldScript => latin(0x1D4D0),
            Font::Fraktur => latin(0x1D504),
            Font::DoubleStruck | Font::DoubleStruckItalic => latin(0x1D538),
            Font::BoldFraktur => latin(0x1D56C),
            Font::SansSerif => latin(0x1D5A0),
            Font::BoldSansSerif => latin(0x1D5D4),
            Font::SansSerifItalic => latin(0x1D608),
            Font::SansSerifBoldItalic => latin(0x1D63C),
            Font::Monospace => latin(0x1D670),
        };
    }
    if ch.is_ascii_digit() {
        let base = match font {
            Font::Bold | Font::BoldSymbol | Font::BoldItalic => 0x1D7CE,
            Font::DoubleStruck => 0x1D7D8,
            Font::SansSerif => 0x1D7E2,
            Font::BoldSansSerif => 0x1D7EC,
            Font::Monospace => 0x1D7F6,
            _ => return Some(ch),
        };
        return char::from_u32(base + ch as u32 - '0' as u32);
    }
    greek(ch, font)
}

/// Greek in italic, bold or bold italic.
fn greek(ch: char, font: Font) -> Option<char> {
    let base = match font {
        Font::Italic => 0x1D6E2,
        Font::Bold => 0x1D6A8,
        Font::BoldItalic | Font::BoldSymbol => 0x1D71C,
        _ => return None,
    };
    let index = match ch {
        'Α'..='Ω' if ch != '\u{3a2}' => ch as u32 - 'Α' as u32,
        'α'..='ω' => 26 + ch as u32 - 'α' as u32,
        'ϵ' => 52,
        'ϑ' => 53,
        'ϰ' => 54,
        'ϕ' => 55,
        'ϱ' => 56,
        'ϖ' => 57,
        _ => return None,
    };
    char::from_u32(base + index)
}

/// Letters the block leaves out because they were in Unicode already (ℎ, ℬ, ℝ…).
fn holes(c: char) -> Option<char> {
    Some(match c as u32 {
        0x1D455 => 'ℎ',
        0x1D49D => 'ℬ',
        0x1D4A0 => 'ℰ',
        0x1D4A1 => 'ℱ',
        0x1D4A3 => 'ℋ',
        0x1D4A4 => 'ℐ',
        0x1D4A7 => 'ℒ',
        0x1D4A8 => 'ℳ',
        0x1D4AD => 'ℛ',
        0x1D4BA => 'ℯ',
        0x1D4BC => 'ℊ',
        0x1D4C4 => 'ℴ',
        0x1D506 => 'ℭ',
        0x1D50B => 'ℌ',
        0x1D50C => 'ℑ',
        0x1D515 => 'ℜ',
        0x1D51D => 'ℨ',
        0x1D53A => 'ℂ',
        0x1D53F => 'ℍ',
        0x1D545 => 'ℕ',
        0x1D547 => 'ℙ',
        0x1D548 => 'ℚ',
        0x1D549 => 'ℝ',
        0x1D551 => 'ℤ',
        _ => return None,
    })
}
