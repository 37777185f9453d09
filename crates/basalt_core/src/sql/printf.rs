//! `format()`/`printf()`: SQLite's own printf (printf.html), not C's.
//!
//! Differences from C that matter: reals are decoded by [`super::fp`] (16 significant digits at
//! most, 20 with `!`; ties round away from zero); `!` also drops trailing zeros of `%f`/`%e`
//! but keeps one digit after the point; `,` groups thousands of `%d`; `%q`/`%Q`/`%w` quote for
//! SQL; `%c` repeats its character `precision` times; an unknown conversion ends the output.
//! Missing arguments read as NULL (0, 0.0 or empty text). Widths are in bytes, or in
//! characters with `!`.

use std::borrow::Cow;

use super::convert::{to_f64, to_i64, to_text};
use super::fp::{decode, push_exponent, Decimal, Precision};
use super::text::{byte_offset, char_count};
use crate::error::{Error, ErrorCode, Result};
use crate::record::{Value, ValueRef};

/// The longest string or blob SQLite builds (SQLITE_MAX_LENGTH).
pub const MAX_LENGTH: usize = 1_000_000_000;

/// Float precisions beyond this are clamped (SQLITE_FP_PRECISION_LIMIT).
const FLOAT_PRECISION_LIMIT: usize = 100_000_000;

pub(crate) fn too_big() -> Error {
    Error::code(ErrorCode::TooBig)
}

#[derive(Default, Clone, Copy)]
struct Spec {
    left: bool,
    plus: bool,
    space: bool,
    zero: bool,
    alt: bool,
    bang: bool,
    comma: bool,
    width: usize,
    precision: Option<usize>,
}

/// The arguments after the format, consumed left to right.
struct Args<'a, 'v> {
    values: &'a [ValueRef<'v>],
    next: usize,
}

impl<'v> Args<'_, 'v> {
    fn take(&mut self) -> ValueRef<'v> {
        let v = self
            .values
            .get(self.next)
            .copied()
            .unwrap_or(ValueRef::Null);
        self.next += 1;
        v
    }

    fn int(&mut self) -> i64 {
        to_i64(self.take())
    }

    fn real(&mut self) -> f64 {
        to_f64(self.take())
    }

    /// Text as C sees it: up to the first NUL.
    fn text(&mut self) -> Option<Cow<'v, [u8]>> {
        to_text(self.take()).map(|t| match t.iter().position(|&b| b == 0) {
            Some(end) => Cow::Owned(t[..end].to_vec()),
            None => t,
        })
    }
}

/// `format(fmt, args…)`: NULL if the format is NULL.
pub fn format(fmt: ValueRef<'_>, args: &[ValueRef<'_>]) -> Result<Value> {
    let Some(fmt) = to_text(fmt) else {
        return Ok(Value::Null);
    };
    // The format is a C string: it ends at the first NUL.
    let fmt = &fmt[..fmt.iter().position(|&b| b == 0).unwrap_or(fmt.len())];
    let mut out = Vec::new();
    let mut args = Args {
        values: args,
        next: 0,
    };
    let f = fmt;
    let mut i = 0;
    while i < f.len() {
        if f[i] != b'%' {
            let end = f[i..]
                .iter()
                .position(|&b| b == b'%')
                .map_or(f.len(), |p| i + p);
            out.extend_from_slice(&f[i..end]);
            i = end;
            continue;
        }
        if i + 1 == f.len() {
            // A lone `%` at the very end is printed.
            out.push(b'%');
            break;
        }
        i += 1;
        let mut spec = Spec::default();
        while let Some(&c) = f.get(i) {
            match c {
                b'-' => spec.left = true,
                b'+' => spec.plus = true,
                b' ' => spec.space = true,
                b'0' => spec.zero = true,
                b'#' => spec.alt = true,
                b'!' => spec.bang = true,
                b',' => spec.comma = true,
                _ => break,
            }
            i += 1;
        }
        // `*` arguments are C ints: SQLite truncates the i64 to 32 bits.
        if f.get(i) == Some(&b'*') {
            let w = args.int() as i32;
            spec.left |= w < 0;
            spec.width = clamp_len(u64::from(w.unsigned_abs()));
            i += 1;
        } else {
            let (w, next) = read_number(f, i);
            spec.width = w;
            i = next;
        }
        if f.get(i) == Some(&b'.') {
            i += 1;
            if f.get(i) == Some(&b'*') {
                spec.precision = Some(clamp_len(u64::from((args.int() as i32).unsigned_abs())));
                i += 1;
            } else {
                let (p, next) = read_number(f, i);
                spec.precision = Some(p);
                i = next;
            }
        }
        while f.get(i) == Some(&b'l') {
            i += 1;
        }
        let Some(&conversion) = f.get(i) else {
            break;
        };
        i += 1;
        let is_float = matches!(conversion, b'f' | b'e' | b'E' | b'g' | b'G');
        let precision = if is_float {
            0
        } else {
            spec.precision.unwrap_or(0)
        };
        if spec.width.max(precision) >= MAX_LENGTH {
            return Err(too_big());
        }
        if !convert(conversion, spec, &mut args, &mut out) {
            break;
        }
        if out.len() > MAX_LENGTH {
            return Err(too_big());
        }
    }
    Ok(Value::Text(out))
}

