//! Dot commands about files and the session: `.open`, `.output`, `.once`, `.read`,
//! `.import`, `.quit`, `.exit`.

use super::integer;
use crate::engine::{OpenOptions, Value};
use crate::output::{quote_identifier, quoted_sql_text, Mode};
use crate::shell::{fail, DotResult, Flow, Output, ReaderSource, Shell};
use std::io::Write;

pub fn quit(_shell: &mut Shell, _args: &[String]) -> DotResult {
    Ok(Flow::Quit)
}

pub fn exit(_shell: &mut Shell, args: &[String]) -> DotResult {
    match args.get(1).map(|code| integer(code) as i32) {
        Some(code) if code != 0 => Ok(Flow::Exit(code)),
        _ => Ok(Flow::Quit),
    }
}

/// `.open ?--new? ?--readonly? ?FILE?`: closes the database and opens FILE (no FILE: a new
/// transient database). Like sqlite3, a file that cannot be opened leaves a transient
/// in-memory database in its place.
pub fn open(shell: &mut Shell, args: &[String]) -> DotResult {
    let (mut new, mut read_only, mut file) = (false, false, None);
    for arg in &args[1..] {
        match arg.strip_prefix("--").or_else(|| arg.strip_prefix('-')) {
            Some("new") => new = true,
            Some("readonly") => read_only = true,
            Some(_) => return fail(format!("unknown option: {arg}")),
            None if file.is_some() => return fail(format!("extra argument: \"{arg}\"")),
            None => file = Some(arg.as_str()),
        }
    }
    if let (true, Some(path)) = (new, file) {
        // A missing file is what --new wants anyway.
        let _ = std::fs::remove_file(path);
    }
    let options = OpenOptions { read_only };
    if let Err(e) = shell.reopen(file, &options) {
        eprintln!(
            "Error: unable to open database \"{}\": {e}",
            file.unwrap_or("")
        );
        if shell.reopen(None, &OpenOptions::default()).is_err() {
            return fail("Error: cannot open a transient in-memory database");
        }
    }
    Ok(Flow::Continue)
}

pub fn output(shell: &mut Shell, args: &[String]) -> DotResult {
    redirect(shell, args, false)
}

pub fn once(shell: &mut Shell, args: &[String]) -> DotResult {
    redirect(shell, args, true)
}

/// `.output ?--bom? ?FILE?` and `.once ?--bom? FILE`.
fn redirect(shell: &mut Shell, args: &[String], once: bool) -> DotResult {
    let (mut bom, mut file) = (false, None);
    for arg in &args[1..] {
        match arg.strip_prefix("--").or_else(|| arg.strip_prefix('-')) {
            Some("bom") => bom = true,
            Some("e" | "x") => {
                return fail(format!(
                    "Error: .{} {arg} is not supported by Basalt yet",
                    args[0]
                ))
            }
            Some(_) => return fail(format!("ERROR: unknown option: \"{arg}\".")),
            None if file.is_some() => return fail(format!("ERROR: extra parameter: \"{arg}\".")),
            None => file = Some(arg.as_str()),
        }
    }
    let file = file.unwrap_or("stdout");
    // The `.once` command itself counts down one of the two.
    shell.once = if once { 2 } else { 0 };
    let _ = shell.out.flush();
    shell.out = Output::stdout();
    if file.starts_with('|') {
        return fail("Error: pipes are not supported by Basalt yet");
    }
    let opened = match file {
        "stdout" => Ok(Output::stdout()),
        "stderr" => Ok(Output::stderr()),
        // sqlite3 treats "off" as a failed open that it does not report.
        "off" => return Err(crate::shell::Failed),
        path => Output::file(path),
    };
    match opened {
        Ok(mut out) => {
            if bom {
                let _ = out.write_all("\u{feff}".as_bytes());
            }
            shell.out = out;
            Ok(Flow::Continue)
        }
        Err(_) => fail(format!("Error: cannot open \"{file}\"")),
    }
}

/// `.read FILE`: runs FILE through the same input loop as standard input.
pub fn read(shell: &mut Shell, args: &[String]) -> DotResult {
    let [_, path] = args else {
        return fail("Usage: .read FILE");
    };
    if path.starts_with('|') {
        return fail("Error: pipes are not supported by Basalt yet");
    }
    let file = match std::fs::File::open(path) {
        Ok(file) if !file.metadata().is_ok_and(|m| m.is_dir()) => file,
        _ => return fail(format!("Error: cannot open \"{path}\"")),
    };
    let mut source = ReaderSource(std::io::BufReader::new(file));
    match shell.process_input(&mut source) {
        Ok(false) => Ok(Flow::Continue),
        Ok(true) => Err(crate::shell::Failed),
        Err(code) => Ok(Flow::Exit(code)),
    }
}

