//! The VM's glue to SQLite's value semantics in `crate::sql`: the few register-level steps that
//! exist only because of how the VM stores and compares values.
//!
//! Invariants:
//! - Every conversion rule itself lives in `crate::sql`; this file only decides *which* rule an
//!   instruction applies.
//! - Nothing here panics on any input value.

use crate::record::{compare_values, Collation, Value, ValueRef};
use crate::sql::affinity::{real_as_integer, Affinity};
use std::cmp::Ordering;

/// The letter SQLite's EXPLAIN shows for an affinity (P4 of OP_Affinity and OP_Cast).
pub fn affinity_letter(affinity: Affinity) -> char {
    match affinity {
        Affinity::Blob => 'A',
        Affinity::Text => 'B',
        Affinity::Numeric => 'C',
        Affinity::Integer => 'D',
        Affinity::Real => 'E',
    }
}

/// Applies a column affinity before a value is stored. A REAL column keeps an integral real
/// as an integer in the record, as SQLite's record format does (the value reads back as a
/// real through `RealAffinity`), so files stay byte-identical to SQLite's.
pub fn apply_storage_affinity(v: &mut Value, affinity: Affinity) {
    // What the affinity leaves as it is (the usual case: a column given a value of its own type)
    // keeps its register, with no copy of a text or blob made to replace it.
    let unchanged = matches!(
        (affinity, &*v),
        (Affinity::Blob, _)
            | (_, Value::Null | Value::Blob(_))
            | (Affinity::Text, Value::Text(_))
            | (Affinity::Numeric | Affinity::Integer, Value::Integer(_))
    );
    if unchanged {
        return;
    }
    let applied = affinity.apply(v.as_value_ref());
    *v = match applied {
        Value::Real(r) if affinity == Affinity::Real => {
            real_as_integer(r).map_or(Value::Real(r), Value::Integer)
        }
        other => other,
    };
}

/// Reading a column of REAL affinity: integers stored for integral reals come back as reals.
pub fn real_affinity_on_read(v: &mut Value) {
    if let Value::Integer(i) = v {
        *v = Value::Real(*i as f64);
    }
}

/// Compares two registers after applying the comparison's affinity to both (the code generator
/// chose it with SQLite's rules, which tell a BLOB column from an expression without affinity);
/// `None` when either is NULL.
pub fn compare_with_affinity(
    a: &Value,
    b: &Value,
    affinity: Affinity,
    collation: Collation,
) -> Option<Ordering> {
    if matches!(a, Value::Null) || matches!(b, Value::Null) {
        return None;
    }
    // The affinity changes only text under a numeric affinity and numbers under TEXT; when
    // neither operand is such (a number against a number, the usual WHERE on a numeric
    // column), compare the registers as they are instead of converting copies of them.
    let converts = |v: &Value| match v {
        Value::Text(_) => affinity.is_numeric(),
        Value::Integer(_) | Value::Real(_) => affinity == Affinity::Text,
        Value::Null | Value::Blob(_) => false,
    };
    if affinity == Affinity::Blob || !(converts(a) || converts(b)) {
        return Some(compare_values(a.into(), b.into(), collation));
    }
    let x = affinity.apply_for_comparison(ValueRef::from(a));
    let y = affinity.apply_for_comparison(ValueRef::from(b));
    Some(compare_values(
        x.as_value_ref(),
        y.as_value_ref(),
        collation,
    ))
}
