//! Serial types: the header's code for each column's storage class and content length.

use super::value::ValueRef;
use crate::error::Result;

/// A column's serial type. Never 10 or 11 (reserved by SQLite): [`SerialType::from_raw`] rejects
/// them, so every `SerialType` has a defined content length.
///
/// | type | content |
/// | --- | --- |
/// | 0 | NULL |
/// | 1..=6 | big-endian two's-complement integer of 1, 2, 3, 4, 6, 8 bytes |
/// | 7 | big-endian IEEE-754 f64 |
/// | 8, 9 | the integer 0, 1 (no content; schema format 4) |
/// | N >= 12, even | blob of (N - 12) / 2 bytes |
/// | N >= 13, odd | text of (N - 13) / 2 bytes |
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct SerialType(u64);

impl SerialType {
    pub const NULL: SerialType = SerialType(0);

    /// The serial type read from a header; the reserved types are corruption.
    #[inline]
    pub fn from_raw(raw: u64) -> Result<SerialType> {
        crate::ensure_sound!(
            raw != 10 && raw != 11,
            "reserved serial type {raw} in record header"
        );
        Ok(SerialType(raw))
    }

    /// A one-byte serial type read from a header, without building an error for the reserved
    /// ones (None): for the fast paths that hand anything unusual to the general walk.
    #[inline(always)]
    pub(super) fn from_byte(raw: u8) -> Option<SerialType> {
        (raw != 10 && raw != 11).then_some(SerialType(u64::from(raw)))
    }

    /// `from_byte` as a table load, for the header fast path: each one-byte serial type, and NULL
    /// for the bytes that are none (reserved types, a longer varint's first byte), which that
    /// path refuses by their length anyway (`decode::SMALL_LEN`).
    pub(super) const SMALL: [SerialType; 256] = {
        let mut table = [SerialType::NULL; 256];
        let mut raw = 0;
        while raw < 0x80 {
            if raw != 10 && raw != 11 {
                table[raw] = SerialType(raw as u64);
            }
            raw += 1;
        }
        table
    };

    #[inline]
    pub fn raw(self) -> u64 {
        self.0
    }

    /// The serial type SQLite writes for `v`: the smallest that holds an integer, 7 for any real,
    /// and NULL for a NaN (which SQLite never stores as a real).
    #[inline]
    pub fn for_value(v: ValueRef<'_>) -> SerialType {
        SerialType(match v {
            ValueRef::Null => 0,
            ValueRef::Integer(i) => integer_serial_type(i),
            ValueRef::Real(r) if r.is_nan() => 0,
            ValueRef::Real(_) => 7,
            // usize -> u64 is lossless on every supported target; lengths never reach 2^63.
            ValueRef::Blob(b) => b.len() as u64 * 2 + 12,
            ValueRef::Text(t) => t.len() as u64 * 2 + 13,
        })
    }

    /// The number of body bytes a column of this type occupies.
    #[inline]
    pub fn content_len(self) -> u64 {
        match self.0 {
            0 | 8 | 9 => 0,
            n @ 1..=4 => n,
            5 => 6,
            6 | 7 => 8,
            // 10 and 11 cannot be constructed, so n >= 12 here.
            n => (n - 12) / 2,
        }
    }

    /// Interprets `content`, which the caller has sliced to exactly [`Self::content_len`] bytes
    /// from a bounds-checked body. Always inlined: a scan's every column read goes through it,
    /// and its callers mostly want one or two of its arms.
    #[inline(always)]
    pub(super) fn decode(self, content: &[u8]) -> ValueRef<'_> {
        match self.0 {
            0 => ValueRef::Null,
            1..=6 => ValueRef::Integer(read_be_signed(content)),
            7 => {
                // A NaN can only come from a file SQLite did not write; SQLite reads it as NULL.
                let r = f64::from_bits(read_be_signed(content) as u64);
                if r.is_nan() {
                    ValueRef::Null
                } else {
                    ValueRef::Real(r)
                }
            }
            8 => ValueRef::Integer(0),
            9 => ValueRef::Integer(1),
            n if n % 2 == 0 => ValueRef::Blob(content),
            _ => ValueRef::Text(content),
        }
    }

    /// Writes the body bytes of `v`, whose serial type is `self`, at the start of `out` (which
    /// holds at least [`Self::content_len`] bytes); returns how many.
    #[inline]
    pub(super) fn write(self, v: ValueRef<'_>, out: &mut [u8]) -> usize {
        let len = self.content_len() as usize;
        match v {
            ValueRef::Integer(i) => {
                // Big-endian, the low `len` bytes: one fixed-size copy per width, not a loop
                // or a short copy through memcpy.
                let be = i.to_be_bytes();
                match len {
                    0 => {}
                    1 => out[0] = be[7],
                    2 => out[..2].copy_from_slice(&be[6..]),
                    3 => out[..3].copy_from_slice(&be[5..]),
                    4 => out[..4].copy_from_slice(&be[4..]),
                    6 => out[..6].copy_from_slice(&be[2..]),
                    _ => out[..8].copy_from_slice(&be),
                }
            }
            ValueRef::Real(r) if self.0 == 7 => out[..8].copy_from_slice(&r.to_be_bytes()),
            ValueRef::Text(bytes) | ValueRef::Blob(bytes) => out[..len].copy_from_slice(bytes),
            ValueRef::Null | ValueRef::Real(_) => {}
        }
        len
    }
}

