//! Subqueries, views and CTEs in FROM read as their table (`codegen/flatten.rs`), compared with
//! SQLite: rows in order, column names and errors for the shapes that are flattened and for
//! those next to them that are not; the plans of the flattened ones (SQLite's flattener shows
//! the table, not the subquery); and the work a seek through a view takes.

mod oracle;

const SCHEMA: &[&str] = &[
    "CREATE TABLE t(a INTEGER PRIMARY KEY, b TEXT COLLATE NOCASE, c REAL, d)",
    "CREATE INDEX t_d ON t(d)",
    "CREATE INDEX t_bc ON t(b, c)",
    "CREATE TABLE u(x, y, c)",
    "CREATE INDEX u_x ON u(x)",
    "INSERT INTO t VALUES (1, 'apple', 1.5, 10), (2, 'Banana', 2, 20), (3, 'cherry', NULL, 10), \
     (4, 'APPLE', 4, NULL), (5, NULL, 5.5, 30), (6, 'date', '6', 20)",
    "INSERT INTO u VALUES (1, 'one', 100), (2, 'two', 200), (4, 'four', 400), (9, 'nine', 900), \
     (NULL, 'null', NULL)",
    "CREATE VIEW v AS SELECT a, b, d FROM t WHERE c > 1",
    "CREATE VIEW vall AS SELECT * FROM t",
    "CREATE VIEW vq AS SELECT q.a, q.c FROM t AS q WHERE q.d >= 20",
    "CREATE VIEW vcase AS SELECT A, B FROM t",
    "CREATE VIEW valias AS SELECT a AS k, b AS Name, d AS dd FROM t WHERE c < 5",
    "CREATE VIEW vcols(p, q) AS SELECT a, b FROM t",
    // Not flattened (an expression, an aggregate, DISTINCT, LIMIT, a join, columns out of
    // table order, a name given twice or taken from a hidden column): read as before.
    "CREATE VIEW vexpr AS SELECT a, c * 2 AS c2 FROM t",
    "CREATE VIEW vclash AS SELECT a AS d FROM t",
    "CREATE VIEW vrowid AS SELECT d AS rowid, a FROM t",
    "CREATE VIEW vagg AS SELECT d, count(*) AS n FROM t GROUP BY d",
    "CREATE VIEW vdist AS SELECT DISTINCT d FROM t",
    "CREATE VIEW vlimit AS SELECT a, b FROM t ORDER BY a DESC LIMIT 3",
    "CREATE VIEW vjoin AS SELECT t.a, u.y FROM t JOIN u ON u.x = t.a",
    "CREATE VIEW vorder AS SELECT d, a FROM t",
];

