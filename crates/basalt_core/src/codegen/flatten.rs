//! The query flattener, for its simplest and most common shape: a subquery, view or CTE in FROM
//! that only picks columns of one table and filters its rows (`SELECT a, b FROM t WHERE c > 1`)
//! is read as that table itself, its WHERE joined to the outer query's. The outer query then
//! seeks the table by rowid or index as if it named the table, where the subquery's rows would
//! otherwise be produced whole (a co-routine or an ephemeral table) and scanned: SQLite's
//! flattener does the same, and its plan shows the table, not the subquery.
//!
//! Invariants (each is why an item that breaks it is left to the ordinary path):
//! - The outer query sees exactly what the subquery showed. The flattened source carries all
//!   of the table's columns in table order, those the subquery did not select `hidden` (out of
//!   `*` and unqualified names); the selected ones take the names the subquery shows them
//!   under and keep the affinities and collations a subquery column reading them has. So the
//!   selected columns must be distinct and in table order, every name the source holds
//!   distinct, and the outer query must name no column the subquery hid (qualified names
//!   reach hidden columns) and no rowid the subquery did not select. `alias.*` must not be
//!   written unless every column is selected.
//! - The subquery is a plain one: no WITH, compound, VALUES, DISTINCT, GROUP BY, HAVING,
//!   window, ORDER BY or LIMIT; one FROM item, a real table with no INDEXED BY; no subquery
//!   in its WHERE, whose names are all the table's own (nothing correlated), so that WHERE
//!   means the same once it is qualified with the outer alias and tested in the outer query.
//! - Only where the outer WHERE may take the subquery's: a top-level FROM item of a query
//!   without RIGHT, FULL or NATURAL joins or USING, never the right-hand side of a LEFT JOIN,
//!   its alias unique among the query's FROM items.
//! - Nothing here raises an error: a subquery that would fail to compile is left to the
//!   ordinary path, which reports it as before.

use super::each_expr::each_scope_expr;
use super::scope::is_rowid_name;
use super::select::contains_aggregate;
use super::Ctx;
use crate::catalog::Table;
use crate::schema::Db;
use basalt_parser::ast::{self, ExprKind};

/// A FROM item read as its table.
pub(super) struct Flattened {
    /// The FROM item, by address: the one the ordinary path would have compiled.
    item: *const ast::TableOrSubquery,
    pub table: std::rc::Rc<Table>,
    /// Per table column: the name the subquery shows it under, `None` where it hid it.
    pub names: Vec<Option<String>>,
    /// The name the outer query knows the source by.
    pub alias: String,
    /// The name SQLite's plan gives the loop: the table's alias in the subquery, or its name.
    pub plan_name: String,
}

/// A subquery's one table and what it reads of it.
struct Inner {
    table: std::rc::Rc<Table>,
    /// The name the subquery's own text knows the table by (its alias, else its name), which
    /// SQLite's plan also calls the loop.
    own_name: String,
    /// Per table column: the name the subquery shows it under, `None` where it hid it.
    names: Vec<Option<String>>,
}

