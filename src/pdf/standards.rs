//! The standards a PDF is written to on request (`[pdf] standard`), through krilla's
//! validators: krilla then writes what the standard asks for (the identification in XMP,
//! the sRGB output intent of PDF/A, `/DisplayDocTitle`, the tag tree's `/Suspects false`)
//! and checks, as it writes, each rule a program can check (its `PDF_UA1.md` and
//! `PDF_A2.md` list them). A broken rule is an error naming the rule and the page, not a
//! file that claims a standard it does not meet.

use krilla::configure::{
    Accessibility, Archival, Configuration, ConfigurationBuilder, PdfVersion, ValidationError,
    Validator,
};
use krilla::surface::Location;
use krilla::SerializeSettings;

use super::writer::WriteError;
pub(crate) use crate::config::PdfStandard as Standard;

/// krilla's configuration for `standards` (none: plain PDF 1.7).
fn configuration(standards: &[Standard]) -> Result<Configuration, WriteError> {
    let mut builder = ConfigurationBuilder::new();
    for standard in standards {
        let validator = match standard {
            Standard::Ua1 => Validator::Ua(Accessibility::UA1),
            Standard::A2b => Validator::A(Archival::A2_B),
            Standard::A2a => Validator::A(Archival::A2_A),
            // krilla knows no PDF/X: it writes PDF 1.6 here, and [`super::pdfx`] adds the
            // output intent and the identification.
            Standard::X4 => {
                builder = builder.with_version(PdfVersion::Pdf16);
                continue;
            }
        };
        builder = builder.set_validator(validator);
    }
    builder.finish().map_err(|error| WriteError::Standard {
        rule: names(standards),
        place: "book.toml [pdf] standard".to_string(),
        reason: format!("these standards cannot be met together ({error:?})"),
    })
}

/// krilla's settings for a file written to `standards` (the rest left at krilla's
/// defaults): the configuration, and every colour ICC-based for PDF/X-4, whose CMYK output
/// intent forbids `DeviceRGB` (PDF/A asks krilla for the same by itself).
pub(super) fn settings(standards: &[Standard]) -> Result<SerializeSettings, WriteError> {
    Ok(SerializeSettings {
        no_device_cs: standards.contains(&Standard::X4),
        configuration: configuration(standards)?,
        ..SerializeSettings::default()
    })
}

/// The standards' names, joined.
fn names(standards: &[Standard]) -> String {
    let names: Vec<&str> = standards.iter().map(|s| s.name()).collect();
    names.join(" + ")
}

/// The page a location names (the writer sets page index + 1 as each page's location).
pub(super) fn page_location(page_index: usize) -> Option<Location> {
    Location::new(u64::try_from(page_index).ok()?.checked_add(1)?)
}

/// Where a location is, for a message.
fn place(location: Option<Location>) -> String {
    match location {
        Some(at) => format!("page {}", at.get()),
        None => "the document".to_string(),
    }
}

/// A broken rule as a [`WriteError`]: the clause of the standard it comes from, the place,
/// and what is wrong.
pub(super) fn violation(error: &ValidationError) -> WriteError {
    let (clause, location, reason): (&str, Option<Location>, String) = match error {
        ValidationError::NoDocumentLanguage => (
            "PDF/UA-1 7.2 (natural language)",
            None,
            "the book has no language (book.toml language)".to_string(),
        ),
        ValidationError::NoDocumentTitle => (
            "PDF/UA-1 7.1 (document title)",
            None,
            "the book has no title".to_string(),
        ),
        ValidationError::MissingAltText(at) => (
            "PDF/UA-1 7.3 / 7.7 (alternative text)",
            *at,
            "a figure or formula has no alternative text".to_string(),
        ),
        ValidationError::MissingHeadingTitle => (
            "PDF/UA-1 7.4 (headings)",
            None,
            "a heading has no title".to_string(),
        ),
        ValidationError::MissingDocumentOutline => (
            "PDF/UA-1 7.17 (navigation)",
            None,
            "the PDF has no outline (no chapter has a title)".to_string(),
        ),
        ValidationError::MissingAnnotationAltText(at) => (
            "PDF/UA-1 7.18.1 (annotations)",
            *at,
            "a link has no description".to_string(),
        ),
        ValidationError::MissingTagging => (
            "PDF/A-2a 6.8 / PDF/UA-1 7.1 (tagged PDF)",
            None,
            "the PDF is not tagged".to_string(),
        ),
        ValidationError::ContainsNotDefGlyph(_, at, text) => (
            "PDF/A-2 6.2.11.8 (.notdef glyph)",
            *at,
            format!("the text {text:?} is drawn with a font's .notdef glyph (a missing glyph)"),
        ),
        ValidationError::NoCodepointMapping(_, glyph, at) => (
            "PDF/A-2a 6.2.11.7.2 / PDF/UA-1 7.2 (Unicode mapping)",
            *at,
            format!("glyph {} maps to no character", glyph.to_u32()),
        ),
        ValidationError::InvalidCodepointMapping(_, glyph, c, at)
        | ValidationError::UnicodePrivateArea(_, glyph, c, at) => (
            "PDF/A-2a 6.2.11.7.2 / PDF/UA-1 7.2 (Unicode mapping)",
            *at,
            format!(
                "glyph {} maps to U+{:04X}, which is not usable text",
                glyph.to_u32(),
                u32::from(*c)
            ),
        ),
        ValidationError::Transparency(at) => (
            "PDF/A-2 6.2.10 (transparency)",
            *at,
            "transparency without a blending colour space".to_string(),
        ),
        ValidationError::ImageInterpolation(at) => (
            "PDF/A-2 6.2.8 (images)",
            *at,
            "an image asks for interpolation".to_string(),
        ),
        ValidationError::MissingDocumentDate => (
            "PDF/A-2 6.6.2 (metadata)",
            None,
            "the document has no date".to_string(),
        ),
        other => ("the standard's limits", None, format!("{other:?}")),
    };
    WriteError::Standard {
        rule: clause.to_string(),
        place: place(location),
        reason,
    }
}
