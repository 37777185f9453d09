//! The async API: [`Database`], [`Connection`], [`Statement`], [`Rows`], [`Transaction`].
//!
//! Every method that talks to the database returns a future that is `Send` and does not borrow
//! the connection, whatever the parameters were (they are converted when the method is called),
//! so it can be awaited from any executor and any task.
//!
//! A call is sent to the connection when the method is called, not when its future is first
//! polled: calls run in the order they were made, and dropping a future does not cancel its
//! call (an `execute` whose future is dropped still runs). Use [`Connection::interrupt`] to stop
//! a running statement.

use crate::error::Result;
use crate::options::Config;
use crate::params::Params;
use crate::row::Row;
use crate::shared::{first_row, Conn, RowsState, Stmt};
use std::future::Future;
use std::ops::{Deref, DerefMut};
use std::sync::Arc;

/// An open database: cheap to clone, `Send + Sync`, shared by every task that connects to it.
#[derive(Clone, Debug)]
pub struct Database {
    config: Arc<Config>,
}

impl Database {
    pub(crate) fn new(config: Arc<Config>) -> Database {
        Database { config }
    }

    /// A new, independent connection (its own transactions, `last_insert_rowid` and
    /// `changes`). Blocks the calling thread while the connection's thread opens the database
    /// (it reads the header, and recovers the WAL if another process left one); see
    /// [`Database::connect_async`] for the variant that does not.
    pub fn connect(&self) -> Result<Connection> {
        Ok(Connection::new(self.config.spawn()?.wait()?))
    }

    /// [`Database::connect`], awaiting the open instead of blocking.
    pub async fn connect_async(&self) -> Result<Connection> {
        let worker = self.config.spawn()?.opened().await?;
        Ok(Connection::new(worker))
    }
}

/// A connection: `Send` and `Sync`; its calls run one at a time, in the order they were made.
pub struct Connection {
    conn: Conn,
}

impl Connection {
    fn new(worker: crate::worker::Worker) -> Connection {
        Connection {
            conn: Conn::new(worker),
        }
    }

    /// Runs one statement; the rows it inserted, updated or deleted (0 for other statements).
    pub fn execute(
        &self,
        sql: &str,
        params: impl Params,
    ) -> impl Future<Output = Result<u64>> + Send {
        self.conn.execute(sql, params)
    }

    /// Runs every statement of `sql`, stopping at the first error.
    pub fn execute_batch(&self, sql: &str) -> impl Future<Output = Result<()>> + Send {
        self.conn.execute_batch(sql)
    }

    /// Runs a query; its rows are read with [`Rows::next`].
    pub fn query(
        &self,
        sql: &str,
        params: impl Params,
    ) -> impl Future<Output = Result<Rows>> + Send {
        let started = self.conn.query(sql, params);
        let conn = self.conn.clone();
        async move {
            let state = conn.rows(started.await?);
            Ok(Rows { state })
        }
    }

    /// The first row of a query; [`Error::QueryReturnedNoRows`](crate::Error::QueryReturnedNoRows)
    /// if there is none.
    pub fn query_row(
        &self,
        sql: &str,
        params: impl Params,
    ) -> impl Future<Output = Result<Row>> + Send {
        let rows = self.query(sql, params);
        async move { first_row(rows.await?.next().await?) }
    }

    /// Compiles a statement to run many times.
    pub fn prepare(&self, sql: &str) -> impl Future<Output = Result<Statement>> + Send {
        let info = self.conn.prepare(sql);
        let conn = self.conn.clone();
        async move {
            Ok(Statement {
                stmt: conn.statement(info.await?),
            })
        }
    }

    /// Begins a transaction (`BEGIN`); it is rolled back unless committed.
    pub async fn transaction(&mut self) -> Result<Transaction<'_>> {
        self.execute_batch("BEGIN").await?;
        Ok(Transaction {
            conn: self,
            finished: false,
        })
    }

    /// The rowid of the last row inserted by this connection.
    pub fn last_insert_rowid(&self) -> i64 {
        self.conn.last_insert_rowid()
    }

    /// Rows changed by the last INSERT, UPDATE or DELETE of this connection.
    pub fn changes(&self) -> u64 {
        self.conn.changes()
    }

    /// Rows changed by this connection since it opened.
    pub fn total_changes(&self) -> u64 {
        self.conn.total_changes()
    }

    /// Whether no transaction is open.
    pub fn is_autocommit(&self) -> bool {
        self.conn.is_autocommit()
    }

    /// Makes the statement running now fail with "interrupted" (from any thread or task).
    pub fn interrupt(&self) {
        self.conn.interrupt();
    }
}

/// A prepared statement: compiled once, run many times with different parameters.
pub struct Statement {
    stmt: Stmt,
}

impl Statement {
    /// Runs the statement to its end; the rows it changed.
    pub fn execute(&mut self, params: impl Params) -> impl Future<Output = Result<u64>> + Send {
        self.stmt.execute(params)
    }

    /// Runs the statement as a query. Running it again makes earlier `Rows` of it fail with
    /// [`Error::RowsOutdated`](crate::Error::RowsOutdated).
    pub fn query(&mut self, params: impl Params) -> impl Future<Output = Result<Rows>> + Send {
        let started = self.stmt.query(params);
        let stmt = self.stmt.clone();
        async move {
            let state = stmt.rows(started.await?);
            Ok(Rows { state })
        }
    }

    /// The first row the statement returns.
    pub fn query_row(&mut self, params: impl Params) -> impl Future<Output = Result<Row>> + Send {
        let rows = self.query(params);
        async move { first_row(rows.await?.next().await?) }
    }

    pub fn column_names(&self) -> &[String] {
        self.stmt.column_names()
    }

    pub fn column_count(&self) -> usize {
        self.stmt.column_names().len()
    }

    /// The number of placeholders (the largest `?NNN` index).
    pub fn parameter_count(&self) -> usize {
        self.stmt.parameter_count()
    }
}

/// A query's rows, read one at a time with [`Rows::next`].
pub struct Rows {
    state: RowsState,
}

impl Rows {
    /// The next row, or `None` after the last.
    #[allow(clippy::should_implement_trait)] // async: Iterator cannot express it
    pub async fn next(&mut self) -> Result<Option<Row>> {
        if let Some(row) = self.state.pop() {
            return Ok(Some(row));
        }
        let Some(fetch) = self.state.fetch() else {
            return Ok(None);
        };
        let fetched = fetch.await;
        self.state.absorb(fetched)?;
        Ok(self.state.pop())
    }

    pub fn column_names(&self) -> &[String] {
        self.state.column_names()
    }

    pub fn column_count(&self) -> usize {
        self.state.column_names().len()
    }
}

/// A transaction: derefs to its [`Connection`]; rolled back when dropped uncommitted.
pub struct Transaction<'a> {
    conn: &'a mut Connection,
    finished: bool,
}

impl Transaction<'_> {
    pub async fn commit(mut self) -> Result<()> {
        self.conn.execute_batch("COMMIT").await?;
        self.finished = true;
        Ok(())
    }

    pub async fn rollback(mut self) -> Result<()> {
        self.finished = true;
        self.conn.execute_batch("ROLLBACK").await
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
