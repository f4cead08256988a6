use super::*;

/// The class of the first occurrence of `needle` in `text`, when one token covers it all.
fn class_of(tokens: &[CodeToken], text: &str, needle: &str) -> Option<TokenClass> {
    let start = u32::try_from(text.find(needle)?).ok()?;
    let end = start + u32::try_from(needle.len()).ok()?;
    tokens
        .iter()
        .find(|t| t.start <= start && end <= t.end)
        .map(|t| t.class)
}

#[test]
fn rust_is_classified() {
    let text = "// sum\nfn add(a: i32) -> i32 { let s = \"hi\"; a + 42 }\n";
    let tokens = classify("rust,editable", text).expect("rust is known");
    assert_eq!(class_of(&tokens, text, "// sum"), Some(TokenClass::Comment));
    assert_eq!(class_of(&tokens, text, "fn"), Some(TokenClass::Keyword));
    assert_eq!(class_of(&tokens, text, "add"), Some(TokenClass::Function));
    assert_eq!(class_of(&tokens, text, "\"hi\""), Some(TokenClass::String));
    assert_eq!(class_of(&tokens, text, "42"), Some(TokenClass::Number));
}

#[test]
fn tokens_are_ordered_and_disjoint() {
    let text = "def f(x):\n    return x + 1  # one\n";
    let tokens = classify("python", text).expect("python is known");
    assert!(!tokens.is_empty());
    for pair in tokens.windows(2) {
        assert!(pair[0].end <= pair[1].start, "{tokens:?}");
    }
    assert!(tokens
        .iter()
        .all(|t| t.start < t.end && t.end as usize <= text.len()));
}

#[test]
fn unknown_and_plain_languages_are_not_highlighted() {
    assert!(classify("bob", "a -> b").is_none());
    assert!(classify("text", "plain").is_none());
    assert!(classify("pyhton", "x = 1").is_none());
    assert!(matches!(language("pyhton"), Language::Misspelled("python")));
    assert!(matches!(language("gn"), Language::Plain));
}

#[test]
fn a_line_too_long_is_plain() {
    let text = format!("let x = \"{}\";\n", "a".repeat(MAX_LINE));
    assert!(classify("rust", &text).is_none());
}
