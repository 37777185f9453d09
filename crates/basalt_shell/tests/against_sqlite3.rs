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
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        out.status.success(),
    )
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
        conn.execute(&format!("CREATE TABLE t{i:02}(x)"), [])
            .unwrap();
    }
    path.to_str().unwrap().to_string()
}

fn sqlite3_available() -> bool {
    let available = Command::new("sqlite3").arg("--version").output().is_ok();
    assert!(
        available || std::env::var("CI").is_err(),
        "the sqlite3 CLI is missing (scripts/test.sh installs it)"
    );
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
    for script in [
        ".tables\n",
        ".tables t1%\n",
        ".schema users\n",
        ".schema\n",
        ".tables\n.schema tags\n",
        ".nonsense\n",
        ".show\n",
        ".mode\n.mode box\n.mode\n.mode csv\n.show\n",
        ".mode qbox\n.mode\n.mode tabs\n.mode\n.mode nonsense\n",
        ".headers on\n.nullvalue NIL\n.separator ; \"\\r\\n\"\n.width 3 -4\n.show\n",
        ".echo on\n.print a 'b c' \"d\\te\"\n.echo off\n.print x\n",
        ".indexes\n.indexes order%\n.indexes a b\n",
        ".schema %items%\n.schema --nosys t0*\n",
        ".databases\n",
        ".help sep\n.help width\n.help nosuchthing\n",
        ".bail\n.headers\n.echo maybe\n.show\n",
        ".d nosuch\n.ta t2%\n.h off\n.se :\n.show\n",
        ".output\n.once\n.show\n",
        "\n  \n;\n-- comment\n.tables t0%\n",
    ] {
        let ours = run(basalt, &[&db], script);
        let theirs = run("sqlite3", &[&db], script);
        assert_eq!(
            ours, theirs,
            "script {script:?}: Basalt (left) vs sqlite3 (right)"
        );
    }
    let empty = dir.join("empty.db");
    let _ = std::fs::remove_file(&empty);
    rusqlite::Connection::open(&empty)
        .unwrap()
        .execute_batch("PRAGMA user_version=1")
        .unwrap();
    let empty = empty.to_str().unwrap();
    for script in [".dump\n", ".tables\n.schema\n"] {
        assert_eq!(
            run(basalt, &[empty], script),
            run("sqlite3", &[empty], script),
            "script {script:?} on an empty database"
        );
    }
    for argument in [".tables", ".schema tags", ".show"] {
        assert_eq!(
            run(basalt, &[&db, argument], ""),
            run("sqlite3", &[&db, argument], ""),
            "argument {argument}"
        );
    }
}

#[test]
fn sql_is_refused_clearly_until_the_query_engine_exists() {
    let basalt = env!("CARGO_BIN_EXE_basalt");
    let (out, err, ok) = run(basalt, &[], "SELECT 1;\n");
    assert_eq!(out, "");
    assert!(err.contains("not supported by Basalt yet"), "{err}");
    assert!(
        !ok,
        "a failing statement on standard input makes the exit status non-zero"
    );
    let (_, _, ok) = run(basalt, &["--version"], "");
    assert!(ok);
}

#[test]
fn command_line_options_and_errors() {
    let basalt = env!("CARGO_BIN_EXE_basalt");
    // Options take one dash or two; unknown ones are refused as sqlite3 refuses them.
    let (out, _, ok) = run(
        basalt,
        &["--csv", "-header", "-nullvalue", "N", "-cmd", ".show"],
        "",
    );
    assert!(ok);
    assert!(out.contains("        mode: csv\n"), "{out}");
    assert!(out.contains("   nullvalue: \"N\"\n"), "{out}");
    assert!(out.contains("     headers: on\n"), "{out}");
    let (_, err, ok) = run(basalt, &["-bogus"], "");
    assert!(!ok);
    assert_eq!(
        err,
        "basalt: Error: unknown option: -bogus\nUse -help for a list of options.\n"
    );
    // SQL as an argument fails with sqlite3's "Error: in prepare, …" form and status 1.
    let (_, err, ok) = run(basalt, &[":memory:", "SELECT 1"], "");
    assert!(!ok);
    assert!(
        err.starts_with("Error: in prepare, not supported by Basalt yet"),
        "{err}"
    );
    // -bail stops at the first error; without it the rest still runs.
    let (out, _, ok) = run(basalt, &["-bail"], ".bogus\n.print after\n");
    assert!(!ok);
    assert_eq!(out, "");
    let (out, err, ok) = run(basalt, &[], "SELECT 1;\n.print after\n");
    assert!(!ok);
    assert_eq!(out, "after\n");
    assert!(
        err.starts_with("Parse error near line 1: not supported"),
        "{err}"
    );
    let (out, _, _) = run(basalt, &["--help"], "");
    assert!(
        out.starts_with("Usage: basalt [OPTIONS] FILENAME [SQL]\n"),
        "{out}"
    );
}

#[test]
fn dot_read_and_output_files() {
    let dir = std::env::temp_dir().join(format!("basalt-files-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let script = dir.join("script.txt");
    let output = dir.join("out.txt");
    std::fs::write(&script, ".print from-file\n.bogus\n.print still-here\n").unwrap();
    let basalt = env!("CARGO_BIN_EXE_basalt");
    let input = format!(
        ".output {}\n.read {}\n.output\n.print back\n",
        output.display(),
        script.display()
    );
    let (out, err, ok) = run(basalt, &[], &input);
    assert!(!ok, "the failing command inside .read counts");
    assert_eq!(out, "back\n");
    assert!(
        err.contains("unknown command or invalid arguments:  \"bogus\""),
        "{err}"
    );
    assert_eq!(
        std::fs::read_to_string(&output).unwrap(),
        "from-file\nstill-here\n"
    );
    let (out, _, _) = run(basalt, &[], ".exit 3\n");
    assert_eq!(out, "");
    let status = std::process::Command::new(basalt)
        .args([":memory:", ".exit 3"])
        .status()
        .unwrap();
    assert_eq!(status.code(), Some(3));
}
