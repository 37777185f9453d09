//! Joins of two 100,000-row tables on columns no index covers finish in bounded work: the VM
//! instructions a query runs (`Statement::vm_steps`, SQLite's SQLITE_STMTSTATUS_VM_STEP) stay
//! under a fixed multiple of the row count, where nested loops would run ~n² = 10¹⁰. Inner
//! joins, LEFT JOINs, USING, joins through a view, a subquery and a CTE, and a three-way join;
//! each answer (counts and sums) is compared with SQLite's.

mod oracle;

use basalt_core::connection::Connection;
use basalt_core::record::Value;

const N: i64 = 100_000;
/// Instructions allowed per row of the join's inputs: building an automatic index is a handful
/// per row, and each outer row seeks and visits its few matches.
const STEPS_PER_ROW: u64 = 50;

const SCHEMA: &str = "CREATE TABLE t1(id INTEGER PRIMARY KEY, a INTEGER, x); \
    CREATE TABLE t2(id INTEGER PRIMARY KEY, b INTEGER, y TEXT); \
    CREATE TABLE t3(c, z); \
    CREATE VIEW v2 AS SELECT b, y FROM t2 WHERE id % 2 = 0";

/// The rows of the tables, none indexed on a joined column: `t1.a` takes each value of 1..n/2
/// twice, `t2.b` each value of 1..n once (as text, which the INTEGER column turns back into a
/// number, for every fifth), some of both NULL; `t3.c` (no affinity, so SQLite's rules allow no
/// automatic index on it for a comparison with the TEXT column `t2.y`) a tenth of `t2.y`'s
/// texts: that join is bounded only if `t3` is made the outer loop.
fn rows(i: i64) -> [(&'static str, Vec<Value>); 3] {
    let t = |s: String| Value::Text(s.into_bytes());
    let a = if i % 97 == 0 {
        Value::Null
    } else {
        Value::Integer(i / 2)
    };
    let b = match i {
        _ if i % 89 == 0 => Value::Null,
        _ if i % 5 == 0 => t(i.to_string()),
        _ => Value::Integer(i),
    };
    [
        ("t1", vec![Value::Integer(i), a, Value::Integer(i % 7)]),
        ("t2", vec![Value::Integer(i), b, t(format!("k{i}"))]),
        ("t3", vec![t(format!("k{i}")), Value::Integer(i)]),
    ]
}

fn to_sqlite(v: &Value) -> rusqlite::types::Value {
    match v {
        Value::Null => rusqlite::types::Value::Null,
        Value::Integer(i) => rusqlite::types::Value::Integer(*i),
        Value::Real(r) => rusqlite::types::Value::Real(*r),
        Value::Text(t) => rusqlite::types::Value::Text(String::from_utf8_lossy(t).into_owned()),
        Value::Blob(b) => rusqlite::types::Value::Blob(b.clone()),
    }
}

fn fill(mine: &Connection, oracle: &rusqlite::Connection) {
    mine.execute_batch(SCHEMA).unwrap();
    oracle.execute_batch(SCHEMA).unwrap();
    mine.execute_batch("BEGIN").unwrap();
    oracle.execute_batch("BEGIN").unwrap();
    let mut inserts: Vec<_> = ["t1", "t2", "t3"]
        .iter()
        .map(|table| {
            let marks = if *table == "t3" { "?, ?" } else { "?, ?, ?" };
            let sql = format!("INSERT INTO {table} VALUES ({marks})");
            (mine.prepare(&sql).unwrap(), sql)
        })
        .collect();
    for i in 1..=N {
        for ((table, row), (stmt, sql)) in rows(i).into_iter().zip(&mut inserts) {
            if table == "t3" && i % 10 != 0 {
                continue;
            }
            stmt.reset();
            for (k, v) in row.iter().enumerate() {
                stmt.bind(k + 1, v.clone()).unwrap();
            }
            while stmt.step_blocking().unwrap() {}
            let params: Vec<rusqlite::types::Value> = row.iter().map(to_sqlite).collect();
            oracle
                .prepare_cached(sql)
                .unwrap()
                .execute(rusqlite::params_from_iter(params))
                .unwrap();
        }
    }
    drop(inserts);
    mine.execute_batch("COMMIT").unwrap();
    oracle.execute_batch("COMMIT").unwrap();
}

const QUERIES: &[&str] = &[
    "SELECT count(*), sum(t1.id), sum(t2.id) FROM t1 JOIN t2 ON t1.a = t2.b",
    "SELECT count(*), sum(t1.id), sum(t2.id) FROM t1, t2 WHERE t2.b = t1.a AND t1.x < 5",
    "SELECT count(*), sum(t1.id), total(t2.id) FROM t1 LEFT JOIN t2 ON t1.a = t2.b",
    "SELECT count(*), sum(t1.id) FROM t1 LEFT JOIN t2 ON t2.b = t1.a WHERE t2.id IS NULL",
    "SELECT count(*), sum(t1.id) FROM t1 JOIN v2 ON v2.b = t1.a",
    "SELECT count(*), sum(t1.id) FROM t1 LEFT JOIN v2 ON v2.b = t1.a",
    "SELECT count(*), sum(t1.id), sum(s.id) FROM t1 JOIN (SELECT id, b FROM t2 WHERE id > 10) AS s \
     ON s.b = t1.a",
    "WITH c AS (SELECT b AS a, id AS j FROM t2) SELECT count(*), sum(j) FROM t1 JOIN c USING (a)",
    "SELECT count(*), sum(t1.id), sum(t3.z) FROM t1 JOIN t2 ON t1.a = t2.b JOIN t3 ON t3.c = t2.y",
    "SELECT count(*) FROM t1 JOIN t2 ON t1.x = t2.id AND t1.a = t2.b",
    "SELECT count(*), sum(t3.z) FROM t3 CROSS JOIN t2 ON t2.y = t3.c",
    "SELECT count(*), sum(t3.z) FROM t2, t3 WHERE t3.c = t2.y AND t2.b IS NOT NULL",
];

fn ours(conn: &Connection, sql: &str) -> (Vec<Vec<Value>>, u64) {
    let mut stmt = conn.prepare(sql).unwrap_or_else(|e| panic!("{sql}: {e}"));
    let mut rows = Vec::new();
    while stmt
        .step_blocking()
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
    {
        rows.push(stmt.row().to_vec());
    }
    (rows, stmt.vm_steps())
}

fn theirs(conn: &rusqlite::Connection, sql: &str) -> Vec<Vec<Value>> {
    let mut stmt = conn.prepare(sql).unwrap();
    let n = stmt.column_count();
    let mut q = stmt.query([]).unwrap();
    let mut rows = Vec::new();
    while let Some(r) = q.next().unwrap() {
        rows.push((0..n).map(|i| oracle::sqlite_value(r, i)).collect());
    }
    rows
}

#[test]
fn joins_without_indexes_are_not_quadratic() {
    let mine = Connection::open(":memory:").unwrap();
    let oracle = rusqlite::Connection::open_in_memory().unwrap();
    fill(&mine, &oracle);
    let budget = STEPS_PER_ROW * N as u64;
    for sql in QUERIES {
        let (rows, steps) = ours(&mine, sql);
        assert_eq!(rows, theirs(&oracle, sql), "{sql}");
        eprintln!("{steps:>12} VM steps  {sql}");
        assert!(steps < budget, "{sql}: {steps} VM steps, budget {budget}");
    }
}

#[test]
fn vm_steps_count_work_and_survive_reset() {
    let conn = Connection::open(":memory:").unwrap();
    conn.execute_batch("CREATE TABLE t(a); INSERT INTO t VALUES (1), (2), (3)")
        .unwrap();
    let mut stmt = conn.prepare("SELECT a FROM t").unwrap();
    assert_eq!(stmt.vm_steps(), 0);
    while stmt.step_blocking().unwrap() {}
    let once = stmt.vm_steps();
    assert!(once > 3, "{once}");
    stmt.reset();
    while stmt.step_blocking().unwrap() {}
    // Cumulative since prepare, as SQLite's counter is without its reset flag.
    assert_eq!(stmt.vm_steps(), 2 * once);
}
