//! SAVEPOINT, RELEASE and ROLLBACK TO against SQLite: the rows, errors and counters after every
//! statement, whether the connection is in autocommit mode, and Basalt's file afterwards
//! (SQLite's integrity check, and the same rows as SQLite's).

mod oracle;

use oracle::{ours, theirs, Pair};

/// Runs `script` on both engines, comparing each statement's outcome and the autocommit flag
/// after it.
fn run(pair: &Pair, script: &[&str]) {
    for sql in script {
        assert_eq!(ours(&pair.ours, sql), theirs(&pair.theirs, sql), "{sql}");
        assert_eq!(
            pair.ours.is_autocommit(),
            pair.theirs.is_autocommit(),
            "autocommit after {sql}"
        );
    }
}

fn finish(pair: Pair, tables: &[&str]) {
    let (basalt_file, sqlite_file, dir) = pair.hand_over();
    let queries: Vec<String> = tables
        .iter()
        .map(|t| format!("SELECT * FROM {t} ORDER BY 1"))
        .collect();
    let queries: Vec<&str> = queries.iter().map(String::as_str).collect();
    oracle::run_both_sqlite(&basalt_file, &sqlite_file, &queries);
    drop(basalt_file);
    drop(sqlite_file);
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn nested_savepoints_release_and_roll_back() {
    let pair = Pair::new("savepoints-nested");
    run(
        &pair,
        &[
            "CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT UNIQUE, n INT)",
            "CREATE INDEX tn ON t(n)",
            "SAVEPOINT a",
            "INSERT INTO t(v, n) VALUES ('a1', 1), ('a2', 2)",
            "SAVEPOINT b",
            "INSERT INTO t(v, n) VALUES ('b1', 3)",
            "SAVEPOINT B",
            "UPDATE t SET n = n * 10",
            "SELECT * FROM t ORDER BY id",
            "ROLLBACK TO b",
            "SELECT * FROM t ORDER BY id",
            "SELECT changes(), total_changes()",
            // The savepoint rolled back to stays open: again, and then release it.
            "INSERT INTO t(v, n) VALUES ('b2', 4)",
            "ROLLBACK TRANSACTION TO SAVEPOINT b",
            "SELECT * FROM t ORDER BY id",
            "RELEASE SAVEPOINT b",
            "RELEASE b",
            "SELECT count(*) FROM t",
            // Releasing the outermost savepoint of a transaction it began commits.
            "RELEASE A",
            "SELECT * FROM t ORDER BY id",
            "RELEASE a",
            "ROLLBACK TO a",
            "BEGIN",
            "SAVEPOINT x",
            "DELETE FROM t WHERE n = 1",
            "RELEASE x",
            "SELECT * FROM t ORDER BY id",
            // Inside BEGIN, releasing every savepoint keeps the transaction.
            "ROLLBACK",
            "SELECT * FROM t ORDER BY id",
        ],
    );
    finish(pair, &["t"]);
}

#[test]
fn rollback_to_undoes_page_splits_schema_and_failed_statements() {
    let pair = Pair::new("savepoints-big");
    run(
        &pair,
        &[
            "CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT, n INT UNIQUE)",
            "INSERT INTO t(v, n) SELECT printf('%0300d', value), value FROM \
             (WITH RECURSIVE c(value) AS (SELECT 1 UNION ALL SELECT value + 1 FROM c \
             WHERE value < 300) SELECT value FROM c)",
            "SAVEPOINT s1",
            "UPDATE t SET v = v || v WHERE n % 2 = 0",
            "DELETE FROM t WHERE n % 3 = 0",
            "CREATE TABLE u(x)",
            "INSERT INTO u VALUES (1)",
            "SAVEPOINT s2",
            "INSERT INTO t(v, n) VALUES ('dup', 1)",
            "INSERT INTO t(v, n) VALUES ('new', 1000)",
            "INSERT OR ROLLBACK INTO t(v, n) VALUES ('dup', 1000)",
            "SELECT count(*) FROM t",
            "RELEASE s1",
            "SAVEPOINT s1",
            "UPDATE t SET n = -n",
            "CREATE TABLE u(x)",
            "INSERT INTO u VALUES (1)",
            "SAVEPOINT s2",
            "DROP TABLE u",
            "SELECT count(*) FROM u",
            "ROLLBACK TO s2",
            "SELECT count(*) FROM u",
            "ROLLBACK TO s1",
            "SELECT count(*) FROM u",
            "SELECT count(*), sum(n), sum(length(v)) FROM t",
            "INSERT INTO t(v, n) VALUES ('kept', 2000)",
            "RELEASE s1",
            "SELECT count(*), sum(n), sum(length(v)) FROM t",
            "PRAGMA integrity_check",
        ],
    );
    finish(pair, &["t"]);
}

#[test]
fn savepoints_span_main_and_temp() {
    let pair = Pair::new("savepoints-temp");
    run(
        &pair,
        &[
            "CREATE TABLE m(x)",
            "CREATE TEMP TABLE tt(y)",
            "SAVEPOINT a",
            "INSERT INTO tt VALUES (1)",
            "SAVEPOINT b",
            "INSERT INTO m VALUES (1)",
            "INSERT INTO tt VALUES (2)",
            "ROLLBACK TO a",
            "SELECT (SELECT count(*) FROM m), (SELECT count(*) FROM tt)",
            "INSERT INTO m VALUES (2)",
            "SAVEPOINT c",
            "INSERT INTO tt VALUES (3)",
            "RELEASE c",
            "ROLLBACK",
            "SELECT (SELECT count(*) FROM m), (SELECT count(*) FROM tt)",
            "SAVEPOINT a",
            "INSERT INTO m VALUES (3)",
            "INSERT INTO tt VALUES (4)",
            "RELEASE a",
            "SELECT (SELECT count(*) FROM m), (SELECT count(*) FROM tt)",
            "BEGIN",
            "COMMIT",
            "SAVEPOINT z",
            "COMMIT",
            "SELECT count(*) FROM m",
        ],
    );
    finish(pair, &["m"]);
}
