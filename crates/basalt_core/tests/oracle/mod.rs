//! Running the same statements on Basalt and on SQLite (rusqlite, bundled 3.54.1) and comparing
//! everything a caller can see: column names, rows (values and storage classes), error
//! messages, `changes()`, `total_changes()` and `last_insert_rowid()`. The one such helper of
//! the engine's differential tests.

#![allow(dead_code)]

use basalt_core::connection::Connection;
use basalt_core::record::Value;
use std::path::{Path, PathBuf};

#[derive(Debug, PartialEq)]
pub enum Outcome {
    Rows(Vec<String>, Vec<Vec<Value>>),
    Error(String),
}

/// One statement's outcome and the connection's counters after it.
#[derive(Debug, PartialEq)]
pub struct Seen {
    pub outcome: Outcome,
    pub changes: i64,
    pub total_changes: i64,
    pub last_insert_rowid: i64,
}

pub fn ours(conn: &Connection, sql: &str) -> Seen {
    let outcome = ours_bound(conn, sql, &[]);
    Seen {
        outcome,
        changes: conn.changes(),
        total_changes: conn.total_changes(),
        last_insert_rowid: conn.last_insert_rowid(),
    }
}

pub fn theirs(conn: &rusqlite::Connection, sql: &str) -> Seen {
    let outcome = match conn.prepare(sql) {
        Err(e) => Outcome::Error(message(e, sql)),
        Ok(mut stmt) => sqlite_outcome(&mut stmt, sql),
    };
    Seen {
        outcome,
        changes: conn.changes() as i64,
        total_changes: conn.total_changes() as i64,
        last_insert_rowid: conn.last_insert_rowid(),
    }
}

/// Column `i` of a SQLite row as a Basalt value.
pub fn sqlite_value(row: &rusqlite::Row<'_>, i: usize) -> Value {
    use rusqlite::types::ValueRef;
    match row.get_ref(i).expect("column") {
        ValueRef::Null => Value::Null,
        ValueRef::Integer(i) => Value::Integer(i),
        ValueRef::Real(f) => Value::Real(f),
        ValueRef::Text(t) => Value::Text(t.to_vec()),
        ValueRef::Blob(b) => Value::Blob(b.to_vec()),
    }
}

/// SQLite's message, without the " in <sql> at offset N" rusqlite appends to prepare errors.
pub fn message(e: rusqlite::Error, sql: &str) -> String {
    let text = match e {
        rusqlite::Error::SqliteFailure(_, Some(m)) => m,
        other => other.to_string(),
    };
    match text.find(&format!(" in {sql} at offset")) {
        Some(i) => text[..i].to_string(),
        None => text,
    }
}

/// A Basalt database file and a SQLite one side by side in a fresh directory.
pub struct Pair {
    pub dir: PathBuf,
    pub ours: Connection,
    pub theirs: rusqlite::Connection,
}

impl Pair {
    pub fn new(name: &str) -> Pair {
        Pair::written_by_sqlite(name, "")
    }

