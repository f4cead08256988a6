//! Where a line of code too long for the measure is broken, as a programmer would break it:
//! after a run of spaces or after punctuation (`,` `(` `.` `=` and the other operators) as
//! near the right margin as the line allows; never inside an identifier (a hyphen between
//! letters included: `code-line-numbers`), a number or an operator (`==`, `->`); inside a
//! string only at one of its spaces, and only when the line has no better place. Only a token longer than the line itself is cut between two of its
//! characters, and the caller warns about it.
//!
//! The line is seen as cells (the shaped clusters, one character each in a monospace),
//! each with its width, its first and last character, and the highlighted token it belongs
//! to; the result is the ranges of cells each printed line holds.

use std::ops::Range;

use crate::doc::TokenClass;

/// One cluster of a line of code.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Cell {
    /// Advance width, in points.
    pub width: f64,
    /// Its first character.
    pub first: char,
    /// Its last character.
    pub last: char,
    /// The stretch of one class it belongs to (its index in the line): two cells of one
    /// token share it.
    pub token: usize,
    /// That stretch's class; `None` for plain text.
    pub class: Option<TokenClass>,
}

/// How good a place to break a boundary between two cells is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Place {
    /// Inside a word, number or operator: only when nothing else fits.
    Never,
    /// At a space inside a string.
    InString,
    /// After spaces or punctuation.
    Good,
}

/// How a line was broken.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Broken {
    /// The cells of each printed line, in order, covering the line.
    pub lines: Vec<Range<usize>>,
    /// Whether some token had to be cut between two of its characters.
    pub cut_token: bool,
}

/// Breaks `cells` into lines: the first `first` points wide, the continuations `rest`
/// points wide. The first line never breaks inside its leading `indent` cells (it would
/// print nothing but spaces). Spaces at the end of a line do not count against its width.
pub(crate) fn break_line(cells: &[Cell], indent: usize, first: f64, rest: f64) -> Broken {
    let mut lines = Vec::new();
    let mut cut_token = false;
    let mut start = 0;
    let mut width = first;
    while start < cells.len() {
        let end = match line_end(cells, start, width, if start == 0 { indent } else { 0 }) {
            End::Fits(end) => end,
            End::Cut(end) => {
                cut_token = true;
                end
            }
        };
        lines.push(start..end);
        start = end;
        width = rest;
    }
    Broken { lines, cut_token }
}

/// Byte offsets inside a word of inline code where a line may break: after punctuation, by
/// the rules of code blocks (inline code is not highlighted, and has no spaces inside a
/// word). Never a hyphen.
pub(crate) fn inline_code_breaks(word: &str) -> Vec<usize> {
    let cells: Vec<(usize, Cell)> = word
        .char_indices()
        .enumerate()
        .map(|(n, (at, c))| {
            let cell = Cell {
                width: 0.0,
                first: c,
                last: c,
                token: n,
                class: None,
            };
            (at, cell)
        })
        .collect();
    let only: Vec<Cell> = cells.iter().map(|(_, cell)| *cell).collect();
    (1..only.len())
        .filter(|&at| place_before(&only, at) == Place::Good)
        .map(|at| cells[at].0)
        .collect()
}

/// Where a printed line starting at `start` ends.
enum End {
    /// At the end of the source line or at a good place.
    Fits(usize),
    /// Between two characters of a token longer than the line.
    Cut(usize),
}

fn line_end(cells: &[Cell], start: usize, width: f64, indent: usize) -> End {
    let mut used = 0.0;
    let mut visible = 0.0;
    let mut best: Option<(Place, usize)> = None;
    let mut last_fit = start + 1;
    for end in start + 1..=cells.len() {
        let cell = &cells[end - 1];
        used += cell.width;
        if !cell.last.is_whitespace() {
            visible = used;
        }
        if visible > width && end > start + 1 {
            break;
        }
        if end == cells.len() {
            return End::Fits(end);
        }
        last_fit = end;
        let place = place_before(cells, end);
        if place > Place::Never && end > indent && best.is_none_or(|(p, _)| place >= p) {
            best = Some((place, end));
        }
    }
    match best {
        Some((_, end)) => End::Fits(end),
        None => End::Cut(last_fit),
    }
}

