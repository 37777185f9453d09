//! Visits every expression of a statement, subqueries, CTEs, trigger bodies and DDL
//! expressions included: for the checks SQLite makes while it parses, before any name is
//! resolved (the limit on function arguments).
//!
//! Invariant: `f` sees each expression node of the statement exactly once, parents before
//! their children.

use super::expr::walk;
use basalt_parser::ast::{self, ExprKind};

/// Calls `f` on every expression of `stmt`.
pub fn each_expr(stmt: &ast::Stmt, f: &mut dyn FnMut(&ast::Expr)) {
    match stmt {
        ast::Stmt::Select(s) => select(s, f),
        ast::Stmt::Insert(i) => {
            with(i.with.as_ref(), f);
            if let ast::InsertSource::Select(s) = &i.source {
                select(s, f);
            }
            for u in &i.upsert {
                if let Some(t) = &u.target {
                    t.columns.iter().for_each(|o| expr(&o.expr, f));
                    opt(t.where_.as_ref(), f);
                }
                if let ast::UpsertAction::Update { set, where_ } = &u.action {
                    set.iter().for_each(|a| expr(&a.value, f));
                    opt(where_.as_ref(), f);
                }
            }
            returning(i.returning.as_deref(), f);
        }
        ast::Stmt::Update(u) => {
            with(u.with.as_ref(), f);
            u.set.iter().for_each(|a| expr(&a.value, f));
            if let Some(from) = &u.from {
                from_clause(from, f);
            }
            opt(u.where_.as_ref(), f);
            returning(u.returning.as_deref(), f);
        }
        ast::Stmt::Delete(d) => {
            with(d.with.as_ref(), f);
            opt(d.where_.as_ref(), f);
            returning(d.returning.as_deref(), f);
        }
        ast::Stmt::CreateTable(c) => create_table(&c.body, f),
        ast::Stmt::CreateIndex(c) => {
            c.columns.iter().for_each(|o| expr(&o.expr, f));
            opt(c.where_.as_ref(), f);
        }
        ast::Stmt::CreateView(v) => select(&v.select, f),
        ast::Stmt::CreateTrigger(t) => {
            opt(t.when.as_ref(), f);
            t.body.iter().for_each(|s| each_expr(s, f));
        }
        ast::Stmt::AlterTable(a) => match &a.action {
            ast::AlterAction::AddColumn(c) => column(c, f),
            ast::AlterAction::AddCheck { expr: e, .. } => expr(e, f),
            _ => {}
        },
        _ => {}
    }
}

fn create_table(body: &ast::CreateTableBody, f: &mut dyn FnMut(&ast::Expr)) {
    match body {
        ast::CreateTableBody::AsSelect(s) => select(s, f),
        ast::CreateTableBody::Columns {
            columns,
            constraints,
            ..
        } => {
            columns.iter().for_each(|c| column(c, f));
            for c in constraints {
                if let ast::TableConstraint::Check { expr: e, .. } = c {
                    expr(e, f);
                }
            }
        }
    }
}

fn column(c: &ast::ColumnDef, f: &mut dyn FnMut(&ast::Expr)) {
    for constraint in &c.constraints {
        match constraint {
            ast::ColumnConstraint::Check(e)
            | ast::ColumnConstraint::Default { expr: e, .. }
            | ast::ColumnConstraint::Generated { expr: e, .. } => expr(e, f),
            _ => {}
        }
    }
}

/// Calls `f` on every expression a query's own names are resolved in: its result columns,
/// ON clauses, WHERE, GROUP BY, HAVING, windows and `order_by`, with the expression
/// subqueries in them, but not the subqueries in its FROM (which cannot see its sources).
pub(super) fn each_scope_expr(
    body: &ast::SelectBody,
    order_by: &[ast::OrderingTerm],
    f: &mut dyn FnMut(&ast::Expr),
) {
    returning(Some(&body.columns), f);
    if let Some(from) = &body.from {
        on_clauses(from, f);
    }
    opt(body.where_.as_ref(), f);
    body.group_by.iter().for_each(|e| expr(e, f));
    opt(body.having.as_ref(), f);
    body.windows.iter().for_each(|w| window(&w.window, f));
    order_by.iter().for_each(|o| expr(&o.expr, f));
}

