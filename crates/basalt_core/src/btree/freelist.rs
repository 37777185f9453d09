//! The freelist: pages no b-tree uses, kept for reuse before the file grows.
//!
//! Page 1 holds the first trunk page number (u32 at 32) and the total count of free pages, trunks
//! included (u32 at 36). A trunk page holds the next trunk (u32 at 0), its leaf count (u32 at 4)
//! and the leaf page numbers. Readers accept up to U/4 - 2 leaves per trunk; like SQLite we write
//! at most U/4 - 8, since older SQLite versions refuse fuller trunks.
//!
//! Allocation takes a trunk's last leaf, else the trunk itself, else appends a page. Freeing adds
//! the page as a leaf of the first trunk when it has room, else makes it the new first trunk.
//! Either way the count at 36 stays exact (B6) and the lock-byte page never enters the list.

use super::page::{read_u32, write_u32};
use crate::ensure_sound;
use crate::error::{Error, Result};
use crate::format::{lock_byte_page, offset};
use crate::pager::{PageNo, PageRef, Pager};

fn leaves_max_read(usable: usize) -> usize {
    usable / 4 - 2
}

fn leaves_max_write(usable: usize) -> usize {
    usable / 4 - 8
}

/// Checks that `pgno` could be a free page: inside the file, not page 1, not the lock-byte page.
fn check_free_pgno(pager: &Pager, pgno: PageNo) -> Result<()> {
    ensure_sound!(
        pgno >= 2 && pgno <= pager.page_count() && pgno != lock_byte_page(pager.page_size()),
        "freelist page {pgno} out of range (page count {})",
        pager.page_count()
    );
    Ok(())
}

struct Trunk {
    next: PageNo,
    leaf_count: usize,
}

fn read_trunk(pager: &Pager, data: &[u8]) -> Result<Trunk> {
    let next = read_u32(data, 0)?;
    let leaf_count = read_u32(data, 4)? as usize;
    ensure_sound!(
        leaf_count <= leaves_max_read(pager.usable_size()),
        "freelist trunk with {leaf_count} leaves"
    );
    if next != 0 {
        check_free_pgno(pager, next)?;
    }
    Ok(Trunk { next, leaf_count })
}

fn header_fields(page_one: &PageRef) -> Result<(PageNo, u32)> {
    let data = page_one.data();
    Ok((
        read_u32(&data, offset::FIRST_FREELIST_TRUNK)?,
        read_u32(&data, offset::FREELIST_COUNT)?,
    ))
}

fn set_header_fields(
    pager: &mut Pager,
    page_one: &PageRef,
    first_trunk: PageNo,
    count: u32,
) -> Result<()> {
    pager.make_writable(page_one)?;
    let mut data = page_one.data_mut();
    write_u32(&mut data, offset::FIRST_FREELIST_TRUNK, first_trunk)?;
    write_u32(&mut data, offset::FREELIST_COUNT, count)
}

/// Prefetch phase of any write that may allocate up to `count` pages or free pages: page 1 and
/// the trunks the allocations would walk. The leaves they would take are not read: allocation
/// overwrites them (`Pager::get_for_overwrite`). Restartable.
pub(super) fn prefetch(pager: &mut Pager, count: usize) -> Result<()> {
    let page_one = pager.get(1)?;
    let (mut trunk, total) = header_fields(&page_one)?;
    let mut remaining = count;
    let mut trunks_seen = 0u32;
    // The first trunk is always read: freeing a page writes it even when nothing is allocated.
    while trunk != 0 && trunks_seen <= total {
        check_free_pgno(pager, trunk)?;
        let page = pager.get(trunk)?;
        let info = read_trunk(pager, &page.data())?;
        let take = info.leaf_count.min(remaining);
        remaining -= take;
        if remaining == 0 {
            break;
        }
        remaining -= 1;
        trunk = info.next;
        trunks_seen += 1;
    }
    Ok(())
}

