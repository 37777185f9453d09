//! SQL through `basalt` next to the same SQL through the sqlite3 CLI (Debian's 3.40.1): output
//! modes over tricky values, errors with their exact standard error and exit status, `-bail`,
//! `-cmd`, `.read`, `.changes`, `.dump`, `.import`, `.timer` and Ctrl-C.
//!
//! sqlite3 3.40 renders reals with 15 significant digits where the engine (SQLite 3.54's rule)
//! uses 17, so the reals here are ones both render alike.

mod common;

use common::{basalt, run, sqlite3_available, temp_dir, Outcome};
use std::path::Path;

/// Values that stress quoting, separators and alignment in every mode.
const TRICKY: &str = "CREATE TABLE v(id INTEGER PRIMARY KEY, a, b TEXT);
INSERT INTO v VALUES(1, NULL, '');
INSERT INTO v VALUES(2, 'it''s \"q\"', 'a,b|c');
INSERT INTO v VALUES(3, 'line1
line2', 'tab\tx');
INSERT INTO v VALUES(4, 'ünïcødé 日本', x'00ff10');
INSERT INTO v VALUES(5, 9223372036854775807, -9223372036854775808);
INSERT INTO v VALUES(6, 0.5, 1e100);
INSERT INTO v VALUES(7, -2.25, 'x<y>&z');
";

/// Runs `args` and `script` through both shells and insists on identical results.
fn same(args: &[&str], script: &str) -> Outcome {
    let ours = run(basalt(), args, script);
    let theirs = run("sqlite3", args, script);
    assert_eq!(
        ours, theirs,
        "args {args:?}, script {script:?}: Basalt (left) vs sqlite3 (right)"
    );
    ours
}

#[test]
fn every_output_mode_matches_sqlite3() {
    if !sqlite3_available() {
        return;
    }
    let modes = [
        "list", "csv", "column", "table", "box", "markdown", "html", "json", "line", "quote",
        "tabs", "insert", "ascii",
    ];
    for mode in modes {
        for headers in ["on", "off"] {
            let script = format!(
                "{TRICKY}.mode {mode}\n.headers {headers}\nSELECT * FROM v;\n\
                 SELECT id, a AS \"the a\" FROM v WHERE id < 3;\nSELECT * FROM v WHERE 0;\n"
            );
            same(&[], &script);
        }
        let settings = format!(
            "{TRICKY}.mode {mode}\n.nullvalue NUL\n.separator ; ~\n.width 3 -5 10\n\
             .headers on\nSELECT * FROM v;\n"
        );
        same(&[], &settings);
    }
    // The command-line switches of the modes.
    for switch in [
        "-csv", "-json", "-box", "-line", "-html", "-quote", "-column",
    ] {
        same(
            &[switch, "-header", ":memory:"],
            &format!("{TRICKY}SELECT * FROM v;\n"),
        );
    }
}

#[test]
fn errors_match_sqlite3() {
    if !sqlite3_available() {
        return;
    }
    let schema = "CREATE TABLE t(a INTEGER PRIMARY KEY, b TEXT UNIQUE NOT NULL, \
                  c CHECK (c > 0));\nINSERT INTO t VALUES(1, 'x', 1);\n";
    for script in [
        "selec 1;\nSELECT 2;\n",
        "SELECT 1;\nSELECT * FROM nosuch;\nSELECT 3;\n",
        "SELECT 1,\n  2,\n  nosuch_column;\nSELECT 'next';\n",
        "SELECT 1; SELECT * FROM; SELECT 2;\n",
        "INSERT INTO t VALUES(2, 'x', 1);\nSELECT count(*) FROM t;\n",
        "INSERT INTO t VALUES(1, 'y', 1);\n",
        "INSERT INTO t VALUES(3, NULL, 1);\n",
        "INSERT INTO t VALUES(4, 'z', -1);\nSELECT * FROM t;\n",
        "SELECT 1 FROM t WHERE",
        "CREATE TABLE t(x);\n",
        "SELECT 'a very long statement to push the error far to the right', 1, 2, 3 FROM t \
         WHERE nonsense nonsense;\n",
    ] {
        same(&[], &format!("{schema}{script}"));
        same(&["-bail"], &format!("{schema}{script}"));
    }
    // SQL as an argument: `Error: in prepare, …`, the result code as the exit status.
    let constraint = "CREATE TABLE u(a UNIQUE); INSERT INTO u VALUES(1),(1)";
    for sql in [
        "selec 1",
        "SELECT * FROM nosuch",
        "SELECT 1; selec 2",
        "SELECT 'ok'",
        constraint,
    ] {
        same(&[":memory:", sql], "");
    }
    // -cmd runs before the rest; its failures do not stop the session unless -bail.
    for args in [
        &[
            "-cmd",
            "CREATE TABLE z(a)",
            "-cmd",
            "INSERT INTO z VALUES(7)",
            ":memory:",
        ][..],
        &["-cmd", "selec", ":memory:"][..],
        &["-bail", "-cmd", "selec", ":memory:"][..],
        &["-cmd", constraint, ":memory:"][..],
        &["-bail", "-cmd", constraint, ":memory:"][..],
        &["-readonly", "-cmd", "CREATE TABLE r(x)", ":memory:"][..],
        &["-readonly", ":memory:", "CREATE TABLE r(x)"][..],
    ] {
        same(args, "SELECT * FROM z;\nSELECT 'end';\n");
    }
}

#[test]
fn scripts_match_sqlite3() {
    if !sqlite3_available() {
        return;
    }
    let dir = temp_dir("sql-scripts");
    let once = dir.join("once.txt");
    let script = format!(
        "CREATE TABLE t(a INTEGER, b TEXT, c REAL);
.echo on
INSERT INTO t VALUES(1,'one',1.5);
.echo off
BEGIN;
INSERT INTO t VALUES(2,'two',NULL);
ROLLBACK;
BEGIN;
INSERT INTO t VALUES(3,'three',2.0);
COMMIT;
COMMIT;
.mode insert newname
SELECT * FROM t;
.mode box
SELECT * FROM t;
.show
.mode list
.separator \", \"
.nullvalue (null)
SELECT NULL, 1, x'', '', x'0000', -9223372036854775808;
SELECT 1 -- trailing comment
;
SELECT 2 /* c */ ;  SELECT 3;
.once {}
SELECT 'to the file';
SELECT 'back';
SELECT 'unterminated
",
        once.display()
    );
    for args in [&[][..], &["-echo"][..], &["-bail", "-echo"][..]] {
        let _ = std::fs::remove_file(&once);
        let ours = run(basalt(), args, &script);
        let ours_once = std::fs::read_to_string(&once).unwrap_or_default();
        let _ = std::fs::remove_file(&once);
        let theirs = run("sqlite3", args, &script);
        assert_eq!(
            ours, theirs,
            "args {args:?}: Basalt (left) vs sqlite3 (right)"
        );
        assert_eq!(
            ours_once,
            std::fs::read_to_string(&once).unwrap_or_default()
        );
    }
    // SQL on standard input and as arguments (several, up to the first failure).
    same(&[], "SELECT 1; SELECT 'x' || 2;");
    same(
        &[
            "-header",
            "-csv",
            ":memory:",
            "SELECT 1 AS a; SELECT 2 AS b",
            ".print hi",
            "selec",
            ".print never",
        ],
        "",
    );
}

#[test]
fn read_changes_and_timer() {
    if !sqlite3_available() {
        return;
    }
    let dir = temp_dir("sql-read");
    let script = dir.join("inner.sql");
    std::fs::write(
        &script,
        "CREATE TABLE r(x);\nINSERT INTO r VALUES(1),(2);\nselec;\nSELECT sum(x) FROM r;\n",
    )
    .unwrap();
    let read = format!(".read {}\nSELECT 'after';\n", script.display());
    same(&[], &read);
    same(&["-bail"], &read);
    same(
        &[],
        "CREATE TABLE c(x);\n.changes on\nINSERT INTO c VALUES(1),(2),(3);\n\
         UPDATE c SET x = x + 1 WHERE x > 1;\nSELECT * FROM c;\nDELETE FROM c;\n\
         .changes off\nINSERT INTO c VALUES(9);\n",
    );
    let out = run(basalt(), &[], ".timer on\nSELECT 1;\nCREATE TABLE q(x);\n");
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert_eq!(lines.len(), 3, "{out:?}");
    assert_eq!(lines[0], "1");
    for line in &lines[1..] {
        let fields: Vec<&str> = line.split(' ').collect();
        assert_eq!(
            fields[..3],
            ["Run", "Time:", "real"],
            "sqlite3's `Run Time: real R user U sys S`: {line}"
        );
        assert_eq!((fields[4], fields[6]), ("user", "sys"), "{line}");
        for (field, decimals) in [(fields[3], 3), (fields[5], 6), (fields[7], 6)] {
            let (_, fraction) = field.split_once('.').unwrap_or(("", ""));
            assert_eq!(fraction.len(), decimals, "{line}");
            assert!(field.parse::<f64>().is_ok(), "{line}");
        }
    }
}

/// A database with tables, indexes, views and rows, made by `program` in `path`.
fn build_database(program: &str, path: &Path) {
    let _ = std::fs::remove_file(path);
    let schema = "CREATE TABLE users(id INTEGER PRIMARY KEY, name TEXT NOT NULL, note);
CREATE TABLE \"odd table\"(\"a b\" TEXT, c BLOB, d REAL);
CREATE INDEX users_by_name ON users(name);
CREATE UNIQUE INDEX odd_ab ON \"odd table\"(\"a b\");
CREATE VIEW named AS SELECT name FROM users WHERE note IS NOT NULL;
INSERT INTO users VALUES(1, 'ann', NULL), (2, 'bob''s', 'x
y'), (3, 'ünï', 42);
INSERT INTO \"odd table\" VALUES('k', x'deadbeef', 1.5), (NULL, NULL, -3.0), ('', x'', 100.0);
";
    let out = run(program, &[path.to_str().unwrap()], schema);
    assert!(out.success(), "{program}: {out:?}");
}

#[test]
fn dump_matches_sqlite3_and_loads_back() {
    if !sqlite3_available() {
        return;
    }
    let dir = temp_dir("sql-dump");
    let ours = dir.join("ours.db");
    let theirs = dir.join("theirs.db");
    build_database(basalt(), &ours);
    build_database("sqlite3", &theirs);
    let (ours, theirs) = (ours.to_str().unwrap(), theirs.to_str().unwrap());
    let dump = run(basalt(), &[ours, ".dump"], "");
    let expected = run("sqlite3", &[theirs, ".dump"], "");
    assert_eq!(dump, expected, "Basalt's .dump (left) vs sqlite3's (right)");
    // sqlite3 reads the file Basalt wrote, and loads Basalt's dump into the same database.
    assert_eq!(run("sqlite3", &[ours, ".dump"], ""), expected);
    let reloaded = dir.join("reloaded.db");
    let reloaded = reloaded.to_str().unwrap();
    assert!(run("sqlite3", &[reloaded], &dump.stdout).success());
    assert_eq!(run("sqlite3", &[reloaded, ".dump"], ""), expected);
    for command in [
        ".dump users",
        ".dump odd%",
        ".schema",
        ".fullschema",
        ".tables",
        ".indexes",
    ] {
        assert_eq!(
            run(basalt(), &[ours, command], ""),
            run("sqlite3", &[theirs, command], ""),
            "{command}"
        );
    }
}

#[test]
fn import_matches_sqlite3() {
    if !sqlite3_available() {
        return;
    }
    let dir = temp_dir("sql-import");
    let csv = dir.join("data.csv");
    std::fs::write(
        &csv,
        "id,name,comment\n1,ann,plain\n2,\"bob, jr\",\"says \"\"hi\"\"\"\n\
         3,ünï,\"two\nlines\"\n4,,\n",
    )
    .unwrap();
    let csv = csv.to_str().unwrap();
    let script = format!(
        ".import --csv {csv} fresh\n\
         CREATE TABLE existing(id INTEGER, name TEXT, comment TEXT);\n\
         .import --csv --skip 1 {csv} existing\n\
         .mode quote\n.headers on\nSELECT * FROM fresh;\nSELECT * FROM existing;\n\
         SELECT typeof(id), typeof(name) FROM existing;\n.schema\n"
    );
    let ours = dir.join("ours.db");
    let theirs = dir.join("theirs.db");
    let _ = (std::fs::remove_file(&ours), std::fs::remove_file(&theirs));
    assert_eq!(
        run(basalt(), &[ours.to_str().unwrap()], &script),
        run("sqlite3", &[theirs.to_str().unwrap()], &script),
        "Basalt (left) vs sqlite3 (right)"
    );
}

#[test]
fn readonly_and_unusable_files() {
    if !sqlite3_available() {
        return;
    }
    let dir = temp_dir("sql-readonly");
    let db = dir.join("ro.db");
    build_database("sqlite3", &db);
    let db = db.to_str().unwrap();
    let script = "SELECT count(*) FROM users;\nINSERT INTO users VALUES(9, 'z', 0);\n\
                  CREATE TABLE n(x);\nSELECT count(*) FROM users;\n.databases\n";
    same(&["-readonly", db], script);
    let reopen = format!(
        ".open --readonly {db}\nDELETE FROM users;\n.open {db}\nDELETE FROM users WHERE id = 3;\n\
         SELECT count(*) FROM users;\n"
    );
    let ours = run(basalt(), &[], &reopen);
    build_database("sqlite3", Path::new(db));
    assert_eq!(ours, run("sqlite3", &[], &reopen));
    let missing = dir.join("missing.db");
    same(&["-readonly", missing.to_str().unwrap(), "SELECT 1"], "");
    // A file that is not a database opens, and each use of it fails.
    let text = dir.join("notes.txt");
    std::fs::write(
        &text,
        "not a database, though long enough to have a header. ".repeat(3),
    )
    .unwrap();
    let text = text.to_str().unwrap();
    same(
        &[text],
        "CREATE TABLE x(a);\n.tables\n.schema\nSELECT * FROM x;\n",
    );
    same(&[text, "CREATE TABLE x(a)"], "");
}

#[test]
fn ctrl_c_interrupts_the_running_statement() {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let mut child = Command::new(basalt())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    // Ten billion rows: far longer than the test waits.
    stdin
        .write_all(
            b"CREATE TABLE n(x);\nINSERT INTO n VALUES(1),(2),(3),(4),(5),(6),(7),(8),(9),(10);\n\
              .print ready\n\
              SELECT count(*) FROM n a, n b, n c, n d, n e, n f, n g, n h, n i, n j;\n\
              SELECT 'after';\n",
        )
        .unwrap();
    // Once `ready` is out, the handler is installed and the long statement is starting.
    let mut stdout = std::io::BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    std::io::BufRead::read_line(&mut stdout, &mut line).unwrap();
    assert_eq!(line, "ready\n");
    std::thread::sleep(std::time::Duration::from_millis(300));
    let killed = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    drop(stdin);
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut stdout, &mut rest).unwrap();
    let out = child.wait_with_output().unwrap();
    // The rest of the script is not run, as in sqlite3.
    assert_eq!(rest, "");
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "Runtime error near line 4: interrupted (9)\n"
    );
    assert_eq!(out.status.code(), Some(1));
}

