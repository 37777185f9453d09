//! Covering-index seeks: when a loop that walks an index reads nothing of its table but
//! columns the index holds (and the rowid), the table lookup is dropped and those reads are
//! served from the index entry — as SQLite's `sqlite3WhereEnd` rewrites `OP_Column`.
//!
//! Covering-index scans: a full scan of a table that reads only columns some index holds
//! walks that index instead, whose entries are narrower, choosing the index as SQLite does
//! (`ScanCandidate`).
//!
//! Invariants:
//! - The decision is made on the finished program, so no reader can be missed: every
//!   instruction naming the table cursor ([`Insn::cursor`], an exhaustive match) inside the
//!   loop must be a read of an indexed column, a rowid read, or the loop's own lookup; outside
//!   the loop only its `OpenRead` and a LEFT JOIN's `NullRow` (moved to the index cursor) may
//!   name it. Anything else keeps the table lookup. A scan turned into an index walk obeys
//!   the same rule, and keeps the table's order wherever an ORDER BY (or min/max) relies on
//!   it (`Ctx::order_kept`).
//! - A rewritten read returns what the table read would: index entries hold the row's stored
//!   values (the same record encoding, so `RealAffinity` after a REAL column still applies),
//!   and the last field of an entry is the rowid.

use super::estimate::log_est;
use super::query_plan::PlanNotes;
use super::scope::Scope;
use super::Ctx;
use crate::catalog::{Column, Index, Table};
use crate::sql::affinity::Affinity;
use crate::vdbe::{Addr, CursorId, Insn, Root};
use std::rc::Rc;

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

    /// Makes `row` the plan row candidate `id` rewrites.
    pub(super) fn set_cover_plan_row(&mut self, id: usize, row: Option<usize>) {
        if let Some(c) = self.covering.get_mut(id) {
            c.plan_row = row;
        }
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
        for c in std::mem::take(&mut self.covering_scans) {
            self.apply_covering_scan(c);
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
                // A LEFT JOIN's row without a match: the reads, now from the index, read NULL.
                Insn::NullRow { .. } => Insn::NullRow { cursor: c.index },
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

/// A full forward scan of `table` over `cursor`, which may walk an index instead.
pub(super) struct ScanCandidate {
    cursor: CursorId,
    table: Rc<Table>,
    /// The plan row describing the loop, if a plan is being noted.
    plan_row: Option<usize>,
}

impl Ctx<'_> {
    /// Registers the full scan about to be emitted over `cursor`, if it is a table's.
    pub(super) fn cover_scan_candidate(&mut self, cursor: CursorId, sc: &Scope<'_>) {
        if self.order_kept.borrow().contains(&cursor) || self.has_index_hint(cursor) {
            return;
        }
        let Some(source) = sc.sources.iter().find(|s| s.cursor == cursor) else {
            return;
        };
        let Some(table) = source.table.as_ref().filter(|_| source.coroutine.is_none()) else {
            return;
        };
        let plan_row = self.plan.as_ref().and_then(PlanNotes::last_row);
        self.covering_scans.push(ScanCandidate {
            cursor,
            table: table.clone(),
            plan_row,
        });
    }

    /// Turns scan `c` into a walk over the index SQLite would scan, if one covers its reads.
    fn apply_covering_scan(&mut self, c: ScanCandidate) {
        let Some(reads) = self.scan_reads(c.cursor) else {
            return;
        };
        let Some((index, positions)) =
            covering_scan_index(self.catalog.index_list(&c.table), &c.table, &reads.columns)
        else {
            return;
        };
        let (name, root, key) = (index.name.clone(), index.root, index.key_info());
        for addr in reads.at {
            let new = match self.b.insn(addr) {
                Some(Insn::OpenRead { cursor, db, .. }) => Insn::OpenRead {
                    cursor: *cursor,
                    db: *db,
                    root: Root::Page(root),
                    key: Some(key.clone()),
                },
                Some(Insn::Column {
                    cursor,
                    column,
                    dest,
                    default,
                }) => {
                    let Some(&(_, pos)) = positions.iter().find(|(n, _)| n == column) else {
                        debug_assert!(false, "a read the index was chosen without");
                        return;
                    };
                    Insn::Column {
                        cursor: *cursor,
                        column: pos,
                        dest: *dest,
                        default: default.clone(),
                    }
                }
                Some(Insn::Rowid { cursor, dest }) => Insn::IdxRowid {
                    cursor: *cursor,
                    dest: *dest,
                },
                _ => continue,
            };
            self.b.replace(addr, new);
        }
        if let (Some(notes), Some(row)) = (&mut self.plan, c.plan_row) {
            notes.mark_covering_scan(row, &name);
        }
    }

    /// The table columns the program reads through `cursor`, and the instructions to rewrite
    /// for an index walk; `None` if the cursor is used for anything but opening, a forward
    /// walk, column and rowid reads, or a NULL row.
    fn scan_reads(&self, cursor: CursorId) -> Option<ScanReads> {
        let mut reads = ScanReads::default();
        let mut opened = 0;
        for addr in 0..self.b.addr() {
            let insn = self.b.insn(addr)?;
            if insn.cursor() != Some(cursor) {
                continue;
            }
            match insn {
                Insn::OpenRead { key: None, .. } => opened += 1,
                Insn::Column { column, .. } => {
                    if !reads.columns.contains(column) {
                        reads.columns.push(*column);
                    }
                }
                Insn::Rowid { .. } => {}
                Insn::Rewind { .. } | Insn::Next { .. } | Insn::NullRow { .. } => continue,
                _ => return None,
            }
            reads.at.push(addr);
        }
        (opened == 1).then_some(reads)
    }
}

/// What a scan reads of its table.
#[derive(Default)]
struct ScanReads {
    /// Table columns read (by position in the table).
    columns: Vec<usize>,
    /// The cursor's `OpenRead` and its reads.
    at: Vec<Addr>,
}

/// The index SQLite scans in place of `table` when the index holds every column read:
/// among the covering, non-partial indexes whose estimated entry is narrower than the
/// table's row, the cheapest by SQLite's cost (which grows with the ratio of the two
/// widths); the first in SQLite's list order among equals. With the (table column, entry
/// position) of each column read.
fn covering_scan_index<'c>(
    indexes: Vec<&'c Rc<Index>>,
    table: &Table,
    columns: &[usize],
) -> Option<(&'c Index, Vec<(usize, usize)>)> {
    let table_width = table.columns.iter().map(width_estimate).sum::<u64>()
        + u64::from(table.rowid_alias.is_none());
    let table_size = log_est(table_width * 4);
    let mut best: Option<Choice<'c>> = None;
    for index in indexes {
        let index: &'c Index = index;
        if index.partial.is_some() {
            continue;
        }
        let positions: Option<Vec<(usize, usize)>> = columns
            .iter()
            .map(|&column| {
                let pos = index
                    .columns
                    .iter()
                    .position(|c| c.column == Some(column))?;
                Some((column, pos))
            })
            .collect();
        let Some(positions) = positions else {
            continue;
        };
        let width: u64 = index
            .columns
            .iter()
            .map(|c| match c.column.and_then(|n| table.columns.get(n)) {
                Some(column) => width_estimate(column),
                None => 1,
            })
            .sum::<u64>()
            + 1;
        let size = log_est(width * 4);
        if size >= table_size {
            continue;
        }
        let cost = 15 * size / table_size.max(1);
        if best.as_ref().is_none_or(|(b, _, _)| cost < *b) {
            best = Some((cost, index, positions));
        }
    }
    best.map(|(_, index, positions)| (index, positions))
}

