//! Connections and prepared statements: the engine's API in the shape of SQLite's
//! (`sqlite3_open`, `prepare`, `step`, `column_*`, `reset`, `bind_*`, `finalize`, `exec`,
//! `changes`, `total_changes`, `last_insert_rowid`, `interrupt`).
//!
//! Invariants:
//! - Any number of statements may be open and stepping on one connection: they share the
//!   connection's pager and catalog through `Rc<RefCell<..>>`, borrowed only inside one call.
//! - Outside BEGIN/COMMIT each statement is its own transaction: committed when it finishes,
//!   rolled back when it fails. Inside one, a failing statement undoes its own changes (a pager
//!   savepoint) and the transaction goes on, unless its conflict algorithm says otherwise.
//! - `step` never blocks on I/O itself: with an asynchronous backend it returns
//!   `StepResult::IoPending`, and the caller drives the backend (`Io::wait`) and steps again.
//! - A statement compiled against an older schema is recompiled transparently before it has
//!   produced anything (SQLITE_SCHEMA handling of `sqlite3_prepare_v2`).
//! - The `temp` database is a second pager, private to the connection, in memory, created by
//!   the first statement that uses it and gone with the connection. It follows the same
//!   transaction as `main`: committed, rolled back and savepointed together with it.

mod blob;
mod image;
mod meta;
mod vacuum;

pub use blob::Blob;
pub use image::TxnState;
pub use meta::ColumnMeta;

use crate::catalog::{Catalog, Databases};
use crate::codegen::{self, Control};
use crate::error::{Error, ErrorCode, Result};
use crate::functions::{self, FunctionCall, FunctionFlags, FunctionKind, UserRegistry};
use crate::hooks::{self, Hooks};
use crate::io::{FileIo, Io, MemoryIo};
use crate::pager::{Pager, PagerOptions, PagerStats};
use crate::record::user_collations;
use crate::record::Value;
use crate::record::ValueRef;
use crate::schema::Db;
use crate::sql::agg::Aggregate;
use crate::vdbe::savepoint::Release;
use crate::vdbe::{ConnState, Env, OnError, Program, StepResult, Vm};
use std::cell::RefCell;
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

struct Inner {
    /// The `main` database.
    pager: Pager,
    /// The `temp` database, once a statement has used it.
    temp: Option<Pager>,
    catalog: Rc<Databases>,
    state: ConnState,
    /// Statements between their first step and their end or reset.
    active_statements: usize,
    /// The main database's full path ("" in memory), for `PRAGMA database_list`.
    main_file: PathBuf,
    /// Transactions rolled back so far: a blob handle open across one expires (`blob.rs`).
    rollbacks: u64,
    /// The application's functions and collations; replaced as a whole when one changes.
    functions: Rc<UserRegistry>,
}

/// Reads one database's catalog. Reading the schema starts a read transaction if none is open;
/// one started only for that must end with it, or the connection would keep an old snapshot:
/// later writes would get SQLITE_BUSY and later reads would miss other connections' commits.
fn load_catalog(pager: &mut Pager, db: Db) -> Result<Catalog> {
    let was_reading = pager.in_read_transaction();
    loop {
        match Catalog::load(pager, db) {
            Ok(c) => {
                if !was_reading {
                    pager.end_read();
                }
                return Ok(c);
            }
            Err(e) if e.is_io_pending() => pager.io().wait()?,
            Err(e) => return Err(e),
        }
    }
}

impl Inner {
    fn reload_catalog(&mut self) -> Result<()> {
        let main = load_catalog(&mut self.pager, Db::Main)?;
        self.state.schema_cookie = main.cookie;
        let temp = match &mut self.temp {
            Some(pager) => load_catalog(pager, Db::Temp)?,
            None => Catalog {
                db: Db::Temp,
                ..Catalog::default()
            },
        };
        self.catalog = Rc::new(Databases {
            main: Rc::new(main),
            temp: Rc::new(temp),
            temp_open: self.temp.is_some(),
            main_file: self.main_file.to_string_lossy().into_owned(),
        });
        Ok(())
    }

    /// The pagers of the databases that exist, `main` first.
    fn pagers(&mut self) -> impl Iterator<Item = &mut Pager> {
        std::iter::once(&mut self.pager).chain(self.temp.as_mut())
    }

