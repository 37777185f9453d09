//! SQLite's value semantics as the VM needs them: affinity, conversions, arithmetic, comparison,
//! and the text form of numbers.
//!
//! **Interim.** The `sql` module (another engineer's, in progress) is the home of these rules;
//! this is the minimal version the VM needs until it lands, and is replaced by it then.
//!
//! Invariants:
//! - Every rule follows datatype3.html / lang_expr.html, checked against SQLite 3.54.1: text is
//!   read as a number by its longest numeric prefix in arithmetic, but only as a whole (modulo
//!   surrounding spaces) under a column affinity; integer overflow in `+ - *` falls back to
//!   real; division or remainder by zero is NULL; a NaN result is NULL.
//! - Nothing here panics on any input value.

use crate::error::{Error, ErrorCode};
use crate::record::{compare_values, Collation, Value};
use std::cmp::Ordering;

/// Column and expression affinity (datatype3.html §3), ordered as SQLite orders them: every
/// affinity from `Numeric` up is numeric.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub enum Affinity {
    /// No affinity ("BLOB").
    #[default]
    Blob,
    Text,
    Numeric,
    Integer,
    Real,
}

impl Affinity {
    /// The affinity of a declared column type, by the five rules of datatype3.html §3.1.
    pub fn from_declared_type(declared: &str) -> Affinity {
        let upper = declared.to_ascii_uppercase();
        if upper.contains("INT") {
            Affinity::Integer
        } else if upper.contains("CHAR") || upper.contains("CLOB") || upper.contains("TEXT") {
            Affinity::Text
        } else if upper.contains("BLOB") || upper.trim().is_empty() {
            Affinity::Blob
        } else if upper.contains("REAL") || upper.contains("FLOA") || upper.contains("DOUB") {
            Affinity::Real
        } else {
            Affinity::Numeric
        }
    }

    pub fn is_numeric(self) -> bool {
        self >= Affinity::Numeric
    }

    /// The letter SQLite's EXPLAIN shows for an affinity.
    pub fn letter(self) -> char {
        match self {
            Affinity::Blob => 'A',
            Affinity::Text => 'B',
            Affinity::Numeric => 'C',
            Affinity::Integer => 'D',
            Affinity::Real => 'E',
        }
    }
}

/// The numeric reading of a text.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ParsedNumber {
    pub value: Num,
    /// The whole text (spaces around it aside) is the number.
    pub whole: bool,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Num {
    Int(i64),
    Real(f64),
}

impl Num {
    pub fn into_value(self) -> Value {
        match self {
            Num::Int(i) => Value::Integer(i),
            Num::Real(r) => real_value(r),
        }
    }

    fn as_f64(self) -> f64 {
        match self {
            Num::Int(i) => i as f64,
            Num::Real(r) => r,
        }
    }
}

fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\x0c' | b'\r' | b'\x0b')
}

/// Reads the longest numeric prefix of `text` (after leading spaces): an integer if it is written
/// as one and fits in 64 bits, else a real; 0 if there is no number at all.
pub fn parse_number(text: &[u8]) -> ParsedNumber {
    let mut i = 0;
    while i < text.len() && is_space(text[i]) {
        i += 1;
    }
    let start = i;
    if i < text.len() && (text[i] == b'+' || text[i] == b'-') {
        i += 1;
    }
    let int_start = i;
    while i < text.len() && text[i].is_ascii_digit() {
        i += 1;
    }
    let mut digits = i - int_start;
    let mut integer_form = true;
    if i < text.len() && text[i] == b'.' {
        let frac_start = i + 1;
        let mut j = frac_start;
        while j < text.len() && text[j].is_ascii_digit() {
            j += 1;
        }
        if digits > 0 || j > frac_start {
            digits += j - frac_start;
            integer_form = false;
            i = j;
        }
    }
    if digits == 0 {
        return ParsedNumber {
            value: Num::Int(0),
            whole: false,
        };
    }
    if i < text.len() && (text[i] == b'e' || text[i] == b'E') {
        let mut j = i + 1;
        if j < text.len() && (text[j] == b'+' || text[j] == b'-') {
            j += 1;
        }
        let exp_start = j;
        while j < text.len() && text[j].is_ascii_digit() {
            j += 1;
        }
        if j > exp_start {
            integer_form = false;
            i = j;
        }
    }
    let number = &text[start..i];
    let mut end = i;
    while end < text.len() && is_space(text[end]) {
        end += 1;
    }
    let whole = end == text.len();
    // The prefix is ASCII by construction.
    let literal = std::str::from_utf8(number).unwrap_or("0");
    let value = if integer_form {
        match literal.parse::<i64>() {
            Ok(v) => Num::Int(v),
            Err(_) => Num::Real(parse_real_literal(literal)),
        }
    } else {
        Num::Real(parse_real_literal(literal))
    };
    ParsedNumber { value, whole }
}