fn on_clauses(from: &ast::FromClause, f: &mut dyn FnMut(&ast::Expr)) {
    for join in &from.joins {
        if let ast::TableOrSubquery::Nested { from, .. } = &join.table {
            on_clauses(from, f);
        }
        if let Some(ast::JoinConstraint::On(e)) = &join.constraint {
            expr(e, f);
        }
    }
    if let ast::TableOrSubquery::Nested { from: nested, .. } = &from.first {
        on_clauses(nested, f);
    }
}

fn opt(e: Option<&ast::Expr>, f: &mut dyn FnMut(&ast::Expr)) {
    if let Some(e) = e {
        expr(e, f);
    }
}

fn returning(columns: Option<&[ast::ResultColumn]>, f: &mut dyn FnMut(&ast::Expr)) {
    for c in columns.unwrap_or_default() {
        if let ast::ResultColumn::Expr { expr: e, .. } = c {
            expr(e, f);
        }
    }
}

fn with(w: Option<&ast::With>, f: &mut dyn FnMut(&ast::Expr)) {
    for cte in w.map_or(&[][..], |w| &w.ctes) {
        select(&cte.select, f);
    }
}

/// `e` and everything under it, the subqueries' expressions included.
fn expr(e: &ast::Expr, f: &mut dyn FnMut(&ast::Expr)) {
    walk(e, &mut |x| {
        f(x);
        match &x.kind {
            ExprKind::Subquery(s) | ExprKind::Exists(s) | ExprKind::InSelect { select: s, .. } => {
                select(s, f)
            }
            ExprKind::InTable {
                args: Some(args), ..
            } => args.iter().for_each(|a| expr(a, f)),
            ExprKind::Function {
                args: ast::FunctionArgs::List { order_by, .. },
                over,
                ..
            } => {
                order_by.iter().for_each(|o| expr(&o.expr, f));
                if let Some(ast::Over::Window(w)) = over {
                    window(w, f);
                }
            }
            _ => {}
        }
        true
    });
}

fn window(w: &ast::Window, f: &mut dyn FnMut(&ast::Expr)) {
    w.partition_by.iter().for_each(|e| expr(e, f));
    w.order_by.iter().for_each(|o| expr(&o.expr, f));
}

fn select(s: &ast::Select, f: &mut dyn FnMut(&ast::Expr)) {
    with(s.with.as_ref(), f);
    core(&s.first, f);
    s.compound.iter().for_each(|(_, c)| core(c, f));
    s.order_by.iter().for_each(|o| expr(&o.expr, f));
    if let Some(l) = &s.limit {
        expr(&l.limit, f);
        opt(l.offset.as_ref(), f);
    }
}

fn core(c: &ast::SelectCore, f: &mut dyn FnMut(&ast::Expr)) {
    match c {
        ast::SelectCore::Values(rows) => rows.iter().flatten().for_each(|e| expr(e, f)),
        ast::SelectCore::Select(body) => {
            returning(Some(&body.columns), f);
            if let Some(from) = &body.from {
                from_clause(from, f);
            }
            opt(body.where_.as_ref(), f);
            body.group_by.iter().for_each(|e| expr(e, f));
            opt(body.having.as_ref(), f);
            body.windows.iter().for_each(|w| window(&w.window, f));
        }
    }
}

fn from_clause(from: &ast::FromClause, f: &mut dyn FnMut(&ast::Expr)) {
    source(&from.first, f);
    for join in &from.joins {
        source(&join.table, f);
        if let Some(ast::JoinConstraint::On(e)) = &join.constraint {
            expr(e, f);
        }
    }
}

fn source(s: &ast::TableOrSubquery, f: &mut dyn FnMut(&ast::Expr)) {
    match s {
        ast::TableOrSubquery::Table { .. } => {}
        ast::TableOrSubquery::Function { args, .. } => args.iter().for_each(|a| expr(a, f)),
        ast::TableOrSubquery::Subquery { select: s, .. } => select(s, f),
        ast::TableOrSubquery::Nested { from, .. } => from_clause(from, f),
    }
}
