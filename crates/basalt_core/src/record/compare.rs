//! The order of values and of records, as SQLite's index b-trees and sorter define it.
//!
//! Storage classes order NULL < numbers < text < blob. Integers and reals compare by exact
//! numeric value; text compares under a collation; blobs compare bytewise, a prefix first.

use std::cmp::Ordering;

use super::decode::RecordIter;
use super::serial::SerialType;
use super::user_collations;
use super::value::ValueRef;
use crate::error::Result;

/// A collating sequence: one of SQLite's built-in ones, or one an application registered.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Collation {
    /// Bytewise, a prefix before the longer text.
    #[default]
    Binary,
    /// Bytewise after folding ASCII upper case to lower case; other characters are not folded.
    NoCase,
    /// Bytewise, ignoring trailing spaces (U+0020 only).
    RTrim,
    /// An application-defined collation, by the process-wide number of its name
    /// ([`user_collations`]); what it does is the running connection's business.
    User(user_collations::NameId),
}

impl Collation {
    /// The collation called `name` in SQL (case-insensitive): a built-in one, or one the
    /// connection now compiling or running has registered (an application's overrides a
    /// built-in of the same name, as in SQLite).
    pub fn from_name(name: &str) -> Option<Collation> {
        if let Some(user) = user_collations::active(name) {
            return Some(user);
        }
        Collation::builtin(name)
    }

    /// The built-in collation called `name`.
    pub fn builtin(name: &str) -> Option<Collation> {
        [
            ("BINARY", Collation::Binary),
            ("NOCASE", Collation::NoCase),
            ("RTRIM", Collation::RTrim),
        ]
        .into_iter()
        .find(|(known, _)| name.eq_ignore_ascii_case(known))
        .map(|(_, collation)| collation)
    }

    /// The collation `name` as a schema declares it: resolved when used, so that a column or
    /// index may name a collation the application registers later (SQLite's lazy binding).
    pub fn declared(name: &str) -> Collation {
        Collation::from_name(name).unwrap_or_else(|| Collation::User(user_collations::intern(name)))
    }

    /// Compares two texts under this collation.
    #[inline]
    pub fn compare(self, a: &[u8], b: &[u8]) -> Ordering {
        match self {
            Collation::Binary => a.cmp(b),
            Collation::NoCase => compare_nocase(a, b),
            Collation::RTrim => trim_trailing_spaces(a).cmp(trim_trailing_spaces(b)),
            Collation::User(id) => user_collations::compare(id, a, b),
        }
    }
}

fn compare_nocase(a: &[u8], b: &[u8]) -> Ordering {
    for (&x, &y) in a.iter().zip(b) {
        let (x_folded, y_folded) = (x.to_ascii_lowercase(), y.to_ascii_lowercase());
        if x_folded != y_folded {
            return x_folded.cmp(&y_folded);
        }
        // SQLite's NOCASE compares like C strings within the common length: at a NUL shared by
        // both, the rest is skipped and only the lengths decide. Indexes SQLite built are in this
        // order, so seeks in them must use it too.
        if x == 0 {
            break;
        }
    }
    a.len().cmp(&b.len())
}

fn trim_trailing_spaces(mut s: &[u8]) -> &[u8] {
    while let [rest @ .., b' '] = s {
        s = rest;
    }
    s
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum SortOrder {
    #[default]
    Asc,
    Desc,
}

/// How one key column orders: its collation (for text) and direction.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct KeyColumn {
    pub collation: Collation,
    pub order: SortOrder,
}

impl KeyColumn {
    pub fn new(collation: Collation, order: SortOrder) -> KeyColumn {
        KeyColumn { collation, order }
    }

    /// Compares two values of this column, DESC reversing the whole order (NULLs last).
    #[inline]
    pub fn compare(self, a: ValueRef<'_>, b: ValueRef<'_>) -> Ordering {
        let ordering = compare_values(a, b, self.collation);
        match self.order {
            SortOrder::Asc => ordering,
            SortOrder::Desc => ordering.reverse(),
        }
    }
}

/// How an index's keys order, column by column. Comparisons look at no more columns than this
/// has: an index whose records end with the rowid lists the rowid as a last `Binary` column when
/// the rowid should take part.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct KeyInfo {
    pub columns: Vec<KeyColumn>,
}

