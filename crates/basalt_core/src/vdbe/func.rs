//! How the VM calls the built-in functions of `crate::sql::func` and `crate::sql::agg`: the
//! instruction operands naming a function, and the [`FunctionContext`] the VM gives a call.
//!
//! Invariants:
//! - Arity was checked when the call was compiled (`sql::func::lookup`), so a call never sees
//!   the wrong number of arguments.
//! - A function sees the connection's counters as of the start of the call, and draws its
//!   randomness from the connection's generator (one stream per connection, as SQLite's PRNG).
//! - `'now'` is read from the clock once per execution of a statement (SQLite's
//!   `iCurrentTime`), so every call in one statement sees the same moment.

use super::exec::ConnState;
use crate::record::Collation;
use crate::sql::agg::AggregateFunction;
use crate::sql::func::{FunctionContext, PureUse, ScalarFunction};

/// A scalar function as an instruction operand. Two operands are equal when they name the same
/// registry entry.
#[derive(Clone, Copy, Debug)]
pub struct Scalar(pub &'static ScalarFunction);

impl PartialEq for Scalar {
    fn eq(&self, other: &Scalar) -> bool {
        std::ptr::eq(self.0, other.0)
    }
}

/// An aggregate function as an instruction operand.
#[derive(Clone, Copy, Debug)]
pub struct Aggregate(pub &'static AggregateFunction);

impl PartialEq for Aggregate {
    fn eq(&self, other: &Aggregate) -> bool {
        std::ptr::eq(self.0, other.0)
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
