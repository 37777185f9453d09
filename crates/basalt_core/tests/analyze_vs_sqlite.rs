//! `ANALYZE` writes the `sqlite_stat1` rows SQLite writes: the same schema and data in both, the
//! same ANALYZE statements, and `SELECT * FROM sqlite_stat1 ORDER BY tbl, idx` compared after
//! each (row order in the table follows SQLite's hash order, which Basalt does not copy). The
//! bundled SQLite also writes `sqlite_stat4` (it is built with SQLITE_ENABLE_STAT4); Basalt
//! writes only `sqlite_stat1`, as a SQLite built with default options does, so only that is
//! compared. The files then pass SQLite's integrity_check, and SQLite plans with our stat1.

mod oracle;

use oracle::Pair;

const SCHEMA: &str = "
    CREATE TABLE t(a INTEGER, b TEXT, c COLLATE NOCASE, d);
    CREATE INDEX t_ab ON t(a, b);
    CREATE INDEX t_c ON t(c);
    CREATE INDEX t_desc ON t(d DESC, a);
    CREATE INDEX t_part ON t(a) WHERE a > 5;
    CREATE INDEX t_expr ON t(a % 3, lower(b));
    CREATE UNIQUE INDEX t_u ON t(b, d);
    CREATE TABLE u(id INTEGER PRIMARY KEY, x UNIQUE, y);
    CREATE INDEX u_y ON u(y COLLATE NOCASE);
    CREATE TABLE empty(p, q);
    CREATE INDEX empty_p ON empty(p);
    CREATE TABLE plain(v);
    CREATE TABLE only_partial(v);
    CREATE INDEX only_partial_v ON only_partial(v) WHERE v > 100;
    CREATE TABLE nulls(n, m);
    CREATE INDEX nulls_nm ON nulls(n, m);
    CREATE UNIQUE INDEX nulls_u ON nulls(m);
    CREATE TABLE near(k);
    CREATE INDEX near_k ON near(k);
    CREATE TABLE empty_partial(x, y);
    CREATE INDEX empty_partial_xy ON empty_partial(x, y) WHERE x > 100;
    CREATE INDEX empty_partial_x ON empty_partial(x);
    CREATE VIEW v AS SELECT a FROM t;
";

const DATA: &str = "
    WITH RECURSIVE r(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM r WHERE i < 300)
    INSERT INTO t SELECT i % 10, 'b' || (i % 37), CASE WHEN i % 2 THEN 'X' ELSE 'x' END || (i % 7), i FROM r;
    WITH RECURSIVE r(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM r WHERE i < 50)
    INSERT INTO u SELECT i, i * 2, CASE WHEN i % 3 THEN 'Y' ELSE 'y' END FROM r;
    INSERT INTO plain VALUES (1), (2), (2);
    INSERT INTO only_partial VALUES (1), (2), (3), (4);
    INSERT INTO nulls VALUES (NULL, NULL), (NULL, NULL), (1, NULL), (1, 2), (2, 3);
    WITH RECURSIVE r(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM r WHERE i < 10)
    INSERT INTO near SELECT i FROM r;
    INSERT INTO near VALUES (1);
";

const STAT1: &str = "SELECT * FROM sqlite_stat1 ORDER BY tbl, idx";

fn pair(name: &str) -> Pair {
    let pair = Pair::new(name);
    for script in [SCHEMA, DATA] {
        pair.ours.execute_batch(script).unwrap();
        pair.theirs.execute_batch(script).unwrap();
    }
    pair
}

#[test]
fn analyze_writes_sqlites_stat1() {
    let p = pair("analyze-all");
    p.run(&[
        STAT1,
        "ANALYZE",
        STAT1,
        "SELECT type, name, tbl_name, sql FROM sqlite_schema WHERE name = 'sqlite_stat1'",
        // Again: the rows are replaced, not added.
        "INSERT INTO t VALUES (99, 'new', 'n', 1000)",
        "ANALYZE",
        STAT1,
        "SELECT count(*) FROM sqlite_stat1",
    ]);
    let (reopened, theirs, _) = p.hand_over();
    oracle::run_both_sqlite(&reopened, &theirs, &[STAT1]);
}

#[test]
fn analyze_one_table_index_or_schema() {
    let p = pair("analyze-parts");
    p.run(&[
        "ANALYZE t",
        STAT1,
        "DELETE FROM t WHERE a = 1",
        "ANALYZE t_ab",
        STAT1,
        "ANALYZE main.u",
        STAT1,
        "ANALYZE main.u_y",
        STAT1,
        "ANALYZE plain",
        "ANALYZE only_partial",
        "ANALYZE empty",
        STAT1,
        "ANALYZE main",
        STAT1,
        "ANALYZE v",
        STAT1,
        "INSERT INTO sqlite_stat1 VALUES ('gone', NULL, '7')",
        "ANALYZE plain",
        STAT1,
        "ANALYZE",
        STAT1,
        // Dropping an object forgets its rows.
        "DROP INDEX t_c",
        STAT1,
        "DROP TABLE plain",
        "DROP TABLE u",
        "DROP VIEW v",
        STAT1,
    ]);
    p.hand_over();
}