    /// Commits every database's transaction, `main` first; if that fails, `temp`'s is rolled
    /// back with it (a failed commit has already rolled `main` back).
    fn commit_all(&mut self) -> Result<()> {
        if self.writing() {
            if let Some(hook) = &mut self.state.hooks.commit {
                if hook() {
                    self.rollback_all();
                    return Err(Error::code(ErrorCode::Constraint)
                        .with_extended_code(Some(hooks::CONSTRAINT_COMMITHOOK)));
                }
            }
        }
        self.state.savepoints.clear();
        if let Err(e) = self.pager.commit() {
            self.temp.iter_mut().for_each(Pager::rollback);
            return Err(e);
        }
        self.temp.as_mut().map_or(Ok(()), Pager::commit)
    }

    fn rollback_all(&mut self) {
        self.rollbacks += 1;
        if self.writing() || !self.state.autocommit {
            if let Some(hook) = &mut self.state.hooks.rollback {
                hook();
            }
        }
        self.pagers().for_each(Pager::rollback);
        self.state.savepoints.clear();
    }

    /// `SAVEPOINT name`: in autocommit mode it begins a deferred transaction, which releasing
    /// it commits. Each database already writing gets a pager savepoint now; the others get
    /// theirs when their write begins (`Savepoints::set_base`).
    fn open_savepoint(&mut self, name: &str) -> Result<()> {
        if self.state.autocommit {
            debug_assert!(self.state.savepoints.is_empty());
            self.pager.begin(crate::pager::TransactionKind::Deferred)?;
            self.state.autocommit = false;
            self.state.savepoints.began_transaction = true;
        }
        let mut levels = [None; 2];
        for db in Db::ALL {
            if let Some(pager) = self.pager_of(db).filter(|p| p.in_write_transaction()) {
                levels[db.index()] = Some(pager.savepoint()?);
            }
        }
        self.state.savepoints.push(name, levels);
        Ok(())
    }

    /// `RELEASE name`: keeps the changes made since `name` opened; the outermost savepoint of a
    /// transaction it began commits it.
    fn release_savepoint(&mut self, name: &str) -> Result<()> {
        match self.state.savepoints.release(name) {
            None => Err(no_such_savepoint(name)),
            Some(Release::Commit) => {
                self.commit_all()?;
                self.state.autocommit = true;
                Ok(())
            }
            Some(Release::Levels(levels)) => {
                for db in Db::ALL {
                    if let (Some(level), Some(pager)) = (levels[db.index()], self.pager_of(db)) {
                        pager.release(level)?;
                    }
                }
                Ok(())
            }
        }
    }

    /// `ROLLBACK TO name`: undoes every change made since `name` opened; `name` stays open and
    /// so does the transaction.
    fn rollback_to_savepoint(&mut self, name: &str) -> Result<()> {
        let levels = self
            .state
            .savepoints
            .rollback_to(name)
            .ok_or_else(|| no_such_savepoint(name))?;
        for db in Db::ALL {
            if let (Some(level), Some(pager)) = (levels[db.index()], self.pager_of(db)) {
                pager.rollback_to(level)?;
            }
        }
        self.reload_catalog()
    }

    /// Whether a database of the connection is in a write transaction.
    fn writing(&mut self) -> bool {
        self.pagers().any(|p| p.in_write_transaction())
    }

    fn end_read_all(&mut self) {
        self.pagers()
            .filter(|p| !p.in_write_transaction())
            .for_each(Pager::end_read);
    }

    fn pager_of_ref(&self, db: Db) -> Option<&Pager> {
        match db {
            Db::Main => Some(&self.pager),
            Db::Temp => self.temp.as_ref(),
        }
    }

    fn pager_of(&mut self, db: Db) -> Option<&mut Pager> {
        match db {
            Db::Main => Some(&mut self.pager),
            Db::Temp => self.temp.as_mut(),
        }
    }

    /// Reloads the catalog if another connection has changed the schema since it was read;
    /// true if it did. Like SQLite's prepare, this is asked only after a compile error (a
    /// name another connection created), so that a fresh schema costs nothing otherwise.
    fn refresh_stale_catalog(&mut self) -> Result<bool> {
        let was_reading = self.pager.in_read_transaction();
        let cookie = loop {
            match self.pager.header() {
                Ok(header) => break header.schema_cookie,
                Err(e) if e.is_io_pending() => self.pager.io().wait()?,
                Err(e) => {
                    // Reads the load left in flight must not fail the next statement.
                    self.pager.abandon_reads();
                    return Err(e);
                }
            }
        };
        if !was_reading {
            self.pager.end_read();
        }
        if cookie == self.catalog.main.cookie {
            return Ok(false);
        }
        self.reload_catalog()?;
        Ok(true)
    }
}

