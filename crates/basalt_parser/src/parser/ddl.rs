//! CREATE / DROP / ALTER and the utility statements (transactions, PRAGMA,
//! ATTACH, VACUUM, ...).
//!
//! Invariants:
//! - Checks that SQLite performs inside grammar actions (table options,
//!   generated-column storage words) are deferred with SQLite's messages.
//! - Virtual-table module arguments are kept as raw source text, split on
//!   top-level commas, exactly as SQLite hands them to the module.

use super::{Parser, R};
use crate::ast::*;
use crate::keywords::Keyword;
use crate::lexer::Tk;

impl Parser<'_> {
    fn if_not_exists(&mut self) -> R<bool> {
        if self.eat_kw(Keyword::If) {
            self.expect_kw(Keyword::Not)?;
            self.expect_kw(Keyword::Exists)?;
            return Ok(true);
        }
        Ok(false)
    }

    fn if_exists(&mut self) -> R<bool> {
        if self.eat_kw(Keyword::If) {
            self.expect_kw(Keyword::Exists)?;
            return Ok(true);
        }
        Ok(false)
    }

    pub(crate) fn create(&mut self) -> R<Stmt> {
        self.expect_kw(Keyword::Create)?;
        let temporary = self.eat_kw(Keyword::Temp) || self.eat_kw(Keyword::Temporary);
        match self.cur().kind {
            Tk::Kw(Keyword::Table) => self.create_table(temporary),
            Tk::Kw(Keyword::View) => self.create_view(temporary),
            Tk::Kw(Keyword::Trigger) => self.create_trigger(temporary),
            Tk::Kw(Keyword::Unique | Keyword::Index) if !temporary => self.create_index(),
            Tk::Kw(Keyword::Virtual) if !temporary => self.create_virtual_table(),
            _ => Err(self.error_here()),
        }
    }

    fn create_table(&mut self, temporary: bool) -> R<Stmt> {
        self.expect_kw(Keyword::Table)?;
        let if_not_exists = self.if_not_exists()?;
        let name = self.qualified_name()?;
        let body = if self.eat_kw(Keyword::As) {
            CreateTableBody::AsSelect(Box::new(self.select()?))
        } else {
            self.expect(Tk::LParen)?;
            // Room for most tables' columns at once (schema loads parse every table).
            let mut columns = Vec::with_capacity(8);
            columns.push(self.column_def()?);
            let mut constraints = Vec::new();
            while self.eat(Tk::Comma) {
                if self.at_table_constraint() {
                    loop {
                        constraints.push(self.table_constraint()?);
                        self.eat(Tk::Comma);
                        if !self.at_table_constraint() {
                            break;
                        }
                    }
                    break;
                }
                columns.push(self.column_def()?);
            }
            self.expect(Tk::RParen)?;
            let options = self.table_options()?;
            CreateTableBody::Columns {
                columns,
                constraints,
                options,
            }
        };
        Ok(Stmt::CreateTable(Box::new(CreateTable {
            temporary,
            if_not_exists,
            name,
            body,
        })))
    }

    fn at_table_constraint(&self) -> bool {
        matches!(
            self.cur().kind,
            Tk::Kw(
                Keyword::Constraint
                    | Keyword::Primary
                    | Keyword::Unique
                    | Keyword::Check
                    | Keyword::Foreign
            )
        )
    }

    /// `table_option_set`: empty, or options separated by commas, where the
    /// grammar's empty set also lets a lone leading comma through.
    fn table_options(&mut self) -> R<Vec<TableOption>> {
        let mut options = Vec::new();
        if self.at_kw(Keyword::Without) || self.is_nm(self.cur().kind) {
            self.table_option(&mut options)?;
        }
        while self.eat(Tk::Comma) {
            self.table_option(&mut options)?;
        }
        Ok(options)
    }

    fn table_option(&mut self, options: &mut Vec<TableOption>) -> R<()> {
        let without = self.eat_kw(Keyword::Without);
        let t = self.cur();
        self.nm()?;
        let raw = self.text(t);
        let option = match (without, raw.to_ascii_lowercase().as_str()) {
            (true, "rowid") => Some(TableOption::WithoutRowid),
            (false, "strict") => Some(TableOption::Strict),
            _ => None,
        };
        match option {
            Some(o) => options.push(o),
            None => self.defer(format!("unknown table option: {raw}"), t.start),
        }
        Ok(())
    }

    /// `columnname carglist`
    pub(crate) fn column_def(&mut self) -> R<ColumnDef> {
        let name = self.nm()?;
        let mut type_name = self.type_name()?;
        if let Some(t) = &mut type_name {
            strip_generated_always(t);
            if t.name.is_empty() && t.args.is_empty() {
                type_name = None;
            }
        }
        let mut constraints: Vec<ColumnConstraint> = Vec::new();
        while let Some(c) = self.column_constraint(&name)? {
            // SQLite refuses a second generation clause, or one after DEFAULT.
            if matches!(c, ColumnConstraint::Generated { .. })
                && constraints.iter().any(|p| {
                    matches!(
                        p,
                        ColumnConstraint::Generated { .. } | ColumnConstraint::Default { .. }
                    )
                })
            {
                let start = self.cur().start;
                self.defer(
                    format!("error in generated column \"{}\"", name.value),
                    start,
                );
            }
            constraints.push(c);
        }
        Ok(ColumnDef {
            name,
            type_name,
            constraints,
        })
    }

    fn column_constraint(&mut self, column: &Name) -> R<Option<ColumnConstraint>> {
        let c = match self.cur().kind {
            Tk::Kw(Keyword::Constraint) => {
                self.bump();
                ColumnConstraint::Name(self.nm()?)
            }
            Tk::Kw(Keyword::Default) => {
                self.bump();
                self.default_value()?
            }
            Tk::Kw(Keyword::Null) => {
                self.bump();
                ColumnConstraint::Null {
                    conflict: self.onconf()?,
                }
            }
            Tk::Kw(Keyword::Not) if self.peek_kind(1) == Tk::Kw(Keyword::Null) => {
                self.bump();
                self.bump();
                ColumnConstraint::NotNull {
                    conflict: self.onconf()?,
                }
            }
            Tk::Kw(Keyword::Primary) => {
                self.bump();
                self.expect_kw(Keyword::Key)?;
                let order = self.sort_order();
                let conflict = self.onconf()?;
                let autoincrement = self.eat_kw(Keyword::Autoincrement);
                ColumnConstraint::PrimaryKey {
                    order,
                    conflict,
                    autoincrement,
                }
            }
            Tk::Kw(Keyword::Unique) => {
                self.bump();
                ColumnConstraint::Unique {
                    conflict: self.onconf()?,
                }
            }
            Tk::Kw(Keyword::Check) => {
                self.bump();
                self.expect(Tk::LParen)?;
                let e = self.expr()?;
                self.expect(Tk::RParen)?;
                ColumnConstraint::Check(e)
            }
            Tk::Kw(Keyword::References) => {
                self.bump();
                ColumnConstraint::References(self.foreign_key_clause()?)
            }
            Tk::Kw(Keyword::Not | Keyword::Deferrable) => {
                ColumnConstraint::Deferrable(self.deferrable()?)
            }
            Tk::Kw(Keyword::Collate) => {
                self.bump();
                ColumnConstraint::Collate(self.ids()?)
            }
            Tk::Kw(Keyword::Generated) => {
                self.bump();
                self.expect_kw(Keyword::Always)?;
                self.expect_kw(Keyword::As)?;
                self.generated(column)?
            }
            Tk::Kw(Keyword::As) => {
                self.bump();
                self.generated(column)?
            }
            _ => return Ok(None),
        };
        Ok(Some(c))
    }

    fn default_value(&mut self) -> R<ColumnConstraint> {
        let start = self.cur().start;
        match self.cur().kind {
            Tk::LParen => {
                self.bump();
                let expr = self.expr()?;
                self.expect(Tk::RParen)?;
                Ok(ColumnConstraint::Default {
                    expr,
                    parenthesized: true,
                })
            }
            Tk::Plus | Tk::Minus => {
                let neg = self.bump().kind == Tk::Minus;
                let lit_start = self.cur().start;
                let lit = self.term()?;
                let span = self.span_from(lit_start);
                let mut expr = Expr {
                    kind: ExprKind::Literal(lit),
                    span,
                    height: 1,
                };
                if neg {
                    expr = Expr {
                        kind: ExprKind::Unary(UnaryOp::Neg, Box::new(expr)),
                        span: self.span_from(start),
                        height: 2,
                    };
                }
                Ok(ColumnConstraint::Default {
                    expr,
                    parenthesized: false,
                })
            }
            // CURRENT_TIME and friends may stand for names, but here they are terms, as in
            // SQLite's grammar (the term rule wins over the identifier fallback).
            k if self.is_id(k)
                && !matches!(
                    k,
                    Tk::Kw(Keyword::CurrentDate | Keyword::CurrentTime | Keyword::CurrentTimestamp)
                ) =>
            {
                let t = self.bump();
                let expr = Expr {
                    kind: ExprKind::Id(self.make_name(t)),
                    span: self.span_from(start),
                    height: 1,
                };
                Ok(ColumnConstraint::Default {
                    expr,
                    parenthesized: false,
                })
            }
            _ => {
                let lit = self.term()?;
                let expr = Expr {
                    kind: ExprKind::Literal(lit),
                    span: self.span_from(start),
                    height: 1,
                };
                Ok(ColumnConstraint::Default {
                    expr,
                    parenthesized: false,
                })
            }
        }
    }

    fn generated(&mut self, column: &Name) -> R<ColumnConstraint> {
        self.expect(Tk::LParen)?;
        let expr = self.expr()?;
        self.expect(Tk::RParen)?;
        let t = self.cur();
        let is_word = match t.kind {
            Tk::Id => true,
            Tk::Kw(k) => k.falls_back_to_id(),
            _ => false,
        };
        let mut storage = None;
        if is_word {
            self.bump();
            match self.text(t).to_ascii_lowercase().as_str() {
                "stored" => storage = Some(GeneratedStorage::Stored),
                "virtual" => storage = Some(GeneratedStorage::Virtual),
                _ => self.defer(
                    format!("error in generated column \"{}\"", column.value),
                    t.start,
                ),
            }
        }
        Ok(ColumnConstraint::Generated { expr, storage })
    }

    fn sort_order(&mut self) -> Option<SortOrder> {
        if self.eat_kw(Keyword::Asc) {
            Some(SortOrder::Asc)
        } else if self.eat_kw(Keyword::Desc) {
            Some(SortOrder::Desc)
        } else {
            None
        }
    }

    /// `nm [eidlist] refargs` after REFERENCES.
    fn foreign_key_clause(&mut self) -> R<ForeignKeyClause> {
        let table = self.nm()?;
        let columns = if self.at(Tk::LParen) {
            self.eidlist()?
        } else {
            Vec::new()
        };
        let mut args = Vec::new();
        loop {
            if self.eat_kw(Keyword::Match) {
                args.push(RefArg::Match(self.nm()?));
            } else if self.at_kw(Keyword::On) {
                self.bump();
                let which = self.cur().kind;
                if !matches!(
                    which,
                    Tk::Kw(Keyword::Insert | Keyword::Delete | Keyword::Update)
                ) {
                    return Err(self.error_here());
                }
                self.bump();
                let action = self.ref_action()?;
                args.push(match which {
                    Tk::Kw(Keyword::Insert) => RefArg::OnInsert(action),
                    Tk::Kw(Keyword::Delete) => RefArg::OnDelete(action),
                    _ => RefArg::OnUpdate(action),
                });
            } else {
                break;
            }
        }
        Ok(ForeignKeyClause {
            table,
            columns,
            args,
            deferrable: None,
        })
    }

    fn ref_action(&mut self) -> R<RefAction> {
        let a = match self.cur().kind {
            Tk::Kw(Keyword::Set) => {
                self.bump();
                if self.eat_kw(Keyword::Null) {
                    return Ok(RefAction::SetNull);
                }
                self.expect_kw(Keyword::Default)?;
                return Ok(RefAction::SetDefault);
            }
            Tk::Kw(Keyword::Cascade) => RefAction::Cascade,
            Tk::Kw(Keyword::Restrict) => RefAction::Restrict,
            Tk::Kw(Keyword::No) => {
                self.bump();
                self.expect_kw(Keyword::Action)?;
                return Ok(RefAction::NoAction);
            }
            _ => return Err(self.error_here()),
        };
        self.bump();
        Ok(a)
    }

    fn deferrable(&mut self) -> R<Deferrable> {
        let not = self.eat_kw(Keyword::Not);
        self.expect_kw(Keyword::Deferrable)?;
        let initially_deferred = if self.eat_kw(Keyword::Initially) {
            if self.eat_kw(Keyword::Deferred) {
                Some(true)
            } else {
                self.expect_kw(Keyword::Immediate)?;
                Some(false)
            }
        } else {
            None
        };
        Ok(Deferrable {
            not,
            initially_deferred,
        })
    }

    fn table_constraint(&mut self) -> R<TableConstraint> {
        match self.cur().kind {
            Tk::Kw(Keyword::Constraint) => {
                self.bump();
                Ok(TableConstraint::Name(self.nm()?))
            }
            Tk::Kw(Keyword::Primary) => {
                self.bump();
                self.expect_kw(Keyword::Key)?;
                self.expect(Tk::LParen)?;
                let columns = self.sortlist()?;
                let autoincrement = self.eat_kw(Keyword::Autoincrement);
                self.expect(Tk::RParen)?;
                let conflict = self.onconf()?;
                Ok(TableConstraint::PrimaryKey {
                    columns,
                    autoincrement,
                    conflict,
                })
            }
            Tk::Kw(Keyword::Unique) => {
                self.bump();
                self.expect(Tk::LParen)?;
                let columns = self.sortlist()?;
                self.expect(Tk::RParen)?;
                let conflict = self.onconf()?;
                Ok(TableConstraint::Unique { columns, conflict })
            }
            Tk::Kw(Keyword::Check) => {
                self.bump();
                self.expect(Tk::LParen)?;
                let expr = self.expr()?;
                self.expect(Tk::RParen)?;
                let conflict = self.onconf()?;
                Ok(TableConstraint::Check { expr, conflict })
            }
            Tk::Kw(Keyword::Foreign) => {
                self.bump();
                self.expect_kw(Keyword::Key)?;
                let columns = self.eidlist()?;
                self.expect_kw(Keyword::References)?;
                let mut clause = self.foreign_key_clause()?;
                if self.at_kw(Keyword::Deferrable)
                    || (self.at_kw(Keyword::Not)
                        && self.peek_kind(1) == Tk::Kw(Keyword::Deferrable))
                {
                    clause.deferrable = Some(self.deferrable()?);
                }
                Ok(TableConstraint::ForeignKey { columns, clause })
            }
            _ => Err(self.error_here()),
        }
    }

    fn create_index(&mut self) -> R<Stmt> {
        let unique = self.eat_kw(Keyword::Unique);
        self.expect_kw(Keyword::Index)?;
        let if_not_exists = self.if_not_exists()?;
        let name = self.qualified_name()?;
        self.expect_kw(Keyword::On)?;
        let table = self.nm()?;
        self.expect(Tk::LParen)?;
        let columns = self.sortlist()?;
        self.expect(Tk::RParen)?;
        let where_ = self.expr_after(Keyword::Where)?;
        Ok(Stmt::CreateIndex(Box::new(CreateIndex {
            unique,
            if_not_exists,
            name,
            table,
            columns,
            where_,
        })))
    }

    fn create_view(&mut self, temporary: bool) -> R<Stmt> {
        self.expect_kw(Keyword::View)?;
        let if_not_exists = self.if_not_exists()?;
        let name = self.qualified_name()?;
        let columns = if self.at(Tk::LParen) {
            Some(self.eidlist()?)
        } else {
            None
        };
        self.expect_kw(Keyword::As)?;
        let select = Box::new(self.select()?);
        Ok(Stmt::CreateView(Box::new(CreateView {
            temporary,
            if_not_exists,
            name,
            columns,
            select,
        })))
    }

    fn create_trigger(&mut self, temporary: bool) -> R<Stmt> {
        self.expect_kw(Keyword::Trigger)?;
        let if_not_exists = self.if_not_exists()?;
        let name = self.qualified_name()?;
        let time = match self.cur().kind {
            Tk::Kw(Keyword::Before) => {
                self.bump();
                Some(TriggerTime::Before)
            }
            Tk::Kw(Keyword::After) => {
                self.bump();
                Some(TriggerTime::After)
            }
            Tk::Kw(Keyword::Instead) => {
                self.bump();
                self.expect_kw(Keyword::Of)?;
                Some(TriggerTime::InsteadOf)
            }
            _ => None,
        };
        let event = match self.cur().kind {
            Tk::Kw(Keyword::Delete) => {
                self.bump();
                TriggerEvent::Delete
            }
            Tk::Kw(Keyword::Insert) => {
                self.bump();
                TriggerEvent::Insert
            }
            Tk::Kw(Keyword::Update) => {
                self.bump();
                if self.eat_kw(Keyword::Of) {
                    let mut cols = vec![self.nm()?];
                    while self.eat(Tk::Comma) {
                        cols.push(self.nm()?);
                    }
                    TriggerEvent::Update(Some(cols))
                } else {
                    TriggerEvent::Update(None)
                }
            }
            _ => return Err(self.error_here()),
        };
        self.expect_kw(Keyword::On)?;
        let table = self.qualified_name()?;
        let for_each_row = if self.eat_kw(Keyword::For) {
            self.expect_kw(Keyword::Each)?;
            self.expect_kw(Keyword::Row)?;
            true
        } else {
            false
        };
        let when = self.expr_after(Keyword::When)?;
        self.expect_kw(Keyword::Begin)?;
        self.in_trigger = true;
        let body = self.trigger_body();
        self.in_trigger = false;
        let body = body?;
        Ok(Stmt::CreateTrigger(Box::new(CreateTrigger {
            temporary,
            if_not_exists,
            name,
            time,
            event,
            table,
            for_each_row,
            when,
            body,
        })))
    }

    fn trigger_body(&mut self) -> R<Vec<Stmt>> {
        let mut body = Vec::new();
        loop {
            let stmt = match self.cur().kind {
                Tk::Kw(Keyword::Insert | Keyword::Replace | Keyword::Update | Keyword::Delete) => {
                    self.dml(None)?
                }
                Tk::Kw(Keyword::Select | Keyword::Values | Keyword::With) => {
                    Stmt::Select(Box::new(self.select()?))
                }
                _ => return Err(self.error_here()),
            };
            body.push(stmt);
            // At the end of input SQLite feeds a `;`, which is valid here, so
            // an error deferred by the command stands.
            if self.at(Tk::Eof) {
                if let Some(e) = self.take_error() {
                    return Err(e);
                }
            }
            self.expect(Tk::Semi)?;
            if self.eat_kw(Keyword::End) {
                return Ok(body);
            }
        }
    }

    fn create_virtual_table(&mut self) -> R<Stmt> {
        self.expect_kw(Keyword::Virtual)?;
        self.expect_kw(Keyword::Table)?;
        let if_not_exists = self.if_not_exists()?;
        let name = self.qualified_name()?;
        self.expect_kw(Keyword::Using)?;
        let module = self.nm()?;
        let args = if self.eat(Tk::LParen) {
            Some(self.module_args()?)
        } else {
            None
        };
        Ok(Stmt::CreateVirtualTable(Box::new(CreateVirtualTable {
            if_not_exists,
            name,
            module,
            args,
        })))
    }

    /// Any tokens, with balanced parentheses, split on top-level commas.
    fn module_args(&mut self) -> R<Vec<String>> {
        let mut args = Vec::new();
        let mut depth = 0u32;
        let mut span: Option<(usize, usize)> = None;
        loop {
            let t = self.cur();
            match t.kind {
                Tk::Eof | Tk::Illegal => return Err(self.error_here()),
                Tk::RParen if depth == 0 => {
                    self.bump();
                    args.push(span.map_or(String::new(), |(s, e)| self.sql[s..e].to_string()));
                    return Ok(args);
                }
                Tk::Comma if depth == 0 => {
                    self.bump();
                    args.push(
                        span.take()
                            .map_or(String::new(), |(s, e)| self.sql[s..e].to_string()),
                    );
                    continue;
                }
                Tk::LParen => depth += 1,
                Tk::RParen => depth -= 1,
                _ => {}
            }
            self.bump();
            span = Some((span.map_or(t.start, |s| s.0), t.end));
        }
    }

    pub(crate) fn drop(&mut self) -> R<Stmt> {
        self.expect_kw(Keyword::Drop)?;
        let kind = match self.cur().kind {
            Tk::Kw(Keyword::Table) => ObjectKind::Table,
            Tk::Kw(Keyword::Index) => ObjectKind::Index,
            Tk::Kw(Keyword::View) => ObjectKind::View,
            Tk::Kw(Keyword::Trigger) => ObjectKind::Trigger,
            _ => return Err(self.error_here()),
        };
        self.bump();
        let if_exists = self.if_exists()?;
        let name = self.qualified_name()?;
        Ok(Stmt::Drop {
            kind,
            if_exists,
            name,
        })
    }

    pub(crate) fn alter(&mut self) -> R<Stmt> {
        self.expect_kw(Keyword::Alter)?;
        self.expect_kw(Keyword::Table)?;
        let table = self.qualified_name()?;
        let action = match self.cur().kind {
            Tk::Kw(Keyword::Rename) => {
                self.bump();
                if self.eat_kw(Keyword::To) {
                    AlterAction::RenameTo(self.nm()?)
                } else {
                    self.eat_kw(Keyword::Column);
                    let old = self.nm()?;
                    self.expect_kw(Keyword::To)?;
                    AlterAction::RenameColumn {
                        old,
                        new: self.nm()?,
                    }
                }
            }
            Tk::Kw(Keyword::Add) => {
                self.bump();
                match self.cur().kind {
                    Tk::Kw(Keyword::Constraint) => {
                        self.bump();
                        let name = Some(self.nm()?);
                        self.add_check(name)?
                    }
                    Tk::Kw(Keyword::Check) => self.add_check(None)?,
                    _ => {
                        self.eat_kw(Keyword::Column);
                        AlterAction::AddColumn(self.column_def()?)
                    }
                }
            }
            Tk::Kw(Keyword::Drop) => {
                self.bump();
                if self.eat_kw(Keyword::Constraint) {
                    AlterAction::DropConstraint(self.nm()?)
                } else {
                    self.eat_kw(Keyword::Column);
                    AlterAction::DropColumn(self.nm()?)
                }
            }
            Tk::Kw(Keyword::Alter) => {
                self.bump();
                self.eat_kw(Keyword::Column);
                let column = self.nm()?;
                if self.eat_kw(Keyword::Set) {
                    self.expect_kw(Keyword::Not)?;
                    self.expect_kw(Keyword::Null)?;
                    AlterAction::SetNotNull {
                        column,
                        conflict: self.onconf()?,
                    }
                } else {
                    self.expect_kw(Keyword::Drop)?;
                    self.expect_kw(Keyword::Not)?;
                    self.expect_kw(Keyword::Null)?;
                    AlterAction::DropNotNull(column)
                }
            }
            _ => return Err(self.error_here()),
        };
        Ok(Stmt::AlterTable(Box::new(AlterTable { table, action })))
    }

    fn add_check(&mut self, name: Option<Name>) -> R<AlterAction> {
        self.expect_kw(Keyword::Check)?;
        self.expect(Tk::LParen)?;
        let expr = self.expr()?;
        self.expect(Tk::RParen)?;
        let conflict = self.onconf()?;
        Ok(AlterAction::AddCheck {
            name,
            expr,
            conflict,
        })
    }

    pub(crate) fn begin(&mut self) -> R<Stmt> {
        self.expect_kw(Keyword::Begin)?;
        let mode = match self.cur().kind {
            Tk::Kw(Keyword::Deferred) => Some(TransactionMode::Deferred),
            Tk::Kw(Keyword::Immediate) => Some(TransactionMode::Immediate),
            Tk::Kw(Keyword::Exclusive) => Some(TransactionMode::Exclusive),
            Tk::Id if self.text(self.cur()).eq_ignore_ascii_case("concurrent") => {
                Some(TransactionMode::Concurrent)
            }
            _ => None,
        };
        if mode.is_some() {
            self.bump();
        }
        let name = self.trans_opt()?;
        Ok(Stmt::Begin { mode, name })
    }

    /// `[TRANSACTION [nm]]`
    pub(crate) fn trans_opt(&mut self) -> R<Option<Name>> {
        if self.eat_kw(Keyword::Transaction) && self.is_nm(self.cur().kind) {
            return Ok(Some(self.nm()?));
        }
        Ok(None)
    }

    pub(crate) fn rollback(&mut self) -> R<Stmt> {
        self.expect_kw(Keyword::Rollback)?;
        self.trans_opt()?;
        let savepoint = if self.eat_kw(Keyword::To) {
            self.eat_kw(Keyword::Savepoint);
            Some(self.nm()?)
        } else {
            None
        };
        Ok(Stmt::Rollback { savepoint })
    }

    pub(crate) fn pragma(&mut self) -> R<Stmt> {
        self.expect_kw(Keyword::Pragma)?;
        let name = self.qualified_name()?;
        let value = if self.eat(Tk::Eq) {
            Some(PragmaValue::Assign(self.pragma_value()?))
        } else if self.eat(Tk::LParen) {
            let v = self.pragma_value()?;
            self.expect(Tk::RParen)?;
            Some(PragmaValue::Call(v))
        } else {
            None
        };
        Ok(Stmt::Pragma(Box::new(Pragma { name, value })))
    }

    /// `nmnum` or `minus_num`, as written.
    fn pragma_value(&mut self) -> R<String> {
        let t = self.cur();
        match t.kind {
            Tk::Plus | Tk::Minus | Tk::Integer | Tk::Float => self.signed_number(),
            Tk::Kw(Keyword::On | Keyword::Delete | Keyword::Default) => {
                self.bump();
                Ok(self.text(t).to_string())
            }
            k if self.is_nm(k) => {
                self.bump();
                Ok(self.text(t).to_string())
            }
            _ => Err(self.error_here()),
        }
    }

    pub(crate) fn attach(&mut self) -> R<Stmt> {
        self.expect_kw(Keyword::Attach)?;
        self.eat_kw(Keyword::Database);
        let expr = self.expr()?;
        self.expect_kw(Keyword::As)?;
        let schema = self.expr()?;
        let key = self.expr_after(Keyword::Key)?;
        Ok(Stmt::Attach(Box::new(Attach { expr, schema, key })))
    }

    pub(crate) fn vacuum(&mut self) -> R<Stmt> {
        self.expect_kw(Keyword::Vacuum)?;
        let schema = if self.is_nm(self.cur().kind) {
            Some(self.nm()?)
        } else {
            None
        };
        let into = self.expr_after(Keyword::Into)?;
        Ok(Stmt::Vacuum { schema, into })
    }
}

/// SQLite drops a trailing "GENERATED ALWAYS" (or "ALWAYS") that its
/// grammar swallowed into a type name of at least 16 bytes.
fn strip_generated_always(t: &mut TypeName) {
    if !t.args.is_empty() || t.name.len() < 16 {
        return;
    }
    let mut words: Vec<&str> = t.name.split(' ').collect();
    if words
        .last()
        .is_some_and(|w| w.eq_ignore_ascii_case("always"))
    {
        words.pop();
        if words
            .last()
            .is_some_and(|w| w.eq_ignore_ascii_case("generated"))
        {
            words.pop();
        }
        t.name = words.join(" ");
    }
}
