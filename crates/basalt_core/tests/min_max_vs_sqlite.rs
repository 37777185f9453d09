//! SQLite's min/max optimisation (`codegen/aggregate.rs` `min_max_walk`): a query whose one
//! aggregate is min(x) or max(x) walks an index on `x` (or the table, for the rowid) from the
//! right end and stops at the first row that passes WHERE with a non-NULL `x`. Every answer is
//! compared with SQLite's, including the other columns of the row it comes from (ties, NULLs,
//! mixed types, collations), and the work is bounded (`Statement::vm_steps`) on 100,000 rows.

mod oracle;

use basalt_core::connection::Connection;

const SCHEMA: &[&str] = &[
    "CREATE TABLE t(id INTEGER PRIMARY KEY, a INTEGER, b TEXT COLLATE NOCASE, c, d)",
    "CREATE INDEX ta ON t(a)",
    "CREATE INDEX tbc ON t(b, c)",
    "CREATE INDEX tc ON t(c COLLATE NOCASE)",
    "CREATE INDEX td ON t(d) WHERE d > 0",
    "CREATE TABLE r(x, y)",
    "CREATE INDEX rx ON r(x)",
    "CREATE TABLE e(x)",
    "CREATE INDEX ex ON e(x)",
    "CREATE TABLE n(x)",
    "CREATE INDEX nx ON n(x)",
    "INSERT INTO t VALUES (1, 3, 'b', 1, 5), (2, NULL, 'B', 2, -1), (3, 3, 'a', NULL, 7), \
     (4, 1, NULL, 4, NULL), (5, 2, 'A', 2, 3), (6, NULL, 'c', 1, 9), (7, 3, 'b', 'X', 0), \
     (8, 2, NULL, NULL, 2), (9, 1, 'C', 'x', 4), (10, 3, 'a', 3, 1), (11, 1, 'c', 'y', 9)",
    "INSERT INTO r VALUES (1, 2), (2, NULL), (2, 3), ('x', 1), (NULL, 'y'), (4.5, 2), \
     (x'01', 5), ('X', 6), (4.5, 7), (-3, 8), (NULL, 9)",
    "INSERT INTO n VALUES (NULL), (NULL)",
    "CREATE TABLE m(x, y)",
    "CREATE INDEX mx ON m(x)",
    "INSERT INTO m VALUES (NULL, 1), (NULL, 2), (5, 3), (3, 4), (3, 5), (NULL, 6), (5, 7)",
];

#[test]
fn min_max_answers_are_sqlites() {
    let queries = [
        // The rowid: the table's ends.
        "SELECT max(id) FROM t",
        "SELECT min(id) FROM t",
        "SELECT max(rowid), a FROM t",
        "SELECT min(rowid), b FROM t WHERE a = 3",
        "SELECT max(id) FROM t WHERE id < 7",
        "SELECT max(id) FROM t WHERE c > 1",
        "SELECT max(rowid) FROM e",
        // An index on the column, either end, NULLs skipped, ties resolved as SQLite does.
        "SELECT max(a) FROM t",
        "SELECT min(a) FROM t",
        "SELECT min(a), id, b FROM t",
        "SELECT max(a), id, b FROM t",
        "SELECT max(a), id FROM t WHERE d > 2",
        "SELECT min(a), id FROM t WHERE d < 2",
        "SELECT min(a) FROM t WHERE a > 1",
        "SELECT max(a) FROM t WHERE a < 3",
        "SELECT max(a) FROM t WHERE a = 2",
        "SELECT max(a) FROM t WHERE id = 5",
        "SELECT max(a) FROM t WHERE id = 2",
        "SELECT max(a) + 1, typeof(max(a)) FROM t",
        "SELECT max(x), y FROM r",
        "SELECT min(x), y FROM r",
        "SELECT min(x), y FROM r WHERE y > 4",
        "SELECT max(x), y FROM r WHERE y < 8",
        "SELECT max(x), y FROM r WHERE typeof(x) = 'real'",
        "SELECT min(x) FROM r WHERE x > 'a'",
        "SELECT max(x) FROM e",
        "SELECT min(x) FROM e",
        "SELECT max(x), rowid FROM n",
        "SELECT min(x), rowid FROM n",
        "SELECT min(x), rowid FROM m",
        "SELECT min(x), y FROM m",
        "SELECT max(x), y FROM m",
        "SELECT min(x), y FROM m WHERE y > 4",
        "SELECT min(x), y FROM m WHERE y < 3",
        "SELECT max(x), y FROM m WHERE y < 3",
        "SELECT min(x), y FROM m WHERE y = 6",
        // Collations: the index is walked only where its order is min()'s.
        "SELECT max(b), id FROM t",
        "SELECT min(b), id FROM t",
        "SELECT max(b COLLATE BINARY), id FROM t",
        "SELECT min(b) FROM t WHERE b > 'a'",
        "SELECT max(c), id FROM t",
        "SELECT min(c), id FROM t",
        "SELECT max(c COLLATE NOCASE), id FROM t",
        "SELECT min(c COLLATE NOCASE), id FROM t",
        "SELECT max(c) FROM t WHERE b = 'b'",
        "SELECT min(c) FROM t WHERE b = 'a'",
        // A partial index is never walked whole.
        "SELECT max(d), id FROM t",
        "SELECT min(d) FROM t WHERE d > 0",
        // Shapes the optimisation leaves alone.
        "SELECT max(a), count(*) FROM t",
        "SELECT max(a) FROM t HAVING max(a) > 1",
        "SELECT max(DISTINCT a) FROM t",
        "SELECT max(a) FILTER (WHERE d > 2) FROM t",
        "SELECT max(a + 0) FROM t",
        "SELECT max(a) FROM t GROUP BY b",
        "SELECT max(t.a), r.y FROM t, r WHERE r.x = t.id",
        "SELECT max(a) FROM t ORDER BY 1",
        "SELECT max(a) FROM t LIMIT 0",
        // In subqueries, correlated or not.
        "SELECT id, (SELECT max(a) FROM t AS i WHERE i.b = o.b) FROM t AS o ORDER BY id",
        "SELECT id, (SELECT min(i.id) FROM t AS i WHERE i.a = o.a AND i.id > o.id) \
         FROM t AS o ORDER BY id",
        "SELECT x, (SELECT max(a) FROM t WHERE a < r.y) FROM r ORDER BY rowid",
        "SELECT * FROM t WHERE a = (SELECT max(a) FROM t) ORDER BY id",
    ];
    let mut script: Vec<&str> = SCHEMA.to_vec();
    script.extend(queries);
    oracle::compare(&script);
}

