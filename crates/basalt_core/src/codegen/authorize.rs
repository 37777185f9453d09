//! The authorizer (`sqlite3_set_authorizer`): before a statement compiles, its actions are
//! reported to the application's callback in SQLite's order, with SQLite's arguments.
//!
//! SQLite calls its authorizer while it resolves names and generates code; Basalt's code
//! generator resolves names in another order, so this pass walks the statement the way
//! SQLite's resolver does: SELECT, then the reads of the result columns, HAVING, WHERE (ON
//! clauses after it), ORDER BY, GROUP BY, then a read with an empty column name for each table
//! none of whose columns was read. DDL reports the fixed sequence of actions SQLite's nested
//! statements on the schema table make.
//!
//! Invariants:
//! - A statement the pass cannot report exactly as SQLite does (subqueries, compounds, CTEs,
//!   views, DML on tables with triggers, RETURNING, upserts, ALTER TABLE, ...) is refused while
//!   an authorizer is set, never compiled with actions left unreported.
//! - DENY fails the prepare with SQLITE_AUTH (or SQLITE_ERROR for a function, as SQLite);
//!   IGNORE on a column read makes that column read as NULL (`ignored`), on INSERT, PRAGMA,
//!   transactions and CREATE/DROP makes the statement do nothing, on UPDATE of a column drops
//!   that assignment, on DELETE changes nothing; an IGNORE SQLite gives another meaning is
//!   refused.

use super::scope::{ColRead, Resolved, Scope};
use super::Ctx;
use crate::catalog::{Column, Table};
use crate::error::{Error, ErrorCode, Result};
use crate::hooks::{auth, Authorizer};
use crate::schema::Db;
use basalt_parser::ast::{self, ExprKind};
use std::rc::Rc;

/// What the authorizer decided for the whole statement.
pub enum Outcome {
    /// Compile it (possibly changed: UPDATE assignments the authorizer ignored removed).
    Compile(Option<Box<ast::Stmt>>),
    /// Compile it to nothing (an IGNORE SQLite answers by generating no code).
    Nothing,
}

fn refuse(what: &str) -> Error {
    Error::not_supported(format!("{what} while an authorizer is set"))
}

/// One FROM source while a SELECT's names are resolved.
struct Src {
    /// The alias, or the name as written.
    name: String,
    /// The name as written in FROM.
    written: String,
    qualifier: Option<String>,
    table: Table,
    used: bool,
}

/// The pass over one statement.
struct Pass<'c, 'a> {
    ctx: &'c Ctx<'a>,
    authorizer: Rc<Authorizer>,
    /// A denial while an expression is resolved: SQLite goes on to the end of that expression
    /// (asking about the rest of it), then fails with the last denial's error.
    denied: std::cell::RefCell<Option<Error>>,
}

impl Pass<'_, '_> {
    /// Asks about one action; `Ok(true)` for IGNORE.
    fn ask(&self, action: i32, a: Option<&str>, b: Option<&str>, db: Option<&str>) -> Result<bool> {
        match (self.authorizer)(action, a, b, db, None) {
            auth::OK => Ok(false),
            auth::IGNORE => Ok(true),
            auth::DENY => Err(Error::new(ErrorCode::Auth, "not authorized")),
            _ => Err(Error::new(ErrorCode::Error, "authorizer malfunction")),
        }
    }

    /// An action whose IGNORE SQLite answers by generating no code.
    fn ask_or_nothing(
        &self,
        action: i32,
        a: Option<&str>,
        b: Option<&str>,
        db: Option<&str>,
    ) -> Result<Option<Outcome>> {
        Ok(self.ask(action, a, b, db)?.then_some(Outcome::Nothing))
    }

    /// An action SQLite's nested statements on the schema table make, whose IGNORE Basalt
    /// cannot mirror.
    fn ask_nested(&self, action: i32, a: &str, b: Option<&str>, db: Db) -> Result<()> {
        let ignore = if action == auth::READ {
            self.ask_read(db, a, b.unwrap_or_default())?
        } else {
            self.ask(action, Some(a), b, Some(db.name()))?
        };
        if ignore {
            return Err(refuse("an IGNORE on the schema table"));
        }
        Ok(())
    }

    /// Asks about reading `table.column` of `db`; `Ok(true)` for IGNORE.
    fn ask_read(&self, db: Db, table: &str, column: &str) -> Result<bool> {
        match (self.authorizer)(auth::READ, Some(table), Some(column), Some(db.name()), None) {
            auth::OK => Ok(false),
            auth::IGNORE => Ok(true),
            auth::DENY => Err(Error::new(
                ErrorCode::Auth,
                match db {
                    Db::Main => format!("access to {table}.{column} is prohibited"),
                    Db::Temp => format!("access to temp.{table}.{column} is prohibited"),
                },
            )),
            _ => Err(Error::new(ErrorCode::Error, "authorizer malfunction")),
        }
    }

    fn is_ignored(&self, table: &Table, column: &str) -> bool {
        self.ctx.auth_ignored.borrow().iter().any(|(d, t, c)| {
            *d == table.db && t.eq_ignore_ascii_case(&table.name) && c.eq_ignore_ascii_case(column)
        })
    }

    /// A column read; one the authorizer ignores reads NULL (`Ctx::read_ignored`).
    fn read(&self, table: &Table, column: &str) {
        match self.ask_read(table.db, &table.name, column) {
            Ok(false) => {}
            Ok(true) => self.ctx.auth_ignored.borrow_mut().push((
                table.db,
                table.name.to_ascii_lowercase(),
                column.to_ascii_lowercase(),
            )),
            Err(e) => *self.denied.borrow_mut() = Some(e),
        }
    }

