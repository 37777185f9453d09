//! Window functions in a SELECT (`f(..) OVER ..`, the WINDOW clause): planning and code.
//!
//! A query with window functions runs in two phases, as in SQLite. The *inner* phase is the
//! query without them (FROM, WHERE, GROUP BY, HAVING as usual): for each of its rows it
//! evaluates, into one row of values, the window-free pieces of the result columns and ORDER
//! BY terms and every window call's arguments, FILTER and PARTITION BY / ORDER BY terms, and
//! hands the row to a sorter. Then comes one *pass* per distinct window (PARTITION BY, ORDER
//! BY): the rows, sorted by that window's keys, go through a partition buffer
//! (`vdbe/window.rs`, which holds one partition at a time) that appends each function's value;
//! the next pass sorts them by its own keys. The first window written is processed last, so
//! rows come out in its order, as SQLite's do. The last pass's rows feed the result columns,
//! whose window calls and window-free pieces are bound to the row's registers
//! ([`WindowBinding`]), then the SELECT's own DISTINCT, ORDER BY and LIMIT (the `Sink`).
//!
//! Invariants:
//! - The outer phase compiles only bound pieces: [`split`] walks exactly the sub-expressions
//!   `expr::walk` does and binds every window-free one, so no column is read from a cursor
//!   after the loops (a name for a result column with window calls is resolved there to that
//!   column's bound pieces).
//! - Each window's sorter is opened before the loops, by a `SorterOpen` patched in once the
//!   inner row's collations are known.
//! - A window call anywhere else (WHERE, GROUP BY, HAVING, the arguments of another call) is
//!   SQLite's "misuse of window function f()".

use super::expr::{aggregate_of, walk, Info};
use super::scope::{AggBinding, Scope};
use super::select::{ColInfo, ResultExpr};
use super::{error, Ctx};
use crate::error::Result;
use crate::functions::{self, FunctionKind, Lookup};
use crate::record::{Collation, KeyColumn, KeyInfo, SortOrder};
use crate::sql::agg::AGGREGATES;
use crate::sql::func as sqlfunc;
use crate::vdbe::func::Aggregate;
use crate::vdbe::window::{
    Bound, Exclude, Frame, FuncKind, OrderKey, Units, WindowFunc, WindowSpec,
};
use crate::vdbe::{Addr, CursorId, Insn, Reg};
use basalt_parser::ast::{self, ExprKind};
use std::rc::Rc;

/// The outer phase's view of a row: expressions (compared by identity of position, as their
/// spans differ) whose values are in registers.
#[derive(Debug, Default)]
pub struct WindowBinding {
    pub exprs: Vec<(ast::Expr, Reg, Info)>,
}

/// One value of the inner row.
enum Item {
    /// A result column without window calls (kept whole, so it keeps its name and type).
    Result(usize),
    Expr(ast::Expr),
}

struct Call {
    expr: ast::Expr,
    kind: FuncKind,
    args: Vec<usize>,
    filter: Option<usize>,
    frame: Frame,
    group: usize,
}

/// A distinct (PARTITION BY, ORDER BY): one sort and one pass.
struct Group {
    key: String,
    partition: Vec<usize>,
    order: Vec<(usize, ast::OrderingTerm)>,
    sorter: CursorId,
    /// The placeholder of the sorter's `SorterOpen` (its collations are known after the
    /// inner row is compiled).
    open_at: Addr,
}

pub(super) struct WindowQuery {
    items: Vec<Item>,
    infos: Vec<Info>,
    /// The inner phase's description of each window-free result column.
    result_infos: Vec<Option<ColInfo>>,
    calls: Vec<Call>,
    groups: Vec<Group>,
}

fn is_window_call(e: &ast::Expr) -> bool {
    matches!(&e.kind, ExprKind::Function { over: Some(_), .. })
}

pub(super) fn contains_window(e: &ast::Expr) -> bool {
    let mut found = false;
    walk(e, &mut |x| {
        if is_window_call(x) {
            found = true;
        }
        !found
    });
    found
}

