//! Built-in scalar and aggregate functions.
//!
//! **Interim**, like `value.rs`: the `sql` module's function registry replaces this when it
//! lands. Only the functions the engine's tests and the sqllogictest corpus use are here; an
//! unknown name is "no such function" at prepare time, never a wrong answer.
//!
//! Invariants: argument counts are checked when a call is resolved (`ScalarFunc::lookup`), so
//! `call` can rely on them; nothing panics on any argument value.

use super::value::{
    self, format_fixed, integer_overflow, parse_number, real_value, to_f64, to_i64, to_num,
    to_text, Num,
};
use crate::error::Result;
use crate::record::{compare_values, Collation, Value};
use std::cmp::Ordering;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScalarFunc {
    Abs,
    Coalesce,
    IfNull,
    NullIf,
    Iif,
    TypeOf,
    Length,
    Lower,
    Upper,
    Substr,
    Round,
    Min,
    Max,
    Like,
    Glob,
    Instr,
    Replace,
    Trim,
    LTrim,
    RTrim,
    Hex,
    Quote,
}

const SCALARS: &[(&str, ScalarFunc, usize, usize)] = &[
    ("abs", ScalarFunc::Abs, 1, 1),
    ("coalesce", ScalarFunc::Coalesce, 2, usize::MAX),
    ("ifnull", ScalarFunc::IfNull, 2, 2),
    ("nullif", ScalarFunc::NullIf, 2, 2),
    ("iif", ScalarFunc::Iif, 3, 3),
    ("typeof", ScalarFunc::TypeOf, 1, 1),
    ("length", ScalarFunc::Length, 1, 1),
    ("lower", ScalarFunc::Lower, 1, 1),
    ("upper", ScalarFunc::Upper, 1, 1),
    ("substr", ScalarFunc::Substr, 2, 3),
    ("substring", ScalarFunc::Substr, 2, 3),
    ("round", ScalarFunc::Round, 1, 2),
    ("min", ScalarFunc::Min, 2, usize::MAX),
    ("max", ScalarFunc::Max, 2, usize::MAX),
    ("like", ScalarFunc::Like, 2, 3),
    ("glob", ScalarFunc::Glob, 2, 2),
    ("instr", ScalarFunc::Instr, 2, 2),
    ("replace", ScalarFunc::Replace, 3, 3),
    ("trim", ScalarFunc::Trim, 1, 2),
    ("ltrim", ScalarFunc::LTrim, 1, 2),
    ("rtrim", ScalarFunc::RTrim, 1, 2),
    ("hex", ScalarFunc::Hex, 1, 1),
    ("quote", ScalarFunc::Quote, 1, 1),
];

/// Why a function call does not resolve.
#[derive(Debug, PartialEq, Eq)]
pub enum LookupError {
    NoSuchFunction,
    WrongArgCount,
}

impl ScalarFunc {
    pub fn lookup(name: &str, argc: usize) -> Result<ScalarFunc, LookupError> {
        let mut found = false;
        for &(n, f, lo, hi) in SCALARS {
            if n.eq_ignore_ascii_case(name) {
                found = true;
                if (lo..=hi).contains(&argc) {
                    return Ok(f);
                }
            }
        }
        Err(if found {
            LookupError::WrongArgCount
        } else {
            LookupError::NoSuchFunction
        })
    }

