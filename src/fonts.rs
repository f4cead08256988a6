//! The fonts octavo ships (from `fonts/`, with their licences there), compiled into the binary
//! so every book gets real typography with no set-up: Linux Libertine for text (real italic,
//! bold and bold italic), DejaVu Sans Mono for code, Noto Serif Khmer as fallback for Khmer.

/// One font file and the name it is embedded under.
#[derive(Debug, Clone, Copy)]
pub struct FontFile {
    /// File name, used in packages and messages.
    pub file_name: &'static str,
    /// The font's bytes.
    pub data: &'static [u8],
}

macro_rules! font {
    ($dir:literal, $file:literal) => {
        FontFile {
            file_name: $file,
            data: include_bytes!(concat!("../fonts/", $dir, "/", $file)),
        }
    };
}

/// Serif text, regular.
pub const SERIF_REGULAR: FontFile = font!("linux-libertine", "LinLibertine_R.otf");
/// Serif text, italic.
pub const SERIF_ITALIC: FontFile = font!("linux-libertine", "LinLibertine_RI.otf");
/// Serif text, bold.
pub const SERIF_BOLD: FontFile = font!("linux-libertine", "LinLibertine_RB.otf");
/// Serif text, bold italic.
pub const SERIF_BOLD_ITALIC: FontFile = font!("linux-libertine", "LinLibertine_RBI.otf");
/// Monospace, regular.
pub const MONO_REGULAR: FontFile = font!("dejavu-sans-mono", "DejaVuSansMono.ttf");
/// Monospace, bold.
pub const MONO_BOLD: FontFile = font!("dejavu-sans-mono", "DejaVuSansMono-Bold.ttf");
/// Monospace, oblique.
pub const MONO_OBLIQUE: FontFile = font!("dejavu-sans-mono", "DejaVuSansMono-Oblique.ttf");
/// Monospace, bold oblique.
pub const MONO_BOLD_OBLIQUE: FontFile = font!("dejavu-sans-mono", "DejaVuSansMono-BoldOblique.ttf");
/// Khmer fallback, regular.
pub const KHMER_REGULAR: FontFile = font!("noto-serif-khmer", "NotoSerifKhmer-Regular.ttf");
/// Khmer fallback, bold.
pub const KHMER_BOLD: FontFile = font!("noto-serif-khmer", "NotoSerifKhmer-Bold.ttf");
