//! Citations: renders every pandoc citation of the book and the reference list with hayagriva.
//!
//! 1. The bibliography (BibLaTeX `.bib`, hayagriva `.yaml`, CSL-JSON `.json`) is parsed; a
//!    malformed BibLaTeX entry is reported at its line and the other entries still load.
//! 2. The CSL style comes from hayagriva's archive or a `.csl` file.
//! 3. The chapters are walked in reading order (a footnote's content at its first call) to
//!    collect citations, which all go through one `BibliographyDriver`, so disambiguation
//!    (1996a/1996b), positions (first, subsequent, ibid) and numbering are book-wide.
//! 4. hayagriva's element tree (never its unescaped HTML output) is turned into our inlines;
//!    the part of a citation belonging to each cited work links to its entry (`ref-<key>`).
//! 5. A second walk in the same order writes the renderings back. With a note style, each
//!    citation outside a footnote becomes a footnote of its own.
//!
//! Where each step lives:
//! - `bibliography`: reads the bibliography file into entries, each key's position and the
//!   broken keys; `.yaml` and `.json` here, `.bib` through
//!   - `biblatex`: a `.bib` file, entry by entry when the whole does not parse;
//!   - `bib_links`: cuts `@string`, `crossref` and `xdata` cycles and runaway chains first;
//! - `style`: loads the CSL style (archive name or `.csl` file) and the locales, with
//!   - `csl_macros`: cuts a `.csl` file whose macros call themselves;
//! - `graph`: finds the cycles and runaway expansions for `bib_links` and `csl_macros`;
//! - `walk`: both walks over the chapters, and the footnotes of note styles;
//! - `checks`: citations without a bibliography, unknown keys, `nocite` keys, unused entries;
//! - `render`: every citation and the reference list, with hayagriva, through
//!   - `drive`: hayagriva's driver, asked in reading order;
//!   - `merge`: identical citations asked once, positions kept;
//!   - `convert`: hayagriva's elements to our inlines;
//!   - `year_suffix`: 1999a/1999b handed out again in reference-list order.
//!
//! The tests of each step sit beside it; `test_book` is the book they share. `engine` tests
//! the corrections octavo makes to hayagriva's CSL engine (`vendor/hayagriva`, listed in its
//! `OCTAVO-PATCHES.md`), and `differential` compares the whole with pandoc's citeproc.

mod bib_import;
mod bib_links;
mod biblatex;
mod bibliography;
mod checks;
mod convert;
mod csl_macros;
mod drive;
mod graph;
mod merge;
mod render;
mod style;
mod tex;
mod walk;
mod year_suffix;

#[cfg(test)]
mod differential;
#[cfg(test)]
mod engine;
#[cfg(test)]
mod test_book;

use crate::diag::{Diagnostics, FileId, SourceMap};
use crate::doc::{BibEntry, Chapter};
use bibliography::load_bibliography;
use checks::{nocite_keys, report_missing_bibliography, report_unknown_keys, report_unused};
use render::{fallback, render, RenderContext};
use style::load_style;
use walk::{apply, collect};

/// How citations are rendered: the style, the language, uncited entries, the list's title.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CiteOptions {
    /// The CSL style.
    pub style: StyleChoice,
    /// BCP 47 language of the book (`en`, `en-GB`), used for the style's terms and dates.
    pub locale: String,
    /// Keys to list although never cited, or `["*"]` for every entry.
    pub nocite: Vec<String>,
    /// Title of the reference list, overriding the style's.
    pub title: Option<String>,
}

/// Which CSL style renders the citations.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum StyleChoice {
    /// A style of hayagriva's archive: `chicago-author-date` (default), `apa`, `mla`, `ieee`,
    /// `chicago-notes`, or any other archive name.
    Named(String),
    /// A `.csl` file loaded into the [`SourceMap`].
    File(FileId),
}

/// The rendered reference list, ready to be placed in the book.
#[derive(Debug, Clone)]
pub(crate) struct RenderedBibliography {
    /// Its heading ("References", "Works Cited", "Bibliography" or book.toml's).
    pub title: String,
    /// The entries in the style's order.
    pub entries: Vec<BibEntry>,
}

