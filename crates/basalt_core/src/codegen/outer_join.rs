//! The nested loops over a query's FROM sources, with LEFT, RIGHT and FULL OUTER JOIN.
//!
//! Sources are visited in the scope's order (FROM order, or the one `join_order.rs` chose),
//! each by the access path its conditions allow (`auto_index.rs`, `access.rs`: a rowid lookup,
//! an index seek, an automatic index, or a scan; an outer join level seeks with its ON
//! conditions only). A LEFT (or FULL) join level remembers whether its ON
//! conditions matched for the current outer row and, if not, runs the inner levels once more
//! with the source's cursor on a null row. A RIGHT (or FULL) join level `r` records the rowid of
//! every row of source `r` whose ON conditions held in a per-join set; after the main loops, one
//! extra pass per such join (in FROM order) scans source `r` again, keeps the rows not in the
//! set, puts every source before `r` on a null row, and runs the levels after `r` and the body
//! as usual. This is SQLite 3.39's semantics: `a RIGHT JOIN b` is every match plus each
//! unmatched row of `b` with NULLs for `a`, and the passes compose left to right.
//!
//! Invariants:
//! - A WHERE conjunct is tested at the innermost loop of the sources it reads, after that
//!   source's null row is made, and never before the last RIGHT/FULL join level: each extra
//!   pass starts at its join's level, so every WHERE conjunct is tested in every pass.
//! - A row is recorded as matched after its join's ON conditions and before any WHERE
//!   conjunct: WHERE filters the joined rows, it does not decide which rows matched.
//! - The ON conditions of a RIGHT join belong to its level alone, as they decide matching.
//! - Every source cursor has a rowid (b-tree tables, and ephemeral tables for subqueries,
//!   views and CTEs, whose rows get consecutive rowids), so the matched set is keyed by it.

use super::access::Advance;
use super::auto_index::LevelAccess;
use super::scope::Scope;
use super::select::Cond;
use super::{Ctx, Label};
use crate::error::Result;
use crate::record::{Collation, KeyColumn, KeyInfo, SortOrder};
use crate::vdbe::{CursorId, Insn, Reg};

/// A join level with outer-join behaviour or its own ON conditions.
pub(super) struct OuterJoin<'e> {
    /// The source's position in FROM.
    pub level: usize,
    /// Conditions tested at the top of the level (the ON clause of an outer join).
    pub on: Vec<Cond<'e>>,
    /// LEFT or FULL: a null row when no row of the source matched.
    pub left: bool,
    /// RIGHT or FULL: rows of this source that never matched are emitted at the end.
    pub right: bool,
}

/// One open loop, closed in reverse order.
struct LoopLevel {
    cursor: CursorId,
    advance: Advance,
    next: Label,
    top: Label,
    /// LEFT JOIN: the match flag, the label testing it, and where the null row re-enters.
    check_match: Option<(Reg, Label, Label)>,
}

/// The conditions each level tests, and the matched-rowid set of each RIGHT/FULL join level.
struct Plan<'c, 'e> {
    at_level: Vec<Vec<&'c Cond<'e>>>,
    joins: &'c [OuterJoin<'e>],
    matched: Vec<(usize, CursorId)>,
}

