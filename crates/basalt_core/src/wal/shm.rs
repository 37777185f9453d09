//! SQLite's WAL-index format (walformat.html, "The WAL-Index Format") over the shared memory of
//! the I/O layer ([`Shm`]): what every process with the database open reads and writes.
//!
//! ```text
//! region 0:   0 index header, copy 1 (48 bytes)    48 copy 2
//!            96 nBackfill   100 aReadMark[0..5]   120 the WAL lock bytes (never written)
//!           128 nBackfillAttempted  132 unused
//!           136 page numbers of frames 1..=4062, then 8192 u16 hash slots at 16384
//! region k:   0 page numbers of the next 4096 frames, then 8192 u16 hash slots at 16384
//! header:     0 iVersion 3007000  4 unused  8 iChange  12 isInit  13 bigEndCksum  14 szPage (u16)
//!            16 mxFrame  20 nPage  24 aFrameCksum[2]  32 aSalt[2] (the WAL header's bytes)
//!            40 aCksum[2] over bytes 0..40, native-order words
//! ```
//! Everything is in the machine's byte order. A hash slot holds a frame's index within its
//! region (1-based; 0 = empty); page `P` starts probing at `(P * 383) % 8192`.
//!
//! Invariants:
//! - The header is written copy 2 first, then copy 1; a reader accepts it only when both copies
//!   are equal, `isInit` is set and the checksum matches, so a torn header is never believed.
//! - Only the holder of the WRITE lock (or of RECOVER, rebuilding) changes the page arrays, hash
//!   tables and header; slots past `mxFrame` are stale and cleared before a frame reuses them.
//! - A read mark is changed only under that mark's READ lock held exclusively.

use super::checksum;
use crate::error::{Error, Result};
use crate::io::{Shm, SHM_REGION_WORDS};
use crate::pager::PageNo;
use std::sync::atomic::{fence, AtomicU32, Ordering};
use std::sync::Arc;

/// The WAL locks, as offsets from the first lock byte.
pub const WRITE_LOCK: usize = 0;
/// CKPT, and RECOVER right after it: recovery takes both (`CKPT_LOCK`, count 2).
pub const CKPT_LOCK: usize = 1;
/// Read mark `i`'s lock.
pub const fn read_lock(i: usize) -> usize {
    3 + i
}
/// Read marks 0..READ_MARKS.
pub const READ_MARKS: usize = 5;
/// A read mark nobody uses.
pub const MARK_NOT_USED: u32 = 0xffff_ffff;

const VERSION: u32 = 3_007_000;
const HEADER_WORDS: usize = 12;
const BACKFILL_WORD: usize = 24;
const READ_MARK_WORD: usize = 25;
const BACKFILL_ATTEMPTED_WORD: usize = 32;
/// Words before region 0's page array (the 136-byte header area).
const HEADER_AREA_WORDS: usize = 34;
/// Page numbers per region, and in region 0.
const PAGES_PER_REGION: u32 = 4096;
const PAGES_IN_FIRST: u32 = PAGES_PER_REGION - HEADER_AREA_WORDS as u32;
const HASH_SLOTS: usize = 8192;
/// Word at which a region's hash slots start.
const HASH_WORD: usize = PAGES_PER_REGION as usize;
const _: () = assert!(SHM_REGION_WORDS == HASH_WORD + HASH_SLOTS / 2);

/// The index header's content. `page_size` is 0 while the log is empty and no writer of this
/// generation has set it (SQLite's recovery of an empty log leaves it so).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct IndexHeader {
    pub change: u32,
    pub big_endian_checksums: bool,
    pub page_size: usize,
    pub max_frame: u32,
    pub db_size: PageNo,
    pub frame_checksum: [u32; 2],
    pub salt: [u32; 2],
}

impl IndexHeader {
    fn encode(&self) -> [u32; HEADER_WORDS] {
        let size = self.page_size as u32;
        let sz = ((size & 0xff00) | (size >> 16)) as u16;
        let flags = [1u8, u8::from(self.big_endian_checksums)];
        let sz = sz.to_ne_bytes();
        let mut words = [0u32; HEADER_WORDS];
        words[0] = VERSION;
        words[2] = self.change;
        words[3] = u32::from_ne_bytes([flags[0], flags[1], sz[0], sz[1]]);
        words[4] = self.max_frame;
        words[5] = self.db_size;
        words[6] = self.frame_checksum[0];
        words[7] = self.frame_checksum[1];
        words[8] = u32::from_ne_bytes(self.salt[0].to_be_bytes());
        words[9] = u32::from_ne_bytes(self.salt[1].to_be_bytes());
        let sum = header_checksum(&words);
        words[10] = sum[0];
        words[11] = sum[1];
        words
    }

