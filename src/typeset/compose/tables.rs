//! Tables: column widths from their content, as a browser's automatic layout finds them,
//! smaller type when the columns do not fit side by side, groups of columns when even that
//! is not enough, and a header repeated at the top of each page a table runs over.

use std::sync::Arc;

use super::Composer;
use crate::doc::{Align, Chapter, Inline, Table};
use crate::typeset::layout::{moved, Item, RuleItem};
use crate::typeset::page::{Flow, FlowLine};
use crate::typeset::paragraph::{set_paragraph, Alignment, ParagraphSpec, Pieces, TextStyle};
use crate::units::Pt;

impl<'a, 'f> Composer<'a, 'f> {
    /// A table, in as many column groups as the page needs: each group is set as a table of
    /// its own, one after the other, so that no cell's text falls off the page.
    pub(super) fn table(
        &mut self,
        chapter: &Chapter,
        table: &Table,
        x: Pt,
        width: Pt,
        flow: &mut Vec<Flow>,
    ) {
        let (caption_above, caption_below) = self.table_caption(chapter, table, x, width);
        flow.extend(caption_above);
        let design = &self.design().table;
        let columns = table.aligns.len().max(table.head.len()).max(1);
        let floor = self
            .profile
            .table_min_font_size
            .min(design.size.at(self.profile.font_size));
        let narrowest = design.min_column.at(floor);
        let per_group = ((width / narrowest).floor() as usize).max(1);
        let groups = columns.div_ceil(per_group);
        // Groups of equal size, so the last is not left with a column or two.
        let size = columns.div_ceil(groups);
        for first in (0..columns).step_by(size) {
            let group = TableGroup {
                table,
                columns: first..(first + size).min(columns),
            };
            self.table_group(chapter, &group, x, width, flow);
        }
        if !caption_below.is_empty() {
            super::figures::keep_with_caption(flow);
            flow.extend(caption_below);
        }
    }

    fn table_group(
        &mut self,
        chapter: &Chapter,
        group: &TableGroup<'_>,
        x: Pt,
        width: Pt,
        flow: &mut Vec<Flow>,
    ) {
        let design = &self.design().table;
        let layout = self.table_layout(group, width);
        let leading = self.profile.leading * design.leading * layout.scale;
        flow.push(Flow::Space(self.profile.leading * design.space));
        let head = group.cells(&group.table.head);
        let header = self.table_row(chapter, head, group, &layout, x, leading, true);
        self.forget_measured(head, &layout, true);
        let mut header_line = header.clone();
        header_line.break_after = false;
        flow.push(Flow::Line(header_line));
        let header = Arc::new(header);
        let rows = &group.table.rows;
        for (n, row) in rows.iter().enumerate() {
            let cells = group.cells(row);
            let mut line = self.table_row(chapter, cells, group, &layout, x, leading, false);
            self.forget_measured(cells, &layout, false);
            line.repeat = Some(Arc::clone(&header));
            line.break_after = n + 1 < rows.len() && n >= 1 && rows.len() - n > 2;
            if n + 1 == rows.len() {
                line.break_after = true;
            }
            flow.push(Flow::Line(line));
        }
        flow.push(Flow::Space(self.profile.leading * design.space));
    }

