//! The interpreter loop: runs a `Program` until it yields a row, finishes, fails, or has to wait
//! for I/O.
//!
//! Restartability (see the module doc in `mod.rs`): every instruction that calls into the b-tree
//! does so before it writes a register, moves `pc` or counts anything, so an `IoPending` from
//! that call leaves the VM exactly as it was before the instruction.

use super::cursor::{Kind, OrderedRecord, VCursor};
use super::func::{CallContext, Random, Scalar};
use super::insn::{CmpSpec, Insn, NullMode, OnError, Root};
use super::sorter::Sorter;
use super::value::{apply_storage_affinity, compare_with_affinity, real_affinity_on_read};
use super::Program;
use crate::btree::{create_tree, drop_tree, SeekOp};
use crate::error::{extended, Error, ErrorCode, Result};
use crate::functions::{AuxData, FunctionCall, FunctionKind};
use crate::hooks::UpdateReport;
use crate::pager::{PageNo, Pager};
use crate::record::{compare_unpacked, encode_record, Collation, Value, ValueRef};
use crate::schema::Db;
use crate::sql::affinity::Affinity;
use crate::sql::agg::Aggregate;
use crate::sql::arith::{arith, bit_not, bitwise, concat, negate};
use crate::sql::compare::{self, truth};
use crate::sql::convert::cast;
use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, Ordering as AtomicOrdering};
use std::sync::Arc;

/// What one call to `step` produced.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StepResult {
    /// A result row is ready (`Vm::row`).
    Row,
    /// The program ran to its end.
    Done,
    /// An instruction is waiting for I/O: drive the backend, then call `step` again.
    IoPending,
}

/// Instructions run between two looks at the interrupt flag.
const INTERRUPT_CHECK_INTERVAL: u32 = 1024;

/// The connection-wide state a running program reads and updates.
#[derive(Debug, Default)]
pub struct ConnState {
    pub last_insert_rowid: i64,
    /// `changes()`: rows changed by the last INSERT, UPDATE or DELETE.
    pub changes: i64,
    /// Rows changed by every statement that kept its changes, counted when each one ends (so
    /// not the running statement's, and never undone ones), as SQLite counts them.
    pub total_changes: i64,
    /// `PRAGMA case_sensitive_like`.
    pub case_sensitive_like: bool,
    /// The generator behind `random()` and `randomblob()`.
    pub random: Random,
    /// The schema cookie as of the catalog the connection holds.
    pub schema_cookie: u32,
    pub interrupt: Arc<AtomicBool>,
    /// Outside BEGIN ... COMMIT each statement is its own transaction.
    pub autocommit: bool,
    /// The open `SAVEPOINT`s (empty in autocommit mode).
    pub savepoints: super::savepoint::Savepoints,
    /// The application's commit, rollback and progress callbacks.
    pub hooks: crate::hooks::Hooks,
}

/// Everything a program needs from its connection while it runs.
pub struct Env<'a> {
    /// The `main` database.
    pub pager: &'a mut Pager,
    /// The `temp` database, `None` until a `Transaction` on it creates it.
    pub temp: &'a mut Option<Pager>,
    pub conn: &'a mut ConnState,
}

impl Env<'_> {
    /// The pager of database `db`; `temp` must have been opened by a `Transaction` on it.
    #[inline]
    pub fn db(&mut self, db: Db) -> Result<&mut Pager> {
        match db {
            Db::Main => Ok(self.pager),
            Db::Temp => self
                .temp
                .as_mut()
                .ok_or_else(|| Error::new(ErrorCode::Internal, "temp database used before open")),
        }
    }

    /// The pager of `db`, creating the `temp` database (a private in-memory pager) if this is
    /// its first use.
    fn open_db(&mut self, db: Db) -> Result<&mut Pager> {
        if db == Db::Temp && self.temp.is_none() {
            let io: Arc<dyn crate::io::Io> = Arc::new(crate::io::MemoryIo::new());
            let mut pager = Pager::open(io, ":memory:", &Default::default())?;
            // An empty schema table to read from the start, as SQLite's new temp file has.
            pager.begin_write()?;
            pager.commit()?;
            *self.temp = Some(pager);
        }
        self.db(db)
    }
}

/// One execution of a program: registers, cursors, aggregate states, counters.
pub struct Vm {
    /// `Rc`, not `Arc`: a VM never leaves its thread, and `run` takes a handle per step.
    program: Rc<Program>,
    pc: usize,
    regs: Vec<Value>,
    /// The text and blob buffers the registers held when the last run ended, emptied, for the
    /// next run's `Column`s to copy into without allocating. At most one per register;
    /// buffers above `SPARE_BUFFER_MAX` bytes are freed instead.
    spare_buffers: Vec<Vec<u8>>,
    /// Whether a `Once` ran since the last reset (`once` then needs clearing).
    once_used: bool,
    /// Boxed: a statement run once per row moves its cursors between these tables on every run.
    cursors: Vec<Option<Box<VCursor>>>,
    /// B-tree cursors of the previous run, reused by the next run's opens (`VCursor::btree`).
    /// Boxed like `cursors`, so that a cursor moves between the two as a pointer.
    #[allow(clippy::vec_box)]
    spare_cursors: Vec<Box<VCursor>>,
    /// Window partition buffers, by the slot their `WindowOpen` names.
    windows: HashMap<usize, super::window::WindowBuffer>,
    /// Aggregate states, created by the first `AggStep` of a group.
    aggs: Vec<Option<Box<dyn Aggregate>>>,
    /// Application functions' aux data, by the address of the call (`sqlite3_set_auxdata`).
    aux: HashMap<usize, AuxData>,
    once: Vec<bool>,
    params: Vec<Value>,
    row: (usize, usize),
    halted: bool,
    /// Rows this execution changed (`changes()`).
    pub changes: i64,
    /// Whether this execution has written to the database.
    pub wrote: bool,
    /// Whether it asked for a write transaction.
    pub writes: bool,
    /// Whether a DDL instruction changed the schema.
    pub schema_changed: bool,
    /// The error kind of the last failure.
    pub on_error: OnError,
    /// The pager savepoints (by database) that make this statement atomic inside a transaction.
    pub savepoints: [Option<usize>; 2],
    /// Whether the program needs those savepoints (`journal.rs`): decided once per program.
    statement_journal: bool,
    /// Whether a b-tree write began without a savepoint to undo it (the statement's failure
    /// must then roll back the whole transaction).
    pub unjournaled_write: bool,
    /// The instruction countdown (`step`): instructions left before the next look at the
    /// interrupt flag or the progress handler, the length of the window it counts down, and
    /// instructions left until the interrupt flag is due. Every instruction run costs one
    /// decrement; `steps`, `ops_since_progress` and the interrupt interval catch up with the
    /// spent part of the window at its end or when `step` returns (`settle`).
    left: u32,
    window: u32,
    until_interrupt_check: u32,
    /// `'now'` for this execution: read from the clock at its first use, kept until reset.
    now_ms: Option<i64>,
    /// Instructions started since the statement was prepared (SQLITE_STMTSTATUS_VM_STEP; not
    /// cleared by `reset`). An instruction re-run after `IoPending` counts again.
    steps: u64,
    /// Instructions since the progress handler last ran (kept across steps, as SQLite's).
    ops_since_progress: u32,
    /// Sorted runs its sorters wrote to disk since the statement was prepared.
    sort_runs: u64,
}

