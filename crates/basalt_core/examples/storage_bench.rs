//! Storage benchmark, run by hand: Basalt's b-tree through the cursor API next to SQLite doing
//! the same work through rusqlite prepared statements, each phase in one transaction, in one run
//! on the same machine. Prints each phase's times and the ratio Basalt / SQLite (lower is
//! better). SQLite also parses and runs SQL here, so the ratio is a rough bound on storage
//! overhead, not a like-for-like comparison.
//!
//! `cargo run --release -p basalt_core --example storage_bench [-- ROWS]`

use basalt_core::btree::{Cursor, SeekOp, TreeKind};
use basalt_core::io::FileIo;
use basalt_core::pager::{Pager, PagerOptions};
use basalt_core::record::{encode_record, ValueRef};
use basalt_core::schema::{ObjectKind, Schema};
use rand::rngs::SmallRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

struct Workload {
    sequential: Vec<i64>,
    random: Vec<i64>,
    lookups: Vec<i64>,
}

fn workload(rows: usize) -> Workload {
    let mut rng = SmallRng::seed_from_u64(42);
    let sequential: Vec<i64> = (1..=rows as i64).collect();
    let mut random: Vec<i64> = (0..rows as i64)
        .map(|i| rows as i64 * 2 + i * 3 + 1)
        .collect();
    random.shuffle(&mut rng);
    let lookups = (0..rows / 10)
        .map(|_| rng.gen_range(1..=rows as i64))
        .collect();
    Workload {
        sequential,
        random,
        lookups,
    }
}

fn text_for(rowid: i64) -> String {
    format!("row number {rowid} with some text")
}

fn timed(f: impl FnOnce()) -> Duration {
    let start = Instant::now();
    f();
    start.elapsed()
}

fn basalt(path: &Path, w: &Workload) -> [Duration; 4] {
    let mut pager = Pager::open(
        Arc::new(FileIo),
        path.to_str().unwrap(),
        &PagerOptions::default(),
    )
    .unwrap();
    pager.begin_write().unwrap();
    let table = Schema::create_object(
        &mut pager,
        ObjectKind::Table,
        TreeKind::Table,
        "t",
        "t",
        Some("CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT)"),
    )
    .unwrap();
    pager.commit().unwrap();
    let mut record = Vec::new();
    let mut insert_all = |pager: &mut Pager, ids: &[i64]| {
        pager.begin_write().unwrap();
        let mut cursor = Cursor::new_table(table.root_page);
        for &id in ids {
            record.clear();
            let text = text_for(id);
            encode_record(
                &[ValueRef::Null, ValueRef::Text(text.as_bytes())],
                &mut record,
            );
            cursor.insert_row(pager, id, &record).unwrap();
        }
        pager.commit().unwrap();
    };
    let sequential = timed(|| insert_all(&mut pager, &w.sequential));
    let random = timed(|| insert_all(&mut pager, &w.random));
    let mut payload = Vec::new();
    let scan = timed(|| {
        let mut cursor = Cursor::new_table(table.root_page);
        let mut rows = 0;
        let mut on = cursor.first(&mut pager).unwrap();
        while on {
            cursor.payload(&mut pager, &mut payload).unwrap();
            rows += 1;
            on = cursor.next(&mut pager).unwrap();
        }
        assert_eq!(rows, w.sequential.len() + w.random.len());
    });
    let lookups = timed(|| {
        let mut cursor = Cursor::new_table(table.root_page);
        for &id in &w.lookups {
            assert!(cursor.seek_rowid(&mut pager, id, SeekOp::Eq).unwrap());
            cursor.payload(&mut pager, &mut payload).unwrap();
        }
    });
    [sequential, random, scan, lookups]
}

fn sqlite(path: &Path, w: &Workload) -> [Duration; 4] {
    let conn = rusqlite::Connection::open(path).unwrap();
    conn.execute_batch("CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT)")
        .unwrap();
    let insert_all = |ids: &[i64]| {
        conn.execute_batch("BEGIN").unwrap();
        {
            let mut stmt = conn.prepare("INSERT INTO t VALUES (?1, ?2)").unwrap();
            for &id in ids {
                stmt.execute(rusqlite::params![id, text_for(id)]).unwrap();
            }
        }
        conn.execute_batch("COMMIT").unwrap();
    };
    let sequential = timed(|| insert_all(&w.sequential));
    let random = timed(|| insert_all(&w.random));
    let scan = timed(|| {
        let mut stmt = conn.prepare("SELECT id, v FROM t").unwrap();
        let mut rows = stmt.query([]).unwrap();
        let mut count = 0;
        while let Some(row) = rows.next().unwrap() {
            let _: &[u8] = row.get_ref(1).unwrap().as_bytes().unwrap();
            count += 1;
        }
        assert_eq!(count, w.sequential.len() + w.random.len());
    });
    let lookups = timed(|| {
        let mut stmt = conn.prepare("SELECT v FROM t WHERE id = ?1").unwrap();
        for &id in &w.lookups {
            let mut rows = stmt.query([id]).unwrap();
            let row = rows.next().unwrap().unwrap();
            let _: &[u8] = row.get_ref(0).unwrap().as_bytes().unwrap();
        }
    });
    [sequential, random, scan, lookups]
}

fn main() {
    let rows: usize = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_000_000);
    let dir = std::env::temp_dir().join(format!("basalt-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let w = workload(rows);
    let ours = basalt(&dir.join("basalt.db"), &w);
    let theirs = sqlite(&dir.join("sqlite.db"), &w);
    let check = rusqlite::Connection::open(dir.join("basalt.db")).unwrap();
    let ok: String = check
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(ok, "ok", "SQLite finds Basalt's file sound");
    let sizes =
        [dir.join("basalt.db"), dir.join("sqlite.db")].map(|p| std::fs::metadata(p).unwrap().len());
    println!(
        "{rows} rows per insert phase; {} random lookups",
        w.lookups.len()
    );
    println!(
        "{:<28} {:>12} {:>12} {:>8}",
        "phase", "basalt", "sqlite", "ratio"
    );
    let names = [
        "sequential inserts",
        "random inserts",
        "full scan",
        "random rowid lookups",
    ];
    for (i, name) in names.iter().enumerate() {
        let ratio = ours[i].as_secs_f64() / theirs[i].as_secs_f64();
        println!(
            "{name:<28} {:>10.1}ms {:>10.1}ms {ratio:>8.2}",
            ours[i].as_secs_f64() * 1e3,
            theirs[i].as_secs_f64() * 1e3
        );
    }
    println!(
        "file size: basalt {} bytes, sqlite {} bytes ({:.3})",
        sizes[0],
        sizes[1],
        sizes[0] as f64 / sizes[1] as f64
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
