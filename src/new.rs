//! `octavo new NAME`: a small book a newcomer can build at once and learn from.
//!
//! The scaffold shows every everyday feature (front matter, chapters, a footnote, a citation,
//! a references file, a cover) and builds to a valid EPUB with no further step.

use std::path::{Path, PathBuf};

use crate::cover::render_cover_png;

/// Settings for a new book.
#[derive(Debug, Clone)]
pub struct NewOptions {
    /// Folder to create.
    pub dir: PathBuf,
    /// Title; default made from the folder name.
    pub title: Option<String>,
    /// Author; default a placeholder to replace.
    pub author: Option<String>,
}

/// Why the scaffold could not be created.
#[derive(Debug, thiserror::Error)]
pub enum NewError {
    /// The folder exists and is not empty.
    #[error("{0} already exists and is not empty; choose a new name")]
    Exists(PathBuf),
    /// A file could not be written.
    #[error("cannot write {path}: {source}")]
    Write {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The cover could not be drawn.
    #[error(transparent)]
    Cover(#[from] crate::cover::CoverError),
}

/// Create the book folder and its files; returns the files written.
pub fn create_book(options: &NewOptions) -> Result<Vec<PathBuf>, NewError> {
    let dir = &options.dir;
    if dir.exists()
        && std::fs::read_dir(dir)
            .map(|mut d| d.next().is_some())
            .unwrap_or(true)
    {
        return Err(NewError::Exists(dir.clone()));
    }
    let title = options.title.clone().unwrap_or_else(|| title_from_dir(dir));
    let author = options
        .author
        .clone()
        .unwrap_or_else(|| "Your Name".to_string());
    let files: Vec<(&str, Vec<u8>)> = vec![
        ("book.toml", book_toml(&title, &author).into_bytes()),
        ("chapters/01-beginning.md", CHAPTER_ONE.as_bytes().to_vec()),
        ("chapters/02-writing.md", CHAPTER_TWO.as_bytes().to_vec()),
        ("references.bib", REFERENCES.as_bytes().to_vec()),
        ("images/cover.png", render_cover_png(&title, &author)?),
        (".gitignore", b"/out\n".to_vec()),
    ];
    let mut written = Vec::new();
    for (name, data) in files {
        let path = dir.join(name);
        write_file(&path, &data)?;
        written.push(path);
    }
    Ok(written)
}

fn write_file(path: &Path, data: &[u8]) -> Result<(), NewError> {
    let result = path
        .parent()
        .map_or(Ok(()), std::fs::create_dir_all)
        .and_then(|_| std::fs::write(path, data));
    result.map_err(|source| NewError::Write {
        path: path.to_path_buf(),
        source,
    })
}

/// "my-first_book" → "My First Book".
fn title_from_dir(dir: &Path) -> String {
    let name = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "My Book".to_string());
    let words: Vec<String> = name
        .split(['-', '_', ' '])
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut chars = w.chars();
            chars
                .next()
                .map(|c| c.to_uppercase().chain(chars).collect())
                .unwrap_or_default()
        })
        .collect();
    if words.is_empty() {
        "My Book".to_string()
    } else {
        words.join(" ")
    }
}

fn toml_string(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn book_toml(title: &str, author: &str) -> String {
    format!(
        r#"# Your book's settings. Every key is explained in octavo's README.
title = {title}
# subtitle = "An optional subtitle"
language = "en"
date = "2026-01-01"
rights = "Copyright © 2026 {author_plain}. All rights reserved."
description = "A short description of the book for catalogues and stores."
cover = "images/cover.png"
bibliography = "references.bib"
csl = "chicago-author-date"

[[authors]]
name = {author}
role = "author"
"#,
        title = toml_string(title),
        author = toml_string(author),
        author_plain = author.replace(['"', '\\'], ""),
    )
}

const CHAPTER_ONE: &str = r#"# The Beginning

This is the first chapter. Write in plain Markdown: *italics*, **bold**, and
"straight quotes" that octavo turns into typographic ones.

Every chapter is one file in `chapters/`. Files are read in natural order, so
`10-end.md` comes after `02-writing.md`.

## A section

Sections appear nested in the table of contents. A footnote looks like
this.[^first]

[^first]: Footnotes are numbered per chapter and become pop-up notes in e-readers.
"#;

const CHAPTER_TWO: &str = r#"# Writing

Citations use pandoc's syntax and the keys in `references.bib`: the
classic account of line breaking is in [@knuth1981, 1119], and
@knuth1984 describes the whole system.

> A block quotation is written with a `>` at the start of the line.

* * *

A line of three asterisks makes a scene break. Link to another chapter
by its file name: [back to the beginning](01-beginning.md#a-section).
"#;

const REFERENCES: &str = r#"@article{knuth1981,
  author = {Knuth, Donald E. and Plass, Michael F.},
  title = {Breaking Paragraphs into Lines},
  journal = {Software: Practice and Experience},
  volume = {11},
  number = {11},
  pages = {1119--1184},
  year = {1981},
  doi = {10.1002/spe.4380111102}
}

@book{knuth1984,
  author = {Knuth, Donald E.},
  title = {The {\TeX}book},
  publisher = {Addison-Wesley},
  location = {Reading, MA},
  year = {1984}
}
"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_from_folder_names() {
        assert_eq!(title_from_dir(Path::new("my-first_book")), "My First Book");
        assert_eq!(title_from_dir(Path::new("x/demo")), "Demo");
    }

    #[test]
    fn toml_strings_are_escaped() {
        assert_eq!(toml_string("a \"b\" \\"), "\"a \\\"b\\\" \\\\\"");
    }
}
