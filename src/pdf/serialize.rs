//! Writes the finished document to bytes: header, objects, and a compressed
//! cross-reference stream holding the trailer.
//!
//! Why not lopdf's writer: it sends every token through a `&mut dyn Write`, names one byte
//! at a time, and runs on one thread. For the 4,040-page x100 benchmark book it took 93 ms
//! of a 1.3 s build, all of it after everything else was done. Here the objects are written
//! straight into byte vectors, in runs of consecutive objects on all cores, and the runs are
//! joined in object order, so the output does not depend on the number of cores. Each
//! object is written exactly as lopdf writes it (a unit test holds the two to the same
//! bytes). The cross-reference stream is Flate-compressed, which lopdf's is not: 7 bytes
//! per object, 175 KB for the x100 book, shrink to about a quarter.
//!
//! The objects a book has by the hundred thousand (pages, their content streams, link
//! annotations, outline items) are written to bytes as soon as they are made and kept as
//! [`WrittenObjects`]: as lopdf objects each took kilobytes (a four-entry `/MediaBox` array
//! alone 480 bytes), and the pages and annotations of a book of 100,000 one-line chapters
//! held most of a 2.7 GB peak. [`save`] merges them with the document's own objects in
//! object order, so the file is the same as if they had been lopdf objects.

use lopdf::{Dictionary, Document, Object, ObjectId, Stream, StringFormat};

use super::content::{deflate, push_digits};

/// Objects per run written by one thread: enough to make a thread worth starting.
const OBJECTS_PER_RUN: usize = 2048;

/// The document as a PDF file. Object streams, cross-reference streams and linearisation
/// dictionaries already in the document are left out (as lopdf's writer does); the file's
/// own cross-reference stream gets the next free object number.
///
/// `written` holds objects already written to bytes (none of them may also be in `doc`); they
/// take their place among the document's objects by number, and each is freed once copied.
pub(crate) fn save(doc: &Document, written: WrittenObjects) -> Vec<u8> {
    let objects: Vec<(ObjectId, &Object)> = doc
        .objects
        .iter()
        .filter(|(_, object)| !is_cross_reference_machinery(object))
        .map(|(&id, object)| (id, object))
        .collect();
    let runs: Vec<&[(ObjectId, &Object)]> = objects.chunks(OBJECTS_PER_RUN).collect();
    let runs = crate::parallel::map(&runs, |run| write_run(run));
    let total: usize = runs.iter().map(|(bytes, _)| bytes.len()).sum::<usize>() + written.bytes();
    let count = objects.len() + written.len();
    let mut own = own_objects(&objects, &runs).peekable();
    let mut bodies = written.into_ordered().peekable();
    let mut out = Vec::with_capacity(total + count * 2 + 1024);
    out.extend_from_slice(b"%PDF-");
    out.extend_from_slice(doc.version.as_bytes());
    out.push(b'\n');
    out.push(b'%');
    out.extend_from_slice(&doc.binary_mark);
    out.push(b'\n');
    // (object number, generation, offset), in object order.
    let mut offsets: Vec<(u32, u16, usize)> = Vec::with_capacity(count + 1);
    loop {
        let take_own = match (own.peek(), bodies.peek()) {
            (Some((a, _)), Some((b, _))) => a < b,
            (Some(_), None) => true,
            (None, Some(_)) => false,
            (None, None) => break,
        };
        let start = out.len();
        let next = if take_own {
            own.next().map(|(id, bytes)| {
                out.extend_from_slice(bytes);
                id
            })
        } else {
            bodies.next().map(|(id, body)| {
                write_indirect(&mut out, id, |out| out.extend_from_slice(&body.bytes));
                id
            })
        };
        let Some((id, generation)) = next else { break };
        offsets.push((id, generation, start));
    }

    let xref_id = doc.max_id + 1;
    let xref_start = out.len();
    offsets.push((xref_id, 0, xref_start));
    let stream = cross_reference_stream(&doc.trailer, xref_id + 1, &offsets);
    write_run_into(&mut out, &[((xref_id, 0), &Object::Stream(stream))]);
    out.extend_from_slice(b"\nstartxref\n");
    push_digits(&mut out, xref_start as u64, 1);
    out.extend_from_slice(b"\n%%EOF");
    out
}

/// Object streams, cross-reference streams and linearisation dictionaries, which this
/// writer makes itself or does not make.
fn is_cross_reference_machinery(object: &Object) -> bool {
    object
        .type_name()
        .is_ok_and(|name| matches!(name, b"ObjStm" | b"XRef" | b"Linearized"))
}

