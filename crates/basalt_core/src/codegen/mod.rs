//! The code generator: one parsed statement in, one VM `Program` out.
//!
//! Names are resolved against the `Catalog` (tables, views, indexes) and the statement's own
//! scopes (FROM sources, CTEs, result aliases, outer queries for correlated subqueries).
//! Planning is deliberately simple — full scans, nested loops in FROM order, rowid lookups —
//! because the planner is a later issue; but it is never wrong: every plan computes what SQLite
//! computes, including SQLite's result order where SQLite's own simple plan defines it (UNION
//! output in key order, ORDER BY ties in input order).
//!
//! Invariants:
//! - Every register, cursor and aggregate slot is allocated through `Builder`, so the program's
//!   sizes cover every index it uses.
//! - Forward jumps go to labels, resolved when the program is finished; an unresolved label is
//!   an internal error, never a jump to nowhere.
//! - Errors SQLite reports at prepare time (no such table/column/function, ambiguous names,
//!   misuse of aggregates, wrong argument counts) are reported here with SQLite's message.

mod access;
mod aggregate;
mod alter;
mod analyze;
mod authorize;
mod auto_index;
mod autoincrement;
mod compound;
mod covering;
mod ddl;
mod dml;
mod each_expr;
mod estimate;
mod expr;
mod flatten;
mod in_existing;
mod in_seek;
mod index_hint;
mod index_range;
mod integrity;
mod join_order;
mod lazy_call;
mod multi_or;
mod order_walk;
mod outer_join;
mod pragma;
mod pragma_schema;
mod query_plan;
mod recursive_cte;
mod returning;
mod scope;
mod select;
mod short_records;
mod upsert;
mod window;

use crate::catalog::Databases;
use crate::error::{Error, ErrorCode, Result};
use crate::schema::Db;
use crate::vdbe::{Addr, CursorId, Insn, Program, Reg};
use basalt_parser::ast;

pub use scope::Params;

/// A forward jump target, resolved to an address when it is placed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Label(usize);

/// A loop over every row of a cursor, between `Builder::scan_start` and `Builder::scan_end`.
pub struct Scan {
    cursor: CursorId,
    top: Label,
    end: Label,
}

/// Label ids are encoded in jump fields above this value until resolved.
const LABEL_BASE: usize = usize::MAX / 2;

/// A program under construction.
#[derive(Default)]
pub struct Builder {
    insns: Vec<Insn>,
    labels: Vec<Option<Addr>>,
    n_regs: usize,
    n_cursors: usize,
    n_aggs: usize,
    /// Code of constant operands, run once per execution in the prologue (`hoist_from`).
    constants: Vec<Insn>,
}

fn jump_target(insn: &mut Insn) -> Option<&mut Addr> {
    match insn {
        Insn::Init { target }
        | Insn::Goto { target }
        | Insn::Next { target, .. }
        | Insn::Prev { target, .. }
        | Insn::IdxCompare { target, .. }
        | Insn::NotFound { target, .. }
        | Insn::Found { target, .. }
        | Insn::Compare { target, .. }
        | Insn::If { target, .. }
        | Insn::IfNot { target, .. }
        | Insn::IsNull { target, .. }
        | Insn::NotNull { target, .. }
        | Insn::Gosub { target, .. }
        | Insn::Once { target }
        | Insn::InitCoroutine { target, .. }
        | Insn::IfPos { target, .. }
        | Insn::DecrJumpZero { target, .. }
        | Insn::IfZero { target, .. } => Some(target),
        Insn::Rewind { if_empty, .. }
        | Insn::Last { if_empty, .. }
        | Insn::SorterSort { if_empty, .. }
        | Insn::SeekRowidFrom { if_empty, .. } => Some(if_empty),
        Insn::Yield { done, .. } => Some(done),
        Insn::WindowNext { if_none, .. } => Some(if_none),
        Insn::SeekRowid { not_found, .. } | Insn::SeekIndex { not_found, .. } => Some(not_found),
        _ => None,
    }
}

impl Builder {
    pub fn emit(&mut self, insn: Insn) -> Addr {
        self.insns.push(insn);
        self.insns.len() - 1
    }

    pub fn addr(&self) -> Addr {
        self.insns.len()
    }

