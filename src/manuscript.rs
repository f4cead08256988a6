//! Loading a manuscript: book.toml, the chapter files in order, and every other file the book
//! reads, all confined to the book folder.
//!
//! Every path a manuscript names goes through [`BookRoot::resolve`] (a Markdown link or image,
//! a URL reference that is percent-decoded) or [`BookRoot::resolve_file`] (a file name from
//! book.toml or a folder listing, taken as written): both refuse URLs, absolute paths and
//! anything that, after symlink resolution, lands outside the book folder. Every file is then
//! opened through [`confined`], which opens only regular files inside the book. A hostile
//! manuscript cannot make octavo read `/etc/passwd` into an EPUB, nor hang it on a FIFO.

pub(crate) mod confined;
mod mdbook;
mod natural;
mod pandoc;
mod preprocess;
mod quarto;
pub(crate) mod structure;

use std::fs;
use std::path::{Component, Path, PathBuf};

pub(crate) use confined::{open_regular, read_regular, Listed, MAX_TEXT_BYTES, NO_SIZE_LIMIT};
pub(crate) use natural::natural_cmp;

use crate::config::foreign::{is_mdbook_toml, parse_mdbook_config};
use crate::config::{parse_config, BookConfig};
use crate::diag::{code, Diagnostic, Diagnostics, FileId, SourceMap, Span};
use crate::url::{has_url_scheme, percent_decode};
pub(crate) use mdbook::skipped_directives_warning;
pub(crate) use pandoc::METADATA_KEYS as PANDOC_METADATA_KEYS;
pub(crate) use structure::BookStructure;

/// The canonical book folder that every read must stay inside.
#[derive(Debug, Clone)]
pub struct BookRoot {
    root: PathBuf,
    /// The canonical path of each folder a confined path was in, by the folder's path as
    /// written: see [`BookRoot::confine`].
    folders: confined::Folders,
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
    /// A symbolic link to nothing.
    Dangling,
    /// It exists but is not a regular file (a FIFO, a device, a folder…): what it is.
    NotRegular(&'static str),
    /// A file name that is not valid UTF-8 (found in a folder listing).
    NotUtf8Name,
    /// The file is larger than the limit for its kind (in bytes).
    TooLarge(u64),
    /// The system refused to open or read it: the reason.
    Unreadable(String),
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
            PathProblem::Dangling => {
                format!("`{path}` is a symbolic link to a file that does not exist")
            }
            PathProblem::NotRegular(kind) => format!("`{path}` is {kind}, not a regular file"),
            PathProblem::NotUtf8Name => format!("the file name `{path}` is not valid UTF-8"),
            PathProblem::TooLarge(limit) => format!(
                "`{path}` is larger than the {} MB octavo reads for such a file",
                limit / (1024 * 1024)
            ),
            PathProblem::Unreadable(reason) => format!("`{path}` cannot be read: {reason}"),
        }
    }

    /// The diagnostic code for this problem.
    pub fn code(&self) -> &'static str {
        match self {
            PathProblem::Missing | PathProblem::Dangling => code::IO,
            PathProblem::TooLarge(_) | PathProblem::Unreadable(_) => code::IO,
            PathProblem::NotRegular(_) => code::NOT_REGULAR_FILE,
            PathProblem::NotUtf8Name => code::FILE_NAME,
            PathProblem::Url | PathProblem::Absolute | PathProblem::Escapes => code::PATH_ESCAPES,
        }
    }

    /// How to fix it, for a file named in book.toml or found in a folder.
    pub fn hint(&self) -> &'static str {
        match self {
            PathProblem::NotRegular(_) => "name a regular file; octavo opens no pipes, devices or folders as files",
            PathProblem::NotUtf8Name => "rename the file so that its name is valid UTF-8",
            PathProblem::Dangling | PathProblem::Missing => "create the file, or correct the name",
            PathProblem::TooLarge(_) | PathProblem::Unreadable(_) => "check the file and its permissions",
            PathProblem::Url | PathProblem::Absolute | PathProblem::Escapes => "every file octavo reads must be inside the book folder; copy it in instead of linking to it",
        }
    }
}

impl BookRoot {
    /// Canonicalise the book folder.
    pub fn new(dir: &Path) -> std::io::Result<BookRoot> {
        Ok(BookRoot {
            root: fs::canonicalize(dir)?,
            folders: confined::Folders::default(),
        })
    }

