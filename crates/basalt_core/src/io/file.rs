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
use std::path::{Path, PathBuf};
use std::sync::Arc;

#[derive(Debug, Default)]
pub struct FileIo;

struct PlainFile {
    /// `None` only once `drop` handed the descriptor to the inode.
    file: Option<std::fs::File>,
    inode: Arc<Inode>,
    /// Distinguishes this handle from the inode's other handles (the lock holder).
    id: u64,
    path: PathBuf,
    writable: bool,
}

fn cant_open(path: &Path, e: std::io::Error) -> Error {
    Error {
        detail: Some(format!("{}: {e}", path.display())),
        ..Error::code(ErrorCode::CantOpen)
    }
}

impl Io for FileIo {
    fn open(&self, path: &Path, flags: OpenFlags) -> Result<Arc<dyn File>> {
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
            path: path.to_path_buf(),
            writable: !flags.read_only,
        }))
    }

    fn exists(&self, path: &Path) -> Result<bool> {
        Ok(std::fs::metadata(path).is_ok())
    }

    fn delete(&self, path: &Path) -> Result<()> {
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
    fn shared_key(&self, path: &Path) -> Result<String> {
        let meta = std::fs::metadata(path).map_err(|e| cant_open(path, e))?;
        Ok(format!("file:{}:{}", meta.dev(), meta.ino()))
    }

    fn open_shm(&self, db_path: &Path) -> Result<Option<Arc<dyn Shm>>> {
        Ok(Some(Arc::new(FileShm::open(&super::sibling(db_path, "-shm"))?)))
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

    /// One `pwritev` of the lent parts (resumed after a short write), finished on return.
    fn write_gathered(&self, offset: u64, parts: &[&[u8]]) -> Result<Completion> {
        let result = self
            .fd()
            .and_then(|file| write_all_gathered(file, offset, parts))
            .map(|len| IoDone { buffer: None, len })
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
                        self.path.display()
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

/// Most slices one `pwritev` takes (Linux's `IOV_MAX`).
const MAX_SLICES_PER_CALL: usize = 1024;

/// Write `parts` back to back from `offset` with `pwritev`, calling again after a short write
/// or an interruption until every byte is written; says how many bytes that was.
fn write_all_gathered(
    file: &std::fs::File,
    offset: u64,
    parts: &[&[u8]],
) -> std::io::Result<usize> {
    use std::os::fd::AsRawFd;
    let total = parts.iter().map(|part| part.len()).sum();
    let mut slices: Vec<std::io::IoSlice<'_>> = parts
        .iter()
        .map(|part| std::io::IoSlice::new(part))
        .collect();
    let mut rest = &mut slices[..];
    let mut at = offset;
    while !rest.is_empty() {
        let count = rest.len().min(MAX_SLICES_PER_CALL);
        let position = libc::off_t::try_from(at)
            .map_err(|_| std::io::Error::from(std::io::ErrorKind::InvalidInput))?;
        // SAFETY: `IoSlice` is guaranteed ABI-compatible with `iovec` on Unix; the `count`
        // slices borrow `parts`, which outlive the call, and the kernel only reads them; the
        // descriptor is open for as long as `file` is borrowed.
        let written = unsafe {
            libc::pwritev(
                file.as_raw_fd(),
                rest.as_ptr().cast::<libc::iovec>(),
                count as libc::c_int,
                position,
            )
        };
        match written {
            n if n > 0 => {
                std::io::IoSlice::advance_slices(&mut rest, n as usize);
                at += n as u64;
            }
            0 => return Err(std::io::ErrorKind::WriteZero.into()),
            _ => {
                let error = std::io::Error::last_os_error();
                if error.kind() != std::io::ErrorKind::Interrupted {
                    return Err(error);
                }
            }
        }
    }
    debug_assert_eq!(at - offset, total as u64);
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// More parts than one `pwritev` takes, of uneven sizes, at an offset: the file holds their
    /// concatenation there and nothing else changed.
    #[test]
    fn gathered_write_is_the_concatenation() {
        let dir = std::env::temp_dir().join(format!("basalt-gathered-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("f");
        let file = FileIo
            .open(&path, OpenFlags::default())
            .unwrap();
        let owned: Vec<Vec<u8>> = (0..2500u32)
            .map(|i| vec![(i % 251) as u8; 1 + (i as usize * 7) % 300])
            .collect();
        let parts: Vec<&[u8]> = owned.iter().map(Vec::as_slice).collect();
        let expected = parts.concat();
        let offset = 4096 + 13;
        let written = file.write_gathered(offset, &parts).unwrap();
        let done = super::super::run_to_completion(&FileIo, written).unwrap();
        assert_eq!(done.len, expected.len());
        let bytes = std::fs::read(&path).unwrap();
        assert_eq!(bytes.len() as u64, offset + expected.len() as u64);
        assert!(bytes[..offset as usize].iter().all(|&b| b == 0));
        assert_eq!(&bytes[offset as usize..], &expected[..]);
        drop(file);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
