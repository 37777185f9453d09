//! SELECT: FROM sources as nested loops, WHERE, aggregates (GROUP BY through a sorter, as
//! SQLite does), HAVING, DISTINCT, ORDER BY, LIMIT/OFFSET, compound selects, and the
//! destinations a select can feed (the caller's rows, an ephemeral table or set, a scalar,
//! EXISTS).
//!
//! Invariants:
//! - Rows reach the destination through one `Sink`, which applies DISTINCT, then ORDER BY (a
//!   sorter whose records are the sort keys followed by the result columns), then OFFSET and
//!   LIMIT, in SQLite's order.
//! - A WHERE conjunct is tested at the innermost loop of the sources it reads, after that
//!   source's LEFT JOIN null row is made, so pushing it down never changes the result.
//! - GROUP BY output comes in group-key order and ORDER BY ties keep their input order (a stable
//!   sort), matching what SQLite's plans produce here.

use super::access::own_column;
use super::aggregate::GroupBy;
use super::expr::{aggregate_of, same_expr, walk, Info};
use super::order_walk::OrderColumn;
use super::outer_join::OuterJoin;
use super::recursive_cte::{cte_columns, is_recursive, CteGuard, QueuePush};
use super::scope::{AggBinding, Alt, ColRead, Resolved, Scope, Source, SrcColumn};
use super::{error, Ctx, Label};
use crate::catalog::Table;
use crate::error::Result;
use crate::record::{Collation, KeyColumn, KeyInfo, SortOrder};
use crate::schema::Db;
use crate::sql::affinity::Affinity;
use crate::vdbe::func::Aggregate;
use crate::vdbe::{Addr, CmpOp, CmpSpec, CursorId, Insn, NullMode, Reg, Root};
use basalt_parser::ast::{self, ExprKind};
use std::borrow::Cow;
use std::cell::RefCell;
use std::rc::Rc;

/// Where a select's rows go.
#[derive(Clone, Debug)]
pub enum Dest {
    /// Result rows of the statement.
    Output,
    /// Appended to an ephemeral table (materialized subqueries, views, CTEs).
    Table(CursorId),
    /// Inserted into an ephemeral set, after an affinity the caller patches in later (IN).
    Set {
        cursor: CursorId,
        affinity_patches: Rc<RefCell<Vec<Addr>>>,
    },
    /// Inserted into an ephemeral set as they are (compound selects).
    Union(CursorId),
    /// Removed from an ephemeral set (EXCEPT).
    Except(CursorId),
    /// The first row's only column into `reg`, then jump to `done`.
    Scalar { reg: Reg, done: Label },
    /// 1 into `reg` at the first row, then jump to `done`.
    Exists { reg: Reg, done: Label },
    /// Onto a recursive CTE's queue.
    Queue(QueuePush),
    /// The only row of the one-row table `cursor`, then `Yield` to co-routine `reg`'s consumer.
    Coroutine { reg: Reg, cursor: CursorId },
}

#[derive(Clone, Debug)]
pub struct ColInfo {
    pub name: String,
    pub affinity: Option<Affinity>,
    pub collation: Option<(Collation, bool)>,
    /// The declared type of the table column it is, if it is one (`sqlite3_column_decltype`).
    pub declared_type: Option<String>,
    /// The table column it is, if it is one (`sqlite3_column_origin_name` and friends).
    pub origin: Option<crate::vdbe::ColumnOrigin>,
}

impl ColInfo {
    pub fn info(&self) -> Info {
        Info {
            affinity: self.affinity,
            collation: self.collation,
        }
    }
}

pub struct SelectOut {
    pub columns: Vec<ColInfo>,
    pub correlated: bool,
}

pub(super) struct SorterSink {
    pub(super) cursor: CursorId,
    pub(super) n_keys: usize,
    /// `Some` when the producer lays each row out as the sorter record itself (`project`): the
    /// key fields, then the result columns no key holds already; for each result column, the
    /// key field that holds it, if one does (as SQLite, which reads such a column back from
    /// the key). `None`: the record is the keys then every result column, which `emit_row`
    /// copies together.
    pub(super) from_key: Option<Vec<Option<usize>>>,
}

impl SorterSink {
    /// The record field result column `i` is read back from.
    pub(super) fn field_of(&self, i: usize) -> usize {
        let Some(from_key) = &self.from_key else {
            return self.n_keys + i;
        };
        from_key[i]
            .unwrap_or_else(|| self.n_keys + from_key[..i].iter().filter(|f| f.is_none()).count())
    }

    /// The fields of each record: the keys and the result columns stored after them.
    fn width(&self, n: usize) -> usize {
        match &self.from_key {
            Some(from_key) => self.n_keys + from_key.iter().filter(|f| f.is_none()).count(),
            None => self.n_keys + n,
        }
    }
}

/// DISTINCT, ORDER BY, LIMIT/OFFSET and the destination, in that order.
pub(super) struct Sink {
    dest: Dest,
    distinct: Option<CursorId>,
    /// DISTINCT over rows that come in the order of the result columns: a row is new when it
    /// differs from the last new one (`None` while `distinct` is a set).
    ordered_distinct: Option<OrderedDistinct>,
    pub(super) sorter: Option<SorterSink>,
    limit: Option<Reg>,
    offset: Option<Reg>,
    /// Where to go when LIMIT is reached.
    pub(super) end: Label,
}

/// The state of a DISTINCT whose duplicates come together: the last new row, whether a row
/// came yet, and the comparisons whose collations are patched once the result columns are
/// known.
pub(super) struct OrderedDistinct {
    last: Reg,
    first: Reg,
    compares: RefCell<Vec<Addr>>,
}

/// One result column before compilation.
pub(super) enum ResultExpr<'e> {
    Ast(&'e ast::Expr, Option<String>),
    Column(Resolved, String),
}

/// A join or WHERE condition.
#[derive(Clone, Copy)]
pub(super) enum Cond<'e> {
    Ast(&'e ast::Expr),
    /// `left = right` from USING or NATURAL.
    Eq(Resolved, Resolved),
}

/// An ORDER BY term resolved against a core's result columns.
enum OrderKey<'e> {
    /// A result column, with the collation of a `COLLATE` written after its number, if any.
    Result(usize, Option<Collation>),
    Expr(&'e ast::Expr),
}

