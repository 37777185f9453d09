//! Checkpoint latency (issue 4), run by hand: Basalt reading every frame back from the WAL
//! ("slow", `Connection::set_checkpoint_from_cache(false)`), Basalt copying the pages its cache
//! holds tagged with their frames ("fast", the default), and SQLite, doing the same work in one
//! run.
//!
//! Each engine has its own database file in WAL mode with `wal_autocheckpoint=0`, the same
//! `synchronous` and `cache_size`, and the same schema: a table of ROWS orders with three
//! secondary indexes. Every round sends all three the same statements, each its own transaction
//! (UPDATEs changing indexed columns, INSERTs, DELETEs), as many as SQLite needs to fill its WAL
//! with about FRAMES frames (calibrated once on a scratch database), then times one
//! `PRAGMA wal_checkpoint(PASSIVE)` on each (the statement, as an application would issue it).
//! The order of the three rotates every round; the first round is a warm-up. Prints per engine
//! the median and the 10th/90th percentiles, the frames checkpointed and, for Basalt, the pages
//! copied (how many from the cache) and the median time spent in the checkpoint's syncs
//! (`PagerStats::checkpoint_sync_time`); then the ratios of the medians and of the 10th
//! percentiles (slow / fast and SQLite / fast: above 1 means the fast path is faster). Results
//! and their reading are in ARCHITECTURE.md ("Checkpoints copy from the cache").
//!
//! `cargo run --release -p basalt_core --example checkpoint_bench [-- ROWS FRAMES ROUNDS [SYNC..]]`
//! (defaults 5000 1000 31 NORMAL OFF FULL).

use basalt_core::connection::Connection;
use basalt_core::pager::PagerStats;
use basalt_core::record::Value;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

const PAGE_SIZE: u64 = 4096;
const CACHE_SIZE_KIB: i64 = -8000;

const SCHEMA: &str = "
    CREATE TABLE orders(id INTEGER PRIMARY KEY, customer INTEGER, status TEXT, amount REAL,
                        note TEXT);
    CREATE INDEX orders_customer ON orders(customer);
    CREATE INDEX orders_status ON orders(status, amount);
    CREATE INDEX orders_note ON orders(note);";

const STATUSES: [&str; 5] = ["new", "paid", "shipped", "returned", "cancelled"];

/// A deterministic statement stream (splitmix64), the same for every engine.
#[derive(Clone)]
struct Workload {
    state: u64,
    next_id: u64,
}

impl Workload {
    fn next(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn insert(&mut self) -> String {
        self.next_id += 1;
        let (customer, cents, note) = (self.below(800), self.below(100_000), self.next());
        let status = STATUSES[self.below(5) as usize];
        format!(
            "INSERT INTO orders VALUES ({}, {customer}, '{status}', {}.{:02}, \
             'order note {note:016x} for customer {customer}')",
            self.next_id,
            cents / 100,
            cents % 100
        )
    }

    /// One statement of the mix: 55% re-assign an order (two indexes change), 20% change its
    /// status, 15% a new order, 10% delete one.
    fn statement(&mut self) -> String {
        let id = 1 + self.below(self.next_id);
        match self.below(100) {
            0..=54 => {
                let (customer, cents) = (self.below(800), self.below(100_000));
                format!(
                    "UPDATE orders SET customer = {customer}, amount = {}.{:02} WHERE id = {id}",
                    cents / 100,
                    cents % 100
                )
            }
            55..=74 => {
                let status = STATUSES[self.below(5) as usize];
                format!("UPDATE orders SET status = '{status}' WHERE id = {id}")
            }
            75..=89 => self.insert(),
            _ => format!("DELETE FROM orders WHERE id = {id}"),
        }
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Slow,
    Fast,
    Sqlite,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Slow => "Basalt, frames read from the WAL",
            Kind::Fast => "Basalt, pages from the cache",
            Kind::Sqlite => "SQLite",
        }
    }
}

enum Engine {
    Basalt(Connection),
    Sqlite(rusqlite::Connection),
}

