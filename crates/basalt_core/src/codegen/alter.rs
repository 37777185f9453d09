//! ALTER TABLE. Only `ADD COLUMN` so far; the other forms are refused as not supported.
//!
//! `ADD COLUMN` rewrites no row, as in SQLite: the column definition, as written in the
//! statement, goes into the table's CREATE text at the end of its column list (before the
//! table constraints), and existing rows, whose records now stop short, read the column's
//! DEFAULT (`short_records.rs`). That is only sound for a DEFAULT SQLite can evaluate without
//! running code, hence SQLite's restrictions, enforced here with its messages.

use super::ddl::{is_schema_table_name, RootValue};
use super::short_records::constant_default;
use super::{error, Ctx};
use crate::catalog::Table;
use crate::error::Result;
use crate::pager::PageNo;
use crate::schema::Db;
use crate::sql::affinity::Affinity;
use crate::vdbe::Insn;
use basalt_parser::ast::{self, ColumnConstraint};
use basalt_parser::keywords::Keyword;
use basalt_parser::lexer::{tokenize, Tk};
use std::rc::Rc;

impl Ctx<'_> {
    pub fn alter_table(
        &mut self,
        alter: &ast::AlterTable,
        statement: &ast::Statement,
    ) -> Result<()> {
        match &alter.action {
            ast::AlterAction::AddColumn(column) => self.add_column(alter, column, statement),
            ast::AlterAction::RenameTo(_) => Err(crate::error::Error::not_supported(
                "ALTER TABLE ... RENAME TO",
            )),
            ast::AlterAction::RenameColumn { .. } => Err(crate::error::Error::not_supported(
                "ALTER TABLE ... RENAME COLUMN",
            )),
            ast::AlterAction::DropColumn(_) => Err(crate::error::Error::not_supported(
                "ALTER TABLE ... DROP COLUMN",
            )),
            _ => Err(crate::error::Error::not_supported(
                "this form of ALTER TABLE",
            )),
        }
    }

    /// The table an ALTER TABLE names, with SQLite's refusals.
    fn table_to_alter(&self, name: &ast::QualifiedName) -> Result<Rc<Table>> {
        let n = &name.name.value;
        let schema = match &name.schema {
            Some(s) => Some(
                Db::from_name(&s.value)
                    .ok_or_else(|| error(format!("no such table: {}.{n}", s.value)))?,
            ),
            None => None,
        };
        if let Some(db) = Db::ALL.into_iter().find(|&db| is_schema_table_name(db, n)) {
            let table = db.schema_table_name();
            return Err(error(format!("table {table} may not be altered")));
        }
        if let Some(table) = self.catalog.table_in(schema, n) {
            if table.name.to_ascii_lowercase().starts_with("sqlite_") {
                return Err(error(format!("table {} may not be altered", table.name)));
            }
            return Ok(table.clone());
        }
        if self.catalog.view_in(schema, n).is_some() {
            return Err(error("Cannot add a column to a view"));
        }
        Err(error(match &name.schema {
            Some(s) => format!("no such table: {}.{n}", s.value),
            None => format!("no such table: {n}"),
        }))
    }

    fn add_column(
        &mut self,
        alter: &ast::AlterTable,
        column: &ast::ColumnDef,
        statement: &ast::Statement,
    ) -> Result<()> {
        let table = self.table_to_alter(&alter.table)?;
        if table.unsupported.is_some() || table.has_generated_columns() {
            return Err(crate::error::Error::not_supported(
                "ALTER TABLE on this table",
            ));
        }
        let name = &column.name.value;
        if table.column_index(name).is_some() {
            return Err(error(format!("duplicate column name: {name}")));
        }
        check_new_column(column)?;
        let entry = self
            .catalog
            .get(table.db)
            .schema
            .find(&table.name)
            .cloned()
            .ok_or_else(|| error(format!("no such table: {}", table.name)))?;
        let old_sql = entry.sql.clone().unwrap_or_default();
        let definition = self
            .sql
            .get(column.name.span.start..statement.span.end)
            .unwrap_or_default()
            .trim_end_matches(|c: char| c == ';' || c.is_ascii_whitespace());
        let at = end_of_column_list(&old_sql).ok_or_else(|| {
            crate::error::Error::corrupt(format!("malformed CREATE TABLE text of {}", table.name))
        })?;
        let new_sql = format!("{}, {definition}{}", &old_sql[..at], &old_sql[at..]);
        self.writes = true;
        self.rewrite_schema_row(
            table.db,
            entry.rowid,
            entry.kind.as_str(),
            &entry.name,
            &entry.table_name,
            entry.root_page,
            &new_sql,
        );
        self.b.emit(Insn::SchemaChanged { db: table.db });
        Ok(())
    }

    /// Replaces the schema row `rowid` of `db` with the given columns, under the same rowid.
    #[allow(clippy::too_many_arguments)]
    fn rewrite_schema_row(
        &mut self,
        db: Db,
        rowid: i64,
        kind: &str,
        name: &str,
        table: &str,
        root: PageNo,
        sql: &str,
    ) {
        let root = RootValue::Page(root);
        let (cursor, regs) = self.schema_row_values(db, kind, name, table, root, Some(sql));
        let record = self.b.reg();
        self.b.emit(Insn::MakeRecord {
            start: regs,
            count: 5,
            dest: record,
        });
        let id = self.b.reg();
        self.b.emit(Insn::Integer {
            value: rowid,
            dest: id,
        });
        self.b.emit(Insn::Insert {
            cursor,
            record,
            rowid: id,
            count_change: false,
            last_rowid: false,
            hook: None,
        });
    }
}

