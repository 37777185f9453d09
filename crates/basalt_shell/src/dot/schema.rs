//! Dot commands about the database itself: `.tables`, `.indexes`, `.schema`, `.fullschema`,
//! `.databases`, `.dbinfo`, `.dump`: the catalogue and the header as the engine gives them,
//! table rows through `SELECT`.

use super::settings::write_out;
use crate::catalog;
use crate::output::{self, quote_identifier, Mode};
use crate::shell::{fail, DotResult, Flow, Shell};
use basalt_core::format::TextEncoding;
use basalt_core::schema::{ObjectKind, Schema, SchemaEntry};

fn load_schema(shell: &mut Shell) -> Result<Schema, crate::shell::Failed> {
    shell
        .engine
        .schema()
        .or_else(|e| fail(format!("Error: {e}")).map(|_| Schema::default()))
}

pub fn tables(shell: &mut Shell, args: &[String]) -> DotResult {
    let schema = load_schema(shell)?;
    let pattern = args.get(1).map(String::as_str).unwrap_or("%");
    let names = schema
        .entries
        .iter()
        .filter(|e| matches!(e.kind, ObjectKind::Table | ObjectKind::View))
        .filter(|e| !like(b"sqlite\\_%", e.name.as_bytes(), Some(b'\\')))
        .filter(|e| like(pattern.as_bytes(), e.name.as_bytes(), None))
        .map(|e| e.name.as_str());
    let text = columns_layout(names);
    write_out(shell, text.as_bytes())
}

pub fn indexes(shell: &mut Shell, args: &[String]) -> DotResult {
    if args.len() > 2 {
        return fail("Usage: .indexes ?LIKE-PATTERN?");
    }
    let schema = load_schema(shell)?;
    let pattern = args.get(1).map(String::as_str).unwrap_or("%");
    let names = schema
        .entries
        .iter()
        .filter(|e| e.kind == ObjectKind::Index)
        .filter(|e| like(pattern.as_bytes(), e.table_name.as_bytes(), None))
        .map(|e| e.name.as_str());
    let text = columns_layout(names);
    write_out(shell, text.as_bytes())
}

/// sqlite3's `.tables` layout: sorted, column-major, every name padded to the longest (in
/// bytes, as C's `%-*s` pads), two spaces apart, as many columns as fit in 80 characters.
fn columns_layout<'a>(names: impl Iterator<Item = &'a str>) -> String {
    let mut names: Vec<&str> = names.collect();
    names.sort_unstable();
    let mut text = String::new();
    if names.is_empty() {
        return text;
    }
    let width = names.iter().map(|n| n.len()).max().unwrap_or(0);
    let per_line = (80 / (width + 2)).max(1);
    let rows = names.len().div_ceil(per_line);
    for row in 0..rows {
        for (column, name) in names.iter().skip(row).step_by(rows).enumerate() {
            if column > 0 {
                text.push_str("  ");
            }
            text.push_str(name);
            text.push_str(&" ".repeat(width - name.len()));
        }
        text.push('\n');
    }
    text
}

/// SQL LIKE as the shell's queries use it: `%`, `_`, ASCII case folding, an optional escape.
fn like(pattern: &[u8], text: &[u8], escape: Option<u8>) -> bool {
    match pattern.split_first() {
        None => text.is_empty(),
        Some((&c, rest)) if Some(c) == escape => match rest.split_first() {
            Some((&literal, rest)) => {
                text.first()
                    .is_some_and(|t| t.eq_ignore_ascii_case(&literal))
                    && like(rest, &text[1..], escape)
            }
            None => text.is_empty(),
        },
        Some((b'%', rest)) => (0..=text.len()).any(|i| like(rest, &text[i..], escape)),
        Some((b'_', rest)) => !text.is_empty() && like(rest, &text[1..], escape),
        Some((c, rest)) => {
            text.first().is_some_and(|t| t.eq_ignore_ascii_case(c))
                && like(rest, &text[1..], escape)
        }
    }
}

/// SQL GLOB with `*`, `?` and `[…]` (case-sensitive), for `.schema` patterns that use them.
fn glob(pattern: &[u8], text: &[u8]) -> bool {
    match pattern.split_first() {
        None => text.is_empty(),
        Some((b'*', rest)) => (0..=text.len()).any(|i| glob(rest, &text[i..])),
        Some((b'?', rest)) => !text.is_empty() && glob(rest, &text[1..]),
        Some((b'[', rest)) => {
            let Some((&c, text_rest)) = text.split_first() else {
                return false;
            };
            let (invert, set) = match rest.first() {
                Some(b'^') => (true, &rest[1..]),
                _ => (false, rest),
            };
            // A `]` right after `[` or `[^` is a member, not the end.
            let Some(close) = set.iter().skip(1).position(|&b| b == b']').map(|p| p + 1) else {
                return false;
            };
            let members = &set[..close];
            let mut hit = false;
            let mut i = 0;
            while i < members.len() {
                if i + 2 < members.len() && members[i + 1] == b'-' {
                    hit |= (members[i]..=members[i + 2]).contains(&c);
                    i += 3;
                } else {
                    hit |= members[i] == c;
                    i += 1;
                }
            }
            hit != invert && glob(&set[close + 1..], text_rest)
        }
        Some((c, rest)) => text.first() == Some(c) && glob(rest, &text[1..]),
    }
}

