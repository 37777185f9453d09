//! The I/O layer: the only place where Basalt touches files.
//!
//! Completion-based from the start. A file operation is *submitted* and answers with a
//! [`Completion`]; the result is learned later, when the completion is finished. A backend may
//! finish an operation before `submit` returns (the plain file backend always does), or only when
//! [`Io::poll`] or [`Io::wait`] is called (io_uring, the deferred memory backend, the simulator).
//!
//! Invariants:
//! - A buffer handed to `read` or `write` belongs to the backend until the completion finishes;
//!   it comes back, inside the completion, to the caller, so buffers are reused, never leaked to
//!   an unfinished kernel operation.
//! - A finished completion never changes again; its result is taken at most once.
//! - Nothing above the pager sees this layer (see ARCHITECTURE.md, "Waiting for I/O").

mod file;
mod lock;
mod memory;
mod shm;
mod sim;

pub use file::FileIo;
pub use lock::{PENDING_BYTE, RESERVED_BYTE, SHARED_FIRST, SHARED_SIZE};
pub use memory::{Fault, FaultKind, FaultPoint, MemoryIo};
pub use shm::{HeapShm, Shm, ShmLock, SHM_REGION_WORDS};
pub use sim::{SimConfig, SimIo, SimRng, SimStats};

use crate::error::{Error, Result};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// An owned I/O buffer. Page buffers are recycled through the pager's pool.
pub type Buffer = Box<[u8]>;

/// What a finished operation gives back: the buffer it was lent (reads and writes) and, for
/// reads, how many bytes the file actually had at that offset (short at end of file).
#[derive(Debug)]
pub struct IoDone {
    pub buffer: Option<Buffer>,
    pub len: usize,
}

#[derive(Debug)]
enum State {
    Pending,
    Finished(Result<IoDone>),
    Collected,
}

/// The handle of one submitted operation. Cloning shares the same operation.
#[derive(Debug, Clone)]
pub struct Completion {
    state: Arc<Mutex<State>>,
}

impl Completion {
    /// A completion that the backend finishes later with [`Completion::finish`].
    pub fn pending() -> Completion {
        Completion {
            state: Arc::new(Mutex::new(State::Pending)),
        }
    }

    /// A completion finished at submission time.
    pub fn finished(result: Result<IoDone>) -> Completion {
        Completion {
            state: Arc::new(Mutex::new(State::Finished(result))),
        }
    }

    pub fn finish(&self, result: Result<IoDone>) {
        let mut state = lock(&self.state);
        debug_assert!(
            matches!(*state, State::Pending),
            "a completion finishes once"
        );
        *state = State::Finished(result);
    }

    pub fn is_finished(&self) -> bool {
        !matches!(*lock(&self.state), State::Pending)
    }

    /// The result, once finished; `None` while pending. Taking it twice is a bug in the caller.
    pub fn take(&self) -> Option<Result<IoDone>> {
        let mut state = lock(&self.state);
        match std::mem::replace(&mut *state, State::Collected) {
            State::Pending => {
                *state = State::Pending;
                None
            }
            State::Finished(result) => Some(result),
            State::Collected => Some(Err(Error::misuse("I/O completion collected twice"))),
        }
    }
}

/// A poisoned lock only means another thread panicked while holding it; the state it guards is a
/// plain value that is never left half-updated, so carry on with it.
pub(crate) fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// How a file is opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OpenFlags {
    pub read_only: bool,
    pub create: bool,
}

impl Default for OpenFlags {
    fn default() -> Self {
        OpenFlags {
            read_only: false,
            create: true,
        }
    }
}

