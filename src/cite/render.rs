//! Rendering every citation and the reference list with hayagriva, and turning the result
//! into our inlines: each cited work linked to its entry, whose anchor id is made here.

use std::collections::{BTreeMap, BTreeSet};
use std::panic::{catch_unwind, AssertUnwindSafe};

use hayagriva::citationberg::{Locale, LocaleCode};
use hayagriva::{CitePurpose, ElemChildren};

use super::bibliography::Bibliography;
use super::convert::{capitalize_first, push, tidy_spaces, CiteContext, Converter};
use super::drive::{drive, plan, Driven, Plan};
use super::style::{archive_locales, LoadedStyle};
use super::walk::{Output, Site};
use super::year_suffix::{apply_suffix_fixes, year_suffix_fixes};
use crate::diag::{code, Diagnostic, Diagnostics, Span};
use crate::doc::{BibEntry, Inline, Link, LinkTarget};

/// Everything rendering needs, fixed for the run.
pub(super) struct RenderContext<'a> {
    /// The CSL style.
    pub(super) style: &'a LoadedStyle,
    /// The bibliography.
    pub(super) bib: &'a Bibliography,
    /// The book's language, when it has one.
    pub(super) locale: Option<LocaleCode>,
    /// The archived CSL locales the language can use.
    pub(super) locales: Vec<Locale>,
    /// Anchor id of each entry (`ref-<key>`, sanitised, unique).
    ids: BTreeMap<String, String>,
}

impl<'a> RenderContext<'a> {
    /// The context for `style` and `bib` in the BCP 47 language `locale`.
    pub(super) fn new(style: &'a LoadedStyle, bib: &'a Bibliography, locale: &str) -> Self {
        RenderContext {
            style,
            bib,
            locale: (!locale.is_empty()).then(|| LocaleCode(locale.to_string())),
            locales: archive_locales(locale),
            ids: anchor_ids(&bib.order),
        }
    }

    /// The anchor id of the entry `key`.
    pub(super) fn id(&self, key: &str) -> String {
        self.ids
            .get(key)
            .cloned()
            .unwrap_or_else(|| format!("ref-{}", sanitize_id(key)))
    }
}

/// Render all citations and the reference list (`None` when the style has no list).
pub(super) fn render(
    ctx: &RenderContext,
    sites: &[Site],
    nocite: &[String],
    diags: &mut Diagnostics,
) -> (Vec<Output>, Option<Vec<BibEntry>>) {
    let plans: Vec<Plan> = sites.iter().map(|site| plan(ctx, site)).collect();
    let driven = match catch_unwind(AssertUnwindSafe(|| drive(ctx, sites, &plans, nocite))) {
        Ok(driven) => driven,
        Err(_) => {
            diags.push(
                Diagnostic::error(
                    code::BIBLIOGRAPHY,
                    format!("the citation processor failed on {}", ctx.bib.name),
                )
                .at(Span::new(ctx.bib.file, 0..0))
                .with_hint("please report this with the bibliography entry that triggers it"),
            );
            return (sites.iter().map(fallback).collect(), None);
        }
    };
    let mut outputs: Vec<Output> = sites
        .iter()
        .enumerate()
        .map(|(i, site)| output(ctx, site, &plans[i], &driven, i))
        .collect();
    let mut entries: Option<Vec<BibEntry>> = driven
        .rendered
        .bibliography
        .as_ref()
        .map(|list| list.items.iter().map(|item| bib_entry(ctx, item)).collect());
    if let Some(entries) = entries.as_mut() {
        let fixes = year_suffix_fixes(entries);
        if !fixes.is_empty() {
            apply_suffix_fixes(ctx, &fixes, &mut outputs, entries);
        }
    }
    (outputs, entries)
}

