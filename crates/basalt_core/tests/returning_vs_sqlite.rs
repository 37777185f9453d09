//! INSERT/UPDATE/DELETE ... RETURNING against SQLite: the same rows (the values written), the
//! same column names, errors, `changes()` and `last_insert_rowid()`, and the same database
//! afterwards (checked by SQLite's integrity check on Basalt's file).

mod oracle;

use oracle::{memory_pair, ours, theirs, Pair};

#[test]
fn returning_matches_sqlite() {
    let pair = Pair::new("returning");
    pair.run(&[
        "CREATE TABLE t(id INTEGER PRIMARY KEY, a TEXT, b REAL, c INT DEFAULT 7, d UNIQUE)",
        "CREATE INDEX ta ON t(a)",
        "INSERT INTO t(a, b) VALUES ('x', 1) RETURNING *",
        "INSERT INTO t(a, b, d) VALUES ('y', '2.5', 1), (3, 4, 2) RETURNING id, a, typeof(a), b, \
         typeof(b), c, rowid, a || b AS ab, id * 2",
        "INSERT INTO t DEFAULT VALUES RETURNING id, c",
        "INSERT INTO t(id, a) SELECT id + 100, upper(a) FROM t WHERE a IS NOT NULL ORDER BY id \
         RETURNING id, a",
        "INSERT OR IGNORE INTO t(a, d) VALUES ('dup', 1), ('new', 3) RETURNING a, d",
        "INSERT OR REPLACE INTO t(a, d) VALUES ('rep', 1) RETURNING *",
        "INSERT INTO t(a, d) VALUES ('fails', 2) RETURNING *",
        "INSERT INTO t(a, d) VALUES ('ok', 10), ('fails', 2) RETURNING *",
        "SELECT * FROM t ORDER BY id",
        "SELECT changes(), last_insert_rowid(), total_changes()",
        "SELECT rowid, oid, _rowid_, t.rowid FROM t WHERE id = 1",
        "UPDATE t SET b = b * 10, a = a || '!' WHERE id < 100 RETURNING id, a, b",
        "UPDATE t SET id = id + 1000 WHERE id > 100 RETURNING rowid, id, a",
        "UPDATE t SET d = 1 WHERE d = 3 RETURNING *",
        "UPDATE OR IGNORE t SET d = 3 WHERE d IS NOT NULL RETURNING id, d",
        "UPDATE t SET c = c + 1 WHERE 0 RETURNING *",
        "SELECT changes()",
        "DELETE FROM t WHERE id > 1000 RETURNING *, a IS NULL",
        "DELETE FROM t WHERE a = 'nothing' RETURNING id",
        "SELECT changes(), total_changes()",
        "INSERT INTO t(a) VALUES (?) RETURNING a, ?",
        "INSERT INTO t(a) VALUES ('z') RETURNING max(id, 0), coalesce(b, 'none'), 1 + 1",
        "INSERT INTO t(a) VALUES ('c1'), ('c2') RETURNING changes(), last_insert_rowid(), \
         total_changes(), id",
        "UPDATE t SET a = 'u' WHERE a IN ('c1', 'c2') RETURNING changes(), last_insert_rowid()",
        "DELETE FROM t WHERE a = 'u' RETURNING changes(), total_changes()",
        "INSERT OR FAIL INTO t(a, d) VALUES ('f1', 20), ('f2', 2) RETURNING a",
        "SELECT a, d FROM t WHERE d >= 20",
        "UPDATE t SET c = NULL WHERE c IS NOT NULL RETURNING typeof(c), id",
        "UPDATE t SET b = '7' WHERE id = 1 RETURNING b, typeof(b), b + 1",
        "SELECT * FROM t ORDER BY id",
        // Errors, as SQLite words them.
        "INSERT INTO t(a) VALUES (1) RETURNING count(*)",
        "INSERT INTO t(a) VALUES (1) RETURNING t.*",
        "INSERT INTO t(a) VALUES (1) RETURNING nosuch",
        "UPDATE t AS x SET a = 5 RETURNING x.a",
        "DELETE FROM t RETURNING sum(id)",
        "SELECT count(*) FROM t",
    ]);
    let (basalt_file, sqlite_file, dir) = pair.hand_over();
    oracle::run_both_sqlite(&basalt_file, &sqlite_file, &["SELECT * FROM t ORDER BY id"]);
    drop(basalt_file);
    drop(sqlite_file);
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn returning_with_autoincrement_and_transactions() {
    let (b, s) = memory_pair();
    for sql in [
        "CREATE TABLE q(id INTEGER PRIMARY KEY AUTOINCREMENT, v NOT NULL)",
        "INSERT INTO q(v) VALUES (1), (2) RETURNING id",
        "BEGIN",
        "DELETE FROM q WHERE id = 2 RETURNING id, v",
        "INSERT INTO q(v) VALUES (3) RETURNING id",
        "INSERT INTO q(v) VALUES (4), (NULL) RETURNING id",
        "SELECT * FROM q",
        "ROLLBACK",
        "INSERT INTO q(v) VALUES (5) RETURNING id, v",
        "SELECT * FROM sqlite_sequence",
    ] {
        assert_eq!(ours(&b, sql), theirs(&s, sql), "{sql}");
    }
}

/// Every row is written before the first is returned: stopping after one row keeps them all.
#[test]
fn all_rows_are_written_before_the_first_is_returned() {
    let (b, s) = memory_pair();
    let setup = "CREATE TABLE t(a); INSERT INTO t VALUES (1), (2), (3)";
    b.execute_batch(setup).expect("setup");
    s.execute_batch(setup).expect("setup");
    let sql = "UPDATE t SET a = a * 10 RETURNING a";
    {
        let mut stmt = b.prepare(sql).expect("prepare");
        assert!(stmt.step_blocking().expect("step"));
    }
    {
        let mut stmt = s.prepare(sql).expect("prepare");
        let mut rows = stmt.query([]).expect("query");
        assert!(rows.next().expect("next").is_some());
    }
    let check = "SELECT a FROM t ORDER BY a";
    assert_eq!(ours(&b, check), theirs(&s, check));
}

/// Subqueries in RETURNING see the table as each row is written: refused.
#[test]
fn subqueries_in_returning_are_refused() {
    let (b, _) = memory_pair();
    b.execute_batch("CREATE TABLE t(a UNIQUE)").expect("table");
    for sql in [
        "INSERT INTO t VALUES (1) RETURNING (SELECT count(*) FROM t)",
        "UPDATE t SET a = 1 RETURNING a IN (SELECT a FROM t)",
        "DELETE FROM t RETURNING EXISTS (SELECT 1)",
    ] {
        match ours(&b, sql).outcome {
            oracle::Outcome::Error(e) => {
                assert!(e.contains("not supported by Basalt yet"), "{sql}: {e}")
            }
            rows => panic!("{sql}: {rows:?}"),
        }
    }
}
