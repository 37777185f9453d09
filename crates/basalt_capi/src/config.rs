//! Library-wide state and options: `sqlite3_initialize`/`shutdown`, the options of
//! `sqlite3_config` and `sqlite3_db_config` (unpacked from their varargs by `csrc/varargs.c`),
//! and the `sqlite3_log` callback.
//!
//! Invariants:
//! - `sqlite3_config` succeeds only while the library is not initialized, as in SQLite; the
//!   entry points SQLite initializes from (open, malloc, mprintf, randomness) call `autoinit`.
//! - An option Basalt cannot honour is refused with SQLITE_ERROR, never accepted and ignored,
//!   unless it is only a tuning hint (memory sizes, lookaside, mmap size) with no visible effect.
//! - A `db_config` on/off flag reports the behaviour Basalt actually has; asking for the other
//!   behaviour is refused with SQLITE_ERROR.

use crate::codes::*;
use crate::db::{self, sqlite3};
use crate::ffi::{guard, guard_rc};
use basalt_core::connection::Connection;
use basalt_core::record::Value;
use std::ffi::{c_char, c_int, c_void};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

static INITIALIZED: AtomicBool = AtomicBool::new(false);

/// `SQLITE_CONFIG_URI`: every open reads `file:` names as URIs, as if `SQLITE_OPEN_URI` were set.
static URI_BY_DEFAULT: AtomicBool = AtomicBool::new(false);

/// Whether `sqlite3_config(SQLITE_CONFIG_URI, 1)` made URI filenames the default.
pub(crate) fn uri_by_default() -> bool {
    URI_BY_DEFAULT.load(Ordering::SeqCst)
}

/// The `SQLITE_CONFIG_LOG` callback and its argument (a C pointer kept as an address).
type LogFn = unsafe extern "C" fn(*mut c_void, c_int, *const c_char);
static LOGGER: Mutex<Option<(LogFn, usize)>> = Mutex::new(None);

/// Initializes the library if it is not yet (what SQLite's auto-initialization does).
#[no_mangle]
pub extern "C" fn basalt_autoinit() -> c_int {
    sqlite3_initialize()
}

#[no_mangle]
pub extern "C" fn sqlite3_initialize() -> c_int {
    INITIALIZED.store(true, Ordering::SeqCst);
    SQLITE_OK
}

#[no_mangle]
pub extern "C" fn sqlite3_shutdown() -> c_int {
    INITIALIZED.store(false, Ordering::SeqCst);
    SQLITE_OK
}

/// Hands a message of `sqlite3_log` to the `SQLITE_CONFIG_LOG` callback, if one is set.
#[no_mangle]
pub extern "C" fn basalt_log(code: c_int, message: *const c_char) {
    guard((), || {
        let logger = *LOGGER.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((f, arg)) = logger {
            // SAFETY: the callback and argument the program registered, called as documented.
            unsafe { f(arg as *mut c_void, code, message) };
        }
    })
}

// The option numbers of `sqlite3_config` this library knows.
const CONFIG_SINGLETHREAD: c_int = 1;
const CONFIG_MULTITHREAD: c_int = 2;
const CONFIG_SERIALIZED: c_int = 3;
const CONFIG_PAGECACHE: c_int = 7;
const CONFIG_MEMSTATUS: c_int = 9;
const CONFIG_LOOKASIDE: c_int = 13;
const CONFIG_LOG: c_int = 16;
const CONFIG_URI: c_int = 17;
const CONFIG_COVERING_INDEX_SCAN: c_int = 20;
const CONFIG_MMAP_SIZE: c_int = 22;
const CONFIG_PMASZ: c_int = 25;
const CONFIG_STMTJRNL_SPILL: c_int = 26;
const CONFIG_SMALL_MALLOC: c_int = 27;
const CONFIG_SORTERREF_SIZE: c_int = 28;
const CONFIG_MEMDB_MAXSIZE: c_int = 29;

