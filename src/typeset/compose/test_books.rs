//! Small books typeset whole, for the tests of the structure the composer records.

use crate::diag::Diagnostics;
use crate::doc::Book;
use crate::fonts::FontSet;
use crate::typeset::profile::Profile;
use crate::typeset::structure::{NodeId, Role, Structure};

/// A book of the chapter files `chapters` (name, Markdown) with `toml` as its book.toml,
/// loaded, parsed and resolved.
pub(super) fn book_of_files(toml: &str, chapters: &[(&str, &str)]) -> Book {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("book.toml"), toml).unwrap();
    std::fs::create_dir(dir.path().join("chapters")).unwrap();
    for (name, markdown) in chapters {
        std::fs::write(dir.path().join("chapters").join(name), markdown).unwrap();
    }
    let mut diags = Diagnostics::default();
    let mut manuscript = crate::manuscript::load(dir.path(), &mut diags).unwrap();
    let parsed = manuscript
        .chapters
        .iter()
        .map(|&file| {
            let text = &manuscript.sources.get(file).text;
            crate::markdown::parse_chapter(file, text, &mut diags)
        })
        .collect();
    let options = crate::resolve::ResolveOptions::default();
    crate::resolve::resolve_book(&mut manuscript, parsed, &options, &mut diags)
}

/// `book` typeset in the print profile.
pub(super) fn composition_of(book: &Book) -> super::Composition {
    let profile = Profile::builtin("print");
    let fonts = FontSet::builtin().unwrap();
    crate::typeset::typeset(book, &profile, &fonts, None).composition
}

/// The structure of `book` typeset in the print profile.
pub(super) fn structure_of(book: &Book) -> Structure {
    composition_of(book).structure
}

/// The ids of `parent`'s children in `structure`, in the order they were added.
pub(super) fn children(structure: &Structure, parent: NodeId) -> Vec<NodeId> {
    (0..structure.nodes.len())
        .filter(|&n| structure.nodes[n].parent == Some(parent))
        .map(|n| NodeId::try_from(n).unwrap())
        .collect()
}

/// The roles of `parent`'s children in `structure`, in order.
pub(super) fn child_roles(structure: &Structure, parent: NodeId) -> Vec<Role> {
    children(structure, parent)
        .into_iter()
        .map(|n| structure.nodes[n as usize].role)
        .collect()
}

/// The ids of the nodes with `role`, in order.
pub(super) fn all(structure: &Structure, role: Role) -> Vec<NodeId> {
    (0..structure.nodes.len())
        .filter(|&n| structure.nodes[n].role == role)
        .map(|n| NodeId::try_from(n).unwrap())
        .collect()
}
