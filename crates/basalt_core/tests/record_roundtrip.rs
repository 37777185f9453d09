//! Property tests of the record codec: encoding round-trips, and decoding arbitrary bytes never
//! panics.

use basalt_core::record::{
    compare_records, compare_unpacked, decode_record, encode_record, get_varint, push_varint,
    put_varint, varint_len, KeyInfo, RecordHeader, RecordIter, SerialType, Value, ValueRef,
    MAX_VARINT_LEN,
};
use proptest::prelude::*;

fn value() -> impl Strategy<Value = Value> {
    let boundaries: Vec<i64> = [0i64, 1, 127, 128, 32767, 32768, 8_388_607, 8_388_608]
        .into_iter()
        .chain([
            i32::MAX as i64,
            i32::MAX as i64 + 1,
            (1 << 47) - 1,
            1 << 47,
            i64::MAX,
        ])
        .flat_map(|i| [i, -i, -i - 1, i.saturating_add(1)])
        .collect();
    prop_oneof![
        Just(Value::Null),
        any::<i64>().prop_map(Value::Integer),
        prop::sample::select(boundaries).prop_map(Value::Integer),
        any::<f64>().prop_map(Value::Real),
        prop::sample::select(vec![0.0, -0.0, f64::INFINITY, f64::NEG_INFINITY, 5e-324])
            .prop_map(Value::Real),
        // Arbitrary bytes: text need not be valid UTF-8.
        prop::collection::vec(any::<u8>(), 0..80).prop_map(Value::Text),
        ".{0,10}".prop_map(Value::from),
        prop::collection::vec(any::<u8>(), 0..80).prop_map(Value::Blob),
    ]
}

fn values() -> impl Strategy<Value = Vec<Value>> {
    prop_oneof![
        8 => prop::collection::vec(value(), 0..12),
        // Wide rows, whose header size needs a 2-byte varint.
        1 => prop::collection::vec(value(), 100..200),
    ]
}

/// What a value reads back as: bit-identical, except that NaN is stored as NULL.
fn stored(v: &Value) -> Value {
    match v {
        Value::Real(r) if r.is_nan() => Value::Null,
        v => v.clone(),
    }
}

fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Real(x), Value::Real(y)) => x.to_bits() == y.to_bits(),
        (a, b) => a == b,
    }
}

fn encode(values: &[Value]) -> Vec<u8> {
    let refs: Vec<ValueRef<'_>> = values.iter().map(Value::as_value_ref).collect();
    let mut out = Vec::new();
    encode_record(&refs, &mut out);
    out
}

proptest! {
    #[test]
    fn varint_round_trips(v in any::<u64>(), shift in 0u32..64) {
        for v in [v, v >> shift] {
            let mut out = Vec::new();
            let len = push_varint(&mut out, v);
            prop_assert_eq!(len, varint_len(v));
            prop_assert!(len <= MAX_VARINT_LEN);
            prop_assert_eq!(get_varint(&out).unwrap(), (v, len));
            let mut buf = [0u8; MAX_VARINT_LEN];
            prop_assert_eq!(put_varint(&mut buf, v), len);
            prop_assert_eq!(&buf[..len], &out[..]);
            // Any cut makes it truncated.
            for cut in 0..len {
                prop_assert!(get_varint(&out[..cut]).unwrap_err().is_corrupt());
            }
        }
    }

    #[test]
    fn varint_reads_any_bytes(bytes in prop::collection::vec(any::<u8>(), 0..12)) {
        if let Ok((v, len)) = get_varint(&bytes) {
            prop_assert!(len <= bytes.len() && len <= MAX_VARINT_LEN);
            // Non-minimal forms (0x80 0x00) decode fine, so compare values, not bytes.
            let mut out = Vec::new();
            push_varint(&mut out, v);
            prop_assert_eq!(get_varint(&out).unwrap().0, v);
        }
    }

    #[test]
    fn records_round_trip(values in values()) {
        let record = encode(&values);
        let expected: Vec<Value> = values.iter().map(stored).collect();

        let decoded = decode_record(&record).unwrap();
        prop_assert_eq!(decoded.len(), expected.len());
        for (d, e) in decoded.iter().zip(&expected) {
            prop_assert!(same(d, e), "{:?} decoded as {:?}", e, d);
        }

        let mut header = RecordHeader::new();
        header.parse(&record).unwrap();
        prop_assert_eq!(header.len(), values.len());
        prop_assert_eq!(header.body_end(), record.len());
        for (i, e) in expected.iter().enumerate().rev() {
            let got = header.column(&record, i).unwrap().unwrap().to_value();
            prop_assert!(same(&got, e), "column {}: {:?} read as {:?}", i, e, got);
            prop_assert_eq!(header.serial_type(i), Some(SerialType::for_value(e.as_value_ref())));
        }
        prop_assert_eq!(header.column(&record, values.len()).unwrap(), None);

        // Re-encoding what was decoded gives the same bytes, and a record equals itself.
        prop_assert_eq!(&encode(&decoded), &record);
        let key = KeyInfo::binary(values.len());
        prop_assert_eq!(compare_records(&record, &record, &key).unwrap(), std::cmp::Ordering::Equal);
        let refs: Vec<ValueRef<'_>> = decoded.iter().map(Value::as_value_ref).collect();
        prop_assert_eq!(compare_unpacked(&refs, &record, &key).unwrap(), std::cmp::Ordering::Equal);
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..64)) {
        check_decoders_agree(&bytes)?;
    }

    #[test]
    fn damaged_records_never_panic(
        values in prop::collection::vec(value(), 0..8),
        damage in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..4),
        cut in any::<prop::sample::Index>(),
    ) {
        let mut record = encode(&values);
        for (at, byte) in damage {
            let i = at.index(record.len());
            record[i] = byte;
        }
        check_decoders_agree(&record)?;
        let len = cut.index(record.len() + 1);
        check_decoders_agree(&record[..len])?;
    }
}

/// Every reader either succeeds or reports corruption, and the lazy and parsed readers agree.
fn check_decoders_agree(bytes: &[u8]) -> Result<(), TestCaseError> {
    let lazy = decode_record(bytes);
    let mut header = RecordHeader::new();
    let parsed = header.parse(bytes);
    match (&lazy, &parsed) {
        (Ok(values), Ok(())) => {
            prop_assert_eq!(header.len(), values.len());
            for (i, v) in values.iter().enumerate() {
                let got = header.column(bytes, i).unwrap().unwrap().to_value();
                prop_assert!(same(&got, v));
            }
            prop_assert!(header.body_end() <= bytes.len());
        }
        (Err(e), Err(_)) => prop_assert!(e.is_corrupt(), "{}", e),
        _ => prop_assert!(false, "lazy {:?} vs parsed {:?}", lazy, parsed),
    }
    let walked: Result<Vec<_>, _> = match RecordIter::new(bytes) {
        Ok(iter) => iter.collect(),
        Err(e) => Err(e),
    };
    prop_assert_eq!(walked.is_ok(), lazy.is_ok());

    let key = KeyInfo::binary(16);
    let valid = encode(&[Value::Integer(1), Value::from("x")]);
    for result in [
        compare_records(bytes, &valid, &key),
        compare_records(&valid, bytes, &key),
        compare_records(bytes, bytes, &key),
        compare_unpacked(&[ValueRef::Integer(1), ValueRef::Null], bytes, &key),
    ] {
        if let Err(e) = result {
            prop_assert!(e.is_corrupt(), "{}", e);
        }
    }
    Ok(())
}
