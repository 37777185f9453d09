//! Sharing one WAL database with other processes through SQLite's `-shm` WAL index.
//!
//! The heap index of `shared.rs` stays this process's working copy; the `-shm` is the truth all
//! processes agree on. Each read and write transaction first *refreshes*: it reads the shared
//! header and, if another process committed (or restarted the log), brings the heap copy up to
//! it from the shared page arrays; an invalid header is rebuilt from the WAL under the WRITE,
//! CKPT and RECOVER locks, as SQLite does. The process takes SQLite's WAL locks on behalf of its
//! connections, which the in-process state already keeps apart:
//! - a reader holds READ(i) shared, counted per mark (`mark_users`), for its snapshot; mark 0
//!   means "reads the database file only" (everything backfilled);
//! - the writer holds WRITE from `begin_write` to `end_write` (a non-PASSIVE checkpoint too);
//! - a checkpoint holds CKPT, copies no frame past a read mark it cannot take over (READ(i)
//!   exclusive), and copies at all only while it holds READ(0) exclusive (no file-only reader);
//! - the log restarts only under READ(1..5) exclusive, by the writer or a TRUNCATE checkpoint.
//!
//! Invariants:
//! - A read mark changes only under its READ lock held exclusively, and never while a connection
//!   of this process holds it (`mark_users[i] > 0`).
//! - `Cross::header` is the header this process last saw or wrote; the heap index holds exactly
//!   its frames.
//! - No wait sleeps with the state mutex held.

use super::{busy, busy_sleep, Shared, Snapshot, State};
use crate::error::{Error, Result};
use crate::io::{self, OpenFlags, ShmLock};
use crate::pager::{PageNo, PageRef, PagerStats};
use crate::wal::shm::{
    read_lock, IndexHeader, ShmIndex, CKPT_LOCK, MARK_NOT_USED, READ_MARKS, WRITE_LOCK,
};
use crate::wal::{
    random_u32, recover, CheckpointMode, CheckpointTarget, WalHeader, WAL_HEADER_SIZE,
};
use std::collections::HashMap;
use std::sync::MutexGuard;
use std::time::{Duration, Instant};

/// How long a reader keeps retrying while other processes move the marks or rebuild the index
/// (SQLite gives up after about as long, with SQLITE_PROTOCOL).
const READ_RETRY: Duration = Duration::from_secs(10);

/// The shared index of one database and the WAL locks this process holds on it.
pub(super) struct Cross {
    pub index: ShmIndex,
    pub header: Option<IndexHeader>,
    /// Connections of this process holding each read mark.
    mark_users: [usize; READ_MARKS],
    /// The read mark each reading connection holds.
    slots: HashMap<u64, usize>,
    holds_write: bool,
    holds_checkpoint: bool,
}

impl Cross {
    pub fn new(index: ShmIndex) -> Cross {
        Cross {
            index,
            header: None,
            mark_users: [0; READ_MARKS],
            slots: HashMap::new(),
            holds_write: false,
            holds_checkpoint: false,
        }
    }

    /// Remove the `-shm` file (the last process out, holding the database exclusively).
    pub fn delete_file(self) -> Result<()> {
        self.index.shm().delete()
    }

    fn lock(&self, first: usize, count: usize, mode: ShmLock) -> Result<bool> {
        self.index.shm().lock(first, count, mode)
    }

    /// Hold read mark `slot` for one more connection; `false` if another process holds it
    /// exclusively (it is moving the mark).
    fn hold_mark(&mut self, slot: usize) -> Result<bool> {
        if self.mark_users[slot] == 0 && !self.lock(read_lock(slot), 1, ShmLock::Shared)? {
            return Ok(false);
        }
        self.mark_users[slot] += 1;
        Ok(true)
    }

    fn drop_mark(&mut self, slot: usize) -> Result<()> {
        debug_assert!(self.mark_users[slot] > 0);
        self.mark_users[slot] = self.mark_users[slot].saturating_sub(1);
        if self.mark_users[slot] == 0 {
            self.lock(read_lock(slot), 1, ShmLock::Unlock)?;
        }
        Ok(())
    }

