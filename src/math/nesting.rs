//! How deeply a formula nests, measured before anything reads it: pulldown-latex, the tree
//! and the layout all recurse once per level, so a formula of twenty thousand `\sqrt` or
//! braces would overflow the stack. Braces, `\left` and `\begin` open a level until they
//! close; a command that takes the next element as its argument (`\sqrt\sqrt x`, `x^\hat y`)
//! opens one until something else comes.

/// The deepest a formula may nest; real ones stay under a dozen.
pub(crate) const MAX_NESTING: usize = 64;

/// Commands whose argument is the element after them, so that a run of them nests.
const ARGUMENT_COMMANDS: &[&str] = &[
    "sqrt",
    "frac",
    "dfrac",
    "tfrac",
    "cfrac",
    "binom",
    "dbinom",
    "tbinom",
    "hat",
    "bar",
    "tilde",
    "vec",
    "dot",
    "ddot",
    "check",
    "breve",
    "acute",
    "grave",
    "widehat",
    "widetilde",
    "overline",
    "underline",
    "overbrace",
    "underbrace",
    "overrightarrow",
    "overleftarrow",
    "mathbf",
    "mathrm",
    "mathit",
    "mathcal",
    "mathbb",
    "mathsf",
    "mathtt",
    "mathfrak",
    "mathscr",
    "boldsymbol",
    "bm",
    "operatorname",
    "text",
    "mbox",
    "not",
    "overset",
    "underset",
    "stackrel",
    "displaystyle",
    "textstyle",
    "scriptstyle",
];

/// The formula's deepest nesting.
pub(crate) fn depth(source: &str) -> usize {
    let bytes = source.as_bytes();
    let (mut open, mut run, mut deepest) = (0usize, 0usize, 0usize);
    let mut at = 0;
    while at < bytes.len() {
        let (token, next) = token_at(source, at);
        at = next;
        match token {
            Token::Space => continue,
            Token::Open => open += 1,
            Token::Close => open = open.saturating_sub(1),
            Token::Argument => {
                run += 1;
                deepest = deepest.max(open + run);
                continue;
            }
            Token::Other => {}
        }
        run = 0;
        deepest = deepest.max(open);
    }
    deepest
}

enum Token {
    Space,
    Open,
    Close,
    Argument,
    Other,
}

/// The token at `at` and the offset after it.
fn token_at(source: &str, at: usize) -> (Token, usize) {
    let bytes = source.as_bytes();
    match bytes[at] {
        b' ' | b'\t' | b'\n' | b'\r' => (Token::Space, at + 1),
        b'{' => (Token::Open, at + 1),
        b'}' => (Token::Close, at + 1),
        b'^' | b'_' => (Token::Argument, at + 1),
        b'\\' => {
            let end = at
                + 1
                + bytes[at + 1..]
                    .iter()
                    .take_while(|b| b.is_ascii_alphabetic())
                    .count();
            let name = &source[at + 1..end];
            let token = match name {
                "left" | "begin" => Token::Open,
                "right" | "end" => Token::Close,
                _ if ARGUMENT_COMMANDS.contains(&name) => Token::Argument,
                _ => Token::Other,
            };
            // `\\`, `\{` and the like: the backslash and the one character after it.
            let end = if end == at + 1 {
                next_char(source, end)
            } else {
                end
            };
            (token, end)
        }
        _ => (Token::Other, next_char(source, at)),
    }
}

/// The offset after the character at `at` (or the end).
fn next_char(source: &str, at: usize) -> usize {
    source[at..]
        .chars()
        .next()
        .map_or(source.len(), |c| at + c.len_utf8())
}

#[cfg(test)]
mod tests {
    use super::depth;

    #[test]
    fn nesting_counts_groups_and_runs_of_argument_commands() {
        assert_eq!(depth("x + y"), 0);
        assert_eq!(depth(r"\frac{a}{b}"), 1);
        assert_eq!(depth(r"\sqrt\sqrt\sqrt x"), 3);
        assert_eq!(depth(r"\left( \frac{\sqrt{x}}{2} \right)"), 3);
        assert_eq!(depth(r"x_1 + x_2 + x_3 + \alpha\beta\gamma"), 1);
        assert_eq!(depth(&"{".repeat(20_000)), 20_000);
        assert_eq!(depth("\\"), 0);
    }
}
