//! Balancing: keeping every page within its size after an insert or a delete.
//!
//! Balancing works on [`Node`]s, pages copied into memory as a list of cells that may hold more
//! (an insert that did not fit) or less (a delete) than a page should. The loop in [`balance`]
//! walks up the cursor's path: a node that fits and is not underfull is written back and ends the
//! walk; otherwise it is redistributed with its siblings ([`balance_nonroot`]), which changes the
//! parent's dividers, and the parent becomes the node to look at. The root never moves: when it
//! overflows its content moves to a new child first ([`deepen`]); when it is left with a single
//! child and no cell, the child's content moves up into it ([`finish_root`]).
//!
//! The fill policy follows SQLite's: cells are packed left to right into as few pages as hold
//! them, then moved right until the last pages are about even (B7). A leaf that overflows on an
//! insert is redistributed with one neighbour rather than SQLite's two, straight from its page
//! ([`balance_insert`]). An append at the right edge of a table leaf takes the quick path
//! ([`balance_quick`]): a new right sibling holds just the new cell, so sequential inserts leave
//! full pages behind.

use super::cursor::Level;
use super::freelist;
use super::page::{
    build_cell, drop_cell, header_offset, insert_cell, parse_cell, read_u32, set_right_child,
    slice, space_needed, write_cells, write_u32, Page, PageKind, CELL_SIZE_MIN,
};
use crate::ensure_sound;
use crate::error::Result;
use crate::pager::{PageNo, Pager};
use std::ops::Range;

/// How many neighbouring children take part in a redistribution (SQLite's NB).
const SIBLINGS_MAX: usize = 3;

/// How many take part when a leaf overflows on an insert: the leaf and its left neighbour (the
/// right one for a first child). Two full pages become three (about 3/4, 3/4 and 1/2 full),
/// where three became four left nearly full from the left (B7 evens only the tail) that soon
/// overflowed again: the `insert` benchmark (scale 0.1) balances 2,783 times instead of 4,843,
/// 168M instructions instead of 430M. Pages stay about as full as SQLite's (that benchmark: 2,510
/// pages to its 2,531; random rowids, 100-byte rows: 727 to 686, `fill_factor_matches_sqlite`).
/// Taking the freer neighbour filled pages better but balanced 5,382 times.
const SIBLINGS_INSERT: usize = 2;

/// Cells in memory, their bytes back to back in one buffer: loading a page is one copy and no
/// allocation per cell (a `Vec` per cell made malloc and free a fifth of an insert's time).
#[derive(Debug, Default)]
pub(super) struct Cells {
    bytes: Vec<u8>,
    /// Each cell's bytes in `bytes`, in key order. Bytes of cells taken out stay behind unused;
    /// a node lives for one balance, so they are never worth reclaiming.
    spans: Vec<(u32, u32)>,
}

impl Cells {
    fn with_capacity(bytes: usize, cells: usize) -> Cells {
        Cells {
            bytes: Vec::with_capacity(bytes),
            spans: Vec::with_capacity(cells),
        }
    }

    pub fn len(&self) -> usize {
        self.spans.len()
    }

    fn bytes_of(&self, (start, end): (u32, u32)) -> &[u8] {
        &self.bytes[start as usize..end as usize]
    }

    fn get(&self, index: usize) -> Option<&[u8]> {
        self.spans.get(index).map(|&span| self.bytes_of(span))
    }

    fn get_mut(&mut self, index: usize) -> Option<&mut [u8]> {
        let &(start, end) = self.spans.get(index)?;
        Some(&mut self.bytes[start as usize..end as usize])
    }

    /// Cell `index`, which the caller knows exists.
    fn cell(&self, index: usize) -> &[u8] {
        self.bytes_of(self.spans[index])
    }

    /// Where cells `range` lie in the buffer, for `write_cells`.
    fn spans(&self, range: Range<usize>) -> &[(u32, u32)] {
        &self.spans[range]
    }

    /// Bytes the cells need on a page, pointers included.
    fn used(&self) -> usize {
        space_needed(self.spans.iter().map(|&(s, e)| (e - s) as usize))
    }

    /// Appends the bytes `build` writes to the buffer as a new cell at `index`.
    fn insert_with(
        &mut self,
        index: usize,
        build: impl FnOnce(&mut Vec<u8>) -> Result<()>,
    ) -> Result<()> {
        let start = self.bytes.len();
        build(&mut self.bytes)?;
        self.spans
            .insert(index, (start as u32, self.bytes.len() as u32));
        Ok(())
    }

