//! Natural order for chapter file names: `chapter2` before `chapter10`.

/// Compare strings with digit runs compared as numbers.
pub(crate) fn natural_cmp(a: &str, b: &str) -> std::cmp::Ordering {
    natural_key(a).cmp(&natural_key(b)).then_with(|| a.cmp(b))
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
