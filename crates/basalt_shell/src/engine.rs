//! The seam between the shell and the database engine.
//!
//! The shell never talks to the pager or the VM directly: everything it needs from a database
//! goes through [`Engine`], implemented here on `basalt_core::connection::Connection`. The
//! formatters only ever see column names and [`Value`]s.
//!
//! What `Connection` does not offer yet is worked around here, each in one place: error offsets (a syntax error's from parsing again, a name's from
//! where the name is written), the catalogue (read with SQL), the header (read by a pager of
//! its own) and declared column types (none yet).

use basalt_core::connection::{Connection, InterruptHandle};
use basalt_core::format::DatabaseHeader;
use basalt_core::io::{FileIo, Io, MemoryIo};
use basalt_core::pager::{Pager, PagerOptions};
use basalt_core::schema::{ObjectKind, Schema, SchemaEntry};
use basalt_core::ErrorCode;
use basalt_parser::lexer::{tokenize, Tk};
use std::sync::Arc;

pub use basalt_core::record::Value;

/// An engine error, already worded as SQLite words it (`no such table: t`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EngineError {
    pub message: String,
    /// SQLite's primary result code (1 = SQLITE_ERROR); sqlite3 shows codes above 1 after the
    /// message, as in `UNIQUE constraint failed: t.x (19)`.
    pub code: i32,
    /// Byte offset of the offending token in the SQL handed to `prepare`, when known; the shell
    /// points at it the way sqlite3 does (`^--- error here`).
    pub offset: Option<usize>,
}

impl EngineError {
    pub fn new(message: impl Into<String>) -> EngineError {
        EngineError {
            message: message.into(),
            code: 1,
            offset: None,
        }
    }
}

impl From<basalt_core::Error> for EngineError {
    fn from(e: basalt_core::Error) -> EngineError {
        EngineError {
            message: e.message,
            code: e.code as i32,
            offset: None,
        }
    }
}

impl std::fmt::Display for EngineError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

/// One prepared statement, stepped to completion by the shell.
pub trait Statement {
    /// Result column names (`sqlite3_column_name`); empty for statements without results.
    fn column_names(&self) -> &[String];
    /// Declared types of the result columns (`sqlite3_column_decltype`), `None` for expressions.
    fn decltypes(&self) -> &[Option<String>];
    /// The next row, or `None` when the statement is done (`sqlite3_step`).
    fn step(&mut self) -> Result<Option<Vec<Value>>, EngineError>;
}

/// A statement compiled from the front of some SQL text, and where the rest of the text starts.
pub struct Prepared<'e> {
    pub statement: Box<dyn Statement + 'e>,
    /// Byte offset just past the compiled statement (`sqlite3_prepare`'s tail).
    pub tail: usize,
}

/// How to open a database.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OpenOptions {
    pub read_only: bool,
}

/// A database as the shell uses it.
pub trait Engine {
    /// Compiles the first statement of `sql`. `Ok(None)` when `sql` holds only white space and
    /// comments (there is nothing to run and nothing left).
    fn prepare<'e>(&'e mut self, sql: &str) -> Result<Option<Prepared<'e>>, EngineError>;
    /// Rows changed by the last INSERT/UPDATE/DELETE (`sqlite3_changes64`).
    fn changes(&self) -> i64;
    /// Rows changed since the database was opened (`sqlite3_total_changes64`).
    fn total_changes(&self) -> i64;
    /// Makes the running statement stop with "interrupted" (`sqlite3_interrupt`), from any
    /// thread.
    fn interrupt_handle(&self) -> InterruptHandle;
    /// The schema catalogue (`sqlite_schema`).
    fn schema(&mut self) -> Result<Schema, EngineError>;
    /// The 100-byte header of the main database; `None` for a database with no page yet.
    fn header(&mut self) -> Result<Option<DatabaseHeader>, EngineError>;
    /// The file name as given at open (empty for an in-memory database).
    fn filename(&self) -> &str;
    fn is_readonly(&self) -> bool;
}

/// Opens `path` (`None`, "" and ":memory:" mean a transient in-memory database).
pub fn open(path: Option<&str>, options: &OpenOptions) -> Result<Box<dyn Engine>, EngineError> {
    Ok(Box::new(ConnectionEngine::open(path, options)?))
}