    pub fn name(self) -> &'static str {
        SCALARS
            .iter()
            .find(|(_, f, _, _)| *f == self)
            .map_or("?", |(n, _, _, _)| n)
    }

    /// Calls the function; `collation` is the one of the arguments (for min/max).
    pub fn call(self, args: &[Value], collation: Collation) -> Result<Value> {
        let arg = |i: usize| args.get(i).unwrap_or(&Value::Null);
        Ok(match self {
            ScalarFunc::Abs => match arg(0) {
                Value::Null => Value::Null,
                Value::Integer(i) => Value::Integer(i.checked_abs().ok_or_else(integer_overflow)?),
                Value::Real(r) => Value::Real(r.abs()),
                other => match to_num(other) {
                    Some(Num::Int(i)) => Value::Real((i as f64).abs()),
                    Some(Num::Real(r)) => Value::Real(r.abs()),
                    None => Value::Null,
                },
            },
            ScalarFunc::Coalesce | ScalarFunc::IfNull => args
                .iter()
                .find(|v| !matches!(v, Value::Null))
                .cloned()
                .unwrap_or(Value::Null),
            ScalarFunc::NullIf => {
                let (a, b) = (arg(0), arg(1));
                if !matches!(a, Value::Null)
                    && !matches!(b, Value::Null)
                    && compare_values(a.into(), b.into(), collation) == Ordering::Equal
                {
                    Value::Null
                } else {
                    a.clone()
                }
            }
            ScalarFunc::Iif => {
                if value::truth(arg(0)) == Some(true) {
                    arg(1).clone()
                } else {
                    arg(2).clone()
                }
            }
            ScalarFunc::TypeOf => Value::Text(
                match arg(0) {
                    Value::Null => "null",
                    Value::Integer(_) => "integer",
                    Value::Real(_) => "real",
                    Value::Text(_) => "text",
                    Value::Blob(_) => "blob",
                }
                .into(),
            ),
            ScalarFunc::Length => match arg(0) {
                Value::Null => Value::Null,
                Value::Blob(b) => Value::Integer(b.len() as i64),
                Value::Text(t) => Value::Integer(char_count(t)),
                other => Value::Integer(to_text(other).map_or(0, |t| t.len() as i64)),
            },
            ScalarFunc::Lower | ScalarFunc::Upper => match to_text(arg(0)) {
                None => Value::Null,
                Some(mut t) => {
                    if self == ScalarFunc::Lower {
                        t.make_ascii_lowercase();
                    } else {
                        t.make_ascii_uppercase();
                    }
                    Value::Text(t)
                }
            },
            ScalarFunc::Substr => substr(arg(0), arg(1), args.get(2)),
            ScalarFunc::Round => round(arg(0), args.get(1)),
            ScalarFunc::Min | ScalarFunc::Max => {
                let want = if self == ScalarFunc::Min {
                    Ordering::Less
                } else {
                    Ordering::Greater
                };
                let mut best = arg(0);
                for v in args {
                    if matches!(v, Value::Null) {
                        return Ok(Value::Null);
                    }
                    if compare_values(v.into(), best.into(), collation) == want {
                        best = v;
                    }
                }
                best.clone()
            }
            ScalarFunc::Like | ScalarFunc::Glob => {
                let (Some(pattern), Some(text)) = (to_text(arg(0)), to_text(arg(1))) else {
                    return Ok(Value::Null);
                };
                let escape = match args.get(2) {
                    None => None,
                    Some(v) => match to_text(v) {
                        None => return Ok(Value::Null),
                        Some(e) if char_count(&e) == 1 => Some(e),
                        Some(_) => {
                            return Err(crate::Error::new(
                                crate::ErrorCode::Error,
                                "ESCAPE expression must be a single character",
                            ))
                        }
                    },
                };
                let matched = if self == ScalarFunc::Like {
                    like(&pattern, &text, escape.as_deref())
                } else {
                    glob(&pattern, &text)
                };
                Value::Integer(i64::from(matched))
            }
            ScalarFunc::Instr => match (arg(0), arg(1)) {
                (Value::Null, _) | (_, Value::Null) => Value::Null,
                (h, n) => {
                    let (h, n) = (
                        to_text(h).unwrap_or_default(),
                        to_text(n).unwrap_or_default(),
                    );
                    match find(&h, &n) {
                        Some(pos) => Value::Integer(char_count(&h[..pos]) + 1),
                        None => Value::Integer(0),
                    }
                }
            },
            ScalarFunc::Replace => match (to_text(arg(0)), to_text(arg(1)), to_text(arg(2))) {
                (Some(s), Some(from), Some(to)) => {
                    if from.is_empty() {
                        Value::Text(s)
                    } else {
                        Value::Text(replace_all(&s, &from, &to))
                    }
                }
                _ => Value::Null,
            },
            ScalarFunc::Trim | ScalarFunc::LTrim | ScalarFunc::RTrim => {
                let Some(s) = to_text(arg(0)) else {
                    return Ok(Value::Null);
                };
                let set = match args.get(1) {
                    None => b" ".to_vec(),
                    Some(v) => match to_text(v) {
                        Some(t) => t,
                        None => return Ok(Value::Null),
                    },
                };
                let mut start = 0;
                let mut end = s.len();
                if self != ScalarFunc::RTrim {
                    while start < end && set.contains(&s[start]) {
                        start += 1;
                    }
                }
                if self != ScalarFunc::LTrim {
                    while end > start && set.contains(&s[end - 1]) {
                        end -= 1;
                    }
                }
                Value::Text(s[start..end].to_vec())
            }
            ScalarFunc::Hex => {
                let bytes = match arg(0) {
                    Value::Blob(b) => b.clone(),
                    other => to_text(other).unwrap_or_default(),
                };
                Value::Text(
                    bytes
                        .iter()
                        .map(|b| format!("{b:02X}"))
                        .collect::<String>()
                        .into(),
                )
            }
            ScalarFunc::Quote => Value::Text(quote(arg(0)).into_bytes()),
        })
    }
}

