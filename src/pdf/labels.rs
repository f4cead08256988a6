//! `/PageLabels`: the page numbers viewers show (roman folios in the front matter, arabic
//! from chapter one), as ranges of pages that krilla writes as a number tree.
//!
//! krilla takes one label per page and merges a page into the range before it only when
//! both labels have no explicit number; with explicit numbers (`/St`) every page becomes an
//! entry of its own (krilla 0.8 compares the numbers the wrong way round). So a range that
//! starts at 1, as ours do, gives its pages no number at all (`/St` defaults to 1), and the
//! number tree holds one entry per range.

use std::num::NonZeroU32;

use krilla::page::{NumberingStyle, PageLabel};

use super::writer::WriteError;

/// The numbering style of a page label range (`/S` in a page label dictionary).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LabelStyle {
    /// Arabic numerals: 1, 2, 3 (`/S /D`).
    Decimal,
    /// Lower-case roman numerals: i, ii, iii (`/S /r`).
    LowerRoman,
    /// No number: the label is the prefix alone (e.g. "Cover").
    None,
}

/// A run of pages sharing one label style, from `first_page` to the next range's start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PageLabelRange {
    /// The 0-based index of the range's first page; the first range must start at 0.
    pub first_page: usize,
    /// How the pages of the range are numbered.
    pub style: LabelStyle,
    /// Text put before every number of the range (may be empty).
    pub prefix: String,
    /// The number of the range's first page (at least 1).
    pub start: u32,
}

/// The label of each of `pages` pages; no labels at all when there are no ranges.
pub(super) fn page_labels(
    ranges: &[PageLabelRange],
    pages: usize,
) -> Result<Vec<PageLabel>, WriteError> {
    check_ranges(ranges, pages)?;
    let mut labels = Vec::with_capacity(pages);
    labels.resize(
        ranges.first().map_or(pages, |r| r.first_page),
        PageLabel::default(),
    );
    for (i, range) in ranges.iter().enumerate() {
        let end = ranges.get(i + 1).map_or(pages, |next| next.first_page);
        let style = numbering(range.style);
        let prefix = (!range.prefix.is_empty()).then(|| range.prefix.clone());
        // Pages without a number continue the range before them in krilla's number tree,
        // so a range like the one before it must number its pages.
        let like_previous = i
            .checked_sub(1)
            .and_then(|p| ranges.get(p))
            .is_some_and(|p| p.style == range.style && p.prefix == range.prefix);
        let implicit = style.is_none() || (range.start == 1 && !like_previous);
        for offset in 0..end - range.first_page {
            let number = u32::try_from(offset)
                .ok()
                .and_then(|offset| range.start.checked_add(offset))
                .filter(|_| !implicit)
                .and_then(NonZeroU32::new);
            labels.push(PageLabel::new(style, prefix.clone(), number));
        }
    }
    Ok(labels)
}

/// krilla's numbering style for `style`.
fn numbering(style: LabelStyle) -> Option<NumberingStyle> {
    match style {
        LabelStyle::Decimal => Some(NumberingStyle::Arabic),
        LabelStyle::LowerRoman => Some(NumberingStyle::LowerRoman),
        LabelStyle::None => None,
    }
}

/// The ranges start at page 0, are in increasing order, lie within the document, and number
/// from at least 1.
fn check_ranges(ranges: &[PageLabelRange], pages: usize) -> Result<(), WriteError> {
    if ranges.first().is_some_and(|first| first.first_page != 0) {
        return Err(WriteError::Labels(
            "the first range must start at page 0".into(),
        ));
    }
    let mut previous: Option<usize> = None;
    for range in ranges {
        if previous.is_some_and(|p| range.first_page <= p) {
            return Err(WriteError::Labels(format!(
                "range at page {} is not after the previous range",
                range.first_page
            )));
        }
        if range.first_page >= pages {
            return Err(WriteError::Labels(format!(
                "range at page {} but the PDF has {pages} pages",
                range.first_page
            )));
        }
        if range.start == 0 {
            return Err(WriteError::Labels(format!(
                "range at page {} starts numbering at 0 (must be at least 1)",
                range.first_page
            )));
        }
        previous = Some(range.first_page);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn range(first_page: usize, style: LabelStyle, prefix: &str, start: u32) -> PageLabelRange {
        PageLabelRange {
            first_page,
            style,
            prefix: prefix.to_string(),
            start,
        }
    }

    #[test]
    fn ranges_starting_at_one_give_their_pages_no_number() {
        let ranges = [
            range(0, LabelStyle::None, "Cover", 1),
            range(1, LabelStyle::LowerRoman, "", 1),
            range(3, LabelStyle::Decimal, "", 1),
            range(5, LabelStyle::Decimal, "", 7),
        ];
        let labels = page_labels(&ranges, 7).unwrap();
        let decimal = |n: Option<u32>| {
            PageLabel::new(
                Some(NumberingStyle::Arabic),
                None,
                n.and_then(NonZeroU32::new),
            )
        };
        let roman = PageLabel::new(Some(NumberingStyle::LowerRoman), None, None);
        assert_eq!(
            labels,
            [
                PageLabel::new(None, Some("Cover".into()), None),
                roman.clone(),
                roman,
                decimal(None),
                decimal(None),
                decimal(Some(7)),
                decimal(Some(8)),
            ]
        );
    }

    #[test]
    fn no_ranges_means_no_labels() {
        let labels = page_labels(&[], 3).unwrap();
        assert_eq!(labels, vec![PageLabel::default(); 3]);
    }

    #[test]
    fn rejects_bad_label_ranges() {
        let bad = [
            vec![range(1, LabelStyle::Decimal, "", 1)],
            vec![
                range(0, LabelStyle::Decimal, "", 1),
                range(0, LabelStyle::LowerRoman, "", 1),
            ],
            vec![range(0, LabelStyle::Decimal, "", 0)],
            vec![
                range(0, LabelStyle::Decimal, "", 1),
                range(9, LabelStyle::None, "", 1),
            ],
        ];
        for ranges in bad {
            assert!(
                matches!(page_labels(&ranges, 5), Err(WriteError::Labels(_))),
                "{ranges:?}"
            );
        }
    }
}