/// The indirect objects of `run`, and where each starts in the returned bytes.
fn write_run(run: &[(ObjectId, &Object)]) -> (Vec<u8>, Vec<usize>) {
    let mut out = Vec::new();
    let starts = write_run_into(&mut out, run);
    (out, starts)
}

/// Appends the indirect objects of `run` to `out`; where each starts.
fn write_run_into(out: &mut Vec<u8>, run: &[(ObjectId, &Object)]) -> Vec<usize> {
    let mut starts = Vec::with_capacity(run.len());
    for &(id, object) in run {
        starts.push(out.len());
        write_indirect(out, id, |out| write_body(out, object));
    }
    starts
}

/// Each of `objects` with its bytes in `runs` (what [`write_run`] made of them, in order).
fn own_objects<'a>(
    objects: &'a [(ObjectId, &Object)],
    runs: &'a [(Vec<u8>, Vec<usize>)],
) -> impl Iterator<Item = (ObjectId, &'a [u8])> {
    let slices = runs.iter().flat_map(|(bytes, starts)| {
        let ends = starts.iter().skip(1).copied().chain([bytes.len()]);
        starts
            .iter()
            .zip(ends)
            .map(|(&start, end)| &bytes[start..end])
    });
    objects.iter().map(|&(id, _)| id).zip(slices)
}

/// `N G obj`, the body `write` appends, `endobj`.
fn write_indirect(out: &mut Vec<u8>, (id, generation): ObjectId, write: impl FnOnce(&mut Vec<u8>)) {
    push_digits(out, u64::from(id), 1);
    out.push(b' ');
    push_digits(out, u64::from(generation), 1);
    out.extend_from_slice(b" obj\n");
    write(out);
    out.extend_from_slice(b"\nendobj\n");
}

/// An indirect object's body: the object, with the spaces that separate it from `obj` and
/// `endobj` where it needs them.
fn write_body(out: &mut Vec<u8>, object: &Object) {
    if needs_space_before(object) {
        out.push(b' ');
    }
    write_object(out, object);
    if needs_space_after(object) {
        out.push(b' ');
    }
}

/// Objects already written as bytes, to be saved with a document (see the module
/// documentation): each one's body, as [`save`] writes it between `N G obj` and `endobj`.
#[derive(Debug, Default)]
pub(crate) struct WrittenObjects {
    objects: Vec<(ObjectId, WrittenBody)>,
    /// Sum of the bodies' lengths.
    bytes: usize,
}

/// One object's body written as bytes and, in debug builds, the objects it refers to (for
/// `finish`'s check that every object is reachable).
#[derive(Debug)]
pub(crate) struct WrittenBody {
    bytes: Box<[u8]>,
    #[cfg(debug_assertions)]
    references: Vec<ObjectId>,
}

impl WrittenBody {
    /// `object` written as [`save`] would write it.
    pub(crate) fn of(object: &Object) -> WrittenBody {
        let mut bytes = Vec::new();
        write_body(&mut bytes, object);
        WrittenBody {
            bytes: bytes.into_boxed_slice(),
            #[cfg(debug_assertions)]
            references: references_in(object),
        }
    }

    /// The objects this one refers to.
    #[cfg(debug_assertions)]
    pub(crate) fn references(&self) -> &[ObjectId] {
        &self.references
    }
}

/// Every reference inside `object`, at any depth.
#[cfg(debug_assertions)]
fn references_in(object: &Object) -> Vec<ObjectId> {
    let mut out = Vec::new();
    let mut todo = vec![object];
    while let Some(object) = todo.pop() {
        match object {
            Object::Reference(id) => out.push(*id),
            Object::Array(items) => todo.extend(items),
            Object::Dictionary(dict) => todo.extend(dict.iter().map(|(_, o)| o)),
            Object::Stream(stream) => todo.extend(stream.dict.iter().map(|(_, o)| o)),
            _ => {}
        }
    }
    out
}

impl WrittenObjects {
    /// None yet.
    pub(crate) fn new() -> WrittenObjects {
        WrittenObjects::default()
    }

    /// Writes `object` now, as object `id`.
    pub(crate) fn add(&mut self, id: ObjectId, object: &Object) {
        self.insert(id, WrittenBody::of(object));
    }

