//! Value and record ordering, checked against an independent reference and against SQLite.

use std::cmp::Ordering;

use basalt_core::record::{
    compare_records, compare_unpacked, compare_values, encode_record, Collation, KeyColumn,
    KeyInfo, SortOrder, Value, ValueRef,
};
use proptest::prelude::*;
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use rusqlite::types::ToSqlOutput;
use rusqlite::Connection;

const COLLATIONS: [(Collation, &str); 3] = [
    (Collation::Binary, "BINARY"),
    (Collation::NoCase, "NOCASE"),
    (Collation::RTrim, "RTRIM"),
];

// ---- Reference: written from the definitions, without sharing the implementation's approach.

fn reference(a: &Value, b: &Value, collation: Collation) -> Ordering {
    let rank = |v: &Value| match v {
        Value::Null => 0,
        Value::Real(r) if r.is_nan() => 0,
        Value::Integer(_) | Value::Real(_) => 1,
        Value::Text(_) => 2,
        Value::Blob(_) => 3,
    };
    match (a, b) {
        _ if rank(a) != rank(b) || rank(a) == 0 => rank(a).cmp(&rank(b)),
        (Value::Integer(x), Value::Integer(y)) => x.cmp(y),
        (Value::Real(x), Value::Real(y)) => x.partial_cmp(y).unwrap(),
        (Value::Integer(x), Value::Real(y)) => reference_int_real(*x, *y),
        (Value::Real(x), Value::Integer(y)) => reference_int_real(*y, *x).reverse(),
        (Value::Text(x), Value::Text(y)) => reference_text(x, y, collation),
        (Value::Blob(x), Value::Blob(y)) => reference_bytes(x, y),
        _ => unreachable!(),
    }
}

/// Compares i with r = m * 2^e exactly in 128-bit integers.
fn reference_int_real(i: i64, r: f64) -> Ordering {
    if r.is_infinite() {
        return if r > 0.0 {
            Ordering::Less
        } else {
            Ordering::Greater
        };
    }
    let bits = r.to_bits();
    let exponent = ((bits >> 52) & 0x7ff) as i32;
    let fraction = (bits & ((1 << 52) - 1)) as i128;
    let (mantissa, e) = if exponent == 0 {
        (fraction, -1074)
    } else {
        (fraction | 1 << 52, exponent - 1075)
    };
    let m = if bits >> 63 == 1 { -mantissa } else { mantissa };
    let i = i as i128;
    if m == 0 {
        return i.cmp(&0);
    }
    if e >= 0 {
        // m << e fits in i128 up to e = 70 (|m| < 2^53); past that |r| > 2^70 > |i|.
        if e > 70 {
            return 0.cmp(&m);
        }
        i.cmp(&(m << e))
    } else {
        // Compare i * 2^k with m, |m| < 2^53.
        let k = -e;
        if k >= 54 {
            return if i == 0 { 0.cmp(&m) } else { i.cmp(&0) };
        }
        (i << k).cmp(&m)
    }
}

fn reference_bytes(a: &[u8], b: &[u8]) -> Ordering {
    for i in 0..a.len().min(b.len()) {
        if a[i] != b[i] {
            return a[i].cmp(&b[i]);
        }
    }
    a.len().cmp(&b.len())
}

fn reference_text(a: &[u8], b: &[u8], collation: Collation) -> Ordering {
    match collation {
        // No application collation is active in these tests: bytewise, as the engine falls
        // back to (and reports) an undefined one.
        Collation::Binary | Collation::User(_) => reference_bytes(a, b),
        Collation::RTrim => {
            let trim = |s: &[u8]| s.len() - s.iter().rev().take_while(|&&c| c == b' ').count();
            reference_bytes(&a[..trim(a)], &b[..trim(b)])
        }
        Collation::NoCase => {
            // A C-string walk over the common length, stopping at a NUL in `a`, then lengths.
            let fold = |c: u8| if c.is_ascii_uppercase() { c + 32 } else { c };
            let n = a.len().min(b.len());
            let mut i = 0;
            while i < n && a[i] != 0 && fold(a[i]) == fold(b[i]) {
                i += 1;
            }
            if i < n && fold(a[i]) != fold(b[i]) {
                fold(a[i]).cmp(&fold(b[i]))
            } else {
                a.len().cmp(&b.len())
            }
        }
    }
}

