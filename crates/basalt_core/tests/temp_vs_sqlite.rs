//! The `temp` database against SQLite (rusqlite, bundled 3.54.1): TEMP tables, views and
//! indexes, `temp.`/`main.` qualifiers, shadowing, `sqlite_temp_master`, `PRAGMA database_list`
//! and `temp.table_info`, transactions and statement rollback, and the temp database's lifetime
//! (private to a connection, gone when it closes). Every statement runs on both engines; column
//! names, rows, `changes()` and error messages must be equal.

use basalt_core::connection::Connection;
use basalt_core::record::Value;
use std::path::PathBuf;

mod oracle;

use oracle::{compare, message, ours, sqlite_value, theirs, Outcome};

#[test]
fn temp_tables_shadow_main_ones() {
    compare(&[
        "PRAGMA database_list",
        "SELECT * FROM sqlite_temp_master",
        "CREATE TABLE t(a)",
        "INSERT INTO t VALUES (1), (2)",
        "CREATE TEMP TABLE t(b, c)",
        "SELECT type, name, tbl_name, rootpage, sql FROM sqlite_temp_master",
        "SELECT * FROM temp.sqlite_master",
        "SELECT * FROM sqlite_temp_schema",
        "SELECT * FROM temp.sqlite_schema",
        "SELECT name FROM sqlite_master",
        "SELECT name FROM main.sqlite_master",
        "SELECT * FROM main.sqlite_temp_master",
        "INSERT INTO t VALUES (10, 20)",
        "INSERT INTO main.t VALUES (3)",
        "INSERT INTO temp.t VALUES (30, 40)",
        "SELECT * FROM t",
        "SELECT * FROM main.t",
        "SELECT * FROM temp.t",
        "SELECT * FROM TEMP.t AS x",
        "SELECT temp.t.b, t.c FROM temp.t",
        "SELECT main.t.a FROM t",
        "SELECT main.t.a FROM main.t",
        "SELECT temp.t.b FROM t",
        "SELECT m.a, t.b FROM main.t AS m, temp.t WHERE m.a * 10 = t.b",
        "SELECT (SELECT count(*) FROM main.t), (SELECT count(*) FROM t)",
        "UPDATE t SET b = b + 1",
        "UPDATE main.t SET a = -a WHERE a > 1",
        "DELETE FROM temp.t WHERE b > 20",
        "DELETE FROM main.t WHERE a = 1",
        "SELECT * FROM main.t",
        "SELECT * FROM t",
        "PRAGMA table_info(t)",
        "PRAGMA temp.table_info(t)",
        "PRAGMA main.table_info(t)",
        "PRAGMA x.table_info(t)",
        "PRAGMA database_list",
        "SELECT * FROM x.t",
        "INSERT INTO x.t VALUES (1)",
        "UPDATE x.t SET a = 1",
        "DELETE FROM nowhere.t",
        "SELECT * FROM main.nosuch",
        "SELECT * FROM temp.nosuch",
        "DROP TABLE t",
        "SELECT * FROM t",
        "SELECT * FROM temp.t",
        "DROP TABLE temp.t",
        "DROP TABLE IF EXISTS temp.t",
        "DROP TABLE IF EXISTS x.t",
        "DROP TABLE x.t",
        "SELECT * FROM sqlite_temp_master",
        "PRAGMA database_list",
    ]);
}

