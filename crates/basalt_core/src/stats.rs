//! Planner statistics: the rows of `sqlite_stat1` (written by ANALYZE, Basalt's or SQLite's),
//! read into each catalog when it loads, and the row estimates the planner derives from them.
//!
//! A row `(tbl, idx, "N a1 … ak …")` gives an index `N` entries and `ai` entries per distinct
//! value of its first `i` columns; `(tbl, NULL, "N")` gives a table `N` rows, and so does the
//! row of any of its full (non-partial) indexes. Rows naming no table or index of the database,
//! and words after the numbers (`unordered`, `sz=…`, `noskipscan`), are ignored, as SQLite
//! ignores what it cannot use; a value that does not parse ends the numbers read.
//!
//! Invariants:
//! - Only read, never trusted beyond the planner: a wrong or hostile `sqlite_stat1` can change
//!   a plan, never an answer.
//! - A table without statistics has none of its estimates changed (`Stats::table_rows` is
//!   `None`), so the planner behaves exactly as without ANALYZE.

use crate::btree::Cursor;
use crate::catalog::Catalog;
use crate::error::Result;
use crate::pager::Pager;
use crate::record::{RecordHeader, ValueRef};
use std::collections::HashMap;

/// The statistics of one database, by lower-cased table and index name.
#[derive(Debug, Clone, Default)]
pub struct Stats {
    tables: HashMap<String, f64>,
    indexes: HashMap<String, Vec<f64>>,
}

/// Equality-prefix sizes SQLite assumes for an index without statistics: 10 rows for one
/// column, then a little fewer for each further column (its `sqlite3DefaultRowEst` tuning).
const DEFAULT_PREFIX_ROWS: [f64; 5] = [10.0, 9.0, 8.0, 7.0, 6.0];
const DEFAULT_LONG_PREFIX_ROWS: f64 = 5.0;

impl Stats {
    /// Reads `catalog`'s `sqlite_stat1`, if it has one. May return `IoPending`; rerunning is
    /// safe.
    pub fn load(pager: &mut Pager, catalog: &Catalog) -> Result<Stats> {
        let mut stats = Stats::default();
        let Some(table) = catalog.table("sqlite_stat1").filter(|t| t.root != 0) else {
            return Ok(stats);
        };
        let mut cursor = Cursor::new_table(table.root);
        let mut payload = Vec::new();
        let mut header = RecordHeader::new();
        let mut on_row = cursor.first(pager)?;
        while on_row {
            cursor.payload(pager, &mut payload)?;
            header.parse(&payload)?;
            let text = |i| match header.column(&payload, i) {
                Ok(Some(ValueRef::Text(bytes))) => {
                    Some(String::from_utf8_lossy(bytes).into_owned())
                }
                _ => None,
            };
            if let (Some(tbl), Some(stat)) = (text(0), text(2)) {
                stats.add_row(catalog, &tbl, text(1).as_deref(), &stat);
            }
            on_row = cursor.next(pager)?;
        }
        Ok(stats)
    }

    fn add_row(&mut self, catalog: &Catalog, tbl: &str, idx: Option<&str>, stat: &str) {
        let Some(table) = catalog.table(tbl) else {
            return;
        };
        let numbers = leading_numbers(stat);
        let Some(&rows) = numbers.first() else {
            return;
        };
        let table_key = table.name.to_ascii_lowercase();
        let Some(idx) = idx else {
            self.tables.insert(table_key, rows);
            return;
        };
        let Some(index) = catalog.index(idx) else {
            return;
        };
        if !index.table.eq_ignore_ascii_case(&table.name) {
            return;
        }
        if index.partial.is_none() {
            self.tables.insert(table_key, rows);
        }
        let mut values = numbers;
        values.truncate(index.columns.len() + 1);
        self.indexes.insert(index.name.to_ascii_lowercase(), values);
    }

    /// The table's row count, if ANALYZE gave one.
    pub fn table_rows(&self, table: &str) -> Option<f64> {
        self.tables.get(&table.to_ascii_lowercase()).copied()
    }

    /// The rows an index holds (`prefix` 0) or holds per value of its first `prefix` columns:
    /// from its statistics, else SQLite's defaults (the table's rows, then 10, 9, … rows, and
    /// one row for a unique index's every column). `table_rows` stands for the table's size.
    pub fn index_rows(&self, index: &crate::catalog::Index, prefix: usize, table_rows: f64) -> f64 {
        if let Some(&v) = self
            .indexes
            .get(&index.name.to_ascii_lowercase())
            .and_then(|values| values.get(prefix))
        {
            return v.max(1.0);
        }
        if prefix == 0 {
            // SQLite halves its guess for a partial index.
            return if index.partial.is_some() {
                table_rows / 2.0
            } else {
                table_rows
            };
        }
        if index.unique && prefix >= index.columns.len() {
            return 1.0;
        }
        DEFAULT_PREFIX_ROWS
            .get(prefix - 1)
            .copied()
            .unwrap_or(DEFAULT_LONG_PREFIX_ROWS)
    }
}

/// The whole numbers at the start of a stat text, up to the first word that is not one.
fn leading_numbers(stat: &str) -> Vec<f64> {
    stat.split_ascii_whitespace()
        .map_while(|word| word.parse::<u64>().ok())
        .map(|n| n as f64)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::leading_numbers;

    #[test]
    fn numbers_stop_at_words() {
        assert_eq!(leading_numbers("10 2 1"), vec![10.0, 2.0, 1.0]);
        assert_eq!(leading_numbers("7 3 unordered sz=12"), vec![7.0, 3.0]);
        assert_eq!(leading_numbers("x 3"), Vec::<f64>::new());
        assert_eq!(leading_numbers(""), Vec::<f64>::new());
    }
}
