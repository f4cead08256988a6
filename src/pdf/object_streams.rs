//! Packing the file's small objects into compressed object streams (PDF 1.5).
//!
//! krilla writes every object as plain text: a 4,000-page book has about 40,000 of them
//! (pages, their resources, link annotations, destinations, outline items, page labels),
//! 4 MB of a 12 MB file, uncompressed. Stream objects (content, fonts, images, metadata)
//! stay where they are; every other object goes, unchanged, into an object stream of at
//! most [`OBJECTS_PER_STREAM`] objects, Flate-compressed, and the cross-reference stream
//! finds it there (`krilla_fixes`). Object numbers do not change.

use std::collections::BTreeMap;
use std::io::Write;
use std::ops::Range;

/// Objects per object stream: enough to compress well, few enough that a viewer opening a
/// page does not inflate much it does not need.
const OBJECTS_PER_STREAM: usize = 256;

/// Object streams compressed at a time (in parallel) before they are appended to the file:
/// the compressed streams wait in memory only a batch at a time, not all of them.
const STREAMS_PER_BATCH: usize = 512;

/// Where an object is found in the rewritten file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Entry {
    /// A free object number.
    Free,
    /// An object at this byte offset.
    At(usize),
    /// An object packed into object stream `stream` (an object number) at `index`. PDF
    /// object numbers stay below 2^23 (ISO 32000-2, Annex C), so `u32` holds them and an
    /// entry takes 16 bytes: a file has one entry per object, millions in a long book.
    Packed {
        /// The object stream's object number.
        stream: u32,
        /// The object's position in it.
        index: u32,
    },
}

/// The file's objects rewritten with the small ones packed.
#[derive(Debug)]
pub(super) struct Packed {
    /// The header, the stream objects and the object streams, ready for the
    /// cross-reference stream to follow.
    pub bytes: Vec<u8>,
    /// Where each object is, by object number (the object streams' numbers included).
    pub entries: Vec<Entry>,
}

/// One object of the input that goes into an object stream: its number and the byte range
/// of its body (between `n 0 obj` and `endobj`, trimmed).
struct Object {
    number: usize,
    body: Range<usize>,
}

/// Packs the non-stream objects of `pdf`, whose objects are at `offsets` (by number) and end
/// before `end`, writing the stream objects of `replacements` (whole objects, by number) in
/// place of the file's; `None` if an object is not laid out as krilla writes them.
///
/// Stream objects are copied as they are met; only the small objects' numbers and ranges
/// are kept until their streams are written.
pub(super) fn pack(
    pdf: &[u8],
    offsets: &[Option<usize>],
    end: usize,
    replacements: &BTreeMap<usize, Vec<u8>>,
) -> Option<Packed> {
    let in_order = objects_in_order(offsets, end);
    let first = in_order.first_start()?;
    let mut bytes = Vec::with_capacity(end);
    bytes.extend_from_slice(&pdf[..first]);
    let mut entries = vec![Entry::Free; offsets.len()];
    let mut small = Vec::with_capacity(in_order.len());
    for (start, number, object_end) in in_order {
        let body = object_body(pdf, start, number, object_end)?;
        if pdf[body.clone()].ends_with(b"endstream") {
            entries[number] = Entry::At(bytes.len());
            match replacements.get(&number) {
                Some(replacement) => bytes.extend_from_slice(replacement),
                None => bytes.extend_from_slice(&pdf[start..object_end]),
            }
        } else {
            small.push(Object { number, body });
        }
    }
    for batch in small.chunks(OBJECTS_PER_STREAM * STREAMS_PER_BATCH) {
        let groups: Vec<&[Object]> = batch.chunks(OBJECTS_PER_STREAM).collect();
        let streams = crate::parallel::map(&groups, |group| object_stream(pdf, group));
        for (group, (header_len, data)) in groups.iter().zip(streams) {
            let stream = u32::try_from(entries.len()).ok()?;
            for (index, object) in (0u32..).zip(group.iter()) {
                entries[object.number] = Entry::Packed { stream, index };
            }
            entries.push(Entry::At(bytes.len()));
            let _ = write!(
                bytes,
                "{stream} 0 obj\n<</Type/ObjStm/N {}/First {header_len}/Filter/FlateDecode/Length {}>>\nstream\n",
                group.len(),
                data.len()
            );
            bytes.extend_from_slice(&data);
            bytes.extend_from_slice(b"\nendstream\nendobj\n");
        }
    }
    Some(Packed { bytes, entries })
}