#[test]
fn creating_temp_objects() {
    compare(&[
        "CREATE TABLE m(a, b)",
        "CREATE TEMPORARY TABLE IF NOT EXISTS \"x y\" (c INTEGER PRIMARY KEY, d UNIQUE, e)",
        "CREATE TEMP TABLE IF NOT EXISTS \"x y\" (z)",
        "CREATE TABLE temp.u(e NOT NULL, f DEFAULT 7)",
        "CREATE TEMP TABLE temp.v(e)",
        "CREATE TEMP TABLE main.w(e)",
        "CREATE TABLE main.w(e)",
        "CREATE TABLE foo.w(e)",
        "CREATE TEMP TABLE u(z)",
        "CREATE TABLE u(z)",
        "CREATE TEMP TABLE m(z)",
        "CREATE TEMP TABLE sqlite_x(a)",
        "CREATE TEMP TABLE ca AS SELECT 1 AS x, 'a' AS y, 2.5 AS z",
        "SELECT * FROM ca",
        "CREATE INDEX ti ON u(e)",
        "CREATE INDEX temp.ti2 ON u(f)",
        "CREATE UNIQUE INDEX IF NOT EXISTS ti ON u(e)",
        "CREATE INDEX main.ti3 ON u(e)",
        "CREATE INDEX main.ti3 ON m(a)",
        "CREATE INDEX temp.ti4 ON m(a)",
        "CREATE INDEX x.ti5 ON m(a)",
        "CREATE TEMP TABLE ti(z)",
        "CREATE TABLE ti(z)",
        "CREATE TEMP TABLE ti3(z)",
        "SELECT type, name, tbl_name, rootpage, sql FROM sqlite_temp_master",
        "SELECT type, name, tbl_name, sql FROM sqlite_master",
        "INSERT INTO \"x y\" (d, e) VALUES (1, 'p'), (2, 'q')",
        "INSERT INTO \"x y\" (d, e) VALUES (1, 'r')",
        "INSERT INTO u VALUES (NULL, 1)",
        "INSERT INTO u (e) VALUES (5)",
        "SELECT * FROM u",
        "SELECT * FROM \"x y\" ORDER BY d",
        "DROP INDEX ti",
        "DROP INDEX temp.ti2",
        "DROP INDEX main.ti2",
        "DROP INDEX x.ti3",
        "DROP INDEX temp.ti3",
        "DROP INDEX ti3",
        "DROP INDEX \"sqlite_autoindex_x y_1\"",
        "DROP TABLE sqlite_temp_master",
        "DROP TABLE sqlite_master",
        "DROP TABLE temp.sqlite_temp_schema",
        "DROP TABLE sqlite_schema",
        "SELECT type, name, tbl_name, sql FROM sqlite_temp_master",
        "PRAGMA temp.table_info(u)",
        "PRAGMA temp.table_info(m)",
        "PRAGMA temp.table_info(\"x y\")",
        "DROP TABLE u",
        "DROP TABLE \"x y\"",
        "SELECT name FROM sqlite_temp_master",
    ]);
}

#[test]
fn temp_views() {
    compare(&[
        "CREATE TABLE t1(x)",
        "INSERT INTO t1 VALUES (1), (-2), (3)",
        "CREATE TEMP VIEW view2 AS SELECT x FROM t1 WHERE x>0",
        "CREATE TEMPORARY VIEW view3 AS SELECT x FROM t1 WHERE x>0",
        "CREATE VIEW temp.view4 AS SELECT x * 2 AS y FROM main.t1",
        "CREATE TEMP VIEW main.view5 AS SELECT 1",
        "CREATE VIEW x.view5 AS SELECT 1",
        "CREATE TEMP VIEW view2 AS SELECT 1",
        "CREATE TEMP VIEW IF NOT EXISTS view2 AS SELECT 1",
        "CREATE VIEW view2 AS SELECT 2 AS two",
        "SELECT * FROM view2",
        "SELECT * FROM main.view2",
        "SELECT * FROM temp.view2",
        "SELECT * FROM view4",
        "CREATE TEMP TABLE tt(b)",
        "INSERT INTO tt VALUES ('t')",
        "CREATE VIEW v1 AS SELECT * FROM temp.tt",
        "CREATE VIEW vv AS SELECT (SELECT count(*) FROM temp.tt)",
        "CREATE VIEW v2 AS SELECT * FROM tt",
        "CREATE VIEW v3 AS SELECT * FROM main.t1",
        "CREATE TEMP VIEW v6 AS SELECT * FROM main.t1, temp.tt",
        "SELECT * FROM v2",
        "SELECT * FROM v6",
        "SELECT type, name, sql FROM sqlite_temp_master",
        "SELECT type, name, sql FROM sqlite_master",
        "DELETE FROM view2",
        "DROP VIEW main.view3",
        "DROP VIEW x.view3",
        "DROP VIEW view3",
        "DROP VIEW view2",
        "SELECT * FROM view2",
        "DROP VIEW view2",
        "DROP VIEW view2",
        "DROP VIEW IF EXISTS view2",
        "DROP TABLE view4",
        "DROP VIEW tt",
        "SELECT name FROM sqlite_temp_master",
    ]);
}

