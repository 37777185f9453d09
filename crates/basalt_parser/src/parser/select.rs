//! SELECT statements: WITH, compound operators, VALUES, FROM/joins, GROUP
//! BY, HAVING, WINDOW, ORDER BY and LIMIT.
//!
//! Invariants:
//! - As in SQLite's grammar every simple SELECT may carry ORDER BY/LIMIT;
//!   only the last one of a compound may keep them, otherwise SQLite's
//!   "ORDER BY clause should come after X not before" is deferred. The AST
//!   therefore stores ORDER BY/LIMIT once, on the whole `Select`.
//! - Join keyword sequences are validated with SQLite's rules and message.

use super::{Parser, R};
use crate::ast::*;
use crate::keywords::Keyword;
use crate::lexer::Tk;

/// SQLite's `SQLITE_MAX_COMPOUND_SELECT`.
const MAX_COMPOUND_SELECT: usize = 500;

impl Parser<'_> {
    pub(crate) fn select(&mut self) -> R<Select> {
        self.nest(|p| p.select_inner())
    }

    fn select_inner(&mut self) -> R<Select> {
        let with = if self.at_kw(Keyword::With) {
            Some(self.with_clause()?)
        } else {
            None
        };
        self.select_after_with(with)
    }

    pub(crate) fn with_clause(&mut self) -> R<With> {
        self.expect_kw(Keyword::With)?;
        let recursive = self.eat_kw(Keyword::Recursive);
        let mut ctes = Vec::new();
        loop {
            let name = self.nm()?;
            let columns = if self.at(Tk::LParen) {
                Some(self.eidlist()?)
            } else {
                None
            };
            self.expect_kw(Keyword::As)?;
            let materialized = if self.eat_kw(Keyword::Materialized) {
                Some(true)
            } else if self.at_kw(Keyword::Not) {
                self.bump();
                self.expect_kw(Keyword::Materialized)?;
                Some(false)
            } else {
                None
            };
            self.expect(Tk::LParen)?;
            self.push(4)?;
            let select = self.select()?;
            self.expect(Tk::RParen)?;
            self.pop(4);
            ctes.push(Cte {
                name,
                columns,
                materialized,
                select: Box::new(select),
            });
            if !self.eat(Tk::Comma) {
                break;
            }
        }
        Ok(With { recursive, ctes })
    }

    pub(crate) fn select_after_with(&mut self, with: Option<With>) -> R<Select> {
        let (first, mut order_by, mut limit) = self.one_select()?;
        let mut compound = Vec::new();
        let mut misplaced: Option<(&'static str, CompoundOp)> = None;
        while let Some(op) = self.compound_op() {
            if !order_by.is_empty() || limit.is_some() {
                let what = if order_by.is_empty() {
                    "LIMIT"
                } else {
                    "ORDER BY"
                };
                misplaced = Some((what, op));
            }
            let (core, o, l) = self.one_select()?;
            order_by = o;
            limit = l;
            compound.push((op, core));
        }
        let start = self.cur().start;
        if let Some((what, op)) = misplaced {
            // SQLite names the operator just after the last offending SELECT.
            self.defer(
                format!("{what} clause should come after {} not before", op_name(op)),
                start,
            );
        }
        let last_is_values = compound
            .last()
            .map_or(matches!(first, SelectCore::Values(_)), |(_, c)| {
                matches!(c, SelectCore::Values(_))
            });
        if compound.len() + 1 > MAX_COMPOUND_SELECT && !last_is_values {
            self.defer("too many terms in compound SELECT".to_string(), start);
        }
        Ok(Select {
            with,
            first,
            compound,
            order_by,
            limit,
        })
    }

    fn compound_op(&mut self) -> Option<CompoundOp> {
        let op = match self.cur().kind {
            Tk::Kw(Keyword::Union) => {
                self.bump();
                if self.eat_kw(Keyword::All) {
                    CompoundOp::UnionAll
                } else {
                    CompoundOp::Union
                }
            }
            Tk::Kw(Keyword::Except) => {
                self.bump();
                CompoundOp::Except
            }
            Tk::Kw(Keyword::Intersect) => {
                self.bump();
                CompoundOp::Intersect
            }
            _ => return None,
        };
        Some(op)
    }

    /// One `SELECT ...` or `VALUES ...` with its own ORDER BY / LIMIT.
    fn one_select(&mut self) -> R<(SelectCore, Vec<OrderingTerm>, Option<Limit>)> {
        if self.at_kw(Keyword::Values) {
            self.bump();
            let mut rows = Vec::new();
            loop {
                self.expect(Tk::LParen)?;
                self.push(3)?;
                let row = self.nexprlist()?;
                self.expect(Tk::RParen)?;
                self.pop(3);
                if rows
                    .first()
                    .is_some_and(|r: &Vec<Expr>| r.len() != row.len())
                {
                    let start = self.cur().start;
                    self.defer(
                        "all VALUES must have the same number of terms".to_string(),
                        start,
                    );
                }
                rows.push(row);
                if !self.eat(Tk::Comma) {
                    break;
                }
            }
            return Ok((SelectCore::Values(rows), Vec::new(), None));
        }
        self.expect_kw(Keyword::Select)?;
        self.push(3)?;
        let distinct = if self.eat_kw(Keyword::Distinct) {
            Some(Distinctness::Distinct)
        } else if self.eat_kw(Keyword::All) {
            Some(Distinctness::All)
        } else {
            None
        };
        let columns = self.result_columns()?;
        self.push(1)?;
        let from = if self.eat_kw(Keyword::From) {
            Some(self.table_list()?)
        } else {
            None
        };
        let where_ = self.expr_after(Keyword::Where)?;
        let group_by = if self.eat_kw(Keyword::Group) {
            self.expect_kw(Keyword::By)?;
            self.nexprlist()?
        } else {
            Vec::new()
        };
        let having = self.expr_after(Keyword::Having)?;
        let mut windows = Vec::new();
        if self.eat_kw(Keyword::Window) {
            loop {
                let name = self.nm()?;
                self.expect_kw(Keyword::As)?;
                self.expect(Tk::LParen)?;
                let window = self.window()?;
                self.expect(Tk::RParen)?;
                windows.push(WindowDef { name, window });
                if !self.eat(Tk::Comma) {
                    break;
                }
            }
        }
        let order_by = if self.at_kw(Keyword::Order) {
            self.order_by()?
        } else {
            Vec::new()
        };
        let limit = self.limit()?;
        self.pop(4);
        let body = SelectBody {
            distinct,
            columns,
            from,
            where_,
            group_by,
            having,
            windows,
        };
        Ok((SelectCore::Select(Box::new(body)), order_by, limit))
    }

    pub(crate) fn result_columns(&mut self) -> R<Vec<ResultColumn>> {
        let mut cols = Vec::new();
        self.push(1)?;
        loop {
            if self.eat(Tk::Star) {
                cols.push(ResultColumn::Star);
            } else if self.is_nm(self.cur().kind)
                && self.peek_kind(1) == Tk::Dot
                && self.peek_kind(2) == Tk::Star
            {
                let name = self.nm()?;
                self.bump();
                self.bump();
                cols.push(ResultColumn::TableStar(name));
            } else {
                let expr = self.expr()?;
                let alias = self.alias()?;
                cols.push(ResultColumn::Expr { expr, alias });
            }
            if !self.eat(Tk::Comma) {
                break;
            }
        }
        self.pop(1);
        Ok(cols)
    }

    /// `as`: `AS nm`, a bare `ids`, or nothing.
    fn alias(&mut self) -> R<Option<Name>> {
        if self.eat_kw(Keyword::As) {
            return Ok(Some(self.nm()?));
        }
        if self.is_ids(self.cur().kind) {
            return Ok(Some(self.ids()?));
        }
        Ok(None)
    }

    pub(crate) fn order_by(&mut self) -> R<Vec<OrderingTerm>> {
        self.expect_kw(Keyword::Order)?;
        self.expect_kw(Keyword::By)?;
        self.sortlist()
    }

    /// `expr [ASC|DESC] [NULLS FIRST|LAST]` separated by commas.
    pub(crate) fn sortlist(&mut self) -> R<Vec<OrderingTerm>> {
        let mut v = Vec::new();
        loop {
            let expr = self.expr()?;
            let order = if self.eat_kw(Keyword::Asc) {
                Some(SortOrder::Asc)
            } else if self.eat_kw(Keyword::Desc) {
                Some(SortOrder::Desc)
            } else {
                None
            };
            let nulls = if self.eat_kw(Keyword::Nulls) {
                if self.eat_kw(Keyword::First) {
                    Some(NullsOrder::First)
                } else {
                    self.expect_kw(Keyword::Last)?;
                    Some(NullsOrder::Last)
                }
            } else {
                None
            };
            v.push(OrderingTerm { expr, order, nulls });
            if !self.eat(Tk::Comma) {
                break;
            }
        }
        Ok(v)
    }

    fn limit(&mut self) -> R<Option<Limit>> {
        if !self.eat_kw(Keyword::Limit) {
            return Ok(None);
        }
        let first = self.expr()?;
        if self.eat_kw(Keyword::Offset) {
            let offset = self.expr()?;
            return Ok(Some(Limit {
                limit: first,
                offset: Some(offset),
            }));
        }
        if self.eat(Tk::Comma) {
            let limit = self.expr()?;
            return Ok(Some(Limit {
                limit,
                offset: Some(first),
            }));
        }
        Ok(Some(Limit {
            limit: first,
            offset: None,
        }))
    }

    /// `seltablist`: the first table, then joins. SQLite parses an ON/USING
    /// after the first table and rejects it afterwards.
    pub(crate) fn table_list(&mut self) -> R<FromClause> {
        self.nest(|p| p.table_list_inner())
    }

    fn table_list_inner(&mut self) -> R<FromClause> {
        self.push(1)?;
        let first = self.table_or_subquery()?;
        if self.at_kw(Keyword::On) || self.at_kw(Keyword::Using) {
            let start = self.cur().start;
            let what = if self.at_kw(Keyword::On) {
                "ON"
            } else {
                "USING"
            };
            self.join_constraint()?;
            self.defer(format!("a JOIN clause is required before {what}"), start);
        }
        let mut joins = Vec::new();
        while let Some(op) = self.join_op()? {
            let table = self.table_or_subquery()?;
            let constraint = self.join_constraint()?;
            joins.push(Join {
                op,
                table,
                constraint,
            });
        }
        self.pop(1);
        Ok(FromClause { first, joins })
    }

    fn join_constraint(&mut self) -> R<Option<JoinConstraint>> {
        if self.eat_kw(Keyword::On) {
            return Ok(Some(JoinConstraint::On(self.expr()?)));
        }
        if self.eat_kw(Keyword::Using) {
            return Ok(Some(JoinConstraint::Using(self.idlist()?)));
        }
        Ok(None)
    }

    fn join_op(&mut self) -> R<Option<JoinOp>> {
        if self.eat(Tk::Comma) {
            return Ok(Some(JoinOp::Comma));
        }
        if self.eat_kw(Keyword::Join) {
            return Ok(Some(JoinOp::Join {
                natural: false,
                kind: JoinKind::Inner,
            }));
        }
        let Tk::Kw(k) = self.cur().kind else {
            return Ok(None);
        };
        if !k.is_join_kw() {
            return Ok(None);
        }
        let first = self.bump();
        let mut words = vec![first];
        for _ in 0..2 {
            if self.at_kw(Keyword::Join) {
                break;
            }
            if !self.is_nm(self.cur().kind) {
                return Err(self.error_here());
            }
            words.push(self.bump());
        }
        self.expect_kw(Keyword::Join)?;
        let texts: Vec<&str> = words.iter().map(|t| self.text(*t)).collect();
        match join_type(&texts) {
            Some(op) => Ok(Some(op)),
            None => {
                self.defer(
                    format!("unknown join type: {}", texts.join(" ")),
                    first.start,
                );
                Ok(Some(JoinOp::Join {
                    natural: false,
                    kind: JoinKind::Inner,
                }))
            }
        }
    }

    fn table_or_subquery(&mut self) -> R<TableOrSubquery> {
        if self.at(Tk::LParen) {
            self.bump();
            self.push(1)?;
            let r = if self.at_select_start() {
                let select = self.select()?;
                self.expect(Tk::RParen)?;
                let alias = self.alias()?;
                TableOrSubquery::Subquery {
                    select: Box::new(select),
                    alias,
                }
            } else {
                let from = self.table_list()?;
                self.expect(Tk::RParen)?;
                let alias = self.alias()?;
                TableOrSubquery::Nested {
                    from: Box::new(from),
                    alias,
                }
            };
            self.pop(1);
            return Ok(r);
        }
        self.check_stack(4)?;
        let name = self.qualified_name()?;
        if self.at(Tk::LParen) {
            self.bump();
            let args = if self.at(Tk::RParen) {
                Vec::new()
            } else {
                self.nexprlist()?
            };
            self.expect(Tk::RParen)?;
            let alias = self.alias()?;
            return Ok(TableOrSubquery::Function { name, args, alias });
        }
        let alias = self.alias()?;
        let indexed = self.indexed_opt()?;
        Ok(TableOrSubquery::Table {
            name,
            alias,
            indexed,
        })
    }

    pub(crate) fn indexed_opt(&mut self) -> R<Option<Indexed>> {
        if self.eat_kw(Keyword::Indexed) {
            self.expect_kw(Keyword::By)?;
            return Ok(Some(Indexed::By(self.nm()?)));
        }
        if self.at_kw(Keyword::Not) {
            self.bump();
            self.expect_kw(Keyword::Indexed)?;
            return Ok(Some(Indexed::NotIndexed));
        }
        Ok(None)
    }
}

