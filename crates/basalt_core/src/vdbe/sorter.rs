//! The sorter behind ORDER BY, GROUP BY and index builds: records collected by `SorterInsert`
//! (or `IdxInsert`), sorted once by `SorterSort`, then read in order.
//!
//! Each record's key columns are decoded once, when it is inserted, so that sorting compares
//! decoded values instead of re-reading two record headers at every comparison; the records
//! themselves live in one byte arena rather than one allocation each.
//!
//! Memory is bounded: once the records held outgrow the sorter's budget, they are sorted and
//! written out as a run (`spill.rs`), and `sort` merges the runs; the merged stream is read
//! forward only, which is all the code generator asks of a sorter.
//!
//! Sorting leaves the records where they are: it lists their places in the arena in order
//! (`sorted`), and the sorter's index structures (`entries`, `rest`) are freed.
//!
//! Invariants:
//! - Records are all inserted before the sort; `sorted` is empty until then.
//! - `entries[i]` describes one record: `seq` is its insertion number, its bytes are
//!   `arena[bounds[seq]..bounds[seq + 1]]`, its first key field is `first` and its other key
//!   fields are `rest[seq * (width - 1)..][..width - 1]` (`width`: the number of key columns).
//!   `bounds` starts at `[0]` and gains the arena's length with each record.
//! - Text and blob key fields are ranges of `arena` inside their own record.
//! - The sorted order is the records' order under the key (`compare_records`), records the key
//!   finds equal in insertion order: exactly what a stable sort of the records gives, which is
//!   the order the engine has always produced and the tests compare with SQLite's.
//! - A record shorter than the key ends its key with `Missing`; like `compare_records`, a
//!   comparison stops (equal) at the first field either record lacks.

use super::radix;
use super::spill::{Merger, Run, RunWriter};
use crate::error::{Error, Result};
use crate::record::{encode_record, KeyInfo, RecordIter, SortOrder, ValueRef};
use std::cmp::Ordering;

/// One decoded key field of a record in the arena.
#[derive(Clone, Copy, Debug)]
enum Field {
    /// The record has no such column.
    Missing,
    Null,
    Integer(i64),
    Real(f64),
    Text {
        start: usize,
        len: u32,
    },
    Blob {
        start: usize,
        len: u32,
    },
}

impl Field {
    /// The field as a value borrowing the arena; `None` when it is missing.
    #[inline]
    fn get(self, arena: &[u8]) -> Option<ValueRef<'_>> {
        Some(match self {
            Field::Missing => return None,
            Field::Null => ValueRef::Null,
            Field::Integer(i) => ValueRef::Integer(i),
            Field::Real(r) => ValueRef::Real(r),
            Field::Text { start, len } => ValueRef::Text(arena.get(start..start + len as usize)?),
            Field::Blob { start, len } => ValueRef::Blob(arena.get(start..start + len as usize)?),
        })
    }
}

/// Where a record is in the arena.
#[derive(Clone, Copy, Debug)]
struct Span {
    start: usize,
    end: usize,
}

#[derive(Clone, Copy, Debug)]
struct Entry {
    /// Kept in the entry (not in `rest`) so that the sort mostly reads the entries alone.
    first: Field,
    seq: usize,
}

#[derive(Debug)]
pub struct Sorter {
    key: KeyInfo,
    arena: Vec<u8>,
    bounds: Vec<usize>,
    entries: Vec<Entry>,
    rest: Vec<Field>,
    /// After `sort` (in memory): the records' places in the arena, in order.
    sorted: Vec<Span>,
    /// The record the cursor is on (in `sorted`); `sorted.len()` when past the end.
    at: usize,
    /// Bytes of records (and their decoded keys) held in memory before they are spilled.
    budget: usize,
    /// Runs written so far, oldest first.
    spilled: Vec<Run>,
    /// How many runs were written in all (`spilled` is emptied by `sort`).
    runs_written: usize,
    /// After `sort`, when records were spilled: the merged stream the cursor reads.
    merger: Option<Merger>,
}

impl Sorter {
    /// A sorter that keeps about `budget` bytes in memory before spilling a run to disk.
    pub fn new(key: KeyInfo, budget: usize) -> Sorter {
        Sorter {
            key,
            arena: Vec::new(),
            bounds: vec![0],
            entries: Vec::new(),
            rest: Vec::new(),
            sorted: Vec::new(),
            at: 0,
            budget,
            spilled: Vec::new(),
            runs_written: 0,
            merger: None,
        }
    }

    /// Runs written to disk so far.
    pub fn runs_written(&self) -> usize {
        self.runs_written
    }

