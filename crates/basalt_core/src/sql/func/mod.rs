//! The built-in scalar functions (lang_corefunc.html) and their registry.
//!
//! Invariants:
//! - Functions never panic on their inputs and pass invalid UTF-8 through unchanged.
//! - Arity is checked at lookup ([`lookup`]), with SQLite's messages, so implementations index
//!   their arguments freely within the declared arity.
//! - What a function needs from the connection (row counts, randomness, the collation of its
//!   arguments, `case_sensitive_like`) comes through [`FunctionContext`], which the VM implements.
//! - The math functions (`sqrt`, `pi`, …) are absent: the SQLite that Basalt matches is built
//!   without them (`SELECT sqrt(4)` is "no such function: sqrt").

mod num;
mod text;

use super::agg::{AggregateFunction, AGGREGATES};
use super::datetime::DATETIME_FUNCTIONS;
use crate::error::{Error, Result};
use crate::record::{Collation, Value, ValueRef};

/// The connection state a function may consult.
pub trait FunctionContext {
    /// `changes()`: rows changed by the most recent INSERT, UPDATE or DELETE.
    fn changes(&self) -> i64 {
        0
    }
    /// `total_changes()`: rows changed since the connection opened.
    fn total_changes(&self) -> i64 {
        0
    }
    /// `last_insert_rowid()`.
    fn last_insert_rowid(&self) -> i64 {
        0
    }
    /// Fills `buf` with pseudo-random bytes (`random()`, `randomblob()`).
    fn random_bytes(&mut self, buf: &mut [u8]);
    /// `PRAGMA case_sensitive_like`.
    fn case_sensitive_like(&self) -> bool {
        false
    }
    /// The collation of the call's arguments (`min('a' COLLATE NOCASE, 'B')`), as the planner
    /// resolved it.
    fn collation(&self) -> Collation {
        Collation::Binary
    }
    /// The current time as a julian day in milliseconds (`'now'`). The VM gives the same value
    /// to every call of one execution of a statement; this default reads the clock each time.
    fn now_ms(&mut self) -> Option<i64> {
        clock_now_ms()
    }
    /// Whether the call is in a CHECK constraint or an index, where it must be pure.
    fn pure_use(&self) -> Option<PureUse> {
        None
    }
}

/// The system clock as a julian day in milliseconds (`None` before 1970).
pub fn clock_now_ms() -> Option<i64> {
    let since_epoch = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?;
    i64::try_from(since_epoch.as_millis())
        .ok()
        .map(|ms| ms + 210_866_760_000_000)
}

/// Where a call sits when SQLite requires it to be pure: there a date and time function may
/// not read the clock or the time zone (`'now'`, `localtime`, `utc`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PureUse {
    Check,
    IndexExpression,
    PartialIndex,
}

impl PureUse {
    /// How SQLite's run-time message names the place.
    pub fn describe(self) -> &'static str {
        match self {
            PureUse::Check => "a CHECK constraint",
            PureUse::IndexExpression | PureUse::PartialIndex => "an index",
        }
    }

    /// Where SQLite refuses non-deterministic functions at prepare time (`None`: allowed, as
    /// in a CHECK constraint).
    pub fn prohibits_volatile(self) -> Option<&'static str> {
        match self {
            PureUse::Check => None,
            PureUse::IndexExpression => Some("index expressions"),
            PureUse::PartialIndex => Some("partial index WHERE clauses"),
        }
    }
}

/// The SQLite version Basalt is compatible with (`sqlite_version()`).
pub const SQLITE_VERSION: &str = "3.54.1";

/// How many arguments a function takes: `min..=max`, `max` being `None` for "any number".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Arity {
    pub min: u8,
    pub max: Option<u8>,
}

impl Arity {
    pub const fn exactly(n: u8) -> Arity {
        Arity {
            min: n,
            max: Some(n),
        }
    }

    pub const fn between(min: u8, max: u8) -> Arity {
        Arity {
            min,
            max: Some(max),
        }
    }

    pub const fn at_least(min: u8) -> Arity {
        Arity { min, max: None }
    }

    pub fn accepts(self, n: usize) -> bool {
        n >= usize::from(self.min) && self.max.is_none_or(|max| n <= usize::from(max))
    }
}

