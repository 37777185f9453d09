//! SQLite's locks on a database file, as POSIX advisory byte-range locks (`fcntl`), and the
//! per-inode bookkeeping that keeps them held.
//!
//! SQLite's unix VFS locks bytes near offset 2^30 (the lock-byte page, which never holds data):
//! SHARED is a read lock on the 510 shared bytes, RESERVED a write lock on the reserved byte,
//! PENDING a lock on the pending byte, EXCLUSIVE a write lock on the shared bytes. Basalt takes
//! EXCLUSIVE the way a SQLite connection climbs to it (SHARED, RESERVED, PENDING, EXCLUSIVE), so
//! a SQLite process reading the bytes sees a writer holding the database exclusively. A database
//! shared through the `-shm` WAL index is held SHARED while open (as SQLite's WAL mode does), and
//! climbs from there to EXCLUSIVE only to find out whether it is the last user at close.
//!
//! Invariants:
//! - POSIX locks belong to the process and the inode, and closing *any* descriptor of the inode
//!   drops them all. So every descriptor opened through `FileIo` registers with its [`Inode`]
//!   (found by device and inode number, never by path), and while a handle holds the lock, a
//!   descriptor of that inode being closed is parked instead, and closed when the lock goes
//!   (SQLite's unix VFS does the same).
//! - At most one handle of an inode holds the lock in this process; a second asking for it is
//!   told the file is busy (POSIX would grant it, since a process never conflicts with itself).
//! - A failed climb releases every byte it took: the caller waits and starts again from nothing,
//!   so two processes never wait for each other while holding half a lock.

use crate::error::{Error, ErrorCode, Result};
use std::collections::HashMap;
use std::os::fd::AsRawFd;
use std::os::unix::fs::MetadataExt;
use std::sync::{Arc, Mutex, OnceLock, Weak};

/// SQLite's lock bytes: the pending byte at 1 GiB, the reserved byte after it, then the shared
/// range.
pub const PENDING_BYTE: u64 = 0x4000_0000;
pub const RESERVED_BYTE: u64 = PENDING_BYTE + 1;
pub const SHARED_FIRST: u64 = PENDING_BYTE + 2;
pub const SHARED_SIZE: u64 = 510;

/// What one `fcntl(F_SETLK)` asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Kind {
    Read,
    Write,
    Unlock,
}

/// One descriptor-independent file: its lock holder and the descriptors parked while it holds.
pub(super) struct Inode {
    key: (u64, u64),
    state: Mutex<InodeState>,
}

/// How much of SQLite's lock a handle holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Level {
    Shared,
    Exclusive,
}

#[derive(Default)]
struct InodeState {
    /// The handle (by id) holding a lock, and which.
    holder: Option<(u64, Level)>,
    /// Descriptors closed (or opened only to lock) while the lock is held.
    parked: Vec<std::fs::File>,
}

/// Every inode with a descriptor open through `FileIo`, by (device, inode number).
type Inodes = Mutex<HashMap<(u64, u64), Weak<Inode>>>;

fn inodes() -> &'static Inodes {
    static INODES: OnceLock<Inodes> = OnceLock::new();
    INODES.get_or_init(Mutex::default)
}

fn key_of(file: &std::fs::File) -> std::io::Result<(u64, u64)> {
    let meta = file.metadata()?;
    Ok((meta.dev(), meta.ino()))
}

impl Inode {
    /// The inode `file` is a descriptor of, shared by every descriptor of it in the process.
    pub fn of(file: &std::fs::File) -> std::io::Result<Arc<Inode>> {
        let key = key_of(file)?;
        let mut inodes = super::lock(inodes());
        if let Some(inode) = inodes.get(&key).and_then(Weak::upgrade) {
            return Ok(inode);
        }
        inodes.retain(|_, weak| weak.strong_count() > 0);
        let inode = Arc::new(Inode {
            key,
            state: Mutex::default(),
        });
        inodes.insert(key, Arc::downgrade(&inode));
        Ok(inode)
    }

    /// Take `level` for handle `id` through `fd` (or, for EXCLUSIVE when `fd` is read-only,
    /// through a writable descriptor `reopen` gives, since a write lock needs one), climbing
    /// from what the handle holds. `Ok(false)`: another process (or another handle here) holds a
    /// conflicting lock; the handle keeps what it held before.
    pub fn try_lock(
        &self,
        id: u64,
        fd: &std::fs::File,
        level: Level,
        reopen: Option<&dyn Fn() -> Result<std::fs::File>>,
    ) -> Result<bool> {
        let mut state = super::lock(&self.state);
        let held = match state.holder {
            Some((holder, _)) if holder != id => return Ok(false),
            Some((_, held)) if held >= level => return Ok(true),
            Some((_, held)) => Some(held),
            None => None,
        };
        if level == Level::Shared {
            if !climb(fd, &SHARED_STEPS, Release::All)? {
                return Ok(false);
            }
            state.holder = Some((id, Level::Shared));
            return Ok(true);
        }
        let writable = match reopen {
            None => None,
            Some(reopen) => {
                let writable = reopen()?;
                if key_of(&writable)? != self.key {
                    return Err(Error::io("the database file was replaced while opening it"));
                }
                Some(writable)
            }
        };
        let fd = writable.as_ref().unwrap_or(fd);
        let climbed = match held {
            None => climb(fd, &EXCLUSIVE_STEPS, Release::All)?,
            Some(_) => climb(fd, &EXCLUSIVE_STEPS[3..], Release::KeepShared)?,
        };
        if !climbed {
            return Ok(false);
        }
        state.holder = Some((id, Level::Exclusive));
        state.parked.extend(writable);
        Ok(true)
    }

