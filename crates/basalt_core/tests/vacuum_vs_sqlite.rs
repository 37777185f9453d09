//! VACUUM against SQLite: the same database built on each engine, vacuumed by each, must show
//! the same schema rows (root pages included), the same rows, no free pages, and Basalt's file
//! must pass SQLite's `integrity_check` and read back the same in SQLite.

mod oracle;

use basalt_core::connection::Connection;
use oracle::{compare, ours, theirs, Outcome, Pair};

/// A schema with every kind of object VACUUM rebuilds or carries over, rows of every storage
/// class (overflowing blobs, invalid UTF-8), then deletions that leave free pages behind.
const SETUP: &[&str] = &[
    "PRAGMA user_version = 7",
    "PRAGMA application_id = 1234",
    "CREATE TABLE t(a INTEGER PRIMARY KEY, b TEXT UNIQUE, c REAL, d BLOB, e)",
    "CREATE TABLE plain(x, y COLLATE NOCASE)",
    "CREATE INDEX plain_y ON plain(y DESC, x)",
    "CREATE TABLE seq(id INTEGER PRIMARY KEY AUTOINCREMENT, v UNIQUE, w, UNIQUE(w, v))",
    "CREATE VIEW v AS SELECT a, b FROM t WHERE a % 2 = 0",
    "CREATE INDEX t_partial ON t(c) WHERE c > 10",
    "CREATE INDEX t_expr ON t(lower(b), a)",
    "CREATE TABLE later(k TEXT PRIMARY KEY, v)",
    "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000)
     INSERT INTO t SELECT i, 'name' || i, i * 0.5, zeroblob(i % 7 * 700), CASE i % 4 WHEN 0 THEN NULL
     WHEN 1 THEN i WHEN 2 THEN 'x' || i ELSE CAST(x'ff00fe' AS TEXT) END FROM n",
    "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000)
     INSERT INTO plain SELECT i, CASE i % 3 WHEN 0 THEN 'Abc' || i WHEN 1 THEN 'abc' || i ELSE i END FROM n",
    "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 500)
     INSERT INTO seq(v, w) SELECT i, -i FROM n",
    "INSERT INTO later VALUES ('k1', 1), ('k2', randomblob(5000)), ('k0', NULL)",
    "DELETE FROM t WHERE a % 3 <> 0",
    "DELETE FROM plain WHERE x > 300",
    "DELETE FROM seq WHERE id > 100",
    "CREATE TRIGGER later_log AFTER INSERT ON later BEGIN SELECT 1; END",
];

/// What a caller can see of the database, with root pages.
const CHECKS: &[&str] = &[
    "SELECT type, name, tbl_name, rootpage, sql FROM sqlite_schema",
    "SELECT a, b, c, d, e, typeof(e) FROM t ORDER BY a",
    "SELECT rowid, x, y FROM plain ORDER BY rowid",
    "SELECT y, x FROM plain ORDER BY y DESC, x",
    "SELECT * FROM seq ORDER BY id",
    "SELECT * FROM sqlite_sequence",
    "SELECT * FROM v ORDER BY a LIMIT 20",
    "SELECT k, length(v) FROM later ORDER BY k",
    "PRAGMA user_version",
    "PRAGMA application_id",
    "PRAGMA freelist_count",
    "PRAGMA integrity_check",
];

