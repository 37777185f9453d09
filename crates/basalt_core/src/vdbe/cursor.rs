//! The VM's cursors: a b-tree cursor, or one of the in-memory structures a statement builds for
//! itself (ephemeral tables and indexes, sorters).
//!
//! Invariants:
//! - `header` caches the parsed header of the current entry's record (read in place when it
//!   can be, `record_in_place`, else copied into `record`; `source` says which); every move
//!   clears `cached`, so a
//!   `Column` never reads a stale row. Filling the cache may return `IoPending`, and is simply redone.
//! - A cursor in the null-row state (LEFT JOIN without a match) reads NULL for every column and
//!   rowid until its next move.
//! - Ephemeral structures never do I/O, so their operations cannot be interrupted half-way.

use super::sorter::Sorter;
use crate::btree::Cursor;
use crate::error::Result;
use crate::pager::{PageNo, Pager};
use crate::record::{compare_records, compare_unpacked, KeyInfo, RecordHeader, Value, ValueRef};
use crate::schema::Db;
use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet};
use std::ops::Bound;
use std::rc::Rc;

/// A record ordered by a shared `KeyInfo`; an undecodable record sorts as equal (it cannot occur:
/// ephemeral records are made by `MakeRecord`).
#[derive(Clone, Debug)]
pub struct OrderedRecord {
    pub bytes: Vec<u8>,
    pub key: Rc<KeyInfo>,
}

impl PartialEq for OrderedRecord {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for OrderedRecord {}
impl PartialOrd for OrderedRecord {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for OrderedRecord {
    fn cmp(&self, other: &Self) -> Ordering {
        compare_records(&self.bytes, &other.bytes, &self.key).unwrap_or(Ordering::Equal)
    }
}

#[derive(Debug)]
pub enum Kind {
    BTree(Cursor),
    /// Rows by rowid.
    EphTable {
        rows: BTreeMap<i64, Vec<u8>>,
        at: Option<i64>,
    },
    /// A set of records.
    EphIndex {
        set: BTreeSet<OrderedRecord>,
        key: Rc<KeyInfo>,
        at: Option<OrderedRecord>,
    },
    Sorter(Sorter),
}

/// Where the current entry's record is: an index entry (the b-tree cursor keeps its key), a
/// table row a step along a leaf reached (in the cursor's copy of the leaf), an ephemeral set's
/// and a sorter's are read in place, since they stay put until the cursor moves; any other
/// table row and an ephemeral table's row are copied into `VCursor::record` by `load` (`None`
/// here). Inlined into `Column`'s read, which calls it for every column of a scanned row.
#[inline(always)]
fn record_in_place(kind: &Kind) -> Option<&[u8]> {
    match kind {
        Kind::BTree(c) if c.is_table() => c.row_in_place(),
        Kind::BTree(c) if c.is_valid() => Some(c.key()),
        Kind::EphIndex { at: Some(r), .. } => Some(&r.bytes),
        Kind::Sorter(sorter) => Some(sorter.current()),
        _ => None,
    }
}

/// Where the loaded entry's record is (`VCursor::source`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Source {
    /// In `VCursor::record`.
    Copy,
    /// A table row a step along a leaf reached: in the b-tree cursor's copy of the leaf
    /// (`Cursor::leaf_copy`), from `VCursor::base` on. `record_in_place` finds it too; `Column`
    /// reads it through the whole copy, adding `base` to the header's offsets.
    Leaf,
    /// Where `record_in_place` finds it.
    InPlace,
}

/// The loaded entry's record: the copy, or where `record_in_place` finds it.
#[inline]
fn record_of<'a>(kind: &'a Kind, copy: &'a [u8], source: Source) -> &'a [u8] {
    match source {
        Source::Copy => copy,
        Source::Leaf | Source::InPlace => record_in_place(kind).unwrap_or(copy),
    }
}

#[derive(Debug)]
pub struct VCursor {
    pub kind: Kind,
    /// The order of a b-tree index cursor's entries.
    pub key_info: Option<KeyInfo>,
    pub null_row: bool,
    /// The database of a b-tree cursor (ephemeral structures say `Main` and use no pager).
    pub db: Db,
    /// A table cursor's values for fields its records are too short to hold (`None`: NULL).
    pub defaults: Option<std::sync::Arc<[Value]>>,
    record: Vec<u8>,
    header: RecordHeader,
    cached: bool,
    /// Where the cached record is, so that `column_loaded` reads a copied record or a scan's
    /// row without `record_in_place`'s match on the kind.
    source: Source,
    /// Where the record starts in the leaf copy (`Source::Leaf` only).
    base: usize,
}

impl VCursor {
    pub fn new(kind: Kind) -> VCursor {
        VCursor {
            kind,
            key_info: None,
            null_row: false,
            db: Db::Main,
            defaults: None,
            record: Vec::new(),
            header: RecordHeader::new(),
            cached: false,
            source: Source::Copy,
            base: 0,
        }
    }

