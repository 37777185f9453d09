//! Join order: which FROM source each nested loop visits, chosen by estimated cost so that a
//! source that can be looked up (by rowid, an index or an automatic index) from the rows of
//! the sources outside it is put inside them, as SQLite's planner does.
//!
//! Invariants:
//! - Order never changes an answer, only the order rows come out in (which SQL leaves open
//!   without ORDER BY; ORDER BY sorts): inner joins and WHERE conditions commute, and every
//!   condition is still tested at the innermost loop of the sources it reads.
//! - FROM order is kept where it carries meaning or cannot change: any LEFT, RIGHT or FULL
//!   join (their null rows and unmatched-row passes follow FROM order), a CROSS JOIN anywhere
//!   (SQLite's way of fixing the order by hand), a lazy first source (a co-routine cannot be
//!   rescanned, so it stays outermost), the output phase of an aggregate, and more than
//!   `MAX_PERMUTED` sources.
//! - FROM order wins ties: another order is taken only if its estimate is strictly lower.
//! - The loops see a copy of the scope with the sources in loop order (positions are loop
//!   levels everywhere below: condition levels, access paths, values "known before a loop");
//!   names resolve alike in both, and a correlation found through the copy is copied back.

use super::access::Access;
use super::auto_index::LevelAccess;
use super::estimate::{EQ_ROWS, FILTER_KEEPS};
use super::outer_join::OuterJoin;
use super::scope::Scope;
use super::select::Cond;
use super::Ctx;
use crate::catalog::Table;
use crate::error::Result;

/// Sources beyond which FROM order is kept (the search tries every order).
const MAX_PERMUTED: usize = 5;

impl Ctx<'_> {
    /// The nested loops over the scope's sources (`outer_join.rs`), in the order of least
    /// estimated cost.
    pub(super) fn loops<'e>(
        &mut self,
        sc: &Scope<'_>,
        conds: &[(Cond<'e>, Option<usize>)],
        joins: &[OuterJoin<'e>],
        body: &mut dyn FnMut(&mut Self, &Scope<'_>) -> Result<()>,
    ) -> Result<()> {
        let Some(order) = self.join_order(sc, conds, joins)? else {
            return self.loops_in_order(sc, conds, joins, body);
        };
        let nested = reordered(sc, &order);
        // Without outer joins an ON condition is a WHERE condition: its FROM level no longer
        // bounds where it is tested.
        let conds: Vec<(Cond<'e>, Option<usize>)> = conds.iter().map(|(c, _)| (*c, None)).collect();
        let result = self.loops_in_order(&nested, &conds, joins, body);
        if nested.correlated.get() {
            sc.correlated.set(true);
        }
        result
    }

    /// The order of least estimated cost, if it is not FROM order.
    pub(super) fn join_order(
        &self,
        sc: &Scope<'_>,
        conds: &[(Cond<'_>, Option<usize>)],
        joins: &[OuterJoin<'_>],
    ) -> Result<Option<Vec<usize>>> {
        let n = sc.sources.len();
        let fixed = !(2..=MAX_PERMUTED).contains(&n)
            || !joins.is_empty()
            || sc.keep_order
            || sc.agg.is_some()
            || sc.sources[0].coroutine.is_some();
        if fixed {
            return Ok(None);
        }
        let mut order: Vec<usize> = (0..n).collect();
        let mut best = self.order_cost(sc, &order, conds)?;
        let mut best_order = None;
        while next_permutation(&mut order) {
            let cost = self.order_cost(sc, &order, conds)?;
            if cost < best * (1.0 - 1e-9) {
                best = cost;
                best_order = Some(order.clone());
            }
        }
        Ok(best_order)
    }

    /// The estimated cost of nesting the sources in `order`: for each loop, the rows reaching
    /// it times what one entry to it costs, plus what building an automatic index costs.
    fn order_cost(
        &self,
        sc: &Scope<'_>,
        order: &[usize],
        conds: &[(Cond<'_>, Option<usize>)],
    ) -> Result<f64> {
        let nested = reordered(sc, order);
        let n = order.len();
        let mut at_level: Vec<Vec<&Cond<'_>>> = (0..=n).map(|_| Vec::new()).collect();
        for (cond, _) in conds {
            let level = self.cond_level(cond, &nested)?;
            at_level[level.min(n)].push(cond);
        }
        let (mut reaching, mut cost) = (1.0_f64, 0.0_f64);
        for (level, here) in at_level.iter().take(n).enumerate() {
            let table = nested.sources[level].table.as_deref();
            // The source's size: its statistics' row count, else SQLite's guess.
            let rows = self.table_rows(table);
            let LevelAccess { access, .. } = self.level_access(&nested, level, here, None);
            let (per_entry, found, build) = self.access_cost(&access, table, rows);
            let used = match &access {
                Access::Auto(auto) => auto.key_count(),
                _ => access.used_conds().len(),
            };
            let filters = here.len().saturating_sub(used);
            cost += build + reaching * per_entry;
            reaching *= found * FILTER_KEEPS.powi(i32::try_from(filters).unwrap_or(i32::MAX));
        }
        Ok(cost)
    }
}

impl Ctx<'_> {
    /// What one entry to a loop over `table` (of `rows` rows) by `access` costs, the rows it
    /// finds, and what building its automatic index costs.
    fn access_cost(
        &self,
        access: &Access<'_>,
        table: Option<&Table>,
        rows: f64,
    ) -> (f64, f64, f64) {
        let log_rows = rows.log2();
        match (access, table) {
            (Access::Rowid(_), _) => (log_rows, 1.0, 0.0),
            (Access::Index(seek), Some(table)) => {
                let found = self.index_seek_rows(table, seek);
                (log_rows + found, found, 0.0)
            }
            (Access::RowidRange { lower, upper, .. }, _) => {
                let bounds = i32::from(lower.is_some()) + i32::from(upper.is_some());
                let found = rows * FILTER_KEEPS.powi(bounds);
                (log_rows + found, found, 0.0)
            }
            (Access::Auto(_), _) => (log_rows + EQ_ROWS, EQ_ROWS, rows * log_rows),
            // Each branch's seek, then each row found looked up again.
            (Access::MultiOr(m), _) => m.branches.iter().fold((0.0, 0.0, 0.0), |acc, b| {
                let (per_entry, found, _) = self.access_cost(b, table, rows);
                (acc.0 + per_entry + found * log_rows, acc.1 + found, 0.0)
            }),
            _ => (rows, rows, 0.0),
        }
    }
}

/// A copy of the scope with its sources in loop order.
fn reordered<'p>(sc: &Scope<'p>, order: &[usize]) -> Scope<'p> {
    let mut nested = Scope::new(sc.parent);
    nested.sources = order.iter().map(|&i| sc.sources[i].clone()).collect();
    nested.aliases = sc.aliases.clone();
    nested.keep_order = true;
    nested.correlated.set(sc.correlated.get());
    nested
}

/// The next order in lexicographic order; `false` after the last.
fn next_permutation(v: &mut [usize]) -> bool {
    let Some(i) = (1..v.len()).rev().find(|&i| v[i - 1] < v[i]) else {
        return false;
    };
    let pivot = i - 1;
    let Some(j) = (i..v.len()).rev().find(|&j| v[j] > v[pivot]) else {
        return false;
    };
    v.swap(pivot, j);
    v[i..].reverse();
    true
}
