//! Seeks for `column IN (list)`: one seek per distinct value of the list, on the rowid or on
//! an index column, as an extra loop around the level's seek.
//!
//! Invariants:
//! - The list's values are converted by the column's affinity (the IN comparison's) and
//!   gathered in an ephemeral index ordered by the comparison's collation, which is the
//!   index column's (`usable_prefix` checks it): values equal under it (`1`, `1.0`, `'1'` on
//!   a numeric column; `'a'`, `'A'` under NOCASE) make one entry, so no row is visited twice.
//!   NULLs are left out (`x = NULL` holds for no row).
//! - The seek only narrows the rows: the IN condition stays in the level's list and is tested
//!   exactly on every row.
//! - The values are walked in ascending order, so an index is still walked in its order.

use super::access::{Advance, EqTerm};
use super::scope::Scope;
use super::{Ctx, Label};
use crate::error::Result;
use crate::record::{KeyColumn, KeyInfo, SortOrder};
use crate::vdbe::{CursorId, Insn, Reg};

/// The loop over an IN list's distinct values.
pub(super) struct InLoop {
    set: CursorId,
    /// Where the next value is read into `value`.
    top: Label,
    /// Past the seek for one value: on to the next.
    next: Label,
    pub value: Reg,
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
        exit: Label,
        sc: &Scope<'_>,
    ) -> Result<(Label, Option<InLoop>)> {
        let Some((term, list)) = terms.iter().find_map(|t| t.list.map(|l| (t, l))) else {
            return Ok((exit, None));
        };
        debug_assert_eq!(terms.iter().filter(|t| t.list.is_some()).count(), 1);
        let set = self.b.cursor();
        let collation = super::access::term_collation(term);
        self.b.emit(Insn::OpenEphemeral {
            cursor: set,
            key: Some(KeyInfo::new(vec![KeyColumn::new(
                collation,
                SortOrder::Asc,
            )])),
        });
        let value = self.b.reg();
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
            self.b.emit(Insn::Found {
                cursor: set,
                key: value,
                count: 1,
                target: self.b.to(skip),
            });
            self.b.idx_insert_record(set, value, 1);
            self.b.place(skip);
        }
        self.b.emit(Insn::Rewind {
            cursor: set,
            if_empty: self.b.to(exit),
        });
        let top = self.b.label();
        self.b.place(top);
        self.b.emit(Insn::Column {
            cursor: set,
            column: 0,
            dest: value,
            default: None,
        });
        let next = self.b.label();
        Ok((
            next,
            Some(InLoop {
                set,
                top,
                next,
                value,
            }),
        ))
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
                self.b.emit(Insn::Next {
                    cursor: list.set,
                    target: self.b.to(list.top),
                });
            }
        }
    }
}
