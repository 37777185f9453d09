//! The blocking API: the same shape as the async one, for code that is not async.
//!
//! ```
//! use basalt::blocking::Connection;
//! use basalt::params;
//!
//! # fn main() -> basalt::Result<()> {
//! let mut conn = Connection::open(":memory:")?;
//! conn.execute_batch("CREATE TABLE person(id INTEGER PRIMARY KEY, name TEXT, photo BLOB)")?;
//! conn.execute("INSERT INTO person(name, photo) VALUES (?1, ?2)", params!["Ada", vec![1u8, 2]])?;
//! assert_eq!(conn.last_insert_rowid(), 1);
//!
//! let tx = conn.transaction()?;
//! tx.execute("INSERT INTO person(name) VALUES (?1)", ("Grace",))?;
//! tx.commit()?;
//!
//! let mut stmt = conn.prepare("SELECT id, name FROM person WHERE id >= :min ORDER BY id")?;
//! let names: Vec<String> = stmt
//!     .query(&[(":min", 1)])?
//!     .map(|row| row?.get("name"))
//!     .collect::<basalt::Result<_>>()?;
//! assert_eq!(names, ["Ada", "Grace"]);
//! # Ok(())
//! # }
//! ```

use crate::error::Result;
use crate::options::{Builder, Config};
use crate::params::Params;
use crate::row::Row;
use crate::shared::{first_row, Conn, RowsState, Stmt};
use std::ops::{Deref, DerefMut};
use std::path::Path;
use std::sync::Arc;

/// An open database: cheap to clone, `Send + Sync`; `connect` gives independent connections.
#[derive(Clone, Debug)]
pub struct Database {
    config: Arc<Config>,
}

impl Database {
    pub(crate) fn new(config: Arc<Config>) -> Database {
        Database { config }
    }

    /// A new, independent connection.
    pub fn connect(&self) -> Result<Connection> {
        Ok(Connection {
            conn: Conn::new(self.config.spawn()?.wait()?),
        })
    }
}

/// A connection: `Send` and `Sync`.
pub struct Connection {
    conn: Conn,
}

impl Connection {
    /// Opens a file (created if missing) or, for `":memory:"`, a private in-memory database,
    /// with the default options; [`Builder`] has the others.
    pub fn open(path: impl AsRef<Path>) -> Result<Connection> {
        Builder::new_local(path).build_blocking()?.connect()
    }

    /// Runs one statement; the rows it inserted, updated or deleted (0 for other statements).
    pub fn execute(&self, sql: &str, params: impl Params) -> Result<u64> {
        self.conn.execute(sql, params).wait()
    }

    /// Runs every statement of `sql`, stopping at the first error.
    pub fn execute_batch(&self, sql: &str) -> Result<()> {
        self.conn.execute_batch(sql).wait()
    }

    /// Runs a query; its rows are read with [`Rows::next`] or as an iterator.
    pub fn query(&self, sql: &str, params: impl Params) -> Result<Rows> {
        let started = self.conn.query(sql, params).wait()?;
        Ok(Rows {
            state: self.conn.rows(started),
        })
    }

    /// The first row of a query; [`Error::QueryReturnedNoRows`](crate::Error::QueryReturnedNoRows)
    /// if there is none.
    pub fn query_row(&self, sql: &str, params: impl Params) -> Result<Row> {
        first_row(self.query(sql, params)?.next()?)
    }

    /// Compiles a statement to run many times.
    pub fn prepare(&self, sql: &str) -> Result<Statement> {
        let info = self.conn.prepare(sql).wait()?;
        Ok(Statement {
            stmt: self.conn.statement(info),
        })
    }

    /// Begins a transaction (`BEGIN`); it is rolled back unless committed.
    pub fn transaction(&mut self) -> Result<Transaction<'_>> {
        self.execute_batch("BEGIN")?;
        Ok(Transaction {
            conn: self,
            finished: false,
        })
    }

    pub fn last_insert_rowid(&self) -> i64 {
        self.conn.last_insert_rowid()
    }

    pub fn changes(&self) -> u64 {
        self.conn.changes()
    }

    pub fn total_changes(&self) -> u64 {
        self.conn.total_changes()
    }

    pub fn is_autocommit(&self) -> bool {
        self.conn.is_autocommit()
    }

    /// Makes the statement running now fail with "interrupted"; call it from another thread
    /// (the connection is `Sync`).
    pub fn interrupt(&self) {
        self.conn.interrupt();
    }
}

/// A prepared statement.
pub struct Statement {
    stmt: Stmt,
}

impl Statement {
    pub fn execute(&mut self, params: impl Params) -> Result<u64> {
        self.stmt.execute(params).wait()
    }

    pub fn query(&mut self, params: impl Params) -> Result<Rows> {
        let started = self.stmt.query(params).wait()?;
        Ok(Rows {
            state: self.stmt.rows(started),
        })
    }

    pub fn query_row(&mut self, params: impl Params) -> Result<Row> {
        first_row(self.query(params)?.next()?)
    }

    pub fn column_names(&self) -> &[String] {
        self.stmt.column_names()
    }

    pub fn column_count(&self) -> usize {
        self.stmt.column_names().len()
    }

    pub fn parameter_count(&self) -> usize {
        self.stmt.parameter_count()
    }
}

/// A query's rows: [`Rows::next`], or an iterator of `Result<Row>`.
pub struct Rows {
    state: RowsState,
}

impl Rows {
    /// The next row, or `None` after the last.
    #[allow(clippy::should_implement_trait)] // also an Iterator, whose items are Results
    pub fn next(&mut self) -> Result<Option<Row>> {
        if let Some(row) = self.state.pop() {
            return Ok(Some(row));
        }
        let Some(fetch) = self.state.fetch() else {
            return Ok(None);
        };
        self.state.absorb(fetch.wait())?;
        Ok(self.state.pop())
    }

    pub fn column_names(&self) -> &[String] {
        self.state.column_names()
    }
}

impl Iterator for Rows {
    type Item = Result<Row>;

    fn next(&mut self) -> Option<Result<Row>> {
        Rows::next(self).transpose()
    }
}

/// A transaction: derefs to its [`Connection`]; rolled back when dropped uncommitted.
pub struct Transaction<'a> {
    conn: &'a mut Connection,
    finished: bool,
}

impl Transaction<'_> {
    pub fn commit(mut self) -> Result<()> {
        self.conn.execute_batch("COMMIT")?;
        self.finished = true;
        Ok(())
    }

    pub fn rollback(mut self) -> Result<()> {
        self.finished = true;
        self.conn.execute_batch("ROLLBACK")
    }
}

impl Deref for Transaction<'_> {
    type Target = Connection;

    fn deref(&self) -> &Connection {
        self.conn
    }
}

impl DerefMut for Transaction<'_> {
    fn deref_mut(&mut self) -> &mut Connection {
        self.conn
    }
}

impl Drop for Transaction<'_> {
    fn drop(&mut self) {
        if !self.finished {
            self.conn.conn.rollback_dropped();
        }
    }
}
