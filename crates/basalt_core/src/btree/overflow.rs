//! Overflow chains: the part of a payload that does not fit in its cell.
//!
//! Each overflow page holds the next page number (u32 at 0, 0 on the last page) and up to U - 4
//! payload bytes. The number of pages is implied by the payload size and the local size, so a
//! walk is bounded by it (B5): a chain that ends early or goes on past that length (a loop
//! included) is corruption.

use super::freelist;
use super::page::{read_u32, slice, write_u32, CellInfo};
use crate::ensure_sound;
use crate::error::Result;
use crate::pager::{PageNo, Pager};

/// Bytes of payload one overflow page carries.
fn bytes_per_page(usable: usize) -> usize {
    usable - 4
}

/// Number of overflow pages a cell's payload needs.
pub(super) fn chain_len(info: &CellInfo, usable: usize) -> usize {
    let spilled = info.payload_size as usize - info.local.len();
    spilled.div_ceil(bytes_per_page(usable))
}

/// Walks `count` pages from `first`, calling `visit(pgno, bytes on that page)`. `wait` selects
/// `get_now` (mutation phase) over `get` (restartable). With `stop_early`, the walk may end when
/// `visit` returns false; otherwise the chain must end exactly after `count` pages.
fn walk(
    pager: &mut Pager,
    first: PageNo,
    count: usize,
    wait: bool,
    mut visit: impl FnMut(PageNo, &[u8]) -> bool,
) -> Result<()> {
    let mut pgno = first;
    for visited in 0..count {
        ensure_sound!(
            pgno >= 2 && pgno <= pager.page_count(),
            "overflow page {pgno} out of range after {visited} of {count} pages"
        );
        let page = if wait {
            pager.get_now(pgno)?
        } else {
            pager.get(pgno)?
        };
        let data = page.data();
        let next = read_u32(&data, 0)?;
        if !visit(pgno, &data) {
            return Ok(());
        }
        pgno = next;
    }
    ensure_sound!(
        pgno == 0,
        "overflow chain from {first} longer than its {count} pages"
    );
    Ok(())
}

/// Appends the payload of a cell on `page` to `out` (cleared first): the local part, then the
/// chain, stopping once `out` holds at least `wanted` bytes. Restartable.
pub(super) fn read_payload(
    pager: &mut Pager,
    page: &[u8],
    info: &CellInfo,
    wanted: usize,
    out: &mut Vec<u8>,
) -> Result<()> {
    out.clear();
    out.extend_from_slice(slice(page, info.local.clone())?);
    if !info.has_overflow() || out.len() >= wanted {
        return Ok(());
    }
    let usable = pager.usable_size();
    let total = info.payload_size as usize;
    let target = wanted.min(total);
    walk(
        pager,
        info.overflow,
        chain_len(info, usable),
        false,
        |_, data| {
            let take = (total - out.len()).min(bytes_per_page(usable));
            out.extend_from_slice(&data[4..4 + take]);
            out.len() < target
        },
    )?;
    ensure_sound!(
        out.len() >= target,
        "overflow chain shorter than the payload"
    );
    Ok(())
}

/// Prefetch phase of a write that will free the cell's chain. Restartable.
pub(super) fn prefetch_chain(pager: &mut Pager, info: &CellInfo) -> Result<()> {
    if info.has_overflow() {
        let count = chain_len(info, pager.usable_size());
        walk(pager, info.overflow, count, false, |_, _| true)?;
    }
    Ok(())
}

/// The chain's page numbers, in order (mutation phase: waits on misses).
pub(super) fn chain_pages(pager: &mut Pager, info: &CellInfo, wait: bool) -> Result<Vec<PageNo>> {
    let mut pages = Vec::new();
    if info.has_overflow() {
        let count = chain_len(info, pager.usable_size());
        walk(pager, info.overflow, count, wait, |pgno, _| {
            pages.push(pgno);
            true
        })?;
    }
    Ok(pages)
}

/// Returns the cell's overflow pages to the freelist.
pub(super) fn free_chain(pager: &mut Pager, info: &CellInfo) -> Result<()> {
    let pages = chain_pages(pager, info, true)?;
    // Reads follow a looping chain for its expected length, as SQLite does, but freeing one
    // would put a page on the freelist twice: refuse instead.
    let mut distinct = pages.clone();
    distinct.sort_unstable();
    distinct.dedup();
    crate::ensure_sound!(
        distinct.len() == pages.len(),
        "overflow chain from page {} visits a page twice",
        info.overflow
    );
    for pgno in pages {
        freelist::free(pager, pgno)?;
    }
    Ok(())
}

/// Writes `spilled` (the non-local tail of a payload) to newly allocated pages; returns the first.
pub(super) fn write_chain(pager: &mut Pager, spilled: &[u8]) -> Result<PageNo> {
    debug_assert!(!spilled.is_empty());
    let per_page = bytes_per_page(pager.usable_size());
    let mut pages = Vec::with_capacity(spilled.len().div_ceil(per_page));
    for _ in 0..spilled.len().div_ceil(per_page) {
        pages.push(freelist::allocate(pager)?);
    }
    for (i, chunk) in spilled.chunks(per_page).enumerate() {
        let next = pages.get(i + 1).map_or(0, |p| p.pgno());
        let mut data = pages[i].data_mut();
        write_u32(&mut data, 0, next)?;
        data[4..4 + chunk.len()].copy_from_slice(chunk);
    }
    Ok(pages[0].pgno())
}

/// Overwrites payload bytes `offset..offset + bytes.len()` of a cell in place: the part in the
/// cell's local range on `page` (already writable), then the overflow pages the rest falls on.
/// The payload keeps its size, so no cell moves and no page is allocated or freed.
pub(super) fn overwrite_payload(
    pager: &mut Pager,
    page: &crate::pager::PageRef,
    info: &CellInfo,
    offset: usize,
    bytes: &[u8],
) -> Result<()> {
    let end = offset + bytes.len();
    debug_assert!(end as u64 <= info.payload_size);
    let local_len = info.local.len();
    if offset < local_len {
        let stop = end.min(local_len);
        let at = info.local.start + offset;
        page.data_mut()[at..at + stop - offset].copy_from_slice(&bytes[..stop - offset]);
    }
    if end <= local_len {
        return Ok(());
    }
    let per_page = bytes_per_page(pager.usable_size());
    for (k, pgno) in chain_pages(pager, info, true)?.into_iter().enumerate() {
        // Payload bytes first..first + per_page live on this page, after its 4-byte link.
        let first = local_len + k * per_page;
        let (from, to) = (offset.max(first), end.min(first + per_page));
        if from >= to {
            continue;
        }
        let overflow_page = pager.get_now(pgno)?;
        pager.make_writable(&overflow_page)?;
        overflow_page.data_mut()[4 + from - first..4 + to - first]
            .copy_from_slice(&bytes[from - offset..to - offset]);
    }
    Ok(())
}
