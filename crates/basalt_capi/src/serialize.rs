//! `sqlite3_serialize` and `sqlite3_deserialize` over the engine's page images.
//!
//! Invariants:
//! - `serialize` copies the main database's pages, read in one snapshot, into a block from
//!   `sqlite3_malloc` that the caller frees; with SQLITE_SERIALIZE_NOCOPY it returns NULL, as
//!   SQLite does for a database that is not already one block of memory.
//! - `deserialize` copies the caller's bytes into a private in-memory database that replaces
//!   `main` (SQLite would use the caller's buffer in place): writes never reach that buffer and
//!   the database may grow past `szBuf`. With FREEONCLOSE the buffer is freed at once, since
//!   the copy no longer needs it.

use crate::codes::*;
use crate::db::{self, sqlite3};
use crate::ffi::{c_bytes, guard, guard_rc};
use crate::mem;
use std::ffi::{c_char, c_int};
use std::ptr::null_mut;

const SERIALIZE_NOCOPY: u32 = 0x001;
const DESERIALIZE_FREEONCLOSE: u32 = 1;
const DESERIALIZE_READONLY: u32 = 4;

/// Whether a schema name designates `main` (NULL does).
fn is_main(name: *const c_char) -> bool {
    // SAFETY: name is NULL or a NUL-terminated string, per the API contract.
    matches!(unsafe { c_bytes(name) }, None | Some(b"main"))
}

#[no_mangle]
pub extern "C" fn sqlite3_serialize(
    db: *mut sqlite3,
    schema: *const c_char,
    size: *mut i64,
    flags: u32,
) -> *mut u8 {
    guard(null_mut(), || {
        if !size.is_null() {
            // SAFETY: size is writable, per the API contract; SQLite says -1 until it succeeds.
            unsafe { *size = -1 };
        }
        if db.is_null() || !is_main(schema) || flags & SERIALIZE_NOCOPY != 0 {
            return null_mut();
        }
        // SAFETY: db is a live handle, per the API contract.
        let mut state = unsafe { db::lock(db) };
        let Ok(conn) = state.connection() else {
            return null_mut();
        };
        let Ok(image) = conn.main_image() else {
            return null_mut();
        };
        let out = mem::malloc(image.len().max(1) as u64).cast::<u8>();
        if out.is_null() {
            return null_mut();
        }
        // SAFETY: out has room for the image; size is writable when non-NULL.
        unsafe {
            out.copy_from_nonoverlapping(image.as_ptr(), image.len());
            if !size.is_null() {
                *size = image.len() as i64;
            }
        }
        out
    })
}

#[no_mangle]
pub extern "C" fn sqlite3_deserialize(
    db: *mut sqlite3,
    schema: *const c_char,
    data: *mut u8,
    size: i64,
    buffer_size: i64,
    flags: u32,
) -> c_int {
    guard_rc(|| {
        let free_data = || {
            if flags & DESERIALIZE_FREEONCLOSE != 0 {
                // SAFETY: with FREEONCLOSE the caller hands over a block from sqlite3_malloc.
                unsafe { mem::free(data.cast()) };
            }
        };
        if db.is_null() || data.is_null() || size < 0 || buffer_size < size {
            free_data();
            return SQLITE_MISUSE;
        }
        // SAFETY: data holds size bytes, per the API contract.
        let image = unsafe { std::slice::from_raw_parts(data, size as usize) }.to_vec();
        free_data();
        // SAFETY: db is a live handle, per the API contract.
        let mut state = unsafe { db::lock(db) };
        if !is_main(schema) {
            state.set_error(
                SQLITE_ERROR,
                Some("not supported by Basalt yet: deserializing into a database other than main"),
            );
            return SQLITE_ERROR;
        }
        let result = match state.connection() {
            Ok(conn) => conn.load_image(image, flags & DESERIALIZE_READONLY != 0),
            Err(rc) => return rc,
        };
        match result {
            Ok(()) => {
                state.clear_error();
                SQLITE_OK
            }
            Err(e) => state.engine_error(&e),
        }
    })
}
