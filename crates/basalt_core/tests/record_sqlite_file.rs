//! Byte-exactness: records encoded here equal the payloads SQLite writes into a database file.
//!
//! SQL cannot show a record, so the test reads the file: each table is small enough to live on
//! its root page, a leaf table page whose cells are (payload length, rowid, payload).

use std::path::PathBuf;

use basalt_core::record::{decode_record, encode_record, get_varint, Value, ValueRef};
use rusqlite::types::ToSqlOutput;
use rusqlite::Connection;

const PAGE_SIZE: usize = 4096;

fn to_sql(v: &Value) -> ToSqlOutput<'_> {
    ToSqlOutput::Borrowed(match v.as_value_ref() {
        ValueRef::Null => rusqlite::types::ValueRef::Null,
        ValueRef::Integer(i) => rusqlite::types::ValueRef::Integer(i),
        ValueRef::Real(r) => rusqlite::types::ValueRef::Real(r),
        ValueRef::Text(t) => rusqlite::types::ValueRef::Text(t),
        ValueRef::Blob(b) => rusqlite::types::ValueRef::Blob(b),
    })
}

struct TempDb(PathBuf);

impl TempDb {
    fn new(name: &str) -> TempDb {
        let path =
            std::env::temp_dir().join(format!("basalt-record-{name}-{}.db", std::process::id()));
        let _ = std::fs::remove_file(&path);
        TempDb(path)
    }
}

