//! Row estimates for the planner: how many rows a table holds and how many an index seek
//! finds, from `sqlite_stat1` (`crate::stats`) when ANALYZE has run on the table, else the
//! fixed guesses SQLite makes without statistics.
//!
//! Invariants:
//! - Without statistics for a table, every estimate is the one the planner used before
//!   statistics existed (`SOURCE_ROWS`, `EQ_ROWS`, a quarter per range bound), so plans on a
//!   database never analyzed are unchanged.
//! - With statistics, a seek's estimate is SQLite's: the index's average rows per value of
//!   its equality prefix (times the values of an IN list), a quarter of that per range bound
//!   and a further quarter when bounded on both sides, one row for a unique index pinned on
//!   every column.

use super::access::{EqTerm, InValues};
use super::index_range::IndexSeek;
use super::Ctx;
use crate::catalog::{Index, Table};

/// Rows assumed in every source, as SQLite assumes without `ANALYZE` statistics.
pub(super) const SOURCE_ROWS: f64 = 1_048_576.0;

/// Rows an equality seek on a non-unique index is assumed to find (SQLite's default).
pub(super) const EQ_ROWS: f64 = 10.0;

/// The fraction of rows a condition not used by the access path is assumed to keep.
pub(super) const FILTER_KEEPS: f64 = 0.25;

impl Ctx<'_> {
    /// The table's row count from its statistics, if ANALYZE gave one.
    pub(super) fn analyzed_rows(&self, table: &Table) -> Option<f64> {
        self.catalog
            .get(table.db)
            .stats
            .table_rows(&table.name)
            .map(|rows| rows.max(1.0))
    }

    /// The rows a source is assumed to hold.
    pub(super) fn table_rows(&self, table: Option<&Table>) -> f64 {
        table
            .and_then(|t| self.analyzed_rows(t))
            .unwrap_or(SOURCE_ROWS)
    }

    /// The rows a seek on `index` with these equality terms and `bounds` range bounds finds.
    pub(super) fn seek_rows(
        &self,
        table: &Table,
        index: &Index,
        terms: &[EqTerm<'_>],
        bounds: usize,
    ) -> f64 {
        let pinned = index.unique && terms.len() == index.columns.len();
        let Some(rows) = self.analyzed_rows(table) else {
            let found = if pinned {
                return 1.0;
            } else if terms.is_empty() {
                SOURCE_ROWS
            } else {
                EQ_ROWS
            };
            return found * FILTER_KEEPS.powi(i32::try_from(bounds).unwrap_or(0));
        };
        if pinned && terms.iter().all(|t| t.list.is_none()) {
            return 1.0;
        }
        let stats = &self.catalog.get(table.db).stats;
        let values: f64 = terms
            .iter()
            .filter_map(|t| t.list.as_ref().map(InValues::estimated_len))
            .product();
        let range = match bounds {
            0 => 1.0,
            1 => FILTER_KEEPS,
            _ => FILTER_KEEPS.powi(3),
        };
        stats.index_rows(index, terms.len(), rows) * values * range
    }

    /// `seek_rows` of a chosen index seek.
    pub(super) fn index_seek_rows(&self, table: &Table, seek: &IndexSeek<'_>) -> f64 {
        self.seek_rows(table, &seek.index, &seek.terms, seek.range.bounds())
    }
}

/// `x` on SQLite's logarithmic scale as SQLite computes it for sizes (`LogEst`): ten steps
/// per doubling, the fraction taken from the top three bits below the leading one, truncated.
pub(super) fn log_est(mut x: u64) -> i64 {
    const FRACTION: [i64; 8] = [0, 2, 3, 5, 6, 7, 8, 9];
    let mut y = 40;
    if x < 8 {
        if x < 2 {
            return 0;
        }
        while x < 8 {
            y -= 10;
            x <<= 1;
        }
    } else {
        while x > 255 {
            y += 40;
            x >>= 4;
        }
        while x > 15 {
            y += 10;
            x >>= 1;
        }
    }
    FRACTION[(x & 7) as usize] + y - 10
}

/// An estimate on SQLite's logarithmic scale (ten steps per doubling), where estimates that
/// round alike are equal, so that near-equal choices fall to the same tie-break as SQLite's.
pub(super) fn log_scale(rows: f64) -> i64 {
    // Rounded to whole steps: the cast cannot overflow for any row count.
    (10.0 * rows.max(1.0).log2()).round() as i64
}
