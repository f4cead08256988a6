#[path = "../../common.rs"]
mod common;
use common::*;

struct Ts { hl: arborium::Highlighter }

fn class_of_capture(name: &str) -> Option<&'static str> {
    let a: Vec<&str> = name.split('.').collect();
    let at = |i: usize| a.get(i).copied().unwrap_or("");
    Some(match (at(0), at(1)) {
        ("comment", _) => "comment",
        ("string", _) | ("character", _) | ("escape", _) => "string",
        ("number", _) | ("float", _) | ("constant", "numeric") => "number",
        ("boolean", _) | ("constant", _) => "constant",
        ("operator", _) | ("keyword", "operator") => "operator",
        ("keyword", _) | ("include", _) | ("conditional", _) | ("repeat", _) | ("storageclass", _) | ("exception", _) | ("label", _) => "keyword",
        ("function", _) | ("method", _) | ("constructor", _) => "function",
        ("type", _) => "type",
        ("tag", "attribute") | ("attribute", _) | ("property", _) => "attribute",
        ("tag", _) => "tag",
        ("variable", "builtin") => "keyword",
        ("variable", _) | ("parameter", _) => "variable",
        ("punctuation", _) => "punctuation",
        ("markup", "heading") | ("text", "title") | ("title", _) => "heading",
        ("diff", "plus") | ("markup", "inserted") | ("text", "diff") if at(2) != "delete" => "inserted",
        ("diff", "minus") | ("markup", "deleted") => "deleted",
        ("string", _) => "string",
        _ => return None,
    })
}

impl Classifier for Ts {
    fn classify(&mut self, lang: &str, code: &str) -> Option<Tokens> {
        let mut spans = self.hl.highlight_spans(lang, code).ok()?;
        spans.sort_by_key(|s| (std::cmp::Reverse(s.end - s.start), s.pattern_index));
        let mut paint: Vec<&'static str> = vec!["plain"; code.len()];
        for s in &spans {
            if let Some(c) = class_of_capture(&s.capture) {
                for b in &mut paint[s.start as usize..(s.end as usize).min(code.len())] { *b = c }
            }
        }
        let mut out: Tokens = vec![];
        let mut i = 0;
        while i < paint.len() {
            let mut j = i + 1;
            while j < paint.len() && paint[j] == paint[i] { j += 1 }
            out.push((i..j, paint[i]));
            i = j;
        }
        Some(out)
    }
}

fn main() {
    let hl = arborium::Highlighter::new();
    let mut t = Ts { hl };
    run(env!("CARGO_PKG_NAME"), &mut t);
}
