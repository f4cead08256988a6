//! Syntax highlighting of code blocks, done once for both outputs: resolve calls
//! [`highlight_chapters`], which stores each block's classified stretches in the model
//! ([`CodeToken`]s), and the EPUB writer (classes) and the typesetter (inks and faces) read
//! them from there. Nothing downstream looks at the code's grammar again.
//!
//! The grammars are Sublime Text's, through `syntect` with bat's extra syntaxes (`two-face`),
//! matched by Oniguruma (ARCHITECTURE.md has the comparison that chose them).
//! The syntax set is loaded on first use, so a book without fenced code never pays for it,
//! and a grammar's contexts are read only when a block in its language comes up.
//!
//! A fence with no language, a name the syntax set does not know, or `text`/`console` is
//! plain with no warning; a name one edit from a language octavo knows (`pyhton`) is plain
//! with a warning at the fence that suggests the language.
//!
//! [`LineMarks`] reads the line numbers and highlighted lines a fence asks for.

mod languages;
mod lines;
mod scopes;

pub(crate) use lines::LineMarks;

use std::sync::OnceLock;

use rustc_hash::FxHashMap;
use syntect::parsing::{ParseState, Scope, ScopeStack, SyntaxReference, SyntaxSet};

use crate::diag::{code, Diagnostic, Diagnostics, SourceMap, Span};
use crate::doc::{walk, Block, Chapter, CodeToken, TokenClass};
use scopes::Meaning;

/// Longest line highlighted, in bytes: a grammar's regular expressions are tried at every
/// token of a line, so a line of a megabyte (minified code, a data dump) would take time
/// quadratic in its length. A block with a longer line is set plain.
const MAX_LINE: usize = 4_096;

/// Largest block highlighted, in bytes (the same reason, for the time of a whole block).
const MAX_BLOCK: usize = 1 << 20;

/// The grammars, loaded on first use.
fn syntaxes() -> &'static SyntaxSet {
    static SYNTAXES: OnceLock<SyntaxSet> = OnceLock::new();
    SYNTAXES.get_or_init(two_face::syntax::extra_newlines)
}

