//! The MCP tools: their JSON schemas and what each does.
//!
//! Every tool answers with text: JSON for structured results (rows, columns), a sentence
//! otherwise. A tool failure (bad SQL, a refused statement, an engine error) is a result with
//! `isError: true`, so the model sees the message, not a protocol error.

use super::Server;
use crate::catalog;
use crate::engine::{self, Engine, EngineError, OpenOptions, Value};
use crate::output::number::real_to_text;
use crate::output::{quote_identifier, quoted_sql_text};
use basalt_core::schema::ObjectKind;
use basalt_parser::ast::Stmt;
use serde_json::{json, Map, Value as Json};

/// A tool's outcome: the text of a success, or of an error.
type Outcome = Result<String, String>;

/// The `tools/list` entries.
pub fn definitions() -> Json {
    let string = |description: &str| json!({"type": "string", "description": description});
    let object = |properties: Json, required: &[&str]| json!({"type": "object", "properties": properties, "required": required});
    let row = json!({
        "type": "object",
        "description": "Column names mapped to values (string, number, boolean or null)",
        "additionalProperties": {"type": ["string", "number", "boolean", "null"]}
    });
    let tool = |name: &str, description: &str, schema: Json| json!({"name": name, "description": description, "inputSchema": schema});
    json!([
        tool(
            "open_database",
            "Close the current database and open the SQLite database file at PATH (created \
             if missing; \":memory:\" for a transient database).",
            object(
                json!({"path": string("Database file path"),
                       "read_only": {"type": "boolean", "description": "Open read-only"}}),
                &["path"]
            )
        ),
        tool(
            "current_database",
            "Name the open database and whether it is read-only.",
            object(json!({}), &[])
        ),
        tool(
            "list_tables",
            "List the tables and views of the open database (JSON array of names).",
            object(json!({}), &[])
        ),
        tool(
            "describe_table",
            "Describe a table: its columns (name, type, not null, default, primary key) and its \
             CREATE statement, as JSON.",
            object(json!({"table": string("Table name")}), &["table"])
        ),
        tool(
            "execute_query",
            "Run one read-only SELECT statement and return its rows as JSON. Any other \
             statement is refused.",
            object(json!({"query": string("A SELECT statement")}), &["query"])
        ),
        tool(
            "insert_data",
            "Insert one row into a table.",
            object(
                json!({"table": string("Table name"), "data": row}),
                &["table", "data"]
            )
        ),
        tool(
            "update_data",
            "Update the rows of a table that match a WHERE condition.",
            object(
                json!({"table": string("Table name"), "data": row,
                       "where": string("SQL condition selecting the rows, e.g. id = 3")}),
                &["table", "data", "where"]
            )
        ),
        tool(
            "delete_data",
            "Delete the rows of a table that match a WHERE condition.",
            object(
                json!({"table": string("Table name"),
                       "where": string("SQL condition selecting the rows, e.g. id = 3")}),
                &["table", "where"]
            )
        ),
        tool(
            "schema_change",
            "Run one CREATE, ALTER or DROP statement. Any other statement is refused.",
            object(
                json!({"statement": string("A CREATE, ALTER or DROP statement")}),
                &["statement"]
            )
        ),
    ])
}

