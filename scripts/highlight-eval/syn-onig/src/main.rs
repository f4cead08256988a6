#[path = "../../common.rs"]
mod common;
use common::*;
use std::collections::HashMap;
use syntect::parsing::{ParseState, Scope, ScopeStack, SyntaxSet, SCOPE_REPO};

struct Syn { set: SyntaxSet, cache: HashMap<Scope, (Option<&'static str>, bool)> }

fn class_of_scope(name: &str) -> Option<&'static str> {
    let a: Vec<&str> = name.split('.').collect();
    let at = |i: usize| a.get(i).copied().unwrap_or("");
    Some(match (at(0), at(1)) {
        ("comment", _) => "comment",
        ("string", _) => "string",
        ("constant", "numeric") => "number",
        ("constant", "character") => "string",
        ("constant", _) | ("support", "constant") => "constant",
        ("keyword", "operator") => "operator",
        ("keyword", _) | ("storage", "modifier") => "keyword",
        ("storage", "type") => match at(2) {
            "function" | "struct" | "enum" | "class" | "trait" | "impl" | "type" | "union" | "module" | "interface" | "namespace" | "mod" => "keyword",
            _ => "type",
        },
        ("storage", _) => "keyword",
        ("entity", "name") => match at(2) {
            "function" | "macro" => "function",
            "tag" => "tag",
            "section" => "heading",
            _ => "type",
        },
        ("support", "function") | ("variable", "function") | ("support", "macro") => "function",
        ("support", "type") | ("support", "class") => "type",
        ("entity", "other") if at(2) == "attribute-name" => "attribute",
        ("entity", "other") => "type",
        ("meta", "annotation") | ("meta", "attribute") => "attribute",
        ("variable", "language") => "keyword",
        ("variable", _) => "variable",
        ("punctuation", "definition") => return None,
        ("punctuation", _) => "punctuation",
        ("markup", "heading") => "heading",
        ("markup", "inserted") => "inserted",
        ("markup", "deleted") => "deleted",
        _ => return None,
    })
}

impl Syn {
    fn class(&mut self, stack: &ScopeStack) -> &'static str {
        let mut punct = false;
        for s in stack.as_slice().iter().rev() {
            let (c, p) = *self.cache.entry(*s).or_insert_with(|| {
                let repo = SCOPE_REPO.lock().unwrap();
                let name = repo.to_string(*s);
                (class_of_scope(&name), name.starts_with("punctuation.definition"))
            });
            if let Some(c) = c { return c }
            punct |= p;
        }
        if punct { "punctuation" } else { "plain" }
    }
}

impl Classifier for Syn {
    fn classify(&mut self, lang: &str, code: &str) -> Option<Tokens> {
        let set = std::mem::take(&mut self.set); let r = self.go(&set, lang, code); self.set = set; r } }
impl Syn { fn go(&mut self, set: &SyntaxSet, lang: &str, code: &str) -> Option<Tokens> { let syntax = set.find_syntax_by_token(lang)?;
        let mut state = ParseState::new(&syntax);
        let mut stack = ScopeStack::new();
        let mut out: Tokens = vec![];
        let mut base = 0;
        for line in code.split_inclusive('\n') {
            let ops = state.parse_line(line, set).ok()?;
            let mut at = 0;
            for (pos, op) in ops {
                if pos > at { let c = self.class(&stack); out.push((base + at..base + pos, c)); at = pos; }
                stack.apply(&op).ok()?;
            }
            if line.len() > at { let c = self.class(&stack); out.push((base + at..base + line.len(), c)); }
            base += line.len();
        }
        Some(out)
    }
}

fn main() {
    let t = std::time::Instant::now();
    let set = two_face::syntax::extra_newlines();
    println!("load {:.3} s, {} syntaxes", t.elapsed().as_secs_f64(), set.syntaxes().len());
    let mut s = Syn { set, cache: HashMap::new() };
    run(env!("CARGO_PKG_NAME"), &mut s);
}