fn value() -> impl Strategy<Value = Value> {
    let text = prop::collection::vec(prop::sample::select(b"aAbB_ Z`\0\xc3\xa9\t".to_vec()), 0..6);
    prop_oneof![
        Just(Value::Null),
        any::<i64>().prop_map(Value::Integer),
        (-4i64..4).prop_map(Value::Integer),
        ((1i64 << 53) - 2..(1i64 << 53) + 3).prop_map(Value::Integer),
        (i64::MAX - 2..=i64::MAX).prop_map(Value::Integer),
        (i64::MIN..i64::MIN + 2).prop_map(Value::Integer),
        any::<f64>().prop_map(Value::Real),
        (-8i32..8).prop_map(|h| Value::Real(f64::from(h) / 2.0)),
        prop::sample::select(vec![
            -0.0,
            2f64.powi(53),
            2f64.powi(63),
            -(2f64.powi(63)),
            1e19,
            f64::INFINITY,
            f64::NEG_INFINITY,
            5e-324,
        ])
        .prop_map(Value::Real),
        text.clone().prop_map(Value::Text),
        text.prop_map(Value::Blob),
    ]
}

proptest! {
    #[test]
    fn values_compare_like_the_reference(a in value(), b in value()) {
        for (collation, _) in COLLATIONS {
            let got = compare_values(a.as_value_ref(), b.as_value_ref(), collation);
            prop_assert_eq!(got, reference(&a, &b, collation), "{:?} vs {:?} {:?}", a, b, collation);
            let back = compare_values(b.as_value_ref(), a.as_value_ref(), collation);
            prop_assert_eq!(back, got.reverse());
        }
    }

    #[test]
    fn records_compare_like_the_reference(
        a in prop::collection::vec(value(), 0..4),
        b in prop::collection::vec(value(), 0..4),
        key in prop::collection::vec((0..3usize, any::<bool>()), 0..5),
    ) {
        let key = KeyInfo::new(key.into_iter().map(|(c, desc)| {
            KeyColumn::new(COLLATIONS[c].0, if desc { SortOrder::Desc } else { SortOrder::Asc })
        }).collect());
        let mut expected = Ordering::Equal;
        for ((x, y), column) in a.iter().zip(&b).zip(&key.columns) {
            let o = reference(x, y, column.collation);
            let o = if column.order == SortOrder::Desc { o.reverse() } else { o };
            if o != Ordering::Equal {
                expected = o;
                break;
            }
        }
        let (ra, rb) = (encode(&a), encode(&b));
        prop_assert_eq!(compare_records(&ra, &rb, &key).unwrap(), expected);
        let unpacked: Vec<ValueRef<'_>> = a.iter().map(Value::as_value_ref).collect();
        prop_assert_eq!(compare_unpacked(&unpacked, &rb, &key).unwrap(), expected);
    }
}

fn encode(values: &[Value]) -> Vec<u8> {
    let refs: Vec<ValueRef<'_>> = values.iter().map(Value::as_value_ref).collect();
    let mut out = Vec::new();
    encode_record(&refs, &mut out);
    out
}

#[test]
fn reference_self_check() {
    assert_eq!(reference_int_real(i64::MAX, 2f64.powi(63)), Ordering::Less);
    assert_eq!(reference_int_real(3, 2.5), Ordering::Greater);
    assert_eq!(reference_int_real(-3, -2.5), Ordering::Less);
    assert_eq!(reference_int_real(0, -0.0), Ordering::Equal);
    assert_eq!(reference_int_real(1, 5e-324), Ordering::Greater);
    assert_eq!(reference_int_real(-1, 1e300), Ordering::Less);
}

// ---- Oracle: SQLite itself.

