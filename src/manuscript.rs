//! Loading a manuscript: book.toml, the chapter files in order, and every other file the book
//! reads, all confined to the book folder.
//!
//! Every path a manuscript names (chapters, images, cover, bibliography, stylesheets) goes
//! through [`BookRoot::resolve`]: it refuses URLs, absolute paths and anything that, after
//! percent-decoding and symlink resolution, lands outside the book folder. A hostile manuscript
//! cannot make octavo read `/etc/passwd` into an EPUB.

use std::fs;
use std::path::{Component, Path, PathBuf};

use crate::config::{parse_config, BookConfig};
use crate::diag::{code, Diagnostic, Diagnostics, FileId, SourceMap, Span};

/// The canonical book folder that every read must stay inside.
#[derive(Debug, Clone)]
pub struct BookRoot {
    root: PathBuf,
}

/// Why a path was refused or could not be found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PathProblem {
    /// `http:`, `file:` or another URL scheme.
    Url,
    /// An absolute path.
    Absolute,
    /// It resolves outside the book folder.
    Escapes,
    /// Nothing exists there.
    Missing,
}

impl PathProblem {
    /// A sentence for messages.
    pub fn describe(&self, path: &str) -> String {
        match self {
            PathProblem::Url => {
                format!("`{path}` is a URL; only files inside the book folder can be used")
            }
            PathProblem::Absolute => {
                format!("`{path}` is an absolute path; paths must be relative to the book folder")
            }
            PathProblem::Escapes => format!("`{path}` leads outside the book folder"),
            PathProblem::Missing => format!("`{path}` does not exist"),
        }
    }

    /// The diagnostic code for this problem.
    pub fn code(&self) -> &'static str {
        match self {
            PathProblem::Missing => code::IO,
            _ => code::PATH_ESCAPES,
        }
    }
}

impl BookRoot {
    /// Canonicalise the book folder.
    pub fn new(dir: &Path) -> std::io::Result<BookRoot> {
        Ok(BookRoot {
            root: fs::canonicalize(dir)?,
        })
    }

    /// The canonical path of the book folder.
    pub fn path(&self) -> &Path {
        &self.root
    }

    /// Resolve `written` (as found in a file under `base`, relative to the root) to a real
    /// file inside the book folder, or say why not.
    pub fn resolve(&self, base: &Path, written: &str) -> Result<PathBuf, PathProblem> {
        if has_url_scheme(written) {
            return Err(PathProblem::Url);
        }
        let decoded = percent_decode(written);
        let relative = Path::new(&decoded);
        if relative.is_absolute() || relative.has_root() || decoded.starts_with('\\') {
            return Err(PathProblem::Absolute);
        }
        let joined = self.root.join(base).join(relative);
        let Some(normalised) = normalise_inside(&self.root, &joined) else {
            return Err(PathProblem::Escapes);
        };
        let canonical = fs::canonicalize(&normalised).map_err(|_| PathProblem::Missing)?;
        if canonical.starts_with(&self.root) {
            Ok(canonical)
        } else {
            Err(PathProblem::Escapes)
        }
    }

    /// The path of `file` relative to the root, with `/` separators, for messages.
    pub fn display(&self, file: &Path) -> String {
        let relative = file.strip_prefix(&self.root).unwrap_or(file);
        relative
            .components()
            .map(|c| c.as_os_str().to_string_lossy())
            .collect::<Vec<_>>()
            .join("/")
    }
}

/// True for `scheme:` prefixes such as `http:`, `file:`, `data:` (not Windows drive letters).
pub fn has_url_scheme(text: &str) -> bool {
    match text.split_once(':') {
        Some((scheme, _)) => {
            scheme.len() > 1
                && scheme.starts_with(|c: char| c.is_ascii_alphabetic())
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
        }
        None => false,
    }
}

