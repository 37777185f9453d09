//! `PRAGMA count_changes` against SQLite: with it on, INSERT, UPDATE and DELETE return one row
//! holding their count of changed rows (column names, values and `changes()` as SQLite's).

mod oracle;

use basalt_core::connection::Connection;

const SCRIPT: &[&str] = &[
    "CREATE TABLE t(a INTEGER PRIMARY KEY, b UNIQUE, c)",
    "CREATE TABLE log(x)",
    "PRAGMA count_changes",
    "INSERT INTO t VALUES (1, 'a', 0)",
    "PRAGMA count_changes = 1",
    "PRAGMA count_changes",
    "INSERT INTO t VALUES (2, 'b', 0), (3, 'c', 0)",
    "INSERT INTO t SELECT a + 10, b || 'x', c FROM t",
    "INSERT OR IGNORE INTO t VALUES (4, 'a', 0)",
    "INSERT OR REPLACE INTO t VALUES (5, 'a', 1)",
    "INSERT INTO t VALUES (5, 'z', 2) ON CONFLICT(a) DO NOTHING",
    "UPDATE t SET c = c + 1 WHERE a > 10",
    "UPDATE t SET c = 0 WHERE a > 100",
    "UPDATE OR IGNORE t SET b = 'b' WHERE a = 3",
    "INSERT INTO t VALUES (6, 'f', 0) RETURNING a",
    "DELETE FROM t WHERE a = 6 RETURNING b",
    "DELETE FROM t WHERE a > 10",
    "INSERT INTO log SELECT a FROM t",
    "DELETE FROM log",
    "INSERT INTO t VALUES (1, 'dup', 0)",
    "PRAGMA count_changes = off",
    "INSERT INTO t VALUES (7, 'g', 0)",
    "PRAGMA count_changes = yes",
    "DELETE FROM t",
    "PRAGMA count_changes = 'nonsense'",
    "PRAGMA count_changes",
    "PRAGMA count_changes = 2",
    "PRAGMA count_changes",
    "PRAGMA count_changes(0)",
    "PRAGMA count_changes",
];

#[test]
fn count_changes_matches_sqlite() {
    oracle::compare(SCRIPT);
}

/// SQLite's count leaves out the rows an upsert updates: refused rather than miscounted.
#[test]
fn upsert_updates_are_refused() {
    let conn = Connection::open(":memory:").expect("open");
    conn.execute_batch("CREATE TABLE t(a PRIMARY KEY, b); PRAGMA count_changes = 1")
        .expect("setup");
    let sql = "INSERT INTO t VALUES (1, 2) ON CONFLICT(a) DO UPDATE SET b = 3";
    let err = conn.prepare(sql).err().expect("refused");
    assert!(err.message.contains("not supported"), "{}", err.message);
}

/// A statement prepared before the setting changes follows it, as SQLite expires statements
/// when a flag pragma changes.
#[test]
fn statements_prepared_before_follow_the_setting() {
    let conn = Connection::open(":memory:").expect("open");
    conn.execute_batch("CREATE TABLE t(x)").expect("create");
    let mut insert = conn.prepare("INSERT INTO t VALUES (1)").expect("prepare");
    assert_eq!(insert.column_count(), 0);
    conn.execute_batch("PRAGMA count_changes = 1")
        .expect("pragma");
    assert!(insert.step_blocking().expect("step"), "a count row");
    assert_eq!(insert.column_name(0), Some("rows inserted"));
    assert_eq!(insert.row(), &[basalt_core::record::Value::Integer(1)]);
    assert!(!insert.step_blocking().expect("step"));
}
