//! The pager: pages in, pages out, transactions at the page level.
//!
//! The pager turns the database file into numbered pages of `page_size` bytes and keeps the
//! recently used ones in a bounded cache (`cache.rs`). The b-tree layer asks for pages by number,
//! makes the ones it changes writable, and asks the pager to commit or roll back.
//!
//! # Waiting for I/O: restartable operations
//! `get` never blocks. On a cache miss it submits the read and, if the backend has not finished
//! it yet, returns `ErrorCode::IoPending`; the read stays registered, and the next `get` of the
//! same page (after the caller drove the backend with `Io::wait`/`poll`) installs it. Callers
//! above are written so that an operation interrupted this way has changed nothing and can simply
//! be run again (see ARCHITECTURE.md). A read is collected only by the operation that started
//! it: when that operation is over (its statement finished or failed, its read transaction
//! ended) the pager forgets the reads it left (`abandon_reads`), so a failure they meet later
//! reaches no one and the next `get` of the page reads it again; a failed read never enters
//! the cache. `get_now` waits instead; it is for the mutation phase of a
//! b-tree write, whose pages were all prefetched, so it only waits when a prefetch missed a page
//! (counted in `stats().stalls`).
//!
//! What waits for its own I/O (small, separate pieces, never called from a read path): opening
//! (reading the header, recovering the WAL), `commit` (appending frames, syncing), `checkpoint`
//! and `close` (copying frames back, syncing), and `begin_write` on a database whose page 1 is
//! not cached (the auto-vacuum check). `begin_write` and FULL/RESTART/TRUNCATE checkpoints may
//! also sleep up to `busy_timeout` for another connection, and the process's first open of a
//! database file for another *process* to let go of the file (`wal::Shared::attach` locks it);
//! `begin_read` may wait briefly for other processes sharing the `-shm` wal-index.
//!
//! # Transactions through the write-ahead log (`crate::wal`)
//! A database file is read through the WAL: a *read transaction* pins a snapshot (the last
//! commit frame when it began); `get` takes a page's newest frame at or below it, else the
//! database file's page. A read transaction starts at the first `get` (or `begin_read`) and ends
//! with `end_read`, `commit` or `rollback`. When it starts, the pager checks whether another
//! connection committed since its cache was filled and if so drops the cache (and bumps `epoch`
//! so cursors re-seek). A cache hit is still a hash lookup: the check is one flag per call.
//!
//! `begin_write` takes the database's writer lock (one writer per database in the process; a
//! second gets `SQLITE_BUSY` "database is locked" after `busy_timeout`) and refuses a stale
//! snapshot. Changed pages stay in the cache, dirty and pinned there, until `commit` appends them
//! to the WAL as frames, the last one a commit frame carrying the database size, and syncs as
//! `synchronous` says; `rollback` forgets them. Dirty pages are never spilled to the WAL before
//! commit: a large transaction grows the cache instead. Savepoints (`savepoint`, `release`,
//! `rollback_to`) keep, per level, a copy of each page's image the first time it is made writable
//! in that level, and restore them exactly. A commit past `wal_autocheckpoint` frames runs a
//! PASSIVE checkpoint; the last connection to close checkpoints and deletes the WAL.
//!
//! A new database is created in WAL mode (header bytes 18/19 = 2): its first page is written to
//! the database file directly (SQLite drops a WAL next to an empty database), everything else
//! through the WAL. A database in rollback-journal mode switches to WAL mode with its first commit
//! (page 1 is stamped 2/2 in that commit). A hot rollback journal is refused, never ignored.
//! `:memory:` databases have no WAL: their commits write the (private, in-memory) file directly.
//!
//! # Cheap access for the b-tree
//! `with_page` runs a closure on a page's bytes without creating a handle (no reference-count
//! traffic on a hit); cursors stepping along a leaf use it. `get_for_overwrite` hands out a page
//! whose old bytes mean nothing (a free page being reused) zero-filled, without reading it.
//! `epoch` moves whenever cursors must re-seek: every b-tree write (`bump_epoch`), rollbacks, and
//! another connection's commit seen when a read transaction starts; `current_epoch` starts the
//! read transaction first, so a cursor's freshness check sees the bump its next `get` would cause.
//!
//! # WAL tags and checkpoints from the cache
//! A cached page may carry a [`WalTag`]: the WAL frame (and log generation) its bytes are exactly
//! equal to. Set in two places only: a page read from a frame, and a page committed as a frame
//! (when the append completed, unless it was written to since its frame was encoded). Every
//! other way bytes come to be leaves none: read from the database file, made writable, a new or
//! reused buffer, a savepoint image restored. A checkpoint copying frame F of page P uses the
//! cached bytes when P is clean and tagged (F, current generation), else reads F from the WAL;
//! the generation changes whenever the log restarts, since a restarted log reuses frame
//! numbers. The automatic checkpoint after a commit runs before the cache shrinks back to
//! `cache_size`, so a large commit's pages are copied from memory.
//!
//! # Invariants
//! - A page in the cache has exactly `page_size` bytes, and equals the page of the connection's
//!   snapshot unless dirty. A tagged page also equals its frame.
//! - `page_count >= committed_page_count` only grows inside a write transaction; rollback restores
//!   it.
//! - The lock-byte page (the one holding file offset 2^30) is never handed out by `append_page`.
//! - The database file only changes through checkpoints (W2/W3 in `wal`), or for `:memory:`.

mod cache;
mod page;
mod txn;

pub use cache::{PgnoHasher, PgnoMap};
pub use page::{PageData, PageDataMut, PageNo, PageRef, WalTag};
pub use txn::TransactionKind;

