//! Recursive common table expressions, compiled with SQLite's queue algorithm.
//!
//! A CTE is recursive when one of its compound's members names it in its own FROM clause (with
//! or without the RECURSIVE keyword, as in SQLite). Its members split into the *initial* ones
//! (a prefix that does not name it) and the *recursive* ones (the rest, joined by one operator,
//! UNION or UNION ALL). The program:
//!
//! 1. runs the initial members into a queue;
//! 2. pops the queue's first row (the oldest, or the smallest under the CTE's ORDER BY, ties
//!    oldest first), appends it to the result table (after OFFSET; LIMIT counts these rows),
//!    makes it the only row of the "current row" table, and runs every recursive member with
//!    the CTE's name bound to that table, pushing their rows onto the queue;
//! 3. repeats until the queue is empty or LIMIT is reached.
//!
//! With UNION a row already queued once is never queued again (an ephemeral set of every row
//! seen). The result table is what the outer query scans, like any materialized CTE; or, when
//! the CTE is its query's outermost loop, the program is a co-routine that yields each row as
//! step 2 emits it (through a one-row table), so a consumer that stops early stops it too.
//!
//! Invariants:
//! - While a CTE's body is compiled its name resolves to a guard, never to the CTE itself or
//!   to a table of that name: inside a recursive member, to the current-row table (once per
//!   member, at the member's own nesting depth); anywhere else, to SQLite's errors ("circular
//!   reference", "multiple references to recursive table", "multiple recursive references").
//! - A co-routine is read only by a loop that runs it once from its start (the outermost loop
//!   of a query, which a re-run subquery starts again with `InitCoroutine`), never rescanned.
//! - The queue's order key ends with an insertion counter, so equal ORDER BY keys pop in
//!   insertion order and no two queue entries compare equal.

use super::scope::{ColRead, Scope, Source, SrcColumn};
use super::select::{contains_aggregate, ColInfo, Dest};
use super::{error, Ctx};
use crate::error::{Error, Result};
use crate::record::{Collation, KeyColumn, KeyInfo, SortOrder};
use crate::sql::arith::ArithOp;
use crate::vdbe::{CursorId, Insn, Reg};
use basalt_parser::ast::{self, ExprKind};
use std::cell::Cell;

/// What a CTE's name means while its own body is being compiled.
pub(super) enum CteGuard {
    /// A body that must not name its CTE at all.
    Circular(String),
    /// A recursive member: the name is the current-row table.
    Recursive {
        name: String,
        cursor: CursorId,
        columns: Vec<SrcColumn>,
        /// The select nesting depth of the member; deeper references are in subqueries.
        depth: usize,
        used: Cell<bool>,
    },
}

/// Where a recursive CTE's members push their rows.
#[derive(Clone, Debug)]
pub struct QueuePush {
    queue: CursorId,
    /// UNION: every row ever queued.
    seen: Option<CursorId>,
    /// ORDER BY: the result columns the queue is ordered by (the keys come first in its
    /// records, then the insertion counter, then the row).
    order: Vec<usize>,
    counter: Reg,
}

/// The members of a recursive CTE's compound.
struct Split<'s> {
    initial: ast::Select,
    recursive: Vec<&'s ast::SelectCore>,
    distinct: bool,
}

/// How many times `core` names `name` in its FROM clause (parenthesized joins included).
fn from_references(core: &ast::SelectCore, name: &str) -> usize {
    fn in_from(from: &ast::FromClause, name: &str) -> usize {
        std::iter::once(&from.first)
            .chain(from.joins.iter().map(|j| &j.table))
            .map(|t| match t {
                ast::TableOrSubquery::Table { name: n, .. } => {
                    usize::from(n.schema.is_none() && n.name.value.eq_ignore_ascii_case(name))
                }
                ast::TableOrSubquery::Nested { from, .. } => in_from(from, name),
                _ => 0,
            })
            .sum()
    }
    match core {
        ast::SelectCore::Select(body) => body.from.as_ref().map_or(0, |f| in_from(f, name)),
        ast::SelectCore::Values(_) => 0,
    }
}

/// Whether the CTE `name` defined by `select` is recursive.
pub(super) fn is_recursive(select: &ast::Select, name: &str) -> bool {
    // A WITH of the body's own that defines the name again hides the CTE from its members.
    let redefined = select.with.as_ref().is_some_and(|w| {
        w.ctes
            .iter()
            .any(|c| c.name.value.eq_ignore_ascii_case(name))
    });
    !redefined
        && std::iter::once(&select.first)
            .chain(select.compound.iter().map(|(_, c)| c))
            .any(|c| from_references(c, name) > 0)
}