/// Renders every [`Inline::Cite`](crate::doc::Inline::Cite) in the chapters (fills
/// [`Citation::rendered`](crate::doc::Citation::rendered)), turns citations into footnotes
/// for note styles, and returns the reference list. `None` when there is nothing to list (no
/// citations and no `nocite`, or no usable bibliography).
pub(crate) fn resolve_citations(
    chapters: &mut [Chapter],
    bibliography: Option<FileId>,
    options: &CiteOptions,
    sources: &SourceMap,
    diags: &mut Diagnostics,
) -> Option<RenderedBibliography> {
    if bibliography.is_none() && collect(chapters, false).is_empty() {
        return None;
    }
    let style = crate::timing::time("cite style", || load_style(&options.style, sources, diags));
    let sites = collect(chapters, style.is_note());
    let Some(file) = bibliography else {
        report_missing_bibliography(&sites, diags);
        apply(
            chapters,
            style.is_note(),
            sites.iter().map(fallback).collect(),
        );
        return None;
    };
    let bib = crate::timing::time("cite bib", || load_bibliography(file, sources, diags));
    report_unknown_keys(&sites, &bib, diags);
    let nocite = nocite_keys(&bib, &options.nocite, diags);
    report_unused(&sites, &bib, &nocite, diags);
    let ctx = crate::timing::time("cite ctx", || {
        RenderContext::new(&style, &bib, &options.locale)
    });
    let (outputs, list) =
        crate::timing::time("cite render", || render(&ctx, &sites, &nocite, diags));
    apply(chapters, style.is_note(), outputs);
    let entries = list.filter(|entries| !entries.is_empty())?;
    let title = options
        .title
        .clone()
        .unwrap_or_else(|| style.title.to_string());
    Some(RenderedBibliography { title, entries })
}

#[cfg(test)]
mod tests {
    use super::test_book::{book, cites, entries, messages, options, run, run_with, SAMPLE};
    use crate::diag::Severity;

    fn assert_cites(style: &str, expected: &[&str]) {
        let outcome = run(SAMPLE, style);
        assert_eq!(cites(&outcome), expected, "{style}");
        assert_eq!(
            messages(&outcome.diags, Severity::Error),
            Vec::<String>::new()
        );
    }

    fn assert_entries(style: &str, expected: &[&str]) {
        let outcome = run(SAMPLE, style);
        assert_eq!(entries(&outcome), expected, "{style}");
    }

    #[test]
    fn chicago_author_date_citations() {
        assert_cites(
            "chicago-author-date",
            &[
                "(Kiernan 1996b)",
                "(Kiernan 1996b, 45–47)",
                "(see Kiernan 1996a, chap. 2; Extraordinary Chambers in the Courts of Cambodia 2010)",
                "Chandler et al. (1999)",
                "Chandler et al. (1999, 12, emphasis added)",
                "(1996a, 104)",
                "(Chandler et al. 1999; Kiernan 1996b, 1996a)",
                "(Extraordinary Chambers in the Courts of Cambodia 2010, 33, emphasis added)",
            ],
        );
    }

    #[test]
    fn chicago_author_date_references() {
        assert_entries(
            "chicago-author-date",
            &[
                "Chandler, David, Philip Short, Craig Etcheson, and Alexander Hinton. 1999. \
                 Voices from S-21. University of California Press.",
                "Extraordinary Chambers in the Courts of Cambodia. 2010. Judgement in Case 001. \
                 Judgement. ECCC. https://www.eccc.gov.kh/en.",
                "Kiernan, Ben. 1996a. “Bophana and the Archives of S-21.” Journal of Asian \
                 Studies 55 (2): 100–120. https://doi.org/10.1234/jas.1996.55.",
                "Kiernan, Ben. 1996b. The Pol Pot Regime: Race, Power and Genocide in Cambodia \
                 under the Khmer Rouge. Yale University Press.",
            ],
        );
    }

