//! Regression tests for wrong answers found by `diff_random.rs`, each compared with SQLite
//! (rusqlite, bundled 3.54.1): the same rows, in the same order, with the same storage classes.

use basalt_core::connection::Connection;
use basalt_core::record::Value;

mod oracle;

use oracle::Outcome;

fn rows_of(outcome: Outcome) -> Result<Vec<Vec<Value>>, String> {
    match outcome {
        Outcome::Rows(_, rows) => Ok(rows),
        Outcome::Error(message) => Err(message),
    }
}

fn ours(conn: &Connection, sql: &str) -> Result<Vec<Vec<Value>>, String> {
    rows_of(oracle::ours(conn, sql).outcome)
}

fn theirs(conn: &rusqlite::Connection, sql: &str) -> Result<Vec<Vec<Value>>, String> {
    rows_of(oracle::theirs(conn, sql).outcome)
}

/// Runs `setup` on both engines, then checks that every query gives the same rows in the same
/// order.
fn same_as_sqlite(setup: &[&str], queries: &[&str]) {
    let mine = Connection::open(":memory:").expect("open basalt");
    let oracle = rusqlite::Connection::open_in_memory().expect("open sqlite");
    for sql in setup {
        ours(&mine, sql).unwrap_or_else(|e| panic!("basalt: {sql}: {e}"));
        oracle.execute_batch(sql).expect("sqlite setup");
    }
    for sql in queries {
        let expected = theirs(&oracle, sql).unwrap_or_else(|e| panic!("sqlite: {sql}: {e}"));
        assert_eq!(ours(&mine, sql), Ok(expected), "{sql}");
    }
}

const NOCASE_TABLE: &[&str] = &[
    "CREATE TABLE t(a TEXT COLLATE NOCASE, b, c REAL)",
    "INSERT INTO t VALUES('b',1,2), ('Ta',2,2.0), ('B',3,1), ('TA',4,3.5), ('a',5,-1), \
     ('ta',6,2), ('A',7,0), ('tA',8,NULL)",
];

/// `ORDER BY <n> COLLATE x` is result column n under collation x, not a constant.
#[test]
fn order_by_column_number_with_collate() {
    same_as_sqlite(
        NOCASE_TABLE,
        &[
            "SELECT a, b FROM t ORDER BY 1 COLLATE BINARY",
            "SELECT a, b FROM t ORDER BY 1 COLLATE BINARY DESC",
            "SELECT a, b FROM t ORDER BY (1) COLLATE BINARY, 2 DESC",
            "SELECT a, b FROM t ORDER BY +1 COLLATE BINARY",
            "SELECT a, b FROM t ORDER BY 1 COLLATE BINARY COLLATE NOCASE, 2 DESC",
            "SELECT b, a FROM t ORDER BY 2 COLLATE RTRIM, 1",
            "SELECT a || '' AS x FROM t ORDER BY 1 COLLATE NOCASE, b",
            "SELECT a FROM t UNION ALL SELECT 'Z' ORDER BY 1 COLLATE BINARY",
            "SELECT 2.0 UNION SELECT 3 ORDER BY 1 COLLATE BINARY DESC",
            "SELECT a, count(*) FROM t GROUP BY 1 COLLATE BINARY",
            "SELECT a, count(*) FROM t GROUP BY 1 COLLATE BINARY ORDER BY 1 COLLATE BINARY DESC",
        ],
    );
    let mine = Connection::open(":memory:").unwrap();
    ours(&mine, "CREATE TABLE t(a)").unwrap();
    for (sql, msg) in [
        (
            "SELECT a FROM t ORDER BY 2 COLLATE BINARY",
            "1st ORDER BY term out of range - should be between 1 and 1",
        ),
        (
            "SELECT a FROM t ORDER BY 1 COLLATE foo",
            "no such collation sequence: foo",
        ),
    ] {
        assert_eq!(ours(&mine, sql), Err(msg.to_string()), "{sql}");
    }
}

