//! The simulation backend: deterministic simulation testing of everything above the I/O trait.
//!
//! All file state lives in memory and one seeded RNG decides everything an OS would: when each
//! submitted operation finishes (completion order and latency), which operations fail and how,
//! and what a crash leaves on disk. The same seed and the same sequence of calls give the same
//! behaviour, bit for bit: no wall clock, no threads, only ordered maps.
//!
//! # Files and durability
//! A path names an inode. Each inode keeps its current bytes (`data`), what a crash would keep
//! for certain (`durable`, the image at its last successful `sync`) and the list of operations
//! since then (`unsynced`). Creating and deleting names is durable at once (as if the directory
//! were synced), which is what SQLite assumes of the filesystem too.
//!
//! # Completion
//! Nothing runs at submission unless the RNG says so (`immediate_percent`): operations queue,
//! `poll` runs a random subset of the queue, `wait` runs at least one, chosen at random. So two
//! writes submitted in order may land in either order, and a `sync` submitted after a write it
//! does not wait for may run before it and not cover it, as on a real OS.
//!
//! # Faults (while [`SimIo::set_faults`] is on)
//! When an operation runs, with `fault_per_10k` chance: a read fails; a write fails without
//! effect, lands short (a prefix is written, then an error) or fails with `SQLITE_FULL`; a sync
//! fails and leaves the file's unsynced changes unsynced. With `crash_per_10k` chance a write or
//! sync crashes the machine instead: it and every later operation fail until [`SimIo::reboot`].
//! [`SimIo::crash`] crashes on demand.
//!
//! # Reboot
//! Each file becomes its durable image; with `reorder_on_crash`, each unsynced operation
//! independently may have reached the disk anyway (in any combination, so later writes can
//! survive earlier ones), and a surviving write may be torn at 512-byte sector granularity.

use super::{lock, Buffer, Completion, File, Io, IoDone, OpenFlags};
use crate::error::{Error, ErrorCode, Result};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

/// A small, fast, seedable RNG (SplitMix64): the simulation's single source of randomness.
#[derive(Debug, Clone)]
pub struct SimRng(u64);

impl SimRng {
    pub fn new(seed: u64) -> SimRng {
        SimRng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 {
            0
        } else {
            self.next_u64() % n
        }
    }

    /// True with probability `per_10k` / 10,000.
    pub fn chance(&mut self, per_10k: u32) -> bool {
        self.below(10_000) < u64::from(per_10k)
    }
}

/// How hostile the simulated machine is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SimConfig {
    /// Chance that an operation finishes at submission.
    pub immediate_percent: u32,
    /// Chance, per operation run while faults are on, of a non-fatal fault.
    pub fault_per_10k: u32,
    /// Chance, per write or sync run while faults are on, of a crash.
    pub crash_per_10k: u32,
    /// Whether unsynced operations may partly survive a crash (see the module documentation).
    pub reorder_on_crash: bool,
}

impl Default for SimConfig {
    fn default() -> Self {
        SimConfig {
            immediate_percent: 30,
            fault_per_10k: 0,
            crash_per_10k: 0,
            reorder_on_crash: false,
        }
    }
}

/// Counters a simulator reads to check that faults surface.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct SimStats {
    pub ops: u64,
    pub faults: u64,
    /// Faults of writes and syncs: a caller always waits for those, so each must surface as an
    /// error. (A failed read may belong to a prefetch nobody needs any more.)
    pub write_faults: u64,
    pub crashes: u64,
}

const SECTOR: usize = 512;

#[derive(Debug, Clone)]
enum Unsynced {
    Write(u64, Vec<u8>),
    Truncate(u64),
}

#[derive(Default)]
struct Inode {
    data: Vec<u8>,
    durable: Vec<u8>,
    unsynced: Vec<Unsynced>,
}

impl Inode {
    fn apply(image: &mut Vec<u8>, op: &Unsynced) {
        match op {
            Unsynced::Write(offset, bytes) => {
                let start = usize::try_from(*offset).unwrap_or(usize::MAX);
                let end = start.saturating_add(bytes.len());
                if image.len() < end {
                    image.resize(end, 0);
                }
                image[start..end].copy_from_slice(bytes);
            }
            Unsynced::Truncate(len) => image.resize(usize::try_from(*len).unwrap_or(0), 0),
        }
    }

    fn record(&mut self, op: Unsynced) {
        Inode::apply(&mut self.data, &op);
        self.unsynced.push(op);
    }
}

enum OpKind {
    Read(u64, Buffer),
    Write(u64, Buffer),
    Sync,
    Truncate(u64),
}

struct Op {
    inode: u64,
    kind: OpKind,
    completion: Completion,
}

