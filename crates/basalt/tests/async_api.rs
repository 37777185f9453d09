//! The async API: on tokio (several tasks sharing a database through separate connections)
//! and on a minimal executor of its own, which shows no tokio is needed.

mod common;

use basalt::{named_params, params, Builder, Connection, Database, Error, ErrorCode, IoBackend};
use common::TempDir;
use std::future::Future;
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};
use std::time::{Duration, Instant};

async fn memory() -> Connection {
    Builder::new_local(":memory:")
        .build()
        .await
        .unwrap()
        .connect()
        .unwrap()
}

#[test]
fn types_and_futures_are_send() {
    fn send_sync<T: Send + Sync>(_: &T) {}
    fn send<T: Send>(_: &T) {}
    fn send_sync_type<T: Send + Sync>() {}
    send_sync_type::<Database>();
    send_sync_type::<Connection>();
    let conn = block_on(memory());
    // Borrowed, non-Send parameters still give Send futures: they are converted at the call.
    let execute = conn.execute("SELECT ?1", params![1]);
    send(&execute);
    send(&conn.query("SELECT :a", named_params! { ":a": "x" }));
    send(&conn.prepare("SELECT 1"));
    send(&conn.execute_batch("SELECT 1"));
    send_sync(&conn);
    block_on(execute).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_whole_api_in_one_go() {
    let mut conn = memory().await;
    conn.execute_batch("CREATE TABLE todo(id INTEGER PRIMARY KEY, title TEXT, done INTEGER)")
        .await
        .unwrap();
    let n = conn
        .execute(
            "INSERT INTO todo(title, done) VALUES (?1, ?2), (?1, ?2)",
            ("a", false),
        )
        .await
        .unwrap();
    assert_eq!(
        (
            n,
            conn.changes(),
            conn.last_insert_rowid(),
            conn.total_changes()
        ),
        (2, 2, 2, 2)
    );

    let mut stmt = conn
        .prepare("UPDATE todo SET done = :done WHERE id = :id")
        .await
        .unwrap();
    assert_eq!(stmt.parameter_count(), 2);
    assert_eq!(
        stmt.execute(named_params! { ":done": true, ":id": 1 })
            .await
            .unwrap(),
        1
    );
    assert_eq!(stmt.execute([(":done", 1), (":id", 99)]).await.unwrap(), 0);

    let mut query = conn
        .prepare("SELECT id, title FROM todo WHERE done = ?1")
        .await
        .unwrap();
    assert_eq!(query.column_names(), ["id", "title"]);
    assert_eq!(query.column_count(), 2);
    let row = query.query_row([1]).await.unwrap();
    assert_eq!(row.get::<i64>("id").unwrap(), 1);
    let mut rows = query.query([0]).await.unwrap();
    assert_eq!(rows.column_count(), 2);
    assert_eq!(rows.column_names(), ["id", "title"]);
    assert_eq!(
        rows.next().await.unwrap().unwrap().get::<i64>(0).unwrap(),
        2
    );
    assert!(rows.next().await.unwrap().is_none());
    assert!(rows.next().await.unwrap().is_none());

    let tx = conn.transaction().await.unwrap();
    tx.execute("DELETE FROM todo", ()).await.unwrap();
    assert!(!tx.is_autocommit());
    tx.commit().await.unwrap();
    let count: i64 = conn
        .query_row("SELECT count(*) FROM todo", ())
        .await
        .unwrap()
        .get(0)
        .unwrap();
    assert_eq!(count, 0);
    assert_eq!(
        conn.query_row("SELECT 1 WHERE 0", ()).await.unwrap_err(),
        Error::QueryReturnedNoRows
    );
}

#[tokio::test]
async fn transactions_roll_back_when_dropped_or_asked() {
    let mut conn = memory().await;
    conn.execute_batch("CREATE TABLE t(x)").await.unwrap();
    {
        let tx = conn.transaction().await.unwrap();
        tx.execute("INSERT INTO t VALUES (1)", ()).await.unwrap();
    }
    let tx = conn.transaction().await.unwrap();
    tx.execute("INSERT INTO t VALUES (2)", ()).await.unwrap();
    tx.rollback().await.unwrap();
    assert!(conn.is_autocommit());
    let count: i64 = conn
        .query_row("SELECT count(*) FROM t", ())
        .await
        .unwrap()
        .get(0)
        .unwrap();
    assert_eq!(count, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
/// Four writer tasks and eight reader tasks on one file database, each with its own connection:
/// every committed row is seen, no reader sees part of a transaction, busy writers wait (none
/// fails: the default busy timeout is 5 s), and SQLite finds the file sound afterwards.
async fn tasks_share_a_file_database_through_separate_connections() {
    let dir = TempDir::new("async-tasks");
    let db = Builder::new_local(dir.file("app.db"))
        .build()
        .await
        .unwrap();
    db.connect_async()
        .await
        .unwrap()
        .execute_batch("CREATE TABLE hit(task INTEGER, n INTEGER)")
        .await
        .unwrap();

    // Every fifth write is a transaction of two rows with the same (task, n): a reader that ever
    // sees one row of such a pair without the other has seen a partial transaction.
    let started = Instant::now();
    let writers: Vec<_> = (0..4)
        .map(|task| {
            let db = db.clone();
            tokio::spawn(async move {
                let mut conn = db.connect_async().await?;
                let mut rows = 0;
                let mut n = 0;
                while started.elapsed() < RUN_FOR {
                    if n % 5 == 0 {
                        // The transaction's first statement writes, so it waits for the writer
                        // lock (up to the busy timeout) as SQLite's would: no retry is needed.
                        let tx = conn.transaction().await?;
                        for _ in 0..2 {
                            tx.execute("INSERT INTO hit VALUES (?1, ?2)", (task, n))
                                .await?;
                        }
                        tx.commit().await?;
                        rows += 2;
                    } else {
                        conn.execute("INSERT INTO hit VALUES (?1, ?2)", (task, n))
                            .await?;
                        rows += 1;
                    }
                    n += 1;
                }
                Ok::<i64, Error>(rows)
            })
        })
        .collect();
    let readers = (0..8).map(|_| {
        let db = db.clone();
        tokio::spawn(async move {
            let conn = db.connect()?;
            let mut last = 0;
            while started.elapsed() < RUN_FOR {
                let count: i64 = conn
                    .query_row("SELECT count(*) FROM hit", ())
                    .await?
                    .get(0)?;
                // Each read sees a committed state, never fewer rows than before.
                assert!(count >= last);
                last = count;
                let torn: i64 = conn
                    .query_row(
                        "SELECT count(*) FROM (SELECT task, n FROM hit WHERE n % 5 = 0 \
                         GROUP BY task, n HAVING count(*) <> 2)",
                        (),
                    )
                    .await?
                    .get(0)?;
                assert_eq!(torn, 0, "a reader saw half of a transaction");
                tokio::task::yield_now().await;
            }
            Ok::<_, Error>(())
        })
    });
    let readers: Vec<_> = readers.collect();
    let mut written = 0;
    for writer in writers {
        written += writer.await.unwrap().unwrap();
    }
    for reader in readers {
        reader.await.unwrap().unwrap();
    }
    let conn = db.connect().unwrap();
    let row = conn
        .query_row("SELECT count(*), count(DISTINCT task) FROM hit", ())
        .await
        .unwrap();
    assert_eq!(
        (row.get::<i64>(0).unwrap(), row.get::<i64>(1).unwrap()),
        (written, 4)
    );
    drop(conn);
    drop(db);
    let sqlite = rusqlite::Connection::open(dir.file("app.db")).unwrap();
    let check: String = sqlite
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(check, "ok", "SQLite finds the file sound");
    let rows: i64 = sqlite
        .query_row("SELECT count(*) FROM hit", [], |r| r.get(0))
        .unwrap();
    assert_eq!(rows, written, "SQLite sees every committed row");
}

/// How long the concurrency test's tasks keep writing and reading.
const RUN_FOR: Duration = Duration::from_secs(3);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_busy_writer_waits_without_blocking_the_executor() {
    let db = Builder::new_local("busy.db")
        .io(IoBackend::Memory)
        .build()
        .await
        .unwrap();
    let mut holder = db.connect().unwrap();
    holder.execute_batch("CREATE TABLE t(x)").await.unwrap();
    let waiter = db.connect().unwrap();
    let tx = holder.transaction().await.unwrap();
    tx.execute("INSERT INTO t VALUES (1)", ()).await.unwrap();

    let blocked = tokio::spawn(async move {
        waiter
            .execute("INSERT INTO t VALUES (2)", ())
            .await
            .map(|_| waiter)
    });
    // The executor keeps running other work while the waiter waits for the lock.
    for _ in 0..5 {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(!blocked.is_finished());
    tx.commit().await.unwrap();
    let waiter = blocked.await.unwrap().unwrap();
    let sum: i64 = waiter
        .query_row("SELECT sum(x) FROM t", ())
        .await
        .unwrap()
        .get(0)
        .unwrap();
    assert_eq!(sum, 3);

    let impatient = Builder::new_local("busy.db")
        .io(IoBackend::Memory)
        .busy_timeout(Duration::ZERO)
        .build()
        .await
        .unwrap()
        .connect()
        .unwrap();
    // A different Memory database: no table there, so the error is SQLite's.
    let err = impatient
        .execute("INSERT INTO t VALUES (3)", ())
        .await
        .unwrap_err();
    assert_eq!(err.sqlite_code(), Some(ErrorCode::Error));
}

#[tokio::test]
async fn many_rows_stream_in_order() {
    let conn = memory().await;
    conn.execute_batch("CREATE TABLE t(x)").await.unwrap();
    let mut insert = conn.prepare("INSERT INTO t VALUES (?1)").await.unwrap();
    for i in 0..500 {
        insert.execute([i]).await.unwrap();
    }
    let mut rows = conn
        .query("SELECT x FROM t ORDER BY x DESC", ())
        .await
        .unwrap();
    let mut expected = 500;
    while let Some(row) = rows.next().await.unwrap() {
        expected -= 1;
        assert_eq!(row.get::<i64>(0).unwrap(), expected);
    }
    assert_eq!(expected, 0);
}

#[tokio::test]
async fn build_reports_open_errors() {
    let dir = TempDir::new("async-missing");
    let err = Builder::new_local(dir.file("missing.db"))
        .create_if_missing(false)
        .build()
        .await
        .unwrap_err();
    assert_eq!(err.sqlite_code(), Some(ErrorCode::CantOpen));
}

/// The smallest executor: polls on this thread, parks until woken.
fn block_on<F: Future>(future: F) -> F::Output {
    struct Unpark(std::thread::Thread);
    impl Wake for Unpark {
        fn wake(self: Arc<Self>) {
            self.0.unpark();
        }
    }
    let waker = Waker::from(Arc::new(Unpark(std::thread::current())));
    let mut cx = Context::from_waker(&waker);
    let mut future = std::pin::pin!(future);
    loop {
        match future.as_mut().poll(&mut cx) {
            Poll::Ready(output) => return output,
            Poll::Pending => std::thread::park(),
        }
    }
}

#[test]
fn works_without_tokio() {
    block_on(async {
        let db = Builder::new_local(":memory:").build().await.unwrap();
        let conn = db.connect_async().await.unwrap();
        conn.execute_batch("CREATE TABLE t(x); INSERT INTO t VALUES (1), (2);")
            .await
            .unwrap();
        let mut rows = conn.query("SELECT x FROM t ORDER BY x", ()).await.unwrap();
        let mut seen = Vec::new();
        while let Some(row) = rows.next().await.unwrap() {
            seen.push(row.get::<i64>(0).unwrap());
        }
        assert_eq!(seen, [1, 2]);
    });
}