    /// Take read mark `i` exclusively for a moment to set it; `false` when anyone uses it.
    fn try_set_mark(&self, i: usize, value: u32) -> Result<bool> {
        if self.mark_users[i] > 0 || !self.lock(read_lock(i), 1, ShmLock::Exclusive)? {
            return Ok(false);
        }
        let set = self.index.set_read_mark(i, value);
        self.lock(read_lock(i), 1, ShmLock::Unlock)?;
        set.map(|()| true)
    }

    /// The log's readers 1..5 excluded (for a restart), if no one holds their marks.
    fn lock_log_readers(&self) -> Result<bool> {
        if self.mark_users[1..].iter().any(|&n| n > 0) {
            return Ok(false);
        }
        self.lock(read_lock(1), READ_MARKS - 1, ShmLock::Exclusive)
    }

    /// Start the log over (SQLite's restart): new salts, no frames, nothing backfilled, marks
    /// reset. The caller holds WRITE (or is a checkpoint holding it) and READ(1..5) exclusive.
    fn restart(&mut self) -> Result<IndexHeader> {
        let old = self.header.unwrap_or_default();
        let header = IndexHeader {
            change: old.change.wrapping_add(1),
            max_frame: 0,
            frame_checksum: [0, 0],
            salt: [old.salt[0].wrapping_add(1), random_u32()],
            ..old
        };
        self.index.write_header(&header)?;
        self.index.set_backfill(0)?;
        self.index.set_backfill_attempted(0)?;
        self.index.set_read_mark(1, 0)?;
        for i in 2..READ_MARKS {
            self.index.set_read_mark(i, MARK_NOT_USED)?;
        }
        self.header = Some(header);
        Ok(header)
    }
}

impl Shared {
    pub(super) fn is_cross(&self) -> bool {
        self.lock().cross.is_some()
    }

    /// Bring the heap index up to the shared header, rebuilding the shared index from the WAL
    /// when its header is invalid. `Ok(None)`: another process holds a lock this needs; retry.
    pub(super) fn refresh(&self, state: &mut State) -> Result<Option<IndexHeader>> {
        let cross = state.cross.as_ref().ok_or_else(no_shared_index)?;
        match cross.index.read_header()? {
            Some(header) => {
                self.adopt(state, header)?;
                Ok(Some(header))
            }
            None => self.recover_index(state),
        }
    }

    /// Make `header` this process's view: append the frames other processes added (or reload
    /// them all when the log restarted or was rebuilt shorter).
    fn adopt(&self, state: &mut State, header: IndexHeader) -> Result<()> {
        let cross = state.cross.as_ref().ok_or_else(no_shared_index)?;
        let backfill = cross.index.backfill()?.min(header.max_frame);
        let seen = cross.header;
        if seen == Some(header) {
            state.backfilled = backfill;
            return Ok(());
        }
        let restarted = seen.is_none_or(|old| old.salt != header.salt)
            || header.max_frame < state.index.max_frame();
        if restarted {
            state.index.clear();
            state.synced_frame = 0;
            state.generation = state.generation.wrapping_add(1);
        }
        if header.max_frame > 0 {
            self.open_wal_for(state, &header)?;
        }
        let cross = state.cross.as_ref().ok_or_else(no_shared_index)?;
        let first = state.index.max_frame() + 1;
        if first <= header.max_frame {
            for pgno in cross.index.pages(first, header.max_frame)? {
                state.index.push(pgno);
            }
        }
        if header.max_frame > 0
            && state
                .index
                .commits
                .last()
                .is_none_or(|c| c.0 < header.max_frame)
        {
            state.index.commits.push((header.max_frame, header.db_size));
        }
        state.last_checksum = header.frame_checksum;
        state.db_size = match header.max_frame {
            0 => self.file_pages()?,
            _ => header.db_size,
        };
        state.backfilled = backfill;
        state.commits += 1;
        if let Some(cross) = state.cross.as_mut() {
            cross.header = Some(header);
        }
        Ok(())
    }

