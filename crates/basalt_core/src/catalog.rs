//! The catalog: tables, columns, indexes, views and triggers as the query engine sees them,
//! built by parsing the CREATE texts stored in `sqlite_schema`.
//!
//! Invariants:
//! - The catalog is derived from `sqlite_schema` only: it is rebuilt from the file after every
//!   schema change and whenever the schema cookie moved, so what one connection wrote another
//!   reads back identically.
//! - The automatic indexes of PRIMARY KEY and UNIQUE constraints (`sqlite_autoindex_T_N`, stored
//!   without SQL) are matched to their constraints by `unique_constraints`, the same function
//!   that decides which automatic indexes CREATE TABLE makes, in the same order SQLite numbers
//!   them.
//! - Planner statistics (`sqlite_stat1`) are read with the schema, so they are as fresh as it
//!   (ANALYZE reloads the catalog when it ends).
//! - Names compare ASCII case-insensitively, as SQLite's identifiers do.
//! - A CREATE text this engine cannot use (a WITHOUT ROWID table, a virtual table) leaves the
//!   object in the catalog marked unsupported, so using it is a clear error, never a wrong result.

use crate::error::{Error, ErrorCode, Result};
use crate::pager::{PageNo, Pager};
use crate::record::{Collation, KeyColumn, KeyInfo, SortOrder};
use crate::schema::{Db, ObjectKind, Schema};
use crate::sql::affinity::Affinity;
use basalt_parser::ast;
use std::rc::Rc;

#[derive(Debug, Clone)]
pub struct Column {
    pub name: String,
    pub declared_type: String,
    pub affinity: Affinity,
    pub collation: Collation,
    /// The COLLATE name as written (dequoted), which `PRAGMA index_xinfo` shows.
    pub collation_name: Option<String>,
    pub not_null: bool,
    pub not_null_conflict: Option<ast::ConflictAction>,
    /// Boxed, like `generated`: most columns have neither, and a schema load moves every
    /// `Column` a few times, so the struct is kept small.
    pub default: Option<Box<ast::Expr>>,
    /// The DEFAULT's source text (inside its parentheses), as `PRAGMA table_info` shows it.
    pub default_text: Option<String>,
    pub primary_key: bool,
    /// `GENERATED ALWAYS AS (expr)`: computed from the other columns.
    pub generated: Option<Box<Generated>>,
}

#[derive(Debug, Clone)]
pub struct Generated {
    pub expr: ast::Expr,
    /// STORED columns are in the record; VIRTUAL ones (the default) are not.
    pub stored: bool,
}

#[derive(Debug, Clone)]
pub struct Table {
    pub name: String,
    /// The database whose file holds the table.
    pub db: Db,
    pub root: PageNo,
    pub columns: Vec<Column>,
    /// The INTEGER PRIMARY KEY column, which stores the rowid.
    pub rowid_alias: Option<usize>,
    pub autoincrement: bool,
    /// CHECK constraints and the text SQLite names them by in errors.
    pub checks: Vec<(ast::Expr, String)>,
    /// Why the engine cannot use this table, if it cannot.
    pub unsupported: Option<String>,
    pub pk_conflict: Option<ast::ConflictAction>,
}

impl Column {
    /// A column with a name and a declared type (`None`: declared without one), and nothing
    /// else: no constraint, default or collation. The type is kept as SQLite keeps it: one of
    /// its standard type names, in any case, in capitals; any other type as written.
    pub fn plain(name: String, declared_type: Option<String>) -> Column {
        let (affinity, declared_type) = match declared_type {
            Some(t) => canonical_type(t),
            None => (Affinity::Blob, String::new()),
        };
        Column {
            name,
            affinity,
            declared_type,
            collation: Collation::Binary,
            collation_name: None,
            not_null: false,
            not_null_conflict: None,
            default: None,
            default_text: None,
            primary_key: false,
            generated: None,
        }
    }
}

