//! Link targets: web addresses stay as they are, links to chapter files and anchors become
//! places in the book, and anything that would break in a reader is an error at its span.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::arrange::Member;
use super::ids::Anchors;
use crate::diag::{code, Diagnostic, Diagnostics, Span};
use crate::doc::walk;
use crate::doc::{Block, Chapter, Inline, LinkTarget};
use crate::manuscript::{BookRoot, Manuscript, PathProblem};
use crate::url::{has_url_scheme, percent_decode};

/// Schemes a link may use in the outputs.
const EXTERNAL_SCHEMES: &[&str] = &["http:", "https:", "mailto:", "ftp:", "tel:"];

/// Resolve every link in every chapter (and its notes).
pub(super) fn resolve_links(
    chapters: &mut [Chapter],
    members: &[Member],
    anchors: &Anchors,
    manuscript: &Manuscript,
    diags: &mut Diagnostics,
) {
    let mut chapter_files: Vec<ChapterFile> = chapters
        .iter()
        .enumerate()
        .filter_map(|(index, c)| Some((chapter_path(manuscript, c)?, index, None)))
        .collect();
    chapter_files.extend(members.iter().map(|member| {
        let name = &manuscript.sources.get(member.file).name;
        let anchor = first_heading_of(&chapters[member.chapter], member.file);
        (manuscript.root.path().join(name), member.chapter, anchor)
    }));
    let context = LinkContext {
        anchors,
        manuscript,
        chapter_files,
        by_path: std::cell::OnceCell::new(),
    };
    for (index, chapter) in chapters.iter_mut().enumerate() {
        let mut visit = |inline: &mut Inline| {
            if let Inline::Link(link) = inline {
                // Relative to the file that holds the link (a chapter may merge several).
                let base = file_dir(manuscript, link.span.file);
                if let Some(target) = context.resolve(&link.target, index, &base, &link.span, diags)
                {
                    link.target = target;
                }
            }
        };
        walk::inlines_mut(&mut chapter.blocks, &mut visit);
        for note in &mut chapter.notes {
            walk::inlines_mut(&mut note.blocks, &mut visit);
        }
    }
}

/// A chapter file's path, its chapter, and for a file merged into a chapter the id of its
/// first heading there.
type ChapterFile = (PathBuf, usize, Option<String>);

/// The chapter files by canonical path: each one's chapter and, for a file merged into a
/// chapter, the id of its first heading there.
type ChapterFiles = HashMap<PathBuf, (usize, Option<String>)>;

/// The id of the first heading a file gave a chapter (a file merged into it).
fn first_heading_of(chapter: &Chapter, file: crate::diag::FileId) -> Option<String> {
    chapter.blocks.iter().find_map(|block| match block {
        Block::Heading(h) if h.span.file == file && !h.id.is_empty() => Some(h.id.clone()),
        _ => None,
    })
}

/// The path of a chapter's own file (none for a generated chapter or a part's page).
fn chapter_path(manuscript: &Manuscript, chapter: &Chapter) -> Option<PathBuf> {
    if chapter.generated || chapter.epub_type.as_deref() == Some("part") {
        return None;
    }
    let name = &manuscript.sources.get(chapter.file).name;
    Some(manuscript.root.path().join(name))
}

/// `files` by canonical path; where two name the same file, the first (a chapter's own file
/// before a file merged into a chapter) is the one a link reaches.
fn by_canonical_path(root: &BookRoot, files: &[ChapterFile]) -> ChapterFiles {
    let mut by_path = ChapterFiles::with_capacity(files.len());
    for (path, chapter, anchor) in files {
        if let Ok(path) = root.confine(path) {
            by_path
                .entry(path)
                .or_insert_with(|| (*chapter, anchor.clone()));
        }
    }
    by_path
}

/// The folder of a source file, relative to the book root.
fn file_dir(manuscript: &Manuscript, file: crate::diag::FileId) -> PathBuf {
    let name = &manuscript.sources.get(file).name;
    Path::new(name)
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default()
}

struct LinkContext<'a> {
    anchors: &'a Anchors,
    manuscript: &'a Manuscript,
    /// The book's chapter files, in order.
    chapter_files: Vec<ChapterFile>,
    /// The same by canonical path, made at the first link to a file: one look-up a link,
    /// where a search through the list made links between many chapters quadratic (20,000
    /// chapters each linking the next took 18 s), and no file system call for a book that
    /// links no file.
    by_path: std::cell::OnceCell<ChapterFiles>,
}