use crate::error::{Error, ErrorCode, Result};
use crate::format::{self, DatabaseHeader, TextEncoding, HEADER_SIZE};
use crate::io::{self, Buffer, Completion, File, Io, MemoryIo, OpenFlags};
use crate::wal::{self, AttachOptions, DbFacts, Shared, Snapshot, Synchronous};
use cache::PageCache;
use std::path::Path;
use std::sync::{Arc, Weak};
use std::time::Duration;

/// SQLite's default `cache_size`: -2000, i.e. about 2000 KiB of pages.
pub const DEFAULT_CACHE_SIZE: i64 = -2000;
/// SQLite's estimate of the per-page bookkeeping when sizing the cache in KiB.
const PAGE_OVERHEAD: i64 = 256;
/// A page cache larger than this outgrows the CPU's caches (a core's L2 is 1-4 MiB): its pages
/// are likely cold when found, so leaves are warmed before they are searched (`warm_leaf`).
const WARM_CACHE_BYTES: usize = 4 << 20;

#[derive(Debug, Clone)]
pub struct PagerOptions {
    /// Page size for a new database; an existing file keeps its own.
    pub page_size: usize,
    /// Refuse every write with SQLITE_READONLY; the file is opened read-only and never created.
    pub read_only: bool,
    /// Create the file when it does not exist (else SQLITE_CANTOPEN). Ignored for `:memory:`,
    /// which always starts empty.
    pub create: bool,
    /// `PRAGMA cache_size` semantics: pages if positive, KiB if negative.
    pub cache_size: i64,
    /// `PRAGMA synchronous` (SQLite's default: FULL).
    pub synchronous: Synchronous,
    /// `PRAGMA wal_autocheckpoint` in frames; 0 turns automatic checkpoints off.
    pub wal_autocheckpoint: u32,
    /// `PRAGMA busy_timeout`: how long to wait for the writer lock or for readers.
    pub busy_timeout: Duration,
    /// `PRAGMA locking_mode=EXCLUSIVE` from the start: the process holds the database file
    /// exclusively and keeps the WAL index in heap memory (no `-shm`), as SQLite does in that
    /// mode. Otherwise a WAL database is shared with other processes through its `-shm`.
    pub exclusive_locking: bool,
}

impl Default for PagerOptions {
    fn default() -> Self {
        PagerOptions {
            page_size: format::DEFAULT_PAGE_SIZE,
            read_only: false,
            create: true,
            cache_size: DEFAULT_CACHE_SIZE,
            synchronous: Synchronous::Full,
            wal_autocheckpoint: wal::DEFAULT_AUTOCHECKPOINT,
            busy_timeout: Duration::ZERO,
            exclusive_locking: false,
        }
    }
}

/// Counters for tests and benchmarks.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct PagerStats {
    pub hits: u64,
    pub misses: u64,
    /// Pages written: WAL frames, checkpoint copies, direct writes.
    pub pages_written: u64,
    pub syncs: u64,
    /// `get_now` calls that had to wait: a write's prefetch missed a page.
    pub stalls: u64,
    pub checkpoints: u64,
    /// Pages a checkpoint copied from this connection's cache instead of reading their frame.
    pub checkpoint_cache_pages: u64,
    /// Time checkpoints spent syncing the WAL and the database file (for benchmarks).
    pub checkpoint_sync_time: Duration,
}

struct PendingRead {
    completion: Completion,
    /// The frame being read, when it comes from the WAL.
    tag: Option<WalTag>,
}

/// This connection's part of the shared WAL state.
struct WalConn {
    shared: Arc<Shared>,
    id: u64,
    /// The open read transaction's snapshot.
    snapshot: Option<Snapshot>,
    /// The commit count the cache's clean pages were read under.
    seen_commits: u64,
}

/// One open savepoint: the page count when it opened, and the image of each page (with its dirty
/// flag) as it was before its first change in this savepoint. `None`: the page was taken by
/// `get_for_overwrite` without ever being read, so rolling back forgets it from the cache.
struct Savepoint {
    page_count: PageNo,
    images: PgnoMap<(Option<Buffer>, bool)>,
}

pub struct Pager {
    io: Arc<dyn Io>,
    file: Arc<dyn File>,
    page_size: usize,
    usable_size: usize,
    read_only: bool,
    /// Pages in the database as of the snapshot (or the last commit).
    committed_page_count: PageNo,
    /// Pages including those appended by the open write transaction.
    page_count: PageNo,
    in_read: bool,
    in_write: bool,
    cache: PageCache,
    cache_size: i64,
    /// A `:memory:` database: as in SQLite, whose in-memory pages live only in its page cache,
    /// every page stays cached once read (`cache_size` is kept and reported, not enforced), so
    /// a lookup never copies a page out of the in-memory file.
    resident: bool,
    /// The cache is larger than a CPU's own caches, so a page found in it is likely cold there:
    /// `warm_leaf` loads a leaf's lines all at once before it is searched (see there).
    warm_leaves: bool,
    /// The page 1 buffer `schema_cookie` last saw pass `DatabaseHeader::parse`, and its write
    /// count then: while both still match, the bytes are those, so the header need not be
    /// parsed again. Weak, so it pins nothing; it keeps the allocation, so no other page can
    /// come to have its address.
    header_checked: Option<(Weak<page::PageInner>, u32)>,
    pending: PgnoMap<PendingRead>,
    stats: PagerStats,
    /// Bumped whenever pages may change under cursors' feet: every b-tree write on this
    /// connection (`bump_epoch`), rollback, savepoint rollback, and another connection's commit
    /// seen when a read transaction starts. Positioned cursors re-seek when it moved.
    epoch: u64,
    /// `None` for `:memory:` databases.
    wal: Option<WalConn>,
    synchronous: Synchronous,
    autocheckpoint: u32,
    busy_timeout: Duration,
    savepoints: Vec<Savepoint>,
    /// Whether checkpoints may copy tagged cached pages instead of reading their frames (turned
    /// off only to measure the difference).
    checkpoint_from_cache: bool,
    /// `PRAGMA locking_mode`'s connection default: exclusive for a file database (held that way
    /// from open to close), SQLite's "normal" for an in-memory one until set.
    default_locking_exclusive: bool,
    closed: bool,
}

