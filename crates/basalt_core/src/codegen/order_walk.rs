//! ORDER BY without a sorter: a query over one table whose loop already visits rows in the
//! order asked for — ascending rowid for a scan or rowid range, index order for an index walk
//! — emits its rows as it finds them, so a LIMIT stops the walk early. Where the keys run the
//! other way, a loop that would scan walks the table or a whole index backwards instead
//! (`Last`/`Prev`), and a rowid range or index seek is walked from its upper end down, as
//! SQLite does.
//!
//! Invariants:
//! - The loop's access path is the one `nest` will choose: the same conditions at the same
//!   level go through the same `choose_access`.
//! - Only keys without NULLS FIRST/LAST are matched, each a plain column of the table (or its
//!   rowid) compared under the index column's collation. A forward walk gives an ascending
//!   index column (and the rowid) in ascending order and a `DESC` one in descending order; a
//!   backward walk (of the table, a rowid range, a whole index or an index seek) the reverse.
//!   NULLs are the lowest values in index order, so they come where ORDER BY puts them in
//!   either direction.
//! - A key on a column pinned by an equality term of the walk under the key's collation is
//!   constant there and skipped; an IN term's column is walked like any other, its distinct
//!   values taken in the walk's order (`in_seek.rs`).
//! - Equal keys are not reordered by a stable sort any more; they come in the walk's order
//!   (later index columns, then rowid; both descending in a backward walk), as in SQLite when
//!   it makes the same choice.
//! - A loop that would scan the table walks a whole index instead when the index's order is
//!   the ORDER BY's (SQLite's choice without statistics); every row has one entry in a
//!   non-partial index, so the walk visits each row once.

use super::access::{term_collation, Access};
use super::index_range::{IndexRange, IndexSeek};
use super::scope::{ColRead, Resolved, Scope};
use super::select::Cond;
use super::Ctx;
use crate::catalog::{Index, Table};
use crate::error::Result;
use crate::record::{Collation, SortOrder};
use crate::vdbe::CursorId;

/// One ORDER BY key as a table column, the collation it sorts by and its direction.
pub(super) struct OrderColumn {
    pub column: Resolved,
    pub collation: Collation,
    pub desc: bool,
}

/// The walk `order_by_walk` chose for the loop over `cursor`: its table scan, rowid range or
/// index seek backwards (`index` `None`), or a whole index in either direction in place of a
/// scan.
pub(super) struct OrderWalk {
    cursor: CursorId,
    index: Option<String>,
    backward: bool,
}

