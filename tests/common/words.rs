//! The "no word lost" invariant: every word an author wrote reaches the EPUB's text and the
//! PDF's extracted text, in order, unless a diagnostic located on it said why not.
//!
//! The author's words are read from the chapter sources with pulldown-cmark itself (the same
//! options octavo uses), not from octavo's document model, so a word the model drops is caught.
//! Words are compared after normalisation (lower case, letters and digits only), and an output
//! word may be split over several (a hyphenated or wrapped line in the PDF). The main text must
//! appear in order; each footnote's words must appear in order somewhere in its chapter.

use std::ops::Range;
use std::path::Path;

use octavo::Book;
use octavo::{Diagnostics, FileId};
use pulldown_cmark::{Event, Parser, Tag, TagEnd};

/// Marks a word written right after an inline formula (`$t$-statistics`): in the outputs the
/// formula's characters run into it (𝑡-statistics, `(0,1,𝑠+1)(0,1,0)`), so it is looked for
/// inside the token rather than at its start.
const FORMULA_GLUE: &str = "\u{E000}";

/// One word of the source, normalised, and where it was written.
#[derive(Debug, Clone)]
pub struct SourceWord {
    /// Lower-case letters and digits of the word.
    pub word: String,
    /// The word as written (for messages).
    pub raw: String,
    /// Byte offset in the chapter source.
    pub offset: usize,
    /// True for an image's alternative text (not printed in the PDF).
    pub alt: bool,
}

/// The words of one chapter source: main text, then each footnote's.
#[derive(Debug, Default)]
pub struct ChapterWords {
    /// Words outside footnote definitions, in order.
    pub main: Vec<SourceWord>,
    /// Each footnote definition's words, in order.
    pub notes: Vec<Vec<SourceWord>>,
}

/// Lower-case letters and digits only (punctuation, quotes and hyphens differ legitimately).
/// A formula's letters (𝑥, 𝛽: the Mathematical Alphanumeric Symbols) are not words: a
/// formula next to a word (`$t$-statistics`) is set as 𝑡-statistics.
pub fn normalise(word: &str) -> String {
    word.chars()
        .filter(|c| c.is_alphanumeric() && !('\u{1D400}'..='\u{1D7FF}').contains(c))
        .flat_map(char::to_lowercase)
        .collect()
}

