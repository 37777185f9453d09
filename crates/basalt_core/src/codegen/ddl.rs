//! CREATE and DROP of tables, indexes, views and triggers, done in bytecode as SQLite does:
//! new b-trees (`CreateBtree`), rows written to `sqlite_schema` with ordinary inserts, new
//! indexes filled by a scan of their table, then `SchemaChanged` (cookie bump and catalog reload).
//!
//! Invariants:
//! - The stored CREATE text is SQLite's: `CREATE <KIND> ` followed by the statement's text from
//!   the object's name to its end (so `IF NOT EXISTS`, `TEMP` and a schema prefix are dropped).
//! - Automatic indexes are created in the order and under the names `catalog::unique_constraints`
//!   gives, which is also how the catalog matches them back when it reloads.
//! - A table's schema row comes before its automatic indexes', and its root page is allocated
//!   first, as in SQLite's files.
//! - An object goes to one database (`main`, or `temp` for TEMP objects, a `temp.` prefix, and
//!   indexes of temp tables); every b-tree and schema row of it is in that database's pager, and
//!   name clashes are checked within that database only, as SQLite does.

use super::analyze::Replaced;
use super::scope::Scope;
use super::select::{table_source, Dest};
use super::{error, Ctx};
use crate::btree::TreeKind;
use crate::catalog::{self, Index, Table};
use crate::error::{ErrorCode, Result};
use crate::pager::PageNo;
use crate::schema::{Db, SCHEMA_ROOT};
use crate::sql::affinity::Affinity;
use crate::vdbe::{CursorId, Insn, OnError, Reg, Root};
use basalt_parser::ast;
use std::rc::Rc;

/// What goes in the rootpage column of a new schema row.
pub(super) enum RootValue {
    Reg(Reg),
    Page(PageNo),
    Zero,
}

