//! PDF/X-4 (ISO 15930-7:2010), the file a printer asks for: what krilla (0.8, which knows no
//! PDF/X) cannot write is added to the file it wrote, before the other fixes
//! ([`super::krilla_fixes`]) rewrite it.
//!
//! krilla is asked for what it can do itself ([`super::standards`]): PDF 1.6, the version
//! PDF/X-4 is built on, and every colour ICC-based (sRGB or grey, colour-managed to the
//! printing condition; no `DeviceRGB`, which a CMYK output intent forbids). Here the file
//! gains:
//! - the **output intent**: `/OutputIntents` in the catalog, a `GTS_PDFX` intent naming the
//!   printing condition (Coated FOGRA39) with its CMYK ICC profile embedded (`icc/`, made
//!   from FOGRA's characterization data under the Zlib licence);
//! - the **identification**: `/GTS_PDFXVersion (PDF/X-4)` and `/Trapped /False` in `/Info`,
//!   and in the XMP packet `pdfxid:GTS_PDFXVersion`, `pdf:Trapped`, `xmpMM:VersionID` and
//!   `xmpMM:RenditionClass default` (krilla writes `proof`).
//!
//! - **links that do not print**: krilla sets every annotation's Print flag; a link has no
//!   appearance, and PDF/X allows no printing annotation on the page.
//!
//! The rest of PDF/X-4 the writer already meets: every font embedded, a `/TrimBox` on every
//! page (and a `/BleedBox` with bleed), an `/ID`, no encryption, no JavaScript.

use std::io::Write as _;

use super::krilla_fixes::{contains, find, Tail};
use super::object_streams::{deflate, objects_in_order};

/// The CMYK output profile (see `icc/README.md`).
const PROFILE: &[u8] = include_bytes!("icc/fogra39.icc");

/// The output intent's entries before its profile's reference: the printing condition as
/// the ICC's registry names it.
const OUTPUT_INTENT: &str = "/OutputIntents[<</Type/OutputIntent/S/GTS_PDFX\
/OutputConditionIdentifier(FOGRA39)/RegistryName(http://www.color.org)\
/OutputCondition(Offset printing on coated paper, ISO 12647-2:2004/Amd 1)\
/Info(Coated FOGRA39)/DestOutputProfile ";

/// The version PDF/X-4 names itself by, in `/Info` and XMP.
const VERSION: &str = "PDF/X-4";

/// The XMP namespace of the PDF/X identification.
const PDFX_ID_NAMESPACE: &str = "http://www.npes.org/pdfx/ns/id/";

/// The file krilla wrote with the PDF/X-4 output intent and identification; an error when
/// it is not laid out as krilla writes it (the build then fails rather than write a file
/// that claims PDF/X without meeting it).
pub(super) fn with_print_intent(pdf: &[u8]) -> Result<Vec<u8>, String> {
    let unexpected = |what: &str| format!("PDF/X-4: the PDF is not as expected ({what})");
    let tail = Tail::parse(pdf).ok_or_else(|| unexpected("its cross-reference table"))?;
    let info = reference_after(tail.trailer_entries.as_bytes(), b"/Info ")
        .ok_or_else(|| unexpected("no /Info"))?;
    let metadata = reference_after(&pdf[tail.catalog.clone()], b"/Metadata ")
        .ok_or_else(|| unexpected("no XMP metadata"))?;
    let objects = objects_in_order(&tail.offsets, tail.xref_start);
    let first = objects
        .first_start()
        .ok_or_else(|| unexpected("no objects"))?;
    let profile_number = tail.offsets.len();
    let mut offsets: Vec<Option<usize>> = vec![None; profile_number + 1];
    let mut out = Vec::with_capacity(pdf.len() + PROFILE.len());
    out.extend_from_slice(&pdf[..first]);
    for (start, number, end) in objects {
        let object = &pdf[start..end];
        let rewritten = if number == info {
            Some(with_info_entries(object).ok_or_else(|| unexpected("/Info"))?)
        } else if number == metadata {
            Some(with_xmp_identification(object).ok_or_else(|| unexpected("the XMP packet"))?)
        } else if (start..end).contains(&tail.catalog.start) {
            // The catalog is the last object; the profile goes before it, so that it stays
            // last for the fixes that follow.
            offsets[profile_number] = Some(out.len());
            write_profile(profile_number, &mut out);
            Some(
                with_output_intent(object, profile_number)
                    .ok_or_else(|| unexpected("the catalog"))?,
            )
        } else if object.windows(LINK.len()).take(32).any(|w| w == LINK) {
            Some(without_print_flag(object))
        } else {
            None
        };
        offsets[number] = Some(out.len());
        out.extend_from_slice(rewritten.as_deref().unwrap_or(object));
    }
    if offsets[profile_number].is_none() {
        return Err(unexpected("no catalog"));
    }
    write_xref_table(&offsets, &tail.trailer_entries, &mut out);
    Ok(out)
}

