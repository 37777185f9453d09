//! The values a record holds: SQLite's five storage classes, owned and borrowed.

use std::fmt;

/// An owned value of one of SQLite's storage classes.
///
/// Text is bytes in the database's encoding, not a `String`: a file may hold invalid UTF-8, and
/// it must survive being read and written back.
#[derive(Clone, PartialEq)]
pub enum Value {
    Null,
    Integer(i64),
    Real(f64),
    Text(Vec<u8>),
    Blob(Vec<u8>),
}

/// A value borrowed from a record (or from a [`Value`]); decoding a record yields these without
/// copying text or blob content.
#[derive(Clone, Copy, PartialEq)]
pub enum ValueRef<'a> {
    Null,
    Integer(i64),
    Real(f64),
    Text(&'a [u8]),
    Blob(&'a [u8]),
}

impl Value {
    /// Makes this value a copy of `v`, reusing this value's text or blob buffer when it has
    /// one: a register that receives a column on every row of a scan allocates once, not per
    /// row.
    #[inline]
    pub fn set_from_ref(&mut self, v: ValueRef<'_>) {
        // Numbers and NULL are written directly (no call to `to_value`): most columns a scan
        // reads are numbers.
        let (bytes, text) = match v {
            ValueRef::Text(t) => (t, true),
            ValueRef::Blob(b) => (b, false),
            ValueRef::Integer(i) => {
                *self = Value::Integer(i);
                return;
            }
            ValueRef::Real(r) => {
                *self = Value::Real(r);
                return;
            }
            ValueRef::Null => {
                *self = Value::Null;
                return;
            }
        };
        let mut buf = match std::mem::replace(self, Value::Null) {
            Value::Text(buf) | Value::Blob(buf) => buf,
            _ => Vec::new(),
        };
        buf.clear();
        buf.extend_from_slice(bytes);
        *self = if text {
            Value::Text(buf)
        } else {
            Value::Blob(buf)
        };
    }

    #[inline]
    pub fn as_value_ref(&self) -> ValueRef<'_> {
        match self {
            Value::Null => ValueRef::Null,
            Value::Integer(i) => ValueRef::Integer(*i),
            Value::Real(r) => ValueRef::Real(*r),
            Value::Text(t) => ValueRef::Text(t),
            Value::Blob(b) => ValueRef::Blob(b),
        }
    }
}

impl ValueRef<'_> {
    pub fn to_value(self) -> Value {
        match self {
            ValueRef::Null => Value::Null,
            ValueRef::Integer(i) => Value::Integer(i),
            ValueRef::Real(r) => Value::Real(r),
            ValueRef::Text(t) => Value::Text(t.to_vec()),
            ValueRef::Blob(b) => Value::Blob(b.to_vec()),
        }
    }

    #[inline]
    pub fn is_null(self) -> bool {
        matches!(self, ValueRef::Null)
    }
}

impl From<ValueRef<'_>> for Value {
    fn from(v: ValueRef<'_>) -> Value {
        v.to_value()
    }
}

impl<'a> From<&'a Value> for ValueRef<'a> {
    fn from(v: &'a Value) -> ValueRef<'a> {
        v.as_value_ref()
    }
}

impl From<i64> for Value {
    fn from(i: i64) -> Value {
        Value::Integer(i)
    }
}

impl From<f64> for Value {
    fn from(r: f64) -> Value {
        Value::Real(r)
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Value {
        Value::Text(s.as_bytes().to_vec())
    }
}

impl From<String> for Value {
    fn from(s: String) -> Value {
        Value::Text(s.into_bytes())
    }
}

impl From<i64> for ValueRef<'_> {
    fn from(i: i64) -> Self {
        ValueRef::Integer(i)
    }
}

impl From<f64> for ValueRef<'_> {
    fn from(r: f64) -> Self {
        ValueRef::Real(r)
    }
}

impl<'a> From<&'a str> for ValueRef<'a> {
    fn from(s: &'a str) -> Self {
        ValueRef::Text(s.as_bytes())
    }
}

impl fmt::Debug for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.as_value_ref().fmt(f)
    }
}

/// Text prints as a string when it is valid UTF-8 and as escaped bytes otherwise, and blobs print
/// in SQL's `x'..'` hex form, so that test failures show what the bytes are.
impl fmt::Debug for ValueRef<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ValueRef::Null => f.write_str("Null"),
            ValueRef::Integer(i) => write!(f, "Integer({i})"),
            ValueRef::Real(r) => write!(f, "Real({r:?})"),
            ValueRef::Text(t) => match std::str::from_utf8(t) {
                Ok(s) => write!(f, "Text({s:?})"),
                Err(_) => write!(f, "Text(b\"{}\")", t.escape_ascii()),
            },
            ValueRef::Blob(b) => {
                f.write_str("Blob(x'")?;
                for byte in b.iter() {
                    write!(f, "{byte:02x}")?;
                }
                f.write_str("')")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_from_ref_copies_and_keeps_the_class() {
        let mut v = Value::Text(b"a longer text than the next".to_vec());
        v.set_from_ref(ValueRef::Text(b"short"));
        assert_eq!(v, Value::Text(b"short".to_vec()));
        v.set_from_ref(ValueRef::Blob(b"\x00\x01"));
        assert_eq!(v, Value::Blob(vec![0, 1]));
        v.set_from_ref(ValueRef::Real(1.5));
        assert_eq!(v, Value::Real(1.5));
        v.set_from_ref(ValueRef::Text(b""));
        assert_eq!(v, Value::Text(Vec::new()));
        v.set_from_ref(ValueRef::Null);
        assert_eq!(v, Value::Null);
    }

    #[test]
    fn owned_and_borrowed_convert_both_ways() {
        let values = [
            Value::Null,
            Value::Integer(-7),
            Value::Real(-0.0),
            Value::Text(vec![0xff, b'a']),
            Value::Blob(vec![0, 1]),
        ];
        for v in &values {
            assert_eq!(&ValueRef::from(v).to_value(), v);
            assert_eq!(&Value::from(v.as_value_ref()), v);
        }
    }

    #[test]
    fn debug_shows_text_and_blob_content() {
        assert_eq!(format!("{:?}", Value::from("hé")), "Text(\"hé\")");
        assert_eq!(
            format!("{:?}", Value::Text(vec![b'a', 0xff])),
            "Text(b\"a\\xff\")"
        );
        assert_eq!(
            format!("{:?}", Value::Blob(vec![0x0a, 0xff])),
            "Blob(x'0aff')"
        );
        assert_eq!(format!("{:?}", ValueRef::from(1.5)), "Real(1.5)");
    }
}
