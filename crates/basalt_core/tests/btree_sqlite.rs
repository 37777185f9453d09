//! B-trees against real SQLite: Basalt reads every row and index entry of files SQLite wrote, and
//! files Basalt wrote after a long random workload pass SQLite's `PRAGMA integrity_check` and hold
//! exactly the model's rows. Also compares fill factors (page counts for the same content).

use basalt_core::btree::{create_tree, freelist_pages, verify_tree, Cursor, SeekOp, TreeKind};
use basalt_core::io::FileIo;
use basalt_core::pager::{Pager, PagerOptions};
use basalt_core::record::{decode_record, encode_record, KeyInfo, Value, ValueRef};
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use rusqlite::Connection;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

fn temp_path(name: &str) -> String {
    let path = std::env::temp_dir().join(format!("basalt-btree-{}-{name}.db", std::process::id()));
    let path = path.to_str().unwrap().to_string();
    let _ = std::fs::remove_file(&path);
    let _ = std::fs::remove_file(format!("{path}-journal"));
    path
}

fn open(path: &str, page_size: usize, read_only: bool) -> Pager {
    let options = PagerOptions {
        page_size,
        read_only,
        ..PagerOptions::default()
    };
    Pager::open(Arc::new(FileIo), path, &options).unwrap()
}

fn to_basalt(value: rusqlite::types::Value) -> Value {
    use rusqlite::types::Value as V;
    match value {
        V::Null => Value::Null,
        V::Integer(i) => Value::Integer(i),
        V::Real(r) => Value::Real(r),
        V::Text(t) => Value::Text(t.into_bytes()),
        V::Blob(b) => Value::Blob(b),
    }
}

fn sqlite_rows(conn: &Connection, sql: &str) -> Vec<Vec<Value>> {
    let mut stmt = conn.prepare(sql).unwrap();
    let columns = stmt.column_count();
    let rows = stmt.query_map([], |row| {
        (0..columns)
            .map(|i| row.get::<_, rusqlite::types::Value>(i))
            .collect::<rusqlite::Result<Vec<_>>>()
    });
    rows.unwrap()
        .map(|r| r.unwrap().into_iter().map(to_basalt).collect())
        .collect()
}

/// Root pages by name, read through Basalt's cursor on the schema table.
fn schema_roots(pager: &mut Pager) -> HashMap<String, u32> {
    let mut cursor = Cursor::new_table(1);
    let mut roots = HashMap::new();
    let mut payload = Vec::new();
    let mut on = cursor.first(pager).unwrap();
    while on {
        cursor.payload(pager, &mut payload).unwrap();
        let row = decode_record(&payload).unwrap();
        if let (Value::Text(name), Value::Integer(root)) = (&row[1], &row[3]) {
            if *root != 0 {
                roots.insert(String::from_utf8(name.clone()).unwrap(), *root as u32);
            }
        }
        on = cursor.next(pager).unwrap();
    }
    roots
}

/// Every entry of a tree in order: (rowid, decoded record); rowid 0 for index trees.
fn basalt_entries(pager: &mut Pager, mut cursor: Cursor) -> Vec<(i64, Vec<Value>)> {
    let mut entries = Vec::new();
    let mut payload = Vec::new();
    let mut on = cursor.first(pager).unwrap();
    while on {
        cursor.payload(pager, &mut payload).unwrap();
        let rowid = if cursor.is_table() { cursor.rowid() } else { 0 };
        entries.push((rowid, decode_record(&payload).unwrap()));
        on = cursor.next(pager).unwrap();
    }
    assert_eq!(cursor.count(pager).unwrap(), entries.len() as u64);
    entries
}

