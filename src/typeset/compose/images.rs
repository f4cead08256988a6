//! How large an image is set, and whether it prints sharp enough.
//!
//! An image is set at the size its attributes ask for (`{width=50%}` of the measure,
//! `{height=…}` of the text block's height, or a length), else at its natural size (its
//! pixels at the resolution its file records, 150 ppi when it records none; an SVG's own
//! size). Either way it is reduced, in proportion, to fit the room it has, and never
//! enlarged beyond what was asked. A raster printed at fewer than [`MIN_PRINT_PPI`] pixels
//! per inch is a warning in every profile: a PDF is made to be printed, and a publisher
//! wants to know before the proofs come back soft.

use super::Composer;
use crate::diag::{code, Diagnostic};
use crate::doc::{image_size, Image, ImageAsset};
use crate::typeset::paragraph::{InlineImage, Pieces, TextStyle};
use crate::units::Pt;

/// Fewer pixels per inch than this and print looks soft or blocky.
pub(super) const MIN_PRINT_PPI: f64 = 150.0;

/// Points in an inch.
const POINTS_PER_INCH: f64 = 72.0;

/// The room an image may take, and whether its own size is the natural one.
#[derive(Debug, Clone, Copy)]
pub(super) struct ImageRoom {
    /// The measure (what a percentage width is of, and the widest it may be).
    pub width: Pt,
    /// The tallest a natural-size image may be.
    pub natural_height: Pt,
    /// The tallest an image whose size was given may be.
    pub given_height: Pt,
}

/// An image's size on the page, and whether the author gave it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct SetSize {
    /// Width.
    pub width: Pt,
    /// Height.
    pub height: Pt,
    /// A width or height was asked for.
    pub given: bool,
}

/// The size `image` (of `asset`) is set at in `room`.
pub(super) fn set_size(
    image: &Image,
    asset: &ImageAsset,
    room: ImageRoom,
    text_height: Pt,
) -> SetSize {
    let (natural_width, natural_height) = asset.natural;
    let aspect = if natural_width > Pt::ZERO {
        natural_height / natural_width
    } else {
        1.0
    };
    let (width, height) = image_size(&image.attrs);
    let width = width.map(|w| w.resolve(room.width));
    let height = height.map(|h| h.resolve(text_height));
    let (w, h) = match (width, height) {
        (Some(w), Some(h)) => (w, h),
        (Some(w), None) => (w, w * aspect),
        (None, Some(h)) if aspect > 0.0 => (h / aspect, h),
        _ => (natural_width, natural_height),
    };
    let given = width.is_some() || height.is_some();
    let max_height = if given {
        room.given_height
    } else {
        room.natural_height
    };
    let scale = [1.0, room.width / w, max_height / h]
        .into_iter()
        .filter(|s| s.is_finite())
        .fold(1.0_f64, f64::min)
        .max(0.0);
    SetSize {
        width: w * scale,
        height: h * scale,
        given,
    }
}

/// The pixels per inch a raster of `pixels` across prints at, `width` wide; `None` for an
/// SVG (no pixels) or an empty width.
pub(super) fn printed_ppi(pixels: u32, width: Pt) -> Option<f64> {
    let inches = width.get() / POINTS_PER_INCH;
    (pixels > 0 && inches > 0.0).then(|| f64::from(pixels) / inches)
}

