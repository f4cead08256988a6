//! pandoc's fenced divs (`::: {.class #id}` … `:::`, nested) as containers, and Quarto's
//! callouts among them (`::: {.callout-note}`, `-tip`, `-warning`, `-important`, `-caution`)
//! as asides with a role, their title (a `title="…"` attribute or a first heading) set as
//! the callout's first paragraph. `captions` finds the fences; this module makes the block.

use super::builder::Builder;
use super::captions::LabelledDiv;
use super::MAX_DEPTH;
use crate::doc::{Attributes, Block, Inline};

/// The callout kinds Quarto defines.
const CALLOUT_KINDS: [&str; 5] = ["note", "tip", "warning", "important", "caution"];

/// `::: warning` (a bare word after the colons) read as `::: {.warning}`.
pub(super) fn bare_class(text: &str) -> Option<Attributes> {
    let word = text.trim();
    let valid = !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_alphanumeric() || c == '-' || c == '_');
    valid.then(|| Attributes {
        classes: vec![word.to_string()],
        ..Attributes::default()
    })
}

/// A div that is not a labelled figure, table or listing, nor the bibliography's place
/// (`::: {#refs}`, read elsewhere): one with a class, an id or an attribute
/// (`::: {lang=fa}`).
pub(super) fn is_plain_div(attrs: &Attributes) -> bool {
    attrs.id.as_deref() != Some("refs")
        && (!attrs.classes.is_empty() || attrs.id.is_some() || !attrs.pairs.is_empty())
}

/// The kind of a callout (`note`), when the div is one.
pub(crate) fn callout_kind(attrs: &Attributes) -> Option<&str> {
    attrs.classes.iter().find_map(|class| {
        let kind = class.strip_prefix("callout-")?;
        CALLOUT_KINDS.contains(&kind).then_some(kind)
    })
}

/// The command a paragraph of raw LaTeX starts with (`newpage`, `begin{tikzpicture}`), when
/// the paragraph is one: its text starts with a backslash and a letter, and it holds no `$`.
/// Environments of mathematics are not raw LaTeX here.
fn raw_latex_command(text: &str) -> Option<&str> {
    let rest = text.trim_start().strip_prefix('\\')?;
    let name_end = rest
        .find(|c: char| !c.is_ascii_alphabetic())
        .unwrap_or(rest.len());
    if name_end == 0 || text.contains('$') {
        return None;
    }
    // `\index{…}` is read as an index mark (`markdown::index`), not left out.
    if &rest[..name_end] == "index" {
        return None;
    }
    if &rest[..name_end] == "begin" {
        let environment = rest[name_end..].strip_prefix('{')?.split('}').next()?;
        if super::math::TEXT_MATH_ENVIRONMENTS.contains(&environment) {
            return None;
        }
        return Some(&rest[..name_end + environment.len() + 2]);
    }
    Some(&rest[..name_end])
}

impl Builder<'_> {
    /// A paragraph of raw LaTeX (`\newpage`, `\begin{tikzpicture}` … `\end{tikzpicture}`):
    /// left out of both outputs with a warning at it.
    pub(super) fn is_raw_latex(&mut self, inlines: &[Inline], span: &crate::diag::Span) -> bool {
        let Some(Inline::Text { text, .. }) = inlines.first() else {
            return false;
        };
        let Some(command) = raw_latex_command(text) else {
            return false;
        };
        let all_text = inlines.iter().all(|i| {
            matches!(i, Inline::Text { text, .. } if !text.contains('$'))
                || matches!(i, Inline::SoftBreak | Inline::HardBreak)
        });
        if !all_text {
            return false;
        }
        self.diags.push(
            crate::diag::Diagnostic::warning(
                crate::diag::code::RAW_LATEX,
                format!("raw LaTeX (`\\{command}`) is left out: octavo sets Markdown, not LaTeX"),
            )
            .at(span.clone())
            .with_hint("write what it should print in Markdown, or remove it"),
        );
        true
    }
    /// The container a fenced div makes, its nested divs made too.
    pub(super) fn fenced_div(&mut self, div: LabelledDiv) -> Block {
        let LabelledDiv { attrs, inner, span } = div;
        let mut blocks = if self.div_depth < MAX_DEPTH {
            self.div_depth += 1;
            let grouped = self.group_labelled_divs(inner);
            self.div_depth -= 1;
            grouped
        } else {
            inner
        };
        let kind = callout_kind(&attrs).map(str::to_string);
        if kind.is_some() {
            callout_title(&attrs, &span, &mut blocks);
        }
        Block::Container {
            name: if kind.is_some() { "aside" } else { "div" }.to_string(),
            attrs: html_attributes(&attrs, kind.as_deref()),
            blocks,
            span,
        }
    }
}

/// A callout's title, as its first paragraph in bold: the `title` attribute, or else the
/// heading it starts with (which then is not a section of the chapter).
fn callout_title(attrs: &Attributes, span: &crate::diag::Span, blocks: &mut Vec<Block>) {
    let title = match (attrs.get("title"), blocks.first()) {
        (Some(title), _) => vec![Inline::text(title, span.clone())],
        (None, Some(Block::Heading(_))) => match blocks.remove(0) {
            Block::Heading(heading) => heading.content,
            _ => return,
        },
        _ => return,
    };
    let paragraph = Block::Paragraph {
        content: vec![Inline::Strong(title)],
        span: span.clone(),
    };
    blocks.insert(0, paragraph);
}

/// The HTML attributes of a div: its id, its classes (a callout's with `callout`), its
/// language, and a callout's role.
fn html_attributes(attrs: &Attributes, callout: Option<&str>) -> Vec<(String, String)> {
    let mut html = Vec::new();
    if let Some(id) = &attrs.id {
        html.push(("id".to_string(), id.clone()));
    }
    let mut classes = attrs.classes.clone();
    if callout.is_some() {
        classes.insert(0, "callout".to_string());
    }
    if !classes.is_empty() {
        html.push(("class".to_string(), classes.join(" ")));
    }
    if let Some(lang) = attrs.get("lang") {
        html.push(("lang".to_string(), lang.to_string()));
    }
    if let Some(kind) = callout {
        let role = if kind == "tip" { "doc-tip" } else { "note" };
        html.push(("role".to_string(), role.to_string()));
    }
    html
}

#[cfg(test)]
mod tests {
    use super::raw_latex_command;

    #[test]
    fn raw_latex_paragraphs() {
        assert_eq!(raw_latex_command("\\newpage"), Some("newpage"));
        assert_eq!(
            raw_latex_command("\\begin{tikzpicture}\n\\draw;"),
            Some("begin{tikzpicture}")
        );
        assert_eq!(raw_latex_command("\\begin{align}\nx &= 1"), None);
        assert_eq!(raw_latex_command("\\alpha is $x$"), None);
        assert_eq!(raw_latex_command("Text \\newpage"), None);
        assert_eq!(raw_latex_command("\\ "), None);
    }
}
