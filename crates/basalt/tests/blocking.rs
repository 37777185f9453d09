//! The blocking API end to end: statements, rows, transactions, options, errors.

mod common;

use basalt::blocking::{Connection, Database};
use basalt::{params, Builder, Error, ErrorCode, IoBackend};
use common::TempDir;
use std::time::{Duration, Instant};

fn memory() -> Connection {
    Connection::open(":memory:").unwrap()
}

#[test]
fn connection_database_and_statement_are_send() {
    fn send_sync<T: Send + Sync>() {}
    fn send<T: Send>() {}
    send_sync::<Database>();
    send_sync::<Connection>();
    send::<basalt::blocking::Statement>();
    send::<basalt::blocking::Rows>();
    send::<basalt::Row>();
}

#[test]
fn execute_reports_changes_and_rowids() {
    let conn = memory();
    assert_eq!(conn.execute("CREATE TABLE t(x)", ()).unwrap(), 0);
    assert_eq!(
        conn.execute("INSERT INTO t VALUES (1), (2), (3)", ())
            .unwrap(),
        3
    );
    assert_eq!((conn.changes(), conn.last_insert_rowid()), (3, 3));
    assert_eq!(
        conn.execute("UPDATE t SET x = x + 1 WHERE x > 1", ())
            .unwrap(),
        2
    );
    assert_eq!(conn.total_changes(), 5);
    // A statement that is not INSERT/UPDATE/DELETE changes nothing, whatever came before.
    assert_eq!(conn.execute("CREATE TABLE u(y)", ()).unwrap(), 0);
    assert_eq!(conn.execute("DELETE FROM t", ()).unwrap(), 3);
}

#[test]
fn query_rows_iterate_with_column_names() {
    let conn = memory();
    conn.execute_batch("CREATE TABLE t(a, b); INSERT INTO t VALUES (1, 'x'), (2, 'y');")
        .unwrap();
    let mut rows = conn
        .query("SELECT a, b AS bee FROM t ORDER BY a", ())
        .unwrap();
    assert_eq!(rows.column_names(), ["a", "bee"]);
    let first = rows.next().unwrap().unwrap();
    assert_eq!(
        (
            first.get::<i64>(0).unwrap(),
            first.get::<String>("BEE").unwrap()
        ),
        (1, "x".into())
    );
    let rest: Vec<i64> = rows.map(|r| r.unwrap().get(0).unwrap()).collect();
    assert_eq!(rest, [2]);
}

#[test]
fn many_rows_come_back_in_order() {
    let conn = memory();
    conn.execute_batch("CREATE TABLE t(x)").unwrap();
    let mut insert = conn.prepare("INSERT INTO t VALUES (?1)").unwrap();
    for i in 0..1000 {
        insert.execute([i]).unwrap();
    }
    let xs: Vec<i64> = conn
        .query("SELECT x FROM t ORDER BY x", ())
        .unwrap()
        .map(|r| r.unwrap().get(0).unwrap())
        .collect();
    assert_eq!(xs, (0..1000).collect::<Vec<_>>());
}

#[test]
fn prepared_statements_rerun_and_outdate_old_rows() {
    let conn = memory();
    conn.execute_batch("CREATE TABLE t(x); INSERT INTO t VALUES (1), (2);")
        .unwrap();
    let mut stmt = conn
        .prepare("SELECT x FROM t WHERE x >= ?1 ORDER BY x")
        .unwrap();
    assert_eq!((stmt.parameter_count(), stmt.column_count()), (1, 1));
    assert_eq!(stmt.column_names(), ["x"]);
    assert_eq!(stmt.query_row([2]).unwrap().get::<i64>(0).unwrap(), 2);
    let mut old = stmt.query([0]).unwrap();
    let mut new = stmt.query([0]).unwrap();
    // Both runs fetched their first rows when they started.
    assert!(old.next().unwrap().is_some());
    assert_eq!(new.next().unwrap().unwrap().get::<i64>(0).unwrap(), 1);
    let many = conn.prepare("SELECT x FROM t").unwrap();
    drop(many);
    assert_eq!(stmt.query_row([5]).unwrap_err(), Error::QueryReturnedNoRows);
}

