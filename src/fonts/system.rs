//! `[fonts] system = true`: faces from the fonts installed on the machine, for the characters
//! the book's own faces cannot draw (a Chinese name, an emoji, a rare symbol). The system's
//! fonts are found with `fontdb` (through usvg, which already reads fontconfig's folders for
//! SVG text; no new dependency), each face is read once, and a face is taken when it draws a
//! character no face taken before draws.
//!
//! Faces are tried in a fixed order, so that one machine always picks the same: upright
//! regular faces first, proportional before monospaced, serif families (the text face is a
//! serif) before others, then by family name and file. A book built this way depends on the machine's fonts; that is the option's
//! point, and why it is off by default.

use std::collections::BTreeSet;

use rustybuzz::ttf_parser;
use usvg::fontdb::{Database, FaceInfo, Source, Style as FontStyle, Weight};

use super::face::{guard, FontFace};
use super::subset::probe_subset;

/// The most system faces a book takes: enough for several scripts and the emoji, few enough
/// that a book full of unusual characters does not load the system's every font.
const MAX_SYSTEM_FACES: usize = 16;

/// Largest system font file read (the biggest CJK faces are about 20 MB).
const MAX_SYSTEM_FONT_BYTES: u64 = 64 * 1024 * 1024;

/// Faces of the system's fonts that draw `missing` (characters no face of the book's set
/// draws), in the order they should be tried; the characters no system face draws are left
/// out. Empty when `missing` is.
pub(crate) fn faces_for(missing: &[char]) -> Vec<FontFace<'static>> {
    if missing.is_empty() {
        return Vec::new();
    }
    let mut database = Database::new();
    database.load_system_fonts();
    faces_in(&database, missing)
}

/// [`faces_for`] over the faces of `database`.
fn faces_in(database: &Database, missing: &[char]) -> Vec<FontFace<'static>> {
    let mut wanted: BTreeSet<char> = missing.iter().copied().collect();
    let mut candidates: Vec<&FaceInfo> = database.faces().collect();
    candidates.sort_by_key(|info| preference(info));
    let mut taken = Vec::new();
    for info in candidates {
        if wanted.is_empty() || taken.len() == MAX_SYSTEM_FACES {
            break;
        }
        let draws = draws_any(database, info, &wanted);
        let Some(face) = draws.then(|| read_face(info)).flatten() else {
            continue;
        };
        wanted.retain(|&c| !face.has_char(c));
        taken.push(face);
    }
    taken
}

/// Whether the face `info` describes maps any of `wanted` to a glyph, read where fontdb
/// keeps it (mapped, not copied): only the faces taken are read into memory for good.
fn draws_any(database: &Database, info: &FaceInfo, wanted: &BTreeSet<char>) -> bool {
    let covers = |data: &[u8], index: u32| {
        guard(|| {
            ttf_parser::Face::parse(data, index)
                .is_ok_and(|face| wanted.iter().any(|&c| face.glyph_index(c).is_some()))
        })
        .unwrap_or(false)
    };
    database.with_face_data(info.id, covers).unwrap_or(false)
}

/// The order faces are tried in: upright regular weight first, proportional before
/// monospaced, serif families before others, then by family name, file and index (so the
/// choice never depends on the order the system lists its fonts in).
fn preference(info: &FaceInfo) -> (bool, bool, bool, String, String, u32) {
    let regular = info.style == FontStyle::Normal && info.weight == Weight::NORMAL;
    let family = info
        .families
        .first()
        .map(|(name, _)| name.clone())
        .unwrap_or_default();
    let serif = family.contains("Serif") || family.contains("Mincho") || family.contains("Song");
    let file = source_name(&info.source);
    (!regular, info.monospaced, !serif, family, file, info.index)
}

/// The file a face comes from, as text (for ordering and labels).
fn source_name(source: &Source) -> String {
    match source {
        Source::File(path) | Source::SharedFile(path, _) => path.display().to_string(),
        Source::Binary(_) => String::new(),
    }
}

/// The face `info` describes, its file read whole (and kept for the process: the PDF
/// embeds a subset of it), when the PDF writer can embed it. Called only for a face taken.
fn read_face(info: &FaceInfo) -> Option<FontFace<'static>> {
    let path = match &info.source {
        Source::File(path) | Source::SharedFile(path, _) => path,
        Source::Binary(_) => return None,
    };
    let size = std::fs::metadata(path).ok()?.len();
    if size > MAX_SYSTEM_FONT_BYTES {
        return None;
    }
    let bytes = std::fs::read(path).ok()?;
    let data: &'static [u8] = Box::leak(bytes.into_boxed_slice());
    let label = path.file_name()?.to_string_lossy().into_owned();
    let face = guard(|| FontFace::parse(data, info.index, &label).ok())??;
    probe_subset(&face).ok()?;
    Some(face)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fonts::bundled::BUNDLED;

    /// A database of the bundled fonts, read from their files under `fonts/` as the system's
    /// would be.
    fn bundled_database() -> Database {
        let mut database = Database::new();
        database.load_fonts_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/fonts"));
        assert!(database.len() >= BUNDLED.len(), "the bundled fonts load");
        database
    }

    #[test]
    fn each_missing_character_gets_the_first_face_that_draws_it() {
        let taken = faces_in(&bundled_database(), &['ខ', 'ש', 'A']);
        let files: Vec<&str> = taken.iter().map(|f| f.label()).collect();
        // Regular serif families first, by name, then the other proportional faces by name:
        // DejaVu Sans draws the Latin letter before Linux Libertine O (no "Serif" in its
        // name) and DejaVu Sans Mono (monospaced) are reached.
        assert_eq!(
            files,
            [
                "NotoSerifHebrew-Regular.ttf",
                "NotoSerifKhmer-Regular.ttf",
                "DejaVuSans.ttf",
            ]
        );
    }

    #[test]
    fn a_character_no_face_draws_takes_no_face() {
        assert!(faces_in(&bundled_database(), &['\u{10FFFD}']).is_empty());
        assert!(faces_for(&[]).is_empty());
    }
}