    /// The canonical path of the book folder.
    pub fn path(&self) -> &Path {
        &self.root
    }

    /// Resolve the URL reference `written` (a Markdown link or image destination in a file
    /// under `base`, relative to the root; `%XX` escapes are decoded) to a real file inside
    /// the book folder, or say why not.
    pub fn resolve(&self, base: &Path, written: &str) -> Result<PathBuf, PathProblem> {
        self.confine(&self.written_path(base, written)?)
    }

    /// The path the URL reference `written` under `base` spells (`%XX` escapes decoded,
    /// `.` and `..` applied), found without a file system call and not confined:
    /// [`Self::resolve`] confines it. A caller that knows the canonical paths of some files
    /// can look this up among them first: a canonical path is its own canonical form.
    pub fn written_path(&self, base: &Path, written: &str) -> Result<PathBuf, PathProblem> {
        if has_url_scheme(written) {
            return Err(PathProblem::Url);
        }
        self.normalised(base, &percent_decode(written))
    }

    /// Resolve the file name `written` (from book.toml or a folder listing, taken as
    /// written: `My%20Notes.md` is that file) under `base` to a real file inside the book
    /// folder, or say why not.
    pub fn resolve_file(&self, base: &Path, written: &str) -> Result<PathBuf, PathProblem> {
        self.confine(&self.normalised(base, written)?)
    }

    /// `written` under `base`, with `.` and `..` applied, if it stays inside the root.
    fn normalised(&self, base: &Path, written: &str) -> Result<PathBuf, PathProblem> {
        let relative = Path::new(written);
        if relative.is_absolute() || relative.has_root() || written.starts_with('\\') {
            return Err(PathProblem::Absolute);
        }
        let joined = self.root.join(base).join(relative);
        normalise_inside(&self.root, &joined).ok_or(PathProblem::Escapes)
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
    /// The stylesheet of `[epub] css`, when configured and readable.
    pub stylesheet: Option<FileId>,
    /// Every text file read so far.
    pub sources: SourceMap,
    /// The tool the book was written for; octavo reads its conventions.
    pub origin: Origin,
    /// Chapters nested, grouped in parts, before or after the numbered ones, as another
    /// tool's listing says; `None` for an octavo book (every file a numbered chapter).
    pub structure: Option<BookStructure>,
}

/// The tool a book was written for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// An octavo book: book.toml and `chapters/`.
    Octavo,
    /// An mdBook: book.toml with `[book]`, SUMMARY.md.
    MdBook,
    /// A Quarto book: `_quarto.yml` with `book:`, no book.toml.
    Quarto,
    /// A pandoc book: `metadata.yaml` beside the chapters, no book.toml.
    Pandoc,
    /// A pandoc book in one Markdown file, its metadata in the YAML block it opens with.
    PandocSingleFile,
}

impl Origin {
    /// True for a book written for another tool, whose chapters may carry that tool's
    /// front-matter keys.
    pub fn is_foreign(self) -> bool {
        self != Origin::Octavo
    }
}

/// Read book.toml and the chapters of the book in `dir`. Problems go into `diags`; when the
/// book cannot be processed at all, the sources read so far come back for the messages.
pub(crate) fn load(dir: &Path, diags: &mut Diagnostics) -> Result<Manuscript, SourceMap> {
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
    let quarto_file = root.path().join("_quarto.yml");
    let has_book_toml = root.path().join("book.toml").exists();
    if !has_book_toml && quarto_file.is_file() {
        return load_listed_book(root, &quarto_file, Origin::Quarto, sources, diags);
    }
    if let Some(metadata) = pandoc::metadata_file(&root).filter(|_| !has_book_toml) {
        return load_listed_book(root, &metadata, Origin::Pandoc, sources, diags);
    }
    if let Some(single) = pandoc::single_file_book(&root).filter(|_| !has_book_toml) {
        return load_listed_book(root, &single, Origin::PandocSingleFile, sources, diags);
    }
    let Some(config_text) = read_config_text(&root, diags) else {
        return Err(sources);
    };
    if quarto_file.is_file() {
        diags.push(
            Diagnostic::warning(
                code::CONFIG_CHOSEN,
                "book.toml is read; _quarto.yml beside it is not",
            )
            .in_file(&quarto_file)
            .with_hint("octavo's settings win over Quarto's; remove book.toml to build the book as _quarto.yml lists it"),
        );
    }
    let config_file = sources.add("book.toml", config_text);
    let text = &sources.get(config_file).text;
    let (config, origin, chapters, structure) = if is_mdbook_toml(text) {
        let Some(mdbook) = parse_mdbook_config(config_file, text, diags) else {
            return Err(sources);
        };
        let (chapters, structure) =
            mdbook::load_mdbook_chapters(&root, &mdbook.src, &mut sources, diags);
        (mdbook.config, Origin::MdBook, chapters, Some(structure))
    } else {
        let Some(config) = parse_config(config_file, text, diags) else {
            return Err(sources);
        };
        let chapters = load_chapters(&root, &config, config_file, &mut sources, diags);
        (config, Origin::Octavo, chapters, None)
    };
    let bibliography = read_bibliographies(
        &root,
        &config.bibliography_files(),
        config_file,
        &mut sources,
        diags,
    );
    let stylesheet = config.epub.css.as_ref().and_then(|value| {
        read_configured_text(&root, value, config_file, "[epub] css", &mut sources, diags)
    });
    Ok(Manuscript {
        root,
        config,
        config_file,
        chapters,
        bibliography,
        stylesheet,
        sources,
        origin,
        structure,
    })
}

