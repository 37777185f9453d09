//! Write transactions, savepoints, checkpoints and closing (see the pager's module comment).

use super::{PageCache, Pager, Savepoint, WalConn};
use crate::error::{Error, ErrorCode, Result};
use crate::format::{self, DatabaseHeader, HEADER_SIZE};
use crate::io;
use crate::pager::{PageData, PageNo, PageRef, PgnoMap, WalTag};
use crate::wal::{CheckpointMode, CheckpointResult, CheckpointTarget, Synchronous, UsePages};
use std::time::Duration;

/// How `BEGIN` starts a transaction. In WAL mode EXCLUSIVE is IMMEDIATE, as in SQLite.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransactionKind {
    /// Nothing until the first read (a snapshot) or write (the writer lock).
    Deferred,
    /// Take the writer lock now.
    Immediate,
    Exclusive,
}

const TABLE_LEAF: u8 = 13;

impl Pager {
    /// `BEGIN DEFERRED | IMMEDIATE | EXCLUSIVE`. On a read-only connection IMMEDIATE and
    /// EXCLUSIVE succeed as SQLite's do, pinning a read snapshot; the first write then fails.
    pub fn begin(&mut self, kind: TransactionKind) -> Result<()> {
        match kind {
            TransactionKind::Deferred => Ok(()),
            TransactionKind::Immediate | TransactionKind::Exclusive if self.read_only => {
                self.begin_read()
            }
            TransactionKind::Immediate | TransactionKind::Exclusive => self.begin_write(),
        }
    }

    /// Start a write transaction: take the writer lock, on top of the current read snapshot,
    /// which must be the latest (else `SQLITE_BUSY` at once). Waits up to `busy_timeout` for
    /// the lock only outside a read transaction.
    pub fn begin_write(&mut self) -> Result<()> {
        if self.read_only {
            return Err(Error::code(ErrorCode::ReadOnly));
        }
        if self.in_write {
            return Ok(());
        }
        if self.closed {
            return Err(Error::misuse("pager used after close"));
        }
        if let Some(wal) = &mut self.wal {
            // As SQLite's busy handler: only a connection that is not reading waits for the
            // lock. One that is keeps its snapshot, which waiting could only make stale.
            let (current, timeout) = if self.in_read {
                (wal.snapshot, Duration::ZERO)
            } else {
                (None, self.busy_timeout)
            };
            let snapshot = wal.shared.begin_write(wal.id, current, timeout)?;
            wal.snapshot = Some(snapshot);
            let changed = snapshot.commits != wal.seen_commits;
            wal.seen_commits = snapshot.commits;
            self.adopt_snapshot(snapshot, changed);
            self.in_read = true;
        }
        self.in_write = true;
        if let Err(e) = self.check_writable() {
            self.rollback();
            return Err(e);
        }
        if self.page_count == 0 {
            self.init_new_database()?;
        }
        Ok(())
    }

    fn check_writable(&mut self) -> Result<()> {
        if self.committed_page_count > 0 {
            let page_one = self.get_now(1)?;
            let header = DatabaseHeader::parse(&page_one.data())?;
            if header.is_auto_vacuum() {
                return Err(Error::not_supported("writing to auto-vacuum databases"));
            }
        }
        Ok(())
    }

    /// Page 1 of an empty database: the header, then an empty table-leaf b-tree (the schema).
    pub(crate) fn empty_page_one(&self, out: &mut [u8]) {
        out.fill(0);
        let mut header = DatabaseHeader::new(self.page_size);
        if self.wal.is_some() {
            header.write_version = 2;
            header.read_version = 2;
        }
        header.write(out);
        out[HEADER_SIZE] = TABLE_LEAF;
        let content_start = if self.usable_size == 65536 {
            0
        } else {
            self.usable_size as u16
        };
        out[HEADER_SIZE + 5..HEADER_SIZE + 7].copy_from_slice(&content_start.to_be_bytes());
    }

    fn init_new_database(&mut self) -> Result<()> {
        let page = self.append_page()?;
        debug_assert_eq!(page.pgno(), 1);
        let mut data = page.data_mut();
        self.empty_page_one(&mut data);
        Ok(())
    }