impl Ctx<'_> {
    fn stored_sql(&self, kind: &str, name: &ast::Name, statement: &ast::Statement) -> String {
        let body = self
            .sql
            .get(name.span.start..statement.span.end)
            .unwrap_or_default();
        // A quoted name's span starts at its opening quote already.
        format!("CREATE {kind} {body}")
    }

    /// The database a new object goes to: the one its name is qualified with, else `temp` for
    /// a TEMP object and `main` otherwise.
    fn target_db(&self, schema: &Option<ast::Name>, temporary: bool) -> Result<Db> {
        let Some(s) = schema else {
            return Ok(if temporary { Db::Temp } else { Db::Main });
        };
        match Db::from_name(&s.value) {
            Some(Db::Main) if temporary => Err(error("temporary table name must be unqualified")),
            Some(db) => Ok(db),
            None => Err(error(format!("unknown database {}", s.value))),
        }
    }

    /// Appends a row to `db`'s schema table.
    pub(super) fn schema_row(
        &mut self,
        db: Db,
        kind: &str,
        name: &str,
        table: &str,
        root: RootValue,
        sql: Option<&str>,
    ) {
        let (cursor, regs) = self.schema_row_values(db, kind, name, table, root, sql);
        self.b.append_record(cursor, regs, 5);
    }

    /// Opens `db`'s schema table for writing and puts a row's five columns in registers;
    /// returns the cursor and the first register.
    pub(super) fn schema_row_values(
        &mut self,
        db: Db,
        kind: &str,
        name: &str,
        table: &str,
        root: RootValue,
        sql: Option<&str>,
    ) -> (CursorId, Reg) {
        let cursor = self.b.cursor();
        self.b.emit(Insn::OpenWrite {
            cursor,
            db,
            root: Root::Page(SCHEMA_ROOT),
            key: None,
        });
        let regs = self.b.regs(5);
        for (i, text) in [kind, name, table].iter().enumerate() {
            self.b.emit(Insn::Text {
                value: text.as_bytes().to_vec(),
                dest: regs + i,
            });
        }
        match root {
            RootValue::Reg(r) => {
                self.b.emit(Insn::Copy {
                    src: r,
                    dest: regs + 3,
                    count: 1,
                });
            }
            RootValue::Page(page) => {
                self.b.emit(Insn::Integer {
                    value: i64::from(page),
                    dest: regs + 3,
                });
            }
            RootValue::Zero => {
                self.b.emit(Insn::Integer {
                    value: 0,
                    dest: regs + 3,
                });
            }
        }
        match sql {
            Some(s) => self.b.emit(Insn::Text {
                value: s.as_bytes().to_vec(),
                dest: regs + 4,
            }),
            None => self.b.emit(Insn::Null {
                dest: regs + 4,
                count: 1,
            }),
        };
        (cursor, regs)
    }

    /// Refuses a name already used by another object (or reserved), unless IF NOT EXISTS made
    /// the statement a no-op (then `Ok(true)`).
    fn name_available(&self, db: Db, name: &str, if_not_exists: bool, kind: &str) -> Result<bool> {
        if let Some(existing) = self.catalog.get(db).name_in_use(name) {
            if if_not_exists && existing == kind {
                return Ok(false);
            }
            return Err(error(if existing == "index" && kind != "index" {
                format!("there is already an index named {name}")
            } else {
                format!("{existing} {name} already exists")
            }));
        }
        if name.to_ascii_lowercase().starts_with("sqlite_") {
            return Err(error(format!(
                "object name reserved for internal use: {name}"
            )));
        }
        Ok(true)
    }

    pub fn create_table(
        &mut self,
        create: &ast::CreateTable,
        statement: &ast::Statement,
    ) -> Result<()> {
        let db = self.target_db(&create.name.schema, create.temporary)?;
        let name = &create.name.name.value;
        if !self.name_available(db, name, create.if_not_exists, "table")? {
            return Ok(());
        }
        self.writes = true;
        match &create.body {
            ast::CreateTableBody::Columns {
                columns,
                constraints,
                ..
            } => {
                check_defaults_are_constant(columns)?;
                check_no_parameters_in_checks(columns, constraints)?;
                let sql = self.stored_sql("TABLE", &create.name.name, statement);
                let mut table = catalog::table_from_ast(name, 0, create.clone(), &sql);
                table.db = db;
                for (i, c) in columns.iter().enumerate() {
                    if columns[..i]
                        .iter()
                        .any(|d| d.name.value.eq_ignore_ascii_case(&c.name.value))
                    {
                        return Err(error(format!("duplicate column name: {}", c.name.value)));
                    }
                }
                self.check_autoincrement(create, &table)?;
                if let Some(why) = &table.unsupported {
                    return Err(error(format!("not supported yet: {why}")));
                }
                if table.has_generated_columns() {
                    return Err(crate::error::Error::not_supported("generated columns"));
                }
                let root = self.b.reg();
                self.b.emit(Insn::CreateBtree {
                    db,
                    kind: TreeKind::Table,
                    dest: root,
                });
                let constraints = catalog::unique_constraints(&table, create);
                let index_roots = self.b.regs(constraints.len().max(1));
                for i in 0..constraints.len() {
                    self.b.emit(Insn::CreateBtree {
                        db,
                        kind: TreeKind::Index,
                        dest: index_roots + i,
                    });
                }
                self.schema_row(db, "table", name, name, RootValue::Reg(root), Some(&sql));
                for i in 0..constraints.len() {
                    let index_name = format!("sqlite_autoindex_{name}_{}", i + 1);
                    self.schema_row(
                        db,
                        "index",
                        &index_name,
                        name,
                        RootValue::Reg(index_roots + i),
                        None,
                    );
                }
                self.ensure_sequence_table(&table);
                self.b.emit(Insn::SchemaChanged { db });
                Ok(())
            }
            ast::CreateTableBody::AsSelect(select) => self.create_table_as(db, name, select),
        }
    }

    fn create_table_as(&mut self, db: Db, name: &str, select: &ast::Select) -> Result<()> {
        let eph = self.b.cursor();
        self.b.emit(Insn::OpenEphemeral {
            cursor: eph,
            key: None,
        });
        let out = self.select(select, None, Dest::Table(eph))?;
        let mut defs = Vec::new();
        for c in &out.columns {
            let ty = match c.affinity {
                Some(Affinity::Integer) => " INT",
                Some(Affinity::Text) => " TEXT",
                Some(Affinity::Real) => " REAL",
                Some(Affinity::Numeric) => " NUM",
                _ => "",
            };
            defs.push(format!("{}{ty}", quote_identifier(&c.name)));
        }
        let sql = format!(
            "CREATE TABLE {}({})",
            quote_identifier(name),
            defs.join(",")
        );
        let root = self.b.reg();
        self.b.emit(Insn::CreateBtree {
            db,
            kind: TreeKind::Table,
            dest: root,
        });
        self.schema_row(db, "table", name, name, RootValue::Reg(root), Some(&sql));
        let target = self.b.cursor();
        self.b.emit(Insn::OpenWrite {
            cursor: target,
            db,
            root: Root::Reg(root),
            key: None,
        });
        let n = out.columns.len();
        let regs = self.b.regs(n.max(1));
        let rows = self.b.scan_start(eph);
        self.b.columns(eph, n, regs);
        let affinities: Vec<Affinity> = out
            .columns
            .iter()
            .map(|c| match c.affinity {
                Some(a) => a,
                None => Affinity::Blob,
            })
            .collect();
        self.b.emit(Insn::Affinity {
            start: regs,
            affinities,
        });
        self.b.append_record(target, regs, n);
        self.b.scan_end(rows);
        self.b.emit(Insn::SchemaChanged { db });
        Ok(())
    }

    pub fn create_index(
        &mut self,
        create: &ast::CreateIndex,
        statement: &ast::Statement,
    ) -> Result<()> {
        // An index lives in its table's database: the one named, else where the table is found.
        let named = match &create.name.schema {
            Some(_) => Some(self.target_db(&create.name.schema, false)?),
            None => None,
        };
        let name = &create.name.name.value;
        let Some(table) = self.catalog.table_in(named, &create.table.value).cloned() else {
            return Err(error(format!(
                "no such table: {}.{}",
                named.unwrap_or_default().name(),
                create.table.value
            )));
        };
        let db = table.db;
        if let Some(why) = &table.unsupported {
            return Err(error(format!("not supported yet: {why}")));
        }
        if table.has_generated_columns() {
            return Err(crate::error::Error::not_supported("generated columns"));
        }
        if table.name.to_ascii_lowercase().starts_with("sqlite_") {
            return Err(error(format!("table {} may not be indexed", table.name)));
        }
        if let Some(existing) = self.catalog.get(db).name_in_use(name) {
            if create.if_not_exists && existing == "index" {
                return Ok(());
            }
            return Err(error(if existing == "index" {
                format!("index {name} already exists")
            } else {
                format!("there is already a {existing} named {name}")
            }));
        }
        if name.to_ascii_lowercase().starts_with("sqlite_") {
            return Err(error(format!(
                "object name reserved for internal use: {name}"
            )));
        }
        let mut columns = Vec::new();
        for term in &create.columns {
            let col = catalog::index_column(&table, term);
            if col.column.is_none() {
                if let Some(ast::ExprKind::Id(n)) = col.expr.as_ref().map(|e| &e.kind) {
                    return Err(error(format!("no such column: {}", n.value)));
                }
            }
            columns.push(col);
        }
        self.writes = true;
        let sql = self.stored_sql(
            if create.unique {
                "UNIQUE INDEX"
            } else {
                "INDEX"
            },
            &create.name.name,
            statement,
        );
        let index = Index {
            name: name.clone(),
            table: table.name.clone(),
            db,
            root: 0,
            columns,
            unique: create.unique,
            partial: create.where_.clone(),
            conflict: None,
            primary_key: false,
        };
        let root = self.b.reg();
        self.b.emit(Insn::CreateBtree {
            db,
            kind: TreeKind::Index,
            dest: root,
        });
        let table_name = &table.name;
        self.schema_row(
            db,
            "index",
            name,
            table_name,
            RootValue::Reg(root),
            Some(&sql),
        );
        self.fill_index(&table, &index, root)?;
        self.b.emit(Insn::SchemaChanged { db });
        Ok(())
    }

    /// Every row of the table into the new index (rooted at the page in `root`): the keys are
    /// sorted first and inserted in index order, as SQLite builds an index, so each insert
    /// lands next to the one before instead of at a random place in the tree.
    fn fill_index(&mut self, table: &Rc<Table>, index: &Index, root: Reg) -> Result<()> {
        let scan: CursorId = self.b.cursor();
        self.b.emit(Insn::OpenRead {
            cursor: scan,
            db: table.db,
            root: Root::Page(table.root),
            key: None,
        });
        let idx = self.b.cursor();
        self.b.emit(Insn::OpenWrite {
            cursor: idx,
            db: index.db,
            root: Root::Reg(root),
            key: Some(index.key_info()),
        });
        let sorter = self.b.cursor();
        self.b.emit(Insn::SorterOpen {
            cursor: sorter,
            key: index.key_info(),
        });
        let mut sc = Scope::new(None);
        sc.sources
            .push(table_source(table, table.name.clone(), scan));
        let next = self.b.label();
        let n = index.columns.len();
        let key = self.b.regs(n + 1);
        let record = self.b.reg();
        let rows = self.b.scan_start(scan);
        self.partial_filter(index, &sc, next)?;
        self.index_key_columns(table, scan, index, &sc, key)?;
        self.b.emit(Insn::Rowid {
            cursor: scan,
            dest: key + n,
        });
        self.b.emit(Insn::SorterInsert {
            cursor: sorter,
            start: key,
            count: n + 1,
        });
        self.b.place(next);
        self.b.scan_end(rows);

        let done = self.b.label();
        let top = self.b.label();
        self.b.emit(Insn::SorterSort {
            cursor: sorter,
            if_empty: self.b.to(done),
        });
        self.b.place(top);
        if index.unique {
            self.b.columns(sorter, n, key);
            self.refuse_duplicate_key(table, index, idx, key)?;
        }
        self.b.emit(Insn::SorterData {
            cursor: sorter,
            dest: record,
        });
        self.b.emit(Insn::IdxInsert {
            cursor: idx,
            record,
        });
        let top_addr = self.b.to(top);
        self.b.emit(Insn::Next {
            cursor: sorter,
            target: top_addr,
        });
        self.b.place(done);
        Ok(())
    }

    /// Fails the statement if the key in `key..key + n` (no NULL in it) is already in the
    /// unique index being built.
    fn refuse_duplicate_key(
        &mut self,
        table: &Table,
        index: &Index,
        idx: CursorId,
        key: Reg,
    ) -> Result<()> {
        let n = index.columns.len();
        let ok = self.b.label();
        for i in 0..n {
            self.b.emit(Insn::IsNull {
                reg: key + i,
                target: self.b.to(ok),
            });
        }
        self.b.emit(Insn::NotFound {
            cursor: idx,
            key,
            count: n,
            target: self.b.to(ok),
        });
        self.b.emit(Insn::HaltError {
            code: ErrorCode::Constraint,
            extended_code: Some(crate::error::extended::CONSTRAINT_UNIQUE),
            message: super::dml::unique_message(table, index),
            on_error: OnError::Abort,
        });
        self.b.place(ok);
        Ok(())
    }

    pub fn create_view(
        &mut self,
        create: &ast::CreateView,
        statement: &ast::Statement,
    ) -> Result<()> {
        let db = self.target_db(&create.name.schema, create.temporary)?;
        let name = &create.name.name.value;
        if !self.name_available(db, name, create.if_not_exists, "view")? {
            return Ok(());
        }
        // The view's query must compile now, as SQLite checks it at creation.
        {
            let mut probe = Ctx {
                catalog: self.catalog,
                sql: self.sql,
                b: super::Builder::default(),
                params: super::Params::default(),
                writes: false,
                ctes: Vec::new(),
                expanding: vec![name.clone()],
                alias_depth: 0,
                // A view kept in `main` must not name `temp` objects: other connections
                // could not see them.
                creating_main_view: (db == Db::Main).then(|| name.clone()),
                default_db: None,
                cte_guards: Vec::new(),
                depth: 0,
                pragma_sink: None,
                pure_use: None,
                plan: None,
                covering: Vec::new(),
                covering_scans: Vec::new(),
                order_walk: std::cell::Cell::new(None),
                order_kept: std::cell::RefCell::new(Vec::new()),
                index_hints: Vec::new(),
                flattened: Vec::new(),
                authorizer: None,
                auth_ignored: std::cell::RefCell::new(Vec::new()),
            };
            let out = probe.select(&create.select, None, Dest::Output)?;
            if let Some(cols) = &create.columns {
                if cols.len() != out.columns.len() {
                    return Err(error(format!(
                        "expected {} columns for '{name}' but got {}",
                        cols.len(),
                        out.columns.len()
                    )));
                }
            }
        }
        self.writes = true;
        let sql = self.stored_sql("VIEW", &create.name.name, statement);
        self.schema_row(db, "view", name, name, RootValue::Zero, Some(&sql));
        self.b.emit(Insn::SchemaChanged { db });
        Ok(())
    }

    pub fn create_trigger(
        &mut self,
        create: &ast::CreateTrigger,
        statement: &ast::Statement,
    ) -> Result<()> {
        self.target_db(&create.name.schema, false)?;
        let name = &create.name.name.value;
        let table_name = &create.table.name.value;
        // A trigger on a temp table is a temp trigger in SQLite; triggers do not fire in Basalt
        // yet, and only main ones keep their tables from being written (see `dml`).
        let on_temp = self.catalog.temp.table(table_name).is_some()
            || self.catalog.temp.view(table_name).is_some();
        if create.temporary || on_temp {
            return Err(crate::error::Error::not_supported("TEMP triggers"));
        }
        if self.catalog.main.table(table_name).is_none()
            && self.catalog.main.view(table_name).is_none()
        {
            return Err(error(format!("no such table: main.{table_name}")));
        }
        if let Some(existing) = self.catalog.main.name_in_use(name) {
            if create.if_not_exists && existing == "trigger" {
                return Ok(());
            }
            return Err(error(format!("trigger {name} already exists")));
        }
        self.writes = true;
        let sql = self.stored_sql("TRIGGER", &create.name.name, statement);
        self.schema_row(
            Db::Main,
            "trigger",
            name,
            table_name,
            RootValue::Zero,
            Some(&sql),
        );
        self.b.emit(Insn::SchemaChanged { db: Db::Main });
        Ok(())
    }

    pub fn drop(
        &mut self,
        kind: ast::ObjectKind,
        if_exists: bool,
        name: &ast::QualifiedName,
    ) -> Result<()> {
        let n = &name.name.value;
        let what = match kind {
            ast::ObjectKind::Table => "table",
            ast::ObjectKind::Index => "index",
            ast::ObjectKind::View => "view",
            ast::ObjectKind::Trigger => "trigger",
        };
        let missing = || {
            if if_exists {
                return Ok(());
            }
            Err(error(match &name.schema {
                Some(s) => format!("no such {what}: {}.{n}", s.value),
                None => format!("no such {what}: {n}"),
            }))
        };
        let schema = match &name.schema {
            Some(s) => match Db::from_name(&s.value) {
                Some(db) => Some(db),
                None => return missing(),
            },
            None => None,
        };
        if kind == ast::ObjectKind::Table {
            if let Some(db) = Db::ALL.into_iter().find(|&db| is_schema_table_name(db, n)) {
                let table = db.schema_table_name();
                return Err(error(format!("table {table} may not be dropped")));
            }
        }
        let Some(catalog) = self.catalog.search(schema).find(|c| match kind {
            // Tables and views share a namespace: the first database having either decides.
            ast::ObjectKind::Table | ast::ObjectKind::View => {
                c.table(n).is_some() || c.view(n).is_some()
            }
            ast::ObjectKind::Index => c.index(n).is_some(),
            ast::ObjectKind::Trigger => c.triggers.iter().any(|t| t.name.eq_ignore_ascii_case(n)),
        }) else {
            return missing();
        };
        let db = catalog.db;
        let mut dropped_table = None;
        // The schema rows to delete and the b-trees to drop.
        let (rows, roots): (Vec<i64>, Vec<u32>) = match kind {
            ast::ObjectKind::Table => {
                let Some(table) = catalog.table(n) else {
                    return Err(error(format!("use DROP VIEW to delete view {n}")));
                };
                if table.name.to_ascii_lowercase().starts_with("sqlite_") {
                    return Err(error(format!("table {} may not be dropped", table.name)));
                }
                dropped_table = Some(table.clone());
                let entries: Vec<_> = catalog
                    .schema
                    .entries
                    .iter()
                    .filter(|e| e.table_name.eq_ignore_ascii_case(&table.name))
                    .collect();
                (
                    entries.iter().map(|e| e.rowid).collect(),
                    entries
                        .iter()
                        .map(|e| e.root_page)
                        .filter(|&r| r != 0)
                        .collect(),
                )
            }
            ast::ObjectKind::Index => {
                let Some(index) = catalog.index(n) else {
                    return missing();
                };
                if index
                    .name
                    .to_ascii_lowercase()
                    .starts_with("sqlite_autoindex_")
                {
                    return Err(error(
                        "index associated with UNIQUE or PRIMARY KEY constraint cannot be dropped",
                    ));
                }
                let entry = catalog.schema.find(&index.name);
                (entry.iter().map(|e| e.rowid).collect(), vec![index.root])
            }
            ast::ObjectKind::View | ast::ObjectKind::Trigger => {
                if kind == ast::ObjectKind::View && catalog.table(n).is_some() {
                    return Err(error(format!("use DROP TABLE to delete table {n}")));
                }
                let entry = catalog.schema.find(n);
                (entry.iter().map(|e| e.rowid).collect(), Vec::new())
            }
        };
        self.writes = true;
        let forgotten = match (&dropped_table, kind) {
            (Some(table), _) => Some(Replaced::Table(table.name.clone())),
            (None, ast::ObjectKind::Index) => {
                catalog.index(n).map(|i| Replaced::Index(i.name.clone()))
            }
            _ => None,
        };
        if let Some(stats) = forgotten {
            self.clear_stats(db, &stats)?;
        }
        if let Some(table) = &dropped_table {
            // Before the b-trees go, as SQLite orders it.
            self.forget_counter(table)?;
        }
        let cursor = self.b.cursor();
        self.b.emit(Insn::OpenWrite {
            cursor,
            db,
            root: Root::Page(SCHEMA_ROOT),
            key: None,
        });
        let id = self.b.reg();
        for rowid in rows {
            let gone = self.b.label();
            self.b.emit(Insn::Integer {
                value: rowid,
                dest: id,
            });
            self.b.emit(Insn::SeekRowid {
                cursor,
                rowid: id,
                not_found: self.b.to(gone),
            });
            self.b.emit(Insn::Delete {
                cursor,
                count_change: false,
                hook: None,
            });
            self.b.place(gone);
        }
        let mut roots = roots;
        // Largest first, as SQLite does (it matters for auto-vacuum's page moves).
        roots.sort_unstable_by(|a, b| b.cmp(a));
        for root in roots {
            self.b.emit(Insn::DropBtree { db, root });
        }
        self.b.emit(Insn::SchemaChanged { db });
        Ok(())
    }
}

