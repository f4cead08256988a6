//! Words octavo itself prints (“Chapter”, “Contents”, …), in the book's language.
//!
//! Both backends generate a few words of their own; they come from here so a French book does
//! not get an English contents page. Unknown languages fall back to English.

/// Languages written right to left, by primary subtag: Arabic, Hebrew (and its old code
/// `iw`), Persian, Urdu, Yiddish (and `ji`), Pashto, Sindhi, Uyghur, Central Kurdish, Dhivehi,
/// Syriac, N'Ko.
const RTL_LANGUAGES: &[&str] = &[
    "ar", "he", "iw", "fa", "ur", "yi", "ji", "ps", "sd", "ug", "ckb", "dv", "syr", "nqo",
];

/// Scripts written right to left (ISO 15924), when a tag names its script.
const RTL_SCRIPTS: &[&str] = &[
    "arab", "hebr", "thaa", "syrc", "nkoo", "adlm", "rohg", "samr",
];

/// Whether text in the BCP 47 language `tag` runs right to left: its script subtag decides
/// when it has one (`az-Arab` does, `ku-Latn` does not), else its language. The EPUB marks
/// such text `dir="rtl"` so that readers lay it out and isolate it.
pub(crate) fn is_rtl(tag: &str) -> bool {
    let mut subtags = tag.split(['-', '_']);
    let language = subtags.next().unwrap_or("").to_ascii_lowercase();
    if language.len() == 1 {
        // A private-use (`x-…`) or grandfathered (`i-…`) tag names no script.
        return false;
    }
    let script = subtags
        .take_while(|s| s.len() != 1)
        .find(|s| s.len() == 4 && s.chars().all(|c| c.is_ascii_alphabetic()))
        .map(str::to_ascii_lowercase);
    match script {
        Some(script) => RTL_SCRIPTS.contains(&script.as_str()),
        None => RTL_LANGUAGES.contains(&language.as_str()),
    }
}

/// The generated words for one language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Terms {
    /// Label before a chapter number.
    pub chapter: &'static str,
    /// Label before a part number.
    pub part: &'static str,
    /// Title of the contents page.
    pub contents: &'static str,
    /// Heading of a chapter's notes.
    pub notes: &'static str,
    /// Name of the cover landmark.
    pub cover: &'static str,
    /// Name of the title page landmark.
    pub title_page: &'static str,
    /// Name of the copyright page.
    pub copyright: &'static str,
    /// Landmarks navigation heading.
    pub guide: &'static str,
    /// Landmark for the start of the main text.
    pub start: &'static str,
    /// Back-link label for screen readers.
    pub back_to_text: &'static str,
    /// Word before a list of contributors on the title page ("by").
    pub by: &'static str,
    /// Label for an editor.
    pub edited_by: &'static str,
    /// Label for a translator.
    pub translated_by: &'static str,
    /// Label for an illustrator.
    pub illustrated_by: &'static str,
    /// The summary of a `<details>` element written without one (HTML requires it).
    pub details: &'static str,
    /// The words before numbers of figures, tables, listings, sections, chapters and
    /// appendices, in the singular and the plural.
    pub numbered: NumberedTerms,
    /// Title of the list of figures.
    pub list_of_figures: &'static str,
    /// Title of the list of tables.
    pub list_of_tables: &'static str,
    /// The word joining the last two items of a list ("Figures 1 and 2").
    pub and: &'static str,
    /// Before a page number in a reference ("Figure 3.2 on page 41").
    pub on_page: &'static str,
    /// Quotation marks around a title a reference prints (an unnumbered section).
    pub quotes: (&'static str, &'static str),
    /// Title of the back-of-book index.
    pub index: &'static str,
    /// Before an index entry's preferred term ("see").
    pub see: &'static str,
    /// Before an index entry's related terms ("see also").
    pub see_also: &'static str,
    /// Heading of the index's entries that start with a symbol or digit.
    pub symbols: &'static str,
}

/// Singular and plural words for numbered things.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct NumberedTerms {
    /// Figure, Figures.
    pub figure: (&'static str, &'static str),
    /// Table, Tables.
    pub table: (&'static str, &'static str),
    /// Listing, Listings.
    pub listing: (&'static str, &'static str),
    /// Section, Sections.
    pub section: (&'static str, &'static str),
    /// Chapter, Chapters.
    pub chapter: (&'static str, &'static str),
    /// Appendix, Appendices.
    pub appendix: (&'static str, &'static str),
    /// Equation, Equations.
    pub equation: (&'static str, &'static str),
}

