//! Name resolution: the FROM sources a query can see, its outer queries, and parameters.
//!
//! Invariants:
//! - A column name resolves to exactly one source column in the innermost scope that has it;
//!   two sources of that scope having it is "ambiguous column name", as in SQLite.
//! - Resolving a name in an outer scope marks every scope in between as correlated, so a
//!   subquery that depends on an outer row is re-run for each row instead of once.
//! - In the output phase of an aggregate query, a column of the query's own sources reads the
//!   register the group's row was copied to, never the (exhausted) cursor.

use super::error;
use crate::catalog::Table;
use crate::error::Result;
use crate::record::Collation;
use crate::schema::Db;
use crate::sql::affinity::Affinity;
use crate::vdbe::{CursorId, Reg};
use std::cell::{Cell, RefCell};
use std::rc::Rc;

/// Query parameters: `?`, `?NNN`, `:name`, `@name`, `$name`.
///
/// Numbers are given in the order the parameters are written, as SQLite's parser gives them,
/// whatever order the code generator compiles expressions in (an INSERT compiles its INTEGER
/// PRIMARY KEY value last, a seek compiles its key before the loop): every parameter of the
/// statement is numbered up front from its tokens, and a nameless `?` is then found by where
/// it is written.
#[derive(Debug, Default)]
pub struct Params {
    pub count: usize,
    pub names: Vec<(String, usize)>,
    /// (byte offset in the statement, number) of each nameless `?`, in text order.
    nameless: Vec<(usize, usize)>,
}

impl Params {
    /// Numbers the parameters of one statement's text.
    pub fn of_statement(sql: &str) -> Result<Params> {
        let mut params = Params::default();
        // Every parameter starts with one of these bytes; most statements (a script's literal
        // INSERTs) have none, and need no second tokenizing.
        if !sql
            .bytes()
            .any(|b| matches!(b, b'?' | b':' | b'@' | b'$' | b'#'))
        {
            return Ok(params);
        }
        for token in basalt_parser::lexer::tokenize(sql) {
            if token.kind != basalt_parser::lexer::Tk::Variable {
                continue;
            }
            let text = sql.get(token.start..token.end).unwrap_or_default();
            if text == "?" {
                params.count += 1;
                params.nameless.push((token.start, params.count));
            } else {
                params.number(text)?;
            }
        }
        Ok(params)
    }

    /// The number of the parameter written as `text` in the expression that starts at byte
    /// `offset` (a parenthesised `(?)` starts at its parenthesis).
    pub fn index_of(&mut self, text: &str, offset: usize) -> Result<usize> {
        if text == "?" {
            let at = self.nameless.partition_point(|&(start, _)| start < offset);
            return match self.nameless.get(at) {
                Some(&(_, n)) => Ok(n),
                // Only text that is not the statement's own (a view's) can miss.
                None => Err(error("parameters are not allowed in views")),
            };
        }
        self.number(text)
    }

    /// The number of a named or numbered parameter, given at its first appearance.
    fn number(&mut self, text: &str) -> Result<usize> {
        if let Some(digits) = text.strip_prefix('?') {
            let n: usize = digits
                .parse()
                .ok()
                .filter(|n| (1..=32766).contains(n))
                .ok_or_else(|| {
                    error("variable number must be between ?1 and ?32766".to_string())
                })?;
            self.count = self.count.max(n);
            if !self.names.iter().any(|(_, i)| *i == n) {
                self.names.push((text.to_string(), n));
            }
            return Ok(n);
        }
        if let Some((_, i)) = self.names.iter().find(|(n, _)| n == text) {
            return Ok(*i);
        }
        self.count += 1;
        self.names.push((text.to_string(), self.count));
        Ok(self.count)
    }
}

/// How a source column is read from its cursor.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ColRead {
    /// Record column `n`.
    Column(usize),
    /// The rowid (an INTEGER PRIMARY KEY column, or `rowid` itself).
    Rowid,
}

#[derive(Clone, Debug)]
pub struct SrcColumn {
    pub name: String,
    pub affinity: Option<Affinity>,
    pub collation: Collation,
    pub read: ColRead,
    /// Excluded from `*` (the right-hand copy of a USING/NATURAL join column).
    pub hidden: bool,
    /// The right-hand copy of a RIGHT/FULL JOIN's USING column: unqualified, the name reads
    /// `coalesce(this, that)`, as SQLite does.
    pub coalesce: Option<Alt>,
    /// For a column of a subquery, view or CTE: the table column it is in its own SELECT,
    /// and that column's declared type (a table's columns take both from the table).
    pub origin: Option<crate::vdbe::ColumnOrigin>,
    pub declared_type: Option<String>,
}

