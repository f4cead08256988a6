//! TeX markup in BibLaTeX fields. The `biblatex` crate resolves accents (`\"o`) and dashes
//! (`--`) in plain text, but leaves text commands (`\emph{Time}`, `\mkbibquote{…}`) as
//! written, keeps `~` (TeX's unbreakable space) literally, and hayagriva's import ignores
//! `subtitle` (hayagriva `src/interop.rs`: "Ignoring subtitle and titleaddon for now"). Each
//! entry is tidied here, between parsing and hayagriva's import, as biber and pandoc read it:
//! - a text command prints its argument (`\emph{Time}` → `Time`; a BibLaTeX field cannot
//!   hand hayagriva emphasis, so the text stays upright, as in hayagriva's own import);
//! - a quoting command prints its argument in quotation marks;
//! - `~` is an unbreakable space, and a plain space in a name, so that `J.~R.~R.` is three
//!   initials;
//! - a subtitle joins its title after a colon (`title: subtitle`), as biblatex prints it, and
//!   a `titleaddon` follows as a sentence of its own, as pandoc reads it;
//! - the titles of an English entry are put in sentence case, words in braces aside, as
//!   pandoc's citeproc reads BibTeX titles: a style that wants title case (Chicago, MLA)
//!   capitalises them again, one that wants sentence case (APA, IEEE) prints them as they
//!   are (hayagriva only ever capitalises, so APA printed Title Case);
//! - a word written in mixed case (`WorldCat`, `iPhone`) keeps its case when a style changes
//!   the case of titles, as if written in braces (pandoc and biber do the same).

use biblatex::{Chunk, Entry};

/// Fields whose text is an address or code, never prose: left as written.
const CODE_FIELDS: &[&str] = &["url", "doi", "eprint", "file", "pdf", "urlraw", "verba"];

/// Fields holding a list of names.
const NAME_FIELDS: &[&str] = &[
    "author",
    "editor",
    "editora",
    "editorb",
    "editorc",
    "translator",
    "bookauthor",
    "annotator",
    "commentator",
    "introduction",
    "foreword",
    "afterword",
    "holder",
];

/// Commands that print their argument as it is.
const TEXT_COMMANDS: &[&str] = &[
    "emph",
    "textit",
    "textbf",
    "textsc",
    "textup",
    "textsl",
    "textsf",
    "texttt",
    "textrm",
    "textmd",
    "textnormal",
    "mkbibemph",
    "mkbibitalic",
    "mkbibbold",
    "mkbibacro",
    "nocase",
    "NoCaseChange",
    "mbox",
    "hbox",
];

/// Commands that print their argument in quotation marks.
const QUOTE_COMMANDS: &[&str] = &["mkbibquote", "enquote", "textquote"];

/// The quotation marks around a quoting command's argument.
const OPEN_QUOTE: char = '\u{201C}';
const CLOSE_QUOTE: char = '\u{201D}';

/// TeX's unbreakable space `~`, as printed.
const NO_BREAK_SPACE: char = '\u{A0}';

/// Subtitle fields and the title field each completes.
const SUBTITLES: &[(&str, &str)] = &[
    ("subtitle", "title"),
    ("booksubtitle", "booktitle"),
    ("mainsubtitle", "maintitle"),
    ("journalsubtitle", "journaltitle"),
    ("issuesubtitle", "issuetitle"),
];

/// What joins a title and its subtitle.
const SUBTITLE_SEPARATOR: &str = ": ";

/// Tidies every field of `entry` (see the module docs).
pub(super) fn tidy_entry(entry: &mut Entry) {
    for (field, chunks) in entry.fields.iter_mut() {
        if CODE_FIELDS.contains(&field.as_str()) {
            continue;
        }
        let is_name = NAME_FIELDS.contains(&field.as_str());
        for chunk in chunks.iter_mut() {
            if let Chunk::Normal(text) | Chunk::Verbatim(text) = &mut chunk.v {
                if text.contains(['\\', '~']) {
                    *text = plain(text, is_name);
                }
            }
        }
    }
    join_subtitles(entry);
    if is_english(entry) {
        for field in SENTENCE_CASE_FIELDS {
            if let Some(chunks) = entry.fields.get_mut(*field) {
                sentence_case(chunks);
            }
        }
    }
    join_title_addon(entry);
    protect_mixed_case(entry);
}

/// Title fields put in sentence case, those pandoc's reader puts in sentence case (a
/// journal's title is a name, kept as written).
const SENTENCE_CASE_FIELDS: &[&str] = &[
    "title",
    "shorttitle",
    "booktitle",
    "maintitle",
    "issuetitle",
    "series",
    "eventtitle",
    "origtitle",
    "titleaddon",
];