/// The author's words in a chapter source, read as octavo reads it (formulas in `\(…\)` and
/// `$$…$$` over list-like lines are formulas, not words).
pub fn source_words(text: &str) -> ChapterWords {
    let prepared = octavo::math_prepared_source(text);
    let text = prepared.as_deref().unwrap_or(text);
    let mut words = ChapterWords::default();
    let mut note_depth = 0usize;
    let mut image_depth = 0usize;
    let mut in_metadata = false;
    let mut html_block: Option<(String, usize)> = None;
    let mut run = TextRun::default();
    // A caption paragraph (`: Caption` or `Table: Caption`) right after a pipe table is set
    // above the table: its words move before the table's.
    let mut table_start: Option<usize> = None;
    let mut caption_start: Option<(usize, usize)> = None;
    let mut table_done = false;
    let mut after_formula = false;
    for (event, range) in Parser::new_ext(text, octavo::parser_options_for(text)).into_offset_iter()
    {
        let target_is_note = note_depth > 0;
        let follows_formula = std::mem::replace(&mut after_formula, false);
        match event {
            Event::Text(t) if !in_metadata => {
                if follows_formula && run.text.is_empty() {
                    run.push(FORMULA_GLUE, range.start);
                }
                run.push(&t, range.start);
                continue;
            }
            // A tag of no HTML element's name (`Vec<T>`) is text.
            Event::InlineHtml(html) if is_text_tag(&html) => {
                run.push(&html, range.start);
                continue;
            }
            Event::InlineMath(_) => after_formula = true,
            Event::SoftBreak | Event::HardBreak => {
                run.push("\n", range.start);
                continue;
            }
            _ => {}
        }
        flush(&mut run, text, &mut words, target_is_note, image_depth > 0);
        match &event {
            Event::Start(Tag::Table(_)) if note_depth == 0 => {
                table_start = Some(words.main.len());
                table_done = false;
            }
            Event::End(TagEnd::Table) => table_done = true,
            Event::Start(Tag::Paragraph) if table_done => {
                let source = &text[range.start..];
                let caption = source.starts_with(':') || source.starts_with("Table:");
                caption_start = table_start
                    .filter(|_| caption)
                    .map(|table| (table, words.main.len()));
                table_start = None;
            }
            Event::End(TagEnd::Paragraph) => {
                if let Some((table, paragraph)) = caption_start.take() {
                    let caption = words.main.len() - paragraph;
                    words.main[table..].rotate_right(caption);
                }
            }
            Event::Start(_) if table_done => table_start = None,
            _ => {}
        }
        match event {
            Event::Start(Tag::FootnoteDefinition(_)) => {
                note_depth += 1;
                words.notes.push(Vec::new());
            }
            Event::End(TagEnd::FootnoteDefinition) => note_depth -= 1,
            Event::Start(Tag::Image { .. }) => image_depth += 1,
            Event::End(TagEnd::Image) => image_depth -= 1,
            Event::Start(Tag::MetadataBlock(_)) => in_metadata = true,
            Event::End(TagEnd::MetadataBlock(_)) => in_metadata = false,
            Event::Code(code) => {
                let target = target(&mut words, target_is_note);
                push_words(&code, range.start, image_depth > 0, target);
            }
            Event::Start(Tag::HtmlBlock) => html_block = Some((String::new(), range.start)),
            Event::Html(html) => {
                if let Some((block, _)) = &mut html_block {
                    block.push_str(&html);
                }
            }
            Event::End(TagEnd::HtmlBlock) => {
                if let Some((block, start)) = html_block.take() {
                    push_html_words(&block, start, target(&mut words, target_is_note));
                }
            }
            Event::InlineHtml(html) => {
                push_html_words(&html, range.start, target(&mut words, target_is_note));
            }
            _ => {}
        }
    }
    flush(&mut run, text, &mut words, note_depth > 0, image_depth > 0);
    words
}

/// True for inline HTML that is one tag of no HTML element's name, which octavo prints.
fn is_text_tag(html: &str) -> bool {
    matches!(
        octavo::tokenize(html).as_slice(),
        [octavo::HtmlToken::Start { name, .. } | octavo::HtmlToken::End { name }]
            if !octavo::is_html_element(name)
    )
}

/// Adjacent text events, merged as octavo merges them before looking for citations.
#[derive(Default)]
struct TextRun {
    text: String,
    /// (offset in `text`, offset in the source) at each event's start.
    starts: Vec<(usize, usize)>,
}

impl TextRun {
    fn push(&mut self, text: &str, source: usize) {
        self.starts.push((self.text.len(), source));
        self.text.push_str(text);
    }

    fn source_offset(&self, at: usize) -> usize {
        let index = self.starts.partition_point(|(start, _)| *start <= at);
        self.starts
            .get(index.saturating_sub(1))
            .map_or(0, |(start, source)| source + (at - start))
    }
}

fn target(words: &mut ChapterWords, note: bool) -> &mut Vec<SourceWord> {
    match (note, words.notes.last_mut()) {
        (true, Some(last)) => last,
        _ => &mut words.main,
    }
}

