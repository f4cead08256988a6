//! LaTeX mathematics: the formulas' front end. `pulldown-latex` reads a formula into a stream
//! of events; here it is given the book's macros ([`Macros`]), its errors are located at the
//! command that caused them ([`check`]), the events become a tree the typesetter lays out
//! ([`tree`]), and the EPUB's MathML is written from them ([`to_mathml`]).
//!
//! Which crate and why: ARCHITECTURE.md, "Mathematics".

mod mathml;
pub(crate) mod nesting;
pub(crate) mod tags;
pub(crate) mod text;
pub(crate) mod tree;

use std::collections::BTreeSet;
use std::ops::Range;

use pulldown_latex::config::DisplayMode;
use pulldown_latex::{Parser, RenderConfig, Storage};

/// Commands octavo defines itself, as `\newcommand` would: the ones books use that
/// `pulldown-latex` lacks.
/// (`\text#1`, not `\text{#1}`: pulldown-latex keeps an argument's braces when it
/// substitutes it.)
const BUILT_IN_MACROS: &[(&str, &str)] = &[("mbox", r"\text#1")];

/// What pulldown-latex says of a command it does not know.
const UNKNOWN_COMMAND_MESSAGE: &str = "unknown primitive command";

/// The commands a book defines (book.toml's `[math] macros`, and octavo's own), written as
/// the `\newcommand` lines every formula is read after.
#[derive(Debug, Clone, Default)]
pub(crate) struct Macros {
    preamble: String,
    names: BTreeSet<String>,
}

/// A macro whose definition is not LaTeX pulldown-latex can read.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct MacroError {
    /// The macro's name.
    pub name: String,
    /// What is wrong.
    pub message: String,
}

impl Macros {
    /// The built-in macros and `defined` (name without backslash, body with `#1`…`#9`).
    pub(crate) fn new<'a>(
        defined: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> (Macros, Vec<MacroError>) {
        let mut macros = Macros::default();
        let mut errors = Vec::new();
        for (name, body) in BUILT_IN_MACROS.iter().copied() {
            macros.add(name, body);
        }
        let defined: Vec<(&str, &str)> = defined.into_iter().collect();
        let cyclic = cyclic_macros(&defined);
        let mut accepted = Vec::new();
        for (name, body) in defined {
            let problem = if cyclic.contains(name) {
                Some("it uses itself (directly or through other macros)".to_string())
            } else {
                shape_problem(name, body)
            };
            match problem {
                Some(message) => errors.push(MacroError {
                    name: name.to_string(),
                    message,
                }),
                None => accepted.push((name, body)),
            }
        }
        // Each macro is tried with all the others defined (one may use one defined after
        // it); one that does not read is dropped and the rest tried again.
        loop {
            let mut trial = macros.clone();
            for (name, body) in &accepted {
                trial.add(name, body);
            }
            let failed: Vec<(usize, String)> = accepted
                .iter()
                .enumerate()
                .filter_map(|(i, (name, body))| call_problem(name, body, &trial).map(|m| (i, m)))
                .collect();
            if failed.is_empty() {
                macros = trial;
                break;
            }
            for (i, message) in failed.into_iter().rev() {
                let (name, _) = accepted.remove(i);
                errors.push(MacroError {
                    name: name.to_string(),
                    message,
                });
            }
        }
        errors.sort_by(|a, b| a.name.cmp(&b.name));
        (macros, errors)
    }

    fn add(&mut self, name: &str, body: &str) {
        let arguments = argument_count(body);
        // pulldown-latex's `\newcommand` wants the argument count even when it is 0; a
        // macro may replace a built-in command, but `\renewcommand` only a macro.
        let command = if self.names.contains(name) {
            "renewcommand"
        } else {
            "newcommand"
        };
        self.preamble
            .push_str(&format!("\\{command}{{\\{name}}}[{arguments}]{{{body}}}"));
        self.names.insert(name.to_string());
    }

    /// The formula with the macro definitions before it: what pulldown-latex reads. A
    /// formula that opens with a script (`_s`) gets an empty base first, as TeX gives it.
    fn prefixed(&self, source: &str) -> String {
        let mut input = String::with_capacity(self.preamble.len() + source.len() + 2);
        input.push_str(&self.preamble);
        if source.trim_start().starts_with(['_', '^']) {
            input.push_str("{}");
        }
        input.push_str(source);
        input
    }
}

