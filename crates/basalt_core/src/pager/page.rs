//! A cached page: its number, its bytes and whether the open write transaction changed it.

use crate::io::Buffer;
use std::ops::{Deref, DerefMut};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock, RwLockReadGuard, RwLockWriteGuard};

pub type PageNo = u32;

pub(crate) struct PageInner {
    pub(crate) pgno: PageNo,
    pub(crate) data: RwLock<Buffer>,
    pub(crate) dirty: AtomicBool,
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
        PageDataMut(self.0.data.write().unwrap_or_else(|p| p.into_inner()))
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
        data.copy_from_slice(bytes);
    }

    /// True when only the cache holds this page.
    pub(crate) fn is_unpinned(&self) -> bool {
        Arc::strong_count(&self.0) == 1
    }

    pub fn same_page(&self, other: &PageRef) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}
