//! SQLite's variable-length integers (not SQLite4's): big-endian, 1 to 9 bytes. Each of the first
//! eight bytes gives its low 7 bits and, with its high bit set, says that another byte follows;
//! a ninth byte gives all 8 of its bits. Values below 2^56 therefore fit in at most 8 bytes.

use crate::error::{Error, Result};

/// The longest a varint can be.
pub const MAX_VARINT_LEN: usize = 9;

/// Largest value that fits in the 7-bit-per-byte form (8 bytes); anything larger takes 9 bytes.
const MAX_EIGHT_BYTE: u64 = (1 << 56) - 1;

/// Reads the varint at the start of `buf`, returning its value and its length in bytes.
///
/// Input that ends before the varint does is a corruption error: varints are only ever read
/// from the file.
#[inline]
pub fn get_varint(buf: &[u8]) -> Result<(u64, usize)> {
    // Serial types and header sizes of small records are nearly always one byte.
    match buf.first() {
        Some(&b) if b < 0x80 => Ok((u64::from(b), 1)),
        _ => get_varint_long(buf),
    }
}

fn get_varint_long(buf: &[u8]) -> Result<(u64, usize)> {
    let mut v = 0u64;
    for (i, &b) in buf.iter().take(8).enumerate() {
        v = (v << 7) | u64::from(b & 0x7f);
        if b < 0x80 {
            return Ok((v, i + 1));
        }
    }
    match buf.get(8) {
        Some(&b) => Ok(((v << 8) | u64::from(b), 9)),
        None => Err(Error::corrupt(format!(
            "varint truncated after {} bytes",
            buf.len()
        ))),
    }
}

/// The number of bytes [`put_varint`] writes for `v`.
#[inline]
pub fn varint_len(v: u64) -> usize {
    if v <= 0x7f {
        1
    } else if v > MAX_EIGHT_BYTE {
        9
    } else {
        let bits = 64 - v.leading_zeros() as usize;
        bits.div_ceil(7)
    }
}

/// Writes `v` at the start of `out` and returns the number of bytes written.
///
/// # Panics
/// If `out` is shorter than [`varint_len`]`(v)`; [`MAX_VARINT_LEN`] bytes always suffice.
#[inline]
pub fn put_varint(out: &mut [u8], v: u64) -> usize {
    if v <= 0x7f {
        out[0] = v as u8;
        return 1;
    }
    let (len, mut rest) = if v > MAX_EIGHT_BYTE {
        out[8] = v as u8;
        (9, v >> 8)
    } else {
        (varint_len(v), v)
    };
    let seven_bit_bytes = len.min(8);
    for byte in out[..seven_bit_bytes].iter_mut().rev() {
        *byte = (rest & 0x7f) as u8 | 0x80;
        rest >>= 7;
    }
    if len < 9 {
        // The last byte of a short varint ends it; a 9-byte varint is ended by its length.
        out[len - 1] &= 0x7f;
    }
    len
}

/// Appends `v` to `out` and returns the number of bytes appended.
#[inline]
pub fn push_varint(out: &mut Vec<u8>, v: u64) -> usize {
    let mut buf = [0u8; MAX_VARINT_LEN];
    let len = put_varint(&mut buf, v);
    out.extend_from_slice(&buf[..len]);
    len
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(v: u64) -> Vec<u8> {
        let mut out = Vec::new();
        let len = push_varint(&mut out, v);
        assert_eq!(len, out.len());
        assert_eq!(len, varint_len(v), "length of {v}");
        assert_eq!(get_varint(&out).unwrap(), (v, len), "value {v}");
        out
    }

    #[test]
    fn boundaries_of_each_length() {
        // The largest value of each length, and the smallest of the next one.
        for bytes in 1..=8u32 {
            let max = (1u64 << (7 * bytes)) - 1;
            assert_eq!(round_trip(max).len(), bytes as usize);
            assert_eq!(round_trip(max + 1).len(), bytes as usize + 1);
        }
        assert_eq!(round_trip(u64::MAX).len(), 9);
        assert_eq!(round_trip(0).len(), 1);
    }

    #[test]
    fn known_encodings() {
        assert_eq!(round_trip(0), [0x00]);
        assert_eq!(round_trip(127), [0x7f]);
        assert_eq!(round_trip(128), [0x81, 0x00]);
        assert_eq!(round_trip(240), [0x81, 0x70]);
        assert_eq!(round_trip(16383), [0xff, 0x7f]);
        assert_eq!(round_trip(16384), [0x81, 0x80, 0x00]);
        assert_eq!(
            round_trip(1 << 56),
            [0x80, 0xc0, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00]
        );
        assert_eq!(round_trip(u64::MAX), [0xff; 9]);
        // -1 as a rowid: the 9th byte carries a full 8 bits.
        assert_eq!(round_trip(-1i64 as u64), [0xff; 9]);
    }

    #[test]
    fn ninth_byte_uses_all_eight_bits() {
        let buf = [0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0xff];
        assert_eq!(get_varint(&buf).unwrap(), (0xff, 9));
    }

    #[test]
    fn trailing_bytes_are_not_read() {
        assert_eq!(get_varint(&[0x81, 0x00, 0xff]).unwrap(), (128, 2));
    }

    #[test]
    fn truncated_input_is_corrupt() {
        assert!(get_varint(&[]).unwrap_err().is_corrupt());
        assert!(get_varint(&[0x81]).unwrap_err().is_corrupt());
        assert!(get_varint(&[0xff; 8]).unwrap_err().is_corrupt());
    }

    #[test]
    fn put_writes_only_its_length() {
        let mut buf = [0xaau8; 12];
        assert_eq!(put_varint(&mut buf, 300), 2);
        assert_eq!(buf[2..], [0xaa; 10]);
    }
}
