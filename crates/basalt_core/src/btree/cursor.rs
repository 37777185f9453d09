//! Cursors: positions in one b-tree, and the entry points for reading and changing it.
//!
//! A cursor is a path of (page, index) levels from the root. Every level but the last names the
//! child followed; the last names the cell the cursor is on, on a leaf or, in index trees, on an
//! interior page. Cursors hold page numbers, not pinned pages, and every move re-reads its pages
//! from the cache, so many cursors can share a connection without holding pages in memory.
//!
//! Each positioned cursor saves its key (rowid, or the whole index record) and the pager's epoch
//! it saw. Any b-tree write bumps the epoch (`Pager::bump_epoch`), as do rollbacks and another
//! connection's commit seen at the start of a read transaction; a cursor that finds it changed
//! re-seeks its saved
//! key before moving (B8), so a cursor whose row was deleted moves to the neighbour on `next` or
//! `prev`, as SQLite's saved cursor positions do.

use super::balance::{append_quick, balance, balance_insert, is_underfull, retarget, Node};
use super::freelist;
use super::overflow;
use super::page::{
    build_cell, drop_cell, header_offset, insert_cell, local_payload_len, CellInfo, IndexKeys,
    Layout, LeafCell, Page, PageKind,
};
use crate::ensure_sound;
use crate::error::{Error, ErrorCode, Result};
use crate::pager::{PageNo, Pager};
use crate::record::{
    compare_first_integer, compare_unpacked, unpack_short, KeyInfo, RecordIter, SortOrder, ValueRef,
};
use std::cmp::Ordering;

/// A database with no page yet (a new file, `:memory:` before its first write) holds only the
/// empty schema table, as SQLite's b-tree treats it: every read finds nothing. A write
/// transaction creates page 1 first, so writes never see this.
fn no_pages_yet(pager: &Pager) -> bool {
    pager.page_count() == 0
}

/// SQLite's BTCURSOR_MAX_DEPTH: deeper paths mean a cycle in a damaged file.
pub const BTREE_DEPTH_MAX: usize = 20;
/// SQLite's SQLITE_MAX_LENGTH default: no payload is larger.
const PAYLOAD_LEN_MAX: usize = 1_000_000_000;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SeekOp {
    Eq,
    Gt,
    Ge,
    Lt,
    Le,
}

/// One step of a cursor's path.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Level {
    pub pgno: PageNo,
    pub index: usize,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    /// Not on an entry: never positioned, or moved past either end.
    Invalid,
    /// On an entry; `path` is good while the pager's epoch has not changed.
    Valid,
    /// The key is saved but `path` is stale: re-seek before use.
    Saved,
}

/// What a search compares entries against.
enum Target<'k> {
    Rowid(i64),
    /// A search key, possibly a prefix of the entries' keys.
    Unpacked(&'k [ValueRef<'k>]),
    /// A whole index record (unique in its tree), decoded once by `with_unpacked` so that a
    /// descent does not re-read its header at every cell it compares.
    Record(&'k [ValueRef<'k>]),
}

