//! What the async and the blocking API have in common: each call becomes a job for the
//! connection's thread and a [`Reply`]; the async types await it, the blocking ones wait for it.

use crate::error::{Error, Result};
use crate::params::{Bindings, Params};
use crate::row::Row;
use crate::worker::{Reply, Session, StatementInfo, Worker};
use basalt_core::record::Value as CoreValue;
use std::collections::VecDeque;
use std::sync::atomic::Ordering;
use std::sync::Arc;

/// Rows fetched per trip to the connection's thread. Fetching ahead makes a query's rows arrive
/// in batches: a statement that changes the table being read, on the same connection, while
/// rows are still buffered sees the same effects as in SQLite, only possibly earlier.
const BATCH: usize = 64;

/// A connection: its thread, and what is known without asking it.
#[derive(Clone)]
pub(crate) struct Conn {
    pub(crate) worker: Arc<Worker>,
}

/// The first rows of a query, and what is needed to fetch the rest.
pub(crate) struct Started {
    info: StatementInfo,
    generation: u64,
    rows: Vec<Vec<CoreValue>>,
    done: bool,
}

impl Conn {
    pub(crate) fn new(worker: Worker) -> Conn {
        Conn {
            worker: Arc::new(worker),
        }
    }

    pub(crate) fn execute(&self, sql: &str, params: impl Params) -> Reply<u64> {
        let sql = sql.to_owned();
        match params.into_bindings() {
            Ok(b) => self.worker.call(move |s| s.execute_sql(&sql, b)),
            Err(e) => Reply::ready(Err(e)),
        }
    }

    pub(crate) fn execute_batch(&self, sql: &str) -> Reply<()> {
        let sql = sql.to_owned();
        self.worker.call(move |s| s.execute_batch(&sql))
    }

    pub(crate) fn prepare(&self, sql: &str) -> Reply<StatementInfo> {
        let sql = sql.to_owned();
        self.worker.call(move |s| s.prepare(&sql))
    }

    /// Prepares `sql`, runs it and fetches its first rows, in one trip.
    pub(crate) fn query(&self, sql: &str, params: impl Params) -> Reply<Started> {
        let sql = sql.to_owned();
        match params.into_bindings() {
            Ok(b) => self.worker.call(move |s| {
                let info = s.prepare(&sql)?;
                let started = start(s, info.id, b);
                if started.is_err() {
                    s.finalize(info.id);
                }
                let (generation, rows, done) = started?;
                Ok(Started {
                    info,
                    generation,
                    rows,
                    done,
                })
            }),
            Err(e) => Reply::ready(Err(e)),
        }
    }

    pub(crate) fn statement(&self, info: StatementInfo) -> Stmt {
        Stmt(Arc::new(StmtHandle {
            worker: Arc::clone(&self.worker),
            info,
        }))
    }

    pub(crate) fn rows(&self, started: Started) -> RowsState {
        let handle = Arc::new(StmtHandle {
            worker: Arc::clone(&self.worker),
            info: started.info,
        });
        RowsState::new(handle, started.generation, started.rows, started.done)
    }

    pub(crate) fn last_insert_rowid(&self) -> i64 {
        self.worker
            .counters
            .last_insert_rowid
            .load(Ordering::Acquire)
    }

    pub(crate) fn changes(&self) -> u64 {
        let changes = self.worker.counters.changes.load(Ordering::Acquire);
        changes.try_into().unwrap_or(0)
    }

    pub(crate) fn total_changes(&self) -> u64 {
        let total = self.worker.counters.total_changes.load(Ordering::Acquire);
        total.try_into().unwrap_or(0)
    }

    pub(crate) fn is_autocommit(&self) -> bool {
        self.worker.counters.autocommit.load(Ordering::Acquire)
    }

    pub(crate) fn interrupt(&self) {
        self.worker.interrupt.interrupt();
    }

    /// Rolls back the transaction of a guard dropped uncommitted. It waits, even in async code
    /// (a destructor cannot await), so that `is_autocommit` and the rest are right at once; a
    /// rollback only forgets pages held in memory, so the wait is short.
    pub(crate) fn rollback_dropped(&self) {
        let rollback = self.worker.call(|s| {
            if !s.conn.is_autocommit() {
                s.execute_batch("ROLLBACK")?;
            }
            Ok(())
        });
        // A failed rollback leaves nothing to do here: the next call reports the state.
        let _ = rollback.wait();
    }
}

