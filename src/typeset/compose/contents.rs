//! The printed contents: one line per chapter and section with dot leaders, page numbers
//! and links, set twice (once to count its pages, once with the real numbers).
//!
//! The contents and the lists are tagged as a `TOC` element of their own: their title a
//! `P`, each entry (its title, dot leaders, page number and link) a `TOCI`.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use super::blocks::stamp_flow;
use super::Composer;
use crate::toc::{CaptionEntry, CaptionList};
use crate::typeset::layout::{AnchorItem, GlyphRun, Item, LinkDest, LinkItem, Page, PageKind};
use crate::typeset::page::{build_pages, Flow, FlowLine};
use crate::typeset::paragraph::{set_paragraph, Alignment, ParagraphSpec, Pieces, TextStyle};
use crate::typeset::structure::{Role, Structure};
use crate::units::Pt;

impl<'a, 'f> Composer<'a, 'f> {
    /// The contents: one line per chapter and section, dot leaders, page numbers, links.
    pub(super) fn toc_pages(&mut self, chapters: &[usize], numbers: &PageNumbers) -> ContentsPages {
        let toc = crate::toc::anchored_at_starts(self.book, crate::toc::build_toc(self.book));
        let mut flow = Vec::new();
        let mut structure = Structure::new(Role::Toc);
        let design = &self.design().contents;
        self.contents_title(self.terms.contents, TOC_ANCHOR, &mut flow);
        mark_since(&mut structure, Role::P, &mut flow, 0);
        let total_entries: usize = toc.iter().map(|e| 1 + e.children.len()).sum();
        let listed: BTreeSet<usize> = chapters.iter().copied().collect();
        let mut entries = Vec::new();
        for entry in toc.iter().filter(|e| listed.contains(&e.chapter)) {
            entries.push(TocLine {
                title: &entry.title,
                anchor: entry.anchor.as_deref(),
                number: numbers.of(entry.anchor.as_deref()),
                indent: Pt::ZERO,
                small: false,
            });
            // A contents of thousands of lines helps nobody (and costs memory): beyond
            // `max_lines` entries only chapters are listed; the outline keeps all.
            let children: &[crate::toc::TocEntry] = if total_entries > design.max_lines {
                &[]
            } else {
                &entry.children
            };
            for child in children {
                entries.push(TocLine {
                    title: &child.title,
                    anchor: child.anchor.as_deref(),
                    number: numbers.of(child.anchor.as_deref()),
                    indent: design.section_indent.at(self.profile.font_size),
                    small: true,
                });
            }
        }
        self.push_entries(&entries, &mut flow, &mut structure);
        self.contents_pages(flow, structure)
    }

    /// The list of figures or of tables: one line per numbered caption, with dot leaders,
    /// page numbers and links, like the contents. No pages when the list is empty.
    pub(super) fn caption_list_pages(
        &mut self,
        list: CaptionList,
        chapters: &[usize],
        numbers: &PageNumbers,
    ) -> ContentsPages {
        let listed: BTreeSet<usize> = chapters.iter().copied().collect();
        let entries: Vec<CaptionEntry> = crate::toc::caption_list(self.book, list)
            .into_iter()
            .filter(|e| listed.contains(&e.chapter))
            .collect();
        if entries.is_empty() {
            return ContentsPages::default();
        }
        let (title, anchor) = match list {
            CaptionList::Figures => (self.terms.list_of_figures, LOF_ANCHOR),
            CaptionList::Tables => (self.terms.list_of_tables, LOT_ANCHOR),
        };
        let mut flow = Vec::new();
        let mut structure = Structure::new(Role::Toc);
        self.contents_title(title, anchor, &mut flow);
        mark_since(&mut structure, Role::P, &mut flow, 0);
        let texts: Vec<String> = entries
            .iter()
            .map(|entry| format!("{} {}", entry.number, entry.caption))
            .collect();
        let lines: Vec<TocLine> = entries
            .iter()
            .zip(&texts)
            .map(|(entry, text)| TocLine {
                title: text,
                anchor: Some(&entry.anchor),
                number: numbers.of(Some(&entry.anchor)),
                indent: Pt::ZERO,
                small: false,
            })
            .collect();
        self.push_entries(&lines, &mut flow, &mut structure);
        self.contents_pages(flow, structure)
    }

    /// The centred title of the contents or of a list, with its anchor.
    pub(super) fn contents_title(&mut self, title: &str, anchor: &str, flow: &mut Vec<Flow>) {
        let design = &self.design().contents;
        let title_style = TextStyle::serif(design.title_size.at(self.profile.font_size).to_f32());
        let width = self.profile.text_width();
        let pieces = Pieces::one(title.to_string(), &title_style);
        let start = flow.len();
        self.paragraph(
            &pieces,
            Pt::ZERO,
            width,
            Pt::ZERO,
            Alignment::Centered,
            self.profile.leading * design.title_leading,
            flow,
        );
        if let Some(Flow::Line(first)) = flow.get_mut(start) {
            first.items.push(Item::Anchor(Box::new(AnchorItem {
                id: anchor.to_string(),
                y: Pt::ZERO,
            })));
            first.items.push(toc_marker());
        }
        flow.push(Flow::Space(self.profile.leading * design.space_after_title));
    }

