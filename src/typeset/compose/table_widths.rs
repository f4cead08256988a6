//! A table's size and column widths from its content, as HTML's automatic table layout
//! finds them (CSS 2.1 §17.5.2.2), with what a book designer adds to it.
//!
//! Each column has a narrowest width (its longest word) and a widest (its longest cell on
//! one line), measured as the cells are set ([`crate::typeset::paragraph::content_widths`]).
//! A table is set at the first of these that works, in this order:
//!
//! 1. every cell on one line, at the table size or a step or more smaller (down to the
//!    design's smallest size): the table is set at its natural width, never stretched;
//! 2. every word whole, cells wrapping, at the largest size where the longest words fit
//!    side by side and every column that wraps is comfortably wide (a column of prose a
//!    word or two wide is a reason to set the table smaller): each column gets its longest
//!    word, columns whose one-line width is small (dates, numbers) get all of it, and the
//!    rest of the measure is shared in proportion to what each column still lacks to be set
//!    on one line;
//! 3. at the smallest size, the same (however narrow the columns), with the usual gutter
//!    or half of it;
//! 4. at the smallest size, with half the gutter, the columns with the longest words made
//!    narrower than them, as little as can be and first those whose words can be
//!    hyphenated: their words are hyphenated (and broken where no hyphen can go);
//! 5. when even that leaves a column narrower than the design's narrowest, in groups of
//!    columns set one after the other.
//!
//! A table is never wider than the measure.

use std::ops::Range;

use crate::typeset::paragraph::ContentWidths;
use crate::units::{Em, Pt};

/// Fit decisions are made from widths measured at one size and scaled to another; a table
/// must fit with this much of the measure to spare (relative), so that the widths measured
/// again at the chosen size fit too (shaping rounds glyph advances to `f32`).
const SCALED_MARGIN: f64 = 1e-4;

/// What a table's size and widths are chosen from.
#[derive(Debug, Clone)]
pub(super) struct Constraints {
    /// The measure the table must fit in.
    pub width: Pt,
    /// Sizes to try, largest first; the first is the size the columns were measured at.
    pub sizes: Vec<f32>,
    /// Space between two columns (× size).
    pub gutter: Em,
    /// The gutter of a table whose longest words do not fit (× the gutter).
    pub squeezed_gutter: f64,
    /// The narrowest a column is made (× size).
    pub min_column: Em,
    /// The narrowest a column that wraps is made before the table is set smaller (× size).
    pub comfortable: Em,
    /// A column whose one-line width is at most this gets it whole when it can.
    pub narrow: Pt,
}

/// The size a table is set at, its gutter and its groups of columns.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Setting {
    /// Type size.
    pub size: f32,
    /// Space between two columns.
    pub gutter: Pt,
    /// The columns set side by side: all of them, or groups set one after another.
    pub groups: Vec<Range<usize>>,
}

/// The sizes from `base` down to `floor`, each `step` times the one before (the last is
/// `floor`). Only `base` when `floor` is not below it.
pub(super) fn sizes(base: f32, floor: f32, step: f32) -> Vec<f32> {
    let mut sizes = vec![base];
    if !(step > 0.0 && step < 1.0) {
        return sizes;
    }
    let mut size = base;
    while size > floor {
        size = (size * step).max(floor);
        sizes.push(size);
    }
    sizes
}