fn parse_real_literal(literal: &str) -> f64 {
    // Rust's parser wants digits before an exponent's mantissa dot: "1.e5" and ".5" are fine.
    literal.parse::<f64>().unwrap_or(0.0)
}

/// SQLite's integer reading of a text (sqlite3Atoi64 on the prefix): leading spaces, a sign,
/// digits; saturating at the 64-bit limits. Used by CAST AS INTEGER and bitwise operators.
pub fn text_to_i64(text: &[u8]) -> i64 {
    let mut i = 0;
    while i < text.len() && is_space(text[i]) {
        i += 1;
    }
    let negative = i < text.len() && text[i] == b'-';
    if i < text.len() && (text[i] == b'+' || text[i] == b'-') {
        i += 1;
    }
    let mut acc: i128 = 0;
    while i < text.len() && text[i].is_ascii_digit() {
        acc = (acc * 10 + i128::from(text[i] - b'0')).min(i128::from(u64::MAX));
        i += 1;
    }
    let signed = if negative { -acc } else { acc };
    signed.clamp(i128::from(i64::MIN), i128::from(i64::MAX)) as i64
}

/// A real as a value: NaN becomes NULL, as SQLite never produces a NaN.
pub fn real_value(r: f64) -> Value {
    if r.is_nan() {
        Value::Null
    } else {
        Value::Real(r)
    }
}

/// A real to i64 as C's cast would saturate it (sqlite3RealToI64-like).
pub fn real_to_i64(r: f64) -> i64 {
    // `as` saturates and maps NaN to 0, which is what SQLite does.
    r as i64
}

/// The numeric value of any value for arithmetic: text by its prefix, blobs as their text.
pub fn to_num(v: &Value) -> Option<Num> {
    match v {
        Value::Null => None,
        Value::Integer(i) => Some(Num::Int(*i)),
        Value::Real(r) => Some(Num::Real(*r)),
        Value::Text(t) | Value::Blob(t) => Some(parse_number(t).value),
    }
}

/// sqlite3_value_int64 semantics.
pub fn to_i64(v: &Value) -> i64 {
    match v {
        Value::Null => 0,
        Value::Integer(i) => *i,
        Value::Real(r) => real_to_i64(*r),
        Value::Text(t) | Value::Blob(t) => text_to_i64(t),
    }
}

/// sqlite3_value_double semantics.
pub fn to_f64(v: &Value) -> f64 {
    to_num(v).map_or(0.0, Num::as_f64)
}

/// The truth of a value in WHERE, CASE, AND/OR: `None` for NULL.
pub fn truth(v: &Value) -> Option<bool> {
    match v {
        Value::Null => None,
        Value::Integer(i) => Some(*i != 0),
        Value::Real(r) => Some(*r != 0.0),
        other => Some(to_f64(other) != 0.0),
    }
}