impl LinkContext<'_> {
    fn resolve(
        &self,
        target: &LinkTarget,
        here: usize,
        base: &Path,
        span: &Span,
        diags: &mut Diagnostics,
    ) -> Option<LinkTarget> {
        let result = match target {
            LinkTarget::Raw(dest) if dest.trim().is_empty() => {
                diags.push(
                    Diagnostic::warning(code::EMPTY_LINK, "the link has no target")
                        .at(span.clone())
                        .with_hint("write [text](target); the text is printed without a link"),
                );
                return None;
            }
            LinkTarget::Raw(dest) => self.resolve_raw(dest, here, base),
            LinkTarget::Anchor(id) => self.resolve_anchor(id),
            _ => return None,
        };
        match result {
            Ok(target) => Some(target),
            Err((message, hint)) if self.manuscript.origin.is_foreign() => {
                // A book written for the web links its downloads and web pages; the book
                // prints the link's text.
                diags.push(
                    Diagnostic::warning(
                        code::LINK_NOT_IN_BOOK,
                        format!("{message}; the link's text is printed without the link"),
                    )
                    .at(span.clone())
                    .with_hint(hint),
                );
                None
            }
            Err((message, hint)) => {
                diags.push(
                    Diagnostic::error(code::BROKEN_LINK, message)
                        .at(span.clone())
                        .with_hint(hint),
                );
                None
            }
        }
    }

    fn resolve_anchor(&self, id: &str) -> Result<LinkTarget, (String, String)> {
        match self.anchors.chapter_of(id) {
            Some(chapter) => Ok(LinkTarget::Internal {
                chapter,
                anchor: Some(id.to_string()),
            }),
            None => Err((
                format!("nothing in the book has the id `{id}`"),
                "link to a heading id (its text in lower case, words joined by -) or set one with {#id}".to_string(),
            )),
        }
    }

    fn resolve_raw(
        &self,
        dest: &str,
        here: usize,
        base: &Path,
    ) -> Result<LinkTarget, (String, String)> {
        let lower = dest.trim().to_ascii_lowercase();
        if EXTERNAL_SCHEMES.iter().any(|s| lower.starts_with(s)) {
            return Ok(LinkTarget::External(dest.trim().to_string()));
        }
        if has_url_scheme(dest) {
            return Err((
                format!(
                    "links with `{}` are not allowed",
                    dest.split(':').next().unwrap_or("")
                ),
                "use http:, https: or mailto: links, or a path to another chapter".to_string(),
            ));
        }
        let (path, fragment) = match dest.split_once('#') {
            Some((path, fragment)) => (path, Some(percent_decode(fragment))),
            None => (dest, None),
        };
        if path.is_empty() {
            return match fragment {
                Some(id) => self.resolve_anchor(&id),
                None => Err((
                    "the link has no target".to_string(),
                    "write [text](target)".to_string(),
                )),
            };
        }
        let (chapter, file_anchor) = self.chapter_for(path, base)?;
        match fragment {
            Some(id) if self.anchors.chapter_of(&id).is_none() => Err((
                format!("`{path}` has no heading or anchor with the id `{id}`"),
                "check the heading's id (its text in lower case, words joined by -) or set one with {#id}".to_string(),
            )),
            Some(id) => Ok(LinkTarget::Internal {
                chapter: self.anchors.chapter_of(&id).unwrap_or(chapter),
                anchor: Some(id),
            }),
            None if chapter == here && file_anchor.is_none() => {
                Ok(LinkTarget::Internal { chapter, anchor: None })
            }
            None => Ok(LinkTarget::Internal {
                chapter,
                anchor: file_anchor,
            }),
        }
    }

    /// The chapter a path names (and, for a file merged into a chapter, the anchor of its
    /// first heading). mdBook's links to a chapter's web page (`x.html`) name its `x.md`.
    fn chapter_for(
        &self,
        path: &str,
        base: &Path,
    ) -> Result<(usize, Option<String>), (String, String)> {
        let chapters = self
            .by_path
            .get_or_init(|| by_canonical_path(&self.manuscript.root, &self.chapter_files));
        // A link that spells a chapter file's canonical path names that file: no `lstat`.
        let spelled = self.manuscript.root.written_path(base, path);
        if let Some((chapter, anchor)) = spelled.ok().and_then(|p| chapters.get(&p)) {
            return Ok((*chapter, anchor.clone()));
        }
        let markdown = path
            .strip_suffix(".html")
            .map(|stem| format!("{stem}.md"))
            .filter(|_| self.manuscript.origin.is_foreign());
        let resolved = match (self.manuscript.root.resolve(base, path), markdown) {
            (Err(PathProblem::Missing), Some(markdown)) => {
                self.manuscript.root.resolve(base, &markdown)
            }
            (resolved, _) => resolved,
        };
        let resolved = resolved.map_err(|problem| {
            let hint = match problem {
                PathProblem::Missing => {
                    "link to another chapter by its file name, e.g. [see](02-next.md#heading)"
                }
                _ => "links may point only inside the book folder",
            };
            (problem.describe(path), hint.to_string())
        })?;
        chapters
            .get(&resolved)
            .map(|(chapter, anchor)| (*chapter, anchor.clone()))
            .ok_or_else(|| {
                (
                    format!("`{path}` is not a chapter of this book"),
                    "only chapters listed in the book can be linked; attach other files as images or put them on the web".to_string(),
                )
            })
    }
}
