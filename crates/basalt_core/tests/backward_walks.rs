//! ORDER BY … DESC served by walking the table, a rowid range, a whole index or an index seek
//! backwards (`order_walk.rs`)
//! returns exactly SQLite's rows in SQLite's order — including ties, which a backward walk
//! yields in reverse index order (later columns, then rowid, descending) as SQLite's does —
//! and a LIMIT stops the walk early: bounded work (`Statement::vm_steps`) on 100,000 rows.

mod oracle;

use basalt_core::connection::Connection;

const SCHEMA: &[&str] = &[
    "CREATE TABLE t(id INTEGER PRIMARY KEY, a INTEGER, b TEXT COLLATE NOCASE, c, d)",
    "CREATE INDEX ta ON t(a)",
    "CREATE INDEX tbc ON t(b, c)",
    "CREATE INDEX td ON t(d) WHERE d > 0",
    "CREATE TABLE r(x, y)",
    "CREATE INDEX ry ON r(y)",
    "CREATE TABLE e(x)",
    "INSERT INTO t VALUES (1, 3, 'b', 1, 5), (2, NULL, 'B', 2, -1), (3, 3, 'a', NULL, 7), \
     (4, 1, NULL, 4, NULL), (5, 2, 'A', 2, 3), (6, NULL, 'c', 1, 9), (7, 3, 'b', 1, 0), \
     (8, 2, NULL, NULL, 2), (9, 1, 'C', 'x', 4), (10, 3, 'a', 3, 1)",
    "INSERT INTO r VALUES (1, 2), (2, NULL), (3, 2), ('x', 1), (NULL, 'y'), (4.5, 2)",
];

