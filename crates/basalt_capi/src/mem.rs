//! `sqlite3_malloc`/`realloc`/`free`: memory C code and the library hand each other.
//!
//! Invariant: every block starts `HEADER` bytes after an allocation made here whose first
//! `usize` records the block's size, so `free` and `realloc` can rebuild its `Layout`. Blocks
//! are 16-byte aligned (SQLite promises at least 8).

use crate::ffi::guard;
use std::alloc::{alloc, dealloc, realloc, Layout};
use std::ffi::{c_char, c_int, c_void, CStr};
use std::ptr::null_mut;

const HEADER: usize = 16;
const ALIGN: usize = 16;
/// SQLite refuses allocations this large or larger.
const LIMIT: u64 = 0x7fff_ff00;

fn layout(size: usize) -> Option<Layout> {
    Layout::from_size_align(size.checked_add(HEADER)?, ALIGN).ok()
}

/// A new block of `n` bytes, NULL for 0 or too large (as `sqlite3_malloc64`).
pub fn malloc(n: u64) -> *mut c_void {
    if n == 0 || n >= LIMIT {
        return null_mut();
    }
    let Some(layout) = usize::try_from(n).ok().and_then(layout) else {
        return null_mut();
    };
    // SAFETY: the layout has a non-zero size.
    let base = unsafe { alloc(layout) };
    if base.is_null() {
        return null_mut();
    }
    // SAFETY: base is a fresh, aligned block of at least HEADER bytes; the size goes first
    // and the caller's part starts HEADER bytes in.
    unsafe {
        base.cast::<usize>().write(n as usize);
        base.add(HEADER).cast()
    }
}

/// The start of the allocation behind block `p` and its size.
///
/// # Safety
/// `p` is a live block returned by `malloc`/`realloc` here.
unsafe fn header(p: *mut c_void) -> (*mut u8, usize) {
    // SAFETY: the block starts HEADER bytes into an allocation whose first usize is its size.
    unsafe {
        let base = p.cast::<u8>().sub(HEADER);
        (base, base.cast::<usize>().read())
    }
}

/// Frees a block from `malloc`/`realloc` (NULL is a no-op).
///
/// # Safety
/// `p` is NULL or a live block returned by `malloc`/`realloc` here.
pub unsafe fn free(p: *mut c_void) {
    if p.is_null() {
        return;
    }
    // SAFETY: p is a live block from here, per the caller.
    let (base, size) = unsafe { header(p) };
    if let Some(layout) = layout(size) {
        // SAFETY: base was allocated with exactly this layout.
        unsafe { dealloc(base, layout) };
    }
}

/// A copy of a C string in a block the caller frees with `sqlite3_free`.
pub fn strdup(s: *const c_char) -> *mut c_char {
    if s.is_null() {
        return null_mut();
    }
    // SAFETY: s is a NUL-terminated string (the library's own error messages).
    strdup_bytes(unsafe { CStr::from_ptr(s) }.to_bytes())
}

/// `bytes` and a NUL in a block the caller frees with `sqlite3_free`.
pub fn strdup_bytes(bytes: &[u8]) -> *mut c_char {
    let p = malloc(bytes.len() as u64 + 1).cast::<u8>();
    if !p.is_null() {
        // SAFETY: p has room for bytes.len() + 1 bytes and does not overlap bytes.
        unsafe {
            p.copy_from_nonoverlapping(bytes.as_ptr(), bytes.len());
            p.add(bytes.len()).write(0);
        }
    }
    p.cast()
}

#[no_mangle]
pub extern "C" fn sqlite3_malloc(n: c_int) -> *mut c_void {
    crate::config::sqlite3_initialize();
    guard(null_mut(), || u64::try_from(n).map_or(null_mut(), malloc))
}

#[no_mangle]
pub extern "C" fn sqlite3_malloc64(n: u64) -> *mut c_void {
    crate::config::sqlite3_initialize();
    guard(null_mut(), || malloc(n))
}

#[no_mangle]
pub extern "C" fn sqlite3_free(p: *mut c_void) {
    // SAFETY: the API contract: p is NULL or a block from sqlite3_malloc/realloc.
    guard((), || unsafe { free(p) })
}

#[no_mangle]
pub extern "C" fn sqlite3_realloc(p: *mut c_void, n: c_int) -> *mut c_void {
    sqlite3_realloc64(p, u64::try_from(n).unwrap_or(0))
}

#[no_mangle]
pub extern "C" fn sqlite3_realloc64(p: *mut c_void, n: u64) -> *mut c_void {
    guard(null_mut(), || {
        if p.is_null() {
            return malloc(n);
        }
        if n == 0 {
            // SAFETY: p is a live block from here, per the API contract.
            unsafe { free(p) };
            return null_mut();
        }
        let (Some(new_layout), true) = (usize::try_from(n).ok().and_then(layout), n < LIMIT) else {
            return null_mut();
        };
        // SAFETY: p is a live block from here, per the API contract.
        let (base, size) = unsafe { header(p) };
        let Some(old_layout) = layout(size) else {
            return null_mut();
        };
        // SAFETY: base was allocated with old_layout; the new size is non-zero and valid.
        let base = unsafe { realloc(base, old_layout, new_layout.size()) };
        if base.is_null() {
            return null_mut();
        }
        // SAFETY: base is the (moved) allocation; its header gets the new size.
        unsafe {
            base.cast::<usize>().write(n as usize);
            base.add(HEADER).cast()
        }
    })
}
