//! LaTeX commands written in running text, as authors of pandoc and Quarto books write them
//! for their PDF: `\textbf{word}`, `\emph{word}`, `\LaTeX`, `\noindent`, `\vspace{1em}`.
//! pandoc passes them to LaTeX only and drops them from every other output; octavo has no
//! LaTeX behind it, so it reads the ones it can: text commands keep their text (bold, italic,
//! code or plain), symbol commands print their character, and layout commands, which only
//! place text on LaTeX's page, are left out with one warning per command and chapter (W0306)
//! giving the count. A backslash before any other word is the author's text, printed as
//! written (a Windows path, a regular expression in prose).

use std::collections::BTreeMap;
use std::ops::Range;

use super::builder::Builder;
use super::index::PushText;
use crate::diag::{code, Diagnostic, Span};
use crate::doc::{CiteItem, CrossRef, Inline, LatexReference};

/// What octavo does with a LaTeX command in the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Reading {
    /// Places text on LaTeX's page only: left out, with its `args` brace arguments.
    Layout { args: usize },
    /// Prints a character or word.
    Symbol(&'static str),
    /// A forced line break.
    Break,
    /// Sets its one argument in a style.
    Styled(Look),
    /// Says something Markdown says its own way (a citation, a note, a link): printed as
    /// written, with a warning giving the Markdown.
    Markdown(&'static str),
    /// Refers to a label (`\ref{x}`, `\eqref{x}`, `\cref{x}`): a cross-reference.
    Reference(RefStyle),
}

/// How a LaTeX reference command prints its target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RefStyle {
    /// `\ref`: the number alone (`3.2`).
    Number,
    /// `\eqref`: the number in parentheses (`(3.2)`).
    Parenthesised,
    /// `\autoref`, `\cref`, `\Cref`: the word and the number (`Equation 3.2`), as `@x`.
    Worded,
}

/// The style a text command sets its argument in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Look {
    Bold,
    Italic,
    Code,
    Plain,
}

/// The reading of `\name`, for the commands octavo knows.
fn reading(name: &str) -> Option<Reading> {
    use Reading::{Break, Layout, Styled, Symbol};
    Some(match name {
        "noindent" | "indent" | "newpage" | "clearpage" | "cleardoublepage" | "pagebreak"
        | "nopagebreak" | "par" | "centering" | "raggedright" | "raggedleft" | "smallskip"
        | "medskip" | "bigskip" | "hfill" | "vfill" | "maketitle" | "tableofcontents"
        | "listoffigures" | "listoftables" | "appendix" | "frontmatter" | "mainmatter"
        | "backmatter" | "FloatBarrier" | "sloppy" | "fussy" | "protect" | "null" => {
            Layout { args: 0 }
        }
        "vspace" | "hspace" | "label" | "thispagestyle" | "pagestyle" | "enlargethispage"
        | "hyphenation" | "phantom" | "hphantom" | "vphantom" => Layout { args: 1 },
        "newline" | "linebreak" => Break,
        "LaTeX" => Symbol("LaTeX"),
        "TeX" => Symbol("TeX"),
        "LaTeXe" => Symbol("LaTeX2\u{3b5}"),
        "ldots" | "dots" | "textellipsis" => Symbol("\u{2026}"),
        "textendash" => Symbol("\u{2013}"),
        "textemdash" => Symbol("\u{2014}"),
        "textbullet" => Symbol("\u{2022}"),
        "textdegree" => Symbol("\u{b0}"),
        "copyright" | "textcopyright" => Symbol("\u{a9}"),
        "textregistered" => Symbol("\u{ae}"),
        "texttrademark" => Symbol("\u{2122}"),
        "S" => Symbol("\u{a7}"),
        "P" => Symbol("\u{b6}"),
        "textbackslash" => Symbol("\\"),
        "textasciitilde" => Symbol("~"),
        "textunderscore" => Symbol("_"),
        "slash" => Symbol("/"),
        "quad" | "qquad" | "enspace" => Symbol(" "),
        "textbf" => Styled(Look::Bold),
        "emph" | "textit" | "textsl" => Styled(Look::Italic),
        "texttt" => Styled(Look::Code),
        "textrm" | "textsf" | "textnormal" | "textup" | "textmd" | "textsc" | "mbox"
        | "underline" | "uline" => Styled(Look::Plain),
        "cite" | "citep" | "citet" | "parencite" | "textcite" | "autocite" => {
            Reading::Markdown("write the citation as [@key] (or @key in the sentence)")
        }
        "ref" => Reading::Reference(RefStyle::Number),
        "eqref" => Reading::Reference(RefStyle::Parenthesised),
        "autoref" | "cref" | "Cref" => Reading::Reference(RefStyle::Worded),
        "pageref" => Reading::Markdown(
            "write the reference as @fig-label, @tbl-label, @eq-label or @sec-label",
        ),
        "footnote" => Reading::Markdown("write the note as ^[its text] or [^label]"),
        "href" | "url" => Reading::Markdown("write the link as [text](address) or <address>"),
        _ => return None,
    })
}