const N: i64 = 100_000;

/// Runs `sql` to the end on Basalt: its one row's first value, and the VM steps taken.
fn answer(conn: &Connection, sql: &str) -> (String, u64) {
    let mut stmt = conn.prepare(sql).unwrap_or_else(|e| panic!("{sql}: {e}"));
    assert!(stmt
        .step_blocking()
        .unwrap_or_else(|e| panic!("{sql}: {e}")));
    let value = format!("{:?}", stmt.row()[0]);
    assert!(!stmt
        .step_blocking()
        .unwrap_or_else(|e| panic!("{sql}: {e}")));
    (value, stmt.vm_steps())
}

#[test]
fn min_max_reads_a_few_rows() {
    let conn = Connection::open(":memory:").unwrap();
    conn.execute_batch(&format!(
        "CREATE TABLE big(id INTEGER PRIMARY KEY, a, b);
         CREATE INDEX big_a ON big(a);
         WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < {N})
         INSERT INTO big SELECT i, CASE WHEN i % 100 = 1 THEN NULL ELSE i % 1000 END, i * 2
         FROM c;"
    ))
    .unwrap();
    for (sql, expected) in [
        ("SELECT max(id) FROM big", "Integer(100000)"),
        ("SELECT min(rowid) FROM big", "Integer(1)"),
        ("SELECT max(a) FROM big", "Integer(999)"),
        // The NULLs come first in the index: stepped over one by one, N / 100 of them.
        ("SELECT min(a) FROM big", "Integer(0)"),
        ("SELECT max(a) FROM big WHERE a < 500", "Integer(499)"),
        ("SELECT max(id) FROM big WHERE id < 5000", "Integer(4999)"),
    ] {
        let (value, steps) = answer(&conn, sql);
        assert_eq!(value, expected, "{sql}");
        let nulls = if sql.contains("min(a)") { N / 100 } else { 0 };
        assert!(steps < 500 + 20 * nulls as u64, "{sql}: {steps} VM steps");
    }
    // Without an order to walk, every row is read: the checks above can fail.
    let (value, steps) = answer(&conn, "SELECT max(b) FROM big");
    assert_eq!(value, "Integer(200000)");
    assert!(steps > N as u64, "{steps} VM steps for a scan");
}

/// min() and max() as ordinary aggregates (beside another aggregate, so no walk of an end):
/// text against text under BINARY takes a byte-compare path (`Extreme::consider`); prefixes,
/// ties (the first extreme's row gives the bare columns), NULLs, other classes before and after
/// a text, and the other collations must still match SQLite.
#[test]
fn text_extremes_in_a_scan_are_sqlites() {
    oracle::compare(&[
        "CREATE TABLE s(id INTEGER PRIMARY KEY, g, t TEXT, u TEXT COLLATE NOCASE, w)",
        "INSERT INTO s VALUES (1, 1, 'abc', 'abc', 'abc'), (2, 1, 'ab', 'AB', 3), \
         (3, 1, NULL, NULL, NULL), (4, 1, 'abd', 'ABD', x'00'), (5, 2, 'ab', 'ab', 'ab'), \
         (6, 2, '', 'Ab', 2.5), (7, 2, 'b', 'a', 'b'), (8, 2, 'ab\u{e9}', 'AB\u{c9}', 1), \
         (9, 3, NULL, NULL, NULL), (10, 3, 'z', 'Z', 'z'), (11, 3, 'z', 'z', 'Z')",
        "SELECT count(*), min(t), max(t) FROM s",
        "SELECT count(*), min(t), id FROM s",
        "SELECT count(*), max(t), id FROM s",
        "SELECT g, count(*), min(t), max(t), min(u), max(u) FROM s GROUP BY g",
        "SELECT g, sum(id), max(t), id FROM s GROUP BY g",
        "SELECT count(*), min(w), max(w), min(u COLLATE BINARY), max(t COLLATE NOCASE) FROM s",
        "SELECT count(*), min(t), max(t) FROM s WHERE g = 3",
        "SELECT count(*), min(t), max(t) FROM s WHERE t IS NULL",
    ]);
}
