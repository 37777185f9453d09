//! `--shell`: the workloads as SQL scripts fed on standard input to the `basalt` shell and to
//! `sqlite3`, each run timed end to end (process start, parsing every statement, output).
//!
//! Scripts are generated once from the same definitions as the API runs (`workloads.rs`): a
//! bound statement becomes one statement per row with the values written as literals, so the
//! point-select workloads parse every lookup, as a script would. Both shells get the very same
//! script files. Data is built by each shell itself into its own database file (untimed); a
//! run that writes anything to standard error counts as a failure, and the two shells'
//! standard outputs are compared.

use crate::engine::{Fingerprint, Param, Result};
use crate::workloads::{self, Setup, Sizes, Workload};
use crate::{Clock, Options, TempDir, ENGINES};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

/// `sql` with each `?N` replaced by the literal of `params[N - 1]`.
fn inline(sql: &str, params: &[Param]) -> String {
    let mut out = String::with_capacity(sql.len() + 32);
    let mut chars = sql.char_indices().peekable();
    while let Some((_, c)) = chars.next() {
        if c != '?' {
            out.push(c);
            continue;
        }
        let mut n = 0usize;
        while let Some((_, d)) = chars.peek().filter(|(_, d)| d.is_ascii_digit()) {
            n = n * 10 + (*d as usize - '0' as usize);
            chars.next();
        }
        match n.checked_sub(1).and_then(|i| params.get(i)) {
            Some(p) => out.push_str(&p.literal()),
            None => out.push('?'),
        }
    }
    out
}

/// `n` statements: `sql` with the parameters `bind` gives for each.
fn repeated(
    script: &mut String,
    sql: &str,
    n: usize,
    bind: &mut dyn FnMut(usize, &mut Vec<Param>),
) {
    let mut params = Vec::new();
    for i in 0..n {
        params.clear();
        bind(i, &mut params);
        let _ = writeln!(script, "{};", inline(sql, &params));
    }
}

fn dataset_script(sizes: Sizes) -> String {
    let mut s = format!("{};\nBEGIN;\n", workloads::SCHEMA);
    repeated(
        &mut s,
        workloads::INSERT_T,
        sizes.rows,
        &mut workloads::t_row,
    );
    s.push_str("COMMIT;\nBEGIN;\n");
    repeated(&mut s, workloads::INSERT_U, sizes.rows / 10, &mut |i, p| {
        workloads::u_row(i, sizes.rows, p)
    });
    s.push_str("COMMIT;\n");
    s
}

/// The untimed setup script (run on a fresh file each round, or once for shared fixtures) and
/// the timed script of workload `w`.
fn scripts(w: &Workload, sizes: Sizes) -> (String, String) {
    let rows = sizes.rows;
    let mut timed = String::new();
    let setup = match w.name {
        "insert" => {
            timed.push_str("BEGIN;\n");
            repeated(&mut timed, workloads::INSERT_T, rows, &mut workloads::t_row);
            timed.push_str("COMMIT;\n");
            format!("{};\n", workloads::SCHEMA)
        }
        "point_rowid" => {
            repeated(
                &mut timed,
                workloads::POINT_ROWID,
                sizes.lookups,
                &mut |i, p| p.push(Param::Int(workloads::probe(i, rows) as i64)),
            );
            String::new()
        }
        "point_index" => {
            repeated(
                &mut timed,
                workloads::POINT_INDEX,
                sizes.lookups,
                &mut |i, p| p.push(Param::Int(workloads::key_of(workloads::probe(i, rows)))),
            );
            String::new()
        }
        "wal_autocommit" => {
            let _ = writeln!(timed, "{};", workloads::WAL_PRAGMAS);
            repeated(
                &mut timed,
                workloads::INSERT_W,
                sizes.autocommit,
                &mut workloads::w_row,
            );
            format!("{};\n", workloads::WAL_SETUP)
        }
        "open_schema" => {
            let _ = writeln!(timed, "{};", workloads::schema_probe(sizes.tables));
            format!("BEGIN;\n{}COMMIT;\n", workloads::many_tables(sizes.tables))
        }
        name => {
            let sql = match name {
                "scan_agg" => workloads::SCAN_AGG,
                "order_by" => workloads::ORDER_BY,
                "join" => workloads::JOIN,
                _ => workloads::GROUP_BY,
            };
            let _ = writeln!(timed, "{sql};");
            String::new()
        }
    };
    (setup, timed)
}

