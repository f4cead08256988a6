//! Tables: sized from their content as HTML's automatic table layout sizes them
//! ([`super::table_widths`] chooses the size and the widths), set ragged (or as the
//! Markdown's alignment row asks), hyphenated only in a column narrower than its longest
//! word, and never wider than the measure: a table too wide is first set smaller, then
//! wrapped, then its longest words are broken (with a warning), and one with more columns
//! than can stand side by side is set in groups of columns. Rules run the table's width; the
//! header row is repeated at the top of each page a table runs over.

use std::ops::Range;
use std::sync::Arc;

use super::table_widths::{distribute, sizes, Constraints, Setting};
use super::Composer;
use crate::diag::{code, Diagnostic, Span};
use crate::doc::{Align, Chapter, Inline, Table};
use crate::typeset::layout::{Item, RuleItem};
use crate::typeset::page::{Flow, FlowLine};
use crate::typeset::paragraph::{
    content_widths, forget_words, hyphenated_min_width, set_paragraph_narrow, Alignment,
    ContentWidths, ParagraphSpec, Pieces, TextStyle,
};
use crate::typeset::structure::{LineMark, Role};
use crate::typeset::style::TablePlacement;
use crate::units::Pt;

/// How many header cells name a table in a warning.
const NAMING_CELLS: usize = 3;

/// How many characters of a header cell name a table in a warning.
const NAMING_CHARS: usize = 24;

impl<'a, 'f> Composer<'a, 'f> {
    /// A table at `x` in a measure of `width`: measured, sized, and set row by row (in as
    /// many groups of columns as it needs).
    pub(super) fn table(
        &mut self,
        chapter: &Chapter,
        table: &Table,
        x: Pt,
        width: Pt,
        flow: &mut Vec<Flow>,
    ) {
        // The caption is open while its text is set: a span or a formula in it is its child.
        let caption = self.structure.open(Role::Caption, None);
        let (mut caption_above, mut caption_below) = self.table_caption(chapter, table, x, width);
        self.structure.close();
        super::blocks::stamp_flow(&mut caption_above, Some(caption));
        super::blocks::stamp_flow(&mut caption_below, Some(caption));
        flow.extend(caption_above);
        let columns = column_count(table);
        let constraints = self.table_constraints(width);
        let base = constraints.sizes.first().copied().unwrap_or(1.0);
        let measured = self.measure_columns(chapter, table, columns, base);
        let setting = constraints.choose(&measured);
        let mut measured = if setting.size.to_bits() == base.to_bits() {
            measured
        } else {
            self.remeasure_columns(chapter, table, columns, base, setting.size)
        };
        if words_must_break(&setting, &measured, width) {
            self.measure_hyphenated(chapter, table, setting.size, &mut measured);
        }
        let mut broken_columns = 0;
        // A table set whole has one header and one body; one set in groups of columns
        // repeats its rows per group, which THead and TBody cannot say, so its rows stay
        // directly under the table.
        let sections = setting.groups.len() == 1;
        for group in &setting.groups {
            let layout = self.group_layout(&setting, &measured, group.clone(), x, width);
            broken_columns += layout.hyphenate.iter().filter(|&&h| h).count();
            self.table_group(chapter, table, &layout, sections, flow);
        }
        self.warn_table(table, &setting, columns, broken_columns);
        if !caption_below.is_empty() {
            super::figures::keep_with_caption(flow);
            flow.extend(caption_below);
        }
    }

    /// What the design and the measure allow a table.
    fn table_constraints(&self, width: Pt) -> Constraints {
        let design = &self.design().table;
        let body = self.profile.font_size;
        let base = design.size.at(body).to_f32();
        let floor = design.min_size.at(body).to_f32().min(base);
        Constraints {
            width,
            sizes: sizes(base, floor, design.shrink_step),
            gutter: design.gutter,
            squeezed_gutter: design.squeezed_gutter,
            min_column: design.min_column,
            comfortable: design.comfortable_column,
            narrow: width * design.narrow_column,
        }
    }

