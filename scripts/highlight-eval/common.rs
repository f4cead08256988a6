// Shared harness of the highlighter evaluation: coverage, correctness on samples, speed.
use std::ops::Range;
use std::time::Instant;

pub type Tokens = Vec<(Range<usize>, &'static str)>;

pub trait Classifier {
    /// None when the language is unknown.
    fn classify(&mut self, lang: &str, code: &str) -> Option<Tokens>;
}

/// (language of the issue, fence tokens a writer would use)
pub const LANGS: &[(&str, &[&str])] = &[
    ("Rust", &["rust", "rs"]),
    ("Python", &["python", "py"]),
    ("R", &["r"]),
    ("C", &["c"]),
    ("C++", &["cpp", "c++"]),
    ("Java", &["java"]),
    ("JavaScript", &["javascript", "js"]),
    ("TypeScript", &["typescript", "ts"]),
    ("Go", &["go"]),
    ("Haskell", &["haskell", "hs"]),
    ("Common Lisp", &["lisp", "commonlisp"]),
    ("Scheme", &["scheme", "scm"]),
    ("Clojure", &["clojure", "clj"]),
    ("shell", &["bash", "sh", "shell"]),
    ("SQL", &["sql"]),
    ("HTML", &["html"]),
    ("XML", &["xml"]),
    ("CSS", &["css"]),
    ("JSON", &["json"]),
    ("TOML", &["toml"]),
    ("YAML", &["yaml", "yml"]),
    ("Markdown", &["markdown", "md"]),
    ("LaTeX", &["latex", "tex"]),
    ("diff", &["diff", "patch"]),
];

/// (token, code, [(text, expected class)])
pub const SAMPLES: &[(&str, &str, &[(&str, &str)])] = &[
    ("rust", "// sum\nfn add(a: i32) -> i32 { let s = \"hi\"; a + 42 }\n", &[("// sum", "comment"), ("fn", "keyword"), ("add", "function"), ("\"hi\"", "string"), ("42", "number"), ("i32", "type")]),
    ("rust", "let r = r#\"raw \"q\" str\"#; let c = 'x'; struct P<'a> { x: &'a str }\n", &[("r#\"raw \"q\" str\"#", "string"), ("'x'", "string"), ("struct", "keyword"), ("P", "type")]),
    ("python", "def f(x):\n    \"\"\"Doc.\"\"\"\n    return x + 1  # one\n", &[("def", "keyword"), ("f", "function"), ("\"\"\"Doc.\"\"\"", "string"), ("return", "keyword"), ("1", "number"), ("# one", "comment")]),
    ("python", "s = f\"{x} y\"\nclass A(B):\n    pass\n", &[("class", "keyword"), ("A", "type"), ("pass", "keyword")]),
    ("r", "x <- c(1, 2) # v\nf <- function(a) { TRUE }\n", &[("# v", "comment"), ("function", "keyword"), ("1", "number"), ("TRUE", "constant")]),
    ("c", "#include <stdio.h>\nint main(void) { printf(\"%d\\n\", 3); return 0; } /* c */\n", &[("int", "type"), ("return", "keyword"), ("3", "number"), ("/* c */", "comment"), ("main", "function")]),
    ("cpp", "template <typename T> class V { public: T x = 1; }; // c\n", &[("template", "keyword"), ("class", "keyword"), ("1", "number"), ("// c", "comment")]),
    ("java", "public class A { int x = 5; String s = \"a\"; } // c\n", &[("public", "keyword"), ("class", "keyword"), ("5", "number"), ("\"a\"", "string"), ("// c", "comment")]),
    ("javascript", "const f = (x) => x * 2; // c\nfunction g() { return 'a'; }\n", &[("const", "keyword"), ("2", "number"), ("// c", "comment"), ("function", "keyword"), ("'a'", "string")]),
    ("typescript", "interface P { x: number }\nconst a: string = \"s\"; // c\n", &[("interface", "keyword"), ("number", "type"), ("\"s\"", "string"), ("// c", "comment")]),
    ("go", "package main\nfunc main() { x := 42; fmt.Println(\"a\") } // c\n", &[("package", "keyword"), ("func", "keyword"), ("42", "number"), ("\"a\"", "string"), ("// c", "comment")]),
    ("haskell", "-- c\nmain :: IO ()\nmain = print (1 + 2) where x = \"s\"\n", &[("-- c", "comment"), ("IO", "type"), ("1", "number"), ("where", "keyword"), ("\"s\"", "string")]),
    ("lisp", "; c\n(defun f (x) (+ x 1 \"s\"))\n", &[("; c", "comment"), ("defun", "keyword"), ("1", "number"), ("\"s\"", "string")]),
    ("scheme", "; c\n(define (f x) (+ x 1 \"s\"))\n", &[("; c", "comment"), ("define", "keyword"), ("1", "number"), ("\"s\"", "string")]),
    ("clojure", "; c\n(defn f [x] (+ x 1 \"s\" :k))\n", &[("; c", "comment"), ("defn", "keyword"), ("1", "number"), ("\"s\"", "string")]),
    ("bash", "# c\nfor f in *.md; do echo \"$f\" 42; done\n", &[("# c", "comment"), ("for", "keyword"), ("done", "keyword"), ("\"$f\"", "string")]),
    ("sql", "SELECT name FROM t WHERE id = 5 AND s = 'a'; -- c\n", &[("SELECT", "keyword"), ("FROM", "keyword"), ("5", "number"), ("'a'", "string"), ("-- c", "comment")]),
    ("html", "<!-- c -->\n<p class=\"x\">Hi</p>\n", &[("<!-- c -->", "comment"), ("p", "tag"), ("class", "attribute"), ("\"x\"", "string")]),
    ("xml", "<?xml version=\"1.0\"?>\n<a b=\"c\"><!-- d --></a>\n", &[("a", "tag"), ("b", "attribute"), ("\"c\"", "string"), ("<!-- d -->", "comment")]),
    ("css", "/* c */\np.x { color: red; margin: 2px; }\n", &[("/* c */", "comment"), ("p", "tag"), ("color", "attribute"), ("2px", "number")]),
    ("json", "{\"a\": [1, true, null, \"s\"]}\n", &[("\"a\"", "attribute"), ("1", "number"), ("true", "constant"), ("\"s\"", "string")]),
    ("toml", "# c\n[package]\nname = \"x\"\nv = 3\n", &[("# c", "comment"), ("name", "attribute"), ("\"x\"", "string"), ("3", "number")]),
    ("yaml", "# c\nkey: \"v\"\nn: 3\n", &[("# c", "comment"), ("key", "attribute"), ("\"v\"", "string"), ("3", "number")]),
    ("markdown", "# Title\n\nSome *em* and `code`.\n", &[("Title", "heading")]),
    ("latex", "% c\n\\section{Intro} $x^2$\n", &[("% c", "comment"), ("\\section", "keyword")]),
    ("diff", "--- a\n+++ b\n@@ -1 +1 @@\n-old\n+new\n", &[("-old", "deleted"), ("+new", "inserted")]),
];

pub fn class_at(tokens: &Tokens, range: Range<usize>) -> &'static str {
    // the class covering every byte of the range, or "mixed"/"plain"
    let mut found: Option<&'static str> = None;
    for at in range.clone() {
        let class = tokens.iter().find(|(r, _)| r.contains(&at)).map(|(_, c)| *c).unwrap_or("plain");
        match found {
            None => found = Some(class),
            Some(c) if c == class => {}
            _ => return "mixed",
        }
    }
    found.unwrap_or("plain")
}

