//! One thread per connection, and the replies that come back from it.
//!
//! Why a thread: the engine's connection and statements are not `Send` (they share the pager
//! through `Rc<RefCell<..>>`), yet a public `Connection` must move between threads and tasks.
//! So the engine connection lives on a thread of its own and the public types send it jobs
//! (closures) through a channel; the jobs of one connection run one at a time, in the order
//! they were sent. This also keeps the async API from blocking its executor: file I/O, fsync and
//! waits for a busy writer lock (the engine's, up to `busy_timeout`) happen on the connection's
//! thread, and a task awaiting a [`Reply`] is woken by its waker when the job is done.
//!
//! When the engine's connection becomes `Send`, the async API can instead poll the engine's
//! restartable `step` directly and register its waker with the I/O backend on `IoPending`; the
//! public types would not change.

use crate::error::{Error, Result};
use crate::params::Bindings;
use basalt_core::connection::{
    Connection as CoreConnection, InterruptHandle, Statement as CoreStatement,
};
use basalt_core::record::Value as CoreValue;
use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError, Weak};
use std::task::{Context, Poll, Waker};
use std::thread::JoinHandle;

type Job = Box<dyn FnOnce(&mut Session) + Send>;

/// The public side of a connection's thread.
pub(crate) struct Worker {
    jobs: Option<mpsc::Sender<Job>>,
    thread: Option<JoinHandle<()>>,
    pub(crate) counters: Arc<Counters>,
    pub(crate) interrupt: InterruptHandle,
}

/// The connection's counters, copied out after every job so that `changes()` and friends need
/// no round trip. Jobs of one connection are awaited one at a time, so after a reply these are
/// the values SQLite would report at that point.
#[derive(Default)]
pub(crate) struct Counters {
    pub(crate) changes: AtomicI64,
    pub(crate) total_changes: AtomicI64,
    pub(crate) last_insert_rowid: AtomicI64,
    pub(crate) autocommit: AtomicBool,
}

/// A connection's thread that is opening the database.
pub(crate) struct Opening {
    jobs: mpsc::Sender<Job>,
    thread: JoinHandle<()>,
    counters: Arc<Counters>,
    opened: Reply<InterruptHandle>,
}

impl Opening {
    /// Blocks until the database is open.
    pub(crate) fn wait(self) -> Result<Worker> {
        let interrupt = self.opened.wait()?;
        Ok(Worker::new(
            self.jobs,
            self.thread,
            self.counters,
            interrupt,
        ))
    }

    /// Waits for the database to open without blocking the executor.
    pub(crate) async fn opened(self) -> Result<Worker> {
        let interrupt = self.opened.await?;
        Ok(Worker::new(
            self.jobs,
            self.thread,
            self.counters,
            interrupt,
        ))
    }
}

impl Worker {
    fn new(
        jobs: mpsc::Sender<Job>,
        thread: JoinHandle<()>,
        counters: Arc<Counters>,
        interrupt: InterruptHandle,
    ) -> Worker {
        Worker {
            jobs: Some(jobs),
            thread: Some(thread),
            counters,
            interrupt,
        }
    }

    /// Starts a connection's thread, which opens the database with `open`.
    pub(crate) fn spawn(
        open: impl FnOnce() -> Result<CoreConnection> + Send + 'static,
    ) -> Result<Opening> {
        let (jobs, queue) = mpsc::channel::<Job>();
        let counters = Arc::new(Counters::default());
        let thread_counters = Arc::clone(&counters);
        let (opened, opened_reply) = reply();
        let thread = std::thread::Builder::new()
            .name("basalt-connection".into())
            .spawn(move || {
                let conn = match open() {
                    Ok(conn) => conn,
                    Err(e) => return opened.complete(Err(e)),
                };
                let interrupt = conn.interrupt_handle();
                let mut session = Session {
                    conn,
                    statements: HashMap::new(),
                    next_id: 0,
                    counters: thread_counters,
                };
                session.publish_counters();
                opened.complete(Ok(interrupt));
                // Ends when every sender is gone: the `Worker` was dropped.
                while let Ok(job) = queue.recv() {
                    job(&mut session);
                }
            })
            .map_err(|e| {
                Error::sqlite(
                    crate::ErrorCode::CantOpen,
                    format!("cannot start the connection's thread: {e}"),
                )
            })?;
        Ok(Opening {
            jobs,
            thread,
            counters,
            opened: opened_reply,
        })
    }

    /// Sends a job whose outcome nobody waits for (clean-ups from destructors).
    pub(crate) fn send(&self, f: impl FnOnce(&mut Session) + Send + 'static) {
        if let Some(jobs) = &self.jobs {
            // Failing means the thread is gone, and the state to clean up with it.
            let _ = jobs.send(Box::new(f));
        }
    }