    /// Moves the code emitted since `start` to the prologue, which runs it once per execution
    /// before any loop (SQLite's factoring of constant expressions). The caller guarantees the
    /// code computes a constant without jumps, labels or possible errors, into registers that
    /// nothing else writes.
    pub fn hoist_from(&mut self, start: Addr) {
        debug_assert!(self.insns[start..]
            .iter_mut()
            .all(|insn| jump_target(insn).is_none()));
        let moved = self.insns.split_off(start);
        self.constants.extend(moved);
    }

    /// Emits the hoisted constants' code (in the prologue).
    fn emit_constants(&mut self) {
        let constants = std::mem::take(&mut self.constants);
        self.insns.extend(constants);
    }

    pub fn label(&mut self) -> Label {
        self.labels.push(None);
        Label(self.labels.len() - 1)
    }

    /// The value to put in a jump field for `label`.
    pub fn to(&self, label: Label) -> Addr {
        LABEL_BASE + label.0
    }

    pub fn place(&mut self, label: Label) {
        self.labels[label.0] = Some(self.insns.len());
    }

    pub fn reg(&mut self) -> Reg {
        self.regs(1)
    }

    pub fn regs(&mut self, n: usize) -> Reg {
        let first = self.n_regs;
        self.n_regs += n;
        first
    }

    pub fn cursor(&mut self) -> CursorId {
        self.n_cursors += 1;
        self.n_cursors - 1
    }

    pub fn agg_slot(&mut self) -> usize {
        self.n_aggs += 1;
        self.n_aggs - 1
    }

    pub fn insn(&self, addr: Addr) -> Option<&Insn> {
        self.insns.get(addr)
    }

    /// Replaces the instruction at `addr` (used to drop a `Once` whose body turned out to be
    /// correlated).
    pub fn replace(&mut self, addr: Addr, insn: Insn) {
        self.insns[addr] = insn;
    }

    /// Opens a `Rewind` … `Next` loop over every row of `cursor`; what is emitted until
    /// `scan_end` runs once per row, and an empty table skips straight past the loop.
    pub fn scan_start(&mut self, cursor: CursorId) -> Scan {
        let end = self.label();
        let top = self.label();
        self.emit(Insn::Rewind {
            cursor,
            if_empty: self.to(end),
        });
        self.place(top);
        Scan { cursor, top, end }
    }

    /// Closes a loop opened by `scan_start`.
    pub fn scan_end(&mut self, scan: Scan) {
        self.emit(Insn::Next {
            cursor: scan.cursor,
            target: self.to(scan.top),
        });
        self.place(scan.end);
    }

    /// Columns `0..n` of the current row of `cursor` into `dest..`.
    pub fn columns(&mut self, cursor: CursorId, n: usize, dest: Reg) {
        self.columns_from(cursor, 0, n, dest);
    }

    /// Columns `first..first + n` of `cursor`'s current record into `dest..dest + n`.
    pub fn columns_from(&mut self, cursor: CursorId, first: usize, n: usize, dest: Reg) {
        for i in 0..n {
            self.emit(Insn::Column {
                cursor,
                column: first + i,
                dest: dest + i,
                default: None,
            });
        }
    }

    /// Registers `start..start + count` as a record appended to table `cursor` under a new rowid.
    pub fn append_record(&mut self, cursor: CursorId, start: Reg, count: usize) {
        let rec = self.reg();
        let rowid = self.reg();
        self.emit(Insn::MakeRecord {
            start,
            count,
            dest: rec,
        });
        self.emit(Insn::NewRowid {
            cursor,
            dest: rowid,
            autoinc: None,
        });
        self.emit(Insn::Insert {
            cursor,
            record: rec,
            rowid,
            count_change: false,
            last_rowid: false,
            hook: None,
        });
    }

    /// Adds the one-field key in `key` to the set on `cursor` unless it holds it already, in
    /// which case it jumps to `seen`.
    pub fn insert_if_new(&mut self, cursor: CursorId, key: Reg, seen: Label) {
        self.emit(Insn::Found {
            cursor,
            key,
            count: 1,
            target: self.to(seen),
        });
        self.idx_insert_record(cursor, key, 1);
    }

    /// Registers `start..start + count` as a record into index `cursor`.
    pub fn idx_insert_record(&mut self, cursor: CursorId, start: Reg, count: usize) {
        let rec = self.reg();
        self.emit(Insn::MakeRecord {
            start,
            count,
            dest: rec,
        });
        self.emit(Insn::IdxInsert {
            cursor,
            record: rec,
        });
    }

