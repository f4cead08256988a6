//! `[pdf] standard`: the standards a PDF can be asked to meet, by the names book.toml
//! gives them.

use serde::Deserialize;

/// `[pdf] standard`: one name or a list of them.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum StandardNames {
    /// One standard.
    One(String),
    /// Several standards that the file meets at once.
    Many(Vec<String>),
}

impl StandardNames {
    /// The names given.
    pub fn names(&self) -> Vec<&str> {
        match self {
            StandardNames::One(name) => vec![name.as_str()],
            StandardNames::Many(names) => names.iter().map(String::as_str).collect(),
        }
    }
}

/// A standard a PDF can be written to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PdfStandard {
    /// PDF/UA-1 (ISO 14289-1), accessible PDF.
    Ua1,
    /// PDF/A-2b (ISO 19005-2, level B), archival PDF that looks the same everywhere.
    A2b,
    /// PDF/A-2a (ISO 19005-2, level A), archival and tagged.
    A2a,
    /// PDF/X-4 (ISO 15930-7), print exchange.
    X4,
}

impl PdfStandard {
    /// The standard a `[pdf] standard` name names.
    pub fn from_name(name: &str) -> Option<PdfStandard> {
        match name.to_ascii_lowercase().as_str() {
            "pdf/ua-1" => Some(PdfStandard::Ua1),
            "pdf/a-2b" => Some(PdfStandard::A2b),
            "pdf/a-2a" => Some(PdfStandard::A2a),
            "pdf/x-4" => Some(PdfStandard::X4),
            _ => None,
        }
    }

    /// The standard's usual name.
    pub fn name(self) -> &'static str {
        match self {
            PdfStandard::Ua1 => "PDF/UA-1",
            PdfStandard::A2b => "PDF/A-2b",
            PdfStandard::A2a => "PDF/A-2a",
            PdfStandard::X4 => "PDF/X-4",
        }
    }
}