    /// Mark a page as changed by the open write transaction. The first time in a savepoint,
    /// keeps a copy of its image so that `rollback_to` can restore it.
    pub fn make_writable(&mut self, page: &PageRef) -> Result<()> {
        if !self.in_write {
            return Err(Error::misuse("page written outside a write transaction"));
        }
        debug_assert!(page.pgno() <= self.page_count);
        let pgno = page.pgno();
        let needs_image = self
            .savepoints
            .last()
            .is_some_and(|sp| pgno <= sp.page_count && !sp.images.contains_key(&pgno));
        if needs_image {
            let mut copy = self.cache.take_buffer();
            copy.copy_from_slice(&page.data());
            if let Some(sp) = self.savepoints.last_mut() {
                sp.images.insert(pgno, (Some(copy), page.is_dirty()));
            }
        }
        // From here on the bytes are no committed frame's.
        page.clear_wal_tag();
        page.set_dirty(true);
        Ok(())
    }

    fn give_image(&mut self, image: Option<io::Buffer>) {
        if let Some(image) = image {
            self.cache.give_buffer(image);
        }
    }

    /// A page whose old bytes mean nothing (a free page being reused): zero-filled, writable,
    /// and never read from the WAL or the file when not cached. Needs a write transaction.
    pub fn get_for_overwrite(&mut self, pgno: PageNo) -> Result<PageRef> {
        if !self.in_write {
            return Err(Error::misuse(
                "page overwritten outside a write transaction",
            ));
        }
        self.check_pgno(pgno)?;
        let page = match self.cache.get(pgno) {
            Some(page) => page,
            None => {
                // A read of it still in flight is moot: its bytes would be thrown away.
                self.pending.remove(&pgno);
                if let Some(sp) = self.savepoints.last_mut() {
                    if pgno <= sp.page_count {
                        sp.images.insert(pgno, (None, false));
                    }
                }
                let page = PageRef::new(pgno, self.cache.take_buffer());
                self.cache.insert(page.clone());
                page
            }
        };
        self.make_writable(&page)?;
        page.data_mut().fill(0);
        Ok(page)
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
        if let Some(stale) = self.cache.remove(pgno) {
            // A page past the end left by a savepoint rollback: never valid data.
            self.cache.recycle(stale);
        }
        let page = PageRef::new(pgno, buffer);
        page.set_dirty(true);
        self.cache.insert(page.clone());
        Ok(page)
    }

    /// Shortens the database to its first `pages` pages when the write transaction commits
    /// (VACUUM). Pages past the end are forgotten; a rollback brings them back.
    pub fn truncate(&mut self, pages: PageNo) -> Result<()> {
        if !self.in_write {
            return Err(Error::misuse("database truncated outside a write transaction"));
        }
        assert!(
            (1..=self.page_count).contains(&pages),
            "truncating {} pages to {pages}",
            self.page_count
        );
        debug_assert!(self.savepoints.is_empty(), "VACUUM runs outside savepoints");
        for pgno in pages + 1..=self.page_count {
            if let Some(page) = self.cache.remove(pgno) {
                page.set_dirty(false);
                self.cache.recycle(page);
            }
        }
        self.page_count = pages;
        Ok(())
    }

    /// Open a savepoint inside the write transaction; returns its level (0 = outermost).
    pub fn savepoint(&mut self) -> Result<usize> {
        if !self.in_write {
            return Err(Error::misuse("savepoint outside a write transaction"));
        }
        self.savepoints.push(Savepoint {
            page_count: self.page_count,
            images: PgnoMap::default(),
        });
        Ok(self.savepoints.len() - 1)
    }

    pub fn savepoint_depth(&self) -> usize {
        self.savepoints.len()
    }

    /// `RELEASE`: close savepoint `level` and every one inside it, keeping their changes.
    pub fn release(&mut self, level: usize) -> Result<()> {
        if level >= self.savepoints.len() {
            return Err(Error::misuse(format!("no savepoint at level {level}")));
        }
        let released: Vec<Savepoint> = self.savepoints.drain(level..).collect();
        for sp in released {
            for (pgno, (image, dirty)) in sp.images {
                // The parent keeps its own older image; an image of a page appended after the
                // parent opened is not needed (rolling back to it drops the page).
                match self.savepoints.last_mut() {
                    Some(parent) if pgno <= parent.page_count => {
                        if let std::collections::hash_map::Entry::Vacant(slot) =
                            parent.images.entry(pgno)
                        {
                            slot.insert((image, dirty));
                            continue;
                        }
                        self.give_image(image);
                    }
                    _ => self.give_image(image),
                }
            }
        }
        Ok(())
    }

