//! One simulation run: a seed's schema and steps, executed against Basalt on the simulation
//! backend, with every property checked against the reference model after each step.
//!
//! The model: `committed` is the database as of the last transaction that was reported
//! committed; each connection in an explicit transaction has a read view (the committed state
//! when its snapshot began) and, once it holds the writer lock, its own working copy. Outcomes
//! the engine may legitimately choose (SQLITE_BUSY for a second writer or a stale snapshot) are
//! predicted exactly, so a wrong one is a violation too.
//!
//! A commit that fails (an injected fault, or the crash that ends it) is *in doubt*: its frames
//! may or may not be in the log. The live database must then show either outcome, and after a
//! crash either is accepted until a later commit settles it (a later commit appends over the
//! failed one's frames).

use crate::check::{self, describe, run_sql, DB_PATH};
use crate::workload::{self, Db, Op, Step, Table, CONNECTIONS};
use basalt_core::connection::Connection;
use basalt_core::io::{Io, SimConfig, SimIo, SimRng, SimStats};
use basalt_core::pager::{Pager, PagerOptions};
use basalt_core::{Error, ErrorCode};
use std::sync::Arc;

/// How often (in steps) the full database checks run besides after crashes and at the end.
const FULL_CHECK_EVERY: usize = 25;

#[derive(Debug, Clone)]
pub struct RunOptions {
    pub seed: u64,
    pub steps: usize,
    /// Run only these step indices (a replay of a shrunk workload).
    pub keep: Option<Vec<usize>>,
    /// Hand copies of the files to SQLite at every full check.
    pub sqlite: bool,
    /// Print every step and its outcome.
    pub verbose: bool,
}

#[derive(Debug)]
pub struct Summary {
    pub trace_hash: u64,
    pub steps: usize,
    pub io: SimStats,
    pub commits: u64,
}

#[derive(Debug, Clone)]
pub struct Failure {
    pub step: usize,
    pub message: String,
}

/// The machine a seed simulates: derived from the seed, so it is part of the reproduction.
pub fn config_for(seed: u64) -> SimConfig {
    let mut rng = SimRng::new(seed ^ 0x5eed_c0f1);
    SimConfig {
        immediate_percent: rng.below(101) as u32,
        fault_per_10k: [0, 30, 100, 300][rng.below(4) as usize],
        crash_per_10k: [0, 5, 20][rng.below(3) as usize],
        reorder_on_crash: rng.chance(5_000),
    }
}

/// The schema and the full step list of a seed.
pub fn workload(seed: u64, steps: usize) -> (Vec<Table>, Vec<Step>) {
    let mut rng = SimRng::new(seed);
    let tables = workload::schema(&mut rng);
    let steps = workload::steps(&mut rng, &tables, steps, true);
    (tables, steps)
}

#[derive(Default)]
struct Txn {
    /// The commit count and committed state when the read snapshot began.
    snapshot: Option<(u64, Db)>,
    /// The working copy once this transaction holds the writer lock.
    work: Option<Db>,
    /// Whether its commit will write pages (and so make other snapshots stale).
    dirty: bool,
}

struct Sim {
    tables: Vec<Table>,
    io: Arc<SimIo>,
    conns: Vec<Option<Connection>>,
    /// Each connection's explicit transaction (`None` in autocommit mode).
    txns: Vec<Option<Txn>>,
    committed: Db,
    /// Commits so far: a snapshot older than this cannot write.
    version: u64,
    /// States a failed commit may have left in the files (see the module documentation).
    in_doubt: Vec<Db>,
    trace: Vec<String>,
    verbose: bool,
    sqlite: bool,
    seed: u64,
}

/// What a step that hit a fault or crash may have committed.
type Candidate = Option<Db>;

type Check = std::result::Result<(), String>;

fn is_fault(e: &Error) -> bool {
    matches!(e.code, ErrorCode::IoErr | ErrorCode::Full)
}

fn fnv(text: &str, mut hash: u64) -> u64 {
    for b in text.bytes() {
        hash ^= u64::from(b);
        hash = hash.wrapping_mul(0x100_0000_01b3);
    }
    hash
}

impl Sim {
    fn io_dyn(&self) -> Arc<dyn Io> {
        self.io.clone()
    }

