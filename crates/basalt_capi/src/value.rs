//! `sqlite3_value`: the values an application function receives, `sqlite3_column_value` and
//! `sqlite3_value_dup` hand out, and the `sqlite3_value_*` accessors.
//!
//! Invariants:
//! - A `sqlite3_value` owns its value; pointers `value_text`/`value_blob` return point into it
//!   (or into its cached text rendering) and stay valid until the value is freed or changed,
//!   as SQLite documents (a function's arguments: until it returns; a column's: until the
//!   statement's next step, reset or finalize; a duplicate: until `value_free`).
//! - The accessors never change the value's type: a rendering is cached beside it, so
//!   `value_type` after `value_text` of an integer is still SQLITE_INTEGER, as in SQLite.
//! - Every accessor takes NULL as SQLite's NULL value.

use crate::codes::*;
use crate::ffi::guard;
use basalt_core::record::{Value, ValueRef};
use basalt_core::sql::convert::{text_as_number, to_f64, to_i64, to_text, Numeric};
use std::cell::OnceCell;
use std::ffi::{c_int, c_void};
use std::ptr::{null, null_mut};

/// A value handle (`sqlite3_value *`).
#[allow(non_camel_case_types)]
pub struct sqlite3_value {
    value: Value,
    /// The text rendering with its NUL (made on demand; never for NULL).
    text: OnceCell<Vec<u8>>,
    /// Came from a bound parameter (`sqlite3_value_frombind`).
    from_bind: bool,
}

impl sqlite3_value {
    pub(crate) fn new(value: Value, from_bind: bool) -> sqlite3_value {
        sqlite3_value {
            value,
            text: OnceCell::new(),
            from_bind,
        }
    }

    pub(crate) fn from_ref(value: ValueRef<'_>) -> sqlite3_value {
        sqlite3_value::new(value.to_value(), false)
    }

    /// The text rendering, NUL-terminated; `None` for NULL.
    fn text(&self) -> Option<&[u8]> {
        if matches!(self.value, Value::Null) {
            return None;
        }
        let text = self.text.get_or_init(|| {
            let mut t = to_text(self.value.as_value_ref())
                .map(|t| t.into_owned())
                .unwrap_or_default();
            t.push(0);
            t
        });
        Some(text)
    }
}

/// Runs `f` on the value at `v`, or returns `fallback` for NULL.
fn with<R: Copy>(v: *mut sqlite3_value, fallback: R, f: impl FnOnce(&sqlite3_value) -> R) -> R {
    guard(fallback, || {
        if v.is_null() {
            return fallback;
        }
        // SAFETY: a non-NULL sqlite3_value pointer is one this library handed out and that is
        // still alive, per the API contract; it is only read here.
        f(unsafe { &*v })
    })
}

/// The storage class code of a value.
pub(crate) fn type_code(v: &Value) -> c_int {
    match v {
        Value::Null => SQLITE_NULL,
        Value::Integer(_) => SQLITE_INTEGER,
        Value::Real(_) => SQLITE_FLOAT,
        Value::Text(_) => SQLITE_TEXT,
        Value::Blob(_) => SQLITE_BLOB,
    }
}

#[no_mangle]
pub extern "C" fn sqlite3_value_type(v: *mut sqlite3_value) -> c_int {
    with(v, SQLITE_NULL, |v| type_code(&v.value))
}

#[no_mangle]
pub extern "C" fn sqlite3_value_numeric_type(v: *mut sqlite3_value) -> c_int {
    guard(SQLITE_NULL, || {
        if v.is_null() {
            return SQLITE_NULL;
        }
        // SAFETY: a live value handed out by this library; SQLite converts a text that looks
        // like a number in place, and so does this (the caller owns the value for the call).
        let value = unsafe { &mut *v };
        if let Value::Text(t) = &value.value {
            match text_as_number(t) {
                Some(Numeric::Integer(i)) => value.value = Value::Integer(i),
                Some(Numeric::Real(r)) => value.value = Value::Real(r),
                None => {}
            }
            value.text = OnceCell::new();
        }
        type_code(&value.value)
    })
}

#[no_mangle]
pub extern "C" fn sqlite3_value_int64(v: *mut sqlite3_value) -> i64 {
    with(v, 0, |v| to_i64(v.value.as_value_ref()))
}

#[no_mangle]
pub extern "C" fn sqlite3_value_int(v: *mut sqlite3_value) -> c_int {
    // SQLite truncates the same way.
    sqlite3_value_int64(v) as c_int
}

