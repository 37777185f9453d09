//! MULTI-INDEX OR: a loop whose only usable term is `A OR B OR …`, each branch of which can
//! seek on its own (a rowid lookup or range, an index seek), visits the rows each branch
//! finds instead of scanning the table, as SQLite does.
//!
//! Invariants:
//! - The rows come in SQLite's order: the first branch's, in its seek's order, then those of
//!   the next branch not seen yet, and so on. Each row is visited once: the branches' rowids
//!   go through a set, and the new ones are appended to a list the loop then walks.
//! - The seeks only narrow the rows: the OR term stays in the level's list and is tested
//!   exactly on every row, so a branch's seek may find too much, never too little (each
//!   branch's own terms are tested by its seek or not at all).
//! - Every branch must seek: one that would scan makes the whole term a scan. Branches that
//!   all compare one column with `=` are an IN list first (`access::or_as_in`), as in SQLite.

use super::access::{Access, Advance};
use super::scope::Scope;
use super::select::{split_and, Cond};
use super::{Ctx, Label};
use crate::error::Result;
use crate::record::KeyInfo;
use crate::vdbe::{CursorId, Insn};
use basalt_parser::ast::{self, BinaryOp, ExprKind};

/// The branches of an OR term, each with the seek that finds its rows.
pub(super) struct MultiOr<'e> {
    pub branches: Vec<Access<'e>>,
}

impl<'a> Ctx<'a> {
    /// The MULTI-INDEX OR over the first OR term among `here` whose branches can all seek on
    /// the table of loop `level`, if any.
    pub(super) fn multi_or<'e>(
        &self,
        level: usize,
        here: &[&Cond<'e>],
        sc: &Scope<'_>,
    ) -> Option<MultiOr<'e>> {
        here.iter().find_map(|cond| {
            let Cond::Ast(e) = cond else { return None };
            let mut branches = Vec::new();
            split_or(e, &mut branches);
            if branches.len() < 2 {
                return None;
            }
            let accesses: Option<Vec<Access<'e>>> = branches
                .into_iter()
                .map(|b| {
                    let mut parts = Vec::new();
                    split_and(b, &mut parts);
                    let conds: Vec<Cond<'e>> = parts.into_iter().map(Cond::Ast).collect();
                    let refs: Vec<&Cond<'e>> = conds.iter().collect();
                    let access = self.choose_access(level, &refs, sc);
                    access.seeks().then_some(access)
                })
                .collect();
            Some(MultiOr {
                branches: accesses?,
            })
        })
    }

    /// Opens the loop of `m` over the table on `cursor`: each branch's seek gathers the rowids
    /// it finds (new ones only) into a list, which the loop then walks, positioning `cursor`
    /// on each row in turn (`exit` when the list is empty; a row gone meanwhile, `next`).
    pub(super) fn open_multi_or(
        &mut self,
        m: &MultiOr<'_>,
        cursor: CursorId,
        sc: &Scope<'_>,
        exit: Label,
        next: Label,
    ) -> Result<(Label, Advance)> {
        let (seen, list) = (self.b.cursor(), self.b.cursor());
        self.b.emit(Insn::OpenEphemeral {
            cursor: seen,
            key: Some(KeyInfo::binary(1)),
        });
        self.b.emit(Insn::OpenEphemeral {
            cursor: list,
            key: None,
        });
        let left = self.plan_take_left_join();
        let parent = self.plan_open_parent();
        for (i, branch) in m.branches.iter().enumerate() {
            self.plan_note(|| format!("INDEX {}", i + 1));
            let row = self.plan_open_parent();
            if let Some(source) = sc.sources.iter().find(|s| s.cursor == cursor) {
                self.plan_loop(branch, source, left);
            }
            let (branch_exit, branch_next) = (self.b.label(), self.b.label());
            let (top, advance) = self.open_access(branch, cursor, sc, branch_exit, branch_next)?;
            // The branch's row is read again in the walk: its own loop stays `USING INDEX`.
            advance.keep_plan_rows(self);
            let rowid = self.b.reg();
            self.b.emit(Insn::Rowid {
                cursor,
                dest: rowid,
            });
            self.b.insert_if_new(seen, rowid, branch_next);
            self.b.append_record(list, rowid, 1);
            self.b.place(branch_next);
            self.advance(advance, top);
            self.b.place(branch_exit);
            self.plan_close_parent(row);
        }
        self.plan_close_parent(parent);
        let rowid = self.b.reg();
        self.b.emit(Insn::Rewind {
            cursor: list,
            if_empty: self.b.to(exit),
        });
        let top = self.b.label();
        self.b.place(top);
        self.b.emit(Insn::Column {
            cursor: list,
            column: 0,
            dest: rowid,
            default: None,
        });
        self.b.emit(Insn::SeekRowid {
            cursor,
            rowid,
            not_found: self.b.to(next),
        });
        Ok((top, Advance::Next(list)))
    }
}

/// The branches of `e` joined by OR, in order.
pub(super) fn split_or<'e>(e: &'e ast::Expr, out: &mut Vec<&'e ast::Expr>) {
    match &e.kind {
        ExprKind::Binary(l, BinaryOp::Or, r) => {
            split_or(l, out);
            split_or(r, out);
        }
        _ => out.push(e),
    }
}