/// The window calls of `e` and its largest window-free pieces, outermost first. A window call
/// inside an aggregate's arguments is a misuse. `window_alias` tells a name that stands for a
/// result column with window calls (ORDER BY `r + 1`): it is left to the outer phase, which
/// resolves it to that column's bound pieces.
fn split(
    e: &ast::Expr,
    window_alias: &dyn Fn(&ast::Expr) -> bool,
    calls: &mut Vec<ast::Expr>,
    pieces: &mut Vec<ast::Expr>,
) -> Result<()> {
    let has_window = |x: &ast::Expr| {
        let mut found = false;
        walk(x, &mut |y| {
            found |= is_window_call(y) || window_alias(y);
            !found
        });
        found
    };
    let mut misuse = None;
    walk(e, &mut |x| {
        if misuse.is_some() || window_alias(x) {
            false
        } else if aggregate_of(x).is_some() {
            walk(x, &mut |y| {
                if let (
                    None,
                    ExprKind::Function {
                        name,
                        over: Some(_),
                        ..
                    },
                ) = (&misuse, &y.kind)
                {
                    misuse = Some(name.value.clone());
                }
                misuse.is_none()
            });
            if misuse.is_none() {
                pieces.push(x.clone());
            }
            false
        } else if is_window_call(x) {
            calls.push(x.clone());
            false
        } else if !has_window(x) {
            pieces.push(x.clone());
            false
        } else {
            true
        }
    });
    match misuse {
        Some(name) => Err(error(format!("misuse of window function {name}()"))),
        None => Ok(()),
    }
}

/// Whether SQLite keeps a frame offset as written (`sqlite3ExprIsConstant` at parse time).
fn constant_offset(e: &ast::Expr) -> bool {
    let mut constant = true;
    walk(e, &mut |x| {
        constant &= match &x.kind {
            ExprKind::Id(n) => {
                n.value.eq_ignore_ascii_case("true") || n.value.eq_ignore_ascii_case("false")
            }
            ExprKind::Qualified { .. }
            | ExprKind::Function { .. }
            | ExprKind::Like { .. }
            | ExprKind::InSelect { .. }
            | ExprKind::InTable { .. }
            | ExprKind::Subquery(_)
            | ExprKind::Exists(_)
            | ExprKind::Raise { .. } => false,
            _ => true,
        };
        constant
    });
    constant
}

/// The window a call's OVER names, with a base window's clauses merged in.
fn resolve_window(over: &ast::Over, defs: &[ast::WindowDef], depth: usize) -> Result<ast::Window> {
    let named = |name: &ast::Name| -> Result<&ast::Window> {
        defs.iter()
            .find(|d| d.name.value.eq_ignore_ascii_case(&name.value))
            .map(|d| &d.window)
            .ok_or_else(|| error(format!("no such window: {}", name.value)))
    };
    let window = match over {
        ast::Over::Name(name) => named(name)?.clone(),
        ast::Over::Window(w) => (**w).clone(),
    };
    let Some(base_name) = &window.base else {
        return Ok(window);
    };
    if depth > defs.len() {
        return Err(error(format!("no such window: {}", base_name.value)));
    }
    let base = resolve_window(
        &ast::Over::Window(Box::new(named(base_name)?.clone())),
        defs,
        depth + 1,
    )?;
    let name = &base_name.value;
    if !window.partition_by.is_empty() {
        return Err(error(format!(
            "cannot override PARTITION clause of window: {name}"
        )));
    }
    if !window.order_by.is_empty() && !base.order_by.is_empty() {
        return Err(error(format!(
            "cannot override ORDER BY clause of window: {name}"
        )));
    }
    if base.frame.is_some() {
        return Err(error(format!(
            "cannot override frame specification of window: {name}"
        )));
    }
    Ok(ast::Window {
        base: None,
        partition_by: base.partition_by,
        order_by: if window.order_by.is_empty() {
            base.order_by
        } else {
            window.order_by
        },
        frame: window.frame,
    })
}