    /// Whether the instructions so far use database `db`, and whether they write to it.
    fn db_access(&self, db: Db) -> (bool, bool) {
        let mut used = false;
        let mut write = false;
        for insn in &self.insns {
            let (on, writes) = match insn {
                Insn::OpenRead { db, .. } => (*db, false),
                Insn::OpenWrite { db, .. }
                | Insn::CreateBtree { db, .. }
                | Insn::DropBtree { db, .. }
                | Insn::SchemaChanged { db } => (*db, true),
                Insn::Pragma { pragma, set, .. } => {
                    (Db::Main, set.is_some() && pragma.writes_header())
                }
                _ => continue,
            };
            if on == db {
                used = true;
                write |= writes;
            }
        }
        (used, write)
    }

    fn finish(mut self) -> Result<Program> {
        for insn in &mut self.insns {
            if let Some(target) = jump_target(insn) {
                if *target >= LABEL_BASE {
                    *target = self
                        .labels
                        .get(*target - LABEL_BASE)
                        .copied()
                        .flatten()
                        .ok_or_else(|| Error::new(ErrorCode::Internal, "unresolved label"))?;
                }
            }
        }
        Ok(Program {
            insns: self.insns,
            n_regs: self.n_regs,
            n_cursors: self.n_cursors,
            n_aggs: self.n_aggs,
            ..Program::default()
        })
    }
}

/// The state of one statement's compilation.
pub struct Ctx<'a> {
    pub catalog: &'a Databases,
    pub sql: &'a str,
    pub b: Builder,
    pub params: Params,
    /// Whether the program writes to the database.
    pub writes: bool,
    /// CTEs in scope, innermost last.
    ctes: Vec<ast::Cte>,
    /// Views being expanded (to refuse a view that refers to itself).
    expanding: Vec<String>,
    /// Nesting of result-alias expansions (an alias cannot expand forever).
    alias_depth: usize,
    /// Where a pragma's rows go when it is a table-valued function in FROM (an ephemeral
    /// table) instead of being result rows.
    pragma_sink: Option<CursorId>,
    /// What CTE names mean while their own bodies are compiled, each with the number of CTEs
    /// visible to that body (a CTE defined inside it, at or past that index, shadows it).
    cte_guards: Vec<(usize, recursive_cte::CteGuard)>,
    /// Nesting of selects being compiled (a recursive CTE's member is at its own depth).
    depth: usize,
    /// The `main` view being created, whose query may not name `temp` objects.
    creating_main_view: Option<String>,
    /// Where unqualified table names resolve: everywhere (`None`), or only in `main` while a
    /// view stored in `main` is expanded (SQLite binds such a view to its own database).
    default_db: Option<Db>,
    /// Set while a CHECK constraint, an index expression or a partial index's WHERE is
    /// compiled: calls there must be pure (SQLite's OP_PureFunc).
    pure_use: Option<crate::sql::func::PureUse>,
    /// EXPLAIN QUERY PLAN: the plan's rows, noted while the statement compiles.
    plan: Option<query_plan::PlanNotes>,
    /// Index loops that may read their table from the index alone (`covering.rs`).
    covering: Vec<covering::CoverCandidate>,
    /// Full table scans that an index may serve alone (`covering.rs`).
    covering_scans: Vec<covering::ScanCandidate>,
    /// The walk (backwards over the table, or over a whole index) the loop over a source
    /// cursor makes for its ORDER BY (`order_walk.rs`), taken by that loop's `choose_access`.
    order_walk: std::cell::Cell<Option<order_walk::OrderWalk>>,
    /// Source cursors whose loop's order serves an ORDER BY (or min/max): their table scans
    /// keep the table's order and are not turned into index walks (`covering.rs`).
    order_kept: std::cell::RefCell<Vec<CursorId>>,
    /// Source cursors of tables named `INDEXED BY` or `NOT INDEXED`, with the hint their
    /// loops obey (`index_hint.rs`).
    index_hints: Vec<(CursorId, index_hint::IndexHint)>,
    /// FROM items of the SELECT being compiled that are read as their table (`flatten.rs`),
    /// until `add_source` takes them.
    flattened: Vec<flatten::Flattened>,
    /// The connection's authorizer, if one is set (`authorize.rs`).
    authorizer: Option<std::rc::Rc<crate::hooks::Authorizer>>,
    /// (database, table, column) whose reads the authorizer answered IGNORE: they read NULL.
    auth_ignored: std::cell::RefCell<Vec<(Db, String, String)>>,
}

