//! CREATE INDEX on a filled table, built from sorted keys: every kind of index (unique,
//! partial, expression, collation, DESC, multi-column) must hold exactly SQLite's entries,
//! refuse duplicates with SQLite's message, and leave a file SQLite's integrity_check accepts.

mod oracle;

use oracle::Pair;

const FILL: &[&str] = &[
    "CREATE TABLE t(a INTEGER, b TEXT, c REAL, d)",
    "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 6000)
     INSERT INTO t SELECT (i * 7919) % 6007, CASE i % 4 WHEN 0 THEN 'Key' || (i % 97)
        WHEN 1 THEN 'key' || (i % 97) WHEN 2 THEN NULL ELSE printf('%05d', i) END,
        (i * 31) % 1000 / 8.0, randomblob(i % 300) FROM n",
];

const INDEXES_AND_CHECKS: &[&str] = &[
    "CREATE UNIQUE INDEX t_a ON t(a)",
    "CREATE INDEX t_b ON t(b COLLATE NOCASE DESC, c)",
    "CREATE INDEX t_partial ON t(c) WHERE c > 50",
    "CREATE INDEX t_expr ON t(length(d), a DESC)",
    "CREATE UNIQUE INDEX t_bad ON t(b)",
    "CREATE UNIQUE INDEX t_nulls ON t(CASE WHEN b IS NULL THEN NULL ELSE a END)",
    "CREATE UNIQUE INDEX t_expr_dup ON t(a % 10)",
    "CREATE UNIQUE INDEX t_two_dup ON t(c, a % 3)",
    "SELECT a, b FROM t WHERE a BETWEEN 100 AND 140 ORDER BY a",
    "SELECT b, c, a FROM t WHERE b = 'KEY5' COLLATE NOCASE ORDER BY b COLLATE NOCASE DESC, c",
    "SELECT count(*), sum(c) FROM t WHERE c > 100",
    "SELECT a FROM t WHERE length(d) = 7 ORDER BY a DESC",
    "SELECT name FROM sqlite_schema WHERE type = 'index' ORDER BY name",
    "PRAGMA integrity_check",
];

#[test]
fn indexes_built_on_filled_tables_match_sqlite() {
    let pair = Pair::new("create-index");
    pair.run(FILL);
    pair.run(INDEXES_AND_CHECKS);
    let (on_ours, on_theirs, dir) = pair.hand_over();
    for sql in INDEXES_AND_CHECKS
        .iter()
        .filter(|s| s.starts_with("SELECT"))
    {
        let (x, y) = (
            oracle::theirs(&on_ours, sql),
            oracle::theirs(&on_theirs, sql),
        );
        assert_eq!(x.outcome, y.outcome, "{sql}");
    }
    drop((on_ours, on_theirs));
    let _ = std::fs::remove_dir_all(dir);
}
