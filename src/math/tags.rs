//! Equation tags, labels and references in a formula: `\tag{A.1}`, `\tag*{A.1}`, `\notag`,
//! `\nonumber` and `\label{x}` say how the formula (or one row of its `align`) is numbered and
//! named, not what it shows; `\eqref{x}` and `\ref{x}` show a number resolve gives later. All
//! are taken out of the source before anything reads it: each is blanked (its bytes become
//! spaces, which TeX's math mode ignores), and every other command keeps its column for the
//! diagnostics.

use std::ops::Range;

/// What one tag command asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum TagCommand {
    /// `\tag{text}` (`starred` for `\tag*{text}`).
    Tag {
        /// The text between the braces, as written.
        text: String,
        /// `\tag*`: printed without parentheses.
        starred: bool,
    },
    /// `\notag` or `\nonumber`.
    NoNumber,
    /// `\label{name}`: the name references use.
    Label(String),
}

/// A reference to an equation's number written in a formula: `\eqref{x}` or `\ref{x}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FoundRef {
    /// Its bytes in the formula's source.
    pub range: Range<usize>,
    /// The label, as written between the braces.
    pub key: String,
    /// `\eqref`: the number in parentheses, as the equation shows it.
    pub parenthesised: bool,
}

/// A formula's source with its tags, labels and references taken out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Taken {
    /// The source, each command found blanked.
    pub source: String,
    /// The tag and label commands, in order.
    pub tags: Vec<FoundTag>,
    /// The references, in order.
    pub refs: Vec<FoundRef>,
}

/// A tag command found in a formula.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FoundTag {
    /// Its bytes in the formula's source (backslash to closing brace).
    pub range: Range<usize>,
    /// What it asks for; `None` for a `\tag` or `\label` whose braces are missing or never
    /// close.
    pub command: Option<TagCommand>,
}

/// The formula's source with its tag, label and reference commands blanked, and the commands
/// found, in order. A source without any is returned as it is.
pub(crate) fn take_tags(source: &str) -> Taken {
    let (tags, refs) = find_commands(source);
    if tags.is_empty() && refs.is_empty() {
        return Taken {
            source: source.to_string(),
            tags,
            refs,
        };
    }
    let mut blanked = source.as_bytes().to_vec();
    let ranges = tags
        .iter()
        .map(|t| &t.range)
        .chain(refs.iter().map(|r| &r.range));
    for range in ranges {
        blanked[range.clone()].fill(b' ');
    }
    // Whole commands (ASCII from the backslash to the closing brace, whatever the text
    // between holds) become spaces: the rest is the source's own UTF-8, cut at its ASCII.
    let blanked = String::from_utf8(blanked).unwrap_or_else(|_| source.to_string());
    Taken {
        source: blanked,
        tags,
        refs,
    }
}

/// Every `\tag`, `\tag*`, `\notag`, `\nonumber` and `\label`, and every `\eqref` and `\ref`,
/// in `source`, with their ranges.
fn find_commands(source: &str) -> (Vec<FoundTag>, Vec<FoundRef>) {
    let mut tags: Vec<FoundTag> = Vec::new();
    let mut refs: Vec<FoundRef> = Vec::new();
    let mut read_to = 0;
    for (range, name) in super::control_words(source) {
        // A command inside a `\tag{…}` already read is part of its text.
        if range.start < read_to {
            continue;
        }
        let found = match name {
            "notag" | "nonumber" => FoundTag {
                range,
                command: Some(TagCommand::NoNumber),
            },
            "tag" => read_tag(source, range.start, range.end),
            "label" => read_label(source, range.start, range.end),
            "eqref" | "ref" => {
                let Some((close, key)) = braced_after(source, range.end) else {
                    continue;
                };
                read_to = close + 1;
                refs.push(FoundRef {
                    range: range.start..close + 1,
                    key: key.trim().to_string(),
                    parenthesised: name == "eqref",
                });
                continue;
            }
            _ => continue,
        };
        read_to = found.range.end;
        tags.push(found);
    }
    (tags, refs)
}

/// The `\label` whose name ends at `name_end`, with its braced name.
fn read_label(source: &str, start: usize, name_end: usize) -> FoundTag {
    match braced_after(source, name_end) {
        Some((close, name)) => FoundTag {
            range: start..close + 1,
            command: Some(TagCommand::Label(name.trim().to_string())),
        },
        None => FoundTag {
            range: start..name_end,
            command: None,
        },
    }
}