struct State {
    config: SimConfig,
    rng: SimRng,
    names: BTreeMap<PathBuf, u64>,
    inodes: BTreeMap<u64, Inode>,
    next_inode: u64,
    queue: Vec<Op>,
    faults_on: bool,
    crashed: bool,
    /// Bumped at every reboot so that connections opened after it never share in-memory WAL
    /// state with those of before (a crash ends the process).
    generation: u64,
    stats: SimStats,
    /// FNV-1a over every operation run and its outcome: the backend's part of the trace.
    trace: u64,
}

fn crashed_error() -> Error {
    Error::io("simulated crash: the machine is down")
}

impl State {
    fn fold(&mut self, words: &[u64]) {
        for w in words {
            for b in w.to_le_bytes() {
                self.trace ^= u64::from(b);
                self.trace = self.trace.wrapping_mul(0x100_0000_01b3);
            }
        }
    }

    /// Decide the fate of a write or sync about to run.
    fn mutation_fault(&mut self) -> Option<u64> {
        if !self.faults_on {
            return None;
        }
        if self.rng.chance(self.config.crash_per_10k) {
            self.crashed = true;
            self.stats.crashes += 1;
            return Some(0);
        }
        if self.rng.chance(self.config.fault_per_10k) {
            self.stats.faults += 1;
            self.stats.write_faults += 1;
            return Some(1 + self.rng.below(3));
        }
        None
    }

    fn run(&mut self, op: Op) {
        self.stats.ops += 1;
        let Op {
            inode,
            kind,
            completion,
        } = op;
        let (result, code) = self.execute(inode, kind);
        let outcome = match &result {
            Ok(done) => done.len as u64,
            Err(e) => 1 << 40 | (e.code as i64 as u64 & 0xff),
        };
        self.fold(&[inode, code, outcome]);
        completion.finish(result);
    }

    fn execute(&mut self, inode: u64, kind: OpKind) -> (Result<IoDone>, u64) {
        if self.crashed {
            return (Err(crashed_error()), 9);
        }
        match kind {
            OpKind::Read(offset, mut buffer) => {
                if self.faults_on && self.rng.chance(self.config.fault_per_10k) {
                    self.stats.faults += 1;
                    return (Err(Error::io("simulated read error")), 1);
                }
                let data = self.inodes.get(&inode).map_or(&[][..], |f| &f.data[..]);
                let start = usize::try_from(offset)
                    .unwrap_or(usize::MAX)
                    .min(data.len());
                let len = buffer.len().min(data.len() - start);
                buffer[..len].copy_from_slice(&data[start..start + len]);
                buffer[len..].fill(0);
                let done = IoDone {
                    buffer: Some(buffer),
                    len,
                };
                (Ok(done), 1)
            }
            OpKind::Write(offset, buffer) => {
                let fault = self.mutation_fault();
                let keep = match fault {
                    Some(0) => return (Err(crashed_error()), 2),
                    Some(1) => return (Err(Error::io("simulated write error")), 2),
                    Some(2) => {
                        return (
                            Err(Error::new(ErrorCode::Full, "database or disk is full")),
                            2,
                        )
                    }
                    Some(_) => self.rng.below(buffer.len() as u64) as usize,
                    None => buffer.len(),
                };
                let file = self.inodes.entry(inode).or_default();
                file.record(Unsynced::Write(offset, buffer[..keep].to_vec()));
                if keep < buffer.len() {
                    return (Err(Error::io("simulated short write")), 2);
                }
                let done = IoDone {
                    len: buffer.len(),
                    buffer: Some(buffer),
                };
                (Ok(done), 2)
            }
            OpKind::Sync => {
                match self.mutation_fault() {
                    Some(0) => return (Err(crashed_error()), 3),
                    Some(_) => return (Err(Error::io("simulated fsync failure")), 3),
                    None => {}
                }
                let file = self.inodes.entry(inode).or_default();
                file.durable = file.data.clone();
                file.unsynced.clear();
                (
                    Ok(IoDone {
                        buffer: None,
                        len: 0,
                    }),
                    3,
                )
            }
            OpKind::Truncate(len) => {
                let file = self.inodes.entry(inode).or_default();
                file.record(Unsynced::Truncate(len));
                (
                    Ok(IoDone {
                        buffer: None,
                        len: 0,
                    }),
                    4,
                )
            }
        }
    }

    fn take_random(&mut self) -> Option<Op> {
        if self.queue.is_empty() {
            return None;
        }
        let at = self.rng.below(self.queue.len() as u64) as usize;
        Some(self.queue.remove(at))
    }
}

static NEXT_ID: AtomicU64 = AtomicU64::new(1);

/// The simulation backend (see the module documentation).
pub struct SimIo {
    id: u64,
    state: Arc<Mutex<State>>,
}

