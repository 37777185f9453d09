//! Basalt: an in-process SQL database compatible with SQLite (same SQL, same file format, same
//! result codes), with an async API and a blocking one of the same shape.
//!
//! # Async
//!
//! Open a [`Database`] once, [`connect`](Database::connect) as many times as you like (each
//! connection is independent: its own transactions, `last_insert_rowid`, `changes`), and await
//! the calls. Any executor works: the futures are plain `Send` futures woken by the connection's
//! thread; tokio is only used by these examples.
//!
//! ```
//! use basalt::{params, Builder};
//!
//! #[tokio::main]
//! async fn main() -> basalt::Result<()> {
//!     let db = Builder::new_local(":memory:").build().await?;
//!     let mut conn = db.connect()?;
//!     conn.execute_batch(
//!         "CREATE TABLE todo(id INTEGER PRIMARY KEY, title TEXT NOT NULL, done INTEGER);",
//!     )
//!     .await?;
//!
//!     let n = conn
//!         .execute("INSERT INTO todo(title, done) VALUES (?1, ?2)", ("write docs", false))
//!         .await?;
//!     assert_eq!((n, conn.last_insert_rowid(), conn.changes()), (1, 1, 1));
//!
//!     // A prepared statement, run many times.
//!     let mut insert = conn.prepare("INSERT INTO todo(title, done) VALUES (?1, ?2)").await?;
//!     for title in ["test", "ship"] {
//!         insert.execute(params![title, true]).await?;
//!     }
//!
//!     // A transaction is rolled back unless committed.
//!     let tx = conn.transaction().await?;
//!     tx.execute("DELETE FROM todo", ()).await?;
//!     tx.rollback().await?;
//!
//!     let mut rows = conn.query("SELECT id, title FROM todo WHERE done = ?1 ORDER BY id", [1]).await?;
//!     while let Some(row) = rows.next().await? {
//!         let (id, title): (i64, String) = (row.get(0)?, row.get("title")?);
//!         println!("{id}: {title}");
//!     }
//!     Ok(())
//! }
//! ```
//!
//! Several tasks share a database through separate connections; a writer waits up to the
//! [busy timeout](Builder::busy_timeout) for another's transaction to finish:
//!
//! ```
//! # #[tokio::main]
//! # async fn main() -> basalt::Result<()> {
//! let dir = std::env::temp_dir().join(format!("basalt-doc-tasks-{}", std::process::id()));
//! std::fs::create_dir_all(&dir).unwrap();
//! let db = basalt::Builder::new_local(dir.join("app.db")).build().await?;
//! db.connect()?.execute_batch("CREATE TABLE hit(task INTEGER)").await?;
//! let tasks: Vec<_> = (0..4)
//!     .map(|task| {
//!         let db = db.clone();
//!         tokio::spawn(async move {
//!             let conn = db.connect()?;
//!             for _ in 0..10 {
//!                 conn.execute("INSERT INTO hit VALUES (?1)", [task]).await?;
//!             }
//!             Ok::<(), basalt::Error>(())
//!         })
//!     })
//!     .collect();
//! for task in tasks {
//!     task.await.unwrap()?;
//! }
//! let count: i64 = db.connect()?.query_row("SELECT count(*) FROM hit", ()).await?.get(0)?;
//! assert_eq!(count, 40);
//! # std::fs::remove_dir_all(&dir).unwrap();
//! # Ok(())
//! # }
//! ```
//!
//! # Blocking
//!
//! [`blocking`] has the same types without `.await`; see its documentation.
//!
//! # Parameters
//!
//! Positional: `()`, tuples (`(1, "a")`), arrays and slices of one type (`[1, 2]`), and
//! [`params!`] for mixed types. Named (`:name`, `@name`, `$name`; the prefix may be left out):
//! arrays of pairs (`[(":id", 1)]`) and [`named_params!`]. Values convert through [`ToSql`]
//! with SQLite's rules: `bool` is 0 or 1, `None` is NULL, a `u64` above `i64::MAX` is an error.
//!
//! ```
//! use basalt::{named_params, params, Error, Value};
//!
//! # fn main() -> basalt::Result<()> {
//! let conn = basalt::blocking::Connection::open(":memory:")?;
//! conn.execute_batch("CREATE TABLE t(a, b, c)")?;
//! conn.execute("INSERT INTO t VALUES (?, ?, ?)", (1, "one", 1.5))?;
//! conn.execute("INSERT INTO t VALUES (?1, ?2, ?3)", params![2, None::<String>, vec![0u8, 1]])?;
//! conn.execute("INSERT INTO t VALUES (:a, :b, :c)", named_params! { ":a": 3, ":b": true, ":c": Value::Null })?;
//! conn.execute("INSERT INTO t VALUES (@a, @b, 0)", [("a", 4), ("b", 5)])?;
//!
//! let row = conn.query_row("SELECT b FROM t WHERE a = :a", [(":a", 3)])?;
//! assert_eq!(row.get::<i64>(0)?, 1); // true was stored as 1
//!
//! let too_big = conn.execute("INSERT INTO t VALUES (?1, 0, 0)", [u64::MAX]).unwrap_err();
//! assert!(matches!(too_big, Error::ToSqlConversionFailure(_)));
//! # Ok(())
//! # }
//! ```
//!
//! # Reading values
//!
//! [`Row::get`] reads a column by index or name as any [`FromSql`] type: integers (range
//! checked), `f64`, `bool`, `String`, `Vec<u8>`, [`Value`], and `Option<T>` for NULL. With the
//! `serde` feature, `Row::deserialize` reads a row into a struct.
//!
//! # Errors
//!
//! One [`Error`] type. What the database refuses is [`Error::Sqlite`] with SQLite's primary and
//! extended codes; its `Display` is SQLite's message:
//!
//! ```
//! use basalt::{Error, ErrorCode};
//!
//! # fn main() -> basalt::Result<()> {
//! let conn = basalt::blocking::Connection::open(":memory:")?;
//! conn.execute_batch("CREATE TABLE t(id INTEGER PRIMARY KEY)")?;
//! conn.execute("INSERT INTO t VALUES (1)", ())?;
//! let err = conn.execute("INSERT INTO t VALUES (1)", ()).unwrap_err();
//! assert_eq!(err.to_string(), "UNIQUE constraint failed: t.id");
//! assert!(matches!(err, Error::Sqlite { code: ErrorCode::Constraint, .. }));
//! # Ok(())
//! # }
//! ```
//!
//! # Opening options
//!
//! [`Builder`] takes SQLite's open flags and the settings SQLite takes as PRAGMAs; each
//! connection of the database is opened with them, and the PRAGMAs report them:
//!
//! ```
//! use basalt::{Builder, ErrorCode, IoBackend, Synchronous};
//! use std::time::Duration;
//!
//! # fn main() -> basalt::Result<()> {
//! let dir = std::env::temp_dir().join(format!("basalt-doc-options-{}", std::process::id()));
//! std::fs::create_dir_all(&dir).unwrap();
//! let path = dir.join("app.db");
//! let pragma = |conn: &basalt::blocking::Connection, name: &str| -> basalt::Result<i64> {
//!     conn.query_row(&format!("PRAGMA {name}"), ())?.get(0)
//! };
//!
//! // Page size (of a new file only), cache size, busy timeout, synchronous.
//! let db = Builder::new_local(&path)
//!     .page_size(8192)
//!     .cache_size(-4000) // KiB when negative, pages when positive
//!     .busy_timeout(Duration::from_millis(1500))
//!     .synchronous(Synchronous::Normal)
//!     .build_blocking()?;
//! let conn = db.connect()?;
//! conn.execute_batch("CREATE TABLE t(x); INSERT INTO t VALUES (1)")?;
//! assert_eq!(pragma(&conn, "page_size")?, 8192);
//! assert_eq!(pragma(&conn, "cache_size")?, -4000);
//! assert_eq!(pragma(&conn, "busy_timeout")?, 1500);
//! assert_eq!(pragma(&conn, "synchronous")?, 1);
//!
//! // An invalid page size is refused, never replaced by another.
//! let err = Builder::new_local(dir.join("other.db")).page_size(1000).build_blocking().unwrap_err();
//! assert_eq!(err.to_string(), "invalid page size 1000: a power of two from 512 to 65536");
//!
//! // Read-only: reads work, writes fail with SQLite's error.
//! let reader = Builder::new_local(&path).read_only(true).build_blocking()?.connect()?;
//! assert_eq!(reader.query_row("SELECT x FROM t", ())?.get::<i64>(0)?, 1);
//! let err = reader.execute("INSERT INTO t VALUES (2)", ()).unwrap_err();
//! assert_eq!(err.sqlite_code(), Some(ErrorCode::ReadOnly));
//! assert_eq!(err.to_string(), "attempt to write a readonly database");
//!
//! // Create-if-missing is on by default; turned off, a missing file is an error.
//! let err = Builder::new_local(dir.join("missing.db"))
//!     .create_if_missing(false)
//!     .build_blocking()
//!     .unwrap_err();
//! assert_eq!(err.sqlite_code(), Some(ErrorCode::CantOpen));
//! assert_eq!(err.to_string(), "unable to open database file");
//!
//! // The I/O backend: files in memory, shared by this database's connections.
//! let scratch = Builder::new_local("scratch.db").io(IoBackend::Memory).build_blocking()?;
//! scratch.connect()?.execute_batch("CREATE TABLE t(x)")?;
//! assert_eq!(scratch.connect()?.query_row("SELECT count(*) FROM t", ())?.get::<i64>(0)?, 0);
//! # drop((conn, reader, db));
//! # std::fs::remove_dir_all(&dir).unwrap();
//! # Ok(())
//! # }
//! ```
//!
//! # Busy timeout and transactions
//!
//! As in SQLite, a write that finds another connection writing waits up to the busy timeout
//! for it (then fails with [`ErrorCode::Busy`], "database is locked") only when its connection
//! has no read transaction open: a statement outside a transaction, `BEGIN IMMEDIATE`, or the
//! first statement of a `BEGIN` transaction. A write inside a transaction that has already read
//! fails at once with `ErrorCode::Busy`, because its snapshot must stay what it read (SQLite's
//! `SQLITE_BUSY` / `SQLITE_BUSY_SNAPSHOT`); roll back and retry the whole transaction, or start
//! it with a write (or `BEGIN IMMEDIATE`) so that it waits instead. The transaction stays open
//! after the error.
//!
//! # What blocks, today
//!
//! Each connection runs on a thread of its own, because the engine's connection cannot move
//! between threads. On that thread, and never on the caller's: file reads and writes, `fsync`
//! at commit, and the sleeps of a writer waiting up to the busy timeout for the write lock.
//! Async callers are suspended meanwhile and woken when the call is done. What blocks the
//! caller's thread: [`Database::connect`] while the database opens (use
//! [`Database::connect_async`] to await it instead); dropping a `Connection`, which waits for
//! its thread to close the database (the last connection to a file checkpoints its WAL), as
//! `sqlite3_close` does; and dropping an uncommitted `Transaction`, which waits for its
//! rollback (in memory, no I/O) so that the connection's state is right at once.
//!
//! Every call is one trip to the connection's thread; rows come back 64 at a time.

pub mod blocking;
mod connection;
#[cfg(feature = "serde")]
mod de;
mod error;
mod options;
mod params;
mod row;
mod shared;
mod value;
mod worker;

pub use connection::{Connection, Database, Rows, Statement, Transaction};
pub use error::{Error, ErrorCode, Result};
pub use options::{Builder, IoBackend, Synchronous};
pub use params::{Bindings, Params};
pub use row::{Row, RowIndex};
pub use value::{FromSql, FromSqlError, ToSql, Type, Value, ValueRef};

/// The repository README's Rust example, compiled and run as a doc-test.
#[cfg(doctest)]
#[doc = include_str!("../../../README.md")]
struct ReadmeDoctests;

/// This crate's README example, compiled and run as a doc-test.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct CrateReadmeDoctests;