const QUERIES: &[&str] = &[
    "SELECT * FROM v",
    "SELECT * FROM v WHERE a = 2",
    "SELECT * FROM v WHERE a > 2 ORDER BY a DESC",
    "SELECT b FROM v WHERE d = 20",
    "SELECT b FROM v WHERE b = 'APPLE'",
    "SELECT v.b, v.d FROM v WHERE v.a IN (1, 4, 6)",
    "SELECT count(*), max(b) FROM v",
    "SELECT d, count(*) FROM v GROUP BY d",
    "SELECT DISTINCT d FROM v",
    "SELECT * FROM v ORDER BY b",
    "SELECT * FROM v LIMIT 2 OFFSET 1",
    "SELECT * FROM v AS w WHERE w.a = 4",
    "SELECT * FROM vall WHERE a = 3",
    "SELECT * FROM vall WHERE c > 2 ORDER BY d",
    "SELECT * FROM vq",
    "SELECT a FROM vq WHERE a > 1 ORDER BY a",
    "SELECT * FROM vcase",
    "SELECT a, b FROM vcase WHERE A = 1",
    "SELECT * FROM u JOIN v ON v.a = u.x",
    "SELECT u.y, v.b FROM u, v WHERE v.a = u.x AND v.d = 20",
    "SELECT * FROM v JOIN u ON u.x = v.a ORDER BY u.y",
    "SELECT * FROM v LEFT JOIN u ON u.x = v.a",
    "SELECT * FROM u LEFT JOIN v ON v.a = u.x",
    "SELECT * FROM v CROSS JOIN u WHERE u.x = v.a",
    "SELECT c FROM v JOIN u ON u.x = v.a",
    "SELECT (SELECT y FROM u WHERE u.x = v.a) FROM v",
    "SELECT * FROM v WHERE EXISTS (SELECT 1 FROM u WHERE u.x = v.a)",
    "SELECT * FROM v WHERE a IN (SELECT x FROM u)",
    "SELECT * FROM u WHERE x IN (SELECT a FROM v)",
    "SELECT * FROM v WHERE d = (SELECT max(d) FROM v)",
    "SELECT * FROM (SELECT a, b FROM t WHERE d = 10)",
    "SELECT * FROM (SELECT a, b FROM t WHERE d = 10) WHERE a = 3",
    "SELECT s.b FROM (SELECT * FROM t) AS s WHERE s.a < 3",
    "SELECT * FROM (SELECT t.a, t.c FROM t WHERE t.b = 'apple') AS s",
    "SELECT * FROM (SELECT q.a FROM t AS q WHERE q.c IS NULL)",
    "SELECT * FROM (SELECT a, d FROM t), (SELECT x FROM u WHERE x > 1) WHERE a = x ORDER BY a",
    "SELECT * FROM (SELECT a FROM t) AS p JOIN (SELECT a FROM t) AS q ON q.a = p.a + 1",
    "SELECT * FROM (SELECT a FROM (SELECT a, b FROM t WHERE a > 1) WHERE b IS NOT NULL)",
    "SELECT * FROM (SELECT * FROM v) WHERE a = 2",
    "SELECT a, sum(d) OVER (ORDER BY a) FROM v",
    "SELECT * FROM v UNION SELECT a, b, d FROM t WHERE a = 1",
    "SELECT * FROM (SELECT a, b FROM t WHERE c > ?1) WHERE a = 5",
    "WITH c AS (SELECT a, b FROM t WHERE d = 10) SELECT * FROM c WHERE a = 3",
    "WITH c AS (SELECT a, b FROM t WHERE d >= 10) SELECT * FROM c ORDER BY b",
    "WITH c AS NOT MATERIALIZED (SELECT a FROM t) SELECT * FROM c AS x JOIN c AS y ON y.a = x.a + 1",
    "WITH c AS MATERIALIZED (SELECT a, b FROM t) SELECT * FROM c WHERE a = 2",
    "WITH c(p) AS (SELECT a FROM t) SELECT * FROM c WHERE p = 2",
    "WITH t AS (SELECT 7 AS a) SELECT * FROM (SELECT a FROM t)",
    "WITH c AS (SELECT a, d FROM t), e AS (SELECT * FROM c WHERE d = 20) SELECT * FROM e",
    "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 3) \
     SELECT * FROM r, (SELECT a FROM t) WHERE a = n",
    "SELECT * FROM c",
    "INSERT INTO u SELECT a, b, d FROM v WHERE a = 2",
    "SELECT * FROM u",
    // Names the subquery did not show: errors or other tables' columns, as before.
    "SELECT c FROM v",
    "SELECT v.c FROM v",
    "SELECT rowid FROM v",
    "SELECT v.rowid FROM v",
    "SELECT oid FROM (SELECT a FROM t)",
    "SELECT v.* FROM v",
    "SELECT vall.* FROM vall WHERE a = 1",
    "SELECT * FROM v JOIN u USING (c)",
    "SELECT * FROM v NATURAL JOIN u",
    "SELECT * FROM v AS p, v AS q WHERE p.a = q.a",
    "SELECT main.v.a FROM v",
    "SELECT * FROM (SELECT b, a FROM t) WHERE a = 1",
    "SELECT * FROM (SELECT a, a FROM t)",
    "SELECT * FROM (SELECT a, a, a AS \"a:1\", b AS a FROM t) WHERE a = 2",
    "WITH c AS (SELECT b, b AS B, d FROM t) SELECT * FROM c ORDER BY 1, 3",
    "SELECT * FROM (SELECT 1 AS x, 2 AS x, 3 AS \"x:1\", 4 AS \"y:\", 5 AS \"y:\")",
    "SELECT * FROM (SELECT a FROM t WHERE nope = 1)",
    "SELECT * FROM (SELECT a FROM t AS q WHERE t.a = 1)",
    "SELECT * FROM (SELECT a FROM nosuch)",
    "SELECT * FROM valias WHERE k = 2",
    "SELECT k, name, NAME, dd FROM valias WHERE dd = 20 ORDER BY k",
    "SELECT valias.* FROM valias",
    "SELECT a FROM valias",
    "SELECT valias.a FROM valias",
    "SELECT * FROM u JOIN valias ON valias.k = u.x",
    "SELECT * FROM vcols WHERE p = 2",
    "SELECT p, q FROM vcols WHERE q = 'apple'",
    "SELECT * FROM (SELECT a AS x, c AS y FROM t WHERE d = 10 AND c IS NOT NULL) WHERE x > 0",
    "SELECT * FROM (SELECT a AS id, b FROM t AS q WHERE q.a > 1) AS s WHERE s.id < 5",
    "WITH c AS (SELECT a AS n, d FROM t WHERE d > 10) SELECT * FROM c WHERE n = 2",
    // Not flattened: read as before.
    "SELECT * FROM vexpr WHERE a = 2",
    "SELECT * FROM vclash WHERE d = 2",
    "SELECT * FROM vrowid WHERE a = 2",
    "SELECT rowid FROM vrowid",
    "SELECT * FROM vagg WHERE d = 20",
    "SELECT * FROM vdist",
    "SELECT * FROM vlimit",
    "SELECT * FROM vjoin",
    "SELECT * FROM vorder WHERE a = 2",
    "SELECT * FROM u RIGHT JOIN v ON v.a = u.x",
];