const EN: Terms = Terms {
    chapter: "Chapter",
    part: "Part",
    contents: "Contents",
    notes: "Notes",
    cover: "Cover",
    title_page: "Title Page",
    copyright: "Copyright",
    guide: "Guide",
    start: "Start of Content",
    back_to_text: "Back to text",
    by: "by",
    edited_by: "Edited by",
    translated_by: "Translated by",
    illustrated_by: "Illustrated by",
    details: "Details",
    numbered: NumberedTerms {
        figure: ("Figure", "Figures"),
        table: ("Table", "Tables"),
        listing: ("Listing", "Listings"),
        section: ("Section", "Sections"),
        chapter: ("Chapter", "Chapters"),
        appendix: ("Appendix", "Appendices"),
        equation: ("Equation", "Equations"),
    },
    list_of_figures: "List of Figures",
    list_of_tables: "List of Tables",
    and: "and",
    on_page: "on page",
    quotes: ("“", "”"),
    index: "Index",
    see: "see",
    see_also: "see also",
    symbols: "Symbols",
};

const FR: Terms = Terms {
    chapter: "Chapitre",
    part: "Partie",
    contents: "Table des matières",
    notes: "Notes",
    cover: "Couverture",
    title_page: "Page de titre",
    copyright: "Mentions légales",
    guide: "Repères",
    start: "Début du texte",
    back_to_text: "Retour au texte",
    by: "par",
    edited_by: "Édité par",
    translated_by: "Traduit par",
    illustrated_by: "Illustré par",
    details: "Détails",
    numbered: NumberedTerms {
        figure: ("Figure", "Figures"),
        table: ("Tableau", "Tableaux"),
        listing: ("Listing", "Listings"),
        section: ("Section", "Sections"),
        chapter: ("Chapitre", "Chapitres"),
        appendix: ("Annexe", "Annexes"),
        equation: ("Équation", "Équations"),
    },
    list_of_figures: "Table des figures",
    list_of_tables: "Liste des tableaux",
    and: "et",
    on_page: "page",
    quotes: ("«\u{a0}", "\u{a0}»"),
    index: "Index",
    see: "voir",
    see_also: "voir aussi",
    symbols: "Symboles",
};

const DE: Terms = Terms {
    chapter: "Kapitel",
    part: "Teil",
    contents: "Inhalt",
    notes: "Anmerkungen",
    cover: "Umschlag",
    title_page: "Titelseite",
    copyright: "Impressum",
    guide: "Orientierung",
    start: "Textbeginn",
    back_to_text: "Zurück zum Text",
    by: "von",
    edited_by: "Herausgegeben von",
    translated_by: "Übersetzt von",
    illustrated_by: "Illustriert von",
    details: "Details",
    numbered: NumberedTerms {
        figure: ("Abbildung", "Abbildungen"),
        table: ("Tabelle", "Tabellen"),
        listing: ("Listing", "Listings"),
        section: ("Abschnitt", "Abschnitte"),
        chapter: ("Kapitel", "Kapitel"),
        appendix: ("Anhang", "Anhänge"),
        equation: ("Gleichung", "Gleichungen"),
    },
    list_of_figures: "Abbildungsverzeichnis",
    list_of_tables: "Tabellenverzeichnis",
    and: "und",
    on_page: "auf Seite",
    quotes: ("„", "“"),
    index: "Register",
    see: "siehe",
    see_also: "siehe auch",
    symbols: "Symbole",
};

const ES: Terms = Terms {
    chapter: "Capítulo",
    part: "Parte",
    contents: "Índice",
    notes: "Notas",
    cover: "Cubierta",
    title_page: "Portada",
    copyright: "Créditos",
    guide: "Guía",
    start: "Inicio del texto",
    back_to_text: "Volver al texto",
    by: "por",
    edited_by: "Edición de",
    translated_by: "Traducción de",
    illustrated_by: "Ilustraciones de",
    details: "Detalles",
    numbered: NumberedTerms {
        figure: ("Figura", "Figuras"),
        table: ("Tabla", "Tablas"),
        listing: ("Listado", "Listados"),
        section: ("Sección", "Secciones"),
        chapter: ("Capítulo", "Capítulos"),
        appendix: ("Apéndice", "Apéndices"),
        equation: ("Ecuación", "Ecuaciones"),
    },
    list_of_figures: "Índice de figuras",
    list_of_tables: "Índice de tablas",
    and: "y",
    on_page: "en la página",
    quotes: ("«", "»"),
    index: "Índice alfabético",
    see: "véase",
    see_also: "véase también",
    symbols: "Símbolos",
};

/// The terms for a BCP 47 language tag (by its primary subtag).
pub(crate) fn terms(language: &str) -> &'static Terms {
    let primary = language
        .split('-')
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    match primary.as_str() {
        "fr" => &FR,
        "de" => &DE,
        "es" => &ES,
        _ => &EN,
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn primary_subtag_selects() {
        assert_eq!(super::terms("fr-CA").chapter, "Chapitre");
        assert_eq!(super::terms("km").chapter, "Chapter");
    }

    #[test]
    fn right_to_left_by_language_or_script() {
        for tag in ["ar", "he", "fa-IR", "ur", "yi", "az-Arab", "ar-EG", "he_IL"] {
            assert!(super::is_rtl(tag), "{tag}");
        }
        for tag in ["en", "km", "de-CH", "ku-Latn", "ar-Latn", "", "x-arab"] {
            assert!(!super::is_rtl(tag), "{tag}");
        }
    }
}