    pub fn insert(&mut self, index: usize, cell: &[u8]) {
        let start = self.bytes.len() as u32;
        self.bytes.extend_from_slice(cell);
        self.spans.insert(index, (start, self.bytes.len() as u32));
    }

    /// Replaces cell `index`, which the caller knows exists.
    pub fn replace(&mut self, index: usize, cell: &[u8]) {
        let start = self.bytes.len() as u32;
        self.bytes.extend_from_slice(cell);
        self.spans[index] = (start, self.bytes.len() as u32);
    }

    fn push_with(&mut self, build: impl FnOnce(&mut Vec<u8>) -> Result<()>) -> Result<()> {
        self.insert_with(self.len(), build)
    }

    /// Appends all of `other`'s cells with one copy of its buffer.
    fn extend(&mut self, other: &Cells) {
        let shift = self.bytes.len() as u32;
        self.bytes.extend_from_slice(&other.bytes);
        self.spans
            .extend(other.spans.iter().map(|&(s, e)| (s + shift, e + shift)));
    }

    fn remove(&mut self, range: Range<usize>) {
        self.spans.drain(range);
    }

    fn truncate(&mut self, len: usize) {
        self.spans.truncate(len);
    }
}

/// A page held in memory while its cells are rearranged.
#[derive(Debug)]
pub(super) struct Node {
    pub pgno: PageNo,
    pub kind: PageKind,
    pub cells: Cells,
    /// Interior pages only: the child right of the last cell.
    pub right_child: PageNo,
}

/// SQLite rebalances a non-root page once more than two thirds of it is free.
pub(super) fn is_underfull(free: usize, usable: usize) -> bool {
    free > usable * 2 / 3
}

impl Node {
    pub fn load(pager: &mut Pager, pgno: PageNo) -> Result<Node> {
        let mut cells = Cells::default();
        let (kind, right_child) = load_cells(pager, pgno, &mut cells)?;
        Ok(Node {
            pgno,
            kind,
            cells,
            right_child,
        })
    }

    fn capacity(&self, usable: usize) -> usize {
        usable - header_offset(self.pgno) - self.kind.header_len()
    }

    fn fits(&self, usable: usize) -> bool {
        self.cells.used() <= self.capacity(usable)
    }

    fn underfull(&self, usable: usize) -> bool {
        self.fits(usable) && is_underfull(self.capacity(usable) - self.cells.used(), usable)
    }

    fn write(&self, pager: &mut Pager) -> Result<()> {
        write_page(
            pager,
            self.pgno,
            self.kind,
            &self.cells.bytes,
            self.cells.spans(0..self.cells.len()),
            self.right_child,
        )
    }

    /// Child `index` (`cells.len()` for the right-most one).
    fn child(&self, index: usize) -> Result<PageNo> {
        debug_assert!(!self.kind.is_leaf() && index <= self.cells.len());
        let pgno = match self.cells.get(index) {
            Some(cell) => read_u32(cell, 0)?,
            None => self.right_child,
        };
        ensure_sound!(pgno >= 2, "child pointer {pgno} on page {}", self.pgno);
        Ok(pgno)
    }

    fn set_child(&mut self, index: usize, pgno: PageNo) -> Result<()> {
        match self.cells.get_mut(index) {
            Some(cell) => write_u32(cell, 0, pgno),
            None => {
                self.right_child = pgno;
                Ok(())
            }
        }
    }
}

/// Appends the cells of page `pgno` to `cells`, returning the page's kind and right child (0 for
/// a leaf). Every cell lies in the content area (`cell_spans` checks it), so copying that area
/// copies them all. Room for one more cell saves the insert that made the page overflow a
/// reallocation.
fn load_cells(pager: &mut Pager, pgno: PageNo, cells: &mut Cells) -> Result<(PageKind, PageNo)> {
    let usable = pager.usable_size();
    let page = pager.get_now(pgno)?;
    let data = page.data();
    let view = Page::parse(&data, header_offset(pgno), usable)?;
    let area = slice(&data, view.content_start()..usable)?;
    cells.bytes.reserve(area.len() + usable / 4);
    cells.spans.reserve(view.cell_count() + 1);
    let shift = cells.bytes.len();
    cells.bytes.extend_from_slice(area);
    view.cell_spans(shift, &mut cells.spans)?;
    let right_child = if view.kind().is_leaf() {
        0
    } else {
        view.right_child()?
    };
    Ok((view.kind(), right_child))
}