/// Equal but different values (NOCASE, 2 vs 2.0): the member SQLite shows of a GROUP BY group
/// (its first row, or the row min()/max() took), of a DISTINCT set (the first row) and of a
/// UNION / EXCEPT / INTERSECT set (the last row inserted).
#[test]
fn member_shown_of_equal_values() {
    same_as_sqlite(
        NOCASE_TABLE,
        &[
            "SELECT a, count(*) FROM t GROUP BY a",
            "SELECT a, b, count(*) FROM t GROUP BY a",
            "SELECT upper(a), a, sum(b) FROM t GROUP BY a ORDER BY 1 DESC",
            "SELECT a, b, max(b) FROM t GROUP BY a",
            "SELECT a, b, min(b) FROM t GROUP BY a",
            "SELECT a, b, max(c) FROM t GROUP BY a",
            "SELECT a, b, min(c), max(b) FROM t GROUP BY a",
            "SELECT c, b, count(*) FROM t GROUP BY c",
            "SELECT a, b FROM t GROUP BY a HAVING count(*) > 1",
            "SELECT a, b, count(*) FROM t",
            "SELECT a, b, max(c) FROM t",
            "SELECT a, b, min(c) FROM t WHERE b > 2",
            "SELECT DISTINCT a FROM t",
            "SELECT DISTINCT c FROM t",
            "SELECT DISTINCT a, c FROM t ORDER BY 1, 2",
            "SELECT a FROM t UNION SELECT 'TA'",
            "SELECT 'TA' UNION SELECT a FROM t",
            "SELECT c FROM t UNION SELECT 2",
            "SELECT 2 UNION SELECT 2.0",
            "SELECT 2.0 UNION SELECT 2",
            "SELECT 2.0 UNION ALL SELECT 2 UNION SELECT 3",
            "SELECT a FROM t INTERSECT SELECT 'ta'",
            "SELECT 2 INTERSECT SELECT 2.0",
            "SELECT c FROM t INTERSECT SELECT 2",
            "SELECT a FROM t EXCEPT SELECT 'b'",
            "SELECT c FROM t EXCEPT SELECT 0",
            "SELECT 3 UNION SELECT c FROM t UNION SELECT 2.0",
            "SELECT 'x' UNION SELECT a FROM t",
            "SELECT c FROM t UNION ALL SELECT 2.0 UNION SELECT 7",
            "SELECT 2.0 UNION ALL SELECT c FROM t UNION SELECT 7",
            "SELECT c FROM t EXCEPT SELECT 3 UNION SELECT 2.0",
            "SELECT * FROM (SELECT a FROM t UNION SELECT 'x') WHERE a > 'a'",
            "SELECT a FROM t UNION SELECT 'x' ORDER BY 1 COLLATE BINARY DESC",
            "SELECT a FROM t UNION SELECT 'Z' ORDER BY 1 DESC",
        ],
    );
}

