//! UPSERT: `INSERT ... ON CONFLICT [(target) [WHERE ...]] DO NOTHING | DO UPDATE SET ...
//! [WHERE ...]`, with SQLite's semantics.
//!
//! Invariants:
//! - Each clause's target names exactly one uniqueness constraint of the table — the rowid
//!   (through its INTEGER PRIMARY KEY or a rowid name) or a UNIQUE index, whose columns the
//!   target lists in any order (a COLLATE, if given, must be the index column's), and whose WHERE (for a partial index) the
//!   target repeats — else the statement is refused at prepare with SQLite's message. Only the
//!   last clause may omit the target; it then covers every uniqueness constraint.
//! - The uniqueness checks run in SQLite's order: the clauses' targets in clause order, then
//!   the rowid, then the other indexes in their usual order. The first clause covering the
//!   first failing check decides: DO NOTHING skips the new row, DO UPDATE jumps (with the
//!   conflicting row's rowid) to the clause's code, emitted once per row after the row's
//!   normal write. NOT NULL and CHECK failures of the new row are not UPSERT's business.
//! - DO UPDATE updates the conflicting row as an UPDATE would, under ABORT whatever the
//!   statement's OR clause: its own NOT NULL, CHECK and uniqueness failures abort. The new row
//!   is readable through the `excluded.` pseudo-table (its values after defaults and affinity),
//!   which only qualified names reach; bare names are the table's.
//! - An updated row counts in `changes()`, leaves `last_insert_rowid()` alone and is what
//!   RETURNING returns; a row DO NOTHING (or a false DO UPDATE WHERE) skips returns nothing.

use super::dml::{assignments, row_scope, Target};
use super::expr::{aggregate_of, same_expr, walk};
use super::returning::Returning;
use super::scope::{ColRead, Source, SrcColumn};
use super::select::table_source;
use super::{error, Ctx, Label};
use crate::catalog::{Index, Table};
use crate::error::{Error, Result};
use crate::record::Collation;
use crate::sql::affinity::Affinity;
use crate::vdbe::{Insn, Reg};
use basalt_parser::ast::{self, ConflictAction, ExprKind};

/// A uniqueness constraint: the rowid, or the index at this position in `Target::indexes`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Constraint {
    Rowid,
    Index(usize),
}

/// The ON CONFLICT clauses of an INSERT, their targets resolved.
pub(super) struct Upsert<'a> {
    /// (target, action); `None` for the last clause without a target.
    clauses: Vec<(Option<Constraint>, &'a ast::UpsertAction)>,
}

/// One row's jump targets: a label per clause (placed by `upsert_updates` for DO UPDATE) and
/// the register that carries the conflicting row's rowid to it.
pub(super) struct Arms<'u> {
    upsert: &'u Upsert<'u>,
    labels: Vec<Label>,
    conflicting: Reg,
}

impl<'a> Upsert<'a> {
    /// Fresh labels for one row's clauses.
    pub fn arms(&'a self, ctx: &mut Ctx<'_>) -> Arms<'a> {
        Arms {
            upsert: self,
            labels: self.clauses.iter().map(|_| ctx.b.label()).collect(),
            conflicting: ctx.b.reg(),
        }
    }
}

impl Arms<'_> {
    /// The uniqueness checks of `t` in the order SQLite runs them with these clauses.
    pub fn order(&self, t: &Target) -> Vec<Constraint> {
        let mut order: Vec<Constraint> = Vec::new();
        let all =
            std::iter::once(Constraint::Rowid).chain((0..t.indexes.len()).map(Constraint::Index));
        let targets = self.upsert.clauses.iter().filter_map(|(c, _)| *c);
        for c in targets.chain(all) {
            if !order.contains(&c) {
                order.push(c);
            }
        }
        order
    }

    /// The clause that handles a failure of `constraint`, if any: its position and action.
    fn clause(&self, constraint: Constraint) -> Option<(usize, &ast::UpsertAction)> {
        self.upsert
            .clauses
            .iter()
            .position(|(c, _)| c.is_none() || *c == Some(constraint))
            .map(|i| (i, self.upsert.clauses[i].1))
    }
}

