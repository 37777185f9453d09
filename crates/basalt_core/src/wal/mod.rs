//! The write-ahead log, in SQLite's WAL file format (walformat.html, fileformat2.html §4).
//!
//! A database in WAL mode (header bytes 18/19 = 2) never has a page overwritten by a transaction:
//! a commit *appends* the changed pages to the `-wal` file next to the database, and a later
//! *checkpoint* copies them back. Readers see the database file overlaid with the WAL's frames up
//! to the last commit they know of, so a writer never disturbs them and a crash mid-commit leaves
//! an unfinished tail that recovery ignores.
//!
//! # File layout
//! ```text
//!  WAL header, 32 bytes, big-endian fields
//!   0 magic 0x377f0682 (checksums over little-endian words) or 0x377f0683 (big-endian)
//!   4 format version 3007000      8 page size      12 checkpoint sequence number
//!  16 salt-1                     20 salt-2         24 checksum-1  28 checksum-2 (of bytes 0..24)
//!  then frames, frame i (1-based) at 32 + (i-1) * (24 + page size):
//!   0 page number   4 database size in pages after this commit (commit frames), else 0
//!   8 salt-1       12 salt-2 (copies of the header's)
//!  16 checksum-1   20 checksum-2: cumulative, over the header's checksum, every earlier frame,
//!                                 this frame's first 8 bytes and its page
//!  24 the page image
//! ```
//! The checksum runs over 32-bit words two at a time: `s0 += w[i] + s1; s1 += w[i+1] + s0`
//! (wrapping), starting from 0/0 for the header and from the previous frame's (or the header's)
//! checksum for a frame. Basalt writes the byte order of the machine, as SQLite does; it reads
//! both. A frame is *valid* when its salts equal the header's, its checksum matches and its page
//! number is non-zero. The log is the frames up to the last valid *commit* frame of the longest
//! valid prefix: anything after it (a torn or never-finished commit, frames of an older
//! generation) is ignored, never applied.
//!
//! # Generations (restart)
//! When every frame has been checkpointed and no reader still uses the log, the next writer
//! *restarts* it: it writes a new header (checkpoint sequence + 1, salt-1 + 1, a random salt-2)
//! and frames from 1 again. Old frames left further in the file carry the old salts, so they can
//! never be mistaken for new ones. `TRUNCATE` checkpoints also cut the file to zero bytes.
//!
//! # The index and snapshots (`shared.rs`)
//! All connections of the process to one database share a [`Shared`]: the WAL index (page →
//! its frames, and the commit frames with their database sizes), the writer lock, each
//! connection's *read mark* and how far the log has been copied back (`backfilled`). A reader's
//! [`Snapshot`] is the last commit frame when its transaction began: a page is read from its
//! newest frame at or below that mark, else from the database file. A reader that began when
//! everything was backfilled reads the database file only (`uses_wal == false`, SQLite's read
//! lock 0). A WAL database on a backend with shared memory is shared with other processes
//! through SQLite's `-shm` wal-index (`shm.rs`: the format; `shared/cross.rs`: the protocol of
//! locks, read marks, refresh and recovery), the heap index being this process's copy of it.
//! Otherwise (a new or rollback-journal file, `locking_mode=EXCLUSIVE`, the memory and
//! simulation backends) the index lives in heap memory only and the process holds the database
//! file's EXCLUSIVE lock while any of its connections has it open.
//!
//! # Checkpoints
//! A checkpoint copies, for each page, its newest frame at or below the *safe frame* into the
//! database file. The safe frame is the log's end, lowered to the mark of every reader still
//! using an older snapshot; a reader of the database file alone forbids any copying (its pages
//! would change under it). Before copying the WAL is synced (unless already durable, see below),
//! after copying the database is synced (both unless `synchronous=OFF`); only then does
//! `backfilled` advance. Modes, as SQLite's:
//! PASSIVE copies what it can without waiting; FULL first takes the writer lock and waits (up to
//! `busy_timeout`) for old readers, reporting busy if it could not finish; RESTART also waits for
//! every reader of the log to finish so that the next writer restarts it; TRUNCATE does that and
//! restarts the log itself, truncating the file to zero bytes. The result is SQLite's
//! `(busy, log frames, checkpointed frames)`. Pages are written in page-number order, one
//! `write` per run of consecutive page numbers gathered in a buffer kept between checkpoints.
//! The WAL sync before copying is skipped when every frame to copy is already durable (synced
//! by a FULL commit or an earlier checkpoint: `synced_frame`, reset at every restart). A page the checkpointing connection holds clean in its cache with
//! the tag of the frame being copied (`pager::WalTag`: frame and generation, the generation
//! bumped at every restart) is copied from memory instead of read back from the WAL. In debug
//! builds every such copy is checked against the frame read from the WAL.
//!
//! # Recovery
//! The first connection of the process to a database reads the whole `-wal` and rebuilds the
//! index from its valid prefix. A WAL with a bad magic, version, page size or header checksum is
//! ignored (as if empty), as is one whose page size is not the database's or that sits next to an
//! empty database file (SQLite deletes that one).
//!
//! # Invariants
//! - W1. Frames `1..=max_frame` are valid and end with a commit frame; `backfilled <= max_frame`.
//! - W2. Frames `1..=backfilled` are in the database file, and the database file was synced
//!   after they were written (unless `synchronous=OFF`). Frames `1..=synced_frame` are durable
//!   in the WAL; a checkpoint copies no frame above it without syncing the WAL first.
//! - W3. No frame above a reader's mark is ever copied into the database while that reader is
//!   active; nothing is copied while a reader of the database file alone is active.
//! - W4. The log restarts only when `backfilled == max_frame` and no reader uses it.
//! - W5. One writer at a time per database in the process (and, shared, across processes: the
//!   WAL WRITE lock); it appends only after the last commit of the snapshot it began from (a stale
//!   snapshot cannot become a writer: `SQLITE_BUSY`).
//! - W6. Shared, W3 and W4 hold for every process's readers: a frame past a read mark another
//!   process holds is never copied, nothing is copied while any process holds READ(0), and the
//!   log restarts only when no process holds READ(1..5).