fn write_with_sqlite(path: &str, page_size: usize, seed: u64) {
    let mut rng = SmallRng::seed_from_u64(seed);
    let conn = Connection::open(path).unwrap();
    conn.execute_batch(&format!(
        "PRAGMA page_size={page_size}; PRAGMA auto_vacuum=0; PRAGMA journal_mode=DELETE;
         CREATE TABLE t(a, b); CREATE INDEX ti ON t(a, b);
         CREATE TABLE w(k TEXT PRIMARY KEY, v) WITHOUT ROWID;"
    ))
    .unwrap();
    conn.execute_batch("BEGIN").unwrap();
    for i in 0..3000i64 {
        let len = if i % 25 == 0 {
            rng.gen_range(page_size..page_size * 3)
        } else {
            rng.gen_range(0..200)
        };
        let blob: Vec<u8> = (0..len).map(|_| rng.gen()).collect();
        let a: rusqlite::types::Value = match i % 5 {
            0 => rusqlite::types::Value::Null,
            1 => rusqlite::types::Value::Text(format!("text {}", rng.gen_range(0..500))),
            2 => rusqlite::types::Value::Real(rng.gen_range(-10.0..10.0)),
            _ => rusqlite::types::Value::Integer(rng.gen_range(-100..100)),
        };
        let short = &blob[..blob.len().min(300 + (i as usize % 7) * 200)];
        conn.execute(
            "INSERT INTO t(rowid, a, b) VALUES (?1, ?2, ?3)",
            rusqlite::params![i * 3, a, short],
        )
        .unwrap();
        conn.execute(
            "INSERT OR REPLACE INTO w(k, v) VALUES (?1, ?2)",
            rusqlite::params![format!("key{}", rng.gen_range(0..2500)), blob],
        )
        .unwrap();
    }
    conn.execute_batch(
        "COMMIT; DELETE FROM t WHERE rowid % 7 = 0; DELETE FROM w WHERE k LIKE 'key1%';",
    )
    .unwrap();
}

fn read_sqlite_file(page_size: usize) {
    let path = temp_path(&format!("read{page_size}"));
    write_with_sqlite(&path, page_size, page_size as u64);
    let conn = Connection::open(&path).unwrap();
    let mut pager = open(&path, page_size, true);
    assert_eq!(pager.page_size(), page_size);
    let roots = schema_roots(&mut pager);

    let rows = basalt_entries(&mut pager, Cursor::new_table(roots["t"]));
    let expected = sqlite_rows(&conn, "SELECT rowid, a, b FROM t ORDER BY rowid");
    assert_eq!(rows.len(), expected.len());
    for ((rowid, record), row) in rows.iter().zip(&expected) {
        assert_eq!(Value::Integer(*rowid), row[0]);
        assert!(record[..] == row[1..], "row {rowid}");
    }
    let index = basalt_entries(
        &mut pager,
        Cursor::new_index(roots["ti"], KeyInfo::binary(3)),
    );
    let expected = sqlite_rows(&conn, "SELECT a, b, rowid FROM t ORDER BY a, b, rowid");
    assert!(
        index
            .iter()
            .map(|(_, r)| r.clone())
            .eq(expected.into_iter()),
        "index ti"
    );
    let without_rowid = basalt_entries(
        &mut pager,
        Cursor::new_index(roots["w"], KeyInfo::binary(1)),
    );
    let expected = sqlite_rows(&conn, "SELECT k, v FROM w ORDER BY k");
    assert!(
        without_rowid
            .iter()
            .map(|(_, r)| r.clone())
            .eq(expected.into_iter()),
        "WITHOUT ROWID w"
    );

    verify_tree(&mut pager, roots["t"], None).unwrap();
    verify_tree(&mut pager, roots["ti"], Some(&KeyInfo::binary(3))).unwrap();
    verify_tree(&mut pager, roots["w"], Some(&KeyInfo::binary(1))).unwrap();
    let free: i64 = conn
        .query_row("PRAGMA freelist_count", [], |r| r.get(0))
        .unwrap();
    assert!(free > 0, "the deletes left free pages");
    assert_eq!(freelist_pages(&mut pager).unwrap().len() as i64, free);

    // Point seeks on SQLite's tree.
    let mut cursor = Cursor::new_table(roots["t"]);
    for (rowid, _) in rows.iter().step_by(37) {
        assert!(cursor.seek_rowid(&mut pager, *rowid, SeekOp::Eq).unwrap());
        assert!(!cursor
            .seek_rowid(&mut pager, rowid + 1, SeekOp::Eq)
            .unwrap());
        assert!(cursor
            .seek_rowid(&mut pager, rowid + 1, SeekOp::Le)
            .unwrap());
        assert_eq!(cursor.rowid(), *rowid);
    }
    drop(conn);
    let _ = std::fs::remove_file(&path);
}

