//! Done-when 1: a database plus the `-wal` Basalt leaves behind opens in SQLite with every
//! committed transaction, and the other way round.

mod wal_support;

use basalt_core::io::FileIo;
use basalt_core::pager::PagerOptions;
use basalt_core::wal::CheckpointMode;
use std::sync::Arc;
use wal_support::*;

fn no_autocheckpoint() -> PagerOptions {
    PagerOptions {
        wal_autocheckpoint: 0,
        page_size: 1024,
        ..PagerOptions::default()
    }
}

#[test]
fn sqlite_reads_what_basalt_left_in_the_wal() {
    let path = temp_path("basalt-to-sqlite");
    let mut pager = open(Arc::new(FileIo), &path, &no_autocheckpoint());
    let root = create_table(&mut pager).unwrap();
    let mut expected = Rows::new();
    for id in 1..=40i64 {
        pager.begin_write().unwrap();
        let value = value_for(id, id % 7 == 0);
        put(&mut pager, root, id, &value).unwrap();
        expected.insert(id, value);
        if id % 5 == 0 {
            assert!(delete(&mut pager, root, id - 3).unwrap());
            expected.remove(&(id - 3));
        }
        pager.commit().unwrap();
    }
    // A transaction that rolled back leaves nothing behind.
    pager.begin_write().unwrap();
    put(&mut pager, root, 1000, b"never").unwrap();
    pager.rollback();
    let wal_len = std::fs::metadata(format!("{path}-wal")).unwrap().len();
    assert!(
        wal_len > 40 * 1024,
        "the commits are in the WAL ({wal_len} bytes)"
    );
    assert_eq!(
        std::fs::metadata(&path).unwrap().len(),
        1024,
        "only page 1 in the file"
    );
    // The process "exits" without closing: no checkpoint, the WAL stays.
    std::mem::forget(pager);

    let conn = rusqlite::Connection::open(&path).unwrap();
    let mode: String = conn
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
    assert_eq!(integrity(&conn), "ok");
    assert_eq!(sqlite_rows(&conn).unwrap(), expected);
    drop(conn);
    remove_db(&path);
}

#[test]
fn basalt_reads_what_sqlite_left_in_the_wal() {
    let path = temp_path("sqlite-to-basalt");
    let copy = temp_path("sqlite-to-basalt-copy");
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute_batch(&format!(
        "PRAGMA page_size=1024; PRAGMA journal_mode=WAL; PRAGMA wal_autocheckpoint=0; {CREATE_T};"
    ))
    .unwrap();
    let mut expected = Rows::new();
    for id in 1..=30i64 {
        let value = value_for(id, id % 4 == 0);
        conn.execute(
            "INSERT INTO t VALUES (?1, ?2)",
            rusqlite::params![id, value],
        )
        .unwrap();
        expected.insert(id, value);
        if id == 15 {
            // A second generation: everything copied back, the log restarted by the next write.
            let (busy, log, done): (i64, i64, i64) = conn
                .query_row("PRAGMA wal_checkpoint(RESTART)", [], |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?))
                })
                .unwrap();
            assert_eq!((busy, log), (0, done));
        }
    }
    conn.execute("DELETE FROM t WHERE a % 3 = 0", []).unwrap();
    expected.retain(|id, _| id % 3 != 0);
    // Copy the pair while SQLite still has it open: a process that exited without closing.
    std::fs::copy(&path, &copy).unwrap();
    std::fs::copy(format!("{path}-wal"), format!("{copy}-wal")).unwrap();
    assert!(std::fs::metadata(format!("{copy}-wal")).unwrap().len() > 0);

    let mut pager = open(Arc::new(FileIo), &copy, &no_autocheckpoint());
    assert_eq!(basalt_rows(&mut pager).unwrap(), expected);
    // Basalt appends to SQLite's log, then checkpoints it all on close.
    let root = table_root(&mut pager).unwrap().unwrap();
    pager.end_read();
    pager.begin_write().unwrap();
    put(&mut pager, root, 500, b"from basalt").unwrap();
    pager.commit().unwrap();
    expected.insert(500, b"from basalt".to_vec());
    pager.close().unwrap();
    assert!(!std::path::Path::new(&format!("{copy}-wal")).exists());

    let check = rusqlite::Connection::open(&copy).unwrap();
    assert_eq!(integrity(&check), "ok");
    assert_eq!(sqlite_rows(&check).unwrap(), expected);
    drop(check);
    drop(conn);
    remove_db(&path);
    remove_db(&copy);
}

#[test]
fn a_rollback_journal_database_switches_to_wal_mode() {
    let path = temp_path("rollback-to-wal");
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute_batch(&format!(
        "PRAGMA journal_mode=DELETE; {CREATE_T}; INSERT INTO t VALUES (1, 'one');"
    ))
    .unwrap();
    drop(conn);
    assert_eq!(&std::fs::read(&path).unwrap()[18..20], &[1, 1]);

    let mut pager = open(Arc::new(FileIo), &path, &no_autocheckpoint());
    let root = table_root(&mut pager).unwrap().unwrap();
    pager.begin_write().unwrap();
    put(&mut pager, root, 2, b"two").unwrap();
    pager.commit().unwrap();
    std::mem::forget(pager);
    let conn = rusqlite::Connection::open(&path).unwrap();
    let mode: String = conn
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
    assert_eq!(integrity(&conn), "ok");
    assert_eq!(sqlite_rows(&conn).unwrap().len(), 2);
    drop(conn);
    remove_db(&path);
}

#[test]
fn closing_checkpoints_and_deletes_the_wal() {
    let path = temp_path("close");
    let mut pager = open(Arc::new(FileIo), &path, &no_autocheckpoint());
    let root = create_table(&mut pager).unwrap();
    pager.begin_write().unwrap();
    put(&mut pager, root, 1, b"x").unwrap();
    pager.commit().unwrap();
    let result = pager.checkpoint(CheckpointMode::Passive).unwrap();
    assert!(!result.busy && result.log_frames == result.checkpointed_frames);
    pager.close().unwrap();
    assert!(!std::path::Path::new(&format!("{path}-wal")).exists());
    let bytes = std::fs::read(&path).unwrap();
    assert_eq!(&bytes[18..20], &[2, 2], "a WAL-mode database");
    let conn = rusqlite::Connection::open(&path).unwrap();
    assert_eq!(integrity(&conn), "ok");
    assert_eq!(sqlite_rows(&conn).unwrap().len(), 1);
    drop(conn);
    remove_db(&path);
}
