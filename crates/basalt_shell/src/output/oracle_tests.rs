//! The formatters against the sqlite3 CLI (Debian's 3.40.1, the oracle for shell behaviour):
//! the same rows, fetched through rusqlite, must render byte for byte as `sqlite3 -MODE`
//! renders them. Reals are chosen so that sqlite3 3.40's 15 digits (and its 20-digit literals
//! in quote/json/insert) agree with SQLite 3.54's 17.

use super::{write_results, Format, Mode};
use crate::engine::Value;
use std::path::PathBuf;
use std::process::Command;

fn sqlite3_available() -> bool {
    let available = Command::new("sqlite3").arg("--version").output().is_ok();
    assert!(
        available || std::env::var("CI").is_err(),
        "the sqlite3 CLI is missing (scripts/test.sh installs it)"
    );
    available
}

fn database(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("basalt-oracle-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("{name}.db"));
    let _ = std::fs::remove_file(&path);
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute_batch(
        "CREATE TABLE t(id INTEGER, label TEXT, v);
         INSERT INTO t VALUES
           (1, 'plain', NULL),
           (2, '', ''),
           (3, 'pipe|and,comma', 'say \"hi\" it''s'),
           (4, 'two' || char(10) || 'lines', 'tab' || char(9) || 'here'),
           (5, '日本語テキスト', 'héllo wörld'),
           (6, 'bad utf8', CAST(x'fffe41' AS TEXT)),
           (7, 'blob', x'00ff41'),
           (8, 'blob2', x'414243'),
           (9, 'min', -9223372036854775808),
           (10, 'max', 9223372036854775807),
           (11, 'reals', 1.0),
           (12, 'half', -2.25),
           (13, 'big', 1e100),
           (14, 'cr', 'a' || char(13) || char(10) || 'b'),
           (15, '<html> & \"q\"', 'x'),
           (16, 'a long value that certainly runs past the sixty character wrap width of the aligned modes', 1),
           (17, 'ctrl' || char(1) || char(31), 0.5);",
    )
    .unwrap();
    path
}

fn to_value(value: rusqlite::types::ValueRef<'_>) -> Value {
    use rusqlite::types::ValueRef;
    match value {
        ValueRef::Null => Value::Null,
        ValueRef::Integer(i) => Value::Integer(i),
        ValueRef::Real(r) => Value::Real(r),
        ValueRef::Text(t) => Value::Text(t.to_vec()),
        ValueRef::Blob(b) => Value::Blob(b.to_vec()),
    }
}

/// Our rendering of `sql`'s rows.
fn ours(db: &PathBuf, format: &Format, sql: &str) -> Vec<u8> {
    let conn = rusqlite::Connection::open(db).unwrap();
    let mut statement = conn.prepare(sql).unwrap();
    let names: Vec<String> = statement.column_names().map(|s| s.to_string()).collect();
    let count = names.len();
    let mut rows = statement.query([]).unwrap();
    let mut out = Vec::new();
    write_results(&mut out, format, &names, &mut || {
        Ok(rows.next().unwrap().map(|row| {
            (0..count)
                .map(|i| to_value(row.get_ref(i).unwrap()))
                .collect()
        }))
    })
    .unwrap();
    out
}

fn theirs(db: &PathBuf, options: &[&str], sql: &str) -> Vec<u8> {
    let output = Command::new("sqlite3")
        .args(options)
        .arg(db)
        .arg(sql)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    output.stdout
}

/// A mode as sqlite3's command line selects it, and the same settings for our formatter.
fn mode_setup(mode: &str) -> (Vec<String>, Format) {
    let mut format = Format::default();
    let mut options = vec![];
    let switch = |m: &str| vec![format!("-{m}")];
    match mode {
        "insert" | "tcl" => {
            options.extend(["-cmd".to_string(), format!(".mode {mode} tbl")]);
            format.mode = if mode == "insert" {
                Mode::Insert
            } else {
                Mode::Tcl
            };
            format.column_separator = " ".into();
            format.insert_table = "tbl".into();
        }
        _ => options.extend(switch(mode)),
    }
    match mode {
        "list" => {}
        "csv" => {
            format.mode = Mode::Csv;
            format.column_separator = ",".into();
        }
        "tabs" => format.column_separator = "\t".into(),
        "quote" => {
            format.mode = Mode::Quote;
            format.column_separator = ",".into();
        }
        "ascii" => {
            format.mode = Mode::Ascii;
            format.column_separator = "\x1f".into();
            format.row_separator = "\x1e".into();
        }
        "column" => format.mode = Mode::Column,
        "box" => format.mode = Mode::Box,
        "table" => format.mode = Mode::Table,
        "markdown" => format.mode = Mode::Markdown,
        "json" => format.mode = Mode::Json,
        "line" => format.mode = Mode::Line,
        "html" => format.mode = Mode::Html,
        _ => {}
    }
    (options, format)
}

const MODES: &[&str] = &[
    "list", "csv", "tabs", "quote", "insert", "tcl", "ascii", "column", "box", "table", "markdown",
    "json", "line", "html",
];

fn compare(db: &PathBuf, extra: &[&str], adjust: impl Fn(&mut Format), sql: &str) {
    for mode in MODES {
        for header in [true, false] {
            let (mut options, mut format) = mode_setup(mode);
            format.headers = header;
            options.push(if header { "-header" } else { "-noheader" }.to_string());
            options.extend(extra.iter().map(|s| s.to_string()));
            adjust(&mut format);
            let options: Vec<&str> = options.iter().map(String::as_str).collect();
            let expected = theirs(db, &options, sql);
            let actual = ours(db, &format, sql);
            assert!(
                expected == actual,
                "mode {mode}, options {options:?}, {sql}\n--- sqlite3:\n{}\n--- basalt:\n{}",
                String::from_utf8_lossy(&expected),
                String::from_utf8_lossy(&actual)
            );
        }
    }
}

#[test]
fn every_mode_matches_sqlite3() {
    if !sqlite3_available() {
        return;
    }
    let db = database("modes");
    compare(&db, &[], |_| {}, "SELECT * FROM t ORDER BY id");
    compare(
        &db,
        &[],
        |_| {},
        "SELECT id AS \"odd name\", v AS [日本] FROM t WHERE id < 4",
    );
    compare(&db, &[], |_| {}, "SELECT * FROM t WHERE 0");
}

#[test]
fn nullvalue_separator_and_width_match_sqlite3() {
    if !sqlite3_available() {
        return;
    }
    let db = database("settings");
    compare(
        &db,
        &["-nullvalue", "(null)"],
        |f| f.null_value = "(null)".into(),
        "SELECT * FROM t ORDER BY id",
    );
    compare(
        &db,
        &["-separator", " ; "],
        |f| f.column_separator = " ; ".into(),
        "SELECT id, label FROM t WHERE id IN (1, 3, 4)",
    );
    compare(
        &db,
        &["-cmd", ".width 4 -12 3"],
        |f| f.widths = vec![4, -12, 3],
        "SELECT * FROM t ORDER BY id",
    );
}

#[test]
fn reals_match_sqlite3_where_both_versions_agree() {
    if !sqlite3_available() {
        return;
    }
    let db = database("reals");
    // Text renderings only: 3.40 writes SQL literals with 20 digits.
    for mode in ["list", "csv", "column", "box", "line", "html"] {
        let (mut options, format) = mode_setup(mode);
        options.push("-noheader".into());
        let options: Vec<&str> = options.iter().map(String::as_str).collect();
        // (1e15 to 1e16 is where the versions part: 3.40 says 1.0e+15, 3.54 says
        // 1000000000000000.0.)
        let sql = "SELECT 0.1, 123.456, 1e-5, 2.5e-7, 3.0e20, -0.75, 1e14";
        assert_eq!(
            ours(&db, &format, sql),
            theirs(&db, &options, sql),
            "mode {mode}"
        );
    }
}