impl Ctx<'_> {
    /// The database a table reference is qualified with (without a qualifier, `None`, or
    /// `main` inside a main view); an unknown one is SQLite's "no such table: x.t".
    fn schema_of(&self, name: &ast::QualifiedName) -> Result<Option<Db>> {
        let Some(s) = &name.schema else {
            return Ok(self.default_db);
        };
        let Some(db) = Db::from_name(&s.value) else {
            return Err(error(format!(
                "no such table: {}.{}",
                s.value, name.name.value
            )));
        };
        if let (Some(view), Db::Temp) = (&self.creating_main_view, db) {
            return Err(error(format!(
                "view {view} cannot reference objects in database {}",
                s.value
            )));
        }
        Ok(Some(db))
    }
}

/// SQLite's "no such table" for a reference resolved in `db` (`None`: in every database).
fn no_such_table(name: &ast::QualifiedName, db: Option<Db>) -> Error {
    let table = &name.name.value;
    error(match (&name.schema, db) {
        (Some(s), _) => format!("no such table: {}.{table}", s.value),
        (None, Some(db)) => format!("no such table: {}.{table}", db.name()),
        (None, None) => format!("no such table: {table}"),
    })
}

pub fn error(message: impl Into<String>) -> Error {
    Error::new(ErrorCode::Error, message)
}

/// What the connection does with a statement beside running a program.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Control {
    /// An ordinary statement: run the program.
    None,
    /// BEGIN: IMMEDIATE and EXCLUSIVE take the writer lock at once, as in SQLite.
    Begin(crate::pager::TransactionKind),
    Commit,
    Rollback,
    /// `SAVEPOINT name`.
    Savepoint(String),
    /// `PRAGMA count_changes = on`: a compile setting, like the authorizer (`functions.rs`).
    CountChanges(bool),
    /// `RELEASE [SAVEPOINT] name`.
    Release(String),
    /// `ROLLBACK [TRANSACTION] TO [SAVEPOINT] name`.
    RollbackTo(String),
    /// `VACUUM [schema]`.
    Vacuum(Db),
}

/// An index walked or written in an order the connection cannot compute (an application's
/// collation it does not define now) is refused at prepare, as SQLite does; comparisons made
/// elsewhere under such a collation fail the statement when they happen (`user_collations`).
fn check_index_collations(program: &Program) -> Result<()> {
    for insn in &program.insns {
        if let Insn::OpenRead { key: Some(key), .. } | Insn::OpenWrite { key: Some(key), .. } = insn
        {
            for column in &key.columns {
                crate::record::user_collations::check_defined(column.collation)?;
            }
        }
    }
    Ok(())
}

/// Compiles one statement.
pub fn compile(
    catalog: &Databases,
    statement: &ast::Statement,
    sql: &str,
) -> Result<(Program, Control)> {
    compile_noting(catalog, statement, sql, None).map(|(program, control, _)| (program, control))
}

/// `EXPLAIN QUERY PLAN`: the rows `(id, parent, notused, detail)` describing how the
/// statement runs, or `not_supported` where Basalt cannot describe its plan truthfully yet.
pub fn query_plan(
    catalog: &Databases,
    statement: &ast::Statement,
    sql: &str,
) -> Result<Vec<Vec<crate::record::Value>>> {
    let notes = query_plan::PlanNotes::for_statement(&statement.stmt);
    let (_, _, notes) = compile_noting(catalog, statement, sql, Some(notes))?;
    notes.unwrap_or_default().into_rows()
}

