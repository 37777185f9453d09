//! Formatting a result value by its expected type letter, as the reference harness does:
//! `I` is `sqlite3_column_int` printed with `%d`, `R` is SQLite's `%.3f` of
//! `sqlite3_column_double`, `T` is the text with `(empty)` for "" and `@` for every byte outside
//! printable ASCII. NULL is `NULL` whatever the letter.

use basalt_core::record::Value;
use basalt_core::record::ValueRef;
use basalt_core::sql::convert::{to_f64, to_i64, to_text};
use basalt_core::sql::printf;

pub fn value(v: &Value, kind: char) -> String {
    if matches!(v, Value::Null) {
        return "NULL".into();
    }
    match kind {
        'I' => {
            let wide = to_i64(v.into());
            // sqlite3_column_int keeps the low 32 bits, as C's conversion does.
            (wide as i32).to_string()
        }
        'R' => {
            let real = ValueRef::Real(to_f64(v.into()));
            match printf::format(ValueRef::Text(b"%.3f"), &[real]) {
                Ok(Value::Text(t)) => String::from_utf8_lossy(&t).into_owned(),
                _ => "NULL".into(),
            }
        }
        _ => {
            let bytes = to_text(v.into()).unwrap_or_default();
            if bytes.is_empty() {
                return "(empty)".into();
            }
            bytes
                .iter()
                .map(|&b| {
                    if (b' '..=b'~').contains(&b) {
                        b as char
                    } else {
                        '@'
                    }
                })
                .collect()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_by_type_letter() {
        assert_eq!(value(&Value::Null, 'I'), "NULL");
        assert_eq!(value(&Value::Integer(4294967297), 'I'), "1");
        assert_eq!(value(&Value::Real(-2.7), 'I'), "-2");
        assert_eq!(value(&Value::from("12abc"), 'I'), "12");
        assert_eq!(value(&Value::Integer(3), 'R'), "3.000");
        assert_eq!(value(&Value::from(""), 'T'), "(empty)");
        assert_eq!(value(&Value::from("a\tb"), 'T'), "a@b");
        assert_eq!(value(&Value::Real(1.5), 'T'), "1.5");
    }
}
