//! The workloads of issue 7 and the data they run on, defined once for both the API runs
//! (`run_api`) and the shell scripts (`shell.rs`).
//!
//! Every value is a pure function of the row number, so both engines (and both shells) hold
//! exactly the same data and must return exactly the same rows. The read workloads share one
//! dataset per engine, built once (untimed): table `t` of `rows` rows with a unique secondary
//! key `k` (a bijective scramble of the rowid), 1,000 groups `g`, a real `v` and a text `s`;
//! table `u` of `rows / 10` rows pointing into `t` through `k`.

use crate::engine::{Db, Fingerprint, Param, Result};
use std::path::Path;

/// Sizes at `--scale 1`, as the issue states them.
#[derive(Clone, Copy, Debug)]
pub struct Sizes {
    pub rows: usize,
    pub lookups: usize,
    pub autocommit: usize,
    pub tables: usize,
}

impl Sizes {
    pub fn scaled(scale: f64) -> Sizes {
        let s = |n: f64, min: f64| (n * scale).max(min).round() as usize;
        Sizes {
            rows: s(1_000_000.0, 1000.0),
            lookups: s(100_000.0, 100.0),
            autocommit: s(10_000.0, 10.0),
            tables: s(1000.0, 10.0),
        }
    }
}

pub const GROUPS: i64 = 1000;

/// What a workload needs before its timed part.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Setup {
    /// The shared read-only dataset (`t`, `u`) in memory.
    Dataset,
    /// A fresh empty in-memory database each round, with the dataset's schema.
    FreshMemory,
    /// A fresh database file each round, prepared for WAL autocommit inserts.
    FreshWalFile,
    /// A database file with `Sizes::tables` tables, built once; the timed part opens it.
    SchemaFile,
}

pub struct Workload {
    pub name: &'static str,
    pub about: &'static str,
    pub setup: Setup,
}

pub const WORKLOADS: &[Workload] = &[
    Workload {
        name: "insert",
        about: "bulk insert of `rows` rows (with one index) in one transaction",
        setup: Setup::FreshMemory,
    },
    Workload {
        name: "point_rowid",
        about: "`lookups` point selects by rowid, one reused prepared statement",
        setup: Setup::Dataset,
    },
    Workload {
        name: "point_index",
        about: "`lookups` point selects by a secondary index, one reused prepared statement",
        setup: Setup::Dataset,
    },
    Workload {
        name: "scan_agg",
        about: "full scan with a filter and aggregates",
        setup: Setup::Dataset,
    },
    Workload {
        name: "order_by",
        about: "ORDER BY over all `rows` rows",
        setup: Setup::Dataset,
    },
    Workload {
        name: "join",
        about: "two-table join through a secondary index",
        setup: Setup::Dataset,
    },
    Workload {
        name: "group_by",
        about: "GROUP BY with 1,000 groups",
        setup: Setup::Dataset,
    },
    Workload {
        name: "wal_autocommit",
        about: "`autocommit` single-row autocommit inserts, WAL, synchronous=NORMAL, file",
        setup: Setup::FreshWalFile,
    },
    Workload {
        name: "open_schema",
        about: "open a database of `tables` tables and run a first query",
        setup: Setup::SchemaFile,
    },
];

pub const SCHEMA: &str =
    "CREATE TABLE t(id INTEGER PRIMARY KEY, k INTEGER, g INTEGER, v REAL, s TEXT);
CREATE INDEX t_k ON t(k);
CREATE TABLE u(id INTEGER PRIMARY KEY, tk INTEGER, w INTEGER);";

pub const INSERT_T: &str = "INSERT INTO t VALUES(?1, ?2, ?3, ?4, ?5)";
pub const INSERT_U: &str = "INSERT INTO u VALUES(?1, ?2, ?3)";
pub const POINT_ROWID: &str = "SELECT s, v FROM t WHERE id = ?1";
pub const POINT_INDEX: &str = "SELECT id, s FROM t WHERE k = ?1";
pub const SCAN_AGG: &str =
    "SELECT count(*), sum(v), min(s) FROM t WHERE g BETWEEN 100 AND 599 AND v > 500.0";
pub const ORDER_BY: &str = "SELECT id, v FROM t ORDER BY v DESC, id";
pub const JOIN: &str = "SELECT count(*), sum(t.v + u.w), max(t.s) FROM u JOIN t ON t.k = u.tk";
pub const GROUP_BY: &str = "SELECT g, count(*), sum(v), max(s) FROM t GROUP BY g";
pub const WAL_SETUP: &str = "PRAGMA journal_mode=WAL;
CREATE TABLE w(id INTEGER PRIMARY KEY, a INTEGER, b TEXT)";
pub const WAL_PRAGMAS: &str = "PRAGMA journal_mode=WAL;
PRAGMA synchronous=NORMAL";
pub const INSERT_W: &str = "INSERT INTO w(a, b) VALUES(?1, ?2)";

