//! What all connections of the process to one database share: the WAL index, the writer lock,
//! read marks and the checkpoint state (see the module documentation in `mod.rs`).
//!
//! One [`Shared`] per database file, found through a process-wide registry keyed by
//! [`Io::shared_key`] (device and inode for real files). The first connection locks the file
//! before it reads anything: SHARED when the database is shared with other processes through
//! its `-shm` (`cross.rs`), else EXCLUSIVE (as SQLite does in `locking_mode=EXCLUSIVE`, where
//! the WAL index lives in heap memory as here). The last one releases it after its closing
//! checkpoint (shared, only if it can climb to EXCLUSIVE, i.e. no other process has the file).
//! The mutex guards only in-memory state and is never held across I/O, except by the last
//! connection's closing checkpoint (which also holds the registry, so that no connection can
//! open the database halfway through its WAL being deleted) and a `-shm` rebuild. Waits (the
//! writer lock, readers a checkpoint must outlast, other processes' WAL locks) sleep on a
//! condition variable or between tries, up to the connection's `busy_timeout`; they never spin.

mod cross;

use super::shm::ShmIndex;
use super::{
    encode_frame, frame_offset, recover, CheckpointMode, CheckpointResult, Synchronous, WalHeader,
    FRAME_HEADER_SIZE,
};
use crate::error::{Error, ErrorCode, Result};
use crate::io::{self, lock, Buffer, File, Io, OpenFlags, Shm};
use crate::pager::{PageNo, PageRef, PagerStats, PgnoMap, WalTag};
use cross::Cross;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, OnceLock, Weak};
use std::time::{Duration, Instant};

/// A reader's view: the last commit frame when its transaction began, the database size then,
/// whether it reads the log at all, and the commit count (to spot other connections' commits).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Snapshot {
    pub max_frame: u32,
    pub uses_wal: bool,
    pub db_size: PageNo,
    pub commits: u64,
}

/// What a checkpoint does with the pages of one run: the cached bytes of each page, or `None`
/// where the cache cannot vouch for them.
pub type UsePages<'a> = &'a mut dyn FnMut(&[Option<&[u8]>]) -> Result<()>;

/// A checkpointing connection's cache: `lend(run, use_pages)` calls `use_pages` once with, for
/// each `(pgno, tag)` of `run`, the page's bytes if the cache holds it clean and tagged `tag`
/// (that frame of that generation), each checked under the page's read guard and kept under it
/// until `use_pages` returns.
pub type CachedPages<'a> = Option<&'a dyn Fn(&[(PageNo, WalTag)], UsePages<'_>) -> Result<()>>;

/// Where and how a checkpoint copies: the database file, the sync level, the connection's cache.
#[derive(Clone, Copy)]
pub struct CheckpointTarget<'a> {
    pub db_file: &'a Arc<dyn File>,
    pub sync: Synchronous,
    pub cached: CachedPages<'a>,
}

/// A frame's location: the WAL file, the page image's offset in it, and the frame's tag.
pub type FrameLocation = (Arc<dyn File>, u64, WalTag);

/// Most bytes one commit or checkpoint `write` carries.
const WRITE_BATCH_BYTES: usize = 1 << 20;

/// A buffer of exactly `len` bytes for one batched write: `previous` when it has that length
/// (every batch but the last), else a new one.
fn batch_buffer(previous: Option<Box<[u8]>>, len: usize) -> Box<[u8]> {
    match previous {
        Some(buffer) if buffer.len() == len => buffer,
        _ => vec![0u8; len].into_boxed_slice(),
    }
}

/// Page → frames, in SQLite's shape: the frame → page array, and per page its frames ascending.
#[derive(Default)]
struct WalIndex {
    frames: Vec<PageNo>,
    by_page: PgnoMap<Vec<u32>>,
    commits: Vec<(u32, PageNo)>,
}

impl WalIndex {
    fn max_frame(&self) -> u32 {
        self.frames.len() as u32
    }

    /// The newest frame of `pgno` at or below `max_frame`.
    fn find(&self, pgno: PageNo, max_frame: u32) -> Option<u32> {
        let frames = self.by_page.get(&pgno)?;
        frames.iter().rev().copied().find(|&f| f <= max_frame)
    }

    fn push(&mut self, pgno: PageNo) {
        self.frames.push(pgno);
        let frame = self.max_frame();
        self.by_page.entry(pgno).or_default().push(frame);
    }

    /// Each page at most `db_size` with a frame in `(from, upto]`, and its newest such frame.
    fn newest_frames(&self, from: u32, upto: u32, db_size: PageNo) -> Vec<(PageNo, u32)> {
        self.by_page
            .iter()
            .filter(|&(&pgno, _)| pgno <= db_size)
            .filter_map(|(&pgno, frames)| {
                let newest = frames.iter().rev().copied().find(|&f| f <= upto)?;
                (newest > from).then_some((pgno, newest))
            })
            .collect()
    }

