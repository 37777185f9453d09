//! The structural integrity check: the b-tree part of `PRAGMA integrity_check`.
//!
//! It walks the freelist and every b-tree from its root, marking each page it reaches, and
//! reports in SQLite's words (same texts, same order, same cap on the number of messages):
//! - a page reached twice or out of range, a page never reached ("never used");
//! - b-tree pages that do not parse, cells that run off the page, rowids out of order, leaves at
//!   different depths;
//! - overflow chains and the freelist whose length differs from what the file says;
//! - bytes of a page claimed twice, and fragment counts that do not add up.
//!
//! Invariants: the check never trusts the file: every page number is range-checked before it is
//! read, every list walk is bounded by the page count, so a damaged file yields messages, never
//! a panic or a hang. Only I/O errors end it with an `Err`. It reads pages through the pager
//! (waiting for each, since a check is one long scan that must not restart) and changes nothing.
//!
//! The checks that need SQL (index entries against their table rows, NOT NULL, CHECK) belong to
//! the query engine and are not here.

use crate::btree::page::{header_offset, parse_cell, read_u16, read_u32, Page};
use crate::error::Result;
use crate::format;
use crate::pager::{PageNo, Pager};

/// Deeper than any real b-tree (SQLite's cursors stop at 20 levels); a deeper chain of interior
/// pages is damage, and checking it recursively could exhaust the stack.
const MAX_DEPTH: usize = 40;

/// What a checked subtree tells its parent.
struct Subtree {
    depth: u32,
    min_rowid: Option<i64>,
}

/// SQLite's default cap on the number of messages (`PRAGMA integrity_check` with no argument).
pub const DEFAULT_MAX_ERRORS: usize = 100;

/// One b-tree to check: its root page and whether it is keyed by rowid.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TreeRoot {
    pub root: PageNo,
    pub is_table: bool,
}

/// Runs the check. An empty result means "ok".
pub fn check_structure(
    pager: &mut Pager,
    trees: &[TreeRoot],
    max_errors: usize,
) -> Result<Vec<String>> {
    check_trees(pager, trees, max_errors, false)
}

/// Runs the check on some trees only (`partial`, as `PRAGMA integrity_check(TABLE)` does):
/// then, as in SQLite, pages no tree reaches are not reported, and the freelist is checked
/// only when the first tree is the schema's (page 1).
pub fn check_trees(
    pager: &mut Pager,
    trees: &[TreeRoot],
    max_errors: usize,
    partial: bool,
) -> Result<Vec<String>> {
    let page_count = pager.page_count();
    let mut checker = Checker {
        pager,
        page_count,
        referenced: vec![false; page_count as usize + 1],
        messages: Vec::new(),
        max_errors: max_errors.max(1),
        prefix: String::new(),
        partial,
    };
    checker.run(trees)?;
    Ok(checker.messages)
}

struct Checker<'p> {
    pager: &'p mut Pager,
    page_count: PageNo,
    referenced: Vec<bool>,
    messages: Vec<String>,
    max_errors: usize,
    /// Where the next message is about, e.g. "Tree 2 page 5 cell 3: ".
    prefix: String,
    /// Only some trees are checked.
    partial: bool,
}

/// The rowid a subtree's keys must stay below (or equal to, left of a divider). Index keys
/// are not order-checked here: that needs each index's collations, and SQLite checks index
/// content against the table instead (the query engine's part of the check).
#[derive(Clone, Copy)]
enum Bound {
    None,
    Rowid(i64, bool),
}

