//! Lengths, with the unit in the type and every conversion between units here (after typst's
//! `Abs` and `Em`).
//!
//! - [`Pt`]: an absolute length in PostScript points (1/72 in), the unit of the page, the
//!   profile and the layout. Arithmetic on points is the arithmetic of `f64`, operation for
//!   operation, so a computation moved onto `Pt` gives the same bits as before.
//! - [`Em`]: a length relative to a font size (`1.5em` at 10 pt is 15 pt): indents, insets
//!   and type sizes of the book's design, made absolute by [`Em::at`].
//! - [`FontUnits`]: a length in a font's design units (`units_per_em` of them to the em), as
//!   its tables and the shaper give it. [`UnitScale`] turns them into points at a size.
//!
//! Shaped glyph positions stay `f32` points (a long book holds millions of them); [`Pt`]
//! converts from and to them.

use std::iter::Sum;
use std::ops::{Add, AddAssign, Div, Mul, Neg, Sub, SubAssign};

/// An absolute length in PostScript points.
#[derive(Debug, Default, Clone, Copy, PartialEq, PartialOrd)]
pub struct Pt(f64);

impl Pt {
    /// No length.
    pub const ZERO: Pt = Pt(0.0);

    /// `points` points.
    #[inline]
    pub const fn new(points: f64) -> Pt {
        Pt(points)
    }

    /// `millimetres` millimetres.
    #[inline]
    pub fn mm(millimetres: f64) -> Pt {
        Pt(millimetres * (72.0 / 25.4))
    }

    /// `centimetres` centimetres.
    #[inline]
    pub fn cm(centimetres: f64) -> Pt {
        Pt(centimetres * (72.0 / 2.54))
    }

    /// `inches` inches.
    #[inline]
    pub fn inches(inches: f64) -> Pt {
        Pt(inches * 72.0)
    }

    /// A length in `f32` points (a shaped glyph's position or advance).
    #[inline]
    pub fn from_f32(points: f32) -> Pt {
        Pt(f64::from(points))
    }

    /// The number of points.
    #[inline]
    pub const fn get(self) -> f64 {
        self.0
    }

    /// The number of points as `f32` (rounded to the nearest), for type sizes and glyphs.
    #[inline]
    pub fn to_f32(self) -> f32 {
        self.0 as f32
    }

    /// The larger of two lengths (as `f64::max`).
    #[inline]
    pub fn max(self, other: Pt) -> Pt {
        Pt(self.0.max(other.0))
    }

    /// The smaller of two lengths (as `f64::min`).
    #[inline]
    pub fn min(self, other: Pt) -> Pt {
        Pt(self.0.min(other.0))
    }

    /// The length without its sign.
    #[inline]
    pub fn abs(self) -> Pt {
        Pt(self.0.abs())
    }

    /// A total order on lengths (as `f64::total_cmp`), for sorting.
    #[inline]
    pub fn total_cmp(&self, other: &Pt) -> std::cmp::Ordering {
        self.0.total_cmp(&other.0)
    }

    /// Whether the length is a finite number.
    #[inline]
    pub fn is_finite(self) -> bool {
        self.0.is_finite()
    }
}

impl Add for Pt {
    type Output = Pt;
    #[inline]
    fn add(self, other: Pt) -> Pt {
        Pt(self.0 + other.0)
    }
}

impl Sub for Pt {
    type Output = Pt;
    #[inline]
    fn sub(self, other: Pt) -> Pt {
        Pt(self.0 - other.0)
    }
}

impl Neg for Pt {
    type Output = Pt;
    #[inline]
    fn neg(self) -> Pt {
        Pt(-self.0)
    }
}

impl AddAssign for Pt {
    #[inline]
    fn add_assign(&mut self, other: Pt) {
        self.0 += other.0;
    }
}

impl SubAssign for Pt {
    #[inline]
    fn sub_assign(&mut self, other: Pt) {
        self.0 -= other.0;
    }
}

impl Mul<f64> for Pt {
    type Output = Pt;
    #[inline]
    fn mul(self, factor: f64) -> Pt {
        Pt(self.0 * factor)
    }
}

