//! `basalt-slt`: runs sqllogictest files through Basalt's engine with the classic harness's
//! rules (see /work/shared/sqllogictest/README.md).
//!
//! Usage: `basalt-slt [--verbose] [--per-file] [--engine-name NAME]
//!                    [--passing-list FILE] [--write-passing FILE] PATH...`
//! PATHs are files or directories (searched recursively for `*.test`). The last line printed is
//! `N passed, M failed`. With `--passing-list`, every file listed there (one path per line,
//! relative to the list's directory or absolute) must pass completely, or the exit status is 1;
//! `--write-passing` writes the files that passed completely.
//!
//! Invariants: the runner never stops on a failing record or file (a panic inside the engine is
//! caught and counted as a failure of that record); results are compared value by value after
//! formatting by the expected type letter and sorting as the record says.

mod format;
mod parse;

use basalt_core::connection::Connection;
use basalt_core::Result;
use md5::{Digest, Md5};
use parse::{Expected, Record, RecordKind, SortMode};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

struct Options {
    verbose: bool,
    per_file: bool,
    engine: String,
    passing_list: Option<PathBuf>,
    write_passing: Option<PathBuf>,
    paths: Vec<PathBuf>,
}

fn parse_args() -> std::result::Result<Options, String> {
    let mut options = Options {
        verbose: false,
        per_file: false,
        engine: "sqlite".into(),
        passing_list: None,
        write_passing: None,
        paths: Vec::new(),
    };
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--verbose" | "-v" => options.verbose = true,
            "--per-file" => options.per_file = true,
            "--engine-name" => options.engine = args.next().ok_or("--engine-name needs a value")?,
            "--passing-list" => {
                options.passing_list =
                    Some(args.next().ok_or("--passing-list needs a file")?.into())
            }
            "--write-passing" => {
                options.write_passing =
                    Some(args.next().ok_or("--write-passing needs a file")?.into())
            }
            other if other.starts_with("--") => return Err(format!("unknown option {other}")),
            path => options.paths.push(path.into()),
        }
    }
    if options.paths.is_empty() {
        return Err("usage: basalt-slt [--verbose] [--per-file] [--engine-name NAME] [--passing-list FILE] [--write-passing FILE] PATH...".into());
    }
    Ok(options)
}

fn collect(path: &Path, out: &mut Vec<PathBuf>) {
    if path.is_dir() {
        let mut entries: Vec<PathBuf> = match std::fs::read_dir(path) {
            Ok(rd) => rd.filter_map(|e| e.ok().map(|e| e.path())).collect(),
            Err(_) => return,
        };
        entries.sort();
        for e in entries {
            if e.is_dir() {
                collect(&e, out);
            } else if e.extension().is_some_and(|x| x == "test") {
                out.push(e);
            }
        }
    } else {
        out.push(path.to_path_buf());
    }
}

#[derive(Default)]
struct Tally {
    passed: u64,
    failed: u64,
}

/// What running one record gave, when it did not match.
struct Failure {
    line: usize,
    sql: String,
    detail: String,
}

fn run_statement(conn: &Connection, sql: &str) -> Result<()> {
    conn.execute_batch(sql)
}

/// Runs a query: the values of every row (as the engine gives them), the column count, and
/// whether preparing failed. A step-time error ends the rows without failing the query.
fn run_query(
    conn: &Connection,
    sql: &str,
) -> Result<(Vec<Vec<basalt_core::record::Value>>, usize)> {
    let mut stmt = conn.prepare(sql)?;
    let columns = stmt.column_count();
    let mut rows = Vec::new();
    while let Ok(true) = stmt.step_blocking() {
        rows.push(stmt.row().to_vec());
    }
    Ok((rows, columns))
}

fn check_query(
    conn: &Connection,
    record: &Record,
    types: &str,
    sort: SortMode,
    expected: &Expected,
    threshold: usize,
) -> std::result::Result<(), String> {
    let (rows, columns) =
        run_query(conn, &record.sql).map_err(|e| format!("query failed: {}", e.message))?;
    if columns != types.len() {
        return Err(format!("{columns} columns, expected {}", types.len()));
    }
    let mut formatted: Vec<Vec<String>> = rows
        .iter()
        .map(|row| {
            row.iter()
                .zip(types.chars())
                .map(|(v, t)| format::value(v, t))
                .collect()
        })
        .collect();
    let values: Vec<String> = match sort {
        SortMode::None => formatted.into_iter().flatten().collect(),
        SortMode::Rows => {
            formatted.sort();
            formatted.into_iter().flatten().collect()
        }
        SortMode::Values => {
            let mut all: Vec<String> = formatted.into_iter().flatten().collect();
            all.sort();
            all
        }
    };
    match expected {
        Expected::Values(want) => {
            if values.len() > threshold && threshold > 0 && want.len() != values.len() {
                return Err(format!("{} values, expected {}", values.len(), want.len()));
            }
            if &values != want {
                return Err(format!(
                    "got:\n{}\nexpected:\n{}",
                    values.join("\n"),
                    want.join("\n")
                ));
            }
            Ok(())
        }
        Expected::Hash { count, hash } => {
            let mut md5 = Md5::new();
            for v in &values {
                md5.update(v.as_bytes());
                md5.update(b"\n");
            }
            let got: String = md5.finalize().iter().map(|b| format!("{b:02x}")).collect();
            if values.len() != *count || &got != hash {
                return Err(format!(
                    "{} values hashing to {got}, expected {count} values hashing to {hash}",
                    values.len()
                ));
            }
            Ok(())
        }
    }
}

