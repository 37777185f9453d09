//! The page cache: a bounded map from page number to page, with CLOCK eviction.
//!
//! Invariants:
//! - A dirty page is never evicted: it stays until its transaction commits or rolls back.
//! - A pinned page (a `PageRef` alive outside the cache) is never evicted.
//! - Interior b-tree pages enter and are touched with more "heat" than leaves, so a sweep of the
//!   clock passes over them several times before they go: scans through many leaves do not push
//!   out the interior pages every seek needs.
//! - When everything is dirty or pinned the cache grows past its capacity rather than fail; the
//!   excess is given back as pages become evictable.
//! - Buffers of evicted pages go to a pool and are reused for the next read.
//! - The index maps a page number to its slot by hashing, or, for a cache that keeps every page
//!   of a `:memory:` database, through a table indexed by page number (`SlotIndex::Direct`):
//!   its pages are all there, so the table is dense, and a lookup is one load instead of a
//!   hash probe touching two more cache lines.

use super::page::{PageNo, PageRef};
use crate::io::Buffer;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// Multiplicative hashing for page numbers: one multiply, good spread in the high bits that the
/// hash table uses for its control bytes.
#[derive(Default)]
pub struct PgnoHasher(u64);

impl Hasher for PgnoHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0.rotate_left(8) ^ b as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        }
    }
    fn write_u32(&mut self, n: u32) {
        self.0 = (n as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
}

pub type PgnoMap<V> = HashMap<PageNo, V, BuildHasherDefault<PgnoHasher>>;

/// Page number to slot.
enum SlotIndex {
    Hashed(PgnoMap<usize>),
    /// Entry `pgno` holds the slot plus one, 0 for none; as long as the largest page number
    /// cached (a `:memory:` database's cache, which holds every page: 4 bytes a page).
    Direct(Vec<u32>),
}

impl SlotIndex {
    #[inline(always)]
    fn get(&self, pgno: PageNo) -> Option<usize> {
        match self {
            SlotIndex::Hashed(map) => map.get(&pgno).copied(),
            SlotIndex::Direct(table) => match table.get(pgno as usize) {
                Some(&entry) if entry != 0 => Some(entry as usize - 1),
                _ => None,
            },
        }
    }

    fn insert(&mut self, pgno: PageNo, at: usize) {
        match self {
            SlotIndex::Hashed(map) => {
                map.insert(pgno, at);
            }
            SlotIndex::Direct(table) => {
                // Fits: slots hold distinct page numbers, of which there are fewer than 2^32.
                debug_assert!(at < u32::MAX as usize);
                let entry = (at + 1) as u32;
                let i = pgno as usize;
                if table.len() <= i {
                    table.resize(i + 1, 0);
                }
                table[i] = entry;
            }
        }
    }

    fn remove(&mut self, pgno: PageNo) -> Option<usize> {
        match self {
            SlotIndex::Hashed(map) => map.remove(&pgno),
            SlotIndex::Direct(table) => {
                let entry = std::mem::take(table.get_mut(pgno as usize)?);
                entry.checked_sub(1).map(|at| at as usize)
            }
        }
    }

    fn clear(&mut self) {
        match self {
            SlotIndex::Hashed(map) => map.clear(),
            SlotIndex::Direct(table) => table.clear(),
        }
    }
}

struct Slot {
    page: PageRef,
    heat: u8,
}

const LEAF_HEAT: u8 = 1;
const INTERIOR_HEAT: u8 = 3;

pub struct PageCache {
    index: SlotIndex,
    slots: Vec<Slot>,
    hand: usize,
    capacity: usize,
    /// After a sweep found nothing to evict (everything dirty or pinned, as in a large write
    /// transaction), the next sweep waits until the cache has grown by a quarter: sweeping at
    /// every insertion would make a big transaction quadratic.
    next_sweep_at: usize,
    pool: Vec<Buffer>,
    page_size: usize,
}

/// Interior b-tree pages carry flag 2 or 5 in the first byte of their b-tree header.
fn heat_of(page: &PageRef) -> u8 {
    let data = page.data();
    let header_at = if page.pgno() == 1 { 100 } else { 0 };
    match data.get(header_at) {
        Some(2) | Some(5) => INTERIOR_HEAT,
        _ => LEAF_HEAT,
    }
}

impl PageCache {
    pub fn new(page_size: usize, capacity: usize) -> PageCache {
        PageCache {
            index: SlotIndex::Hashed(PgnoMap::default()),
            slots: Vec::new(),
            hand: 0,
            next_sweep_at: 0,
            capacity: capacity.max(10),
            pool: Vec::new(),
            page_size,
        }
    }

    /// A cache that never evicts (a `:memory:` database's: its pages live only here and in the
    /// in-memory file), indexed by page number.
    pub fn resident(page_size: usize) -> PageCache {
        PageCache {
            index: SlotIndex::Direct(Vec::new()),
            ..PageCache::new(page_size, usize::MAX)
        }
    }

    pub fn set_capacity(&mut self, capacity: usize) {
        self.capacity = capacity.max(10);
        self.shrink_to_capacity();
    }

    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.slots.len()
    }

    #[inline]
    pub fn get(&mut self, pgno: PageNo) -> Option<PageRef> {
        self.peek(pgno).cloned()
    }

    /// The cached page, leaving its heat alone (for checkpoints, which are not a use).
    pub fn find(&self, pgno: PageNo) -> Option<&PageRef> {
        self.index.get(pgno).map(|at| &self.slots[at].page)
    }

    /// The cached page without a new handle (no reference-count traffic), marked as used.
    #[inline(always)]
    pub fn peek(&mut self, pgno: PageNo) -> Option<&PageRef> {
        let at = self.index.get(pgno)?;
        let slot = &mut self.slots[at];
        debug_assert_eq!(slot.page.pgno(), pgno);
        if slot.heat < LEAF_HEAT {
            slot.heat = LEAF_HEAT;
        }
        Some(&slot.page)
    }

    /// `peek` through `hint`, the slot the page was found in before (any value: it is checked),
    /// updated to where it is now. A cursor stepping along one leaf finds it at the hinted slot
    /// without a hash lookup: the slots and the index always agree (every slot's page is the
    /// one the index maps its number to), so a slot holding page `pgno` holds the cached one.
    #[inline(always)]
    pub fn peek_hinted(&mut self, pgno: PageNo, hint: &mut usize) -> Option<&PageRef> {
        let at = match self.slots.get(*hint) {
            Some(slot) if slot.page.pgno() == pgno => *hint,
            _ => {
                let at = self.index.get(pgno)?;
                *hint = at;
                at
            }
        };
        let slot = &mut self.slots[at];
        debug_assert_eq!(self.index.get(pgno), Some(at));
        if slot.heat < LEAF_HEAT {
            slot.heat = LEAF_HEAT;
        }
        Some(&slot.page)
    }

    /// A zeroed-or-stale buffer of one page, from the pool when possible.
    pub fn take_buffer(&mut self) -> Buffer {
        self.make_room();
        self.pool
            .pop()
            .unwrap_or_else(|| vec![0u8; self.page_size].into_boxed_slice())
    }

    pub fn give_buffer(&mut self, buffer: Buffer) {
        if buffer.len() == self.page_size && self.pool.len() < 64 {
            self.pool.push(buffer);
        }
    }

    pub fn insert(&mut self, page: PageRef) {
        debug_assert!(
            self.index.get(page.pgno()).is_none(),
            "page {} cached twice",
            page.pgno()
        );
        let heat = heat_of(&page);
        self.index.insert(page.pgno(), self.slots.len());
        self.slots.push(Slot { page, heat });
    }

    pub fn remove(&mut self, pgno: PageNo) -> Option<PageRef> {
        let at = self.index.remove(pgno)?;
        let slot = self.slots.swap_remove(at);
        if let Some(moved) = self.slots.get(at) {
            self.index.insert(moved.page.pgno(), at);
        }
        if self.hand >= self.slots.len() {
            self.hand = 0;
        }
        Some(slot.page)
    }

    /// Evict until there is room for one more page, if anything can be evicted.
    fn make_room(&mut self) {
        if self.slots.len() < self.next_sweep_at {
            return;
        }
        while self.slots.len() >= self.capacity {
            if !self.evict_one() {
                self.next_sweep_at = self.slots.len() + (self.slots.len() / 4).max(16);
                return;
            }
        }
    }

    /// Evict down to capacity: after a commit or rollback made pages evictable again.
    pub fn shrink_to_capacity(&mut self) {
        self.next_sweep_at = 0;
        while self.slots.len() > self.capacity {
            if !self.evict_one() {
                return;
            }
        }
    }

    /// One sweep of the clock: cool what is hot, evict the first cold, unpinned, clean page.
    fn evict_one(&mut self) -> bool {
        let rounds = self.slots.len() * (INTERIOR_HEAT as usize + 1);
        for _ in 0..rounds {
            if self.hand >= self.slots.len() {
                self.hand = 0;
            }
            let slot = &mut self.slots[self.hand];
            // The heat is in the slot; the dirty flag and the pin count are behind a pointer,
            // read only for a page cold enough to go. A dirty or pinned page cools like any
            // other, and is passed over once cold.
            if slot.heat > 0 {
                slot.heat -= 1;
                self.hand += 1;
                continue;
            }
            if slot.page.is_dirty() || !slot.page.is_unpinned() {
                self.hand += 1;
                continue;
            }
            let pgno = slot.page.pgno();
            if let Some(page) = self.remove(pgno) {
                self.recycle(page);
            }
            return true;
        }
        false
    }

    /// Return an unpinned page's buffer to the pool.
    pub fn recycle(&mut self, page: PageRef) {
        if let Ok(inner) = std::sync::Arc::try_unwrap(page.0) {
            let buffer = inner.data.into_inner().unwrap_or_else(|p| p.into_inner());
            self.give_buffer(buffer);
        }
    }

    /// Forget every page (another connection committed; none may be dirty).
    pub fn clear(&mut self) {
        let slots = std::mem::take(&mut self.slots);
        self.index.clear();
        self.hand = 0;
        self.next_sweep_at = 0;
        for slot in slots {
            debug_assert!(
                !slot.page.is_dirty(),
                "a dirty page outlived its transaction"
            );
            self.recycle(slot.page);
        }
    }

    /// Every dirty page, for commit and rollback.
    pub fn dirty_pages(&self) -> Vec<PageRef> {
        self.slots
            .iter()
            .filter(|s| s.page.is_dirty())
            .map(|s| s.page.clone())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(pgno: PageNo, flag: u8) -> PageRef {
        let mut buffer = vec![0u8; 512].into_boxed_slice();
        buffer[0] = flag;
        PageRef::new(pgno, buffer)
    }

    #[test]
    fn evicts_leaves_before_interior_pages() {
        let mut cache = PageCache::new(512, 10);
        cache.insert(page(2, 5));
        for pgno in 3..12 {
            cache.insert(page(pgno, 13));
        }
        for pgno in 12..30 {
            let _ = cache.take_buffer();
            cache.insert(page(pgno, 13));
        }
        assert!(
            cache.get(2).is_some(),
            "the interior page survives a scan of leaves"
        );
        assert!(cache.len() <= 10);
    }

    #[test]
    fn hinted_peeks_find_the_page_wherever_it_moved() {
        let mut cache = PageCache::new(512, 10);
        for pgno in 2..6 {
            cache.insert(page(pgno, 13));
        }
        let mut hint = usize::MAX;
        assert_eq!(cache.peek_hinted(5, &mut hint).map(PageRef::pgno), Some(5));
        assert_eq!(hint, 3);
        // Removing page 2 moves page 5 into its slot: the hint now names another slot's page.
        assert!(cache.remove(2).is_some());
        let mut stale = 1;
        assert_eq!(cache.peek_hinted(5, &mut stale).map(PageRef::pgno), Some(5));
        assert_eq!(stale, 0);
        assert_eq!(cache.peek_hinted(5, &mut hint).map(PageRef::pgno), Some(5));
        assert_eq!(hint, 0);
        assert!(cache.peek_hinted(2, &mut hint).is_none());
        assert_eq!(hint, 0, "a miss leaves the hint alone");
    }

    #[test]
    fn a_resident_cache_keeps_and_indexes_every_page() {
        let mut cache = PageCache::resident(512);
        for pgno in [7, 2, 300, 3] {
            let _ = cache.take_buffer();
            cache.insert(page(pgno, 13));
        }
        for pgno in 1000..1100 {
            let _ = cache.take_buffer();
            cache.insert(page(pgno, 13));
        }
        assert_eq!(cache.len(), 104, "nothing evicted");
        assert!(cache.get(1).is_none() && cache.get(4).is_none() && cache.get(5000).is_none());
        // Removing page 2 moves the last slot's page into its place: the index follows.
        assert_eq!(cache.remove(2).map(|p| p.pgno()), Some(2));
        assert!(cache.remove(2).is_none());
        let mut hint = usize::MAX;
        assert_eq!(
            cache.peek_hinted(1099, &mut hint).map(PageRef::pgno),
            Some(1099)
        );
        for pgno in [7, 300, 3].into_iter().chain(1000..1100) {
            assert_eq!(cache.get(pgno).map(|p| p.pgno()), Some(pgno));
        }
        cache.clear();
        assert!(cache.get(7).is_none());
        cache.insert(page(7, 13));
        assert_eq!(cache.get(7).map(|p| p.pgno()), Some(7));
    }

    #[test]
    fn never_evicts_dirty_or_pinned_pages() {
        let mut cache = PageCache::new(512, 10);
        let pinned = page(2, 13);
        cache.insert(pinned.clone());
        let dirty = page(3, 13);
        dirty.set_dirty(true);
        cache.insert(dirty);
        for pgno in 4..40 {
            let _ = cache.take_buffer();
            cache.insert(page(pgno, 13));
        }
        assert!(cache.get(2).is_some());
        assert!(cache.get(3).is_some());
        drop(pinned);
    }
}
