//! Opening a database: [`Builder`] and its options, handed to the engine's open as they are
//! (`PRAGMA page_size`, `cache_size`, `busy_timeout` and `synchronous` report them).

use crate::error::{Error, ErrorCode, Result};
use basalt_core::connection::Connection as CoreConnection;
use basalt_core::io::{FileIo, Io, MemoryIo};
use basalt_core::pager::{PagerOptions, DEFAULT_CACHE_SIZE};
use basalt_core::wal::Synchronous as CoreSynchronous;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

/// `PRAGMA synchronous`: how hard a commit pushes its writes to stable storage. Every file
/// database is in WAL mode, where `Normal` syncs the log only at checkpoints (a commit may be
/// lost on power failure, never corrupted) and `Full` also at every commit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Synchronous {
    /// No syncs at all: a power failure may corrupt the file.
    Off,
    Normal,
    /// SQLite's default.
    #[default]
    Full,
    /// As `Full` in WAL mode.
    Extra,
}

impl Synchronous {
    fn to_core(self) -> CoreSynchronous {
        match self {
            Synchronous::Off => CoreSynchronous::Off,
            Synchronous::Normal => CoreSynchronous::Normal,
            Synchronous::Full => CoreSynchronous::Full,
            Synchronous::Extra => CoreSynchronous::Extra,
        }
    }
}

/// Which I/O backend a database's files go through.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum IoBackend {
    /// Files on disk, read and written with `pread`/`pwrite` on the connection's thread.
    #[default]
    File,
    /// Files kept in memory for as long as the [`Database`](crate::Database) lives, shared by its
    /// connections (unlike `:memory:`, which is private to each connection, as in SQLite).
    Memory,
}

/// The options of [`Builder`].
#[derive(Debug, Clone)]
struct OpenOptions {
    read_only: bool,
    create_if_missing: bool,
    page_size: u32,
    cache_size: i64,
    busy_timeout: Duration,
    synchronous: Synchronous,
    io: IoBackend,
}

impl OpenOptions {
    fn to_core(&self) -> PagerOptions {
        PagerOptions {
            read_only: self.read_only,
            create: self.create_if_missing,
            // Out of `usize`'s range is as invalid as any other wrong size: the engine says so.
            page_size: usize::try_from(self.page_size).unwrap_or(0),
            cache_size: self.cache_size,
            busy_timeout: self.busy_timeout,
            synchronous: self.synchronous.to_core(),
            ..PagerOptions::default()
        }
    }
}

/// Opens a database: `Builder::new_local("app.db").build().await?` (async) or
/// `.build_blocking()?`.
///
/// ```
/// # fn main() -> basalt::Result<()> {
/// use std::time::Duration;
/// let dir = std::env::temp_dir().join(format!("basalt-doc-builder-{}", std::process::id()));
/// std::fs::create_dir_all(&dir).unwrap();
/// let db = basalt::Builder::new_local(dir.join("app.db"))
///     .busy_timeout(Duration::from_secs(2))
///     .build_blocking()?;
/// db.connect()?.execute_batch("CREATE TABLE t(x)")?;
///
/// // A missing file is an error when creating is turned off.
/// let err = basalt::Builder::new_local(dir.join("missing.db"))
///     .create_if_missing(false)
///     .build_blocking()
///     .unwrap_err();
/// assert_eq!(err.to_string(), "unable to open database file");
///
/// // Files kept in memory, shared by the database's connections.
/// let db = basalt::Builder::new_local("scratch.db")
///     .io(basalt::IoBackend::Memory)
///     .build_blocking()?;
/// db.connect()?.execute_batch("CREATE TABLE t(x); INSERT INTO t VALUES (1)")?;
/// let x: i64 = db.connect()?.query_row("SELECT x FROM t", ())?.get(0)?;
/// assert_eq!(x, 1);
/// # std::fs::remove_dir_all(&dir).unwrap();
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct Builder {
    path: PathBuf,
    options: OpenOptions,
}

impl Builder {
    /// A database file at `path`, or a private in-memory database per connection for
    /// `":memory:"`.
    pub fn new_local(path: impl AsRef<Path>) -> Builder {
        Builder {
            path: path.as_ref().to_path_buf(),
            options: OpenOptions {
                read_only: false,
                create_if_missing: true,
                page_size: 4096,
                cache_size: DEFAULT_CACHE_SIZE,
                // As rusqlite: a writer waits for another rather than failing at once.
                busy_timeout: Duration::from_secs(5),
                synchronous: Synchronous::Full,
                io: IoBackend::File,
            },
        }
    }

