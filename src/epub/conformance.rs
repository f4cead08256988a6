//! Whether the EPUB may claim conformance to EPUB Accessibility 1.1 at WCAG 2.2 Level AA
//! (`dcterms:conformsTo`, with `a11y:certifiedBy`). The claim is a promise to readers and
//! to the stores and libraries that filter on it, so it is made only when octavo's own
//! checks of what it can check pass: every image described, headings in order, the
//! language declared, text colours at 4.5:1 or more (a book with a print edition gets its page list from the typeset print pages), where a print edition
//! exists. The claim is the publisher's (`a11y:certifiedBy`): a book with no `publisher` is
//! not being published and claims nothing; a publisher's book that fails a check claims
//! nothing either, and the build says what is missing.

use crate::doc::{Block, Book};

/// The conformance claim's text, as EPUB Accessibility 1.1 spells it.
pub(crate) const CONFORMS_TO: &str = "EPUB Accessibility 1.1 - WCAG 2.2 Level AA";

/// The contrast WCAG 2.2 Level AA asks of body text (success criterion 1.4.3).
const AA_CONTRAST: f64 = 4.5;

/// octavo's own stylesheet, whose colours are checked like an author's.
const BOOK_CSS: &str = include_str!("book.css");

/// What the checks found: who answers for the claim, and what keeps it from being made.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Conformance {
    /// The publisher, who answers for the claim (`a11y:certifiedBy`); a book without one
    /// is not being published, and claims nothing.
    pub certifier: Option<String>,
    /// What the checks found missing, each as a phrase for the warning.
    pub missing: Vec<String>,
}

impl Conformance {
    /// The party the claim names, when the EPUB may claim conformance.
    pub fn claim(&self) -> Option<&str> {
        self.certifier
            .as_deref()
            .filter(|_| self.missing.is_empty())
    }

    /// Whether the publisher should hear what keeps the claim from being made.
    pub fn withheld(&self) -> bool {
        self.certifier.is_some() && !self.missing.is_empty()
    }
}

/// Assesses `book` (its language declared in its settings or not, with the author's
/// `extra_css` after octavo's stylesheet).
pub(crate) fn assess(book: &Book, language_declared: bool, extra_css: Option<&str>) -> Conformance {
    let mut missing = Vec::new();
    if book.undescribed_images > 0 {
        missing.push(format!(
            "alternative text for {} image{}",
            book.undescribed_images,
            if book.undescribed_images == 1 {
                ""
            } else {
                "s"
            }
        ));
    }
    for chapter in book.chapters.iter().filter(|c| !c.generated) {
        if skips_a_heading_level(&chapter.blocks) {
            let title = crate::doc::plain_text(&chapter.title);
            missing.push(format!("headings in order in “{title}”"));
        }
    }
    if !language_declared {
        missing.push("the book's language (book.toml `language`)".to_string());
    }
    missing.extend(colour_problems(BOOK_CSS, "octavo's stylesheet"));
    if let Some(css) = extra_css {
        missing.extend(colour_problems(css, "the [epub] css stylesheet"));
    }
    let certifier = book.meta.publisher.clone();
    Conformance { certifier, missing }
}

/// Whether a heading among `blocks` is more than one level below the heading before it.
fn skips_a_heading_level(blocks: &[Block]) -> bool {
    let mut previous: Option<u8> = None;
    for block in blocks {
        if let Block::Heading(heading) = block {
            if previous.is_some_and(|level| heading.level > level + 1) {
                return true;
            }
            previous = Some(heading.level);
        }
    }
    false
}

/// The colours of `css` (named `sheet` in the messages) that fall short of AA on a white
/// page, or that cannot be checked (a colour not written `#rgb` or `#rrggbb`, a background).
fn colour_problems(css: &str, sheet: &str) -> Vec<String> {
    let mut problems = Vec::new();
    for (property, value) in declarations(css) {
        let unchecked =
            || format!("a contrast octavo can check: {sheet} sets `{property}: {value}`");
        match property.as_str() {
            "color" => match hex_colour(&value) {
                Some(rgb) => {
                    let ratio = contrast(rgb, [255, 255, 255]);
                    if ratio < AA_CONTRAST {
                        problems.push(format!(
                            "text colours of 4.5:1 or more: {sheet} sets {value} ({ratio:.1}:1 on white)"
                        ));
                    }
                }
                None if is_inherited(&value) => {}
                None => problems.push(unchecked()),
            },
            "background" | "background-color" if !is_inherited(&value) => {
                problems.push(unchecked());
            }
            _ => {}
        }
    }
    problems
}