/// The number of characters of UTF-8 text (continuation bytes are not counted).
fn char_count(t: &[u8]) -> i64 {
    t.iter().filter(|&&b| (b & 0xC0) != 0x80).count() as i64
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() {
        return Some(0);
    }
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn replace_all(s: &[u8], from: &[u8], to: &[u8]) -> Vec<u8> {
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
    }
    out
}

pub fn quote(v: &Value) -> String {
    match v {
        Value::Null => "NULL".into(),
        Value::Integer(i) => i.to_string(),
        Value::Real(r) => value::format_real(*r),
        Value::Text(t) => format!("'{}'", String::from_utf8_lossy(t).replace('\'', "''")),
        Value::Blob(b) => format!(
            "X'{}'",
            b.iter().map(|x| format!("{x:02X}")).collect::<String>()
        ),
    }
}

/// substr(X, Y, Z) with SQLite's 1-based, negative-from-the-end positions (characters for text,
/// bytes for blobs).
fn substr(x: &Value, y: &Value, z: Option<&Value>) -> Value {
    if matches!(x, Value::Null) || matches!(y, Value::Null) || matches!(z, Some(Value::Null)) {
        return Value::Null;
    }
    let is_blob = matches!(x, Value::Blob(_));
    let bytes = match x {
        Value::Blob(b) => b.clone(),
        other => to_text(other).unwrap_or_default(),
    };
    // Unit boundaries: bytes for blobs, character starts for text.
    let starts: Vec<usize> = if is_blob {
        (0..bytes.len()).collect()
    } else {
        (0..bytes.len())
            .filter(|&i| (bytes[i] & 0xC0) != 0x80)
            .collect()
    };
    let len = starts.len() as i64;
    let mut p1 = to_i64(y);
    let mut p2 = match z {
        Some(v) => to_i64(v),
        None => i64::MAX / 2,
    };
    if p1 < 0 {
        p1 += len;
        if p1 < 0 {
            p2 = p2.saturating_add(p1);
            p1 = 0;
        }
    } else if p1 > 0 {
        p1 -= 1;
    } else if p2 > 0 {
        p2 -= 1;
    }
    if p2 < 0 {
        if p2 < -p1 {
            p2 = p1;
        } else {
            p2 = -p2;
        }
        p1 -= p2;
    }
    let from = p1.clamp(0, len);
    let to = p1.saturating_add(p2).clamp(0, len);
    let byte_at = |k: i64| -> usize {
        if k >= len {
            bytes.len()
        } else {
            starts[k as usize]
        }
    };
    let slice = bytes[byte_at(from)..byte_at(to.max(from))].to_vec();
    if is_blob {
        Value::Blob(slice)
    } else {
        Value::Text(slice)
    }
}