    /// Each column's content widths at `size`, header cells in the header's face.
    fn measure_columns(
        &mut self,
        chapter: &Chapter,
        table: &Table,
        columns: usize,
        size: f32,
    ) -> Vec<ContentWidths> {
        let mut widths = vec![ContentWidths::default(); columns];
        for (row, header) in rows(table) {
            self.measure_row(chapter, row, header, size, &mut widths);
        }
        widths
    }

    /// Each column's content widths at `size`, for a table measured at `measured_at` first:
    /// row by row, the words of a row are shaped at `size` while the cache still holds them
    /// at `measured_at` (so the cache derives them by scaling, without shaping them again),
    /// and then dropped at `measured_at`, so that a table of a million cells is neither
    /// shaped twice nor held at two sizes.
    fn remeasure_columns(
        &mut self,
        chapter: &Chapter,
        table: &Table,
        columns: usize,
        measured_at: f32,
        size: f32,
    ) -> Vec<ContentWidths> {
        let mut widths = vec![ContentWidths::default(); columns];
        for (row, header) in rows(table) {
            self.measure_row(chapter, row, header, size, &mut widths);
            self.forget_row(chapter, row, header, measured_at);
        }
        widths
    }

    /// A cell's pieces made only to measure or forget its words: the elements its spans and
    /// formulas open in the structure are dropped again (the cell is set later, and its
    /// elements are added then, under its own `TD`).
    fn measured_pieces<'i>(
        &mut self,
        chapter: &Chapter,
        cell: &'i [Inline],
        style: &TextStyle,
    ) -> Pieces<'i> {
        let nodes = self.structure.nodes.len();
        let mut pieces = Pieces::new();
        self.pieces(chapter, cell, style, &mut pieces);
        self.structure.nodes.truncate(nodes);
        pieces
    }

    /// Widen `widths` to the content widths of `row`'s cells at `size`.
    fn measure_row(
        &mut self,
        chapter: &Chapter,
        row: &[Vec<Inline>],
        header: bool,
        size: f32,
        widths: &mut [ContentWidths],
    ) {
        let style = self.cell_style(size, header);
        for (column, cell) in widths.iter_mut().zip(row) {
            let pieces = self.measured_pieces(chapter, cell, &style);
            let cell = content_widths(&pieces, &mut self.ctx);
            column.min = column.min.max(cell.min);
            column.max = column.max.max(cell.max);
            column.hyphenated = column.hyphenated.max(cell.hyphenated);
        }
    }

    /// Each column's narrowest width at `size` when its words may be hyphenated.
    fn measure_hyphenated(
        &mut self,
        chapter: &Chapter,
        table: &Table,
        size: f32,
        columns: &mut [ContentWidths],
    ) {
        for column in columns.iter_mut() {
            column.hyphenated = Pt::ZERO;
        }
        for (row, header) in rows(table) {
            let style = self.cell_style(size, header);
            for (column, cell) in columns.iter_mut().zip(row) {
                let pieces = self.measured_pieces(chapter, cell, &style);
                let width = hyphenated_min_width(&pieces, &mut self.ctx);
                column.hyphenated = column.hyphenated.max(width);
            }
        }
    }

    /// Drop the words of `row`'s cells, shaped at `size` only to measure them, from the
    /// shaping cache.
    fn forget_row(&mut self, chapter: &Chapter, row: &[Vec<Inline>], header: bool, size: f32) {
        let style = self.cell_style(size, header);
        for cell in row {
            let pieces = self.measured_pieces(chapter, cell, &style);
            forget_words(&pieces, &mut self.ctx);
        }
    }

    /// The style of a cell's text at `size`.
    fn cell_style(&self, size: f32, header: bool) -> TextStyle {
        let style = TextStyle::serif(size);
        if header {
            style.with_style(self.design().table.head_face)
        } else {
            style
        }
    }

    /// Where the columns of `group` go, and which of them hyphenate.
    fn group_layout(
        &self,
        setting: &Setting,
        measured: &[ContentWidths],
        group: Range<usize>,
        x: Pt,
        width: Pt,
    ) -> TableLayout {
        let design = &self.design().table;
        let extents = measured.get(group.clone()).unwrap_or_default();
        let gutters = setting.gutter * group.len().saturating_sub(1) as f64;
        let widths = distribute(extents, width - gutters, width * design.narrow_column);
        let hyphenate = widths
            .iter()
            .zip(extents)
            .map(|(w, c)| *w < c.min)
            .collect();
        let table_width = widths.iter().copied().sum::<Pt>() + gutters;
        let left = match design.placement {
            TablePlacement::FlushLeft => x,
            TablePlacement::Centred => x + ((width - table_width) / 2.0).max(Pt::ZERO),
        };
        TableLayout {
            size: setting.size,
            gutter: setting.gutter,
            columns: group,
            widths,
            hyphenate,
            x: left,
            width: table_width,
        }
    }

    /// The header row and the body rows of one group of columns, each a line of the flow:
    /// a page may break between rows (not after the first or before the last), and the
    /// header is set again at the top of each page the table continues on. With
    /// `sections`, the header row is a THead element and the body rows a TBody.
    fn table_group(
        &mut self,
        chapter: &Chapter,
        table: &Table,
        layout: &TableLayout,
        sections: bool,
        flow: &mut Vec<Flow>,
    ) {
        let design = &self.design().table;
        let base = design.size.at(self.profile.font_size).to_f32();
        let leading = self.profile.leading * design.leading * f64::from(layout.size / base);
        let space = self.profile.leading * design.space;
        flow.push(Flow::Space(space));
        let header = (!table.head.is_empty()).then(|| {
            self.open_section(sections, Role::THead);
            let header = self.table_row(chapter, &table.head, table, layout, leading, true);
            self.close_section(sections);
            let mut header_line = header.clone();
            header_line.break_after = false;
            flow.push(Flow::Line(header_line));
            Arc::new(header)
        });
        let rows = &table.rows;
        let body = sections && !rows.is_empty();
        self.open_section(body, Role::TBody);
        for (n, row) in rows.iter().enumerate() {
            let mut line = self.table_row(chapter, row, table, layout, leading, false);
            line.repeat = header.clone();
            let last = n + 1 == rows.len();
            line.break_after = last || (n >= 1 && rows.len() - n > 2);
            flow.push(Flow::Line(line));
        }
        self.close_section(body);
        flow.push(Flow::Space(space));
    }

    /// Opens a THead or TBody element (`role`) when the table has `sections`.
    fn open_section(&mut self, sections: bool, role: Role) {
        if sections {
            self.structure.open(role, None);
        }
    }

    /// Closes what [`Self::open_section`] opened.
    fn close_section(&mut self, sections: bool) {
        if sections {
            self.structure.close();
        }
    }

    /// One row of a group: each cell set in its column, the rule under it across the table.
    fn table_row(
        &mut self,
        chapter: &Chapter,
        row: &[Vec<Inline>],
        table: &Table,
        layout: &TableLayout,
        leading: Pt,
        header: bool,
    ) -> FlowLine {
        let design = &self.design().table;
        let style = self.cell_style(layout.size, header);
        let padding = leading * design.cell_padding;
        let mut line = FlowLine {
            height: Pt::ZERO,
            break_after: true,
            ..FlowLine::default()
        };
        let mut cell_x = layout.x;
        self.structure.open(Role::TR, None);
        for (i, &width) in layout.widths.iter().enumerate() {
            let column = layout.columns.start + i;
            let cell = self
                .structure
                .open(if header { Role::TH } else { Role::TD }, None);
            let first = u32::try_from(line.items.len()).unwrap_or(u32::MAX);
            line.marks.push(LineMark {
                first,
                node: Some(cell),
            });
            let mut pieces = Pieces::new();
            if let Some(cell) = row.get(column) {
                self.pieces(chapter, cell, &style, &mut pieces);
            }
            let mut y = padding;
            if !pieces.is_empty() {
                let alignment = cell_alignment(table.aligns.get(column));
                let spec = ParagraphSpec::plain(width, leading, alignment);
                let rag = width * design.rag;
                let lines = if layout.hyphenate.get(i).copied().unwrap_or(false) {
                    set_paragraph_narrow(&pieces, &spec, rag, &mut self.ctx)
                } else {
                    self.ctx
                        .without_hyphenation(|ctx| set_paragraph_narrow(&pieces, &spec, rag, ctx))
                };
                for set in lines {
                    let height = set.height;
                    line.append(set, cell_x, y);
                    y += height;
                }
            }
            self.structure.close();
            line.height = line.height.max(y + padding);
            cell_x += width + layout.gutter;
        }
        self.structure.close();
        let first = u32::try_from(line.items.len()).unwrap_or(u32::MAX);
        line.marks.push(LineMark { first, node: None });
        line.items.push(Item::Rule(Box::new(RuleItem {
            x: layout.x,
            y: line.height,
            width: layout.width,
            thickness: if header {
                design.head_rule
            } else {
                design.row_rule
            },
        })));
        line
    }

    /// Warn when a table could not be set whole: words broken inside its cells at the
    /// smallest size, or its columns set in groups.
    fn warn_table(&mut self, table: &Table, setting: &Setting, columns: usize, broken: usize) {
        let name = table_name(table);
        let at = table.span.range.start;
        let span = Span::new(
            table.span.file,
            at..(at + 1).min(table.span.range.end.max(at)),
        );
        if setting.groups.len() > 1 {
            let warning = Diagnostic::warning(
                code::TABLE_IN_GROUPS,
                format!(
                    "{name} has {columns} columns, more than fit side by side: the PDF sets it in {} groups of columns, one after the other",
                    setting.groups.len()
                ),
            );
            self.warnings.push(warning.at(span.clone()).with_hint(
                "split it into narrower tables, or turn it around so that its columns become rows",
            ));
        }
        if broken > 0 {
            let warning = Diagnostic::warning(
                code::TABLE_WORDS_BROKEN,
                format!(
                    "{name} is too wide for the page even at {:.1} pt, its smallest size: the PDF breaks words in {broken} of its columns",
                    setting.size
                ),
            );
            self.warnings.push(warning.at(span).with_hint(
                "shorten the longest words (abbreviate headings, move long addresses into notes) or split the table",
            ));
        }
    }
}

