//! Status and facts about connections and the library: `status`/`status64`, `db_status`,
//! `stmt_status`, `limit`, `db_filename`, `db_readonly`, `txn_state`, `randomness`, `sleep`,
//! `extended_result_codes`, extension loading (refused), and the string helpers
//! `strglob`/`strlike`/`stricmp`/`strnicmp`.
//!
//! Invariants:
//! - Counters Basalt does not keep (memory, lookaside, per-statement counters) read as 0; the
//!   pager's cache hits, misses and writes are reported where SQLite reports its own.
//! - Pointers handed out (`db_filename`) live in the connection's `DbExtra` until it closes.
//! - `limit` records and reports limits as SQLite does (capped at the built-in maximum).
//!   SQLITE_LIMIT_SQL_LENGTH and SQLITE_LIMIT_VARIABLE_NUMBER are enforced by `prepare` and
//!   SQLITE_LIMIT_LENGTH by `expanded_sql`; the other lowered limits are not yet enforced
//!   (the engine applies its built-in ones).

use crate::codes::*;
use crate::db::{self, sqlite3, DbState};
use crate::ffi::{c_bytes, guard, guard_rc};
use crate::stmt::sqlite3_stmt;
use basalt_core::connection::{Connection, TxnState};
use basalt_core::schema::Db;
use basalt_core::sql::pattern;
use std::collections::HashSet;
use std::ffi::{c_char, c_int, c_void, CString};
use std::os::unix::ffi::OsStringExt;
use std::ptr::null;

/// The built-in maximum of each `SQLITE_LIMIT_*`, by id (SQLite 3.54's defaults).
const LIMIT_MAX: [c_int; 12] = [
    1_000_000_000, // LENGTH
    1_000_000_000, // SQL_LENGTH
    2000,          // COLUMN
    1000,          // EXPR_DEPTH
    500,           // COMPOUND_SELECT
    250_000_000,   // VDBE_OP
    1000,          // FUNCTION_ARG
    10,            // ATTACHED
    50_000,        // LIKE_PATTERN_LENGTH
    32_766,        // VARIABLE_NUMBER
    1000,          // TRIGGER_DEPTH
    0,             // WORKER_THREADS
];

/// Per-connection state of the entry points of this module and its siblings.
pub struct DbExtra {
    limits: [c_int; 12],
    /// The `db_filename` answers for `main` and `temp`, kept alive for the caller.
    filenames: [Option<CString>; 2],
    /// The last `errmsg16` answer, NUL-terminated UTF-16.
    pub errmsg16: Vec<u16>,
    /// Strings `table_column_metadata` handed out, each kept once for the connection's life
    /// (a `CString`'s bytes do not move when the set grows).
    interned: HashSet<CString>,
}

impl DbExtra {
    /// A pointer to `text` that stays valid until the connection closes.
    fn intern(&mut self, text: &str) -> *const c_char {
        let text = CString::new(text).unwrap_or_default();
        if !self.interned.contains(&text) {
            self.interned.insert(text.clone());
        }
        self.interned.get(&text).map_or(null(), |t| t.as_ptr())
    }
}

impl Default for DbExtra {
    fn default() -> Self {
        DbExtra {
            limits: LIMIT_MAX,
            filenames: [None, None],
            errmsg16: Vec::new(),
            interned: HashSet::new(),
        }
    }
}

const LIMIT_LENGTH: usize = 0;
const LIMIT_SQL_LENGTH: usize = 1;
const LIMIT_VARIABLE_NUMBER: usize = 9;

/// SQLITE_LIMIT_LENGTH: the longest string or blob, in bytes.
pub(crate) fn length_limit(state: &DbState) -> usize {
    usize::try_from(state.extra.limits[LIMIT_LENGTH]).unwrap_or(0)
}

