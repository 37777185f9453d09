//! The UTF-16 entry points (`open16`, `prepare16`, `prepare16_v2/v3`, `bind_text16`, `column_text16`,
//! `column_bytes16`, `column_name16`, `errmsg16`, `complete16`): each converts at the boundary
//! and calls its UTF-8 twin, so there is one implementation of every behaviour.
//!
//! Invariants:
//! - UTF-16 is in the machine's byte order (SQLite's "native" UTF-16); unpaired surrogates
//!   read as U+FFFD, as SQLite translates them.
//! - A UTF-16 rendering handed to C is kept in the statement (`Stmt16`) or connection
//!   (`DbExtra::errmsg16`) and replaced only when its content changes, so the pointer lives as
//!   long as SQLite promises (until the row changes or the statement is finalized; until the
//!   next error for `errmsg16`).

use crate::codes::*;
use crate::db::{self, sqlite3};
use crate::ffi::guard;
use crate::stmt::{self, sqlite3_stmt, Destructor};
use std::ffi::{c_char, c_int, c_void, CStr, CString};
use std::ptr::{null, null_mut};

/// A statement's UTF-16 renderings: column values and names, NUL-terminated.
#[derive(Default)]
pub struct Stmt16 {
    texts: Vec<Vec<u16>>,
    names: Vec<Vec<u16>>,
}

/// `text` as NUL-terminated UTF-16, reusing `slot` (and so its address) when unchanged.
fn store(slot: &mut Vec<u16>, text: &[u8]) -> *const u16 {
    let mut units: Vec<u16> = String::from_utf8_lossy(text).encode_utf16().collect();
    units.push(0);
    if *slot != units {
        *slot = units;
    }
    slot.as_ptr()
}

fn slot(slots: &mut Vec<Vec<u16>>, i: usize) -> &mut Vec<u16> {
    if slots.len() <= i {
        slots.resize(i + 1, Vec::new());
    }
    &mut slots[i]
}

/// The UTF-16 units at `p`: `n_bytes` bytes, or up to a NUL unit when `n_bytes` is negative.
///
/// # Safety
/// `p` is non-NULL, 2-byte aligned, and holds that many bytes (or a NUL-terminated string).
unsafe fn units<'a>(p: *const u16, n_bytes: i64) -> &'a [u16] {
    let len = match usize::try_from(n_bytes) {
        // SAFETY: n_bytes bytes are readable; a NUL unit inside them ends the text.
        Ok(n) => (0..n / 2)
            .find(|&i| unsafe { *p.add(i) } == 0)
            .unwrap_or(n / 2),
        // SAFETY: the text is NUL-terminated.
        Err(_) => (0..).find(|&i| unsafe { *p.add(i) } == 0).unwrap_or(0),
    };
    // SAFETY: len units at p are readable (above).
    unsafe { std::slice::from_raw_parts(p, len) }
}

fn to_utf8(units: &[u16]) -> String {
    String::from_utf16_lossy(units)
}

/// `n_bytes` (even) bytes of UTF-16 at `p` in `encoding`'s byte order (LE, BE, or the
/// machine's for SQLITE_UTF16), as UTF-8; `p` need not be aligned.
///
/// # Safety
/// `p` is non-NULL and holds `n_bytes` readable bytes.
pub(crate) unsafe fn decode(p: *const u8, n_bytes: usize, encoding: c_int) -> String {
    use crate::function::{SQLITE_UTF16BE, SQLITE_UTF16LE};
    // SAFETY: n_bytes bytes at p are readable, per the caller.
    let bytes = unsafe { std::slice::from_raw_parts(p, n_bytes) };
    let units: Vec<u16> = bytes
        .chunks_exact(2)
        .map(|pair| match encoding {
            SQLITE_UTF16LE => u16::from_le_bytes([pair[0], pair[1]]),
            SQLITE_UTF16BE => u16::from_be_bytes([pair[0], pair[1]]),
            _ => u16::from_ne_bytes([pair[0], pair[1]]),
        })
        .collect();
    to_utf8(&units)
}

