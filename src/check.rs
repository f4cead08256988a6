//! `octavo check`: every stage of the pipeline, nothing written.
//!
//! It runs the same [`crate::build::compile`] as `build`, renders the EPUB in memory (so
//! anything that would fail a build fails the check), and adds the checks only worth running
//! when asked: characters no bundled font can draw, content documents over the retailers'
//! size limit, a missing cover, and damaged or out-of-date outputs of an earlier build
//! ([`outputs`]). What only the PDF would find without reading the whole book is checked too:
//! fonts the PDF cannot subset (when book.toml names them), images the PDF cannot convert,
//! and output names that cannot be written. All problems are reported at once.

pub(crate) mod outputs;

use std::collections::BTreeSet;
use std::path::Path;

use crate::build::{compile, Compiled};
use crate::diag::{code, Diagnostic, Diagnostics, Span};
use crate::doc::{Block, Book, Inline};
use crate::epub::assemble;
use crate::fonts::{FaceChoice, Family, Style as FaceStyle};
use crate::resolve::ResolveOptions;

/// Retailers reject content documents above this size.
pub(crate) const MAX_XHTML_BYTES: usize = 10 * 1024 * 1024;

/// Run every stage for the book in `dir` without writing any file.
pub fn check_book(dir: &Path, options: &ResolveOptions) -> Compiled {
    let mut compiled = compile(dir, options);
    if compiled.diags.has_errors() {
        return compiled;
    }
    let epub_options = crate::build::epub_options(&compiled);
    let (Some(book), Some(manuscript)) = (&mut compiled.book, &compiled.manuscript) else {
        return compiled;
    };
    let diags = &mut compiled.diags;
    if manuscript.config.cover.is_none() {
        diags.push(
            Diagnostic::warning(code::COVER_SIZE, "the book has no cover")
                .at(Span::new(manuscript.config_file, 0..0))
                .with_hint("add cover = \"images/cover.png\" (JPEG or PNG, at least 1600x2560) to book.toml"),
        );
    }
    check_glyphs(book, compiled.fonts.as_deref(), diags);
    check_pdf_images(book, manuscript, diags);
    outputs::check_output_names(manuscript, &book.meta.slug, diags);
    outputs::check_outputs(manuscript, &book.meta.slug, diags);
    match epub_options {
        Ok(options) => match assemble(book, &options) {
            Ok(package) => check_sizes(&package, diags),
            Err(err) => diags.push(Diagnostic::error(
                code::IO,
                format!("the EPUB could not be assembled: {err}"),
            )),
        },
        Err(err) => diags.push(Diagnostic::error(code::IO, err.to_string())),
    }
    compiled
}

fn check_sizes(package: &crate::epub::Package, diags: &mut Diagnostics) {
    for item in &package.items {
        if item.media_type == "application/xhtml+xml" && item.data.len() > MAX_XHTML_BYTES {
            diags.push(
                Diagnostic::warning(
                    code::RETAILER_LIMIT,
                    format!(
                        "{} is {} MB, over the 10 MB retailers accept for one document",
                        item.href,
                        item.data.len() / (1024 * 1024)
                    ),
                )
                .with_hint("split the chapter into several files"),
            );
        }
    }
}

/// Convert every image as the PDF does (PNG, JPEG, GIF, WebP, SVG), so that an image the
/// EPUB can carry but the PDF cannot take (pixel data that does not decode, a size over the
/// decoder's limits) is an error at its first use, not a failed build.
fn check_pdf_images(
    book: &mut Book,
    manuscript: &crate::manuscript::Manuscript,
    diags: &mut Diagnostics,
) {
    let mut first_use: Vec<Option<Span>> = vec![None; book.images.len()];
    let mut note = |image: &mut crate::doc::Image| {
        if let Some(slot) = image.asset.and_then(|i| first_use.get_mut(i)) {
            slot.get_or_insert_with(|| image.span.clone());
        }
    };
    for chapter in &mut book.chapters {
        crate::doc::walk::images_mut(&mut chapter.blocks, &mut note);
    }
    if let (Some(cover), Some(value)) = (book.meta.cover, &manuscript.config.cover) {
        if let Some(slot) = first_use.get_mut(cover) {
            slot.get_or_insert_with(|| Span::new(manuscript.config_file, value.span()));
        }
    }
    for (asset, span) in book.images.iter().zip(first_use) {
        if let Err(reason) = crate::pdf::images::check_image(&asset.path, &asset.media_type) {
            let name = manuscript.root.display(&asset.path);
            let found = Diagnostic::error(
                code::IMAGE_FORMAT,
                format!("{name} cannot go into the PDF: {reason}"),
            )
            .with_hint(
                "open the image in an editor and save it again (as PNG or JPEG, or as a plain SVG)",
            );
            diags.push(match span {
                Some(span) => found.at(span),
                None => found.in_file(name),
            });
        }
    }
}

