//! Reads extract.py's JSON lines on stdin; prints how many formulas pulldown-latex renders
//! to MathML without an error, the errors by kind, and the time taken.
use pulldown_latex::{push_mathml, Parser, RenderConfig, Storage};
use std::io::BufRead;

fn main() {
    let (mut ok, mut failed) = (0usize, 0usize);
    let mut errors = std::collections::BTreeMap::<String, usize>::new();
    let start = std::time::Instant::now();
    for line in std::io::stdin().lock().lines() {
        let line = line.expect("a line");
        let value: serde_json::Value = serde_json::from_str(&line).expect("json");
        let tex = value["tex"].as_str().unwrap_or_default();
        let storage = Storage::new();
        let parser = Parser::new(tex, &storage);
        let mut mathml = String::new();
        let events: Vec<_> = parser.collect();
        let first_error = events.iter().find_map(|e| e.as_ref().err().map(|e| e.to_string()));
        match first_error {
            None => {
                let _ = push_mathml(&mut mathml, events.into_iter(), RenderConfig::default());
                ok += 1;
            }
            Some(e) => {
                failed += 1;
                let kind = e.lines().next().unwrap_or("").to_string();
                *errors.entry(kind).or_default() += 1;
                if failed <= 15 {
                    eprintln!("{}:{} {}\n  {}", value["file"], value["line"], tex.trim(), e.replace('\n', "\n  "));
                }
            }
        }
    }
    println!("ok {ok} failed {failed} in {:?}", start.elapsed());
    for (kind, n) in errors {
        println!("{n:5} {kind}");
    }
}