/// Every query on the schema above, compared row by row with SQLite.
#[test]
fn backward_walks_return_sqlites_rows_in_order() {
    let queries = [
        // The table backwards.
        "SELECT * FROM t ORDER BY id DESC",
        "SELECT * FROM t ORDER BY rowid DESC",
        "SELECT * FROM t ORDER BY id DESC LIMIT 3",
        "SELECT * FROM t ORDER BY id DESC LIMIT 3 OFFSET 2",
        "SELECT * FROM t ORDER BY id DESC LIMIT -1 OFFSET 8",
        "SELECT * FROM t WHERE c > 1 ORDER BY id DESC LIMIT 4",
        "SELECT id FROM t WHERE b = 'b' ORDER BY id DESC",
        "SELECT x, y FROM r ORDER BY rowid DESC",
        "SELECT x FROM e ORDER BY rowid DESC",
        "SELECT * FROM (SELECT * FROM t ORDER BY id DESC LIMIT 4) ORDER BY a",
        // Rowid ranges from the upper bound down, bounds of every kind.
        "SELECT id FROM t WHERE id > 3 ORDER BY id DESC",
        "SELECT id FROM t WHERE id >= 3 ORDER BY id DESC",
        "SELECT id FROM t WHERE id < 7 ORDER BY id DESC",
        "SELECT id FROM t WHERE id <= 7 ORDER BY id DESC",
        "SELECT id FROM t WHERE id > 2 AND id < 8 ORDER BY id DESC LIMIT 3",
        "SELECT id FROM t WHERE id BETWEEN 2 AND 6 ORDER BY id DESC LIMIT 2 OFFSET 1",
        "SELECT id FROM t WHERE id < 6.5 ORDER BY id DESC",
        "SELECT id FROM t WHERE id <= 6.0 ORDER BY id DESC",
        "SELECT id FROM t WHERE id < 6.0 ORDER BY id DESC",
        "SELECT id FROM t WHERE id > 2.5 AND id <= 7.5 ORDER BY id DESC",
        "SELECT id FROM t WHERE id < -0.5 ORDER BY id DESC",
        "SELECT id FROM t WHERE id < '5' ORDER BY id DESC",
        "SELECT id FROM t WHERE id < 'abc' ORDER BY id DESC",
        "SELECT id FROM t WHERE id < x'00' ORDER BY id DESC",
        "SELECT id FROM t WHERE id > 'abc' ORDER BY id DESC",
        "SELECT id FROM t WHERE id < NULL ORDER BY id DESC",
        "SELECT id FROM t WHERE id > NULL ORDER BY id DESC",
        "SELECT id FROM t WHERE id < 1e300 ORDER BY id DESC",
        "SELECT id FROM t WHERE id < -1e300 ORDER BY id DESC",
        "SELECT id FROM t WHERE id <= 9223372036854775807 ORDER BY id DESC",
        "SELECT id FROM t WHERE id < -9223372036854775808 ORDER BY id DESC",
        "SELECT id FROM t WHERE id > 9223372036854775807 ORDER BY id DESC",
        "SELECT id FROM t WHERE 5 > id ORDER BY id DESC",
        "SELECT id FROM t WHERE id < 9 AND c = 1 ORDER BY id DESC",
        "SELECT x, y FROM r WHERE rowid <= 4 ORDER BY rowid DESC",
        "SELECT id FROM t WHERE id > 20 ORDER BY id DESC",
        "SELECT id, (SELECT count(*) FROM t AS i WHERE i.id < o.id) FROM t AS o ORDER BY id DESC",
        "SELECT o.id, (SELECT group_concat(i.id) FROM (SELECT id FROM t AS i WHERE i.id < o.id \
         ORDER BY id DESC LIMIT 2) AS i) FROM t AS o ORDER BY o.id",
        // A whole index backwards: NULLs last, ties by rowid descending.
        "SELECT * FROM t ORDER BY a DESC",
        "SELECT a, id FROM t ORDER BY a DESC LIMIT 4",
        "SELECT a FROM t ORDER BY a DESC LIMIT 5 OFFSET 1",
        "SELECT * FROM t WHERE c IS NOT NULL ORDER BY a DESC",
        "SELECT * FROM t ORDER BY a DESC, id DESC",
        "SELECT * FROM t ORDER BY b DESC",
        "SELECT * FROM t ORDER BY b DESC, c DESC",
        "SELECT * FROM t ORDER BY b COLLATE NOCASE DESC, c DESC LIMIT 6",
        "SELECT b, c, id FROM t ORDER BY b DESC, c DESC, id DESC",
        "SELECT x, y FROM r ORDER BY y DESC",
        "SELECT * FROM t WHERE d < 5 ORDER BY a DESC LIMIT 3",
        // Index seeks from the upper end down: equality prefixes and ranges, NULL entries.
        "SELECT id FROM t WHERE a = 3 ORDER BY id DESC",
        "SELECT id FROM t WHERE a = 3 ORDER BY a DESC",
        "SELECT id FROM t WHERE a = 3 ORDER BY a",
        "SELECT id FROM t WHERE a = 3 ORDER BY a DESC, id DESC LIMIT 2",
        "SELECT id, a FROM t WHERE a > 1 ORDER BY a DESC",
        "SELECT id, a FROM t WHERE a >= 2 ORDER BY a DESC",
        "SELECT id, a FROM t WHERE a < 3 ORDER BY a DESC",
        "SELECT id, a FROM t WHERE a <= 2 ORDER BY a DESC",
        "SELECT id, a FROM t WHERE a > 1 AND a < 3 ORDER BY a DESC",
        "SELECT id, a FROM t WHERE a BETWEEN 1 AND 2 ORDER BY a DESC LIMIT 3",
        "SELECT id, a FROM t WHERE a < 2.5 ORDER BY a DESC",
        "SELECT id, a FROM t WHERE a < '3' ORDER BY a DESC",
        "SELECT id, a FROM t WHERE a < NULL ORDER BY a DESC",
        "SELECT id, a FROM t WHERE a > NULL ORDER BY a DESC",
        "SELECT id, a FROM t WHERE a > 5 ORDER BY a DESC",
        "SELECT id, a FROM t WHERE a < 0 ORDER BY a DESC",
        "SELECT id, b, c FROM t WHERE b = 'B' ORDER BY c DESC",
        "SELECT id, b, c FROM t WHERE b = 'b' ORDER BY b DESC, c DESC",
        "SELECT id, b, c FROM t WHERE b = 'a' AND c > 1 ORDER BY c DESC",
        "SELECT id, b, c FROM t WHERE b = 'b' AND c <= 1 ORDER BY c DESC",
        "SELECT id, b, c FROM t WHERE b = 'b' AND c < 5 ORDER BY c DESC, id DESC",
        "SELECT id, b, c FROM t WHERE b > 'a' ORDER BY b DESC",
        "SELECT id, b, c FROM t WHERE b < 'C' ORDER BY b DESC",
        "SELECT id, b, c FROM t WHERE b < 'c' COLLATE BINARY ORDER BY b DESC, id",
        "SELECT id, b FROM t WHERE b = 'c' ORDER BY id DESC",
        "SELECT id FROM t WHERE a IN (1, 3) ORDER BY a DESC, id DESC",
        "SELECT x, y FROM r WHERE y = 2 ORDER BY rowid DESC",
        "SELECT x, y FROM r WHERE y < 2 ORDER BY y DESC",
        "SELECT x, y FROM r WHERE y > 1 ORDER BY y DESC",
        "SELECT x, y FROM r WHERE y <= 'y' ORDER BY y DESC",
        "SELECT o.id, (SELECT i.id FROM t AS i WHERE i.a = o.a ORDER BY i.id DESC LIMIT 1), \
         (SELECT i.c FROM t AS i WHERE i.b = o.b AND i.c < o.c ORDER BY i.c DESC LIMIT 1) \
         FROM t AS o ORDER BY o.id",
        // Orders no backward walk gives: sorted, with total orders.
        "SELECT * FROM t ORDER BY b COLLATE BINARY DESC, id",
        "SELECT * FROM t ORDER BY d DESC",
        "SELECT * FROM t WHERE d > 0 ORDER BY d DESC, id",
        "SELECT * FROM t ORDER BY a DESC, id",
        "SELECT * FROM t ORDER BY a DESC NULLS FIRST, id DESC",
        "SELECT * FROM t ORDER BY id DESC NULLS LAST",
        "SELECT * FROM t ORDER BY a, id DESC",
        "SELECT * FROM t WHERE id IN (2, 5, 7) ORDER BY id DESC",
        "SELECT * FROM t WHERE id = 5 ORDER BY id DESC",
        "SELECT DISTINCT a FROM t ORDER BY a DESC",
        "SELECT a, count(*) FROM t GROUP BY a ORDER BY a DESC",
        "SELECT t.id, r.x FROM t, r WHERE r.rowid = t.id ORDER BY t.id DESC",
    ];
    let mut script: Vec<&str> = SCHEMA.to_vec();
    script.extend(queries);
    oracle::compare(&script);
}

