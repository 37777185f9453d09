//! Writing records.

use super::serial::SerialType;
use super::value::ValueRef;
use super::varint::{put_varint, varint_len};

/// Appends the record of `values` to `out`, byte for byte as SQLite writes it (schema format 4).
pub fn encode_record(values: &[ValueRef<'_>], out: &mut Vec<u8>) {
    if !encode_short(values, out) {
        encode_any(values, out);
    }
}

/// The most columns `encode_short` takes: its header (a size byte, then a byte per column)
/// stays under 128 bytes, so its size is a one-byte varint too.
const SHORT_MAX: usize = 15;

/// `encode_record` for the usual record (an INSERT's row or index key): at most `SHORT_MAX`
/// columns, each serial type a one-byte varint (numbers, NULL, text and blobs under 58 bytes).
/// The header is then those bytes after its one-byte size, made in one pass over the values
/// with no varint arithmetic. False, having written nothing, for any other record.
#[inline]
fn encode_short(values: &[ValueRef<'_>], out: &mut Vec<u8>) -> bool {
    if values.len() > SHORT_MAX {
        return false;
    }
    let mut header = [0u8; SHORT_MAX + 1];
    let header_len = values.len() + 1;
    header[0] = header_len as u8;
    let mut body_len = 0;
    for (byte, &v) in header[1..].iter_mut().zip(values) {
        let t = SerialType::for_value(v);
        if t.raw() >= 0x80 {
            return false;
        }
        *byte = t.raw() as u8;
        body_len += t.content_len() as usize;
    }
    debug_assert_eq!(header_size_for(header_len - 1), header_len);
    let start = out.len();
    out.resize(start + header_len + body_len, 0);
    let (head, body) = out[start..].split_at_mut(header_len);
    head.copy_from_slice(&header[..header_len]);
    let mut at = 0;
    for (&raw, &v) in header[1..].iter().zip(values) {
        // The table gives back the serial type just written (never 10 or 11).
        at += SerialType::SMALL[usize::from(raw)].write(v, &mut body[at..]);
    }
    debug_assert_eq!(at, body_len);
    true
}

/// `encode_record` for any record: serial types and the header size of any length.
fn encode_any(values: &[ValueRef<'_>], out: &mut Vec<u8>) {
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
    fn short_and_general_paths_agree() {
        let long_text = "x".repeat(58);
        let cases: Vec<Vec<ValueRef<'_>>> = vec![
            vec![],
            vec![ValueRef::Integer(-1), ValueRef::Real(0.5), ValueRef::Null],
            vec![
                ValueRef::Real(f64::NAN),
                ValueRef::Integer(i64::MIN),
                "abc".into(),
            ],
            vec![ValueRef::Integer(1); SHORT_MAX],
            vec![ValueRef::Integer(1); SHORT_MAX + 1],
            vec![ValueRef::Blob(&[1; 57]), long_text.as_str().into()],
        ];
        for values in &cases {
            let mut general = vec![7];
            encode_any(values, &mut general);
            assert_eq!(encode(values), general[1..], "{values:?}");
        }
        // A 58-byte text's serial type (129) takes two bytes: the short path declines it.
        assert!(!encode_short(&[long_text.as_str().into()], &mut Vec::new()));
    }

    #[test]
    fn wide_header_uses_two_byte_size() {
        let values = vec![ValueRef::Null; 127];
        let out = encode(&values);
        assert_eq!(out[..2], [0x81, 0x01]);
        assert_eq!(out.len(), 129);
    }
}
