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
//! be run again (see ARCHITECTURE.md). `get_now` waits instead; it is for the mutation phase of a
//! b-tree write, whose pages were all prefetched, so it only waits when a prefetch missed a page
//! (counted in `stats().stalls`).
//!
//! # Transactions (before the write-ahead log)
//! Changed pages stay in the cache, dirty and pinned there, until commit writes them to the file
//! and syncs it; rollback simply forgets them, so the file never sees an uncommitted change.
//! Until the WAL lands, a crash *during* commit can leave the file half-written: ARCHITECTURE.md
//! says so, and the WAL issue removes the gap.
//!
//! # Invariants
//! - A page in the cache has exactly `page_size` bytes, and equals the file's bytes unless dirty.
//! - `page_count >= committed_page_count` only grows inside a write transaction; rollback restores it.
//! - The lock-byte page (the one holding file offset 2^30) is never handed out by `append_page`.

mod cache;
mod page;

pub use cache::{PgnoHasher, PgnoMap};
pub use page::{PageData, PageDataMut, PageNo, PageRef};

use crate::error::{Error, ErrorCode, Result};
use crate::format::{self, DatabaseHeader, TextEncoding, HEADER_SIZE};
use crate::io::{self, Completion, File, Io, MemoryIo, OpenFlags};
use cache::PageCache;
use std::sync::Arc;

/// SQLite's default `cache_size`: -2000, i.e. about 2000 KiB of pages.
pub const DEFAULT_CACHE_SIZE: i64 = -2000;
/// SQLite's estimate of the per-page bookkeeping when sizing the cache in KiB.
const PAGE_OVERHEAD: i64 = 256;

#[derive(Debug, Clone)]
pub struct PagerOptions {
    /// Page size for a new database; an existing file keeps its own.
    pub page_size: usize,
    pub read_only: bool,
    /// `PRAGMA cache_size` semantics: pages if positive, KiB if negative.
    pub cache_size: i64,
}

impl Default for PagerOptions {
    fn default() -> Self {
        PagerOptions {
            page_size: format::DEFAULT_PAGE_SIZE,
            read_only: false,
            cache_size: DEFAULT_CACHE_SIZE,
        }
    }
}

/// Counters for tests and benchmarks.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct PagerStats {
    pub hits: u64,
    pub misses: u64,
    pub pages_written: u64,
    pub syncs: u64,
    /// `get_now` calls that had to wait: a write's prefetch missed a page.
    pub stalls: u64,
}

struct PendingRead {
    completion: Completion,
}

pub struct Pager {
    io: Arc<dyn Io>,
    file: Arc<dyn File>,
    page_size: usize,
    usable_size: usize,
    read_only: bool,
    /// Pages in the file as of the last commit.
    committed_page_count: PageNo,
    /// Pages including those appended by the open write transaction.
    page_count: PageNo,
    in_write: bool,
    cache: PageCache,
    cache_size: i64,
    pending: PgnoMap<PendingRead>,
    stats: PagerStats,
    /// Bumped whenever pages may change under cursors' feet other than through a b-tree write
    /// (rollback), so positioned cursors know to re-seek.
    epoch: u64,
}

impl Pager {
    /// Open (or create) a database file through `io`.
    pub fn open(io: Arc<dyn Io>, path: &str, options: &PagerOptions) -> Result<Pager> {
        refuse_unsupported_companions(io.as_ref(), path)?;
        let flags = OpenFlags {
            read_only: options.read_only,
            create: !options.read_only,
        };
        let file = io.open(path, flags)?;
        Pager::with_file(io, file, options)
    }

    /// A fresh in-memory database.
    pub fn open_memory(page_size: usize) -> Result<Pager> {
        let options = PagerOptions {
            page_size,
            ..PagerOptions::default()
        };
        Pager::open(Arc::new(MemoryIo::new()), ":memory:", &options)
    }