fn integer_serial_type(i: i64) -> u64 {
    if i == 0 || i == 1 {
        return 8 + i as u64;
    }
    // A negative n needs as many bytes as its complement !n = -n - 1, which is non-negative.
    let magnitude = if i < 0 { !i } else { i };
    match magnitude {
        0..=0x7f => 1,
        0x80..=0x7fff => 2,
        0x8000..=0x7f_ffff => 3,
        0x80_0000..=0x7fff_ffff => 4,
        0x8000_0000..=0x7fff_ffff_ffff => 5,
        _ => 6,
    }
}

/// Sign-extends a big-endian integer of 0 to 8 bytes. The widths serial types use are read as
/// one fixed-size load each, not byte by byte: a scan decodes one per integer or real column
/// (always inlined into `decode`: a call cost as much as the read).
#[inline(always)]
fn read_be_signed(bytes: &[u8]) -> i64 {
    match *bytes {
        [] => 0,
        [a] => i64::from(a as i8),
        [a, b] => i64::from(i16::from_be_bytes([a, b])),
        [a, b, c] => i64::from(i32::from_be_bytes([a, b, c, 0]) >> 8),
        [a, b, c, d] => i64::from(i32::from_be_bytes([a, b, c, d])),
        [a, b, c, d, e, f] => i64::from_be_bytes([a, b, c, d, e, f, 0, 0]) >> 16,
        [a, b, c, d, e, f, g, h] => i64::from_be_bytes([a, b, c, d, e, f, g, h]),
        // Widths no serial type has (5, 7).
        [first, ref rest @ ..] => rest
            .iter()
            .fold(i64::from(first as i8), |acc, &b| (acc << 8) | i64::from(b)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn serial(i: i64) -> u64 {
        SerialType::for_value(ValueRef::Integer(i)).raw()
    }

    #[test]
    fn integer_serial_type_boundaries() {
        let cases: &[(i64, u64)] = &[
            (0, 8),
            (1, 9),
            (2, 1),
            (-1, 1),
            (127, 1),
            (128, 2),
            (-128, 1),
            (-129, 2),
            (32767, 2),
            (32768, 3),
            (-32768, 2),
            (-32769, 3),
            (8_388_607, 3),
            (8_388_608, 4),
            (-8_388_608, 3),
            (-8_388_609, 4),
            (i32::MAX as i64, 4),
            (i32::MAX as i64 + 1, 5),
            (i32::MIN as i64, 4),
            (i32::MIN as i64 - 1, 5),
            ((1 << 47) - 1, 5),
            (1 << 47, 6),
            (-(1 << 47), 5),
            (-(1 << 47) - 1, 6),
            (i64::MAX, 6),
            (i64::MIN, 6),
        ];
        for &(i, expected) in cases {
            assert_eq!(serial(i), expected, "serial type of {i}");
            let st = SerialType(expected);
            let mut body = vec![0; st.content_len() as usize];
            assert_eq!(st.write(ValueRef::Integer(i), &mut body), body.len());
            assert_eq!(st.decode(&body), ValueRef::Integer(i), "round trip of {i}");
        }
    }

    #[test]
    fn content_lengths() {
        let lens = [0, 1, 2, 3, 4, 6, 8, 8, 0, 0];
        for (raw, len) in lens.into_iter().enumerate() {
            assert_eq!(SerialType::from_raw(raw as u64).unwrap().content_len(), len);
        }
        assert_eq!(SerialType(12).content_len(), 0);
        assert_eq!(SerialType(13).content_len(), 0);
        assert_eq!(SerialType(20).content_len(), 4);
        assert_eq!(SerialType(21).content_len(), 4);
        assert_eq!(SerialType(u64::MAX).content_len(), (u64::MAX - 13) / 2);
    }

    #[test]
    fn reserved_types_are_corrupt() {
        assert!(SerialType::from_raw(10).unwrap_err().is_corrupt());
        assert!(SerialType::from_raw(11).unwrap_err().is_corrupt());
    }

    #[test]
    fn text_blob_and_real_types() {
        assert_eq!(SerialType::for_value(ValueRef::Text(b"")).raw(), 13);
        assert_eq!(SerialType::for_value(ValueRef::Text(b"abc")).raw(), 19);
        assert_eq!(SerialType::for_value(ValueRef::Blob(b"")).raw(), 12);
        assert_eq!(SerialType::for_value(ValueRef::Blob(b"abc")).raw(), 18);
        assert_eq!(SerialType::for_value(ValueRef::Real(1.0)).raw(), 7);
        assert_eq!(
            SerialType::for_value(ValueRef::Real(f64::NAN)),
            SerialType::NULL
        );
        assert_eq!(SerialType(19).decode(b"abc"), ValueRef::Text(b"abc"));
        assert_eq!(SerialType(18).decode(b"abc"), ValueRef::Blob(b"abc"));
    }

    #[test]
    fn reals_keep_their_bits_and_nan_reads_as_null() {
        for r in [
            -0.0,
            0.0,
            1.5,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::MIN_POSITIVE,
            5e-324,
        ] {
            let mut body = [0; 8];
            assert_eq!(SerialType(7).write(ValueRef::Real(r), &mut body), 8);
            assert_eq!(body, r.to_be_bytes());
            let ValueRef::Real(back) = SerialType(7).decode(&body) else {
                panic!("{r} not real")
            };
            assert_eq!(back.to_bits(), r.to_bits());
        }
        assert_eq!(
            SerialType(7).decode(&f64::NAN.to_be_bytes()),
            ValueRef::Null
        );
    }
}