    fn log(&mut self, index: usize, step: &Step, outcome: &str) {
        let line = format!("{index} {step} -> {outcome}");
        if self.verbose {
            println!("{line}");
        }
        self.trace.push(line);
    }

    /// The rows connection `c` must see, and whether it is in an explicit transaction.
    fn view(&self, c: usize) -> &Db {
        match &self.txns[c] {
            Some(Txn { work: Some(w), .. }) => w,
            Some(Txn {
                snapshot: Some((_, s)),
                ..
            }) => s,
            _ => &self.committed,
        }
    }

    fn open(&mut self, c: usize) -> Result<(), Error> {
        if self.conns[c].is_none() {
            self.conns[c] = Some(Connection::open_with_io(self.io_dyn(), DB_PATH)?);
        }
        Ok(())
    }

    fn conn(&self, c: usize) -> &Connection {
        self.conns[c]
            .as_ref()
            .expect("the simulator opens a connection before using it")
    }

    /// Runs `sql` on connection `c` with faults off (the simulator's own bookkeeping).
    fn quiet_sql(&mut self, c: usize, sql: &str) -> Result<(), Error> {
        self.io.set_faults(false);
        let result = self
            .open(c)
            .and_then(|()| run_sql(&self.io, self.conn(c), sql).map(|_| ()));
        self.io.set_faults(true);
        result
    }

    fn step(&mut self, index: usize, step: &Step) -> Check {
        // The machine's choices during a step depend on the seed and the step alone, so a
        // shrunk workload meets the same faults in the steps it keeps.
        self.io
            .reseed(self.seed ^ (index as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15));
        if self.all_closed() && !matches!(step.op, Op::Crash | Op::Reopen) {
            // A failed reopen closed the last connection: the next open recovers the database
            // from its files. The simulator does that (quietly) first, so that the step's
            // outcome is predicted from what recovery settled.
            self.quiet_open(step.conn)
                .map_err(|e| format!("opening alone: {}", describe(&e)))?;
            self.settle_recovered(step.conn, "after the last connection closed")?;
        }
        let faults_before = self.io.stats();
        let (outcome, candidate) = match &step.op {
            Op::Crash => {
                self.io.crash();
                ("crash".to_string(), None)
            }
            Op::Reopen => {
                self.conns[step.conn] = None;
                self.txns[step.conn] = None;
                let recovers = self.all_closed();
                match self.open(step.conn) {
                    Ok(()) if recovers => {
                        self.settle_recovered(step.conn, "after the last connection closed")?;
                        ("reopened alone".to_string(), None)
                    }
                    Ok(()) => ("reopened".to_string(), None),
                    Err(e) if is_fault(&e) => (format!("open failed: {}", describe(&e)), None),
                    Err(e) => return Err(format!("reopen failed: {}", describe(&e))),
                }
            }
            Op::Checkpoint(mode) => (self.checkpoint(*mode, faults_before)?, None),
            op => self.statement(step.conn, op, faults_before)?,
        };
        self.log(index, step, &outcome);
        let unfinished = self.io.pending_mutations();
        if unfinished > 0 && !self.io.has_crashed() {
            return Err(format!(
                "{unfinished} writes or syncs still unfinished when the step returned"
            ));
        }
        if self.io.has_crashed() {
            self.recover(candidate)?;
        }
        Ok(())
    }

    fn checkpoint(
        &mut self,
        mode: basalt_core::wal::CheckpointMode,
        faults: SimStats,
    ) -> Result<String, String> {
        let result = Pager::open(self.io_dyn(), DB_PATH, &PagerOptions::default())
            .and_then(|mut pager| pager.checkpoint(mode));
        match result {
            Ok(r) => Ok(format!(
                "checkpoint busy={} log={} done={}",
                r.busy, r.log_frames, r.checkpointed_frames
            )),
            Err(e) if e.code == ErrorCode::Busy => Ok("checkpoint busy".to_string()),
            Err(e)
                if is_fault(&e)
                    && (self.io.stats().faults > faults.faults || self.io.has_crashed()) =>
            {
                Ok(format!("checkpoint failed: {}", describe(&e)))
            }
            Err(e) => Err(format!(
                "checkpoint failed without a fault: {}",
                describe(&e)
            )),
        }
    }