/// A declared type as SQLite keeps it, with its affinity: one of SQLite's standard type names
/// (in any case) in capitals, its affinity known from the name without the substring rules
/// (most columns of most schemas: this runs for every column on a schema load); any other type
/// as written, its affinity by [`Affinity::from_type_name`].
fn canonical_type(mut t: String) -> (Affinity, String) {
    const STANDARD: [(&str, Affinity); 6] = [
        ("INTEGER", Affinity::Integer),
        ("TEXT", Affinity::Text),
        ("REAL", Affinity::Real),
        ("INT", Affinity::Integer),
        ("BLOB", Affinity::Blob),
        ("ANY", Affinity::Numeric),
    ];
    match STANDARD.iter().find(|(s, _)| s.eq_ignore_ascii_case(&t)) {
        Some(&(standard, affinity)) => {
            debug_assert_eq!(affinity, Affinity::from_type_name(standard));
            // The same bytes upper-cased: done in place.
            t.make_ascii_uppercase();
            (affinity, t)
        }
        None => (Affinity::from_type_name(&t), t),
    }
}

impl Table {
    pub fn column_index(&self, name: &str) -> Option<usize> {
        self.columns
            .iter()
            .position(|c| c.name.eq_ignore_ascii_case(name))
    }

    /// Whether some column is `GENERATED ALWAYS AS`: ordinary statements refuse such tables
    /// (`PRAGMA integrity_check` reads them through `record_field`).
    pub fn has_generated_columns(&self) -> bool {
        self.columns.iter().any(|c| c.generated.is_some())
    }

    /// Where column `i` sits in the table's records: VIRTUAL generated columns take no field,
    /// so the fields after one are shifted. `None` for a VIRTUAL column itself.
    pub fn record_field(&self, i: usize) -> Option<usize> {
        let is_virtual = |c: &Column| c.generated.as_ref().is_some_and(|g| !g.stored);
        let column = self.columns.get(i)?;
        if is_virtual(column) {
            return None;
        }
        Some(self.columns[..i].iter().filter(|c| !is_virtual(c)).count())
    }
}

#[derive(Debug, Clone)]
pub struct IndexColumn {
    /// The table column, or `None` for an expression.
    pub column: Option<usize>,
    pub expr: Option<ast::Expr>,
    pub collation: Collation,
    /// The collation's name as SQLite shows it: as written, else `BINARY`.
    pub collation_name: String,
    pub order: SortOrder,
}

#[derive(Debug, Clone)]
pub struct Index {
    pub name: String,
    pub table: String,
    /// Always its table's database.
    pub db: Db,
    pub root: PageNo,
    pub columns: Vec<IndexColumn>,
    pub unique: bool,
    pub partial: Option<ast::Expr>,
    /// The constraint's ON CONFLICT clause, for automatic indexes.
    pub conflict: Option<ast::ConflictAction>,
    /// An automatic index of a PRIMARY KEY (vs. UNIQUE) constraint.
    pub primary_key: bool,
}

impl Index {
    /// The order of the index's entries: its columns, then the rowid.
    pub fn key_info(&self) -> KeyInfo {
        let mut columns: Vec<KeyColumn> = self
            .columns
            .iter()
            .map(|c| KeyColumn::new(c.collation, c.order))
            .collect();
        columns.push(KeyColumn::default());
        KeyInfo::new(columns)
    }
}

#[derive(Debug, Clone)]
pub struct View {
    pub name: String,
    pub db: Db,
    pub columns: Option<Vec<String>>,
    pub select: ast::Select,
    /// The CREATE VIEW text: the spans in `select` point into it (result column names).
    pub sql: String,
}

#[derive(Debug, Clone)]
pub struct Trigger {
    pub name: String,
    pub table: String,
}

#[derive(Debug, Clone, Default)]
pub struct Catalog {
    /// Shared, so that a statement's plan holds a table without copying its definition.
    pub tables: Vec<Rc<Table>>,
    /// Shared like `tables`: a write keeps the indexes it maintains.
    pub indexes: Vec<Rc<Index>>,
    pub views: Vec<View>,
    pub triggers: Vec<Trigger>,
    /// The rows of `sqlite_schema` the catalog was built from.
    pub schema: Schema,
    pub cookie: u32,
    /// The database this catalog describes; every object in it carries the same.
    pub db: Db,
    /// What `sqlite_stat1` says, for the planner.
    pub stats: crate::stats::Stats,
}

