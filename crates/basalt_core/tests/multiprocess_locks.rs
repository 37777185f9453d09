//! Where Basalt holds a database file exclusively — a new or empty file, a rollback-journal
//! database, or `locking_mode=EXCLUSIVE` from the start (`PagerOptions::exclusive_locking`) — it
//! holds SQLite's EXCLUSIVE lock from its first connection's open to its last one's close, so
//! another process — SQLite or Basalt — is told "database is locked" instead of corrupting it,
//! and Basalt waits its busy timeout for a process that has the file. (WAL databases shared
//! through the `-shm` are tested in `multiprocess_shm.rs`.)
//!
//! POSIX locks never conflict within one process, so the other side runs in a child process:
//! this test binary started again with `BASALT_LOCK_CHILD` naming the child's part (see
//! [`child_process_part`]); the SQLite side is rusqlite, the same SQLite the other tests use.

mod child_support;

use basalt_core::connection::Connection;
use basalt_core::io::FileIo;
use basalt_core::pager::PagerOptions;
use basalt_core::record::Value;
use basalt_core::ErrorCode;
use child_support::{Other, CHILD_DB, CHILD_PART};
use std::io::Read;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

fn temp_db(name: &str) -> String {
    let dir = std::env::temp_dir().join(format!("basalt-locks-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("{name}.db")).to_str().unwrap().to_string();
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let _ = std::fs::remove_file(format!("{path}{suffix}"));
    }
    path
}

fn count(conn: &Connection) -> i64 {
    let mut stmt = conn.prepare("SELECT count(*) FROM t").unwrap();
    assert!(stmt.step_blocking().unwrap());
    match stmt.row()[0] {
        Value::Integer(n) => n,
        ref other => panic!("count(*) gave {other:?}"),
    }
}

fn insert(conn: &Connection, from: i64, to: i64) {
    for i in from..to {
        conn.execute_batch(&format!("INSERT INTO t VALUES({i}, 'row {i}')"))
            .unwrap();
    }
}

fn open(path: &str, busy_timeout: Duration) -> basalt_core::Result<Connection> {
    open_with(path, busy_timeout, false)
}

/// As `PRAGMA locking_mode=EXCLUSIVE` before the first read: no `-shm`, the file held.
fn open_exclusive(path: &str, busy_timeout: Duration) -> basalt_core::Result<Connection> {
    open_with(path, busy_timeout, true)
}

fn open_with(
    path: &str,
    busy_timeout: Duration,
    exclusive_locking: bool,
) -> basalt_core::Result<Connection> {
    Connection::open_with(
        Arc::new(FileIo),
        path,
        &PagerOptions {
            busy_timeout,
            exclusive_locking,
            ..PagerOptions::default()
        },
    )
}

/// What SQLite in another process gets when it reads and writes the database: the two reports.
fn sqlite_probe(path: &str) -> (String, String) {
    let mut other = Other::start("sqlite-probe", path);
    let reports = (other.next(), other.next());
    other.finish();
    reports
}

fn assert_locked_out(path: &str) {
    let (read, write) = sqlite_probe(path);
    assert_eq!(read, "read: database is locked");
    assert_eq!(write, "write: database is locked");
    // SQLite stopped at the database file's lock, before it looked at the WAL.
    assert!(!Path::new(&format!("{path}-shm")).exists());
}

#[test]
fn a_sqlite_process_is_locked_out_while_basalt_has_the_file_open() {
    let path = temp_db("sqlite-locked-out");
    let first = Connection::open(&path).unwrap();
    first
        .execute_batch("CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT)")
        .unwrap();
    insert(&first, 0, 50);
    assert!(Path::new(&format!("{path}-wal")).exists());
    assert_locked_out(&path);

    // The lock belongs to the process, not to the connection that took it: it outlives the
    // first connection, and other connections' files opening and closing do not drop it.
    let second = Connection::open(&path).unwrap();
    drop(first);
    assert_locked_out(&path);
    let third = Connection::open(&path).unwrap();
    insert(&third, 50, 80);
    drop(third);
    let check = second.prepare("PRAGMA integrity_check").unwrap();
    drop(check);
    assert_locked_out(&path);
    assert_eq!(count(&second), 80);
    drop(second);

    // Free again: SQLite reads everything, writes, and finds the file sound.
    let (read, write) = sqlite_probe(&path);
    assert_eq!(read, "read: 80");
    assert_eq!(write, "write: ok");
    let sqlite = rusqlite::Connection::open(&path).unwrap();
    let rows: i64 = sqlite
        .query_row("SELECT count(*) FROM t WHERE id >= 0", [], |r| r.get(0))
        .unwrap();
    assert_eq!(rows, 80);
    let check: String = sqlite
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(check, "ok");
}

fn sqlite_database(path: &str, rows: i64) {
    let sqlite = rusqlite::Connection::open(path).unwrap();
    sqlite
        .execute_batch("PRAGMA journal_mode=WAL; CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT)")
        .unwrap();
    for i in 0..rows {
        sqlite
            .execute("INSERT INTO t VALUES(?1, 'sqlite')", [i])
            .unwrap();
    }
}

#[test]
fn basalt_waits_its_busy_timeout_for_a_sqlite_process_then_reports_locked() {
    let path = temp_db("basalt-waits");
    sqlite_database(&path, 20);
    let mut other = Other::start("sqlite-hold", &path);
    assert_eq!(other.next(), "ready 20");

    let start = Instant::now();
    let e = open_exclusive(&path, Duration::from_millis(300))
        .err()
        .unwrap();
    let waited = start.elapsed();
    assert_eq!(e.code, ErrorCode::Busy);
    assert!(e.to_string().starts_with("database is locked"), "{e}");
    assert!(waited >= Duration::from_millis(300), "{waited:?}");
    assert!(waited < Duration::from_secs(5), "{waited:?}");
    let e = open_exclusive(&path, Duration::ZERO).err().unwrap();
    assert_eq!(e.code, ErrorCode::Busy);

    // The other process lets go while Basalt waits: the open succeeds then.
    let release = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(300));
        other.finish();
    });
    let start = Instant::now();
    let conn = open_exclusive(&path, Duration::from_secs(20)).unwrap();
    assert!(start.elapsed() >= Duration::from_millis(200));
    release.join().unwrap();
    assert_eq!(count(&conn), 20);
    insert(&conn, 20, 30);
    assert_eq!(count(&conn), 30);
}