    fn decode(words: &[u32; HEADER_WORDS]) -> Option<IndexHeader> {
        let [is_init, big_endian, sz0, sz1] = words[3].to_ne_bytes();
        if is_init == 0 || words[0] != VERSION || header_checksum(words) != [words[10], words[11]] {
            return None;
        }
        let sz = u32::from(u16::from_ne_bytes([sz0, sz1]));
        let page_size = ((sz & 0xfe00) + ((sz & 1) << 16)) as usize;
        // SQLite leaves the page size 0 when it rebuilt the index from an empty log.
        if page_size != 0 && !crate::format::is_valid_page_size(page_size) {
            return None;
        }
        Some(IndexHeader {
            change: words[2],
            big_endian_checksums: big_endian != 0,
            page_size,
            max_frame: words[4],
            db_size: words[5],
            frame_checksum: [words[6], words[7]],
            salt: [
                u32::from_be_bytes(words[8].to_ne_bytes()),
                u32::from_be_bytes(words[9].to_ne_bytes()),
            ],
        })
    }
}

/// The header checksum: SQLite's WAL checksum over the first 40 bytes, read as native words.
fn header_checksum(words: &[u32; HEADER_WORDS]) -> [u32; 2] {
    let mut bytes = [0u8; 40];
    for (out, word) in bytes.chunks_exact_mut(4).zip(words) {
        out.copy_from_slice(&word.to_ne_bytes());
    }
    checksum(cfg!(target_endian = "big"), &bytes, [0, 0])
}

/// Where frame `frame`'s entries live: its region, the word its page array starts at, and the
/// frame number before the region's first.
fn frame_home(frame: u32) -> (usize, usize, u32) {
    debug_assert!(frame >= 1);
    if frame <= PAGES_IN_FIRST {
        return (0, HEADER_AREA_WORDS, 0);
    }
    let region = (frame - PAGES_IN_FIRST - 1) / PAGES_PER_REGION + 1;
    (
        region as usize,
        0,
        PAGES_IN_FIRST + (region - 1) * PAGES_PER_REGION,
    )
}

fn hash_start(pgno: PageNo) -> usize {
    (pgno.wrapping_mul(383) as usize) & (HASH_SLOTS - 1)
}

fn slot(region: &[AtomicU32], slot: usize) -> u16 {
    let bytes = region[HASH_WORD + slot / 2]
        .load(Ordering::Relaxed)
        .to_ne_bytes();
    let at = 2 * (slot % 2);
    u16::from_ne_bytes([bytes[at], bytes[at + 1]])
}

/// Only the index's one writer stores slots, so a read-modify-write of the word is not racy.
fn set_slot(region: &[AtomicU32], slot: usize, value: u16) {
    let word = &region[HASH_WORD + slot / 2];
    let mut bytes = word.load(Ordering::Relaxed).to_ne_bytes();
    let at = 2 * (slot % 2);
    bytes[at..at + 2].copy_from_slice(&value.to_ne_bytes());
    word.store(u32::from_ne_bytes(bytes), Ordering::Release);
}

fn malformed(what: &str) -> Error {
    Error::corrupt(format!("malformed WAL index: {what}"))
}

/// The WAL index of one database, in shared memory.
pub struct ShmIndex {
    shm: Arc<dyn Shm>,
}

impl ShmIndex {
    pub fn new(shm: Arc<dyn Shm>) -> ShmIndex {
        ShmIndex { shm }
    }

    pub fn shm(&self) -> &dyn Shm {
        self.shm.as_ref()
    }

    fn first(&self, extend: bool) -> Result<Option<&[AtomicU32]>> {
        self.shm.region(0, extend)
    }

