//! `.mode json`: an array of objects, one per row, keyed by column name.

use super::number::real_to_text;
use super::{name_bytes, value_text};
use crate::engine::Value;
use std::io::{self, Write};

pub fn write_row(
    out: &mut dyn Write,
    names: &[String],
    values: &[Value],
    index: u64,
) -> io::Result<()> {
    out.write_all(if index == 0 { b"[{" } else { b",\n{" })?;
    for (i, (name, value)) in names.iter().zip(values).enumerate() {
        if i > 0 {
            out.write_all(b",")?;
        }
        write_string(out, name_bytes(name))?;
        out.write_all(b":")?;
        match value {
            Value::Null => out.write_all(b"null")?,
            Value::Integer(n) => write!(out, "{n}")?,
            // JSON has no infinity; sqlite3 writes a number too large to read as finite.
            Value::Real(r) if r.is_infinite() => {
                out.write_all(if *r > 0.0 { b"1e999" } else { b"-1e999" })?
            }
            Value::Real(r) => out.write_all(real_to_text(*r).as_bytes())?,
            // A blob is written whole; text stops at a NUL, as the C string it is there.
            Value::Blob(bytes) => write_string(out, bytes)?,
            Value::Text(_) => write_string(out, value_text(value).as_deref().unwrap_or(b""))?,
        }
    }
    out.write_all(b"}")
}

/// sqlite3's `output_json_string`: `\\`, `\"`, the short escapes for control characters,
/// `\u00XX` for the other controls; every other byte (invalid UTF-8 too) as it is.
fn write_string(out: &mut dyn Write, bytes: &[u8]) -> io::Result<()> {
    out.write_all(b"\"")?;
    for &b in bytes {
        match b {
            b'\\' | b'"' => out.write_all(&[b'\\', b])?,
            0x08 => out.write_all(b"\\b")?,
            0x0c => out.write_all(b"\\f")?,
            b'\n' => out.write_all(b"\\n")?,
            b'\r' => out.write_all(b"\\r")?,
            b'\t' => out.write_all(b"\\t")?,
            0..=0x1f => write!(out, "\\u{b:04x}")?,
            _ => out.write_all(&[b])?,
        }
    }
    out.write_all(b"\"")
}