#[test]
fn reads_sqlite_files_512() {
    read_sqlite_file(512);
}

#[test]
fn reads_sqlite_files_1024() {
    read_sqlite_file(1024);
}

#[test]
fn reads_sqlite_files_4096() {
    read_sqlite_file(4096);
}

#[test]
fn reads_sqlite_files_65536() {
    read_sqlite_file(65536);
}

fn text(s: &str) -> ValueRef<'_> {
    ValueRef::Text(s.as_bytes())
}

/// A new database with schema rows for `t(a, b)` and index `ti ON t(a)`; returns their roots.
fn create_schema(pager: &mut Pager) -> (u32, u32) {
    pager.begin_write().unwrap();
    let table = create_tree(pager, TreeKind::Table).unwrap();
    let index = create_tree(pager, TreeKind::Index).unwrap();
    let mut schema = Cursor::new_table(1);
    let rows = [
        ("table", "t", table, "CREATE TABLE t(a, b)"),
        ("index", "ti", index, "CREATE INDEX ti ON t(a)"),
    ];
    for (rowid, (kind, name, root, sql)) in rows.into_iter().enumerate() {
        let mut record = Vec::new();
        encode_record(
            &[
                text(kind),
                text(name),
                text("t"),
                ValueRef::Integer(root as i64),
                text(sql),
            ],
            &mut record,
        );
        schema.insert_row(pager, rowid as i64 + 1, &record).unwrap();
    }
    // The schema cookie tells SQLite the schema changed since the file was created.
    let page_one = pager.get_now(1).unwrap();
    pager.make_writable(&page_one).unwrap();
    page_one.data_mut()[40..44].copy_from_slice(&1u32.to_be_bytes());
    drop(page_one);
    pager.commit().unwrap();
    (table, index)
}

fn row_record(a: i64, b: &[u8]) -> Vec<u8> {
    let mut record = Vec::new();
    encode_record(&[ValueRef::Integer(a), ValueRef::Blob(b)], &mut record);
    record
}

fn index_record(a: i64, rowid: i64) -> Vec<u8> {
    let mut record = Vec::new();
    encode_record(
        &[ValueRef::Integer(a), ValueRef::Integer(rowid)],
        &mut record,
    );
    record
}

struct Workload {
    rng: SmallRng,
    model: BTreeMap<i64, (i64, Vec<u8>)>,
    rows: Cursor,
    keys: Cursor,
    page_size: usize,
}

impl Workload {
    fn blob(&mut self) -> Vec<u8> {
        let len = match self.rng.gen_range(0..100) {
            0 => self.rng.gen_range(self.page_size..self.page_size * 4),
            1..=5 => self.rng.gen_range(200..self.page_size),
            6..=8 => 0,
            _ => self.rng.gen_range(1..60),
        };
        let fill = self.rng.gen::<u8>();
        (0..len).map(|i| fill.wrapping_add(i as u8)).collect()
    }

    fn remove_index_entry(&mut self, pager: &mut Pager, a: i64, rowid: i64) {
        let found = self
            .keys
            .seek_index(
                pager,
                &[ValueRef::Integer(a), ValueRef::Integer(rowid)],
                SeekOp::Eq,
            )
            .unwrap();
        assert!(found, "index entry ({a}, {rowid})");
        self.keys.delete(pager).unwrap();
    }