/// Values chosen to meet at every boundary of the order: mixed classes, integers and reals that
/// are equal or nearly so (also near 2^53 and 2^63), and text differing in case, in trailing
/// spaces, around NUL, and in bytes between the ASCII cases ('_', '`').
fn oracle_values(rng: &mut SmallRng) -> Vec<Value> {
    let mut values = vec![Value::Null, Value::Null];
    for i in [
        0i64,
        1,
        -1,
        2,
        3,
        127,
        128,
        -129,
        i64::MAX,
        i64::MIN,
        i64::MAX - 1,
        i64::MIN + 1,
    ] {
        values.push(Value::Integer(i));
    }
    for i in [(1i64 << 53) - 1, 1 << 53, (1 << 53) + 1, (1 << 53) + 2] {
        values.push(Value::Integer(i));
        values.push(Value::Real(i as f64));
    }
    for r in [
        0.0, -0.0, 0.5, -0.5, 1.0, 2.5, 3.0, -3.0, 1e19, -1e19, 1e-300,
    ] {
        values.push(Value::Real(r));
    }
    let two_63 = 2f64.powi(63);
    for r in [
        two_63,
        -two_63,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::MAX,
        f64::MIN,
    ] {
        values.push(Value::Real(r));
    }
    let pieces: [&[u8]; 14] = [
        b"a",
        b"A",
        b"b",
        b"B",
        b"_",
        b"`",
        b"z",
        b"Z",
        b" ",
        b"  ",
        b"\t",
        b"\0",
        "é".as_bytes(),
        "É".as_bytes(),
    ];
    for _ in 0..140 {
        let text: Vec<u8> = (0..rng.gen_range(0..5))
            .flat_map(|_| pieces[rng.gen_range(0..pieces.len())])
            .copied()
            .collect();
        values.push(Value::Text(text));
    }
    for text in [
        &b"ab "[..],
        b"ab",
        b"AB  ",
        b"ab\x01",
        b"ab\t",
        b"\xff",
        b"a\xfe",
        b"a\0b",
        b"A\0c",
    ] {
        values.push(Value::Text(text.to_vec()));
    }
    for _ in 0..40 {
        values.push(Value::Integer(rng.gen_range(-5..5)));
        values.push(Value::Integer(rng.gen()));
        values.push(Value::Real(f64::from(rng.gen_range(-10i32..10)) / 4.0));
        values.push(Value::Real(rng.gen_range(-1e20..1e20)));
        let blob: Vec<u8> = (0..rng.gen_range(0..4))
            .map(|_| rng.gen_range(0..3u8) * 0x7f)
            .collect();
        values.push(Value::Blob(blob));
    }
    values
}

fn to_sql(v: &Value) -> ToSqlOutput<'_> {
    ToSqlOutput::Borrowed(match v.as_value_ref() {
        ValueRef::Null => rusqlite::types::ValueRef::Null,
        ValueRef::Integer(i) => rusqlite::types::ValueRef::Integer(i),
        ValueRef::Real(r) => rusqlite::types::ValueRef::Real(r),
        ValueRef::Text(t) => rusqlite::types::ValueRef::Text(t),
        ValueRef::Blob(b) => rusqlite::types::ValueRef::Blob(b),
    })
}

/// A table `t(id, x, y)` with no column affinity, so values are stored exactly as bound; `x` is
/// `values[id]`, and `y` a random one of them, returned.
fn oracle_db(values: &[Value], rng: &mut SmallRng) -> (Connection, Vec<Value>) {
    let db = Connection::open_in_memory().unwrap();
    db.execute_batch("CREATE TABLE t(id INTEGER PRIMARY KEY, x, y)")
        .unwrap();
    let mut insert = db.prepare("INSERT INTO t VALUES (?1, ?2, ?3)").unwrap();
    let ys: Vec<Value> = values
        .iter()
        .map(|_| values[rng.gen_range(0..values.len())].clone())
        .collect();
    for (id, (x, y)) in values.iter().zip(&ys).enumerate() {
        insert.execute((id as i64, to_sql(x), to_sql(y))).unwrap();
    }
    drop(insert);
    (db, ys)
}