impl Engine {
    fn open(kind: Kind, path: &Path) -> Engine {
        let path = path.to_str().expect("a UTF-8 temporary path");
        match kind {
            Kind::Sqlite => Engine::Sqlite(rusqlite::Connection::open(path).unwrap()),
            _ => {
                let conn = Connection::open(path).unwrap();
                conn.set_checkpoint_from_cache(kind == Kind::Fast);
                Engine::Basalt(conn)
            }
        }
    }

    fn exec(&self, sql: &str) {
        match self {
            Engine::Basalt(conn) => conn.execute_batch(sql).unwrap(),
            Engine::Sqlite(conn) => conn.execute_batch(sql).unwrap(),
        }
    }

    /// `PRAGMA wal_checkpoint(mode)`: how long it took and the frames it checkpointed.
    fn checkpoint(&self, mode: &str) -> (Duration, i64) {
        let sql = format!("PRAGMA wal_checkpoint({mode})");
        let start = Instant::now();
        let row = match self {
            Engine::Basalt(conn) => {
                let mut stmt = conn.prepare(&sql).unwrap();
                assert!(stmt.step_blocking().unwrap());
                let row: Vec<i64> = stmt
                    .row()
                    .iter()
                    .map(|v| match v {
                        Value::Integer(i) => *i,
                        other => panic!("checkpoint row holds {other:?}"),
                    })
                    .collect();
                [row[0], row[1], row[2]]
            }
            Engine::Sqlite(conn) => conn
                .query_row(&sql, [], |r| Ok([r.get(0)?, r.get(1)?, r.get(2)?]))
                .unwrap(),
        };
        let took = start.elapsed();
        assert_eq!(row[0], 0, "checkpoint busy");
        assert_eq!(row[1], row[2], "checkpoint incomplete");
        (took, row[2])
    }

    /// Basalt's counters: pages written, pages checkpoints took from the cache, their syncs' time.
    fn stats(&self) -> PagerStats {
        match self {
            Engine::Basalt(conn) => conn.pager_stats(),
            Engine::Sqlite(_) => PagerStats::default(),
        }
    }
}

/// A database with the schema and `rows` orders, its WAL checkpointed and truncated.
fn setup(kind: Kind, path: &Path, rows: u64, sync: &str, workload: &mut Workload) -> Engine {
    let engine = Engine::open(kind, path);
    engine.exec(&format!(
        "PRAGMA journal_mode = WAL; PRAGMA synchronous = {sync}; \
         PRAGMA wal_autocheckpoint = 0; PRAGMA cache_size = {CACHE_SIZE_KIB};"
    ));
    engine.exec(SCHEMA);
    engine.exec("BEGIN");
    for _ in 0..rows {
        engine.exec(&workload.insert());
    }
    engine.exec("COMMIT");
    engine.checkpoint("TRUNCATE");
    engine
}

fn wal_frames(db: &Path) -> u64 {
    let wal = PathBuf::from(format!("{}-wal", db.display()));
    let size = std::fs::metadata(wal).map(|m| m.len()).unwrap_or(0);
    size.saturating_sub(32) / (PAGE_SIZE + 24)
}

/// How many statements of the stream take SQLite's WAL (restarted, truncated) to `frames`.
fn calibrate(dir: &Path, rows: u64, frames: u64, sync: &str, seed: u64) -> usize {
    let path = dir.join(format!("calibrate-{sync}.db"));
    let mut workload = Workload {
        state: seed,
        next_id: 0,
    };
    let engine = setup(Kind::Sqlite, &path, rows, sync, &mut workload);
    let mut statements = 0;
    while wal_frames(&path) < frames {
        engine.exec(&workload.statement());
        statements += 1;
    }
    statements
}

fn percentile<T: Copy>(sorted: &[T], p: usize) -> T {
    sorted[(sorted.len() - 1) * p / 100]
}

fn sorted<T: Ord + Clone>(values: &[T]) -> Vec<T> {
    let mut values = values.to_vec();
    values.sort();
    values
}

#[derive(Default)]
struct Samples {
    times: Vec<Duration>,
    frames: Vec<i64>,
    /// Basalt only: pages copied into the database file, how many came from the cache, and
    /// the time spent in syncs.
    pages: Vec<(u64, u64)>,
    syncs: Vec<Duration>,
}

