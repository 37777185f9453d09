//! Writing records.

use super::serial::SerialType;
use super::value::ValueRef;
use super::varint::{put_varint, varint_len};

/// Appends the record of `values` to `out`, byte for byte as SQLite writes it (schema format 4).
pub fn encode_record(values: &[ValueRef<'_>], out: &mut Vec<u8>) {
    // Each value's serial type is worked out once; the usual few go in a stack buffer.
    const INLINE: usize = 16;
    let mut inline = [SerialType::NULL; INLINE];
    let mut spilled = Vec::new();
    let types = if values.len() <= INLINE {
        &mut inline[..values.len()]
    } else {
        spilled.resize(values.len(), SerialType::NULL);
        &mut spilled[..]
    };
    let (mut types_len, mut body_len) = (0, 0);
    for (slot, &v) in types.iter_mut().zip(values) {
        let t = SerialType::for_value(v);
        types_len += varint_len(t.raw());
        body_len += t.content_len() as usize;
        *slot = t;
    }
    let header_len = header_size_for(types_len);
    // Sized once, then filled in place: no capacity check or small copy per field.
    let start = out.len();
    out.resize(start + header_len + body_len, 0);
    let (header, body) = out[start..].split_at_mut(header_len);
    let mut at = put_varint(header, header_len as u64);
    for t in types.iter() {
        at += put_varint(&mut header[at..], t.raw());
    }
    debug_assert_eq!(at, header_len);
    let mut at = 0;
    for (t, &v) in types.iter().zip(values) {
        at += t.write(v, &mut body[at..]);
    }
    debug_assert_eq!(at, body_len);
}

/// The header size counts its own varint, whose length depends on the size: take the smallest
/// size that is consistent with itself, as SQLite does. Starting from a one-byte guess and
/// growing only when the varint needs to, this converges in at most a few steps.
fn header_size_for(types_len: usize) -> usize {
    let mut len = types_len + 1;
    while types_len + varint_len(len as u64) != len {
        len = types_len + varint_len(len as u64);
    }
    len
}

#[cfg(test)]
mod tests {
    use super::*;

    fn encode(values: &[ValueRef<'_>]) -> Vec<u8> {
        let mut out = Vec::new();
        encode_record(values, &mut out);
        out
    }

    #[test]
    fn header_size_counts_its_own_varint() {
        assert_eq!(header_size_for(0), 1);
        assert_eq!(header_size_for(126), 127);
        // 127 bytes of types + 1 = 128, which needs a 2-byte varint.
        assert_eq!(header_size_for(127), 129);
        assert_eq!(header_size_for(16381), 16383);
        assert_eq!(header_size_for(16382), 16385);
    }

    #[test]
    fn small_records() {
        assert_eq!(encode(&[]), [1]);
        assert_eq!(encode(&[ValueRef::Null]), [2, 0]);
        assert_eq!(
            encode(&[
                ValueRef::Integer(0),
                ValueRef::Integer(1),
                ValueRef::Integer(2)
            ]),
            [4, 8, 9, 1, 2]
        );
        assert_eq!(
            encode(&["hi".into(), ValueRef::Blob(&[7])]),
            [3, 17, 14, b'h', b'i', 7]
        );
        assert_eq!(encode(&[ValueRef::Integer(-129)]), [2, 2, 0xff, 0x7f]);
    }

    #[test]
    fn appends_to_existing_output() {
        let mut out = vec![0xaa];
        encode_record(&[ValueRef::Integer(2)], &mut out);
        assert_eq!(out, [0xaa, 2, 1, 2]);
    }

    #[test]
    fn wide_header_uses_two_byte_size() {
        let values = vec![ValueRef::Null; 127];
        let out = encode(&values);
        assert_eq!(out[..2], [0x81, 0x01]);
        assert_eq!(out.len(), 129);
    }
}
