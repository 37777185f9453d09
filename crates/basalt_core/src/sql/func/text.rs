//! Text and blob functions. Characters are counted as [`crate::sql::text`] defines them.

use std::borrow::Cow;

use super::FunctionContext;
use crate::error::{Error, ErrorCode, Result};
use crate::record::{Value, ValueRef};
use crate::sql::convert::{real_to_text, to_i64, to_text};
use crate::sql::pattern::{self, MAX_PATTERN_LEN};
use crate::sql::printf;
use crate::sql::text::{byte_offset, char_count, chars, decode, push_code_point};

type Args<'a, 'v> = &'a [ValueRef<'v>];

/// All arguments as text, or `None` if any is NULL (the usual NULL-in, NULL-out rule).
fn texts<'v>(a: Args<'_, 'v>) -> Option<Vec<Cow<'v, [u8]>>> {
    a.iter().map(|&v| to_text(v)).collect()
}

/// Text as the C functions SQLite uses see it: up to the first NUL.
fn until_nul(t: &[u8]) -> &[u8] {
    &t[..t.iter().position(|&b| b == 0).unwrap_or(t.len())]
}

fn text_value(bytes: impl Into<Vec<u8>>) -> Value {
    Value::Text(bytes.into())
}

pub(super) fn char_fn(_: &mut dyn FunctionContext, a: Args<'_, '_>) -> Result<Value> {
    let mut out = Vec::new();
    for &v in a {
        let cp = u32::try_from(to_i64(v)).unwrap_or(0xfffd);
        push_code_point(&mut out, cp);
    }
    Ok(Value::Text(out))
}

pub(super) fn concat(_: &mut dyn FunctionContext, a: Args<'_, '_>) -> Result<Value> {
    let mut out = Vec::new();
    a.iter()
        .filter_map(|&v| to_text(v))
        .for_each(|t| out.extend_from_slice(&t));
    Ok(Value::Text(out))
}

pub(super) fn concat_ws(_: &mut dyn FunctionContext, a: Args<'_, '_>) -> Result<Value> {
    let Some(separator) = to_text(a[0]) else {
        return Ok(Value::Null);
    };
    let parts: Vec<_> = a[1..].iter().filter_map(|&v| to_text(v)).collect();
    Ok(Value::Text(parts.join(&separator[..])))
}

pub(super) fn format(_: &mut dyn FunctionContext, a: Args<'_, '_>) -> Result<Value> {
    match a.split_first() {
        Some((&fmt, rest)) => printf::format(fmt, rest),
        None => Ok(Value::Null),
    }
}

fn pattern_too_complex(pattern: &[u8]) -> Result<()> {
    if pattern.len() > MAX_PATTERN_LEN {
        return Err(Error::new(
            ErrorCode::Error,
            "LIKE or GLOB pattern too complex",
        ));
    }
    Ok(())
}

/// `glob(pattern, text)`, i.e. `text GLOB pattern`.
pub(super) fn glob(_: &mut dyn FunctionContext, a: Args<'_, '_>) -> Result<Value> {
    let Some(t) = texts(a) else {
        return Ok(Value::Null);
    };
    pattern_too_complex(&t[0])?;
    Ok(Value::Integer(i64::from(pattern::glob(&t[0], &t[1]))))
}

/// `like(pattern, text [, escape])`, i.e. `text LIKE pattern [ESCAPE escape]`.
/// The escape is checked before anything else, so a bad one is an error even with NULL operands.
pub(super) fn like(ctx: &mut dyn FunctionContext, a: Args<'_, '_>) -> Result<Value> {
    let escape = match a.get(2) {
        Some(&e) => match to_text(e) {
            Some(e) if char_count(&e) == 1 => Some(e),
            Some(_) => {
                return Err(Error::new(
                    ErrorCode::Error,
                    "ESCAPE expression must be a single character",
                ))
            }
            None => return Ok(Value::Null),
        },
        None => None,
    };
    let Some(t) = texts(&a[..2]) else {
        return Ok(Value::Null);
    };
    pattern_too_complex(&t[0])?;
    let matched = pattern::like(&t[0], &t[1], escape.as_deref(), ctx.case_sensitive_like());
    Ok(Value::Integer(i64::from(matched)))
}

pub(super) fn hex(_: &mut dyn FunctionContext, a: Args<'_, '_>) -> Result<Value> {
    let bytes = to_text(a[0]).unwrap_or_default();
    let mut out = Vec::with_capacity(bytes.len() * 2);
    for b in bytes.iter() {
        out.extend_from_slice(format!("{b:02X}").as_bytes());
    }
    Ok(Value::Text(out))
}

/// `instr(haystack, needle)`: 1-based position of the first occurrence, in bytes when both are
/// blobs and in characters otherwise; 0 if absent.
pub(super) fn instr(_: &mut dyn FunctionContext, a: Args<'_, '_>) -> Result<Value> {
    let Some(t) = texts(a) else {
        return Ok(Value::Null);
    };
    let (haystack, needle) = (&t[0][..], &t[1][..]);
    let found = if needle.is_empty() {
        Some(0)
    } else {
        haystack.windows(needle.len()).position(|w| w == needle)
    };
    let both_blobs = matches!((a[0], a[1]), (ValueRef::Blob(_), ValueRef::Blob(_)));
    let position = match found {
        None => 0,
        Some(at) if both_blobs => at + 1,
        Some(at) => char_count(&haystack[..at]) + 1,
    };
    Ok(Value::Integer(position as i64))
}