    /// One SQL statement on connection `c`: predict, run, compare, update the model.
    fn statement(
        &mut self,
        c: usize,
        op: &Op,
        faults: SimStats,
    ) -> Result<(String, Candidate), String> {
        let sql = workload::sql(&self.tables, op).expect("statement steps have SQL");
        let explicit = self.txns[c].is_some();
        let holds_lock = |t: &Option<Txn>| t.as_ref().is_some_and(|t| t.work.is_some());
        let other_writer = (0..CONNECTIONS).any(|d| d != c && holds_lock(&self.txns[d]));
        let stale = match &self.txns[c] {
            Some(Txn {
                snapshot: Some((v, _)),
                work: None,
                ..
            }) => *v != self.version,
            _ => false,
        };
        let busy = workload::is_write(op) && (other_writer || stale);
        let mut after = self.view(c).clone();
        let applied = workload::apply(&self.tables, &mut after, op);
        let constraint = applied.is_err();
        let changes = applied.unwrap_or(false);
        // What a commit-like step would make durable, should it fail half-way.
        let candidate = match op {
            Op::Commit => self.txns[c].as_ref().and_then(|t| t.work.clone()),
            op if workload::is_write(op) && !explicit => Some(after.clone()),
            _ => None,
        };
        let result = self
            .open(c)
            .and_then(|()| run_sql(&self.io, self.conn(c), &sql));
        let stats = self.io.stats();
        let faulted = stats.faults > faults.faults || self.io.has_crashed();
        let write_faulted = stats.write_faults > faults.write_faults;
        let rows = match result {
            Ok(Err(violation)) => return Err(violation),
            Err(e) if faulted && is_fault(&e) => {
                let outcome = format!("fault: {}", describe(&e));
                if self.io.has_crashed() {
                    return Ok((outcome, candidate));
                }
                self.resync(c, candidate)?;
                return Ok((outcome, None));
            }
            Err(e) if faulted && self.io.has_crashed() => {
                return Err(format!("a crash surfaced as {}", describe(&e)))
            }
            Err(e) => {
                let expected = match op {
                    Op::Begin => explicit,
                    Op::Commit | Op::Rollback => !explicit,
                    _ if busy => e.code == ErrorCode::Busy,
                    _ => constraint && e.code == ErrorCode::Constraint,
                };
                let ok_code = match op {
                    Op::Begin | Op::Commit | Op::Rollback => e.code == ErrorCode::Error,
                    _ => true,
                };
                if !(expected && ok_code) {
                    return Err(format!("`{sql}` failed unexpectedly: {}", describe(&e)));
                }
                if constraint && !busy && explicit {
                    // The failed statement still took the writer lock for the transaction.
                    let view = self.view(c).clone();
                    if let Some(t) = &mut self.txns[c] {
                        t.work = Some(view);
                    }
                }
                // A busy statement leaves the transaction as it was: one that had not read yet
                // asks for the writer lock before taking a snapshot, and gives nothing back
                // when it fails (SQLite's busy handler, as the engine follows it).
                return Ok((format!("error {:?}", e.code), None));
            }
            Ok(Ok(rows)) => rows,
        };
        // A commit may run an automatic checkpoint whose failure SQLite (and Basalt) ignore by
        // design; a commit that swallowed a fault of its own would lose data, which the
        // durability and correctness checks catch.
        let commits = candidate.is_some();
        if write_faulted && !commits && !self.io.has_crashed() {
            return Err(format!(
                "`{sql}` succeeded although an injected write or sync fault hit it"
            ));
        }
        if busy {
            return Err(format!(
                "`{sql}` succeeded although it should be SQLITE_BUSY"
            ));
        }
        if constraint {
            return Err(format!("`{sql}` succeeded although the row exists"));
        }
        if matches!(op, Op::Begin) && explicit {
            return Err("BEGIN inside a transaction succeeded".to_string());
        }
        if matches!(op, Op::Commit | Op::Rollback) && !explicit {
            return Err(format!("{sql} outside a transaction succeeded"));
        }
        let expected = workload::expected_rows(&self.tables, self.view(c), op);
        if rows != expected {
            return Err(format!(
                "`{sql}` returned {} rows, the model {}: first difference at {:?}",
                rows.len(),
                expected.len(),
                rows.iter().zip(&expected).position(|(a, b)| a != b)
            ));
        }
        let outcome = format!("ok {} rows", rows.len());
        match op {
            Op::Begin => self.txns[c] = Some(Txn::default()),
            Op::Rollback => self.txns[c] = None,
            Op::Commit => {
                if let Some(Txn {
                    work: Some(work),
                    dirty,
                    ..
                }) = self.txns[c].take()
                {
                    self.commit(work, dirty);
                }
            }
            op if workload::is_write(op) && explicit => {
                if let Some(t) = &mut self.txns[c] {
                    t.work = Some(after);
                    t.dirty |= changes;
                }
            }
            op if workload::is_write(op) => self.commit(after, changes),
            _ => self.begin_snapshot(c),
        }
        Ok((
            outcome,
            if self.io.has_crashed() {
                candidate
            } else {
                None
            },
        ))
    }