#[test]
fn rows_of_a_rerun_statement_are_refused() {
    let conn = memory();
    conn.execute_batch("CREATE TABLE t(x)").unwrap();
    for i in 0..200 {
        conn.execute("INSERT INTO t VALUES (?1)", [i]).unwrap();
    }
    let mut stmt = conn.prepare("SELECT x FROM t").unwrap();
    let mut old = stmt.query(()).unwrap();
    let _new = stmt.query(()).unwrap();
    let err = (0..200).find_map(|_| old.next().err()).unwrap();
    assert_eq!(err, Error::RowsOutdated);
}

#[test]
fn execute_batch_stops_at_the_first_error() {
    let conn = memory();
    let err = conn
        .execute_batch("CREATE TABLE t(x); INSERT INTO nope VALUES (1); CREATE TABLE u(y);")
        .unwrap_err();
    assert_eq!(err.to_string(), "no such table: nope");
    assert!(conn.query("SELECT * FROM t", ()).is_ok());
    assert!(conn.query("SELECT * FROM u", ()).is_err());
}

#[test]
fn prepare_refuses_a_second_statement_but_allows_comments() {
    let conn = memory();
    assert_eq!(
        conn.prepare("SELECT 1; SELECT 2").err(),
        Some(Error::MultipleStatement)
    );
    assert!(conn.prepare("SELECT 1; -- done\n").is_ok());
}

#[test]
fn transactions_commit_roll_back_and_roll_back_on_drop() {
    let mut conn = memory();
    conn.execute_batch("CREATE TABLE t(x)").unwrap();
    let tx = conn.transaction().unwrap();
    tx.execute("INSERT INTO t VALUES (1)", ()).unwrap();
    assert!(!tx.is_autocommit());
    tx.commit().unwrap();
    assert!(conn.is_autocommit());

    let tx = conn.transaction().unwrap();
    tx.execute("INSERT INTO t VALUES (2)", ()).unwrap();
    tx.rollback().unwrap();

    {
        let tx = conn.transaction().unwrap();
        tx.execute("INSERT INTO t VALUES (3)", ()).unwrap();
    }
    assert!(conn.is_autocommit());
    let count: i64 = conn
        .query_row("SELECT count(*) FROM t", ())
        .unwrap()
        .get(0)
        .unwrap();
    assert_eq!(count, 1);
}

#[test]
fn a_file_database_is_shared_by_its_connections() {
    let dir = TempDir::new("blocking-shared");
    let db = Builder::new_local(dir.file("app.db"))
        .build_blocking()
        .unwrap();
    let one = db.connect().unwrap();
    one.execute_batch("CREATE TABLE t(x); INSERT INTO t VALUES (41);")
        .unwrap();
    // Connected after the CREATE: the engine does not yet notice, at prepare, a table another
    // connection created after this one loaded its schema (SQLite re-reads the schema then).
    let two = db.connect().unwrap();
    one.execute("UPDATE t SET x = x + 1", ()).unwrap();
    assert_eq!(
        two.query_row("SELECT x FROM t", ())
            .unwrap()
            .get::<i64>(0)
            .unwrap(),
        42
    );
    drop((one, two, db));
    // Reopened: the data was committed to the file.
    let again = Connection::open(dir.file("app.db")).unwrap();
    assert_eq!(
        again
            .query_row("SELECT x FROM t", ())
            .unwrap()
            .get::<i64>(0)
            .unwrap(),
        42
    );
}

#[test]
fn memory_is_private_per_connection_unless_the_memory_backend_is_chosen() {
    let db = Builder::new_local(":memory:").build_blocking().unwrap();
    db.connect()
        .unwrap()
        .execute_batch("CREATE TABLE t(x)")
        .unwrap();
    assert!(db.connect().unwrap().query("SELECT * FROM t", ()).is_err());

    let db = Builder::new_local("shared.db")
        .io(IoBackend::Memory)
        .build_blocking()
        .unwrap();
    let one = db.connect().unwrap();
    one.execute_batch("CREATE TABLE t(x); INSERT INTO t VALUES (7);")
        .unwrap();
    let two = db.connect().unwrap();
    assert_eq!(
        two.query_row("SELECT x FROM t", ())
            .unwrap()
            .get::<i64>(0)
            .unwrap(),
        7
    );
    assert!(!std::path::Path::new("shared.db").exists());
}

