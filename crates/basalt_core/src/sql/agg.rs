//! Aggregate functions (lang_aggfunc.html): `avg`, `count`, `group_concat`/`string_agg`,
//! `max`, `min`, `sum`, `total`.
//!
//! Invariants:
//! - NULL inputs are skipped by every aggregate except `count(*)`.
//! - `sum` stays an exact i64 while every input is an integer (numeric text counts as one) and
//!   errors with "integer overflow" if that sum overflows and no real input ever came; once a
//!   real is seen, it sums with Kahan–Babuška–Neumaier compensation as SQLite 3.43+ does, large
//!   integers being split so that their low bits survive.
//! - `value()` does not consume the state, and `inverse` undoes a `step`, so window functions
//!   can reuse these.
//! - DISTINCT is the [`Distinct`] wrapper, which forwards only values not seen before.

use std::cmp::Ordering;

use super::convert::{text_as_number, to_f64, to_text, Numeric};
use super::func::Arity;
use crate::error::{Error, ErrorCode, Result};
use crate::record::{compare_values, Collation, Value, ValueRef};

/// The running state of one aggregate over one group.
pub trait Aggregate {
    /// Adds one row's arguments.
    fn step(&mut self, args: &[ValueRef<'_>]) -> Result<()>;
    /// `step`, then whether bare columns should not be read from this row (SQLite's
    /// skip-accumulator-load): min() and max() say so when the row left their value alone.
    fn step_or_skip(&mut self, args: &[ValueRef<'_>]) -> Result<bool> {
        self.step(args)?;
        Ok(false)
    }
    /// Removes a row previously added (window frames). Aggregates that cannot undo (min, max)
    /// return an error.
    fn inverse(&mut self, args: &[ValueRef<'_>]) -> Result<()>;
    /// The result for the rows added so far.
    fn value(&self) -> Result<Value>;
    /// The final result of a group (`AggFinal`); the state is not used again after it but to
    /// be dropped. An application's aggregate finishes here (its `xFinal`).
    fn finish(&mut self) -> Result<Value> {
        self.value()
    }
}

/// A built-in aggregate function.
pub struct AggregateFunction {
    /// Lower-case name.
    pub name: &'static str,
    pub arity: Arity,
    /// A fresh state; the collation is the one of the argument (for min/max).
    pub new: fn(Collation) -> Box<dyn Aggregate>,
}

impl std::fmt::Debug for AggregateFunction {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "AggregateFunction({})", self.name)
    }
}

/// Every built-in aggregate.
pub static AGGREGATES: &[AggregateFunction] = &[
    AggregateFunction {
        name: "avg",
        arity: Arity::exactly(1),
        new: |_| Box::new(Sum::new(SumKind::Avg)),
    },
    AggregateFunction {
        name: "count",
        arity: Arity::between(0, 1),
        new: |_| Box::new(Count(0)),
    },
    AggregateFunction {
        name: "group_concat",
        arity: Arity::between(1, 2),
        new: |_| Box::new(GroupConcat::default()),
    },
    AggregateFunction {
        name: "max",
        arity: Arity::exactly(1),
        new: |collation| Box::new(Extreme::new(Ordering::Greater, collation)),
    },
    AggregateFunction {
        name: "min",
        arity: Arity::exactly(1),
        new: |collation| Box::new(Extreme::new(Ordering::Less, collation)),
    },
    AggregateFunction {
        name: "string_agg",
        arity: Arity::exactly(2),
        new: |_| Box::new(GroupConcat::default()),
    },
    AggregateFunction {
        name: "sum",
        arity: Arity::exactly(1),
        new: |_| Box::new(Sum::new(SumKind::Sum)),
    },
    AggregateFunction {
        name: "total",
        arity: Arity::exactly(1),
        new: |_| Box::new(Sum::new(SumKind::Total)),
    },
];

/// `count(x)` counts non-NULL values; `count(*)` (no arguments) counts rows.
struct Count(i64);

impl Aggregate for Count {
    fn step(&mut self, args: &[ValueRef<'_>]) -> Result<()> {
        if args.first().is_none_or(|v| !v.is_null()) {
            self.0 += 1;
        }
        Ok(())
    }

    fn inverse(&mut self, args: &[ValueRef<'_>]) -> Result<()> {
        if args.first().is_none_or(|v| !v.is_null()) {
            self.0 -= 1;
        }
        Ok(())
    }

    fn value(&self) -> Result<Value> {
        Ok(Value::Integer(self.0))
    }
}

#[derive(Clone, Copy, PartialEq)]
enum SumKind {
    Sum,
    Total,
    Avg,
}

/// The state shared by `sum`, `total` and `avg`.
struct Sum {
    kind: SumKind,
    count: i64,
    /// Exact while `!approximate`.
    integer: i64,
    approximate: bool,
    /// An integer overflowed and no real came after it: SQLite's "integer overflow". (A real
    /// before any overflow leaves exact summing, so no overflow is detected after it.)
    overflowed: bool,
    /// Compensated sum: the sum and the running error.
    sum: f64,
    error: f64,
}

impl Sum {
    fn new(kind: SumKind) -> Sum {
        Sum {
            kind,
            count: 0,
            integer: 0,
            approximate: false,
            overflowed: false,
            sum: 0.0,
            error: 0.0,
        }
    }

    fn add_real(&mut self, r: f64) {
        let t = self.sum + r;
        self.error += if self.sum.abs() > r.abs() {
            (self.sum - t) + r
        } else {
            (r - t) + self.sum
        };
        self.sum = t;
    }

    /// An integer too large for a real to hold exactly, in two parts: a multiple of 16384 and
    /// the rest; `None` for one that fits.
    fn split_large(i: i64) -> Option<(f64, f64)> {
        const EXACT: i64 = 1 << 52;
        (i <= -EXACT || i >= EXACT).then(|| (((i - i % 16384) as f64), (i % 16384) as f64))
    }

    /// Adds an integer, in two parts when it is large.
    fn add_integer_approx(&mut self, i: i64) {
        match Sum::split_large(i) {
            Some((big, small)) => {
                self.add_real(big);
                self.add_real(small);
            }
            None => self.add_real(i as f64),
        }
    }

    /// Leaves exact integer summing: the compensated sum starts as the integer total, its
    /// large part in the sum and the rest as the error term (not added: SQLite sets both).
    fn go_approximate(&mut self) {
        if !self.approximate {
            self.approximate = true;
            (self.sum, self.error) =
                Sum::split_large(self.integer).unwrap_or((self.integer as f64, 0.0));
        }
    }

    #[inline]
    fn add(&mut self, v: ValueRef<'_>, sign: i64) {
        let numeric = match v {
            ValueRef::Real(r) => Numeric::Real(r),
            ValueRef::Integer(i) => Numeric::Integer(i),
            ValueRef::Text(t) => match text_as_number(t) {
                Some(Numeric::Integer(i)) => Numeric::Integer(i),
                _ => Numeric::Real(to_f64(v)),
            },
            v => Numeric::Real(to_f64(v)),
        };
        match numeric {
            Numeric::Integer(i) => {
                let i = if sign < 0 { i.wrapping_neg() } else { i };
                if self.approximate {
                    self.add_integer_approx(i);
                } else if let Some(total) = self.integer.checked_add(i) {
                    self.integer = total;
                } else {
                    self.overflowed = true;
                    self.go_approximate();
                    self.add_integer_approx(i);
                }
            }
            Numeric::Real(r) => {
                self.overflowed = false;
                self.go_approximate();
                self.add_real(if sign < 0 { -r } else { r });
            }
        }
    }

    fn real_total(&self) -> f64 {
        if !self.approximate {
            return self.integer as f64;
        }
        if self.error.is_finite() {
            self.sum + self.error
        } else {
            self.sum
        }
    }
}

impl Aggregate for Sum {
    fn step(&mut self, args: &[ValueRef<'_>]) -> Result<()> {
        if !args[0].is_null() {
            self.count += 1;
            self.add(args[0], 1);
        }
        Ok(())
    }

    fn inverse(&mut self, args: &[ValueRef<'_>]) -> Result<()> {
        if !args[0].is_null() {
            self.count -= 1;
            self.add(args[0], -1);
        }
        Ok(())
    }

    fn value(&self) -> Result<Value> {
        let real = |r: f64| {
            if r.is_nan() {
                Value::Null
            } else {
                Value::Real(r)
            }
        };
        Ok(match self.kind {
            SumKind::Total => real(self.real_total()),
            _ if self.count == 0 => Value::Null,
            SumKind::Avg => real(self.real_total() / self.count as f64),
            SumKind::Sum if !self.approximate => Value::Integer(self.integer),
            SumKind::Sum if self.overflowed => {
                return Err(Error::new(ErrorCode::Error, "integer overflow"))
            }
            SumKind::Sum => real(self.real_total()),
        })
    }
}

/// `min(x)` / `max(x)`: the first of the extreme values, NULLs ignored.
struct Extreme {
    want: Ordering,
    collation: Collation,
    best: Option<Value>,
}

impl Extreme {
    fn new(want: Ordering, collation: Collation) -> Extreme {
        Extreme {
            want,
            collation,
            best: None,
        }
    }
}

impl Extreme {
    /// Adds `v`; whether bare columns should skip this row: a NULL skips once a value is held,
    /// a value skips unless it is the new extreme.
    #[inline(always)]
    fn consider(&mut self, v: ValueRef<'_>) -> bool {
        // Text against text under BINARY (the usual min()/max() of a text column) is a byte
        // comparison, as `compare_values` would make it, done here without the general path.
        if let (ValueRef::Text(text), Some(Value::Text(best)), Collation::Binary) =
            (v, &mut self.best, self.collation)
        {
            if text.cmp(best.as_slice()) != self.want {
                return true;
            }
            best.clear();
            best.extend_from_slice(text);
            return false;
        }
        if v.is_null() {
            return self.best.is_some();
        }
        match &mut self.best {
            None => self.best = Some(v.to_value()),
            Some(best) if compare_values(v, best.as_value_ref(), self.collation) != self.want => {
                return true
            }
            // The new extreme reuses the old one's buffer when both are text or blobs.
            Some(best) => best.set_from_ref(v),
        }
        false
    }
}

impl Aggregate for Extreme {
    fn step(&mut self, args: &[ValueRef<'_>]) -> Result<()> {
        self.consider(args[0]);
        Ok(())
    }

    fn step_or_skip(&mut self, args: &[ValueRef<'_>]) -> Result<bool> {
        Ok(self.consider(args[0]))
    }

    fn inverse(&mut self, _: &[ValueRef<'_>]) -> Result<()> {
        Err(Error::not_supported("min/max over a sliding window frame"))
    }

    fn value(&self) -> Result<Value> {
        Ok(self.best.clone().unwrap_or(Value::Null))
    }
}

/// `group_concat(x [, sep])` / `string_agg(x, sep)`: each non-NULL value, preceded (except the
/// first) by the separator given with it (`,` by default, NULL meaning none).
#[derive(Default)]
struct GroupConcat {
    text: Vec<u8>,
    /// The separator and value lengths of each piece, oldest first, for `inverse`.
    pieces: std::collections::VecDeque<(usize, usize)>,
}

impl Aggregate for GroupConcat {
    fn step(&mut self, args: &[ValueRef<'_>]) -> Result<()> {
        let Some(value) = to_text(args[0]) else {
            return Ok(());
        };
        let before = self.text.len();
        if !self.pieces.is_empty() {
            match args.get(1) {
                Some(&sep) => self
                    .text
                    .extend_from_slice(&to_text(sep).unwrap_or_default()),
                None => self.text.push(b','),
            }
        }
        let separator_len = self.text.len() - before;
        self.text.extend_from_slice(&value);
        if self.text.len() > super::printf::MAX_LENGTH {
            return Err(super::printf::too_big());
        }
        self.pieces.push_back((separator_len, value.len()));
        Ok(())
    }

    fn inverse(&mut self, args: &[ValueRef<'_>]) -> Result<()> {
        if args[0].is_null() {
            return Ok(());
        }
        // The oldest value leaves, and the separator that followed it becomes leading: it goes
        // too.
        let Some((_, value_len)) = self.pieces.pop_front() else {
            return Ok(());
        };
        let mut cut = value_len;
        if let Some(next) = self.pieces.front_mut() {
            cut += next.0;
            next.0 = 0;
        }
        self.text.drain(..cut.min(self.text.len()));
        Ok(())
    }

    fn value(&self) -> Result<Value> {
        Ok(if self.pieces.is_empty() {
            Value::Null
        } else {
            Value::Text(self.text.clone())
        })
    }
}

/// DISTINCT: forwards a row to the inner aggregate only if its first argument was not seen
/// before (equality as the aggregate's collation defines it; NULLs pass through to be skipped).
pub struct Distinct {
    inner: Box<dyn Aggregate>,
    collation: Collation,
    /// Seen values, sorted.
    seen: Vec<Value>,
}

impl Distinct {
    pub fn new(inner: Box<dyn Aggregate>, collation: Collation) -> Distinct {
        Distinct {
            inner,
            collation,
            seen: Vec::new(),
        }
    }
}

impl Aggregate for Distinct {
    fn step(&mut self, args: &[ValueRef<'_>]) -> Result<()> {
        if let Some(&v) = args.first().filter(|v| !v.is_null()) {
            let found = self
                .seen
                .binary_search_by(|s| compare_values(s.as_value_ref(), v, self.collation));
            match found {
                Ok(_) => return Ok(()),
                Err(at) => self.seen.insert(at, v.to_value()),
            }
        }
        self.inner.step(args)
    }

    fn inverse(&mut self, _: &[ValueRef<'_>]) -> Result<()> {
        Err(Error::not_supported(
            "DISTINCT aggregates over a window frame",
        ))
    }

    fn value(&self) -> Result<Value> {
        self.inner.value()
    }
}