/// Turns a source of the new row's registers into `excluded`, whose columns (and rowid) only
/// qualified names reach: its columns are hidden, and its rowid names are hidden columns
/// (after any real column of the same name, which wins).
fn excluded_source(source: &mut Source) {
    source.name = "excluded".to_string();
    source.table = None;
    for column in &mut source.columns {
        column.hidden = true;
    }
    for name in ["rowid", "oid", "_rowid_"] {
        source.columns.push(SrcColumn {
            name: name.to_string(),
            affinity: Some(Affinity::Integer),
            collation: Collation::Binary,
            read: ColRead::Rowid,
            hidden: true,
            coalesce: None,
            origin: None,
            declared_type: None,
        });
    }
}

/// SQLite's error for an aggregate call in a DO UPDATE's SET or WHERE; subqueries there are
/// not supported yet (one reading `excluded` would need its registers from inside the
/// subquery's own scope).
fn check_update_exprs<'e>(exprs: impl Iterator<Item = &'e ast::Expr>) -> Result<()> {
    for e in exprs {
        let mut found = None;
        let mut subquery = false;
        walk(e, &mut |x| {
            match &x.kind {
                ExprKind::Function { name, .. } if aggregate_of(x).is_some() => {
                    found.get_or_insert_with(|| name.value.clone());
                }
                ExprKind::Subquery(_) | ExprKind::Exists(_) | ExprKind::InSelect { .. } => {
                    subquery = true;
                }
                _ => {}
            }
            true
        });
        if let Some(name) = found {
            return Err(error(format!("misuse of aggregate function {name}()")));
        }
        if subquery {
            return Err(Error::not_supported("subqueries in ON CONFLICT DO UPDATE"));
        }
    }
    Ok(())
}

/// Whether `e` (COLLATE aside) names the column `column` of `table` (`None`: the rowid).
fn names_column(table: &Table, e: &ast::Expr, column: Option<usize>) -> bool {
    let name = match &without_collate(e).kind {
        ExprKind::Id(n) => &n.value,
        ExprKind::Qualified {
            table: t, column, ..
        } if t.value.eq_ignore_ascii_case(&table.name) => &column.value,
        _ => return false,
    };
    match table.column_index(name) {
        Some(c) => Some(c) == column || (column.is_none() && table.rowid_alias == Some(c)),
        None => column.is_none() && super::scope::is_rowid_name(name),
    }
}

fn without_collate(e: &ast::Expr) -> &ast::Expr {
    match &e.kind {
        ExprKind::Collate { expr, .. } => without_collate(expr),
        _ => e,
    }
}

/// Whether `target` names the UNIQUE index `index` of `table`.
fn matches_index(table: &Table, index: &Index, target: &ast::UpsertTarget) -> bool {
    if !index.unique || index.columns.len() != target.columns.len() {
        return false;
    }
    if let Some(w) = &index.partial {
        match &target.where_ {
            Some(tw) if same_expr(tw, w) => {}
            _ => return false,
        }
    }
    index.columns.iter().all(|ic| {
        target.columns.iter().any(|term| {
            let same = match (ic.column, &ic.expr) {
                (Some(c), _) => names_column(table, &term.expr, Some(c)),
                (None, Some(e)) => same_expr(without_collate(&term.expr), without_collate(e)),
                (None, None) => false,
            };
            same && collation_of(&term.expr)
                .is_none_or(|name| name.eq_ignore_ascii_case(&ic.collation_name))
        })
    })
}

/// The collation a target term names, if it names one (the outermost COLLATE).
fn collation_of(e: &ast::Expr) -> Option<&str> {
    match &e.kind {
        ExprKind::Collate { collation, .. } => Some(&collation.value),
        _ => None,
    }
}