/// One open file of a backend.
pub trait File: Send + Sync {
    /// Read `buffer.len()` bytes at `offset`; the completion says how many the file had.
    fn read(&self, offset: u64, buffer: Buffer) -> Result<Completion>;
    /// Write all of `buffer` at `offset`, growing the file if needed.
    fn write(&self, offset: u64, buffer: Buffer) -> Result<Completion>;
    /// Write the first `len` bytes of `buffer` at `offset`, so that one large buffer can be
    /// reused for writes of any size. The buffer that comes back may be a copy of just those
    /// bytes (this default); a backend that writes from `buffer` itself gives it back whole.
    fn write_prefix(&self, offset: u64, buffer: Buffer, len: usize) -> Result<Completion> {
        if len == buffer.len() {
            self.write(offset, buffer)
        } else {
            let prefix = buffer
                .get(..len)
                .ok_or_else(|| Error::misuse("write past the end of its buffer"))?;
            self.write(offset, prefix.into())
        }
    }
    /// Write `parts` one after another from `offset`, as one write. The parts are only lent:
    /// this default copies them into one buffer; a backend that can write from them in place
    /// (`pwritev`) does so and has finished when it returns.
    fn write_gathered(&self, offset: u64, parts: &[&[u8]]) -> Result<Completion> {
        self.write(offset, parts.concat().into())
    }
    /// Make every finished write durable.
    fn sync(&self) -> Result<Completion>;
    fn truncate(&self, len: u64) -> Result<Completion>;
    fn size(&self) -> Result<u64>;
    /// Take SQLite's EXCLUSIVE lock on this database file for the whole process, climbing
    /// through SQLite's levels so that SQLite processes see it; never waits. `Ok(false)`: another
    /// process holds a lock on the file. The lock lasts until [`File::unlock`] or until this
    /// handle is dropped. Backends no other process can see (memory, simulation) have nothing to
    /// lock.
    fn try_lock_exclusive(&self) -> Result<bool> {
        Ok(true)
    }
    /// Take SQLite's SHARED lock on this database file for the whole process (held while a
    /// database shared through the `-shm` index is open); a later
    /// [`File::try_lock_exclusive`] climbs from it. `Ok(false)`: another process holds the file
    /// exclusively (or is about to). Nothing to lock for private backends.
    fn try_lock_shared(&self) -> Result<bool> {
        Ok(true)
    }
    /// Release the lock this handle took (nothing when it holds none).
    fn unlock(&self) -> Result<()> {
        Ok(())
    }
}

/// An I/O backend: opens files and drives their pending operations.
pub trait Io: Send + Sync {
    fn open(&self, path: &Path, flags: OpenFlags) -> Result<Arc<dyn File>>;
    fn exists(&self, path: &Path) -> Result<bool>;
    fn delete(&self, path: &Path) -> Result<()>;
    /// Finish whatever operations are ready, without blocking.
    fn poll(&self) -> Result<()>;
    /// Block until at least one pending operation finishes (returns at once if none is pending).
    fn wait(&self) -> Result<()>;
    /// A name that is the same for every path naming the same file of this backend (and differs
    /// between backends that do not share files). Connections whose databases have the same key
    /// share one WAL index and writer lock (`wal::Shared`). The default is the path itself.
    fn shared_key(&self, path: &Path) -> Result<String> {
        Ok(format!("path:{}", path.display()))
    }
    /// The WAL index memory other processes share for the database at `db_path` (its `-shm`
    /// file, mapped), or `None` when no other process can open this backend's files: the index
    /// then lives in heap memory and the database is held exclusively, as SQLite's
    /// `locking_mode=EXCLUSIVE`. `Busy`: another process is resetting the shared memory.
    fn open_shm(&self, db_path: &Path) -> Result<Option<Arc<dyn Shm>>> {
        let _ = db_path;
        Ok(None)
    }
}

/// The file next to `path` whose name is `path`'s with `suffix` appended (`-wal`, `-shm`,
/// `-journal`): byte for byte, so a name that is not UTF-8 keeps its bytes.
pub fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// Submit and wait: for the few places (opening a database) that cannot be restarted.
pub fn run_to_completion(io: &dyn Io, completion: Completion) -> Result<IoDone> {
    loop {
        if let Some(result) = completion.take() {
            return result;
        }
        io.wait()?;
    }
}
