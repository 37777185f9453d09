//! Access paths: how one loop level of a query visits its table — a full scan, a rowid lookup
//! (`rowid = x`), or a seek on an index whose leading columns are compared for equality
//! (`a = x AND b = y`), or a walk over a rowid range (`rowid > x`, `rowid BETWEEN x AND y`),
//! chosen from the conditions tested at that level.
//!
//! Invariants:
//! - A seek only narrows what a scan would visit: it may visit rows that fail its conditions,
//!   never skip one that passes. Each condition a seek is built from is therefore still tested
//!   exactly, with SQLite's comparison affinity and collation, on every row the seek visits.
//! - The value side of such a condition is compiled once (a `?` must get one parameter
//!   number): its register serves both the seek key and the exact test, and the condition is
//!   taken out of the level's list.
//! - An index is used for `column = value` only where SQLite would use it: the comparison's
//!   collation is the index column's, and its affinity agrees with the column's
//!   (`sqlite3IndexAffinityOk`), so the key converted by that affinity finds every equal entry.
//! - Only a value that does not read the level's own table (a literal, a parameter, a column
//!   of an outer loop or outer query) can be a key.

use super::auto_index::AutoIndex;
use super::estimate::log_scale;
use super::expr::{cmp_spec, comparison_affinity, Info};
use super::in_seek::InLoop;
use super::index_range::{index_range, range_terms, IndexRange, IndexSeek, RangeTerm};
use super::multi_or::MultiOr;
use super::order_walk::whole_index;
use super::query_plan::PlanNotes;
use super::scope::{ColRead, Resolved, Scope};
use super::select::Cond;
use super::{Ctx, Label};
use crate::catalog::Index;
use crate::error::Result;
use crate::sql::affinity::Affinity;
use crate::vdbe::{CmpOp, CursorId, Insn, NullMode, Reg};
use basalt_parser::ast::{self, BinaryOp, ExprKind, UnaryOp};

/// `column = value` between a column of the level's table and a value known before the level.
#[derive(Clone)]
pub(super) struct EqTerm<'e> {
    /// The position of the condition in the level's list.
    pub cond: usize,
    pub column: Resolved,
    pub value: &'e ast::Expr,
    pub value_info: Info,
    /// Whether the column is the comparison's left operand (collation precedence).
    pub column_left: bool,
    /// `column IN (list)` or `column IN (SELECT …)`: the key takes each distinct value in
    /// turn (`in_seek.rs`); `value` is then the whole condition and is not evaluated.
    pub list: Option<InValues<'e>>,
}

/// Where an IN term's values come from.
#[derive(Clone)]
pub(super) enum InValues<'e> {
    /// A list of values; the condition stays in the level's list to be tested exactly.
    List(&'e [ast::Expr]),
    /// The values of `column = value OR column = value …`, which SQLite turns into an IN
    /// list; the OR stays in the level's list to be tested exactly.
    Or(Vec<&'e ast::Expr>),
    /// The rows of a subquery that reads nothing outside itself: gathered once, converted by
    /// the comparison's affinity into a set under its collation, which are the index
    /// column's, so the seeks find exactly the rows the IN holds for, and the condition is
    /// done with (as SQLite does).
    Select(&'e ast::Select),
}

impl InValues<'_> {
    /// How many values the seek loops over, as SQLite estimates it: a list's length, 25 for
    /// a subquery.
    pub(super) fn estimated_len(&self) -> f64 {
        match self {
            InValues::List(list) => list.len() as f64,
            InValues::Or(values) => values.len() as f64,
            InValues::Select(_) => 25.0,
        }
    }
}

impl EqTerm<'_> {
    pub(super) fn infos(&self) -> (Info, Info) {
        let column = Info {
            affinity: Some(self.column.affinity.unwrap_or(Affinity::Blob)),
            collation: Some((self.column.collation, false)),
        };
        if self.column_left {
            (column, self.value_info)
        } else {
            (self.value_info, column)
        }
    }

    /// Whether the access path that seeks with this term tests it fully itself.
    fn settled(&self) -> bool {
        !matches!(self.list, Some(InValues::List(_) | InValues::Or(_)))
    }

    /// The affinity the comparison applies to the value.
    pub(super) fn affinity(&self) -> Affinity {
        let (l, r) = self.infos();
        comparison_affinity(l.affinity, r.affinity)
    }
}

