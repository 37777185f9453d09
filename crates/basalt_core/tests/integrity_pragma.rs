//! `PRAGMA integrity_check` / `quick_check` against SQLite: on every shared fixture (healthy
//! and deliberately damaged) Basalt's rows equal SQLite's, row by row; a database Basalt wrote
//! itself is `ok`.

use basalt_core::connection::Connection;
use basalt_core::record::Value;
use std::path::{Path, PathBuf};

mod fixtures_support;

const PRAGMAS: &[&str] = &[
    "PRAGMA integrity_check",
    "PRAGMA quick_check",
    "PRAGMA integrity_check(1)",
    "PRAGMA integrity_check(2)",
    "PRAGMA quick_check(1)",
    "PRAGMA integrity_check(0)",
];

fn scratch(name: &str) -> fixtures_support::ScratchDir {
    fixtures_support::ScratchDir::new(name)
}

/// Unpacks the shared fixtures and lists every database file in them; the files live as long
/// as the returned folder.
fn fixtures() -> (fixtures_support::ScratchDir, Vec<PathBuf>) {
    let dir = fixtures_support::unpack("pragma");
    let mut files = Vec::new();
    let mut dirs = vec![dir.to_path_buf()];
    while let Some(d) = dirs.pop() {
        for entry in std::fs::read_dir(&d).expect("read dir") {
            let path = entry.expect("dir entry").path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "db") {
                files.push(path);
            }
        }
    }
    files.sort();
    assert!(!files.is_empty(), "no database in the shared fixtures");
    (dir, files)
}

fn ours(path: &Path, sql: &str) -> Result<Vec<String>, String> {
    let conn = Connection::open(path.to_str().expect("utf-8 path")).map_err(|e| e.to_string())?;
    let mut stmt = conn.prepare(sql).map_err(|e| e.to_string())?;
    assert_eq!(stmt.column_name(0), sql.split(['(', ' ']).nth(1));
    let mut rows = Vec::new();
    while stmt.step_blocking().map_err(|e| e.to_string())? {
        match stmt.row() {
            [Value::Text(t)] => rows.push(String::from_utf8_lossy(t).into_owned()),
            other => panic!("{sql}: unexpected row {other:?}"),
        }
    }
    Ok(rows)
}

fn theirs(path: &Path, sql: &str) -> Result<Vec<String>, String> {
    let conn = rusqlite::Connection::open(path).map_err(|e| e.to_string())?;
    let mut stmt = conn.prepare(sql).map_err(|e| e.to_string())?;
    let rows = stmt
        .query_map([], |r| r.get::<_, String>(0))
        .map_err(|e| e.to_string())?;
    rows.collect::<Result<_, _>>().map_err(|e| e.to_string())
}

/// A private copy of a fixture (they are read-only, and each engine gets its own).
fn copy_of(file: &Path, dir: &Path) -> PathBuf {
    let copy = dir.join(file.file_name().expect("file name"));
    std::fs::copy(file, &copy).expect("copy fixture");
    copy
}

#[test]
fn fixtures_match_sqlite() {
    let (_fixtures, files) = fixtures();
    let (mine, oracle) = (scratch("ic-basalt"), scratch("ic-sqlite"));
    let mut compared = 0;
    let mut mismatches = Vec::new();
    for file in &files {
        let (a, b) = (copy_of(file, &mine), copy_of(file, &oracle));
        for sql in PRAGMAS {
            let expected = theirs(&b, sql);
            let got = ours(&a, sql);
            match (&expected, &got) {
                // A schema SQLite cannot parse: Basalt must refuse the file too.
                (Err(_), Err(_)) => {}
                _ if got == expected => {}
                _ => mismatches.push(format!(
                    "{sql} on {}:\n  basalt: {got:?}\n  sqlite: {expected:?}",
                    file.display()
                )),
            }
            compared += 1;
        }
    }
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
    assert!(
        compared >= 15 * PRAGMAS.len(),
        "only {compared} comparisons"
    );
}

