//! The command line as a user meets it: exit codes, messages with file:line:col, atomic
//! outputs, reproducible bytes, and the scaffold of `octavo new`.

mod common;

use common::book;

use std::path::Path;
use std::process::{Command, Output};

use common::{keep_for_epubcheck, repo};

fn octavo(args: &[&str], cwd: &Path, envs: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_octavo"));
    command
        .args(args)
        .current_dir(cwd)
        .env_remove("SOURCE_DATE_EPOCH");
    for (key, value) in envs {
        command.env(key, value);
    }
    command.output().expect("run octavo")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

const TOML: &str = "title = \"Test Book\"\ndate = \"2024-05-01\"\n";

#[test]
fn new_then_build_gives_an_epub() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let created = octavo(&["new", "demo"], tmp.path(), &[]);
    assert!(created.status.success(), "{}", stderr(&created));
    let built = octavo(&["build", "demo"], tmp.path(), &[]);
    assert_eq!(built.status.code(), Some(0), "{}", stderr(&built));
    let epub = tmp.path().join("demo/out/demo.epub");
    let bytes = std::fs::read(&epub).expect("the EPUB exists");
    keep_for_epubcheck("cli-new-demo", &bytes);
    let again = octavo(&["new", "demo"], tmp.path(), &[]);
    assert_eq!(
        again.status.code(),
        Some(2),
        "new refuses a non-empty folder"
    );
}

#[test]
fn a_typo_in_book_toml_names_the_key_the_line_and_a_fix() {
    let (_tmp, dir) = book(&[
        ("book.toml", "title = \"T\"\nsubtitel = \"S\"\n"),
        ("chapters/a.md", "# A\n"),
    ]);
    let out = octavo(&["build", "."], &dir, &[]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("book.toml:2:1"), "{err}");
    assert!(err.contains("subtitel"), "{err}");
    assert!(err.contains("did you mean `subtitle`?"), "{err}");
    assert!(!dir.join("out").exists(), "nothing written");
}

/// Margins wider than the page were set as a half-inch text block running off the page,
/// with no word; `check` and `build` now refuse them at the key.
#[test]
fn margins_that_leave_no_text_block_are_an_error_at_their_key() {
    let (_tmp, dir) = book(&[
        (
            "book.toml",
            "title = \"T\"\n[pdf.margins]\ninner = \"3in\"\nouter = \"3in\"\n",
        ),
        ("chapters/a.md", "# A\n\nText.\n"),
    ]);
    for command in ["check", "build"] {
        let out = octavo(&[command, "."], &dir, &[]);
        assert_eq!(out.status.code(), Some(1), "{command}");
        let err = stderr(&out);
        assert!(err.contains("error[E0232]"), "{err}");
        assert!(err.contains("book.toml:3:9"), "{err}");
        assert!(err.contains("take the whole of a 6.00in page"), "{err}");
    }
    assert!(!dir.join("out").exists(), "nothing written");
}

#[test]
fn a_folder_without_book_toml_is_a_usage_error() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let out = octavo(&["build", "."], tmp.path(), &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("octavo new"), "{}", stderr(&out));
}

#[test]
fn a_broken_link_is_reported_at_its_location() {
    let (_tmp, dir) = book(&[
        ("book.toml", TOML),
        (
            "chapters/01-a.md",
            "# A\n\nSee [b](02-b.md#nowhere) and [c](03-c.md).\n",
        ),
        ("chapters/02-b.md", "# B\n"),
    ]);
    let out = octavo(&["check"], &dir, &[]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("chapters/01-a.md:3:5"), "{err}");
    assert!(err.contains("chapters/01-a.md:3:30"), "{err}");
    assert!(err.contains("E0104"), "{err}");
    assert!(err.contains("2 error(s)"), "{err}");
}

#[test]
fn json_diagnostics_for_ci() {
    let (_tmp, dir) = book(&[("book.toml", TOML), ("chapters/a.md", "# A\n\nText.[^x]\n")]);
    let out = octavo(&["check", "--message-format", "json"], &dir, &[]);
    assert_eq!(out.status.code(), Some(1));
    let line = String::from_utf8_lossy(&out.stdout)
        .lines()
        .next()
        .unwrap_or("")
        .to_string();
    let value: serde_json::Value = serde_json::from_str(&line).expect("JSON");
    assert_eq!(value["code"], "E0105");
    assert_eq!(value["file"], "chapters/a.md");
    assert_eq!(value["line"], 3);
    assert_eq!(value["column"], 6);
}