/// The body of object `number`, which spans `start..end` of `pdf`: checked to start with
/// its `n 0 obj` line and end with `endobj`, trimmed of the white space before `endobj`.
fn object_body(pdf: &[u8], start: usize, number: usize, end: usize) -> Option<Range<usize>> {
    let text = pdf.get(start..end)?;
    let header = format!("{number} 0 obj\n");
    if !text.starts_with(header.as_bytes()) {
        return None;
    }
    let body_start = start + header.len();
    let close = text.windows(6).rposition(|w| w == b"endobj")?;
    let body = pdf.get(body_start..start + close)?;
    let trailing = body
        .iter()
        .rev()
        .take_while(|b| b.is_ascii_whitespace())
        .count();
    Some(body_start..body_start + body.len() - trailing)
}

/// The objects of a file in file order: each one's start, number and end (the next
/// object's start, or the end given), found from the cross-reference offsets. Only the
/// sorted starts are held (16 bytes an object), not a list of every object's extent.
pub(super) struct InOrder {
    /// `(offset, object number)` of every object in use, by offset.
    starts: Vec<(usize, usize)>,
    /// Where the last object ends.
    end: usize,
    /// The next object to yield.
    next: usize,
}

impl InOrder {
    /// Where the first object starts, if there is one.
    pub(super) fn first_start(&self) -> Option<usize> {
        self.starts.get(self.next).map(|&(start, _)| start)
    }
}

impl Iterator for InOrder {
    type Item = (usize, usize, usize);

    fn next(&mut self) -> Option<Self::Item> {
        let &(start, number) = self.starts.get(self.next)?;
        self.next += 1;
        let end = self
            .starts
            .get(self.next)
            .map_or(self.end, |&(next, _)| next);
        Some((start, number, end))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let left = self.starts.len() - self.next;
        (left, Some(left))
    }
}

impl ExactSizeIterator for InOrder {}

/// Each object's start, number and end (the next object's start, or `end`), in file order,
/// from the cross-reference `offsets` (by object number).
pub(super) fn objects_in_order(offsets: &[Option<usize>], end: usize) -> InOrder {
    let mut starts: Vec<(usize, usize)> = offsets
        .iter()
        .enumerate()
        .filter_map(|(number, offset)| Some(((*offset)?, number)))
        .collect();
    starts.sort_unstable();
    InOrder {
        starts,
        end,
        next: 0,
    }
}

/// An object stream's `/First` (the length of its header of numbers and offsets) and its
/// compressed data: the header, then the objects' bodies, each on a line of its own.
fn object_stream(pdf: &[u8], group: &[Object]) -> (usize, Vec<u8>) {
    let mut header = String::new();
    let mut bodies = Vec::new();
    for object in group {
        header.push_str(&format!("{} {} ", object.number, bodies.len()));
        bodies.extend_from_slice(&pdf[object.body.clone()]);
        bodies.push(b'\n');
    }
    header.push('\n');
    let mut data = header.into_bytes();
    let header_len = data.len();
    data.extend_from_slice(&bodies);
    (header_len, deflate(&data))
}