/// Warn about the characters none of octavo's fonts can draw: one character at its first
/// occurrence, several (a book of emoji) in one warning listing them at the first, for text
/// and for code apart. `build` runs it too when it writes a PDF, so the warning names the file
/// and line.
pub fn check_glyphs(
    book: &mut Book,
    fonts: Option<&crate::fonts::FontSet<'static>>,
    diags: &mut Diagnostics,
) {
    let builtin;
    let fonts = match fonts {
        Some(fonts) => fonts,
        None => match crate::fonts::FontSet::builtin() {
            Ok(set) => {
                builtin = set;
                &builtin
            }
            Err(_) => return,
        },
    };
    let missing = missing_characters(book, fonts);
    for in_code in [false, true] {
        let found: Vec<&(char, Span, bool)> = missing
            .iter()
            .filter(|(_, _, code)| *code == in_code)
            .collect();
        if let Some(warning) = missing_glyphs(&found) {
            diags.push(warning);
        }
    }
    check_hyphenation(book, diags);
}

/// Each character of `book` no face of `fonts` draws, at its first occurrence, and whether
/// that is in code (whose faces are the monospace's chain).
fn missing_characters(
    book: &mut Book,
    fonts: &crate::fonts::FontSet<'static>,
) -> Vec<(char, Span, bool)> {
    let mono = FaceChoice::new(Family::Mono, FaceStyle::Regular);
    let mut check = GlyphCheck {
        fonts,
        text: Coverage::new(text_faces(fonts)),
        code: Coverage::new(fonts.chain(mono)),
        reported: BTreeSet::new(),
        missing: Vec::new(),
    };
    for chapter in &mut book.chapters {
        let blocks = std::iter::once(&mut chapter.blocks)
            .chain(chapter.notes.iter_mut().map(|note| &mut note.blocks));
        for blocks in blocks {
            crate::doc::walk::blocks_mut(blocks, &mut |block| check.block(block));
        }
    }
    check.missing
}

/// The faces text may be set in: the serif family's chains in its four styles (each style's
/// face, then the fallbacks), never the monospace or the math face, which text does not fall
/// back to. A character only a bold face has counts as drawn in upright text too.
fn text_faces(fonts: &crate::fonts::FontSet<'static>) -> Vec<crate::fonts::FaceId> {
    let mut faces = Vec::new();
    for style in [
        FaceStyle::Regular,
        FaceStyle::Italic,
        FaceStyle::Bold,
        FaceStyle::BoldItalic,
    ] {
        for id in fonts.chain(FaceChoice::new(Family::Serif, style)) {
            if !faces.contains(&id) {
                faces.push(id);
            }
        }
    }
    faces
}

/// The characters of `book` no face of `fonts` draws, each once, in the order first met:
/// what `[fonts] system` looks for in the system's fonts.
pub(crate) fn undrawable_characters(
    book: &mut Book,
    fonts: &crate::fonts::FontSet<'static>,
) -> Vec<char> {
    missing_characters(book, fonts)
        .into_iter()
        .map(|(c, ..)| c)
        .collect()
}

/// A warning for each language the PDF sets unhyphenated for want of patterns (see
/// [`crate::typeset::hyphen::unhyphenated_language`]): the book's, then each span's
/// (`lang` attributes, `{lang=…}`) at its first occurrence, each language once.
fn check_hyphenation(book: &mut Book, diags: &mut Diagnostics) {
    use crate::typeset::hyphen::unhyphenated_language;
    let mut reported = BTreeSet::new();
    let hint = "its words break only at spaces and after their own hyphens; a soft hyphen (U+00AD) marks a break by hand";
    if let Some(language) = unhyphenated_language(&book.meta.language) {
        diags.push(
            Diagnostic::warning(
                code::NO_HYPHENATION_PATTERNS,
                format!("no hyphenation patterns for the book's language `{language}`: the PDF is set without hyphenation"),
            )
            .with_hint(hint),
        );
        reported.insert(language);
    }
    for chapter in &mut book.chapters {
        let blocks = std::iter::once(&mut chapter.blocks)
            .chain(chapter.notes.iter_mut().map(|note| &mut note.blocks));
        for blocks in blocks {
            crate::doc::walk::inlines_mut(blocks, &mut |inline| {
                let Inline::Html(html) = inline else { return };
                let Some((_, tag)) = html.attrs.iter().find(|(k, _)| k == "lang") else {
                    return;
                };
                let Some(language) = unhyphenated_language(tag) else {
                    return;
                };
                if !reported.insert(language.clone()) {
                    return;
                }
                let warning = Diagnostic::warning(
                    code::NO_HYPHENATION_PATTERNS,
                    format!("no hyphenation patterns for `{language}`: text in it is set without hyphenation in the PDF"),
                )
                .with_hint(hint);
                diags.push(match first_text_span(&html.children) {
                    Some(span) => warning.at(span),
                    None => warning,
                });
            });
        }
    }
}