impl Pager {
    /// Open (or create) a database file through `io`, recovering its WAL if this is the first
    /// connection of the process to it.
    pub fn open(io: Arc<dyn Io>, path: impl AsRef<Path>, options: &PagerOptions) -> Result<Pager> {
        let path = path.as_ref();
        // A `:memory:` database is a new private file: created even for a read-only
        // connection, which then refuses writes in the pager, as SQLite's does.
        let flags = if is_memory_path(path) {
            OpenFlags::default()
        } else {
            OpenFlags {
                read_only: options.read_only,
                create: options.create && !options.read_only,
            }
        };
        let file = io.open(path, flags)?;
        Pager::with_file(io, file, path, options)
    }

    /// A fresh in-memory database.
    pub fn open_memory(page_size: usize) -> Result<Pager> {
        let options = PagerOptions {
            page_size,
            ..PagerOptions::default()
        };
        Pager::open(Arc::new(MemoryIo::new()), ":memory:", &options)
    }

    fn with_file(
        io: Arc<dyn Io>,
        file: Arc<dyn File>,
        path: &Path,
        options: &PagerOptions,
    ) -> Result<Pager> {
        if !format::is_valid_page_size(options.page_size) {
            return Err(Error::misuse(format!(
                "invalid page size {}: a power of two from 512 to 65536",
                options.page_size
            )));
        }
        // Only once the file is locked: a journal may be hot only while no process holds it.
        let read_header = || {
            refuse_hot_journal(io.as_ref(), path)?;
            read_facts(io.as_ref(), &file, options.page_size)
        };
        let mut wal = None;
        let is_file = !is_memory_path(path);
        let mut exclusive = false;
        let facts = if is_file {
            let attach = AttachOptions {
                read_only: options.read_only,
                busy_timeout: options.busy_timeout,
                exclusive: options.exclusive_locking,
            };
            let (shared, id, mut facts) = Shared::attach(&io, path, &file, attach, read_header)?;
            exclusive = !shared.is_shared_with_processes();
            if facts.empty && shared.page_size() != facts.page_size {
                // Another connection is creating this database with its own page size.
                facts.page_size = shared.page_size();
                facts.usable_size = facts.page_size;
            }
            let latest = shared.latest();
            facts.page_count = latest.db_size;
            wal = Some(WalConn {
                shared,
                id,
                snapshot: None,
                seen_commits: latest.commits,
            });
            facts
        } else {
            read_header()?
        };
        let DbFacts {
            page_size,
            usable_size,
            page_count,
            ..
        } = facts;
        let mut pager = Pager {
            io,
            file,
            page_size,
            usable_size,
            read_only: options.read_only,
            committed_page_count: page_count,
            page_count,
            in_read: false,
            in_write: false,
            cache: if is_file {
                PageCache::new(page_size, 0)
            } else {
                PageCache::resident(page_size)
            },
            cache_size: options.cache_size,
            resident: !is_file,
            warm_leaves: false,
            header_checked: None,
            pending: PgnoMap::default(),
            stats: PagerStats::default(),
            epoch: 0,
            wal,
            synchronous: options.synchronous,
            autocheckpoint: options.wal_autocheckpoint,
            busy_timeout: options.busy_timeout,
            savepoints: Vec::new(),
            checkpoint_from_cache: true,
            default_locking_exclusive: exclusive,
            closed: false,
        };
        pager.set_cache_size(options.cache_size);
        Ok(pager)
    }

    pub fn page_size(&self) -> usize {
        self.page_size
    }

    pub fn usable_size(&self) -> usize {
        self.usable_size
    }

    /// Pages in the database as this connection sees it: its snapshot's size plus the pages its
    /// write transaction appended. Outside a transaction, as of the last one (a `get` or
    /// `begin_read` refreshes it).
    pub fn page_count(&self) -> PageNo {
        self.page_count
    }

    pub fn is_read_only(&self) -> bool {
        self.read_only
    }

    pub fn in_write_transaction(&self) -> bool {
        self.in_write
    }

    pub fn in_read_transaction(&self) -> bool {
        self.in_read
    }

    /// True when the database commits through a WAL (every file database; not `:memory:`).
    pub fn is_wal(&self) -> bool {
        self.wal.is_some()
    }

    pub fn stats(&self) -> PagerStats {
        self.stats
    }

    pub fn epoch(&self) -> u64 {
        self.epoch
    }

    /// The epoch as the next `get` will see it: starts the read transaction first, since
    /// starting one may drop the cache (another connection committed) and bump the epoch. A
    /// cursor comparing its saved epoch must use this, not `epoch`, before its first `get`.
    #[inline]
    pub fn current_epoch(&mut self) -> Result<u64> {
        if !self.in_read {
            self.begin_read()?;
        }
        Ok(self.epoch)
    }

    /// Tell positioned cursors of this connection that pages changed (every b-tree write).
    pub fn bump_epoch(&mut self) {
        self.epoch += 1;
    }