/// SQLITE_LIMIT_VARIABLE_NUMBER: the error refusing the statement `sql` (compiled, with
/// `n` its largest parameter index) if its parameters go over the connection's limit.
/// SQLite refuses at prepare, with the message of the first parameter over it, in text order.
pub(crate) fn refuse_many_params(state: &mut DbState, sql: &str, n: usize) -> Option<c_int> {
    let limit = usize::try_from(state.extra.limits[LIMIT_VARIABLE_NUMBER]).unwrap_or(0);
    if n <= limit {
        return None;
    }
    let message = first_param_over(sql, limit);
    state.set_error(SQLITE_ERROR, Some(&message));
    Some(state.returned(SQLITE_ERROR))
}

/// The message for the first parameter of `sql` past `limit`: a `?NNN` numbered past it, or
/// a parameter that would take the next index past it.
fn first_param_over(sql: &str, limit: usize) -> String {
    let too_many = || "too many SQL variables".to_string();
    let mut largest = 0;
    let mut named: Vec<&str> = Vec::new();
    for token in basalt_parser::lexer::tokenize(sql) {
        if token.kind != basalt_parser::lexer::Tk::Variable {
            continue;
        }
        let name = &sql[token.start..token.end];
        if let Some(number) = name.strip_prefix('?').filter(|d| !d.is_empty()) {
            match number.parse::<usize>() {
                Ok(n) if n <= limit => largest = largest.max(n),
                _ => return format!("variable number must be between ?1 and ?{limit}"),
            }
        } else if name == "?" || !named.contains(&name) {
            if name != "?" {
                named.push(name);
            }
            largest += 1;
            if largest > limit {
                return too_many();
            }
        }
    }
    too_many()
}

/// SQLITE_LIMIT_SQL_LENGTH: the result code refusing SQL text of `len` bytes, if it is longer
/// than the connection's limit.
pub(crate) fn refuse_long_sql(state: &mut DbState, len: usize) -> Option<c_int> {
    let limit = usize::try_from(state.extra.limits[LIMIT_SQL_LENGTH]).unwrap_or(0);
    (len > limit).then(|| {
        state.set_error(SQLITE_TOOBIG, None);
        state.returned(SQLITE_TOOBIG)
    })
}

#[no_mangle]
pub extern "C" fn sqlite3_status64(
    op: c_int,
    current: *mut i64,
    highwater: *mut i64,
    _reset: c_int,
) -> c_int {
    if !(0..=9).contains(&op) || current.is_null() || highwater.is_null() {
        return SQLITE_MISUSE;
    }
    // SAFETY: both pointers are non-NULL and writable, per the API contract.
    unsafe {
        *current = 0;
        *highwater = 0;
    }
    SQLITE_OK
}

#[no_mangle]
pub extern "C" fn sqlite3_status(
    op: c_int,
    current: *mut c_int,
    highwater: *mut c_int,
    reset: c_int,
) -> c_int {
    let (mut cur, mut high) = (0, 0);
    let rc = sqlite3_status64(op, &mut cur, &mut high, reset);
    if rc == SQLITE_OK {
        // SAFETY: status64 succeeded, so both pointers are non-NULL and writable.
        unsafe {
            *current = cur as c_int;
            *highwater = high as c_int;
        }
    }
    rc
}

const DBSTATUS_CACHE_HIT: c_int = 7;
const DBSTATUS_CACHE_MISS: c_int = 8;
const DBSTATUS_CACHE_WRITE: c_int = 9;
const DBSTATUS_MAX: c_int = 13;

#[no_mangle]
pub extern "C" fn sqlite3_db_status(
    db: *mut sqlite3,
    op: c_int,
    current: *mut c_int,
    highwater: *mut c_int,
    _reset: c_int,
) -> c_int {
    guard_rc(|| {
        if db.is_null() || current.is_null() || highwater.is_null() {
            return SQLITE_MISUSE;
        }
        if !(0..=DBSTATUS_MAX).contains(&op) {
            return SQLITE_ERROR;
        }
        // SAFETY: db is a live handle, per the API contract.
        let state = unsafe { db::lock(db) };
        let stats = state.conn.as_ref().map(Connection::pager_stats);
        let value = stats.map_or(0, |s| match op {
            DBSTATUS_CACHE_HIT => s.hits,
            DBSTATUS_CACHE_MISS => s.misses,
            DBSTATUS_CACHE_WRITE => s.pages_written,
            _ => 0,
        });
        // SAFETY: both pointers are non-NULL and writable, per the API contract.
        unsafe {
            *current = value as c_int;
            *highwater = 0;
        }
        SQLITE_OK
    })
}

