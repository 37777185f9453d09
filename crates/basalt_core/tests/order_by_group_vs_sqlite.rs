//! An ORDER BY that a GROUP BY or DISTINCT already provides (`codegen/select.rs`
//! `order_is_group`, `distinct_as_group`, `order_is_results`): SQLite sorts the groups in the
//! ORDER BY's directions and drops the ORDER BY's own sort, runs `SELECT DISTINCT x … ORDER BY
//! x` as a GROUP BY, and serves DISTINCT with ORDER BY from one index walk. Every query's rows
//! (in order) and plan must be SQLite's.

mod oracle;

const SCHEMA: &[&str] = &[
    "CREATE TABLE t(id INTEGER PRIMARY KEY, a INTEGER, b TEXT COLLATE NOCASE, c, d)",
    "CREATE INDEX t_a ON t(a)",
    "CREATE TABLE u(x, y)",
    "INSERT INTO t VALUES (1, 3, 'b', 1, 5), (2, NULL, 'B', 2, -1), (3, 3, 'a', NULL, 7), \
     (4, 1, NULL, 4, NULL), (5, 2, 'A', 2, 3), (6, NULL, 'c', 1, 9), (7, 3, 'b', 1.0, 0), \
     (8, 2, NULL, 'x', 2), (9, 1, 'C', x'00', 4), (10, 3, 'a', 3, 1), (11, 2, 'b', 2.0, 'q')",
    "INSERT INTO u VALUES (1, 'p'), (2, 'q'), (3, 'p'), (NULL, 'r'), (1, NULL), (2.5, 'q')",
];

const QUERIES: &[&str] = &[
    // GROUP BY and ORDER BY the same terms.
    "SELECT c, count(*) FROM t GROUP BY c ORDER BY c",
    "SELECT c, count(*) FROM t GROUP BY c ORDER BY c DESC",
    "SELECT c, count(*) FROM t GROUP BY c ORDER BY c ASC LIMIT 3",
    "SELECT c, count(*) FROM t GROUP BY c ORDER BY c DESC LIMIT 2 OFFSET 1",
    "SELECT b, count(*) FROM t GROUP BY b ORDER BY b",
    "SELECT b, count(*) FROM t GROUP BY b ORDER BY b DESC",
    "SELECT b, group_concat(id) FROM t GROUP BY b ORDER BY 1 DESC",
    "SELECT c, d, count(*) FROM t GROUP BY c, d ORDER BY c, d",
    "SELECT c, d, count(*) FROM t GROUP BY c, d ORDER BY c DESC, d",
    "SELECT c, d, count(*) FROM t GROUP BY c, d ORDER BY c, d DESC",
    "SELECT c AS k, sum(a) FROM t GROUP BY k ORDER BY k DESC",
    "SELECT c, sum(a) FROM t GROUP BY 1 ORDER BY 1 DESC",
    "SELECT c, sum(a) FROM t GROUP BY c HAVING count(*) > 1 ORDER BY c DESC",
    "SELECT c + 1, count(*) FROM t GROUP BY c + 1 ORDER BY c + 1 DESC",
    "SELECT t.c, count(*) FROM t GROUP BY c ORDER BY t.c DESC",
    "SELECT a, count(*) FROM t GROUP BY a ORDER BY a",
    "SELECT a, count(*) FROM t GROUP BY a ORDER BY a DESC",
    "SELECT a, max(d) FROM t WHERE a > 1 GROUP BY a ORDER BY a DESC",
    "SELECT y, count(*) FROM u, t WHERE t.a = u.x GROUP BY y ORDER BY y DESC",
    // Not the same terms: the ORDER BY still sorts.
    "SELECT c, count(*) FROM t GROUP BY c ORDER BY count(*), c",
    "SELECT c, d, count(*) FROM t GROUP BY c, d ORDER BY d, c",
    "SELECT c, d, count(*) FROM t GROUP BY c, d ORDER BY c",
    "SELECT c, count(*) FROM t GROUP BY c ORDER BY c NULLS LAST",
    "SELECT c, count(*) FROM t GROUP BY c ORDER BY c DESC NULLS FIRST",
    "SELECT b, count(*) FROM t GROUP BY b ORDER BY b COLLATE BINARY",
    "SELECT c AS d, count(*) FROM t GROUP BY d ORDER BY d",
    // DISTINCT with an ORDER BY on its columns.
    "SELECT DISTINCT c FROM t ORDER BY c",
    "SELECT DISTINCT c FROM t ORDER BY c DESC",
    "SELECT DISTINCT b FROM t ORDER BY b",
    "SELECT DISTINCT b FROM t ORDER BY 1",
    "SELECT DISTINCT b, c FROM t ORDER BY b, c",
    "SELECT DISTINCT b, c FROM t ORDER BY c, b",
    "SELECT DISTINCT c, b FROM t ORDER BY 1, 2 LIMIT 4",
    "SELECT DISTINCT c + 0 AS e FROM t ORDER BY e",
    "SELECT DISTINCT a FROM t ORDER BY a",
    "SELECT DISTINCT a FROM t ORDER BY a DESC",
    "SELECT DISTINCT a FROM t WHERE a > 1 ORDER BY a DESC",
    "SELECT DISTINCT a FROM t ORDER BY a DESC LIMIT 2",
    "SELECT DISTINCT id FROM t ORDER BY id DESC",
    "SELECT DISTINCT y FROM u ORDER BY y",
    "SELECT DISTINCT y FROM u ORDER BY y NULLS LAST",
    "SELECT DISTINCT x, y FROM u ORDER BY x, y",
    "SELECT DISTINCT x FROM u ORDER BY x DESC",
];

#[test]
fn ordered_groups_return_sqlites_rows_in_order() {
    let mut script: Vec<&str> = SCHEMA.to_vec();
    script.extend(QUERIES);
    oracle::compare(&script);
}

#[test]
fn ordered_groups_are_sqlites_plans() {
    let (mine, oracle) = oracle::memory_pair();
    oracle::compare_on(&mine, &oracle, SCHEMA);
    oracle::assert_same_plans(&mine, &oracle, QUERIES);
}

/// `SELECT *` has no terms to group by: its DISTINCT and ORDER BY are kept, with SQLite's
/// rows.
#[test]
fn distinct_star_with_order_matches_sqlite() {
    let mut script: Vec<&str> = SCHEMA.to_vec();
    script.extend([
        "SELECT DISTINCT * FROM u ORDER BY 1, 2",
        "SELECT DISTINCT * FROM u ORDER BY x, y",
        "SELECT DISTINCT u.* FROM u ORDER BY x DESC, y DESC",
    ]);
    oracle::compare(&script);
}