/// The span of the first text among `inlines` (an HTML element has no span of its own).
fn first_text_span(inlines: &[Inline]) -> Option<Span> {
    inlines.iter().find_map(|inline| match inline {
        Inline::Text { span, .. } => Some(span.clone()),
        Inline::Html(html) => first_text_span(&html.children),
        Inline::Emph(c) | Inline::Strong(c) | Inline::Strike(c) => first_text_span(c),
        _ => None,
    })
}

/// The coverage check's state: what each list of faces draws, and the characters reported.
struct GlyphCheck<'c> {
    fonts: &'c crate::fonts::FontSet<'static>,
    text: Coverage,
    code: Coverage,
    reported: BTreeSet<char>,
    /// Each character no face draws, at its first occurrence, and whether that is in code.
    missing: Vec<(char, Span, bool)>,
}

impl GlyphCheck<'_> {
    /// A block's own text: a code block's lines, and the inlines that belong to it.
    fn block(&mut self, block: &mut Block) {
        let span = block_span(block);
        if let Block::Code { text, span, .. } = block {
            self.characters(text, span, true);
        }
        crate::doc::walk::block_inlines_mut(block, &mut |inline| match inline {
            Inline::Text { text, span } => self.characters(text, span, false),
            Inline::Code(code) => {
                if let Some(span) = &span {
                    self.characters(code, span, true);
                }
            }
            _ => {}
        });
    }

    /// Note, once per character, those of `text` no face can draw.
    fn characters(&mut self, text: &str, span: &Span, in_code: bool) {
        for c in text.chars() {
            let coverage = if in_code {
                &mut self.code
            } else {
                &mut self.text
            };
            if !coverage.draws(c, self.fonts) && self.reported.insert(c) {
                self.missing.push((c, span.clone(), in_code));
            }
        }
    }
}

/// Characters listed by name in one warning; more are counted.
const MISSING_GLYPHS_LISTED: usize = 12;

/// The warning for the characters no face can draw (in code: no face of the monospace's
/// chain), at the first one's place: `found` in the order met, each character once. It
/// names their scripts and, for each, a font that has them.
fn missing_glyphs(found: &[&(char, Span, bool)]) -> Option<Diagnostic> {
    let (_, first, in_code) = found.first()?;
    let what = if *in_code {
        "no code font can draw"
    } else {
        "no font can draw"
    };
    let named = |c: char| format!("`{c}` (U+{:04X})", c as u32);
    let mut scripts: Vec<&'static str> = Vec::new();
    for (c, ..) in found {
        let script = script_name(*c);
        if !scripts.contains(&script) {
            scripts.push(script);
        }
    }
    let message = match found {
        [(c, ..)] => format!("{what} {} ({})", named(*c), scripts.join(", ")),
        _ => {
            let mut listed: Vec<String> = found
                .iter()
                .take(MISSING_GLYPHS_LISTED)
                .map(|(c, ..)| named(*c))
                .collect();
            if found.len() > MISSING_GLYPHS_LISTED {
                listed.push(format!("{} more", found.len() - MISSING_GLYPHS_LISTED));
            }
            format!(
                "{what} {} characters ({}): {} (the first is here)",
                found.len(),
                scripts.join(", "),
                listed.join(", ")
            )
        }
    };
    let fonts: Vec<String> = scripts
        .iter()
        .map(|script| format!("{script}: {}", font_for_script(script)))
        .collect();
    let shown = if *in_code { "a box" } else { "a blank" };
    let hint = format!(
        "the PDF will show {shown} for each; add a font that has them under [fonts] fallback in book.toml ({}), or install one on this machine and set [fonts] system = true",
        fonts.join("; ")
    );
    Some(
        Diagnostic::warning(code::MISSING_GLYPH, message)
            .at(first.clone())
            .with_hint(hint),
    )
}