/// Rewrites page `pgno` to hold the cells `bytes[start..end]` of `spans`.
fn write_page(
    pager: &mut Pager,
    pgno: PageNo,
    kind: PageKind,
    bytes: &[u8],
    spans: &[(u32, u32)],
    right_child: PageNo,
) -> Result<()> {
    let page = pager.get_now(pgno)?;
    pager.make_writable(&page)?;
    let usable = pager.usable_size();
    let mut data = page.data_mut();
    write_cells(
        &mut data,
        header_offset(pgno),
        kind,
        usable,
        bytes,
        spans,
        right_child,
    )
}

/// The child whose change starts a redistribution: in memory, or still on its page with one
/// cell that did not fit (an insert, whose page is loaded straight into the redistribution: a
/// `Node` first would copy and measure its cells twice).
pub(super) enum Changed<'c> {
    Node(Node),
    Overflowing {
        pgno: PageNo,
        index: usize,
        cell: &'c [u8],
    },
}

/// Re-encodes a cell for a page of another kind, appending it to `out`: index cells move between
/// leaves and interior pages with or without their child pointer; interior cells get a new child.
/// The result is exactly as long as the format says (padding dropped, then added back only where
/// needed).
pub(super) fn retarget(
    cell: &[u8],
    from: PageKind,
    to: PageKind,
    child: PageNo,
    usable: usize,
    out: &mut Vec<u8>,
) -> Result<()> {
    debug_assert_eq!(from.is_table(), to.is_table());
    let info = parse_cell(cell, 0, from, usable)?;
    let body = cell
        .get(if from.is_leaf() { 0 } else { 4 }..info.unpadded_len(0))
        .unwrap_or_default();
    let start = out.len();
    if !to.is_leaf() {
        out.extend_from_slice(&child.to_be_bytes());
    }
    out.extend_from_slice(body);
    out.resize(out.len().max(start + CELL_SIZE_MIN), 0);
    Ok(())
}

/// Rebalances after `cell` did not fit as cell `index` of the leaf at the end of `path`, which
/// holds its old cells unchanged. A leaf that is the root (it deepens) or that the cell was
/// appended to (the quick balance may apply) is loaded into a `Node` for [`balance`]; any other
/// is redistributed with one neighbour (`SIBLINGS_INSERT`) straight from its page.
pub(super) fn balance_insert(
    pager: &mut Pager,
    path: &[Level],
    index: usize,
    cell: &[u8],
) -> Result<()> {
    let usable = pager.usable_size();
    let leaf = path.len() - 1;
    let pgno = path[leaf].pgno;
    let count = {
        let page = pager.get_now(pgno)?;
        let data = page.data();
        Page::parse(&data, header_offset(pgno), usable)?.cell_count()
    };
    ensure_sound!(index <= count, "no cell {index} on page {pgno}");
    let appended = index == count;
    if leaf == 0 || appended {
        let mut node = Node::load(pager, pgno)?;
        node.cells.insert(index, cell);
        return balance(pager, path, node, None, appended);
    }
    let Level {
        pgno: parent,
        index: child,
    } = path[leaf - 1];
    let changed = Changed::Overflowing { pgno, index, cell };
    match balance_under_page(pager, parent, child, changed, leaf == 1)? {
        Some(parent) => balance(pager, &path[..leaf], parent, None, false),
        None => Ok(()),
    }
}

/// Rebalances after `node`, the page at the end of `path`, changed in memory. `upper` is a node
/// higher on the path that also changed (an index cell replaced by its predecessor) and must be
/// written or balanced when the walk gets there. `appended` allows the quick balance.
pub(super) fn balance(
    pager: &mut Pager,
    path: &[Level],
    mut node: Node,
    mut upper: Option<(usize, Node)>,
    appended: bool,
) -> Result<()> {
    let usable = pager.usable_size();
    let mut level = path.len() - 1;
    let mut quick = appended;
    debug_assert_eq!(node.pgno, path[level].pgno);
    loop {
        if level == 0 {
            if node.fits(usable) {
                debug_assert!(upper.is_none());
                return finish_root(pager, node);
            }
            let (mut root, child) = deepen(pager, node)?;
            balance_child(pager, &mut root, 0, child, quick)?;
            quick = false;
            node = root;
            continue;
        }
        if node.fits(usable) && !node.underfull(usable) {
            node.write(pager)?;
            match upper.take() {
                Some((upper_level, upper_node)) => {
                    (level, node) = (upper_level, upper_node);
                    continue;
                }
                None => return Ok(()),
            }
        }
        let parent_level = level - 1;
        let Level { pgno, index } = path[parent_level];
        let in_memory = match upper.take() {
            Some((upper_level, upper_node)) if upper_level == parent_level => Some(upper_node),
            other => {
                upper = other;
                None
            }
        };
        let parent = match in_memory {
            Some(mut parent) => {
                balance_child(pager, &mut parent, index, node, quick)?;
                Some(parent)
            }
            None if quick && node.kind == PageKind::LeafTable => {
                let mut parent = Node::load(pager, pgno)?;
                balance_child(pager, &mut parent, index, node, quick)?;
                Some(parent)
            }
            None => balance_under_page(pager, pgno, index, Changed::Node(node), parent_level == 0)?,
        };
        quick = false;
        match parent {
            Some(parent) => (level, node) = (parent_level, parent),
            // The parent took its new dividers in place and needs nothing more.
            None => match upper.take() {
                Some((upper_level, upper_node)) => (level, node) = (upper_level, upper_node),
                None => return Ok(()),
            },
        }
    }
}