    /// A b-tree cursor on `root` in database `db` (an index when `key` is given), made from
    /// `spare` (a closed cursor, whose buffers are kept) when there is one.
    pub fn btree(
        spare: Option<Box<VCursor>>,
        root: PageNo,
        key: Option<&KeyInfo>,
        db: Db,
    ) -> Box<VCursor> {
        let mut c =
            spare.unwrap_or_else(|| Box::new(VCursor::new(Kind::BTree(Cursor::new_table(root)))));
        match &mut c.kind {
            Kind::BTree(b) => b.reopen(root, key),
            other => {
                let mut b = Cursor::new_table(root);
                b.reopen(root, key);
                *other = Kind::BTree(b);
            }
        }
        KeyInfo::copy_into(key, &mut c.key_info);
        c.null_row = false;
        c.db = db;
        c.defaults = None;
        c.cached = false;
        c
    }

    /// Whether this is a b-tree cursor on tree `root` of `db`.
    pub fn is_on(&self, root: PageNo, db: Db) -> bool {
        matches!(&self.kind, Kind::BTree(b) if b.root() == root && self.db == db)
    }

    /// Forget the cached record: the cursor moved.
    pub fn moved(&mut self) {
        self.cached = false;
        self.null_row = false;
    }

    /// Makes the current entry's record and header ready, once per move; whether there is one.
    #[inline(always)]
    fn load(&mut self, pager: &mut Pager) -> Result<bool> {
        if self.cached {
            return Ok(true);
        }
        self.load_entry(pager)
    }

    #[inline(never)]
    fn load_entry(&mut self, pager: &mut Pager) -> Result<bool> {
        // Whether there is an entry, and where its record is.
        let (on_entry, source) = match &mut self.kind {
            Kind::BTree(c) if c.is_table() && c.is_valid() => match c.stepped_range(pager) {
                Some(range) => {
                    self.base = range.start;
                    (true, Source::Leaf)
                }
                None => {
                    c.payload(pager, &mut self.record)?;
                    (true, Source::Copy)
                }
            },
            Kind::BTree(c) => (c.is_valid(), Source::InPlace),
            Kind::EphTable { rows, at } => match at.and_then(|r| rows.get(&r)) {
                Some(bytes) => {
                    self.record.clone_from(bytes);
                    (true, Source::Copy)
                }
                None => (false, Source::Copy),
            },
            Kind::EphIndex { at, .. } => (at.is_some(), Source::InPlace),
            Kind::Sorter(sorter) => (sorter.is_on_record(), Source::InPlace),
        };
        if on_entry {
            self.source = source;
            debug_assert_eq!(
                source == Source::Copy,
                record_in_place(&self.kind).is_none()
            );
            self.header
                .parse(record_of(&self.kind, &self.record, source))?;
            self.cached = true;
        }
        Ok(on_entry)
    }

    /// The current entry's record once `load` found there is one (`source` set).
    #[inline]
    fn record(&self) -> &[u8] {
        record_of(&self.kind, &self.record, self.source)
    }