    /// The header, if both copies agree and are valid; `None` means the index must be rebuilt.
    pub fn read_header(&self) -> Result<Option<IndexHeader>> {
        let Some(words) = self.first(false)? else {
            return Ok(None);
        };
        let mut one = [0u32; HEADER_WORDS];
        let mut two = [0u32; HEADER_WORDS];
        for (i, w) in one.iter_mut().enumerate() {
            *w = words[i].load(Ordering::Relaxed);
        }
        fence(Ordering::SeqCst);
        for (i, w) in two.iter_mut().enumerate() {
            *w = words[HEADER_WORDS + i].load(Ordering::Relaxed);
        }
        fence(Ordering::SeqCst);
        if one != two {
            return Ok(None);
        }
        Ok(IndexHeader::decode(&one))
    }

    /// Publish `header`: copy 2, a barrier, copy 1.
    pub fn write_header(&self, header: &IndexHeader) -> Result<()> {
        let words = self
            .first(true)?
            .ok_or_else(|| malformed("no first region"))?;
        let encoded = header.encode();
        for (i, &w) in encoded.iter().enumerate() {
            words[HEADER_WORDS + i].store(w, Ordering::Relaxed);
        }
        fence(Ordering::SeqCst);
        for (i, &w) in encoded.iter().enumerate() {
            words[i].store(w, Ordering::Relaxed);
        }
        fence(Ordering::SeqCst);
        Ok(())
    }

    fn word(&self, at: usize) -> Result<u32> {
        let words = self
            .first(false)?
            .ok_or_else(|| malformed("no first region"))?;
        Ok(words[at].load(Ordering::SeqCst))
    }

    fn set_word(&self, at: usize, value: u32) -> Result<()> {
        let words = self
            .first(true)?
            .ok_or_else(|| malformed("no first region"))?;
        words[at].store(value, Ordering::SeqCst);
        Ok(())
    }

    /// Frames `1..=backfill` are in the database file.
    pub fn backfill(&self) -> Result<u32> {
        self.word(BACKFILL_WORD)
    }

    pub fn set_backfill(&self, frame: u32) -> Result<()> {
        self.set_word(BACKFILL_WORD, frame)
    }

    pub fn set_backfill_attempted(&self, frame: u32) -> Result<()> {
        self.set_word(BACKFILL_ATTEMPTED_WORD, frame)
    }

    pub fn read_mark(&self, i: usize) -> Result<u32> {
        debug_assert!(i < READ_MARKS);
        self.word(READ_MARK_WORD + i)
    }

    pub fn set_read_mark(&self, i: usize, frame: u32) -> Result<()> {
        debug_assert!(i < READ_MARKS);
        self.set_word(READ_MARK_WORD + i, frame)
    }

    /// Record that frame `frame` holds page `pgno`; `max_frame` is the header's before this
    /// transaction (entries past it are stale and cleared first).
    pub fn append(&self, frame: u32, pgno: PageNo, max_frame: u32) -> Result<()> {
        debug_assert!(frame > max_frame && pgno != 0);
        let (region_no, base, zero) = frame_home(frame);
        let region = self
            .shm
            .region(region_no, true)?
            .ok_or_else(|| malformed("a region could not be created"))?;
        let idx = frame - zero;
        if idx == 1 {
            for word in &region[base..] {
                word.store(0, Ordering::Relaxed);
            }
        } else if region[base + idx as usize - 1].load(Ordering::Relaxed) != 0 {
            self.clear_past(region, base, zero, max_frame);
        }
        let mut key = hash_start(pgno);
        let mut probes = 0;
        while slot(region, key) != 0 {
            probes += 1;
            if probes >= HASH_SLOTS {
                return Err(malformed("a hash table is full"));
            }
            key = (key + 1) & (HASH_SLOTS - 1);
        }
        region[base + idx as usize - 1].store(pgno, Ordering::Release);
        set_slot(region, key, idx as u16);
        Ok(())
    }

    /// Forget the entries of `region` past frame `max_frame` (a transaction that never became
    /// visible left them: a crashed writer, or frames of a log since restarted).
    fn clear_past(&self, region: &[AtomicU32], base: usize, zero: u32, max_frame: u32) {
        let limit = max_frame.saturating_sub(zero) as usize;
        for s in 0..HASH_SLOTS {
            if slot(region, s) as usize > limit {
                set_slot(region, s, 0);
            }
        }
        let pages = if base == 0 {
            PAGES_PER_REGION
        } else {
            PAGES_IN_FIRST
        } as usize;
        for word in &region[base + limit..base + pages] {
            word.store(0, Ordering::Relaxed);
        }
    }