/// Runs tool `name`; `None` when there is no such tool.
pub fn call(server: &mut Server, name: &str, arguments: &Json) -> Option<Outcome> {
    let text = |key: &str| -> Result<&str, String> {
        arguments
            .get(key)
            .and_then(Json::as_str)
            .ok_or_else(|| format!("Error: missing string argument \"{key}\""))
    };
    let row = |key: &str| -> Result<&Map<String, Json>, String> {
        match arguments.get(key).and_then(Json::as_object) {
            Some(map) if !map.is_empty() => Ok(map),
            _ => Err(format!(
                "Error: \"{key}\" must be a non-empty object of column values"
            )),
        }
    };
    Some(match name {
        "open_database" => text("path").and_then(|path| {
            let read_only = arguments
                .get("read_only")
                .and_then(Json::as_bool)
                .unwrap_or(false);
            open_database(server, path, read_only)
        }),
        "current_database" => Ok(json!({
            "path": server.path,
            "read_only": server.engine.is_readonly()
        })
        .to_string()),
        "list_tables" => list_tables(server),
        "describe_table" => text("table").and_then(|table| describe_table(server, table)),
        "execute_query" => text("query").and_then(|query| execute_query(server, query)),
        "insert_data" => text("table").and_then(|table| {
            let data = row("data")?;
            let columns: Vec<String> = data.keys().map(|k| quote_identifier(k)).collect();
            let values: Vec<String> = data.values().map(literal).collect();
            let sql = format!(
                "INSERT INTO {}({}) VALUES({})",
                quote_identifier(table),
                columns.join(","),
                values.join(",")
            );
            modify(server, &sql)
        }),
        "update_data" => text("table").and_then(|table| {
            let data = row("data")?;
            let condition = text("where")?;
            let assignments: Vec<String> = data
                .iter()
                .map(|(k, v)| format!("{}={}", quote_identifier(k), literal(v)))
                .collect();
            let sql = format!(
                "UPDATE {} SET {} WHERE {condition}",
                quote_identifier(table),
                assignments.join(",")
            );
            modify(server, &sql)
        }),
        "delete_data" => text("table").and_then(|table| {
            let condition = text("where")?;
            modify(
                server,
                &format!("DELETE FROM {} WHERE {condition}", quote_identifier(table)),
            )
        }),
        "schema_change" => text("statement").and_then(|sql| schema_change(server, sql)),
        _ => return None,
    })
}

fn engine_error(e: EngineError) -> String {
    format!("Error: {e}")
}

fn open_database(server: &mut Server, path: &str, read_only: bool) -> Outcome {
    let opened = engine::reopen(&mut server.engine, Some(path), &OpenOptions { read_only });
    // On failure the previous database is closed all the same, as after sqlite3's `.open`.
    server.path = if opened.is_ok() { path } else { ":memory:" }.to_string();
    opened.map_err(|e| format!("Error: unable to open database \"{path}\": {e}"))?;
    Ok(format!(
        "Opened {path}{}",
        if read_only { " (read-only)" } else { "" }
    ))
}

fn list_tables(server: &mut Server) -> Outcome {
    let schema = server.engine.schema().map_err(engine_error)?;
    let mut names: Vec<&str> = schema
        .entries
        .iter()
        .filter(|e| matches!(e.kind, ObjectKind::Table | ObjectKind::View))
        .filter(|e| !e.name.starts_with("sqlite_"))
        .map(|e| e.name.as_str())
        .collect();
    names.sort_unstable();
    Ok(json!(names).to_string())
}

fn describe_table(server: &mut Server, table: &str) -> Outcome {
    let schema = server.engine.schema().map_err(engine_error)?;
    let entry = schema
        .entries
        .iter()
        .find(|e| {
            matches!(e.kind, ObjectKind::Table | ObjectKind::View)
                && e.name.eq_ignore_ascii_case(table)
        })
        .ok_or_else(|| format!("Error: no such table: {table}"))?;
    let sql = entry.sql.clone().unwrap_or_default();
    let columns: Vec<Json> = catalog::table_columns(&sql)
        .into_iter()
        .map(|c| {
            json!({"name": c.name, "type": c.decl_type, "not_null": c.not_null,
                   "default": c.default, "primary_key": c.primary_key})
        })
        .collect();
    Ok(
        json!({"name": entry.name, "type": entry.kind.as_str(), "columns": columns, "sql": sql})
            .to_string(),
    )
}

/// The single statement of `sql`, parsed, or why it is not one.
fn single_statement(sql: &str) -> Result<Stmt, String> {
    let statements = basalt_parser::parse(sql).map_err(|e| format!("Error: {}", e.message))?;
    match <[_; 1]>::try_from(statements) {
        Ok([statement]) if statement.explain.is_none() => Ok(statement.stmt),
        _ => Err("Error: exactly one statement is expected".to_string()),
    }
}