#[test]
fn a_second_basalt_process_is_locked_out_both_ways() {
    let path = temp_db("basalt-basalt");
    let mine = Connection::open(&path).unwrap();
    mine.execute_batch("CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT)")
        .unwrap();
    insert(&mine, 0, 10);
    let mut other = Other::start("basalt-probe", &path);
    let report = other.next();
    assert!(report.starts_with("open: database is locked"), "{report}");
    other.finish();
    drop(mine);

    let mut other = Other::start("basalt-hold", &path);
    assert_eq!(other.next(), "ready 10");
    let e = open_exclusive(&path, Duration::from_millis(50))
        .err()
        .unwrap();
    assert_eq!(e.code, ErrorCode::Busy);
    other.finish();
    let conn = open_exclusive(&path, Duration::ZERO).unwrap();
    assert_eq!(count(&conn), 15);
}

#[test]
fn memory_databases_take_no_lock() {
    let a = Connection::open(":memory:").unwrap();
    let b = Connection::open(":memory:").unwrap();
    a.execute_batch("CREATE TABLE t(x)").unwrap();
    b.execute_batch("CREATE TABLE t(x)").unwrap();
}

/// Basalt answers `PRAGMA locking_mode` as SQLite does in exclusive mode once its WAL index is
/// in heap memory (a file database), or as SQLite does for an in-memory database; NORMAL on a
/// database file is refused rather than answered as if it shared the file.
#[test]
fn locking_mode_pragma_matches_sqlite_in_exclusive_mode() {
    let path = temp_db("locking-mode");
    sqlite_database(&path, 1);
    let sqlite = rusqlite::Connection::open(&path).unwrap();
    let sqlite_answer = |sql: &str| -> String { sqlite.query_row(sql, [], |r| r.get(0)).unwrap() };
    sqlite_answer("PRAGMA locking_mode=EXCLUSIVE");
    let _: i64 = sqlite
        .query_row("SELECT count(*) FROM t", [], |r| r.get(0))
        .unwrap();
    let basalt = Connection::open_with(
        Arc::new(FileIo),
        format!("{path}2"),
        &PagerOptions::default(),
    )
    .unwrap();
    let statements = [
        "PRAGMA locking_mode",
        "PRAGMA main.locking_mode",
        "PRAGMA locking_mode=exclusive",
        "PRAGMA locking_mode = 'EXCLUSIVE'",
        "PRAGMA locking_mode=whatever",
        "PRAGMA main.locking_mode=normal",
        "PRAGMA locking_mode",
    ];
    for sql in statements {
        assert_eq!(basalt_answer(&basalt, sql), sqlite_answer(sql), "{sql}");
    }
    let e = basalt
        .prepare("PRAGMA locking_mode=NORMAL")
        .and_then(|mut s| s.step_blocking());
    let e = e.err().unwrap();
    assert!(e.to_string().contains("not supported by Basalt yet"), "{e}");
    assert_eq!(basalt_answer(&basalt, "PRAGMA locking_mode"), "exclusive");

    let memory = Connection::open(":memory:").unwrap();
    let sqlite_memory = rusqlite::Connection::open_in_memory().unwrap();
    let in_memory = [
        "PRAGMA locking_mode",
        "PRAGMA main.locking_mode",
        "PRAGMA locking_mode=normal",
        "PRAGMA locking_mode",
        "PRAGMA locking_mode=exclusive",
        "PRAGMA locking_mode",
        "PRAGMA locking_mode=normal",
        "PRAGMA locking_mode",
    ];
    for sql in in_memory {
        let expected: String = sqlite_memory.query_row(sql, [], |r| r.get(0)).unwrap();
        assert_eq!(basalt_answer(&memory, sql), expected, "{sql}");
    }
}