pub(super) fn ordinal(n: usize) -> String {
    let suffix = match (n % 10, n % 100) {
        (1, 11) | (2, 12) | (3, 13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

pub(super) fn split_and<'e>(e: &'e ast::Expr, out: &mut Vec<&'e ast::Expr>) {
    if let ExprKind::Binary(l, ast::BinaryOp::And, r) = &e.kind {
        split_and(l, out);
        split_and(r, out);
    } else {
        out.push(e);
    }
}

/// The integer an ORDER BY / GROUP BY term names a result column by, if it is one.
fn column_number(e: &ast::Expr) -> Option<i64> {
    match &e.kind {
        ExprKind::Literal(ast::Literal::Integer(t)) => t.parse().ok(),
        ExprKind::Unary(ast::UnaryOp::Plus, inner) => column_number(inner),
        _ => None,
    }
}

/// A term without its `COLLATE` clauses, and the collation named by the outermost one: SQLite
/// reads `ORDER BY 1 COLLATE x` (and GROUP BY) as result column 1 under collation x.
fn strip_collate(e: &ast::Expr) -> (&ast::Expr, Option<&ast::Name>) {
    let mut inner = e;
    let mut name = None;
    while let ExprKind::Collate { expr, collation } = &inner.kind {
        name.get_or_insert(collation);
        inner = expr;
    }
    (inner, name)
}

/// `term` (`<number> COLLATE x ...`) with its number replaced by the result expression `result`.
fn collate_result(term: &ast::Expr, result: &ast::Expr) -> ast::Expr {
    fn replace(x: &mut ast::Expr, result: &ast::Expr) {
        if let ExprKind::Collate { expr, .. } = &mut x.kind {
            if matches!(expr.kind, ExprKind::Collate { .. }) {
                replace(expr, result);
            } else {
                **expr = result.clone();
            }
        }
    }
    let mut out = term.clone();
    replace(&mut out, result);
    out
}

impl Ctx<'_> {
    /// A top-level SELECT: its result columns.
    pub fn select_statement(&mut self, select: &ast::Select) -> Result<Vec<ColInfo>> {
        Ok(self.select(select, None, Dest::Output)?.columns)
    }

    pub fn select(
        &mut self,
        select: &ast::Select,
        outer: Option<&Scope<'_>>,
        dest: Dest,
    ) -> Result<SelectOut> {
        self.with_ctes(select.with.as_ref(), |ctx| {
            let expression_subquery = ctx
                .plan
                .as_mut()
                .is_some_and(|notes| notes.take_subquery_permission());
            if ctx.depth > 0 && !expression_subquery {
                ctx.plan_refuse("subqueries in FROM, views and CTEs");
            }
            if !select.compound.is_empty() {
                ctx.plan_refuse("compound queries");
            }
            ctx.depth += 1;
            let result = if select.compound.is_empty() {
                ctx.core(
                    &select.first,
                    &select.order_by,
                    select.limit.as_ref(),
                    outer,
                    dest,
                )
            } else {
                ctx.compound(select, outer, dest)
            };
            ctx.depth -= 1;
            result
        })
    }

    /// Run `body` with the CTEs of `with` in scope (they shadow tables and earlier CTEs of the
    /// same name in every FROM clause and subquery inside), then forget them.
    pub(super) fn with_ctes<T>(
        &mut self,
        with: Option<&ast::With>,
        body: impl FnOnce(&mut Self) -> Result<T>,
    ) -> Result<T> {
        let pushed = with.map_or(0, |with| {
            self.ctes.extend(with.ctes.iter().cloned());
            with.ctes.len()
        });
        let result = body(self);
        let keep = self.ctes.len() - pushed;
        self.ctes.truncate(keep);
        result
    }

    pub(super) fn limits(&mut self, limit: Option<&ast::Limit>, sink: &mut Sink) -> Result<()> {
        let Some(limit) = limit else {
            return Ok(());
        };
        let empty = Scope::new(None);
        let (l, _) = self.expr_new(&limit.limit, &empty)?;
        self.b.emit(Insn::MustBeInt { reg: l });
        if let Some(off) = &limit.offset {
            let (o, _) = self.expr_new(off, &empty)?;
            self.b.emit(Insn::MustBeInt { reg: o });
            sink.offset = Some(o);
        }
        self.b.emit(Insn::IfZero {
            reg: l,
            target: self.b.to(sink.end),
        });
        sink.limit = Some(l);
        Ok(())
    }

    /// Jumps to `skip` if the `n` values at `base` are already in the ephemeral set `seen`;
    /// otherwise adds them (DISTINCT, UNION).
    pub(super) fn skip_if_seen(&mut self, seen: CursorId, base: Reg, n: usize, skip: Label) {
        self.b.emit(Insn::Found {
            cursor: seen,
            key: base,
            count: n,
            target: self.b.to(skip),
        });
        self.b.idx_insert_record(seen, base, n);
    }

    /// Jumps to `skip` if the `n` values at `base` equal the last new row's; else they become
    /// the last new row.
    fn skip_if_same(&mut self, od: &OrderedDistinct, base: Reg, n: usize, skip: Label) {
        let new = self.b.label();
        self.b.emit(Insn::If {
            reg: od.first,
            target: self.b.to(new),
            if_null: false,
        });
        for i in 0..n {
            let at = self.b.emit(Insn::Compare {
                spec: group_key_differs(Collation::Binary),
                lhs: base + i,
                rhs: od.last + i,
                target: self.b.to(new),
            });
            od.compares.borrow_mut().push(at);
        }
        self.b.emit(Insn::Goto {
            target: self.b.to(skip),
        });
        self.b.place(new);
        self.b.emit(Insn::Integer {
            value: 0,
            dest: od.first,
        });
        self.b.emit(Insn::Copy {
            src: base,
            dest: od.last,
            count: n,
        });
    }

    /// One row of `n` values at `base` (and sort keys at `keys`) into the sink.
    pub(super) fn emit_row(&mut self, sink: &Sink, base: Reg, n: usize, keys: Option<Reg>) {
        let skip = self.b.label();
        if let Some(d) = sink.distinct {
            self.skip_if_seen(d, base, n, skip);
        }
        if let Some(od) = &sink.ordered_distinct {
            self.skip_if_same(od, base, n, skip);
        }
        match &sink.sorter {
            Some(s) if s.from_key.is_some() => {
                // `project` computed the record's fields in place, from the key registers on.
                debug_assert!(keys.is_some(), "a laid-out sorter row without its keys");
                self.b.emit(Insn::SorterInsert {
                    cursor: s.cursor,
                    start: keys.unwrap_or(base),
                    count: s.width(n),
                });
            }
            Some(s) => {
                let block = self.b.regs(s.n_keys + n);
                if let Some(k) = keys {
                    self.b.emit(Insn::Copy {
                        src: k,
                        dest: block,
                        count: s.n_keys,
                    });
                }
                self.b.emit(Insn::Copy {
                    src: base,
                    dest: block + s.n_keys,
                    count: n,
                });
                self.b.emit(Insn::SorterInsert {
                    cursor: s.cursor,
                    start: block,
                    count: s.n_keys + n,
                });
            }
            None => self.output_row(sink, base, n),
        }
        self.b.place(skip);
    }

    /// OFFSET, the destination, LIMIT.
    pub(super) fn output_row(&mut self, sink: &Sink, base: Reg, n: usize) {
        let skip = self.b.label();
        if let Some(o) = sink.offset {
            self.b.emit(Insn::IfPos {
                reg: o,
                target: self.b.to(skip),
            });
        }
        match &sink.dest {
            Dest::Output => {
                self.b.emit(Insn::ResultRow {
                    start: base,
                    count: n,
                });
            }
            Dest::Table(c) => {
                self.b.append_record(*c, base, n);
            }
            Dest::Set {
                cursor,
                affinity_patches,
            } => {
                let tmp = self.b.regs(n);
                self.b.emit(Insn::Copy {
                    src: base,
                    dest: tmp,
                    count: n,
                });
                let at = self.b.emit(Insn::Affinity {
                    start: tmp,
                    affinities: vec![Affinity::Blob; n],
                });
                affinity_patches.borrow_mut().push(at);
                self.b.idx_insert_record(*cursor, tmp, n);
            }
            Dest::Union(c) => {
                self.b.idx_insert_record(*c, base, n);
            }
            Dest::Except(c) => {
                self.b.emit(Insn::IdxDelete {
                    cursor: *c,
                    key: base,
                    count: n,
                });
            }
            Dest::Scalar { reg, done } => {
                self.b.emit(Insn::Copy {
                    src: base,
                    dest: *reg,
                    count: 1,
                });
                self.b.emit(Insn::Goto {
                    target: self.b.to(*done),
                });
            }
            Dest::Queue(push) => self.queue_push(push, base, n),
            Dest::Coroutine { reg, cursor } => {
                self.b.emit(Insn::OpenEphemeral {
                    cursor: *cursor,
                    key: None,
                });
                self.b.append_record(*cursor, base, n);
                self.b.emit(Insn::Yield { reg: *reg, done: 0 });
            }
            Dest::Exists { reg, done } => {
                self.b.emit(Insn::Integer {
                    value: 1,
                    dest: *reg,
                });
                self.b.emit(Insn::Goto {
                    target: self.b.to(*done),
                });
            }
        }
        if let Some(l) = sink.limit {
            self.b.emit(Insn::DecrJumpZero {
                reg: l,
                target: self.b.to(sink.end),
            });
        }
        self.b.place(skip);
    }

    /// After the producing loops: sorted rows out of the sorter, then the end label.
    pub(super) fn finish_sink(&mut self, sink: &Sink, n: usize) {
        if let Some(s) = &sink.sorter {
            let top = self.b.label();
            let base = self.b.regs(n);
            self.b.emit(Insn::SorterSort {
                cursor: s.cursor,
                if_empty: self.b.to(sink.end),
            });
            self.b.place(top);
            for i in 0..n {
                self.b.emit(Insn::Column {
                    cursor: s.cursor,
                    column: s.field_of(i),
                    dest: base + i,
                    default: None,
                });
            }
            self.output_row(sink, base, n);
            let top_addr = self.b.to(top);
            self.b.emit(Insn::Next {
                cursor: s.cursor,
                target: top_addr,
            });
        }
        self.b.place(sink.end);
    }

    /// DISTINCT from the loop's order, as SQLite takes it: when every result column is a
    /// plain column of the single table and the loop can walk them in order
    /// (`order_walk.rs`), duplicates come together and each row is compared with the last new
    /// one instead of being looked up in a set.
    fn distinct_walk(
        &mut self,
        results: &[ResultExpr<'_>],
        desc: &[bool],
        conds: &[(Cond<'_>, Option<usize>)],
        sc: &Scope<'_>,
        sink: &mut Sink,
    ) -> Result<bool> {
        let keys: Option<Vec<_>> = results
            .iter()
            .enumerate()
            .map(|(i, r)| {
                let desc = desc.get(i).copied().unwrap_or(false);
                match r {
                    ResultExpr::Column(column, _) if column.alt.is_none() => Some(OrderColumn {
                        column: *column,
                        collation: column.collation,
                        desc,
                    }),
                    ResultExpr::Column(..) => None,
                    ResultExpr::Ast(e, _) => expr_order_column(e, desc, sc),
                }
            })
            .collect();
        let Some(keys) = keys.filter(|k| !k.is_empty()) else {
            return Ok(false);
        };
        if self.distinct_redundant(&keys, sc) {
            sink.distinct = None;
            return Ok(false);
        }
        let keys: Vec<_> = keys.into_iter().map(Some).collect();
        if !self.order_by_walk(&keys, conds, sc)? {
            return Ok(false);
        }
        sink.distinct = None;
        sink.ordered_distinct = Some(OrderedDistinct {
            last: self.b.regs(results.len()),
            first: self.b.reg(),
            compares: RefCell::new(Vec::new()),
        });
        Ok(true)
    }

    /// Whether the rows of the single table are distinct already in the result columns
    /// `keys`, as SQLite finds: they hold the rowid, or every column of a UNIQUE index, each
    /// NOT NULL and compared under the index's collation.
    fn distinct_redundant(&self, keys: &[OrderColumn], sc: &Scope<'_>) -> bool {
        let [source] = sc.sources.as_slice() else {
            return false;
        };
        let Some(table) = source.table.as_ref().filter(|_| source.coroutine.is_none()) else {
            return false;
        };
        if keys.iter().any(|k| k.column.read == ColRead::Rowid) {
            return true;
        }
        let selected = |n: usize, collation: Collation| {
            keys.iter()
                .any(|k| k.column.read == ColRead::Column(n) && k.collation == collation)
        };
        self.catalog.table_indexes(table).any(|index| {
            index.unique
                && index.partial.is_none()
                && index.columns.iter().all(|c| {
                    c.column.is_some_and(|n| {
                        table.columns.get(n).is_some_and(|col| col.not_null)
                            && selected(n, c.collation)
                    })
                })
        })
    }

    pub(super) fn new_sink(&mut self, dest: Dest, distinct: bool) -> Sink {
        let end = self.b.label();
        let distinct = if distinct {
            let c = self.b.cursor();
            Some(c)
        } else {
            None
        };
        Sink {
            dest,
            distinct,
            ordered_distinct: None,
            sorter: None,
            limit: None,
            offset: None,
            end,
        }
    }

    /// Opens the DISTINCT set once the result columns' collations are known, or sets up an
    /// ordered DISTINCT's state and comparisons.
    fn open_distinct(&mut self, sink: &Sink, at: Addr, columns: &[ColInfo]) {
        if let Some(od) = &sink.ordered_distinct {
            self.b.replace(
                at,
                Insn::Integer {
                    value: 1,
                    dest: od.first,
                },
            );
            let collations = columns
                .iter()
                .map(|c| c.collation.map_or(Collation::Binary, |x| x.0));
            for (&addr, collation) in od.compares.borrow().iter().zip(collations) {
                if let Some(Insn::Compare {
                    lhs, rhs, target, ..
                }) = self.b.insn(addr)
                {
                    let (lhs, rhs, target) = (*lhs, *rhs, *target);
                    self.b.replace(
                        addr,
                        Insn::Compare {
                            spec: group_key_differs(collation),
                            lhs,
                            rhs,
                            target,
                        },
                    );
                }
            }
        }
        if let Some(d) = sink.distinct {
            let key = KeyInfo::new(
                columns
                    .iter()
                    .map(|c| {
                        KeyColumn::new(
                            c.collation.map_or(Collation::Binary, |x| x.0),
                            SortOrder::Asc,
                        )
                    })
                    .collect(),
            );
            self.b.replace(
                at,
                Insn::OpenEphemeral {
                    cursor: d,
                    key: Some(key),
                },
            );
        }
    }

    pub(super) fn core(
        &mut self,
        core: &ast::SelectCore,
        order_by: &[ast::OrderingTerm],
        limit: Option<&ast::Limit>,
        outer: Option<&Scope<'_>>,
        dest: Dest,
    ) -> Result<SelectOut> {
        let body = match core {
            ast::SelectCore::Values(rows) => {
                return self.values(rows, order_by, limit, outer, dest);
            }
            ast::SelectCore::Select(body) => body,
        };
        let mut sc = Scope::new(outer);
        // The WHERE terms of the subqueries read as their tables come first, as in SQLite.
        let pending = self.flattened.len();
        let flat_terms = self.flatten_from(core, order_by);
        let mut conds: Vec<(Cond<'_>, Option<usize>)> =
            flat_terms.iter().map(|t| (Cond::Ast(t), None)).collect();
        let mut joins: Vec<OuterJoin<'_>> = Vec::new();
        if let Some(from) = &body.from {
            let joined = self.join_sources(from, &mut sc, &mut conds, &mut joins);
            // Each flattened item was read as its table (a nested query takes only its own).
            debug_assert!(joined.is_err() || self.flattened.len() == pending);
            self.flattened.truncate(pending);
            joined?;
        }
        if let Some(w) = &body.where_ {
            let mut parts = Vec::new();
            split_and(w, &mut parts);
            conds.extend(parts.into_iter().map(|p| (Cond::Ast(p), None)));
        }
        let results = self.expand_results(&body.columns, &sc)?;
        // Result aliases are visible to WHERE, GROUP BY, HAVING and ORDER BY.
        sc.aliases = results
            .iter()
            .filter_map(|r| match r {
                ResultExpr::Ast(e, Some(alias)) => Some((alias.clone(), (*e).clone())),
                _ => None,
            })
            .collect();
        let mut order = self.order_keys(order_by, &results, &sc)?;
        let order_exprs: Vec<&ast::Expr> = order
            .iter()
            .filter_map(|(k, _)| match k {
                OrderKey::Expr(e) => Some(*e),
                OrderKey::Result(..) => None,
            })
            .collect();
        let windows = self.plan_windows(&body.windows, &results, &order_exprs, &sc)?;
        let mut has_aggs = !body.group_by.is_empty()
            || body.having.is_some()
            || match &windows {
                Some(w) => w.inner_exprs(&results).0.iter().any(contains_aggregate),
                None => {
                    results.iter().any(|r| match r {
                        ResultExpr::Ast(e, _) => contains_aggregate(e),
                        _ => false,
                    }) || (order_by.iter().any(|t| contains_aggregate(&t.expr)))
                }
            };
        let mut distinct = body.distinct == Some(ast::Distinctness::Distinct);
        let group_terms = self.group_terms(&body.group_by, &results)?;
        let mut group = GroupBy {
            terms: group_terms.iter().map(|g| g.as_ref()).collect(),
            desc: Vec::new(),
            from_distinct: false,
        };
        // `SELECT DISTINCT x … ORDER BY x` runs as `… GROUP BY x ORDER BY x`, as in SQLite:
        // one sort serves both.
        if distinct && !has_aggs && windows.is_none() {
            if let Some(terms) = distinct_as_group(&order, &results, &sc) {
                (distinct, has_aggs) = (false, true);
                group.terms = terms;
                group.from_distinct = true;
            }
        }
        // An ORDER BY that is the GROUP BY: the groups are sorted (or walked) its way instead.
        if windows.is_none() {
            if let Some(desc) = order_is_group(&order, &group.terms, &results, &sc) {
                order.clear();
                group.desc = desc;
            }
        }
        let mut sink = self.new_sink(dest, distinct);
        let distinct_at = self.b.emit(Insn::Noop);
        if distinct && !has_aggs && windows.is_none() {
            // An ORDER BY on the result columns in turn is served by the same walk.
            let desc = if order.is_empty() {
                Some(Vec::new())
            } else {
                order_is_results(&order, &results, &sc)
            };
            if let Some(desc) = desc {
                if self.distinct_walk(&results, &desc, &conds, &sc, &mut sink)? {
                    order.clear();
                }
            }
        }
        if !order.is_empty() && !has_aggs && !distinct && windows.is_none() {
            let keys: Vec<_> = order
                .iter()
                .map(|(key, term)| order_column(key, term, &results, &sc))
                .collect();
            if self.order_by_walk(&keys, &conds, &sc)? {
                // The loop visits rows in this order already (`order_walk.rs`).
                order.clear();
            }
        }
        let sorter_at = self.b.emit(Insn::Noop);
        if !order.is_empty() {
            let n_keys = order
                .iter()
                .map(|(_, t)| 1 + usize::from(nulls_flag(t)))
                .sum();
            // DISTINCT checks the result columns as one block of registers: keep them so.
            let from_key = sink
                .distinct
                .is_none()
                .then(|| key_fields_of_results(&order, results.len()));
            sink.sorter = Some(SorterSink {
                cursor: self.b.cursor(),
                n_keys,
                from_key,
            });
        }
        self.limits(limit, &mut sink)?;
        let n = results.len();
        let mut columns = Vec::new();
        let mut sorter_key_info = Vec::new();
        // A window query's inner phase evaluates these (`window.rs`).
        let window_inner = windows.as_ref().map(|w| w.inner_exprs(&results));
        let windows = RefCell::new(windows);
        {
            let mut project = |ctx: &mut Self, sc: &Scope<'_>| -> Result<()> {
                let layout = sink.sorter.as_ref().and_then(|s| s.from_key.as_deref());
                let (mut cols, keys) = ctx.project(&results, &order, layout, sc)?;
                if let Some(w) = windows.borrow().as_ref() {
                    w.fix_infos(&mut cols.infos);
                }
                ctx.emit_row(&sink, cols.base, n, keys.as_ref().map(|k| k.0));
                columns = cols.infos;
                sorter_key_info = keys.map(|k| k.1).unwrap_or_default();
                Ok(())
            };
            if body.from.is_none() {
                self.plan_note(|| "SCAN CONSTANT ROW".into());
            }
            {
                let mut emit = |ctx: &mut Self, sc: &Scope<'_>| -> Result<()> {
                    if let Some(w) = windows.borrow_mut().as_mut() {
                        return ctx.window_inner_row(w, &results, sc);
                    }
                    project(ctx, sc)
                };
                if has_aggs {
                    let mut outputs: Vec<&ast::Expr> = Vec::new();
                    let mut bare_extra = Vec::new();
                    match &window_inner {
                        Some((exprs, columns)) => {
                            outputs.extend(exprs);
                            bare_extra.extend(columns.iter().copied());
                        }
                        None => {
                            for r in &results {
                                match r {
                                    ResultExpr::Ast(e, _) => outputs.push(e),
                                    ResultExpr::Column(res, _) => bare_extra.push(*res),
                                }
                            }
                            for (key, _) in &order {
                                if let OrderKey::Expr(e) = key {
                                    outputs.push(e);
                                }
                            }
                        }
                    }
                    self.aggregate_query(
                        body.having.as_ref(),
                        &outputs,
                        &group,
                        &mut sc,
                        &bare_extra,
                        &conds,
                        &joins,
                        &mut emit,
                    )?;
                } else {
                    self.loops(&sc, &conds, &joins, &mut emit)?;
                }
            }
            if let Some(w) = windows.borrow().as_ref() {
                self.window_passes(w, &results, &sc, &mut project)?;
            }
        }
        if sink.distinct.is_some() {
            self.plan_note(|| "USE TEMP B-TREE FOR DISTINCT".into());
        }
        if sink.sorter.is_some() {
            self.plan_note(|| "USE TEMP B-TREE FOR ORDER BY".into());
        }
        if let Some(s) = &sink.sorter {
            self.b.replace(
                sorter_at,
                Insn::SorterOpen {
                    cursor: s.cursor,
                    key: KeyInfo::new(sorter_key_info),
                },
            );
        }
        self.open_distinct(&sink, distinct_at, &columns);
        self.finish_sink(&sink, n);
        Ok(SelectOut {
            columns,
            correlated: sc.correlated.get(),
        })
    }

    fn values(
        &mut self,
        rows: &[Vec<ast::Expr>],
        order_by: &[ast::OrderingTerm],
        limit: Option<&ast::Limit>,
        outer: Option<&Scope<'_>>,
        dest: Dest,
    ) -> Result<SelectOut> {
        // A VALUES statement's plan is SQLite's one row; inside another query it is refused.
        match rows.len() {
            _ if self.depth != 1 => self.plan_refuse("VALUES inside a query"),
            1 => self.plan_note(|| "SCAN CONSTANT ROW".to_string()),
            n => self.plan_note(|| format!("SCAN {n}-ROW VALUES CLAUSE")),
        }
        let sc = Scope::new(outer);
        let n = rows.first().map_or(0, Vec::len);
        if rows.iter().any(|r| r.len() != n) {
            return Err(error("all VALUES must have the same number of terms"));
        }
        if !order_by.is_empty() {
            return Err(error("not supported yet: ORDER BY on VALUES"));
        }
        let mut sink = self.new_sink(dest, false);
        self.limits(limit, &mut sink)?;
        let base = self.b.regs(n);
        let mut columns = Vec::new();
        for row in rows {
            columns.clear();
            for (i, e) in row.iter().enumerate() {
                let info = self.expr(e, &sc, base + i)?;
                columns.push(ColInfo {
                    name: format!("column{}", i + 1),
                    affinity: info.affinity,
                    collation: info.collation,
                    declared_type: None,
                    origin: None,
                });
            }
            self.emit_row(&sink, base, n, None);
        }
        self.finish_sink(&sink, n);
        Ok(SelectOut {
            columns,
            correlated: sc.correlated.get(),
        })
    }

    /// GROUP BY terms: a number names a result column, as does a result alias.
    fn group_terms<'e>(
        &self,
        terms: &'e [ast::Expr],
        results: &[ResultExpr<'e>],
    ) -> Result<Vec<Cow<'e, ast::Expr>>> {
        let mut out = Vec::new();
        for (i, t) in terms.iter().enumerate() {
            let (inner, collate) = strip_collate(t);
            if let Some(k) = column_number(inner) {
                match results.get((k as usize).wrapping_sub(1)) {
                    Some(ResultExpr::Ast(e, _)) if k >= 1 => out.push(match collate {
                        None => Cow::Borrowed(*e),
                        Some(_) => Cow::Owned(collate_result(t, e)),
                    }),
                    Some(ResultExpr::Column(..)) if k >= 1 => {
                        return Err(error("not supported yet: GROUP BY a * column by number"))
                    }
                    _ => {
                        return Err(error(format!(
                            "{} GROUP BY term out of range - should be between 1 and {}",
                            ordinal(i + 1),
                            results.len()
                        )))
                    }
                }
                continue;
            }
            out.push(Cow::Borrowed(t));
        }
        Ok(out)
    }

    fn expand_results<'e>(
        &self,
        columns: &'e [ast::ResultColumn],
        sc: &Scope<'_>,
    ) -> Result<Vec<ResultExpr<'e>>> {
        let mut out = Vec::new();
        for rc in columns {
            match rc {
                ast::ResultColumn::Expr { expr, alias } => {
                    out.push(ResultExpr::Ast(
                        expr,
                        alias.as_ref().map(|a| a.value.clone()),
                    ));
                }
                ast::ResultColumn::Star => {
                    if sc.sources.is_empty() {
                        return Err(error("no tables specified"));
                    }
                    for s in &sc.sources {
                        push_source_columns(s, &mut out, true);
                    }
                }
                ast::ResultColumn::TableStar(name) => {
                    let s = sc
                        .sources
                        .iter()
                        .find(|s| s.name.eq_ignore_ascii_case(&name.value))
                        .ok_or_else(|| error(format!("no such table: {}", name.value)))?;
                    push_source_columns(s, &mut out, false);
                }
            }
        }
        Ok(out)
    }

    fn order_keys<'e>(
        &self,
        order_by: &'e [ast::OrderingTerm],
        results: &[ResultExpr<'_>],
        sc: &Scope<'_>,
    ) -> Result<Vec<(OrderKey<'e>, &'e ast::OrderingTerm)>> {
        let mut out = Vec::new();
        for (i, term) in order_by.iter().enumerate() {
            let (inner, collate) = strip_collate(&term.expr);
            if let Some(k) = column_number(inner) {
                let collate = match collate {
                    Some(name) => Some(Collation::from_name(&name.value).ok_or_else(|| {
                        error(format!("no such collation sequence: {}", name.value))
                    })?),
                    None => None,
                };
                if k < 1 || k as usize > results.len() {
                    return Err(error(format!(
                        "{} ORDER BY term out of range - should be between 1 and {}",
                        ordinal(i + 1),
                        results.len()
                    )));
                }
                out.push((OrderKey::Result(k as usize - 1, collate), term));
                continue;
            }
            if let ExprKind::Id(name) = &term.expr.kind {
                let alias = results.iter().position(|r| {
                    matches!(r, ResultExpr::Ast(_, Some(a)) if a.eq_ignore_ascii_case(&name.value))
                });
                if let Some(p) = alias {
                    out.push((OrderKey::Result(p, None), term));
                    continue;
                }
            }
            if let Some(p) = result_of_column(&term.expr, results, sc) {
                out.push((OrderKey::Result(p, None), term));
                continue;
            }
            out.push((OrderKey::Expr(&term.expr), term));
        }
        Ok(out)
    }

    /// Computes the result columns (and sort keys) of one row. With a sorter `layout`
    /// (`SorterSink::from_key`) the registers are the sorter record's fields, from the returned
    /// key register on: the keys, a result column a key holds computed right into that key's
    /// register, then the other result columns.
    fn project(
        &mut self,
        results: &[ResultExpr<'_>],
        order: &[(OrderKey<'_>, &ast::OrderingTerm)],
        layout: Option<&[Option<usize>]>,
        sc: &Scope<'_>,
    ) -> Result<(Projected, Option<SortKeys>)> {
        let n_keys: usize = order
            .iter()
            .map(|(_, t)| 1 + usize::from(nulls_flag(t)))
            .sum();
        let (base, keys, result_regs): (Reg, Reg, Vec<Reg>) = match layout {
            Some(from_key) => {
                debug_assert_eq!(from_key.len(), results.len());
                let stored = from_key.iter().filter(|f| f.is_none()).count();
                let block = self.b.regs(n_keys + stored);
                let mut next = block + n_keys;
                let regs = from_key
                    .iter()
                    .map(|field| match field {
                        Some(field) => block + field,
                        None => {
                            next += 1;
                            next - 1
                        }
                    })
                    .collect();
                (block, block, regs)
            }
            None => {
                let base = self.b.regs(results.len());
                let keys = if order.is_empty() {
                    base
                } else {
                    self.b.regs(n_keys)
                };
                (base, keys, (base..base + results.len()).collect())
            }
        };
        let mut infos = Vec::new();
        for (r, &reg) in results.iter().zip(&result_regs) {
            infos.push(self.result_column(r, sc, reg)?);
        }
        if order.is_empty() {
            return Ok((Projected { base, infos }, None));
        }
        let mut key_info = Vec::new();
        let mut k = keys;
        for (key, term) in order {
            let order = match term.order {
                Some(ast::SortOrder::Desc) => SortOrder::Desc,
                _ => SortOrder::Asc,
            };
            let value_reg = if nulls_flag(term) { k + 1 } else { k };
            let info = match key {
                OrderKey::Result(p, collate) => {
                    // Already there when the layout computed the result into this key.
                    if result_regs[*p] != value_reg {
                        self.b.emit(Insn::Copy {
                            src: result_regs[*p],
                            dest: value_reg,
                            count: 1,
                        });
                    }
                    let mut info = infos[*p].info();
                    if let Some(c) = collate {
                        info.collation = Some((*c, true));
                    }
                    info
                }
                OrderKey::Expr(e) => self.expr(e, sc, value_reg)?,
            };
            if nulls_flag(term) {
                let not_null = self.b.label();
                self.b.emit(Insn::Integer { value: 0, dest: k });
                self.b.emit(Insn::NotNull {
                    reg: value_reg,
                    target: self.b.to(not_null),
                });
                self.b.emit(Insn::Integer { value: 1, dest: k });
                self.b.place(not_null);
                key_info.push(KeyColumn::new(Collation::Binary, order));
            }
            key_info.push(KeyColumn::new(
                info.collation.map_or(Collation::Binary, |c| c.0),
                order,
            ));
            k = value_reg + 1;
        }
        Ok((Projected { base, infos }, Some((keys, key_info))))
    }

    /// A result-column list (`*` included) evaluated in `sc` into new registers: the first
    /// register and the columns' names, as a SELECT names them.
    pub(super) fn result_list(
        &mut self,
        columns: &[ast::ResultColumn],
        sc: &Scope<'_>,
    ) -> Result<(Reg, Vec<String>)> {
        let results = self.expand_results(columns, sc)?;
        let base = self.b.regs(results.len().max(1));
        let mut names = Vec::with_capacity(results.len());
        for (i, r) in results.iter().enumerate() {
            names.push(self.result_column(r, sc, base + i)?.name);
        }
        Ok((base, names))
    }

    pub(super) fn result_column(
        &mut self,
        r: &ResultExpr<'_>,
        sc: &Scope<'_>,
        target: Reg,
    ) -> Result<ColInfo> {
        match r {
            ResultExpr::Ast(e, alias) => {
                let info = self.expr(e, sc, target)?;
                let ignored = self.result_read_ignored(e, sc);
                let name = match (alias, &e.kind) {
                    (Some(a), _) => a.clone(),
                    _ if ignored => self
                        .sql
                        .get(e.span.start..e.span.end)
                        .unwrap_or_default()
                        .to_string(),
                    // A double-quoted name that is no column is a string, named as written.
                    (None, ExprKind::Id(n))
                        if n.quote != ast::Quote::Double
                            || sc.resolve(None, &n.value).ok().flatten().is_some() =>
                    {
                        source_column_name(sc, None, &n.value)
                    }
                    (None, ExprKind::Qualified { table, column, .. }) => {
                        source_column_name(sc, Some(&table.value), &column.value)
                    }
                    (None, _) => self
                        .sql
                        .get(e.span.start..e.span.end)
                        .unwrap_or_default()
                        .to_string(),
                };
                let column = match &e.kind {
                    _ if ignored => None,
                    ExprKind::Id(n) => sc.resolve(None, &n.value).ok().flatten(),
                    ExprKind::Qualified { table, column, .. } => {
                        sc.resolve(Some(&table.value), &column.value).ok().flatten()
                    }
                    _ => None,
                };
                Ok(ColInfo {
                    name,
                    affinity: info.affinity,
                    collation: info.collation,
                    declared_type: column.as_ref().and_then(|r| sc.declared_type(r)),
                    origin: column.as_ref().and_then(|r| sc.origin(r)),
                })
            }
            ResultExpr::Column(res, name) => {
                self.column_read(res, sc, target);
                Ok(ColInfo {
                    name: name.clone(),
                    affinity: Some(res.affinity.unwrap_or(Affinity::Blob)),
                    collation: Some((res.collation, false)),
                    declared_type: sc.declared_type(res),
                    origin: sc.origin(res),
                })
            }
        }
    }

    /// FROM: opens (or materializes) each source into the scope; join constraints become
    /// conditions (inner joins) or per-source ON conditions (LEFT joins).
    fn join_sources<'e>(
        &mut self,
        from: &'e ast::FromClause,
        sc: &mut Scope<'_>,
        conds: &mut Vec<(Cond<'e>, Option<usize>)>,
        joins: &mut Vec<OuterJoin<'e>>,
    ) -> Result<()> {
        self.add_source_or_nested(&from.first, sc, conds, joins, false)?;
        // With a RIGHT or FULL JOIN anywhere, a USING column must name one left-hand column
        // (or a chain of USING-joined copies of it), as in SQLite.
        let any_right = from.joins.iter().any(|j| {
            matches!(
                j.op,
                ast::JoinOp::Join {
                    kind: ast::JoinKind::Right | ast::JoinKind::Full,
                    ..
                }
            )
        });
        for join in &from.joins {
            let (natural, kind) = match join.op {
                ast::JoinOp::Comma => (false, ast::JoinKind::Inner),
                ast::JoinOp::Join { natural, kind } => (natural, kind),
            };
            // SQLite's way of fixing the join order by hand (`join_order.rs`).
            sc.keep_order |= kind == ast::JoinKind::Cross;
            let left = matches!(kind, ast::JoinKind::Left | ast::JoinKind::Full);
            let right = matches!(kind, ast::JoinKind::Right | ast::JoinKind::Full);
            let before = sc.sources.len();
            self.add_source_or_nested(&join.table, sc, conds, joins, left || right)?;
            if sc.sources.len() != before + 1 && (natural || join.constraint.is_some()) {
                return Err(error(
                    "not supported yet: a join constraint on a parenthesized join",
                ));
            }
            let level = sc.sources.len() - 1;
            let mut on: Vec<Cond<'e>> = Vec::new();
            let mut using: Vec<String> = Vec::new();
            if natural {
                if join.constraint.is_some() {
                    return Err(error("a NATURAL join may not have an ON or USING clause"));
                }
                for c in &sc.sources[level].columns {
                    if sc.sources[..level].iter().any(|s| {
                        s.columns
                            .iter()
                            .any(|l| !l.hidden && l.name.eq_ignore_ascii_case(&c.name))
                    }) {
                        using.push(c.name.clone());
                    }
                }
            }
            match &join.constraint {
                Some(ast::JoinConstraint::On(e)) => {
                    let mut parts = Vec::new();
                    split_and(e, &mut parts);
                    on.extend(parts.into_iter().map(Cond::Ast));
                }
                Some(ast::JoinConstraint::Using(names)) => {
                    using.extend(names.iter().map(|n| n.value.clone()));
                }
                None => {}
            }
            for name in using {
                if any_right {
                    check_unambiguous_using(sc, level, &name)?;
                }
                on.push(using_column(sc, level, &name, right, left)?);
            }
            if left || right {
                joins.push(OuterJoin {
                    level,
                    on,
                    left,
                    right,
                });
            } else {
                conds.extend(on.into_iter().map(|c| (c, Some(level))));
            }
        }
        Ok(())
    }

    /// A source, or an unaliased parenthesized join of inner joins, which joins exactly as if
    /// its parentheses were not there (inner joins are associative).
    fn add_source_or_nested<'e>(
        &mut self,
        t: &'e ast::TableOrSubquery,
        sc: &mut Scope<'_>,
        conds: &mut Vec<(Cond<'e>, Option<usize>)>,
        joins: &mut Vec<OuterJoin<'e>>,
        outer: bool,
    ) -> Result<()> {
        if let ast::TableOrSubquery::Nested { from, alias: None } = t {
            let inner_only = from.joins.iter().all(|j| {
                !matches!(
                    j.op,
                    ast::JoinOp::Join {
                        kind: ast::JoinKind::Left | ast::JoinKind::Right | ast::JoinKind::Full,
                        ..
                    }
                )
            });
            if inner_only && !outer {
                return self.join_sources(from, sc, conds, joins);
            }
        }
        self.add_source(t, sc)
    }

    fn add_source(&mut self, t: &ast::TableOrSubquery, sc: &mut Scope<'_>) -> Result<()> {
        if let Some(flat) = self.take_flattened(t) {
            self.open_flattened(flat, sc);
            return Ok(());
        }
        match t {
            ast::TableOrSubquery::Table {
                name,
                alias,
                indexed,
                ..
            } => {
                let tname = &name.name.value;
                let alias_name = alias.as_ref().map_or(tname.clone(), |a| a.value.clone());
                if name.schema.is_none() {
                    if let Some(source) = self.guarded_cte(tname, &alias_name)? {
                        sc.sources.push(source);
                        return Ok(());
                    }
                    if let Some(pos) = self
                        .ctes
                        .iter()
                        .rposition(|c| c.name.value.eq_ignore_ascii_case(tname))
                    {
                        return self.cte_source(pos, alias_name, sc);
                    }
                }
                let db = self.schema_of(name)?;
                if let Some(table) = self.catalog.table_in(db, tname) {
                    let table = table.clone();
                    if let Some(why) = &table.unsupported {
                        return Err(error(format!("not supported yet: {why}")));
                    }
                    if table.has_generated_columns() {
                        return Err(crate::error::Error::not_supported("generated columns"));
                    }
                    let cursor = self.b.cursor();
                    self.b.emit(Insn::OpenRead {
                        cursor,
                        db: table.db,
                        root: Root::Page(table.root),
                        key: None,
                    });
                    self.bind_index_hint(cursor, &table, indexed.as_ref())?;
                    sc.sources.push(table_source(&table, alias_name, cursor));
                    return Ok(());
                }
                let catalog = self.catalog;
                if let Some(view) = catalog.view_in(db, tname) {
                    if self
                        .expanding
                        .iter()
                        .any(|v| v.eq_ignore_ascii_case(&view.name))
                    {
                        return Err(error(format!("view {} is circularly defined", view.name)));
                    }
                    self.expanding.push(view.name.clone());
                    let saved = std::mem::take(&mut self.ctes);
                    let guards = std::mem::take(&mut self.cte_guards);
                    let names = view.columns.clone().map(|c| (view.name.clone(), c));
                    let lazy = sc.sources.is_empty();
                    let outer_sql = std::mem::replace(&mut self.sql, &view.sql);
                    let outer_db = self.default_db;
                    self.default_db = (view.db == Db::Main).then_some(Db::Main);
                    let r = self.materialize(&view.select, names, alias_name, sc, lazy);
                    self.default_db = outer_db;
                    self.sql = outer_sql;
                    self.ctes = saved;
                    self.cte_guards = guards;
                    self.expanding.pop();
                    return r;
                }
                // `sqlite_temp_master` unqualified, or a schema table qualified by its database.
                let schema_table = Db::ALL.into_iter().find(|&d| {
                    (super::ddl::is_schema_table_name(d, tname) && db.is_none_or(|q| q == d))
                        || (db == Some(d) && super::ddl::is_schema_table_name(Db::Main, tname))
                });
                if let Some(d) = schema_table {
                    let cursor = self.b.cursor();
                    self.b.emit(Insn::OpenRead {
                        cursor,
                        db: d,
                        root: Root::Page(crate::schema::SCHEMA_ROOT),
                        key: None,
                    });
                    sc.sources.push(schema_source(alias_name, cursor, d));
                    return Ok(());
                }
                // An eponymous table-valued function: `pragma_x` is `pragma_x()`.
                if name.schema.is_none() && tname.to_ascii_lowercase().starts_with("pragma_") {
                    return self.pragma_function(tname, &[], alias_name, sc);
                }
                Err(super::no_such_table(name, db))
            }
            ast::TableOrSubquery::Subquery { select, alias } => {
                let name = alias.as_ref().map_or(String::new(), |a| a.value.clone());
                let lazy = sc.sources.is_empty();
                self.materialize(select, None, name, sc, lazy)
            }
            ast::TableOrSubquery::Nested { .. } => {
                Err(error("not supported yet: parenthesized joins"))
            }
            ast::TableOrSubquery::Function { name, args, alias } => {
                let alias_name = alias
                    .as_ref()
                    .map_or(name.name.value.clone(), |a| a.value.clone());
                self.pragma_function(&name.name.value, args, alias_name, sc)
            }
        }
    }

    /// The CTE at `ctes[pos]` in FROM. Its body sees the CTEs defined before it, and its own
    /// name only as a guard (the current row of a recursive member, else an error).
    fn cte_source(&mut self, pos: usize, alias: String, sc: &mut Scope<'_>) -> Result<()> {
        let cte = self.ctes[pos].clone();
        let saved = self.ctes.clone();
        self.ctes.truncate(pos);
        // Read lazily where the source's loop runs once (the outermost loop), unless the
        // query asks for it MATERIALIZED; an inner loop restarts it for each outer row.
        let lazy = sc.sources.is_empty() && cte.materialized != Some(true);
        let r = if is_recursive(&cte.select, &cte.name.value) {
            self.recursive_cte(&cte, alias, sc, lazy)
        } else {
            self.cte_guards
                .push((pos, CteGuard::Circular(cte.name.value.clone())));
            let names = cte.columns.as_ref().map(|cs| {
                let names = cs.iter().map(|c| c.value.clone()).collect();
                (cte.name.value.clone(), names)
            });
            let r = self.materialize(&cte.select, names, alias, sc, lazy);
            self.cte_guards.pop();
            r
        };
        self.ctes = saved;
        r
    }

    /// A subquery, view or CTE in FROM: `lazy`, a co-routine yielding its rows one at a time
    /// (the outermost loop only); else its rows into an ephemeral table, once unless it is
    /// correlated.
    fn materialize(
        &mut self,
        select: &ast::Select,
        names: Option<(String, Vec<String>)>,
        alias: String,
        sc: &mut Scope<'_>,
        lazy: bool,
    ) -> Result<()> {
        let producer = self.begin_producer(lazy);
        let out = self.select(select, sc.parent, producer.dest())?;
        let (cursor, coroutine) = self.end_producer(producer, out.correlated, sc);
        let columns = match &names {
            Some((owner, names)) => cte_columns(&out.columns, Some(names), owner)?,
            None => cte_columns(&out.columns, None, &alias)?,
        };
        sc.sources.push(Source {
            name: alias,
            cursor,
            columns,
            table: None,
            plan_name: None,
            coroutine,
        });
        Ok(())
    }

    /// Starts the code producing a FROM source's rows: a co-routine's body (`lazy`), or a
    /// block run once per execution that fills an ephemeral table.
    pub(super) fn begin_producer(&mut self, lazy: bool) -> Producer {
        let cursor = self.b.cursor();
        let coroutine = lazy.then(|| self.b.reg());
        let skip = self.b.label();
        let start_at = match coroutine {
            Some(reg) => self.b.emit(Insn::InitCoroutine {
                reg,
                target: self.b.to(skip),
            }),
            None => self.b.emit(Insn::Once {
                target: self.b.to(skip),
            }),
        };
        // A co-routine's consumer may put the (yet empty) output on a null row.
        self.b.emit(Insn::OpenEphemeral { cursor, key: None });
        Producer {
            cursor,
            coroutine,
            start_at,
            skip,
        }
    }

    /// Ends a producer's code; a correlated one runs again each time (a co-routine does so
    /// anyway). Returns the source's cursor and co-routine register.
    pub(super) fn end_producer(
        &mut self,
        producer: Producer,
        correlated: bool,
        sc: &Scope<'_>,
    ) -> (CursorId, Option<Reg>) {
        match producer.coroutine {
            Some(reg) => {
                self.b.emit(Insn::EndCoroutine { reg });
            }
            None if correlated => self.b.replace(producer.start_at, Insn::Noop),
            None => {}
        }
        if correlated {
            sc.correlated.set(true);
        }
        self.b.place(producer.skip);
        (producer.cursor, producer.coroutine)
    }

    pub(super) fn test_cond(&mut self, cond: &Cond<'_>, sc: &Scope<'_>, fail: Label) -> Result<()> {
        match cond {
            Cond::Ast(e) => self.filter(e, sc, fail),
            Cond::Eq(l, r) => {
                let a = self.b.reg();
                let b = self.b.reg();
                self.column_read(l, sc, a);
                self.column_read(r, sc, b);
                let li = Info {
                    affinity: Some(l.affinity.unwrap_or(Affinity::Blob)),
                    collation: Some((l.collation, false)),
                };
                let ri = Info {
                    affinity: Some(r.affinity.unwrap_or(Affinity::Blob)),
                    collation: Some((r.collation, false)),
                };
                let spec = super::expr::cmp_spec(CmpOp::Ne, li, ri, NullMode::Jump);
                self.b.emit(Insn::Compare {
                    spec,
                    lhs: a,
                    rhs: b,
                    target: self.b.to(fail),
                });
                Ok(())
            }
        }
    }

    /// The loop level a condition can be tested at: the last of the sources it reads (`n` if
    /// none: before all loops). Subqueries may read anything, so they go innermost.
    pub(super) fn cond_level(&self, cond: &Cond<'_>, sc: &Scope<'_>) -> Result<usize> {
        let n = sc.sources.len();
        let index_of = |cursor: CursorId| sc.sources.iter().position(|s| s.cursor == cursor);
        match cond {
            Cond::Eq(l, r) => Ok(index_of(l.cursor).max(index_of(r.cursor)).unwrap_or(0)),
            Cond::Ast(e) => {
                if n == 0 {
                    return Ok(0);
                }
                let mut level: Option<usize> = None;
                let mut innermost = false;
                walk(e, &mut |x| {
                    match &x.kind {
                        ExprKind::Subquery(_) | ExprKind::Exists(_) | ExprKind::InSelect { .. } => {
                            innermost = true;
                        }
                        ExprKind::Id(name) => match sc.resolve_here_only(None, &name.value) {
                            Some(c) => level = level.max(index_of(c)),
                            None => {
                                // An alias or unknown name: be conservative.
                                if sc
                                    .aliases
                                    .iter()
                                    .any(|(a, _)| a.eq_ignore_ascii_case(&name.value))
                                {
                                    innermost = true;
                                }
                            }
                        },
                        ExprKind::Qualified { table, column, .. } => {
                            if let Some(c) = sc.resolve_here_only(Some(&table.value), &column.value)
                            {
                                level = level.max(index_of(c));
                            }
                        }
                        _ => {}
                    }
                    true
                });
                Ok(if innermost { n - 1 } else { level.unwrap_or(n) })
            }
        }
    }
}

/// The registers holding a row's sort keys, and the sorter's order over them.
type SortKeys = (Reg, Vec<KeyColumn>);

/// The code producing a FROM source's rows, between `begin_producer` and `end_producer`.
pub(super) struct Producer {
    cursor: CursorId,
    coroutine: Option<Reg>,
    start_at: Addr,
    skip: Label,
}

impl Producer {
    /// Where the producing select's rows go.
    pub(super) fn dest(&self) -> Dest {
        match self.coroutine {
            Some(reg) => Dest::Coroutine {
                reg,
                cursor: self.cursor,
            },
            None => Dest::Table(self.cursor),
        }
    }
}

/// The registers of one projected row.
struct Projected {
    base: Reg,
    infos: Vec<ColInfo>,
}

/// For each of `n` result columns, the sorter key field that holds its value when a key is
/// that result column (the first such key; its value field, after a NULLS flag if it has one).
fn key_fields_of_results(
    order: &[(OrderKey<'_>, &ast::OrderingTerm)],
    n: usize,
) -> Vec<Option<usize>> {
    let mut from_key = vec![None; n];
    let mut field = 0;
    for (key, term) in order {
        field += usize::from(nulls_flag(term));
        if let OrderKey::Result(p, _) = key {
            if let Some(slot @ None) = from_key.get_mut(*p) {
                *slot = Some(field);
            }
        }
        field += 1;
    }
    from_key
}

/// The result column that is the same plain column of this query's sources as ORDER BY term
/// `e` (which then sorts by that result's value, as SQLite matches terms to result columns).
fn result_of_column(e: &ast::Expr, results: &[ResultExpr<'_>], sc: &Scope<'_>) -> Option<usize> {
    let column = super::access::own_column(e, sc)?;
    results.iter().position(|r| match r {
        ResultExpr::Column(r, _) => *r == column,
        ResultExpr::Ast(e, _) => super::access::own_column(e, sc) == Some(column),
    })
}

/// An ORDER BY key as a plain column of a source, the collation it sorts by and its
/// direction, if it is one without NULLS FIRST/LAST (for `order_walk.rs`).
fn order_column(
    key: &OrderKey<'_>,
    term: &ast::OrderingTerm,
    results: &[ResultExpr<'_>],
    sc: &Scope<'_>,
) -> Option<OrderColumn> {
    if term.nulls.is_some() {
        return None;
    }
    let (column, explicit) = match key {
        OrderKey::Result(i, collation) => {
            let column = match results.get(*i)? {
                ResultExpr::Column(r, _) => *r,
                ResultExpr::Ast(e, _) => super::access::own_column(e, sc)?,
            };
            (column, *collation)
        }
        OrderKey::Expr(e) => {
            return expr_order_column(e, term.order == Some(ast::SortOrder::Desc), sc);
        }
    };
    if column.alt.is_some() {
        return None;
    }
    Some(OrderColumn {
        collation: explicit.unwrap_or(column.collation),
        column,
        desc: term.order == Some(ast::SortOrder::Desc),
    })
}

/// Ordering by `e` (a column of this query's sources, perhaps with COLLATE) as a table column
/// and the collation it compares under; `None` for anything else.
pub(super) fn expr_order_column(e: &ast::Expr, desc: bool, sc: &Scope<'_>) -> Option<OrderColumn> {
    let (inner, name) = strip_collate(e);
    let explicit = match name {
        Some(n) => Some(Collation::from_name(&n.value)?),
        None => None,
    };
    let column = super::access::own_column(inner, sc)?;
    if column.alt.is_some() {
        return None;
    }
    Some(OrderColumn {
        collation: explicit.unwrap_or(column.collation),
        column,
        desc,
    })
}

/// The directions of the ORDER BY keys where they are the result columns in turn, none with
/// a non-default NULLS FIRST/LAST.
fn order_is_results(
    order: &[(OrderKey<'_>, &ast::OrderingTerm)],
    results: &[ResultExpr<'_>],
    sc: &Scope<'_>,
) -> Option<Vec<bool>> {
    if order.len() != results.len() {
        return None;
    }
    let matched = order
        .iter()
        .zip(results)
        .enumerate()
        .all(|(i, ((key, term), result))| {
            let same = match (key, result) {
                (OrderKey::Result(k, None), _) => *k == i,
                (OrderKey::Result(_, Some(_)), _) => false,
                (OrderKey::Expr(o), ResultExpr::Ast(e, _)) => same_term(o, e, sc),
                (OrderKey::Expr(o), ResultExpr::Column(res, _)) => own_column(o, sc) == Some(*res),
            };
            same && !nulls_flag(term)
        });
    matched.then(|| {
        order
            .iter()
            .map(|(_, t)| t.order == Some(ast::SortOrder::Desc))
            .collect()
    })
}

/// The result columns as GROUP BY terms, where a DISTINCT query's ORDER BY is its result
/// columns in turn, in any directions (SQLite's condition for running the DISTINCT as a
/// GROUP BY). A column from `*` has no term to group by: then `None`.
fn distinct_as_group<'e>(
    order: &[(OrderKey<'_>, &ast::OrderingTerm)],
    results: &[ResultExpr<'e>],
    sc: &Scope<'_>,
) -> Option<Vec<&'e ast::Expr>> {
    order_is_results(order, results, sc)?;
    results
        .iter()
        .map(|r| match r {
            ResultExpr::Ast(e, _) => Some(*e),
            ResultExpr::Column(..) => None,
        })
        .collect()
}

/// Whether two expressions are the same term: the same column of a source, else the same
/// text.
fn same_term(a: &ast::Expr, b: &ast::Expr, sc: &Scope<'_>) -> bool {
    match (own_column(a, sc), own_column(b, sc)) {
        (Some(x), Some(y)) => x == y,
        _ => same_expr(a, b),
    }
}

/// The directions of the ORDER BY keys where they are the GROUP BY's terms, one for one and
/// none with a non-default NULLS FIRST/LAST: sorted or walked in those directions, the groups
/// come out in the ORDER BY's order, and SQLite drops the ORDER BY's own sort.
fn order_is_group(
    order: &[(OrderKey<'_>, &ast::OrderingTerm)],
    group_by: &[&ast::Expr],
    results: &[ResultExpr<'_>],
    sc: &Scope<'_>,
) -> Option<Vec<bool>> {
    if order.is_empty() || order.len() != group_by.len() {
        return None;
    }
    let matched = order.iter().zip(group_by).all(|((key, term), g)| {
        // A GROUP BY term that names no column but a result's alias is that result.
        let g = match &g.kind {
            ExprKind::Id(name) if own_column(g, sc).is_none() => results
                .iter()
                .find_map(|r| match r {
                    ResultExpr::Ast(e, Some(alias)) if alias.eq_ignore_ascii_case(&name.value) => {
                        Some(*e)
                    }
                    _ => None,
                })
                .unwrap_or(g),
            _ => g,
        };
        let key_is_group = match key {
            OrderKey::Result(i, None) => match results.get(*i) {
                Some(ResultExpr::Ast(e, _)) => same_term(e, g, sc),
                Some(ResultExpr::Column(res, _)) => own_column(g, sc) == Some(*res),
                None => false,
            },
            OrderKey::Result(_, Some(_)) => false,
            OrderKey::Expr(e) => same_term(e, g, sc),
        };
        key_is_group && !nulls_flag(term)
    });
    matched.then(|| {
        order
            .iter()
            .map(|(_, t)| t.order == Some(ast::SortOrder::Desc))
            .collect()
    })
}

pub(super) fn nulls_flag(term: &ast::OrderingTerm) -> bool {
    let desc = term.order == Some(ast::SortOrder::Desc);
    match term.nulls {
        Some(ast::NullsOrder::First) => desc,
        Some(ast::NullsOrder::Last) => !desc,
        None => false,
    }
}

/// The condition `left.name = right.name` of a USING/NATURAL column of the join at `level`; the
/// right-hand copy is hidden from `*` and unqualified names, and for a RIGHT/FULL join the
/// left-hand copy falls back to it when NULL.
fn using_column<'e>(
    sc: &mut Scope<'_>,
    level: usize,
    name: &str,
    right: bool,
    full: bool,
) -> Result<Cond<'e>> {
    let left = sc.sources[..level].iter().enumerate().find_map(|(i, s)| {
        s.columns
            .iter()
            .position(|c| !c.hidden && c.name.eq_ignore_ascii_case(name))
            .map(|p| (i, p))
    });
    let rpos = sc.sources[level]
        .columns
        .iter()
        .position(|c| c.name.eq_ignore_ascii_case(name));
    let (Some((ls, lp)), Some(rp)) = (left, rpos) else {
        return Err(error(format!(
            "cannot join using column {name} - column not present in both tables"
        )));
    };
    let l = resolved_of(&sc.sources[ls], &sc.sources[ls].columns[lp]);
    let rsrc = &sc.sources[level];
    let r = resolved_of(rsrc, &rsrc.columns[rp]);
    let rcursor = rsrc.cursor;
    sc.sources[level].columns[rp].hidden = true;
    if right {
        let lcol = &mut sc.sources[ls].columns[lp];
        if lcol.coalesce.is_some() {
            return Err(crate::error::Error::not_supported(
                "a USING column shared by more than one RIGHT or FULL JOIN",
            ));
        }
        lcol.coalesce = Some(Alt {
            cursor: rcursor,
            read: r.read,
            real: r.real,
            // A FULL JOIN reads coalesce(left, right); a RIGHT JOIN the right-hand copy.
            first: !full,
        });
    }
    Ok(Cond::Eq(l, r))
}

/// Errs if, after the first left-hand source with column `name`, another one has it other than
/// as the hidden copy of an earlier USING.
fn check_unambiguous_using(sc: &Scope<'_>, level: usize, name: &str) -> Result<()> {
    let mut with_name = sc.sources[..level]
        .iter()
        .filter_map(|s| s.columns.iter().find(|c| c.name.eq_ignore_ascii_case(name)));
    with_name.next();
    if with_name.any(|c| !c.hidden) {
        return Err(error(format!("ambiguous reference to {name} in USING()")));
    }
    Ok(())
}

fn resolved_of(s: &Source, c: &SrcColumn) -> Resolved {
    Resolved {
        cursor: s.cursor,
        read: c.read,
        affinity: c.affinity,
        collation: c.collation,
        real: c.affinity == Some(Affinity::Real) && matches!(c.read, ColRead::Column(_)),
        alt: c.coalesce,
    }
}

fn push_source_columns(s: &Source, out: &mut Vec<ResultExpr<'_>>, skip_hidden: bool) {
    for c in &s.columns {
        if skip_hidden && c.hidden {
            continue;
        }
        // `t.*` reads each table's own copy of a USING column.
        let r = resolved_of(s, c);
        let r = if skip_hidden { r } else { r.plain() };
        out.push(ResultExpr::Column(r, c.name.clone()));
    }
}

fn source_column_name(sc: &Scope<'_>, table: Option<&str>, column: &str) -> String {
    for s in &sc.sources {
        if table.is_some_and(|t| !s.name.eq_ignore_ascii_case(t)) {
            continue;
        }
        if let Some(c) = s
            .columns
            .iter()
            .find(|c| c.name.eq_ignore_ascii_case(column))
        {
            return c.name.clone();
        }
        // SQLite names `rowid` (and its other names) after an INTEGER PRIMARY KEY column, and
        // otherwise `rowid` whichever name was written.
        if super::scope::is_rowid_name(column) {
            if let Some(t) = &s.table {
                return match t.rowid_alias {
                    Some(a) => t.columns[a].name.clone(),
                    None => "rowid".to_string(),
                };
            }
        }
    }
    column.to_string()
}

pub fn table_source(table: &Rc<Table>, name: String, cursor: CursorId) -> Source {
    let columns = table
        .columns
        .iter()
        .enumerate()
        .map(|(i, c)| SrcColumn {
            name: c.name.clone(),
            affinity: Some(c.affinity),
            collation: c.collation,
            read: if table.rowid_alias == Some(i) {
                ColRead::Rowid
            } else {
                ColRead::Column(i)
            },
            hidden: false,
            coalesce: None,
            origin: None,
            declared_type: None,
        })
        .collect();
    Source {
        name,
        cursor,
        columns,
        table: Some(Rc::clone(table)),
        plan_name: None,
        coroutine: None,
    }
}

/// `sqlite_schema` (of database `db`) as a source: its five columns, and its rowid (SQLite
/// allows `SELECT rowid FROM sqlite_schema`).
fn schema_source(name: String, cursor: CursorId, db: Db) -> Source {
    let columns = ["type", "name", "tbl_name", "rootpage", "sql"]
        .iter()
        .enumerate()
        .map(|(i, n)| SrcColumn {
            name: (*n).to_string(),
            affinity: Some(if i == 3 {
                Affinity::Integer
            } else {
                Affinity::Text
            }),
            collation: Collation::Binary,
            read: ColRead::Column(i),
            hidden: false,
            coalesce: None,
            origin: None,
            declared_type: None,
        })
        .collect();
    // A table with no indexes and no declared columns: only its rowid resolves through it.
    let table = Table {
        name: db.schema_table_name().to_string(),
        db,
        root: crate::schema::SCHEMA_ROOT,
        columns: Vec::new(),
        rowid_alias: None,
        autoincrement: false,
        checks: Vec::new(),
        unsupported: None,
        pk_conflict: None,
    };
    Source {
        name,
        cursor,
        columns,
        table: Some(Rc::new(table)),
        plan_name: None,
        coroutine: None,
    }
}

pub fn contains_aggregate(e: &ast::Expr) -> bool {
    let mut found = false;
    walk(e, &mut |x| {
        if aggregate_of(x).is_some() {
            found = true;
            return false;
        }
        true
    });
    found
}

/// The comparison of two group keys (NULLs equal) for GROUP BY.
pub fn group_key_differs(collation: Collation) -> CmpSpec {
    CmpSpec {
        op: CmpOp::Ne,
        affinity: Affinity::Blob,
        collation,
        nulls: NullMode::Is,
    }
}

/// Aggregate calls and bare columns of an aggregate query.
pub struct AggPlan {
    pub calls: Vec<(ast::Expr, Aggregate)>,
}

impl AggPlan {
    pub fn collect<'e>(exprs: impl Iterator<Item = &'e ast::Expr>) -> AggPlan {
        let mut calls: Vec<(ast::Expr, Aggregate)> = Vec::new();
        for e in exprs {
            walk(e, &mut |x| {
                if let Some(f) = aggregate_of(x) {
                    if !calls.iter().any(|(c, _)| c == x) {
                        calls.push((x.clone(), f));
                    }
                    return false;
                }
                true
            });
        }
        AggPlan { calls }
    }
}

impl AggBinding {
    pub fn new(calls: Vec<(ast::Expr, Reg)>) -> AggBinding {
        AggBinding {
            calls,
            columns: RefCell::new(Vec::new()),
        }
    }
}