    fn db_size_at(&self, frame: u32) -> Option<PageNo> {
        let at = self.commits.binary_search_by_key(&frame, |c| c.0).ok()?;
        Some(self.commits[at].1)
    }

    fn clear(&mut self) {
        self.frames.clear();
        self.by_page.clear();
        self.commits.clear();
    }
}

struct State {
    wal_file: Option<Arc<dyn File>>,
    wal_writable: bool,
    /// The header of the log's current generation; the next frame 1 starts a new one.
    header: Option<WalHeader>,
    index: WalIndex,
    last_checksum: [u32; 2],
    /// The database size in pages as of the last commit.
    db_size: PageNo,
    /// Frames `1..=backfilled` are in the database file (W2).
    backfilled: u32,
    /// Commits since the process opened the database: a connection whose cache was filled
    /// under another count must drop it.
    commits: u64,
    readers: HashMap<u64, Snapshot>,
    writer: Option<u64>,
    checkpointing: bool,
    /// Frames `1..=synced_frame` are known durable in the WAL file (synced by a FULL commit or
    /// a checkpoint), so a checkpoint of no later frame need not sync the WAL again.
    synced_frame: u32,
    /// The buffer checkpoints gather runs of pages in, kept from one to the next: a fresh
    /// allocation of that size costs page faults comparable to the copy itself.
    copy_buffers: Vec<Buffer>,
    /// Bumped whenever frame numbers start over (a restart, the WAL deleted): a `WalTag` names a
    /// frame of one generation only, since a restarted log reuses its frame numbers.
    generation: u32,
    connections: usize,
    next_id: u64,
    /// Connections of this process asleep in `Shared::wait_until`: with none, a change wakes
    /// nobody and skips the condition variable's system call.
    waiters: usize,
    /// The `-shm` WAL index shared with other processes; `None` when the process holds the
    /// database exclusively and the index lives in heap memory only.
    cross: Option<Cross>,
}

impl State {
    fn snapshot(&self) -> Snapshot {
        let max_frame = self.index.max_frame();
        Snapshot {
            max_frame,
            uses_wal: max_frame > self.backfilled,
            db_size: self.db_size,
            commits: self.commits,
        }
    }

    /// Forget the log's frames: the next commit writes a new header and frames from 1 (W4).
    fn restart(&mut self) {
        debug_assert_eq!(self.backfilled, self.index.max_frame());
        self.index.clear();
        self.backfilled = 0;
        self.synced_frame = 0;
        self.generation = self.generation.wrapping_add(1);
    }
}

pub struct Shared {
    key: String,
    io: Arc<dyn Io>,
    /// The handle holding the database file's EXCLUSIVE lock for the process, from the first
    /// connection's open to the last one's close (other handles of the file may come and go:
    /// the I/O layer keeps their descriptors from dropping the lock).
    lock_file: Arc<dyn File>,
    wal_path: PathBuf,
    page_size: usize,
    read_only: bool,
    state: Mutex<State>,
    changed: Condvar,
}

fn registry() -> &'static Mutex<HashMap<String, Weak<Shared>>> {
    static REGISTRY: OnceLock<Mutex<HashMap<String, Weak<Shared>>>> = OnceLock::new();
    REGISTRY.get_or_init(Mutex::default)
}

/// Sleeps between attempts to lock the database file, growing as SQLite's busy handler's do.
const BUSY_DELAYS_MS: [u64; 12] = [1, 2, 5, 10, 15, 20, 25, 25, 25, 50, 50, 100];

/// Sleep before attempt `attempt + 1`, never past `left`.
fn busy_sleep(attempt: usize, left: Duration) {
    let delay = BUSY_DELAYS_MS[attempt.min(BUSY_DELAYS_MS.len() - 1)];
    std::thread::sleep(Duration::from_millis(delay).min(left));
}

/// How a connection opens the shared state.
#[derive(Debug, Clone, Copy)]
pub struct AttachOptions {
    pub read_only: bool,
    pub busy_timeout: Duration,
    /// `locking_mode=EXCLUSIVE` from the start: hold the file exclusively with the WAL index in
    /// heap memory even where the backend could share it.
    pub exclusive: bool,
}

/// The process's first connection to a database, opening it.
#[derive(Clone, Copy)]
struct FirstOpen<'a> {
    io: &'a Arc<dyn Io>,
    path: &'a Path,
    key: &'a str,
    db_file: &'a Arc<dyn File>,
    options: AttachOptions,
}

