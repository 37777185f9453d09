//! B-trees: SQLite's table and index trees, stored in pages the pager hands out.
//!
//! Calls `pager` (pages, transactions) and `record` (varints, key comparison); called by the
//! schema and the VM. Limits: `BTREE_DEPTH_MAX` (20), payloads up to SQLite's 10^9 bytes.
//!
//! # Page layout (fileformat2.html §1.6)
//! ```text
//!  offset 0 (100 on page 1)
//!  +--------+-----------------------+------ ... ------+------ ... -----+---------------+
//!  | header | cell pointer array    | unallocated gap | cell content area (cells,     |
//!  | 8 / 12 | 2 bytes per cell, in  |                 | freeblocks, fragments) ending |
//!  |        | key order             |                 | at the usable size U          |
//!  +--------+-----------------------+------ ... ------+------ ... -----+---------------+
//!  header: u8 flag (2 interior index, 5 interior table, 10 leaf index, 13 leaf table),
//!          u16 first freeblock, u16 cell count, u16 content start (0 = 65536),
//!          u8 fragmented bytes, u32 right-most child (interior pages only)
//! ```
//! Cells: table leaf `varint payload size, varint rowid, payload, [u32 overflow]`; table interior
//! `u32 left child, varint rowid`; index leaf `varint payload size, payload, [u32 overflow]`;
//! index interior `u32 left child` then as a leaf. A payload of P bytes keeps P bytes on the page
//! if P <= X (U-35 on table leaves, (U-12)*64/255-23 elsewhere), else K = M+(P-M)%(U-4) bytes if
//! K <= X, else M = (U-12)*32/255-23, and the rest goes to a chain of overflow pages (`overflow.rs`).
//! Free pages are kept on the freelist (`freelist.rs`). `page.rs` owns the byte-level layout;
//! everything above it works on parsed views or on cells as byte strings.
//!
//! # Cursors
//! A [`Cursor`] is a path from the root to the entry it is on: (page, child index) per interior
//! level, (page, cell index) at the end. Index trees keep entries on interior pages too, so an
//! index cursor may rest on an interior cell. Each call takes `&mut Pager`, so any number of
//! cursors share one connection; they hold page numbers, never pinned pages. A cursor saves the
//! key it is on and the pager's epoch; after any write on the connection, a rollback or another
//! connection's commit (all bump the epoch) it re-seeks that key before moving.
//!
//! The hot paths avoid the general machinery while the path is fresh: `next`/`prev` within one
//! leaf change only the last index (no path copy, the rowid read alone); `payload` copies a local
//! payload without building a `CellInfo`; searches compare rowid varints read straight from the
//! cell, and index keys read through `page::IndexKeys` (an integer first column decides from
//! its bytes, as SQLite's vdbeRecordCompareInt). A table cursor's path, even a stale one (after writes elsewhere, a failed seek, or a
//! re-open on the same tree), is a hint for its next rowid insert or equality seek: when the
//! path, followed from the root down, still leads to a leaf whose keys and bounding divider
//! bracket the rowid (appends and the existence check before them, SQLite's BTREE_APPEND), the
//! entry is placed or found there without a descent. A step along a leaf copies the row's local
//! payload while the page is in hand, for the `payload` call a scan makes next. An insert whose
//! cell fits its page changes only that page, which it holds already, so it skips the prefetch
//! phase.
//!
//! # Restartable operations (ARCHITECTURE.md, "Waiting for I/O")
//! Reads (seeks, moves, payloads, counts) compute the new position in scratch space and commit it
//! only when done, so `IoPending` from `Pager::get` propagates with `?` and leaves the cursor as
//! it was. Writes run in two phases: a prefetch phase reads every page the write may touch (the
//! root-to-leaf path, the siblings within two of it at every level, page 1, the freelist trunks
//! and leaves it may take, the overflow chain being freed), returning `IoPending` before anything
//! changed; then the mutation phase runs to the end with `get_now`, which only waits if the
//! prefetch missed a page (counted as a pager stall, which tests check stays zero).
//!
//! # Balancing (`balance.rs`)
//! An insert that does not fit, or a delete that leaves a non-root page more than two thirds
//! free, rebalances the page with up to two neighbours: their cells (and for all but table leaves
//! the parent's dividers between them) are packed left to right into as many pages as needed,
//! then evened out from the right, as SQLite's balance_nonroot does. The parent's changed
//! dividers may in turn overflow or underflow it, so balancing walks up the path. Appending at the
//! right edge of a table uses SQLite's quick balance (a new right sibling with just the new cell),
//! so sequential inserts fill pages completely; when the parent has room it gains its divider in
//! place, the old leaf untouched. The root page number never changes: an overflowing root moves
//! its content to a new child, and a root left with one child and no cell absorbs that child.
//! Deleting an index entry from an interior page moves its predecessor up from a leaf. Pages
//! being balanced are held as `Cells`: one copy of each page's content area and a list of cell
//! spans, not an allocation per cell.
//!
//! # Invariants
//! - B1. A page's cells are in key order: strictly ascending rowids in table leaves, and in index
//!   trees entries ascending by the cursor's `KeyInfo`, interior cells included.
//! - B2. Interior table key K_i is >= every rowid under child i and < every rowid under child i+1.
//! - B3. All leaves of a tree are at the same depth; the root's page number never changes.
//! - B4. Every offset read from a page is bounds-checked; bad bytes are `Error::corrupt`, never a
//!   panic or an endless loop (freeblock lists strictly ascending, depth <= `BTREE_DEPTH_MAX`).
//! - B5. Overflow chains have exactly the length the payload size implies.
//! - B6. Free pages: the header count equals the pages on the freelist; the lock-byte page and
//!   pages in use are never on it; a page taken from it is fully initialised before use.
//! - B7. After a balance no non-root page is empty, and each fits its page; free space accounting
//!   (gap + freeblocks + fragmented bytes) is exact, with fragments never above 60 bytes.
//! - B8. A cursor whose tree changed since it was positioned re-seeks its saved key before use.
//!
//! `verify_tree` checks B1–B5 on a whole tree for tests and the integrity check.

mod balance;
mod cursor;
mod freelist;
mod overflow;
pub(crate) mod page;
mod tree;

pub use cursor::{Cursor, SeekOp, BTREE_DEPTH_MAX};
pub use freelist::freelist_pages;
pub use page::{local_payload_len, CellInfo, Page, PageKind};
pub use tree::{clear_tree, create_tree, drop_tree, verify_tree, TreeKind, TreeStats};