impl Ctx<'_> {
    /// Decides which top-level FROM items of `body` are flattened (kept for `add_source`,
    /// which reads them as tables) and returns their WHERE terms, qualified with each item's
    /// alias, to be tested in the outer query. `order_by` is the outer query's.
    pub(super) fn flatten_from(
        &mut self,
        core: &ast::SelectCore,
        order_by: &[ast::OrderingTerm],
    ) -> Vec<ast::Expr> {
        let ast::SelectCore::Select(body) = core else {
            return Vec::new();
        };
        let Some(from) = &body.from else {
            return Vec::new();
        };
        if self.authorizer.is_some() || !outer_allows_flattening(from) {
            return Vec::new();
        }
        let mut items = vec![(&from.first, false)];
        for join in &from.joins {
            let left = matches!(
                join.op,
                ast::JoinOp::Join {
                    kind: ast::JoinKind::Left,
                    ..
                }
            );
            items.push((&join.table, left));
        }
        let names: Vec<&str> = items.iter().map(|(t, _)| item_name(t)).collect();
        let mut terms = Vec::new();
        for (i, (item, left)) in items.iter().enumerate() {
            if *left
                || names
                    .iter()
                    .filter(|n| n.eq_ignore_ascii_case(names[i]))
                    .count()
                    > 1
            {
                continue;
            }
            let Some((flat, wheres)) = self.flatten_item(item, names[i], core, order_by) else {
                continue;
            };
            if let Some(notes) = self.plan.as_mut() {
                if notes.has_expression_subqueries() {
                    // SQLite numbers a FROM subquery among the expression subqueries; the
                    // notes only count the latter.
                    notes.refuse("subqueries in FROM, views and CTEs with expression subqueries");
                }
            }
            terms.extend(wheres);
            self.flattened.push(flat);
        }
        terms
    }

    /// The flattened reading of `item`, if one was decided (taken: it is read once). Entries
    /// form a stack, a nested query's above its outer query's.
    pub(super) fn take_flattened(&mut self, item: &ast::TableOrSubquery) -> Option<Flattened> {
        let at = self
            .flattened
            .iter()
            .position(|f| std::ptr::eq(f.item, item))?;
        Some(self.flattened.remove(at))
    }

    fn flatten_item(
        &self,
        item: &ast::TableOrSubquery,
        alias: &str,
        core: &ast::SelectCore,
        order_by: &[ast::OrderingTerm],
    ) -> Option<(Flattened, Vec<ast::Expr>)> {
        let (select, default_db, view_db, list) = match item {
            ast::TableOrSubquery::Subquery { select, .. } => {
                (&**select, self.default_db, None, None)
            }
            ast::TableOrSubquery::Table {
                name,
                indexed: None,
                ..
            } if name.schema.is_none() && self.names_cte(&name.name.value) => (
                &*self.plain_cte(&name.name.value)?.select,
                self.default_db,
                None,
                None,
            ),
            ast::TableOrSubquery::Table {
                name,
                indexed: None,
                ..
            } => {
                let view = self.view_item(name)?;
                let default_db = (view.db == Db::Main).then_some(Db::Main);
                (
                    &view.select,
                    default_db,
                    Some(view.db),
                    view.columns.as_deref(),
                )
            }
            _ => return None,
        };
        let sub = plain_body(select)?;
        let inner = self.inner_table(sub, default_db, view_db.is_some(), list)?;
        // `db.view.column` names a view's column (of a table in the view's database).
        let qualifier = view_db.filter(|&db| db == inner.table.db);
        if !outer_names_allowed(core, order_by, alias, qualifier, &inner) {
            return None;
        }
        let mut parts = Vec::new();
        if let Some(w) = &sub.where_ {
            super::select::split_and(w, &mut parts);
        }
        let wheres = parts
            .into_iter()
            .map(|part| qualified(part, alias, &inner))
            .collect::<Option<Vec<_>>>()?;
        let flat = Flattened {
            item,
            table: inner.table,
            names: inner.names,
            alias: alias.to_string(),
            plan_name: inner.own_name,
        };
        Some((flat, wheres))
    }

    /// The view a FROM item names (not a CTE: `flatten_item` asked first), where the ordinary
    /// path would expand one: no table of that name comes first.
    fn view_item(&self, name: &ast::QualifiedName) -> Option<&crate::catalog::View> {
        let tname = &name.name.value;
        let db = self.schema_of(name).ok()?;
        if self.catalog.table_in(db, tname).is_some() {
            return None;
        }
        self.catalog.view_in(db, tname)
    }

    /// The CTE a FROM item named `name` reads, where it may be flattened: not a CTE's guard
    /// (its own name inside its body), not `AS MATERIALIZED`, without a column list.
    fn plain_cte(&self, name: &str) -> Option<&ast::Cte> {
        if self.guards(name) {
            return None;
        }
        let cte = self
            .ctes
            .iter()
            .rev()
            .find(|c| c.name.value.eq_ignore_ascii_case(name))?;
        (cte.materialized != Some(true) && cte.columns.is_none()).then_some(cte)
    }

    /// Whether `name` would be read as a CTE (or a CTE's own guard) in FROM.
    fn names_cte(&self, name: &str) -> bool {
        self.ctes
            .iter()
            .any(|c| c.name.value.eq_ignore_ascii_case(name))
            || self.guards(name)
    }

    /// Whether `name` is a CTE's own name inside its body (`recursive_cte::CteGuard`).
    fn guards(&self, name: &str) -> bool {
        self.cte_guards.iter().any(|(_, g)| match g {
            super::recursive_cte::CteGuard::Circular(n)
            | super::recursive_cte::CteGuard::Recursive { name: n, .. } => {
                n.eq_ignore_ascii_case(name)
            }
        })
    }

    /// The one table `sub` reads and which of its columns it selects, if it only selects
    /// distinct columns of it in table order, named as the table names them. `in_view`: the
    /// subquery is a view's (its names never see the statement's CTEs).
    fn inner_table(
        &self,
        sub: &ast::SelectBody,
        default_db: Option<Db>,
        in_view: bool,
        list: Option<&[String]>,
    ) -> Option<Inner> {
        let (name, alias) = lone_table(sub)?;
        let tname = name.name.value.as_str();
        if name.schema.is_none() && !in_view && self.names_cte(tname) {
            return None;
        }
        let db = match &name.schema {
            Some(_) => self.schema_of(name).ok()?,
            None => default_db,
        };
        let table = self.catalog.table_in(db, tname)?;
        if table.unsupported.is_some()
            || table.has_generated_columns()
            || super::ddl::is_schema_table_name(table.db, tname)
        {
            return None;
        }
        let own_name = alias.map_or(tname, |a| a.value.as_str());
        let names = shown_columns(sub, table, own_name, list)?;
        Some(Inner {
            table: table.clone(),
            own_name: own_name.to_string(),
            names,
        })
    }
}