/// sqlite3 replays `.schema` output into databases that may already hold tables whose names it
/// quotes, so it writes those as `CREATE TABLE IF NOT EXISTS` (its `printSchemaLine`).
fn schema_line(sql: &str) -> String {
    match sql.strip_prefix("CREATE TABLE ") {
        Some(rest) if rest.starts_with(['"', '\'']) => format!("CREATE TABLE IF NOT EXISTS {rest}"),
        _ => sql.to_string(),
    }
}

pub fn schema(shell: &mut Shell, args: &[String]) -> DotResult {
    let mut pattern: Option<&str> = None;
    let mut no_system = false;
    for arg in &args[1..] {
        let option = arg.strip_prefix("--").or_else(|| arg.strip_prefix('-'));
        match option {
            Some("nosys") => no_system = true,
            Some("indent") => {
                return fail("Error: .schema --indent is not supported by Basalt yet")
            }
            Some(_) => return fail(format!("Unknown option: \"{arg}\"")),
            None if pattern.is_none() => pattern = Some(arg),
            None => return fail("Usage: .schema ?--indent? ?--nosys? ?LIKE-PATTERN?"),
        }
    }
    let schema = load_schema(shell)?;
    let mut text = String::new();
    if let Some(p) = pattern {
        let names = [
            "sqlite_master",
            "sqlite_schema",
            "sqlite_temp_master",
            "sqlite_temp_schema",
        ];
        if names
            .iter()
            .any(|n| like(p.as_bytes(), n.as_bytes(), Some(b'\\')))
        {
            text.push_str(&format!(
                "CREATE TABLE {p} (\n  type text,\n  name text,\n  tbl_name text,\n  rootpage integer,\n  sql text\n);\n"
            ));
        }
    }
    let is_glob = pattern.is_some_and(|p| p.contains(['*', '?', '[']));
    for entry in &schema.entries {
        let Some(sql) = &entry.sql else { continue };
        if no_system && like(b"sqlite\\_%", entry.name.as_bytes(), Some(b'\\')) {
            continue;
        }
        if let Some(p) = pattern {
            let subject = if p.contains('.') {
                format!("main.{}", entry.table_name).to_lowercase()
            } else {
                entry.table_name.to_lowercase()
            };
            let hit = if is_glob {
                glob(p.as_bytes(), subject.as_bytes())
            } else {
                like(p.as_bytes(), subject.as_bytes(), Some(b'\\'))
            };
            if !hit {
                continue;
            }
        }
        text.push_str(&schema_line(sql));
        if entry.kind == ObjectKind::View {
            text.push_str(&view_columns_comment(shell, &entry.name));
        }
        text.push_str(";\n");
    }
    write_out(shell, text.as_bytes())
}

/// sqlite3's `shellFakeSchema` for `.schema`: a view's result columns as `\n/* v(a,b) */`,
/// nothing when the view does not compile (its columns are unknown then).
fn view_columns_comment(shell: &mut Shell, view: &str) -> String {
    let columns = match shell
        .engine
        .prepare(&format!("SELECT * FROM {}", quote_identifier(view)))
    {
        Ok(Some(prepared)) => prepared.statement.column_names().to_vec(),
        _ => Vec::new(),
    };
    if columns.is_empty() {
        return String::new();
    }
    let columns: Vec<String> = columns.iter().map(|c| quote_identifier(c)).collect();
    format!("\n/* {}({}) */", quote_identifier(view), columns.join(","))
}

pub fn databases(shell: &mut Shell, _args: &[String]) -> DotResult {
    let file = match shell.engine.filename() {
        "" => "\"\"".to_string(),
        name => std::fs::canonicalize(name)
            .map(|p| p.display().to_string())
            .unwrap_or_else(|_| name.to_string()),
    };
    let access = if shell.engine.is_readonly() {
        "r/o"
    } else {
        "r/w"
    };
    let line = format!("main: {file} {access}\n");
    write_out(shell, line.as_bytes())
}