/// A database connection.
pub struct Connection {
    inner: Rc<RefCell<Inner>>,
    interrupt: Arc<AtomicBool>,
}

/// Sets a connection's interrupt flag from any thread (`sqlite3_interrupt`).
#[derive(Clone)]
pub struct InterruptHandle(Arc<AtomicBool>);

impl InterruptHandle {
    pub fn interrupt(&self) {
        self.0.store(true, Ordering::Relaxed);
    }
}

impl Connection {
    /// Opens a database file, or a private in-memory database for `:memory:` (or "").
    pub fn open(path: impl AsRef<Path>) -> Result<Connection> {
        Connection::open_with_options(path, &PagerOptions::default())
    }

    /// `open` with pager options (read-only, cache size, …).
    pub fn open_with_options(path: impl AsRef<Path>, options: &PagerOptions) -> Result<Connection> {
        let path = path.as_ref();
        if is_memory(path) {
            Connection::open_with(Arc::new(MemoryIo::new()), ":memory:", options)
        } else {
            Connection::open_with(Arc::new(FileIo), path, options)
        }
    }

    /// Opens `path` through a given I/O backend.
    pub fn open_with_io(io: Arc<dyn Io>, path: impl AsRef<Path>) -> Result<Connection> {
        Connection::open_with(io, path, &PagerOptions::default())
    }

    /// Opens `path` through `io` with `sqlite3_open_v2`'s choices and the settings SQLite takes
    /// as PRAGMAs: read-only (writes fail with SQLITE_READONLY), create-if-missing (else a
    /// missing file is SQLITE_CANTOPEN), the page size of a new database, cache size, busy
    /// timeout (the open itself waits that long, sleeping, for another process to let go of
    /// the file before it fails with "database is locked"), synchronous.
    pub fn open_with(
        io: Arc<dyn Io>,
        path: impl AsRef<Path>,
        options: &PagerOptions,
    ) -> Result<Connection> {
        let path = path.as_ref();
        let pager = Pager::open(io, path, options)?;
        let interrupt = Arc::new(AtomicBool::new(false));
        let mut inner = Inner {
            pager,
            temp: None,
            catalog: Rc::new(Databases::default()),
            main_file: full_path(path),
            state: ConnState {
                interrupt: Arc::clone(&interrupt),
                autocommit: true,
                ..ConnState::default()
            },
            active_statements: 0,
            rollbacks: 0,
            functions: Rc::default(),
        };
        inner.reload_catalog()?;
        inner.pager.end_read();
        Ok(Connection {
            inner: Rc::new(RefCell::new(inner)),
            interrupt,
        })
    }

    /// Compiles the first statement of `sql`; returns it (if there is one) and the byte offset
    /// of the rest of the text.
    pub fn prepare_with_tail(&self, sql: &str) -> Result<(Option<Statement>, usize)> {
        let parsed = basalt_parser::parse_first(sql).map_err(parse_error)?;
        let Some((statement, tail)) = parsed else {
            return Ok((None, sql.len()));
        };
        let text = &sql[..tail];
        let stmt = Statement::new(Rc::clone(&self.inner), text, statement)?;
        Ok((Some(stmt), tail))
    }

    /// Compiles the first statement of `sql`.
    pub fn prepare(&self, sql: &str) -> Result<Statement> {
        match self.prepare_with_tail(sql)? {
            (Some(s), _) => Ok(s),
            (None, _) => Err(Error::new(ErrorCode::Misuse, "not an SQL statement")),
        }
    }

    /// Runs every statement of `sql` to completion, stopping at the first error
    /// (`sqlite3_exec` without a callback).
    pub fn execute_batch(&self, sql: &str) -> Result<()> {
        let mut rest = sql;
        loop {
            let (stmt, tail) = self.prepare_with_tail(rest)?;
            let Some(mut stmt) = stmt else {
                return Ok(());
            };
            while stmt.step_blocking()? {}
            rest = &rest[tail..];
        }
    }

    pub fn changes(&self) -> i64 {
        self.inner.borrow().state.changes
    }

    pub fn total_changes(&self) -> i64 {
        self.inner.borrow().state.total_changes
    }

    pub fn last_insert_rowid(&self) -> i64 {
        self.inner.borrow().state.last_insert_rowid
    }

    pub fn is_autocommit(&self) -> bool {
        self.inner.borrow().state.autocommit
    }