    /// Adds an object written already (on another thread), as object `id`.
    pub(crate) fn insert(&mut self, id: ObjectId, body: WrittenBody) {
        self.bytes += body.bytes.len();
        self.objects.push((id, body));
    }

    /// Number of objects.
    pub(crate) fn len(&self) -> usize {
        self.objects.len()
    }

    /// The objects in the order they were added (for `finish`'s check in debug builds).
    #[cfg(debug_assertions)]
    pub(crate) fn iter(&self) -> impl Iterator<Item = (ObjectId, &WrittenBody)> {
        self.objects.iter().map(|(id, body)| (*id, body))
    }

    /// Bytes the objects take in the file (bodies, and about what `obj` lines take).
    fn bytes(&self) -> usize {
        self.bytes + self.objects.len() * INDIRECT_OVERHEAD
    }

    /// The objects by number.
    fn into_ordered(mut self) -> impl Iterator<Item = (ObjectId, WrittenBody)> {
        self.objects.sort_unstable_by_key(|(id, _)| *id);
        self.objects.into_iter()
    }
}

/// About what `N G obj` and `endobj` add to an object's body (a capacity hint).
const INDIRECT_OVERHEAD: usize = 32;

/// The cross-reference stream for objects numbered below `size` (`offsets` in object order):
/// the trailer's entries plus `/Type /XRef`, entries of 1 + 4 + 2 bytes (type, offset,
/// generation), one `/Index` subsection per run of consecutive numbers present.
fn cross_reference_stream(
    trailer: &Dictionary,
    size: u32,
    offsets: &[(u32, u16, usize)],
) -> Stream {
    let mut entries = Vec::with_capacity(offsets.len() * 7);
    let mut index: Vec<Object> = Vec::new();
    let mut run_start: Option<(u32, i64)> = None;
    let mut previous: Option<u32> = None;
    for &(id, generation, offset) in offsets {
        // Of two generations of one number (octavo never makes them), the last stands.
        if previous == Some(id) {
            entries.truncate(entries.len() - 7);
        } else if previous.is_some_and(|p| p + 1 == id) {
            if let Some((_, count)) = run_start.as_mut() {
                *count += 1;
            }
        } else {
            if let Some((first, count)) = run_start.take() {
                index.extend([Object::Integer(i64::from(first)), Object::Integer(count)]);
            }
            run_start = Some((id, 1));
        }
        previous = Some(id);
        entries.push(1);
        // Offsets beyond 4 GB cannot be written with these widths; octavo's files are far
        // smaller (the 4,040-page benchmark book is 12 MB).
        entries.extend_from_slice(&u32::try_from(offset).unwrap_or(u32::MAX).to_be_bytes());
        entries.extend_from_slice(&generation.to_be_bytes());
    }
    if let Some((first, count)) = run_start {
        index.extend([Object::Integer(i64::from(first)), Object::Integer(count)]);
    }
    let mut dict = trailer.clone();
    dict.set("Type", Object::Name(b"XRef".to_vec()));
    dict.set("Size", i64::from(size));
    dict.set(
        "W",
        Object::Array(vec![
            Object::Integer(1),
            Object::Integer(4),
            Object::Integer(2),
        ]),
    );
    dict.set("Index", Object::Array(index));
    dict.set("Filter", Object::Name(b"FlateDecode".to_vec()));
    let content = deflate(&entries);
    dict.set("Length", content.len() as i64);
    Stream::new(dict, content)
}

/// Numbers, references and the like need a space after a preceding key or `obj`.
fn needs_space_before(object: &Object) -> bool {
    matches!(
        object,
        Object::Null
            | Object::Boolean(_)
            | Object::Integer(_)
            | Object::Real(_)
            | Object::Reference(_)
    )
}

/// Objects that end in a regular character (or `endstream`) get a space before `endobj`.
fn needs_space_after(object: &Object) -> bool {
    needs_space_before(object) || matches!(object, Object::Name(_) | Object::Stream(_))
}

