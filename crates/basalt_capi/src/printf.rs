//! The Rust half of `sqlite3_mprintf` and friends: formats the arguments the C shim
//! (`csrc/varargs.c`) read from a `va_list`, with the engine's printf (the one behind SQL's
//! `format()`), so C and SQL format alike.
//!
//! Invariant: each argument the shim hands over is one C value already typed by the shim's
//! reading of the format (an integer widened to 64 bits, a double, a string or NULL), in the
//! order the engine consumes them.

use crate::ffi::guard;
use crate::mem;
use basalt_core::record::ValueRef;
use basalt_core::sql::printf;
use std::ffi::{c_char, c_int};
use std::ptr::null_mut;

const ARG_INT: c_int = 0;
const ARG_REAL: c_int = 1;
const ARG_TEXT: c_int = 2;

/// `struct basalt_printf_arg` of the shim.
#[repr(C)]
pub struct PrintfArg {
    kind: c_int,
    i: i64,
    r: f64,
    s: *const c_char,
    len: usize,
}

impl PrintfArg {
    /// The argument as the engine's printf takes it.
    ///
    /// # Safety
    /// For `ARG_TEXT`, `s` points to `len` readable bytes that outlive `'a`.
    unsafe fn value<'a>(&self) -> ValueRef<'a> {
        match self.kind {
            ARG_INT => ValueRef::Integer(self.i),
            ARG_REAL => ValueRef::Real(self.r),
            ARG_TEXT if !self.s.is_null() => {
                // SAFETY: the shim measured len readable bytes at s.
                ValueRef::Text(unsafe { std::slice::from_raw_parts(self.s.cast(), self.len) })
            }
            _ => ValueRef::Null,
        }
    }
}

/// Formats `fmt` with `n` arguments into a NUL-terminated block from `sqlite3_malloc`, its
/// length (without the NUL) in `*out_len`; NULL when the result is too big or memory ran out.
#[no_mangle]
pub extern "C" fn basalt_printf(
    fmt: *const c_char,
    args: *const PrintfArg,
    n: usize,
    out_len: *mut usize,
) -> *mut c_char {
    guard(null_mut(), || {
        if fmt.is_null() || out_len.is_null() {
            return null_mut();
        }
        let args: &[PrintfArg] = if n == 0 || args.is_null() {
            &[]
        } else {
            // SAFETY: the shim passes its array of n collected arguments.
            unsafe { std::slice::from_raw_parts(args, n) }
        };
        // SAFETY: every text argument points to the bytes the shim measured.
        let values: Vec<ValueRef<'_>> = args.iter().map(|a| unsafe { a.value() }).collect();
        // SAFETY: fmt is a NUL-terminated string (checked non-NULL by the shim too).
        let fmt = unsafe { std::ffi::CStr::from_ptr(fmt) }.to_bytes();
        let Ok(basalt_core::record::Value::Text(text)) =
            printf::format(ValueRef::Text(fmt), &values)
        else {
            return null_mut();
        };
        let out = mem::malloc(text.len() as u64 + 1).cast::<u8>();
        if out.is_null() {
            return null_mut();
        }
        // SAFETY: out has room for the text and its NUL; out_len is writable (checked above).
        unsafe {
            out.copy_from_nonoverlapping(text.as_ptr(), text.len());
            *out.add(text.len()) = 0;
            *out_len = text.len();
        }
        out.cast()
    })
}
