//! `.mode line`: one `name = value` line per column, a blank line between rows.

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
    // Names are right-aligned to the longest one, but never narrower than 5 (C's `%*s`
    // counts bytes).
    let width = names
        .iter()
        .map(|n| name_bytes(n).len())
        .max()
        .unwrap_or(0)
        .max(5);
    let row_separator = format.row_separator.as_bytes();
    if index > 0 {
        out.write_all(row_separator)?;
    }
    for (name, value) in names.iter().zip(values) {
        let name = name_bytes(name);
        out.write_all(&vec![b' '; width - name.len()])?;
        out.write_all(name)?;
        out.write_all(b" = ")?;
        out.write_all(
            value_text(value)
                .as_deref()
                .unwrap_or(format.null_value.as_bytes()),
        )?;
        out.write_all(row_separator)?;
    }
    Ok(())
}
