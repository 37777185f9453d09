//! Whole trees: creating, clearing and dropping them, and checking their structure.

use super::cursor::BTREE_DEPTH_MAX;
use super::freelist;
use super::overflow;
use super::page::{header_offset, init_page, Page, PageKind};
use crate::ensure_sound;
use crate::error::{Error, Result};
use crate::pager::{PageNo, PageRef, Pager};
use crate::record::{compare_records, KeyInfo};
use std::cmp::Ordering;

/// Which kind of b-tree: tables are keyed by rowid, indexes (and WITHOUT ROWID tables) by record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TreeKind {
    Table,
    Index,
}

impl TreeKind {
    fn leaf(self) -> PageKind {
        match self {
            TreeKind::Table => PageKind::LeafTable,
            TreeKind::Index => PageKind::LeafIndex,
        }
    }
}

/// Creates an empty tree; returns its root page. Needs an open write transaction.
pub fn create_tree(pager: &mut Pager, kind: TreeKind) -> Result<PageNo> {
    freelist::prefetch(pager, 1)?;
    let page = freelist::allocate(pager)?;
    let usable = pager.usable_size();
    init_page(&mut page.data_mut(), 0, kind.leaf(), usable)?;
    Ok(page.pgno())
}

/// Frees every page of the tree but the root, which becomes an empty leaf.
pub fn clear_tree(pager: &mut Pager, root: PageNo) -> Result<()> {
    free_tree(pager, root, true)
}

/// Frees every page of the tree, root included. Page 1 (the schema table) cannot be dropped.
pub fn drop_tree(pager: &mut Pager, root: PageNo) -> Result<()> {
    if root == 1 {
        return Err(Error::misuse("the schema table cannot be dropped"));
    }
    free_tree(pager, root, false)
}

fn free_tree(pager: &mut Pager, root: PageNo, keep_root: bool) -> Result<()> {
    let usable = pager.usable_size();
    // Prefetch phase: the whole tree with its overflow chains, and the freelist's first trunk.
    walk_tree(pager, root, false, |_, _| Ok(()))?;
    freelist::prefetch(pager, 0)?;
    // Mutation phase.
    let mut pages = Vec::new();
    let mut root_kind = PageKind::LeafTable;
    walk_tree(pager, root, true, |pgno, kind| {
        if pgno == root {
            root_kind = kind;
        }
        if pgno != root || !keep_root {
            pages.push(pgno);
        }
        Ok(())
    })?;
    for pgno in pages {
        freelist::free(pager, pgno)?;
    }
    if keep_root {
        let page = pager.get_now(root)?;
        pager.make_writable(&page)?;
        init_page(
            &mut page.data_mut(),
            header_offset(root),
            root_kind.with_leaf(true),
            usable,
        )?;
    }
    pager.bump_epoch();
    Ok(())
}

fn fetch(pager: &mut Pager, pgno: PageNo, wait: bool) -> Result<PageRef> {
    if wait {
        pager.get_now(pgno)
    } else {
        pager.get(pgno)
    }
}

/// Visits every page of the tree, overflow pages included (each with the kind of the b-tree page
/// it belongs to). Without `wait`, reads are restartable and each interior page's children are
/// requested at once, so a cold tree costs one suspension per interior page.
fn walk_tree(
    pager: &mut Pager,
    root: PageNo,
    wait: bool,
    mut visit: impl FnMut(PageNo, PageKind) -> Result<()>,
) -> Result<()> {
    let usable = pager.usable_size();
    let mut stack = vec![(root, 0usize)];
    let mut visited = 0u32;
    while let Some((pgno, depth)) = stack.pop() {
        visited += 1;
        ensure_sound!(
            depth < BTREE_DEPTH_MAX && visited <= pager.page_count(),
            "tree {root} has a cycle"
        );
        let page = fetch(pager, pgno, wait)?;
        let data = page.data();
        let view = Page::parse(&data, header_offset(pgno), usable)?;
        for i in 0..view.cell_count() {
            let info = view.cell(i)?;
            for overflow_pgno in overflow::chain_pages(pager, &info, wait)? {
                visit(overflow_pgno, view.kind())?;
            }
        }
        if !view.kind().is_leaf() {
            let children = (0..=view.cell_count())
                .map(|i| view.child(i))
                .collect::<Result<Vec<_>>>()?;
            if !wait {
                pager.prefetch(&children)?;
            }
            stack.extend(children.into_iter().map(|c| (c, depth + 1)));
        }
        visit(pgno, view.kind())?;
    }
    Ok(())
}

