//! The book's faces as the font database usvg lays out SVG text with, and the options every
//! SVG is parsed with: text in a figure is set in the book's serif (or its monospace, for
//! `font-family="monospace"`), never in a font of the machine that builds the book, and an
//! SVG never reads a file.
//!
//! `resolve` parses each SVG with no faces at all (to measure it and to refuse one usvg
//! cannot draw, at its reference); the PDF writer parses it again with the book's faces.

use std::sync::Arc;

use usvg::fontdb::{Database, Source};

use super::{Family, FontSet, Style};

/// A font database holding every face of `fonts` (their bytes shared, not copied), with the
/// CSS generic families mapped onto the book's: `monospace` to its code face, every other
/// generic family (and a name no face has, which usvg falls back to `serif` for) to its
/// text face.
pub(crate) fn svg_font_database(fonts: &FontSet<'static>) -> Arc<Database> {
    let mut database = Database::new();
    for (_, face) in fonts.faces() {
        let bytes: &'static [u8] = face.data();
        database.load_font_source(Source::Binary(Arc::new(bytes)));
    }
    let family_of = |family: Family| {
        let id = fonts.primary(super::FaceChoice::new(family, Style::Regular));
        fonts.face(id).family_name()
    };
    if let Some(serif) = family_of(Family::Serif) {
        database.set_serif_family(serif.clone());
        database.set_sans_serif_family(serif.clone());
        database.set_cursive_family(serif.clone());
        database.set_fantasy_family(serif);
    }
    if let Some(mono) = family_of(Family::Mono) {
        database.set_monospace_family(mono);
    }
    Arc::new(database)
}

/// The options an SVG is parsed with: the faces of `database` (empty to measure without
/// text), the book's serif when the SVG names no family, and no file ever read for an
/// `<image>` (the SVG check lets only embedded PNG and JPEG data through; this makes sure).
pub(crate) fn svg_options(database: Arc<Database>) -> usvg::Options<'static> {
    let font_family = database
        .family_name(&usvg::fontdb::Family::Serif)
        .to_string();
    let image_href_resolver = usvg::ImageHrefResolver {
        resolve_data: usvg::ImageHrefResolver::default_data_resolver(),
        resolve_string: Box::new(|_: &str, _: &usvg::Options<'_>| None),
    };
    usvg::Options {
        resources_dir: None,
        font_family,
        image_href_resolver,
        fontdb: database,
        ..usvg::Options::default()
    }
}

/// Parses an SVG (already through `resolve::images::svg`'s check) with `options`.
pub(crate) fn parse_svg(text: &str, options: &usvg::Options<'_>) -> Result<usvg::Tree, String> {
    usvg::Tree::from_str(text, options).map_err(|error| error.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT_SVG: &str = r#"<svg xmlns="http://www.w3.org/2000/svg" width="120" height="40">
        <text x="4" y="20" font-family="Helvetica">Label</text>
        <text x="4" y="36" font-family="monospace">code</text></svg>"#;

    #[test]
    fn svg_text_is_set_in_the_book_faces() {
        let fonts = FontSet::builtin().unwrap();
        let options = svg_options(svg_font_database(&fonts));
        let tree = parse_svg(TEXT_SVG, &options).unwrap();
        let mut families = Vec::new();
        collect_font_families(tree.root(), tree.fontdb(), &mut families);
        assert_eq!(families.len(), 2, "{families:?}");
        assert!(families[0].contains("Libertine"), "{families:?}");
        assert!(families[1].contains("DejaVu Sans Mono"), "{families:?}");
    }

    #[test]
    fn an_svg_never_reads_a_file() {
        let dir = tempfile::tempdir().unwrap();
        let png = dir.path().join("secret.png");
        std::fs::write(&png, b"\x89PNG\r\n\x1a\n").unwrap();
        let svg = format!(
            r#"<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="10" height="10"><image width="10" height="10" xlink:href="{}"/></svg>"#,
            png.display()
        );
        let options = svg_options(Arc::new(Database::new()));
        let tree = parse_svg(&svg, &options).unwrap();
        assert!(!tree.root().has_children());
    }

    /// The families of the faces the text of `group` was laid out with, in order.
    fn collect_font_families(group: &usvg::Group, database: &Database, out: &mut Vec<String>) {
        for node in group.children() {
            match node {
                usvg::Node::Group(group) => collect_font_families(group, database, out),
                usvg::Node::Text(text) => {
                    let glyph = text.layouted()[0].positioned_glyphs.first().unwrap();
                    let face = database.face(glyph.font).unwrap();
                    out.push(face.families[0].0.clone());
                }
                _ => {}
            }
        }
    }
}