/// SQLite's refusals for a column added to a table that may hold rows.
fn check_new_column(column: &ast::ColumnDef) -> Result<()> {
    let affinity = Affinity::of_column(column.type_name.as_ref().map(|t| t.name.as_str()));
    let mut default = None;
    let mut not_null = false;
    for constraint in &column.constraints {
        match constraint {
            ColumnConstraint::PrimaryKey { .. } => {
                return Err(error("Cannot add a PRIMARY KEY column"))
            }
            ColumnConstraint::Unique { .. } => return Err(error("Cannot add a UNIQUE column")),
            ColumnConstraint::Generated {
                storage: Some(ast::GeneratedStorage::Stored),
                ..
            } => return Err(error("cannot add a STORED column")),
            ColumnConstraint::Generated { .. } => {
                return Err(crate::error::Error::not_supported("generated columns"))
            }
            ColumnConstraint::Check(_) => {
                return Err(crate::error::Error::not_supported(
                    "ALTER TABLE ADD COLUMN with a CHECK constraint",
                ))
            }
            ColumnConstraint::Collate(name)
                if crate::record::Collation::from_name(&name.value).is_none() =>
            {
                return Err(error(format!("no such collation sequence: {}", name.value)));
            }
            ColumnConstraint::NotNull { .. } => not_null = true,
            ColumnConstraint::Default { expr, .. } => default = Some(expr),
            _ => {}
        }
    }
    let value = match default {
        Some(expr) => Some(
            constant_default(expr, affinity)
                .ok_or_else(|| error("Cannot add a column with non-constant default"))?,
        ),
        None => None,
    };
    if not_null
        && value
            .as_ref()
            .is_none_or(|v| matches!(v, crate::record::Value::Null))
    {
        return Err(error(
            "Cannot add a NOT NULL column with default value NULL",
        ));
    }
    Ok(())
}

/// Where a column definition goes in a CREATE TABLE text: at the comma that starts the table
/// constraints, else at the parenthesis that closes the column list (SQLite's `addColOffset`).
fn end_of_column_list(sql: &str) -> Option<usize> {
    let tokens = tokenize(sql);
    let open = tokens.iter().position(|t| t.kind == Tk::LParen)?;
    let mut depth = 0usize;
    for (i, token) in tokens.iter().enumerate().skip(open) {
        match token.kind {
            Tk::LParen => depth += 1,
            Tk::RParen => {
                depth -= 1;
                if depth == 0 {
                    return Some(token.start);
                }
            }
            Tk::Comma if depth == 1 => {
                let next = tokens.get(i + 1).map(|t| t.kind);
                if matches!(
                    next,
                    Some(Tk::Kw(
                        Keyword::Constraint
                            | Keyword::Primary
                            | Keyword::Unique
                            | Keyword::Check
                            | Keyword::Foreign
                    ))
                ) {
                    return Some(token.start);
                }
            }
            Tk::Eof | Tk::Illegal => return None,
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::end_of_column_list;

    #[test]
    fn the_column_list_ends_before_table_constraints() {
        let cases = [
            ("CREATE TABLE t(a)", "CREATE TABLE t(a"),
            (
                "CREATE TABLE t(a, b CHECK(b > (1)), UNIQUE(a))",
                "CREATE TABLE t(a, b CHECK(b > (1))",
            ),
            (
                "CREATE TABLE \"x(\"(a DEFAULT ')'  , CONSTRAINT c CHECK(a))",
                "CREATE TABLE \"x(\"(a DEFAULT ')'  ",
            ),
            (
                "CREATE TABLE t(a /* ) */ , b)",
                "CREATE TABLE t(a /* ) */ , b",
            ),
        ];
        for (sql, before) in cases {
            assert_eq!(end_of_column_list(sql), Some(before.len()), "{sql}");
        }
        assert_eq!(end_of_column_list("CREATE TABLE t(a"), None);
    }
}
