//! Fonts embedded in the EPUB on request (`[epub] embed-fonts`): octavo's bundled faces under
//! their own file names, or, when book.toml's `[fonts]` names any, the faces of the book's
//! font set, so that the EPUB reads in the faces the PDF is set in.

use super::Package;
use crate::fonts::bundled::{self, BundledFace, BUNDLED};
use crate::fonts::{FaceRole, Family, FontSet, Style};

/// The CSS families the bundled faces are embedded under, in the order they are embedded.
const BUNDLED_FAMILIES: [&str; 3] = ["octavo serif", "octavo khmer", "octavo mono"];

/// Embeds the bundled faces the EPUB takes ([`BundledFace::in_epub`]), family by family, with
/// their `@font-face` rules and the families that use them.
pub(super) fn embed_bundled_fonts(package: &mut Package, css: &mut String) {
    let faces = bundled_in_epub();
    css.push_str("\n/* Embedded fonts (book.toml [epub] embed-fonts) */\n");
    for (face, family) in &faces {
        let (style, weight) = css_style(face.role.style());
        let src = format!("fonts/{}", face.file.file_name);
        css.push_str(&font_face_rule(family, style, weight, &src));
    }
    css.push_str("body {\n  font-family: \"octavo serif\", \"octavo khmer\", serif;\n}\n");
    css.push_str("code, pre {\n  font-family: \"octavo mono\", monospace;\n}\n");
    css.push_str("[lang|=\"km\"] {\n  font-family: \"octavo khmer\", serif;\n}\n");
    for (index, (face, _)) in faces.iter().enumerate() {
        let file = face.file;
        let media_type = if file.file_name.ends_with(".otf") {
            "font/otf"
        } else {
            "font/ttf"
        };
        package.add(
            &format!("font-{}", index + 1),
            &format!("fonts/{}", file.file_name),
            media_type,
            file.data.to_vec(),
        );
    }
}

/// The bundled faces the EPUB embeds, with their CSS families, in [`BUNDLED_FAMILIES`] order.
fn bundled_in_epub() -> Vec<(&'static BundledFace, &'static str)> {
    BUNDLED_FAMILIES
        .iter()
        .flat_map(|&family| {
            BUNDLED
                .iter()
                .filter(move |face| face.in_epub && bundled_family(face.role) == family)
                .map(move |face| (face, family))
        })
        .collect()
}

/// The CSS family a bundled face is embedded under (the bundled fallbacks the EPUB takes are
/// the Khmer ones).
fn bundled_family(role: FaceRole) -> &'static str {
    match role {
        FaceRole::Family(Family::Serif, _) => "octavo serif",
        FaceRole::Family(Family::Mono, _) => "octavo mono",
        FaceRole::Fallback(_) => "octavo khmer",
        FaceRole::Math => "octavo math",
    }
}

/// Embeds the faces of the book's font set, with `@font-face` rules under the families
/// "octavo serif" and "octavo mono" and, for fallbacks, "octavo fallback" plus the font's
/// own family name (its regular and bold faces share one family, as the bundled Khmer
/// faces do). A face inside a font collection (`.ttc`) is left out: reading systems load
/// single fonts only, and the reader's own fonts then stand in for it; so are the bundled
/// fallbacks the EPUB never embeds (Arabic, Hebrew).
pub(super) fn embed_book_fonts(fonts: &FontSet<'static>, package: &mut Package, css: &mut String) {
    css.push_str("\n/* Embedded fonts (book.toml [epub] embed-fonts, [fonts]) */\n");
    let mut fallback_families: Vec<String> = Vec::new();
    for (n, (id, role)) in fonts.face_roles().into_iter().enumerate() {
        let face = fonts.face(id);
        let data = face.data();
        let bundled_script =
            matches!(role, FaceRole::Fallback(_)) && bundled::kept_out_of_epub(data);
        if face.index() != 0 || data.starts_with(b"ttcf") || bundled_script {
            continue;
        }
        let family = match role {
            FaceRole::Family(Family::Serif, _) => "octavo serif".to_string(),
            FaceRole::Family(Family::Mono, _) => "octavo mono".to_string(),
            FaceRole::Fallback(_) => {
                let name = face
                    .family_name()
                    .unwrap_or_else(|| format!("face {}", n + 1));
                let family = format!("octavo fallback {}", css_safe(&name));
                if !fallback_families.contains(&family) {
                    fallback_families.push(family.clone());
                }
                family
            }
            // face_roles never names the math face: the EPUB's MathML is the reader's to set.
            FaceRole::Math => continue,
        };
        let (extension, media_type) = if data.starts_with(b"OTTO") {
            ("otf", "font/otf")
        } else {
            ("ttf", "font/ttf")
        };
        let file = format!("fonts/font-{}.{extension}", n + 1);
        let (font_style, weight) = css_style(role.style());
        css.push_str(&font_face_rule(&family, font_style, weight, &file));
        package.add(&format!("font-{}", n + 1), &file, media_type, data.to_vec());
    }
    let fallbacks: String = fallback_families
        .iter()
        .map(|family| format!(", \"{family}\""))
        .collect();
    css.push_str(&format!(
        "body {{\n  font-family: \"octavo serif\"{fallbacks}, serif;\n}}\n"
    ));
    css.push_str(&format!(
        "code, pre {{\n  font-family: \"octavo mono\"{fallbacks}, monospace;\n}}\n"
    ));
}

/// CSS `font-style` and `font-weight` of a style.
fn css_style(style: Style) -> (&'static str, &'static str) {
    let italic = matches!(style, Style::Italic | Style::BoldItalic);
    let bold = matches!(style, Style::Bold | Style::BoldItalic);
    (
        if italic { "italic" } else { "normal" },
        if bold { "bold" } else { "normal" },
    )
}

/// One `@font-face` rule for the package file `src` (a path from the package root; the
/// stylesheet sits in `css/`).
fn font_face_rule(family: &str, style: &str, weight: &str, src: &str) -> String {
    format!(
        "@font-face {{\n  font-family: \"{family}\";\n  font-style: {style};\n  font-weight: {weight};\n  src: url(../{src});\n}}\n"
    )
}

/// `name` with only the characters that are safe inside a quoted CSS family name.
fn css_safe(name: &str) -> String {
    name.chars()
        .filter(|c| c.is_alphanumeric() || matches!(c, ' ' | '-' | '_'))
        .collect()
}