    /// `ROLLBACK TO`: restore every page to its image when savepoint `level` opened; the
    /// savepoint stays open (empty), the ones inside it are closed. Bumps `epoch`.
    pub fn rollback_to(&mut self, level: usize) -> Result<()> {
        if level >= self.savepoints.len() {
            return Err(Error::misuse(format!("no savepoint at level {level}")));
        }
        let undone: Vec<Savepoint> = self.savepoints.drain(level..).collect();
        let page_count = undone[0].page_count;
        for sp in undone.into_iter().rev() {
            for (pgno, (image, dirty)) in sp.images {
                let page = self.cache.get(pgno);
                // Pages made writable are dirty, and dirty pages are never evicted.
                assert!(
                    page.is_some(),
                    "page {pgno} changed in a savepoint left the cache"
                );
                let Some(page) = page else { continue };
                match image {
                    Some(image) => {
                        page.overwrite(&image);
                        page.set_dirty(dirty);
                        self.cache.give_buffer(image);
                    }
                    None => {
                        // Never read: its committed bytes are in the WAL or the file, not here.
                        debug_assert!(!dirty);
                        page.set_dirty(false);
                        if let Some(cached) = self.cache.remove(pgno) {
                            drop(page);
                            self.cache.recycle(cached);
                        }
                    }
                }
            }
        }
        for page in self.cache.dirty_pages() {
            if page.pgno() > page_count {
                page.set_dirty(false);
                if let Some(cached) = self.cache.remove(page.pgno()) {
                    drop(page);
                    self.cache.recycle(cached);
                }
            }
        }
        self.page_count = page_count;
        self.savepoints.push(Savepoint {
            page_count,
            images: PgnoMap::default(),
        });
        self.epoch += 1;
        Ok(())
    }

    /// Make the write transaction durable (as `synchronous` says) and visible, then end it and
    /// the read transaction. Waits for its own I/O. On error the transaction is rolled back and
    /// nothing of it is visible (in the WAL, frames past the last commit are ignored).
    pub fn commit(&mut self) -> Result<()> {
        if !self.in_write {
            self.end_read();
            return Ok(());
        }
        match self.commit_pages() {
            Ok(frames) => {
                self.finish_write();
                if frames >= self.autocheckpoint as u64 && self.autocheckpoint > 0 {
                    // As SQLite's default WAL hook: a failed or busy automatic checkpoint does
                    // not fail the commit that already happened.
                    let _ = self.checkpoint(CheckpointMode::Passive);
                }
                // Only now: until the checkpoint ran, the pages just committed (tagged with
                // their frames) spare it reading them back from the WAL.
                self.cache.shrink_to_capacity();
                Ok(())
            }
            Err(e) => {
                self.rollback();
                Err(e)
            }
        }
    }

    /// Write the transaction's pages; returns the WAL's frame count after it (0 without WAL).
    fn commit_pages(&mut self) -> Result<u64> {
        let wal_mode = self.wal.is_some();
        let grew = self.page_count != self.committed_page_count;
        let page_one_dirty = self.cache.get(1).is_some_and(|p| p.is_dirty());
        let mut stamp = page_one_dirty || grew;
        if wal_mode && !stamp {
            // A rollback-journal database switches to WAL mode with its first WAL commit.
            let page_one = self.get_now(1)?;
            let data = page_one.data();
            stamp = data[18] != 2 || data[19] != 2;
        }
        let mut dirty = self.cache.dirty_pages();
        if dirty.is_empty() && !grew {
            return Ok(0);
        }
        if stamp || !wal_mode {
            self.stamp_header()?;
            dirty = self.cache.dirty_pages();
        }
        dirty.retain(|p| p.pgno() <= self.page_count);
        dirty.sort_by_key(|p| p.pgno());
        let mut frames = 0;
        let mut first_frame = None;
        // Taken before the frames are encoded; see `settle_committed`.
        let stamps: Vec<u32> = dirty.iter().map(PageRef::write_count).collect();
        if let Some(WalConn { shared, id, .. }) = &self.wal {
            let (shared, id) = (shared.clone(), *id);
            if self.committed_page_count == 0 && self.file.size()? == 0 {
                self.write_initial_page_one()?;
            }
            let (snapshot, first) = shared.append_commit(
                id,
                &dirty,
                self.page_count,
                self.synchronous,
                &mut self.stats,
            )?;
            if let Some(wal) = &mut self.wal {
                wal.seen_commits = snapshot.commits;
                wal.snapshot = Some(snapshot);
            }
            frames = snapshot.max_frame as u64;
            first_frame = Some(first);
        } else {
            self.write_pages(&dirty)?;
            if self.page_count < self.committed_page_count {
                let size = self.page_count as u64 * self.page_size as u64;
                io::run_to_completion(self.io.as_ref(), self.file.truncate(size)?)?;
            }
            if self.synchronous != Synchronous::Off {
                let sync = self.file.sync()?;
                io::run_to_completion(self.io.as_ref(), sync)?;
                self.stats.syncs += 1;
            }
        }
        settle_committed(&dirty, &stamps, first_frame);
        Ok(frames)
    }