fn write_object(out: &mut Vec<u8>, object: &Object) {
    match object {
        Object::Null => out.extend_from_slice(b"null"),
        Object::Boolean(true) => out.extend_from_slice(b"true"),
        Object::Boolean(false) => out.extend_from_slice(b"false"),
        Object::Integer(value) => {
            if *value < 0 {
                out.push(b'-');
            }
            push_digits(out, value.unsigned_abs(), 1);
        }
        // Rust's shortest round-trip form, never an exponent: what lopdf writes.
        Object::Real(value) => out.extend_from_slice(value.to_string().as_bytes()),
        Object::Name(name) => write_name(out, name),
        Object::String(text, StringFormat::Literal) => write_literal(out, text),
        Object::String(text, StringFormat::Hexadecimal) => write_hex(out, text),
        Object::Array(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 && needs_space_before(item) {
                    out.push(b' ');
                }
                write_object(out, item);
            }
            out.push(b']');
        }
        Object::Dictionary(dict) => write_dictionary(out, dict),
        Object::Stream(stream) => write_stream(out, stream),
        Object::Reference((id, generation)) => {
            push_digits(out, u64::from(*id), 1);
            out.push(b' ');
            push_digits(out, u64::from(*generation), 1);
            out.extend_from_slice(b" R");
        }
    }
}

fn write_dictionary(out: &mut Vec<u8>, dict: &Dictionary) {
    out.extend_from_slice(b"<<");
    for (key, value) in dict {
        write_name(out, key);
        if needs_space_before(value) {
            out.push(b' ');
        }
        write_object(out, value);
    }
    out.extend_from_slice(b">>");
}

fn write_stream(out: &mut Vec<u8>, stream: &Stream) {
    write_dictionary(out, &stream.dict);
    out.extend_from_slice(b"stream\n");
    out.extend_from_slice(&stream.content);
    out.extend_from_slice(b"\nendstream");
}

/// `/Name`, with white space, delimiters, `#` and bytes outside `!`..`~` written as `#XX`.
fn write_name(out: &mut Vec<u8>, name: &[u8]) {
    out.push(b'/');
    for &byte in name {
        if b" \t\n\r\x0C()<>[]{}/%#".contains(&byte) || !(33..=126).contains(&byte) {
            out.push(b'#');
            push_hex_byte(out, byte);
        } else {
            out.push(byte);
        }
    }
}

/// `(text)`, escaping backslashes, carriage returns and the parentheses that are not
/// balanced (balanced pairs may stand as they are).
fn write_literal(out: &mut Vec<u8>, text: &[u8]) {
    let mut escape = vec![false; text.len()];
    let mut open: Vec<usize> = Vec::new();
    for (index, &byte) in text.iter().enumerate() {
        match byte {
            b'(' => open.push(index),
            b')' if open.pop().is_none() => escape[index] = true,
            b'\\' | b'\r' => escape[index] = true,
            _ => {}
        }
    }
    for index in open {
        escape[index] = true;
    }
    out.push(b'(');
    for (&byte, &escaped) in text.iter().zip(&escape) {
        if escaped {
            out.push(b'\\');
            out.push(if byte == b'\r' { b'r' } else { byte });
        } else {
            out.push(byte);
        }
    }
    out.push(b')');
}

/// `<48656C6C6F>`: upper-case hexadecimal.
fn write_hex(out: &mut Vec<u8>, text: &[u8]) {
    out.push(b'<');
    for &byte in text {
        push_hex_byte(out, byte);
    }
    out.push(b'>');
}

