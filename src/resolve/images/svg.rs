//! SVG images checked before they are packaged: drawings only, nothing that runs, loads
//! another file or expands entities.
//!
//! The SVG is parsed as namespaced XML with `quick-xml` (chosen over `roxmltree`: it is
//! already built for the citation styles; it streams, in time and memory linear in the file;
//! it never expands entities, reporting each reference instead; and it hands over the
//! document type declaration as written, so the standard SVG 1.1 one can be told from one
//! with an internal subset). Every element in the SVG namespace must be on an allow-list of
//! the drawing vocabulary (shapes, paths, text, paint servers, clipping, masking, filters,
//! `use`, `symbol`, `defs`, `style`, `title`, `desc`), whatever prefix it is written with, and
//! so must every attribute of one; references may only point inside the drawing (`#id`),
//! except links (`a`, to the web) and images (embedded PNG or JPEG only). Elements and
//! attributes of other vocabularies (Inkscape's, Sodipodi's, RDF metadata, Illustrator's)
//! are never rendered and are accepted as they are, save HTML and the few XML vocabularies
//! that can run or include something. CSS (`style` elements and attributes, and values such
//! as `fill="url(#g)"`) goes through [`crate::css`] and must come out unchanged.

use quick_xml::events::{BytesDecl, BytesStart, Event};
use quick_xml::name::ResolveResult;
use quick_xml::NsReader;

use crate::css::{filter_stylesheet, CssPlace, UrlVerdict};

const SVG_NS: &[u8] = b"http://www.w3.org/2000/svg";
const XLINK_NS: &[u8] = b"http://www.w3.org/1999/xlink";
const XML_NS: &[u8] = b"http://www.w3.org/XML/1998/namespace";

/// Namespaces whose elements or attributes can run code or pull in other files in some
/// reader: HTML, XML Events, XInclude, XSLT, MathML (which can hold HTML).
const ACTIVE_NAMESPACES: [(&[u8], &str); 5] = [
    (b"http://www.w3.org/1999/xhtml", "HTML"),
    (b"http://www.w3.org/2001/xml-events", "XML Events"),
    (b"http://www.w3.org/2001/XInclude", "XInclude"),
    (b"http://www.w3.org/1999/XSL/Transform", "XSLT"),
    (b"http://www.w3.org/1998/Math/MathML", "MathML"),
];

/// How deep elements may nest: libxml2, which several reading systems parse XML with, stops
/// at 256 (and quick-xml counts namespace scopes in 16 bits).
const MAX_DEPTH: usize = 256;

/// The one document type declaration with an external identifier that EPUB allows in SVG.
const SVG11_PUBLIC: &str = "-//W3C//DTD SVG 1.1//EN";
const SVG11_SYSTEM: &str = "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd";
/// SVG 1.0's declaration (under its two public identifiers, as Illustrator and older tools
/// write it): accepted, and left out of the EPUB's copy (`epub::packaged_svg`), since EPUB
/// does not allow it. Its DTD declares no entity a drawing could use.
const SVG10_PUBLIC: [&str; 2] = ["-//W3C//DTD SVG 1.0//EN", "-//W3C//DTD SVG 20010904//EN"];
const SVG10_SYSTEM: &str = "http://www.w3.org/TR/2001/REC-SVG-20010904/DTD/svg10.dtd";

/// The SVG drawing vocabulary octavo packages (SVG 1.1 and 2, without scripting, animation,
/// fonts, `foreignObject` and elements that load other files such as `cursor`).
const ELEMENTS: &[&str] = &[
    "svg",
    "g",
    "defs",
    "symbol",
    "use",
    "switch",
    "a",
    "title",
    "desc",
    "metadata",
    "style",
    "view",
    "path",
    "rect",
    "circle",
    "ellipse",
    "line",
    "polyline",
    "polygon",
    "text",
    "tspan",
    "textPath",
    "tref",
    "image",
    "linearGradient",
    "radialGradient",
    "stop",
    "pattern",
    "clipPath",
    "mask",
    "marker",
    "filter",
    "feBlend",
    "feColorMatrix",
    "feComponentTransfer",
    "feComposite",
    "feConvolveMatrix",
    "feDiffuseLighting",
    "feDisplacementMap",
    "feDistantLight",
    "feDropShadow",
    "feFlood",
    "feFuncA",
    "feFuncB",
    "feFuncG",
    "feFuncR",
    "feGaussianBlur",
    "feImage",
    "feMerge",
    "feMergeNode",
    "feMorphology",
    "feOffset",
    "fePointLight",
    "feSpecularLighting",
    "feSpotLight",
    "feTile",
    "feTurbulence",
];

