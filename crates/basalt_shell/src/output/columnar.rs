//! The aligned modes, `column`, `table`, `box` and `markdown`: one layout engine, four
//! decorations (sqlite3's `exec_prepared_stmt_columnar`).
//!
//! All rows are read first, because a column is as wide as its widest cell. A cell shows the
//! first line of its value: tabs expand to the next multiple of 8, a value longer than the
//! column's wrap width (its `.width`, else `--wrap`, default 60) continues on further lines,
//! and so does text after a newline. Widths count characters the way sqlite3 does: every byte
//! that is not a UTF-8 continuation byte is one column, whatever its display width.

use super::{value_text, Format, Mode, OutputError, RowSource};
use crate::engine::Value;
use std::io::Write;

/// One display line of a cell; `None` is NULL, shown as the null text.
type Cell = Option<Vec<u8>>;

pub fn write(
    out: &mut dyn Write,
    format: &Format,
    names: &[String],
    first: Vec<Value>,
    next_row: &mut RowSource<'_>,
) -> Result<u64, OutputError> {
    let columns = names.len();
    if columns == 0 {
        return Ok(0);
    }
    let wrap_width = |i: usize| -> usize {
        match format.widths.get(i).copied().unwrap_or(0) {
            0 => format.wrap,
            w => usize::try_from(w.unsigned_abs()).unwrap_or(usize::MAX),
        }
    };
    // The header line, then every display line of every row; `row_ends[k]` says whether
    // display line k+1 ends its row (multi-line rows get a divider after their last line).
    let mut lines: Vec<Vec<Cell>> = vec![names
        .iter()
        .enumerate()
        .map(|(i, name)| Some(first_line(name.as_bytes(), wrap_width(i), format.word_wrap).0))
        .collect()];
    let mut row_ends = Vec::new();
    let mut multi_line = false;
    let mut rows = 0u64;
    let mut pending: Option<Vec<Value>> = Some(first);
    while let Some(values) = pending.take() {
        rows += 1;
        let mut rest: Vec<Option<Vec<u8>>> =
            values.iter().map(|v| cell_text(v, format.quote)).collect();
        rest.resize(columns, None);
        let mut continuation = false;
        loop {
            let mut line = Vec::with_capacity(columns);
            let mut more = false;
            for (i, text) in rest.iter_mut().enumerate() {
                match text.take() {
                    // On a continuation line a used-up value is blank, not NULL.
                    None if continuation => line.push(Some(Vec::new())),
                    None => line.push(None),
                    Some(t) => {
                        let (shown, tail) = first_line(&t, wrap_width(i), format.word_wrap);
                        line.push(Some(shown));
                        if let Some(tail) = tail {
                            more = true;
                            *text = Some(t[tail..].to_vec());
                        }
                    }
                }
            }
            lines.push(line);
            row_ends.push(!more);
            multi_line |= more;
            if !more {
                break;
            }
            continuation = true;
        }
        pending = next_row().map_err(OutputError::Engine)?;
    }
    let null = format.null_value.as_bytes();
    let mut widths: Vec<usize> = (0..columns)
        .map(|i| {
            let w = format.widths.get(i).copied().unwrap_or(0).unsigned_abs();
            usize::try_from(w).unwrap_or(usize::MAX)
        })
        .collect();
    for line in &lines {
        for (i, cell) in line.iter().enumerate() {
            let n = char_count(cell.as_deref().unwrap_or(null));
            widths[i] = widths[i].max(n);
        }
    }
    let right = |i: usize| format.widths.get(i).is_some_and(|&w| w < 0);
    let decoration = Decoration::of(format.mode);
    decoration.top(out, &widths)?;
    let header = &lines[0];
    match format.mode {
        Mode::Column => {
            if format.headers {
                for (i, cell) in header.iter().enumerate() {
                    pad(out, cell.as_deref().unwrap_or(b""), widths[i], right(i))?;
                    out.write_all(if i + 1 == columns { b"\n" } else { b"  " })?;
                }
                for (i, &w) in widths.iter().enumerate() {
                    out.write_all(&b"-".repeat(w))?;
                    out.write_all(if i + 1 == columns { b"\n" } else { b"  " })?;
                }
            }
        }
        _ => {
            out.write_all(decoration.left)?;
            for (i, cell) in header.iter().enumerate() {
                let text = cell.as_deref().unwrap_or(b"");
                let spare = widths[i].saturating_sub(char_count(text));
                out.write_all(&b" ".repeat(spare / 2))?;
                out.write_all(text)?;
                out.write_all(&b" ".repeat(spare.div_ceil(2)))?;
                out.write_all(if i + 1 == columns {
                    decoration.right
                } else {
                    decoration.between
                })?;
            }
            decoration.below_header(out, &widths)?;
        }
    }
    let body = &lines[1..];
    for (k, line) in body.iter().enumerate() {
        out.write_all(decoration.left)?;
        for (i, cell) in line.iter().enumerate() {
            pad(out, cell.as_deref().unwrap_or(null), widths[i], right(i))?;
            out.write_all(if i + 1 == columns {
                decoration.right
            } else {
                decoration.between
            })?;
        }
        if multi_line && row_ends[k] && k + 1 < body.len() {
            decoration.between_rows(out, &widths)?;
        }
    }
    decoration.bottom(out, &widths)?;
    Ok(rows)
}