/// A Quarto book (`_quarto.yml`) or a pandoc book (`metadata.yaml`), in place of book.toml.
fn load_listed_book(
    root: BookRoot,
    config_path: &Path,
    origin: Origin,
    mut sources: SourceMap,
    diags: &mut Diagnostics,
) -> Result<Manuscript, SourceMap> {
    let Some(config_file) = read_text_file(&root, config_path, &mut sources, diags) else {
        return Err(sources);
    };
    let book = match origin {
        Origin::Pandoc => pandoc::load_pandoc(&root, config_file, &mut sources, diags),
        Origin::PandocSingleFile => pandoc::load_single_file(config_file, &sources, diags),
        _ => quarto::load_quarto(&root, config_file, &mut sources, diags),
    };
    let Some(book) = book else {
        return Err(sources);
    };
    if crate::config::title_missing(&book.config) {
        return Err(sources);
    }
    let bibliography = read_bibliographies(
        &root,
        &book.bibliographies,
        config_file,
        &mut sources,
        diags,
    );
    Ok(Manuscript {
        root,
        config: book.config,
        config_file,
        chapters: book.chapters,
        bibliography,
        stylesheet: None,
        sources,
        origin,
        structure: Some(book.structure),
    })
}

/// Read the bibliography files named in the configuration; several files of one format are
/// read as one (keys given twice are then reported as duplicates).
pub(crate) fn read_bibliographies(
    root: &BookRoot,
    values: &[toml::Spanned<String>],
    config_file: FileId,
    sources: &mut SourceMap,
    diags: &mut Diagnostics,
) -> Option<FileId> {
    let key = "bibliography";
    let files: Vec<FileId> = values
        .iter()
        .filter_map(|v| read_configured_text(root, v, config_file, key, sources, diags))
        .collect();
    if files.len() < 2 {
        return files.first().copied();
    }
    let extension = |id: &FileId| {
        let name = &sources.get(*id).name;
        Path::new(name).extension().map(|e| e.to_ascii_lowercase())
    };
    if files.iter().any(|f| extension(f) != extension(&files[0])) {
        diags.push(
            Diagnostic::error(
                code::BIBLIOGRAPHY,
                "the bibliography files are of different formats",
            )
            .at(Span::new(config_file, values[0].span()))
            .with_hint("give files of one format (all .bib, all .yaml or all .json)"),
        );
        return None;
    }
    let names: Vec<&str> = files
        .iter()
        .map(|f| sources.get(*f).name.as_str())
        .collect();
    let name = names.join(" + ");
    let text: Vec<&str> = files
        .iter()
        .map(|f| sources.get(*f).text.as_str())
        .collect();
    let joined = text.join("\n");
    Some(sources.add(name, joined))
}