    /// Open the WAL another process created, and read its header when the log is of a
    /// generation this process has not seen.
    fn open_wal_for(&self, state: &mut State, header: &IndexHeader) -> Result<()> {
        if state.wal_file.is_none() {
            let flags = OpenFlags {
                read_only: !state.wal_writable && self.read_only,
                create: false,
            };
            state.wal_file = Some(self.io.open(&self.wal_path, flags)?);
            state.wal_writable = !flags.read_only;
        }
        if state.header.is_some_and(|h| h.salt == header.salt) {
            return Ok(());
        }
        let wal = state.wal_file.clone().ok_or_else(no_shared_index)?;
        let buffer = vec![0u8; WAL_HEADER_SIZE].into_boxed_slice();
        let done = io::run_to_completion(self.io.as_ref(), wal.read(0, buffer)?)?;
        let found = done.buffer.as_deref().and_then(WalHeader::decode);
        match found {
            Some(wal_header) if wal_header.salt == header.salt => {
                state.header = Some(wal_header);
                Ok(())
            }
            _ => Err(Error::corrupt(
                "the WAL header does not match the WAL index",
            )),
        }
    }

    /// The database file's size in pages (what a reader sees when the log is empty).
    fn file_pages(&self) -> Result<PageNo> {
        let size = self.lock_file.size()?;
        Ok(size.div_ceil(self.page_size as u64).min(u32::MAX as u64) as PageNo)
    }

    /// Rebuild the shared index from the WAL under WRITE, CKPT and RECOVER.
    fn recover_index(&self, state: &mut State) -> Result<Option<IndexHeader>> {
        let cross = state.cross.as_ref().ok_or_else(no_shared_index)?;
        let had_write = cross.holds_write;
        if !had_write
            && (state.writer.is_some() || !cross.lock(WRITE_LOCK, 1, ShmLock::Exclusive)?)
        {
            return Ok(None);
        }
        let result = self.recover_locked(state);
        if !had_write {
            if let Some(cross) = &state.cross {
                cross.lock(WRITE_LOCK, 1, ShmLock::Unlock)?;
            }
        }
        result
    }

    fn recover_locked(&self, state: &mut State) -> Result<Option<IndexHeader>> {
        let cross = state.cross.as_ref().ok_or_else(no_shared_index)?;
        // Another process may have rebuilt it while this one waited for WRITE.
        if let Some(header) = cross.index.read_header()? {
            self.adopt(state, header)?;
            return Ok(Some(header));
        }
        if cross.holds_checkpoint || !cross.lock(CKPT_LOCK, 2, ShmLock::Exclusive)? {
            return Ok(None);
        }
        let rebuilt = self.rebuild(state);
        if let Some(cross) = &state.cross {
            cross.lock(CKPT_LOCK, 2, ShmLock::Unlock)?;
        }
        rebuilt.map(Some)
    }