#[test]
fn check_writes_nothing_and_passes_a_clean_book() {
    let (_tmp, dir) = book(&[("book.toml", TOML), ("chapters/a.md", "# A\n\nFine.\n")]);
    let out = octavo(&["check"], &dir, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("W0210") && err.contains("0 error(s), 1 warning(s)"),
        "only the missing cover: {err}"
    );
    assert!(!dir.join("out").exists());
}

#[test]
fn warnings_fail_only_when_denied() {
    let (_tmp, dir) = book(&[
        ("book.toml", TOML),
        (
            "chapters/a.md",
            "# A\n\nText.\n\n[^unused]: Never called.\n",
        ),
    ]);
    assert_eq!(octavo(&["check"], &dir, &[]).status.code(), Some(0));
    let denied = octavo(&["check", "--deny-warnings"], &dir, &[]);
    assert_eq!(denied.status.code(), Some(1));
    assert!(stderr(&denied).contains("W0203"), "{}", stderr(&denied));
}

#[test]
fn a_failed_build_leaves_the_previous_output_intact() {
    let (_tmp, dir) = book(&[("book.toml", TOML), ("chapters/a.md", "# A\n\nGood.\n")]);
    assert_eq!(
        octavo(&["build", "--format", "epub"], &dir, &[])
            .status
            .code(),
        Some(0)
    );
    let epub = dir.join("out/test-book.epub");
    let before = std::fs::read(&epub).expect("first build");
    std::fs::write(dir.join("chapters/a.md"), "# A\n\n![x](missing.png)\n").expect("break it");
    let failed = octavo(&["build", "--format", "epub"], &dir, &[]);
    assert_eq!(failed.status.code(), Some(1));
    assert_eq!(std::fs::read(&epub).expect("still there"), before);
    let leftovers: Vec<_> = std::fs::read_dir(dir.join("out"))
        .expect("out")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name())
        .collect();
    assert_eq!(leftovers.len(), 1, "no temporary files left: {leftovers:?}");
}

#[test]
fn check_reports_damaged_and_stale_outputs() {
    let (_tmp, dir) = book(&[("book.toml", TOML), ("chapters/a.md", "# A\n\nGood.\n")]);
    let built = octavo(&["build"], &dir, &[]);
    assert_eq!(built.status.code(), Some(0));
    let clean = octavo(&["check"], &dir, &[]);
    assert!(
        !stderr(&clean).contains("W0213") && !stderr(&clean).contains("W0214"),
        "fresh outputs are fine: {}",
        stderr(&clean)
    );
    // A truncated PDF (a copy interrupted half-way) and a chapter edited after the build.
    let pdf = dir.join("out/test-book.pdf");
    let bytes = std::fs::read(&pdf).expect("pdf");
    std::fs::write(&pdf, &bytes[..bytes.len() / 2]).expect("truncate");
    std::thread::sleep(std::time::Duration::from_millis(20));
    std::fs::write(dir.join("chapters/a.md"), "# A\n\nBetter.\n").expect("edit");
    let checked = octavo(&["check"], &dir, &[]);
    let text = stderr(&checked);
    assert_eq!(checked.status.code(), Some(0), "warnings only: {text}");
    assert!(
        text.contains("W0213") && text.contains("out/test-book.pdf is damaged"),
        "{text}"
    );
    assert!(
        text.contains("W0214") && text.contains("chapters/a.md"),
        "{text}"
    );
}

#[test]
fn builds_are_reproducible_and_honour_source_date_epoch() {
    let (_tmp, dir) = book(&[("book.toml", TOML), ("chapters/a.md", "# A\n\nSame.\n")]);
    let sha = |out: &str, epoch: &str| {
        let result = octavo(
            &["build", "--format", "epub", "--out", out],
            &dir,
            &[("SOURCE_DATE_EPOCH", epoch)],
        );
        assert_eq!(result.status.code(), Some(0), "{}", stderr(&result));
        std::fs::read(dir.join(out).join("test-book.epub")).expect("built")
    };
    let first = sha("one", "1700000000");
    let second = sha("two", "1700000000");
    let other = sha("three", "1800000000");
    assert_eq!(first, second);
    assert_ne!(first, other, "dcterms:modified follows SOURCE_DATE_EPOCH");
    keep_for_epubcheck("cli-reproducible", &first);
}