pub(super) enum Access<'e> {
    Scan,
    /// A full scan in descending rowid order, for an ORDER BY (`order_walk.rs`).
    ScanBack,
    /// The rows of a lazy source: each comes from its co-routine (register: its resume
    /// address) into the source's one-row table.
    Coroutine(Reg),
    Rowid(EqTerm<'e>),
    /// Entries of an index: an equality prefix, then maybe a range on the next column
    /// (`index_range.rs`); the range's conditions stay in the level's list.
    Index(Box<IndexSeek<'e>>),
    /// A walk over rowids from a lower bound (or the first row) while an upper bound holds,
    /// or (`backward`, for an ORDER BY: `order_walk.rs`) from the upper bound (or the last row)
    /// down while the lower one holds. Its conditions stay in the level's list and are tested
    /// on every row.
    RowidRange {
        lower: Option<Bound<'e>>,
        upper: Option<Bound<'e>>,
        backward: bool,
    },
    /// A transient index over the source's rows, built on first use (`auto_index.rs`).
    Auto(AutoIndex<'e>),
    /// The rows each branch of an OR term seeks, each once (`multi_or.rs`).
    MultiOr(Box<MultiOr<'e>>),
}

/// One side of a rowid range: `rowid > value` (`strict`) or `rowid >= value` as a lower
/// bound, `rowid < value` or `rowid <= value` as an upper one.
#[derive(Clone, Copy)]
pub(super) struct Bound<'e> {
    value: &'e ast::Expr,
    value_info: Info,
    pub strict: bool,
}

impl Access<'_> {
    /// Whether the path seeks: a rowid lookup or range, or an index seek with a key or bound
    /// (not a walk over a whole index).
    pub(super) fn seeks(&self) -> bool {
        match self {
            Access::Rowid(_) | Access::RowidRange { .. } => true,
            Access::Index(seek) => !seek.terms.is_empty() || seek.range.bounds() > 0,
            _ => false,
        }
    }

    /// The positions of the conditions the access path tests itself.
    pub(super) fn used_conds(&self) -> Vec<usize> {
        match self {
            Access::Scan
            | Access::ScanBack
            | Access::Coroutine(_)
            | Access::RowidRange { .. }
            | Access::Auto(_)
            | Access::MultiOr(_) => Vec::new(),
            Access::Rowid(t) => t.settled().then_some(t.cond).into_iter().collect(),
            Access::Index(seek) => seek
                .terms
                .iter()
                .filter(|t| t.settled())
                .map(|t| t.cond)
                .collect(),
        }
    }
}

impl Advance {
    /// Leaves the plan rows of this loop's covering-index candidates as they are: the loop
    /// only gathers rowids, and the table is read again later (`multi_or.rs`).
    pub(super) fn keep_plan_rows(&self, ctx: &mut Ctx<'_>) {
        match self {
            Advance::IndexNext { cover, .. } => ctx.set_cover_plan_row(*cover, None),
            Advance::In { inner, .. } => inner.keep_plan_rows(ctx),
            _ => {}
        }
    }
}

/// How the loop moves to its next row once the body has run.
pub(super) enum Advance {
    /// `Next` on this cursor, back to the loop's top.
    Next(CursorId),
    /// `Prev` on this cursor, back to the loop's top (a backward walk).
    Prev(CursorId),
    /// Back to the loop's top, which resumes the co-routine for its next row.
    Resume,
    /// A lookup visits at most one row: nothing to advance.
    Once,
    /// `Next` (`Prev` when `backward`) on an index cursor, ending covering-index candidate
    /// `cover`'s loop.
    IndexNext {
        cursor: CursorId,
        cover: usize,
        backward: bool,
    },
    /// The seek for one value of an IN list (`inner`), then the next value.
    In { inner: Box<Advance>, list: InLoop },
}

impl<'a> Ctx<'a> {
    /// Chooses the access path of loop `level` from the conditions tested there.
    pub(super) fn choose_access<'e>(
        &self,
        level: usize,
        here: &[&Cond<'e>],
        sc: &Scope<'_>,
    ) -> Access<'e> {
        let source = &sc.sources[level];
        let Some(table) = &source.table else {
            return Access::Scan;
        };
        let terms: Vec<EqTerm<'e>> = here
            .iter()
            .enumerate()
            .filter_map(|(i, cond)| eq_term(i, cond, level, sc, &|s| self.in_select_column(s)))
            .collect();
        // Under `INDEXED BY`, SQLite considers that index alone, not even the rowid.
        let forced = self.forced_index(source.cursor);
        // `rowid = x`, else `rowid IN (…)`.
        let rowid = |t: &&EqTerm<'e>| t.column.read == ColRead::Rowid;
        if let Some(t) = terms.iter().filter(rowid).min_by_key(|t| t.list.is_some()) {
            if forced.is_none() {
                return Access::Rowid(t.clone());
            }
        }
        let ranges: Vec<RangeTerm<'e>> = here
            .iter()
            .enumerate()
            .flat_map(|(i, cond)| range_terms(i, cond, level, sc))
            .collect();
        // SQLite's preference without statistics: a unique index with every column pinned by
        // an equality (one row), then more equality columns, then a range with more bounds;
        // the first index found wins a tie. With statistics, fewer estimated rows come before
        // the equality columns (`estimate.rs`).
        let analyzed = self.analyzed_rows(table).is_some();
        let rank = |index: &Index, prefix: &[EqTerm<'_>], range: &IndexRange<'_>| {
            let (one_row, eqs, bounds) = seek_score(index, prefix, range);
            let rows = if analyzed {
                log_scale(self.seek_rows(table, index, prefix, range.bounds()))
            } else {
                0
            };
            (one_row, -rows, eqs, bounds)
        };
        let mut best: Option<(&Index, Vec<EqTerm<'e>>, IndexRange<'e>)> = None;
        let indexes = self.usable_indexes(source.cursor, table);
        for index in indexes {
            if index.partial.is_some() {
                continue;
            }
            let prefix = usable_prefix(index, &terms);
            let range = index_range(index, prefix.len(), &ranges);
            if seek_score(index, &prefix, &range) == (false, 0, 0) {
                continue;
            }
            // Without statistics the first index wins a tie (Basalt's rule so far); with them,
            // the last created, as SQLite's index list puts it first.
            let better = best.as_ref().is_none_or(|(i, p, r)| {
                let (new, old) = (rank(index, &prefix, &range), rank(i, p, r));
                new > old || (analyzed && new == old)
            });
            if better {
                best = Some((index, prefix, range));
            }
        }
        let (mut lower, mut upper) = (None, None);
        for cond in here.iter().filter(|_| forced.is_none()) {
            for (is_lower, bound) in rowid_bounds(cond, level, sc) {
                let side = if is_lower { &mut lower } else { &mut upper };
                side.get_or_insert(bound);
            }
        }
        match best {
            // A rowid range reads the table alone: it beats an index range without equality.
            Some((_, terms, _)) if terms.is_empty() && (lower.is_some() || upper.is_some()) => {}
            Some((index, terms, range)) => {
                let backward = self.order_walk_backward(source.cursor);
                return Access::Index(Box::new(IndexSeek {
                    index: index.clone(),
                    terms,
                    range,
                    backward,
                }));
            }
            None => {
                if let Some(index) = forced {
                    let backward = self.order_walk_backward(source.cursor);
                    return whole_index(index, backward);
                }
            }
        }
        if lower.is_some() || upper.is_some() {
            let backward = self.order_walk_backward(source.cursor);
            return Access::RowidRange {
                lower,
                upper,
                backward,
            };
        }
        if let Some(walk) = self.order_walk_for(source.cursor, table) {
            return walk;
        }
        if !self.has_index_hint(source.cursor) {
            if let Some(m) = self.multi_or(level, here, sc) {
                return Access::MultiOr(Box::new(m));
            }
        }
        Access::Scan
    }

    /// Positions the level's cursor on its first candidate row, jumping to `exit` if there is
    /// none, and places the loop's top. Rows that fail the access path's own conditions jump
    /// to `next`.
    pub(super) fn open_access(
        &mut self,
        access: &Access<'_>,
        cursor: CursorId,
        sc: &Scope<'_>,
        exit: Label,
        next: Label,
    ) -> Result<(Label, Advance)> {
        let top = self.b.label();
        match access {
            Access::Scan => {
                self.cover_scan_candidate(cursor, sc);
                self.b.emit(Insn::Rewind {
                    cursor,
                    if_empty: self.b.to(exit),
                });
                self.b.place(top);
                Ok((top, Advance::Next(cursor)))
            }
            Access::ScanBack => {
                self.b.emit(Insn::Last {
                    cursor,
                    if_empty: self.b.to(exit),
                });
                self.b.place(top);
                Ok((top, Advance::Prev(cursor)))
            }
            Access::Coroutine(reg) => {
                // The next row, or the end of the loop once the co-routine ends.
                self.b.place(top);
                self.b.emit(Insn::Yield {
                    reg: *reg,
                    done: self.b.to(exit),
                });
                self.b.emit(Insn::Rewind {
                    cursor,
                    if_empty: self.b.to(next),
                });
                Ok((top, Advance::Resume))
            }
            Access::RowidRange {
                lower,
                upper,
                backward,
            } => self.open_rowid_range(*lower, *upper, *backward, cursor, sc, exit),
            Access::Auto(auto) => self.open_auto_index(auto, cursor, sc, exit, next),
            Access::Rowid(term) => {
                let terms = std::slice::from_ref(term);
                let (exit, list) = self.open_in_loop(terms, false, exit, sc)?;
                let values = self.eval_values(terms, sc, list.as_ref())?;
                let key = self.b.reg();
                self.b.emit(Insn::Copy {
                    src: values,
                    dest: key,
                    count: 1,
                });
                // OP_SeekRowid's rule: the key as a number, and no row unless an integer.
                self.b.emit(Insn::Affinity {
                    start: key,
                    affinities: vec![Affinity::Numeric],
                });
                self.b.emit(Insn::SeekRowid {
                    cursor,
                    rowid: key,
                    not_found: self.b.to(exit),
                });
                self.b.place(top);
                self.test_terms(terms, values, sc, next);
                Ok((top, Advance::Once.around(list)))
            }
            Access::MultiOr(m) => self.open_multi_or(m, cursor, sc, exit, next),
            Access::Index(seek) => {
                // The loop's own plan row, noted before any IN subquery adds its rows.
                let plan_row = self.plan.as_ref().and_then(PlanNotes::last_row);
                let (top, idx, cover, list) = self.open_index_seek(seek, cursor, sc, exit, next)?;
                self.set_cover_plan_row(cover, plan_row);
                let advance = Advance::IndexNext {
                    cursor: idx,
                    cover,
                    backward: seek.backward,
                };
                Ok((top, advance.around(list)))
            }
        }
    }

    /// A walk over a rowid range: from the lower bound up to the upper one, or (`backward`)
    /// from the upper bound down to the lower one.
    fn open_rowid_range(
        &mut self,
        lower: Option<Bound<'_>>,
        upper: Option<Bound<'_>>,
        backward: bool,
        cursor: CursorId,
        sc: &Scope<'_>,
        exit: Label,
    ) -> Result<(Label, Advance)> {
        let top = self.b.label();
        let (from, to) = if backward {
            (upper, lower)
        } else {
            (lower, upper)
        };
        let limit = match to {
            Some(b) => Some((self.eval_value(b.value, sc)?, b)),
            None => None,
        };
        match from {
            Some(b) => {
                let key = self.eval_value(b.value, sc)?;
                // The comparison with an INTEGER rowid converts the bound to a number.
                self.b.emit(Insn::Affinity {
                    start: key,
                    affinities: vec![Affinity::Numeric],
                });
                self.b.emit(Insn::SeekRowidFrom {
                    cursor,
                    key,
                    strict: b.strict,
                    backward,
                    if_empty: self.b.to(exit),
                });
            }
            None if backward => {
                self.b.emit(Insn::Last {
                    cursor,
                    if_empty: self.b.to(exit),
                });
            }
            None => {
                self.b.emit(Insn::Rewind {
                    cursor,
                    if_empty: self.b.to(exit),
                });
            }
        }
        self.b.place(top);
        if let Some((value, b)) = limit {
            // Rowids only move one way: the first past the bound (or a NULL bound) ends the
            // walk.
            let rowid = self.b.reg();
            self.b.emit(Insn::Rowid {
                cursor,
                dest: rowid,
            });
            let past = match (backward, b.strict) {
                (false, true) => CmpOp::Ge,
                (false, false) => CmpOp::Gt,
                (true, true) => CmpOp::Le,
                (true, false) => CmpOp::Lt,
            };
            self.b.emit(Insn::Compare {
                spec: cmp_spec(past, rowid_info(), b.value_info, NullMode::Jump),
                lhs: rowid,
                rhs: value,
                target: self.b.to(exit),
            });
        }
        let advance = if backward {
            Advance::Prev(cursor)
        } else {
            Advance::Next(cursor)
        };
        Ok((top, advance))
    }

    /// A bound's value into a register of its own.
    fn eval_value(&mut self, value: &ast::Expr, sc: &Scope<'_>) -> Result<Reg> {
        let reg = self.b.reg();
        self.expr(value, sc, reg)?;
        Ok(reg)
    }

    /// Each term's value, once, into consecutive registers; an IN term's is the list's
    /// current value.
    pub(super) fn eval_values(
        &mut self,
        terms: &[EqTerm<'_>],
        sc: &Scope<'_>,
        list: Option<&InLoop>,
    ) -> Result<Reg> {
        let start = self.b.regs(terms.len());
        for (i, t) in terms.iter().enumerate() {
            match (&t.list, list) {
                (Some(_), Some(l)) => {
                    self.b.emit(Insn::Copy {
                        src: l.value,
                        dest: start + i,
                        count: 1,
                    });
                }
                _ => {
                    self.expr(t.value, sc, start + i)?;
                }
            }
        }
        Ok(start)
    }

    /// The exact comparisons the access path was built from, on the row it found.
    pub(super) fn test_terms(
        &mut self,
        terms: &[EqTerm<'_>],
        values: Reg,
        sc: &Scope<'_>,
        fail: Label,
    ) {
        for (i, t) in terms.iter().enumerate().filter(|(_, t)| t.list.is_none()) {
            let column = self.b.reg();
            self.column_read(&t.column, sc, column);
            let (l, r) = t.infos();
            let (lhs, rhs) = if t.column_left {
                (column, values + i)
            } else {
                (values + i, column)
            };
            self.b.emit(Insn::Compare {
                spec: cmp_spec(CmpOp::Ne, l, r, NullMode::Jump),
                lhs,
                rhs,
                target: self.b.to(fail),
            });
        }
    }
}

/// How good a seek on `index` is (higher is better): whether it finds at most one row (a
/// unique index with an equality on every column), its equality columns, its range's bounds.
fn seek_score(
    index: &Index,
    prefix: &[EqTerm<'_>],
    range: &IndexRange<'_>,
) -> (bool, usize, usize) {
    let one_row = index.unique
        && prefix.len() == index.columns.len()
        && prefix.iter().all(|t| t.list.is_none());
    (one_row, prefix.len(), range.bounds())
}

/// The terms that match the index's leading columns, one per column, in index order; an
/// equality before an IN list, and at most one IN list.
fn usable_prefix<'e>(index: &Index, terms: &[EqTerm<'e>]) -> Vec<EqTerm<'e>> {
    let mut prefix: Vec<EqTerm<'e>> = Vec::new();
    for column in &index.columns {
        let Some(n) = column.column else { break };
        let has_list = prefix.iter().any(|t| t.list.is_some());
        let found = terms
            .iter()
            .filter(|t| {
                t.column.read == ColRead::Column(n)
                    && term_collation(t) == column.collation
                    && affinity_ok(t.affinity(), t.column.affinity.unwrap_or(Affinity::Blob))
                    && !(has_list && t.list.is_some())
            })
            .min_by_key(|t| t.list.is_some());
        match found {
            Some(t) => prefix.push(t.clone()),
            None => break,
        }
    }
    prefix
}

pub(super) fn term_collation(t: &EqTerm<'_>) -> crate::record::Collation {
    let (l, r) = t.infos();
    super::expr::binary_collation(l, r)
}

/// Whether an index on a column of affinity `column` holds, for a comparison converting with
/// `comparison`, every entry equal to the converted key (SQLite's `sqlite3IndexAffinityOk`).
pub(super) fn affinity_ok(comparison: Affinity, column: Affinity) -> bool {
    match comparison {
        Affinity::Blob => true,
        Affinity::Text => column == Affinity::Text,
        _ => column.is_numeric(),
    }
}

/// `column = value` (either way round) with the column on this level's table and a value that
/// does not read it or any later level.
///
/// `column IN (SELECT …)` counts where `in_select` gives the affinity and collation of the
/// subquery's column, which it does only for a subquery that reads nothing outside itself.
pub(super) fn eq_term<'e>(
    cond_index: usize,
    cond: &Cond<'e>,
    level: usize,
    sc: &Scope<'_>,
    in_select: &dyn Fn(&ast::Select) -> Option<Info>,
) -> Option<EqTerm<'e>> {
    let Cond::Ast(e) = cond else { return None };
    let cursor = sc.sources[level].cursor;
    let later: Vec<CursorId> = sc.sources[level..].iter().map(|s| s.cursor).collect();
    if let ExprKind::InList {
        expr,
        not: false,
        list,
    } = &e.kind
    {
        let column = own_column(expr, sc).filter(|r| r.cursor == cursor)?;
        if list.is_empty() || list.iter().any(|v| value_info(v, sc, &later).is_none()) {
            return None;
        }
        // The list's comparisons use the column's affinity and collation alone.
        return Some(EqTerm {
            cond: cond_index,
            column,
            value: e,
            value_info: Info::default(),
            column_left: true,
            list: Some(InValues::List(list)),
        });
    }
    if let ExprKind::InSelect {
        expr,
        not: false,
        select,
    } = &e.kind
    {
        let column = own_column(expr, sc).filter(|r| r.cursor == cursor)?;
        // The comparison is the column's against the subquery's column, as for `=`.
        return Some(EqTerm {
            cond: cond_index,
            column,
            value: e,
            value_info: in_select(select)?,
            column_left: true,
            list: Some(InValues::Select(select)),
        });
    }
    if let ExprKind::Binary(_, BinaryOp::Or, _) = &e.kind {
        return or_as_in(cond_index, e, cursor, &later, sc);
    }
    let ExprKind::Binary(left, BinaryOp::Eq, right) = &e.kind else {
        return None;
    };
    for (col, value, column_left) in [(left, right, true), (right, left, false)] {
        let Some(column) = own_column(col, sc).filter(|r| r.cursor == cursor) else {
            continue;
        };
        if let Some(value_info) = value_info(value, sc, &later) {
            return Some(EqTerm {
                cond: cond_index,
                column,
                value,
                value_info,
                column_left,
                list: None,
            });
        }
    }
    None
}