    /// Makes running statements fail with "interrupted" at their next check.
    pub fn interrupt(&self) {
        self.interrupt.store(true, Ordering::Relaxed);
    }

    pub fn interrupt_handle(&self) -> InterruptHandle {
        InterruptHandle(Arc::clone(&self.interrupt))
    }

    /// Let checkpoints copy cached pages known to hold their WAL frame (the default), or make
    /// them read every frame back from the WAL: only to measure the difference
    /// (`examples/checkpoint_bench.rs`).
    pub fn set_checkpoint_from_cache(&self, enabled: bool) {
        self.inner
            .borrow_mut()
            .pager
            .set_checkpoint_from_cache(enabled);
    }

    /// The pager's counters (cache hits, pages written, syncs, pages checkpointed from cache).
    pub fn pager_stats(&self) -> PagerStats {
        self.inner.borrow().pager.stats()
    }

    /// Defines (or redefines) the scalar function `name` taking `n_args` arguments (-1: any
    /// number), as `sqlite3_create_function_v2` does. It hides a built-in of that name and
    /// count; an `Err` it returns fails the statement that called it with that error.
    pub fn create_scalar_function<F>(
        &self,
        name: &str,
        n_args: i32,
        flags: FunctionFlags,
        f: F,
    ) -> Result<()>
    where
        F: Fn(&mut FunctionCall<'_>, &[ValueRef<'_>]) -> Result<Value> + 'static,
    {
        self.define_function(name, n_args, flags, Some(FunctionKind::Scalar(Rc::new(f))))
    }

    /// Defines the aggregate function `name`: `new` makes the state of each group.
    pub fn create_aggregate_function<F>(
        &self,
        name: &str,
        n_args: i32,
        flags: FunctionFlags,
        new: F,
    ) -> Result<()>
    where
        F: Fn() -> Box<dyn Aggregate> + 'static,
    {
        let kind = FunctionKind::Aggregate(Rc::new(new));
        self.define_function(name, n_args, flags, Some(kind))
    }

    /// Defines the aggregate window function `name` (`sqlite3_create_window_function`): `new`
    /// makes the state of each group or window partition, whose `value` and `inverse` window
    /// frames use; also callable as a plain aggregate.
    pub fn create_window_function<F>(
        &self,
        name: &str,
        n_args: i32,
        flags: FunctionFlags,
        new: F,
    ) -> Result<()>
    where
        F: Fn() -> Box<dyn Aggregate> + 'static,
    {
        let kind = FunctionKind::Window(Rc::new(new));
        self.define_function(name, n_args, flags, Some(kind))
    }

    /// Defines, or with `None` removes, the function `name` for `n_args` arguments. As in
    /// SQLite, refused with SQLITE_BUSY while statements run, and statements prepared before
    /// compile again before their next run.
    pub fn define_function(
        &self,
        name: &str,
        n_args: i32,
        flags: FunctionFlags,
        kind: Option<FunctionKind>,
    ) -> Result<()> {
        let mut inner = self.inner.borrow_mut();
        if inner.active_statements > 0 {
            return Err(Error::new(
                ErrorCode::Busy,
                "unable to delete/modify user-function due to active statements",
            ));
        }
        inner.functions = Rc::new(inner.functions.with_function(name, n_args, flags, kind)?);
        Ok(())
    }

    /// Defines, or with `None` removes, the collation `name` (`sqlite3_create_collation_v2`);
    /// refused with SQLITE_BUSY while statements run.
    pub fn define_collation(
        &self,
        name: &str,
        compare: Option<Rc<user_collations::CompareFn>>,
    ) -> Result<()> {
        let mut inner = self.inner.borrow_mut();
        if inner.active_statements > 0 {
            return Err(Error::new(
                ErrorCode::Busy,
                "unable to delete/modify collation sequence due to active statements",
            ));
        }
        inner.functions = Rc::new(inner.functions.with_collation(name, compare));
        Ok(())
    }

    /// Defines the collation `name`.
    pub fn create_collation<F>(&self, name: &str, compare: F) -> Result<()>
    where
        F: Fn(&[u8], &[u8]) -> std::cmp::Ordering + 'static,
    {
        self.define_collation(name, Some(Rc::new(compare)))
    }

    /// The application's commit, rollback and progress callbacks, to read or replace
    /// (`sqlite3_commit_hook`, `sqlite3_rollback_hook`, `sqlite3_progress_handler`). Not to
    /// be called from inside a hook or a running statement's callback.
    pub fn with_hooks<R>(&self, f: impl FnOnce(&mut Hooks) -> R) -> R {
        f(&mut self.inner.borrow_mut().state.hooks)
    }

    /// Sets (or with `None` clears) the authorizer (`sqlite3_set_authorizer`), called while
    /// statements compile. Statements prepared before compile again before their next run, as
    /// SQLite expires them, so that they are authorized anew.
    pub fn set_authorizer(&self, authorizer: Option<Rc<hooks::Authorizer>>) {
        self.change_settings(|s| s.authorizer = authorizer);
    }

    /// Runs `f`, whose statements are the library's own, not the application's (the C API's
    /// PRAGMAs standing in for SQLite's internal calls): they do not ask the authorizer.
    pub fn as_library<R>(&self, f: impl FnOnce(&Connection) -> R) -> R {
        let _guard = functions::LibraryGuard::enter();
        f(self)
    }

    /// SQLITE_LIMIT_FUNCTION_ARG: calls with more arguments fail to compile.
    pub fn set_max_function_args(&self, n: usize) {
        self.change_settings(|s| s.max_function_args = n);
    }

    fn change_settings(&self, change: impl FnOnce(&mut functions::CompileSettings)) {
        let mut inner = self.inner.borrow_mut();
        inner.functions = Rc::new(inner.functions.with_settings(change));
    }

    /// Whether the application defined collation `name`.
    pub fn has_collation(&self, name: &str) -> bool {
        self.inner.borrow().functions.has_collation(name)
    }

    /// The I/O backend, to drive after `StepResult::IoPending`.
    pub fn io(&self) -> Arc<dyn Io> {
        Arc::clone(self.inner.borrow().pager.io())
    }
}