    /// Let checkpoints copy cached pages known to hold their frame (the default), or make them
    /// read every frame from the WAL (to measure the difference).
    pub fn set_checkpoint_from_cache(&mut self, enabled: bool) {
        self.checkpoint_from_cache = enabled;
    }

    pub fn io(&self) -> &Arc<dyn Io> {
        &self.io
    }

    /// `PRAGMA cache_size`: pages when positive, KiB when negative. A `:memory:` database keeps
    /// the value (it is reported, and sizes the sorters) but not the bound (see `resident`).
    pub fn set_cache_size(&mut self, cache_size: i64) {
        self.cache_size = cache_size;
        let pages = if self.resident {
            usize::MAX
        } else if cache_size >= 0 {
            cache_size.min(1 << 30) as usize
        } else {
            (cache_size.saturating_mul(-1024) / (self.page_size as i64 + PAGE_OVERHEAD))
                .clamp(0, 1 << 30) as usize
        };
        self.cache.set_capacity(pages);
        self.warm_leaves = pages.saturating_mul(self.page_size) > WARM_CACHE_BYTES;
    }

    pub fn cache_size(&self) -> i64 {
        self.cache_size
    }

    pub fn synchronous(&self) -> Synchronous {
        self.synchronous
    }

    /// `PRAGMA synchronous`.
    pub fn set_synchronous(&mut self, synchronous: Synchronous) {
        self.synchronous = synchronous;
    }

    pub fn wal_autocheckpoint(&self) -> u32 {
        self.autocheckpoint
    }

    /// `PRAGMA wal_autocheckpoint`: frames; 0 turns automatic checkpoints off.
    pub fn set_wal_autocheckpoint(&mut self, frames: u32) {
        self.autocheckpoint = frames;
    }

    pub fn busy_timeout(&self) -> Duration {
        self.busy_timeout
    }

    pub fn default_locking_exclusive(&self) -> bool {
        self.default_locking_exclusive
    }

    /// `PRAGMA locking_mode = …` without a schema name (file databases stay exclusive).
    pub fn set_default_locking_exclusive(&mut self, exclusive: bool) {
        self.default_locking_exclusive = exclusive;
    }

    /// `PRAGMA busy_timeout`.
    pub fn set_busy_timeout(&mut self, timeout: Duration) {
        self.busy_timeout = timeout;
    }

    fn check_pgno(&self, pgno: PageNo) -> Result<()> {
        crate::ensure_sound!(
            pgno != 0 && pgno <= self.page_count,
            "page {pgno} out of range 1..={}",
            self.page_count
        );
        Ok(())
    }

    /// The page, from the cache, the WAL or the file. May return `IoPending` (restartable).
    /// Starts a read transaction if none is open. The hit path is small and inlined into
    /// every caller; the miss path is out of line (`get_uncached`).
    #[inline(always)]
    pub fn get(&mut self, pgno: PageNo) -> Result<PageRef> {
        if !self.in_read {
            self.begin_read()?;
        }
        if let Some(page) = self.cache.get(pgno) {
            self.stats.hits += 1;
            return Ok(page);
        }
        self.get_uncached(pgno)
    }

    /// `get` for a page about to be binary-searched (a descent): a leaf found in a large cache
    /// is warmed first (`warm_leaf`).
    #[inline(always)]
    pub fn get_to_search(&mut self, pgno: PageNo) -> Result<PageRef> {
        let page = self.get(pgno)?;
        if self.warm_leaves {
            warm_leaf(pgno, &page.data());
        }
        Ok(page)
    }

    /// The page if it is in the cache, with no I/O and without marking it used: for debug
    /// checks of copies of pages kept elsewhere.
    pub fn cached(&self, pgno: PageNo) -> Option<&PageRef> {
        self.cache.find(pgno)
    }

    /// Run `f` on the page's bytes, from the cache, the WAL or the file. On a cache hit this
    /// creates no page handle (no reference-count traffic), which is what a cursor stepping
    /// along a leaf wants. May return `IoPending` (restartable); `f` runs only once the page is
    /// there. `f` is fallible (parsing page bytes is) and its error is returned as is.
    #[inline(always)]
    pub fn with_page<R>(&mut self, pgno: PageNo, f: impl FnOnce(&[u8]) -> Result<R>) -> Result<R> {
        let mut no_hint = usize::MAX;
        self.with_page_in(pgno, &mut no_hint, false, f)
    }

    /// `with_page` for a page `f` binary-searches (a descent): a leaf found in a large cache is
    /// warmed first (`warm_leaf`).
    #[inline(always)]
    pub fn with_page_to_search<R>(
        &mut self,
        pgno: PageNo,
        f: impl FnOnce(&[u8]) -> Result<R>,
    ) -> Result<R> {
        let mut no_hint = usize::MAX;
        self.with_page_in(pgno, &mut no_hint, self.warm_leaves, f)
    }

    /// `with_page` with a cache slot hint (`PageCache::peek_hinted`), kept by a caller that comes
    /// back to the same page many times in a row.
    #[inline(always)]
    pub fn with_page_hinted<R>(
        &mut self,
        pgno: PageNo,
        hint: &mut usize,
        f: impl FnOnce(&[u8]) -> Result<R>,
    ) -> Result<R> {
        self.with_page_in(pgno, hint, false, f)
    }

