//! EXPLAIN QUERY PLAN of UPDATE and DELETE, compared with SQLite's. Both engines pick the rows
//! to change with the same access paths; Basalt collects their rowids first and changes them
//! in a second pass, so where an index holds every column that first pass reads (the rowid
//! and the WHERE's columns) it reads the index alone and its plan says `COVERING INDEX`,
//! where SQLite's one pass reads each table row and says `INDEX`. A DELETE without WHERE is
//! a scan in Basalt, where SQLite clears the table and shows no row.

mod oracle;

const SCHEMA: &[&str] = &[
    "CREATE TABLE t(a INTEGER PRIMARY KEY, b, c, d)",
    "CREATE INDEX t_d ON t(d)",
    "CREATE INDEX t_bc ON t(b, c)",
    "CREATE TABLE u(x, y)",
    "CREATE UNIQUE INDEX u_x ON u(x)",
    "CREATE TABLE w(p, q)",
];

/// Statements whose plans are SQLite's, but for the `COVERING` of Basalt's rowid pass.
const SAME_PATHS: &[&str] = &[
    "UPDATE t SET b = 1 WHERE a = 3",
    "UPDATE t SET d = d + 1 WHERE d = 3",
    "UPDATE t SET b = 2 WHERE d > 3 AND d < 9",
    "UPDATE t SET b = 2 WHERE b = 'x' AND c = 4",
    "UPDATE t SET a = a + 1 WHERE a > 5",
    "UPDATE OR REPLACE u SET y = 1 WHERE x = 3",
    "UPDATE t SET b = 1 WHERE a IN (1, 2, 3)",
    "UPDATE t INDEXED BY t_d SET b = 1 WHERE d = 2",
    "UPDATE t NOT INDEXED SET b = 1 WHERE d = 2",
    "UPDATE w SET p = 1 WHERE q = 2",
    "UPDATE w SET p = 1",
    "DELETE FROM t WHERE a = 3",
    "DELETE FROM t WHERE d = 3",
    "DELETE FROM t WHERE b > 'k'",
    "DELETE FROM u WHERE x = 3",
    "DELETE FROM w WHERE p = 1",
    "DELETE FROM t WHERE a BETWEEN 2 AND 7",
    "DELETE FROM t AS z WHERE z.d IN (4, 5)",
];

#[test]
fn update_and_delete_plans_take_sqlites_paths() {
    let (mine, sqlite) = oracle::memory_pair();
    oracle::compare_on(&mine, &sqlite, SCHEMA);
    let wrong: Vec<String> = SAME_PATHS
        .iter()
        .filter_map(|sql| {
            let ours = oracle::plan_details(&mine, sql);
            let theirs = oracle::plan_details_sqlite(&sqlite, sql);
            let read_alike: Vec<String> = ours
                .iter()
                .map(|d| d.replacen(" USING COVERING INDEX ", " USING INDEX ", 1))
                .collect();
            (read_alike != theirs)
                .then(|| format!("{sql}\n  ours:   {ours:?}\n  sqlite: {theirs:?}"))
        })
        .collect();
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    // The rowid pass really is index-only: no table read in the seek of `d`.
    assert_eq!(
        oracle::plan_details(&mine, "DELETE FROM t WHERE d = 3"),
        ["SEARCH t USING COVERING INDEX t_d (d=?)"]
    );
}

#[test]
fn a_delete_of_every_row_scans() {
    let (mine, sqlite) = oracle::memory_pair();
    oracle::compare_on(&mine, &sqlite, SCHEMA);
    assert_eq!(oracle::plan_details(&mine, "DELETE FROM w"), ["SCAN w"]);
    assert!(oracle::plan_details_sqlite(&sqlite, "DELETE FROM w").is_empty());
}

/// Shapes still refused: the plan of a statement with a subquery, WITH or RETURNING,
/// and of INSERT.
#[test]
fn other_writes_are_refused() {
    let (mine, _) = oracle::memory_pair();
    for sql in SCHEMA {
        mine.execute_batch(sql).expect(sql);
    }
    for sql in [
        "UPDATE t SET b = (SELECT max(y) FROM u) WHERE a = 1",
        "DELETE FROM t WHERE a IN (SELECT x FROM u)",
        "DELETE FROM t WHERE a = 1 RETURNING b",
        "WITH c AS (SELECT 1) DELETE FROM t WHERE a = 1",
        "INSERT INTO w VALUES (1, 2)",
    ] {
        let e = mine
            .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
            .err()
            .map(|e| e.to_string());
        assert!(
            e.as_deref()
                .is_some_and(|m| m.contains("not supported by Basalt yet")),
            "{sql}: {e:?}"
        );
    }
}
