//! The CSL style, from hayagriva's archive or a `.csl` file, what it looks at of earlier
//! citations, and the archived CSL locales a book's language can use.

use hayagriva::archive::ArchivedStyle;
use hayagriva::citationberg::{
    CitationFormat, IndependentStyle, Locale, Style, StyleCategory, StyleClass,
};

use super::{csl_macros, StyleChoice};
use crate::diag::{closest, code, Diagnostic, Diagnostics, FileId, SourceMap, Span};

/// What a style's citations look at of the citations before them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum PositionUse {
    /// Nothing: identical citations render identically.
    None,
    /// Only whether each work was cited before (`position="first"` / `"subsequent"`).
    FirstOnly,
    /// Their neighbours too ("ibid", "near-note", note numbers).
    Full,
}

/// The CSL style in use and what its reference list is called.
pub(super) struct LoadedStyle {
    /// The style (a dependent style's parent, which holds the rules).
    pub(super) csl: IndependentStyle,
    /// The reference list's heading when book.toml gives none.
    pub(super) title: &'static str,
}

impl LoadedStyle {
    /// Whether citations become footnotes (a CSL note style).
    pub(super) fn is_note(&self) -> bool {
        self.csl.settings.class == StyleClass::Note
    }

    /// Whether citations print a number or a label ("[1]", "[Doe99]") rather than names.
    /// A narrative citation (`@key says`) then prints as any other citation, as citeproc
    /// prints it: the style's citation layout has no names to put in the sentence.
    pub(super) fn cites_by_number(&self) -> bool {
        self.csl.info.category.iter().any(|category| {
            matches!(
                category,
                StyleCategory::CitationFormat {
                    format: CitationFormat::Numeric | CitationFormat::Label
                }
            )
        })
    }

    /// How a citation's rendering can depend on the citations before it, through CSL
    /// `position` tests or the `first-reference-note-number` variable. citationberg offers no
    /// query for this, so the citation layout and the macros are searched in their serde
    /// form; a style that cannot be serialised is treated as fully positional.
    pub(super) fn position_use(&self) -> PositionUse {
        let parts = (&self.csl.citation, &self.csl.macros);
        let Ok(json) = serde_json::to_string(&parts) else {
            return PositionUse::Full;
        };
        if json.contains("first-reference-note-number") {
            return PositionUse::Full;
        }
        let key = "\"@position\":[";
        let mut tested = json.match_indices(key).map(|(at, _)| {
            let list = &json[at + key.len()..];
            &list[..list.find(']').unwrap_or(list.len())]
        });
        // "first" and "subsequent" only ask whether a work was cited before (hayagriva
        // evaluates them from that alone); "ibid" and "near-note" look at neighbours.
        let simple = |list: &str| {
            list.split(',')
                .all(|v| v == "\"first\"" || v == "\"subsequent\"")
        };
        match tested.next() {
            None => PositionUse::None,
            Some(first) if simple(first) && tested.all(simple) => PositionUse::FirstOnly,
            Some(_) => PositionUse::Full,
        }
    }
}

/// Load the chosen style; after an error, fall back to the default so that the other
/// problems (unknown keys, malformed entries) are still reported.
pub(super) fn load_style(
    choice: &StyleChoice,
    sources: &SourceMap,
    diags: &mut Diagnostics,
) -> LoadedStyle {
    let loaded = match choice {
        StyleChoice::Named(name) => named_style(name, diags),
        StyleChoice::File(file) => file_style(*file, sources, diags),
    };
    loaded.unwrap_or_else(default_style)
}

fn default_style() -> LoadedStyle {
    archived_style(ArchivedStyle::ChicagoAuthorDate)
        .expect("hayagriva's archive holds chicago-author-date as an independent style")
}

