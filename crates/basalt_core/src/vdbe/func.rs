//! How the VM calls the built-in functions of `crate::sql::func` and `crate::sql::agg`: the
//! instruction operands naming a function, and the [`FunctionContext`] the VM gives a call.
//!
//! Invariants:
//! - Arity was checked when the call was compiled (`sql::func::lookup`), so a call never sees
//!   the wrong number of arguments.
//! - An application's function is held by the operand that calls it, so a program keeps
//!   calling the definition it was compiled with.
//! - A function sees the connection's counters as of the start of the call, and draws its
//!   randomness from the connection's generator (one stream per connection, as SQLite's PRNG).
//! - `'now'` is read from the clock once per execution of a statement (SQLite's
//!   `iCurrentTime`), so every call in one statement sees the same moment.

use super::exec::ConnState;
use crate::error::{Error, ErrorCode, Result};
use crate::functions::{FunctionKind, UserFunction};
use crate::record::Collation;
use crate::record::{Value, ValueRef};
use crate::sql::agg::AggregateFunction;
use crate::sql::func::{FunctionContext, PureUse, ScalarFunction};
use std::rc::Rc;

/// A scalar function as an instruction operand: a built-in, or an application's definition
/// (held, so that redefining the name later cannot change what this program calls). Two
/// operands are equal when they name the same definition.
#[derive(Clone, Debug)]
pub enum Scalar {
    Builtin(&'static ScalarFunction),
    User(Rc<UserFunction>),
}

impl Scalar {
    pub fn name(&self) -> &str {
        match self {
            Scalar::Builtin(f) => f.name,
            Scalar::User(f) => &f.name,
        }
    }

    /// Whether the same arguments always give the same result (SQLite allows no other in an
    /// index or a CHECK).
    pub fn is_deterministic(&self) -> bool {
        match self {
            Scalar::Builtin(f) => f.deterministic,
            Scalar::User(f) => f.flags.deterministic,
        }
    }

    /// The built-in's name; `None` for an application's function (even one named like a
    /// built-in, which it then hides).
    pub fn builtin_name(&self) -> Option<&'static str> {
        match self {
            Scalar::Builtin(f) => Some(f.name),
            Scalar::User(_) => None,
        }
    }
}

impl PartialEq for Scalar {
    fn eq(&self, other: &Scalar) -> bool {
        match (self, other) {
            (Scalar::Builtin(a), Scalar::Builtin(b)) => std::ptr::eq(*a, *b),
            (Scalar::User(a), Scalar::User(b)) => Rc::ptr_eq(a, b),
            _ => false,
        }
    }
}

/// An aggregate function as an instruction operand.
#[derive(Clone, Debug)]
pub enum Aggregate {
    Builtin(&'static AggregateFunction),
    User(Rc<UserFunction>),
}

impl Aggregate {
    pub fn name(&self) -> &str {
        match self {
            Aggregate::Builtin(f) => f.name,
            Aggregate::User(f) => &f.name,
        }
    }

    pub fn builtin_name(&self) -> Option<&'static str> {
        match self {
            Aggregate::Builtin(f) => Some(f.name),
            Aggregate::User(_) => None,
        }
    }

    /// Whether a call with `n` arguments is valid (an application's aggregate was looked up
    /// by its argument count already).
    pub fn accepts(&self, n: usize) -> bool {
        match self {
            Aggregate::Builtin(f) => f.arity.accepts(n),
            Aggregate::User(_) => true,
        }
    }

    /// Whether its states can undo a step (`inverse`), so a sliding window frame need not be
    /// recomputed for every row.
    pub fn has_inverse(&self) -> bool {
        match self {
            Aggregate::Builtin(f) => !matches!(f.name, "min" | "max"),
            Aggregate::User(f) => matches!(f.kind, FunctionKind::Window(_)),
        }
    }