fn clamp_len(n: u64) -> usize {
    usize::try_from(n).unwrap_or(usize::MAX).min(MAX_LENGTH)
}

fn read_number(f: &[u8], mut i: usize) -> (usize, usize) {
    let mut n: usize = 0;
    while let Some(d) = f.get(i).filter(|b| b.is_ascii_digit()) {
        n = n.saturating_mul(10).saturating_add(usize::from(d - b'0'));
        i += 1;
    }
    (n.min(MAX_LENGTH), i)
}

/// Appends one conversion; false for an unknown conversion, which ends the output.
fn convert(conversion: u8, spec: Spec, args: &mut Args<'_, '_>, out: &mut Vec<u8>) -> bool {
    match conversion {
        b'd' | b'i' => {
            let v = args.int();
            let sign = if v < 0 {
                "-"
            } else if spec.plus {
                "+"
            } else if spec.space {
                " "
            } else {
                ""
            };
            integer(out, spec, sign, v.unsigned_abs(), 10, "", false);
        }
        b'u' | b'x' | b'X' | b'o' | b'p' => {
            let upper = matches!(conversion, b'X' | b'p');
            // Negative values print as their two's complement (the cast keeps the bits).
            let v = args.int() as u64;
            let (radix, prefix) = match conversion {
                b'x' => (16, "0x"),
                b'X' | b'p' => (16, "0X"),
                b'o' => (8, "0"),
                _ => (10, ""),
            };
            let prefix = if spec.alt && v != 0 { prefix } else { "" };
            integer(out, spec, "", v, radix, prefix, upper);
        }
        b'f' | b'e' | b'E' | b'g' | b'G' => {
            let r = args.real();
            let body = float(conversion, spec, r);
            pad(out, spec, &body, !r.is_nan() && spec.zero);
        }
        b's' | b'z' => {
            let text = args.text().unwrap_or_default();
            string(out, spec, &text);
        }
        b'c' => {
            let text = args.text().unwrap_or_default();
            let first = &text[..byte_offset(&text, 1)];
            let first: &[u8] = if first.is_empty() { b"\0" } else { first };
            let repeated = first.repeat(spec.precision.unwrap_or(1).max(1));
            let spec = Spec {
                precision: None,
                ..spec
            };
            string(out, spec, &repeated);
        }
        b'q' | b'Q' | b'w' => {
            let quote = if conversion == b'w' { b'"' } else { b'\'' };
            let quoted = match args.text() {
                None if conversion == b'Q' => b"NULL".to_vec(),
                None => b"(NULL)".to_vec(),
                Some(t) => {
                    let t = truncate(&t, spec);
                    let mut q = Vec::with_capacity(t.len() + 2);
                    if conversion == b'Q' {
                        q.push(quote);
                    }
                    for &b in t {
                        q.push(b);
                        if b == quote {
                            q.push(b);
                        }
                    }
                    if conversion == b'Q' {
                        q.push(quote);
                    }
                    q
                }
            };
            let spec = Spec {
                precision: None,
                ..spec
            };
            string(out, spec, &quoted);
        }
        b'%' => out.push(b'%'),
        b'n' => {
            args.take();
        }
        _ => return false,
    }
    true
}

/// The text cut to the precision: bytes, or characters with `!`.
fn truncate(text: &[u8], spec: Spec) -> &[u8] {
    match spec.precision {
        Some(p) if spec.bang => &text[..byte_offset(text, p)],
        Some(p) => &text[..p.min(text.len())],
        None => text,
    }
}

fn string(out: &mut Vec<u8>, spec: Spec, text: &[u8]) {
    let text = truncate(text, spec);
    let len = if spec.bang {
        char_count(text)
    } else {
        text.len()
    };
    let fill = spec.width.saturating_sub(len);
    if !spec.left {
        out.resize(out.len() + fill, b' ');
    }
    out.extend_from_slice(text);
    if spec.left {
        out.resize(out.len() + fill, b' ');
    }
}