/// How a group of a table's columns is set.
struct TableLayout {
    /// Type size.
    size: f32,
    /// Space between two columns.
    gutter: Pt,
    /// The table's columns in the group.
    columns: Range<usize>,
    /// Width of each column's text.
    widths: Vec<Pt>,
    /// Whether each column hyphenates (its longest word is wider than it).
    hyphenate: Vec<bool>,
    /// Left edge of the first column.
    x: Pt,
    /// From the first column's left edge to the last one's right edge.
    width: Pt,
}

/// The number of columns: the alignment row's, or more when a row (of an HTML table) has
/// more cells.
fn column_count(table: &Table) -> usize {
    let longest_row = table.rows.iter().map(Vec::len).max().unwrap_or(0);
    table.aligns.len().max(table.head.len()).max(longest_row)
}

/// Whether some group of the table's columns is narrower than its longest words.
fn words_must_break(setting: &Setting, measured: &[ContentWidths], width: Pt) -> bool {
    setting.groups.iter().any(|group| {
        let narrowest: Pt = measured
            .get(group.clone())
            .unwrap_or_default()
            .iter()
            .map(|c| c.min)
            .sum();
        narrowest + setting.gutter * group.len().saturating_sub(1) as f64 > width
    })
}

/// The header row (true) and the body rows, in order.
fn rows(table: &Table) -> impl Iterator<Item = (&[Vec<Inline>], bool)> {
    let head = (!table.head.is_empty()).then_some((table.head.as_slice(), true));
    head.into_iter()
        .chain(table.rows.iter().map(|row| (row.as_slice(), false)))
}

