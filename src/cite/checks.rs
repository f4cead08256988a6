//! What the book cites, checked against the bibliography: citations without a bibliography,
//! unknown keys (with the nearest known ones as a hint), `nocite` keys, and entries never
//! cited.

use std::collections::BTreeSet;

use super::bibliography::Bibliography;
use super::walk::Site;
use crate::diag::{closest, code, Diagnostic, Diagnostics};

/// One error per citation when book.toml names no bibliography.
pub(super) fn report_missing_bibliography(sites: &[Site], diags: &mut Diagnostics) {
    for site in sites {
        let keys: Vec<String> = site
            .citation
            .items
            .iter()
            .map(|i| format!("`{}`", i.key))
            .collect();
        diags.push(
            Diagnostic::error(
                code::UNKNOWN_CITATION,
                format!(
                    "citation of {} but no bibliography is configured",
                    keys.join(", ")
                ),
            )
            .at(site.citation.span.clone())
            .with_hint("set `bibliography = \"references.bib\"` in book.toml"),
        );
    }
}

/// One error per cited key with no entry, with the nearest keys as a hint.
pub(super) fn report_unknown_keys(sites: &[Site], bib: &Bibliography, diags: &mut Diagnostics) {
    if !bib.usable {
        return;
    }
    let items = sites.iter().flat_map(|site| &site.citation.items);
    for item in items.filter(|i| !bib.contains(&i.key) && !bib.broken.contains(&i.key)) {
        diags.push(
            Diagnostic::error(
                code::UNKNOWN_CITATION,
                format!(
                    "unknown citation key `{}`: no such entry in {}",
                    item.key, bib.name
                ),
            )
            .at(item.span.clone())
            .with_hint(unknown_key_hint(&item.key, bib)),
        );
    }
}

fn unknown_key_hint(key: &str, bib: &Bibliography) -> String {
    let near = closest(key, bib.order.iter().map(String::as_str));
    if near.is_empty() {
        return format!("add an entry `{key}` to {} or correct the key", bib.name);
    }
    let near: Vec<String> = near.iter().map(|k| format!("`{k}`")).collect();
    format!("did you mean {}?", near.join(" or "))
}

/// The keys listed although not cited, in file order; unknown ones are errors.
pub(super) fn nocite_keys(
    bib: &Bibliography,
    requested: &[String],
    diags: &mut Diagnostics,
) -> Vec<String> {
    if requested.iter().any(|key| key == "*") {
        return bib.order.clone();
    }
    for key in requested.iter().filter(|k| bib.usable && !bib.contains(k)) {
        if bib.broken.contains(key) {
            continue;
        }
        diags.push(
            Diagnostic::error(
                code::UNKNOWN_CITATION,
                format!("`nocite` key `{key}` has no entry in {}", bib.name),
            )
            .in_file("book.toml")
            .with_hint(unknown_key_hint(key, bib)),
        );
    }
    let wanted: BTreeSet<&String> = requested.iter().collect();
    bib.order
        .iter()
        .filter(|k| wanted.contains(k))
        .cloned()
        .collect()
}

/// Above this many uncited entries the bibliography is taken for a shared one, and one
/// warning counts them instead of one warning each.
const UNUSED_NAMED_EACH: usize = 20;
/// How many uncited keys that one warning names.
const UNUSED_NAMED_IN_SUMMARY: usize = 5;

/// A warning for each entry neither cited nor in `nocite`, or one for them all when there
/// are many.
pub(super) fn report_unused(
    sites: &[Site],
    bib: &Bibliography,
    nocite: &[String],
    diags: &mut Diagnostics,
) {
    let cited: BTreeSet<&str> = sites
        .iter()
        .flat_map(|site| site.citation.items.iter().map(|i| i.key.as_str()))
        .chain(nocite.iter().map(String::as_str))
        .collect();
    let unused: Vec<&String> = bib
        .order
        .iter()
        .filter(|k| !cited.contains(k.as_str()))
        .collect();
    if unused.len() > UNUSED_NAMED_EACH {
        diags.push(unused_summary(bib, &unused));
        return;
    }
    for key in unused {
        diags.push(
            Diagnostic::warning(
                code::UNUSED_REFERENCE,
                format!("bibliography entry `{key}` is never cited"),
            )
            .at(bib.span_of(key))
            .with_hint(format!(
                "cite it as [@{key}], add it to `nocite` in book.toml, or remove it"
            )),
        );
    }
}

