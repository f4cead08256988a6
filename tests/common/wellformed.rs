//! Well-formedness of the XML files in an EPUB, checked with an XML reader (quick-xml): the
//! property test and the grammar fuzz target share it.

use std::io::Read;

/// Every XML file of the EPUB parses (a well-formedness check, as an XML reader would do).
pub fn assert_well_formed(epub: &[u8], context: &str) {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(epub)).expect("a zip");
    for i in 0..archive.len() {
        let mut file = archive.by_index(i).expect("entry");
        let name = file.name().unwrap_or_default().to_string();
        let xml = [".xhtml", ".opf", ".ncx", ".xml"]
            .iter()
            .any(|ext| name.ends_with(ext));
        if !xml {
            continue;
        }
        let mut text = String::new();
        file.read_to_string(&mut text).expect("UTF-8");
        if let Err(e) = parse_xml(&text) {
            panic!("{name} is not well-formed XML ({e}) for {context}\n{text}");
        }
    }
}

/// Read `text` as XML to its end: the first error, if any.
pub fn parse_xml(text: &str) -> Result<(), String> {
    let mut reader = quick_xml::Reader::from_str(text);
    let mut depth = 0usize;
    loop {
        match reader.read_event() {
            Ok(quick_xml::events::Event::Eof) => {
                return (depth == 0).then_some(()).ok_or("unclosed elements".into())
            }
            Ok(quick_xml::events::Event::Start(start)) => {
                depth += 1;
                for attr in start.attributes() {
                    attr.map_err(|e| e.to_string())?;
                }
            }
            Ok(quick_xml::events::Event::End(_)) => depth = depth.saturating_sub(1),
            Ok(quick_xml::events::Event::Empty(empty)) => {
                for attr in empty.attributes() {
                    attr.map_err(|e| e.to_string())?;
                }
            }
            Ok(quick_xml::events::Event::Text(text)) => {
                text.decode().map_err(|e| e.to_string())?;
            }
            Ok(quick_xml::events::Event::GeneralRef(reference)) => {
                let known = matches!(&*reference, b"amp" | b"lt" | b"gt" | b"quot" | b"apos");
                let char_ref = reference.resolve_char_ref().map_err(|e| e.to_string())?;
                if !known && char_ref.is_none() {
                    return Err(format!(
                        "undefined entity &{};",
                        String::from_utf8_lossy(&reference)
                    ));
                }
            }
            Ok(_) => {}
            Err(e) => return Err(e.to_string()),
        }
    }
}
