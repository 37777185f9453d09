//! Covering-index scans (`codegen/covering.rs` `ScanCandidate`): a full scan that reads only
//! columns an index holds walks the index SQLite would pick (the narrowest by SQLite's width
//! estimates, the first in its list among equals). Rows come in that index's order, so every
//! query here, most without ORDER BY, must return SQLite's rows in SQLite's order, and the
//! plan must name the same index.

mod oracle;

const SCHEMA: &[&str] = &[
    "CREATE TABLE t(id INTEGER PRIMARY KEY, a INTEGER, b TEXT, c VARCHAR(100), d BLOB, e REAL, f)",
    "CREATE INDEX t_c ON t(c)",
    "CREATE INDEX t_ab ON t(a, b)",
    "CREATE INDEX t_f ON t(f)",
    "CREATE INDEX t_e ON t(e DESC)",
    "CREATE INDEX t_b ON t(b COLLATE NOCASE)",
    "CREATE INDEX t_part ON t(a) WHERE a > 2",
    "CREATE INDEX t_expr ON t(a + 1, f)",
    "CREATE TABLE s(k TEXT PRIMARY KEY, v CHAR(2), w NUMERIC)",
    "CREATE INDEX s_v ON s(v)",
    "CREATE INDEX s_w ON s(w)",
    "CREATE TABLE p(x, y)",
    "CREATE UNIQUE INDEX p_y ON p(y)",
    "INSERT INTO t VALUES (1, 3, 'b', 'zz', x'01', 2.5, 9), (2, NULL, 'B', 'aa', NULL, 1.0, 4), \
     (3, 1, 'a', NULL, x'00', 7.0, NULL), (4, 2, NULL, 'mm', x'02', -1.5, 'x'), \
     (5, 1, 'C', 'aa', NULL, 3.0, 2), (6, 3, 'a', 'b', x'03', NULL, 2.5)",
    "INSERT INTO s VALUES ('k3', 'b', 10), ('k1', 'a', '2'), ('k2', NULL, 1.5), ('k0', 'c', NULL)",
    "INSERT INTO p VALUES (1, 30), (2, 10), (3, 20), ('x', NULL)",
    "ALTER TABLE p ADD COLUMN z DEFAULT 7",
    "CREATE INDEX p_z ON p(z)",
    "INSERT INTO p VALUES (4, 40, 5)",
];

const QUERIES: &[&str] = &[
    "SELECT count(*) FROM t",
    "SELECT a FROM t",
    "SELECT a, b FROM t",
    "SELECT b FROM t",
    "SELECT c FROM t",
    "SELECT id, c FROM t",
    "SELECT rowid, f FROM t",
    "SELECT e FROM t",
    "SELECT e + 0, typeof(e) FROM t",
    "SELECT f FROM t WHERE f > 2",
    "SELECT a, b FROM t WHERE b IS NOT NULL",
    "SELECT d FROM t",
    "SELECT sum(a), max(b) FROM t",
    "SELECT a FROM t LIMIT 2",
    "SELECT a FROM t LIMIT 2 OFFSET 1",
    "SELECT (SELECT c FROM t), (SELECT b FROM t)",
    "SELECT group_concat(c) FROM t",
    "SELECT DISTINCT a FROM t",
    "SELECT a, count(*) FROM t GROUP BY a",
    "SELECT c FROM t ORDER BY id",
    "SELECT c FROM t ORDER BY c",
    "SELECT t1.a, t2.c FROM t AS t1, t AS t2 WHERE t2.id = t1.a",
    "SELECT t1.a, t2.c FROM t AS t1 LEFT JOIN t AS t2 ON t2.c > t1.b",
    "SELECT b FROM t WHERE a IN (SELECT a FROM t WHERE id > 2)",
    "SELECT count(*) FROM s",
    "SELECT v FROM s",
    "SELECT w FROM s",
    "SELECT k FROM s",
    "SELECT k, v FROM s",
    "SELECT y FROM p",
    "SELECT z FROM p",
    "SELECT count(*) FROM p",
    "SELECT x FROM p",
    "SELECT y, rowid FROM p",
    "SELECT a FROM t NOT INDEXED",
    "SELECT count(*) FROM t NOT INDEXED",
    "SELECT c FROM t NOT INDEXED WHERE c > 'a'",
    "SELECT max(a) FROM t NOT INDEXED",
];

#[test]
fn covering_scans_return_sqlites_rows_in_order() {
    let mut script: Vec<&str> = SCHEMA.to_vec();
    script.extend(QUERIES);
    oracle::compare(&script);
}

/// Statements that write what a covering scan read: new rowids follow the order the rows
/// were read in, so they too must be SQLite's.
#[test]
fn writes_fed_by_covering_scans_match_sqlite() {
    let mut script: Vec<&str> = SCHEMA.to_vec();
    script.extend([
        "CREATE TABLE copy(v)",
        "INSERT INTO copy SELECT c FROM t",
        "INSERT INTO copy SELECT b FROM t WHERE b > 'a'",
        "SELECT rowid, v FROM copy",
        "CREATE TABLE made AS SELECT a, b FROM t",
        "SELECT rowid, * FROM made",
        "UPDATE copy SET v = (SELECT max(c) FROM t) WHERE rowid = 1",
        "DELETE FROM copy WHERE v IN (SELECT c FROM t WHERE c < 'b')",
        "SELECT rowid, v FROM copy",
        "CREATE TEMP TABLE tt(x, y)",
        "CREATE INDEX tty ON tt(y)",
        "INSERT INTO tt VALUES (1, 'q'), (2, 'a'), (3, NULL)",
        "SELECT y FROM tt",
        "SELECT name FROM sqlite_schema WHERE type = 'index'",
        "CREATE VIEW vc AS SELECT c FROM t",
        "SELECT * FROM vc",
        "SELECT * FROM (SELECT a FROM t) LIMIT 3",
        "WITH w AS (SELECT b FROM t) SELECT * FROM w",
        "SELECT a FROM t UNION ALL SELECT c FROM t",
    ]);
    oracle::compare(&script);
}

/// The plan's details, in order.
#[test]
fn covering_scans_pick_sqlites_index() {
    let (mine, oracle) = oracle::memory_pair();
    oracle::compare_on(&mine, &oracle, SCHEMA);
    // IN as a seek is a plan Basalt does not make yet: left out; its rows are compared above.
    let queries: Vec<&str> = QUERIES
        .iter()
        .copied()
        .filter(|q| !q.contains(" IN "))
        .collect();
    oracle::assert_same_plans(&mine, &oracle, &queries);
}
