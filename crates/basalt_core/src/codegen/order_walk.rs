//! ORDER BY without a sorter: a query over one table whose loop already visits rows in the
//! order asked for — ascending rowid for a scan or rowid range, index order for an index walk
//! — emits its rows as it finds them, so a LIMIT stops the walk early.
//!
//! Invariants:
//! - The loop's access path is the one `nest` will choose: the same conditions at the same
//!   level go through the same `choose_access`.
//! - Only ascending keys without NULLS FIRST/LAST are matched, each a plain column of the table
//!   (or its rowid) compared under the index column's collation and walked in an ascending
//!   index column. A key on a column pinned by an equality term of the walk under the key's
//!   collation is constant there and skipped; an IN term's column is walked in ascending order
//!   of its distinct values.
//! - Equal keys are not reordered by a stable sort any more; they come in the walk's order
//!   (later index columns, then rowid), as in SQLite when it makes the same choice.

use super::access::{term_collation, Access};
use super::scope::{ColRead, Resolved, Scope};
use super::select::Cond;
use super::Ctx;
use crate::error::Result;
use crate::record::{Collation, SortOrder};

/// One ORDER BY key as a table column and the collation it sorts by.
pub(super) struct OrderColumn {
    pub column: Resolved,
    pub collation: Collation,
}

impl Ctx<'_> {
    /// Whether the single table loop over `sc` with `conds` visits rows in the order of `keys`
    /// (`None` for a key that is not an ascending plain column).
    pub(super) fn order_by_walk(
        &self,
        keys: &[Option<OrderColumn>],
        conds: &[(Cond<'_>, Option<usize>)],
        sc: &Scope<'_>,
    ) -> Result<bool> {
        let [source] = sc.sources.as_slice() else {
            return Ok(false);
        };
        if source.table.is_none() || source.coroutine.is_some() {
            return Ok(false);
        }
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
        // The columns the walk is ordered by, in turn.
        let walked: Vec<(ColRead, Option<Collation>)> = match &access {
            Access::Rowid(t) if t.list.is_none() => return Ok(true),
            Access::Scan | Access::Rowid(_) | Access::RowidRange { .. } => {
                vec![(ColRead::Rowid, None)]
            }
            Access::Coroutine(_) => return Ok(false),
            Access::Index(seek) => {
                let mut walked = Vec::new();
                let mut complete = true;
                for (pos, c) in seek.index.columns.iter().enumerate() {
                    let pinned = seek.terms.get(pos).is_some_and(|t| t.list.is_none());
                    if pinned {
                        continue;
                    }
                    match c.column {
                        Some(n) if c.order == SortOrder::Asc => {
                            walked.push((ColRead::Column(n), Some(c.collation)));
                        }
                        _ => {
                            complete = false;
                            break;
                        }
                    }
                }
                // Entries equal in every index column follow in rowid order.
                if complete {
                    walked.push((ColRead::Rowid, None));
                }
                // Keys on columns an equality pins (under the key's collation) are constant.
                keys_here.retain(|k| {
                    !seek.terms.iter().any(|t| {
                        t.list.is_none()
                            && t.column.read == k.column.read
                            && term_collation(t) == k.collation
                    })
                });
                walked
            }
        };
        Ok(keys_here.len() <= walked.len()
            && keys_here.iter().zip(&walked).all(|(k, (read, collation))| {
                k.column.read == *read && collation.is_none_or(|c| c == k.collation)
            }))
    }
}