/// `.dbinfo`: the header fields and catalogue counts, in shell.c's layout.
pub fn dbinfo(shell: &mut Shell, args: &[String]) -> DotResult {
    if args.get(1).is_some_and(|db| db != "main") {
        return fail(format!("Error: unknown database {}", args[1]));
    }
    let header = match shell.engine.header() {
        Ok(Some(header)) => header,
        Ok(None) => return fail("unable to read database header"),
        Err(e) => return fail(format!("error: {e}")),
    };
    let schema = load_schema(shell)?;
    let encoding = match header.text_encoding {
        TextEncoding::Utf8 => "1 (utf8)",
        TextEncoding::Utf16le => "2 (utf16le)",
        TextEncoding::Utf16be => "3 (utf16be)",
    };
    let count = |kind: ObjectKind| schema.entries.iter().filter(|e| e.kind == kind).count();
    // `total(length(sql))` counts characters.
    let schema_size: usize = schema
        .entries
        .iter()
        .filter_map(|e| e.sql.as_ref())
        .map(|sql| sql.chars().count())
        .sum();
    let fields: [(&str, String); 22] = [
        ("database page size:", header.page_size.to_string()),
        ("write format:", header.write_version.to_string()),
        ("read format:", header.read_version.to_string()),
        ("reserved bytes:", header.reserved_bytes.to_string()),
        ("file change counter:", header.change_counter.to_string()),
        ("database page count:", header.database_size.to_string()),
        ("freelist page count:", header.freelist_count.to_string()),
        ("schema cookie:", header.schema_cookie.to_string()),
        ("schema format:", header.schema_format.to_string()),
        // Four-byte fields print unsigned, as shell.c's `%u` does.
        (
            "default cache size:",
            (header.default_cache_size as u32).to_string(),
        ),
        ("autovacuum top root:", header.largest_root_page.to_string()),
        ("incremental vacuum:", header.incremental_vacuum.to_string()),
        ("text encoding:", encoding.to_string()),
        ("user version:", (header.user_version as u32).to_string()),
        (
            "application id:",
            (header.application_id as u32).to_string(),
        ),
        ("software version:", header.sqlite_version.to_string()),
        ("number of tables:", count(ObjectKind::Table).to_string()),
        ("number of indexes:", count(ObjectKind::Index).to_string()),
        (
            "number of triggers:",
            count(ObjectKind::Trigger).to_string(),
        ),
        ("number of views:", count(ObjectKind::View).to_string()),
        ("schema size:", schema_size.to_string()),
        // A connection that has not seen another's commit is at data version 1.
        ("data version", "1".to_string()),
    ];
    let text: String = fields
        .iter()
        .map(|(name, value)| format!("{name:<20} {value}\n"))
        .collect();
    write_out(shell, text.as_bytes())
}

/// `.dump ?--data-only? ?--newlines? ?--nosys? ?--preserve-rowids? ?LIKE-PATTERN…?`: the
/// schema comes from the catalogue; each table's rows come from `SELECT` through the engine,
/// written as `.mode insert` writes them.
pub fn dump(shell: &mut Shell, args: &[String]) -> DotResult {
    let (mut data_only, mut no_system) = (false, false);
    let mut patterns = Vec::new();
    for arg in &args[1..] {
        if let Some(option) = arg.strip_prefix("--").or_else(|| arg.strip_prefix('-')) {
            match option {
                "data-only" => data_only = true,
                "nosys" => no_system = true,
                "newlines" | "preserve-rowids" => {
                    return fail(format!("Error: .dump {arg} is not supported by Basalt yet"))
                }
                _ => return fail(format!("Unknown option \"{arg}\" on \".dump\"")),
            }
        } else {
            patterns.push(arg.as_str());
        }
    }
    let schema = load_schema(shell)?;
    let selected = |entry: &SchemaEntry| {
        patterns.is_empty()
            || patterns
                .iter()
                .any(|p| like(p.as_bytes(), entry.name.as_bytes(), Some(b'\\')))
    };
    let mut text = String::new();
    if !data_only {
        text.push_str("PRAGMA foreign_keys=OFF;\nBEGIN TRANSACTION;\n");
    }
    write_out(shell, text.as_bytes())?;
    let mut tables: Vec<&SchemaEntry> = schema
        .entries
        .iter()
        .filter(|e| e.kind == ObjectKind::Table && e.sql.is_some() && selected(e))
        .collect();
    // sqlite_sequence last, so that its rows overwrite what the inserts above it set.
    tables.sort_by_key(|e| e.table_name == "sqlite_sequence");
    let mut errors = 0;
    for table in tables {
        let sql = table.sql.as_deref().unwrap_or("");
        let mut head = String::new();
        if table.name == "sqlite_sequence" {
            if no_system {
                continue;
            }
            if !data_only {
                head.push_str("DELETE FROM sqlite_sequence;\n");
            }
        } else if table.name.starts_with("sqlite_stat") && table.name.len() == 12 {
            if no_system {
                continue;
            }
            if !data_only {
                head.push_str("ANALYZE sqlite_schema;\n");
            }
        } else if table.name.starts_with("sqlite_") {
            continue;
        } else if sql.starts_with("CREATE VIRTUAL TABLE") {
            return fail("Error: .dump of virtual tables is not supported by Basalt yet");
        } else if !data_only {
            head.push_str(&schema_line(sql));
            head.push_str(";\n");
        }
        write_out(shell, head.as_bytes())?;
        if !dump_rows(shell, table) {
            errors += 1;
        }
    }
    if !data_only {
        let mut tail = String::new();
        for entry in &schema.entries {
            let Some(sql) = &entry.sql else { continue };
            if matches!(
                entry.kind,
                ObjectKind::Index | ObjectKind::Trigger | ObjectKind::View
            ) && selected(entry)
            {
                // A statement ending in a comment gets its `;` on a line of its own.
                let ends_in_comment = sql.contains("--");
                tail.push_str(sql);
                tail.push_str(if ends_in_comment { "\n;\n" } else { ";\n" });
            }
        }
        tail.push_str(if errors > 0 {
            "ROLLBACK; -- due to errors\n"
        } else {
            "COMMIT;\n"
        });
        write_out(shell, tail.as_bytes())?;
    }
    if errors > 0 {
        return Err(crate::shell::Failed);
    }
    Ok(Flow::Continue)
}