/// What `verify_tree` found.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TreeStats {
    /// Levels, 1 for a lone root leaf.
    pub depth: usize,
    pub tree_pages: usize,
    pub overflow_pages: usize,
    pub entries: u64,
    /// Every page the tree uses, overflow pages included.
    pub pages: Vec<PageNo>,
}

/// Checks a tree's structure: valid pages of one tree kind, all leaves at the same depth, keys
/// strictly ascending in order (interior table keys between their subtrees), overflow chains of
/// the right length, no page used twice. `key_info` orders index trees; `None` for tables.
pub fn verify_tree(
    pager: &mut Pager,
    root: PageNo,
    key_info: Option<&KeyInfo>,
) -> Result<TreeStats> {
    let mut checker = Checker {
        key_info,
        stats: TreeStats::default(),
        last_rowid: None,
        last_key: None,
        leaf_depth: None,
    };
    checker.check(pager, root, 1)?;
    let mut sorted = checker.stats.pages.clone();
    sorted.sort_unstable();
    sorted.dedup();
    ensure_sound!(
        sorted.len() == checker.stats.pages.len(),
        "tree {root} uses a page twice"
    );
    Ok(checker.stats)
}

struct Checker<'a> {
    key_info: Option<&'a KeyInfo>,
    stats: TreeStats,
    last_rowid: Option<i64>,
    last_key: Option<Vec<u8>>,
    leaf_depth: Option<usize>,
}

impl Checker<'_> {
    /// Recursion is bounded by `BTREE_DEPTH_MAX`.
    fn check(&mut self, pager: &mut Pager, pgno: PageNo, depth: usize) -> Result<()> {
        ensure_sound!(
            depth <= BTREE_DEPTH_MAX,
            "tree deeper than {BTREE_DEPTH_MAX}"
        );
        let usable = pager.usable_size();
        let page = pager.get_now(pgno)?;
        let data = page.data();
        let view = Page::parse(&data, header_offset(pgno), usable)?;
        view.free_space()?;
        ensure_sound!(
            view.kind().is_table() == self.key_info.is_none(),
            "page {pgno} of the wrong tree kind"
        );
        self.stats.tree_pages += 1;
        self.stats.pages.push(pgno);
        let leaf = view.kind().is_leaf();
        if leaf {
            ensure_sound!(
                *self.leaf_depth.get_or_insert(depth) == depth,
                "leaves at different depths"
            );
            self.stats.depth = depth;
        }
        for i in 0..=view.cell_count() {
            if !leaf {
                self.check(pager, view.child(i)?, depth + 1)?;
            }
            if i < view.cell_count() {
                self.check_cell(pager, &view, i)?;
            }
        }
        Ok(())
    }

    fn check_cell(&mut self, pager: &mut Pager, view: &Page<'_>, index: usize) -> Result<()> {
        let info = view.cell(index)?;
        let chain = overflow::chain_pages(pager, &info, true)?;
        self.stats.overflow_pages += chain.len();
        self.stats.pages.extend(chain);
        match self.key_info {
            None if view.kind().is_leaf() => {
                ensure_sound!(
                    self.last_rowid.is_none_or(|last| info.rowid > last),
                    "rowid {} out of order",
                    info.rowid
                );
                self.last_rowid = Some(info.rowid);
                self.stats.entries += 1;
            }
            None => {
                // An interior key bounds its left subtree and is below everything to its right.
                ensure_sound!(
                    self.last_rowid.is_none_or(|last| info.rowid >= last),
                    "key {} out of order",
                    info.rowid
                );
                self.last_rowid = Some(info.rowid);
            }
            Some(key_info) => {
                let mut record = Vec::new();
                overflow::read_payload(pager, view.data(), &info, usize::MAX, &mut record)?;
                if let Some(last) = &self.last_key {
                    ensure_sound!(
                        compare_records(last, &record, key_info)? == Ordering::Less,
                        "index entries out of order"
                    );
                }
                ensure_sound!(
                    record.len() as u64 == info.payload_size,
                    "payload length mismatch"
                );
                self.last_key = Some(record);
                self.stats.entries += 1;
            }
        }
        Ok(())
    }
}