    /// The pages of frames `first..=last`, in order.
    pub fn pages(&self, first: u32, last: u32) -> Result<Vec<PageNo>> {
        let mut pages = Vec::with_capacity(last.saturating_sub(first) as usize + 1);
        let mut frame = first;
        while frame <= last {
            let (region_no, base, zero) = frame_home(frame);
            let region = self
                .shm
                .region(region_no, false)?
                .ok_or_else(|| malformed("a frame past the mapped regions"))?;
            let in_region = if base == 0 {
                PAGES_PER_REGION
            } else {
                PAGES_IN_FIRST
            };
            let end = last.min(zero + in_region);
            for f in frame..=end {
                let pgno = region[base + (f - zero) as usize - 1].load(Ordering::Acquire);
                if pgno == 0 {
                    return Err(malformed("a frame without a page"));
                }
                pages.push(pgno);
            }
            frame = end + 1;
        }
        Ok(pages)
    }

    /// The newest frame at most `max_frame` (and above `min_frame`) holding `pgno`, found
    /// through the hash tables as SQLite does (used by tests to check the tables).
    #[cfg(test)]
    pub fn find(&self, pgno: PageNo, min_frame: u32, max_frame: u32) -> Result<Option<u32>> {
        if max_frame == 0 {
            return Ok(None);
        }
        let (last_region, _, _) = frame_home(max_frame);
        for region_no in (0..=last_region).rev() {
            let Some(region) = self.shm.region(region_no, false)? else {
                continue;
            };
            let (base, zero) = if region_no == 0 {
                (HEADER_AREA_WORDS, 0)
            } else {
                (
                    0,
                    PAGES_IN_FIRST + (region_no as u32 - 1) * PAGES_PER_REGION,
                )
            };
            let mut best = None;
            let mut key = hash_start(pgno);
            for _ in 0..HASH_SLOTS {
                let idx = slot(region, key);
                if idx == 0 {
                    break;
                }
                let frame = zero + u32::from(idx);
                let stored = region[base + idx as usize - 1].load(Ordering::Acquire);
                if frame <= max_frame && frame > min_frame && stored == pgno {
                    best = best.max(Some(frame));
                }
                key = (key + 1) & (HASH_SLOTS - 1);
            }
            if best.is_some() {
                return Ok(best);
            }
        }
        Ok(None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::io::HeapShm;

    fn index() -> ShmIndex {
        ShmIndex::new(Arc::new(HeapShm::default()))
    }

    #[test]
    fn header_round_trips_and_needs_both_copies() {
        let index = index();
        assert_eq!(index.read_header().unwrap(), None);
        let header = IndexHeader {
            change: 7,
            big_endian_checksums: false,
            page_size: 65536,
            max_frame: 9,
            db_size: 4,
            frame_checksum: [1, 2],
            salt: [0x0102_0304, 5],
        };
        index.write_header(&header).unwrap();
        assert_eq!(index.read_header().unwrap(), Some(header));
        let words = index.shm().region(0, false).unwrap().unwrap();
        words[HEADER_WORDS + 4].store(10, Ordering::SeqCst);
        assert_eq!(index.read_header().unwrap(), None, "copies differ");
        words[4].store(10, Ordering::SeqCst);
        assert_eq!(index.read_header().unwrap(), None, "checksum");
    }

    #[test]
    fn frames_are_found_across_regions_and_stale_entries_cleared() {
        let index = index();
        let frames = PAGES_IN_FIRST + PAGES_PER_REGION + 10;
        for frame in 1..=frames {
            index.append(frame, frame % 50 + 1, frame - 1).unwrap();
        }
        assert_eq!(index.pages(1, 3).unwrap(), vec![2, 3, 4]);
        for pgno in 1..=50u32 {
            let newest = (1..=frames).rev().find(|f| f % 50 + 1 == pgno);
            assert_eq!(index.find(pgno, 0, frames).unwrap(), newest, "page {pgno}");
            let below = (1..=100).rev().find(|f| f % 50 + 1 == pgno);
            assert_eq!(
                index.find(pgno, 0, 100).unwrap(),
                below,
                "page {pgno} at 100"
            );
        }
        // A new transaction after frame 100 (the rest never committed): stale slots go.
        index.append(101, 999, 100).unwrap();
        assert_eq!(index.find(999, 0, 101).unwrap(), Some(101));
        assert_eq!(index.pages(101, 101).unwrap(), vec![999]);
        assert!(index.pages(101, 102).is_err(), "frame 102 was cleared");
    }
}
