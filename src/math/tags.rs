//! Equation tags: `\tag{A.1}`, `\tag*{A.1}`, `\notag` and `\nonumber` in a formula. They say
//! how the formula is numbered, not what it shows, so they are taken out of its source before
//! anything reads it: each is blanked (its bytes become spaces, which TeX's math mode
//! ignores), and every other command keeps its column for the diagnostics.

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
}

/// A tag command found in a formula.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FoundTag {
    /// Its bytes in the formula's source (backslash to closing brace).
    pub range: Range<usize>,
    /// What it asks for; `None` for a `\tag` whose braces are missing or never close.
    pub command: Option<TagCommand>,
}

/// The formula's source with its tag commands blanked, and the commands found, in order.
/// A source without any is returned as it is (no copy is made when there is no backslash
/// followed by `tag`, `notag` or `nonumber`).
pub(crate) fn take_tags(source: &str) -> (String, Vec<FoundTag>) {
    let found = find_tags(source);
    if found.is_empty() {
        return (source.to_string(), found);
    }
    let mut blanked = source.as_bytes().to_vec();
    for tag in &found {
        blanked[tag.range.clone()].fill(b' ');
    }
    // Whole commands (ASCII from the backslash to the closing brace, whatever the text
    // between holds) become spaces: the rest is the source's own UTF-8, cut at its ASCII.
    let blanked = String::from_utf8(blanked).unwrap_or_else(|_| source.to_string());
    (blanked, found)
}

/// Every `\tag`, `\tag*`, `\notag` and `\nonumber` in `source`, with its range.
fn find_tags(source: &str) -> Vec<FoundTag> {
    let mut found: Vec<FoundTag> = Vec::new();
    for (range, name) in super::control_words(source) {
        // A command inside a `\tag{…}` already read is part of its text.
        if found.last().is_some_and(|tag| range.start < tag.range.end) {
            continue;
        }
        match name {
            "notag" | "nonumber" => found.push(FoundTag {
                range,
                command: Some(TagCommand::NoNumber),
            }),
            "tag" => found.push(read_tag(source, range.start, range.end)),
            _ => {}
        }
    }
    found
}

/// The `\tag` whose name ends at `name_end`: its star, its braced text.
fn read_tag(source: &str, start: usize, name_end: usize) -> FoundTag {
    let bytes = source.as_bytes();
    let skip_spaces = |mut i: usize| {
        while i < bytes.len() && bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        i
    };
    let mut at = skip_spaces(name_end);
    let starred = bytes.get(at) == Some(&b'*');
    if starred {
        at = skip_spaces(at + 1);
    }
    let unread = FoundTag {
        range: start..name_end,
        command: None,
    };
    if bytes.get(at) != Some(&b'{') {
        return unread;
    }
    let Some(close) = matching_brace(bytes, at) else {
        return unread;
    };
    FoundTag {
        range: start..close + 1,
        command: Some(TagCommand::Tag {
            text: source[at + 1..close].trim().to_string(),
            starred,
        }),
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
        let (blanked, found) = take_tags(r"E = mc^2 \tag{A.1}");
        assert_eq!(blanked, format!("E = mc^2 {}", " ".repeat(9)));
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].range, 9..18);
        assert_eq!(found[0].command, tag("A.1", false));
    }

    #[test]
    fn a_starred_tag_and_nested_braces() {
        let (blanked, found) = take_tags(r"x \tag* {$\star$ {b}} + y");
        assert_eq!(found[0].command, tag(r"$\star$ {b}", true));
        assert_eq!(blanked.trim_start_matches('x').trim_start(), "+ y");
        assert_eq!(blanked.len(), r"x \tag* {$\star$ {b}} + y".len());
    }

    #[test]
    fn notag_and_nonumber_ask_for_no_number() {
        let (blanked, found) = take_tags(r"a \\ b \notag \\ c\nonumber");
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
        let (blanked, found) = take_tags(source);
        assert!(found.is_empty());
        assert_eq!(blanked, source);
    }

    #[test]
    fn a_tag_without_braces_or_unclosed_is_unread() {
        for source in [r"x \tag A", r"x \tag{A", r"x \tag"] {
            let (blanked, found) = take_tags(source);
            assert_eq!(found.len(), 1, "{source}");
            assert_eq!(found[0].command, None, "{source}");
            assert_eq!(found[0].range, 2..6, "{source}");
            assert!(!blanked.contains(r"\tag"), "{source}");
        }
    }

    #[test]
    fn multibyte_text_keeps_the_source_valid() {
        let (blanked, found) = take_tags("α \\tag{é†} β");
        assert_eq!(found[0].command, tag("é†", false));
        assert!(blanked.starts_with("α ") && blanked.ends_with(" β"));
        assert_eq!(blanked.len(), "α \\tag{é†} β".len());
    }
}
