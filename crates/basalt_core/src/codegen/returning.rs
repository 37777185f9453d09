//! RETURNING on INSERT, UPDATE and DELETE, with SQLite's semantics.
//!
//! Each row the statement writes (the new values, after affinity and defaults; for DELETE the
//! row about to go) has its RETURNING expressions evaluated right after it is written (before
//! for DELETE) into an ephemeral table; only when the whole statement has done its work are the
//! collected rows returned. So a statement that fails returns no row, and the rows returned
//! are exactly the rows written (none for rows IGNORE skipped).
//!
//! Names resolve against the table under its own name (an alias is not visible, as in SQLite).
//! Refused with SQLite's messages: `TABLE.*`, aggregates. Refused as not supported yet:
//! subqueries (SQLite evaluates them once per row, against the table as it is at that moment).

use super::dml::row_scope;
use super::expr::{aggregate_of, walk};
use super::scope::Scope;
use super::{error, Ctx};
use crate::catalog::Table;
use crate::error::{Error, Result};
use crate::sql::affinity::Affinity;
use crate::vdbe::{CursorId, Insn, Reg};
use basalt_parser::ast::{self, ExprKind};
use std::cell::RefCell;
use std::rc::Rc;

/// A RETURNING clause being compiled: the ephemeral table of its rows and their names.
pub(super) struct Returning<'a> {
    columns: &'a [ast::ResultColumn],
    cursor: CursorId,
    names: RefCell<Vec<String>>,
}

/// SQLite's prepare-time errors for a RETURNING list, and what Basalt does not do yet.
fn check(columns: &[ast::ResultColumn]) -> Result<()> {
    for column in columns {
        let expr = match column {
            ast::ResultColumn::Star => continue,
            ast::ResultColumn::TableStar(_) => {
                return Err(error("RETURNING may not use \"TABLE.*\" wildcards"))
            }
            ast::ResultColumn::Expr { expr, .. } => expr,
        };
        let mut aggregate = None;
        let mut subquery = false;
        walk(expr, &mut |e| {
            match &e.kind {
                ExprKind::Function { name, .. } if aggregate_of(e).is_some() => {
                    aggregate.get_or_insert_with(|| name.value.clone());
                }
                ExprKind::Subquery(_) | ExprKind::Exists(_) | ExprKind::InSelect { .. } => {
                    subquery = true;
                }
                _ => {}
            }
            true
        });
        if let Some(name) = aggregate {
            return Err(error(format!("misuse of aggregate function {name}()")));
        }
        if subquery {
            return Err(Error::not_supported("subqueries in RETURNING"));
        }
    }
    Ok(())
}

impl Ctx<'_> {
    /// Checks a RETURNING clause and opens the table its rows are collected in.
    pub(super) fn returning_begin<'a>(
        &mut self,
        columns: Option<&'a Vec<ast::ResultColumn>>,
    ) -> Result<Option<Returning<'a>>> {
        let Some(columns) = columns else {
            return Ok(None);
        };
        check(columns)?;
        let cursor = self.b.cursor();
        self.b.emit(Insn::OpenEphemeral { cursor, key: None });
        Ok(Some(Returning {
            columns,
            cursor,
            names: RefCell::new(Vec::new()),
        }))
    }

    /// One written row's RETURNING values, read in `sc`, into the collected rows.
    pub(super) fn returning_row(&mut self, r: &Returning<'_>, sc: &Scope<'_>) -> Result<()> {
        let (regs, names) = self.result_list(r.columns, sc)?;
        self.b.append_record(r.cursor, regs, names.len());
        *r.names.borrow_mut() = names;
        Ok(())
    }

    /// The RETURNING values of a row written from registers (`regs`, one per column, and
    /// `rowid`): REAL columns read back as reals, as the stored row would.
    pub(super) fn returning_written(
        &mut self,
        r: &Returning<'_>,
        table: &Rc<Table>,
        cursor: CursorId,
        regs: Reg,
        rowid: Reg,
    ) -> Result<()> {
        let n = table.columns.len();
        let copy = self.b.regs(n.max(1));
        self.b.emit(Insn::Copy {
            src: regs,
            dest: copy,
            count: n,
        });
        for (i, c) in table.columns.iter().enumerate() {
            if c.affinity == Affinity::Real {
                self.b.emit(Insn::RealAffinity { reg: copy + i });
            }
        }
        self.returning_row(r, &row_scope(table, cursor, copy, rowid))
    }

    /// After the statement's work: the collected rows as result rows. Returns the column names.
    pub(super) fn returning_end(&mut self, r: Option<Returning<'_>>) -> Vec<String> {
        let Some(r) = r else {
            return Vec::new();
        };
        let names = r.names.into_inner();
        let regs = self.b.regs(names.len().max(1));
        let rows = self.b.scan_start(r.cursor);
        self.b.columns(r.cursor, names.len(), regs);
        self.b.emit(Insn::ResultRow {
            start: regs,
            count: names.len(),
        });
        self.b.scan_end(rows);
        names
    }
}