impl Constraints {
    /// The setting of a table whose columns, measured at the first size, are `columns`.
    pub(super) fn choose(&self, columns: &[ContentWidths]) -> Setting {
        let every_column = 0..columns.len();
        let base = self.sizes.first().copied().unwrap_or(1.0);
        let floor = self.sizes.last().copied().unwrap_or(base);
        let setting = |size: f32, gutter: Pt| Setting {
            size,
            gutter,
            groups: vec![every_column.clone()],
        };
        let at = |size: f32| scaled(columns, f64::from(size / base));
        let gutters = |gutter: Pt| gutter * gaps(columns.len());
        let fits = |need: Pt| need <= self.width * (1.0 - SCALED_MARGIN);
        let one_line = |c: &ContentWidths| c.max;
        let words = |c: &ContentWidths| c.min;
        let sum = |columns: &[ContentWidths], f: &dyn Fn(&ContentWidths) -> Pt| -> Pt {
            columns.iter().map(f).sum()
        };
        for &size in &self.sizes {
            let gutter = self.gutter_at(size);
            if fits(sum(&at(size), &one_line) + gutters(gutter)) {
                return setting(size, gutter);
            }
        }
        for &size in &self.sizes {
            let (gutter, columns) = (self.gutter_at(size), at(size));
            let words_fit = fits(sum(&columns, &words) + gutters(gutter));
            if words_fit && self.comfortable(&columns, size, gutter) {
                return setting(size, gutter);
            }
        }
        let columns = at(floor);
        let squeezed = self.gutter_at(floor) * self.squeezed_gutter;
        for gutter in [self.gutter_at(floor), squeezed] {
            if fits(sum(&columns, &words) + gutters(gutter)) {
                return setting(floor, gutter);
            }
        }
        let narrowest: Vec<Pt> = columns.iter().map(|c| c.min).collect();
        let min_column = self.min_column.at(Pt::from_f32(floor));
        if water_level(&narrowest, self.width - gutters(squeezed)) >= min_column {
            return setting(floor, squeezed);
        }
        Setting {
            size: floor,
            gutter: squeezed,
            groups: groups(columns.len(), self.width, min_column, squeezed),
        }
    }

    /// Whether `columns` at `size`, with their widths shared out, each get their one-line
    /// width or at least the design's comfortable width: no column of prose is left a word
    /// or two wide.
    fn comfortable(&self, columns: &[ContentWidths], size: f32, gutter: Pt) -> bool {
        let available = self.width - gutter * gaps(columns.len());
        let comfortable = self.comfortable.at(Pt::from_f32(size));
        let widths = distribute(columns, available, self.narrow);
        widths
            .iter()
            .zip(columns)
            .all(|(&width, column)| width >= column.max.min(comfortable))
    }

    /// The usual gutter at `size`.
    fn gutter_at(&self, size: f32) -> Pt {
        self.gutter.at(Pt::from_f32(size))
    }
}

/// `columns` measured at one size, at another `scale` times it.
fn scaled(columns: &[ContentWidths], scale: f64) -> Vec<ContentWidths> {
    columns
        .iter()
        .map(|c| ContentWidths {
            min: c.min * scale,
            max: c.max * scale,
            hyphenated: c.hyphenated * scale,
        })
        .collect()
}

/// The number of gutters between `columns` columns.
fn gaps(columns: usize) -> f64 {
    columns.saturating_sub(1) as f64
}

/// `columns` columns cut into groups of (nearly) equal size that each fit `width` with
/// columns of `min_column` and gutters of `gutter` between them.
fn groups(columns: usize, width: Pt, min_column: Pt, gutter: Pt) -> Vec<Range<usize>> {
    let per_group = ((width + gutter) / (min_column + gutter)).floor();
    let per_group = if per_group.is_finite() && per_group >= 1.0 {
        per_group as usize
    } else {
        1
    };
    let count = columns.div_ceil(per_group).max(1);
    // Groups of equal size, so that the last is not left with a column or two.
    let size = columns.div_ceil(count).max(1);
    (0..columns)
        .step_by(size)
        .map(|first| first..(first + size).min(columns))
        .collect()
}

