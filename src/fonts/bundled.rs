//! The fonts octavo ships (from `fonts/`, with their licences there), compiled into the binary
//! so every book gets real typography with no set-up: Linux Libertine for text (real italic,
//! bold and bold italic), DejaVu Sans Mono for code, Noto Serif Khmer as fallback for Khmer.
//!
//! [`BUNDLED`] lists them once, with the role each plays; the PDF's font set, the faces
//! book.toml's `[fonts]` does not replace, and the EPUB's embedded fonts are all read from it.

use super::set::{FaceRole, Family, Style};

/// One font file and the name it is embedded under.
#[derive(Debug, Clone, Copy)]
pub(crate) struct FontFile {
    /// File name, used in packages and messages.
    pub file_name: &'static str,
    /// The font's bytes.
    pub data: &'static [u8],
}

macro_rules! font {
    ($dir:literal, $file:literal) => {
        FontFile {
            file_name: $file,
            data: include_bytes!(concat!("../../fonts/", $dir, "/", $file)),
        }
    };
}

/// Serif text, regular.
pub(crate) const SERIF_REGULAR: FontFile = font!("linux-libertine", "LinLibertine_R.otf");
/// Serif text, italic.
pub(crate) const SERIF_ITALIC: FontFile = font!("linux-libertine", "LinLibertine_RI.otf");
/// Serif text, bold.
pub(crate) const SERIF_BOLD: FontFile = font!("linux-libertine", "LinLibertine_RB.otf");
/// Serif text, bold italic.
pub(crate) const SERIF_BOLD_ITALIC: FontFile = font!("linux-libertine", "LinLibertine_RBI.otf");
/// Monospace, regular.
pub(crate) const MONO_REGULAR: FontFile = font!("dejavu-sans-mono", "DejaVuSansMono.ttf");
/// Monospace, bold.
pub(crate) const MONO_BOLD: FontFile = font!("dejavu-sans-mono", "DejaVuSansMono-Bold.ttf");
/// Monospace, oblique.
pub(crate) const MONO_OBLIQUE: FontFile = font!("dejavu-sans-mono", "DejaVuSansMono-Oblique.ttf");
/// Monospace, bold oblique.
pub(crate) const MONO_BOLD_OBLIQUE: FontFile =
    font!("dejavu-sans-mono", "DejaVuSansMono-BoldOblique.ttf");
/// Khmer fallback, regular.
pub(crate) const KHMER_REGULAR: FontFile = font!("noto-serif-khmer", "NotoSerifKhmer-Regular.ttf");
/// Khmer fallback, bold.
pub(crate) const KHMER_BOLD: FontFile = font!("noto-serif-khmer", "NotoSerifKhmer-Bold.ttf");

/// A font octavo ships and the role it plays in a book.
#[derive(Debug, Clone, Copy)]
pub(crate) struct BundledFace {
    /// The file.
    pub file: FontFile,
    /// A family in a style, or a fallback serving a style.
    pub role: FaceRole,
    /// Whether the EPUB embeds it when asked to (`[epub] embed-fonts`): every face but the
    /// monospace obliques.
    pub in_epub: bool,
}

/// Every bundled face, in the order the font set takes them (so the serif regular, the last
/// resort for every choice, comes first; the fallbacks are consulted in this order).
pub(crate) const BUNDLED: [BundledFace; 10] = [
    face(
        SERIF_REGULAR,
        FaceRole::Family(Family::Serif, Style::Regular),
        true,
    ),
    face(
        SERIF_ITALIC,
        FaceRole::Family(Family::Serif, Style::Italic),
        true,
    ),
    face(
        SERIF_BOLD,
        FaceRole::Family(Family::Serif, Style::Bold),
        true,
    ),
    face(
        SERIF_BOLD_ITALIC,
        FaceRole::Family(Family::Serif, Style::BoldItalic),
        true,
    ),
    face(
        MONO_REGULAR,
        FaceRole::Family(Family::Mono, Style::Regular),
        true,
    ),
    face(
        MONO_OBLIQUE,
        FaceRole::Family(Family::Mono, Style::Italic),
        false,
    ),
    face(MONO_BOLD, FaceRole::Family(Family::Mono, Style::Bold), true),
    face(
        MONO_BOLD_OBLIQUE,
        FaceRole::Family(Family::Mono, Style::BoldItalic),
        false,
    ),
    face(KHMER_REGULAR, FaceRole::Fallback(Style::Regular), true),
    face(KHMER_BOLD, FaceRole::Fallback(Style::Bold), true),
];

const fn face(file: FontFile, role: FaceRole, in_epub: bool) -> BundledFace {
    BundledFace {
        file,
        role,
        in_epub,
    }
}