/// Decode `%XX` escapes (invalid escapes are kept as written).
pub fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(value)) => {
                out.push(value);
                i += 3;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Fold `..` and `.` without touching the disk; `None` when the result leaves `root`.
/// (The result is canonicalised afterwards, so symlinks are still checked.)
fn normalise_inside(root: &Path, path: &Path) -> Option<PathBuf> {
    let mut parts: Vec<Component> = Vec::new();
    for component in path.components() {
        match component {
            Component::ParentDir => {
                parts.pop()?;
            }
            Component::CurDir => {}
            other => parts.push(other),
        }
    }
    let normalised: PathBuf = parts.iter().collect();
    normalised.starts_with(root).then_some(normalised)
}

/// A loaded manuscript: configuration and chapter texts, ready for the Markdown stage.
#[derive(Debug)]
pub struct Manuscript {
    /// The confined book folder.
    pub root: BookRoot,
    /// Parsed book.toml.
    pub config: BookConfig,
    /// book.toml's id in the source map.
    pub config_file: FileId,
    /// Chapter files in reading order.
    pub chapters: Vec<FileId>,
    /// The bibliography file, when configured and readable.
    pub bibliography: Option<FileId>,
    /// Every text file read so far.
    pub sources: SourceMap,
    /// The fonts book.toml's `[fonts]` names, loaded by [`crate::build::compile`] (for the
    /// PDF); `None` for the bundled fonts.
    pub fonts: Option<std::sync::Arc<crate::pdf::font::FontSet<'static>>>,
    /// book.toml's `[epub] css`, with what an EPUB may not hold dropped, loaded by
    /// [`crate::build::compile`] (see [`crate::epub::css`]); `None` when there is none.
    pub stylesheet: Option<String>,
}

/// Read book.toml and the chapters of the book in `dir`. Problems go into `diags`; when the
/// book cannot be processed at all, the sources read so far come back for the messages.
pub fn load(dir: &Path, diags: &mut Diagnostics) -> Result<Manuscript, SourceMap> {
    let mut sources = SourceMap::default();
    let root = match BookRoot::new(dir) {
        Ok(root) => root,
        Err(err) => {
            diags.push(
                Diagnostic::error(code::IO, format!("cannot open the book folder: {err}"))
                    .in_file(dir),
            );
            return Err(sources);
        }
    };
    let config_path = root.path().join("book.toml");
    let Some(config_text) = read_config_text(&config_path, diags) else {
        return Err(sources);
    };
    let config_file = sources.add("book.toml", config_text);
    let Some(config) = parse_config(config_file, &sources.get(config_file).text, diags) else {
        return Err(sources);
    };
    let chapter_paths = chapter_paths(&root, &config, config_file, diags);
    let chapters = chapter_paths
        .iter()
        .filter_map(|path| read_text_file(&root, path, &mut sources, diags))
        .collect();
    let bibliography = config.bibliography.as_ref().and_then(|bib| {
        let path = resolve_configured(&root, bib, config_file, "bibliography", diags)?;
        read_text_file(&root, &path, &mut sources, diags)
    });
    Ok(Manuscript {
        root,
        config,
        config_file,
        chapters,
        bibliography,
        sources,
        fonts: None,
        stylesheet: None,
    })
}

fn read_config_text(path: &Path, diags: &mut Diagnostics) -> Option<String> {
    match fs::read(path) {
        Ok(bytes) => match String::from_utf8(strip_bom(&bytes).to_vec()) {
            Ok(text) => Some(text),
            Err(err) => {
                diags.push(
                    Diagnostic::error(
                        code::INVALID_UTF8,
                        format!(
                            "book.toml is not valid UTF-8 (byte {})",
                            err.utf8_error().valid_up_to()
                        ),
                    )
                    .in_file(path),
                );
                None
            }
        },
        Err(err) => {
            diags.push(
                Diagnostic::error(
                    code::CONFIG_MISSING,
                    format!("cannot read book.toml: {err}"),
                )
                .in_file(path)
                .with_hint(
                    "run `octavo build` in a book folder, or create one with `octavo new NAME`",
                ),
            );
            None
        }
    }
}

/// Resolve a path given in book.toml, reporting problems at the value's span.
pub fn resolve_configured(
    root: &BookRoot,
    value: &toml::Spanned<String>,
    config_file: FileId,
    what: &str,
    diags: &mut Diagnostics,
) -> Option<PathBuf> {
    match root.resolve(Path::new(""), value.get_ref()) {
        Ok(path) => Some(path),
        Err(problem) => {
            diags.push(
                Diagnostic::error(
                    problem.code(),
                    format!("the {what} {}", problem.describe(value.get_ref())),
                )
                .at(Span::new(config_file, value.span()))
                .with_hint("paths in book.toml are relative to the book folder"),
            );
            None
        }
    }
}

fn chapter_paths(
    root: &BookRoot,
    config: &BookConfig,
    config_file: FileId,
    diags: &mut Diagnostics,
) -> Vec<PathBuf> {
    let paths = match &config.chapters {
        Some(list) => list
            .iter()
            .filter_map(|c| resolve_configured(root, c, config_file, "chapter", diags))
            .collect(),
        None => discover_chapters(root),
    };
    if paths.is_empty() && config.chapters.is_none() {
        diags.push(
            Diagnostic::error(code::NO_CHAPTERS, "the book has no chapters")
                .in_file(root.path().join("chapters"))
                .with_hint("put Markdown files in chapters/ (01-intro.md, 02-…) or list them in book.toml: chapters = [\"a.md\", \"b.md\"]"),
        );
    }
    paths
}

/// `chapters/*.md` in natural order (`chapter2` before `chapter10`), confined to the root.
fn discover_chapters(root: &BookRoot) -> Vec<PathBuf> {
    let Ok(entries) = fs::read_dir(root.path().join("chapters")) else {
        return Vec::new();
    };
    let mut names: Vec<String> = entries
        .filter_map(|e| e.ok())
        .filter_map(|e| e.file_name().into_string().ok())
        .filter(|name| name.ends_with(".md") && !name.starts_with('.'))
        .collect();
    names.sort_by(|a, b| natural_cmp(a, b));
    names
        .iter()
        .filter_map(|name| root.resolve(Path::new("chapters"), name).ok())
        .filter(|path| path.is_file())
        .collect()
}

/// Compare strings with digit runs compared as numbers.
pub fn natural_cmp(a: &str, b: &str) -> std::cmp::Ordering {
    natural_key(a).cmp(&natural_key(b)).then_with(|| a.cmp(b))
}

#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
enum KeyPart {
    Number(u128, usize),
    Text(String),
}

fn natural_key(text: &str) -> Vec<KeyPart> {
    let mut parts = Vec::new();
    let mut chars = text.chars().peekable();
    while let Some(&c) = chars.peek() {
        let digits = c.is_ascii_digit();
        let mut run = String::new();
        while let Some(&c) = chars.peek() {
            if c.is_ascii_digit() != digits {
                break;
            }
            run.push(c);
            chars.next();
        }
        parts.push(if digits {
            // Digit runs longer than u128 compare by length, then text: still a total order.
            let value = run.trim_start_matches('0');
            let number = if value.is_empty() {
                Some(0)
            } else {
                value.parse().ok()
            };
            KeyPart::Number(number.unwrap_or(u128::MAX), run.len())
        } else {
            KeyPart::Text(run.to_lowercase())
        });
    }
    parts
}

fn strip_bom(bytes: &[u8]) -> &[u8] {
    bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes)
}

