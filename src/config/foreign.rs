//! book.toml of an mdBook: `[book]` gives the metadata, `[output.octavo]` (or `[octavo]`)
//! octavo's own settings, read as strictly as an octavo book.toml; every other table belongs
//! to mdBook or its plugins and is left alone.

use serde::Deserialize;
use toml::Spanned;

use super::{title_missing, validate, AuthorConfig, BookConfig};
use crate::diag::{code, Diagnostic, Diagnostics, FileId, Span};

/// The parts of an mdBook's book.toml octavo reads.
#[derive(Debug, Deserialize)]
struct MdBookToml {
    book: MdBookSection,
    #[serde(default)]
    output: MdBookOutputs,
    octavo: Option<Spanned<BookConfig>>,
}

/// mdBook's `[book]` table.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
struct MdBookSection {
    title: Option<Spanned<String>>,
    #[serde(default)]
    authors: Vec<Spanned<String>>,
    description: Option<String>,
    language: Option<Spanned<String>>,
    src: Option<Spanned<String>>,
}

/// mdBook's `[output.*]` tables: only octavo's own is read.
#[derive(Debug, Default, Deserialize)]
struct MdBookOutputs {
    octavo: Option<Spanned<BookConfig>>,
}

/// An mdBook's settings: octavo's configuration and the folder of its chapters.
#[derive(Debug)]
pub(crate) struct MdBookConfig {
    /// The book's metadata and octavo's settings.
    pub config: BookConfig,
    /// `[book] src`: the folder holding SUMMARY.md and the chapters (`src` by default).
    pub src: String,
}

/// True when book.toml is an mdBook's: it has a `[book]` table.
pub(crate) fn is_mdbook_toml(text: &str) -> bool {
    toml::from_str::<toml::Table>(text).is_ok_and(|table| table.contains_key("book"))
}

/// Read an mdBook's book.toml: `[book]` for the title, authors, language and description,
/// `[output.octavo]` or `[octavo]` for the rest (unknown keys there are errors).
pub(crate) fn parse_mdbook_config(
    file: FileId,
    text: &str,
    diags: &mut Diagnostics,
) -> Option<MdBookConfig> {
    let parsed = match toml::from_str::<MdBookToml>(text) {
        Ok(parsed) => parsed,
        Err(err) => {
            diags.push(super::toml_error(file, text, &err));
            return None;
        }
    };
    let MdBookToml {
        book,
        output,
        octavo,
    } = parsed;
    if let (Some(a), Some(_)) = (&output.octavo, &octavo) {
        diags.push(
            Diagnostic::error(
                code::CONFIG_INVALID,
                "book.toml has both [output.octavo] and [octavo]",
            )
            .at(Span::new(file, a.span()))
            .with_hint("keep octavo's settings in one of the two tables"),
        );
        return None;
    }
    let mut config = match output.octavo.or(octavo) {
        Some(table) => table.into_inner(),
        None => toml::from_str::<BookConfig>("").ok()?,
    };
    if let Some(chapters) = config.chapters.as_ref().and_then(|c| c.first()) {
        diags.push(
            Diagnostic::error(
                code::CONFIG_INVALID,
                "book.toml: `chapters` is not used in an mdBook",
            )
            .at(Span::new(file, chapters.span()))
            .with_hint("an mdBook's chapters and their order come from SUMMARY.md"),
        );
        return None;
    }
    fill_from_book_table(&mut config, &book);
    validate(file, &config, diags);
    if title_missing(&config) {
        return None;
    }
    let src = book
        .src
        .map_or_else(|| "src".to_string(), Spanned::into_inner);
    Some(MdBookConfig { config, src })
}

/// `[book]`'s metadata, where octavo's own table does not set it.
fn fill_from_book_table(config: &mut BookConfig, book: &MdBookSection) {
    if title_missing(config) {
        if let Some(title) = &book.title {
            config.title = title.clone();
        }
    }
    if config.authors.is_empty() {
        config.authors = book
            .authors
            .iter()
            .map(|name| AuthorConfig {
                name: name.clone(),
                role: None,
            })
            .collect();
    }
    if config.language.is_none() {
        config.language = book.language.clone();
    }
    if config.description.is_none() {
        config.description = book.description.clone();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn book_table_gives_metadata_and_octavo_table_settings() {
        let text = "[book]\ntitle = \"T\"\nauthors = [\"A\"]\nlanguage = \"de\"\n\n[rust]\nedition = \"2021\"\n\n[output.html]\nx = 1\n\n[output.octavo]\nsubtitle = \"S\"\n";
        assert!(is_mdbook_toml(text));
        let mut diags = Diagnostics::default();
        let parsed = parse_mdbook_config(FileId(0), text, &mut diags).expect("parsed");
        assert!(!diags.has_errors());
        assert_eq!(parsed.config.title.get_ref(), "T");
        assert_eq!(parsed.config.authors[0].name.get_ref(), "A");
        assert_eq!(parsed.config.language(), "de");
        assert_eq!(parsed.config.subtitle.as_deref(), Some("S"));
        assert_eq!(parsed.src, "src");
    }

    #[test]
    fn unknown_keys_in_the_octavo_table_are_errors() {
        let text = "[book]\ntitle = \"T\"\n\n[octavo]\nsubtitel = \"S\"\n";
        let mut diags = Diagnostics::default();
        assert!(parse_mdbook_config(FileId(0), text, &mut diags).is_none());
        let error = &diags.items()[0];
        assert!(error.message.contains("subtitel"), "{}", error.message);
        assert!(error.span.is_some());
    }

    #[test]
    fn a_plain_book_toml_is_not_an_mdbook() {
        assert!(!is_mdbook_toml("title = \"T\"\n"));
    }
}