/// Splits a recursive CTE's compound as SQLite does; any other shape is a circular reference.
fn split<'s>(select: &'s ast::Select, name: &str) -> Result<Split<'s>> {
    let circular = || error(format!("circular reference: {name}"));
    let cores: Vec<&ast::SelectCore> = std::iter::once(&select.first)
        .chain(select.compound.iter().map(|(_, c)| c))
        .collect();
    let first_rec = cores
        .iter()
        .position(|c| from_references(c, name) > 0)
        .ok_or_else(circular)?;
    if first_rec == 0 {
        return Err(circular());
    }
    let ops: Vec<ast::CompoundOp> = select.compound[first_rec - 1..]
        .iter()
        .map(|(op, _)| *op)
        .collect();
    let distinct = ops[0] == ast::CompoundOp::Union;
    let same_union = ops.iter().all(|op| {
        *op == ops[0] && matches!(op, ast::CompoundOp::Union | ast::CompoundOp::UnionAll)
    });
    if !same_union
        || cores[first_rec..]
            .iter()
            .any(|c| from_references(c, name) == 0)
    {
        return Err(circular());
    }
    for core in &cores[first_rec..] {
        if from_references(core, name) > 1 {
            return Err(error(format!(
                "multiple references to recursive table: {name}"
            )));
        }
        if let ast::SelectCore::Select(body) = core {
            let aggregate = !body.group_by.is_empty()
                || body.columns.iter().any(|c| match c {
                    ast::ResultColumn::Expr { expr, .. } => contains_aggregate(expr),
                    _ => false,
                });
            if aggregate {
                return Err(error("recursive aggregate queries not supported"));
            }
        }
    }
    let initial = ast::Select {
        with: None,
        first: select.first.clone(),
        compound: select.compound[..first_rec - 1].to_vec(),
        order_by: Vec::new(),
        limit: None,
    };
    Ok(Split {
        initial,
        recursive: cores[first_rec..].to_vec(),
        distinct,
    })
}

/// The queue's order: (result column, its key column) per ORDER BY term, matched by number or
/// by the name of one of the first member's result columns.
fn queue_order(
    order_by: &[ast::OrderingTerm],
    columns: &[ColInfo],
) -> Result<Vec<(usize, KeyColumn)>> {
    let mut out = Vec::new();
    for (i, term) in order_by.iter().enumerate() {
        if term.nulls.is_some() {
            return Err(Error::not_supported(
                "NULLS FIRST/LAST in a recursive CTE's ORDER BY",
            ));
        }
        let mut inner = &term.expr;
        let mut collation = None;
        while let ExprKind::Collate { expr, collation: c } = &inner.kind {
            collation.get_or_insert(c);
            inner = expr;
        }
        let column = match &inner.kind {
            ExprKind::Literal(ast::Literal::Integer(t)) => t
                .parse::<usize>()
                .ok()
                .filter(|k| (1..=columns.len()).contains(k))
                .map(|k| k - 1)
                .ok_or_else(|| {
                    error(format!(
                        "{} ORDER BY term out of range - should be between 1 and {}",
                        super::select::ordinal(i + 1),
                        columns.len()
                    ))
                })?,
            ExprKind::Id(n) => columns
                .iter()
                .position(|c| c.name.eq_ignore_ascii_case(&n.value))
                .ok_or_else(|| no_match(i))?,
            _ => return Err(no_match(i)),
        };
        let collation = match collation {
            Some(c) => Collation::from_name(&c.value)
                .ok_or_else(|| error(format!("no such collation sequence: {}", c.value)))?,
            None => columns[column].collation.map_or(Collation::Binary, |c| c.0),
        };
        let order = match term.order {
            Some(ast::SortOrder::Desc) => SortOrder::Desc,
            _ => SortOrder::Asc,
        };
        out.push((column, KeyColumn::new(collation, order)));
    }
    Ok(out)
}

fn no_match(i: usize) -> Error {
    error(format!(
        "{} ORDER BY term does not match any column in the result set",
        super::select::ordinal(i + 1)
    ))
}

fn binary_keys(n: usize) -> Vec<KeyColumn> {
    (0..n)
        .map(|_| KeyColumn::new(Collation::Binary, SortOrder::Asc))
        .collect()
}