/// `length(x)`: bytes of a blob; characters of text up to its first NUL; of a number, its text.
pub(super) fn length(_: &mut dyn FunctionContext, a: Args<'_, '_>) -> Result<Value> {
    Ok(match a[0] {
        ValueRef::Null => Value::Null,
        ValueRef::Blob(b) => Value::Integer(b.len() as i64),
        v => {
            let t = to_text(v).unwrap_or_default();
            Value::Integer(char_count(until_nul(&t)) as i64)
        }
    })
}

pub(super) fn octet_length(_: &mut dyn FunctionContext, a: Args<'_, '_>) -> Result<Value> {
    Ok(to_text(a[0]).map_or(Value::Null, |t| Value::Integer(t.len() as i64)))
}

/// Maps every byte of the argument's text (ASCII only: SQLite is built without ICU).
fn map_bytes(v: ValueRef<'_>, f: fn(&u8) -> u8) -> Value {
    to_text(v).map_or(Value::Null, |t| {
        text_value(t.iter().map(f).collect::<Vec<_>>())
    })
}

pub(super) fn lower(_: &mut dyn FunctionContext, a: Args<'_, '_>) -> Result<Value> {
    Ok(map_bytes(a[0], u8::to_ascii_lowercase))
}

pub(super) fn upper(_: &mut dyn FunctionContext, a: Args<'_, '_>) -> Result<Value> {
    Ok(map_bytes(a[0], u8::to_ascii_uppercase))
}

/// Which ends `trim` strips.
#[derive(Clone, Copy, PartialEq)]
enum Ends {
    Left,
    Right,
    Both,
}

fn trim_impl(a: Args<'_, '_>, ends: Ends) -> Result<Value> {
    let Some(t) = texts(a) else {
        return Ok(Value::Null);
    };
    let set: Vec<&[u8]> = match t.get(1) {
        Some(set) => chars(set).collect(),
        None => vec![b" "],
    };
    let mut s = &t[0][..];
    if set.is_empty() {
        return Ok(text_value(s));
    }
    if ends != Ends::Right {
        while let Some(c) = set.iter().find(|c| s.starts_with(c)) {
            s = &s[c.len()..];
        }
    }
    if ends != Ends::Left {
        while let Some(c) = set.iter().find(|c| s.ends_with(c)) {
            s = &s[..s.len() - c.len()];
        }
    }
    Ok(text_value(s))
}

pub(super) fn ltrim(_: &mut dyn FunctionContext, a: Args<'_, '_>) -> Result<Value> {
    trim_impl(a, Ends::Left)
}

pub(super) fn rtrim(_: &mut dyn FunctionContext, a: Args<'_, '_>) -> Result<Value> {
    trim_impl(a, Ends::Right)
}

pub(super) fn trim(_: &mut dyn FunctionContext, a: Args<'_, '_>) -> Result<Value> {
    trim_impl(a, Ends::Both)
}

/// `quote(x)`: an SQL literal for the value.
pub(super) fn quote(_: &mut dyn FunctionContext, a: Args<'_, '_>) -> Result<Value> {
    Ok(Value::Text(match a[0] {
        ValueRef::Null => b"NULL".to_vec(),
        ValueRef::Integer(i) => i.to_string().into_bytes(),
        // An infinity must read back as one: 9.0e+999 overflows to it.
        ValueRef::Real(r) if r.is_infinite() => if r > 0.0 { "9.0e+999" } else { "-9.0e+999" }
            .as_bytes()
            .to_vec(),
        ValueRef::Real(r) => real_to_text(r).into_bytes(),
        ValueRef::Text(t) => {
            let t = until_nul(t);
            let mut out = Vec::with_capacity(t.len() + 2);
            out.push(b'\'');
            for &b in t {
                out.push(b);
                if b == b'\'' {
                    out.push(b);
                }
            }
            out.push(b'\'');
            out
        }
        ValueRef::Blob(b) => {
            let mut out = b"X'".to_vec();
            for byte in b {
                out.extend_from_slice(format!("{byte:02X}").as_bytes());
            }
            out.push(b'\'');
            out
        }
    }))
}

/// An empty pattern returns the text before the replacement is looked at (even if NULL).
pub(super) fn replace(_: &mut dyn FunctionContext, a: Args<'_, '_>) -> Result<Value> {
    let (Some(s), Some(from)) = (to_text(a[0]), to_text(a[1])) else {
        return Ok(Value::Null);
    };
    if from.is_empty() {
        return Ok(text_value(s));
    }
    let Some(to) = to_text(a[2]) else {
        return Ok(Value::Null);
    };
    let (s, from, to) = (&s[..], &from[..], &to[..]);
    let mut out = Vec::with_capacity(s.len());
    let mut i = 0;
    while i < s.len() {
        if s[i..].starts_with(from) {
            out.extend_from_slice(to);
            i += from.len();
        } else {
            out.push(s[i]);
            i += 1;
        }
        if out.len() > printf::MAX_LENGTH {
            return Err(printf::too_big());
        }
    }
    Ok(Value::Text(out))
}