/// Balances child `index` of `parent`, changing `parent` in memory only.
fn balance_child(
    pager: &mut Pager,
    parent: &mut Node,
    index: usize,
    node: Node,
    appended: bool,
) -> Result<()> {
    ensure_sound!(
        parent.child(index)? == node.pgno,
        "page {} is not child {index} of {}",
        node.pgno,
        parent.pgno
    );
    let quick = appended
        && node.kind == PageKind::LeafTable
        && parent.pgno != 1
        && index == parent.cells.len()
        && node.cells.len() >= 2;
    if quick {
        balance_quick(pager, parent, node)
    } else {
        balance_nonroot(pager, parent, index, node)
    }
}

/// The root overflows: its content moves to a new child, and the root becomes an interior page
/// with that single child. Returns the new root and the child, both in memory.
fn deepen(pager: &mut Pager, root: Node) -> Result<(Node, Node)> {
    let child_pgno = freelist::allocate(pager)?.pgno();
    let kind = root.kind.with_leaf(false);
    let child = Node {
        pgno: child_pgno,
        kind: root.kind,
        cells: root.cells,
        right_child: root.right_child,
    };
    Ok((
        Node {
            pgno: root.pgno,
            kind,
            cells: Cells::default(),
            right_child: child_pgno,
        },
        child,
    ))
}

/// Writes the root; a root left with one child and no cell takes over that child's content when
/// it fits (page 1 has 100 bytes less, so there it may not).
fn finish_root(pager: &mut Pager, root: Node) -> Result<()> {
    let usable = pager.usable_size();
    if root.kind.is_leaf() || root.cells.len() > 0 {
        return root.write(pager);
    }
    let child = Node::load(pager, root.right_child)?;
    ensure_sound!(
        child.kind.is_table() == root.kind.is_table(),
        "child {} of another tree kind",
        child.pgno
    );
    let child_pgno = child.pgno;
    let merged = Node {
        pgno: root.pgno,
        kind: child.kind,
        cells: child.cells,
        right_child: child.right_child,
    };
    if !merged.fits(usable) {
        return root.write(pager);
    }
    merged.write(pager)?;
    freelist::free(pager, child_pgno)
}

/// SQLite's balance_quick: the right-most table leaf overflowed by an appended cell. A new page
/// to its right holds only that cell, and the parent gains a divider for the old page.
fn balance_quick(pager: &mut Pager, parent: &mut Node, mut node: Node) -> Result<()> {
    let usable = pager.usable_size();
    let count = node.cells.len();
    debug_assert!(count >= 2, "quick balance of a node without old cells");
    let new_pgno = freelist::allocate(pager)?.pgno();
    write_page(
        pager,
        new_pgno,
        PageKind::LeafTable,
        &node.cells.bytes,
        node.cells.spans(count - 1..count),
        0,
    )?;
    node.cells.truncate(count - 1);
    // The old cells are on the node's page already, unless the root just moved them there.
    node.write(pager)?;
    let last = parse_cell(node.cells.cell(count - 2), 0, node.kind, usable)?.rowid;
    let at = parent.cells.len();
    parent.cells.insert_with(at, |out| {
        build_cell(
            out,
            PageKind::InteriorTable,
            node.pgno,
            last,
            &[],
            0,
            usable,
        );
        Ok(())
    })?;
    parent.right_child = new_pgno;
    Ok(())
}

