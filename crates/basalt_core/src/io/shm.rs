//! Shared memory for the WAL index: SQLite's `<db>-shm` file, mapped into every process that has
//! the database open, and the WAL locks taken as byte-range locks on it.
//!
//! The memory is handed out as 32 KiB regions of 32-bit words accessed only atomically: other
//! processes (SQLite's or Basalt's) change it at any time, so no plain reference to it is ever
//! made. What the words mean (the index header, read marks, hash tables) is the WAL layer's
//! business (`wal/shm.rs`); this module only maps, grows and locks.
//!
//! Invariants:
//! - A region, once mapped, stays mapped at the same address until the [`Shm`] is dropped, so
//!   the slices [`Shm::region`] returns live as long as the borrow of the `Shm`.
//! - The dead-man switch: every process holds a read lock on byte [`SHM_DMS`] while it has the
//!   file mapped. An opener that can write-lock that byte is alone, so the file's content is left
//!   over from a crash (or a clean close): it truncates the file, which makes the header invalid
//!   and forces recovery from the WAL, exactly as SQLite's unix VFS does.
//! - Only one descriptor of the file is open per process (the WAL layer keeps one `Shm` per
//!   database per process): closing another would drop the process's locks.

use super::lock::{set_lock, Kind};
use crate::error::{Error, ErrorCode, Result};
use std::os::unix::fs::{FileExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicU32;
use std::sync::Mutex;

/// Bytes in one region of the WAL index.
pub const SHM_REGION_SIZE: usize = 32 * 1024;
/// 32-bit words in one region.
pub const SHM_REGION_WORDS: usize = SHM_REGION_SIZE / 4;
/// Offset of the first WAL lock byte (WRITE 0, CKPT 1, RECOVER 2, READ 3..8).
pub const SHM_LOCK_BASE: u64 = 120;
/// Number of WAL lock bytes.
pub const SHM_LOCKS: usize = 8;
/// The dead-man-switch byte, just past the WAL locks.
pub const SHM_DMS: u64 = SHM_LOCK_BASE + SHM_LOCKS as u64;

/// What a WAL lock request asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ShmLock {
    Shared,
    Exclusive,
    Unlock,
}

/// The WAL index's memory and locks, shared with other processes (a file backend) or private to
/// this one (memory and simulation backends, which have no other process to share with).
pub trait Shm: Send + Sync {
    /// Region `index` as words, mapping it on first use. When the region does not exist yet it
    /// is created (zeroed) if `extend`, else `Ok(None)`.
    fn region(&self, index: usize, extend: bool) -> Result<Option<&[AtomicU32]>>;
    /// Lock (or unlock) WAL locks `first..first + count` in this process's name; never waits.
    /// `Ok(false)`: another process holds a conflicting lock. Locks never conflict within one
    /// process: the WAL layer keeps its own connections apart.
    fn lock(&self, first: usize, count: usize, mode: ShmLock) -> Result<bool>;
    /// Remove the file (the last process to close the database does, holding it exclusively).
    fn delete(&self) -> Result<()>;
}

/// The `-shm` file of a database on disk.
pub(super) struct FileShm {
    file: std::fs::File,
    path: PathBuf,
    /// Base addresses of the regions mapped so far, in order.
    regions: Mutex<Vec<usize>>,
}

impl FileShm {
    /// Open (creating) `path` and take the dead-man switch. `Busy`: another process is between
    /// opening the file and holding its read lock on the switch (it is resetting the file).
    pub fn open(path: &Path) -> Result<FileShm> {
        let file = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            // Another process's live index: never emptied just by opening (see `open`).
            .truncate(false)
            .mode(0o644)
            .open(path)
            .map_err(|e| Error {
                detail: Some(format!("{}: {e}", path.display())),
                ..Error::code(ErrorCode::CantOpen)
            })?;
        if set_lock(&file, Kind::Write, SHM_DMS, 1)? {
            // Alone: whatever the file holds is stale. Emptied, its header reads as invalid
            // and the first reader rebuilds the index from the WAL.
            file.set_len(0)?;
        }
        // Downgrade (or take) the read lock on the switch, held as long as the file is open.
        if !set_lock(&file, Kind::Read, SHM_DMS, 1)? {
            return Err(Error {
                detail: Some("another process is resetting the -shm file".into()),
                ..Error::code(ErrorCode::Busy)
            });
        }
        Ok(FileShm {
            file,
            path: path.to_path_buf(),
            regions: Mutex::default(),
        })
    }

    /// Grow the file to hold `regions` regions. The new space is allocated, not left a hole, so
    /// that no page of the mapping can fail to fill later on a full disk (a `SIGBUS`), and it is
    /// never written: bytes another process put there between the size check and the growth
    /// (it may be growing the index too) stay as they are, and new ones read as zeros.
    fn grow(&self, regions: usize) -> Result<()> {
        let want = (regions * SHM_REGION_SIZE) as u64;
        let have = self.file.metadata()?.len();
        if have >= want {
            return Ok(());
        }
        if self.allocate(have, want)? {
            return Ok(());
        }
        // A file system that cannot allocate without writing: zeros, as SQLite's unix VFS does.
        let zeros = vec![0u8; (want - have) as usize];
        self.file.write_all_at(&zeros, have)?;
        Ok(())
    }

