//! `/PageLabels`: the page numbers viewers show (roman folios in the front matter, arabic
//! from chapter one), as a number tree of label ranges.

use lopdf::{Dictionary, Object};

use super::finish::{text_string, FinishError};

/// The numbering style of a page label range (`/S` in a page label dictionary).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LabelStyle {
    /// Arabic numerals: 1, 2, 3 (`/S /D`).
    Decimal,
    /// Lower-case roman numerals: i, ii, iii (`/S /r`).
    LowerRoman,
    /// Upper-case roman numerals: I, II, III (`/S /R`).
    UpperRoman,
    /// No number: the label is the prefix alone (e.g. "Cover").
    None,
}

/// A run of pages sharing one label style, from `first_page` to the next range's start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageLabelRange {
    /// The 0-based index of the range's first page; the first range must start at 0.
    pub first_page: usize,
    /// How the pages of the range are numbered.
    pub style: LabelStyle,
    /// Text put before every number of the range (may be empty).
    pub prefix: String,
    /// The number of the range's first page (at least 1).
    pub start: u32,
}

/// Builds the `/PageLabels` number tree, or `None` when there are no ranges.
pub(super) fn page_labels(
    ranges: &[PageLabelRange],
    pages: usize,
) -> Result<Option<Dictionary>, FinishError> {
    let Some(first) = ranges.first() else {
        return Ok(None);
    };
    if first.first_page != 0 {
        return Err(FinishError::Labels(
            "the first range must start at page 0".into(),
        ));
    }
    let mut nums = Vec::with_capacity(ranges.len() * 2);
    let mut previous = None;
    for range in ranges {
        check_label_range(range, previous, pages)?;
        previous = Some(range.first_page);
        nums.push(Object::Integer(range.first_page as i64));
        nums.push(Object::Dictionary(label_dict(range)));
    }
    Ok(Some(Dictionary::from_iter(vec![(
        "Nums",
        Object::Array(nums),
    )])))
}

fn check_label_range(
    range: &PageLabelRange,
    previous: Option<usize>,
    pages: usize,
) -> Result<(), FinishError> {
    if previous.is_some_and(|p| range.first_page <= p) {
        return Err(FinishError::Labels(format!(
            "range at page {} is not after the previous range",
            range.first_page
        )));
    }
    if range.first_page >= pages {
        return Err(FinishError::Labels(format!(
            "range at page {} but the PDF has {pages} pages",
            range.first_page
        )));
    }
    if range.start == 0 {
        return Err(FinishError::Labels(format!(
            "range at page {} starts numbering at 0 (must be at least 1)",
            range.first_page
        )));
    }
    Ok(())
}

/// One page label dictionary: `<< /S /r /P (prefix) /St n >>`.
fn label_dict(range: &PageLabelRange) -> Dictionary {
    let mut dict = Dictionary::new();
    let style: Option<&str> = match range.style {
        LabelStyle::Decimal => Some("D"),
        LabelStyle::LowerRoman => Some("r"),
        LabelStyle::UpperRoman => Some("R"),
        LabelStyle::None => None,
    };
    if let Some(style) = style {
        dict.set("S", Object::Name(style.into()));
    }
    if !range.prefix.is_empty() {
        dict.set("P", text_string(&range.prefix));
    }
    if range.start != 1 {
        dict.set("St", Object::Integer(i64::from(range.start)));
    }
    dict
}
