//! Fence languages: how a fence's info string names a language (`rust,editable`, `{.python}`,
//! `C++`), and which known language a misspelled name was meant to be (`pyhton`).

/// Names a writer may put on a fence for a language the highlighter knows under another
/// token: the left is normalised (lower case) before the lookup, the right is a token the
/// syntax set has.
const ALIASES: &[(&str, &str)] = &[
    ("c++", "cpp"),
    ("shell", "bash"),
    ("zsh", "bash"),
    ("lisp", "lisp"),
    ("commonlisp", "lisp"),
    ("common-lisp", "lisp"),
    ("elisp", "lisp"),
    ("emacs-lisp", "lisp"),
    ("scheme", "scm"),
    ("racket", "scm"),
    ("clojure", "clj"),
    ("latex", "tex"),
    ("patch", "diff"),
    ("jsonc", "json"),
    ("golang", "go"),
    ("typescript", "ts"),
    ("javascript", "js"),
    ("python3", "py"),
    ("py3", "py"),
    ("yml", "yaml"),
    ("html5", "html"),
    ("svg", "xml"),
    ("xhtml", "html"),
    ("postgresql", "sql"),
    ("mysql", "sql"),
    ("sqlite", "sql"),
    ("objective-c", "objc"),
    ("kotlin", "kt"),
    ("dockerfile", "Dockerfile"),
    ("md", "markdown"),
];

/// Language names a misspelling is compared with: the ones books use most. A name the
/// syntax set knows but that is not here is still highlighted; it is only never suggested.
pub(crate) const SUGGESTED: &[&str] = &[
    "rust",
    "python",
    "javascript",
    "typescript",
    "haskell",
    "clojure",
    "scheme",
    "lisp",
    "bash",
    "shell",
    "java",
    "kotlin",
    "swift",
    "scala",
    "golang",
    "ruby",
    "perl",
    "php",
    "html",
    "xml",
    "css",
    "json",
    "toml",
    "yaml",
    "markdown",
    "latex",
    "diff",
    "sql",
    "cpp",
    "csharp",
    "elixir",
    "erlang",
    "ocaml",
    "fsharp",
    "julia",
    "matlab",
    "lua",
    "dockerfile",
    "makefile",
    "powershell",
    "groovy",
    "dart",
    "zig",
    "nim",
    "fortran",
    "pascal",
    "racket",
];

/// Names that say "no language" (program output, a terminal session, plain text): never
/// highlighted and never a misspelling.
const PLAIN: &[&str] = &[
    "text",
    "txt",
    "plain",
    "plaintext",
    "none",
    "output",
    "console",
    "terminal",
    "log",
    "raw",
    "ignore",
];

/// The language a fence names, normalised: the first word of the info string, before any
/// comma (mdBook's `rust,editable`), without braces or a leading dot, in lower case.
pub(crate) fn fence_language(lang: &str) -> Option<String> {
    let first = lang.split([',', ' ']).next()?;
    let name = first
        .trim_matches(|c| c == '{' || c == '}' || c == '.')
        .trim();
    (!name.is_empty()).then(|| name.to_lowercase())
}

/// The token the syntax set is asked for `name` (already normalised).
pub(crate) fn lookup_token(name: &str) -> &str {
    ALIASES
        .iter()
        .find(|(alias, _)| *alias == name)
        .map_or(name, |(_, token)| token)
}

/// Whether `name` means plain text on purpose.
pub(crate) fn is_plain(name: &str) -> bool {
    PLAIN.contains(&name)
}

/// The known language `name` is a likely misspelling of: one edit away (a letter added,
/// dropped, changed, or two swapped) for names of four letters or more, two edits for eight
/// or more. Short names (`gn`, `ld`, `bob`) are too close to too much to guess at.
pub(crate) fn did_you_mean(name: &str) -> Option<&'static str> {
    let length = name.chars().count();
    let allowed = match length {
        0..=3 => return None,
        4..=7 => 1,
        _ => 2,
    };
    SUGGESTED
        .iter()
        .map(|known| (edit_distance(name, known), *known))
        .filter(|(distance, _)| *distance > 0 && *distance <= allowed)
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, known)| known)
}

/// The optimal-string-alignment distance between `a` and `b`: insertions, deletions,
/// substitutions and swaps of neighbours each cost one.
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let width = b.len() + 1;
    let mut d = vec![0usize; (a.len() + 1) * width];
    for (i, row) in d.chunks_mut(width).enumerate() {
        row[0] = i;
    }
    for (j, cell) in d.iter_mut().take(width).enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (d[(i - 1) * width + j] + 1)
                .min(d[i * width + j - 1] + 1)
                .min(d[(i - 1) * width + j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(d[(i - 2) * width + j - 2] + 1);
            }
            d[i * width + j] = best;
        }
    }
    d[a.len() * width + b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fence_languages_are_normalised() {
        assert_eq!(fence_language("rust,editable").as_deref(), Some("rust"));
        assert_eq!(fence_language("{.Python}").as_deref(), Some("python"));
        assert_eq!(fence_language("C++").as_deref(), Some("c++"));
        assert_eq!(fence_language(",").as_deref(), None);
        assert_eq!(lookup_token("c++"), "cpp");
        assert_eq!(lookup_token("rust"), "rust");
    }

    #[test]
    fn misspellings_are_suggested_and_short_names_are_not() {
        assert_eq!(did_you_mean("pyhton"), Some("python"));
        assert_eq!(did_you_mean("rsut"), Some("rust"));
        assert_eq!(did_you_mean("javscript"), Some("javascript"));
        assert_eq!(did_you_mean("gn"), None);
        assert_eq!(did_you_mean("bob"), None);
        assert_eq!(did_you_mean("armasm"), None);
        assert_eq!(did_you_mean("rust"), None);
    }
}
