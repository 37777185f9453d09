//! Connection hooks: `sqlite3_commit_hook`, `sqlite3_rollback_hook`, `sqlite3_update_hook`,
//! `sqlite3_progress_handler`, `sqlite3_set_authorizer`.
//!
//! Invariants:
//! - Each hook is the engine's closure around the application's callback and pointer; the
//!   pointer of the hook being replaced is what the `*_hook` call returns, as in SQLite
//!   (`HookArgs`, kept in the connection's state under its mutex).
//! - Callbacks run inside engine calls with the connection's mutex held: they must not use
//!   the connection (SQLite forbids that too).

use crate::codes::*;
use crate::db::{self, sqlite3, DbState};
use crate::ffi::guard;
use crate::function::CallbackScope;
use basalt_core::hooks::{Hooks, Progress, UpdateHook, UpdateOp};
use std::ffi::{c_char, c_int, c_void, CString};
use std::ptr::null_mut;
use std::rc::Rc;

/// The application pointers of the hooks now set, returned when they are replaced.
#[derive(Default)]
pub(crate) struct HookArgs {
    commit: usize,
    rollback: usize,
    update: usize,
}

/// Runs `f` on an open connection's hooks and hook pointers; `fallback` for NULL or a failed
/// open.
fn with_hooks<R>(
    db: *mut sqlite3,
    fallback: R,
    f: impl FnOnce(&mut Hooks, &mut HookArgs) -> R,
) -> R {
    let mut fallback = Some(fallback);
    let result = guard(None, || {
        if db.is_null() {
            return None;
        }
        // SAFETY: db is a live handle, per the API contract.
        let mut state = unsafe { db::lock(db) };
        let DbState {
            conn, hook_args, ..
        } = &mut *state;
        let conn = conn.as_ref()?;
        Some(conn.with_hooks(|hooks| f(hooks, hook_args)))
    });
    result.unwrap_or_else(|| fallback.take().expect("taken once"))
}

type CommitHook = Option<unsafe extern "C" fn(*mut c_void) -> c_int>;
type RollbackHook = Option<unsafe extern "C" fn(*mut c_void)>;

#[no_mangle]
pub extern "C" fn sqlite3_commit_hook(
    db: *mut sqlite3,
    callback: CommitHook,
    arg: *mut c_void,
) -> *mut c_void {
    with_hooks(db, null_mut(), |hooks, args| {
        let previous = std::mem::replace(&mut args.commit, arg as usize);
        hooks.commit = callback.map(|cb| {
            let (arg, db) = (arg as usize, db as usize);
            Box::new(move || {
                let _scope = CallbackScope::enter(db as *mut sqlite3);
                // SAFETY: the application's callback with its own pointer.
                unsafe { cb(arg as *mut c_void) != 0 }
            }) as Box<dyn FnMut() -> bool>
        });
        if hooks.commit.is_none() {
            args.commit = 0;
        }
        previous as *mut c_void
    })
}

#[no_mangle]
pub extern "C" fn sqlite3_rollback_hook(
    db: *mut sqlite3,
    callback: RollbackHook,
    arg: *mut c_void,
) -> *mut c_void {
    with_hooks(db, null_mut(), |hooks, args| {
        let previous = std::mem::replace(&mut args.rollback, arg as usize);
        hooks.rollback = callback.map(|cb| {
            let (arg, db) = (arg as usize, db as usize);
            Box::new(move || {
                let _scope = CallbackScope::enter(db as *mut sqlite3);
                // SAFETY: the application's callback with its own pointer.
                unsafe { cb(arg as *mut c_void) }
            }) as Box<dyn FnMut()>
        });
        if hooks.rollback.is_none() {
            args.rollback = 0;
        }
        previous as *mut c_void
    })
}

type CUpdateHook =
    Option<unsafe extern "C" fn(*mut c_void, c_int, *const c_char, *const c_char, i64)>;

#[no_mangle]
pub extern "C" fn sqlite3_update_hook(
    db: *mut sqlite3,
    callback: CUpdateHook,
    arg: *mut c_void,
) -> *mut c_void {
    with_hooks(db, null_mut(), |hooks, args| {
        let previous = std::mem::replace(&mut args.update, arg as usize);
        hooks.update = callback.map(|cb| {
            let (arg, db) = (arg as usize, db as usize);
            Box::new(
                move |op: UpdateOp, db_name: &str, table: &str, rowid: i64| {
                    let _scope = CallbackScope::enter(db as *mut sqlite3);
                    let (Ok(db_name), Ok(table)) = (CString::new(db_name), CString::new(table))
                    else {
                        return;
                    };
                    // SAFETY: the application's callback with its own pointer and two strings
                    // valid for the call.
                    unsafe {
                        cb(
                            arg as *mut c_void,
                            op as c_int,
                            db_name.as_ptr(),
                            table.as_ptr(),
                            rowid,
                        )
                    }
                },
            ) as Box<UpdateHook>
        });
        if hooks.update.is_none() {
            args.update = 0;
        }
        previous as *mut c_void
    })
}

#[no_mangle]
pub extern "C" fn sqlite3_progress_handler(
    db: *mut sqlite3,
    n_ops: c_int,
    callback: CommitHook,
    arg: *mut c_void,
) {
    with_hooks(db, (), |hooks, _| {
        hooks.progress = match (callback, u32::try_from(n_ops)) {
            (Some(cb), Ok(every)) if every > 0 => {
                let (arg, db) = (arg as usize, db as usize);
                Some(Progress {
                    every,
                    handler: Box::new(move || {
                        let _scope = CallbackScope::enter(db as *mut sqlite3);
                        // SAFETY: the application's callback with its own pointer.
                        unsafe { cb(arg as *mut c_void) != 0 }
                    }),
                })
            }
            _ => None,
        };
    });
}

type Authorizer = Option<
    unsafe extern "C" fn(
        *mut c_void,
        c_int,
        *const c_char,
        *const c_char,
        *const c_char,
        *const c_char,
    ) -> c_int,
>;

/// Sets or clears the authorizer; the engine calls it while statements compile, and statements
/// prepared before compile again (`Connection::set_authorizer`).
#[no_mangle]
pub extern "C" fn sqlite3_set_authorizer(
    db: *mut sqlite3,
    callback: Authorizer,
    arg: *mut c_void,
) -> c_int {
    guard(SQLITE_INTERNAL, || {
        if db.is_null() {
            return SQLITE_MISUSE;
        }
        // SAFETY: db is a live handle, per the API contract.
        let mut state = unsafe { db::lock(db) };
        let Some(conn) = state.conn.as_ref() else {
            return SQLITE_MISUSE;
        };
        conn.set_authorizer(callback.map(|cb| {
            let (arg, db) = (arg as usize, db as usize);
            Rc::new(
                move |action: c_int,
                      a: Option<&str>,
                      b: Option<&str>,
                      db_name: Option<&str>,
                      inner: Option<&str>| {
                    let _scope = CallbackScope::enter(db as *mut sqlite3);
                    let texts =
                        [a, b, db_name, inner].map(|t| t.and_then(|t| CString::new(t).ok()));
                    let ptr = |i: usize| texts[i].as_ref().map_or(std::ptr::null(), |t| t.as_ptr());
                    // SAFETY: the application's callback with its own pointer and strings valid
                    // for the call.
                    unsafe { cb(arg as *mut c_void, action, ptr(0), ptr(1), ptr(2), ptr(3)) }
                },
            ) as Rc<basalt_core::hooks::Authorizer>
        }));
        state.clear_error();
        SQLITE_OK
    })
}