/// What a sorter may hold in memory before it spills a run: 64 times the page cache's size
/// (`PRAGMA cache_size`: pages when positive, KiB when negative; 128 MiB by default), at least
/// 64 KiB.
fn sorter_budget(pager: &Pager) -> usize {
    let cache = pager.cache_size();
    let bytes = if cache >= 0 {
        cache
            .unsigned_abs()
            .saturating_mul(pager.page_size() as u64)
    } else {
        cache.unsigned_abs().saturating_mul(1024)
    };
    usize::try_from(bytes.saturating_mul(64))
        .unwrap_or(usize::MAX)
        .max(64 * 1024)
}

fn reg_i64(v: &Value) -> Option<i64> {
    match v {
        Value::Integer(i) => Some(*i),
        _ => None,
    }
}

/// Text and blob buffers larger than this are freed at reset rather than kept for the next run.
const SPARE_BUFFER_MAX: usize = 4096;

/// Sets the first `n` registers to NULL (the register file's length becoming `n`), moving the
/// text and blob buffers they held into `spare` for the next run's `Column`s.
fn clear_registers(regs: &mut Vec<Value>, spare: &mut Vec<Vec<u8>>, n: usize) {
    regs.truncate(n);
    for r in regs.iter_mut() {
        // Only a buffer is moved out; any other value is overwritten by its tag alone.
        if let Value::Text(buf) | Value::Blob(buf) = r {
            if buf.capacity() <= SPARE_BUFFER_MAX && spare.len() < n {
                let mut buf = std::mem::take(buf);
                buf.clear();
                spare.push(buf);
            }
        }
        *r = Value::Null;
    }
    regs.resize(n, Value::Null);
    debug_assert!(spare.len() <= n.max(1) && spare.iter().all(Vec::is_empty));
}

/// Tells the application's update hook, if one is set, of a change `hook` describes.
fn report_update(env: &mut Env<'_>, hook: Option<&UpdateReport>, db: Db, rowid: i64) {
    if let (Some(report), Some(callback)) = (hook, &mut env.conn.hooks.update) {
        callback(report.op, db.name(), &report.table, rowid);
    }
}

/// The address a co-routine register holds; anything else is a misuse by the code generator.
fn coroutine_addr(v: &Value) -> Result<usize> {
    reg_i64(v)
        .and_then(|a| usize::try_from(a).ok())
        .ok_or_else(|| Error::new(ErrorCode::Internal, "Yield to a co-routine not started"))
}

impl Vm {
    pub fn new(program: Rc<Program>) -> Vm {
        let n_params = program.n_params;
        let mut vm = Vm {
            pc: 0,
            regs: Vec::new(),
            spare_buffers: Vec::new(),
            once_used: false,
            cursors: Vec::new(),
            spare_cursors: Vec::new(),
            aggs: Vec::new(),
            windows: HashMap::new(),
            aux: HashMap::new(),
            once: Vec::new(),
            params: vec![Value::Null; n_params],
            row: (0, 0),
            halted: false,
            changes: 0,
            wrote: false,
            writes: false,
            schema_changed: false,
            on_error: OnError::Abort,
            savepoints: [None; 2],
            statement_journal: super::journal::needs_statement_journal(&program.insns),
            unjournaled_write: false,
            left: 0,
            window: 0,
            until_interrupt_check: 0,
            now_ms: None,
            steps: 0,
            sort_runs: 0,
            ops_since_progress: 0,
            program,
        };
        vm.reset();
        vm
    }

    pub fn program(&self) -> &Rc<Program> {
        &self.program
    }

    /// Back to the start; bindings are kept.
    pub fn reset(&mut self) {
        // The tables are emptied and refilled rather than rebuilt: a prepared statement run
        // once per lookup then allocates nothing here.
        // Each table keeps its length (the program's) from one run to the next; only the
        // entries a run set need clearing.
        let p = &self.program;
        self.pc = 0;
        clear_registers(&mut self.regs, &mut self.spare_buffers, p.n_regs);
        for slot in &mut self.cursors {
            if let Some(c) = slot.take() {
                if matches!(c.kind, Kind::BTree(_)) {
                    self.spare_cursors.push(c);
                }
            }
        }
        if self.cursors.len() != p.n_cursors {
            self.cursors.resize_with(p.n_cursors, || None);
        }
        if !self.aggs.is_empty() || p.n_aggs > 0 {
            self.aggs.clear();
            self.aggs.resize_with(p.n_aggs, || None);
        }
        if !self.windows.is_empty() {
            self.windows.clear();
        }
        if self.once_used || self.once.len() != p.insns.len() {
            self.once.clear();
            self.once.resize(p.insns.len(), false);
            self.once_used = false;
        }
        if !self.aux.is_empty() {
            self.aux.clear();
        }
        self.row = (0, 0);
        self.halted = false;
        self.changes = 0;
        self.wrote = false;
        self.writes = false;
        self.schema_changed = false;
        self.on_error = OnError::Abort;
        self.savepoints = [None; 2];
        self.unjournaled_write = false;
        self.now_ms = None;
        self.ops_since_progress = 0;
    }

    /// Instructions run since the statement was prepared: a measure of work that does not
    /// depend on the machine (SQLite's `sqlite3_stmt_status(.., SQLITE_STMTSTATUS_VM_STEP)`).
    pub fn steps(&self) -> u64 {
        self.steps
    }

    /// Sorted runs its sorters spilled to disk since the statement was prepared.
    pub fn sort_runs(&self) -> u64 {
        self.sort_runs
    }

    pub fn is_running(&self) -> bool {
        self.pc != 0 && !self.halted
    }

    pub fn bind(&mut self, index: usize, value: Value) -> Result<()> {
        match index.checked_sub(1).and_then(|i| self.params.get_mut(i)) {
            Some(slot) => {
                *slot = value;
                Ok(())
            }
            None => Err(Error::code(ErrorCode::Range)),
        }
    }

    pub fn params(&self) -> &[Value] {
        &self.params
    }

    pub fn clear_bindings(&mut self) {
        self.params.iter_mut().for_each(|p| *p = Value::Null);
    }

    /// The current result row.
    pub fn row(&self) -> &[Value] {
        let (start, count) = self.row;
        self.regs.get(start..start + count).unwrap_or(&[])
    }

    fn cursor(&mut self, id: usize) -> Result<&mut VCursor> {
        open_cursor(&mut self.cursors, id)
    }