/// `sqlite3_config(op, …)` with its arguments unpacked by the shim: up to two integers and two
/// pointers, per the option's documented signature.
#[no_mangle]
pub extern "C" fn basalt_config(
    op: c_int,
    a: i64,
    _b: i64,
    p: *mut c_void,
    q: *mut c_void,
) -> c_int {
    guard_rc(|| {
        if INITIALIZED.load(Ordering::SeqCst) {
            return SQLITE_MISUSE;
        }
        match op {
            // Every connection is serialized whatever the mode asked: a stronger guarantee.
            CONFIG_SINGLETHREAD | CONFIG_MULTITHREAD | CONFIG_SERIALIZED => SQLITE_OK,
            // Tuning hints with no visible effect on results.
            CONFIG_PAGECACHE
            | CONFIG_MEMSTATUS
            | CONFIG_LOOKASIDE
            | CONFIG_COVERING_INDEX_SCAN
            | CONFIG_MMAP_SIZE
            | CONFIG_PMASZ
            | CONFIG_STMTJRNL_SPILL
            | CONFIG_SMALL_MALLOC
            | CONFIG_SORTERREF_SIZE
            | CONFIG_MEMDB_MAXSIZE => SQLITE_OK,
            CONFIG_URI => {
                URI_BY_DEFAULT.store(a != 0, Ordering::SeqCst);
                SQLITE_OK
            }
            CONFIG_LOG => {
                // SAFETY: a non-NULL p is the program's `void (*)(void *, int, const char *)`.
                let f: Option<LogFn> = unsafe { std::mem::transmute(p) };
                *LOGGER.lock().unwrap_or_else(|e| e.into_inner()) = f.map(|f| (f, q as usize));
                SQLITE_OK
            }
            // Custom allocators, mutexes and page caches are not supported, nor the rest.
            _ => SQLITE_ERROR,
        }
    })
}

const DBCONFIG_LOOKASIDE: c_int = 1001;
const DBCONFIG_ENABLE_FKEY: c_int = 1002;

/// The fixed value of each on/off `db_config` flag other than ENABLE_FKEY: what Basalt does.
fn fixed_flag(op: c_int) -> Option<bool> {
    Some(match op {
        1003 => true,  // ENABLE_TRIGGER
        1004 => false, // ENABLE_FTS3_TOKENIZER
        1005 => false, // ENABLE_LOAD_EXTENSION
        1006 => false, // NO_CKPT_ON_CLOSE
        1007 => false, // ENABLE_QPSG
        1008 => false, // TRIGGER_EQP
        1009 => false, // RESET_DATABASE
        1010 => false, // DEFENSIVE
        1011 => false, // WRITABLE_SCHEMA
        1012 => false, // LEGACY_ALTER_TABLE
        1013 => true,  // DQS_DML
        1014 => true,  // DQS_DDL
        1015 => true,  // ENABLE_VIEW
        1016 => false, // LEGACY_FILE_FORMAT
        1017 => true,  // TRUSTED_SCHEMA
        1018 => false, // STMT_SCANSTATUS
        1019 => false, // REVERSE_SCANORDER
        1020 => true,  // ENABLE_ATTACH_CREATE
        1021 => true,  // ENABLE_ATTACH_WRITE
        1022 => true,  // ENABLE_COMMENTS
        _ => return None,
    })
}

/// PRAGMA foreign_keys, read (`set` None) or written.
fn foreign_keys(conn: &Connection, set: Option<bool>) -> basalt_core::Result<bool> {
    if let Some(on) = set {
        conn.execute_batch(&format!("PRAGMA foreign_keys = {}", i32::from(on)))?;
    }
    let mut stmt = conn.prepare("PRAGMA foreign_keys")?;
    stmt.step_blocking()?;
    Ok(matches!(stmt.row().first(), Some(Value::Integer(1))))
}

/// `sqlite3_db_config(db, op, int onoff, int *result)`: a negative `onoff` only reads.
#[no_mangle]
pub extern "C" fn basalt_db_config_flag(
    db: *mut sqlite3,
    op: c_int,
    onoff: c_int,
    result: *mut c_int,
) -> c_int {
    guard_rc(|| {
        if db.is_null() {
            return SQLITE_MISUSE;
        }
        // SAFETY: db is a live handle, per the API contract.
        let mut state = unsafe { db::lock(db) };
        let Ok(conn) = state.connection() else {
            return SQLITE_MISUSE;
        };
        let wanted = (onoff >= 0).then_some(onoff > 0);
        let value = if op == DBCONFIG_ENABLE_FKEY {
            match foreign_keys(conn, wanted) {
                Ok(v) => v,
                Err(_) => return SQLITE_ERROR,
            }
        } else {
            match fixed_flag(op) {
                Some(v) if wanted.is_none_or(|w| w == v) => v,
                _ => return SQLITE_ERROR,
            }
        };
        if !result.is_null() {
            // SAFETY: a non-NULL result points to a writable int, per the API contract.
            unsafe { *result = c_int::from(value) };
        }
        SQLITE_OK
    })
}

/// The `db_config` options that are not on/off flags.
#[no_mangle]
pub extern "C" fn basalt_db_config_other(db: *mut sqlite3, op: c_int) -> c_int {
    if db.is_null() {
        return SQLITE_MISUSE;
    }
    match op {
        // Lookaside memory is a tuning hint.
        DBCONFIG_LOOKASIDE => SQLITE_OK,
        // Renaming "main" (DBCONFIG_MAINDBNAME) is not supported, nor unknown options.
        _ => SQLITE_ERROR,
    }
}
