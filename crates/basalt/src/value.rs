//! Values in and out of the database, with SQLite's five storage classes.
//!
//! Conversions follow SQLite's rules rather than Rust's convenience: `bool` is stored as the
//! integer 0 or 1; an unsigned integer above `i64::MAX` cannot be stored and is an error, never a
//! silent wrap; reading a `REAL` as an integer is a type error (SQLite itself would truncate, which
//! hides bugs), while reading an `INTEGER` as `f64` is allowed because it is exact up to 2^53.

use crate::error::{Error, Result};
use basalt_core::record::Value as CoreValue;
use std::fmt;

/// SQLite's storage classes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Type {
    Null,
    Integer,
    Real,
    Text,
    Blob,
}

impl fmt::Display for Type {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Type::Null => "NULL",
            Type::Integer => "INTEGER",
            Type::Real => "REAL",
            Type::Text => "TEXT",
            Type::Blob => "BLOB",
        })
    }
}

/// An owned value.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Integer(i64),
    Real(f64),
    Text(String),
    Blob(Vec<u8>),
}

/// A value borrowed from a row. Text is bytes: the database stores whatever it was given, and a
/// text that is not UTF-8 is only an error when read as a Rust string.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ValueRef<'a> {
    Null,
    Integer(i64),
    Real(f64),
    Text(&'a [u8]),
    Blob(&'a [u8]),
}

impl Value {
    pub fn data_type(&self) -> Type {
        self.as_ref().data_type()
    }

    pub fn as_ref(&self) -> ValueRef<'_> {
        match self {
            Value::Null => ValueRef::Null,
            Value::Integer(i) => ValueRef::Integer(*i),
            Value::Real(r) => ValueRef::Real(*r),
            Value::Text(s) => ValueRef::Text(s.as_bytes()),
            Value::Blob(b) => ValueRef::Blob(b),
        }
    }

    pub(crate) fn into_core(self) -> CoreValue {
        match self {
            Value::Null => CoreValue::Null,
            Value::Integer(i) => CoreValue::Integer(i),
            Value::Real(r) => CoreValue::Real(r),
            Value::Text(s) => CoreValue::Text(s.into_bytes()),
            Value::Blob(b) => CoreValue::Blob(b),
        }
    }
}

impl<'a> ValueRef<'a> {
    pub fn data_type(&self) -> Type {
        match self {
            ValueRef::Null => Type::Null,
            ValueRef::Integer(_) => Type::Integer,
            ValueRef::Real(_) => Type::Real,
            ValueRef::Text(_) => Type::Text,
            ValueRef::Blob(_) => Type::Blob,
        }
    }

    pub(crate) fn from_core(v: &'a CoreValue) -> ValueRef<'a> {
        match v {
            CoreValue::Null => ValueRef::Null,
            CoreValue::Integer(i) => ValueRef::Integer(*i),
            CoreValue::Real(r) => ValueRef::Real(*r),
            CoreValue::Text(t) => ValueRef::Text(t),
            CoreValue::Blob(b) => ValueRef::Blob(b),
        }
    }

    /// An owned copy; text that is not UTF-8 is repaired with U+FFFD (read it as `Vec<u8>` to
    /// keep the bytes).
    pub fn to_owned(&self) -> Value {
        match *self {
            ValueRef::Null => Value::Null,
            ValueRef::Integer(i) => Value::Integer(i),
            ValueRef::Real(r) => Value::Real(r),
            ValueRef::Text(t) => Value::Text(String::from_utf8_lossy(t).into_owned()),
            ValueRef::Blob(b) => Value::Blob(b.to_vec()),
        }
    }
}

macro_rules! value_from {
    ($($t:ty => |$v:ident| $e:expr),* $(,)?) => {$(
        impl From<$t> for Value {
            fn from($v: $t) -> Value {
                $e
            }
        }
    )*};
}

value_from! {
    i8 => |v| Value::Integer(v.into()),
    i16 => |v| Value::Integer(v.into()),
    i32 => |v| Value::Integer(v.into()),
    i64 => |v| Value::Integer(v),
    u8 => |v| Value::Integer(v.into()),
    u16 => |v| Value::Integer(v.into()),
    u32 => |v| Value::Integer(v.into()),
    bool => |v| Value::Integer(v.into()),
    f32 => |v| Value::Real(v.into()),
    f64 => |v| Value::Real(v),
    String => |v| Value::Text(v),
    &str => |v| Value::Text(v.to_owned()),
    Vec<u8> => |v| Value::Blob(v),
    &[u8] => |v| Value::Blob(v.to_vec()),
}

impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(v: Option<T>) -> Value {
        v.map_or(Value::Null, Into::into)
    }
}

macro_rules! value_try_from_wide {
    ($($t:ty),*) => {$(
        impl TryFrom<$t> for Value {
            type Error = Error;
            fn try_from(v: $t) -> Result<Value> {
                i64::try_from(v).map(Value::Integer).map_err(|_| {
                    Error::ToSqlConversionFailure(format!(
                        "{v} does not fit SQLite's 64-bit signed integer"
                    ))
                })
            }
        }
    )*};
}

value_try_from_wide!(u64, usize, isize, i128, u128);

/// A Rust value that can be bound to a statement parameter.
///
/// Implemented for the integer types, `f32`/`f64`, `bool`, `String`/`&str`, `Vec<u8>`/`&[u8]`,
/// [`Value`], [`ValueRef`], `Option<T>` (`None` is NULL) and references to these.
pub trait ToSql {
    fn to_sql(&self) -> Result<Value>;
}

macro_rules! to_sql_copy {
    ($($t:ty),*) => {$(
        impl ToSql for $t {
            fn to_sql(&self) -> Result<Value> {
                Ok(Value::from(*self))
            }
        }
    )*};
}

