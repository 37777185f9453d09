//! `EXPLAIN QUERY PLAN`: the statement is compiled as usual while the code generator notes,
//! in SQLite's words, each step it takes (a loop's access path, a temporary b-tree for ORDER
//! BY, GROUP BY or DISTINCT); the notes are the rows `(id, parent, notused, detail)`.
//!
//! Invariants:
//! - Every row describes code that was generated: the access path a loop got
//!   ([`Access::describe`]), a sorter or set that was opened. Nothing is described from the
//!   SQL text alone.
//! - A shape whose plan Basalt cannot describe truthfully yet (subqueries, views, CTEs,
//!   compounds, co-routines, RIGHT and FULL joins, DISTINCT aggregates, statements other than
//!   SELECT) refuses the whole EXPLAIN QUERY PLAN with `not_supported`: a partial tree would
//!   be a wrong one.

use super::access::Access;
use super::index_range::IndexSeek;
use super::scope::Source;
use super::Ctx;
use crate::error::{Error, Result};
use crate::record::Value;

/// The plan's rows so far, or why it cannot be described.
#[derive(Default)]
pub(super) struct PlanNotes {
    rows: Vec<(i64, i64, String)>,
    refused: Option<&'static str>,
}

impl PlanNotes {
    /// The position of the last row noted so far.
    pub(super) fn last_row(&self) -> Option<usize> {
        self.rows.len().checked_sub(1)
    }

    /// Row `row` describes an index loop that turned out to read the index alone.
    pub(super) fn mark_covering(&mut self, row: usize) {
        if let Some((_, _, detail)) = self.rows.get_mut(row) {
            *detail = detail.replacen(" USING INDEX ", " USING COVERING INDEX ", 1);
        }
    }

    pub(super) fn refuse(&mut self, what: &'static str) {
        self.refused.get_or_insert(what);
    }

    /// The rows as `EXPLAIN QUERY PLAN` returns them.
    pub(super) fn into_rows(self) -> Result<Vec<Vec<Value>>> {
        if let Some(what) = self.refused {
            return Err(Error::not_supported(format!(
                "EXPLAIN QUERY PLAN of {what}"
            )));
        }
        Ok(self
            .rows
            .into_iter()
            .map(|(id, parent, detail)| {
                vec![
                    Value::Integer(id),
                    Value::Integer(parent),
                    Value::Integer(0),
                    Value::Text(detail.into_bytes()),
                ]
            })
            .collect())
    }
}

impl Access<'_> {
    /// SQLite's words for this access path on `source` (named by its alias, else its table),
    /// or `None` where the source is not a table Basalt can describe.
    pub(super) fn describe(&self, source: &Source) -> Option<String> {
        source.table.as_ref()?;
        let name = &source.name;
        Some(match self {
            Access::Scan | Access::ScanBack => format!("SCAN {name}"),
            Access::Coroutine(_) => return None,
            Access::Auto(auto) => auto.eqp(),
            Access::Rowid(_) => format!("SEARCH {name} USING INTEGER PRIMARY KEY (rowid=?)"),
            Access::RowidRange { lower, upper, .. } => {
                // SQLite writes `>` and `<` for inclusive bounds too.
                let mut parts = Vec::new();
                if lower.is_some() {
                    parts.push("rowid>?");
                }
                if upper.is_some() {
                    parts.push("rowid<?");
                }
                format!(
                    "SEARCH {name} USING INTEGER PRIMARY KEY ({})",
                    parts.join(" AND ")
                )
            }
            Access::Index(seek) => {
                let IndexSeek {
                    index,
                    terms,
                    range,
                    ..
                } = &**seek;
                let column_name = |i: usize| -> Option<String> {
                    let n = index.columns.get(i)?.column?;
                    source
                        .table
                        .as_ref()?
                        .columns
                        .get(n)
                        .map(|c| c.name.clone())
                };
                if terms.is_empty() && range.bounds() == 0 {
                    return Some(format!("SCAN {name} USING INDEX {}", index.name));
                }
                let mut parts = Vec::new();
                for i in 0..terms.len() {
                    parts.push(format!("{}=?", column_name(i)?));
                }
                let at = terms.len();
                if range.lower.is_some() {
                    parts.push(format!("{}>?", column_name(at)?));
                }
                if range.upper.is_some() {
                    parts.push(format!("{}<?", column_name(at)?));
                }
                format!(
                    "SEARCH {name} USING INDEX {} ({})",
                    index.name,
                    parts.join(" AND ")
                )
            }
        })
    }
}

impl Ctx<'_> {
    /// Notes a plan row (when a plan is being recorded).
    pub(super) fn plan_note(&mut self, detail: impl FnOnce() -> String) {
        if let Some(notes) = &mut self.plan {
            if notes.refused.is_none() {
                let id = i64::try_from(notes.rows.len()).unwrap_or(i64::MAX) + 1;
                notes.rows.push((id, 0, detail()));
            }
        }
    }

    /// Notes that the statement's plan cannot be described (when one is being recorded).
    pub(super) fn plan_refuse(&mut self, what: &'static str) {
        if let Some(notes) = &mut self.plan {
            notes.refuse(what);
        }
    }

    /// Notes the access path of a loop over `source`; `left`: a LEFT JOIN's inner loop.
    pub(super) fn plan_loop(&mut self, access: &Access<'_>, source: &Source, left: bool) {
        if self.plan.is_none() {
            return;
        }
        match access.describe(source) {
            Some(detail) if left => self.plan_note(|| format!("{detail} LEFT-JOIN")),
            Some(detail) => self.plan_note(|| detail),
            None => self.plan_refuse("a query reading a subquery, view or CTE"),
        }
    }
}
