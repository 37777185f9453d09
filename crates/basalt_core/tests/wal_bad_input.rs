//! Bad WALs: wrong magic, version, page size or checksums, torn or garbage tails, frames past the
//! database's end, a WAL from another database, random damage. Basalt must do what SQLite does
//! with the same pair of files (read the same rows, or fail), never panic, never apply a frame
//! SQLite would not.

mod wal_support;

use basalt_core::io::{FileIo, Io, MemoryIo};
use basalt_core::pager::{Pager, PagerOptions};
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use std::sync::Arc;
use wal_support::*;

const PAGE: usize = 1024;
const FRAME: usize = 24 + PAGE;

fn options() -> PagerOptions {
    PagerOptions {
        page_size: PAGE,
        wal_autocheckpoint: 0,
        ..PagerOptions::default()
    }
}

/// A database and its WAL (never checkpointed) after `commits` transactions.
fn build(seed: u64, commits: i64) -> (Vec<u8>, Vec<u8>) {
    let io = Arc::new(MemoryIo::new());
    let dyn_io: Arc<dyn Io> = io.clone();
    let mut pager = Pager::open(dyn_io, "base.db", &options()).unwrap();
    let root = create_table(&mut pager).unwrap();
    for t in 0..commits {
        pager.begin_write().unwrap();
        for i in 0..3 {
            let id = seed as i64 * 1000 + t * 3 + i;
            put(&mut pager, root, id, &value_for(id, (t + i) % 5 == 0)).unwrap();
        }
        pager.commit().unwrap();
    }
    std::mem::forget(pager);
    (
        io.file_bytes("base.db").unwrap(),
        io.file_bytes("base.db-wal").unwrap(),
    )
}

fn sqlite_verdict(db: &[u8], wal: &[u8]) -> Result<Rows, String> {
    let path = temp_path("bad-sqlite");
    std::fs::write(&path, db).unwrap();
    std::fs::write(format!("{path}-wal"), wal).unwrap();
    let verdict = rusqlite::Connection::open(&path)
        .map_err(|e| e.to_string())
        .and_then(|conn| sqlite_rows(&conn));
    remove_db(&path);
    verdict
}

fn basalt_verdict(db: &[u8], wal: &[u8]) -> Result<Rows, String> {
    let path = temp_path("bad-basalt");
    std::fs::write(&path, db).unwrap();
    std::fs::write(format!("{path}-wal"), wal).unwrap();
    let verdict = Pager::open(Arc::new(FileIo), &path, &options())
        .map_err(|e| e.to_string())
        .and_then(|mut pager| basalt_rows(&mut pager).map_err(|e| e.to_string()));
    remove_db(&path);
    verdict
}

fn same_as_sqlite(db: &[u8], wal: &[u8], what: &str) -> Result<Rows, String> {
    let theirs = sqlite_verdict(db, wal);
    let ours = basalt_verdict(db, wal);
    match (&theirs, &ours) {
        (Ok(a), Ok(b)) => assert!(
            a == b,
            "{what}: SQLite reads {} rows, Basalt {}",
            a.len(),
            b.len()
        ),
        (Err(_), Err(_)) => {}
        _ => panic!("{what}: SQLite {theirs:?} vs Basalt {ours:?}"),
    }
    ours
}

fn put32(bytes: &mut [u8], at: usize, value: u32) {
    bytes[at..at + 4].copy_from_slice(&value.to_be_bytes());
}

/// Recompute the header checksum (little-endian words, as Basalt writes on this machine).
fn fix_header_checksum(wal: &mut [u8]) {
    let big = wal[3] == 0x83;
    let sum = basalt_core::wal::checksum(big, &wal[..24], [0, 0]);
    put32(wal, 24, sum[0]);
    put32(wal, 28, sum[1]);
}

