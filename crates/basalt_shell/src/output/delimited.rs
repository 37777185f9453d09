//! Delimited text: `list` (and `tabs`, which is list with a tab), `csv`, `ascii`, `tcl`.

use super::{integer_text, name_bytes, value_text, Format, Mode};
use crate::engine::Value;
use std::io::{self, Write};

pub fn write_row(
    out: &mut dyn Write,
    format: &Format,
    names: &[String],
    values: &[Value],
    index: u64,
) -> io::Result<()> {
    let column_separator = format.column_separator.as_bytes();
    let row_separator = format.row_separator.as_bytes();
    let null = format.null_value.as_bytes();
    let field = |out: &mut dyn Write, text: Option<&[u8]>| -> io::Result<()> {
        match format.mode {
            Mode::Csv => write_csv_field(out, text, null, column_separator),
            Mode::Tcl => write_c_string(out, text.unwrap_or(null)),
            _ => out.write_all(text.unwrap_or(null)),
        }
    };
    if index == 0 && format.headers {
        for (i, name) in names.iter().enumerate() {
            if i > 0 {
                out.write_all(column_separator)?;
            }
            field(out, Some(name_bytes(name)))?;
        }
        out.write_all(row_separator)?;
    }
    let mut digits = [0u8; 20];
    for (i, value) in values.iter().enumerate() {
        if i > 0 {
            out.write_all(column_separator)?;
        }
        match value {
            Value::Integer(n) => field(out, Some(integer_text(*n, &mut digits)))?,
            _ => field(out, value_text(value).as_deref())?,
        }
    }
    out.write_all(row_separator)
}

/// sqlite3's `output_csv`: NULL as the null text; a field is quoted (with `"` doubled) when it
/// is empty, contains a byte from `needCsvQuote` (controls, space, `"`, `'`, DEL, any byte
/// from 0x80 up) or contains the column separator.
fn write_csv_field(
    out: &mut dyn Write,
    text: Option<&[u8]>,
    null: &[u8],
    separator: &[u8],
) -> io::Result<()> {
    let Some(text) = text else {
        return out.write_all(null);
    };
    let special = |b: &u8| *b <= b' ' || *b == b'"' || *b == b'\'' || *b >= 0x7f;
    let contains_separator =
        !separator.is_empty() && text.windows(separator.len()).any(|w| w == separator);
    if text.is_empty() || text.iter().any(special) || contains_separator {
        out.write_all(b"\"")?;
        for chunk in text.split_inclusive(|&b| b == b'"') {
            out.write_all(chunk)?;
            if chunk.last() == Some(&b'"') {
                out.write_all(b"\"")?;
            }
        }
        out.write_all(b"\"")
    } else {
        out.write_all(text)
    }
}

/// sqlite3's `output_c_string`: a C/TCL string literal.
fn write_c_string(out: &mut dyn Write, text: &[u8]) -> io::Result<()> {
    out.write_all(b"\"")?;
    for &c in text {
        match c {
            b'\\' => out.write_all(b"\\\\")?,
            b'"' => out.write_all(b"\\\"")?,
            b'\t' => out.write_all(b"\\t")?,
            b'\n' => out.write_all(b"\\n")?,
            b'\r' => out.write_all(b"\\r")?,
            // isprint() in the C locale: 0x20..=0x7e.
            c if !(0x20..0x7f).contains(&c) => write!(out, "\\{c:03o}")?,
            c => out.write_all(&[c])?,
        }
    }
    out.write_all(b"\"")
}

#[cfg(test)]
mod tests {
    use crate::engine::Value;
    use crate::output::testing::render;
    use crate::output::{Format, Mode};

    #[test]
    fn csv_quotes_what_sqlite3_quotes() {
        let format = Format {
            mode: Mode::Csv,
            column_separator: ",".into(),
            ..Format::default()
        };
        let row = vec![
            Value::Text(b"plain".to_vec()),
            Value::Text(b"".to_vec()),
            Value::Text(b"a\"b".to_vec()),
            Value::Text(b"x,y".to_vec()),
            Value::Null,
            Value::Integer(-3),
        ];
        assert_eq!(
            render(&format, &["a", "b", "c", "d", "e", "f"], vec![row]),
            "plain,\"\",\"a\"\"b\",\"x,y\",,-3\n"
        );
    }

    #[test]
    fn tcl_escapes() {
        let format = Format {
            mode: Mode::Tcl,
            column_separator: " ".into(),
            ..Format::default()
        };
        let row = vec![Value::Text(b"a\tb\x01\"".to_vec())];
        assert_eq!(render(&format, &["x"], vec![row]), "\"a\\tb\\001\\\"\"\n");
    }
}
