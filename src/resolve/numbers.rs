//! Numbers: figures, tables, listings and labelled display equations ("Figure 3.2", "Table A.1", or through the book),
//! section numbers (1.2, A.1) when book.toml asks for them, and the table of every label in
//! the book that cross-references are resolved against.
//!
//! A figure is numbered when it has a label (`{#fig-x}`) or a caption, a table when it has a
//! caption or a label, a code block when it is a listing with a label or a caption; `.unnumbered`
//! (or `{-}`) opts one out. Chapters number theirs from 1 (`3.1`, `A.1` in appendices; plain
//! `1` in unnumbered chapters), or the book numbers them all in one sequence.

use std::collections::BTreeMap;

use super::ids::Anchors;
use crate::config::NumberScheme;
use crate::diag::{code, Diagnostic, Diagnostics};
use crate::doc::walk;
use crate::doc::{
    label_anchor, label_prefix, Attributes, Block, Chapter, EquationTag, Inline, LabelKind, Math,
    MathLabel, Numbered,
};
use crate::locale::{NumberedTerms, Terms};
use crate::toc::MAX_TOC_LEVEL;

/// How book.toml asks for things to be numbered.
#[derive(Debug, Clone)]
pub(super) struct NumberingSettings {
    /// Figures (and listings).
    pub figures: NumberScheme,
    /// Tables.
    pub tables: NumberScheme,
    /// Section numbers in headings.
    pub sections: bool,
    /// How chapters are numbered in their headings (a reference to one says the same).
    pub chapters: crate::doc::ChapterNumberStyle,
    /// The book's language (for numbers in words).
    pub language: String,
}

/// What a label names, for the references to it.
#[derive(Debug, Clone)]
pub(super) struct Target {
    /// What it is.
    pub kind: LabelKind,
    /// Its number (`3.2`, `A`), or `None` when it has none (an unnumbered section).
    pub number: Option<String>,
    /// The chapter holding it.
    pub chapter: usize,
    /// Its anchor id.
    pub anchor: String,
    /// Its title or caption, printed by a reference when there is no number.
    pub title: Vec<Inline>,
}

/// The word before a number of `kind`, singular or plural, in the book's language.
pub(super) fn kind_word(terms: &NumberedTerms, kind: LabelKind, plural: bool) -> &'static str {
    let (one, many) = match kind {
        LabelKind::Figure => terms.figure,
        LabelKind::Table => terms.table,
        LabelKind::Listing => terms.listing,
        LabelKind::Section => terms.section,
        LabelKind::Chapter => terms.chapter,
        LabelKind::Appendix => terms.appendix,
        LabelKind::Equation => terms.equation,
    };
    if plural {
        many
    } else {
        one
    }
}

/// The number chapter-based numbers start with: `3` for chapter 3, `A` for the first appendix.
fn chapter_prefix(chapter: &Chapter) -> Option<String> {
    chapter.number_text()
}

/// Counters of one kind: in the current chapter and through the book.
#[derive(Debug, Default)]
struct Counter {
    chapter: u32,
    book: u32,
}

impl Counter {
    fn next(&mut self, scheme: NumberScheme, prefix: Option<&str>) -> Option<String> {
        self.chapter += 1;
        self.book += 1;
        match (scheme, prefix) {
            (NumberScheme::None, _) => None,
            (NumberScheme::Book, _) => Some(self.book.to_string()),
            (NumberScheme::Chapter, Some(prefix)) => Some(format!("{prefix}.{}", self.chapter)),
            (NumberScheme::Chapter, None) => Some(self.chapter.to_string()),
        }
    }
}

/// Numbers every figure, table, listing and (when asked) section, and returns every label.
pub(super) fn number_book(
    chapters: &mut [Chapter],
    settings: NumberingSettings,
    terms: &Terms,
    anchors: &mut Anchors,
    diags: &mut Diagnostics,
) -> BTreeMap<String, Target> {
    let mut numberer = Numberer {
        settings,
        diags,
        terms: &terms.numbered,
        anchors,
        targets: BTreeMap::new(),
        figures: Counter::default(),
        tables: Counter::default(),
        listings: Counter::default(),
        equations: Counter::default(),
    };
    for (index, chapter) in chapters.iter_mut().enumerate() {
        numberer.chapter(index, chapter);
    }
    numberer.targets
}

struct Numberer<'a> {
    settings: NumberingSettings,
    diags: &'a mut Diagnostics,
    terms: &'a NumberedTerms,
    anchors: &'a mut Anchors,
    targets: BTreeMap<String, Target>,
    figures: Counter,
    tables: Counter,
    listings: Counter,
    equations: Counter,
}

