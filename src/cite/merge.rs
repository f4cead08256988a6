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
    /// Nothing asked yet; merging is enabled unless `style` is a note style.
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
    static NEVER_MERGE: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
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

#[cfg(test)]
mod tests {
    use super::super::test_book::{book, cites, options, run, run_with, BIB};
    use super::super::{CiteOptions, StyleChoice};
    use super::*;

    /// An in-text style whose citations depend on position: the first citation of a work
    /// gives its title, a repeat of the citation just before gives "ibid", any other gives
    /// the author.
    const POSITION_CSL: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<style xmlns="http://purl.org/net/xbiblio/csl" class="in-text" version="1.0">
  <info><title>Position test</title><id>position-test</id><updated>2024-01-01T00:00:00+00:00</updated></info>
  <citation>
    <layout>
      <choose>
        <if position="ibid"><text value="ibid"/></if>
        <else-if position="first"><text variable="title"/></else-if>
        <else><names variable="author"><name form="short"/></names></else>
      </choose>
    </layout>
  </citation>
  <bibliography><layout><text variable="title"/></layout></bibliography>
</style>
"#;

    /// What [`POSITION_CSL`] renders for Kiernan 1996 and ECCC 2010 when not "ibid": the
    /// author (later citations), then the title (first citations), which this style prints
    /// in the sentence case BibLaTeX titles are read in.
    const POSITION_RENDERINGS: (&str, &str, &str, &str) = (
        "Kiernan",
        "Extraordinary Chambers in the Courts of Cambodia",
        "The Pol Pot regime: Race, power and genocide in Cambodia under the Khmer Rouge",
        "Judgement in Case 001",
    );

    /// The renderings of `text` in [`POSITION_CSL`].
    fn positional_cites(text: &str) -> Vec<String> {
        let mut book = book(&[text], &[], Some(("references.bib", BIB)));
        let csl = book.sources.add("position.csl", POSITION_CSL.to_string());
        let choice = CiteOptions {
            style: StyleChoice::File(csl),
            ..options("apa")
        };
        cites(&run_with(book, &choice))
    }

    #[test]
    fn merged_citations_keep_their_positions() {
        // Identical citations are asked of hayagriva once, but the first/subsequent/ibid
        // positions must come out as if every one had been asked. In the second text,
        // skipping the fifth K would make hayagriva take the sixth for a repeat of the
        // fourth (an E), and the last E likewise.
        let (k, e, kt, et) = POSITION_RENDERINGS;
        let text = "[@kiernan1996] [@eccc2010] [@kiernan1996] [@kiernan1996] [@eccc2010] \
                    [@kiernan1996] [@eccc2010] [@kiernan1996] [@kiernan1996]";
        assert_eq!(
            positional_cites(text),
            vec![kt, et, k, "ibid", e, k, e, k, "ibid"]
        );
        let text = "[@kiernan1996] [@eccc2010] [@kiernan1996] [@eccc2010] [@kiernan1996] \
                    [@kiernan1996] [@eccc2010] [@eccc2010]";
        assert_eq!(
            positional_cites(text),
            vec![kt, et, k, e, k, "ibid", e, "ibid"]
        );
    }

    #[test]
    fn a_merged_citation_keeps_the_ibid_its_predecessor_gives_it() {
        // hayagriva takes "ibid" from the last work of the citation just before. The fourth
        // and sixth citations are the same, but only the sixth follows a citation ending
        // with Kiernan; merging them would lose that "ibid" (it did, before the predecessor
        // became part of what makes two citations identical).
        let (k, e, kt, et) = POSITION_RENDERINGS;
        let text = "[@eccc2010] [@kiernan1996] [@eccc2010] [@kiernan1996; @eccc2010] \
                    [@kiernan1996] [@kiernan1996; @eccc2010]";
        let (ke, ibid_e) = (format!("{k}{e}"), format!("ibid{e}"));
        assert_eq!(positional_cites(text), vec![et, kt, e, &ke, k, &ibid_e]);
    }

    /// `count` citations of one to three of four works (two by the same author, so
    /// disambiguation has work to do), some with page locators, from a fixed seed.
    fn random_citations(seed: u64, count: usize) -> Vec<String> {
        let keys = ["kiernan1996", "kiernan1996b", "eccc2010", "chandler1999"];
        let mut state = seed;
        let mut next = move |n: u64| {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (state >> 33) % n
        };
        (0..count)
            .map(|_| {
                let items: Vec<String> = (0..1 + next(3))
                    .map(|_| {
                        let key = keys[next(4) as usize];
                        match next(3) {
                            0 => format!("@{key}, p. {}", 1 + next(3)),
                            _ => format!("@{key}"),
                        }
                    })
                    .collect();
                format!("Text [{}].", items.join("; "))
            })
            .collect()
    }

    #[test]
    fn merged_citations_render_as_if_each_were_asked() {
        // Random runs of citations, rendered with merging and with every citation asked of
        // hayagriva, in a style that tests first/subsequent/ibid and in three real ones.
        for seed in 1..=8 {
            let paragraphs = random_citations(seed, 60);
            let texts: Vec<&str> = paragraphs.iter().map(String::as_str).collect();
            let render = |style: &str, merge: bool| {
                NEVER_MERGE.with(|never| never.set(!merge));
                let got = if style == "position" {
                    positional_cites(&texts.join("\n\n"))
                } else {
                    cites(&run(&texts, style))
                };
                NEVER_MERGE.with(|never| never.set(false));
                got
            };
            for style in ["position", "chicago-author-date", "apa", "ieee"] {
                assert_eq!(
                    render(style, true),
                    render(style, false),
                    "seed {seed}, {style}: {paragraphs:?}"
                );
            }
        }
    }

    #[test]
    fn identical_citations_render_identically_in_a_style_without_positions() {
        let text = "[@kiernan1996, p. 4] [@eccc2010] [@kiernan1996, p. 4] [@kiernan1996, p. 5]";
        let outcome = run(&[text], "apa");
        let got = cites(&outcome);
        assert_eq!(got[0], got[2]);
        assert_ne!(
            got[0], got[3],
            "a different locator is a different citation"
        );
    }
}
