//! Result rendering: sqlite3's output modes, byte for byte.
//!
//! Every formatter takes the column names and a source of rows of [`Value`]s, so it neither
//! knows nor cares which engine produced them. Modes come in families, one module each:
//! delimited text (`list`, `csv`, `tabs`, `ascii`, `tcl`), SQL literals (`quote`, `insert`),
//! `line`, `html`, `json`, and the aligned ones (`column`, `table`, `box`, `markdown`) that
//! share one layout engine in `columnar`.
//!
//! Like sqlite3, a statement that returns no row prints nothing at all (no header, no `[]`).
//! Text goes out as the bytes it holds, invalid UTF-8 included; modes that take a value's text
//! (as `sqlite3_column_text` gives it) see text and blobs cut at the first NUL, as the C shell
//! does.

mod columnar;
mod delimited;
pub mod explain;
mod html;
mod json;
mod line;
pub mod number;
#[cfg(test)]
mod oracle_tests;
pub mod query_plan;
mod quote;

use crate::engine::{EngineError, Value};
use std::borrow::Cow;
use std::io::Write;

pub use quote::{quote_identifier, quoted_sql_text};

/// sqlite3's output modes, named as `.mode` names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Line,
    Column,
    List,
    Html,
    Insert,
    Quote,
    Tcl,
    Csv,
    Ascii,
    Json,
    Markdown,
    Table,
    Box,
    Count,
    Off,
}

impl Mode {
    /// The name `.mode` and `.show` print (sqlite3's `modeDescr`).
    pub fn name(self) -> &'static str {
        match self {
            Mode::Line => "line",
            Mode::Column => "column",
            Mode::List => "list",
            Mode::Html => "html",
            Mode::Insert => "insert",
            Mode::Quote => "quote",
            Mode::Tcl => "tcl",
            Mode::Csv => "csv",
            Mode::Ascii => "ascii",
            Mode::Json => "json",
            Mode::Markdown => "markdown",
            Mode::Table => "table",
            Mode::Box => "box",
            Mode::Count => "count",
            Mode::Off => "off",
        }
    }

    /// The aligned modes, whose `.mode` line also shows the wrapping options.
    pub fn is_columnar(self) -> bool {
        matches!(
            self,
            Mode::Column | Mode::Table | Mode::Box | Mode::Markdown
        )
    }
}

/// Everything that shapes the output of a query (sqlite3's `ShellState` display fields).
#[derive(Debug, Clone)]
pub struct Format {
    pub mode: Mode,
    pub headers: bool,
    pub column_separator: String,
    pub row_separator: String,
    pub null_value: String,
    /// `.width`: minimum widths of the aligned modes, negative to right-justify; 0 = auto.
    pub widths: Vec<i64>,
    /// `--wrap N`: the widest an aligned column grows before wrapping (0 = never, sqlite3's
    /// start-up value; `.mode` makes it 60).
    pub wrap: usize,
    pub word_wrap: bool,
    /// `--quote`: aligned modes show values as SQL literals.
    pub quote: bool,
    /// The table name `.mode insert` writes into, already quoted if it needs to be.
    pub insert_table: String,
}

impl Default for Format {
    fn default() -> Format {
        Format {
            mode: Mode::List,
            headers: false,
            column_separator: "|".into(),
            row_separator: "\n".into(),
            null_value: String::new(),
            widths: Vec::new(),
            wrap: 0,
            word_wrap: false,
            quote: false,
            insert_table: "\"table\"".into(),
        }
    }
}

/// Why rendering stopped.
#[derive(Debug)]
pub enum OutputError {
    /// The engine failed while stepping (a runtime error).
    Engine(EngineError),
    Io(std::io::Error),
}

impl std::fmt::Display for OutputError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            OutputError::Engine(e) => e.fmt(f),
            OutputError::Io(e) => e.fmt(f),
        }
    }
}

impl From<std::io::Error> for OutputError {
    fn from(e: std::io::Error) -> OutputError {
        OutputError::Io(e)
    }
}

/// Produces the next row, `None` at the end (a statement's `step`).
pub type RowSource<'a> = dyn FnMut() -> Result<Option<Vec<Value>>, EngineError> + 'a;