    /// Font size, gutter and column widths, from content as a browser's automatic table
    /// layout does: each column gets at least its longest word; what is left goes to the
    /// columns in proportion to how much more their text would need to sit on one line (so a
    /// date column stays narrow and unbroken). When the longest words do not fit side by
    /// side, the table's text is made smaller step by step down to the profile's
    /// `table_min_font_size`; if they still do not fit, the columns share the measure in
    /// proportion to their longest words, which then break where they must.
    fn table_layout(&mut self, group: &TableGroup<'_>, width: Pt) -> TableLayout {
        let design = &self.design().table;
        let base = self.table_size();
        let (min, max) = self.column_extents(group, width, base);
        let min_total: Pt = min.iter().copied().sum();
        let floor = self.profile.table_min_font_size.to_f32().min(base);
        let mut size = base;
        while min_total * f64::from(size / base) > width && size > floor {
            size = (size * design.shrink_step).max(floor);
        }
        let scale = if size < base {
            f64::from(size / base)
        } else {
            1.0
        };
        let min: Vec<Pt> = min.iter().map(|&m| m * scale).collect();
        let max: Vec<Pt> = max.iter().map(|&m| m * scale).collect();
        let min_total = min_total * scale;
        let gutter = design.gutter.at(Pt::from_f32(size));
        if min_total > width {
            let widths = min
                .iter()
                .map(|m| width * m.get() / min_total.get())
                .collect();
            return TableLayout {
                size,
                scale,
                gutter: gutter * design.squeezed_gutter,
                widths,
            };
        }
        TableLayout {
            size,
            scale,
            gutter,
            widths: share_out(&min, &max, width),
        }
    }

    /// Once a row is set at a smaller size than the table was measured at, the shapings made
    /// to measure its cells are of no more use (and the set ones were made from them without
    /// shaping again): they are dropped row by row, so that a table of a million cells is not
    /// held at two sizes.
    fn forget_measured(&mut self, cells: &[Vec<Inline>], layout: &TableLayout, header: bool) {
        let measured = self.table_size();
        if layout.size.to_bits() == measured.to_bits() {
            return;
        }
        let style = TextStyle::serif(measured);
        let style = if header {
            style.with_style(self.design().table.head_face)
        } else {
            style
        };
        for cell in cells {
            let text = crate::doc::plain_text(cell);
            for word in text.split_whitespace() {
                self.ctx.forget(word, &style);
            }
            self.ctx.forget(&text, &style);
        }
    }

    /// The size a table is measured at, and set at when it fits.
    fn table_size(&self) -> f32 {
        self.design().table.size.at(self.profile.font_size).to_f32()
    }

    /// Each column's narrowest width (its longest word, at most half the measure, or its
    /// whole line when that is narrow) and its one-line width, gutter included, at `size`.
    fn column_extents(
        &mut self,
        group: &TableGroup<'_>,
        width: Pt,
        size: f32,
    ) -> (Vec<Pt>, Vec<Pt>) {
        let design = &self.design().table;
        let gutter = design.gutter.at(Pt::from_f32(size));
        let style = TextStyle::serif(size);
        let columns = group.columns.len();
        let mut min = vec![gutter * design.empty_column; columns];
        let mut max = vec![gutter * design.empty_column; columns];
        let table = group.table;
        let bold = style.with_style(design.head_face);
        let rows =
            std::iter::once((&table.head, &bold)).chain(table.rows.iter().map(|r| (r, &style)));
        for (row, style) in rows {
            for (i, cell) in group.cells(row).iter().enumerate().take(columns) {
                let text = crate::doc::plain_text(cell);
                let line = Pt::from_f32(self.ctx.shape(&text, style).width()) + gutter;
                let word = text
                    .split_whitespace()
                    .map(|w| Pt::from_f32(self.ctx.shape(w, style).width()))
                    .fold(Pt::ZERO, Pt::max)
                    + gutter;
                max[i] = max[i].max(line);
                min[i] = min[i].max(word.min(width * design.max_word_column));
            }
        }
        // Narrow columns (dates, numbers) get their full one-line width first.
        for i in 0..columns {
            if max[i] <= width * design.narrow_column {
                min[i] = max[i];
            }
        }
        (min, max)
    }