/// A database's file name as SQLite reports it: absolute, symbolic links resolved where the
/// file exists; "" for an in-memory database.
fn full_path(path: &Path) -> PathBuf {
    if is_memory(path) {
        return PathBuf::new();
    }
    std::fs::canonicalize(path)
        .or_else(|_| std::path::absolute(path))
        .unwrap_or_else(|_| path.to_path_buf())
}

/// `:memory:` or "": a private in-memory database.
fn is_memory(path: &Path) -> bool {
    path == Path::new(":memory:") || path.as_os_str().is_empty()
}

fn no_such_savepoint(name: &str) -> Error {
    Error::new(ErrorCode::Error, format!("no such savepoint: {name}"))
}

fn parse_error(e: basalt_parser::Error) -> Error {
    Error::new(ErrorCode::Error, e.to_string())
}

/// A prepared statement.
pub struct Statement {
    conn: Rc<RefCell<Inner>>,
    /// The catalogs the program was compiled against.
    catalog: Rc<Databases>,
    /// The application's definitions it was compiled with.
    functions: Rc<UserRegistry>,
    sql: String,
    control: Control,
    vm: Vm,
    /// EXPLAIN or EXPLAIN QUERY PLAN: the listing's rows, and how many were returned.
    explain: Option<(Vec<Vec<Value>>, usize)>,
    /// The listing's column names.
    explain_columns: &'static [&'static str],
    /// Rows returned since the last reset (a schema change then can no longer recompile).
    rows_returned: bool,
    done: bool,
    /// Counted in `Inner::active_statements` (stepped, not yet done or reset).
    active: bool,
}

const EXPLAIN_COLUMNS: [&str; 8] = ["addr", "opcode", "p1", "p2", "p3", "p4", "p5", "comment"];
const QUERY_PLAN_COLUMNS: [&str; 4] = ["id", "parent", "notused", "detail"];