/// Takes a page for a b-tree or overflow chain: zero-filled and writable, since a free page's
/// old bytes mean nothing. Mutation phase: waits for any page the prefetch missed.
pub(super) fn allocate(pager: &mut Pager) -> Result<PageRef> {
    let page_one = pager.get_now(1)?;
    let (trunk_pgno, total) = header_fields(&page_one)?;
    if trunk_pgno == 0 {
        ensure_sound!(total == 0, "freelist count {total} with no trunk");
        return pager.append_page();
    }
    check_free_pgno(pager, trunk_pgno)?;
    ensure_sound!(total >= 1, "freelist trunk {trunk_pgno} but a count of 0");
    let trunk = pager.get_now(trunk_pgno)?;
    let info = read_trunk(pager, &trunk.data())?;
    if info.leaf_count > 0 {
        let slot = 8 + 4 * (info.leaf_count - 1);
        let leaf = read_u32(&trunk.data(), slot)?;
        check_free_pgno(pager, leaf)?;
        ensure_sound!(
            leaf != trunk_pgno,
            "freelist trunk {trunk_pgno} lists itself"
        );
        pager.make_writable(&trunk)?;
        write_u32(&mut trunk.data_mut(), 4, info.leaf_count as u32 - 1)?;
        set_header_fields(pager, &page_one, trunk_pgno, total - 1)?;
        return pager.get_for_overwrite(leaf);
    }
    set_header_fields(pager, &page_one, info.next, total - 1)?;
    pager.make_writable(&trunk)?;
    trunk.data_mut().fill(0);
    Ok(trunk)
}

/// Returns `pgno` to the freelist. The page must no longer be referenced by any tree.
pub(super) fn free(pager: &mut Pager, pgno: PageNo) -> Result<()> {
    check_free_pgno(pager, pgno)?;
    let page_one = pager.get_now(1)?;
    let (trunk_pgno, total) = header_fields(&page_one)?;
    ensure_sound!(
        total < pager.page_count(),
        "freelist count {total} exceeds the file"
    );
    if trunk_pgno != 0 {
        check_free_pgno(pager, trunk_pgno)?;
        ensure_sound!(trunk_pgno != pgno, "page {pgno} freed twice");
        let trunk = pager.get_now(trunk_pgno)?;
        let info = read_trunk(pager, &trunk.data())?;
        if info.leaf_count < leaves_max_write(pager.usable_size()) {
            pager.make_writable(&trunk)?;
            let mut data = trunk.data_mut();
            write_u32(&mut data, 8 + 4 * info.leaf_count, pgno)?;
            write_u32(&mut data, 4, info.leaf_count as u32 + 1)?;
            drop(data);
            return set_header_fields(pager, &page_one, trunk_pgno, total + 1);
        }
    }
    let page = pager.get_now(pgno)?;
    pager.make_writable(&page)?;
    {
        let mut data = page.data_mut();
        data.fill(0);
        write_u32(&mut data, 0, trunk_pgno)?;
    }
    set_header_fields(pager, &page_one, pgno, total + 1)
}

/// Every page on the freelist, trunks first within each trunk, for checks and tests.
pub fn freelist_pages(pager: &mut Pager) -> Result<Vec<PageNo>> {
    let page_one = pager.get(1)?;
    let (mut trunk, total) = header_fields(&page_one)?;
    let mut pages = Vec::new();
    while trunk != 0 {
        check_free_pgno(pager, trunk)?;
        ensure_sound!(
            pages.len() < total as usize,
            "freelist longer than its count {total}"
        );
        pages.push(trunk);
        let page = pager.get(trunk)?;
        let data = page.data();
        let info = read_trunk(pager, &data)?;
        for i in 0..info.leaf_count {
            let leaf = read_u32(&data, 8 + 4 * i)?;
            check_free_pgno(pager, leaf)?;
            pages.push(leaf);
        }
        trunk = info.next;
    }
    if pages.len() != total as usize {
        return Err(Error::corrupt(format!(
            "freelist holds {} pages, header says {total}",
            pages.len()
        )));
    }
    Ok(pages)
}
