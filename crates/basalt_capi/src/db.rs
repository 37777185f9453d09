//! Connection handles: `sqlite3_open*`, `sqlite3_close*`, the error state (`errcode`,
//! `errmsg`), counters, `interrupt`, `busy_timeout` and `exec`.
//!
//! Invariants:
//! - `sqlite3` is only ever reached through the pointer `sqlite3_open*` returned, and its
//!   engine state only through `lock`, so every use of the engine's `Rc`s — by the connection
//!   and by each of its statements — happens under one mutex.
//! - `statements` counts the live `sqlite3_stmt`s of the connection; the handle is freed when
//!   it is closed and that count is zero (`close_v2` on a busy connection leaves a "zombie"
//!   freed by the last `finalize`).
//! - The error state is what `errcode`/`errmsg` report: set by every call that SQLite documents
//!   as setting it, and its message pointer stays valid until the next call that sets it.

use crate::codes::*;
use crate::ffi::{c_bytes, guard, guard_rc};
use crate::mem;
use crate::stmt;
use basalt_core::connection::{Connection, InterruptHandle};
use basalt_core::pager::PagerOptions;
use basalt_core::Error;
use std::ffi::{c_char, c_int, c_void, CString, OsStr};
use std::os::unix::ffi::OsStrExt;
use std::path::Path;
use std::sync::{Mutex, MutexGuard};

/// A database connection handle (`sqlite3 *`).
#[allow(non_camel_case_types)]
pub struct sqlite3 {
    state: Mutex<DbState>,
    /// Outside the mutex: `sqlite3_interrupt` is called while another thread is stepping.
    interrupt: Option<InterruptHandle>,
}

/// What the connection mutex guards.
pub(crate) struct DbState {
    /// `None` when opening failed: the handle then only reports its error and closes.
    pub conn: Option<Connection>,
    code: c_int,
    message: Option<CString>,
    /// Live statements of this connection.
    pub statements: usize,
    /// Closed by `close_v2` while statements were live.
    pub zombie: bool,
    /// `SQLITE_OPEN_EXRESCODE`: return codes are extended codes.
    extended_results: bool,
    /// State of the status, UTF-16 and backup entry points (`status.rs`).
    pub extra: crate::status::DbExtra,
    /// The application pointers of the commit and rollback hooks (`hooks.rs`).
    pub(crate) hook_args: crate::hooks::HookArgs,
    /// The `trace_v2` registration (`trace.rs`).
    pub(crate) trace: crate::trace::Trace,
    /// The `sqlite3_busy_handler` registration (`busy.rs`).
    pub(crate) busy_handler: Option<crate::busy::BusyHandler>,
}

// SAFETY: the engine's `Connection` and `Statement`s share `Rc<RefCell<..>>` state, which is not
// thread-safe on its own. A `DbState` is reachable only through its `sqlite3`'s mutex, and every
// statement of the connection is used only while that same mutex is held (see `stmt.rs`), so no
// two threads ever touch those `Rc`s at the same time, and no `Rc` escapes the mutex.
unsafe impl Send for DbState {}

impl DbState {
    /// Records a result: its code and, for errors, its message (`None`: the code's text).
    pub fn set_error(&mut self, code: c_int, message: Option<&str>) {
        self.code = code;
        self.message = message.and_then(|m| CString::new(m).ok());
    }

    /// Records a step's SQLITE_ROW or SQLITE_DONE: SQLite changes the code only, and `errmsg`
    /// goes on showing the last error message, if one was kept.
    pub fn set_step_code(&mut self, code: c_int) {
        self.code = code;
    }

    /// `sqlite3_extended_result_codes`.
    pub fn set_extended_results(&mut self, on: bool) {
        self.extended_results = on;
    }

    pub fn clear_error(&mut self) {
        self.set_error(SQLITE_OK, None);
    }

    /// Records an engine error and returns the code to hand back to C.
    pub fn engine_error(&mut self, e: &Error) -> c_int {
        let code = extended_code(e);
        self.set_error(code, Some(&e.message));
        self.returned(code)
    }

    /// Records an error with a code's standard text and returns the code to hand back.
    pub fn error(&mut self, code: c_int) -> c_int {
        self.set_error(code, None);
        self.returned(code)
    }

    /// A result code as the API returns it: primary unless extended codes were asked for.
    pub fn returned(&self, code: c_int) -> c_int {
        if self.extended_results {
            code
        } else {
            code & 0xff
        }
    }