/// The catalogs of a connection's databases, and name lookup in SQLite's order: an unqualified
/// name is searched in `temp` first, then in `main`, so a temp object hides a main one of the
/// same name.
#[derive(Debug, Clone, Default)]
pub struct Databases {
    pub main: Rc<Catalog>,
    /// Empty until the connection's temp database exists.
    pub temp: Rc<Catalog>,
    /// Whether the temp database has been created (`PRAGMA database_list` lists it then).
    pub temp_open: bool,
    /// The main database's file as `PRAGMA database_list` shows it ("" in memory).
    pub main_file: String,
}

impl Databases {
    pub fn get(&self, db: Db) -> &Catalog {
        match db {
            Db::Main => &self.main,
            Db::Temp => &self.temp,
        }
    }

    /// The catalogs a name qualified by `schema` (or not) is looked up in, in order.
    pub fn search(&self, schema: Option<Db>) -> impl Iterator<Item = &Catalog> {
        let order: &[Db] = match schema {
            Some(Db::Main) => &[Db::Main],
            Some(Db::Temp) => &[Db::Temp],
            None => &[Db::Temp, Db::Main],
        };
        order.iter().map(|&db| self.get(db))
    }

    pub fn table_in(&self, schema: Option<Db>, name: &str) -> Option<&Rc<Table>> {
        self.search(schema).find_map(|c| c.table(name))
    }

    pub fn view_in(&self, schema: Option<Db>, name: &str) -> Option<&View> {
        self.search(schema).find_map(|c| c.view(name))
    }

    pub fn index_in(&self, schema: Option<Db>, name: &str) -> Option<&Index> {
        self.search(schema).find_map(|c| c.index(name))
    }

    pub fn table(&self, name: &str) -> Option<&Rc<Table>> {
        self.table_in(None, name)
    }

    pub fn view(&self, name: &str) -> Option<&View> {
        self.view_in(None, name)
    }

    pub fn index(&self, name: &str) -> Option<&Index> {
        self.index_in(None, name)
    }

    /// The indexes of a table (they live in its database), in creation order.
    pub fn table_indexes<'a>(
        &'a self,
        table: &'a Table,
    ) -> impl Iterator<Item = &'a Rc<Index>> + 'a {
        self.get(table.db).table_indexes(&table.name)
    }

    /// A table's indexes in SQLite's list order (`Catalog::index_list`).
    pub fn index_list<'a>(&'a self, table: &'a Table) -> Vec<&'a Rc<Index>> {
        self.get(table.db).index_list(&table.name)
    }

    /// Whether triggers are defined on the table; a temp trigger may watch a main table.
    pub fn has_triggers(&self, table: &Table) -> bool {
        self.get(table.db).has_triggers(&table.name)
            || (table.db == Db::Main && self.temp.has_triggers(&table.name))
    }
}

/// A PRIMARY KEY or UNIQUE constraint that needs an automatic index.
#[derive(Debug, Clone)]
pub struct UniqueConstraint {
    /// Table columns only (`column` is always `Some`).
    pub columns: Vec<IndexColumn>,
    pub primary_key: bool,
    pub conflict: Option<ast::ConflictAction>,
}

fn malformed(detail: String) -> Error {
    Error {
        message: format!("malformed database schema ({detail})"),
        ..Error::code(ErrorCode::Corrupt)
    }
}