impl Statement {
    // A program holds the application's functions (`Rc`s): it is no more `Send` than the
    // connection that compiled it, and the `Arc` is only shared within that connection.
    fn new(
        conn: Rc<RefCell<Inner>>,
        sql: &str,
        statement: basalt_parser::ast::Statement,
    ) -> Result<Statement> {
        let mut catalog = Rc::clone(&conn.borrow().catalog);
        let registry = Rc::clone(&conn.borrow().functions);
        let _active = functions::activate(&registry);
        let (program, control) = match codegen::compile(&catalog, &statement, sql) {
            Ok(compiled) => compiled,
            Err(e) if e.code != ErrorCode::Error => return Err(e),
            Err(e) => {
                if !conn.borrow_mut().refresh_stale_catalog()? {
                    return Err(e);
                }
                catalog = Rc::clone(&conn.borrow().catalog);
                codegen::compile(&catalog, &statement, sql)?
            }
        };
        let (explain, explain_columns) = match statement.explain {
            Some(basalt_parser::ast::Explain::QueryPlan) => (
                Some((codegen::query_plan(&catalog, &statement, sql)?, 0)),
                &QUERY_PLAN_COLUMNS[..],
            ),
            Some(basalt_parser::ast::Explain::Explain) => {
                (Some((program.explain_rows(), 0)), &EXPLAIN_COLUMNS[..])
            }
            None => (None, &EXPLAIN_COLUMNS[..]),
        };
        Ok(Statement {
            conn,
            catalog,
            functions: registry,
            sql: sql.to_string(),
            control,
            vm: Vm::new(Rc::new(program)),
            explain,
            explain_columns,
            rows_returned: false,
            done: false,
            active: false,
        })
    }

    pub fn sql(&self) -> &str {
        &self.sql
    }

    pub fn program(&self) -> &Program {
        self.vm.program()
    }

    pub fn column_count(&self) -> usize {
        if self.explain.is_some() {
            return self.explain_columns.len();
        }
        self.vm.program().column_names.len()
    }

    pub fn column_name(&self, i: usize) -> Option<&str> {
        if self.explain.is_some() {
            return self.explain_columns.get(i).copied();
        }
        self.vm.program().column_names.get(i).map(String::as_str)
    }

    /// The current row's values.
    pub fn row(&self) -> &[Value] {
        if let Some((rows, n)) = &self.explain {
            return n
                .checked_sub(1)
                .and_then(|i| rows.get(i))
                .map_or(&[], Vec::as_slice);
        }
        self.vm.row()
    }

    pub fn column_value(&self, i: usize) -> &Value {
        self.row().get(i).unwrap_or(&Value::Null)
    }

    /// Steps, waiting for I/O when the backend asks for it; `true` when a row is ready.
    pub fn step_blocking(&mut self) -> Result<bool> {
        loop {
            match self.step()? {
                StepResult::Row => return Ok(true),
                StepResult::Done => return Ok(false),
                StepResult::IoPending => {
                    let io = Arc::clone(self.conn.borrow().pager.io());
                    io.wait()?;
                }
            }
        }
    }

    /// Runs until the next row, the end, or pending I/O.
    pub fn step(&mut self) -> Result<StepResult> {
        if self.done {
            return Ok(StepResult::Done);
        }
        if let Some((rows, n)) = &mut self.explain {
            if *n < rows.len() {
                *n += 1;
                return Ok(StepResult::Row);
            }
            self.done = true;
            return Ok(StepResult::Done);
        }
        if self.control != Control::None {
            self.done = true;
            self.transaction_control()?;
            return Ok(StepResult::Done);
        }
        self.activate();
        let stale = !Rc::ptr_eq(&self.catalog, &self.conn.borrow().catalog)
            || !Rc::ptr_eq(&self.functions, &self.conn.borrow().functions);
        if stale && !self.vm.is_running() {
            // This connection changed a schema since the statement was compiled (a temp
            // object may now hide the main one it named): SQLite expires such statements and
            // compiles them again, and so does this.
            self.recompile(false)?;
        }
        let mut recompiled = false;
        loop {
            let result = {
                let mut guard = self.conn.borrow_mut();
                let inner = &mut *guard;
                let mut env = Env {
                    pager: &mut inner.pager,
                    temp: &mut inner.temp,
                    conn: &mut inner.state,
                };
                let _active = functions::activate(&self.functions);
                user_collations::take_missing();
                let result = self.vm.step(&mut env);
                match user_collations::take_missing() {
                    Some(missing) if result.is_ok() => Err(missing),
                    _ => result,
                }
            };
            match result {
                Ok(StepResult::Row) => {
                    self.rows_returned = true;
                    return Ok(StepResult::Row);
                }
                Ok(StepResult::IoPending) => return Ok(StepResult::IoPending),
                Ok(StepResult::Done) => {
                    self.done = true;
                    self.deactivate();
                    self.finish()?;
                    return Ok(StepResult::Done);
                }
                Err(e) if e.code == ErrorCode::Schema && !self.rows_returned && !recompiled => {
                    recompiled = true;
                    if let Err(e) = self.recompile(true) {
                        // The old program may hold the writer lock: undo it as a failure.
                        self.done = true;
                        self.deactivate();
                        self.fail()?;
                        return Err(e);
                    }
                }
                Err(e) => {
                    self.done = true;
                    self.deactivate();
                    self.fail()?;
                    return Err(e);
                }
            }
        }
    }

