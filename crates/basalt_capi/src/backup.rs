//! The online backup API (`backup_init/step/finish/remaining/pagecount`) over the engine's page
//! images (`Connection::main_pages`, `load_image`, `write_image`).
//!
//! Invariants:
//! - A step reads its pages from the source in one read transaction; the pages gathered so far
//!   are one snapshot: when the source changed between steps (its pager epoch moved), the copy
//!   starts over, as SQLite's does after another connection writes the source.
//! - The destination is written once, when the last page has been read, in one transaction
//!   (file) or by replacing its in-memory database: it never holds half a copy. Unlike SQLite,
//!   the destination is not locked between steps.
//! - A live backup counts as a statement of the source connection, so `close` refuses (BUSY)
//!   or defers (`close_v2`) while it lives, as SQLite does.
//! - The two connections' mutexes are never held together.

use crate::codes::*;
use crate::db::{self, sqlite3, DbState};
use crate::ffi::{c_bytes, guard, guard_rc};
use basalt_core::connection::Connection;
use basalt_core::{Error, ErrorCode};
use std::ffi::{c_char, c_int};
use std::ptr::null_mut;
use std::sync::Mutex;

/// A backup handle (`sqlite3_backup *`).
#[allow(non_camel_case_types)]
pub struct sqlite3_backup {
    dest: *mut sqlite3,
    src: *mut sqlite3,
    state: Mutex<Progress>,
}

#[derive(Default)]
struct Progress {
    /// The next source page to read (1-based); 1 before the first step.
    next: u32,
    page_count: u32,
    /// The source's pager epoch when the pages gathered so far were read.
    epoch: Option<u64>,
    pages: Vec<u8>,
    /// The result of the last step: sticky once it is DONE or an error other than BUSY/LOCKED.
    rc: c_int,
}

/// Only `main` can be copied yet: `temp` is refused as not supported.
fn check_name(state: &mut DbState, name: *const c_char) -> bool {
    // SAFETY: name is NULL or a NUL-terminated string, per the API contract.
    match unsafe { c_bytes(name) } {
        None | Some(b"main") => true,
        Some(b"temp") => {
            let message = "not supported by Basalt yet: a backup of the temp database";
            state.set_error(SQLITE_ERROR, Some(message));
            false
        }
        Some(other) => {
            let message = format!("unknown database {}", String::from_utf8_lossy(other));
            state.set_error(SQLITE_ERROR, Some(&message));
            false
        }
    }
}

#[no_mangle]
pub extern "C" fn sqlite3_backup_init(
    dest: *mut sqlite3,
    dest_name: *const c_char,
    src: *mut sqlite3,
    src_name: *const c_char,
) -> *mut sqlite3_backup {
    guard(null_mut(), || {
        if dest.is_null() || src.is_null() {
            return null_mut();
        }
        {
            // SAFETY: dest is a live handle, per the API contract.
            let mut state = unsafe { db::lock(dest) };
            if src == dest {
                let message = "source and destination must be distinct";
                state.set_error(SQLITE_ERROR, Some(message));
                return null_mut();
            }
            if !check_name(&mut state, dest_name) || !check_name(&mut state, src_name) {
                return null_mut();
            }
            if state.conn.as_ref().is_some_and(|c| !c.is_autocommit()) {
                let message = "destination database is in use";
                state.set_error(SQLITE_ERROR, Some(message));
                return null_mut();
            }
            state.clear_error();
        }
        // SAFETY: src is a live handle, per the API contract.
        unsafe { db::lock(src) }.statements += 1;
        let progress = Progress {
            next: 1,
            ..Progress::default()
        };
        Box::into_raw(Box::new(sqlite3_backup {
            dest,
            src,
            state: Mutex::new(progress),
        }))
    })
}

/// A result code for an engine error during a backup.
fn code_of(e: &Error) -> c_int {
    match e.code {
        ErrorCode::Busy => SQLITE_BUSY,
        ErrorCode::Locked => SQLITE_LOCKED,
        _ => extended_code(e),
    }
}

