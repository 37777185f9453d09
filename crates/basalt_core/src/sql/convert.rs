//! Conversions between storage classes, as SQLite performs them.
//!
//! Text becomes a number by scanning a decimal literal: optional leading whitespace, a sign,
//! digits with an optional point, an optional exponent, optional trailing whitespace. Hex is
//! never accepted in text. Which *part* of the text counts depends on the caller:
//! - affinity (storing into a column, comparisons) takes the text only if all of it is a number;
//! - arithmetic and `CAST … AS REAL/NUMERIC` take the longest numeric prefix (`'12abc'` → 12);
//! - `CAST … AS INTEGER` takes only the integer prefix (`'1e5'` → 1), clamping out-of-range
//!   values to the i64 bounds.
//!
//! Blobs convert as if their bytes were text. Numbers become text as decimal integers and as
//! [`real_to_text`] renders reals.

use crate::record::{Value, ValueRef};

pub use super::fp::real_to_text;

/// A numeric value: what arithmetic works on.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Numeric {
    Integer(i64),
    Real(f64),
}

impl Numeric {
    pub fn to_value(self) -> Value {
        match self {
            Numeric::Integer(i) => Value::Integer(i),
            Numeric::Real(r) => real_value(r),
        }
    }

    pub fn as_f64(self) -> f64 {
        match self {
            Numeric::Integer(i) => i as f64,
            Numeric::Real(r) => r,
        }
    }
}

/// A real as a value: NaN is NULL, as everywhere in SQLite.
pub fn real_value(r: f64) -> Value {
    if r.is_nan() {
        Value::Null
    } else {
        Value::Real(r)
    }
}

/// The numeric literal found at the start of a text.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NumberScan {
    /// The value of the literal (0 if there is none).
    pub value: Numeric,
    /// The literal read as a real, whatever its syntax (`'-0'` is -0.0).
    pub real: f64,
    /// The literal has no point and no exponent (its value may still be real if it overflows).
    pub integer_syntax: bool,
    /// Bytes of the literal, including leading whitespace; 0 if the text has no number.
    pub len: usize,
    /// The literal, surrounded only by whitespace, is the whole text.
    pub whole: bool,
}

/// SQLite's whitespace: space, tab, newline, vertical tab, form feed, carriage return.
pub fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
}

fn count_digits(text: &[u8], from: usize) -> usize {
    text[from.min(text.len())..]
        .iter()
        .take_while(|b| b.is_ascii_digit())
        .count()
}

/// Scans the numeric literal at the start of `text`.
pub fn scan_number(text: &[u8]) -> NumberScan {
    let start = text.iter().take_while(|&&b| is_space(b)).count();
    let mut i = start;
    if matches!(text.get(i), Some(b'+' | b'-')) {
        i += 1;
    }
    let int_digits = count_digits(text, i);
    i += int_digits;
    let mut frac_digits = 0;
    let mut has_point = false;
    if text.get(i) == Some(&b'.') {
        frac_digits = count_digits(text, i + 1);
        if int_digits + frac_digits > 0 {
            has_point = true;
            i += 1 + frac_digits;
        }
    }
    if int_digits + frac_digits == 0 {
        return NumberScan {
            value: Numeric::Integer(0),
            real: 0.0,
            integer_syntax: true,
            len: 0,
            whole: false,
        };
    }
    let mut has_exponent = false;
    if matches!(text.get(i), Some(b'e' | b'E')) {
        let sign = usize::from(matches!(text.get(i + 1), Some(b'+' | b'-')));
        let exp_digits = count_digits(text, i + 1 + sign);
        if exp_digits > 0 {
            has_exponent = true;
            i += 1 + sign + exp_digits;
        }
    }
    let literal = &text[start..i];
    let integer_syntax = !has_point && !has_exponent;
    let real = parse_f64(literal);
    let value = match integer_syntax.then(|| parse_i64(literal)).flatten() {
        Some(i) => Numeric::Integer(i),
        None => Numeric::Real(real),
    };
    let trailing = text[i..].iter().take_while(|&&b| is_space(b)).count();
    NumberScan {
        value,
        real,
        integer_syntax,
        len: i,
        whole: i + trailing == text.len(),
    }
}

