//! Our nodes as XHTML: the content documents of the EPUB.
//!
//! Everything written here is well-formed XML by construction: text and attribute values go
//! through [`escape`], raw HTML arrives already sanitised as a tree, and ids were made unique
//! by resolve. Runs of Khmer script are tagged `lang="km"` so readers pick a Khmer font and
//! screen readers the right voice.

mod captions;
mod code;

use crate::doc::{Block, Book, Chapter, Division, HtmlNode, Image, Inline, LinkTarget, List, Note};
use crate::highlight::LineMarks;
use crate::locale::Terms;

/// Escape text for XML content and attribute values (see [`crate::xml::escape`]).
pub(crate) fn escape(text: &str) -> String {
    crate::xml::escape(text)
}

/// The XHTML file name of a chapter inside the `text/` folder.
pub fn chapter_file(chapter: &Chapter) -> String {
    format!("{}.xhtml", chapter.slug)
}

/// Start of every content document: XML declaration, html with languages, head with title.
pub(crate) fn document_start(
    title: &str,
    language: &str,
    css: &[String],
    body_type: &str,
) -> String {
    let mut out = String::new();
    out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!DOCTYPE html>\n");
    let dir = if crate::locale::is_rtl(language) {
        " dir=\"rtl\""
    } else {
        ""
    };
    out.push_str(&format!(
        "<html xmlns=\"http://www.w3.org/1999/xhtml\" xmlns:epub=\"http://www.idpf.org/2007/ops\" lang=\"{0}\" xml:lang=\"{0}\"{dir}>\n",
        escape(language)
    ));
    out.push_str("<head>\n<meta charset=\"UTF-8\"/>\n");
    out.push_str(&format!("<title>{}</title>\n", escape(title)));
    for href in css {
        out.push_str(&format!(
            "<link rel=\"stylesheet\" type=\"text/css\" href=\"{}\"/>\n",
            escape(href)
        ));
    }
    out.push_str("</head>\n");
    if body_type.is_empty() {
        out.push_str("<body>\n");
    } else {
        out.push_str(&format!("<body epub:type=\"{body_type}\">\n"));
    }
    out
}

/// End of every content document.
pub(crate) const DOCUMENT_END: &str = "</body>\n</html>\n";

/// Context for writing one chapter: the book (for link targets) and generated words.
pub(crate) struct Writer<'a> {
    book: &'a Book,
    current: usize,
    terms: &'a Terms,
    out: String,
    /// How many enclosing elements already declare `lang="km"`.
    khmer_depth: usize,
    /// The book's math macros, which every formula is read with.
    macros: crate::math::Macros,
    /// Where formulas are drawn as images (`[epub] math = "svg"`); `None` for MathML.
    math_images: Option<&'a mut super::math_svg::MathImages>,
    /// The print edition's page breaks in this chapter (none without a print edition).
    pages: super::page_breaks::PageBreaks,
}

/// The `epub:type` and ARIA role of a chapter's section.
pub(crate) fn section_semantics(chapter: &Chapter) -> (&str, Option<&'static str>) {
    let kind = chapter.epub_type.as_deref().unwrap_or("chapter");
    let role = match kind {
        "chapter" => Some("doc-chapter"),
        "preface" => Some("doc-preface"),
        "appendix" => Some("doc-appendix"),
        "bibliography" => Some("doc-bibliography"),
        "conclusion" => Some("doc-conclusion"),
        "introduction" => Some("doc-introduction"),
        "epilogue" => Some("doc-epilogue"),
        "prologue" => Some("doc-prologue"),
        "foreword" => Some("doc-foreword"),
        "acknowledgments" => Some("doc-acknowledgments"),
        "afterword" => Some("doc-afterword"),
        "glossary" => Some("doc-glossary"),
        "colophon" => Some("doc-colophon"),
        "dedication" => Some("doc-dedication"),
        "part" => Some("doc-part"),
        _ => None,
    };
    (kind, role)
}

