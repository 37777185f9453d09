//! Numeric, conditional and connection functions.

use std::cmp::Ordering;

use super::{FunctionContext, SQLITE_VERSION};
use crate::error::{Error, ErrorCode, Result};
use crate::record::{compare_values, Value, ValueRef};
use crate::sql::compare::truth;
use crate::sql::convert::{parse_f64, text_as_number, to_f64, to_i64, Numeric};
use crate::sql::fp::{decode, Precision};
use crate::sql::printf::{too_big, MAX_LENGTH};

type Args<'a, 'v> = &'a [ValueRef<'v>];

pub(super) fn integer_overflow() -> Error {
    Error::new(ErrorCode::Error, "integer overflow")
}

pub(super) fn abs(_: &mut dyn FunctionContext, a: Args<'_, '_>) -> Result<Value> {
    Ok(match a[0] {
        ValueRef::Null => Value::Null,
        ValueRef::Integer(i) => Value::Integer(i.checked_abs().ok_or_else(integer_overflow)?),
        // Only negative values flip: abs(-0.0) stays -0.0, as in SQLite.
        v => {
            let r = to_f64(v);
            Value::Real(if r < 0.0 { -r } else { r })
        }
    })
}

pub(super) fn changes(ctx: &mut dyn FunctionContext, _: Args<'_, '_>) -> Result<Value> {
    Ok(Value::Integer(ctx.changes()))
}

pub(super) fn total_changes(ctx: &mut dyn FunctionContext, _: Args<'_, '_>) -> Result<Value> {
    Ok(Value::Integer(ctx.total_changes()))
}

pub(super) fn last_insert_rowid(ctx: &mut dyn FunctionContext, _: Args<'_, '_>) -> Result<Value> {
    Ok(Value::Integer(ctx.last_insert_rowid()))
}

pub(super) fn sqlite_version(_: &mut dyn FunctionContext, _: Args<'_, '_>) -> Result<Value> {
    Ok(Value::from(SQLITE_VERSION))
}

/// `coalesce(…)` and `ifnull(a, b)`: the first non-NULL argument.
pub(super) fn coalesce(_: &mut dyn FunctionContext, a: Args<'_, '_>) -> Result<Value> {
    Ok(a.iter()
        .find(|v| !v.is_null())
        .map_or(Value::Null, |v| v.to_value()))
}

/// `iif(c1, v1, c2, v2, …, else)` (also `if`): the value of the first true condition, else the
/// trailing odd argument, else NULL.
pub(super) fn iif(_: &mut dyn FunctionContext, a: Args<'_, '_>) -> Result<Value> {
    for pair in a.chunks(2) {
        match pair {
            [condition, value] if truth(*condition) == Some(true) => return Ok(value.to_value()),
            [otherwise] => return Ok(otherwise.to_value()),
            _ => {}
        }
    }
    Ok(Value::Null)
}

/// `likely(x)`, `unlikely(x)`: planner hints that return their argument.
pub(super) fn identity(_: &mut dyn FunctionContext, a: Args<'_, '_>) -> Result<Value> {
    Ok(a[0].to_value())
}

/// `likelihood(x, p)`: `x`, with `p` checked as SQLite checks it when preparing.
pub(super) fn likelihood(_: &mut dyn FunctionContext, a: Args<'_, '_>) -> Result<Value> {
    let p = match a[1] {
        ValueRef::Integer(i) => Some(i as f64),
        ValueRef::Real(r) => Some(r),
        _ => None,
    };
    match p {
        Some(p) if (0.0..=1.0).contains(&p) => Ok(a[0].to_value()),
        _ => Err(Error::new(
            ErrorCode::Error,
            "second argument to likelihood() must be a constant between 0.0 and 1.0",
        )),
    }
}

/// Multi-argument `max`/`min`: NULL if any argument is NULL. Among equal extremes `max` keeps
/// the first and `min` the last (`min(0, -0.0)` is -0.0), as SQLite does.
fn extreme(
    ctx: &mut dyn FunctionContext,
    a: Args<'_, '_>,
    replaces: fn(Ordering) -> bool,
) -> Result<Value> {
    let collation = ctx.collation();
    let mut best = a[0];
    for &v in a {
        if v.is_null() {
            return Ok(Value::Null);
        }
        if replaces(compare_values(v, best, collation)) {
            best = v;
        }
    }
    Ok(best.to_value())
}

pub(super) fn max(ctx: &mut dyn FunctionContext, a: Args<'_, '_>) -> Result<Value> {
    extreme(ctx, a, |o| o == Ordering::Greater)
}