/// Reads up to `n` more source pages (all with a negative `n`), starting over if the source
/// changed since the last read.
fn read_pages(conn: &Connection, progress: &mut Progress, n: c_int) -> Result<(), Error> {
    let (_, count, epoch) = conn.main_geometry()?;
    if progress.epoch.is_some_and(|e| e != epoch) {
        progress.next = 1;
        progress.pages.clear();
    }
    progress.epoch = Some(epoch);
    progress.page_count = count;
    let want = u32::try_from(n).unwrap_or(u32::MAX);
    let pages = conn.main_pages(progress.next, want)?;
    progress.pages.extend_from_slice(&pages);
    progress.next = progress.next.saturating_add(want).min(count + 1);
    Ok(())
}

/// Makes the gathered image the destination's main database.
fn write_dest(conn: &Connection, image: Vec<u8>) -> Result<(), Error> {
    if conn.main_file().as_os_str().is_empty() {
        conn.load_image(image, false)
    } else {
        conn.write_image(&image)
    }
}

#[no_mangle]
pub extern "C" fn sqlite3_backup_step(b: *mut sqlite3_backup, n: c_int) -> c_int {
    guard_rc(|| {
        if b.is_null() {
            return SQLITE_MISUSE;
        }
        // SAFETY: b is a live backup, per the API contract.
        let b = unsafe { &*b };
        let mut progress = b.state.lock().unwrap_or_else(|p| p.into_inner());
        if !matches!(progress.rc, SQLITE_OK | SQLITE_BUSY | SQLITE_LOCKED) {
            return progress.rc;
        }
        let read = {
            // SAFETY: the source outlives the backup (it counts as one of its statements).
            let mut src = unsafe { db::lock(b.src) };
            match src.connection() {
                Ok(conn) => read_pages(conn, &mut progress, n),
                Err(rc) => Err(Error::new(ErrorCode::Misuse, errstr(rc).to_string_lossy())),
            }
        };
        // SAFETY: the destination is live until the backup is finished, per the API contract.
        let mut dest = unsafe { db::lock(b.dest) };
        let rc = match read {
            Err(e) => code_of(&e),
            Ok(()) if progress.next <= progress.page_count => SQLITE_OK,
            Ok(()) => {
                let image = std::mem::take(&mut progress.pages);
                let result = match dest.connection() {
                    Ok(conn) => write_dest(conn, image),
                    Err(rc) => return rc,
                };
                match result {
                    Ok(()) => SQLITE_DONE,
                    Err(e) => {
                        dest.set_error(code_of(&e), Some(&e.message));
                        code_of(&e)
                    }
                }
            }
        };
        progress.rc = rc;
        rc
    })
}

#[no_mangle]
pub extern "C" fn sqlite3_backup_finish(b: *mut sqlite3_backup) -> c_int {
    guard_rc(|| {
        if b.is_null() {
            return SQLITE_OK;
        }
        // SAFETY: b came from Box::into_raw in backup_init; C gives it up now.
        let b = unsafe { Box::from_raw(b) };
        let rc = match b.state.into_inner().unwrap_or_else(|p| p.into_inner()).rc {
            SQLITE_DONE | SQLITE_BUSY | SQLITE_LOCKED => SQLITE_OK,
            rc => rc,
        };
        let free_src = {
            // SAFETY: the source is live: the backup counted as one of its statements.
            let mut src = unsafe { db::lock(b.src) };
            src.statements -= 1;
            src.zombie && src.statements == 0
        };
        if free_src {
            // SAFETY: the source was closed by close_v2 and its last user is gone.
            unsafe { db::free(b.src) };
        }
        // SAFETY: the destination is live, per the API contract.
        let mut dest = unsafe { db::lock(b.dest) };
        if rc == SQLITE_OK {
            dest.clear_error();
        }
        rc
    })
}

#[no_mangle]
pub extern "C" fn sqlite3_backup_remaining(b: *mut sqlite3_backup) -> c_int {
    with_progress(b, |p| p.page_count.saturating_sub(p.next.saturating_sub(1)))
}

#[no_mangle]
pub extern "C" fn sqlite3_backup_pagecount(b: *mut sqlite3_backup) -> c_int {
    with_progress(b, |p| p.page_count)
}

fn with_progress(b: *mut sqlite3_backup, f: impl FnOnce(&Progress) -> u32) -> c_int {
    guard(0, || {
        if b.is_null() {
            return 0;
        }
        // SAFETY: b is a live backup, per the API contract.
        let progress = unsafe { &*b }
            .state
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        c_int::try_from(f(&progress)).unwrap_or(c_int::MAX)
    })
}