#[test]
fn pdf_builds_are_reproducible_and_handouts_select_chapters() {
    let (_tmp, dir) = book(&[
        ("book.toml", TOML),
        (
            "chapters/01-a.md",
            "# A\n\nThe first chapter, with a note.[^n]\n\n[^n]: A note.\n",
        ),
        ("chapters/02-b.md", "# B\n\nThe second chapter.\n"),
        ("chapters/03-c.md", "# C\n\nThe third chapter.\n"),
    ]);
    let build = |out: &str, extra: &[&str]| {
        let mut args = vec!["build", "--format", "pdf", "--out", out];
        args.extend_from_slice(extra);
        let result = octavo(&args, &dir, &[]);
        assert_eq!(result.status.code(), Some(0), "{}", stderr(&result));
        std::fs::read(dir.join(out).join("test-book.pdf")).expect("PDF written")
    };
    let first = build("one", &[]);
    let second = build("two", &[]);
    assert!(first.starts_with(b"%PDF-"));
    assert!(first == second, "two PDF builds differ");
    let handout = build("three", &["--profile", "a4", "--chapters", "2-3"]);
    std::fs::write(common::pdf_dir().join("cli-print.pdf"), &first).expect("keep for qpdf");
    std::fs::write(common::pdf_dir().join("cli-handout.pdf"), &handout).expect("keep for qpdf");
    assert_ne!(first, handout);
    assert!(
        !dir.join("one/test-book.epub").exists(),
        "--format pdf writes only the PDF"
    );
    let bad = octavo(&["build", "--chapters", "5-2"], &dir, &[]);
    assert_eq!(bad.status.code(), Some(2));
}

#[test]
fn remote_images_fail_unless_allowed_and_then_become_links() {
    let (_tmp, dir) = book(&[
        ("book.toml", TOML),
        (
            "chapters/a.md",
            "# A\n\n![A photo](https://example.org/p.jpg)\n",
        ),
    ]);
    let refused = octavo(&["build", "--format", "epub"], &dir, &[]);
    assert_eq!(refused.status.code(), Some(1));
    assert!(stderr(&refused).contains("E0107"), "{}", stderr(&refused));
    let allowed = octavo(&["build", "--format", "epub", "--allow-remote"], &dir, &[]);
    assert_eq!(allowed.status.code(), Some(0), "{}", stderr(&allowed));
    let bytes = std::fs::read(dir.join("out/test-book.epub")).expect("built");
    keep_for_epubcheck("cli-remote-allowed", &bytes);
    let dump = common::dump_epub(&bytes);
    assert!(
        dump.contains("<a href=\"https://example.org/p.jpg\">A photo</a>"),
        "{dump}"
    );
}

#[test]
fn paths_outside_the_book_are_refused() {
    let (tmp, dir) = book(&[
        ("book.toml", TOML),
        (
            "chapters/a.md",
            "# A\n\n![secret](../../canary.png)\n\n![etc](/etc/passwd)\n",
        ),
    ]);
    std::fs::write(tmp.path().join("canary.png"), b"\x89PNG\r\n\x1a\nCANARY").expect("canary");
    let out = octavo(&["build", "--format", "epub"], &dir, &[]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("leads outside the book folder"), "{err}");
    assert!(err.contains("absolute path"), "{err}");
}

