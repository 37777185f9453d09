//! Every SQL statement of the sqllogictest corpus parses, and printing it
//! parses back to an equal tree.

mod common;

use std::path::{Path, PathBuf};

fn corpus_dir() -> PathBuf {
    PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/sqllogictest"
    ))
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let entries =
        std::fs::read_dir(dir).unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()));
    for entry in entries {
        let path = entry.expect("directory entry").path();
        if path.is_dir() {
            collect(&path, out);
        } else if path.extension().is_some_and(|e| e == "test") {
            out.push(path);
        }
    }
}

/// One record's SQL and whether SQLite is expected to reject it.
struct Record {
    sql: String,
    expect_error: bool,
}

/// Extracts the SQL of every `statement` and `query` record meant for
/// SQLite (honouring `skipif sqlite` / `onlyif <other>`). Records are
/// separated by blank lines; the SQL ends at `----` or the record's end.
fn records(text: &str) -> Vec<Record> {
    let mut out = Vec::new();
    let mut lines = text.lines().map(|l| l.trim_end_matches('\r'));
    let mut for_sqlite = true;
    while let Some(line) = lines.next() {
        if line.is_empty() {
            for_sqlite = true;
            continue;
        }
        if let Some(db) = line.strip_prefix("skipif ") {
            for_sqlite &= db.trim() != "sqlite";
            continue;
        }
        if let Some(db) = line.strip_prefix("onlyif ") {
            for_sqlite &= db.trim() == "sqlite";
            continue;
        }
        if !(line.starts_with("statement ") || line.starts_with("query ")) {
            continue;
        }
        let expect_error = line.starts_with("statement error");
        let mut sql = String::new();
        for l in lines.by_ref() {
            if l.is_empty() || l == "----" {
                break;
            }
            sql.push_str(l);
            sql.push('\n');
        }
        if for_sqlite {
            out.push(Record { sql, expect_error });
        }
        for_sqlite = true;
    }
    out
}

#[test]
fn corpus_parses_and_round_trips() {
    let dir = corpus_dir();
    assert!(
        dir.is_dir(),
        "sqllogictest corpus not found at {} (expected the read-only shared/sqllogictest \
         folder beside the repository checkout)",
        dir.display()
    );
    let mut files = Vec::new();
    collect(&dir, &mut files);
    files.sort();
    assert!(!files.is_empty(), "no .test files under {}", dir.display());
    let conn = common::oracle_connection();
    let (mut total, mut failures) = (0usize, Vec::new());
    for file in &files {
        let text = std::fs::read_to_string(file).expect("corpus file is UTF-8");
        for Record { sql, expect_error } in records(&text) {
            total += 1;
            if expect_error {
                // Expected to fail in SQLite, usually for semantic reasons:
                // our verdict must match SQLite's syntax-only verdict.
                let (ours, theirs) = (
                    common::our_verdict(&sql),
                    common::sqlite_verdict(&conn, &sql),
                );
                if !common::agree(&sql, &ours, &theirs) {
                    failures.push(format!(
                        "{}: {sql}: sqlite {theirs:?}, ours {ours:?}",
                        file.display()
                    ));
                }
                continue;
            }
            let parsed = match basalt_parser::parse(&sql) {
                Ok(p) => p,
                Err(e) => {
                    failures.push(format!("{}: {e}: {sql}", file.display()));
                    continue;
                }
            };
            for stmt in parsed {
                let printed = stmt.to_string();
                match basalt_parser::parse(&printed) {
                    Ok(again) if again.len() == 1 && again[0] == stmt => {}
                    other => failures.push(format!(
                        "{}: round trip failed\n  sql:     {sql}\n  printed: {printed}\n  got: {:?}",
                        file.display(),
                        other.map(|v| v.len())
                    )),
                }
            }
        }
    }
    eprintln!("{total} corpus statements checked");
    assert!(total > 100_000, "suspiciously few records: {total}");
    assert!(
        failures.is_empty(),
        "{} failures, first ones:\n{}",
        failures.len(),
        failures[..failures.len().min(10)].join("\n")
    );
}