/// Attributes (without a namespace) allowed on SVG elements: core and conditional ones, the
/// presentation attributes and the geometry, text, paint-server and filter attributes.
const ATTRIBUTES: &[&str] = &[
    // Core, styling, conditional processing, accessibility.
    "id",
    "class",
    "style",
    "lang",
    "tabindex",
    "role",
    "focusable",
    "requiredFeatures",
    "requiredExtensions",
    "systemLanguage",
    "externalResourcesRequired",
    "version",
    "baseProfile",
    "zoomAndPan",
    "contentStyleType",
    "href",
    "type",
    "media",
    "title",
    "target",
    "rel",
    "hreflang",
    "download",
    "referrerpolicy",
    "viewTarget",
    // Presentation attributes (SVG 1.1 and 2).
    "alignment-baseline",
    "baseline-shift",
    "clip",
    "clip-path",
    "clip-rule",
    "color",
    "color-interpolation",
    "color-interpolation-filters",
    "color-profile",
    "color-rendering",
    "direction",
    "display",
    "dominant-baseline",
    "enable-background",
    "fill",
    "fill-opacity",
    "fill-rule",
    "filter",
    "flood-color",
    "flood-opacity",
    "font",
    "font-family",
    "font-size",
    "font-size-adjust",
    "font-stretch",
    "font-style",
    "font-variant",
    "font-weight",
    "font-kerning",
    "font-feature-settings",
    "font-variant-ligatures",
    "font-variant-caps",
    "font-variant-numeric",
    "font-variant-east-asian",
    "font-variant-position",
    "glyph-orientation-horizontal",
    "glyph-orientation-vertical",
    "image-rendering",
    "isolation",
    "kerning",
    "letter-spacing",
    "lighting-color",
    "line-height",
    "marker",
    "marker-end",
    "marker-mid",
    "marker-start",
    "mask",
    "mask-type",
    "mix-blend-mode",
    "opacity",
    "overflow",
    "paint-order",
    "pointer-events",
    "shape-rendering",
    "solid-color",
    "solid-opacity",
    "stop-color",
    "stop-opacity",
    "stroke",
    "stroke-dasharray",
    "stroke-dashoffset",
    "stroke-linecap",
    "stroke-linejoin",
    "stroke-miterlimit",
    "stroke-opacity",
    "stroke-width",
    "text-anchor",
    "text-decoration",
    "text-overflow",
    "text-rendering",
    "transform-origin",
    "transform-box",
    "unicode-bidi",
    "vector-effect",
    "visibility",
    "white-space",
    "word-spacing",
    "writing-mode",
    "inline-size",
    "shape-inside",
    "shape-padding",
    "shape-margin",
    "shape-subtract",
    "cursor",
    // Geometry and viewports.
    "x",
    "y",
    "x1",
    "y1",
    "x2",
    "y2",
    "cx",
    "cy",
    "r",
    "rx",
    "ry",
    "fx",
    "fy",
    "fr",
    "width",
    "height",
    "d",
    "points",
    "pathLength",
    "transform",
    "viewBox",
    "preserveAspectRatio",
    // Text.
    "dx",
    "dy",
    "rotate",
    "textLength",
    "lengthAdjust",
    "startOffset",
    "method",
    "spacing",
    "side",
    "path",
    // Paint servers, markers, clipping and masking.
    "gradientUnits",
    "gradientTransform",
    "spreadMethod",
    "offset",
    "patternUnits",
    "patternContentUnits",
    "patternTransform",
    "markerWidth",
    "markerHeight",
    "markerUnits",
    "orient",
    "refX",
    "refY",
    "clipPathUnits",
    "maskUnits",
    "maskContentUnits",
    // Filters.
    "filterUnits",
    "primitiveUnits",
    "filterRes",
    "in",
    "in2",
    "result",
    "mode",
    "values",
    "tableValues",
    "slope",
    "intercept",
    "amplitude",
    "exponent",
    "k1",
    "k2",
    "k3",
    "k4",
    "operator",
    "order",
    "kernelMatrix",
    "divisor",
    "bias",
    "targetX",
    "targetY",
    "edgeMode",
    "kernelUnitLength",
    "preserveAlpha",
    "surfaceScale",
    "diffuseConstant",
    "specularConstant",
    "specularExponent",
    "scale",
    "xChannelSelector",
    "yChannelSelector",
    "stdDeviation",
    "radius",
    "baseFrequency",
    "numOctaves",
    "seed",
    "stitchTiles",
    "azimuth",
    "elevation",
    "z",
    "pointsAtX",
    "pointsAtY",
    "pointsAtZ",
    "limitingConeAngle",
    "crossorigin",
];

