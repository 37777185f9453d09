//! Incremental blob I/O: `sqlite3_blob_open/read/write/bytes/reopen/close` over the engine's
//! `Blob` (`basalt_core::connection::blob`).
//!
//! Invariants:
//! - The engine handle shares the connection's `Rc`s, so it is used and dropped only under the
//!   connection's mutex, like a statement's.
//! - An open blob counts as a statement of its connection (`close` refuses with SQLITE_BUSY or
//!   defers, as SQLite's does, its blobs being statements).
//! - A handle whose `reopen` failed is expired: reads and writes return SQLITE_ABORT and
//!   `blob_bytes` 0, as in SQLite.

use crate::codes::*;
use crate::db::{self, sqlite3, DbState};
use crate::ffi::{c_bytes, guard, guard_rc};
use basalt_core::connection::Blob;
use basalt_core::schema::Db;
use basalt_core::{Error, ErrorCode};
use std::cell::UnsafeCell;
use std::ffi::{c_char, c_int, c_void};
use std::ptr::null_mut;

/// A blob handle (`sqlite3_blob *`).
#[allow(non_camel_case_types)]
pub struct sqlite3_blob {
    db: *mut sqlite3,
    /// `None` once expired. Touched only under the connection's mutex.
    blob: UnsafeCell<Option<Blob>>,
}

fn name<'a>(p: *const c_char) -> Option<&'a str> {
    // SAFETY: p is NULL or a NUL-terminated string, per the API contract.
    unsafe { c_bytes(p) }.and_then(|b| std::str::from_utf8(b).ok())
}

#[no_mangle]
pub extern "C" fn sqlite3_blob_open(
    db: *mut sqlite3,
    schema: *const c_char,
    table: *const c_char,
    column: *const c_char,
    rowid: i64,
    flags: c_int,
    pp_blob: *mut *mut sqlite3_blob,
) -> c_int {
    guard_rc(|| {
        if pp_blob.is_null() {
            return SQLITE_MISUSE;
        }
        // SAFETY: pp_blob is writable, per the API contract.
        unsafe { *pp_blob = null_mut() };
        let (Some(table), Some(column)) = (name(table), name(column)) else {
            return SQLITE_MISUSE;
        };
        if db.is_null() {
            return SQLITE_MISUSE;
        }
        // SAFETY: db is a live handle, per the API contract.
        let mut state = unsafe { db::lock(db) };
        let schema = match name(schema) {
            None => None,
            Some(s) => match Db::from_name(s) {
                Some(d) => Some(d),
                None => {
                    let message = format!("no such table: {s}.{table}");
                    state.set_error(SQLITE_ERROR, Some(&message));
                    return state.returned(SQLITE_ERROR);
                }
            },
        };
        let opened = match state.connection() {
            Ok(conn) => conn.open_blob(schema, table, column, rowid, flags != 0),
            Err(rc) => return rc,
        };
        match opened {
            Ok(blob) => {
                state.statements += 1;
                state.clear_error();
                let handle = Box::new(sqlite3_blob {
                    db,
                    blob: UnsafeCell::new(Some(blob)),
                });
                // SAFETY: pp_blob is writable (above); C owns the handle until blob_close.
                unsafe { *pp_blob = Box::into_raw(handle) };
                SQLITE_OK
            }
            Err(e) => state.engine_error(&e),
        }
    })
}

/// Runs `f` on the handle's engine blob (`None` when expired) under the connection's mutex.
fn with<R: Copy>(
    b: *mut sqlite3_blob,
    fallback: R,
    f: impl FnOnce(&mut DbState, &mut Option<Blob>) -> R,
) -> R {
    guard(fallback, || {
        if b.is_null() {
            return fallback;
        }
        // SAFETY: b is a live handle, per the API contract; its connection outlives it.
        let db = unsafe { (*b).db };
        // SAFETY: as above.
        let mut state = unsafe { db::lock(db) };
        // SAFETY: the connection's mutex is held, so nothing else touches the blob now.
        let blob = unsafe { &mut *(*b).blob.get() };
        f(&mut state, blob)
    })
}