pub(super) fn own_column(e: &ast::Expr, sc: &Scope<'_>) -> Option<Resolved> {
    match &e.kind {
        ExprKind::Id(name) => sc.resolve_here_resolved(None, &name.value),
        ExprKind::Qualified {
            schema: None,
            table,
            column,
        } => sc.resolve_here_resolved(Some(&table.value), &column.value),
        _ => None,
    }
}

/// The affinity and collation of a value usable as a key: a literal, a parameter, a negated
/// number, or a column that no loop from this level inward reads, maybe with a COLLATE.
/// `None` for anything else.
pub(super) fn value_info(e: &ast::Expr, sc: &Scope<'_>, later: &[CursorId]) -> Option<Info> {
    let column = |table: Option<&str>, name: &str| -> Option<Info> {
        let r = sc.resolve(table, name).ok().flatten()?;
        if later.contains(&r.cursor) {
            return None;
        }
        Some(Info {
            affinity: Some(r.affinity.unwrap_or(Affinity::Blob)),
            collation: Some((r.collation, false)),
        })
    };
    match &e.kind {
        ExprKind::Id(name) => column(None, &name.value),
        ExprKind::Qualified {
            schema: None,
            table,
            column: name,
        } => column(Some(&table.value), &name.value),
        // An explicit collation decides the comparison's (and so which index serves it).
        ExprKind::Collate { expr, collation } => {
            let c = crate::record::Collation::from_name(&collation.value)?;
            let inner = value_info(expr, sc, later)?;
            Some(Info {
                affinity: inner.affinity,
                collation: Some((c, true)),
            })
        }
        _ => constant_info(e),
    }
}