/// The name of `c`'s script for a message: its Unicode script, "emoji" for a pictograph,
/// "symbols" for other characters shared by scripts.
fn script_name(c: char) -> &'static str {
    use unicode_script::{Script, UnicodeScript};
    match c.script() {
        Script::Common | Script::Inherited | Script::Unknown => {
            if is_pictograph(c) {
                "emoji"
            } else {
                "symbols"
            }
        }
        script => script.full_name(),
    }
}

/// Pictographs and the other emoji blocks.
fn is_pictograph(c: char) -> bool {
    matches!(c, '\u{1F000}'..='\u{1FAFF}' | '\u{2600}'..='\u{27BF}' | '\u{2B00}'..='\u{2BFF}')
}

/// An open font family that covers `script` (a name [`script_name`] gives).
fn font_for_script(script: &str) -> String {
    match script {
        "Han" | "Bopomofo" => "Noto Serif CJK SC or TC".to_string(),
        "Hiragana" | "Katakana" => "Noto Serif CJK JP".to_string(),
        "Hangul" => "Noto Serif CJK KR".to_string(),
        "emoji" => "Noto Emoji".to_string(),
        "symbols" => "Noto Sans Symbols 2".to_string(),
        script => format!("Noto Sans {}", script.replace('_', " ")),
    }
}

/// The span of a block that inline code inside it is reported at (inline code has no span
/// of its own).
fn block_span(block: &Block) -> Option<Span> {
    match block {
        Block::Heading(heading) => Some(heading.span.clone()),
        Block::Paragraph { span, .. } => Some(span.clone()),
        Block::Table(table) => Some(table.span.clone()),
        Block::Figure(figure) => Some(figure.span.clone()),
        Block::Code { span, .. } => Some(span.clone()),
        _ => None,
    }
}

/// Which characters a list of faces draws (all the book's faces for text, the monospace's
/// chain for code), each looked up once.
struct Coverage {
    faces: Vec<crate::fonts::FaceId>,
    drawable: Drawable,
}

impl Coverage {
    fn new(faces: Vec<crate::fonts::FaceId>) -> Coverage {
        Coverage {
            faces,
            drawable: Drawable::default(),
        }
    }

    fn draws(&mut self, c: char, fonts: &crate::fonts::FontSet<'_>) -> bool {
        let faces = &self.faces;
        self.drawable.get(c, |c| {
            faces
                .iter()
                .any(|&id| fonts.face(id).glyph_for(c).is_some())
        })
    }
}

/// Whether a character is drawn (it needs no glyph, or some font has one), looked up once
/// per character: a book repeats a few hundred characters millions of times, and the x100
/// benchmark book spent 70 ms here hashing them. Characters of the Basic Multilingual Plane
/// are remembered in a table, the rest in a map.
#[derive(Default)]
struct Drawable {
    /// Per BMP code point: 0 not looked up yet, 1 drawable, 2 not drawable.
    bmp: Vec<u8>,
    astral: std::collections::BTreeMap<char, bool>,
}

impl Drawable {
    fn get(&mut self, c: char, has_glyph: impl Fn(char) -> bool) -> bool {
        let lookup = |c: char| !needs_glyph(c) || has_glyph(c);
        let Ok(index) = u16::try_from(u32::from(c)) else {
            return *self.astral.entry(c).or_insert_with(|| lookup(c));
        };
        if self.bmp.is_empty() {
            self.bmp = vec![0; 0x1_0000];
        }
        let slot = &mut self.bmp[usize::from(index)];
        if *slot == 0 {
            *slot = if lookup(c) { 1 } else { 2 };
        }
        *slot == 1
    }
}