    /// The bytes the loaded record is in and where it starts in them: `column_loaded`'s
    /// cheaper `record`, which for a scan's row is the whole leaf copy.
    #[inline(always)]
    fn backing(&self) -> (&[u8], usize) {
        match (self.source, &self.kind) {
            (Source::Leaf, Kind::BTree(c)) => (c.leaf_copy(), self.base),
            (Source::Copy, _) => (&self.record, 0),
            _ => (self.record(), 0),
        }
    }

    /// Column `i` of the current entry; `None` when the record is shorter (the caller supplies
    /// the column default) and NULL when the cursor is on no row.
    pub fn column(&mut self, pager: &mut Pager, i: usize) -> Result<Option<Value>> {
        if self.null_row || !self.load(pager)? {
            return Ok(Some(Value::Null));
        }
        let field = self
            .header
            .column(self.record(), i)?
            .map(ValueRef::to_value);
        Ok(field.or_else(|| self.default_of(i).cloned()))
    }

    /// What field `i` reads as when the record is too short to hold it (`short_records.rs`).
    fn default_of(&self, i: usize) -> Option<&Value> {
        self.defaults.as_ref().and_then(|d| d.get(i))
    }

    /// Whether a `Column` must load the current entry before reading it (`load_for_column`):
    /// the cursor moved since the last load and is not in the null-row state. A cursor in the
    /// null-row state is never loaded (`cached` stays false), so `column_loaded` reads NULL.
    #[inline(always)]
    pub fn needs_load(&self) -> bool {
        debug_assert!(!(self.null_row && self.cached));
        !self.cached && !self.null_row
    }

    /// `load` for the `Column` handler, which looks the pager up only when a load is needed.
    /// A scan's row (a table row a step along a leaf reached) is loaded inline, its header parsed
    /// in place; anything else by `load_entry`. Whether there is an entry is left to
    /// `column_loaded` (`cached` says it).
    #[inline(always)]
    pub fn load_for_column(&mut self, pager: &mut Pager) -> Result<()> {
        debug_assert!(self.needs_load());
        if let Kind::BTree(c) = &mut self.kind {
            if let Some(range) = c.stepped_range(pager) {
                let start = range.start;
                if let Some(row) = c.leaf_copy().get(range) {
                    self.header.parse(row)?;
                    self.source = Source::Leaf;
                    self.base = start;
                    self.cached = true;
                    return Ok(());
                }
            }
        }
        self.load_entry(pager).map(|_| ())
    }

    /// Column `i` of the entry `load_for_column` loaded, written into `dest` (reusing its
    /// buffer); NULL when there is no entry (or in the null-row state); `false`, leaving `dest`
    /// alone, when the record is shorter (the caller supplies the default). Nothing is written
    /// unless the read succeeds. Inlined into the interpreter loop: a call cost a fifth of a
    /// column read. A text or blob copied into a NULL `dest` goes into one of the `spare`
    /// buffers (the registers' from an earlier run) if there is one.
    #[inline(always)]
    pub fn column_loaded(
        &self,
        i: usize,
        dest: &mut Value,
        spare: &mut Vec<Vec<u8>>,
    ) -> Result<bool> {
        if !self.cached {
            *dest = Value::Null;
            return Ok(true);
        }
        let (bytes, base) = self.backing();
        match self.header.column_at(bytes, base, i)? {
            // Numbers and NULL, most columns a scan reads, are stored here without a call; a
            // register that held a number of the same class (a scan's usual case) is written
            // without checking for a buffer to drop.
            Some(ValueRef::Integer(n)) => {
                match dest {
                    Value::Integer(old) => *old = n,
                    _ => *dest = Value::Integer(n),
                }
                Ok(true)
            }
            Some(ValueRef::Real(r)) => {
                match dest {
                    Value::Real(old) => *old = r,
                    _ => *dest = Value::Real(r),
                }
                Ok(true)
            }
            Some(v) => {
                if matches!(dest, Value::Null) {
                    if let Some(buf) = spare.pop() {
                        debug_assert!(buf.is_empty());
                        *dest = Value::Blob(buf);
                    }
                }
                dest.set_from_ref(v);
                Ok(true)
            }
            None => match self.default_of(i) {
                Some(v) => {
                    *dest = v.clone();
                    Ok(true)
                }
                None => Ok(false),
            },
        }
    }