/// The column an unqualified USING column of a RIGHT/FULL JOIN falls back to when its left-hand
/// copy is NULL.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Alt {
    pub cursor: CursorId,
    pub read: ColRead,
    pub real: bool,
    /// Read this column first and the primary one as the fallback (a RIGHT JOIN's USING
    /// column is the right-hand copy).
    pub first: bool,
}

#[derive(Clone, Debug)]
pub struct Source {
    /// The alias, or the table's name.
    pub name: String,
    pub cursor: CursorId,
    pub columns: Vec<SrcColumn>,
    /// A real table: `rowid` and its aliases resolve.
    pub table: Option<Rc<Table>>,
    /// The name EXPLAIN QUERY PLAN gives the loop, where not `name`: a flattened subquery's
    /// loop is its table's (`flatten.rs`).
    pub plan_name: Option<String>,
    /// A co-routine's output (a recursive CTE read lazily): the register its `Yield`s swap.
    /// Each `Yield` leaves one row in `cursor`, a one-row table; the loop over the source
    /// yields instead of stepping the cursor, and cannot restart.
    pub coroutine: Option<Reg>,
}

impl Source {
    /// The name EXPLAIN QUERY PLAN gives this source's loop.
    pub fn plan_name(&self) -> &str {
        self.plan_name.as_deref().unwrap_or(&self.name)
    }

    /// The column `r` reads from this source.
    fn column_read(&self, r: &Resolved) -> Option<&SrcColumn> {
        debug_assert_eq!(r.cursor, self.cursor);
        self.columns.iter().find(|c| c.read == r.read)
    }
}

/// What a column reference resolved to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Resolved {
    pub cursor: CursorId,
    pub read: ColRead,
    pub affinity: Option<Affinity>,
    pub collation: Collation,
    /// REAL columns store integral values as integers; reading converts back.
    pub real: bool,
    /// Read when the column is NULL (an unqualified USING column of a RIGHT/FULL JOIN).
    pub alt: Option<Alt>,
}

impl Resolved {
    /// The column itself, without its USING fallback.
    pub fn plain(&self) -> Resolved {
        Resolved { alt: None, ..*self }
    }

    /// The fallback column, as a column of its own.
    pub fn alt_column(&self) -> Option<Resolved> {
        self.alt.map(|a| Resolved {
            cursor: a.cursor,
            read: a.read,
            real: a.real,
            alt: None,
            ..*self
        })
    }
}

/// The output phase of an aggregate query: aggregate calls and the group's bare columns live in
/// registers.
#[derive(Debug, Default)]
pub struct AggBinding {
    /// (aggregate call, register holding its result)
    pub calls: Vec<(basalt_parser::ast::Expr, Reg)>,
    /// (cursor, column, register holding the group row's value)
    pub columns: RefCell<Vec<(CursorId, ColRead, Reg)>>,
}

pub struct Scope<'p> {
    pub sources: Vec<Source>,
    pub parent: Option<&'p Scope<'p>>,
    pub correlated: Cell<bool>,
    pub agg: Option<AggBinding>,
    /// Result column aliases and their expressions, visible to WHERE/GROUP BY/HAVING/ORDER BY.
    pub aliases: Vec<(String, basalt_parser::ast::Expr)>,
    /// The loops must visit the sources in FROM order (a CROSS JOIN; `join_order.rs`).
    pub keep_order: bool,
    /// The outer phase of a query with window functions: pieces computed in registers.
    pub window: Option<super::window::WindowBinding>,
}

impl<'p> Scope<'p> {
    /// Whether this scope or an outer one has a real table source called `name` from the
    /// database called `db` (for `db.table.column` references).
    pub fn has_table_in(&self, name: &str, db: &str) -> bool {
        let here = self.sources.iter().any(|s| {
            s.name.eq_ignore_ascii_case(name)
                && s.table
                    .as_ref()
                    .is_some_and(|t| Db::from_name(db) == Some(t.db))
        });
        here || self.parent.is_some_and(|p| p.has_table_in(name, db))
    }

