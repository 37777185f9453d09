//! Automatic indexes, as SQLite builds them: an inner loop that would scan its whole source once
//! per outer row, and has a condition `source.column = <value known before the loop>` but no
//! index to seek, first copies the keys of every row of the source (a table, or the ephemeral
//! table a subquery, view or CTE was materialized into) into a transient index, then seeks
//! that index once per outer row. A join of two unindexed tables of n rows then costs
//! O(n log n) instead of O(n²).
//!
//! Invariants:
//! - The index is built once per run of the loops it belongs to, on the first entry to its
//!   level (nothing is built when no outer row reaches it): a flag register reset before the
//!   outermost loop says whether it is built. A correlated subquery, which runs its loops again
//!   for each outer row, so rebuilds it from the rows its source has at that time.
//! - An entry is the key columns, each converted by its comparison's affinity (as the
//!   comparison converts both operands), then the row's rowid; the key columns are ordered by
//!   the comparison's collation. The seek key is the value converted the same way. Every row
//!   whose comparison holds therefore has an entry equal to the key, and entries with equal
//!   keys come in rowid order, the order a scan visits them in.
//! - Like every seek, the index only narrows the rows visited: the conditions it was built
//!   from stay in the level's list and are tested exactly on each row it finds. A NULL key
//!   finds nothing, as `x = NULL` holds for no row.
//! - A term is used only where SQLite would use it (`sqlite3IndexAffinityOk`), so the same
//!   queries get automatic indexes as in SQLite; a LEFT JOIN's inner source uses its ON
//!   conditions only (WHERE conditions apply after its null row), and RIGHT/FULL join
//!   sources, co-routines and the outermost loop never get one.

use super::access::{affinity_ok, eq_term, term_collation, Access, Advance};
use super::expr::{binary_collation, comparison_affinity, Info};
use super::outer_join::OuterJoin;
use super::scope::{ColRead, Resolved, Scope};
use super::select::Cond;
use super::{Ctx, Label};
use crate::btree::SeekOp;
use crate::error::{Error, ErrorCode, Result};
use crate::record::{Collation, KeyColumn, KeyInfo, SortOrder};
use crate::sql::affinity::Affinity;
use crate::vdbe::{CmpOp, CursorId, Insn, Reg};
use basalt_parser::ast;

/// A transient index over one loop level's source, keyed by its equality terms.
pub(super) struct AutoIndex<'e> {
    source: String,
    terms: Vec<KeyTerm<'e>>,
    /// Whether the index is built in the current run of the loops; allocated and reset before
    /// the outermost loop (`Ctx::reset_auto_index`).
    built: Option<Reg>,
}

/// One key column: `column = value` compared with `affinity` and `collation`.
struct KeyTerm<'e> {
    column: Resolved,
    name: String,
    value: KeyValue<'e>,
    affinity: Affinity,
    collation: Collation,
}

/// The value side of a key term, known before the level's loop.
enum KeyValue<'e> {
    Expr(&'e ast::Expr),
    /// A column of an earlier source (a USING or NATURAL join's equality).
    Column(Resolved),
}

impl AutoIndex<'_> {
    /// The number of equality terms the index is keyed by.
    pub(super) fn key_count(&self) -> usize {
        self.terms.len()
    }

    /// SQLite's EXPLAIN QUERY PLAN line for the level, e.g.
    /// `SEARCH t2 USING AUTOMATIC COVERING INDEX (b=?)` (EXPLAIN QUERY PLAN adds ` LEFT-JOIN`
    /// for the inner source of a LEFT JOIN).
    pub(super) fn eqp(&self) -> String {
        let keys: Vec<String> = self.terms.iter().map(|t| format!("{}=?", t.name)).collect();
        format!(
            "SEARCH {} USING AUTOMATIC COVERING INDEX ({})",
            self.source,
            keys.join(" AND ")
        )
    }
}

/// A level's access path and the list of conditions its positions refer to.
pub(super) struct LevelAccess<'e> {
    pub access: Access<'e>,
    /// The path was built from the join's ON conditions (a LEFT JOIN level), not from the
    /// conditions tested at the level.
    pub from_on: bool,
}