impl KeyInfo {
    /// Makes `slot` a copy of `source`, reusing the column list `slot` holds already: a prepared
    /// statement re-opens its index cursors on every run, with the same key each time.
    pub fn copy_into(source: Option<&KeyInfo>, slot: &mut Option<KeyInfo>) {
        match (slot, source) {
            (Some(mine), Some(source)) => mine.columns.clone_from(&source.columns),
            (slot, source) => *slot = source.cloned(),
        }
    }

    pub fn new(columns: Vec<KeyColumn>) -> KeyInfo {
        KeyInfo { columns }
    }

    /// `n` columns, each `Binary` and ascending.
    pub fn binary(n: usize) -> KeyInfo {
        KeyInfo {
            columns: vec![KeyColumn::default(); n],
        }
    }

    /// The number of key columns.
    pub fn len(&self) -> usize {
        self.columns.len()
    }

    pub fn is_empty(&self) -> bool {
        self.columns.is_empty()
    }
}

/// Compares two values in SQLite's order, text under `collation`.
#[inline]
pub fn compare_values(a: ValueRef<'_>, b: ValueRef<'_>, collation: Collation) -> Ordering {
    match (nan_as_null(a), nan_as_null(b)) {
        (ValueRef::Integer(x), ValueRef::Integer(y)) => x.cmp(&y),
        // Neither is NaN, so the reals are totally ordered.
        (ValueRef::Real(x), ValueRef::Real(y)) => x.partial_cmp(&y).unwrap_or(Ordering::Equal),
        (ValueRef::Integer(x), ValueRef::Real(y)) => compare_integer_real(x, y),
        (ValueRef::Real(x), ValueRef::Integer(y)) => compare_integer_real(y, x).reverse(),
        (ValueRef::Text(x), ValueRef::Text(y)) => collation.compare(x, y),
        (ValueRef::Blob(x), ValueRef::Blob(y)) => x.cmp(y),
        (a, b) => class_rank(a).cmp(&class_rank(b)),
    }
}