/// A database with every kind of schema object, triggers included, written by sqlite3: Basalt's
/// `.dump` equals sqlite3's and loads back into an identical database.
#[test]
fn dump_with_triggers_round_trips_through_sqlite3() {
    if !sqlite3_available() {
        return;
    }
    let dir = temp_dir("sql-dump-triggers");
    let db = dir.join("objects.db");
    let script = "CREATE TABLE item(id INTEGER PRIMARY KEY, name TEXT NOT NULL, qty INT DEFAULT 0);
CREATE TABLE log(item_id INT, note TEXT);
CREATE INDEX item_by_name ON item(name);
CREATE VIEW stocked AS SELECT name, qty FROM item WHERE qty > 0;
INSERT INTO item VALUES (1, 'bolt', 10), (2, 'nut', 0), (3, 'it''s', 2);
INSERT INTO log VALUES (1, 'first');
CREATE TRIGGER item_logged AFTER INSERT ON item BEGIN INSERT INTO log VALUES (new.id, 'added'); END;
";
    assert!(run("sqlite3", &[db.to_str().unwrap()], script).success());
    let db = db.to_str().unwrap();
    let dump = run(basalt(), &[db, ".dump"], "");
    let expected = run("sqlite3", &[db, ".dump"], "");
    assert_eq!(dump, expected, "Basalt's .dump (left) vs sqlite3's (right)");
    let reloaded = dir.join("reloaded.db");
    let reloaded = reloaded.to_str().unwrap();
    assert!(run("sqlite3", &[reloaded], &dump.stdout).success());
    assert_eq!(run("sqlite3", &[reloaded, ".dump"], ""), expected);
}
