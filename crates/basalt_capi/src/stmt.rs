//! Prepared statements: `prepare_v2/v3`, `step`, `reset`, `finalize`, `bind_*`, `column_*`,
//! and `exec` on top of them.
//!
//! Invariants:
//! - A `sqlite3_stmt`'s state is touched only while its connection's mutex is held (`with`):
//!   the engine `Statement` shares `Rc`s with the connection (see `db.rs`).
//! - `phase` mirrors SQLite's statement states: `Ready` (bindable), `Row` (a row is current),
//!   `Halted` (done or failed; the next `step` resets first, as SQLite's auto-reset does).
//! - `texts` holds the NUL-terminated renderings handed out by `column_text`/`column_blob`/
//!   `column_bytes`; it is cleared only when the row changes (step, reset), so those pointers
//!   live exactly as long as SQLite documents. Blob pointers point into the engine's row,
//!   which also lives until the next step.

use crate::codes::*;
use crate::db::{self, sqlite3, DbState, ExecCallback};
use crate::ffi::{c_bytes, guard, guard_rc, sized_bytes};
use crate::trace::Event;
use crate::value::{self, sqlite3_value};
use basalt_core::connection::Statement;
use basalt_core::record::Value;
use basalt_core::sql::convert::{to_f64, to_i64, to_text};
use basalt_parser::lexer::{tokenize, Tk};
use std::cell::UnsafeCell;
use std::ffi::{c_char, c_int, c_void, CString};
use std::ptr::{null, null_mut};

/// A prepared statement handle (`sqlite3_stmt *`).
#[allow(non_camel_case_types)]
pub struct sqlite3_stmt {
    db: *mut sqlite3,
    state: UnsafeCell<StmtState>,
}

enum Phase {
    Ready,
    Row,
    /// Ran to its end (`rc` SQLITE_OK) or failed with `rc` and `message`.
    Halted {
        rc: c_int,
        message: Option<String>,
    },
}

pub(crate) struct StmtState {
    stmt: Statement,
    sql: CString,
    column_names: Vec<CString>,
    /// Declared types of the result columns, by index (`sqlite3_column_decltype`).
    column_types: Vec<Option<CString>>,
    /// Database, table and column each result column comes from, by index
    /// (`sqlite3_column_database_name`, `_table_name`, `_origin_name`).
    column_origins: Vec<Option<[CString; 3]>>,
    /// Parameter names by index - 1; `None` for nameless `?`.
    param_names: Vec<Option<CString>>,
    phase: Phase,
    /// Text renderings of the current row's columns, NUL-terminated, made on demand.
    texts: Vec<Option<Vec<u8>>>,
    /// UTF-16 renderings handed out by the `*16` entry points (`utf16.rs`).
    pub utf16: crate::utf16::Stmt16,
    /// Values handed out by `column_value`, kept until the row changes as the texts are.
    /// Boxed so that a pointer handed out stays put when the vector grows.
    #[allow(clippy::vec_box)]
    values: Vec<Box<sqlite3_value>>,
    /// The current run, for the trace events (`trace.rs`).
    run: crate::trace::Run,
    /// Prepared by the legacy `sqlite3_prepare`/`prepare16`: a failing step returns plain
    /// SQLITE_ERROR, and `reset` tells the specific code.
    legacy: bool,
}

impl StmtState {
    /// `sql` is the statement's text as `sqlite3_sql` reports it.
    fn new(stmt: Statement, sql: &str, legacy: bool) -> StmtState {
        let c_string = |s: &str| CString::new(s).unwrap_or_default();
        let mut param_names = vec![None; stmt.parameter_count()];
        for (name, index) in &stmt.program().param_names {
            if let Some(slot) = index.checked_sub(1).and_then(|i| param_names.get_mut(i)) {
                *slot = Some(c_string(name));
            }
        }
        let (column_names, column_types) = columns(&stmt);
        let column_origins = origins(&stmt);
        StmtState {
            sql: c_string(sql),
            stmt,
            column_names,
            column_types,
            column_origins,
            param_names,
            phase: Phase::Ready,
            texts: Vec::new(),
            utf16: crate::utf16::Stmt16::default(),
            values: Vec::new(),
            run: crate::trace::Run::default(),
            legacy,
        }
    }

    /// Takes the result columns' names and types again after the engine recompiled the
    /// statement for a new schema, as SQLite's re-prepare does; the pointers handed out stay
    /// valid while nothing changed.
    fn refresh_columns(&mut self) {
        let (names, types) = columns(&self.stmt);
        if names != self.column_names || types != self.column_types {
            self.column_names = names;
            self.column_types = types;
        }
        let origins = origins(&self.stmt);
        if origins != self.column_origins {
            self.column_origins = origins;
        }
    }