/// The quick balance done in place, as SQLite's balance_quick does it: `cell` did not fit on the
/// table leaf at the end of `path`, which it was to be appended to, on the tree's right edge
/// below its parent. A new right sibling holds just the cell, the old leaf stays as it is, and
/// the parent gains one divider through `insert_cell` rather than being loaded and rewritten
/// whole: one appended row in ~90 takes this path. Returns false, having changed nothing, in the
/// cases `balance` would go further than a quick balance followed by writing the parent (the
/// leaf is the root or not its parent's last child, the parent is page 1, full, or left
/// underfull); the caller then balances in general.
pub(super) fn append_quick(pager: &mut Pager, path: &[Level], cell: &[u8]) -> Result<bool> {
    let usable = pager.usable_size();
    let [.., up, at] = path else {
        return Ok(false);
    };
    if up.pgno == 1 {
        return Ok(false);
    }
    let last_rowid = {
        let leaf = pager.get_now(at.pgno)?;
        let data = leaf.data();
        let view = Page::parse(&data, header_offset(at.pgno), usable)?;
        if view.kind() != PageKind::LeafTable
            || view.cell_count() == 0
            || at.index != view.cell_count()
        {
            return Ok(false);
        }
        view.rowid(view.cell_count() - 1)?
    };
    let mut divider = Vec::new();
    build_cell(
        &mut divider,
        PageKind::InteriorTable,
        at.pgno,
        last_rowid,
        &[],
        0,
        usable,
    );
    let parent = pager.get_now(up.pgno)?;
    {
        let data = parent.data();
        let view = Page::parse(&data, header_offset(up.pgno), usable)?;
        if view.kind() != PageKind::InteriorTable
            || up.index != view.cell_count()
            || view.child(up.index)? != at.pgno
        {
            return Ok(false);
        }
        let (free, needed) = (view.free_space()?, divider.len() + 2);
        let is_root = path.len() == 2;
        if needed > free || (!is_root && is_underfull(free - needed, usable)) {
            return Ok(false);
        }
    }
    let new_pgno = freelist::allocate(pager)?.pgno();
    write_page(
        pager,
        new_pgno,
        PageKind::LeafTable,
        cell,
        &[(0, cell.len() as u32)],
        0,
    )?;
    pager.make_writable(&parent)?;
    let mut data = parent.data_mut();
    let hdr = header_offset(up.pgno);
    ensure_sound!(
        insert_cell(&mut data, hdr, usable, up.index, &divider)?,
        "no room for a divider on page {} after all",
        up.pgno
    );
    set_right_child(&mut data, hdr, new_pgno)?;
    Ok(true)
}

/// The parent's part in a redistribution, read from it whether it is in memory or on its page:
/// which children take part and copies of the dividers between them.
struct Family {
    parent_pgno: PageNo,
    parent_kind: PageKind,
    /// The first child taking part.
    first: usize,
    children: Vec<PageNo>,
    dividers: Cells,
}

impl Family {
    /// The window of up to `siblings` children around child `index` (from the one before it,
    /// when there is one), of a parent with `cells` cells.
    fn window(cells: usize, index: usize, siblings: usize) -> (usize, usize) {
        let children = cells + 1;
        let count = children.min(siblings);
        (index.saturating_sub(count / 2).min(children - count), count)
    }

    fn of_node(parent: &Node, index: usize) -> Result<Family> {
        ensure_sound!(
            !parent.kind.is_leaf() && index <= parent.cells.len(),
            "page {} has no child {index}",
            parent.pgno
        );
        let (first, count) = Family::window(parent.cells.len(), index, SIBLINGS_MAX);
        let mut dividers = Cells::default();
        for j in first..first + count - 1 {
            dividers.insert(dividers.len(), parent.cells.cell(j));
        }
        Ok(Family {
            parent_pgno: parent.pgno,
            parent_kind: parent.kind,
            first,
            children: (first..first + count)
                .map(|j| parent.child(j))
                .collect::<Result<_>>()?,
            dividers,
        })
    }