fn compile_noting(
    catalog: &Databases,
    statement: &ast::Statement,
    sql: &str,
    plan: Option<query_plan::PlanNotes>,
) -> Result<(Program, Control, Option<query_plan::PlanNotes>)> {
    let settings = crate::functions::settings();
    check_function_args(&statement.stmt, settings.max_function_args)?;
    // EXPLAIN QUERY PLAN compiles a second time: the first compile asked already.
    let authorizer = settings.authorizer.filter(|_| plan.is_none());
    let mut ctx = Ctx {
        catalog,
        sql,
        b: Builder::default(),
        params: Params::of_statement(sql)?,
        writes: false,
        ctes: Vec::new(),
        expanding: Vec::new(),
        alias_depth: 0,
        creating_main_view: None,
        default_db: None,
        cte_guards: Vec::new(),
        depth: 0,
        pragma_sink: None,
        pure_use: None,
        plan,
        covering: Vec::new(),
        covering_scans: Vec::new(),
        order_walk: std::cell::Cell::new(None),
        order_kept: std::cell::RefCell::new(Vec::new()),
        index_hints: Vec::new(),
        flattened: Vec::new(),
        authorizer,
        auth_ignored: std::cell::RefCell::new(Vec::new()),
    };
    let changed;
    let stmt = match ctx.authorize(&statement.stmt)? {
        authorize::Outcome::Compile(None) => Some(&statement.stmt),
        authorize::Outcome::Compile(Some(s)) => {
            changed = s;
            Some(&*changed)
        }
        authorize::Outcome::Nothing => None,
    };
    let init = ctx.b.emit(Insn::Init { target: 0 });
    let mut control = Control::None;
    let mut column_names = Vec::new();
    let mut column_types = Vec::new();
    let mut column_origins = Vec::new();
    match stmt.unwrap_or(&ast::Stmt::Reindex(None)) {
        ast::Stmt::Select(select) => {
            for column in ctx.select_statement(select)? {
                column_names.push(column.name);
                column_types.push(column.declared_type);
                column_origins.push(column.origin);
            }
        }
        ast::Stmt::Insert(insert) => column_names = ctx.insert(insert)?,
        ast::Stmt::Update(update) => column_names = ctx.update(update)?,
        ast::Stmt::Delete(delete) => column_names = ctx.delete(delete)?,
        ast::Stmt::CreateTable(create) => ctx.create_table(create, statement)?,
        ast::Stmt::CreateIndex(create) => ctx.create_index(create, statement)?,
        ast::Stmt::CreateView(create) => ctx.create_view(create, statement)?,
        ast::Stmt::CreateTrigger(create) => ctx.create_trigger(create, statement)?,
        ast::Stmt::AlterTable(alter) => ctx.alter_table(alter, statement)?,
        ast::Stmt::Drop {
            kind,
            if_exists,
            name,
        } => ctx.drop(*kind, *if_exists, name)?,
        ast::Stmt::Pragma(pragma) => match pragma::count_changes_setting(pragma) {
            Some(on) => control = Control::CountChanges(on),
            None => column_names = ctx.pragma(pragma)?,
        },
        ast::Stmt::Begin { mode, .. } => {
            use crate::pager::TransactionKind;
            control = Control::Begin(match mode {
                None | Some(ast::TransactionMode::Deferred) => TransactionKind::Deferred,
                Some(ast::TransactionMode::Immediate) => TransactionKind::Immediate,
                Some(ast::TransactionMode::Exclusive) => TransactionKind::Exclusive,
                Some(ast::TransactionMode::Concurrent) => {
                    return Err(crate::error::Error::not_supported("BEGIN CONCURRENT"))
                }
            })
        }
        ast::Stmt::Commit => control = Control::Commit,
        ast::Stmt::Rollback { savepoint: None } => control = Control::Rollback,
        ast::Stmt::Rollback {
            savepoint: Some(name),
        } => control = Control::RollbackTo(name.value.clone()),
        ast::Stmt::Savepoint(name) => control = Control::Savepoint(name.value.clone()),
        ast::Stmt::Release(name) => control = Control::Release(name.value.clone()),
        ast::Stmt::Reindex(Some(name)) => {
            // Indexes are always in order here; only the name is checked, as SQLite does.
            let n = &name.name.value;
            if catalog.table(n).is_none()
                && catalog.index(n).is_none()
                && crate::record::Collation::from_name(n).is_none()
            {
                return Err(error("unable to identify the object to be reindexed"));
            }
        }
        ast::Stmt::Reindex(None) => {}
        ast::Stmt::Analyze(target) => ctx.analyze(target.as_ref())?,
        ast::Stmt::Vacuum { schema, into } => {
            if into.is_some() {
                return Err(Error::not_supported("VACUUM INTO"));
            }
            control = Control::Vacuum(match schema {
                None => Db::Main,
                Some(s) => Db::from_name(&s.value)
                    .ok_or_else(|| error(format!("unknown database {}", s.value)))?,
            });
        }
        other => {
            return Err(error(format!(
                "not supported yet: {}",
                statement_kind(other)
            )))
        }
    }
    let is_dml = matches!(
        stmt,
        Some(ast::Stmt::Insert(_) | ast::Stmt::Update(_) | ast::Stmt::Delete(_))
    );
    if is_dml && settings.count_changes && column_names.is_empty() {
        if let Some(ast::Stmt::Insert(i)) = stmt {
            // SQLite's count leaves out the rows an upsert updates; Basalt's counter has them.
            if i.upsert
                .iter()
                .any(|u| matches!(u.action, ast::UpsertAction::Update { .. }))
            {
                return Err(Error::not_supported(
                    "PRAGMA count_changes with an upsert's DO UPDATE",
                ));
            }
        }
        column_names = vec![count_changes_column(&statement.stmt).to_string()];
        let dest = ctx.b.reg();
        ctx.b.emit(Insn::ChangeCount { dest });
        ctx.b.emit(Insn::ResultRow {
            start: dest,
            count: 1,
        });
    }
    ctx.b.emit(Insn::Halt);
    // The one-time setup: the transaction, the constants, then back to the start.
    let setup = ctx.b.addr();
    ctx.b.replace(init, Insn::Init { target: setup });
    // Which databases the program touches, and which it changes, is read off its
    // instructions, so no code path can forget to declare one; `main` is always read.
    for db in Db::ALL {
        let (used, write) = ctx.b.db_access(db);
        if used || db == Db::Main {
            ctx.b.emit(Insn::Transaction {
                db,
                write,
                schema_cookie: catalog.get(db).cookie,
            });
        }
    }
    ctx.b.emit_constants();
    ctx.b.emit(Insn::Goto { target: init + 1 });
    ctx.apply_covering();
    let writes = ctx.writes;
    let params = std::mem::take(&mut ctx.params);
    let mut program = ctx.b.finish()?;
    program.column_names = column_names;
    program.column_types = column_types;
    program.column_origins = column_origins;
    program.read_only = !writes;
    program.is_dml = is_dml;
    // SQLite loads the new statistics when ANALYZE ends: statements compiled from then on
    // plan with them.
    program.reloads_catalog = matches!(stmt, Some(ast::Stmt::Analyze(_)));
    program.n_params = params.count;
    program.param_names = params.names;
    program.table_defaults = short_records::table_defaults(&program, catalog);
    check_index_collations(&program)?;
    Ok((program, control, ctx.plan))
}