    fn with_file(io: Arc<dyn Io>, file: Arc<dyn File>, options: &PagerOptions) -> Result<Pager> {
        if !format::is_valid_page_size(options.page_size) {
            return Err(Error::misuse(format!(
                "invalid page size {}",
                options.page_size
            )));
        }
        let file_size = file.size()?;
        let (page_size, usable_size, page_count) = if file_size == 0 {
            (options.page_size, options.page_size, 0)
        } else {
            let buffer = vec![0u8; HEADER_SIZE].into_boxed_slice();
            let done = io::run_to_completion(io.as_ref(), file.read(0, buffer)?)?;
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
            (
                header.page_size,
                header.usable_size(),
                header.page_count(file_size),
            )
        };
        let mut pager = Pager {
            io,
            file,
            page_size,
            usable_size,
            read_only: options.read_only,
            committed_page_count: page_count,
            page_count,
            in_write: false,
            cache: PageCache::new(page_size, 0),
            cache_size: options.cache_size,
            pending: PgnoMap::default(),
            stats: PagerStats::default(),
            epoch: 0,
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

    pub fn page_count(&self) -> PageNo {
        self.page_count
    }

    pub fn is_read_only(&self) -> bool {
        self.read_only
    }

    pub fn in_write_transaction(&self) -> bool {
        self.in_write
    }

    pub fn stats(&self) -> PagerStats {
        self.stats
    }

    pub fn epoch(&self) -> u64 {
        self.epoch
    }

    pub fn io(&self) -> &Arc<dyn Io> {
        &self.io
    }

    /// `PRAGMA cache_size`: pages when positive, KiB when negative.
    pub fn set_cache_size(&mut self, cache_size: i64) {
        self.cache_size = cache_size;
        let pages = if cache_size >= 0 {
            cache_size
        } else {
            cache_size.saturating_mul(-1024) / (self.page_size as i64 + PAGE_OVERHEAD)
        };
        self.cache.set_capacity(pages.clamp(0, 1 << 30) as usize);
    }

    pub fn cache_size(&self) -> i64 {
        self.cache_size
    }

    fn check_pgno(&self, pgno: PageNo) -> Result<()> {
        crate::ensure_sound!(
            pgno != 0 && pgno <= self.page_count,
            "page {pgno} out of range 1..={}",
            self.page_count
        );
        Ok(())
    }

    /// The page, from the cache or the file. May return `IoPending` (restartable).
    #[inline]
    pub fn get(&mut self, pgno: PageNo) -> Result<PageRef> {
        if let Some(page) = self.cache.get(pgno) {
            self.stats.hits += 1;
            return Ok(page);
        }
        self.get_uncached(pgno)
    }

    #[cold]
    fn get_uncached(&mut self, pgno: PageNo) -> Result<PageRef> {
        self.check_pgno(pgno)?;
        if !self.pending.contains_key(&pgno) {
            self.stats.misses += 1;
            let buffer = self.cache.take_buffer();
            let offset = (pgno as u64 - 1) * self.page_size as u64;
            let completion = self.file.read(offset, buffer)?;
            self.pending.insert(pgno, PendingRead { completion });
            self.io.poll()?;
        }
        let Some(done) = self.pending.get(&pgno).and_then(|p| p.completion.take()) else {
            return Err(Error::io_pending());
        };
        self.pending.remove(&pgno);
        let done = done?;
        let buffer = done
            .buffer
            .ok_or_else(|| Error::io("read returned no buffer"))?;
        if done.len < self.page_size {
            self.cache.give_buffer(buffer);
            return Err(Error::corrupt(format!(
                "page {pgno} lies past the end of the file"
            )));
        }
        let page = PageRef::new(pgno, buffer);
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

    pub fn begin_write(&mut self) -> Result<()> {
        if self.read_only {
            return Err(Error::code(ErrorCode::ReadOnly));
        }
        if self.in_write {
            return Ok(());
        }
        if self.committed_page_count > 0 {
            let page_one = self.get_now(1)?;
            let header = DatabaseHeader::parse(&page_one.data())?;
            if header.is_auto_vacuum() {
                return Err(Error::not_supported("writing to auto-vacuum databases"));
            }
        }
        self.in_write = true;
        if self.page_count == 0 {
            self.init_new_database()?;
        }
        Ok(())
    }

    /// Page 1 of a new database: the header, then an empty table-leaf b-tree (the schema table).
    fn init_new_database(&mut self) -> Result<()> {
        let page = self.append_page()?;
        debug_assert_eq!(page.pgno(), 1);
        let mut data = page.data_mut();
        DatabaseHeader::new(self.page_size).write(&mut data);
        const TABLE_LEAF: u8 = 13;
        data[HEADER_SIZE] = TABLE_LEAF;
        let content_start = if self.usable_size == 65536 {
            0
        } else {
            self.usable_size as u16
        };
        data[HEADER_SIZE + 5..HEADER_SIZE + 7].copy_from_slice(&content_start.to_be_bytes());
        Ok(())
    }

    /// Mark a page as changed by the open write transaction.
    pub fn make_writable(&mut self, page: &PageRef) -> Result<()> {
        if !self.in_write {
            return Err(Error::misuse("page written outside a write transaction"));
        }
        debug_assert!(page.pgno() <= self.page_count);
        page.set_dirty(true);
        Ok(())
    }

    /// A new zero-filled page at the end of the file, already writable.
    pub fn append_page(&mut self) -> Result<PageRef> {
        if !self.in_write {
            return Err(Error::misuse("page appended outside a write transaction"));
        }
        let mut pgno = self
            .page_count
            .checked_add(1)
            .ok_or_else(|| Error::code(ErrorCode::Full))?;
        if pgno == format::lock_byte_page(self.page_size) {
            pgno += 1;
        }
        let mut buffer = self.cache.take_buffer();
        buffer.fill(0);
        self.page_count = pgno;
        let page = PageRef::new(pgno, buffer);
        page.set_dirty(true);
        self.cache.insert(page.clone());
        Ok(page)
    }

    /// Write every dirty page to the file, then sync it.
    pub fn commit(&mut self) -> Result<()> {
        if !self.in_write {
            return Ok(());
        }
        let mut dirty = self.cache.dirty_pages();
        if !dirty.is_empty() {
            self.stamp_header()?;
            dirty = self.cache.dirty_pages();
            dirty.sort_by_key(|p| p.pgno());
            self.write_pages(&dirty)?;
            let sync = self.file.sync()?;
            io::run_to_completion(self.io.as_ref(), sync)?;
            self.stats.syncs += 1;
            for page in dirty {
                page.set_dirty(false);
            }
        }
        self.committed_page_count = self.page_count;
        self.in_write = false;
        self.cache.shrink_to_capacity();
        Ok(())
    }

    /// The header fields every commit updates, as SQLite does in rollback-journal mode.
    fn stamp_header(&mut self) -> Result<()> {
        let page_one = self.get_now(1)?;
        self.make_writable(&page_one)?;
        let mut data = page_one.data_mut();
        let counter = u32::from_be_bytes([data[24], data[25], data[26], data[27]]).wrapping_add(1);
        data[24..28].copy_from_slice(&counter.to_be_bytes());
        data[28..32].copy_from_slice(&self.page_count.to_be_bytes());
        data[92..96].copy_from_slice(&counter.to_be_bytes());
        data[96..100].copy_from_slice(&format::SQLITE_VERSION_NUMBER.to_be_bytes());
        Ok(())
    }

    fn write_pages(&mut self, pages: &[PageRef]) -> Result<()> {
        let mut completions = Vec::with_capacity(pages.len());
        for page in pages {
            let mut buffer = self.cache.take_buffer();
            buffer.copy_from_slice(&page.data());
            let offset = (page.pgno() as u64 - 1) * self.page_size as u64;
            completions.push(self.file.write(offset, buffer)?);
        }
        let mut first_error = None;
        for completion in completions {
            match io::run_to_completion(self.io.as_ref(), completion) {
                Ok(done) => {
                    if let Some(buffer) = done.buffer {
                        self.cache.give_buffer(buffer);
                    }
                    self.stats.pages_written += 1;
                }
                Err(e) => first_error = first_error.or(Some(e)),
            }
        }
        first_error.map_or(Ok(()), Err)
    }

    /// Forget every change of the open write transaction.
    pub fn rollback(&mut self) {
        for page in self.cache.dirty_pages() {
            page.set_dirty(false);
            if let Some(cached) = self.cache.remove(page.pgno()) {
                drop(page);
                self.cache.recycle(cached);
            }
        }
        self.page_count = self.committed_page_count;
        self.in_write = false;
        self.epoch += 1;
        self.cache.shrink_to_capacity();
    }

    /// The database header as of now (page 1), or a new database's header if the file is empty.
    pub fn header(&mut self) -> Result<DatabaseHeader> {
        if self.page_count == 0 {
            return Ok(DatabaseHeader::new(self.page_size));
        }
        let page_one = self.get(1)?;
        let header = DatabaseHeader::parse(&page_one.data())?;
        Ok(header)
    }
}

/// Companion files Basalt cannot honour yet: using the database without them would show a
/// wrong state, so opening is refused with a clear error instead.
fn refuse_unsupported_companions(io: &dyn Io, path: &str) -> Result<()> {
    if path == ":memory:" || path.is_empty() {
        return Ok(());
    }
    let wal = format!("{path}-wal");
    if io.exists(&wal)?
        && io
            .open(
                &wal,
                OpenFlags {
                    read_only: true,
                    create: false,
                },
            )?
            .size()?
            > 0
    {
        return Err(Error::not_supported(
            "opening a database whose -wal file holds frames",
        ));
    }
    let journal = format!("{path}-journal");
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
    fn commit_stamps_the_header_as_sqlite_does() {
        let memory = Arc::new(MemoryIo::new());
        let mut pager = pager_on(memory.clone(), 100);
        fill_pages(&mut pager, 3);
        let bytes = memory.file_bytes("test.db").unwrap();
        assert_eq!(bytes.len(), 3 * 512);
        let header = DatabaseHeader::parse(&bytes).unwrap();
        assert_eq!(header.database_size, 3);
        assert_eq!(header.change_counter, header.version_valid_for);
        assert_eq!(header.sqlite_version, format::SQLITE_VERSION_NUMBER);
    }

    #[test]
    fn out_of_range_pages_are_corruption() {
        let mut pager = Pager::open_memory(512).unwrap();
        assert!(pager.get(0).unwrap_err().is_corrupt());
        assert!(pager.get(1).unwrap_err().is_corrupt());
    }
}
