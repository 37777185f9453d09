//! Opening options take effect: each is checked through the PRAGMA that reports it, through
//! what the database then refuses, and against SQLite (rusqlite) opened the same way.

mod common;

use basalt::blocking::{Connection, Database};
use basalt::{Builder, Error, ErrorCode, IoBackend, Synchronous};
use common::TempDir;
use rusqlite::OpenFlags;
use std::path::Path;
use std::time::{Duration, Instant};

fn pragma(conn: &Connection, name: &str) -> i64 {
    conn.query_row(&format!("PRAGMA {name}"), ())
        .unwrap()
        .get(0)
        .unwrap()
}

/// What SQLite's own connection reports for `PRAGMA name` after `PRAGMA name = value`.
fn sqlite_pragma_after_setting(name: &str, value: &str) -> i64 {
    let sqlite = rusqlite::Connection::open_in_memory().unwrap();
    sqlite
        .execute_batch(&format!("PRAGMA {name} = {value}"))
        .unwrap();
    sqlite
        .query_row(&format!("PRAGMA {name}"), [], |r| r.get(0))
        .unwrap()
}

/// SQLite's primary code and message for `sql` on `conn`, or `None` if it succeeded.
fn sqlite_outcome(conn: &rusqlite::Connection, sql: &str) -> Option<(i32, String)> {
    match conn.execute_batch(sql) {
        Ok(()) => None,
        Err(rusqlite::Error::SqliteFailure(e, message)) => {
            Some((e.extended_code & 0xff, message.unwrap_or_default()))
        }
        Err(e) => panic!("unexpected rusqlite error {e}"),
    }
}

fn basalt_outcome(conn: &Connection, sql: &str) -> Option<(i32, String)> {
    match conn.execute_batch(sql) {
        Ok(()) => None,
        Err(e @ Error::Sqlite { code, .. }) => Some((code.as_i32(), e.to_string())),
        Err(e) => panic!("unexpected error {e}"),
    }
}

#[test]
fn pragmas_report_the_settings_opened_with() {
    let dir = TempDir::new("options-pragmas");
    let db = Builder::new_local(dir.file("app.db"))
        .page_size(8192)
        .cache_size(-500)
        .busy_timeout(Duration::from_millis(1234))
        .synchronous(Synchronous::Normal)
        .build_blocking()
        .unwrap();
    let conn = db.connect().unwrap();
    assert_eq!(pragma(&conn, "page_size"), 8192);
    assert_eq!(
        pragma(&conn, "cache_size"),
        sqlite_pragma_after_setting("cache_size", "-500")
    );
    assert_eq!(
        pragma(&conn, "busy_timeout"),
        sqlite_pragma_after_setting("busy_timeout", "1234")
    );
    assert_eq!(
        pragma(&conn, "synchronous"),
        sqlite_pragma_after_setting("synchronous", "NORMAL")
    );
    for (setting, name) in [
        (Synchronous::Off, "OFF"),
        (Synchronous::Full, "FULL"),
        (Synchronous::Extra, "EXTRA"),
    ] {
        let conn = Builder::new_local(":memory:")
            .synchronous(setting)
            .cache_size(100)
            .build_blocking()
            .unwrap()
            .connect()
            .unwrap();
        assert_eq!(
            pragma(&conn, "synchronous"),
            sqlite_pragma_after_setting("synchronous", name)
        );
        assert_eq!(pragma(&conn, "cache_size"), 100);
    }
    // The defaults are SQLite's, except the busy timeout, which is rusqlite's.
    let conn = Connection::open(":memory:").unwrap();
    let sqlite = rusqlite::Connection::open_in_memory().unwrap();
    for name in ["page_size", "cache_size", "synchronous", "busy_timeout"] {
        let expected: i64 = sqlite
            .query_row(&format!("PRAGMA {name}"), [], |r| r.get(0))
            .unwrap();
        assert_eq!(pragma(&conn, name), expected, "PRAGMA {name}");
    }
}

