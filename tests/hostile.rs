//! Hostile and broken manuscripts, generated at test time (no megabyte files in the repo).
//! Each must give a clear diagnostic with a location and the right exit code, never a panic
//! or a hang, and nothing outside the book folder may reach an output: a canary file planted
//! next to the book is searched for in every output.
//!
//! The time bound is a hang detector for a debug build, not a speed target (those live in
//! the benchmarks).

mod common;

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

const HANG_BOUND: Duration = Duration::from_secs(60);
const CANARY: &str = "CANARY-7f3a9c-DO-NOT-LEAK";

struct Hostile {
    _tmp: tempfile::TempDir,
    dir: PathBuf,
}

/// A book folder with the given files, and a canary file beside it (outside the book).
fn hostile_book(files: &[(&str, Vec<u8>)]) -> Hostile {
    let tmp = tempfile::tempdir().expect("temp dir");
    std::fs::write(tmp.path().join("canary.txt"), CANARY).expect("canary");
    std::fs::write(tmp.path().join("canary.png"), format!("\u{89}PNG{CANARY}")).expect("canary");
    let dir = tmp.path().join("book");
    std::fs::create_dir_all(&dir).expect("book dir");
    let mut has_toml = false;
    for (name, data) in files {
        has_toml |= *name == "book.toml";
        let path = dir.join(name);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, data).expect("write");
    }
    if !has_toml {
        std::fs::write(
            dir.join("book.toml"),
            "title = \"Hostile\"\ndate = \"2024\"\n",
        )
        .expect("toml");
    }
    Hostile { _tmp: tmp, dir }
}