fn basalt_answer(conn: &Connection, sql: &str) -> String {
    let mut stmt = conn.prepare(sql).unwrap();
    assert!(stmt.step_blocking().unwrap(), "{sql}: no row");
    match &stmt.row()[0] {
        Value::Text(t) => String::from_utf8(t.clone()).unwrap(),
        other => panic!("{sql}: {other:?}"),
    }
}

/// The child's side; does nothing unless this binary was started as a child.
#[test]
fn child_process_part() {
    let (Ok(part), Ok(path)) = (std::env::var(CHILD_PART), std::env::var(CHILD_DB)) else {
        return;
    };
    match part.as_str() {
        "sqlite-probe" => {
            let conn = rusqlite::Connection::open(&path).unwrap();
            conn.busy_timeout(Duration::from_millis(50)).unwrap();
            let read = conn.query_row("SELECT count(*) FROM t", [], |r| r.get::<_, i64>(0));
            println!(
                "CHILD read: {}",
                read.map_or_else(|e| e.to_string(), |n| n.to_string())
            );
            let write = conn.execute("INSERT INTO t VALUES(-1, 'sqlite')", []);
            println!(
                "CHILD write: {}",
                write.map_or_else(|e| e.to_string(), |_| "ok".into())
            );
        }
        "sqlite-hold" => {
            let conn = rusqlite::Connection::open(&path).unwrap();
            conn.execute_batch("BEGIN").unwrap();
            let n: i64 = conn
                .query_row("SELECT count(*) FROM t", [], |r| r.get(0))
                .unwrap();
            println!("CHILD ready {n}");
            wait_for_parent();
            conn.execute_batch("COMMIT").unwrap();
        }
        "basalt-probe" => {
            let opened = open(&path, Duration::from_millis(50));
            println!(
                "CHILD open: {}",
                opened.err().map_or("ok".into(), |e| e.to_string())
            );
        }
        "basalt-hold" => {
            let conn = open(&path, Duration::ZERO).unwrap();
            insert(&conn, 10, 15);
            println!("CHILD ready {}", count(&conn) - 5);
            wait_for_parent();
        }
        other => panic!("unknown child part {other}"),
    }
}

/// Blocks until the parent closes this process's stdin.
fn wait_for_parent() {
    let mut rest = Vec::new();
    let _ = std::io::stdin().read_to_end(&mut rest);
}