    /// What the records in memory take, roughly.
    fn memory(&self) -> usize {
        self.arena.len()
            + self.entries.len() * std::mem::size_of::<Entry>()
            + self.rest.len() * std::mem::size_of::<Field>()
            + self.bounds.len() * std::mem::size_of::<usize>()
    }

    /// Sorts the records in memory and writes them out as a run.
    fn spill(&mut self) -> Result<()> {
        self.sort_in_memory();
        let mut run = RunWriter::new()?;
        for span in &self.sorted {
            run.push(&self.arena[span.start..span.end])?;
        }
        self.spilled.push(run.finish()?);
        self.runs_written += 1;
        self.arena.clear();
        self.bounds.truncate(1);
        self.sorted.clear();
        Ok(())
    }

    /// Adds a record, decoding its key columns; a corrupt record is an error and adds nothing.
    pub fn push(&mut self, record: &[u8]) -> Result<()> {
        let base = self.arena.len();
        self.arena.extend_from_slice(record);
        self.add_entry(base, None)
    }

    /// Adds the record of `values` (what `MakeRecord` would make of them), encoded straight
    /// into the arena.
    pub fn push_values(&mut self, values: &[ValueRef<'_>]) -> Result<()> {
        let base = self.arena.len();
        encode_record(values, &mut self.arena);
        self.add_entry(base, Some(values))
    }

    /// Adds the entry of the record just written at `arena[base..]`. Its key fields are taken
    /// from `values`, the values it encodes, when those are numbers or NULLs (which read back
    /// as they are), else decoded from the record. A corrupt record is taken back out and is
    /// an error.
    fn add_entry(&mut self, base: usize, values: Option<&[ValueRef<'_>]>) -> Result<()> {
        if !self.sorted.is_empty() || self.merger.is_some() {
            self.arena.truncate(base);
            return Err(Error::new(
                crate::error::ErrorCode::Internal,
                "a record inserted into a sorter after its sort",
            ));
        }
        let rest_len = self.rest.len();
        let width = self.key.len();
        let numbers = values.filter(|v| v.iter().take(width).all(|v| numeric_field(*v).is_some()));
        let first = match numbers {
            Some(values) => {
                let field = |i: usize| {
                    values
                        .get(i)
                        .and_then(|v| numeric_field(*v))
                        .unwrap_or(Field::Missing)
                };
                self.rest.extend((1..width).map(field));
                Ok(field(0))
            }
            None => decode_key(&self.arena[base..], base, width, &mut self.rest),
        };
        let first = match first {
            Ok(first) => first,
            Err(e) => {
                self.rest.truncate(rest_len);
                self.arena.truncate(base);
                return Err(e);
            }
        };
        self.bounds.push(self.arena.len());
        self.entries.push(Entry {
            first,
            seq: self.entries.len(),
        });
        if self.memory() > self.budget {
            self.spill()?;
        }
        Ok(())
    }

    /// Sorts the records (see the module's invariants for the order), merging the runs
    /// spilled to disk if there are any.
    pub fn sort(&mut self) -> Result<()> {
        self.at = 0;
        if self.spilled.is_empty() {
            self.sort_in_memory();
            return Ok(());
        }
        if !self.entries.is_empty() {
            self.spill()?;
        }
        let runs = std::mem::take(&mut self.spilled);
        self.merger = Some(Merger::new(runs, &self.key)?);
        Ok(())
    }

    /// Moves to the first (or last) record; whether there is one.
    pub fn rewind(&mut self, last: bool) -> Result<bool> {
        if let Some(merger) = &self.merger {
            if last || self.at > 0 {
                return Err(walk_refused());
            }
            return Ok(merger.is_on_record());
        }
        self.at = if last {
            self.sorted.len().saturating_sub(1)
        } else {
            0
        };
        Ok(!self.sorted.is_empty())
    }

    /// Moves forward (or back); whether the sorter is still on a record.
    pub fn advance(&mut self, forward: bool) -> Result<bool> {
        if let Some(merger) = &mut self.merger {
            if !forward {
                return Err(walk_refused());
            }
            self.at = 1;
            return merger.advance();
        }
        Ok(if forward {
            self.at += 1;
            self.at < self.sorted.len()
        } else if self.at == 0 {
            self.at = self.sorted.len();
            false
        } else {
            self.at -= 1;
            true
        })
    }

    /// Whether the sorter is on a record.
    pub fn is_on_record(&self) -> bool {
        match &self.merger {
            Some(merger) => merger.is_on_record(),
            None => self.at < self.sorted.len(),
        }
    }

    /// Lists the records in memory in order (`sorted`) and empties the entries. With no
    /// entries there is nothing to do: a second sort keeps the first one's list.
    fn sort_in_memory(&mut self) {
        if self.entries.is_empty() {
            return;
        }
        self.sorted = match self.sort_by_ranks() {
            Some(sorted) => sorted,
            None => self.sort_by_comparisons(),
        };
        self.entries = Vec::new();
        self.rest = Vec::new();
        self.bounds.truncate(1);
    }

    /// Where record number `seq` is in the arena.
    fn span(&self, seq: usize) -> Span {
        Span {
            start: self.bounds[seq],
            end: self.bounds[seq + 1],
        }
    }

    /// Sorts the entries by comparing their decoded keys, which serves any key.
    fn sort_by_comparisons(&mut self) -> Vec<Span> {
        let Sorter {
            key,
            arena,
            entries,
            rest,
            ..
        } = self;
        let width = key.len().saturating_sub(1);
        entries.sort_unstable_by(|a, b| {
            let ordering = compare_fields(a, b, key, arena, rest, width);
            ordering.then(a.seq.cmp(&b.seq))
        });
        self.entries.iter().map(|e| self.span(e.seq)).collect()
    }

    /// The common ORDER BY or GROUP BY on one or two numeric columns (each all integers or all
    /// reals: no NULL, no mix): every key becomes plain unsigned numbers in the key's order,
    /// which a radix sort orders (`radix.rs`). None, having changed nothing, for any other key.
    ///
    /// The keys, the sort's scratch space and the sorted list take over the memory of the
    /// entries and of `rest` (collected in place: same or smaller items, same alignment) as
    /// far as they can, since fresh memory costs a page fault per 4 KiB.
    fn sort_by_ranks(&mut self) -> Option<Vec<Span>> {
        let columns = self.key.len();
        if !(1..=2).contains(&columns) {
            return None;
        }
        let width = columns - 1;
        for column in 0..columns {
            let fields: &mut dyn Iterator<Item = Field> = match column {
                0 => &mut self.entries.iter().map(|e| e.first),
                _ => &mut self.rest.iter().copied(),
            };
            column_kind(fields)?;
        }
        let desc = [0, 1].map(|c| {
            self.key
                .columns
                .get(c)
                .is_some_and(|k| k.order == SortOrder::Desc)
        });
        let rank = |field: Field, column: usize| numeric_rank(field, desc[column]);
        // Entries are still in insertion order here, which the radix sort keeps among equals;
        // with two columns, `rest[i]` is entry i's second field.
        debug_assert!(self.entries.iter().enumerate().all(|(i, e)| e.seq == i));
        debug_assert_eq!(self.rest.len(), self.entries.len() * width);
        let entries = std::mem::take(&mut self.entries);
        let rest = std::mem::take(&mut self.rest);
        let ranks = || {
            entries
                .iter()
                .zip(&rest)
                .map(|(e, f)| [rank(e.first, 0), rank(*f, 1)])
        };
        let sorted = if width == 0 {
            // One column: (rank, seq) pairs sort in the entries' memory.
            let keys: Vec<(u64, usize)> = entries
                .into_iter()
                .map(|e| (rank(e.first, 0), e.seq))
                .collect();
            self.sort_keys(keys, Vec::new(), 8, |k, d| (k.0 >> (56 - 8 * d)) as u8)
        } else if let Some(packing) = Packing::of(ranks()) {
            // Two columns whose varying bits fit in 64 together: (packed ranks, seq) pairs,
            // half the memory moved of two words, sort in `rest`'s memory with the entries'
            // as scratch.
            let keys: Vec<(u64, usize)> = rest
                .into_iter()
                .zip(&entries)
                .map(|(f, e)| (packing.pack([rank(e.first, 0), rank(f, 1)]), e.seq))
                .collect();
            let scratch = entries.into_iter().map(|_| (0, 0)).collect();
            self.sort_keys(keys, scratch, 8, |k, d| (k.0 >> (56 - 8 * d)) as u8)
        } else {
            let keys: Vec<([u64; 2], usize)> = entries
                .into_iter()
                .zip(rest)
                .map(|(e, f)| ([rank(e.first, 0), rank(f, 1)], e.seq))
                .collect();
            self.sort_keys(keys, Vec::new(), 16, |k, d| {
                (k.0[d / 8] >> (56 - 8 * (d % 8))) as u8
            })
        };
        Some(sorted)
    }

    /// Radix-sorts `(key, seq)` pairs (`scratch`: spare memory for the sort, grown to their
    /// number) and lists the records in their order, in the pairs' memory.
    fn sort_keys<K: Copy + Default>(
        &self,
        mut keys: Vec<(K, usize)>,
        mut scratch: Vec<(K, usize)>,
        digits: usize,
        digit: impl Fn(&(K, usize), usize) -> u8,
    ) -> Vec<Span> {
        scratch.resize(keys.len(), (K::default(), 0));
        radix::sort(&mut keys, &mut scratch, digits, digit);
        drop(scratch);
        keys.into_iter().map(|k| self.span(k.1)).collect()
    }

    /// The record of the entry the cursor is on (empty past the end).
    pub fn current(&self) -> &[u8] {
        if let Some(merger) = &self.merger {
            return merger.current();
        }
        self.sorted
            .get(self.at)
            .and_then(|span| self.arena.get(span.start..span.end))
            .unwrap_or(&[])
    }
}

/// How a two-column key of ranks packs into one `u64` in the same order. Bits above the
/// highest bit that varies in a column, and below its lowest, are the same in every key, so
/// they order nothing: each column keeps only its `bits` varying bits, from `low` up, the
/// first column's above the second's.
#[derive(Clone, Copy, Debug)]
struct Packing {
    low: [u32; 2],
    bits: [u32; 2],
}

impl Packing {
    /// The packing of these keys, `None` when their varying bits do not fit in 64.
    fn of(mut keys: impl Iterator<Item = [u64; 2]>) -> Option<Packing> {
        let first = keys.next().unwrap_or_default();
        let mut varying = [0u64; 2];
        for key in keys {
            varying[0] |= key[0] ^ first[0];
            varying[1] |= key[1] ^ first[1];
        }
        let low = varying.map(|v| if v == 0 { 0 } else { v.trailing_zeros() });
        let bits = [0, 1].map(|c| {
            if varying[c] == 0 {
                0
            } else {
                64 - varying[c].leading_zeros() - low[c]
            }
        });
        (bits[0] + bits[1] <= 64).then_some(Packing { low, bits })
    }

    fn pack(&self, key: [u64; 2]) -> u64 {
        let part = |c: usize| (key[c] >> self.low[c]) & low_bits(self.bits[c]);
        // `bits[0] + bits[1] <= 64`: the first column's part shifted by the second's width
        // stays inside 64 bits (u128 only because a shift by 64 is not defined on u64).
        (((part(0) as u128) << self.bits[1]) | part(1) as u128) as u64
    }
}

/// A mask of the `n` lowest bits (`n <= 64`).
fn low_bits(n: u32) -> u64 {
    u64::MAX.checked_shr(64 - n).unwrap_or(0)
}

/// A merged stream of spilled runs is read once, forward: the code generator never asks more.
fn walk_refused() -> Error {
    Error::not_supported("walking a sorter that spilled to disk backwards or twice")
}

/// Whether a column's fields are all integers or all reals (which `numeric_rank` orders), and
/// which; None for any other column.
fn column_kind(mut fields: impl Iterator<Item = Field>) -> Option<bool> {
    let integers = match fields.next() {
        Some(Field::Integer(_)) | None => true,
        Some(Field::Real(_)) => false,
        Some(_) => return None,
    };
    fields
        .all(|f| match f {
            Field::Integer(_) => integers,
            Field::Real(_) => !integers,
            _ => false,
        })
        .then_some(integers)
}

/// A numeric key field as an unsigned number in its column's order (every bit flipped for
/// DESC): integers with the sign bit flipped; reals by the bits of the IEEE order (negative
/// ones all flipped, others with the sign bit set), -0.0 taken as 0.0 since they compare
/// equal. Records hold no NaN. Within one column all fields are integers or all are reals.
fn numeric_rank(field: Field, desc: bool) -> u64 {
    let rank = match field {
        Field::Integer(i) => (i as u64) ^ (1 << 63),
        Field::Real(r) => {
            let bits = if r == 0.0 { 0 } else { r.to_bits() };
            if bits >> 63 == 1 {
                !bits
            } else {
                bits | (1 << 63)
            }
        }
        _ => {
            debug_assert!(false, "numeric_rank of a non-numeric field");
            0
        }
    };
    if desc {
        !rank
    } else {
        rank
    }
}

/// A key field that is a number or NULL, as its record reads it back (a NaN is stored as
/// NULL); `None` for text and blobs, whose fields are places in the arena.
fn numeric_field(v: ValueRef<'_>) -> Option<Field> {
    match v {
        ValueRef::Null => Some(Field::Null),
        ValueRef::Integer(i) => Some(Field::Integer(i)),
        ValueRef::Real(r) if r.is_nan() => Some(Field::Null),
        ValueRef::Real(r) => Some(Field::Real(r)),
        ValueRef::Text(_) | ValueRef::Blob(_) => None,
    }
}

/// Decodes the `width` key fields of `record`, which is at `base` in the arena: the first is
/// returned, the others pushed on `rest`.
fn decode_key(record: &[u8], base: usize, width: usize, rest: &mut Vec<Field>) -> Result<Field> {
    let mut columns = RecordIter::new(record)?;
    let mut first = Field::Missing;
    for i in 0..width {
        let field = next_field(&mut columns, base)?;
        if i == 0 {
            first = field;
        } else {
            rest.push(field);
        }
    }
    Ok(first)
}

/// Reads the next column of a record that is at `base` in the arena.
#[inline]
fn next_field(columns: &mut RecordIter<'_>, base: usize) -> Result<Field> {
    let start = columns.body_pos();
    let Some(value) = columns.next_value()? else {
        return Ok(Field::Missing);
    };
    let len = u32::try_from(columns.body_pos() - start)
        .map_err(|_| crate::Error::corrupt("a sorter key field of 4 GiB or more"))?;
    let start = base + start;
    Ok(match value {
        ValueRef::Null => Field::Null,
        ValueRef::Integer(i) => Field::Integer(i),
        ValueRef::Real(r) => Field::Real(r),
        ValueRef::Text(_) => Field::Text { start, len },
        ValueRef::Blob(_) => Field::Blob { start, len },
    })
}

/// Compares two entries' keys, column by column, stopping equal at a missing field.
#[inline]
fn compare_fields(
    a: &Entry,
    b: &Entry,
    key: &KeyInfo,
    arena: &[u8],
    rest: &[Field],
    width: usize,
) -> Ordering {
    let Some((first_column, other_columns)) = key.columns.split_first() else {
        return Ordering::Equal;
    };
    let ordering = compare_field(a.first, b.first, *first_column, arena);
    if ordering != Some(Ordering::Equal) {
        return ordering.unwrap_or(Ordering::Equal);
    }
    let a_rest = &rest[a.seq * width..][..width];
    let b_rest = &rest[b.seq * width..][..width];
    for ((&x, &y), &column) in a_rest.iter().zip(b_rest).zip(other_columns) {
        match compare_field(x, y, column, arena) {
            Some(Ordering::Equal) => {}
            Some(ordering) => return ordering,
            None => break,
        }
    }
    Ordering::Equal
}

/// Compares two fields of one key column; `None` when either is missing. Integers (the common
/// and reals (the common keys) skip the general value comparison.
#[inline]
fn compare_field(
    x: Field,
    y: Field,
    column: crate::record::KeyColumn,
    arena: &[u8],
) -> Option<Ordering> {
    let ordering = match (x, y) {
        (Field::Integer(i), Field::Integer(j)) => i.cmp(&j),
        // Records hold no NaN, so reals are totally ordered.
        (Field::Real(r), Field::Real(q)) => r.partial_cmp(&q).unwrap_or(Ordering::Equal),
        _ => crate::record::compare_values(x.get(arena)?, y.get(arena)?, column.collation),
    };
    Some(match column.order {
        SortOrder::Asc => ordering,
        SortOrder::Desc => ordering.reverse(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Packed keys order as the (first, second) pairs they come from, whichever bits vary.
    #[test]
    fn packing_keeps_the_order_of_pairs() {
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let masks = [
            (0xffff_0000_0000_0000, 0xffff_ffff),
            (0x00ff_ff00, 0x0f0f),
            (0, u64::MAX),
            (u64::MAX, 0),
            (0x8000_0000_0000_0001, 0),
            (0x0100_0000, 0x8000_0000_0000_0000),
        ];
        for (m0, m1) in masks {
            let base = [next(), next()];
            let keys: Vec<[u64; 2]> = (0..500)
                .map(|_| [base[0] ^ (next() & m0), base[1] ^ (next() & m1)])
                .collect();
            let packing = Packing::of(keys.iter().copied()).expect("the varying bits fit");
            for a in &keys {
                for b in keys.iter().take(50) {
                    assert_eq!(
                        packing.pack(*a).cmp(&packing.pack(*b)),
                        a.cmp(b),
                        "{a:x?} {b:x?} masks {m0:#x} {m1:#x}"
                    );
                }
            }
        }
        // The span of the varying bits counts, not how many vary: 64 + 1 bits do not fit.
        let wide = [[0, 0], [0x8000_0000_0000_0001, 1]];
        assert!(Packing::of(wide.into_iter()).is_none());
    }
}