fn named_style(name: &str, diags: &mut Diagnostics) -> Option<LoadedStyle> {
    let style = ArchivedStyle::by_name(name).and_then(archived_style);
    if style.is_none() {
        let names = style_names();
        let near = closest(name, names.iter().copied());
        let mut hint = String::new();
        if let Some(first) = near.first() {
            hint = format!("did you mean `{first}`? ");
        }
        hint.push_str(&format!(
            "use a path ending in .csl, or one of: {}",
            names.join(", ")
        ));
        diags.push(
            Diagnostic::error(code::CSL_STYLE, format!("unknown citation style `{name}`"))
                .with_hint(hint),
        );
    }
    style
}

/// Every name the archive knows, aliases included, sorted.
fn style_names() -> Vec<&'static str> {
    let mut names: Vec<&'static str> = ArchivedStyle::all()
        .iter()
        .flat_map(|style| style.names().iter().copied())
        .collect();
    names.sort_unstable();
    names.dedup();
    names
}

fn archived_style(style: ArchivedStyle) -> Option<LoadedStyle> {
    match style.get() {
        Style::Independent(csl) => Some(LoadedStyle {
            title: list_title(Some(style), &csl),
            csl,
        }),
        Style::Dependent(dependent) => {
            let parent = ArchivedStyle::by_id(&dependent.parent_link.href)?;
            let Style::Independent(csl) = parent.get() else {
                return None;
            };
            Some(LoadedStyle {
                title: list_title(Some(style), &csl),
                csl,
            })
        }
    }
}

fn file_style(file: FileId, sources: &SourceMap, diags: &mut Diagnostics) -> Option<LoadedStyle> {
    let source = sources.get(file);
    // A macro cycle is reported here: rendering with it would recurse without end.
    if !csl_macros::check_macro_calls(&source.text, file, diags) {
        return None;
    }
    let problem = match Style::from_xml(&source.text) {
        Ok(Style::Independent(csl)) => {
            let title = list_title(None, &csl);
            return Some(LoadedStyle { csl, title });
        }
        Ok(Style::Dependent(dependent)) => {
            let href = dependent.parent_link.href;
            let parent = ArchivedStyle::by_id(&href).and_then(archived_style);
            if parent.is_some() {
                return parent;
            }
            format!("its parent style {href} is not in octavo's style archive")
        }
        Err(error) => error.to_string(),
    };
    diags.push(
        Diagnostic::error(
            code::CSL_STYLE,
            format!("`{}` is not a usable CSL style: {problem}", source.name),
        )
        .at(Span::new(file, 0..0))
        .with_hint("check the file against the CSL 1.0.2 schema, or name an archive style"),
    );
    None
}

/// The reference list's heading for a style.
fn list_title(archived: Option<ArchivedStyle>, csl: &IndependentStyle) -> &'static str {
    match archived {
        Some(ArchivedStyle::ModernLanguageAssociation) => "Works Cited",
        Some(ArchivedStyle::ChicagoNotes | ArchivedStyle::ChicagoShortenedNotes) => "Bibliography",
        _ if csl.settings.class == StyleClass::Note => "Bibliography",
        _ => "References",
    }
}

/// The CSL locales from hayagriva's archive that a book in `language` can use: those of its
/// language (any region) and en-US, the CSL fallback. `hayagriva::archive::locales()`
/// decodes all 63 of them, which took 70 ms: most of the time of a small book's build.
/// Each archived locale is CBOR whose `@xml:lang` field names it; a locale whose name cannot be
/// read that way is decoded anyway, so nothing usable is ever left out.
pub(super) fn archive_locales(language: &str) -> Vec<Locale> {
    let primary = |code: &str| {
        code.split(['-', '_'])
            .next()
            .unwrap_or("")
            .to_ascii_lowercase()
    };
    let wanted = primary(language);
    hayagriva::archive::LOCALES
        .iter()
        .filter(|bytes| {
            cbor_lang(bytes).is_none_or(|code| primary(code) == wanted || code == "en-US")
        })
        .filter_map(|bytes| ciborium::de::from_reader::<Locale, _>(*bytes).ok())
        .collect()
}