    /// The end of an expression: fails with the last denial made while it was resolved.
    fn end_of_expr(&self) -> Result<()> {
        match self.denied.borrow_mut().take() {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }

    fn statement(&self, stmt: &ast::Stmt) -> Result<Outcome> {
        let compile = Ok(Outcome::Compile(None));
        match stmt {
            ast::Stmt::Select(s) => {
                if self.ask(auth::SELECT, None, None, None)? {
                    return Ok(Outcome::Nothing);
                }
                self.select(s)?;
                compile
            }
            ast::Stmt::Insert(i) => self.insert(i),
            ast::Stmt::Update(u) => self.update(u),
            ast::Stmt::Delete(d) => {
                let Some(table) = self.dml_target(&d.table, d.with.is_some(), &d.returning)? else {
                    return compile;
                };
                self.ask(auth::DELETE, Some(&table.name), None, Some(table.db.name()))?;
                let mut sources = vec![src(table, &d.table, d.alias.as_ref())];
                self.opt_expr(d.where_.as_ref(), &mut sources, &[])?;
                compile
            }
            ast::Stmt::Pragma(p) => {
                let arg = match &p.value {
                    Some(ast::PragmaValue::Assign(v)) | Some(ast::PragmaValue::Call(v)) => {
                        Some(super::pragma::dequote(v))
                    }
                    None => None,
                };
                let db = p.name.schema.as_ref().and_then(|s| Db::from_name(&s.value));
                let outcome = self.ask_or_nothing(
                    auth::PRAGMA,
                    Some(&p.name.name.value),
                    arg.as_deref(),
                    db.map(Db::name),
                )?;
                Ok(outcome.unwrap_or(Outcome::Compile(None)))
            }
            ast::Stmt::Begin { .. } => self.transaction("BEGIN"),
            ast::Stmt::Commit => self.transaction("COMMIT"),
            ast::Stmt::Rollback { savepoint: None } => self.transaction("ROLLBACK"),
            ast::Stmt::Rollback { savepoint: Some(n) } => self.savepoint("ROLLBACK", &n.value),
            ast::Stmt::Savepoint(n) => self.savepoint("BEGIN", &n.value),
            ast::Stmt::Release(n) => self.savepoint("RELEASE", &n.value),
            ast::Stmt::CreateTable(c) => self.create_table(c),
            ast::Stmt::CreateView(v) => {
                let db = if v.temporary {
                    Db::Temp
                } else {
                    self.ctx.schema_of(&v.name)?.unwrap_or(Db::Main)
                };
                let code = if db == Db::Temp {
                    auth::CREATE_TEMP_VIEW
                } else {
                    auth::CREATE_VIEW
                };
                self.create_object(code, &v.name.name.value, db)
            }
            ast::Stmt::Drop { kind, name, .. } => self.drop(*kind, name),
            ast::Stmt::Reindex(None) => compile,
            ast::Stmt::CreateIndex(c) => self.create_index(c),
            ast::Stmt::CreateTrigger(c) => self.create_trigger(c),
            ast::Stmt::AlterTable(_) => Err(refuse("ALTER TABLE")),
            ast::Stmt::Analyze(_) => Err(refuse("ANALYZE")),
            ast::Stmt::Vacuum { .. } => Err(refuse("VACUUM")),
            ast::Stmt::Attach(_) | ast::Stmt::Detach(_) => Err(refuse("ATTACH or DETACH")),
            ast::Stmt::Reindex(Some(_)) => Err(refuse("REINDEX of a name")),
            ast::Stmt::CreateVirtualTable(_) => Err(refuse("CREATE VIRTUAL TABLE")),
        }
    }

    fn transaction(&self, what: &str) -> Result<Outcome> {
        let outcome = self.ask_or_nothing(auth::TRANSACTION, Some(what), None, None)?;
        Ok(outcome.unwrap_or(Outcome::Compile(None)))
    }

    fn savepoint(&self, what: &str, name: &str) -> Result<Outcome> {
        let outcome = self.ask_or_nothing(auth::SAVEPOINT, Some(what), Some(name), None)?;
        Ok(outcome.unwrap_or(Outcome::Compile(None)))
    }

    /// The table an INSERT, UPDATE or DELETE writes (`None`: unknown, the compile reports it),
    /// refused where its triggers, CTEs or RETURNING would have actions to report.
    fn dml_target(
        &self,
        name: &ast::QualifiedName,
        with: bool,
        returning: &Option<Vec<ast::ResultColumn>>,
    ) -> Result<Option<&Table>> {
        if with || returning.is_some() {
            return Err(refuse("WITH or RETURNING"));
        }
        let schema = self.ctx.schema_of(name)?;
        let Some(table) = self.ctx.catalog.table_in(schema, &name.name.value) else {
            return Ok(None);
        };
        if self.ctx.catalog.has_triggers(table) {
            return Err(refuse("a statement on a table with triggers"));
        }
        if !table.checks.is_empty() || table.has_generated_columns() {
            return Err(refuse(
                "a statement on a table with CHECK constraints or generated columns",
            ));
        }
        Ok(Some(table))
    }

    fn insert(&self, i: &ast::Insert) -> Result<Outcome> {
        let Some(table) = self.dml_target(&i.table, i.with.is_some(), &i.returning)? else {
            return Ok(Outcome::Compile(None));
        };
        if !i.upsert.is_empty() {
            return Err(refuse("an upsert"));
        }
        let insert = || self.ask(auth::INSERT, Some(&table.name), None, Some(table.db.name()));
        let values = match &i.source {
            ast::InsertSource::Select(s) if s.with.is_none() && s.compound.is_empty() => {
                match &s.first {
                    ast::SelectCore::Values(rows) => Some(rows),
                    ast::SelectCore::Select(_) => None,
                }
            }
            _ => None,
        };
        match (&i.source, values) {
            (ast::InsertSource::DefaultValues, _) => {
                if insert()? {
                    return Ok(Outcome::Nothing);
                }
            }
            // Several rows: SQLite's parser makes a SELECT of the first row and resolves it
            // before the INSERT is asked about; the other rows are never asked about.
            (_, Some(rows)) if rows.len() > 1 => {
                if self.ask(auth::SELECT, None, None, None)? {
                    return Err(refuse("an IGNORE of a nested SELECT"));
                }
                for e in rows.first().into_iter().flatten() {
                    self.expr(e, &mut [], &[])?;
                }
                if insert()? {
                    return Ok(Outcome::Nothing);
                }
            }
            (_, Some(rows)) => {
                if insert()? {
                    return Ok(Outcome::Nothing);
                }
                for e in rows.iter().flatten() {
                    self.expr(e, &mut [], &[])?;
                }
            }
            (ast::InsertSource::Select(s), None) => {
                if insert()? {
                    return Ok(Outcome::Nothing);
                }
                if self.ask(auth::SELECT, None, None, None)? {
                    return Err(refuse("an IGNORE of a nested SELECT"));
                }
                self.select(s)?;
            }
        }
        Ok(Outcome::Compile(None))
    }

    fn update(&self, u: &ast::Update) -> Result<Outcome> {
        let Some(table) = self.dml_target(&u.table, u.with.is_some(), &u.returning)? else {
            return Ok(Outcome::Compile(None));
        };
        if u.from.is_some() {
            return Err(refuse("UPDATE FROM"));
        }
        let mut sources = vec![src(table, &u.table, u.alias.as_ref())];
        let mut kept = Vec::new();
        for a in &u.set {
            let [column] = a.columns.as_slice() else {
                return Err(refuse("an assignment of several columns"));
            };
            self.expr(&a.value, &mut sources, &[])?;
            let name = match table.column_index(&column.value) {
                Some(i) => table.columns[i].name.clone(),
                None if super::scope::is_rowid_name(&column.value) => "ROWID".to_string(),
                // Unknown: the compile reports it.
                None => return Ok(Outcome::Compile(None)),
            };
            let ignore = self.ask(
                auth::UPDATE,
                Some(&table.name),
                Some(&name),
                Some(table.db.name()),
            )?;
            if !ignore {
                kept.push(a.clone());
            }
        }
        self.opt_expr(u.where_.as_ref(), &mut sources, &[])?;
        if kept.len() == u.set.len() {
            return Ok(Outcome::Compile(None));
        }
        if kept.is_empty() {
            return Err(refuse("an UPDATE whose every assignment is ignored"));
        }
        let mut changed = u.clone();
        changed.set = kept;
        Ok(Outcome::Compile(Some(Box::new(ast::Stmt::Update(
            Box::new(changed),
        )))))
    }

    /// The names a SELECT reads, in SQLite's order (its SELECT action already reported).
    fn select(&self, s: &ast::Select) -> Result<()> {
        if s.with.is_some() || !s.compound.is_empty() {
            return Err(refuse("a compound SELECT or WITH"));
        }
        let ast::SelectCore::Select(body) = &s.first else {
            return Err(refuse("VALUES"));
        };
        if !body.windows.is_empty() {
            return Err(refuse("window functions"));
        }
        let mut sources = Vec::new();
        let mut on = Vec::new();
        if let Some(from) = &body.from {
            self.source(&from.first, &mut sources)?;
            for join in &from.joins {
                if matches!(join.op, ast::JoinOp::Join { natural: true, .. }) {
                    return Err(refuse("NATURAL joins"));
                }
                self.source(&join.table, &mut sources)?;
                match &join.constraint {
                    Some(ast::JoinConstraint::On(e)) => on.push(e),
                    Some(ast::JoinConstraint::Using(_)) => return Err(refuse("USING")),
                    None => {}
                }
            }
        }
        let aliases: Vec<(&str, &ast::Expr)> = body
            .columns
            .iter()
            .filter_map(|c| match c {
                ast::ResultColumn::Expr {
                    expr,
                    alias: Some(a),
                } => Some((a.value.as_str(), expr)),
                _ => None,
            })
            .collect();
        for c in &body.columns {
            match c {
                ast::ResultColumn::Expr { expr, .. } => self.expr(expr, &mut sources, &[])?,
                ast::ResultColumn::Star => self.star(&mut sources, None)?,
                ast::ResultColumn::TableStar(t) => self.star(&mut sources, Some(&t.value))?,
            }
        }
        self.opt_expr(body.having.as_ref(), &mut sources, &aliases)?;
        // SQLite adds the ON clauses to WHERE: one expression.
        for e in body.where_.iter().chain(on) {
            if self.walk_expr(e, &mut sources, &aliases)? == Flow::Abort {
                break;
            }
        }
        self.end_of_expr()?;
        for term in &s.order_by {
            let by_alias = matches!(&term.expr.kind, ExprKind::Id(n)
                if aliases.iter().any(|(a, _)| a.eq_ignore_ascii_case(&n.value)));
            let by_number = matches!(&term.expr.kind, ExprKind::Literal(ast::Literal::Integer(_)));
            if !by_alias && !by_number {
                self.expr(&term.expr, &mut sources, &[])?;
            }
        }
        for e in &body.group_by {
            if !matches!(&e.kind, ExprKind::Literal(ast::Literal::Integer(_))) {
                self.expr(e, &mut sources, &aliases)?;
            }
        }
        if let Some(limit) = &s.limit {
            self.expr(&limit.limit, &mut [], &[])?;
            self.opt_expr(limit.offset.as_ref(), &mut [], &[])?;
        }
        for s in sources.iter().filter(|s| !s.used) {
            self.ask(
                auth::READ,
                Some(&s.written),
                Some(""),
                s.qualifier.as_deref(),
            )?;
        }
        Ok(())
    }

    fn source(&self, item: &ast::TableOrSubquery, sources: &mut Vec<Src>) -> Result<()> {
        let ast::TableOrSubquery::Table { name, alias, .. } = item else {
            return Err(refuse("a subquery or table-valued function in FROM"));
        };
        let schema = self.ctx.schema_of(name)?;
        if let Some(table) = schema_table_named(&name.name.value, schema) {
            sources.push(src(&table, name, alias.as_ref()));
            return Ok(());
        }
        match self.ctx.catalog.table_in(schema, &name.name.value) {
            Some(table) => sources.push(src(table, name, alias.as_ref())),
            None if self.ctx.catalog.view_in(schema, &name.name.value).is_some() => {
                return Err(refuse("a view"))
            }
            // Unknown: the compile reports it.
            None => {}
        }
        Ok(())
    }

    fn star(&self, sources: &mut [Src], only: Option<&str>) -> Result<()> {
        for s in sources.iter_mut() {
            if only.is_some_and(|t| !t.eq_ignore_ascii_case(&s.name)) {
                continue;
            }
            for (i, c) in s.table.columns.iter().enumerate() {
                self.read(&s.table, &c.name);
                self.end_of_expr()?;
                if s.table.rowid_alias != Some(i) {
                    s.used = true;
                }
            }
        }
        Ok(())
    }

    fn opt_expr(
        &self,
        e: Option<&ast::Expr>,
        sources: &mut [Src],
        aliases: &[(&str, &ast::Expr)],
    ) -> Result<()> {
        e.map_or(Ok(()), |e| self.expr(e, sources, aliases))
    }

    /// One expression SQLite resolves on its own: its functions and column reads, then the
    /// denial, if any.
    fn expr(
        &self,
        e: &ast::Expr,
        sources: &mut [Src],
        aliases: &[(&str, &ast::Expr)],
    ) -> Result<()> {
        self.walk_expr(e, sources, aliases)?;
        self.end_of_expr()
    }

    /// Functions and column reads of `e`, in the order of SQLite's resolver, which visits a
    /// node before its children. After a denial, names and calls are still resolved (and
    /// asked about), but any other node ends the walk ([`Flow::Abort`]) — up to the call whose
    /// arguments it is in, if any.
    fn walk_expr(
        &self,
        e: &ast::Expr,
        sources: &mut [Src],
        aliases: &[(&str, &ast::Expr)],
    ) -> Result<Flow> {
        let mut walk = |x: &ast::Expr| self.walk_expr(x, sources, aliases);
        match &e.kind {
            ExprKind::Subquery(_)
            | ExprKind::Exists(_)
            | ExprKind::InSelect { .. }
            | ExprKind::InTable { .. } => Err(refuse("subqueries")),
            ExprKind::Function { over: Some(_), .. } => Err(refuse("window functions")),
            ExprKind::Id(n) => {
                self.column(None, &n.value, sources, aliases);
                Ok(Flow::Continue)
            }
            ExprKind::Qualified { table, column, .. } => {
                self.column(Some(&table.value), &column.value, sources, &[]);
                Ok(Flow::Continue)
            }
            ExprKind::Function {
                name, args, filter, ..
            } => {
                let mut arguments: Vec<&ast::Expr> = match args {
                    ast::FunctionArgs::List { args, .. } => args.iter().collect(),
                    ast::FunctionArgs::Star => Vec::new(),
                };
                arguments.extend(filter.as_deref());
                self.call(&name.value, function_argc(e), true, &arguments, &mut walk)
            }
            // SQLite compiles `x LIKE y ESCAPE z` as the call like(y, x, z): the pattern first.
            ExprKind::Like {
                expr,
                op,
                pattern,
                escape,
                ..
            } => {
                let mut arguments = vec![&**pattern, &**expr];
                arguments.extend(escape.as_deref());
                let (name, built_in) = match op {
                    ast::LikeOp::Like => ("like", true),
                    ast::LikeOp::Glob => ("glob", true),
                    ast::LikeOp::Regexp => ("regexp", false),
                    ast::LikeOp::Match => ("match", false),
                };
                self.call(name, arguments.len(), built_in, &arguments, &mut walk)
            }
            ExprKind::Literal(ast::Literal::CurrentDate) => {
                self.call("current_date", 0, true, &[], &mut walk)
            }
            ExprKind::Literal(ast::Literal::CurrentTime) => {
                self.call("current_time", 0, true, &[], &mut walk)
            }
            ExprKind::Literal(ast::Literal::CurrentTimestamp) => {
                self.call("current_timestamp", 0, true, &[], &mut walk)
            }
            ExprKind::Binary(l, ast::BinaryOp::Arrow, r) => {
                self.call("->", 2, true, &[&**l, &**r], &mut walk)
            }
            ExprKind::Binary(l, ast::BinaryOp::LongArrow, r) => {
                self.call("->>", 2, true, &[&**l, &**r], &mut walk)
            }
            // A bare name right of IS is resolved first (it could be TRUE or FALSE); the
            // operator's own visit then ends the walk if that was denied.
            ExprKind::Binary(left, op, right) if is_operator(*op) && bare_name(right) => {
                walk(right)?;
                if self.denied.borrow().is_some() || walk(left)? == Flow::Abort {
                    return Ok(Flow::Abort);
                }
                Ok(if self.denied.borrow().is_some() {
                    Flow::Abort
                } else {
                    Flow::Continue
                })
            }
            _ => {
                if self.denied.borrow().is_some() {
                    return Ok(Flow::Abort);
                }
                for child in children(e) {
                    if walk(child)? == Flow::Abort {
                        return Ok(Flow::Abort);
                    }
                }
                Ok(Flow::Continue)
            }
        }
    }

    /// A call: asked about (even after a denial), then its arguments, unless it was denied. An
    /// abort in its arguments ends only them, as SQLite resolves a call's arguments itself.
    fn call(
        &self,
        name: &str,
        argc: usize,
        built_in: bool,
        arguments: &[&ast::Expr],
        walk: &mut dyn FnMut(&ast::Expr) -> Result<Flow>,
    ) -> Result<Flow> {
        if self.function(name, argc, built_in)? {
            for a in arguments {
                if walk(a)? == Flow::Abort {
                    break;
                }
            }
        }
        Ok(Flow::Continue)
    }

    /// Asks about a call of `name` (as the application registered it, or a built-in's
    /// lowercase name); `built_in`: SQLite has a function of that name, else only an
    /// application's is asked about (without one, the compile reports "no such function").
    /// `Ok(false)`: denied.
    fn function(&self, name: &str, argc: usize, built_in: bool) -> Result<bool> {
        let shown = match crate::functions::lookup(name, argc) {
            crate::functions::Lookup::Found(f) => f.name.clone(),
            _ if built_in => name.to_ascii_lowercase(),
            _ => return Ok(true),
        };
        match (self.authorizer)(auth::FUNCTION, None, Some(&shown), None, None) {
            auth::OK => Ok(true),
            auth::IGNORE => Err(refuse("an IGNORE of a function")),
            // SQLite's message for a denial replaces that of a malfunction.
            _ => {
                *self.denied.borrow_mut() = Some(Error::new(
                    ErrorCode::Error,
                    format!("not authorized to use function: {shown}"),
                ));
                Ok(false)
            }
        }
    }

    /// Reports the read of `[table.]column`. A result alias stands for its expression, which
    /// SQLite has resolved already: only a bare column there is read again (unless that read
    /// was ignored: the expression is NULL now). Unknown: nothing, the compile reports it.
    fn column(
        &self,
        table: Option<&str>,
        column: &str,
        sources: &mut [Src],
        aliases: &[(&str, &ast::Expr)],
    ) {
        if let Some((s, name)) = resolve(sources, table, column) {
            self.read(&s.table, &name);
            return;
        }
        let alias = aliases
            .iter()
            .find(|(a, _)| table.is_none() && a.eq_ignore_ascii_case(column));
        let target = match alias.map(|(_, e)| &e.kind) {
            Some(ExprKind::Id(n)) => resolve(sources, None, &n.value),
            Some(ExprKind::Qualified { table, column, .. }) => {
                resolve(sources, Some(&table.value), &column.value)
            }
            _ => None,
        };
        if let Some((s, name)) = target {
            if !self.is_ignored(&s.table, &name) {
                self.read(&s.table, &name);
            }
        }
    }

    fn create_table(&self, c: &ast::CreateTable) -> Result<Outcome> {
        let ast::CreateTableBody::Columns {
            columns,
            constraints,
            ..
        } = &c.body
        else {
            return Err(refuse("CREATE TABLE AS"));
        };
        let indexed = !constraints.is_empty()
            || columns.iter().any(|col| {
                col.constraints.iter().any(|k| match k {
                    ast::ColumnConstraint::PrimaryKey { autoincrement, .. } => {
                        *autoincrement
                            || !col
                                .type_name
                                .as_ref()
                                .is_some_and(|t| t.name.eq_ignore_ascii_case("integer"))
                    }
                    ast::ColumnConstraint::Unique { .. }
                    | ast::ColumnConstraint::Check(_)
                    | ast::ColumnConstraint::References(_)
                    | ast::ColumnConstraint::Generated { .. } => true,
                    _ => false,
                })
            });
        if indexed {
            return Err(refuse("CREATE TABLE with table constraints, UNIQUE, CHECK, REFERENCES, generated columns or a PRIMARY KEY other than INTEGER"));
        }
        let db = if c.temporary {
            Db::Temp
        } else {
            self.ctx.schema_of(&c.name)?.unwrap_or(Db::Main)
        };
        let code = if db == Db::Temp {
            auth::CREATE_TEMP_TABLE
        } else {
            auth::CREATE_TABLE
        };
        self.create_object(code, &c.name.name.value, db)
    }

    /// CREATE TABLE or VIEW: the insert into the schema table, the creation, then the actions
    /// of SQLite's nested UPDATE of the new schema row.
    fn create_object(&self, code: i32, name: &str, db: Db) -> Result<Outcome> {
        let master = schema_table(db);
        if self.ask(auth::INSERT, Some(master), None, Some(db.name()))?
            || self.ask(code, Some(name), None, Some(db.name()))?
        {
            return Ok(Outcome::Nothing);
        }
        let catalog = self.ctx.catalog.get(db);
        let taken = catalog
            .tables
            .iter()
            .any(|t| t.name.eq_ignore_ascii_case(name))
            || catalog
                .views
                .iter()
                .any(|v| v.name.eq_ignore_ascii_case(name))
            || catalog
                .indexes
                .iter()
                .any(|i| i.name.eq_ignore_ascii_case(name));
        if taken {
            // SQLite checks the name after these two questions; the compile reports it.
            return Ok(Outcome::Compile(None));
        }
        for column in ["type", "name", "tbl_name", "rootpage", "sql"] {
            self.ask_nested(auth::UPDATE, master, Some(column), db)?;
        }
        self.ask_nested(auth::READ, master, Some("ROWID"), db)?;
        Ok(Outcome::Compile(None))
    }

    /// CREATE INDEX: SQLite checks the name first, then asks about the schema insert, the
    /// index, each column it reads, the nested insert and the REINDEX of the new index.
    fn create_index(&self, c: &ast::CreateIndex) -> Result<Outcome> {
        if c.where_.is_some() {
            return Err(refuse("a partial index"));
        }
        let schema = self.ctx.schema_of(&c.name)?;
        let Some(table) = self.ctx.catalog.table_in(schema, &c.table.value) else {
            return Ok(Outcome::Compile(None));
        };
        let db = table.db;
        if self
            .ctx
            .catalog
            .get(db)
            .name_in_use(&c.name.name.value)
            .is_some()
        {
            return Ok(Outcome::Compile(None));
        }
        let mut columns = Vec::new();
        for term in &c.columns {
            let e = match &term.expr.kind {
                ExprKind::Collate { expr, .. } => expr,
                _ => &term.expr,
            };
            let ExprKind::Id(n) = &e.kind else {
                return Err(refuse("an index on expressions"));
            };
            let Some(i) = table.column_index(&n.value) else {
                return Ok(Outcome::Compile(None));
            };
            columns.push(table.columns[i].name.as_str());
        }
        let code = match db {
            Db::Main => auth::CREATE_INDEX,
            Db::Temp => auth::CREATE_TEMP_INDEX,
        };
        let master = schema_table(db);
        if self.ask(auth::INSERT, Some(master), None, Some(db.name()))?
            || self.ask(
                code,
                Some(&c.name.name.value),
                Some(&table.name),
                Some(db.name()),
            )?
        {
            return Ok(Outcome::Nothing);
        }
        for column in columns {
            self.ask_nested(auth::READ, &table.name, Some(column), db)?;
        }
        self.ask_nested(auth::INSERT, master, None, db)?;
        self.ask_nested(auth::REINDEX, &c.name.name.value, None, db)?;
        Ok(Outcome::Compile(None))
    }

    /// CREATE TRIGGER (Basalt has `main` ones only; the others the compile refuses).
    fn create_trigger(&self, c: &ast::CreateTrigger) -> Result<Outcome> {
        let catalog = &self.ctx.catalog.main;
        let name = &c.name.name.value;
        let on = &c.table.name.value;
        let target = catalog
            .table(on)
            .map(|t| t.name.clone())
            .or_else(|| catalog.view(on).map(|v| v.name.clone()));
        let on_temp =
            self.ctx.catalog.temp.table(on).is_some() || self.ctx.catalog.temp.view(on).is_some();
        let (Some(table), false, false, None) = (
            target,
            c.temporary || on_temp,
            c.name.schema.is_some(),
            catalog.name_in_use(name),
        ) else {
            return Ok(Outcome::Compile(None));
        };
        let master = schema_table(Db::Main);
        if self.ask(auth::CREATE_TRIGGER, Some(name), Some(&table), Some("main"))?
            || self.ask(auth::INSERT, Some(master), None, Some("main"))?
        {
            return Ok(Outcome::Nothing);
        }
        self.ask_nested(auth::INSERT, master, None, Db::Main)?;
        Ok(Outcome::Compile(None))
    }

    fn drop(&self, kind: ast::ObjectKind, name: &ast::QualifiedName) -> Result<Outcome> {
        let schema = self.ctx.schema_of(name)?;
        let n = &name.name.value;
        let catalog = self.ctx.catalog;
        // (action, its temp form, database, object, its table (for a table: its trigger),
        // b-trees freed)
        let (code, temp_code, db, object, table, trees) = match kind {
            ast::ObjectKind::Table => {
                let Some(t) = catalog.table_in(schema, n) else {
                    return Ok(Outcome::Compile(None));
                };
                let triggers: Vec<&str> = catalog
                    .get(t.db)
                    .triggers
                    .iter()
                    .filter(|tr| tr.table.eq_ignore_ascii_case(&t.name))
                    .map(|tr| tr.name.as_str())
                    .collect();
                // SQLite drops them in its own list's order, which Basalt does not keep.
                if triggers.len() > 1 || (catalog.has_triggers(t) && triggers.is_empty()) {
                    return Err(refuse("DROP TABLE of a table with several triggers"));
                }
                let trees = 1 + catalog.table_indexes(t).count();
                let trigger = triggers.first().map(|tr| tr.to_string());
                (
                    auth::DROP_TABLE,
                    auth::DROP_TEMP_TABLE,
                    t.db,
                    t.name.clone(),
                    trigger,
                    trees,
                )
            }
            ast::ObjectKind::View => {
                let Some(v) = catalog.view_in(schema, n) else {
                    return Ok(Outcome::Compile(None));
                };
                (
                    auth::DROP_VIEW,
                    auth::DROP_TEMP_VIEW,
                    v.db,
                    v.name.clone(),
                    None,
                    0,
                )
            }
            ast::ObjectKind::Index => {
                let Some(i) = catalog.index_in(schema, n) else {
                    return Ok(Outcome::Compile(None));
                };
                if i.name.to_ascii_lowercase().starts_with("sqlite_autoindex_") {
                    // Refused before SQLite asks anything.
                    return Ok(Outcome::Compile(None));
                }
                let t = Some(i.table.clone());
                (
                    auth::DROP_INDEX,
                    auth::DROP_TEMP_INDEX,
                    i.db,
                    i.name.clone(),
                    t,
                    1,
                )
            }
            ast::ObjectKind::Trigger => {
                let found = catalog.search(schema).find_map(|c| {
                    c.triggers
                        .iter()
                        .find(|t| t.name.eq_ignore_ascii_case(n))
                        .map(|t| (c.db, t))
                });
                let Some((db, t)) = found else {
                    return Ok(Outcome::Compile(None));
                };
                let tb = Some(t.table.clone());
                (
                    auth::DROP_TRIGGER,
                    auth::DROP_TEMP_TRIGGER,
                    db,
                    t.name.clone(),
                    tb,
                    0,
                )
            }
        };
        let master = schema_table(db);
        let code = if db == Db::Temp { temp_code } else { code };
        let asked = match kind {
            ast::ObjectKind::Table | ast::ObjectKind::View => {
                self.ask(auth::DELETE, Some(master), None, Some(db.name()))?
                    || self.ask(code, Some(&object), None, Some(db.name()))?
                    || self.ask(auth::DELETE, Some(&object), None, Some(db.name()))?
            }
            ast::ObjectKind::Index => {
                self.ask(auth::DELETE, Some(master), None, Some(db.name()))?
                    || self.ask(code, Some(&object), table.as_deref(), Some(db.name()))?
            }
            ast::ObjectKind::Trigger => {
                self.ask(code, Some(&object), table.as_deref(), Some(db.name()))?
                    || self.ask(auth::DELETE, Some(master), None, Some(db.name()))?
            }
        };
        if asked {
            return Ok(Outcome::Nothing);
        }
        if let (ast::ObjectKind::Table, Some(trigger)) = (kind, &table) {
            // The table's trigger goes first, with every action of its own DROP TRIGGER.
            let code = if db == Db::Temp {
                auth::DROP_TEMP_TRIGGER
            } else {
                auth::DROP_TRIGGER
            };
            self.ask_nested(code, trigger, Some(&object), db)?;
            self.ask_nested(auth::DELETE, master, None, db)?;
            self.ask_nested(auth::DELETE, master, None, db)?;
            self.ask_nested(auth::READ, master, Some("name"), db)?;
            self.ask_nested(auth::READ, master, Some("type"), db)?;
        }
        self.ask_nested(auth::DELETE, master, None, db)?;
        let by = match kind {
            ast::ObjectKind::Table | ast::ObjectKind::View => "tbl_name",
            ast::ObjectKind::Index | ast::ObjectKind::Trigger => "name",
        };
        self.ask_nested(auth::READ, master, Some(by), db)?;
        self.ask_nested(auth::READ, master, Some("type"), db)?;
        for _ in 0..trees {
            self.ask_nested(auth::UPDATE, master, Some("rootpage"), db)?;
            self.ask_nested(auth::READ, master, Some("rootpage"), db)?;
        }
        Ok(Outcome::Compile(None))
    }
}

/// Whether the walk of an expression goes on (SQLite's WRC_Continue / WRC_Abort).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Flow {
    Continue,
    Abort,
}

