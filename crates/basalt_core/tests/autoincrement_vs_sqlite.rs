//! AUTOINCREMENT and `sqlite_sequence` against SQLite: the same statements on a Basalt file and
//! a SQLite file give the same rows, errors, counters and `sqlite_sequence` contents; Basalt's
//! file passes SQLite's integrity check, and SQLite continuing on either file allocates the same
//! ids.

mod oracle;

use basalt_core::connection::Connection;
use oracle::{run_both_sqlite, Pair};

const SCHEMA: &str = "SELECT type, name, tbl_name, rootpage, sql FROM sqlite_schema";
const SEQ: &str = "SELECT rowid, name, seq, typeof(seq) FROM sqlite_sequence ORDER BY rowid";

#[test]
fn counters_follow_sqlite() {
    let pair = Pair::new("autoinc-counters");
    pair.run(&[
        "CREATE TABLE t(id INTEGER PRIMARY KEY AUTOINCREMENT, u UNIQUE, n NOT NULL)",
        SCHEMA,
        SEQ,
        "PRAGMA schema_version",
        "INSERT INTO t(u, n) VALUES ('a', 1)",
        SEQ,
        "INSERT INTO t(u, n) VALUES ('b', 1), ('c', 1), ('d', 1)",
        "INSERT INTO t VALUES (100, 'e', 1)",
        "INSERT INTO t VALUES (50, 'f', 1)",
        "INSERT INTO t(u, n) VALUES ('g', 1)",
        SEQ,
        "DELETE FROM t WHERE id > 50",
        "INSERT INTO t(u, n) VALUES ('h', 1)",
        "SELECT * FROM t ORDER BY id",
        "INSERT INTO t VALUES (-5, 'neg', 1)",
        "INSERT INTO t VALUES (NULL, 'null', 1)",
        SEQ,
        // IGNORE still raises the counter: the rowid was chosen before the row was skipped.
        "INSERT OR IGNORE INTO t VALUES (500, 'a', 1)",
        "INSERT OR IGNORE INTO t(u, n) VALUES ('i', NULL)",
        SEQ,
        // A failing statement leaves the counter as it was; OR FAIL keeps its rows but not the
        // counter's new value.
        "INSERT INTO t(u, n) VALUES ('j', 1), ('a', 1)",
        SEQ,
        "INSERT OR FAIL INTO t(u, n) VALUES ('k', 1), ('l', 1), ('k', 1)",
        SEQ,
        "SELECT * FROM t ORDER BY id",
        "INSERT INTO t(u, n) VALUES ('m', 1)",
        SEQ,
        // REPLACE keeps the counter moving.
        "INSERT OR REPLACE INTO t(u, n) VALUES ('m', 2)",
        "REPLACE INTO t VALUES (1000, 'a', 3)",
        SEQ,
        "SELECT * FROM t ORDER BY id",
        // INSERT ... SELECT from the table itself.
        "INSERT INTO t(u, n) SELECT u || 'x', n FROM t WHERE id > 100 ORDER BY id",
        "INSERT INTO t SELECT id + 5000, u || 'y', n FROM t WHERE id < 0",
        SEQ,
        "SELECT * FROM t ORDER BY id",
        "INSERT INTO t(u, n) SELECT 'never', 1 WHERE 0",
        SEQ,
        "UPDATE t SET id = 9000 WHERE u = 'h'",
        SEQ,
        "INSERT INTO t(u, n) VALUES ('after-update', 1)",
        SEQ,
        "DELETE FROM t",
        "INSERT INTO t(u, n) VALUES ('after-delete', 1)",
        "SELECT * FROM t",
        SEQ,
        "SELECT last_insert_rowid(), changes(), total_changes()",
    ]);
    let (basalt_file, sqlite_file, dir) = pair.hand_over();
    let more = [
        SEQ,
        SCHEMA,
        "INSERT INTO t(u, n) VALUES ('sqlite', 1)",
        "INSERT INTO t(u, n) VALUES ('sqlite2', 1), ('sqlite3', 1)",
        "SELECT * FROM t ORDER BY id",
        SEQ,
    ];
    run_both_sqlite(&basalt_file, &sqlite_file, &more);
    drop(basalt_file);
    drop(sqlite_file);
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn transactions_roll_the_counter_back() {
    let pair = Pair::new("autoinc-txn");
    pair.run(&[
        "CREATE TABLE t(id INTEGER PRIMARY KEY AUTOINCREMENT, v UNIQUE)",
        "BEGIN",
        "INSERT INTO t(v) VALUES (1), (2)",
        SEQ,
        "ROLLBACK",
        SEQ,
        "INSERT INTO t(v) VALUES (3)",
        SEQ,
        "BEGIN",
        "INSERT INTO t(v) VALUES (4)",
        "INSERT INTO t(v) VALUES (5), (4)",
        SEQ,
        "INSERT INTO t(id, v) VALUES (70, 6)",
        "COMMIT",
        SEQ,
        "SELECT * FROM t ORDER BY id",
        // SQLITE_FULL inside a transaction.
        "BEGIN",
        "INSERT INTO t(v) VALUES (8)",
        "INSERT INTO t(id, v) VALUES (9223372036854775807, 9)",
        "INSERT INTO t(v) VALUES (10), (11)",
        "SELECT * FROM t ORDER BY id",
        "COMMIT",
        SEQ,
        "SELECT * FROM t ORDER BY id",
    ]);
    let (basalt_file, sqlite_file, dir) = pair.hand_over();
    run_both_sqlite(
        &basalt_file,
        &sqlite_file,
        &[
            SEQ,
            "INSERT INTO t(v) VALUES (7)",
            "SELECT * FROM t ORDER BY id",
        ],
    );
    drop(basalt_file);
    drop(sqlite_file);
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn user_edits_of_sqlite_sequence() {
    let pair = Pair::new("autoinc-edits");
    pair.run(&[
        "CREATE TABLE t(id INTEGER PRIMARY KEY AUTOINCREMENT, v)",
        "CREATE TABLE \"Mixed Case\"(id INTEGER, v, PRIMARY KEY(id DESC AUTOINCREMENT))",
        SCHEMA,
        "INSERT INTO t(v) VALUES (1)",
        "INSERT INTO \"Mixed Case\"(v) VALUES (1)",
        SEQ,
        "UPDATE sqlite_sequence SET seq = '12x' WHERE name = 't'",
        "INSERT INTO t(v) VALUES (2)",
        "UPDATE sqlite_sequence SET seq = NULL WHERE name = 't'",
        "INSERT INTO t(v) VALUES (3)",
        "UPDATE sqlite_sequence SET seq = 55.9 WHERE name = 't'",
        "INSERT INTO t(v) VALUES (4)",
        "UPDATE sqlite_sequence SET seq = x'3730' WHERE name = 't'",
        "INSERT INTO t(v) VALUES (5)",
        "UPDATE sqlite_sequence SET seq = 'abc' WHERE name = 't'",
        "INSERT INTO t(v) VALUES (6)",
        SEQ,
        // A lower counter than the table's largest rowid: the rowid wins.
        "UPDATE sqlite_sequence SET seq = 1 WHERE name = 't'",
        "INSERT INTO t(v) VALUES (7)",
        SEQ,
        // Names match byte for byte: another case is another table's row.
        "UPDATE sqlite_sequence SET name = 'T' WHERE name = 't'",
        "INSERT INTO t(v) VALUES (8)",
        SEQ,
        "INSERT INTO sqlite_sequence VALUES ('t', 1000)",
        "INSERT INTO t(v) VALUES (9)",
        SEQ,
        "DELETE FROM sqlite_sequence WHERE name <> 't'",
        "DELETE FROM sqlite_sequence",
        "INSERT INTO t VALUES (-3, 10)",
        SEQ,
        "SELECT * FROM t ORDER BY id",
        "SELECT changes(), last_insert_rowid()",
        // The largest rowid: explicit is fine, the next one is not.
        "UPDATE sqlite_sequence SET seq = 1e300",
        "INSERT INTO t(v) VALUES (11)",
        "UPDATE sqlite_sequence SET seq = 9223372036854775806",
        "INSERT INTO t(v) VALUES (12)",
        "INSERT INTO t(v) VALUES (13)",
        "DELETE FROM t WHERE v = 12",
        "INSERT INTO t VALUES (9223372036854775807, 14)",
        "INSERT INTO t(v) VALUES (15)",
        "DELETE FROM sqlite_sequence",
        "INSERT INTO t(v) VALUES (16)",
        SEQ,
        "SELECT * FROM t ORDER BY id",
        "INSERT INTO \"Mixed Case\"(v) VALUES (2)",
        "SELECT * FROM \"Mixed Case\"",
        SEQ,
    ]);
    let (basalt_file, sqlite_file, dir) = pair.hand_over();
    run_both_sqlite(
        &basalt_file,
        &sqlite_file,
        &[
            SEQ,
            "INSERT INTO \"Mixed Case\"(v) VALUES (3)",
            "DELETE FROM t WHERE id > 1000",
            "INSERT INTO t(v) VALUES (17)",
            SEQ,
        ],
    );
    drop(basalt_file);
    drop(sqlite_file);
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn ddl_errors_and_drop() {
    let pair = Pair::new("autoinc-ddl");
    pair.run(&[
        "CREATE TABLE bad(a INT PRIMARY KEY AUTOINCREMENT)",
        "CREATE TABLE bad(a INTEGER PRIMARY KEY DESC AUTOINCREMENT)",
        "CREATE TABLE bad(a INTEGER, b, PRIMARY KEY(a, b AUTOINCREMENT))",
        "CREATE TABLE bad(a TEXT, PRIMARY KEY(a AUTOINCREMENT))",
        "CREATE TABLE bad(a INTEGER PRIMARY KEY AUTOINCREMENT) WITHOUT ROWID",
        "SELECT * FROM sqlite_sequence",
        "CREATE TABLE sqlite_sequence(name, seq)",
        "CREATE TABLE plain(a INTEGER PRIMARY KEY, b)",
        "INSERT INTO plain(b) VALUES (1)",
        SCHEMA,
        "CREATE TABLE a(id INTEGER PRIMARY KEY AUTOINCREMENT, x UNIQUE, y UNIQUE)",
        "CREATE TABLE b(id INTEGER PRIMARY KEY AUTOINCREMENT, x)",
        SCHEMA,
        "PRAGMA schema_version",
        "INSERT INTO a(x, y) VALUES (1, 1), (2, 2)",
        "INSERT INTO b(x) VALUES (1)",
        "INSERT INTO sqlite_sequence VALUES ('a', 77)",
        SEQ,
        "DROP TABLE sqlite_sequence",
        "CREATE INDEX s ON sqlite_sequence(name)",
        "DROP TABLE a",
        SEQ,
        "CREATE TABLE a(id INTEGER PRIMARY KEY AUTOINCREMENT, x)",
        "INSERT INTO a(x) VALUES (1)",
        "SELECT * FROM a",
        SEQ,
        "BEGIN",
        "DROP TABLE b",
        SEQ,
        "ROLLBACK",
        SEQ,
        "DROP TABLE b",
        "DROP TABLE a",
        SCHEMA,
        SEQ,
        "PRAGMA integrity_check",
    ]);
    let (basalt_file, sqlite_file, dir) = pair.hand_over();
    run_both_sqlite(
        &basalt_file,
        &sqlite_file,
        &[
            SCHEMA,
            "CREATE TABLE c(id INTEGER PRIMARY KEY AUTOINCREMENT)",
            "INSERT INTO c DEFAULT VALUES",
            SEQ,
        ],
    );
    drop(basalt_file);
    drop(sqlite_file);
    let _ = std::fs::remove_dir_all(dir);
}

/// Basalt continues on a file SQLite made, with its counters.
#[test]
fn basalt_continues_a_sqlite_file() {
    let dir = std::env::temp_dir().join(format!("basalt-autoinc-interop-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join("s.db");
    let setup = "CREATE TABLE t(id INTEGER PRIMARY KEY AUTOINCREMENT, v);
        INSERT INTO t(v) VALUES (1), (2);
        INSERT INTO t VALUES (40, 3);
        DELETE FROM t WHERE id = 40;";
    {
        let s = rusqlite::Connection::open(&path).expect("open");
        s.execute_batch(setup).expect("setup");
    }
    let b = Connection::open(oracle::path_str(&path)).expect("open basalt");
    let s = rusqlite::Connection::open_in_memory().expect("memory");
    s.execute_batch(setup).expect("setup");
    for sql in [
        "INSERT INTO t(v) VALUES (4)",
        SEQ,
        "SELECT * FROM t ORDER BY id",
    ] {
        // Only the outcome and this statement's counters: the setup ran on other connections.
        let (ours, theirs) = (oracle::ours(&b, sql), oracle::theirs(&s, sql));
        assert_eq!(ours.outcome, theirs.outcome, "{sql}");
        assert_eq!(ours.changes, theirs.changes, "{sql}");
        assert_eq!(ours.last_insert_rowid, theirs.last_insert_rowid, "{sql}");
    }
    drop(b);
    let reopened = rusqlite::Connection::open(&path).expect("reopen");
    let check: String = reopened
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .expect("integrity_check");
    assert_eq!(check, "ok");
    drop(reopened);
    let _ = std::fs::remove_dir_all(dir);
}