impl SimIo {
    pub fn new(seed: u64, config: SimConfig) -> SimIo {
        SimIo {
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
            state: Arc::new(Mutex::new(State {
                config,
                rng: SimRng::new(seed),
                names: BTreeMap::new(),
                inodes: BTreeMap::new(),
                next_inode: 1,
                queue: Vec::new(),
                faults_on: false,
                crashed: false,
                generation: 0,
                stats: SimStats::default(),
                trace: 0xcbf2_9ce4_8422_2325,
            })),
        }
    }

    /// Restart the RNG: a simulator reseeds per step so that each step's I/O fate depends on
    /// the step, not on how many random choices earlier steps consumed.
    pub fn reseed(&self, seed: u64) {
        lock(&self.state).rng = SimRng::new(seed);
    }

    /// Turn fault injection on or off (checks run with it off).
    pub fn set_faults(&self, on: bool) {
        lock(&self.state).faults_on = on;
    }

    pub fn stats(&self) -> SimStats {
        lock(&self.state).stats
    }

    /// The hash of every operation run so far and its outcome.
    pub fn trace_hash(&self) -> u64 {
        lock(&self.state).trace
    }

    /// Writes, syncs and truncates submitted but not yet run. An engine that reports a commit
    /// (or anything else) done while some are still queued did not wait for its own I/O.
    pub fn pending_mutations(&self) -> usize {
        let state = lock(&self.state);
        state
            .queue
            .iter()
            .filter(|op| !matches!(op.kind, OpKind::Read(..)))
            .count()
    }

    pub fn has_crashed(&self) -> bool {
        lock(&self.state).crashed
    }

    /// Crash now: every operation fails until `reboot`.
    pub fn crash(&self) {
        let mut state = lock(&self.state);
        if !state.crashed {
            state.crashed = true;
            state.stats.crashes += 1;
        }
    }

    /// Bring the machine back: queued operations fail, every file becomes what survived.
    pub fn reboot(&self) {
        let mut state = lock(&self.state);
        state.crashed = true;
        while let Some(op) = state.queue.pop() {
            op.completion.finish(Err(crashed_error()));
        }
        let live: Vec<u64> = state.names.values().copied().collect();
        state.inodes.retain(|id, _| live.contains(id));
        let reorder = state.config.reorder_on_crash;
        let State { inodes, rng, .. } = &mut *state;
        for file in inodes.values_mut() {
            let mut image = std::mem::take(&mut file.durable);
            for op in std::mem::take(&mut file.unsynced) {
                if !reorder || !rng.chance(3_000) {
                    continue;
                }
                match op {
                    Unsynced::Write(offset, bytes) if rng.chance(5_000) => {
                        // A torn write: only some of its sectors reached the platter.
                        for (i, sector) in bytes.chunks(SECTOR).enumerate() {
                            if rng.chance(5_000) {
                                let at = offset + (i * SECTOR) as u64;
                                Inode::apply(&mut image, &Unsynced::Write(at, sector.to_vec()));
                            }
                        }
                    }
                    op => Inode::apply(&mut image, &op),
                }
            }
            file.data = image.clone();
            file.durable = image;
        }
        state.crashed = false;
        state.generation += 1;
        let generation = state.generation;
        state.fold(&[0xc4a5, generation]);
    }

    /// A file's current bytes (what a process reading it now would see).
    pub fn file_bytes(&self, path: impl AsRef<Path>) -> Option<Vec<u8>> {
        let state = lock(&self.state);
        let inode = state.names.get(path.as_ref())?;
        Some(
            state
                .inodes
                .get(inode)
                .map(|f| f.data.clone())
                .unwrap_or_default(),
        )
    }

    fn submit(&self, inode: u64, kind: OpKind) -> Result<Completion> {
        let mut state = lock(&self.state);
        if state.crashed {
            return Err(crashed_error());
        }
        let completion = Completion::pending();
        let op = Op {
            inode,
            kind,
            completion: completion.clone(),
        };
        let percent = u64::from(state.config.immediate_percent);
        if state.rng.below(100) < percent {
            state.run(op);
        } else {
            state.queue.push(op);
        }
        Ok(completion)
    }
}

struct SimFile {
    io: SimIo,
    inode: u64,
}

impl Io for SimIo {
    fn open(&self, path: &Path, flags: OpenFlags) -> Result<Arc<dyn File>> {
        let mut state = lock(&self.state);
        if state.crashed {
            return Err(crashed_error());
        }
        let inode = match state.names.get(path) {
            Some(&inode) => inode,
            None if flags.create && !flags.read_only => {
                let inode = state.next_inode;
                state.next_inode += 1;
                state.names.insert(path.to_path_buf(), inode);
                state.inodes.insert(inode, Inode::default());
                inode
            }
            None => return Err(Error::code(ErrorCode::CantOpen)),
        };
        let io = SimIo {
            id: self.id,
            state: Arc::clone(&self.state),
        };
        Ok(Arc::new(SimFile { io, inode }))
    }