/// `bytes` zlib-compressed.
pub(super) fn deflate(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    // Writing into a Vec cannot fail.
    let _ = encoder.write_all(bytes);
    encoder.finish().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Objects 1 (a dictionary), 2 (a stream) and 3 (an array), and their offsets.
    fn three_objects() -> (Vec<u8>, Vec<Option<usize>>) {
        let mut pdf = b"%PDF-1.7\n%AAAA\n\n".to_vec();
        let mut offsets = vec![None];
        for object in [
            "1 0 obj\n<</Type/Pages/Count 0/Kids[]>>\nendobj\n\n",
            "2 0 obj\n<</Length 5>>\nstream\nhello\nendstream\nendobj\n\n",
            "3 0 obj\n[1 0 R (endobj) 7]\nendobj\n",
        ] {
            offsets.push(Some(pdf.len()));
            pdf.extend_from_slice(object.as_bytes());
        }
        (pdf, offsets)
    }

    #[test]
    fn small_objects_are_packed_and_streams_stay() {
        let (pdf, offsets) = three_objects();
        let packed = pack(&pdf, &offsets, pdf.len(), &BTreeMap::new()).expect("packed");
        assert_eq!(
            packed.entries[1],
            Entry::Packed {
                stream: 4,
                index: 0
            }
        );
        assert_eq!(
            packed.entries[3],
            Entry::Packed {
                stream: 4,
                index: 1
            }
        );
        let Entry::At(at) = packed.entries[2] else {
            panic!("{:?}", packed.entries[2]);
        };
        assert!(packed.bytes[at..].starts_with(b"2 0 obj\n<</Length 5>>\nstream\nhello"));
        let Entry::At(stream) = packed.entries[4] else {
            panic!("{:?}", packed.entries[4]);
        };
        let text = String::from_utf8_lossy(&packed.bytes[stream..]);
        assert!(
            text.starts_with("4 0 obj\n<</Type/ObjStm/N 2/First "),
            "{text}"
        );
        let data_start = stream + text.find("stream\n").unwrap() + 7;
        let length: usize = text
            .split("/Length ")
            .nth(1)
            .and_then(|t| t.split(">>").next())
            .and_then(|n| n.parse().ok())
            .unwrap();
        let mut inflated = String::new();
        std::io::Read::read_to_string(
            &mut flate2::read::ZlibDecoder::new(&packed.bytes[data_start..data_start + length]),
            &mut inflated,
        )
        .unwrap();
        assert_eq!(
            inflated,
            "1 0 3 31 \n<</Type/Pages/Count 0/Kids[]>>\n[1 0 R (endobj) 7]\n"
        );
    }

    #[test]
    fn an_object_not_where_the_table_says_is_not_packed() {
        let (pdf, mut offsets) = three_objects();
        offsets[3] = offsets[3].map(|o| o + 1);
        assert!(pack(&pdf, &offsets, pdf.len(), &BTreeMap::new()).is_none());
    }

    #[test]
    fn objects_beyond_one_batch_are_packed_in_file_order() {
        let count = OBJECTS_PER_STREAM * STREAMS_PER_BATCH + 3;
        let mut pdf = b"%PDF-1.7\n".to_vec();
        let mut offsets = vec![None];
        for number in 1..=count {
            offsets.push(Some(pdf.len()));
            pdf.extend_from_slice(format!("{number} 0 obj\n[{number}]\nendobj\n").as_bytes());
        }
        let packed = pack(&pdf, &offsets, pdf.len(), &BTreeMap::new()).expect("packed");
        let streams = count.div_ceil(OBJECTS_PER_STREAM);
        assert_eq!(packed.entries.len(), count + 1 + streams);
        for number in 1..=count {
            let position = number - 1;
            let expected = Entry::Packed {
                stream: u32::try_from(count + 1 + position / OBJECTS_PER_STREAM).unwrap(),
                index: u32::try_from(position % OBJECTS_PER_STREAM).unwrap(),
            };
            assert_eq!(packed.entries[number], expected, "object {number}");
        }
        let written: Vec<usize> = packed.entries[count + 1..]
            .iter()
            .map(|entry| match entry {
                Entry::At(at) => *at,
                other => panic!("{other:?}"),
            })
            .collect();
        assert!(
            written.windows(2).all(|w| w[0] < w[1]),
            "streams are written in number order"
        );
        let last = written.last().copied().unwrap_or_default();
        let text = String::from_utf8_lossy(&packed.bytes[last..]);
        assert!(
            text.starts_with(&format!("{} 0 obj\n<</Type/ObjStm/N 3/", count + streams)),
            "{}",
            &text[..40]
        );
    }
}