pub(super) fn min(ctx: &mut dyn FunctionContext, a: Args<'_, '_>) -> Result<Value> {
    extreme(ctx, a, |o| o != Ordering::Greater)
}

/// `nullif(a, b)`: NULL if the two are equal (under the call's collation), else `a`.
pub(super) fn nullif(ctx: &mut dyn FunctionContext, a: Args<'_, '_>) -> Result<Value> {
    let equal = !a[0].is_null()
        && !a[1].is_null()
        && compare_values(a[0], a[1], ctx.collation()) == Ordering::Equal;
    Ok(if equal { Value::Null } else { a[0].to_value() })
}

pub(super) fn random(ctx: &mut dyn FunctionContext, _: Args<'_, '_>) -> Result<Value> {
    let mut bytes = [0; 8];
    ctx.random_bytes(&mut bytes);
    Ok(Value::Integer(i64::from_le_bytes(bytes)))
}

pub(super) fn randomblob(ctx: &mut dyn FunctionContext, a: Args<'_, '_>) -> Result<Value> {
    let n = blob_len(a[0])?.max(1);
    let mut bytes = vec![0; n];
    ctx.random_bytes(&mut bytes);
    Ok(Value::Blob(bytes))
}

pub(super) fn zeroblob(_: &mut dyn FunctionContext, a: Args<'_, '_>) -> Result<Value> {
    Ok(Value::Blob(vec![0; blob_len(a[0])?]))
}

/// A requested blob length: negative is 0, past the length limit is an error.
fn blob_len(v: ValueRef<'_>) -> Result<usize> {
    let n = usize::try_from(to_i64(v).max(0)).unwrap_or(usize::MAX);
    if n > MAX_LENGTH {
        return Err(too_big());
    }
    Ok(n)
}

/// `round(x [, digits])`: half away from zero, at most 30 digits; the result is always real.
pub(super) fn round(_: &mut dyn FunctionContext, a: Args<'_, '_>) -> Result<Value> {
    let digits = match a.get(1) {
        Some(ValueRef::Null) => return Ok(Value::Null),
        Some(&d) => to_i64(d).clamp(0, 30) as i32,
        None => 0,
    };
    if a[0].is_null() {
        return Ok(Value::Null);
    }
    let r = to_f64(a[0]);
    // Past 2^52 every real is an integer already.
    const INTEGRAL: f64 = 4_503_599_627_370_496.0;
    if r.is_nan() || r.is_infinite() || r.abs() >= INTEGRAL {
        return Ok(Value::Real(r));
    }
    if digits == 0 {
        // Adding a half and truncating (through an integer, so that -0.4 gives +0.0).
        let shifted = if r < 0.0 { r - 0.5 } else { r + 0.5 };
        return Ok(Value::Real(shifted as i64 as f64));
    }
    let d = decode(r, Precision::Fraction(digits), 20);
    // SQLite prints the digits and reads the text back as any numeric text.
    let digits: String = d.digits.iter().map(|&b| char::from(b'0' + b)).collect();
    let magnitude = parse_f64(format!("0.{digits}e{}", d.point).as_bytes());
    Ok(Value::Real(if d.negative { -magnitude } else { magnitude }))
}

/// `sign(x)`: -1, 0 or 1 for numbers and numeric text; NULL for anything else.
pub(super) fn sign(_: &mut dyn FunctionContext, a: Args<'_, '_>) -> Result<Value> {
    let n = match a[0] {
        ValueRef::Integer(i) => Numeric::Integer(i),
        ValueRef::Real(r) => Numeric::Real(r),
        ValueRef::Text(t) => match text_as_number(t) {
            Some(n) => n,
            None => return Ok(Value::Null),
        },
        _ => return Ok(Value::Null),
    };
    let s = match n {
        Numeric::Integer(i) => i.signum(),
        Numeric::Real(r) if r > 0.0 => 1,
        Numeric::Real(r) if r < 0.0 => -1,
        Numeric::Real(_) => 0,
    };
    Ok(Value::Integer(s))
}

pub(super) fn type_of(_: &mut dyn FunctionContext, a: Args<'_, '_>) -> Result<Value> {
    Ok(Value::from(match a[0] {
        ValueRef::Null => "null",
        ValueRef::Integer(_) => "integer",
        ValueRef::Real(_) => "real",
        ValueRef::Text(_) => "text",
        ValueRef::Blob(_) => "blob",
    }))
}