mod shared;
mod shm;

pub use shared::{
    AttachOptions, CachedPages, CheckpointTarget, DbFacts, FrameLocation, Shared, Snapshot,
    UsePages,
};

use crate::error::Result;
use crate::io::{self, File, Io};
use crate::pager::PageNo;

pub const WAL_HEADER_SIZE: usize = 32;
pub const FRAME_HEADER_SIZE: usize = 24;
const MAGIC_LE: u32 = 0x377f_0682;
const MAGIC_BE: u32 = 0x377f_0683;
pub const WAL_FORMAT_VERSION: u32 = 3_007_000;
/// SQLite's default `wal_autocheckpoint`.
pub const DEFAULT_AUTOCHECKPOINT: u32 = 1000;

/// `PRAGMA synchronous`, with its meaning in WAL mode (pragma.html):
/// - `Off`: never sync.
/// - `Normal`: sync the WAL before a checkpoint copies it, the database after, and a new WAL
///   header; commits are durable only once checkpointed (a crash may lose recent commits, never
///   apply part of one).
/// - `Full`: also sync the WAL at every commit: a commit that returned is durable.
/// - `Extra`: as `Full` in WAL mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Synchronous {
    Off = 0,
    Normal = 1,
    Full = 2,
    Extra = 3,
}

/// `PRAGMA wal_checkpoint(MODE)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum CheckpointMode {
    Passive,
    Full,
    Restart,
    Truncate,
}

/// The row `PRAGMA wal_checkpoint` shows: busy (0/1), frames in the log, frames checkpointed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CheckpointResult {
    pub busy: bool,
    pub log_frames: i64,
    pub checkpointed_frames: i64,
}