/// Where the numbering stands inside one chapter.
struct ChapterState {
    index: usize,
    prefix: Option<String>,
    /// The number the chapter's heading shows (`IV` in roman; none when chapters are not
    /// numbered), which a reference to the chapter prints.
    title_number: Option<String>,
    kind: LabelKind,
    titled: bool,
    /// Section counters for heading levels 2, 3, ….
    sections: Vec<u32>,
}

impl Numberer<'_> {
    fn chapter(&mut self, index: usize, chapter: &mut Chapter) {
        self.figures.chapter = 0;
        self.tables.chapter = 0;
        self.listings.chapter = 0;
        self.equations.chapter = 0;
        let kind = if chapter.number.is_some() {
            LabelKind::Chapter
        } else if chapter.appendix.is_some() {
            LabelKind::Appendix
        } else {
            LabelKind::Section
        };
        let mut state = ChapterState {
            index,
            prefix: chapter_prefix(chapter),
            title_number: match chapter.number {
                Some(n) => crate::doc::numerals::styled_number(
                    n,
                    self.settings.chapters,
                    &self.settings.language,
                ),
                None => chapter_prefix(chapter),
            },
            kind,
            titled: false,
            sections: Vec::new(),
        };
        walk::blocks_mut(&mut chapter.blocks, &mut |block| {
            self.block(block, &mut state)
        });
    }

    fn block(&mut self, block: &mut Block, state: &mut ChapterState) {
        match block {
            Block::Heading(heading) => self.heading(heading, state),
            Block::Figure(figure) => {
                let attrs = merged_label(&figure.attrs, &figure.image.attrs);
                let caption = &figure.caption;
                figure.number = self.captioned(LabelKind::Figure, &attrs, caption, state);
            }
            Block::Table(table) => {
                let caption = &table.caption;
                table.number = self.captioned(LabelKind::Table, &table.attrs, caption, state);
            }
            Block::Code {
                listing: Some(listing),
                ..
            } => {
                let caption = &listing.caption;
                listing.number = self.captioned(LabelKind::Listing, &listing.attrs, caption, state);
            }
            _ => {}
        }
        walk::block_inlines_mut(block, &mut |inline| {
            if let Inline::Math(math) = inline {
                if math.display {
                    self.equation(math, state);
                }
            }
        });
    }

    /// Numbers a display formula, or each row of one numbered row by row.
    fn equation(&mut self, math: &mut Math, state: &ChapterState) {
        if math.numbered_by_rows() {
            // As in LaTeX, every row of the environment is numbered but a `\notag` one.
            for row in &mut math.rows {
                let label = row.label.as_ref().map(EquationLabel::inside);
                row.number = self.equation_number(row.tag.as_ref(), label, true, state);
            }
            return;
        }
        let label = match &math.label {
            Some(label) => Some(EquationLabel::inside(label)),
            None => (math.attrs.id.as_deref().and_then(label_prefix) == Some("eq"))
                .then(|| EquationLabel::after(&math.attrs))
                .flatten(),
        };
        math.number = self.equation_number(math.tag.as_ref(), label, false, state);
    }

    /// An equation's number: its `\tag`'s text, none for `\notag`, else the next counted one
    /// when it is labelled or `counted` (a row of a formula numbered row by row).
    fn equation_number(
        &mut self,
        tag: Option<&EquationTag>,
        label: Option<EquationLabel<'_>>,
        counted: bool,
        state: &ChapterState,
    ) -> Option<Numbered> {
        match tag {
            Some(EquationTag::Unnumbered) => {
                if let Some(label) = label {
                    self.warn_unnumbered_label(&label);
                }
                None
            }
            Some(EquationTag::Text { text, .. }) => {
                let number = text.clone();
                let anchor = match &label {
                    Some(label) => self.equation_anchor(label, state),
                    None => self
                        .anchors
                        .insert_generated(&tag_anchor(text), state.index),
                };
                self.numbered_equation(number, anchor, label, state)
            }
            None if label.is_none() && !counted => None,
            None => {
                let counter = &mut self.equations;
                let number = counter.next(self.settings.figures, state.prefix.as_deref());
                let anchor = match (&label, &number) {
                    (Some(label), _) => self.equation_anchor(label, state),
                    (None, number) => self.numbered_anchor("equation", number.as_deref(), state),
                };
                match number {
                    Some(number) => self.numbered_equation(number, anchor, label, state),
                    None => {
                        if let Some(label) = &label {
                            self.register_equation(label, None, &anchor, state);
                        }
                        None
                    }
                }
            }
        }
    }

    /// The equation numbered `number` at `anchor`, registered under its label.
    fn numbered_equation(
        &mut self,
        number: String,
        anchor: String,
        label: Option<EquationLabel<'_>>,
        state: &ChapterState,
    ) -> Option<Numbered> {
        if let Some(label) = &label {
            self.register_equation(label, Some(number.clone()), &anchor, state);
        }
        let word = kind_word(self.terms, LabelKind::Equation, false);
        Some(Numbered {
            kind: LabelKind::Equation,
            label: format!("{word} {number}"),
            number,
            anchor,
        })
    }

    /// The anchor of a labelled equation: the label's own id for `{#eq-x}` (claimed with the
    /// book's ids), one made from the name for a `\label` (which may hold any character).
    fn equation_anchor(&mut self, label: &EquationLabel<'_>, state: &ChapterState) -> String {
        if label.inside {
            self.anchors
                .insert_generated(&label_id(label.name), state.index)
        } else {
            label_anchor(label.name)
        }
    }

    /// The anchor made for an unlabelled numbered element: `figure-3-2` for Figure 3.2.
    fn numbered_anchor(
        &mut self,
        stem: &str,
        number: Option<&str>,
        state: &ChapterState,
    ) -> String {
        let wanted = format!("{stem}-{}", number.unwrap_or("x"));
        self.anchors
            .insert_generated(&wanted.replace('.', "-"), state.index)
    }

    /// Registers an equation's label; a `\label` whose name another label of the book has
    /// already is an error.
    fn register_equation(
        &mut self,
        label: &EquationLabel<'_>,
        number: Option<String>,
        anchor: &str,
        state: &ChapterState,
    ) {
        if label.inside && self.targets.contains_key(label.name) {
            let mut error = Diagnostic::error(
                code::DUPLICATE_LABEL,
                format!("the label `{}` is used twice", label.name),
            )
            .with_hint("give each equation a name of its own");
            if let Some(span) = label.span {
                error = error.at(span.clone());
            }
            self.diags.push(error);
            return;
        }
        let kind = LabelKind::Equation;
        self.register(label.name, kind, number, anchor, Vec::new(), state.index);
    }

    /// A label on an equation `\notag` leaves unnumbered: nothing a reference could print.
    fn warn_unnumbered_label(&mut self, label: &EquationLabel<'_>) {
        let shown = if label.inside {
            format!("\\label{{{}}}", label.name)
        } else {
            format!("{{#{}}}", label.name)
        };
        let mut warning = Diagnostic::warning(
            code::EQUATION_LABEL_UNNUMBERED,
            format!("`{shown}` labels an equation `\\notag` leaves unnumbered: it names nothing"),
        )
        .with_hint("remove \\notag (or \\nonumber) to number it, or the label");
        if let Some(span) = label.span {
            warning = warning.at(span.clone());
        }
        self.diags.push(warning);
    }

    /// The number of a figure, table or listing that has a caption or a label of its kind;
    /// one marked `.unnumbered` gets none, but its label still names it (by its caption).
    fn captioned(
        &mut self,
        kind: LabelKind,
        attrs: &Attributes,
        caption: &[Inline],
        state: &ChapterState,
    ) -> Option<Numbered> {
        let prefix = match kind {
            LabelKind::Table => "tbl",
            LabelKind::Listing => "lst",
            _ => "fig",
        };
        let labelled = attrs.id.as_deref().and_then(label_prefix) == Some(prefix);
        if !labelled && caption.is_empty() {
            return None;
        }
        if attrs.has_class("unnumbered") {
            if let Some(label) = &attrs.id {
                let anchor = label_anchor(label);
                self.register(label, kind, None, &anchor, caption.to_vec(), state.index);
            }
            return None;
        }
        self.number(kind, attrs, caption.to_vec(), state)
    }

    /// The number of a figure, table or listing, registered under its label when it has one.
    fn number(
        &mut self,
        kind: LabelKind,
        attrs: &Attributes,
        title: Vec<Inline>,
        state: &ChapterState,
    ) -> Option<Numbered> {
        let (counter, scheme, stem) = match kind {
            LabelKind::Table => (&mut self.tables, self.settings.tables, "table"),
            LabelKind::Listing => (&mut self.listings, self.settings.figures, "listing"),
            _ => (&mut self.figures, self.settings.figures, "figure"),
        };
        let number = counter.next(scheme, state.prefix.as_deref());
        let anchor = match &attrs.id {
            Some(label) => label_anchor(label),
            None => self.numbered_anchor(stem, number.as_deref(), state),
        };
        if let Some(label) = &attrs.id {
            self.register(label, kind, number.clone(), &anchor, title, state.index);
        }
        let number = number?;
        let word = kind_word(self.terms, kind, false);
        Some(Numbered {
            kind,
            label: format!("{word} {number}"),
            number,
            anchor,
        })
    }

    fn heading(&mut self, heading: &mut crate::doc::Heading, state: &mut ChapterState) {
        let unnumbered = heading.attrs.has_class("unnumbered");
        let is_title = heading.level == 1 && !state.titled;
        if is_title {
            state.titled = true;
        }
        let number = if is_title {
            state.title_number.clone().filter(|_| !unnumbered)
        } else {
            let number = self.section_number(heading.level, unnumbered, state);
            heading.number.clone_from(&number);
            number
        };
        let Some(label) = heading.attrs.id.clone() else {
            return;
        };
        if label_prefix(&label) != Some("sec") {
            return;
        }
        let kind = if is_title && number.is_some() {
            state.kind
        } else {
            LabelKind::Section
        };
        let (anchor, title) = (heading.id.clone(), heading.content.clone());
        self.register(&label, kind, number, &anchor, title, state.index);
    }

    /// `1.2` for the second level-2 section of chapter 1, when sections are numbered.
    fn section_number(
        &mut self,
        level: u8,
        unnumbered: bool,
        state: &mut ChapterState,
    ) -> Option<String> {
        let prefix = state.prefix.as_ref()?;
        if !self.settings.sections || unnumbered || !(2..=MAX_TOC_LEVEL).contains(&level) {
            return None;
        }
        let depth = usize::from(level - 1);
        state.sections.resize(depth, 0);
        if let Some(last) = state.sections.last_mut() {
            *last += 1;
        }
        let parts: Vec<String> = state.sections.iter().map(u32::to_string).collect();
        Some(format!("{prefix}.{}", parts.join(".")))
    }

    fn register(
        &mut self,
        label: &str,
        kind: LabelKind,
        number: Option<String>,
        anchor: &str,
        title: Vec<Inline>,
        chapter: usize,
    ) {
        self.targets.entry(label.to_string()).or_insert(Target {
            kind,
            number,
            chapter,
            anchor: anchor.to_string(),
            title,
        });
    }
}

