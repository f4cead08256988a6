//! What the book cites, checked against the bibliography: citations without a bibliography,
//! unknown keys (with the nearest known ones as a hint), `nocite` keys, and entries never
//! cited.

use std::collections::BTreeSet;

use super::bibliography::Bibliography;
use super::walk::Site;
use crate::diag::{closest, code, Diagnostic, Diagnostics};

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