/// book.toml's text: a regular UTF-8 file inside the book folder.
fn read_config_text(root: &BookRoot, diags: &mut Diagnostics) -> Option<String> {
    let path = root.path().join("book.toml");
    let bytes = match root.read(&path, MAX_TEXT_BYTES) {
        Ok(bytes) => bytes,
        Err(PathProblem::Missing) => {
            diags.push(
                Diagnostic::error(
                    code::CONFIG_MISSING,
                    "cannot read book.toml: it does not exist",
                )
                .in_file(&path)
                .with_hint(
                    "run `octavo build` in a book folder, or create one with `octavo new NAME`",
                ),
            );
            return None;
        }
        Err(problem) => {
            diags.push(
                Diagnostic::error(problem.code(), problem.describe("book.toml"))
                    .in_file(&path)
                    .with_hint(problem.hint()),
            );
            return None;
        }
    };
    match String::from_utf8(strip_bom(&bytes).to_vec()) {
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
                .in_file(&path),
            );
            None
        }
    }
}

/// Resolve a file name given in book.toml under `key`, reporting problems at the value's
/// span with the key and the file named.
pub(crate) fn resolve_configured(
    root: &BookRoot,
    value: &toml::Spanned<String>,
    config_file: FileId,
    key: &str,
    diags: &mut Diagnostics,
) -> Option<PathBuf> {
    if has_url_scheme(value.get_ref()) {
        report_configured(
            &PathProblem::Url,
            value.get_ref(),
            value,
            config_file,
            key,
            diags,
        );
        return None;
    }
    match root.resolve_file(Path::new(""), value.get_ref()) {
        Ok(path) => Some(path),
        Err(problem) => {
            report_configured(&problem, value.get_ref(), value, config_file, key, diags);
            None
        }
    }
}

/// Report that the file `shown`, named (or found through) book.toml's `key`, cannot be used.
pub(crate) fn report_configured(
    problem: &PathProblem,
    shown: &str,
    value: &toml::Spanned<String>,
    config_file: FileId,
    key: &str,
    diags: &mut Diagnostics,
) {
    let hint = match problem {
        PathProblem::Missing => "paths in book.toml are relative to the book folder",
        other => other.hint(),
    };
    diags.push(
        Diagnostic::error(
            problem.code(),
            format!("book.toml `{key}`: {}", problem.describe(shown)),
        )
        .at(Span::new(config_file, value.span()))
        .with_hint(hint),
    );
}

/// Resolve and read a text file named in book.toml under `key`; every problem is reported
/// at the value's span.
pub(crate) fn read_configured_text(
    root: &BookRoot,
    value: &toml::Spanned<String>,
    config_file: FileId,
    key: &str,
    sources: &mut SourceMap,
    diags: &mut Diagnostics,
) -> Option<FileId> {
    let path = resolve_configured(root, value, config_file, key, diags)?;
    match root.read(&path, MAX_TEXT_BYTES) {
        Ok(bytes) => add_text_file(root.display(&path), &bytes, sources, diags),
        Err(problem) => {
            report_configured(&problem, value.get_ref(), value, config_file, key, diags);
            None
        }
    }
}

/// The chapters book.toml lists, or else those found in `chapters/`, read in order.
fn load_chapters(
    root: &BookRoot,
    config: &BookConfig,
    config_file: FileId,
    sources: &mut SourceMap,
    diags: &mut Diagnostics,
) -> Vec<FileId> {
    if let Some(list) = &config.chapters {
        return list
            .iter()
            .filter_map(|c| read_configured_text(root, c, config_file, "chapters", sources, diags))
            .collect();
    }
    let errors_before = diags.count(crate::diag::Severity::Error);
    let found = discover_chapters(root, diags);
    // Chapter files that were found but refused have been reported already.
    if found.is_empty() && diags.count(crate::diag::Severity::Error) == errors_before {
        diags.push(
            Diagnostic::error(code::NO_CHAPTERS, "the book has no chapters")
                .in_file(root.path().join("chapters"))
                .with_hint("put Markdown files in chapters/ (01-intro.md, 02-…) or list them in book.toml: chapters = [\"a.md\", \"b.md\"]"),
        );
    }
    // A listed path is canonical and inside the book already (`BookRoot::list` confined
    // it), so it is read as it is: confining it again would cost an `lstat` a chapter, a
    // quarter of the load of 100,000 chapters. The files are read on all cores (reading a
    // short file is four system calls), then added in the book's order.
    let read = crate::parallel::map(&found, |path| read_regular(path, MAX_TEXT_BYTES));
    found
        .iter()
        .zip(read)
        .filter_map(|(path, bytes)| add_read_text_file(root, path, bytes, sources, diags))
        .collect()
}