fn round(x: &Value, digits: Option<&Value>) -> Value {
    if matches!(x, Value::Null) || matches!(digits, Some(Value::Null)) {
        return Value::Null;
    }
    let n = digits.map_or(0, to_i64).clamp(0, 30) as usize;
    let r = to_f64(x);
    if n == 0 && r.abs() < 4503599627370496.0 {
        return Value::Real(if r < 0.0 {
            -((-r + 0.5).trunc())
        } else {
            (r + 0.5).trunc()
        });
    }
    let text = format_fixed(r, n);
    real_value(parse_number(text.as_bytes()).value.into_value_f64())
}

impl Num {
    fn into_value_f64(self) -> f64 {
        match self {
            Num::Int(i) => i as f64,
            Num::Real(r) => r,
        }
    }
}

/// LIKE: `%` any run, `_` one character, ASCII case folded; an escape character makes the next
/// one literal.
fn like(pattern: &[u8], text: &[u8], escape: Option<&[u8]>) -> bool {
    let esc = escape.and_then(|e| e.first().copied());
    like_from(pattern, text, esc)
}

fn utf8_len(b: u8) -> usize {
    match b {
        0xF0..=0xFF => 4,
        0xE0..=0xEF => 3,
        0xC0..=0xDF => 2,
        _ => 1,
    }
}

fn like_from(p: &[u8], t: &[u8], esc: Option<u8>) -> bool {
    let (mut pi, mut ti) = (0, 0);
    while pi < p.len() {
        let c = p[pi];
        if Some(c) == esc {
            pi += 1;
            let Some(&lit) = p.get(pi) else {
                return false;
            };
            if ti >= t.len() || !t[ti].eq_ignore_ascii_case(&lit) {
                return false;
            }
            pi += 1;
            ti += 1;
            continue;
        }
        match c {
            b'%' => {
                while pi < p.len() && (p[pi] == b'%' || p[pi] == b'_') {
                    if p[pi] == b'_' {
                        if ti >= t.len() {
                            return false;
                        }
                        ti += utf8_len(t[ti]);
                    }
                    pi += 1;
                }
                if pi == p.len() {
                    return true;
                }
                while ti <= t.len() {
                    if like_from(&p[pi..], &t[ti..], esc) {
                        return true;
                    }
                    if ti == t.len() {
                        break;
                    }
                    ti += utf8_len(t[ti]);
                }
                return false;
            }
            b'_' => {
                if ti >= t.len() {
                    return false;
                }
                ti += utf8_len(t[ti]);
                pi += 1;
            }
            _ => {
                if ti >= t.len() || !t[ti].eq_ignore_ascii_case(&c) {
                    return false;
                }
                pi += 1;
                ti += 1;
            }
        }
    }
    ti == t.len()
}

