//! The fonts octavo ships (from `fonts/`, with their licences there), compiled into the binary
//! so every book gets real typography with no set-up: Linux Libertine for text (real italic,
//! bold and bold italic), DejaVu Sans Mono for code, Noto Serif Khmer, Noto Naskh Arabic and
//! Noto Serif Hebrew as fallbacks for their scripts, then DejaVu Sans for symbols (box
//! drawing, braille, dingbats, technical signs), Noto Emoji for emoji (in outline, one colour)
//! and Droid Sans Fallback, the last, for Chinese, Japanese and Korean; TeX Gyre Pagella Math
//! for formulas (the PDF's; the EPUB's MathML is the reader's to set).
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

/// A bundled face: its role, whether the EPUB embeds it, and its file under `fonts/`.
macro_rules! bundled {
    ($role:expr, $in_epub:expr, $dir:literal, $file:literal) => {
        BundledFace {
            file: FontFile {
                file_name: $file,
                data: include_bytes!(concat!("../../fonts/", $dir, "/", $file)),
            },
            role: $role,
            in_epub: $in_epub,
        }
    };
}

/// A font octavo ships and the role it plays in a book.
#[derive(Debug, Clone, Copy)]
pub(crate) struct BundledFace {
    /// The file.
    pub file: FontFile,
    /// A family in a style, or a fallback serving a style.
    pub role: FaceRole,
    /// Whether the EPUB embeds it when asked to (`[epub] embed-fonts`): every face but the
    /// monospace obliques and the Arabic, Hebrew and symbol fallbacks (every reading system
    /// has fonts for those, and a book in English would carry 1.2 MB for nothing).
    pub in_epub: bool,
}

/// Every bundled face, in the order the font set takes them (so the serif regular, the last
/// resort for every choice, comes first; the fallbacks are consulted in this order).
///
/// A `static`, not a `const`: each use of a `const` holding `include_bytes!` data may carry
/// its own copy of the bytes into the binary (one per codegen unit that uses it), which had
/// the 11 MB of fonts in the release binary about three times over.
#[rustfmt::skip]
pub(crate) static BUNDLED: [BundledFace; 18] = [
    // role                            EPUB   folder in fonts/    file
    bundled!(serif(Style::Regular),    true,  "linux-libertine",  "LinLibertine_R.otf"),
    bundled!(serif(Style::Italic),     true,  "linux-libertine",  "LinLibertine_RI.otf"),
    bundled!(serif(Style::Bold),       true,  "linux-libertine",  "LinLibertine_RB.otf"),
    bundled!(serif(Style::BoldItalic), true,  "linux-libertine",  "LinLibertine_RBI.otf"),
    bundled!(mono(Style::Regular),     true,  "dejavu-sans-mono", "DejaVuSansMono.ttf"),
    bundled!(mono(Style::Italic),      false, "dejavu-sans-mono", "DejaVuSansMono-Oblique.ttf"),
    bundled!(mono(Style::Bold),        true,  "dejavu-sans-mono", "DejaVuSansMono-Bold.ttf"),
    bundled!(mono(Style::BoldItalic),  false, "dejavu-sans-mono", "DejaVuSansMono-BoldOblique.ttf"),
    bundled!(fallback(Style::Regular), true,  "noto-serif-khmer", "NotoSerifKhmer-Regular.ttf"),
    bundled!(fallback(Style::Bold),    true,  "noto-serif-khmer", "NotoSerifKhmer-Bold.ttf"),
    bundled!(fallback(Style::Regular), false, "noto-naskh-arabic", "NotoNaskhArabic-Regular.ttf"),
    bundled!(fallback(Style::Bold),    false, "noto-naskh-arabic", "NotoNaskhArabic-Bold.ttf"),
    bundled!(fallback(Style::Regular), false, "noto-serif-hebrew", "NotoSerifHebrew-Regular.ttf"),
    bundled!(fallback(Style::Bold),    false, "noto-serif-hebrew", "NotoSerifHebrew-Bold.ttf"),
    bundled!(fallback(Style::Regular), false, "dejavu-sans",      "DejaVuSans.ttf"),
    bundled!(fallback(Style::Regular), false, "noto-emoji",       "NotoEmoji-Regular.ttf"),
    bundled!(fallback(Style::Regular), false, "droid-sans-fallback", "DroidSansFallbackFull.ttf"),
    bundled!(FaceRole::Math,           false, "tex-gyre-pagella-math", "texgyrepagella-math.otf"),
];

/// Whether `data` is a bundled face the EPUB does not embed ([`BundledFace::in_epub`]):
/// the book's font set holds the bundled fallbacks after those book.toml names.
pub(crate) fn kept_out_of_epub(data: &[u8]) -> bool {
    BUNDLED
        .iter()
        .any(|face| !face.in_epub && face.file.data.len() == data.len() && face.file.data == data)
}

/// The bundled file that plays `role` (the serif regular for a role none plays).
pub(crate) fn file(role: FaceRole) -> FontFile {
    BUNDLED
        .iter()
        .find(|face| face.role == role)
        .map_or(BUNDLED[0].file, |face| face.file)
}

const fn serif(style: Style) -> FaceRole {
    FaceRole::Family(Family::Serif, style)
}

const fn mono(style: Style) -> FaceRole {
    FaceRole::Family(Family::Mono, style)
}

const fn fallback(style: Style) -> FaceRole {
    FaceRole::Fallback(style)
}