#[test]
fn a_new_file_takes_the_page_size_and_sqlite_reads_it() {
    let dir = TempDir::new("options-page-size");
    let path = dir.file("big-pages.db");
    {
        let conn = Builder::new_local(&path)
            .page_size(8192)
            .build_blocking()
            .unwrap()
            .connect()
            .unwrap();
        conn.execute_batch(
            "CREATE TABLE t(id INTEGER PRIMARY KEY, body TEXT);
             CREATE INDEX t_body ON t(body);",
        )
        .unwrap();
        // Enough rows for interior pages, and bodies longer than a page for overflow chains.
        let mut insert = conn.prepare("INSERT INTO t(body) VALUES (?1)").unwrap();
        for i in 0..400 {
            insert
                .execute([format!("{i:05}").repeat(i % 7 * 400 + 1)])
                .unwrap();
        }
    }
    let sqlite = rusqlite::Connection::open(&path).unwrap();
    let page_size: i64 = sqlite
        .query_row("PRAGMA page_size", [], |r| r.get(0))
        .unwrap();
    assert_eq!(page_size, 8192);
    let check: String = sqlite
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(check, "ok");
    let rows: i64 = sqlite
        .query_row("SELECT count(*) FROM t", [], |r| r.get(0))
        .unwrap();
    assert_eq!(rows, 400);
    assert_eq!(
        std::fs::metadata(&path).unwrap().len() % 8192,
        0,
        "the file is a whole number of 8 KiB pages"
    );
    drop(sqlite);

    // An existing database keeps its own page size, as with SQLite's PRAGMA page_size.
    let conn = Builder::new_local(&path)
        .page_size(1024)
        .build_blocking()
        .unwrap()
        .connect()
        .unwrap();
    assert_eq!(pragma(&conn, "page_size"), 8192);
}