/// Basalt keeps no per-statement counters: every one reads 0.
#[no_mangle]
pub extern "C" fn sqlite3_stmt_status(_p: *mut sqlite3_stmt, _op: c_int, _reset: c_int) -> c_int {
    0
}

#[no_mangle]
pub extern "C" fn sqlite3_limit(db: *mut sqlite3, id: c_int, new: c_int) -> c_int {
    guard(-1, || {
        let Some(index) = usize::try_from(id).ok().filter(|&i| i < LIMIT_MAX.len()) else {
            return -1;
        };
        if db.is_null() {
            return -1;
        }
        // SAFETY: db is a live handle, per the API contract.
        let mut state = unsafe { db::lock(db) };
        let old = state.extra.limits[index];
        if new >= 0 {
            state.extra.limits[index] = new.min(LIMIT_MAX[index]);
        }
        old
    })
}

/// The database a schema name designates: `main`, `temp`, or none.
fn schema(name: *const c_char) -> Option<Db> {
    // SAFETY: name is NULL or a NUL-terminated string, per the API contract.
    let name = unsafe { c_bytes(name) }?;
    Db::from_name(std::str::from_utf8(name).ok()?)
}

#[no_mangle]
pub extern "C" fn sqlite3_db_filename(db: *mut sqlite3, name: *const c_char) -> *const c_char {
    guard(null(), || {
        if db.is_null() {
            return null();
        }
        // SAFETY: db is a live handle, per the API contract.
        let mut state = unsafe { db::lock(db) };
        let (db, file) = match (schema(name), &state.conn) {
            (Some(Db::Main), Some(conn)) => (Db::Main, conn.main_file().into_os_string().into_vec()),
            (Some(Db::Temp), Some(conn)) if conn.is_open(Db::Temp) => (Db::Temp, Vec::new()),
            _ => return null(),
        };
        let file = CString::new(file).unwrap_or_default();
        // Replaced only when it changed (deserialize), so earlier answers stay valid.
        let slot = &mut state.extra.filenames[db.index()];
        if slot.as_ref() != Some(&file) {
            *slot = Some(file);
        }
        slot.as_ref().map_or(null(), |f| f.as_ptr())
    })
}

#[no_mangle]
pub extern "C" fn sqlite3_db_readonly(db: *mut sqlite3, name: *const c_char) -> c_int {
    guard(-1, || {
        if db.is_null() {
            return -1;
        }
        // SAFETY: db is a live handle, per the API contract.
        let state = unsafe { db::lock(db) };
        match (schema(name), &state.conn) {
            (Some(Db::Main), Some(conn)) => c_int::from(conn.main_read_only()),
            (Some(Db::Temp), Some(conn)) if conn.is_open(Db::Temp) => 0,
            _ => -1,
        }
    })
}

#[no_mangle]
pub extern "C" fn sqlite3_txn_state(db: *mut sqlite3, name: *const c_char) -> c_int {
    guard(-1, || {
        if db.is_null() {
            return -1;
        }
        // SAFETY: db is a live handle, per the API contract.
        let state = unsafe { db::lock(db) };
        let Some(conn) = &state.conn else {
            return -1;
        };
        let level = |db| match conn.transaction_state(db) {
            TxnState::None => 0,
            TxnState::Read => 1,
            TxnState::Write => 2,
        };
        if name.is_null() {
            return level(Db::Main).max(level(Db::Temp));
        }
        schema(name).map_or(-1, level)
    })
}

