//! The in-memory backend: `:memory:` databases, tests, and fault injection.
//!
//! Files live in a map shared by every handle of one `MemoryIo`, so a database "closed" and
//! "reopened" through the same `MemoryIo` keeps its content. In *deferred* mode no operation
//! finishes at submission: `wait` finishes them all, `poll` none. That makes every read a
//! suspension point, which is how tests prove that the layers above are restartable.
//!
//! # Durability and faults
//! Each file keeps two images: what has been written (`data`) and what an OS crash would leave
//! (`durable`, the image as of the file's last `sync`). [`MemoryIo::inject`] arms one fault at the
//! Nth write or the Nth sync (counted from the arming, across every file of the backend, in the
//! order operations *run*):
//! - [`FaultKind::Fail`]: that one operation fails with a disk I/O error and has no effect.
//! - [`FaultKind::CrashDropUnsynced`]: the machine "loses power" instead of running the
//!   operation: every later operation fails until [`MemoryIo::reboot`], which makes each file
//!   what was durable.
//! - [`FaultKind::CrashTearLast`]: the process dies instead: everything written so far survives,
//!   and the write that hit the fault is torn (only its first half lands).

use super::{lock, Buffer, Completion, File, Io, IoDone, OpenFlags};
use crate::error::{Error, ErrorCode, Result};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

#[derive(Default)]
struct MemFileData {
    data: Vec<u8>,
    durable: Vec<u8>,
}

type FileData = Arc<Mutex<MemFileData>>;
type Queue = Arc<Mutex<Vec<(Completion, Box<dyn FnOnce() -> Result<IoDone> + Send>)>>>;

/// Where an injected fault fires: the Nth write or the Nth sync (1-based) since it was armed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FaultPoint {
    Write(u64),
    Sync(u64),
}

/// What happens at the fault point (see the module documentation).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FaultKind {
    Fail,
    CrashDropUnsynced,
    CrashTearLast,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fault {
    pub at: FaultPoint,
    pub kind: FaultKind,
}

#[derive(Default)]
struct FaultState {
    armed: Option<Fault>,
    writes: u64,
    syncs: u64,
    crashed: Option<FaultKind>,
}

enum Verdict {
    Proceed,
    Fail,
    /// Crash now; `true` when the write should be torn (half of it lands).
    Crash(bool),
}

impl FaultState {
    fn check(&mut self, is_write: bool) -> Verdict {
        if self.crashed.is_some() {
            return Verdict::Fail;
        }
        let count = if is_write {
            self.writes += 1;
            FaultPoint::Write(self.writes)
        } else {
            self.syncs += 1;
            FaultPoint::Sync(self.syncs)
        };
        match self.armed {
            Some(fault) if fault.at == count => {
                self.armed = None;
                match fault.kind {
                    FaultKind::Fail => Verdict::Fail,
                    kind => {
                        self.crashed = Some(kind);
                        Verdict::Crash(kind == FaultKind::CrashTearLast && is_write)
                    }
                }
            }
            _ => Verdict::Proceed,
        }
    }
}

fn injected() -> Error {
    Error::io("injected fault")
}

static NEXT_ID: AtomicU64 = AtomicU64::new(1);

pub struct MemoryIo {
    id: u64,
    files: Mutex<HashMap<PathBuf, FileData>>,
    deferred: bool,
    queue: Queue,
    faults: Arc<Mutex<FaultState>>,
}

impl Default for MemoryIo {
    fn default() -> Self {
        MemoryIo {
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
            files: Mutex::default(),
            deferred: false,
            queue: Queue::default(),
            faults: Arc::default(),
        }
    }
}

impl MemoryIo {
    pub fn new() -> MemoryIo {
        MemoryIo::default()
    }

    /// A backend whose operations finish only in `wait`.
    pub fn deferred() -> MemoryIo {
        MemoryIo {
            deferred: true,
            ..MemoryIo::default()
        }
    }

    /// A copy of a file's bytes, for tests that inspect or hand the file to SQLite.
    pub fn file_bytes(&self, path: impl AsRef<Path>) -> Option<Vec<u8>> {
        lock(&self.files)
            .get(path.as_ref())
            .map(|data| lock(data).data.clone())
    }