    /// Connection `c`'s explicit transaction read the database: its snapshot is now fixed.
    fn begin_snapshot(&mut self, c: usize) {
        let (version, committed) = (self.version, &self.committed);
        if let Some(t @ Txn { snapshot: None, .. }) = &mut self.txns[c] {
            t.snapshot = Some((version, committed.clone()));
        }
    }

    fn commit(&mut self, db: Db, wrote_pages: bool) {
        self.committed = db;
        if wrote_pages {
            self.version += 1;
            self.in_doubt.clear();
        }
    }

    /// After a statement failed with an injected fault: end the connection's transaction as an
    /// application would, then find out which outcome the database shows and adopt it.
    fn resync(&mut self, c: usize, candidate: Candidate) -> Check {
        if self.txns[c].take().is_some() {
            if let Err(e) = self.quiet_sql(c, "ROLLBACK") {
                if e.code != ErrorCode::Error {
                    return Err(format!("ROLLBACK after a fault failed: {}", describe(&e)));
                }
            }
        }
        self.io.set_faults(false);
        let seen = match self.open(c) {
            Ok(()) => check::read_all(&self.io, self.conn(c), &self.tables),
            Err(e) => Err(format!("opening after a fault: {}", describe(&e))),
        };
        self.io.set_faults(true);
        let seen = seen?;
        if seen == self.committed {
            if candidate.is_some() {
                self.in_doubt.extend(candidate);
            }
            Ok(())
        } else if Some(&seen) == candidate.as_ref() {
            let before = std::mem::replace(&mut self.committed, seen);
            self.version += 1;
            self.in_doubt.push(before);
            Ok(())
        } else {
            Err("after a failed statement the database shows neither outcome".to_string())
        }
    }

    /// The process died: drop every connection (their closing checkpoints fail on the dead
    /// machine), reboot, reopen, and check durability and consistency.
    fn recover(&mut self, candidate: Candidate) -> Check {
        if candidate.is_some() {
            self.in_doubt.extend(candidate);
        }
        self.conns.iter_mut().for_each(|c| *c = None);
        self.txns.iter_mut().for_each(|t| *t = None);
        self.io.reboot();
        self.quiet_open(0)
            .map_err(|e| format!("reopen after crash: {}", describe(&e)))?;
        self.settle_recovered(0, "after the crash")?;
        self.full_check()
    }

    fn all_closed(&self) -> bool {
        self.conns.iter().all(Option::is_none)
    }

    fn quiet_open(&mut self, c: usize) -> Result<(), Error> {
        self.io.set_faults(false);
        let result = self.open(c);
        self.io.set_faults(true);
        result
    }

    /// Connection `c` was just opened with no other connection open (after a crash, or after
    /// the last one closed): it recovered the database from its files. A commit that failed
    /// earlier (in doubt) may have reached the log intact, and recovery then keeps it, as
    /// SQLite's does; anything but the committed state or an in-doubt one is a violation.
    fn settle_recovered(&mut self, c: usize, when: &str) -> Check {
        self.io.set_faults(false);
        let seen = check::read_all(&self.io, self.conn(c), &self.tables);
        self.io.set_faults(true);
        let seen = seen?;
        if seen != self.committed && !self.in_doubt.contains(&seen) {
            return Err(format!(
                "durability: {when} the database is not the committed state: {}",
                difference(&self.committed, &seen)
            ));
        }
        self.commit(seen, true);
        Ok(())
    }

    /// Everything about the database as a whole: each idle connection's view, Basalt's and
    /// SQLite's integrity checks, SQLite's reading of the files.
    fn full_check(&mut self) -> Check {
        self.io.set_faults(false);
        let result = self.full_check_quiet();
        self.io.set_faults(true);
        result
    }

