//! Bad input never hurts: damaged database files, opened and used through every layer, give
//! errors or integrity messages — never a panic, never a hang.
//!
//! Each case takes a healthy file written by SQLite (tables with small and overflowing rows, an
//! index, freelist pages), damages it at random (bytes flipped, words overwritten with large or
//! small page numbers, pages zeroed or duplicated, the file truncated), then opens it, loads the
//! schema, walks every tree in both directions, seeks, runs the integrity check and finally
//! writes to it.
//!
//! Seeds: `damaged_files_never_panic_or_hang` runs one random seed, printed so a failure can be
//! replayed with `BASALT_SEED=<seed>`; `known_bad_seeds_stay_fixed` replays the seeds that once
//! found panics. By hand, `BASALT_CORRUPT_SEEDS=<n>` runs n random seeds in a row (each printed),
//! e.g. `BASALT_CORRUPT_SEEDS=500 cargo test --release -p basalt_core --test corrupt_files`.

use basalt_core::btree::{Cursor, SeekOp};
use basalt_core::integrity::{check_structure, DEFAULT_MAX_ERRORS};
use basalt_core::io::{Io, MemoryIo, OpenFlags};
use basalt_core::pager::{Pager, PagerOptions};
use basalt_core::record::KeyInfo;
use basalt_core::schema::Schema;
use basalt_core::Result;
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

/// More steps than any walk of the sample file can need: reaching it means a loop.
const STEP_LIMIT: usize = 200_000;

/// Seeds that made `btree::page::take_from_gap` assert on a header overstating its free space.
const KNOWN_BAD_SEEDS: [u64; 4] = [
    12836996348637066670,
    9372886906135795562,
    16400475227232605981,
    15086603612233100689,
];

/// Removes the sample file even when the test panics, so no `basalt-*` file outlives a run.
struct RemoveOnDrop(std::path::PathBuf);

