//! The sorter's runs on disk: when the records a sorter holds outgrow its memory budget, it
//! sorts them and writes them out as one *run*; at `SorterSort` the runs are merged, so a sort
//! of any size needs memory for one buffer per run being merged, not for every record.
//!
//! A run is a private temporary file, unlinked as soon as it is created (nothing is left
//! behind, whatever happens to the process), holding records in key order, each as a 4-byte
//! little-endian length and the record's bytes.
//!
//! Invariants:
//! - Runs are numbered in the order they were written, and every record of run `i` was
//!   inserted before every record of run `i + 1`. The merge takes equal keys from the lower
//!   run first, so the merged order is the stable order the in-memory sorter gives.
//! - At most `FAN_IN` runs are read at once: more are first merged, oldest first and in
//!   consecutive groups (which keeps the invariant above), into longer runs.

use crate::error::{Error, Result};
use crate::record::{compare_records, KeyInfo};
use std::cmp::Ordering;
use std::collections::BinaryHeap;
use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Seek, SeekFrom, Write};
use std::rc::Rc;
use std::sync::atomic::{AtomicU64, Ordering as AtomicOrdering};

/// Runs merged at once.
const FAN_IN: usize = 16;

/// Bytes buffered per run file, reading or writing.
const BUFFER: usize = 64 * 1024;

/// A sorted run written to a temporary file.
#[derive(Debug)]
pub struct Run {
    file: File,
}

/// Writes records, already in key order, into a new run.
pub struct RunWriter {
    out: BufWriter<File>,
}

impl RunWriter {
    pub fn new() -> Result<RunWriter> {
        Ok(RunWriter {
            out: BufWriter::with_capacity(BUFFER, temp_file()?),
        })
    }

    pub fn push(&mut self, record: &[u8]) -> Result<()> {
        let len = u32::try_from(record.len())
            .map_err(|_| Error::corrupt("a sorter record of 4 GiB or more"))?;
        self.out.write_all(&len.to_le_bytes())?;
        self.out.write_all(record)?;
        Ok(())
    }

    pub fn finish(self) -> Result<Run> {
        let mut file = self
            .out
            .into_inner()
            .map_err(|e| Error::from(e.into_error()))?;
        file.seek(SeekFrom::Start(0))?;
        Ok(Run { file })
    }
}

/// A private temporary file: created in the system's temporary directory and unlinked at
/// once, so it disappears when closed.
fn temp_file() -> Result<File> {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let dir = std::env::temp_dir();
    loop {
        let n = NEXT.fetch_add(1, AtomicOrdering::Relaxed);
        let path = dir.join(format!("basalt-sort-{}-{n}", std::process::id()));
        match std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create_new(true)
            .open(&path)
        {
            Ok(file) => {
                std::fs::remove_file(&path)?;
                return Ok(file);
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e.into()),
        }
    }
}

/// Reads a run's records back in order.
struct RunReader {
    input: BufReader<File>,
}

impl RunReader {
    fn new(run: Run) -> RunReader {
        RunReader {
            input: BufReader::with_capacity(BUFFER, run.file),
        }
    }

    /// The next record into `out`; `false` at the end of the run.
    fn next(&mut self, out: &mut Vec<u8>) -> Result<bool> {
        let mut len = [0u8; 4];
        match self.input.read_exact(&mut len) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => return Ok(false),
            Err(e) => return Err(e.into()),
        }
        out.clear();
        out.resize(u32::from_le_bytes(len) as usize, 0);
        self.input.read_exact(out)?;
        Ok(true)
    }
}

/// One run's current record in the merge heap.
struct Head {
    record: Vec<u8>,
    run: usize,
    key: Rc<KeyInfo>,
}

impl Head {
    /// The merge order: key, then the older run first. Records were checked when inserted,
    /// so a comparison error cannot happen here; it would order them equal.
    fn order(&self, other: &Head) -> Ordering {
        compare_records(&self.record, &other.record, &self.key)
            .unwrap_or(Ordering::Equal)
            .then(self.run.cmp(&other.run))
    }
}

impl PartialEq for Head {
    fn eq(&self, other: &Head) -> bool {
        self.order(other) == Ordering::Equal
    }
}

impl Eq for Head {}

impl PartialOrd for Head {
    fn partial_cmp(&self, other: &Head) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Head {
    /// Reversed: `BinaryHeap` pops the greatest, the merge wants the least.
    fn cmp(&self, other: &Head) -> Ordering {
        other.order(self)
    }
}

/// The records of several runs, merged into one stream in key order.
pub struct Merger {
    readers: Vec<RunReader>,
    heap: BinaryHeap<Head>,
    /// The record the stream is on; `None` past the end.
    current: Option<Head>,
}

impl std::fmt::Debug for Merger {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Merger({} runs)", self.readers.len())
    }
}

impl Merger {
    /// Merges `runs` (oldest first), first reducing them to `FAN_IN` by merging into longer
    /// runs; the stream is on its first record afterwards.
    pub fn new(mut runs: Vec<Run>, key: &KeyInfo) -> Result<Merger> {
        let key = Rc::new(key.clone());
        while runs.len() > FAN_IN {
            let mut longer = Vec::with_capacity(runs.len().div_ceil(FAN_IN));
            let mut rest = runs.into_iter().peekable();
            while rest.peek().is_some() {
                let group: Vec<Run> = rest.by_ref().take(FAN_IN).collect();
                longer.push(merge_into_run(group, &key)?);
            }
            runs = longer;
        }
        Merger::open(runs, key)
    }

    fn open(runs: Vec<Run>, key: Rc<KeyInfo>) -> Result<Merger> {
        let mut merger = Merger {
            readers: runs.into_iter().map(RunReader::new).collect(),
            heap: BinaryHeap::new(),
            current: None,
        };
        for run in 0..merger.readers.len() {
            let mut record = Vec::new();
            if merger.readers[run].next(&mut record)? {
                merger.heap.push(Head {
                    record,
                    run,
                    key: Rc::clone(&key),
                });
            }
        }
        merger.current = merger.heap.pop();
        Ok(merger)
    }

    /// The record the stream is on (empty past the end).
    pub fn current(&self) -> &[u8] {
        self.current.as_ref().map_or(&[], |h| &h.record)
    }

    pub fn is_on_record(&self) -> bool {
        self.current.is_some()
    }

    /// Moves to the next record; whether there is one.
    pub fn advance(&mut self) -> Result<bool> {
        if let Some(mut head) = self.current.take() {
            // The run's next record reuses the buffer of the one just passed.
            if self.readers[head.run].next(&mut head.record)? {
                self.heap.push(head);
            }
        }
        self.current = self.heap.pop();
        Ok(self.current.is_some())
    }
}

/// Merges a group of runs into one.
fn merge_into_run(runs: Vec<Run>, key: &Rc<KeyInfo>) -> Result<Run> {
    let mut merger = Merger::open(runs, Rc::clone(key))?;
    let mut out = RunWriter::new()?;
    while merger.is_on_record() {
        out.push(merger.current())?;
        merger.advance()?;
    }
    out.finish()
}