/// What a value shows in an aligned cell: its text, or with `--quote` its SQL literal.
fn cell_text(value: &Value, quote: bool) -> Option<Vec<u8>> {
    if !quote {
        return value_text(value).map(|t| t.into_owned());
    }
    Some(match value {
        Value::Null => b"NULL".to_vec(),
        Value::Text(_) => super::quoted_sql_text(value_text(value).as_deref().unwrap_or(b"")),
        Value::Blob(bytes) => {
            let mut s = String::from("x'");
            for b in bytes {
                s.push_str(&format!("{b:02x}"));
            }
            s.push('\'');
            s.into_bytes()
        }
        _ => value_text(value)
            .map(|t| t.into_owned())
            .unwrap_or_default(),
    })
}

/// sqlite3's `translateForDisplayAndDup`: the part of `text` shown on one line (tabs
/// expanded, at most `max_width` characters) and where the next line starts, if any.
fn first_line(text: &[u8], max_width: usize, word_wrap: bool) -> (Vec<u8>, Option<usize>) {
    let max_width = if max_width == 0 { 1_000_000 } else { max_width };
    let at = |i: usize| text.get(i).copied().unwrap_or(0);
    let continuation = |i: usize| at(i) & 0xc0 == 0x80;
    let (mut i, mut n) = (0usize, 0usize);
    while n < max_width {
        let c = at(i);
        if c >= b' ' {
            n += 1;
            i += 1;
            while continuation(i) {
                i += 1;
            }
        } else if c == b'\t' {
            n += 1;
            while n % 8 != 0 && n < max_width {
                n += 1;
            }
            i += 1;
        } else {
            break;
        }
    }
    let mut keep = i;
    if n >= max_width && word_wrap {
        // Back up to a space, else to a word boundary, if one lies in the second half.
        let half = i / 2;
        let mut k = i;
        while k > half && !at(k - 1).is_ascii_whitespace() {
            k -= 1;
        }
        if k <= half {
            k = i;
            // Stop where alphanumerics meet non-alphanumerics, outside a UTF-8 sequence.
            while k > half
                && (continuation(k)
                    || at(k - 1).is_ascii_alphanumeric() == at(k).is_ascii_alphanumeric())
            {
                k -= 1;
            }
        }
        if k > half {
            keep = k;
            i = k;
            while at(i) == b' ' {
                i += 1;
            }
        }
    }
    let tail = if n >= max_width && at(i) >= b' ' {
        Some(i)
    } else if at(i) == b'\r' && at(i + 1) == b'\n' {
        (at(i + 2) != 0).then_some(i + 2)
    } else if at(i) == 0 || at(i + 1) == 0 {
        None
    } else {
        Some(i + 1)
    };
    let mut shown = Vec::with_capacity(keep + 8);
    let (mut i, mut n) = (0usize, 0usize);
    while i < keep {
        let c = at(i);
        if c >= b' ' {
            n += 1;
            shown.push(c);
            i += 1;
            while continuation(i) {
                shown.push(at(i));
                i += 1;
            }
        } else if c == b'\t' {
            n += 1;
            shown.push(b' ');
            while n % 8 != 0 && n < max_width {
                n += 1;
                shown.push(b' ');
            }
            i += 1;
        } else {
            break;
        }
    }
    (shown, tail)
}

/// Characters as sqlite3 counts them: bytes that are not UTF-8 continuation bytes.
fn char_count(text: &[u8]) -> usize {
    text.iter().filter(|&&b| b & 0xc0 != 0x80).count()
}