    /// Replace a file's bytes (written and durable), creating it if needed; for tests.
    pub fn set_file_bytes(&self, path: impl AsRef<Path>, bytes: Vec<u8>) {
        let file = lock(&self.files)
            .entry(path.as_ref().to_path_buf())
            .or_default()
            .clone();
        let mut file = lock(&file);
        file.durable = bytes.clone();
        file.data = bytes;
    }

    /// Arm `fault` (or disarm with `None`) and restart the write and sync counts.
    pub fn inject(&self, fault: Option<Fault>) {
        let mut faults = lock(&self.faults);
        faults.armed = fault;
        faults.writes = 0;
        faults.syncs = 0;
    }

    /// Writes and syncs run since the last `inject`.
    pub fn counts(&self) -> (u64, u64) {
        let faults = lock(&self.faults);
        (faults.writes, faults.syncs)
    }

    pub fn has_crashed(&self) -> bool {
        lock(&self.faults).crashed.is_some()
    }

    /// After a simulated crash: every file becomes what survived it, and operations work again.
    pub fn reboot(&self) {
        let crashed = lock(&self.faults).crashed.take();
        let files = lock(&self.files);
        for file in files.values() {
            let mut file = lock(file);
            match crashed {
                Some(FaultKind::CrashDropUnsynced) => file.data = file.durable.clone(),
                _ => file.durable = file.data.clone(),
            }
        }
    }
}

struct MemFile {
    data: FileData,
    deferred: bool,
    queue: Queue,
    faults: Arc<Mutex<FaultState>>,
}

impl MemFile {
    fn submit(&self, op: impl FnOnce() -> Result<IoDone> + Send + 'static) -> Result<Completion> {
        if !self.deferred {
            return Ok(Completion::finished(op()));
        }
        let completion = Completion::pending();
        lock(&self.queue).push((completion.clone(), Box::new(op)));
        Ok(completion)
    }
}

impl Io for MemoryIo {
    fn open(&self, path: &Path, flags: OpenFlags) -> Result<Arc<dyn File>> {
        if self.has_crashed() {
            return Err(injected());
        }
        let mut files = lock(&self.files);
        let data = match files.get(path) {
            Some(data) => data.clone(),
            None if flags.create && !flags.read_only => {
                files.entry(path.to_path_buf()).or_default().clone()
            }
            None => return Err(Error::code(ErrorCode::CantOpen)),
        };
        Ok(Arc::new(MemFile {
            data,
            deferred: self.deferred,
            queue: self.queue.clone(),
            faults: self.faults.clone(),
        }))
    }

    fn exists(&self, path: &Path) -> Result<bool> {
        Ok(lock(&self.files).contains_key(path))
    }

    fn delete(&self, path: &Path) -> Result<()> {
        if self.has_crashed() {
            return Err(injected());
        }
        lock(&self.files).remove(path);
        Ok(())
    }

    fn poll(&self) -> Result<()> {
        Ok(())
    }

    fn wait(&self) -> Result<()> {
        let queued = std::mem::take(&mut *lock(&self.queue));
        for (completion, op) in queued {
            completion.finish(op());
        }
        Ok(())
    }

    fn shared_key(&self, path: &Path) -> Result<String> {
        Ok(format!("memory#{}:{}", self.id, path.display()))
    }
}

impl File for MemFile {
    fn read(&self, offset: u64, mut buffer: Buffer) -> Result<Completion> {
        let data = self.data.clone();
        let faults = self.faults.clone();
        self.submit(move || {
            if lock(&faults).crashed.is_some() {
                return Err(injected());
            }
            let file = lock(&data);
            let data = &file.data;
            let start = usize::try_from(offset)
                .unwrap_or(usize::MAX)
                .min(data.len());
            let len = buffer.len().min(data.len() - start);
            buffer[..len].copy_from_slice(&data[start..start + len]);
            buffer[len..].fill(0);
            Ok(IoDone {
                buffer: Some(buffer),
                len,
            })
        })
    }