fn be32(bytes: &[u8], at: usize) -> u32 {
    u32::from_be_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]])
}

fn put32(bytes: &mut [u8], at: usize, value: u32) {
    bytes[at..at + 4].copy_from_slice(&value.to_be_bytes());
}

/// SQLite's WAL checksum of `data` (a multiple of 8 bytes), continuing from `seed`.
pub fn checksum(big_endian: bool, data: &[u8], seed: [u32; 2]) -> [u32; 2] {
    assert!(data.len() & 7 == 0, "WAL checksums run over 8-byte units");
    let [mut s0, mut s1] = seed;
    for pair in data.chunks_exact(8) {
        let (a, b) = if big_endian {
            (
                u32::from_be_bytes([pair[0], pair[1], pair[2], pair[3]]),
                u32::from_be_bytes([pair[4], pair[5], pair[6], pair[7]]),
            )
        } else {
            (
                u32::from_le_bytes([pair[0], pair[1], pair[2], pair[3]]),
                u32::from_le_bytes([pair[4], pair[5], pair[6], pair[7]]),
            )
        };
        s0 = s0.wrapping_add(a).wrapping_add(s1);
        s1 = s1.wrapping_add(b).wrapping_add(s0);
    }
    [s0, s1]
}

/// The 32-byte WAL header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WalHeader {
    pub big_endian: bool,
    pub page_size: usize,
    pub checkpoint_seq: u32,
    pub salt: [u32; 2],
    pub checksum: [u32; 2],
}

impl WalHeader {
    /// A header in this machine's byte order, with its checksum.
    pub fn new(page_size: usize, checkpoint_seq: u32, salt: [u32; 2]) -> WalHeader {
        debug_assert!(crate::format::is_valid_page_size(page_size));
        let mut header = WalHeader {
            big_endian: cfg!(target_endian = "big"),
            page_size,
            checkpoint_seq,
            salt,
            checksum: [0, 0],
        };
        let bytes = header.encode();
        header.checksum = checksum(header.big_endian, &bytes[..24], [0, 0]);
        header
    }

    /// The header of the next generation (restart): sequence + 1, salt-1 + 1, new salt-2.
    pub fn next_generation(&self) -> WalHeader {
        WalHeader::new(
            self.page_size,
            self.checkpoint_seq.wrapping_add(1),
            [self.salt[0].wrapping_add(1), random_u32()],
        )
    }

    pub fn encode(&self) -> [u8; WAL_HEADER_SIZE] {
        let mut out = [0u8; WAL_HEADER_SIZE];
        put32(
            &mut out,
            0,
            if self.big_endian { MAGIC_BE } else { MAGIC_LE },
        );
        put32(&mut out, 4, WAL_FORMAT_VERSION);
        put32(&mut out, 8, self.page_size as u32);
        put32(&mut out, 12, self.checkpoint_seq);
        put32(&mut out, 16, self.salt[0]);
        put32(&mut out, 20, self.salt[1]);
        put32(&mut out, 24, self.checksum[0]);
        put32(&mut out, 28, self.checksum[1]);
        out
    }

    /// A valid header, or `None` (bad magic, version, page size or checksum: the log is empty).
    pub fn decode(bytes: &[u8]) -> Option<WalHeader> {
        if bytes.len() < WAL_HEADER_SIZE {
            return None;
        }
        let big_endian = match be32(bytes, 0) {
            MAGIC_LE => false,
            MAGIC_BE => true,
            _ => return None,
        };
        if be32(bytes, 4) != WAL_FORMAT_VERSION {
            return None;
        }
        let page_size = be32(bytes, 8) as usize;
        if !crate::format::is_valid_page_size(page_size) {
            return None;
        }
        let stored = [be32(bytes, 24), be32(bytes, 28)];
        if checksum(big_endian, &bytes[..24], [0, 0]) != stored {
            return None;
        }
        Some(WalHeader {
            big_endian,
            page_size,
            checkpoint_seq: be32(bytes, 12),
            salt: [be32(bytes, 16), be32(bytes, 20)],
            checksum: stored,
        })
    }

