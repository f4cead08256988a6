//! Author URLs made valid for the EPUB: percent-encoding what RFC 3986 does not allow.
//!
//! Markdown accepts link destinations with spaces (`[x](<https://a.b/c d>)`), `|`, `^`, braces
//! or the `<` and `>` that many DOIs contain; reading systems and EPUBCheck (RSC-020) refuse
//! them in an `href`. Every character outside RFC 3986's unreserved and reserved sets is
//! written as `%XX` (UTF-8 bytes, upper-case hex), while escapes already present are kept,
//! so `%20` stays `%20` and the same URL encodes to itself.

/// Characters RFC 3986 allows as they are outside the authority: unreserved, sub-delims and
/// the gen-delims that may appear in a path, query or fragment (`[`, `]` and a second `#`
/// may not).
fn allowed_outside_authority(c: char) -> bool {
    c.is_ascii_alphanumeric() || "-._~!$&'()*+,;=:@/?".contains(c)
}

/// The URL with every character RFC 3986 does not allow percent-encoded. The authority
/// (`//host:port`) keeps `[` and `]` (IPv6 literals) and its non-ASCII letters (an
/// internationalised domain name is not percent-encoded); the rest of the URL is encoded
/// byte by byte. Only the first `#` starts the fragment; later ones are encoded.
pub fn encode_url(url: &str) -> String {
    let authority_end = authority_end(url);
    let mut out = String::with_capacity(url.len());
    let mut seen_fragment = false;
    for (at, c) in url.char_indices() {
        let in_authority = at < authority_end;
        let keep = match c {
            '%' => starts_with_escape(&url[at..]),
            '#' if !seen_fragment && !in_authority => {
                seen_fragment = true;
                true
            }
            '[' | ']' => in_authority,
            c if in_authority && !c.is_ascii() && !c.is_control() && !c.is_whitespace() => true,
            c => allowed_outside_authority(c),
        };
        if keep {
            out.push(c);
        } else {
            push_escaped(&mut out, c);
        }
    }
    out
}

/// Byte offset where the authority of `scheme://authority/…` ends (0 when there is none).
fn authority_end(url: &str) -> usize {
    let Some(scheme_end) = url.find("://") else {
        return 0;
    };
    let scheme = &url[..scheme_end];
    let is_scheme = scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    if !is_scheme {
        return 0;
    }
    let start = scheme_end + 3;
    let rest = &url[start..];
    start + rest.find(['/', '?', '#']).unwrap_or(rest.len())
}

/// True when `text` starts with `%` and two hexadecimal digits.
fn starts_with_escape(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.len() >= 3 && bytes[1].is_ascii_hexdigit() && bytes[2].is_ascii_hexdigit()
}

fn push_escaped(out: &mut String, c: char) {
    let mut buffer = [0; 4];
    for byte in c.encode_utf8(&mut buffer).bytes() {
        out.push_str(&format!("%{byte:02X}"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_rfc_3986_forbids_is_encoded() {
        assert_eq!(encode_url("https://a.b/c d"), "https://a.b/c%20d");
        assert_eq!(
            encode_url("https://a.b/x|y\\z[1]{2}^<3>\"`"),
            "https://a.b/x%7Cy%5Cz%5B1%5D%7B2%7D%5E%3C3%3E%22%60"
        );
        assert_eq!(
            encode_url(
                "https://doi.org/10.1002/(SICI)1097-4571(199806)49:8<693::AID-ASI4>3.0.CO;2-0"
            ),
            "https://doi.org/10.1002/(SICI)1097-4571(199806)49:8%3C693::AID-ASI4%3E3.0.CO;2-0"
        );
        assert_eq!(encode_url("https://a.b/é"), "https://a.b/%C3%A9");
        assert_eq!(encode_url("mailto:a b@c.d"), "mailto:a%20b@c.d");
    }

    #[test]
    fn escapes_already_there_are_kept_and_encoding_is_idempotent() {
        assert_eq!(encode_url("https://a.b/c%20d"), "https://a.b/c%20d");
        assert_eq!(encode_url("https://a.b/100%"), "https://a.b/100%25");
        assert_eq!(encode_url("https://a.b/%zz"), "https://a.b/%25zz");
        for url in [
            "https://a.b/c d#x#y",
            "https://[::1]:8080/a[b]",
            "https://bücher.de/ü",
        ] {
            let once = encode_url(url);
            assert_eq!(encode_url(&once), once, "{url}");
        }
    }

    #[test]
    fn the_authority_keeps_ipv6_brackets_and_idn_and_only_one_fragment_mark() {
        assert_eq!(
            encode_url("https://[::1]:8080/a[b]"),
            "https://[::1]:8080/a%5Bb%5D"
        );
        assert_eq!(
            encode_url("https://bücher.de/ü"),
            "https://bücher.de/%C3%BC"
        );
        assert_eq!(encode_url("https://a.b/c#d#e"), "https://a.b/c#d%23e");
        assert_eq!(
            encode_url("https://a.b/?q=a+b&r=1"),
            "https://a.b/?q=a+b&r=1"
        );
    }
}