/// The affinity of a constant built from literals and parameters with operators and CASTs;
/// `None` for anything else (columns, functions — `random()` must run per row — subqueries,
/// COLLATE). Such a constant has no collation, and no affinity unless it is a CAST.
fn constant_info(e: &ast::Expr) -> Option<Info> {
    match &e.kind {
        ExprKind::Literal(_) | ExprKind::Variable(_) => Some(Info::default()),
        ExprKind::Unary(UnaryOp::Neg | UnaryOp::Plus | UnaryOp::BitNot, inner) => {
            constant_info(inner).map(|_| Info::default())
        }
        ExprKind::Binary(l, _, r) => {
            constant_info(l)?;
            constant_info(r)?;
            Some(Info::default())
        }
        ExprKind::Cast { expr, type_name } => {
            constant_info(expr)?;
            let name = type_name.as_ref().map_or("", |t| t.name.as_str());
            Some(Info {
                affinity: Some(Affinity::from_type_name(name)),
                collation: None,
            })
        }
        _ => None,
    }
}

fn rowid_info() -> Info {
    Info {
        affinity: Some(Affinity::Integer),
        collation: None,
    }
}

/// The rowid bounds a condition gives (`true`: lower): `rowid < x`, `x >= rowid`, …, and
/// `rowid BETWEEN x AND y`, with the rowid of this level's table and values known before it.
fn rowid_bounds<'e>(cond: &Cond<'e>, level: usize, sc: &Scope<'_>) -> Vec<(bool, Bound<'e>)> {
    let Cond::Ast(e) = cond else {
        return Vec::new();
    };
    let cursor = sc.sources[level].cursor;
    let later: Vec<CursorId> = sc.sources[level..].iter().map(|s| s.cursor).collect();
    let is_rowid = |x: &ast::Expr| {
        own_column(x, sc).is_some_and(|r| r.cursor == cursor && r.read == ColRead::Rowid)
    };
    let bound = |value: &'e ast::Expr, strict: bool| {
        value_info(value, sc, &later).map(|value_info| Bound {
            value,
            value_info,
            strict,
        })
    };
    match &e.kind {
        ExprKind::Binary(l, op, r) => {
            // (is lower, strict) for `rowid op value`.
            let shape = match op {
                BinaryOp::Gt => (true, true),
                BinaryOp::Ge => (true, false),
                BinaryOp::Lt => (false, true),
                BinaryOp::Le => (false, false),
                _ => return Vec::new(),
            };
            let (value, (lower, strict)) = if is_rowid(l) {
                (&**r, shape)
            } else if is_rowid(r) {
                (&**l, (!shape.0, shape.1))
            } else {
                return Vec::new();
            };
            bound(value, strict)
                .map(|b| (lower, b))
                .into_iter()
                .collect()
        }
        ExprKind::Between {
            expr,
            not: false,
            low,
            high,
        } if is_rowid(expr) => [(true, &**low), (false, &**high)]
            .into_iter()
            .filter_map(|(lower, v)| bound(v, false).map(|b| (lower, b)))
            .collect(),
        _ => Vec::new(),
    }
}