/// `chapters/*.md` in natural order (`chapter2` before `chapter10`), confined to the root.
/// A file that looks like a chapter but cannot be one (a link leading out of the book or to
/// nothing, a name that is not UTF-8, a FIFO) is reported, never skipped in silence.
fn discover_chapters(root: &BookRoot, diags: &mut Diagnostics) -> Vec<PathBuf> {
    let folder = root.path().join("chapters");
    let listed = match root.list(&folder) {
        Ok(listed) => listed,
        Err(PathProblem::Missing) => return Vec::new(),
        Err(problem) => {
            diags.push(
                Diagnostic::error(problem.code(), problem.describe("chapters"))
                    .in_file("chapters")
                    .with_hint(problem.hint()),
            );
            return Vec::new();
        }
    };
    let mut chapters: Vec<(String, PathBuf)> = Vec::new();
    for Listed { name, path } in listed {
        if !name.ends_with(".md") || name.starts_with('.') {
            continue;
        }
        let shown = format!("chapters/{name}");
        // A FIFO or folder among them is refused when it is read.
        match path {
            Ok(path) => chapters.push((name, path)),
            Err(problem) => diags.push(
                Diagnostic::error(problem.code(), problem.describe(&shown))
                    .in_file(&shown)
                    .with_hint(problem.hint()),
            ),
        }
    }
    chapters.sort_by(|a, b| natural_cmp(&a.0, &b.0));
    warn_equal_ranks(&chapters, "chapters/", diags);
    chapters.into_iter().map(|(_, path)| path).collect()
}

/// Report files (in natural order) whose order only the rest of their names decides, as
/// `00-dedication.md` and `000-also-by.md` (see [`natural::equal_ranks`]).
pub(crate) fn warn_equal_ranks(
    sorted: &[(String, PathBuf)],
    folder: &str,
    diags: &mut Diagnostics,
) {
    let names: Vec<&str> = sorted.iter().map(|(name, _)| name.as_str()).collect();
    for (first, second) in natural::equal_ranks(&names) {
        diags.push(
            Diagnostic::warning(
                code::CHAPTER_ORDER_AMBIGUOUS,
                format!(
                    "`{folder}{first}` and `{folder}{second}` open with the same number, so \
                     their order is ambiguous (`{first}` is read first)"
                ),
            )
            .in_file(format!("{folder}{second}"))
            .with_hint(
                "number the files with as many digits each (01, 02, … 10), or list the \
                 order in book.toml's `chapters`",
            ),
        );
    }
}

fn strip_bom(bytes: &[u8]) -> &[u8] {
    bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes)
}

/// Read a text file inside the root into the source map: UTF-8 checked (BOM accepted),
/// NUL and XML-illegal control characters removed with a warning. Problems are reported
/// against the file itself.
pub(crate) fn read_text_file(
    root: &BookRoot,
    path: &Path,
    sources: &mut SourceMap,
    diags: &mut Diagnostics,
) -> Option<FileId> {
    add_read_text_file(root, path, root.read(path, MAX_TEXT_BYTES), sources, diags)
}

/// Add the text file `path`, whose reading gave `bytes`, to the source map, or report why
/// it could not be read, against the file itself.
fn add_read_text_file(
    root: &BookRoot,
    path: &Path,
    bytes: Result<Vec<u8>, PathProblem>,
    sources: &mut SourceMap,
    diags: &mut Diagnostics,
) -> Option<FileId> {
    let name = root.display(path);
    match bytes {
        Ok(bytes) => add_text_file(name, &bytes, sources, diags),
        Err(problem) => {
            diags.push(
                Diagnostic::error(problem.code(), problem.describe(&name))
                    .in_file(&name)
                    .with_hint(problem.hint()),
            );
            None
        }
    }
}

/// Check that `bytes` are UTF-8 and add them to the source map as `name`.
fn add_text_file(
    name: String,
    bytes: &[u8],
    sources: &mut SourceMap,
    diags: &mut Diagnostics,
) -> Option<FileId> {
    let text = match std::str::from_utf8(strip_bom(bytes)) {
        Ok(text) => text,
        Err(err) => {
            diags.push(
                Diagnostic::error(
                    code::INVALID_UTF8,
                    format!(
                        "not valid UTF-8 at byte {}",
                        err.valid_up_to() + (bytes.len() - strip_bom(bytes).len())
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
pub(crate) fn remove_control_chars(text: &str) -> (String, Vec<(usize, char)>) {
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