impl Ctx<'_> {
    /// The source a reference to a guarded CTE name resolves to, or SQLite's error for it;
    /// `None` if no guard has the name.
    pub(super) fn guarded_cte(&self, name: &str, alias: &str) -> Result<Option<Source>> {
        let Some((visible, guard)) = self.cte_guards.iter().rev().find(|(_, g)| match g {
            CteGuard::Circular(n) | CteGuard::Recursive { name: n, .. } => {
                n.eq_ignore_ascii_case(name)
            }
        }) else {
            return Ok(None);
        };
        // A WITH inside the body may define the name again, and that definition wins.
        let shadowed = self.ctes.get(*visible..).is_some_and(|inner| {
            inner
                .iter()
                .any(|c| c.name.value.eq_ignore_ascii_case(name))
        });
        if shadowed {
            return Ok(None);
        }
        match guard {
            CteGuard::Circular(n) => Err(error(format!("circular reference: {n}"))),
            CteGuard::Recursive {
                name,
                cursor,
                columns,
                depth,
                used,
            } => {
                if *depth != self.depth || used.get() {
                    return Err(error(format!("multiple recursive references: {name}")));
                }
                used.set(true);
                Ok(Some(Source {
                    name: alias.to_string(),
                    cursor: *cursor,
                    columns: columns.clone(),
                    table: None,
                    plan_name: None,
                    coroutine: None,
                }))
            }
        }
    }

    /// A recursive CTE in FROM, added to the scope as `alias`: `lazy`, a co-routine that yields
    /// each row as the queue produces it (so a consumer that stops early stops it too); else
    /// its rows into an ephemeral table (once, unless correlated).
    pub(super) fn recursive_cte(
        &mut self,
        cte: &ast::Cte,
        alias: String,
        sc: &mut Scope<'_>,
        lazy: bool,
    ) -> Result<()> {
        let name = cte.name.value.clone();
        let parts = split(&cte.select, &name)?;
        let producer = self.begin_producer(lazy);
        let queue = self.b.cursor();
        let current = self.b.cursor();
        let seen = parts.distinct.then(|| self.b.cursor());
        let queue_at = self.b.emit(Insn::Noop);
        let seen_at = self.b.emit(Insn::Noop);
        let dest = producer.dest();
        let mut sink = self.new_sink(dest, false);
        self.limits(cte.select.limit.as_ref(), &mut sink)?;
        let counter = self.b.reg();
        self.b.emit(Insn::Integer {
            value: 0,
            dest: counter,
        });
        // The queue's order needs the first member's column names, so the initial rows go
        // through a staging table and onto the queue once the select is compiled.
        let stage = self.b.cursor();
        self.b.emit(Insn::OpenEphemeral {
            cursor: stage,
            key: None,
        });
        self.cte_guards
            .push((self.ctes.len(), CteGuard::Circular(name.clone())));
        let first = self.select(&parts.initial, sc.parent, Dest::Table(stage));
        self.cte_guards.pop();
        let first = first?;
        let mut correlated = first.correlated;
        let names: Option<Vec<String>> = cte
            .columns
            .as_ref()
            .map(|cs| cs.iter().map(|c| c.value.clone()).collect());
        let mut columns = cte_columns(&first.columns, names.as_deref(), &name)?;
        // Rows of a recursive CTE come from several SELECTs: SQLite names no origin for them.
        for column in &mut columns {
            column.origin = None;
            column.declared_type = None;
        }
        let order = queue_order(&cte.select.order_by, &first.columns)?;
        let push = QueuePush {
            queue,
            seen,
            order: order.iter().map(|(c, _)| *c).collect(),
            counter,
        };
        let n = columns.len();
        self.open_queue(queue_at, queue, &order, n);
        if let Some(s) = seen {
            let keys = first
                .columns
                .iter()
                .map(|c| {
                    KeyColumn::new(
                        c.collation.map_or(Collation::Binary, |x| x.0),
                        SortOrder::Asc,
                    )
                })
                .collect();
            self.b.replace(
                seen_at,
                Insn::OpenEphemeral {
                    cursor: s,
                    key: Some(KeyInfo::new(keys)),
                },
            );
        }
        let staged = self.b.regs(n);
        let scan = self.b.scan_start(stage);
        self.b.columns(stage, n, staged);
        self.queue_push(&push, staged, n);
        self.b.scan_end(scan);
        // Pop, emit, recurse.
        let top = self.b.label();
        self.b.place(top);
        self.b.emit(Insn::Rewind {
            cursor: queue,
            if_empty: self.b.to(sink.end),
        });
        let row = self.b.regs(n);
        let at = if order.is_empty() { 0 } else { order.len() + 1 };
        self.b.columns_from(queue, at, n, row);
        self.b.emit(Insn::Delete {
            cursor: queue,
            count_change: false,
            hook: None,
        });
        self.output_row(&sink, row, n);
        self.b.emit(Insn::OpenEphemeral {
            cursor: current,
            key: None,
        });
        self.b.append_record(current, row, n);
        let guard_columns = columns
            .iter()
            .enumerate()
            .map(|(i, c)| SrcColumn {
                read: ColRead::Column(i),
                ..c.clone()
            })
            .collect();
        let guard = CteGuard::Recursive {
            name: name.clone(),
            cursor: current,
            columns: guard_columns,
            depth: self.depth,
            used: Cell::new(false),
        };
        self.cte_guards.push((self.ctes.len(), guard));
        let mut members = Ok(());
        for core in &parts.recursive {
            if let Some((_, CteGuard::Recursive { used, .. })) = self.cte_guards.last() {
                used.set(false);
            }
            let dest = Dest::Queue(push.clone());
            match self.core(core, &[], None, sc.parent, dest) {
                Ok(out) if out.columns.len() != n => {
                    let op = if parts.distinct { "UNION" } else { "UNION ALL" };
                    members = Err(error(format!(
                        "SELECTs to the left and right of {op} do not have the same number of result columns"
                    )));
                    break;
                }
                Ok(out) => correlated |= out.correlated,
                Err(e) => {
                    members = Err(e);
                    break;
                }
            }
        }
        self.cte_guards.pop();
        members?;
        self.b.emit(Insn::Goto {
            target: self.b.to(top),
        });
        self.finish_sink(&sink, n);
        let (cursor, coroutine) = self.end_producer(producer, correlated, sc);
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

    fn open_queue(
        &mut self,
        at: crate::vdbe::Addr,
        queue: CursorId,
        order: &[(usize, KeyColumn)],
        n: usize,
    ) {
        let key = if order.is_empty() {
            None
        } else {
            let mut keys: Vec<KeyColumn> = order.iter().map(|(_, k)| *k).collect();
            keys.extend(binary_keys(1 + n));
            Some(KeyInfo::new(keys))
        };
        self.b
            .replace(at, Insn::OpenEphemeral { cursor: queue, key });
    }

    /// One row of a recursive CTE's member onto its queue (unless UNION has seen it).
    pub(super) fn queue_push(&mut self, push: &QueuePush, base: Reg, n: usize) {
        let skip = self.b.label();
        if let Some(seen) = push.seen {
            self.skip_if_seen(seen, base, n, skip);
        }
        if push.order.is_empty() {
            self.b.append_record(push.queue, base, n);
        } else {
            let m = push.order.len();
            let block = self.b.regs(m + 1 + n);
            for (i, c) in push.order.iter().enumerate() {
                self.b.emit(Insn::Copy {
                    src: base + c,
                    dest: block + i,
                    count: 1,
                });
            }
            let one = self.b.reg();
            self.b.emit(Insn::Integer {
                value: 1,
                dest: one,
            });
            self.b.emit(Insn::Arith {
                op: ArithOp::Add,
                lhs: push.counter,
                rhs: one,
                dest: push.counter,
            });
            self.b.emit(Insn::Copy {
                src: push.counter,
                dest: block + m,
                count: 1,
            });
            self.b.emit(Insn::Copy {
                src: base,
                dest: block + m + 1,
                count: n,
            });
            self.b.idx_insert_record(push.queue, block, m + 1 + n);
        }
        self.b.place(skip);
    }
}