    #[allow(clippy::too_many_arguments)]
    fn table_row(
        &mut self,
        chapter: &Chapter,
        cells: &[Vec<Inline>],
        group: &TableGroup<'_>,
        layout: &TableLayout,
        x: Pt,
        leading: Pt,
        header: bool,
    ) -> FlowLine {
        let design = &self.design().table;
        let size = layout.size;
        let style = if header {
            TextStyle::serif(size).with_style(design.head_face)
        } else {
            TextStyle::serif(size)
        };
        let gutter = layout.gutter;
        let mut line = FlowLine {
            height: Pt::ZERO,
            break_after: true,
            ..FlowLine::default()
        };
        let mut cell_x = x;
        let widths = &layout.widths;
        for (i, w) in widths.iter().enumerate() {
            let mut pieces = Pieces::new();
            if let Some(cell) = cells.get(i) {
                self.pieces(chapter, cell, &style, &mut pieces);
            }
            // The last column runs to the edge of the measure. Columns follow the Markdown
            // alignment (`---:` right, `:---:` centre); otherwise wide columns are justified
            // (as LaTeX's p columns are) and narrow ones ragged.
            let last = i + 1 == widths.len();
            let text_width = if last { *w } else { (*w - gutter).max(gutter) };
            let alignment = match group.align(i) {
                Some(Align::Right) => Alignment::FlushRight,
                Some(Align::Center) => Alignment::Centered,
                Some(Align::Left) => Alignment::Ragged,
                _ if text_width > design.justify_from.at(Pt::from_f32(size)) => {
                    Alignment::Justified
                }
                _ => Alignment::Ragged,
            };
            let spec = ParagraphSpec::plain(text_width, leading, alignment);
            let lines = if pieces.is_empty() {
                Vec::new()
            } else {
                set_paragraph(&pieces, &spec, &mut self.ctx)
            };
            let mut y = leading * design.cell_padding;
            for l in lines {
                line.notes.extend(l.notes.iter().copied());
                line.items.extend(moved(l.items, cell_x, y));
                y += l.height;
            }
            line.height = line.height.max(y + leading * design.cell_padding);
            cell_x += *w;
        }
        let total: Pt = widths.iter().copied().sum();
        line.items.push(Item::Rule(Box::new(RuleItem {
            x,
            y: line.height,
            width: total - gutter,
            thickness: if header {
                design.head_rule
            } else {
                design.row_rule
            },
        })));
        line
    }
}

/// Columns of a table set together: all of them, or those that fit the page side by side.
struct TableGroup<'t> {
    table: &'t Table,
    columns: std::ops::Range<usize>,
}

impl TableGroup<'_> {
    /// The cells of `row` in this group's columns.
    fn cells<'r>(&self, row: &'r [Vec<Inline>]) -> &'r [Vec<Inline>] {
        let end = self.columns.end.min(row.len());
        row.get(self.columns.start.min(end)..end)
            .unwrap_or_default()
    }

    /// The Markdown alignment of the group's `i`th column.
    fn align(&self, i: usize) -> Option<&Align> {
        self.table.aligns.get(self.columns.start + i)
    }
}

/// How a table (or column group) is set.
struct TableLayout {
    /// Font size of its text.
    size: f32,
    /// That size over the usual table size (1 unless the table had to be made smaller).
    scale: f64,
    /// Space between columns.
    gutter: Pt,
    /// Width of each column, gutter included.
    widths: Vec<Pt>,
}

/// Column widths filling `width` from each column's narrowest (`min`) and one-line (`max`)
/// widths, whose narrowest widths fit side by side.
fn share_out(min: &[Pt], max: &[Pt], width: Pt) -> Vec<Pt> {
    let min_total: Pt = min.iter().copied().sum();
    let spare = (width - min_total).max(Pt::ZERO);
    let wants: Vec<Pt> = max
        .iter()
        .zip(min)
        .map(|(&a, &b)| (a - b).max(Pt::ZERO))
        .collect();
    let want_total: Pt = wants.iter().copied().sum();
    if want_total <= spare {
        // Everything fits on one line per cell: share the rest out evenly to fill the measure.
        let extra = (spare - want_total) / min.len().max(1) as f64;
        return max.iter().map(|&m| m + extra).collect();
    }
    min.iter()
        .zip(&wants)
        .map(|(&m, w)| m + spare * w.get() / want_total.get().max(1e-9))
        .collect()
}