/// The width of each column, whose content widths are `columns`, in `available` (the
/// measure less the gutters):
/// - their widest widths when they fit (the table is then narrower than the measure);
/// - else, when their narrowest widths fit, those (and their widest for columns whose widest
///   is at most `narrow`, when that fits too) plus a share of the rest in proportion to
///   what each column lacks to be set at its widest (CSS 2.1 automatic layout);
/// - else narrower than their longest words, as little as can be ([`break_words`]).
pub(super) fn distribute(columns: &[ContentWidths], available: Pt, narrow: Pt) -> Vec<Pt> {
    let widest: Vec<Pt> = columns.iter().map(|c| c.max).collect();
    if widest.iter().copied().sum::<Pt>() <= available {
        return widest;
    }
    let narrowest: Vec<Pt> = columns.iter().map(|c| c.min).collect();
    if narrowest.iter().copied().sum::<Pt>() > available {
        return break_words(columns, &narrowest, available);
    }
    let whole_if_narrow: Vec<Pt> = columns
        .iter()
        .map(|c| if c.max <= narrow { c.max } else { c.min })
        .collect();
    let floor = if whole_if_narrow.iter().copied().sum::<Pt>() <= available {
        whole_if_narrow
    } else {
        narrowest
    };
    share_out(&floor, &widest, available)
}

/// Widths for columns whose longest words do not fit side by side in `available`: each
/// column gets at least its narrowest width with words hyphenated; then as many columns as
/// can get their longest word whole (those that lack least first: a column of names or
/// numbers that cannot be hyphenated lacks nothing), and the others share the rest in
/// proportion to what they lack. When even the hyphenated widths do not fit, the widest of
/// them are cut down to one width ([`water_level`]), and words break where no hyphen can go.
fn break_words(columns: &[ContentWidths], narrowest: &[Pt], available: Pt) -> Vec<Pt> {
    let hyphenated: Vec<Pt> = columns.iter().map(|c| c.hyphenated.min(c.min)).collect();
    let mut spare = available - hyphenated.iter().copied().sum::<Pt>();
    if spare < Pt::ZERO {
        let level = water_level(&hyphenated, available);
        return hyphenated.iter().map(|&h| h.min(level)).collect();
    }
    let lacks: Vec<Pt> = narrowest
        .iter()
        .zip(&hyphenated)
        .map(|(&n, &h)| n - h)
        .collect();
    let mut by_lack: Vec<usize> = (0..columns.len()).collect();
    by_lack.sort_by(|&a, &b| lacks[a].total_cmp(&lacks[b]));
    let mut widths = hyphenated;
    let mut broken = Vec::new();
    for i in by_lack {
        if lacks[i] <= spare {
            widths[i] = narrowest[i];
            spare -= lacks[i];
        } else {
            broken.push(i);
        }
    }
    let lacking: Pt = broken.iter().map(|&i| lacks[i]).sum();
    for &i in &broken {
        widths[i] += spare * (lacks[i] / lacking);
    }
    widths
}

/// `floor` widths grown toward `widest` in proportion to the difference, to fill
/// `available` (the floors fit it, the widest do not).
fn share_out(floor: &[Pt], widest: &[Pt], available: Pt) -> Vec<Pt> {
    let spare = (available - floor.iter().copied().sum::<Pt>()).max(Pt::ZERO);
    let lacks: Vec<Pt> = floor
        .iter()
        .zip(widest)
        .map(|(&f, &w)| (w - f).max(Pt::ZERO))
        .collect();
    let lacking: Pt = lacks.iter().copied().sum();
    if lacking <= Pt::ZERO {
        return floor.to_vec();
    }
    floor
        .iter()
        .zip(&lacks)
        .map(|(&f, &lack)| f + spare * (lack / lacking))
        .collect()
}

