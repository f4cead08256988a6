//! The faces of a book by role, with the fallback chains shaping consults.
//!
//! A [`FontSet`] holds the book's faces by role (serif or monospace, four styles) plus an
//! ordered list of fallback faces (those book.toml names, then the bundled Khmer, Arabic,
//! Hebrew and symbol faces) that shaping consults glyph by glyph. A style a family lacks is set in its nearest style, never in a
//! slanted or emboldened copy.

use std::collections::BTreeMap;

use super::bundled::{self, FontFile};
use super::face::{FontError, FontFace};

/// The two type families a book uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Family {
    /// Text face (the serif).
    Serif,
    /// Code face.
    Mono,
}

/// The four styles of a family.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Style {
    /// Upright, normal weight.
    Regular,
    /// Italic (or oblique for the monospace).
    Italic,
    /// Bold.
    Bold,
    /// Bold italic.
    BoldItalic,
}

impl Style {
    /// The styles to try, best first, when this one has no face of its own.
    fn nearest(self) -> &'static [Style] {
        match self {
            Style::Regular => &[Style::Regular],
            Style::Italic => &[Style::Italic, Style::Regular],
            Style::Bold => &[Style::Bold, Style::Regular],
            Style::BoldItalic => &[
                Style::BoldItalic,
                Style::Bold,
                Style::Italic,
                Style::Regular,
            ],
        }
    }
}

/// What a piece of text asks for: a family and a style.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FaceChoice {
    /// Serif or monospace.
    pub family: Family,
    /// Regular, italic, bold or bold italic.
    pub style: Style,
}

impl FaceChoice {
    /// A choice of `family` in `style`.
    pub fn new(family: Family, style: Style) -> Self {
        FaceChoice { family, style }
    }
}

/// What a face of a [`FontSet`] is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FaceRole {
    /// The face of a family in a style.
    Family(Family, Style),
    /// A fallback for characters the chosen face lacks, serving a style first.
    Fallback(Style),
    /// The face formulas are set in: one with an OpenType MATH table.
    Math,
}

impl FaceRole {
    /// The style the face serves.
    pub fn style(self) -> Style {
        match self {
            FaceRole::Family(_, style) | FaceRole::Fallback(style) => style,
            FaceRole::Math => Style::Regular,
        }
    }
}

/// Index of a face in its [`FontSet`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FaceId(u16);

impl FaceId {
    /// Position of the face in the set (0 is the serif regular).
    pub fn index(self) -> usize {
        usize::from(self.0)
    }
}

/// The faces of a book: roles (family × style) and ordered fallbacks.
#[derive(Debug)]
pub struct FontSet<'a> {
    faces: Vec<FontFace<'a>>,
    roles: BTreeMap<(Family, Style), FaceId>,
    fallbacks: Vec<(Style, FaceId)>,
    math: Option<FaceId>,
}

impl<'a> FontSet<'a> {
    /// A set whose serif regular face (the last resort for every choice) is `serif_regular`.
    pub fn new(serif_regular: FontFace<'a>) -> Self {
        let mut set = FontSet {
            faces: vec![serif_regular],
            roles: BTreeMap::new(),
            fallbacks: Vec::new(),
            math: None,
        };
        set.roles.insert((Family::Serif, Style::Regular), FaceId(0));
        set
    }

    /// Adds `face` for `family` in `style` (replacing an earlier one) and returns its id.
    pub fn set_face(&mut self, family: Family, style: Style, face: FontFace<'a>) -> FaceId {
        let id = self.push(face);
        self.roles.insert((family, style), id);
        id
    }

    /// Appends a fallback face used, in the order added, for characters the chosen face lacks.
    /// A fallback registered for `style` serves that style first; `Regular` fallbacks serve all.
    pub fn add_fallback(&mut self, style: Style, face: FontFace<'a>) -> FaceId {
        let id = self.push(face);
        self.fallbacks.push((style, id));
        id
    }

    /// Sets the face formulas are set in (replacing an earlier one) and returns its id.
    pub fn set_math(&mut self, face: FontFace<'a>) -> FaceId {
        let id = self.push(face);
        self.math = Some(id);
        id
    }

    /// The face formulas are set in, if the set has one.
    pub fn math(&self) -> Option<FaceId> {
        self.math
    }

    fn push(&mut self, face: FontFace<'a>) -> FaceId {
        // More than 65,535 faces cannot come from a book; saturate rather than wrap.
        let id = FaceId(u16::try_from(self.faces.len()).unwrap_or(u16::MAX));
        self.faces.push(face);
        id
    }

