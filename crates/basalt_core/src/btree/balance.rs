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
//! them, then moved right until the last pages are about even (B7). An append at the right edge
//! of a table leaf takes the quick path ([`balance_quick`]): a new right sibling holds just the
//! new cell, so sequential inserts leave full pages behind.

use super::cursor::Level;
use super::freelist;
use super::page::{
    build_cell, header_offset, parse_cell, read_u32, space_needed, write_cells, Page, PageKind,
    CELL_SIZE_MIN,
};
use crate::ensure_sound;
use crate::error::Result;
use crate::pager::{PageNo, Pager};

/// How many neighbouring children take part in a redistribution (SQLite's NB).
const SIBLINGS_MAX: usize = 3;

/// A page held in memory while its cells are rearranged.
#[derive(Debug)]
pub(super) struct Node {
    pub pgno: PageNo,
    pub kind: PageKind,
    pub cells: Vec<Vec<u8>>,
    /// Interior pages only: the child right of the last cell.
    pub right_child: PageNo,
}

/// SQLite rebalances a non-root page once more than two thirds of it is free.
pub(super) fn is_underfull(free: usize, usable: usize) -> bool {
    free > usable * 2 / 3
}

impl Node {
    pub fn load(pager: &mut Pager, pgno: PageNo) -> Result<Node> {
        let page = pager.get_now(pgno)?;
        let data = page.data();
        let view = Page::parse(&data, header_offset(pgno), pager.usable_size())?;
        let cells = (0..view.cell_count())
            .map(|i| view.cell_bytes(i).map(<[u8]>::to_vec))
            .collect::<Result<_>>()?;
        let right_child = if view.kind().is_leaf() {
            0
        } else {
            view.right_child()?
        };
        Ok(Node {
            pgno,
            kind: view.kind(),
            cells,
            right_child,
        })
    }

    fn capacity(&self, usable: usize) -> usize {
        usable - header_offset(self.pgno) - self.kind.header_len()
    }

    fn used(&self) -> usize {
        space_needed(self.cells.iter().map(Vec::len))
    }

    fn fits(&self, usable: usize) -> bool {
        self.used() <= self.capacity(usable)
    }

    fn underfull(&self, usable: usize) -> bool {
        self.fits(usable) && is_underfull(self.capacity(usable) - self.used(), usable)
    }

    fn write(&self, pager: &mut Pager) -> Result<()> {
        write_page(pager, self.pgno, self.kind, &self.cells, self.right_child)
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

    fn set_child(&mut self, index: usize, pgno: PageNo) {
        match self.cells.get_mut(index) {
            Some(cell) => cell[..4].copy_from_slice(&pgno.to_be_bytes()),
            None => self.right_child = pgno,
        }
    }
}

fn write_page(
    pager: &mut Pager,
    pgno: PageNo,
    kind: PageKind,
    cells: &[Vec<u8>],
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
        cells,
        right_child,
    )
}

/// Re-encodes a cell for a page of another kind: index cells move between leaves and interior
/// pages with or without their child pointer; interior cells get a new child. The result is
/// exactly as long as the format says (padding dropped, then added back only where needed).
pub(super) fn retarget(
    cell: &[u8],
    from: PageKind,
    to: PageKind,
    child: PageNo,
    usable: usize,
) -> Result<Vec<u8>> {
    debug_assert_eq!(from.is_table(), to.is_table());
    let info = parse_cell(cell, 0, from, usable)?;
    let body = cell
        .get(if from.is_leaf() { 0 } else { 4 }..info.unpadded_len(0))
        .unwrap_or_default();
    let mut out = Vec::with_capacity(body.len() + 4);
    if !to.is_leaf() {
        out.extend_from_slice(&child.to_be_bytes());
    }
    out.extend_from_slice(body);
    out.resize(out.len().max(CELL_SIZE_MIN), 0);
    Ok(out)
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
        let mut parent = match upper.take() {
            Some((upper_level, upper_node)) if upper_level == parent_level => upper_node,
            other => {
                upper = other;
                Node::load(pager, path[parent_level].pgno)?
            }
        };
        balance_child(pager, &mut parent, path[parent_level].index, node, quick)?;
        quick = false;
        (level, node) = (parent_level, parent);
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
            cells: Vec::new(),
            right_child: child_pgno,
        },
        child,
    ))
}

/// Writes the root; a root left with one child and no cell takes over that child's content when
/// it fits (page 1 has 100 bytes less, so there it may not).
fn finish_root(pager: &mut Pager, root: Node) -> Result<()> {
    let usable = pager.usable_size();
    if root.kind.is_leaf() || !root.cells.is_empty() {
        return root.write(pager);
    }
    let child = Node::load(pager, root.right_child)?;
    ensure_sound!(
        child.kind.is_table() == root.kind.is_table(),
        "child {} of another tree kind",
        child.pgno
    );
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
    freelist::free(pager, child.pgno)
}

/// SQLite's balance_quick: the right-most table leaf overflowed by an appended cell. A new page
/// to its right holds only that cell, and the parent gains a divider for the old page.
fn balance_quick(pager: &mut Pager, parent: &mut Node, mut node: Node) -> Result<()> {
    let usable = pager.usable_size();
    let Some(cell) = node.cells.pop() else {
        unreachable!("quick balance of an empty node")
    };
    let new_pgno = freelist::allocate(pager)?.pgno();
    write_page(pager, new_pgno, PageKind::LeafTable, &[cell], 0)?;
    // The old cells are on the node's page already, unless the root just moved them there.
    node.write(pager)?;
    let last = node.cells.last().map_or(Ok(0), |c| {
        parse_cell(c, 0, node.kind, usable).map(|i| i.rowid)
    })?;
    let mut divider = Vec::new();
    build_cell(
        &mut divider,
        PageKind::InteriorTable,
        node.pgno,
        last,
        &[],
        0,
        usable,
    );
    parent.cells.push(divider);
    parent.right_child = new_pgno;
    Ok(())
}