impl Samples {
    fn percentile(&self, p: usize) -> f64 {
        percentile(&sorted(&self.times), p).as_secs_f64()
    }

    fn report(&self, kind: Kind) {
        let times = sorted(&self.times);
        let (copied, cached) = percentile(&sorted(&self.pages), 50);
        println!(
            "  {:<34} median {:>9.3?}   p10 {:>9.3?}   p90 {:>9.3?}   frames {:>5}{}",
            kind.name(),
            percentile(&times, 50),
            percentile(&times, 10),
            percentile(&times, 90),
            percentile(&sorted(&self.frames), 50),
            match kind {
                Kind::Sqlite => String::new(),
                _ => format!(
                    "   pages {copied} ({cached} from the cache)   in syncs {:.3?}",
                    percentile(&sorted(&self.syncs), 50)
                ),
            }
        );
    }
}

fn run(dir: &Path, rows: u64, frames: u64, rounds: usize, sync: &str) {
    const KINDS: [Kind; 3] = [Kind::Slow, Kind::Fast, Kind::Sqlite];
    let seed = 0x5eed_0000 + rows;
    let per_round = calibrate(dir, rows, frames, sync, seed);
    let mut engines = Vec::new();
    let start = Workload {
        state: seed,
        next_id: 0,
    };
    // Each setup consumes the same stretch of the stream; the rounds go on from its end.
    let mut workload = start.clone();
    for kind in KINDS {
        let path = dir.join(format!(
            "{}-{sync}.db",
            kind.name().replace([' ', ','], "_")
        ));
        workload = start.clone();
        let engine = setup(kind, &path, rows, sync, &mut workload);
        engines.push((kind, engine, Samples::default()));
    }
    for round in 0..=rounds {
        let statements: Vec<String> = (0..per_round).map(|_| workload.statement()).collect();
        for i in 0..engines.len() {
            let (_, engine, samples) = &mut engines[(i + round) % KINDS.len()];
            for sql in &statements {
                engine.exec(sql);
            }
            let before = engine.stats();
            let (took, checkpointed) = engine.checkpoint("PASSIVE");
            let after = engine.stats();
            if round > 0 {
                samples.times.push(took);
                samples.frames.push(checkpointed);
                samples.pages.push((
                    after.pages_written - before.pages_written,
                    after.checkpoint_cache_pages - before.checkpoint_cache_pages,
                ));
                samples
                    .syncs
                    .push(after.checkpoint_sync_time - before.checkpoint_sync_time);
            }
        }
    }
    println!("synchronous={sync}: {per_round} statements per round, {rounds} rounds");
    for (kind, _, samples) in &engines {
        samples.report(*kind);
    }
    let at = |kind: Kind, p: usize| {
        let (_, _, samples) = engines.iter().find(|(k, _, _)| *k == kind).unwrap();
        samples.percentile(p)
    };
    for (what, p) in [("medians", 50), ("p10s (least disturbed)", 10)] {
        println!(
            "  ratios of {what}: slow / fast {:.2}x   SQLite / fast {:.2}x",
            at(Kind::Slow, p) / at(Kind::Fast, p),
            at(Kind::Sqlite, p) / at(Kind::Fast, p)
        );
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let number =
        |i: usize, default: u64| args.get(i).and_then(|a| a.parse().ok()).unwrap_or(default);
    let (rows, frames, rounds) = (number(0, 5000), number(1, 1000), number(2, 31) as usize);
    let syncs: Vec<&str> = if args.len() > 3 {
        args[3..].iter().map(String::as_str).collect()
    } else {
        vec!["NORMAL", "OFF", "FULL"]
    };
    let dir = std::env::temp_dir().join(format!("basalt-checkpoint-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    println!("{rows} orders, 3 indexes, ~{frames} WAL frames per checkpoint (PASSIVE)");
    for sync in syncs {
        run(&dir, rows, frames, rounds, sync);
    }
    std::fs::remove_dir_all(&dir).unwrap();
}