    /// Counts the statement as running from its first step. As in SQLite, the interrupt flag
    /// is cleared only when a statement starts while no other one runs: an interrupt meant for
    /// running statements must not be lost between two of their steps.
    fn activate(&mut self) {
        if self.active {
            return;
        }
        let mut inner = self.conn.borrow_mut();
        if inner.active_statements == 0 {
            inner.state.interrupt.store(false, Ordering::Relaxed);
        }
        inner.active_statements += 1;
        self.active = true;
    }

    fn deactivate(&mut self) {
        if self.active {
            let mut inner = self.conn.borrow_mut();
            debug_assert!(inner.active_statements > 0);
            inner.active_statements -= 1;
            self.active = false;
        }
    }

    /// Compiles the statement again, against the connection's catalog (read again first if
    /// `reload`: another connection changed the schema).
    fn recompile(&mut self, reload: bool) -> Result<()> {
        let mut inner = self.conn.borrow_mut();
        if reload {
            inner.reload_catalog()?;
        }
        let catalog = Rc::clone(&inner.catalog);
        let registry = Rc::clone(&inner.functions);
        drop(inner);
        let _active = functions::activate(&registry);
        let statement = basalt_parser::parse_first(&self.sql)
            .map_err(parse_error)?
            .ok_or_else(|| Error::new(ErrorCode::Misuse, "not an SQL statement"))?
            .0;
        let (program, _) = codegen::compile(&catalog, &statement, &self.sql)?;
        self.catalog = catalog;
        self.functions = registry;
        let mut vm = Vm::new(Rc::new(program));
        for (i, v) in self.vm.params().iter().enumerate() {
            vm.bind(i + 1, v.clone())?;
        }
        self.vm = vm;
        Ok(())
    }

    /// The statement ran to its end: keep its changes.
    fn finish(&mut self) -> Result<()> {
        let mut inner = self.conn.borrow_mut();
        // Prefetches it never needed (or a reset cut short) belong to it, not to what runs next.
        inner.pager.abandon_reads();
        if self.vm.program().is_dml {
            inner.state.changes = self.vm.changes;
            inner.state.total_changes += self.vm.changes;
        }
        for db in Db::ALL {
            if let (Some(level), Some(pager)) = (self.vm.savepoints[db.index()], inner.pager_of(db))
            {
                pager.release(level)?;
            }
        }
        self.vm.savepoints = [None; 2];
        let result = if inner.state.autocommit && self.vm.writes {
            inner.commit_all()
        } else {
            Ok(())
        };
        if inner.state.autocommit {
            inner.end_read_all();
        }
        // A statement that created the temp database changes what PRAGMA database_list shows.
        let temp_created = inner.temp.is_some() != inner.catalog.temp_open;
        let reload = self.vm.schema_changed
            || self.vm.program().reloads_catalog
            || result.is_err()
            || temp_created;
        if reload {
            inner.reload_catalog()?;
        }
        result
    }

    /// The statement failed: undo what its conflict algorithm says to undo.
    fn fail(&mut self) -> Result<()> {
        let mut inner = self.conn.borrow_mut();
        // Its reads still in flight may fail too; that fault was this statement's, and must not
        // resurface in the next one (or in the schema reload below).
        inner.pager.abandon_reads();
        let on_error = self.vm.on_error;
        let savepoints = std::mem::take(&mut self.vm.savepoints);
        if self.vm.program().is_dml {
            // Undone changes are no changes; FAIL keeps those made before the failure.
            inner.state.changes = if on_error == OnError::Fail {
                self.vm.changes
            } else {
                0
            };
            inner.state.total_changes += inner.state.changes;
        }
        if inner.state.autocommit {
            if self.vm.writes {
                if on_error == OnError::Fail {
                    inner.commit_all()?;
                } else {
                    inner.rollback_all();
                }
            }
            inner.pagers().for_each(Pager::end_read);
        } else if on_error == OnError::Rollback || self.vm.unjournaled_write {
            // A write begun without a statement savepoint (`vdbe/journal.rs`: only I/O errors,
            // corruption or an interrupt can fail it) cannot be undone alone, as in SQLite.
            inner.rollback_all();
            inner.state.autocommit = true;
        } else {
            for db in Db::ALL {
                let (Some(level), Some(pager)) = (savepoints[db.index()], inner.pager_of(db))
                else {
                    continue;
                };
                if on_error == OnError::Abort {
                    pager.rollback_to(level)?;
                }
                pager.release(level)?;
            }
        }
        if self.vm.writes || inner.temp.is_some() != inner.catalog.temp_open {
            inner.reload_catalog()?;
        }
        Ok(())
    }

