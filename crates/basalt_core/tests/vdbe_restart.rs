//! Restartability of the VM: with an I/O backend where every read completes only after
//! `Io::wait`, stepping returns `IoPending` and re-running the same step must give exactly the
//! rows a blocking backend gives.

use basalt_core::connection::Connection;
use basalt_core::io::{Io, MemoryIo};
use basalt_core::record::Value;
use basalt_core::vdbe::StepResult;
use std::sync::Arc;

/// Runs a query driving `step` by hand: returns the rows and how many times it had to wait.
fn drive(conn: &Connection, io: &dyn Io, sql: &str) -> (Vec<Vec<Value>>, usize) {
    let mut stmt = conn.prepare(sql).expect("prepare");
    let mut rows = Vec::new();
    let mut waits = 0;
    loop {
        match stmt.step().expect("step") {
            StepResult::Row => rows.push(stmt.row().to_vec()),
            StepResult::Done => break,
            StepResult::IoPending => {
                waits += 1;
                io.wait().expect("wait");
            }
        }
    }
    (rows, waits)
}

#[test]
fn steps_resume_after_pending_io_with_the_same_results() {
    let setup = "CREATE TABLE t(a INTEGER PRIMARY KEY, b TEXT, c REAL);
                 CREATE INDEX tb ON t(b);";
    let io = Arc::new(MemoryIo::deferred());
    let writer = Connection::open_with_io(io.clone(), "restart.db").expect("open");
    writer.execute_batch(setup).expect("setup");
    let mut insert = writer
        .prepare("INSERT INTO t(b, c) VALUES (?1, ?2)")
        .expect("prepare insert");
    for i in 0..2000 {
        insert.reset();
        insert
            .bind(1, Value::Text(format!("v{:05}", i % 700).into_bytes()))
            .expect("bind");
        insert.bind(2, Value::Real(i as f64 / 4.0)).expect("bind");
        while insert.step_blocking().expect("insert") {}
    }
    drop(insert);

    // A second connection starts with a cold cache, so its reads must wait.
    let reader = Connection::open_with_io(io.clone(), "restart.db").expect("open reader");
    let queries = [
        "SELECT count(*), sum(c), min(b), max(b) FROM t",
        "SELECT b, count(*) FROM t GROUP BY b HAVING count(*) > 2 ORDER BY 2 DESC, 1 LIMIT 5",
        "SELECT a, b FROM t WHERE a IN (SELECT a FROM t WHERE c > 480) ORDER BY a",
        // A recursive CTE read as a co-routine, its producer reading the table between yields.
        "WITH RECURSIVE c(k, n) AS (SELECT 1, 0 UNION ALL SELECT a + 37, n + 1 FROM c JOIN t ON t.a = c.k) \
         SELECT k, n, (SELECT b FROM t WHERE a = k) FROM c LIMIT 40",
    ];
    let mut total_waits = 0;
    for q in queries {
        let (rows, waits) = drive(&reader, io.as_ref(), q);
        total_waits += waits;
        // The same query, blocking, on the writer's warm cache.
        let mut stmt = writer.prepare(q).expect("prepare");
        let mut expected = Vec::new();
        while stmt.step_blocking().expect("step") {
            expected.push(stmt.row().to_vec());
        }
        assert_eq!(rows, expected, "{q}");
        assert!(!rows.is_empty(), "{q}");
    }
    assert!(
        total_waits > 0,
        "the deferred backend never made a step wait"
    );
}
