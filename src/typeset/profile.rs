//! Page geometry and type sizes for the PDF profiles: `print` (a 6x9 in trade book with
//! mirrored margins and recto chapter openings), `a4` and `letter` handouts (single-sided,
//! larger text, no blank pages). book.toml's `[pdf]` table overrides any value. Each
//! profile carries its design ([`Style`]): everything else is proportioned from these.

use super::style::{CodeTheme, Style};
use crate::config::{parse_length, PdfConfig};
use crate::units::{Em, Pt};

/// The narrowest text block, whatever the margins book.toml sets (half an inch).
const MIN_TEXT_WIDTH: Pt = Pt::new(36.0);

/// The shortest text block, in body lines, whatever the margins book.toml sets.
const MIN_TEXT_LINES: f64 = 4.0;

/// The narrowest measure, in ems of the body size (about twice as many characters): a
/// larger size leaves lines of a word or two and headings wider than the page.
const MIN_MEASURE_EMS: f64 = 12.0;

/// A text block too small to set text in, across the page or down it, with the message.
#[derive(Debug, Clone, PartialEq)]
pub enum TextBlockProblem {
    /// Page width less the inner and outer margins.
    Width(String),
    /// Page height less the top and bottom margins.
    Height(String),
    /// The body size against the text block's width.
    FontSize(String),
}

/// One profile's settings, all lengths in PostScript points.
#[derive(Debug, Clone, PartialEq)]
pub struct Profile {
    /// Name as given (`print`, `a4`, `letter`).
    pub name: String,
    /// Page width.
    pub page_width: Pt,
    /// Page height.
    pub page_height: Pt,
    /// Top margin (the running head sits inside it).
    pub top: Pt,
    /// Bottom margin.
    pub bottom: Pt,
    /// Margin on the binding side.
    pub inner: Pt,
    /// Margin on the outer side.
    pub outer: Pt,
    /// Body text size.
    pub font_size: Pt,
    /// Baseline-to-baseline distance of body text.
    pub leading: Pt,
    /// Two-sided: mirrored margins, versos and rectos, chapters open on rectos.
    pub two_sided: bool,
    /// Use old-style figures in running text.
    pub oldstyle_figures: bool,
    /// Leave `<details>` out of the PDF (`[pdf] details = "omit"`); set them as boxes
    /// otherwise.
    pub omit_details: bool,
    /// The standards the PDF must meet (`[pdf] standard`).
    pub standards: Vec<crate::config::PdfStandard>,
    /// The sizes, spaces, indents and rules of every kind of block, in proportion to the
    /// body size and leading.
    pub design: Style,
}

impl Profile {
    /// The built-in profile called `name` (`print` when unknown).
    pub fn builtin(name: &str) -> Profile {
        match name {
            "a4" => Profile::handout("a4", Pt::new(595.28), Pt::new(841.89)),
            "letter" => Profile::handout("letter", Pt::new(612.0), Pt::new(792.0)),
            _ => Profile {
                name: "print".into(),
                page_width: Pt::new(432.0),
                page_height: Pt::new(648.0),
                top: Pt::new(58.0),
                bottom: Pt::new(58.0),
                inner: Pt::new(58.0),
                outer: Pt::new(44.0),
                font_size: Pt::new(10.5),
                leading: Pt::new(13.5),
                two_sided: true,
                oldstyle_figures: true,
                omit_details: false,
                standards: Vec::new(),
                design: Style::for_profile("print").clone(),
            },
        }
    }

