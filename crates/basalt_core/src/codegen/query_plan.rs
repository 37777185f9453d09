//! `EXPLAIN QUERY PLAN`: the statement is compiled as usual while the code generator notes,
//! in SQLite's words, each step it takes (a loop's access path, a temporary b-tree for ORDER
//! BY, GROUP BY or DISTINCT); the notes are the rows `(id, parent, notused, detail)`.
//!
//! Invariants:
//! - Every row describes code that was generated: the access path a loop got
//!   ([`Access::describe`]), a sorter or set that was opened. Nothing is described from the
//!   SQL text alone.
//! - A shape whose plan Basalt cannot describe truthfully yet (subqueries in FROM, views,
//!   CTEs, compounds, co-routines, VALUES inside a query, RIGHT and FULL joins, DISTINCT
//!   aggregates with GROUP BY, INSERT, UPDATE/DELETE with WITH, RETURNING or a subquery, and
//!   the expression subqueries SQLite rewrites: see [`sqlite_rewrites`])
//!   refuses the whole EXPLAIN QUERY PLAN with `not_supported`: a partial tree would be a
//!   wrong one.
//! - An expression subquery (scalar, EXISTS, IN) gets a row `[CORRELATED] SCALAR|LIST
//!   SUBQUERY n`, and the rows of its own plan are its children. `n` is SQLite's number for
//!   that SELECT: SELECTs are numbered as the parser finishes them, so inner before outer and
//!   left before right, which is the order of their closing parentheses. The numbering is
//!   right only because every statement holding another kind of SELECT (a compound, a FROM
//!   subquery, a view or CTE, VALUES) is refused. A flattened FROM subquery, view or CTE
//!   (`flatten.rs`) is described as its table, and refused beside expression subqueries.

use super::access::Access;
use super::each_expr::each_expr;
use super::index_range::IndexSeek;
use super::scope::Source;
use super::select::SelectOut;
use super::Ctx;
use crate::error::{Error, Result};
use crate::record::Value;
use basalt_parser::ast::{self, BinaryOp, ExprKind, Span};

/// The plan's rows so far, or why it cannot be described.
#[derive(Default)]
pub(super) struct PlanNotes {
    rows: Vec<(i64, i64, String)>,
    refused: Option<&'static str>,
    /// The ids of the open subquery rows, innermost last: the parent of the next row.
    parents: Vec<i64>,
    /// Where each expression subquery of the statement ends in its text, ascending: SQLite's
    /// number for a subquery is its place in this list, plus one.
    subquery_ends: Vec<usize>,
    /// Set while an expression subquery is being opened: the next nested SELECT is that
    /// subquery's own, which the plan can describe (any other nested SELECT cannot).
    expecting_subquery: bool,
    /// The depths of the SELECTs being compiled under SQLite's min/max optimisation, whose
    /// loops SQLite calls SEARCH even where they scan.
    min_max_depths: Vec<usize>,
}

/// Which kind of expression subquery a plan row names.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum SubqueryKind {
    /// A scalar subquery or EXISTS.
    Scalar,
    /// The right-hand side of IN.
    List,
    /// The right-hand side of an IN whose values an index or rowid seek loops over
    /// (`in_seek.rs`), as SQLite's plan shows it.
    SeekList,
}

impl PlanNotes {
    /// Notes for `stmt`, refusing up front the subqueries SQLite turns into something else.
    pub(super) fn for_statement(stmt: &ast::Stmt) -> PlanNotes {
        let mut notes = PlanNotes::default();
        match stmt {
            ast::Stmt::Select(select) => {
                if let Some(what) = sqlite_rewrites(select) {
                    notes.refuse(what);
                }
            }
            ast::Stmt::Update(u)
                if u.with.is_none() && u.from.is_none() && u.returning.is_none() => {}
            ast::Stmt::Delete(d) if d.with.is_none() && d.returning.is_none() => {}
            _ => {
                notes.refuse("statements other than SELECT, UPDATE and DELETE");
                return notes;
            }
        }
        let writes = !matches!(stmt, ast::Stmt::Select(_));
        each_expr(stmt, &mut |e| {
            if matches!(e.kind, ExprKind::InTable { .. }) {
                // SQLite reads that table's index, or adds a Bloom filter.
                notes.refuse("IN over a table name");
            }
            if let Some(inner) = subquery_of(e) {
                if writes {
                    notes.refuse("UPDATE and DELETE with subqueries");
                }
                if let Some(what) = sqlite_rewrites(inner) {
                    notes.refuse(what);
                }
                notes.subquery_ends.push(e.span.end);
            }
        });
        notes.subquery_ends.sort_unstable();
        notes.subquery_ends.dedup();
        notes
    }

