//! Type affinity (datatype3.html §3): what a column prefers to store, and how an expression's
//! operands are converted before they are compared.
//!
//! An expression without a column affinity has no affinity at all; `Blob` stands for both
//! ("BLOB" affinity is what SQLite also calls "none"), since they behave identically.

use super::convert::{real_to_text, text_as_number, Numeric};
use crate::record::{Value, ValueRef};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Affinity {
    #[default]
    Blob,
    Text,
    Numeric,
    Integer,
    Real,
}

impl Affinity {
    /// The affinity of a column: BLOB without a declared type, else [`Self::from_type_name`].
    pub fn of_column(declared: Option<&str>) -> Affinity {
        declared.map_or(Affinity::Blob, Affinity::from_type_name)
    }

    /// A type name's affinity (a column's declared type, a `CAST` target), by the first
    /// matching rule of §3.1: `INT` → INTEGER; `CHAR`, `CLOB` or `TEXT` → TEXT; `BLOB` → BLOB;
    /// `REAL`, `FLOA`, `DOUB` → REAL; anything else, the empty name included, → NUMERIC.
    /// Matching is on substrings, case-insensitively.
    pub fn from_type_name(declared: &str) -> Affinity {
        // Compared in place: every column of every table comes through here on a schema load.
        let bytes = declared.as_bytes();
        let has = |needle: &str| {
            bytes
                .windows(needle.len())
                .any(|w| w.eq_ignore_ascii_case(needle.as_bytes()))
        };
        if has("INT") {
            Affinity::Integer
        } else if has("CHAR") || has("CLOB") || has("TEXT") {
            Affinity::Text
        } else if has("BLOB") {
            Affinity::Blob
        } else if has("REAL") || has("FLOA") || has("DOUB") {
            Affinity::Real
        } else {
            Affinity::Numeric
        }
    }

    /// INTEGER, REAL or NUMERIC.
    pub fn is_numeric(self) -> bool {
        matches!(self, Affinity::Numeric | Affinity::Integer | Affinity::Real)
    }

    /// Converts a value as storing it in a column of this affinity does.
    ///
    /// NUMERIC and INTEGER turn numeric text into a number, and any real that is exactly an
    /// integer strictly inside the i64 range into that integer; REAL turns numeric text and
    /// integers into reals; TEXT renders numbers; BLOB changes nothing. Blobs never change.
    pub fn apply(self, v: ValueRef<'_>) -> Value {
        match (self, v) {
            (Affinity::Blob, v) | (_, v @ (ValueRef::Null | ValueRef::Blob(_))) => v.to_value(),
            (Affinity::Text, ValueRef::Integer(i)) => Value::Text(i.to_string().into_bytes()),
            (Affinity::Text, ValueRef::Real(r)) => Value::Text(real_to_text(r).into_bytes()),
            (Affinity::Text, v) => v.to_value(),
            // `+ 0.0` turns -0.0 into 0.0: a REAL column stores an integral real as an
            // integer, so -0.0 reads back as 0.0.
            (Affinity::Real, v) => match numeric_of(v) {
                Some(n) => Value::Real(n.as_f64() + 0.0),
                None => v.to_value(),
            },
            (_, v) => match numeric_of(v) {
                Some(Numeric::Real(r)) => real_as_integer(r)
                    .map(Value::Integer)
                    .unwrap_or(Value::Real(r)),
                Some(Numeric::Integer(i)) => Value::Integer(i),
                None => v.to_value(),
            },
        }
    }

    /// Converts an operand of a comparison: numeric affinities turn well-formed numeric text
    /// into a number (without forcing reals to integers, which would not change the outcome);
    /// TEXT renders numbers; BLOB changes nothing.
    pub fn apply_for_comparison(self, v: ValueRef<'_>) -> Value {
        match (self, v) {
            (Affinity::Text, ValueRef::Integer(_) | ValueRef::Real(_)) => self.apply(v),
            (a, ValueRef::Text(t)) if a.is_numeric() => match text_as_number(t) {
                Some(n) => n.to_value(),
                None => v.to_value(),
            },
            _ => v.to_value(),
        }
    }
}

/// A number's value, or numeric text's; `None` for anything else.
fn numeric_of(v: ValueRef<'_>) -> Option<Numeric> {
    match v {
        ValueRef::Integer(i) => Some(Numeric::Integer(i)),
        ValueRef::Real(r) => Some(Numeric::Real(r)),
        ValueRef::Text(t) => text_as_number(t),
        _ => None,
    }
}

/// The integer a real equals exactly, if it lies strictly between i64::MIN and i64::MAX (SQLite
/// leaves the two extremes as reals).
pub fn real_as_integer(r: f64) -> Option<i64> {
    let i = r as i64;
    (i as f64 == r && i != i64::MIN && i != i64::MAX).then_some(i)
}

/// Which affinity, if any, a comparison applies to its operands (datatype3.html §4.2): a
/// numeric affinity on one side makes the other side numeric when it is TEXT, BLOB or none;
/// TEXT on one side makes a side without affinity TEXT. Returns the affinity to apply to the
/// left and to the right operand.
pub fn comparison_affinities(left: Affinity, right: Affinity) -> (Affinity, Affinity) {
    let convert_to = |this: Affinity, other: Affinity| -> Affinity {
        if other.is_numeric() && !this.is_numeric() {
            Affinity::Numeric
        } else if other == Affinity::Text && this == Affinity::Blob {
            Affinity::Text
        } else {
            Affinity::Blob
        }
    };
    (convert_to(left, right), convert_to(right, left))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn declared_types() {
        let cases = [
            ("INT", Affinity::Integer),
            ("VARCHAR(10)", Affinity::Text),
            ("CHARINT", Affinity::Integer),
            ("BLOBBY", Affinity::Blob),
            ("", Affinity::Numeric),
            ("FLOATING POINT", Affinity::Integer),
            ("DOUBLE PRECISION", Affinity::Real),
            ("DECIMAL(10,2)", Affinity::Numeric),
            ("xyz", Affinity::Numeric),
        ];
        for (name, affinity) in cases {
            assert_eq!(Affinity::from_type_name(name), affinity, "{name}");
        }
    }

    #[test]
    fn storing() {
        let num = Affinity::Numeric;
        assert_eq!(
            num.apply("2251799813685248.0".into()),
            Value::Integer(2251799813685248)
        );
        assert_eq!(
            num.apply(ValueRef::Real(1e18)),
            Value::Integer(1_000_000_000_000_000_000)
        );
        assert_eq!(num.apply(" 12 ".into()), Value::Integer(12));
        assert_eq!(num.apply("0x10".into()), Value::from("0x10"));
        assert_eq!(Affinity::Real.apply(ValueRef::Integer(5)), Value::Real(5.0));
        assert_eq!(
            Affinity::Text.apply(ValueRef::Real(1e100)),
            Value::from("1.0e+100")
        );
        assert_eq!(
            Affinity::Integer.apply("1e400".into()),
            Value::Real(f64::INFINITY)
        );
    }
}