/// The `{…}` group after `from` (spaces skipped): its closing brace's index and its inside.
fn braced_after(source: &str, from: usize) -> Option<(usize, &str)> {
    let bytes = source.as_bytes();
    let mut at = from;
    while at < bytes.len() && bytes[at].is_ascii_whitespace() {
        at += 1;
    }
    if bytes.get(at) != Some(&b'{') {
        return None;
    }
    let close = matching_brace(bytes, at)?;
    Some((close, &source[at + 1..close]))
}

/// The `\tag` whose name ends at `name_end`: its star, its braced text.
fn read_tag(source: &str, start: usize, name_end: usize) -> FoundTag {
    let rest = &source[name_end..];
    let spaces = rest.len() - rest.trim_start().len();
    let starred = rest.trim_start().starts_with('*');
    let after_star = if starred {
        name_end + spaces + 1
    } else {
        name_end
    };
    match braced_after(source, after_star) {
        Some((close, text)) => FoundTag {
            range: start..close + 1,
            command: Some(TagCommand::Tag {
                text: text.trim().to_string(),
                starred,
            }),
        },
        None => FoundTag {
            range: start..name_end,
            command: None,
        },
    }
}

/// The index of the `}` closing the `{` at `open` (escaped braces `\{` `\}` skipped).
fn matching_brace(bytes: &[u8], open: usize) -> Option<usize> {
    let mut depth = 0usize;
    let mut i = open;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 1,
            b'{' => depth += 1,
            b'}' => {
                depth -= 1;
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => {}
        }
        i += 1;
    }
    None
}

/// The environments whose rows LaTeX numbers one by one (their starred forms number none).
const ROW_NUMBERED: [&str; 4] = ["align", "gather", "alignat", "flalign"];

/// The rows of a formula that is one row-numbered environment (`\begin{align} … \end{align}`
/// and nothing around it), as byte ranges of `source` between its `\\`; `None` for any other
/// formula. A last row holding nothing (a `\\` before `\end`) is no row, as in the layout.
pub(crate) fn numbered_rows(source: &str) -> Option<Vec<Range<usize>>> {
    let trimmed = source.trim_start();
    let offset = source.len() - trimmed.len();
    let (name, body_start) = environment_begin(trimmed)?;
    if !ROW_NUMBERED.contains(&name) {
        return None;
    }
    let end_command = format!("\\end{{{name}}}");
    let trimmed_end = trimmed.trim_end();
    let body_end = trimmed_end.strip_suffix(end_command.as_str())?.len();
    let mut body_start = offset + body_start;
    if name == "alignat" {
        // `\begin{alignat}{2}`: the column pairs.
        body_start = braced_after(source, body_start).map_or(body_start, |(close, _)| close + 1);
    }
    let body_end = offset + body_end;
    if body_start > body_end {
        return None;
    }
    Some(split_rows(source, body_start..body_end))
}

/// `\begin{name}` at the start of `text`: the name and where the body starts.
fn environment_begin(text: &str) -> Option<(&str, usize)> {
    let rest = text.strip_prefix("\\begin")?;
    let (close, name) = braced_after(rest, 0)?;
    Some((name.trim(), "\\begin".len() + close + 1))
}