    /// The pages of the contents or a list, each marked so that it gets a folio, with the
    /// marks of their lines (which name `structure`'s nodes).
    fn contents_pages(&mut self, flow: Vec<Flow>, structure: Structure) -> ContentsPages {
        let pages = build_pages(flow, Vec::new(), &self.spec(Pt::ZERO, false));
        let pages = pages
            .into_iter()
            .enumerate()
            .map(|(n, content)| {
                let (items, marks) = self.place_marked(content, n, 0);
                Page {
                    marks,
                    ..front_page(items)
                }
            })
            .collect();
        ContentsPages { pages, structure }
    }

    /// The lines of `entries` added to `flow`, each entry a `TOCI` of `structure`. The
    /// entries are set on all cores: a contents of 100,000 chapters is set twice (with
    /// placeholder numbers to count its pages, then with the real ones).
    fn push_entries(
        &mut self,
        entries: &[TocLine<'_>],
        flow: &mut Vec<Flow>,
        structure: &mut Structure,
    ) {
        let set = self.map_forked(entries, |composer, entry| composer.toc_entry(entry));
        for lines in set {
            let start = flow.len();
            flow.extend(lines.into_iter().map(Flow::Line));
            mark_since(structure, Role::Toci, flow, start);
        }
    }

    /// The lines of one entry of the contents or of a list: its title, dot leaders, page
    /// number and link.
    fn toc_entry(&mut self, entry: &TocLine<'_>) -> Vec<FlowLine> {
        let TocLine {
            title,
            anchor,
            ref number,
            indent,
            small,
        } = *entry;
        let design = &self.design().contents;
        let size = if small {
            design.section_size.at(self.profile.font_size)
        } else {
            self.profile.font_size
        }
        .to_f32();
        let style = TextStyle {
            link: anchor.map(|id| LinkDest::Anchor(Arc::from(id))),
            ..TextStyle::serif(size)
        };
        let width = self.profile.text_width();
        let number_run = self.ctx.shape(number, &TextStyle::serif(size));
        let number_width = Pt::from_f32(number_run.width());
        // The title's measure leaves room for at least the placeholder the counting pass
        // sets, so that both passes break a long title into the same lines (and the contents
        // keep their page count) while numbers have three digits.
        let placeholder = self
            .ctx
            .shape(PageNumbers::PLACEHOLDER, &TextStyle::serif(size));
        let reserve = number_width.max(Pt::from_f32(placeholder.width()));
        let spec = ParagraphSpec {
            width: width - indent - reserve - design.number_room.at(Pt::from_f32(size)),
            first_indent: Pt::ZERO,
            rest_indent: design.turnover_indent.at(Pt::from_f32(size)),
            leading: self.profile.leading,
            alignment: Alignment::Ragged,
        };
        let mut lines = set_paragraph(&Pieces::one(title, &style), &spec, &mut self.ctx);
        if let Some(last) = lines.last_mut() {
            let end = last
                .items
                .iter()
                .filter_map(|i| match i {
                    Item::Glyphs(g) => Some(g.x + g.width()),
                    _ => None,
                })
                .fold(Pt::ZERO, Pt::max);
            let baseline = self.profile.leading * self.design().text.baseline;
            if !number.is_empty() {
                let dots = self.ctx.shape(design.leader, &TextStyle::serif(size));
                let dot_width = Pt::from_f32(dots.width()).max(MIN_DOT_WIDTH);
                let start = indent + end + design.leader_gap.at(Pt::from_f32(size));
                let stop = width - number_width - design.leader_gap.at(Pt::from_f32(size));
                let count = ((stop - start) / dot_width).floor().max(0.0) as usize;
                if count > 0 {
                    let leader = self
                        .ctx
                        .shape(&design.leader.repeat(count), &TextStyle::serif(size));
                    let x = stop - Pt::from_f32(leader.width());
                    last.items.push(Item::Glyphs(GlyphRun {
                        x: x - indent,
                        y: baseline,
                        run: leader,
                    }));
                }
                last.items.push(Item::Glyphs(GlyphRun {
                    x: width - number_width - indent,
                    y: baseline,
                    run: number_run,
                }));
            }
            if let Some(target) = style.link.clone() {
                last.items.push(Item::Link(Box::new(LinkItem {
                    x: Pt::ZERO,
                    y: Pt::ZERO,
                    width: width - indent,
                    height: self.profile.leading,
                    target,
                })));
            }
        }
        let n = lines.len();
        for (i, line) in lines.iter_mut().enumerate() {
            line.break_after = i + 1 == n;
            line.items
                .iter_mut()
                .for_each(|i| i.translate(indent, Pt::ZERO));
        }
        lines
    }
}

/// One entry of the contents or of a list, to be set.
struct TocLine<'t> {
    /// The heading's or the caption's text.
    title: &'t str,
    /// Where the entry links to.
    anchor: Option<&'t str>,
    /// The page number shown (a placeholder in the counting pass).
    number: String,
    /// How far the entry is indented (sections under their chapter).
    indent: Pt,
    /// Set in the smaller size of sections.
    small: bool,
}