    /// The number of columns in the current record.
    pub fn column_count(&mut self, pager: &mut Pager) -> Result<usize> {
        if self.null_row || !self.load(pager)? {
            return Ok(0);
        }
        Ok(self.header.len())
    }

    /// How the index entry the cursor is on compares with a (prefix) key: entry against key.
    /// A cursor on no entry is past the end, so greater than every key.
    pub fn compare_entry(&self, key: &[ValueRef<'_>]) -> Result<Ordering> {
        match (&self.kind, &self.key_info) {
            (Kind::BTree(b), Some(info)) if b.is_valid() => {
                Ok(compare_unpacked(key, b.key(), info)?.reverse())
            }
            (Kind::BTree(_), Some(_)) => Ok(Ordering::Greater),
            (Kind::EphIndex { key: info, at, .. }, _) => match at {
                Some(entry) => Ok(compare_unpacked(key, &entry.bytes, info)?.reverse()),
                None => Ok(Ordering::Greater),
            },
            _ => Err(crate::Error::new(
                crate::ErrorCode::Internal,
                "index comparison on a cursor without an index",
            )),
        }
    }

    pub fn rowid(&self) -> Option<i64> {
        if self.null_row {
            return None;
        }
        match &self.kind {
            Kind::BTree(c) if c.is_table() && c.is_valid() => Some(c.rowid()),
            Kind::EphTable { at, .. } => *at,
            _ => None,
        }
    }

    /// Moves to the first (or last) entry; whether there is one.
    pub fn rewind(&mut self, pager: &mut Pager, last: bool) -> Result<bool> {
        let on = match &mut self.kind {
            Kind::BTree(c) => {
                if last {
                    c.last(pager)?
                } else {
                    c.first(pager)?
                }
            }
            Kind::EphTable { rows, at } => {
                let edge = if last {
                    rows.keys().next_back()
                } else {
                    rows.keys().next()
                };
                *at = edge.copied();
                at.is_some()
            }
            Kind::EphIndex { set, at, .. } => {
                let edge = if last { set.last() } else { set.first() };
                *at = edge.cloned();
                at.is_some()
            }
            Kind::Sorter(sorter) => sorter.rewind(last)?,
        };
        self.moved();
        Ok(on)
    }

    /// Moves forward (or back); whether the cursor is still on an entry. Inlined into the
    /// `Next`/`Prev` handlers with the b-tree cursor's step along a leaf: a scan's every row.
    #[inline(always)]
    pub fn advance(&mut self, pager: &mut Pager, forward: bool) -> Result<bool> {
        let on = match &mut self.kind {
            Kind::BTree(c) => {
                if forward {
                    c.next(pager)?
                } else {
                    c.prev(pager)?
                }
            }
            other => advance_ephemeral(other, forward)?,
        };
        self.moved();
        Ok(on)
    }
}

/// `VCursor::advance` on the in-memory structures, out of line.
#[inline(never)]
fn advance_ephemeral(kind: &mut Kind, forward: bool) -> Result<bool> {
    Ok(match kind {
        Kind::BTree(_) => unreachable!("b-tree cursors advance inline"),
        Kind::EphTable { rows, at } => {
            *at = match *at {
                None => None,
                Some(r) if forward => rows
                    .range((Bound::Excluded(r), Bound::Unbounded))
                    .next()
                    .map(|(k, _)| *k),
                Some(r) => rows.range(..r).next_back().map(|(k, _)| *k),
            };
            at.is_some()
        }
        Kind::EphIndex { set, at, .. } => {
            *at = match at.take() {
                None => None,
                Some(r) if forward => set
                    .range((Bound::Excluded(&r), Bound::Unbounded))
                    .next()
                    .cloned(),
                Some(r) => set.range(..&r).next_back().cloned(),
            };
            at.is_some()
        }
        Kind::Sorter(sorter) => sorter.advance(forward)?,
    })
}