/// A scalar function's implementation.
pub type ScalarImpl = fn(&mut dyn FunctionContext, &[ValueRef<'_>]) -> Result<Value>;

/// A built-in scalar function.
#[derive(Clone, Copy)]
pub struct ScalarFunction {
    /// Lower-case name.
    pub name: &'static str,
    pub arity: Arity,
    /// Same arguments, same result (and no side effects): may be evaluated once per statement.
    pub deterministic: bool,
    pub call: ScalarImpl,
}

impl std::fmt::Debug for ScalarFunction {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ScalarFunction({})", self.name)
    }
}

/// What a name resolves to.
#[derive(Debug, Clone, Copy)]
pub enum Function {
    Scalar(&'static ScalarFunction),
    Aggregate(&'static AggregateFunction),
}

/// Every built-in scalar function but the date and time ones ([`DATETIME_FUNCTIONS`]).
pub static SCALARS: &[ScalarFunction] = &[
    f("abs", Arity::exactly(1), num::abs),
    f("changes", Arity::exactly(0), num::changes).volatile(),
    f("char", Arity::at_least(0), text::char_fn),
    f("coalesce", Arity::at_least(2), num::coalesce),
    f("concat", Arity::at_least(1), text::concat),
    f("concat_ws", Arity::at_least(2), text::concat_ws),
    f("format", Arity::at_least(0), text::format),
    f("glob", Arity::exactly(2), text::glob),
    f("hex", Arity::exactly(1), text::hex),
    f("if", Arity::at_least(2), num::iif),
    f("ifnull", Arity::exactly(2), num::coalesce),
    f("iif", Arity::at_least(2), num::iif),
    f("instr", Arity::exactly(2), text::instr),
    f(
        "last_insert_rowid",
        Arity::exactly(0),
        num::last_insert_rowid,
    )
    .volatile(),
    f("length", Arity::exactly(1), text::length),
    f("like", Arity::between(2, 3), text::like),
    f("likelihood", Arity::exactly(2), num::likelihood),
    f("likely", Arity::exactly(1), num::identity),
    f("lower", Arity::exactly(1), text::lower),
    f("ltrim", Arity::between(1, 2), text::ltrim),
    f("max", Arity::at_least(2), num::max),
    f("min", Arity::at_least(2), num::min),
    f("nullif", Arity::exactly(2), num::nullif),
    f("octet_length", Arity::exactly(1), text::octet_length),
    f("printf", Arity::at_least(0), text::format),
    f("quote", Arity::exactly(1), text::quote),
    f("random", Arity::exactly(0), num::random).volatile(),
    f("randomblob", Arity::exactly(1), num::randomblob).volatile(),
    f("replace", Arity::exactly(3), text::replace),
    f("round", Arity::between(1, 2), num::round),
    f("rtrim", Arity::between(1, 2), text::rtrim),
    f("sign", Arity::exactly(1), num::sign),
    f("soundex", Arity::exactly(1), text::soundex),
    f("sqlite_version", Arity::exactly(0), num::sqlite_version),
    f("substr", Arity::between(2, 3), text::substr),
    f("substring", Arity::between(2, 3), text::substr),
    f("total_changes", Arity::exactly(0), num::total_changes).volatile(),
    f("trim", Arity::between(1, 2), text::trim),
    f("typeof", Arity::exactly(1), num::type_of),
    f("unhex", Arity::between(1, 2), text::unhex),
    f("unicode", Arity::exactly(1), text::unicode),
    f("unlikely", Arity::exactly(1), num::identity),
    f("upper", Arity::exactly(1), text::upper),
    f("zeroblob", Arity::exactly(1), num::zeroblob),
];

const fn f(name: &'static str, arity: Arity, call: ScalarImpl) -> ScalarFunction {
    ScalarFunction {
        name,
        arity,
        deterministic: true,
        call,
    }
}

impl ScalarFunction {
    pub(crate) const fn volatile(self) -> ScalarFunction {
        ScalarFunction {
            deterministic: false,
            ..self
        }
    }
}

/// Resolves a call of `name` with `n_args` arguments, case-insensitively. An aggregate wins
/// when its arity fits (`max(x)`), a scalar otherwise (`max(x, y)`). `name` is echoed in errors
/// as written, as SQLite does.
pub fn lookup(name: &str, n_args: usize) -> Result<Function> {
    let aggregate = AGGREGATES
        .iter()
        .find(|a| a.name.eq_ignore_ascii_case(name));
    let scalar = SCALARS
        .iter()
        .chain(DATETIME_FUNCTIONS)
        .find(|s| s.name.eq_ignore_ascii_case(name));
    match (aggregate, scalar) {
        (Some(a), _) if a.arity.accepts(n_args) => Ok(Function::Aggregate(a)),
        (_, Some(s)) if s.arity.accepts(n_args) => Ok(Function::Scalar(s)),
        (None, None) => Err(Error::new(
            crate::ErrorCode::Error,
            format!("no such function: {name}"),
        )),
        _ => Err(wrong_arguments(name)),
    }
}

/// Whether `name` is a built-in function (scalar or aggregate), whatever its arity.
pub fn is_builtin(name: &str) -> bool {
    SCALARS.iter().any(|s| s.name.eq_ignore_ascii_case(name))
        || AGGREGATES.iter().any(|a| a.name.eq_ignore_ascii_case(name))
}

/// "wrong number of arguments to function foo()".
pub fn wrong_arguments(name: &str) -> Error {
    Error::new(
        crate::ErrorCode::Error,
        format!("wrong number of arguments to function {name}()"),
    )
}

/// Calls a scalar function by name: lookup, arity check and call in one (tests, constant
/// folding).
pub fn call_scalar(
    ctx: &mut dyn FunctionContext,
    name: &str,
    args: &[ValueRef<'_>],
) -> Result<Value> {
    match lookup(name, args.len())? {
        Function::Scalar(s) => (s.call)(ctx, args),
        Function::Aggregate(_) => Err(Error::new(
            crate::ErrorCode::Error,
            format!("misuse of aggregate function {name}()"),
        )),
    }
}

/// A context for tests and constant folding: no connection, randomness from a xorshift seed.
#[derive(Debug, Clone)]
pub struct DetachedContext {
    pub state: u64,
    pub collation: Collation,
    pub case_sensitive_like: bool,
}

impl Default for DetachedContext {
    fn default() -> Self {
        DetachedContext {
            state: 0x9e37_79b9_7f4a_7c15,
            collation: Collation::Binary,
            case_sensitive_like: false,
        }
    }
}

impl FunctionContext for DetachedContext {
    fn random_bytes(&mut self, buf: &mut [u8]) {
        for b in buf {
            self.state ^= self.state << 13;
            self.state ^= self.state >> 7;
            self.state ^= self.state << 17;
            *b = self.state.to_le_bytes()[0];
        }
    }

    fn case_sensitive_like(&self) -> bool {
        self.case_sensitive_like
    }

    fn collation(&self) -> Collation {
        self.collation
    }
}