/// The classes of a chapter's section: a special page's, and those that give its first
/// paragraph a drop cap (`drop-cap-3`) or a first line in small capitals.
fn section_classes(chapter: &Chapter, opening: &crate::doc::OpeningOptions) -> Vec<String> {
    if chapter.is_special_page() {
        return vec!["special-page".to_string()];
    }
    let mut classes = Vec::new();
    if opening.drop_cap_lines >= 2 {
        classes.push(format!("drop-cap-{}", opening.drop_cap_lines));
    }
    if opening.small_caps {
        classes.push("opening-small-caps".to_string());
    }
    classes
}

/// `frontmatter`, `bodymatter` or `backmatter` for the body element.
pub(crate) fn division_type(division: Division) -> &'static str {
    match division {
        Division::Front => "frontmatter",
        Division::Body => "bodymatter",
        Division::Back => "backmatter",
    }
}

/// Write a whole chapter document; its formulas as images into `math_images` when given,
/// as MathML otherwise; a marker where each of the print pages `page_starts` begins.
pub(crate) fn write_chapter(
    book: &Book,
    index: usize,
    terms: &Terms,
    math_images: Option<&mut super::math_svg::MathImages>,
    page_starts: Vec<crate::typeset::page_list::PageStart>,
) -> String {
    let chapter = &book.chapters[index];
    let title = crate::doc::plain_text(&chapter.title);
    // An untitled dedication or epigraph is named by the book's title (HTML needs a title).
    let title = if title.trim().is_empty() {
        book.meta.title.clone()
    } else {
        title
    };
    let mut writer = Writer {
        book,
        current: index,
        terms,
        out: document_start(
            &title,
            &book.meta.language,
            &["../css/book.css".to_string()],
            division_type(chapter.division),
        ),
        khmer_depth: 0,
        macros: book_macros(book),
        math_images,
        pages: super::page_breaks::PageBreaks::new(page_starts),
    };
    writer.chapter(chapter);
    writer.out.push_str(DOCUMENT_END);
    writer.out
}

/// The book's math macros, read once per document.
pub(crate) fn book_macros(book: &Book) -> crate::math::Macros {
    let defined = book.meta.math_macros.iter();
    crate::math::Macros::new(defined.map(|(name, body)| (name.as_str(), body.as_str()))).0
}

/// A formula's image element, sized in ems of the text: a display formula as wide as
/// it is drawn (narrower screens scale it down), an inline one as tall as it is drawn and
/// dropped below the baseline by its depth.
fn math_img(image: &super::math_svg::MathImage, source: &str, display: bool) -> String {
    let (class, style) = if display {
        (
            "math-display",
            format!("width:{:.3}em;max-width:100%;height:auto", image.width),
        )
    } else {
        (
            "math-inline",
            format!(
                "height:{:.3}em;vertical-align:-{:.3}em",
                image.height, image.depth
            ),
        )
    };
    format!(
        "<img class=\"{class}\" src=\"../{}\" alt=\"{}\" role=\"math\" style=\"{style}\"/>",
        escape(&image.href),
        escape(source.trim())
    )
}

/// One row's number and anchor, for a formula numbered row by row.
struct RowNumber {
    /// The number as printed (`(3.2)`); `None` for a `\notag` row.
    shown: Option<String>,
    /// The row's anchor.
    anchor: Option<String>,
}