    /// Whether it may be called with OVER (an application's plain aggregate has no `xValue`).
    pub fn is_window_capable(&self) -> bool {
        match self {
            Aggregate::Builtin(_) => true,
            Aggregate::User(f) => matches!(f.kind, FunctionKind::Window(_)),
        }
    }

    /// A fresh state for one group; `collation` is the argument's (min/max use it).
    pub fn new_state(&self, collation: Collation) -> Box<dyn crate::sql::agg::Aggregate> {
        match self {
            Aggregate::Builtin(f) => (f.new)(collation),
            Aggregate::User(f) => match &f.kind {
                FunctionKind::Aggregate(new) | FunctionKind::Window(new) => new(),
                // The code generator makes `Aggregate::User` of aggregates only.
                FunctionKind::Scalar(_) | FunctionKind::Removed => Box::new(NotAggregate),
            },
        }
    }
}

/// The state of an `Aggregate::User` that names a scalar function: unreachable by
/// construction, an internal error rather than a panic if reached.
struct NotAggregate;

impl crate::sql::agg::Aggregate for NotAggregate {
    fn step(&mut self, _: &[ValueRef<'_>]) -> Result<()> {
        Err(not_aggregate())
    }

    fn inverse(&mut self, _: &[ValueRef<'_>]) -> Result<()> {
        Err(not_aggregate())
    }

    fn value(&self) -> Result<Value> {
        Err(not_aggregate())
    }
}

fn not_aggregate() -> Error {
    Error::new(
        ErrorCode::Internal,
        "a scalar function called as an aggregate",
    )
}

impl PartialEq for Aggregate {
    fn eq(&self, other: &Aggregate) -> bool {
        match (self, other) {
            (Aggregate::Builtin(a), Aggregate::Builtin(b)) => std::ptr::eq(*a, *b),
            (Aggregate::User(a), Aggregate::User(b)) => Rc::ptr_eq(a, b),
            _ => false,
        }
    }
}

/// The connection as one function call sees it.
pub struct CallContext<'a> {
    pub conn: &'a mut ConnState,
    /// The collation the code generator resolved for the call's arguments.
    pub collation: Collation,
    /// The statement execution's `'now'`, once read.
    pub now_ms: &'a mut Option<i64>,
    /// Set when the call is in a CHECK constraint or an index.
    pub pure: Option<PureUse>,
}

impl FunctionContext for CallContext<'_> {
    fn changes(&self) -> i64 {
        self.conn.changes
    }

    fn total_changes(&self) -> i64 {
        self.conn.total_changes
    }

    fn last_insert_rowid(&self) -> i64 {
        self.conn.last_insert_rowid
    }

    fn random_bytes(&mut self, buf: &mut [u8]) {
        self.conn.random.fill(buf);
    }

    fn case_sensitive_like(&self) -> bool {
        self.conn.case_sensitive_like
    }

    fn collation(&self) -> Collation {
        self.collation
    }

    fn pure_use(&self) -> Option<PureUse> {
        self.pure
    }

    fn now_ms(&mut self) -> Option<i64> {
        if self.now_ms.is_none() {
            *self.now_ms = crate::sql::func::clock_now_ms();
        }
        *self.now_ms
    }
}

/// The connection's pseudo-random generator (splitmix64). Seeded from the process's hash
/// randomness so that two connections do not repeat each other; `random()` needs no
/// cryptographic strength (SQLite's own is a plain stream cipher seeded once).
#[derive(Debug, Clone)]
pub struct Random {
    state: u64,
}

impl Default for Random {
    fn default() -> Random {
        use std::hash::{BuildHasher, Hasher};
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write_u64(0x5eed);
        Random { state: h.finish() }
    }
}

impl Random {
    fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    pub fn fill(&mut self, buf: &mut [u8]) {
        for chunk in buf.chunks_mut(8) {
            let bytes = self.next_u64().to_le_bytes();
            chunk.copy_from_slice(&bytes[..chunk.len()]);
        }
    }
}
