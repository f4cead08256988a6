//! Issue 12, "Nothing lost, nothing invalid": every file octavo reads stays inside the book
//! and is a regular file, every chapter file reaches the book or is reported, the two outputs
//! are always a matching pair, and names (slugs, EPUB entries) stay valid and bounded.
//!
//! The books are generated at test time in temporary folders; a canary file is planted beside
//! each book (outside it) and searched for in every output.

mod common;

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use common::{keep_for_epubcheck, repo};

/// A hang detector for a debug build (a FIFO opened for reading blocks forever).
const HANG_BOUND: Duration = Duration::from_secs(60);
const CANARY: &str = "CANARY-5d1e07-DO-NOT-LEAK";
const TOML: &str = "title = \"Test Book\"\ndate = \"2024-05-01\"\n";

/// A book folder `book/` inside a temporary folder that also holds `canary.txt`.
struct Book {
    tmp: tempfile::TempDir,
    dir: PathBuf,
}

impl Book {
    fn new(files: &[(&str, &[u8])]) -> Book {
        let tmp = tempfile::tempdir().expect("temp dir");
        std::fs::write(tmp.path().join("canary.txt"), CANARY).expect("canary");
        let dir = tmp.path().join("book");
        std::fs::create_dir_all(&dir).expect("book dir");
        let book = Book { tmp, dir };
        for (name, data) in files {
            book.write(name, data);
        }
        if !files.iter().any(|(name, _)| *name == "book.toml") {
            book.write("book.toml", TOML.as_bytes());
        }
        book
    }

    fn write(&self, name: &str, data: &[u8]) {
        let path = self.dir.join(name);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, data).expect("write");
    }

    /// A file beside the book folder, outside it.
    fn outside(&self, name: &str) -> PathBuf {
        self.tmp.path().join(name)
    }

    fn out(&self, name: &str) -> PathBuf {
        self.dir.join("out").join(name)
    }
}

/// Run octavo in `dir`, killing it (and failing the test) if it hangs.
fn octavo(args: &[&str], dir: &Path, envs: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_octavo"));
    command
        .args(args)
        .current_dir(dir)
        .env_remove("SOURCE_DATE_EPOCH");
    for (key, value) in envs {
        command.env(key, value);
    }
    wait_bounded(command)
}

