//! Rendering every citation and the reference list with hayagriva, and turning the result
//! into our inlines: each cited work linked to its entry, whose anchor id is made here.

use std::collections::{BTreeMap, BTreeSet};
use std::panic::{catch_unwind, AssertUnwindSafe};

use hayagriva::citationberg::{Locale, LocaleCode};
use hayagriva::{CitePurpose, ElemChild};

use super::bibliography::Bibliography;
use super::convert::{
    capitalize_first, first_work_author, push, tidy_text, CiteContext, Converter,
};
use super::drive::{drive, plan, Driven, Plan};
use super::style::{archive_locales, LoadedStyle};
use super::walk::{Output, Site};
use super::year_suffix::{apply_suffix_fixes, year_suffix_fixes};
use crate::diag::{code, Diagnostic, Diagnostics, Span};
use crate::doc::{BibEntry, CiteMode, Inline, Link, LinkTarget};

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
    for (site, output) in sites.iter().zip(&outputs) {
        if matches!(output, Output::Inline(content) if content.is_empty()) {
            diags.push(empty_citation(site));
        }
    }
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
            author_in_text: plan.lead,
        }),
    };
    let mut content = Vec::new();
    converter.children(&rendered.citation.0, &mut content, false);
    if prints_nothing(&content) {
        return Output::Inline(Vec::new());
    }
    if !ctx.style.is_note() {
        return Output::Inline(content);
    }
    if site.place.in_note {
        return Output::Inline(within_note(ctx, site, content));
    }
    capitalize_first(&mut content);
    if punctuation_in_quote(ctx) {
        move_final_period_into_quote(&mut content);
        // A quoted title that ends in its own punctuation takes no second period.
        tidy_text(&mut content);
    }
    let lead = plan
        .lead
        .then(|| first_work_author(&rendered.citation.0))
        .flatten()
        .map(|author| lead_inlines(ctx, site, plan, std::slice::from_ref(author)));
    Output::Note { content, lead }
}

/// A note style's citation inside a footnote, as citeproc sets it: in the sentence, without
/// the period that ends a note (the footnote's own sentence ends it), and in parentheses
/// when it was written in brackets ("In a note (see Roe, “An Article,” 34).").
fn within_note(ctx: &RenderContext, site: &Site, mut content: Vec<Inline>) -> Vec<Inline> {
    let layout_period = ctx
        .style
        .csl
        .citation
        .layout
        .suffix
        .as_deref()
        .is_some_and(|suffix| suffix.ends_with('.'));
    if layout_period {
        drop_final_period(&mut content);
    }
    if site.citation.mode != CiteMode::Parenthetical {
        return content;
    }
    let span = site.citation.span.clone();
    let mut wrapped = Vec::with_capacity(content.len() + 2);
    push(&mut wrapped, Inline::text("(", span.clone()));
    for inline in content {
        push(&mut wrapped, inline);
    }
    push(&mut wrapped, Inline::text(")", span));
    wrapped
}

/// Abbreviations a citation may end with, whose period stays ("2nd ed.", "et al.").
const ABBREVIATIONS: [&str; 14] = [
    "ed", "eds", "trans", "al", "n.d", "ibid", "Ibid", "comp", "etc", "vol", "vols", "no", "rev",
    "repr",
];

/// Takes the period that ends `content` off, unless it ends an abbreviation.
fn drop_final_period(content: &mut [Inline]) {
    let mut texts = Vec::new();
    collect_texts(content, &mut texts);
    let Some(last) = texts.into_iter().rev().find(|t| !t.is_empty()) else {
        return;
    };
    let Some(before) = last.strip_suffix('.') else {
        return;
    };
    let word = before.rsplit([' ', '\u{a0}', '(']).next().unwrap_or(before);
    if !ABBREVIATIONS.contains(&word) {
        last.pop();
    }
}

/// Whether a rendered citation shows no cited work, only the style's brackets: `[-@key]` in
/// MLA, whose citation is the author alone, leaves "()" once the author is taken out.
/// citeproc prints nothing then (with a warning), and so does octavo (see [`empty_citation`]).
fn prints_nothing(content: &[Inline]) -> bool {
    let text = crate::doc::plain_text(content);
    !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_whitespace() || "()[]".contains(c))
}

/// The warning for a citation left out of the text because the style renders it as nothing.
fn empty_citation(site: &Site) -> Diagnostic {
    let keys: Vec<&str> = site.citation.items.iter().map(|i| i.key.as_str()).collect();
    Diagnostic::warning(
        code::EMPTY_CITATION,
        format!("the citation of {} prints nothing in this style", keys.join("; ")),
    )
    .at(site.citation.span.clone())
    .with_hint("with its author suppressed (`-@key`) the style has nothing left to print: give a locator, or cite without `-`")
}