    fn step(&mut self, pager: &mut Pager, next_rowid: &mut i64) {
        let existing = {
            let probe = self.rng.gen_range(0..*next_rowid + 1);
            self.model.range(probe..).next().map(|(k, v)| (*k, v.0))
        };
        match (self.rng.gen_range(0..10), existing) {
            (0..=2, Some((rowid, a))) => {
                assert!(self.rows.seek_rowid(pager, rowid, SeekOp::Eq).unwrap());
                self.rows.delete(pager).unwrap();
                self.remove_index_entry(pager, a, rowid);
                self.model.remove(&rowid);
            }
            (3..=4, Some((rowid, old_a))) => {
                let (a, b) = (self.rng.gen_range(0..1000), self.blob());
                self.rows
                    .insert_row(pager, rowid, &row_record(a, &b))
                    .unwrap();
                self.remove_index_entry(pager, old_a, rowid);
                self.keys
                    .insert_index(pager, &index_record(a, rowid))
                    .unwrap();
                self.model.insert(rowid, (a, b));
            }
            _ => {
                // Mostly appends, sometimes a rowid in a gap.
                let rowid = if self.rng.gen_bool(0.7) {
                    *next_rowid += 1;
                    *next_rowid
                } else {
                    self.rng.gen_range(1..*next_rowid + 2)
                };
                if let Some((old_a, _)) = self.model.get(&rowid).cloned() {
                    self.remove_index_entry(pager, old_a, rowid);
                }
                *next_rowid = (*next_rowid).max(rowid);
                let (a, b) = (self.rng.gen_range(0..1000), self.blob());
                self.rows
                    .insert_row(pager, rowid, &row_record(a, &b))
                    .unwrap();
                self.keys
                    .insert_index(pager, &index_record(a, rowid))
                    .unwrap();
                self.model.insert(rowid, (a, b));
            }
        }
    }
}

fn write_and_check_with_sqlite(page_size: usize, transactions: usize, ops_per_transaction: usize) {
    let path = temp_path(&format!("write{page_size}"));
    let mut pager = open(&path, page_size, false);
    let (table, index) = create_schema(&mut pager);
    let mut work = Workload {
        rng: SmallRng::seed_from_u64(page_size as u64 + 7),
        model: BTreeMap::new(),
        rows: Cursor::new_table(table),
        keys: Cursor::new_index(index, KeyInfo::binary(2)),
        page_size,
    };
    let mut next_rowid = 0;
    for _ in 0..transactions {
        pager.begin_write().unwrap();
        for _ in 0..ops_per_transaction {
            work.step(&mut pager, &mut next_rowid);
        }
        pager.commit().unwrap();
    }
    // A mass delete through a scan: merges at every level and a freelist of several trunks.
    pager.begin_write().unwrap();
    let mut on = work.rows.first(&mut pager).unwrap();
    while on {
        let rowid = work.rows.rowid();
        if rowid % 5 != 0 {
            work.rows.delete(&mut pager).unwrap();
            let (a, _) = work.model.remove(&rowid).unwrap();
            work.remove_index_entry(&mut pager, a, rowid);
        }
        on = work.rows.next(&mut pager).unwrap();
    }
    pager.commit().unwrap();
    let basalt_free = freelist_pages(&mut pager).unwrap().len() as i64;
    let stats = verify_tree(&mut pager, table, None).unwrap();
    eprintln!(
        "page size {page_size}: {} rows, table depth {}, {} table pages, {} overflow pages, {} free, {} total",
        work.model.len(),
        stats.depth,
        stats.tree_pages,
        stats.overflow_pages,
        basalt_free,
        pager.page_count()
    );
    drop(pager);

    let conn = Connection::open(&path).unwrap();
    let check: Vec<String> = conn
        .prepare("PRAGMA integrity_check")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(|r| r.unwrap())
        .collect();
    assert_eq!(
        check,
        vec!["ok".to_string()],
        "integrity_check of the file Basalt wrote"
    );
    let rows = sqlite_rows(&conn, "SELECT rowid, a, b FROM t ORDER BY rowid");
    assert_eq!(rows.len(), work.model.len());
    for (row, (rowid, (a, b))) in rows.iter().zip(&work.model) {
        assert!(
            row[..]
                == [
                    Value::Integer(*rowid),
                    Value::Integer(*a),
                    Value::Blob(b.clone())
                ],
            "row {rowid}"
        );
    }
    let by_index = sqlite_rows(
        &conn,
        "SELECT a, rowid FROM t INDEXED BY ti WHERE a >= 0 ORDER BY a, rowid",
    );
    let mut expected: Vec<(i64, i64)> = work.model.iter().map(|(r, (a, _))| (*a, *r)).collect();
    expected.sort_unstable();
    assert!(by_index
        .iter()
        .map(|r| (r[0].clone(), r[1].clone()))
        .eq(expected
            .iter()
            .map(|&(a, r)| (Value::Integer(a), Value::Integer(r)))));
    let free: i64 = conn
        .query_row("PRAGMA freelist_count", [], |r| r.get(0))
        .unwrap();
    assert_eq!(free, basalt_free);
    drop(conn);
    let _ = std::fs::remove_file(&path);
}