    #[inline(always)]
    fn with_page_in<R>(
        &mut self,
        pgno: PageNo,
        hint: &mut usize,
        warm: bool,
        f: impl FnOnce(&[u8]) -> Result<R>,
    ) -> Result<R> {
        if !self.in_read {
            self.begin_read()?;
        }
        // One call site for `f`, so that it inlines here.
        let uncached;
        let page = match self.cache.peek_hinted(pgno, hint) {
            Some(page) => {
                self.stats.hits += 1;
                page
            }
            None => {
                uncached = self.get_uncached(pgno)?;
                &uncached
            }
        };
        let data = page.data();
        if warm {
            warm_leaf(pgno, &data);
        }
        f(&data)
    }

    /// Runs `f` on page `pgno`'s bytes if the cache holds it for the open read transaction;
    /// None otherwise. Never reads, never starts a transaction, never fails: for checks that
    /// only decide whether a cheaper path is worth trying.
    #[inline(always)]
    pub fn with_cached_page<R>(&mut self, pgno: PageNo, f: impl FnOnce(&[u8]) -> R) -> Option<R> {
        if !self.in_read {
            return None;
        }
        let page = self.cache.peek(pgno)?;
        let result = f(&page.data());
        Some(result)
    }

    /// Where page `pgno` of the snapshot lives: a WAL frame (with its tag) or the database file.
    fn page_source(&self, pgno: PageNo) -> Result<(Arc<dyn File>, u64, Option<WalTag>)> {
        if let Some(WalConn {
            shared,
            snapshot: Some(snapshot),
            ..
        }) = &self.wal
        {
            if let Some((file, offset, tag)) = shared.locate(snapshot, pgno)? {
                return Ok((file, offset, Some(tag)));
            }
        }
        Ok((
            self.file.clone(),
            (pgno as u64 - 1) * self.page_size as u64,
            None,
        ))
    }

    #[cold]
    fn get_uncached(&mut self, pgno: PageNo) -> Result<PageRef> {
        self.check_pgno(pgno)?;
        if !self.pending.contains_key(&pgno) {
            self.stats.misses += 1;
            let (file, offset, tag) = self.page_source(pgno)?;
            let buffer = self.cache.take_buffer();
            let completion = file.read(offset, buffer)?;
            // A read the backend finished as it was submitted (memory, synchronous files) is
            // installed at once, never registered as pending.
            if let Some(done) = completion.take() {
                return self.install_read(pgno, done, tag);
            }
            self.pending.insert(pgno, PendingRead { completion, tag });
            self.io.poll()?;
        }
        let Some(done) = self.pending.get(&pgno).and_then(|p| p.completion.take()) else {
            return Err(Error::io_pending());
        };
        let tag = self.pending.remove(&pgno).and_then(|p| p.tag);
        self.install_read(pgno, done, tag)
    }

    /// Puts the page a finished read brought into the cache; a failed or short read enters
    /// nothing.
    fn install_read(
        &mut self,
        pgno: PageNo,
        done: Result<io::IoDone>,
        tag: Option<WalTag>,
    ) -> Result<PageRef> {
        let done = done?;
        let buffer = done
            .buffer
            .ok_or_else(|| Error::io("read returned no buffer"))?;
        // Page 1 of a file shorter than a page is zero-padded (the backends zero the rest).
        if done.len < self.page_size && !(pgno == 1 && done.len >= HEADER_SIZE) {
            self.cache.give_buffer(buffer);
            return Err(Error::corrupt(format!(
                "page {pgno} lies past the end of the file"
            )));
        }
        let page = PageRef::new(pgno, buffer);
        if let Some(tag) = tag {
            page.set_wal_tag(tag);
        }
        self.cache.insert(page.clone());
        Ok(page)
    }

    /// The page, waiting for the read if needed. For the mutation phase of a write, whose pages
    /// were prefetched; a wait here is a missed suspension point, counted as a stall.
    pub fn get_now(&mut self, pgno: PageNo) -> Result<PageRef> {
        loop {
            match self.get(pgno) {
                Err(e) if e.is_io_pending() => {
                    self.stats.stalls += 1;
                    self.io.wait()?;
                }
                result => return result,
            }
        }
    }

    /// Start reads of every listed page not yet cached; `IoPending` until all are cached.
    pub fn prefetch(&mut self, pgnos: &[PageNo]) -> Result<()> {
        let mut pending = false;
        for &pgno in pgnos {
            match self.get(pgno) {
                Ok(_) => {}
                Err(e) if e.is_io_pending() => pending = true,
                Err(e) => return Err(e),
            }
        }
        if pending {
            Err(Error::io_pending())
        } else {
            Ok(())
        }
    }

    /// Forget every read submitted but not collected: the operation that started it is over (its
    /// statement finished or failed, or its read transaction ended). Such a read may still fail,
    /// and that failure belonged to the operation that gave up on it: handed to the next
    /// operation needing the page, it would fail a statement that never met the fault, and a
    /// page would seem broken until read twice. Forgotten, the next `get` reads the page again.
    /// The backend still finishes the abandoned reads; their buffers are dropped with them.
    pub fn abandon_reads(&mut self) {
        if !self.pending.is_empty() {
            self.pending.clear();
        }
    }

    /// Start a read transaction: pin the latest snapshot. Drops the cache if another connection
    /// committed since it was filled. Never does I/O.
    pub fn begin_read(&mut self) -> Result<()> {
        if self.in_read {
            return Ok(());
        }
        if self.closed {
            return Err(Error::misuse("pager used after close"));
        }
        if let Some(wal) = &mut self.wal {
            let snapshot = wal.shared.begin_read(wal.id)?;
            wal.snapshot = Some(snapshot);
            let changed = snapshot.commits != wal.seen_commits;
            wal.seen_commits = snapshot.commits;
            self.adopt_snapshot(snapshot, changed);
        }
        self.in_read = true;
        Ok(())
    }