#[no_mangle]
pub extern "C" fn sqlite3_open16(filename: *const c_void, pp_db: *mut *mut sqlite3) -> c_int {
    guard(SQLITE_INTERNAL, || {
        if filename.is_null() {
            return sqlite3_open_utf8(c"", pp_db);
        }
        // SAFETY: filename is a NUL-terminated UTF-16 string, per the API contract.
        let name = to_utf8(unsafe { units(filename.cast(), -1) });
        let Ok(name) = CString::new(name) else {
            return SQLITE_CANTOPEN;
        };
        sqlite3_open_utf8(&name, pp_db)
    })
}

fn sqlite3_open_utf8(name: &CStr, pp_db: *mut *mut sqlite3) -> c_int {
    db::sqlite3_open(name.as_ptr(), pp_db)
}

#[no_mangle]
pub extern "C" fn sqlite3_prepare16_v2(
    db: *mut sqlite3,
    sql: *const c_void,
    n_byte: c_int,
    pp_stmt: *mut *mut sqlite3_stmt,
    pz_tail: *mut *const c_void,
) -> c_int {
    sqlite3_prepare16_v3(db, sql, n_byte, 0, pp_stmt, pz_tail)
}

#[no_mangle]
pub extern "C" fn sqlite3_prepare16_v3(
    db: *mut sqlite3,
    sql: *const c_void,
    n_byte: c_int,
    _flags: u32,
    pp_stmt: *mut *mut sqlite3_stmt,
    pz_tail: *mut *const c_void,
) -> c_int {
    prepare16(db, sql, n_byte, false, pp_stmt, pz_tail)
}

/// The legacy UTF-16 interface (see `sqlite3_prepare`).
#[no_mangle]
pub extern "C" fn sqlite3_prepare16(
    db: *mut sqlite3,
    sql: *const c_void,
    n_byte: c_int,
    pp_stmt: *mut *mut sqlite3_stmt,
    pz_tail: *mut *const c_void,
) -> c_int {
    prepare16(db, sql, n_byte, true, pp_stmt, pz_tail)
}

fn prepare16(
    db: *mut sqlite3,
    sql: *const c_void,
    n_byte: c_int,
    legacy: bool,
    pp_stmt: *mut *mut sqlite3_stmt,
    pz_tail: *mut *const c_void,
) -> c_int {
    guard(SQLITE_INTERNAL, || {
        if sql.is_null() {
            return stmt::prepare_utf8(db, null(), 0, legacy, pp_stmt, null_mut());
        }
        // SAFETY: sql holds n_byte bytes of UTF-16, or is NUL-terminated when n_byte < 0.
        let text = unsafe { units(sql.cast(), i64::from(n_byte)) };
        let utf8 = to_utf8(text);
        let mut tail8: *const c_char = null();
        let rc = stmt::prepare_utf8(
            db,
            utf8.as_ptr().cast(),
            c_int::try_from(utf8.len()).unwrap_or(c_int::MAX),
            legacy,
            pp_stmt,
            &mut tail8,
        );
        if !pz_tail.is_null() {
            // The tail in UTF-16 units: as many as the UTF-8 text before the tail encodes.
            let consumed = if tail8.is_null() {
                utf8.len()
            } else {
                (tail8 as usize).saturating_sub(utf8.as_ptr() as usize)
            };
            let before = utf8.get(..consumed).unwrap_or(&utf8);
            let offset = before.encode_utf16().count().min(text.len());
            // SAFETY: pz_tail is writable; offset is within the text read.
            unsafe { *pz_tail = sql.cast::<u16>().add(offset).cast() };
        }
        rc
    })
}

