//! Connection-level behaviour that SQLite users rely on, beyond single statements: a schema
//! change made by another connection is seen at the next prepare, and an interrupt reaches a
//! statement that is between two steps. Each case is checked against SQLite (rusqlite).

use basalt_core::connection::Connection;
use basalt_core::error::ErrorCode;

/// A scratch directory for one test, emptied first.
fn scratch(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("basalt-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create scratch dir");
    dir
}

fn count(conn: &Connection, sql: &str) -> i64 {
    let mut stmt = conn.prepare(sql).expect("prepare");
    assert!(stmt.step_blocking().expect("step"));
    match stmt.row()[0] {
        basalt_core::record::Value::Integer(n) => n,
        ref other => panic!("not an integer: {other:?}"),
    }
}

/// SQLite's prepare rereads the schema when a name is missing and the schema cookie moved, so
/// a table another connection just created is found, and one it dropped is gone.
#[test]
fn schema_changes_of_other_connections_are_seen_at_prepare() {
    let dir = scratch("stale-schema");
    let basalt_path = dir.join("b.db");
    let sqlite_path = dir.join("s.db");
    let first = Connection::open(basalt_path.to_str().unwrap()).unwrap();
    let second = Connection::open(basalt_path.to_str().unwrap()).unwrap();
    let sqlite_first = rusqlite::Connection::open(&sqlite_path).unwrap();
    let sqlite_second = rusqlite::Connection::open(&sqlite_path).unwrap();
    // Both second connections have read the (empty) schema already.
    assert_eq!(count(&second, "SELECT count(*) FROM sqlite_schema"), 0);
    let n: i64 = sqlite_second
        .query_row("SELECT count(*) FROM sqlite_schema", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n, 0);

    let create = "CREATE TABLE t(x); INSERT INTO t VALUES (1), (2);";
    first.execute_batch(create).unwrap();
    sqlite_first.execute_batch(create).unwrap();
    let query = "SELECT count(*) FROM t";
    let theirs: i64 = sqlite_second.query_row(query, [], |r| r.get(0)).unwrap();
    assert_eq!(count(&second, query), theirs);

    first.execute_batch("DROP TABLE t").unwrap();
    sqlite_first.execute_batch("DROP TABLE t").unwrap();
    // SQLite prepares against the schema it has and finds the table gone when it runs.
    let their_err = sqlite_second
        .query_row(query, [], |r| r.get::<_, i64>(0))
        .unwrap_err()
        .to_string();
    let our_err = second
        .prepare(query)
        .and_then(|mut stmt| stmt.step_blocking())
        .unwrap_err();
    assert_eq!(our_err.message, their_err);
    drop((first, second));
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A name that is simply missing is still an error, and costs no reload loop.
#[test]
fn missing_table_is_still_an_error() {
    let conn = Connection::open(":memory:").unwrap();
    let err = conn
        .prepare("SELECT * FROM nowhere")
        .map(|_| ())
        .unwrap_err();
    assert_eq!(err.message, "no such table: nowhere");
}

/// An interrupt that arrives while a statement is between two steps (the shell printing a row,
/// say) stops it at its next step, as `sqlite3_interrupt` does; a statement started after all
/// others have ended runs normally again.
#[test]
fn interrupt_between_steps_stops_the_statement() {
    let setup = "CREATE TABLE t(x); INSERT INTO t VALUES (1), (2), (3), (4), (5);";
    let query = "SELECT x FROM t";

    let oracle = rusqlite::Connection::open_in_memory().unwrap();
    oracle.execute_batch(setup).unwrap();
    let mut stmt = oracle.prepare(query).unwrap();
    let mut q = stmt.query([]).unwrap();
    assert!(q.next().unwrap().is_some());
    oracle.get_interrupt_handle().interrupt();
    let their_err = q.next().map(|_| ()).unwrap_err();
    drop(q);
    drop(stmt);

    let conn = Connection::open(":memory:").unwrap();
    conn.execute_batch(setup).unwrap();
    let mut stmt = conn.prepare(query).unwrap();
    assert!(stmt.step_blocking().unwrap());
    conn.interrupt();
    let err = stmt.step_blocking().unwrap_err();
    assert_eq!(err.code, ErrorCode::Interrupt);
    assert_eq!(err.message, their_err.to_string());
    drop(stmt);

    // Nothing runs now, so a new statement clears the flag and runs to its end.
    assert_eq!(count(&conn, "SELECT count(*) FROM t"), 5);
    let their_count: i64 = oracle
        .query_row("SELECT count(*) FROM t", [], |r| r.get(0))
        .unwrap();
    assert_eq!(their_count, 5);
}

/// Nameless `?` are numbered in the order they are written, whatever order the statement's
/// parts are compiled in (an INSERT computes its INTEGER PRIMARY KEY last, a seek key comes
/// before its loop, WHERE before the result columns).
#[test]
fn parameters_are_numbered_in_text_order() {
    use basalt_core::record::Value;
    let setup = "CREATE TABLE t(id INTEGER PRIMARY KEY, a, b); CREATE INDEX t_a ON t(a);";
    let oracle = rusqlite::Connection::open_in_memory().unwrap();
    oracle.execute_batch(setup).unwrap();
    let conn = Connection::open(":memory:").unwrap();
    conn.execute_batch(setup).unwrap();
    let inserts = [
        ("INSERT INTO t VALUES (?, ?, ?)", [7, 8, 9]),
        ("INSERT INTO t(b, id, a) VALUES (?, ?, ?)", [1, 2, 3]),
        ("INSERT INTO t(a, b, id) VALUES (?3, ?, ?1)", [4, 5, 6]),
    ];
    for (sql, values) in inserts {
        let mut stmt = conn.prepare(sql).unwrap();
        let mut theirs = oracle.prepare(sql).unwrap();
        assert_eq!(stmt.parameter_count(), theirs.parameter_count(), "{sql}");
        for (i, v) in values.iter().enumerate().take(stmt.parameter_count()) {
            stmt.bind(i + 1, Value::Integer(*v)).unwrap();
            theirs.raw_bind_parameter(i + 1, *v).unwrap();
        }
        stmt.step_blocking().unwrap();
        theirs.raw_execute().unwrap();
    }
    for sql in [
        "SELECT ?, id FROM t WHERE a = ? ORDER BY id",
        "SELECT id, ? FROM t WHERE id = ? OR b = ? ORDER BY 1",
        "SELECT * FROM t ORDER BY id",
    ] {
        let mut stmt = conn.prepare(sql).unwrap();
        let mut theirs = oracle.prepare(sql).unwrap();
        assert_eq!(stmt.parameter_count(), theirs.parameter_count(), "{sql}");
        for i in 1..=stmt.parameter_count() {
            let v = [3i64, 8, 5][i - 1];
            stmt.bind(i, Value::Integer(v)).unwrap();
            theirs.raw_bind_parameter(i, v).unwrap();
        }
        let mut ours = Vec::new();
        while stmt.step_blocking().unwrap() {
            ours.push(format!("{:?}", stmt.row()));
        }
        let n = theirs.column_count();
        let mut rows = theirs.raw_query();
        let mut expected = Vec::new();
        while let Some(r) = rows.next().unwrap() {
            let row: Vec<Value> = (0..n)
                .map(|i| match r.get_ref(i).unwrap() {
                    rusqlite::types::ValueRef::Integer(x) => Value::Integer(x),
                    rusqlite::types::ValueRef::Null => Value::Null,
                    other => panic!("unexpected {other:?}"),
                })
                .collect();
            expected.push(format!("{row:?}"));
        }
        assert_eq!(ours, expected, "{sql}");
    }
}