impl Catalog {
    /// Reads `sqlite_schema` and parses every object. May return `IoPending`; rerunning is safe.
    pub fn load(pager: &mut Pager, db: Db) -> Result<Catalog> {
        let cookie = pager.header()?.schema_cookie;
        let schema = Schema::load(pager)?;
        let mut catalog = Catalog {
            cookie,
            db,
            ..Catalog::default()
        };
        // Sized once: a large schema would otherwise regrow (and copy) the vector many times.
        let n_tables = schema
            .entries
            .iter()
            .filter(|e| e.kind == ObjectKind::Table)
            .count();
        catalog.tables.reserve_exact(n_tables);
        let mut autoindexes = Vec::new();
        for entry in schema.entries.iter() {
            let Some(sql) = &entry.sql else {
                if entry.kind == ObjectKind::Index {
                    autoindexes.push(entry.clone());
                }
                continue;
            };
            let statement = match basalt_parser::parse_first(sql) {
                Ok(Some((statement, _))) => statement,
                _ => return Err(malformed(entry.name.clone())),
            };
            match statement.stmt {
                ast::Stmt::CreateTable(create) => {
                    let mut table = table_from_ast(&entry.name, entry.root_page, *create, sql);
                    table.db = db;
                    catalog.tables.push(Rc::new(table));
                }
                ast::Stmt::CreateVirtualTable(_) => catalog.tables.push(Rc::new(Table {
                    name: entry.name.clone(),
                    db,
                    root: 0,
                    columns: Vec::new(),
                    rowid_alias: None,
                    autoincrement: false,
                    checks: Vec::new(),
                    unsupported: Some("virtual tables".into()),
                    pk_conflict: None,
                })),
                ast::Stmt::CreateIndex(create) => {
                    let index = catalog.index_from_ast(&create, entry.root_page)?;
                    catalog.indexes.push(Rc::new(index));
                }
                ast::Stmt::CreateView(create) => catalog.views.push(View {
                    name: entry.name.clone(),
                    db,
                    columns: create
                        .columns
                        .map(|cs| cs.into_iter().map(|c| c.value).collect()),
                    select: *create.select,
                    sql: sql.clone(),
                }),
                ast::Stmt::CreateTrigger(create) => catalog.triggers.push(Trigger {
                    name: entry.name.clone(),
                    table: create.table.name.value.clone(),
                }),
                _ => return Err(malformed(entry.name.clone())),
            }
        }
        catalog.schema = schema;
        for entry in autoindexes {
            let index = catalog.autoindex(&entry.name, &entry.table_name, entry.root_page)?;
            catalog.indexes.push(Rc::new(index));
        }
        catalog.stats = crate::stats::Stats::load(pager, &catalog)?;
        Ok(catalog)
    }

    pub fn table(&self, name: &str) -> Option<&Rc<Table>> {
        self.tables
            .iter()
            .find(|t| t.name.eq_ignore_ascii_case(name))
    }

    pub fn view(&self, name: &str) -> Option<&View> {
        self.views
            .iter()
            .find(|v| v.name.eq_ignore_ascii_case(name))
    }

    pub fn index(&self, name: &str) -> Option<&Index> {
        self.indexes
            .iter()
            .find(|i| i.name.eq_ignore_ascii_case(name))
            .map(Rc::as_ref)
    }