    /// Back to `Ready`; the result the last step left, for `reset`/`finalize` to report.
    fn reset(&mut self) -> (c_int, Option<String>) {
        self.stmt.reset();
        self.texts.clear();
        self.values.clear();
        match std::mem::replace(&mut self.phase, Phase::Ready) {
            Phase::Halted { rc, message } => (rc, message),
            _ => (SQLITE_OK, None),
        }
    }

    /// The statement's text, as `sqlite3_sql` reports it.
    pub fn sql_text(&self) -> &str {
        self.sql.to_str().unwrap_or_default()
    }

    pub fn parameter_index(&self, name: &str) -> Option<usize> {
        self.stmt.parameter_index(name)
    }

    /// The values bound now, by parameter index - 1.
    pub fn bound(&self) -> &[Value] {
        self.stmt.bound()
    }

    /// The current row's column `i`, or `None` when there is no row or no such column.
    fn value(&self, i: c_int) -> Option<&Value> {
        if !matches!(self.phase, Phase::Row) {
            return None;
        }
        usize::try_from(i).ok().and_then(|i| self.stmt.row().get(i))
    }

    /// Column `i` rendered as NUL-terminated text (kept until the row changes); `None` for
    /// NULL and missing columns.
    fn text(&mut self, i: c_int) -> Option<&[u8]> {
        let index = usize::try_from(i).ok()?;
        if self.texts.get(index).is_none_or(Option::is_none) {
            let mut text = to_text(self.value(i)?.as_value_ref())?.into_owned();
            text.push(0);
            if self.texts.len() <= index {
                self.texts.resize(index + 1, None);
            }
            self.texts[index] = Some(text);
        }
        self.texts[index].as_deref()
    }
}

/// The names and declared types of `stmt`'s result columns, NUL-terminated.
#[allow(clippy::type_complexity)]
fn columns(stmt: &Statement) -> (Vec<CString>, Vec<Option<CString>>) {
    let c_string = |s: &str| CString::new(s).unwrap_or_default();
    (0..stmt.column_count())
        .map(|i| {
            let declared = stmt.program().column_types.get(i).cloned().flatten();
            (
                c_string(stmt.column_name(i).unwrap_or("")),
                declared.map(|t| c_string(&t)),
            )
        })
        .unzip()
}

fn origins(stmt: &Statement) -> Vec<Option<[CString; 3]>> {
    let c_string = |s: &str| CString::new(s).unwrap_or_default();
    let program = stmt.program();
    (0..stmt.column_count())
        .map(|i| {
            let origin = program.column_origins.get(i)?.as_ref()?;
            Some([
                c_string(origin.database),
                c_string(&origin.table),
                c_string(&origin.column),
            ])
        })
        .collect()
}

/// Runs `f` with the statement's state and its connection's state, under the connection's
/// mutex; `fallback` for a NULL statement.
pub(crate) fn with<R: Copy>(
    p: *mut sqlite3_stmt,
    fallback: R,
    f: impl FnOnce(&mut DbState, &mut StmtState) -> R,
) -> R {
    guard(fallback, || {
        if p.is_null() {
            return fallback;
        }
        // SAFETY: p is a live statement, per the API contract, and its connection outlives it
        // (close leaves a zombie while statements live).
        let db = unsafe { (*p).db };
        // SAFETY: as above: the connection is live.
        let mut db_state = unsafe { db::lock(db) };
        // SAFETY: the connection's mutex is held, so nothing else touches this state now.
        let state = unsafe { &mut *(*p).state.get() };
        f(&mut db_state, state)
    })
}

#[no_mangle]
pub extern "C" fn sqlite3_prepare_v2(
    db: *mut sqlite3,
    sql: *const c_char,
    n_byte: c_int,
    pp_stmt: *mut *mut sqlite3_stmt,
    pz_tail: *mut *const c_char,
) -> c_int {
    sqlite3_prepare_v3(db, sql, n_byte, 0, pp_stmt, pz_tail)
}

/// `prep_flags` (PERSISTENT, NORMALIZE, NO_VTAB) change nothing Basalt does: statements are
/// always kept as they are, and there are no virtual tables.
#[no_mangle]
pub extern "C" fn sqlite3_prepare_v3(
    db: *mut sqlite3,
    sql: *const c_char,
    n_byte: c_int,
    _prep_flags: u32,
    pp_stmt: *mut *mut sqlite3_stmt,
    pz_tail: *mut *const c_char,
) -> c_int {
    prepare_utf8(db, sql, n_byte, false, pp_stmt, pz_tail)
}