/// Values that leave the reader's colours alone.
fn is_inherited(value: &str) -> bool {
    matches!(
        value,
        "inherit" | "initial" | "unset" | "currentcolor" | "currentColor" | "transparent" | "none"
    )
}

/// The `property: value` declarations of `css`, comments left out, properties lowercased.
fn declarations(css: &str) -> Vec<(String, String)> {
    let mut text = String::with_capacity(css.len());
    let mut rest = css;
    while let Some(start) = rest.find("/*") {
        text.push_str(&rest[..start]);
        rest = rest[start + 2..]
            .split_once("*/")
            .map_or("", |(_, after)| after);
    }
    text.push_str(rest);
    text.split(['{', '}', ';'])
        .filter_map(|declaration| declaration.split_once(':'))
        .map(|(property, value)| {
            let value = value.trim().trim_end_matches("!important").trim();
            (property.trim().to_ascii_lowercase(), value.to_string())
        })
        .filter(|(property, _)| !property.is_empty() && !property.contains(char::is_whitespace))
        .collect()
}

/// `#rgb` or `#rrggbb` as red, green and blue.
fn hex_colour(value: &str) -> Option<[u8; 3]> {
    let hex = value.strip_prefix('#')?;
    let digit = |c: char| c.to_digit(16).map(|d| d as u8);
    let digits: Vec<u8> = hex.chars().map(digit).collect::<Option<_>>()?;
    match digits.as_slice() {
        [r, g, b] => Some([r * 17, g * 17, b * 17]),
        [r1, r2, g1, g2, b1, b2] => Some([r1 * 16 + r2, g1 * 16 + g2, b1 * 16 + b2]),
        _ => None,
    }
}

/// The WCAG contrast ratio of two sRGB colours.
fn contrast(a: [u8; 3], b: [u8; 3]) -> f64 {
    let (la, lb) = (luminance(a), luminance(b));
    (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
}

/// WCAG relative luminance.
fn luminance(rgb: [u8; 3]) -> f64 {
    let linear = |channel: u8| {
        let c = f64::from(channel) / 255.0;
        if c <= 0.04045 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    let [r, g, b] = rgb.map(linear);
    0.2126 * r + 0.7152 * g + 0.0722 * b
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contrast_is_wcags() {
        assert!((contrast([0, 0, 0], [255, 255, 255]) - 21.0).abs() < 1e-9);
        // #767676 is the lightest grey at 4.5:1 on white.
        assert!(contrast([0x76, 0x76, 0x76], [255, 255, 255]) >= 4.5);
        assert!(contrast([0x77, 0x77, 0x77], [255, 255, 255]) < 4.5);
    }

    #[test]
    fn octavos_stylesheet_passes_its_own_check() {
        assert_eq!(
            colour_problems(BOOK_CSS, "octavo's stylesheet"),
            Vec::<String>::new()
        );
        assert!(declarations(BOOK_CSS).iter().any(|(p, _)| p == "color"));
    }

    #[test]
    fn an_authors_pale_or_unreadable_colours_stop_the_claim() {
        let problems = colour_problems(
            "p { color: #aaa; } /* color: #fff */ h1 { color: rgb(0,0,0) } em { color: inherit }",
            "the [epub] css stylesheet",
        );
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(
            problems[0].contains("#aaa (2.3:1 on white)"),
            "{problems:?}"
        );
        assert!(problems[1].contains("rgb(0,0,0)"), "{problems:?}");
        assert!(colour_problems(".x { background: #fff }", "s").len() == 1);
        assert!(colour_problems(".x { color: #333333 !important }", "s").is_empty());
    }
}