    /// The family on page `pgno`, with the page's free space and cell count.
    fn of_page(
        pager: &mut Pager,
        pgno: PageNo,
        index: usize,
        siblings: usize,
    ) -> Result<(Family, usize, usize)> {
        let usable = pager.usable_size();
        let page = pager.get_now(pgno)?;
        let data = page.data();
        let view = Page::parse(&data, header_offset(pgno), usable)?;
        ensure_sound!(
            !view.kind().is_leaf() && index <= view.cell_count(),
            "page {pgno} has no child {index}"
        );
        let (first, count) = Family::window(view.cell_count(), index, siblings);
        let mut dividers = Cells::default();
        for j in first..first + count - 1 {
            dividers.insert(dividers.len(), view.cell_bytes(j)?);
        }
        let mut children = Vec::with_capacity(count);
        for j in first..first + count {
            let child = view.child(j)?;
            ensure_sound!(child >= 2, "child pointer {child} on page {pgno}");
            children.push(child);
        }
        let family = Family {
            parent_pgno: pgno,
            parent_kind: view.kind(),
            first,
            children,
            dividers,
        };
        Ok((family, view.free_space()?, view.cell_count()))
    }

    /// Replaces the family's dividers in the in-memory `parent` with `dividers`, the new pages'
    /// own, and points the child after them at `last`.
    fn apply(&self, parent: &mut Node, dividers: &Cells, last: PageNo) -> Result<()> {
        debug_assert_eq!(parent.pgno, self.parent_pgno);
        let first = self.first;
        parent.cells.remove(first..first + self.dividers.len());
        for j in 0..dividers.len() {
            parent.cells.insert(first + j, dividers.cell(j));
        }
        parent.set_child(first + dividers.len(), last)
    }
}

/// Redistributes child `index` of `parent` (the in-memory `node`) and up to two neighbours over
/// as many pages as their cells need, replacing their dividers in `parent`.
fn balance_nonroot(pager: &mut Pager, parent: &mut Node, index: usize, node: Node) -> Result<()> {
    let family = Family::of_node(parent, index)?;
    let (dividers, last) = redistribute(pager, &family, index, Changed::Node(node))?;
    family.apply(parent, &dividers, last)
}

/// `balance_nonroot` under a parent still on its page `pgno` (SQLite edits the parent in place
/// too): the old dividers are dropped from the page and the new ones inserted, leaving every
/// other cell where it is. When the parent would overflow, or be left underfull (or, as the
/// root, empty), it is loaded instead and returned with the change made in memory, for the
/// caller to balance further; None when the page took the change.
fn balance_under_page(
    pager: &mut Pager,
    pgno: PageNo,
    index: usize,
    changed: Changed<'_>,
    is_root: bool,
) -> Result<Option<Node>> {
    let usable = pager.usable_size();
    let siblings = match changed {
        Changed::Overflowing { .. } => SIBLINGS_INSERT,
        Changed::Node(_) => SIBLINGS_MAX,
    };
    let (family, free, cell_count) = Family::of_page(pager, pgno, index, siblings)?;
    let (dividers, last) = redistribute(pager, &family, index, changed)?;
    let in_place = (free + family.dividers.used())
        .checked_sub(dividers.used())
        .is_some_and(|free| {
            if is_root {
                // A root left without cells gives way to its child (`finish_root`).
                cell_count - family.dividers.len() + dividers.len() > 0
            } else {
                !is_underfull(free, usable)
            }
        });
    if !in_place {
        let mut parent = Node::load(pager, pgno)?;
        family.apply(&mut parent, &dividers, last)?;
        return Ok(Some(parent));
    }
    let hdr = header_offset(pgno);
    let page = pager.get_now(pgno)?;
    pager.make_writable(&page)?;
    let mut data = page.data_mut();
    for _ in 0..family.dividers.len() {
        drop_cell(&mut data, hdr, usable, family.first)?;
    }
    for j in 0..dividers.len() {
        ensure_sound!(
            insert_cell(&mut data, hdr, usable, family.first + j, dividers.cell(j))?,
            "no room for a divider on page {pgno} after all"
        );
    }
    let at = family.first + dividers.len();
    let view = Page::parse(&data, hdr, usable)?;
    debug_assert!(at <= view.cell_count());
    if at < view.cell_count() {
        let offset = view.cell_offset(at)?;
        write_u32(&mut data, offset, last)?;
    } else {
        set_right_child(&mut data, hdr, last)?;
    }
    Ok(None)
}

