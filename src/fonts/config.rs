//! Fonts named in book.toml's `[fonts]` table, for the PDF (and for the EPUB when it embeds
//! fonts: `[epub] embed-fonts`), loaded once by the build.
//!
//! ```toml
//! [fonts]
//! serif = "fonts/EB Garamond"      # a folder of faces (or one file): regular, italic, bold…
//! mono = "fonts/Iosevka"
//! fallback = ["fonts/NotoSansThai-Regular.ttf"]
//! ```
//!
//! Each face's style is read from the font itself (OS/2 bold and italic bits), not guessed
//! from its file name. A family without a style uses its nearest style ([`FontSet::primary`]),
//! never a slanted or emboldened copy. What is not configured comes from the bundled fonts,
//! and the bundled fallbacks (Khmer, Arabic, Hebrew, symbols) stay last in the fallback chain. Paths are confined to the
//! book folder like every other read.

use std::path::{Path, PathBuf};

use rustybuzz::ttf_parser;

use super::bundled::BUNDLED;
use super::face::FontFace;
use super::set::{FaceChoice, FaceRole, Family, FontSet, Style};
use super::subset::probe_subset;
use crate::diag::{code, Diagnostic, Diagnostics, Span};
use crate::manuscript::{report_configured, resolve_configured, BookRoot, Manuscript, PathProblem};

/// Largest font file read (the biggest CJK faces are about 20 MB).
const MAX_FONT_BYTES: u64 = 64 * 1024 * 1024;

/// The book's font set when `[fonts]` names any font, `None` for the bundled set. Problems are
/// errors at the book.toml value that caused them; the set is then not built.
pub(crate) fn configured_fonts(
    manuscript: &Manuscript,
    diags: &mut Diagnostics,
) -> Option<FontSet<'static>> {
    let fonts = &manuscript.config.fonts;
    if fonts.serif.is_none() && fonts.mono.is_none() && fonts.fallback.is_empty() {
        return None;
    }
    let errors = diags.count(crate::diag::Severity::Error);
    let mut load =
        |value: &toml::Spanned<String>, key: &str| load_faces(manuscript, value, key, diags);
    let serif = fonts.serif.as_ref().map(|v| load(v, "[fonts] serif"));
    let mono = fonts.mono.as_ref().map(|v| load(v, "[fonts] mono"));
    let fallback: Vec<Vec<(Style, FontFace<'static>)>> = fonts
        .fallback
        .iter()
        .map(|v| load(v, "[fonts] fallback"))
        .collect();
    if diags.count(crate::diag::Severity::Error) > errors {
        return None;
    }
    let serif = match (serif, fonts.serif.as_ref()) {
        (Some(faces), Some(value)) => {
            if !faces.iter().any(|(style, _)| *style == Style::Regular) {
                diags.push(
                    Diagnostic::error(
                        code::FONT,
                        "the serif fonts have no regular (upright, normal weight) face",
                    )
                    .at(Span::new(manuscript.config_file, value.span()))
                    .with_hint("point `serif` at a folder that holds the family's regular face"),
                );
                return None;
            }
            faces
        }
        _ => builtin_faces(Family::Serif),
    };
    Some(assemble(serif, mono, fallback))
}

/// The bundled faces of `family`, by style.
fn builtin_faces(family: Family) -> Vec<(Style, FontFace<'static>)> {
    BUNDLED
        .iter()
        .filter_map(|bundled| match bundled.role {
            FaceRole::Family(f, style) if f == family => Some((style, bundled.file)),
            _ => None,
        })
        .filter_map(|(style, f)| Some((style, FontFace::parse(f.data, 0, f.file_name).ok()?)))
        .collect()
}

