//! Identical citations asked of hayagriva once, with the positions (first, subsequent, ibid)
//! each would have had if every citation had been asked.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;

use super::drive::Plan;
use super::style::{LoadedStyle, PositionUse};
use super::walk::Site;

/// Identical citations are asked of hayagriva once. Rendering is the costliest part of a
/// large book's front half (the x100 benchmark's 11,700 citations took 3.5 s, almost all in
/// hayagriva), and disambiguation depends only on which works are cited, not how often.
///
/// Two citations are identical when hayagriva sees the same thing: the same items with the
/// same locators and purpose and, when the style tests positions, the same position: for
/// each item whether it is cited for the first time and, in a style that looks at
/// neighbours (CSL's "ibid"), the citation just before it when the two share a work (see
/// [`ibid_context`]; sharing none, it cannot be an ibid).
///
/// hayagriva takes a citation's predecessor to be the citation asked before it. So when a
/// new citation must be asked in such a style and the last one asked would give it another
/// ibid context than its real predecessor, the citations in between are asked again first,
/// in order: each is then seen in its real context, so hayagriva renders nothing the book
/// does not contain (a rendering seen out of context could take part in disambiguation and
/// change other citations). Because every skipped citation repeats one asked earlier,
/// hayagriva has seen every work the book has cited so far, and "first" and "subsequent"
/// stay right. A test renders random runs of citations both ways and compares them.
///
/// Citations of note styles are never merged: their positions also depend on note numbers
/// and on how many citations lie between ("near-note"). In-text styles never see note
/// numbers (hayagriva's `CitationRequest::new` drops them), so there a citation inside a
/// footnote merges like any other.
pub(super) struct AskedCitations {
    /// Whether identical citations may be merged at all.
    enabled: bool,
    position: PositionUse,
    asked: BTreeMap<CitationKey, usize>,
    /// The key of the citation being asked, until its request number is known.
    pending: Option<CitationKey>,
    cited: BTreeSet<String>,
    /// What the last site with known works cites: the real predecessor.
    previous: Option<Vec<CitedItem>>,
    /// The last site asked of hayagriva, and what it cites: its idea of the predecessor.
    last_asked: Option<(usize, Vec<CitedItem>)>,
}

impl AskedCitations {
    pub(super) fn new(style: &LoadedStyle) -> Self {
        AskedCitations {
            enabled: !style.is_note() && !never_merge(),
            position: style.position_use(),
            asked: BTreeMap::new(),
            pending: None,
            cited: BTreeSet::new(),
            previous: None,
            last_asked: None,
        }
    }

    /// Decide how the citation at site `index` is asked. After [`Asking::Ask`], the caller
    /// asks the replayed sites and this one, then reports its request number with
    /// [`AskedCitations::asked_as`].
    pub(super) fn decide(&mut self, index: usize, site: &Site, plan: &Plan) -> Asking {
        let items: Vec<CitedItem> = plan
            .known
            .iter()
            .map(|&i| {
                let item = &site.citation.items[i];
                let locator = item
                    .locator
                    .as_ref()
                    .map(|l| (format!("{:?}", l.kind), l.value.clone()));
                (item.key.clone(), locator)
            })
            .collect();
        let firsts: Vec<bool> = items.iter().map(|(k, _)| !self.cited.contains(k)).collect();
        self.cited.extend(items.iter().map(|(k, _)| k.clone()));
        let previous = self.previous.replace(items.clone());
        let purpose = plan.purpose.map(|p| format!("{p:?}"));
        let full = self.position == PositionUse::Full;
        let predecessor = previous.as_deref().and_then(|p| ibid_context(p, &items));
        let key = match self.position {
            PositionUse::Full => (items.clone(), purpose, firsts, predecessor.clone()),
            PositionUse::FirstOnly => (items.clone(), purpose, firsts, None),
            PositionUse::None => (items.clone(), purpose, Vec::new(), None),
        };
        if self.enabled {
            if let Some(&earlier) = self.asked.get(&key) {
                return Asking::Reuse(earlier);
            }
        }
        // hayagriva would take the last citation asked for this one's predecessor: when that
        // gives another ibid context, the citations in between are asked again first.
        let seen_by_hayagriva = self
            .last_asked
            .as_ref()
            .and_then(|(_, asked)| ibid_context(asked, &items));
        let replay = match &self.last_asked {
            Some((at, _)) if full && seen_by_hayagriva != predecessor => at + 1..index,
            None if full && predecessor.is_some() => 0..index,
            _ => index..index,
        };
        self.pending = Some(key);
        self.last_asked = Some((index, items));
        Asking::Ask { replay }
    }

    /// Record that the citation just decided on was asked as request `request`.
    pub(super) fn asked_as(&mut self, request: usize) {
        if let Some(key) = self.pending.take() {
            self.asked.entry(key).or_insert(request);
        }
    }
}

/// A cited work's key and its locator (kind and value), as hayagriva sees them.
type CitedItem = (String, Option<(String, String)>);

/// What hayagriva sees of a citation (see [`AskedCitations`]): its works, purpose, which
/// works are cited for the first time, and (in styles that look at neighbours) its
/// [`ibid_context`].
type CitationKey = (
    Vec<CitedItem>,
    Option<String>,
    Vec<bool>,
    Option<Vec<CitedItem>>,
);

/// Whether a citation must be asked of hayagriva.
pub(super) enum Asking {
    /// It renders exactly as this earlier request did.
    Reuse(usize),
    /// Ask it, after asking again the sites in `replay` (those with known works), so that
    /// hayagriva sees its real predecessor.
    Ask { replay: Range<usize> },
}

#[cfg(test)]
thread_local! {
    /// Tests set this to ask every citation of hayagriva, the reference that merged
    /// rendering is compared with.
    pub(super) static NEVER_MERGE: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Whether merging is switched off (only ever by tests).
fn never_merge() -> bool {
    #[cfg(test)]
    {
        NEVER_MERGE.with(std::cell::Cell::get)
    }
    #[cfg(not(test))]
    {
        false
    }
}

/// What a citation's rendering can take from the citation before it: CSL's "ibid" compares
/// the last work of the one with the first work of the other (in the order the style sorts
/// them into), so when the two share no work it is never ibid, whatever they cite. `None`
/// then; otherwise the whole previous citation, since its sorted order is hayagriva's to
/// decide.
fn ibid_context(previous: &[CitedItem], current: &[CitedItem]) -> Option<Vec<CitedItem>> {
    let shares = previous
        .iter()
        .any(|(key, _)| current.iter().any(|(k, _)| k == key));
    shares.then(|| previous.to_vec())
}