/// Whether the entry is in English: no `langid`/`language`, or an English one.
fn is_english(entry: &Entry) -> bool {
    let language = ["langid", "language"]
        .iter()
        .find_map(|field| entry.fields.get(*field));
    let Some(chunks) = language else {
        return true;
    };
    let name: String = chunks
        .iter()
        .map(|c| match &c.v {
            Chunk::Normal(t) | Chunk::Verbatim(t) | Chunk::Math(t) => t.to_ascii_lowercase(),
        })
        .collect();
    let name = name.trim();
    name.starts_with("en") || ["american", "british", "australian", "canadian"].contains(&name)
}

/// Lowercases each capitalised word (`Printing`, not `NASA`, `WorldCat` or a word in braces)
/// that does not open the title or follow a colon, question or exclamation mark.
fn sentence_case(chunks: &mut [biblatex::Spanned<Chunk>]) {
    let mut opens_sentence = true;
    for chunk in chunks.iter_mut() {
        match &mut chunk.v {
            Chunk::Normal(text) => *text = sentence_case_text(text, &mut opens_sentence),
            Chunk::Verbatim(text) | Chunk::Math(text) => {
                if let Some(last) = text.trim_end().chars().last() {
                    opens_sentence = matches!(last, ':' | '?' | '!');
                }
            }
        }
    }
}

fn sentence_case_text(text: &str, opens_sentence: &mut bool) -> String {
    let mut out = String::with_capacity(text.len());
    for part in text.split_inclusive(char::is_whitespace) {
        let word = part.trim_end();
        if !word.chars().any(char::is_alphabetic) {
            out.push_str(part);
            if let Some(last) = word.chars().last() {
                *opens_sentence |= matches!(last, ':' | '?' | '!');
            }
            continue;
        }
        if !*opens_sentence && is_capitalised(word) {
            out.push_str(&lowercase_first_letter(word));
            out.push_str(&part[word.len()..]);
        } else {
            out.push_str(part);
        }
        *opens_sentence = word.ends_with([':', '?', '!']);
    }
    out
}

/// A word that opens with a capital and whose other letters are small (`Printing`; not a
/// quoted “Ulysses”, which pandoc leaves alone too).
fn is_capitalised(word: &str) -> bool {
    if !word.starts_with(char::is_alphabetic) {
        return false;
    }
    let mut letters = word.chars().filter(|c| c.is_alphabetic());
    let first_is_capital = letters.next().is_some_and(char::is_uppercase);
    first_is_capital && letters.all(char::is_lowercase)
}

/// `word` with its first letter small.
fn lowercase_first_letter(word: &str) -> String {
    let mut out = String::with_capacity(word.len());
    let mut done = false;
    for c in word.chars() {
        if !done && c.is_alphabetic() {
            out.extend(c.to_lowercase());
            done = true;
        } else {
            out.push(c);
        }
    }
    out
}

/// Splits each mixed-case word of the prose fields into a verbatim chunk of its own.
fn protect_mixed_case(entry: &mut Entry) {
    for (field, chunks) in entry.fields.iter_mut() {
        if CODE_FIELDS.contains(&field.as_str()) || NAME_FIELDS.contains(&field.as_str()) {
            continue;
        }
        if !chunks
            .iter()
            .any(|c| matches!(&c.v, Chunk::Normal(t) if has_mixed_case_word(t)))
        {
            continue;
        }
        let mut split = Vec::with_capacity(chunks.len() + 2);
        for chunk in chunks.drain(..) {
            match &chunk.v {
                Chunk::Normal(text) if has_mixed_case_word(text) => {
                    for (piece, verbatim) in mixed_case_pieces(text) {
                        let v = if verbatim {
                            Chunk::Verbatim(piece)
                        } else {
                            Chunk::Normal(piece)
                        };
                        split.push(biblatex::Spanned::new(v, chunk.span.clone()));
                    }
                }
                _ => split.push(chunk),
            }
        }
        *chunks = split;
    }
}

/// A word with a capital after its first letter and a small letter somewhere (`WorldCat`,
/// `iPhone`), which no case rule would write.
fn is_mixed_case(word: &str) -> bool {
    let mut letters = word.chars().filter(|c| c.is_alphabetic());
    let Some(first) = letters.next() else {
        return false;
    };
    let (mut upper_after_first, mut lower) = (false, first.is_lowercase());
    for c in letters {
        upper_after_first |= c.is_uppercase();
        lower |= c.is_lowercase();
    }
    upper_after_first && lower
}

fn has_mixed_case_word(text: &str) -> bool {
    text.split_whitespace().any(is_mixed_case)
}