/// `.import ?--csv|--ascii? ?--skip N? ?--schema S? ?-v? FILE TABLE`: CSV (or ASCII-separated)
/// rows into TABLE, created from the first row's names if it does not exist. The statements
/// run through the engine as SQL text with literal values, so nothing here needs a binding API.
pub fn import(shell: &mut Shell, args: &[String]) -> DotResult {
    let (mut file, mut table, mut schema) = (None, None, None);
    let (mut skip, mut verbose) = (0i64, 0);
    let mut separators: Option<(u8, u8)> = None;
    let mut i = 1;
    while i < args.len() {
        let arg = args[i].as_str();
        let option = arg
            .strip_prefix('-')
            .map(|o| o.strip_prefix('-').unwrap_or(o));
        match option {
            None if file.is_none() => file = Some(arg),
            None if table.is_none() => table = Some(arg),
            None => return fail(format!("ERROR: extra argument: \"{arg}\".")),
            Some("v") => verbose += 1,
            Some("schema") if i + 1 < args.len() => {
                i += 1;
                schema = Some(args[i].as_str());
            }
            Some("skip") if i + 1 < args.len() => {
                i += 1;
                skip = integer(&args[i]);
            }
            Some("ascii") => separators = Some((0x1f, 0x1e)),
            Some("csv") => separators = Some((b',', b'\n')),
            Some(_) => return fail(format!("ERROR: unknown option: \"{arg}\".")),
        }
        i += 1;
    }
    let (Some(file), Some(table)) = (file, table) else {
        let missing = if file.is_none() { "FILE" } else { "TABLE" };
        return fail(format!(
            "ERROR: missing {missing} argument. Usage: .import FILE TABLE"
        ));
    };
    let ascii = separators.map_or(shell.format.mode == Mode::Ascii, |(c, _)| c == 0x1f);
    let (column_separator, row_separator) = match separators {
        Some(pair) => pair,
        None => output_mode_separators(shell)?,
    };
    let Ok(data) = std::fs::read(file) else {
        return fail(format!("Error: cannot open \"{file}\""));
    };
    if verbose >= 1 {
        let line = format!(
            "Column separator \"{}\", row separator \"{}\"\n",
            char::from(column_separator).escape_default(),
            char::from(row_separator).escape_default()
        );
        let _ = shell.out.write_all(line.as_bytes());
    }
    let mut reader = FieldReader::new(&data, column_separator, row_separator, ascii);
    for _ in 0..skip.max(0) {
        while reader.field().is_some() && reader.ended_by == Some(column_separator) {}
    }
    let full_name = match schema {
        Some(s) => format!("{}.{}", quote_identifier(s), quote_identifier(table)),
        None => quote_identifier(table),
    };
    let column_count = match count_columns(shell, &full_name) {
        Ok(n) => n,
        Err(message) if message.starts_with("no such table: ") => {
            let mut names = Vec::new();
            while let Some(name) = reader.field() {
                names.push(if name.is_empty() {
                    "?".to_string()
                } else {
                    name
                });
                if reader.ended_by != Some(column_separator) {
                    break;
                }
            }
            if names.is_empty() {
                return fail(format!("{file}: empty file"));
            }
            // sqlite3 quotes every name here, whether it needs it or not.
            let quote = |name: &str| format!("\"{}\"", name.replace('"', "\"\""));
            let table_name = match schema {
                Some(s) => format!("{}.{}", quote(s), quote(table)),
                None => quote(table),
            };
            let create = format!(
                "CREATE TABLE {table_name}(\n{})",
                names
                    .iter()
                    .map(|n| format!("{} TEXT", quote(n)))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            run_statement(shell, &create)?;
            names.len()
        }
        Err(message) => return fail(format!("Error: {message}")),
    };
    let mut line = 1usize;
    while reader.ended_by.is_some() || line == 1 {
        let mut values: Vec<Value> = Vec::with_capacity(column_count);
        while values.len() < column_count {
            match reader.field() {
                Some(text) => values.push(Value::Text(text.into_bytes())),
                None => break,
            }
            if reader.ended_by != Some(column_separator) {
                break;
            }
        }
        if values.is_empty() {
            break;
        }
        if values.len() < column_count {
            eprintln!(
                "{file}:{line}: expected {column_count} columns but found {} - filling the rest with NULL",
                values.len()
            );
            values.resize(column_count, Value::Null);
        }
        let literals: Vec<String> = values
            .iter()
            .map(|v| match v {
                Value::Text(t) => String::from_utf8_lossy(&quoted_sql_text(t)).into_owned(),
                _ => "NULL".to_string(),
            })
            .collect();
        run_statement(
            shell,
            &format!("INSERT INTO {full_name} VALUES({})", literals.join(",")),
        )?;
        line += 1;
    }
    Ok(Flow::Continue)
}

/// The import separators implied by the output mode (sqlite3: single characters only; CSV's
/// output row separator `\r\n` reads as `\n`).
fn output_mode_separators(shell: &Shell) -> Result<(u8, u8), crate::shell::Failed> {
    let column = shell.format.column_separator.as_bytes();
    let mut row = shell.format.row_separator.as_bytes();
    if column.is_empty() {
        return fail("Error: non-null column separator required for import").map(|_| (0, 0));
    }
    if column.len() > 1 {
        return fail("Error: multi-character column separators not allowed for import")
            .map(|_| (0, 0));
    }
    if shell.format.mode == Mode::Csv && row == b"\r\n" {
        row = b"\n";
    }
    match row {
        [] => fail("Error: non-null row separator required for import").map(|_| (0, 0)),
        [r] => Ok((column[0], *r)),
        _ => fail("Error: multi-character row separators not allowed for import").map(|_| (0, 0)),
    }
}

/// How many columns `table` has, from compiling `SELECT * FROM table`.
fn count_columns(shell: &mut Shell, table: &str) -> Result<usize, String> {
    match shell.engine.prepare(&format!("SELECT * FROM {table}")) {
        Ok(Some(prepared)) => Ok(prepared.statement.column_names().len()),
        Ok(None) => Ok(0),
        Err(e) => Err(e.message),
    }
}

/// Runs one statement to completion, reporting a failure as `.import` does.
fn run_statement(shell: &mut Shell, sql: &str) -> Result<(), crate::shell::Failed> {
    let result = match shell.engine.prepare(sql) {
        Ok(Some(prepared)) => {
            let mut statement = prepared.statement;
            loop {
                match statement.step() {
                    Ok(Some(_)) => {}
                    Ok(None) => break Ok(()),
                    Err(e) => break Err(e),
                }
            }
        }
        Ok(None) => Ok(()),
        Err(e) => Err(e),
    };
    result.or_else(|e| fail(format!("Error: {e}")).map(|_| ()))
}

/// sqlite3's CSV field reader (RFC 4180 quoting; a UTF-8 BOM at the start is skipped), or its
/// plain reader for ASCII-separated input.
struct FieldReader<'a> {
    data: &'a [u8],
    at: usize,
    column_separator: u8,
    row_separator: u8,
    ascii: bool,
    /// The byte that ended the last field; `None` at the end of the input.
    ended_by: Option<u8>,
}

