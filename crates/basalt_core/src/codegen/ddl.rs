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

use super::scope::Scope;
use super::select::{table_source, Dest};
use super::{error, Ctx};
use crate::btree::TreeKind;
use crate::catalog::{self, Index, Table};
use crate::error::{ErrorCode, Result};
use crate::schema::SCHEMA_ROOT;
use crate::sql::affinity::Affinity;
use crate::vdbe::{CursorId, Insn, OnError, Reg, Root};
use basalt_parser::ast;

/// What goes in the rootpage column of a new schema row.
enum RootValue {
    Reg(Reg),
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

    fn check_schema_name(&self, schema: &Option<ast::Name>) -> Result<()> {
        match schema {
            Some(s) if !s.value.eq_ignore_ascii_case("main") => {
                Err(error(format!("unknown database {}", s.value)))
            }
            _ => Ok(()),
        }
    }

    /// Appends a row to `sqlite_schema`.
    fn schema_row(
        &mut self,
        kind: &str,
        name: &str,
        table: &str,
        root: RootValue,
        sql: Option<&str>,
    ) {
        let cursor = self.b.cursor();
        self.b.emit(Insn::OpenWrite {
            cursor,
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
        self.b.append_record(cursor, regs, 5);
    }

    /// Refuses a name already used by another object (or reserved), unless IF NOT EXISTS made
    /// the statement a no-op (then `Ok(true)`).
    fn name_available(&self, name: &str, if_not_exists: bool, kind: &str) -> Result<bool> {
        if let Some(existing) = self.catalog.name_in_use(name) {
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
        self.check_schema_name(&create.name.schema)?;
        if create.temporary {
            return Err(error("not supported yet: TEMP tables"));
        }
        let name = &create.name.name.value;
        if !self.name_available(name, create.if_not_exists, "table")? {
            return Ok(());
        }
        self.writes = true;
        match &create.body {
            ast::CreateTableBody::Columns { columns, .. } => {
                let sql = self.stored_sql("TABLE", &create.name.name, statement);
                let table = catalog::table_from_ast(name, 0, create, &sql);
                for (i, c) in columns.iter().enumerate() {
                    if columns[..i]
                        .iter()
                        .any(|d| d.name.value.eq_ignore_ascii_case(&c.name.value))
                    {
                        return Err(error(format!("duplicate column name: {}", c.name.value)));
                    }
                }
                if let Some(why) = &table.unsupported {
                    return Err(error(format!("not supported yet: {why}")));
                }
                if table.has_generated_columns() {
                    return Err(crate::error::Error::not_supported("generated columns"));
                }
                if table.autoincrement {
                    return Err(error("not supported yet: AUTOINCREMENT"));
                }
                let root = self.b.reg();
                self.b.emit(Insn::CreateBtree {
                    kind: TreeKind::Table,
                    dest: root,
                });
                let constraints = catalog::unique_constraints(&table, create);
                let index_roots = self.b.regs(constraints.len().max(1));
                for i in 0..constraints.len() {
                    self.b.emit(Insn::CreateBtree {
                        kind: TreeKind::Index,
                        dest: index_roots + i,
                    });
                }
                self.schema_row("table", name, name, RootValue::Reg(root), Some(&sql));
                for i in 0..constraints.len() {
                    let index_name = format!("sqlite_autoindex_{name}_{}", i + 1);
                    self.schema_row(
                        "index",
                        &index_name,
                        name,
                        RootValue::Reg(index_roots + i),
                        None,
                    );
                }
                self.b.emit(Insn::SchemaChanged);
                Ok(())
            }
            ast::CreateTableBody::AsSelect(select) => self.create_table_as(name, select),
        }
    }

    fn create_table_as(&mut self, name: &str, select: &ast::Select) -> Result<()> {
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
            kind: TreeKind::Table,
            dest: root,
        });
        self.schema_row("table", name, name, RootValue::Reg(root), Some(&sql));
        let target = self.b.cursor();
        self.b.emit(Insn::OpenWrite {
            cursor: target,
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
        self.b.emit(Insn::SchemaChanged);
        Ok(())
    }

    pub fn create_index(
        &mut self,
        create: &ast::CreateIndex,
        statement: &ast::Statement,
    ) -> Result<()> {
        self.check_schema_name(&create.name.schema)?;
        let name = &create.name.name.value;
        let Some(table) = self.catalog.table(&create.table.value).cloned() else {
            return Err(error(format!("no such table: main.{}", create.table.value)));
        };
        if let Some(why) = &table.unsupported {
            return Err(error(format!("not supported yet: {why}")));
        }
        if table.has_generated_columns() {
            return Err(crate::error::Error::not_supported("generated columns"));
        }
        if table.name.to_ascii_lowercase().starts_with("sqlite_") {
            return Err(error(format!("table {} may not be indexed", table.name)));
        }
        if let Some(existing) = self.catalog.name_in_use(name) {
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
            root: 0,
            columns,
            unique: create.unique,
            partial: create.where_.clone(),
            conflict: None,
            primary_key: false,
        };
        let root = self.b.reg();
        self.b.emit(Insn::CreateBtree {
            kind: TreeKind::Index,
            dest: root,
        });
        self.schema_row("index", name, &table.name, RootValue::Reg(root), Some(&sql));
        self.fill_index(&table, &index, root)?;
        self.b.emit(Insn::SchemaChanged);
        Ok(())
    }

    /// Every row of the table into the new index (rooted at the page in `root`).
    fn fill_index(&mut self, table: &Table, index: &Index, root: Reg) -> Result<()> {
        let scan: CursorId = self.b.cursor();
        self.b.emit(Insn::OpenRead {
            cursor: scan,
            root: Root::Page(table.root),
            key: None,
        });
        let idx = self.b.cursor();
        self.b.emit(Insn::OpenWrite {
            cursor: idx,
            root: Root::Reg(root),
            key: Some(index.key_info()),
        });
        let mut sc = Scope::new(None);
        sc.sources
            .push(table_source(table, table.name.clone(), scan));
        let next = self.b.label();
        let n = index.columns.len();
        let key = self.b.regs(n + 1);
        let rows = self.b.scan_start(scan);
        if let Some(w) = &index.partial {
            self.filter(w, &sc, next)?;
        }
        self.index_key_columns(table, scan, index, &sc, key)?;
        self.b.emit(Insn::Rowid {
            cursor: scan,
            dest: key + n,
        });
        if index.unique {
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
            let names: Vec<String> = index
                .columns
                .iter()
                .filter_map(|c| c.column)
                .map(|c| format!("{}.{}", table.name, table.columns[c].name))
                .collect();
            self.b.emit(Insn::HaltError {
                code: ErrorCode::Constraint,
                extended_code: Some(crate::error::extended::CONSTRAINT_UNIQUE),
                message: format!("UNIQUE constraint failed: {}", names.join(", ")),
                on_error: OnError::Abort,
            });
            self.b.place(ok);
        }
        self.b.idx_insert_record(idx, key, n + 1);
        self.b.place(next);
        self.b.scan_end(rows);
        Ok(())
    }

    pub fn create_view(
        &mut self,
        create: &ast::CreateView,
        statement: &ast::Statement,
    ) -> Result<()> {
        self.check_schema_name(&create.name.schema)?;
        if create.temporary {
            return Err(error("not supported yet: TEMP views"));
        }
        let name = &create.name.name.value;
        if !self.name_available(name, create.if_not_exists, "view")? {
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
        self.schema_row("view", name, name, RootValue::Zero, Some(&sql));
        self.b.emit(Insn::SchemaChanged);
        Ok(())
    }

    pub fn create_trigger(
        &mut self,
        create: &ast::CreateTrigger,
        statement: &ast::Statement,
    ) -> Result<()> {
        self.check_schema_name(&create.name.schema)?;
        let name = &create.name.name.value;
        let table_name = &create.table.name.value;
        if self.catalog.table(table_name).is_none() && self.catalog.view(table_name).is_none() {
            return Err(error(format!("no such table: main.{table_name}")));
        }
        if let Some(existing) = self.catalog.name_in_use(name) {
            if create.if_not_exists && existing == "trigger" {
                return Ok(());
            }
            return Err(error(format!("trigger {name} already exists")));
        }
        self.writes = true;
        let sql = self.stored_sql("TRIGGER", &create.name.name, statement);
        self.schema_row("trigger", name, table_name, RootValue::Zero, Some(&sql));
        self.b.emit(Insn::SchemaChanged);
        Ok(())
    }

    pub fn drop(
        &mut self,
        kind: ast::ObjectKind,
        if_exists: bool,
        name: &ast::QualifiedName,
    ) -> Result<()> {
        self.check_schema_name(&name.schema)?;
        let n = &name.name.value;
        let catalog = self.catalog;
        // The schema rows to delete and the b-trees to drop.
        let (rows, roots): (Vec<i64>, Vec<u32>) = match kind {
            ast::ObjectKind::Table => {
                let Some(table) = catalog.table(n) else {
                    if catalog.view(n).is_some() {
                        return Err(error(format!("use DROP VIEW to delete view {n}")));
                    }
                    return if if_exists {
                        Ok(())
                    } else {
                        Err(error(format!("no such table: {n}")))
                    };
                };
                if table.name.to_ascii_lowercase().starts_with("sqlite_") {
                    return Err(error(format!("table {} may not be dropped", table.name)));
                }
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
                    return if if_exists {
                        Ok(())
                    } else {
                        Err(error(format!("no such index: {n}")))
                    };
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
                let (exists, what) = if kind == ast::ObjectKind::View {
                    if catalog.table(n).is_some() {
                        return Err(error(format!("use DROP TABLE to delete table {n}")));
                    }
                    (catalog.view(n).is_some(), "view")
                } else {
                    (
                        catalog
                            .triggers
                            .iter()
                            .any(|t| t.name.eq_ignore_ascii_case(n)),
                        "trigger",
                    )
                };
                if !exists {
                    return if if_exists {
                        Ok(())
                    } else {
                        Err(error(format!("no such {what}: {n}")))
                    };
                }
                let entry = catalog.schema.find(n);
                (entry.iter().map(|e| e.rowid).collect(), Vec::new())
            }
        };
        self.writes = true;
        let cursor = self.b.cursor();
        self.b.emit(Insn::OpenWrite {
            cursor,
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
            });
            self.b.place(gone);
        }
        let mut roots = roots;
        // Largest first, as SQLite does (it matters for auto-vacuum's page moves).
        roots.sort_unstable_by(|a, b| b.cmp(a));
        for root in roots {
            self.b.emit(Insn::DropBtree { root });
        }
        self.b.emit(Insn::SchemaChanged);
        Ok(())
    }
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
