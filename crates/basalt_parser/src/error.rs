//! Parse errors carrying SQLite's exact message text.
//!
//! Invariant: `message` is byte-for-byte what `sqlite3_errmsg` reports for
//! the same input when the failure is a parse failure; `offset` is the byte
//! offset of the offending token (the input length for `incomplete input`).

use std::fmt;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Error {
    pub message: String,
    pub offset: usize,
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}