    fn write(&self, offset: u64, buffer: Buffer) -> Result<Completion> {
        let data = self.data.clone();
        let faults = self.faults.clone();
        self.submit(move || {
            let start = usize::try_from(offset).map_err(|_| Error::code(ErrorCode::Full))?;
            let verdict = lock(&faults).check(true);
            let len = match verdict {
                Verdict::Proceed => buffer.len(),
                Verdict::Fail | Verdict::Crash(false) => return Err(injected()),
                Verdict::Crash(true) => buffer.len() / 2,
            };
            let end = start + len;
            let mut file = lock(&data);
            if file.data.len() < end {
                file.data.resize(end, 0);
            }
            file.data[start..end].copy_from_slice(&buffer[..len]);
            if len < buffer.len() {
                return Err(injected());
            }
            Ok(IoDone {
                len: buffer.len(),
                buffer: Some(buffer),
            })
        })
    }

    fn sync(&self) -> Result<Completion> {
        let data = self.data.clone();
        let faults = self.faults.clone();
        self.submit(move || {
            match lock(&faults).check(false) {
                Verdict::Proceed => {}
                _ => return Err(injected()),
            }
            let mut file = lock(&data);
            file.durable = file.data.clone();
            Ok(IoDone {
                buffer: None,
                len: 0,
            })
        })
    }

    fn truncate(&self, len: u64) -> Result<Completion> {
        let data = self.data.clone();
        let faults = self.faults.clone();
        self.submit(move || {
            if lock(&faults).crashed.is_some() {
                return Err(injected());
            }
            let len = usize::try_from(len).map_err(|_| Error::code(ErrorCode::Full))?;
            lock(&data).data.resize(len, 0);
            Ok(IoDone {
                buffer: None,
                len: 0,
            })
        })
    }

    fn size(&self) -> Result<u64> {
        if lock(&self.faults).crashed.is_some() {
            return Err(injected());
        }
        Ok(lock(&self.data).data.len() as u64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::io::run_to_completion;

    fn write(io: &MemoryIo, file: &Arc<dyn File>, offset: u64, bytes: &[u8]) -> Result<IoDone> {
        run_to_completion(io, file.write(offset, bytes.to_vec().into_boxed_slice())?)
    }

    fn sync(io: &MemoryIo, file: &Arc<dyn File>) -> Result<IoDone> {
        run_to_completion(io, file.sync()?)
    }

    #[test]
    fn a_crash_keeps_only_what_was_synced() {
        let io = MemoryIo::new();
        let file = io.open(Path::new("f"), OpenFlags::default()).unwrap();
        io.inject(Some(Fault {
            at: FaultPoint::Write(3),
            kind: FaultKind::CrashDropUnsynced,
        }));
        write(&io, &file, 0, b"aaaa").unwrap();
        sync(&io, &file).unwrap();
        write(&io, &file, 4, b"bbbb").unwrap();
        assert!(write(&io, &file, 8, b"cccc").is_err());
        assert!(io.has_crashed());
        assert!(sync(&io, &file).is_err(), "nothing runs after a crash");
        io.reboot();
        assert_eq!(io.file_bytes("f").unwrap(), b"aaaa");
    }

    #[test]
    fn a_torn_write_lands_half() {
        let io = MemoryIo::new();
        let file = io.open(Path::new("f"), OpenFlags::default()).unwrap();
        io.inject(Some(Fault {
            at: FaultPoint::Write(2),
            kind: FaultKind::CrashTearLast,
        }));
        write(&io, &file, 0, b"aaaa").unwrap();
        assert!(write(&io, &file, 4, b"bbbb").is_err());
        io.reboot();
        assert_eq!(io.file_bytes("f").unwrap(), b"aaaabb");
    }

    #[test]
    fn a_failed_operation_changes_nothing() {
        let io = MemoryIo::new();
        let file = io.open(Path::new("f"), OpenFlags::default()).unwrap();
        io.inject(Some(Fault {
            at: FaultPoint::Sync(1),
            kind: FaultKind::Fail,
        }));
        write(&io, &file, 0, b"aaaa").unwrap();
        assert!(sync(&io, &file).is_err());
        sync(&io, &file).unwrap();
        assert_eq!(io.counts(), (1, 2));
        assert!(!io.has_crashed());
    }
}