/// The source and column name `[table.]column` reads (the rowid as its INTEGER PRIMARY KEY's
/// name, or `ROWID`), marking the source used unless it is the rowid.
fn resolve<'s>(
    sources: &'s mut [Src],
    table: Option<&str>,
    column: &str,
) -> Option<(&'s Src, String)> {
    let matching = |s: &Src| table.is_none_or(|t| t.eq_ignore_ascii_case(&s.name));
    if let Some(at) = sources
        .iter()
        .position(|s| matching(s) && s.table.column_index(column).is_some())
    {
        let s = &mut sources[at];
        let i = s.table.column_index(column)?;
        if s.table.rowid_alias != Some(i) {
            s.used = true;
        }
        let name = s.table.columns[i].name.clone();
        return Some((&sources[at], name));
    }
    if !super::scope::is_rowid_name(column) {
        return None;
    }
    let s = sources.iter().find(|s| matching(s))?;
    let name = s
        .table
        .rowid_alias
        .map_or("ROWID".to_string(), |i| s.table.columns[i].name.clone());
    Some((s, name))
}

/// The sub-expressions SQLite's walker visits under `e`, in its order (left operand, then
/// right operand or list).
fn children(e: &ast::Expr) -> Vec<&ast::Expr> {
    match &e.kind {
        ExprKind::Unary(_, a)
        | ExprKind::Cast { expr: a, .. }
        | ExprKind::Collate { expr: a, .. }
        | ExprKind::NullTest { expr: a, .. } => vec![a],
        ExprKind::Binary(a, _, b) => vec![a, b],
        ExprKind::Between {
            expr, low, high, ..
        } => vec![expr, low, high],
        ExprKind::InList { expr, list, .. } => std::iter::once(&**expr).chain(list).collect(),
        ExprKind::Case {
            operand,
            whens,
            else_,
        } => operand
            .as_deref()
            .into_iter()
            .chain(whens.iter().flat_map(|(w, t)| [w, t]))
            .chain(else_.as_deref())
            .collect(),
        ExprKind::Vector(items) => items.iter().collect(),
        ExprKind::Raise {
            message: Some(m), ..
        } => vec![m],
        _ => Vec::new(),
    }
}