    pub fn frame_size(&self) -> usize {
        FRAME_HEADER_SIZE + self.page_size
    }
}

/// Byte offset of frame `frame` (1-based) in a WAL of `page_size` pages.
pub fn frame_offset(frame: u32, page_size: usize) -> u64 {
    debug_assert!(frame >= 1);
    WAL_HEADER_SIZE as u64 + (frame as u64 - 1) * (FRAME_HEADER_SIZE + page_size) as u64
}

/// Write one frame (header and page) into `out`, returning its cumulative checksum.
pub fn encode_frame(
    header: &WalHeader,
    previous: [u32; 2],
    pgno: PageNo,
    commit_size: PageNo,
    page: &[u8],
    out: &mut [u8],
) -> [u32; 2] {
    assert!(pgno != 0, "page 0 does not exist");
    assert_eq!(page.len(), header.page_size);
    assert_eq!(out.len(), header.frame_size());
    put32(out, 0, pgno);
    put32(out, 4, commit_size);
    put32(out, 8, header.salt[0]);
    put32(out, 12, header.salt[1]);
    out[FRAME_HEADER_SIZE..].copy_from_slice(page);
    let sum = checksum(header.big_endian, &out[..8], previous);
    let sum = checksum(header.big_endian, page, sum);
    put32(out, 16, sum[0]);
    put32(out, 20, sum[1]);
    sum
}

/// A valid frame's page number, commit size (0 unless a commit frame) and checksum.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FrameInfo {
    pub pgno: PageNo,
    pub commit_size: PageNo,
    pub checksum: [u32; 2],
}

/// Check one frame (`bytes` = frame header + page) against the header and the running checksum.
pub fn decode_frame(header: &WalHeader, previous: [u32; 2], bytes: &[u8]) -> Option<FrameInfo> {
    if bytes.len() != header.frame_size() {
        return None;
    }
    let pgno = be32(bytes, 0);
    if pgno == 0 || [be32(bytes, 8), be32(bytes, 12)] != header.salt {
        return None;
    }
    let sum = checksum(header.big_endian, &bytes[..8], previous);
    let sum = checksum(header.big_endian, &bytes[FRAME_HEADER_SIZE..], sum);
    // The canary build skips this check (a torn frame is applied): the planted bug the
    // simulator must find.
    if sum != [be32(bytes, 16), be32(bytes, 20)] && !cfg!(feature = "canary-skip-frame-checksum") {
        return None;
    }
    Some(FrameInfo {
        pgno,
        commit_size: be32(bytes, 4),
        checksum: sum,
    })
}

/// What recovery found: the valid log (frames up to the last valid commit frame).
#[derive(Debug, Default)]
pub struct Recovered {
    pub header: Option<WalHeader>,
    /// `frames[i]` is the page of frame `i + 1`; only frames of committed transactions.
    pub frames: Vec<PageNo>,
    /// Each commit frame and the database size it set, ascending.
    pub commits: Vec<(u32, PageNo)>,
    /// The checksum of the last committed frame (the header's when there is none).
    pub last_checksum: [u32; 2],
}

