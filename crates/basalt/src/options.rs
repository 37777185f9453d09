//! Opening a database: [`Builder`] and its options.

use crate::error::{Error, ErrorCode, Result};
use basalt_core::connection::Connection as CoreConnection;
use basalt_core::io::{FileIo, MemoryIo};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

/// `PRAGMA synchronous`: how hard a commit pushes its writes to stable storage.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Synchronous {
    Off,
    Normal,
    /// SQLite's default.
    #[default]
    Full,
    Extra,
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
pub(crate) struct OpenOptions {
    pub(crate) read_only: bool,
    pub(crate) create_if_missing: bool,
    pub(crate) page_size: Option<u32>,
    pub(crate) cache_size: Option<i64>,
    pub(crate) busy_timeout: Duration,
    pub(crate) synchronous: Synchronous,
    pub(crate) io: IoBackend,
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
                page_size: None,
                cache_size: None,
                // As rusqlite: a writer waits for another rather than failing at once.
                busy_timeout: Duration::from_secs(5),
                synchronous: Synchronous::Full,
                io: IoBackend::File,
            },
        }
    }

    /// Opens for reading only.
    ///
    /// Not available yet: the engine cannot take this option at open, so `build` refuses it
    /// with an error rather than open the file writable.
    pub fn read_only(mut self, read_only: bool) -> Builder {
        self.options.read_only = read_only;
        self
    }

    /// Creates the file when it does not exist (the default); otherwise opening a missing file
    /// fails with SQLite's "unable to open database file".
    pub fn create_if_missing(mut self, create: bool) -> Builder {
        self.options.create_if_missing = create;
        self
    }

    /// The page size of a new database (an existing one keeps its own). Only SQLite's default,
    /// 4096, is accepted until the engine takes the option at open.
    pub fn page_size(mut self, bytes: u32) -> Builder {
        self.options.page_size = Some(bytes);
        self
    }

    /// `PRAGMA cache_size`: pages if positive, KiB if negative. Only SQLite's default, -2000, is
    /// accepted until the engine takes the option at open.
    pub fn cache_size(mut self, size: i64) -> Builder {
        self.options.cache_size = Some(size);
        self
    }

    /// How long a statement waits for another connection's write lock before failing with
    /// "database is locked" (default 5 s; zero fails at once). The wait happens on the
    /// connection's thread, never on the caller's.
    pub fn busy_timeout(mut self, timeout: Duration) -> Builder {
        self.options.busy_timeout = timeout;
        self
    }

    /// `PRAGMA synchronous`. Only [`Synchronous::Full`] (the default) is accepted until the
    /// engine takes the option at open.
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
        let options = self.options;
        refuse_unsupported(&options)?;
        let memory = (options.io == IoBackend::Memory).then(|| Arc::new(MemoryIo::new()));
        Ok(Arc::new(Config {
            path,
            options,
            memory,
        }))
    }
}

/// Options the engine cannot take yet: an error, never a database opened some other way.
fn refuse_unsupported(options: &OpenOptions) -> Result<()> {
    let refused = if options.read_only {
        Some("read-only connections")
    } else if options.page_size.is_some_and(|p| p != 4096) {
        Some("page sizes other than 4096")
    } else if options.cache_size.is_some_and(|c| c != -2000) {
        Some("cache sizes other than -2000")
    } else if options.synchronous != Synchronous::Full {
        Some("synchronous other than FULL")
    } else {
        None
    };
    match refused {
        Some(what) => Err(Error::sqlite(
            ErrorCode::Error,
            format!("not supported by Basalt yet: {what}"),
        )),
        None => Ok(()),
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
        crate::worker::Worker::spawn(move || config.open(), self.options.busy_timeout)
    }

    fn open(&self) -> Result<CoreConnection> {
        let path = self.path.as_str();
        if path == ":memory:" || path.is_empty() {
            return CoreConnection::open(":memory:").map_err(Error::from_core);
        }
        if let Some(memory) = &self.memory {
            if !self.options.create_if_missing
                && !basalt_core::io::Io::exists(&**memory, path).map_err(Error::from_core)?
            {
                return Err(cant_open());
            }
            return CoreConnection::open_with_io(Arc::clone(memory) as _, path)
                .map_err(Error::from_core);
        }
        if !self.options.create_if_missing && !Path::new(path).exists() {
            return Err(cant_open());
        }
        CoreConnection::open_with_busy_timeout(Arc::new(FileIo), path, self.options.busy_timeout)
            .map_err(Error::from_core)
    }
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("path", &self.path)
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}

fn cant_open() -> Error {
    Error::sqlite(ErrorCode::CantOpen, "unable to open database file")
}