fn is_operator(op: ast::BinaryOp) -> bool {
    use ast::BinaryOp::*;
    matches!(op, Is | IsNot | IsDistinctFrom | IsNotDistinctFrom)
}

/// `e`, past any COLLATE, is a bare name.
fn bare_name(e: &ast::Expr) -> bool {
    match &e.kind {
        ExprKind::Collate { expr, .. } => bare_name(expr),
        ExprKind::Id(_) => true,
        _ => false,
    }
}

fn function_argc(e: &ast::Expr) -> usize {
    match &e.kind {
        ExprKind::Function {
            args: ast::FunctionArgs::List { args, .. },
            ..
        } => args.len(),
        _ => 0,
    }
}

fn schema_table(db: Db) -> &'static str {
    match db {
        Db::Main => "sqlite_master",
        Db::Temp => "sqlite_temp_master",
    }
}

fn src(table: &Table, name: &ast::QualifiedName, alias: Option<&ast::Name>) -> Src {
    Src {
        name: alias.unwrap_or(&name.name).value.clone(),
        written: name.name.value.clone(),
        qualifier: name.schema.as_ref().map(|s| s.value.clone()),
        table: table.clone(),
        used: false,
    }
}

/// `sqlite_schema` of `db` as SQLite's authorizer names it, with its five columns.
fn schema_table_of(db: Db) -> Table {
    let text = |name: &str| Column::plain(name.to_string(), Some("text".to_string()));
    Table {
        name: db.schema_table_name().to_string(),
        db,
        root: crate::schema::SCHEMA_ROOT,
        columns: SCHEMA_COLUMNS.iter().map(|n| text(n)).collect(),
        rowid_alias: None,
        autoincrement: false,
        checks: Vec::new(),
        unsupported: None,
        pk_conflict: None,
    }
}