/// Read a text file inside the root into the source map: UTF-8 checked (BOM accepted),
/// NUL and XML-illegal control characters removed with a warning.
pub fn read_text_file(
    root: &BookRoot,
    path: &Path,
    sources: &mut SourceMap,
    diags: &mut Diagnostics,
) -> Option<FileId> {
    let name = root.display(path);
    let bytes = match fs::read(path) {
        Ok(bytes) => bytes,
        Err(err) => {
            diags.push(
                Diagnostic::error(code::IO, format!("cannot read the file: {err}")).in_file(&name),
            );
            return None;
        }
    };
    let text = match std::str::from_utf8(strip_bom(&bytes)) {
        Ok(text) => text,
        Err(err) => {
            diags.push(
                Diagnostic::error(
                    code::INVALID_UTF8,
                    format!(
                        "not valid UTF-8 at byte {}",
                        err.valid_up_to() + (bytes.len() - strip_bom(&bytes).len())
                    ),
                )
                .in_file(&name)
                .with_hint("save the file as UTF-8"),
            );
            return None;
        }
    };
    let (clean, removed) = remove_control_chars(text);
    let id = sources.add(name, clean);
    if let Some(first) = removed.first() {
        diags.push(
            Diagnostic::warning(
                code::CONTROL_CHAR,
                format!(
                    "removed {} control character(s) that XML forbids (first: U+{:04X})",
                    removed.len(),
                    first.1 as u32
                ),
            )
            .at(Span::new(id, first.0..first.0)),
        );
    }
    Some(id)
}