/// `text` cut into runs: mixed-case words (true) and the text between them (false).
fn mixed_case_pieces(text: &str) -> Vec<(String, bool)> {
    let mut pieces: Vec<(String, bool)> = Vec::new();
    let mut plain = String::new();
    for part in text.split_inclusive(char::is_whitespace) {
        let word = part.trim_end();
        if is_mixed_case(word) {
            if !plain.is_empty() {
                pieces.push((std::mem::take(&mut plain), false));
            }
            pieces.push((word.to_string(), true));
            plain.push_str(&part[word.len()..]);
        } else {
            plain.push_str(part);
        }
    }
    if !plain.is_empty() {
        pieces.push((plain, false));
    }
    pieces
}

/// Appends each subtitle to its title; a subtitle without a title is left alone.
fn join_subtitles(entry: &mut Entry) {
    for (subtitle_field, title_field) in SUBTITLES {
        let Some(subtitle) = entry.fields.get(*subtitle_field).cloned() else {
            continue;
        };
        if *title_field == "title" && !entry.fields.contains_key("shorttitle") {
            // The short form of a title (later notes, MLA) is the title without subtitle.
            if let Some(title) = entry.fields.get("title").cloned() {
                entry.fields.insert("shorttitle".to_string(), title);
            }
        }
        let Some(title) = entry.fields.get_mut(*title_field) else {
            continue;
        };
        let span = title
            .last()
            .map_or(0..0, |chunk| chunk.span.end..chunk.span.end);
        let separator = Chunk::Normal(SUBTITLE_SEPARATOR.to_string());
        title.push(biblatex::Spanned::new(separator, span));
        title.extend(subtitle);
        entry.fields.remove(*subtitle_field);
    }
}

/// What joins a title and its addendum, a sentence of its own.
const TITLE_ADDON_SEPARATOR: &str = ". ";

/// Appends the `titleaddon` to the title as a sentence of its own, as pandoc reads it
/// (hayagriva's import leaves it out); the short title stays without it. Done after the
/// titles are put in sentence case, so that the addendum keeps its capital.
fn join_title_addon(entry: &mut Entry) {
    let Some(addon) = entry.fields.get("titleaddon").cloned() else {
        return;
    };
    let Some(title) = entry.fields.get("title").cloned() else {
        return;
    };
    if !entry.fields.contains_key("shorttitle") {
        entry.fields.insert("shorttitle".to_string(), title.clone());
    }
    let mut joined = title;
    let span = joined
        .last()
        .map_or(0..0, |chunk| chunk.span.end..chunk.span.end);
    let separator = Chunk::Normal(TITLE_ADDON_SEPARATOR.to_string());
    joined.push(biblatex::Spanned::new(separator, span));
    joined.extend(addon);
    entry.fields.insert("title".to_string(), joined);
    entry.fields.remove("titleaddon");
}