/// Whether the language puts a period that follows a quotation inside it (American English,
/// the CSL locale's `punctuation-in-quote`).
fn punctuation_in_quote(ctx: &RenderContext) -> bool {
    let language = ctx.locale.as_ref().map_or("en-US", |code| code.0.as_str());
    matches!(language, "en" | "en-US")
}

/// The closing quotation mark a note's final period goes inside.
const CLOSING_QUOTE: char = '\u{201D}';

/// A note ending in a quoted title (`“Ink Chemistry”.`) ends `“Ink Chemistry.”`, as CSL
/// processors do in American English: hayagriva leaves the period of the style's layout
/// suffix outside the quotation (typst/hayagriva punctuation-in-quote is applied inside a
/// rendered element only).
fn move_final_period_into_quote(content: &mut [Inline]) {
    let mut texts = Vec::new();
    collect_texts(content, &mut texts);
    let Some(last) = texts.pop() else {
        return;
    };
    let quoted_period = format!("{CLOSING_QUOTE}.");
    if last.ends_with(&quoted_period) {
        let at = last.len() - quoted_period.len();
        last.replace_range(at.., &format!(".{CLOSING_QUOTE}"));
    } else if last.as_str() == "." {
        if let Some(before) = texts.pop().filter(|t| t.ends_with(CLOSING_QUOTE)) {
            last.clear();
            before.insert(before.len() - CLOSING_QUOTE.len_utf8(), '.');
        }
    }
}

/// The texts of `inlines` in reading order.
fn collect_texts<'a>(inlines: &'a mut [Inline], out: &mut Vec<&'a mut String>) {
    for inline in inlines {
        match inline {
            Inline::Text { text, .. } => out.push(text),
            Inline::Link(link) => collect_texts(&mut link.content, out),
            Inline::Emph(children) | Inline::Strong(children) | Inline::Strike(children) => {
                collect_texts(children, out)
            }
            _ => {}
        }
    }
}

/// The author of a narrative citation in a note style, linked to the entry.
fn lead_inlines(ctx: &RenderContext, site: &Site, plan: &Plan, lead: &[ElemChild]) -> Vec<Inline> {
    let converter = Converter {
        span: site.citation.span.clone(),
        cite: None,
    };
    let mut content = Vec::new();
    converter.children(lead, &mut content, true);
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
    tidy_text(&mut content);
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
    use crate::diag::FileId;

    fn ended(text: &str) -> String {
        let mut content = vec![Inline::text(text, Span::new(FileId(0), 0..0))];
        drop_final_period(&mut content);
        crate::doc::plain_text(&content)
    }

    #[test]
    fn a_note_citation_in_a_note_loses_its_period_but_not_an_abbreviation() {
        assert_eq!(ended("Roe, “An Article,” 34."), "Roe, “An Article,” 34");
        assert_eq!(ended("Smith, Essays, 2nd ed."), "Smith, Essays, 2nd ed.");
        assert_eq!(ended("Alpha et al."), "Alpha et al.");
        assert_eq!(ended("Ibid."), "Ibid.");
        assert_eq!(ended("no period"), "no period");
    }

    #[test]
    fn a_notes_final_period_goes_inside_the_quotation() {
        let span = || Span::new(FileId(0), 0..0);
        let mut joined = vec![Inline::text("Smith, “Ink Chemistry”.", span())];
        move_final_period_into_quote(&mut joined);
        assert_eq!(crate::doc::plain_text(&joined), "Smith, “Ink Chemistry.”");
        let link = Inline::Link(Box::new(Link {
            target: LinkTarget::Anchor("ref-smith".into()),
            title: String::new(),
            content: vec![Inline::text("Smith, “Ink Chemistry”", span())],
            span: span(),
        }));
        let mut split = vec![link, Inline::text(".", span())];
        move_final_period_into_quote(&mut split);
        assert_eq!(crate::doc::plain_text(&split), "Smith, “Ink Chemistry.”");
        let mut asked = vec![Inline::text("Roe, “Why Print?”.", span())];
        move_final_period_into_quote(&mut asked);
        tidy_text(&mut asked);
        assert_eq!(crate::doc::plain_text(&asked), "Roe, “Why Print?”");
        let mut unquoted = vec![Inline::text("Doe, Printing.", span())];
        move_final_period_into_quote(&mut unquoted);
        assert_eq!(crate::doc::plain_text(&unquoted), "Doe, Printing.");
    }

    #[test]
    fn a_citation_the_style_renders_as_nothing_is_left_out_with_a_warning() {
        use super::super::test_book::{cites, messages, run};
        use crate::diag::Severity;
        let outcome = run(
            &["[-@kiernan1996]", "[-@kiernan1996, 45]"],
            "modern-language-association",
        );
        assert_eq!(cites(&outcome), ["", "(45)"]);
        let warnings = messages(&outcome.diags, Severity::Warning);
        let empty: Vec<&String> = warnings.iter().filter(|m| m.contains("nothing")).collect();
        assert_eq!(
            empty,
            ["the citation of kiernan1996 prints nothing in this style"]
        );
    }

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