    fn transaction_control(&mut self) -> Result<()> {
        let mut inner = self.conn.borrow_mut();
        match &self.control {
            &Control::Begin(kind) => {
                if !inner.state.autocommit {
                    return Err(Error::new(
                        ErrorCode::Error,
                        "cannot start a transaction within a transaction",
                    ));
                }
                // A BEGIN IMMEDIATE that finds the writer lock taken fails and leaves the
                // connection in autocommit mode, as SQLite's does.
                inner.pager.begin(kind)?;
                inner.state.autocommit = false;
            }
            Control::Commit => {
                if inner.state.autocommit {
                    return Err(Error::new(
                        ErrorCode::Error,
                        "cannot commit - no transaction is active",
                    ));
                }
                let committed = inner.commit_all();
                if committed.is_err() && !inner.writing() {
                    // Rolled back (the commit hook refused, or the commit failed): the
                    // transaction is over, and what it changed in the schema with it.
                    inner.state.autocommit = true;
                    inner.reload_catalog()?;
                }
                committed?;
                inner.state.autocommit = true;
            }
            Control::Rollback => {
                if inner.state.autocommit {
                    return Err(Error::new(
                        ErrorCode::Error,
                        "cannot rollback - no transaction is active",
                    ));
                }
                inner.rollback_all();
                inner.state.autocommit = true;
                inner.reload_catalog()?;
            }
            &Control::CountChanges(on) => {
                inner.functions = Rc::new(inner.functions.with_settings(|s| s.count_changes = on));
            }
            Control::Savepoint(name) => inner.open_savepoint(name)?,
            Control::Release(name) => inner.release_savepoint(name)?,
            Control::RollbackTo(name) => inner.rollback_to_savepoint(name)?,
            &Control::Vacuum(db) => inner.vacuum(db)?,
            Control::None => {}
        }
        Ok(())
    }

    /// Back to the start (`sqlite3_reset`); bindings stay.
    pub fn reset(&mut self) {
        if self.vm.is_running() && !self.done {
            // A statement stopped half-way keeps what it did, as SQLite's reset does.
            self.done = true;
            let _ = self.finish();
        }
        self.deactivate();
        self.vm.reset();
        if let Some((_, n)) = &mut self.explain {
            *n = 0;
        }
        self.rows_returned = false;
        self.done = false;
    }

    /// VM instructions this statement ran since it was prepared (or last recompiled after a
    /// schema change), as `sqlite3_stmt_status(.., SQLITE_STMTSTATUS_VM_STEP, 0)`: a count of
    /// work that tests can bound without timing anything.
    pub fn vm_steps(&self) -> u64 {
        self.vm.steps()
    }

    /// Sorted runs this statement's sorters wrote to disk since it was prepared: how tests
    /// see that a large sort ran in bounded memory.
    pub fn sort_runs(&self) -> u64 {
        self.vm.sort_runs()
    }

    pub fn parameter_count(&self) -> usize {
        self.vm.program().n_params
    }

    /// The index of a named parameter (`:a`, `@a`, `$a`, `?NNN`), as written.
    pub fn parameter_index(&self, name: &str) -> Option<usize> {
        self.vm
            .program()
            .param_names
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, i)| *i)
    }

    pub fn bind(&mut self, index: usize, value: Value) -> Result<()> {
        self.vm.bind(index, value)
    }

    pub fn bind_by_name(&mut self, name: &str, value: Value) -> Result<()> {
        let index = self
            .parameter_index(name)
            .ok_or_else(|| Error::code(ErrorCode::Range))?;
        self.vm.bind(index, value)
    }

    pub fn clear_bindings(&mut self) {
        self.vm.clear_bindings();
    }

    /// The values now bound, by parameter index - 1 (NULL where nothing is bound).
    pub fn bound(&self) -> &[Value] {
        self.vm.params()
    }

    /// Finishes with the statement (`sqlite3_finalize`).
    pub fn finalize(mut self) {
        self.reset();
    }
}

impl Drop for Statement {
    fn drop(&mut self) {
        if self.vm.is_running() && !self.done {
            self.done = true;
            let _ = self.finish();
        }
        self.deactivate();
    }
}