/// The MathML with each row of its outer table given its number in a last cell and its
/// anchor as the row's id. Rows past the numbers (or a MathML with no table) are left as
/// they are.
fn numbered_table_rows(mathml: &str, rows: &[RowNumber]) -> String {
    let mut out = String::with_capacity(mathml.len() + rows.len() * 96);
    let mut depth = 0usize;
    let mut row = 0usize;
    let mut rest = mathml;
    while let Some(start) = rest.find('<') {
        out.push_str(&rest[..start]);
        let Some(length) = rest[start..].find('>') else {
            break;
        };
        let tag = &rest[start..=start + length];
        rest = &rest[start + length + 1..];
        if tag.starts_with("<mtable") && !tag.ends_with("/>") {
            depth += 1;
        } else if tag.starts_with("</mtable") {
            depth = depth.saturating_sub(1);
        } else if depth == 1 && tag.starts_with("<mtr") {
            if let Some(anchor) = rows.get(row).and_then(|r| r.anchor.as_deref()) {
                out.push_str(&format!("<mtr id=\"{}\"{}", escape(anchor), &tag[4..]));
                continue;
            }
        } else if depth == 1 && tag == "</mtr>" {
            if let Some(number) = rows.get(row) {
                out.push_str("<mtd class=\"equation-number\">");
                if let Some(shown) = &number.shown {
                    out.push_str(&format!("<mtext>{}</mtext>", escape(shown)));
                }
                out.push_str("</mtd>");
            }
            row += 1;
        }
        out.push_str(tag);
    }
    out.push_str(rest);
    out
}