/// Runs one file; returns its tally and failures.
fn run_file(path: &Path, engine: &str) -> (Tally, Vec<Failure>) {
    let mut tally = Tally::default();
    let mut failures = Vec::new();
    let text = match std::fs::read(path) {
        Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
        Err(e) => {
            tally.failed += 1;
            failures.push(Failure {
                line: 0,
                sql: String::new(),
                detail: format!("cannot read: {e}"),
            });
            return (tally, failures);
        }
    };
    let conn = match Connection::open(":memory:") {
        Ok(c) => c,
        Err(e) => {
            tally.failed += 1;
            failures.push(Failure {
                line: 0,
                sql: String::new(),
                detail: format!("cannot open a database: {}", e.message),
            });
            return (tally, failures);
        }
    };
    let mut threshold = 8;
    for record in parse::records(&text) {
        if !record.applies(engine) {
            continue;
        }
        let outcome = match &record.kind {
            RecordKind::HashThreshold(n) => {
                threshold = *n;
                continue;
            }
            RecordKind::Halt => break,
            RecordKind::Statement { ok } => {
                let ok = *ok;
                let sql = record.sql.clone();
                let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    run_statement(&conn, &sql)
                }));
                match (result, ok) {
                    (Ok(Ok(())), true) | (Ok(Err(_)), false) => Ok(()),
                    (Ok(Ok(())), false) => {
                        Err("statement succeeded, expected an error".to_string())
                    }
                    (Ok(Err(e)), true) => Err(format!("statement failed: {}", e.message)),
                    (Err(_), _) => Err("panic".to_string()),
                }
            }
            RecordKind::Query {
                types,
                sort,
                expected,
            } => {
                let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    check_query(&conn, &record, types, *sort, expected, threshold)
                }));
                result.unwrap_or_else(|_| Err("panic".to_string()))
            }
        };
        match outcome {
            Ok(()) => tally.passed += 1,
            Err(detail) => {
                tally.failed += 1;
                failures.push(Failure {
                    line: record.line,
                    sql: record.sql.clone(),
                    detail,
                });
            }
        }
    }
    (tally, failures)
}

fn read_list(list: &Path) -> Vec<PathBuf> {
    let base = list.parent().unwrap_or(Path::new("."));
    std::fs::read_to_string(list)
        .unwrap_or_default()
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| {
            let p = PathBuf::from(l);
            if p.is_absolute() {
                p
            } else {
                base.join(p)
            }
        })
        .collect()
}

fn main() -> ExitCode {
    let options = match parse_args() {
        Ok(o) => o,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    // Engine panics are counted as failures; keep their messages off the report.
    std::panic::set_hook(Box::new(|_| {}));
    let mut files = Vec::new();
    for p in &options.paths {
        collect(p, &mut files);
    }
    let mut total = Tally::default();
    let mut fully_passing = Vec::new();
    let mut failed_files = Vec::new();
    for file in &files {
        let (tally, failures) = run_file(file, &options.engine);
        if options.per_file {
            println!(
                "{}: {} passed, {} failed",
                file.display(),
                tally.passed,
                tally.failed
            );
        }
        if options.verbose {
            for f in &failures {
                println!(
                    "FAIL {}:{}\n{}\n{}\n",
                    file.display(),
                    f.line,
                    f.sql,
                    f.detail
                );
            }
        }
        if tally.failed == 0 {
            fully_passing.push(file.clone());
        } else {
            failed_files.push(file.clone());
        }
        total.passed += tally.passed;
        total.failed += tally.failed;
    }
    let mut status = ExitCode::SUCCESS;
    if let Some(list) = &options.passing_list {
        let canon = |p: &Path| p.canonicalize().unwrap_or_else(|_| p.to_path_buf());
        let failed: Vec<PathBuf> = failed_files.iter().map(|p| canon(p)).collect();
        for must in read_list(list) {
            if failed.contains(&canon(&must)) {
                println!("REGRESSION: {} used to pass fully", must.display());
                status = ExitCode::FAILURE;
            }
        }
    }
    if let Some(out) = &options.write_passing {
        let text: String = fully_passing
            .iter()
            .map(|p| format!("{}\n", p.display()))
            .collect();
        if let Err(e) = std::fs::write(out, text) {
            eprintln!("cannot write {}: {e}", out.display());
        }
    }
    println!("{} passed, {} failed", total.passed, total.failed);
    status
}