/// The legacy interface: as `prepare_v2`, except that a failing step returns SQLITE_ERROR.
/// Unlike SQLite's, a statement whose schema changed is compiled again rather than failing
/// with SQLITE_SCHEMA.
#[no_mangle]
pub extern "C" fn sqlite3_prepare(
    db: *mut sqlite3,
    sql: *const c_char,
    n_byte: c_int,
    pp_stmt: *mut *mut sqlite3_stmt,
    pz_tail: *mut *const c_char,
) -> c_int {
    prepare_utf8(db, sql, n_byte, true, pp_stmt, pz_tail)
}

/// Every UTF-8 prepare entry point; `legacy` for `sqlite3_prepare`'s step results.
pub(crate) fn prepare_utf8(
    db: *mut sqlite3,
    sql: *const c_char,
    n_byte: c_int,
    legacy: bool,
    pp_stmt: *mut *mut sqlite3_stmt,
    pz_tail: *mut *const c_char,
) -> c_int {
    guard_rc(|| {
        if pp_stmt.is_null() {
            return SQLITE_MISUSE;
        }
        // SAFETY: pp_stmt is non-NULL and writable, per the API contract.
        unsafe { *pp_stmt = null_mut() };
        if db.is_null() || sql.is_null() {
            return SQLITE_MISUSE;
        }
        // SAFETY: sql is a string of n_byte bytes, or NUL-terminated when n_byte < 0.
        let text = unsafe { sized_bytes(sql.cast(), i64::from(n_byte), true) };
        // SAFETY: db is a live handle, per the API contract.
        let mut state = unsafe { db::lock(db) };
        if let Some(refused) = crate::status::refuse_long_sql(&mut state, text.len()) {
            return refused;
        }
        let (stmt, tail, rc) = prepare(&mut state, text);
        if !pz_tail.is_null() {
            // SAFETY: pz_tail is writable; tail is within (or just past) the text read.
            unsafe { *pz_tail = sql.add(tail) };
        }
        if let Some(stmt) = stmt {
            state.statements += 1;
            // The text was UTF-8 up to the tail, or prepare would have failed.
            let text = std::str::from_utf8(&text[..tail]).unwrap_or_default();
            let handle = Box::new(sqlite3_stmt {
                db,
                state: UnsafeCell::new(StmtState::new(stmt, text, legacy)),
            });
            // SAFETY: pp_stmt is writable (above); C owns the handle until finalize.
            unsafe { *pp_stmt = Box::into_raw(handle) };
        }
        rc
    })
}

/// Compiles the first statement of `text`: the statement (none for empty text or an error),
/// the offset of the tail, and the result code.
fn prepare(state: &mut DbState, text: &[u8]) -> (Option<Statement>, usize, c_int) {
    let Ok(sql) = std::str::from_utf8(text) else {
        let message = "not supported by Basalt yet: SQL text that is not UTF-8";
        state.set_error(SQLITE_ERROR, Some(message));
        return (None, 0, SQLITE_ERROR);
    };
    let result = match state.connection() {
        Ok(conn) => conn.prepare_with_tail(sql),
        Err(rc) => return (None, 0, rc),
    };
    match result {
        Ok((stmt, tail)) => {
            let n_params = stmt.as_ref().map_or(0, Statement::parameter_count);
            if let Some(rc) = crate::status::refuse_many_params(state, &sql[..tail], n_params) {
                return (None, 0, rc);
            }
            state.clear_error();
            let tail = if stmt.is_some() {
                statement_end(sql, tail)
            } else {
                tail
            };
            (stmt, tail, SQLITE_OK)
        }
        Err(e) => (None, 0, state.engine_error(&e)),
    }
}

/// Where SQLite's tail starts: just after the `;` that ends the statement (the engine's tail
/// is the next statement's first token, past white space and comments). `engine_tail` is a
/// token boundary of `sql`.
fn statement_end(sql: &str, engine_tail: usize) -> usize {
    let tokens = tokenize(&sql[..engine_tail]);
    let last = tokens
        .iter()
        .rposition(|t| !matches!(t.kind, Tk::Semi | Tk::Eof));
    match last.and_then(|i| tokens.get(i + 1)) {
        Some(semi) if semi.kind == Tk::Semi => semi.end,
        _ => engine_tail,
    }
}

