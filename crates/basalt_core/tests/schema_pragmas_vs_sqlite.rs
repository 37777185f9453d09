//! The schema PRAGMAs (`table_info`, `table_xinfo`, `index_list`, `index_info`,
//! `index_xinfo`) and `integrity_check(TABLE)` against SQLite: same column names, same rows,
//! same errors; plus the order SQLite checks UNIQUE constraints in, which is its index list's.

mod oracle;

use oracle::{memory_pair, ours, theirs};

const SCHEMA: &[&str] = &[
    "CREATE TABLE t(a COLLATE nocase UNIQUE, b COLLATE \"RTrim\", c DEFAULT (1 +  2), \
     d DEFAULT 'x', e DEFAULT -1, f INTEGER DEFAULT CURRENT_TIME, g NOT NULL DEFAULT \"abc\", \
     h VARCHAR(10) DEFAULT (NULL), UNIQUE(b, c COLLATE binary))",
    "CREATE INDEX j ON t(b, c collate Nocase, \"a\")",
    "CREATE TABLE p(x, y, z UNIQUE ON CONFLICT REPLACE, w UNIQUE, \
     PRIMARY KEY(y DESC, x COLLATE nocase))",
    "CREATE UNIQUE INDEX pi ON p(w, x) WHERE w > 0",
    "CREATE INDEX pe ON p(x + y, lower(z) DESC)",
    "CREATE TABLE r(id INTEGER PRIMARY KEY NOT NULL, v NOT NULL, u TEXT UNIQUE)",
    "CREATE INDEX ri ON r(id, v)",
    "CREATE TABLE [odd \"name](\"col\"\"1\" INT, [col 2] DOUBLE PRECISION PRIMARY KEY)",
    "CREATE VIEW v AS SELECT 1",
    "CREATE TABLE lower_types(a integer primary key, b int, c Text, d varchar(10), e real, \
     f blob, g any, h Integer(5), i)",
];

const PRAGMAS: &[&str] = &[
    "PRAGMA table_info(t)",
    "PRAGMA table_info(lower_types)",
    "PRAGMA table_xinfo(lower_types)",
    "PRAGMA table_xinfo(t)",
    "PRAGMA table_info('T')",
    "PRAGMA table_info(\"p\")",
    "PRAGMA table_xinfo([r])",
    "PRAGMA table_info(\"odd \"\"name\")",
    "PRAGMA main.table_info(p)",
    "PRAGMA table_info(nosuch)",
    "PRAGMA table_info",
    "PRAGMA table_xinfo",
    "PRAGMA table_info(sqlite_schema)",
    "PRAGMA table_xinfo(sqlite_master)",
    "PRAGMA index_list(t)",
    "PRAGMA index_list(p)",
    "PRAGMA index_list(r)",
    "PRAGMA index_list('odd \"name')",
    "PRAGMA index_list(nosuch)",
    "PRAGMA index_list(sqlite_schema)",
    "PRAGMA index_list(v)",
    "PRAGMA index_list",
    "PRAGMA index_info(j)",
    "PRAGMA index_xinfo(j)",
    "PRAGMA index_info(sqlite_autoindex_t_1)",
    "PRAGMA index_xinfo(sqlite_autoindex_t_2)",
    "PRAGMA index_xinfo(sqlite_autoindex_p_1)",
    "PRAGMA index_xinfo(sqlite_autoindex_p_2)",
    "PRAGMA index_xinfo(sqlite_autoindex_p_3)",
    "PRAGMA index_info(pi)",
    "PRAGMA index_xinfo(pe)",
    "PRAGMA index_xinfo(ri)",
    "PRAGMA index_xinfo(\"sqlite_autoindex_odd \"\"name_1\")",
    "PRAGMA index_info(t)",
    "PRAGMA index_info(nosuch)",
    "PRAGMA index_xinfo",
    "PRAGMA integrity_check(t)",
    "PRAGMA integrity_check('p')",
    "PRAGMA quick_check(\"r\")",
    "PRAGMA integrity_check(v)",
    "PRAGMA integrity_check(sqlite_schema)",
    "PRAGMA quick_check(sqlite_master)",
    "PRAGMA integrity_check(nosuch)",
    "PRAGMA quick_check(j)",
    "PRAGMA integrity_check(99999999999)",
    "PRAGMA integrity_check(2.5)",
    "PRAGMA integrity_check('5')",
    "PRAGMA integrity_check(-1)",
    "PRAGMA integrity_check(0)",
    "PRAGMA integrity_check('7x')",
    "PRAGMA main.quick_check(t)",
    "SELECT * FROM pragma_table_info('t')",
    "SELECT name, pk FROM pragma_table_info('p') WHERE pk > 0 ORDER BY pk",
    "SELECT * FROM pragma_table_xinfo('odd \"name') AS x",
    "SELECT seq, name FROM pragma_index_list('t') ORDER BY name DESC",
    "SELECT count(*), max(cid) FROM pragma_index_xinfo('j')",
    "SELECT i.name, c.name FROM pragma_index_list('p') AS i, pragma_index_info('pi') AS c",
    "SELECT * FROM pragma_table_info('nosuch')",
    "SELECT * FROM pragma_table_info()",
    "SELECT * FROM pragma_index_list",
    "SELECT * FROM pragma_index_info(5)",
    "SELECT * FROM pragma_table_info('t', 'main', 3)",
    "SELECT (SELECT count(*) FROM pragma_table_info('r'))",
];

