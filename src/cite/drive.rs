//! Asking hayagriva's `BibliographyDriver` for every citation, in reading order, so that
//! disambiguation (1996a/1996b), positions (first, subsequent, ibid) and numbering are
//! book-wide.

use std::collections::BTreeMap;

use hayagriva::citationberg::json::Item as JsonItem;
use hayagriva::citationberg::taxonomy::Locator as CslLocator;
use hayagriva::{
    BibliographyDriver, BibliographyRequest, CitationItem, CitationRequest, CitePurpose,
    LocatorPayload, Rendered, SpecificLocator,
};

use super::bibliography::Library;
use super::merge::{AskedCitations, Asking};
use super::render::RenderContext;
use super::walk::Site;
use crate::doc::{CiteMode, Locator, LocatorKind};

/// How one citation is asked of hayagriva.
pub(super) struct Plan {
    /// Indices of the citation's items that exist in the bibliography.
    pub(super) known: Vec<usize>,
    /// `Prose` for narrative citations in in-text styles.
    pub(super) purpose: Option<CitePurpose>,
    /// Whether the first work's author goes into the sentence (a narrative citation that
    /// becomes a note): they are taken out of the note's rendering, as citeproc does.
    pub(super) lead: bool,
}

/// What the driver produced, per site.
pub(super) struct Driven {
    /// The citations and the reference list, as hayagriva rendered them.
    pub(super) rendered: Rendered,
    /// Index into `rendered.citations`, for sites that were rendered.
    pub(super) requests: Vec<Option<usize>>,
}

/// How the citation at `site` is asked: its known items, and its purpose and lead.
pub(super) fn plan(ctx: &RenderContext, site: &Site) -> Plan {
    let items = &site.citation.items;
    let known = (0..items.len())
        .filter(|&i| ctx.bib.contains(&items[i].key))
        .collect();
    let narrative = site.citation.mode == CiteMode::Narrative;
    let note_style = ctx.style.is_note();
    let prose = narrative && !note_style && !ctx.style.cites_by_number();
    Plan {
        known,
        purpose: prose.then_some(CitePurpose::Prose),
        lead: narrative && note_style && !site.place.in_note,
    }
}

fn csl_locator(locator: &Locator) -> SpecificLocator<'_> {
    let kind = match locator.kind {
        LocatorKind::Page => CslLocator::Page,
        LocatorKind::Chapter => CslLocator::Chapter,
        LocatorKind::Section => CslLocator::Section,
        LocatorKind::Figure => CslLocator::Figure,
        LocatorKind::Note => CslLocator::Note,
        LocatorKind::Paragraph => CslLocator::Paragraph,
        LocatorKind::Volume => CslLocator::Volume,
        LocatorKind::Line => CslLocator::Line,
        LocatorKind::Book => CslLocator::Book,
        LocatorKind::Part => CslLocator::Part,
        LocatorKind::Verse => CslLocator::Verse,
        LocatorKind::Column => CslLocator::Column,
        LocatorKind::Folio => CslLocator::Folio,
        LocatorKind::Issue => CslLocator::Issue,
        LocatorKind::Opus => CslLocator::Opus,
        LocatorKind::SubVerbo => CslLocator::SubVerbo,
    };
    SpecificLocator(kind, LocatorPayload::Str(&locator.value))
}

/// Run hayagriva's driver over every citation (and the hidden `nocite` entries).
///
/// A macro rather than a generic function: hayagriva's `EntryLike` bound lives in a private
/// module and cannot be named, so the code is instantiated once per entry type.
macro_rules! drive {
    ($ctx:expr, $sites:expr, $plans:expr, $nocite:expr, $lookup:expr) => {{
        let ctx: &RenderContext = $ctx;
        let lookup = $lookup;
        let style = &ctx.style.csl;
        let mut driver = BibliographyDriver::new();
        let mut requests = Vec::new();
        let mut count = 0;
        let mut asked = AskedCitations::new(&ctx.style);
        let sites: &[Site] = $sites;
        let plans: &[Plan] = $plans;
        let items_of = |at: usize| -> Vec<_> {
            let (site, plan) = (&sites[at], &plans[at]);
            plan.known
                .iter()
                .filter_map(|&i| {
                    let item = &site.citation.items[i];
                    let locator = item.locator.as_ref().map(csl_locator);
                    let entry = lookup(item.key.as_str())?;
                    // Cite grouping moves no item over one with its own prefix or suffix.
                    let cite = CitationItem::new(entry, locator, None, false, plan.purpose);
                    Some(cite.with_affixes(!item.prefix.is_empty(), !item.suffix.is_empty()))
                })
                .collect()
        };
        let request_of = |site: &Site, items| {
            let note = Some(site.place.note_number).filter(|&n| n > 0);
            CitationRequest::new(items, style, ctx.locale.clone(), &ctx.locales, note)
        };
        for (site_index, (site, plan)) in sites.iter().zip(plans.iter()).enumerate() {
            let items = items_of(site_index);
            if items.is_empty() {
                requests.push(None);
                continue;
            }
            match asked.decide(site_index, site, plan) {
                Asking::Reuse(earlier) => requests.push(Some(earlier)),
                Asking::Ask { replay } => {
                    for again in replay {
                        let again_items = items_of(again);
                        if !again_items.is_empty() {
                            driver.citation(request_of(&sites[again], again_items));
                            count += 1;
                        }
                    }
                    asked.asked_as(count);
                    requests.push(Some(count));
                    count += 1;
                    driver.citation(request_of(site, items));
                }
            }
        }
        let hidden: Vec<_> = $nocite
            .iter()
            .filter_map(|key: &String| lookup(key.as_str()))
            .map(|entry| CitationItem::new(entry, None, None, true, None))
            .collect();
        if !hidden.is_empty() {
            driver.citation(CitationRequest::new(
                hidden,
                style,
                ctx.locale.clone(),
                &ctx.locales,
                None,
            ));
        }
        let request = BibliographyRequest::new(style, ctx.locale.clone(), &ctx.locales);
        Driven {
            rendered: driver.finish(request),
            requests,
        }
    }};
}

/// Runs hayagriva's driver over every citation (see the [`drive!`] macro), whichever entry
/// type the bibliography holds.
pub(super) fn drive(
    ctx: &RenderContext,
    sites: &[Site],
    plans: &[Plan],
    nocite: &[String],
) -> Driven {
    match &ctx.bib.library {
        Library::Native(library) => {
            drive!(ctx, sites, plans, nocite, |key: &str| library.get(key))
        }
        Library::Json(items) => {
            let by_id: BTreeMap<String, &JsonItem> = items
                .iter()
                .filter_map(|item| Some((item.id()?.into_owned(), item)))
                .collect();
            drive!(ctx, sites, plans, nocite, |key: &str| by_id
                .get(key)
                .copied())
        }
    }
}
