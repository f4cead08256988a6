//! Natural order for chapter file names: `chapter2` before `chapter10`.

/// Compare strings with digit runs compared as numbers.
pub(crate) fn natural_cmp(a: &str, b: &str) -> std::cmp::Ordering {
    natural_key(a).cmp(&natural_key(b)).then_with(|| a.cmp(b))
}

/// Neighbours in a naturally sorted list of file names that open with the same number
/// (`000-dedication.md` and `0-preface.md`, `01-a.md` and `1-b.md`): their order is left to
/// the rest of their names, which is seldom what was meant. A number followed by a letter
/// (`01a`, `01b`) is a deliberate sequence and not reported.
pub(crate) fn equal_ranks<'a>(sorted: &[&'a str]) -> Vec<(&'a str, &'a str)> {
    sorted
        .windows(2)
        .filter_map(|pair| {
            let (first, second) = (pair[0], pair[1]);
            let rank = leading_rank(first)?;
            (leading_rank(second) == Some(rank)).then_some((first, second))
        })
        .collect()
}

/// The value of the digits a name opens with, when a separator (not a letter or digit)
/// follows them.
fn leading_rank(name: &str) -> Option<u128> {
    let digits = name.len() - name.trim_start_matches(|c: char| c.is_ascii_digit()).len();
    let after = name[digits..].chars().next();
    if digits == 0 || after.is_some_and(char::is_alphanumeric) {
        return None;
    }
    let value = name[..digits].trim_start_matches('0');
    if value.is_empty() {
        return Some(0);
    }
    Some(value.parse().unwrap_or(u128::MAX))
}

#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
enum KeyPart {
    Number(u128, usize),
    Text(String),
}

fn natural_key(text: &str) -> Vec<KeyPart> {
    let mut parts = Vec::new();
    let mut chars = text.chars().peekable();
    while let Some(&c) = chars.peek() {
        let digits = c.is_ascii_digit();
        let mut run = String::new();
        while let Some(&c) = chars.peek() {
            if c.is_ascii_digit() != digits {
                break;
            }
            run.push(c);
            chars.next();
        }
        parts.push(if digits {
            // Digit runs longer than u128 compare by length, then text: still a total order.
            let value = run.trim_start_matches('0');
            let number = if value.is_empty() {
                Some(0)
            } else {
                value.parse().ok()
            };
            KeyPart::Number(number.unwrap_or(u128::MAX), run.len())
        } else {
            KeyPart::Text(run.to_lowercase())
        });
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_opening_with_the_same_number_are_found() {
        let mut names = vec![
            "01-letter.md",
            "000-also-by.md",
            "00-dedication.md",
            "001-epigraph.md",
            "02-chapter.md",
            "03a-x.md",
            "03b-y.md",
            "intro.md",
        ];
        names.sort_by(|a, b| natural_cmp(a, b));
        assert_eq!(
            equal_ranks(&names),
            vec![
                ("00-dedication.md", "000-also-by.md"),
                ("01-letter.md", "001-epigraph.md"),
            ]
        );
    }

    #[test]
    fn natural_sort_puts_10_after_2() {
        let mut names = vec![
            "chapter10.md",
            "chapter2.md",
            "chapter1.md",
            "appendix.md",
            "chapter0.md",
            "chapter00.md",
        ];
        names.sort_by(|a, b| natural_cmp(a, b));
        assert_eq!(
            names,
            vec![
                "appendix.md",
                "chapter0.md",
                "chapter00.md",
                "chapter1.md",
                "chapter2.md",
                "chapter10.md"
            ]
        );
    }
}