    /// Opens for reading only (`SQLITE_OPEN_READONLY`): the file is never created or written,
    /// and every write fails with SQLite's "attempt to write a readonly database"
    /// ([`ErrorCode::ReadOnly`]). A missing file is "unable to open database file".
    pub fn read_only(mut self, read_only: bool) -> Builder {
        self.options.read_only = read_only;
        self
    }

    /// Creates the file when it does not exist (the default); otherwise opening a missing file
    /// fails with SQLite's "unable to open database file" ([`ErrorCode::CantOpen`]).
    pub fn create_if_missing(mut self, create: bool) -> Builder {
        self.options.create_if_missing = create;
        self
    }

    /// The page size of a new (missing or empty) database file, as `PRAGMA page_size` before
    /// the first write; an existing database keeps its own. A power of two from 512 to 65536
    /// (default 4096); `build` refuses any other value.
    pub fn page_size(mut self, bytes: u32) -> Builder {
        self.options.page_size = bytes;
        self
    }

    /// `PRAGMA cache_size` of every connection: pages if positive, KiB if negative (default
    /// -2000, about 2 MB).
    pub fn cache_size(mut self, size: i64) -> Builder {
        self.options.cache_size = size;
        self
    }

    /// `PRAGMA busy_timeout`: how long a statement waits for another connection's write lock
    /// before failing with "database is locked" (default 5 s; zero fails at once). As in
    /// SQLite, only a connection with no read transaction open waits; see the crate's
    /// documentation. The wait happens on the connection's thread, never on the caller's.
    pub fn busy_timeout(mut self, timeout: Duration) -> Builder {
        self.options.busy_timeout = timeout;
        self
    }

    /// `PRAGMA synchronous` of every connection (default [`Synchronous::Full`]).
    pub fn synchronous(mut self, synchronous: Synchronous) -> Builder {
        self.options.synchronous = synchronous;
        self
    }

    /// The I/O backend (default: files on disk).
    pub fn io(mut self, io: IoBackend) -> Builder {
        self.options.io = io;
        self
    }

    /// Opens the database (creating it if allowed) and returns a handle to connect to it. The
    /// open runs on a connection thread; the calling task is not blocked.
    pub async fn build(self) -> Result<crate::Database> {
        let config = self.config()?;
        // One connection proves the options and the file good (and creates it), so that
        // `connect` failing later means something changed on disk.
        config.spawn()?.opened().await?;
        Ok(crate::Database::new(config))
    }

    /// Opens the database for the blocking API.
    pub fn build_blocking(self) -> Result<crate::blocking::Database> {
        let config = self.config()?;
        config.spawn()?.wait()?;
        Ok(crate::blocking::Database::new(config))
    }

    fn config(self) -> Result<Arc<Config>> {
        let path = self
            .path
            .to_str()
            .ok_or_else(|| Error::sqlite(ErrorCode::CantOpen, "unable to open database file"))?
            .to_owned();
        let memory = (self.options.io == IoBackend::Memory).then(|| Arc::new(MemoryIo::new()));
        Ok(Arc::new(Config {
            path,
            options: self.options,
            memory,
        }))
    }
}

/// What every connection of one database is opened with.
pub(crate) struct Config {
    path: String,
    options: OpenOptions,
    /// The shared files of [`IoBackend::Memory`].
    memory: Option<Arc<MemoryIo>>,
}

impl Config {
    /// Starts a connection's thread, which opens the database.
    pub(crate) fn spawn(self: &Arc<Config>) -> Result<crate::worker::Opening> {
        let config = Arc::clone(self);
        crate::worker::Worker::spawn(move || config.open())
    }

    fn open(&self) -> Result<CoreConnection> {
        let path = self.path.as_str();
        let io: Arc<dyn Io> = match &self.memory {
            // `:memory:` is private to each connection whatever the backend, as in SQLite.
            Some(memory) if !is_private_memory(path) => Arc::clone(memory) as _,
            None if !is_private_memory(path) => Arc::new(FileIo),
            _ => Arc::new(MemoryIo::new()),
        };
        CoreConnection::open_with(io, path, &self.options.to_core()).map_err(Error::from_core)
    }
}

fn is_private_memory(path: &str) -> bool {
    path == ":memory:" || path.is_empty()
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("path", &self.path)
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}