fn execute_query(server: &mut Server, query: &str) -> Outcome {
    match single_statement(query)? {
        Stmt::Select(_) => {}
        _ => return Err("Error: execute_query runs read-only SELECT statements only".into()),
    }
    let (columns, types, rows) = run(server.engine.as_mut(), query)?;
    let rows: Vec<Json> = rows
        .iter()
        .map(|row| Json::Array(row.iter().map(value_json).collect()))
        .collect();
    Ok(json!({"columns": columns, "declared_types": types, "rows": rows}).to_string())
}

fn schema_change(server: &mut Server, sql: &str) -> Outcome {
    match single_statement(sql)? {
        Stmt::CreateTable(_)
        | Stmt::CreateIndex(_)
        | Stmt::CreateView(_)
        | Stmt::CreateTrigger(_)
        | Stmt::CreateVirtualTable(_)
        | Stmt::AlterTable(_)
        | Stmt::Drop { .. } => {}
        _ => return Err("Error: schema_change runs CREATE, ALTER and DROP statements only".into()),
    }
    run(server.engine.as_mut(), sql)?;
    Ok("Schema changed".to_string())
}

/// Runs an INSERT/UPDATE/DELETE built from the arguments and reports the rows it changed.
fn modify(server: &mut Server, sql: &str) -> Outcome {
    run(server.engine.as_mut(), sql)?;
    Ok(format!("{} row(s) affected", server.engine.changes()))
}

/// A statement's column names, declared types and rows.
type Results = (Vec<String>, Vec<Option<String>>, Vec<Vec<Value>>);

/// Runs one statement to completion; SQL with more than one (a WHERE argument that ends the
/// statement and starts another) is refused before anything runs.
fn run(engine: &mut dyn Engine, sql: &str) -> Result<Results, String> {
    let Some(prepared) = engine.prepare(sql).map_err(engine_error)? else {
        return Ok((Vec::new(), Vec::new(), Vec::new()));
    };
    if !crate::input::is_blank(sql.get(prepared.tail..).unwrap_or("")) {
        return Err("Error: exactly one statement is expected".to_string());
    }
    let mut statement = prepared.statement;
    let columns = statement.column_names().to_vec();
    let types = statement.decltypes().to_vec();
    let mut rows = Vec::new();
    while let Some(row) = statement.step().map_err(engine_error)? {
        rows.push(row);
    }
    Ok((columns, types, rows))
}

/// A JSON argument as an SQL literal.
fn literal(value: &Json) -> String {
    match value {
        Json::Null => "NULL".to_string(),
        Json::Bool(b) => i32::from(*b).to_string(),
        Json::Number(n) => match (n.as_i64(), n.as_f64()) {
            (Some(i), _) => i.to_string(),
            (None, Some(r)) => real_to_text(r),
            (None, None) => quote_text(&n.to_string()),
        },
        Json::String(s) => quote_text(s),
        // Nested JSON is stored as its text, as SQLite's JSON functions expect.
        other => quote_text(&other.to_string()),
    }
}

fn quote_text(text: &str) -> String {
    String::from_utf8_lossy(&quoted_sql_text(text.as_bytes())).into_owned()
}

/// A result value as JSON: blobs as hexadecimal text.
fn value_json(value: &Value) -> Json {
    match value {
        Value::Null => Json::Null,
        Value::Integer(i) => json!(i),
        Value::Real(r) => json!(r),
        Value::Text(bytes) => Json::String(String::from_utf8_lossy(bytes).into_owned()),
        Value::Blob(bytes) => Json::String(bytes.iter().map(|b| format!("{b:02x}")).collect()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literals() {
        assert_eq!(literal(&json!(null)), "NULL");
        assert_eq!(literal(&json!(true)), "1");
        assert_eq!(literal(&json!(42)), "42");
        assert_eq!(literal(&json!(0.5)), "0.5");
        assert_eq!(literal(&json!("it's")), "'it''s'");
    }

    #[test]
    fn statement_kinds() {
        assert!(matches!(single_statement("SELECT 1"), Ok(Stmt::Select(_))));
        assert!(single_statement("SELECT 1; SELECT 2").is_err());
        assert!(single_statement("EXPLAIN SELECT 1").is_err());
        assert!(single_statement("SELEC 1").is_err());
    }
}