#[test]
fn damaged_headers_are_ignored_like_sqlite() {
    let (db, wal) = build(1, 6);
    let full = same_as_sqlite(&db, &wal, "intact").unwrap();
    assert_eq!(full.len(), 18);
    let empty = Rows::new();
    for (what, at, value) in [
        ("magic", 0, 0x11),
        ("version", 7, 0x01),
        ("checksum", 27, 0x5a),
    ] {
        let mut bad = wal.clone();
        bad[at] ^= value;
        let rows = same_as_sqlite(&db, &bad, what).unwrap();
        assert!(
            rows == empty,
            "{what}: {} rows from an ignored WAL",
            rows.len()
        );
    }
    for page_size in [2048u32, 1000, 512] {
        let mut bad = wal.clone();
        put32(&mut bad, 8, page_size);
        fix_header_checksum(&mut bad);
        same_as_sqlite(&db, &bad, &format!("page size {page_size}")).ok();
    }
}

#[test]
fn torn_and_garbage_tails_are_ignored_like_sqlite() {
    let (db, wal) = build(2, 8);
    let frames = (wal.len() - 32) / FRAME;
    let mut seen = Vec::new();
    for cut in (0..=frames)
        .map(|f| 32 + f * FRAME)
        .chain([31, 100, 32 + FRAME + 7, wal.len() - 1])
    {
        let rows =
            same_as_sqlite(&db, &wal[..cut.min(wal.len())], &format!("cut at {cut}")).unwrap();
        seen.push(rows.len());
    }
    assert!(
        seen.windows(2).take(frames).all(|w| w[0] <= w[1]),
        "a longer log shows more"
    );
    // Frames past the last commit, garbage, a frame of a "later" commit with bad salts.
    let mut longer = wal.clone();
    longer.extend(std::iter::repeat_n(0xa5, FRAME * 2 + 100));
    same_as_sqlite(&db, &longer, "garbage tail").unwrap();
    let mut stale = wal.clone();
    let last = wal[wal.len() - FRAME..].to_vec();
    stale.extend_from_slice(&last);
    same_as_sqlite(&db, &stale, "a repeated frame").unwrap();
}

#[test]
fn damaged_frames_end_the_log_like_sqlite() {
    let (db, wal) = build(3, 8);
    let frames = (wal.len() - 32) / FRAME;
    for frame in 0..frames {
        let base = 32 + frame * FRAME;
        for (what, at) in [
            ("page number", 3),
            ("salt", 9),
            ("checksum", 18),
            ("data", 24 + 500),
        ] {
            let mut bad = wal.clone();
            bad[base + at] ^= 0x40;
            same_as_sqlite(&db, &bad, &format!("frame {} {what}", frame + 1)).ok();
        }
        // A commit frame claiming a huge database, or a zero page number.
        let mut bad = wal.clone();
        put32(&mut bad, base, 0);
        same_as_sqlite(&db, &bad, &format!("frame {} page 0", frame + 1)).ok();
    }
}

#[test]
fn a_wal_from_another_database_is_treated_like_sqlite() {
    let (db, _) = build(4, 5);
    let (_, other) = build(5, 9);
    let verdict = same_as_sqlite(&db, &other, "foreign WAL");
    println!("a foreign WAL: {:?}", verdict.map(|r| r.len()));
}

#[test]
fn random_damage_never_panics_and_matches_sqlite() {
    let seed: u64 = std::env::var("BASALT_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(rand::random);
    println!("BASALT_SEED={seed}");
    let mut rng = SmallRng::seed_from_u64(seed);
    let (db, wal) = build(6, 10);
    for round in 0..150 {
        let mut bad = wal.clone();
        for _ in 0..rng.gen_range(1..4) {
            let at = rng.gen_range(0..bad.len());
            bad[at] = rng.gen();
        }
        if rng.gen_bool(0.2) {
            let len = rng.gen_range(0..bad.len());
            bad.truncate(len);
        }
        same_as_sqlite(&db, &bad, &format!("round {round}")).ok();
    }
}