/// Drop characters XML 1.0 forbids (C0 controls but tab/newline/CR, U+FFFE/U+FFFF) and return
/// the cleaned text plus (offset in the cleaned text, character) for each removed one.
pub fn remove_control_chars(text: &str) -> (String, Vec<(usize, char)>) {
    let forbidden = |c: char| {
        (c < ' ' && !matches!(c, '\t' | '\n' | '\r')) || c == '\u{FFFE}' || c == '\u{FFFF}'
    };
    if !text.chars().any(forbidden) {
        return (text.to_string(), Vec::new());
    }
    let mut clean = String::with_capacity(text.len());
    let mut removed = Vec::new();
    for c in text.chars() {
        if forbidden(c) {
            removed.push((clean.len(), c));
        } else {
            clean.push(c);
        }
    }
    (clean, removed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn natural_sort_puts_10_after_2() {
        let mut names = vec![
            "chapter10.md",
            "chapter2.md",
            "chapter1.md",
            "appendix.md",
            "chapter0.md",
            "chapter00.md",
        ];
        names.sort_by(|a, b| natural_cmp(a, b));
        assert_eq!(
            names,
            vec![
                "appendix.md",
                "chapter0.md",
                "chapter00.md",
                "chapter1.md",
                "chapter2.md",
                "chapter10.md"
            ]
        );
    }

    #[test]
    fn confinement_refuses_escapes() {
        let dir = tempfile::tempdir().unwrap();
        let book = dir.path().join("book");
        fs::create_dir_all(book.join("images")).unwrap();
        fs::write(book.join("images/a.png"), b"x").unwrap();
        fs::write(dir.path().join("secret.txt"), b"s").unwrap();
        let root = BookRoot::new(&book).unwrap();
        let chapters = Path::new("chapters");
        assert!(root.resolve(Path::new(""), "images/a.png").is_ok());
        assert!(root.resolve(chapters, "../images/a.png").is_ok());
        assert_eq!(
            root.resolve(chapters, "../../secret.txt"),
            Err(PathProblem::Escapes)
        );
        assert_eq!(
            root.resolve(chapters, "..%2F..%2Fsecret.txt"),
            Err(PathProblem::Escapes)
        );
        assert_eq!(
            root.resolve(chapters, "/etc/passwd"),
            Err(PathProblem::Absolute)
        );
        assert_eq!(
            root.resolve(chapters, "file:///etc/passwd"),
            Err(PathProblem::Url)
        );
        assert_eq!(
            root.resolve(chapters, "missing.png"),
            Err(PathProblem::Missing)
        );
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(dir.path().join("secret.txt"), book.join("link.txt"))
                .unwrap();
            assert_eq!(
                root.resolve(Path::new(""), "link.txt"),
                Err(PathProblem::Escapes)
            );
        }
    }

    #[test]
    fn control_characters_are_removed() {
        let (clean, removed) = remove_control_chars("a\u{0}b\u{7}c\td");
        assert_eq!(clean, "abc\td");
        assert_eq!(removed, vec![(1, '\u{0}'), (2, '\u{7}')]);
    }
}