    fn adopt_snapshot(&mut self, snapshot: Snapshot, changed: bool) {
        if changed {
            debug_assert!(!self.in_write);
            self.cache.clear();
            self.abandon_reads();
            self.epoch += 1;
        }
        self.page_count = snapshot.db_size;
        self.committed_page_count = snapshot.db_size;
    }

    /// End the read transaction (a no-op inside a write transaction: commit or roll back).
    /// Reads it left in flight are abandoned with it.
    pub fn end_read(&mut self) {
        if !self.in_read || self.in_write {
            return;
        }
        self.abandon_reads();
        if let Some(wal) = &mut self.wal {
            wal.shared.end_read(wal.id);
            wal.snapshot = None;
        }
        self.in_read = false;
    }

    /// The schema cookie of the snapshot, what every statement checks as it starts (SQLite's
    /// OP_Transaction). The header is parsed, and so checked, as `header` does, but only when
    /// page 1's bytes may have changed since it last was: a reused statement then reads the
    /// four bytes alone.
    pub fn schema_cookie(&mut self) -> Result<u32> {
        self.begin_read()?;
        if self.page_count == 0 {
            return Ok(DatabaseHeader::new(self.page_size).schema_cookie);
        }
        // Borrowed from the cache, not cloned: no reference-count traffic per statement run.
        let uncached;
        let page_one = match self.cache.peek(1) {
            Some(page) => {
                self.stats.hits += 1;
                page
            }
            None => {
                uncached = self.get(1)?;
                &uncached
            }
        };
        let writes = page_one.write_count();
        let seen = matches!(
            &self.header_checked,
            Some((checked, at)) if checked.as_ptr() == Arc::as_ptr(&page_one.0) && *at == writes
        );
        let data = page_one.data();
        if !seen {
            let header = DatabaseHeader::parse(&data)?;
            self.header_checked = Some((Arc::downgrade(&page_one.0), writes));
            return Ok(header.schema_cookie);
        }
        match data.get(40..44) {
            Some(&[b0, b1, b2, b3]) => Ok(u32::from_be_bytes([b0, b1, b2, b3])),
            _ => Err(Error::corrupt("page 1 shorter than the database header")),
        }
    }

    /// The database header as of now (page 1), or a new database's header if there is none.
    pub fn header(&mut self) -> Result<DatabaseHeader> {
        self.begin_read()?;
        if self.page_count == 0 {
            return Ok(DatabaseHeader::new(self.page_size));
        }
        let page_one = self.get(1)?;
        let header = DatabaseHeader::parse(&page_one.data())?;
        Ok(header)
    }
}

/// Loads one byte of every cache line of `data` if it is a b-tree leaf, the page a descent
/// searches last and the likeliest to be cold in a large cache: the loads do not depend on one
/// another, so the CPU has the whole page coming at once, where a binary search alone would
/// wait for one line after another (each probe's address comes from the previous line). This
/// is what the copy out of the file on a cache miss used to do as a side effect; it made a
/// lookup in a small cache faster than one in a cache holding every page (170 against 133 ms
/// for 100k random lookups in 1M rows). Interior pages are few and stay warm.
#[inline(always)]
fn warm_leaf(pgno: PageNo, data: &[u8]) {
    let header_at = if pgno == 1 { HEADER_SIZE } else { 0 };
    if matches!(data.get(header_at), Some(10 | 13)) {
        let mut lines = 0u8;
        for line in data.chunks_exact(64) {
            lines ^= line[0];
        }
        std::hint::black_box(lines);
    }
}

/// `:memory:` (or ""): a private database with no WAL.
fn is_memory_path(path: &Path) -> bool {
    path == Path::new(":memory:") || path.as_os_str().is_empty()
}

/// The database header's facts (`page_size` for an empty file). Runs once this process holds
/// the file's lock, so no other process is writing the header meanwhile.
fn read_facts(io: &dyn Io, file: &Arc<dyn File>, page_size: usize) -> Result<DbFacts> {
    let file_size = file.size()?;
    if file_size == 0 {
        return Ok(DbFacts {
            page_size,
            usable_size: page_size,
            page_count: 0,
            empty: true,
            wal_mode: false,
        });
    }
    let buffer = vec![0u8; HEADER_SIZE].into_boxed_slice();
    let done = io::run_to_completion(io, file.read(0, buffer)?)?;
    let bytes = done.buffer.unwrap_or_default();
    if done.len < HEADER_SIZE {
        return Err(Error {
            detail: Some("file shorter than its header".into()),
            ..Error::code(ErrorCode::NotADb)
        });
    }
    let header = DatabaseHeader::parse(&bytes)?;
    if header.text_encoding != TextEncoding::Utf8 {
        return Err(Error::not_supported("UTF-16 databases"));
    }
    Ok(DbFacts {
        page_size: header.page_size,
        usable_size: header.usable_size(),
        // A file shorter than one page still holds page 1 (zero-padded), as in SQLite.
        page_count: header.page_count(file_size).max(1),
        empty: false,
        wal_mode: header.is_wal(),
    })
}

