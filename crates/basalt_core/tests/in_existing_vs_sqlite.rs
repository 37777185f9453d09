//! `x IN (SELECT c FROM t)` probing `t`'s rowid or an index on `c` in place of a set
//! (`codegen/in_existing.rs`): the answers, NULLs and affinities included, are SQLite's, and
//! the plan names the same b-tree SQLite probes.

mod oracle;

const SCHEMA: &[&str] = &[
    "CREATE TABLE u(id INTEGER PRIMARY KEY, x, y INTEGER, z TEXT, n TEXT COLLATE NOCASE, r REAL)",
    "CREATE INDEX ux ON u(x)",
    "CREATE INDEX uy ON u(y)",
    "CREATE INDEX uz ON u(z)",
    "CREATE INDEX un ON u(n)",
    "CREATE INDEX ur ON u(r)",
    "CREATE INDEX uzp ON u(z) WHERE z > 'm'",
    "CREATE TABLE v(a, b TEXT, c INTEGER)",
    "CREATE TABLE e(k)",
    "CREATE INDEX ek ON e(k)",
    "CREATE TABLE q(id INTEGER PRIMARY KEY, w)",
    "INSERT INTO u VALUES (1, 1, 10, '10', 'Abc', 1.5), (2, 'x', 20, 'b', 'abc', 2.0), \
     (3, NULL, NULL, NULL, NULL, NULL), (4, 2.0, '30', '2', 'XY', 3), (5, x'01', 40, 'm', 'q', -1)",
    "INSERT INTO v VALUES (1, '1', 1), ('10', '10', 10), (20, '20', 20), ('x', 'x', NULL), \
     (NULL, NULL, NULL), (2, '2', 2), ('abc', 'ABC', 5), (1.5, '1.5', 3), (x'01', 'b', 4), \
     ('2.0', '30', 30)",
    "INSERT INTO q VALUES (1, 5), (2, 6)",
];

const QUERIES: &[&str] = &[
    "SELECT a, a IN (SELECT x FROM u) FROM v",
    "SELECT a, a NOT IN (SELECT x FROM u) FROM v",
    "SELECT b, b IN (SELECT x FROM u) FROM v",
    "SELECT c, c IN (SELECT y FROM u) FROM v",
    "SELECT b, b IN (SELECT y FROM u) FROM v",
    "SELECT a, a IN (SELECT y FROM u) FROM v",
    "SELECT a, a IN (SELECT z FROM u) FROM v",
    "SELECT c, c IN (SELECT z FROM u) FROM v",
    "SELECT b, b IN (SELECT z FROM u) FROM v",
    "SELECT b, b IN (SELECT n FROM u) FROM v",
    "SELECT b, b COLLATE NOCASE IN (SELECT z FROM u) FROM v",
    "SELECT b, b IN (SELECT z COLLATE NOCASE FROM u) FROM v",
    "SELECT a, a IN (SELECT r FROM u) FROM v",
    "SELECT b, b IN (SELECT r FROM u) FROM v",
    "SELECT a, a IN (SELECT id FROM u) FROM v",
    "SELECT b, b IN (SELECT id FROM u) FROM v",
    "SELECT b, b NOT IN (SELECT rowid FROM u) FROM v",
    "SELECT a, a IN (SELECT u.x FROM u) FROM v",
    "SELECT a, a IN (SELECT w.x FROM u AS w) FROM v",
    "SELECT a, a IN (SELECT k FROM e), a NOT IN (SELECT k FROM e) FROM v",
    "SELECT a, a IN (SELECT id FROM q), a NOT IN (SELECT rowid FROM q) FROM v",
    "SELECT a, a IN (SELECT w FROM q) FROM v",
    "SELECT NULL IN (SELECT x FROM u), NULL IN (SELECT k FROM e), NULL IN (SELECT id FROM u)",
    "SELECT count(*) FROM v WHERE a IN (SELECT x FROM u) OR c = 5",
    "SELECT count(*) FROM v WHERE b NOT IN (SELECT z FROM u) OR c = 5",
    "SELECT a FROM v WHERE a IN (SELECT x FROM u)",
    "SELECT a, a IN (SELECT DISTINCT x FROM u), a IN (SELECT x FROM u WHERE id > 1) FROM v",
    "SELECT a, a IN (SELECT x FROM u LIMIT 2) FROM v",
    "SELECT a, a IN (SELECT nosuch FROM u) FROM v",
    "SELECT a, a IN (SELECT x FROM nosuch) FROM v",
    "WITH u(x) AS (SELECT 1) SELECT a, a IN (SELECT x FROM u) FROM v",
    "SELECT a, a IN (SELECT a FROM u) FROM v",
];

#[test]
fn in_over_an_existing_btree_answers_as_sqlite() {
    let mut script: Vec<&str> = SCHEMA.to_vec();
    script.extend(QUERIES);
    script.extend([
        // A statement that writes keeps the set: the b-tree changes under it.
        "DELETE FROM u WHERE x IN (SELECT x FROM u) AND id > 3",
        "SELECT * FROM u",
        "UPDATE u SET y = y + 1 WHERE y IN (SELECT y FROM u)",
        "SELECT * FROM u",
    ]);
    oracle::compare(&script);
}

#[test]
fn in_over_an_existing_btree_plans_as_sqlite() {
    let (mine, oracle) = oracle::memory_pair();
    oracle::compare_on(&mine, &oracle, SCHEMA);
    oracle::assert_same_plans(
        &mine,
        &oracle,
        &[
            "SELECT a, a IN (SELECT x FROM u) FROM v",
            "SELECT c, c IN (SELECT y FROM u) FROM v",
            "SELECT b, b IN (SELECT z FROM u) FROM v",
            "SELECT b COLLATE NOCASE, b COLLATE NOCASE IN (SELECT n FROM u) FROM v",
            "SELECT a, a IN (SELECT r FROM u) FROM v",
            "SELECT a, a IN (SELECT id FROM u) FROM v",
            "SELECT b, b NOT IN (SELECT rowid FROM u) FROM v",
            "SELECT a, a IN (SELECT k FROM e) FROM v",
            "SELECT count(*) FROM v WHERE a IN (SELECT x FROM u) OR c = 5",
            "SELECT count(*) FROM v WHERE c IN (SELECT y FROM u) OR c IN (SELECT id FROM q)",
        ],
    );
}
