//! Pages octavo generates from the metadata: cover, half title, title page, copyright page,
//! and the lists of figures and tables.

use super::xhtml::{chapter_file, document_start, escape, DOCUMENT_END};
use crate::doc::{Book, Contributor, Role};
use crate::locale::Terms;
use crate::toc::{CaptionEntry, CaptionList};

pub(super) const CSS: &str = "../css/book.css";

/// The cover page: the cover image alone, described for screen readers.
pub(crate) fn cover_page(book: &Book, terms: &Terms) -> Option<String> {
    let asset = book.images.get(book.meta.cover?)?;
    let mut out = document_start(terms.cover, &book.meta.language, &[CSS.into()], "cover");
    out.push_str("<section class=\"cover\" epub:type=\"cover\">\n");
    out.push_str(&format!(
        "<img src=\"../{}\" alt=\"{}\" role=\"doc-cover\"/>\n",
        escape(&asset.package_path),
        escape(&cover_alt(book))
    ));
    out.push_str("</section>\n");
    out.push_str(DOCUMENT_END);
    Some(out)
}

fn cover_alt(book: &Book) -> String {
    let mut alt = format!("Cover: {}", book.meta.title);
    if let Some(subtitle) = &book.meta.subtitle {
        alt.push_str(&format!(": {subtitle}"));
    }
    let names = names(&book.meta.contributors);
    if !names.is_empty() {
        alt.push_str(&format!(", {names}"));
    }
    alt
}

