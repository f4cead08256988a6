//! Opening the files of a book: every read goes through here, so that only regular files
//! inside the book folder are ever opened.
//!
//! A path is canonicalised (symlinks resolved) and must stay inside the book root; the file
//! is then opened without blocking and without following a final symlink, and refused unless
//! the open file is a regular file. A FIFO named as a chapter cannot hang a run, and a
//! symlink inside a configured folder (`[fonts] serif = "fonts"`) cannot carry a file from
//! elsewhere into an output. Folder listings ([`BookRoot::list`]) report each entry's
//! problem instead of skipping it.

use std::collections::HashMap;
use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use super::{BookRoot, PathProblem};

/// Largest text file read (chapters, book.toml, bibliographies, stylesheets, styles): far
/// above any real manuscript file, low enough that a stray disk image is refused cleanly.
pub(crate) const MAX_TEXT_BYTES: u64 = 256 * 1024 * 1024;

/// No size limit beyond the file's own (images, whose pixels are limited elsewhere).
pub(crate) const NO_SIZE_LIMIT: u64 = u64::MAX;

/// One entry of a listed folder: its name as shown in messages, and its canonical path
/// inside the book or the reason it cannot be used.
#[derive(Debug, Clone)]
pub struct Listed {
    /// The entry's file name (lossily decoded when it is not UTF-8).
    pub name: String,
    /// The canonical, confined path, or why the entry cannot be read.
    pub path: Result<PathBuf, PathProblem>,
}

/// Folders already canonicalised, shared by the clones of a [`BookRoot`]: the canonical
/// path of each, by its path as written.
#[derive(Debug, Default, Clone)]
pub(crate) struct Folders(Arc<Mutex<HashMap<PathBuf, PathBuf>>>);

impl Folders {
    /// The canonical path of the folder `folder`, resolved once and remembered.
    fn canonical(&self, folder: &Path) -> Option<PathBuf> {
        let known = self.0.lock().ok()?.get(folder).cloned();
        if known.is_some() {
            return known;
        }
        let canonical = std::fs::canonicalize(folder).ok()?;
        if let Ok(mut folders) = self.0.lock() {
            folders.insert(folder.to_path_buf(), canonical.clone());
        }
        Some(canonical)
    }
}

impl BookRoot {
    /// The canonical path of `path` when it exists and lies inside the book folder.
    ///
    /// A path whose last component is not a symlink is its folder's canonical path joined
    /// with that name: the folder is resolved once for all the files in it, and each file
    /// costs one `lstat`, where resolving every component again cost four `readlink`s a
    /// file (links between 100,000 chapters spent a second on them). Anything else (a
    /// symlink, a missing file) is resolved whole.
    pub fn confine(&self, path: &Path) -> Result<PathBuf, PathProblem> {
        let canonical = match self.in_known_folder(path) {
            Some(canonical) => canonical,
            None => canonicalize(path)?,
        };
        if canonical.starts_with(self.path()) {
            Ok(canonical)
        } else {
            Err(PathProblem::Escapes)
        }
    }

    /// The canonical path of `path` from its folder's, when `path` is a folder and a name
    /// (no trailing `/`, `.` or `..`) and names something that is not a symlink.
    fn in_known_folder(&self, path: &Path) -> Option<PathBuf> {
        let (folder, name) = (path.parent()?, path.file_name()?);
        if folder.join(name).as_os_str() != path.as_os_str() {
            return None;
        }
        let folder = self.folders.canonical(folder)?;
        let candidate = folder.join(name);
        let metadata = std::fs::symlink_metadata(&candidate).ok()?;
        (!metadata.is_symlink()).then_some(candidate)
    }

    /// Open `path` for reading: confined to the book folder and a regular file.
    pub fn open(&self, path: &Path) -> Result<File, PathProblem> {
        open_regular(&self.confine(path)?)
    }

    /// The bytes of the regular file `path` inside the book folder, at most `limit` of them.
    pub fn read(&self, path: &Path, limit: u64) -> Result<Vec<u8>, PathProblem> {
        read_regular(&self.confine(path)?, limit)
    }