/// The pages of the contents or of a list with their own structure (root `TOC`, a `P` for
/// the title and a `TOCI` per entry), which the page assembly grafts under the book's: the
/// contents are set before it knows where their nodes go.
#[derive(Default)]
pub(super) struct ContentsPages {
    /// The pages, their marks naming `structure`'s nodes.
    pub pages: Vec<Page>,
    /// The elements of the contents or the list.
    pub structure: Structure,
}

/// Marks the lines of `flow` from `start` on as one new element with `role`, under the
/// root of `structure` (a contents' title, one entry).
fn mark_since(structure: &mut Structure, role: Role, flow: &mut [Flow], start: usize) {
    let node = structure.add(role, None);
    if let Some(lines) = flow.get_mut(start..) {
        stamp_flow(lines, Some(node));
    }
}

/// The narrowest step the dot leaders are counted in (a font without a visible dot).
const MIN_DOT_WIDTH: Pt = Pt::new(1.0);

/// Page numbers for the contents: placeholders while counting its pages, then the labels.
pub(super) enum PageNumbers {
    /// Three-digit stand-ins, as wide as most real numbers.
    Placeholder,
    /// Anchor id → page label.
    Known(BTreeMap<String, String>),
}

/// The stand-in for a page number not known yet (as wide as most).
pub(super) const PAGE_NUMBER_STAND_IN: &str = "000";

impl PageNumbers {
    /// The stand-in for every page number while the contents' pages are counted.
    const PLACEHOLDER: &'static str = PAGE_NUMBER_STAND_IN;

    /// The label of the page `anchor` is on (a stand-in while counting; empty when unknown).
    pub(super) fn of(&self, anchor: Option<&str>) -> String {
        match (self, anchor) {
            (PageNumbers::Placeholder, _) => PageNumbers::PLACEHOLDER.to_string(),
            (PageNumbers::Known(map), Some(id)) => map.get(id).cloned().unwrap_or_default(),
            (PageNumbers::Known(_), None) => String::new(),
        }
    }
}

/// The anchor the contents page carries (outline and landmarks point at it).
pub(super) const TOC_ANCHOR: &str = "octavo-contents";
/// The anchor of the list of figures.
const LOF_ANCHOR: &str = "octavo-list-of-figures";
/// The anchor of the list of tables.
const LOT_ANCHOR: &str = "octavo-list-of-tables";

/// A page of the contents, a list or the index: front matter, marked so that it gets a folio.
pub(super) fn front_page(mut items: Vec<Item>) -> Page {
    items.push(toc_marker());
    Page {
        items,
        label: None,
        kind: PageKind::Front,
        marks: Vec::new(),
    }
}

/// The mark of a page that gets a folio but no running head (the contents, the lists,
/// the index).
fn toc_marker() -> Item {
    Item::Anchor(Box::new(AnchorItem {
        id: "octavo-toc-page".to_string(),
        y: Pt::ZERO,
    }))
}

pub(super) fn is_toc_marker(item: &Item) -> bool {
    matches!(item, Item::Anchor(anchor) if anchor.id == "octavo-toc-page")
}

#[cfg(test)]
mod tests {
    use super::super::test_books::{all, book_of_files, child_roles, children, structure_of};
    use crate::typeset::structure::Role;

    #[test]
    fn each_contents_entry_is_a_toci_under_the_toc() {
        let chapter = "# One\n\nText.\n\n## Section\n\nMore.\n";
        let book = book_of_files("title = \"T\"\n", &[("01.md", chapter)]);
        let structure = structure_of(&book);
        let tocs = all(&structure, Role::Toc);
        assert_eq!(tocs.len(), 1);
        let toc = tocs[0];
        assert_eq!(structure.nodes[toc as usize].parent, Some(0));
        assert_eq!(
            child_roles(&structure, toc),
            [Role::P, Role::Toci, Role::Toci]
        );
        for entry in children(&structure, toc) {
            assert!(children(&structure, entry).is_empty());
        }
    }

    #[test]
    fn a_list_of_tables_is_a_toc_of_its_own() {
        let toml = "title = \"T\"\n[front-matter]\nlist-of-tables = true\n";
        let chapter = "# One\n\n| A | B |\n|---|---|\n| 1 | 2 |\n\n: Numbers {#tbl-n}\n";
        let book = book_of_files(toml, &[("01.md", chapter)]);
        let structure = structure_of(&book);
        let tocs = all(&structure, Role::Toc);
        assert_eq!(tocs.len(), 2, "the contents and the list");
        assert_eq!(child_roles(&structure, tocs[1]), [Role::P, Role::Toci]);
    }
}