pub fn run(name: &str, c: &mut dyn Classifier) {
    println!("== {name}");
    let mut covered = 0;
    let mut missing = vec![];
    for (lang, tokens) in LANGS {
        let ok: Vec<&str> = tokens.iter().copied().filter(|t| c.classify(t, "x\n").is_some()).collect();
        if ok.is_empty() { missing.push(*lang) } else { covered += 1 }
        println!("coverage {lang:12} {:?}", ok);
    }
    println!("COVERAGE {covered}/{} missing {missing:?}", LANGS.len());
    let (mut pass, mut total) = (0, 0);
    for (lang, code, checks) in SAMPLES {
        let Some(tokens) = c.classify(lang, code) else {
            println!("sample {lang}: language unknown"); total += checks.len(); continue;
        };
        let mut from = 0;
        for (text, want) in *checks {
            total += 1;
            let at = code[from..].find(text).map(|i| i + from).or_else(|| code.find(text)).unwrap();
            from = at;
            let got = class_at(&tokens, at..at + text.len());
            if got == *want { pass += 1 } else { println!("  {lang}: {text:?} want {want} got {got}") }
        }
    }
    println!("CORRECT {pass}/{total}");
    // speed on comprehensive-rust
    let blocks = corpus_blocks();
    let bytes: usize = blocks.iter().map(|(_, t)| t.len()).sum();
    let start = Instant::now();
    let cpu0 = cpu_secs();
    let mut ntok = 0;
    let rounds = 3;
    for _ in 0..rounds {
        for (lang, text) in &blocks {
            if let Some(t) = c.classify(lang, text) { ntok += t.len() }
        }
    }
    let wall = start.elapsed().as_secs_f64() / rounds as f64;
    let secs = (cpu_secs() - cpu0) / rounds as f64;
    println!("wall {wall:.3} s/round");
    println!("SPEED {} blocks, {:.2} MB, {:.3} s/round, {:.2} MB/s, {} tokens", blocks.len(), bytes as f64 / 1e6, secs, bytes as f64 / 1e6 / secs, ntok / rounds);
}

pub fn corpus_blocks() -> Vec<(String, String)> {
    let mut out = vec![];
    let mut files = vec![];
    walk(std::path::Path::new("/work/shared/corpus/technical/comprehensive-rust/source/src"), &mut files);
    files.sort();
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        let mut cur: Option<(String, String)> = None;
        for line in text.lines() {
            let t = line.trim_start();
            if t.starts_with("```") {
                match cur.take() {
                    Some(block) => out.push(block),
                    None => {
                        let lang = t.trim_start_matches('`').split([',', ' ']).next().unwrap_or("").to_string();
                        cur = Some((if lang.is_empty() { "text".into() } else { lang }, String::new()));
                    }
                }
            } else if let Some((_, body)) = cur.as_mut() {
                body.push_str(line);
                body.push('\n');
            }
        }
    }
    out
}

fn walk(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() { walk(&p, out) } else if p.extension().is_some_and(|x| x == "md") { out.push(p) }
    }
}

fn cpu_secs() -> f64 {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").unwrap();
    s.split_whitespace().next().unwrap().parse::<f64>().unwrap() / 1e9
}
