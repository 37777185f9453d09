//! GROUP BY and DISTINCT taken from an index's order (`codegen/aggregate.rs` `group_walk`,
//! `codegen/select.rs` `distinct_walk`): when the single table's loop can walk the group keys
//! (or the result columns) in order, each group is aggregated as its rows come, without a
//! sorter, and a DISTINCT row is compared with the last new one, without a set, as SQLite
//! does. Every answer is compared with SQLite's, including which row of a group speaks for it
//! (ties, NULLs, mixed types, collations), and the plans name the same index with no
//! temporary b-tree.

mod oracle;

const SCHEMA: &[&str] = &[
    "CREATE TABLE t(id INTEGER PRIMARY KEY, a INTEGER, b TEXT COLLATE NOCASE, c, d)",
    "CREATE INDEX ta ON t(a)",
    "CREATE INDEX tbc ON t(b, c)",
    "CREATE INDEX td ON t(d) WHERE d > 0",
    "CREATE TABLE e(x, y)",
    "CREATE TABLE k(p NOT NULL, q NOT NULL, r, s TEXT NOT NULL COLLATE NOCASE)",
    "CREATE UNIQUE INDEX kpq ON k(p, q)",
    "CREATE UNIQUE INDEX kr ON k(r)",
    "CREATE UNIQUE INDEX ks ON k(s COLLATE BINARY)",
    "INSERT INTO k VALUES (1, 1, NULL, 'a'), (1, 2, NULL, 'A'), (2, 1, 3, 'b'), (1, 3, 4, 'B')",
    "CREATE INDEX ex ON e(x)",
    "INSERT INTO t VALUES (1, 3, 'b', 1, 5), (2, NULL, 'B', 2, -1), (3, 3, 'a', NULL, 7), \
     (4, 1, NULL, 4, NULL), (5, 2, 'A', 2, 3), (6, NULL, 'c', 1, 9), (7, 3, 'b', 'X', 0), \
     (8, 2, NULL, NULL, 2), (9, 1, 'C', 'x', 4), (10, 3, 'a', 3, 1), (11, 1, 'c', 'y', 9), \
     (12, '3', 'B', 2.0, 8), (13, 2.0, 'b', 2, 1)",
];

const QUERIES: &[&str] = &[
    "SELECT a, count(*) FROM t GROUP BY a",
    "SELECT a, count(*), sum(d), min(c), max(b) FROM t GROUP BY a",
    "SELECT a, id FROM t GROUP BY a",
    "SELECT a, d, max(d) FROM t GROUP BY a",
    "SELECT a, d, min(d) FROM t GROUP BY a",
    "SELECT a, count(DISTINCT b) FROM t GROUP BY a",
    "SELECT a, group_concat(id) FROM t GROUP BY a",
    "SELECT a, count(*) FROM t GROUP BY a HAVING count(*) > 2",
    "SELECT a, count(*) FROM t GROUP BY a ORDER BY count(*) DESC, a",
    "SELECT a, count(*) FROM t WHERE d > 1 GROUP BY a",
    "SELECT a, count(*) FROM t WHERE a > 1 GROUP BY a",
    "SELECT a, count(*) FROM t WHERE a = 3 GROUP BY a",
    "SELECT a, count(*) FROM t GROUP BY a LIMIT 2",
    "SELECT b, count(*), group_concat(id) FROM t GROUP BY b",
    "SELECT b, c, count(*) FROM t GROUP BY b, c",
    "SELECT b, count(*) FROM t GROUP BY b COLLATE BINARY",
    "SELECT upper(b), count(*) FROM t GROUP BY b",
    "SELECT c, count(*) FROM t GROUP BY c",
    "SELECT d, count(*) FROM t GROUP BY d",
    "SELECT a + 0, count(*) FROM t GROUP BY a + 0",
    "SELECT x, count(*) FROM e GROUP BY x",
    "SELECT x, y, count(*) FROM e GROUP BY x",
    "SELECT id, (SELECT count(*) FROM t AS i WHERE i.a = o.a GROUP BY i.a) FROM t AS o",
    "SELECT (SELECT group_concat(n) FROM (SELECT count(*) AS n FROM t GROUP BY a))",
    "SELECT DISTINCT a FROM t",
    "SELECT DISTINCT b FROM t",
    "SELECT DISTINCT b, c FROM t",
    "SELECT DISTINCT c, b FROM t",
    "SELECT DISTINCT c FROM t",
    "SELECT DISTINCT b COLLATE BINARY FROM t",
    "SELECT DISTINCT a FROM t WHERE a > 1",
    "SELECT DISTINCT a FROM t WHERE d > 2",
    "SELECT DISTINCT a FROM t LIMIT 2 OFFSET 1",
    "SELECT DISTINCT a FROM t ORDER BY a DESC",
    "SELECT DISTINCT id, a FROM t",
    "SELECT DISTINCT x FROM e",
    "SELECT DISTINCT p, q FROM k",
    "SELECT DISTINCT q, p, r FROM k",
    "SELECT DISTINCT p FROM k",
    "SELECT DISTINCT r FROM k",
    "SELECT DISTINCT s FROM k",
    "SELECT DISTINCT s COLLATE BINARY FROM k",
    "SELECT DISTINCT rowid, p FROM k",
    "SELECT id, (SELECT count(*) FROM (SELECT DISTINCT b FROM t AS i WHERE i.a = o.a)) FROM t AS o",
];

#[test]
fn group_walk_answers_are_sqlites() {
    let mut script: Vec<&str> = SCHEMA.to_vec();
    script.extend(QUERIES);
    script.extend([
        "INSERT INTO e VALUES (NULL, 1), (NULL, 2), (1, 3), (1.0, 4), ('1', 5), (x'01', 6)",
        "SELECT x, y, count(*), typeof(x) FROM e GROUP BY x",
        "SELECT DISTINCT x, typeof(x) FROM e",
        "SELECT DISTINCT x FROM e",
        "SELECT x, max(y), y FROM e GROUP BY x",
    ]);
    oracle::compare(&script);
}

#[test]
fn group_walk_plans_are_sqlites() {
    let (mine, oracle) = oracle::memory_pair();
    oracle::compare_on(&mine, &oracle, SCHEMA);
    oracle::assert_same_plans(
        &mine,
        &oracle,
        &[
            "SELECT a, count(*) FROM t GROUP BY a",
            "SELECT a, sum(d) FROM t GROUP BY a",
            "SELECT b, c, count(*) FROM t GROUP BY b, c",
            "SELECT b, count(*) FROM t GROUP BY b",
            "SELECT a, count(*) FROM t WHERE a > 1 GROUP BY a",
            "SELECT d, count(*) FROM t GROUP BY d",
            "SELECT c, count(*) FROM t GROUP BY c",
            "SELECT x, count(*) FROM e GROUP BY x",
            "SELECT DISTINCT a FROM t",
            "SELECT DISTINCT b FROM t",
            "SELECT DISTINCT b, c FROM t",
            "SELECT DISTINCT a FROM t WHERE a > 1",
            "SELECT DISTINCT d FROM t",
            "SELECT DISTINCT x FROM e",
            "SELECT DISTINCT p, q FROM k",
            "SELECT DISTINCT q, p, r FROM k",
            "SELECT DISTINCT r FROM k",
            "SELECT DISTINCT s FROM k",
            "SELECT DISTINCT s COLLATE BINARY FROM k",
            "SELECT DISTINCT id, a FROM t",
        ],
    );
}