/// A materialized CTE's (or subquery's) columns: the names given (as many as the select has,
/// else an error naming `owner`), or the select's own.
pub(super) fn cte_columns(
    out: &[ColInfo],
    names: Option<&[String]>,
    owner: &str,
) -> Result<Vec<SrcColumn>> {
    if let Some(names) = names {
        if names.len() != out.len() {
            return Err(error(format!(
                "table {owner} has {} values for {} columns",
                out.len(),
                names.len()
            )));
        }
    }
    let derived = match names {
        Some(_) => Vec::new(),
        None => distinct_names(out.iter().map(|c| c.name.as_str())),
    };
    Ok(out
        .iter()
        .enumerate()
        .map(|(i, c)| SrcColumn {
            name: names
                .and_then(|n| n.get(i))
                .or_else(|| derived.get(i))
                .map_or_else(|| c.name.clone(), Clone::clone),
            affinity: c.affinity,
            collation: c.collation.map_or(Collation::Binary, |x| x.0),
            read: ColRead::Column(i),
            hidden: false,
            coalesce: None,
            origin: c.origin.clone(),
            declared_type: c.declared_type.clone(),
        })
        .collect())
}

/// A subquery's column names as SQLite derives them: a name already taken (ignoring case)
/// becomes `name:N` (a `:` and any digits ending it replaced), N counting up until it is free
/// (SQLite draws a random N after three tries; Basalt keeps counting).
fn distinct_names<'a>(names: impl Iterator<Item = &'a str>) -> Vec<String> {
    let mut taken: Vec<String> = Vec::new();
    for name in names {
        let mut candidate = name.to_string();
        let mut count = 0u32;
        while taken.iter().any(|t| t.eq_ignore_ascii_case(&candidate)) {
            let digits = candidate.trim_end_matches(|c: char| c.is_ascii_digit());
            let base = match digits.strip_suffix(':') {
                Some(base) if !base.is_empty() => base,
                _ => candidate.as_str(),
            };
            count += 1;
            candidate = format!("{base}:{count}");
        }
        taken.push(candidate);
    }
    taken
}