/// Writes `value` through `out` when the caller asked for it.
fn put<T>(out: *mut T, value: T) {
    if !out.is_null() {
        // SAFETY: a non-NULL output pointer is writable, per the API contract.
        unsafe { *out = value };
    }
}

#[no_mangle]
#[allow(clippy::too_many_arguments)] // SQLite's signature
pub extern "C" fn sqlite3_table_column_metadata(
    db: *mut sqlite3,
    schema_name: *const c_char,
    table: *const c_char,
    column: *const c_char,
    data_type: *mut *const c_char,
    coll_seq: *mut *const c_char,
    not_null: *mut c_int,
    primary_key: *mut c_int,
    autoinc: *mut c_int,
) -> c_int {
    guard_rc(|| {
        // SAFETY: the names are NULL or NUL-terminated strings, per the API contract.
        let text = |p| unsafe { c_bytes(p) }.map(String::from_utf8_lossy);
        let (Some(table), column) = (text(table), text(column)) else {
            return SQLITE_MISUSE;
        };
        if db.is_null() {
            return SQLITE_MISUSE;
        }
        // SAFETY: db is a live handle, per the API contract.
        let mut state = unsafe { db::lock(db) };
        let result = match (text(schema_name), state.connection()) {
            (Some(s), Ok(_)) if Db::from_name(&s).is_none() => Err(basalt_core::Error::new(
                basalt_core::ErrorCode::Error,
                format!(
                    "no such table column: {table}.{}",
                    column.as_deref().unwrap_or("")
                ),
            )),
            (s, Ok(conn)) => conn.column_meta(
                s.as_deref().and_then(Db::from_name),
                &table,
                column.as_deref(),
            ),
            (_, Err(rc)) => return rc,
        };
        let meta = match result {
            Ok(meta) => meta,
            Err(e) => {
                put(data_type, null());
                put(coll_seq, null());
                for p in [not_null, primary_key, autoinc] {
                    put(p, 0);
                }
                return state.engine_error(&e);
            }
        };
        let type_ptr = meta
            .declared_type
            .as_deref()
            .map_or(null(), |t| state.extra.intern(t));
        put(data_type, type_ptr);
        put(coll_seq, state.extra.intern(&meta.collation));
        put(not_null, c_int::from(meta.not_null));
        put(primary_key, c_int::from(meta.primary_key));
        put(autoinc, c_int::from(meta.autoincrement));
        state.clear_error();
        SQLITE_OK
    })
}

/// Shared cache is not supported; the setting is accepted and changes nothing (every
/// connection has its own cache), as SQLite builds without shared cache do.
#[no_mangle]
pub extern "C" fn sqlite3_enable_shared_cache(_on: c_int) -> c_int {
    SQLITE_OK
}

#[no_mangle]
pub extern "C" fn sqlite3_extended_result_codes(db: *mut sqlite3, on: c_int) -> c_int {
    guard_rc(|| {
        if db.is_null() {
            return SQLITE_MISUSE;
        }
        // SAFETY: db is a live handle, per the API contract.
        unsafe { db::lock(db) }.set_extended_results(on != 0);
        SQLITE_OK
    })
}

/// Fills `n` bytes at `p` from the operating system's random source.
#[no_mangle]
pub extern "C" fn sqlite3_randomness(n: c_int, p: *mut c_void) {
    guard((), || {
        crate::config::sqlite3_initialize();
        let Ok(len) = usize::try_from(n) else { return };
        if p.is_null() || len == 0 {
            return;
        }
        // SAFETY: p points to n writable bytes, per the API contract.
        let out = unsafe { std::slice::from_raw_parts_mut(p.cast::<u8>(), len) };
        use std::io::Read;
        let filled = std::fs::File::open("/dev/urandom").and_then(|mut f| f.read_exact(out));
        debug_assert!(filled.is_ok(), "/dev/urandom unreadable");
    })
}

#[no_mangle]
pub extern "C" fn sqlite3_sleep(ms: c_int) -> c_int {
    let ms = ms.max(0);
    std::thread::sleep(std::time::Duration::from_millis(ms as u64));
    ms
}