/// The one body of a SELECT without WITH, compound, VALUES, ORDER BY or LIMIT.
pub(super) fn lone_body(select: &ast::Select) -> Option<&ast::SelectBody> {
    if select.with.is_some()
        || !select.compound.is_empty()
        || !select.order_by.is_empty()
        || select.limit.is_some()
    {
        return None;
    }
    match &select.first {
        ast::SelectCore::Select(body) => Some(body),
        ast::SelectCore::Values(_) => None,
    }
}

/// The one FROM item of `body` when it is a table named without INDEXED BY: its name and
/// alias.
pub(super) fn lone_table(
    body: &ast::SelectBody,
) -> Option<(&ast::QualifiedName, Option<&ast::Name>)> {
    let from = body.from.as_ref().filter(|f| f.joins.is_empty())?;
    match &from.first {
        ast::TableOrSubquery::Table {
            name,
            alias,
            indexed: None,
        } => Some((name, alias.as_ref())),
        _ => None,
    }
}

/// The name the outer query knows `item` by (the ordinary path's source name).
fn item_name(item: &ast::TableOrSubquery) -> &str {
    let (alias, otherwise) = match item {
        ast::TableOrSubquery::Table { name, alias, .. } => (alias, name.name.value.as_str()),
        ast::TableOrSubquery::Subquery { alias, .. }
        | ast::TableOrSubquery::Function { alias, .. }
        | ast::TableOrSubquery::Nested { alias, .. } => (alias, ""),
    };
    alias.as_ref().map_or(otherwise, |a| a.value.as_str())
}

/// The body of a subquery with nothing but columns, one FROM item and a WHERE.
fn plain_body(select: &ast::Select) -> Option<&ast::SelectBody> {
    let body = lone_body(select)?;
    let plain = body.distinct != Some(ast::Distinctness::Distinct)
        && body.group_by.is_empty()
        && body.having.is_none()
        && body.windows.is_empty();
    plain.then_some(body)
}

/// The name `sub` shows each of `table`'s columns under (`None`: not selected), if each result
/// column is `*`, `t.*` or a bare column of the table, together distinct and in table order;
/// `list` is a view's column list, naming the selected columns in turn. Every name the
/// flattened source will hold (shown or hidden) must be distinct, and a rowid name may not be
/// given to another column, so that each resolves to the one column it meant.
fn shown_columns(
    sub: &ast::SelectBody,
    table: &Table,
    own_name: &str,
    list: Option<&[String]>,
) -> Option<Vec<Option<String>>> {
    let mut names: Vec<Option<String>> = vec![None; table.columns.len()];
    let mut last: Option<usize> = None;
    let mut take = |i: usize, alias: Option<&str>| -> Option<()> {
        if last.is_some_and(|l| l >= i) {
            return None;
        }
        last = Some(i);
        names[i] = Some(alias.unwrap_or(&table.columns[i].name).to_string());
        Some(())
    };
    for column in &sub.columns {
        match column {
            ast::ResultColumn::Star => {
                (0..table.columns.len()).try_for_each(|i| take(i, None))?;
            }
            ast::ResultColumn::TableStar(t) if t.value.eq_ignore_ascii_case(own_name) => {
                (0..table.columns.len()).try_for_each(|i| take(i, None))?;
            }
            ast::ResultColumn::TableStar(_) => return None,
            ast::ResultColumn::Expr { expr, alias } => {
                let name = match &expr.kind {
                    ExprKind::Id(n) => n,
                    ExprKind::Qualified {
                        schema: None,
                        table: t,
                        column,
                    } if t.value.eq_ignore_ascii_case(own_name) => column,
                    _ => return None,
                };
                let i = table.column_index(&name.value)?;
                take(i, alias.as_ref().map(|a| a.value.as_str()))?;
            }
        }
    }
    if let Some(list) = list {
        let mut given = list.iter();
        for name in names.iter_mut().flatten() {
            *name = given.next()?.clone();
        }
        if given.next().is_some() {
            return None;
        }
    }
    let held: Vec<&str> = names
        .iter()
        .zip(&table.columns)
        .map(|(shown, c)| shown.as_deref().unwrap_or(&c.name))
        .collect();
    let distinct = held
        .iter()
        .enumerate()
        .all(|(i, a)| !held[..i].iter().any(|b| a.eq_ignore_ascii_case(b)));
    let rowid_kept = names.iter().zip(&table.columns).all(|(shown, c)| {
        shown
            .as_deref()
            .is_none_or(|n| !is_rowid_name(n) || n.eq_ignore_ascii_case(&c.name))
    });
    (distinct && rowid_kept).then_some(names)
}

