//! Sorts larger than the sorter's memory budget: with `PRAGMA cache_size = 1` the budget is
//! 64 pages (256 KiB), so each query below spills runs to disk, and the largest merges them
//! in more than one pass. Every answer must equal SQLite's, ties in SQLite's order included, and
//! the statements must really have spilled (counted runs), so memory stayed bounded.

mod oracle;

use basalt_core::connection::Connection;
use oracle::{compare_on, memory_pair};

const SETUP: &[&str] = &[
    "PRAGMA cache_size = 1",
    "CREATE TABLE t(id INTEGER PRIMARY KEY, g INTEGER, name TEXT, r REAL, pad BLOB)",
    "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100000)
     INSERT INTO t SELECT i, (i * 7919) % 5000,
        CASE i % 3 WHEN 0 THEN 'Name' || ((i * 31) % 20000) WHEN 1 THEN 'name' || ((i * 17) % 20000)
        ELSE NULL END,
        ((i * 104729) % 100003) / 7.0, zeroblob(i % 50) FROM n",
];

/// Queries whose sorts spill: ORDER BY on several key shapes (ties kept in insertion order),
/// GROUP BY with many groups, DISTINCT, a compound, LIMIT/OFFSET over a spilled sort.
const QUERIES: &[&str] = &[
    "SELECT id, g, name FROM t ORDER BY g, name COLLATE NOCASE DESC",
    "SELECT id, name, r FROM t ORDER BY name, r DESC",
    "SELECT id, r FROM t ORDER BY r",
    "SELECT g, count(*), sum(r), min(name), max(id) FROM t GROUP BY g ORDER BY 3 DESC",
    "SELECT name, count(*) FROM t GROUP BY name COLLATE NOCASE",
    "SELECT DISTINCT g % 1000, name FROM t ORDER BY 2, 1",
    "SELECT name FROM t WHERE id % 2 = 0 UNION SELECT name || 'x' FROM t ORDER BY 1",
    "SELECT id, length(pad) FROM t ORDER BY length(pad) DESC, g LIMIT 25 OFFSET 9000",
];

#[test]
fn spilled_sorts_answer_as_sqlite_does() {
    let (ours, theirs) = memory_pair();
    compare_on(&ours, &theirs, SETUP);
    compare_on(&ours, &theirs, QUERIES);
}

#[test]
fn a_large_sort_spills_runs_and_merges_in_passes() {
    let ours = Connection::open(":memory:").expect("open");
    for sql in SETUP {
        ours.execute_batch(sql).expect("setup");
    }
    let mut stmt = ours
        .prepare("SELECT id, name, pad FROM t ORDER BY name DESC, id")
        .expect("prepare");
    let mut rows = 0;
    let mut last: Option<(Option<Vec<u8>>, i64)> = None;
    while stmt.step_blocking().expect("step") {
        let row = stmt.row();
        let name = match &row[1] {
            basalt_core::record::Value::Text(t) => Some(t.clone()),
            _ => None,
        };
        let id = match row[0] {
            basalt_core::record::Value::Integer(i) => i,
            ref other => panic!("id {other:?}"),
        };
        if let Some((prev_name, prev_id)) = &last {
            // Descending names (NULLs last), ascending ids among equal names.
            assert!(
                prev_name > &name || (prev_name == &name && *prev_id < id),
                "{prev_name:?}/{prev_id} before {name:?}/{id}"
            );
        }
        last = Some((name, id));
        rows += 1;
    }
    assert_eq!(rows, 100_000);
    // Some 6 MiB of records and keys in 256 KiB runs: more than one merge pass (16 at once).
    assert!(stmt.sort_runs() > 16, "runs spilled: {}", stmt.sort_runs());

    // With the default cache the same sort stays in memory.
    ours.execute_batch("PRAGMA cache_size = -2000")
        .expect("cache_size");
    let mut in_memory = ours
        .prepare("SELECT id, name, pad FROM t ORDER BY name DESC, id")
        .expect("prepare");
    while in_memory.step_blocking().expect("step") {}
    assert_eq!(in_memory.sort_runs(), 0);
}