    /// Whether a nested SELECT starting now is an expression subquery's own (and takes the
    /// permission: the SELECTs nested in it must ask again).
    pub(super) fn take_subquery_permission(&mut self) -> bool {
        std::mem::take(&mut self.expecting_subquery)
    }

    /// Whether the statement holds expression subqueries (scalar, EXISTS, IN).
    pub(super) fn has_expression_subqueries(&self) -> bool {
        !self.subquery_ends.is_empty()
    }

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

    /// Row `row` describes a table scan that turned out to walk `index` alone.
    pub(super) fn mark_covering_scan(&mut self, row: usize, index: &str) {
        if let Some((_, _, detail)) = self.rows.get_mut(row) {
            let (scan, left) = match detail.strip_suffix(" LEFT-JOIN") {
                Some(scan) => (scan, " LEFT-JOIN"),
                None => (detail.as_str(), ""),
            };
            *detail = format!("{scan} USING COVERING INDEX {index}{left}");
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
        let name = source.plan_name();
        Some(match self {
            Access::Scan | Access::ScanBack => format!("SCAN {name}"),
            Access::Coroutine(_) => return None,
            Access::Auto(auto) => auto.eqp(),
            Access::MultiOr(_) => "MULTI-INDEX OR".to_string(),
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
                let parent = notes.parents.last().copied().unwrap_or(0);
                notes.rows.push((id, parent, detail()));
            }
        }
    }

    /// Compiles the expression subquery `expr` (its SELECT compiled by `body`) and, when a
    /// plan is being recorded, notes its row with the rows of its plan below it. Whether it is
    /// correlated is known only once `body` ran, so the row's words are written then.
    pub(super) fn plan_subquery(
        &mut self,
        kind: SubqueryKind,
        span: Span,
        body: impl FnOnce(&mut Self) -> Result<SelectOut>,
    ) -> Result<SelectOut> {
        let Some(notes) = self.plan.as_mut().filter(|n| n.refused.is_none()) else {
            return body(self);
        };
        let row = notes.rows.len();
        let id = i64::try_from(row).unwrap_or(i64::MAX) + 1;
        let parent = notes.parents.last().copied().unwrap_or(0);
        notes.rows.push((id, parent, String::new()));
        notes.parents.push(id);
        notes.expecting_subquery = true;
        let number = notes.subquery_ends.iter().position(|&end| end == span.end);
        let out = body(self);
        let Some(notes) = &mut self.plan else {
            return out;
        };
        notes.parents.pop();
        notes.expecting_subquery = false;
        let (Ok(done), Some(number)) = (&out, number) else {
            notes.refuse("this subquery");
            return out;
        };
        if kind == SubqueryKind::List && !done.correlated {
            // SQLite probes an existing index for such an IN, or adds a Bloom filter.
            notes.refuse("IN with a subquery that is not correlated");
        }
        let words = match kind {
            SubqueryKind::Scalar => "SCALAR",
            SubqueryKind::List | SubqueryKind::SeekList => "LIST",
        };
        let correlated = if done.correlated { "CORRELATED " } else { "" };
        if let Some(slot) = notes.rows.get_mut(row) {
            slot.2 = format!("{correlated}{words} SUBQUERY {}", number + 1);
        }
        out
    }

    /// Marks the loops of the SELECT being compiled as run under the min/max optimisation
    /// (`false`: the mark ends), as EXPLAIN QUERY PLAN words them.
    pub(super) fn plan_min_max(&mut self, on: bool) {
        if let Some(notes) = &mut self.plan {
            if on {
                notes.min_max_depths.push(self.depth);
            } else {
                notes.min_max_depths.pop();
            }
        }
    }

    /// Notes that the statement's plan cannot be described (when one is being recorded).
    pub(super) fn plan_refuse(&mut self, what: &'static str) {
        if let Some(notes) = &mut self.plan {
            notes.refuse(what);
        }
    }

    /// Makes the last row noted the parent of the rows noted next, until
    /// `plan_close_parent`; whether it did (a plan is being noted).
    pub(super) fn plan_open_parent(&mut self) -> bool {
        let Some(notes) = self.plan.as_mut().filter(|n| n.refused.is_none()) else {
            return false;
        };
        let Some(&(id, _, _)) = notes.rows.last() else {
            return false;
        };
        notes.parents.push(id);
        true
    }

    /// Takes the ` LEFT-JOIN` off the last row noted; whether it had one. SQLite puts it on
    /// a MULTI-INDEX OR's branches instead (`multi_or.rs`).
    pub(super) fn plan_take_left_join(&mut self) -> bool {
        let Some(notes) = self.plan.as_mut() else {
            return false;
        };
        let Some((_, _, detail)) = notes.rows.last_mut() else {
            return false;
        };
        match detail.strip_suffix(" LEFT-JOIN") {
            Some(rest) => {
                *detail = rest.to_string();
                true
            }
            None => false,
        }
    }

    /// Ends what `plan_open_parent` (which returned `opened`) began.
    pub(super) fn plan_close_parent(&mut self, opened: bool) {
        if let (true, Some(notes)) = (opened, &mut self.plan) {
            notes.parents.pop();
        }
    }

    /// Notes the access path of a loop over `source`; `left`: a LEFT JOIN's inner loop.
    pub(super) fn plan_loop(&mut self, access: &Access<'_>, source: &Source, left: bool) {
        let Some(notes) = &self.plan else {
            return;
        };
        let min_max = notes.min_max_depths.last() == Some(&self.depth);
        let described = access
            .describe(source)
            .map(|d| match d.strip_prefix("SCAN ") {
                Some(rest) if min_max => format!("SEARCH {rest}"),
                _ => d,
            });
        match described {
            Some(detail) if left => self.plan_note(|| format!("{detail} LEFT-JOIN")),
            Some(detail) => self.plan_note(|| detail),
            None => self.plan_refuse("a query reading a subquery, view or CTE"),
        }
    }
}

/// The SELECT of an expression subquery.
fn subquery_of(e: &ast::Expr) -> Option<&ast::Select> {
    match &e.kind {
        ExprKind::Subquery(s) | ExprKind::Exists(s) | ExprKind::InSelect { select: s, .. } => {
            Some(s)
        }
        _ => None,
    }
}

/// Why SQLite's plan for `select` would not show the subquery Basalt runs: an EXISTS or an
/// IN with a subquery as a term of WHERE (or of an ON clause) becomes a join in SQLite.
fn sqlite_rewrites(select: &ast::Select) -> Option<&'static str> {
    let ast::SelectCore::Select(body) = &select.first else {
        return None;
    };
    let mut terms = Vec::new();
    if let Some(w) = &body.where_ {
        and_terms(w, &mut terms);
    }
    if let Some(from) = &body.from {
        for join in &from.joins {
            if let Some(ast::JoinConstraint::On(on)) = &join.constraint {
                and_terms(on, &mut terms);
            }
        }
    }
    terms.into_iter().find_map(|term| match &term.kind {
        ExprKind::Exists(_) => Some("EXISTS as a term of WHERE"),
        _ => None,
    })
}

/// The terms of `e` joined by AND.
fn and_terms<'e>(e: &'e ast::Expr, out: &mut Vec<&'e ast::Expr>) {
    match &e.kind {
        ExprKind::Binary(l, BinaryOp::And, r) => {
            and_terms(l, out);
            and_terms(r, out);
        }
        _ => out.push(e),
    }
}
