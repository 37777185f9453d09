//! Library facts (`libversion`, `sourceid`, `threadsafe`) and `sqlite3_complete`.

use crate::ffi::{c_bytes, guard};
use std::ffi::{c_char, c_int, CStr};

const VERSION: &CStr = c"3.54.1";
const VERSION_NUMBER: c_int = 3_054_001;
/// Not SQLite's check-in: a program can tell from this that the library is Basalt.
const SOURCE_ID: &CStr = c"Basalt 0.1.0: SQLite 3.54.1 C API over the Basalt engine";

#[no_mangle]
pub extern "C" fn sqlite3_libversion() -> *const c_char {
    VERSION.as_ptr()
}

#[no_mangle]
pub extern "C" fn sqlite3_libversion_number() -> c_int {
    VERSION_NUMBER
}

#[no_mangle]
pub extern "C" fn sqlite3_sourceid() -> *const c_char {
    SOURCE_ID.as_ptr()
}

/// Serialized mode: every entry point holds its connection's mutex (see lib.rs).
#[no_mangle]
pub extern "C" fn sqlite3_threadsafe() -> c_int {
    1
}

#[no_mangle]
pub extern "C" fn sqlite3_complete(sql: *const c_char) -> c_int {
    guard(0, || {
        // SAFETY: sql is NULL or a NUL-terminated string, per the API contract.
        let sql = unsafe { c_bytes(sql) };
        c_int::from(sql.is_some_and(basalt_parser::complete::is_complete))
    })
}