/// The macros that expand into themselves, through any chain of the others: expanding one
/// would never end.
fn cyclic_macros<'a>(defined: &[(&'a str, &'a str)]) -> BTreeSet<&'a str> {
    let uses = |body: &str| -> Vec<&'a str> {
        let names: BTreeSet<&str> = control_words(body).map(|(_, name)| name).collect();
        defined
            .iter()
            .map(|(name, _)| *name)
            .filter(|name| names.contains(name))
            .collect()
    };
    let graph: std::collections::BTreeMap<&str, Vec<&str>> = defined
        .iter()
        .map(|(name, body)| (*name, uses(body)))
        .collect();
    let mut cyclic = BTreeSet::new();
    for (start, _) in defined {
        // Depth-first from `start`: does any path come back to it?
        let mut seen = BTreeSet::new();
        let mut pending: Vec<&str> = graph.get(start).cloned().unwrap_or_default();
        while let Some(name) = pending.pop() {
            if name == *start {
                cyclic.insert(*start);
                break;
            }
            if seen.insert(name) {
                pending.extend(graph.get(name).into_iter().flatten().copied());
            }
        }
    }
    cyclic
}

/// Why `name = body` cannot be a macro whatever the others are, if it cannot: its name, its
/// braces, its depth.
fn shape_problem(name: &str, body: &str) -> Option<String> {
    if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphabetic()) {
        return Some("a macro's name is letters only (no backslash)".to_string());
    }
    let mut depth = 0i64;
    for c in body.chars() {
        depth += match c {
            '{' => 1,
            '}' => -1,
            _ => 0,
        };
        if depth < 0 {
            break;
        }
    }
    if depth != 0 {
        return Some("its braces do not match".to_string());
    }
    (nesting::depth(body) > nesting::MAX_NESTING).then(|| "it nests too deeply".to_string())
}

/// Why a call of the macro `name` (with `x` for each argument) does not read with `macros`.
fn call_problem(name: &str, body: &str, macros: &Macros) -> Option<String> {
    let arguments = argument_count(body);
    let call: String = std::iter::once(format!("\\{name}"))
        .chain((0..arguments).map(|_| "{x}".to_string()))
        .collect();
    check(&call, macros).err().map(|e| e.message)
}

/// The highest `#n` in a macro body.
fn argument_count(body: &str) -> usize {
    let bytes = body.as_bytes();
    (1..bytes.len())
        .filter(|&i| bytes[i - 1] == b'#')
        .filter_map(|i| (bytes[i] as char).to_digit(10))
        .max()
        .map_or(0, |n| n as usize)
}

/// A formula octavo cannot read: where (bytes in the formula's source) and why.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct MathError {
    /// The bytes of the source at fault (the command's name with its backslash, or the
    /// whole formula when the parser does not say where).
    pub range: Range<usize>,
    /// What is wrong.
    pub message: String,
    /// How to fix it.
    pub hint: String,
    /// The fault is a command nothing defines.
    pub unknown_command: bool,
}

/// Reads the formula; the first thing wrong with it, located.
pub(crate) fn check(source: &str, macros: &Macros) -> Result<(), MathError> {
    if nesting::depth(source) > nesting::MAX_NESTING {
        return Err(MathError {
            range: 0..source.len(),
            message: format!(
                "formula nested more than {} levels deep",
                nesting::MAX_NESTING
            ),
            hint: "split it into several formulas, or define parts of it as macros".to_string(),
            unknown_command: false,
        });
    }
    let input = macros.prefixed(source);
    let storage = Storage::new();
    let failure = Parser::new(&input, &storage).find_map(Result::err);
    match failure {
        None => Ok(()),
        Some(error) => Err(locate(source, macros, &error.to_string())),
    }
}

/// Where `source` goes wrong, given pulldown-latex's message: the first command in it that
/// nothing defines, else the whole formula with the parser's message.
fn locate(source: &str, macros: &Macros, message: &str) -> MathError {
    if message.contains(UNKNOWN_COMMAND_MESSAGE) {
        let mut tried = BTreeSet::new();
        for (range, name) in control_words(source) {
            if tried.insert(name) && !is_known(name, macros) {
                return MathError {
                    range,
                    message: format!("unknown math command `\\{name}`"),
                    hint: unknown_command_hint(name),
                    unknown_command: true,
                };
            }
        }
    }
    let first_line = message.lines().next().unwrap_or(message);
    MathError {
        range: 0..source.len(),
        message: format!("cannot read this formula: {first_line}"),
        hint: "check that braces and \\begin/\\end pairs match and every command has its \
               arguments"
            .to_string(),
        unknown_command: false,
    }
}