impl Writer<'_> {
    /// A formula as MathML; a display formula on its own line, with its number at the right
    /// (or each numbered row's at the row's right) and its label as the anchor references go
    /// to.
    fn math(&mut self, math: &crate::doc::Math) {
        if !math.display {
            let mathml = self.formula(math, &[]);
            self.out.push_str(&mathml);
            return;
        }
        if math.numbered_by_rows() {
            self.math_numbered_by_rows(math);
            return;
        }
        let mathml = self.formula(math, &[]);
        match &math.number {
            Some(number) => self.out.push_str(&format!(
                "<span class=\"display-math\" id=\"{}\">",
                escape(&number.anchor)
            )),
            None => self.out.push_str("<span class=\"display-math\">"),
        }
        self.out.push_str(&mathml);
        if let Some(number) = math.number_shown() {
            self.out.push_str(&format!(
                "<span class=\"equation-number\">{}</span>",
                escape(&number)
            ));
        }
        self.out.push_str("</span>");
    }

    /// A formula whose rows are numbered: the numbers in a last column of its MathML table,
    /// each row carrying its anchor; drawn into the image when formulas are SVG, with the
    /// anchors before it.
    fn math_numbered_by_rows(&mut self, math: &crate::doc::Math) {
        let rows: Vec<RowNumber> = math
            .rows
            .iter()
            .map(|row| RowNumber {
                shown: row.number_shown(),
                anchor: row.number.as_ref().map(|n| n.anchor.clone()),
            })
            .collect();
        let shown: Vec<Option<String>> = rows.iter().map(|r| r.shown.clone()).collect();
        self.out
            .push_str("<span class=\"display-math numbered-rows\">");
        if let Some(image) = self.formula_image(math, &shown) {
            for anchor in rows.iter().filter_map(|r| r.anchor.as_deref()) {
                self.out
                    .push_str(&format!("<span id=\"{}\"></span>", escape(anchor)));
            }
            self.out.push_str(&math_img(&image, &math.source, true));
        } else {
            let mathml = crate::math::to_mathml(&math.source, true, &self.macros);
            self.out.push_str(&numbered_table_rows(&mathml, &rows));
        }
        self.out.push_str("</span>");
    }

    /// A formula as the page shows it: its image when formulas are drawn as SVG, else its
    /// MathML.
    fn formula(&mut self, math: &crate::doc::Math, row_numbers: &[Option<String>]) -> String {
        match self.formula_image(math, row_numbers) {
            Some(image) => math_img(&image, &math.source, math.display),
            None => crate::math::to_mathml(&math.source, math.display, &self.macros),
        }
    }

    /// The formula's image, when formulas are drawn as SVG and it reads.
    fn formula_image(
        &mut self,
        math: &crate::doc::Math,
        row_numbers: &[Option<String>],
    ) -> Option<super::math_svg::MathImage> {
        (self.math_images.as_deref_mut())
            .and_then(|images| images.image(&math.source, math.display, row_numbers))
    }

    fn chapter(&mut self, chapter: &Chapter) {
        let (kind, role) = section_semantics(chapter);
        self.out.push_str(&format!("<section epub:type=\"{kind}\""));
        if let Some(role) = role {
            self.out.push_str(&format!(" role=\"{role}\""));
        }
        let classes = section_classes(chapter, &self.book.meta.opening);
        if !classes.is_empty() {
            self.out
                .push_str(&format!(" class=\"{}\"", classes.join(" ")));
        }
        if let Some(id) = chapter.title_id() {
            self.out
                .push_str(&format!(" aria-labelledby=\"{}\"", escape(id)));
        }
        self.out.push_str(">\n");
        self.pages.open_chapter(&mut self.out);
        let untitled = crate::doc::plain_text(&chapter.title).trim().is_empty();
        if chapter.title_id().is_none() && !untitled {
            self.out.push_str("<h1>");
            self.chapter_label(chapter);
            self.inlines(&chapter.title);
            self.out.push_str("</h1>\n");
        }
        let mut labelled = false;
        for block in &chapter.blocks {
            if let (Block::Heading(h), false) = (block, labelled) {
                if h.level == 1 {
                    labelled = true;
                    self.title_heading(chapter, h);
                    continue;
                }
            }
            self.block(block);
        }
        self.notes(&chapter.notes);
        self.pages.close_chapter(&mut self.out);
        self.out.push_str("</section>\n");
    }

    fn chapter_label(&mut self, chapter: &Chapter) {
        if let Some(label) = crate::toc::chapter_label(chapter, &self.book.meta, self.terms) {
            self.out.push_str(&format!(
                "<span class=\"chapter-label\">{}</span> ",
                escape(&label)
            ));
        }
    }

    fn title_heading(&mut self, chapter: &Chapter, heading: &crate::doc::Heading) {
        self.out
            .push_str(&format!("<h1 id=\"{}\">", escape(&heading.id)));
        self.chapter_label(chapter);
        self.out.push_str("<span class=\"chapter-title\">");
        self.inlines(&heading.content);
        self.out.push_str("</span></h1>\n");
    }

    fn block(&mut self, block: &Block) {
        self.pages.boundary(&mut self.out);
        match block {
            Block::Heading(h) => {
                let level = h.level.clamp(1, 6);
                self.out
                    .push_str(&format!("<h{level} id=\"{}\">", escape(&h.id)));
                if let Some(number) = &h.number {
                    self.out.push_str("<span class=\"section-number\">");
                    self.pages.text(&mut self.out, number);
                    self.out.push_str("</span> ");
                }
                self.inlines(&h.content);
                self.out.push_str(&format!("</h{level}>\n"));
            }
            Block::Paragraph { content, .. } => {
                self.out.push_str("<p>");
                self.inlines(content);
                self.out.push_str("</p>\n");
            }
            Block::Quote { blocks, .. } => {
                self.out.push_str("<blockquote>\n");
                self.blocks(blocks);
                self.out.push_str("</blockquote>\n");
            }
            Block::List(list) => self.list(list),
            Block::Code {
                lang,
                text,
                listing: Some(listing),
                tokens,
                ..
            } => self.listing(lang.as_deref(), text, tokens, listing),
            Block::Code {
                lang, text, tokens, ..
            } => self.code_block(lang.as_deref(), text, tokens, &LineMarks::default()),
            Block::Table(table) => self.table(table),
            Block::Figure(figure) => self.figure(figure),
            Block::Rule { .. } => self.out.push_str("<hr class=\"scene-break\"/>\n"),
            Block::Html { nodes, .. } => {
                self.html_nodes(nodes);
                self.out.push('\n');
            }
            Block::Container {
                name,
                attrs,
                blocks,
                ..
            } => {
                let content = |w: &mut Self| {
                    w.out.push('\n');
                    w.blocks(blocks);
                };
                if name == "details" {
                    let has_summary = matches!(blocks.first(), Some(Block::Html { nodes, .. }) if starts_with_summary(nodes));
                    self.details(attrs, has_summary, content);
                } else {
                    self.element(name, attrs, content);
                }
                self.out.push('\n');
            }
            Block::ReferencesMarker { .. } => {}
            Block::References(entries) => self.references(entries),
        }
    }

    fn blocks(&mut self, blocks: &[Block]) {
        for block in blocks {
            self.block(block);
        }
    }

    fn list(&mut self, list: &List) {
        let tag = if list.start.is_some() { "ol" } else { "ul" };
        match list.start {
            Some(start) if start != 1 => self.out.push_str(&format!("<ol start=\"{start}\">\n")),
            _ => self.out.push_str(&format!("<{tag}>\n")),
        }
        for item in &list.items {
            match item.task {
                Some(done) => {
                    let mark = if done { "☑" } else { "☐" };
                    self.out.push_str(&format!(
                        "<li class=\"task\"><span class=\"task-mark\">{mark}</span> "
                    ));
                }
                None => self.out.push_str("<li>"),
            }
            self.tight_blocks(&item.blocks);
            self.out.push_str("</li>\n");
        }
        self.out.push_str(&format!("</{tag}>\n"));
    }

    /// A list item holding one paragraph is written without the `<p>`.
    fn tight_blocks(&mut self, blocks: &[Block]) {
        match blocks {
            [Block::Paragraph { content, .. }] => self.inlines(content),
            _ => {
                self.out.push('\n');
                self.blocks(blocks);
            }
        }
    }

    /// One row of cells in `tag` (`th` in the head). An empty header cell (the corner of a
    /// table whose first column names its rows) is written as `td`: a header with no text is
    /// an empty name to a screen reader.
    fn table_row(&mut self, cells: &[Vec<Inline>], aligns: &[crate::doc::Align], tag: &str) {
        self.out.push_str("<tr>");
        for (i, cell) in cells.iter().enumerate() {
            let blank = cell.iter().all(
                |inline| matches!(inline, Inline::Text { text, .. } if text.trim().is_empty()),
            );
            let tag = if tag == "th" && blank { "td" } else { tag };
            let class = match aligns.get(i) {
                Some(crate::doc::Align::Left) => " class=\"align-left\"",
                Some(crate::doc::Align::Center) => " class=\"align-center\"",
                Some(crate::doc::Align::Right) => " class=\"align-right\"",
                _ => "",
            };
            // Each cell's words are its own.
            self.pages.boundary(&mut self.out);
            self.out.push_str(&format!("<{tag}{class}>"));
            self.inlines(cell);
            self.out.push_str(&format!("</{tag}>"));
        }
        self.out.push_str("</tr>\n");
    }

    fn image(&mut self, image: &Image, class: &str) {
        let Some(asset) = image.asset.and_then(|i| self.book.images.get(i)) else {
            self.out.push_str(&escape(&image.alt));
            return;
        };
        self.out.push_str(&format!(
            "<img src=\"../{}\" alt=\"{}\"",
            escape(&asset.package_path),
            escape(&image.alt)
        ));
        let size = size_style(image);
        let class = match (class, &size) {
            ("", Some(_)) => "sized".to_string(),
            (class, Some(_)) => format!("{class} sized"),
            (class, None) => class.to_string(),
        };
        if !class.is_empty() {
            self.out.push_str(&format!(" class=\"{class}\""));
        }
        if !image.title.is_empty() {
            self.out
                .push_str(&format!(" title=\"{}\"", escape(&image.title)));
        }
        if let Some(style) = size {
            self.out.push_str(&format!(" style=\"{style}\""));
        }
        self.out.push_str("/>");
    }

    fn references(&mut self, entries: &[crate::doc::BibEntry]) {
        self.out.push_str("<ul class=\"references\">\n");
        for entry in entries {
            self.out.push_str(&format!(
                "<li epub:type=\"biblioentry\" id=\"{}\">",
                escape(&entry.id)
            ));
            self.inlines(&entry.content);
            self.out.push_str("</li>\n");
        }
        self.out.push_str("</ul>\n");
    }

    fn notes(&mut self, notes: &[Note]) {
        if notes.is_empty() {
            return;
        }
        self.out.push_str(&format!(
            "<section class=\"footnotes\" epub:type=\"footnotes\" aria-label=\"{}\">\n",
            escape(self.terms.notes)
        ));
        for note in notes {
            self.note(note);
        }
        self.out.push_str("</section>\n");
    }

    fn note(&mut self, note: &Note) {
        self.out.push_str(&format!(
            "<aside epub:type=\"footnote\" role=\"doc-footnote\" id=\"{}\">\n",
            escape(&note.id)
        ));
        let backlink = format!(
            "<a class=\"note-number\" href=\"#{}\" role=\"doc-backlink\" title=\"{}\">{}.</a> ",
            escape(&note.ref_id),
            escape(self.terms.back_to_text),
            note.number
        );
        match note.blocks.split_first() {
            Some((Block::Paragraph { content, .. }, rest)) => {
                self.out.push_str("<p>");
                self.out.push_str(&backlink);
                self.inlines(content);
                self.out.push_str("</p>\n");
                self.blocks(rest);
            }
            _ => {
                self.out
                    .push_str(&format!("<p>{}</p>\n", backlink.trim_end()));
                self.blocks(&note.blocks);
            }
        }
        self.out.push_str("</aside>\n");
    }

    fn inlines(&mut self, inlines: &[Inline]) {
        for inline in inlines {
            self.inline(inline);
        }
    }

    fn inline(&mut self, inline: &Inline) {
        match inline {
            Inline::Text { text, .. } => self.text(text),
            Inline::Emph(c) => self.wrapped("em", c),
            Inline::Strong(c) => self.wrapped("strong", c),
            Inline::Strike(c) => self.wrapped("del", c),
            Inline::Code(code) => {
                self.out.push_str("<code>");
                self.pages.text(&mut self.out, code);
                self.out.push_str("</code>");
            }
            Inline::Math(math) => self.math(math),
            Inline::Link(link) => self.link(&link.target, &link.title, &link.content),
            Inline::Image(image) => self.image(image, "inline"),
            Inline::NoteRef(call) => self.note_ref(call),
            Inline::Cite(cite) => {
                self.out.push_str("<span class=\"citation\">");
                self.inlines(&cite.rendered);
                self.out.push_str("</span>");
            }
            Inline::Ref(reference) => {
                self.out.push_str("<span class=\"crossref\">");
                self.inlines(&reference.rendered);
                self.out.push_str("</span>");
            }
            Inline::IndexMark(mark) if !mark.id.is_empty() => {
                let id = escape(&mark.id);
                self.out.push_str(&format!("<span id=\"{id}\"></span>"));
            }
            Inline::IndexMark(_) => {}
            Inline::SoftBreak => {
                self.pages.boundary(&mut self.out);
                self.out.push('\n');
            }
            Inline::HardBreak => {
                self.pages.boundary(&mut self.out);
                self.out.push_str("<br/>\n");
            }
            Inline::Html(html) => {
                self.element(&html.name, &html.attrs, |w| w.inlines(&html.children))
            }
        }
    }

    fn wrapped(&mut self, tag: &str, content: &[Inline]) {
        self.out.push_str(&format!("<{tag}>"));
        self.inlines(content);
        self.out.push_str(&format!("</{tag}>"));
    }

    fn link(&mut self, target: &LinkTarget, title: &str, content: &[Inline]) {
        let Some(href) = self.href(target) else {
            self.inlines(content);
            return;
        };
        self.out.push_str(&format!("<a href=\"{}\"", escape(&href)));
        if !title.is_empty() {
            self.out.push_str(&format!(" title=\"{}\"", escape(title)));
        }
        self.out.push('>');
        self.inlines(content);
        self.out.push_str("</a>");
    }

    /// Where a link goes, relative to the current chapter's document.
    fn href(&self, target: &LinkTarget) -> Option<String> {
        match target {
            LinkTarget::External(url) => Some(crate::url::encode_url(url)),
            LinkTarget::Internal { chapter, anchor } => {
                let file = if *chapter == self.current {
                    String::new()
                } else {
                    chapter_file(self.book.chapters.get(*chapter)?)
                };
                Some(match anchor {
                    Some(anchor) => format!("{file}#{anchor}"),
                    None if file.is_empty() => "#".to_string() + &self.chapter_anchor()?,
                    None => file,
                })
            }
            LinkTarget::Raw(_) | LinkTarget::Anchor(_) => None,
        }
    }

    fn chapter_anchor(&self) -> Option<String> {
        self.book
            .chapters
            .get(self.current)?
            .title_id()
            .map(str::to_string)
    }

    fn note_ref(&mut self, call: &crate::doc::NoteRef) {
        let chapter = &self.book.chapters[self.current];
        let Some(note) = call.note.and_then(|i| chapter.notes.get(i)) else {
            return;
        };
        self.out.push_str(&format!(
            "<sup><a epub:type=\"noteref\" role=\"doc-noteref\" class=\"noteref\" id=\"{}\" href=\"#{}\">",
            escape(&call.id),
            escape(&note.id),
        ));
        // The call's number is text the print page shows too.
        self.pages.text(&mut self.out, &note.number.to_string());
        self.out.push_str("</a></sup>");
    }

    fn text(&mut self, text: &str) {
        for (run, khmer) in script_runs(text) {
            if khmer && self.khmer_depth == 0 {
                self.out.push_str("<span lang=\"km\" xml:lang=\"km\">");
                self.pages.text(&mut self.out, run);
                self.out.push_str("</span>");
            } else {
                self.pages.text(&mut self.out, run);
            }
        }
    }

    /// An allow-listed element around content written by `content`; a `lang="km"` on it tells
    /// the text inside that it is already tagged Khmer.
    fn element(&mut self, name: &str, attrs: &[(String, String)], content: impl FnOnce(&mut Self)) {
        let khmer = declares_khmer(attrs);
        self.khmer_depth += usize::from(khmer);
        self.open_tag(name, attrs);
        content(self);
        self.khmer_depth -= usize::from(khmer);
        self.out.push_str(&format!("</{name}>"));
    }

    /// A `<details>` must open with a `<summary>`: one is supplied in the book's language when
    /// the author wrote none.
    fn details(
        &mut self,
        attrs: &[(String, String)],
        has_summary: bool,
        content: impl FnOnce(&mut Self),
    ) {
        self.element("details", attrs, |w| {
            if !has_summary {
                w.out
                    .push_str(&format!("<summary>{}</summary>", escape(w.terms.details)));
            }
            content(w);
        });
    }

    fn open_tag(&mut self, name: &str, attrs: &[(String, String)]) {
        self.out.push('<');
        self.out.push_str(name);
        for (key, value) in attrs {
            let value = if key == "href" && !value.starts_with('#') {
                crate::url::encode_url(value)
            } else {
                value.clone()
            };
            self.out.push_str(&format!(" {key}=\"{}\"", escape(&value)));
            if key == "lang" {
                self.out
                    .push_str(&format!(" xml:lang=\"{}\"", escape(&value)));
            }
        }
        if let Some(dir) = self.direction_of(attrs) {
            self.out.push_str(&format!(" dir=\"{dir}\""));
        }
        self.out.push('>');
    }

    /// The `dir` an element with `attrs` needs: `rtl` for text in a right-to-left language,
    /// `ltr` for a left-to-right language in a right-to-left book (so that readers isolate
    /// it), none when its direction is the book's or the author gave a `dir`.
    fn direction_of(&self, attrs: &[(String, String)]) -> Option<&'static str> {
        if attrs.iter().any(|(key, _)| key == "dir") {
            return None;
        }
        let (_, lang) = attrs.iter().find(|(key, _)| key == "lang")?;
        let rtl = crate::locale::is_rtl(lang);
        (rtl != crate::locale::is_rtl(&self.book.meta.language)).then_some(if rtl {
            "rtl"
        } else {
            "ltr"
        })
    }

    fn html_nodes(&mut self, nodes: &[HtmlNode]) {
        for node in nodes {
            match node {
                HtmlNode::Text(text) => self.text(text),
                HtmlNode::Element {
                    name,
                    attrs,
                    children,
                } => {
                    if crate::doc::HTML_VOID_ELEMENTS.contains(&name.as_str()) {
                        self.open_tag(name, attrs);
                        self.out.pop();
                        self.out.push_str("/>");
                    } else if name == "details" {
                        let has_summary = starts_with_summary(children);
                        self.details(attrs, has_summary, |w| w.html_nodes(children));
                    } else {
                        self.element(name, attrs, |w| w.html_nodes(children));
                    }
                }
            }
        }
    }
}