macro_rules! to_sql_wide {
    ($($t:ty),*) => {$(
        impl ToSql for $t {
            fn to_sql(&self) -> Result<Value> {
                Value::try_from(*self)
            }
        }
    )*};
}

to_sql_copy!(i8, i16, i32, i64, u8, u16, u32, bool, f32, f64);
to_sql_wide!(u64, usize, isize, i128, u128);

impl ToSql for str {
    fn to_sql(&self) -> Result<Value> {
        Ok(Value::Text(self.to_owned()))
    }
}

impl ToSql for String {
    fn to_sql(&self) -> Result<Value> {
        Ok(Value::Text(self.clone()))
    }
}

impl ToSql for [u8] {
    fn to_sql(&self) -> Result<Value> {
        Ok(Value::Blob(self.to_vec()))
    }
}

impl ToSql for Vec<u8> {
    fn to_sql(&self) -> Result<Value> {
        Ok(Value::Blob(self.clone()))
    }
}

impl<const N: usize> ToSql for [u8; N] {
    fn to_sql(&self) -> Result<Value> {
        Ok(Value::Blob(self.to_vec()))
    }
}

impl ToSql for Value {
    fn to_sql(&self) -> Result<Value> {
        Ok(self.clone())
    }
}

impl ToSql for ValueRef<'_> {
    fn to_sql(&self) -> Result<Value> {
        // Bytes bound as text stay bytes: the engine stores text as given.
        Ok(match *self {
            ValueRef::Text(t) => match std::str::from_utf8(t) {
                Ok(s) => Value::Text(s.to_owned()),
                Err(_) => Value::Blob(t.to_vec()),
            },
            other => other.to_owned(),
        })
    }
}

impl<T: ToSql> ToSql for Option<T> {
    fn to_sql(&self) -> Result<Value> {
        self.as_ref().map_or(Ok(Value::Null), ToSql::to_sql)
    }
}

impl<T: ToSql + ?Sized> ToSql for &T {
    fn to_sql(&self) -> Result<Value> {
        (**self).to_sql()
    }
}

impl<T: ToSql + ?Sized> ToSql for Box<T> {
    fn to_sql(&self) -> Result<Value> {
        (**self).to_sql()
    }
}

/// Why a column could not be read as a Rust type; [`crate::Row::get`] adds the column.
#[derive(Debug, Clone, PartialEq)]
pub enum FromSqlError {
    /// The storage class does not fit; the `&str` names the Rust type wanted.
    InvalidType(&'static str),
    OutOfRange(i64),
    Utf8,
}

/// A Rust type a column value can be read as.
///
/// NULL reads only as `Option<T>` (as `None`) or [`Value`]; use `Option<T>` for nullable
/// columns.
pub trait FromSql: Sized {
    fn from_sql(value: ValueRef<'_>) -> Result<Self, FromSqlError>;
}

macro_rules! from_sql_int {
    ($($t:ty),*) => {$(
        impl FromSql for $t {
            fn from_sql(value: ValueRef<'_>) -> Result<Self, FromSqlError> {
                match value {
                    ValueRef::Integer(i) => {
                        <$t>::try_from(i).map_err(|_| FromSqlError::OutOfRange(i))
                    }
                    _ => Err(FromSqlError::InvalidType(stringify!($t))),
                }
            }
        }
    )*};
}

from_sql_int!(i8, i16, i32, i64, u8, u16, u32, u64, usize, isize, i128, u128);

impl FromSql for bool {
    fn from_sql(value: ValueRef<'_>) -> Result<Self, FromSqlError> {
        match value {
            ValueRef::Integer(i) => Ok(i != 0),
            _ => Err(FromSqlError::InvalidType("bool")),
        }
    }
}

impl FromSql for f64 {
    fn from_sql(value: ValueRef<'_>) -> Result<Self, FromSqlError> {
        match value {
            ValueRef::Real(r) => Ok(r),
            // Exact up to 2^53, and what SQLite's column_double does.
            ValueRef::Integer(i) => Ok(i as f64),
            _ => Err(FromSqlError::InvalidType("f64")),
        }
    }
}

impl FromSql for f32 {
    fn from_sql(value: ValueRef<'_>) -> Result<Self, FromSqlError> {
        f64::from_sql(value)
            .map(|r| r as f32)
            .map_err(|_| FromSqlError::InvalidType("f32"))
    }
}

impl FromSql for String {
    fn from_sql(value: ValueRef<'_>) -> Result<Self, FromSqlError> {
        match value {
            ValueRef::Text(t) => String::from_utf8(t.to_vec()).map_err(|_| FromSqlError::Utf8),
            _ => Err(FromSqlError::InvalidType("String")),
        }
    }
}

impl FromSql for Vec<u8> {
    fn from_sql(value: ValueRef<'_>) -> Result<Self, FromSqlError> {
        match value {
            // Text's bytes are what sqlite3_column_blob returns for a text value.
            ValueRef::Blob(b) | ValueRef::Text(b) => Ok(b.to_vec()),
            _ => Err(FromSqlError::InvalidType("Vec<u8>")),
        }
    }
}

impl FromSql for Value {
    fn from_sql(value: ValueRef<'_>) -> Result<Self, FromSqlError> {
        match value {
            ValueRef::Text(t) => std::str::from_utf8(t)
                .map(|s| Value::Text(s.to_owned()))
                .map_err(|_| FromSqlError::Utf8),
            other => Ok(other.to_owned()),
        }
    }
}

impl<T: FromSql> FromSql for Option<T> {
    fn from_sql(value: ValueRef<'_>) -> Result<Self, FromSqlError> {
        match value {
            ValueRef::Null => Ok(None),
            other => T::from_sql(other).map(Some),
        }
    }
}
