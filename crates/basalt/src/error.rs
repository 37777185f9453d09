//! The one error type of the public API.
//!
//! Errors raised by the database carry SQLite's result codes and SQLite's message, so that code
//! written against SQLite's codes (`SQLITE_BUSY`, `SQLITE_CONSTRAINT`, …) keeps working; the
//! other variants are mistakes caught by this crate before or after the database ran (a column
//! that does not exist, a value that does not fit the requested Rust type).

use crate::value::Type;
use std::fmt;

/// SQLite's primary result codes (the low byte of an extended code).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorCode {
    Error,
    Internal,
    Perm,
    Abort,
    Busy,
    Locked,
    NoMem,
    ReadOnly,
    Interrupt,
    IoErr,
    Corrupt,
    NotFound,
    Full,
    CantOpen,
    Protocol,
    Schema,
    TooBig,
    Constraint,
    Mismatch,
    Misuse,
    NoLfs,
    Auth,
    Range,
    NotADb,
}

impl ErrorCode {
    /// The numeric value SQLite uses (`SQLITE_BUSY` is 5).
    pub fn as_i32(self) -> i32 {
        match self {
            ErrorCode::Error => 1,
            ErrorCode::Internal => 2,
            ErrorCode::Perm => 3,
            ErrorCode::Abort => 4,
            ErrorCode::Busy => 5,
            ErrorCode::Locked => 6,
            ErrorCode::NoMem => 7,
            ErrorCode::ReadOnly => 8,
            ErrorCode::Interrupt => 9,
            ErrorCode::IoErr => 10,
            ErrorCode::Corrupt => 11,
            ErrorCode::NotFound => 12,
            ErrorCode::Full => 13,
            ErrorCode::CantOpen => 14,
            ErrorCode::Protocol => 15,
            ErrorCode::Schema => 17,
            ErrorCode::TooBig => 18,
            ErrorCode::Constraint => 19,
            ErrorCode::Mismatch => 20,
            ErrorCode::Misuse => 21,
            ErrorCode::NoLfs => 22,
            ErrorCode::Auth => 23,
            ErrorCode::Range => 25,
            ErrorCode::NotADb => 26,
        }
    }

    fn from_core(code: basalt_core::ErrorCode) -> ErrorCode {
        use basalt_core::ErrorCode as C;
        match code {
            C::Error => ErrorCode::Error,
            // The engine's "retry later" signal is handled below this crate; should one ever
            // escape, it is an internal error, not something a user can act on.
            C::Internal | C::IoPending => ErrorCode::Internal,
            C::Perm => ErrorCode::Perm,
            C::Abort => ErrorCode::Abort,
            C::Busy => ErrorCode::Busy,
            C::Locked => ErrorCode::Locked,
            C::NoMem => ErrorCode::NoMem,
            C::ReadOnly => ErrorCode::ReadOnly,
            C::Interrupt => ErrorCode::Interrupt,
            C::IoErr => ErrorCode::IoErr,
            C::Corrupt => ErrorCode::Corrupt,
            C::NotFound => ErrorCode::NotFound,
            C::Full => ErrorCode::Full,
            C::CantOpen => ErrorCode::CantOpen,
            C::Protocol => ErrorCode::Protocol,
            C::Schema => ErrorCode::Schema,
            C::TooBig => ErrorCode::TooBig,
            C::Constraint => ErrorCode::Constraint,
            C::Mismatch => ErrorCode::Mismatch,
            C::Misuse => ErrorCode::Misuse,
            C::NoLfs => ErrorCode::NoLfs,
            C::Auth => ErrorCode::Auth,
            C::Range => ErrorCode::Range,
            C::NotADb => ErrorCode::NotADb,
        }
    }
}

/// Everything that can go wrong.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Error {
    /// The database refused: SQLite's result codes and message (`UNIQUE constraint failed: t.id`).
    Sqlite {
        code: ErrorCode,
        /// SQLite's extended code; equal to the primary code until the engine reports finer ones.
        extended_code: i32,
        message: String,
    },
    /// `row.get(i)` with `i` past the last column.
    InvalidColumnIndex(usize),
    /// `row.get("name")` with no column of that name.
    InvalidColumnName(String),
    /// The column's value has a type the requested Rust type cannot hold.
    InvalidColumnType {
        index: usize,
        name: String,
        found: Type,
        expected: &'static str,
    },
    /// An integer column that does not fit the requested integer type.
    IntegralValueOutOfRange { index: usize, value: i64 },
    /// A text column that is not valid UTF-8, read as a Rust string.
    Utf8 { index: usize },
    /// A parameter value SQLite cannot store (a `u64` above `i64::MAX`).
    ToSqlConversionFailure(String),
    /// A named parameter the statement does not have.
    InvalidParameterName(String),
    /// Positional parameters given do not match the statement's placeholders.
    InvalidParameterCount { expected: usize, given: usize },
    /// `prepare` was given more than one statement (use `execute_batch`).
    MultipleStatement,
    /// `query_row` found no row.
    QueryReturnedNoRows,
    /// Reading a row into a struct failed (the `serde` feature).
    Deserialize(String),
    /// A `Rows` whose statement was run again (or reset) since it was created.
    RowsOutdated,
    /// The connection's thread is gone (it panicked); the connection cannot be used.
    ConnectionClosed,
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// SQLite's primary code, for the errors that come from the database.
    pub fn sqlite_code(&self) -> Option<ErrorCode> {
        match self {
            Error::Sqlite { code, .. } => Some(*code),
            _ => None,
        }
    }

    /// An error of the database with the code's standard message.
    pub(crate) fn sqlite(code: ErrorCode, message: impl Into<String>) -> Error {
        Error::Sqlite {
            code,
            extended_code: code.as_i32(),
            message: message.into(),
        }
    }
}

impl Error {
    /// Not a `From` impl: the engine's error type stays out of the public API (and out of
    /// users' `?` inference).
    pub(crate) fn from_core(e: basalt_core::Error) -> Error {
        // The engine's `detail` is for its own logs and tests; SQLite shows only the message.
        Error::sqlite(ErrorCode::from_core(e.code), e.message)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Sqlite { message, .. } => f.write_str(message),
            Error::InvalidColumnIndex(i) => write!(f, "invalid column index: {i}"),
            Error::InvalidColumnName(name) => write!(f, "invalid column name: {name}"),
            Error::InvalidColumnType {
                index,
                name,
                found,
                expected,
            } => write!(
                f,
                "invalid column type {found} at index {index} (\"{name}\"): expected {expected}"
            ),
            Error::IntegralValueOutOfRange { index, value } => {
                write!(f, "integer {value} at index {index} is out of range")
            }
            Error::Utf8 { index } => write!(f, "text at index {index} is not valid UTF-8"),
            Error::ToSqlConversionFailure(why) => write!(f, "cannot bind parameter: {why}"),
            Error::InvalidParameterName(name) => write!(f, "invalid parameter name: {name}"),
            Error::InvalidParameterCount { expected, given } => write!(
                f,
                "wrong number of parameters: the statement has {expected}, {given} given"
            ),
            Error::MultipleStatement => {
                f.write_str("multiple statements given to prepare; use execute_batch")
            }
            Error::QueryReturnedNoRows => f.write_str("query returned no rows"),
            Error::Deserialize(why) => write!(f, "cannot read row: {why}"),
            Error::RowsOutdated => {
                f.write_str("rows read after their statement was run again or reset")
            }
            Error::ConnectionClosed => f.write_str("the connection is closed"),
        }
    }
}

impl std::error::Error for Error {}