/// `text` padded with spaces to `width` characters (sqlite3's `utf8_width_print`).
fn pad(out: &mut dyn Write, text: &[u8], width: usize, right: bool) -> std::io::Result<()> {
    let spaces = b" ".repeat(width.saturating_sub(char_count(text)));
    if right {
        out.write_all(&spaces)?;
        out.write_all(text)
    } else {
        out.write_all(text)?;
        out.write_all(&spaces)
    }
}

/// The lines and corners each aligned mode draws.
struct Decoration {
    mode: Mode,
    left: &'static [u8],
    between: &'static [u8],
    right: &'static [u8],
}

const BOX_H: &str = "─";

impl Decoration {
    fn of(mode: Mode) -> Decoration {
        let (left, between, right): (&[u8], &[u8], &[u8]) = match mode {
            Mode::Box => ("│ ".as_bytes(), " │ ".as_bytes(), " │\n".as_bytes()),
            Mode::Table | Mode::Markdown => (b"| ", b" | ", b" |\n"),
            _ => (b"", b"  ", b"\n"),
        };
        Decoration {
            mode,
            left,
            between,
            right,
        }
    }

    /// A horizontal rule: `start`, then per column a run of `fill` (width + 2) and `joint`
    /// between columns, then `end`.
    fn rule(
        out: &mut dyn Write,
        widths: &[usize],
        [start, joint, end]: [&str; 3],
        fill: &str,
    ) -> std::io::Result<()> {
        out.write_all(start.as_bytes())?;
        for (i, &w) in widths.iter().enumerate() {
            if i > 0 {
                out.write_all(joint.as_bytes())?;
            }
            out.write_all(fill.repeat(w + 2).as_bytes())?;
        }
        out.write_all(end.as_bytes())?;
        out.write_all(b"\n")
    }

    fn top(&self, out: &mut dyn Write, widths: &[usize]) -> std::io::Result<()> {
        match self.mode {
            Mode::Table => Self::rule(out, widths, ["+", "+", "+"], "-"),
            Mode::Box => Self::rule(out, widths, ["┌", "┬", "┐"], BOX_H),
            _ => Ok(()),
        }
    }

    fn below_header(&self, out: &mut dyn Write, widths: &[usize]) -> std::io::Result<()> {
        match self.mode {
            Mode::Markdown => Self::rule(out, widths, ["|", "|", "|"], "-"),
            _ => self.between_rows(out, widths),
        }
    }

    fn between_rows(&self, out: &mut dyn Write, widths: &[usize]) -> std::io::Result<()> {
        match self.mode {
            Mode::Table => Self::rule(out, widths, ["+", "+", "+"], "-"),
            Mode::Box => Self::rule(out, widths, ["├", "┼", "┤"], BOX_H),
            Mode::Column => out.write_all(b"\n"),
            _ => Ok(()),
        }
    }

    fn bottom(&self, out: &mut dyn Write, widths: &[usize]) -> std::io::Result<()> {
        match self.mode {
            Mode::Table => Self::rule(out, widths, ["+", "+", "+"], "-"),
            Mode::Box => Self::rule(out, widths, ["└", "┴", "┘"], BOX_H),
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::testing::render;

    #[test]
    fn box_layout() {
        let format = Format {
            mode: Mode::Box,
            headers: true,
            ..Format::default()
        };
        let rows = vec![
            vec![Value::Integer(1), Value::Text(b"alice".to_vec())],
            vec![Value::Integer(22), Value::Null],
        ];
        assert_eq!(
            render(&format, &["id", "name"], rows),
            "┌────┬───────┐\n\
             │ id │ name  │\n\
             ├────┼───────┤\n\
             │ 1  │ alice │\n\
             │ 22 │       │\n\
             └────┴───────┘\n"
        );
    }

    #[test]
    fn wrapping_and_tabs() {
        assert_eq!(
            first_line(b"a\tb", 60, false),
            (b"a       b".to_vec(), None)
        );
        assert_eq!(first_line(b"ab\ncd", 60, false), (b"ab".to_vec(), Some(3)));
        assert_eq!(first_line(b"abcdef", 4, false), (b"abcd".to_vec(), Some(4)));
        assert_eq!(first_line(b"ab cdef", 5, true), (b"ab ".to_vec(), Some(3)));
    }
}