/// An equation's label: `{#eq-x}` after its formula, or `\label{x}` inside it.
struct EquationLabel<'m> {
    name: &'m str,
    span: Option<&'m crate::diag::Span>,
    /// Written inside the formula (`\label`), any name allowed; its id is made from it.
    inside: bool,
}

impl<'m> EquationLabel<'m> {
    fn inside(label: &'m MathLabel) -> Self {
        EquationLabel {
            name: &label.name,
            span: Some(&label.span),
            inside: true,
        }
    }

    fn after(attrs: &'m Attributes) -> Option<Self> {
        Some(EquationLabel {
            name: attrs.id.as_deref()?,
            span: attrs.span.as_ref(),
            inside: false,
        })
    }
}

/// An id made from a `\label`'s name (`eq:Bayes rule` becomes `eq-Bayes-rule`): letters,
/// digits, `-` and `_` kept, every other run of characters one `-`, and `eq-` before a name
/// that does not start with a letter.
fn label_id(name: &str) -> String {
    let mut id = String::new();
    for c in name.chars() {
        if c.is_ascii_alphanumeric() || c == '_' {
            id.push(c);
        } else if !id.ends_with('-') {
            id.push('-');
        }
    }
    let id = id.trim_matches('-');
    if id.starts_with(|c: char| c.is_ascii_alphabetic()) {
        id.to_string()
    } else {
        format!("eq-{id}")
    }
}