fn push_hex_byte(out: &mut Vec<u8>, byte: u8) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    out.push(HEX[usize::from(byte >> 4)]);
    out.push(HEX[usize::from(byte & 0xF)]);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A document with every kind of object, and the awkward cases of each.
    fn awkward_document() -> Document {
        let mut doc = Document::with_version("1.7");
        let mut dict = Dictionary::new();
        dict.set("Type", Object::Name(b"Example".to_vec()));
        dict.set("Odd Name#(x)", Object::Name(b"A B/C\xE9".to_vec()));
        dict.set("Int", Object::Integer(-42));
        dict.set("Big", Object::Integer(i64::MIN));
        dict.set("Real", Object::Real(0.000_123_4));
        dict.set("Half", Object::Real(2.5));
        dict.set("Null", Object::Null);
        dict.set("Yes", Object::Boolean(true));
        dict.set("No", Object::Boolean(false));
        dict.set("Ref", Object::Reference((7, 2)));
        dict.set(
            "Text",
            Object::String(
                b"a (balanced) ) unbalanced ( \\ \r end".to_vec(),
                StringFormat::Literal,
            ),
        );
        dict.set(
            "Hex",
            Object::String(vec![0, 0xAB, 0xFF], StringFormat::Hexadecimal),
        );
        dict.set(
            "Array",
            Object::Array(vec![
                Object::Integer(1),
                Object::Integer(2),
                Object::Name(b"N".to_vec()),
                Object::Real(-1.5),
                Object::Array(vec![]),
                Object::Reference((3, 0)),
                Object::Dictionary(Dictionary::new()),
                Object::Null,
            ]),
        );
        let dict_id = doc.add_object(dict);
        let stream = Stream::new(
            Dictionary::from_iter(vec![("Filter", Object::Name(b"FlateDecode".to_vec()))]),
            b"binary\x00\xff content\nwith newline".to_vec(),
        );
        doc.add_object(stream);
        for object in [
            Object::Integer(5),
            Object::Name(b"Alone".to_vec()),
            Object::Null,
            Object::Reference(dict_id),
            Object::String(b"(x)".to_vec(), StringFormat::Literal),
        ] {
            doc.add_object(object);
        }
        // A gap in the numbering: the table splits into two subsections.
        doc.max_id += 3;
        doc.add_object(Object::Boolean(true));
        doc.trailer.set("Root", Object::Reference(dict_id));
        doc
    }

    fn lopdf_bytes(mut doc: Document) -> Vec<u8> {
        let mut out = Vec::new();
        doc.save_to(&mut out).expect("lopdf saves");
        out
    }

    /// Where the cross-reference section starts (the number after `startxref`).
    fn xref_start(pdf: &[u8]) -> usize {
        let at = pdf
            .windows(9)
            .rposition(|w| w == b"startxref")
            .expect("startxref");
        let digits: String = pdf[at + 10..]
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .map(|&b| char::from(b))
            .collect();
        digits.parse().expect("offset")
    }

    /// Our file and lopdf's agree on everything before the cross-reference section, and
    /// ours loads back (with lopdf) into the same objects and trailer entries.
    fn check_against_lopdf(build: impl Fn() -> Document) {
        let ours = save(&build(), WrittenObjects::new());
        let theirs = lopdf_bytes(build());
        let (at, their_at) = (xref_start(&ours), xref_start(&theirs));
        assert_eq!(at, their_at, "the objects take the same bytes");
        assert!(ours[..at] == theirs[..at], "the objects are written alike");
        let original = build();
        let loaded = Document::load_mem(&ours).expect("our file loads");
        for (id, object) in &original.objects {
            assert_eq!(loaded.objects.get(id), Some(object), "object {id:?}");
        }
        for (key, value) in &original.trailer {
            assert_eq!(loaded.trailer.get(key).ok(), Some(value));
        }
    }

    #[test]
    fn writes_what_lopdf_writes_for_every_kind_of_object() {
        check_against_lopdf(awkward_document);
    }

    #[test]
    fn writes_what_lopdf_writes_for_many_objects_in_several_runs() {
        check_against_lopdf(|| {
            let mut doc = Document::with_version("1.5");
            for n in 0..(3 * OBJECTS_PER_RUN as i64 + 17) {
                let mut dict = Dictionary::new();
                dict.set("N", Object::Integer(n));
                dict.set("Name", Object::Name(format!("F{n}").into_bytes()));
                doc.add_object(dict);
            }
            doc
        });
    }

    /// Objects written ahead as bytes take their place by number: the file is the one the
    /// document makes with all of them as lopdf objects.
    #[test]
    fn written_objects_are_saved_among_the_others_in_number_order() {
        let whole = awkward_document();
        let mut doc = awkward_document();
        let mut written = WrittenObjects::new();
        let ids: Vec<ObjectId> = doc.objects.keys().copied().collect();
        // Every other object, the stream and the last among them, added out of order.
        for &id in ids.iter().step_by(2).rev() {
            let object = doc.objects.remove(&id).expect("object");
            written.add(id, &object);
        }
        assert_eq!(written.len(), ids.len().div_ceil(2));
        assert_eq!(save(&doc, written), save(&whole, WrittenObjects::new()));
    }

    #[test]
    fn the_cross_reference_stream_is_compressed_and_indexes_every_run() {
        let doc = awkward_document();
        let pdf = save(&doc, WrittenObjects::new());
        let at = xref_start(&pdf);
        let tail = String::from_utf8_lossy(&pdf[at..]);
        assert!(
            tail.starts_with(&format!("{} 0 obj\n<<", doc.max_id + 1)),
            "{tail}"
        );
        assert!(tail.contains("/Filter/FlateDecode"), "{tail}");
        // Objects 1-7, then the one after the gap and the stream itself.
        assert!(tail.contains("/Index[1 7 11 2]"), "{tail}");
    }
}
