//! pulldown-latex's MathML made valid for EPUB 3 (MathML 3, as EPUBCheck checks it): an
//! attribute written straight after the previous one's closing quote gets its space
//! (`stretchy="true"minsize=…`), and an `mrow` given `displaystyle` or `scriptlevel`
//! (attributes only `mstyle` may carry in MathML 3) becomes an `mstyle`.

/// The MathML with those two faults mended.
pub(super) fn mended(mathml: &str) -> String {
    let mut out = String::with_capacity(mathml.len() + 16);
    let mut open_names: Vec<&'static str> = Vec::new();
    let mut rest = mathml;
    while let Some(start) = rest.find('<') {
        out.push_str(&rest[..start]);
        let Some(length) = rest[start..].find('>') else {
            out.push_str(&rest[start..]);
            return out;
        };
        let tag = &rest[start..=start + length];
        out.push_str(&mended_tag(tag, &mut open_names));
        rest = &rest[start + length + 1..];
    }
    out.push_str(rest);
    out
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
    fn attributes_get_their_space_and_styled_rows_become_mstyle() {
        let bad = r#"<math><mrow displaystyle="true" scriptlevel="0"><mrow><mo stretchy="true"minsize="1.2em">(</mo></mrow></mrow><mrow/></math>"#;
        assert_eq!(
            mended(bad),
            r#"<math><mstyle displaystyle="true" scriptlevel="0"><mrow><mo stretchy="true" minsize="1.2em">(</mo></mrow></mstyle><mrow/></math>"#
        );
    }
}
