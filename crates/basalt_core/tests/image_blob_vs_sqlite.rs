//! Page images and blob I/O (`connection/image.rs`, `connection/blob.rs`,
//! `Cursor::overwrite_payload`) against SQLite (rusqlite, bundled 3.54.1): images Basalt takes
//! open in SQLite with the same rows and a clean `integrity_check`; images SQLite writes load
//! into Basalt; bytes overwritten in place (local part and overflow chain) read back in SQLite
//! as the value SQLite's own `UPDATE` with the same bytes stores.

use basalt_core::connection::{Connection, TxnState};
use basalt_core::record::Value;
use basalt_core::schema::Db;
use basalt_core::ErrorCode;
use std::path::PathBuf;

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("basalt-image-blob-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("scratch dir");
    let path = dir.join(name);
    let _ = std::fs::remove_file(&path);
    path
}

/// Rows of a query in SQLite, as text.
fn sqlite_rows(conn: &rusqlite::Connection, sql: &str) -> Vec<String> {
    let mut stmt = conn.prepare(sql).expect("prepare");
    let n = stmt.column_count();
    let rows = stmt
        .query_map([], |row| {
            let cells: Vec<String> = (0..n)
                .map(|i| text(row.get_ref(i).expect("cell")))
                .collect();
            Ok(cells.join("|"))
        })
        .expect("query");
    rows.map(|r| r.expect("row")).collect()
}

fn text(v: rusqlite::types::ValueRef<'_>) -> String {
    use rusqlite::types::ValueRef as V;
    match v {
        V::Null => "NULL".into(),
        V::Integer(i) => i.to_string(),
        V::Real(r) => r.to_string(),
        V::Text(t) => String::from_utf8_lossy(t).into_owned(),
        V::Blob(b) => format!("x{}", b.len()),
    }
}

fn ours_one(conn: &Connection, sql: &str) -> Value {
    let mut stmt = conn.prepare(sql).expect("prepare");
    assert!(stmt.step_blocking().expect("step"), "no row for {sql}");
    stmt.column_value(0).clone()
}

const FILL: &str =
    "CREATE TABLE t(a INTEGER PRIMARY KEY, b TEXT, c BLOB); CREATE INDEX tb ON t(b);";

fn fill_ours(conn: &Connection) {
    conn.execute_batch(FILL).expect("schema");
    conn.execute_batch("BEGIN").expect("begin");
    for i in 1..=300 {
        conn.execute_batch(&format!(
            "INSERT INTO t VALUES({i}, printf('%050d', {i}), zeroblob({}))",
            if i % 50 == 0 { 9000 } else { 10 }
        ))
        .expect("insert");
    }
    conn.execute_batch("COMMIT").expect("commit");
}

#[test]
fn an_image_of_a_basalt_database_opens_in_sqlite() {
    let ours = Connection::open(":memory:").expect("open");
    fill_ours(&ours);
    let image = ours.main_image().expect("image");
    let (page_size, pages, _) = ours.main_geometry().expect("geometry");
    assert_eq!(image.len(), page_size * pages as usize);
    let path = scratch("from-basalt.db");
    std::fs::write(&path, &image).expect("write image");
    let sqlite = rusqlite::Connection::open(&path).expect("sqlite opens");
    assert_eq!(sqlite_rows(&sqlite, "PRAGMA integrity_check"), ["ok"]);
    assert_eq!(
        sqlite_rows(&sqlite, "SELECT count(*), sum(a), sum(length(c)) FROM t"),
        ["300|45150|56940"]
    );
    // Pages one at a time make the same image.
    let pieces: Vec<u8> = (1..=pages)
        .flat_map(|p| ours.main_pages(p, 1).expect("page"))
        .collect();
    assert_eq!(pieces, image);
}

#[test]
fn an_image_written_by_sqlite_loads_and_can_be_written_back() {
    let path = scratch("from-sqlite.db");
    {
        let sqlite = rusqlite::Connection::open(&path).expect("sqlite");
        sqlite
            .execute_batch(
                "CREATE TABLE s(x, y); INSERT INTO s VALUES(1, 'one'), (2, randomblob(5000));",
            )
            .expect("fill");
    }
    let image = std::fs::read(&path).expect("read");
    let ours = Connection::open(":memory:").expect("open");
    ours.load_image(image.clone(), false).expect("load");
    assert!(ours.main_file().as_os_str().is_empty());
    assert_eq!(ours_one(&ours, "SELECT count(*) FROM s"), Value::Integer(2));
    ours.execute_batch("INSERT INTO s VALUES(3, 'three')")
        .expect("writable");
    // Read-only images refuse writes.
    let read_only = Connection::open(":memory:").expect("open");
    read_only.load_image(image, true).expect("load");
    assert!(read_only.main_read_only());
    let err = read_only
        .execute_batch("INSERT INTO s VALUES(4, 'x')")
        .expect_err("read-only");
    assert_eq!(err.code, ErrorCode::ReadOnly);

    // Back into an empty file database, through the pager.
    let back = scratch("written-back.db");
    let dest = Connection::open(back.to_str().expect("utf-8")).expect("open file");
    dest.write_image(&ours.main_image().expect("image"))
        .expect("write image");
    assert_eq!(ours_one(&dest, "SELECT count(*) FROM s"), Value::Integer(3));
    drop(dest);
    let sqlite = rusqlite::Connection::open(&back).expect("sqlite");
    assert_eq!(sqlite_rows(&sqlite, "PRAGMA integrity_check"), ["ok"]);
    assert_eq!(
        sqlite_rows(&sqlite, "SELECT y FROM s WHERE x = 3"),
        ["three"]
    );
}