/// What to do about the unknown command `\name`: for a label or a reference, the Markdown
/// that numbers and refers to a formula; for any other, a macro of book.toml.
fn unknown_command_hint(name: &str) -> String {
    match name {
        "label" => "label a display formula after its closing $$: $$ … $$ {#eq-name}, and \
                    refer to it as @eq-name"
            .to_string(),
        "ref" | "eqref" | "autoref" | "cref" | "Cref" => {
            "refer to a labelled formula in the text, outside the formula: @eq-name".to_string()
        }
        _ => format!(
            "use a command of the LaTeX subset octavo reads, or define it in book.toml: \
             [math] macros = {{ {name} = '…' }}"
        ),
    }
}

/// True when `\name` alone is a command pulldown-latex (with the book's macros) knows.
fn is_known(name: &str, macros: &Macros) -> bool {
    let input = macros.prefixed(&format!("\\{name}"));
    let storage = Storage::new();
    let known = Parser::new(&input, &storage)
        .filter_map(Result::err)
        .all(|e| !e.to_string().contains(UNKNOWN_COMMAND_MESSAGE));
    known
}

/// Each `\name` (letters) in `source` with its byte range, backslash included.
pub(super) fn control_words(source: &str) -> impl Iterator<Item = (Range<usize>, &str)> {
    let bytes = source.as_bytes();
    let mut at = 0;
    std::iter::from_fn(move || {
        while at < bytes.len() {
            if bytes[at] != b'\\' {
                at += 1;
                continue;
            }
            let start = at;
            let mut end = at + 1;
            while end < bytes.len() && bytes[end].is_ascii_alphabetic() {
                end += 1;
            }
            // `\\` is a line break, not a command: skip both.
            at = end.max(start + 2);
            if end > start + 1 {
                return Some((start..end, &source[start + 1..end]));
            }
        }
        None
    })
}

/// Presentation MathML for the formula, with its LaTeX as `alttext` (and `display="block"`
/// for a display formula). A formula that does not read (resolve has reported it) is its
/// source in an `<mtext>`.
pub(crate) fn to_mathml(source: &str, display: bool, macros: &Macros) -> String {
    if nesting::depth(source) > nesting::MAX_NESTING {
        return with_alttext(&fallback_mathml(source, display), source);
    }
    let input = macros.prefixed(source);
    let storage = Storage::new();
    let config = RenderConfig {
        display_mode: if display {
            DisplayMode::Block
        } else {
            DisplayMode::Inline
        },
        xml: true,
        ..RenderConfig::default()
    };
    let mut mathml = String::new();
    let written = match read_events(&input, &storage) {
        Some(events) => {
            let events = events.into_iter().map(Ok::<_, std::io::Error>);
            pulldown_latex::push_mathml(&mut mathml, events, config).is_ok()
        }
        None => false,
    };
    if !written {
        mathml = fallback_mathml(source, display);
    }
    with_alttext(&mathml::mended(&mathml), source)
}

/// The events of `input`, `None` if it does not read.
pub(crate) fn read_events<'a>(
    input: &'a str,
    storage: &'a Storage,
) -> Option<Vec<pulldown_latex::Event<'a>>> {
    Parser::new(input, storage).collect::<Result<_, _>>().ok()
}

/// A formula that does not read, as its source in text.
fn fallback_mathml(source: &str, display: bool) -> String {
    let block = if display { " display=\"block\"" } else { "" };
    format!(
        "<math xmlns=\"http://www.w3.org/1998/Math/MathML\"{block}><mtext>{}</mtext></math>",
        crate::xml::escape(source)
    )
}

/// The `<math>` element with `alttext` holding the LaTeX source.
fn with_alttext(mathml: &str, source: &str) -> String {
    let alttext = format!(" alttext=\"{}\"", crate::xml::escape(source.trim()));
    match mathml.strip_prefix("<math") {
        Some(rest) => format!("<math{alttext}{rest}"),
        None => mathml.to_string(),
    }
}

#[cfg(test)]
mod tests;