impl Ctx<'_> {
    /// Whether the single table loop over `sc` with `conds` visits rows in the order of `keys`
    /// (`None` for a key that is not a plain column). Where the loop would scan the table and
    /// the table's order backwards or an index's order (either way) is the one asked for, the
    /// loop is told to walk that instead (`Ctx::order_walk`, read by `choose_access`) and this
    /// says yes.
    pub(super) fn order_by_walk(
        &self,
        keys: &[Option<OrderColumn>],
        conds: &[(Cond<'_>, Option<usize>)],
        sc: &Scope<'_>,
    ) -> Result<bool> {
        let walks = self.order_by_walk_here(keys, conds, sc)?;
        if walks {
            if let [source] = sc.sources.as_slice() {
                self.order_kept.borrow_mut().push(source.cursor);
            }
        }
        Ok(walks)
    }

    fn order_by_walk_here(
        &self,
        keys: &[Option<OrderColumn>],
        conds: &[(Cond<'_>, Option<usize>)],
        sc: &Scope<'_>,
    ) -> Result<bool> {
        let [source] = sc.sources.as_slice() else {
            return Ok(false);
        };
        let Some(table) = source.table.as_ref().filter(|_| source.coroutine.is_none()) else {
            return Ok(false);
        };
        let mut keys_here = Vec::new();
        for k in keys {
            match k {
                Some(k) if k.column.cursor == source.cursor => keys_here.push(k),
                _ => return Ok(false),
            }
        }
        let mut here = Vec::new();
        for (cond, floor) in conds {
            if self.cond_level(cond, sc)?.max(floor.unwrap_or(0)) == 0 {
                here.push(cond);
            }
        }
        let access = self.choose_access(0, &here, sc);
        if let Access::Rowid(t) = &access {
            if t.list.is_none() {
                // At most one row.
                return Ok(true);
            }
        }
        // Every key pinned by an equality: any direction will do, and SQLite walks forward.
        if walk_order(&access, &keys_here, false).is_some() {
            return Ok(true);
        }
        let reversible = matches!(
            access,
            Access::Scan | Access::RowidRange { .. } | Access::Index(_)
        );
        let walk = |index: Option<String>, backward: bool| {
            self.order_walk.set(Some(OrderWalk {
                cursor: source.cursor,
                index,
                backward,
            }));
            Ok(true)
        };
        if reversible && walk_order(&access, &keys_here, true).is_some() {
            return walk(None, true);
        }
        if !matches!(access, Access::Scan) {
            return Ok(false);
        }
        // A walk over a whole index in the order asked for, as SQLite prefers to sorting.
        for index in self.usable_indexes(source.cursor, table) {
            if index.partial.is_some() {
                continue;
            }
            for backward in [false, true] {
                if walk_order(&whole_index(index, backward), &keys_here, backward).is_some() {
                    return walk(Some(index.name.clone()), backward);
                }
            }
        }
        Ok(false)
    }
}

/// A walk over every entry of `index`.
pub(super) fn whole_index<'e>(index: &Index, backward: bool) -> Access<'e> {
    Access::Index(Box::new(IndexSeek {
        index: index.clone(),
        terms: Vec::new(),
        range: IndexRange::default(),
        backward,
    }))
}

/// Whether `access`, walked backwards if `backward`, visits rows in the order of `keys`:
/// `None` if not, else whether any key is left once those an equality pins are dropped
/// (whether the walk's direction matters). A forward walk gives an ascending index column
/// ascending values and a descending one descending values; a backward walk the reverse.
fn walk_order(access: &Access<'_>, keys: &[&OrderColumn], backward: bool) -> Option<bool> {
    let mut keys = keys.to_vec();
    // The columns the walk is ordered by, in turn, each with whether its values descend in a
    // forward walk.
    let walked: Vec<(ColRead, Option<Collation>, bool)> = match access {
        Access::Scan | Access::ScanBack | Access::Rowid(_) | Access::RowidRange { .. } => {
            vec![(ColRead::Rowid, None, false)]
        }
        Access::Coroutine(_) | Access::Auto(_) | Access::MultiOr(_) => return None,
        Access::Index(seek) => {
            let mut walked = Vec::new();
            let mut complete = true;
            for (pos, c) in seek.index.columns.iter().enumerate() {
                let term = seek.terms.get(pos);
                if term.is_some_and(|t| t.list.is_none()) {
                    continue;
                }
                let desc = c.order == SortOrder::Desc;
                let Some(n) = c.column else {
                    complete = false;
                    break;
                };
                walked.push((ColRead::Column(n), Some(c.collation), desc));
            }
            // Entries equal in every index column follow in rowid order.
            if complete {
                walked.push((ColRead::Rowid, None, false));
            }
            // Keys on columns an equality pins (under the key's collation) are constant.
            keys.retain(|k| {
                !seek.terms.iter().any(|t| {
                    t.list.is_none()
                        && t.column.read == k.column.read
                        && term_collation(t) == k.collation
                })
            });
            walked
        }
    };
    let ordered = keys.len() <= walked.len()
        && keys
            .iter()
            .zip(&walked)
            .all(|(k, (read, collation, desc))| {
                k.column.read == *read
                    && collation.is_none_or(|c| c == k.collation)
                    && k.desc == (*desc != backward)
            });
    ordered.then_some(!keys.is_empty())
}

impl Ctx<'_> {
    /// The walk `order_by_walk` chose for the loop over `cursor`, if any; taken, so only that
    /// loop gets it.
    fn take_order_walk(&self, cursor: CursorId) -> Option<OrderWalk> {
        let walk = self.order_walk.take()?;
        if walk.cursor != cursor {
            self.order_walk.set(Some(walk));
            return None;
        }
        Some(walk)
    }

    /// Whether the rowid range or index seek of the loop over `cursor` is walked backwards.
    pub(super) fn order_walk_backward(&self, cursor: CursorId) -> bool {
        let walk = self.take_order_walk(cursor);
        debug_assert!(walk.as_ref().is_none_or(|w| w.index.is_none()));
        walk.is_some_and(|w| w.backward)
    }

    /// The walk `order_by_walk` chose for the loop over `cursor` in place of its scan, if any.
    pub(super) fn order_walk_for<'e>(&self, cursor: CursorId, table: &Table) -> Option<Access<'e>> {
        let walk = self.take_order_walk(cursor)?;
        let Some(name) = walk.index else {
            debug_assert!(walk.backward, "a forward table walk is the plain scan");
            return Some(Access::ScanBack);
        };
        let index = self.catalog.table_indexes(table).find(|i| i.name == name)?;
        Some(whole_index(index, walk.backward))
    }
}