/// Extensions are native code built against SQLite's internals: Basalt cannot load them.
/// Turning loading off is accepted; turning it on is refused.
#[no_mangle]
pub extern "C" fn sqlite3_enable_load_extension(db: *mut sqlite3, on: c_int) -> c_int {
    if db.is_null() {
        return SQLITE_MISUSE;
    }
    if on == 0 {
        SQLITE_OK
    } else {
        SQLITE_ERROR
    }
}

#[no_mangle]
pub extern "C" fn sqlite3_load_extension(
    db: *mut sqlite3,
    _file: *const c_char,
    _proc: *const c_char,
    errmsg: *mut *mut c_char,
) -> c_int {
    guard_rc(|| {
        if db.is_null() {
            return SQLITE_MISUSE;
        }
        let message = c"not supported by Basalt yet: loading extensions";
        if !errmsg.is_null() {
            // SAFETY: errmsg is writable, per the API contract; the copy is the caller's.
            unsafe { *errmsg = crate::mem::strdup(message.as_ptr()) };
        }
        // SAFETY: db is a live handle, per the API contract.
        let mut state = unsafe { db::lock(db) };
        state.set_error(SQLITE_ERROR, message.to_str().ok());
        SQLITE_ERROR
    })
}

/// 0 when `text` matches the GLOB pattern, as SQLite's `sqlite3_strglob`.
#[no_mangle]
pub extern "C" fn sqlite3_strglob(glob: *const c_char, text: *const c_char) -> c_int {
    // SAFETY: both are NULL or NUL-terminated strings, per the API contract.
    match unsafe { (c_bytes(glob), c_bytes(text)) } {
        (Some(g), Some(t)) => c_int::from(!pattern::glob(g, t)),
        (None, None) => 0,
        _ => 1,
    }
}

/// 0 when `text` matches the LIKE pattern (case-insensitive for ASCII, `esc` its escape).
#[no_mangle]
pub extern "C" fn sqlite3_strlike(like: *const c_char, text: *const c_char, esc: u32) -> c_int {
    let mut buf = [0; 4];
    let escape = char::from_u32(esc)
        .filter(|&c| c != '\0')
        .map(|c| c.encode_utf8(&mut buf).as_bytes().to_vec());
    // SAFETY: both are NULL or NUL-terminated strings, per the API contract.
    match unsafe { (c_bytes(like), c_bytes(text)) } {
        (Some(p), Some(t)) => c_int::from(!pattern::like(p, t, escape.as_deref(), false)),
        (None, None) => 0,
        _ => 1,
    }
}

#[no_mangle]
pub extern "C" fn sqlite3_stricmp(a: *const c_char, b: *const c_char) -> c_int {
    sqlite3_strnicmp(a, b, c_int::MAX)
}

/// ASCII case-insensitive comparison of at most `n` bytes: the difference of the first
/// differing bytes, lower-cased; NULL sorts first.
#[no_mangle]
pub extern "C" fn sqlite3_strnicmp(a: *const c_char, b: *const c_char, n: c_int) -> c_int {
    // SAFETY: both are NULL or NUL-terminated strings, per the API contract.
    let (a, b) = match unsafe { (c_bytes(a), c_bytes(b)) } {
        (Some(a), Some(b)) => (a, b),
        (None, None) => return 0,
        (None, Some(_)) => return -1,
        (Some(_), None) => return 1,
    };
    let n = usize::try_from(n).unwrap_or(0);
    let bytes = |s: &[u8]| {
        s.iter()
            .copied()
            .chain(std::iter::once(0))
            .take(n)
            .collect::<Vec<u8>>()
    };
    for (x, y) in bytes(a).into_iter().zip(bytes(b)) {
        let (x, y) = (x.to_ascii_lowercase(), y.to_ascii_lowercase());
        if x != y || x == 0 {
            return c_int::from(x) - c_int::from(y);
        }
    }
    0
}