    /// SQLite drops a WAL that sits next to an empty database file, so a new database gets its
    /// (empty) first page in the file itself, synced, before its first transaction is logged.
    fn write_initial_page_one(&mut self) -> Result<()> {
        let mut buffer = self.cache.take_buffer();
        self.empty_page_one(&mut buffer);
        let done = io::run_to_completion(self.io.as_ref(), self.file.write(0, buffer)?)?;
        if let Some(buffer) = done.buffer {
            self.cache.give_buffer(buffer);
        }
        self.stats.pages_written += 1;
        if self.synchronous != Synchronous::Off {
            io::run_to_completion(self.io.as_ref(), self.file.sync()?)?;
            self.stats.syncs += 1;
        }
        Ok(())
    }

    /// End the write and read transactions after a commit.
    fn finish_write(&mut self) {
        self.committed_page_count = self.page_count;
        self.in_write = false;
        self.drop_savepoints();
        if let Some(wal) = &self.wal {
            wal.shared.end_write(wal.id);
        }
        self.end_read();
    }

    fn drop_savepoints(&mut self) {
        for sp in std::mem::take(&mut self.savepoints) {
            for (_, (image, _)) in sp.images {
                self.give_image(image);
            }
        }
    }

    /// The header fields SQLite updates when a commit writes page 1: the change counter (and
    /// version-valid-for, SQLite's version), the database size, and in WAL mode the file format
    /// versions 2/2.
    fn stamp_header(&mut self) -> Result<()> {
        let page_one = self.get_now(1)?;
        self.make_writable(&page_one)?;
        let mut data = page_one.data_mut();
        let counter = u32::from_be_bytes([data[24], data[25], data[26], data[27]]).wrapping_add(1);
        if self.wal.is_some() {
            data[18] = 2;
            data[19] = 2;
        }
        data[24..28].copy_from_slice(&counter.to_be_bytes());
        data[28..32].copy_from_slice(&self.page_count.to_be_bytes());
        data[92..96].copy_from_slice(&counter.to_be_bytes());
        data[96..100].copy_from_slice(&format::SQLITE_VERSION_NUMBER.to_be_bytes());
        Ok(())
    }

    /// Without a WAL (`:memory:`): write pages in place.
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

    /// Forget every change of the open write transaction and end it and the read transaction.
    pub fn rollback(&mut self) {
        for page in self.cache.dirty_pages() {
            page.set_dirty(false);
            if let Some(cached) = self.cache.remove(page.pgno()) {
                drop(page);
                self.cache.recycle(cached);
            }
        }
        self.drop_savepoints();
        self.page_count = self.committed_page_count;
        let was_writing = self.in_write;
        self.in_write = false;
        self.epoch += 1;
        if was_writing {
            if let Some(wal) = &self.wal {
                wal.shared.end_write(wal.id);
            }
        }
        self.end_read();
        self.cache.shrink_to_capacity();
    }

