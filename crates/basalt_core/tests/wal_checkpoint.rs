//! Done-when 3 and 4: snapshot isolation through commits and checkpoints, and each checkpoint
//! mode's result row and file effects, side by side with SQLite on the same operations.

mod wal_support;

use basalt_core::io::FileIo;
use basalt_core::pager::{Pager, PagerOptions};
use basalt_core::wal::CheckpointMode;
use basalt_core::ErrorCode;
use rusqlite::Connection;
use std::sync::Arc;
use std::time::{Duration, Instant};
use wal_support::*;

/// Two connections (0 = writer, 1 = reader) of one engine.
trait Engine {
    fn create(&mut self);
    fn insert(&mut self, conn: usize, id: i64);
    fn begin_read(&mut self, conn: usize);
    fn read(&mut self, conn: usize) -> Vec<i64>;
    fn end_read(&mut self, conn: usize);
    fn checkpoint(&mut self, conn: usize, mode: CheckpointMode) -> (i64, i64, i64);
    fn path(&self) -> &str;
}

struct Basalt {
    path: String,
    conns: Vec<Pager>,
}

impl Engine for Basalt {
    fn create(&mut self) {
        create_table(&mut self.conns[0]).unwrap();
    }
    fn insert(&mut self, conn: usize, id: i64) {
        let pager = &mut self.conns[conn];
        let root = table_root(pager).unwrap().unwrap();
        pager.begin_write().unwrap();
        put(pager, root, id, b"row").unwrap();
        pager.commit().unwrap();
    }
    fn begin_read(&mut self, conn: usize) {
        self.conns[conn].begin_read().unwrap();
    }
    fn read(&mut self, conn: usize) -> Vec<i64> {
        basalt_rows(&mut self.conns[conn])
            .unwrap()
            .into_keys()
            .collect()
    }
    fn end_read(&mut self, conn: usize) {
        self.conns[conn].end_read();
    }
    fn checkpoint(&mut self, conn: usize, mode: CheckpointMode) -> (i64, i64, i64) {
        let r = self.conns[conn].checkpoint(mode).unwrap();
        (r.busy as i64, r.log_frames, r.checkpointed_frames)
    }
    fn path(&self) -> &str {
        &self.path
    }
}

struct Sqlite {
    path: String,
    conns: Vec<Connection>,
}