/// The anchor a tagged formula without a label gets: `equation-` and the tag's letters and
/// digits (`equation-A-1` for `A.1`).
fn tag_anchor(text: &str) -> String {
    let mut anchor = String::from("equation");
    for word in text.split(|c: char| !c.is_ascii_alphanumeric()) {
        if !word.is_empty() {
            anchor.push('-');
            anchor.push_str(word);
        }
    }
    anchor
}

/// A figure's label attributes: the div's, else the image's.
fn merged_label(div: &Attributes, image: &Attributes) -> Attributes {
    if div.id.is_some() {
        div.clone()
    } else {
        Attributes {
            id: image.id.clone(),
            classes: image.classes.iter().chain(&div.classes).cloned().collect(),
            pairs: Vec::new(),
            span: image.span.clone().or_else(|| div.span.clone()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counters_follow_the_scheme() {
        let mut c = Counter::default();
        assert_eq!(
            c.next(NumberScheme::Chapter, Some("3")).as_deref(),
            Some("3.1")
        );
        assert_eq!(c.next(NumberScheme::Book, Some("3")).as_deref(), Some("2"));
        assert_eq!(c.next(NumberScheme::None, Some("3")), None);
        assert_eq!(c.next(NumberScheme::Chapter, None).as_deref(), Some("4"));
    }

    #[test]
    fn a_tags_anchor_keeps_its_letters_and_digits() {
        assert_eq!(tag_anchor("A.1"), "equation-A-1");
        assert_eq!(tag_anchor("(ii) é*"), "equation-ii");
        assert_eq!(tag_anchor("★"), "equation");
    }
}