const SCHEMA_COLUMNS: [&str; 5] = ["type", "name", "tbl_name", "rootpage", "sql"];

/// The schema table a FROM name designates in `schema` (`None`: any database).
fn schema_table_named(name: &str, schema: Option<Db>) -> Option<Table> {
    let db = match name.to_ascii_lowercase().as_str() {
        "sqlite_master" | "sqlite_schema" => schema.unwrap_or(Db::Main),
        "sqlite_temp_master" | "sqlite_temp_schema" => Db::Temp,
        _ => return None,
    };
    Some(schema_table_of(db))
}

impl Ctx<'_> {
    /// Reports `stmt`'s actions to the connection's authorizer, if one is set.
    pub(super) fn authorize(&self, stmt: &ast::Stmt) -> Result<Outcome> {
        let Some(authorizer) = self.authorizer.clone() else {
            return Ok(Outcome::Compile(None));
        };
        Pass {
            ctx: self,
            authorizer,
            denied: std::cell::RefCell::new(None),
        }
        .statement(stmt)
    }

    /// Whether the authorizer answered IGNORE to the read `r` (which then reads NULL).
    pub(super) fn read_ignored(&self, r: &Resolved, sc: &Scope<'_>) -> bool {
        let ignored = self.auth_ignored.borrow();
        if ignored.is_empty() {
            return false;
        }
        let mut scope = Some(sc);
        while let Some(here) = scope {
            if let Some(source) = here.sources.iter().find(|s| s.cursor == r.cursor) {
                let Some(table) = &source.table else {
                    return false;
                };
                let column = match r.read {
                    // The schema table's source declares no columns (`select::schema_source`).
                    ColRead::Column(n) if table.root == crate::schema::SCHEMA_ROOT => {
                        SCHEMA_COLUMNS.get(n).copied()
                    }
                    ColRead::Column(n) => table.columns.get(n).map(|c| c.name.as_str()),
                    ColRead::Rowid => Some(
                        table
                            .rowid_alias
                            .and_then(|i| table.columns.get(i))
                            .map_or("ROWID", |c| c.name.as_str()),
                    ),
                };
                return column.is_some_and(|column| {
                    ignored.iter().any(|(d, t, c)| {
                        *d == table.db
                            && t.eq_ignore_ascii_case(&table.name)
                            && c.eq_ignore_ascii_case(column)
                    })
                });
            }
            scope = here.parent;
        }
        false
    }
}

impl Ctx<'_> {
    /// Whether result column `e` is a column reference whose read the authorizer ignored:
    /// SQLite then names it as written and gives it no declared type.
    pub(super) fn result_read_ignored(&self, e: &ast::Expr, sc: &Scope<'_>) -> bool {
        if self.auth_ignored.borrow().is_empty() {
            return false;
        }
        let resolved = match &e.kind {
            ExprKind::Id(n) => sc.resolve(None, &n.value),
            ExprKind::Qualified { table, column, .. } => {
                sc.resolve(Some(&table.value), &column.value)
            }
            _ => return false,
        };
        resolved
            .ok()
            .flatten()
            .is_some_and(|r| self.read_ignored(&r, sc))
    }
}
