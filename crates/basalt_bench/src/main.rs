//! `basalt-bench`: Basalt against SQLite on the workloads of issue 7, run by hand.
//!
//! Both engines run in this one process (SQLite through rusqlite, bundled), with the same SQL
//! text and the same bound values. Each round runs every selected workload once per engine,
//! the engine going first alternating from round to round; setup (building data, creating
//! files) is never timed. Per workload it prints the median time of each engine and the ratio
//! Basalt / SQLite (below 1: Basalt is faster), and flags any workload where the two engines'
//! result rows differ. `--shell` runs the same workloads as SQL scripts through the `basalt`
//! and `sqlite3` command-line shells instead (`shell.rs`).
//!
//! `cargo run --release -p basalt_bench -- [--scale F] [--only NAME[,NAME..]] [--rounds N]
//! [--cpu] [--faults] [--shell [--basalt PATH] [--sqlite3 PATH]]`

mod engine;
mod shell;
mod workloads;

use engine::{Basalt, Db, Fingerprint, Result, Sqlite};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};
use workloads::{Setup, Sizes, Workload, WORKLOADS};

const USAGE: &str = "usage: basalt-bench [--scale F] [--only NAME[,NAME..]] [--rounds N] [--cpu] \
[--faults] [--shell [--basalt PATH] [--sqlite3 PATH]]
  --scale F    multiply the issue's sizes by F (e.g. 0.1 for a quick run; default 1)
  --only LIST  run only these workloads (comma-separated)
  --rounds N   timed rounds per workload (default 3); the median is reported
  --cpu        time CPU (user + system) instead of wall-clock time: steadier on a busy
               machine, but blind to waiting for the disk
  --faults     also print each engine's median page faults in the timed part (API runs)
  --shell      feed SQL scripts to the basalt and sqlite3 shells, timed end to end
  --basalt P   the basalt shell binary (default: next to this binary)
  --sqlite3 P  the sqlite3 binary (default: sqlite3 on PATH)";

pub struct Options {
    pub scale: f64,
    pub only: Vec<String>,
    pub rounds: usize,
    pub shell: bool,
    pub cpu: bool,
    pub faults: bool,
    pub basalt_bin: PathBuf,
    pub sqlite3_bin: PathBuf,
}

fn parse_args() -> std::result::Result<Options, String> {
    let mut o = Options {
        scale: 1.0,
        only: Vec::new(),
        rounds: 3,
        shell: false,
        cpu: false,
        faults: false,
        basalt_bin: default_basalt_bin(),
        sqlite3_bin: PathBuf::from("sqlite3"),
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = |what: &str| args.next().ok_or(format!("{what} needs a value"));
        match arg.as_str() {
            "--scale" => {
                o.scale = value("--scale")?
                    .parse()
                    .map_err(|_| "--scale takes a number")?;
                if !(o.scale > 0.0 && o.scale.is_finite()) {
                    return Err("--scale must be positive".into());
                }
            }
            "--only" => o.only = value("--only")?.split(',').map(str::to_string).collect(),
            "--rounds" => {
                o.rounds = value("--rounds")?
                    .parse()
                    .map_err(|_| "--rounds takes a count")?;
                if o.rounds == 0 {
                    return Err("--rounds must be at least 1".into());
                }
            }
            "--shell" => o.shell = true,
            "--cpu" => o.cpu = true,
            "--faults" => o.faults = true,
            "--basalt" => o.basalt_bin = PathBuf::from(value("--basalt")?),
            "--sqlite3" => o.sqlite3_bin = PathBuf::from(value("--sqlite3")?),
            "-h" | "--help" => return Err(USAGE.into()),
            other => return Err(format!("unknown option {other}\n{USAGE}")),
        }
    }
    for name in &o.only {
        if !WORKLOADS.iter().any(|w| w.name == name) {
            let names: Vec<_> = WORKLOADS.iter().map(|w| w.name).collect();
            return Err(format!(
                "no workload {name}; there are {}",
                names.join(", ")
            ));
        }
    }
    Ok(o)
}

/// `basalt` built into the same target directory as this binary.
fn default_basalt_bin() -> PathBuf {
    std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().map(|dir| dir.join("basalt")))
        .unwrap_or_else(|| PathBuf::from("basalt"))
}