/// A column's alignment from the Markdown alignment row: ragged right unless it asks for
/// centred or flush-right text (a cell is never justified: its word spaces stay even).
fn cell_alignment(align: Option<&Align>) -> Alignment {
    match align {
        Some(Align::Right) => Alignment::FlushRight,
        Some(Align::Center) => Alignment::Centered,
        Some(Align::Left | Align::None) | None => Alignment::Ragged,
    }
}

/// A table named in a warning by its first header cells ("the table “Element, Symbol, …”").
fn table_name(table: &Table) -> String {
    let cells: Vec<String> = table
        .head
        .iter()
        .map(|cell| crate::doc::plain_text(cell).trim().to_string())
        .filter(|text| !text.is_empty())
        .collect();
    if cells.is_empty() {
        return "a table without a header".to_string();
    }
    let mut shown: Vec<String> = cells
        .iter()
        .take(NAMING_CELLS)
        .map(|cell| shorten(cell, NAMING_CHARS))
        .collect();
    if cells.len() > NAMING_CELLS {
        shown.push("…".to_string());
    }
    format!("the table “{}”", shown.join(", "))
}

/// `text` cut to `chars` characters, with an ellipsis when cut.
fn shorten(text: &str, chars: usize) -> String {
    match text.char_indices().nth(chars) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::doc::Block;
    use crate::fonts::FontSet;
    use crate::typeset::compose::test_books::{
        all, book_of_files, child_roles, composition_of, structure_of,
    };
    use crate::typeset::paragraph::TextContext;
    use crate::typeset::profile::Profile;
    use crate::typeset::shape::{ShapeCache, ShapeOptions};
    use crate::typeset::structure::{NodeId, Structure};

    /// A book of one chapter whose text is `markdown`, loaded, parsed and resolved.
    fn book_of(markdown: &str) -> crate::doc::Book {
        book_of_files("title = \"T\"\n", &[("01.md", markdown)])
    }

    /// A table too wide at its size is measured again smaller: its cells' words are then
    /// derived from the runs shaped to measure them (scaled, not shaped again), and those
    /// runs are dropped once used, so the cache holds the words at one size.
    #[test]
    fn a_shrunk_table_is_measured_again_without_shaping_again() {
        let head = (0..9).map(|c| format!("Heading{c}")).collect::<Vec<_>>();
        let mut markdown = format!("| {} |\n|{}\n", head.join(" | "), "---|".repeat(9));
        for row in 0..20 {
            let cells: Vec<String> = (0..9).map(|c| format!("Word{row}x{c}")).collect();
            markdown.push_str(&format!("| {} |\n", cells.join(" | ")));
        }
        let book = book_of(&markdown);
        let chapter = &book.chapters[0];
        let table = chapter
            .blocks
            .iter()
            .find_map(|b| match b {
                Block::Table(table) => Some(table),
                _ => None,
            })
            .expect("a table");
        let profile = Profile::builtin("print");
        let fonts = FontSet::builtin().unwrap();
        let ctx = TextContext {
            fonts: &fonts,
            design: &profile.design,
            cache: ShapeCache::new(),
            hyphenator: None,
            options: ShapeOptions::default(),
            right_to_left: false,
            missing: Vec::new(),
        };
        let mut composer = Composer::new(&book, &profile, ctx);
        let width = profile.text_width();
        let constraints = composer.table_constraints(width);
        let base = constraints.sizes[0];
        let columns = column_count(table);
        let measured = composer.measure_columns(chapter, table, columns, base);
        let size = constraints.choose(&measured).size;
        assert!(
            size < base,
            "the test table must be set smaller than measured"
        );
        let words = composer.ctx.cache.misses();
        composer.remeasure_columns(chapter, table, columns, base, size);
        let cache = &composer.ctx.cache;
        assert_eq!(
            cache.misses() - words,
            words,
            "each word again at the new size"
        );
        assert_eq!(
            cache.rescales(),
            words,
            "every word scaled, none shaped again"
        );
        assert_eq!(cache.len() as u64, words, "the words at one size only");
    }

    #[test]
    fn a_span_and_a_formula_in_a_cell_or_the_caption_are_their_children() {
        let markdown = "| Word | Formula |\n|---|---|\n| [bonjour]{lang=fr} | $a+b$ |\n\n\
                        : A [hallo]{lang=de} caption with $y$ {#tbl-one}\n";
        let composition = composition_of(&book_of(markdown));
        let structure = &composition.structure;
        let caption = first(structure, Role::Caption);
        assert_eq!(child_roles(structure, caption), [Role::Span, Role::Formula]);
        let cells = all(structure, Role::TD);
        assert_eq!(child_roles(structure, cells[0]), [Role::Span]);
        assert_eq!(child_roles(structure, cells[1]), [Role::Formula]);
        // The items of each are marked as its own on the page.
        let marked: Vec<NodeId> = composition
            .pages
            .iter()
            .flat_map(|page| page.marks.iter().filter_map(|mark| mark.node))
            .collect();
        for role in [Role::Span, Role::Formula] {
            for node in all(structure, role) {
                assert!(marked.contains(&node), "{role:?} {node} has no items");
            }
        }
    }

    #[test]
    fn cells_are_never_justified() {
        assert_eq!(cell_alignment(None), Alignment::Ragged);
        assert_eq!(cell_alignment(Some(&Align::None)), Alignment::Ragged);
        assert_eq!(cell_alignment(Some(&Align::Right)), Alignment::FlushRight);
        assert_eq!(cell_alignment(Some(&Align::Center)), Alignment::Centered);
    }

    #[test]
    fn long_headings_are_shortened_in_a_table_name() {
        assert_eq!(shorten("Electronegativity", 8), "Electron…");
        assert_eq!(shorten("Mass", 8), "Mass");
    }

    /// The first node with `role`.
    fn first(structure: &Structure, role: Role) -> NodeId {
        all(structure, role)[0]
    }

    #[test]
    fn a_table_set_whole_has_a_head_and_a_body() {
        let structure = structure_of(&book_of("| A | B |\n|---|---|\n| 1 | 2 |\n| 3 | 4 |\n"));
        let table = first(&structure, Role::Table);
        assert_eq!(
            child_roles(&structure, table),
            [Role::Caption, Role::THead, Role::TBody]
        );
        let head = first(&structure, Role::THead);
        let body = first(&structure, Role::TBody);
        assert_eq!(child_roles(&structure, head), [Role::TR]);
        assert_eq!(child_roles(&structure, body), [Role::TR, Role::TR]);
        let header_row = first(&structure, Role::TR);
        assert_eq!(child_roles(&structure, header_row), [Role::TH, Role::TH]);
    }

    #[test]
    fn a_table_set_in_groups_of_columns_keeps_its_rows_under_the_table() {
        let head = (0..14).map(|c| format!("Heading{c}")).collect::<Vec<_>>();
        let mut markdown = format!("| {} |\n|{}\n", head.join(" | "), "---|".repeat(14));
        let cells: Vec<String> = (0..14).map(|c| format!("Longerword{c}")).collect();
        markdown.push_str(&format!("| {} |\n", cells.join(" | ")));
        let structure = structure_of(&book_of(&markdown));
        let table = first(&structure, Role::Table);
        let mut rows = child_roles(&structure, table);
        rows.retain(|role| *role != Role::Caption);
        assert!(rows.len() >= 4, "two groups or more: {rows:?}");
        assert!(rows.iter().all(|role| *role == Role::TR), "{rows:?}");
    }
}