fn wait_bounded(mut command: Command) -> Output {
    let started = Instant::now();
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run octavo");
    let mut err_pipe = child.stderr.take().expect("stderr");
    let reader = std::thread::spawn(move || {
        let mut bytes = Vec::new();
        let _ = err_pipe.read_to_end(&mut bytes);
        bytes
    });
    loop {
        if let Some(status) = child.try_wait().expect("wait") {
            let stderr = reader.join().expect("stderr thread");
            return Output {
                status,
                stdout: Vec::new(),
                stderr,
            };
        }
        if started.elapsed() > HANG_BOUND {
            let _ = child.kill();
            let _ = child.wait();
            panic!("octavo did not finish within {HANG_BOUND:?}: it hangs");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Every entry of an EPUB: (name, bytes).
fn epub_entries(bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a zip");
    (0..archive.len())
        .map(|i| {
            let mut file = archive.by_index(i).expect("entry");
            let name = file.name().expect("entry name").to_string();
            let mut data = Vec::new();
            file.read_to_end(&mut data).expect("inflate");
            (name, data)
        })
        .collect()
}

/// The canary (or any of `secrets`) is in no file under `out/`, inflated or not.
fn assert_nothing_leaked(book: &Book, secrets: &[&[u8]]) {
    let Ok(entries) = std::fs::read_dir(book.dir.join("out")) else {
        return;
    };
    for entry in entries.filter_map(|e| e.ok()) {
        let bytes = std::fs::read(entry.path()).expect("read output");
        let mut blobs = vec![bytes.clone()];
        if zip::ZipArchive::new(std::io::Cursor::new(&bytes)).is_ok() {
            blobs.extend(epub_entries(&bytes).into_iter().map(|(_, data)| data));
        }
        for blob in &blobs {
            for secret in secrets.iter().copied().chain([CANARY.as_bytes()]) {
                assert!(
                    !blob.windows(secret.len()).any(|w| w == secret),
                    "a file from outside the book leaked into {}",
                    entry.path().display()
                );
            }
        }
    }
}

#[cfg(unix)]
fn symlink(target: &Path, link: &Path) {
    std::fs::create_dir_all(link.parent().expect("parent")).expect("mkdir");
    std::os::unix::fs::symlink(target, link).expect("symlink");
}

#[cfg(unix)]
fn mkfifo(path: &Path) {
    std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    let made = Command::new("mkfifo").arg(path).status().expect("mkfifo");
    assert!(made.success(), "mkfifo {}", path.display());
}

fn bundled_font(path: &str) -> Vec<u8> {
    std::fs::read(repo().join("fonts").join(path)).expect("bundled font")
}

/// A font outside the book, marked with the canary so a leak is visible.
fn canary_font(book: &Book, name: &str, source: &str) -> PathBuf {
    let mut bytes = bundled_font(source);
    bytes.extend_from_slice(CANARY.as_bytes());
    let path = book.outside(name);
    std::fs::write(&path, bytes).expect("outside font");
    path
}

// 1. Files outside the book are never read through a configured folder.

#[cfg(unix)]
fn font_folder_with_a_link_outside(key: &str) -> Book {
    let toml = format!("{TOML}\n[epub]\nembed-fonts = true\n\n[fonts]\n{key} = \"fonts\"\n");
    let book = Book::new(&[
        ("book.toml", toml.as_bytes()),
        ("chapters/a.md", b"# A\n\nSome **bold** and `code`.\n"),
    ]);
    let regular = if key == "mono" {
        "dejavu-sans-mono/DejaVuSansMono.ttf"
    } else {
        "linux-libertine/LinLibertine_R.otf"
    };
    let bold = if key == "mono" {
        "dejavu-sans-mono/DejaVuSansMono-Bold.ttf"
    } else {
        "linux-libertine/LinLibertine_RB.otf"
    };
    let file = regular.rsplit('/').next().expect("name");
    book.write(&format!("fonts/{file}"), &bundled_font(regular));
    let outside = canary_font(&book, "bold-outside.otf", bold);
    symlink(&outside, &book.dir.join("fonts/bold.otf"));
    book
}

#[cfg(unix)]
fn assert_font_link_refused(key: &str) {
    let book = font_folder_with_a_link_outside(key);
    for command in ["check", "build"] {
        let out = octavo(&[command, "."], &book.dir, &[]);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(1), "{command}: {err}");
        assert!(err.contains("E0004"), "{command}: {err}");
        assert!(
            err.contains(&format!("[fonts] {key}")),
            "names the key: {err}"
        );
        assert!(err.contains("fonts/bold.otf"), "names the file: {err}");
        assert!(err.contains("book.toml:"), "located in book.toml: {err}");
    }
    assert!(!book.out("test-book.epub").exists(), "nothing written");
    assert_nothing_leaked(&book, &[]);
}

#[cfg(unix)]
#[test]
fn a_serif_font_folder_cannot_lead_outside_the_book() {
    assert_font_link_refused("serif");
}

#[cfg(unix)]
#[test]
fn a_mono_font_folder_cannot_lead_outside_the_book() {
    assert_font_link_refused("mono");
}

#[cfg(unix)]
#[test]
fn a_font_link_inside_the_book_is_followed() {
    let book = font_folder_with_a_link_outside("serif");
    // The same face, linked from inside the book, is fine.
    std::fs::remove_file(book.dir.join("fonts/bold.otf")).expect("unlink");
    book.write(
        "faces/bold.otf",
        &bundled_font("linux-libertine/LinLibertine_RB.otf"),
    );
    symlink(
        Path::new("../faces/bold.otf"),
        &book.dir.join("fonts/bold.otf"),
    );
    let out = octavo(&["build", "--format", "epub"], &book.dir, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let epub = std::fs::read(book.out("test-book.epub")).expect("EPUB");
    keep_for_epubcheck("files-outputs-font-link-inside", &epub);
}

#[cfg(unix)]
#[test]
fn book_toml_itself_cannot_lead_outside_the_book() {
    let book = Book::new(&[("chapters/a.md", b"# A\n")]);
    std::fs::remove_file(book.dir.join("book.toml")).expect("unlink");
    std::fs::write(book.outside("book.toml"), format!("title = \"{CANARY}\"\n")).expect("toml");
    symlink(&book.outside("book.toml"), &book.dir.join("book.toml"));
    let out = octavo(&["build", "--format", "epub"], &book.dir, &[]);
    let err = stderr(&out);
    assert_ne!(out.status.code(), Some(0), "{err}");
    assert!(err.contains("E0004"), "{err}");
    assert_nothing_leaked(&book, &[]);
}

// 2. Every chapter file reaches the book, or a diagnostic says why not.

#[test]
fn chapter_names_with_percent_escapes_are_taken_as_written() {
    let book = Book::new(&[
        ("chapters/a.md", b"# Plain A\n\nText of a.\n"),
        ("chapters/%61.md", b"# Percent 61\n\nText of percent-61.\n"),
        (
            "chapters/My%20Notes.md",
            b"# My Notes\n\nText of my notes.\n",
        ),
    ]);
    let out = octavo(&["build", "--format", "epub"], &book.dir, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let epub = std::fs::read(book.out("test-book.epub")).expect("EPUB");
    keep_for_epubcheck("files-outputs-percent-names", &epub);
    let entries = epub_entries(&epub);
    let all_text: String = entries
        .iter()
        .filter(|(name, _)| name.ends_with(".xhtml"))
        .map(|(_, data)| String::from_utf8_lossy(data).into_owned())
        .collect();
    for text in ["Text of a.", "Text of percent-61.", "Text of my notes."] {
        assert_eq!(all_text.matches(text).count(), 1, "{text} once: {all_text}");
    }
    let mut names: Vec<&str> = entries.iter().map(|(name, _)| name.as_str()).collect();
    let count = names.len();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), count, "entry names are unique");
}

#[cfg(unix)]
#[test]
fn chapter_files_that_cannot_be_read_are_reported() {
    use std::os::unix::ffi::OsStrExt;
    let book = Book::new(&[("chapters/01-good.md", b"# Good\n\nFine.\n")]);
    let outside = book.outside("outside.md");
    std::fs::write(&outside, format!("# Outside\n\n{CANARY}\n")).expect("outside");
    symlink(&outside, &book.dir.join("chapters/02-escape.md"));
    symlink(
        Path::new("nowhere.md"),
        &book.dir.join("chapters/03-dangling.md"),
    );
    let bad_name = std::ffi::OsStr::from_bytes(b"04-caf\xe9.md");
    std::fs::write(book.dir.join("chapters").join(bad_name), "# Latin-1\n").expect("write");
    for command in ["check", "build"] {
        let out = octavo(&[command, "."], &book.dir, &[]);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(1), "{command}: {err}");
        assert!(err.contains("chapters/02-escape.md"), "{err}");
        assert!(err.contains("E0004"), "{err}");
        assert!(err.contains("chapters/03-dangling.md"), "{err}");
        assert!(err.contains("04-caf"), "{err}");
        assert!(err.contains("E0008"), "{err}");
    }
    assert_nothing_leaked(&book, &[]);
}

/// A link that spells a chapter's canonical path is looked up without a file system call;
/// spelled any other way (through `.`, `..` or a symlinked folder) it is resolved on disk
/// and names the same chapter, and a symlink leading out of the book is refused.
#[cfg(unix)]
#[test]
fn links_to_chapters_resolve_however_they_are_spelled() {
    let second: &[u8] = b"# Second\n\n[plain](01-first.md), [dotted](../chapters/./01-first.md), \
        [through a link](via/01-first.md).\n";
    let book = Book::new(&[
        ("chapters/01-first.md", b"# First\n\nThe end.\n"),
        ("chapters/02-second.md", second),
    ]);
    symlink(Path::new("."), &book.dir.join("chapters/via"));
    let out = octavo(&["check", "."], &book.dir, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let outside = book.outside("outside.md");
    std::fs::write(&outside, format!("# Outside\n\n{CANARY}\n")).expect("outside");
    std::fs::create_dir_all(book.dir.join("notes")).expect("notes");
    symlink(&outside, &book.dir.join("notes/out.md"));
    book.write(
        "chapters/03-third.md",
        b"# Third\n\n[out](../notes/out.md)\n",
    );
    let out = octavo(&["check", "."], &book.dir, &[]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("notes/out.md"), "{err}");
    assert_eq!(
        err.matches("error[").count(),
        1,
        "only the link out of the book: {err}"
    );
}

// 3. Only regular files are opened: a FIFO never hangs a run.

#[cfg(unix)]
fn assert_fifo_refused(toml_extra: &str, fifo: &str) {
    let toml = format!("{TOML}{toml_extra}");
    let book = Book::new(&[
        ("book.toml", toml.as_bytes()),
        ("chapters/01-a.md", b"# A\n\nText.\n"),
    ]);
    mkfifo(&book.dir.join(fifo));
    for command in ["check", "build"] {
        let out = octavo(&[command, "."], &book.dir, &[]);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(1), "{command} {fifo}: {err}");
        assert!(err.contains("E0007"), "{command} {fifo}: {err}");
        assert!(err.contains(fifo), "{command} names {fifo}: {err}");
    }
}

#[cfg(unix)]
#[test]
fn a_fifo_as_stylesheet_does_not_hang() {
    assert_fifo_refused("\n[epub]\ncss = \"extra.css\"\n", "extra.css");
}

#[cfg(unix)]
#[test]
fn a_fifo_as_bibliography_does_not_hang() {
    assert_fifo_refused("bibliography = \"refs.bib\"\n", "refs.bib");
}

#[cfg(unix)]
#[test]
fn a_fifo_as_citation_style_does_not_hang() {
    assert_fifo_refused("csl = \"style.csl\"\n", "style.csl");
}

#[cfg(unix)]
#[test]
fn a_fifo_as_cover_does_not_hang() {
    assert_fifo_refused("cover = \"cover.png\"\n", "cover.png");
}

#[cfg(unix)]
#[test]
fn a_fifo_as_chapter_does_not_hang() {
    assert_fifo_refused("", "chapters/02-b.md");
    assert_fifo_refused(
        "chapters = [\"chapters/01-a.md\", \"listed.md\"]\n",
        "listed.md",
    );
}

#[cfg(unix)]
#[test]
fn a_fifo_in_a_font_folder_does_not_hang() {
    let toml = format!("{TOML}\n[fonts]\nserif = \"fonts\"\n");
    let book = Book::new(&[
        ("book.toml", toml.as_bytes()),
        ("chapters/01-a.md", b"# A\n"),
        (
            "fonts/LinLibertine_R.otf",
            &bundled_font("linux-libertine/LinLibertine_R.otf"),
        ),
    ]);
    mkfifo(&book.dir.join("fonts/pipe.otf"));
    let out = octavo(&["check", "."], &book.dir, &[]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("E0007") && err.contains("fonts/pipe.otf"),
        "{err}"
    );
}

#[cfg(unix)]
#[test]
fn a_fifo_in_the_output_folder_does_not_hang_check() {
    let book = Book::new(&[("chapters/01-a.md", b"# A\n\nText.\n")]);
    mkfifo(&book.out("test-book.epub"));
    let out = octavo(&["check", "."], &book.dir, &[]);
    assert!(
        matches!(out.status.code(), Some(0) | Some(1)),
        "{}",
        stderr(&out)
    );
}

// 5 and 7. Names stay valid: output names and EPUB entry names are ASCII, unique and short
// enough for every file system and for unzip.

/// Every path component of every entry of `epub`.
fn entry_components(epub: &[u8]) -> Vec<String> {
    epub_entries(epub)
        .into_iter()
        .flat_map(|(name, _)| name.split('/').map(str::to_string).collect::<Vec<String>>())
        .collect()
}

/// The single file under `out/` with `extension` (the interior, for a PDF: not the cover
/// wrap, `<slug>-cover.pdf`).
fn output_named(book: &Book, extension: &str) -> PathBuf {
    let found: Vec<PathBuf> = std::fs::read_dir(book.dir.join("out"))
        .expect("out/")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == extension))
        .filter(|p| !p.to_string_lossy().ends_with("-cover.pdf"))
        .collect();
    assert_eq!(found.len(), 1, "one .{extension}: {found:?}");
    found[0].clone()
}

