//! pulldown-latex's MathML made valid for EPUB 3 (MathML 3, as EPUBCheck checks it): an
//! attribute written straight after the previous one's closing quote gets its space
//! (`stretchy="true"minsize=…`), and an `mrow` given `displaystyle` or `scriptlevel`
//! (attributes only `mstyle` may carry in MathML 3) becomes an `mstyle`; in text, a bare
//! `<` (`<mo><</mo>`) is escaped and HTML's `&nbsp;`, which XML does not know, is a
//! character reference; the thin space pulldown-latex puts before a function name is moved
//! out of the script element it would otherwise be the base of.

/// The thin space pulldown-latex writes before a function name: inside a script element
/// it would be the script's base (`<msub><mspace/><mi>log</mi>…`).
const FUNCTION_SPACE: &str = "<mspace width=\"0.1667em\" />";

/// Elements whose first child is a base.
const SCRIPTED: [&str; 6] = ["msub", "msup", "msubsup", "munder", "mover", "munderover"];

/// The MathML with those faults mended.
pub(super) fn mended(mathml: &str) -> String {
    let mut mathml = std::borrow::Cow::Borrowed(mathml);
    for name in SCRIPTED {
        let wrong = format!("<{name}>{FUNCTION_SPACE}");
        if mathml.contains(&wrong) {
            let right = format!("{FUNCTION_SPACE}<{name}>");
            mathml = std::borrow::Cow::Owned(mathml.replace(&wrong, &right));
        }
    }
    well_formed(&mathml)
}

/// The MathML with its tags' attributes spaced, styled rows as `mstyle` and its text
/// well-formed XML.
fn well_formed(mathml: &str) -> String {
    let mut out = String::with_capacity(mathml.len() + 16);
    let mut open_names: Vec<&'static str> = Vec::new();
    let mut rest = mathml;
    while let Some(start) = rest.find('<') {
        push_text(&rest[..start], &mut out);
        let opens_tag = rest[start + 1..]
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '/');
        if !opens_tag {
            out.push_str("&lt;");
            rest = &rest[start + 1..];
            continue;
        }
        let Some(length) = rest[start..].find('>') else {
            push_text(&rest[start..], &mut out);
            return out;
        };
        let tag = &rest[start..=start + length];
        out.push_str(&mended_tag(tag, &mut open_names));
        rest = &rest[start + length + 1..];
    }
    push_text(rest, &mut out);
    out
}

/// Text between tags, with `&` that starts no XML reference escaped (`&nbsp;` becomes
/// `&#160;`).
fn push_text(text: &str, out: &mut String) {
    let mut rest = text;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        let after = &rest[at..];
        let reference = after.find(';').map(|end| &after[..=end]);
        match reference {
            Some("&nbsp;") => {
                out.push_str("&#160;");
                rest = &after[6..];
                continue;
            }
            Some(r) if is_xml_reference(r) => out.push('&'),
            _ => out.push_str("&amp;"),
        }
        rest = &after[1..];
    }
    out.push_str(rest);
}

/// `&amp;`, `&lt;`, `&gt;`, `&quot;`, `&apos;` or a numeric reference.
fn is_xml_reference(reference: &str) -> bool {
    let name = &reference[1..reference.len() - 1];
    matches!(name, "amp" | "lt" | "gt" | "quot" | "apos")
        || name.strip_prefix('#').is_some_and(|n| {
            let digits = n.strip_prefix('x').unwrap_or(n);
            !digits.is_empty() && digits.chars().all(|c| c.is_ascii_hexdigit())
        })
}

/// One tag mended; `renamed` tracks, for each open `mrow`, whether it became `mstyle`.
fn mended_tag(tag: &str, renamed: &mut Vec<&'static str>) -> String {
    let spaced = spaced_attributes(tag);
    if spaced.starts_with("</mrow") {
        let name = renamed.pop().unwrap_or("mrow");
        return format!("</{name}>");
    }
    if spaced.starts_with("<mrow") && !spaced.ends_with("/>") {
        let styled = spaced.contains(" displaystyle=") || spaced.contains(" scriptlevel=");
        if styled {
            renamed.push("mstyle");
            return spaced.replacen("<mrow", "<mstyle", 1);
        }
        renamed.push("mrow");
    }
    spaced
}

/// The tag with a space between an attribute's closing quote and a following name.
fn spaced_attributes(tag: &str) -> String {
    let mut out = String::with_capacity(tag.len() + 4);
    let mut quote: Option<char> = None;
    let mut after_value = false;
    for c in tag.chars() {
        if after_value && c.is_ascii_alphabetic() {
            out.push(' ');
        }
        after_value = false;
        match (quote, c) {
            (None, '"' | '\'') => quote = Some(c),
            (Some(q), c) if c == q => {
                quote = None;
                after_value = true;
            }
            _ => {}
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::mended;

    #[test]
    fn text_is_well_formed_xml() {
        assert_eq!(
            mended("<math><mo><</mo><mtext>a&nbsp;b &amp; c & d</mtext></math>"),
            "<math><mo>&lt;</mo><mtext>a&#160;b &amp; c &amp; d</mtext></math>"
        );
    }

    #[test]
    fn attributes_get_their_space_and_styled_rows_become_mstyle() {
        let bad = r#"<math><mrow displaystyle="true" scriptlevel="0"><mrow><mo stretchy="true"minsize="1.2em">(</mo></mrow></mrow><mrow/></math>"#;
        assert_eq!(
            mended(bad),
            r#"<math><mstyle displaystyle="true" scriptlevel="0"><mrow><mo stretchy="true" minsize="1.2em">(</mo></mrow></mstyle><mrow/></math>"#
        );
    }
}