fn integer(
    out: &mut Vec<u8>,
    spec: Spec,
    sign: &str,
    magnitude: u64,
    radix: u32,
    prefix: &str,
    upper: bool,
) {
    let mut digits = match radix {
        16 if upper => format!("{magnitude:X}"),
        16 => format!("{magnitude:x}"),
        8 => format!("{magnitude:o}"),
        _ => magnitude.to_string(),
    };
    if let Some(p) = spec.precision {
        if digits.len() < p {
            digits.insert_str(0, &"0".repeat(p - digits.len()));
        }
    }
    if spec.comma && radix == 10 {
        digits = group_thousands(&digits);
    }
    let body = format!("{sign}{prefix}{digits}");
    pad(out, spec, body.as_bytes(), spec.zero);
}

fn group_thousands(digits: &str) -> String {
    let groups: Vec<&[u8]> = digits.as_bytes().rchunks(3).rev().collect();
    String::from_utf8_lossy(&groups.join(&b","[..])).into_owned()
}

/// Pads to the width: spaces on the left (or right with `-`), or zeros after the sign.
fn pad(out: &mut Vec<u8>, spec: Spec, body: &[u8], zero_pad: bool) {
    let fill = spec.width.saturating_sub(body.len());
    if spec.left {
        out.extend_from_slice(body);
        out.resize(out.len() + fill, b' ');
    } else if zero_pad {
        let sign_len = usize::from(matches!(body.first(), Some(b'-' | b'+' | b' ')));
        out.extend_from_slice(&body[..sign_len]);
        out.resize(out.len() + fill, b'0');
        out.extend_from_slice(&body[sign_len..]);
    } else {
        out.resize(out.len() + fill, b' ');
        out.extend_from_slice(body);
    }
}

/// A real under `%f`, `%e` or `%g` (and upper-case forms), sign included, unpadded.
fn float(conversion: u8, spec: Spec, r: f64) -> Vec<u8> {
    let mut s = String::new();
    if r.is_nan() {
        return b"NaN".to_vec();
    }
    let sign = |negative: bool| {
        if negative {
            "-"
        } else if spec.plus {
            "+"
        } else if spec.space {
            " "
        } else {
            ""
        }
    };
    if r.is_infinite() && !spec.zero {
        s.push_str(sign(r < 0.0));
        s.push_str("Inf");
        return s.into_bytes();
    }
    let upper = conversion.is_ascii_uppercase();
    let max_digits = if spec.bang { 20 } else { 16 };
    let mut precision = spec.precision.unwrap_or(6).min(FLOAT_PRECISION_LIMIT) as i32;
    let mut style = conversion.to_ascii_lowercase();
    // `%g` drops trailing zeros unless `#`; `%f`/`%e` only with `!`.
    let mut trim_zeros = spec.bang;
    // With zero padding an infinity prints as 9e999, a number no real can hold, rather than
    // as "000Inf".
    let decimal = |precision| {
        if r.is_infinite() {
            Decimal {
                negative: r < 0.0,
                digits: vec![9],
                point: 1000,
            }
        } else {
            decode(r, precision, max_digits)
        }
    };
    let d: Decimal;
    if style == b'g' {
        precision = precision.max(1);
        trim_zeros = !spec.alt;
        let probe = decimal(Precision::Significant(precision));
        let exp = if probe.digits.is_empty() {
            0
        } else {
            probe.point - 1
        };
        (style, precision) = if exp < -4 || exp >= precision {
            (b'e', precision - 1)
        } else {
            (b'f', precision - 1 - exp)
        };
        d = probe;
    } else if style == b'e' {
        d = decimal(Precision::Significant(precision + 1));
    } else {
        d = decimal(Precision::Fraction(precision));
    }
    // `%#.0f` of a negative number that rounds to zero drops the sign; plain `%.0f` keeps it.
    s.push_str(sign(
        r.is_sign_negative() && r != 0.0 && !(spec.alt && d.digits.is_empty()),
    ));
    let digit_at = |i: i32| -> char {
        usize::try_from(i)
            .ok()
            .and_then(|i| d.digits.get(i))
            .map_or('0', |&b| char::from(b'0' + b))
    };
    let mut body = String::new();
    let exp = if d.digits.is_empty() { 0 } else { d.point - 1 };
    if style == b'e' {
        body.push(digit_at(0));
    } else if d.point <= 0 {
        body.push('0');
    } else {
        (0..d.point).for_each(|i| body.push(digit_at(i)));
    }
    let show_point = precision > 0 || spec.alt || spec.bang;
    if show_point {
        body.push('.');
    }
    let first_frac = if style == b'e' { 1 } else { d.point };
    for k in 0..precision {
        body.push(digit_at(first_frac + k));
    }
    if trim_zeros && show_point {
        while body.ends_with('0') {
            body.pop();
        }
        if body.ends_with('.') {
            if spec.bang {
                body.push('0');
            } else if !spec.alt {
                body.pop();
            }
        }
    }
    s.push_str(&body);
    if style == b'e' {
        push_exponent(&mut s, exp, if upper { 'E' } else { 'e' });
    }
    s.into_bytes()
}