/// Push a run's words, leaving out citations (they print as rendered references) and the
/// `::: {#refs}` marker (replaced by the reference list).
fn flush(run: &mut TextRun, source: &str, words: &mut ChapterWords, note: bool, alt: bool) {
    if run.text.is_empty() {
        return;
    }
    let trimmed = run.text.trim();
    let marker = matches!(trimmed, "::: {#refs}" | ":::" | "::: {#refs}\n:::");
    if !marker {
        let mut citations: Vec<Range<usize>> = octavo::find_citations(&run.text)
            .into_iter()
            .map(|c| c.range)
            .collect();
        citations.extend(attribute_blocks(run, source));
        citations.extend(index_commands(&run.text));
        citations.extend(reference_commands(&run.text));
        let mut at = 0;
        for piece in run.text.split_inclusive(char::is_whitespace) {
            let start = at;
            at += piece.len();
            if citations.iter().any(|c| c.start < at && start < c.end) {
                continue;
            }
            let raw = piece.trim();
            let word = normalise(raw);
            if !word.is_empty() {
                target(words, note).push(SourceWord {
                    word,
                    raw: raw.to_string(),
                    offset: run.source_offset(start),
                    alt,
                });
            }
        }
    }
    *run = TextRun::default();
}

/// Byte ranges of `\index{…}` commands in a run of text (nested braces counted): index
/// marks, which print nothing. A bare `\index` is one whose argument pulldown-cmark read as
/// a heading's attribute block (`# Title \index{term}`).
fn index_commands(text: &str) -> Vec<Range<usize>> {
    let mut commands = Vec::new();
    for (start, command) in text.match_indices("\\index") {
        let after = start + command.len();
        let mut end = after;
        if text[after..].starts_with('{') {
            let mut depth = 0usize;
            for (offset, c) in text[after..].char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' if depth <= 1 => {
                        end = after + offset + 1;
                        break;
                    }
                    '}' => depth -= 1,
                    _ => {}
                }
            }
        }
        commands.push(start..end);
    }
    commands
}

/// Byte ranges of LaTeX references (`\ref{x}`, `\eqref{x}`, `\cref{x}`), which print as
/// rendered references, as citations do.
fn reference_commands(text: &str) -> Vec<Range<usize>> {
    let mut commands = Vec::new();
    for name in ["\\ref{", "\\eqref{", "\\cref{", "\\Cref{", "\\autoref{"] {
        for (start, _) in text.match_indices(name) {
            if let Some(close) = text[start..].find('}') {
                commands.push(start..start + close + 1);
            }
        }
    }
    commands
}

/// Byte ranges of pandoc attribute blocks (`{#fig-x width=50%}`, `{.unnumbered}`, `{-}`) in a
/// run of text: octavo reads them as labels and settings, they are not printed.
fn attribute_blocks(run: &TextRun, source: &str) -> Vec<Range<usize>> {
    let text = &run.text;
    let mut blocks = Vec::new();
    for (open, _) in text.match_indices('{') {
        let Some(length) = text[open..].find('}') else {
            continue;
        };
        let inner = text[open + 1..open + length].trim();
        let first = inner.split_whitespace().next().unwrap_or("");
        let named = |rest: &str| rest.chars().next().is_some_and(char::is_alphabetic);
        let key = first.split('=').next().unwrap_or("");
        // Octavo reads a block after an image, at the end of a heading or caption, on a
        // fenced div's line (`::: {.note}`, or glued: `:::{.note}`) and after display
        // mathematics, and after a bracketed span (`[words]{.index}`): never glued to a word
        // (`_{i=1}`, also where `_` opened emphasis and the run starts at the brace).
        let at = run.source_offset(open);
        let placed = source
            .get(..at)
            .and_then(|before| before.chars().next_back())
            .is_none_or(|c| c.is_whitespace() || matches!(c, ')' | '$' | ':' | ']'));
        let attributes = placed
            && (inner.strip_prefix('#').is_some_and(named)
                || inner.strip_prefix('.').is_some_and(named)
                || inner == "-"
                || (first.contains('=')
                    && named(key)
                    && key.chars().all(|c| c.is_alphanumeric() || c == '-')));
        if attributes {
            blocks.push(open..open + length + 1);
        }
    }
    blocks
}

/// The words of raw HTML: its character data (comments are not printed).
fn push_html_words(html: &str, offset: usize, out: &mut Vec<SourceWord>) {
    for token in octavo::tokenize(html) {
        if let octavo::HtmlToken::Text(t) = token {
            push_words(&t, offset, false, out);
        }
    }
}