/// Runs `f` on the columns of `record`, decoded into a stack buffer for the usual few.
fn with_unpacked<R>(record: &[u8], f: impl FnOnce(&[ValueRef<'_>]) -> Result<R>) -> Result<R> {
    const INLINE: usize = 8;
    let mut buf = [ValueRef::Null; INLINE];
    // The usual short key in one pass; anything else (or damaged) by the general walk.
    if let Some(n) = unpack_short(record, &mut buf) {
        return f(&buf[..n]);
    }
    let mut n = 0;
    let mut columns = RecordIter::new(record)?;
    while n < INLINE {
        match columns.next_value()? {
            Some(v) => buf[n] = v,
            None => return f(&buf[..n]),
        }
        n += 1;
    }
    let mut all = buf.to_vec();
    while let Some(v) = columns.next_value()? {
        all.push(v);
    }
    f(&all)
}

/// `compare_unpacked` against the key of cell `index`, whose payload spills: read whole first.
#[inline(never)]
fn compare_spilled(
    pager: &mut Pager,
    view: &Page<'_>,
    index: usize,
    key: &[ValueRef<'_>],
    key_info: &KeyInfo,
    scratch: &mut Vec<u8>,
) -> Result<Ordering> {
    let info = view.cell(index)?;
    overflow::read_payload(pager, view.data(), &info, usize::MAX, scratch)?;
    compare_unpacked(key, scratch, key_info)
}

/// The binary search of an index descent on one page: the index of the first cell not ordered
/// before `key` (with `upper`, not at or before it), and whether the probe that last lowered the
/// upper bound found an equal entry (the search ends on that entry, so no second comparison is
/// needed to tell an exact match). Out of line, with the page's constants read once, so that
/// its loop keeps its state in registers.
#[inline(never)]
fn search_index_page(
    pager: &mut Pager,
    view: &Page<'_>,
    key: &[ValueRef<'_>],
    key_info: &KeyInfo,
    upper: bool,
    scratch: &mut Vec<u8>,
) -> Result<(usize, bool)> {
    let keys = view.index_keys();
    let (mut low, mut high) = (0, view.cell_count());
    if let (Some(&ValueRef::Integer(k)), Some(first)) = (key.first(), key_info.columns.first()) {
        if first.order == SortOrder::Asc {
            (low, high) = search_first_integer(keys, k, low, high);
        }
    }
    // No probe so far found an equal entry: the integer search decides only unequal ones.
    let mut high_equal = false;
    while low < high {
        let mid = low + (high - low) / 2;
        // Keys held whole on the page, nearly all, are read through `keys`.
        let order = match keys.record(mid) {
            Some(record) => compare_unpacked(key, record, key_info)?,
            None => compare_cell(pager, view, mid, key, key_info, scratch)?,
        }
        .reverse();
        if order == Ordering::Less || (upper && order == Ordering::Equal) {
            low = mid + 1;
        } else {
            high = mid;
            high_equal = order == Ordering::Equal;
        }
    }
    Ok((low, high_equal))
}

/// The first part of `search_index_page` for a key whose first value is an integer, on an
/// ascending column (an index on a number): each probe whose cell's first column decides the
/// order (`compare_first_integer`, reading the cell in place) narrows `low..high` in a loop
/// whose state stays in registers (out of line for that). Stops at the first probe it cannot
/// decide (a tie on that column, a real or text there, a long or damaged cell), returning the
/// bounds so far, from which the general search goes on and probes that cell again.
#[inline(never)]
fn search_first_integer(
    keys: IndexKeys<'_>,
    k: i64,
    mut low: usize,
    mut high: usize,
) -> (usize, usize) {
    while low < high {
        let mid = low + (high - low) / 2;
        let Some(key_vs_cell) = keys.record(mid).and_then(|r| compare_first_integer(k, r)) else {
            break;
        };
        debug_assert_ne!(key_vs_cell, Ordering::Equal);
        if key_vs_cell == Ordering::Greater {
            low = mid + 1;
        } else {
            high = mid;
        }
    }
    (low, high)
}

/// `compare_unpacked` against cell `index` read the general way: a key `IndexKeys` does not
/// read (a long or spilling one), or a damaged cell, whose error this reports.
#[inline(never)]
fn compare_cell(
    pager: &mut Pager,
    view: &Page<'_>,
    index: usize,
    key: &[ValueRef<'_>],
    key_info: &KeyInfo,
    scratch: &mut Vec<u8>,
) -> Result<Ordering> {
    match view.local_payload(index)? {
        Some(record) => compare_unpacked(key, record, key_info),
        None => compare_spilled(pager, view, index, key, key_info, scratch),
    }
}

/// The read-only navigation of one tree; borrows nothing from the cursor's buffers, so it can be
/// used while they are being filled.
struct Tree<'a> {
    root: PageNo,
    key_info: Option<&'a KeyInfo>,
    usable: usize,
}

impl Tree<'_> {
    fn is_table(&self) -> bool {
        self.key_info.is_none()
    }

    #[inline(always)]
    fn view<'d>(&self, data: &'d [u8], pgno: PageNo) -> Result<Page<'d>> {
        let view = Page::parse(data, header_offset(pgno), self.usable)?;
        if view.kind().is_table() != self.is_table() {
            return Err(foreign_page(pgno));
        }
        Ok(view)
    }

    /// How the entry in cell `index` of `view` orders against `target`. Inlined into the
    /// descent's binary search, which calls it for every cell it looks at.
    #[inline(always)]
    fn order(
        &self,
        pager: &mut Pager,
        view: &Page<'_>,
        index: usize,
        target: &Target<'_>,
        scratch: &mut Vec<u8>,
    ) -> Result<Ordering> {
        let key = match target {
            Target::Rowid(rowid) => return Ok(view.rowid(index)?.cmp(rowid)),
            Target::Unpacked(key) | Target::Record(key) => key,
        };
        let key_info = self
            .key_info
            .ok_or_else(|| Error::misuse("index search on a table cursor"))?;
        // A key held wholly on the page (nearly all) is compared in place, without a `CellInfo`.
        let ordering = match view.local_payload(index)? {
            Some(record) => compare_unpacked(key, record, key_info)?,
            None => compare_spilled(pager, view, index, key, key_info, scratch)?,
        };
        Ok(ordering.reverse())
    }

    /// Descends to the boundary between the entries ordered before `target` and the rest: with
    /// `upper`, "before" includes equal entries. Leaves the leaf level at the first entry after
    /// the boundary (possibly one past the last cell). Without `upper`, returns whether the path
    /// ends on an entry equal to the target, and for whole keys (rowids, records: unique in their
    /// tree) stops early at an equal interior entry. A prefix key may equal many entries, so its
    /// descent goes on to the leaf, where the first of them is.
    fn descend(
        &self,
        pager: &mut Pager,
        target: &Target<'_>,
        upper: bool,
        path: &mut Vec<Level>,
        scratch: &mut Vec<u8>,
    ) -> Result<bool> {
        let key = match target {
            Target::Rowid(rowid) => return self.descend_rowid(pager, *rowid, upper, path),
            Target::Unpacked(key) | Target::Record(key) => *key,
        };
        let key_info = self
            .key_info
            .ok_or_else(|| Error::misuse("index search on a table cursor"))?;
        path.clear();
        let mut pgno = self.root;
        loop {
            ensure_sound!(
                path.len() < BTREE_DEPTH_MAX,
                "b-tree deeper than {BTREE_DEPTH_MAX}: a cycle?"
            );
            let page = pager.get_to_search(pgno)?;
            let data = page.data();
            let view = self.view(&data, pgno)?;
            let (low, high_equal) = search_index_page(pager, &view, key, key_info, upper, scratch)?;
            let exact = !upper && high_equal && view.kind() != PageKind::InteriorTable;
            debug_assert!(
                upper
                    || view.kind() == PageKind::InteriorTable
                    || low == view.cell_count()
                    || exact
                        == (self.order(pager, &view, low, target, scratch).ok()
                            == Some(Ordering::Equal)),
                "the search's last equal probe is the entry it ends on"
            );
            path.push(Level { pgno, index: low });
            if view.kind().is_leaf() || (exact && !matches!(target, Target::Unpacked(_))) {
                return Ok(exact);
            }
            pgno = view.child(low)?;
        }
    }

    /// `descend` for a rowid: each page searched by `Page::search_rowid` in place, through
    /// `with_page` (no page handle). Table entries are on leaves only, so it always goes down to
    /// the leaf; returns whether the entry there equals `rowid`. Kept out of `descend`, whose
    /// index search would otherwise crowd this loop's registers onto the stack.
    #[inline(never)]
    fn descend_rowid(
        &self,
        pager: &mut Pager,
        rowid: i64,
        upper: bool,
        path: &mut Vec<Level>,
    ) -> Result<bool> {
        path.clear();
        let mut pgno = self.root;
        loop {
            ensure_sound!(
                path.len() < BTREE_DEPTH_MAX,
                "b-tree deeper than {BTREE_DEPTH_MAX}: a cycle?"
            );
            // Ok(child) to go on down, Err(exact) at the leaf.
            let (index, next) = pager.with_page_to_search(pgno, |data| {
                let view = self.view(data, pgno)?;
                let (index, equal) = view.search_rowid(rowid, upper)?;
                if view.kind().is_leaf() {
                    return Ok((index, Err(equal)));
                }
                Ok((index, Ok(view.child(index)?)))
            })?;
            path.push(Level { pgno, index });
            match next {
                Ok(child) => pgno = child,
                Err(equal) => return Ok(!upper && equal),
            }
        }
    }

    /// Whether the parent of `path`'s leaf, if cached, shows at a glance that `rowid` is not under
    /// that leaf: a random lookup then skips `seek_near`'s walk from the root, which would fail.
    /// Only a filter: the page may be stale, so anything unexpected answers false and leaves
    /// the decision to `seek_near`, which checks every level.
    fn is_off_last_leaf(&self, pager: &mut Pager, path: &[Level], rowid: i64) -> bool {
        let [.., parent, _leaf] = path else {
            return false;
        };
        let off = pager.with_cached_page(parent.pgno, |data| {
            let view = Page::parse(data, header_offset(parent.pgno), self.usable).ok()?;
            if view.kind() != PageKind::InteriorTable || parent.index > view.cell_count() {
                return None;
            }
            let above = parent.index < view.cell_count() && view.rowid(parent.index).ok()? < rowid;
            let below = parent.index > 0 && view.rowid(parent.index - 1).ok()? >= rowid;
            Some(above || below)
        });
        off.flatten().unwrap_or(false)
    }

    /// Where `rowid` goes when it belongs on the leaf `path` ends at (SQLite's BTREE_APPEND hint,
    /// generalised): the leaf's own keys, or the dividers above it, bound `rowid` on both sides.
    /// The path to it is then `path` with another last index, and no descent is needed:
    /// sequential inserts, and the existence check before each of them, land here every time.
    /// `path` may be stale (a write since moved cells or freed its pages): it is followed from the
    /// root down, each page read only once its parent is seen to lead to it, as a descent would
    /// read them. Fills `out` and returns whether the entry there equals `rowid`; None when a
    /// descent is needed.
    fn seek_near(
        &self,
        pager: &mut Pager,
        path: &[Level],
        rowid: i64,
        out: &mut Vec<Level>,
    ) -> Result<Option<bool>> {
        let Some((&Level { pgno: leaf, .. }, ancestors)) = path.split_last() else {
            return Ok(None);
        };
        // Each level's dividers around the path must bracket the rowid (B2: K[i-1] < rowids
        // under child i <= K[i]), which a probe elsewhere in the tree fails at the root already.
        let mut expected = self.root;
        // Pages are read through `with_page`, without a page handle, as a step along a leaf is.
        for level in ancestors {
            if level.pgno != expected {
                return Ok(None);
            }
            let child = pager.with_page(level.pgno, |data| {
                let view = self.view(data, level.pgno)?;
                if view.kind().is_leaf() || level.index > view.cell_count() {
                    return Ok(None);
                }
                if (level.index < view.cell_count() && view.rowid(level.index)? < rowid)
                    || (level.index > 0 && view.rowid(level.index - 1)? >= rowid)
                {
                    return Ok(None);
                }
                view.child(level.index).map(Some)
            })?;
            match child {
                Some(child) => expected = child,
                None => return Ok(None),
            }
        }
        if leaf != expected {
            return Ok(None);
        }
        let found = pager.with_page(leaf, |data| {
            let view = self.view(data, leaf)?;
            let count = view.cell_count();
            if view.kind() != PageKind::LeafTable || count == 0 || view.rowid(0)? > rowid {
                return Ok(None);
            }
            // Appends, the common case, are past the last key: no search.
            let (mut low, mut high) = if view.rowid(count - 1)? < rowid {
                (count, count)
            } else {
                (0, count)
            };
            while low < high {
                let mid = low + (high - low) / 2;
                if view.rowid(mid)? < rowid {
                    low = mid + 1;
                } else {
                    high = mid;
                }
            }
            Ok(Some((low, low < count && view.rowid(low)? == rowid)))
        })?;
        let Some((low, exact)) = found else {
            return Ok(None);
        };
        out.clear();
        out.extend_from_slice(path);
        if let Some(last) = out.last_mut() {
            last.index = low;
        }
        Ok(Some(exact))
    }

    /// Goes down from `pgno` along the left-most (or right-most) edge onto the first (last) entry
    /// of its leaf. False when that leaf is empty.
    fn descend_edge(
        &self,
        pager: &mut Pager,
        path: &mut Vec<Level>,
        mut pgno: PageNo,
        right: bool,
    ) -> Result<bool> {
        loop {
            ensure_sound!(
                path.len() < BTREE_DEPTH_MAX,
                "b-tree deeper than {BTREE_DEPTH_MAX}: a cycle?"
            );
            let page = pager.get(pgno)?;
            let data = page.data();
            let view = self.view(&data, pgno)?;
            let count = view.cell_count();
            if view.kind().is_leaf() {
                path.push(Level {
                    pgno,
                    index: if right { count.saturating_sub(1) } else { 0 },
                });
                return Ok(count > 0);
            }
            let index = if right { count } else { 0 };
            path.push(Level { pgno, index });
            pgno = view.child(index)?;
        }
    }

    /// From a path whose last level is exhausted, climbs to the next entry in the direction.
    fn climb(&self, pager: &mut Pager, path: &mut Vec<Level>, forward: bool) -> Result<bool> {
        loop {
            path.pop();
            let Some(&Level { pgno, index }) = path.last() else {
                return Ok(false);
            };
            let page = pager.get(pgno)?;
            let data = page.data();
            let view = self.view(&data, pgno)?;
            let next = if forward && index < view.cell_count() {
                index + usize::from(self.is_table())
            } else if !forward && index > 0 {
                index - 1
            } else {
                continue;
            };
            if let Some(last) = path.last_mut() {
                last.index = next;
            }
            // Index trees keep entries on interior pages: the cell passed on the way up is next.
            if !self.is_table() || self.descend_edge(pager, path, view.child(next)?, !forward)? {
                return Ok(true);
            }
        }
    }

    /// Moves from the entry at the end of `path` to its neighbour.
    fn step(&self, pager: &mut Pager, path: &mut Vec<Level>, forward: bool) -> Result<bool> {
        let Some(&Level { pgno, index }) = path.last() else {
            return Ok(false);
        };
        let page = pager.get(pgno)?;
        let data = page.data();
        let view = self.view(&data, pgno)?;
        let count = view.cell_count();
        if view.kind().is_leaf() {
            let next = if forward {
                index + 1
            } else {
                index.wrapping_sub(1)
            };
            if next < count {
                if let Some(last) = path.last_mut() {
                    last.index = next;
                }
                return Ok(true);
            }
            return self.climb(pager, path, forward);
        }
        // On an interior index entry: the neighbour is at the edge of the adjacent subtree.
        let child_index = if forward { index + 1 } else { index };
        if let Some(last) = path.last_mut() {
            last.index = child_index;
        }
        if self.descend_edge(pager, path, view.child(child_index)?, !forward)? {
            return Ok(true);
        }
        self.climb(pager, path, forward)
    }

    /// How the entry at the end of `path` orders against `target`.
    fn order_at(
        &self,
        pager: &mut Pager,
        path: &[Level],
        target: &Target<'_>,
        scratch: &mut Vec<u8>,
    ) -> Result<Ordering> {
        let Some(&Level { pgno, index }) = path.last() else {
            unreachable!("no entry to compare")
        };
        let page = pager.get(pgno)?;
        let data = page.data();
        let view = self.view(&data, pgno)?;
        self.order(pager, &view, index, target, scratch)
    }

    /// After `descend`, moves onto the first entry at or after the boundary.
    fn settle_forward(&self, pager: &mut Pager, path: &mut Vec<Level>) -> Result<bool> {
        let Some(&Level { pgno, index }) = path.last() else {
            return Ok(false);
        };
        let page = pager.get(pgno)?;
        let data = page.data();
        let view = self.view(&data, pgno)?;
        if index < view.cell_count() {
            return Ok(true);
        }
        self.climb(pager, path, true)
    }

    /// The whole entry count: leaf cells, plus interior cells in index trees.
    fn count(&self, pager: &mut Pager) -> Result<u64> {
        let mut total = 0u64;
        let mut stack = vec![(self.root, 0usize)];
        let mut visited = 0u32;
        while let Some((pgno, depth)) = stack.pop() {
            visited += 1;
            ensure_sound!(
                depth < BTREE_DEPTH_MAX && visited <= pager.page_count(),
                "b-tree has a cycle"
            );
            let page = pager.get(pgno)?;
            let data = page.data();
            let view = self.view(&data, pgno)?;
            if view.kind().is_leaf() || !self.is_table() {
                total += view.cell_count() as u64;
            }
            if !view.kind().is_leaf() {
                let children = (0..=view.cell_count())
                    .map(|i| view.child(i))
                    .collect::<Result<Vec<_>>>()?;
                // One suspension for all children of a page rather than one per child.
                pager.prefetch(&children)?;
                stack.extend(children.into_iter().map(|c| (c, depth + 1)));
            }
        }
        Ok(total)
    }
}

#[cold]
#[inline(never)]
fn foreign_page(pgno: PageNo) -> Error {
    Error::corrupt(format!("page {pgno} belongs to another kind of tree"))
}

fn tree_of<'a>(root: PageNo, key_info: &'a Option<KeyInfo>, pager: &Pager) -> Tree<'a> {
    Tree {
        root,
        key_info: key_info.as_ref(),
        usable: pager.usable_size(),
    }
}