/// Whether `name` is one of the names `db`'s schema table answers to in SQL.
/// SQLite's rule for `DEFAULT (expr)`: literals, operators and function calls only — no
/// column, parameter or subquery (TRUE and FALSE are literals). Checked column by column as
/// SQLite's parser does, before anything else about the table.
fn check_defaults_are_constant(columns: &[ast::ColumnDef]) -> Result<()> {
    for column in columns {
        for constraint in &column.constraints {
            let ast::ColumnConstraint::Default {
                expr,
                parenthesized: true,
            } = constraint
            else {
                continue;
            };
            let mut constant = true;
            super::expr::walk(expr, &mut |e| {
                match &e.kind {
                    ast::ExprKind::Id(name)
                        if !name.value.eq_ignore_ascii_case("true")
                            && !name.value.eq_ignore_ascii_case("false") =>
                    {
                        constant = false;
                    }
                    ast::ExprKind::Qualified { .. }
                    | ast::ExprKind::Variable(_)
                    | ast::ExprKind::Subquery(_)
                    | ast::ExprKind::Exists(_)
                    | ast::ExprKind::InSelect { .. } => constant = false,
                    _ => {}
                }
                constant
            });
            if !constant {
                return Err(error(format!(
                    "default value of column [{}] is not constant",
                    column.name.value
                )));
            }
        }
    }
    Ok(())
}