    /// The indexes of a table, in creation order.
    pub fn table_indexes<'a>(&'a self, table: &'a str) -> impl Iterator<Item = &'a Rc<Index>> + 'a {
        self.indexes
            .iter()
            .filter(move |i| i.table.eq_ignore_ascii_case(table))
    }

    /// A table's indexes in SQLite's list order, which is the order it checks UNIQUE
    /// constraints in, reports them in `PRAGMA index_list`, and checks them in
    /// `PRAGMA integrity_check`: each index is put at the head of the list as the schema is
    /// read (automatic indexes first, in their constraints' order, then CREATE INDEX ones),
    /// except that an ON CONFLICT REPLACE index goes after every other kind.
    pub fn index_list<'a>(&'a self, table: &'a str) -> Vec<&'a Rc<Index>> {
        const AUTO: &[u8] = b"sqlite_autoindex_";
        let is_auto = |i: &Index| {
            i.name
                .as_bytes()
                .get(..AUTO.len())
                .is_some_and(|prefix| prefix.eq_ignore_ascii_case(AUTO))
        };
        let creation = self
            .table_indexes(table)
            .filter(|i| is_auto(i))
            .chain(self.table_indexes(table).filter(|i| !is_auto(i)));
        let replace = |i: &Index| i.conflict == Some(ast::ConflictAction::Replace);
        let mut list: Vec<&Rc<Index>> = Vec::new();
        for index in creation {
            if !replace(index) || list.first().is_none_or(|head| replace(head)) {
                list.insert(0, index);
            } else {
                let at = list.iter().position(|i| replace(i)).unwrap_or(list.len());
                list.insert(at, index);
            }
        }
        list
    }

    pub fn has_triggers(&self, table: &str) -> bool {
        self.triggers
            .iter()
            .any(|t| t.table.eq_ignore_ascii_case(table))
    }

    /// Whether any object already has this name (tables, views, indexes and triggers share one
    /// namespace in SQLite).
    pub fn name_in_use(&self, name: &str) -> Option<&'static str> {
        if self.table(name).is_some() {
            Some("table")
        } else if self.view(name).is_some() {
            Some("view")
        } else if self.index(name).is_some() {
            Some("index")
        } else if self
            .triggers
            .iter()
            .any(|t| t.name.eq_ignore_ascii_case(name))
        {
            Some("trigger")
        } else {
            None
        }
    }

    fn index_from_ast(&self, create: &ast::CreateIndex, root: PageNo) -> Result<Index> {
        let table = self
            .table(&create.table.value)
            .ok_or_else(|| malformed(create.name.name.value.clone()))?;
        let mut columns = Vec::new();
        for term in &create.columns {
            columns.push(index_column(table, term));
        }
        Ok(Index {
            name: create.name.name.value.clone(),
            table: table.name.clone(),
            db: table.db,
            root,
            columns,
            unique: create.unique,
            partial: create.where_.clone(),
            conflict: None,
            primary_key: false,
        })
    }

    fn autoindex(&self, name: &str, table_name: &str, root: PageNo) -> Result<Index> {
        let table = self
            .table(table_name)
            .ok_or_else(|| malformed(name.to_string()))?;
        let prefix = format!("sqlite_autoindex_{}_", table.name);
        let number: usize = name
            .get(prefix.len()..)
            .filter(|_| {
                name.len() > prefix.len() && name[..prefix.len()].eq_ignore_ascii_case(&prefix)
            })
            .and_then(|n| n.parse().ok())
            .ok_or_else(|| malformed(name.to_string()))?;
        let constraint = unique_constraints_of_table(self, table)
            .into_iter()
            .nth(number.wrapping_sub(1))
            .ok_or_else(|| malformed(name.to_string()))?;
        Ok(autoindex_from_constraint(name, table, root, &constraint))
    }
}

/// An index column from a CREATE INDEX term: a column (possibly with COLLATE) or an expression.
pub fn index_column(table: &Table, term: &ast::OrderingTerm) -> IndexColumn {
    let order = match term.order {
        Some(ast::SortOrder::Desc) => SortOrder::Desc,
        _ => SortOrder::Asc,
    };
    let (inner, explicit) = match &term.expr.kind {
        ast::ExprKind::Collate { expr, collation } => (expr.as_ref(), Some(&collation.value)),
        _ => (&term.expr, None),
    };
    let column = match &inner.kind {
        ast::ExprKind::Id(name) => table.column_index(&name.value),
        _ => None,
    };
    let collation = explicit
        .map(|n| Collation::declared(n))
        .or_else(|| column.map(|c| table.columns[c].collation))
        .unwrap_or_default();
    let collation_name = explicit
        .cloned()
        .or_else(|| column.and_then(|c| table.columns[c].collation_name.clone()))
        .unwrap_or_else(|| "BINARY".into());
    IndexColumn {
        column,
        expr: if column.is_none() {
            Some(inner.clone())
        } else {
            None
        },
        collation,
        collation_name,
        order,
    }
}

pub fn autoindex_from_constraint(
    name: &str,
    table: &Table,
    root: PageNo,
    constraint: &UniqueConstraint,
) -> Index {
    Index {
        name: name.to_string(),
        table: table.name.clone(),
        db: table.db,
        root,
        columns: constraint.columns.clone(),
        unique: true,
        partial: None,
        conflict: constraint.conflict,
        primary_key: constraint.primary_key,
    }
}

fn unique_constraints_of_table(catalog: &Catalog, table: &Table) -> Vec<UniqueConstraint> {
    let Some(entry) = catalog
        .schema
        .entries
        .iter()
        .find(|e| e.kind == ObjectKind::Table && e.name.eq_ignore_ascii_case(&table.name))
    else {
        return Vec::new();
    };
    let Some(Ok(Some((statement, _)))) = entry.sql.as_deref().map(basalt_parser::parse_first)
    else {
        return Vec::new();
    };
    match statement.stmt {
        ast::Stmt::CreateTable(create) => unique_constraints(table, &create),
        _ => Vec::new(),
    }
}