impl Engine for Sqlite {
    fn create(&mut self) {
        self.conns[0].execute_batch(CREATE_T).unwrap();
    }
    fn insert(&mut self, conn: usize, id: i64) {
        self.conns[conn]
            .execute("INSERT INTO t VALUES (?1, x'726f77')", [id])
            .unwrap();
    }
    fn begin_read(&mut self, conn: usize) {
        self.conns[conn].execute_batch("BEGIN").unwrap();
    }
    fn read(&mut self, conn: usize) -> Vec<i64> {
        sqlite_rows(&self.conns[conn])
            .unwrap()
            .into_keys()
            .collect()
    }
    fn end_read(&mut self, conn: usize) {
        if !self.conns[conn].is_autocommit() {
            self.conns[conn].execute_batch("COMMIT").unwrap();
        }
    }
    fn checkpoint(&mut self, conn: usize, mode: CheckpointMode) -> (i64, i64, i64) {
        let sql = format!("PRAGMA wal_checkpoint({mode:?})").to_uppercase();
        self.conns[conn]
            .query_row(&sql, [], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .unwrap()
    }
    fn path(&self) -> &str {
        &self.path
    }
}

fn basalt() -> Basalt {
    let path = temp_path("ckpt-basalt");
    let options = PagerOptions {
        page_size: 1024,
        wal_autocheckpoint: 0,
        ..PagerOptions::default()
    };
    let conns = (0..2)
        .map(|_| Pager::open(Arc::new(FileIo), &path, &options).unwrap())
        .collect();
    Basalt { path, conns }
}

fn sqlite() -> Sqlite {
    let path = temp_path("ckpt-sqlite");
    let conns: Vec<Connection> = (0..2).map(|_| Connection::open(&path).unwrap()).collect();
    conns[0]
        .execute_batch("PRAGMA page_size=1024; PRAGMA journal_mode=WAL;")
        .unwrap();
    for conn in &conns {
        // rusqlite's default busy timeout is 5 s; Basalt's (like SQLite's) is 0.
        conn.busy_timeout(Duration::ZERO).unwrap();
        conn.execute_batch("PRAGMA wal_autocheckpoint=0").unwrap();
    }
    Sqlite { path, conns }
}

/// The WAL's size and its header's checkpoint sequence number (None when empty or absent).
fn wal_state(path: &str) -> (u64, Option<u32>) {
    let bytes = std::fs::read(format!("{path}-wal")).unwrap_or_default();
    let seq = (bytes.len() >= 32).then(|| u32::from_be_bytes(bytes[12..16].try_into().unwrap()));
    (bytes.len() as u64, seq)
}

/// The shared script; returns a transcript of everything observable.
fn script(e: &mut dyn Engine) -> Vec<String> {
    use CheckpointMode::*;
    let mut log = Vec::new();
    let note = |log: &mut Vec<String>, what: &str, value: String| {
        log.push(format!("{what}: {value}"));
    };
    e.create();
    e.insert(0, 1);
    e.insert(0, 2);
    e.begin_read(1);
    note(&mut log, "reader", format!("{:?}", e.read(1)));
    e.insert(0, 3);
    e.insert(0, 4);
    note(&mut log, "reader after commits", format!("{:?}", e.read(1)));
    note(&mut log, "writer", format!("{:?}", e.read(0)));
    note(
        &mut log,
        "passive",
        format!("{:?}", e.checkpoint(0, Passive)),
    );
    note(&mut log, "reader after passive", format!("{:?}", e.read(1)));
    note(&mut log, "full", format!("{:?}", e.checkpoint(0, Full)));
    note(
        &mut log,
        "restart",
        format!("{:?}", e.checkpoint(0, Restart)),
    );
    note(
        &mut log,
        "truncate",
        format!("{:?}", e.checkpoint(0, Truncate)),
    );
    note(&mut log, "wal", format!("{:?}", wal_state(e.path()).0));
    note(&mut log, "reader still", format!("{:?}", e.read(1)));
    e.end_read(1);
    note(&mut log, "reader renewed", format!("{:?}", e.read(1)));
    e.end_read(1);
    note(&mut log, "full 2", format!("{:?}", e.checkpoint(0, Full)));
    note(
        &mut log,
        "restart 2",
        format!("{:?}", e.checkpoint(0, Restart)),
    );
    note(
        &mut log,
        "wal after restart",
        format!("{:?}", wal_state(e.path())),
    );
    e.insert(0, 5);
    note(
        &mut log,
        "wal after next write",
        format!("{:?}", wal_state(e.path())),
    );
    note(
        &mut log,
        "passive 2",
        format!("{:?}", e.checkpoint(0, Passive)),
    );
    e.begin_read(1);
    note(&mut log, "reader 3", format!("{:?}", e.read(1)));
    note(
        &mut log,
        "truncate with db reader",
        format!("{:?}", e.checkpoint(0, Truncate)),
    );
    note(&mut log, "wal", format!("{:?}", wal_state(e.path())));
    e.end_read(1);
    // (SQLite keeps the checkpoint sequence number per connection, not in the shared index, so
    // the header another connection writes next may carry an older one; Basalt's is shared.)
    e.insert(0, 6);
    note(
        &mut log,
        "wal after truncate + write",
        format!("{:?}", wal_state(e.path())),
    );
    note(
        &mut log,
        "passive 3",
        format!("{:?}", e.checkpoint(1, Passive)),
    );
    e.insert(0, 7);
    note(
        &mut log,
        "truncate 2",
        format!("{:?}", e.checkpoint(0, Truncate)),
    );
    note(&mut log, "wal", format!("{:?}", wal_state(e.path())));
    note(&mut log, "final", format!("{:?}", e.read(1)));
    e.end_read(1);
    log
}

#[test]
fn checkpoints_and_snapshots_match_sqlite() {
    let mut ours = basalt();
    let mut theirs = sqlite();
    let basalt_log = script(&mut ours);
    let sqlite_log = script(&mut theirs);
    for (b, s) in basalt_log.iter().zip(&sqlite_log) {
        println!("{b:<50} | {s}");
    }
    assert_eq!(basalt_log, sqlite_log);
    // Basalt's file, handed to SQLite, is sound and complete.
    let path = ours.path.clone();
    drop(ours);
    let conn = Connection::open(&path).unwrap();
    assert_eq!(integrity(&conn), "ok");
    assert_eq!(sqlite_rows(&conn).unwrap().len(), 7);
    drop(conn);
    remove_db(&path);
    let path = theirs.path.clone();
    drop(theirs);
    remove_db(&path);
}

fn two_basalt_connections(timeout: Duration) -> (String, Pager, Pager) {
    let path = temp_path("busy");
    let options = PagerOptions {
        busy_timeout: timeout,
        ..PagerOptions::default()
    };
    let mut one = Pager::open(Arc::new(FileIo), &path, &options).unwrap();
    create_table(&mut one).unwrap();
    let two = Pager::open(Arc::new(FileIo), &path, &options).unwrap();
    (path, one, two)
}

#[test]
fn a_second_writer_waits_for_busy_timeout_then_gets_busy() {
    let (path, mut one, mut two) = two_basalt_connections(Duration::from_millis(150));
    one.begin_write().unwrap();
    let start = Instant::now();
    let err = two.begin_write().unwrap_err();
    let waited = start.elapsed();
    assert_eq!(
        (err.code, err.message.as_str()),
        (ErrorCode::Busy, "database is locked")
    );
    assert!(
        waited >= Duration::from_millis(140),
        "slept for the timeout ({waited:?})"
    );
    one.rollback();
    two.begin_write().unwrap();
    two.rollback();
    drop((one, two));
    remove_db(&path);
}

#[test]
fn a_waiting_writer_proceeds_when_the_lock_is_released() {
    let (path, mut one, mut two) = two_basalt_connections(Duration::from_secs(10));
    one.begin_write().unwrap();
    let root = table_root(&mut one).unwrap().unwrap();
    put(&mut one, root, 1, b"first").unwrap();
    let waiter = std::thread::spawn(move || {
        let start = Instant::now();
        two.begin_write().unwrap();
        let waited = start.elapsed();
        let rows = basalt_rows(&mut two).unwrap();
        two.rollback();
        (waited, rows)
    });
    std::thread::sleep(Duration::from_millis(100));
    one.commit().unwrap();
    let (waited, rows) = waiter.join().unwrap();
    assert!(waited >= Duration::from_millis(90));
    assert!(waited < Duration::from_secs(5));
    assert_eq!(
        rows.len(),
        1,
        "the waiter's snapshot includes the commit it waited for"
    );
    drop(one);
    remove_db(&path);
}

#[test]
fn readers_never_see_half_a_commit() {
    let path = temp_path("threads");
    let options = PagerOptions {
        busy_timeout: Duration::from_secs(10),
        wal_autocheckpoint: 20,
        page_size: 1024,
        synchronous: basalt_core::wal::Synchronous::Normal,
        ..PagerOptions::default()
    };
    let mut writer = Pager::open(Arc::new(FileIo), &path, &options).unwrap();
    let root = create_table(&mut writer).unwrap();
    let readers: Vec<_> = (0..2)
        .map(|_| {
            let mut reader = Pager::open(Arc::new(FileIo), &path, &options).unwrap();
            std::thread::spawn(move || {
                for _ in 0..150 {
                    let rows = basalt_rows(&mut reader).unwrap();
                    // Every transaction writes ten rows with the same value.
                    assert_eq!(rows.len() % 10, 0, "a whole number of transactions");
                    reader.end_read();
                }
            })
        })
        .collect();
    for t in 0..60i64 {
        writer.begin_write().unwrap();
        for i in 0..10 {
            put(&mut writer, root, t * 10 + i, &value_for(t, t % 3 == 0)).unwrap();
        }
        writer.commit().unwrap();
    }
    for reader in readers {
        reader.join().unwrap();
    }
    drop(writer);
    let conn = Connection::open(&path).unwrap();
    assert_eq!(integrity(&conn), "ok");
    assert_eq!(sqlite_rows(&conn).unwrap().len(), 600);
    drop(conn);
    remove_db(&path);
}