    /// A single-sided handout: one-inch margins, larger text, lining figures.
    fn handout(name: &str, page_width: Pt, page_height: Pt) -> Profile {
        let inch = Pt::inches(1.0);
        Profile {
            name: name.into(),
            page_width,
            page_height,
            top: inch,
            bottom: inch,
            inner: inch,
            outer: inch,
            font_size: Pt::new(11.5),
            leading: Pt::new(15.0),
            two_sided: false,
            oldstyle_figures: false,
            omit_details: false,
            standards: Vec::new(),
            design: Style::for_profile(name).clone(),
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
        profile.apply_code_settings(config);
        profile.omit_details = config
            .details
            .as_ref()
            .is_some_and(|d| d.get_ref() == "omit");
        profile.standards = crate::config::pdf_standards(config);
        profile
    }

    /// `[pdf] code-theme`, `code-size` and `code-min-size` (sizes kept as shares of the body
    /// size, the smallest never above the size).
    fn apply_code_settings(&mut self, config: &PdfConfig) {
        let code = &mut self.design.code;
        let theme = config.code_theme.as_ref();
        if let Some(theme) = theme.and_then(|t| CodeTheme::from_name(t.get_ref())) {
            code.theme = theme;
        }
        let body = self.font_size;
        let share = |v: &Option<toml::Spanned<String>>| {
            v.as_ref()
                .and_then(|s| parse_length(s.get_ref()))
                .filter(|length| length.get() > 0.0 && body.get() > 0.0)
                .map(|length| Em::new(length.get() / body.get()))
        };
        if let Some(size) = share(&config.code_size) {
            // The same share smaller at most as the design allows.
            let shrink = code.min_size.get() / code.size.get();
            code.min_size = Em::new(size.get() * shrink);
            code.size = size;
        }
        if let Some(min) = share(&config.code_min_size) {
            code.min_size = Em::new(min.get().min(code.size.get()));
        }
    }

    /// Why the page size, margins and body size leave no text block octavo can set text
    /// in: narrower than [`MIN_TEXT_WIDTH`] or [`MIN_MEASURE_EMS`] ems, or lower than
    /// [`MIN_TEXT_LINES`] body lines. Typesetting would widen the block to the least size,
    /// past the margins, even off the page, or set a word or two a line.
    pub fn text_block_problem(&self) -> Option<TextBlockProblem> {
        let width = self.page_width - self.inner - self.outer;
        if width < MIN_TEXT_WIDTH {
            let margins = margin_pair("inner", self.inner, "outer", self.outer);
            return Some(TextBlockProblem::Width(format!(
                "{}; the least octavo sets is {} wide",
                room_left(&margins, width, "wide", self.page_width),
                inches(MIN_TEXT_WIDTH)
            )));
        }
        let ems = width.get() / self.font_size.get();
        if ems < MIN_MEASURE_EMS {
            return Some(TextBlockProblem::FontSize(format!(
                "a {:.1}pt font leaves {ems:.1} ems a line on a text block {} wide; the least \
                 octavo sets is {MIN_MEASURE_EMS} ems (about {} characters), so the largest \
                 size here is {:.1}pt",
                self.font_size.get(),
                inches(width),
                2.0 * MIN_MEASURE_EMS,
                width.get() / MIN_MEASURE_EMS
            )));
        }
        let height = self.page_height - self.top - self.bottom;
        let least = self.leading * MIN_TEXT_LINES;
        if height < least {
            let margins = margin_pair("top", self.top, "bottom", self.bottom);
            return Some(TextBlockProblem::Height(format!(
                "{}; the least octavo sets is {MIN_TEXT_LINES} lines, {} high",
                room_left(&margins, height, "high", self.page_height),
                inches(least)
            )));
        }
        None
    }

    /// Width of the text block.
    pub fn text_width(&self) -> Pt {
        (self.page_width - self.inner - self.outer).max(MIN_TEXT_WIDTH)
    }

    /// Height of the text block (body lines and footnotes).
    pub fn text_height(&self) -> Pt {
        (self.page_height - self.top - self.bottom).max(self.leading * MIN_TEXT_LINES)
    }

    /// Left edge of the text block on a page (0-based page index; page 0 is a recto).
    pub fn text_left(&self, page_index: usize) -> Pt {
        if self.two_sided && page_index % 2 == 1 {
            self.outer
        } else {
            self.inner
        }
    }
}

/// A length in inches, for messages (`0.75in`).
fn inches(length: Pt) -> String {
    format!("{:.2}in", length.get() / 72.0)
}

/// Two margins for messages (`inner 0.81in and outer 0.61in`).
fn margin_pair(first: &str, first_size: Pt, second: &str, second_size: Pt) -> String {
    format!(
        "{first} {} and {second} {}",
        inches(first_size),
        inches(second_size)
    )
}

/// What the `margins` leave of a page `page` long: a text block `size` wide (or high), or
/// nothing when they take the whole page.
fn room_left(margins: &str, size: Pt, dimension: &str, page: Pt) -> String {
    if size > Pt::ZERO {
        format!(
            "the margins ({margins}) leave a text block {} {dimension} on a {} page",
            inches(size),
            inches(page)
        )
    } else {
        format!(
            "the margins ({margins}) take the whole of a {} page",
            inches(page)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn margins_that_leave_no_text_block_are_a_problem() {
        let config = |toml: &str| toml::from_str::<PdfConfig>(toml).expect("[pdf] table");
        let resolved = |toml: &str| Profile::resolve(None, &config(toml));
        assert_eq!(resolved("").text_block_problem(), None);
        let wide = resolved("[margins]\ninner = \"3in\"\nouter = \"2.8in\"\n");
        match wide.text_block_problem() {
            Some(TextBlockProblem::Width(why)) => assert_eq!(
                why,
                "the margins (inner 3.00in and outer 2.80in) leave a text block 0.20in wide on \
                 a 6.00in page; the least octavo sets is 0.50in wide"
            ),
            other => panic!("{other:?}"),
        }
        let narrow_page = resolved("page-width = \"1in\"\n");
        assert_eq!(
            narrow_page.text_block_problem(),
            Some(TextBlockProblem::Width(
                "the margins (inner 0.81in and outer 0.61in) take the whole of a 1.00in page; \
                 the least octavo sets is 0.50in wide"
                    .to_string()
            ))
        );
        let low = resolved("[margins]\ntop = \"4.5in\"\nbottom = \"4in\"\n");
        assert!(matches!(
            low.text_block_problem(),
            Some(TextBlockProblem::Height(_))
        ));
        let large = resolved("font-size = \"30pt\"\n");
        assert_eq!(
            large.text_block_problem(),
            Some(TextBlockProblem::FontSize(
                "a 30.0pt font leaves 11.0 ems a line on a text block 4.58in wide; the least \
                 octavo sets is 12 ems (about 24 characters), so the largest size here is 27.5pt"
                    .to_string()
            ))
        );
        assert_eq!(
            resolved("font-size = \"18pt\"\n").text_block_problem(),
            None
        );
        // Exactly the least is allowed.
        assert_eq!(
            resolved("page-width = \"2in\"\nfont-size = \"3pt\"\n[margins]\ninner = \"1in\"\nouter = \"0.5in\"\n")
                .text_block_problem(),
            None
        );
    }

    #[test]
    fn print_is_six_by_nine_with_mirrored_margins() {
        let p = Profile::builtin("print");
        assert_eq!(
            (p.page_width, p.page_height),
            (Pt::new(432.0), Pt::new(648.0))
        );
        assert_eq!(p.text_left(0), p.inner);
        assert_eq!(p.text_left(1), p.outer);
        assert!(p.two_sided);
        let a4 = Profile::builtin("a4");
        assert_eq!(a4.text_left(0), a4.text_left(1));
    }

    #[test]
    fn code_settings_come_from_the_pdf_table() {
        assert_eq!(Profile::builtin("print").design.code.theme, CodeTheme::Grey);
        assert_eq!(Profile::builtin("a4").design.code.theme, CodeTheme::Colour);
        let config: PdfConfig =
            toml::from_str("code-theme = \"plain\"\nfont-size = \"10pt\"\ncode-size = \"9pt\"\n")
                .expect("a [pdf] table");
        let code = Profile::resolve(None, &config).design.code;
        assert_eq!(code.theme, CodeTheme::Plain);
        assert!((code.size.get() - 0.9).abs() < 1e-9);
        assert!(
            (code.min_size.get() - 0.81).abs() < 1e-9,
            "10 % smaller at most"
        );
        let config: PdfConfig = toml::from_str("code-min-size = \"20pt\"\n").expect("a table");
        let code = Profile::resolve(None, &config).design.code;
        assert_eq!(code.min_size, code.size, "never above the size");
    }
}