/// Records never hold a NaN (SQLite stores it as NULL); a NaN in a search key is taken the same
/// way, so that the order stays total.
#[inline]
fn nan_as_null(v: ValueRef<'_>) -> ValueRef<'_> {
    match v {
        ValueRef::Real(r) if r.is_nan() => ValueRef::Null,
        v => v,
    }
}

fn class_rank(v: ValueRef<'_>) -> u8 {
    match v {
        ValueRef::Null => 0,
        ValueRef::Integer(_) | ValueRef::Real(_) => 1,
        ValueRef::Text(_) => 2,
        ValueRef::Blob(_) => 3,
    }
}

/// Compares an integer with a (non-NaN) real exactly. Converting the integer to f64 would round
/// above 2^53 (2^53 + 1 would equal 2^53 as a real), so the real is split instead.
fn compare_integer_real(i: i64, r: f64) -> Ordering {
    // 2^63 is a power of two, so exact as f64: every real in [-2^63, 2^63) has an integer part
    // that fits in an i64, and conversions below are exact.
    const TWO_POW_63: f64 = 9_223_372_036_854_775_808.0;
    if r >= TWO_POW_63 {
        return Ordering::Less;
    }
    if r < -TWO_POW_63 {
        return Ordering::Greater;
    }
    let integer_part = r.trunc();
    match i.cmp(&(integer_part as i64)) {
        // Same integer part: the fraction, if any, decides (-0.0 equals 0).
        Ordering::Equal => integer_part.partial_cmp(&r).unwrap_or(Ordering::Equal),
        ordering => ordering,
    }
}

/// Compares two packed records column by column over the columns both have, up to `key.len()`;
/// if one is a prefix of the other they are `Equal` (the caller decides what length means).
/// Allocates nothing.
pub fn compare_records(a: &[u8], b: &[u8], key: &KeyInfo) -> Result<Ordering> {
    let mut a_columns = RecordIter::new(a)?;
    let mut b_columns = RecordIter::new(b)?;
    for column in &key.columns {
        let Some(x) = a_columns.next_value()? else {
            break;
        };
        let Some(y) = b_columns.next_value()? else {
            break;
        };
        let ordering = column.compare(x, y);
        if ordering != Ordering::Equal {
            return Ok(ordering);
        }
    }
    Ok(Ordering::Equal)
}

/// Compares an unpacked search key with a packed record, over the columns both have, up to
/// `key_info.len()`. A key that matches a prefix of the record (or the record a prefix of the
/// key) is `Equal`: a b-tree seek decides how such ties break. Allocates nothing. The integer
/// fast path inlines into the caller (every step of an index descent); the rest does not.
#[inline(always)]
pub fn compare_unpacked(
    key: &[ValueRef<'_>],
    record: &[u8],
    key_info: &KeyInfo,
) -> Result<Ordering> {
    if let (Some(&ValueRef::Integer(k)), Some(column)) = (key.first(), key_info.columns.first()) {
        if let Some(ordering) = compare_first_integer(k, record) {
            return Ok(match column.order {
                SortOrder::Asc => ordering,
                SortOrder::Desc => ordering.reverse(),
            });
        }
    }
    compare_unpacked_general(key, record, key_info)
}

/// `compare_unpacked` past the integer fast path.
#[inline(never)]
fn compare_unpacked_general(
    key: &[ValueRef<'_>],
    record: &[u8],
    key_info: &KeyInfo,
) -> Result<Ordering> {
    match compare_unpacked_small(key, record, key_info) {
        Some(ordering) => Ok(ordering),
        None => compare_unpacked_walk(key, record, key_info),
    }
}

/// `compare_unpacked` for the common record, in one tight loop as every step of an index
/// descent compares one: a header under 128 bytes whose serial types (as far as the key goes)
/// are one byte each, their contents inside the record. `None` on anything else, which the
/// general walk then reads again, reporting any corruption as it always does. Both stop at the
/// first unequal column, so they read the same bytes and agree on every record.
#[inline]
fn compare_unpacked_small(
    key: &[ValueRef<'_>],
    record: &[u8],
    key_info: &KeyInfo,
) -> Option<Ordering> {
    let header_end = usize::from(*record.first()?);
    if header_end >= 0x80 || header_end == 0 || header_end > record.len() {
        return None;
    }
    let mut body = header_end;
    let columns = record[1..header_end].iter().zip(key).zip(&key_info.columns);
    for ((&raw, &k), column) in columns {
        if raw >= 0x80 {
            return None;
        }
        let serial_type = SerialType::from_byte(raw)?;
        // A one-byte serial type's content is under 64 bytes: no overflow here.
        let end = body + serial_type.content_len() as usize;
        let v = serial_type.decode(record.get(body..end)?);
        body = end;
        let ordering = column.compare(k, v);
        if ordering != Ordering::Equal {
            return Some(ordering);
        }
    }
    Some(Ordering::Equal)
}

/// Decodes `record` into `out` when it is short: a one-byte header size under 128, each serial
/// type one byte, every column's content inside the record, and no more columns than `out`
/// holds. Returns the number of columns, or `None` for anything else (the caller then walks
/// the record with `RecordIter`, which reports any corruption). Reads what that walk would:
/// an index insert decodes its new key this way for the descent that places it.
#[inline]
pub fn unpack_short<'a>(record: &'a [u8], out: &mut [ValueRef<'a>]) -> Option<usize> {
    let header_end = usize::from(*record.first()?);
    if !(1..0x80).contains(&header_end) || header_end > record.len() {
        return None;
    }
    let types = &record[1..header_end];
    if types.len() > out.len() {
        return None;
    }
    let mut body = header_end;
    for (slot, &raw) in out.iter_mut().zip(types) {
        if raw >= 0x80 {
            return None;
        }
        let serial_type = SerialType::from_byte(raw)?;
        // A one-byte serial type's content is under 64 bytes: no overflow here.
        let end = body + serial_type.content_len() as usize;
        *slot = serial_type.decode(record.get(body..end)?);
        body = end;
    }
    Some(types.len())
}

/// An integer key against the first column of `record` when that decides the order (SQLite's
/// vdbeRecordCompareInt): the column is NULL or an integer other than `key`, under a one-byte
/// header size and serial type, its content inside the record. `None` otherwise (a tie, a real,
/// text, anything unusual), for the general compare, which then reads the column again: both
/// read the same bytes, so they agree whenever this answers. No collation applies to numbers.
#[inline(always)]
pub fn compare_first_integer(key: i64, record: &[u8]) -> Option<Ordering> {
    let (&header_end, rest) = record.split_first()?;
    let header_end = usize::from(header_end);
    let serial_type = *rest.first()?;
    if !(2..0x80).contains(&header_end) || header_end > record.len() {
        return None;
    }
    let body = record.get(header_end..).unwrap_or_default();
    // Big-endian two's complement of 1, 2, 3, 4, 6 or 8 bytes, read as fixed-size words.
    let value = match (serial_type, body) {
        (0, _) => return Some(Ordering::Greater),
        (1, &[b0, ..]) => i64::from(b0 as i8),
        (2, &[b0, b1, ..]) => i64::from(i16::from_be_bytes([b0, b1])),
        (3, &[b0, b1, b2, ..]) => i64::from(i32::from_be_bytes([b0, b1, b2, 0]) >> 8),
        (4, &[b0, b1, b2, b3, ..]) => i64::from(i32::from_be_bytes([b0, b1, b2, b3])),
        (5, &[b0, b1, b2, b3, b4, b5, ..]) => {
            i64::from_be_bytes([b0, b1, b2, b3, b4, b5, 0, 0]) >> 16
        }
        (6, &[b0, b1, b2, b3, b4, b5, b6, b7, ..]) => {
            i64::from_be_bytes([b0, b1, b2, b3, b4, b5, b6, b7])
        }
        (8, _) => 0,
        (9, _) => 1,
        _ => return None,
    };
    Some(key.cmp(&value)).filter(|o| o.is_ne())
}

fn compare_unpacked_walk(
    key: &[ValueRef<'_>],
    record: &[u8],
    key_info: &KeyInfo,
) -> Result<Ordering> {
    let mut columns = RecordIter::new(record)?;
    for (&k, column) in key.iter().zip(&key_info.columns) {
        let Some(v) = columns.next_value()? else {
            break;
        };
        let ordering = column.compare(k, v);
        if ordering != Ordering::Equal {
            return Ok(ordering);
        }
    }
    Ok(Ordering::Equal)
}

#[cfg(test)]
mod tests {
    use super::super::encode::encode_record;
    use super::*;
    use Ordering::{Equal, Greater, Less};

    fn cmp(a: ValueRef<'_>, b: ValueRef<'_>) -> Ordering {
        compare_values(a, b, Collation::Binary)
    }

    #[test]
    fn unpack_short_reads_what_the_walk_reads() {
        let text = "t".repeat(57);
        let rows: [&[ValueRef<'_>]; 4] = [
            &[],
            &[ValueRef::Integer(-3), ValueRef::Null, ValueRef::Real(2.5)],
            &[
                ValueRef::Integer(1 << 40),
                text.as_str().into(),
                ValueRef::Blob(b"b"),
            ],
            &[
                ValueRef::Integer(0),
                ValueRef::Integer(1),
                ValueRef::Integer(i64::MIN),
            ],
        ];
        for row in rows {
            let mut record = Vec::new();
            encode_record(row, &mut record);
            let walked: Vec<ValueRef<'_>> = RecordIter::new(&record)
                .unwrap()
                .map(|v| v.unwrap())
                .collect();
            let mut out = [ValueRef::Null; 8];
            let n = unpack_short(&record, &mut out).expect("a short record");
            assert_eq!(out[..n], walked[..]);
            // Too few slots, a cut record, a reserved type: left to the walk.
            if n > 0 {
                assert_eq!(unpack_short(&record, &mut out[..n - 1]), None);
                assert_eq!(unpack_short(&record[..record.len() - 1], &mut out), None);
            }
        }
        assert_eq!(unpack_short(&[2, 10], &mut [ValueRef::Null; 2]), None);
        assert_eq!(unpack_short(&[0x81, 0, 0], &mut [ValueRef::Null; 2]), None);
    }

    #[test]
    fn storage_classes_order() {
        let ordered = [
            ValueRef::Null,
            ValueRef::Integer(i64::MIN),
            ValueRef::Real(f64::INFINITY),
            ValueRef::Text(b""),
            ValueRef::Text(b"\xff"),
            ValueRef::Blob(b""),
        ];
        for (i, &a) in ordered.iter().enumerate() {
            for (j, &b) in ordered.iter().enumerate() {
                assert_eq!(cmp(a, b), i.cmp(&j), "{a:?} vs {b:?}");
            }
        }
    }

    #[test]
    fn integers_and_reals_compare_exactly() {
        let two_63 = 9_223_372_036_854_775_808.0;
        assert_eq!(
            cmp(ValueRef::Integer(i64::MAX), ValueRef::Real(two_63)),
            Less
        );
        assert_eq!(
            cmp(ValueRef::Integer(i64::MIN), ValueRef::Real(-two_63)),
            Equal
        );
        assert_eq!(
            cmp(ValueRef::Integer(i64::MIN), ValueRef::Real(-1e19)),
            Greater
        );
        assert_eq!(
            cmp(
                ValueRef::Integer((1 << 53) + 1),
                ValueRef::Real(2f64.powi(53))
            ),
            Greater
        );
        assert_eq!(
            cmp(
                ValueRef::Real(2f64.powi(53)),
                ValueRef::Integer((1 << 53) + 1)
            ),
            Less
        );
        assert_eq!(cmp(ValueRef::Integer(0), ValueRef::Real(-0.0)), Equal);
        assert_eq!(cmp(ValueRef::Integer(-1), ValueRef::Real(-0.5)), Less);
        assert_eq!(cmp(ValueRef::Integer(0), ValueRef::Real(-0.5)), Greater);
        assert_eq!(cmp(ValueRef::Integer(3), ValueRef::Real(3.0)), Equal);
        assert_eq!(
            cmp(ValueRef::Integer(3), ValueRef::Real(f64::NEG_INFINITY)),
            Greater
        );
        assert_eq!(cmp(ValueRef::Real(-0.0), ValueRef::Real(0.0)), Equal);
        assert_eq!(cmp(ValueRef::Real(f64::NAN), ValueRef::Null), Equal);
        assert_eq!(
            cmp(ValueRef::Real(f64::NAN), ValueRef::Integer(i64::MIN)),
            Less
        );
    }

    #[test]
    fn collations() {
        use Collation::*;
        assert_eq!(Binary.compare(b"a", b"B"), Greater);
        assert_eq!(NoCase.compare(b"a", b"B"), Less);
        assert_eq!(NoCase.compare(b"ABC", b"abc"), Equal);
        // Folding is to lower case: '_' (0x5f) sorts before 'a' (0x61) even when written 'A'.
        assert_eq!(NoCase.compare(b"_", b"A"), Less);
        assert_eq!(NoCase.compare("É".as_bytes(), "é".as_bytes()), Less);
        assert_eq!(NoCase.compare(b"a\0x", b"A\0y"), Equal);
        assert_eq!(NoCase.compare(b"a\0x", b"A\0yz"), Less);
        assert_eq!(RTrim.compare(b"a  ", b"a"), Equal);
        assert_eq!(RTrim.compare(b"a \t", b"a"), Greater);
        assert_eq!(RTrim.compare(b"a ", b"a\x01"), Less);
        assert_eq!(Binary.compare(b"ab", b"abc"), Less);
        assert_eq!(Collation::from_name("nocase"), Some(NoCase));
        assert_eq!(Collation::from_name("RTrim"), Some(RTrim));
        assert_eq!(Collation::from_name("BINARY"), Some(Binary));
        assert_eq!(Collation::from_name("unicode"), None);
    }

    fn record(values: &[ValueRef<'_>]) -> Vec<u8> {
        let mut out = Vec::new();
        encode_record(values, &mut out);
        out
    }

    #[test]
    fn records_compare_by_key_columns() {
        let key = KeyInfo::new(vec![
            KeyColumn::new(Collation::NoCase, SortOrder::Asc),
            KeyColumn::new(Collation::Binary, SortOrder::Desc),
        ]);
        let a = record(&["abc".into(), ValueRef::Integer(1), ValueRef::Integer(9)]);
        let b = record(&["ABC".into(), ValueRef::Integer(2), ValueRef::Integer(0)]);
        assert_eq!(compare_records(&a, &b, &key).unwrap(), Greater);
        assert_eq!(compare_records(&b, &a, &key).unwrap(), Less);
        // The third column is beyond the key.
        let c = record(&["abc".into(), ValueRef::Integer(1), ValueRef::Integer(0)]);
        assert_eq!(compare_records(&a, &c, &key).unwrap(), Equal);
        // A prefix is equal.
        let prefix = record(&["Abc".into()]);
        assert_eq!(compare_records(&prefix, &a, &key).unwrap(), Equal);
        assert_eq!(compare_unpacked(&["ABC".into()], &a, &key).unwrap(), Equal);
        assert_eq!(
            compare_unpacked(&["abd".into()], &a, &key).unwrap(),
            Greater
        );
        let full = ["abc".into(), ValueRef::Integer(0)];
        assert_eq!(compare_unpacked(&full, &a, &key).unwrap(), Greater);
        assert_eq!(compare_unpacked(&[], &a, &key).unwrap(), Equal);
    }

    #[test]
    fn integer_probes_agree_with_the_record_walk() {
        let firsts = [
            ValueRef::Integer(0),
            ValueRef::Integer(1),
            ValueRef::Integer(-7),
            ValueRef::Integer(300),
            ValueRef::Integer(1 << 40),
            ValueRef::Integer(i64::MIN),
            ValueRef::Real(2.5),
            ValueRef::Null,
            "x".into(),
        ];
        let probes = [i64::MIN, -7, 0, 1, 2, 300, 1 << 40, i64::MAX];
        for order in [SortOrder::Asc, SortOrder::Desc] {
            let key = KeyInfo::new(vec![
                KeyColumn::new(Collation::Binary, order),
                KeyColumn::default(),
            ]);
            for first in firsts {
                let rec = record(&[first, ValueRef::Integer(5)]);
                for p in probes {
                    for probe in [vec![ValueRef::Integer(p)], vec![p.into(), 4.into()]] {
                        assert_eq!(
                            compare_unpacked(&probe, &rec, &key).unwrap(),
                            compare_unpacked_walk(&probe, &rec, &key).unwrap(),
                            "{probe:?} against {first:?}, {order:?}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn desc_puts_nulls_last() {
        let column = KeyColumn::new(Collation::Binary, SortOrder::Desc);
        assert_eq!(
            column.compare(ValueRef::Null, ValueRef::Integer(1)),
            Greater
        );
    }

    #[test]
    fn integer_keys_order_as_values_do() {
        let ints = [
            i64::MIN,
            -(1 << 40),
            -(1 << 23),
            -129,
            -1,
            0,
            1,
            2,
            127,
            128,
            1 << 20,
            1 << 30,
            1 << 31,
            i64::MAX,
        ];
        let mut stored: Vec<ValueRef<'_>> = ints.iter().map(|&i| ValueRef::Integer(i)).collect();
        stored.extend([ValueRef::Null, ValueRef::Real(1.5), ValueRef::Text(b"x")]);
        for order in [SortOrder::Asc, SortOrder::Desc] {
            let key_info = KeyInfo::new(vec![KeyColumn::new(Collation::NoCase, order); 2]);
            for &k in &ints {
                for &v in &stored {
                    for tie in [0, 7] {
                        let rec = record(&[v, ValueRef::Integer(tie)]);
                        let key = [ValueRef::Integer(k), ValueRef::Integer(3)];
                        let expected = match key_info.columns[0].compare(key[0], v) {
                            Equal => key_info.columns[1].compare(key[1], ValueRef::Integer(tie)),
                            unequal => unequal,
                        };
                        let got = compare_unpacked(&key, &rec, &key_info).unwrap();
                        assert_eq!(got, expected, "{k} vs {v:?}, {order:?}");
                    }
                }
            }
        }
    }

    #[test]
    fn corrupt_records_are_errors() {
        let good = record(&[ValueRef::Integer(5)]);
        let key = KeyInfo::binary(1);
        assert!(compare_records(&good, &[2, 10], &key)
            .unwrap_err()
            .is_corrupt());
        assert!(compare_records(&[5], &good, &key).unwrap_err().is_corrupt());
        assert!(compare_unpacked(&[5.into()], &[2, 6, 1], &key)
            .unwrap_err()
            .is_corrupt());
    }
}