/// The PRIMARY KEY and UNIQUE constraints that get automatic indexes, in SQLite's numbering
/// order (the order they appear in the text), without duplicates of an earlier one.
pub fn unique_constraints(table: &Table, create: &ast::CreateTable) -> Vec<UniqueConstraint> {
    let ast::CreateTableBody::Columns {
        columns,
        constraints,
        ..
    } = &create.body
    else {
        return Vec::new();
    };
    let mut out: Vec<UniqueConstraint> = Vec::new();
    let mut push = |c: UniqueConstraint| {
        let same = |o: &UniqueConstraint| {
            o.columns.len() == c.columns.len()
                && o.columns
                    .iter()
                    .zip(&c.columns)
                    .all(|(a, b)| a.column == b.column && a.collation == b.collation)
        };
        if !out.iter().any(same) {
            out.push(c);
        }
    };
    for (i, def) in columns.iter().enumerate() {
        for constraint in &def.constraints {
            let (primary_key, conflict, order) = match constraint {
                ast::ColumnConstraint::PrimaryKey {
                    conflict, order, ..
                } => (true, *conflict, *order),
                ast::ColumnConstraint::Unique { conflict } => (false, *conflict, None),
                _ => continue,
            };
            if primary_key && table.rowid_alias == Some(i) {
                continue;
            }
            let order = match order {
                Some(ast::SortOrder::Desc) => SortOrder::Desc,
                _ => SortOrder::Asc,
            };
            let column = &table.columns[i];
            push(UniqueConstraint {
                columns: vec![IndexColumn {
                    column: Some(i),
                    expr: None,
                    collation: column.collation,
                    collation_name: column
                        .collation_name
                        .clone()
                        .unwrap_or_else(|| "BINARY".into()),
                    order,
                }],
                primary_key,
                conflict,
            });
        }
    }
    for constraint in constraints {
        let (terms, primary_key, conflict) = match constraint {
            ast::TableConstraint::PrimaryKey {
                columns, conflict, ..
            } => (columns, true, *conflict),
            ast::TableConstraint::Unique { columns, conflict } => (columns, false, *conflict),
            _ => continue,
        };
        if primary_key && table.rowid_alias.is_some() {
            continue;
        }
        let cols: Vec<IndexColumn> = terms
            .iter()
            .map(|term| index_column(table, term))
            .filter(|c| c.column.is_some())
            .collect();
        push(UniqueConstraint {
            columns: cols,
            primary_key,
            conflict,
        });
    }
    out
}

/// A declared type as SQLite reports it (`PRAGMA table_info`): words and arguments as written.
pub fn type_text(t: &ast::TypeName) -> String {
    if t.args.is_empty() {
        t.name.clone()
    } else {
        format!("{}({})", t.name, t.args.join(","))
    }
}

/// `type_text` of a type name the caller no longer needs: its words are reused, not copied.
fn into_type_text(t: ast::TypeName) -> String {
    if t.args.is_empty() {
        t.name
    } else {
        type_text(&t)
    }
}