/// Replaces `engine` by a newly opened database. The current one is closed first, as sqlite3
/// does: two connections to one file in one process would share its WAL state, and a
/// read-only one would leave the next unable to write.
pub fn reopen(
    engine: &mut Box<dyn Engine>,
    path: Option<&str>,
    options: &OpenOptions,
) -> Result<(), EngineError> {
    *engine = open(None, &OpenOptions::default())?;
    *engine = open(path, options)?;
    Ok(())
}

/// The query engine behind the shell.
struct ConnectionEngine {
    conn: Connection,
    filename: String,
    read_only: bool,
    /// Why the file cannot be used, for a file that is not a database. sqlite3 opens such a
    /// file all the same and fails each statement that reads it; `conn` is then an empty
    /// in-memory database that no statement reaches.
    unusable: Option<EngineError>,
}

impl ConnectionEngine {
    fn open(path: Option<&str>, options: &OpenOptions) -> Result<ConnectionEngine, EngineError> {
        let (io, filename): (Arc<dyn Io>, &str) = match path {
            None | Some("") | Some(":memory:") => (Arc::new(MemoryIo::new()), ""),
            Some(path) => (Arc::new(FileIo), path),
        };
        // A read-only connection never creates the file and fails every write with
        // SQLITE_READONLY; sqlite3 keeps a read-only in-memory database read-only too.
        let pager_options = PagerOptions {
            read_only: options.read_only,
            ..PagerOptions::default()
        };
        let opened = Connection::open_with(io, filename, &pager_options);
        let filename = filename.to_string();
        let (conn, unusable) = match opened {
            Ok(conn) => (conn, None),
            // sqlite3 opens these all the same and fails at the first statement.
            Err(e) if matches!(e.code, ErrorCode::NotADb | ErrorCode::Busy) => {
                (Connection::open(":memory:")?, Some(EngineError::from(e)))
            }
            Err(e) => return Err(e.into()),
        };
        Ok(ConnectionEngine {
            conn,
            filename,
            read_only: options.read_only,
            unusable,
        })
    }
}

/// Where the name an error message is about is first written, for the messages SQLite points
/// at the name of (`sqlite3_error_offset`).
fn name_offset(sql: &str, message: &str) -> Option<usize> {
    const NAMING: [(&str, &str); 6] = [
        ("no such column: ", ""),
        ("ambiguous column name: ", ""),
        ("no such function: ", ""),
        ("wrong number of arguments to function ", "()"),
        ("table ", " already exists"),
        ("view ", " already exists"),
    ];
    let name = NAMING
        .iter()
        .find_map(|(prefix, suffix)| message.strip_prefix(prefix)?.strip_suffix(suffix))?;
    let parts: Vec<&str> = name.split('.').collect();
    // White space and comments are not tokens: `t . x` is three in a row.
    let tokens = tokenize(sql);
    let word = |i: usize| {
        let token = tokens.get(i)?;
        let raw = sql.get(token.start..token.end)?;
        match token.kind {
            Tk::Id | Tk::Kw(_) => Some(raw.trim_matches(|c| matches!(c, '"' | '`' | '[' | ']'))),
            Tk::Dot => Some("."),
            _ => None,
        }
    };
    (0..tokens.len()).find_map(|start| {
        let found = parts.iter().enumerate().all(|(k, part)| {
            word(start + 2 * k).is_some_and(|w| w.eq_ignore_ascii_case(part))
                && (k + 1 == parts.len() || word(start + 2 * k + 1) == Some("."))
        });
        found.then(|| tokens[start].start)
    })
}

