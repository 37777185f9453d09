//! WAL commit benchmark, run by hand: 10,000 single-row transactions (each its own commit) into
//! a rowid table, by Basalt through the cursor API and by SQLite through a prepared INSERT in
//! autocommit mode, both in WAL mode with the default autocheckpoint, at `synchronous` NORMAL and
//! FULL, in one run on the same machine and directory. Prints times and the ratio Basalt / SQLite
//! (lower is better), and checks Basalt's file with SQLite's `integrity_check`.
//!
//! `cargo run --release -p basalt_core --example wal_bench [-- COMMITS]`

use basalt_core::btree::{Cursor, TreeKind};
use basalt_core::io::FileIo;
use basalt_core::pager::{Pager, PagerOptions};
use basalt_core::record::{encode_record, ValueRef};
use basalt_core::schema::{ObjectKind, Schema};
use basalt_core::wal::Synchronous;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

fn text_for(rowid: i64) -> String {
    format!("row number {rowid} with some text")
}

fn basalt(path: &Path, commits: i64, synchronous: Synchronous) -> (Duration, u64) {
    let options = PagerOptions {
        synchronous,
        ..PagerOptions::default()
    };
    let mut pager = Pager::open(Arc::new(FileIo), path.to_str().unwrap(), &options).unwrap();
    pager.begin_write().unwrap();
    let table = Schema::create_object(
        &mut pager,
        ObjectKind::Table,
        TreeKind::Table,
        "t",
        "t",
        Some("CREATE TABLE t(a INTEGER PRIMARY KEY, b)"),
    )
    .unwrap();
    pager.commit().unwrap();
    let syncs_before = pager.stats().syncs;
    let mut record = Vec::new();
    let mut cursor = Cursor::new_table(table.root_page);
    let start = Instant::now();
    for id in 1..=commits {
        pager.begin_write().unwrap();
        record.clear();
        let text = text_for(id);
        encode_record(
            &[ValueRef::Null, ValueRef::Text(text.as_bytes())],
            &mut record,
        );
        cursor.insert_row(&mut pager, id, &record).unwrap();
        pager.commit().unwrap();
    }
    let elapsed = start.elapsed();
    let syncs = pager.stats().syncs - syncs_before;
    pager.close().unwrap();
    (elapsed, syncs)
}

fn sqlite(path: &Path, commits: i64, synchronous: Synchronous) -> Duration {
    let conn = rusqlite::Connection::open(path).unwrap();
    let level = match synchronous {
        Synchronous::Off => "OFF",
        Synchronous::Normal => "NORMAL",
        Synchronous::Full => "FULL",
        Synchronous::Extra => "EXTRA",
    };
    conn.execute_batch(&format!(
        "PRAGMA journal_mode=WAL; PRAGMA synchronous={level};
         CREATE TABLE t(a INTEGER PRIMARY KEY, b);"
    ))
    .unwrap();
    let mut stmt = conn.prepare("INSERT INTO t VALUES (?1, ?2)").unwrap();
    let start = Instant::now();
    for id in 1..=commits {
        stmt.execute(rusqlite::params![id, text_for(id)]).unwrap();
    }
    start.elapsed()
}

fn main() {
    let commits: i64 = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(10_000);
    let dir = std::env::temp_dir().join(format!("basalt-wal-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    println!("{commits} single-row commits, WAL mode, default autocheckpoint (1000 frames)");
    println!(
        "{:<12} {:>12} {:>12} {:>8} {:>14}",
        "synchronous", "basalt", "sqlite", "ratio", "basalt syncs"
    );
    for synchronous in [Synchronous::Normal, Synchronous::Full] {
        let ours_path = dir.join(format!("basalt-{synchronous:?}.db"));
        let theirs_path = dir.join(format!("sqlite-{synchronous:?}.db"));
        let (ours, syncs) = basalt(&ours_path, commits, synchronous);
        let theirs = sqlite(&theirs_path, commits, synchronous);
        let check = rusqlite::Connection::open(&ours_path).unwrap();
        let ok: String = check
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .unwrap();
        assert_eq!(ok, "ok", "SQLite finds Basalt's file sound");
        let rows: i64 = check
            .query_row("SELECT count(*) FROM t", [], |r| r.get(0))
            .unwrap();
        assert_eq!(rows, commits);
        println!(
            "{:<12} {:>10.1}ms {:>10.1}ms {:>8.2} {:>14}",
            format!("{synchronous:?}"),
            ours.as_secs_f64() * 1e3,
            theirs.as_secs_f64() * 1e3,
            ours.as_secs_f64() / theirs.as_secs_f64(),
            syncs
        );
    }
    std::fs::remove_dir_all(&dir).unwrap();
}