    pub fn new(parent: Option<&'p Scope<'p>>) -> Scope<'p> {
        Scope {
            sources: Vec::new(),
            parent,
            correlated: Cell::new(false),
            agg: None,
            aliases: Vec::new(),
            keep_order: false,
            window: None,
        }
    }

    /// Resolves `[table.]column`; `Ok(None)` if no scope has it.
    pub fn resolve(&self, table: Option<&str>, column: &str) -> Result<Option<Resolved>> {
        if let Some(found) = self.resolve_here(table, column)? {
            return Ok(Some(found));
        }
        let mut scope = self.parent;
        let mut path = vec![self];
        while let Some(s) = scope {
            if let Some(found) = s.resolve_here(table, column)? {
                for inner in path {
                    inner.correlated.set(true);
                }
                return Ok(Some(found));
            }
            path.push(s);
            scope = s.parent;
        }
        Ok(None)
    }

    fn resolve_here(&self, table: Option<&str>, column: &str) -> Result<Option<Resolved>> {
        let mut found: Option<Resolved> = None;
        for source in &self.sources {
            if let Some(t) = table {
                if !source.name.eq_ignore_ascii_case(t) {
                    continue;
                }
            }
            let hit = source
                .columns
                .iter()
                .find(|c| c.name.eq_ignore_ascii_case(column) && !(table.is_none() && c.hidden));
            let resolved = match hit {
                Some(c) => Some(Resolved {
                    cursor: source.cursor,
                    read: c.read,
                    affinity: c.affinity,
                    collation: c.collation,
                    real: c.affinity == Some(Affinity::Real)
                        && matches!(c.read, ColRead::Column(_)),
                    alt: if table.is_none() { c.coalesce } else { None },
                }),
                None if source.table.is_some() && is_rowid_name(column) => Some(Resolved {
                    cursor: source.cursor,
                    read: ColRead::Rowid,
                    affinity: Some(Affinity::Integer),
                    collation: Collation::Binary,
                    real: false,
                    alt: None,
                }),
                None => None,
            };
            if let Some(r) = resolved {
                if found.is_some() {
                    let name = match table {
                        Some(t) => format!("{t}.{column}"),
                        None => column.to_string(),
                    };
                    return Err(error(format!("ambiguous column name: {name}")));
                }
                found = Some(r);
            }
        }
        Ok(found)
    }

    /// The cursor of this scope's own source that has the column, if any (no outer scopes, no
    /// errors: for deciding where a condition can be tested).
    pub fn resolve_here_only(&self, table: Option<&str>, column: &str) -> Option<CursorId> {
        self.resolve_here(table, column)
            .ok()
            .flatten()
            .map(|r| r.cursor)
    }

    /// A column of this scope's own sources, if it has it (no outer scopes, no errors).
    pub fn resolve_here_resolved(&self, table: Option<&str>, column: &str) -> Option<Resolved> {
        self.resolve_here(table, column).ok().flatten()
    }

    /// The register a bare column of an aggregate query's group is copied to, if this scope is
    /// in its output phase and the column belongs to it.
    pub fn agg_column(&self, r: &Resolved) -> Option<Reg> {
        let agg = self.agg.as_ref()?;
        if !self.sources.iter().any(|s| s.cursor == r.cursor) {
            return None;
        }
        agg.columns
            .borrow()
            .iter()
            .find(|(c, read, _)| *c == r.cursor && *read == r.read)
            .map(|(_, _, reg)| *reg)
    }

    /// The table column `r` reads, as `sqlite3_column_origin_name` and its two siblings report
    /// it: through a subquery, view or CTE, the table column its SELECT reads there.
    pub fn origin(&self, r: &Resolved) -> Option<crate::vdbe::ColumnOrigin> {
        let mut scope = Some(self);
        while let Some(sc) = scope {
            if let Some(source) = sc.sources.iter().find(|s| s.cursor == r.cursor) {
                let Some(table) = source.table.as_ref() else {
                    return source.column_read(r)?.origin.clone();
                };
                let found = source.columns.iter().position(|c| c.read == r.read);
                let column = match found.and_then(|i| table.columns.get(i)) {
                    Some(c) => c.name.clone(),
                    None if r.read == ColRead::Rowid => "rowid".to_string(),
                    None => return None,
                };
                return Some(crate::vdbe::ColumnOrigin {
                    database: table.db.name(),
                    table: table.name.clone(),
                    column,
                });
            }
            scope = sc.parent;
        }
        None
    }

    /// The declared type of the table column `r` reads, as `sqlite3_column_decltype` reports
    /// it: "INTEGER" for a bare rowid, through a subquery, view or CTE the type of the table
    /// column its SELECT reads there, `None` for a column declared without a type.
    pub fn declared_type(&self, r: &Resolved) -> Option<String> {
        let mut scope = Some(self);
        while let Some(sc) = scope {
            if let Some(source) = sc.sources.iter().find(|s| s.cursor == r.cursor) {
                let Some(table) = source.table.as_ref() else {
                    return source.column_read(r)?.declared_type.clone();
                };
                let found = source.columns.iter().position(|c| c.read == r.read);
                return match found.and_then(|i| table.columns.get(i)) {
                    Some(c) => (!c.declared_type.is_empty()).then(|| c.declared_type.clone()),
                    None => (r.read == ColRead::Rowid).then(|| "INTEGER".to_string()),
                };
            }
            scope = sc.parent;
        }
        None
    }
}

pub fn is_rowid_name(name: &str) -> bool {
    ["rowid", "oid", "_rowid_"]
        .iter()
        .any(|n| n.eq_ignore_ascii_case(name))
}