/// Tables with generated columns are refused, never read as if every column were stored.
#[test]
fn generated_columns_refused() {
    let refusal = Err("not supported by Basalt yet: generated columns".to_string());
    let mine = Connection::open(":memory:").unwrap();
    for sql in [
        "CREATE TABLE g(a, b AS (a * 2))",
        "CREATE TABLE g(a, b GENERATED ALWAYS AS (a * 2) STORED)",
    ] {
        assert_eq!(ours(&mine, sql), refusal, "{sql}");
    }
    // A database SQLite wrote.
    let dir = std::env::temp_dir().join(format!("basalt_engine_bugs_{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("gen.db");
    let _ = std::fs::remove_file(&path);
    {
        let c = rusqlite::Connection::open(&path).unwrap();
        c.execute_batch(
            "CREATE TABLE g(a, v AS (a + 1), s INT AS (a * 10) STORED, z);
             INSERT INTO g(a, z) VALUES (1, 'x'), (2, 'y');
             CREATE TABLE plain(x); INSERT INTO plain VALUES (1);",
        )
        .unwrap();
    }
    let mine = Connection::open(path.to_str().unwrap()).unwrap();
    for sql in [
        "SELECT * FROM g",
        "SELECT z FROM g",
        "SELECT count(*) FROM plain WHERE x IN (SELECT a FROM g)",
        "INSERT INTO g(a, z) VALUES (3, 'w')",
        "UPDATE g SET z = 'q'",
        "DELETE FROM g",
        "CREATE INDEX gi ON g(z)",
    ] {
        assert_eq!(ours(&mine, sql), refusal, "{sql}");
    }
    assert_eq!(
        ours(&mine, "SELECT x FROM plain"),
        Ok(vec![vec![Value::Integer(1)]])
    );
    drop(mine);
    let _ = std::fs::remove_dir_all(&dir);
}

/// BEGIN IMMEDIATE and EXCLUSIVE take the writer lock at once: a second connection's BEGIN
/// IMMEDIATE is told "database is locked" and stays in autocommit mode, as with SQLite; the
/// lock is given back by COMMIT and ROLLBACK. BEGIN CONCURRENT is refused until MVCC exists.
#[test]
fn begin_immediate_takes_the_writer_lock() {
    let dir = std::env::temp_dir().join(format!("basalt-begin-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("locks.db");
    let _ = std::fs::remove_file(&path);
    let path = path.to_str().unwrap();
    let first = basalt_core::connection::Connection::open(path).unwrap();
    first.execute_batch("CREATE TABLE t(x)").unwrap();
    let second = basalt_core::connection::Connection::open(path).unwrap();
    for begin in ["BEGIN IMMEDIATE", "BEGIN EXCLUSIVE"] {
        first.execute_batch(begin).unwrap();
        let err = second.execute_batch("BEGIN IMMEDIATE").unwrap_err();
        assert_eq!(err.message, "database is locked", "{begin}");
        assert!(
            second.is_autocommit(),
            "a failed BEGIN leaves autocommit on"
        );
        first.execute_batch("ROLLBACK").unwrap();
        second
            .execute_batch("BEGIN IMMEDIATE; INSERT INTO t VALUES (1); COMMIT")
            .unwrap();
    }
    first.execute_batch("BEGIN IMMEDIATE; COMMIT").unwrap();
    second.execute_batch("BEGIN IMMEDIATE; COMMIT").unwrap();
    let err = first.execute_batch("BEGIN CONCURRENT").unwrap_err();
    assert!(
        err.to_string().contains("not supported by Basalt yet"),
        "{err}"
    );
    drop((first, second));
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A view's result columns are named from the view's own text, not the text of the statement
/// that reads it (which once gave expression columns empty or wrong names).
#[test]
fn view_columns_are_named_from_the_view_text() {
    let setup = [
        "CREATE TABLE t(a, b)",
        "INSERT INTO t VALUES (1, 2)",
        "CREATE VIEW v AS SELECT a+1, b AS bb, a, t.b, 'x', count(*), (b  *  2) FROM t",
    ];
    let queries = [
        "SELECT * FROM v",
        "SELECT \"a+1\", \"(b  *  2)\" FROM v",
        "SELECT * FROM (SELECT * FROM v)",
    ];
    let mine = Connection::open(":memory:").expect("open basalt");
    let oracle = rusqlite::Connection::open_in_memory().expect("open sqlite");
    for sql in setup {
        mine.execute_batch(sql).unwrap();
        oracle.execute_batch(sql).unwrap();
    }
    for sql in queries {
        let ours: Vec<String> = {
            let stmt = mine.prepare(sql).unwrap();
            (0..stmt.column_count())
                .map(|i| stmt.column_name(i).unwrap_or_default().to_string())
                .collect()
        };
        let stmt = oracle.prepare(sql).unwrap();
        let theirs: Vec<String> = stmt.column_names().map(|s| s.to_string()).collect();
        assert_eq!(ours, theirs, "{sql}");
    }
    same_as_sqlite(&setup, &queries);
}

/// An UPDATE leaves alone the indexes whose key it cannot change (as SQLite does), and keeps
/// every other index right: plain, UNIQUE, partial and expression indexes, rowid changes, OR
/// REPLACE deleting another row.
#[test]
fn update_skips_only_indexes_it_cannot_change() {
    let setup: &[&str] = &[
        "CREATE TABLE t(id INTEGER PRIMARY KEY, a, b UNIQUE, c, d)",
        "CREATE INDEX t_a ON t(a)",
        "CREATE INDEX t_cd ON t(c, d)",
        "CREATE INDEX t_part ON t(d) WHERE c > 5",
        "CREATE INDEX t_expr ON t(a + c)",
        "INSERT INTO t VALUES(1,1,10,1,'x'),(2,2,20,6,'y'),(3,3,30,7,'z'),(4,4,40,2,'w')",
        "UPDATE t SET d = 'q' WHERE id = 2",
        "UPDATE t SET c = 9 WHERE id = 4",
        "UPDATE t SET a = a + 10 WHERE id <= 2",
        "UPDATE t SET id = 9 WHERE id = 3",
        "UPDATE OR REPLACE t SET b = 40 WHERE id = 1",
        "UPDATE t SET d = upper(d)",
    ];
    same_as_sqlite(
        setup,
        &[
            "SELECT * FROM t ORDER BY id",
            "SELECT id FROM t WHERE a = 12",
            "SELECT id, d FROM t WHERE c = 9 AND d = 'W'",
            "SELECT id FROM t WHERE b = 40",
            "SELECT id FROM t WHERE a + c = 18",
            "PRAGMA integrity_check",
        ],
    );
}

/// The same UPDATEs write as many WAL frames in Basalt as in SQLite: an index whose columns an
/// UPDATE does not assign is not rewritten.
#[test]
fn update_writes_the_pages_sqlite_writes() {
    let dir = std::env::temp_dir().join(format!("basalt-update-frames-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let rows: String = (1..=2000)
        .map(|i| {
            format!(
                "INSERT INTO t VALUES({i}, {}, {}, 'note {i}');",
                i % 97,
                i % 89
            )
        })
        .collect();
    let setup = format!(
        "PRAGMA journal_mode = WAL; PRAGMA wal_autocheckpoint = 0;
         CREATE TABLE t(id INTEGER PRIMARY KEY, a, b, note);
         CREATE INDEX t_a ON t(a); CREATE INDEX t_b ON t(b);
         BEGIN; {rows} COMMIT; PRAGMA wal_checkpoint(TRUNCATE);"
    );
    let updates = [
        "UPDATE t SET note = 'changed' WHERE id = 1500",
        "UPDATE t SET a = 5 WHERE id = 700",
        "UPDATE t SET b = 6, note = 'x' WHERE id = 30",
    ];
    let frames = |path: &std::path::Path| {
        let wal = format!("{}-wal", path.display());
        (std::fs::metadata(wal).unwrap().len() - 32) / (4096 + 24)
    };
    let (mine_path, theirs_path) = (dir.join("basalt.db"), dir.join("sqlite.db"));
    let mine = Connection::open(mine_path.to_str().unwrap()).unwrap();
    let oracle = rusqlite::Connection::open(&theirs_path).unwrap();
    mine.execute_batch(&setup).unwrap();
    oracle.execute_batch(&setup).unwrap();
    for sql in updates {
        mine.execute_batch(sql).unwrap();
        oracle.execute_batch(sql).unwrap();
        assert_eq!(frames(&mine_path), frames(&theirs_path), "after {sql}");
    }
    drop((mine, oracle));
    std::fs::remove_dir_all(&dir).unwrap();
}

/// TRUE and FALSE are 1 and 0 where no column has those names; DEFAULT takes a bare word as
/// text and refuses non-constant expressions; CHECK refuses parameters — all as SQLite.
#[test]
fn true_false_and_default_forms() {
    oracle::compare(&[
        "SELECT true, false, TRUE, typeof(true), true + 1, \"true\"",
        "CREATE TABLE t(a DEFAULT (true), b DEFAULT false, c DEFAULT word, d DEFAULT \"dq\", e DEFAULT [br], true)",
        "INSERT INTO t(true) VALUES (5)",
        "SELECT a, b, c, d, e, true FROM t",
        "SELECT * FROM t WHERE true",
        "SELECT * FROM t WHERE false",
        "PRAGMA table_info(t)",
        "CREATE TABLE u(a DEFAULT (x))",
        "CREATE TABLE u(a DEFAULT (\"x\"))",
        "CREATE TABLE u(a DEFAULT (t.a))",
        "CREATE TABLE u(a DEFAULT ((SELECT 1)))",
        "CREATE TABLE u(a DEFAULT (?))",
        "CREATE TABLE u(a CHECK (a > ?), b DEFAULT (?))",
        "CREATE TABLE u(a, CHECK (a > :x))",
        "CREATE TABLE u(a CHECK (a > ?1))",
        "CREATE TABLE u(a DEFAULT (abs(-1) + 2), b DEFAULT (-5))",
        "INSERT INTO u DEFAULT VALUES",
        "SELECT * FROM u",
    ]);
}

#[test]
fn rowid_of_the_schema_table() {
    oracle::compare(&[
        "CREATE TABLE t(a)",
        "CREATE INDEX i ON t(a)",
        "SELECT rowid, oid, _rowid_, a FROM t",
        "SELECT rowid, oid, _rowid_, name FROM sqlite_schema",
        "SELECT s.rowid, name FROM sqlite_master AS s WHERE rowid = 2",
        "SELECT main.sqlite_schema.rowid FROM main.sqlite_schema ORDER BY rowid DESC",
        "SELECT rowid, name FROM sqlite_temp_master",
        "SELECT * FROM sqlite_schema WHERE rowid > 1",
    ]);
}

/// With the largest rowid taken, a new row gets a random unused rowid, as in SQLite; with
/// AUTOINCREMENT the table is full.
#[test]
fn new_rowid_after_the_largest() {
    oracle::compare(&[
        "CREATE TABLE t(a)",
        "INSERT INTO t(rowid, a) VALUES (9223372036854775807, 0)",
        "INSERT INTO t(a) VALUES (1), (2), (3)",
        "INSERT INTO t(a) SELECT a + 10 FROM t",
        "SELECT count(*), count(DISTINCT rowid), min(rowid) > 0, max(rowid) FROM t",
        "SELECT a FROM t ORDER BY a",
        "CREATE TABLE u(id INTEGER PRIMARY KEY AUTOINCREMENT, a)",
        "INSERT INTO u VALUES (9223372036854775807, 0)",
        "INSERT INTO u(a) VALUES (1)",
        "SELECT count(*) FROM u",
    ]);
}

/// `sum` over rows in a known order: "integer overflow" exactly when an integer overflows and
/// no real comes after it; the compensated sum starts from the integer total as SQLite's does.
#[test]
fn sum_overflow_follows_the_row_order() {
    let big = "9223372036854775807";
    let cases = [
        format!("({big}), (1), (-1)"),
        format!("({big}), (-1), (1)"),
        format!("({big}), (1), (-1.5)"),
        format!("(-1.5), ({big}), (1)"),
        format!("({big}), (1), (-1.5), (5)"),
        format!("({big}), (1), ('abc')"),
        format!("({big}), (1), ('-2.5'), (1)"),
        format!("({big}), ('1'), (1)"),
        "(4611686018427387904), (4611686018427387904), (4611686018427387904), (0.5)".into(),
        "(9007199254740993), (3), (0.25), (-9007199254740993)".into(),
        "(-9223372036854775808), (-1), (2.5)".into(),
        "(1), (2), (3)".into(),
    ];
    let mut script = Vec::new();
    for values in &cases {
        for f in ["sum", "total", "avg"] {
            script.push(format!("SELECT {f}(column1) FROM (VALUES {values})"));
        }
    }
    let script: Vec<&str> = script.iter().map(String::as_str).collect();
    oracle::compare(&script);
}

/// diff_random seed 12: a range seek on a REAL index converted its integer bound the way
/// storage does (to the nearest real, 2^63), so `> 9223372036854775807` skipped the entry 2^63
/// that the comparison itself finds greater. Seek keys now convert as comparisons do.
#[test]
fn range_seeks_keep_integer_bounds_exact() {
    same_as_sqlite(
        &[
            "CREATE TABLE t(c REAL, d TEXT)",
            "CREATE INDEX t_c ON t(c)",
            "CREATE INDEX t_d ON t(d)",
            "INSERT INTO t VALUES (9223372036854775807, 1), (-9223372036854775808, 2), \
             (9.3e18, 3), (1e10, '4'), ('a', 5), (x'61', 6), (NULL, NULL)",
        ],
        &[
            "SELECT c FROM t WHERE c > 9223372036854775807 ORDER BY c",
            "SELECT c FROM t WHERE c >= 9223372036854775807 ORDER BY c",
            "SELECT c FROM t WHERE c = 9223372036854775807",
            "SELECT c FROM t WHERE c < -9223372036854775807 ORDER BY c",
            "SELECT c FROM t WHERE c IN (9223372036854775807, 10000000000) ORDER BY c",
            "SELECT c FROM t WHERE c BETWEEN 9223372036854775806 AND 1e19 ORDER BY c",
            "SELECT d FROM t WHERE d > 3 ORDER BY d",
            "SELECT d FROM t WHERE d = 4",
        ],
    );
}

/// coalesce, ifnull and iif evaluate only the arguments they need, as SQLite does: an argument
/// that would fail is never computed when an earlier one decides.
#[test]
fn lazy_functions_skip_unneeded_arguments() {
    same_as_sqlite(
        &[
            "CREATE TABLE t(a, b)",
            "INSERT INTO t VALUES (1, NULL), (NULL, 2), (NULL, NULL), (0, 'x')",
        ],
        &[
            "SELECT coalesce(1, abs(-9223372036854775808))",
            "SELECT ifnull(a, abs(-9223372036854775808)) FROM t WHERE a IS NOT NULL ORDER BY rowid",
            "SELECT coalesce(a, b, abs(-9223372036854775808)) FROM t WHERE a IS NOT NULL OR b IS NOT NULL ORDER BY rowid",
            "SELECT coalesce(a, b, 'none'), ifnull(b, a), typeof(coalesce(a, b)) FROM t ORDER BY rowid",
            "SELECT iif(a, 'yes', abs(-9223372036854775808)) FROM t WHERE a = 1",
            "SELECT iif(a, 'yes', 'no'), iif(b, 'b'), if(a IS NULL, 'n', b IS NULL, 'bn', 'else') FROM t ORDER BY rowid",
        ],
    );
    // And when the failing argument is needed, both fail alike.
    oracle::compare(&[
        "CREATE TABLE t(a, b)",
        "INSERT INTO t VALUES (1, NULL), (NULL, NULL)",
        "SELECT coalesce(a, b, abs(-9223372036854775808)) FROM t ORDER BY rowid",
        "SELECT iif(a = 1, abs(-9223372036854775808), 0) FROM t ORDER BY rowid",
    ]);
}

/// SQLite decides `x OR 1` and `x AND 0` without computing `x` (a 32-bit integer literal, TRUE
/// or FALSE on either side); any other operand is computed, so an operand that fails fails in
/// both engines alike. A column named `true` is a column.
#[test]
fn and_or_with_a_literal_truth() {
    let x = "abs(-9223372036854775808)";
    let queries: Vec<String> = [
        "SELECT {x} OR 1, 2 OR {x}, TRUE OR {x}, {x} AND 0, FALSE AND {x}",
        "SELECT 0 OR {x}",
        "SELECT 1 AND {x}",
        "SELECT 0.5 OR {x}",
        "SELECT -1 OR {x}",
        "SELECT NULL OR {x}",
        "SELECT (1 + 0) OR {x}",
        "SELECT a OR 1, a AND 0, a OR 0, a AND 1, NULL OR 1, NULL AND 0 FROM t",
        "SELECT \"true\" OR {x} FROM u",
        "SELECT true OR {x} FROM u",
        "SELECT count(*) FROM t WHERE a = 5 OR 1",
        "SELECT count(*) FROM t WHERE {x} AND 0",
        // Conditions (WHERE, CASE WHEN) stop as soon as they are decided.
        "SELECT a FROM t WHERE a = 1 OR abs(a - 9223372036854775807 - 2) ORDER BY a",
        "SELECT a FROM t WHERE a = 7 AND abs(a - 9223372036854775807 - 2)",
        "SELECT CASE WHEN a = 1 OR abs(a - 9223372036854775807 - 2) THEN 'y' END FROM t WHERE a = 1",
        "SELECT a FROM t WHERE NULL OR a = 1",
        "SELECT a FROM t WHERE (a = 1 AND NULL) OR a = 0 ORDER BY a",
        "SELECT a FROM t WHERE a IS NULL OR a > 0 OR a < 0 ORDER BY a",
        "SELECT a FROM t WHERE (a = 0 OR a = 1) AND (a IS NOT NULL OR 0) ORDER BY a",
        "SELECT a, CASE WHEN a OR NULL THEN 'a' WHEN a = 0 AND 1 THEN 'z' ELSE 'n' END FROM t ORDER BY a",
        "SELECT a, CASE WHEN a > 0 OR a IS NULL THEN 1 ELSE 0 END FROM t ORDER BY a",
    ]
    .iter()
    .map(|q| q.replace("{x}", x))
    .collect();
    let mut script = vec![
        "CREATE TABLE t(a)",
        "INSERT INTO t VALUES (1), (0), (NULL)",
        "CREATE TABLE u(\"true\")",
        "INSERT INTO u VALUES (0)",
    ];
    script.extend(queries.iter().map(String::as_str));
    oracle::compare(&script);
}
