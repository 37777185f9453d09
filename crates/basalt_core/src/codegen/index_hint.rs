//! `INDEXED BY` and `NOT INDEXED` on a table in FROM, UPDATE or DELETE: the hint a loop over
//! that table obeys.
//!
//! Invariants:
//! - A hint is checked where the table is bound: `INDEXED BY` names an index of that very
//!   table (case-insensitively), else the statement fails with SQLite's `no such index: x`.
//! - `NOT INDEXED`: the loop uses no index, real or automatic, only the rowid.
//! - `INDEXED BY i`: the loop uses `i` and nothing else, as SQLite does — no rowid lookup or
//!   range, no other index, no automatic index; with no term to seek on, it walks all of `i`.
//!   Hints never change which rows a statement sees, only how it finds them.
//! - A partial index is refused with a clear error: SQLite uses one only where the WHERE
//!   clause implies its condition (else "no query solution"), which Basalt does not prove yet.

use super::error;
use super::Ctx;
use crate::catalog::{Index, Table};
use crate::error::{Error, Result};
use crate::vdbe::CursorId;
use basalt_parser::ast;

/// What a table's `INDEXED BY` or `NOT INDEXED` asks of the loop over it.
pub(super) enum IndexHint {
    NotIndexed,
    By(Box<Index>),
}

impl Ctx<'_> {
    /// Records the hint `indexed` for the loop over `table` on `cursor`, after checking it.
    pub(super) fn bind_index_hint(
        &mut self,
        cursor: CursorId,
        table: &Table,
        indexed: Option<&ast::Indexed>,
    ) -> Result<()> {
        let hint = match indexed {
            None => return Ok(()),
            Some(ast::Indexed::NotIndexed) => IndexHint::NotIndexed,
            Some(ast::Indexed::By(name)) => {
                let found = self
                    .catalog
                    .table_indexes(table)
                    .find(|i| i.name.eq_ignore_ascii_case(&name.value));
                let Some(index) = found else {
                    return Err(error(format!("no such index: {}", name.value)));
                };
                if index.partial.is_some() {
                    return Err(Error::not_supported("INDEXED BY a partial index"));
                }
                IndexHint::By(Box::new(Index::clone(index)))
            }
        };
        debug_assert!(self.index_hints.iter().all(|(c, _)| *c != cursor));
        self.index_hints.push((cursor, hint));
        Ok(())
    }

    /// Drops the `INDEXED BY` of the loop over `cursor`, for a query SQLite answers without
    /// looking at it.
    pub(super) fn ignore_forced_index(&mut self, cursor: CursorId) {
        self.index_hints
            .retain(|(c, hint)| *c != cursor || matches!(hint, IndexHint::NotIndexed));
    }

    /// Whether the loop over `cursor` carries a hint: then it gets no automatic index and its
    /// scan is not turned into another index's walk.
    pub(super) fn has_index_hint(&self, cursor: CursorId) -> bool {
        self.index_hints.iter().any(|(c, _)| *c == cursor)
    }

    /// The only index the loop over `cursor` may use, where the table is named `INDEXED BY`.
    pub(super) fn forced_index(&self, cursor: CursorId) -> Option<&Index> {
        self.index_hints.iter().find_map(|(c, hint)| match hint {
            IndexHint::By(index) if *c == cursor => Some(&**index),
            _ => None,
        })
    }

    /// The indexes the loop over `table` on `cursor` may use: none under `NOT INDEXED`, the
    /// named one under `INDEXED BY`.
    pub(super) fn usable_indexes<'t>(
        &'t self,
        cursor: CursorId,
        table: &'t Table,
    ) -> Vec<&'t Index> {
        match self.index_hints.iter().find(|(c, _)| *c == cursor) {
            Some((_, IndexHint::NotIndexed)) => Vec::new(),
            Some((_, IndexHint::By(index))) => vec![&**index],
            None => self.catalog.table_indexes(table).map(|i| &**i).collect(),
        }
    }
}