    #[test]
    fn apa_citations_and_references() {
        assert_cites(
            "apa",
            &[
                "(Kiernan, 1996b)",
                "(Kiernan, 1996b, pp. 45–47)",
                "(Extraordinary Chambers in the Courts of Cambodia, 2010; see Kiernan, 1996a, Chapter 2)",
                "Chandler et al. (1999)",
                "Chandler et al. (1999, p. 12, emphasis added)",
                "(1996a, p. 104)",
                "(Chandler et al., 1999; Kiernan, 1996b, 1996a)",
                "(Extraordinary Chambers in the Courts of Cambodia, 2010, p. 33, emphasis added)",
            ],
        );
        assert_entries(
            "apa",
            &[
                "Chandler, D., Short, P., Etcheson, C., & Hinton, A. (1999). Voices from S-21. \
                 University of California Press.",
                "Extraordinary Chambers in the Courts of Cambodia. (2010). Judgement in Case 001 \
                 [Judgement]. ECCC. https://www.eccc.gov.kh/en",
                "Kiernan, B. (1996a). Bophana and the archives of S-21. Journal of Asian Studies, \
                 55(2), 100–120. https://doi.org/10.1234/jas.1996.55",
                "Kiernan, B. (1996b). The Pol Pot regime: Race, power and genocide in Cambodia \
                 under the Khmer Rouge. Yale University Press.",
            ],
        );
    }

    #[test]
    fn mla_citations_and_references() {
        let pol_pot =
            "The Pol Pot Regime: Race, Power and Genocide in Cambodia under the Khmer Rouge";
        assert_cites(
            "mla",
            &[
                &format!("(Kiernan, {pol_pot})"),
                &format!("(Kiernan, {pol_pot} 45–47)"),
                "(see Kiernan, “Bophana and the Archives of S-21,” ch. 2; Extraordinary Chambers \
                 in the Courts of Cambodia)",
                "Chandler et al.",
                "Chandler et al. (12, emphasis added)",
                "(“Bophana and the Archives of S-21” 104)",
                &format!(
                    "(Chandler et al.; Kiernan, {pol_pot}; Kiernan, “Bophana and the Archives of S-21”)"
                ),
                "(Extraordinary Chambers in the Courts of Cambodia 33, emphasis added)",
            ],
        );
        assert_entries(
            "mla",
            &[
                "Chandler, David, et al. Voices from S-21. University of California Press, 1999.",
                "Extraordinary Chambers in the Courts of Cambodia. Judgement in Case 001. \
                 Judgement. ECCC, 2010, https://www.eccc.gov.kh/en.",
                "Kiernan, Ben. “Bophana and the Archives of S-21.” Journal of Asian Studies, vol. \
                 55, no. 2, 1996, pp. 100–20, https://doi.org/10.1234/jas.1996.55.",
                &format!("———. {pol_pot}. Yale University Press, 1996."),
            ],
        );
    }

    #[test]
    fn ieee_numbers_in_order_of_citation() {
        assert_cites(
            "ieee",
            &[
                "[1]",
                "[1, pp. 45–47]",
                "see [2, Ch. 2], [3]",
                // Narrative citations print as citeproc prints them: the number alone.
                "[4]",
                "[4, p. 12], emphasis added",
                "[2, p. 104]",
                "[1], [2], [4]",
                "[3, p. 33], emphasis added",
            ],
        );
        assert_entries(
            "ieee",
            &[
                "[1] B. Kiernan, The Pol Pot regime: Race, power and genocide in Cambodia under \
                 the Khmer Rouge. New Haven: Yale University Press, 1996.",
                "[2] B. Kiernan, “Bophana and the archives of S-21,” Journal of Asian Studies, \
                 vol. 55, no. 2, pp. 100–120, 1996, doi: 10.1234/jas.1996.55.",
                "[3] Extraordinary Chambers in the Courts of Cambodia, “Judgement in Case 001,” \
                 ECCC, Phnom Penh, Judgement, 2010. [Online]. Available: https://www.eccc.gov.kh/en",
                "[4] D. Chandler, P. Short, C. Etcheson, and A. Hinton, Voices from S-21. \
                 Berkeley: University of California Press, 1999.",
            ],
        );
    }

    #[test]
    fn nothing_to_do_gives_none_and_no_diagnostics() {
        let outcome = run_with(book(&["No citations here."], &[], None), &options("apa"));
        assert!(outcome.list.is_none());
        assert!(outcome.diags.items().is_empty());
    }

    #[test]
    fn rendering_is_deterministic() {
        let first = run(SAMPLE, "apa");
        let second = run(SAMPLE, "apa");
        assert_eq!(cites(&first), cites(&second));
        assert_eq!(entries(&first), entries(&second));
    }
}