/// What a fence's language is to the highlighter.
enum Language {
    /// A grammar the syntax set has.
    Known(&'static SyntaxReference),
    /// No language, plain text on purpose, or a name octavo does not know: set plain.
    Plain,
    /// One edit from a language octavo knows: set plain, with a warning.
    Misspelled(&'static str),
}

/// The language a fence's info string names.
fn language(fence: &str) -> Language {
    let Some(name) = languages::fence_language(fence) else {
        return Language::Plain;
    };
    if languages::is_plain(&name) {
        return Language::Plain;
    }
    let set = syntaxes();
    let token = languages::lookup_token(&name);
    if let Some(syntax) = set
        .find_syntax_by_token(token)
        .or_else(|| set.find_syntax_by_name(token))
    {
        return Language::Known(syntax);
    }
    match languages::did_you_mean(&name) {
        Some(known) => Language::Misspelled(known),
        None => Language::Plain,
    }
}

/// The tokens of `text` in the language a fence names (`rust`, `rust,editable`, `py`), or
/// `None` when octavo sets that language plain. The same function resolve uses, so a test can
/// compare what an output shows with what the highlighter says.
pub fn classify(fence: &str, text: &str) -> Option<Vec<CodeToken>> {
    match language(fence) {
        Language::Known(syntax) => classify_text(syntax, text),
        Language::Plain | Language::Misspelled(_) => None,
    }
}

/// Highlight every code block of `chapters` (notes included), on every core; a misspelled
/// language is a warning at its fence.
pub(crate) fn highlight_chapters(
    chapters: &mut [Chapter],
    sources: &SourceMap,
    diags: &mut Diagnostics,
) {
    let mut jobs = Vec::new();
    each_code_block(chapters, &mut |block| {
        if let Block::Code {
            lang: Some(lang),
            text,
            span,
            ..
        } = block
        {
            jobs.push(Job {
                lang: lang.clone(),
                text: std::mem::take(text),
                span: span.clone(),
            });
        }
    });
    let outcomes = crate::parallel::map(&jobs, highlight_job);
    for (job, outcome) in jobs.iter().zip(&outcomes) {
        if let Outcome::Misspelled(known) = outcome {
            diags.push(misspelled(job, known, sources));
        }
    }
    let mut done = jobs.into_iter().zip(outcomes);
    each_code_block(chapters, &mut |block| {
        if let Block::Code {
            lang: Some(_),
            text,
            tokens,
            ..
        } = block
        {
            if let Some((job, outcome)) = done.next() {
                *text = job.text;
                if let Outcome::Tokens(found) = outcome {
                    *tokens = found;
                }
            }
        }
    });
}

/// Visit every block of the chapters and their notes.
fn each_code_block(chapters: &mut [Chapter], f: &mut dyn FnMut(&mut Block)) {
    for chapter in chapters {
        walk::blocks_mut(&mut chapter.blocks, f);
        for note in &mut chapter.notes {
            walk::blocks_mut(&mut note.blocks, f);
        }
    }
}

/// A code block's language and text, taken out of the book while it is highlighted.
struct Job {
    lang: String,
    text: String,
    span: Span,
}

/// What highlighting a block gave.
enum Outcome {
    /// Its tokens.
    Tokens(Vec<CodeToken>),
    /// Plain, with no warning.
    Plain,
    /// Plain, and the fence names a misspelling of this language.
    Misspelled(&'static str),
}

fn highlight_job(job: &Job) -> Outcome {
    match language(&job.lang) {
        Language::Known(syntax) => match classify_text(syntax, &job.text) {
            Some(tokens) => Outcome::Tokens(tokens),
            None => Outcome::Plain,
        },
        Language::Plain => Outcome::Plain,
        Language::Misspelled(known) => Outcome::Misspelled(known),
    }
}

/// The warning for a misspelled language, at the language's name in the fence when it can
/// be found on the block's first line.
fn misspelled(job: &Job, known: &str, sources: &SourceMap) -> Diagnostic {
    let name = job.lang.split([',', ' ']).next().unwrap_or(&job.lang);
    let span = sources
        .try_get(job.span.file)
        .and_then(|file| {
            let start = job.span.range.start;
            let rest = file.text.get(start..job.span.range.end)?;
            let first_line = rest.split('\n').next()?;
            let at = start + first_line.find(name)?;
            Some(Span::new(job.span.file, at..at + name.len()))
        })
        .unwrap_or_else(|| job.span.clone());
    Diagnostic::warning(
        code::CODE_LANGUAGE_MISSPELLED,
        format!("octavo does not know the language `{name}`; this code is set plain"),
    )
    .at(span)
    .with_hint(format!(
        "did you mean `{known}`? (a language octavo does not know at all is set plain without a warning)"
    ))
}

thread_local! {
    /// What each scope means, remembered per thread (a book's blocks meet the same few
    /// hundred scopes over and over).
    static MEANINGS: std::cell::RefCell<FxHashMap<Scope, Meaning>> =
        std::cell::RefCell::new(FxHashMap::default());
}

/// The tokens of `text` in `syntax`, adjacent ones of one class merged; `None` when the text
/// is too large to highlight in linear time or the grammar fails on it.
fn classify_text(syntax: &SyntaxReference, text: &str) -> Option<Vec<CodeToken>> {
    if text.len() > MAX_BLOCK || text.split('\n').any(|line| line.len() > MAX_LINE) {
        return None;
    }
    let set = syntaxes();
    let mut state = ParseState::new(syntax);
    let mut stack = ScopeStack::new();
    let mut tokens = Tokens::default();
    let mut line_start = 0;
    for line in text.split_inclusive('\n') {
        let ops = state.parse_line(line, set).ok()?;
        let mut at = 0;
        for (position, op) in ops {
            let position = position.min(line.len());
            if position > at {
                tokens.push(line_start + at..line_start + position, class_of(&stack));
                at = position;
            }
            stack.apply(&op).ok()?;
        }
        if line.len() > at {
            tokens.push(line_start + at..line_start + line.len(), class_of(&stack));
        }
        line_start += line.len();
    }
    Some(tokens.0)
}

/// The class of text under `stack`: the innermost scope that has one.
fn class_of(stack: &ScopeStack) -> Option<TokenClass> {
    MEANINGS.with(|meanings| {
        let mut meanings = meanings.borrow_mut();
        let mut delimiter = false;
        for scope in stack.as_slice().iter().rev() {
            let meaning = *meanings
                .entry(*scope)
                .or_insert_with(|| scopes::meaning(&scope.build_string()));
            match meaning {
                Meaning::Class(class) => return Some(class),
                Meaning::Delimiter => delimiter = true,
                Meaning::Nothing => {}
            }
        }
        delimiter.then_some(TokenClass::Punctuation)
    })
}

/// Tokens being collected: plain text is left out, and a token that continues one of the
/// same class is merged into it.
#[derive(Default)]
struct Tokens(Vec<CodeToken>);

impl Tokens {
    fn push(&mut self, range: std::ops::Range<usize>, class: Option<TokenClass>) {
        let (Some(class), Ok(start), Ok(end)) =
            (class, u32::try_from(range.start), u32::try_from(range.end))
        else {
            return;
        };
        if let Some(last) = self.0.last_mut() {
            if last.class == class && last.end == start {
                last.end = end;
                return;
            }
        }
        self.0.push(CodeToken { start, end, class });
    }
}

#[cfg(test)]
mod tests;