struct ShellRun<'a> {
    clock: Clock,
    bins: [&'a Path; 2],
    dir: &'a TempDir,
}

impl ShellRun<'_> {
    /// Runs `script` through shell `e` on `db`; returns the time and a digest of its output.
    fn run(&self, e: usize, db: &Path, script: &Path) -> Result<(Duration, Fingerprint)> {
        let input =
            std::fs::File::open(script).map_err(|err| format!("{}: {err}", script.display()))?;
        let started = self.clock.start();
        let out = Command::new(self.bins[e])
            .arg(db)
            .stdin(input)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .output()
            .map_err(|err| format!("{}: {err}", self.bins[e].display()))?;
        let elapsed = self.clock.elapsed(&started);
        if !out.status.success() || !out.stderr.is_empty() {
            return Err(format!(
                "{} failed ({}): {}",
                ENGINES[e],
                out.status,
                String::from_utf8_lossy(&out.stderr)
                    .lines()
                    .next()
                    .unwrap_or("")
            ));
        }
        let fp = Fingerprint {
            rows: out.stdout.iter().filter(|b| **b == b'\n').count() as u64,
            hash: out.stdout.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
                (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
            }),
        };
        Ok((elapsed, fp))
    }

    fn write(&self, name: &str, text: &str) -> Result<PathBuf> {
        let path = self.dir.file(name);
        std::fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display()))?;
        Ok(path)
    }
}

pub fn run(o: &Options) -> Result<()> {
    let sizes = Sizes::scaled(o.scale);
    let dir = TempDir::new()?;
    let sh = ShellRun {
        clock: Clock {
            cpu: o.cpu,
            who: libc::RUSAGE_CHILDREN,
        },
        bins: [&o.basalt_bin, &o.sqlite3_bin],
        dir: &dir,
    };
    let mut datasets: [Option<PathBuf>; 2] = [None, None];
    crate::print_header("shells (basalt vs sqlite3, stdin scripts)", o, sizes);
    for w in crate::selected(o) {
        let (setup, timed) = scripts(w, sizes);
        let setup_path = sh.write(&format!("{}-setup.sql", w.name), &setup)?;
        let timed_path = sh.write(&format!("{}.sql", w.name), &timed)?;
        if w.setup == Setup::Dataset && datasets[0].is_none() {
            let script = sh.write("dataset.sql", &dataset_script(sizes))?;
            for e in 0..2 {
                let db = dir.file(&format!("dataset-{}.db", ENGINES[e]));
                sh.run(e, &db, &script)?;
                datasets[e] = Some(db);
            }
        }
        let mut fixed: [Option<PathBuf>; 2] = [None, None];
        let t = crate::alternate(o.rounds, |e, round| {
            let db = match w.setup {
                Setup::Dataset => datasets[e].clone().expect("built above"),
                Setup::SchemaFile if fixed[e].is_some() => fixed[e].clone().expect("checked"),
                _ => {
                    let db = dir.file(&format!("{}-{}-{round}.db", w.name, ENGINES[e]));
                    sh.run(e, &db, &setup_path)?;
                    if w.setup == Setup::SchemaFile {
                        fixed[e] = Some(db.clone());
                    }
                    db
                }
            };
            sh.run(e, &db, &timed_path)
        })
        .map_err(|e| format!("{}: {e}", w.name))?;
        crate::print_row(w.name, &t);
    }
    Ok(())
}