#[test]
fn pairwise_order_matches_sqlite() {
    let mut rng = SmallRng::seed_from_u64(0x5eed);
    let values = oracle_values(&mut rng);
    let (db, _) = oracle_db(&values, &mut rng);
    for (collation, name) in COLLATIONS {
        // SQL comparisons with NULL yield NULL, so NULL's place is checked by ORDER BY below.
        let sql = format!(
            "SELECT a.id, b.id, a.x < b.x COLLATE {name}, a.x = b.x COLLATE {name} \
             FROM t a, t b WHERE a.x IS NOT NULL AND b.x IS NOT NULL"
        );
        let mut stmt = db.prepare(&sql).unwrap();
        let mut rows = stmt.query(()).unwrap();
        let mut checked = 0;
        while let Some(row) = rows.next().unwrap() {
            let (a, b): (i64, i64) = (row.get(0).unwrap(), row.get(1).unwrap());
            let (a, b) = (a as usize, b as usize);
            let (less, equal): (bool, bool) = (row.get(2).unwrap(), row.get(3).unwrap());
            let expected = match (less, equal) {
                (true, _) => Ordering::Less,
                (_, true) => Ordering::Equal,
                _ => Ordering::Greater,
            };
            let got = compare_values(
                values[a].as_value_ref(),
                values[b].as_value_ref(),
                collation,
            );
            assert_eq!(
                got, expected,
                "{:?} vs {:?} under {name}",
                values[a], values[b]
            );
            checked += 1;
        }
        assert!(checked > 100_000, "only {checked} pairs");
    }
}

/// Checks that SQLite's `ORDER BY` output is sorted under `key` applied to records of (x, y).
fn check_order_by(db: &Connection, values: &[Value], ys: &[Value], order_by: &str, key: &KeyInfo) {
    let sql = format!("SELECT id FROM t ORDER BY {order_by}");
    let mut stmt = db.prepare(&sql).unwrap();
    let ids: Vec<usize> = stmt
        .query_map((), |row| row.get::<_, i64>(0))
        .unwrap()
        .map(|id| id.unwrap() as usize)
        .collect();
    assert_eq!(ids.len(), values.len());
    let records: Vec<Vec<u8>> = ids
        .iter()
        .map(|&id| encode(&[values[id].clone(), ys[id].clone()]))
        .collect();
    for (pair, id) in records.windows(2).zip(ids.windows(2)) {
        let ordering = compare_records(&pair[0], &pair[1], key).unwrap();
        assert_ne!(
            ordering,
            Ordering::Greater,
            "ORDER BY {order_by}: SQLite puts {:?},{:?} before {:?},{:?}",
            values[id[0]],
            ys[id[0]],
            values[id[1]],
            ys[id[1]]
        );
        let unpacked = [values[id[0]].as_value_ref(), ys[id[0]].as_value_ref()];
        assert_eq!(
            compare_unpacked(&unpacked, &pair[1], key).unwrap(),
            ordering
        );
    }
}

#[test]
fn order_by_matches_sqlite() {
    let mut rng = SmallRng::seed_from_u64(0x0bde);
    let values = oracle_values(&mut rng);
    let (db, ys) = oracle_db(&values, &mut rng);
    let asc = |collation| KeyColumn::new(collation, SortOrder::Asc);
    let desc = |collation| KeyColumn::new(collation, SortOrder::Desc);
    let cases = [
        ("x", vec![asc(Collation::Binary)]),
        ("x COLLATE NOCASE", vec![asc(Collation::NoCase)]),
        ("x COLLATE RTRIM", vec![asc(Collation::RTrim)]),
        ("x DESC", vec![desc(Collation::Binary)]),
        ("x COLLATE NOCASE DESC", vec![desc(Collation::NoCase)]),
        (
            "x COLLATE NOCASE, y DESC",
            vec![asc(Collation::NoCase), desc(Collation::Binary)],
        ),
        (
            "x COLLATE RTRIM DESC, y COLLATE NOCASE",
            vec![desc(Collation::RTrim), asc(Collation::NoCase)],
        ),
    ];
    for (order_by, columns) in cases {
        check_order_by(&db, &values, &ys, order_by, &KeyInfo::new(columns));
    }
}