fn push_words(text: &str, offset: usize, alt: bool, out: &mut Vec<SourceWord>) {
    for raw in text.split_whitespace() {
        let word = normalise(raw);
        if !word.is_empty() {
            out.push(SourceWord {
                word,
                raw: raw.to_string(),
                offset,
                alt,
            });
        }
    }
}

/// Normalised words of an output text, in order.
pub fn output_words(text: &str) -> Vec<String> {
    text.split_whitespace()
        .map(normalise)
        .filter(|w| !w.is_empty())
        .collect()
}

/// The text of an XHTML document's body: tags removed, entities decoded, and `alt` texts
/// kept where their images stand.
pub fn xhtml_text(xhtml: &str) -> String {
    let body = xhtml.find("<body").map_or(xhtml, |start| &xhtml[start..]);
    let mut out = String::with_capacity(body.len());
    let mut rest = body;
    while let Some(open) = rest.find('<') {
        out.push_str(&decode_entities(&rest[..open]));
        let Some(close) = rest[open..].find('>') else {
            break;
        };
        let tag = &rest[open..open + close + 1];
        if let Some(alt) = attribute(tag, "alt") {
            out.push(' ');
            out.push_str(&decode_entities(alt));
        }
        out.push(' ');
        rest = &rest[open + close + 1..];
    }
    out.push_str(&decode_entities(rest));
    out
}

fn attribute<'t>(tag: &'t str, name: &str) -> Option<&'t str> {
    let start = tag.find(&format!(" {name}=\""))? + name.len() + 3;
    let end = tag[start..].find('"')?;
    Some(&tag[start..start + end])
}

fn decode_entities(text: &str) -> String {
    if !text.contains('&') {
        return text.to_string();
    }
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}

/// Where a word was missing: the message names the file and line.
fn missing(
    name: &str,
    source: &str,
    word: &SourceWord,
    output: &str,
    context: &[String],
) -> String {
    let line = source[..word.offset.min(source.len())]
        .matches('\n')
        .count()
        + 1;
    format!(
        "{name}:{line}: the word `{}` is missing from the {output} (looked after: {})",
        word.raw,
        context.join(" ")
    )
}

/// A place in the output tokens: a token and a byte offset inside it (an output token may
/// hold several source words glued together, such as a word and its footnote number).
#[derive(Debug, Clone, Copy, Default)]
struct Cursor {
    token: usize,
    offset: usize,
}

/// Find `words` in order in `tokens` from `cursor`. Returns the cursor after the last word,
/// or the first word not found and where the search started.
fn find_in_order<'w>(
    words: impl Iterator<Item = &'w SourceWord>,
    tokens: &[String],
    mut cursor: Cursor,
) -> Result<Cursor, (&'w SourceWord, Cursor)> {
    let debug = std::env::var_os("OCTAVO_WORDS_DEBUG").is_some();
    for word in words {
        let found = if word.raw.starts_with(FORMULA_GLUE) {
            find_inside(&word.word, tokens, cursor)
                .or_else(|| find_word(&word.word, tokens, cursor))
        } else {
            find_word(&word.word, tokens, cursor)
        };
        match found {
            Some(next) => {
                if debug {
                    eprintln!("{} -> token {}", word.raw, next.token);
                }
                cursor = next
            }
            None => return Err((word, cursor)),
        }
    }
    Ok(cursor)
}

/// The cursor after `word`, found at the start of a token (or of the rest of the current
/// one) at or after `from`; the word may run over up to 32 tokens (a URL wrapped over lines,
/// a hyphenated word).
fn find_word(word: &str, tokens: &[String], from: Cursor) -> Option<Cursor> {
    for index in from.token..tokens.len() {
        let skip = if index == from.token { from.offset } else { 0 };
        let first = &tokens[index][skip..];
        if let Some(rest) = first.strip_prefix(word) {
            return Some(after(index, tokens[index].len() - rest.len(), tokens));
        }
        if first.is_empty() || !word.starts_with(first) {
            continue;
        }
        let mut joined = first.to_string();
        for (next, token) in tokens.iter().enumerate().skip(index + 1).take(31) {
            let wanted = &word[joined.len()..];
            if let Some(rest) = token.strip_prefix(wanted) {
                return Some(after(next, token.len() - rest.len(), tokens));
            }
            if !wanted.starts_with(token.as_str()) {
                break;
            }
            joined.push_str(token);
        }
    }
    None
}

