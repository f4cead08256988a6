//! pandoc's other definition marker: a definition may open with `~` as well as `:`
//! (`Term` then `~ Its definition.`). pulldown-cmark knows only the colon, so each `~`
//! marker becomes a colon before the chapter is read: one byte for one, every offset (and so
//! every span) unchanged.

use std::ops::Range;

/// `text` with its `~` definition markers made colons, or `None` when it has none.
///
/// A marker is a line that opens, after at most three spaces, with `~` and a space or tab,
/// right under a line of text or one blank line below it (a loose definition), outside code
/// and raw HTML. `~~~` is a code fence, not a marker.
pub(super) fn with_colon_markers(text: &str) -> Option<String> {
    if !text.lines().any(|line| marker_offset(line).is_some()) {
        return None;
    }
    let verbatim = super::math::code_ranges(text);
    let mut markers = Vec::new();
    let mut offset = 0;
    let mut above: [&str; 2] = ["", ""];
    for line in text.split_inclusive('\n') {
        if let Some(at) = marker_offset(line) {
            let term_above = !above[0].trim().is_empty()
                || (above[0].trim().is_empty() && !above[1].trim().is_empty());
            let position = offset + at;
            if term_above && !inside(&verbatim, position) {
                markers.push(position);
            }
        }
        above = [line, above[0]];
        offset += line.len();
    }
    if markers.is_empty() {
        return None;
    }
    let mut bytes = text.as_bytes().to_vec();
    for position in markers {
        bytes[position] = b':';
    }
    String::from_utf8(bytes).ok()
}

/// The offset of the `~` that opens `line` as a definition marker.
fn marker_offset(line: &str) -> Option<usize> {
    let indent = line.len() - line.trim_start_matches(' ').len();
    let rest = &line[indent..];
    let marker = indent <= 3 && rest.starts_with('~') && rest[1..].starts_with([' ', '\t']);
    marker.then_some(indent)
}

/// Whether `position` falls in one of the sorted `ranges`.
fn inside(ranges: &[Range<usize>], position: usize) -> bool {
    let index = ranges.partition_point(|r| r.start <= position);
    index > 0 && ranges[index - 1].contains(&position)
}

#[cfg(test)]
mod tests {
    use super::with_colon_markers;

    #[test]
    fn tilde_markers_become_colons_in_place() {
        let text = "Term\n~ One.\n\nOther\n\n  ~ Loose.\n";
        let marked = with_colon_markers(text).expect("markers");
        assert_eq!(marked, "Term\n: One.\n\nOther\n\n  : Loose.\n");
        assert_eq!(marked.len(), text.len());
    }

    #[test]
    fn fences_code_and_lone_tildes_stay() {
        assert_eq!(with_colon_markers("~~~\ncode\n~~~\n"), None);
        assert_eq!(with_colon_markers("```\nx\n~ not a marker\n```\n"), None);
        assert_eq!(with_colon_markers("\n~ no term above\n"), None);
        assert_eq!(with_colon_markers("a\n~x not a marker\n"), None);
    }
}