/// Elements whose `href` may name a place in the drawing (`#id`) and nothing else.
const FRAGMENT_REFERENCES: &[&str] = &[
    "use",
    "linearGradient",
    "radialGradient",
    "pattern",
    "filter",
    "textPath",
    "tref",
    "feImage",
];

/// Why an SVG cannot be packaged: the construct refused, and the line it is on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct SvgRefusal {
    /// What was found ("a <script> element", "the event handler attribute `onload`").
    pub what: String,
    /// 1-based line in the SVG file.
    pub line: usize,
}

/// Check an SVG's text; the first construct that may not go into an EPUB is refused.
pub(super) fn check_svg(text: &str) -> Result<(), SvgRefusal> {
    let text = text.strip_prefix('\u{FEFF}').unwrap_or(text);
    let mut checker = Checker {
        text,
        reader: NsReader::from_str(text),
        depth: 0,
        roots: 0,
        style: None,
    };
    checker.reader.config_mut().check_comments = true;
    checker.run()
}

struct Checker<'a> {
    text: &'a str,
    reader: NsReader<&'a [u8]>,
    /// Open elements.
    depth: usize,
    /// Root elements seen (one is allowed).
    roots: usize,
    /// The text of the SVG `style` element being read, and the depth it is open at.
    style: Option<(String, usize)>,
}

/// A refusal's description, before its line is known.
type Refused = Result<(), String>;

