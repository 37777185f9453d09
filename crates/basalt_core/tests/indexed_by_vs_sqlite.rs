//! `INDEXED BY` and `NOT INDEXED` (`codegen/index_hint.rs`), compared with SQLite: the rows (in
//! order: without ORDER BY they come in the forced index's order), the plans, and the errors
//! for an index that is not the table's.

mod oracle;

const SCHEMA: &[&str] = &[
    "CREATE TABLE t(a, b, c)",
    "CREATE INDEX i ON t(a)",
    "CREATE INDEX j ON t(b, c)",
    "CREATE INDEX k ON t(c DESC)",
    "CREATE TABLE u(x, y)",
    "CREATE INDEX ux ON u(x)",
    "INSERT INTO t VALUES (3, 'b', 1.5), (1, 'c', NULL), (2, 'a', 9), (NULL, 'b', 0), \
     (5, NULL, 'z'), (4, 'a', 2), (2, 'd', 7)",
    "INSERT INTO u VALUES (1, 'a'), (2, 'b'), (3, 'q'), (NULL, 'd')",
];

const QUERIES: &[&str] = &[
    "SELECT * FROM t INDEXED BY i",
    "SELECT * FROM t INDEXED BY j",
    "SELECT * FROM t INDEXED BY k",
    "SELECT rowid, * FROM t INDEXED BY I",
    "SELECT * FROM t INDEXED BY i WHERE rowid = 2",
    "SELECT * FROM t INDEXED BY i WHERE rowid > 2",
    "SELECT * FROM t INDEXED BY i WHERE rowid IN (1, 3)",
    "SELECT * FROM t INDEXED BY j WHERE a = 2",
    "SELECT * FROM t INDEXED BY i WHERE a = 2",
    "SELECT * FROM t INDEXED BY i WHERE a > 1 AND a < 5",
    "SELECT * FROM t INDEXED BY i WHERE a IN (2, 4)",
    "SELECT a FROM t INDEXED BY j",
    "SELECT b FROM t INDEXED BY j WHERE b > 'a'",
    "SELECT b, c FROM t INDEXED BY j WHERE b = 'a' AND c > 3",
    "SELECT * FROM t INDEXED BY i ORDER BY a",
    "SELECT * FROM t INDEXED BY i ORDER BY a DESC",
    "SELECT * FROM t INDEXED BY i ORDER BY b",
    "SELECT * FROM t INDEXED BY k ORDER BY c DESC",
    "SELECT * FROM t INDEXED BY i ORDER BY a LIMIT 2",
    "SELECT max(a) FROM t INDEXED BY j",
    "SELECT min(a) FROM t INDEXED BY j",
    "SELECT max(a) FROM t INDEXED BY i",
    "SELECT max(rowid) FROM t INDEXED BY i",
    "SELECT count(*) FROM t INDEXED BY i",
    "SELECT count(*) FROM t INDEXED BY j",
    "SELECT DISTINCT a FROM t INDEXED BY j",
    "SELECT DISTINCT a FROM t INDEXED BY i",
    "SELECT a, count(*) FROM t INDEXED BY j GROUP BY a",
    "SELECT b, count(*) FROM t INDEXED BY j GROUP BY b",
    "SELECT * FROM u LEFT JOIN t INDEXED BY j ON t.b = u.y",
    "SELECT * FROM u WHERE x IN (SELECT a FROM t INDEXED BY j)",
    "SELECT (SELECT max(c) FROM t INDEXED BY i WHERE a = u.x) FROM u",
    "SELECT * FROM t NOT INDEXED WHERE a = 2",
    "SELECT * FROM t AS q INDEXED BY j WHERE q.b = 'b'",
];