/// GLOB: `*`, `?`, `[...]` classes, case-sensitive.
fn glob(p: &[u8], t: &[u8]) -> bool {
    let (mut pi, mut ti) = (0, 0);
    while pi < p.len() {
        match p[pi] {
            b'*' => {
                while pi < p.len() && p[pi] == b'*' {
                    pi += 1;
                }
                if pi == p.len() {
                    return true;
                }
                while ti <= t.len() {
                    if glob(&p[pi..], &t[ti..]) {
                        return true;
                    }
                    if ti == t.len() {
                        break;
                    }
                    ti += utf8_len(t[ti]);
                }
                return false;
            }
            b'?' => {
                if ti >= t.len() {
                    return false;
                }
                ti += utf8_len(t[ti]);
                pi += 1;
            }
            b'[' => {
                if ti >= t.len() {
                    return false;
                }
                let c = t[ti];
                let mut k = pi + 1;
                let invert = k < p.len() && p[k] == b'^';
                if invert {
                    k += 1;
                }
                let mut matched = false;
                let mut first = true;
                while k < p.len() && (p[k] != b']' || first) {
                    if k + 2 < p.len() && p[k + 1] == b'-' && p[k + 2] != b']' {
                        if p[k] <= c && c <= p[k + 2] {
                            matched = true;
                        }
                        k += 3;
                    } else {
                        if p[k] == c {
                            matched = true;
                        }
                        k += 1;
                    }
                    first = false;
                }
                if k >= p.len() || matched == invert {
                    return false;
                }
                pi = k + 1;
                ti += 1;
            }
            c => {
                if ti >= t.len() || t[ti] != c {
                    return false;
                }
                pi += 1;
                ti += 1;
            }
        }
    }
    ti == t.len()
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AggFunc {
    /// `count(*)`
    CountStar,
    Count,
    Sum,
    Total,
    Avg,
    Min,
    Max,
    GroupConcat,
}

impl AggFunc {
    pub fn lookup(name: &str, argc: usize, star: bool) -> Result<AggFunc, LookupError> {
        let lower = name.to_ascii_lowercase();
        let (f, lo, hi) = match lower.as_str() {
            "count" if star => return Ok(AggFunc::CountStar),
            "count" => (AggFunc::Count, 0, 1),
            "sum" => (AggFunc::Sum, 1, 1),
            "total" => (AggFunc::Total, 1, 1),
            "avg" => (AggFunc::Avg, 1, 1),
            "min" => (AggFunc::Min, 1, 1),
            "max" => (AggFunc::Max, 1, 1),
            "group_concat" => (AggFunc::GroupConcat, 1, 2),
            _ => return Err(LookupError::NoSuchFunction),
        };
        if star || !(lo..=hi).contains(&argc) {
            return Err(LookupError::WrongArgCount);
        }
        if f == AggFunc::Count && argc == 0 {
            return Ok(AggFunc::CountStar);
        }
        Ok(f)
    }

    pub fn name(self) -> &'static str {
        match self {
            AggFunc::CountStar | AggFunc::Count => "count",
            AggFunc::Sum => "sum",
            AggFunc::Total => "total",
            AggFunc::Avg => "avg",
            AggFunc::Min => "min",
            AggFunc::Max => "max",
            AggFunc::GroupConcat => "group_concat",
        }
    }
}

/// The running state of one aggregate.
#[derive(Clone, Debug, Default)]
pub struct AggState {
    count: i64,
    int_sum: i64,
    /// Whether the sum left integer arithmetic (a real input or an overflow).
    approx: bool,
    overflow: bool,
    /// Kahan-Babuska-Neumaier compensated sum (SQLite sums reals this way).
    real_sum: f64,
    real_err: f64,
    best: Option<Value>,
    text: Option<Vec<u8>>,
}

/// Integers at or beyond 2^52 are added in two parts so the compensated sum stays exact.
const KBN_SPLIT: i64 = 4_503_599_627_370_496;

impl AggState {
    fn kbn_step(&mut self, r: f64) {
        let s = self.real_sum;
        let t = s + r;
        if s.abs() > r.abs() {
            self.real_err += (s - t) + r;
        } else {
            self.real_err += (r - t) + s;
        }
        self.real_sum = t;
    }

    fn kbn_step_int(&mut self, i: i64) {
        if !(-KBN_SPLIT + 1..KBN_SPLIT).contains(&i) {
            let small = i % 16384;
            self.kbn_step((i - small) as f64);
            self.kbn_step(small as f64);
        } else {
            self.kbn_step(i as f64);
        }
    }

    fn kbn_init(&mut self, i: i64) {
        self.real_sum = 0.0;
        self.real_err = 0.0;
        self.kbn_step_int(i);
    }

    fn add_sum(&mut self, v: &Value) {
        let mut numeric = v.clone();
        value::apply_comparison_affinity(&mut numeric, value::Affinity::Numeric);
        self.count += 1;
        match numeric {
            Value::Integer(i) if !self.approx => match self.int_sum.checked_add(i) {
                Some(s) => self.int_sum = s,
                None => {
                    self.overflow = true;
                    self.approx = true;
                    self.kbn_init(self.int_sum);
                    self.kbn_step_int(i);
                }
            },
            Value::Integer(i) => self.kbn_step_int(i),
            other => {
                if !self.approx {
                    self.approx = true;
                    self.kbn_init(self.int_sum);
                } else {
                    self.overflow = false;
                }
                self.kbn_step(to_f64(&other));
            }
        }
    }