/// What a call with OVER computes, with SQLite's messages for what cannot be one.
fn window_function(name: &str, args: &ast::FunctionArgs, filter: bool) -> Result<FuncKind> {
    let (argc, distinct) = match args {
        ast::FunctionArgs::Star => (0, false),
        ast::FunctionArgs::List { args, distinct, .. } => (args.len(), *distinct),
    };
    let not_window = || error(format!("{name}() may not be used as a window function"));
    match functions::lookup(name, argc) {
        Lookup::Found(f) => {
            return match f.kind {
                FunctionKind::Window(_) => {
                    Ok(FuncKind::Aggregate(Aggregate::User(f), Collation::Binary))
                }
                _ => Err(not_window()),
            }
        }
        Lookup::WrongCount => return Err(sqlfunc::wrong_arguments(name)),
        // A removed definition hides the built-ins, as for scalar calls.
        Lookup::Hidden { others } => {
            return Err(if others || sqlfunc::is_builtin(name) {
                sqlfunc::wrong_arguments(name)
            } else {
                error(format!("no such function: {name}"))
            })
        }
        Lookup::NotFound => {}
    }
    let lower = name.to_ascii_lowercase();
    let builtin = match lower.as_str() {
        "row_number" => Some((FuncKind::RowNumber, 0..=0)),
        "rank" => Some((FuncKind::Rank, 0..=0)),
        "dense_rank" => Some((FuncKind::DenseRank, 0..=0)),
        "percent_rank" => Some((FuncKind::PercentRank, 0..=0)),
        "cume_dist" => Some((FuncKind::CumeDist, 0..=0)),
        "ntile" => Some((FuncKind::Ntile, 1..=1)),
        "lag" => Some((FuncKind::Lag, 1..=3)),
        "lead" => Some((FuncKind::Lead, 1..=3)),
        "first_value" => Some((FuncKind::FirstValue, 1..=1)),
        "last_value" => Some((FuncKind::LastValue, 1..=1)),
        "nth_value" => Some((FuncKind::NthValue, 2..=2)),
        _ => None,
    };
    if let Some((kind, arity)) = builtin {
        if !arity.contains(&argc) {
            return Err(sqlfunc::wrong_arguments(name));
        }
        if filter {
            return Err(error(
                "FILTER clause may only be used with aggregate window functions",
            ));
        }
        return Ok(kind);
    }
    let scalar_extreme = matches!(lower.as_str(), "min" | "max") && argc != 1;
    if let Some(agg) = AGGREGATES.iter().find(|a| a.name == lower) {
        if !scalar_extreme {
            if !agg.arity.accepts(argc) {
                return Err(sqlfunc::wrong_arguments(name));
            }
            if distinct {
                return Err(error("DISTINCT is not supported for window functions"));
            }
            return Ok(FuncKind::Aggregate(
                Aggregate::Builtin(agg),
                Collation::Binary,
            ));
        }
    }
    if sqlfunc::is_builtin(name) {
        Err(not_window())
    } else {
        Err(error(format!("no such function: {name}")))
    }
}

fn order_key(column: usize, term: &ast::OrderingTerm, info: Info) -> OrderKey {
    let desc = term.order == Some(ast::SortOrder::Desc);
    OrderKey {
        column,
        collation: info.collation.map_or(Collation::Binary, |c| c.0),
        desc,
        nulls_first: match term.nulls {
            Some(ast::NullsOrder::First) => true,
            Some(ast::NullsOrder::Last) => false,
            None => !desc,
        },
    }
}

impl WindowQuery {
    fn item(&mut self, e: &ast::Expr) -> usize {
        self.items.push(Item::Expr(e.clone()));
        self.infos.push(Info::default());
        self.items.len() - 1
    }

