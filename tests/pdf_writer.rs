//! The PDF as `octavo build` writes it through krilla, read back: what the sample book's PDF
//! must hold (outline, roman then arabic page labels, links, metadata, its figure), the
//! `--readable-pdf` option, and byte-identical output for one `SOURCE_DATE_EPOCH`.

mod common;

use lopdf::{Dictionary, Document, Object};

use common::build_sample;

fn resolve<'d>(doc: &'d Document, object: &'d Object) -> &'d Object {
    match object {
        Object::Reference(id) => doc.get_object(*id).expect("a referenced object"),
        other => other,
    }
}

fn dict<'d>(doc: &'d Document, object: &'d Object) -> &'d Dictionary {
    resolve(doc, object).as_dict().expect("a dictionary")
}

fn text(object: &Object) -> String {
    lopdf::decode_text_string(object).expect("a text string")
}

#[test]
fn the_sample_pdf_has_its_outline_labels_links_metadata_and_figure() {
    let bytes = build_sample(&[], "1700000000");
    std::fs::write(common::pdf_dir().join("pdf-writer-sample.pdf"), &bytes).expect("keep");
    let doc = Document::load_mem(&bytes).expect("the PDF parses");
    let catalog = doc.catalog().expect("a catalog");
    assert_eq!(
        catalog.get(b"PageMode").unwrap().as_name().unwrap(),
        b"UseOutlines"
    );
    assert_eq!(text(catalog.get(b"Lang").unwrap()), "en");
    // The outline: chapters with their sections nested under them, closed.
    let outline = dict(&doc, catalog.get(b"Outlines").unwrap());
    let mut chapter = Some(dict(&doc, outline.get(b"First").unwrap()));
    let (mut chapters, mut nested) = (0, 0);
    while let Some(item) = chapter {
        chapters += 1;
        if item.has(b"First") {
            nested += 1;
            assert!(item.get(b"Count").unwrap().as_i64().unwrap() < 0, "closed");
        }
        chapter = item.get(b"Next").ok().map(|next| dict(&doc, next));
    }
    assert!(
        chapters >= 5 && nested >= 1,
        "{chapters} chapters, {nested} nested"
    );
    // Page labels: roman front matter, arabic from chapter one.
    let labels = dict(&doc, catalog.get(b"PageLabels").unwrap());
    let nums = resolve(&doc, labels.get(b"Nums").unwrap())
        .as_array()
        .unwrap();
    let styles: Vec<String> = nums
        .chunks(2)
        .map(|pair| {
            let label = dict(&doc, &pair[1]);
            match label.get(b"S") {
                Ok(style) => String::from_utf8_lossy(style.as_name().unwrap()).into_owned(),
                Err(_) => text(label.get(b"P").unwrap()),
            }
        })
        .collect();
    assert_eq!(styles, ["r", "D"]);
    // Links: annotations with destinations inside the book.
    let links = doc
        .objects
        .values()
        .filter_map(|o| o.as_dict().ok())
        .filter(|d| d.get(b"Subtype").and_then(Object::as_name).ok() == Some(b"Link"))
        .count();
    assert!(links > 100, "{links} links");
    // Metadata.
    let info = dict(&doc, doc.trailer.get(b"Info").unwrap());
    assert_eq!(
        text(info.get(b"Title").unwrap()),
        "Year Zero: The Killing Fields and S-21"
    );
    assert!(text(info.get(b"CreationDate").unwrap()).starts_with("D:20231114"));
    // The book's one figure, a PNG, on one page.
    let with_images = doc
        .page_iter()
        .filter(|&page| {
            let page = doc.get_dictionary(page).unwrap();
            let resources = dict(&doc, page.get(b"Resources").unwrap());
            resources.get(b"XObject").is_ok()
        })
        .count();
    assert_eq!(with_images, 1);
}

#[test]
fn the_same_epoch_gives_the_same_bytes_and_another_a_new_date() {
    let first = build_sample(&[], "1700000000");
    let again = build_sample(&[], "1700000000");
    assert!(first == again, "two builds of the sample differ");
    let later = build_sample(&[], "1800000000");
    let date = |bytes: &[u8]| {
        let doc = Document::load_mem(bytes).unwrap();
        text(
            dict(&doc, doc.trailer.get(b"Info").unwrap())
                .get(b"CreationDate")
                .unwrap(),
        )
    };
    assert_ne!(date(&first), date(&later));
    assert!(date(&later).starts_with("D:20270115"), "{}", date(&later));
}

#[test]
fn readable_pdf_leaves_the_page_content_uncompressed() {
    let content_filters = |bytes: &[u8]| {
        let doc = Document::load_mem(bytes).expect("the PDF parses");
        doc.page_iter()
            .map(|page| {
                let page = doc.get_dictionary(page).unwrap();
                let contents = page.get(b"Contents").unwrap().as_reference().unwrap();
                let stream = doc.get_object(contents).unwrap().as_stream().unwrap();
                stream.dict.has(b"Filter")
            })
            .collect::<Vec<bool>>()
    };
    let readable = build_sample(&["--readable-pdf"], "1700000000");
    std::fs::write(common::pdf_dir().join("pdf-writer-readable.pdf"), &readable).expect("keep");
    assert!(content_filters(&readable).iter().all(|filtered| !filtered));
    let text = String::from_utf8_lossy(&readable);
    assert!(
        text.contains(" Tm") && text.contains("]TJ"),
        "operators are legible"
    );
    let compressed = build_sample(&[], "1700000000");
    assert!(content_filters(&compressed)
        .iter()
        .all(|filtered| *filtered));
    assert!(compressed.len() < readable.len());
}