/// The free space of page `pgno` of `tree`.
fn free_space(pager: &mut Pager, tree: &Tree<'_>, pgno: PageNo) -> Result<usize> {
    pager.with_page(pgno, |data| tree.view(data, pgno)?.free_space())
}

/// The prefetch phase of a write along `path`: the siblings a balance may involve at every level
/// (children within two of the path's child, which covers every three-sibling window), page 1
/// and the freelist pages that `allocations` plus the balance's own allocations could take.
fn prefetch_for_write(pager: &mut Pager, path: &[Level], allocations: usize) -> Result<()> {
    let usable = pager.usable_size();
    let mut wanted = Vec::new();
    for level in &path[..path.len() - 1] {
        let page = pager.get(level.pgno)?;
        let data = page.data();
        let view = Page::parse(&data, header_offset(level.pgno), usable)?;
        let last = (level.index + 2).min(view.cell_count());
        for i in level.index.saturating_sub(2)..=last {
            wanted.push(view.child(i)?);
        }
    }
    pager.prefetch(&wanted)?;
    // A balance splits at most into two more pages per level, plus one for a new root child.
    freelist::prefetch(pager, allocations + 2 * path.len() + 1)
}

/// Where the payload of the entry a step along a table leaf reached lies in the cursor's copy of
/// that leaf (`start..end`), and the (epoch, page, cell) it was read at.
#[derive(Clone, Copy, Debug)]
struct StepRow {
    epoch: u64,
    pgno: PageNo,
    index: usize,
    start: usize,
    end: usize,
}

