//! PRAGMAs against SQLite: the same statements on a Basalt and a SQLite database give the same
//! column names and rows.

use basalt_core::connection::Connection;
use basalt_core::record::Value;

/// Column names and rows, values rendered as SQLite's `quote()` would distinguish them.
type Answer = (Vec<String>, Vec<Vec<String>>);

fn ours(conn: &Connection, sql: &str) -> Answer {
    let mut stmt = conn.prepare(sql).expect("prepare");
    let names = (0..stmt.column_count())
        .map(|i| stmt.column_name(i).unwrap_or("").to_string())
        .collect();
    let mut rows = Vec::new();
    while stmt.step_blocking().expect("step") {
        rows.push(
            stmt.row()
                .iter()
                .map(|v| match v {
                    Value::Null => "NULL".to_string(),
                    Value::Integer(i) => i.to_string(),
                    Value::Real(r) => r.to_string(),
                    Value::Text(t) | Value::Blob(t) => String::from_utf8_lossy(t).into_owned(),
                })
                .collect(),
        );
    }
    (names, rows)
}

fn theirs(conn: &rusqlite::Connection, sql: &str) -> Answer {
    let mut stmt = conn.prepare(sql).expect("prepare");
    let names: Vec<String> = stmt.column_names().map(|s| s.to_string()).collect();
    let n = names.len();
    let mut rows = Vec::new();
    let mut q = stmt.query([]).expect("query");
    while let Some(row) = q.next().expect("next") {
        rows.push(
            (0..n)
                .map(|i| match row.get_ref(i).expect("value") {
                    rusqlite::types::ValueRef::Null => "NULL".to_string(),
                    rusqlite::types::ValueRef::Integer(i) => i.to_string(),
                    rusqlite::types::ValueRef::Real(r) => r.to_string(),
                    rusqlite::types::ValueRef::Text(t) | rusqlite::types::ValueRef::Blob(t) => {
                        String::from_utf8_lossy(t).into_owned()
                    }
                })
                .collect(),
        );
    }
    (names, rows)
}

const SCRIPT: &[&str] = &[
    "CREATE TABLE t(a INTEGER PRIMARY KEY, b TEXT NOT NULL, c)",
    "INSERT INTO t VALUES (1, 'x', 2.5)",
    "PRAGMA page_size",
    "PRAGMA page_count",
    "PRAGMA freelist_count",
    "PRAGMA cache_size",
    "PRAGMA cache_size = 500",
    "PRAGMA cache_size",
    "PRAGMA user_version",
    "PRAGMA user_version = 42",
    "PRAGMA user_version",
    "PRAGMA main.user_version",
    "PRAGMA application_id = -7",
    "PRAGMA application_id",
    "PRAGMA schema_version",
    "PRAGMA synchronous",
    "PRAGMA synchronous = NORMAL",
    "PRAGMA synchronous",
    "PRAGMA wal_autocheckpoint",
    "PRAGMA wal_autocheckpoint = 500",
    "PRAGMA busy_timeout",
    "PRAGMA busy_timeout = 250",
    "PRAGMA foreign_keys",
    "PRAGMA encoding",
    "PRAGMA table_info(t)",
    "PRAGMA no_such_pragma",
];

fn compare(ours_conn: &Connection, theirs_conn: &rusqlite::Connection, extra: &[&str]) {
    // rusqlite sets a 5 s busy timeout on open; SQLite's own default, like Basalt's, is 0.
    theirs_conn
        .busy_timeout(std::time::Duration::ZERO)
        .expect("busy_timeout");
    // The bundled SQLite enables foreign keys by default; Basalt does not enforce them yet.
    theirs_conn
        .execute_batch("PRAGMA foreign_keys = 0")
        .expect("foreign_keys");
    for sql in SCRIPT.iter().chain(extra) {
        assert_eq!(ours(ours_conn, sql), theirs(theirs_conn, sql), "{sql}");
    }
}

#[test]
fn pragmas_match_sqlite_in_memory() {
    let b = Connection::open(":memory:").expect("open");
    let s = rusqlite::Connection::open_in_memory().expect("open");
    compare(&b, &s, &["PRAGMA journal_mode", "PRAGMA wal_checkpoint"]);
}

#[test]
fn pragmas_match_sqlite_on_files() {
    let dir = std::env::temp_dir().join(format!("basalt-pragma-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let (ours_path, theirs_path) = (dir.join("b.db"), dir.join("s.db"));
    let _ = std::fs::remove_file(&ours_path);
    let _ = std::fs::remove_file(&theirs_path);
    let b = Connection::open(ours_path.to_str().expect("utf-8 path")).expect("open");
    let s = rusqlite::Connection::open(&theirs_path).expect("open");
    let mode: String = s
        .query_row("PRAGMA journal_mode = wal", [], |r| r.get(0))
        .expect("wal");
    assert_eq!(mode, "wal");
    compare(&b, &s, &["PRAGMA journal_mode"]);
    drop(b);
    // SQLite reads what Basalt wrote into the header.
    let reread = rusqlite::Connection::open(&ours_path).expect("reopen");
    let v: i64 = reread
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .expect("user_version");
    assert_eq!(v, 42);
    let _ = std::fs::remove_dir_all(&dir);
}

/// A pragma SQLite has and Basalt lacks is refused, never answered with nothing; a pragma
/// SQLite does not know is ignored, as SQLite ignores it.
#[test]
fn missing_pragmas_are_refused_unknown_ones_ignored() {
    let conn = Connection::open(":memory:").expect("open");
    for sql in [
        "PRAGMA collation_list",
        "PRAGMA foreign_keys = ON",
        "PRAGMA foreign_key_list(t)",
        "PRAGMA page_size = 1024",
    ] {
        let err = conn
            .prepare(sql)
            .and_then(|mut s| s.step_blocking())
            .expect_err(sql);
        assert!(
            err.to_string().contains("not supported by Basalt yet"),
            "{sql}: {err}"
        );
    }
    for sql in ["PRAGMA no_such_pragma", "PRAGMA foreign_keys = OFF"] {
        let (_, rows) = ours(&conn, sql);
        assert!(rows.is_empty(), "{sql}");
    }
}