#[no_mangle]
pub extern "C" fn sqlite3_value_double(v: *mut sqlite3_value) -> f64 {
    with(v, 0.0, |v| to_f64(v.value.as_value_ref()))
}

#[no_mangle]
pub extern "C" fn sqlite3_value_text(v: *mut sqlite3_value) -> *const u8 {
    guard(null(), || {
        if v.is_null() {
            return null();
        }
        // SAFETY: a live value handed out by this library. SQLite turns a blob read as text
        // into text (value_type then says SQLITE_TEXT), and so does this.
        let value = unsafe { &mut *v };
        if let Value::Blob(b) = &mut value.value {
            value.value = Value::Text(std::mem::take(b));
        }
        value.text().map_or(null(), <[u8]>::as_ptr)
    })
}

#[no_mangle]
pub extern "C" fn sqlite3_value_blob(v: *mut sqlite3_value) -> *const c_void {
    with(v, null(), |v| {
        let bytes: &[u8] = match &v.value {
            Value::Null => return null(),
            Value::Text(b) | Value::Blob(b) => b,
            Value::Integer(_) | Value::Real(_) => v.text().unwrap_or(&[]),
        };
        if bytes.is_empty() {
            null()
        } else {
            bytes.as_ptr().cast()
        }
    })
}

#[no_mangle]
pub extern "C" fn sqlite3_value_bytes(v: *mut sqlite3_value) -> c_int {
    with(v, 0, |v| {
        let len = match &v.value {
            Value::Null => 0,
            Value::Text(b) | Value::Blob(b) => b.len(),
            Value::Integer(_) | Value::Real(_) => v.text().map_or(0, |t| t.len() - 1),
        };
        c_int::try_from(len).unwrap_or(c_int::MAX)
    })
}

#[no_mangle]
pub extern "C" fn sqlite3_value_frombind(v: *mut sqlite3_value) -> c_int {
    with(v, 0, |v| c_int::from(v.from_bind))
}

/// Basalt does not run UPDATEs through virtual tables, the only place SQLite reports "no
/// change": never true.
#[no_mangle]
pub extern "C" fn sqlite3_value_nochange(_v: *mut sqlite3_value) -> c_int {
    0
}

/// Subtypes are not carried by Basalt's values: every value has subtype 0, which is what
/// SQLite reports for any value no function gave a subtype.
#[no_mangle]
pub extern "C" fn sqlite3_value_subtype(_v: *mut sqlite3_value) -> u32 {
    0
}

#[no_mangle]
pub extern "C" fn sqlite3_value_dup(v: *const sqlite3_value) -> *mut sqlite3_value {
    guard(null_mut(), || {
        if v.is_null() {
            return null_mut();
        }
        // SAFETY: a live value handed out by this library, only read here.
        let original = unsafe { &*v };
        let copy = sqlite3_value::new(original.value.clone(), original.from_bind);
        Box::into_raw(Box::new(copy))
    })
}

#[no_mangle]
pub extern "C" fn sqlite3_value_free(v: *mut sqlite3_value) {
    guard((), || {
        if !v.is_null() {
            // SAFETY: only values from sqlite3_value_dup are freed by the caller, once.
            drop(unsafe { Box::from_raw(v) });
        }
    })
}

/// The value behind a `sqlite3_value *` an application passes in (`bind_value`,
/// `result_value`): a copy, NULL for a NULL pointer.
pub(crate) fn read(v: *const sqlite3_value) -> Value {
    if v.is_null() {
        return Value::Null;
    }
    // SAFETY: a live value handed out by this library, only read here.
    unsafe { &*v }.value.clone()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renderings_keep_the_type() {
        let mut v = sqlite3_value::new(Value::Integer(42), false);
        let p: *mut sqlite3_value = &mut v;
        assert_eq!(sqlite3_value_bytes(p), 2);
        assert_eq!(sqlite3_value_type(p), SQLITE_INTEGER);
        assert_eq!(sqlite3_value_numeric_type(p), SQLITE_INTEGER);
        let mut t = sqlite3_value::new(Value::Text(b"1.5".to_vec()), false);
        let p: *mut sqlite3_value = &mut t;
        assert_eq!(sqlite3_value_type(p), SQLITE_TEXT);
        assert_eq!(sqlite3_value_numeric_type(p), SQLITE_FLOAT);
        assert_eq!(sqlite3_value_double(p), 1.5);
        assert_eq!(sqlite3_value_type(std::ptr::null_mut()), SQLITE_NULL);
    }
}