#[test]
fn fonts_named_in_book_toml_set_the_pdf() {
    let toml = format!("{TOML}\n[fonts]\nserif = \"fonts/text\"\n");
    let (_tmp, dir) = book(&[
        ("book.toml", toml.as_str()),
        (
            "chapters/a.md",
            "# A\n\nSome *emphasis* and **strength**.\n",
        ),
    ]);
    // DejaVu Sans Mono's four faces stand in for a text family: styles come from the fonts.
    let family = repo().join("fonts/dejavu-sans-mono");
    std::fs::create_dir_all(dir.join("fonts/text")).expect("mkdir");
    for entry in std::fs::read_dir(&family).expect("bundled fonts") {
        let path = entry.expect("entry").path();
        if path.extension().is_some_and(|e| e == "ttf") {
            let name = path.file_name().expect("name");
            std::fs::copy(&path, dir.join("fonts/text").join(name)).expect("copy");
        }
    }
    let built = octavo(&["build", "--format", "pdf"], &dir, &[]);
    assert_eq!(built.status.code(), Some(0), "{}", stderr(&built));
    let pdf = std::fs::read(dir.join("out/test-book.pdf")).expect("PDF");
    std::fs::write(common::pdf_dir().join("cli-custom-fonts.pdf"), &pdf).expect("keep for qpdf");
    // The fonts' names, read from the file (their dictionaries sit in object streams).
    let doc = lopdf::Document::load_mem(&pdf).expect("the PDF parses");
    let names: Vec<String> = doc
        .objects
        .values()
        .filter_map(|object| object.as_dict().ok()?.get(b"BaseFont").ok()?.as_name().ok())
        .map(|name| String::from_utf8_lossy(name).into_owned())
        .collect();
    assert!(
        !names.iter().any(|n| n.contains("LinLibertine")),
        "the bundled text face is not used: {names:?}"
    );
    assert!(
        names.iter().any(|n| n.contains("DejaVuSansMono-Bold")),
        "the bold face comes from the folder: {names:?}"
    );

    // A folder without fonts is an error at the book.toml value.
    std::fs::write(
        dir.join("book.toml"),
        format!("{TOML}\n[fonts]\nserif = \"chapters\"\n"),
    )
    .expect("toml");
    let failed = octavo(&["build", "--format", "pdf"], &dir, &[]);
    assert_eq!(failed.status.code(), Some(1));
    assert!(
        stderr(&failed).contains("E0114") && stderr(&failed).contains("book.toml:"),
        "{}",
        stderr(&failed)
    );
}

#[test]
fn an_epub_with_embedded_fonts_carries_the_fonts_of_book_toml() {
    let toml = format!("{TOML}\n[epub]\nembed-fonts = true\n\n[fonts]\nserif = \"fonts/text\"\n");
    let (_tmp, dir) = book(&[
        ("book.toml", toml.as_str()),
        ("chapters/a.md", "# A\n\nSome *emphasis*, `code` and ខ្មែរ.\n"),
    ]);
    let family = repo().join("fonts/dejavu-sans-mono");
    std::fs::create_dir_all(dir.join("fonts/text")).expect("mkdir");
    let mut configured: Vec<Vec<u8>> = Vec::new();
    for entry in std::fs::read_dir(&family).expect("bundled fonts") {
        let path = entry.expect("entry").path();
        if path.extension().is_some_and(|e| e == "ttf") {
            let name = path.file_name().expect("name");
            std::fs::copy(&path, dir.join("fonts/text").join(name)).expect("copy");
            configured.push(std::fs::read(&path).expect("font"));
        }
    }
    let built = octavo(&["build", "--format", "epub"], &dir, &[]);
    assert_eq!(built.status.code(), Some(0), "{}", stderr(&built));
    let epub = std::fs::read(dir.join("out/test-book.epub")).expect("EPUB");
    keep_for_epubcheck("cli-embedded-custom-fonts", &epub);
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(&epub)).expect("a zip");
    let mut fonts: Vec<Vec<u8>> = Vec::new();
    let mut css = String::new();
    for i in 0..archive.len() {
        let mut file = archive.by_index(i).expect("entry");
        let name = file.name().expect("entry name").to_string();
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut file, &mut bytes).expect("read");
        if name.contains("/fonts/") {
            fonts.push(bytes);
        } else if name.ends_with(".css") {
            css = String::from_utf8(bytes).expect("UTF-8");
        }
    }
    // The four DejaVu faces serve the text; the bundled text face is not embedded.
    for face in &configured {
        assert!(fonts.contains(face), "a configured face is embedded");
    }
    let libertine =
        std::fs::read(repo().join("fonts/linux-libertine/LinLibertine_R.otf")).expect("font");
    assert!(
        !fonts.contains(&libertine),
        "the bundled text face is left out"
    );
    assert_eq!(
        css.matches("font-family: \"octavo serif\";").count(),
        4,
        "{css}"
    );
    assert!(css.contains("octavo fallback Noto Serif Khmer"), "{css}");
    assert!(
        css.contains(
            "body {\n  font-family: \"octavo serif\", \"octavo fallback Noto Serif Khmer\", serif;"
        ),
        "{css}"
    );
}
