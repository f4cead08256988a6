//! Chapter and part numbers as a book prints them: arabic, roman or in words, and the test
//! whether a title already carries a number of its own ("Chapter 1", "Letter IV").

use super::ChapterNumberStyle;

/// A number in the style asked for; `None` for [`ChapterNumberStyle::None`]. Words are
/// English words ("Twenty-One") in an English book and up to 999; otherwise, and beyond,
/// the number is printed in figures.
pub(crate) fn styled_number(n: u32, style: ChapterNumberStyle, language: &str) -> Option<String> {
    match style {
        ChapterNumberStyle::Arabic => Some(n.to_string()),
        ChapterNumberStyle::Roman => Some(roman_upper(n)),
        ChapterNumberStyle::Words if is_english(language) => {
            Some(english_words(n).unwrap_or_else(|| n.to_string()))
        }
        ChapterNumberStyle::Words => Some(n.to_string()),
        ChapterNumberStyle::None => None,
    }
}

fn is_english(language: &str) -> bool {
    let primary = language.split(['-', '_']).next().unwrap_or_default();
    primary.eq_ignore_ascii_case("en")
}

/// Upper-case roman numerals (`XIV`); 0 prints as `0`.
pub(crate) fn roman_upper(mut n: u32) -> String {
    const TABLE: [(u32, &str); 13] = [
        (1000, "M"),
        (900, "CM"),
        (500, "D"),
        (400, "CD"),
        (100, "C"),
        (90, "XC"),
        (50, "L"),
        (40, "XL"),
        (10, "X"),
        (9, "IX"),
        (5, "V"),
        (4, "IV"),
        (1, "I"),
    ];
    if n == 0 {
        return "0".to_string();
    }
    let mut out = String::new();
    for (value, digits) in TABLE {
        while n >= value {
            out.push_str(digits);
            n -= value;
        }
    }
    out
}

const ONES: [&str; 20] = [
    "Zero",
    "One",
    "Two",
    "Three",
    "Four",
    "Five",
    "Six",
    "Seven",
    "Eight",
    "Nine",
    "Ten",
    "Eleven",
    "Twelve",
    "Thirteen",
    "Fourteen",
    "Fifteen",
    "Sixteen",
    "Seventeen",
    "Eighteen",
    "Nineteen",
];

const TENS: [&str; 10] = [
    "", "", "Twenty", "Thirty", "Forty", "Fifty", "Sixty", "Seventy", "Eighty", "Ninety",
];

/// A number from 1 to 999 in English words, capitalised as in a heading ("Forty-Two",
/// "One Hundred and Five"); `None` outside that range.
pub(crate) fn english_words(n: u32) -> Option<String> {
    if n == 0 || n > 999 {
        return None;
    }
    let (hundreds, rest) = (n / 100, n % 100);
    let below_hundred = |n: u32| -> String {
        let index = n as usize;
        match index {
            0..=19 => ONES[index].to_string(),
            _ if index.is_multiple_of(10) => TENS[index / 10].to_string(),
            _ => format!("{}-{}", TENS[index / 10], ONES[index % 10]),
        }
    };
    Some(match (hundreds, rest) {
        (0, _) => below_hundred(rest),
        (_, 0) => format!("{} Hundred", ONES[hundreds as usize]),
        _ => format!(
            "{} Hundred and {}",
            ONES[hundreds as usize],
            below_hundred(rest)
        ),
    })
}

/// Whether a chapter's title already names it with a number or with the label word, so
/// that a label over it would repeat it: "Chapter 1", "Chapter the First" (with the label
/// "Chapter"), "Letter 4", "Book IV", "Part Two".
pub(crate) fn title_carries_label(title: &str, label_word: &str) -> bool {
    let words: Vec<&str> = title.split_whitespace().collect();
    let Some(first) = words.first() else {
        return false;
    };
    if !label_word.is_empty() && first.to_lowercase() == label_word.to_lowercase() {
        return true;
    }
    match words.as_slice() {
        [_, number] => is_number_word(number.trim_end_matches(['.', ':'])),
        _ => false,
    }
}

/// Figures, roman numerals or an English number word (`12`, `XIV`, `Twelve`).
fn is_number_word(word: &str) -> bool {
    let all = |test: fn(char) -> bool| !word.is_empty() && word.chars().all(test);
    let english = (1..=99).any(|n| english_words(n).is_some_and(|w| w.eq_ignore_ascii_case(word)));
    all(|c| c.is_ascii_digit()) || all(|c| "IVXLCDM".contains(c)) || english
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_print_in_each_style() {
        let en = "en-GB";
        assert_eq!(
            styled_number(14, ChapterNumberStyle::Arabic, en).as_deref(),
            Some("14")
        );
        assert_eq!(
            styled_number(14, ChapterNumberStyle::Roman, en).as_deref(),
            Some("XIV")
        );
        assert_eq!(
            styled_number(1994, ChapterNumberStyle::Roman, en).as_deref(),
            Some("MCMXCIV")
        );
        assert_eq!(
            styled_number(21, ChapterNumberStyle::Words, en).as_deref(),
            Some("Twenty-One")
        );
        assert_eq!(
            styled_number(21, ChapterNumberStyle::Words, "fr").as_deref(),
            Some("21")
        );
        assert_eq!(styled_number(3, ChapterNumberStyle::None, en), None);
        assert_eq!(english_words(105).as_deref(), Some("One Hundred and Five"));
        assert_eq!(english_words(300).as_deref(), Some("Three Hundred"));
        assert_eq!(english_words(1000), None);
    }

    #[test]
    fn titles_that_name_their_own_number_are_recognised() {
        assert!(title_carries_label("Chapter 1", "Chapter"));
        assert!(title_carries_label("chapter the first", "Chapter"));
        assert!(title_carries_label("Letter 4", "Chapter"));
        assert!(title_carries_label("Book IV.", "Chapter"));
        assert!(title_carries_label("Part Two", "Chapter"));
        assert!(!title_carries_label("The Storm", "Chapter"));
        assert!(!title_carries_label(
            "Catch 22 and Other Stories",
            "Chapter"
        ));
        assert!(!title_carries_label("Introduction", "Chapter"));
        assert!(!title_carries_label("", "Chapter"));
    }
}