#[no_mangle]
pub extern "C" fn sqlite3_step(p: *mut sqlite3_stmt) -> c_int {
    let mut events = [None; 2];
    let rc = with(p, SQLITE_MISUSE, |db, st| step(p, db, st, &mut events));
    // The callbacks run with the connection unlocked, as SQLite's may call back into it.
    events.into_iter().flatten().for_each(Event::fire);
    rc
}

/// One step; `events` gets the trace events it raised, in order: the run's start (STMT)
/// before its result (ROW, or PROFILE when the run ends).
fn step(
    p: *mut sqlite3_stmt,
    db: &mut DbState,
    st: &mut StmtState,
    events: &mut [Option<Event>; 2],
) -> c_int {
    match st.phase {
        Phase::Halted { .. } => {
            st.reset();
        }
        Phase::Row => {
            st.texts.clear();
            st.values.clear();
        }
        Phase::Ready => {}
    }
    let trace = db.trace;
    events[0] = st.run.start(&trace, p, st.sql.as_ptr());
    let fresh = !matches!(st.phase, Phase::Row);
    let mut result = st.stmt.step_blocking();
    if fresh {
        // SAFETY: p is a live statement; its connection outlives it.
        let handle = unsafe { (*p).db };
        result = crate::busy::retry(handle, db, result, || {
            st.stmt.reset();
            st.stmt.step_blocking()
        });
    }
    if !matches!(st.phase, Phase::Row) {
        // The run's first step may have recompiled the statement for a new schema.
        st.refresh_columns();
    }
    let rc = match result {
        Ok(true) => {
            st.phase = Phase::Row;
            db.set_step_code(SQLITE_ROW);
            events[1] = trace.event(crate::trace::SQLITE_TRACE_ROW, p.cast(), null());
            return SQLITE_ROW;
        }
        Ok(false) => {
            st.phase = Phase::Halted {
                rc: SQLITE_OK,
                message: None,
            };
            db.set_step_code(SQLITE_DONE);
            SQLITE_DONE
        }
        Err(e) => {
            let mut rc = db.engine_error(&e);
            if st.legacy && !matches!(rc & 0xff, SQLITE_BUSY | SQLITE_MISUSE) {
                rc = db.error(SQLITE_ERROR);
            }
            st.phase = Phase::Halted {
                rc: extended_code(&e),
                message: Some(e.message),
            };
            rc
        }
    };
    events[1] = st.run.end(&trace, p);
    rc
}

#[no_mangle]
pub extern "C" fn sqlite3_reset(p: *mut sqlite3_stmt) -> c_int {
    let mut profile = None;
    let rc = with(p, SQLITE_OK, |db, st| {
        profile = st.run.end(&db.trace, p);
        let (rc, message) = st.reset();
        db.set_error(rc, message.as_deref());
        db.returned(rc)
    });
    profile.into_iter().for_each(Event::fire);
    rc
}

#[no_mangle]
pub extern "C" fn sqlite3_finalize(p: *mut sqlite3_stmt) -> c_int {
    guard_rc(|| {
        if p.is_null() {
            return SQLITE_OK;
        }
        // A run cut short reports its PROFILE event before the statement goes, as in SQLite.
        let profile = with(p, None, |db, st| st.run.end(&db.trace, p));
        profile.into_iter().for_each(Event::fire);
        // SAFETY: p is a live statement, per the API contract.
        let db = unsafe { (*p).db };
        let (rc, free_db) = {
            // SAFETY: the connection outlives its statements.
            let mut state = unsafe { db::lock(db) };
            // SAFETY: p came from Box::into_raw in prepare; C gives it up now. It is dropped
            // under the connection's mutex, since the engine statement holds its Rcs.
            let handle = unsafe { Box::from_raw(p) };
            let mut st = handle.state.into_inner();
            let (rc, message) = st.reset();
            drop(st);
            state.statements -= 1;
            state.set_error(rc, message.as_deref());
            (state.returned(rc), state.zombie && state.statements == 0)
        };
        if free_db {
            // SAFETY: the connection was closed by close_v2 and its last statement is gone.
            unsafe { db::free(db) };
        }
        rc
    })
}

#[no_mangle]
pub extern "C" fn sqlite3_clear_bindings(p: *mut sqlite3_stmt) -> c_int {
    with(p, SQLITE_OK, |_, st| {
        st.stmt.clear_bindings();
        SQLITE_OK
    })
}

/// A bind destructor: NULL (`SQLITE_STATIC`), -1 (`SQLITE_TRANSIENT`) or a function.
pub type Destructor = isize;
const SQLITE_STATIC: Destructor = 0;
const SQLITE_TRANSIENT: Destructor = -1;

