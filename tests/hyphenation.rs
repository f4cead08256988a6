//! Hyphenation in the PDF (issue 20, item 2): each language by its own patterns (the book's
//! and a span's), capitalised words (names) unbroken in English, no hyphen ending the last
//! full line of a paragraph, at most two hyphenated lines in a row, and a warning for a
//! language without patterns.

mod common;

/// The lines of the book's PDF, page by page, set in the print profile with its outer margin
/// `outer` times as wide (a narrow measure hyphenates often), and the warnings.
fn pages_of_lines(language: &str, chapter: &str, outer: f64) -> (Vec<Vec<String>>, Vec<String>) {
    let config = format!("title = \"Hyphens\"\nlanguage = \"{language}\"\n");
    let (_tmp, dir) = common::book(&[("book.toml", &config), ("chapters/01-one.md", chapter)]);
    let (compiled, warnings) = common::checked_book(&dir);
    let book = compiled.book.expect("a book");
    let mut profile = octavo::Profile::builtin("print");
    profile.outer = profile.outer * outer;
    let options = octavo::PdfOptions {
        profile,
        chapters: None,
        readable: false,
        fonts: None,
    };
    let output = octavo::write_pdf(&book, &options).expect("PDF written");
    let pages = output
        .composition
        .pages
        .iter()
        .map(|page| {
            octavo::layout::page_text(page)
                .lines()
                .map(str::to_string)
                .collect()
        })
        .collect();
    (pages, warnings)
}

/// Lines that end at an added hyphen: a letter, then `-`.
fn hyphenated(line: &str) -> bool {
    let mut end = line.chars().rev();
    end.next() == Some('-') && end.next().is_some_and(char::is_alphabetic)
}

/// The word broken at the end of a hyphenated line, as set on the line (hyphen dropped).
fn broken_word(line: &str) -> &str {
    let word = line.rsplit(' ').next().unwrap_or(line);
    word.trim_end_matches('-')
}

fn all_lines(pages: &[Vec<String>]) -> Vec<&String> {
    pages.iter().flatten().collect()
}

const GERMAN: &str = "Die Donaudampfschifffahrtsgesellschaft verhandelte über \
    Unabhängigkeitserklärungen, Rechtsschutzversicherungsgesellschaften und die \
    Geschwindigkeitsbegrenzung auf Bundesautobahnen mit den Verantwortlichen der \
    Landesregierung.";

#[test]
fn german_text_is_hyphenated_by_german_patterns() {
    let chapter = format!("# Kapitel\n\n{}\n", [GERMAN; 12].join(" "));
    let (pages, warnings) = pages_of_lines("de", &chapter, 3.0);
    let lines = all_lines(&pages);
    let broken: Vec<&str> = lines
        .iter()
        .filter(|l| hyphenated(l))
        .map(|l| broken_word(l))
        .collect();
    assert!(broken.len() >= 3, "{lines:#?}");
    // German nouns are capitalised and hyphenated all the same.
    assert!(broken.iter().any(|w| w.starts_with(char::is_uppercase)));
    for word in &broken {
        assert!(GERMAN.contains(word), "{word} is a piece of a German word");
    }
    assert!(
        warnings.iter().all(|w| !w.starts_with("W0370")),
        "{warnings:?}"
    );
}

#[test]
fn a_language_without_patterns_is_set_unhyphenated_with_one_warning() {
    let chapter = format!(
        "# One\n\n{}\n\n[{}]{{lang=haw}} [Aloha]{{lang=haw}}\n",
        [GERMAN; 12].join(" "),
        [GERMAN; 2].join(" ")
    );
    let (pages, warnings) = pages_of_lines("xx", &chapter, 3.0);
    let lines = all_lines(&pages);
    assert!(!lines.iter().any(|l| hyphenated(l)), "{lines:#?}");
    let ours: Vec<&String> = warnings.iter().filter(|w| w.starts_with("W0370")).collect();
    assert_eq!(ours.len(), 2, "{warnings:?}");
    assert!(
        ours[0].contains("`xx`") && ours[1].contains("`haw`"),
        "{ours:?}"
    );
}

#[test]
fn a_span_is_hyphenated_in_its_own_language() {
    // In English a capitalised word is a name and is never broken; in a German span it is
    // a noun and is hyphenated by the German patterns.
    let german = "[Donaudampfschifffahrtsgesellschaft]{lang=de}";
    let english = "Donaudampfschifffahrtsgesellschaft";
    let words = |word: &str| format!("# One\n\n{}\n", vec![word; 40].join(" "));
    let (pages, _) = pages_of_lines("en", &words(german), 2.7);
    let lines = all_lines(&pages);
    assert!(lines.iter().any(|l| hyphenated(l)), "{lines:#?}");
    let (pages, _) = pages_of_lines("en", &words(english), 2.7);
    let lines = all_lines(&pages);
    assert!(!lines.iter().any(|l| hyphenated(l)), "{lines:#?}");
}

/// Long names and long common words, which a narrow measure must break.
const NAMES: &str = "Constantinople incomprehensibility Czechoslovakia representatives \
    Mediterranean characteristically Massachusetts administration Kampuchea \
    unquestionably Battambang misunderstanding";

#[test]
fn capitalised_words_are_not_broken_in_english() {
    for language in ["en", "en-GB"] {
        let chapter = format!("# One\n\n{}\n", [NAMES; 15].join(" "));
        let (pages, _) = pages_of_lines(language, &chapter, 2.7);
        let lines = all_lines(&pages);
        let broken: Vec<&str> = lines
            .iter()
            .filter(|l| hyphenated(l))
            .map(|l| broken_word(l))
            .collect();
        assert!(!broken.is_empty(), "{language}: {lines:#?}");
        for word in broken {
            assert!(
                !word.starts_with(char::is_uppercase),
                "{language}: {word} broken"
            );
        }
    }
}

/// Paragraphs of long words, each ending with "Finis." (the only place the word occurs).
fn long_word_paragraphs() -> String {
    let words = [
        "incomprehensibility",
        "characteristically",
        "unquestionably",
        "responsibilities",
        "misunderstanding",
        "extraordinarily",
        "administration",
        "representatives",
        "internationally",
        "circumstantial",
        "of",
        "the",
        "and",
    ];
    let mut state: u64 = 7;
    let mut text = String::from("# One\n\n");
    for _ in 0..40 {
        let mut paragraph = Vec::new();
        for _ in 0..45 {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            paragraph.push(words[(state >> 33) as usize % words.len()]);
        }
        text.push_str(&paragraph.join(" "));
        text.push_str(" Finis.\n\n");
    }
    text
}

#[test]
fn no_hyphen_ends_a_last_full_line_and_never_three_in_a_row() {
    let (pages, _) = pages_of_lines("en", &long_word_paragraphs(), 4.0);
    let mut hyphens = 0;
    let mut checked = 0;
    for lines in &pages {
        let mut run = 0;
        for (i, line) in lines.iter().enumerate() {
            if hyphenated(line) {
                hyphens += 1;
                run += 1;
                assert!(run <= 2, "three hyphens in a row: {lines:#?}");
            } else {
                run = 0;
            }
            if line.ends_with("Finis.") && i > 0 {
                checked += 1;
                assert!(!hyphenated(&lines[i - 1]), "{:?}", &lines[i - 1..=i]);
            }
        }
    }
    assert!(hyphens >= 20 && checked >= 20, "{hyphens} {checked}");
}
