//! Window functions at run time: the buffer of one partition (`WindowOpen`, `WindowAdd`,
//! `WindowFlush`, `WindowNext`).
//!
//! The code generator feeds the rows of a query sorted by (PARTITION BY, ORDER BY) of one
//! window definition. `WindowAdd` buffers rows while they belong to the same partition; when a
//! row of a new partition arrives (or at `WindowFlush`), the buffered partition is computed:
//! every function's value for every row, appended to the row, and the rows move to the output
//! queue that `WindowNext` drains. So memory is bounded by one partition, never by the table.
//!
//! Invariants:
//! - Rows arrive sorted by the window's keys; peers (equal ORDER BY keys) are adjacent.
//! - An output row is its input row followed by one value per function, in `spec.funcs` order.
//! - Frames are computed per row as `[start, end)` over the partition, then EXCLUDE removes
//!   rows from them. Aggregates never do quadratic work on the common frames: frames that start
//!   at UNBOUNDED PRECEDING accumulate, sliding frames step new rows and `inverse` leaving ones
//!   when the function can undo a step (in SQLite's order, so reals round alike), min/max
//!   keep a queue of candidates; only EXCLUDE frames recompute each row's frame.
//! - Offsets are read once when the window opens and checked (SQLite's messages) when the first
//!   partition is computed, so an empty input never fails on them.

use super::func::Aggregate as AggOp;
use super::Reg;
use crate::error::{Error, ErrorCode, Result};
use crate::record::{compare_values, Collation, Value, ValueRef};
use crate::sql::arith::{add, subtract};
use crate::sql::compare::truth;
use crate::sql::convert::{text_as_number, to_i64, to_numeric, Numeric};
use std::cmp::Ordering;
use std::collections::VecDeque;
use std::rc::Rc;