    fn real_total(&self) -> f64 {
        if self.approx {
            let total = self.real_sum + self.real_err;
            if total.is_finite() {
                total
            } else {
                self.real_sum
            }
        } else {
            self.int_sum as f64
        }
    }

    pub fn step(&mut self, func: AggFunc, args: &[Value], collation: Collation) {
        let arg = args.first().unwrap_or(&Value::Null);
        match func {
            AggFunc::CountStar => self.count += 1,
            AggFunc::Count => {
                if !matches!(arg, Value::Null) {
                    self.count += 1;
                }
            }
            AggFunc::Sum | AggFunc::Total | AggFunc::Avg => {
                if !matches!(arg, Value::Null) {
                    self.add_sum(arg);
                }
            }
            AggFunc::Min | AggFunc::Max => {
                if matches!(arg, Value::Null) {
                    return;
                }
                let replace = match &self.best {
                    None => true,
                    Some(best) => {
                        let ordering = compare_values(arg.into(), best.into(), collation);
                        if func == AggFunc::Min {
                            ordering == Ordering::Less
                        } else {
                            ordering == Ordering::Greater
                        }
                    }
                };
                if replace {
                    self.best = Some(arg.clone());
                }
            }
            AggFunc::GroupConcat => {
                let Some(t) = to_text(arg) else {
                    return;
                };
                match &mut self.text {
                    None => self.text = Some(t),
                    Some(acc) => {
                        let sep = match args.get(1) {
                            None => b",".to_vec(),
                            Some(s) => to_text(s).unwrap_or_default(),
                        };
                        acc.extend_from_slice(&sep);
                        acc.extend_from_slice(&t);
                    }
                }
            }
        }
    }

    pub fn finish(&self, func: AggFunc) -> Result<Value> {
        Ok(match func {
            AggFunc::CountStar | AggFunc::Count => Value::Integer(self.count),
            AggFunc::Sum => {
                if self.count == 0 {
                    Value::Null
                } else if self.approx {
                    if self.overflow {
                        return Err(integer_overflow());
                    }
                    real_value(self.real_total())
                } else {
                    Value::Integer(self.int_sum)
                }
            }
            AggFunc::Total => real_value(self.real_total()),
            AggFunc::Avg => {
                if self.count == 0 {
                    Value::Null
                } else {
                    real_value(self.real_total() / self.count as f64)
                }
            }
            AggFunc::Min | AggFunc::Max => self.best.clone().unwrap_or(Value::Null),
            AggFunc::GroupConcat => self.text.clone().map_or(Value::Null, Value::Text),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn substr_positions() {
        let s = |x: &str, y: i64, z: Option<i64>| {
            substr(
                &Value::from(x),
                &Value::Integer(y),
                z.map(Value::Integer).as_ref(),
            )
        };
        assert_eq!(s("hello", 0, Some(2)), Value::from("h"));
        assert_eq!(s("hello", -2, None), Value::from("lo"));
        assert_eq!(s("hello", 2, Some(-1)), Value::from("h"));
        assert_eq!(s("hello", 2, Some(3)), Value::from("ell"));
    }

    #[test]
    fn patterns() {
        assert!(like(b"a%c", b"ABBC", None));
        assert!(!like(b"a_c", b"ac", None));
        assert!(glob(b"a*[x-z]", b"abcy"));
        assert!(!glob(b"A*", b"abc"));
    }

    #[test]
    fn sums() {
        let mut s = AggState::default();
        for v in [Value::Integer(1), Value::Real(2.5), Value::from("a")] {
            s.step(AggFunc::Sum, &[v], Collation::Binary);
        }
        assert_eq!(s.finish(AggFunc::Sum), Ok(Value::Real(3.5)));
        let mut o = AggState::default();
        for v in [Value::Integer(i64::MAX), Value::Integer(1)] {
            o.step(AggFunc::Sum, &[v], Collation::Binary);
        }
        assert!(o.finish(AggFunc::Sum).is_err());
        assert_eq!(
            o.finish(AggFunc::Total),
            Ok(Value::Real(9223372036854775808.0))
        );
    }
}
