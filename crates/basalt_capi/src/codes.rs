//! SQLite's result codes, type codes and flags, with the values of SQLite 3.54's `sqlite3.h`
//! (the C test prints each one from the header it was compiled with, so ours and SQLite's are
//! compared), and the text of `sqlite3_errstr`.

use basalt_core::{Error, ErrorCode};
use std::ffi::{c_char, c_int};

pub const SQLITE_OK: c_int = 0;
pub const SQLITE_ERROR: c_int = 1;
pub const SQLITE_INTERNAL: c_int = 2;
pub const SQLITE_PERM: c_int = 3;
pub const SQLITE_ABORT: c_int = 4;
pub const SQLITE_BUSY: c_int = 5;
pub const SQLITE_LOCKED: c_int = 6;
pub const SQLITE_NOMEM: c_int = 7;
pub const SQLITE_READONLY: c_int = 8;
pub const SQLITE_INTERRUPT: c_int = 9;
pub const SQLITE_IOERR: c_int = 10;
pub const SQLITE_CORRUPT: c_int = 11;
pub const SQLITE_NOTFOUND: c_int = 12;
pub const SQLITE_FULL: c_int = 13;
pub const SQLITE_CANTOPEN: c_int = 14;
pub const SQLITE_PROTOCOL: c_int = 15;
pub const SQLITE_EMPTY: c_int = 16;
pub const SQLITE_SCHEMA: c_int = 17;
pub const SQLITE_TOOBIG: c_int = 18;
pub const SQLITE_CONSTRAINT: c_int = 19;
pub const SQLITE_MISMATCH: c_int = 20;
pub const SQLITE_MISUSE: c_int = 21;
pub const SQLITE_NOLFS: c_int = 22;
pub const SQLITE_AUTH: c_int = 23;
pub const SQLITE_FORMAT: c_int = 24;
pub const SQLITE_RANGE: c_int = 25;
pub const SQLITE_NOTADB: c_int = 26;
pub const SQLITE_NOTICE: c_int = 27;
pub const SQLITE_WARNING: c_int = 28;
pub const SQLITE_ROW: c_int = 100;
pub const SQLITE_DONE: c_int = 101;

pub const SQLITE_ABORT_ROLLBACK: c_int = SQLITE_ABORT | (2 << 8);
pub const SQLITE_CONSTRAINT_CHECK: c_int = SQLITE_CONSTRAINT | (1 << 8);
pub const SQLITE_CONSTRAINT_FOREIGNKEY: c_int = SQLITE_CONSTRAINT | (3 << 8);
pub const SQLITE_CONSTRAINT_NOTNULL: c_int = SQLITE_CONSTRAINT | (5 << 8);
pub const SQLITE_CONSTRAINT_PRIMARYKEY: c_int = SQLITE_CONSTRAINT | (6 << 8);
pub const SQLITE_CONSTRAINT_TRIGGER: c_int = SQLITE_CONSTRAINT | (7 << 8);
pub const SQLITE_CONSTRAINT_UNIQUE: c_int = SQLITE_CONSTRAINT | (8 << 8);
pub const SQLITE_CONSTRAINT_ROWID: c_int = SQLITE_CONSTRAINT | (10 << 8);

pub const SQLITE_OPEN_READONLY: c_int = 0x0000_0001;
pub const SQLITE_OPEN_READWRITE: c_int = 0x0000_0002;
pub const SQLITE_OPEN_CREATE: c_int = 0x0000_0004;
pub const SQLITE_OPEN_URI: c_int = 0x0000_0040;
pub const SQLITE_OPEN_MEMORY: c_int = 0x0000_0080;
pub const SQLITE_OPEN_NOMUTEX: c_int = 0x0000_8000;
pub const SQLITE_OPEN_FULLMUTEX: c_int = 0x0001_0000;
pub const SQLITE_OPEN_SHAREDCACHE: c_int = 0x0002_0000;
pub const SQLITE_OPEN_PRIVATECACHE: c_int = 0x0004_0000;
pub const SQLITE_OPEN_NOFOLLOW: c_int = 0x0100_0000;
pub const SQLITE_OPEN_EXRESCODE: c_int = 0x0200_0000;

pub const SQLITE_INTEGER: c_int = 1;
pub const SQLITE_FLOAT: c_int = 2;
pub const SQLITE_TEXT: c_int = 3;
pub const SQLITE_BLOB: c_int = 4;
pub const SQLITE_NULL: c_int = 5;

/// `sqlite3_errstr`: the English text of a result code (primary or extended).
pub fn errstr(rc: c_int) -> &'static std::ffi::CStr {
    match rc {
        SQLITE_ROW => c"another row available",
        SQLITE_DONE => c"no more rows available",
        SQLITE_ABORT_ROLLBACK => c"abort due to ROLLBACK",
        _ => primary_text(rc & 0xff),
    }
}

fn primary_text(rc: c_int) -> &'static std::ffi::CStr {
    match rc {
        SQLITE_OK => c"not an error",
        SQLITE_ERROR => c"SQL logic error",
        SQLITE_PERM => c"access permission denied",
        SQLITE_ABORT => c"query aborted",
        SQLITE_BUSY => c"database is locked",
        SQLITE_LOCKED => c"database table is locked",
        SQLITE_NOMEM => c"out of memory",
        SQLITE_READONLY => c"attempt to write a readonly database",
        SQLITE_INTERRUPT => c"interrupted",
        SQLITE_IOERR => c"disk I/O error",
        SQLITE_CORRUPT => c"database disk image is malformed",
        SQLITE_NOTFOUND => c"unknown operation",
        SQLITE_FULL => c"database or disk is full",
        SQLITE_CANTOPEN => c"unable to open database file",
        SQLITE_PROTOCOL => c"locking protocol",
        SQLITE_SCHEMA => c"database schema has changed",
        SQLITE_TOOBIG => c"string or blob too big",
        SQLITE_CONSTRAINT => c"constraint failed",
        SQLITE_MISMATCH => c"datatype mismatch",
        SQLITE_MISUSE => c"bad parameter or other API misuse",
        SQLITE_AUTH => c"authorization denied",
        SQLITE_RANGE => c"column index out of range",
        SQLITE_NOTADB => c"file is not a database",
        SQLITE_NOTICE => c"notification message",
        SQLITE_WARNING => c"warning message",
        _ => c"unknown error",
    }
}

/// The static text of `errstr`, as a C pointer.
pub fn errstr_ptr(rc: c_int) -> *const c_char {
    errstr(rc).as_ptr()
}

/// The extended result code of an engine error (its primary code when it has none).
pub fn extended_code(e: &Error) -> c_int {
    e.extended_code.unwrap_or_else(|| primary_code(e.code))
}

/// The primary result code of an engine error code.
pub fn primary_code(code: ErrorCode) -> c_int {
    match code {
        // Never surfaces from a blocking step; if it did, it is Basalt's own failure.
        ErrorCode::IoPending => SQLITE_INTERNAL,
        code => code as c_int,
    }
}