impl Mul<Pt> for f64 {
    type Output = Pt;
    #[inline]
    fn mul(self, length: Pt) -> Pt {
        Pt(self * length.0)
    }
}

impl Div<f64> for Pt {
    type Output = Pt;
    #[inline]
    fn div(self, divisor: f64) -> Pt {
        Pt(self.0 / divisor)
    }
}

impl Div for Pt {
    type Output = f64;
    #[inline]
    fn div(self, other: Pt) -> f64 {
        self.0 / other.0
    }
}

impl Sum for Pt {
    /// The sum, as `f64`'s own sum adds (so an empty sum is the same zero).
    fn sum<I: Iterator<Item = Pt>>(iter: I) -> Pt {
        Pt(iter.map(Pt::get).sum())
    }
}

/// A length relative to a font size: `Em::new(1.5)` is one and a half times the size.
#[derive(Debug, Default, Clone, Copy, PartialEq, PartialOrd)]
pub struct Em(f64);

impl Em {
    /// `ems` times the font size.
    #[inline]
    pub const fn new(ems: f64) -> Em {
        Em(ems)
    }

    /// The number of ems.
    #[inline]
    pub const fn get(self) -> f64 {
        self.0
    }

    /// The length at the font size `size`.
    #[inline]
    pub fn at(self, size: Pt) -> Pt {
        Pt(size.0 * self.0)
    }
}

/// A length in a font's design units (`units_per_em` of them to the em).
#[derive(Debug, Default, Clone, Copy, PartialEq, PartialOrd)]
pub(crate) struct FontUnits(f32);

impl FontUnits {
    /// `units` design units.
    #[inline]
    pub(crate) const fn new(units: f32) -> FontUnits {
        FontUnits(units)
    }

    /// In `f32` points at the scale `scale` (units × points per unit).
    #[inline]
    pub(crate) fn at(self, scale: UnitScale) -> f32 {
        self.0 * scale.0
    }
}

/// Points per design unit of a font at a size.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct UnitScale(f32);

impl UnitScale {
    /// The scale of a font of `units_per_em` at `size` points.
    #[inline]
    pub fn new(size: f32, units_per_em: u16) -> UnitScale {
        UnitScale(size / f32::from(units_per_em))
    }

    /// Points per unit.
    #[inline]
    pub fn get(self) -> f32 {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn points_compute_as_f64_does() {
        let (a, b) = (10.5_f64, 13.5_f64);
        assert_eq!((Pt::new(a) * 1.9).get(), a * 1.9);
        assert_eq!((Pt::new(a) - Pt::new(b) / 3.0).get(), a - b / 3.0);
        assert_eq!(Pt::new(a) / Pt::new(b), a / b);
        let sum: Pt = [Pt::new(0.1), Pt::new(0.2), Pt::new(0.3)].into_iter().sum();
        assert_eq!(sum.get(), [0.1, 0.2, 0.3].iter().sum::<f64>());
        let empty: Pt = std::iter::empty().sum();
        assert_eq!(
            empty.get().to_bits(),
            std::iter::empty::<f64>().sum::<f64>().to_bits()
        );
    }

    #[test]
    fn units_of_the_page_convert_to_points() {
        assert_eq!(Pt::inches(1.0), Pt::new(72.0));
        assert_eq!(Pt::mm(25.4).get().round(), 72.0);
        assert_eq!(Pt::cm(2.54).get().round(), 72.0);
    }

    #[test]
    fn ems_are_relative_to_the_size() {
        assert_eq!(Em::new(1.5).at(Pt::new(10.0)), Pt::new(15.0));
        assert_eq!(Em::new(0.0).at(Pt::new(10.0)), Pt::ZERO);
    }

    #[test]
    fn font_units_scale_to_points() {
        let scale = UnitScale::new(10.0, 2048);
        assert_eq!(FontUnits::new(2048.0).at(scale), 10.0);
        assert_eq!(FontUnits::new(512.0).at(scale), 2.5);
    }
}