    fn exists(&self, path: &Path) -> Result<bool> {
        Ok(lock(&self.state).names.contains_key(path))
    }

    fn delete(&self, path: &Path) -> Result<()> {
        let mut state = lock(&self.state);
        if state.crashed {
            return Err(crashed_error());
        }
        state.names.remove(path);
        Ok(())
    }

    fn poll(&self) -> Result<()> {
        let mut state = lock(&self.state);
        let queued = std::mem::take(&mut state.queue);
        for op in queued {
            if state.rng.chance(5_000) {
                state.run(op);
            } else {
                state.queue.push(op);
            }
        }
        Ok(())
    }

    fn wait(&self) -> Result<()> {
        let mut state = lock(&self.state);
        if let Some(op) = state.take_random() {
            state.run(op);
        }
        Ok(())
    }

    fn shared_key(&self, path: &Path) -> Result<String> {
        let generation = lock(&self.state).generation;
        Ok(format!("sim#{}.{generation}:{}", self.id, path.display()))
    }
}

impl File for SimFile {
    fn read(&self, offset: u64, buffer: Buffer) -> Result<Completion> {
        self.io.submit(self.inode, OpKind::Read(offset, buffer))
    }

    fn write(&self, offset: u64, buffer: Buffer) -> Result<Completion> {
        self.io.submit(self.inode, OpKind::Write(offset, buffer))
    }

    fn sync(&self) -> Result<Completion> {
        self.io.submit(self.inode, OpKind::Sync)
    }

    fn truncate(&self, len: u64) -> Result<Completion> {
        self.io.submit(self.inode, OpKind::Truncate(len))
    }

    fn size(&self) -> Result<u64> {
        let state = lock(&self.io.state);
        if state.crashed {
            return Err(crashed_error());
        }
        Ok(state.inodes.get(&self.inode).map_or(0, |f| f.data.len()) as u64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::io::run_to_completion;

    fn bytes(b: &[u8]) -> Buffer {
        b.to_vec().into_boxed_slice()
    }

    #[test]
    fn a_crash_keeps_what_was_synced_and_nothing_else() {
        let io = SimIo::new(7, SimConfig::default());
        let file = io.open(Path::new("f"), OpenFlags::default()).unwrap();
        run_to_completion(&io, file.write(0, bytes(b"aaaa")).unwrap()).unwrap();
        run_to_completion(&io, file.sync().unwrap()).unwrap();
        run_to_completion(&io, file.write(4, bytes(b"bbbb")).unwrap()).unwrap();
        assert_eq!(io.file_bytes("f").unwrap(), b"aaaabbbb");
        io.crash();
        assert!(file.write(8, bytes(b"cccc")).is_err());
        io.reboot();
        assert_eq!(io.file_bytes("f").unwrap(), b"aaaa");
    }

    #[test]
    fn the_same_seed_gives_the_same_history() {
        let run = |seed| {
            let config = SimConfig {
                fault_per_10k: 2_000,
                reorder_on_crash: true,
                ..SimConfig::default()
            };
            let io = SimIo::new(seed, config);
            io.set_faults(true);
            let file = io.open(Path::new("f"), OpenFlags::default()).unwrap();
            let pending: Vec<Completion> = (0..20u8)
                .map(|i| file.write(u64::from(i) * 600, bytes(&[i; 600])).unwrap())
                .collect();
            while pending.iter().any(|c| !c.is_finished()) {
                io.wait().unwrap();
            }
            io.crash();
            io.reboot();
            (io.trace_hash(), io.file_bytes("f"), io.stats())
        };
        assert_eq!(run(1), run(1));
        assert_ne!(run(1).0, run(2).0);
    }

    #[test]
    fn completions_finish_out_of_order() {
        let io = SimIo::new(
            3,
            SimConfig {
                immediate_percent: 0,
                ..SimConfig::default()
            },
        );
        let file = io.open(Path::new("f"), OpenFlags::default()).unwrap();
        let completions: Vec<Completion> = (0..8u8)
            .map(|i| file.write(u64::from(i), bytes(&[i])).unwrap())
            .collect();
        let mut order = Vec::new();
        while order.len() < completions.len() {
            io.wait().unwrap();
            for (i, c) in completions.iter().enumerate() {
                if c.is_finished() && !order.contains(&i) {
                    order.push(i);
                }
            }
        }
        assert_ne!(order, (0..8).collect::<Vec<_>>());
    }
}