impl Checker<'_> {
    fn run(&mut self) -> Result<(), SvgRefusal> {
        loop {
            let at = self.reader.buffer_position();
            let event = self
                .reader
                .read_resolved_event()
                .map(|(ns, e)| (namespace_of(&ns), e));
            let result = match event {
                Err(err) => Err(format!("XML that is not well-formed ({err})")),
                Ok((_, Event::Eof)) => return self.finish(),
                Ok((ns, event)) => self.event(ns, event),
            };
            if let Err(what) = result {
                let at = self.reader.error_position().max(at);
                return Err(SvgRefusal {
                    what,
                    line: line_of(self.text, at),
                });
            }
        }
    }

    fn finish(&self) -> Result<(), SvgRefusal> {
        let line = line_of(self.text, self.text.len() as u64);
        match (self.roots, self.depth) {
            (0, _) => Err(SvgRefusal {
                what: "no <svg> element".to_string(),
                line,
            }),
            (_, 0) => Ok(()),
            _ => Err(SvgRefusal {
                what: "XML that is not well-formed (an element is not closed)".to_string(),
                line,
            }),
        }
    }

    fn event(&mut self, ns: Namespace, event: Event) -> Refused {
        match event {
            Event::Start(start) => {
                if self.depth >= MAX_DEPTH {
                    return Err(format!("elements nested more than {MAX_DEPTH} deep"));
                }
                self.element(ns, &start)?;
                self.depth += 1;
                Ok(())
            }
            Event::Empty(start) => {
                self.element(ns, &start)?;
                if self
                    .style
                    .as_ref()
                    .is_some_and(|(_, depth)| *depth > self.depth)
                {
                    // `<style/>`: nothing to check.
                    self.style = None;
                }
                Ok(())
            }
            Event::End(_) => {
                self.depth = self.depth.saturating_sub(1);
                self.end_style()
            }
            Event::Text(text) => {
                let text = text
                    .decode()
                    .map_err(|e| format!("text that is not UTF-8 ({e})"))?;
                self.text_content(&text)
            }
            Event::CData(data) => {
                let text = data
                    .decode()
                    .map_err(|e| format!("text that is not UTF-8 ({e})"))?;
                self.text_content(&text)
            }
            Event::GeneralRef(reference) => {
                let resolved = resolve_reference(&reference)?;
                self.text_content(&resolved)
            }
            Event::DocType(doctype) => {
                let doctype = doctype
                    .decode()
                    .map_err(|e| format!("a document type declaration that is not UTF-8 ({e})"))?;
                check_doctype(&doctype)
            }
            Event::Decl(declaration) => check_declaration(&declaration),
            Event::PI(pi) if pi.target().eq_ignore_ascii_case(b"xml-stylesheet") => {
                Err("a processing instruction that loads a style sheet".to_string())
            }
            Event::PI(_) | Event::Comment(_) | Event::Eof => Ok(()),
        }
    }

    /// Text between elements: only whitespace outside the root; CSS inside `style`.
    fn text_content(&mut self, text: &str) -> Refused {
        if self.depth == 0 && !text.trim().is_empty() {
            return Err("text outside the <svg> element".to_string());
        }
        if let Some((style, _)) = self.style.as_mut() {
            style.push_str(text);
        }
        Ok(())
    }

    fn element(&mut self, ns: Namespace, start: &BytesStart) -> Refused {
        let local = String::from_utf8_lossy(start.local_name().into_inner()).into_owned();
        if self.depth == 0 {
            self.roots += 1;
            if self.roots > 1 || ns != Namespace::Svg || local != "svg" {
                return Err(format!(
                    "<{local}> as its root element, where an <svg> element in the SVG namespace (xmlns=\"http://www.w3.org/2000/svg\") belongs"
                ));
            }
        }
        match ns {
            Namespace::Svg => self.svg_element(&local, start),
            Namespace::Active(vocabulary) => Err(format!("the {vocabulary} element <{local}>")),
            Namespace::Unknown(prefix) => {
                Err(format!("the prefix `{prefix}` with no namespace declared"))
            }
            // Other vocabularies (editor data, metadata) are not rendered; their attributes
            // still may not use the active namespaces or xml:base.
            Namespace::Other | Namespace::XLink | Namespace::Xml | Namespace::None => {
                self.foreign_attributes(&local, start)
            }
        }
    }

    fn svg_element(&mut self, local: &str, start: &BytesStart) -> Refused {
        if !ELEMENTS.contains(&local) {
            return Err(match local {
                "script" => "a <script> element".to_string(),
                "foreignObject" => {
                    "a <foreignObject> element (HTML or other content inside the drawing)"
                        .to_string()
                }
                _ => format!("the element <{local}>, which is not part of a plain drawing"),
            });
        }
        for attribute in start.attributes() {
            let attribute = attribute.map_err(|e| format!("a malformed attribute ({e})"))?;
            let key = attribute.key;
            if is_namespace_declaration(key.into_inner()) {
                continue;
            }
            let (resolved, name) = self.reader.resolve_attribute(key);
            let ns = namespace_of(&resolved);
            let name = String::from_utf8_lossy(name.into_inner()).into_owned();
            let value = attribute
                .unescape_value()
                .map_err(|e| format!("an attribute value with {e}"))?;
            svg_attribute(local, ns, &name, &value)?;
        }
        if local == "style" && self.style.is_none() {
            self.style = Some((String::new(), self.depth + 1));
        }
        Ok(())
    }

    fn foreign_attributes(&self, local: &str, start: &BytesStart) -> Refused {
        for attribute in start.attributes() {
            let attribute = attribute.map_err(|e| format!("a malformed attribute ({e})"))?;
            if is_namespace_declaration(attribute.key.into_inner()) {
                continue;
            }
            let (resolved, name) = self.reader.resolve_attribute(attribute.key);
            let name = String::from_utf8_lossy(name.into_inner());
            match namespace_of(&resolved) {
                Namespace::Active(vocabulary) => {
                    return Err(format!("the {vocabulary} attribute `{name}` on <{local}>"))
                }
                Namespace::Xml if name == "base" => return Err(xml_base()),
                Namespace::Unknown(prefix) => {
                    return Err(format!("the prefix `{prefix}` with no namespace declared"))
                }
                _ => {}
            }
            attribute
                .unescape_value()
                .map_err(|e| format!("an attribute value with {e}"))?;
        }
        Ok(())
    }

    /// At the end of an SVG `style` element (back at the depth outside it), its CSS must
    /// pass unchanged.
    fn end_style(&mut self) -> Refused {
        match self.style.take() {
            Some((css, depth)) if depth > self.depth => {
                check_css(&css, CssPlace::Stylesheet, "the <style> element")
            }
            other => {
                self.style = other;
                Ok(())
            }
        }
    }
}

/// The namespaces that matter here.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Namespace {
    Svg,
    XLink,
    Xml,
    Active(&'static str),
    Other,
    None,
    Unknown(String),
}

