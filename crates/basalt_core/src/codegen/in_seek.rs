//! Seeks for `column IN (list)` and `column IN (SELECT …)`: one seek per distinct value, on
//! the rowid or on an index column, as an extra loop around the level's seek.
//!
//! Invariants:
//! - The list's values are converted by the column's affinity (the IN comparison's) and
//!   gathered in an ephemeral index ordered by the comparison's collation, which is the
//!   index column's (`usable_prefix` checks it): values equal under it (`1`, `1.0`, `'1'` on
//!   a numeric column; `'a'`, `'A'` under NOCASE) make one entry, so no row is visited twice.
//!   NULLs are left out (`x = NULL` holds for no row).
//! - A list's seek only narrows the rows: the IN condition stays in the level's list and is
//!   tested exactly on every row.
//! - A subquery's rows are gathered once, before the loop's first row (it reads nothing
//!   outside itself: `in_select_column`), converted by the comparison's affinity into a set
//!   under the comparison's collation, which `usable_prefix` made sure are the index column's
//!   (the rowid's, for a rowid seek): the seeks then visit exactly the rows for which the IN
//!   is true, so the condition is done with, as in SQLite. NULLs are skipped.
//! - The values are walked in the order the seek's walk needs (ascending for a forward walk
//!   of an ascending column, descending for a DESC column or a backward walk), so an index
//!   is still walked in its order.

use super::access::{Advance, EqTerm, InValues};
use super::query_plan::SubqueryKind;
use super::scope::Scope;
use super::select::Dest;
use super::{Ctx, Label};
use crate::error::Result;
use crate::record::{KeyColumn, KeyInfo, SortOrder};
use crate::vdbe::{CursorId, Insn, Reg};
use basalt_parser::ast;
use std::cell::RefCell;
use std::rc::Rc;

/// The loop over an IN list's distinct values.
pub(super) struct InLoop {
    set: CursorId,
    /// Where the next value is read into `value`.
    top: Label,
    /// Past the seek for one value: on to the next.
    next: Label,
    pub value: Reg,
    /// The values come from the highest down.
    descending: bool,
}

impl Advance {
    /// This advance, inside the loop over `list`'s values when there is one.
    pub(super) fn around(self, list: Option<InLoop>) -> Advance {
        match list {
            Some(list) => Advance::In {
                inner: Box::new(self),
                list,
            },
            None => self,
        }
    }
}