/// Calls a bind's destructor on its data, as SQLite does once it no longer needs it (Basalt
/// copies bound values at once, so that is right away).
pub(crate) fn release(data: *const c_void, destructor: Destructor) {
    if data.is_null() || destructor == SQLITE_STATIC || destructor == SQLITE_TRANSIENT {
        return;
    }
    // SAFETY: any other value is a function pointer `void (*)(void *)`, per the API contract.
    let f: unsafe extern "C" fn(*mut c_void) = unsafe { std::mem::transmute(destructor) };
    // SAFETY: the caller's destructor, called once on the data it was given with.
    unsafe { f(data.cast_mut()) };
}

/// Binds `value` to parameter `i` with SQLite's checks: the statement must not be running
/// (SQLITE_MISUSE), the index must exist (SQLITE_RANGE).
fn bind(p: *mut sqlite3_stmt, i: c_int, value: impl FnOnce() -> Value) -> c_int {
    with(p, SQLITE_MISUSE, |db, st| {
        if !matches!(st.phase, Phase::Ready) {
            return db.error(SQLITE_MISUSE);
        }
        let index = match usize::try_from(i) {
            Ok(index) if (1..=st.stmt.parameter_count()).contains(&index) => index,
            _ => return db.error(SQLITE_RANGE),
        };
        match st.stmt.bind(index, value()) {
            Ok(()) => SQLITE_OK,
            Err(e) => db.engine_error(&e),
        }
    })
}

/// Binds bytes (text or blob); NULL data binds NULL. The destructor runs in every case.
fn bind_bytes(
    p: *mut sqlite3_stmt,
    i: c_int,
    data: *const c_void,
    n: i64,
    destructor: Destructor,
    make: fn(Vec<u8>) -> Value,
) -> c_int {
    let rc = if data.is_null() {
        bind(p, i, || Value::Null)
    } else {
        // SAFETY: data holds n bytes, or is NUL-terminated when n is negative.
        let bytes = unsafe { sized_bytes(data.cast(), n, false) };
        let rc = bind(p, i, || make(bytes.to_vec()));
        if rc == SQLITE_OK {
            // SQLite records a successful text or blob bind as the connection's result.
            with(p, (), |db, _| db.clear_error());
        }
        rc
    };
    release(data, destructor);
    rc
}

#[no_mangle]
pub extern "C" fn sqlite3_bind_null(p: *mut sqlite3_stmt, i: c_int) -> c_int {
    bind(p, i, || Value::Null)
}

#[no_mangle]
pub extern "C" fn sqlite3_bind_int(p: *mut sqlite3_stmt, i: c_int, v: c_int) -> c_int {
    bind(p, i, || Value::Integer(i64::from(v)))
}

#[no_mangle]
pub extern "C" fn sqlite3_bind_int64(p: *mut sqlite3_stmt, i: c_int, v: i64) -> c_int {
    bind(p, i, || Value::Integer(v))
}

#[no_mangle]
pub extern "C" fn sqlite3_bind_double(p: *mut sqlite3_stmt, i: c_int, v: f64) -> c_int {
    // SQLite stores a NaN as NULL.
    bind(p, i, || {
        if v.is_nan() {
            Value::Null
        } else {
            Value::Real(v)
        }
    })
}

#[no_mangle]
pub extern "C" fn sqlite3_bind_text(
    p: *mut sqlite3_stmt,
    i: c_int,
    text: *const c_char,
    n: c_int,
    destructor: Destructor,
) -> c_int {
    bind_bytes(p, i, text.cast(), i64::from(n), destructor, Value::Text)
}

#[no_mangle]
pub extern "C" fn sqlite3_bind_blob(
    p: *mut sqlite3_stmt,
    i: c_int,
    blob: *const c_void,
    n: c_int,
    destructor: Destructor,
) -> c_int {
    if n < 0 {
        release(blob, destructor);
        return with(p, SQLITE_MISUSE, |db, _| db.error(SQLITE_MISUSE));
    }
    bind_bytes(p, i, blob, i64::from(n), destructor, Value::Blob)
}

/// The largest text or blob a 64-bit bind takes, as SQLite's (`SQLITE_MAX_LENGTH`'s bound).
const MAX_BIND_BYTES: u64 = 0x7fff_ffff;

#[no_mangle]
pub extern "C" fn sqlite3_bind_blob64(
    p: *mut sqlite3_stmt,
    i: c_int,
    blob: *const c_void,
    n: u64,
    destructor: Destructor,
) -> c_int {
    if n > MAX_BIND_BYTES {
        release(blob, destructor);
        return with(p, SQLITE_MISUSE, |db, _| db.error(SQLITE_TOOBIG));
    }
    bind_bytes(p, i, blob, n as i64, destructor, Value::Blob)
}