/// The text form of a real, as SQLite renders it (shortest round-trip digits, `%g`-like layout
/// switching to an exponent below 1e-4 and from 1e17, always with a decimal point).
pub fn format_real(r: f64) -> String {
    if r.is_infinite() {
        return if r > 0.0 { "Inf".into() } else { "-Inf".into() };
    }
    if r == 0.0 {
        return if r.is_sign_negative() {
            "-0.0".into()
        } else {
            "0.0".into()
        };
    }
    let scientific = format!("{:e}", r);
    let (mantissa, exponent) = scientific.split_once('e').unwrap_or((&scientific, "0"));
    let exponent: i32 = exponent.parse().unwrap_or(0);
    let negative = mantissa.starts_with('-');
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let mut out = String::new();
    if negative {
        out.push('-');
    }
    if !(-4..=16).contains(&exponent) {
        out.push_str(&digits[..1]);
        out.push('.');
        out.push_str(if digits.len() > 1 { &digits[1..] } else { "0" });
        out.push('e');
        out.push(if exponent < 0 { '-' } else { '+' });
        out.push_str(&format!("{:02}", exponent.abs()));
    } else if exponent < 0 {
        out.push_str("0.");
        for _ in 0..(-exponent - 1) {
            out.push('0');
        }
        out.push_str(&digits);
    } else {
        let int_len = exponent as usize + 1;
        if digits.len() <= int_len {
            out.push_str(&digits);
            for _ in digits.len()..int_len {
                out.push('0');
            }
            out.push_str(".0");
        } else {
            out.push_str(&digits[..int_len]);
            out.push('.');
            out.push_str(&digits[int_len..]);
        }
    }
    out
}

/// The text of a value as sqlite3_value_text gives it (NULL has none).
pub fn to_text(v: &Value) -> Option<Vec<u8>> {
    match v {
        Value::Null => None,
        Value::Integer(i) => Some(i.to_string().into_bytes()),
        Value::Real(r) => Some(format_real(*r).into_bytes()),
        Value::Text(t) | Value::Blob(t) => Some(t.clone()),
    }
}

/// A real with an integral value in range becomes an integer (sqlite3VdbeIntegerAffinity).
fn integer_if_exact(r: f64) -> Value {
    let i = real_to_i64(r);
    // The bounds are excluded as SQLite does: i64::MAX as f64 rounds up to 2^63.
    if r == i as f64 && i > i64::MIN && i < i64::MAX {
        Value::Integer(i)
    } else {
        real_value(r)
    }
}

/// Applies an affinity to a value in place, as storing into a column of that affinity does.
pub fn apply_affinity(v: &mut Value, affinity: Affinity) {
    match affinity {
        Affinity::Blob => {}
        Affinity::Text => {
            if matches!(v, Value::Integer(_) | Value::Real(_)) {
                if let Some(t) = to_text(v) {
                    *v = Value::Text(t);
                }
            }
        }
        Affinity::Numeric | Affinity::Integer | Affinity::Real => match v {
            Value::Real(r) => *v = integer_if_exact(*r),
            Value::Text(t) => {
                let parsed = parse_number(t);
                if parsed.whole {
                    *v = match parsed.value {
                        Num::Int(i) => Value::Integer(i),
                        Num::Real(r) => integer_if_exact(r),
                    };
                }
            }
            _ => {}
        },
    }
}

/// Applies an affinity for a comparison: like a column affinity, but a text that reads as a real
/// stays real (sqlite3 applyNumericAffinity without bTryForInt), and reals are left alone.
pub fn apply_comparison_affinity(v: &mut Value, affinity: Affinity) {
    match affinity {
        Affinity::Blob => {}
        Affinity::Text => apply_affinity(v, Affinity::Text),
        _ => {
            if let Value::Text(t) = v {
                let parsed = parse_number(t);
                if parsed.whole {
                    *v = parsed.value.into_value();
                }
            }
        }
    }
}

