//! The layout IR: pages of positioned items. The typesetter produces it, the PDF writer only
//! hands it to krilla, and golden tests dump it as text (STYLE.md, after typst's frames).
//! Coordinates are lengths ([`Pt`]) from the page's top-left corner, y downwards.

use std::sync::Arc;

use super::shape::ShapedRun;
use crate::units::Pt;

/// One page, ready to render.
#[derive(Debug, Clone, Default)]
pub struct Page {
    /// What is on it.
    pub items: Vec<Item>,
    /// The label shown by viewers and printed as the folio ("iv", "12"), if any.
    pub label: Option<String>,
    /// Why the page exists.
    pub kind: PageKind,
    /// Which structure elements the items belong to, in runs (`typeset::structure`); items
    /// before the first mark, and all of a page without marks, are artifacts.
    pub marks: Vec<super::structure::PageMark>,
}

/// The role of a page in the book.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PageKind {
    /// The cover image.
    Cover,
    /// Half title, title, copyright, contents, preface.
    #[default]
    Front,
    /// The first page of a chapter.
    Opening,
    /// A page of running text.
    Body,
    /// An intentionally blank verso before a recto opening.
    Blank,
}

/// A positioned thing on a page.
///
/// All but glyph runs are boxed: a 4,000-page book holds about a million items, nearly all
/// of them glyph runs, and unboxed the rare large ones (a link's target, an anchor's id)
/// made every item 64 bytes instead of 32.
#[derive(Debug, Clone, PartialEq)]
pub enum Item {
    /// Shaped glyphs on one baseline in one face and size.
    Glyphs(GlyphRun),
    /// A horizontal rule.
    Rule(Box<RuleItem>),
    /// An image scaled into a box.
    Image(Box<ImageItem>),
    /// A clickable area.
    Link(Box<LinkItem>),
    /// A named position that links and the outline can point at.
    Anchor(Box<AnchorItem>),
}

/// A horizontal rule.
#[derive(Debug, Clone, PartialEq)]
pub struct RuleItem {
    /// Left end.
    pub x: Pt,
    /// Vertical position of the rule's centre.
    pub y: Pt,
    /// Length.
    pub width: Pt,
    /// Stroke thickness.
    pub thickness: Pt,
}

/// An image scaled into a box.
#[derive(Debug, Clone, PartialEq)]
pub struct ImageItem {
    /// Index into the book's images.
    pub image: usize,
    /// Left edge.
    pub x: Pt,
    /// Top edge.
    pub y: Pt,
    /// Width on the page.
    pub width: Pt,
    /// Height on the page.
    pub height: Pt,
}

/// A clickable area.
#[derive(Debug, Clone, PartialEq)]
pub struct LinkItem {
    /// Left edge.
    pub x: Pt,
    /// Top edge.
    pub y: Pt,
    /// Width.
    pub width: Pt,
    /// Height.
    pub height: Pt,
    /// Where it goes.
    pub target: LinkDest,
}

/// A named position that links and the outline can point at.
#[derive(Debug, Clone, PartialEq)]
pub struct AnchorItem {
    /// The id (heading id, note id, `ref-<key>`).
    pub id: String,
    /// Vertical position (top of the element it marks).
    pub y: Pt,
}

/// Where a link goes.
///
/// Shared, not owned: every box of a linked word and every line of a long link carries its
/// target, and a 200 KB address copied per box made memory quadratic in the link's length.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkDest {
    /// An anchor in the document.
    Anchor(Arc<str>),
    /// A web or mail address.
    Uri(Arc<str>),
}

/// The colour glyphs are filled with: an sRGB triple. Black for text; highlighted code takes
/// its inks from the code theme (`typeset::style`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Ink(pub [u8; 3]);

impl Ink {
    /// Black, the ink of all text but highlighted code.
    pub const BLACK: Ink = Ink([0, 0, 0]);

    /// A grey of `level` (0 black, 255 white).
    pub const fn grey(level: u8) -> Ink {
        Ink([level, level, level])
    }
}

/// Shaped text on one baseline: a word or part of one, already sliced at line breaks.
#[derive(Debug, Clone, PartialEq)]
pub struct GlyphRun {
    /// Start of the run.
    pub x: Pt,
    /// Baseline.
    pub y: Pt,
    /// The shaped glyphs (faces, ids, advances, and the text each cluster stands for).
    pub run: Arc<ShapedRun>,
}

impl GlyphRun {
    /// Advance width of the run.
    pub fn width(&self) -> Pt {
        Pt::from_f32(self.run.width())
    }
}

impl Item {
    /// The same item moved by (dx, dy).
    pub fn translated(&self, dx: Pt, dy: Pt) -> Item {
        let mut item = self.clone();
        item.translate(dx, dy);
        item
    }

    /// Move the item by (dx, dy) in place.
    pub fn translate(&mut self, dx: Pt, dy: Pt) {
        match self {
            Item::Glyphs(run) => {
                run.x += dx;
                run.y += dy;
            }
            Item::Rule(rule) => {
                rule.x += dx;
                rule.y += dy;
            }
            Item::Image(image) => {
                image.x += dx;
                image.y += dy;
            }
            Item::Link(link) => {
                link.x += dx;
                link.y += dy;
            }
            Item::Anchor(anchor) => anchor.y += dy,
        }
    }
}

/// `items` moved by (dx, dy). Consumes them: a set line's items are placed once, and moving
/// them spares a clone (with its reference counts and strings) per glyph run.
pub fn moved(items: Vec<Item>, dx: Pt, dy: Pt) -> impl Iterator<Item = Item> {
    items.into_iter().map(move |mut item| {
        item.translate(dx, dy);
        item
    })
}

/// The text of a page in reading order of its runs.
pub fn page_text(page: &Page) -> String {
    let mut runs: Vec<&GlyphRun> = page
        .items
        .iter()
        .filter_map(|i| match i {
            Item::Glyphs(run) => Some(run),
            _ => None,
        })
        .collect();
    runs.sort_by(|a, b| a.y.total_cmp(&b.y).then(a.x.total_cmp(&b.x)));
    let mut out = String::new();
    let mut last_y = Pt::new(f64::NAN);
    let mut last_end = Pt::ZERO;
    let near = Pt::new(0.5);
    for run in runs {
        if (run.y - last_y).abs() > near {
            out.push('\n');
        } else if run.x > last_end + near {
            out.push(' ');
        }
        last_y = run.y;
        last_end = run.x + run.width();
        out.push_str(&run.run.text);
    }
    out
}
