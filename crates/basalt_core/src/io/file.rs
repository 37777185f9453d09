//! The plain file backend: positioned reads and writes (`pread`/`pwrite`) and a real `fsync`.
//!
//! Every operation finishes before `submit` returns, so `poll` and `wait` have nothing to do.

use super::{Buffer, Completion, File, Io, IoDone, OpenFlags};
use crate::error::{Error, ErrorCode, Result};
use std::os::unix::fs::FileExt;
use std::sync::Arc;

#[derive(Debug, Default)]
pub struct FileIo;

struct PlainFile {
    file: std::fs::File,
}

impl Io for FileIo {
    fn open(&self, path: &str, flags: OpenFlags) -> Result<Arc<dyn File>> {
        let file = std::fs::OpenOptions::new()
            .read(true)
            .write(!flags.read_only)
            .create(flags.create && !flags.read_only)
            .open(path)
            .map_err(|e| Error {
                detail: Some(format!("{path}: {e}")),
                ..Error::code(ErrorCode::CantOpen)
            })?;
        Ok(Arc::new(PlainFile { file }))
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

    /// The canonical path (symbolic links resolved), so that every spelling of one file shares
    /// one WAL index; the file must exist.
    fn shared_key(&self, path: &str) -> Result<String> {
        let canonical = std::fs::canonicalize(path).map_err(|e| Error {
            detail: Some(format!("{path}: {e}")),
            ..Error::code(ErrorCode::CantOpen)
        })?;
        Ok(format!("file:{}", canonical.display()))
    }
}

impl PlainFile {
    fn read_fully(&self, offset: u64, buffer: &mut [u8]) -> std::io::Result<usize> {
        let mut done = 0;
        while done < buffer.len() {
            match self.file.read_at(&mut buffer[done..], offset + done as u64) {
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
            .file
            .write_all_at(bytes, offset)
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
        let result = self.file.sync_data().map(|()| IoDone {
            buffer: None,
            len: 0,
        });
        Ok(Completion::finished(result.map_err(Error::from)))
    }

    fn truncate(&self, len: u64) -> Result<Completion> {
        let result = self.file.set_len(len).map(|()| IoDone {
            buffer: None,
            len: 0,
        });
        Ok(Completion::finished(result.map_err(Error::from)))
    }

    fn size(&self) -> Result<u64> {
        Ok(self.file.metadata()?.len())
    }
}
