//! ALTER TABLE ... ADD COLUMN against SQLite: the rewritten CREATE text in `sqlite_schema`
//! (byte for byte), the rows old and new, errors with SQLite's words, and the file afterwards
//! (SQLite's integrity check, the same rows). The other forms of ALTER TABLE are refused.

mod oracle;

use oracle::{ours, Pair};

#[test]
fn add_column_matches_sqlite() {
    let pair = Pair::new("alter-add");
    pair.run(&[
        "CREATE TABLE t(id INTEGER PRIMARY KEY, a TEXT NOT NULL, CONSTRAINT u UNIQUE (a))",
        "CREATE TABLE \"odd (name\"  ( x DEFAULT ')' , y  )",
        "CREATE TABLE plain(a /* a ) comment */)",
        "INSERT INTO t(a) VALUES ('one'), ('two')",
        "INSERT INTO \"odd (name\" VALUES (1, 2)",
        "INSERT INTO plain VALUES (1)",
        "ALTER TABLE t ADD COLUMN b INTEGER DEFAULT 7",
        "ALTER TABLE t ADD c TEXT COLLATE NOCASE DEFAULT 'Hi'  ;  ",
        "ALTER TABLE t ADD COLUMN d NOT NULL DEFAULT -1.5",
        "ALTER TABLE main.t ADD COLUMN e REFERENCES other(x)",
        "ALTER TABLE \"odd (name\" ADD COLUMN \"z z\" BLOB DEFAULT x'01'",
        "ALTER TABLE plain ADD COLUMN q",
        "SELECT type, name, tbl_name, sql FROM sqlite_schema",
        "SELECT * FROM t ORDER BY id",
        "SELECT *, typeof(\"z z\") FROM \"odd (name\"",
        "INSERT INTO t(a, b) VALUES ('three', 3)",
        "INSERT INTO t(a, c) VALUES ('four', 'lo')",
        "CREATE INDEX t_c ON t(c)",
        "SELECT id, c FROM t WHERE c = 'hi' ORDER BY id",
        "UPDATE t SET b = b + 1 WHERE id <= 2",
        "SELECT * FROM t ORDER BY id",
        "PRAGMA table_info(t)",
        // SQLite's refusals.
        "ALTER TABLE t ADD COLUMN b",
        "ALTER TABLE t ADD COLUMN B",
        "ALTER TABLE t ADD COLUMN p INTEGER PRIMARY KEY",
        "ALTER TABLE t ADD COLUMN u UNIQUE",
        "ALTER TABLE t ADD COLUMN n NOT NULL",
        "ALTER TABLE t ADD COLUMN n NOT NULL DEFAULT NULL",
        "ALTER TABLE t ADD COLUMN f DEFAULT (1 + 2)",
        "ALTER TABLE t ADD COLUMN f DEFAULT CURRENT_TIME",
        "ALTER TABLE t ADD COLUMN f DEFAULT (abs(-1))",
        "ALTER TABLE t ADD COLUMN g COLLATE nosuch",
        "ALTER TABLE nosuch ADD COLUMN x",
        "ALTER TABLE sqlite_schema ADD COLUMN x",
        "ALTER TABLE sqlite_sequence ADD COLUMN x",
        "CREATE TABLE auto(id INTEGER PRIMARY KEY AUTOINCREMENT)",
        "ALTER TABLE sqlite_sequence ADD COLUMN x",
        "CREATE VIEW v AS SELECT 1",
        "ALTER TABLE v ADD COLUMN x",
        "ALTER TABLE temp.t ADD COLUMN x",
        "SELECT sql FROM sqlite_schema WHERE name = 't'",
        "CREATE TEMP TABLE tt(a)",
        "INSERT INTO tt VALUES (1)",
        "ALTER TABLE tt ADD COLUMN b DEFAULT 'tmp'",
        "SELECT * FROM tt",
        "SELECT sql FROM sqlite_temp_schema",
    ]);
    let (basalt_file, sqlite_file, dir) = pair.hand_over();
    oracle::run_both_sqlite(
        &basalt_file,
        &sqlite_file,
        &[
            "SELECT sql FROM sqlite_schema ORDER BY rowid",
            "SELECT * FROM t ORDER BY id",
            "SELECT * FROM \"odd (name\"",
            "SELECT * FROM plain",
        ],
    );
    drop(basalt_file);
    drop(sqlite_file);
    let _ = std::fs::remove_dir_all(dir);
}

/// Forms Basalt cannot do yet are refused, and change nothing.
#[test]
fn other_forms_are_refused() {
    let (conn, _) = oracle::memory_pair();
    conn.execute_batch("CREATE TABLE t(a, b)").unwrap();
    for sql in [
        "ALTER TABLE t RENAME TO u",
        "ALTER TABLE t RENAME COLUMN a TO c",
        "ALTER TABLE t DROP COLUMN b",
        "ALTER TABLE t ADD COLUMN c CHECK (c > 0)",
    ] {
        let seen = ours(&conn, sql);
        assert!(
            format!("{seen:?}").contains("not supported by Basalt yet"),
            "{sql}: {seen:?}"
        );
    }
    let seen = ours(&conn, "SELECT sql FROM sqlite_schema");
    assert!(
        format!("{seen:?}").contains("CREATE TABLE t(a, b)"),
        "{seen:?}"
    );
}