fn output(ctx: &RenderContext, site: &Site, plan: &Plan, driven: &Driven, index: usize) -> Output {
    let rendered = driven.requests[index].and_then(|r| driven.rendered.citations.get(r));
    let Some(rendered) = rendered else {
        return fallback(site);
    };
    let converter = Converter {
        span: site.citation.span.clone(),
        cite: Some(CiteContext {
            ctx,
            citation: &site.citation,
            known: &plan.known,
            narrative: plan.purpose == Some(CitePurpose::Prose),
        }),
    };
    let mut content = Vec::new();
    converter.children(&rendered.citation.0, &mut content, false);
    if !ctx.style.is_note() || site.place.in_note {
        return Output::Inline(content);
    }
    capitalize_first(&mut content);
    let lead = driven.leads[index]
        .as_ref()
        .map(|lead| lead_inlines(ctx, site, plan, lead));
    Output::Note { content, lead }
}

/// The author of a narrative citation in a note style, linked to the entry.
fn lead_inlines(ctx: &RenderContext, site: &Site, plan: &Plan, lead: &ElemChildren) -> Vec<Inline> {
    let converter = Converter {
        span: site.citation.span.clone(),
        cite: None,
    };
    let mut content = Vec::new();
    converter.children(&lead.0, &mut content, true);
    let item = plan.known.first().and_then(|&i| site.citation.items.get(i));
    match item {
        Some(item) => vec![Inline::Link(Box::new(Link {
            target: LinkTarget::Anchor(ctx.id(&item.key)),
            title: String::new(),
            content,
            span: item.span.clone(),
        }))],
        None => content,
    }
}

/// What a citation shows when it cannot be rendered: its keys in bold with a question mark.
pub(super) fn fallback(site: &Site) -> Output {
    let span = site.citation.span.clone();
    let keys: Vec<&str> = site.citation.items.iter().map(|i| i.key.as_str()).collect();
    let text = format!("{}?", keys.join("; "));
    Output::Inline(vec![Inline::Strong(vec![Inline::text(text, span)])])
}

fn bib_entry(ctx: &RenderContext, item: &hayagriva::BibliographyItem) -> BibEntry {
    let converter = Converter {
        span: ctx.bib.span_of(&item.key),
        cite: None,
    };
    let mut content = Vec::new();
    if let Some(first) = &item.first_field {
        converter.children(std::slice::from_ref(first), &mut content, false);
        push(&mut content, Inline::text(" ", converter.span.clone()));
    }
    converter.children(&item.content.0, &mut content, false);
    tidy_spaces(&mut content);
    BibEntry {
        key: item.key.clone(),
        id: ctx.id(&item.key),
        content,
    }
}

/// `ref-<key>` for each key, made a valid XML id and unique, in file order.
fn anchor_ids(keys: &[String]) -> BTreeMap<String, String> {
    let mut used = BTreeSet::new();
    let mut ids = BTreeMap::new();
    for key in keys {
        let base = format!("ref-{}", sanitize_id(key));
        let mut id = base.clone();
        let mut n = 2;
        while !used.insert(id.clone()) {
            id = format!("{base}-{n}");
            n += 1;
        }
        ids.insert(key.clone(), id);
    }
    ids
}

/// Keep letters, digits, `-`, `_`, `.` (and XML name characters of other scripts); replace
/// anything else with `-`.
fn sanitize_id(key: &str) -> String {
    key.chars()
        .map(|c| {
            let xml_name = c.is_alphanumeric()
                || matches!(c, '-' | '_' | '.')
                || (!c.is_ascii()
                    && matches!(c, '\u{0300}'..='\u{036F}' | '\u{0370}'..='\u{1FFF}')
                    && c != '\u{037E}');
            if xml_name {
                c
            } else {
                '-'
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn anchor_ids_are_valid_and_unique() {
        let keys: Vec<String> = ["doe:2005", "doe-2005", "a b", "ខ្មែរ"]
            .iter()
            .map(|k| k.to_string())
            .collect();
        let ids = anchor_ids(&keys);
        assert_eq!(ids["doe:2005"], "ref-doe-2005");
        assert_eq!(ids["doe-2005"], "ref-doe-2005-2");
        assert_eq!(ids["a b"], "ref-a-b");
        assert_eq!(ids["ខ្មែរ"], "ref-ខ្មែរ");
    }
}