/// A scratch directory removed when dropped.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new() -> Result<TempDir> {
        let dir = std::env::temp_dir().join(format!("basalt-bench-{}", std::process::id()));
        std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        Ok(TempDir(dir))
    }

    /// A fresh path in the directory: whatever an earlier round left under it is removed.
    pub fn file(&self, name: &str) -> PathBuf {
        let path = self.0.join(name);
        for suffix in ["", "-wal", "-shm", "-journal"] {
            let mut p = path.clone().into_os_string();
            p.push(suffix);
            let _ = std::fs::remove_file(p);
        }
        path
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Per-workload results: one time per round for each engine, Basalt first.
pub struct Timings {
    pub times: [Vec<Duration>; 2],
    pub mismatch: bool,
}

pub const ENGINES: [&str; 2] = ["basalt", "sqlite"];

pub fn median(times: &[Duration]) -> Duration {
    let mut t = times.to_vec();
    t.sort();
    let n = t.len();
    if n % 2 == 1 {
        t[n / 2]
    } else {
        (t[n / 2 - 1] + t[n / 2]) / 2
    }
}

pub fn print_header(what: &str, o: &Options, sizes: Sizes) {
    println!(
        "{what}: rows={} lookups={} autocommit={} tables={}, {} round(s), median {} time",
        sizes.rows,
        sizes.lookups,
        sizes.autocommit,
        sizes.tables,
        o.rounds,
        if o.cpu { "CPU" } else { "wall-clock" }
    );
    println!(
        "{:<16} {:>12} {:>12} {:>8}",
        "workload", "basalt ms", "sqlite ms", "ratio"
    );
}

pub fn print_row(name: &str, t: &Timings) {
    let (b, s) = (median(&t.times[0]), median(&t.times[1]));
    let ratio = b.as_secs_f64() / s.as_secs_f64().max(1e-9);
    println!(
        "{:<16} {:>12.1} {:>12.1} {:>8.2}{}",
        name,
        b.as_secs_f64() * 1e3,
        s.as_secs_f64() * 1e3,
        ratio,
        if t.mismatch { "  RESULTS DIFFER" } else { "" }
    );
}

fn open_basalt_file(p: &Path) -> Result<Box<dyn Db>> {
    Ok(Box::new(Basalt::open(p)?))
}

fn open_sqlite_file(p: &Path) -> Result<Box<dyn Db>> {
    Ok(Box::new(Sqlite::open(p)?))
}

type OpenMemory = fn() -> Result<Box<dyn Db>>;
pub type OpenFile = fn(&Path) -> Result<Box<dyn Db>>;

const OPEN_MEMORY: [OpenMemory; 2] = [
    || Ok(Box::new(Basalt::memory()?)),
    || Ok(Box::new(Sqlite::memory()?)),
];
const OPEN_FILE: [OpenFile; 2] = [open_basalt_file, open_sqlite_file];

/// What the API runs keep across rounds: the shared datasets and the many-tables files.
struct Fixtures {
    sizes: Sizes,
    clock: Clock,
    dir: TempDir,
    datasets: [Option<Box<dyn Db>>; 2],
    schema_files: [Option<PathBuf>; 2],
}

impl Fixtures {
    fn dataset(&mut self, e: usize) -> Result<&dyn Db> {
        if self.datasets[e].is_none() {
            let started = Instant::now();
            let db = OPEN_MEMORY[e]()?;
            workloads::build_dataset(db.as_ref(), self.sizes)?;
            eprintln!(
                "  ({} dataset built in {:.1}s)",
                ENGINES[e],
                started.elapsed().as_secs_f64()
            );
            self.datasets[e] = Some(db);
        }
        Ok(self.datasets[e].as_deref().expect("built above"))
    }

    fn schema_file(&mut self, e: usize) -> Result<PathBuf> {
        if let Some(p) = &self.schema_files[e] {
            return Ok(p.clone());
        }
        let path = self.dir.file(&format!("schema-{}.db", ENGINES[e]));
        let db = OPEN_FILE[e](&path)?;
        db.batch(&format!(
            "BEGIN;\n{}COMMIT",
            workloads::many_tables(self.sizes.tables)
        ))?;
        drop(db);
        self.schema_files[e] = Some(path.clone());
        Ok(path)
    }

    /// One timed run of `w` on engine `e`.
    fn time(&mut self, w: &Workload, e: usize, round: usize) -> Result<(Duration, Fingerprint)> {
        let (sizes, clock) = (self.sizes, self.clock);
        match w.setup {
            Setup::Dataset => {
                let db = self.dataset(e)?;
                clock.timed(|| workloads::run_api(w.name, db, sizes))
            }
            Setup::FreshMemory => {
                let db = OPEN_MEMORY[e]()?;
                db.batch(workloads::SCHEMA)?;
                clock.timed(|| workloads::run_api(w.name, db.as_ref(), sizes))
            }
            Setup::FreshWalFile => {
                let path = self.dir.file(&format!("wal-{}-{round}.db", ENGINES[e]));
                let db = OPEN_FILE[e](&path)?;
                db.batch(workloads::WAL_SETUP)?;
                db.batch(workloads::WAL_PRAGMAS)?;
                let result = clock.timed(|| workloads::run_api(w.name, db.as_ref(), sizes));
                drop(db);
                self.dir.file(&format!("wal-{}-{round}.db", ENGINES[e]));
                result
            }
            Setup::SchemaFile => {
                let path = self.schema_file(e)?;
                let started = self.clock.start();
                let (db, fp) = workloads::open_and_probe(OPEN_FILE[e], &path, sizes)?;
                let elapsed = self.clock.elapsed(&started);
                drop(db);
                Ok((elapsed, fp))
            }
        }
    }
}

/// The clock of a run: wall-clock time, or (`--cpu`) the CPU time of this process (`who` =
/// `RUSAGE_SELF`) or of its finished children (`RUSAGE_CHILDREN`, for the shells).
#[derive(Clone, Copy)]
pub struct Clock {
    pub cpu: bool,
    pub who: libc::c_int,
}

pub struct Started(Instant, Duration, u64);

thread_local! {
    /// Page faults (minor and major) of the last timed part `Clock::elapsed` measured.
    static LAST_FAULTS: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

impl Clock {
    fn usage(&self) -> libc::rusage {
        // SAFETY: getrusage writes only into the zeroed struct it is given.
        unsafe {
            let mut usage: libc::rusage = std::mem::zeroed();
            libc::getrusage(self.who, &mut usage);
            usage
        }
    }

    fn cpu_time(&self) -> Duration {
        let usage = self.usage();
        let tv = |t: libc::timeval| {
            Duration::from_secs(t.tv_sec as u64) + Duration::from_micros(t.tv_usec as u64)
        };
        tv(usage.ru_utime) + tv(usage.ru_stime)
    }

    fn faults(&self) -> u64 {
        let usage = self.usage();
        (usage.ru_minflt + usage.ru_majflt) as u64
    }

    pub fn start(&self) -> Started {
        let cpu = if self.cpu {
            self.cpu_time()
        } else {
            Duration::ZERO
        };
        Started(Instant::now(), cpu, self.faults())
    }

    pub fn elapsed(&self, started: &Started) -> Duration {
        LAST_FAULTS.set(self.faults().saturating_sub(started.2));
        if self.cpu {
            self.cpu_time().saturating_sub(started.1)
        } else {
            started.0.elapsed()
        }
    }

    fn timed(&self, f: impl FnOnce() -> Result<Fingerprint>) -> Result<(Duration, Fingerprint)> {
        let started = self.start();
        let fp = f()?;
        Ok((self.elapsed(&started), fp))
    }
}

/// Runs `rounds` rounds of one workload, alternating which engine goes first.
pub fn alternate(
    rounds: usize,
    mut run: impl FnMut(usize, usize) -> Result<(Duration, Fingerprint)>,
) -> Result<Timings> {
    let mut t = Timings {
        times: [Vec::new(), Vec::new()],
        mismatch: false,
    };
    for round in 0..rounds {
        let order = if round % 2 == 0 { [0, 1] } else { [1, 0] };
        let mut fps = [Fingerprint::default(); 2];
        for e in order {
            let (elapsed, fp) = run(e, round)?;
            t.times[e].push(elapsed);
            fps[e] = fp;
        }
        t.mismatch |= fps[0] != fps[1];
    }
    Ok(t)
}

pub fn selected(o: &Options) -> Vec<&'static Workload> {
    WORKLOADS
        .iter()
        .filter(|w| o.only.is_empty() || o.only.iter().any(|n| n == w.name))
        .collect()
}

fn run_api(o: &Options) -> Result<()> {
    let sizes = Sizes::scaled(o.scale);
    let mut fixtures = Fixtures {
        sizes,
        clock: Clock {
            cpu: o.cpu,
            who: libc::RUSAGE_SELF,
        },
        dir: TempDir::new()?,
        datasets: [None, None],
        schema_files: [None, None],
    };
    print_header("API (basalt_core vs rusqlite)", o, sizes);
    for w in selected(o) {
        let mut faults = [Vec::new(), Vec::new()];
        let t = alternate(o.rounds, |e, round| {
            let timed = fixtures.time(w, e, round)?;
            faults[e].push(LAST_FAULTS.get());
            Ok(timed)
        })
        .map_err(|e| format!("{}: {e}", w.name))?;
        print_row(w.name, &t);
        if o.faults {
            let median = |f: &mut Vec<u64>| {
                f.sort_unstable();
                f[f.len() / 2]
            };
            println!(
                "{:<16} {:>12} {:>12}  (page faults, median)",
                "",
                median(&mut faults[0]),
                median(&mut faults[1])
            );
        }
    }
    Ok(())
}

fn main() -> ExitCode {
    let options = match parse_args() {
        Ok(o) => o,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::FAILURE;
        }
    };
    let result = if options.shell {
        shell::run(&options)
    } else {
        run_api(&options)
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