/// A piece of text read for LaTeX commands.
#[derive(Debug, PartialEq, Eq)]
enum Piece<'t> {
    /// Text printed as it is.
    Text(&'t str),
    /// A command octavo reads: its name, reading, first argument and the whole command.
    Command {
        name: &'t str,
        reading: Reading,
        argument: &'t str,
        written: &'t str,
    },
}

/// `text` cut at the commands octavo reads.
fn pieces(text: &str) -> Vec<Piece<'_>> {
    let mut out = Vec::new();
    let mut copied = 0;
    let mut search = 0;
    while let Some(found) = text[search..].find('\\') {
        let start = search + found;
        search = start + 1;
        let Some((name, reading, argument, end)) = command_at(text, start) else {
            continue;
        };
        if start > copied {
            out.push(Piece::Text(&text[copied..start]));
        }
        out.push(Piece::Command {
            name,
            reading,
            argument,
            written: &text[start..end],
        });
        copied = end;
        search = end;
    }
    if copied < text.len() {
        out.push(Piece::Text(&text[copied..]));
    }
    out
}

/// The command starting with the backslash at `start`: its name, reading, first argument
/// and end; `None` when it is not one octavo reads (or lacks its arguments).
fn command_at(text: &str, start: usize) -> Option<(&str, Reading, &str, usize)> {
    let after = &text[start + 1..];
    let length = after.bytes().take_while(u8::is_ascii_alphabetic).count();
    let name = &after[..length];
    let reading = reading(name)?;
    let mut end = start + 1 + length;
    if text[end..].starts_with('*') && matches!(reading, Reading::Layout { args: 1.. }) {
        end += 1;
    }
    let wanted = match reading {
        Reading::Layout { args } => args,
        Reading::Styled(_) | Reading::Reference(_) => 1,
        Reading::Symbol(_) | Reading::Break | Reading::Markdown(_) => 0,
    };
    let mut argument = "";
    for n in 0..wanted {
        let (inner, close) = braced(&text[end..])?;
        if n == 0 {
            argument = &text[end + 1..end + 1 + inner];
        }
        end += close;
    }
    if wanted == 0 && text[end..].starts_with("{}") {
        // `\LaTeX{}`: the empty group keeps the space after it in LaTeX.
        end += 2;
    }
    let between_spaces = text[..start].ends_with(' ') && text[end..].starts_with(' ');
    if matches!(reading, Reading::Layout { .. }) && between_spaces {
        // A command left out between two words leaves one space between them.
        end += 1;
    }
    Some((name, reading, argument, end))
}

/// A `{…}` group at the start of `text` (nested braces counted): the length of its inside
/// and of the whole group.
fn braced(text: &str) -> Option<(usize, usize)> {
    if !text.starts_with('{') {
        return None;
    }
    let mut depth = 0usize;
    for (offset, c) in text.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                if depth == 0 {
                    return Some((offset - 1, offset + 1));
                }
            }
            _ => {}
        }
    }
    None
}

/// The cross-reference a LaTeX reference command makes.
fn latex_reference(key: &str, style: RefStyle, written: &str, span: Span) -> Inline {
    let item = CiteItem {
        key: key.trim().to_string(),
        prefix: String::new(),
        locator: None,
        suffix: String::new(),
        suppress_author: style != RefStyle::Worded,
        styled_prefix: Vec::new(),
        styled_suffix: Vec::new(),
        span: span.clone(),
    };
    Inline::Ref(Box::new(CrossRef {
        items: vec![item],
        bracketed: false,
        rendered: vec![Inline::text(written, span.clone())],
        page_anchor: None,
        span,
        latex: Some(LatexReference {
            written: written.to_string(),
            parenthesised: style == RefStyle::Parenthesised,
        }),
    }))
}

