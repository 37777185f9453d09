//! The property checks that need more than one statement: reading a whole database through a
//! connection, Basalt's structural integrity check, and SQLite's verdict on a copy of the files.

use crate::workload::{Db, Table, Val};
use basalt_core::connection::Connection;
use basalt_core::integrity::{check_structure, DEFAULT_MAX_ERRORS};
use basalt_core::io::{Io, SimIo};
use basalt_core::pager::{Pager, PagerOptions};
use basalt_core::schema::Schema;
use basalt_core::vdbe::StepResult;
use basalt_core::{Error, Result};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// The database's path inside the simulated filesystem.
pub const DB_PATH: &str = "sim.db";

/// How many times in a row `step` may report pending I/O while the backend has nothing queued
/// before the simulator calls it a hang.
const MAX_IDLE_SPINS: u32 = 10_000;

/// Runs one statement to its end, driving the backend whenever it reports pending I/O.
/// `Ok(Err(text))` is a property violation found on the way (a value of a type the workload
/// never stores, or a statement that never finishes).
pub fn run_sql(
    io: &SimIo,
    conn: &Connection,
    sql: &str,
) -> Result<std::result::Result<Vec<Vec<Val>>, String>> {
    let mut stmt = conn.prepare(sql)?;
    let mut rows = Vec::new();
    let mut idle = 0;
    loop {
        match stmt.step()? {
            StepResult::Row => {
                let row: Option<Vec<Val>> = stmt.row().iter().map(Val::from_engine).collect();
                match row {
                    Some(row) => rows.push(row),
                    None => return Ok(Err(format!("unexpected value type in {:?}", stmt.row()))),
                }
            }
            StepResult::Done => return Ok(Ok(rows)),
            StepResult::IoPending => {
                let before = io.stats().ops;
                io.poll()?;
                io.wait()?;
                idle = if io.stats().ops == before {
                    idle + 1
                } else {
                    0
                };
                if idle > MAX_IDLE_SPINS {
                    return Ok(Err(format!("`{sql}` reports pending I/O forever")));
                }
            }
        }
    }
}

/// Every table's rows as `conn` sees them.
pub fn read_all(
    io: &SimIo,
    conn: &Connection,
    tables: &[Table],
) -> std::result::Result<Db, String> {
    let mut db = Db::new();
    for table in tables {
        let sql = format!("SELECT * FROM {} ORDER BY id", table.name);
        let rows = run_sql(io, conn, &sql)
            .map_err(|e| format!("reading {} failed: {e:?}", table.name))??;
        let mut map = crate::workload::Rows::new();
        for mut row in rows {
            let Some(Val::Int(id)) = row.first().cloned() else {
                return Err(format!(
                    "{}: row without an integer id: {row:?}",
                    table.name
                ));
            };
            row.remove(0);
            map.insert(id, row);
        }
        db.insert(table.name.clone(), map);
    }
    Ok(db)
}

/// Retries a restartable pager operation until it stops asking for I/O.
fn retry<T>(io: &SimIo, mut op: impl FnMut() -> Result<T>) -> Result<T> {
    loop {
        match op() {
            Err(e) if e.is_io_pending() => io.wait()?,
            other => return other,
        }
    }
}

/// Basalt's structural integrity check over every tree of the schema: `Ok` when clean.
pub fn basalt_integrity(io: &Arc<SimIo>) -> std::result::Result<(), String> {
    let run = || -> Result<Vec<String>> {
        let dyn_io: Arc<dyn Io> = io.clone();
        let mut pager = Pager::open(dyn_io, DB_PATH, &PagerOptions::default())?;
        let schema = retry(io, || Schema::load(&mut pager))?;
        let roots = retry(io, || schema.tree_roots(&mut pager))?;
        let messages = check_structure(&mut pager, &roots, DEFAULT_MAX_ERRORS)?;
        pager.close()?;
        Ok(messages)
    };
    match run() {
        Ok(messages) if messages.is_empty() => Ok(()),
        Ok(messages) => Err(format!("Basalt integrity check: {}", messages.join("; "))),
        Err(e) => Err(format!(
            "Basalt integrity check failed to run: {}",
            describe(&e)
        )),
    }
}

