//! The shell's output next to the sqlite3 CLI's (Debian's 3.40.1, the oracle for shell behaviour)
//! on the same database, for the commands Basalt supports today.

use std::path::Path;
use std::process::Command;

fn run(program: &str, args: &[&str], stdin: &str) -> (String, String, bool) {
    use std::io::Write;
    let mut child = Command::new(program)
        .args(args)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {program}: {e}"));
    child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    (String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned(), out.status.success())
}

fn sample_db(dir: &Path) -> String {
    let path = dir.join("shell.db");
    let _ = std::fs::remove_file(&path);
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute_batch(
        "CREATE TABLE users(id INTEGER PRIMARY KEY, name TEXT NOT NULL);
         CREATE TABLE \"order items\"(id, user_id REFERENCES users(id), qty INT);
         CREATE INDEX items_by_user ON \"order items\"(user_id);
         CREATE TABLE tags(t TEXT PRIMARY KEY) WITHOUT ROWID;
         CREATE TABLE a_very_long_table_name_for_column_layout(x);",
    )
    .unwrap();
    for i in 0..30 {
        conn.execute(&format!("CREATE TABLE t{i:02}(x)"), []).unwrap();
    }
    path.to_str().unwrap().to_string()
}

fn sqlite3_available() -> bool {
    let available = Command::new("sqlite3").arg("--version").output().is_ok();
    assert!(available || std::env::var("CI").is_err(), "the sqlite3 CLI is missing (scripts/test.sh installs it)");
    available
}

#[test]
fn dot_commands_match_sqlite3() {
    if !sqlite3_available() {
        eprintln!("skipped: the sqlite3 CLI is not installed");
        return;
    }
    let dir = std::env::temp_dir().join(format!("basalt-shell-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let db = sample_db(&dir);
    let basalt = env!("CARGO_BIN_EXE_basalt");
    for script in [".tables\n", ".tables t1%\n", ".schema users\n", ".schema\n", ".tables\n.schema tags\n", ".nonsense\n"] {
        let ours = run(basalt, &[&db], script);
        let theirs = run("sqlite3", &[&db], script);
        assert_eq!(ours, theirs, "script {script:?}: Basalt (left) vs sqlite3 (right)");
    }
    for argument in [".tables", ".schema tags"] {
        assert_eq!(run(basalt, &[&db, argument], ""), run("sqlite3", &[&db, argument], ""), "argument {argument}");
    }
}

#[test]
fn sql_is_refused_clearly_until_the_query_engine_exists() {
    let basalt = env!("CARGO_BIN_EXE_basalt");
    let (out, err, ok) = run(basalt, &[], "SELECT 1;\n");
    assert_eq!(out, "");
    assert!(err.contains("not supported by Basalt yet"), "{err}");
    assert!(!ok, "a failing statement on standard input makes the exit status non-zero");
    let (_, _, ok) = run(basalt, &["--version"], "");
    assert!(ok);
}