/// One warning for the many uncited entries of a shared bibliography, at the first of them.
fn unused_summary(bib: &Bibliography, unused: &[&String]) -> Diagnostic {
    let named: Vec<String> = unused
        .iter()
        .take(UNUSED_NAMED_IN_SUMMARY)
        .map(|key| format!("`{key}`"))
        .collect();
    let first = unused.first().map_or(String::new(), |key| key.to_string());
    Diagnostic::warning(
        code::UNUSED_REFERENCE,
        format!(
            "{} of the {} entries in {} are never cited ({}, …)",
            unused.len(),
            bib.order.len(),
            bib.name,
            named.join(", ")
        ),
    )
    .at(bib.span_of(&first))
    .with_hint(
        "a shared bibliography may hold more than the book cites; list keys in `nocite` \
         in book.toml (or [\"*\"] for all) to print them in the references",
    )
}

#[cfg(test)]
mod tests {
    use super::super::test_book::{
        book, cites, entries, messages, options, run, run_with, BIB, SAMPLE,
    };
    use crate::diag::{code, Diagnostic, Severity};

    #[test]
    fn unknown_key_is_an_error_with_location_and_hint() {
        let book = book(
            &["Intro.", "As shown [@kiernan1969, p. 4]."],
            &[],
            Some(("references.bib", BIB)),
        );
        let outcome = run_with(book, &options("chicago-author-date"));
        let errors: Vec<&Diagnostic> = outcome
            .diags
            .items()
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .collect();
        assert_eq!(errors.len(), 1);
        let error = errors[0];
        assert_eq!(error.code, code::UNKNOWN_CITATION);
        assert_eq!(
            error.message,
            "unknown citation key `kiernan1969`: no such entry in references.bib"
        );
        let span = error.span.as_ref().unwrap();
        assert_eq!(outcome.book.sources.location(span), "chapters/01.md:3:11");
        let hint = "did you mean `kiernan1996` or `kiernan1996b`?";
        assert_eq!(error.hint.as_deref(), Some(hint));
        assert_eq!(cites(&outcome), ["kiernan1969?"]);
    }

    #[test]
    fn unused_entries_warn_at_their_position() {
        let outcome = run(SAMPLE, "apa");
        let warnings: Vec<&Diagnostic> = outcome.diags.items().iter().collect();
        assert_eq!(warnings.len(), 1);
        assert_eq!(warnings[0].code, code::UNUSED_REFERENCE);
        assert_eq!(
            warnings[0].message,
            "bibliography entry `unused2001` is never cited"
        );
        let span = warnings[0].span.as_ref().unwrap();
        assert_eq!(outcome.book.sources.location(span), "references.bib:40:7");
    }

    #[test]
    fn nocite_lists_uncited_entries() {
        let book1 = book(&["[@kiernan1996]"], &[], Some(("references.bib", BIB)));
        let mut opts = options("chicago-author-date");
        opts.nocite = vec!["*".into()];
        let outcome = run_with(book1, &opts);
        assert!(outcome.diags.items().is_empty());
        assert_eq!(entries(&outcome).len(), 5);
        assert!(entries(&outcome)[4].starts_with("Nobody, Ann. 2001. Never Cited."));
        assert_eq!(cites(&outcome), ["(Kiernan 1996b)"]);

        let book2 = book(&["[@kiernan1996]"], &[], Some(("references.bib", BIB)));
        opts.nocite = vec!["unused2001".into(), "nobody".into()];
        let outcome = run_with(book2, &opts);
        assert_eq!(entries(&outcome).len(), 2);
        let warnings = messages(&outcome.diags, Severity::Warning);
        assert_eq!(warnings.len(), 3, "{warnings:?}");
        assert_eq!(
            messages(&outcome.diags, Severity::Error),
            ["`nocite` key `nobody` has no entry in references.bib"]
        );
    }

    #[test]
    fn citations_without_bibliography_are_errors() {
        let outcome = run_with(book(&["See [@a; @b] and @c."], &[], None), &options("apa"));
        assert!(outcome.list.is_none());
        let errors = outcome.diags.items();
        assert_eq!(errors.len(), 2);
        assert_eq!(
            errors[0].message,
            "citation of `a`, `b` but no bibliography is configured"
        );
        assert_eq!(
            errors[0].hint.as_deref(),
            Some("set `bibliography = \"references.bib\"` in book.toml")
        );
        assert_eq!(
            outcome
                .book
                .sources
                .location(errors[1].span.as_ref().unwrap()),
            "chapters/01.md:1:18"
        );
    }
}
