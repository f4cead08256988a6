//! Hand-made PNG files for tests that need a broken or hostile image: a signature, chunks with
//! correct checksums, and whatever data the test wants inside them.

/// A PNG from its chunks (signature first, each chunk with its length and CRC).
pub fn png(chunks: &[(&[u8; 4], &[u8])]) -> Vec<u8> {
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    for (kind, data) in chunks {
        png.extend(chunk(*kind, data));
    }
    png
}

/// An IHDR chunk's data: `width`x`height`, bit depth 8, `colour_type` (2 RGB, 6 RGBA).
pub fn ihdr(width: u32, height: u32, colour_type: u8) -> Vec<u8> {
    let mut data = width.to_be_bytes().to_vec();
    data.extend_from_slice(&height.to_be_bytes());
    data.extend_from_slice(&[8, colour_type, 0, 0, 0]);
    data
}

fn chunk(kind: &[u8], data: &[u8]) -> Vec<u8> {
    let mut out = (data.len() as u32).to_be_bytes().to_vec();
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    let mut crc_input = kind.to_vec();
    crc_input.extend_from_slice(data);
    out.extend_from_slice(&crc32(&crc_input).to_be_bytes());
    out
}

/// The CRC-32 PNG chunks carry.
fn crc32(data: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for byte in data {
        crc ^= u32::from(*byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}