/// `PRAGMA integrity_check` through SQL, which also checks every index against its table. An
/// engine that does not know the pragma yet answers with no rows: nothing to check then.
pub fn integrity_pragma(io: &SimIo, conn: &Connection) -> std::result::Result<(), String> {
    let rows = run_sql(io, conn, "PRAGMA integrity_check")
        .map_err(|e| format!("PRAGMA integrity_check failed: {}", describe(&e)))??;
    let ok = rows.is_empty() || rows == [vec![Val::Text("ok".to_string())]];
    if ok {
        Ok(())
    } else {
        Err(format!("PRAGMA integrity_check: {rows:?}"))
    }
}

/// A scratch directory of this process for handing file copies to SQLite: in RAM when the
/// machine has a RAM disk, since SQLite's syncs on a real disk would dominate the run time.
fn scratch() -> PathBuf {
    let shm = std::path::Path::new("/dev/shm");
    let base = if shm.is_dir() {
        shm.to_path_buf()
    } else {
        std::env::temp_dir()
    };
    // Unique per call: test threads of one process check concurrently.
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    base.join(format!("basalt-sim-{}-{n}", std::process::id()))
}

/// Copies the database and its WAL (as they are now) out of the simulation, has SQLite check
/// them, and returns what SQLite sees in every table.
pub fn sqlite_view(io: &SimIo, tables: &[Table]) -> std::result::Result<Db, String> {
    let dir = scratch();
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).map_err(|e| format!("scratch dir: {e}"))?;
    let db_path = dir.join(DB_PATH);
    for (name, target) in [
        (DB_PATH.to_string(), db_path.clone()),
        (format!("{DB_PATH}-wal"), dir.join(format!("{DB_PATH}-wal"))),
    ] {
        if let Some(bytes) = io.file_bytes(&name) {
            std::fs::write(&target, bytes).map_err(|e| format!("copy {name}: {e}"))?;
        }
    }
    let result = sqlite_read(&db_path, tables);
    let _ = std::fs::remove_dir_all(&dir);
    result
}

fn sqlite_read(path: &std::path::Path, tables: &[Table]) -> std::result::Result<Db, String> {
    let sqlite_err = |e: rusqlite::Error| format!("SQLite: {e}");
    let conn = rusqlite::Connection::open(path).map_err(sqlite_err)?;
    let verdict: Vec<String> = conn
        .prepare("PRAGMA integrity_check")
        .and_then(|mut s| s.query_map([], |r| r.get(0))?.collect())
        .map_err(sqlite_err)?;
    if verdict != ["ok"] {
        return Err(format!("SQLite integrity_check: {}", verdict.join("; ")));
    }
    let mut db = Db::new();
    for table in tables {
        let mut stmt = conn
            .prepare(&format!("SELECT * FROM {} ORDER BY id", table.name))
            .map_err(sqlite_err)?;
        let mut rows = stmt.query([]).map_err(sqlite_err)?;
        let map = db.entry(table.name.clone()).or_default();
        while let Some(row) = rows.next().map_err(sqlite_err)? {
            let mut values = Vec::new();
            for i in 0..=table.columns.len() {
                let v = row.get_ref(i).map_err(sqlite_err)?;
                values.push(Val::from_sqlite(v).ok_or("SQLite: unexpected value type")?);
            }
            let Val::Int(id) = values.remove(0) else {
                return Err("SQLite: a row without an integer id".to_string());
            };
            map.insert(id, values);
        }
    }
    Ok(db)
}

/// An engine error in one line, with its detail.
pub fn describe(e: &Error) -> String {
    match &e.detail {
        Some(detail) => format!("{:?}: {} ({detail})", e.code, e.message),
        None => format!("{:?}: {}", e.code, e.message),
    }
}
