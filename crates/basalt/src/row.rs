//! A result row: owned values plus the statement's column names.

use crate::error::{Error, Result};
use crate::value::{FromSql, FromSqlError, Value, ValueRef};
use basalt_core::record::Value as CoreValue;
use std::sync::Arc;

/// One row of a query's result. It owns its values, so it outlives the `Rows` it came from.
#[derive(Debug, Clone)]
pub struct Row {
    pub(crate) columns: Arc<[String]>,
    pub(crate) values: Vec<CoreValue>,
}

/// A column given by index (`0`) or by name (`"id"`, matched ignoring ASCII case, as SQLite
/// does).
pub trait RowIndex {
    fn index(&self, columns: &[String]) -> Result<usize>;
}

impl RowIndex for usize {
    fn index(&self, columns: &[String]) -> Result<usize> {
        if *self < columns.len() {
            Ok(*self)
        } else {
            Err(Error::InvalidColumnIndex(*self))
        }
    }
}

impl RowIndex for &str {
    fn index(&self, columns: &[String]) -> Result<usize> {
        columns
            .iter()
            .position(|c| c.eq_ignore_ascii_case(self))
            .ok_or_else(|| Error::InvalidColumnName((*self).to_owned()))
    }
}

impl Row {
    /// The value of a column as `T`; a type that does not fit is an error naming the column.
    ///
    /// ```
    /// # fn main() -> basalt::Result<()> {
    /// let conn = basalt::blocking::Connection::open(":memory:")?;
    /// let row = conn.query_row("SELECT 1 AS id, 'Ada' AS name, NULL AS note", ())?;
    /// assert_eq!(row.get::<i64>(0)?, 1);
    /// assert_eq!(row.get::<String>("name")?, "Ada");
    /// assert_eq!(row.get::<Option<String>>("note")?, None);
    /// let err = row.get::<i64>("name").unwrap_err();
    /// assert_eq!(
    ///     err.to_string(),
    ///     "invalid column type TEXT at index 1 (\"name\"): expected i64"
    /// );
    /// # Ok(())
    /// # }
    /// ```
    pub fn get<T: FromSql>(&self, idx: impl RowIndex) -> Result<T> {
        let index = idx.index(&self.columns)?;
        let value = self.value_ref(index);
        T::from_sql(value).map_err(|e| match e {
            FromSqlError::InvalidType(expected) => Error::InvalidColumnType {
                index,
                name: self.columns[index].clone(),
                found: value.data_type(),
                expected,
            },
            FromSqlError::OutOfRange(value) => Error::IntegralValueOutOfRange { index, value },
            FromSqlError::Utf8 => Error::Utf8 { index },
        })
    }

    /// The value of a column, borrowed.
    pub fn get_ref(&self, idx: impl RowIndex) -> Result<ValueRef<'_>> {
        Ok(self.value_ref(idx.index(&self.columns)?))
    }

    /// The value of a column, owned (invalid UTF-8 in text is an error, as with `String`).
    pub fn get_value(&self, idx: impl RowIndex) -> Result<Value> {
        self.get(idx)
    }

    pub fn column_count(&self) -> usize {
        self.columns.len()
    }

    pub fn column_name(&self, index: usize) -> Option<&str> {
        self.columns.get(index).map(String::as_str)
    }

    pub fn column_names(&self) -> &[String] {
        &self.columns
    }

    /// `index` is in range: callers resolved it through `RowIndex` (a row has one value per
    /// column); a short row reads as NULL rather than panicking.
    fn value_ref(&self, index: usize) -> ValueRef<'_> {
        self.values
            .get(index)
            .map_or(ValueRef::Null, ValueRef::from_core)
    }
}
