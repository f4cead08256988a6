//! The sizes an author gives an image: pandoc's and Quarto's `{width=50%}`, `{width=3in}`,
//! `{height=2cm}` (and a raw `<img width="300">`), read here once for both backends. The
//! EPUB writes them as CSS on the `img`; the typesetter resolves them against the measure.
//!
//! As in pandoc, a number without a unit is CSS pixels (96 to the inch), and `inch` is `in`.

use crate::units::Pt;

/// A width or height as the author wrote it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct ImageLength {
    /// The number (positive and finite).
    pub value: f64,
    /// Its unit.
    pub unit: LengthUnit,
}

/// The units an image's size may be given in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LengthUnit {
    /// Percent of the text width (of the text height, for a height).
    Percent,
    /// CSS pixels, 96 to the inch (also a bare number).
    Px,
    /// Points, 72 to the inch.
    Pt,
    /// Picas, 6 to the inch.
    Pc,
    /// Inches.
    In,
    /// Centimetres.
    Cm,
    /// Millimetres.
    Mm,
}

/// The units by the names they are written with (longest first, so `inch` is not read as
/// `in` followed by `ch`).
const UNITS: [(&str, LengthUnit); 8] = [
    ("inch", LengthUnit::In),
    ("%", LengthUnit::Percent),
    ("px", LengthUnit::Px),
    ("pt", LengthUnit::Pt),
    ("pc", LengthUnit::Pc),
    ("in", LengthUnit::In),
    ("cm", LengthUnit::Cm),
    ("mm", LengthUnit::Mm),
];

/// Points in a CSS pixel.
const POINTS_PER_PX: f64 = 0.75;
/// Points in a pica.
const POINTS_PER_PICA: f64 = 12.0;

impl ImageLength {
    /// Reads `50%`, `3in`, `2.5cm`, `300` (pixels), …; `None` for anything else, a zero or a
    /// negative length.
    pub(crate) fn parse(text: &str) -> Option<ImageLength> {
        let text = text.trim();
        let (number, unit) = UNITS
            .iter()
            .find_map(|(name, unit)| {
                let number = text.strip_suffix(name)?;
                number
                    .ends_with(|c: char| c.is_ascii_digit() || c == '.')
                    .then_some((number, *unit))
            })
            .unwrap_or((text, LengthUnit::Px));
        let plain = number.chars().all(|c| c.is_ascii_digit() || c == '.');
        let value: f64 = number.trim().parse().ok().filter(|_| plain)?;
        (value.is_finite() && value > 0.0).then_some(ImageLength { value, unit })
    }

    /// The length in points; a percentage of `whole`.
    pub(crate) fn resolve(self, whole: Pt) -> Pt {
        let value = self.value;
        match self.unit {
            LengthUnit::Percent => whole * (value / 100.0),
            LengthUnit::Px => Pt::new(value * POINTS_PER_PX),
            LengthUnit::Pt => Pt::new(value),
            LengthUnit::Pc => Pt::new(value * POINTS_PER_PICA),
            LengthUnit::In => Pt::inches(value),
            LengthUnit::Cm => Pt::cm(value),
            LengthUnit::Mm => Pt::mm(value),
        }
    }

    /// The length as a CSS value (`50%`, `3in`, `300px`).
    pub(crate) fn css(self) -> String {
        let unit = match self.unit {
            LengthUnit::Percent => "%",
            LengthUnit::Px => "px",
            LengthUnit::Pt => "pt",
            LengthUnit::Pc => "pc",
            LengthUnit::In => "in",
            LengthUnit::Cm => "cm",
            LengthUnit::Mm => "mm",
        };
        format!("{}{unit}", self.value)
    }
}

/// The width and the height an image's attributes ask for (each `None` when not given or not
/// readable; resolve warns about one that does not read).
pub(crate) fn image_size(attrs: &super::Attributes) -> (Option<ImageLength>, Option<ImageLength>) {
    let length = |key| attrs.get(key).and_then(ImageLength::parse);
    (length("width"), length("height"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths_read_as_pandoc_reads_them() {
        let pt = |text: &str| ImageLength::parse(text).map(|l| l.resolve(Pt::new(400.0)).get());
        assert_eq!(pt("50%"), Some(200.0));
        assert_eq!(pt("3in"), Some(216.0));
        assert_eq!(pt("3inch"), Some(216.0));
        assert_eq!(pt("96px"), Some(72.0));
        assert_eq!(pt("96"), Some(72.0));
        assert_eq!(pt(" 12pt "), Some(12.0));
        assert_eq!(pt("2pc"), Some(24.0));
        assert!((pt("2.54cm").unwrap() - 72.0).abs() < 1e-9);
        assert!((pt("25.4mm").unwrap() - 72.0).abs() < 1e-9);
        for bad in [
            "", "%", "0", "-3in", "50vw", "3 in", "1e3px", "in", "NaN", "auto",
        ] {
            assert_eq!(ImageLength::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn lengths_become_css() {
        assert_eq!(ImageLength::parse("50%").unwrap().css(), "50%");
        assert_eq!(ImageLength::parse("3inch").unwrap().css(), "3in");
        assert_eq!(ImageLength::parse("120").unwrap().css(), "120px");
        assert_eq!(ImageLength::parse("2.5cm").unwrap().css(), "2.5cm");
    }
}