/// Read a WAL file and find its valid log. `page_size` is the database's (`None` for an empty
/// database, whose WAL SQLite ignores). Waits for its reads: recovery runs when a database is
/// opened, which is not restartable.
pub fn recover(io: &dyn Io, file: &dyn File, page_size: Option<usize>) -> Result<Recovered> {
    let mut found = Recovered::default();
    let size = file.size()?;
    let Some(page_size) = page_size else {
        return Ok(found);
    };
    if size < WAL_HEADER_SIZE as u64 {
        return Ok(found);
    }
    let done = io::run_to_completion(io, file.read(0, vec![0u8; WAL_HEADER_SIZE].into())?)?;
    let Some(header) = done
        .buffer
        .as_deref()
        .filter(|_| done.len == WAL_HEADER_SIZE)
        .and_then(WalHeader::decode)
    else {
        return Ok(found);
    };
    if header.page_size != page_size {
        return Ok(found);
    }
    found.header = Some(header);
    found.last_checksum = header.checksum;
    let frame_size = header.frame_size();
    let frames_in_file = (size - WAL_HEADER_SIZE as u64) / frame_size as u64;
    let frames_in_file = u32::try_from(frames_in_file).unwrap_or(u32::MAX - 1);
    let per_batch = (1usize << 20).div_ceil(frame_size).max(1) as u32;
    let mut running = header.checksum;
    let mut uncommitted: Vec<PageNo> = Vec::new();
    let mut frame = 1u32;
    'scan: while frame <= frames_in_file {
        let count = per_batch.min(frames_in_file - frame + 1);
        let buffer = vec![0u8; count as usize * frame_size].into_boxed_slice();
        let offset = frame_offset(frame, page_size);
        let done = io::run_to_completion(io, file.read(offset, buffer)?)?;
        let bytes = done.buffer.unwrap_or_default();
        let whole = done.len / frame_size;
        for chunk in bytes[..whole * frame_size].chunks_exact(frame_size) {
            let Some(info) = decode_frame(&header, running, chunk) else {
                break 'scan;
            };
            running = info.checksum;
            uncommitted.push(info.pgno);
            if info.commit_size != 0 {
                found.frames.append(&mut uncommitted);
                found.commits.push((frame, info.commit_size));
                found.last_checksum = running;
            }
            frame += 1;
        }
        if whole < count as usize {
            break;
        }
    }
    Ok(found)
}

/// Four random bytes for a salt. Uniqueness, not secrecy, is what matters.
pub(crate) fn random_u32() -> u32 {
    use std::hash::{BuildHasher, Hasher};
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    hasher.write_u128(nanos);
    hasher.finish() as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_round_trips_and_rejects_damage() {
        let header = WalHeader::new(4096, 7, [0x1234_5678, 0x9abc_def0]);
        let bytes = header.encode();
        assert_eq!(WalHeader::decode(&bytes), Some(header));
        for at in [0, 4, 8, 12, 16, 24, 31] {
            let mut bad = bytes;
            bad[at] ^= 1;
            assert_eq!(WalHeader::decode(&bad), None, "byte {at}");
        }
    }

    #[test]
    fn frames_chain_their_checksums() {
        let header = WalHeader::new(512, 0, [1, 2]);
        let page = vec![7u8; 512];
        let mut one = vec![0u8; header.frame_size()];
        let sum1 = encode_frame(&header, header.checksum, 3, 0, &page, &mut one);
        let mut two = vec![0u8; header.frame_size()];
        let sum2 = encode_frame(&header, sum1, 4, 9, &page, &mut two);
        assert_eq!(
            decode_frame(&header, header.checksum, &one).map(|f| f.pgno),
            Some(3)
        );
        let info = decode_frame(&header, sum1, &two).unwrap();
        assert_eq!((info.pgno, info.commit_size, info.checksum), (4, 9, sum2));
        assert_eq!(
            decode_frame(&header, header.checksum, &two),
            None,
            "out of order"
        );
        let other = WalHeader::new(512, 0, [1, 3]);
        assert_eq!(decode_frame(&other, header.checksum, &one), None, "salts");
    }

    #[test]
    fn checksum_words_follow_the_magic() {
        let data: Vec<u8> = (0..16).collect();
        assert_ne!(
            checksum(true, &data, [0, 0]),
            checksum(false, &data, [0, 0])
        );
        assert_eq!(checksum(false, &[1, 0, 0, 0, 2, 0, 0, 0], [0, 0]), [1, 3]);
        assert_eq!(checksum(true, &[0, 0, 0, 1, 0, 0, 0, 2], [0, 0]), [1, 3]);
    }
}
