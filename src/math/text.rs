//! A formula as readable plain text, for where only text can go (the EPUB's navigation, the
//! PDF's outline, a page's title): its characters in order, plain letters for the italic
//! ones every formula is set in, scripts as superscript and subscript characters when
//! Unicode has them all (`x²`, `aᵢ`), fractions as `a/b` and roots as `√x`.

use super::tree::{Class, Node, ScriptPlace};

/// Space narrower than this (ems) is left out of the text (`\,` between a function and
/// its argument); wider space is one space.
const SPACE_SHOWN: f32 = 0.2;

/// The formula's nodes as readable text.
pub(crate) fn readable_text(nodes: &[Node]) -> String {
    let mut out = String::new();
    push_list(nodes, &mut out);
    let words: Vec<&str> = out.split_whitespace().collect();
    words.join(" ")
}

fn push_list(nodes: &[Node], out: &mut String) {
    for node in nodes {
        push_node(node, out);
    }
}

fn push_node(node: &Node, out: &mut String) {
    match node {
        Node::Char { ch, class, .. } => {
            let spaced = *class == Class::Rel;
            if spaced {
                out.push(' ');
            }
            out.push(plain_letter(*ch));
            if spaced {
                out.push(' ');
            }
        }
        Node::Text { text, .. } => out.push_str(text),
        Node::Group(nodes) => push_list(nodes, out),
        Node::Fenced { open, close, body } => {
            out.extend(*open);
            push_list(body, out);
            out.extend(*close);
        }
        Node::Fraction {
            numerator,
            denominator,
            ..
        } => {
            push_operand(numerator, out);
            out.push('/');
            push_operand(denominator, out);
        }
        Node::Root { radicand, index } => {
            if let Some(index) = index {
                push_script(index, '^', out);
            }
            out.push('√');
            push_operand(radicand, out);
        }
        Node::Scripts {
            base,
            sub,
            sup,
            position,
        } => push_scripts(base, sub.as_deref(), sup.as_deref(), *position, out),
        Node::Space(ems) if *ems >= SPACE_SHOWN => out.push(' '),
        Node::Space(_) | Node::Style(_) => {}
        Node::Table { rows, .. } => push_rows(rows, out),
        Node::Negated(inner) => {
            push_node(inner, out);
            out.push('\u{338}');
        }
    }
}

/// A base and its scripts; an accent (a "superscript" above the base) is left out, so
/// that `\hat{x}` reads `x`.
fn push_scripts(
    base: &Node,
    sub: Option<&Node>,
    sup: Option<&Node>,
    position: ScriptPlace,
    out: &mut String,
) {
    push_node(base, out);
    if let Some(sub) = sub {
        push_script(sub, '_', out);
    }
    if let Some(sup) = sup {
        if position != ScriptPlace::AboveBelow || sub.is_some() {
            push_script(sup, '^', out);
        }
    }
}

/// A script as superscript (`^`) or subscript (`_`) characters when Unicode has one for
/// each of its characters, else written `^(…)` or `_(…)`.
fn push_script(script: &Node, mark: char, out: &mut String) {
    let mut text = String::new();
    push_node(script, &mut text);
    let text: String = text.split_whitespace().collect();
    let lifted: Option<String> = text
        .chars()
        .map(|c| {
            if mark == '^' {
                superscript(c)
            } else {
                subscript(c)
            }
        })
        .collect();
    match lifted {
        Some(lifted) if !lifted.is_empty() => out.push_str(&lifted),
        _ if text.chars().count() == 1 => {
            out.push(mark);
            out.push_str(&text);
        }
        _ => {
            out.push(mark);
            out.push('(');
            out.push_str(&text);
            out.push(')');
        }
    }
}

/// A fraction's part or a radicand: in parentheses unless it is one atom (a letter with its
/// scripts, a number, a fenced group).
fn push_operand(node: &Node, out: &mut String) {
    let mut text = String::new();
    push_node(node, &mut text);
    let text = text.trim();
    if is_one_atom(node) {
        out.push_str(text);
    } else {
        out.push('(');
        out.push_str(text);
        out.push(')');
    }
}