/// How krilla's link annotations begin.
const LINK: &[u8] = b"<</Type/Annot/Subtype/Link";

/// A link annotation that does not print: krilla sets the Print flag (`/F 4`) on every
/// annotation, and PDF/X allows no printing annotation on the page but trap networks and
/// printer's marks. A link has no appearance, so nothing printed changes.
fn without_print_flag(object: &[u8]) -> Vec<u8> {
    let mut out = object.to_vec();
    if let Some(at) = find(&out, b"/F 4/").or_else(|| find(&out, b"/F 4>>")) {
        out[at + 3] = b'0';
    }
    out
}

/// The object number in `N 0 R` after `key` in `text`.
fn reference_after(text: &[u8], key: &[u8]) -> Option<usize> {
    let at = text.windows(key.len()).position(|w| w == key)? + key.len();
    let digits: Vec<u8> = text[at..]
        .iter()
        .copied()
        .take_while(u8::is_ascii_digit)
        .collect();
    std::str::from_utf8(&digits).ok()?.parse().ok()
}

/// An object `N 0 obj\n<<…>>\nendobj\n` with `entries` added at the end of its dictionary.
fn with_entries(object: &[u8], entries: &str) -> Option<Vec<u8>> {
    let tail = b">>\nendobj\n";
    let body = object.strip_suffix(tail)?;
    let mut out = Vec::with_capacity(object.len() + entries.len());
    out.extend_from_slice(body);
    out.extend_from_slice(entries.as_bytes());
    out.extend_from_slice(tail);
    Some(out)
}

/// The `/Info` dictionary with the PDF/X version and the trapping state (none done).
fn with_info_entries(object: &[u8]) -> Option<Vec<u8>> {
    if contains(object, b"/GTS_PDFXVersion") {
        return Some(object.to_vec());
    }
    with_entries(
        object,
        &format!("/GTS_PDFXVersion({VERSION})/Trapped/False"),
    )
}

/// The catalog with the output intent, whose profile is object `profile`.
fn with_output_intent(object: &[u8], profile: usize) -> Option<Vec<u8>> {
    if contains(object, b"/OutputIntents") {
        return None;
    }
    with_entries(object, &format!("{OUTPUT_INTENT}{profile} 0 R>>]"))
}

/// The profile as object `number`: an ICC stream of four components, compressed.
fn write_profile(number: usize, out: &mut Vec<u8>) {
    let data = deflate(PROFILE);
    let _ = write!(
        out,
        "{number} 0 obj\n<</N 4/Filter/FlateDecode/Length {}>>\nstream\n",
        data.len()
    );
    out.extend_from_slice(&data);
    out.extend_from_slice(b"\nendstream\nendobj\n");
}

/// The XMP stream object with the PDF/X identification in its description. krilla writes
/// the packet uncompressed, as one `rdf:Description`.
fn with_xmp_identification(object: &[u8]) -> Option<Vec<u8>> {
    let dict_end = find(object, b">>\nstream\n")?;
    let data_start = dict_end + b">>\nstream\n".len();
    let data_end = data_start + find(&object[data_start..], b"\nendstream")?;
    let dict = std::str::from_utf8(&object[..dict_end]).ok()?;
    if dict.contains("/Filter") {
        return None;
    }
    let packet = std::str::from_utf8(&object[data_start..data_end]).ok()?;
    let packet = xmp_with_identification(packet)?;
    let length_at = dict.find("/Length ")? + "/Length ".len();
    let digits = dict[length_at..]
        .bytes()
        .take_while(u8::is_ascii_digit)
        .count();
    let dict = format!(
        "{}{}{}",
        &dict[..length_at],
        packet.len(),
        &dict[length_at + digits..]
    );
    let mut out = Vec::with_capacity(object.len() + 256);
    out.extend_from_slice(dict.as_bytes());
    out.extend_from_slice(b">>\nstream\n");
    out.extend_from_slice(packet.as_bytes());
    out.extend_from_slice(&object[data_end..]);
    Some(out)
}

