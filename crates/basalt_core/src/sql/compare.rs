//! Comparison operators and SQL's three-valued logic (lang_expr.html, datatype3.html §4).
//!
//! Invariants:
//! - Before comparing, each operand gets the affinity the *other* operand's affinity calls for
//!   ([`comparison_affinities`]); the operands' own storage classes then order as in an index
//!   (NULL < numbers < text < blob), text under the comparison's collation.
//! - `=`, `<>`, `<`, … are NULL when either side is NULL; `IS`/`IS NOT` never are.
//! - Truth values are `Option<bool>`, `None` being SQL's unknown.

use std::cmp::Ordering;

use super::affinity::{comparison_affinities, Affinity};
use super::convert::to_f64;
use crate::record::{compare_values, Collation, Value, ValueRef};

/// The comparison operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CmpOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    Is,
    IsNot,
}

/// How a comparison treats its operands: each side's affinity and the collation for text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Comparison {
    pub left: Affinity,
    pub right: Affinity,
    pub collation: Collation,
}

impl Comparison {
    /// No affinity on either side and BINARY collation: how literals and most expressions
    /// compare.
    pub const PLAIN: Comparison = Comparison {
        left: Affinity::Blob,
        right: Affinity::Blob,
        collation: Collation::Binary,
    };

    /// The order of two operands after the affinity conversions, or `None` if either is NULL.
    pub fn order(&self, a: ValueRef<'_>, b: ValueRef<'_>) -> Option<Ordering> {
        if a.is_null() || b.is_null() {
            return None;
        }
        let (to_left, to_right) = comparison_affinities(self.left, self.right);
        let a: Value = to_left.apply_for_comparison(a);
        let b: Value = to_right.apply_for_comparison(b);
        Some(compare_values(
            a.as_value_ref(),
            b.as_value_ref(),
            self.collation,
        ))
    }

    /// `a op b` as a truth value.
    pub fn test(&self, op: CmpOp, a: ValueRef<'_>, b: ValueRef<'_>) -> Option<bool> {
        match op {
            CmpOp::Is | CmpOp::IsNot => {
                let same = match (a.is_null(), b.is_null()) {
                    (true, true) => true,
                    (false, false) => self.order(a, b) == Some(Ordering::Equal),
                    _ => false,
                };
                Some(same == (op == CmpOp::Is))
            }
            _ => self.order(a, b).map(|ordering| match op {
                CmpOp::Eq => ordering == Ordering::Equal,
                CmpOp::Ne => ordering != Ordering::Equal,
                CmpOp::Lt => ordering == Ordering::Less,
                CmpOp::Le => ordering != Ordering::Greater,
                CmpOp::Gt => ordering == Ordering::Greater,
                _ => ordering != Ordering::Less,
            }),
        }
    }

    /// `a op b` as SQL's result value: 1, 0 or NULL.
    pub fn apply(&self, op: CmpOp, a: ValueRef<'_>, b: ValueRef<'_>) -> Value {
        truth_value(self.test(op, a, b))
    }

    /// `x BETWEEN lo AND hi`, which is `x >= lo AND x <= hi` (with `x` compared to each bound
    /// under this comparison's rules; `right` describes the bounds).
    pub fn between(&self, x: ValueRef<'_>, lo: ValueRef<'_>, hi: ValueRef<'_>) -> Option<bool> {
        and(self.test(CmpOp::Ge, x, lo), self.test(CmpOp::Le, x, hi))
    }

    /// `x IN (list…)`: true if some item equals `x`; otherwise unknown if `x` or some item is
    /// NULL, else false. An empty list is false even for a NULL `x`.
    pub fn in_list(&self, x: ValueRef<'_>, list: &[ValueRef<'_>]) -> Option<bool> {
        if list.is_empty() {
            return Some(false);
        }
        let mut unknown = x.is_null();
        for &item in list {
            match self.test(CmpOp::Eq, x, item) {
                Some(true) => return Some(true),
                Some(false) => {}
                None => unknown = true,
            }
        }
        if unknown {
            None
        } else {
            Some(false)
        }
    }

    /// Whether `CASE base WHEN candidate` takes this branch: equality, NULL never matching.
    pub fn case_matches(&self, base: ValueRef<'_>, candidate: ValueRef<'_>) -> bool {
        self.test(CmpOp::Eq, base, candidate) == Some(true)
    }
}

/// A value as a truth value: NULL is unknown, numbers are true when non-zero, text and blobs by
/// their numeric prefix (`'1abc'` is true, `'abc'` false).
pub fn truth(v: ValueRef<'_>) -> Option<bool> {
    match v {
        ValueRef::Null => None,
        ValueRef::Integer(i) => Some(i != 0),
        v => Some(to_f64(v) != 0.0),
    }
}

/// A truth value as SQL's result: 1, 0 or NULL.
pub fn truth_value(t: Option<bool>) -> Value {
    t.map_or(Value::Null, |b| Value::Integer(i64::from(b)))
}

/// `a AND b`: false beats unknown.
pub fn and(a: Option<bool>, b: Option<bool>) -> Option<bool> {
    match (a, b) {
        (Some(false), _) | (_, Some(false)) => Some(false),
        (Some(true), Some(true)) => Some(true),
        _ => None,
    }
}

/// `a OR b`: true beats unknown.
pub fn or(a: Option<bool>, b: Option<bool>) -> Option<bool> {
    match (a, b) {
        (Some(true), _) | (_, Some(true)) => Some(true),
        (Some(false), Some(false)) => Some(false),
        _ => None,
    }
}

/// `NOT a`.
pub fn not(a: Option<bool>) -> Option<bool> {
    a.map(|b| !b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn affinity_decides_text_versus_number() {
        let plain = Comparison::PLAIN;
        assert_eq!(plain.test(CmpOp::Eq, "12".into(), 12.into()), Some(false));
        let text_column = Comparison {
            left: Affinity::Text,
            ..Comparison::PLAIN
        };
        assert_eq!(
            text_column.test(CmpOp::Eq, "1.5".into(), 1.5.into()),
            Some(true)
        );
        let real_column = Comparison {
            left: Affinity::Real,
            ..Comparison::PLAIN
        };
        assert_eq!(
            real_column.test(CmpOp::Eq, 5.0.into(), " 5 ".into()),
            Some(true)
        );
        assert_eq!(
            plain.test(CmpOp::Is, ValueRef::Null, ValueRef::Null),
            Some(true)
        );
        assert_eq!(plain.test(CmpOp::Lt, ValueRef::Null, 1.into()), None);
    }

    #[test]
    fn in_lists() {
        let plain = Comparison::PLAIN;
        assert_eq!(
            plain.in_list(1.into(), &[ValueRef::Null, 1.into()]),
            Some(true)
        );
        assert_eq!(plain.in_list(2.into(), &[ValueRef::Null, 1.into()]), None);
        assert_eq!(plain.in_list(ValueRef::Null, &[]), Some(false));
        assert_eq!(and(None, Some(false)), Some(false));
        assert_eq!(or(None, Some(false)), None);
    }
}