/// Redistributes child `index` of `parent` (the in-memory `node`) and up to two neighbours over
/// as many pages as their cells need, replacing their dividers in `parent`.
fn balance_nonroot(pager: &mut Pager, parent: &mut Node, index: usize, node: Node) -> Result<()> {
    let usable = pager.usable_size();
    let kind = node.kind;
    let children = parent.cells.len() + 1;
    let count = children.min(SIBLINGS_MAX);
    let first = index.saturating_sub(1).min(children - count);
    let siblings = gather(pager, parent, first, count, index, node)?;
    let old_pgnos: Vec<PageNo> = siblings.iter().map(|s| s.pgno).collect();
    let (cells, last_right) = combine(parent, first, siblings, usable)?;
    let consumes = kind != PageKind::LeafTable;
    let sizes: Vec<usize> = cells.iter().map(|c| c.len() + 2).collect();
    let pages = distribute(&sizes, usable - kind.header_len(), consumes)?;

    let mut pgnos = old_pgnos;
    while pgnos.len() < pages.len() {
        pgnos.push(freelist::allocate(pager)?.pgno());
    }
    // Ascending page numbers keep a tree's pages in key order on disk, as SQLite arranges.
    pgnos.sort_unstable();
    let freed = pgnos.split_off(pages.len());
    let mut dividers = Vec::with_capacity(pages.len() - 1);
    for (j, &(start, end)) in pages.iter().enumerate() {
        let is_last = j + 1 == pages.len();
        let right_child = match (kind.is_leaf(), is_last) {
            (true, _) => 0,
            (false, true) => last_right,
            (false, false) => read_u32(&cells[end], 0)?,
        };
        write_page(pager, pgnos[j], kind, &cells[start..end], right_child)?;
        if !is_last {
            dividers.push(divider_for(&cells, start, end, kind, pgnos[j], usable)?);
        }
    }
    parent.cells.splice(first..first, dividers);
    parent.set_child(first + pages.len() - 1, pgnos[pages.len() - 1]);
    for pgno in freed {
        freelist::free(pager, pgno)?;
    }
    Ok(())
}

/// Loads the `count` children of `parent` from `first`, using `node` for child `index`.
fn gather(
    pager: &mut Pager,
    parent: &Node,
    first: usize,
    count: usize,
    index: usize,
    node: Node,
) -> Result<Vec<Node>> {
    let mut node = Some(node);
    let mut siblings: Vec<Node> = Vec::with_capacity(count);
    for j in first..first + count {
        let pgno = parent.child(j)?;
        let sibling = if j == index {
            node.take().unwrap_or_else(|| unreachable!())
        } else {
            Node::load(pager, pgno)?
        };
        ensure_sound!(
            sibling.pgno == pgno && pgno != 1,
            "page {pgno} cannot be a child of {}",
            parent.pgno
        );
        ensure_sound!(
            siblings
                .iter()
                .all(|s| s.pgno != pgno && s.kind == sibling.kind),
            "children of page {} disagree",
            parent.pgno
        );
        siblings.push(sibling);
    }
    debug_assert!(node.is_none());
    Ok(siblings)
}

/// All cells of the siblings in key order, with the parent's dividers between them pulled down
/// where the page kind keeps them (everything but table leaves, whose dividers are mere copies of
/// a rowid). The dividers are removed from `parent`. Also returns the last sibling's right child.
fn combine(
    parent: &mut Node,
    first: usize,
    siblings: Vec<Node>,
    usable: usize,
) -> Result<(Vec<Vec<u8>>, PageNo)> {
    let count = siblings.len();
    let dividers: Vec<Vec<u8>> = parent.cells.drain(first..first + count - 1).collect();
    let mut cells = Vec::with_capacity(siblings.iter().map(|s| s.cells.len() + 1).sum());
    let mut last_right = 0;
    for (j, sibling) in siblings.into_iter().enumerate() {
        let kind = sibling.kind;
        cells.extend(sibling.cells);
        last_right = sibling.right_child;
        if let Some(divider) = dividers.get(j) {
            if kind != PageKind::LeafTable {
                cells.push(retarget(
                    divider,
                    parent.kind,
                    kind,
                    sibling.right_child,
                    usable,
                )?);
            }
        }
    }
    Ok((cells, last_right))
}

/// The parent's divider for the page holding `cells[start..end]`: the consumed cell `cells[end]`
/// pointing at the page, or for table leaves the page's largest rowid.
fn divider_for(
    cells: &[Vec<u8>],
    start: usize,
    end: usize,
    kind: PageKind,
    pgno: PageNo,
    usable: usize,
) -> Result<Vec<u8>> {
    let interior = kind.with_leaf(false);
    if kind == PageKind::LeafTable {
        debug_assert!(end > start);
        let rowid = parse_cell(&cells[end - 1], 0, kind, usable)?.rowid;
        let mut divider = Vec::new();
        build_cell(&mut divider, interior, pgno, rowid, &[], 0, usable);
        return Ok(divider);
    }
    retarget(&cells[end], kind, interior, pgno, usable)
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