    fn full_check_quiet(&mut self) -> Check {
        for c in 0..CONNECTIONS {
            if self.txns[c].is_none() && self.conns[c].is_some() {
                let seen = check::read_all(&self.io, self.conn(c), &self.tables)?;
                if seen != self.committed {
                    return Err(format!(
                        "connection {c} does not see the committed state: {}",
                        difference(&self.committed, &seen)
                    ));
                }
            }
        }
        check::basalt_integrity(&self.io)?;
        if let Some(c) =
            (0..CONNECTIONS).find(|&c| self.txns[c].is_none() && self.conns[c].is_some())
        {
            check::integrity_pragma(&self.io, self.conn(c))?;
        }
        if self.sqlite {
            let seen = check::sqlite_view(&self.io, &self.tables)?;
            if seen != self.committed && !self.in_doubt.contains(&seen) {
                return Err(format!(
                    "SQLite reads something other than the committed state: {}",
                    difference(&self.committed, &seen)
                ));
            }
        }
        Ok(())
    }
}

/// The first difference between the model and what was read, in a few words (no numbers that
/// would vary between a failure and its shrunk form beyond the table and row).
fn difference(model: &Db, seen: &Db) -> String {
    for (table, rows) in model {
        let Some(other) = seen.get(table) else {
            return format!("table {table} missing");
        };
        let ids = rows.keys().chain(other.keys());
        if let Some(id) = ids.into_iter().find(|id| rows.get(id) != other.get(id)) {
            let what = match (rows.get(id), other.get(id)) {
                (Some(_), None) => "a committed row is missing",
                (None, Some(_)) => "an uncommitted or deleted row is present",
                _ => "a row has other values",
            };
            return format!("{table} id {id}: {what}");
        }
    }
    "extra tables".to_string()
}

/// Runs a seed (or the kept subset of its steps). A panic inside the engine is a failure too.
pub fn run(options: &RunOptions) -> Result<Summary, Failure> {
    let (tables, steps) = workload(options.seed, options.steps);
    let io = Arc::new(SimIo::new(options.seed, config_for(options.seed)));
    let mut sim = Sim {
        tables,
        io,
        conns: (0..CONNECTIONS).map(|_| None).collect(),
        txns: (0..CONNECTIONS).map(|_| None).collect(),
        committed: Db::new(),
        version: 0,
        in_doubt: Vec::new(),
        trace: Vec::new(),
        verbose: options.verbose,
        sqlite: options.sqlite,
        seed: options.seed,
    };
    let setup = |sim: &mut Sim| -> Check {
        for t in sim.tables.clone() {
            sim.quiet_sql(0, &t.create_sql())
                .map_err(|e| format!("setup: {}", describe(&e)))?;
            sim.committed.insert(t.name.clone(), Default::default());
        }
        sim.io.set_faults(true);
        Ok(())
    };
    guarded(|| setup(&mut sim)).map_err(|message| Failure { step: 0, message })?;
    let mut ran = 0;
    for (index, step) in steps.iter().enumerate() {
        if options.keep.as_ref().is_some_and(|k| !k.contains(&index)) {
            continue;
        }
        ran += 1;
        let checked = guarded(|| {
            sim.step(index, step)?;
            if index % FULL_CHECK_EVERY == FULL_CHECK_EVERY - 1 {
                sim.full_check()?;
            }
            Ok(())
        });
        checked.map_err(|message| Failure {
            step: index,
            message,
        })?;
    }
    guarded(|| sim.full_check()).map_err(|message| Failure {
        step: steps.len(),
        message,
    })?;
    let hash = sim
        .trace
        .iter()
        .fold(0xcbf2_9ce4_8422_2325, |h, l| fnv(l, h));
    Ok(Summary {
        trace_hash: fnv(&format!("{:x}", sim.io.trace_hash()), hash),
        steps: ran,
        io: sim.io.stats(),
        commits: sim.version,
    })
}

/// Runs `f`, turning a panic into a property violation with its message.
fn guarded(f: impl FnOnce() -> Check) -> Check {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)) {
        Ok(result) => result,
        Err(panic) => {
            let text = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            Err(format!("panic: {text}"))
        }
    }
}
