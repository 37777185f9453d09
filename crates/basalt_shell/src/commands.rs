//! The shell's state and its dot commands.

use basalt_core::io::FileIo;
use basalt_core::pager::{Pager, PagerOptions};
use basalt_core::schema::{ObjectKind, Schema};
use basalt_core::Error;
use std::io::Write;
use std::sync::Arc;

pub enum Flow {
    Continue,
    Quit,
}

pub struct Shell {
    pager: Pager,
}

const HELP: &str = "\
.exit ?CODE?             Exit this program with return-code CODE
.help                    Show this message
.open FILE               Close the existing database and reopen FILE
.quit                    Exit this program
.schema ?PATTERN?        Show the CREATE statements matching PATTERN
.tables ?PATTERN?        List names of tables matching LIKE pattern PATTERN
";

impl Shell {
    pub fn open(path: Option<&str>) -> Result<Shell, Error> {
        let pager = match path {
            None | Some("") | Some(":memory:") => {
                Pager::open_memory(basalt_core::format::DEFAULT_PAGE_SIZE)?
            }
            Some(path) => Pager::open(Arc::new(FileIo), path, &PagerOptions::default())?,
        };
        Ok(Shell { pager })
    }

    fn schema(&mut self) -> Result<Schema, String> {
        Schema::load(&mut self.pager).map_err(|e| format!("Error: {e}"))
    }

    pub fn dot_command(&mut self, line: &str, out: &mut impl Write) -> Result<Flow, String> {
        let mut words = line.split_whitespace();
        let command = words.next().unwrap_or(".").trim_start_matches('.');
        let argument = words.next();
        match command {
            "quit" | "exit" => return Ok(Flow::Quit),
            "help" => write!(out, "{HELP}").map_err(|e| e.to_string())?,
            "open" => {
                let path = argument.ok_or("Error: missing FILE argument")?;
                *self = Shell::open(Some(path)).map_err(|e| format!("Error: unable to open database \"{path}\": {e}"))?;
            }
            "tables" => self.tables(argument, out)?,
            "schema" => self.print_schema(argument, out)?,
            _ => {
                return Err(format!(
                    "Error: unknown command or invalid arguments:  \"{command}\". Enter \".help\" for help"
                ))
            }
        }
        Ok(Flow::Continue)
    }

    fn tables(&mut self, pattern: Option<&str>, out: &mut impl Write) -> Result<(), String> {
        let schema = self.schema()?;
        let mut names: Vec<&str> = schema
            .entries
            .iter()
            .filter(|e| matches!(e.kind, ObjectKind::Table | ObjectKind::View))
            .filter(|e| !e.name.starts_with("sqlite_"))
            .filter(|e| pattern.is_none_or(|p| like(p, &e.name)))
            .map(|e| e.name.as_str())
            .collect();
        names.sort_unstable();
        write_columns(&names, out).map_err(|e| e.to_string())
    }

    fn print_schema(&mut self, pattern: Option<&str>, out: &mut impl Write) -> Result<(), String> {
        let schema = self.schema()?;
        for entry in &schema.entries {
            let Some(sql) = &entry.sql else { continue };
            if pattern.is_some_and(|p| !like(p, &entry.name) && !like(p, &entry.table_name)) {
                continue;
            }
            writeln!(out, "{};", schema_line(sql)).map_err(|e| e.to_string())?;
        }
        Ok(())
    }

    /// SQL statements: refused until the query engine exists.
    pub fn run_line(&mut self, sql: &str, _out: &mut impl Write) -> Result<(), ()> {
        if is_blank(sql) {
            return Ok(());
        }
        eprintln!("Error: not supported by Basalt yet: executing SQL statements (the query engine is not built)");
        Err(())
    }
}

/// sqlite3 prints a table whose name is quoted in its CREATE text as `CREATE TABLE IF NOT
/// EXISTS`, so that its `.schema` output can be replayed into a database that has it.
fn schema_line(sql: &str) -> std::borrow::Cow<'_, str> {
    match sql.strip_prefix("CREATE TABLE ") {
        Some(rest) if rest.starts_with(['"', '\'']) => format!("CREATE TABLE IF NOT EXISTS {rest}").into(),
        _ => sql.into(),
    }
}