/// One window definition and the functions computed over it.
#[derive(Debug, Clone, PartialEq)]
pub struct WindowSpec {
    /// Values per input row.
    pub width: usize,
    /// PARTITION BY: row columns and their collations.
    pub partition: Vec<(usize, Collation)>,
    /// ORDER BY of the window: defines peers, and RANGE offsets.
    pub order: Vec<OrderKey>,
    pub funcs: Vec<WindowFunc>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct OrderKey {
    pub column: usize,
    pub collation: Collation,
    pub desc: bool,
    pub nulls_first: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct WindowFunc {
    pub kind: FuncKind,
    /// Row columns holding the arguments.
    pub args: Vec<usize>,
    /// Row column holding the FILTER condition's value.
    pub filter: Option<usize>,
    pub frame: Frame,
}

#[derive(Debug, Clone, PartialEq)]
pub enum FuncKind {
    RowNumber,
    Rank,
    DenseRank,
    PercentRank,
    CumeDist,
    Ntile,
    Lag,
    Lead,
    FirstValue,
    LastValue,
    NthValue,
    Aggregate(AggOp, Collation),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Units {
    Rows,
    Range,
    Groups,
}

/// A frame boundary; offsets are in registers, read when the window opens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bound {
    UnboundedPreceding,
    Preceding(Reg),
    CurrentRow,
    Following(Reg),
    UnboundedFollowing,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exclude {
    NoOthers,
    CurrentRow,
    Group,
    Ties,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Frame {
    pub units: Units,
    pub start: Bound,
    pub end: Bound,
    pub exclude: Exclude,
}

/// A boundary with its offset's value.
#[derive(Debug, Clone)]
enum At {
    UnboundedPreceding,
    Preceding(Value),
    CurrentRow,
    Following(Value),
    UnboundedFollowing,
}

/// The run-time state of one window: the partition being filled and the rows ready to go.
#[derive(Debug)]
pub struct WindowBuffer {
    spec: Rc<WindowSpec>,
    /// Each function's (start, end) boundaries with offsets read.
    bounds: Vec<(At, At)>,
    rows: Vec<Vec<Value>>,
    out: VecDeque<Vec<Value>>,
}

fn read_bound(b: Bound, regs: &[Value]) -> At {
    let value = |r: Reg| regs.get(r).cloned().unwrap_or(Value::Null);
    match b {
        Bound::UnboundedPreceding => At::UnboundedPreceding,
        Bound::Preceding(r) => At::Preceding(value(r)),
        Bound::CurrentRow => At::CurrentRow,
        Bound::Following(r) => At::Following(value(r)),
        Bound::UnboundedFollowing => At::UnboundedFollowing,
    }
}

impl WindowBuffer {
    pub fn new(spec: Rc<WindowSpec>, regs: &[Value]) -> WindowBuffer {
        let bounds = spec
            .funcs
            .iter()
            .map(|f| {
                (
                    read_bound(f.frame.start, regs),
                    read_bound(f.frame.end, regs),
                )
            })
            .collect();
        WindowBuffer {
            spec,
            bounds,
            rows: Vec::new(),
            out: VecDeque::new(),
        }
    }

    pub fn width(&self) -> usize {
        self.spec.width
    }

    /// Adds a row; computes the buffered partition first if the row starts a new one.
    pub fn add(&mut self, row: Vec<Value>) -> Result<()> {
        debug_assert_eq!(row.len(), self.spec.width);
        if let Some(last) = self.rows.last() {
            let same = self.spec.partition.iter().all(|&(c, coll)| {
                compare_values(last[c].as_value_ref(), row[c].as_value_ref(), coll)
                    == Ordering::Equal
            });
            if !same {
                self.flush()?;
            }
        }
        self.rows.push(row);
        Ok(())
    }

    /// Computes the buffered partition into the output queue.
    pub fn flush(&mut self) -> Result<()> {
        let rows = std::mem::take(&mut self.rows);
        if rows.is_empty() {
            return Ok(());
        }
        let part = Partition::new(&self.spec, &rows);
        let mut columns = Vec::with_capacity(self.spec.funcs.len());
        for (f, bounds) in self.spec.funcs.iter().zip(&self.bounds) {
            columns.push(part.function(f, bounds)?);
        }
        for (i, mut row) in rows.into_iter().enumerate() {
            for col in &mut columns {
                row.push(std::mem::replace(&mut col[i], Value::Null));
            }
            self.out.push_back(row);
        }
        Ok(())
    }

    /// The next computed row.
    pub fn next_row(&mut self) -> Option<Vec<Value>> {
        self.out.pop_front()
    }
}

/// One partition's rows and its peer groups.
struct Partition<'a> {
    spec: &'a WindowSpec,
    rows: &'a [Vec<Value>],
    /// The peer group of each row.
    group_of: Vec<usize>,
    /// Each peer group's `[start, end)`.
    groups: Vec<(usize, usize)>,
}

/// The ordering of the window's first ORDER BY term, NULLs placed as sorted.
fn compare_key(k: &OrderKey, a: ValueRef<'_>, b: ValueRef<'_>) -> Ordering {
    let o = match (a.is_null(), b.is_null()) {
        (true, true) => return Ordering::Equal,
        (true, false) => {
            return if k.nulls_first {
                Ordering::Less
            } else {
                Ordering::Greater
            }
        }
        (false, true) => {
            return if k.nulls_first {
                Ordering::Greater
            } else {
                Ordering::Less
            }
        }
        (false, false) => compare_values(a, b, k.collation),
    };
    if k.desc {
        o.reverse()
    } else {
        o
    }
}

fn sql_error(message: impl Into<String>) -> Error {
    Error::new(ErrorCode::Error, message)
}

/// The first index in `[lo, hi)` where `pred` turns false (`pred` holds on a prefix).
fn first_false(lo: usize, hi: usize, pred: impl Fn(usize) -> bool) -> usize {
    let (mut lo, mut hi) = (lo, hi);
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        if pred(mid) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    lo
}

fn offset_error(start: bool, what: &str) -> Error {
    let which = if start { "starting" } else { "ending" };
    sql_error(format!(
        "frame {which} offset must be a non-negative {what}"
    ))
}

/// The integer a value is, as an integer affinity reads it: an integer, an integral real, or
/// text that is one of those.
fn integral(v: ValueRef<'_>) -> Option<i64> {
    let n = match v {
        ValueRef::Integer(i) => Numeric::Integer(i),
        ValueRef::Real(r) => Numeric::Real(r),
        ValueRef::Text(t) => text_as_number(t)?,
        _ => return None,
    };
    match n {
        Numeric::Integer(i) => Some(i),
        Numeric::Real(r) if r.fract() == 0.0 && r.abs() < 9.2e18 => Some(r as i64),
        Numeric::Real(_) => None,
    }
}

/// A ROWS/GROUPS offset: a non-negative integer (an integral real or numeric text will do).
fn int_offset(v: &Value, start: bool) -> Result<i64> {
    match integral(v.as_value_ref()) {
        Some(n) if n >= 0 => Ok(n),
        _ => Err(offset_error(start, "integer")),
    }
}

/// A RANGE offset: a non-negative number.
fn num_offset(v: &Value, start: bool) -> Result<Value> {
    let n = match v {
        Value::Integer(i) => Some(Numeric::Integer(*i)),
        Value::Real(r) => Some(Numeric::Real(*r)),
        Value::Text(t) => text_as_number(t),
        _ => None,
    };
    match n {
        Some(Numeric::Integer(i)) if i >= 0 => Ok(Value::Integer(i)),
        Some(Numeric::Real(r)) if r >= 0.0 => Ok(Value::Real(r)),
        _ => Err(offset_error(start, "number")),
    }
}

impl<'a> Partition<'a> {
    fn new(spec: &'a WindowSpec, rows: &'a [Vec<Value>]) -> Partition<'a> {
        let mut group_of = Vec::with_capacity(rows.len());
        let mut groups: Vec<(usize, usize)> = Vec::new();
        for (i, row) in rows.iter().enumerate() {
            let peer = i > 0
                && spec.order.iter().all(|k| {
                    compare_values(
                        rows[i - 1][k.column].as_value_ref(),
                        row[k.column].as_value_ref(),
                        k.collation,
                    ) == Ordering::Equal
                });
            match groups.last_mut() {
                Some(g) if peer => g.1 = i + 1,
                _ => groups.push((i, i + 1)),
            }
            group_of.push(groups.len() - 1);
        }
        Partition {
            spec,
            rows,
            group_of,
            groups,
        }
    }

    fn len(&self) -> usize {
        self.rows.len()
    }

    fn function(&self, f: &WindowFunc, bounds: &(At, At)) -> Result<Vec<Value>> {
        let n = self.len();
        let arg = |i: usize, a: usize| -> ValueRef<'_> {
            f.args
                .get(a)
                .map_or(ValueRef::Null, |&c| self.rows[i][c].as_value_ref())
        };
        Ok(match &f.kind {
            FuncKind::RowNumber => (0..n).map(|i| Value::Integer(i as i64 + 1)).collect(),
            FuncKind::Rank => (0..n)
                .map(|i| Value::Integer(self.groups[self.group_of[i]].0 as i64 + 1))
                .collect(),
            FuncKind::DenseRank => (0..n)
                .map(|i| Value::Integer(self.group_of[i] as i64 + 1))
                .collect(),
            FuncKind::PercentRank => (0..n)
                .map(|i| {
                    let rank = self.groups[self.group_of[i]].0 as f64;
                    Value::Real(if n > 1 { rank / (n - 1) as f64 } else { 0.0 })
                })
                .collect(),
            FuncKind::CumeDist => (0..n)
                .map(|i| Value::Real(self.groups[self.group_of[i]].1 as f64 / n as f64))
                .collect(),
            FuncKind::Ntile => ntile(n, to_i64(arg(0, 0)))?,
            FuncKind::Lag | FuncKind::Lead => {
                let lead = matches!(f.kind, FuncKind::Lead);
                (0..n)
                    .map(|i| {
                        let off = if f.args.len() > 1 {
                            // As arithmetic reads it: text by its numeric prefix.
                            match to_numeric(arg(i, 1)) {
                                Some(Numeric::Integer(k)) => Some(k),
                                Some(Numeric::Real(r)) if r.fract() == 0.0 && r.abs() < 9.2e18 => {
                                    Some(r as i64)
                                }
                                _ => None,
                            }
                        } else {
                            Some(1)
                        };
                        let at = off.and_then(|k| {
                            let k = if lead { k } else { k.checked_neg()? };
                            let j = (i as i64).checked_add(k)?;
                            usize::try_from(j).ok().filter(|&j| j < n)
                        });
                        match at {
                            Some(j) => arg(j, 0).to_value(),
                            None => arg(i, 2).to_value(),
                        }
                    })
                    .collect()
            }
            FuncKind::FirstValue | FuncKind::LastValue | FuncKind::NthValue => {
                let frames = self.frames(f, bounds)?;
                let mut out = Vec::with_capacity(n);
                for (i, &(s, e)) in frames.iter().enumerate() {
                    let nth = match f.kind {
                        FuncKind::NthValue => nth_arg(arg(i, 1))?,
                        _ => 1,
                    };
                    let mut members = (s..e).filter(|&j| !self.excluded(f.frame.exclude, i, j));
                    let pick = match f.kind {
                        FuncKind::LastValue => members.next_back(),
                        _ => members.nth(nth - 1),
                    };
                    out.push(pick.map_or(Value::Null, |j| arg(j, 0).to_value()));
                }
                out
            }
            FuncKind::Aggregate(agg, collation) => {
                let frames = self.frames(f, bounds)?;
                self.aggregate(f, agg, *collation, &frames)?
            }
        })
    }

    /// min/max over sliding frames (starts and ends never move back): a queue of the rows
    /// that can still be the extreme, best first, so each row enters and leaves it once. On
    /// ties the earliest row wins, as when the frame is stepped in order.
    fn sliding_extreme(
        &self,
        f: &WindowFunc,
        want: Ordering,
        collation: Collation,
        frames: &[(usize, usize)],
    ) -> Vec<Value> {
        let value = |j: usize| {
            f.args
                .first()
                .map_or(ValueRef::Null, |&c| self.rows[j][c].as_value_ref())
        };
        let counts = |j: usize| {
            !value(j).is_null()
                && f.filter
                    .is_none_or(|c| truth(self.rows[j][c].as_value_ref()).unwrap_or(false))
        };
        let mut queue: VecDeque<usize> = VecDeque::new();
        let mut next = 0;
        let mut out = Vec::with_capacity(frames.len());
        for &(s, e) in frames {
            while next < e {
                if counts(next) {
                    while queue
                        .back()
                        .is_some_and(|&b| compare_values(value(next), value(b), collation) == want)
                    {
                        queue.pop_back();
                    }
                    queue.push_back(next);
                }
                next += 1;
            }
            while queue.front().is_some_and(|&j| j < s) {
                queue.pop_front();
            }
            out.push(queue.front().map_or(Value::Null, |&j| value(j).to_value()));
        }
        out
    }

    /// Whether row `j` is left out of row `i`'s frame by EXCLUDE.
    fn excluded(&self, exclude: Exclude, i: usize, j: usize) -> bool {
        match exclude {
            Exclude::NoOthers => false,
            Exclude::CurrentRow => i == j,
            Exclude::Group => self.group_of[i] == self.group_of[j],
            Exclude::Ties => i != j && self.group_of[i] == self.group_of[j],
        }
    }

    /// Each row's frame `[start, end)` before EXCLUDE (empty when start >= end).
    fn frames(&self, f: &WindowFunc, bounds: &(At, At)) -> Result<Vec<(usize, usize)>> {
        let n = self.len();
        let (start, end) = bounds;
        let units = f.frame.units;
        let start = self.resolve(units, start, true)?;
        let end = self.resolve(units, end, false)?;
        let mut out = Vec::with_capacity(n);
        for i in 0..n {
            let s = self.position(units, &start, i, true);
            let e = self.position(units, &end, i, false);
            out.push((s, e.max(s)));
        }
        Ok(out)
    }

    /// A boundary with its offset checked and converted for the frame's units.
    fn resolve(&self, units: Units, at: &At, start: bool) -> Result<Resolved> {
        let offset = |v: &Value| -> Result<Offset> {
            Ok(match units {
                Units::Range => Offset::Value(num_offset(v, start)?),
                Units::Rows | Units::Groups => Offset::Count(int_offset(v, start)?),
            })
        };
        Ok(match at {
            At::UnboundedPreceding => Resolved::First,
            At::UnboundedFollowing => Resolved::Last,
            At::CurrentRow => Resolved::Current,
            At::Preceding(v) => Resolved::Offset(offset(v)?, false),
            At::Following(v) => Resolved::Offset(offset(v)?, true),
        })
    }

    /// Where a boundary falls for row `i`: the first row of the frame (`start`), or one past
    /// its last.
    fn position(&self, units: Units, at: &Resolved, i: usize, start: bool) -> usize {
        let n = self.len();
        let g = self.group_of[i];
        let (gs, ge) = self.groups[g];
        match at {
            Resolved::First => 0,
            Resolved::Last => n,
            Resolved::Current => match (units, start) {
                (Units::Rows, true) => i,
                (Units::Rows, false) => i + 1,
                (_, true) => gs,
                (_, false) => ge,
            },
            Resolved::Offset(off, following) => match (units, off) {
                (Units::Rows, Offset::Count(k)) => {
                    let k = usize::try_from(*k).unwrap_or(usize::MAX);
                    let row = if *following {
                        i.saturating_add(k)
                    } else {
                        match i.checked_sub(k) {
                            Some(r) => r,
                            // Before the partition: an end there leaves the frame empty.
                            None => return 0,
                        }
                    };
                    if start {
                        row.min(n)
                    } else {
                        row.saturating_add(1).min(n)
                    }
                }
                (Units::Groups, Offset::Count(k)) => {
                    let k = usize::try_from(*k).unwrap_or(usize::MAX);
                    let target = if *following {
                        g.saturating_add(k)
                    } else {
                        match g.checked_sub(k) {
                            Some(t) => t,
                            None => return 0,
                        }
                    };
                    match self.groups.get(target) {
                        Some(&(s, e)) => {
                            if start {
                                s
                            } else {
                                e
                            }
                        }
                        None => n,
                    }
                }
                (_, Offset::Value(v)) => self.range_position(v, *following, i, start),
                // A resolved offset is a count for ROWS/GROUPS and a value for RANGE.
                _ => n,
            },
        }
    }

    /// RANGE `v PRECEDING/FOLLOWING` for row `i`: the rows whose key is within `v` of the
    /// current row's, in the sort's direction. A NULL key's frame is its peers; a text or blob
    /// key is not offset.
    fn range_position(&self, v: &Value, following: bool, i: usize, start: bool) -> usize {
        let Some(key) = self.spec.order.first() else {
            return if start { 0 } else { self.len() };
        };
        let cur = self.rows[i][key.column].as_value_ref();
        let up = following != key.desc;
        let bound = match cur {
            ValueRef::Integer(_) | ValueRef::Real(_) => {
                if up {
                    add(cur, v.as_value_ref())
                } else {
                    subtract(cur, v.as_value_ref())
                }
            }
            other => other.to_value(),
        };
        let bound = bound.as_value_ref();
        let value = |j: usize| self.rows[j][key.column].as_value_ref();
        let (s, e) = self.groups[self.group_of[i]];
        // A PRECEDING bound sorts at or before the current row, a FOLLOWING one at or after.
        let n = self.len();
        let below = |j: usize| compare_key(key, value(j), bound) == Ordering::Less;
        let not_above = |j: usize| compare_key(key, value(j), bound) != Ordering::Greater;
        match (start, following) {
            (true, true) => first_false(s, n, below),
            (true, false) => first_false(0, s, below),
            (false, true) => first_false(e, n, not_above),
            (false, false) => first_false(0, e, not_above),
        }
    }

    /// An aggregate over each row's frame.
    fn aggregate(
        &self,
        f: &WindowFunc,
        agg: &AggOp,
        collation: Collation,
        frames: &[(usize, usize)],
    ) -> Result<Vec<Value>> {
        let args = |j: usize| -> Vec<ValueRef<'_>> {
            f.args
                .iter()
                .map(|&c| self.rows[j][c].as_value_ref())
                .collect()
        };
        let counts = |j: usize| {
            f.filter
                .is_none_or(|c| truth(self.rows[j][c].as_value_ref()).unwrap_or(false))
        };
        let mut out = Vec::with_capacity(frames.len());
        let exclude = f.frame.exclude;
        let from_first = matches!(f.frame.start, Bound::UnboundedPreceding);
        let monotonic = frames
            .windows(2)
            .all(|w| w[0].0 <= w[1].0 && w[0].1 <= w[1].1);
        let extreme = match agg.builtin_name() {
            Some("max") => Some(Ordering::Greater),
            Some("min") => Some(Ordering::Less),
            _ => None,
        };
        if let (Some(want), Exclude::NoOthers, false, true) =
            (extreme, exclude, from_first, monotonic)
        {
            return Ok(self.sliding_extreme(f, want, collation, frames));
        }
        if exclude == Exclude::NoOthers && (from_first || agg.has_inverse()) {
            // SQLite removes the rows leaving a frame before it adds the ones entering it,
            // except for RANGE frames starting FOLLOWING or between two PRECEDING bounds;
            // with reals the order changes the rounding, so it is kept.
            let remove_first = !(f.frame.units == Units::Range
                && matches!(
                    (f.frame.start, f.frame.end),
                    (Bound::Following(_), _) | (Bound::Preceding(_), Bound::Preceding(_))
                ));
            let mut window = Sliding {
                state: agg.new_state(collation),
                from: 0,
                to: 0,
            };
            for &(s, e) in frames {
                // Rows are stepped in order and undone in order, never skipped: a frame
                // starting beyond the rows stepped so far first steps its own.
                if remove_first && s <= window.to {
                    window.remove_until(s, &counts, &args)?;
                    window.add_until(e, &counts, &args)?;
                } else {
                    window.add_until(e, &counts, &args)?;
                    window.remove_until(s, &counts, &args)?;
                }
                out.push(window.state.value()?);
            }
            return Ok(out);
        }
        for (i, &(s, e)) in frames.iter().enumerate() {
            let mut state = agg.new_state(collation);
            for j in s..e {
                if counts(j) && !self.excluded(exclude, i, j) {
                    state.step(&args(j))?;
                }
            }
            out.push(state.value()?);
        }
        Ok(out)
    }
}