/// An optionally signed run of ASCII digits as an i64, if it fits.
fn parse_i64(literal: &[u8]) -> Option<i64> {
    let (negative, digits) = match literal.split_first() {
        Some((b'-', rest)) => (true, rest),
        Some((b'+', rest)) => (false, rest),
        _ => (false, literal),
    };
    // Accumulate negatively so that i64::MIN fits.
    let mut acc: i64 = 0;
    for &d in digits {
        acc = acc.checked_mul(10)?.checked_sub(i64::from(d - b'0'))?;
    }
    if negative {
        Some(acc)
    } else {
        acc.checked_neg()
    }
}

/// A literal the scanner accepted, as SQLite reads it (see [`super::fp::parse_decimal`]: not
/// always the correctly rounded real).
pub fn parse_f64(literal: &[u8]) -> f64 {
    super::fp::parse_decimal(literal)
}

/// The text as a number if all of it is one (affinity's rule); `None` otherwise.
pub fn text_as_number(text: &[u8]) -> Option<Numeric> {
    let scan = scan_number(text);
    (scan.len > 0 && scan.whole).then_some(scan.value)
}

/// The numeric prefix of a text, as arithmetic sees it (`'12abc'` → 12, `'x'` → 0).
pub fn text_prefix_number(text: &[u8]) -> Numeric {
    scan_number(text).value
}

/// A value as an operand of arithmetic: NULL stays `None`, text and blobs by their prefix.
pub fn to_numeric(v: ValueRef<'_>) -> Option<Numeric> {
    match v {
        ValueRef::Null => None,
        ValueRef::Integer(i) => Some(Numeric::Integer(i)),
        ValueRef::Real(r) => Some(Numeric::Real(r)),
        ValueRef::Text(t) | ValueRef::Blob(t) => Some(text_prefix_number(t)),
    }
}

/// A real truncated toward zero, clamped to the i64 range (NaN is 0).
pub fn real_to_i64(r: f64) -> i64 {
    // `as` saturates and maps NaN to 0: exactly SQLite's clamping.
    r as i64
}

/// `CAST(v AS INTEGER)` for a non-NULL value, and the integer that bitwise operators and
/// integer-taking functions use.
pub fn to_i64(v: ValueRef<'_>) -> i64 {
    match v {
        ValueRef::Null => 0,
        ValueRef::Integer(i) => i,
        ValueRef::Real(r) => real_to_i64(r),
        ValueRef::Text(t) | ValueRef::Blob(t) => text_to_i64(t),
    }
}

/// The integer prefix of a text, clamped: `'  -12.9e1'` → -12, `'1e5'` → 1.
pub fn text_to_i64(text: &[u8]) -> i64 {
    let start = text.iter().take_while(|&&b| is_space(b)).count();
    let mut end = start;
    if matches!(text.get(end), Some(b'+' | b'-')) {
        end += 1;
    }
    end += count_digits(text, end);
    let literal = &text[start..end];
    parse_i64(literal).unwrap_or_else(|| {
        if literal.iter().any(u8::is_ascii_digit) {
            if literal.first() == Some(&b'-') {
                i64::MIN
            } else {
                i64::MAX
            }
        } else {
            0
        }
    })
}

/// `CAST(v AS REAL)` for a non-NULL value, and the real that real-taking functions use.
pub fn to_f64(v: ValueRef<'_>) -> f64 {
    match v {
        ValueRef::Null => 0.0,
        ValueRef::Integer(i) => i as f64,
        ValueRef::Real(r) => r,
        ValueRef::Text(t) | ValueRef::Blob(t) => scan_number(t).real,
    }
}