fn is_one_atom(node: &Node) -> bool {
    match node {
        Node::Group(nodes) => matches!(nodes.as_slice(), [one] if is_one_atom(one)),
        Node::Char { .. } | Node::Text { .. } | Node::Fenced { .. } | Node::Scripts { .. } => true,
        _ => false,
    }
}

/// A table's rows, separated by semicolons, its cells by spaces.
fn push_rows(rows: &[Vec<Vec<Node>>], out: &mut String) {
    for (n, row) in rows.iter().enumerate() {
        if n > 0 {
            out.push_str("; ");
        }
        for (m, cell) in row.iter().enumerate() {
            if m > 0 {
                out.push(' ');
            }
            push_list(cell, out);
        }
    }
}

/// The plain letter for a math italic one (𝑥 → x, 𝛼 → α); any other character as it is.
fn plain_letter(ch: char) -> char {
    const ITALIC_LATIN: u32 = 0x1D434;
    const ITALIC_GREEK: u32 = 0x1D6E2;
    let code = ch as u32;
    let letter = match code {
        _ if ch == 'ℎ' => Some('h'),
        _ if (ITALIC_LATIN..ITALIC_LATIN + 52).contains(&code) => {
            let offset = code - ITALIC_LATIN;
            let first = if offset < 26 { 'A' } else { 'a' };
            char::from_u32(first as u32 + offset % 26)
        }
        _ if (ITALIC_GREEK..ITALIC_GREEK + 58).contains(&code) => {
            let offset = code - ITALIC_GREEK;
            match offset {
                0..=24 => char::from_u32('Α' as u32 + offset),
                25 => Some('∇'),
                26..=50 => char::from_u32('α' as u32 + offset - 26),
                _ => "∂ϵϑϰϕϱϖ".chars().nth((offset - 51) as usize),
            }
        }
        _ => None,
    };
    letter.unwrap_or(ch)
}

fn superscript(c: char) -> Option<char> {
    Some(match c {
        '0' => '⁰',
        '1' => '¹',
        '2' => '²',
        '3' => '³',
        '4' => '⁴',
        '5' => '⁵',
        '6' => '⁶',
        '7' => '⁷',
        '8' => '⁸',
        '9' => '⁹',
        '+' => '⁺',
        '-' | '−' => '⁻',
        '=' => '⁼',
        '(' => '⁽',
        ')' => '⁾',
        'n' => 'ⁿ',
        'i' => 'ⁱ',
        '′' => '′',
        _ => return None,
    })
}

fn subscript(c: char) -> Option<char> {
    Some(match c {
        '0' => '₀',
        '1' => '₁',
        '2' => '₂',
        '3' => '₃',
        '4' => '₄',
        '5' => '₅',
        '6' => '₆',
        '7' => '₇',
        '8' => '₈',
        '9' => '₉',
        '+' => '₊',
        '-' | '−' => '₋',
        '=' => '₌',
        '(' => '₍',
        ')' => '₎',
        'a' => 'ₐ',
        'e' => 'ₑ',
        'i' => 'ᵢ',
        'j' => 'ⱼ',
        'k' => 'ₖ',
        'n' => 'ₙ',
        'x' => 'ₓ',
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::readable_text;
    use crate::math::{tree::parse, Macros};

    fn text(source: &str) -> String {
        readable_text(&parse(source, &Macros::new([]).0).expect("reads"))
    }

    #[test]
    fn a_formula_reads_as_its_characters_with_scripts_lifted() {
        assert_eq!(text("x^2 + y_i = z"), "x²+yᵢ = z");
        assert_eq!(text(r"\alpha_{n+1}"), "αₙ₊₁");
        assert_eq!(text(r"e^{i\pi}"), "e^(iπ)");
    }

    #[test]
    fn fractions_roots_and_accents_read_plainly() {
        assert_eq!(text(r"\frac{a}{b+c}"), "a/(b+c)");
        assert_eq!(text(r"\sqrt{2}"), "√2");
        assert_eq!(text(r"\sqrt{a_i}"), "√aᵢ");
        assert_eq!(text(r"\hat{x}"), "x");
        assert_eq!(text(r"\mathbb{R}"), "ℝ");
    }
}
