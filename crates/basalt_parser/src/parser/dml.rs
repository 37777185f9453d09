//! INSERT/REPLACE, UPDATE and DELETE, at top level and inside triggers.
//!
//! Invariant: inside a trigger body (`self.in_trigger`) the grammar is
//! SQLite's `trigger_cmd`: no WITH, no RETURNING on UPDATE/DELETE,
//! and the restrictions SQLite reports with dedicated messages (qualified
//! names, INDEXED BY, RETURNING on INSERT) are deferred like SQLite's.

use super::{Parser, R};
use crate::ast::*;
use crate::keywords::Keyword;
use crate::lexer::Tk;

impl Parser<'_> {
    pub(crate) fn dml(&mut self, with: Option<With>) -> R<Stmt> {
        match self.cur().kind {
            Tk::Kw(Keyword::Insert | Keyword::Replace) => self.insert(with),
            Tk::Kw(Keyword::Update) => self.update(with),
            Tk::Kw(Keyword::Delete) => self.delete(with),
            _ => Err(self.error_here()),
        }
    }

    fn conflict_action(&mut self) -> R<ConflictAction> {
        let a = match self.cur().kind {
            Tk::Kw(Keyword::Rollback) => ConflictAction::Rollback,
            Tk::Kw(Keyword::Abort) => ConflictAction::Abort,
            Tk::Kw(Keyword::Fail) => ConflictAction::Fail,
            Tk::Kw(Keyword::Ignore) => ConflictAction::Ignore,
            Tk::Kw(Keyword::Replace) => ConflictAction::Replace,
            _ => return Err(self.error_here()),
        };
        self.bump();
        Ok(a)
    }

    /// `OR action`
    fn orconf(&mut self) -> R<Option<ConflictAction>> {
        if self.eat_kw(Keyword::Or) {
            Ok(Some(self.conflict_action()?))
        } else {
            Ok(None)
        }
    }

    /// `ON CONFLICT action`
    pub(crate) fn onconf(&mut self) -> R<Option<ConflictAction>> {
        if self.at_kw(Keyword::On) {
            self.bump();
            self.expect_kw(Keyword::Conflict)?;
            Ok(Some(self.conflict_action()?))
        } else {
            Ok(None)
        }
    }

    /// Target table: `xfullname` at top level, `trnm` in triggers.
    fn dml_target(&mut self) -> R<(QualifiedName, Option<Name>)> {
        let start = self.cur().start;
        let name = self.qualified_name()?;
        if self.in_trigger && name.schema.is_some() {
            self.defer(
                "qualified table names are not allowed on INSERT, UPDATE, and DELETE \
                 statements within triggers"
                    .to_string(),
                start,
            );
        }
        let alias = if self.eat_kw(Keyword::As) {
            Some(self.nm()?)
        } else {
            None
        };
        Ok((name, alias))
    }

    fn dml_indexed(&mut self) -> R<Option<Indexed>> {
        let start = self.cur().start;
        let indexed = self.indexed_opt()?;
        if self.in_trigger {
            match indexed {
                Some(Indexed::By(_)) => self.defer(
                    "the INDEXED BY clause is not allowed on UPDATE or DELETE statements \
                     within triggers"
                        .to_string(),
                    start,
                ),
                Some(Indexed::NotIndexed) => self.defer(
                    "the NOT INDEXED clause is not allowed on UPDATE or DELETE statements \
                     within triggers"
                        .to_string(),
                    start,
                ),
                None => {}
            }
        }
        Ok(indexed)
    }

    fn returning(&mut self) -> R<Option<Vec<ResultColumn>>> {
        if !self.eat_kw(Keyword::Returning) {
            return Ok(None);
        }
        let start = self.cur().start;
        let cols = self.result_columns()?;
        if self.in_trigger {
            self.defer("cannot use RETURNING in a trigger".to_string(), start);
        }
        Ok(Some(cols))
    }

    fn insert(&mut self, with: Option<With>) -> R<Stmt> {
        let (or, replace_keyword) = if self.eat_kw(Keyword::Replace) {
            (Some(ConflictAction::Replace), true)
        } else {
            self.expect_kw(Keyword::Insert)?;
            (self.orconf()?, false)
        };
        self.expect_kw(Keyword::Into)?;
        let (table, alias) = self.dml_target()?;
        let columns = if self.at(Tk::LParen) {
            Some(self.idlist()?)
        } else {
            None
        };
        let (source, upsert, returning) = if !self.in_trigger && self.eat_kw(Keyword::Default) {
            self.expect_kw(Keyword::Values)?;
            (InsertSource::DefaultValues, Vec::new(), self.returning()?)
        } else {
            let select = self.select()?;
            let (upsert, returning) = self.upsert()?;
            (InsertSource::Select(Box::new(select)), upsert, returning)
        };
        Ok(Stmt::Insert(Box::new(Insert {
            with,
            or,
            replace_keyword,
            table,
            alias,
            columns,
            source,
            upsert,
            returning,
        })))
    }

    fn upsert(&mut self) -> R<(Vec<Upsert>, Option<Vec<ResultColumn>>)> {
        let mut clauses = Vec::new();
        while self.at_kw(Keyword::On) {
            self.bump();
            self.expect_kw(Keyword::Conflict)?;
            let target = if self.eat(Tk::LParen) {
                let columns = self.sortlist()?;
                self.expect(Tk::RParen)?;
                let where_ = self.expr_after(Keyword::Where)?;
                Some(UpsertTarget { columns, where_ })
            } else {
                None
            };
            self.expect_kw(Keyword::Do)?;
            let action = if self.eat_kw(Keyword::Nothing) {
                UpsertAction::Nothing
            } else {
                self.expect_kw(Keyword::Update)?;
                self.expect_kw(Keyword::Set)?;
                let set = self.setlist()?;
                let where_ = self.expr_after(Keyword::Where)?;
                UpsertAction::Update { set, where_ }
            };
            let last = target.is_none();
            clauses.push(Upsert { target, action });
            if last {
                break;
            }
        }
        Ok((clauses, self.returning()?))
    }

    pub(crate) fn setlist(&mut self) -> R<Vec<Assignment>> {
        let mut v = Vec::new();
        loop {
            let (columns, list) = if self.at(Tk::LParen) {
                (self.idlist()?, true)
            } else {
                (vec![self.nm()?], false)
            };
            self.expect(Tk::Eq)?;
            let value = self.expr()?;
            let values = match &value.kind {
                ExprKind::Vector(v) => v.len(),
                ExprKind::Subquery(_) => columns.len(),
                _ => 1,
            };
            if list && values != columns.len() {
                let start = self.cur().start;
                self.defer(
                    format!("{} columns assigned {values} values", columns.len()),
                    start,
                );
            }
            v.push(Assignment {
                columns,
                list,
                value,
            });
            if !self.eat(Tk::Comma) {
                break;
            }
        }
        Ok(v)
    }

    fn update(&mut self, with: Option<With>) -> R<Stmt> {
        self.expect_kw(Keyword::Update)?;
        let or = self.orconf()?;
        let (table, alias) = self.dml_target()?;
        let indexed = self.dml_indexed()?;
        self.expect_kw(Keyword::Set)?;
        let set = self.setlist()?;
        let from = if self.eat_kw(Keyword::From) {
            Some(self.table_list()?)
        } else {
            None
        };
        let where_ = self.expr_after(Keyword::Where)?;
        let returning = self.returning_outside_trigger()?;
        Ok(Stmt::Update(Box::new(Update {
            with,
            or,
            table,
            alias,
            indexed,
            set,
            from,
            where_,
            returning,
        })))
    }

    /// RETURNING, which SQLite's grammar does not allow inside a trigger body.
    fn returning_outside_trigger(&mut self) -> R<Option<Vec<ResultColumn>>> {
        if self.in_trigger {
            Ok(None)
        } else {
            self.returning()
        }
    }

    fn delete(&mut self, with: Option<With>) -> R<Stmt> {
        self.expect_kw(Keyword::Delete)?;
        self.expect_kw(Keyword::From)?;
        let (table, alias) = self.dml_target()?;
        let indexed = self.dml_indexed()?;
        let where_ = self.expr_after(Keyword::Where)?;
        let returning = self.returning_outside_trigger()?;
        Ok(Stmt::Delete(Box::new(Delete {
            with,
            table,
            alias,
            indexed,
            where_,
            returning,
        })))
    }
}