#[test]
fn temp_and_main_objects_of_one_name() {
    compare(&[
        "CREATE TABLE m(a, b)",
        "INSERT INTO m VALUES (1, 'x'), (2, 'y')",
        "CREATE VIEW v AS SELECT a * 10 AS ten FROM m",
        "CREATE INDEX i ON m(a)",
        "CREATE TEMP TABLE v(x)",
        "INSERT INTO v VALUES ('temp v')",
        "SELECT * FROM v",
        "SELECT * FROM main.v",
        "DROP VIEW v",
        "DROP TABLE main.v",
        "CREATE TEMP TABLE t AS SELECT * FROM main.m",
        "CREATE INDEX i ON t(a)",
        "CREATE INDEX i ON t(b)",
        "INSERT INTO TEMP.T SELECT a + 10, upper(b) FROM MAIN.M",
        "SELECT * FROM \"temp\".t ORDER BY a",
        "SELECT t.a, m.b FROM t JOIN m USING (a)",
        "SELECT a FROM t WHERE a IN (SELECT a FROM main.m) ORDER BY 1",
        "SELECT a FROM main.m WHERE EXISTS (SELECT 1 FROM temp.t WHERE t.a = m.a + 10)",
        "PRAGMA TEMP.table_info(T)",
        "SELECT type, name, tbl_name FROM sqlite_temp_master",
        "DROP INDEX i",
        "SELECT type, name, tbl_name FROM sqlite_temp_master",
        "SELECT type, name, tbl_name FROM sqlite_master",
        "DROP INDEX i",
        "DROP INDEX i",
        "DROP TABLE v",
        "SELECT * FROM v",
        "CREATE TEMP TABLE k(a PRIMARY KEY, b UNIQUE)",
        "BEGIN",
        "INSERT INTO k VALUES (1, 1), (2, 2)",
        "INSERT INTO k VALUES (3, 3), (4, 1)",
        "UPDATE k SET b = b + 1",
        "INSERT INTO m SELECT a, b FROM k",
        "SELECT * FROM k",
        "COMMIT",
        "SELECT * FROM m",
        "SELECT * FROM k",
    ]);
}

#[test]
fn temp_triggers_are_refused_not_ignored() {
    let conn = Connection::open(":memory:").expect("open");
    conn.execute_batch("CREATE TABLE m(a); CREATE TEMP TABLE t(a)")
        .expect("tables");
    for sql in [
        "CREATE TEMP TRIGGER tr AFTER INSERT ON m BEGIN SELECT 1; END",
        "CREATE TRIGGER tr AFTER INSERT ON t BEGIN SELECT 1; END",
    ] {
        let e = conn.prepare(sql).err().expect("refused");
        assert!(e.message.contains("not supported"), "{sql}: {}", e.message);
    }
}

#[test]
fn temp_changes_follow_transactions() {
    compare(&[
        "CREATE TABLE m(a)",
        "CREATE TEMP TABLE t(a UNIQUE)",
        "BEGIN",
        "INSERT INTO t VALUES (1)",
        "INSERT INTO m VALUES (1)",
        "CREATE TEMP TABLE t2(x)",
        "INSERT INTO t2 VALUES (9)",
        "ROLLBACK",
        "SELECT count(*) FROM t",
        "SELECT count(*) FROM m",
        "SELECT name FROM sqlite_temp_master",
        "SELECT * FROM t2",
        "BEGIN",
        "INSERT INTO t VALUES (1), (2)",
        "INSERT INTO t VALUES (3), (2)",
        "INSERT INTO m SELECT a FROM t",
        "COMMIT",
        "SELECT * FROM t",
        "SELECT * FROM m",
        // Outside a transaction a failing statement undoes its own temp changes.
        "INSERT INTO t VALUES (5), (6), (1)",
        "SELECT * FROM t",
        "INSERT OR FAIL INTO t VALUES (7), (1), (8)",
        "SELECT * FROM t",
        "BEGIN",
        "UPDATE t SET a = a + 100",
        "INSERT OR ROLLBACK INTO t VALUES (101)",
        "SELECT * FROM t",
        "COMMIT",
        "BEGIN",
        "DROP TABLE t",
        "SELECT name FROM sqlite_temp_master",
        "ROLLBACK",
        "SELECT * FROM t",
        "SELECT name FROM sqlite_temp_master",
    ]);
}

