//! Aggregate queries: aggregate functions, GROUP BY, HAVING, bare columns.
//!
//! Without GROUP BY the rows feed the aggregates directly and one row comes out. With GROUP BY,
//! as in SQLite, every row's group keys, aggregate arguments and bare columns go into a sorter;
//! the sorted rows are then walked, and a change of group key outputs the finished group.
//!
//! Invariants:
//! - A bare column (a column used outside any aggregate, a group key shown included) reads the
//!   value of the row SQLite's plan leaves it on: the first row of its group (in scan order; the
//!   sorter is stable), or, when the query has single-argument min()/max() calls, the last row
//!   where the last of them took a new value (SQLite's OP_CollSeq / skip-accumulator-load).
//! - Group keys compare with NULLs equal and under each key's collation, as the sorter ordered
//!   them.

use super::expr::{aggregate_of, walk, Info};
use super::outer_join::OuterJoin;
use super::scope::{AggBinding, Resolved, Scope};
use super::select::{group_key_differs, AggPlan, Cond};
use super::{error, Ctx, Label};
use crate::error::{Error, Result};
use crate::record::{Collation, KeyColumn, KeyInfo, SortOrder};
use crate::vdbe::func::Aggregate;
use crate::vdbe::{Addr, CursorId, Insn, Reg};
use basalt_parser::ast::{self, ExprKind};
use std::cell::Cell;

/// One aggregate call's registers.
/// An aggregate query's GROUP BY: its terms (none for one group of every row), the direction
/// each is sorted or walked in (all ascending where `desc` is empty), and whether it stands
/// for a DISTINCT (SQLite's rewrite of `SELECT DISTINCT x … ORDER BY x`), as its plan says.
pub(super) struct GroupBy<'e> {
    pub terms: Vec<&'e ast::Expr>,
    pub desc: Vec<bool>,
    pub from_distinct: bool,
}

impl GroupBy<'_> {
    /// Whether term `i` is sorted or walked descending.
    fn desc(&self, i: usize) -> bool {
        self.desc.get(i).copied().unwrap_or(false)
    }
}

struct Call {
    expr: ast::Expr,
    func: Aggregate,
    args: Vec<ast::Expr>,
    /// `FILTER (WHERE f)`: `f`'s value goes in the register after the arguments, and a row
    /// whose `f` is not true is not stepped.
    filter: Option<ast::Expr>,
    slot: usize,
    result: Reg,
    arg_base: Reg,
    distinct: Option<CursorId>,
    collation: Cell<Collation>,
}

impl Call {
    /// Registers (and sorter fields) the call's inputs take: its arguments, then its filter.
    fn width(&self) -> usize {
        self.args.len() + usize::from(self.filter.is_some())
    }
}

/// Which row the bare columns of a group are loaded from (see the module invariants).
struct BareGate {
    /// 1 once the group's bare columns are loaded (used without min/max calls).
    loaded: Reg,
    /// The single-argument min/max calls (indexes into the calls): each one's step sets `skip`
    /// to whether the row left its value alone (SQLite's OP_CollSeq flag), and steps run in
    /// call order, so the last of them decides, as in SQLite.
    extremes: Vec<usize>,
    skip: Reg,
    /// Whether the query has bare columns at all: without any, there is nothing to load and
    /// no row to choose.
    any: bool,
}

