//! Tables: column widths from their content, as a browser's automatic layout finds them,
//! smaller type when the columns do not fit side by side, groups of columns when even that
//! is not enough, and a header repeated at the top of each page a table runs over.

use std::sync::Arc;

use super::Composer;
use crate::doc::{Align, Chapter, Inline, Table};
use crate::fonts::Style;
use crate::typeset::layout::{moved, Item, RuleItem};
use crate::typeset::page::{Flow, FlowLine};
use crate::typeset::paragraph::{set_paragraph, Alignment, ParagraphSpec, Pieces, TextStyle};

impl<'a, 'f> Composer<'a, 'f> {
    /// A table, in as many column groups as the page needs: each group is set as a table of
    /// its own, one after the other, so that no cell's text falls off the page.
    pub(super) fn table(
        &mut self,
        chapter: &Chapter,
        table: &Table,
        x: f64,
        width: f64,
        flow: &mut Vec<Flow>,
    ) {
        let columns = table.aligns.len().max(table.head.len()).max(1);
        let floor = self
            .profile
            .table_min_font_size
            .min(self.profile.font_size * 0.9);
        let narrowest = floor * MIN_TABLE_COLUMN_EMS;
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
    }

    fn table_group(
        &mut self,
        chapter: &Chapter,
        group: &TableGroup<'_>,
        x: f64,
        width: f64,
        flow: &mut Vec<Flow>,
    ) {
        let layout = self.table_layout(group, width);
        let leading = self.profile.leading * 0.9 * layout.scale;
        flow.push(Flow::Space(self.profile.leading * 0.5));
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
        flow.push(Flow::Space(self.profile.leading * 0.5));
    }

    /// Font size, gutter and column widths, from content as a browser's automatic table
    /// layout does: each column gets at least its longest word; what is left goes to the
    /// columns in proportion to how much more their text would need to sit on one line (so a
    /// date column stays narrow and unbroken). When the longest words do not fit side by
    /// side, the table's text is made smaller step by step down to the profile's
    /// `table_min_font_size`; if they still do not fit, the columns share the measure in
    /// proportion to their longest words, which then break where they must.
    fn table_layout(&mut self, group: &TableGroup<'_>, width: f64) -> TableLayout {
        let base = self.table_size();
        let (min, max) = self.column_extents(group, width, base);
        let min_total: f64 = min.iter().sum();
        let floor = (self.profile.table_min_font_size as f32).min(base);
        let mut size = base;
        while f64::from(size / base) * min_total > width && size > floor {
            size = (size * TABLE_SHRINK_STEP).max(floor);
        }
        let scale = if size < base {
            f64::from(size / base)
        } else {
            1.0
        };
        let min: Vec<f64> = min.iter().map(|m| m * scale).collect();
        let max: Vec<f64> = max.iter().map(|m| m * scale).collect();
        let min_total = min_total * scale;
        let gutter = f64::from(size);
        if min_total > width {
            let widths = min.iter().map(|m| m * width / min_total).collect();
            return TableLayout {
                size,
                scale,
                gutter: gutter * SQUEEZED_GUTTER,
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
            style.with_style(Style::Bold)
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
        (self.profile.font_size * 0.9) as f32
    }

    /// Each column's narrowest width (its longest word, at most half the measure, or its
    /// whole line when that is narrow) and its one-line width, gutter included, at `size`.
    fn column_extents(
        &mut self,
        group: &TableGroup<'_>,
        width: f64,
        size: f32,
    ) -> (Vec<f64>, Vec<f64>) {
        let gutter = f64::from(size);
        let style = TextStyle::serif(size);
        let columns = group.columns.len();
        let mut min = vec![gutter * 2.0; columns];
        let mut max = vec![gutter * 2.0; columns];
        let table = group.table;
        let bold = style.with_style(Style::Bold);
        let rows =
            std::iter::once((&table.head, &bold)).chain(table.rows.iter().map(|r| (r, &style)));
        for (row, style) in rows {
            for (i, cell) in group.cells(row).iter().enumerate().take(columns) {
                let text = crate::doc::plain_text(cell);
                let line = f64::from(self.ctx.shape(&text, style).width()) + gutter;
                let word = text
                    .split_whitespace()
                    .map(|w| f64::from(self.ctx.shape(w, style).width()))
                    .fold(0.0, f64::max)
                    + gutter;
                max[i] = max[i].max(line);
                min[i] = min[i].max(word.min(width / 2.0));
            }
        }
        // Narrow columns (dates, numbers) get their full one-line width first.
        for i in 0..columns {
            if max[i] <= width * 0.3 {
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
        x: f64,
        leading: f64,
        header: bool,
    ) -> FlowLine {
        let size = layout.size;
        let style = if header {
            TextStyle::serif(size).with_style(Style::Bold)
        } else {
            TextStyle::serif(size)
        };
        let gutter = layout.gutter;
        let mut line = FlowLine {
            height: 0.0,
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
            let text_width = if last { *w } else { (w - gutter).max(gutter) };
            let alignment = match group.align(i) {
                Some(Align::Right) => Alignment::FlushRight,
                Some(Align::Center) => Alignment::Centered,
                Some(Align::Left) => Alignment::Ragged,
                _ if text_width > f64::from(size) * 14.0 => Alignment::Justified,
                _ => Alignment::Ragged,
            };
            let spec = ParagraphSpec::plain(text_width, leading, alignment);
            let lines = if pieces.is_empty() {
                Vec::new()
            } else {
                set_paragraph(&pieces, &spec, &mut self.ctx)
            };
            let mut y = leading * 0.2;
            for l in lines {
                line.notes.extend(l.notes.iter().copied());
                line.items.extend(moved(l.items, cell_x, y));
                y += l.height;
            }
            line.height = line.height.max(y + leading * 0.2);
            cell_x += w;
        }
        let total: f64 = widths.iter().sum();
        line.items.push(Item::Rule(Box::new(RuleItem {
            x,
            y: line.height,
            width: total - gutter,
            thickness: if header { 0.6 } else { 0.25 },
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
    gutter: f64,
    /// Width of each column, gutter included.
    widths: Vec<f64>,
}

/// Each step of shrinking a table too wide for the page multiplies its font size by this.
const TABLE_SHRINK_STEP: f32 = 0.92;

/// The narrowest column, in ems of the smallest table text: a table with more columns than
/// fit at this width is set in groups of columns.
const MIN_TABLE_COLUMN_EMS: f64 = 4.0;

/// The gutter of a table whose longest words do not fit even at the smallest size, as a
/// fraction of the usual one (an em).
const SQUEEZED_GUTTER: f64 = 0.5;

/// Column widths filling `width` from each column's narrowest (`min`) and one-line (`max`)
/// widths, whose narrowest widths fit side by side.
fn share_out(min: &[f64], max: &[f64], width: f64) -> Vec<f64> {
    let min_total: f64 = min.iter().sum();
    let spare = (width - min_total).max(0.0);
    let wants: Vec<f64> = max.iter().zip(min).map(|(a, b)| (a - b).max(0.0)).collect();
    let want_total: f64 = wants.iter().sum();
    if want_total <= spare {
        // Everything fits on one line per cell: share the rest out evenly to fill the measure.
        let extra = (spare - want_total) / min.len().max(1) as f64;
        return max.iter().map(|m| m + extra).collect();
    }
    min.iter()
        .zip(&wants)
        .map(|(m, w)| m + spare * w / want_total.max(1e-9))
        .collect()
}
