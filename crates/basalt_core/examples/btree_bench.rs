//! The Basalt half of `storage_bench` alone, for profilers: each phase is its own function, so
//! `valgrind --tool=callgrind` reports a stable instruction count per phase (inclusive cost of
//! `phase_*`), free of SQLite's and the timer's noise.
//!
//! `cargo build --release -p basalt_core --example btree_bench`, then
//! `valgrind --tool=callgrind target/release/examples/btree_bench [ROWS]` and
//! `callgrind_annotate --inclusive=yes callgrind.out.* | grep phase_`. A second argument `seq`
//! stops after the sequential inserts, to profile them alone.

use basalt_core::btree::{Cursor, SeekOp, TreeKind};
use basalt_core::io::FileIo;
use basalt_core::pager::{PageNo, Pager, PagerOptions};
use basalt_core::record::{encode_record, ValueRef};
use basalt_core::schema::{ObjectKind, Schema};
use rand::rngs::SmallRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Returns how long the commit took, which is the pager's work rather than the b-tree's.
fn insert_all(pager: &mut Pager, root: PageNo, ids: &[i64]) -> Duration {
    let mut record = Vec::new();
    pager.begin_write().unwrap();
    let mut cursor = Cursor::new_table(root);
    for &id in ids {
        record.clear();
        let text = format!("row number {id} with some text");
        encode_record(
            &[ValueRef::Null, ValueRef::Text(text.as_bytes())],
            &mut record,
        );
        cursor.insert_row(pager, id, &record).unwrap();
    }
    let start = Instant::now();
    pager.commit().unwrap();
    start.elapsed()
}

#[inline(never)]
fn phase_sequential(pager: &mut Pager, root: PageNo, ids: &[i64]) -> Duration {
    insert_all(pager, root, ids)
}

#[inline(never)]
fn phase_random(pager: &mut Pager, root: PageNo, ids: &[i64]) -> Duration {
    insert_all(pager, root, ids)
}

#[inline(never)]
fn phase_scan(pager: &mut Pager, root: PageNo) -> usize {
    let mut payload = Vec::new();
    let mut cursor = Cursor::new_table(root);
    let mut rows = 0;
    let mut on = cursor.first(pager).unwrap();
    while on {
        cursor.payload(pager, &mut payload).unwrap();
        rows += 1;
        on = cursor.next(pager).unwrap();
    }
    rows
}

#[inline(never)]
fn phase_lookups(pager: &mut Pager, root: PageNo, ids: &[i64]) {
    let mut payload = Vec::new();
    let mut cursor = Cursor::new_table(root);
    for &id in ids {
        assert!(cursor.seek_rowid(pager, id, SeekOp::Eq).unwrap());
        cursor.payload(pager, &mut payload).unwrap();
    }
}

fn main() {
    let rows: usize = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(200_000);
    let mut rng = SmallRng::seed_from_u64(42);
    let sequential: Vec<i64> = (1..=rows as i64).collect();
    let mut random: Vec<i64> = (0..rows as i64)
        .map(|i| rows as i64 * 2 + i * 3 + 1)
        .collect();
    random.shuffle(&mut rng);
    let lookups: Vec<i64> = (0..rows / 10)
        .map(|_| rng.gen_range(1..=rows as i64))
        .collect();

    let dir = std::env::temp_dir().join(format!("basalt-btree-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("basalt.db");
    let mut pager = Pager::open(
        Arc::new(FileIo),
        path.to_str().unwrap(),
        &PagerOptions::default(),
    )
    .unwrap();
    pager.begin_write().unwrap();
    let root = Schema::create_object(
        &mut pager,
        ObjectKind::Table,
        TreeKind::Table,
        "t",
        "t",
        Some("CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT)"),
    )
    .unwrap()
    .root_page;
    pager.commit().unwrap();

    let start = Instant::now();
    let c_seq = phase_sequential(&mut pager, root, &sequential);
    let t_seq = start.elapsed();
    if std::env::args().nth(2).as_deref() == Some("seq") {
        println!("sequential inserts {:>10.1}ms", t_seq.as_secs_f64() * 1e3);
        std::fs::remove_dir_all(&dir).unwrap();
        return;
    }
    let start = Instant::now();
    let c_rand = phase_random(&mut pager, root, &random);
    let t_rand = start.elapsed();
    let start = Instant::now();
    assert_eq!(phase_scan(&mut pager, root), 2 * rows);
    let t_scan = start.elapsed();
    let start = Instant::now();
    phase_lookups(&mut pager, root, &lookups);
    let t_look = start.elapsed();
    let ms = |t: Duration| t.as_secs_f64() * 1e3;
    println!(
        "sequential inserts {:>10.1}ms (commit {:.1}ms)",
        ms(t_seq),
        ms(c_seq)
    );
    println!(
        "random inserts     {:>10.1}ms (commit {:.1}ms)",
        ms(t_rand),
        ms(c_rand)
    );
    println!("full scan          {:>10.1}ms", ms(t_scan));
    println!("rowid lookups      {:>10.1}ms", ms(t_look));
    std::fs::remove_dir_all(&dir).unwrap();
}