#[no_mangle]
pub extern "C" fn sqlite3_bind_text16(
    p: *mut sqlite3_stmt,
    i: c_int,
    data: *const c_void,
    n_bytes: c_int,
    destructor: Destructor,
) -> c_int {
    guard(SQLITE_INTERNAL, || {
        if data.is_null() {
            return stmt::sqlite3_bind_null(p, i);
        }
        // SAFETY: data holds n_bytes bytes of UTF-16, or is NUL-terminated when negative.
        let text = to_utf8(unsafe { units(data.cast(), i64::from(n_bytes)) });
        let n = c_int::try_from(text.len()).unwrap_or(c_int::MAX);
        // SQLITE_TRANSIENT: the converted copy is ours; the caller's destructor runs below.
        let rc = stmt::sqlite3_bind_text(p, i, text.as_ptr().cast(), n, -1);
        stmt::release(data, destructor);
        rc
    })
}

#[no_mangle]
pub extern "C" fn sqlite3_column_text16(p: *mut sqlite3_stmt, i: c_int) -> *const c_void {
    let text = stmt::sqlite3_column_text(p, i);
    if text.is_null() {
        return null();
    }
    // SAFETY: column_text returned a NUL-terminated string owned by the statement.
    let bytes = unsafe { CStr::from_ptr(text.cast()) }.to_bytes().to_vec();
    let Ok(index) = usize::try_from(i) else {
        return null();
    };
    stmt::with(p, null(), |_, st| {
        store(slot(&mut st.utf16.texts, index), &bytes).cast()
    })
}

#[no_mangle]
pub extern "C" fn sqlite3_column_bytes16(p: *mut sqlite3_stmt, i: c_int) -> c_int {
    let text = sqlite3_column_text16(p, i).cast::<u16>();
    if text.is_null() {
        return 0;
    }
    // SAFETY: column_text16 returned a NUL-terminated UTF-16 string.
    let len = unsafe { units(text, -1) }.len();
    c_int::try_from(len * 2).unwrap_or(c_int::MAX)
}

#[no_mangle]
pub extern "C" fn sqlite3_column_name16(p: *mut sqlite3_stmt, i: c_int) -> *const c_void {
    let name = stmt::sqlite3_column_name(p, i);
    let Ok(index) = usize::try_from(i) else {
        return null();
    };
    if name.is_null() {
        return null();
    }
    // SAFETY: column_name returned a NUL-terminated string owned by the statement.
    let bytes = unsafe { CStr::from_ptr(name) }.to_bytes().to_vec();
    stmt::with(p, null(), |_, st| {
        store(slot(&mut st.utf16.names, index), &bytes).cast()
    })
}

#[no_mangle]
pub extern "C" fn sqlite3_errmsg16(db: *mut sqlite3) -> *const c_void {
    static NOMEM: [u16; 14] = [
        b'o' as u16,
        b'u' as u16,
        b't' as u16,
        b' ' as u16,
        b'o' as u16,
        b'f' as u16,
        b' ' as u16,
        b'm' as u16,
        b'e' as u16,
        b'm' as u16,
        b'o' as u16,
        b'r' as u16,
        b'y' as u16,
        0,
    ];
    if db.is_null() {
        return NOMEM.as_ptr().cast();
    }
    let message = db::sqlite3_errmsg(db);
    // SAFETY: errmsg returns a NUL-terminated string.
    let bytes = unsafe { CStr::from_ptr(message) }.to_bytes().to_vec();
    guard(NOMEM.as_ptr().cast(), || {
        // SAFETY: db is a live handle, per the API contract.
        let mut state = unsafe { db::lock(db) };
        store(&mut state.extra.errmsg16, &bytes).cast()
    })
}

#[no_mangle]
pub extern "C" fn sqlite3_complete16(sql: *const c_void) -> c_int {
    guard(SQLITE_NOMEM, || {
        if sql.is_null() {
            return 0;
        }
        // SAFETY: sql is a NUL-terminated UTF-16 string, per the API contract.
        let text = to_utf8(unsafe { units(sql.cast(), -1) });
        match CString::new(text) {
            Ok(text) => crate::info::sqlite3_complete(text.as_ptr()),
            Err(_) => 0,
        }
    })
}