fn namespace_of(resolved: &ResolveResult) -> Namespace {
    match resolved {
        ResolveResult::Bound(ns) => {
            let ns = ns.into_inner();
            if ns == SVG_NS {
                Namespace::Svg
            } else if ns == XLINK_NS {
                Namespace::XLink
            } else if ns == XML_NS {
                Namespace::Xml
            } else if let Some((_, name)) = ACTIVE_NAMESPACES.iter().find(|(uri, _)| *uri == ns) {
                Namespace::Active(name)
            } else {
                Namespace::Other
            }
        }
        ResolveResult::Unbound => Namespace::None,
        ResolveResult::Unknown(prefix) => {
            Namespace::Unknown(String::from_utf8_lossy(prefix).into())
        }
    }
}

fn is_namespace_declaration(key: &[u8]) -> bool {
    key == b"xmlns" || key.starts_with(b"xmlns:")
}

fn xml_base() -> String {
    "an xml:base attribute (it changes where references lead)".to_string()
}

/// One attribute of an SVG element (`element` is its local name).
fn svg_attribute(element: &str, ns: Namespace, name: &str, value: &str) -> Refused {
    match ns {
        Namespace::None if name.len() > 2 && name[..2].eq_ignore_ascii_case("on") => Err(format!(
            "the event handler attribute `{name}` on <{element}>"
        )),
        Namespace::None if name == "href" => check_href(element, value),
        Namespace::None if name == "style" => check_css(
            &format!("x{{{value}}}"),
            CssPlace::StyleAttribute,
            "a style attribute",
        ),
        Namespace::None if ATTRIBUTES.contains(&name) || is_free_attribute(name) => {
            if value.contains('(') {
                check_css(
                    &format!("x{{{name}:{value}}}"),
                    CssPlace::StyleAttribute,
                    "an attribute",
                )
            } else {
                Ok(())
            }
        }
        Namespace::None => Err(format!(
            "the attribute `{name}` on <{element}>, which is not part of a plain drawing"
        )),
        Namespace::XLink if name == "href" => check_href(element, value),
        Namespace::XLink => Ok(()),
        Namespace::Xml if name == "base" => Err(xml_base()),
        Namespace::Xml => Ok(()),
        Namespace::Active(vocabulary) => Err(format!(
            "the {vocabulary} attribute `{name}` on <{element}>"
        )),
        Namespace::Unknown(prefix) => {
            Err(format!("the prefix `{prefix}` with no namespace declared"))
        }
        // Editor data (inkscape:label, sodipodi:nodetypes, …) is not rendered.
        Namespace::Svg | Namespace::Other => Ok(()),
    }
}

/// `data-*` and `aria-*` attributes carry no behaviour.
fn is_free_attribute(name: &str) -> bool {
    name.starts_with("data-") || name.starts_with("aria-")
}

/// Where an `href` of `element` may lead.
fn check_href(element: &str, value: &str) -> Refused {
    let href = value.trim_matches(|c: char| c.is_ascii_whitespace());
    let lower = href.to_ascii_lowercase();
    let refused = |kind: &str| Err(format!("{kind} (`{}`) in <{element}>", shorten(href)));
    match element {
        "a" => {
            let web = ["http://", "https://", "mailto:"];
            if href.starts_with('#') {
                Ok(())
            } else if !web.iter().any(|s| lower.starts_with(s)) {
                refused("a link that is not to the web or inside the drawing")
            } else if crate::url::encode_url(href) != href {
                refused("a link that is not a valid URL (percent-encode it)")
            } else {
                Ok(())
            }
        }
        "image" | "feImage" if is_embedded_raster(&lower) => Ok(()),
        "image" => refused("an image that is not an embedded PNG or JPEG"),
        _ if href.starts_with('#') && FRAGMENT_REFERENCES.contains(&element) => Ok(()),
        _ => refused("a reference to another file"),
    }
}

/// `data:image/png` and `data:image/jpeg` URLs.
fn is_embedded_raster(lower: &str) -> bool {
    ["data:image/png", "data:image/jpeg", "data:image/jpg"]
        .iter()
        .any(|prefix| lower.starts_with(prefix))
}