impl Engine for ConnectionEngine {
    fn prepare<'e>(&'e mut self, sql: &str) -> Result<Option<Prepared<'e>>, EngineError> {
        if let Some(error) = &self.unusable {
            return Err(error.clone());
        }
        let (statement, tail) = self.conn.prepare_with_tail(sql).map_err(|e| {
            let mut error = EngineError::from(e);
            // The connection's errors carry no position: a syntax error's comes from the
            // parser, a name's from where the name is written.
            error.offset = match basalt_parser::parse_first(sql) {
                // SQLite has no token to point at when the input just stops.
                Err(parse) if parse.message == "incomplete input" => None,
                Err(parse) => Some(parse.offset),
                Ok(Some((_, tail))) => name_offset(sql.get(..tail).unwrap_or(sql), &error.message),
                Ok(None) => None,
            };
            error
        })?;
        let Some(statement) = statement else {
            return Ok(None);
        };
        let columns = (0..statement.column_count())
            .map(|i| statement.column_name(i).unwrap_or("").to_string())
            .collect::<Vec<_>>();
        // `sqlite3_column_decltype` has no counterpart in `Connection` yet.
        let decltypes = vec![None; columns.len()];
        Ok(Some(Prepared {
            statement: Box::new(ConnectionStatement {
                statement,
                columns,
                decltypes,
            }),
            tail,
        }))
    }

    fn changes(&self) -> i64 {
        self.conn.changes()
    }

    fn total_changes(&self) -> i64 {
        self.conn.total_changes()
    }

    fn interrupt_handle(&self) -> InterruptHandle {
        self.conn.interrupt_handle()
    }

    fn schema(&mut self) -> Result<Schema, EngineError> {
        let rows = self.query("SELECT type, name, tbl_name, rootpage, sql FROM sqlite_schema")?;
        let entries = rows
            .iter()
            .zip(1..)
            .filter_map(|(row, rowid)| schema_entry(rowid, row))
            .collect();
        Ok(Schema { entries })
    }

    fn header(&mut self) -> Result<Option<DatabaseHeader>, EngineError> {
        if self.filename.is_empty() {
            // `Connection` does not show its pager, and an in-memory database has no file.
            return Ok(None);
        }
        // A second, read-only pager on the file sees page 1 as the connection does, WAL
        // frames included (the file alone can be behind).
        let options = PagerOptions {
            read_only: true,
            ..PagerOptions::default()
        };
        let mut pager = Pager::open(Arc::new(FileIo), &self.filename, &options)?;
        let header = pager.header();
        pager.end_read();
        if pager.page_count() == 0 {
            return Ok(None);
        }
        Ok(Some(header?))
    }

    fn filename(&self) -> &str {
        &self.filename
    }

    fn is_readonly(&self) -> bool {
        self.read_only
    }
}

impl ConnectionEngine {
    /// Every row of one statement.
    fn query(&mut self, sql: &str) -> Result<Vec<Vec<Value>>, EngineError> {
        let mut rows = Vec::new();
        if let Some(prepared) = self.prepare(sql)? {
            let mut statement = prepared.statement;
            while let Some(row) = statement.step()? {
                rows.push(row);
            }
        }
        Ok(rows)
    }
}

/// One row of `SELECT type, name, tbl_name, rootpage, sql FROM sqlite_schema`, numbered in
/// catalogue order (the engine cannot select `sqlite_schema`'s rowid yet).
fn schema_entry(rowid: i64, row: &[Value]) -> Option<SchemaEntry> {
    let text = |i: usize| match row.get(i) {
        Some(Value::Text(bytes)) => Some(String::from_utf8_lossy(bytes).into_owned()),
        _ => None,
    };
    let integer = |i: usize| match row.get(i) {
        Some(Value::Integer(n)) => *n,
        _ => 0,
    };
    let kind = match text(0)?.as_str() {
        "table" => ObjectKind::Table,
        "index" => ObjectKind::Index,
        "view" => ObjectKind::View,
        "trigger" => ObjectKind::Trigger,
        _ => return None,
    };
    Some(SchemaEntry {
        rowid,
        kind,
        name: text(1)?,
        table_name: text(2).unwrap_or_default(),
        root_page: u32::try_from(integer(3)).unwrap_or(0),
        sql: text(4),
    })
}

struct ConnectionStatement {
    statement: basalt_core::connection::Statement,
    columns: Vec<String>,
    decltypes: Vec<Option<String>>,
}

impl Statement for ConnectionStatement {
    fn column_names(&self) -> &[String] {
        &self.columns
    }

    fn decltypes(&self) -> &[Option<String>] {
        &self.decltypes
    }

    fn step(&mut self) -> Result<Option<Vec<Value>>, EngineError> {
        if self.statement.step_blocking()? {
            Ok(Some(self.statement.row().to_vec()))
        } else {
            Ok(None)
        }
    }
}