impl FirstOpen<'_> {
    /// Lock the file and build the state. A database in WAL mode on a backend with shared memory
    /// is held SHARED and indexed in the `-shm`; any other (a new or empty file, a rollback
    /// journal database, `locking_mode=EXCLUSIVE`) is held EXCLUSIVE with the index in heap
    /// memory. `Ok(None)` (or a `Busy` error): another process is in the way; nothing is held.
    fn open(
        &self,
        read_header: &dyn Fn() -> Result<DbFacts>,
    ) -> Result<Option<(Arc<Shared>, DbFacts)>> {
        if !self.db_file.try_lock_shared()? {
            return Ok(None);
        }
        let opened = self.open_locked(read_header);
        if !matches!(opened, Ok(Some(_))) {
            let _ = self.db_file.unlock();
        }
        opened
    }

    fn open_locked(
        &self,
        read_header: &dyn Fn() -> Result<DbFacts>,
    ) -> Result<Option<(Arc<Shared>, DbFacts)>> {
        let facts = read_header()?;
        let shareable = facts.wal_mode && !facts.empty && !self.options.exclusive;
        let shm = match shareable {
            true => self.io.open_shm(self.path)?,
            false => None,
        };
        if shm.is_none() && !self.db_file.try_lock_exclusive()? {
            return Ok(None);
        }
        let shared = Shared::create(self, facts, shm)?;
        if shared.is_cross() {
            let mut state = shared.lock();
            if shared.refresh(&mut state)?.is_none() {
                return Ok(None);
            }
        }
        Ok(Some((shared, facts)))
    }
}

/// What a connection reads from the database file's header when it opens: the page size and
/// usable size (the defaults for an empty file), the size in pages, and whether it is empty.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DbFacts {
    pub page_size: usize,
    pub usable_size: usize,
    pub page_count: PageNo,
    pub empty: bool,
    /// Header bytes 18/19 say WAL mode (2).
    pub wal_mode: bool,
}

fn busy(detail: &str) -> Error {
    Error {
        detail: Some(detail.to_string()),
        ..Error::code(ErrorCode::Busy)
    }
}