#[test]
fn an_image_is_not_loaded_inside_a_transaction() {
    let ours = Connection::open(":memory:").expect("open");
    fill_ours(&ours);
    let image = ours.main_image().expect("image");
    ours.execute_batch("BEGIN; SELECT count(*) FROM t")
        .expect("begin");
    assert_eq!(
        ours.load_image(image, false).expect_err("busy").code,
        ErrorCode::Busy
    );
    assert_eq!(ours.transaction_state(Db::Main), TxnState::Read);
    ours.execute_batch("INSERT INTO t(b) VALUES('x')")
        .expect("insert");
    assert_eq!(ours.transaction_state(Db::Main), TxnState::Write);
}

#[test]
fn blob_writes_match_sqlite_updates() {
    let path = scratch("blob.db");
    let ours = Connection::open(path.to_str().expect("utf-8")).expect("open");
    fill_ours(&ours);
    // Row 50 has a 9000-byte blob: its bytes span the cell and its overflow chain.
    let mut blob = ours.open_blob(None, "t", "c", 50, true).expect("open blob");
    assert_eq!(blob.len(), 9000);
    let patch: Vec<u8> = (0..3000u32).map(|i| (i % 251) as u8).collect();
    blob.write(2500, &patch).expect("write");
    blob.write(0, b"head").expect("write head");
    let mut back = vec![0; 3000];
    blob.read(2500, &mut back).expect("read");
    assert_eq!(back, patch);
    assert_eq!(
        blob.write(8999, b"xy").expect_err("past end").code,
        ErrorCode::Error
    );
    drop(blob);

    let mut expected = vec![0u8; 9000];
    expected[2500..5500].copy_from_slice(&patch);
    expected[..4].copy_from_slice(b"head");
    let sqlite = rusqlite::Connection::open(&path).expect("sqlite");
    assert_eq!(sqlite_rows(&sqlite, "PRAGMA integrity_check"), ["ok"]);
    let stored: Vec<u8> = sqlite
        .query_row("SELECT c FROM t WHERE a = 50", [], |r| r.get(0))
        .expect("value");
    assert_eq!(stored, expected);
}

/// Each refusal is SQLITE_ERROR; the messages are compared with SQLite's by the C API's
/// differential test (`basalt_capi/tests/c/ext_test.c`), where `sqlite3_blob_open` exists.
#[test]
fn blob_open_refuses_what_sqlite_refuses() {
    let ours = Connection::open(":memory:").expect("open");
    fill_ours(&ours);
    ours.execute_batch("INSERT INTO t(a) VALUES(1000)")
        .expect("null row");
    let cases = [
        ("nosuch", "c", 1, false),
        ("t", "nosuch", 1, false),
        ("t", "c", 999, false),
        ("t", "c", 1000, false),
        ("t", "a", 1, false),
        ("t", "b", 1, true),
    ];
    for (table, column, row, write) in cases {
        let err = ours
            .open_blob(Some(Db::Main), table, column, row, write)
            .err()
            .expect("refused");
        assert_eq!(
            err.code,
            ErrorCode::Error,
            "{table}.{column} row {row}: {err:?}"
        );
    }
    // A rollback expires a handle, as SQLite's ROLLBACK trips its cursor.
    let mut blob = ours.open_blob(None, "t", "c", 1, true).expect("open");
    ours.execute_batch("BEGIN").expect("begin");
    blob.write(0, b"z").expect("write in transaction");
    ours.execute_batch("ROLLBACK").expect("rollback");
    assert_eq!(
        blob.read(0, &mut [0]).expect_err("expired").code,
        ErrorCode::Abort
    );
    assert_eq!(
        ours_one(&ours, "SELECT hex(c) FROM t WHERE a = 1"),
        Value::Text(b"00000000000000000000".to_vec())
    );
}

#[test]
fn an_empty_database_images_as_one_page_sqlite_accepts() {
    let ours = Connection::open(":memory:").expect("open");
    let image = ours.main_image().expect("image");
    let (page_size, pages, _) = ours.main_geometry().expect("geometry");
    assert_eq!((image.len(), pages), (page_size, 0));
    let path = scratch("empty.db");
    std::fs::write(&path, &image).expect("write");
    let sqlite = rusqlite::Connection::open(&path).expect("sqlite");
    assert_eq!(sqlite_rows(&sqlite, "PRAGMA integrity_check"), ["ok"]);
    sqlite
        .execute_batch("CREATE TABLE t(a); INSERT INTO t VALUES(1)")
        .expect("usable");
}
