//! Selectors checked against the CSS Selectors grammar, so that a rule EPUBCheck and reading
//! systems would refuse (`h1 >, p`, `a[href;]`, `p:unknown(.x)`) is dropped with a warning
//! instead of shipped.
//!
//! The check walks cssparser's tokens: a list of complex selectors, each compound selectors
//! (type or `*`, then `#id`, `.class`, `[attribute]`, `:pseudo`) joined by combinators.
//! Functional pseudo-classes are checked by what they take (a selector list, `An+B`, a
//! language); unknown ones are refused, since their argument cannot be checked.

use cssparser::{ParseError, Parser, Token};

/// How deep `:not(:is(…))` may nest.
const MAX_DEPTH: usize = 8;

type Checked = Result<(), ParseError<()>>;

/// True when the rest of `p` is a valid selector list; `keyframe` for the selectors of
/// `@keyframes` (`from`, `to`, percentages).
pub fn is_valid_selector_list(p: &mut Parser, keyframe: bool) -> bool {
    if keyframe {
        keyframe_selectors(p)
    } else {
        selector_list(p, false, 0)
    }
}

fn keyframe_selectors(p: &mut Parser) -> bool {
    let mut expect_selector = true;
    while let Ok(token) = p.next() {
        let ok = match token {
            Token::Ident(name) if expect_selector => {
                name.eq_ignore_ascii_case("from") || name.eq_ignore_ascii_case("to")
            }
            Token::Percentage { .. } => expect_selector,
            Token::Comma => !expect_selector,
            _ => false,
        };
        if !ok {
            return false;
        }
        expect_selector = matches!(token, Token::Comma);
    }
    !expect_selector
}

/// Where the walk through a complex selector is.
#[derive(Clone, Copy, PartialEq, Eq)]
enum State {
    /// A compound selector must come (at the start, after a comma or a combinator).
    Start,
    /// Inside a compound selector, right after a type selector or `*`.
    AfterType,
    /// Inside a compound selector, after another simple selector.
    InCompound,
    /// After whitespace that follows a compound selector (a descendant combinator, or
    /// space before another combinator or a comma).
    AfterSpace,
}

/// A comma-separated list of complex selectors (relative ones, `> p`, for `:has()`).
fn selector_list(p: &mut Parser, relative: bool, depth: usize) -> bool {
    let mut state = State::Start;
    let mut leading = true;
    loop {
        let Ok(token) = p.next_including_whitespace().cloned() else {
            return matches!(
                state,
                State::AfterType | State::InCompound | State::AfterSpace
            );
        };
        let in_compound = matches!(state, State::AfterType | State::InCompound);
        let after_compound = in_compound || state == State::AfterSpace;
        let next = match token {
            Token::WhiteSpace(_) if after_compound => Some(State::AfterSpace),
            Token::WhiteSpace(_) => Some(state),
            Token::Comma if after_compound => {
                leading = true;
                Some(State::Start)
            }
            Token::Delim('>' | '+' | '~') if after_compound || (relative && leading) => {
                Some(State::Start)
            }
            Token::Ident(_) | Token::Delim('*') if !in_compound => Some(State::AfterType),
            Token::Delim('|') if state == State::AfterType => {
                type_after_namespace(p).then_some(State::AfterType)
            }
            Token::IDHash(_) => Some(State::InCompound),
            Token::Delim('.') => class_name(p).then_some(State::InCompound),
            Token::SquareBracketBlock => attribute(p).then_some(State::InCompound),
            Token::Colon => pseudo(p, depth).then_some(State::InCompound),
            _ => None,
        };
        match next {
            Some(next) => {
                if !matches!(token, Token::WhiteSpace(_) | Token::Comma) {
                    leading = false;
                }
                state = next;
            }
            None => return false,
        }
    }
}

/// `ns|` was read: a type name or `*` must follow at once.
fn type_after_namespace(p: &mut Parser) -> bool {
    matches!(
        p.next_including_whitespace(),
        Ok(Token::Ident(_) | Token::Delim('*'))
    )
}

/// `.` was read: a class name must follow at once.
fn class_name(p: &mut Parser) -> bool {
    matches!(p.next_including_whitespace(), Ok(Token::Ident(_)))
}

/// `[name]` or `[name op value]`, with `ns|name` allowed.
fn attribute(p: &mut Parser) -> bool {
    p.parse_nested_block(|p| -> Checked {
        let ok = attribute_inside(p);
        if ok {
            Ok(())
        } else {
            Err(ParseError::custom(()))
        }
    })
    .is_ok()
}