const N: i64 = 100_000;

#[test]
fn a_limit_stops_the_backward_walk() {
    let conn = Connection::open(":memory:").unwrap();
    conn.execute_batch(&format!(
        "CREATE TABLE big(id INTEGER PRIMARY KEY, a, b);
         CREATE INDEX big_a ON big(a);
         WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < {N})
         INSERT INTO big SELECT i, i % 1000, i * 2 FROM c;"
    ))
    .unwrap();
    for sql in [
        "SELECT * FROM big ORDER BY rowid DESC LIMIT 10",
        "SELECT * FROM big ORDER BY id DESC LIMIT 10",
        "SELECT * FROM big ORDER BY a DESC LIMIT 10",
        "SELECT a FROM big ORDER BY a DESC LIMIT 10",
        "SELECT * FROM big WHERE id < 50000 ORDER BY id DESC LIMIT 10",
        "SELECT * FROM big WHERE id <= 50000.5 AND id > 10 ORDER BY id DESC LIMIT 10",
        "SELECT * FROM big WHERE id > 99990 ORDER BY id DESC",
        "SELECT * FROM big WHERE a = 500 ORDER BY id DESC LIMIT 10",
        "SELECT a FROM big WHERE a < 500 ORDER BY a DESC LIMIT 10",
        "SELECT * FROM big WHERE a > 10 AND a <= 998.5 ORDER BY a DESC LIMIT 10",
        "SELECT * FROM big WHERE a >= 999 ORDER BY a DESC LIMIT 10",
    ] {
        let (rows, steps) = oracle::rows_and_steps(&conn, sql);
        assert_eq!(rows, 10, "{sql}");
        // A few instructions per row: a sort would run at least one per table row.
        assert!(steps < 500, "{sql}: {steps} VM steps");
    }
    // The same query without the walk sorts, touching every row: the check can fail.
    let (rows, steps) = oracle::rows_and_steps(&conn, "SELECT * FROM big ORDER BY b DESC LIMIT 10");
    assert_eq!(rows, 10);
    assert!(steps > N as u64, "{steps} VM steps for a sort");
}