/// The cursor after `word` found anywhere inside the current or the next token.
fn find_inside(word: &str, tokens: &[String], from: Cursor) -> Option<Cursor> {
    for index in from.token..tokens.len().min(from.token + 2) {
        let skip = if index == from.token { from.offset } else { 0 };
        if let Some(at) = tokens[index].get(skip..).and_then(|t| t.find(word)) {
            return Some(after(index, skip + at + word.len(), tokens));
        }
    }
    None
}

fn after(token: usize, offset: usize, tokens: &[String]) -> Cursor {
    if offset >= tokens[token].len() {
        Cursor {
            token: token + 1,
            offset: 0,
        }
    } else {
        Cursor { token, offset }
    }
}

/// True when a diagnostic located in `file` covers `offset` (the word was reported).
fn reported(diags: &Diagnostics, file: FileId, offset: usize) -> bool {
    diags.items().iter().any(|d| {
        d.span.as_ref().is_some_and(|s| {
            s.file == file && s.range.start <= offset && offset < s.range.end.max(s.range.start + 1)
        })
    })
}

/// Check one chapter's words against its output's tokens: the main text in order, and each
/// footnote in order from the chapter's start (notes move to the page foot or the end).
fn check_chapter(
    name: &str,
    source: &str,
    words: &ChapterWords,
    keep: &dyn Fn(&SourceWord) -> bool,
    tokens: &[String],
    output: &str,
) -> Result<(), String> {
    let context = |cursor: Cursor| -> Vec<String> {
        let end = (cursor.token + 1).min(tokens.len());
        tokens[cursor.token.saturating_sub(8)..end].to_vec()
    };
    let main = words.main.iter().filter(|w| keep(w));
    find_in_order(main, tokens, Cursor::default())
        .map_err(|(word, at)| missing(name, source, word, output, &context(at)))?;
    for note in &words.notes {
        let note_words = note.iter().filter(|w| keep(w));
        find_in_order(note_words, tokens, Cursor::default()).map_err(|(word, at)| {
            missing(
                name,
                source,
                word,
                &format!("{output} (a footnote)"),
                &context(at),
            )
        })?;
    }
    Ok(())
}

/// Every chapter's words in its EPUB XHTML document.
pub fn check_epub(
    book: &Book,
    sources: &octavo::SourceMap,
    diags: &Diagnostics,
    epub: &[u8],
) -> Result<usize, String> {
    let mut archive =
        zip::ZipArchive::new(std::io::Cursor::new(epub)).map_err(|e| e.to_string())?;
    let mut checked = 0;
    for chapter in book.chapters.iter().filter(|c| !c.generated) {
        let source = sources.get(chapter.file);
        let name = format!("EPUB/text/{}", octavo::chapter_file(chapter));
        let mut xhtml = String::new();
        std::io::Read::read_to_string(
            &mut archive.by_name(&name).map_err(|e| format!("{name}: {e}"))?,
            &mut xhtml,
        )
        .map_err(|e| e.to_string())?;
        let tokens = output_words(&xhtml_text(&xhtml));
        let words = source_words(&source.text);
        let keep = |w: &SourceWord| !reported(diags, chapter.file, w.offset);
        check_chapter(&source.name, &source.text, &words, &keep, &tokens, "EPUB").map_err(|e| {
            let kept = std::env::temp_dir().join("octavo-words-failed.xhtml");
            let _ = std::fs::write(&kept, &xhtml);
            format!("{e}\n(the chapter's XHTML is in {})", kept.display())
        })?;
        checked += words.main.len() + words.notes.iter().map(Vec::len).sum::<usize>();
    }
    Ok(checked)
}