/// Spaces, controls, joiners and variation selectors are not drawn with glyphs of their own.
fn needs_glyph(c: char) -> bool {
    !(c.is_whitespace()
        || c.is_control()
        || matches!(c, '\u{200B}'..='\u{200F}' | '\u{FEFF}' | '\u{FE00}'..='\u{FE0F}' | '\u{00AD}'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn several_characters_no_font_draws_are_one_warning_at_the_first() {
        let span = |at: usize| Span::new(crate::diag::FileId(0), at..at + 1);
        let found: Vec<(char, Span, bool)> = "\u{1F980}\u{2705}\u{1F99C}"
            .chars()
            .enumerate()
            .map(|(n, c)| (c, span(n * 10), false))
            .collect();
        let refs: Vec<&(char, Span, bool)> = found.iter().collect();
        let warning = missing_glyphs(&refs).expect("a warning");
        assert_eq!(warning.span, Some(span(0)));
        assert_eq!(
            warning.message,
            "no font can draw 3 characters (emoji): `\u{1F980}` (U+1F980), `\u{2705}` (U+2705), \
             `\u{1F99C}` (U+1F99C) (the first is here)"
        );
        let one = missing_glyphs(&refs[1..2]).expect("a warning");
        assert_eq!(one.message, "no font can draw `\u{2705}` (U+2705) (emoji)");
        assert!(
            one.hint.as_deref().is_some_and(
                |h| h.contains("emoji: Noto Emoji") && h.contains("[fonts] system = true")
            ),
            "{:?}",
            one.hint
        );
        assert_eq!(one.span, Some(span(10)));
        let many: Vec<(char, Span, bool)> = ('\u{0F40}'..'\u{0F50}')
            .map(|c| (c, span(0), true))
            .collect();
        let refs: Vec<&(char, Span, bool)> = many.iter().collect();
        let warning = missing_glyphs(&refs).expect("a warning");
        assert!(warning
            .message
            .starts_with("no code font can draw 16 characters (Tibetan"));
        assert!(
            warning.message.contains(", 4 more (the first is here)"),
            "{}",
            warning.message
        );
        assert!(missing_glyphs(&[]).is_none());
    }

    #[test]
    fn the_warning_names_each_script_and_a_font_for_it() {
        let span = Span::new(crate::diag::FileId(0), 0..1);
        let found: Vec<(char, Span, bool)> = "毛泽ค😀"
            .chars()
            .map(|c| (c, span.clone(), false))
            .collect();
        let refs: Vec<&(char, Span, bool)> = found.iter().collect();
        let warning = missing_glyphs(&refs).expect("a warning");
        assert!(
            warning
                .message
                .starts_with("no font can draw 4 characters (Han, Thai, emoji)"),
            "{}",
            warning.message
        );
        let hint = warning.hint.expect("a hint");
        for font in [
            "Han: Noto Serif CJK",
            "Thai: Noto Sans Thai",
            "emoji: Noto Emoji",
        ] {
            assert!(hint.contains(font), "{hint}");
        }
    }

    #[test]
    fn drawable_characters_are_remembered_in_both_planes() {
        let fonts = crate::fonts::FontSet::builtin().expect("bundled fonts");
        let mut text = Coverage::new(text_faces(&fonts));
        // Asked twice each: the second answer comes from the table or the map.
        for _ in 0..2 {
            assert!(text.draws('a', &fonts));
            assert!(text.draws('ខ', &fonts), "Khmer is in the fallback font");
            assert!(text.draws(' ', &fonts), "a space needs no glyph");
            assert!(
                text.draws('\u{00AD}', &fonts),
                "a soft hyphen needs no glyph"
            );
            assert!(
                !text.draws('\u{0F40}', &fonts),
                "no bundled font has Tibetan"
            );
            assert!(text.draws('\u{1F980}', &fonts), "emoji are in a fallback");
            assert!(!text.draws('\u{13000}', &fonts), "nor Egyptian hieroglyphs");
        }
        assert_eq!(text.drawable.astral.len(), 2, "the crab and the hieroglyph");
    }

    #[test]
    fn code_is_checked_against_the_monospace_chain() {
        let fonts = crate::fonts::FontSet::builtin().expect("bundled fonts");
        let mono = FaceChoice::new(Family::Mono, FaceStyle::Regular);
        let mut code = Coverage::new(fonts.chain(mono));
        assert!(
            code.draws('┌', &fonts),
            "box drawing is in DejaVu Sans Mono"
        );
        assert!(
            code.draws('合', &fonts),
            "CJK is in the last fallback, code's too"
        );
        assert!(
            !code.draws('\u{13000}', &fonts),
            "no bundled font has hieroglyphs"
        );
    }

    #[test]
    fn text_is_checked_against_the_faces_text_is_set_in() {
        let fonts = crate::fonts::FontSet::builtin().expect("bundled fonts");
        let mut text = Coverage::new(text_faces(&fonts));
        assert!(text.draws('ש', &fonts), "Hebrew is in a fallback");
        assert!(
            text.draws('┌', &fonts),
            "box drawing is in the symbols fallback"
        );
        assert!(
            !text.draws('𝔄', &fonts),
            "the math face has it, but text never falls back to it"
        );
    }
}
