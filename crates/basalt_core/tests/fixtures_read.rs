//! Every row and index entry of the shared sample databases (written by SQLite) reads back
//! through Basalt's b-trees exactly as SQLite returns it.

use basalt_core::btree::Cursor;
use basalt_core::io::FileIo;
use basalt_core::pager::{Pager, PagerOptions};
use basalt_core::record::{decode_record, Value};
use basalt_core::schema::{ObjectKind, Schema};
use rusqlite::{Connection, OpenFlags};
use std::path::Path;
use std::sync::Arc;

mod fixtures_support;

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

/// The column that aliases the rowid (stored as NULL in records), if any, as SQLite reports it.
fn rowid_alias(conn: &Connection, table: &str) -> Option<usize> {
    let mut stmt = conn
        .prepare(&format!(
            "SELECT cid, type, pk FROM pragma_table_info('{table}')"
        ))
        .unwrap();
    let cols: Vec<(i64, String, i64)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .map(|r| r.unwrap())
        .collect();
    let pks: Vec<_> = cols.iter().filter(|c| c.2 > 0).collect();
    (pks.len() == 1 && pks[0].1.eq_ignore_ascii_case("INTEGER")).then(|| pks[0].0 as usize)
}

fn check_database(path: &Path) -> usize {
    let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
    let options = PagerOptions {
        read_only: true,
        ..PagerOptions::default()
    };
    let mut pager = Pager::open(Arc::new(FileIo), path.to_str().unwrap(), &options).unwrap();
    let schema = Schema::load(&mut pager).unwrap();
    let mut checked = 0;
    for entry in &schema.entries {
        let rowid_table = entry.kind == ObjectKind::Table
            && entry.root_page != 0
            && !entry
                .sql
                .as_deref()
                .unwrap_or("")
                .to_ascii_uppercase()
                .contains("WITHOUT ROWID");
        if !rowid_table || entry.name.starts_with("sqlite_") {
            continue;
        }
        let alias = rowid_alias(&conn, &entry.name);
        let mut stmt = conn
            .prepare(&format!(
                "SELECT rowid, * FROM \"{}\" ORDER BY rowid",
                entry.name
            ))
            .unwrap();
        let width = stmt.column_count();
        let expected: Vec<Vec<Value>> = stmt
            .query_map([], |r| {
                (0..width)
                    .map(|i| r.get::<_, rusqlite::types::Value>(i))
                    .collect::<rusqlite::Result<Vec<_>>>()
            })
            .unwrap()
            .map(|r| r.unwrap().into_iter().map(to_basalt).collect())
            .collect();
        let mut cursor = Cursor::new_table(entry.root_page);
        let mut payload = Vec::new();
        let mut rows = expected.iter();
        let mut on = cursor.first(&mut pager).unwrap();
        while on {
            let want = rows
                .next()
                .unwrap_or_else(|| panic!("{}: Basalt has more rows", entry.name));
            assert_eq!(
                Value::Integer(cursor.rowid()),
                want[0],
                "{}: rowid",
                entry.name
            );
            cursor.payload(&mut pager, &mut payload).unwrap();
            let record = decode_record(&payload).unwrap();
            for (i, value) in record.iter().enumerate() {
                let expected_value = if alias == Some(i) {
                    &Value::Null
                } else {
                    &want[i + 1]
                };
                assert_eq!(
                    value,
                    expected_value,
                    "{} rowid {} column {i}",
                    entry.name,
                    cursor.rowid()
                );
            }
            checked += 1;
            on = cursor.next(&mut pager).unwrap();
        }
        assert!(
            rows.next().is_none(),
            "{}: SQLite has more rows",
            entry.name
        );
        for index in schema
            .entries
            .iter()
            .filter(|e| e.kind == ObjectKind::Index && e.table_name == entry.name)
        {
            let partial = index
                .sql
                .as_deref()
                .unwrap_or("")
                .to_ascii_uppercase()
                .contains(" WHERE ");
            let mut cursor =
                Cursor::new_index(index.root_page, basalt_core::record::KeyInfo::binary(1));
            let count = cursor.count(&mut pager).unwrap();
            if !partial {
                assert_eq!(
                    count as usize,
                    expected.len(),
                    "index {} has one entry per row",
                    index.name
                );
            }
        }
    }
    checked
}

#[test]
fn sample_databases_read_exactly() {
    let dir = fixtures_support::unpack("read");
    let mut total = 0;
    for name in [
        "database.db",
        "database-no-rowidalias.db",
        "database/testing_small.db",
        "database/testing_user_version_10.db",
    ] {
        total += check_database(&dir.join(name));
    }
    assert!(
        total > 10_000,
        "the samples hold over ten thousand rows ({total})"
    );
}