/// `encoding` SQLITE_UTF8, or a UTF-16 one (converted; an odd last byte is dropped).
#[no_mangle]
pub extern "C" fn sqlite3_bind_text64(
    p: *mut sqlite3_stmt,
    i: c_int,
    text: *const c_char,
    n: u64,
    destructor: Destructor,
    encoding: u8,
) -> c_int {
    if n > MAX_BIND_BYTES {
        release(text.cast(), destructor);
        return with(p, SQLITE_MISUSE, |db, _| db.error(SQLITE_TOOBIG));
    }
    let encoding = c_int::from(encoding);
    if encoding == crate::function::SQLITE_UTF8 || text.is_null() {
        return bind_bytes(p, i, text.cast(), n as i64, destructor, Value::Text);
    }
    // SAFETY: text holds n bytes of UTF-16 in `encoding`'s byte order, per the API contract.
    let utf8 = unsafe { crate::utf16::decode(text.cast(), n as usize & !1, encoding) };
    // SQLITE_TRANSIENT: the converted copy is ours; the caller's destructor runs below.
    let rc = bind_bytes(p, i, utf8.as_ptr().cast(), utf8.len() as i64, -1, Value::Text);
    release(text.cast(), destructor);
    rc
}

#[no_mangle]
pub extern "C" fn sqlite3_bind_zeroblob(p: *mut sqlite3_stmt, i: c_int, n: c_int) -> c_int {
    let len = usize::try_from(n).unwrap_or(0);
    bind(p, i, || Value::Blob(vec![0; len]))
}

#[no_mangle]
pub extern "C" fn sqlite3_bind_zeroblob64(p: *mut sqlite3_stmt, i: c_int, n: u64) -> c_int {
    if n > MAX_BIND_BYTES {
        return with(p, SQLITE_MISUSE, |db, _| db.error(SQLITE_TOOBIG));
    }
    sqlite3_bind_zeroblob(p, i, n as c_int)
}

/// Whether the statement has stepped to a row and not yet run to its end or been reset.
#[no_mangle]
pub extern "C" fn sqlite3_stmt_busy(p: *mut sqlite3_stmt) -> c_int {
    with(p, 0, |_, st| c_int::from(matches!(st.phase, Phase::Row)))
}

#[no_mangle]
pub extern "C" fn sqlite3_bind_parameter_count(p: *mut sqlite3_stmt) -> c_int {
    with(p, 0, |_, st| {
        c_int::try_from(st.stmt.parameter_count()).unwrap_or(c_int::MAX)
    })
}

#[no_mangle]
pub extern "C" fn sqlite3_bind_parameter_name(p: *mut sqlite3_stmt, i: c_int) -> *const c_char {
    with(p, null(), |_, st| {
        let name = usize::try_from(i)
            .ok()
            .and_then(|i| i.checked_sub(1))
            .and_then(|i| st.param_names.get(i));
        name.and_then(Option::as_ref).map_or(null(), |n| n.as_ptr())
    })
}

#[no_mangle]
pub extern "C" fn sqlite3_bind_parameter_index(p: *mut sqlite3_stmt, name: *const c_char) -> c_int {
    // SAFETY: name is NULL or a NUL-terminated string, per the API contract.
    let Some(name) = (unsafe { c_bytes(name) }) else {
        return 0;
    };
    with(p, 0, |_, st| {
        let index = st
            .param_names
            .iter()
            .position(|n| n.as_ref().is_some_and(|n| n.as_bytes() == name));
        index.map_or(0, |i| c_int::try_from(i + 1).unwrap_or(0))
    })
}

#[no_mangle]
pub extern "C" fn sqlite3_column_count(p: *mut sqlite3_stmt) -> c_int {
    with(p, 0, |_, st| {
        c_int::try_from(st.stmt.column_count()).unwrap_or(c_int::MAX)
    })
}

#[no_mangle]
pub extern "C" fn sqlite3_data_count(p: *mut sqlite3_stmt) -> c_int {
    with(p, 0, |_, st| {
        if matches!(st.phase, Phase::Row) {
            c_int::try_from(st.stmt.column_count()).unwrap_or(c_int::MAX)
        } else {
            0
        }
    })
}

#[no_mangle]
pub extern "C" fn sqlite3_column_name(p: *mut sqlite3_stmt, i: c_int) -> *const c_char {
    with(p, null(), |_, st| {
        usize::try_from(i)
            .ok()
            .and_then(|i| st.column_names.get(i))
            .map_or(null(), |n| n.as_ptr())
    })
}

