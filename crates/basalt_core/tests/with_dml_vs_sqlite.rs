//! `WITH` in front of INSERT, UPDATE and DELETE against SQLite: the CTEs are visible in the
//! statement's SELECT, WHERE and subqueries (recursive ones too), never as the target table, and
//! the rows, errors, `changes()` and the file afterwards are SQLite's.

mod oracle;

use oracle::Pair;

#[test]
fn with_before_dml_matches_sqlite() {
    let pair = Pair::new("with-dml");
    pair.run(&[
        "CREATE TABLE t(id INTEGER PRIMARY KEY, k INT, v TEXT)",
        "CREATE INDEX tk ON t(k)",
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 50) \
         INSERT INTO t SELECT i, i % 7, printf('v%03d', i) FROM n",
        "SELECT changes(), count(*), sum(k) FROM t",
        "WITH c(x) AS (VALUES (100), (101)) INSERT INTO t(id, v) SELECT x, 'c' FROM c",
        "WITH c(x) AS (SELECT 3) INSERT INTO t(id, k) VALUES ((SELECT x FROM c) * 1000, 1)",
        "WITH big AS (SELECT id FROM t WHERE k = 3) UPDATE t SET v = upper(v) \
         WHERE id IN big",
        "WITH m(mx) AS (SELECT max(k) FROM t) UPDATE t SET k = (SELECT mx FROM m) + 1 \
         WHERE id > 99 RETURNING id, k",
        "WITH odd AS (SELECT id FROM t WHERE id % 2 = 1) DELETE FROM t \
         WHERE id IN (SELECT id FROM odd) AND k < 3",
        "SELECT changes(), total_changes()",
        // A CTE named like the target: the target is still the table.
        "WITH t(id) AS (SELECT 2) DELETE FROM t WHERE id IN (SELECT id FROM t)",
        "WITH t(id) AS (SELECT 4) UPDATE t SET v = 'four' WHERE id = (SELECT id FROM t)",
        "SELECT * FROM t ORDER BY id",
        // Errors as SQLite words them.
        "WITH c(x, y) AS (SELECT 1) INSERT INTO t(id) SELECT x FROM c",
        "WITH c AS (SELECT 1) DELETE FROM nosuch",
        "WITH c AS (SELECT nosuch FROM t) UPDATE t SET k = 1 WHERE id IN c",
        "SELECT count(*), sum(k), group_concat(v) FROM t",
    ]);
    let (basalt_file, sqlite_file, dir) = pair.hand_over();
    oracle::run_both_sqlite(&basalt_file, &sqlite_file, &["SELECT * FROM t ORDER BY id"]);
    drop(basalt_file);
    drop(sqlite_file);
    let _ = std::fs::remove_dir_all(dir);
}