impl Ctx<'_> {
    /// For the IN term among `terms` (at most one): gathers its distinct values and starts the
    /// loop over them (an empty list goes to `exit`). Returns where the seek for one value ends
    /// (the next value) in place of `exit`, and the loop.
    pub(super) fn open_in_loop(
        &mut self,
        terms: &[EqTerm<'_>],
        descending: bool,
        exit: Label,
        sc: &Scope<'_>,
    ) -> Result<(Label, Option<InLoop>)> {
        let Some((term, values)) = terms.iter().find_map(|t| t.list.as_ref().map(|l| (t, l)))
        else {
            return Ok((exit, None));
        };
        debug_assert_eq!(terms.iter().filter(|t| t.list.is_some()).count(), 1);
        let set = self.b.cursor();
        let key = KeyInfo::new(vec![KeyColumn::new(
            super::access::term_collation(term),
            SortOrder::Asc,
        )]);
        let value = self.b.reg();
        let next = self.b.label();
        let list: Vec<&ast::Expr> = match values {
            InValues::List(list) => list.iter().collect(),
            InValues::Or(values) => values.clone(),
            InValues::Select(select) => {
                let lhs = term.infos().0;
                if let Some(source) = self.existing_in(select, lhs, true) {
                    // The values straight from the subquery's table or UNIQUE index.
                    let cursor = self.open_existing_in(&source);
                    let rowids = source.by_rowid();
                    let walk = self.walk_in_set(cursor, value, (exit, next), rowids, descending);
                    return Ok((next, Some(walk)));
                }
                self.gather_in_select(term, select, set, key, sc)?;
                let walk = self.walk_in_set(set, value, (exit, next), false, descending);
                return Ok((next, Some(walk)));
            }
        };
        self.b.emit(Insn::OpenEphemeral {
            cursor: set,
            key: Some(key),
        });
        for item in list {
            let skip = self.b.label();
            self.expr(item, sc, value)?;
            self.b.emit(Insn::KeyAffinity {
                start: value,
                affinities: vec![term.affinity()],
            });
            self.b.emit(Insn::IsNull {
                reg: value,
                target: self.b.to(skip),
            });
            self.b.insert_if_new(set, value, skip);
            self.b.place(skip);
        }
        let walk = self.walk_in_set(set, value, (exit, next), false, descending);
        Ok((next, Some(walk)))
    }

    /// Fills `set` (keyed by `key`) once with the rows of `select`, the subquery of IN term
    /// `term`, each converted by the comparison's affinity; the plan shows it as SQLite's
    /// `LIST SUBQUERY n`.
    fn gather_in_select(
        &mut self,
        term: &EqTerm<'_>,
        select: &ast::Select,
        set: CursorId,
        key: KeyInfo,
        sc: &Scope<'_>,
    ) -> Result<()> {
        let patches = Rc::new(RefCell::new(Vec::new()));
        let out = self.plan_subquery(SubqueryKind::SeekList, term.value.span, |ctx| {
            ctx.once(|ctx| {
                ctx.b.emit(Insn::OpenEphemeral {
                    cursor: set,
                    key: Some(key),
                });
                ctx.select(
                    select,
                    Some(sc),
                    Dest::Set {
                        cursor: set,
                        affinity_patches: Rc::clone(&patches),
                    },
                )
            })
        })?;
        // `in_select_column` took only a subquery of one column that reads nothing outside.
        debug_assert_eq!(out.columns.len(), 1);
        debug_assert!(!out.correlated);
        self.patch_set_affinity(&patches.borrow(), term.affinity());
        Ok(())
    }

    /// Starts the loop over the values in `set` (an empty set goes to `exit`), each read into
    /// `value` (the rowid, where `rowids`: `set` is then a table), from the highest down where
    /// `descending`; `next` moves on to the next one, as does a NULL, which `x = NULL` holds
    /// for no row.
    fn walk_in_set(
        &mut self,
        set: CursorId,
        value: Reg,
        (exit, next): (Label, Label),
        rowids: bool,
        descending: bool,
    ) -> InLoop {
        let if_empty = self.b.to(exit);
        self.b.emit(if descending {
            Insn::Last {
                cursor: set,
                if_empty,
            }
        } else {
            Insn::Rewind {
                cursor: set,
                if_empty,
            }
        });
        let top = self.b.label();
        self.b.place(top);
        if rowids {
            self.b.emit(Insn::Rowid {
                cursor: set,
                dest: value,
            });
        } else {
            self.b.emit(Insn::Column {
                cursor: set,
                column: 0,
                dest: value,
                default: None,
            });
            self.b.emit(Insn::IsNull {
                reg: value,
                target: self.b.to(next),
            });
        }
        InLoop {
            set,
            top,
            next,
            value,
            descending,
        }
    }

    /// Moves a loop that has run its body on to its next row: `top` is the loop's top.
    pub(super) fn advance(&mut self, advance: Advance, top: Label) {
        let target = self.b.to(top);
        match advance {
            Advance::Next(cursor) => {
                self.b.emit(Insn::Next { cursor, target });
            }
            Advance::Prev(cursor) => {
                self.b.emit(Insn::Prev { cursor, target });
            }
            Advance::Resume => {
                self.b.emit(Insn::Goto { target });
            }
            Advance::Once => {}
            Advance::IndexNext {
                cursor,
                cover,
                backward,
            } => {
                if backward {
                    self.b.emit(Insn::Prev { cursor, target });
                } else {
                    self.b.emit(Insn::Next { cursor, target });
                }
                self.cover_end(cover);
            }
            Advance::In { inner, list } => {
                self.advance(*inner, top);
                self.b.place(list.next);
                let (cursor, target) = (list.set, self.b.to(list.top));
                self.b.emit(if list.descending {
                    Insn::Prev { cursor, target }
                } else {
                    Insn::Next { cursor, target }
                });
            }
        }
    }
}