    /// A cursor and the pager of its database.
    fn cursor_on<'e>(
        &mut self,
        id: usize,
        env: &'e mut Env<'_>,
    ) -> Result<(&mut VCursor, &'e mut Pager)> {
        cursor_and_pager(&mut self.cursors, id, env)
    }

    /// Up to 100 random rowids in 1 ..= 2^62, as SQLite draws them; the first one not in the
    /// table, or `None` if all were taken.
    fn unused_random_rowid(&mut self, cursor: usize, env: &mut Env<'_>) -> Result<Option<i64>> {
        for _ in 0..100 {
            let mut bytes = [0u8; 8];
            env.conn.random.fill(&mut bytes);
            let candidate = (i64::from_le_bytes(bytes) & (i64::MAX >> 1)) + 1;
            let (c, pager) = self.cursor_on(cursor, env)?;
            let taken = match &mut c.kind {
                Kind::BTree(b) => b.seek_rowid(pager, candidate, SeekOp::Eq)?,
                Kind::EphTable { rows, .. } => rows.contains_key(&candidate),
                _ => return Err(Error::new(ErrorCode::Internal, "NewRowid on an index")),
            };
            c.moved();
            if !taken {
                return Ok(Some(candidate));
            }
        }
        Ok(None)
    }

    fn root_page(&self, root: Root) -> Result<PageNo> {
        match root {
            Root::Page(p) => Ok(p),
            Root::Reg(r) => match reg_i64(&self.regs[r]) {
                Some(p) if p > 0 && p <= i64::from(PageNo::MAX) => Ok(p as PageNo),
                _ => Err(Error::new(ErrorCode::Internal, "bad root page register")),
            },
        }
    }

    /// Runs until a row, the end, an error, or pending I/O.
    pub fn step(&mut self, env: &mut Env<'_>) -> Result<StepResult> {
        if self.halted {
            return Ok(StepResult::Done);
        }
        // An interrupt that came between two steps stops the statement before it goes on: the
        // first instruction ends a window of one.
        self.until_interrupt_check = 1;
        self.window = 1;
        self.left = 1;
        let result = self.run(env);
        self.settle(env.conn.hooks.progress.is_some());
        result
    }

    /// `step`'s loop. Each instruction costs the countdown one; the instruction that empties
    /// it runs the interrupt and progress checks first (`window_spent`), as often as one
    /// counter per check would.
    fn run(&mut self, env: &mut Env<'_>) -> Result<StepResult> {
        let program = Rc::clone(&self.program);
        loop {
            let Some(insn) = program.insns.get(self.pc) else {
                self.halted = true;
                return Ok(StepResult::Done);
            };
            self.left -= 1;
            if self.left == 0 {
                self.window_spent(env)?;
            }
            match self.exec(insn, env) {
                Ok(Flow::Next) => self.pc += 1,
                Ok(Flow::Jump(target)) => self.pc = target,
                Ok(Flow::EndCoroutine(caller)) => match program.insns.get(caller) {
                    Some(Insn::Yield { done, .. }) => self.pc = *done,
                    _ => {
                        self.halted = true;
                        return Err(Error::new(
                            ErrorCode::Internal,
                            "EndCoroutine without a consumer's Yield",
                        ));
                    }
                },
                Ok(Flow::Row) => {
                    self.pc += 1;
                    return Ok(StepResult::Row);
                }
                Ok(Flow::Halt) => {
                    self.halted = true;
                    return Ok(StepResult::Done);
                }
                Err(e) if e.is_io_pending() => return Ok(StepResult::IoPending),
                Err(e) => {
                    self.halted = true;
                    return Err(*e);
                }
            }
        }
    }

    /// Brings the counters up to date with the instructions run in the current window (the
    /// instruction that emptied it included) and starts an empty one.
    fn settle(&mut self, progress: bool) {
        let spent = self.window - self.left;
        debug_assert!(spent <= self.until_interrupt_check);
        self.steps += u64::from(spent);
        self.until_interrupt_check -= spent;
        if progress {
            self.ops_since_progress = self.ops_since_progress.saturating_add(spent);
        }
        self.window = self.left;
    }

    /// The countdown reached zero: the interrupt flag and the progress handler get their look
    /// if due, and the next window ends at whichever is due first.
    #[cold]
    #[inline(never)]
    fn window_spent(&mut self, env: &mut Env<'_>) -> Result<()> {
        self.settle(env.conn.hooks.progress.is_some());
        if self.until_interrupt_check == 0 {
            self.until_interrupt_check = INTERRUPT_CHECK_INTERVAL;
            if env.conn.interrupt.load(AtomicOrdering::Relaxed) {
                self.halted = true;
                self.on_error = OnError::Abort;
                return Err(Error::code(ErrorCode::Interrupt));
            }
        }
        let mut next = self.until_interrupt_check;
        if let Some(progress) = &mut env.conn.hooks.progress {
            if self.ops_since_progress >= progress.every {
                self.ops_since_progress = 0;
                if (progress.handler)() {
                    self.halted = true;
                    self.on_error = OnError::Abort;
                    return Err(Error::code(ErrorCode::Interrupt));
                }
            }
            next = next.min(
                progress
                    .every
                    .saturating_sub(self.ops_since_progress)
                    .max(1),
            );
        }
        debug_assert!((1..=INTERRUPT_CHECK_INTERVAL).contains(&next));
        self.window = next;
        self.left = next;
        Ok(())
    }

    // Always inlined: the integer and real cases are a few instructions, less than a call.
    #[inline(always)]
    fn compare(&self, spec: &CmpSpec, lhs: usize, rhs: usize) -> Option<bool> {
        let (a, b) = (&self.regs[lhs], &self.regs[rhs]);
        // Two integers, or two (non-NaN) reals, under any affinity but TEXT compare as they
        // are: the usual WHERE on a numeric column, decided without the general path.
        if spec.affinity != crate::sql::affinity::Affinity::Text {
            let ordering = match (a, b) {
                (Value::Integer(x), Value::Integer(y)) => Some(x.cmp(y)),
                (Value::Real(x), Value::Real(y)) => x.partial_cmp(y),
                _ => None,
            };
            if let Some(ordering) = ordering {
                return Some(spec.op.holds(ordering));
            }
        }
        if spec.nulls == NullMode::Is {
            let (an, bn) = (matches!(a, Value::Null), matches!(b, Value::Null));
            if an || bn {
                let equal = an && bn;
                return Some(match spec.op {
                    super::insn::CmpOp::Eq => equal,
                    _ => !equal,
                });
            }
        }
        compare_with_affinity(a, b, spec.affinity, spec.collation).map(|o| spec.op.holds(o))
    }

    fn reg(&self, r: usize) -> ValueRef<'_> {
        self.regs[r].as_value_ref()
    }

    /// Runs one instruction. Inlined into `run`'s loop so that an instruction costs a jump
    /// through the match rather than a call of this large function (its prologue, epilogue and
    /// a result returned through memory); the error is boxed for the same reason, keeping the
    /// result in two registers.
    #[inline(always)]
    fn exec(&mut self, insn: &Insn, env: &mut Env<'_>) -> Result<Flow, Box<Error>> {
        use Flow::{Jump, Next};
        match insn {
            Insn::Init { target } | Insn::Goto { target } => return Ok(Jump(*target)),
            Insn::Halt => return Ok(Flow::Halt),
            Insn::ChangeCount { dest } => self.regs[*dest] = Value::Integer(self.changes),
            Insn::HaltError {
                code,
                extended_code,
                message,
                on_error,
            } => {
                self.on_error = *on_error;
                return Err(Error::new(*code, message.clone())
                    .with_extended_code(*extended_code)
                    .into());
            }
            Insn::HaltIfNull {
                reg,
                message,
                on_error,
            } => {
                if matches!(self.regs[*reg], Value::Null) {
                    self.on_error = *on_error;
                    return Err(Error::new(ErrorCode::Constraint, message.clone())
                        .with_extended_code(Some(extended::CONSTRAINT_NOTNULL))
                        .into());
                }
            }
            Insn::Transaction {
                db,
                write,
                schema_cookie,
            } => {
                let autocommit = env.conn.autocommit;
                let pager = env.open_db(*db)?;
                if *write && !pager.in_read_transaction() {
                    // SQLite's busy handler: only a connection with no read transaction yet
                    // waits (up to busy_timeout) for the writer lock, since its snapshot is
                    // then taken with the lock and cannot be stale. One that is reading (an
                    // explicit transaction that read, another statement stepping) fails at
                    // once with SQLITE_BUSY.
                    pager.begin_write()?;
                    self.writes = true;
                }
                pager.begin_read()?;
                if pager.schema_cookie()? != *schema_cookie {
                    return Err(Error::code(ErrorCode::Schema).into());
                }
                if *write {
                    pager.begin_write()?;
                    self.writes = true;
                    if env.conn.savepoints.needs_base(*db) {
                        // SAVEPOINTs opened before this write began stand for its start.
                        let base = env.db(*db)?.savepoint()?;
                        env.conn.savepoints.set_base(*db, base);
                    }
                    let savepoint = &mut self.savepoints[db.index()];
                    if !autocommit && savepoint.is_none() && self.statement_journal {
                        *savepoint = Some(env.db(*db)?.savepoint()?);
                    }
                }
            }
            Insn::OpenRead {
                cursor,
                db,
                root,
                key,
            }
            | Insn::OpenWrite {
                cursor,
                db,
                root,
                key,
            } => {
                let page = self.root_page(*root)?;
                // Re-opening a slot (a subquery run again) hands its old cursor over.
                let spare = match self.cursors[*cursor].take() {
                    Some(old) if matches!(old.kind, Kind::BTree(_)) => Some(old),
                    // The previous run's cursor on the same tree, whose path is a seek hint.
                    _ => match self.spare_cursors.iter().position(|c| c.is_on(page, *db)) {
                        Some(i) => Some(self.spare_cursors.swap_remove(i)),
                        None => self.spare_cursors.pop(),
                    },
                };
                let mut c = VCursor::btree(spare, page, key.as_ref(), *db);
                if key.is_none() {
                    c.defaults = self
                        .program
                        .table_defaults
                        .iter()
                        .find(|t| t.db == *db && t.root == page)
                        .map(|t| t.values.clone());
                }
                self.cursors[*cursor] = Some(c);
            }
            Insn::OpenEphemeral { cursor, key } => {
                let kind = match key {
                    None => Kind::EphTable {
                        rows: BTreeMap::new(),
                        at: None,
                    },
                    Some(k) => Kind::EphIndex {
                        set: BTreeSet::new(),
                        key: Rc::new(k.clone()),
                        at: None,
                    },
                };
                self.cursors[*cursor] = Some(Box::new(VCursor::new(kind)));
            }
            Insn::SorterOpen { cursor, key } => {
                let budget = sorter_budget(env.pager);
                let sorter = Sorter::new(key.clone(), budget);
                self.cursors[*cursor] = Some(Box::new(VCursor::new(Kind::Sorter(sorter))));
            }
            Insn::Close { cursor } => self.cursors[*cursor] = None,
            Insn::Rewind { cursor, if_empty } | Insn::Last { cursor, if_empty } => {
                let last = matches!(insn, Insn::Last { .. });
                let (c, pager) = self.cursor_on(*cursor, env)?;
                if !c.rewind(pager, last)? {
                    return Ok(Jump(*if_empty));
                }
            }
            Insn::Next { cursor, target } | Insn::Prev { cursor, target } => {
                let forward = matches!(insn, Insn::Next { .. });
                let (c, pager) = self.cursor_on(*cursor, env)?;
                if c.advance(pager, forward)? {
                    return Ok(Jump(*target));
                }
            }
            Insn::SorterSort { cursor, if_empty } => {
                let (c, pager) = self.cursor_on(*cursor, env)?;
                let mut runs = 0;
                if let Kind::Sorter(sorter) = &mut c.kind {
                    sorter.sort()?;
                    runs = sorter.runs_written() as u64;
                }
                let on_record = c.rewind(pager, false)?;
                self.sort_runs += runs;
                if !on_record {
                    return Ok(Jump(*if_empty));
                }
            }
            Insn::SeekRowid {
                cursor,
                rowid,
                not_found,
            } => {
                let Some(id) = reg_i64(&self.regs[*rowid]) else {
                    return Ok(Jump(*not_found));
                };
                let (c, pager) = self.cursor_on(*cursor, env)?;
                let found = match &mut c.kind {
                    Kind::BTree(b) => b.seek_rowid(pager, id, SeekOp::Eq)?,
                    Kind::EphTable { rows, at } => {
                        *at = Some(id);
                        rows.contains_key(&id)
                    }
                    _ => {
                        return Err(Error::new(ErrorCode::Internal, "rowid seek on an index").into())
                    }
                };
                c.moved();
                if !found {
                    return Ok(Jump(*not_found));
                }
            }
            Insn::SeekRowidFrom {
                cursor,
                key,
                strict,
                backward,
                if_empty,
            } => {
                let (start, op) = if *backward {
                    (rowid_range_end(&self.regs[*key], *strict), SeekOp::Le)
                } else {
                    (rowid_range_start(&self.regs[*key], *strict), SeekOp::Ge)
                };
                let Some(start) = start else {
                    return Ok(Jump(*if_empty));
                };
                let (c, pager) = self.cursor_on(*cursor, env)?;
                let Kind::BTree(b) = &mut c.kind else {
                    return Err(
                        Error::new(ErrorCode::Internal, "rowid range on an ephemeral").into(),
                    );
                };
                let found = b.seek_rowid(pager, start, op)?;
                c.moved();
                if !found {
                    return Ok(Jump(*if_empty));
                }
            }
            Insn::SeekIndex {
                cursor,
                op,
                key,
                count,
                not_found,
            } => {
                let (c, pager) = cursor_and_pager(&mut self.cursors, *cursor, env)?;
                let found = with_refs(&self.regs[*key..*key + *count], |refs| match &mut c.kind {
                    Kind::BTree(b) => b.seek_index(pager, refs, *op),
                    Kind::EphIndex { set, key: info, at } if *op == SeekOp::Ge => {
                        *at = first_at_least(set, info, refs)?.cloned();
                        Ok(at.is_some())
                    }
                    _ => Err(Error::new(ErrorCode::Internal, "unsupported index seek")),
                })?;
                c.moved();
                if !found {
                    return Ok(Jump(*not_found));
                }
            }
            Insn::IdxCompare {
                cursor,
                op,
                key,
                count,
                target,
            } => {
                let c = open_cursor(&mut self.cursors, *cursor)?;
                let ordering = with_refs(&self.regs[*key..*key + *count], |refs| {
                    c.compare_entry(refs)
                })?;
                if op.holds(ordering) {
                    return Ok(Jump(*target));
                }
            }
            Insn::NotFound {
                cursor,
                key,
                count,
                target,
            }
            | Insn::Found {
                cursor,
                key,
                count,
                target,
            } => {
                let (c, pager) = cursor_and_pager(&mut self.cursors, *cursor, env)?;
                let found = with_refs(&self.regs[*key..*key + *count], |refs| {
                    probe(c, pager, refs)
                })?;
                if found == matches!(insn, Insn::Found { .. }) {
                    return Ok(Jump(*target));
                }
            }
            Insn::Column {
                cursor,
                column,
                dest,
                default,
            } => {
                let c = open_cursor(&mut self.cursors, *cursor)?;
                // The pager is looked up only for a load: a row's second and later columns
                // are read from the loaded record.
                if c.needs_load() {
                    let pager = env.db(c.db)?;
                    c.load_for_column(pager)?;
                }
                let slot = &mut self.regs[*dest];
                if !c.column_loaded(*column, slot, &mut self.spare_buffers)? {
                    *slot = default.clone().unwrap_or(Value::Null);
                }
            }
            Insn::Rowid { cursor, dest } => {
                let v = self.cursor(*cursor)?.rowid();
                self.regs[*dest] = v.map_or(Value::Null, Value::Integer);
            }
            Insn::IdxRowid { cursor, dest } => {
                let (c, pager) = self.cursor_on(*cursor, env)?;
                let n = c.column_count(pager)?;
                let v = match n.checked_sub(1) {
                    Some(last) => c.column(pager, last)?.unwrap_or(Value::Null),
                    None => Value::Null,
                };
                self.regs[*dest] = v;
            }
            Insn::NullRow { cursor } => {
                let c = self.cursor(*cursor)?;
                c.moved();
                c.null_row = true;
            }
            Insn::MakeRecord { start, count, dest } => {
                // The register's previous record (copied away by the Insert or SorterInsert
                // that consumed it) lends its buffer to the next one, unless the register is
                // also an input.
                // Otherwise a spare buffer from the last run's registers (a statement run once
                // per row then allocates no record).
                let inputs = *start..*start + *count;
                let mut out = match &mut self.regs[*dest] {
                    Value::Blob(buf) | Value::Text(buf) if !inputs.contains(dest) => {
                        let mut buf = std::mem::take(buf);
                        buf.clear();
                        buf
                    }
                    _ => self.spare_buffers.pop().unwrap_or_default(),
                };
                with_refs(&self.regs[*start..*start + *count], |refs| {
                    encode_record(refs, &mut out)
                });
                self.regs[*dest] = Value::Blob(out);
            }
            Insn::NewRowid {
                cursor,
                dest,
                autoinc,
            } => {
                let (c, pager) = self.cursor_on(*cursor, env)?;
                let next = match &mut c.kind {
                    Kind::BTree(b) => {
                        if b.last(pager)? {
                            b.rowid().checked_add(1)
                        } else {
                            Some(1)
                        }
                    }
                    Kind::EphTable { rows, .. } => match rows.keys().next_back() {
                        Some(last) => last.checked_add(1),
                        None => Some(1),
                    },
                    _ => return Err(Error::new(ErrorCode::Internal, "NewRowid on an index").into()),
                };
                c.moved();
                let mut rowid = match next {
                    Some(rowid) => rowid,
                    // The largest rowid is taken: SQLite tries random ones (not with
                    // AUTOINCREMENT, whose rowids only grow).
                    None if autoinc.is_none() => self
                        .unused_random_rowid(*cursor, env)?
                        .ok_or_else(|| Error::code(ErrorCode::Full))?,
                    None => return Err(Error::code(ErrorCode::Full).into()),
                };
                if let Some(counter) = autoinc {
                    let Some(largest) = reg_i64(&self.regs[*counter]) else {
                        return Err(Error::new(ErrorCode::Internal, "non-integer counter").into());
                    };
                    let Some(past) = largest.checked_add(1) else {
                        return Err(Error::code(ErrorCode::Full).into());
                    };
                    rowid = rowid.max(past);
                    self.regs[*counter] = Value::Integer(rowid);
                }
                self.regs[*dest] = Value::Integer(rowid);
            }
            Insn::Insert {
                cursor,
                record,
                rowid,
                count_change,
                last_rowid,
                hook,
            } => {
                let Some(id) = reg_i64(&self.regs[*rowid]) else {
                    return Err(Error::new(ErrorCode::Mismatch, "datatype mismatch").into());
                };
                let Value::Blob(bytes) = &self.regs[*record] else {
                    return Err(Error::new(ErrorCode::Internal, "Insert of a non-record").into());
                };
                let (c, pager) = cursor_and_pager(&mut self.cursors, *cursor, env)?;
                let is_btree = match &mut c.kind {
                    Kind::BTree(b) => {
                        self.unjournaled_write |= !self.statement_journal;
                        b.insert_row(pager, id, bytes)?;
                        true
                    }
                    Kind::EphTable { rows, at } => {
                        rows.insert(id, bytes.clone());
                        *at = Some(id);
                        false
                    }
                    _ => return Err(Error::new(ErrorCode::Internal, "Insert into an index").into()),
                };
                let db = c.db;
                c.moved();
                self.wrote |= is_btree;
                if *count_change {
                    self.changes += 1;
                    if *last_rowid {
                        env.conn.last_insert_rowid = id;
                    }
                }
                if is_btree {
                    report_update(env, hook.as_ref(), db, id);
                }
            }
            Insn::Delete {
                cursor,
                count_change,
                hook,
            } => {
                let (c, pager) = self.cursor_on(*cursor, env)?;
                // The rowid the hook reports, read before the row goes.
                let deleted = match (&c.kind, hook) {
                    (Kind::BTree(_), Some(_)) => c.rowid().map(|id| (c.db, id)),
                    _ => None,
                };
                let is_btree = match &mut c.kind {
                    Kind::BTree(b) => {
                        b.delete(pager)?;
                        true
                    }
                    Kind::EphTable { rows, at } => {
                        if let Some(r) = at {
                            rows.remove(r);
                        }
                        false
                    }
                    Kind::EphIndex { set, at, .. } => {
                        if let Some(r) = at.take() {
                            set.remove(&r);
                        }
                        false
                    }
                    Kind::Sorter(_) => false,
                };
                c.moved();
                self.wrote |= is_btree;
                if *count_change {
                    self.changes += 1;
                }
                if let Some((db, id)) = deleted {
                    report_update(env, hook.as_ref(), db, id);
                }
            }
            Insn::IdxInsert { cursor, record } => {
                let Value::Blob(bytes) = &self.regs[*record] else {
                    return Err(Error::new(ErrorCode::Internal, "IdxInsert of a non-record").into());
                };
                let (c, pager) = cursor_and_pager(&mut self.cursors, *cursor, env)?;
                let is_btree = match &mut c.kind {
                    Kind::BTree(b) => {
                        self.unjournaled_write |= !self.statement_journal;
                        b.insert_index(pager, bytes)?;
                        true
                    }
                    Kind::EphIndex { set, key, .. } => {
                        set.insert(OrderedRecord {
                            bytes: bytes.clone(),
                            key: Rc::clone(key),
                        });
                        false
                    }
                    Kind::Sorter(sorter) => {
                        sorter.push(bytes)?;
                        false
                    }
                    Kind::EphTable { .. } => {
                        return Err(Error::new(ErrorCode::Internal, "IdxInsert into a table").into())
                    }
                };
                c.moved();
                self.wrote |= is_btree;
            }
            Insn::WindowOpen { cursor, spec } => {
                let buffer = super::window::WindowBuffer::new(Rc::clone(spec), &self.regs);
                self.windows.insert(*cursor, buffer);
            }
            Insn::WindowAdd { cursor, start } => {
                let w = window_buffer(&mut self.windows, *cursor)?;
                let row = self.regs[*start..*start + w.width()].to_vec();
                w.add(row)?;
            }
            Insn::WindowFlush { cursor } => window_buffer(&mut self.windows, *cursor)?.flush()?,
            Insn::WindowNext {
                cursor,
                dest,
                if_none,
            } => {
                let Some(row) = window_buffer(&mut self.windows, *cursor)?.next_row() else {
                    return Ok(Jump(*if_none));
                };
                for (i, v) in row.into_iter().enumerate() {
                    self.regs[*dest + i] = v;
                }
            }
            Insn::SorterData { cursor, dest } => {
                let Kind::Sorter(sorter) = &open_cursor(&mut self.cursors, *cursor)?.kind else {
                    return Err(
                        Error::new(ErrorCode::Internal, "SorterData on a non-sorter").into(),
                    );
                };
                self.regs[*dest] = Value::Blob(sorter.current().to_vec());
            }
            Insn::SorterInsert {
                cursor,
                start,
                count,
            } => {
                let Kind::Sorter(sorter) = &mut open_cursor(&mut self.cursors, *cursor)?.kind
                else {
                    return Err(
                        Error::new(ErrorCode::Internal, "SorterInsert on a non-sorter").into(),
                    );
                };
                with_refs(&self.regs[*start..*start + *count], |values| {
                    sorter.push_values(values)
                })?;
            }
            Insn::IdxDelete { cursor, key, count } => {
                let (c, pager) = cursor_and_pager(&mut self.cursors, *cursor, env)?;
                let refs = &self.regs[*key..*key + *count];
                match &mut c.kind {
                    Kind::BTree(b) => {
                        if with_refs(refs, |refs| b.seek_index(pager, refs, SeekOp::Eq))? {
                            b.delete(pager)?;
                            self.wrote = true;
                        }
                    }
                    Kind::EphIndex { set, key: info, at } => {
                        let mut bytes = Vec::new();
                        with_refs(refs, |refs| encode_record(refs, &mut bytes));
                        set.remove(&OrderedRecord {
                            bytes,
                            key: Rc::clone(info),
                        });
                        *at = None;
                    }
                    _ => return Err(Error::new(ErrorCode::Internal, "IdxDelete on a table").into()),
                }
                self.cursor(*cursor)?.moved();
            }
            Insn::ResultRow { start, count } => {
                self.row = (*start, *count);
                return Ok(Flow::Row);
            }
            Insn::Compare {
                spec,
                lhs,
                rhs,
                target,
            } => {
                let holds = match self.compare(spec, *lhs, *rhs) {
                    Some(h) => h,
                    None => spec.nulls == NullMode::Jump,
                };
                if holds {
                    return Ok(Jump(*target));
                }
            }
            Insn::CompareStore {
                spec,
                lhs,
                rhs,
                dest,
            } => {
                self.regs[*dest] = match self.compare(spec, *lhs, *rhs) {
                    Some(h) => Value::Integer(i64::from(h)),
                    None => Value::Null,
                };
            }
            Insn::If {
                reg,
                target,
                if_null,
            } => {
                if truth(self.regs[*reg].as_value_ref()).unwrap_or(*if_null) {
                    return Ok(Jump(*target));
                }
            }
            Insn::IfNot {
                reg,
                target,
                if_null,
            } => {
                if !truth(self.regs[*reg].as_value_ref()).unwrap_or(!*if_null) {
                    return Ok(Jump(*target));
                }
            }
            Insn::IsNull { reg, target } => {
                if matches!(self.regs[*reg], Value::Null) {
                    return Ok(Jump(*target));
                }
            }
            Insn::NotNull { reg, target } => {
                if !matches!(self.regs[*reg], Value::Null) {
                    return Ok(Jump(*target));
                }
            }
            Insn::Arith { op, lhs, rhs, dest } => {
                self.regs[*dest] = arith(*op, self.reg(*lhs), self.reg(*rhs));
            }
            Insn::Bit { op, lhs, rhs, dest } => {
                self.regs[*dest] = bitwise(*op, self.reg(*lhs), self.reg(*rhs));
            }
            Insn::Concat { lhs, rhs, dest } => {
                self.regs[*dest] = concat(self.reg(*lhs), self.reg(*rhs));
            }
            Insn::Negate { src, dest } => self.regs[*dest] = negate(self.reg(*src)),
            Insn::BitNot { src, dest } => self.regs[*dest] = bit_not(self.reg(*src)),
            Insn::Not { src, dest } => {
                self.regs[*dest] = compare::truth_value(compare::not(truth(self.reg(*src))));
            }
            Insn::And { lhs, rhs, dest } | Insn::Or { lhs, rhs, dest } => {
                let (a, b) = (truth(self.reg(*lhs)), truth(self.reg(*rhs)));
                let result = if matches!(insn, Insn::And { .. }) {
                    compare::and(a, b)
                } else {
                    compare::or(a, b)
                };
                self.regs[*dest] = compare::truth_value(result);
            }
            Insn::IsTrue {
                src,
                dest,
                null,
                invert,
            } => {
                self.regs[*dest] = Value::Integer(match truth(self.reg(*src)) {
                    None => *null,
                    Some(t) => i64::from(t != *invert),
                });
            }
            Insn::Function {
                func,
                args,
                argc,
                dest,
                collation,
                pure,
            } => {
                let mut now_ms = self.now_ms;
                let argv = &self.regs[*args..*args + *argc];
                let v = match func {
                    Scalar::Builtin(f) => {
                        let mut ctx = CallContext {
                            conn: env.conn,
                            collation: *collation,
                            now_ms: &mut now_ms,
                            pure: *pure,
                        };
                        with_refs(argv, |argv| (f.call)(&mut ctx, argv))?
                    }
                    Scalar::User(f) => {
                        let FunctionKind::Scalar(call) = &f.kind else {
                            return Err(Error::new(
                                ErrorCode::Internal,
                                "an aggregate function called as a scalar",
                            )
                            .into());
                        };
                        let aux = self.aux.entry(self.pc).or_default();
                        with_refs(argv, |argv| call(&mut FunctionCall::new(aux), argv))?
                    }
                };
                self.regs[*dest] = v;
                self.now_ms = now_ms;
            }
            Insn::AggStep {
                func,
                args,
                argc,
                slot,
                collation,
                skip_load,
            } => {
                let state = self.aggs[*slot].get_or_insert_with(|| func.new_state(*collation));
                let argv = &self.regs[*args..*args + *argc];
                match skip_load {
                    None => with_refs(argv, |argv| state.step(argv))?,
                    Some(flag) => {
                        let skip = with_refs(argv, |argv| state.step_or_skip(argv))?;
                        self.regs[*flag] = Value::Integer(i64::from(skip));
                    }
                }
            }
            Insn::AggFinal { func, slot, dest } => {
                self.regs[*dest] = match &mut self.aggs[*slot] {
                    Some(state) => state.finish()?,
                    // No row reached the aggregate: its value over nothing.
                    None => func.new_state(Collation::Binary).finish()?,
                };
            }
            Insn::AggReset { slot } => self.aggs[*slot] = None,
            Insn::Gosub { ret, target } => {
                self.regs[*ret] = Value::Integer(self.pc as i64 + 1);
                return Ok(Jump(*target));
            }
            Insn::Return { ret } => {
                return match reg_i64(&self.regs[*ret]) {
                    Some(addr) if addr >= 0 => Ok(Jump(addr as usize)),
                    _ => Err(Error::new(ErrorCode::Internal, "Return without Gosub").into()),
                }
            }
            Insn::InitCoroutine { reg, target } => {
                self.regs[*reg] = Value::Integer(self.pc as i64 + 1);
                return Ok(Jump(*target));
            }
            Insn::Yield { reg, .. } => {
                let resume = coroutine_addr(&self.regs[*reg])?;
                self.regs[*reg] = Value::Integer(self.pc as i64 + 1);
                return Ok(Jump(resume));
            }
            Insn::EndCoroutine { reg } => {
                let after_yield = coroutine_addr(&self.regs[*reg])?;
                self.regs[*reg] = Value::Null;
                return match after_yield.checked_sub(1) {
                    Some(caller) => Ok(Flow::EndCoroutine(caller)),
                    None => {
                        Err(Error::new(ErrorCode::Internal, "EndCoroutine at address 0").into())
                    }
                };
            }
            Insn::Once { target } => {
                self.once_used = true;
                if self.once[self.pc] {
                    return Ok(Jump(*target));
                }
                self.once[self.pc] = true;
            }
            Insn::Integer { value, dest } => self.regs[*dest] = Value::Integer(*value),
            Insn::Real { value, dest } => self.regs[*dest] = Value::Real(*value),
            Insn::Text { value, dest } => self.regs[*dest] = Value::Text(value.clone()),
            Insn::Blob { value, dest } => self.regs[*dest] = Value::Blob(value.clone()),
            Insn::Null { dest, count } => {
                self.regs[*dest..*dest + *count]
                    .iter_mut()
                    .for_each(|r| *r = Value::Null);
            }
            Insn::Variable { index, dest } => {
                let v = self
                    .params
                    .get(*index)
                    .map_or(ValueRef::Null, Value::as_value_ref);
                set_register(&mut self.regs[*dest], v, &mut self.spare_buffers);
            }
            Insn::Copy { src, dest, count } => {
                copy_registers(&mut self.regs, *src, *dest, *count, &mut self.spare_buffers)
            }
            Insn::Affinity { start, affinities } => {
                for (k, a) in affinities.iter().enumerate() {
                    apply_storage_affinity(&mut self.regs[start + k], *a);
                }
            }
            Insn::KeyAffinity { start, affinities } => {
                for (k, a) in affinities.iter().enumerate() {
                    let reg = &mut self.regs[start + k];
                    *reg = a.apply_for_comparison(reg.as_value_ref());
                }
            }
            Insn::Pragma { pragma, set, dest } => {
                self.regs[*dest] = super::pragma::run(env.pager, *pragma, *set)?;
            }
            Insn::Checkpoint { mode, dest } => {
                let row = super::pragma::checkpoint(env.pager, *mode)?;
                for (k, v) in row.into_iter().enumerate() {
                    self.regs[dest + k] = v;
                }
            }
            Insn::IntegrityCheck {
                max_errors,
                dest,
                only,
            } => {
                let (report, left) =
                    super::pragma::integrity_check(env.pager, *max_errors, only.as_deref())?;
                self.regs[*dest] = report;
                self.regs[dest + 1] = left;
            }
            Insn::RealAffinity { reg } => real_affinity_on_read(&mut self.regs[*reg]),
            Insn::Cast { reg, type_name } => {
                self.regs[*reg] = cast(self.reg(*reg), type_name);
            }
            Insn::MustBeInt { reg } => match Affinity::Numeric.apply(self.reg(*reg)) {
                v @ Value::Integer(_) => self.regs[*reg] = v,
                _ => return Err(Error::new(ErrorCode::Mismatch, "datatype mismatch").into()),
            },
            Insn::IfPos { reg, target } => {
                if let Some(n) = reg_i64(&self.regs[*reg]) {
                    if n > 0 {
                        self.regs[*reg] = Value::Integer(n - 1);
                        return Ok(Jump(*target));
                    }
                }
            }
            Insn::DecrJumpZero { reg, target } => {
                if let Some(n) = reg_i64(&self.regs[*reg]) {
                    let n = n.saturating_sub(1);
                    self.regs[*reg] = Value::Integer(n);
                    if n == 0 {
                        return Ok(Jump(*target));
                    }
                }
            }
            Insn::IfZero { reg, target } => {
                if reg_i64(&self.regs[*reg]) == Some(0) {
                    return Ok(Jump(*target));
                }
            }
            Insn::CreateBtree { db, kind, dest } => {
                let root = create_tree(env.db(*db)?, *kind)?;
                self.regs[*dest] = Value::Integer(i64::from(root));
                self.wrote = true;
            }
            Insn::DropBtree { db, root } => {
                drop_tree(env.db(*db)?, *root)?;
                self.wrote = true;
            }
            Insn::SchemaChanged { db } => {
                crate::schema::bump_schema_cookie(env.db(*db)?)?;
                self.schema_changed = true;
            }
            Insn::Noop => {}
        }
        Ok(Next)
    }
}