impl Composer<'_, '_> {
    /// An image in running text (or a table cell): set in the line at its natural size, at
    /// most [`crate::typeset::style::Inline::image_max_height`] lines tall; on a line of its
    /// own at the size its attributes give. Without a file (a missing image, an error
    /// already) its description stands in.
    pub(super) fn inline_image<'d>(
        &mut self,
        image: &'d Image,
        style: &TextStyle,
        out: &mut Pieces<'d>,
    ) {
        let Some((index, asset)) = image
            .asset
            .and_then(|i| self.book.images.get(i).map(|asset| (i, asset)))
        else {
            out.text(image.alt.as_str(), style);
            return;
        };
        let text_height = self.profile.text_height();
        let room = ImageRoom {
            width: self.profile.text_width(),
            natural_height: self.profile.leading * self.design().inline.image_max_height,
            given_height: text_height,
        };
        let size = set_size(image, asset, room, text_height);
        self.check_resolution(image, asset, size.width);
        out.image(InlineImage {
            image: index,
            width: size.width,
            height: size.height,
            own_line: size.given,
            link: style.link.clone(),
        });
    }

    /// A warning at `image` when it prints at `width` with fewer pixels per inch than print
    /// needs.
    pub(super) fn check_resolution(&mut self, image: &Image, asset: &ImageAsset, width: Pt) {
        let Some(ppi) = printed_ppi(asset.width, width) else {
            return;
        };
        if ppi >= MIN_PRINT_PPI {
            return;
        }
        let sharp_width = f64::from(asset.width) / MIN_PRINT_PPI;
        let warning = Diagnostic::warning(
            code::LOW_RESOLUTION,
            format!(
                "the image `{}` prints at {ppi:.0} ppi ({}x{} pixels set {:.2} in wide); print needs {MIN_PRINT_PPI:.0} ppi",
                image.src,
                asset.width,
                asset.height,
                width.get() / POINTS_PER_INCH,
            ),
        )
        .at(image.span.clone())
        .with_hint(format!(
            "use an image with more pixels, or set it at most {sharp_width:.2} in wide (`{{width={sharp_width:.2}in}}`)"
        ));
        self.warnings.push(warning);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::doc::Attributes;

    fn image(pairs: &[(&str, &str)]) -> Image {
        Image {
            src: "a.png".to_string(),
            alt: "a".to_string(),
            description: Vec::new(),
            title: String::new(),
            asset: Some(0),
            attrs: Attributes {
                pairs: pairs
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect(),
                ..Attributes::default()
            },
            span: crate::diag::Span::new(crate::diag::FileId(0), 0..1),
        }
    }

    fn asset(width: u32, height: u32, natural: (f64, f64)) -> ImageAsset {
        ImageAsset {
            path: "a.png".into(),
            package_path: "images/a.png".to_string(),
            media_type: "image/png".to_string(),
            width,
            height,
            natural: (Pt::new(natural.0), Pt::new(natural.1)),
        }
    }

    const ROOM: ImageRoom = ImageRoom {
        width: Pt::new(300.0),
        natural_height: Pt::new(240.0),
        given_height: Pt::new(380.0),
    };
    const TEXT_HEIGHT: Pt = Pt::new(400.0);

    fn size(pairs: &[(&str, &str)], natural: (f64, f64)) -> (f64, f64, bool) {
        let set = set_size(&image(pairs), &asset(100, 50, natural), ROOM, TEXT_HEIGHT);
        (set.width.get(), set.height.get(), set.given)
    }

    #[test]
    fn natural_size_is_kept_and_never_enlarged() {
        assert_eq!(size(&[], (88.0, 31.0)), (88.0, 31.0, false));
        // Wider than the measure: reduced in proportion.
        assert_eq!(size(&[], (600.0, 300.0)), (300.0, 150.0, false));
        // Taller than a natural image may be.
        assert_eq!(size(&[], (100.0, 480.0)), (50.0, 240.0, false));
    }

    #[test]
    fn given_sizes_are_honoured() {
        assert_eq!(size(&[("width", "50%")], (88.0, 44.0)), (150.0, 75.0, true));
        assert_eq!(size(&[("width", "2in")], (88.0, 44.0)), (144.0, 72.0, true));
        assert_eq!(
            size(&[("height", "25%")], (88.0, 44.0)),
            (200.0, 100.0, true)
        );
        assert_eq!(
            size(&[("width", "1in"), ("height", "1in")], (88.0, 44.0)),
            (72.0, 72.0, true)
        );
        // Asked wider than the measure: the measure.
        assert_eq!(
            size(&[("width", "8in")], (88.0, 44.0)),
            (300.0, 150.0, true)
        );
        // Unreadable: natural size.
        assert_eq!(
            size(&[("width", "50vw")], (88.0, 44.0)),
            (88.0, 44.0, false)
        );
    }

    #[test]
    fn printed_resolution() {
        assert_eq!(printed_ppi(88, Pt::new(72.0)), Some(88.0));
        assert_eq!(printed_ppi(300, Pt::new(144.0)), Some(150.0));
        assert_eq!(printed_ppi(0, Pt::new(72.0)), None);
    }
}