/// How good a place the boundary before cell `at` is (`at` ≥ 1).
fn place_before(cells: &[Cell], at: usize) -> Place {
    let (prev, next) = (&cells[at - 1], &cells[at]);
    if next.first.is_whitespace() {
        // Break after the spaces, never before them.
        return Place::Never;
    }
    let inside = prev.token == next.token;
    let literal = matches!(
        prev.class,
        Some(TokenClass::String) | Some(TokenClass::Number)
    );
    if prev.last.is_whitespace() {
        return if inside && literal {
            Place::InString
        } else {
            Place::Good
        };
    }
    if !breaks_after(prev.last) || joins(next.first) || (inside && literal) {
        return Place::Never;
    }
    let before = at.checked_sub(2).map(|i| cells[i].last);
    let digits = before.is_some_and(|c| c.is_ascii_digit()) && next.first.is_ascii_digit();
    if matches!(prev.last, '.' | ',') && digits {
        // A decimal point or a thousands separator in unhighlighted code (`118.15`).
        return Place::Never;
    }
    let word = |c: char| c.is_alphanumeric() || c == '_';
    if prev.last == '-' && before.is_some_and(word) && word(next.first) {
        // A hyphen inside a name (`code-line-numbers`, `with-open-file`).
        return Place::Never;
    }
    Place::Good
}

/// Punctuation a line may break after.
fn breaks_after(c: char) -> bool {
    matches!(
        c,
        ',' | ';'
            | '('
            | '['
            | '{'
            | ')'
            | ']'
            | '}'
            | '.'
            | '='
            | '+'
            | '-'
            | '*'
            | '/'
            | '%'
            | '&'
            | '|'
            | '^'
            | '<'
            | '>'
            | '!'
            | '?'
            | ':'
            | '~'
    )
}

/// Characters that continue an operator or close a bracket, and so stay with what is before
/// them (`==`, `->`, `::`, `()`, `a.b)`).
fn joins(c: char) -> bool {
    matches!(
        c,
        '=' | '+'
            | '-'
            | '*'
            | '/'
            | '%'
            | '&'
            | '|'
            | '^'
            | '<'
            | '>'
            | '!'
            | '?'
            | ':'
            | '.'
            | '~'
            | ','
            | ';'
            | ')'
            | ']'
            | '}'
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Cells of `text`, one point wide each; `tokens` gives (byte range, class) stretches.
    fn cells(text: &str, tokens: &[(Range<usize>, TokenClass)]) -> Vec<Cell> {
        text.char_indices()
            .map(|(at, c)| {
                let found = tokens.iter().position(|(r, _)| r.contains(&at));
                Cell {
                    width: 1.0,
                    first: c,
                    last: c,
                    token: found.map_or(usize::MAX - at, |i| i),
                    class: found.map(|i| tokens[i].1),
                }
            })
            .collect()
    }

    fn pieces(text: &str, broken: &Broken) -> Vec<String> {
        let chars: Vec<char> = text.chars().collect();
        broken
            .lines
            .iter()
            .map(|r| chars[r.clone()].iter().collect())
            .collect()
    }

    #[test]
    fn breaks_after_a_space_nearest_the_margin() {
        let text = "let total = first + second + third;";
        let broken = break_line(&cells(text, &[]), 0, 20.0, 16.0);
        assert_eq!(
            pieces(text, &broken),
            ["let total = first + ", "second + third;"]
        );
        assert!(!broken.cut_token);
    }

    #[test]
    fn breaks_after_punctuation_but_not_inside_operators_or_numbers() {
        let text = "a.b(c,d)==118.15";
        let broken = break_line(&cells(text, &[]), 0, 14.0, 14.0);
        assert_eq!(pieces(text, &broken), ["a.b(c,d)==", "118.15"]);
        let text = "xs.iter().map(f)";
        let broken = break_line(&cells(text, &[]), 0, 11.0, 11.0);
        assert_eq!(pieces(text, &broken), ["xs.iter().", "map(f)"]);
    }

    #[test]
    fn a_string_breaks_only_at_its_spaces_and_only_when_nothing_else_fits() {
        let text = "f(\"one two three\")";
        let string = [(2..17, TokenClass::String)];
        let broken = break_line(&cells(text, &string), 0, 12.0, 12.0);
        assert_eq!(pieces(text, &broken), ["f(", "\"one two ", "three\")"]);
        assert!(!broken.cut_token);
    }

    #[test]
    fn only_a_token_longer_than_the_line_is_cut() {
        let text = "go abcdefghijklmnop";
        let broken = break_line(&cells(text, &[]), 0, 8.0, 8.0);
        assert_eq!(pieces(text, &broken), ["go ", "abcdefgh", "ijklmnop"]);
        assert!(broken.cut_token);
    }

    #[test]
    fn inline_code_breaks_after_punctuation_only() {
        assert_eq!(inline_code_breaks("a.b(c)"), [2, 4]);
        assert_eq!(inline_code_breaks("x==1.5"), [3]);
        assert_eq!(inline_code_breaks("code-line-numbers"), Vec::<usize>::new());
        assert_eq!(inline_code_breaks("long_identifier"), Vec::<usize>::new());
    }

    #[test]
    fn the_indentation_is_not_a_line_of_its_own() {
        let text = "        call(argument)";
        let broken = break_line(&cells(text, &[]), 8, 15.0, 15.0);
        assert_eq!(pieces(text, &broken), ["        call(", "argument)"]);
    }
}