/// Every chapter's words in the PDF's text as poppler's `pdftotext -raw` extracts it, chapter
/// by chapter (pages from the composition's chapter openings), with each page's running head
/// and folio taken off (they can fall inside a word broken over two pages).
pub fn check_pdf(
    book: &Book,
    sources: &octavo::SourceMap,
    diags: &Diagnostics,
    pdf_path: &Path,
    pdf: &octavo::PdfOutput,
) -> Result<usize, String> {
    let text = pdftotext(pdf_path)?;
    let heads: Vec<String> = std::iter::once(book.meta.title.clone())
        .chain(book.chapters.iter().map(|c| octavo::plain_text(&c.title)))
        .collect();
    let pages: Vec<String> = text
        .split('\u{c}')
        .enumerate()
        .map(|(index, page)| {
            let laid_out = pdf.composition.pages.get(index);
            let label = laid_out.and_then(|p| p.label.clone());
            let body = laid_out.is_some_and(|p| p.kind == octavo::layout::PageKind::Body);
            let heads: &[String] = if body { &heads } else { &[] };
            without_furniture(page, label.as_deref(), heads)
        })
        .collect();
    let chapter_pages = &pdf.composition.chapter_pages;
    let mut checked = 0;
    for (index, chapter) in book.chapters.iter().enumerate() {
        if chapter.generated {
            continue;
        }
        let first = *chapter_pages.get(index).ok_or("a chapter has no pages")?;
        let last = chapter_pages.get(index + 1).copied().unwrap_or(pages.len());
        let chapter_text = pages
            .get(first..last.min(pages.len()))
            .unwrap_or(&[])
            .join(" ");
        let tokens = output_words(&chapter_text);
        let source = sources.get(chapter.file);
        let words = source_words(&source.text);
        let keep = |w: &SourceWord| !w.alt && !reported(diags, chapter.file, w.offset);
        check_chapter(&source.name, &source.text, &words, &keep, &tokens, "PDF")?;
        checked += words.main.len();
    }
    Ok(checked)
}

/// A page's text without its trailing folio and running head lines.
fn without_furniture(page: &str, label: Option<&str>, heads: &[String]) -> String {
    let mut lines: Vec<&str> = page.lines().collect();
    let (mut folio, mut head) = (false, false);
    while let Some(last) = lines.last().map(|l| l.trim()) {
        let is_folio = !folio && label == Some(last);
        let truncated = last.strip_suffix('…');
        let is_head = !head
            && heads
                .iter()
                .any(|h| h == last || truncated.is_some_and(|t| h.starts_with(t.trim_end())));
        folio |= is_folio;
        head |= is_head;
        if last.is_empty() || is_folio || is_head {
            lines.pop();
        } else {
            break;
        }
    }
    lines.join("\n")
}

/// The text of a PDF by `pdftotext -raw` (pages separated by form feeds). The tool is
/// installed by `make test`; a missing tool fails the test.
pub fn pdftotext(pdf: &Path) -> Result<String, String> {
    let output = std::process::Command::new("pdftotext")
        .args(["-raw", "-enc", "UTF-8"])
        .arg(pdf)
        .arg("-")
        .output()
        .map_err(|e| {
            format!("pdftotext (poppler-utils, installed by `make test`) could not run: {e}")
        })?;
    if !output.status.success() {
        return Err(format!(
            "pdftotext failed on {}: {}",
            pdf.display(),
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    String::from_utf8(output.stdout).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_words_are_joined() {
        let tokens = output_words("an exam- ple of https://exa mple.org/x");
        let words = source_words("an example of https://example.org/x\n");
        assert!(find_in_order(words.main.iter(), &tokens, Cursor::default()).is_ok());
    }

    #[test]
    fn a_missing_word_is_found_missing() {
        let tokens = output_words("one three");
        let words = source_words("one two three\n");
        let err = find_in_order(words.main.iter(), &tokens, Cursor::default()).unwrap_err();
        assert_eq!(err.0.raw, "two");
    }
}