impl Drop for RemoveOnDrop {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

fn sample_file(page_size: usize) -> Vec<u8> {
    // Tests run in parallel threads of one process: each sample gets its own name.
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let path = std::env::temp_dir().join(format!(
        "basalt-corrupt-{}-{}-{page_size}.db",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    ));
    let _ = std::fs::remove_file(&path);
    let guard = RemoveOnDrop(path.clone());
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute_batch(&format!(
        "PRAGMA page_size = {page_size};
         CREATE TABLE t(a INTEGER PRIMARY KEY, b, c);
         CREATE INDEX tb ON t(b);
         CREATE TABLE w(k TEXT PRIMARY KEY, v) WITHOUT ROWID;
         BEGIN;"
    ))
    .unwrap();
    for i in 0..400i64 {
        let big = "z".repeat(if i % 13 == 0 { 3000 } else { 10 });
        conn.execute(
            "INSERT INTO t VALUES (?1, ?2, ?3)",
            rusqlite::params![i, format!("b{}", i % 50), big],
        )
        .unwrap();
        conn.execute(
            "INSERT INTO w VALUES (?1, ?2)",
            rusqlite::params![format!("k{i}"), i],
        )
        .unwrap();
    }
    conn.execute_batch("COMMIT; DELETE FROM t WHERE a % 7 = 0;")
        .unwrap();
    drop(conn);
    let bytes = std::fs::read(&path).unwrap();
    drop(guard);
    bytes
}

fn damage(bytes: &mut Vec<u8>, page_size: usize, rng: &mut SmallRng) {
    for _ in 0..rng.gen_range(1..6) {
        let pages = bytes.len() / page_size;
        if pages < 2 {
            return;
        }
        let at = rng.gen_range(0..bytes.len());
        match rng.gen_range(0..6) {
            0 => bytes[at] ^= 1 << rng.gen_range(0..8),
            1 => bytes[at] = rng.gen(),
            2 if at + 4 <= bytes.len() => {
                let word: u32 = match rng.gen_range(0..3) {
                    0 => rng.gen_range(0..pages as u32 + 3),
                    1 => rng.gen(),
                    _ => 0,
                };
                bytes[at..at + 4].copy_from_slice(&word.to_be_bytes());
            }
            3 => {
                let page = rng.gen_range(1..pages);
                bytes[page * page_size..(page + 1) * page_size].fill(0);
            }
            4 => {
                let (from, to) = (rng.gen_range(1..pages), rng.gen_range(1..pages));
                let copy = bytes[from * page_size..(from + 1) * page_size].to_vec();
                bytes[to * page_size..(to + 1) * page_size].copy_from_slice(&copy);
            }
            _ => {
                if rng.gen_bool(0.3) {
                    bytes.truncate(rng.gen_range(page_size..=bytes.len()));
                }
            }
        }
    }
}

/// Walks a tree forward and backward and seeks into it; every error is fine, a loop is not.
fn exercise_tree(pager: &mut Pager, root: u32, is_index: bool, rng: &mut SmallRng) -> Result<()> {
    let mut cursor = if is_index {
        Cursor::new_index(root, KeyInfo::binary(2))
    } else {
        Cursor::new_table(root)
    };
    let mut payload = Vec::new();
    let mut steps = 0;
    let mut on = cursor.first(pager)?;
    while on {
        if !is_index {
            cursor.payload(pager, &mut payload)?;
        }
        steps += 1;
        assert!(
            steps < STEP_LIMIT,
            "forward walk of tree {root} does not end"
        );
        on = cursor.next(pager)?;
    }
    let mut on = cursor.last(pager)?;
    steps = 0;
    while on {
        steps += 1;
        assert!(
            steps < STEP_LIMIT,
            "backward walk of tree {root} does not end"
        );
        on = cursor.prev(pager)?;
    }
    if !is_index {
        for _ in 0..20 {
            let op =
                [SeekOp::Eq, SeekOp::Ge, SeekOp::Gt, SeekOp::Le, SeekOp::Lt][rng.gen_range(0..5)];
            if cursor.seek_rowid(pager, rng.gen_range(-5..500), op)? {
                cursor.payload(pager, &mut payload)?;
            }
        }
    }
    cursor.count(pager)?;
    Ok(())
}

/// Writes into the damaged file: inserts and deletes must fail cleanly or succeed.
fn write_some(pager: &mut Pager, root: u32, rng: &mut SmallRng) -> Result<()> {
    pager.begin_write()?;
    let mut cursor = Cursor::new_table(root);
    for _ in 0..30 {
        let rowid = rng.gen_range(0..600);
        if rng.gen_bool(0.5) {
            let payload = vec![0x11u8; rng.gen_range(0..2000)];
            let mut record = Vec::new();
            basalt_core::record::encode_record(
                &[basalt_core::record::ValueRef::Blob(&payload)],
                &mut record,
            );
            cursor.insert_row(pager, rowid, &record)?;
        } else if cursor.seek_rowid(pager, rowid, SeekOp::Eq)? {
            cursor.delete(pager)?;
        }
    }
    pager.rollback();
    Ok(())
}

fn exercise(bytes: Vec<u8>, rng: &mut SmallRng) {
    let io = Arc::new(MemoryIo::new());
    let file = io.open("damaged.db".as_ref(), OpenFlags::default()).unwrap();
    basalt_core::io::run_to_completion(
        io.as_ref(),
        file.write(0, bytes.into_boxed_slice()).unwrap(),
    )
    .unwrap();
    let Ok(mut pager) = Pager::open(io, "damaged.db", &PagerOptions::default()) else {
        return;
    };
    let roots = match Schema::load(&mut pager).and_then(|s| s.tree_roots(&mut pager)) {
        Ok(roots) => roots,
        Err(_) => vec![basalt_core::integrity::TreeRoot {
            root: 1,
            is_table: true,
        }],
    };
    let _ = check_structure(&mut pager, &roots, DEFAULT_MAX_ERRORS);
    for root in &roots {
        let _ = exercise_tree(&mut pager, root.root, !root.is_table, rng);
    }
    if let Some(table) = roots.iter().find(|r| r.is_table && r.root != 1) {
        let _ = write_some(&mut pager, table.root, rng);
    }
}

/// Damages each sample 1000 times from `seed` and uses the results.
fn run_seed(samples: &[(usize, Vec<u8>)], seed: u64) {
    println!("BASALT_SEED={seed}");
    let mut rng = SmallRng::seed_from_u64(seed);
    for (page_size, pristine) in samples {
        for _ in 0..1000 {
            let mut bytes = pristine.clone();
            damage(&mut bytes, *page_size, &mut rng);
            exercise(bytes, &mut rng);
        }
    }
}

fn samples() -> Vec<(usize, Vec<u8>)> {
    [512, 1024, 4096]
        .into_iter()
        .map(|page_size| (page_size, sample_file(page_size)))
        .collect()
}

#[test]
fn damaged_files_never_panic_or_hang() {
    let samples = samples();
    if let Some(seed) = std::env::var("BASALT_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
    {
        return run_seed(&samples, seed);
    }
    let rounds: usize = std::env::var("BASALT_CORRUPT_SEEDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1);
    for _ in 0..rounds {
        run_seed(&samples, rand::random());
    }
}

#[test]
fn known_bad_seeds_stay_fixed() {
    let samples = samples();
    for seed in KNOWN_BAD_SEEDS {
        run_seed(&samples, seed);
    }
}