impl Ctx<'_> {
    /// The access path of loop `level`: a lazy first source reads its co-routine; an outer join
    /// level seeks with its ON conditions (WHERE conditions apply after its null row, and its
    /// unmatched-row pass scans on its own); any other with the conditions tested there. Where
    /// no rowid or index seek applies, an automatic index if a term allows one — never for a
    /// RIGHT or FULL join's source, as in SQLite.
    pub(super) fn level_access<'e>(
        &self,
        sc: &Scope<'_>,
        level: usize,
        here: &[&Cond<'e>],
        join: Option<&OuterJoin<'e>>,
    ) -> LevelAccess<'e> {
        if let Some(reg) = sc.sources[level].coroutine {
            return LevelAccess {
                access: Access::Coroutine(reg),
                from_on: false,
            };
        }
        let on: Vec<&Cond<'e>>;
        let (conds, from_on, auto_ok) = match join {
            Some(j) => {
                on = j.on.iter().collect();
                (&on[..], true, !j.right)
            }
            None => (here, false, true),
        };
        let mut access = self.choose_access(level, conds, sc);
        let indexable = !self.has_index_hint(sc.sources[level].cursor);
        if auto_ok && indexable && matches!(access, Access::Scan) && level > 0 {
            if let Some(auto) = auto_index(level, conds, sc) {
                access = Access::Auto(auto);
            }
        }
        LevelAccess { access, from_on }
    }

    /// Before the outermost loop: an automatic index is not built yet in this run.
    pub(super) fn reset_auto_index(&mut self, access: &mut Access<'_>) {
        if let Access::Auto(auto) = access {
            let reg = self.b.reg();
            self.b.emit(Insn::Integer {
                value: 0,
                dest: reg,
            });
            auto.built = Some(reg);
        }
    }

    /// Builds the index on the first entry to the level, then seeks it for the current key:
    /// the loop walks the entries equal to the key and positions the source on each one's row.
    pub(super) fn open_auto_index(
        &mut self,
        auto: &AutoIndex<'_>,
        cursor: CursorId,
        sc: &Scope<'_>,
        exit: Label,
        next: Label,
    ) -> Result<(Label, Advance)> {
        let built = auto.built.ok_or_else(|| {
            Error::new(ErrorCode::Internal, "automatic index used before its reset")
        })?;
        let index = self.b.cursor();
        let k = auto.terms.len();
        let affinities: Vec<Affinity> = auto.terms.iter().map(|t| t.affinity).collect();
        let ready = self.b.label();
        self.b.emit(Insn::If {
            reg: built,
            target: self.b.to(ready),
            if_null: false,
        });
        self.b.emit(Insn::Integer {
            value: 1,
            dest: built,
        });
        let mut columns: Vec<KeyColumn> = auto
            .terms
            .iter()
            .map(|t| KeyColumn::new(t.collation, SortOrder::Asc))
            .collect();
        columns.push(KeyColumn::new(Collation::Binary, SortOrder::Asc));
        self.b.emit(Insn::OpenEphemeral {
            cursor: index,
            key: Some(KeyInfo::new(columns)),
        });
        let scan = self.b.scan_start(cursor);
        let entry = self.b.regs(k + 1);
        for (i, t) in auto.terms.iter().enumerate() {
            self.column_read(&t.column, sc, entry + i);
        }
        self.b.emit(Insn::Affinity {
            start: entry,
            affinities: affinities.clone(),
        });
        self.b.emit(Insn::Rowid {
            cursor,
            dest: entry + k,
        });
        self.b.idx_insert_record(index, entry, k + 1);
        self.b.scan_end(scan);
        self.b.place(ready);

        let key = self.b.regs(k);
        for (i, t) in auto.terms.iter().enumerate() {
            match &t.value {
                KeyValue::Expr(e) => {
                    self.expr(e, sc, key + i)?;
                }
                KeyValue::Column(r) => self.column_read(r, sc, key + i),
            }
        }
        self.b.emit(Insn::Affinity {
            start: key,
            affinities,
        });
        for i in 0..k {
            // `x = NULL` holds for no row.
            self.b.emit(Insn::IsNull {
                reg: key + i,
                target: self.b.to(exit),
            });
        }
        self.b.emit(Insn::SeekIndex {
            cursor: index,
            op: SeekOp::Ge,
            key,
            count: k,
            not_found: self.b.to(exit),
        });
        let top = self.b.label();
        self.b.place(top);
        self.b.emit(Insn::IdxCompare {
            cursor: index,
            op: CmpOp::Gt,
            key,
            count: k,
            target: self.b.to(exit),
        });
        let rowid = self.b.reg();
        self.b.emit(Insn::IdxRowid {
            cursor: index,
            dest: rowid,
        });
        self.b.emit(Insn::SeekRowid {
            cursor,
            rowid,
            not_found: self.b.to(next),
        });
        Ok((top, Advance::Next(index)))
    }
}