/// Run `octavo build --format epub` with a hang guard.
fn build(dir: &Path, extra: &[&str]) -> (Output, Duration) {
    let started = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_octavo"))
        .args(["build", "--format", "epub"])
        .args(extra)
        .current_dir(dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run octavo");
    let mut stderr = String::new();
    let mut err_pipe = child.stderr.take().expect("stderr");
    let reader = std::thread::spawn(move || {
        let _ = err_pipe.read_to_string(&mut stderr);
        stderr
    });
    loop {
        if let Some(status) = child.try_wait().expect("wait") {
            let stderr = reader.join().expect("stderr thread");
            let output = Output {
                status,
                stdout: Vec::new(),
                stderr: stderr.into_bytes(),
            };
            return (output, started.elapsed());
        }
        if started.elapsed() > HANG_BOUND {
            let _ = child.kill();
            panic!("octavo did not finish within {HANG_BOUND:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Exit 0 or 1 (a diagnostic), never a crash.
fn assert_finished_cleanly(out: &Output) {
    assert!(
        matches!(out.status.code(), Some(0) | Some(1)),
        "{}",
        stderr(out)
    );
    assert!(!stderr(out).contains("panicked"), "{}", stderr(out));
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Every file under `out/` as bytes; the canary must not be in any of them.
fn assert_no_canary(dir: &Path) {
    let out = dir.join("out");
    let Ok(entries) = std::fs::read_dir(&out) else {
        return;
    };
    for entry in entries.filter_map(|e| e.ok()) {
        let bytes = std::fs::read(entry.path()).expect("read output");
        let mut text = String::from_utf8_lossy(&bytes).into_owned();
        if let Ok(mut archive) = zip::ZipArchive::new(std::io::Cursor::new(&bytes)) {
            for i in 0..archive.len() {
                let mut file = archive.by_index(i).expect("entry");
                let mut data = Vec::new();
                file.read_to_end(&mut data).expect("inflate");
                text.push_str(&String::from_utf8_lossy(&data));
            }
        }
        assert!(
            !text.contains(CANARY),
            "the canary leaked into {}",
            entry.path().display()
        );
    }
}

fn chapter(text: impl Into<Vec<u8>>) -> (&'static str, Vec<u8>) {
    ("chapters/01.md", text.into())
}

#[test]
fn ten_thousand_nested_quotes() {
    let book = hostile_book(&[chapter(format!(
        "# Deep\n\n{} bottom\n",
        ">".repeat(10_000)
    ))]);
    let (out, _) = build(&book.dir, &[]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("E0111"), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("chapters/01.md:3:"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn ten_thousand_nested_list_levels() {
    let text: String = (0..10_000)
        .map(|i| format!("{}- level\n", "  ".repeat(i)))
        .collect();
    let book = hostile_book(&[chapter(format!("# Lists\n\n{text}"))]);
    let (out, _) = build(&book.dir, &[]);
    assert_finished_cleanly(&out);
}

#[test]
fn deeply_nested_raw_html() {
    let html = format!("{}x{}", "<div>".repeat(20_000), "</div>".repeat(20_000));
    let spans = format!("{}y{}", "<span>".repeat(20_000), "</span>".repeat(20_000));
    let book = hostile_book(&[chapter(format!("# Html\n\n{html}\n\nText {spans}\n"))]);
    let (out, _) = build(&book.dir, &[]);
    assert_finished_cleanly(&out);
}

#[test]
fn a_five_megabyte_paragraph_and_a_two_megabyte_word() {
    let paragraph = "word ".repeat(1_000_000);
    let word = "x".repeat(2_000_000);
    let book = hostile_book(&[chapter(format!("# Big\n\n{paragraph}\n\n{word}\n"))]);
    let (out, _) = build(&book.dir, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

#[test]
fn a_hundred_thousand_headings() {
    let text: String = (0..100_000).map(|_| "## Same Title\n\nText.\n\n").collect();
    let book = hostile_book(&[chapter(format!("# Many\n\n{text}"))]);
    let (out, _) = build(&book.dir, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

#[test]
fn invalid_utf8_is_an_error_with_the_byte_offset() {
    let mut bytes = b"# Title\n\nGood text then ".to_vec();
    bytes.extend_from_slice(&[0xFF, 0xFE, b'x']);
    let book = hostile_book(&[chapter(bytes)]);
    let (out, _) = build(&book.dir, &[]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("E0005") && err.contains("byte 24"), "{err}");
    assert!(err.contains("chapters/01.md"), "{err}");
}

#[test]
fn a_bom_is_accepted_and_control_characters_are_removed() {
    let book = hostile_book(&[chapter(
        b"\xEF\xBB\xBF# Title\n\nNUL\x00 and bell\x07 here.\n".to_vec(),
    )]);
    let (out, _) = build(&book.dir, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stderr(&out).contains("W0202"), "{}", stderr(&out));
    let epub = std::fs::read(book.dir.join("out/hostile.epub")).expect("built");
    common::keep_for_epubcheck("hostile-control-chars", &epub);
}

#[test]
fn a_decompression_bomb_png_is_refused_quickly() {
    let book = hostile_book(&[
        chapter("# Bomb\n\n![a huge image](../images/bomb.png)\n"),
        ("images/bomb.png", png_header(20_000, 20_000)),
    ]);
    let (out, elapsed) = build(&book.dir, &[]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("E0113"), "{}", stderr(&out));
    assert!(elapsed < HANG_BOUND);
}

/// A PNG signature and IHDR claiming `width`x`height`, with a tiny IDAT: a bomb's header.
fn png_header(width: u32, height: u32) -> Vec<u8> {
    let idat = [0x78, 0x9C, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01];
    common::png::png(&[
        (b"IHDR", &common::png::ihdr(width, height, 2)),
        (b"IDAT", &idat),
        (b"IEND", &[]),
    ])
}

#[test]
fn paths_that_escape_are_refused_and_nothing_leaks() {
    let attempts =
        "# Escape\n\n![a](../../canary.png)\n\n![b](/etc/passwd)\n\n![c](file:///etc/passwd)\n\n\
        ![d](..%2F..%2Fcanary.png)\n\n![e](link.png)\n\n[f](../../canary.txt)\n";
    let book = hostile_book(&[chapter(attempts)]);
    #[cfg(unix)]
    std::os::unix::fs::symlink(
        book.dir.join("../canary.png"),
        book.dir.join("chapters/link.png"),
    )
    .expect("symlink");
    let (out, _) = build(&book.dir, &[]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.matches("E0004").count() >= 5, "{err}");
    assert_no_canary(&book.dir);
}

#[test]
fn escaping_paths_in_book_toml_are_refused() {
    let toml = "title = \"T\"\ncover = \"../canary.png\"\nbibliography = \"/etc/passwd\"\nchapters = [\"../canary.txt\"]\n\n[epub]\ncss = \"../canary.txt\"\n";
    let book = hostile_book(&[("book.toml", toml.into()), chapter("# A\n")]);
    let (out, _) = build(&book.dir, &[]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("book.toml:2:9"), "{err}");
    assert!(err.contains("book.toml:4:13"), "{err}");
    assert_no_canary(&book.dir);
}

#[test]
fn hostile_raw_html_is_made_inert() {
    // A raw <img> of a book file is an image (its other attributes go); one of the web is
    // dropped.
    let text = "# XSS\n\n<img src=https://x/y.png onerror=alert(1)>\n\n\
        An <img src=\"../images/icon.png\" alt=\"icon\" onerror=\"alert(1)\" style=\"x\"> here.\n\n\
        <a href=\"javascript:alert(1)\">x</a> \
        <iframe src=\"../../canary.txt\"></iframe>\n\n<svg><script>alert(2)</script></svg>\n\n\
        <p onmouseover=\"steal()\" style=\"x\">para</p>\n";
    let icon =
        std::fs::read(common::repo().join("tests/cases/images/images/gear.png")).expect("an icon");
    let book = hostile_book(&[chapter(text), ("images/icon.png", icon)]);
    let (out, _) = build(&book.dir, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let epub = std::fs::read(book.dir.join("out/hostile.epub")).expect("built");
    let dump = common::dump_epub(&epub);
    for needle in [
        "javascript:",
        "onerror",
        "<script",
        "<iframe",
        "onmouseover",
        "<svg",
        "style=",
    ] {
        assert!(!dump.contains(needle), "{needle} survived:\n{dump}");
    }
    assert!(stderr(&out).contains("W0201"), "{}", stderr(&out));
    common::keep_for_epubcheck("hostile-html", &epub);
    assert_no_canary(&book.dir);
}

#[test]
fn svg_with_entities_or_scripts_is_refused() {
    let xxe =
        "<?xml version=\"1.0\"?>\n<!DOCTYPE svg [<!ENTITY leak SYSTEM \"file:///etc/passwd\">\n\
        <!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">]>\n\
        <svg xmlns=\"http://www.w3.org/2000/svg\"><text>&leak;&b;</text></svg>\n";
    let scripted = "<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(1)\"><rect/></svg>\n";
    let book = hostile_book(&[
        chapter("# Svg\n\n![entity bomb](../images/xxe.svg)\n\n![script](../images/script.svg)\n"),
        ("images/xxe.svg", xxe.into()),
        ("images/script.svg", scripted.into()),
    ]);
    let (out, _) = build(&book.dir, &[]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    assert_eq!(err.matches("E0108").count(), 2, "{err}");
    assert!(
        err.contains("chapters/01.md:3:1") && err.contains("chapters/01.md:5:1"),
        "{err}"
    );
}

#[test]
fn check_names_characters_no_font_has() {
    let book = hostile_book(&[chapter(
        "# Glyphs\n\nA hieroglyph \u{13000} and Khmer ខ្មែរ.\n",
    )]);
    let out = Command::new(env!("CARGO_BIN_EXE_octavo"))
        .args(["check"])
        .current_dir(&book.dir)
        .output()
        .expect("run octavo");
    assert_eq!(out.status.code(), Some(0));
    let err = stderr(&out);
    assert!(err.contains("W0211") && err.contains("U+13000"), "{err}");
    assert!(err.contains("chapters/01.md:3:1"), "{err}");
    assert!(
        !err.contains("U+1781"),
        "Khmer is covered by the fallback font: {err}"
    );
    // A PDF build reports the same, with the location, and still writes the PDF.
    let built = Command::new(env!("CARGO_BIN_EXE_octavo"))
        .args(["build", "--format", "pdf"])
        .current_dir(&book.dir)
        .output()
        .expect("run octavo");
    let err = stderr(&built);
    assert_eq!(built.status.code(), Some(0), "{err}");
    assert!(
        err.contains("W0211") && err.contains("chapters/01.md:3:1"),
        "{err}"
    );
}