fn start(s: &mut Session, id: u64, b: Bindings) -> Result<(u64, Vec<Vec<CoreValue>>, bool)> {
    let generation = s.start(id, b)?;
    let (rows, done) = s.fetch(id, generation, BATCH)?;
    Ok((generation, rows, done))
}

/// A prepared statement on the connection's thread; finalized when the last holder (the
/// `Statement`, or `Rows` still reading it) is dropped.
pub(crate) struct StmtHandle {
    worker: Arc<Worker>,
    info: StatementInfo,
}

impl Drop for StmtHandle {
    fn drop(&mut self) {
        let id = self.info.id;
        self.worker.send(move |s| s.finalize(id));
    }
}

/// The shared part of a prepared `Statement`.
#[derive(Clone)]
pub(crate) struct Stmt(Arc<StmtHandle>);

impl Stmt {
    pub(crate) fn execute(&self, params: impl Params) -> Reply<u64> {
        let id = self.0.info.id;
        match params.into_bindings() {
            Ok(b) => self.0.worker.call(move |s| s.execute(id, b)),
            Err(e) => Reply::ready(Err(e)),
        }
    }

    pub(crate) fn query(&self, params: impl Params) -> Reply<(u64, Vec<Vec<CoreValue>>, bool)> {
        let id = self.0.info.id;
        match params.into_bindings() {
            Ok(b) => self.0.worker.call(move |s| start(s, id, b)),
            Err(e) => Reply::ready(Err(e)),
        }
    }

    pub(crate) fn rows(&self, started: (u64, Vec<Vec<CoreValue>>, bool)) -> RowsState {
        let (generation, rows, done) = started;
        RowsState::new(Arc::clone(&self.0), generation, rows, done)
    }

    pub(crate) fn column_names(&self) -> &[String] {
        &self.0.info.columns
    }

    pub(crate) fn parameter_count(&self) -> usize {
        self.0.info.parameter_count
    }
}

/// The shared part of `Rows`: rows fetched but not yet read, and the run they belong to.
pub(crate) struct RowsState {
    handle: Arc<StmtHandle>,
    generation: u64,
    buffered: VecDeque<Vec<CoreValue>>,
    done: bool,
}

impl RowsState {
    fn new(
        handle: Arc<StmtHandle>,
        generation: u64,
        rows: Vec<Vec<CoreValue>>,
        done: bool,
    ) -> RowsState {
        RowsState {
            handle,
            generation,
            buffered: rows.into(),
            done,
        }
    }

    /// The next buffered row, if any.
    pub(crate) fn pop(&mut self) -> Option<Row> {
        self.buffered.pop_front().map(|values| Row {
            columns: Arc::clone(&self.handle.info.columns),
            values,
        })
    }

    /// A trip for more rows, or `None` when the statement has finished.
    pub(crate) fn fetch(&self) -> Option<Reply<(Vec<Vec<CoreValue>>, bool)>> {
        if self.done {
            return None;
        }
        let (id, generation) = (self.handle.info.id, self.generation);
        Some(
            self.handle
                .worker
                .call(move |s| s.fetch(id, generation, BATCH)),
        )
    }

    /// Takes in what a fetch brought; an error ends the rows.
    pub(crate) fn absorb(&mut self, fetched: Result<(Vec<Vec<CoreValue>>, bool)>) -> Result<()> {
        match fetched {
            Ok((rows, done)) => {
                self.buffered.extend(rows);
                self.done = done;
                Ok(())
            }
            Err(e) => {
                self.done = true;
                Err(e)
            }
        }
    }

    pub(crate) fn column_names(&self) -> &[String] {
        &self.handle.info.columns
    }
}

impl Drop for RowsState {
    fn drop(&mut self) {
        if self.done {
            return;
        }
        // Rows left unread: reset the statement so that it ends its read transaction now (as
        // `sqlite3_reset` would), unless it has been run again since.
        let (id, generation) = (self.handle.info.id, self.generation);
        self.handle.worker.send(move |s| s.reset(id, generation));
    }
}

/// `query_row`'s answer: the first row, or the error for an empty result.
pub(crate) fn first_row(row: Option<Row>) -> Result<Row> {
    row.ok_or(Error::QueryReturnedNoRows)
}