/// A covering index, its cost, and the entry position of each column read.
type Choice<'c> = (i64, &'c Index, Vec<(usize, usize)>);

/// SQLite's estimate of a column's stored size, in units of about four bytes: one for a
/// column without a type or of a numeric type; for a text or blob type, its declared size
/// `(k)` as `k / 4 + 1` where the type names CHAR or BLOB with a size, otherwise 5.
fn width_estimate(column: &Column) -> u64 {
    let declared = column.declared_type.to_ascii_lowercase();
    if declared.trim().is_empty() || !matches!(column.affinity, Affinity::Text | Affinity::Blob) {
        return 1;
    }
    // Where SQLite looks for a size: after the last "char", or right after "blob(".
    let sized_from = declared
        .rfind("char")
        .map(|at| at + 4)
        .or_else(|| declared.find("blob(").map(|at| at + 4));
    let size = match sized_from {
        Some(from) => {
            let digits: String = declared[from..]
                .chars()
                .skip_while(|c| !c.is_ascii_digit())
                .take_while(char::is_ascii_digit)
                .collect();
            // SQLite reads at most an i32: a larger size counts as none.
            digits.parse::<i32>().map_or(0, |v| v.unsigned_abs().into())
        }
        None => 16,
    };
    (size / 4 + 1).min(255)
}