/// Joins where Basalt orders the loops differently from SQLite, which puts the table with
/// `INDEXED BY` outside (its join costs for a forced index are not modelled yet, COMPAT.md).
/// Both plans seek the inner table through an index, so neither is quadratic; the second
/// uses an automatic index in both, where SQLite adds a Bloom filter. Rows are compared in
/// ORDER BY's order.
const OTHER_JOIN_ORDER: &[&str] = &[
    "SELECT * FROM u, t INDEXED BY i WHERE t.a = u.x ORDER BY 1, 2, 3, 4, 5",
    "SELECT * FROM u INDEXED BY ux, t WHERE t.a = u.x ORDER BY 1, 2, 3, 4, 5",
    "SELECT * FROM u, t INDEXED BY i WHERE t.b = u.y ORDER BY 1, 2, 3, 4, 5",
];

#[test]
fn indexed_by_returns_sqlites_rows_in_order() {
    let mut script: Vec<&str> = SCHEMA.to_vec();
    script.extend(QUERIES);
    script.extend(OTHER_JOIN_ORDER);
    oracle::compare(&script);
}

#[test]
fn indexed_by_plans_are_sqlites() {
    let (mine, oracle) = oracle::memory_pair();
    oracle::compare_on(&mine, &oracle, SCHEMA);
    // IN (SELECT …) as a WHERE term is a join in SQLite's plan, one Basalt does not describe
    // yet: left out here; its rows are compared above.
    let queries: Vec<&str> = QUERIES
        .iter()
        .copied()
        .filter(|q| !q.contains(" IN (SELECT"))
        .collect();
    oracle::assert_same_plans(&mine, &oracle, &queries);
}

/// An index that does not exist, or belongs to another table, fails the statement, in every
/// statement that can name one.
#[test]
fn unknown_index_is_sqlites_error() {
    let mut script: Vec<&str> = SCHEMA.to_vec();
    script.extend([
        "SELECT * FROM t INDEXED BY nope",
        "SELECT * FROM t INDEXED BY ux",
        "SELECT * FROM u, t INDEXED BY ux",
        "DELETE FROM t INDEXED BY nope WHERE a = 1",
        "DELETE FROM t INDEXED BY nope",
        "UPDATE t INDEXED BY ux SET a = 1",
        "SELECT * FROM nowhere INDEXED BY i",
        "SELECT count(*) FROM t",
    ]);
    oracle::compare(&script);
}

/// UPDATE and DELETE find their rows through the hint, and change what SQLite changes.
#[test]
fn writes_through_hints_match_sqlite() {
    let mut script: Vec<&str> = SCHEMA.to_vec();
    script.extend([
        "UPDATE t INDEXED BY j SET a = a + 10 WHERE b = 'a'",
        "UPDATE t INDEXED BY i SET c = 'x' WHERE rowid = 3",
        "UPDATE t NOT INDEXED SET b = 'n' WHERE a = 1",
        "DELETE FROM t INDEXED BY i WHERE a > 11",
        "DELETE FROM t INDEXED BY k WHERE c = 'x'",
        "DELETE FROM t NOT INDEXED WHERE b IS NULL",
        "SELECT rowid, * FROM t",
        "PRAGMA integrity_check",
    ]);
    oracle::compare(&script);
}

/// A partial index under `INDEXED BY` is refused on Basalt: SQLite uses it only where it can
/// prove the WHERE clause implies the index's condition, and fails ("no query solution")
/// elsewhere, as in each query here.
#[test]
fn partial_index_is_refused() {
    let (mine, oracle) = oracle::memory_pair();
    let schema = [
        "CREATE TABLE t(a, b, c)",
        "CREATE INDEX p ON t(c) WHERE c > 0",
    ];
    oracle::compare_on(&mine, &oracle, &schema);
    for sql in [
        "SELECT * FROM t INDEXED BY p",
        "SELECT * FROM t INDEXED BY p WHERE c > 5",
        "SELECT * FROM t INDEXED BY p WHERE c < 5",
    ] {
        let ours = mine.prepare(sql).err().map(|e| e.to_string());
        assert_eq!(
            ours.as_deref(),
            Some("not supported by Basalt yet: INDEXED BY a partial index"),
            "{sql}"
        );
        assert!(oracle.prepare(sql).is_err(), "SQLite accepts {sql}");
    }
}