fn is_plain_slug(stem: &str) -> bool {
    !stem.is_empty()
        && stem.split('-').all(|word| {
            !word.is_empty()
                && word
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
}

#[test]
fn a_273_character_title_gives_a_bounded_output_name() {
    let title = "The Very Long Title ".repeat(14);
    let title = &title[..273];
    let toml = format!("title = \"{title}\"\ndate = \"2024\"\n");
    let book = Book::new(&[
        ("book.toml", toml.as_bytes()),
        ("chapters/a.md", b"# A\n\nText.\n"),
    ]);
    let checked = octavo(&["check", "."], &book.dir, &[]);
    assert_eq!(checked.status.code(), Some(0), "{}", stderr(&checked));
    let out = octavo(&["build", "."], &book.dir, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    for extension in ["epub", "pdf"] {
        let path = output_named(&book, extension);
        let stem = path
            .file_stem()
            .expect("stem")
            .to_string_lossy()
            .into_owned();
        assert!(stem.len() <= 80, "{stem} is bounded");
        assert!(stem.starts_with("the-very-long-title-the-very"), "{stem}");
        assert!(is_plain_slug(&stem), "{stem}");
    }
    let interior = output_named(&book, "pdf");
    let cover = interior.with_file_name(format!(
        "{}-cover.pdf",
        interior.file_stem().expect("stem").to_string_lossy()
    ));
    assert!(
        cover.exists(),
        "the cover wrap's name is the interior's and -cover"
    );
    let epub = std::fs::read(output_named(&book, "epub")).expect("EPUB");
    keep_for_epubcheck("files-outputs-long-title", &epub);
}

#[test]
fn a_khmer_title_gives_a_transliterated_output_name() {
    let title = "ខ្មែរ ".repeat(20);
    let title = title.trim_end();
    assert_eq!(title.chars().count(), 119);
    let toml = format!("title = \"{title}\"\ndate = \"2024\"\nlanguage = \"km\"\n");
    let book = Book::new(&[
        ("book.toml", toml.as_bytes()),
        ("chapters/ក្រហម.md", "# ក្រហម\n\nអត្ថបទ។\n".as_bytes()),
        ("chapters/Été.md", "# Été\n\nTexte.\n".as_bytes()),
    ]);
    let out = octavo(&["build", "--format", "epub"], &book.dir, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let path = output_named(&book, "epub");
    let stem = path
        .file_stem()
        .expect("stem")
        .to_string_lossy()
        .into_owned();
    assert!(stem.starts_with("khmaer-khmaer-"), "{stem}");
    assert!(stem.len() <= 80 && is_plain_slug(&stem), "{stem}");
    let epub = std::fs::read(&path).expect("EPUB");
    keep_for_epubcheck("files-outputs-khmer-title", &epub);
    let components = entry_components(&epub);
    assert!(
        components.contains(&"krhm.xhtml".to_string()),
        "{components:?}"
    );
    assert!(
        components.contains(&"ete.xhtml".to_string()),
        "{components:?}"
    );
    assert!(components.iter().all(|c| c.is_ascii()), "{components:?}");
}

#[test]
fn a_253_byte_chapter_name_gives_entry_names_unzip_can_extract() {
    let long = format!("{}.md", "a".repeat(250));
    let also_long = format!("{}b.md", "a".repeat(249));
    assert_eq!(long.len(), 253);
    let book = Book::new(&[
        (long.as_str(), b"# One\n\nFirst.\n"),
        (also_long.as_str(), b"# Two\n\nSecond.\n"),
    ]);
    // book.toml lists them so their order is fixed; the names share their first 249 bytes.
    let toml = format!("{TOML}chapters = [\"{long}\", \"{also_long}\"]\n");
    book.write("book.toml", toml.as_bytes());
    let out = octavo(&["build", "--format", "epub"], &book.dir, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let epub = std::fs::read(book.out("test-book.epub")).expect("EPUB");
    keep_for_epubcheck("files-outputs-long-chapter-name", &epub);
    let components = entry_components(&epub);
    for component in &components {
        assert!(
            component.len() <= 255,
            "{} bytes: {component}",
            component.len()
        );
    }
    let entries = epub_entries(&epub);
    let chapters: Vec<&String> = entries
        .iter()
        .map(|(name, _)| name)
        .filter(|name| name.contains("/aaaa"))
        .collect();
    assert_eq!(
        chapters.len(),
        2,
        "two distinct chapter entries: {chapters:?}"
    );
    assert_ne!(chapters[0], chapters[1]);
}

// 4. The EPUB and the PDF in out/ are always one build's pair.

/// The `dcterms:modified` an EPUB was built with (from SOURCE_DATE_EPOCH).
fn epub_modified(epub: &[u8]) -> String {
    let opf = epub_entries(epub)
        .into_iter()
        .find(|(name, _)| name.ends_with(".opf"))
        .map(|(_, data)| String::from_utf8_lossy(&data).into_owned())
        .expect("a package document");
    let start = opf.find("dcterms:modified\">").expect("modified") + 18;
    opf[start..start + 20].to_string()
}

/// The files in `out/` whose names start with `.octavo-` (temporary files).
fn temporaries(book: &Book) -> Vec<String> {
    std::fs::read_dir(book.dir.join("out"))
        .expect("out/")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|name| name.starts_with(".octavo-"))
        .collect()
}

fn small_book() -> Book {
    Book::new(&[("chapters/a.md", b"# A\n\nSome text, to be typeset.\n")])
}

#[cfg(unix)]
#[test]
fn a_full_disk_leaves_the_previous_pair_in_place() {
    let book = small_book();
    let first = octavo(&["build", "."], &book.dir, &[("SOURCE_DATE_EPOCH", "1000")]);
    assert_eq!(first.status.code(), Some(0), "{}", stderr(&first));
    let epub = std::fs::read(book.out("test-book.epub")).expect("EPUB");
    let pdf = std::fs::read(book.out("test-book.pdf")).expect("PDF");
    assert!(
        epub.len() + 2048 < pdf.len(),
        "the EPUB fits where the PDF does not"
    );
    // The disk "fills up" between the EPUB and the PDF: a file size limit (in KiB) lets the
    // new EPUB be written and refuses the PDF (EFBIG, with SIGXFSZ ignored).
    let limit_kib = epub.len() / 1024 + 1;
    book.write(
        "chapters/a.md",
        b"# A\n\nOther text, to be typeset again.\n",
    );
    let mut command = Command::new("bash");
    command
        .arg("-c")
        .arg(format!(
            "ulimit -f {limit_kib}; trap '' XFSZ; exec \"$0\" build ."
        ))
        .arg(env!("CARGO_BIN_EXE_octavo"))
        .current_dir(&book.dir)
        .env("SOURCE_DATE_EPOCH", "2000");
    let full = wait_bounded(command);
    assert_eq!(full.status.code(), Some(2), "{}", stderr(&full));
    assert_eq!(
        std::fs::read(book.out("test-book.epub")).expect("EPUB"),
        epub
    );
    assert_eq!(std::fs::read(book.out("test-book.pdf")).expect("PDF"), pdf);
    assert_eq!(
        temporaries(&book),
        Vec::<String>::new(),
        "no temporary file is left"
    );
}

#[test]
fn a_temporary_file_left_by_a_killed_build_is_removed() {
    let book = small_book();
    book.write("out/.octavo-x1Y2z3.part", &vec![0u8; 1 << 20]);
    let out = octavo(&["build", "--format", "epub"], &book.dir, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(temporaries(&book), Vec::<String>::new());
    assert!(book.out("test-book.epub").exists());
}

#[cfg(unix)]
#[test]
fn a_build_waits_while_another_writes_to_the_output_folder() {
    let book = small_book();
    std::fs::create_dir_all(book.dir.join("out")).expect("out/");
    // Another build holds the lock on out/ (the folder itself is locked).
    let held = std::fs::File::open(book.dir.join("out")).expect("open out/");
    held.lock().expect("lock out/");
    let mut child = Command::new(env!("CARGO_BIN_EXE_octavo"))
        .args(["build", "--format", "epub", "."])
        .current_dir(&book.dir)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run octavo");
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(3) {
        if let Some(status) = child.try_wait().expect("wait") {
            panic!("the build did not wait for the lock: it ended with {status}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(
        !book.out("test-book.epub").exists(),
        "nothing written while locked"
    );
    drop(held);
    let mut err = String::new();
    child
        .stderr
        .take()
        .expect("stderr")
        .read_to_string(&mut err)
        .expect("stderr");
    let status = child.wait().expect("wait");
    assert!(status.success(), "{err}");
    assert!(err.contains("waiting for another octavo build"), "{err}");
    assert!(book.out("test-book.epub").exists());
}

#[test]
fn concurrent_builds_leave_a_matching_pair() {
    let book = small_book();
    for round in 0..3 {
        let spawn = |epoch: &str| {
            let dir = book.dir.clone();
            let epoch = epoch.to_string();
            std::thread::spawn(move || {
                octavo(&["build", "."], &dir, &[("SOURCE_DATE_EPOCH", &epoch)])
            })
        };
        let (a, b) = (spawn("1000000"), spawn("2000000"));
        for run in [a, b] {
            let out = run.join().expect("build thread");
            assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        }
        let epub = std::fs::read(book.out("test-book.epub")).expect("EPUB");
        let pdf = std::fs::read(book.out("test-book.pdf")).expect("PDF");
        let modified = epub_modified(&epub);
        // The PDF's /CreationDate, `D:YYYYMMDDHHmmSS…`, written from the same date.
        let digits: String = modified.chars().filter(char::is_ascii_digit).collect();
        let pdf_date = pdf_creation_date(&pdf);
        assert!(
            pdf_date.starts_with(&format!("D:{digits}")),
            "round {round}: the PDF ({pdf_date}) is not from the build of the EPUB ({modified})"
        );
        keep_for_epubcheck(&format!("files-outputs-concurrent-{round}"), &epub);
    }
}

/// The `/CreationDate` of the PDF's `/Info` (read through lopdf: the dictionary sits in a
/// compressed object stream).
fn pdf_creation_date(pdf: &[u8]) -> String {
    let doc = lopdf::Document::load_mem(pdf).expect("the PDF parses");
    let info = doc.trailer.get(b"Info").expect("an /Info");
    let info = match info {
        lopdf::Object::Reference(id) => doc.get_dictionary(*id).expect("the /Info dictionary"),
        other => other.as_dict().expect("the /Info dictionary"),
    };
    let date = info.get(b"CreationDate").expect("a /CreationDate");
    lopdf::decode_text_string(date).expect("a text string")
}

// 6. Control characters in a book's files never reach the terminal raw.

/// No ESC, CSI (C1) or other control character but tab and newline in `text`.
fn assert_no_raw_controls(text: &str) {
    let raw: Vec<char> = text
        .chars()
        .filter(|c| c.is_control() && !matches!(c, '\n' | '\t'))
        .collect();
    assert!(raw.is_empty(), "raw control characters {raw:?} in:\n{text}");
}

#[test]
fn escape_sequences_in_book_toml_are_shown_escaped() {
    let toml = "title = \"Red \u{1b}[31mAlert\u{1b}[0m\"\ndate = \"2024\"\n";
    let book = Book::new(&[("book.toml", toml.as_bytes()), ("chapters/a.md", b"# A\n")]);
    let out = octavo(&["check", "."], &book.dir, &[]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("book.toml:1:"), "{err}");
    assert_no_raw_controls(&err);
    assert!(
        err.contains("\u{241B}[31mAlert"),
        "ESC is shown as ␛: {err}"
    );
}

#[test]
fn control_characters_in_chapters_and_file_names_are_shown_escaped() {
    let chapter = "# A\n\nSee [there](missing.md) \u{9b}2J and \u{7f} here.\n";
    let book = Book::new(&[
        ("chapters/a.md", chapter.as_bytes()),
        ("chapters/b\u{1b}[2J.md", b"# B\n\n[gone](nowhere.md)\n"),
    ]);
    let out = octavo(&["check", "."], &book.dir, &[]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("chapters/a.md:3:"), "{err}");
    assert_no_raw_controls(&err);
    assert!(err.contains("\u{FFFD}2J and \u{2421} here"), "{err}");
    assert!(err.contains("b\u{241B}[2J.md"), "{err}");
}

// 7. `--chapters` that selects nothing is a usage error, not an empty handout.

#[test]
fn chapters_that_select_nothing_are_a_usage_error() {
    let book = Book::new(&[
        ("chapters/01-a.md", b"# A\n\nOne.\n"),
        ("chapters/02-b.md", b"# B\n\nTwo.\n"),
    ]);
    for range in ["0", "0-1", "3", "5-9"] {
        let out = octavo(
            &["build", "--format", "pdf", "--chapters", range, "."],
            &book.dir,
            &[],
        );
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "--chapters {range}: {err}");
        assert!(err.contains("--chapters"), "--chapters {range}: {err}");
        assert!(
            !book.out("test-book.pdf").exists(),
            "--chapters {range} wrote a PDF"
        );
    }
    let out = octavo(
        &["build", "--format", "pdf", "--chapters", "2-5", "."],
        &book.dir,
        &[],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "a range reaching past the end: {}",
        stderr(&out)
    );
}

// 5. `check` finds what would stop `build`: fonts that cannot be subset, images the PDF
// cannot take, output names that cannot be written.

/// A PNG whose header is sound (8-bit RGBA, 4x4) and whose pixel data is not.
fn png_with_broken_pixels() -> Vec<u8> {
    common::png::png(&[
        (b"IHDR", &common::png::ihdr(4, 4, 6)),
        (b"IDAT", b"this is not zlib data at all"),
        (b"IEND", &[]),
    ])
}

/// `font` with its `post` table claiming names for no glyph: every parser reads the font,
/// but it cannot be subset for the PDF.
fn font_that_cannot_be_subset(font: &[u8]) -> Vec<u8> {
    let mut font = font.to_vec();
    let tables = usize::from(u16::from_be_bytes([font[4], font[5]]));
    let post = (0..tables)
        .map(|i| 12 + 16 * i)
        .find(|&record| &font[record..record + 4] == b"post")
        .expect("a post table");
    let offset = u32::from_be_bytes(font[post + 8..post + 12].try_into().expect("4 bytes"));
    let offset = offset as usize;
    assert_eq!(
        &font[offset..offset + 4],
        &[0, 2, 0, 0],
        "a version 2 post table"
    );
    font[offset + 32..offset + 34].copy_from_slice(&[0, 0]);
    font
}

#[test]
fn check_finds_a_font_that_cannot_be_subset() {
    let toml = format!("{TOML}\n[fonts]\nmono = \"fonts/mono\"\n");
    let broken = font_that_cannot_be_subset(&bundled_font("dejavu-sans-mono/DejaVuSansMono.ttf"));
    let book = Book::new(&[
        ("book.toml", toml.as_bytes()),
        ("chapters/a.md", b"# A\n\nSome `code`.\n"),
        ("fonts/mono/Broken.ttf", &broken),
    ]);
    let checked = octavo(&["check", "."], &book.dir, &[]);
    let err = stderr(&checked);
    assert_eq!(checked.status.code(), Some(1), "{err}");
    assert!(
        err.contains("E0114") && err.contains("[fonts] mono"),
        "{err}"
    );
    assert!(err.contains("fonts/mono/Broken.ttf"), "{err}");
    let built = octavo(&["build", "."], &book.dir, &[]);
    assert_eq!(built.status.code(), Some(1), "{}", stderr(&built));
}

#[test]
fn check_finds_an_image_the_pdf_cannot_take() {
    let book = Book::new(&[
        (
            "chapters/a.md",
            b"# A\n\n![A picture](../images/broken.png)\n",
        ),
        ("images/broken.png", &png_with_broken_pixels()),
    ]);
    let checked = octavo(&["check", "."], &book.dir, &[]);
    let err = stderr(&checked);
    assert_eq!(checked.status.code(), Some(1), "{err}");
    assert!(err.contains("images/broken.png"), "{err}");
    assert!(
        err.contains("chapters/a.md:3:"),
        "located at the image: {err}"
    );
}

#[test]
fn check_finds_an_output_name_the_build_cannot_write() {
    let book = Book::new(&[("chapters/a.md", b"# A\n\nText.\n")]);
    std::fs::create_dir_all(book.out("test-book.pdf")).expect("a folder in the way");
    book.write("out/test-book.pdf/keep", b"x");
    let checked = octavo(&["check", "."], &book.dir, &[]);
    let err = stderr(&checked);
    assert_eq!(checked.status.code(), Some(1), "{err}");
    assert!(
        err.contains("E0008") && err.contains("out/test-book.pdf"),
        "{err}"
    );
}