/// Whatever `sqlite_stat1` holds, answers stay right: rows naming nothing, words instead of
/// numbers, numbers that are not text.
#[test]
fn odd_stat1_rows_change_no_answer() {
    let p = pair("analyze-odd");
    p.run(&[
        "ANALYZE",
        "INSERT INTO sqlite_stat1 VALUES ('nosuch', NULL, '5'), ('t', 'nosuch', '1 1')",
        "UPDATE sqlite_stat1 SET stat = 'many 3' WHERE idx = 't_ab'",
        "UPDATE sqlite_stat1 SET stat = 0 WHERE idx = 't_c'",
        "UPDATE sqlite_stat1 SET stat = '1 1 1 1 1 1 1 unordered sz=3' WHERE idx = 't_u'",
        "UPDATE sqlite_stat1 SET stat = NULL WHERE tbl = 'plain'",
        "ANALYZE sqlite_schema",
        "SELECT a, b, c, d FROM t WHERE a = 3 AND b = 'b3' AND c = 'x3' ORDER BY d",
        "SELECT count(*) FROM t, u WHERE t.a = u.id AND t.c = 'X1'",
        "SELECT count(*) FROM plain, only_partial WHERE plain.v = only_partial.v",
        STAT1,
    ]);
    p.hand_over();
}

#[test]
fn analyze_errors_are_sqlites() {
    let p = pair("analyze-errors");
    p.run(&[
        "ANALYZE nosuch",
        "ANALYZE main.nosuch",
        "ANALYZE temp.nosuch",
        "ANALYZE nodb.t",
        STAT1,
        // `temp` before it exists: SQLite creates it, and its sqlite_stat1.
        "ANALYZE temp",
        "SELECT type, name, sql FROM temp.sqlite_schema WHERE name = 'sqlite_stat1'",
        "SELECT * FROM temp.sqlite_stat1",
        "ANALYZE sqlite_schema",
        "ANALYZE main.sqlite_master",
        STAT1,
    ]);
}

#[test]
fn analyze_temp_and_transactions() {
    let p = pair("analyze-temp");
    p.run(&[
        "CREATE TEMP TABLE tt(a, b)",
        "CREATE INDEX tt_a ON tt(a)",
        "INSERT INTO tt VALUES (1, 2), (1, 3), (2, 4)",
        // A bare ANALYZE leaves temp alone.
        "ANALYZE",
        "SELECT name FROM temp.sqlite_schema ORDER BY name",
        "ANALYZE temp",
        "SELECT * FROM temp.sqlite_stat1 ORDER BY tbl, idx",
        "ANALYZE tt",
        "SELECT * FROM temp.sqlite_stat1 ORDER BY tbl, idx",
        "BEGIN",
        "ANALYZE t",
        STAT1,
        "ROLLBACK",
        "SELECT count(*) FROM sqlite_schema WHERE name = 'sqlite_stat1'",
        "BEGIN",
        "ANALYZE",
        "COMMIT",
        STAT1,
        "SAVEPOINT s",
        "DELETE FROM t",
        "ANALYZE t",
        STAT1,
        "ROLLBACK TO s",
        "RELEASE s",
        STAT1,
    ]);
    p.hand_over();
}

#[test]
fn analyze_refuses_without_rowid_tables() {
    let p = Pair::written_by_sqlite(
        "analyze-wr",
        "CREATE TABLE w(k PRIMARY KEY, v) WITHOUT ROWID; CREATE TABLE r(x); CREATE INDEX r_x ON r(x);
         INSERT INTO r VALUES (1);",
    );
    for sql in ["ANALYZE", "ANALYZE w", "ANALYZE main"] {
        let err = p.ours.execute_batch(sql).expect_err(sql).to_string();
        assert!(err.contains("not supported by Basalt yet"), "{sql}: {err}");
    }
    // The table that can be read is analyzed as SQLite does.
    p.run(&["ANALYZE r", STAT1]);
}

/// A virtual table is skipped, as SQLite skips it; its shadow tables are ordinary tables.
#[test]
fn analyze_skips_virtual_tables() {
    let p = Pair::written_by_sqlite(
        "analyze-vtab",
        "CREATE VIRTUAL TABLE rt USING rtree(id, x0, x1);
         INSERT INTO rt VALUES (1, 0, 1), (2, 5, 6);
         CREATE TABLE r(x); CREATE INDEX r_x ON r(x); INSERT INTO r VALUES (1), (1);",
    );
    p.run(&["ANALYZE", STAT1, "ANALYZE rt", STAT1]);
}

/// Stats Basalt wrote are read by SQLite: its plans on Basalt's analyzed file are the plans on
/// its own analyzed file.
#[test]
fn sqlite_plans_with_our_stat1() {
    let p = pair("analyze-read");
    p.run(&["ANALYZE"]);
    let (reopened, theirs, _) = p.hand_over();
    theirs
        .execute_batch("DROP TABLE IF EXISTS sqlite_stat4; ANALYZE sqlite_schema")
        .unwrap();
    reopened.execute_batch("ANALYZE sqlite_schema").unwrap();
    oracle::run_both_sqlite(
        &reopened,
        &theirs,
        &[
            "EXPLAIN QUERY PLAN SELECT * FROM t WHERE a = 3 AND c = 'x1'",
            "EXPLAIN QUERY PLAN SELECT * FROM t WHERE b = 'b1' AND a = 3",
        ],
    );
}
