//! The query engine against SQLite (rusqlite, bundled 3.54.1): run a script on both and compare
//! rows (values and storage classes), error messages and `changes()` statement by statement.
#![allow(dead_code)]

use basalt_core::connection::Connection;
use basalt_core::record::Value;

#[derive(Debug, PartialEq)]
pub enum Outcome {
    Rows(Vec<Vec<Value>>),
    Error(String),
}

pub fn ours(conn: &Connection, sql: &str) -> (Outcome, i64) {
    let outcome = match conn.prepare(sql) {
        Err(e) => Outcome::Error(e.message),
        Ok(mut stmt) => {
            let mut rows = Vec::new();
            loop {
                match stmt.step_blocking() {
                    Ok(true) => rows.push(stmt.row().to_vec()),
                    Ok(false) => break Outcome::Rows(rows),
                    Err(e) => break Outcome::Error(e.message),
                }
            }
        }
    };
    (outcome, conn.changes())
}

pub fn theirs(conn: &rusqlite::Connection, sql: &str) -> (Outcome, i64) {
    let outcome = match conn.prepare(sql) {
        Err(e) => Outcome::Error(message(e, sql)),
        Ok(mut stmt) => {
            let n = stmt.column_count();
            let mut rows = Vec::new();
            let mut q = stmt.raw_query();
            loop {
                match q.next() {
                    Ok(Some(r)) => rows.push(
                        (0..n)
                            .map(|i| match r.get_ref(i).expect("column") {
                                rusqlite::types::ValueRef::Null => Value::Null,
                                rusqlite::types::ValueRef::Integer(i) => Value::Integer(i),
                                rusqlite::types::ValueRef::Real(f) => Value::Real(f),
                                rusqlite::types::ValueRef::Text(t) => Value::Text(t.to_vec()),
                                rusqlite::types::ValueRef::Blob(b) => Value::Blob(b.to_vec()),
                            })
                            .collect(),
                    ),
                    Ok(None) => break Outcome::Rows(rows),
                    Err(e) => break Outcome::Error(message(e, sql)),
                }
            }
        }
    };
    (outcome, conn.changes() as i64)
}

/// SQLite's message, without the " in <sql> at offset N" rusqlite appends to prepare errors.
fn message(e: rusqlite::Error, sql: &str) -> String {
    let text = match e {
        rusqlite::Error::SqliteFailure(_, Some(m)) => m,
        other => other.to_string(),
    };
    match text.find(&format!(" in {sql} at offset")) {
        Some(i) => text[..i].to_string(),
        None => text,
    }
}

/// Runs each statement on both engines and compares.
pub fn compare(script: &[&str]) {
    let a = Connection::open(":memory:").expect("open");
    let b = rusqlite::Connection::open_in_memory().expect("open sqlite");
    for sql in script {
        assert_eq!(ours(&a, sql), theirs(&b, sql), "{sql}");
    }
}

/// `compare`, but a statement that runs longer than `limit` on either engine is interrupted
/// and fails the test (a query that should stop early must not hang CI).
pub fn compare_within(limit: std::time::Duration, script: &[&str]) {
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::{mpsc, Arc};
    let a = Connection::open(":memory:").expect("open");
    let b = rusqlite::Connection::open_in_memory().expect("open sqlite");
    for sql in script {
        let (ours_handle, theirs_handle) = (a.interrupt_handle(), b.get_interrupt_handle());
        let fired = Arc::new(AtomicBool::new(false));
        let fired_in_watchdog = Arc::clone(&fired);
        let (done, wait) = mpsc::channel::<()>();
        let watchdog = std::thread::spawn(move || {
            if let Err(mpsc::RecvTimeoutError::Timeout) = wait.recv_timeout(limit) {
                fired_in_watchdog.store(true, Ordering::SeqCst);
                ours_handle.interrupt();
                theirs_handle.interrupt();
            }
        });
        let ours_out = ours(&a, sql);
        let theirs_out = theirs(&b, sql);
        drop(done);
        watchdog.join().expect("watchdog");
        assert!(
            !fired.load(Ordering::SeqCst),
            "did not finish within {limit:?}: {sql}\nBasalt: {:?}\nSQLite: {:?}",
            ours_out.0,
            theirs_out.0
        );
        assert_eq!(ours_out, theirs_out, "{sql}");
    }
}