/// The `xml:lang` of a CBOR-encoded CSL locale: the map key "@xml:lang" (citationberg's
/// serde name for the attribute) followed by a short text string.
fn cbor_lang(bytes: &[u8]) -> Option<&str> {
    const KEY: &[u8] = b"\x69@xml:lang";
    let at = bytes.windows(KEY.len()).position(|w| w == KEY)? + KEY.len();
    let head = *bytes.get(at)?;
    if !(0x60..0x78).contains(&head) {
        return None;
    }
    let len = usize::from(head - 0x60);
    std::str::from_utf8(bytes.get(at + 1..at + 1 + len)?).ok()
}

#[cfg(test)]
mod tests {
    use super::super::test_book::{book, cites, options, run_with, BIB};
    use super::*;
    use crate::diag::code;

    #[test]
    fn unknown_style_is_an_error_and_falls_back() {
        let book = book(&["[@kiernan1996]"], &[], Some(("references.bib", BIB)));
        let outcome = run_with(book, &options("chicago-autor-date"));
        let error = &outcome.diags.items()[0];
        assert_eq!(error.code, code::CSL_STYLE);
        assert_eq!(error.message, "unknown citation style `chicago-autor-date`");
        let hint = error.hint.as_deref().unwrap();
        assert!(
            hint.starts_with("did you mean `chicago-author-date`?"),
            "{hint}"
        );
        assert!(hint.contains("apa") && hint.contains("ieee") && hint.contains("mla"));
        assert_eq!(cites(&outcome), ["(Kiernan 1996)"]);
    }

    /// A minimal author-date CSL style.
    const CSL: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<style xmlns="http://purl.org/net/xbiblio/csl" class="in-text" version="1.0">
  <info><title>Tiny</title><id>tiny</id><updated>2024-01-01T00:00:00+00:00</updated></info>
  <citation>
    <layout prefix="&lt;" suffix="&gt;" delimiter="; ">
      <names variable="author"><name form="short"/></names>
      <date variable="issued" prefix=" "><date-part name="year"/></date>
    </layout>
  </citation>
  <bibliography>
    <layout>
      <names variable="author"><name/></names>
      <text variable="title" prefix=": " font-style="italic"/>
    </layout>
  </bibliography>
</style>"#;

    #[test]
    fn style_files_are_loaded_and_checked() {
        let mut book1 = book(
            &["[@kiernan1996; @eccc2010]"],
            &[],
            Some(("references.bib", BIB)),
        );
        let file = book1.sources.add("styles/tiny.csl", CSL.to_string());
        let mut opts = options("");
        opts.style = StyleChoice::File(file);
        let outcome = run_with(book1, &opts);
        assert_eq!(
            cites(&outcome),
            ["<Kiernan 1996; Extraordinary Chambers in the Courts of Cambodia 2010>"]
        );
        assert_eq!(outcome.list.as_ref().unwrap().title, "References");

        let mut book2 = book(&["[@kiernan1996]"], &[], Some(("references.bib", BIB)));
        let file = book2
            .sources
            .add("styles/broken.csl", "<style>".to_string());
        opts.style = StyleChoice::File(file);
        let outcome = run_with(book2, &opts);
        let error = &outcome.diags.items()[0];
        assert_eq!(error.code, code::CSL_STYLE);
        assert!(error
            .message
            .starts_with("`styles/broken.csl` is not a usable CSL style"));
    }

    #[test]
    fn only_the_books_language_and_the_fallback_locale_are_decoded() {
        let named = hayagriva::archive::LOCALES
            .iter()
            .filter(|b| cbor_lang(b).is_some())
            .count();
        assert_eq!(
            named,
            hayagriva::archive::LOCALES.len(),
            "every locale names itself"
        );
        let langs = |language: &str| -> Vec<String> {
            archive_locales(language)
                .iter()
                .filter_map(|l| l.lang.as_ref().map(|c| c.0.clone()))
                .collect()
        };
        assert_eq!(langs("en"), vec!["en-GB", "en-US"]);
        assert_eq!(langs("fr-CA"), vec!["en-US", "fr-CA", "fr-FR"]);
    }
}