/// A cursor on one b-tree: a table (rowid keys) or an index (record keys ordered by a `KeyInfo`;
/// WITHOUT ROWID tables are index trees too).
#[derive(Debug)]
pub struct Cursor {
    root: PageNo,
    key_info: Option<KeyInfo>,
    path: Vec<Level>,
    /// Where moves compute their new path, swapped in only when they complete (restartability).
    spare: Vec<Level>,
    state: State,
    /// The pager's epoch when `path` was computed.
    epoch: u64,
    rowid: i64,
    /// The index record the cursor is on (index cursors only).
    key: Vec<u8>,
    scratch: Vec<u8>,
    /// The cell an insert builds, kept to save an allocation per insert.
    cell: Vec<u8>,
    /// The header of the page the last step along a leaf read, good for the (epoch, page) it
    /// was read at, as a page's bytes change only with the epoch: the next step on that page
    /// skips re-reading it.
    leaf: Option<(u64, PageNo, Layout)>,
    /// Table cursors: a copy of the bytes of that leaf and its cells read once
    /// (`Page::table_leaf_cells`), taken by the first step along it. The steps after it take
    /// their cell from `leaf_cells`, without the pager, and leave the payload in place
    /// (`row_at`): a scan neither looks its leaf up nor parses or copies its row at each step.
    leaf_bytes: Vec<u8>,
    leaf_cells: Vec<LeafCell>,
    /// Where in `leaf_bytes` the payload of the entry the last step reached is, when wholly
    /// local; good while the cursor stays on that entry and the epoch is the one it was read at.
    /// Always in the leaf `leaf_bytes` holds: taking another copy drops it.
    row_at: Option<StepRow>,
    /// Where the page cache last had that leaf (`Pager::with_page_hinted`; checked at each use).
    leaf_slot: usize,
    /// Set by a rowid seek that found nothing (SQLite's OP_NotExists before an insert): `path`
    /// is where that rowid goes, for the epoch it was found at. An insert of that rowid takes it
    /// as its path without searching again (SQLite's OPFLAG_USESEEKRESULT). Any other move
    /// (`settle`, `land`, `reopen`) drops it, and a write anywhere bumps the epoch.
    seek_result: Option<SeekResult>,
}

/// See `Cursor::seek_result`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct SeekResult {
    rowid: i64,
    epoch: u64,
}

impl Cursor {
    pub fn new_table(root: PageNo) -> Cursor {
        Cursor::new(root, None)
    }

    pub fn new_index(root: PageNo, key_info: KeyInfo) -> Cursor {
        Cursor::new(root, Some(key_info))
    }

    fn new(root: PageNo, key_info: Option<KeyInfo>) -> Cursor {
        Cursor {
            root,
            key_info,
            path: Vec::new(),
            spare: Vec::new(),
            state: State::Invalid,
            epoch: 0,
            rowid: 0,
            key: Vec::new(),
            scratch: Vec::new(),
            cell: Vec::new(),
            leaf: None,
            leaf_bytes: Vec::new(),
            leaf_cells: Vec::new(),
            row_at: None,
            leaf_slot: usize::MAX,
            seek_result: None,
        }
    }

    /// Makes this a new cursor on tree `root` (an index when `key_info` is given), unpositioned,
    /// keeping its buffers: a statement run once per row re-opens its cursors without
    /// allocating their paths, keys and cells again. On the same tree the old path stays as a
    /// hint for the next rowid seek or insert (`Tree::seek_near` checks it before any use).
    pub fn reopen(&mut self, root: PageNo, key_info: Option<&KeyInfo>) {
        if self.root != root || key_info.is_some() {
            self.path.clear();
        }
        self.root = root;
        KeyInfo::copy_into(key_info, &mut self.key_info);
        self.spare.clear();
        self.state = State::Invalid;
        self.epoch = 0;
        self.rowid = 0;
        self.key.clear();
        self.scratch.clear();
        self.cell.clear();
        self.row_at = None;
        self.leaf = None;
        self.seek_result = None;
    }

    pub fn root(&self) -> PageNo {
        self.root
    }

    pub fn is_table(&self) -> bool {
        self.key_info.is_none()
    }

    /// Whether the cursor is on an entry (or on the saved key of one that may since have moved).
    pub fn is_valid(&self) -> bool {
        self.state != State::Invalid
    }

    /// The rowid of the entry a table cursor is on.
    pub fn rowid(&self) -> i64 {
        debug_assert!(self.is_table() && self.is_valid());
        self.rowid
    }

    /// The record an index cursor is on.
    pub fn key(&self) -> &[u8] {
        debug_assert!(!self.is_table() && self.is_valid());
        &self.key
    }