/// Redistributes the family's children, `changed` (child `index`) among them, over as many pages as
/// their cells need. Returns the dividers of the new pages but the last, in order, and the last
/// page: the parent's new cells and the child after them.
fn redistribute(
    pager: &mut Pager,
    family: &Family,
    index: usize,
    changed: Changed<'_>,
) -> Result<(Cells, PageNo)> {
    let usable = pager.usable_size();
    let (siblings, cells, last_right) = gather(pager, family, index, changed)?;
    let kind = siblings[0].kind;
    let consumes = kind != PageKind::LeafTable;
    let sizes: Vec<usize> = cells
        .spans
        .iter()
        .map(|&(start, end)| (end - start) as usize + 2)
        .collect();
    let pages = distribute(&sizes, usable - kind.header_len(), consumes)?;

    let mut pgnos: Vec<PageNo> = siblings.iter().map(|s| s.pgno).collect();
    drop(siblings);
    while pgnos.len() < pages.len() {
        pgnos.push(freelist::allocate(pager)?.pgno());
    }
    // Ascending page numbers keep a tree's pages in key order on disk, as SQLite arranges.
    pgnos.sort_unstable();
    let freed = pgnos.split_off(pages.len());
    let mut dividers = Cells::default();
    for (j, &(start, end)) in pages.iter().enumerate() {
        let is_last = j + 1 == pages.len();
        let right_child = match (kind.is_leaf(), is_last) {
            (true, _) => 0,
            (false, true) => last_right,
            (false, false) => read_u32(cells.cell(end), 0)?,
        };
        write_page(
            pager,
            pgnos[j],
            kind,
            &cells.bytes,
            cells.spans(start..end),
            right_child,
        )?;
        if !is_last {
            dividers
                .push_with(|out| divider_for(&cells, start, end, kind, pgnos[j], usable, out))?;
        }
    }
    for pgno in freed {
        freelist::free(pager, pgno)?;
    }
    Ok((dividers, pgnos[pages.len() - 1]))
}

/// A child taking part in a redistribution, its cells loaded into the combined list.
struct Sibling {
    pgno: PageNo,
    kind: PageKind,
}

/// All cells of the family's children (`changed` for child `index`) in key order, loaded straight
/// into one list, with the parent's dividers between them pulled down where the page kind keeps
/// them (everything but table leaves, whose dividers are mere copies of a rowid). Also returns
/// the children and the last one's right child.
fn gather(
    pager: &mut Pager,
    family: &Family,
    index: usize,
    changed: Changed<'_>,
) -> Result<(Vec<Sibling>, Cells, PageNo)> {
    let usable = pager.usable_size();
    let count = family.children.len();
    let mut changed = Some(changed);
    let mut siblings: Vec<Sibling> = Vec::with_capacity(count);
    let mut cells = Cells::with_capacity(count * usable + usable / 4, 0);
    let mut last_right = 0;
    for (j, &pgno) in family.children.iter().enumerate() {
        let (sibling, right_child) = match changed.take_if(|_| family.first + j == index) {
            Some(Changed::Node(node)) => {
                cells.extend(&node.cells);
                (
                    Sibling {
                        pgno: node.pgno,
                        kind: node.kind,
                    },
                    node.right_child,
                )
            }
            Some(Changed::Overflowing {
                pgno: at_pgno,
                index: at,
                cell,
            }) => {
                let before = cells.len();
                let (kind, right_child) = load_cells(pager, at_pgno, &mut cells)?;
                ensure_sound!(at <= cells.len() - before, "no cell {at} on page {at_pgno}");
                cells.insert(before + at, cell);
                (
                    Sibling {
                        pgno: at_pgno,
                        kind,
                    },
                    right_child,
                )
            }
            None => {
                let (kind, right_child) = load_cells(pager, pgno, &mut cells)?;
                (Sibling { pgno, kind }, right_child)
            }
        };
        ensure_sound!(
            sibling.pgno == pgno
                && pgno != 1
                && sibling.kind.is_table() == family.parent_kind.is_table(),
            "page {pgno} cannot be a child of {}",
            family.parent_pgno
        );
        ensure_sound!(
            siblings
                .iter()
                .all(|s| s.pgno != pgno && s.kind == sibling.kind),
            "children of page {} disagree",
            family.parent_pgno
        );
        last_right = right_child;
        if j + 1 < count && sibling.kind != PageKind::LeafTable {
            let divider = family.dividers.cell(j);
            cells.push_with(|out| {
                retarget(
                    divider,
                    family.parent_kind,
                    sibling.kind,
                    right_child,
                    usable,
                    out,
                )
            })?;
        }
        siblings.push(sibling);
    }
    debug_assert!(changed.is_none());
    Ok((siblings, cells, last_right))
}