fn compare(ours_conn: &basalt_core::connection::Connection, theirs_conn: &rusqlite::Connection) {
    for sql in SCHEMA.iter().chain(PRAGMAS) {
        assert_eq!(ours(ours_conn, sql), theirs(theirs_conn, sql), "{sql}");
    }
}

#[test]
fn schema_pragmas_match_sqlite() {
    let (b, s) = memory_pair();
    compare(&b, &s);
    // Rows in the tables change nothing in the answers but the checks' work.
    let rows = [
        "INSERT INTO t(a, b, c, f) VALUES ('x', 'y', 1, 0), ('X2', 'y ', 2, 0)",
        "INSERT INTO p VALUES (1, 2, 3, 4), ('a', 'b', 'c', 'd')",
        "INSERT INTO r(v) VALUES (1), (2)",
    ];
    for sql in rows.iter().chain(PRAGMAS) {
        assert_eq!(ours(&b, sql), theirs(&s, sql), "{sql}");
    }
}

/// When a row breaks several UNIQUE constraints, the one reported is the first in SQLite's
/// index list: newest CREATE INDEX first, automatic indexes after, ON CONFLICT REPLACE last.
#[test]
fn unique_constraints_are_checked_in_sqlites_order() {
    let (b, s) = memory_pair();
    let script = [
        "CREATE TABLE t(a UNIQUE, b, c UNIQUE ON CONFLICT REPLACE, d, PRIMARY KEY(d, b))",
        "CREATE UNIQUE INDEX i ON t(b)",
        "CREATE UNIQUE INDEX k ON t(d)",
        "INSERT INTO t VALUES (1, 1, 1, 1)",
        "INSERT INTO t VALUES (1, 1, 2, 2)",
        "INSERT INTO t VALUES (1, 2, 2, 1)",
        "INSERT INTO t VALUES (1, 2, 2, 2)",
        "INSERT INTO t VALUES (2, 2, 1, 2)",
        "SELECT * FROM t",
        "UPDATE t SET a = 1, b = 1 WHERE c = 1",
        "PRAGMA index_list(t)",
    ];
    for sql in script {
        assert_eq!(ours(&b, sql), theirs(&s, sql), "{sql}");
    }
}

/// Tables Basalt cannot create yet (generated columns) or cannot use (WITHOUT ROWID): on a
/// file SQLite made, the generated columns are described exactly, the rest refused.
#[test]
fn pragmas_on_a_file_sqlite_made() {
    let dir = std::env::temp_dir().join(format!("basalt-schema-pragmas-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join("s.db");
    {
        let s = rusqlite::Connection::open(&path).expect("open");
        s.execute_batch(
            "CREATE TABLE g(a INTEGER, b AS (a * 2), c TEXT DEFAULT 'q', d INT AS (a || c) STORED,
                 e NOT NULL);
             CREATE INDEX gi ON g(b, d);
             CREATE TABLE w(k PRIMARY KEY, v) WITHOUT ROWID;
             INSERT INTO g(a, e) VALUES (1, 2);",
        )
        .expect("schema");
    }
    let b = basalt_core::connection::Connection::open(oracle::path_str(&path)).expect("basalt");
    let s = rusqlite::Connection::open(&path).expect("sqlite");
    for sql in [
        "PRAGMA table_info(g)",
        "PRAGMA table_xinfo(g)",
        "PRAGMA index_list(g)",
        "PRAGMA index_xinfo(gi)",
        "PRAGMA integrity_check(g)",
        "PRAGMA quick_check(g)",
    ] {
        assert_eq!(ours(&b, sql), theirs(&s, sql), "{sql}");
    }
    for sql in [
        "PRAGMA table_info(w)",
        "PRAGMA index_list(w)",
        "PRAGMA index_info(w)",
        "PRAGMA integrity_check(w)",
        "PRAGMA table_info(v_none)",
    ] {
        match ours(&b, sql).outcome {
            oracle::Outcome::Error(e) => assert!(e.contains("not supported"), "{sql}: {e}"),
            rows if sql.contains("v_none") => {
                assert_eq!(rows, theirs(&s, sql).outcome, "{sql}")
            }
            rows => panic!("{sql}: {rows:?}"),
        }
    }
    drop(b);
    drop(s);
    let _ = std::fs::remove_dir_all(dir);
}

/// Table-valued pragma functions Basalt does not offer are refused, never answered wrongly.
#[test]
fn other_table_valued_pragmas_are_refused() {
    let (b, _) = memory_pair();
    b.execute_batch("CREATE TABLE t(a)").expect("table");
    for sql in [
        "SELECT * FROM sqlite_schema AS m, pragma_table_info(m.name)",
        "SELECT * FROM pragma_database_list",
        "SELECT * FROM pragma_table_info('t', 'main')",
    ] {
        match ours(&b, sql).outcome {
            oracle::Outcome::Error(e) => {
                assert!(e.contains("not supported by Basalt yet"), "{sql}: {e}")
            }
            rows => panic!("{sql}: {rows:?}"),
        }
    }
}

/// A view's columns need its query's types: refused rather than described wrongly.
#[test]
fn views_are_refused() {
    let (b, _) = memory_pair();
    b.execute_batch("CREATE VIEW v AS SELECT 1 AS x")
        .expect("view");
    for sql in ["PRAGMA table_info(v)", "PRAGMA table_xinfo(v)"] {
        match ours(&b, sql).outcome {
            oracle::Outcome::Error(e) => {
                assert!(e.contains("not supported by Basalt yet"), "{sql}: {e}")
            }
            rows => panic!("{sql}: {rows:?}"),
        }
    }
}