    /// Commits a move computed in `spare`: saves the key of the entry reached (or marks the
    /// cursor invalid), then swaps the path in. Restartable up to the swap.
    fn settle(&mut self, pager: &mut Pager, on_entry: bool) -> Result<bool> {
        self.seek_result = None;
        if !on_entry {
            self.state = State::Invalid;
            return Ok(false);
        }
        let Some(&Level { pgno, index }) = self.spare.last() else {
            unreachable!("settled on no path")
        };
        let tree = tree_of(self.root, &self.key_info, pager);
        // The rowid, or a key held whole on the page (nearly all), is read without a page
        // handle; a spilling key is read the general way.
        let (key, rowid) = (&mut self.key, &mut self.rowid);
        let read_in_place = pager.with_page(pgno, |data| {
            let view = tree.view(data, pgno)?;
            if tree.is_table() {
                *rowid = view.rowid(index)?;
                return Ok(true);
            }
            let Some(record) = view.local_payload(index)? else {
                return Ok(false);
            };
            key.clear();
            key.extend_from_slice(record);
            Ok(true)
        })?;
        if !read_in_place {
            let page = pager.get(pgno)?;
            let data = page.data();
            let info = tree.view(&data, pgno)?.cell(index)?;
            overflow::read_payload(pager, &data, &info, usize::MAX, &mut self.scratch)?;
            std::mem::swap(&mut self.key, &mut self.scratch);
        }
        std::mem::swap(&mut self.path, &mut self.spare);
        self.state = State::Valid;
        self.epoch = pager.epoch();
        Ok(true)
    }

    /// Whether `path` still holds. `current_epoch` first starts the read transaction the next
    /// `get` would start, since starting it may drop the cache and bump the epoch.
    fn is_fresh(&self, pager: &mut Pager) -> Result<bool> {
        let epoch = pager.current_epoch()?;
        Ok(self.state == State::Valid && self.epoch == epoch)
    }

    /// Re-seeks the saved key into `spare`; returns whether the entry is still there.
    fn reseek_saved(&mut self, pager: &mut Pager) -> Result<bool> {
        let tree = tree_of(self.root, &self.key_info, pager);
        let (spare, scratch) = (&mut self.spare, &mut self.scratch);
        if tree.is_table() {
            return tree.descend(pager, &Target::Rowid(self.rowid), false, spare, scratch);
        }
        with_unpacked(&self.key, |key| {
            tree.descend(pager, &Target::Record(key), false, spare, scratch)
        })
    }

    /// Where the current entry is: the end of `path` while fresh, else re-sought into `spare`.
    fn current(&mut self, pager: &mut Pager) -> Result<Level> {
        let path = if self.is_fresh(pager)? {
            &self.path
        } else {
            self.locate(pager)?;
            &self.spare
        };
        path.last()
            .copied()
            .ok_or_else(|| Error::misuse("cursor is not on an entry"))
    }

    /// Fills `spare` with the current entry's path, re-seeking if the tree changed since.
    fn locate(&mut self, pager: &mut Pager) -> Result<()> {
        if self.state == State::Invalid {
            return Err(Error::misuse("cursor is not on an entry"));
        }
        if self.is_fresh(pager)? {
            self.spare.clone_from(&self.path);
        } else if !self.reseek_saved(pager)? {
            return Err(Error::misuse("the cursor's entry was deleted"));
        }
        Ok(())
    }

    pub fn first(&mut self, pager: &mut Pager) -> Result<bool> {
        self.edge(pager, false)
    }

    pub fn last(&mut self, pager: &mut Pager) -> Result<bool> {
        self.edge(pager, true)
    }

    fn edge(&mut self, pager: &mut Pager, right: bool) -> Result<bool> {
        if no_pages_yet(pager) {
            return self.settle(pager, false);
        }
        let tree = tree_of(self.root, &self.key_info, pager);
        self.spare.clear();
        let on = tree.descend_edge(pager, &mut self.spare, self.root, right)?
            || tree.climb(pager, &mut self.spare, !right)?;
        self.settle(pager, on)
    }

    #[inline(always)]
    pub fn next(&mut self, pager: &mut Pager) -> Result<bool> {
        self.advance(pager, true)
    }

    #[inline(always)]
    pub fn prev(&mut self, pager: &mut Pager) -> Result<bool> {
        self.advance(pager, false)
    }

    /// A table scan's usual move, to a neighbour on the same leaf of a fresh path (`is_fresh`,
    /// checked here without starting a transaction), is inlined; every other move is out of line.
    #[inline(always)]
    fn advance(&mut self, pager: &mut Pager, forward: bool) -> Result<bool> {
        if self.is_table()
            && self.state == State::Valid
            && pager.in_read_transaction()
            && self.epoch == pager.epoch()
        {
            if let Some(&Level { pgno, index }) = self.path.last() {
                let next = if forward {
                    index + 1
                } else {
                    index.wrapping_sub(1)
                };
                if self.step_in_table_leaf(pager, pgno, next)? {
                    return Ok(true);
                }
            }
        }
        self.advance_further(pager, forward)
    }

    #[inline(never)]
    fn advance_further(&mut self, pager: &mut Pager, forward: bool) -> Result<bool> {
        if self.state == State::Invalid {
            return Ok(false);
        }
        let fresh = self.is_fresh(pager)?;
        if fresh && self.step_in_leaf(pager, forward)? {
            return Ok(true);
        }
        let on = if fresh {
            self.spare.clone_from(&self.path);
            tree_of(self.root, &self.key_info, pager).step(pager, &mut self.spare, forward)?
        } else {
            // The saved entry, if still there, is skipped; if it is gone, the boundary where it
            // was is already the next entry (forward) or just after the previous one (backward).
            let exact = self.reseek_saved(pager)?;
            let tree = tree_of(self.root, &self.key_info, pager);
            if forward && !exact {
                tree.settle_forward(pager, &mut self.spare)?
            } else {
                tree.step(pager, &mut self.spare, forward)?
            }
        };
        self.settle(pager, on)
    }

    /// The common move, to a neighbour on the same leaf: only the last level's index changes, so
    /// the path is not copied. False, having changed nothing (but `leaf`), when the move must
    /// leave the page. Only on a fresh path (`is_fresh`), whose epoch `leaf` and `row_at` take.
    fn step_in_leaf(&mut self, pager: &mut Pager, forward: bool) -> Result<bool> {
        debug_assert!(self.state == State::Valid && self.epoch == pager.epoch());
        let Some(&Level { pgno, index }) = self.path.last() else {
            return Ok(false);
        };
        let next = if forward {
            index + 1
        } else {
            index.wrapping_sub(1)
        };
        if self.is_table() {
            return self.step_in_table_leaf(pager, pgno, next);
        }
        let tree = tree_of(self.root, &self.key_info, pager);
        let epoch = self.epoch;
        let known = self
            .leaf
            .filter(|&(at_epoch, at_page, _)| at_epoch == epoch && at_page == pgno)
            .map(|(.., layout)| layout);
        let (key, leaf) = (&mut self.key, &mut self.leaf);
        // `with_page_hinted` spares the page handle: an index key wholly on the leaf is read in
        // place. `None`: the move leaves the page; `Some(false)`: the key overflows.
        let stepped = pager.with_page_hinted(pgno, &mut self.leaf_slot, |data| {
            let view = match known {
                Some(layout) => Page::with_layout(data, layout)?,
                None => {
                    let view = tree.view(data, pgno)?;
                    *leaf = Some((epoch, pgno, view.layout()));
                    view
                }
            };
            if !view.kind().is_leaf() || next >= view.cell_count() {
                return Ok(None);
            }
            let Some(local) = view.local_payload(next)? else {
                return Ok(Some(false));
            };
            key.clear();
            key.extend_from_slice(local);
            Ok(Some(true))
        })?;
        match stepped {
            None => return Ok(false),
            Some(true) => {}
            Some(false) => {
                let page = pager.get(pgno)?;
                let data = page.data();
                let info = tree.view(&data, pgno)?.cell(next)?;
                overflow::read_payload(pager, &data, &info, usize::MAX, &mut self.scratch)?;
                std::mem::swap(&mut self.key, &mut self.scratch);
            }
        }
        if let Some(last) = self.path.last_mut() {
            last.index = next;
        }
        Ok(true)
    }

