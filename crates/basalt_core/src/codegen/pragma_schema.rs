//! The PRAGMAs that describe the schema: `table_info`, `table_xinfo`, `index_list`,
//! `index_info` and `index_xinfo`, with SQLite's columns and rows.
//!
//! Invariants:
//! - Rows are computed from the catalog at prepare time (as SQLite does); a statement compiled
//!   against an older schema is re-prepared before it runs, so they are never stale.
//! - An unknown name gives no rows, as in SQLite; an object Basalt cannot describe exactly (a
//!   view, a WITHOUT ROWID or virtual table) is refused rather than described wrongly.
//! - Values are SQLite's: column types as declared, DEFAULT text as written (inside its
//!   parentheses), collation names as written, `pk` as the position in the PRIMARY KEY.

use super::scope::{ColRead, Scope, Source, SrcColumn};
use super::{error, Ctx};
use crate::catalog::{Index, Table};
use crate::error::{Error, Result};
use crate::record::{Collation, SortOrder};
use crate::schema::Db;
use crate::vdbe::Insn;
use basalt_parser::ast;
use std::rc::Rc;

/// The pragmas offered as table-valued functions (`pragma_table_info('t')` in FROM).
const TABLE_VALUED: [&str; 5] = [
    "table_info",
    "table_xinfo",
    "index_list",
    "index_info",
    "index_xinfo",
];

/// A value in a pragma's row.
enum Cell {
    Int(i64),
    Text(String),
    Null,
}

/// The columns of `sqlite_schema` as `PRAGMA table_info` reports them.
const SCHEMA_COLUMNS: [(&str, &str); 5] = [
    ("type", "TEXT"),
    ("name", "TEXT"),
    ("tbl_name", "TEXT"),
    ("rootpage", "INT"),
    ("sql", "TEXT"),
];