/// The table a CREATE TABLE statement describes, its AST consumed: names, types and expressions
/// move into the `Table` instead of being copied (a schema load builds one per table).
pub fn table_from_ast(name: &str, root: PageNo, create: ast::CreateTable, sql: &str) -> Table {
    // The statement's own spelling of the name is usually the very string wanted.
    let parsed_name = create.name.name.value;
    let name = if parsed_name == name {
        parsed_name
    } else {
        name.to_string()
    };
    let mut table = Table {
        name,
        db: Db::Main,
        root,
        columns: Vec::new(),
        rowid_alias: None,
        autoincrement: false,
        checks: Vec::new(),
        unsupported: None,
        pk_conflict: None,
    };
    let ast::CreateTableBody::Columns {
        columns,
        constraints,
        options,
    } = create.body
    else {
        table.unsupported = Some("CREATE TABLE AS in a stored schema".into());
        return table;
    };
    if options.contains(&ast::TableOption::WithoutRowid) {
        table.unsupported = Some("WITHOUT ROWID tables".into());
    }
    table.columns.reserve_exact(columns.len());
    for def in columns {
        add_column(&mut table, def, sql);
    }
    let mut named = None;
    for constraint in constraints {
        match constraint {
            ast::TableConstraint::Name(n) => {
                named = Some(n.value);
                continue;
            }
            ast::TableConstraint::PrimaryKey {
                columns: terms,
                autoincrement,
                conflict,
            } => {
                table.pk_conflict = conflict;
                for term in &terms {
                    if let Some(c) = index_column(&table, term).column {
                        table.columns[c].primary_key = true;
                    }
                }
                if let [term] = terms.as_slice() {
                    if let ast::ExprKind::Id(n) = &term.expr.kind {
                        if let Some(c) = table.column_index(&n.value) {
                            if table.columns[c]
                                .declared_type
                                .eq_ignore_ascii_case("INTEGER")
                            {
                                table.rowid_alias = Some(c);
                                table.autoincrement = autoincrement;
                            }
                        }
                    }
                }
            }
            ast::TableConstraint::Check { expr, .. } => {
                let check = check_of(expr, named.clone(), sql);
                table.checks.push(check);
            }
            _ => {}
        }
    }
    table
}

/// A CHECK constraint and the text SQLite names it by in errors: its CONSTRAINT name, else its
/// source text.
fn check_of(expr: ast::Expr, named: Option<String>, sql: &str) -> (ast::Expr, String) {
    let text = named.unwrap_or_else(|| {
        sql.get(expr.span.start..expr.span.end)
            .unwrap_or_default()
            .to_string()
    });
    (expr, text)
}

/// Appends the column a definition declares, with its attributes; its PRIMARY KEY and CHECK
/// constraints go to the table.
fn add_column(table: &mut Table, def: ast::ColumnDef, sql: &str) {
    let i = table.columns.len();
    let declared_type = def.type_name.map(into_type_text);
    let mut column = Column::plain(def.name.value, declared_type);
    // A CONSTRAINT name applies to the constraints after it, up to the next name.
    let mut named = None;
    for constraint in def.constraints {
        match constraint {
            ast::ColumnConstraint::Name(n) => named = Some(n.value),
            ast::ColumnConstraint::NotNull { conflict } => {
                column.not_null = true;
                column.not_null_conflict = conflict;
            }
            ast::ColumnConstraint::Default {
                expr,
                parenthesized,
            } => {
                column.default_text = sql.get(expr.span.start..expr.span.end).map(str::to_string);
                column.default = Some(Box::new(default_value(expr, parenthesized)));
            }
            ast::ColumnConstraint::Collate(name) => {
                column.collation = Collation::declared(&name.value);
                column.collation_name = Some(name.value);
            }
            ast::ColumnConstraint::PrimaryKey {
                order,
                autoincrement,
                conflict,
            } => {
                column.primary_key = true;
                table.pk_conflict = conflict;
                if column.declared_type.eq_ignore_ascii_case("INTEGER")
                    && order != Some(ast::SortOrder::Desc)
                {
                    table.rowid_alias = Some(i);
                    table.autoincrement = autoincrement;
                }
            }
            ast::ColumnConstraint::Generated { expr, storage } => {
                column.generated = Some(Box::new(Generated {
                    expr,
                    stored: storage == Some(ast::GeneratedStorage::Stored),
                }))
            }
            ast::ColumnConstraint::Check(expr) => {
                table.checks.push(check_of(expr, named.clone(), sql));
            }
            _ => {}
        }
    }
    table.columns.push(column);
}

/// A column's DEFAULT as the engine evaluates it: `DEFAULT word` (no parentheses) is the text
/// of the word, as in SQLite; a bare TRUE or FALSE stays the number it names.
fn default_value(mut expr: ast::Expr, parenthesized: bool) -> ast::Expr {
    if let ast::ExprKind::Id(name) = &mut expr.kind {
        let truth = name.quote == ast::Quote::None
            && ["true", "false"]
                .iter()
                .any(|t| name.value.eq_ignore_ascii_case(t));
        if !parenthesized && !truth {
            let word = std::mem::take(&mut name.value);
            expr.kind = ast::ExprKind::Literal(ast::Literal::String(word));
        }
    }
    expr
}