/// The XMP packet with the PDF/X namespace declared on its description and the PDF/X
/// properties at its end; the rendition class is the document itself (`default`).
fn xmp_with_identification(packet: &str) -> Option<String> {
    let open = packet.find("<rdf:Description ")? + "<rdf:Description ".len();
    let close = packet.rfind("</rdf:Description>")?;
    if open > close || packet.contains("pdfxid:") {
        return None;
    }
    let properties = format!(
        "<pdfxid:GTS_PDFXVersion>{VERSION}</pdfxid:GTS_PDFXVersion>\
         <pdf:Trapped>False</pdf:Trapped><xmpMM:VersionID>1</xmpMM:VersionID>"
    );
    let body = packet[open..close].replace(
        "<xmpMM:RenditionClass>proof</xmpMM:RenditionClass>",
        "<xmpMM:RenditionClass>default</xmpMM:RenditionClass>",
    );
    let mut out = String::with_capacity(packet.len() + 256);
    out.push_str(&packet[..open]);
    out.push_str(&format!("xmlns:pdfxid=\"{PDFX_ID_NAMESPACE}\" "));
    out.push_str(&body);
    out.push_str(&properties);
    out.push_str(&packet[close..]);
    Some(out)
}

/// A classic cross-reference table and trailer for `offsets` (by object number), as krilla
/// writes them, so that the fixes read the file as they read krilla's.
fn write_xref_table(offsets: &[Option<usize>], trailer_entries: &str, out: &mut Vec<u8>) {
    let xref = out.len();
    let _ = write!(out, "xref\n0 {}\n", offsets.len());
    for offset in offsets {
        match offset {
            Some(at) => {
                let _ = write!(out, "{at:010} 00000 n\r\n");
            }
            None => out.extend_from_slice(b"0000000000 65535 f\r\n"),
        }
    }
    let _ = write!(
        out,
        "trailer\n<</Size {}{trailer_entries}>>\nstartxref\n{xref}\n%%EOF",
        offsets.len()
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_xmp_packet_gains_the_identification() {
        let packet = r#"<?xpacket begin="" id="x"?><x:xmpmeta><rdf:RDF><rdf:Description rdf:about="" xmlns:pdf="p"><xmpMM:RenditionClass>proof</xmpMM:RenditionClass></rdf:Description></rdf:RDF></x:xmpmeta>"#;
        let out = xmp_with_identification(packet).unwrap();
        assert!(
            out.contains(r#"<rdf:Description xmlns:pdfxid="http://www.npes.org/pdfx/ns/id/" rdf:about="" xmlns:pdf="p">"#),
            "{out}"
        );
        assert!(out.contains("<xmpMM:RenditionClass>default</xmpMM:RenditionClass><pdfxid:GTS_PDFXVersion>PDF/X-4</pdfxid:GTS_PDFXVersion><pdf:Trapped>False</pdf:Trapped><xmpMM:VersionID>1</xmpMM:VersionID></rdf:Description>"), "{out}");
        assert_eq!(xmp_with_identification(&out), None, "not twice");
    }

    #[test]
    fn a_stream_objects_length_follows_its_new_packet() {
        let packet = r#"<rdf:Description rdf:about=""></rdf:Description>"#;
        let object = format!(
            "7 0 obj\n<</Length {}/Type/Metadata/Subtype/XML>>\nstream\n{packet}\nendstream\nendobj\n",
            packet.len()
        );
        let out = String::from_utf8(with_xmp_identification(object.as_bytes()).unwrap()).unwrap();
        let new_packet = &out[out.find("stream\n").unwrap() + 7..out.find("\nendstream").unwrap()];
        assert!(
            out.contains(&format!("/Length {}/Type", new_packet.len())),
            "{out}"
        );
        assert!(out.ends_with("\nendstream\nendobj\n"));
    }

    #[test]
    fn info_and_catalog_gain_their_entries() {
        let info = b"3 0 obj\n<</Producer(octavo)>>\nendobj\n";
        assert_eq!(
            with_info_entries(info).unwrap(),
            b"3 0 obj\n<</Producer(octavo)/GTS_PDFXVersion(PDF/X-4)/Trapped/False>>\nendobj\n"
        );
        let catalog = b"9 0 obj\n<</Type/Catalog/Pages 1 0 R>>\nendobj\n";
        let out = String::from_utf8(with_output_intent(catalog, 12).unwrap()).unwrap();
        assert!(out.contains("/S/GTS_PDFX"), "{out}");
        assert!(
            out.ends_with("/DestOutputProfile 12 0 R>>]>>\nendobj\n"),
            "{out}"
        );
    }

    #[test]
    fn a_link_loses_its_print_flag_in_place() {
        let link =
            b"7 0 obj\n<</Type/Annot/Subtype/Link/Rect[0 0 1 1]/F 4/StructParent 3>>\nendobj\n";
        let out = without_print_flag(link);
        assert_eq!(out.len(), link.len());
        assert!(find(&out, b"/F 0/StructParent").is_some());
    }

    #[test]
    fn the_profile_is_a_cmyk_output_profile() {
        assert_eq!(&PROFILE[12..16], b"prtr", "an output device profile");
        assert_eq!(&PROFILE[16..20], b"CMYK");
        assert_eq!(&PROFILE[36..40], b"acsp");
    }
}