fn names(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

fn is_schema_table(name: &str) -> bool {
    name.eq_ignore_ascii_case("sqlite_schema") || name.eq_ignore_ascii_case("sqlite_master")
}

impl Ctx<'_> {
    /// Emits one row of `cells`: a result row, or a row of the table-valued function's
    /// ephemeral table when the pragma is one.
    fn pragma_row(&mut self, cells: &[Cell]) {
        let regs = self.b.regs(cells.len());
        for (i, cell) in cells.iter().enumerate() {
            let dest = regs + i;
            match cell {
                Cell::Int(value) => self.b.emit(Insn::Integer {
                    value: *value,
                    dest,
                }),
                Cell::Text(t) => self.b.emit(Insn::Text {
                    value: t.as_bytes().to_vec(),
                    dest,
                }),
                Cell::Null => self.b.emit(Insn::Null { dest, count: 1 }),
            };
        }
        match self.pragma_sink {
            Some(cursor) => self.b.append_record(cursor, regs, cells.len()),
            None => {
                self.b.emit(Insn::ResultRow {
                    start: regs,
                    count: cells.len(),
                });
            }
        }
    }

    /// `pragma_NAME(arg)` in FROM, for the schema pragmas: the pragma's rows, computed once
    /// into an ephemeral table read like a subquery. The argument must be a constant (the rows
    /// are the catalog's, known when the statement is compiled); the hidden `arg` and `schema`
    /// columns are not offered.
    pub(super) fn pragma_function(
        &mut self,
        function: &str,
        args: &[ast::Expr],
        alias: String,
        sc: &mut Scope<'_>,
    ) -> Result<()> {
        let lower = function.to_ascii_lowercase();
        let Some(pragma) = lower.strip_prefix("pragma_") else {
            return Err(error(format!("no such table: {function}")));
        };
        if !TABLE_VALUED.contains(&pragma) {
            return Err(Error::not_supported(format!(
                "table-valued function {function}"
            )));
        }
        if args.len() > 2 {
            return Err(error(format!("too many arguments on {function}() - max 2")));
        }
        if args.len() == 2 {
            return Err(Error::not_supported(format!("{function}() with a schema")));
        }
        let arg = match args.first().map(|a| &a.kind) {
            None => None,
            Some(ast::ExprKind::Literal(ast::Literal::String(s))) => Some(s.clone()),
            Some(ast::ExprKind::Literal(ast::Literal::Integer(n))) => Some(n.clone()),
            Some(_) => {
                return Err(Error::not_supported(format!(
                    "{function}() with an argument that is not a constant"
                )))
            }
        };
        let cursor = self.b.cursor();
        let skip = self.b.label();
        self.b.emit(Insn::Once {
            target: self.b.to(skip),
        });
        self.b.emit(Insn::OpenEphemeral { cursor, key: None });
        let saved = self.pragma_sink.replace(cursor);
        let names = match pragma {
            "table_info" | "table_xinfo" => {
                self.table_info(None, arg.as_deref(), pragma == "table_xinfo")
            }
            "index_list" => self.index_list(None, arg.as_deref()),
            _ => self.index_info(None, arg.as_deref(), pragma == "index_xinfo"),
        };
        self.pragma_sink = saved;
        let names = names?;
        self.b.place(skip);
        let columns = names
            .into_iter()
            .enumerate()
            .map(|(i, name)| SrcColumn {
                name,
                affinity: None,
                collation: Collation::Binary,
                read: ColRead::Column(i),
                hidden: false,
                coalesce: None,
                origin: None,
                declared_type: None,
            })
            .collect();
        sc.sources.push(Source {
            name: alias,
            cursor,
            columns,
            table: None,
            plan_name: None,
            coroutine: None,
        });
        Ok(())
    }

    /// A table to describe, or `None` when there is none of that name (no rows).
    fn described_table(
        &self,
        schema: Option<Db>,
        name: Option<&str>,
        pragma: &str,
    ) -> Result<Option<Rc<Table>>> {
        let Some(name) = name else {
            return Ok(None);
        };
        if let Some(t) = self.catalog.table_in(schema, name) {
            if t.unsupported.is_some() {
                return Err(error(format!(
                    "not supported yet: PRAGMA {pragma} on {}",
                    t.name
                )));
            }
            return Ok(Some(t.clone()));
        }
        if self.catalog.view_in(schema, name).is_some() {
            return Err(crate::error::Error::not_supported(format!(
                "PRAGMA {pragma} on a view"
            )));
        }
        Ok(None)
    }

    /// `table_info` (`extended`: `table_xinfo`, which adds generated columns and `hidden`).
    pub(super) fn table_info(
        &mut self,
        schema: Option<Db>,
        arg: Option<&str>,
        extended: bool,
    ) -> Result<Vec<String>> {
        let mut columns = vec!["cid", "name", "type", "notnull", "dflt_value", "pk"];
        if extended {
            columns.push("hidden");
        }
        if arg.is_some_and(is_schema_table) {
            for (i, (name, ty)) in SCHEMA_COLUMNS.iter().enumerate() {
                let mut row = vec![
                    Cell::Int(i as i64),
                    Cell::Text(name.to_string()),
                    Cell::Text(ty.to_string()),
                    Cell::Int(0),
                    Cell::Null,
                    Cell::Int(0),
                ];
                if extended {
                    row.push(Cell::Int(0));
                }
                self.pragma_row(&row);
            }
            return Ok(names(&columns));
        }
        let pragma = if extended {
            "table_xinfo"
        } else {
            "table_info"
        };
        let Some(table) = self.described_table(schema, arg, pragma)? else {
            return Ok(names(&columns));
        };
        let pk_index = self
            .catalog
            .table_indexes(&table)
            .find(|i| i.primary_key)
            .cloned();
        let mut hidden = 0;
        for (i, c) in table.columns.iter().enumerate() {
            if c.generated.is_some() && !extended {
                // table_info leaves generated columns out and numbers the others without them.
                hidden += 1;
                continue;
            }
            let pk = if !c.primary_key {
                0
            } else {
                pk_index.as_ref().map_or(1, |pk| {
                    let at = pk.columns.iter().position(|k| k.column == Some(i));
                    at.map_or(table.columns.len() + 1, |p| p + 1) as i64
                })
            };
            let default = match (&c.generated, &c.default_text) {
                (None, Some(text)) => Cell::Text(text.clone()),
                _ => Cell::Null,
            };
            let mut row = vec![
                Cell::Int((i - hidden) as i64),
                Cell::Text(c.name.clone()),
                Cell::Text(c.declared_type.clone()),
                Cell::Int(i64::from(c.not_null)),
                default,
                Cell::Int(pk),
            ];
            if extended {
                row.push(Cell::Int(match &c.generated {
                    None => 0,
                    Some(g) if g.stored => 3,
                    Some(_) => 2,
                }));
            }
            self.pragma_row(&row);
        }
        Ok(names(&columns))
    }

    /// `index_list(table)`: the table's indexes in SQLite's list order.
    pub(super) fn index_list(
        &mut self,
        schema: Option<Db>,
        arg: Option<&str>,
    ) -> Result<Vec<String>> {
        let columns = ["seq", "name", "unique", "origin", "partial"];
        // A view has no indexes: no rows, as in SQLite.
        if arg.is_some_and(|n| self.catalog.view_in(schema, n).is_some()) {
            return Ok(names(&columns));
        }
        let Some(table) = self.described_table(schema, arg, "index_list")? else {
            return Ok(names(&columns));
        };
        let indexes: Vec<Index> = self
            .catalog
            .index_list(&table)
            .into_iter()
            .map(|i| Index::clone(i))
            .collect();
        for (seq, index) in indexes.iter().enumerate() {
            let automatic = index
                .name
                .to_ascii_lowercase()
                .starts_with("sqlite_autoindex_");
            let origin = match (automatic, index.primary_key) {
                (false, _) => "c",
                (true, true) => "pk",
                (true, false) => "u",
            };
            self.pragma_row(&[
                Cell::Int(seq as i64),
                Cell::Text(index.name.clone()),
                Cell::Int(i64::from(index.unique)),
                Cell::Text(origin.into()),
                Cell::Int(i64::from(index.partial.is_some())),
            ]);
        }
        Ok(names(&columns))
    }

    /// `index_info(index)` (`extended`: `index_xinfo`, which adds the sort order, collation,
    /// whether a column is a key column, and the rowid at the end).
    pub(super) fn index_info(
        &mut self,
        schema: Option<Db>,
        arg: Option<&str>,
        extended: bool,
    ) -> Result<Vec<String>> {
        let mut columns = vec!["seqno", "cid", "name"];
        if extended {
            columns.extend(["desc", "coll", "key"]);
        }
        let Some(name) = arg else {
            return Ok(names(&columns));
        };
        let Some(index) = self.catalog.index_in(schema, name).cloned() else {
            // SQLite describes a WITHOUT ROWID table's primary key under the table's name.
            if self
                .catalog
                .table_in(schema, name)
                .is_some_and(|t| t.unsupported.is_some())
            {
                return Err(crate::error::Error::not_supported(format!(
                    "PRAGMA index_info on {name}"
                )));
            }
            return Ok(names(&columns));
        };
        let Some(table) = self.catalog.table_in(Some(index.db), &index.table).cloned() else {
            return Ok(names(&columns));
        };
        for (seq, k) in index.columns.iter().enumerate() {
            let (cid, column_name) = match k.column {
                Some(c) => (c as i64, Cell::Text(table.columns[c].name.clone())),
                None => (-2, Cell::Null),
            };
            let mut row = vec![Cell::Int(seq as i64), Cell::Int(cid), column_name];
            if extended {
                row.extend([
                    Cell::Int(i64::from(k.order == SortOrder::Desc)),
                    Cell::Text(k.collation_name.clone()),
                    Cell::Int(1),
                ]);
            }
            self.pragma_row(&row);
        }
        if extended {
            self.pragma_row(&[
                Cell::Int(index.columns.len() as i64),
                Cell::Int(-1),
                Cell::Null,
                Cell::Int(0),
                Cell::Text("BINARY".into()),
                Cell::Int(0),
            ]);
        }
        Ok(names(&columns))
    }
}