/// Whether an entry starts with `key` (prefix match) in an index or ephemeral set.
fn probe(c: &mut VCursor, pager: &mut Pager, refs: &[ValueRef<'_>]) -> Result<bool> {
    let found = match &mut c.kind {
        Kind::BTree(b) => b.seek_index(pager, refs, SeekOp::Eq)?,
        Kind::EphIndex { set, key: info, .. } => {
            let mut bytes = Vec::new();
            encode_record(refs, &mut bytes);
            let probe = OrderedRecord {
                bytes,
                key: Rc::clone(info),
            };
            set.range(&probe..).next().is_some_and(|r| {
                compare_unpacked(refs, &r.bytes, info).ok() == Some(Ordering::Equal)
            })
        }
        _ => return Err(Error::new(ErrorCode::Internal, "probe of a table")),
    };
    c.moved();
    Ok(found)
}

/// Cursor `id`, borrowing only the cursor table so that registers stay readable beside it.
#[inline]
fn open_cursor(cursors: &mut [Option<Box<VCursor>>], id: usize) -> Result<&mut VCursor> {
    match cursors.get_mut(id) {
        Some(Some(c)) => Ok(c),
        _ => Err(cursor_not_open(id)),
    }
}

/// `open_cursor`'s error, out of line: every cursor instruction inlines the lookup.
#[cold]
#[inline(never)]
fn cursor_not_open(id: usize) -> Error {
    Error::new(ErrorCode::Internal, format!("cursor {id} is not open"))
}

/// Cursor `id` and the pager of its database (`open_cursor`'s split borrow).
#[inline(always)]
fn cursor_and_pager<'c, 'e>(
    cursors: &'c mut [Option<Box<VCursor>>],
    id: usize,
    env: &'e mut Env<'_>,
) -> Result<(&'c mut VCursor, &'e mut Pager)> {
    let c = open_cursor(cursors, id)?;
    let pager = env.db(c.db)?;
    Ok((c, pager))
}

/// Copies `count` registers from `src` to `dest`, one after the other in order (as overlapping
/// ranges require), each into its destination's text or blob buffer: GROUP BY and min()/max()
/// loops copy a row's values on every row, which would otherwise allocate and free per copy.
fn copy_registers(
    regs: &mut [Value],
    src: usize,
    dest: usize,
    count: usize,
    spare: &mut Vec<Vec<u8>>,
) {
    for k in 0..count {
        let (from, to) = (src + k, dest + k);
        let (source, target) = match from.cmp(&to) {
            Ordering::Equal => continue,
            Ordering::Less => {
                let (low, high) = regs.split_at_mut(to);
                (&low[from], &mut high[0])
            }
            Ordering::Greater => {
                let (low, high) = regs.split_at_mut(from);
                (&high[0], &mut low[to])
            }
        };
        set_register(target, source.as_value_ref(), spare);
    }
}

/// `Value::set_from_ref`, a text or blob going into one of the `spare` buffers (the registers'
/// from an earlier run) when the register holds none of its own: a statement run once per row
/// then copies its parameters and columns without allocating.
#[inline]
fn set_register(reg: &mut Value, v: ValueRef<'_>, spare: &mut Vec<Vec<u8>>) {
    if matches!(v, ValueRef::Text(_) | ValueRef::Blob(_))
        && !matches!(reg, Value::Text(_) | Value::Blob(_))
    {
        if let Some(buf) = spare.pop() {
            debug_assert!(buf.is_empty());
            *reg = Value::Blob(buf);
        }
    }
    reg.set_from_ref(v);
}

/// Runs `f` on registers seen as value references. Keys, record columns and function
/// arguments are usually few: those go in a stack buffer rather than a fresh `Vec` per row.
#[inline]
fn with_refs<R>(regs: &[Value], f: impl FnOnce(&[ValueRef<'_>]) -> R) -> R {
    const INLINE: usize = 8;
    // One argument (most aggregate steps and functions) or none (`count(*)`) needs no buffer
    // to fill.
    match regs {
        [] => return f(&[]),
        [only] => return f(&[only.as_value_ref()]),
        _ => {}
    }
    if regs.len() <= INLINE {
        let mut buf = [ValueRef::Null; INLINE];
        for (slot, v) in buf.iter_mut().zip(regs) {
            *slot = v.as_value_ref();
        }
        f(&buf[..regs.len()])
    } else {
        let refs: Vec<ValueRef<'_>> = regs.iter().map(ValueRef::from).collect();
        f(&refs)
    }
}

/// The first entry of an ephemeral index that is at least the (prefix) key, or `None`. The
/// probe is the key followed by NULLs, the least value, so it sorts before every entry that
/// starts with the key and after every smaller one, and equals at most one entry: the set's
/// search needs a probe in that total order (a bare prefix equals many entries, and the search
/// may then land on any of them). Only ascending columns may follow the key.
fn first_at_least<'s>(
    set: &'s BTreeSet<OrderedRecord>,
    info: &Rc<crate::record::KeyInfo>,
    key: &[ValueRef<'_>],
) -> Result<Option<&'s OrderedRecord>> {
    let rest = info.columns.get(key.len()..).unwrap_or_default();
    if rest
        .iter()
        .any(|c| c.order != crate::record::SortOrder::Asc)
    {
        return Err(Error::new(
            ErrorCode::Internal,
            "seek on an ephemeral index with a descending column after the key",
        ));
    }
    let mut padded = key.to_vec();
    padded.resize(info.columns.len().max(key.len()), ValueRef::Null);
    let mut bytes = Vec::new();
    encode_record(&padded, &mut bytes);
    let probe = OrderedRecord {
        bytes,
        key: Rc::clone(info),
    };
    Ok(set.range(&probe..).next())
}

enum Flow {
    Next,
    Jump(usize),
    Row,
    Halt,
    /// A co-routine ended; its consumer's `Yield` is at this address.
    EndCoroutine(usize),
}

/// The smallest rowid that can be at least (`strict`: greater than) `bound` as SQLite compares
/// an integer with a value; `None` when no rowid can (NULL, NaN, text and blobs, which sort
/// after every number, or a bound past the largest rowid).
fn rowid_range_start(bound: &Value, strict: bool) -> Option<i64> {
    match bound {
        Value::Integer(i) => {
            if strict {
                i.checked_add(1)
            } else {
                Some(*i)
            }
        }
        Value::Real(r) if r.is_nan() => None,
        Value::Real(r) => {
            // Rowids are integers: the first above the bound is its floor plus one, the first
            // at least it its ceiling. Past either end of i64 the answer is clear.
            let first = if strict { r.floor() + 1.0 } else { r.ceil() };
            if first > i64::MAX as f64 {
                None
            } else if first <= i64::MIN as f64 {
                Some(i64::MIN)
            } else {
                Some(first as i64)
            }
        }
        Value::Null | Value::Text(_) | Value::Blob(_) => None,
    }
}

/// The last rowid at most (`strict`: below) an upper bound converted to a number, `None`
/// when no rowid is: a NULL or NaN bound, or one below every integer. Text and blobs are
/// above every integer.
fn rowid_range_end(bound: &Value, strict: bool) -> Option<i64> {
    match bound {
        Value::Integer(i) => {
            if strict {
                i.checked_sub(1)
            } else {
                Some(*i)
            }
        }
        Value::Real(r) if r.is_nan() => None,
        Value::Real(r) => {
            // The last integer below the bound is its ceiling minus one, the last at most it
            // its floor. Past either end of i64 the answer is clear.
            let last = if strict { r.ceil() - 1.0 } else { r.floor() };
            if last >= i64::MAX as f64 {
                Some(i64::MAX)
            } else if last < i64::MIN as f64 {
                None
            } else {
                Some(last as i64)
            }
        }
        Value::Null => None,
        Value::Text(_) | Value::Blob(_) => Some(i64::MAX),
    }
}

fn window_buffer(
    windows: &mut HashMap<usize, super::window::WindowBuffer>,
    slot: usize,
) -> Result<&mut super::window::WindowBuffer> {
    windows
        .get_mut(&slot)
        .ok_or_else(|| Error::new(ErrorCode::Internal, "window buffer not open"))
}
