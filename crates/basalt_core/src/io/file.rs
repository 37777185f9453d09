//! The plain file backend: positioned reads and writes (`pread`/`pwrite`), a real `fsync`, and
//! SQLite's POSIX locks on the database file (`lock.rs`).
//!
//! Every operation finishes before `submit` returns, so `poll` and `wait` have nothing to do.
//! Every descriptor belongs to its inode's bookkeeping (`lock::Inode`): dropping a handle closes
//! its descriptor only when that cannot drop a lock another handle holds.

use super::lock::{Inode, Level};
use super::shm::FileShm;
use super::{Buffer, Completion, File, Io, IoDone, OpenFlags, Shm};
use crate::error::{Error, ErrorCode, Result};
use std::os::unix::fs::{FileExt, MetadataExt};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

#[derive(Debug, Default)]
pub struct FileIo;

struct PlainFile {
    /// `None` only once `drop` handed the descriptor to the inode.
    file: Option<std::fs::File>,
    inode: Arc<Inode>,
    /// Distinguishes this handle from the inode's other handles (the lock holder).
    id: u64,
    path: String,
    writable: bool,
}

fn cant_open(path: &str, e: std::io::Error) -> Error {
    Error {
        detail: Some(format!("{path}: {e}")),
        ..Error::code(ErrorCode::CantOpen)
    }
}

impl Io for FileIo {
    fn open(&self, path: &str, flags: OpenFlags) -> Result<Arc<dyn File>> {
        let file = std::fs::OpenOptions::new()
            .read(true)
            .write(!flags.read_only)
            .create(flags.create && !flags.read_only)
            .open(path)
            .map_err(|e| cant_open(path, e))?;
        static NEXT_ID: AtomicU64 = AtomicU64::new(1);
        Ok(Arc::new(PlainFile {
            inode: Inode::of(&file).map_err(|e| cant_open(path, e))?,
            file: Some(file),
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
            path: path.to_string(),
            writable: !flags.read_only,
        }))
    }

    fn exists(&self, path: &str) -> Result<bool> {
        Ok(std::fs::metadata(path).is_ok())
    }

    fn delete(&self, path: &str) -> Result<()> {
        match std::fs::remove_file(path) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(e.into()),
        }
    }

    fn poll(&self) -> Result<()> {
        Ok(())
    }

    fn wait(&self) -> Result<()> {
        Ok(())
    }

    /// The device and inode number, so that every name of one file (symbolic and hard links
    /// included) shares one WAL index and one lock; the file must exist.
    fn shared_key(&self, path: &str) -> Result<String> {
        let meta = std::fs::metadata(path).map_err(|e| cant_open(path, e))?;
        Ok(format!("file:{}:{}", meta.dev(), meta.ino()))
    }

    fn open_shm(&self, db_path: &str) -> Result<Option<Arc<dyn Shm>>> {
        Ok(Some(Arc::new(FileShm::open(&format!("{db_path}-shm"))?)))
    }
}

impl PlainFile {
    fn fd(&self) -> std::io::Result<&std::fs::File> {
        self.file
            .as_ref()
            .ok_or_else(|| std::io::Error::other("file already closed"))
    }

    fn read_fully(&self, offset: u64, buffer: &mut [u8]) -> std::io::Result<usize> {
        let file = self.fd()?;
        let mut done = 0;
        while done < buffer.len() {
            match file.read_at(&mut buffer[done..], offset + done as u64) {
                Ok(0) => break,
                Ok(n) => done += n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        Ok(done)
    }
}

impl File for PlainFile {
    fn read(&self, offset: u64, mut buffer: Buffer) -> Result<Completion> {
        let result = self
            .read_fully(offset, &mut buffer)
            .map(|len| {
                // A short read leaves stale bytes behind; zero them as SQLite does.
                buffer[len..].fill(0);
                IoDone {
                    buffer: Some(buffer),
                    len,
                }
            })
            .map_err(Error::from);
        Ok(Completion::finished(result))
    }

    fn write(&self, offset: u64, buffer: Buffer) -> Result<Completion> {
        let len = buffer.len();
        self.write_prefix(offset, buffer, len)
    }

    fn write_prefix(&self, offset: u64, buffer: Buffer, len: usize) -> Result<Completion> {
        let bytes = buffer
            .get(..len)
            .ok_or_else(|| Error::misuse("write past the end of its buffer"))?;
        let result = self
            .fd()
            .and_then(|file| file.write_all_at(bytes, offset))
            .map(|()| IoDone {
                len,
                buffer: Some(buffer),
            })
            .map_err(Error::from);
        Ok(Completion::finished(result))
    }

    /// `fdatasync`, as SQLite uses on Linux: the data and what is needed to read it back (the
    /// size), without the timestamps a full `fsync` also flushes.
    fn sync(&self) -> Result<Completion> {
        let result = self
            .fd()
            .and_then(|file| file.sync_data())
            .map(|()| IoDone {
                buffer: None,
                len: 0,
            });
        Ok(Completion::finished(result.map_err(Error::from)))
    }

    fn truncate(&self, len: u64) -> Result<Completion> {
        let result = self
            .fd()
            .and_then(|file| file.set_len(len))
            .map(|()| IoDone {
                buffer: None,
                len: 0,
            });
        Ok(Completion::finished(result.map_err(Error::from)))
    }

    fn size(&self) -> Result<u64> {
        Ok(self.fd()?.metadata()?.len())
    }

    /// A read-only handle locks through a writable descriptor of the same inode, opened for
    /// the purpose and kept until the lock goes (a write lock needs one).
    fn try_lock_exclusive(&self) -> Result<bool> {
        let reopen = || {
            std::fs::OpenOptions::new()
                .read(true)
                .write(true)
                .open(&self.path)
                .map_err(|e| {
                    Error::not_supported(format!(
                        "holding {} exclusively without write access to it ({e})",
                        self.path
                    ))
                })
        };
        let reopen: Option<&dyn Fn() -> Result<std::fs::File>> =
            (!self.writable).then_some(&reopen);
        self.inode
            .try_lock(self.id, self.fd()?, Level::Exclusive, reopen)
    }

    fn try_lock_shared(&self) -> Result<bool> {
        self.inode
            .try_lock(self.id, self.fd()?, Level::Shared, None)
    }

    fn unlock(&self) -> Result<()> {
        self.inode.unlock(self.id, self.fd()?)
    }
}

impl Drop for PlainFile {
    fn drop(&mut self) {
        if let Some(file) = self.file.take() {
            self.inode.close(self.id, file);
        }
    }
}