/// True when the first element among `nodes` (white space aside) is a `<summary>`.
fn starts_with_summary(nodes: &[HtmlNode]) -> bool {
    nodes
        .iter()
        .find(|node| !matches!(node, HtmlNode::Text(text) if text.trim().is_empty()))
        .is_some_and(|node| matches!(node, HtmlNode::Element { name, .. } if name == "summary"))
}

fn declares_khmer(attrs: &[(String, String)]) -> bool {
    attrs
        .iter()
        .any(|(k, v)| k == "lang" && (v == "km" || v.starts_with("km-")))
}

/// Letters, digits and hyphens only, for a class name from a code fence.
/// The size the image's attributes ask for as CSS (`width: 50%`, `height: 3in`); the other
/// dimension follows the image's proportions, and the stylesheet's `max-width` still keeps
/// it inside the screen.
fn size_style(image: &Image) -> Option<String> {
    let (width, height) = crate::doc::image_size(&image.attrs);
    let parts: Vec<String> = [("width", width), ("height", height)]
        .into_iter()
        .filter_map(|(key, length)| length.map(|l| format!("{key}: {}", l.css())))
        .collect();
    (!parts.is_empty()).then(|| parts.join("; "))
}

fn css_class(text: &str) -> String {
    text.chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_'))
        .collect()
}