/// The soundex code of an ASCII letter (0 for vowels, H, W, Y and non-letters). SQLite looks
/// bytes up with the high bit cleared, so non-ASCII bytes after the first letter get codes too.
fn soundex_code(b: u8) -> u8 {
    match (b & 0x7f).to_ascii_uppercase() {
        b'B' | b'F' | b'P' | b'V' => 1,
        b'C' | b'G' | b'J' | b'K' | b'Q' | b'S' | b'X' | b'Z' => 2,
        b'D' | b'T' => 3,
        b'L' => 4,
        b'M' | b'N' => 5,
        b'R' => 6,
        _ => 0,
    }
}

pub(super) fn soundex(_: &mut dyn FunctionContext, a: Args<'_, '_>) -> Result<Value> {
    let t = to_text(a[0]).unwrap_or_default();
    let t = until_nul(&t);
    let Some(start) = t.iter().position(u8::is_ascii_alphabetic) else {
        return Ok(Value::from("?000"));
    };
    let mut out = vec![t[start].to_ascii_uppercase()];
    let mut previous = soundex_code(t[start]);
    for &b in &t[start + 1..] {
        if out.len() == 4 {
            break;
        }
        let code = soundex_code(b);
        if code > 0 && code != previous {
            out.push(b'0' + code);
        }
        previous = code;
    }
    out.resize(4, b'0');
    Ok(Value::Text(out))
}

/// `substr(x, start [, length])`: characters of text, bytes of blobs; a negative start counts
/// from the end, a negative length takes the characters before `start`.
pub(super) fn substr(_: &mut dyn FunctionContext, a: Args<'_, '_>) -> Result<Value> {
    if a.iter().any(|v| v.is_null()) {
        return Ok(Value::Null);
    }
    let is_blob = matches!(a[0], ValueRef::Blob(_));
    let s = to_text(a[0]).unwrap_or_default();
    if is_blob && s.is_empty() {
        return Ok(Value::Null);
    }
    let len = if is_blob { s.len() } else { char_count(&s) } as i128;
    let mut p1 = i128::from(to_i64(a[1]));
    let mut p2 = a
        .get(2)
        .map_or(i128::from(i64::MAX), |&v| i128::from(to_i64(v)));
    let negative_length = p2 < 0;
    p2 = p2.abs();
    if p1 < 0 {
        p1 += len;
        if p1 < 0 {
            p2 += p1;
            p1 = 0;
        }
    } else if p1 > 0 {
        p1 -= 1;
    } else if p2 > 0 {
        p2 -= 1;
    }
    if negative_length {
        p1 -= p2;
        if p1 < 0 {
            p2 += p1;
            p1 = 0;
        }
    }
    let first = p1.clamp(0, len) as usize;
    let last = (p1 + p2.max(0)).clamp(0, len) as usize;
    let (from, to) = if is_blob {
        (first, last)
    } else {
        (byte_offset(&s, first), byte_offset(&s, last))
    };
    let piece = s[from..to].to_vec();
    Ok(if is_blob {
        Value::Blob(piece)
    } else {
        Value::Text(piece)
    })
}

/// `unhex(text [, ignore])`: pairs of hex digits, characters of `ignore` allowed between
/// pairs; NULL for anything else.
pub(super) fn unhex(_: &mut dyn FunctionContext, a: Args<'_, '_>) -> Result<Value> {
    let Some(t) = texts(a) else {
        return Ok(Value::Null);
    };
    let ignore: Vec<&[u8]> = t.get(1).map_or_else(Vec::new, |i| chars(i).collect());
    let hex_digit = |b: u8| char::from(b).to_digit(16);
    let mut out = Vec::new();
    let mut rest = until_nul(&t[0]);
    while let Some(&first) = rest.first() {
        if let Some(h) = hex_digit(first) {
            // A hex digit must pair with the next character, never be skipped.
            let Some(l) = rest.get(1).and_then(|&b| hex_digit(b)) else {
                return Ok(Value::Null);
            };
            // Two hex digits always fit a byte.
            out.push((h * 16 + l) as u8);
            rest = &rest[2..];
            continue;
        }
        match ignore.iter().find(|c| rest.starts_with(c)) {
            Some(c) => rest = &rest[c.len()..],
            None => return Ok(Value::Null),
        }
    }
    Ok(Value::Blob(out))
}

pub(super) fn unicode(_: &mut dyn FunctionContext, a: Args<'_, '_>) -> Result<Value> {
    let t = to_text(a[0]).unwrap_or_default();
    let first = chars(until_nul(&t)).next().map(decode);
    Ok(first.map_or(Value::Null, |cp| Value::Integer(i64::from(cp))))
}