    /// `PRAGMA wal_checkpoint(MODE)`: copy committed frames back into the database file, as
    /// SQLite's modes do (see `crate::wal`). Ends this connection's read transaction first; in a
    /// write transaction it is `SQLITE_LOCKED`. Without a WAL it returns (0, -1, -1) as SQLite
    /// does for a database not in WAL mode. Waits for its I/O and, except PASSIVE, up to
    /// `busy_timeout` for the writer lock and readers.
    pub fn checkpoint(&mut self, mode: CheckpointMode) -> Result<CheckpointResult> {
        if self.in_write {
            return Err(Error::code(ErrorCode::Locked));
        }
        self.end_read();
        if self.read_only {
            return self.read_only_checkpoint();
        }
        let Some(wal) = &self.wal else {
            return Ok(CheckpointResult {
                busy: false,
                log_frames: -1,
                checkpointed_frames: -1,
            });
        };
        let cache = &self.cache;
        let lend =
            |run: &[(PageNo, WalTag)], use_pages: UsePages<'_>| lend_tagged(cache, run, use_pages);
        let target = CheckpointTarget {
            db_file: &self.file,
            sync: self.synchronous,
            cached: self.checkpoint_from_cache.then_some(&lend),
        };
        wal.shared
            .checkpoint(wal.id, target, mode, self.busy_timeout, &mut self.stats)
    }

    /// A read-only connection copies nothing: an empty log is checkpointed already, as SQLite
    /// reports it (0, 0, 0); a log with frames is refused (SQLite fails there too, with an I/O
    /// error on its shared-memory file).
    fn read_only_checkpoint(&self) -> Result<CheckpointResult> {
        let frames = self
            .wal
            .as_ref()
            .map_or(0, |wal| wal.shared.latest().max_frame);
        if frames > 0 {
            return Err(Error::code(ErrorCode::ReadOnly));
        }
        Ok(CheckpointResult {
            busy: false,
            log_frames: 0,
            checkpointed_frames: 0,
        })
    }

    /// Close the connection: roll back an open transaction; the last connection to the
    /// database checkpoints and deletes the WAL. Dropping a pager does the same, ignoring errors.
    pub fn close(mut self) -> Result<()> {
        self.close_inner()
    }

    pub(super) fn close_inner(&mut self) -> Result<()> {
        if self.closed {
            return Ok(());
        }
        if self.in_write {
            self.rollback();
        }
        self.end_read();
        self.closed = true;
        let Some(wal) = self.wal.take() else {
            return Ok(());
        };
        let (file, sync, read_only) = (self.file.clone(), self.synchronous, self.read_only);
        let stats = &mut self.stats;
        let cache = &self.cache;
        let lend =
            |run: &[(PageNo, WalTag)], use_pages: UsePages<'_>| lend_tagged(cache, run, use_pages);
        let target = CheckpointTarget {
            db_file: &file,
            sync,
            cached: self.checkpoint_from_cache.then_some(&lend),
        };
        wal.shared.detach(wal.id, |shared| {
            if read_only {
                Ok(())
            } else {
                shared.close_checkpoint(wal.id, target, stats)
            }
        })
    }
}

/// Lend a checkpoint the cached bytes of the pages of `run` that the cache holds clean and
/// tagged exactly (see `CachedPages`), each under its read guard until `use_pages` returns.
fn lend_tagged(cache: &PageCache, run: &[(PageNo, WalTag)], use_pages: UsePages<'_>) -> Result<()> {
    let guards: Vec<Option<PageData<'_>>> = run
        .iter()
        .map(|&(pgno, tag)| cache.find(pgno).and_then(|page| page.data_if_tagged(tag)))
        .collect();
    let pages: Vec<Option<&[u8]>> = guards.iter().map(|guard| guard.as_deref()).collect();
    use_pages(&pages)
}

/// The append of `pages` completed (as frames `first..`, in order, when through the WAL): they are
/// clean now, and each holds its frame's bytes unless it was written to since `stamps` were taken
/// (before encoding), in which case it gets no tag.
pub(super) fn settle_committed(pages: &[PageRef], stamps: &[u32], first: Option<WalTag>) {
    debug_assert_eq!(pages.len(), stamps.len());
    for (i, (page, &stamp)) in pages.iter().zip(stamps).enumerate() {
        match first {
            Some(first) if page.write_count() == stamp => page.set_wal_tag(WalTag {
                frame: first.frame + i as u32,
                generation: first.generation,
            }),
            _ => page.clear_wal_tag(),
        }
        page.set_dirty(false);
    }
}

/// Page numbers are `u32`; keep the savepoint bookkeeping honest about it.
const _: () = assert!(std::mem::size_of::<PageNo>() == 4);