fn scratch_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("basalt-temp-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

/// `PRAGMA database_list` names the main file as SQLite does, and lists `temp` once used.
#[test]
fn database_list_on_a_file() {
    let dir = scratch_dir("list");
    let a = Connection::open(dir.join("a.db").to_str().expect("utf-8")).expect("open");
    let b = rusqlite::Connection::open(dir.join("b.db")).expect("open sqlite");
    // The two files differ in name only: SQLite's b.db must be shown where Basalt shows a.db.
    let list = |rows: Outcome| match rows {
        Outcome::Rows(names, rows) => {
            let text = format!("{rows:?}").replace("b.db", "a.db");
            (names, text)
        }
        e => panic!("{e:?}"),
    };
    for sql in [
        "CREATE TABLE m(x)",
        "PRAGMA database_list",
        "SELECT * FROM sqlite_master",
        "PRAGMA database_list",
        "SELECT * FROM sqlite_temp_master",
        "PRAGMA database_list",
        "CREATE TEMP TABLE t(x)",
        "PRAGMA database_list",
    ] {
        assert_eq!(
            list(ours(&a, sql).outcome),
            list(theirs(&b, sql).outcome),
            "{sql}"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// Temp objects are private to their connection and gone when it closes; the file never holds
/// them.
#[test]
fn temp_objects_are_private_and_vanish() {
    let dir = scratch_dir("private");
    let path = dir.join("p.db");
    let path = path.to_str().expect("utf-8");
    let one = Connection::open(path).expect("open");
    let two = Connection::open(path).expect("open");
    one.execute_batch("CREATE TABLE m(a); CREATE TEMP TABLE t(a); INSERT INTO t VALUES (1)")
        .expect("setup");
    two.execute_batch("CREATE TEMP TABLE t(b, c); INSERT INTO t VALUES (2, 3)")
        .expect("a temp table of the same name on another connection");
    let rows = |c: &Connection, sql: &str| match ours(c, sql).outcome {
        Outcome::Rows(_, rows) => rows,
        Outcome::Error(e) => panic!("{sql}: {e}"),
    };
    assert_eq!(rows(&one, "SELECT * FROM t"), vec![vec![Value::Integer(1)]]);
    assert_eq!(
        rows(&two, "SELECT * FROM t"),
        vec![vec![Value::Integer(2), Value::Integer(3)]]
    );
    drop(one);
    let again = Connection::open(path).expect("reopen");
    assert_eq!(
        ours(&again, "SELECT * FROM t").outcome,
        Outcome::Error("no such table: t".into())
    );
    assert_eq!(
        rows(&again, "SELECT count(*) FROM sqlite_temp_master")[0][0],
        Value::Integer(0)
    );
    drop(two);
    drop(again);
    let sqlite = rusqlite::Connection::open(path).expect("sqlite opens it");
    let names: String = sqlite
        .query_row("SELECT group_concat(name) FROM sqlite_master", [], |r| {
            r.get(0)
        })
        .expect("names");
    assert_eq!(names, "m");
    let ok: String = sqlite
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .expect("check");
    assert_eq!(ok, "ok");
    let _ = std::fs::remove_dir_all(&dir);
}

/// A statement prepared before a temp table came to hide a main one reads the temp table when
/// it runs: SQLite expires statements on a schema change and compiles them again.
#[test]
fn prepared_statements_see_new_temp_objects() {
    let a = Connection::open(":memory:").expect("open");
    let b = rusqlite::Connection::open_in_memory().expect("open sqlite");
    let setup = "CREATE TABLE t(x); INSERT INTO t VALUES ('main')";
    a.execute_batch(setup).expect("setup");
    b.execute_batch(setup).expect("setup");
    let sql = "SELECT * FROM t";
    let mut ours_stmt = a.prepare(sql).expect("prepare");
    let mut theirs_stmt = b.prepare(sql).expect("prepare");
    let run_ours = |s: &mut basalt_core::connection::Statement| {
        let mut rows = Vec::new();
        let result = loop {
            match s.step_blocking() {
                Ok(true) => rows.push(s.row().to_vec()),
                Ok(false) => break Ok(rows),
                Err(e) => break Err(e.message),
            }
        };
        s.reset();
        result
    };
    let run_theirs = |s: &mut rusqlite::Statement<'_>| {
        let mut q = s.raw_query();
        let mut rows = Vec::new();
        loop {
            match q.next() {
                Ok(Some(r)) => rows.push(vec![sqlite_value(r, 0)]),
                Ok(None) => break Ok(rows),
                Err(e) => break Err(message(e, sql)),
            }
        }
    };
    for ddl in [
        "SELECT 1",
        "CREATE TEMP TABLE t(y); INSERT INTO t VALUES ('temp')",
        "DROP TABLE temp.t",
        "DROP TABLE t",
    ] {
        a.execute_batch(ddl).expect("ddl");
        b.execute_batch(ddl).expect("ddl");
        assert_eq!(
            run_ours(&mut ours_stmt),
            run_theirs(&mut theirs_stmt),
            "after {ddl}"
        );
    }
}
