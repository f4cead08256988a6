//! Line numbers and highlighted lines that a fence's attributes ask for: pandoc's
//! `{.rust .numberLines startFrom="10"}`, `linenos` (Hugo, Sphinx), Quarto's
//! `code-line-numbers="true"`, and the lines to highlight in `hl_lines="3-5"` or Quarto's
//! `code-line-numbers="3-5"`. Both backends read them from here.

use std::ops::RangeInclusive;

use crate::doc::Attributes;

/// Most ranges of highlighted lines read from one fence (the rest are ignored).
const MAX_RANGES: usize = 64;

/// What a code block's lines carry besides their text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct LineMarks {
    /// The number of the first line, when lines are numbered.
    pub first_number: Option<usize>,
    /// Lines to highlight (counted from 1), in ranges.
    pub highlighted: Vec<RangeInclusive<usize>>,
}

impl LineMarks {
    /// The marks a fence's attributes ask for (none without attributes).
    pub(crate) fn of(attrs: Option<&Attributes>) -> LineMarks {
        let Some(attrs) = attrs else {
            return LineMarks::default();
        };
        let quarto = attrs.get("code-line-numbers");
        let numbered = attrs.has_class("numberLines")
            || attrs.has_class("number-lines")
            || attrs.get("linenos").is_some_and(|v| v != "false")
            || quarto == Some("true");
        let start = ["startFrom", "start-from", "linenostart"]
            .iter()
            .find_map(|key| attrs.get(key)?.trim().parse::<usize>().ok())
            .unwrap_or(1);
        let ranges = attrs
            .get("hl_lines")
            .or_else(|| attrs.get("hl-lines"))
            .or(quarto.filter(|v| *v != "true" && *v != "false"));
        LineMarks {
            first_number: numbered.then_some(start),
            highlighted: ranges.map(line_ranges).unwrap_or_default(),
        }
    }

    /// Whether the block's lines need marks at all.
    pub(crate) fn any(&self) -> bool {
        self.first_number.is_some() || !self.highlighted.is_empty()
    }

    /// The number printed before line `index` (counted from 0), when lines are numbered.
    pub(crate) fn number(&self, index: usize) -> Option<usize> {
        self.first_number.map(|first| first.saturating_add(index))
    }

    /// Whether line `index` (counted from 0) is highlighted.
    pub(crate) fn is_highlighted(&self, index: usize) -> bool {
        let line = index + 1;
        self.highlighted.iter().any(|range| range.contains(&line))
    }
}

/// `3-5`, `1,3-5`, `1 3-5` (Hugo), `|3|5-6` (Quarto's steps read as one set): ranges of line
/// numbers; what does not read as a number is skipped.
fn line_ranges(text: &str) -> Vec<RangeInclusive<usize>> {
    text.split([',', ' ', '|'])
        .filter(|part| !part.is_empty())
        .filter_map(|part| {
            let (from, to) = part.split_once('-').unwrap_or((part, part));
            let from = from.trim().parse::<usize>().ok()?;
            let to = to.trim().parse::<usize>().ok()?;
            (from <= to).then_some(from..=to)
        })
        .take(MAX_RANGES)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn attrs(classes: &[&str], pairs: &[(&str, &str)]) -> Attributes {
        Attributes {
            classes: classes.iter().map(|c| c.to_string()).collect(),
            pairs: pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            ..Attributes::default()
        }
    }

    #[test]
    fn numbering_and_highlighting_are_read_in_every_spelling() {
        let pandoc = LineMarks::of(Some(&attrs(
            &["rust", "numberLines"],
            &[("startFrom", "10")],
        )));
        assert_eq!(pandoc.number(0), Some(10));
        let hugo = LineMarks::of(Some(&attrs(
            &[],
            &[("linenos", "table"), ("hl_lines", "1 3-4")],
        )));
        assert_eq!(hugo.number(2), Some(3));
        assert!(hugo.is_highlighted(0) && !hugo.is_highlighted(1) && hugo.is_highlighted(3));
        let quarto = LineMarks::of(Some(&attrs(&[], &[("code-line-numbers", "2-3")])));
        assert_eq!(quarto.first_number, None);
        assert!(quarto.is_highlighted(1) && quarto.is_highlighted(2) && !quarto.is_highlighted(3));
        assert!(!LineMarks::of(None).any());
    }
}