#[test]
fn every_page_size_sqlite_allows_makes_a_file_sqlite_reads() {
    let dir = TempDir::new("options-page-sizes");
    for shift in 9..=16 {
        let size = 1u32 << shift;
        let path = dir.file(&format!("p{size}.db"));
        {
            let conn = Builder::new_local(&path)
                .page_size(size)
                .build_blocking()
                .unwrap()
                .connect()
                .unwrap();
            conn.execute_batch("CREATE TABLE t(x); INSERT INTO t VALUES (zeroblob(3000));")
                .unwrap();
        }
        let sqlite = rusqlite::Connection::open(&path).unwrap();
        let (page_size, check): (i64, String) = sqlite
            .query_row(
                "SELECT * FROM pragma_page_size, pragma_integrity_check",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        assert_eq!((page_size, check.as_str()), (i64::from(size), "ok"));
    }
}

#[test]
fn a_page_size_sqlite_would_not_take_is_refused() {
    for size in [0, 256, 1000, 4095, 131_072] {
        let err = Builder::new_local(":memory:")
            .page_size(size)
            .build_blocking()
            .unwrap_err();
        assert_eq!(err.sqlite_code(), Some(ErrorCode::Misuse), "{size}");
        assert_eq!(
            err.to_string(),
            format!("invalid page size {size}: a power of two from 512 to 65536")
        );
    }
}

/// A small WAL database written by SQLite, for the read-only tests.
fn sqlite_database(path: &Path) {
    let sqlite = rusqlite::Connection::open(path).unwrap();
    sqlite
        .execute_batch(
            "PRAGMA journal_mode = wal; CREATE TABLE t(x); INSERT INTO t VALUES (1), (2);",
        )
        .unwrap();
}

/// Statements whose outcome on a read-only connection must be SQLite's.
const READ_ONLY_SCRIPT: &[&str] = &[
    "SELECT count(*) FROM t",
    "INSERT INTO t VALUES (3)",
    "UPDATE t SET x = 0",
    "DELETE FROM t",
    "CREATE TABLE u(y)",
    "CREATE INDEX tx ON t(x)",
    "DROP TABLE t",
    "PRAGMA user_version = 7",
    "PRAGMA cache_size = 10",
    "BEGIN; SELECT * FROM t; COMMIT;",
    "BEGIN IMMEDIATE; ROLLBACK;",
    "BEGIN EXCLUSIVE; ROLLBACK;",
    "BEGIN; INSERT INTO t VALUES (4);",
    "ROLLBACK",
];

#[test]
fn read_only_refuses_every_write_as_sqlite_does() {
    let dir = TempDir::new("options-read-only");
    let path = dir.file("app.db");
    sqlite_database(&path);
    let sqlite =
        rusqlite::Connection::open_with_flags(&path, OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
    let conn = Builder::new_local(&path)
        .read_only(true)
        .build_blocking()
        .unwrap()
        .connect()
        .unwrap();
    for sql in READ_ONLY_SCRIPT {
        assert_eq!(
            basalt_outcome(&conn, sql),
            sqlite_outcome(&sqlite, sql),
            "{sql}"
        );
    }
    let err = conn.execute("INSERT INTO t VALUES (9)", ()).unwrap_err();
    assert_eq!(err.sqlite_code(), Some(ErrorCode::ReadOnly));
    assert_eq!(err.to_string(), "attempt to write a readonly database");
    assert_eq!(pragma(&conn, "user_version"), 0);
    drop((conn, sqlite));
    let check: String = rusqlite::Connection::open(&path)
        .unwrap()
        .query_row("SELECT count(*) || ' ' || sum(x) FROM t", [], |r| r.get(0))
        .unwrap();
    assert_eq!(check, "2 3", "nothing was written");
}

#[test]
fn read_only_in_memory_and_on_an_empty_file_match_sqlite() {
    let dir = TempDir::new("options-read-only-empty");
    let empty = dir.file("empty.db");
    std::fs::write(&empty, b"").unwrap();
    for path in [Path::new(":memory:"), empty.as_path()] {
        let sqlite =
            rusqlite::Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
        let conn = Builder::new_local(path)
            .read_only(true)
            .build_blocking()
            .unwrap()
            .connect()
            .unwrap();
        for sql in [
            "SELECT count(*) FROM sqlite_schema",
            "CREATE TABLE t(x)",
            "PRAGMA user_version = 1",
        ] {
            assert_eq!(
                basalt_outcome(&conn, sql),
                sqlite_outcome(&sqlite, sql),
                "{sql} on {}",
                path.display()
            );
        }
    }
    assert_eq!(std::fs::metadata(&empty).unwrap().len(), 0);
}

#[test]
fn read_only_never_creates_a_file() {
    let dir = TempDir::new("options-read-only-missing");
    let missing = dir.file("missing.db");
    let sqlite = rusqlite::Connection::open_with_flags(&missing, OpenFlags::SQLITE_OPEN_READ_ONLY)
        .unwrap_err();
    let err = Builder::new_local(&missing)
        .read_only(true)
        .build_blocking()
        .unwrap_err();
    assert_eq!(
        err.sqlite_code().map(ErrorCode::as_i32),
        sqlite.sqlite_error().map(|e| e.extended_code & 0xff)
    );
    assert_eq!(err.to_string(), "unable to open database file");
    assert!(!missing.exists());
}

#[test]
fn a_read_only_database_sees_what_a_writer_commits() {
    let dir = TempDir::new("options-read-only-follows");
    let path = dir.file("app.db");
    let writer = Connection::open(&path).unwrap();
    writer.execute_batch("CREATE TABLE t(x)").unwrap();
    let reader = Builder::new_local(&path)
        .read_only(true)
        .build_blocking()
        .unwrap()
        .connect()
        .unwrap();
    for i in 1..=3 {
        writer.execute("INSERT INTO t VALUES (?1)", [i]).unwrap();
        let n: i64 = reader
            .query_row("SELECT count(*) FROM t", ())
            .unwrap()
            .get(0)
            .unwrap();
        assert_eq!(n, i);
    }
    // The read-only connection closing first leaves the writer's database whole.
    drop(reader);
    writer.execute("INSERT INTO t VALUES (4)", ()).unwrap();
    drop(writer);
    let sqlite = rusqlite::Connection::open(&path).unwrap();
    let check: String = sqlite
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(check, "ok");
}

#[test]
fn create_if_missing_off_matches_sqlite_without_the_create_flag() {
    let dir = TempDir::new("options-no-create");
    let missing = dir.file("missing.db");
    let sqlite = rusqlite::Connection::open_with_flags(&missing, OpenFlags::SQLITE_OPEN_READ_WRITE)
        .unwrap_err();
    for io in [IoBackend::File, IoBackend::Memory] {
        let err = Builder::new_local(&missing)
            .create_if_missing(false)
            .io(io)
            .build_blocking()
            .unwrap_err();
        assert_eq!(
            err.sqlite_code().map(ErrorCode::as_i32),
            sqlite.sqlite_error().map(|e| e.extended_code & 0xff),
            "{io:?}"
        );
        assert_eq!(err.to_string(), "unable to open database file");
    }
    assert!(!missing.exists());
    // `:memory:` is always new, with or without the flag, as in SQLite.
    let conn = Builder::new_local(":memory:")
        .create_if_missing(false)
        .build_blocking()
        .unwrap()
        .connect()
        .unwrap();
    conn.execute_batch("CREATE TABLE t(x)").unwrap();
}

#[test]
fn memory_backend_takes_the_options_too() {
    let db = Builder::new_local("shared.db")
        .io(IoBackend::Memory)
        .page_size(2048)
        .build_blocking()
        .unwrap();
    let conn = db.connect().unwrap();
    conn.execute_batch("CREATE TABLE t(x); INSERT INTO t VALUES (1);")
        .unwrap();
    assert_eq!(pragma(&conn, "page_size"), 2048);
    assert_eq!(pragma(&db.connect().unwrap(), "page_size"), 2048);
    assert!(!Path::new("shared.db").exists());
}

/// How a connection with a busy timeout fares while another holds the writer lock: the error
/// code (if any) and whether it waited for the timeout.
type Outcome = (Option<i32>, bool);

const BUSY_TIMEOUT: Duration = Duration::from_millis(300);

/// Scenarios of a statement meeting another connection's write transaction: the SQL run first
/// (it must succeed), then the statement whose outcome is compared.
const BUSY_SCENARIOS: &[(&str, &str)] = &[
    ("SELECT 1", "INSERT INTO t VALUES (2)"),
    ("BEGIN", "INSERT INTO t VALUES (2)"),
    ("BEGIN; SELECT count(*) FROM t", "INSERT INTO t VALUES (2)"),
    ("SELECT 1", "BEGIN IMMEDIATE"),
];

fn timed<T>(f: impl FnOnce() -> Option<T>) -> (Option<T>, bool) {
    let started = Instant::now();
    let code = f();
    (
        code,
        started.elapsed() >= BUSY_TIMEOUT - Duration::from_millis(20),
    )
}

fn sqlite_busy_outcome(path: &Path, before: &str, statement: &str) -> Outcome {
    let holder = rusqlite::Connection::open(path).unwrap();
    let conn = rusqlite::Connection::open(path).unwrap();
    conn.busy_timeout(BUSY_TIMEOUT).unwrap();
    conn.execute_batch(before).unwrap();
    holder
        .execute_batch("BEGIN IMMEDIATE; INSERT INTO t VALUES (1)")
        .unwrap();
    timed(|| sqlite_outcome(&conn, statement).map(|(code, _)| code))
}

fn basalt_busy_outcome(db: &Database, before: &str, statement: &str) -> Outcome {
    let holder = db.connect().unwrap();
    let conn = db.connect().unwrap();
    conn.execute_batch(before).unwrap();
    holder
        .execute_batch("BEGIN IMMEDIATE; INSERT INTO t VALUES (1)")
        .unwrap();
    timed(|| basalt_outcome(&conn, statement).map(|(code, _)| code))
}

/// SQLite's busy handler runs only for a connection with no read transaction open: a write
/// that starts a transaction waits up to the busy timeout, one inside a transaction that has
/// already read fails at once.
#[test]
fn busy_timeout_waits_exactly_where_sqlite_waits() {
    let dir = TempDir::new("options-busy");
    let sqlite_path = dir.file("sqlite.db");
    sqlite_database(&sqlite_path);
    let db = Builder::new_local(dir.file("basalt.db"))
        .busy_timeout(BUSY_TIMEOUT)
        .build_blocking()
        .unwrap();
    db.connect()
        .unwrap()
        .execute_batch("CREATE TABLE t(x)")
        .unwrap();
    for (before, statement) in BUSY_SCENARIOS {
        let expected = sqlite_busy_outcome(&sqlite_path, before, statement);
        assert_eq!(expected.0, Some(ErrorCode::Busy.as_i32()));
        assert_eq!(
            basalt_busy_outcome(&db, before, statement),
            expected,
            "{before}; then {statement}"
        );
    }
}

/// A transaction whose first write waited for another writer goes on once the lock is free.
#[test]
fn a_transaction_waits_for_the_writer_lock_and_then_commits() {
    let dir = TempDir::new("options-busy-wait");
    let db = Builder::new_local(dir.file("app.db"))
        .busy_timeout(Duration::from_secs(5))
        .build_blocking()
        .unwrap();
    let mut holder = db.connect().unwrap();
    holder.execute_batch("CREATE TABLE t(x)").unwrap();
    let mut waiter = db.connect().unwrap();
    let held = holder.transaction().unwrap();
    held.execute("INSERT INTO t VALUES (1)", ()).unwrap();
    std::thread::scope(|s| {
        s.spawn(move || {
            std::thread::sleep(Duration::from_millis(100));
            held.commit().unwrap();
        });
        let started = Instant::now();
        let tx = waiter.transaction().unwrap();
        tx.execute("INSERT INTO t VALUES (2)", ()).unwrap();
        assert!(started.elapsed() >= Duration::from_millis(50));
        let sum: i64 = tx
            .query_row("SELECT sum(x) FROM t", ())
            .unwrap()
            .get(0)
            .unwrap();
        assert_eq!(sum, 3, "the waiting transaction reads the other's commit");
        tx.commit().unwrap();
    });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn async_builder_takes_every_option() {
    let dir = TempDir::new("options-async");
    let path = dir.file("app.db");
    let db = Builder::new_local(&path)
        .page_size(16384)
        .cache_size(64)
        .busy_timeout(Duration::from_millis(250))
        .synchronous(Synchronous::Off)
        .build()
        .await
        .unwrap();
    let conn = db.connect_async().await.unwrap();
    conn.execute_batch("CREATE TABLE t(x); INSERT INTO t VALUES (1);")
        .await
        .unwrap();
    let mut values = Vec::new();
    for name in ["page_size", "cache_size", "busy_timeout", "synchronous"] {
        let row = conn.query_row(&format!("PRAGMA {name}"), ()).await.unwrap();
        values.push(row.get::<i64>(0).unwrap());
    }
    assert_eq!(values, [16384, 64, 250, 0]);

    let reader = Builder::new_local(&path)
        .read_only(true)
        .build()
        .await
        .unwrap()
        .connect_async()
        .await
        .unwrap();
    let err = reader.execute("DELETE FROM t", ()).await.unwrap_err();
    assert_eq!(err.sqlite_code(), Some(ErrorCode::ReadOnly));
    assert_eq!(err.to_string(), "attempt to write a readonly database");
    let n: i64 = reader
        .query_row("SELECT count(*) FROM t", ())
        .await
        .unwrap()
        .get(0)
        .unwrap();
    assert_eq!(n, 1);
    drop((reader, conn, db));

    let sqlite = rusqlite::Connection::open(&path).unwrap();
    let (page_size, check): (i64, String) = sqlite
        .query_row(
            "SELECT * FROM pragma_page_size, pragma_integrity_check",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!((page_size, check.as_str()), (16384, "ok"));

    let err = Builder::new_local(dir.file("missing.db"))
        .read_only(true)
        .build()
        .await
        .unwrap_err();
    assert_eq!(err.sqlite_code(), Some(ErrorCode::CantOpen));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn async_busy_transactions_behave_as_sqlite() {
    let dir = TempDir::new("options-async-busy");
    let db = Builder::new_local(dir.file("app.db"))
        .busy_timeout(BUSY_TIMEOUT)
        .build()
        .await
        .unwrap();
    let mut holder = db.connect_async().await.unwrap();
    holder.execute_batch("CREATE TABLE t(x)").await.unwrap();
    let mut reader = db.connect_async().await.unwrap();
    let mut writer = db.connect_async().await.unwrap();
    let held = holder.transaction().await.unwrap();
    held.execute("INSERT INTO t VALUES (1)", ()).await.unwrap();

    // Read first, then write: fails at once, as SQLite does (no busy handler with a snapshot).
    let tx = reader.transaction().await.unwrap();
    tx.query_row("SELECT count(*) FROM t", ()).await.unwrap();
    let started = Instant::now();
    let err = tx
        .execute("INSERT INTO t VALUES (2)", ())
        .await
        .unwrap_err();
    assert!(started.elapsed() < BUSY_TIMEOUT);
    assert_eq!(err.to_string(), "database is locked");
    assert_eq!(err.sqlite_code(), Some(ErrorCode::Busy));
    drop(tx);

    // Write first: waits up to the timeout, then "database is locked"; the executor runs on.
    let started = Instant::now();
    let tx = writer.transaction().await.unwrap();
    let err = tx
        .execute("INSERT INTO t VALUES (3)", ())
        .await
        .unwrap_err();
    assert!(started.elapsed() >= BUSY_TIMEOUT - Duration::from_millis(20));
    assert_eq!(err.sqlite_code(), Some(ErrorCode::Busy));
    // The transaction is still open and can write once the other commits.
    held.commit().await.unwrap();
    tx.execute("INSERT INTO t VALUES (3)", ()).await.unwrap();
    tx.commit().await.unwrap();
    let sum: i64 = writer
        .query_row("SELECT sum(x) FROM t", ())
        .await
        .unwrap()
        .get(0)
        .unwrap();
    assert_eq!(sum, 4);
}

/// `PRAGMA wal_checkpoint` on a read-only connection: with and without another connection's
/// frames in the log, as SQLite answers it.
#[test]
fn read_only_checkpoint_answers_as_sqlite_where_it_can() {
    type Answer = Result<(i64, i64, i64), (i32, String)>;
    fn sqlite_answer(conn: &rusqlite::Connection) -> Answer {
        conn.query_row("PRAGMA wal_checkpoint", [], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .map_err(|e| match e {
            rusqlite::Error::SqliteFailure(e, m) => (e.extended_code & 0xff, m.unwrap_or_default()),
            e => panic!("{e}"),
        })
    }
    fn basalt_answer(conn: &Connection) -> Answer {
        conn.query_row("PRAGMA wal_checkpoint", ())
            .and_then(|r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .map_err(|e| (e.sqlite_code().map_or(0, ErrorCode::as_i32), e.to_string()))
    }
    let dir = TempDir::new("options-read-only-checkpoint");
    let (sqlite_path, basalt_path) = (dir.file("sqlite.db"), dir.file("basalt.db"));
    sqlite_database(&sqlite_path);
    Connection::open(&basalt_path)
        .unwrap()
        .execute_batch("CREATE TABLE t(x); INSERT INTO t VALUES (1), (2);")
        .unwrap();
    let read_only = |path: &Path| {
        let sqlite =
            rusqlite::Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
        (sqlite, path.to_path_buf())
    };
    // No other connection: the log is gone.
    let (sqlite, _) = read_only(&sqlite_path);
    let basalt = Builder::new_local(&basalt_path)
        .read_only(true)
        .build_blocking()
        .unwrap()
        .connect()
        .unwrap();
    let no_log = (basalt_answer(&basalt), sqlite_answer(&sqlite));
    drop((sqlite, basalt));

    // A writer keeps frames in the log.
    let sqlite_writer = rusqlite::Connection::open(&sqlite_path).unwrap();
    sqlite_writer
        .execute_batch("PRAGMA wal_autocheckpoint = 0; INSERT INTO t VALUES (3);")
        .unwrap();
    let basalt_writer = Connection::open(&basalt_path).unwrap();
    basalt_writer
        .execute_batch("PRAGMA wal_autocheckpoint = 0; INSERT INTO t VALUES (3);")
        .unwrap();
    let (sqlite, _) = read_only(&sqlite_path);
    let basalt = Builder::new_local(&basalt_path)
        .read_only(true)
        .build_blocking()
        .unwrap()
        .connect()
        .unwrap();
    assert_eq!(no_log.0, no_log.1, "no log");
    // With frames SQLite fails with an I/O error on its shared-memory file; Basalt refuses as
    // for any other write.
    let sqlite_error = sqlite_answer(&sqlite).unwrap_err();
    assert_eq!(sqlite_error.1, "disk I/O error");
    assert_eq!(
        basalt_answer(&basalt),
        Err((8, "attempt to write a readonly database".to_string()))
    );
}