fn attribute_inside(p: &mut Parser) -> bool {
    if !matches!(p.next(), Ok(Token::Ident(_))) {
        return false;
    }
    if p.try_parse(|p| match p.next_including_whitespace() {
        Ok(Token::Delim('|')) => Ok(()),
        _ => Err(()),
    })
    .is_ok()
        && !matches!(p.next_including_whitespace(), Ok(Token::Ident(_)))
    {
        return false;
    }
    let operator = match p.next() {
        Err(_) => return true,
        Ok(token) => matches!(
            token,
            Token::Delim('=')
                | Token::IncludeMatch
                | Token::DashMatch
                | Token::PrefixMatch
                | Token::SuffixMatch
                | Token::SubstringMatch
        ),
    };
    if !operator || !matches!(p.next(), Ok(Token::Ident(_) | Token::QuotedString(_))) {
        return false;
    }
    // Selectors 4's case flag (`[a="x" i]`) is left out: EPUBCheck refuses it.
    p.next().is_err()
}

/// `:` was read: `:name`, `::name`, or a functional pseudo-class octavo can check.
fn pseudo(p: &mut Parser, depth: usize) -> bool {
    let element = p
        .try_parse(|p| match p.next_including_whitespace() {
            Ok(Token::Colon) => Ok(()),
            _ => Err(()),
        })
        .is_ok();
    let name = match p.next_including_whitespace() {
        Ok(Token::Ident(_)) => return true,
        Ok(Token::Function(name)) if !element => name.to_ascii_lowercase(),
        _ => return false,
    };
    if depth >= MAX_DEPTH {
        return false;
    }
    p.parse_nested_block(|p| -> Checked {
        let ok = pseudo_argument(p, &name, depth);
        if ok {
            Ok(())
        } else {
            Err(ParseError::custom(()))
        }
    })
    .is_ok()
}

fn pseudo_argument(p: &mut Parser, name: &str, depth: usize) -> bool {
    match name {
        "not" | "is" | "where" | "matches" | "-webkit-any" | "-moz-any" => {
            selector_list(p, false, depth + 1)
        }
        "has" => selector_list(p, true, depth + 1),
        "nth-child" | "nth-last-child" => {
            cssparser::parse_nth(p).is_ok()
                && (p.is_exhausted()
                    || (p.expect_ident_matching("of").is_ok()
                        && selector_list(p, false, depth + 1)))
        }
        "nth-of-type" | "nth-last-of-type" => cssparser::parse_nth(p).is_ok() && p.is_exhausted(),
        "lang" => {
            let mut expect_language = true;
            while let Ok(token) = p.next() {
                let ok = match token {
                    Token::Ident(_) | Token::QuotedString(_) => expect_language,
                    Token::Comma => !expect_language,
                    _ => false,
                };
                if !ok {
                    return false;
                }
                expect_language = matches!(token, Token::Comma);
            }
            !expect_language
        }
        "dir" => {
            matches!(p.next(), Ok(Token::Ident(d)) if d.eq_ignore_ascii_case("ltr") || d.eq_ignore_ascii_case("rtl"))
                && p.is_exhausted()
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn valid(selector: &str) -> bool {
        is_valid_selector_list(&mut Parser::new(selector), false)
    }

    #[test]
    fn selectors_books_use_are_valid() {
        for selector in [
            "p",
            "h1 + p, h2 + p",
            "blockquote > p:first-child",
            "a[href^=\"http\"]",
            "a[ href = x ]",
            "p:not(.a)::before",
            ":is(h1, h2) em",
            "li:nth-child(2n + 1)",
            "li:nth-child(odd of .x)",
            "p:lang(km)",
            "html|p",
            "*",
            "section.footnotes aside",
            "[lang|=\"km\"]",
            "div:has(> img)",
            "nav[hidden]",
            "#id.class",
            "p ~ q",
        ] {
            assert!(valid(selector), "{selector}");
        }
    }

    #[test]
    fn broken_selectors_are_invalid() {
        for selector in [
            "h4 >, a",
            "a[hr;ef]",
            "a[h*/ref]",
            "a[,href]",
            "p:nodirectiont(.x)",
            "5",
            "p,",
            ", p",
            "p >",
            "p..x",
            "p::before(x)",
            "p:not()",
            "& .x",
            "p#1a",
            "a[href=]",
            "a[href=x y]",
            "a[href=x i]",
        ] {
            assert!(!valid(selector), "{selector}");
        }
    }

    #[test]
    fn keyframe_selectors() {
        let check = |s: &str| is_valid_selector_list(&mut Parser::new(s), true);
        assert!(check("from") && check("50%, to") && check("0%,100%"));
        assert!(!check("p") && !check("from,") && !check("50"));
    }
}
