//! Errors in SQLite's vocabulary.
//!
//! Every error carries SQLite's primary result code, so that the layers above (the VM, the C API)
//! can report exactly what SQLite would. The message is the one SQLite shows to users
//! (`database disk image is malformed`, `database is locked`); `detail` says what was wrong, for
//! logs and tests, and never replaces the user-facing message.
//!
//! `ErrorCode::IoPending` is not an SQLite code: it is the signal of Basalt's restartable
//! operations (see ARCHITECTURE.md, "Waiting for I/O"). It never reaches a user.

use std::fmt;

/// SQLite's primary result codes, with their numeric values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(i32)]
pub enum ErrorCode {
    Error = 1,
    Internal = 2,
    Perm = 3,
    Abort = 4,
    Busy = 5,
    Locked = 6,
    NoMem = 7,
    ReadOnly = 8,
    Interrupt = 9,
    IoErr = 10,
    Corrupt = 11,
    NotFound = 12,
    Full = 13,
    CantOpen = 14,
    Protocol = 15,
    Schema = 17,
    TooBig = 18,
    Constraint = 19,
    Mismatch = 20,
    Misuse = 21,
    NoLfs = 22,
    Auth = 23,
    Range = 25,
    NotADb = 26,
    /// Not an SQLite code: an operation submitted I/O that has not completed; retry it later.
    IoPending = -1,
}

impl ErrorCode {
    /// The text `sqlite3_errstr` gives for this code.
    pub fn default_message(self) -> &'static str {
        match self {
            ErrorCode::Error => "SQL logic error",
            ErrorCode::Internal => "internal logic error",
            ErrorCode::Perm => "access permission denied",
            ErrorCode::Abort => "query aborted",
            ErrorCode::Busy => "database is locked",
            ErrorCode::Locked => "database table is locked",
            ErrorCode::NoMem => "out of memory",
            ErrorCode::ReadOnly => "attempt to write a readonly database",
            ErrorCode::Interrupt => "interrupted",
            ErrorCode::IoErr => "disk I/O error",
            ErrorCode::Corrupt => "database disk image is malformed",
            ErrorCode::NotFound => "unknown operation",
            ErrorCode::Full => "database or disk is full",
            ErrorCode::CantOpen => "unable to open database file",
            ErrorCode::Protocol => "locking protocol",
            ErrorCode::Schema => "database schema has changed",
            ErrorCode::TooBig => "string or blob too big",
            ErrorCode::Constraint => "constraint failed",
            ErrorCode::Mismatch => "datatype mismatch",
            ErrorCode::Misuse => "bad parameter or other API misuse",
            ErrorCode::NoLfs => "large file support is disabled",
            ErrorCode::Auth => "authorization denied",
            ErrorCode::Range => "column index out of range",
            ErrorCode::NotADb => "file is not a database",
            ErrorCode::IoPending => "I/O pending",
        }
    }
}

/// SQLite's extended result codes that the engine reports (`sqlite3_extended_errcode`): the
/// kind of a constraint failure.
pub mod extended {
    pub const CONSTRAINT_CHECK: i32 = 19 | (1 << 8);
    pub const CONSTRAINT_NOTNULL: i32 = 19 | (5 << 8);
    pub const CONSTRAINT_PRIMARYKEY: i32 = 19 | (6 << 8);
    pub const CONSTRAINT_UNIQUE: i32 = 19 | (8 << 8);
    pub const CONSTRAINT_ROWID: i32 = 19 | (10 << 8);
}

/// An error with SQLite's code, SQLite's user-facing message, and an optional detail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    pub code: ErrorCode,
    pub message: String,
    pub detail: Option<String>,
    /// SQLite's extended result code (see `extended`) when one refines `code`.
    pub extended_code: Option<i32>,
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Error {
        Error {
            code,
            message: message.into(),
            detail: None,
            extended_code: None,
        }
    }

    /// The same error, refined by an extended result code.
    pub fn with_extended_code(self, code: Option<i32>) -> Error {
        debug_assert!(code.is_none_or(|c| c & 0xff == self.code as i32));
        Error {
            extended_code: code,
            ..self
        }
    }

    /// An error whose message is the code's standard text.
    pub fn code(code: ErrorCode) -> Error {
        Error::new(code, code.default_message())
    }

    /// "database disk image is malformed", with what exactly was wrong as the detail.
    pub fn corrupt(detail: impl Into<String>) -> Error {
        Error {
            detail: Some(detail.into()),
            ..Error::code(ErrorCode::Corrupt)
        }
    }

    /// A disk I/O error, with the OS error as the detail.
    pub fn io(detail: impl Into<String>) -> Error {
        Error {
            detail: Some(detail.into()),
            ..Error::code(ErrorCode::IoErr)
        }
    }

    /// A feature Basalt does not have yet: always an error, never a silently wrong answer.
    pub fn not_supported(what: impl fmt::Display) -> Error {
        Error::new(
            ErrorCode::Error,
            format!("not supported by Basalt yet: {what}"),
        )
    }

    pub fn misuse(message: impl Into<String>) -> Error {
        Error::new(ErrorCode::Misuse, message)
    }

    pub fn io_pending() -> Error {
        Error::code(ErrorCode::IoPending)
    }

    pub fn is_io_pending(&self) -> bool {
        self.code == ErrorCode::IoPending
    }

    pub fn is_corrupt(&self) -> bool {
        self.code == ErrorCode::Corrupt
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)?;
        if let Some(detail) = &self.detail {
            write!(f, " ({detail})")?;
        }
        Ok(())
    }
}

impl std::error::Error for Error {}

impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Error {
        match e.raw_os_error() {
            Some(28) => Error {
                detail: Some(e.to_string()),
                ..Error::code(ErrorCode::Full)
            },
            _ => Error::io(e.to_string()),
        }
    }
}

/// Return early with a corruption error unless `cond` holds. For facts read from the file:
/// bad input is an error, never a panic.
#[macro_export]
macro_rules! ensure_sound {
    ($cond:expr, $($fmt:tt)+) => {
        if !$cond {
            return Err($crate::error::Error::corrupt(format!($($fmt)+)));
        }
    };
}