/// 100,000 operations (inserts, deletes, updates with index maintenance) in four transactions.
#[test]
fn sqlite_accepts_what_basalt_writes_4096() {
    write_and_check_with_sqlite(4096, 4, 25_000);
}

#[test]
fn sqlite_accepts_what_basalt_writes_512() {
    write_and_check_with_sqlite(512, 3, 8_000);
}

#[test]
fn sqlite_accepts_what_basalt_writes_65536() {
    write_and_check_with_sqlite(65536, 2, 5_000);
}

/// Page counts for the same rows inserted in the same order by SQLite and by Basalt.
fn page_counts(page_size: usize, rowids: &[i64], payload_len: usize) -> (u32, u32) {
    let sqlite_path = temp_path(&format!(
        "fill-sqlite-{page_size}-{payload_len}-{}",
        rowids.len()
    ));
    let conn = Connection::open(&sqlite_path).unwrap();
    conn.execute_batch(&format!(
        "PRAGMA page_size={page_size}; CREATE TABLE t(a, b); CREATE INDEX ti ON t(a); BEGIN;"
    ))
    .unwrap();
    for &rowid in rowids {
        conn.execute(
            "INSERT INTO t(rowid, a, b) VALUES (?1, ?1, ?2)",
            rusqlite::params![rowid, vec![7u8; payload_len]],
        )
        .unwrap();
    }
    conn.execute_batch("COMMIT").unwrap();
    let sqlite_pages: u32 = conn
        .query_row("PRAGMA page_count", [], |r| r.get(0))
        .unwrap();
    drop(conn);

    let basalt_path = temp_path(&format!(
        "fill-basalt-{page_size}-{payload_len}-{}",
        rowids.len()
    ));
    let mut pager = open(&basalt_path, page_size, false);
    let (table, index) = create_schema(&mut pager);
    pager.begin_write().unwrap();
    let mut rows = Cursor::new_table(table);
    let mut keys = Cursor::new_index(index, KeyInfo::binary(2));
    for &rowid in rowids {
        let mut record = Vec::new();
        encode_record(
            &[
                ValueRef::Integer(rowid),
                ValueRef::Blob(&vec![7u8; payload_len]),
            ],
            &mut record,
        );
        rows.insert_row(&mut pager, rowid, &record).unwrap();
        keys.insert_index(&mut pager, &index_record(rowid, rowid))
            .unwrap();
    }
    pager.commit().unwrap();
    let basalt_pages = pager.page_count();
    drop(pager);
    for path in [sqlite_path, basalt_path] {
        let _ = std::fs::remove_file(path);
    }
    (sqlite_pages, basalt_pages)
}

#[test]
fn fill_factor_matches_sqlite() {
    let sequential: Vec<i64> = (1..=20_000).collect();
    let mut random = sequential.clone();
    let mut rng = SmallRng::seed_from_u64(5);
    for i in (1..random.len()).rev() {
        random.swap(i, rng.gen_range(0..=i));
    }
    for (name, order) in [("sequential", &sequential), ("random", &random)] {
        let (sqlite, basalt) = page_counts(4096, order, 100);
        eprintln!("fill factor, {name} inserts of 20,000 rows: SQLite {sqlite} pages, Basalt {basalt} pages");
        assert!(
            basalt as f64 <= sqlite as f64 * 1.10,
            "{name}: Basalt {basalt} pages vs SQLite {sqlite}"
        );
    }
}