/// `column = v1 OR column = v2 …` on one column of the level's table as an IN list term, as
/// SQLite rewrites it: each value known before the level, with no affinity but the column's
/// and no collation of its own, so that `column IN (v1, v2, …)` compares exactly as the `=`s
/// do. The OR itself stays in the level's list.
fn or_as_in<'e>(
    cond_index: usize,
    e: &'e ast::Expr,
    cursor: CursorId,
    later: &[CursorId],
    sc: &Scope<'_>,
) -> Option<EqTerm<'e>> {
    let mut branches = Vec::new();
    super::multi_or::split_or(e, &mut branches);
    let mut column: Option<Resolved> = None;
    let mut values = Vec::new();
    for branch in branches {
        let ExprKind::Binary(left, BinaryOp::Eq, right) = &branch.kind else {
            return None;
        };
        let (col, value) = [(left, right), (right, left)]
            .into_iter()
            .find_map(|(c, v)| {
                let col = own_column(c, sc).filter(|r| r.cursor == cursor)?;
                Some((col, v))
            })?;
        let info = value_info(value, sc, later)?;
        let own_affinity = col.affinity.unwrap_or(Affinity::Blob);
        let affinity_ok = info.affinity.is_none_or(|a| a == own_affinity);
        let collation_ok = info.collation.is_none_or(|(_, explicit)| !explicit);
        if !affinity_ok || !collation_ok || column.is_some_and(|c| c != col) {
            return None;
        }
        column = Some(col);
        values.push(&**value);
    }
    Some(EqTerm {
        cond: cond_index,
        column: column?,
        value: e,
        value_info: Info::default(),
        column_left: true,
        list: Some(InValues::Or(values)),
    })
}