/// Whether the FROM clause lets a flattened item's WHERE join the outer WHERE and its hidden
/// columns stay out of reach: no RIGHT, FULL or NATURAL join, no USING.
fn outer_allows_flattening(from: &ast::FromClause) -> bool {
    from.joins.iter().all(|j| {
        let kind_ok = match j.op {
            ast::JoinOp::Comma => true,
            ast::JoinOp::Join { natural, kind } => {
                !natural && !matches!(kind, ast::JoinKind::Right | ast::JoinKind::Full)
            }
        };
        kind_ok && !matches!(j.constraint, Some(ast::JoinConstraint::Using(_)))
    })
}

/// Whether no name in the outer query (its nested queries included) could reach a column the
/// subquery hid, or a rowid it did not select, through the flattened source `alias`.
fn outer_names_allowed(
    core: &ast::SelectCore,
    order_by: &[ast::OrderingTerm],
    alias: &str,
    qualifier: Option<Db>,
    inner: &Inner,
) -> bool {
    let table = &inner.table;
    let shown = |n: &str| {
        inner
            .names
            .iter()
            .flatten()
            .any(|s| s.eq_ignore_ascii_case(n))
    };
    let hidden = |n: &str| {
        inner
            .names
            .iter()
            .zip(&table.columns)
            .any(|(s, c)| s.is_none() && c.name.eq_ignore_ascii_case(n))
    };
    // A hidden column or an unselected rowid: reachable once the subquery is a table.
    let unreachable_before = |n: &str| !shown(n) && (hidden(n) || is_rowid_name(n));
    let all_selected = inner.names.iter().all(Option::is_some);
    let ast::SelectCore::Select(body) = core else {
        return false;
    };
    let star_of_alias = body.columns.iter().any(
        |c| matches!(c, ast::ResultColumn::TableStar(t) if t.value.eq_ignore_ascii_case(alias)),
    );
    if star_of_alias && !all_selected {
        return false;
    }
    let mut allowed = true;
    let mut check = |e: &ast::Expr| match &e.kind {
        ExprKind::Id(n) => allowed &= !unreachable_before(&n.value),
        ExprKind::Qualified {
            schema,
            table: t,
            column,
        } if t.value.eq_ignore_ascii_case(alias) => {
            let schema_ok = schema
                .as_ref()
                .is_none_or(|s| qualifier.is_some() && Db::from_name(&s.value) == qualifier);
            allowed &= schema_ok && !unreachable_before(&column.value);
        }
        _ => {}
    };
    each_scope_expr(body, order_by, &mut check);
    allowed
}

/// `e`, a term of the subquery's WHERE, with every column named through the outer `alias`;
/// `None` if it reads anything but the table's own columns or holds a subquery, a variable
/// from a view, or an aggregate (the ordinary path reports those).
fn qualified(e: &ast::Expr, alias: &str, inner: &Inner) -> Option<ast::Expr> {
    if contains_aggregate(e) {
        return None;
    }
    let table = &inner.table;
    let own = |n: &str| table.column_index(n).is_some() || is_rowid_name(n);
    let mut ok = true;
    super::expr::walk(e, &mut |x| {
        ok &= match &x.kind {
            ExprKind::Id(n) => own(&n.value),
            ExprKind::Qualified {
                schema,
                table: t,
                column,
            } => {
                schema.is_none()
                    && t.value.eq_ignore_ascii_case(&inner.own_name)
                    && own(&column.value)
            }
            ExprKind::Subquery(_)
            | ExprKind::Exists(_)
            | ExprKind::InSelect { .. }
            | ExprKind::InTable { .. }
            | ExprKind::Raise { .. } => false,
            ExprKind::Function { over: Some(_), .. } => false,
            _ => true,
        };
        ok
    });
    if !ok {
        return None;
    }
    let name_of = |n: &str| {
        let i = table.column_index(n)?;
        Some(
            inner.names[i]
                .clone()
                .unwrap_or_else(|| table.columns[i].name.clone()),
        )
    };
    let mut out = e.clone();
    requalify(
        &mut out,
        &Requalify {
            alias,
            name_of: &name_of,
        },
    );
    Some(out)
}

