//! The WAL entry points: `sqlite3_wal_checkpoint_v2`, `sqlite3_wal_checkpoint` and
//! `sqlite3_wal_autocheckpoint`, over the engine's `PRAGMA wal_checkpoint` and
//! `PRAGMA wal_autocheckpoint`, with SQLite's result codes.
//!
//! Invariants:
//! - The frame counts are written only where the caller gave somewhere to write them, and are
//!   -1 whenever no checkpoint ran (an unknown database, a database without a WAL).
//! - A checkpoint that could not finish because of other connections (the PRAGMA's busy
//!   column) is SQLITE_BUSY, its counts still reported, as SQLite reports them.

use crate::codes::*;
use crate::db::{self, sqlite3};
use crate::ffi::{c_bytes, guard_rc};
use basalt_core::record::Value;
use basalt_core::schema::Db;
use std::ffi::{c_char, c_int};

const MODES: [&str; 4] = ["PASSIVE", "FULL", "RESTART", "TRUNCATE"];

#[no_mangle]
pub extern "C" fn sqlite3_wal_checkpoint_v2(
    db: *mut sqlite3,
    name: *const c_char,
    mode: c_int,
    pn_log: *mut c_int,
    pn_ckpt: *mut c_int,
) -> c_int {
    guard_rc(|| {
        if db.is_null() {
            return SQLITE_MISUSE;
        }
        let report = |log: c_int, done: c_int| {
            // SAFETY: each pointer is NULL or writable, per the API contract.
            unsafe {
                if !pn_log.is_null() {
                    *pn_log = log;
                }
                if !pn_ckpt.is_null() {
                    *pn_ckpt = done;
                }
            }
        };
        report(-1, -1);
        let Some(mode) = usize::try_from(mode).ok().and_then(|m| MODES.get(m)) else {
            return SQLITE_MISUSE;
        };
        // SAFETY: db is a live handle, per the API contract.
        let mut state = unsafe { db::lock(db) };
        // SAFETY: name is NULL or a NUL-terminated string, per the API contract.
        let name = unsafe { c_bytes(name) }.unwrap_or_default();
        if !name.is_empty() {
            let known = std::str::from_utf8(name).ok().and_then(Db::from_name);
            match known {
                Some(Db::Main) => {}
                // The temp database never has a WAL: nothing to do.
                Some(Db::Temp) => return SQLITE_OK,
                None => {
                    let shown = String::from_utf8_lossy(name);
                    let message = format!("unknown database: {shown}");
                    state.set_error(SQLITE_ERROR, Some(&message));
                    return state.returned(SQLITE_ERROR);
                }
            }
        }
        let row = match state.connection() {
            Ok(conn) => checkpoint_row(conn, mode),
            Err(rc) => return rc,
        };
        match row {
            Ok([busy, log, done]) => {
                report(log, done);
                let rc = if busy != 0 { SQLITE_BUSY } else { SQLITE_OK };
                state.set_error(rc, None);
                state.returned(rc)
            }
            Err(e) => state.engine_error(&e),
        }
    })
}

/// The row of `PRAGMA wal_checkpoint(mode)`: busy, frames in the log, frames checkpointed.
fn checkpoint_row(
    conn: &basalt_core::connection::Connection,
    mode: &str,
) -> basalt_core::Result<[c_int; 3]> {
    let _library = basalt_core::functions::LibraryGuard::enter();
    let mut stmt = conn.prepare(&format!("PRAGMA main.wal_checkpoint({mode})"))?;
    let mut row = [0, -1, -1];
    if stmt.step_blocking()? {
        for (slot, value) in row.iter_mut().zip(stmt.row()) {
            if let Value::Integer(n) = value {
                *slot = c_int::try_from(*n).unwrap_or(c_int::MAX);
            }
        }
    }
    Ok(row)
}

#[no_mangle]
pub extern "C" fn sqlite3_wal_checkpoint(db: *mut sqlite3, name: *const c_char) -> c_int {
    sqlite3_wal_checkpoint_v2(db, name, 0, std::ptr::null_mut(), std::ptr::null_mut())
}

#[no_mangle]
pub extern "C" fn sqlite3_wal_autocheckpoint(db: *mut sqlite3, frames: c_int) -> c_int {
    guard_rc(|| {
        if db.is_null() {
            return SQLITE_MISUSE;
        }
        // SAFETY: db is a live handle, per the API contract.
        let mut state = unsafe { db::lock(db) };
        state.run_own_sql(&format!("PRAGMA wal_autocheckpoint = {}", frames.max(0)))
    })
}
