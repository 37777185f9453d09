//! Tracing and statement text: `sqlite3_trace_v2` (STMT, PROFILE, ROW and CLOSE events) and
//! `sqlite3_expanded_sql`.
//!
//! Invariants:
//! - The trace callback runs with the connection's mutex released (`Event::fire`), so it may
//!   call back into the statement (CPython's calls `sqlite3_expanded_sql`), as SQLite allows.
//! - A statement's STMT event fires on its first step after a reset, and its PROFILE event
//!   exactly once per run: when the run ends (done or error), or when it is reset or finalized
//!   before that (`Run`), as SQLite's do.

use crate::codes::*;
use crate::db::sqlite3;
use crate::ffi::guard;
use crate::stmt::{self, sqlite3_stmt};
use basalt_core::record::Value;
use basalt_parser::lexer::{tokenize, Tk};
use std::ffi::{c_char, c_int, c_uint, c_void};
use std::fmt::Write;
use std::ptr::{null, null_mut};
use std::time::Instant;

pub const SQLITE_TRACE_STMT: c_uint = 0x01;
pub const SQLITE_TRACE_PROFILE: c_uint = 0x02;
pub const SQLITE_TRACE_ROW: c_uint = 0x04;
pub const SQLITE_TRACE_CLOSE: c_uint = 0x08;

type TraceCallback =
    Option<unsafe extern "C" fn(c_uint, *mut c_void, *mut c_void, *mut c_void) -> c_int>;

/// The connection's `trace_v2` registration (none: mask 0).
#[derive(Clone, Copy, Default)]
pub(crate) struct Trace {
    mask: c_uint,
    callback: TraceCallback,
    arg: usize,
}

impl Trace {
    /// The event `code` about `p` (and `x`, for STMT), if the application asked for it.
    pub fn event(&self, code: c_uint, p: *mut c_void, x: *const c_void) -> Option<Event> {
        if self.mask & code == 0 {
            return None;
        }
        Some(Event {
            trace: *self,
            code,
            p: p as usize,
            x: x as usize,
            nanos: 0,
        })
    }
}

/// One trace callback to make once the connection's mutex is released.
#[derive(Clone, Copy)]
pub(crate) struct Event {
    trace: Trace,
    code: c_uint,
    p: usize,
    x: usize,
    /// PROFILE's elapsed time, passed by pointer as SQLite does.
    nanos: i64,
}

impl Event {
    pub fn fire(mut self) {
        let Some(callback) = self.trace.callback else {
            return;
        };
        let x = if self.code == SQLITE_TRACE_PROFILE {
            std::ptr::addr_of_mut!(self.nanos).cast()
        } else {
            self.x as *mut c_void
        };
        // SAFETY: the application's callback with the arguments SQLite documents for `code`;
        // no lock is held.
        unsafe {
            callback(
                self.code,
                self.trace.arg as *mut c_void,
                self.p as *mut c_void,
                x,
            )
        };
    }
}

/// A statement's run as tracing sees it: when it started, if it did and its PROFILE event
/// has not fired yet.
#[derive(Default)]
pub(crate) struct Run {
    started: Option<Instant>,
}

impl Run {
    /// The STMT event of a run starting now (the first step after a reset), if one is.
    pub fn start(
        &mut self,
        trace: &Trace,
        p: *mut sqlite3_stmt,
        sql: *const c_char,
    ) -> Option<Event> {
        if self.started.is_some() {
            return None;
        }
        self.started = Some(Instant::now());
        trace.event(SQLITE_TRACE_STMT, p.cast(), sql.cast())
    }

    /// The PROFILE event of a run that ends now, if one was running.
    pub fn end(&mut self, trace: &Trace, p: *mut sqlite3_stmt) -> Option<Event> {
        let started = self.started.take()?;
        let mut event = trace.event(SQLITE_TRACE_PROFILE, p.cast(), null())?;
        event.nanos = i64::try_from(started.elapsed().as_nanos()).unwrap_or(i64::MAX);
        Some(event)
    }
}

#[no_mangle]
pub extern "C" fn sqlite3_trace_v2(
    db: *mut sqlite3,
    mask: c_uint,
    callback: TraceCallback,
    arg: *mut c_void,
) -> c_int {
    guard(SQLITE_MISUSE, || {
        if db.is_null() {
            return SQLITE_MISUSE;
        }
        // SAFETY: db is a live handle, per the API contract.
        let mut state = unsafe { crate::db::lock(db) };
        let mask = if callback.is_none() { 0 } else { mask };
        state.trace = Trace {
            mask,
            callback: if mask == 0 { None } else { callback },
            arg: arg as usize,
        };
        SQLITE_OK
    })
}

#[no_mangle]
pub extern "C" fn sqlite3_expanded_sql(p: *mut sqlite3_stmt) -> *mut c_char {
    stmt::with(p, null_mut(), |db, st| {
        let sql = st.sql_text();
        let text = expand(sql, |name| st.parameter_index(name), st.bound());
        // SQLite gives up on a text longer than the longest string allowed.
        if text.len() > crate::status::length_limit(db) {
            return null_mut();
        }
        crate::mem::strdup_bytes(text.as_bytes())
    })
}

/// `sql` with each parameter replaced by its bound value written as a literal, as SQLite's
/// `sqlite3_expanded_sql`: a nameless `?` takes the index after the largest so far, the
/// others the index `index_of` gives them.
fn expand(sql: &str, index_of: impl Fn(&str) -> Option<usize>, values: &[Value]) -> String {
    let mut out = String::with_capacity(sql.len());
    let mut copied = 0;
    let mut largest = 0;
    for token in tokenize(sql) {
        if token.kind != Tk::Variable {
            continue;
        }
        let name = &sql[token.start..token.end];
        let index = if name == "?" {
            Some(largest + 1)
        } else {
            index_of(name)
        };
        let Some((index, value)) = index.and_then(|i| Some((i, values.get(i.checked_sub(1)?)?)))
        else {
            continue;
        };
        out.push_str(&sql[copied..token.start]);
        write_literal(&mut out, value);
        copied = token.end;
        largest = largest.max(index);
    }
    out.push_str(&sql[copied..]);
    out
}

/// A value as SQLite writes it into expanded SQL.
fn write_literal(out: &mut String, value: &Value) {
    match value {
        Value::Null => out.push_str("NULL"),
        Value::Integer(i) => {
            let _ = write!(out, "{i}");
        }
        Value::Real(r) => {
            let args = [basalt_core::record::ValueRef::Real(*r)];
            let format = basalt_core::record::ValueRef::Text(b"%!.15g");
            match basalt_core::sql::printf::format(format, &args) {
                Ok(Value::Text(t)) => out.push_str(&String::from_utf8_lossy(&t)),
                _ => {
                    let _ = write!(out, "{r:?}");
                }
            }
        }
        Value::Text(t) => {
            out.push('\'');
            out.push_str(&String::from_utf8_lossy(t).replace('\'', "''"));
            out.push('\'');
        }
        Value::Blob(b) => {
            out.push_str("x'");
            for byte in b.iter() {
                let _ = write!(out, "{byte:02x}");
            }
            out.push('\'');
        }
    }
}