#[test]
fn healthy_database_written_by_basalt_is_ok() {
    let dir = scratch("ic-healthy");
    let path = dir.join("healthy.db");
    let conn = Connection::open(path.to_str().expect("utf-8 path")).expect("open");
    conn.execute_batch(
        "CREATE TABLE t(a INTEGER PRIMARY KEY, b TEXT NOT NULL, c REAL CHECK (c >= 0), d UNIQUE);
         CREATE INDEX tb ON t(b COLLATE NOCASE, c DESC);
         CREATE INDEX tp ON t(c) WHERE b > 'm';
         CREATE INDEX te ON t(lower(b), a + 1);
         CREATE TABLE u(x, y NOT NULL);",
    )
    .expect("schema");
    for i in 0..500 {
        conn.execute_batch(&format!(
            "INSERT INTO t(b, c, d) VALUES ('{}', {}.5, {}); INSERT INTO u VALUES (NULL, {i});",
            ["apple", "Zebra", "mango", "kiwi"][i % 4].repeat(i % 7 + 1),
            i % 13,
            if i % 3 == 0 {
                "NULL".to_string()
            } else {
                i.to_string()
            },
        ))
        .expect("insert");
    }
    conn.execute_batch("DELETE FROM t WHERE a % 5 = 0; UPDATE t SET b = 'zz' || b WHERE a % 7 = 0")
        .expect("change");
    for sql in ["PRAGMA integrity_check", "PRAGMA quick_check"] {
        assert_eq!(ours(&path, sql), Ok(vec!["ok".to_string()]), "{sql}");
        assert_eq!(theirs(&path, sql), Ok(vec!["ok".to_string()]), "{sql}");
    }
}

/// The tables and views a fixture's schema names (none if SQLite cannot read it).
fn objects(path: &Path) -> Vec<String> {
    let Ok(conn) = rusqlite::Connection::open(path) else {
        return Vec::new();
    };
    let Ok(mut stmt) =
        conn.prepare("SELECT name FROM sqlite_schema WHERE type IN ('table', 'view') ORDER BY 1")
    else {
        return Vec::new();
    };
    let names = stmt.query_map([], |r| r.get::<_, String>(0));
    names.map_or(Vec::new(), |rows| rows.filter_map(|r| r.ok()).collect())
}

/// `PRAGMA integrity_check(TABLE)` and `quick_check(TABLE)`: the partial check of one table
/// and its indexes, on every fixture, healthy or damaged.
#[test]
fn partial_checks_match_sqlite() {
    let (_fixtures, files) = fixtures();
    let (mine, oracle) = (scratch("icp-basalt"), scratch("icp-sqlite"));
    let mut compared = 0;
    let mut mismatches = Vec::new();
    for file in &files {
        let (a, b) = (copy_of(file, &mine), copy_of(file, &oracle));
        let mut names = objects(&b);
        names.extend(["sqlite_schema".to_string(), "no_such_table".to_string()]);
        for name in names {
            for pragma in ["integrity_check", "quick_check"] {
                let sql = format!("PRAGMA {pragma}(\"{}\")", name.replace('"', "\"\""));
                let expected = theirs(&b, &sql);
                let got = ours(&a, &sql);
                match (&expected, &got) {
                    (Err(_), Err(_)) => {}
                    // A table Basalt cannot read (WITHOUT ROWID, virtual) is refused.
                    (_, Err(e)) if e.contains("not supported by Basalt yet") => {}
                    _ if got == expected => {}
                    _ => mismatches.push(format!(
                        "{sql} on {}:\n  basalt: {got:?}\n  sqlite: {expected:?}",
                        file.display()
                    )),
                }
                compared += 1;
            }
        }
    }
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
    assert!(compared >= 60, "only {compared} comparisons");
}
