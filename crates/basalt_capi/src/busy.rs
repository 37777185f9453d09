//! `sqlite3_busy_handler`: an application callback asked, when a statement finds the database
//! locked, whether to try again.
//!
//! The engine itself only knows a busy timeout (`PRAGMA busy_timeout`, which
//! `sqlite3_busy_timeout` sets). A handler replaces it: the engine is told not to wait, and a
//! statement whose step fails with SQLITE_BUSY before returning any row is reset and stepped
//! again for as long as the handler returns non-zero (its count argument: how many times it
//! was called for this lock). Nothing was done by the failed step (statements are atomic), so
//! running it again is what SQLite's retry of the lock amounts to.
//!
//! Invariants:
//! - As in SQLite, a connection holding a read transaction is never made to wait (the writer
//!   it waits for may be waiting for it): the handler is not called then.
//! - `busy_timeout` and `busy_handler` replace each other, as SQLite's do.
//! - The handler runs marked as a callback of its connection (`function::CallbackScope`), so
//!   a call back into that connection fails instead of deadlocking.

use crate::codes::*;
use crate::db::{self, sqlite3, DbState};
use crate::ffi::guard_rc;
use crate::function::CallbackScope;
use basalt_core::connection::TxnState;
use basalt_core::schema::Db;
use basalt_core::{Error, ErrorCode};
use std::ffi::{c_int, c_void};

/// The application's handler: `int (*)(void *arg, int count)`.
pub(crate) type BusyFn = unsafe extern "C" fn(*mut c_void, c_int) -> c_int;

/// A registered handler and its argument (kept as an address).
#[derive(Clone, Copy)]
pub(crate) struct BusyHandler {
    f: BusyFn,
    arg: usize,
}

#[no_mangle]
pub extern "C" fn sqlite3_busy_handler(
    db: *mut sqlite3,
    f: Option<BusyFn>,
    arg: *mut c_void,
) -> c_int {
    guard_rc(|| {
        if db.is_null() {
            return SQLITE_MISUSE;
        }
        // SAFETY: db is a live handle, per the API contract.
        let mut state = unsafe { db::lock(db) };
        // The handler decides alone how long to wait: the engine must not wait as well.
        let rc = state.run_own_sql("PRAGMA busy_timeout = 0");
        if rc != SQLITE_OK {
            return rc;
        }
        state.busy_handler = f.map(|f| BusyHandler {
            f,
            arg: arg as usize,
        });
        SQLITE_OK
    })
}

/// `result` of a first step, retried with `again` while it is SQLITE_BUSY and the handler
/// (if any) says to go on.
pub(crate) fn retry(
    handle: *mut sqlite3,
    db: &mut DbState,
    mut result: Result<bool, Error>,
    mut again: impl FnMut() -> Result<bool, Error>,
) -> Result<bool, Error> {
    let mut count: c_int = 0;
    loop {
        let busy = matches!(&result, Err(e) if e.code == ErrorCode::Busy);
        let Some(handler) = db.busy_handler.filter(|_| busy) else {
            return result;
        };
        let reading = db
            .conn
            .as_ref()
            .is_some_and(|c| c.transaction_state(Db::Main) != TxnState::None);
        if reading {
            return result;
        }
        let go_on = {
            let _scope = CallbackScope::enter(handle);
            // SAFETY: the application's handler, called with the argument it registered.
            unsafe { (handler.f)(handler.arg as *mut c_void, count) }
        };
        if go_on == 0 {
            return result;
        }
        count = count.saturating_add(1);
        result = again();
    }
}