/// True for characters of the Khmer script (and Khmer symbols).
pub(crate) fn is_khmer(c: char) -> bool {
    matches!(c, '\u{1780}'..='\u{17FF}' | '\u{19E0}'..='\u{19FF}')
}

/// Split text into runs, each flagged true when it is Khmer script. Spaces inside a Khmer
/// phrase stay with it; marks like ZWSP between Khmer words too.
pub(crate) fn script_runs(text: &str) -> Vec<(&str, bool)> {
    let mut runs = Vec::new();
    let mut start = 0;
    let mut current: Option<bool> = None;
    for (i, c) in text.char_indices() {
        let khmer = if is_khmer(c) {
            Some(true)
        } else if c == '\u{200B}' || c == '\u{200C}' || c == '\u{200D}' {
            current
        } else {
            Some(false)
        };
        if khmer != current && current.is_some() {
            runs.push((&text[start..i], current == Some(true)));
            start = i;
        }
        current = khmer;
    }
    if start < text.len() {
        runs.push((&text[start..], current == Some(true)));
    }
    runs
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn khmer_runs_are_separated() {
        let runs = script_runs("the ខ្មែរក្រហម (Khmer Rouge)");
        assert_eq!(
            runs,
            vec![
                ("the ", false),
                ("ខ្មែរក្រហម", true),
                (" (Khmer Rouge)", false)
            ]
        );
        assert_eq!(script_runs("plain"), vec![("plain", false)]);
        assert!(script_runs("").is_empty());
    }

    #[test]
    fn escaping() {
        assert_eq!(
            escape("a<b & \"c\">\u{1}"),
            "a&lt;b &amp; &quot;c&quot;&gt;"
        );
    }
}