    /// Drop handle `id`'s lock (nothing if it holds none) and close the parked descriptors.
    pub fn unlock(&self, id: u64, fd: &std::fs::File) -> Result<()> {
        let mut state = super::lock(&self.state);
        if state.holder.map(|(holder, _)| holder) != Some(id) {
            return Ok(());
        }
        state.holder = None;
        // Closing a parked descriptor would drop the locks anyway; unlocking first says so.
        let result = set_lock(fd, Kind::Unlock, PENDING_BYTE, 2 + SHARED_SIZE);
        state.parked.clear();
        result.map(|_| ())
    }

    /// Close descriptor `fd` of handle `id`: at once, unless another handle holds the lock.
    pub fn close(&self, id: u64, fd: std::fs::File) {
        let mut state = super::lock(&self.state);
        match state.holder {
            // The holder closing its own descriptor drops the lock with it.
            Some((holder, _)) if holder == id => {
                state.holder = None;
                state.parked.clear();
            }
            Some(_) => state.parked.push(fd),
            None => {}
        }
    }
}

/// SHARED: the pending byte read-locked while the shared bytes are taken, as SQLite does so
/// that it cannot slip in past a writer's PENDING.
const SHARED_STEPS: [(Kind, u64, u64); 3] = [
    (Kind::Read, PENDING_BYTE, 1),
    (Kind::Read, SHARED_FIRST, SHARED_SIZE),
    (Kind::Unlock, PENDING_BYTE, 1),
];

/// SHARED, then RESERVED, PENDING and EXCLUSIVE (the last three climb from SHARED).
const EXCLUSIVE_STEPS: [(Kind, u64, u64); 6] = [
    SHARED_STEPS[0],
    SHARED_STEPS[1],
    SHARED_STEPS[2],
    (Kind::Write, RESERVED_BYTE, 1),
    (Kind::Write, PENDING_BYTE, 1),
    (Kind::Write, SHARED_FIRST, SHARED_SIZE),
];

/// What a failed climb lets go of.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Release {
    /// Every byte: the handle held nothing before.
    All,
    /// The reserved and pending bytes: the handle keeps the SHARED it climbed from (a refused
    /// write lock on the shared bytes leaves the read lock there as it was).
    KeepShared,
}

/// Take `steps` in order. On a busy byte (or an error) what the climb took is released.
fn climb(fd: &std::fs::File, steps: &[(Kind, u64, u64)], release: Release) -> Result<bool> {
    let undo = || match release {
        Release::All => set_lock(fd, Kind::Unlock, PENDING_BYTE, 2 + SHARED_SIZE),
        Release::KeepShared => set_lock(fd, Kind::Unlock, PENDING_BYTE, 2),
    };
    for &(kind, start, len) in steps {
        match set_lock(fd, kind, start, len) {
            Ok(true) => {}
            Ok(false) => {
                undo()?;
                return Ok(false);
            }
            Err(e) => {
                let _ = undo();
                return Err(e);
            }
        }
    }
    Ok(true)
}

/// One non-blocking `fcntl(F_SETLK)`. `Ok(false)`: another process holds a conflicting lock.
/// A file system without working locks is an error, never a silent success.
pub(super) fn set_lock(fd: &std::fs::File, kind: Kind, start: u64, len: u64) -> Result<bool> {
    // SAFETY: `flock` is a plain C struct for which all-zero bytes are a valid value.
    let mut request: libc::flock = unsafe { std::mem::zeroed() };
    request.l_type = match kind {
        Kind::Read => libc::F_RDLCK,
        Kind::Write => libc::F_WRLCK,
        Kind::Unlock => libc::F_UNLCK,
    } as _;
    request.l_whence = libc::SEEK_SET as _;
    request.l_start = start as libc::off_t;
    request.l_len = len as libc::off_t;
    loop {
        // SAFETY: the descriptor is open for the whole call (borrowed from a live `File`) and
        // `request` is a valid, initialised `flock` that outlives the call.
        let rc = unsafe { libc::fcntl(fd.as_raw_fd(), libc::F_SETLK, &request) };
        if rc == 0 {
            return Ok(true);
        }
        let err = std::io::Error::last_os_error();
        match err.raw_os_error() {
            Some(libc::EINTR) => continue,
            Some(libc::EAGAIN) | Some(libc::EACCES) if kind != Kind::Unlock => return Ok(false),
            _ => {
                return Err(Error {
                    detail: Some(format!("cannot lock the file: {err}")),
                    ..Error::code(ErrorCode::IoErr)
                })
            }
        }
    }
}