/// A hot rollback journal left by a crashed SQLite process must be rolled back before the
/// database is read; Basalt cannot do that yet, so it refuses to open rather than show a
/// half-written state.
fn refuse_hot_journal(io: &dyn Io, path: &Path) -> Result<()> {
    if is_memory_path(path) {
        return Ok(());
    }
    let journal = io::sibling(path, "-journal");
    if io.exists(&journal)? {
        let file = io.open(
            &journal,
            OpenFlags {
                read_only: true,
                create: false,
            },
        )?;
        let done = io::run_to_completion(io, file.read(0, vec![0u8; 8].into_boxed_slice())?)?;
        const JOURNAL_MAGIC: [u8; 8] = [0xd9, 0xd5, 0x05, 0xf9, 0x20, 0xa1, 0x63, 0xd7];
        if done.len == 8 && done.buffer.as_deref() == Some(&JOURNAL_MAGIC[..]) {
            return Err(Error::not_supported("recovering a hot rollback journal"));
        }
    }
    Ok(())
}

impl Drop for Pager {
    fn drop(&mut self) {
        let _ = self.close_inner();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pager_on(io: Arc<dyn Io>, cache_size: i64) -> Pager {
        let options = PagerOptions {
            page_size: 512,
            cache_size,
            ..PagerOptions::default()
        };
        Pager::open(io, "test.db", &options).unwrap()
    }

    fn fill_pages(pager: &mut Pager, count: u32) {
        pager.begin_write().unwrap();
        while pager.page_count() < count {
            let page = pager.append_page().unwrap();
            page.data_mut()[200] = page.pgno() as u8;
        }
        pager.commit().unwrap();
    }

    #[test]
    fn deferred_reads_are_restartable() {
        let io: Arc<dyn Io> = Arc::new(MemoryIo::deferred());
        let mut writer = pager_on(io.clone(), 100);
        fill_pages(&mut writer, 20);
        let mut reader = pager_on(io.clone(), 100);
        assert_eq!(reader.page_count(), 20);
        let err = reader.get(7).unwrap_err();
        assert!(err.is_io_pending());
        assert!(
            reader.get(7).unwrap_err().is_io_pending(),
            "still pending until the backend runs"
        );
        io.wait().unwrap();
        assert_eq!(reader.get(7).unwrap().data()[200], 7);
        assert_eq!(
            reader.stats().misses,
            1,
            "the retried read was not submitted twice"
        );
        assert!(reader.prefetch(&[2, 3, 4]).unwrap_err().is_io_pending());
        io.wait().unwrap();
        reader.prefetch(&[2, 3, 4]).unwrap();
        assert_eq!(reader.stats().stalls, 0);
        assert_eq!(reader.get_now(9).unwrap().data()[200], 9);
        assert_eq!(reader.stats().stalls, 1);
    }

    #[test]
    fn rollback_forgets_changes_and_growth() {
        let io: Arc<dyn Io> = Arc::new(MemoryIo::new());
        let mut pager = pager_on(io, 100);
        fill_pages(&mut pager, 5);
        pager.begin_write().unwrap();
        let page = pager.get(3).unwrap();
        pager.make_writable(&page).unwrap();
        page.data_mut()[200] = 99;
        drop(page);
        pager.append_page().unwrap();
        assert_eq!(pager.page_count(), 6);
        pager.rollback();
        assert_eq!(pager.page_count(), 5);
        assert_eq!(pager.get(3).unwrap().data()[200], 3);
    }

    #[test]
    fn cache_stays_bounded_while_scanning() {
        let io: Arc<dyn Io> = Arc::new(MemoryIo::new());
        let mut pager = pager_on(io, 16);
        fill_pages(&mut pager, 200);
        for pgno in 2..=200 {
            assert_eq!(pager.get(pgno).unwrap().data()[200], pgno as u8);
        }
        assert!(pager.cache.len() <= 16);
        let before = pager.stats().misses;
        pager.get(200).unwrap();
        assert_eq!(pager.stats().misses, before, "a cached page is a hit");
    }

    #[test]
    fn a_memory_database_keeps_every_page_cached_and_still_rolls_back() {
        let mut pager = Pager::open_memory(512).unwrap();
        pager.set_cache_size(16);
        fill_pages(&mut pager, 200);
        assert_eq!(pager.cache_size(), 16, "the setting is kept and reported");
        for pgno in 2..=200 {
            assert_eq!(pager.get(pgno).unwrap().data()[200], pgno as u8);
        }
        assert_eq!(pager.cache.len(), 200);
        let misses = pager.stats().misses;
        for pgno in 2..=200 {
            pager
                .with_page_to_search(pgno, |data| Ok(data[200]))
                .unwrap();
        }
        assert_eq!(pager.stats().misses, misses, "every page is a hit");
        // A rollback forgets the changed page; the committed one is read back from the file.
        pager.begin_write().unwrap();
        let page = pager.get(150).unwrap();
        pager.make_writable(&page).unwrap();
        page.data_mut()[200] = 99;
        drop(page);
        let level = pager.savepoint().unwrap();
        pager.get_for_overwrite(160).unwrap();
        pager.rollback_to(level).unwrap();
        assert_eq!(pager.get(160).unwrap().data()[200], 160);
        pager.rollback();
        assert_eq!(pager.get(150).unwrap().data()[200], 150);
        assert_eq!(pager.cache.len(), 200);
    }

    #[test]
    fn the_schema_cookie_follows_every_change_to_page_one() {
        let mut pager = Pager::open_memory(512).unwrap();
        fill_pages(&mut pager, 3);
        let cookie = pager.header().unwrap().schema_cookie;
        assert_eq!(pager.schema_cookie().unwrap(), cookie);
        assert_eq!(
            pager.schema_cookie().unwrap(),
            cookie,
            "read again, unparsed"
        );
        pager.begin_write().unwrap();
        let page_one = pager.get(1).unwrap();
        pager.make_writable(&page_one).unwrap();
        page_one.data_mut()[40..44].copy_from_slice(&(cookie + 7).to_be_bytes());
        assert_eq!(pager.schema_cookie().unwrap(), cookie + 7);
        page_one.data_mut()[0] = b'X';
        assert_eq!(
            pager.schema_cookie().unwrap_err().code,
            ErrorCode::NotADb,
            "changed bytes are checked again"
        );
        drop(page_one);
        pager.rollback();
        assert_eq!(pager.schema_cookie().unwrap(), cookie);
    }

    #[test]
    fn commit_stamps_the_header_as_sqlite_does() {
        let memory = Arc::new(MemoryIo::new());
        let mut pager = pager_on(memory.clone(), 100);
        fill_pages(&mut pager, 3);
        assert_eq!(
            memory.file_bytes("test.db").unwrap().len(),
            512,
            "only the empty first page went to the file; the rest is in the WAL"
        );
        assert!(memory.file_bytes("test.db-wal").unwrap().len() > 32);
        drop(pager);
        assert!(
            memory.file_bytes("test.db-wal").is_none(),
            "the last close checkpoints and deletes the WAL"
        );
        let bytes = memory.file_bytes("test.db").unwrap();
        assert_eq!(bytes.len(), 3 * 512);
        let header = DatabaseHeader::parse(&bytes).unwrap();
        assert_eq!(header.database_size, 3);
        assert_eq!((header.write_version, header.read_version), (2, 2));
        assert_eq!(header.change_counter, header.version_valid_for);
        assert_eq!(header.sqlite_version, format::SQLITE_VERSION_NUMBER);
    }

    #[test]
    fn savepoints_restore_exactly() {
        let io: Arc<dyn Io> = Arc::new(MemoryIo::new());
        let mut pager = pager_on(io, 100);
        fill_pages(&mut pager, 5);
        pager.begin_write().unwrap();
        let write = |pager: &mut Pager, pgno: PageNo, value: u8| {
            let page = pager.get(pgno).unwrap();
            pager.make_writable(&page).unwrap();
            page.data_mut()[200] = value;
        };
        let read = |pager: &mut Pager, pgno: PageNo| pager.get(pgno).unwrap().data()[200];
        write(&mut pager, 2, 20);
        let outer = pager.savepoint().unwrap();
        write(&mut pager, 2, 21);
        write(&mut pager, 3, 31);
        let inner = pager.savepoint().unwrap();
        write(&mut pager, 3, 32);
        write(&mut pager, 4, 42);
        pager.append_page().unwrap();
        assert_eq!(pager.page_count(), 6);
        let epoch = pager.epoch();
        pager.rollback_to(inner).unwrap();
        assert!(pager.epoch() > epoch);
        assert_eq!(
            (
                read(&mut pager, 2),
                read(&mut pager, 3),
                read(&mut pager, 4)
            ),
            (21, 31, 4)
        );
        assert_eq!(pager.page_count(), 5);
        write(&mut pager, 4, 43);
        pager.release(inner).unwrap();
        pager.rollback_to(outer).unwrap();
        assert_eq!(
            (
                read(&mut pager, 2),
                read(&mut pager, 3),
                read(&mut pager, 4)
            ),
            (20, 3, 4)
        );
        assert!(!pager.get(3).unwrap().is_dirty(), "clean again");
        write(&mut pager, 5, 55);
        pager.release(outer).unwrap();
        pager.commit().unwrap();
        assert_eq!((read(&mut pager, 2), read(&mut pager, 5)), (20, 55));
    }

    #[test]
    fn a_second_writer_is_busy_and_a_stale_reader_cannot_write() {
        let io: Arc<dyn Io> = Arc::new(MemoryIo::new());
        let mut one = pager_on(io.clone(), 100);
        fill_pages(&mut one, 3);
        let mut two = pager_on(io.clone(), 100);
        one.begin_write().unwrap();
        let err = two.begin_write().unwrap_err();
        assert_eq!(err.code, ErrorCode::Busy);
        assert_eq!(err.message, "database is locked");
        two.begin_read().unwrap();
        let page = one.get(2).unwrap();
        one.make_writable(&page).unwrap();
        page.data_mut()[200] = 99;
        drop(page);
        one.commit().unwrap();
        assert_eq!(two.get(2).unwrap().data()[200], 2, "two keeps its snapshot");
        assert_eq!(two.begin_write().unwrap_err().code, ErrorCode::Busy);
        two.end_read();
        assert_eq!(
            two.get(2).unwrap().data()[200],
            99,
            "a new snapshot sees the commit"
        );
        two.begin_write().unwrap();
        two.rollback();
    }

    #[test]
    fn a_page_changed_while_its_frame_was_written_gets_no_tag() {
        let tag = WalTag {
            frame: 7,
            generation: 3,
        };
        let pages: Vec<PageRef> = (2..=3)
            .map(|pgno| PageRef::new(pgno, vec![0u8; 512].into_boxed_slice()))
            .collect();
        for page in &pages {
            page.set_dirty(true);
        }
        let stamps: Vec<u32> = pages.iter().map(PageRef::write_count).collect();
        // Page 3 changes after its frame was encoded, before the append completed.
        pages[1].data_mut()[0] = 1;
        txn::settle_committed(&pages, &stamps, Some(tag));
        assert_eq!(pages[0].wal_tag(), Some(tag));
        assert_eq!(pages[1].wal_tag(), None);
        assert!(pages.iter().all(|p| !p.is_dirty()));
    }

    #[test]
    fn out_of_range_pages_are_corruption() {
        let mut pager = Pager::open_memory(512).unwrap();
        assert!(pager.get(0).unwrap_err().is_corrupt());
        assert!(pager.get(1).unwrap_err().is_corrupt());
    }
}
