//! The in-memory backend: `:memory:` databases and tests.
//!
//! Files live in a map shared by every handle of one `MemoryIo`, so a database "closed" and
//! "reopened" through the same `MemoryIo` keeps its content. In *deferred* mode no operation
//! finishes at submission: `wait` finishes them all, `poll` none. That makes every read a
//! suspension point, which is how tests prove that the layers above are restartable.

use super::{lock, Buffer, Completion, File, Io, IoDone, OpenFlags};
use crate::error::{Error, ErrorCode, Result};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

type FileData = Arc<Mutex<Vec<u8>>>;

#[derive(Default)]
pub struct MemoryIo {
    files: Mutex<HashMap<String, FileData>>,
    deferred: bool,
    queue: Arc<Mutex<Vec<(Completion, Box<dyn FnOnce() -> Result<IoDone> + Send>)>>>,
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
    pub fn file_bytes(&self, path: &str) -> Option<Vec<u8>> {
        lock(&self.files).get(path).map(|data| lock(data).clone())
    }
}

struct MemFile {
    data: FileData,
    deferred: bool,
    queue: Arc<Mutex<Vec<(Completion, Box<dyn FnOnce() -> Result<IoDone> + Send>)>>>,
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
    fn open(&self, path: &str, flags: OpenFlags) -> Result<Arc<dyn File>> {
        let mut files = lock(&self.files);
        let data = match files.get(path) {
            Some(data) => data.clone(),
            None if flags.create && !flags.read_only => {
                files.entry(path.to_string()).or_default().clone()
            }
            None => return Err(Error::code(ErrorCode::CantOpen)),
        };
        Ok(Arc::new(MemFile {
            data,
            deferred: self.deferred,
            queue: self.queue.clone(),
        }))
    }

    fn exists(&self, path: &str) -> Result<bool> {
        Ok(lock(&self.files).contains_key(path))
    }

    fn delete(&self, path: &str) -> Result<()> {
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
}

impl File for MemFile {
    fn read(&self, offset: u64, mut buffer: Buffer) -> Result<Completion> {
        let data = self.data.clone();
        self.submit(move || {
            let data = lock(&data);
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
        self.submit(move || {
            let start = usize::try_from(offset).map_err(|_| Error::code(ErrorCode::Full))?;
            let end = start + buffer.len();
            let mut data = lock(&data);
            if data.len() < end {
                data.resize(end, 0);
            }
            data[start..end].copy_from_slice(&buffer);
            Ok(IoDone {
                len: buffer.len(),
                buffer: Some(buffer),
            })
        })
    }

    fn sync(&self) -> Result<Completion> {
        self.submit(|| {
            Ok(IoDone {
                buffer: None,
                len: 0,
            })
        })
    }

    fn truncate(&self, len: u64) -> Result<Completion> {
        let data = self.data.clone();
        self.submit(move || {
            let len = usize::try_from(len).map_err(|_| Error::code(ErrorCode::Full))?;
            lock(&data).resize(len, 0);
            Ok(IoDone {
                buffer: None,
                len: 0,
            })
        })
    }

    fn size(&self) -> Result<u64> {
        Ok(lock(&self.data).len() as u64)
    }
}
