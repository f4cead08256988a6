//! A pandoc book read as it is: no book.toml, a `metadata.yaml` (or `metadata.yml`) beside
//! the chapters giving the title, subtitle, author(s), date, lang, rights, description,
//! `bibliography` (a file or a list), `csl`, `cover-image` and `nocite`. The chapters are
//! `chapters/*.md`, or else the `.md` files of the book folder (README.md aside), in natural
//! order.

use super::quarto::{bibliographies, metadata_config, parse_yaml, ListedBook};
use super::structure::{BookStructure, Matter, Placement};
use super::{discover_chapters, natural_cmp, read_text_file, BookRoot, Listed};
use crate::diag::{code, Diagnostic, Diagnostics, FileId, SourceMap, Span};

/// pandoc's metadata keys: in a single-file book's YAML block they are the book's, not a
/// chapter's.
pub(crate) const METADATA_KEYS: [&str; 12] = [
    "author",
    "subtitle",
    "date",
    "lang",
    "rights",
    "description",
    "abstract",
    "bibliography",
    "csl",
    "cover-image",
    "nocite",
    "keywords",
];

/// The one Markdown file of a folder without book.toml, when it opens with a YAML metadata
/// block: a single-file pandoc book.
pub(crate) fn single_file_book(root: &BookRoot) -> Option<std::path::PathBuf> {
    let files = markdown_files(root, &mut Diagnostics::default());
    let [file] = files.as_slice() else {
        return None;
    };
    let bytes = root.read(file, super::MAX_TEXT_BYTES).ok()?;
    bytes.starts_with(b"---").then(|| file.clone())
}

/// Read a single-file pandoc book: its metadata from the YAML block the file (already in
/// `sources` as `file`) opens with, the file its one chapter.
pub(crate) fn load_single_file(
    file: FileId,
    sources: &SourceMap,
    diags: &mut Diagnostics,
) -> Option<ListedBook> {
    let text = sources.get(file).text.clone();
    let block = metadata_block(&text)?;
    let yaml = parse_yaml(file, block, "the metadata block", diags)?;
    let config = metadata_config(&yaml, &yaml, &text, file, diags)?;
    let placement = Placement {
        file,
        depth: 0,
        matter: Matter::Numbered,
        title: String::new(),
        listed_at: Span::new(file, 0..0),
        leaves_part: false,
    };
    Some(ListedBook {
        config,
        chapters: vec![file],
        structure: BookStructure {
            placements: vec![placement],
            ..BookStructure::default()
        },
        bibliographies: bibliographies(&yaml, &text),
    })
}

/// The YAML between a file's opening `---` and the next `---` or `...` line.
fn metadata_block(text: &str) -> Option<&str> {
    let rest = text.strip_prefix("---")?.trim_start_matches([' ', '\t']);
    let rest = rest
        .strip_prefix("\r\n")
        .or_else(|| rest.strip_prefix('\n'))?;
    let mut offset = 0;
    for line in rest.split_inclusive('\n') {
        if matches!(line.trim_end(), "---" | "...") {
            return Some(&rest[..offset]);
        }
        offset += line.len();
    }
    None
}

/// The metadata file of a pandoc book in `root`, if there is one.
pub(crate) fn metadata_file(root: &BookRoot) -> Option<std::path::PathBuf> {
    ["metadata.yaml", "metadata.yml"]
        .iter()
        .map(|name| root.path().join(name))
        .find(|path| path.is_file())
}

/// Read `metadata.yaml` (already in `sources` as `file`) and the chapters beside it.
pub(crate) fn load_pandoc(
    root: &BookRoot,
    file: FileId,
    sources: &mut SourceMap,
    diags: &mut Diagnostics,
) -> Option<ListedBook> {
    let text = sources.get(file).text.clone();
    let yaml = parse_yaml(file, &text, "metadata.yaml", diags)?;
    let config = metadata_config(&yaml, &yaml, &text, file, diags)?;
    let mut paths = discover_chapters(root, diags);
    if paths.is_empty() {
        paths = markdown_files(root, diags);
    }
    let mut structure = BookStructure::default();
    let mut chapters = Vec::new();
    for path in paths {
        let Some(chapter) = read_text_file(root, &path, sources, diags) else {
            continue;
        };
        structure.placements.push(Placement {
            file: chapter,
            depth: 0,
            matter: Matter::Numbered,
            title: String::new(),
            listed_at: Span::new(file, 0..0),
            leaves_part: false,
        });
        chapters.push(chapter);
    }
    if chapters.is_empty() && !diags.has_errors() {
        diags.push(
            Diagnostic::error(code::NO_CHAPTERS, "the book has no chapters")
                .at(Span::new(file, 0..0))
                .with_hint(
                    "put the chapters in chapters/ (01-intro.md, 02-…) or beside metadata.yaml",
                ),
        );
    }
    Some(ListedBook {
        config,
        chapters,
        structure,
        bibliographies: bibliographies(&yaml, &text),
    })
}

/// The `.md` files of the book folder but README.md, in natural order (files whose order
/// only the rest of their names decides are reported).
fn markdown_files(root: &BookRoot, diags: &mut Diagnostics) -> Vec<std::path::PathBuf> {
    let Ok(listed) = root.list(root.path()) else {
        return Vec::new();
    };
    let mut files: Vec<(String, std::path::PathBuf)> = listed
        .into_iter()
        .filter(|l| l.name.ends_with(".md") && !l.name.starts_with('.'))
        .filter(|l| !l.name.eq_ignore_ascii_case("README.md"))
        .filter_map(|Listed { name, path }| Some((name, path.ok()?)))
        .collect();
    files.sort_by(|a, b| natural_cmp(&a.0, &b.0));
    super::warn_equal_ranks(&files, "", diags);
    files.into_iter().map(|(_, path)| path).collect()
}

#[cfg(test)]
mod tests {
    use super::metadata_block;

    #[test]
    fn the_metadata_block() {
        assert_eq!(
            metadata_block("---\ntitle: T\n...\n# One\n"),
            Some("title: T\n")
        );
        assert_eq!(metadata_block("---\ntitle: T\n"), None);
        assert_eq!(metadata_block("# One\n"), None);
    }
}
