//! SQL literals: `.mode quote` (one line of literals per row) and `.mode insert` (an INSERT
//! statement per row, what `.dump` writes).

use super::number::{real_to_sql, real_to_text};
use super::{name_bytes, value_text, Format, Mode};
use crate::engine::Value;
use std::io::{self, Write};

pub fn write_row(
    out: &mut dyn Write,
    format: &Format,
    names: &[String],
    values: &[Value],
    index: u64,
) -> io::Result<()> {
    if format.mode == Mode::Insert {
        return write_insert(out, format, names, values);
    }
    let separator = format.column_separator.as_bytes();
    if index == 0 && format.headers {
        for (i, name) in names.iter().enumerate() {
            if i > 0 {
                out.write_all(separator)?;
            }
            write_quoted(out, name_bytes(name))?;
        }
        out.write_all(format.row_separator.as_bytes())?;
    }
    for (i, value) in values.iter().enumerate() {
        if i > 0 {
            out.write_all(separator)?;
        }
        match value {
            Value::Text(_) => write_quoted(out, value_text(value).as_deref().unwrap_or(b""))?,
            Value::Real(r) => out.write_all(real_to_text(*r).as_bytes())?,
            _ => write_literal(out, value)?,
        }
    }
    out.write_all(format.row_separator.as_bytes())
}

fn write_insert(
    out: &mut dyn Write,
    format: &Format,
    names: &[String],
    values: &[Value],
) -> io::Result<()> {
    write!(out, "INSERT INTO {}", format.insert_table)?;
    if format.headers {
        out.write_all(b"(")?;
        for (i, name) in names.iter().enumerate() {
            if i > 0 {
                out.write_all(b",")?;
            }
            out.write_all(quote_identifier(name).as_bytes())?;
        }
        out.write_all(b")")?;
    }
    for (i, value) in values.iter().enumerate() {
        out.write_all(if i > 0 { b"," } else { b" VALUES(" })?;
        match value {
            Value::Text(_) => {
                write_quoted_escaped(out, value_text(value).as_deref().unwrap_or(b""))?
            }
            Value::Real(r) => out.write_all(real_to_sql(*r).as_bytes())?,
            _ => write_literal(out, value)?,
        }
    }
    out.write_all(b");\n")
}

/// NULL, integers and blobs, which every SQL-literal mode writes alike.
fn write_literal(out: &mut dyn Write, value: &Value) -> io::Result<()> {
    match value {
        Value::Null => out.write_all(b"NULL"),
        Value::Integer(i) => write!(out, "{i}"),
        Value::Blob(bytes) => {
            out.write_all(b"X'")?;
            for b in bytes {
                write!(out, "{b:02x}")?;
            }
            out.write_all(b"'")
        }
        Value::Text(_) | Value::Real(_) => Ok(()),
    }
}

/// `'text'` with `'` doubled (sqlite3's `output_quoted_string`).
fn write_quoted(out: &mut dyn Write, text: &[u8]) -> io::Result<()> {
    out.write_all(&quoted_sql_text(text))
}

/// `text` as an SQL string literal: `'…'` with `'` doubled.
pub fn quoted_sql_text(text: &[u8]) -> Vec<u8> {
    let mut quoted = Vec::with_capacity(text.len() + 2);
    quoted.push(b'\'');
    for &b in text {
        quoted.push(b);
        if b == b'\'' {
            quoted.push(b'\'');
        }
    }
    quoted.push(b'\'');
    quoted
}

/// Like [`write_quoted`], but newlines and carriage returns are spelled as `\n`/`\r` markers
/// undone by `replace(…, char(10))`, so that the literal survives line-ending translation
/// (sqlite3's `output_quoted_escaped_string`).
fn write_quoted_escaped(out: &mut dyn Write, text: &[u8]) -> io::Result<()> {
    let has_nl = text.contains(&b'\n');
    let has_cr = text.contains(&b'\r');
    if !has_nl && !has_cr {
        return write_quoted(out, text);
    }
    let nl_marker = has_nl.then(|| unused_marker(text, "\\n", "\\012"));
    let cr_marker = has_cr.then(|| unused_marker(text, "\\r", "\\015"));
    if nl_marker.is_some() {
        out.write_all(b"replace(")?;
    }
    if cr_marker.is_some() {
        out.write_all(b"replace(")?;
    }
    let mut body = Vec::with_capacity(text.len());
    for &b in text {
        match b {
            b'\n' => body.extend_from_slice(nl_marker.as_deref().unwrap_or("").as_bytes()),
            b'\r' => body.extend_from_slice(cr_marker.as_deref().unwrap_or("").as_bytes()),
            _ => body.push(b),
        }
    }
    write_quoted(out, &body)?;
    if let Some(marker) = &cr_marker {
        write!(out, ",'{marker}',char(13))")?;
    }
    if let Some(marker) = &nl_marker {
        write!(out, ",'{marker}',char(10))")?;
    }
    Ok(())
}

/// The first of `a`, `b`, `(a0)`, `(a1)`, … that does not occur in `text`.
fn unused_marker(text: &[u8], a: &str, b: &str) -> String {
    let absent = |marker: &str| {
        !text
            .windows(marker.len())
            .any(|window| window == marker.as_bytes())
    };
    if absent(a) {
        return a.to_string();
    }
    if absent(b) {
        return b.to_string();
    }
    (0u32..)
        .map(|i| format!("({a}{i})"))
        .find(|candidate| absent(candidate))
        .unwrap_or_default()
}

/// A name as sqlite3's shell writes it into SQL: bare when it is a plain identifier that is not
/// a keyword, otherwise in double quotes with `"` doubled (its `quoteChar`).
pub fn quote_identifier(name: &str) -> String {
    let bytes = name.as_bytes();
    let plain = bytes
        .first()
        .is_some_and(|&c| c.is_ascii_alphabetic() || c == b'_')
        && bytes
            .iter()
            .all(|&c| c.is_ascii_alphanumeric() || c == b'_')
        && basalt_parser::keywords::lookup(bytes).is_none();
    if plain {
        name.to_string()
    } else {
        format!("\"{}\"", name.replace('"', "\"\""))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::testing::render;

    #[test]
    fn newlines_become_replace_calls() {
        let mut out = Vec::new();
        write_quoted_escaped(&mut out, b"a\nb\r\\n").unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "replace(replace('a\\012b\\r\\n','\\r',char(13)),'\\012',char(10))"
        );
    }

    #[test]
    fn identifiers() {
        assert_eq!(quote_identifier("abc_1"), "abc_1");
        assert_eq!(quote_identifier("select"), "\"select\"");
        assert_eq!(quote_identifier("a\"b"), "\"a\"\"b\"");
        assert_eq!(quote_identifier("1x"), "\"1x\"");
    }

    #[test]
    fn insert_mode() {
        let format = Format {
            mode: Mode::Insert,
            insert_table: "t".into(),
            headers: true,
            ..Format::default()
        };
        let row = vec![
            Value::Integer(1),
            Value::Real(2.0),
            Value::Blob(vec![0, 255]),
        ];
        assert_eq!(
            render(&format, &["a", "order", "c"], vec![row]),
            "INSERT INTO t(a,\"order\",c) VALUES(1,2.0,X'00ff');\n"
        );
    }
}