impl Ctx<'_> {
    fn bare_gate(&mut self, calls: &[Call], any: bool) -> BareGate {
        let mut extremes = Vec::new();
        for (i, c) in calls.iter().enumerate().filter(|_| any) {
            let name = c.func.builtin_name().unwrap_or_default();
            let plain = c.distinct.is_none() && c.filter.is_none();
            if (name == "min" || name == "max") && c.args.len() == 1 && plain {
                extremes.push(i);
            }
        }
        BareGate {
            loaded: self.b.reg(),
            extremes,
            skip: self.b.reg(),
            any,
        }
    }

    /// A new group: nothing loaded (the min/max states start afresh with their slots).
    fn bare_gate_reset(&mut self, g: &BareGate) {
        self.b.emit(Insn::Integer {
            value: 0,
            dest: g.loaded,
        });
    }

    /// After a row's aggregate steps: runs `load` if this row is the one SQLite takes the bare
    /// columns from. With min/max calls, their steps said so in `skip` (the last one decides).
    fn bare_gate_load(&mut self, g: &BareGate, load: &mut dyn FnMut(&mut Self)) {
        if !g.any {
            return;
        }
        let done = self.b.label();
        if g.extremes.is_empty() {
            self.b.emit(Insn::If {
                reg: g.loaded,
                target: self.b.to(done),
                if_null: false,
            });
            load(self);
            self.b.emit(Insn::Integer {
                value: 1,
                dest: g.loaded,
            });
            self.b.place(done);
            return;
        }
        self.b.emit(Insn::If {
            reg: g.skip,
            target: self.b.to(done),
            if_null: false,
        });
        load(self);
        self.b.place(done);
    }

    /// Opens (or re-opens, emptying) the DISTINCT sets of the aggregates that have one; their
    /// collations are patched in by `patch_distinct_sets` once the arguments are compiled.
    /// `noted`: the plan shows each set as SQLite does for a query without GROUP BY, a row
    /// ahead of the loops (with GROUP BY, SQLite's rows come in another order: refused).
    fn open_distinct_sets(&mut self, calls: &[Call], opened: &mut Vec<(Addr, usize)>, noted: bool) {
        for (i, c) in calls.iter().enumerate() {
            if let Some(cursor) = c.distinct {
                match c.func.builtin_name() {
                    Some(name) if noted => {
                        self.plan_note(|| format!("USE TEMP B-TREE FOR {name}(DISTINCT)"));
                    }
                    _ => self.plan_refuse("DISTINCT aggregates with GROUP BY or user functions"),
                }
                let at = self.b.emit(Insn::OpenEphemeral {
                    cursor,
                    key: Some(KeyInfo::binary(1)),
                });
                opened.push((at, i));
            }
        }
    }

    fn patch_distinct_sets(&mut self, calls: &[Call], opened: &[(Addr, usize)]) {
        for &(at, i) in opened {
            if let Some(cursor) = calls[i].distinct {
                self.b.replace(
                    at,
                    Insn::OpenEphemeral {
                        cursor,
                        key: Some(KeyInfo::new(vec![KeyColumn::new(
                            calls[i].collation.get(),
                            SortOrder::Asc,
                        )])),
                    },
                );
            }
        }
    }

    /// SQLite's min/max optimisation for the query whose one aggregate is `call` = min(x) or
    /// max(x) (`desc`), without GROUP BY or HAVING: when its single table's loop can visit
    /// rows in the order of `x` (ascending for min, descending for max: `order_walk.rs`), only
    /// the first row that passes WHERE with a non-NULL `x` is needed; `x`'s register and
    /// `desc`, if so. NULLs come first in an ascending walk and last in a descending one, and
    /// min() and max() skip them: min()'s answer is the walk's first non-NULL value, max()'s
    /// the first row's (NULL only when every value is). For ties, the walk's first row gives
    /// the other columns, as in SQLite. min() steps over the NULLs one by one where SQLite
    /// seeks past them.
    fn min_max_walk(
        &mut self,
        call: &Call,
        desc: bool,
        sc: &Scope<'_>,
        conds: &[(Cond<'_>, Option<usize>)],
    ) -> Result<Option<(Reg, bool)>> {
        let Some(key) = super::select::expr_order_column(&call.args[0], desc, sc) else {
            return Ok(None);
        };
        Ok(self
            .order_by_walk(&[Some(key)], conds, sc)?
            .then_some((call.arg_base, desc)))
    }

    /// A new group whose keys are at `keys.0` (`keys.2` of them): they become the group's
    /// (`keys.1`), the last group goes out through the subroutine `out` (its return register
    /// and label), and the aggregates, bare columns and DISTINCT sets start afresh.
    fn start_group(
        &mut self,
        calls: &[Call],
        gate: &BareGate,
        opened: &mut Vec<(Addr, usize)>,
        (cur, prev, k): (Reg, Reg, usize),
        (ret, out): (Reg, Label),
    ) {
        self.b.emit(Insn::Copy {
            src: cur,
            dest: prev,
            count: k,
        });
        self.b.emit(Insn::Gosub {
            ret,
            target: self.b.to(out),
        });
        for c in calls {
            self.b.emit(Insn::AggReset { slot: c.slot });
        }
        self.bare_gate_reset(gate);
        self.open_distinct_sets(calls, opened, false);
    }

    /// The group's aggregate results, then its row unless HAVING rejects it.
    fn finish_group(
        &mut self,
        calls: &[Call],
        having: Option<&ast::Expr>,
        out_scope: &Scope<'_>,
        output: &mut dyn FnMut(&mut Self, &Scope<'_>) -> Result<()>,
    ) -> Result<()> {
        for c in calls {
            self.b.emit(Insn::AggFinal {
                func: c.func.clone(),
                slot: c.slot,
                dest: c.result,
            });
        }
        let skip = self.b.label();
        if let Some(h) = having {
            self.filter(h, out_scope, skip)?;
        }
        output(self, out_scope)?;
        self.b.place(skip);
        Ok(())
    }

    /// Whether the single table loop of this GROUP BY can visit its rows in the order of the
    /// group keys, each a plain column (ascending, under its collation), so that each group's
    /// rows come together: then the loop is told to walk that order (`order_walk.rs`), as
    /// SQLite takes GROUP BY from an index's order.
    fn group_walk(
        &mut self,
        group: &GroupBy<'_>,
        conds: &[(Cond<'_>, Option<usize>)],
        sc: &Scope<'_>,
    ) -> Result<bool> {
        let keys: Option<Vec<_>> = group
            .terms
            .iter()
            .enumerate()
            .map(|(i, g)| super::select::expr_order_column(g, group.desc(i), sc))
            .collect();
        match keys {
            Some(keys) if !keys.is_empty() => {
                let keys: Vec<_> = keys.into_iter().map(Some).collect();
                self.order_by_walk(&keys, conds, sc)
            }
            _ => Ok(false),
        }
    }

    /// AggStep for every call, arguments already in their registers; the min/max calls the bare
    /// columns follow report to the gate.
    fn agg_steps(&mut self, calls: &[Call], gate: &BareGate) {
        for (i, c) in calls.iter().enumerate() {
            let skip = self.b.label();
            if c.filter.is_some() {
                self.b.emit(Insn::IfNot {
                    reg: c.arg_base + c.args.len(),
                    target: self.b.to(skip),
                    if_null: true,
                });
            }
            if let Some(d) = c.distinct {
                self.skip_if_seen(d, c.arg_base, 1, skip);
            }
            self.b.emit(Insn::AggStep {
                func: c.func.clone(),
                args: c.arg_base,
                argc: c.args.len(),
                slot: c.slot,
                collation: c.collation.get(),
                skip_load: gate.extremes.contains(&i).then_some(gate.skip),
            });
            self.b.place(skip);
        }
    }

    fn agg_args(
        &mut self,
        calls: &[Call],
        sc: &Scope<'_>,
        base_of: impl Fn(usize) -> Reg,
    ) -> Result<()> {
        for (n, c) in calls.iter().enumerate() {
            let base = base_of(n);
            for (i, a) in c.args.iter().enumerate() {
                if super::select::contains_aggregate(a) {
                    return Err(error(format!(
                        "misuse of aggregate function {}()",
                        c.func.name()
                    )));
                }
                let info = self.expr(a, sc, base + i)?;
                if i == 0 {
                    c.collation
                        .set(info.collation.map_or(Collation::Binary, |x| x.0));
                }
            }
            if let Some(filter) = &c.filter {
                if super::select::contains_aggregate(filter) {
                    return Err(error(format!(
                        "misuse of aggregate function {}()",
                        c.func.name()
                    )));
                }
                self.expr(filter, sc, base + c.args.len())?;
            }
        }
        Ok(())
    }

    /// Compiles an aggregate query's loops and output; `output` projects and emits one group's
    /// row in the output scope. The groups come out in the order of their terms, each in its
    /// direction.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn aggregate_query<'e>(
        &mut self,
        having: Option<&ast::Expr>,
        outputs: &[&ast::Expr],
        group: &GroupBy<'_>,
        sc: &mut Scope<'_>,
        bare_extra: &[Resolved],
        conds: &[(Cond<'e>, Option<usize>)],
        joins: &[OuterJoin<'e>],
        output: &mut dyn FnMut(&mut Self, &Scope<'_>) -> Result<()>,
    ) -> Result<()> {
        let group_by = &group.terms[..];
        let plan = AggPlan::collect(outputs.iter().copied().chain(having));
        let mut calls = Vec::new();
        for (expr, func) in &plan.calls {
            let (args, distinct, filter) = match &expr.kind {
                ExprKind::Function { args, filter, .. } => match args {
                    ast::FunctionArgs::Star => (Vec::new(), false, filter.as_deref().cloned()),
                    ast::FunctionArgs::List { args, distinct, .. } => {
                        (args.clone(), *distinct, filter.as_deref().cloned())
                    }
                },
                _ => (Vec::new(), false, None),
            };
            if let ExprKind::Function { name, .. } = &expr.kind {
                if !func.accepts(args.len()) {
                    return Err(error(format!(
                        "wrong number of arguments to function {}()",
                        name.value
                    )));
                }
                if distinct && args.len() != 1 {
                    return Err(error("DISTINCT aggregates must have exactly one argument"));
                }
            }
            calls.push(Call {
                expr: expr.clone(),
                func: func.clone(),
                slot: self.b.agg_slot(),
                result: self.b.reg(),
                arg_base: self
                    .b
                    .regs((args.len() + usize::from(filter.is_some())).max(1)),
                args,
                filter,
                distinct: if distinct {
                    Some(self.b.cursor())
                } else {
                    None
                },
                collation: Cell::new(Collation::Binary),
            });
        }
        if let ([out], [source]) = (outputs, sc.sources.as_slice()) {
            let whole_table =
                group_by.is_empty() && having.is_none() && conds.is_empty() && joins.is_empty();
            if whole_table && is_count_star(out) {
                // SQLite counts a table's rows through its narrowest b-tree whatever its
                // `INDEXED BY` says (`NOT INDEXED` still holds).
                self.ignore_forced_index(source.cursor);
            }
        }
        // Bare columns: every column of this query's sources used outside an aggregate.
        let mut bare: Vec<Resolved> = bare_extra
            .iter()
            .flat_map(|r| std::iter::once(r.plain()).chain(r.alt_column()))
            .collect();
        for e in outputs.iter().copied().chain(having) {
            let mut names = Vec::new();
            walk(e, &mut |x| {
                if aggregate_of(x).is_some() {
                    return false;
                }
                match &x.kind {
                    ExprKind::Id(n) => names.push((None, n.value.clone())),
                    ExprKind::Qualified { table, column, .. } => {
                        names.push((Some(table.value.clone()), column.value.clone()))
                    }
                    _ => {}
                }
                true
            });
            for (table, column) in names {
                let Some(r) = sc.resolve_here_resolved(table.as_deref(), &column) else {
                    continue;
                };
                // A USING column with a fallback is two columns, each copied on its own.
                for part in std::iter::once(r.plain()).chain(r.alt_column()) {
                    if !bare
                        .iter()
                        .any(|b| b.cursor == part.cursor && b.read == part.read)
                    {
                        bare.push(part);
                    }
                }
            }
        }
        let bare_regs = self.b.regs(bare.len().max(1));
        let binding = AggBinding::new(calls.iter().map(|c| (c.expr.clone(), c.result)).collect());
        *binding.columns.borrow_mut() = bare
            .iter()
            .enumerate()
            .map(|(i, r)| (r.cursor, r.read, bare_regs + i))
            .collect();
        let out_scope = Scope {
            sources: sc.sources.clone(),
            parent: sc.parent,
            correlated: Cell::new(false),
            agg: Some(binding),
            aliases: sc.aliases.clone(),
            keep_order: sc.keep_order,
            window: None,
        };
        // A correlated subquery runs again for every outer row: start from empty states.
        for c in &calls {
            self.b.emit(Insn::AggReset { slot: c.slot });
        }
        let mut opened = Vec::new();
        let filtered_extreme = calls
            .iter()
            .any(|c| c.filter.is_some() && matches!(c.func.builtin_name(), Some("min" | "max")));
        if filtered_extreme && !bare.is_empty() {
            // Which row SQLite takes such columns from is not modelled yet.
            return Err(Error::not_supported(
                "columns outside aggregates beside a min() or max() with FILTER",
            ));
        }
        let gate = self.bare_gate(&calls, !bare.is_empty());
        self.bare_gate_reset(&gate);
        if group_by.is_empty() {
            self.open_distinct_sets(&calls, &mut opened, true);
            let min_max = min_max_call(&calls).filter(|_| having.is_none());
            self.plan_min_max(min_max.is_some());
            let extreme_first = match min_max {
                Some((call, desc)) => self.min_max_walk(call, desc, sc, conds)?,
                None => None,
            };
            let found = self.b.label();
            // min()'s walk: whether a row came yet. While every value is NULL, SQLite takes
            // the other columns from the first row.
            let seen = self.b.reg();
            if let Some((_, false)) = extreme_first {
                self.b.emit(Insn::Integer {
                    value: 0,
                    dest: seen,
                });
            }
            self.loops(sc, conds, joins, &mut |ctx, sc| {
                ctx.agg_args(&calls, sc, |i| calls[i].arg_base)?;
                let next_row = ctx.b.label();
                if let Some((arg, false)) = extreme_first {
                    let step = ctx.b.label();
                    ctx.b.emit(Insn::NotNull {
                        reg: arg,
                        target: ctx.b.to(step),
                    });
                    ctx.b.emit(Insn::If {
                        reg: seen,
                        target: ctx.b.to(next_row),
                        if_null: false,
                    });
                    ctx.b.place(step);
                    ctx.b.emit(Insn::Integer {
                        value: 1,
                        dest: seen,
                    });
                }
                ctx.agg_steps(&calls, &gate);
                ctx.bare_gate_load(&gate, &mut |ctx| {
                    for (i, r) in bare.iter().enumerate() {
                        ctx.column_read(r, &Scope::new(None), bare_regs + i);
                    }
                });
                match extreme_first {
                    // Backwards, NULLs come last: the first row's value is the answer.
                    Some((_, true)) => {
                        ctx.b.emit(Insn::Goto {
                            target: ctx.b.to(found),
                        });
                    }
                    // Forwards, they come first: the first non-NULL value is.
                    Some((arg, false)) => {
                        ctx.b.emit(Insn::NotNull {
                            reg: arg,
                            target: ctx.b.to(found),
                        });
                    }
                    None => {}
                }
                ctx.b.place(next_row);
                Ok(())
            })?;
            self.b.place(found);
            if min_max.is_some() {
                self.plan_min_max(false);
            }
            self.finish_group(&calls, having, &out_scope, output)?;
        } else if self.group_walk(group, conds, sc)? {
            // The loop visits the rows group by group (`order_walk.rs`): each group is
            // aggregated as its rows come, without a sorter.
            let k = group_by.len();
            let cur = self.b.regs(k);
            let prev = self.b.regs(k);
            let first = self.b.reg();
            let ret = self.b.reg();
            let end = self.b.label();
            let out_label = self.b.label();
            self.b.emit(Insn::Integer {
                value: 1,
                dest: first,
            });
            self.open_distinct_sets(&calls, &mut opened, false);
            self.loops(sc, conds, joins, &mut |ctx, sc| {
                let mut collations = Vec::new();
                for (i, g) in group_by.iter().enumerate() {
                    if super::select::contains_aggregate(g) {
                        return Err(error(
                            "aggregate functions are not allowed in the GROUP BY clause",
                        ));
                    }
                    let info: Info = ctx.expr(g, sc, cur + i)?;
                    collations.push(info.collation.map_or(Collation::Binary, |x| x.0));
                }
                let starts = ctx.b.label();
                let changed = ctx.b.label();
                let step = ctx.b.label();
                ctx.b.emit(Insn::If {
                    reg: first,
                    target: ctx.b.to(starts),
                    if_null: false,
                });
                for (i, c) in collations.iter().enumerate() {
                    ctx.b.emit(Insn::Compare {
                        spec: group_key_differs(*c),
                        lhs: cur + i,
                        rhs: prev + i,
                        target: ctx.b.to(changed),
                    });
                }
                ctx.b.emit(Insn::Goto {
                    target: ctx.b.to(step),
                });
                // The first row starts the first group, whose states are fresh already.
                ctx.b.place(starts);
                ctx.b.emit(Insn::Integer {
                    value: 0,
                    dest: first,
                });
                ctx.b.emit(Insn::Copy {
                    src: cur,
                    dest: prev,
                    count: k,
                });
                ctx.b.emit(Insn::Goto {
                    target: ctx.b.to(step),
                });
                ctx.b.place(changed);
                ctx.start_group(&calls, &gate, &mut opened, (cur, prev, k), (ret, out_label));
                ctx.b.place(step);
                ctx.agg_args(&calls, sc, |i| calls[i].arg_base)?;
                ctx.agg_steps(&calls, &gate);
                ctx.bare_gate_load(&gate, &mut |ctx| {
                    for (i, r) in bare.iter().enumerate() {
                        ctx.column_read(r, &Scope::new(None), bare_regs + i);
                    }
                });
                Ok(())
            })?;
            // The last group, unless there were no rows at all.
            self.b.emit(Insn::If {
                reg: first,
                target: self.b.to(end),
                if_null: false,
            });
            self.b.emit(Insn::Gosub {
                ret,
                target: self.b.to(out_label),
            });
            self.b.emit(Insn::Goto {
                target: self.b.to(end),
            });
            self.b.place(out_label);
            self.finish_group(&calls, having, &out_scope, output)?;
            self.b.emit(Insn::Return { ret });
            self.b.place(end);
        } else {
            let k = group_by.len();
            let n_args: usize = calls.iter().map(Call::width).sum();
            // A bare column that is a group key is read back from the key's field (the same
            // row's value), as SQLite does; the others are stored after the arguments.
            let key_columns: Vec<Option<Resolved>> = group_by
                .iter()
                .map(|g| super::access::own_column(g, sc))
                .collect();
            let mut stored = 0;
            let bare_fields: Vec<usize> = bare
                .iter()
                .map(|b| match key_columns.iter().position(|c| *c == Some(*b)) {
                    Some(key) => key,
                    None => {
                        stored += 1;
                        k + n_args + stored - 1
                    }
                })
                .collect();
            let width = k + n_args + stored;
            let sorter = self.b.cursor();
            let sorter_at = self.b.emit(Insn::Noop);
            let mut key_info = Vec::new();
            self.open_distinct_sets(&calls, &mut opened, false);
            self.loops(sc, conds, joins, &mut |ctx, sc| {
                let block = ctx.b.regs(width.max(1));
                key_info.clear();
                for (i, g) in group_by.iter().enumerate() {
                    if super::select::contains_aggregate(g) {
                        return Err(error(
                            "aggregate functions are not allowed in the GROUP BY clause",
                        ));
                    }
                    let info: Info = ctx.expr(g, sc, block + i)?;
                    key_info.push(KeyColumn::new(
                        info.collation.map_or(Collation::Binary, |x| x.0),
                        if group.desc(i) {
                            SortOrder::Desc
                        } else {
                            SortOrder::Asc
                        },
                    ));
                }
                let mut offset = k;
                let bases: Vec<Reg> = calls
                    .iter()
                    .map(|c| {
                        let b = block + offset;
                        offset += c.width();
                        b
                    })
                    .collect();
                ctx.agg_args(&calls, sc, |i| bases[i])?;
                for (r, &field) in bare.iter().zip(&bare_fields) {
                    if field >= k {
                        ctx.column_read(r, &Scope::new(None), block + field);
                    }
                }
                ctx.b.emit(Insn::SorterInsert {
                    cursor: sorter,
                    start: block,
                    count: width,
                });
                Ok(())
            })?;
            let what = if group.from_distinct {
                "DISTINCT"
            } else {
                "GROUP BY"
            };
            self.plan_note(|| format!("USE TEMP B-TREE FOR {what}"));
            self.b.replace(
                sorter_at,
                Insn::SorterOpen {
                    cursor: sorter,
                    key: KeyInfo::new(key_info.clone()),
                },
            );
            let collations: Vec<Collation> = key_info.iter().map(|c| c.collation).collect();
            let cur = self.b.regs(k);
            let prev = self.b.regs(k);
            let ret = self.b.reg();
            let end = self.b.label();
            let top = self.b.label();
            let changed = self.b.label();
            let body = self.b.label();
            let out_label = self.b.label();
            // `prev` holds the current group's keys (its first row's, as SQLite compares): the
            // first row starts the first group, whose states are fresh already.
            self.b.emit(Insn::SorterSort {
                cursor: sorter,
                if_empty: self.b.to(end),
            });
            self.b.columns(sorter, k, prev);
            self.b.emit(Insn::Goto {
                target: self.b.to(body),
            });
            self.b.place(top);
            self.b.columns(sorter, k, cur);
            for (i, c) in collations.iter().enumerate() {
                self.b.emit(Insn::Compare {
                    spec: group_key_differs(*c),
                    lhs: cur + i,
                    rhs: prev + i,
                    target: self.b.to(changed),
                });
            }
            self.b.place(body);
            let mut col = k;
            for c in &calls {
                for i in 0..c.width() {
                    self.b.emit(Insn::Column {
                        cursor: sorter,
                        column: col,
                        dest: c.arg_base + i,
                        default: None,
                    });
                    col += 1;
                }
            }
            self.agg_steps(&calls, &gate);
            self.bare_gate_load(&gate, &mut |ctx| {
                for (i, &field) in bare_fields.iter().enumerate() {
                    ctx.b.emit(Insn::Column {
                        cursor: sorter,
                        column: field,
                        dest: bare_regs + i,
                        default: None,
                    });
                }
            });
            let top_addr = self.b.to(top);
            self.b.emit(Insn::Next {
                cursor: sorter,
                target: top_addr,
            });
            self.b.emit(Insn::Gosub {
                ret,
                target: self.b.to(out_label),
            });
            self.b.emit(Insn::Goto {
                target: self.b.to(end),
            });
            self.b.place(changed);
            self.start_group(&calls, &gate, &mut opened, (cur, prev, k), (ret, out_label));
            self.b.emit(Insn::Goto {
                target: self.b.to(body),
            });
            // The output subroutine.
            self.b.place(out_label);
            self.finish_group(&calls, having, &out_scope, output)?;
            self.b.emit(Insn::Return { ret });
            self.b.place(end);
        }
        self.patch_distinct_sets(&calls, &opened);
        if out_scope.correlated.get() {
            sc.correlated.set(true);
        }
        Ok(())
    }
}

/// The one call of a query under SQLite's min/max optimisation, and whether it is max(): a
/// lone min() or max() of one argument, without FILTER or DISTINCT.
fn min_max_call(calls: &[Call]) -> Option<(&Call, bool)> {
    let [call] = calls else {
        return None;
    };
    let desc = match call.func.builtin_name() {
        Some("min") => false,
        Some("max") => true,
        _ => return None,
    };
    (call.args.len() == 1 && call.filter.is_none() && call.distinct.is_none())
        .then_some((call, desc))
}

/// Whether `e` is a plain `count(*)`: no FILTER, no OVER.
fn is_count_star(e: &ast::Expr) -> bool {
    matches!(&e.kind, ExprKind::Function {
        name,
        args: ast::FunctionArgs::Star,
        filter: None,
        over: None,
    } if name.value.eq_ignore_ascii_case("count"))
}