impl Ctx<'_> {
    /// Resolves the ON CONFLICT clauses of an INSERT into `t`; `None` without any.
    pub(super) fn upsert_begin<'a>(
        &mut self,
        t: &Target,
        clauses: &'a [ast::Upsert],
    ) -> Result<Option<Upsert<'a>>> {
        if clauses.is_empty() {
            return Ok(None);
        }
        let mut resolved = Vec::new();
        for clause in clauses {
            let target = match &clause.target {
                None => None,
                Some(target) => Some(self.upsert_target(t, target)?),
            };
            resolved.push((target, &clause.action));
        }
        Ok(Some(Upsert { clauses: resolved }))
    }

    fn upsert_target(&mut self, t: &Target, target: &ast::UpsertTarget) -> Result<Constraint> {
        let table = &t.table;
        for term in &target.columns {
            if let ExprKind::Id(n) = &without_collate(&term.expr).kind {
                if table.column_index(&n.value).is_none() && !super::scope::is_rowid_name(&n.value)
                {
                    return Err(error(format!("no such column: {}", n.value)));
                }
            }
        }
        let rowid = match target.columns.as_slice() {
            [only] => {
                !matches!(only.expr.kind, ExprKind::Collate { .. })
                    && names_column(table, &only.expr, None)
            }
            _ => false,
        };
        if rowid {
            return Ok(Constraint::Rowid);
        }
        t.indexes
            .iter()
            .position(|(index, _)| matches_index(table, index, target))
            .map(Constraint::Index)
            .ok_or_else(|| {
                error("ON CONFLICT clause does not match any PRIMARY KEY or UNIQUE constraint")
            })
    }

    /// A copy of the new row's values as `excluded.` reads them: a REAL column's integral
    /// value (kept as an integer, as a record stores it) reads as a real, as from the table.
    fn excluded_values(&mut self, table: &Table, regs: Reg) -> Reg {
        let n = table.columns.len().max(1);
        let values = self.b.regs(n);
        self.b.emit(Insn::Copy {
            src: regs,
            dest: values,
            count: n,
        });
        for (i, column) in table.columns.iter().enumerate() {
            if column.affinity == Affinity::Real && table.rowid_alias != Some(i) {
                self.b.emit(Insn::RealAffinity { reg: values + i });
            }
        }
        values
    }

    /// At a failed check of `constraint` (the conflicting row's rowid in `other`): the clause
    /// covering it takes over — DO NOTHING jumps to `skip`, DO UPDATE to its code. `false` if
    /// no clause covers it (the constraint's own conflict action applies).
    pub(super) fn upsert_conflict(
        &mut self,
        arms: Option<&Arms<'_>>,
        constraint: Constraint,
        other: Reg,
        skip: Label,
    ) -> bool {
        let Some(arms) = arms else {
            return false;
        };
        let Some((i, action)) = arms.clause(constraint) else {
            return false;
        };
        match action {
            ast::UpsertAction::Nothing => {
                self.b.emit(Insn::Goto {
                    target: self.b.to(skip),
                });
            }
            ast::UpsertAction::Update { .. } => {
                self.b.emit(Insn::Copy {
                    src: other,
                    dest: arms.conflicting,
                    count: 1,
                });
                self.b.emit(Insn::Goto {
                    target: self.b.to(arms.labels[i]),
                });
            }
        }
        true
    }

    /// The DO UPDATE clauses' code for one row (the new row, `excluded`, in `regs` and
    /// `rowid`); each ends at `done`. Must follow code that does not fall through.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn upsert_updates(
        &mut self,
        arms: &Arms<'_>,
        t: &Target,
        alias: Option<&ast::Name>,
        regs: Reg,
        rowid: Reg,
        returning: Option<&Returning<'_>>,
        done: Label,
    ) -> Result<()> {
        let table = &t.table;
        for (&(_, action), &label) in arms.upsert.clauses.iter().zip(&arms.labels) {
            let ast::UpsertAction::Update { set, where_ } = action else {
                continue;
            };
            self.b.place(label);
            let sets = assignments(table, set)?;
            check_update_exprs(sets.iter().map(|(_, e)| *e).chain(where_.as_ref()))?;
            let excluded = self.b.cursor();
            let values = self.excluded_values(table, regs);
            let mut sc = row_scope(table, excluded, values, rowid);
            for source in &mut sc.sources {
                excluded_source(source);
            }
            let name = alias.map_or(table.name.clone(), |a| a.value.clone());
            sc.sources.insert(0, table_source(table, name, t.cursor));
            self.b.emit(Insn::SeekRowid {
                cursor: t.cursor,
                rowid: arms.conflicting,
                not_found: self.b.to(done),
            });
            if let Some(w) = where_ {
                self.filter(w, &sc, done)?;
            }
            self.update_current_row(
                t,
                &sc,
                &sets,
                arms.conflicting,
                Some(ConflictAction::Abort),
                done,
                returning,
            )?;
            self.b.emit(Insn::Goto {
                target: self.b.to(done),
            });
        }
        Ok(())
    }
}