/// How a subquery's column names read once it is flattened: through the outer alias, each
/// under the name the flattened source gives it.
struct Requalify<'a> {
    alias: &'a str,
    /// The source's name for a column of the table (a renamed one's alias), or `None` for a
    /// rowid name, which keeps its name.
    name_of: &'a dyn Fn(&str) -> Option<String>,
}

/// Names every column of `e` as `alias.column`, `column` as the flattened source names it.
fn requalify(e: &mut ast::Expr, to: &Requalify<'_>) {
    let outer = |span| ast::Name {
        value: to.alias.to_string(),
        quote: ast::Quote::Bracket,
        span,
    };
    let renamed = |n: &ast::Name| ast::Name {
        value: (to.name_of)(&n.value).unwrap_or_else(|| n.value.clone()),
        ..n.clone()
    };
    match &mut e.kind {
        ExprKind::Id(n) => {
            e.kind = ExprKind::Qualified {
                schema: None,
                table: outer(n.span),
                column: renamed(n),
            };
        }
        ExprKind::Qualified { table, column, .. } => {
            *table = outer(table.span);
            *column = renamed(column);
        }
        ExprKind::Unary(_, a)
        | ExprKind::Cast { expr: a, .. }
        | ExprKind::Collate { expr: a, .. }
        | ExprKind::NullTest { expr: a, .. } => requalify(a, to),
        ExprKind::Binary(a, _, b) => {
            requalify(a, to);
            requalify(b, to);
        }
        ExprKind::Like {
            expr,
            pattern,
            escape,
            ..
        } => {
            requalify(expr, to);
            requalify(pattern, to);
            if let Some(x) = escape {
                requalify(x, to);
            }
        }
        ExprKind::Between {
            expr, low, high, ..
        } => {
            requalify(expr, to);
            requalify(low, to);
            requalify(high, to);
        }
        ExprKind::InList { expr, list, .. } => {
            requalify(expr, to);
            list.iter_mut().for_each(|x| requalify(x, to));
        }
        ExprKind::Case {
            operand,
            whens,
            else_,
        } => {
            if let Some(o) = operand {
                requalify(o, to);
            }
            for (w, t) in whens {
                requalify(w, to);
                requalify(t, to);
            }
            if let Some(x) = else_ {
                requalify(x, to);
            }
        }
        ExprKind::Function { args, filter, .. } => {
            if let ast::FunctionArgs::List { args, order_by, .. } = args {
                args.iter_mut().for_each(|x| requalify(x, to));
                order_by.iter_mut().for_each(|o| requalify(&mut o.expr, to));
            }
            if let Some(f) = filter {
                requalify(f, to);
            }
        }
        ExprKind::Vector(items) => items.iter_mut().for_each(|x| requalify(x, to)),
        ExprKind::Literal(_)
        | ExprKind::Variable(_)
        | ExprKind::Subquery(_)
        | ExprKind::Exists(_)
        | ExprKind::InSelect { .. }
        | ExprKind::InTable { .. }
        | ExprKind::Raise { .. } => {}
    }
}

impl Ctx<'_> {
    /// Opens a flattened item's table and adds it as a source named as the item: the columns
    /// the subquery did not select hidden.
    pub(super) fn open_flattened(&mut self, flat: Flattened, sc: &mut super::scope::Scope<'_>) {
        let cursor = self.b.cursor();
        self.b.emit(crate::vdbe::Insn::OpenRead {
            cursor,
            db: flat.table.db,
            root: crate::vdbe::Root::Page(flat.table.root),
            key: None,
        });
        let mut source = super::select::table_source(&flat.table, flat.alias, cursor);
        debug_assert_eq!(source.columns.len(), flat.names.len());
        for (column, shown) in source.columns.iter_mut().zip(flat.names) {
            match shown {
                Some(name) => column.name = name,
                None => column.hidden = true,
            }
        }
        source.plan_name = Some(flat.plan_name);
        sc.sources.push(source);
    }
}