    /// The entries of the folder `dir` (inside the book folder), sorted by name, each with
    /// its confined path or the reason it cannot be used: nothing is skipped unsaid.
    pub fn list(&self, dir: &Path) -> Result<Vec<Listed>, PathProblem> {
        let dir = self.confine(dir)?;
        let entries =
            std::fs::read_dir(&dir).map_err(|e| PathProblem::Unreadable(e.to_string()))?;
        let mut listed: Vec<Listed> = entries
            .filter_map(|entry| entry.ok())
            .map(|entry| {
                let raw = entry.file_name();
                let name = raw.to_string_lossy().into_owned();
                let path = match raw.to_str() {
                    // In a canonical folder, an entry that is not a symlink is its own
                    // canonical path: no need to resolve every component again (a
                    // folder of 100,000 chapters spent a second doing so).
                    Some(_) if entry.file_type().is_ok_and(|t| !t.is_symlink()) => {
                        Ok(dir.join(&raw))
                    }
                    Some(_) => self.confine(&dir.join(&raw)),
                    None => Err(PathProblem::NotUtf8Name),
                };
                Listed { name, path }
            })
            .collect();
        listed.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(listed)
    }
}

/// The canonical path of `path`, every component resolved, or why there is none.
fn canonicalize(path: &Path) -> Result<PathBuf, PathProblem> {
    std::fs::canonicalize(path).map_err(|err| {
        let is_link = std::fs::symlink_metadata(path).is_ok_and(|m| m.is_symlink());
        match err.kind() {
            std::io::ErrorKind::NotFound if is_link => PathProblem::Dangling,
            std::io::ErrorKind::NotFound => PathProblem::Missing,
            _ => PathProblem::Unreadable(err.to_string()),
        }
    })
}

/// Open the file at `path` for reading if it is a regular file. The open never blocks (a
/// FIFO would wait for a writer forever) and does not follow a symlink in the last component.
/// Paths come from [`BookRoot::confine`] or [`BookRoot::list`], directly or through the
/// document model.
pub(crate) fn open_regular(path: &Path) -> Result<File, PathProblem> {
    open_regular_sized(path).map(|(file, _)| file)
}

/// [`open_regular`], with the file's size as the open file reports it.
fn open_regular_sized(path: &Path) -> Result<(File, u64), PathProblem> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK | libc::O_NOFOLLOW);
    }
    let file = options.open(path).map_err(|err| match err.kind() {
        std::io::ErrorKind::NotFound => PathProblem::Missing,
        _ if is_symlink_loop(&err) => PathProblem::Escapes,
        _ => PathProblem::Unreadable(err.to_string()),
    })?;
    let metadata = file
        .metadata()
        .map_err(|e| PathProblem::Unreadable(e.to_string()))?;
    if metadata.is_file() {
        Ok((file, metadata.len()))
    } else {
        Err(PathProblem::NotRegular(kind_of(&metadata.file_type())))
    }
}

/// The bytes of the regular file at `path`, refused when it holds more than `limit`.
pub(crate) fn read_regular(path: &Path, limit: u64) -> Result<Vec<u8>, PathProblem> {
    let (file, size) = open_regular_sized(path)?;
    if size > limit {
        return Err(PathProblem::TooLarge(limit));
    }
    let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
    // The file may grow while it is read; never past the limit.
    file.take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| PathProblem::Unreadable(e.to_string()))?;
    if bytes.len() as u64 > limit {
        return Err(PathProblem::TooLarge(limit));
    }
    Ok(bytes)
}

/// `O_NOFOLLOW` on a symlink fails with `ELOOP`: the file was swapped for a link after it
/// was confined.
fn is_symlink_loop(err: &std::io::Error) -> bool {
    #[cfg(unix)]
    {
        err.raw_os_error() == Some(libc::ELOOP)
    }
    #[cfg(not(unix))]
    {
        let _ = err;
        false
    }
}

