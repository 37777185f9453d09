//! `.mode html`: table rows for an HTML `<table>`.

use super::{name_bytes, value_text, Format};
use crate::engine::Value;
use std::io::{self, Write};

pub fn write_row(
    out: &mut dyn Write,
    format: &Format,
    names: &[String],
    values: &[Value],
    index: u64,
) -> io::Result<()> {
    if index == 0 && format.headers {
        out.write_all(b"<TR>")?;
        for name in names {
            out.write_all(b"<TH>")?;
            write_escaped(out, name_bytes(name))?;
            out.write_all(b"</TH>\n")?;
        }
        out.write_all(b"</TR>\n")?;
    }
    out.write_all(b"<TR>")?;
    for value in values {
        out.write_all(b"<TD>")?;
        write_escaped(
            out,
            value_text(value)
                .as_deref()
                .unwrap_or(format.null_value.as_bytes()),
        )?;
        out.write_all(b"</TD>\n")?;
    }
    out.write_all(b"</TR>\n")
}

/// sqlite3's `output_html_string`: `< & > " '` as entities.
fn write_escaped(out: &mut dyn Write, text: &[u8]) -> io::Result<()> {
    for &b in text {
        match b {
            b'<' => out.write_all(b"&lt;")?,
            b'&' => out.write_all(b"&amp;")?,
            b'>' => out.write_all(b"&gt;")?,
            b'"' => out.write_all(b"&quot;")?,
            b'\'' => out.write_all(b"&#39;")?,
            _ => out.write_all(&[b])?,
        }
    }
    Ok(())
}