/// The automatic index level `level` can use: one key column per usable equality term (the
/// first term on each column), or `None` if no term is usable.
fn auto_index<'e>(level: usize, conds: &[&Cond<'e>], sc: &Scope<'_>) -> Option<AutoIndex<'e>> {
    let source = &sc.sources[level];
    let mut terms: Vec<KeyTerm<'e>> = Vec::new();
    for (i, cond) in conds.iter().enumerate() {
        let Some(term) = key_term(i, cond, level, sc) else {
            continue;
        };
        let usable = term.column.alt.is_none()
            && term.column.read != ColRead::Rowid
            && affinity_ok(
                term.affinity,
                term.column.affinity.unwrap_or(Affinity::Blob),
            );
        if usable && !terms.iter().any(|t| t.column.read == term.column.read) {
            terms.push(term);
        }
    }
    if terms.is_empty() {
        return None;
    }
    Some(AutoIndex {
        source: source.plan_name().to_string(),
        terms,
        built: None,
    })
}

/// `column = value` with the column on the level's source and a value known before its loop.
fn key_term<'e>(i: usize, cond: &Cond<'e>, level: usize, sc: &Scope<'_>) -> Option<KeyTerm<'e>> {
    let source = &sc.sources[level];
    // A table's own name for its column (a flattened subquery may show it under another).
    let name_of = |column: &Resolved| {
        let at = source.columns.iter().position(|c| c.read == column.read)?;
        match source.table.as_ref().and_then(|t| t.columns.get(at)) {
            Some(c) => Some(c.name.clone()),
            None => Some(source.columns[at].name.clone()),
        }
    };
    match cond {
        Cond::Ast(_) => {
            // An IN list is one seek per value, not a key an index built once can take.
            let t = eq_term(i, cond, level, sc, &|_| None).filter(|t| t.list.is_none())?;
            Some(KeyTerm {
                column: t.column,
                name: name_of(&t.column)?,
                value: KeyValue::Expr(t.value),
                affinity: t.affinity(),
                collation: term_collation(&t),
            })
        }
        Cond::Eq(l, r) => {
            let earlier = |x: &Resolved| {
                !sc.sources[level..].iter().any(|s| s.cursor == x.cursor) && x.alt.is_none()
            };
            let (column, value) = if l.cursor == source.cursor && earlier(r) {
                (*l, *r)
            } else if r.cursor == source.cursor && earlier(l) {
                (*r, *l)
            } else {
                return None;
            };
            // The same operands `test_cond` compares, in the same order.
            let (li, ri) = (column_info(l), column_info(r));
            Some(KeyTerm {
                column,
                name: name_of(&column)?,
                value: KeyValue::Column(value),
                affinity: comparison_affinity(li.affinity, ri.affinity),
                collation: binary_collation(li, ri),
            })
        }
    }
}

fn column_info(r: &Resolved) -> Info {
    Info {
        affinity: Some(r.affinity.unwrap_or(Affinity::Blob)),
        collation: Some((r.collation, false)),
    }
}