/// What a file that is not a regular file is, for messages.
fn kind_of(file_type: &std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if file_type.is_fifo() {
            return "a FIFO (named pipe)";
        }
        if file_type.is_socket() {
            return "a socket";
        }
        if file_type.is_char_device() || file_type.is_block_device() {
            return "a device";
        }
    }
    if file_type.is_dir() {
        "a folder"
    } else {
        "not a regular file"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_regular_files_inside_the_book_are_opened() {
        let dir = tempfile::tempdir().unwrap();
        let book = dir.path().join("book");
        std::fs::create_dir_all(book.join("sub")).unwrap();
        std::fs::write(book.join("a.txt"), b"inside").unwrap();
        std::fs::write(dir.path().join("secret.txt"), b"outside").unwrap();
        let root = BookRoot::new(&book).unwrap();
        assert_eq!(
            root.read(&book.join("a.txt"), MAX_TEXT_BYTES).unwrap(),
            b"inside"
        );
        assert_eq!(
            root.read(&book.join("a.txt"), 3),
            Err(PathProblem::TooLarge(3))
        );
        assert_eq!(
            root.read(&book.join("sub"), MAX_TEXT_BYTES),
            Err(PathProblem::NotRegular("a folder"))
        );
        assert_eq!(
            root.read(&book.join("none.txt"), MAX_TEXT_BYTES),
            Err(PathProblem::Missing)
        );
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(dir.path().join("secret.txt"), book.join("sub/out.txt"))
                .unwrap();
            std::os::unix::fs::symlink("nowhere", book.join("sub/dangling.txt")).unwrap();
            assert_eq!(
                root.read(&book.join("sub/out.txt"), MAX_TEXT_BYTES),
                Err(PathProblem::Escapes)
            );
            let listed = root.list(&book.join("sub")).unwrap();
            let problems: Vec<(&str, Option<&PathProblem>)> = listed
                .iter()
                .map(|l| (l.name.as_str(), l.path.as_ref().err()))
                .collect();
            assert_eq!(
                problems,
                vec![
                    ("dangling.txt", Some(&PathProblem::Dangling)),
                    ("out.txt", Some(&PathProblem::Escapes)),
                ]
            );
        }
    }

    /// Whatever the shape of the path (a file in a folder reached through a symlink, a
    /// symlinked file, a trailing `/` or `.`, a missing or dangling name, a folder leading
    /// out of the book), asked twice so that the second answer comes from the remembered
    /// folder, `confine` answers as resolving every component would.
    #[cfg(unix)]
    #[test]
    fn confined_paths_match_a_full_resolution() {
        use std::os::unix::fs::symlink;
        let (dir, book) = linked_book();
        std::fs::create_dir_all(dir.path().join("outside")).unwrap();
        std::fs::write(dir.path().join("outside/c.md"), b"c").unwrap();
        symlink(dir.path().join("outside"), book.join("away")).unwrap();
        symlink("nowhere", book.join("real/dangling.md")).unwrap();
        let root = BookRoot::new(&book).unwrap();
        let fully = |path: &Path| match canonicalize(path) {
            Ok(canonical) if canonical.starts_with(root.path()) => Ok(canonical),
            Ok(_) => Err(PathProblem::Escapes),
            Err(problem) => Err(problem),
        };
        for written in [
            "real/a.md",
            "via/a.md",
            "via/link.md",
            "real/link.md",
            "real/a.md/",
            "real/a.md/.",
            "via/../b.md",
            "real/none.md",
            "none/a.md",
            "real/dangling.md",
            "away/c.md",
            "real",
            "via",
        ] {
            let path = book.join(written);
            for _ in 0..2 {
                assert_eq!(root.confine(&path), fully(&path), "{written}");
            }
        }
    }

    /// Entries that are not symlinks are listed under the folder's canonical path without
    /// resolving each again; the paths are the canonical ones all the same.
    #[cfg(unix)]
    #[test]
    fn listed_paths_are_canonical() {
        let (_dir, book) = linked_book();
        let root = BookRoot::new(&book).unwrap();
        let listed = root.list(&book.join("via")).unwrap();
        let paths: Vec<(&str, PathBuf)> = listed
            .iter()
            .map(|l| (l.name.as_str(), l.path.clone().unwrap()))
            .collect();
        let canonical = |p: &str| std::fs::canonicalize(book.join(p)).unwrap();
        assert_eq!(
            paths,
            vec![
                ("a.md", canonical("real/a.md")),
                ("inner", canonical("real/inner")),
                ("link.md", canonical("b.md")),
            ]
        );
    }

    /// A book (in a temporary folder, returned to be kept alive) holding `real/a.md`, the
    /// folder `real/inner`, `b.md`, `via` (a symlink to `real`) and `real/link.md` (a
    /// symlink to `b.md`).
    #[cfg(unix)]
    fn linked_book() -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let book = dir.path().join("book");
        std::fs::create_dir_all(book.join("real/inner")).unwrap();
        std::fs::write(book.join("real/a.md"), b"a").unwrap();
        std::fs::write(book.join("b.md"), b"b").unwrap();
        std::os::unix::fs::symlink(book.join("real"), book.join("via")).unwrap();
        std::os::unix::fs::symlink(book.join("b.md"), book.join("real/link.md")).unwrap();
        (dir, book)
    }
}