    /// Read the whole WAL and write its valid log into the shared index.
    fn rebuild(&self, state: &mut State) -> Result<IndexHeader> {
        if state.wal_file.is_none() && self.io.exists(&self.wal_path)? {
            let flags = OpenFlags {
                read_only: self.read_only,
                create: false,
            };
            state.wal_file = Some(self.io.open(&self.wal_path, flags)?);
            state.wal_writable = !self.read_only;
        }
        let recovered = match &state.wal_file {
            Some(file) => recover(self.io.as_ref(), file.as_ref(), Some(self.page_size))?,
            None => crate::wal::Recovered::default(),
        };
        let cross = state.cross.as_mut().ok_or_else(no_shared_index)?;
        for (at, &pgno) in recovered.frames.iter().enumerate() {
            let frame = at as u32 + 1;
            cross.index.append(frame, pgno, frame - 1)?;
        }
        let max_frame = recovered.frames.len() as u32;
        let header = IndexHeader {
            change: cross.header.map_or(0, |h| h.change).wrapping_add(1),
            big_endian_checksums: recovered
                .header
                .map_or(cfg!(target_endian = "big"), |h| h.big_endian),
            page_size: self.page_size,
            max_frame,
            db_size: recovered.commits.last().map_or(0, |c| c.1),
            frame_checksum: recovered.last_checksum,
            salt: recovered.header.map_or([0, 0], |h| h.salt),
        };
        cross.index.write_header(&header)?;
        cross.index.set_backfill(0)?;
        cross.index.set_backfill_attempted(max_frame)?;
        cross.index.set_read_mark(0, 0)?;
        for i in 1..READ_MARKS {
            cross.try_set_mark(i, if i == 1 { max_frame } else { MARK_NOT_USED })?;
        }
        // Forget what this process saw: the heap index is reloaded from the rebuilt one.
        cross.header = None;
        state.header = recovered.header;
        self.adopt(state, header)?;
        Ok(header)
    }