impl Drop for TempDb {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// Writes `rows` into a table of `width` untyped columns (no affinity, so values are stored as
/// bound) and returns the payload of each row, in rowid order, read from the file.
fn sqlite_payloads(name: &str, width: usize, rows: &[Vec<Value>]) -> Vec<Vec<u8>> {
    let db_file = TempDb::new(name);
    let root_page = {
        let db = Connection::open(&db_file.0).unwrap();
        db.execute_batch(&format!("PRAGMA page_size = {PAGE_SIZE}"))
            .unwrap();
        let columns: Vec<String> = (0..width).map(|i| format!("c{i}")).collect();
        db.execute_batch(&format!("CREATE TABLE t({})", columns.join(", ")))
            .unwrap();
        let params = vec!["?"; width].join(", ");
        let mut insert = db
            .prepare(&format!("INSERT INTO t VALUES ({params})"))
            .unwrap();
        for row in rows {
            let bound: Vec<ToSqlOutput<'_>> = row.iter().map(to_sql).collect();
            insert.execute(rusqlite::params_from_iter(bound)).unwrap();
        }
        drop(insert);
        let root: i64 = db
            .query_row(
                "SELECT rootpage FROM sqlite_schema WHERE name = 't'",
                (),
                |r| r.get(0),
            )
            .unwrap();
        root as usize
    };
    let file = std::fs::read(&db_file.0).unwrap();
    let page = &file[(root_page - 1) * PAGE_SIZE..root_page * PAGE_SIZE];
    assert_eq!(page[0], 0x0d, "table {name} must fit on one leaf page");
    let cell_count = u16::from_be_bytes([page[3], page[4]]) as usize;
    assert_eq!(cell_count, rows.len());
    let mut payloads: Vec<(u64, Vec<u8>)> = (0..cell_count)
        .map(|i| {
            let at = u16::from_be_bytes([page[8 + 2 * i], page[9 + 2 * i]]) as usize;
            let (payload_len, n) = get_varint(&page[at..]).unwrap();
            let (rowid, m) = get_varint(&page[at + n..]).unwrap();
            let start = at + n + m;
            // Payloads this small are never spilled to overflow pages.
            assert!(payload_len < 1000);
            (rowid, page[start..start + payload_len as usize].to_vec())
        })
        .collect();
    payloads.sort();
    payloads.into_iter().map(|(_, payload)| payload).collect()
}

fn check_rows(name: &str, width: usize, rows: &[Vec<Value>]) {
    let payloads = sqlite_payloads(name, width, rows);
    for (row, payload) in rows.iter().zip(&payloads) {
        let refs: Vec<ValueRef<'_>> = row.iter().map(Value::as_value_ref).collect();
        let mut ours = Vec::new();
        encode_record(&refs, &mut ours);
        assert_eq!(&ours, payload, "record of {row:?}");
        let decoded = decode_record(payload).unwrap();
        let expected: Vec<Value> = row
            .iter()
            .map(|v| match v {
                Value::Real(r) if r.is_nan() => Value::Null,
                v => v.clone(),
            })
            .collect();
        assert_eq!(decoded, expected);
        for (d, e) in decoded.iter().zip(&expected) {
            if let (Value::Real(d), Value::Real(e)) = (d, e) {
                assert_eq!(d.to_bits(), e.to_bits(), "sign and bits of reals are kept");
            }
        }
    }
}

fn integer_boundaries() -> Vec<i64> {
    let mut out = vec![0, 1, 2, -1, i64::MAX, i64::MIN];
    for bound in [127i64, 32767, 8_388_607, i32::MAX as i64, (1 << 47) - 1] {
        out.extend([bound, bound + 1, -bound - 1, -bound - 2]);
    }
    out
}

#[test]
fn every_serial_type_matches_sqlite() {
    let mut rows: Vec<Vec<Value>> = integer_boundaries()
        .into_iter()
        .map(|i| vec![Value::Integer(i)])
        .collect();
    for r in [
        0.0,
        -0.0,
        1.0,
        1.5,
        -2.25,
        1e300,
        5e-324,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NAN,
    ] {
        rows.push(vec![Value::Real(r)]);
    }
    rows.push(vec![Value::Null]);
    for text in [
        &b""[..],
        b"a",
        b"Hello, world",
        "héllo".as_bytes(),
        b"\xff\xfe not utf-8",
        b"a\0b",
    ] {
        rows.push(vec![Value::Text(text.to_vec())]);
    }
    for blob in [&b""[..], b"\0", b"\x01\x02\x03"] {
        rows.push(vec![Value::Blob(blob.to_vec())]);
    }
    // Lengths whose serial type needs a 2-byte varint (text of 58 bytes is type 129).
    rows.push(vec![Value::Text(vec![b'x'; 57])]);
    rows.push(vec![Value::Text(vec![b'x'; 58])]);
    rows.push(vec![Value::Blob(vec![7; 58])]);
    rows.push(vec![Value::Text(vec![b'y'; 300])]);
    check_rows("single", 1, &rows);
}

#[test]
fn mixed_rows_match_sqlite() {
    let rows = vec![
        vec![
            Value::Integer(1),
            Value::from("one"),
            Value::Real(1.0),
            Value::Blob(vec![1]),
        ],
        vec![Value::Null, Value::Null, Value::Null, Value::Null],
        vec![
            Value::Integer(-300),
            Value::Null,
            Value::Integer(0),
            Value::Null,
        ],
        vec![
            Value::from(""),
            Value::Blob(vec![]),
            Value::Real(-0.0),
            Value::Integer(i64::MIN),
        ],
        vec![
            Value::Integer(1 << 40),
            Value::from("ABC  "),
            Value::Null,
            Value::Real(0.1),
        ],
    ];
    check_rows("mixed", 4, &rows);
}

#[test]
fn wide_headers_match_sqlite() {
    // Headers of 127 and 128+ bytes: the header size's own varint grows to two bytes.
    for width in [125, 126, 127, 128, 200] {
        let row: Vec<Value> = (0..width)
            .map(|i| match i % 4 {
                0 => Value::Null,
                1 => Value::Integer(i as i64 * 1000),
                2 => Value::from("t"),
                _ => Value::Integer(1),
            })
            .collect();
        check_rows(&format!("wide{width}"), width, &[row]);
    }
}
