//! Covering-index seeks: when a loop that walks an index reads nothing of its table but
//! columns the index holds (and the rowid), the table lookup is dropped and those reads are
//! served from the index entry — as SQLite's `sqlite3WhereEnd` rewrites `OP_Column`.
//!
//! Invariants:
//! - The decision is made on the finished program, so no reader can be missed: every
//!   instruction naming the table cursor ([`Insn::cursor`], an exhaustive match) inside the
//!   loop must be a read of an indexed column, a rowid read, or the loop's own lookup; outside
//!   the loop only its `OpenRead` may name it. Anything else keeps the table lookup.
//! - A rewritten read returns what the table read would: index entries hold the row's stored
//!   values (the same record encoding, so `RealAffinity` after a REAL column still applies),
//!   and the last field of an entry is the rowid.

use super::query_plan::PlanNotes;
use super::Ctx;
use crate::catalog::Index;
use crate::vdbe::{Addr, CursorId, Insn};

/// A loop over `index` entries that looks up each row of its table.
pub(super) struct CoverCandidate {
    table: CursorId,
    index: CursorId,
    /// (table column, position in the index entry) for each plain column of the index.
    positions: Vec<(usize, usize)>,
    /// The loop's first instruction, and the table lookup in it.
    start: Addr,
    lookup: Addr,
    /// Past the loop's last instruction, once the loop is closed.
    end: Option<Addr>,
    /// The plan row describing the loop, if a plan is being noted.
    plan_row: Option<usize>,
}

impl Ctx<'_> {
    /// Registers the loop starting at `start` over `index` (cursor `idx`) whose table lookup on
    /// `table` is at `lookup`; returns its number for [`Ctx::cover_end`].
    pub(super) fn cover_candidate(
        &mut self,
        table: CursorId,
        idx: CursorId,
        index: &Index,
        start: Addr,
        lookup: Addr,
    ) -> usize {
        let positions = index
            .columns
            .iter()
            .enumerate()
            .filter_map(|(pos, c)| c.column.map(|n| (n, pos)))
            .collect();
        let plan_row = self.plan.as_ref().and_then(PlanNotes::last_row);
        self.covering.push(CoverCandidate {
            table,
            index: idx,
            positions,
            start,
            lookup,
            end: None,
            plan_row,
        });
        self.covering.len() - 1
    }

    /// Marks where candidate `id`'s loop ends (here).
    pub(super) fn cover_end(&mut self, id: usize) {
        let end = self.b.addr();
        if let Some(c) = self.covering.get_mut(id) {
            c.end = Some(end);
        }
    }

    /// Rewrites every candidate loop whose table reads the index covers.
    pub(super) fn apply_covering(&mut self) {
        for c in std::mem::take(&mut self.covering) {
            let Some(rewrites) = self.cover_rewrites(&c) else {
                continue;
            };
            for (addr, insn) in rewrites {
                self.b.replace(addr, insn);
            }
            if let (Some(notes), Some(row)) = (&mut self.plan, c.plan_row) {
                notes.mark_covering(row);
            }
        }
    }

    /// The instructions to replace for candidate `c`, or `None` if the table is read for
    /// anything the index does not hold.
    fn cover_rewrites(&self, c: &CoverCandidate) -> Option<Vec<(Addr, Insn)>> {
        let end = c.end?;
        let mut rewrites = Vec::new();
        for addr in 0..self.b.addr() {
            let insn = self.b.insn(addr)?;
            if insn.cursor() != Some(c.table) {
                continue;
            }
            let inside = (c.start..end).contains(&addr);
            let new = match insn {
                Insn::OpenRead { .. } if !inside => continue,
                _ if !inside => return None,
                Insn::SeekRowid { .. } if addr == c.lookup => Insn::Noop,
                Insn::Rowid { dest, .. } => Insn::IdxRowid {
                    cursor: c.index,
                    dest: *dest,
                },
                Insn::Column {
                    column,
                    dest,
                    default,
                    ..
                } => {
                    let &(_, pos) = c.positions.iter().find(|(n, _)| n == column)?;
                    Insn::Column {
                        cursor: c.index,
                        column: pos,
                        dest: *dest,
                        default: default.clone(),
                    }
                }
                _ => return None,
            };
            rewrites.push((addr, new));
        }
        Some(rewrites)
    }
}