#[test]
fn vacuum_rebuilds_as_sqlite_does() {
    let pair = Pair::new("vacuum");
    pair.run(SETUP);
    let free_before = count(&pair.ours, "PRAGMA freelist_count");
    let pages_before = count(&pair.ours, "PRAGMA page_count");
    assert!(free_before > 50, "the setup leaves free pages: {free_before}");
    pair.run(&["VACUUM"]);
    pair.run(CHECKS);
    let pages_after = count(&pair.ours, "PRAGMA page_count");
    let sqlite_pages: i64 = pair
        .theirs
        .query_row("PRAGMA page_count", [], |r| r.get(0))
        .expect("page_count");
    assert!(
        pages_after <= pages_before - free_before,
        "{pages_before} pages with {free_before} free became {pages_after}"
    );
    // Both pack pages full in key order; allow a little slack for different split points.
    assert!(
        pages_after <= sqlite_pages + sqlite_pages / 20 + 2,
        "Basalt {pages_after} pages, SQLite {sqlite_pages}"
    );
    // The statements go on working on the rebuilt database, and so does a second VACUUM.
    pair.run(&[
        "INSERT INTO plain VALUES (9999, 'new')",
        "INSERT INTO seq(v, w) VALUES ('again', 0)",
        "DELETE FROM t WHERE a > 1500",
        "VACUUM main",
    ]);
    pair.run(CHECKS);

    let (on_ours, on_theirs, dir) = pair.hand_over();
    for sql in CHECKS {
        let (x, y) = (theirs(&on_ours, sql), theirs(&on_theirs, sql));
        assert_eq!(x.outcome, y.outcome, "{sql}");
    }
    drop(on_ours);
    // The WAL's checkpoint gives the space back to the file system.
    let ours = Connection::open(dir.join("b.db").to_str().expect("utf-8")).expect("reopen");
    ours.execute_batch("PRAGMA wal_checkpoint(TRUNCATE)").expect("checkpoint");
    let pages = count(&ours, "PRAGMA page_count");
    let size = std::fs::metadata(dir.join("b.db")).expect("stat").len();
    assert_eq!(size, pages as u64 * 4096, "the file is cut to its pages");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn vacuum_refusals_match_sqlite() {
    compare(&[
        "CREATE TABLE t(x)",
        "INSERT INTO t VALUES (1), (2)",
        "VACUUM nosuch",
        "VACUUM temp",
        "BEGIN",
        "VACUUM",
        "COMMIT",
        "VACUUM",
        "SELECT * FROM t",
    ]);
}

#[test]
fn vacuum_while_a_statement_runs_is_refused() {
    let ours_conn = Connection::open(":memory:").expect("open");
    let theirs_conn = rusqlite::Connection::open_in_memory().expect("open");
    for sql in ["CREATE TABLE t(x)", "INSERT INTO t VALUES (1), (2)"] {
        ours(&ours_conn, sql);
        theirs(&theirs_conn, sql);
    }
    let mut running = ours_conn.prepare("SELECT x FROM t").expect("prepare");
    assert!(running.step_blocking().expect("step"));
    let ours_error = ours(&ours_conn, "VACUUM").outcome;
    let mut their_running = theirs_conn.prepare("SELECT x FROM t").expect("prepare");
    let mut rows = their_running.query([]).expect("query");
    assert!(rows.next().expect("row").is_some());
    let theirs_error = theirs(&theirs_conn, "VACUUM").outcome;
    assert_eq!(ours_error, theirs_error);
    assert!(matches!(ours_error, Outcome::Error(_)), "{ours_error:?}");
}

#[test]
fn a_vacuum_is_seen_by_another_connection() {
    let pair = Pair::new("vacuum-seen");
    pair.run(SETUP);
    let path = pair.dir.join("b.db");
    let other = Connection::open(path.to_str().expect("utf-8")).expect("second connection");
    let mut before = other
        .prepare("SELECT count(*), sum(a) FROM t")
        .expect("prepare");
    assert!(before.step_blocking().expect("step"));
    let expected = before.row().to_vec();
    before.reset();
    pair.run(&["VACUUM"]);
    assert!(before.step_blocking().expect("step after VACUUM"));
    assert_eq!(before.row().to_vec(), expected);
    let schema = "SELECT type, name, tbl_name, rootpage, sql FROM sqlite_schema";
    assert_eq!(ours(&other, schema).outcome, ours(&pair.ours, schema).outcome);
}

#[test]
fn vacuum_of_an_in_memory_database() {
    compare(&[
        "CREATE TABLE t(a INTEGER PRIMARY KEY, b)",
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000)
         INSERT INTO t SELECT i, randomblob(300) FROM n",
        "DELETE FROM t WHERE a > 100",
        "VACUUM",
        "PRAGMA freelist_count",
        "SELECT count(*) FROM t",
        "PRAGMA integrity_check",
        "CREATE TEMP TABLE tt(x)",
        "INSERT INTO tt SELECT a FROM t",
        "DELETE FROM tt WHERE x > 10",
        "VACUUM temp",
        "SELECT * FROM tt",
        "SELECT count(*) FROM temp.sqlite_schema",
    ]);
}

fn count(conn: &Connection, sql: &str) -> i64 {
    match ours(conn, sql).outcome {
        Outcome::Rows(_, rows) => match rows.first().and_then(|r| r.first()) {
            Some(basalt_core::record::Value::Integer(n)) => *n,
            other => panic!("{sql}: {other:?}"),
        },
        Outcome::Error(e) => panic!("{sql}: {e}"),
    }
}
