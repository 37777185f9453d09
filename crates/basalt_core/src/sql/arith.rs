//! SQL's arithmetic, bitwise and concatenation operators (lang_expr.html).
//!
//! Invariants:
//! - NULL in, NULL out, for every operator here.
//! - Text and blob operands count by their numeric prefix (`'12abc' + 0` is 12), never error.
//! - Integer `+ - * /` that overflows i64 is redone in reals; a NaN result is NULL; division
//!   and remainder by zero are NULL.
//! - `%` works on integers even when an operand is real (the result is then real): SQLite
//!   truncates both operands first.
//! - Bitwise operators work on the operands as i64 (reals truncated and clamped).

use super::convert::{real_value, to_f64, to_i64, to_numeric, to_text, Numeric};
use crate::record::{Value, ValueRef};

/// The binary arithmetic operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ArithOp {
    Add,
    Subtract,
    Multiply,
    Divide,
    Remainder,
}

/// `a op b` for an arithmetic operator.
pub fn arith(op: ArithOp, a: ValueRef<'_>, b: ValueRef<'_>) -> Value {
    let (Some(x), Some(y)) = (to_numeric(a), to_numeric(b)) else {
        return Value::Null;
    };
    match (x, y) {
        (Numeric::Integer(i), Numeric::Integer(j)) => integer_arith(op, i, j),
        // Each operand is truncated on its own, so an integer keeps all its digits.
        _ if op == ArithOp::Remainder => real_remainder(to_i64(a), to_i64(b)),
        // In real arithmetic a text operand is read as a real (so `'-0'` is -0.0).
        _ => real_arith(op, to_f64(a), to_f64(b)),
    }
}

fn integer_arith(op: ArithOp, i: i64, j: i64) -> Value {
    let exact = match op {
        ArithOp::Add => i.checked_add(j),
        ArithOp::Subtract => i.checked_sub(j),
        ArithOp::Multiply => i.checked_mul(j),
        ArithOp::Divide => {
            if j == 0 {
                return Value::Null;
            }
            i.checked_div(j)
        }
        ArithOp::Remainder => {
            if j == 0 {
                return Value::Null;
            }
            // i64::MIN % -1 overflows in Rust; mathematically it is 0.
            Some(i.checked_rem(j).unwrap_or(0))
        }
    };
    match exact {
        Some(v) => Value::Integer(v),
        None => real_arith(op, i as f64, j as f64),
    }
}

fn real_arith(op: ArithOp, x: f64, y: f64) -> Value {
    let r = match op {
        ArithOp::Add => x + y,
        ArithOp::Subtract => x - y,
        ArithOp::Multiply => x * y,
        ArithOp::Divide => {
            if y == 0.0 {
                return Value::Null;
            }
            x / y
        }
        ArithOp::Remainder => return real_remainder(x as i64, y as i64),
    };
    real_value(r)
}

/// `%` with a real operand: both sides truncated to integers, the result a real.
fn real_remainder(i: i64, j: i64) -> Value {
    if j == 0 {
        return Value::Null;
    }
    // A divisor of -1 gives 0 either way, and avoids i64::MIN % -1.
    let j = if j == -1 { 1 } else { j };
    Value::Real((i % j) as f64)
}

pub fn add(a: ValueRef<'_>, b: ValueRef<'_>) -> Value {
    arith(ArithOp::Add, a, b)
}

pub fn subtract(a: ValueRef<'_>, b: ValueRef<'_>) -> Value {
    arith(ArithOp::Subtract, a, b)
}

pub fn multiply(a: ValueRef<'_>, b: ValueRef<'_>) -> Value {
    arith(ArithOp::Multiply, a, b)
}

pub fn divide(a: ValueRef<'_>, b: ValueRef<'_>) -> Value {
    arith(ArithOp::Divide, a, b)
}

pub fn remainder(a: ValueRef<'_>, b: ValueRef<'_>) -> Value {
    arith(ArithOp::Remainder, a, b)
}

/// Unary `-`, which SQLite evaluates as `0 - a`: `-i64::MIN` becomes a real, `-0.0` is 0.0,
/// text counts by its prefix.
pub fn negate(a: ValueRef<'_>) -> Value {
    subtract(ValueRef::Integer(0), a)
}

/// The bitwise operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BitOp {
    And,
    Or,
    ShiftLeft,
    ShiftRight,
}

/// `a op b` for a bitwise operator. A negative shift shifts the other way; shifting by 64 or
/// more leaves 0 (or -1 for a negative value shifted right).
pub fn bitwise(op: BitOp, a: ValueRef<'_>, b: ValueRef<'_>) -> Value {
    if a.is_null() || b.is_null() {
        return Value::Null;
    }
    let (i, j) = (to_i64(a), to_i64(b));
    Value::Integer(match op {
        BitOp::And => i & j,
        BitOp::Or => i | j,
        BitOp::ShiftLeft => shift_left(i, j),
        BitOp::ShiftRight => shift_left(i, j.checked_neg().unwrap_or(i64::MAX)),
    })
}

fn shift_left(i: i64, by: i64) -> i64 {
    match by {
        64.. => 0,
        0..=63 => i << by,
        -63..=-1 => i >> -by,
        _ => {
            if i < 0 {
                -1
            } else {
                0
            }
        }
    }
}

/// Unary `~`.
pub fn bit_not(a: ValueRef<'_>) -> Value {
    if a.is_null() {
        return Value::Null;
    }
    Value::Integer(!to_i64(a))
}

/// `a || b`: both rendered as text and joined; the result is text even from blobs.
pub fn concat(a: ValueRef<'_>, b: ValueRef<'_>) -> Value {
    match (to_text(a), to_text(b)) {
        (Some(x), Some(y)) => {
            let mut out = x.into_owned();
            out.extend_from_slice(&y);
            Value::Text(out)
        }
        _ => Value::Null,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn int(i: i64) -> ValueRef<'static> {
        ValueRef::Integer(i)
    }

    #[test]
    fn overflow_and_zero() {
        assert_eq!(
            add(int(i64::MAX), int(1)),
            Value::Real(9.223372036854776e18)
        );
        assert_eq!(
            divide(int(i64::MIN), int(-1)),
            Value::Real(9.223372036854776e18)
        );
        assert_eq!(remainder(int(i64::MIN), int(-1)), Value::Integer(0));
        assert_eq!(divide(int(5), int(0)), Value::Null);
        assert_eq!(divide(ValueRef::Real(5.0), int(0)), Value::Null);
        assert_eq!(remainder(ValueRef::Real(5.5), int(2)), Value::Real(1.0));
        assert_eq!(remainder(int(5), ValueRef::Real(0.5)), Value::Null);
        assert_eq!(negate(int(i64::MIN)), Value::Real(9.223372036854776e18));
        assert_eq!(add("12abc".into(), int(0)), Value::Integer(12));
    }

    #[test]
    fn shifts() {
        let shl = |a, b| bitwise(BitOp::ShiftLeft, int(a), int(b));
        let shr = |a, b| bitwise(BitOp::ShiftRight, int(a), int(b));
        assert_eq!(shl(1, 64), Value::Integer(0));
        assert_eq!(shl(1, 63), Value::Integer(i64::MIN));
        assert_eq!(shl(8, -2), Value::Integer(2));
        assert_eq!(shr(-1, 100), Value::Integer(-1));
        assert_eq!(shr(7, -70), Value::Integer(0));
        assert_eq!(shl(-1, -64), Value::Integer(-1));
        assert_eq!(shr(5, i64::MIN), Value::Integer(0));
    }
}