    /// Both files first written by SQLite running `setup` (what Basalt cannot write itself
    /// yet, e.g. ALTER TABLE), then opened as in `new`.
    pub fn written_by_sqlite(name: &str, setup: &str) -> Pair {
        let dir = std::env::temp_dir().join(format!("basalt-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("temp dir");
        for file in ["b.db", "s.db"] {
            let conn = rusqlite::Connection::open(dir.join(file)).expect("open for setup");
            conn.execute_batch(setup).expect("setup script");
        }
        let ours = Connection::open(path_str(&dir.join("b.db"))).expect("open basalt");
        let theirs = rusqlite::Connection::open(dir.join("s.db")).expect("open sqlite");
        // The bundled SQLite enables foreign keys by default; Basalt does not enforce them yet.
        theirs
            .execute_batch("PRAGMA foreign_keys = 0")
            .expect("foreign_keys");
        Pair { dir, ours, theirs }
    }

    /// Runs each statement on both and asserts they saw the same.
    pub fn run(&self, script: &[&str]) {
        for sql in script {
            assert_eq!(ours(&self.ours, sql), theirs(&self.theirs, sql), "{sql}");
        }
    }

    /// Closes Basalt's connection; returns SQLite connections on Basalt's file (checked with
    /// SQLite's `integrity_check`) and on SQLite's own file.
    pub fn hand_over(self) -> (rusqlite::Connection, rusqlite::Connection, PathBuf) {
        drop(self.ours);
        let reopened = rusqlite::Connection::open(self.dir.join("b.db")).expect("reopen");
        let check: String = reopened
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .expect("integrity_check");
        assert_eq!(check, "ok");
        reopened
            .execute_batch("PRAGMA foreign_keys = 0")
            .expect("foreign_keys");
        (reopened, self.theirs, self.dir)
    }
}

/// Runs each statement on two SQLite connections and asserts they saw the same rows and
/// errors, and after a successful INSERT the same `changes()` and `last_insert_rowid()` (the
/// connections' histories differ, so earlier counters may not).
pub fn run_both_sqlite(a: &rusqlite::Connection, b: &rusqlite::Connection, script: &[&str]) {
    for sql in script {
        let (x, y) = (theirs(a, sql), theirs(b, sql));
        assert_eq!(x.outcome, y.outcome, "{sql}");
        if sql.starts_with("INSERT") && matches!(x.outcome, Outcome::Rows(..)) {
            assert_eq!(x.changes, y.changes, "{sql}");
            assert_eq!(x.last_insert_rowid, y.last_insert_rowid, "{sql}");
        }
    }
}

pub fn path_str(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

/// A fresh pair of in-memory databases.
pub fn memory_pair() -> (Connection, rusqlite::Connection) {
    let ours = Connection::open(":memory:").expect("open basalt");
    let theirs = rusqlite::Connection::open_in_memory().expect("open sqlite");
    theirs
        .execute_batch("PRAGMA foreign_keys = 0")
        .expect("foreign_keys");
    (ours, theirs)
}

/// Runs each statement on both connections and asserts the same column names, rows or error,
/// and `changes()`.
pub fn compare_on(a: &Connection, b: &rusqlite::Connection, script: &[&str]) {
    for sql in script {
        let (x, y) = (ours(a, sql), theirs(b, sql));
        assert_eq!((x.outcome, x.changes), (y.outcome, y.changes), "{sql}");
    }
}

/// `compare_on` over a fresh in-memory database of each engine.
pub fn compare(script: &[&str]) {
    let (a, b) = memory_pair();
    compare_on(&a, &b, script);
}

/// `compare`, but a statement that runs longer than `limit` on either engine is interrupted
/// and fails the test (a query that should stop early must not hang CI).
pub fn compare_within(limit: std::time::Duration, script: &[&str]) {
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::{mpsc, Arc};
    let (a, b) = memory_pair();
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
        let (x, y) = (ours(&a, sql), theirs(&b, sql));
        drop(done);
        watchdog.join().expect("watchdog");
        assert!(
            !fired.load(Ordering::SeqCst),
            "did not finish within {limit:?}: {sql}\nBasalt: {:?}\nSQLite: {:?}",
            x.outcome,
            y.outcome
        );
        assert_eq!((x.outcome, x.changes), (y.outcome, y.changes), "{sql}");
    }
}

/// Rows of one statement with `params` bound to ?1, ?2, …, on Basalt (an error as its message).
pub fn ours_bound(conn: &Connection, sql: &str, params: &[Value]) -> Outcome {
    let mut stmt = match conn.prepare(sql) {
        Ok(stmt) => stmt,
        Err(e) => return Outcome::Error(e.message),
    };
    for (i, p) in params.iter().enumerate() {
        if let Err(e) = stmt.bind(i + 1, p.clone()) {
            return Outcome::Error(e.message);
        }
    }
    let names = (0..stmt.column_count())
        .map(|i| stmt.column_name(i).unwrap_or("").to_string())
        .collect();
    let mut rows = Vec::new();
    loop {
        match stmt.step_blocking() {
            Ok(true) => rows.push(stmt.row().to_vec()),
            Ok(false) => return Outcome::Rows(names, rows),
            Err(e) => return Outcome::Error(e.message),
        }
    }
}

/// [`ours_bound`] on SQLite (statements cached, so a loop over many values stays fast).
pub fn theirs_bound(conn: &rusqlite::Connection, sql: &str, params: &[Value]) -> Outcome {
    use rusqlite::types::{ToSqlOutput, Value as V};
    let mut stmt = match conn.prepare_cached(sql) {
        Ok(stmt) => stmt,
        Err(e) => return Outcome::Error(message(e, sql)),
    };
    for (i, p) in params.iter().enumerate() {
        let v = match p {
            Value::Null => V::Null,
            Value::Integer(n) => V::Integer(*n),
            Value::Real(r) => V::Real(*r),
            Value::Text(t) => V::Text(String::from_utf8_lossy(t).into_owned()),
            Value::Blob(b) => V::Blob(b.clone()),
        };
        if let Err(e) = stmt.raw_bind_parameter(i + 1, ToSqlOutput::Owned(v)) {
            return Outcome::Error(message(e, sql));
        }
    }
    sqlite_outcome(&mut stmt, sql)
}

/// Runs a prepared (and bound) SQLite statement to its end: its rows, or its error.
fn sqlite_outcome(stmt: &mut rusqlite::Statement<'_>, sql: &str) -> Outcome {
    let names: Vec<String> = stmt.column_names().map(|s| s.to_string()).collect();
    let n = names.len();
    let mut rows = Vec::new();
    let mut q = stmt.raw_query();
    loop {
        match q.next() {
            Ok(Some(r)) => rows.push((0..n).map(|i| sqlite_value(r, i)).collect()),
            Ok(None) => return Outcome::Rows(names, rows),
            Err(e) => return Outcome::Error(message(e, sql)),
        }
    }
}

/// The `detail` column of `EXPLAIN QUERY PLAN sql` on Basalt, in order.
pub fn plan_details(conn: &Connection, sql: &str) -> Vec<String> {
    let mut stmt = conn
        .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
    let mut details = Vec::new();
    while stmt
        .step_blocking()
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
    {
        if let Value::Text(detail) = &stmt.row()[3] {
            details.push(String::from_utf8_lossy(detail).into_owned());
        }
    }
    details
}

/// The same on SQLite.
pub fn plan_details_sqlite(conn: &rusqlite::Connection, sql: &str) -> Vec<String> {
    let mut stmt = conn
        .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
    stmt.query_map([], |r| r.get(3))
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
        .map(|r| r.unwrap_or_else(|e| panic!("{sql}: {e}")))
        .collect()
}

/// Asserts that every query's plan details are SQLite's on the two connections, listing all
/// that differ.
pub fn assert_same_plans(mine: &Connection, oracle: &rusqlite::Connection, queries: &[&str]) {
    let wrong: Vec<String> = queries
        .iter()
        .filter_map(|sql| {
            let (a, b) = (plan_details(mine, sql), plan_details_sqlite(oracle, sql));
            (a != b).then(|| format!("{sql}\n  ours:   {a:?}\n  sqlite: {b:?}"))
        })
        .collect();
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// Runs `sql` to the end on Basalt: how many rows came and the VM instructions it took
/// (`Statement::vm_steps`), the measure of bounded work.
pub fn rows_and_steps(conn: &Connection, sql: &str) -> (usize, u64) {
    let mut stmt = conn.prepare(sql).unwrap_or_else(|e| panic!("{sql}: {e}"));
    let mut rows = 0;
    while stmt
        .step_blocking()
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
    {
        rows += 1;
    }
    (rows, stmt.vm_steps())
}