/// The body's rows: split at each `\\` outside braces and inner environments.
fn split_rows(source: &str, body: Range<usize>) -> Vec<Range<usize>> {
    let bytes = source.as_bytes();
    let mut rows = Vec::new();
    let mut row_start = body.start;
    let mut braces = 0usize;
    let mut environments = 0usize;
    let mut i = body.start;
    while i < body.end {
        match bytes[i] {
            b'{' => braces += 1,
            b'}' => braces = braces.saturating_sub(1),
            b'\\' => {
                let next = bytes.get(i + 1).copied();
                if next == Some(b'\\') {
                    if braces == 0 && environments == 0 {
                        rows.push(row_start..i);
                        row_start = i + 2;
                    }
                    i += 2;
                    continue;
                }
                let rest = &source[i..body.end];
                if rest.starts_with("\\begin") {
                    environments += 1;
                } else if rest.starts_with("\\end") {
                    environments = environments.saturating_sub(1);
                }
                // The escaped character (`\{`) is not a brace.
                i += 2;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    if !source[row_start..body.end].trim().is_empty() || rows.is_empty() {
        rows.push(row_start..body.end);
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tag(text: &str, starred: bool) -> Option<TagCommand> {
        Some(TagCommand::Tag {
            text: text.to_string(),
            starred,
        })
    }

    #[test]
    fn a_tag_is_blanked_in_place_and_its_text_kept() {
        let Taken {
            source: blanked,
            tags: found,
            ..
        } = take_tags(r"E = mc^2 \tag{A.1}");
        assert_eq!(blanked, format!("E = mc^2 {}", " ".repeat(9)));
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].range, 9..18);
        assert_eq!(found[0].command, tag("A.1", false));
    }

    #[test]
    fn a_starred_tag_and_nested_braces() {
        let Taken {
            source: blanked,
            tags: found,
            ..
        } = take_tags(r"x \tag* {$\star$ {b}} + y");
        assert_eq!(found[0].command, tag(r"$\star$ {b}", true));
        assert_eq!(blanked.trim_start_matches('x').trim_start(), "+ y");
        assert_eq!(blanked.len(), r"x \tag* {$\star$ {b}} + y".len());
    }

    #[test]
    fn notag_and_nonumber_ask_for_no_number() {
        let Taken {
            source: blanked,
            tags: found,
            ..
        } = take_tags(r"a \\ b \notag \\ c\nonumber");
        let commands: Vec<_> = found.iter().map(|f| f.command.clone()).collect();
        assert_eq!(
            commands,
            vec![Some(TagCommand::NoNumber), Some(TagCommand::NoNumber)]
        );
        assert_eq!(blanked.replace(' ', ""), r"a\\b\\c");
    }

    #[test]
    fn other_commands_that_start_alike_are_left_alone() {
        let source = r"\tagx \notags \tau \\tag";
        let Taken {
            source: blanked,
            tags: found,
            ..
        } = take_tags(source);
        assert!(found.is_empty());
        assert_eq!(blanked, source);
    }

    #[test]
    fn a_tag_without_braces_or_unclosed_is_unread() {
        for source in [r"x \tag A", r"x \tag{A", r"x \tag"] {
            let Taken {
                source: blanked,
                tags: found,
                ..
            } = take_tags(source);
            assert_eq!(found.len(), 1, "{source}");
            assert_eq!(found[0].command, None, "{source}");
            assert_eq!(found[0].range, 2..6, "{source}");
            assert!(!blanked.contains(r"\tag"), "{source}");
        }
    }

    #[test]
    fn multibyte_text_keeps_the_source_valid() {
        let Taken {
            source: blanked,
            tags: found,
            ..
        } = take_tags("α \\tag{é†} β");
        assert_eq!(found[0].command, tag("é†", false));
        assert!(blanked.starts_with("α ") && blanked.ends_with(" β"));
        assert_eq!(blanked.len(), "α \\tag{é†} β".len());
    }

    #[test]
    fn labels_and_references_are_taken_out() {
        let source = r"a = b \label{eq:one} + \eqref{ eq:two } - \ref{x}";
        let taken = take_tags(source);
        assert_eq!(taken.tags.len(), 1);
        assert_eq!(
            taken.tags[0].command,
            Some(TagCommand::Label("eq:one".to_string()))
        );
        let refs: Vec<(&str, bool)> = taken
            .refs
            .iter()
            .map(|r| (r.key.as_str(), r.parenthesised))
            .collect();
        assert_eq!(refs, [("eq:two", true), ("x", false)]);
        assert_eq!(taken.source.replace(' ', ""), "a=b+-");
        assert_eq!(&source[taken.refs[1].range.clone()], r"\ref{x}");
    }

    #[test]
    fn a_label_without_braces_is_unread() {
        let taken = take_tags(r"x \label y");
        assert_eq!(taken.tags[0].command, None);
        assert_eq!(taken.tags[0].range, 2..8);
    }

    #[test]
    fn rows_of_a_numbered_environment() {
        let source = "\n\\begin{align}\na &= b \\\\\n\\begin{matrix} 1 \\\\ 2 \\end{matrix} &= {c \\\\ d} \\\\\n\\end{align}\n";
        let rows = numbered_rows(source).unwrap();
        let texts: Vec<&str> = rows.iter().map(|r| source[r.clone()].trim()).collect();
        assert_eq!(
            texts,
            [
                "a &= b",
                "\\begin{matrix} 1 \\\\ 2 \\end{matrix} &= {c \\\\ d}"
            ]
        );
        let alignat = r"\begin{alignat}{2} x &= 1 \\ y &= 2 \end{alignat}";
        assert_eq!(numbered_rows(alignat).unwrap().len(), 2);
        assert_eq!(
            source_of(alignat, &numbered_rows(alignat).unwrap()[0]),
            "x &= 1"
        );
    }

    fn source_of<'s>(source: &'s str, range: &Range<usize>) -> &'s str {
        source[range.clone()].trim()
    }

    #[test]
    fn other_formulas_have_no_numbered_rows() {
        for source in [
            r"\begin{align*} a \\ b \end{align*}",
            r"\begin{aligned} a \\ b \end{aligned}",
            r"x = \begin{align} a \\ b \end{align}",
            r"\begin{align} a \\ b \end{align} + c",
            r"a \\ b",
        ] {
            assert_eq!(numbered_rows(source), None, "{source}");
        }
    }
}