/// Reports an I/O call's result on the connection.
fn finish(state: &mut DbState, result: Result<(), Error>) -> c_int {
    match result {
        Ok(()) => {
            state.clear_error();
            SQLITE_OK
        }
        Err(e) => state.engine_error(&e),
    }
}

/// Checks a (length, offset) pair from C: negative values are SQLITE_ERROR, as in SQLite.
fn range(n: c_int, offset: c_int) -> Result<(usize, usize), Error> {
    match (usize::try_from(n), usize::try_from(offset)) {
        (Ok(n), Ok(offset)) => Ok((n, offset)),
        _ => Err(Error::code(ErrorCode::Error)),
    }
}

fn expired() -> Error {
    Error::code(ErrorCode::Abort)
}

#[no_mangle]
pub extern "C" fn sqlite3_blob_read(
    b: *mut sqlite3_blob,
    out: *mut c_void,
    n: c_int,
    offset: c_int,
) -> c_int {
    with(b, SQLITE_MISUSE, |state, blob| {
        let result = range(n, offset).and_then(|(n, offset)| {
            let blob = blob.as_mut().ok_or_else(expired)?;
            if n == 0 {
                return blob.read(offset, &mut []);
            }
            if out.is_null() {
                return Err(Error::code(ErrorCode::Misuse));
            }
            // SAFETY: out has room for n bytes, per the API contract.
            let out = unsafe { std::slice::from_raw_parts_mut(out.cast::<u8>(), n) };
            blob.read(offset, out)
        });
        finish(state, result)
    })
}

#[no_mangle]
pub extern "C" fn sqlite3_blob_write(
    b: *mut sqlite3_blob,
    data: *const c_void,
    n: c_int,
    offset: c_int,
) -> c_int {
    with(b, SQLITE_MISUSE, |state, blob| {
        let result = range(n, offset).and_then(|(n, offset)| {
            let blob = blob.as_mut().ok_or_else(expired)?;
            let data: &[u8] = if n == 0 || data.is_null() {
                &[]
            } else {
                // SAFETY: data holds n bytes, per the API contract.
                unsafe { std::slice::from_raw_parts(data.cast::<u8>(), n) }
            };
            if data.len() != n {
                return Err(Error::code(ErrorCode::Misuse));
            }
            blob.write(offset, data)
        });
        finish(state, result)
    })
}

#[no_mangle]
pub extern "C" fn sqlite3_blob_bytes(b: *mut sqlite3_blob) -> c_int {
    with(b, 0, |_, blob| {
        blob.as_ref()
            .map_or(0, |blob| c_int::try_from(blob.len()).unwrap_or(c_int::MAX))
    })
}

#[no_mangle]
pub extern "C" fn sqlite3_blob_reopen(b: *mut sqlite3_blob, rowid: i64) -> c_int {
    with(b, SQLITE_MISUSE, |state, slot| {
        let Some(blob) = slot.as_mut() else {
            return state.error(SQLITE_ABORT);
        };
        match blob.reopen(rowid) {
            // SQLite leaves the connection's last error in place when a reopen succeeds.
            Ok(()) => SQLITE_OK,
            Err(e) => {
                // A failed reopen leaves the handle expired.
                *slot = None;
                state.engine_error(&e)
            }
        }
    })
}

#[no_mangle]
pub extern "C" fn sqlite3_blob_close(b: *mut sqlite3_blob) -> c_int {
    guard_rc(|| {
        if b.is_null() {
            return SQLITE_OK;
        }
        // SAFETY: b is a live handle, per the API contract.
        let db = unsafe { (*b).db };
        let free_db = {
            // SAFETY: the connection outlives its blobs.
            let mut state = unsafe { db::lock(db) };
            // SAFETY: b came from Box::into_raw in blob_open; C gives it up now. It is dropped
            // under the connection's mutex, since the engine blob holds its Rcs.
            drop(unsafe { Box::from_raw(b) });
            state.statements -= 1;
            state.clear_error();
            state.zombie && state.statements == 0
        };
        if free_db {
            // SAFETY: the connection was closed by close_v2 and its last user is gone.
            unsafe { db::free(db) };
        }
        SQLITE_OK
    })
}