fn names(contributors: &[Contributor]) -> String {
    let names: Vec<&str> = contributors.iter().map(|c| c.name.as_str()).collect();
    match names.as_slice() {
        [] => String::new(),
        [one] => one.to_string(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// The half-title page: the title alone.
pub(crate) fn half_title_page(book: &Book) -> String {
    let meta = &book.meta;
    let mut out = document_start(&meta.title, &meta.language, &[CSS.into()], "frontmatter");
    out.push_str("<section class=\"half-title\" epub:type=\"halftitlepage\">\n");
    out.push_str(&format!(
        "<p class=\"half-title-text\">{}</p>\n",
        escape(&meta.title)
    ));
    out.push_str("</section>\n");
    out.push_str(DOCUMENT_END);
    out
}

/// The title page: title, subtitle, contributors by role, publisher.
pub(crate) fn title_page(book: &Book, terms: &Terms) -> String {
    let meta = &book.meta;
    let mut out = document_start(&meta.title, &meta.language, &[CSS.into()], "frontmatter");
    out.push_str("<section class=\"title-page\" epub:type=\"titlepage\">\n");
    out.push_str(&format!(
        "<h1 class=\"title\">{}</h1>\n",
        escape(&meta.title)
    ));
    if let Some(subtitle) = &meta.subtitle {
        out.push_str(&format!("<p class=\"subtitle\">{}</p>\n", escape(subtitle)));
    }
    for (role, label) in [
        (Role::Author, ""),
        (Role::Editor, terms.edited_by),
        (Role::Translator, terms.translated_by),
        (Role::Illustrator, terms.illustrated_by),
    ] {
        let with_role: Vec<Contributor> = meta
            .contributors
            .iter()
            .filter(|c| c.role == role)
            .cloned()
            .collect();
        if with_role.is_empty() {
            continue;
        }
        let text = if label.is_empty() {
            names(&with_role)
        } else {
            format!("{label} {}", names(&with_role))
        };
        out.push_str(&format!(
            "<p class=\"contributors\">{}</p>\n",
            escape(&text)
        ));
    }
    if let Some(publisher) = &meta.publisher {
        out.push_str(&format!(
            "<p class=\"publisher\">{}</p>\n",
            escape(publisher)
        ));
    }
    out.push_str("</section>\n");
    out.push_str(DOCUMENT_END);
    out
}

/// The copyright page: rights, licence, identifier, publisher and date, series.
pub(crate) fn copyright_page(book: &Book, terms: &Terms) -> String {
    let meta = &book.meta;
    let mut out = document_start(
        terms.copyright,
        &meta.language,
        &[CSS.into()],
        "frontmatter",
    );
    out.push_str("<section class=\"copyright-page\" epub:type=\"copyright-page\">\n");
    let mut lines: Vec<String> = Vec::new();
    let title = match &meta.subtitle {
        Some(subtitle) => format!("<i>{}: {}</i>", escape(&meta.title), escape(subtitle)),
        None => format!("<i>{}</i>", escape(&meta.title)),
    };
    lines.push(title);
    if let Some(series) = &meta.series {
        let mut text = escape(&series.name);
        if let Some(index) = series.index {
            text.push_str(&format!(", {}", format_index(index)));
        }
        lines.push(text);
    }
    if let Some(rights) = &meta.rights {
        lines.push(escape(rights));
    }
    if let Some(license) = &meta.license {
        lines.push(license_line(license));
    }
    let published: Vec<&str> = [meta.publisher.as_deref(), meta.date.as_deref()]
        .into_iter()
        .flatten()
        .collect();
    if !published.is_empty() {
        lines.push(escape(&published.join(", ")));
    }
    lines.extend(meta.identifier_lines().iter().map(|line| escape(line)));
    lines.push("Made with octavo.".to_string());
    for line in lines {
        out.push_str(&format!("<p>{line}</p>\n"));
    }
    out.push_str("</section>\n");
    out.push_str(DOCUMENT_END);
    out
}

fn format_index(index: f64) -> String {
    if index.fract() == 0.0 && index.abs() < 1e9 {
        format!("{}", index as i64)
    } else {
        format!("{index}")
    }
}

/// Licence line; well-known SPDX ids link to the licence text.
fn license_line(license: &str) -> String {
    let known = match license {
        "CC-BY-4.0" => Some((
            "Creative Commons Attribution 4.0 International",
            "https://creativecommons.org/licenses/by/4.0/",
        )),
        "CC-BY-SA-4.0" => Some((
            "Creative Commons Attribution-ShareAlike 4.0 International",
            "https://creativecommons.org/licenses/by-sa/4.0/",
        )),
        "CC-BY-NC-4.0" => Some((
            "Creative Commons Attribution-NonCommercial 4.0 International",
            "https://creativecommons.org/licenses/by-nc/4.0/",
        )),
        "CC-BY-NC-SA-4.0" => Some((
            "Creative Commons Attribution-NonCommercial-ShareAlike 4.0 International",
            "https://creativecommons.org/licenses/by-nc-sa/4.0/",
        )),
        "CC-BY-ND-4.0" => Some((
            "Creative Commons Attribution-NoDerivatives 4.0 International",
            "https://creativecommons.org/licenses/by-nd/4.0/",
        )),
        "CC0-1.0" => Some((
            "CC0 1.0 Universal (public domain dedication)",
            "https://creativecommons.org/publicdomain/zero/1.0/",
        )),
        _ => None,
    };
    match known {
        Some((name, url)) => format!(
            "Licence: <a href=\"{url}\">{}</a> ({})",
            escape(name),
            escape(license)
        ),
        None => format!("Licence: {}", escape(license)),
    }
}

/// A list of figures or tables: a `nav` of links to each numbered caption, in reading order
/// (`epub:type` `loi` or `lot`, as in a navigation document, so reading systems may offer it).
pub(crate) fn caption_list_page(
    book: &Book,
    list: CaptionList,
    entries: &[CaptionEntry],
    terms: &Terms,
) -> String {
    let (title, kind, word) = match list {
        CaptionList::Figures => (terms.list_of_figures, "loi", terms.numbered.figure.0),
        CaptionList::Tables => (terms.list_of_tables, "lot", terms.numbered.table.0),
    };
    let mut out = document_start(title, &book.meta.language, &[CSS.into()], "frontmatter");
    out.push_str(&format!(
        "<nav class=\"caption-list\" epub:type=\"{kind}\" id=\"{kind}\" aria-labelledby=\"{kind}-title\">\n<h1 id=\"{kind}-title\">{}</h1>\n<ol>\n",
        escape(title)
    ));
    for entry in entries {
        let chapter = &book.chapters[entry.chapter];
        out.push_str(&format!(
            "<li><a href=\"{}#{}\"><span class=\"caption-label\">{} {}</span> {}</a></li>\n",
            escape(&chapter_file(chapter)),
            escape(&entry.anchor),
            escape(word),
            escape(&entry.number),
            escape(&entry.caption)
        ));
    }
    out.push_str("</ol>\n</nav>\n");
    out.push_str(DOCUMENT_END);
    out
}
