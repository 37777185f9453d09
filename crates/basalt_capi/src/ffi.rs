//! Helpers shared by the entry points: panic containment and C string reading.
//!
//! Invariant: nothing here dereferences a pointer the caller did not promise to be valid (the
//! C API's own contract: a non-NULL `const char *` points to a NUL-terminated string).

use crate::codes::SQLITE_INTERNAL;
use std::ffi::{c_char, c_int, CStr};
use std::panic::{catch_unwind, AssertUnwindSafe};

/// Runs an entry point's body, turning a panic into `on_panic` so it never unwinds into C.
pub(crate) fn guard<R>(on_panic: R, body: impl FnOnce() -> R) -> R {
    catch_unwind(AssertUnwindSafe(body)).unwrap_or(on_panic)
}

/// `guard` for entry points returning a result code.
pub(crate) fn guard_rc(body: impl FnOnce() -> c_int) -> c_int {
    guard(SQLITE_INTERNAL, body)
}

/// The bytes of a C string, `None` for NULL.
///
/// # Safety
/// `p` is NULL or points to a NUL-terminated string that outlives `'a`.
pub(crate) unsafe fn c_bytes<'a>(p: *const c_char) -> Option<&'a [u8]> {
    if p.is_null() {
        return None;
    }
    // SAFETY: non-NULL, and the caller promises a NUL-terminated string living for 'a.
    Some(unsafe { CStr::from_ptr(p) }.to_bytes())
}

/// The first `n` bytes at `p`, or up to its NUL when `n` is negative; SQLite's reading of a
/// (pointer, length) pair for SQL text and bound strings. Stops at a NUL inside the first `n`
/// bytes when `stop_at_nul` (SQL text does; bound text and blobs keep their bytes).
///
/// # Safety
/// `p` is non-NULL and, when `n` is negative, NUL-terminated; otherwise `n` bytes are readable.
pub(crate) unsafe fn sized_bytes<'a>(p: *const u8, n: i64, stop_at_nul: bool) -> &'a [u8] {
    if n < 0 {
        // SAFETY: the caller promises a NUL-terminated string when n is negative.
        return unsafe { CStr::from_ptr(p.cast()) }.to_bytes();
    }
    let n = usize::try_from(n).unwrap_or(usize::MAX);
    // The text may be shorter than n: look for its NUL one byte at a time, never past it.
    // SAFETY: every byte up to the first NUL or the n-th is readable, as the caller promises.
    let len = if stop_at_nul {
        (0..n).find(|&i| unsafe { *p.add(i) } == 0).unwrap_or(n)
    } else {
        n
    };
    // SAFETY: len bytes at p are readable (checked above, or promised by the caller).
    unsafe { std::slice::from_raw_parts(p, len) }
}