/// Appends to `out` the parent's divider for the page holding `cells[start..end]`: the consumed
/// cell `cells[end]` pointing at the page, or for table leaves the page's largest rowid.
fn divider_for(
    cells: &Cells,
    start: usize,
    end: usize,
    kind: PageKind,
    pgno: PageNo,
    usable: usize,
    out: &mut Vec<u8>,
) -> Result<()> {
    let interior = kind.with_leaf(false);
    if kind == PageKind::LeafTable {
        debug_assert!(end > start);
        let rowid = parse_cell(cells.cell(end - 1), 0, kind, usable)?.rowid;
        build_cell(out, interior, pgno, rowid, &[], 0, usable);
        return Ok(());
    }
    retarget(cells.cell(end), kind, interior, pgno, usable, out)
}

/// Splits cells of the given sizes (pointer included) into pages of `capacity` bytes, returning
/// each page's cell range. With `consumes`, the cell after each page but the last becomes the
/// divider in the parent and belongs to no page. Pages are first packed full from the left, then
/// cells move right while that brings neighbours closer to even.
pub(super) fn distribute(
    sizes: &[usize],
    capacity: usize,
    consumes: bool,
) -> Result<Vec<(usize, usize)>> {
    let n = sizes.len();
    let mut pages: Vec<(usize, usize)> = Vec::new();
    let mut i = 0;
    loop {
        let (start, mut used) = (i, 0);
        while i < n && used + sizes[i] <= capacity {
            used += sizes[i];
            i += 1;
        }
        ensure_sound!(
            i > start || n == 0,
            "cell of {} bytes larger than a page",
            sizes[i]
        );
        pages.push((start, i));
        if i == n {
            break;
        }
        if consumes {
            i += 1;
            if i == n {
                pages.push((n, n));
                break;
            }
        }
    }
    for j in (1..pages.len()).rev() {
        let mut left: usize = sizes[pages[j - 1].0..pages[j - 1].1].iter().sum();
        let mut right: usize = sizes[pages[j].0..pages[j].1].iter().sum();
        loop {
            let ((left_start, left_end), (right_start, _)) = (pages[j - 1], pages[j]);
            if left_end - left_start < 2 {
                break;
            }
            let moved_out = sizes[left_end - 1];
            let moved_in = if consumes { sizes[left_end] } else { moved_out };
            if right + moved_in > capacity || (right != 0 && right + moved_in > left - moved_out) {
                break;
            }
            left -= moved_out;
            right += moved_in;
            pages[j - 1].1 = left_end - 1;
            pages[j].0 = right_start - 1;
        }
    }
    debug_assert!(pages
        .iter()
        .all(|&(s, e)| space_needed(sizes[s..e].iter().map(|x| x - 2)) <= capacity));
    debug_assert!(
        pages.len() == 1 || pages.iter().all(|&(s, e)| e > s),
        "B7: no empty page"
    );
    Ok(pages)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(sizes: &[usize], capacity: usize, consumes: bool) -> Vec<(usize, usize)> {
        let pages = distribute(sizes, capacity, consumes).unwrap();
        let mut next = 0;
        for (j, &(start, end)) in pages.iter().enumerate() {
            assert_eq!(start, next);
            assert!(sizes[start..end].iter().sum::<usize>() <= capacity);
            next = end + usize::from(consumes && j + 1 < pages.len());
        }
        assert_eq!(next, sizes.len());
        pages
    }

    #[test]
    fn windows_hold_the_child_and_stay_among_the_children() {
        for cells in 0..6 {
            for index in 0..=cells {
                for siblings in [SIBLINGS_INSERT, SIBLINGS_MAX] {
                    let (first, count) = Family::window(cells, index, siblings);
                    assert_eq!(count, siblings.min(cells + 1));
                    assert!(first <= index && index < first + count);
                    assert!(first + count <= cells + 1);
                }
            }
        }
        // Three siblings centre on the child; an insert's two take the left neighbour.
        assert_eq!(Family::window(5, 3, SIBLINGS_MAX), (2, 3));
        assert_eq!(Family::window(5, 3, SIBLINGS_INSERT), (2, 2));
        assert_eq!(Family::window(5, 0, SIBLINGS_INSERT), (0, 2));
        assert_eq!(Family::window(5, 5, SIBLINGS_MAX), (3, 3));
    }

    #[test]
    fn distribution_packs_left_and_evens_the_tail() {
        let pages = check(&[100; 11], 500, false);
        assert_eq!(pages, vec![(0, 4), (4, 8), (8, 11)]);
        let pages = check(&[100; 11], 500, true);
        assert_eq!(pages.len(), 2);
        check(&[30, 400, 30, 400, 30, 400, 30], 500, true);
        check(&[490, 10, 490], 500, true);
        check(&[], 500, false);
        check(&[10], 500, true);
    }
}