/// `text` with its text commands replaced by their argument and `~` by a space.
fn plain(text: &str, is_name: bool) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(['\\', '~']) {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        if let Some(after) = rest.strip_prefix('~') {
            out.push(if is_name { ' ' } else { NO_BREAK_SPACE });
            rest = after;
            continue;
        }
        match command(rest) {
            Some((name, argument, after)) => {
                let inner = plain(argument, is_name);
                if QUOTE_COMMANDS.contains(&name) {
                    out.push(OPEN_QUOTE);
                    out.push_str(&inner);
                    out.push(CLOSE_QUOTE);
                } else {
                    out.push_str(&inner);
                }
                rest = after;
            }
            None => {
                out.push('\\');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// A known command with a braced argument at the start of `text` (`\emph{Time} rest`):
/// its name, its argument and the text after it. `None` for anything else.
fn command(text: &str) -> Option<(&str, &str, &str)> {
    let body = text.strip_prefix('\\')?;
    let name_len = body
        .find(|c: char| !c.is_ascii_alphabetic())
        .unwrap_or(body.len());
    let name = &body[..name_len];
    if !TEXT_COMMANDS.contains(&name) && !QUOTE_COMMANDS.contains(&name) {
        return None;
    }
    let after_name = body[name_len..].trim_start();
    let inside = after_name.strip_prefix('{')?;
    let close = matching_brace(inside)?;
    Some((name, &inside[..close], &inside[close + 1..]))
}

/// Byte offset of the `}` closing a group whose `{` came just before `text`.
fn matching_brace(text: &str) -> Option<usize> {
    let mut depth = 0usize;
    for (at, c) in text.char_indices() {
        match c {
            '{' => depth += 1,
            '}' if depth == 0 => return Some(at),
            '}' => depth -= 1,
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tidied(bib: &str, key: &str, field: &str) -> String {
        let mut parsed = biblatex::Bibliography::parse(bib).expect("a bibliography");
        for entry in parsed.iter_mut() {
            tidy_entry(entry);
        }
        let entry = parsed.get(key).expect("the entry");
        let chunks = entry.fields.get(field).expect("the field");
        chunks
            .iter()
            .map(|c| match &c.v {
                Chunk::Normal(s) | Chunk::Verbatim(s) | Chunk::Math(s) => s.as_str(),
            })
            .collect()
    }

    #[test]
    fn text_commands_print_their_argument() {
        let bib = r"@book{a, title = {A brief history of \emph{time} and \textit{space}}}";
        assert_eq!(
            tidied(bib, "a", "title"),
            "A brief history of time and space"
        );
    }

    #[test]
    fn quoting_commands_print_quotation_marks() {
        let bib = r"@article{a, title = {Reading \mkbibquote{Ulysses} Again}}";
        assert_eq!(tidied(bib, "a", "title"), "Reading “Ulysses” again");
    }

    #[test]
    fn nested_and_unknown_commands() {
        let bib = r"@book{a, title = {\emph{On \textbf{bold}} \unknown{x} \emph}}";
        // biblatex itself writes an unknown command without argument back with a space.
        assert_eq!(tidied(bib, "a", "title"), r"On bold \unknown{x} \emph ");
    }

    #[test]
    fn a_tie_is_a_space_in_names_and_unbreakable_elsewhere() {
        let bib = "@book{a, author = {Tolkien, J.~R.~R.}, title = {Vol.~1}}";
        assert_eq!(tidied(bib, "a", "author"), "Tolkien, J. R. R.");
        assert_eq!(tidied(bib, "a", "title"), "Vol.\u{A0}1");
    }

    #[test]
    fn addresses_keep_their_tildes() {
        let bib = "@online{a, url = {https://example.org/~user}}";
        assert_eq!(tidied(bib, "a", "url"), "https://example.org/~user");
    }

    #[test]
    fn mixed_case_words_are_protected() {
        let mut parsed =
            biblatex::Bibliography::parse("@book{a, title = {Searching WorldCat with an iPhone}}")
                .expect("a bibliography");
        let entry = parsed.iter_mut().next().expect("an entry");
        tidy_entry(entry);
        let chunks: Vec<(bool, &str)> = entry.fields["title"]
            .iter()
            .map(|c| match &c.v {
                Chunk::Verbatim(t) => (true, t.as_str()),
                Chunk::Normal(t) | Chunk::Math(t) => (false, t.as_str()),
            })
            .collect();
        assert_eq!(
            chunks,
            [
                (false, "Searching "),
                (true, "WorldCat"),
                (false, " with an "),
                (true, "iPhone")
            ]
        );
        assert!(!is_mixed_case("S-21") && !is_mixed_case("NASA") && !is_mixed_case("Ji-woo"));
    }

    #[test]
    fn english_titles_are_put_in_sentence_case() {
        let bib = "@book{a, title = {Paper and Ink}, subtitle = {Making Books by {Hand} in NASA's \
                   {Pol Pot} Era}, booktitle = {Essays on Scripts}, journaltitle = {Journal of \
                   Things}}";
        assert_eq!(
            tidied(bib, "a", "title"),
            "Paper and ink: Making books by Hand in NASA's Pol Pot era"
        );
        assert_eq!(tidied(bib, "a", "booktitle"), "Essays on scripts");
        assert_eq!(tidied(bib, "a", "journaltitle"), "Journal of Things");
        let bib = "@inproceedings{a, series = {Lecture Notes in {Computer Science}}, \
                   eventtitle = {Type Conference}}";
        assert_eq!(
            tidied(bib, "a", "series"),
            "Lecture notes in Computer Science"
        );
        assert_eq!(tidied(bib, "a", "eventtitle"), "Type conference");
        let bib = "@book{a, title = {Krieg und Frieden}, langid = {german}}";
        assert_eq!(tidied(bib, "a", "title"), "Krieg und Frieden");
    }

    #[test]
    fn a_title_addon_is_a_sentence_after_the_title() {
        let bib = "@book{a, title = {Main Work}, subtitle = {A Sub}, \
                   titleaddon = {With a Supplement}}";
        assert_eq!(
            tidied(bib, "a", "title"),
            "Main work: A sub. With a supplement"
        );
        assert_eq!(tidied(bib, "a", "shorttitle"), "Main work");
    }

    #[test]
    fn a_subtitle_joins_its_title() {
        let bib = "@book{a, title = {Paper and Ink}, subtitle = {Making Books by Hand}}";
        assert_eq!(
            tidied(bib, "a", "title"),
            "Paper and ink: Making books by hand"
        );
        assert_eq!(tidied(bib, "a", "shorttitle"), "Paper and ink");
        let bib = "@incollection{a, booktitle = {Essays}, booksubtitle = {A Reader}}";
        assert_eq!(tidied(bib, "a", "booktitle"), "Essays: A reader");
    }
}
