//! Page geometry and type sizes for the PDF profiles: `print` (a 6x9 in trade book with
//! mirrored margins and recto chapter openings), `a4` and `letter` handouts (single-sided,
//! larger text, no blank pages). book.toml's `[pdf]` table overrides any value.

use crate::config::{parse_length, PdfConfig};

/// One profile's settings, all lengths in PostScript points.
#[derive(Debug, Clone, PartialEq)]
pub struct Profile {
    /// Name as given (`print`, `a4`, `letter`).
    pub name: String,
    /// Page width.
    pub page_width: f64,
    /// Page height.
    pub page_height: f64,
    /// Top margin (the running head sits inside it).
    pub top: f64,
    /// Bottom margin.
    pub bottom: f64,
    /// Margin on the binding side.
    pub inner: f64,
    /// Margin on the outer side.
    pub outer: f64,
    /// Body text size.
    pub font_size: f64,
    /// Baseline-to-baseline distance of body text.
    pub leading: f64,
    /// Two-sided: mirrored margins, versos and rectos, chapters open on rectos.
    pub two_sided: bool,
    /// Use old-style figures in running text.
    pub oldstyle_figures: bool,
    /// The smallest size a table's text is reduced to when its columns do not fit the
    /// measure side by side (tables are set a step below the body, and smaller only then).
    pub table_min_font_size: f64,
}

impl Profile {
    /// The built-in profile called `name` (`print` when unknown).
    pub fn builtin(name: &str) -> Profile {
        match name {
            "a4" => Profile::handout("a4", 595.28, 841.89),
            "letter" => Profile::handout("letter", 612.0, 792.0),
            _ => Profile {
                name: "print".into(),
                page_width: 432.0,
                page_height: 648.0,
                top: 58.0,
                bottom: 58.0,
                inner: 58.0,
                outer: 44.0,
                font_size: 10.5,
                leading: 13.5,
                two_sided: true,
                oldstyle_figures: true,
                table_min_font_size: 6.5,
            },
        }
    }

    /// A single-sided handout: one-inch margins, larger text, lining figures.
    fn handout(name: &str, page_width: f64, page_height: f64) -> Profile {
        Profile {
            name: name.into(),
            page_width,
            page_height,
            top: 72.0,
            bottom: 72.0,
            inner: 72.0,
            outer: 72.0,
            font_size: 11.5,
            leading: 15.0,
            two_sided: false,
            oldstyle_figures: false,
            table_min_font_size: 7.0,
        }
    }

    /// The profile selected by `--profile`, else book.toml, else `print`, with book.toml's
    /// overrides applied (values were validated when book.toml was read).
    pub fn resolve(cli: Option<&str>, config: &PdfConfig) -> Profile {
        let name = cli
            .map(str::to_string)
            .or_else(|| config.profile.as_ref().map(|p| p.get_ref().clone()))
            .unwrap_or_else(|| "print".to_string());
        let mut profile = Profile::builtin(&name);
        let length =
            |v: &Option<toml::Spanned<String>>| v.as_ref().and_then(|s| parse_length(s.get_ref()));
        let m = &config.margins;
        for (target, value) in [
            (&mut profile.page_width, length(&config.page_width)),
            (&mut profile.page_height, length(&config.page_height)),
            (&mut profile.font_size, length(&config.font_size)),
            (&mut profile.leading, length(&config.leading)),
            (&mut profile.top, length(&m.top)),
            (&mut profile.bottom, length(&m.bottom)),
            (&mut profile.inner, length(&m.inner)),
            (&mut profile.outer, length(&m.outer)),
        ] {
            if let Some(value) = value {
                *target = value;
            }
        }
        if let Some(oldstyle) = config.oldstyle_figures {
            profile.oldstyle_figures = oldstyle;
        }
        profile
    }

    /// Width of the text block.
    pub fn text_width(&self) -> f64 {
        (self.page_width - self.inner - self.outer).max(36.0)
    }

    /// Height of the text block (body lines and footnotes).
    pub fn text_height(&self) -> f64 {
        (self.page_height - self.top - self.bottom).max(self.leading * 4.0)
    }

    /// Left edge of the text block on a page (0-based page index; page 0 is a recto).
    pub fn text_left(&self, page_index: usize) -> f64 {
        if self.two_sided && page_index % 2 == 1 {
            self.outer
        } else {
            self.inner
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn print_is_six_by_nine_with_mirrored_margins() {
        let p = Profile::builtin("print");
        assert_eq!((p.page_width, p.page_height), (432.0, 648.0));
        assert_eq!(p.text_left(0), p.inner);
        assert_eq!(p.text_left(1), p.outer);
        assert!(p.two_sided);
        let a4 = Profile::builtin("a4");
        assert_eq!(a4.text_left(0), a4.text_left(1));
    }
}