/// Reading a column of REAL affinity: integers stored for integral reals come back as reals.
pub fn real_affinity_on_read(v: &mut Value) {
    if let Value::Integer(i) = v {
        *v = Value::Real(*i as f64);
    }
}

/// CAST(v AS type) for the affinity of `type`.
pub fn cast(v: &Value, affinity: Affinity) -> Value {
    match (affinity, v) {
        (_, Value::Null) => Value::Null,
        (Affinity::Blob, Value::Text(t)) => Value::Blob(t.clone()),
        (Affinity::Blob, other) => match to_text(other) {
            Some(t) if !matches!(other, Value::Blob(_)) => Value::Blob(t),
            _ => other.clone(),
        },
        (Affinity::Text, other) => Value::Text(to_text(other).unwrap_or_default()),
        (Affinity::Integer, Value::Integer(i)) => Value::Integer(*i),
        (Affinity::Integer, Value::Real(r)) => Value::Integer(real_to_i64(*r)),
        (Affinity::Integer, Value::Text(t) | Value::Blob(t)) => Value::Integer(text_to_i64(t)),
        (Affinity::Real, other) => Value::Real(to_f64(other)),
        (Affinity::Numeric, Value::Integer(i)) => Value::Integer(*i),
        (Affinity::Numeric, Value::Real(r)) => integer_if_exact(*r),
        (Affinity::Numeric, Value::Text(t) | Value::Blob(t)) => match parse_number(t).value {
            Num::Int(i) => Value::Integer(i),
            Num::Real(r) => integer_if_exact(r),
        },
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ArithOp {
    Add,
    Sub,
    Mul,
    Div,
    Rem,
}

/// `a op b` for the five arithmetic operators.
pub fn arith(op: ArithOp, a: &Value, b: &Value) -> Value {
    let (Some(x), Some(y)) = (to_num(a), to_num(b)) else {
        return Value::Null;
    };
    if let (Num::Int(x), Num::Int(y)) = (x, y) {
        let exact = match op {
            ArithOp::Add => x.checked_add(y),
            ArithOp::Sub => x.checked_sub(y),
            ArithOp::Mul => x.checked_mul(y),
            ArithOp::Div => {
                if y == 0 {
                    return Value::Null;
                }
                x.checked_div(y)
            }
            ArithOp::Rem => {
                if y == 0 {
                    return Value::Null;
                }
                // x % -1 is 0 for every x, including the one whose quotient overflows.
                Some(if y == -1 { 0 } else { x % y })
            }
        };
        if let Some(v) = exact {
            return Value::Integer(v);
        }
    }
    let (x, y) = (x.as_f64(), y.as_f64());
    match op {
        ArithOp::Add => real_value(x + y),
        ArithOp::Sub => real_value(x - y),
        ArithOp::Mul => real_value(x * y),
        ArithOp::Div => {
            if y == 0.0 {
                Value::Null
            } else {
                real_value(x / y)
            }
        }
        ArithOp::Rem => {
            let (ix, mut iy) = (real_to_i64(x), real_to_i64(y));
            if iy == 0 {
                return Value::Null;
            }
            if iy == -1 {
                iy = 1;
            }
            real_value((ix % iy) as f64)
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BitOp {
    And,
    Or,
    ShiftLeft,
    ShiftRight,
}

/// `a op b` for the bitwise operators: operands are read as integers.
pub fn bitwise(op: BitOp, a: &Value, b: &Value) -> Value {
    if a == &Value::Null || b == &Value::Null {
        return Value::Null;
    }
    let (x, y) = (to_i64(a), to_i64(b));
    Value::Integer(match op {
        BitOp::And => x & y,
        BitOp::Or => x | y,
        BitOp::ShiftLeft => shift(x, y),
        BitOp::ShiftRight => shift(x, y.checked_neg().unwrap_or(i64::MAX)),
    })
}

/// A left shift by `by` bits (negative shifts right, arithmetically); 64 or more bits shift
/// everything out.
fn shift(x: i64, by: i64) -> i64 {
    if by >= 64 {
        0
    } else if by >= 0 {
        ((x as u64) << by) as i64
    } else if by <= -64 {
        if x < 0 {
            -1
        } else {
            0
        }
    } else {
        x >> (-by)
    }
}

pub fn negate(v: &Value) -> Value {
    match v {
        Value::Null => Value::Null,
        Value::Integer(i) => match i.checked_neg() {
            Some(n) => Value::Integer(n),
            None => Value::Real(-(*i as f64)),
        },
        Value::Real(r) => Value::Real(-r),
        other => match to_num(other) {
            Some(Num::Int(i)) => negate(&Value::Integer(i)),
            Some(Num::Real(r)) => Value::Real(-r),
            None => Value::Null,
        },
    }
}

pub fn bit_not(v: &Value) -> Value {
    match v {
        Value::Null => Value::Null,
        other => Value::Integer(!to_i64(other)),
    }
}

pub fn concat(a: &Value, b: &Value) -> Value {
    match (to_text(a), to_text(b)) {
        (Some(mut x), Some(y)) => {
            x.extend_from_slice(&y);
            Value::Text(x)
        }
        _ => Value::Null,
    }
}

/// Compares two values after the comparison affinity rules (datatype3.html §4.2), under
/// `collation`. `None` when either is NULL.
pub fn compare_with_affinity(
    a: &Value,
    b: &Value,
    affinity: Affinity,
    collation: Collation,
) -> Option<Ordering> {
    if matches!(a, Value::Null) || matches!(b, Value::Null) {
        return None;
    }
    if affinity == Affinity::Blob {
        return Some(compare_values(a.into(), b.into(), collation));
    }
    let (mut x, mut y) = (a.clone(), b.clone());
    apply_comparison_affinity(&mut x, affinity);
    apply_comparison_affinity(&mut y, affinity);
    Some(compare_values((&x).into(), (&y).into(), collation))
}

/// The affinity a comparison applies (sqlite3CompareAffinity), from its operands' affinities
/// (`None` for an expression without one): two columns compare numerically if either is numeric
/// and as they are otherwise; a column against a non-column uses the column's affinity.
pub fn comparison_affinity(left: Option<Affinity>, right: Option<Affinity>) -> Affinity {
    match (left, right) {
        (Some(l), Some(r)) => {
            if l.is_numeric() || r.is_numeric() {
                Affinity::Numeric
            } else {
                Affinity::Blob
            }
        }
        (Some(a), None) | (None, Some(a)) => a,
        (None, None) => Affinity::Blob,
    }
}

/// The "integer overflow" error SQLite raises at step time (sum(), abs()).
pub fn integer_overflow() -> Error {
    Error::new(ErrorCode::Error, "integer overflow")
}

/// SQLite's `%.Nf` for a real, with SQLite's rule of at most 16 significant digits (digits past
/// them print as 0), rounding half away from zero on the decimal digits.
pub fn format_fixed(r: f64, decimals: usize) -> String {
    if r.is_nan() {
        return "NaN".into();
    }
    if r.is_infinite() {
        return if r > 0.0 { "Inf".into() } else { "-Inf".into() };
    }
    // 20 significant digits, correctly rounded, are exact enough to round again in decimal.
    let scientific = format!("{:.19e}", r.abs());
    let (mantissa, exponent) = scientific.split_once('e').unwrap_or((&scientific, "0"));
    let exponent: i64 = exponent.parse().unwrap_or(0);
    let mut digits: Vec<u8> = mantissa
        .bytes()
        .filter(u8::is_ascii_digit)
        .map(|d| d - b'0')
        .collect();
    // digits[k] has place value 10^(exponent - k); keep those with place >= 10^-decimals.
    let mut point = exponent + 1; // digits before the decimal point
    let keep = (point + decimals as i64).max(0) as usize;
    round_digits(&mut digits, keep, &mut point);
    if digits.len() > 16 {
        round_digits(&mut digits, 16, &mut point);
    }
    let mut out = String::new();
    if r.is_sign_negative() && digits.iter().any(|&d| d != 0) {
        out.push('-');
    }
    let digit_at = |k: i64| -> char {
        if k >= 0 && (k as usize) < digits.len() {
            (b'0' + digits[k as usize]) as char
        } else {
            '0'
        }
    };
    if point <= 0 {
        out.push('0');
    } else {
        for k in 0..point {
            out.push(digit_at(k));
        }
    }
    if decimals > 0 {
        out.push('.');
        for k in 0..decimals as i64 {
            out.push(digit_at(point + k));
        }
    }
    out
}

/// Rounds a digit string to `keep` digits, half up, carrying into a new leading digit (which
/// moves the decimal point) when needed; digits past `keep` become zeros.
fn round_digits(digits: &mut Vec<u8>, keep: usize, point: &mut i64) {
    if keep >= digits.len() {
        return;
    }
    let round_up = digits[keep] >= 5;
    digits.truncate(keep);
    if round_up {
        let mut k = keep;
        loop {
            if k == 0 {
                digits.insert(0, 1);
                *point += 1;
                break;
            }
            k -= 1;
            if digits[k] == 9 {
                digits[k] = 0;
            } else {
                digits[k] += 1;
                break;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reals_render_as_sqlite_does() {
        for (r, text) in [
            (0.1 + 0.2, "0.30000000000000004"),
            (1e15, "1000000000000000.0"),
            (1e16, "10000000000000000.0"),
            (1e17, "1.0e+17"),
            (1.2345678901234568e17, "1.2345678901234568e+17"),
            (1.5e-5, "1.5e-05"),
            (0.0001, "0.0001"),
            (-2.5e-300, "-2.5e-300"),
            (f64::INFINITY, "Inf"),
            (3.0, "3.0"),
        ] {
            assert_eq!(format_real(r), text);
        }
    }

    #[test]
    fn fixed_keeps_sixteen_digits_and_rounds_half_up() {
        assert_eq!(
            format_fixed(-9223372036854775808.0, 3),
            "-9223372036854776000.000"
        );
        assert_eq!(format_fixed(0.0625, 3), "0.063");
        assert_eq!(format_fixed(2.0, 3), "2.000");
        assert_eq!(format_fixed(-0.0001, 3), "0.000");
        assert_eq!(format_fixed(999.9996, 3), "1000.000");
        assert_eq!(format_fixed(1.0 / 3.0, 3), "0.333");
    }

    #[test]
    fn text_reads_as_numbers() {
        assert_eq!(parse_number(b" 12 ").value, Num::Int(12));
        assert!(parse_number(b" 12 ").whole);
        assert_eq!(parse_number(b"3abc").value, Num::Int(3));
        assert!(!parse_number(b"3abc").whole);
        assert_eq!(parse_number(b"1e5x").value, Num::Real(1e5));
        assert_eq!(parse_number(b"abc").value, Num::Int(0));
        assert_eq!(parse_number(b".5").value, Num::Real(0.5));
        assert_eq!(text_to_i64(b"1e5"), 1);
        assert_eq!(text_to_i64(b"9223372036854775808"), i64::MAX);
    }

    #[test]
    fn arithmetic_follows_sqlite() {
        let i = Value::Integer;
        assert_eq!(arith(ArithOp::Div, &i(5), &i(2)), i(2));
        assert_eq!(arith(ArithOp::Rem, &i(5), &i(0)), Value::Null);
        assert_eq!(
            arith(ArithOp::Add, &i(i64::MAX), &i(1)),
            Value::Real(9223372036854775808.0)
        );
        assert_eq!(
            arith(ArithOp::Rem, &Value::Real(5.5), &i(2)),
            Value::Real(1.0)
        );
        assert_eq!(bitwise(BitOp::ShiftLeft, &i(2), &i(64)), i(0));
    }
}