    /// The expressions the inner phase evaluates (an aggregate query looks for its aggregate
    /// calls in them), and the `*` columns it reads.
    pub(super) fn inner_exprs(
        &self,
        results: &[ResultExpr<'_>],
    ) -> (Vec<ast::Expr>, Vec<super::scope::Resolved>) {
        let mut exprs = Vec::new();
        let mut columns = Vec::new();
        for item in &self.items {
            match item {
                Item::Expr(e) => exprs.push(e.clone()),
                Item::Result(i) => match &results[*i] {
                    ResultExpr::Ast(e, _) => exprs.push((*e).clone()),
                    ResultExpr::Column(r, _) => columns.push(*r),
                },
            }
        }
        (exprs, columns)
    }

    /// The passes in the order they run: the last window written first.
    fn pass_order(&self) -> impl Iterator<Item = usize> {
        (0..self.groups.len()).rev()
    }

    /// Replaces the outer phase's descriptions of window-free result columns by the inner
    /// phase's (names and declared types of table columns).
    pub(super) fn fix_infos(&self, infos: &mut [ColInfo]) {
        for (slot, inner) in infos.iter_mut().zip(&self.result_infos) {
            if let Some(inner) = inner {
                *slot = inner.clone();
            }
        }
    }
}

impl Ctx<'_> {
    /// Plans the window calls of a SELECT's result columns and ORDER BY; `None` if it has none.
    /// Compiles the frame offsets (constant expressions) on the way.
    pub(super) fn plan_windows(
        &mut self,
        defs: &[ast::WindowDef],
        results: &[ResultExpr<'_>],
        order_by: &[&ast::Expr],
        sc: &Scope<'_>,
    ) -> Result<Option<WindowQuery>> {
        let with_windows = |e: &ast::Expr| contains_window(e);
        let any = results
            .iter()
            .any(|r| matches!(r, ResultExpr::Ast(e, _) if with_windows(e)))
            || order_by.iter().any(|e| with_windows(e));
        if !any {
            return Ok(None);
        }
        let window_alias = |x: &ast::Expr| match &x.kind {
            ExprKind::Id(n) => {
                matches!(sc.resolve(None, &n.value), Ok(None))
                    && sc
                        .aliases
                        .iter()
                        .any(|(a, e)| a.eq_ignore_ascii_case(&n.value) && contains_window(e))
            }
            _ => false,
        };
        let mut q = WindowQuery {
            items: Vec::new(),
            infos: Vec::new(),
            result_infos: vec![None; results.len()],
            calls: Vec::new(),
            groups: Vec::new(),
        };
        let mut calls = Vec::new();
        let mut pieces = Vec::new();
        for (i, r) in results.iter().enumerate() {
            match r {
                ResultExpr::Ast(e, _) if with_windows(e) => {
                    split(e, &window_alias, &mut calls, &mut pieces)?
                }
                _ => {
                    q.items.push(Item::Result(i));
                    q.infos.push(Info::default());
                }
            }
        }
        for e in order_by {
            split(e, &window_alias, &mut calls, &mut pieces)?;
        }
        for p in &pieces {
            q.item(p);
        }
        for c in &calls {
            self.plan_call(&mut q, c, defs)?;
        }
        Ok(Some(q))
    }

    fn plan_call(
        &mut self,
        q: &mut WindowQuery,
        e: &ast::Expr,
        defs: &[ast::WindowDef],
    ) -> Result<()> {
        let ExprKind::Function {
            name,
            args,
            filter,
            over: Some(over),
        } = &e.kind
        else {
            return Err(error("not a window function call"));
        };
        let window = resolve_window(over, defs, 0)?;
        let frame = self.frame(&window)?;
        let kind = window_function(&name.value, args, filter.is_some())?;
        if let ast::FunctionArgs::List { order_by, .. } = args {
            if !order_by.is_empty() {
                return Err(error(format!(
                    "ORDER BY may not be used with non-aggregate {}()",
                    name.value
                )));
            }
        }
        let arg_items = match args {
            ast::FunctionArgs::Star => Vec::new(),
            ast::FunctionArgs::List { args, .. } => args.iter().map(|a| q.item(a)).collect(),
        };
        let filter = filter.as_ref().map(|f| q.item(f));
        let key = format!(
            "{}\u{0}{}",
            window
                .partition_by
                .iter()
                .map(|p| p.to_string())
                .collect::<Vec<_>>()
                .join(","),
            window
                .order_by
                .iter()
                .map(|t| t.to_string())
                .collect::<Vec<_>>()
                .join(",")
        );
        let group = match q.groups.iter().position(|g| g.key == key) {
            Some(g) => g,
            None => {
                let partition = window.partition_by.iter().map(|p| q.item(p)).collect();
                let order = window
                    .order_by
                    .iter()
                    .map(|t| (q.item(&t.expr), t.clone()))
                    .collect();
                let sorter = self.b.cursor();
                let open_at = self.b.emit(Insn::Noop);
                q.groups.push(Group {
                    key,
                    partition,
                    order,
                    sorter,
                    open_at,
                });
                q.groups.len() - 1
            }
        };
        q.calls.push(Call {
            expr: e.clone(),
            kind,
            args: arg_items,
            filter,
            frame,
            group,
        });
        Ok(())
    }

    /// The frame of a window (SQLite's default without one), its offsets compiled.
    fn frame(&mut self, w: &ast::Window) -> Result<Frame> {
        let Some(f) = &w.frame else {
            return Ok(Frame {
                units: Units::Range,
                start: Bound::UnboundedPreceding,
                end: Bound::CurrentRow,
                exclude: Exclude::NoOthers,
            });
        };
        let offset = |b: &ast::FrameBound| {
            matches!(
                b,
                ast::FrameBound::Preceding(_) | ast::FrameBound::Following(_)
            )
        };
        let units = match f.units {
            ast::FrameUnits::Rows => Units::Rows,
            ast::FrameUnits::Range => Units::Range,
            ast::FrameUnits::Groups => Units::Groups,
        };
        if units == Units::Range
            && (offset(&f.start) || f.end.as_ref().is_some_and(offset))
            && w.order_by.len() != 1
        {
            return Err(error(
                "RANGE with offset PRECEDING/FOLLOWING requires one ORDER BY expression",
            ));
        }
        if matches!(f.start, ast::FrameBound::UnboundedFollowing)
            || matches!(f.end, Some(ast::FrameBound::UnboundedPreceding))
        {
            return Err(error("unsupported frame specification"));
        }
        let start = self.bound(&f.start)?;
        let end = match &f.end {
            Some(b) => self.bound(b)?,
            None => Bound::CurrentRow,
        };
        let exclude = match f.exclude {
            None | Some(ast::FrameExclude::NoOthers) => Exclude::NoOthers,
            Some(ast::FrameExclude::CurrentRow) => Exclude::CurrentRow,
            Some(ast::FrameExclude::Group) => Exclude::Group,
            Some(ast::FrameExclude::Ties) => Exclude::Ties,
        };
        Ok(Frame {
            units,
            start,
            end,
            exclude,
        })
    }

    fn bound(&mut self, b: &ast::FrameBound) -> Result<Bound> {
        Ok(match b {
            ast::FrameBound::UnboundedPreceding => Bound::UnboundedPreceding,
            ast::FrameBound::CurrentRow => Bound::CurrentRow,
            ast::FrameBound::UnboundedFollowing => Bound::UnboundedFollowing,
            ast::FrameBound::Preceding(e) => Bound::Preceding(self.offset(e)?),
            ast::FrameBound::Following(e) => Bound::Following(self.offset(e)?),
        })
    }

    /// A frame offset's register, computed once before the loops. As SQLite does, an offset
    /// that is not built of literals, parameters and operators only (a column, a function
    /// call, a subquery) is NULL, which fails the offset check when the window runs.
    fn offset(&mut self, e: &ast::Expr) -> Result<Reg> {
        if constant_offset(e) {
            return Ok(self.expr_new(e, &Scope::new(None))?.0);
        }
        let reg = self.b.reg();
        self.b.emit(Insn::Null {
            dest: reg,
            count: 1,
        });
        Ok(reg)
    }

    /// The inner phase's work for one row: its values, into the first pass's sorter.
    pub(super) fn window_inner_row(
        &mut self,
        q: &mut WindowQuery,
        results: &[ResultExpr<'_>],
        sc: &Scope<'_>,
    ) -> Result<()> {
        let base = self.b.regs(q.items.len().max(1));
        for j in 0..q.items.len() {
            match &q.items[j] {
                Item::Result(i) => {
                    let i = *i;
                    let info = self.result_column(&results[i], sc, base + j)?;
                    q.infos[j] = info.info();
                    q.result_infos[i] = Some(info);
                }
                Item::Expr(e) => {
                    let e = e.clone();
                    q.infos[j] = self.expr(&e, sc, base + j)?;
                }
            }
        }
        let first = q.pass_order().next().unwrap_or(0);
        self.window_sort_insert(q, first, base, q.items.len());
        Ok(())
    }

    /// The row of `width` values at `row` into group `g`'s sorter, behind its sort keys.
    fn window_sort_insert(&mut self, q: &WindowQuery, g: usize, row: Reg, width: usize) {
        let group = &q.groups[g];
        let (n_keys, _) = self.sort_keys_of(q, g);
        let block = self.b.regs(n_keys + width);
        let mut k = block;
        for &p in &group.partition {
            self.b.emit(Insn::Copy {
                src: row + p,
                dest: k,
                count: 1,
            });
            k += 1;
        }
        for (item, term) in &group.order {
            if super::select::nulls_flag(term) {
                let not_null = self.b.label();
                self.b.emit(Insn::Integer { value: 0, dest: k });
                self.b.emit(Insn::NotNull {
                    reg: row + item,
                    target: self.b.to(not_null),
                });
                self.b.emit(Insn::Integer { value: 1, dest: k });
                self.b.place(not_null);
                k += 1;
            }
            self.b.emit(Insn::Copy {
                src: row + item,
                dest: k,
                count: 1,
            });
            k += 1;
        }
        debug_assert_eq!(k, block + n_keys);
        self.b.emit(Insn::Copy {
            src: row,
            dest: k,
            count: width,
        });
        self.b.emit(Insn::SorterInsert {
            cursor: group.sorter,
            start: block,
            count: n_keys + width,
        });
    }

    /// The number of sort key columns of group `g` and their description.
    fn sort_keys_of(&self, q: &WindowQuery, g: usize) -> (usize, Vec<KeyColumn>) {
        let group = &q.groups[g];
        let collation = |item: usize| q.infos[item].collation.map_or(Collation::Binary, |c| c.0);
        let mut keys: Vec<KeyColumn> = group
            .partition
            .iter()
            .map(|&p| KeyColumn::new(collation(p), SortOrder::Asc))
            .collect();
        for (item, term) in &group.order {
            let order = match term.order {
                Some(ast::SortOrder::Desc) => SortOrder::Desc,
                _ => SortOrder::Asc,
            };
            if super::select::nulls_flag(term) {
                keys.push(KeyColumn::new(Collation::Binary, order));
            }
            keys.push(KeyColumn::new(collation(*item), order));
        }
        (keys.len(), keys)
    }

    /// After the inner loops: every pass, the last one's rows to `consume` in a scope that
    /// binds the result columns' pieces.
    pub(super) fn window_passes(
        &mut self,
        q: &WindowQuery,
        results: &[ResultExpr<'_>],
        sc: &Scope<'_>,
        consume: &mut dyn FnMut(&mut Self, &Scope<'_>) -> Result<()>,
    ) -> Result<()> {
        let done = self.b.label();
        let k = q.items.len();
        let passes: Vec<usize> = q.pass_order().collect();
        for g in &passes {
            let (_, keys) = self.sort_keys_of(q, *g);
            self.b.replace(
                q.groups[*g].open_at,
                Insn::SorterOpen {
                    cursor: q.groups[*g].sorter,
                    key: KeyInfo::new(keys),
                },
            );
        }
        // The column of each call's value in the rows after its pass.
        let mut position = vec![0; q.calls.len()];
        let mut width = k;
        for (p, &g) in passes.iter().enumerate() {
            let mine: Vec<usize> = (0..q.calls.len())
                .filter(|&c| q.calls[c].group == g)
                .collect();
            for (i, &c) in mine.iter().enumerate() {
                position[c] = width + i;
            }
            let spec = self.window_spec(q, g, &mine, width);
            let out = self.b.regs(width + mine.len());
            let last = p + 1 == passes.len();
            let (n_keys, _) = self.sort_keys_of(q, g);
            self.window_pass(
                q.groups[g].sorter,
                n_keys,
                spec,
                done,
                out,
                &mut |ctx: &mut Self| {
                    if last {
                        let scope = outer_scope(q, results, sc, out, &position);
                        consume(ctx, &scope)
                    } else {
                        ctx.window_sort_insert(q, passes[p + 1], out, width + mine.len());
                        Ok(())
                    }
                },
            )?;
            width += mine.len();
        }
        self.b.place(done);
        Ok(())
    }

    fn window_spec(&self, q: &WindowQuery, g: usize, calls: &[usize], width: usize) -> WindowSpec {
        let group = &q.groups[g];
        let collation = |item: usize| q.infos[item].collation.map_or(Collation::Binary, |c| c.0);
        WindowSpec {
            width,
            partition: group.partition.iter().map(|&p| (p, collation(p))).collect(),
            order: group
                .order
                .iter()
                .map(|(item, term)| order_key(*item, term, q.infos[*item]))
                .collect(),
            funcs: calls
                .iter()
                .map(|&c| {
                    let call = &q.calls[c];
                    let kind = match &call.kind {
                        FuncKind::Aggregate(agg, _) => FuncKind::Aggregate(
                            agg.clone(),
                            call.args
                                .first()
                                .map_or(Collation::Binary, |&a| collation(a)),
                        ),
                        other => other.clone(),
                    };
                    WindowFunc {
                        kind,
                        args: call.args.clone(),
                        filter: call.filter,
                        frame: call.frame,
                    }
                })
                .collect(),
        }
    }

    /// One pass: the sorted rows through a partition buffer, each computed row (at `out`)
    /// to `consume`.
    fn window_pass(
        &mut self,
        sorter: CursorId,
        n_keys: usize,
        spec: WindowSpec,
        done: super::Label,
        out: Reg,
        consume: &mut dyn FnMut(&mut Self) -> Result<()>,
    ) -> Result<()> {
        let width = spec.width;
        let buffer = self.b.cursor();
        let eof = self.b.reg();
        let row = self.b.regs(width.max(1));
        let (top, drain, drained, end) = (
            self.b.label(),
            self.b.label(),
            self.b.label(),
            self.b.label(),
        );
        self.b.emit(Insn::SorterSort {
            cursor: sorter,
            if_empty: self.b.to(done),
        });
        self.b.emit(Insn::Integer {
            value: 0,
            dest: eof,
        });
        self.b.emit(Insn::WindowOpen {
            cursor: buffer,
            spec: Rc::new(spec),
        });
        self.b.place(top);
        self.b.columns_from(sorter, n_keys, width, row);
        self.b.emit(Insn::WindowAdd {
            cursor: buffer,
            start: row,
        });
        self.b.place(drain);
        self.b.emit(Insn::WindowNext {
            cursor: buffer,
            dest: out,
            if_none: self.b.to(drained),
        });
        consume(self)?;
        self.b.emit(Insn::Goto {
            target: self.b.to(drain),
        });
        self.b.place(drained);
        self.b.emit(Insn::If {
            reg: eof,
            target: self.b.to(end),
            if_null: false,
        });
        self.b.emit(Insn::Next {
            cursor: sorter,
            target: self.b.to(top),
        });
        self.b.emit(Insn::WindowFlush { cursor: buffer });
        self.b.emit(Insn::Integer {
            value: 1,
            dest: eof,
        });
        self.b.emit(Insn::Goto {
            target: self.b.to(drain),
        });
        self.b.place(end);
        Ok(())
    }
}

/// The scope of the outer phase: every window-free piece and window call bound to its column
/// of the last pass's row at `out`.
fn outer_scope<'p>(
    q: &WindowQuery,
    results: &[ResultExpr<'_>],
    sc: &'p Scope<'p>,
    out: Reg,
    position: &[usize],
) -> Scope<'p> {
    let mut bound = Vec::new();
    let mut columns = Vec::new();
    for (j, item) in q.items.iter().enumerate() {
        match item {
            Item::Expr(e) => bound.push((e.clone(), out + j, q.infos[j])),
            Item::Result(i) => match &results[*i] {
                ResultExpr::Ast(e, _) => bound.push(((*e).clone(), out + j, q.infos[j])),
                ResultExpr::Column(r, _) => columns.push((r.cursor, r.read, out + j)),
            },
        }
    }
    for (c, call) in q.calls.iter().enumerate() {
        bound.push((call.expr.clone(), out + position[c], Info::default()));
    }
    let agg = AggBinding::new(Vec::new());
    *agg.columns.borrow_mut() = columns;
    let mut scope = Scope::new(sc.parent);
    scope.sources = sc.sources.clone();
    scope.agg = Some(agg);
    scope.aliases = sc.aliases.clone();
    scope.window = Some(WindowBinding { exprs: bound });
    scope
}