/// An index with `DESC` columns serves ORDER BY in its own order walking forward, and the
/// reverse walking backward, one direction per column; rows and plans must be SQLite's.
#[test]
fn desc_index_columns_serve_order_by_as_in_sqlite() {
    let schema = [
        "CREATE TABLE d(id INTEGER PRIMARY KEY, a, b, c)",
        "CREATE INDEX d_a ON d(a DESC)",
        "CREATE INDEX d_bc ON d(b, c DESC)",
        "INSERT INTO d VALUES (1, 3, 'x', 1), (2, NULL, 'y', 2), (3, 3, 'x', NULL), \
         (4, 1, NULL, 4), (5, 2, 'x', 2), (6, 'q', 'y', 1), (7, 3, 'y', 5), (8, 2.5, NULL, 0)",
    ];
    let queries = [
        "SELECT * FROM d ORDER BY a DESC",
        "SELECT * FROM d ORDER BY a",
        "SELECT a FROM d ORDER BY a DESC LIMIT 3",
        "SELECT * FROM d ORDER BY a DESC, id",
        "SELECT * FROM d ORDER BY a, id DESC",
        "SELECT * FROM d ORDER BY b, c DESC",
        "SELECT * FROM d ORDER BY b DESC, c",
        "SELECT * FROM d WHERE a > 1 ORDER BY a DESC",
        "SELECT * FROM d WHERE a < 3 ORDER BY a",
        "SELECT * FROM d WHERE b = 'y' AND c < 5 ORDER BY c DESC",
        "SELECT * FROM d WHERE b = 'y' AND c IN (1, 5) ORDER BY c DESC",
        "SELECT * FROM d WHERE b = 'x' ORDER BY c DESC",
        "SELECT * FROM d WHERE b = 'x' ORDER BY c",
        "SELECT * FROM d WHERE b IN ('x', 'y') ORDER BY b, c DESC",
        "SELECT DISTINCT a FROM d ORDER BY a DESC",
        "SELECT a, count(*) FROM d GROUP BY a ORDER BY a DESC",
        "SELECT max(a), min(a) FROM d",
        "SELECT max(a) FROM d",
        "SELECT min(a) FROM d",
    ];
    // Plans Basalt does not make yet (COMPAT.md), whose rows are compared all the same: a sort
    // of the last ORDER BY term only.
    let other_plans = [
        "SELECT * FROM d ORDER BY a DESC, id DESC",
        "SELECT * FROM d ORDER BY b, c",
    ];
    let (mine, oracle) = oracle::memory_pair();
    oracle::compare_on(&mine, &oracle, &schema);
    oracle::compare_on(&mine, &oracle, &queries);
    oracle::compare_on(&mine, &oracle, &other_plans);
    oracle::assert_same_plans(&mine, &oracle, &queries);
}

/// An IN term's values are taken in the order the walk needs: descending for a backward walk
/// or a DESC column, so ORDER BY needs no sort, as in SQLite.
#[test]
fn in_lists_walk_either_way_as_in_sqlite() {
    let schema = [
        "CREATE TABLE q(id INTEGER PRIMARY KEY, a, b, c)",
        "CREATE INDEX q_ab ON q(a, b)",
        "CREATE INDEX q_c ON q(c DESC)",
        "INSERT INTO q VALUES (1, 1, 'x', 3), (2, 2, 'y', 1), (3, 1, 'z', NULL), (4, 3, 'x', 2), \
         (5, 2, 'a', 3), (6, NULL, 'b', 1), (7, 3, NULL, 5), (8, 1, 'x', 2)",
    ];
    let queries = [
        "SELECT * FROM q WHERE a IN (1, 3) ORDER BY a DESC",
        "SELECT * FROM q WHERE a IN (1, 3) ORDER BY a DESC, b DESC",
        "SELECT * FROM q WHERE a IN (1, 2, 3) ORDER BY a, b",
        "SELECT * FROM q WHERE a IN (3, 1, NULL) ORDER BY a DESC LIMIT 3",
        "SELECT * FROM q WHERE a = 1 OR a = 2 ORDER BY a DESC",
        "SELECT * FROM q WHERE a IN (SELECT c FROM q WHERE c < 3) ORDER BY a DESC",
        "SELECT * FROM q WHERE c IN (1, 3) ORDER BY c DESC",
        "SELECT * FROM q WHERE c IN (1, 3, 5) ORDER BY c",
        "SELECT * FROM q WHERE c IN (2, 5) ORDER BY c DESC LIMIT 2",
    ];
    let (mine, oracle) = oracle::memory_pair();
    oracle::compare_on(&mine, &oracle, &schema);
    oracle::compare_on(&mine, &oracle, &queries);
    oracle::assert_same_plans(&mine, &oracle, &queries);
}