/// `CAST(v AS NUMERIC)`: text by its prefix, a real result becoming an integer when it is
/// integral and within ±2^51 (SQLite's limit for this cast); numbers unchanged.
pub fn cast_numeric(v: ValueRef<'_>) -> Value {
    const LIMIT: f64 = 2_251_799_813_685_248.0; // 2^51
    match v {
        ValueRef::Text(t) | ValueRef::Blob(t) => match text_prefix_number(t) {
            Numeric::Real(r) if r.fract() == 0.0 && (-LIMIT..LIMIT).contains(&r) => {
                Value::Integer(r as i64)
            }
            n => n.to_value(),
        },
        v => v.to_value(),
    }
}

/// A value as text bytes (numbers rendered; blobs' bytes taken as they are). `None` for NULL.
pub fn to_text(v: ValueRef<'_>) -> Option<std::borrow::Cow<'_, [u8]>> {
    use std::borrow::Cow;
    match v {
        ValueRef::Null => None,
        ValueRef::Integer(i) => Some(Cow::Owned(i.to_string().into_bytes())),
        ValueRef::Real(r) => Some(Cow::Owned(real_to_text(r).into_bytes())),
        ValueRef::Text(t) | ValueRef::Blob(t) => Some(Cow::Borrowed(t)),
    }
}

/// The storage class a `CAST` targets, from its type name (the column-affinity rules).
pub fn cast(v: ValueRef<'_>, type_name: &str) -> Value {
    use super::affinity::Affinity;
    if v.is_null() {
        return Value::Null;
    }
    match Affinity::from_type_name(type_name) {
        Affinity::Integer => Value::Integer(to_i64(v)),
        Affinity::Real => real_value(to_f64(v)),
        Affinity::Numeric => cast_numeric(v),
        Affinity::Text => match v {
            ValueRef::Blob(b) => Value::Text(b.to_vec()),
            v => Value::Text(to_text(v).map(|t| t.into_owned()).unwrap_or_default()),
        },
        Affinity::Blob => match v {
            ValueRef::Text(t) => Value::Blob(t.to_vec()),
            v => Value::Blob(to_text(v).map(|t| t.into_owned()).unwrap_or_default()),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scanning() {
        assert_eq!(text_as_number(b" 12 "), Some(Numeric::Integer(12)));
        assert_eq!(text_as_number(b"12abc"), None);
        assert_eq!(text_as_number(b"0x10"), None);
        assert_eq!(text_as_number(b"1e5"), Some(Numeric::Real(100000.0)));
        assert_eq!(text_as_number(b"."), None);
        assert_eq!(text_as_number(b"5."), Some(Numeric::Real(5.0)));
        assert_eq!(
            text_as_number(b"-9223372036854775808"),
            Some(Numeric::Integer(i64::MIN))
        );
        assert_eq!(
            text_as_number(b"9223372036854775808"),
            Some(Numeric::Real(9223372036854775808.0))
        );
        assert_eq!(text_prefix_number(b"1e"), Numeric::Integer(1));
        assert_eq!(text_prefix_number(b"- 5"), Numeric::Integer(0));
        assert_eq!(text_to_i64(b"  -12.9e1"), -12);
        assert_eq!(text_to_i64(b"99999999999999999999"), i64::MAX);
        assert_eq!(text_to_i64(b"-99999999999999999999x"), i64::MIN);
    }

    #[test]
    fn casts() {
        assert_eq!(cast("  12abc".into(), "INTEGER"), Value::Integer(12));
        assert_eq!(cast(" 1e5 ".into(), "REAL"), Value::Real(100000.0));
        assert_eq!(cast("1.0".into(), "NUMERIC"), Value::Integer(1));
        assert_eq!(cast("1e18".into(), "NUMERIC"), Value::Real(1e18));
        assert_eq!(cast(ValueRef::Real(4.0), "NUMERIC"), Value::Real(4.0));
        assert_eq!(cast(ValueRef::Real(1.5), "TEXT"), Value::from("1.5"));
        assert_eq!(
            cast(ValueRef::Integer(12), "BLOB"),
            Value::Blob(b"12".to_vec())
        );
        assert_eq!(cast(ValueRef::Real(1e300), "INT"), Value::Integer(i64::MAX));
    }
}
