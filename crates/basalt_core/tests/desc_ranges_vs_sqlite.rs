//! Range seeks on a `DESC` index column (`codegen/index_range.rs`): a forward walk starts at
//! the upper bound and stops past the lower one, a backward walk the reverse, and NULL entries
//! (last in a DESC column) never pass a range. Every query is compared with SQLite row by row,
//! in order, on DESC and ASC indexes alike, with and without an equality prefix and in both
//! directions; the plans must name the same seek.

mod oracle;

const SCHEMA: &[&str] = &[
    "CREATE TABLE t(id INTEGER PRIMARY KEY, p, a, b TEXT)",
    "CREATE INDEX t_a ON t(a DESC)",
    "CREATE INDEX t_pa ON t(p, a DESC)",
    "CREATE TABLE s(id INTEGER PRIMARY KEY, p, a)",
    "CREATE INDEX s_pa ON s(p DESC, a)",
    "INSERT INTO t VALUES (1, 1, 3, 'x'), (2, 1, NULL, 'y'), (3, 2, 3, 'x'), (4, 1, 1, NULL), \
     (5, 2, 2, 'x'), (6, 1, 'q', 'y'), (7, 2, 5, 'z'), (8, 1, 2.5, NULL), (9, NULL, 4, 'w'), \
     (10, 2, NULL, 'v'), (11, 1, -7, 'u'), (12, 2, 5, 't'), (13, 1, x'01', 's')",
    "INSERT INTO s SELECT id, p, a FROM t",
];

const QUERIES: &[&str] = &[
    "SELECT id FROM t WHERE a > 2",
    "SELECT id FROM t WHERE a >= 2.5",
    "SELECT id FROM t WHERE a < 3",
    "SELECT id FROM t WHERE a <= 3",
    "SELECT id FROM t WHERE a > 1 AND a < 5",
    "SELECT id FROM t WHERE a BETWEEN 2 AND 4",
    "SELECT id FROM t WHERE a >= 3 AND a <= 3",
    "SELECT id FROM t WHERE a > 'a'",
    "SELECT id FROM t WHERE a < 'z'",
    "SELECT id FROM t WHERE a > 100",
    "SELECT id FROM t WHERE a < -100",
    "SELECT id FROM t WHERE a > NULL",
    "SELECT id FROM t WHERE a < NULL",
    "SELECT id, a FROM t WHERE a > 1 ORDER BY a DESC",
    "SELECT id, a FROM t WHERE a > 1 ORDER BY a",
    "SELECT id, a FROM t WHERE a < 4 ORDER BY a",
    "SELECT id, a FROM t WHERE a < 4 ORDER BY a DESC",
    "SELECT id, a FROM t WHERE a >= 2 AND a < 5 ORDER BY a",
    "SELECT id, a FROM t WHERE a >= 2 AND a < 5 ORDER BY a DESC LIMIT 2",
    "SELECT id FROM t WHERE p = 1 AND a > 1",
    "SELECT id FROM t WHERE p = 1 AND a < 3",
    "SELECT id FROM t WHERE p = 2 AND a >= 3 AND a <= 5",
    "SELECT id FROM t WHERE p = 1 AND a < 3 ORDER BY a",
    "SELECT id FROM t WHERE p = 1 AND a < 3 ORDER BY a DESC",
    "SELECT id FROM t WHERE p = 1 AND a > 2 ORDER BY a",
    "SELECT id FROM t WHERE p = 2 AND a > 0 ORDER BY a DESC",
    "SELECT id FROM t WHERE p = 3 AND a > 0",
    "SELECT id FROM s WHERE p > 1",
    "SELECT id FROM s WHERE p < 2",
    "SELECT id FROM s WHERE p >= 1 AND p < 2",
    "SELECT id FROM s WHERE p = 1 AND a > 1",
    "SELECT id FROM s WHERE p = 1 AND a < 3 ORDER BY a DESC",
    "SELECT id, p FROM s WHERE p > 0 ORDER BY p",
    "SELECT id, p FROM s WHERE p > 0 ORDER BY p DESC",
    "SELECT count(*) FROM t WHERE a > 2",
    "SELECT max(a) FROM t WHERE a < 4",
];

#[test]
fn desc_ranges_return_sqlites_rows_in_order() {
    let mut script: Vec<&str> = SCHEMA.to_vec();
    script.extend(QUERIES);
    oracle::compare(&script);
}

#[test]
fn desc_ranges_are_sqlites_seeks() {
    let (mine, oracle) = oracle::memory_pair();
    oracle::compare_on(&mine, &oracle, SCHEMA);
    oracle::assert_same_plans(&mine, &oracle, QUERIES);
}