/// Writes the rows of one statement in `format`. Returns the number of rows.
pub fn write_results(
    out: &mut dyn Write,
    format: &Format,
    names: &[String],
    next_row: &mut RowSource<'_>,
) -> Result<u64, OutputError> {
    let Some(first) = next_row().map_err(OutputError::Engine)? else {
        return Ok(0);
    };
    if format.mode.is_columnar() {
        return columnar::write(out, format, names, first, next_row);
    }
    let mut count = 0u64;
    let mut row = Some(first);
    // A runtime error ends the rows, but what was printed stays and modes that close their
    // output (json) still do, as in sqlite3.
    let mut failure = None;
    while let Some(values) = row.take() {
        write_row(out, format, names, &values, count)?;
        count += 1;
        match next_row() {
            Ok(next) => row = next,
            Err(e) => failure = Some(e),
        }
    }
    match format.mode {
        Mode::Json => out.write_all(b"]\n")?,
        Mode::Count => writeln!(out, "{count} row{}", if count == 1 { "" } else { "s" })?,
        _ => {}
    }
    match failure {
        Some(e) => Err(OutputError::Engine(e)),
        None => Ok(count),
    }
}

/// One row of a streaming mode; `index` counts the rows written before it.
fn write_row(
    out: &mut dyn Write,
    format: &Format,
    names: &[String],
    values: &[Value],
    index: u64,
) -> std::io::Result<()> {
    match format.mode {
        Mode::List | Mode::Csv | Mode::Ascii | Mode::Tcl => {
            delimited::write_row(out, format, names, values, index)
        }
        Mode::Quote | Mode::Insert => quote::write_row(out, format, names, values, index),
        Mode::Line => line::write_row(out, format, names, values, index),
        Mode::Html => html::write_row(out, format, names, values, index),
        Mode::Json => json::write_row(out, names, values, index),
        // Count and off print no rows; the aligned modes never stream (columnar::write).
        Mode::Count | Mode::Off | Mode::Column | Mode::Table | Mode::Box | Mode::Markdown => Ok(()),
    }
}

/// A value's text as `sqlite3_column_text` gives it to the C shell: `None` for NULL, numbers
/// in SQLite's text form, text and blobs up to their first NUL byte.
pub fn value_text(value: &Value) -> Option<Cow<'_, [u8]>> {
    fn until_nul(bytes: &[u8]) -> &[u8] {
        bytes
            .iter()
            .position(|&b| b == 0)
            .map_or(bytes, |n| &bytes[..n])
    }
    match value {
        Value::Null => None,
        Value::Integer(i) => Some(Cow::Owned(i.to_string().into_bytes())),
        Value::Real(r) => Some(Cow::Owned(number::real_to_text(*r).into_bytes())),
        Value::Text(bytes) | Value::Blob(bytes) => Some(Cow::Borrowed(until_nul(bytes))),
    }
}

/// The decimal text of `n` in `buf` (20 bytes hold `i64::MIN`): the text `value_text` gives an
/// integer, without allocating, for the modes that write every field of every row.
pub fn integer_text(n: i64, buf: &mut [u8; 20]) -> &[u8] {
    let mut magnitude = n.unsigned_abs();
    let mut start = buf.len();
    loop {
        start -= 1;
        buf[start] = b'0' + (magnitude % 10) as u8;
        magnitude /= 10;
        if magnitude == 0 {
            break;
        }
    }
    if n < 0 {
        start -= 1;
        buf[start] = b'-';
    }
    &buf[start..]
}

/// A column name as C sees it (names are C strings too).
fn name_bytes(name: &str) -> &[u8] {
    let bytes = name.as_bytes();
    bytes
        .iter()
        .position(|&b| b == 0)
        .map_or(bytes, |n| &bytes[..n])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integer_text_is_to_string() {
        let mut buf = [0u8; 20];
        for n in [
            0,
            7,
            -7,
            10,
            -10,
            1234567890,
            i64::MAX,
            i64::MIN,
            i64::MIN + 1,
        ] {
            assert_eq!(integer_text(n, &mut buf), n.to_string().as_bytes());
        }
    }
}

#[cfg(test)]
pub(crate) mod testing {
    use super::*;

    /// Renders `rows` in `format`, for unit tests.
    pub fn render(format: &Format, names: &[&str], rows: Vec<Vec<Value>>) -> String {
        let names: Vec<String> = names.iter().map(|s| s.to_string()).collect();
        let mut rows = rows.into_iter();
        let mut out = Vec::new();
        write_results(&mut out, format, &names, &mut || Ok(rows.next()))
            .unwrap_or_else(|e| panic!("render failed: {e:?}"));
        String::from_utf8_lossy(&out).into_owned()
    }
}