    /// A read transaction shared with other processes: refresh, then take a read mark.
    pub(super) fn begin_read_cross(&self, id: u64) -> Result<Snapshot> {
        let deadline = Instant::now() + READ_RETRY;
        let mut attempt = 0;
        loop {
            let mut state = self.lock();
            Shared::release_read_mark(&mut state, id);
            if let Some(header) = self.refresh(&mut state)? {
                if let Some(snapshot) = Shared::take_read_mark(&mut state, id, header)? {
                    state.readers.insert(id, snapshot);
                    return Ok(snapshot);
                }
            }
            drop(state);
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(busy("other processes kept the WAL index busy"));
            }
            busy_sleep(attempt, left);
            attempt += 1;
        }
    }

    /// Pick and hold a read mark for a snapshot at `header` (SQLite's choice: mark 0 when the
    /// log is all backfilled, else the largest mark not past the log's end, moved up to it when
    /// a free mark allows). `Ok(None)`: another process changed something meanwhile; retry.
    fn take_read_mark(state: &mut State, id: u64, header: IndexHeader) -> Result<Option<Snapshot>> {
        let cross = state.cross.as_mut().ok_or_else(no_shared_index)?;
        let max_frame = header.max_frame;
        let (slot, mark) = if cross.index.backfill()? == max_frame {
            (0, 0)
        } else {
            let mut best: Option<(usize, u32)> = None;
            for i in 1..READ_MARKS {
                let mark = cross.index.read_mark(i)?;
                if mark <= max_frame && best.is_none_or(|(_, b)| mark > b) {
                    best = Some((i, mark));
                }
            }
            if best.is_none_or(|(_, b)| b < max_frame) {
                for i in 1..READ_MARKS {
                    if cross.try_set_mark(i, max_frame)? {
                        best = Some((i, max_frame));
                        break;
                    }
                }
            }
            match best {
                Some(found) => found,
                None => return Ok(None),
            }
        };
        if !cross.hold_mark(slot)? {
            return Ok(None);
        }
        let still = (slot == 0 || cross.index.read_mark(slot)? == mark)
            && cross.index.read_header()? == Some(header);
        if !still {
            cross.drop_mark(slot)?;
            return Ok(None);
        }
        cross.slots.insert(id, slot);
        Ok(Some(Snapshot {
            max_frame,
            uses_wal: slot != 0,
            db_size: state.db_size,
            commits: state.commits,
        }))
    }

    /// Let go of connection `id`'s read mark, if it holds one (shared mode only).
    pub(super) fn release_read_mark(state: &mut State, id: u64) {
        if let Some(cross) = state.cross.as_mut() {
            if let Some(slot) = cross.slots.remove(&id) {
                // An unlock that fails leaves a lock the process drops when it closes the file.
                let _ = cross.drop_mark(slot);
            }
        }
    }

    /// End the writer's turn: the in-process role and, shared, the WRITE lock.
    pub(super) fn release_writer(state: &mut State) {
        state.writer = None;
        if let Some(cross) = state.cross.as_mut() {
            if cross.holds_write {
                cross.holds_write = false;
                let _ = cross.lock(WRITE_LOCK, 1, ShmLock::Unlock);
            }
        }
    }

    /// Take WRITE for the in-process writer (already set), sleeping without the mutex until
    /// `deadline`; says whether it was taken. Private indexes need nothing.
    pub(super) fn take_write_lock<'a>(
        &'a self,
        state: MutexGuard<'a, State>,
        deadline: Instant,
    ) -> Result<(MutexGuard<'a, State>, bool)> {
        let mut state = state;
        let mut attempt = 0;
        loop {
            let Some(cross) = state.cross.as_mut() else {
                return Ok((state, true));
            };
            if cross.holds_write || cross.lock(WRITE_LOCK, 1, ShmLock::Exclusive)? {
                cross.holds_write = true;
                return Ok((state, true));
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Ok((state, false));
            }
            drop(state);
            busy_sleep(attempt, left);
            attempt += 1;
            state = self.lock();
        }
    }

    /// CKPT for a checkpoint, without waiting (SQLite's checkpoint is busy at once when another
    /// process checkpoints). Private indexes need nothing.
    pub(super) fn take_checkpoint_lock(state: &mut State) -> Result<bool> {
        let Some(cross) = state.cross.as_mut() else {
            return Ok(true);
        };
        if !cross.lock(CKPT_LOCK, 1, ShmLock::Exclusive)? {
            return Ok(false);
        }
        cross.holds_checkpoint = true;
        Ok(true)
    }

    pub(super) fn release_checkpoint_lock(state: &mut State) {
        if let Some(cross) = state.cross.as_mut() {
            if cross.holds_checkpoint {
                cross.holds_checkpoint = false;
                let _ = cross.lock(CKPT_LOCK, 1, ShmLock::Unlock);
            }
        }
    }

    /// The rest of `begin_write` when shared: WRITE (waiting until `deadline`), the latest
    /// header, a read mark, and a restart of the log when everything was backfilled and no one
    /// reads it. On failure the connection is not the writer.
    pub(super) fn begin_write_cross(
        &self,
        id: u64,
        current: Option<Snapshot>,
        deadline: Instant,
    ) -> Result<Snapshot> {
        let mut attempt = 0;
        loop {
            let state = self.lock();
            let (mut state, locked) = match self.take_write_lock(state, deadline) {
                Ok(taken) => taken,
                Err(e) => {
                    Shared::release_writer(&mut self.lock());
                    self.changed.notify_all();
                    return Err(e);
                }
            };
            if !locked {
                Shared::release_writer(&mut state);
                self.changed.notify_all();
                return Err(busy("another process is writing"));
            }
            match self.write_snapshot(&mut state, id, current) {
                Ok(Some(snapshot)) => return Ok(snapshot),
                Ok(None) => {}
                Err(e) => {
                    Shared::release_writer(&mut state);
                    self.changed.notify_all();
                    return Err(e);
                }
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                Shared::release_writer(&mut state);
                self.changed.notify_all();
                return Err(busy("other processes kept the WAL index busy"));
            }
            drop(state);
            busy_sleep(attempt, left);
            attempt += 1;
        }
    }

    fn write_snapshot(
        &self,
        state: &mut State,
        id: u64,
        current: Option<Snapshot>,
    ) -> Result<Option<Snapshot>> {
        let Some(header) = self.refresh(state)? else {
            return Ok(None);
        };
        let mut snapshot = match current {
            // Another process committed since this connection's snapshot.
            Some(current) if current.commits != state.commits => {
                return Err(busy("the read snapshot is not the latest"));
            }
            Some(current) => current,
            None => match Shared::take_read_mark(state, id, header)? {
                Some(snapshot) => snapshot,
                None => return Ok(None),
            },
        };
        let cross = state.cross.as_mut().ok_or_else(no_shared_index)?;
        let file_only = cross.slots.get(&id) == Some(&0);
        let backfill = cross.index.backfill()?;
        if file_only
            && header.max_frame > 0
            && backfill == header.max_frame
            && !state.checkpointing
            && cross.lock_log_readers()?
        {
            let restarted = cross.restart();
            cross.lock(read_lock(1), READ_MARKS - 1, ShmLock::Unlock)?;
            restarted?;
            Shared::forget_frames(state);
            snapshot.max_frame = 0;
        }
        state.readers.insert(id, snapshot);
        Ok(Some(snapshot))
    }

    /// The heap side of a restart: no frames, nothing backfilled, a new generation of tags.
    fn forget_frames(state: &mut State) {
        state.index.clear();
        state.backfilled = 0;
        state.synced_frame = 0;
        state.generation = state.generation.wrapping_add(1);
    }

    /// The WAL header a transaction starting the log (frame 1) writes: the salts a restart put
    /// in the shared index (another process's, or this one's), else the next generation of the
    /// last header, else a new one.
    pub(super) fn next_wal_header(&self, state: &State) -> WalHeader {
        let shared_salt = state
            .cross
            .as_ref()
            .and_then(|c| c.header)
            .map(|h| h.salt)
            .filter(|&salt| salt != [0, 0]);
        match (state.header, shared_salt) {
            (old, Some(salt)) if old.is_none_or(|o| o.salt != salt) => {
                let seq = old.map_or(0, |o| o.checkpoint_seq.wrapping_add(1));
                WalHeader::new(self.page_size, seq, salt)
            }
            (Some(old), _) => old.next_generation(),
            (None, _) => WalHeader::new(self.page_size, 0, [random_u32(), random_u32()]),
        }
    }

    /// Publish a transaction's frames (already in the WAL) to the shared index: page numbers
    /// and hash slots first, then the header that makes them visible.
    pub(super) fn publish_cross(
        state: &mut State,
        pages: &[PageRef],
        header: &WalHeader,
        db_size: PageNo,
        checksum: [u32; 2],
    ) -> Result<()> {
        let Some(cross) = state.cross.as_mut() else {
            return Ok(());
        };
        let before = cross.header.map_or(0, |h| {
            if h.salt == header.salt {
                h.max_frame
            } else {
                0
            }
        });
        for (at, page) in pages.iter().enumerate() {
            cross
                .index
                .append(before + at as u32 + 1, page.pgno(), before)?;
        }
        let published = IndexHeader {
            change: cross.header.map_or(0, |h| h.change).wrapping_add(1),
            big_endian_checksums: header.big_endian,
            page_size: header.page_size,
            max_frame: before + pages.len() as u32,
            db_size,
            frame_checksum: checksum,
            salt: header.salt,
        };
        cross.index.write_header(&published)?;
        cross.header = Some(published);
        Ok(())
    }

    /// A checkpoint shared with other processes (the caller holds CKPT and, unless PASSIVE,
    /// WRITE): copy up to the highest frame no reader of any process still needs, waiting for
    /// readers until `deadline` unless PASSIVE; RESTART and TRUNCATE then wait for the log's
    /// readers to go, and TRUNCATE restarts the log and empties the file. Says whether it was
    /// busy (could not do all its mode asks).
    pub(super) fn run_checkpoint_cross(
        &self,
        id: u64,
        target: CheckpointTarget<'_>,
        mode: CheckpointMode,
        deadline: Instant,
        stats: &mut PagerStats,
    ) -> Result<bool> {
        let waits = mode != CheckpointMode::Passive;
        let mut attempt = 0;
        let mut state = self.lock();
        loop {
            let cross = state.cross.as_ref().ok_or_else(no_shared_index)?;
            let max_frame = cross.header.map_or(0, |h| h.max_frame);
            let backfill = cross.index.backfill()?.min(max_frame);
            state.backfilled = backfill;
            if backfill >= max_frame {
                break;
            }
            let safe = Shared::safe_frame(&state, id, max_frame, backfill)?;
            let cross = state.cross.as_ref().ok_or_else(no_shared_index)?;
            if safe > backfill
                && cross.mark_users[0] == 0
                && cross.lock(read_lock(0), 1, ShmLock::Exclusive)?
            {
                cross.index.set_backfill_attempted(safe)?;
                let copied = self.backfill_to(state, safe, target, stats);
                state = match copied {
                    Ok(state) => state,
                    Err(e) => {
                        let state = self.lock();
                        if let Some(cross) = &state.cross {
                            cross.lock(read_lock(0), 1, ShmLock::Unlock)?;
                        }
                        return Err(e);
                    }
                };
                if let Some(cross) = &state.cross {
                    cross.lock(read_lock(0), 1, ShmLock::Unlock)?;
                }
                if safe == max_frame {
                    break;
                }
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if !waits || left.is_zero() {
                break;
            }
            drop(state);
            busy_sleep(attempt, left);
            attempt += 1;
            state = self.lock();
        }
        if !waits {
            return Ok(false);
        }
        let cross = state.cross.as_ref().ok_or_else(no_shared_index)?;
        if state.backfilled < cross.header.map_or(0, |h| h.max_frame) {
            return Ok(true);
        }
        if mode < CheckpointMode::Restart {
            return Ok(false);
        }
        self.restart_after_checkpoint(state, id, mode == CheckpointMode::Truncate, deadline)
    }

    /// The highest frame a checkpoint may copy: the log's end, lowered to the snapshot of every
    /// reader of this process and to each read mark of another process that cannot be moved.
    fn safe_frame(state: &State, id: u64, max_frame: u32, backfill: u32) -> Result<u32> {
        let mut safe = max_frame;
        for (&reader, mark) in &state.readers {
            if reader != id {
                safe = safe.min(if mark.uses_wal {
                    mark.max_frame
                } else {
                    backfill
                });
            }
        }
        let cross = state.cross.as_ref().ok_or_else(no_shared_index)?;
        for i in 1..READ_MARKS {
            let mark = cross.index.read_mark(i)?;
            if safe > mark {
                let moved = if i == 1 { safe } else { MARK_NOT_USED };
                if !cross.try_set_mark(i, moved)? {
                    safe = mark;
                }
            }
        }
        Ok(safe)
    }

    /// RESTART and TRUNCATE, once everything is backfilled: wait (until `deadline`) for every
    /// reader of the log to go; TRUNCATE then restarts the log and truncates the file.
    fn restart_after_checkpoint<'a>(
        &'a self,
        state: MutexGuard<'a, State>,
        id: u64,
        truncate: bool,
        deadline: Instant,
    ) -> Result<bool> {
        let (mut state, done) = self.wait_until(state, deadline, |s| {
            s.readers
                .iter()
                .all(|(&reader, mark)| reader == id || !mark.uses_wal)
        });
        if !done {
            return Ok(true);
        }
        let mut attempt = 0;
        loop {
            let cross = state.cross.as_mut().ok_or_else(no_shared_index)?;
            if cross.lock_log_readers()? {
                break;
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Ok(true);
            }
            drop(state);
            busy_sleep(attempt, left);
            attempt += 1;
            state = self.lock();
        }
        let restarted = match truncate {
            true => self.truncate_log(&mut state),
            false => Ok(()),
        };
        if let Some(cross) = &state.cross {
            cross.lock(read_lock(1), READ_MARKS - 1, ShmLock::Unlock)?;
        }
        restarted.map(|()| false)
    }

    fn truncate_log(&self, state: &mut State) -> Result<()> {
        let cross = state.cross.as_mut().ok_or_else(no_shared_index)?;
        cross.restart()?;
        Shared::forget_frames(state);
        if let Some(wal) = state.wal_file.clone() {
            io::run_to_completion(self.io.as_ref(), wal.truncate(0)?)?;
        }
        Ok(())
    }
}

fn no_shared_index() -> Error {
    Error::misuse("the database is not shared through a WAL index")
}
