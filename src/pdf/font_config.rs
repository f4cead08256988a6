//! Fonts named in book.toml's `[fonts]` table, for the PDF (and for the EPUB when it embeds
//! fonts: `[epub] embed-fonts`).
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
//! and the bundled Khmer faces stay last in the fallback chain. Paths are confined to the
//! book folder like every other read.

use std::path::{Path, PathBuf};

use rustybuzz::ttf_parser;

use super::font::{FaceChoice, Family, FontFace, FontSet, Style};
use crate::diag::{code, Diagnostic, Diagnostics, Span};
use crate::manuscript::{resolve_configured, Manuscript};

/// Largest font file read (the biggest CJK faces are about 20 MB).
const MAX_FONT_BYTES: u64 = 64 * 1024 * 1024;

/// The book's font set when `[fonts]` names any font, `None` for the bundled set. Problems are
/// errors at the book.toml value that caused them; the set is then not built.
pub fn configured_fonts(
    manuscript: &Manuscript,
    diags: &mut Diagnostics,
) -> Option<FontSet<'static>> {
    let fonts = &manuscript.config.fonts;
    if fonts.serif.is_none() && fonts.mono.is_none() && fonts.fallback.is_empty() {
        return None;
    }
    let errors = diags.count(crate::diag::Severity::Error);
    let mut load = |value: &toml::Spanned<String>| load_faces(manuscript, value, diags);
    let serif = fonts.serif.as_ref().map(&mut load);
    let mono = fonts.mono.as_ref().map(&mut load);
    let fallback: Vec<Vec<(Style, FontFace<'static>)>> =
        fonts.fallback.iter().map(&mut load).collect();
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
    use crate::fonts;
    let files = match family {
        Family::Serif => [
            (Style::Regular, fonts::SERIF_REGULAR),
            (Style::Italic, fonts::SERIF_ITALIC),
            (Style::Bold, fonts::SERIF_BOLD),
            (Style::BoldItalic, fonts::SERIF_BOLD_ITALIC),
        ],
        Family::Mono => [
            (Style::Regular, fonts::MONO_REGULAR),
            (Style::Italic, fonts::MONO_OBLIQUE),
            (Style::Bold, fonts::MONO_BOLD),
            (Style::BoldItalic, fonts::MONO_BOLD_OBLIQUE),
        ],
    };
    files
        .into_iter()
        .filter_map(|(style, f)| Some((style, FontFace::parse(f.data, 0, f.file_name).ok()?)))
        .collect()
}

/// A set from the serif faces (which hold a regular one), the mono faces (bundled when not
/// configured) and the configured fallbacks, followed by the bundled Khmer fallbacks.
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
    use crate::fonts;
    for (style, file) in [
        (Style::Regular, fonts::KHMER_REGULAR),
        (Style::Bold, fonts::KHMER_BOLD),
    ] {
        if let Ok(face) = FontFace::parse(file.data, 0, file.file_name) {
            set.add_fallback(style, face);
        }
    }
    set
}

/// The faces in the file or folder `value` names, with their styles.
fn load_faces(
    manuscript: &Manuscript,
    value: &toml::Spanned<String>,
    diags: &mut Diagnostics,
) -> Vec<(Style, FontFace<'static>)> {
    let span = Span::new(manuscript.config_file, value.span());
    let Some(path) = resolve_configured(
        &manuscript.root,
        value,
        manuscript.config_file,
        "font",
        diags,
    ) else {
        return Vec::new();
    };
    let files = font_files(&path);
    if files.is_empty() {
        diags.push(
            Diagnostic::error(
                code::FONT,
                format!("no .ttf or .otf font in `{}`", value.get_ref()),
            )
            .at(span)
            .with_hint("name a font file, or a folder holding the family's .ttf/.otf files"),
        );
        return Vec::new();
    }
    let mut faces = Vec::new();
    for file in files {
        let label = file
            .file_name()
            .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
        match read_face(&file, &label) {
            Ok(face) => faces.push(face),
            Err(reason) => diags.push(
                Diagnostic::error(code::FONT, format!("cannot use the font {label}: {reason}"))
                    .at(span.clone())
                    .with_hint("use an OpenType (.otf) or TrueType (.ttf) font file"),
            ),
        }
    }
    faces
}

/// `path` itself, or the .ttf/.otf files in the folder `path`, sorted by name.
fn font_files(path: &Path) -> Vec<PathBuf> {
    let is_font = |p: &Path| {
        p.extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| e.eq_ignore_ascii_case("ttf") || e.eq_ignore_ascii_case("otf"))
    };
    if path.is_file() {
        return if is_font(path) {
            vec![path.to_path_buf()]
        } else {
            Vec::new()
        };
    }
    let mut files: Vec<PathBuf> = std::fs::read_dir(path)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.is_file() && is_font(p))
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    files
}

/// Read and parse one font file. Its bytes live as long as the process: a [`FontSet`]
/// borrows font data for the whole build, and a build reads each font once.
fn read_face(path: &Path, label: &str) -> Result<(Style, FontFace<'static>), String> {
    let size = std::fs::metadata(path).map_err(|e| e.to_string())?.len();
    if size > MAX_FONT_BYTES {
        return Err(format!(
            "it is {} MB, more than a font can be",
            size / (1024 * 1024)
        ));
    }
    let bytes = std::fs::read(path).map_err(|e| e.to_string())?;
    let data: &'static [u8] = Box::leak(bytes.into_boxed_slice());
    let ttf = ttf_parser::Face::parse(data, 0).map_err(|e| e.to_string())?;
    let style = match (ttf.is_bold(), ttf.is_italic() || ttf.is_oblique()) {
        (false, false) => Style::Regular,
        (false, true) => Style::Italic,
        (true, false) => Style::Bold,
        (true, true) => Style::BoldItalic,
    };
    let face = FontFace::parse(data, 0, label).map_err(|e| e.to_string())?;
    Ok((style, face))
}