    /// `step_in_leaf` on a table leaf, read from the cursor's copy of it (`leaf_bytes`,
    /// `leaf_cells`), taken on the first step along the leaf. Inlined into `advance`: a scan
    /// runs it once per row. A plain cell (wholly local, well formed: nearly all) is taken
    /// here; any other by `step_to_unusual_cell`, out of line.
    #[inline(always)]
    fn step_in_table_leaf(&mut self, pager: &mut Pager, pgno: PageNo, next: usize) -> Result<bool> {
        let epoch = self.epoch;
        if !matches!(self.leaf, Some((at_epoch, at_page, _)) if at_epoch == epoch && at_page == pgno)
        {
            self.copy_leaf(pager, pgno)?;
        }
        debug_assert!(
            pager
                .cached(pgno)
                .is_none_or(|page| *page.data() == *self.leaf_bytes),
            "page {pgno} changed under the copy a cursor keeps"
        );
        let Some(&cell) = self.leaf_cells.get(next) else {
            return Ok(false);
        };
        if !cell.is_plain() {
            return self.step_to_unusual_cell(next);
        }
        self.rowid = cell.rowid;
        if let Some(last) = self.path.last_mut() {
            last.index = next;
        }
        self.row_at = Some(StepRow {
            epoch,
            pgno,
            index: next,
            start: cell.start as usize,
            end: cell.end as usize,
        });
        Ok(true)
    }

    /// `step_in_table_leaf` onto a cell that is not plain (spilled or damaged): read as any
    /// cell is, which reports the damage; a spilled row has no place in the copy (`row_at`).
    #[inline(never)]
    fn step_to_unusual_cell(&mut self, next: usize) -> Result<bool> {
        let Some((epoch, pgno, layout)) = self.leaf else {
            return Err(Error::new(
                ErrorCode::Internal,
                "a step along a table leaf without its copy",
            ));
        };
        let (rowid, local) = Page::with_layout(&self.leaf_bytes, layout)?.table_leaf_entry(next)?;
        self.rowid = rowid;
        if let Some(last) = self.path.last_mut() {
            last.index = next;
        }
        self.row_at = local.map(|range| StepRow {
            epoch,
            pgno,
            index: next,
            start: range.start,
            end: range.end,
        });
        Ok(true)
    }

    /// Copies leaf `pgno` into `leaf_bytes` (a page is a few KiB, copied once for the many
    /// steps along it) and reads its cells into `leaf_cells` (none if it is not a leaf); `leaf`
    /// keeps its layout for the current epoch.
    #[inline(never)]
    fn copy_leaf(&mut self, pager: &mut Pager, pgno: PageNo) -> Result<()> {
        // A row found in the old copy is gone with it.
        self.row_at = None;
        self.leaf = None;
        let tree = tree_of(self.root, &self.key_info, pager);
        let (bytes, cells) = (&mut self.leaf_bytes, &mut self.leaf_cells);
        let layout = pager.with_page_hinted(pgno, &mut self.leaf_slot, |data| {
            let view = tree.view(data, pgno)?;
            bytes.clear();
            bytes.extend_from_slice(data);
            if view.kind().is_leaf() {
                view.table_leaf_cells(cells);
            } else {
                cells.clear();
            }
            Ok(view.layout())
        })?;
        self.leaf = Some((self.epoch, pgno, layout));
        Ok(())
    }

    pub fn seek_rowid(&mut self, pager: &mut Pager, rowid: i64, op: SeekOp) -> Result<bool> {
        if !self.is_table() {
            return Err(Error::misuse("rowid seek on an index cursor"));
        }
        self.seek(pager, &Target::Rowid(rowid), op)
    }

