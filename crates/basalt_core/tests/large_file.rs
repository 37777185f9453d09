//! Databases past 1 GiB: the lock-byte page (the page holding file offset 2^30) is never used,
//! by SQLite or by Basalt, and rows on either side of it read back exactly.

use basalt_core::btree::{Cursor, SeekOp, TreeKind};
use basalt_core::io::FileIo;
use basalt_core::pager::{Pager, PagerOptions};
use basalt_core::record::{encode_record, RecordHeader, ValueRef};
use basalt_core::schema::{ObjectKind, Schema};
use std::sync::Arc;

const PAGE_SIZE: usize = 65536;
const ROW_BYTES: usize = 1_000_000;

/// A recognisable payload for row `id`, different on every row.
fn row_bytes(id: i64) -> Vec<u8> {
    (0..ROW_BYTES)
        .map(|i| (i as i64 * 31 + id * 7) as u8)
        .collect()
}

#[test]
fn rows_on_both_sides_of_the_lock_byte_page() {
    let dir = std::env::temp_dir().join(format!("basalt-large-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("large.db");
    let _ = std::fs::remove_file(&path);

    // SQLite fills the file to just below 1 GiB.
    let sqlite_rows = 1020i64;
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch(&format!("PRAGMA page_size = {PAGE_SIZE}; CREATE TABLE big(id INTEGER PRIMARY KEY, b BLOB); BEGIN;"))
            .unwrap();
        for id in 0..sqlite_rows {
            conn.execute(
                "INSERT INTO big VALUES (?1, ?2)",
                rusqlite::params![id, row_bytes(id)],
            )
            .unwrap();
        }
        conn.execute_batch("COMMIT").unwrap();
    }
    let size = std::fs::metadata(&path).unwrap().len();
    assert!(
        size < 1 << 30,
        "SQLite's part stays below the lock-byte page ({size} bytes)"
    );

    // Basalt appends past it.
    let path_str = path.to_str().unwrap();
    let mut pager = Pager::open(Arc::new(FileIo), path_str, &PagerOptions::default()).unwrap();
    let schema = Schema::load(&mut pager).unwrap();
    let root = schema.find("big").unwrap().root_page;
    pager.begin_write().unwrap();
    let mut cursor = Cursor::new_table(root);
    let mut record = Vec::new();
    for id in sqlite_rows..sqlite_rows + 100 {
        // The rowid alias column is stored as NULL in the record, as SQLite does.
        record.clear();
        encode_record(
            &[ValueRef::Null, ValueRef::Blob(&row_bytes(id))],
            &mut record,
        );
        cursor.insert_row(&mut pager, id, &record).unwrap();
    }
    let extra = Schema::create_object(
        &mut pager,
        ObjectKind::Table,
        TreeKind::Table,
        "after",
        "after",
        Some("CREATE TABLE after(x)"),
    )
    .unwrap();
    let mut after = Cursor::new_table(extra.root_page);
    for id in 1..=50i64 {
        record.clear();
        encode_record(&[ValueRef::Integer(id * id)], &mut record);
        after.insert_row(&mut pager, id, &record).unwrap();
    }
    pager.commit().unwrap();
    assert!(pager.page_count() as u64 * PAGE_SIZE as u64 > (1 << 30) + 50_000_000);

    // Basalt reads every row back, SQLite's and its own.
    let mut payload = Vec::new();
    let mut header = RecordHeader::new();
    let mut cursor = Cursor::new_table(root);
    let mut expected_id = 0;
    let mut on = cursor.first(&mut pager).unwrap();
    while on {
        assert_eq!(cursor.rowid(), expected_id);
        cursor.payload(&mut pager, &mut payload).unwrap();
        header.parse(&payload).unwrap();
        assert_eq!(
            header.column(&payload, 1).unwrap(),
            Some(ValueRef::Blob(&row_bytes(expected_id)))
        );
        expected_id += 1;
        on = cursor.next(&mut pager).unwrap();
    }
    assert_eq!(expected_id, sqlite_rows + 100);
    assert!(cursor.seek_rowid(&mut pager, 1100, SeekOp::Eq).unwrap());
    drop(pager);

    // SQLite agrees, and finds the file sound.
    let conn = rusqlite::Connection::open(&path).unwrap();
    let check: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(check, "ok");
    let mut count = 0;
    {
        let mut stmt = conn.prepare("SELECT id, b FROM big ORDER BY id").unwrap();
        let mut rows = stmt.query([]).unwrap();
        while let Some(row) = rows.next().unwrap() {
            let id: i64 = row.get(0).unwrap();
            let b: Vec<u8> = row.get(1).unwrap();
            assert!(b == row_bytes(id), "row {id} differs in SQLite");
            count += 1;
        }
    }
    assert_eq!(count, sqlite_rows + 100);
    let sum: i64 = conn
        .query_row("SELECT sum(x) FROM after", [], |r| r.get(0))
        .unwrap();
    assert_eq!(sum, (1..=50).map(|i| i * i).sum::<i64>());
    drop(conn);
    std::fs::remove_dir_all(&dir).unwrap();
}