    /// Sends a job to the connection's thread.
    pub(crate) fn call<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Session) -> Result<T> + Send + 'static,
    ) -> Reply<T> {
        let (done, reply) = reply();
        let job: Job = Box::new(move |session| {
            let result = f(session);
            session.publish_counters();
            done.complete(result);
        });
        if let Some(jobs) = &self.jobs {
            // A failed send drops the job, and with it `done`: the reply reports the closed
            // connection.
            let _ = jobs.send(job);
        }
        reply
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        // Closing the channel ends the thread's loop; joining makes dropping a connection close
        // the database before returning, as `sqlite3_close` does (the last connection to a file
        // checkpoints and removes the WAL).
        self.jobs = None;
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// The engine's side: lives on the connection's thread.
pub(crate) struct Session {
    pub(crate) conn: CoreConnection,
    statements: HashMap<u64, Prepared>,
    next_id: u64,
    counters: Arc<Counters>,
}

struct Prepared {
    stmt: CoreStatement,
    /// Bumped by every `start`, so that rows of an earlier run cannot read this one's.
    generation: u64,
    done: bool,
    /// Dead once the public side has dropped the statement's `StatementInfo`.
    alive: Weak<()>,
}

/// What the public side keeps of a prepared statement.
pub(crate) struct StatementInfo {
    pub(crate) id: u64,
    pub(crate) columns: Arc<[String]>,
    pub(crate) parameter_count: usize,
    /// Lets the session finalize statements whose reply was never read (a `prepare` or
    /// `query` future dropped after its job ran), which no `Drop` could send a job for.
    _alive: Arc<()>,
}

impl Session {
    fn publish_counters(&self) {
        let c = &self.counters;
        c.changes.store(self.conn.changes(), Ordering::Release);
        c.total_changes
            .store(self.conn.total_changes(), Ordering::Release);
        c.last_insert_rowid
            .store(self.conn.last_insert_rowid(), Ordering::Release);
        c.autocommit
            .store(self.conn.is_autocommit(), Ordering::Release);
    }

    /// Compiles exactly one statement.
    fn compile(&self, sql: &str) -> Result<CoreStatement> {
        let (stmt, tail) = self.conn.prepare_with_tail(sql).map_err(Error::from_core)?;
        let stmt =
            stmt.ok_or_else(|| Error::sqlite(crate::ErrorCode::Misuse, "not an SQL statement"))?;
        // Only whitespace and comments may follow: anything else would be silently ignored.
        let rest = sql.get(tail..).unwrap_or_default();
        if !matches!(self.conn.prepare_with_tail(rest), Ok((None, _))) {
            return Err(Error::MultipleStatement);
        }
        Ok(stmt)
    }

    pub(crate) fn prepare(&mut self, sql: &str) -> Result<StatementInfo> {
        let stmt = self.compile(sql)?;
        self.statements
            .retain(|_, prepared| prepared.alive.strong_count() > 0);
        let alive = Arc::new(());
        let columns = (0..stmt.column_count())
            .map(|i| stmt.column_name(i).unwrap_or_default().to_owned())
            .collect();
        let parameter_count = stmt.parameter_count();
        let id = self.next_id;
        self.next_id += 1;
        self.statements.insert(
            id,
            Prepared {
                stmt,
                generation: 0,
                done: true,
                alive: Arc::downgrade(&alive),
            },
        );
        Ok(StatementInfo {
            id,
            columns,
            parameter_count,
            _alive: alive,
        })
    }

    pub(crate) fn finalize(&mut self, id: u64) {
        if let Some(prepared) = self.statements.remove(&id) {
            prepared.stmt.finalize();
        }
    }

    fn prepared(&mut self, id: u64) -> Result<&mut Prepared> {
        self.statements
            .get_mut(&id)
            .ok_or_else(|| Error::sqlite(crate::ErrorCode::Misuse, "statement is finalized"))
    }

    /// Resets a statement and binds new parameters; returns the run's generation.
    pub(crate) fn start(&mut self, id: u64, bindings: Bindings) -> Result<u64> {
        let prepared = self.prepared(id)?;
        prepared.stmt.reset();
        bindings.bind(&mut prepared.stmt)?;
        prepared.generation += 1;
        prepared.done = false;
        Ok(prepared.generation)
    }

    /// Resets a statement whose rows were abandoned, unless it was run again since.
    pub(crate) fn reset(&mut self, id: u64, generation: u64) {
        if let Some(prepared) = self.statements.get_mut(&id) {
            if prepared.generation == generation {
                prepared.stmt.reset();
                prepared.done = true;
            }
        }
    }

    /// Up to `max` more rows of the run `generation`, and whether the statement has finished.
    pub(crate) fn fetch(
        &mut self,
        id: u64,
        generation: u64,
        max: usize,
    ) -> Result<(Vec<Vec<CoreValue>>, bool)> {
        let prepared = self.prepared(id)?;
        if prepared.generation != generation {
            return Err(Error::RowsOutdated);
        }
        let mut rows = Vec::new();
        while !prepared.done && rows.len() < max {
            match step(&mut prepared.stmt) {
                Ok(true) => rows.push(prepared.stmt.row().to_vec()),
                Ok(false) => prepared.done = true,
                Err(e) => {
                    prepared.done = true;
                    return Err(e);
                }
            }
        }
        Ok((rows, prepared.done))
    }

    /// Runs a prepared statement to its end; the rows it changed (0 unless it is an INSERT,
    /// UPDATE or DELETE, whatever the previous statement changed).
    pub(crate) fn execute(&mut self, id: u64, bindings: Bindings) -> Result<u64> {
        self.start(id, bindings)?;
        let prepared = self.prepared(id)?;
        prepared.done = true;
        run_to_end(&mut prepared.stmt)?;
        Ok(self.changes_of(id))
    }

    /// Prepares, runs and finalizes one statement.
    pub(crate) fn execute_sql(&mut self, sql: &str, bindings: Bindings) -> Result<u64> {
        let mut stmt = self.compile(sql)?;
        bindings.bind(&mut stmt)?;
        run_to_end(&mut stmt)?;
        Ok(if stmt.program().is_dml {
            self.conn.changes().try_into().unwrap_or(0)
        } else {
            0
        })
    }

    fn changes_of(&self, id: u64) -> u64 {
        let is_dml = self
            .statements
            .get(&id)
            .is_some_and(|p| p.stmt.program().is_dml);
        if is_dml {
            self.conn.changes().try_into().unwrap_or(0)
        } else {
            0
        }
    }

    /// Runs every statement of `sql`, stopping at the first error.
    pub(crate) fn execute_batch(&mut self, sql: &str) -> Result<()> {
        let mut rest = sql;
        while let (Some(mut stmt), tail) = self
            .conn
            .prepare_with_tail(rest)
            .map_err(Error::from_core)?
        {
            run_to_end(&mut stmt)?;
            rest = rest.get(tail..).unwrap_or_default();
        }
        Ok(())
    }
}

/// Runs a statement to its end.
fn run_to_end(stmt: &mut CoreStatement) -> Result<()> {
    while step(stmt)? {}
    Ok(())
}

/// Steps once, waiting for I/O (and, in the engine, for a busy writer lock) on this thread.
fn step(stmt: &mut CoreStatement) -> Result<bool> {
    stmt.step_blocking().map_err(Error::from_core)
}

/// A job's result, to wait for (blocking API) or await (async API).
#[must_use = "a reply does nothing unless waited for or awaited"]
pub(crate) struct Reply<T>(Arc<Slot<T>>);

/// The sending half: completing it (or dropping it, if the job never ran) wakes the reply.
struct Done<T>(Option<Arc<Slot<T>>>);

struct Slot<T> {
    state: Mutex<SlotState<T>>,
    ready: Condvar,
}

struct SlotState<T> {
    result: Option<Result<T>>,
    waker: Option<Waker>,
}

fn reply<T>() -> (Done<T>, Reply<T>) {
    let slot = Arc::new(Slot {
        state: Mutex::new(SlotState {
            result: None,
            waker: None,
        }),
        ready: Condvar::new(),
    });
    (Done(Some(Arc::clone(&slot))), Reply(slot))
}

impl<T> Slot<T> {
    /// A panic while holding the lock cannot leave the state half-written (it is two `Option`s
    /// set whole), so a poisoned lock is still sound to use.
    fn lock(&self) -> MutexGuard<'_, SlotState<T>> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn fill(&self, result: Result<T>) {
        let waker = {
            let mut state = self.lock();
            state.result = Some(result);
            state.waker.take()
        };
        self.ready.notify_all();
        if let Some(waker) = waker {
            waker.wake();
        }
    }
}