/// Writes one table's rows as INSERT statements; false (and a message) when it could not.
fn dump_rows(shell: &mut Shell, table: &SchemaEntry) -> bool {
    let columns = catalog::table_columns(table.sql.as_deref().unwrap_or(""));
    let select = format!(
        "SELECT {} FROM {}",
        columns
            .iter()
            .map(|c| quote_identifier(&c.name))
            .collect::<Vec<_>>()
            .join(","),
        quote_identifier(&table.name)
    );
    write_inserts(shell, &select, &quote_identifier(&table.name))
}

/// Writes the rows of `select` as `INSERT INTO table …` statements (`.mode insert`); false (and
/// a message) when it could not.
fn write_inserts(shell: &mut Shell, select: &str, table: &str) -> bool {
    let mut format = shell.format.clone();
    format.mode = Mode::Insert;
    format.headers = false;
    format.insert_table = table.to_string();
    let prepared = match shell.engine.prepare(select) {
        Ok(Some(prepared)) => prepared,
        Ok(None) => return true,
        Err(e) => {
            eprintln!("Error: {e}");
            return false;
        }
    };
    let mut statement = prepared.statement;
    let names = statement.column_names().to_vec();
    let result = output::write_results(&mut shell.out, &format, &names, &mut || statement.step());
    if let Err(e) = result {
        eprintln!("Error: {e}");
        return false;
    }
    true
}

/// `.fullschema`: the schema without system tables (and without `.schema`'s view column
/// comments), then the ANALYZE statistics as statements that restore them.
pub fn fullschema(shell: &mut Shell, args: &[String]) -> DotResult {
    match args.get(1).map(String::as_str) {
        None => {}
        Some("--indent" | "-indent") => {
            return fail("Error: .fullschema --indent is not supported by Basalt yet")
        }
        Some(_) => return fail("Usage: .fullschema ?--indent?"),
    }
    let schema = load_schema(shell)?;
    let mut text = String::new();
    for entry in &schema.entries {
        let Some(sql) = &entry.sql else { continue };
        if !like(b"sqlite\\_%", entry.name.as_bytes(), Some(b'\\')) {
            text.push_str(&schema_line(sql));
            text.push_str(";\n");
        }
    }
    let stat_tables: Vec<&str> = ["sqlite_stat1", "sqlite_stat4"]
        .into_iter()
        .filter(|name| schema.find(name).is_some())
        .collect();
    if stat_tables.is_empty() {
        text.push_str("/* No STAT tables available */\n");
        return write_out(shell, text.as_bytes());
    }
    text.push_str("ANALYZE sqlite_schema;\n");
    write_out(shell, text.as_bytes())?;
    for table in stat_tables {
        if !write_inserts(shell, &format!("SELECT * FROM {table}"), table) {
            return Err(crate::shell::Failed);
        }
    }
    write_out(shell, b"ANALYZE sqlite_schema;\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_and_glob() {
        assert!(like(b"t%", b"Tab", None));
        assert!(like(b"_b", b"ab", None));
        assert!(!like(b"t_", b"t", None));
        assert!(like(b"a\\_b", b"a_b", Some(b'\\')));
        assert!(!like(b"a\\_b", b"axb", Some(b'\\')));
        assert!(glob(b"t[0-9]*", b"t1x"));
        assert!(!glob(b"t[^0-9]", b"t1"));
    }
}