impl Checker<'_> {
    fn run(&mut self, trees: &[TreeRoot]) -> Result<()> {
        if self.page_count == 0 {
            return Ok(());
        }
        let lock_page = format::lock_byte_page(self.pager.page_size());
        if lock_page <= self.page_count {
            self.referenced[lock_page as usize] = true;
        }
        self.pager.get_now(1)?;
        let header = self.pager.header()?;
        if !self.partial || trees.first().is_some_and(|t| t.root == 1) {
            self.prefix = "Freelist: ".into();
            self.check_list(true, header.first_freelist_trunk, header.freelist_count)?;
        }
        for tree in trees {
            if self.is_full() {
                break;
            }
            if tree.root == 0 {
                continue;
            }
            self.prefix.clear();
            if self.check_ref(tree.root) {
                continue;
            }
            self.check_page(tree.root, tree.root, tree.is_table, Bound::None, 0)?;
        }
        self.prefix.clear();
        if self.partial {
            return Ok(());
        }
        for pgno in 1..=self.page_count {
            if self.is_full() {
                break;
            }
            if !self.referenced[pgno as usize] {
                self.report(format!("Page {pgno}: never used"));
            }
        }
        Ok(())
    }

    fn is_full(&self) -> bool {
        self.messages.len() >= self.max_errors
    }

    fn report(&mut self, message: String) {
        if !self.is_full() {
            self.messages.push(format!("{}{}", self.prefix, message));
        }
    }

    /// Marks a page as reached. True (after reporting) when it is out of range or reached twice.
    fn check_ref(&mut self, pgno: PageNo) -> bool {
        if pgno == 0 || pgno > self.page_count {
            self.report(format!("invalid page number {pgno}"));
            return true;
        }
        if std::mem::replace(&mut self.referenced[pgno as usize], true) {
            self.report(format!("2nd reference to page {pgno}"));
            return true;
        }
        false
    }

    /// Walks an overflow chain (`free_list == false`) or the freelist's trunk chain, expecting
    /// `expected` pages in all.
    fn check_list(&mut self, free_list: bool, first: PageNo, expected: u32) -> Result<()> {
        let errors_before = self.messages.len();
        let mut remaining = expected as i64;
        let mut pgno = first;
        let leaves_max = (self.pager.usable_size() / 4 - 2) as u32;
        while pgno != 0 && !self.is_full() {
            if self.check_ref(pgno) {
                break;
            }
            remaining -= 1;
            let page = self.pager.get_now(pgno)?;
            let data = page.data();
            if free_list {
                let leaves = read_u32(&data, 4)?;
                if leaves > leaves_max {
                    self.report(format!("freelist leaf count too big on page {pgno}"));
                    remaining -= 1;
                } else {
                    for i in 0..leaves as usize {
                        let leaf = read_u32(&data, 8 + 4 * i)?;
                        self.check_ref(leaf);
                    }
                    remaining -= leaves as i64;
                }
            }
            pgno = read_u32(&data, 0)?;
        }
        if remaining != 0 && self.messages.len() == errors_before {
            let what = if free_list {
                "size"
            } else {
                "overflow list length"
            };
            self.report(format!(
                "{what} is {} but should be {expected}",
                expected as i64 - remaining
            ));
        }
        Ok(())
    }

    /// Checks one page and its subtree. Returns the subtree's depth (leaves are 0) and its
    /// smallest rowid, or `None` when the page could not be checked (already reported).
    fn check_page(
        &mut self,
        root: PageNo,
        pgno: PageNo,
        is_table: bool,
        bound: Bound,
        level: usize,
    ) -> Result<Option<Subtree>> {
        let page = self.pager.get_now(pgno)?;
        let data = page.data();
        let usable = self.pager.usable_size();
        let hdr = header_offset(pgno);
        self.prefix = format!("Tree {root} page {pgno}: ");
        let view = match Page::parse(&data, hdr, usable) {
            Ok(view) if view.kind().is_table() == is_table && level < MAX_DEPTH => view,
            _ => {
                self.report("btreeInitPage() returns error code 11".into());
                return Ok(None);
            }
        };
        let kind = view.kind();
        let mut depth = None;
        let mut min_rowid = None;
        let mut upper = bound;
        // Right-most child first, then cells from last to first, so each key checked bounds
        // everything to its left: keys left of a divider are <= it, keys right of it are >.
        if !kind.is_leaf() {
            self.prefix = format!("Tree {root} page {pgno} right child: ");
            let right = read_u32(&data, hdr + 8)?;
            if !self.check_ref(right) {
                if let Some(sub) = self.check_page(root, right, is_table, upper, level + 1)? {
                    depth = Some(sub.depth);
                    if let Some(min) = sub.min_rowid {
                        upper = Bound::Rowid(min, false);
                    }
                }
            }
        }
        let content_start = view.content_start();
        let mut cells = Vec::with_capacity(view.cell_count());
        // A cell that could not be placed leaves a hole that the space check would misreport.
        let mut all_cells_placed = true;
        for index in (0..view.cell_count()).rev() {
            if self.is_full() {
                return Ok(None);
            }
            self.prefix = format!("Tree {root} page {pgno} cell {index}: ");
            let offset = read_u16(&data, hdr + kind.header_len() + 2 * index)? as usize;
            if offset < content_start || offset > usable - 4 {
                self.report(format!(
                    "Offset {offset} out of range {content_start}..{}",
                    usable - 4
                ));
                all_cells_placed = false;
                continue;
            }
            let Ok(cell) = parse_cell(&data, offset, kind, usable) else {
                self.report("Extends off end of page".into());
                all_cells_placed = false;
                continue;
            };
            cells.push((offset, cell.size));
            if is_table {
                if let Bound::Rowid(limit, inclusive) = upper {
                    let in_order = if inclusive {
                        cell.rowid <= limit
                    } else {
                        cell.rowid < limit
                    };
                    if !in_order {
                        self.report(format!("Rowid {} out of order", cell.rowid));
                    }
                }
                upper = Bound::Rowid(cell.rowid, !kind.is_leaf());
                min_rowid = Some(cell.rowid);
            }
            if cell.overflow != 0 {
                let spill = cell.payload_size as usize - cell.local.len();
                let chain_len = spill.div_ceil(usable - 4) as u32;
                self.check_list(false, cell.overflow, chain_len)?;
            }
            if !kind.is_leaf() && !self.check_ref(cell.left_child) {
                let child = self.check_page(root, cell.left_child, is_table, upper, level + 1)?;
                self.prefix = format!("Tree {root} page {pgno} cell {index}: ");
                if let Some(sub) = child {
                    match depth {
                        Some(d) if d != sub.depth => self.report("Child page depth differs".into()),
                        _ => depth = Some(sub.depth),
                    }
                    if let Some(min) = sub.min_rowid {
                        upper = Bound::Rowid(min, false);
                        min_rowid = Some(min);
                    }
                }
            }
        }
        self.prefix.clear();
        if all_cells_placed {
            self.check_space(pgno, &view, &cells)?;
        }
        let depth = if kind.is_leaf() {
            0
        } else {
            depth.map_or(1, |d| d + 1)
        };
        Ok(Some(Subtree { depth, min_rowid }))
    }

    /// Every byte of the content area belongs to exactly one cell or freeblock or fragment.
    fn check_space(&mut self, pgno: PageNo, view: &Page, cells: &[(usize, usize)]) -> Result<()> {
        let data = view.data();
        let hdr = header_offset(pgno);
        let mut freeblocks = Vec::new();
        let mut next = read_u16(data, hdr + 1)? as usize;
        let usable = view.usable();
        while next != 0 && freeblocks.len() <= usable / 4 {
            let size = read_u16(data, next + 2).unwrap_or(0) as usize;
            if next + size > usable || size < 4 {
                self.report(format!(
                    "Corruption detected in cell {} on page {pgno}",
                    cells.len()
                ));
                return Ok(());
            }
            freeblocks.push((next, size));
            let following = read_u16(data, next)? as usize;
            if following != 0 && following <= next + size {
                self.report(format!(
                    "Corruption detected in cell {} on page {pgno}",
                    cells.len()
                ));
                return Ok(());
            }
            next = following;
        }
        let mut spans: Vec<(usize, usize)> =
            cells.iter().chain(freeblocks.iter()).copied().collect();
        spans.sort_unstable();
        let mut covered_to = view.content_start();
        let mut fragments = 0;
        for (offset, size) in spans {
            if offset < covered_to {
                self.report(format!("Multiple uses for byte {offset} of page {pgno}"));
                return Ok(());
            }
            fragments += offset - covered_to;
            covered_to = offset + size;
        }
        fragments += usable.saturating_sub(covered_to);
        let reported = data.get(hdr + 7).copied().unwrap_or(0) as usize;
        if fragments != reported {
            self.report(format!(
                "Fragmentation of {fragments} bytes reported as {reported} on page {pgno}"
            ));
        }
        Ok(())
    }
}