/// A set from the serif faces (which hold a regular one), the mono faces (bundled when not
/// configured) and the configured fallbacks, followed by the bundled script fallbacks.
fn assemble(
    serif: Vec<(Style, FontFace<'static>)>,
    mono: Option<Vec<(Style, FontFace<'static>)>>,
    fallback: Vec<Vec<(Style, FontFace<'static>)>>,
) -> FontSet<'static> {
    let mut serif = serif;
    let regular = serif
        .iter()
        .position(|(style, _)| *style == Style::Regular)
        .unwrap_or(0);
    let (_, first) = serif.remove(regular);
    let mut set = FontSet::new(first);
    for (style, face) in serif {
        if !set.has_exact(FaceChoice::new(Family::Serif, style)) {
            set.set_face(Family::Serif, style, face);
        }
    }
    for (style, face) in mono.unwrap_or_else(|| builtin_faces(Family::Mono)) {
        if !set.has_exact(FaceChoice::new(Family::Mono, style)) {
            set.set_face(Family::Mono, style, face);
        }
    }
    for (style, face) in fallback.into_iter().flatten() {
        set.add_fallback(style, face);
    }
    for bundled in &BUNDLED {
        let FaceRole::Fallback(style) = bundled.role else {
            continue;
        };
        if let Ok(face) = FontFace::parse(bundled.file.data, 0, bundled.file.file_name) {
            set.add_fallback(style, face);
        }
    }
    let math = BUNDLED.iter().find(|b| b.role == FaceRole::Math);
    if let Some(face) = math.and_then(|b| FontFace::parse(b.file.data, 0, b.file.file_name).ok()) {
        set.set_math(face);
    }
    set
}

/// The faces in the file or folder `value` (book.toml's `key`) names, with their styles.
/// Every font file is opened through the book root: a link in the folder that leads out of
/// the book, a FIFO or an unreadable file is an error naming the key and the file.
fn load_faces(
    manuscript: &Manuscript,
    value: &toml::Spanned<String>,
    key: &str,
    diags: &mut Diagnostics,
) -> Vec<(Style, FontFace<'static>)> {
    let root = &manuscript.root;
    let config_file = manuscript.config_file;
    let span = Span::new(config_file, value.span());
    let Some(path) = resolve_configured(root, value, config_file, key, diags) else {
        return Vec::new();
    };
    let files = match font_files(manuscript, &path, value.get_ref()) {
        Ok(files) => files,
        Err((problem, shown)) => {
            report_configured(&problem, &shown, value, config_file, key, diags);
            return Vec::new();
        }
    };
    if files.is_empty() {
        diags.push(
            Diagnostic::error(
                code::FONT,
                format!(
                    "book.toml `{key}`: no .ttf or .otf font in `{}`",
                    value.get_ref()
                ),
            )
            .at(span)
            .with_hint("name a font file, or a folder holding the family's .ttf/.otf files"),
        );
        return Vec::new();
    }
    let mut faces = Vec::new();
    for (shown, file) in files {
        let file = match file {
            Ok(file) => file,
            Err(problem) => {
                report_configured(&problem, &shown, value, config_file, key, diags);
                continue;
            }
        };
        match read_face(root, &file, &shown) {
            Ok(face) => faces.push(face),
            Err(FaceProblem::File(problem)) => {
                report_configured(&problem, &shown, value, config_file, key, diags)
            }
            Err(FaceProblem::Font(reason)) => diags.push(
                Diagnostic::error(
                    code::FONT,
                    format!("book.toml `{key}`: cannot use the font `{shown}`: {reason}"),
                )
                .at(span.clone())
                .with_hint("use an OpenType (.otf) or TrueType (.ttf) font file"),
            ),
        }
    }
    faces
}

/// A font file found for a `[fonts]` value: its name as shown (relative to the book) and its
/// confined path, or why it cannot be read.
type FoundFont = (String, Result<PathBuf, PathProblem>);

/// `path` itself, or the .ttf/.otf entries of the folder `path` (written as `written`),
/// sorted by name. An entry that cannot be read is kept with its problem.
fn font_files(
    manuscript: &Manuscript,
    path: &Path,
    written: &str,
) -> Result<Vec<FoundFont>, (PathProblem, String)> {
    let root = &manuscript.root;
    if !path.is_dir() {
        let shown = root.display(path);
        return Ok(if is_font_name(&shown) {
            vec![(shown, Ok(path.to_path_buf()))]
        } else {
            Vec::new()
        });
    }
    let listed = root
        .list(path)
        .map_err(|problem| (problem, written.to_string()))?;
    let folder = root.display(path);
    Ok(listed
        .into_iter()
        .filter(|entry| is_font_name(&entry.name))
        .map(|entry| (format!("{folder}/{}", entry.name), entry.path))
        .collect())
}

fn is_font_name(name: &str) -> bool {
    Path::new(name)
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("ttf") || e.eq_ignore_ascii_case("otf"))
}

/// Why a font file could not be used.
enum FaceProblem {
    /// The file cannot be opened (outside the book, not a regular file, too large…).
    File(PathProblem),
    /// The file is not a usable font: the reason.
    Font(String),
}

/// Read and parse one font file. Its bytes live as long as the process: a [`FontSet`]
/// borrows font data for the whole build, and a build reads each font once.
fn read_face(
    root: &BookRoot,
    path: &Path,
    label: &str,
) -> Result<(Style, FontFace<'static>), FaceProblem> {
    let bytes = root.read(path, MAX_FONT_BYTES).map_err(FaceProblem::File)?;
    let data: &'static [u8] = Box::leak(bytes.into_boxed_slice());
    let font = |e: &dyn std::fmt::Display| FaceProblem::Font(e.to_string());
    let ttf = ttf_parser::Face::parse(data, 0).map_err(|e| font(&e))?;
    let style = match (ttf.is_bold(), ttf.is_italic() || ttf.is_oblique()) {
        (false, false) => Style::Regular,
        (false, true) => Style::Italic,
        (true, false) => Style::Bold,
        (true, true) => Style::BoldItalic,
    };
    let name = label.rsplit('/').next().unwrap_or(label);
    let face = FontFace::parse(data, 0, name).map_err(|e| font(&e))?;
    probe_subset(&face).map_err(|reason| FaceProblem::Font(reason.to_string()))?;
    Ok((style, face))
}