/// Shapes SQLite flattens and Basalt now reads as their table: the same plan.
const PLANS: &[&str] = &[
    "SELECT * FROM v WHERE a = 2",
    "SELECT b FROM v WHERE d = 20",
    "SELECT * FROM v",
    "SELECT * FROM vall WHERE a = 3",
    "SELECT * FROM u JOIN v ON v.a = u.x",
    "SELECT * FROM v JOIN u ON u.x = v.a",
    "SELECT * FROM (SELECT a, b FROM t WHERE d = 10) WHERE a = 3",
    "SELECT * FROM (SELECT q.a FROM t AS q WHERE q.c IS NULL)",
    "SELECT b, c FROM (SELECT * FROM t) WHERE b = 'x'",
    "SELECT count(*) FROM v",
    "SELECT * FROM valias WHERE k = 2",
    "SELECT * FROM valias WHERE dd = 20",
    "SELECT p, q FROM vcols WHERE q = 'apple'",
    "SELECT * FROM u JOIN valias ON valias.k = u.x",
    "WITH c AS (SELECT a, b FROM t WHERE d = 10) SELECT * FROM c WHERE a = 3",
    "WITH c AS (SELECT a FROM t) SELECT * FROM u JOIN c ON c.a = u.x",
    "SELECT d FROM v ORDER BY d",
];

#[test]
fn flattened_subqueries_return_sqlites_rows() {
    let mut script: Vec<&str> = SCHEMA.to_vec();
    script.extend(QUERIES);
    oracle::compare(&script);
}

#[test]
fn flattened_subqueries_plan_as_sqlite() {
    let (mine, sqlite) = oracle::memory_pair();
    oracle::compare_on(&mine, &sqlite, SCHEMA);
    oracle::assert_same_plans(&mine, &sqlite, PLANS);
}

/// A rowid or index seek through a view of 100k rows visits a handful of rows; the same
/// view read through an aggregate (not flattened) produces every row first.
#[test]
fn a_seek_through_a_view_is_bounded() {
    let conn = basalt_core::connection::Connection::open(":memory:").expect("open");
    for sql in [
        "CREATE TABLE big(id INTEGER PRIMARY KEY, k, pad)",
        "CREATE INDEX big_k ON big(k)",
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100000) \
         INSERT INTO big SELECT i, i * 7 % 100003, 'x' FROM n",
        "CREATE VIEW vb AS SELECT id, k FROM big WHERE pad = 'x'",
        "CREATE VIEW vbagg AS SELECT id, max(k) AS k FROM big GROUP BY id",
    ] {
        oracle::rows_and_steps(&conn, sql);
    }
    let (rows, steps) = oracle::rows_and_steps(&conn, "SELECT * FROM vb WHERE id = 777");
    assert_eq!(rows, 1);
    assert!(steps < 100, "rowid seek through a view took {steps} steps");
    let (rows, steps) = oracle::rows_and_steps(&conn, "SELECT * FROM vb WHERE k = 7");
    assert_eq!(rows, 1);
    assert!(steps < 100, "index seek through a view took {steps} steps");
    let (rows, steps) = oracle::rows_and_steps(&conn, "SELECT * FROM vbagg WHERE id = 777");
    assert_eq!(rows, 1);
    assert!(
        steps > 100_000,
        "the aggregate view took only {steps} steps"
    );
}