/// CSS inside the SVG must pass [`filter_stylesheet`] unchanged: references inside the
/// drawing and embedded PNG or JPEG images only.
fn check_css(css: &str, rules: CssPlace, place: &str) -> Refused {
    let judge = |url: &str| {
        let url = url.trim();
        if url.starts_with('#') || is_embedded_raster(&url.to_ascii_lowercase()) {
            UrlVerdict::Keep
        } else {
            UrlVerdict::Drop {
                reason: format!("it names another file (`{}`)", shorten(url)),
                hint: String::new(),
            }
        }
    };
    match filter_stylesheet(css, rules, &judge).dropped.first() {
        Some(dropped) => Err(format!(
            "CSS in {place} that an EPUB may not hold: {}",
            dropped.message
        )),
        None => Ok(()),
    }
}

/// `&name;` and `&#N;` in text: the five predefined entities and character references only
/// (no document type declaration with an internal subset was accepted, so no other entity
/// is defined).
fn resolve_reference(reference: &quick_xml::events::BytesRef) -> Result<String, String> {
    if let Ok(Some(c)) = reference.resolve_char_ref() {
        return Ok(c.to_string());
    }
    let name = reference
        .decode()
        .map_err(|e| format!("an entity reference that is not UTF-8 ({e})"))?;
    match quick_xml::escape::resolve_predefined_entity(&name) {
        Some(text) => Ok(text.to_string()),
        None => Err(format!("the entity reference `&{name};`")),
    }
}

/// `<!DOCTYPE svg>` and the standard SVG 1.1 and 1.0 declarations (what graphviz, Inkscape
/// and Illustrator write) are accepted; an internal subset (entity declarations) or another
/// external identifier is not.
fn check_doctype(doctype: &str) -> Refused {
    let mut quoted: Vec<&str> = Vec::new();
    let mut rest = doctype;
    let mut bare = String::new();
    while let Some(at) = rest.find(['"', '\'']) {
        bare.push_str(&rest[..at]);
        let quote = &rest[at..at + 1];
        let Some(len) = rest[at + 1..].find(quote) else {
            return Err("a malformed document type declaration".to_string());
        };
        quoted.push(&rest[at + 1..at + 1 + len]);
        rest = &rest[at + 2 + len..];
    }
    bare.push_str(rest);
    if bare.contains('[') {
        return Err("a document type declaration with its own declarations (entities)".to_string());
    }
    let words: Vec<&str> = bare.split_whitespace().collect();
    match (words.as_slice(), quoted.as_slice()) {
        ([_], []) => Ok(()),
        ([_, "PUBLIC"], [public, system]) if *public == SVG11_PUBLIC && *system == SVG11_SYSTEM => {
            Ok(())
        }
        ([_, "PUBLIC"], [public, system])
            if SVG10_PUBLIC.contains(public) && *system == SVG10_SYSTEM =>
        {
            Ok(())
        }
        _ => Err(format!(
            "the document type declaration `<!DOCTYPE {}>`, which EPUB does not allow (an SVG needs none: delete it)",
            doctype.trim()
        )),
    }
}

/// `<?xml … encoding="…"?>`: EPUB's XML is UTF-8.
fn check_declaration(declaration: &BytesDecl) -> Refused {
    let Some(encoding) = declaration.encoding() else {
        return Ok(());
    };
    let encoding = encoding.map_err(|e| format!("a malformed XML declaration ({e})"))?;
    let encoding = String::from_utf8_lossy(&encoding).into_owned();
    if encoding.eq_ignore_ascii_case("utf-8") || encoding.eq_ignore_ascii_case("utf8") {
        Ok(())
    } else {
        Err(format!(
            "the encoding {encoding} in its XML declaration (EPUB needs UTF-8)"
        ))
    }
}

/// At most 60 characters of `text`, for messages.
fn shorten(text: &str) -> String {
    match text.char_indices().nth(60) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_string(),
    }
}