    /// Seeks with a key of up to `KeyInfo::len()` values; a shorter key matches every entry it is
    /// a prefix of, and Ge/Gt/Le/Lt treat such prefix-equal entries as OP_SeekGE/GT/LE/LT do.
    pub fn seek_index(
        &mut self,
        pager: &mut Pager,
        key: &[ValueRef<'_>],
        op: SeekOp,
    ) -> Result<bool> {
        if self.is_table() {
            return Err(Error::misuse("index seek on a table cursor"));
        }
        self.seek(pager, &Target::Unpacked(key), op)
    }

    fn seek(&mut self, pager: &mut Pager, target: &Target<'_>, op: SeekOp) -> Result<bool> {
        if no_pages_yet(pager) {
            return self.settle(pager, false);
        }
        let tree = tree_of(self.root, &self.key_info, pager);
        if let (SeekOp::Eq, Target::Rowid(rowid)) = (op, target) {
            pager.current_epoch()?;
            let near = if tree.is_off_last_leaf(pager, &self.path, *rowid) {
                None
            } else {
                tree.seek_near(pager, &self.path, *rowid, &mut self.spare)?
            };
            let exact = match near {
                Some(exact) => exact,
                // Table entries are on leaves only: the descent ends on the entry, if any, and
                // its leaf is the hint for the next seek.
                None => tree.descend(pager, target, false, &mut self.spare, &mut self.scratch)?,
            };
            let on = self.settle_hinted(pager, exact)?;
            if !on {
                self.seek_result = Some(SeekResult {
                    rowid: *rowid,
                    epoch: pager.epoch(),
                });
            }
            return Ok(on);
        }
        let upper = matches!(op, SeekOp::Gt | SeekOp::Le);
        tree.descend(pager, target, upper, &mut self.spare, &mut self.scratch)?;
        let on = match op {
            SeekOp::Eq => {
                tree.settle_forward(pager, &mut self.spare)?
                    && tree.order_at(pager, &self.spare, target, &mut self.scratch)?
                        == Ordering::Equal
            }
            SeekOp::Ge | SeekOp::Gt => tree.settle_forward(pager, &mut self.spare)?,
            SeekOp::Le | SeekOp::Lt => tree.step(pager, &mut self.spare, false)?,
        };
        self.settle_hinted(pager, on)
    }

    /// `settle`, keeping the path of a seek that found nothing as the hint for the next one
    /// (the existence check before each of a run of appends misses the same leaf).
    fn settle_hinted(&mut self, pager: &mut Pager, on_entry: bool) -> Result<bool> {
        if !on_entry {
            std::mem::swap(&mut self.path, &mut self.spare);
        }
        self.settle(pager, on_entry)
    }

    /// The payload of the entry the cursor is on (for index cursors, the record).
    #[inline]
    pub fn payload(&mut self, pager: &mut Pager, out: &mut Vec<u8>) -> Result<()> {
        if let Some(row) = self.stepped_row(pager) {
            out.clear();
            out.extend_from_slice(row);
            return Ok(());
        }
        self.read_payload(pager, out)
    }

    /// A scan's usual case, checked without `current`: the payload of the entry a step along a
    /// table leaf reached, in place in the cursor's copy of the leaf, while the path is fresh
    /// (valid, in a read transaction, same epoch) and still ends on that entry. Otherwise None,
    /// having dropped the stale position, so that `row_in_place` says None too until the next
    /// step.
    #[inline]
    pub fn stepped_row(&mut self, pager: &Pager) -> Option<&[u8]> {
        let range = self.stepped_range(pager)?;
        self.leaf_bytes.get(range)
    }

    /// `stepped_row` as where that row is in `leaf_copy` (always inside it).
    #[inline(always)]
    pub fn stepped_range(&mut self, pager: &Pager) -> Option<std::ops::Range<usize>> {
        let at = self.row_at?;
        let fresh = self.state == State::Valid
            && pager.in_read_transaction()
            && self.epoch == pager.epoch()
            && at.epoch == self.epoch
            && self.path.last()
                == Some(&Level {
                    pgno: at.pgno,
                    index: at.index,
                });
        if !fresh || at.start > at.end || at.end > self.leaf_bytes.len() {
            self.row_at = None;
            return None;
        }
        Some(at.start..at.end)
    }

    /// The cursor's copy of the table leaf its steps are reading (`stepped_range` says where
    /// the current row is in it); it changes only when the cursor moves.
    #[inline(always)]
    pub fn leaf_copy(&self) -> &[u8] {
        &self.leaf_bytes
    }

    /// What `stepped_row` last found, without its checks: for a reader that called it since
    /// the cursor last moved, and keeps using the row it found (the copy changes only when the
    /// cursor moves).
    #[inline]
    pub fn row_in_place(&self) -> Option<&[u8]> {
        self.row_at
            .and_then(|at| self.leaf_bytes.get(at.start..at.end))
    }

    fn read_payload(&mut self, pager: &mut Pager, out: &mut Vec<u8>) -> Result<()> {
        let Level { pgno, index } = self.current(pager)?;
        let tree = tree_of(self.root, &self.key_info, pager);
        // A local payload is copied in place, without a page handle.
        let local = pager.with_page(pgno, |data| {
            let Some(local) = tree.view(data, pgno)?.local_payload(index)? else {
                return Ok(false);
            };
            out.clear();
            out.extend_from_slice(local);
            Ok(true)
        })?;
        if local {
            return Ok(());
        }
        let page = pager.get(pgno)?;
        let data = page.data();
        let info = tree.view(&data, pgno)?.cell(index)?;
        overflow::read_payload(pager, &data, &info, usize::MAX, out)
    }

    /// Overwrites `bytes.len()` bytes of the current entry's payload at `offset`, in place
    /// (incremental blob I/O). The payload keeps its size, so the tree's shape does not change;
    /// a range past the payload's end is a misuse. Needs an open write transaction.
    pub fn overwrite_payload(
        &mut self,
        pager: &mut Pager,
        offset: usize,
        bytes: &[u8],
    ) -> Result<()> {
        let Level { pgno, index } = self.current(pager)?;
        let tree = tree_of(self.root, &self.key_info, pager);
        let page = pager.get_now(pgno)?;
        let info = tree.view(&page.data(), pgno)?.cell(index)?;
        let fits = offset
            .checked_add(bytes.len())
            .is_some_and(|end| end as u64 <= info.payload_size);
        if !fits {
            return Err(Error::misuse(
                "payload overwrite past the end of the payload",
            ));
        }
        pager.make_writable(&page)?;
        overflow::overwrite_payload(pager, &page, &info, offset, bytes)?;
        // Cursors that cached this entry must read it again.
        pager.bump_epoch();
        Ok(())
    }

    /// The number of entries in the tree. Does not move the cursor.
    pub fn count(&mut self, pager: &mut Pager) -> Result<u64> {
        if no_pages_yet(pager) {
            return Ok(0);
        }
        tree_of(self.root, &self.key_info, pager).count(pager)
    }

    /// Inserts a row into a table, replacing the row with the same rowid. Needs an open write
    /// transaction. Afterwards the cursor is on the new row.
    pub fn insert_row(&mut self, pager: &mut Pager, rowid: i64, payload: &[u8]) -> Result<()> {
        if !self.is_table() {
            return Err(Error::misuse("row insert into an index"));
        }
        let placed = self.insert(pager, &Target::Rowid(rowid), rowid, payload)?;
        self.rowid = rowid;
        self.land(pager, placed);
        Ok(())
    }

    /// Inserts an index record, replacing an entry that compares equal over the `KeyInfo`.
    /// Afterwards the cursor is on the new entry.
    pub fn insert_index(&mut self, pager: &mut Pager, record: &[u8]) -> Result<()> {
        if self.is_table() {
            return Err(Error::misuse("index insert into a table"));
        }
        let placed = with_unpacked(record, |key| {
            self.insert(pager, &Target::Record(key), 0, record)
        })?;
        self.key.clear();
        self.key.extend_from_slice(record);
        self.land(pager, placed);
        Ok(())
    }

    /// Positions the cursor on the entry just written, whose key is saved. When the write moved
    /// no cell between pages, `spare` is its path and stays good until the next write; after a
    /// balance, the next use re-seeks.
    fn land(&mut self, pager: &Pager, placed: bool) {
        self.seek_result = None;
        if placed {
            std::mem::swap(&mut self.path, &mut self.spare);
            self.state = State::Valid;
            self.epoch = pager.epoch();
        } else {
            self.state = State::Saved;
        }
    }

    /// Whether the last move was a rowid seek that found no `rowid`, with nothing written
    /// since: `path` is then where `rowid` goes. The epoch is the pager's current one (the
    /// caller started the transaction).
    fn takes_seek_result(&self, pager: &mut Pager, rowid: i64) -> bool {
        let taken = self.state == State::Invalid
            && self.seek_result
                == Some(SeekResult {
                    rowid,
                    epoch: pager.epoch(),
                });
        debug_assert!(
            !taken || self.is_insert_path(pager, rowid),
            "a kept seek result is not where rowid {rowid} goes"
        );
        taken
    }

    /// Debug check of `takes_seek_result`: a descent for `rowid` finds no entry and ends on
    /// `path` (a damaged tree whose descent fails is left to the insert to report).
    fn is_insert_path(&self, pager: &mut Pager, rowid: i64) -> bool {
        let tree = tree_of(self.root, &self.key_info, pager);
        let (mut path, mut scratch) = (Vec::new(), Vec::new());
        match tree.descend(pager, &Target::Rowid(rowid), false, &mut path, &mut scratch) {
            Ok(exact) => !exact && path == self.path,
            Err(_) => true,
        }
    }

    /// Returns whether `spare` is the path to the new entry (no balance moved cells).
    fn insert(
        &mut self,
        pager: &mut Pager,
        target: &Target<'_>,
        rowid: i64,
        payload: &[u8],
    ) -> Result<bool> {
        if payload.len() > PAYLOAD_LEN_MAX {
            return Err(Error::code(ErrorCode::TooBig));
        }
        let usable = pager.usable_size();
        // Prefetch phase: find the spot, read everything the write may touch.
        // Starts the read transaction `get` would start (which may bump the epoch); the path,
        // fresh or not, is only a hint that `seek_near` checks.
        pager.current_epoch()?;
        let tree = tree_of(self.root, &self.key_info, pager);
        let near = match target {
            Target::Rowid(rowid) if self.takes_seek_result(pager, *rowid) => {
                self.spare.clone_from(&self.path);
                Some(false)
            }
            Target::Rowid(rowid) => tree.seek_near(pager, &self.path, *rowid, &mut self.spare)?,
            _ => None,
        };
        let exact = match near {
            Some(exact) => exact,
            None => tree.descend(pager, target, false, &mut self.spare, &mut self.scratch)?,
        };
        let Some(&Level { pgno, index }) = self.spare.last() else {
            unreachable!()
        };
        let (kind, old, gap) = {
            let page = pager.get(pgno)?;
            let data = page.data();
            let view = tree.view(&data, pgno)?;
            (
                view.kind(),
                if exact { Some(view.cell(index)?) } else { None },
                view.gap(),
            )
        };
        let local = local_payload_len(kind, payload.len() as u64, usable);
        let spills = local < payload.len();
        let left_child = old.as_ref().map_or(0, |info| info.left_child);
        self.cell.clear();
        if !spills {
            build_cell(&mut self.cell, kind, left_child, rowid, payload, 0, usable);
        }
        // A cell that fits its page changes that page alone, already in hand: nothing to prefetch.
        // The gap above the pointers, nearly always enough, is known without walking freeblocks.
        let freed = old.as_ref().map_or(0, |info| info.size + 2);
        let fits = |free: usize| self.cell.len() + 2 <= free + freed;
        let in_place = !spills
            && !old.as_ref().is_some_and(CellInfo::has_overflow)
            && (fits(gap) || fits(free_space(pager, &tree, pgno)?));
        if !in_place {
            if let Some(info) = &old {
                overflow::prefetch_chain(pager, info)?;
            }
            prefetch_for_write(
                pager,
                &self.spare,
                (payload.len() - local).div_ceil(usable - 4),
            )?;
        }

        // Mutation phase: no more IoPending.
        if let Some(info) = &old {
            overflow::free_chain(pager, info)?;
        }
        if spills {
            let spill = overflow::write_chain(pager, &payload[local..])?;
            build_cell(
                &mut self.cell,
                kind,
                left_child,
                rowid,
                payload,
                spill,
                usable,
            );
        }
        let page = pager.get_now(pgno)?;
        pager.make_writable(&page)?;
        let fitted = {
            let mut data = page.data_mut();
            if old.is_some() {
                drop_cell(&mut data, header_offset(pgno), usable, index)?;
            }
            insert_cell(&mut data, header_offset(pgno), usable, index, &self.cell)?
        };
        if !fitted && !append_quick(pager, &self.spare, &self.cell)? {
            balance_insert(pager, &self.spare, index, &self.cell)?;
        }
        pager.bump_epoch();
        Ok(fitted)
    }

    /// Deletes the entry the cursor is on. Afterwards `next` goes to the entry after it and `prev`
    /// to the one before it.
    pub fn delete(&mut self, pager: &mut Pager) -> Result<()> {
        // Prefetch phase.
        self.locate(pager)?;
        let cell_depth = self.spare.len();
        let Some(&Level { pgno, index }) = self.spare.last() else {
            unreachable!()
        };
        let tree = tree_of(self.root, &self.key_info, pager);
        let (info, kind) = {
            let page = pager.get(pgno)?;
            let data = page.data();
            let view = tree.view(&data, pgno)?;
            (view.cell(index)?, view.kind())
        };
        if !kind.is_leaf() {
            // An index entry on an interior page is replaced by its predecessor, the last entry
            // of its left subtree, which is taken from a leaf.
            let found = tree.descend_edge(pager, &mut self.spare, info.left_child, true)?;
            ensure_sound!(found, "empty leaf under page {pgno}");
        }
        overflow::prefetch_chain(pager, &info)?;
        prefetch_for_write(pager, &self.spare, 0)?;

        // Mutation phase.
        overflow::free_chain(pager, &info)?;
        if kind.is_leaf() {
            self.delete_from_leaf(pager, pgno, index)?;
        } else {
            self.delete_from_interior(pager, cell_depth - 1, &info)?;
        }
        pager.bump_epoch();
        self.state = State::Saved;
        Ok(())
    }

    fn delete_from_leaf(&mut self, pager: &mut Pager, pgno: PageNo, index: usize) -> Result<()> {
        let usable = pager.usable_size();
        let page = pager.get_now(pgno)?;
        pager.make_writable(&page)?;
        let underfull = {
            let mut data = page.data_mut();
            drop_cell(&mut data, header_offset(pgno), usable, index)?;
            is_underfull(
                Page::parse(&data, header_offset(pgno), usable)?.free_space()?,
                usable,
            )
        };
        if self.spare.len() > 1 && underfull {
            let node = Node::load(pager, pgno)?;
            balance(pager, &self.spare, node, None, false)?;
        }
        Ok(())
    }

    fn delete_from_interior(
        &mut self,
        pager: &mut Pager,
        cell_level: usize,
        info: &CellInfo,
    ) -> Result<()> {
        let usable = pager.usable_size();
        let Some(&Level {
            pgno: leaf,
            index: last,
        }) = self.spare.last()
        else {
            unreachable!()
        };
        let mut predecessor = Vec::new();
        {
            let page = pager.get_now(leaf)?;
            let data = page.data();
            let view = Page::parse(&data, header_offset(leaf), usable)?;
            retarget(
                view.cell_bytes(last)?,
                PageKind::LeafIndex,
                PageKind::InteriorIndex,
                info.left_child,
                usable,
                &mut predecessor,
            )?;
        }
        let page = pager.get_now(leaf)?;
        pager.make_writable(&page)?;
        drop_cell(&mut page.data_mut(), header_offset(leaf), usable, last)?;
        let Level { pgno, index } = self.spare[cell_level];
        let mut upper = Node::load(pager, pgno)?;
        ensure_sound!(
            index < upper.cells.len(),
            "cell {index} missing on page {pgno}"
        );
        upper.cells.replace(index, &predecessor);
        let node = Node::load(pager, leaf)?;
        balance(pager, &self.spare, node, Some((cell_level, upper)), false)
    }
}