impl<T> Done<T> {
    fn complete(mut self, result: Result<T>) {
        if let Some(slot) = self.0.take() {
            slot.fill(result);
        }
    }
}

impl<T> Drop for Done<T> {
    fn drop(&mut self) {
        if let Some(slot) = self.0.take() {
            slot.fill(Err(Error::ConnectionClosed));
        }
    }
}

impl<T> Reply<T> {
    /// A reply that is already there: for calls that fail before reaching the thread.
    pub(crate) fn ready(result: Result<T>) -> Reply<T> {
        let (done, reply) = reply();
        done.complete(result);
        reply
    }

    /// Blocks the calling thread until the job is done.
    pub(crate) fn wait(self) -> Result<T> {
        let mut state = self.0.lock();
        loop {
            if let Some(result) = state.result.take() {
                return result;
            }
            state = self
                .0
                .ready
                .wait(state)
                .unwrap_or_else(PoisonError::into_inner);
        }
    }
}

impl<T> Future for Reply<T> {
    type Output = Result<T>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<T>> {
        let mut state = self.0.lock();
        if let Some(result) = state.result.take() {
            return Poll::Ready(result);
        }
        match &state.waker {
            Some(waker) if waker.will_wake(cx.waker()) => {}
            _ => state.waker = Some(cx.waker().clone()),
        }
        Poll::Pending
    }
}