    /// Allocate bytes `from..to` of the file, extending it, in one `fallocate` (which leaves
    /// bytes already there untouched). `Ok(false)`: the file system does not support it.
    #[cfg(target_os = "linux")]
    fn allocate(&self, from: u64, to: u64) -> Result<bool> {
        debug_assert!(from < to);
        let fd = std::os::fd::AsRawFd::as_raw_fd(&self.file);
        loop {
            // SAFETY: the descriptor is open for the whole call (borrowed from `self.file`);
            // `fallocate` takes only plain integers and touches no memory of this process.
            let rc =
                unsafe { libc::fallocate(fd, 0, from as libc::off_t, (to - from) as libc::off_t) };
            if rc == 0 {
                return Ok(true);
            }
            let err = std::io::Error::last_os_error();
            match err.raw_os_error() {
                Some(libc::EINTR) => continue,
                Some(libc::EOPNOTSUPP) | Some(libc::ENOSYS) => return Ok(false),
                // A full disk is `SQLITE_FULL`, as from a write.
                _ => return Err(err.into()),
            }
        }
    }

    #[cfg(not(target_os = "linux"))]
    fn allocate(&self, _from: u64, _to: u64) -> Result<bool> {
        Ok(false)
    }

    fn map(&self, index: usize) -> Result<usize> {
        let offset = (index * SHM_REGION_SIZE) as libc::off_t;
        // SAFETY: a fresh shared mapping of a region the file holds (checked by the caller), at
        // an address of the kernel's choosing; the descriptor is open for the whole call.
        let ptr = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                SHM_REGION_SIZE,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_SHARED,
                std::os::fd::AsRawFd::as_raw_fd(&self.file),
                offset,
            )
        };
        if ptr == libc::MAP_FAILED {
            return Err(Error::io(format!(
                "cannot map {}: {}",
                self.path.display(),
                std::io::Error::last_os_error()
            )));
        }
        Ok(ptr as usize)
    }
}

impl Shm for FileShm {
    fn region(&self, index: usize, extend: bool) -> Result<Option<&[AtomicU32]>> {
        let mut regions = super::lock(&self.regions);
        if index >= regions.len() {
            if extend {
                self.grow(index + 1)?;
            } else if self.file.metadata()?.len() < ((index + 1) * SHM_REGION_SIZE) as u64 {
                return Ok(None);
            }
            while regions.len() <= index {
                let base = self.map(regions.len())?;
                regions.push(base);
            }
        }
        let base = regions[index];
        // SAFETY: `base` is the start of a live, page-aligned shared mapping of SHM_REGION_SIZE
        // bytes that stays mapped until `self` is dropped (regions are never unmapped before),
        // so it outlives the returned borrow of `self`. The memory is only ever accessed through
        // atomics, which is what makes sharing it with other processes and threads sound.
        let words =
            unsafe { std::slice::from_raw_parts(base as *const AtomicU32, SHM_REGION_WORDS) };
        Ok(Some(words))
    }

    fn lock(&self, first: usize, count: usize, mode: ShmLock) -> Result<bool> {
        debug_assert!(first + count <= SHM_LOCKS && count > 0);
        let kind = match mode {
            ShmLock::Shared => Kind::Read,
            ShmLock::Exclusive => Kind::Write,
            ShmLock::Unlock => Kind::Unlock,
        };
        set_lock(&self.file, kind, SHM_LOCK_BASE + first as u64, count as u64)
    }

    fn delete(&self) -> Result<()> {
        match std::fs::remove_file(&self.path) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(e.into()),
        }
    }
}

impl Drop for FileShm {
    fn drop(&mut self) {
        for &base in super::lock(&self.regions).iter() {
            // SAFETY: each base was returned by `mmap` for SHM_REGION_SIZE bytes and is unmapped
            // once; no borrow of the regions outlives `self`.
            unsafe {
                libc::munmap(base as *mut libc::c_void, SHM_REGION_SIZE);
            }
        }
    }
}

/// WAL-index memory private to the process: for tests of the index format (and backends with no
/// other process to share with). Every lock is granted.
#[derive(Default)]
pub struct HeapShm {
    regions: Mutex<Vec<&'static [AtomicU32]>>,
}

impl Shm for HeapShm {
    fn region(&self, index: usize, extend: bool) -> Result<Option<&[AtomicU32]>> {
        let mut regions = super::lock(&self.regions);
        while regions.len() <= index {
            if !extend {
                return Ok(None);
            }
            // Leaked so that the slices stay put while the vector grows; reclaimed in `drop`.
            let words: Box<[AtomicU32]> =
                (0..SHM_REGION_WORDS).map(|_| AtomicU32::new(0)).collect();
            regions.push(Box::leak(words));
        }
        Ok(Some(regions[index]))
    }

    fn lock(&self, _first: usize, _count: usize, _mode: ShmLock) -> Result<bool> {
        Ok(true)
    }

    fn delete(&self) -> Result<()> {
        Ok(())
    }
}

impl Drop for HeapShm {
    fn drop(&mut self) {
        for words in super::lock(&self.regions).drain(..) {
            // SAFETY: each slice came from `Box::leak` in `region` and is reclaimed once; no
            // borrow of it outlives `self`.
            drop(unsafe { Box::from_raw(words as *const [AtomicU32] as *mut [AtomicU32]) });
        }
    }
}