impl Shared {
    /// Join (or, as the first connection, lock the database file, create and recover) the
    /// shared state of the database at `path`, of which `db_file` is this connection's handle.
    /// `read_header` reads the database header; it runs only while this process holds a lock on
    /// the file. The first connection waits up to `busy_timeout` (sleeping) for other processes
    /// that hold the file or are resetting its `-shm`. Returns the state, this connection's id
    /// and the header's facts.
    pub fn attach(
        io: &Arc<dyn Io>,
        path: &Path,
        db_file: &Arc<dyn File>,
        options: AttachOptions,
        read_header: impl Fn() -> Result<DbFacts>,
    ) -> Result<(Arc<Shared>, u64, DbFacts)> {
        let key = io.shared_key(path)?;
        let deadline = Instant::now() + options.busy_timeout;
        let mut attempt = 0;
        loop {
            let mut registry = lock(registry());
            if let Some(shared) = registry.get(&key).and_then(Weak::upgrade) {
                let facts = read_header()?;
                let mut state = shared.lock();
                state.connections += 1;
                let id = state.next_id;
                state.next_id += 1;
                drop(state);
                return Ok((shared, id, facts));
            }
            let first = FirstOpen {
                io,
                path,
                key: &key,
                db_file,
                options,
            };
            match first.open(&read_header) {
                Ok(Some((shared, facts))) => {
                    registry.retain(|_, weak| weak.strong_count() > 0);
                    registry.insert(key, Arc::downgrade(&shared));
                    return Ok((shared, 1, facts));
                }
                Ok(None) => {}
                Err(e) if e.code == ErrorCode::Busy => {}
                Err(e) => return Err(e),
            }
            drop(registry);
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(busy("another process is using the database"));
            }
            busy_sleep(attempt, left);
            attempt += 1;
        }
    }

    /// The first connection's state while it holds the lock: recovered from the WAL (if any)
    /// into heap memory, or, with a shared index, empty until the first refresh reads it.
    fn create(
        first: &FirstOpen<'_>,
        facts: DbFacts,
        shm: Option<Arc<dyn Shm>>,
    ) -> Result<Arc<Shared>> {
        let FirstOpen {
            io,
            path,
            key,
            db_file,
            options,
        } = *first;
        let read_only = options.read_only;
        let wal_path = io::sibling(path, "-wal");
        let mut wal_file = None;
        if io.exists(&wal_path)? {
            let flags = OpenFlags {
                read_only,
                create: false,
            };
            wal_file = Some(io.open(&wal_path, flags)?);
        }
        let recovered = match &wal_file {
            Some(_) if shm.is_some() => super::Recovered::default(),
            Some(file) => recover(
                io.as_ref(),
                file.as_ref(),
                (!facts.empty).then_some(facts.page_size),
            )?,
            None => super::Recovered::default(),
        };
        let mut index = WalIndex::default();
        for &pgno in &recovered.frames {
            index.push(pgno);
        }
        index.commits = recovered.commits;
        let db_size = index.commits.last().map_or(facts.page_count, |c| c.1);
        let state = State {
            wal_writable: wal_file.is_some() && !read_only,
            wal_file,
            header: recovered.header,
            index,
            last_checksum: recovered.last_checksum,
            db_size,
            backfilled: 0,
            commits: 0,
            readers: HashMap::new(),
            writer: None,
            checkpointing: false,
            synced_frame: 0,
            copy_buffers: Vec::new(),
            generation: 0,
            connections: 1,
            next_id: 2,
            waiters: 0,
            cross: shm.map(|shm| Cross::new(ShmIndex::new(shm))),
        };
        Ok(Arc::new(Shared {
            key: key.to_string(),
            io: io.clone(),
            lock_file: db_file.clone(),
            wal_path,
            page_size: facts.page_size,
            read_only,
            state: Mutex::new(state),
            changed: Condvar::new(),
        }))
    }

    /// Leave; the last connection out runs `last_close` (its closing checkpoint) while no one
    /// can join.
    pub fn detach(
        self: &Arc<Self>,
        id: u64,
        last_close: impl FnOnce(&Shared) -> Result<()>,
    ) -> Result<()> {
        let mut registry = lock(registry());
        let last = {
            let mut state = self.lock();
            state.readers.remove(&id);
            Shared::release_read_mark(&mut state, id);
            if state.writer == Some(id) {
                Shared::release_writer(&mut state);
            }
            state.connections = state.connections.saturating_sub(1);
            self.wake(&state);
            state.connections == 0
        };
        if !last {
            return Ok(());
        }
        // Shared through the -shm, this process is the last user only if the file can be held
        // exclusively; only then may it checkpoint everything and delete the WAL and the -shm.
        let cross = self.is_cross();
        let alone = !cross || self.lock_file.try_lock_exclusive().unwrap_or(false);
        let mut result = if alone { last_close(self) } else { Ok(()) };
        if let Some(gone) = self.lock().cross.take() {
            if alone && result.is_ok() {
                result = gone.delete_file();
            }
        }
        // After the closing checkpoint, which needs the file to itself.
        let unlocked = self.lock_file.unlock();
        if result.is_ok() {
            result = unlocked;
        }
        if registry
            .get(&self.key)
            .is_some_and(|weak| weak.as_ptr() == Arc::as_ptr(self))
        {
            registry.remove(&self.key);
        }
        result
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        lock(&self.state)
    }

    /// Wakes the connections waiting for a change, if there are any. `state` is the guard the
    /// change was made under, so no waiter can be between its count and its wait.
    fn wake(&self, state: &State) {
        if state.waiters > 0 {
            self.changed.notify_all();
        }
    }

    /// Sleep until `ready` or the deadline; says whether `ready` held.
    fn wait_until<'a>(
        &'a self,
        mut state: MutexGuard<'a, State>,
        deadline: Instant,
        mut ready: impl FnMut(&State) -> bool,
    ) -> (MutexGuard<'a, State>, bool) {
        loop {
            if ready(&state) {
                return (state, true);
            }
            let now = Instant::now();
            if now >= deadline {
                return (state, false);
            }
            state.waiters += 1;
            state = match self.changed.wait_timeout(state, deadline - now) {
                Ok((guard, _)) => guard,
                Err(poisoned) => poisoned.into_inner().0,
            };
            debug_assert!(state.waiters > 0);
            state.waiters -= 1;
        }
    }

    pub fn page_size(&self) -> usize {
        self.page_size
    }

    /// Whether other processes share the database through the `-shm` WAL index (else this
    /// process holds it exclusively, the index in heap memory).
    pub fn is_shared_with_processes(&self) -> bool {
        self.is_cross()
    }

    /// The latest committed state, without taking a read mark (for a connection just opened).
    pub fn latest(&self) -> Snapshot {
        self.lock().snapshot()
    }

    /// Start a read transaction: record and return the connection's snapshot. Shared with
    /// other processes, this takes a read mark (waiting a little while other processes move the
    /// marks or rebuild the index).
    pub fn begin_read(&self, id: u64) -> Result<Snapshot> {
        let mut state = self.lock();
        if state.cross.is_some() {
            drop(state);
            return self.begin_read_cross(id);
        }
        let snapshot = state.snapshot();
        state.readers.insert(id, snapshot);
        Ok(snapshot)
    }

    pub fn end_read(&self, id: u64) {
        let mut state = self.lock();
        // A write that failed to start may have taken a mark before it recorded the reader.
        Shared::release_read_mark(&mut state, id);
        if state.readers.remove(&id).is_some() {
            self.wake(&state);
        }
    }

    /// Where to read `pgno` under `snapshot`: its newest frame's page in the WAL (and that
    /// frame's tag), or `None` for the database file.
    pub fn locate(&self, snapshot: &Snapshot, pgno: PageNo) -> Result<Option<FrameLocation>> {
        if !snapshot.uses_wal {
            return Ok(None);
        }
        let state = self.lock();
        let Some(frame) = state.index.find(pgno, snapshot.max_frame) else {
            return Ok(None);
        };
        let file = state
            .wal_file
            .clone()
            .ok_or_else(|| Error::io("WAL index has frames but no WAL file is open"))?;
        let offset = frame_offset(frame, self.page_size) + FRAME_HEADER_SIZE as u64;
        let tag = WalTag {
            frame,
            generation: state.generation,
        };
        Ok(Some((file, offset, tag)))
    }

    /// Take the writer lock, waiting up to `timeout` for another writer. `current` is the
    /// connection's read snapshot, if it has one: a snapshot older than the last commit cannot
    /// become a write transaction (SQLITE_BUSY_SNAPSHOT, no waiting). Restarts the log when
    /// that is allowed (W4). Returns the (possibly new) snapshot, also recorded as a read mark.
    pub fn begin_write(
        &self,
        id: u64,
        current: Option<Snapshot>,
        timeout: Duration,
    ) -> Result<Snapshot> {
        let deadline = Instant::now() + timeout;
        let state = self.lock();
        let stale = |state: &State| current.is_some_and(|s| s.commits != state.commits);
        if stale(&state) {
            return Err(busy("the read snapshot is not the latest"));
        }
        let (mut state, free) = self.wait_until(state, deadline, |s| s.writer.is_none());
        if !free {
            return Err(busy("another connection is writing"));
        }
        if stale(&state) {
            return Err(busy("the read snapshot is not the latest"));
        }
        state.writer = Some(id);
        if state.cross.is_some() {
            drop(state);
            return self.begin_write_cross(id, current, deadline);
        }
        let max_frame = state.index.max_frame();
        let others_use_wal = state
            .readers
            .iter()
            .any(|(&reader, mark)| reader != id && mark.uses_wal);
        if max_frame > 0 && state.backfilled == max_frame && !state.checkpointing && !others_use_wal
        {
            state.restart();
        }
        let snapshot = state.snapshot();
        state.readers.insert(id, snapshot);
        Ok(snapshot)
    }

    pub fn end_write(&self, id: u64) {
        let mut state = self.lock();
        if state.writer == Some(id) {
            Shared::release_writer(&mut state);
            self.wake(&state);
        }
    }

    /// Append one transaction: `pages` (ascending, each at most `db_size`) as frames, the last
    /// marked with `db_size`, syncing as `sync` says; then publish it. The caller holds the
    /// writer lock. Waits for its own writes and syncs. On error nothing is published: frames
    /// written past the last commit are garbage the next writer overwrites. Returns the new
    /// snapshot and the tag of the first frame (the others follow it in `pages`' order).
    pub fn append_commit(
        &self,
        id: u64,
        pages: &[PageRef],
        db_size: PageNo,
        sync: Synchronous,
        stats: &mut PagerStats,
    ) -> Result<(Snapshot, WalTag)> {
        assert!(!pages.is_empty(), "a commit has at least one frame");
        debug_assert!(pages.windows(2).all(|w| w[0].pgno() < w[1].pgno()));
        debug_assert!(pages.iter().all(|p| p.pgno() <= db_size));
        let (file, header, new_header, previous, first) = {
            let mut state = self.lock();
            if state.writer != Some(id) {
                return Err(Error::misuse("WAL frames appended without the writer lock"));
            }
            if state.wal_file.is_none() || !state.wal_writable {
                let flags = OpenFlags {
                    read_only: false,
                    create: true,
                };
                state.wal_file = Some(self.io.open(&self.wal_path, flags)?);
                state.wal_writable = true;
            }
            let file = state.wal_file.clone().ok_or_else(|| Error::io("no WAL"))?;
            let max_frame = state.index.max_frame();
            if max_frame == 0 {
                let header = self.next_wal_header(&state);
                (file, header, true, header.checksum, 1)
            } else {
                let header = state
                    .header
                    .ok_or_else(|| Error::io("WAL frames without a header"))?;
                (file, header, false, state.last_checksum, max_frame + 1)
            }
        };
        assert_eq!(header.page_size, self.page_size);
        let io = self.io.as_ref();
        if new_header {
            let bytes: Box<[u8]> = header.encode().to_vec().into();
            io::run_to_completion(io, file.write(0, bytes)?)?;
            if sync != Synchronous::Off {
                io::run_to_completion(io, file.sync()?)?;
                stats.syncs += 1;
            }
        }
        // Frames go out in writes of up to WRITE_BATCH_BYTES through one reused buffer: few
        // system calls, and a large transaction does not need a second copy of itself in memory.
        let frame_size = header.frame_size();
        let per_write = (WRITE_BATCH_BYTES / frame_size).max(1);
        let mut buffer = batch_buffer(None, per_write.min(pages.len()) * frame_size);
        let mut sum = previous;
        let mut frame = first;
        for batch in pages.chunks(per_write) {
            buffer = batch_buffer(Some(buffer), batch.len() * frame_size);
            for (page, out) in batch.iter().zip(buffer.chunks_exact_mut(frame_size)) {
                let last = frame - first + 1 == pages.len() as u32;
                let commit_size = if last { db_size } else { 0 };
                sum = encode_frame(&header, sum, page.pgno(), commit_size, &page.data(), out);
                frame += 1;
            }
            let offset = frame_offset(frame - batch.len() as u32, self.page_size);
            let done = io::run_to_completion(io, file.write(offset, buffer)?)?;
            buffer = done
                .buffer
                .ok_or_else(|| Error::io("write returned no buffer"))?;
        }
        stats.pages_written += pages.len() as u64;
        // The canary build skips this sync: the planted bug the simulator must find.
        if sync >= Synchronous::Full && !cfg!(feature = "canary-skip-commit-sync") {
            io::run_to_completion(io, file.sync()?)?;
            stats.syncs += 1;
        }
        let mut state = self.lock();
        debug_assert_eq!(state.index.max_frame() + 1, first);
        // Other processes see the commit once the shared index's header says so: after this.
        Shared::publish_cross(&mut state, pages, &header, db_size, sum)?;
        state.header = Some(header);
        for page in pages {
            state.index.push(page.pgno());
        }
        let last = state.index.max_frame();
        if sync >= Synchronous::Full {
            state.synced_frame = last;
        }
        state.index.commits.push((last, db_size));
        state.last_checksum = sum;
        state.db_size = db_size;
        state.commits += 1;
        let snapshot = state.snapshot();
        state.readers.insert(id, snapshot);
        self.wake(&state);
        let tag = WalTag {
            frame: first,
            generation: state.generation,
        };
        Ok((snapshot, tag))
    }

    /// Run a checkpoint for connection `id` (which holds no read mark), copying into `db_file`.
    pub fn checkpoint(
        &self,
        id: u64,
        target: CheckpointTarget<'_>,
        mode: CheckpointMode,
        timeout: Duration,
        stats: &mut PagerStats,
    ) -> Result<CheckpointResult> {
        let deadline = Instant::now() + timeout;
        let mut state = self.lock();
        if state.checkpointing || !Shared::take_checkpoint_lock(&mut state)? {
            return Ok(CheckpointResult {
                busy: true,
                log_frames: -1,
                checkpointed_frames: -1,
            });
        }
        let mut effective = mode;
        let mut took_writer = false;
        if mode != CheckpointMode::Passive {
            let (guard, free) = self.wait_until(state, deadline, |s| s.writer.is_none());
            state = guard;
            if free {
                state.writer = Some(id);
                let (guard, locked) = self.take_write_lock(state, deadline)?;
                state = guard;
                took_writer = locked;
                if !locked {
                    Shared::release_writer(&mut state);
                }
            }
            if !took_writer {
                effective = CheckpointMode::Passive;
            }
        }
        state.checkpointing = true;
        let current = match state.cross.is_some() {
            true => self.refresh(&mut state).map(|h| h.is_some()),
            false => Ok(true),
        };
        drop(state);
        let outcome = match current {
            Ok(false) => Ok(true),
            Ok(true) if self.is_cross() => {
                self.run_checkpoint_cross(id, target, effective, deadline, stats)
            }
            Ok(true) => self.run_checkpoint(id, target, effective, deadline, stats),
            Err(e) => Err(e),
        };
        let mut state = self.lock();
        state.checkpointing = false;
        if took_writer {
            Shared::release_writer(&mut state);
        }
        Shared::release_checkpoint_lock(&mut state);
        self.wake(&state);
        let busy = outcome? || effective != mode;
        stats.checkpoints += 1;
        Ok(CheckpointResult {
            busy,
            log_frames: state.index.max_frame() as i64,
            checkpointed_frames: state.backfilled as i64,
        })
    }

    /// The body of a checkpoint; says whether it was busy (could not do all its mode asks).
    fn run_checkpoint(
        &self,
        id: u64,
        target: CheckpointTarget<'_>,
        mode: CheckpointMode,
        deadline: Instant,
        stats: &mut PagerStats,
    ) -> Result<bool> {
        let waits = mode != CheckpointMode::Passive;
        let mut state = self.lock();
        let max_frame = state.index.max_frame();
        if state.backfilled < max_frame {
            if waits {
                // FULL and up wait for readers of older snapshots (and of the file alone).
                let (guard, _) = self.wait_until(state, deadline, |s| {
                    s.readers.iter().all(|(&reader, mark)| {
                        reader == id || (mark.uses_wal && mark.max_frame >= max_frame)
                    })
                });
                state = guard;
            }
            let mut safe = state.index.max_frame();
            for (&reader, mark) in &state.readers {
                if reader == id {
                    continue;
                }
                safe = if mark.uses_wal {
                    safe.min(mark.max_frame)
                } else {
                    safe.min(state.backfilled)
                };
            }
            if safe > state.backfilled {
                state = self.backfill_to(state, safe, target, stats)?;
            }
        }
        if !waits {
            return Ok(false);
        }
        if state.backfilled < state.index.max_frame() {
            return Ok(true);
        }
        if mode >= CheckpointMode::Restart {
            let (guard, done) = self.wait_until(state, deadline, |s| {
                s.readers
                    .iter()
                    .all(|(&reader, mark)| reader == id || !mark.uses_wal)
            });
            state = guard;
            if !done {
                return Ok(true);
            }
            if mode == CheckpointMode::Truncate {
                state.restart();
                let wal = state.wal_file.clone();
                drop(state);
                if let Some(wal) = wal {
                    io::run_to_completion(self.io.as_ref(), wal.truncate(0)?)?;
                }
            }
        }
        Ok(false)
    }

    /// Copy frames `backfilled + 1..=safe` into the database file (the caller made sure no
    /// reader still needs what they replace), then advance `backfilled` and, shared, the index's
    /// nBackfill. The lock is let go during the copy and taken again.
    fn backfill_to<'a>(
        &'a self,
        state: MutexGuard<'a, State>,
        safe: u32,
        target: CheckpointTarget<'_>,
        stats: &mut PagerStats,
    ) -> Result<MutexGuard<'a, State>> {
        let mut state = state;
        let from = state.backfilled;
        let db_size = match state.index.db_size_at(safe) {
            Some(size) => size,
            None => self.commit_size_in_wal(&state, safe)?,
        };
        let mut copies = state.index.newest_frames(from, safe, db_size);
        copies.sort_unstable();
        let whole = safe == state.index.max_frame();
        let wal = state
            .wal_file
            .clone()
            .ok_or_else(|| Error::io("no WAL file to checkpoint"))?;
        // Constant while `checkpointing` holds: no restart can happen under the copy.
        let generation = state.generation;
        let sync_wal = target.sync != Synchronous::Off && state.synced_frame < safe;
        let buffers = std::mem::take(&mut state.copy_buffers);
        drop(state);
        let source = FrameSource {
            wal: &wal,
            generation,
            cached: target.cached,
        };
        let copied = self.copy_back(
            &source,
            target.db_file,
            &copies,
            whole.then_some(db_size),
            CopySync {
                wal: sync_wal,
                db: target.sync != Synchronous::Off,
            },
            buffers,
            stats,
        );
        state = self.lock();
        state.copy_buffers = copied?;
        if sync_wal {
            state.synced_frame = state.synced_frame.max(safe);
        }
        debug_assert_eq!(state.backfilled, from, "one checkpoint at a time");
        state.backfilled = safe;
        if let Some(cross) = &state.cross {
            cross.index.set_backfill(safe)?;
        }
        self.wake(&state);
        Ok(state)
    }

    /// The database size commit frame `frame` set, read from its frame header (for a commit
    /// another process made, whose size the heap index did not see).
    fn commit_size_in_wal(&self, state: &State, frame: u32) -> Result<PageNo> {
        let wal = state
            .wal_file
            .clone()
            .ok_or_else(|| Error::io("no WAL file to checkpoint"))?;
        let offset = frame_offset(frame, self.page_size);
        let done = io::run_to_completion(self.io.as_ref(), wal.read(offset, vec![0u8; 8].into())?)?;
        let bytes = done.buffer.unwrap_or_default();
        let size = match bytes.get(4..8) {
            Some(b) if done.len == 8 => u32::from_be_bytes([b[0], b[1], b[2], b[3]]),
            _ => 0,
        };
        if size == 0 {
            return Err(Error::corrupt(format!("frame {frame} is not a commit")));
        }
        Ok(size)
    }

    /// Copy frames into the database file: sync the WAL (unless already durable), write the
    /// pages in page-number order, one gathered write per run of consecutive pages, cut the file
    /// to the database size when the whole log was copied, sync the database. Waits for its
    /// I/O. `buffers` hold frames read from the WAL, kept from one checkpoint to the next (fresh
    /// buffers cost page faults comparable to the copy); they are given back.
    #[allow(clippy::too_many_arguments)]
    fn copy_back(
        &self,
        source: &FrameSource<'_>,
        db_file: &Arc<dyn File>,
        copies: &[(PageNo, u32)],
        truncate_to: Option<PageNo>,
        sync: CopySync,
        buffers: Vec<Buffer>,
        stats: &mut PagerStats,
    ) -> Result<Vec<Buffer>> {
        debug_assert!(copies.windows(2).all(|w| w[0].0 < w[1].0));
        let io = self.io.as_ref();
        if sync.wal {
            self.checkpoint_sync(source.wal, stats)?;
        }
        let per_write = (WRITE_BATCH_BYTES / self.page_size).max(1);
        let mut buffers = buffers;
        let mut rest = copies;
        while let Some(&(start, _)) = rest.first() {
            let run = rest
                .iter()
                .enumerate()
                .take(per_write)
                .take_while(|&(i, &(pgno, _))| pgno as usize == start as usize + i)
                .count();
            let (pages, later) = rest.split_at(run);
            let offset = (start as u64 - 1) * self.page_size as u64;
            let mut write = |cached: &[Option<&[u8]>]| {
                self.write_run(source, db_file, offset, pages, cached, &mut buffers, stats)
            };
            match source.cached {
                Some(lend) => {
                    let tags: Vec<(PageNo, WalTag)> = pages
                        .iter()
                        .map(|&(pgno, frame)| (pgno, source.tag(frame)))
                        .collect();
                    lend(&tags, &mut write)?;
                }
                None => write(&vec![None; run])?,
            }
            rest = later;
        }
        if let Some(pages) = truncate_to {
            let size = pages as u64 * self.page_size as u64;
            if db_file.size()? > size {
                io::run_to_completion(io, db_file.truncate(size)?)?;
            }
        }
        if sync.db {
            self.checkpoint_sync(db_file, stats)?;
        }
        Ok(buffers)
    }

    /// Write one run of consecutive `pages` (page, frame) at `offset` in one gathered write:
    /// each page from `cached` where the cache vouched for it, else read from its WAL frame
    /// into one of `buffers`. Debug builds read every frame and check the cached bytes by it.
    #[allow(clippy::too_many_arguments)]
    fn write_run(
        &self,
        source: &FrameSource<'_>,
        db_file: &Arc<dyn File>,
        offset: u64,
        pages: &[(PageNo, u32)],
        cached: &[Option<&[u8]>],
        buffers: &mut Vec<Buffer>,
        stats: &mut PagerStats,
    ) -> Result<()> {
        debug_assert_eq!(pages.len(), cached.len());
        let mut read = Vec::with_capacity(pages.len());
        for (&(pgno, frame), page) in pages.iter().zip(cached) {
            if page.is_some() {
                stats.checkpoint_cache_pages += 1;
                if !cfg!(debug_assertions) {
                    read.push(None);
                    continue;
                }
            }
            let from_wal = self.read_frame(source.wal, frame, buffers.pop())?;
            if let Some(page) = page {
                assert!(
                    **page == *from_wal,
                    "cache fast-path returned wrong content for page {pgno} frame {frame}"
                );
            }
            read.push(Some(from_wal));
        }
        let parts = cached
            .iter()
            .zip(&read)
            .map(|(page, from_wal)| page.or(from_wal.as_deref()))
            .collect::<Option<Vec<&[u8]>>>()
            .ok_or_else(|| {
                Error::new(
                    ErrorCode::Internal,
                    "checkpoint page with neither cache nor WAL bytes",
                )
            })?;
        io::run_to_completion(self.io.as_ref(), db_file.write_gathered(offset, &parts)?)?;
        stats.pages_written += pages.len() as u64;
        buffers.extend(read.into_iter().flatten());
        Ok(())
    }

    /// Sync `file` for a checkpoint, counting the sync and the time it took.
    fn checkpoint_sync(&self, file: &Arc<dyn File>, stats: &mut PagerStats) -> Result<()> {
        let start = Instant::now();
        io::run_to_completion(self.io.as_ref(), file.sync()?)?;
        stats.syncs += 1;
        stats.checkpoint_sync_time += start.elapsed();
        Ok(())
    }

    /// The page image of WAL frame `frame`, read into `buffer` (a new one if `None`).
    fn read_frame(
        &self,
        wal: &Arc<dyn File>,
        frame: u32,
        buffer: Option<Buffer>,
    ) -> Result<Buffer> {
        let buffer = buffer.unwrap_or_else(|| vec![0u8; self.page_size].into());
        let offset = frame_offset(frame, self.page_size) + FRAME_HEADER_SIZE as u64;
        let done = io::run_to_completion(self.io.as_ref(), wal.read(offset, buffer)?)?;
        if done.len != self.page_size {
            return Err(Error::io(format!("WAL frame {frame} is short")));
        }
        done.buffer
            .ok_or_else(|| Error::io("read returned no buffer"))
    }

    /// The last connection's close: checkpoint everything and, when that succeeded, delete the
    /// WAL file (as SQLite does unless the WAL is persistent).
    pub fn close_checkpoint(
        &self,
        id: u64,
        target: CheckpointTarget<'_>,
        stats: &mut PagerStats,
    ) -> Result<()> {
        let result = self.checkpoint(id, target, CheckpointMode::Passive, Duration::ZERO, stats)?;
        if result.busy || result.log_frames != result.checkpointed_frames {
            return Ok(());
        }
        let mut state = self.lock();
        if state.wal_file.take().is_some() || self.io.exists(&self.wal_path)? {
            self.io.delete(&self.wal_path)?;
        }
        state.wal_writable = false;
        state.restart();
        state.header = None;
        Ok(())
    }
}

/// Where a checkpoint gets a frame's page: the cache when it holds exactly that frame, else
/// the WAL.
struct FrameSource<'a> {
    wal: &'a Arc<dyn File>,
    generation: u32,
    cached: CachedPages<'a>,
}

impl FrameSource<'_> {
    /// The tag a cached page must carry to be exactly `frame` of this log generation.
    fn tag(&self, frame: u32) -> WalTag {
        WalTag {
            frame,
            generation: self.generation,
        }
    }
}

/// Which files a checkpoint syncs: the WAL before copying, the database after.
#[derive(Clone, Copy)]
struct CopySync {
    wal: bool,
    db: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index_finds_the_newest_frame_below_a_mark() {
        let mut index = WalIndex::default();
        for pgno in [2, 3, 2, 5, 2] {
            index.push(pgno);
        }
        assert_eq!(index.find(2, 5), Some(5));
        assert_eq!(index.find(2, 4), Some(3));
        assert_eq!(index.find(2, 2), Some(1));
        assert_eq!(index.find(5, 3), None);
        assert_eq!(index.find(7, 5), None);
    }
}
