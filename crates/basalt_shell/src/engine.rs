//! The seam between the shell and the database engine.
//!
//! The shell never talks to the pager or the VM directly: everything it needs from a database
//! goes through [`Engine`], so the storage-only implementation of today and the query engine of
//! tomorrow are interchangeable. The formatters only ever see column names and [`Value`]s.
//!
//! What plugging the query engine in means: implement [`Engine::prepare`] (and `changes`,
//! `total_changes`, `interrupt_flag`) on top of `basalt_core::connection::Connection`; the
//! catalogue and header methods can keep reading storage as they do here.

use basalt_core::format::DatabaseHeader;
use basalt_core::io::FileIo;
use basalt_core::pager::{Pager, PagerOptions};
use basalt_core::schema::Schema;
use std::sync::atomic::AtomicBool;
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
        EngineError::new(e.to_string())
    }
}

impl std::fmt::Display for EngineError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

/// The message every SQL-executing path gives until the query engine exists.
pub const NOT_SUPPORTED: &str = "not supported by Basalt yet: executing SQL statements";

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
    /// Setting the flag makes the running statement stop with "interrupted"
    /// (`sqlite3_interrupt`); the engine clears it when the next statement starts.
    fn interrupt_flag(&self) -> Arc<AtomicBool>;
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
    Ok(Box::new(StorageEngine::open(path, options)?))
}

/// Today's engine: the storage stack only. It reads the catalogue and the header; every SQL
/// statement is refused with [`NOT_SUPPORTED`] (blank input is not a statement and passes).
pub struct StorageEngine {
    pager: Pager,
    filename: String,
    interrupt: Arc<AtomicBool>,
}

impl StorageEngine {
    pub fn open(path: Option<&str>, options: &OpenOptions) -> Result<StorageEngine, EngineError> {
        let (pager, filename) = match path {
            None | Some("") | Some(":memory:") => (
                Pager::open_memory(basalt_core::format::DEFAULT_PAGE_SIZE)?,
                String::new(),
            ),
            Some(path) => {
                let pager_options = PagerOptions {
                    read_only: options.read_only,
                    ..PagerOptions::default()
                };
                (
                    Pager::open(Arc::new(FileIo), path, &pager_options)?,
                    path.to_string(),
                )
            }
        };
        Ok(StorageEngine {
            pager,
            filename,
            interrupt: Arc::new(AtomicBool::new(false)),
        })
    }
}

impl Engine for StorageEngine {
    fn prepare<'e>(&'e mut self, sql: &str) -> Result<Option<Prepared<'e>>, EngineError> {
        if crate::input::is_blank(sql) {
            return Ok(None);
        }
        Err(EngineError::new(NOT_SUPPORTED))
    }

    fn changes(&self) -> i64 {
        0
    }

    fn total_changes(&self) -> i64 {
        0
    }

    fn interrupt_flag(&self) -> Arc<AtomicBool> {
        Arc::clone(&self.interrupt)
    }

    fn schema(&mut self) -> Result<Schema, EngineError> {
        Ok(Schema::load(&mut self.pager)?)
    }

    fn header(&mut self) -> Result<Option<DatabaseHeader>, EngineError> {
        if self.pager.page_count() == 0 {
            return Ok(None);
        }
        Ok(Some(self.pager.header()?))
    }

    fn filename(&self) -> &str {
        &self.filename
    }

    fn is_readonly(&self) -> bool {
        self.pager.is_read_only()
    }
}
