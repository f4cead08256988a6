//! `[print]` and the ISBNs of the editions: what a printing service needs beyond the
//! interior's pages (the bleed, the paper the spine width depends on, the print edition's
//! own ISBN), and `[epub] isbn`, the ebook's. Each edition of a book has an ISBN of its own;
//! both are printed hyphenated as the ISBN agency's ranges divide them.

use serde::Deserialize;
use toml::Spanned;

use super::{parse_length, span_of};
use crate::diag::{code, Diagnostic, Diagnostics, FileId};
use crate::doc::{Isbn, Paper, PrintOptions};
use crate::units::Pt;

/// `[print]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case", default)]
pub struct PrintConfig {
    /// Bleed added outside the trim on the top, bottom and outer edges of every page, and
    /// around the cover wrap, e.g. `0.125in` (none by default).
    pub bleed: Option<Spanned<String>>,
    /// The paper the interior is printed on, `white` (the default) or `cream`: its thickness
    /// sets the width of the spine.
    pub paper: Option<Spanned<String>>,
    /// The print edition's ISBN-13.
    pub isbn: Option<Spanned<String>>,
}

/// The values `[print] paper` takes.
const PAPER_VALUES: [&str; 2] = ["white", "cream"];

/// The most bleed a printing service asks for; more is a unit slip (`0.125` meant in inches
/// but written in centimetres would still pass).
const MAX_BLEED_INCHES: f64 = 0.5;

/// Checks `[print]` and `[epub] isbn`: lengths, paper, valid ISBNs inside the agency's
/// ranges, and one ISBN per edition.
pub(super) fn validate_editions(
    file: FileId,
    print: &PrintConfig,
    epub_isbn: Option<&Spanned<String>>,
    diags: &mut Diagnostics,
) {
    if let Some(bleed) = &print.bleed {
        let too_much = parse_length(bleed.get_ref())
            .is_some_and(|length| length > Pt::inches(MAX_BLEED_INCHES));
        if parse_bleed(bleed.get_ref()).is_none() || too_much {
            diags.push(
                Diagnostic::error(
                    code::CONFIG_INVALID,
                    format!("book.toml: `{}` is not a bleed", bleed.get_ref()),
                )
                .at(span_of(file, bleed))
                .with_hint("printing services ask for 0.125in (3mm) of bleed; write bleed = \"0.125in\", or \"0\" for none"),
            );
        }
    }
    if let Some(paper) = &print.paper {
        if !PAPER_VALUES.contains(&paper.get_ref().as_str()) {
            diags.push(
                Diagnostic::error(
                    code::CONFIG_INVALID,
                    format!("book.toml: unknown paper `{}`", paper.get_ref()),
                )
                .at(span_of(file, paper))
                .with_hint("paper is white or cream (it sets the thickness of the spine)"),
            );
        }
    }
    let editions = [
        ("[print] isbn", print.isbn.as_ref()),
        ("[epub] isbn", epub_isbn),
    ];
    for (setting, value) in editions {
        let Some(value) = value else { continue };
        if let Err(problem) = parse_isbn(value.get_ref()) {
            diags.push(
                Diagnostic::error(
                    code::CONFIG_INVALID,
                    format!("book.toml: {setting}: {problem}"),
                )
                .at(span_of(file, value))
                .with_hint("give the ISBN-13 the ISBN agency assigned to this edition, e.g. \"978-0-306-40615-7\""),
            );
        }
    }
    if let (Some(print_isbn), Some(epub_isbn)) = (&print.isbn, epub_isbn) {
        let same = matches!(
            (parse_isbn(print_isbn.get_ref()), parse_isbn(epub_isbn.get_ref())),
            (Ok(a), Ok(b)) if a.digits == b.digits
        );
        if same {
            diags.push(
                Diagnostic::error(
                    code::CONFIG_INVALID,
                    "book.toml: the print edition and the EPUB have the same ISBN",
                )
                .at(span_of(file, epub_isbn))
                .with_hint("each edition needs an ISBN of its own: give the EPUB its own ISBN, or remove [epub] isbn"),
            );
        }
    }
}

/// A bleed length: `0` (none) or a length.
fn parse_bleed(text: &str) -> Option<Pt> {
    if text.trim().trim_end_matches(char::is_alphabetic) == "0" {
        return Some(Pt::ZERO);
    }
    parse_length(text)
}

/// An ISBN-13 as the author may write it (`978-0-306-40615-7`, `9780306406157`,
/// `ISBN 978…`, `urn:isbn:978…`), checked and hyphenated by the agency's ranges.
pub(crate) fn parse_isbn(text: &str) -> Result<Isbn, String> {
    let trimmed = text.trim();
    let lower = trimmed.to_ascii_lowercase();
    let bare = lower
        .strip_prefix("urn:isbn:")
        .or_else(|| lower.strip_prefix("isbn"))
        .unwrap_or(&lower);
    let digits: String = bare
        .chars()
        .filter(|c| !matches!(c, '-' | ' ' | ':'))
        .collect();
    if digits.len() != 13 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("`{trimmed}` is not an ISBN-13"));
    }
    if !super::isbn13_checksum_ok(&digits) {
        return Err(format!("ISBN `{trimmed}` has a wrong check digit"));
    }
    Isbn::from_digits(&digits).ok_or_else(|| {
        format!("`{trimmed}` is in no range the ISBN agency has assigned (ranges of {RANGES_DATE})")
    })
}

/// The date of the ISBN agency's range table the `isbn` crate carries (its version's date).
pub(crate) const RANGES_DATE: &str = "2026-11-02";

/// The print settings as the typesetter reads them (values validated beforehand).
pub(super) fn print_options(print: &PrintConfig) -> PrintOptions {
    PrintOptions {
        bleed: print
            .bleed
            .as_ref()
            .and_then(|b| parse_bleed(b.get_ref()))
            .unwrap_or(Pt::ZERO),
        paper: match print.paper.as_ref().map(|p| p.get_ref().as_str()) {
            Some("cream") => Paper::Cream,
            _ => Paper::White,
        },
        isbn: print
            .isbn
            .as_ref()
            .and_then(|i| parse_isbn(i.get_ref()).ok()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn isbns_are_hyphenated_by_the_agency_ranges() {
        let isbn = parse_isbn("9780306406157").expect("valid");
        assert_eq!(isbn.hyphenated, "978-0-306-40615-7");
        assert_eq!(isbn.digits, "9780306406157");
        let o_reilly = parse_isbn("urn:isbn:9781492067665").expect("valid");
        assert_eq!(o_reilly.hyphenated, "978-1-4920-6766-5");
        let german = parse_isbn("ISBN 978-3-16-148410-0").expect("valid");
        assert_eq!(german.hyphenated, "978-3-16-148410-0");
    }

    #[test]
    fn wrong_isbns_say_what_is_wrong() {
        assert!(parse_isbn("978-0-306-40615-6")
            .expect_err("check digit")
            .contains("check digit"));
        assert!(parse_isbn("0-306-40615-2")
            .expect_err("ten digits")
            .contains("not an ISBN-13"));
        // 979-0 is reserved for printed music (ISMN), a prefix the agency has no book
        // ranges in.
        assert!(parse_isbn("9790000000001").is_err());
    }

    #[test]
    fn bleed_takes_zero_or_a_length() {
        assert_eq!(parse_bleed("0"), Some(Pt::ZERO));
        assert_eq!(parse_bleed("0in"), Some(Pt::ZERO));
        assert_eq!(parse_bleed("0.125in"), Some(Pt::inches(0.125)));
        assert_eq!(parse_bleed("three"), None);
    }
}