/// Part `part` (0 database, 1 table, 2 column) of result column `i`'s origin, or NULL for a
/// column that is not a table column.
fn column_origin(p: *mut sqlite3_stmt, i: c_int, part: usize) -> *const c_char {
    with(p, null(), |_, st| {
        usize::try_from(i)
            .ok()
            .and_then(|i| st.column_origins.get(i))
            .and_then(Option::as_ref)
            .map_or(null(), |origin| origin[part].as_ptr())
    })
}

#[no_mangle]
pub extern "C" fn sqlite3_column_database_name(p: *mut sqlite3_stmt, i: c_int) -> *const c_char {
    column_origin(p, i, 0)
}

#[no_mangle]
pub extern "C" fn sqlite3_column_table_name(p: *mut sqlite3_stmt, i: c_int) -> *const c_char {
    column_origin(p, i, 1)
}

#[no_mangle]
pub extern "C" fn sqlite3_column_origin_name(p: *mut sqlite3_stmt, i: c_int) -> *const c_char {
    column_origin(p, i, 2)
}

#[no_mangle]
pub extern "C" fn sqlite3_column_decltype(p: *mut sqlite3_stmt, i: c_int) -> *const c_char {
    with(p, null(), |_, st| {
        usize::try_from(i)
            .ok()
            .and_then(|i| st.column_types.get(i)?.as_ref())
            .map_or(null(), |t| t.as_ptr())
    })
}

/// Runs `f` on column `i` of the current row; a missing row or column reads as NULL and sets
/// SQLITE_RANGE on the connection, as SQLite does.
fn column<R: Copy>(
    p: *mut sqlite3_stmt,
    i: c_int,
    fallback: R,
    f: impl FnOnce(&mut StmtState, &Value) -> R,
) -> R {
    with(p, fallback, |db, st| {
        let value = match st.value(i) {
            Some(v) => v.clone(),
            None => {
                db.error(SQLITE_RANGE);
                Value::Null
            }
        };
        f(st, &value)
    })
}

#[no_mangle]
pub extern "C" fn sqlite3_column_value(p: *mut sqlite3_stmt, i: c_int) -> *mut sqlite3_value {
    column(p, i, null_mut(), |st, v| {
        let mut boxed = Box::new(sqlite3_value::new(v.clone(), false));
        let ptr: *mut sqlite3_value = &mut *boxed;
        st.values.push(boxed);
        ptr
    })
}

#[no_mangle]
pub extern "C" fn sqlite3_bind_value(
    p: *mut sqlite3_stmt,
    i: c_int,
    v: *const sqlite3_value,
) -> c_int {
    bind(p, i, || value::read(v))
}

#[no_mangle]
pub extern "C" fn sqlite3_column_type(p: *mut sqlite3_stmt, i: c_int) -> c_int {
    column(p, i, SQLITE_NULL, |_, v| match v {
        Value::Null => SQLITE_NULL,
        Value::Integer(_) => SQLITE_INTEGER,
        Value::Real(_) => SQLITE_FLOAT,
        Value::Text(_) => SQLITE_TEXT,
        Value::Blob(_) => SQLITE_BLOB,
    })
}

#[no_mangle]
pub extern "C" fn sqlite3_column_int64(p: *mut sqlite3_stmt, i: c_int) -> i64 {
    column(p, i, 0, |_, v| to_i64(v.as_value_ref()))
}

#[no_mangle]
pub extern "C" fn sqlite3_column_int(p: *mut sqlite3_stmt, i: c_int) -> c_int {
    // SQLite keeps the low 32 bits of the 64-bit value.
    sqlite3_column_int64(p, i) as c_int
}

#[no_mangle]
pub extern "C" fn sqlite3_column_double(p: *mut sqlite3_stmt, i: c_int) -> f64 {
    column(p, i, 0.0, |_, v| to_f64(v.as_value_ref()))
}

#[no_mangle]
pub extern "C" fn sqlite3_column_text(p: *mut sqlite3_stmt, i: c_int) -> *const u8 {
    column(p, i, null(), |st, _| {
        st.text(i).map_or(null(), <[u8]>::as_ptr)
    })
}

#[no_mangle]
pub extern "C" fn sqlite3_column_blob(p: *mut sqlite3_stmt, i: c_int) -> *const c_void {
    column(p, i, null(), |st, v| {
        let bytes = match v {
            Value::Null => return null(),
            // Pointers into the engine's row, which stays put until the next step.
            Value::Blob(_) | Value::Text(_) => st.value(i).map(raw_bytes).unwrap_or(&[]),
            Value::Integer(_) | Value::Real(_) => st.text(i).unwrap_or(&[]),
        };
        if bytes.is_empty() {
            null()
        } else {
            bytes.as_ptr().cast()
        }
    })
}