/// 1-based line of a byte offset.
fn line_of(text: &str, offset: u64) -> usize {
    let offset = usize::try_from(offset)
        .unwrap_or(usize::MAX)
        .min(text.len());
    text.as_bytes()[..offset]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refusal(svg: &str) -> String {
        match check_svg(svg) {
            Ok(()) => panic!("accepted: {svg}"),
            Err(refusal) => format!("{} (line {})", refusal.what, refusal.line),
        }
    }

    const OPEN: &str =
        "<svg xmlns=\"http://www.w3.org/2000/svg\" xmlns:xlink=\"http://www.w3.org/1999/xlink\">";

    fn drawing(inner: &str) -> String {
        format!("{OPEN}{inner}</svg>")
    }

    #[test]
    fn drawings_as_tools_write_them_are_accepted() {
        let graphviz = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?>\n\
            <!DOCTYPE svg PUBLIC \"-//W3C//DTD SVG 1.1//EN\"\n \"http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd\">\n\
            <!-- Generated by graphviz -->\n\
            <svg width=\"62pt\" height=\"116pt\" viewBox=\"0 0 62 116\" xmlns=\"http://www.w3.org/2000/svg\" xmlns:xlink=\"http://www.w3.org/1999/xlink\">\n\
            <g id=\"graph0\" class=\"graph\" transform=\"scale(1 1) rotate(0) translate(4 112)\"><title>G</title>\n\
            <polygon fill=\"white\" stroke=\"none\" points=\"-4,4 -4,-112 58,-112 58,4 -4,4\"/>\n\
            <g id=\"a_node1\"><a xlink:href=\"https://example.org/a%20b\" xlink:title=\"a &amp; b\">\n\
            <ellipse fill=\"none\" stroke=\"black\" cx=\"27\" cy=\"-90\" rx=\"27\" ry=\"18\"/>\n\
            <text text-anchor=\"middle\" x=\"27\" y=\"-86.3\" font-family=\"Times,serif\" font-size=\"14.00\">a&#160;&lt;b</text></a></g>\n\
            </g>\n</svg>\n";
        assert_eq!(check_svg(graphviz), Ok(()));
        let inkscape = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
            <svg xmlns:dc=\"http://purl.org/dc/elements/1.1/\" xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\" xmlns=\"http://www.w3.org/2000/svg\" xmlns:sodipodi=\"http://sodipodi.sourceforge.net/DTD/sodipodi-0.dtd\" xmlns:inkscape=\"http://www.inkscape.org/namespaces/inkscape\" inkscape:version=\"1.2\" sodipodi:docname=\"d.svg\">\n\
            <sodipodi:namedview id=\"base\" pagecolor=\"#ffffff\" inkscape:zoom=\"0.35\"/>\n\
            <metadata><rdf:RDF><dc:type rdf:resource=\"http://purl.org/dc/dcmitype/StillImage\"/></rdf:RDF></metadata>\n\
            <g inkscape:label=\"Layer 1\" inkscape:groupmode=\"layer\"><text style=\"font-size:4px;direction:ltr;writing-mode:lr-tb;fill:url(#g)\" sodipodi:role=\"line\">x</text></g>\n\
            </svg>";
        assert_eq!(check_svg(inkscape), Ok(()));
        let prefixed = "<svg:svg xmlns:svg=\"http://www.w3.org/2000/svg\"><svg:rect width=\"1\" height=\"1\"/></svg:svg>";
        assert_eq!(check_svg(prefixed), Ok(()));
        let styled = drawing(
            "<defs><linearGradient id=\"g\"><stop offset=\"0\"/></linearGradient>\
             <style type=\"text/css\"><![CDATA[ .a > b { fill: url(#g) } ]]>.c { stroke: red }</style></defs>\
             <use xlink:href=\"#g\"/><use href=\"#g\"/>\
             <image width=\"1\" height=\"1\" href=\"data:image/png;base64,iVBORw0KGgo=\"/>\
             <rect data-name=\"r\" aria-label=\"r\" filter=\"url(#f)\" transform=\"rotate(3)\"/>",
        );
        assert_eq!(check_svg(&styled), Ok(()));
        assert_eq!(
            check_svg("\u{FEFF}<!DOCTYPE svg><svg xmlns=\"http://www.w3.org/2000/svg\"/>"),
            Ok(())
        );
        for public in SVG10_PUBLIC {
            let svg10 = format!(
                "<?xml version=\"1.0\"?>\n<!DOCTYPE svg PUBLIC \"{public}\"\n  \"{SVG10_SYSTEM}\">\n\
                 <svg xmlns=\"http://www.w3.org/2000/svg\"/>"
            );
            assert_eq!(check_svg(&svg10), Ok(()), "{svg10}");
        }
    }

    #[test]
    fn what_runs_or_loads_is_refused_in_every_spelling() {
        let cases = [
            (drawing("<image href = \"http://x/y.png\"/>"), "an image that is not an embedded PNG or JPEG (`http://x/y.png`) in <image>"),
            (drawing("<image xlink:href='//x/y.png'/>"), "an image that is not an embedded PNG"),
            (drawing("<s:script xmlns:s=\"http://www.w3.org/2000/svg\">alert(1)</s:script>"), "a <script> element"),
            (drawing("<g OnClick=\"x()\"/>"), "the event handler attribute `OnClick` on <g>"),
            (drawing("<foreignObject><div/></foreignObject>"), "a <foreignObject> element"),
            (drawing("<x:meta xmlns:x=\"urn:x\"><h:script xmlns:h=\"http://www.w3.org/1999/xhtml\"/></x:meta>"), "the HTML element <script>"),
            (drawing("<use href=\"other.svg#x\"/>"), "a reference to another file (`other.svg#x`) in <use>"),
            (drawing("<a href=\" javascript:alert(1)\"><rect/></a>"), "a link that is not to the web or inside the drawing"),
            (drawing("<g xml:base=\"http://x/\"/>"), "an xml:base attribute"),
            (drawing("<set attributeName=\"href\" to=\"x\"/>"), "the element <set>"),
            (drawing("<rect fill=\"url(http://x/p.svg#a)\"/>"), "CSS in an attribute that an EPUB may not hold"),
            (drawing("<rect style=\"fill:u\\72 l(http://x/p.svg#a)\"/>"), "CSS in a style attribute"),
            (drawing("<style>@import url(x.css);</style>"), "CSS in the <style> element that an EPUB may not hold: the @import rule"),
            (drawing("<style><x:y xmlns:x=\"urn:x\"/>@import url(http://x/e.css);</style>"), "the @import rule"),
            (drawing("<style>text { direction: rtl }</style>"), "`direction`"),
            (drawing("<rect frobnicate=\"1\"/>"), "the attribute `frobnicate` on <rect>"),
            (drawing("<text>&ent;</text>"), "the entity reference `&ent;`"),
            (drawing("<rect/>\n<g>"), "not well-formed"),
            (format!("<?xml-stylesheet href=\"http://x/s.css\"?>{}", drawing("")), "a processing instruction that loads a style sheet"),
            ("<!DOCTYPE svg [<!ENTITY a \"aaaa\">]><svg xmlns=\"http://www.w3.org/2000/svg\">&a;</svg>".to_string(), "its own declarations"),
            ("<!DOCTYPE svg PUBLIC \"-//W3C//DTD SVG 1.0//EN\" \"http://example.org/svg10.dtd\"><svg xmlns=\"http://www.w3.org/2000/svg\"/>".to_string(), "which EPUB does not allow"),
            ("<!DOCTYPE svg PUBLIC \"-//W3C//DTD SVG 1.1//EN\"><svg xmlns=\"http://www.w3.org/2000/svg\"/>".to_string(), "which EPUB does not allow"),
            ("<!DOCTYPE svg SYSTEM \"file:///etc/passwd\"><svg xmlns=\"http://www.w3.org/2000/svg\"/>".to_string(), "which EPUB does not allow"),
            ("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><svg xmlns=\"http://www.w3.org/2000/svg\"/>".to_string(), "the encoding ISO-8859-1"),
            ("<svg><rect/></svg>".to_string(), "<svg> as its root element, where an <svg> element in the SVG namespace"),
            ("<html xmlns=\"http://www.w3.org/1999/xhtml\"/>".to_string(), "<html> as its root element"),
            ("<!-- nothing -->".to_string(), "no <svg> element"),
        ];
        for (svg, expected) in cases {
            let found = refusal(&svg);
            assert!(
                found.contains(expected),
                "{svg}\n  gave: {found}\n  expected: {expected}"
            );
        }
    }

    #[test]
    fn deep_or_long_svgs_stay_linear() {
        let depth = 200_000;
        let deep = drawing(&format!("{}{}", "<g>".repeat(depth), "</g>".repeat(depth)));
        assert!(refusal(&deep).contains("nested more than 256 deep"));
        let fine = drawing(&format!("{}{}", "<g>".repeat(200), "</g>".repeat(200)));
        assert_eq!(check_svg(&fine), Ok(()));
        let parens = format!("rotate({}1{})", "(".repeat(depth), ")".repeat(depth));
        let long = drawing(&format!("<g transform=\"{parens}\"/>"));
        assert!(refusal(&long).contains("CSS in an attribute"));
        let links = drawing(&"<a href=\"https://a.b/c d\"/>".repeat(2));
        assert!(refusal(&links).contains("not a valid URL"));
    }

    #[test]
    fn the_refusal_names_its_line() {
        let svg = format!("{OPEN}\n<rect/>\n<script/>\n</svg>");
        assert_eq!(refusal(&svg), "a <script> element (line 3)");
    }
}
