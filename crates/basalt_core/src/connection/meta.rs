//! Declared facts about a table's column (`sqlite3_table_column_metadata`), read from the
//! connection's catalog.
//!
//! Invariant: answers come from the catalog as the connection last loaded it, as SQLite's do
//! from its schema cache; nothing is read from the file.

use super::Connection;
use crate::error::{Error, ErrorCode, Result};
use crate::schema::Db;
use std::rc::Rc;

/// What SQLite reports about a column: declared type (`None` when there is none), collation
/// name, NOT NULL, part of the PRIMARY KEY, AUTOINCREMENT.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ColumnMeta {
    pub declared_type: Option<String>,
    pub collation: String,
    pub not_null: bool,
    pub primary_key: bool,
    pub autoincrement: bool,
}

/// The names a table's rowid answers to when no column takes them.
fn is_rowid_name(name: &str) -> bool {
    ["rowid", "oid", "_rowid_"]
        .iter()
        .any(|r| r.eq_ignore_ascii_case(name))
}

impl Connection {
    /// The facts of `column` of `table` (in `db`, or the first database that has it); with no
    /// column, only whether the table exists (then the facts are a bare rowid's, as SQLite's). SQLITE_ERROR "no such table column: t.c" when either is missing.
    pub fn column_meta(
        &self,
        db: Option<Db>,
        table: &str,
        column: Option<&str>,
    ) -> Result<ColumnMeta> {
        let catalog = Rc::clone(&self.inner.borrow().catalog);
        let missing = || {
            Error::new(
                ErrorCode::Error,
                format!("no such table column: {table}.{}", column.unwrap_or("")),
            )
        };
        let t = catalog.table_in(db, table).ok_or_else(missing)?;
        let index = match column {
            // Only the table's existence is asked: SQLite then describes a bare rowid.
            None => None,
            Some(name) => match t.column_index(name) {
                Some(i) => Some(i),
                None if is_rowid_name(name) => t.rowid_alias,
                None => return Err(missing()),
            },
        };
        let Some(c) = index.and_then(|i| t.columns.get(i)) else {
            // The rowid itself, with no column declaring it.
            return Ok(ColumnMeta {
                declared_type: Some("INTEGER".into()),
                collation: "BINARY".into(),
                not_null: false,
                primary_key: true,
                autoincrement: false,
            });
        };
        Ok(ColumnMeta {
            declared_type: (!c.declared_type.is_empty()).then(|| c.declared_type.clone()),
            collation: c.collation_name.clone().unwrap_or_else(|| "BINARY".into()),
            not_null: c.not_null,
            primary_key: c.primary_key,
            autoincrement: t.autoincrement && index == t.rowid_alias,
        })
    }
}
