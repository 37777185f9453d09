//! Helpers shared by the `wal_*` tests: a table SQLite can read, rows in and out through both
//! engines, temporary paths.
#![allow(dead_code)]

use basalt_core::btree::{Cursor, SeekOp, TreeKind};
use basalt_core::io::{Io, MemoryIo};
use basalt_core::pager::{PageNo, Pager, PagerOptions};
use basalt_core::record::{decode_record, encode_record, Value, ValueRef};
use basalt_core::schema::{ObjectKind, Schema};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

pub type Rows = BTreeMap<i64, Vec<u8>>;

/// A fresh path in the temporary directory, with no companion files. The file sits directly in
/// the temporary directory (a per-process folder would outlive the run: no test knows it is the
/// last); callers remove it with `remove_db`.
pub fn temp_path(name: &str) -> String {
    static UNIQUE: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = UNIQUE.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let path: PathBuf =
        std::env::temp_dir().join(format!("basalt-wal-{}-{name}-{n}.db", std::process::id()));
    let path = path.to_str().unwrap().to_string();
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let _ = std::fs::remove_file(format!("{path}{suffix}"));
    }
    path
}

pub fn remove_db(path: &str) {
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let _ = std::fs::remove_file(format!("{path}{suffix}"));
    }
}

pub const CREATE_T: &str = "CREATE TABLE t(a INTEGER PRIMARY KEY, b)";

/// Create table `t` in its own transaction; returns its root page.
pub fn create_table(pager: &mut Pager) -> basalt_core::Result<PageNo> {
    pager.begin_write()?;
    let entry = match Schema::create_object(
        pager,
        ObjectKind::Table,
        TreeKind::Table,
        "t",
        "t",
        Some(CREATE_T),
    ) {
        Ok(entry) => entry,
        Err(e) => {
            pager.rollback();
            return Err(e);
        }
    };
    pager.commit()?;
    Ok(entry.root_page)
}

/// The root of `t`, if the table exists.
pub fn table_root(pager: &mut Pager) -> basalt_core::Result<Option<PageNo>> {
    pager.begin_read()?;
    if pager.page_count() == 0 {
        return Ok(None);
    }
    let schema = Schema::load(pager)?;
    Ok(schema.find("t").map(|e| e.root_page))
}

pub fn record(value: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    encode_record(&[ValueRef::Null, ValueRef::Blob(value)], &mut out);
    out
}

/// Insert (or replace) a row inside the open write transaction.
pub fn put(pager: &mut Pager, root: PageNo, id: i64, value: &[u8]) -> basalt_core::Result<()> {
    Cursor::new_table(root).insert_row(pager, id, &record(value))
}

/// Delete a row if present, inside the open write transaction; says whether it was there.
pub fn delete(pager: &mut Pager, root: PageNo, id: i64) -> basalt_core::Result<bool> {
    let mut cursor = Cursor::new_table(root);
    if cursor.seek_rowid(pager, id, SeekOp::Eq)? {
        cursor.delete(pager)?;
        return Ok(true);
    }
    Ok(false)
}

/// Every row of `t` through Basalt (an empty map when the table does not exist).
pub fn basalt_rows(pager: &mut Pager) -> basalt_core::Result<Rows> {
    let mut rows = Rows::new();
    let Some(root) = table_root(pager)? else {
        return Ok(rows);
    };
    let mut cursor = Cursor::new_table(root);
    let mut payload = Vec::new();
    let mut on = cursor.first(pager)?;
    while on {
        cursor.payload(pager, &mut payload)?;
        let values = decode_record(&payload)?;
        let value = match values.get(1) {
            Some(Value::Blob(b)) => b.clone(),
            Some(Value::Text(t)) => t.clone(),
            other => format!("{other:?}").into_bytes(),
        };
        rows.insert(cursor.rowid(), value);
        on = cursor.next(pager)?;
    }
    Ok(rows)
}

/// Every row of `t` through SQLite, or its error message.
pub fn sqlite_rows(conn: &rusqlite::Connection) -> Result<Rows, String> {
    let exists: i64 = conn
        .query_row(
            "SELECT count(*) FROM sqlite_schema WHERE name = 't'",
            [],
            |r| r.get(0),
        )
        .map_err(|e| e.to_string())?;
    let mut rows = Rows::new();
    if exists == 0 {
        return Ok(rows);
    }
    let mut stmt = conn
        .prepare("SELECT a, b FROM t ORDER BY a")
        .map_err(|e| e.to_string())?;
    let mut query = stmt.query([]).map_err(|e| e.to_string())?;
    while let Some(row) = query.next().map_err(|e| e.to_string())? {
        let value = match row.get_ref(1).map_err(|e| e.to_string())? {
            rusqlite::types::ValueRef::Blob(b) | rusqlite::types::ValueRef::Text(b) => b.to_vec(),
            other => format!("{other:?}").into_bytes(),
        };
        rows.insert(row.get(0).map_err(|e| e.to_string())?, value);
    }
    Ok(rows)
}

pub fn integrity(conn: &rusqlite::Connection) -> String {
    let rows: Vec<String> = conn
        .prepare("PRAGMA integrity_check")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(|r| r.unwrap())
        .collect();
    rows.join("\n")
}

/// Copy a database and its WAL out of a memory backend into real files, for SQLite.
pub fn export(io: &MemoryIo, name: &str, to: &str) {
    remove_db(to);
    if let Some(bytes) = io.file_bytes(name) {
        std::fs::write(to, bytes).unwrap();
    }
    if let Some(bytes) = io.file_bytes(format!("{name}-wal")) {
        std::fs::write(format!("{to}-wal"), bytes).unwrap();
    }
}

/// SQLite's verdict on a database (and WAL) kept in a memory backend: integrity and rows.
pub fn sqlite_view(io: &MemoryIo, name: &str, scratch: &str) -> (String, Rows) {
    export(io, name, scratch);
    let conn = rusqlite::Connection::open(scratch).unwrap();
    let check = integrity(&conn);
    let rows = sqlite_rows(&conn).unwrap();
    drop(conn);
    remove_db(scratch);
    (check, rows)
}

pub fn open(io: Arc<dyn Io>, path: &str, options: &PagerOptions) -> Pager {
    Pager::open(io, path, options).unwrap()
}

pub fn value_for(id: i64, big: bool) -> Vec<u8> {
    let len = if big { 3000 } else { 12 };
    (0..len)
        .map(|i| (id as u8).wrapping_mul(31).wrapping_add(i as u8))
        .collect()
}
