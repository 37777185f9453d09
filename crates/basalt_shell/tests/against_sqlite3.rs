//! The shell's output next to the sqlite3 CLI's (Debian's 3.40.1, the oracle for shell behaviour)
//! on the same database, for the commands Basalt supports today.

mod common;

use common::{basalt, run, sqlite3_available, temp_dir};
use std::path::Path;

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

#[test]
fn dot_commands_match_sqlite3() {
    if !sqlite3_available() {
        return;
    }
    let dir = temp_dir("dot");
    let db = sample_db(&dir);
    let basalt = basalt();
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
fn command_line_options_and_errors() {
    let basalt = basalt();
    // Options take one dash or two; unknown ones are refused as sqlite3 refuses them.
    let out = run(
        basalt,
        &["--csv", "-header", "-nullvalue", "N", "-cmd", ".show"],
        "",
    );
    assert!(out.success());
    assert!(out.stdout.contains("        mode: csv\n"), "{out:?}");
    assert!(out.stdout.contains("   nullvalue: \"N\"\n"), "{out:?}");
    assert!(out.stdout.contains("     headers: on\n"), "{out:?}");
    let out = run(basalt, &["-bogus"], "");
    assert!(!out.success());
    assert_eq!(
        out.stderr,
        "basalt: Error: unknown option: -bogus\nUse -help for a list of options.\n"
    );
    // -bail stops at the first error; without it the rest still runs.
    let out = run(basalt, &["-bail"], ".bogus\n.print after\n");
    assert!(!out.success());
    assert_eq!(out.stdout, "");
    let out = run(basalt, &["--help"], "");
    assert!(
        out.stdout
            .starts_with("Usage: basalt [OPTIONS] FILENAME [SQL]\n"),
        "{out:?}"
    );
    let out = run(basalt, &["--version"], "");
    assert!(out.success());
}

#[test]
fn dot_read_and_output_files() {
    let dir = temp_dir("files");
    let script = dir.join("script.txt");
    let output = dir.join("out.txt");
    std::fs::write(&script, ".print from-file\n.bogus\n.print still-here\n").unwrap();
    let basalt = basalt();
    let input = format!(
        ".output {}\n.read {}\n.output\n.print back\n",
        output.display(),
        script.display()
    );
    let out = run(basalt, &[], &input);
    assert!(!out.success(), "the failing command inside .read counts");
    assert_eq!(out.stdout, "back\n");
    assert!(
        out.stderr
            .contains("unknown command or invalid arguments:  \"bogus\""),
        "{out:?}"
    );
    assert_eq!(
        std::fs::read_to_string(&output).unwrap(),
        "from-file\nstill-here\n"
    );
    assert_eq!(run(basalt, &[], ".exit 3\n").stdout, "");
    assert_eq!(run(basalt, &[":memory:", ".exit 3"], "").status, Some(3));
}