/// The width `level` at which `widths`, each cut down to `level` when wider, add up to
/// `available` (a water level: the narrow columns keep their widths, the widest are made
/// equal). Infinite when `widths` fit without cutting.
pub(super) fn water_level(widths: &[Pt], available: Pt) -> Pt {
    let mut sorted = widths.to_vec();
    sorted.sort_by(Pt::total_cmp);
    let mut rest = available;
    let mut left = sorted.len();
    for &width in &sorted {
        if width * left as f64 > rest {
            return rest / left as f64;
        }
        rest -= width;
        left -= 1;
    }
    Pt::new(f64::INFINITY)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn column(min: f64, max: f64) -> ContentWidths {
        ContentWidths {
            min: Pt::new(min),
            max: Pt::new(max),
            hyphenated: Pt::new(min),
        }
    }

    fn hyphenates(min: f64, max: f64, hyphenated: f64) -> ContentWidths {
        ContentWidths {
            hyphenated: Pt::new(hyphenated),
            ..column(min, max)
        }
    }

    fn points(widths: &[Pt]) -> Vec<f64> {
        widths
            .iter()
            .map(|w| (w.get() * 1000.0).round() / 1000.0)
            .collect()
    }

    const NO_NARROW: Pt = Pt::ZERO;

    #[test]
    fn a_table_that_fits_keeps_its_natural_widths() {
        let columns = [column(20.0, 40.0), column(30.0, 60.0)];
        let widths = distribute(&columns, Pt::new(300.0), NO_NARROW);
        assert_eq!(points(&widths), vec![40.0, 60.0]);
    }

    #[test]
    fn the_rest_is_shared_in_proportion_to_what_each_column_lacks() {
        // Narrowest 20 + 30 = 50; 50 more to share; the columns lack 20 and 80.
        let columns = [column(20.0, 40.0), column(30.0, 110.0)];
        let widths = distribute(&columns, Pt::new(100.0), NO_NARROW);
        assert_eq!(points(&widths), vec![30.0, 70.0]);
    }

    #[test]
    fn narrow_columns_are_not_wrapped_when_they_can_be_whole() {
        let date = column(30.0, 55.0);
        let prose = column(40.0, 400.0);
        let widths = distribute(&[date, prose], Pt::new(200.0), Pt::new(60.0));
        assert_eq!(points(&widths)[0], 55.0);
        assert!((widths[0] + widths[1] - Pt::new(200.0)).abs() < Pt::new(1e-9));
        // Without room for them whole, narrow columns fall back to the automatic layout.
        let many = [date, date, date, prose];
        let widths = distribute(&many, Pt::new(190.0), Pt::new(60.0));
        assert!(widths[0] < Pt::new(55.0), "{widths:?}");
        assert!(widths.iter().zip(&many).all(|(w, c)| *w >= c.min));
    }

    #[test]
    fn only_the_longest_words_are_cut_when_even_they_do_not_fit() {
        let columns = [column(10.0, 10.0), column(80.0, 90.0), column(120.0, 200.0)];
        let widths = distribute(&columns, Pt::new(150.0), NO_NARROW);
        assert_eq!(points(&widths), vec![10.0, 70.0, 70.0]);
        let widths = distribute(&columns, Pt::new(190.0), NO_NARROW);
        assert_eq!(points(&widths), vec![10.0, 80.0, 100.0]);
    }

    #[test]
    fn columns_that_can_hyphenate_give_way_first() {
        // A name that cannot be hyphenated keeps its width; the long word that can gives
        // up what is missing.
        let name = column(60.0, 60.0);
        let word = hyphenates(80.0, 80.0, 30.0);
        let widths = distribute(&[name, word], Pt::new(120.0), NO_NARROW);
        assert_eq!(points(&widths), vec![60.0, 60.0]);
        // When even the hyphenated widths do not fit, the widest are cut down.
        let widths = distribute(&[name, word], Pt::new(70.0), NO_NARROW);
        assert_eq!(points(&widths), vec![40.0, 30.0]);
    }

    #[test]
    fn as_few_columns_as_can_be_break_their_words() {
        // 30 pt to share beyond the hyphenated widths: the column that lacks 10 gets its
        // word whole, the other two share 20 in proportion to the 40 and 60 they lack.
        let columns = [
            hyphenates(50.0, 50.0, 40.0),
            hyphenates(60.0, 60.0, 20.0),
            hyphenates(80.0, 80.0, 20.0),
        ];
        let widths = distribute(&columns, Pt::new(110.0), NO_NARROW);
        assert_eq!(points(&widths), vec![50.0, 28.0, 32.0]);
    }

    #[test]
    fn water_level_is_infinite_when_everything_fits() {
        let widths = [Pt::new(10.0), Pt::new(20.0)];
        assert!(!water_level(&widths, Pt::new(40.0)).is_finite());
        assert_eq!(water_level(&widths, Pt::new(24.0)), Pt::new(14.0));
    }

    #[test]
    fn sizes_step_down_to_the_floor() {
        let s = sizes(10.0, 8.0, 0.9);
        assert_eq!(s.first(), Some(&10.0));
        assert_eq!(s.last(), Some(&8.0));
        assert!(s.windows(2).all(|w| w[1] < w[0]));
        assert_eq!(sizes(8.0, 9.0, 0.9), vec![8.0]);
        assert_eq!(sizes(10.0, 8.0, 1.0), vec![10.0]);
    }

    /// Sizes 16, 12 and 9 pt (exact in binary), gutters of 1 em, halved when squeezed.
    fn constraints(width: f64) -> Constraints {
        Constraints {
            width: Pt::new(width),
            sizes: sizes(16.0, 9.0, 0.75),
            gutter: Em::new(1.0),
            squeezed_gutter: 0.5,
            min_column: Em::new(2.5),
            comfortable: Em::new(6.0),
            narrow: Pt::new(width * 0.3),
        }
    }

    #[test]
    fn a_table_too_wide_for_one_line_cells_is_set_smaller_rather_than_wrapped() {
        // Two columns of 100 and a 16 pt gutter at 16 pt: 216, too wide; at 12 pt: 162.
        let setting = constraints(200.0).choose(&[column(50.0, 100.0), column(50.0, 100.0)]);
        assert_eq!(setting.size, 12.0);
        assert_eq!(setting.gutter, Pt::new(12.0));
        assert_eq!(setting.groups, vec![0..2]);
    }

    #[test]
    fn a_table_that_wraps_anyway_keeps_its_size() {
        let prose = [column(40.0, 60.0), column(60.0, 2000.0)];
        let setting = constraints(200.0).choose(&prose);
        assert_eq!(setting.size, 16.0);
    }

    #[test]
    fn long_words_make_a_table_smaller_down_to_the_floor_then_break() {
        let words = [column(100.0, 300.0), column(100.0, 300.0)];
        // Narrowest 2 × 100 + 16 = 216 at 16 pt; 2 × 75 + 12 = 162 at 12 pt.
        assert_eq!(constraints(200.0).choose(&words).size, 12.0);
        // At 9 pt: 2 × 56.25 + 9 = 121.5.
        let setting = constraints(140.0).choose(&words);
        assert_eq!((setting.size, setting.gutter), (9.0, Pt::new(9.0)));
        // With half the gutter: 117, still too wide for 115: the words break.
        let setting = constraints(115.0).choose(&words);
        assert_eq!((setting.size, setting.gutter), (9.0, Pt::new(4.5)));
        assert_eq!(setting.groups, vec![0..2]);
    }

    #[test]
    fn too_many_columns_are_set_in_groups() {
        let columns = vec![column(40.0, 40.0); 500];
        let setting = constraints(330.0).choose(&columns);
        assert_eq!((setting.size, setting.gutter), (9.0, Pt::new(4.5)));
        let covered: usize = setting.groups.iter().map(|g| g.len()).sum();
        assert_eq!(covered, 500);
        // Columns of 22.5 pt and gutters of 4.5 pt: 12 fit in 330 pt.
        assert!(setting.groups.iter().all(|g| g.len() <= 12));
        assert!(setting.groups.windows(2).all(|w| w[0].end == w[1].start));
    }
}