impl Ctx<'_> {
    /// The nested loops over the scope's sources in the scope's order, with conditions at the
    /// innermost loop of the sources they read; `body` is generated at the innermost level
    /// (once per pass). `join_order.rs` chooses the order.
    pub(super) fn loops_in_order<'e>(
        &mut self,
        sc: &Scope<'_>,
        conds: &[(Cond<'e>, Option<usize>)],
        joins: &[OuterJoin<'e>],
        body: &mut dyn FnMut(&mut Self, &Scope<'_>) -> Result<()>,
    ) -> Result<()> {
        let n = sc.sources.len();
        let where_floor = joins
            .iter()
            .filter(|j| j.right)
            .map(|j| j.level)
            .max()
            .unwrap_or(0);
        let mut at_level: Vec<Vec<&Cond<'e>>> = (0..=n).map(|_| Vec::new()).collect();
        for (cond, min_level) in conds {
            let floor = min_level.unwrap_or(where_floor);
            let level = self.cond_level(cond, sc)?.max(floor);
            at_level[level.min(n)].push(cond);
        }
        let mut matched = Vec::new();
        for j in joins.iter().filter(|j| j.right) {
            let set = self.b.cursor();
            self.b.emit(Insn::OpenEphemeral {
                cursor: set,
                key: Some(KeyInfo::new(vec![KeyColumn::new(
                    Collation::Binary,
                    SortOrder::Asc,
                )])),
            });
            matched.push((j.level, set));
        }
        let plan = Plan {
            at_level,
            joins,
            matched,
        };
        let done = self.b.label();
        for cond in &plan.at_level[n] {
            self.test_cond(cond, sc, done)?;
        }
        // An empty source ends the main pass, not the unmatched-row passes after it.
        let main_end = self.b.label();
        let accesses = self.prepare_levels(sc, &plan, 0);
        self.nest(sc, &plan, 0, accesses, main_end, body)?;
        self.b.place(main_end);
        for &(level, set) in &plan.matched {
            self.unmatched_pass(sc, &plan, level, set, body)?;
        }
        self.b.place(done);
        Ok(())
    }

    /// The access paths of levels `from..`, emitting what must run before their loops (the
    /// reset of an automatic index's flag).
    fn prepare_levels<'e>(
        &mut self,
        sc: &Scope<'_>,
        plan: &Plan<'_, 'e>,
        from: usize,
    ) -> Vec<LevelAccess<'e>> {
        let mut accesses: Vec<LevelAccess<'e>> = (from..sc.sources.len())
            .map(|level| {
                let join = plan.joins.iter().find(|j| j.level == level);
                self.level_access(sc, level, &plan.at_level[level], join)
            })
            .collect();
        for a in &mut accesses {
            self.reset_auto_index(&mut a.access);
        }
        accesses
    }

    /// Levels `from..` as nested loops around `body`, by the `accesses` `prepare_levels` chose;
    /// an empty first level goes to `exit`.
    fn nest(
        &mut self,
        sc: &Scope<'_>,
        plan: &Plan<'_, '_>,
        from: usize,
        accesses: Vec<LevelAccess<'_>>,
        exit: Label,
        body: &mut dyn FnMut(&mut Self, &Scope<'_>) -> Result<()>,
    ) -> Result<()> {
        let mut levels: Vec<LoopLevel> = Vec::new();
        for (level, chosen) in (from..sc.sources.len()).zip(accesses) {
            let cursor = sc.sources[level].cursor;
            let next = self.b.label();
            let check_match = self.b.label();
            let join = plan.joins.iter().find(|j| j.level == level);
            let matched = join.filter(|j| j.left).map(|_| self.b.reg());
            if let Some(m) = matched {
                self.b.emit(Insn::Integer { value: 0, dest: m });
            }
            let empty_target = if matched.is_some() {
                check_match
            } else {
                levels.last().map_or(exit, |l| l.next)
            };
            if join.is_some_and(|j| j.right) {
                self.plan_refuse("RIGHT and FULL joins");
            }
            self.plan_loop(
                &chosen.access,
                &sc.sources[level],
                join.is_some_and(|j| j.left),
            );
            // The access path its conditions allow (`auto_index.rs`, `access.rs`); the
            // conditions a path tests itself are not tested again.
            let used = chosen.access.used_conds();
            let (top, advance) =
                self.open_access(&chosen.access, cursor, sc, empty_target, next)?;
            let (used_on, used_here) = if chosen.from_on {
                (used, Vec::new())
            } else {
                (Vec::new(), used)
            };
            if let Some(j) = join {
                for (i, c) in j.on.iter().enumerate() {
                    if !used_on.contains(&i) {
                        self.test_cond(c, sc, next)?;
                    }
                }
            }
            if let Some(&(_, set)) = plan.matched.iter().find(|(l, _)| *l == level) {
                let rowid = self.b.reg();
                self.b.emit(Insn::Rowid {
                    cursor,
                    dest: rowid,
                });
                self.b.idx_insert_record(set, rowid, 1);
            }
            let inner = self.b.label();
            if let Some(m) = matched {
                self.b.emit(Insn::Integer { value: 1, dest: m });
            }
            self.b.place(inner);
            for (i, cond) in plan.at_level[level].iter().enumerate() {
                if !used_here.contains(&i) {
                    self.test_cond(cond, sc, next)?;
                }
            }
            levels.push(LoopLevel {
                cursor,
                advance,
                next,
                top,
                check_match: matched.map(|m| (m, check_match, inner)),
            });
        }
        body(self, sc)?;
        while let Some(level) = levels.pop() {
            self.close_level(level);
        }
        Ok(())
    }

    fn close_level(&mut self, level: LoopLevel) {
        self.b.place(level.next);
        self.advance(level.advance, level.top);
        if let Some((m, check, inner)) = level.check_match {
            self.b.place(check);
            let end = self.b.label();
            self.b.emit(Insn::If {
                reg: m,
                target: self.b.to(end),
                if_null: false,
            });
            self.b.emit(Insn::NullRow {
                cursor: level.cursor,
            });
            self.b.emit(Insn::Integer { value: 1, dest: m });
            self.b.emit(Insn::Goto {
                target: self.b.to(inner),
            });
            self.b.place(end);
        }
    }

    /// The rows of RIGHT/FULL join source `level` that matched nothing, with every source
    /// before it on a null row, through the levels after it.
    fn unmatched_pass(
        &mut self,
        sc: &Scope<'_>,
        plan: &Plan<'_, '_>,
        level: usize,
        set: CursorId,
        body: &mut dyn FnMut(&mut Self, &Scope<'_>) -> Result<()>,
    ) -> Result<()> {
        for s in &sc.sources[..level] {
            self.b.emit(Insn::NullRow { cursor: s.cursor });
        }
        // Only the outermost loop reads a co-routine, and a RIGHT join is never the outermost.
        debug_assert!(sc.sources[level].coroutine.is_none());
        let cursor = sc.sources[level].cursor;
        let end = self.b.label();
        let next = self.b.label();
        let top = self.b.label();
        // Before the scan: an automatic index of a later level is built once per pass.
        let accesses = self.prepare_levels(sc, plan, level + 1);
        self.b.emit(Insn::Rewind {
            cursor,
            if_empty: self.b.to(end),
        });
        self.b.place(top);
        let rowid = self.b.reg();
        self.b.emit(Insn::Rowid {
            cursor,
            dest: rowid,
        });
        self.b.emit(Insn::Found {
            cursor: set,
            key: rowid,
            count: 1,
            target: self.b.to(next),
        });
        for cond in &plan.at_level[level] {
            self.test_cond(cond, sc, next)?;
        }
        self.nest(sc, plan, level + 1, accesses, next, body)?;
        self.close_level(LoopLevel {
            cursor,
            advance: Advance::Next(cursor),
            next,
            top,
            check_match: None,
        });
        self.b.place(end);
        Ok(())
    }
}