/// SQLITE_LIMIT_FUNCTION_ARG, checked as SQLite's parser does: before any name is resolved.
fn check_function_args(stmt: &ast::Stmt, max: usize) -> Result<()> {
    let mut too_many = None;
    each_expr::each_expr(stmt, &mut |e| {
        if let ast::ExprKind::Function {
            name,
            args: ast::FunctionArgs::List { args, .. },
            ..
        } = &e.kind
        {
            if args.len() > max && too_many.is_none() {
                too_many = Some(name.value.clone());
            }
        }
    });
    match too_many {
        Some(name) => Err(error(format!("too many arguments on function {name}"))),
        None => Ok(()),
    }
}

/// The column of the row `PRAGMA count_changes` makes a DML statement return.
fn count_changes_column(stmt: &ast::Stmt) -> &'static str {
    match stmt {
        ast::Stmt::Insert(_) => "rows inserted",
        ast::Stmt::Update(_) => "rows updated",
        _ => "rows deleted",
    }
}

fn statement_kind(stmt: &ast::Stmt) -> &'static str {
    match stmt {
        ast::Stmt::AlterTable(_) => "ALTER TABLE",
        ast::Stmt::Savepoint(_) | ast::Stmt::Release(_) | ast::Stmt::Rollback { .. } => "SAVEPOINT",
        ast::Stmt::Attach(_) | ast::Stmt::Detach(_) => "ATTACH",
        ast::Stmt::CreateVirtualTable(_) => "virtual tables",
        _ => "this statement",
    }
}