#[test]
fn create_if_missing_off_refuses_a_missing_file() {
    let dir = TempDir::new("blocking-missing");
    let err = Builder::new_local(dir.file("missing.db"))
        .create_if_missing(false)
        .build_blocking()
        .unwrap_err();
    assert_eq!(err.sqlite_code(), Some(ErrorCode::CantOpen));
    assert_eq!(err.to_string(), "unable to open database file");
    Connection::open(dir.file("missing.db")).unwrap();
    Builder::new_local(dir.file("missing.db"))
        .create_if_missing(false)
        .build_blocking()
        .unwrap();
}

#[test]
fn busy_timeout_waits_for_the_other_writer() {
    let dir = TempDir::new("blocking-busy");
    let path = dir.file("app.db");
    let impatient = Builder::new_local(&path)
        .busy_timeout(Duration::ZERO)
        .build_blocking()
        .unwrap();
    let patient = Builder::new_local(&path).build_blocking().unwrap();
    let mut holder = patient.connect().unwrap();
    holder.execute_batch("CREATE TABLE t(x)").unwrap();
    let tx = holder.transaction().unwrap();
    tx.execute("INSERT INTO t VALUES (1)", ()).unwrap();

    let err = impatient
        .connect()
        .unwrap()
        .execute("INSERT INTO t VALUES (2)", ())
        .unwrap_err();
    assert_eq!(err.sqlite_code(), Some(ErrorCode::Busy));
    assert_eq!(err.to_string(), "database is locked");

    let waiter = patient.connect().unwrap();
    let started = Instant::now();
    std::thread::scope(|s| {
        s.spawn(|| {
            std::thread::sleep(Duration::from_millis(150));
            tx.commit().unwrap();
        });
        waiter.execute("INSERT INTO t VALUES (3)", ()).unwrap();
    });
    assert!(started.elapsed() >= Duration::from_millis(100));
    let sum: i64 = waiter
        .query_row("SELECT sum(x) FROM t", params![])
        .unwrap()
        .get(0)
        .unwrap();
    assert_eq!(sum, 4);
}

#[test]
fn errors_carry_sqlite_codes_and_messages() {
    let conn = memory();
    let err = conn.execute("SELEC 1", ()).unwrap_err();
    assert_eq!(err.to_string(), "near \"SELEC\": syntax error");
    match err {
        Error::Sqlite {
            code,
            extended_code,
            ..
        } => {
            assert_eq!((code, extended_code), (ErrorCode::Error, 1));
        }
        other => panic!("{other:?}"),
    }
    conn.execute_batch("CREATE TABLE t(x NOT NULL)").unwrap();
    let err = conn.execute("INSERT INTO t VALUES (NULL)", ()).unwrap_err();
    assert_eq!(err.sqlite_code(), Some(ErrorCode::Constraint));
    assert_eq!(err.to_string(), "NOT NULL constraint failed: t.x");
    assert_eq!(ErrorCode::Constraint.as_i32(), 19);
}

#[test]
fn a_connection_moves_to_another_thread() {
    let conn = memory();
    conn.execute_batch("CREATE TABLE t(x)").unwrap();
    let conn = std::thread::spawn(move || {
        conn.execute("INSERT INTO t VALUES (1)", ()).unwrap();
        conn
    })
    .join()
    .unwrap();
    assert_eq!(conn.last_insert_rowid(), 1);
}

#[test]
fn interrupt_stops_a_running_statement_from_another_thread() {
    let conn = memory();
    conn.execute_batch("CREATE TABLE t(x)").unwrap();
    let mut insert = conn.prepare("INSERT INTO t VALUES (?1)").unwrap();
    for i in 0..1000 {
        insert.execute([i]).unwrap();
    }
    let done = std::sync::atomic::AtomicBool::new(false);
    let result = std::thread::scope(|s| {
        s.spawn(|| {
            // Repeated: a flag set before the statement starts is cleared by its first step.
            while !done.load(std::sync::atomic::Ordering::Relaxed) {
                std::thread::sleep(Duration::from_millis(20));
                conn.interrupt();
            }
        });
        // A billion rows: it only ends this quickly by being interrupted.
        let result = conn.query_row("SELECT count(*) FROM t a, t b, t c", ());
        done.store(true, std::sync::atomic::Ordering::Relaxed);
        result
    });
    let err = result.unwrap_err();
    assert_eq!(err.sqlite_code(), Some(ErrorCode::Interrupt));
    assert_eq!(err.to_string(), "interrupted");
    // The connection is usable again.
    assert_eq!(
        conn.query_row("SELECT count(*) FROM t", ())
            .unwrap()
            .get::<i64>(0)
            .unwrap(),
        1000
    );
}