/// The layout commands left out of a chapter: by name, where first and how many times.
pub(super) type LeftOut = BTreeMap<String, (Span, usize)>;

impl<'a> Builder<'a> {
    /// `text` (from `source`) with the LaTeX commands octavo reads made inlines, the text
    /// around them handed to `push_text`.
    pub(super) fn split_latex_commands(
        &mut self,
        text: &str,
        source: Range<usize>,
        out: &mut Vec<Inline>,
        push_text: &mut PushText<'_, 'a>,
    ) {
        if !text.contains('\\') {
            push_text(self, text, source, out);
            return;
        }
        let mut cursor = source.start;
        for piece in pieces(text) {
            match piece {
                Piece::Text(words) => push_text(self, words, cursor..source.end, out),
                Piece::Command { written, .. } => {
                    let at = self.locate_written(cursor, source.end, written);
                    cursor = at.end.max(cursor);
                    let span = self.span(at);
                    self.push_command(&piece, span, out);
                }
            }
        }
    }

    /// Where `written` is in the source after `from` (empty there when it is not).
    fn locate_written(&self, from: usize, end: usize, written: &str) -> Range<usize> {
        let window = self.text.get(from..end).unwrap_or("");
        window
            .find(written)
            .map_or(from..from, |at| from + at..from + at + written.len())
    }

    /// The inlines of one command read.
    fn push_command(&mut self, command: &Piece<'_>, span: Span, out: &mut Vec<Inline>) {
        let Piece::Command {
            name,
            reading,
            argument,
            written,
        } = *command
        else {
            return;
        };
        match reading {
            Reading::Layout { .. } => {
                let entry = self.latex_left_out.entry(name.to_string());
                entry.or_insert((span, 0)).1 += 1;
            }
            Reading::Markdown(hint) => {
                self.diags.push(
                    Diagnostic::warning(
                        code::RAW_LATEX,
                        format!("raw LaTeX (`\\{name}`) is printed as written: octavo reads Markdown's form of it"),
                    )
                    .at(span.clone())
                    .with_hint(hint),
                );
                out.push(Inline::text(written, span));
            }
            Reading::Reference(style) => out.push(latex_reference(argument, style, written, span)),
            Reading::Symbol(text) => out.push(Inline::text(text, span)),
            Reading::Break => out.push(Inline::HardBreak),
            Reading::Styled(look) => {
                let text = Inline::text(argument, span);
                out.push(match look {
                    Look::Bold => Inline::Strong(vec![text]),
                    Look::Italic => Inline::Emph(vec![text]),
                    Look::Code => Inline::Code(argument.to_string()),
                    Look::Plain => text,
                });
            }
        }
    }

    /// One warning per layout command the chapter's text held, with its count.
    pub(super) fn report_latex_left_out(&mut self) {
        for (name, (span, count)) in std::mem::take(&mut self.latex_left_out) {
            let times = if count == 1 {
                String::new()
            } else {
                format!(" ({count} times in this chapter)")
            };
            self.diags.push(
                Diagnostic::warning(
                    code::RAW_LATEX,
                    format!("raw LaTeX (`\\{name}`) is left out{times}: it places text on LaTeX's page, and octavo sets its own"),
                )
                .at(span)
                .with_hint("remove it; the PDF's page breaks and spacing come from the book's design"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_commands_are_read_and_other_backslashes_are_text() {
        let text = "a \\noindent b \\textbf{bold {x}} c \\LaTeX{} d C:\\Users \\vspace*{2em}e";
        let read: Vec<String> = pieces(text)
            .iter()
            .map(|p| match p {
                Piece::Text(t) => format!("T({t})"),
                Piece::Command { name, argument, .. } => format!("C({name}:{argument})"),
            })
            .collect();
        assert_eq!(
            read,
            [
                "T(a )",
                "C(noindent:)",
                "T(b )",
                "C(textbf:bold {x})",
                "T( c )",
                "C(LaTeX:)",
                "T( d C:\\Users )",
                "C(vspace:2em)",
                "T(e)"
            ]
        );
    }

    #[test]
    fn a_command_without_its_argument_is_text() {
        assert_eq!(
            pieces("\\textbf and \\emph{open"),
            [Piece::Text("\\textbf and \\emph{open")]
        );
        assert_eq!(pieces("\\Sources"), [Piece::Text("\\Sources")]);
    }
}