/// "parameters prohibited in CHECK constraints", for column and table CHECKs alike.
fn check_no_parameters_in_checks(
    columns: &[ast::ColumnDef],
    constraints: &[ast::TableConstraint],
) -> Result<()> {
    let column_checks = columns
        .iter()
        .flat_map(|c| &c.constraints)
        .filter_map(|c| match c {
            ast::ColumnConstraint::Check(e) => Some(e),
            _ => None,
        });
    let table_checks = constraints.iter().filter_map(|c| match c {
        ast::TableConstraint::Check { expr, .. } => Some(expr),
        _ => None,
    });
    for check in column_checks.chain(table_checks) {
        let mut parameter = false;
        super::expr::walk(check, &mut |e| {
            parameter |= matches!(e.kind, ast::ExprKind::Variable(_));
            !parameter
        });
        if parameter {
            return Err(error("parameters prohibited in CHECK constraints"));
        }
    }
    Ok(())
}

pub fn is_schema_table_name(db: Db, name: &str) -> bool {
    let names: &[&str] = match db {
        Db::Main => &["sqlite_master", "sqlite_schema"],
        Db::Temp => &["sqlite_temp_master", "sqlite_temp_schema"],
    };
    names.iter().any(|n| n.eq_ignore_ascii_case(name))
}

/// An identifier as SQLite writes it in generated SQL: bare if it is a plain word, else quoted.
fn quote_identifier(name: &str) -> String {
    let plain = !name.is_empty()
        && name
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && basalt_parser::keywords::lookup(name.as_bytes()).is_none();
    if plain {
        name.to_string()
    } else {
        format!("\"{}\"", name.replace('"', "\"\""))
    }
}