    /// Runs the library's own `sql` (a PRAGMA carrying out an API call, which the application's
    /// authorizer does not see) on the connection; the result code, an error recorded as the
    /// connection's.
    pub fn run_own_sql(&mut self, sql: &str) -> c_int {
        let result = match self.connection() {
            Ok(conn) => conn.as_library(|c| c.execute_batch(sql)),
            Err(rc) => return rc,
        };
        match result {
            Ok(()) => SQLITE_OK,
            Err(e) => self.engine_error(&e),
        }
    }

    /// The open connection, or SQLITE_MISUSE for a handle whose open failed.
    pub fn connection(&mut self) -> Result<&Connection, c_int> {
        if self.conn.is_none() {
            return Err(self.error(SQLITE_MISUSE));
        }
        self.conn.as_ref().ok_or(SQLITE_MISUSE)
    }
}

/// The state of a connection handle, locked for the duration of one API call.
///
/// # Safety
/// `db` is a live handle returned by `sqlite3_open*` and not yet freed.
pub(crate) unsafe fn lock<'a>(db: *mut sqlite3) -> MutexGuard<'a, DbState> {
    // The mutex is held further up this thread's stack, by the call running the callback
    // that is calling now: locking again would deadlock. SQLite's recursive mutex allows such
    // calls; Basalt's engine cannot run a statement inside another one's step yet, so the
    // call fails (the panic is caught at the entry point: SQLITE_INTERNAL or NULL).
    if crate::function::in_callback(db) {
        panic!("not supported by Basalt yet: using a connection from inside one of its callbacks");
    }
    // SAFETY: the caller promises a live handle.
    let handle = unsafe { &*db };
    // A panic inside an earlier call was caught at the boundary; the engine state it left is
    // still memory-safe (RefCell borrows unwound), so the connection goes on being usable.
    handle
        .state
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Frees a handle whose last user is gone.
///
/// # Safety
/// `db` came from `sqlite3_open*`, is not locked, and nothing uses it afterwards.
pub(crate) unsafe fn free(db: *mut sqlite3) {
    // SAFETY: the handle is live until dropped below; the callback runs unlocked.
    let trace = unsafe { lock(db) }.trace;
    if let Some(event) = trace.event(
        crate::trace::SQLITE_TRACE_CLOSE,
        db.cast(),
        std::ptr::null(),
    ) {
        event.fire();
    }
    // SAFETY: the handle was created by Box::into_raw in `open` and is freed exactly once.
    drop(unsafe { Box::from_raw(db) });
}

fn open(filename: &[u8], flags: c_int, vfs: Option<&[u8]>) -> (Box<sqlite3>, c_int) {
    let state = |conn: Option<Connection>| DbState {
        conn,
        code: SQLITE_OK,
        message: None,
        statements: 0,
        zombie: false,
        extended_results: flags & SQLITE_OPEN_EXRESCODE != 0,
        extra: crate::status::DbExtra::default(),
        hook_args: Default::default(),
        trace: Default::default(),
        busy_handler: None,
    };
    let (conn, error) = match open_connection(filename, flags, vfs) {
        Ok(conn) => (Some(conn), None),
        Err(e) => (None, Some(e)),
    };
    let interrupt = conn.as_ref().map(Connection::interrupt_handle);
    let mut db = Box::new(sqlite3 {
        state: Mutex::new(state(conn)),
        interrupt,
    });
    let rc = match error {
        None => SQLITE_OK,
        Some((code, message)) => {
            let state = db.state.get_mut().unwrap_or_else(|p| p.into_inner());
            state.set_error(code, Some(&message));
            state.returned(code)
        }
    };
    (db, rc)
}

/// Opens the engine connection `filename` and `flags` ask for, or the code and message of
/// SQLite's refusal.
fn open_connection(
    filename: &[u8],
    flags: c_int,
    vfs: Option<&[u8]>,
) -> Result<Connection, (c_int, String)> {
    let cantopen = |message: &str| (SQLITE_CANTOPEN, message.to_string());
    let target = crate::uri::parse(filename, flags, vfs, crate::config::uri_by_default())?;
    let flags = target.flags;
    if let Some(name) = target.vfs.as_deref().filter(|name| *name != b"unix") {
        let name = String::from_utf8_lossy(name);
        return Err((
            SQLITE_ERROR,
            format!("not supported by Basalt yet: the VFS \"{name}\""),
        ));
    }
    // A file name is bytes, as on the file system: it need not be UTF-8.
    let path = Path::new(OsStr::from_bytes(&target.path));
    let memory =
        path == Path::new(":memory:") || target.path.is_empty() || flags & SQLITE_OPEN_MEMORY != 0;
    if memory && flags & SQLITE_OPEN_SHAREDCACHE != 0 {
        // Such databases are shared by every connection of the process that names them.
        return Err((
            SQLITE_ERROR,
            "not supported by Basalt yet: shared-cache in-memory databases".to_string(),
        ));
    }
    let read_only = flags & SQLITE_OPEN_READONLY != 0;
    if !memory && (read_only || flags & SQLITE_OPEN_CREATE == 0) {
        // Without CREATE a missing file is an error, not a new database.
        if std::fs::metadata(path).is_err() {
            return Err(cantopen("unable to open database file"));
        }
    }
    let options = PagerOptions {
        read_only,
        ..PagerOptions::default()
    };
    let path = if memory { Path::new(":memory:") } else { path };
    Connection::open_with_options(path, &options).map_err(|e| (extended_code(&e), e.message))
}

/// Checks the access mode SQLite requires of `open_v2`: read-only, read-write, or read-write
/// with create.
fn valid_open_flags(flags: c_int) -> bool {
    let mode = flags & (SQLITE_OPEN_READONLY | SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
    mode == SQLITE_OPEN_READONLY
        || mode == SQLITE_OPEN_READWRITE
        || mode == SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE
}

#[no_mangle]
pub extern "C" fn sqlite3_open(filename: *const c_char, pp_db: *mut *mut sqlite3) -> c_int {
    sqlite3_open_v2(
        filename,
        pp_db,
        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
        std::ptr::null(),
    )
}

#[no_mangle]
pub extern "C" fn sqlite3_open_v2(
    filename: *const c_char,
    pp_db: *mut *mut sqlite3,
    flags: c_int,
    vfs: *const c_char,
) -> c_int {
    guard_rc(|| {
        crate::config::sqlite3_initialize();
        if pp_db.is_null() {
            return SQLITE_MISUSE;
        }
        // As in SQLite, bad flags leave *pp_db as it was.
        if !valid_open_flags(flags) {
            return SQLITE_MISUSE;
        }
        // SAFETY: pp_db is non-NULL and points to writable storage for a handle pointer.
        unsafe { *pp_db = std::ptr::null_mut() };
        // SAFETY: filename and vfs are NULL or NUL-terminated strings, per the API contract.
        let (filename, vfs) = unsafe { (c_bytes(filename), c_bytes(vfs)) };
        let (db, rc) = open(filename.unwrap_or(b""), flags, vfs);
        // SAFETY: pp_db is non-NULL (checked above); the handle is owned by C from here on.
        unsafe { *pp_db = Box::into_raw(db) };
        rc
    })
}

#[no_mangle]
pub extern "C" fn sqlite3_close(db: *mut sqlite3) -> c_int {
    close(db, false)
}

#[no_mangle]
pub extern "C" fn sqlite3_close_v2(db: *mut sqlite3) -> c_int {
    close(db, true)
}

fn close(db: *mut sqlite3, deferred: bool) -> c_int {
    guard_rc(|| {
        if db.is_null() {
            return SQLITE_OK;
        }
        {
            // SAFETY: db is a live handle, per the API contract.
            let mut state = unsafe { lock(db) };
            if state.statements > 0 {
                if deferred {
                    state.zombie = true;
                    return SQLITE_OK;
                }
                state.set_error(
                    SQLITE_BUSY,
                    Some("unable to close due to unfinalized statements or unfinished backups"),
                );
                return SQLITE_BUSY;
            }
        }
        // SAFETY: the lock is released, no statement is live, and C gives the handle up.
        unsafe { free(db) };
        SQLITE_OK
    })
}

#[no_mangle]
pub extern "C" fn sqlite3_errcode(db: *mut sqlite3) -> c_int {
    guard_rc(|| {
        if db.is_null() {
            return SQLITE_NOMEM;
        }
        if crate::function::in_callback(db) {
            // Asked by a function while its statement runs (the mutex is held above).
            return SQLITE_OK;
        }
        // SAFETY: db is a live handle, per the API contract.
        let state = unsafe { lock(db) };
        state.returned(state.code)
    })
}

#[no_mangle]
pub extern "C" fn sqlite3_extended_errcode(db: *mut sqlite3) -> c_int {
    guard_rc(|| {
        if db.is_null() {
            return SQLITE_NOMEM;
        }
        if crate::function::in_callback(db) {
            // Asked by a function while its statement runs (the mutex is held above).
            return SQLITE_OK;
        }
        // SAFETY: db is a live handle, per the API contract.
        unsafe { lock(db) }.code
    })
}

#[no_mangle]
pub extern "C" fn sqlite3_errmsg(db: *mut sqlite3) -> *const c_char {
    guard(errstr_ptr(SQLITE_NOMEM), || {
        if db.is_null() {
            return errstr_ptr(SQLITE_NOMEM);
        }
        if crate::function::in_callback(db) {
            // Asked by a function while its statement runs (the mutex is held above).
            return errstr_ptr(SQLITE_OK);
        }
        // SAFETY: db is a live handle, per the API contract.
        let state = unsafe { lock(db) };
        match (&state.message, state.code) {
            // The message lives in the handle until the next call that sets the error.
            (Some(message), code) if code != SQLITE_OK => message.as_ptr(),
            (_, code) => errstr_ptr(code),
        }
    })
}

#[no_mangle]
pub extern "C" fn sqlite3_errstr(rc: c_int) -> *const c_char {
    errstr_ptr(rc)
}

/// Runs `f` on the open connection of `db`, or returns `fallback` for NULL or a failed open.
fn with_connection<R>(db: *mut sqlite3, fallback: R, f: impl FnOnce(&Connection) -> R) -> R
where
    R: Copy,
{
    guard(fallback, || {
        if db.is_null() {
            return fallback;
        }
        // SAFETY: db is a live handle, per the API contract.
        let state = unsafe { lock(db) };
        state.conn.as_ref().map_or(fallback, f)
    })
}

#[no_mangle]
pub extern "C" fn sqlite3_changes(db: *mut sqlite3) -> c_int {
    // SQLite truncates the 64-bit count the same way.
    sqlite3_changes64(db) as c_int
}

#[no_mangle]
pub extern "C" fn sqlite3_changes64(db: *mut sqlite3) -> i64 {
    with_connection(db, 0, Connection::changes)
}

#[no_mangle]
pub extern "C" fn sqlite3_total_changes(db: *mut sqlite3) -> c_int {
    sqlite3_total_changes64(db) as c_int
}

#[no_mangle]
pub extern "C" fn sqlite3_total_changes64(db: *mut sqlite3) -> i64 {
    with_connection(db, 0, Connection::total_changes)
}

#[no_mangle]
pub extern "C" fn sqlite3_last_insert_rowid(db: *mut sqlite3) -> i64 {
    with_connection(db, 0, Connection::last_insert_rowid)
}

#[no_mangle]
pub extern "C" fn sqlite3_get_autocommit(db: *mut sqlite3) -> c_int {
    with_connection(db, 0, |conn| c_int::from(conn.is_autocommit()))
}

#[no_mangle]
pub extern "C" fn sqlite3_interrupt(db: *mut sqlite3) {
    guard((), || {
        if db.is_null() {
            return;
        }
        // SAFETY: db is a live handle, per the API contract; only the lock-free part is read.
        if let Some(handle) = unsafe { &(*db).interrupt } {
            handle.interrupt();
        }
    })
}

#[no_mangle]
pub extern "C" fn sqlite3_busy_timeout(db: *mut sqlite3, ms: c_int) -> c_int {
    guard_rc(|| {
        if db.is_null() {
            return SQLITE_MISUSE;
        }
        // SAFETY: db is a live handle, per the API contract.
        let mut state = unsafe { lock(db) };
        // A timeout replaces any busy handler, as in SQLite.
        state.busy_handler = None;
        state.run_own_sql(&format!("PRAGMA busy_timeout = {}", ms.max(0)))
    })
}

/// The callback of `sqlite3_exec`: user data, column count, values, names.
pub type ExecCallback =
    Option<unsafe extern "C" fn(*mut c_void, c_int, *mut *mut c_char, *mut *mut c_char) -> c_int>;

#[no_mangle]
pub extern "C" fn sqlite3_exec(
    db: *mut sqlite3,
    sql: *const c_char,
    callback: ExecCallback,
    arg: *mut c_void,
    errmsg: *mut *mut c_char,
) -> c_int {
    guard_rc(|| {
        if !errmsg.is_null() {
            // SAFETY: errmsg is non-NULL and points to writable storage, per the API contract.
            unsafe { *errmsg = std::ptr::null_mut() };
        }
        if db.is_null() {
            return SQLITE_MISUSE;
        }
        // Each statement is prepared, stepped and finalized through the public entry points,
        // so the callback runs with the connection unlocked and may use it.
        let rc = stmt::exec(db, sql, callback, arg);
        if rc != SQLITE_OK && !errmsg.is_null() {
            let message = sqlite3_errmsg(db);
            // SAFETY: errmsg is non-NULL (checked above); the copy belongs to the caller, who
            // frees it with sqlite3_free.
            unsafe { *errmsg = mem::strdup(message) };
        }
        rc
    })
}