fn op_name(op: CompoundOp) -> &'static str {
    match op {
        CompoundOp::Union => "UNION",
        CompoundOp::UnionAll => "UNION ALL",
        CompoundOp::Except => "EXCEPT",
        CompoundOp::Intersect => "INTERSECT",
    }
}

/// SQLite's join-type rules over one to three words before JOIN.
fn join_type(words: &[&str]) -> Option<JoinOp> {
    let (mut natural, mut left, mut right, mut outer, mut inner, mut cross) =
        (false, false, false, false, false, false);
    for w in words {
        match w.to_ascii_lowercase().as_str() {
            "natural" => natural = true,
            "left" => (left, outer) = (true, true),
            "right" => (right, outer) = (true, true),
            "full" => (left, right, outer) = (true, true, true),
            "outer" => outer = true,
            "inner" => inner = true,
            "cross" => (inner, cross) = (true, true),
            _ => return None,
        }
    }
    if (inner && outer) || (outer && !left && !right) {
        return None;
    }
    let kind = match (left, right) {
        (true, true) => JoinKind::Full,
        (true, false) => JoinKind::Left,
        (false, true) => JoinKind::Right,
        _ if cross => JoinKind::Cross,
        _ => JoinKind::Inner,
    };
    Some(JoinOp::Join { natural, kind })
}