/// An aggregate over the sliding range `[from, to)` of a partition's rows.
struct Sliding {
    state: Box<dyn crate::sql::agg::Aggregate>,
    from: usize,
    to: usize,
}

impl Sliding {
    /// Steps the rows up to `end` (those the FILTER keeps) into the state; rows already
    /// passed by the start (an empty frame, start beyond end) are not stepped.
    fn add_until<'r>(
        &mut self,
        end: usize,
        counts: &impl Fn(usize) -> bool,
        args: &impl Fn(usize) -> Vec<ValueRef<'r>>,
    ) -> Result<()> {
        self.to = self.to.max(self.from);
        while self.to < end {
            if counts(self.to) {
                self.state.step(&args(self.to))?;
            }
            self.to += 1;
        }
        Ok(())
    }

    /// Undoes the rows before `start` that were stepped.
    fn remove_until<'r>(
        &mut self,
        start: usize,
        counts: &impl Fn(usize) -> bool,
        args: &impl Fn(usize) -> Vec<ValueRef<'r>>,
    ) -> Result<()> {
        while self.from < start {
            if self.from < self.to && counts(self.from) {
                self.state.inverse(&args(self.from))?;
            }
            self.from += 1;
        }
        Ok(())
    }
}

/// A boundary ready to place: offsets checked.
enum Resolved {
    First,
    Last,
    Current,
    /// The offset and whether it is FOLLOWING.
    Offset(Offset, bool),
}

enum Offset {
    /// A ROWS/GROUPS offset.
    Count(i64),
    /// A RANGE offset.
    Value(Value),
}

/// `nth_value`'s N: a positive integer (numeric text and integral reals will do).
fn nth_arg(v: ValueRef<'_>) -> Result<usize> {
    match integral(v).and_then(|n| usize::try_from(n).ok()) {
        Some(n) if n > 0 => Ok(n),
        _ => Err(sql_error(
            "second argument to nth_value must be a positive integer",
        )),
    }
}

/// `ntile(buckets)` for a partition of `n` rows: the first `n % buckets` buckets hold one row
/// more than the others.
fn ntile(n: usize, buckets: i64) -> Result<Vec<Value>> {
    let buckets = usize::try_from(buckets)
        .ok()
        .filter(|&b| b > 0)
        .ok_or_else(|| sql_error("argument of ntile must be a positive integer"))?;
    let size = n / buckets;
    let large = n % buckets;
    let big_rows = large * (size + 1);
    Ok((0..n)
        .map(|i| {
            let bucket = if i < big_rows {
                i / (size + 1)
            } else {
                large + (i - big_rows) / size.max(1)
            };
            Value::Integer(bucket as i64 + 1)
        })
        .collect())
}