impl<'a> FieldReader<'a> {
    fn new(data: &'a [u8], column_separator: u8, row_separator: u8, ascii: bool) -> Self {
        let at = if !ascii && data.starts_with(b"\xef\xbb\xbf") {
            3
        } else {
            0
        };
        FieldReader {
            data,
            at,
            column_separator,
            row_separator,
            ascii,
            ended_by: Some(row_separator),
        }
    }

    fn next_byte(&mut self) -> Option<u8> {
        let b = self.data.get(self.at).copied();
        if b.is_some() {
            self.at += 1;
        }
        b
    }

    /// The next field, or `None` at the end of the input.
    fn field(&mut self) -> Option<String> {
        let mut field = Vec::new();
        let first = self.next_byte();
        let Some(first) = first else {
            self.ended_by = None;
            return None;
        };
        if first == b'"' && !self.ascii {
            // Inside quotes, `""` is a quote; the field ends at a separator (or `\r\n`, or
            // the end) right after a quote, which is then dropped.
            let (mut previous, mut before) = (0u8, 0u8);
            loop {
                let c = self.next_byte();
                if c == Some(b'"') && previous == b'"' {
                    previous = 0;
                    continue;
                }
                let ends = match c {
                    Some(c) => {
                        (previous == b'"'
                            && (c == self.column_separator || c == self.row_separator))
                            || (c == self.row_separator && previous == b'\r' && before == b'"')
                    }
                    None => previous == b'"',
                };
                if ends {
                    while let Some(b) = field.pop() {
                        if b == b'"' {
                            break;
                        }
                    }
                    self.ended_by = c;
                    break;
                }
                match c {
                    Some(c) => {
                        field.push(c);
                        before = previous;
                        previous = c;
                    }
                    None => {
                        eprintln!("unterminated \"-quoted field");
                        self.ended_by = None;
                        break;
                    }
                }
            }
        } else {
            let mut c = Some(first);
            while let Some(b) = c {
                if b == self.column_separator || b == self.row_separator {
                    break;
                }
                field.push(b);
                c = self.next_byte();
            }
            if c == Some(self.row_separator) && !self.ascii && field.last() == Some(&b'\r') {
                field.pop();
            }
            self.ended_by = c;
        }
        Some(String::from_utf8_lossy(&field).into_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_fields() {
        let data = b"a,\"b,\"\"c\"\"\"\r\n1,2\n";
        let mut reader = FieldReader::new(data, b',', b'\n', false);
        let mut fields = Vec::new();
        while let Some(f) = reader.field() {
            fields.push(f);
        }
        assert_eq!(fields, ["a", "b,\"c\"", "1", "2"]);
    }
}
