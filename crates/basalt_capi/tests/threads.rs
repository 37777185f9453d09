//! Serialized threading: one connection and its statements used from several threads at once
//! through the exported functions; every row must land and every call must succeed.

use ::sqlite3 as capi;
use capi::*;
use std::ffi::{c_char, CStr};
use std::ptr::null_mut;

/// A connection handle shared by threads, as C programs share `sqlite3 *`.
#[derive(Clone, Copy)]
struct Shared(*mut capi::sqlite3);

// SAFETY: the library is in serialized mode: every entry point holds the connection's mutex,
// which is exactly what this test checks.
unsafe impl Send for Shared {}

fn prepare(db: *mut capi::sqlite3, sql: &CStr) -> *mut sqlite3_stmt {
    let mut stmt = null_mut();
    let rc = sqlite3_prepare_v2(db, sql.as_ptr(), -1, &mut stmt, null_mut());
    assert_eq!(rc, SQLITE_OK);
    stmt
}

fn exec(db: *mut capi::sqlite3, sql: &CStr) {
    assert_eq!(
        sqlite3_exec(db, sql.as_ptr(), None, null_mut(), null_mut()),
        SQLITE_OK
    );
}

#[test]
fn one_connection_many_threads() {
    let mut db = null_mut();
    assert_eq!(sqlite3_open(c":memory:".as_ptr(), &mut db), SQLITE_OK);
    exec(db, c"CREATE TABLE t(thread, n, text)");
    let shared = Shared(db);
    let threads: Vec<_> = (0..4)
        .map(|thread| {
            std::thread::spawn(move || {
                let db = shared;
                let insert = prepare(db.0, c"INSERT INTO t VALUES(?1, ?2, ?3)");
                let count = prepare(db.0, c"SELECT count(*) FROM t WHERE thread = ?1");
                for n in 0..200 {
                    assert_eq!(sqlite3_bind_int(insert, 1, thread), SQLITE_OK);
                    assert_eq!(sqlite3_bind_int(insert, 2, n), SQLITE_OK);
                    let text: *const c_char = c"row".as_ptr();
                    assert_eq!(sqlite3_bind_text(insert, 3, text, -1, 0), SQLITE_OK);
                    assert_eq!(sqlite3_step(insert), SQLITE_DONE);
                    assert_eq!(sqlite3_reset(insert), SQLITE_OK);
                    assert_eq!(sqlite3_bind_int(count, 1, thread), SQLITE_OK);
                    assert_eq!(sqlite3_step(count), SQLITE_ROW);
                    assert_eq!(sqlite3_column_int(count, 0), n + 1);
                    assert_eq!(sqlite3_reset(count), SQLITE_OK);
                }
                assert_eq!(sqlite3_finalize(insert), SQLITE_OK);
                assert_eq!(sqlite3_finalize(count), SQLITE_OK);
            })
        })
        .collect();
    for t in threads {
        t.join().expect("thread finished");
    }
    let total = prepare(db, c"SELECT count(*), sum(n) FROM t");
    assert_eq!(sqlite3_step(total), SQLITE_ROW);
    assert_eq!(sqlite3_column_int(total, 0), 800);
    assert_eq!(sqlite3_column_int64(total, 1), 4 * (199 * 200 / 2));
    let text = sqlite3_column_text(total, 0);
    // SAFETY: column_text returned a NUL-terminated string valid until the next step.
    assert_eq!(unsafe { CStr::from_ptr(text.cast()) }, c"800");
    assert_eq!(sqlite3_finalize(total), SQLITE_OK);
    assert_eq!(sqlite3_close(db), SQLITE_OK);
    assert!(!sqlite3_errmsg(null_mut()).is_null());
}