/// The unique secondary key of row `id`: multiplication by an odd constant is a bijection
/// modulo 2^32, so keys never repeat and come in scrambled order.
pub fn key_of(id: usize) -> i64 {
    ((id as u64).wrapping_mul(2_654_435_761) & 0xffff_ffff) as i64
}

/// The parameters of `INSERT_T` for row `i` (0-based).
pub fn t_row(i: usize, p: &mut Vec<Param>) {
    let id = i + 1;
    let k = key_of(id);
    p.push(Param::Int(id as i64));
    p.push(Param::Int(k));
    p.push(Param::Int(id as i64 % GROUPS));
    p.push(Param::Real((id % 9973) as f64 * 0.25));
    p.push(Param::Text(format!("row {k:08x}")));
}

/// The parameters of `INSERT_U` for row `i`: every tenth row of `t`, by key.
pub fn u_row(i: usize, rows: usize, p: &mut Vec<Param>) {
    let id = i + 1;
    p.push(Param::Int(id as i64));
    p.push(Param::Int(key_of((id * 7919) % rows + 1)));
    p.push(Param::Int(id as i64 % 100));
}

/// A spread of rowids for the point lookups (7919 is prime, so no stride pattern repeats
/// within the table unless `rows` is a multiple of it).
pub fn probe(i: usize, rows: usize) -> usize {
    (i * 7919) % rows + 1
}

pub fn w_row(i: usize, p: &mut Vec<Param>) {
    p.push(Param::Int(i as i64));
    p.push(Param::Text(format!("autocommit row {i}")));
}

/// `CREATE TABLE` statements for the schema workload.
pub fn many_tables(n: usize) -> String {
    (0..n)
        .map(|i| format!("CREATE TABLE t{i}(a INTEGER PRIMARY KEY, b TEXT, c REAL);\n"))
        .collect()
}

pub fn schema_probe(n: usize) -> String {
    format!("SELECT count(*) FROM t{}", n.saturating_sub(1))
}

/// Fills an empty database with the dataset (one transaction per table).
pub fn build_dataset(db: &dyn Db, sizes: Sizes) -> Result<()> {
    db.batch(SCHEMA)?;
    insert_rows(db, sizes)?;
    db.batch("BEGIN")?;
    let u_rows = sizes.rows / 10;
    db.repeat(INSERT_U, u_rows, &mut |i, p| u_row(i, sizes.rows, p))?;
    db.batch("COMMIT")
}

fn insert_rows(db: &dyn Db, sizes: Sizes) -> Result<Fingerprint> {
    db.batch("BEGIN")?;
    let fp = db.repeat(INSERT_T, sizes.rows, &mut t_row)?;
    db.batch("COMMIT")?;
    Ok(fp)
}

/// The timed part of workload `name` through the API on the database its `Setup` prepared
/// (all but `open_schema`, which opens its own: `open_and_probe`).
pub fn run_api(name: &str, db: &dyn Db, sizes: Sizes) -> Result<Fingerprint> {
    let rows = sizes.rows;
    let once = |sql: &str| db.repeat(sql, 1, &mut |_, _| {});
    match name {
        "insert" => insert_rows(db, sizes),
        "point_rowid" => db.repeat(POINT_ROWID, sizes.lookups, &mut |i, p| {
            p.push(Param::Int(probe(i, rows) as i64));
        }),
        "point_index" => db.repeat(POINT_INDEX, sizes.lookups, &mut |i, p| {
            p.push(Param::Int(key_of(probe(i, rows))));
        }),
        "scan_agg" => once(SCAN_AGG),
        "order_by" => once(ORDER_BY),
        "join" => once(JOIN),
        "group_by" => once(GROUP_BY),
        "wal_autocommit" => db.repeat(INSERT_W, sizes.autocommit, &mut w_row),
        other => Err(format!("no API run for workload {other}")),
    }
}

/// `open_schema`'s timed part: open the file and run the first query. The connection is
/// returned so that closing it stays out of the timing.
pub fn open_and_probe(
    open: crate::OpenFile,
    file: &Path,
    sizes: Sizes,
) -> Result<(Box<dyn Db>, Fingerprint)> {
    let db = open(file)?;
    let fp = db.repeat(&schema_probe(sizes.tables), 1, &mut |_, _| {})?;
    Ok((db, fp))
}
