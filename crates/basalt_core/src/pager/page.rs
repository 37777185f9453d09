//! A cached page: its number, its bytes and whether the open write transaction changed it.

use crate::io::Buffer;
use std::ops::{Deref, DerefMut};
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, RwLock, RwLockReadGuard, RwLockWriteGuard};

pub type PageNo = u32;

pub(crate) struct PageInner {
    pub(crate) pgno: PageNo,
    pub(crate) data: RwLock<Buffer>,
    pub(crate) dirty: AtomicBool,
    /// The packed [`WalTag`] of the committed WAL frame these bytes equal; 0 for none.
    wal_tag: AtomicU64,
    /// Counts write guards handed out, so a commit can tell whether the bytes changed between
    /// encoding a frame and tagging the page with it. Bumped under the write lock, so a plain
    /// load and store suffice.
    writes: AtomicU32,
}

/// "These bytes are exactly WAL frame `frame` of log generation `generation`." A checkpoint may
/// copy a cached page with the tag of the frame it is copying instead of reading that frame.
/// Set in two places only: a page read from a WAL frame, and a page appended as a frame by a
/// commit (once the append completed). Every other way bytes come to be leaves no tag.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WalTag {
    pub frame: u32,
    /// `Shared`'s generation (bumped at every log restart); only its low 32 bits are kept.
    pub generation: u32,
}

impl WalTag {
    fn pack(self) -> u64 {
        debug_assert!(self.frame != 0, "frames are numbered from 1");
        (self.generation as u64) << 32 | self.frame as u64
    }

    fn unpack(packed: u64) -> Option<WalTag> {
        (packed != 0).then_some(WalTag {
            frame: packed as u32,
            generation: (packed >> 32) as u32,
        })
    }
}

/// A handle on a cached page. While any handle besides the cache's own is alive, the page is
/// pinned: the cache never evicts or reuses it.
#[derive(Clone)]
pub struct PageRef(pub(crate) Arc<PageInner>);

impl std::fmt::Debug for PageRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "PageRef({}{})",
            self.pgno(),
            if self.is_dirty() { ", dirty" } else { "" }
        )
    }
}

/// Read access to a page's bytes.
pub struct PageData<'a>(RwLockReadGuard<'a, Buffer>);

/// Write access to a page's bytes; only for pages made writable through the pager.
pub struct PageDataMut<'a>(RwLockWriteGuard<'a, Buffer>);

impl Deref for PageData<'_> {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        &self.0
    }
}

impl Deref for PageDataMut<'_> {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        &self.0
    }
}

impl DerefMut for PageDataMut<'_> {
    fn deref_mut(&mut self) -> &mut [u8] {
        &mut self.0
    }
}

impl PageRef {
    pub(crate) fn new(pgno: PageNo, buffer: Buffer) -> PageRef {
        PageRef(Arc::new(PageInner {
            pgno,
            data: RwLock::new(buffer),
            dirty: AtomicBool::new(false),
            wal_tag: AtomicU64::new(0),
            writes: AtomicU32::new(0),
        }))
    }

    pub fn pgno(&self) -> PageNo {
        self.0.pgno
    }

    pub fn data(&self) -> PageData<'_> {
        PageData(self.0.data.read().unwrap_or_else(|p| p.into_inner()))
    }

    /// Write access. The page must have been made writable (`Pager::make_writable`), or the
    /// change would escape the transaction and never reach the file.
    pub fn data_mut(&self) -> PageDataMut<'_> {
        assert!(
            self.is_dirty(),
            "page {} written without Pager::make_writable",
            self.pgno()
        );
        let guard = self.0.data.write().unwrap_or_else(|p| p.into_inner());
        let writes = self.0.writes.load(Ordering::Relaxed);
        self.0
            .writes
            .store(writes.wrapping_add(1), Ordering::Relaxed);
        PageDataMut(guard)
    }

    /// The WAL frame these bytes are known to equal, if any (see [`WalTag`]).
    pub fn wal_tag(&self) -> Option<WalTag> {
        WalTag::unpack(self.0.wal_tag.load(Ordering::Relaxed))
    }

    pub(crate) fn set_wal_tag(&self, tag: WalTag) {
        self.0.wal_tag.store(tag.pack(), Ordering::Relaxed);
    }

    pub(crate) fn clear_wal_tag(&self) {
        self.0.wal_tag.store(0, Ordering::Relaxed);
    }

    /// The bytes, under a read guard, if they are exactly `tag`'s frame: clean and tagged with
    /// it. The check happens under the guard the caller then reads through, so no write slips
    /// in between (a writer needs the write lock, and `make_writable` clears the tag before any
    /// change).
    pub(crate) fn data_if_tagged(&self, tag: WalTag) -> Option<PageData<'_>> {
        let data = self.data();
        (!self.is_dirty() && self.wal_tag() == Some(tag)).then_some(data)
    }

    /// Write guards handed out so far: unchanged between two calls means unchanged bytes.
    pub(crate) fn write_count(&self) -> u32 {
        self.0.writes.load(Ordering::Relaxed)
    }

    pub fn is_dirty(&self) -> bool {
        self.0.dirty.load(Ordering::Relaxed)
    }

    pub(crate) fn set_dirty(&self, dirty: bool) {
        self.0.dirty.store(dirty, Ordering::Relaxed);
    }

    /// Replace the page's bytes (savepoint rollback restoring an image).
    pub(crate) fn overwrite(&self, bytes: &[u8]) {
        let mut data = self.0.data.write().unwrap_or_else(|p| p.into_inner());
        self.clear_wal_tag();
        data.copy_from_slice(bytes);
        // Changed bytes are a write to whoever compares write counts.
        let writes = self.0.writes.load(Ordering::Relaxed);
        self.0
            .writes
            .store(writes.wrapping_add(1), Ordering::Relaxed);
    }

    /// True when only the cache holds this page.
    pub(crate) fn is_unpinned(&self) -> bool {
        Arc::strong_count(&self.0) == 1
    }

    pub fn same_page(&self, other: &PageRef) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}