fn raw_bytes(v: &Value) -> &[u8] {
    match v {
        Value::Text(b) | Value::Blob(b) => b,
        _ => &[],
    }
}

#[no_mangle]
pub extern "C" fn sqlite3_column_bytes(p: *mut sqlite3_stmt, i: c_int) -> c_int {
    column(p, i, 0, |st, v| {
        let len = match v {
            Value::Null => 0,
            Value::Text(b) | Value::Blob(b) => b.len(),
            // The length of the text rendering, minus its NUL.
            Value::Integer(_) | Value::Real(_) => st.text(i).map_or(0, |t| t.len() - 1),
        };
        c_int::try_from(len).unwrap_or(c_int::MAX)
    })
}

#[no_mangle]
pub extern "C" fn sqlite3_db_handle(p: *mut sqlite3_stmt) -> *mut sqlite3 {
    guard(null_mut(), || {
        if p.is_null() {
            null_mut()
        } else {
            // SAFETY: p is a live statement, per the API contract.
            unsafe { (*p).db }
        }
    })
}

#[no_mangle]
pub extern "C" fn sqlite3_sql(p: *mut sqlite3_stmt) -> *const c_char {
    with(p, null(), |_, st| st.sql.as_ptr())
}

#[no_mangle]
pub extern "C" fn sqlite3_stmt_readonly(p: *mut sqlite3_stmt) -> c_int {
    with(p, 1, |_, st| c_int::from(st.stmt.program().read_only))
}

/// `sqlite3_exec`'s loop: each statement of `sql` prepared, stepped (the callback gets each
/// row as text) and finalized through the entry points above, so the connection is unlocked
/// while the callback runs.
pub(crate) fn exec(
    db: *mut sqlite3,
    sql: *const c_char,
    callback: ExecCallback,
    arg: *mut c_void,
) -> c_int {
    let mut rest = if sql.is_null() { c"".as_ptr() } else { sql };
    loop {
        let mut stmt = null_mut();
        let mut tail = null();
        let rc = sqlite3_prepare_v2(db, rest, -1, &mut stmt, &mut tail);
        if rc != SQLITE_OK {
            return rc;
        }
        if stmt.is_null() {
            return SQLITE_OK;
        }
        let rc = exec_statement(db, stmt, callback, arg);
        if rc != SQLITE_OK {
            return rc;
        }
        // SQLite's exec starts each statement past the white space after the last one, so
        // that is the text `sqlite3_sql` and the trace report (white space: space and \t to
        // \r, vertical tab included).
        // SAFETY: tail points into the NUL-terminated text, at or before its NUL.
        while matches!(unsafe { *tail as u8 }, b' ' | b'\t'..=b'\r') {
            // SAFETY: a white-space byte is not the NUL, so the next byte is in the text.
            tail = unsafe { tail.add(1) };
        }
        rest = tail;
    }
}

/// Runs one prepared statement for `exec` and finalizes it; SQLITE_ABORT when the callback
/// asks to stop.
fn exec_statement(
    db: *mut sqlite3,
    stmt: *mut sqlite3_stmt,
    callback: ExecCallback,
    arg: *mut c_void,
) -> c_int {
    let n = sqlite3_column_count(stmt);
    let names: Vec<*mut c_char> = (0..n)
        .map(|i| sqlite3_column_name(stmt, i).cast_mut())
        .collect();
    loop {
        match sqlite3_step(stmt) {
            SQLITE_ROW => {
                let Some(callback) = callback else { continue };
                let mut values: Vec<*mut c_char> = (0..n)
                    .map(|i| sqlite3_column_text(stmt, i).cast::<c_char>().cast_mut())
                    .collect();
                let mut names = names.clone();
                // SAFETY: the caller's callback, with n values and n names that stay valid
                // until the next step.
                let stop = unsafe { callback(arg, n, values.as_mut_ptr(), names.as_mut_ptr()) };
                if stop != 0 {
                    sqlite3_finalize(stmt);
                    // SAFETY: db is a live handle (exec checked it).
                    unsafe { db::lock(db) }.error(SQLITE_ABORT);
                    return SQLITE_ABORT;
                }
            }
            SQLITE_DONE => return sqlite3_finalize(stmt),
            rc => {
                sqlite3_finalize(stmt);
                return rc;
            }
        }
    }
}