/// sqlite3's `.tables` layout: column-major, every name padded to the longest (in bytes, as C's
/// `%-*s` pads), columns two spaces apart, as many as fit in 80 characters.
fn write_columns(names: &[&str], out: &mut impl Write) -> std::io::Result<()> {
    if names.is_empty() {
        return Ok(());
    }
    let width = names.iter().map(|n| n.len()).max().unwrap_or(0);
    let per_line = (80 / (width + 2)).max(1);
    let rows = names.len().div_ceil(per_line);
    for row in 0..rows {
        let mut line = String::new();
        for (column, name) in names.iter().skip(row).step_by(rows).enumerate() {
            if column > 0 {
                line.push_str("  ");
            }
            line.push_str(name);
            line.extend(std::iter::repeat_n(' ', width - name.len()));
        }
        writeln!(out, "{line}")?;
    }
    Ok(())
}

/// SQL LIKE with `%` and `_`, ASCII case-insensitive, as `.tables` and `.schema` use it.
fn like(pattern: &str, text: &str) -> bool {
    fn matches(p: &[u8], t: &[u8]) -> bool {
        match p.split_first() {
            None => t.is_empty(),
            Some((b'%', rest)) => (0..=t.len()).any(|i| matches(rest, &t[i..])),
            Some((b'_', rest)) => !t.is_empty() && matches(rest, &t[1..]),
            Some((c, rest)) => {
                t.first().is_some_and(|x| x.eq_ignore_ascii_case(c)) && matches(rest, &t[1..])
            }
        }
    }
    matches(pattern.as_bytes(), text.as_bytes())
}

/// True when `sql` holds nothing but white space and comments.
fn is_blank(sql: &str) -> bool {
    let mut rest = sql.trim_start();
    loop {
        if let Some(after) = rest.strip_prefix("--") {
            rest = after
                .split_once('\n')
                .map_or("", |(_, tail)| tail)
                .trim_start();
        } else if let Some(after) = rest.strip_prefix("/*") {
            rest = after
                .split_once("*/")
                .map_or("", |(_, tail)| tail)
                .trim_start();
        } else {
            return rest.is_empty() || rest.chars().all(|c| c == ';' || c.is_whitespace());
        }
    }
}

/// Whether `sql` ends with a `;` outside strings, quoted names and comments: the moment the
/// shell runs what it has read.
pub fn is_complete(sql: &str) -> bool {
    let bytes = sql.as_bytes();
    let mut i = 0;
    let mut ends_with_semicolon = false;
    while i < bytes.len() {
        let c = bytes[i];
        let close = match c {
            b'\'' => Some(b'\''),
            b'"' => Some(b'"'),
            b'`' => Some(b'`'),
            b'[' => Some(b']'),
            _ => None,
        };
        if let Some(close) = close {
            match bytes[i + 1..].iter().position(|&b| b == close) {
                Some(n) => i += n + 2,
                None => return false,
            }
            ends_with_semicolon = false;
            continue;
        }
        if bytes[i..].starts_with(b"--") {
            i = bytes[i..]
                .iter()
                .position(|&b| b == b'\n')
                .map_or(bytes.len(), |n| i + n + 1);
            continue;
        }
        if bytes[i..].starts_with(b"/*") {
            match sql[i + 2..].find("*/") {
                Some(n) => i += n + 4,
                None => return false,
            }
            continue;
        }
        if c == b';' {
            ends_with_semicolon = true;
        } else if !c.is_ascii_whitespace() {
            ends_with_semicolon = false;
        }
        i += 1;
    }
    ends_with_semicolon
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn completeness_respects_quotes_and_comments() {
        assert!(is_complete("select 1;"));
        assert!(is_complete("select 1; -- done\n"));
        assert!(!is_complete("select ';'"));
        assert!(!is_complete("select 1 /* ; */"));
        assert!(is_complete("select \"a;b\";  "));
        assert!(!is_complete("select [x;"));
    }

    #[test]
    fn like_patterns() {
        assert!(like("t%", "Tab"));
        assert!(like("_b", "ab"));
        assert!(!like("t_", "t"));
    }
}