    /// The face with id `id`. Ids come from this set, so the lookup cannot miss.
    pub fn face(&self, id: FaceId) -> &FontFace<'a> {
        &self.faces[id.index()]
    }

    /// All faces with their ids, in id order.
    pub fn faces(&self) -> impl Iterator<Item = (FaceId, &FontFace<'a>)> {
        (0u16..).map(FaceId).zip(self.faces.iter())
    }

    /// What each face is for, in id order: a family in a style, or a fallback for a style.
    /// The EPUB embeds a book's faces under these roles.
    pub fn face_roles(&self) -> Vec<(FaceId, FaceRole)> {
        let mut roles: Vec<(FaceId, FaceRole)> = self
            .roles
            .iter()
            .map(|(&(family, style), &id)| (id, FaceRole::Family(family, style)))
            .chain(
                self.fallbacks
                    .iter()
                    .map(|&(style, id)| (id, FaceRole::Fallback(style))),
            )
            .collect();
        roles.sort_by_key(|&(id, _)| id);
        roles
    }

    /// Whether `choice` has a face of its own (rather than the nearest style's).
    pub fn has_exact(&self, choice: FaceChoice) -> bool {
        self.roles.contains_key(&(choice.family, choice.style))
    }

    /// The face that sets `choice`: its own, else the nearest style of the family, else the
    /// serif in that style, else the serif regular.
    pub fn primary(&self, choice: FaceChoice) -> FaceId {
        let nearest = choice.style.nearest();
        [choice.family, Family::Serif]
            .iter()
            .flat_map(|&family| nearest.iter().map(move |&style| (family, style)))
            .find_map(|key| self.roles.get(&key).copied())
            .unwrap_or(FaceId(0))
    }

    /// The faces to try for `choice`, in order: the primary, the fallbacks for its style, then
    /// the `Regular` fallbacks.
    pub fn chain(&self, choice: FaceChoice) -> Vec<FaceId> {
        let mut chain = vec![self.primary(choice)];
        let styled = self.fallbacks.iter().filter(|(s, _)| *s == choice.style);
        let regular = self.fallbacks.iter().filter(|(s, _)| *s == Style::Regular);
        for &(_, id) in styled.chain(regular) {
            if !chain.contains(&id) {
                chain.push(id);
            }
        }
        chain
    }
}

impl FontSet<'static> {
    /// The fonts octavo ships ([`bundled::BUNDLED`], in that order): Linux Libertine, DejaVu
    /// Sans Mono, and Noto Serif Khmer, Noto Naskh Arabic, Noto Serif Hebrew and DejaVu Sans
    /// as fallbacks.
    pub fn builtin() -> Result<Self, FontError> {
        let parse = |f: FontFile| FontFace::parse(f.data, 0, f.file_name);
        let [first, rest @ ..] = &bundled::BUNDLED;
        let mut set = FontSet::new(parse(first.file)?);
        for bundled in rest {
            let face = parse(bundled.file)?;
            match bundled.role {
                FaceRole::Family(family, style) => set.set_face(family, style, face),
                FaceRole::Fallback(style) => set.add_fallback(style, face),
                FaceRole::Math => set.set_math(face),
            };
        }
        Ok(set)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fonts::bundled;

    #[test]
    fn builtin_set_resolves_roles_and_fallbacks() {
        let set = FontSet::builtin().unwrap();
        let bold = FaceChoice::new(Family::Serif, Style::Bold);
        let chain = set.chain(bold);
        let labels: Vec<&str> = chain.iter().map(|&id| set.face(id).label()).collect();
        assert_eq!(labels.len(), 10, "{labels:?}");
        assert!(labels[0].contains("RB"));
        // The bold fallbacks first, then the regular ones, each in the bundled order.
        for (label, name) in labels[1..].iter().zip([
            "Khmer-Bold",
            "NaskhArabic-Bold",
            "SerifHebrew-Bold",
            "Khmer-Regular",
            "NaskhArabic-Regular",
            "SerifHebrew-Regular",
            "DejaVuSans.ttf",
            "NotoEmoji-Regular",
            "DroidSansFallbackFull",
        ]) {
            assert!(label.contains(name), "{label} is not {name}");
        }
        let italic = set.chain(FaceChoice::new(Family::Serif, Style::Italic));
        assert_eq!(italic.len(), 7);
        let mono = set.primary(FaceChoice::new(Family::Mono, Style::Regular));
        assert!(set.face(mono).label().contains("DejaVuSansMono"));
    }

    #[test]
    fn missing_styles_use_the_nearest_face() {
        let face = FontFace::parse(
            bundled::file(FaceRole::Family(Family::Serif, Style::Regular)).data,
            0,
            "LinLibertine_R.otf",
        )
        .unwrap();
        let mut set = FontSet::new(face);
        let bold = FontFace::parse(
            bundled::file(FaceRole::Family(Family::Serif, Style::Bold)).data,
            0,
            "LinLibertine_RB.otf",
        )
        .unwrap();
        let bold_id = set.set_face(Family::Serif, Style::Bold, bold);
        let bi = FaceChoice::new(Family::Serif, Style::BoldItalic);
        assert_eq!(set.primary(bi), bold_id);
        assert!(!set.has_exact(bi));
        let mono = FaceChoice::new(Family::Mono, Style::Italic);
        assert_eq!(set.primary(mono).index(), 0);
    }
}
