//! One b-tree page's bytes: header, cell pointer array, cells, freeblocks.
//!
//! Pure functions over `&[u8]`/`&mut [u8]`: no pager, no I/O. Every offset read from the page is
//! bounds-checked and turns into `Error::corrupt` when wrong (B4 in `mod.rs`); the functions that
//! change a page only do so after the parts they rely on were validated.

use crate::ensure_sound;
use crate::error::{Error, Result};
use crate::pager::PageNo;
use crate::record::{get_varint, push_varint};
use std::ops::Range;

/// Offset of the b-tree header in page 1, after the database header.
pub(crate) const PAGE_ONE_HEADER_OFFSET: usize = 100;
/// SQLite never lets fragmented bytes pass this; a page that would is defragmented instead.
const FRAGMENTED_BYTES_MAX: usize = 60;
/// The smallest cell SQLite allocates, so that a freed cell can always become a freeblock.
pub(crate) const CELL_SIZE_MIN: usize = 4;
/// Payloads past this are refused as corrupt (SQLite's SQLITE_MAX_LENGTH ceiling is 2^31 - 1).
const PAYLOAD_SIZE_MAX: u64 = 0x7fff_ffff;

/// `ensure_sound!` for the checks on every cell read: the message is formatted out of line, so
/// the check is a compare and a branch and the helpers around it inline into their callers.
macro_rules! check {
    ($cond:expr, $($fmt:tt)+) => {
        if !$cond {
            return Err(malformed(format_args!($($fmt)+)));
        }
    };
}

#[cold]
#[inline(never)]
fn malformed(message: std::fmt::Arguments<'_>) -> Error {
    Error::corrupt(std::fmt::format(message))
}

/// The four kinds of b-tree page, by their flag byte.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PageKind {
    InteriorIndex,
    InteriorTable,
    LeafIndex,
    LeafTable,
}

impl PageKind {
    #[inline]
    pub fn from_flag(flag: u8) -> Result<PageKind> {
        match flag {
            2 => Ok(PageKind::InteriorIndex),
            5 => Ok(PageKind::InteriorTable),
            10 => Ok(PageKind::LeafIndex),
            13 => Ok(PageKind::LeafTable),
            _ => Err(malformed(format_args!("invalid b-tree page flag {flag}"))),
        }
    }

    pub fn flag(self) -> u8 {
        match self {
            PageKind::InteriorIndex => 2,
            PageKind::InteriorTable => 5,
            PageKind::LeafIndex => 10,
            PageKind::LeafTable => 13,
        }
    }

    pub fn is_leaf(self) -> bool {
        matches!(self, PageKind::LeafIndex | PageKind::LeafTable)
    }

    /// Table pages are keyed by rowid; index pages by their payload.
    pub fn is_table(self) -> bool {
        matches!(self, PageKind::InteriorTable | PageKind::LeafTable)
    }

    pub fn header_len(self) -> usize {
        if self.is_leaf() {
            8
        } else {
            12
        }
    }

    /// The kind of page one level above or below, within the same tree.
    pub fn with_leaf(self, leaf: bool) -> PageKind {
        match (self.is_table(), leaf) {
            (true, true) => PageKind::LeafTable,
            (true, false) => PageKind::InteriorTable,
            (false, true) => PageKind::LeafIndex,
            (false, false) => PageKind::InteriorIndex,
        }
    }

    /// Whether cells of this kind carry a payload (all but interior table cells).
    pub fn has_payload(self) -> bool {
        self != PageKind::InteriorTable
    }
}

/// Where the b-tree header of page `pgno` starts.
pub fn header_offset(pgno: PageNo) -> usize {
    if pgno == 1 {
        PAGE_ONE_HEADER_OFFSET
    } else {
        0
    }
}

#[inline]
pub(crate) fn read_u16(data: &[u8], offset: usize) -> Result<u16> {
    match data.get(offset..offset + 2) {
        Some(&[b0, b1]) => Ok(u16::from_be_bytes([b0, b1])),
        _ => Err(malformed(format_args!("u16 at {offset} past the page end"))),
    }
}

#[inline]
pub(crate) fn read_u32(data: &[u8], offset: usize) -> Result<u32> {
    match data.get(offset..offset + 4) {
        Some(&[b0, b1, b2, b3]) => Ok(u32::from_be_bytes([b0, b1, b2, b3])),
        _ => Err(malformed(format_args!("u32 at {offset} past the page end"))),
    }
}

pub(crate) fn write_u16(data: &mut [u8], offset: usize, value: u16) -> Result<()> {
    match data.get_mut(offset..offset + 2) {
        Some(b) => {
            b.copy_from_slice(&value.to_be_bytes());
            Ok(())
        }
        None => Err(Error::corrupt(format!(
            "u16 write at {offset} past the page end"
        ))),
    }
}

pub(crate) fn write_u32(data: &mut [u8], offset: usize, value: u32) -> Result<()> {
    match data.get_mut(offset..offset + 4) {
        Some(b) => {
            b.copy_from_slice(&value.to_be_bytes());
            Ok(())
        }
        None => Err(Error::corrupt(format!(
            "u32 write at {offset} past the page end"
        ))),
    }
}

#[inline]
pub(crate) fn slice(data: &[u8], range: Range<usize>) -> Result<&[u8]> {
    let (start, end) = (range.start, range.end);
    match data.get(range) {
        Some(bytes) => Ok(bytes),
        None => Err(malformed(format_args!(
            "bytes {start}..{end} past the page end"
        ))),
    }
}

/// The varint at `at` and its length. Every cell read decodes one or two varints, nearly always
/// of one to three bytes (payload sizes, rowids below 2^21), so those stay inline.
#[inline(always)]
pub(crate) fn varint_at(data: &[u8], at: usize) -> Result<(u64, usize)> {
    let bytes = data.get(at..).unwrap_or_default();
    match *bytes {
        [b0, ..] if b0 < 0x80 => Ok((u64::from(b0), 1)),
        [b0, b1, ..] if b1 < 0x80 => Ok((u64::from(b0 & 0x7f) << 7 | u64::from(b1), 2)),
        [b0, b1, b2, ..] if b2 < 0x80 => Ok((
            u64::from(b0 & 0x7f) << 14 | u64::from(b1 & 0x7f) << 7 | u64::from(b2),
            3,
        )),
        _ => long_varint(bytes),
    }
}

/// The key of the table cell at `offset` in `area` (the page up to its usable size): past the
/// payload size on a leaf, past the child pointer on an interior page. The common short
/// varints (a one-byte payload size, rowids below 2^21) are read with one bounds check each.
#[inline(always)]
fn table_key<const LEAF: bool>(area: &[u8], offset: usize) -> Result<i64> {
    let at = if LEAF {
        match area.get(offset) {
            Some(&size) if size < 0x80 => offset + 1,
            _ => offset + varint_at(area, offset)?.1,
        }
    } else {
        offset + 4
    };
    let key = match area.get(at..at + 3) {
        Some(&[b0, _, _]) if b0 < 0x80 => u64::from(b0),
        Some(&[b0, b1, _]) if b1 < 0x80 => u64::from(b0 & 0x7f) << 7 | u64::from(b1),
        Some(&[b0, b1, b2]) if b2 < 0x80 => {
            u64::from(b0 & 0x7f) << 14 | u64::from(b1 & 0x7f) << 7 | u64::from(b2)
        }
        _ => varint_at(area, at)?.0,
    };
    Ok(key as i64)
}

/// `leaf_cell` for the usual cell, decoded from a fixed window of its first bytes: a payload
/// size under 128 and a rowid under 2^21. None for any other (`leaf_cell` reads those).
#[inline(always)]
fn short_leaf_cell(area: &[u8], offset: usize, max: u64) -> Option<LeafCell> {
    let [size, r0, r1, r2] = *area.get(offset..)?.first_chunk::<4>()?;
    if size >= 0x80 {
        return None;
    }
    let (rowid, rowid_len) = if r0 < 0x80 {
        (u64::from(r0), 1)
    } else if r1 < 0x80 {
        (u64::from(r0 & 0x7f) << 7 | u64::from(r1), 2)
    } else if r2 < 0x80 {
        (
            u64::from(r0 & 0x7f) << 14 | u64::from(r1 & 0x7f) << 7 | u64::from(r2),
            3,
        )
    } else {
        return None;
    };
    let start = offset + 1 + rowid_len;
    let end = start + usize::from(size);
    if u64::from(size) > max || end > area.len() {
        return None;
    }
    Some(LeafCell {
        rowid: rowid as i64,
        start: start as u32,
        end: end as u32,
    })
}

/// The table leaf cell at `offset` of `area` (the page's usable bytes) when its payload, at most
/// `max` bytes, lies wholly within it: `Page::table_leaf_cells`'s loop body.
#[inline(always)]
fn leaf_cell(area: &[u8], offset: usize, max: u64) -> Option<LeafCell> {
    let cell = area.get(offset..)?;
    let (size, size_len) = quick_varint(cell)?;
    let (rowid, rowid_len) = quick_varint(cell.get(size_len..)?)?;
    let start = offset + size_len + rowid_len;
    if size > max || start as u64 + size > area.len() as u64 {
        return None;
    }
    Some(LeafCell {
        rowid: rowid as i64,
        start: start as u32,
        end: (start + size as usize) as u32,
    })
}

/// A varint of one to three bytes (rowids under 2^21) inline, longer ones through `get_varint`; None when it runs
/// past `bytes`.
#[inline(always)]
fn quick_varint(bytes: &[u8]) -> Option<(u64, usize)> {
    let b0 = u64::from(*bytes.first()?);
    if b0 < 0x80 {
        return Some((b0, 1));
    }
    let b1 = u64::from(*bytes.get(1)?);
    if b1 < 0x80 {
        return Some(((b0 & 0x7f) << 7 | b1, 2));
    }
    let b2 = u64::from(*bytes.get(2)?);
    if b2 < 0x80 {
        return Some(((b0 & 0x7f) << 14 | (b1 & 0x7f) << 7 | b2, 3));
    }
    long_varint(bytes).ok()
}

/// The rest of `varint_at`, kept out of line so that the short cases inline everywhere.
#[inline(never)]
fn long_varint(bytes: &[u8]) -> Result<(u64, usize)> {
    get_varint(bytes)
}

/// The largest payload kept entirely on a page of this kind (SQLite's X).
pub fn max_local(kind: PageKind, usable: usize) -> usize {
    if kind == PageKind::LeafTable {
        usable - 35
    } else {
        (usable - 12) * 64 / 255 - 23
    }
}

/// The least payload kept on the page when the rest spills (SQLite's M).
pub fn min_local(usable: usize) -> usize {
    (usable - 12) * 32 / 255 - 23
}

/// How many of a payload's bytes live on the page; the rest goes to overflow pages.
pub fn local_payload_len(kind: PageKind, payload_size: u64, usable: usize) -> usize {
    let max = max_local(kind, usable) as u64;
    if payload_size <= max {
        return payload_size as usize;
    }
    let min = min_local(usable) as u64;
    let surplus = min + (payload_size - min) % (usable as u64 - 4);
    if surplus <= max {
        surplus as usize
    } else {
        min as usize
    }
}

/// A parsed cell. Offsets are absolute within the page.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CellInfo {
    /// The rowid of table cells; 0 for index cells.
    pub rowid: i64,
    /// The child to the left of this cell on interior pages; 0 on leaves.
    pub left_child: PageNo,
    pub payload_size: u64,
    /// The payload bytes stored on the page.
    pub local: Range<usize>,
    /// First overflow page, 0 when the whole payload is local.
    pub overflow: PageNo,
    /// Bytes the cell occupies on the page (at least `CELL_SIZE_MIN`).
    pub size: usize,
}

impl CellInfo {
    pub fn has_overflow(&self) -> bool {
        self.overflow != 0
    }

    /// The cell's length without the padding up to `CELL_SIZE_MIN`, for a cell at `offset`.
    pub fn unpadded_len(&self, offset: usize) -> usize {
        self.local.end + if self.has_overflow() { 4 } else { 0 } - offset
    }
}

/// Parses the cell at `offset`; the whole cell must lie below `usable`.
/// `data` may also be a lone cell's bytes (a copy taken off a page), which then bounds the cell.
#[inline]
pub fn parse_cell(data: &[u8], offset: usize, kind: PageKind, usable: usize) -> Result<CellInfo> {
    let end = usable.min(data.len());
    let area = slice(data, offset..end)?;
    let mut at = 0;
    let left_child = if kind.is_leaf() {
        0
    } else {
        at = 4;
        read_u32(area, 0)?
    };
    let payload_size = if kind.has_payload() {
        let (size, len) = varint_at(area, at)?;
        at += len;
        check!(
            size <= PAYLOAD_SIZE_MAX,
            "payload size {size} in cell at {offset}"
        );
        size
    } else {
        0
    };
    let rowid = if kind.is_table() {
        let (rowid, len) = varint_at(area, at)?;
        at += len;
        rowid as i64
    } else {
        0
    };
    let local_len = local_payload_len(kind, payload_size, usable);
    let local = offset + at..offset + at + local_len;
    at += local_len;
    let overflow = if (local_len as u64) < payload_size {
        let pgno = read_u32(area, at)?;
        at += 4;
        check!(pgno != 0, "cell at {offset} spills to page 0");
        pgno
    } else {
        0
    };
    let size = at.max(CELL_SIZE_MIN);
    check!(
        offset + size <= end,
        "cell at {offset} of {size} bytes runs past {end}"
    );
    Ok(CellInfo {
        rowid,
        left_child,
        payload_size,
        local,
        overflow,
        size,
    })
}

/// Appends a cell's bytes to `out`: the local part of `payload` and, if it spills, `overflow`.
/// Interior cells get `left_child`; table cells get `rowid`. Padded to `CELL_SIZE_MIN`.
pub fn build_cell(
    out: &mut Vec<u8>,
    kind: PageKind,
    left_child: PageNo,
    rowid: i64,
    payload: &[u8],
    overflow: PageNo,
    usable: usize,
) {
    let start = out.len();
    if !kind.is_leaf() {
        out.extend_from_slice(&left_child.to_be_bytes());
    }
    if kind.has_payload() {
        push_varint(out, payload.len() as u64);
    }
    if kind.is_table() {
        push_varint(out, rowid as u64);
    }
    if kind.has_payload() {
        let local = local_payload_len(kind, payload.len() as u64, usable);
        out.extend_from_slice(&payload[..local]);
        if local < payload.len() {
            assert!(overflow != 0, "a spilling payload needs its overflow chain");
            out.extend_from_slice(&overflow.to_be_bytes());
        }
    }
    while out.len() - start < CELL_SIZE_MIN {
        out.push(0);
    }
}

/// The keys (records) of an index page's cells, for a binary search: `Page::local_payload` for
/// the common key, one whose payload size is a single varint byte within the local limit, with
/// the page's constant parts worked out once rather than at every probe. `record` answers None
/// for anything else (a larger or spilling key, a bad pointer), and the caller then reads the
/// cell the general way, which reports any corruption.
#[derive(Clone, Copy)]
pub struct IndexKeys<'a> {
    /// The page up to its usable size: every slice taken from it ends inside the page.
    data: &'a [u8],
    pointers: usize,
    content_start: usize,
    /// The child pointer before the payload size on interior pages.
    skip: usize,
    small_max: usize,
}

impl<'a> IndexKeys<'a> {
    /// The record of cell `index` (below the cell count), or None as above.
    #[inline(always)]
    pub fn record(&self, index: usize) -> Option<&'a [u8]> {
        let pointer = self.pointers + 2 * index;
        let &[b0, b1] = self.data.get(pointer..pointer + 2)? else {
            return None;
        };
        let offset = usize::from(u16::from_be_bytes([b0, b1]));
        if offset < self.content_start {
            return None;
        }
        let at = offset + self.skip;
        let size = usize::from(*self.data.get(at)?);
        if size > self.small_max {
            return None;
        }
        self.data.get(at + 1..at + 1 + size)
    }
}

/// A validated read-only view of a b-tree page.
#[derive(Clone, Copy)]
pub struct Page<'a> {
    data: &'a [u8],
    hdr: usize,
    usable: usize,
    kind: PageKind,
    cell_count: usize,
    content_start: usize,
}

/// A table leaf cell as `Page::table_leaf_cells` reads it: its rowid and where its payload,
/// wholly on the page, lies in the page's bytes (`start..end`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LeafCell {
    pub rowid: i64,
    pub start: u32,
    pub end: u32,
}

impl LeafCell {
    /// A cell left to `Page::table_leaf_entry`: its payload spills, or it is malformed.
    const UNUSUAL: LeafCell = LeafCell {
        rowid: 0,
        start: 0,
        end: 0,
    };

    /// Whether the cell was read (a payload's end is past the page header, never 0).
    pub fn is_plain(&self) -> bool {
        self.end != 0
    }
}

/// What `Page::parse` validates and keeps of a page's header. Kept by a cursor stepping along
/// a leaf to view the same bytes again without re-reading the header: it describes those bytes
/// only, so whoever keeps it must know they have not changed (`Page::with_layout`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Layout {
    hdr: usize,
    usable: usize,
    kind: PageKind,
    cell_count: usize,
    content_start: usize,
}

impl<'a> Page<'a> {
    /// A view of `data` with the header `Page::parse` read from these same bytes before.
    #[inline(always)]
    pub fn with_layout(data: &'a [u8], layout: Layout) -> Result<Page<'a>> {
        // Every accessor relies on this bound, which parsing checked against the bytes then.
        check!(layout.usable <= data.len(), "page too small");
        debug_assert!(
            Page::parse(data, layout.hdr, layout.usable)
                .ok()
                .map(|page| page.layout())
                == Some(layout),
            "page bytes changed under a kept layout"
        );
        Ok(Page::from_layout(data, layout))
    }

    #[inline(always)]
    fn from_layout(data: &'a [u8], layout: Layout) -> Page<'a> {
        let Layout {
            hdr,
            usable,
            kind,
            cell_count,
            content_start,
        } = layout;
        Page {
            data,
            hdr,
            usable,
            kind,
            cell_count,
            content_start,
        }
    }

    pub fn layout(&self) -> Layout {
        Layout {
            hdr: self.hdr,
            usable: self.usable,
            kind: self.kind,
            cell_count: self.cell_count,
            content_start: self.content_start,
        }
    }

    /// Validates the header: flag, cell count, content area, pointer array placement.
    #[inline(always)]
    pub fn parse(data: &'a [u8], hdr: usize, usable: usize) -> Result<Page<'a>> {
        check!(usable <= data.len() && hdr + 12 <= usable, "page too small");
        let kind = PageKind::from_flag(data.get(hdr).copied().unwrap_or(0))?;
        let cell_count = read_u16(data, hdr + 3)? as usize;
        let content_start = match read_u16(data, hdr + 5)? {
            0 => 65536,
            n => n as usize,
        };
        let pointers_end = hdr + kind.header_len() + 2 * cell_count;
        check!(
            pointers_end <= content_start && content_start <= usable,
            "page with {cell_count} cells has its content at {content_start}"
        );
        Ok(Page::from_layout(
            data,
            Layout {
                hdr,
                usable,
                kind,
                cell_count,
                content_start,
            },
        ))
    }

    pub fn kind(&self) -> PageKind {
        self.kind
    }

    pub fn cell_count(&self) -> usize {
        self.cell_count
    }

    pub fn usable(&self) -> usize {
        self.usable
    }

    /// Where the cell content area begins.
    pub fn content_start(&self) -> usize {
        self.content_start
    }

    pub fn data(&self) -> &'a [u8] {
        self.data
    }

    pub fn right_child(&self) -> Result<PageNo> {
        debug_assert!(!self.kind.is_leaf());
        read_u32(self.data, self.hdr + 8)
    }

    fn fragmented_bytes(&self) -> usize {
        self.data.get(self.hdr + 7).copied().unwrap_or(0) as usize
    }

    fn pointers_end(&self) -> usize {
        self.hdr + self.kind.header_len() + 2 * self.cell_count
    }

    #[inline]
    pub fn cell_offset(&self, index: usize) -> Result<usize> {
        debug_assert!(index < self.cell_count);
        let offset = read_u16(self.data, self.hdr + self.kind.header_len() + 2 * index)? as usize;
        check!(
            offset >= self.content_start && offset < self.usable,
            "cell pointer {offset} outside the content area {}..{}",
            self.content_start,
            self.usable
        );
        Ok(offset)
    }

    #[inline]
    pub fn cell(&self, index: usize) -> Result<CellInfo> {
        parse_cell(self.data, self.cell_offset(index)?, self.kind, self.usable)
    }

    /// Where the cell's bytes are, padding included: what moving the cell must copy.
    pub fn cell_range(&self, index: usize) -> Result<Range<usize>> {
        let offset = self.cell_offset(index)?;
        Ok(offset..offset + self.cell_size(offset)?)
    }

    /// `parse_cell(..).size` without the rest of a `CellInfo` when the payload is all local:
    /// a balance measures every cell of a parent and three children.
    #[inline(always)]
    fn cell_size(&self, offset: usize) -> Result<usize> {
        let area = slice(self.data, offset..self.usable)?;
        let mut at = if self.kind.is_leaf() { 0 } else { 4 };
        let mut local = 0;
        if self.kind.has_payload() {
            let (size, len) = varint_at(area, at)?;
            if size > max_local(self.kind, self.usable) as u64 {
                return self.spilling_cell_size(offset);
            }
            at += len;
            local = size as usize;
        }
        if self.kind.is_table() {
            at += varint_at(area, at)?.1;
        }
        let size = (at + local).max(CELL_SIZE_MIN);
        check!(
            size <= area.len(),
            "cell at {offset} of {size} bytes runs past {}",
            self.usable
        );
        Ok(size)
    }

    #[inline(never)]
    fn spilling_cell_size(&self, offset: usize) -> Result<usize> {
        Ok(parse_cell(self.data, offset, self.kind, self.usable)?.size)
    }

    /// Appends every cell's bytes to `out` in order, as offsets into the content area plus
    /// `shift`, in one loop with no call per cell. Index cells whose payload size is a
    /// one-byte varint within the local limit (all but the largest keys) are measured from that
    /// byte alone: a balance measures every cell of three pages. On an error `out` holds
    /// unspecified spans past its old length.
    pub fn cell_spans(&self, shift: usize, out: &mut Vec<(u32, u32)>) -> Result<()> {
        let pointers = slice(
            self.data,
            self.hdr + self.kind.header_len()..self.pointers_end(),
        )?;
        let child_len = if self.kind.is_leaf() { 0 } else { 4 };
        // Table cells carry a rowid as well: measured the general way (a limit of 0 admits none).
        let small_limit = if self.kind.is_table() {
            0
        } else {
            max_local(self.kind, self.usable).min(0x7f) + 1
        };
        // Every cell lies in the content area, checked for each: offsets into it need no other
        // bound.
        let area = slice(self.data, self.content_start..self.usable)?;
        let first = out.len();
        out.resize(first + self.cell_count, (0, 0));
        for (pointer, span) in pointers.chunks_exact(2).zip(&mut out[first..]) {
            let offset = usize::from(u16::from_be_bytes([pointer[0], pointer[1]]));
            let at = offset.wrapping_sub(self.content_start);
            if at >= area.len() {
                return Err(self.bad_pointer(offset));
            }
            let size = match area.get(at + child_len) {
                Some(&payload) if usize::from(payload) < small_limit => {
                    (child_len + 1 + usize::from(payload)).max(CELL_SIZE_MIN)
                }
                _ => self.cell_size_out_of_line(offset)?,
            };
            if size > area.len() - at {
                return Err(self.cell_past_end(offset, size));
            }
            let start = at + shift;
            *span = (start as u32, (start + size) as u32);
        }
        Ok(())
    }

    /// `cell_size` kept out of the measuring loop, so that the loop's common case stays in
    /// registers.
    #[inline(never)]
    fn cell_size_out_of_line(&self, offset: usize) -> Result<usize> {
        self.cell_size(offset)
    }

    #[cold]
    #[inline(never)]
    fn bad_pointer(&self, offset: usize) -> Error {
        malformed(format_args!(
            "cell pointer {offset} outside the content area {}..{}",
            self.content_start, self.usable
        ))
    }

    #[cold]
    #[inline(never)]
    fn cell_past_end(&self, offset: usize, size: usize) -> Error {
        malformed(format_args!(
            "cell at {offset} of {size} bytes runs past {}",
            self.usable
        ))
    }

    pub fn cell_bytes(&self, index: usize) -> Result<&'a [u8]> {
        slice(self.data, self.cell_range(index)?)
    }

    /// The key of cell `index` on a table page, read without parsing the rest of the cell: what
    /// searches compare, as SQLite's binary search reads the rowid varint alone.
    #[inline(always)]
    pub fn rowid(&self, index: usize) -> Result<i64> {
        debug_assert!(self.kind.is_table());
        let offset = self.cell_offset(index)?;
        let area = slice(self.data, offset..self.usable)?;
        let at = if self.kind.is_leaf() {
            varint_at(area, 0)?.1
        } else {
            4
        };
        Ok(varint_at(area, at)?.0 as i64)
    }

    /// Binary search of a table page for `rowid`: the index of the first cell whose key is at
    /// least `rowid` (greater, with `upper`), or the cell count, and whether that cell's key
    /// equals `rowid`. Every rowid descent runs it at each level, so the page's constants (kind,
    /// pointer array, content area) are worked out once per page, not at every probe.
    #[inline]
    pub fn search_rowid(&self, rowid: i64, upper: bool) -> Result<(usize, bool)> {
        debug_assert!(self.kind.is_table());
        if self.kind.is_leaf() {
            self.search_rowid_in::<true>(rowid, upper)
        } else {
            self.search_rowid_in::<false>(rowid, upper)
        }
    }

    /// `search_rowid` for one kind of page: a leaf's key follows the payload size varint, an
    /// interior cell's follows the 4-byte child pointer.
    #[inline(always)]
    fn search_rowid_in<const LEAF: bool>(&self, rowid: i64, upper: bool) -> Result<(usize, bool)> {
        // `parse` checked pointers end <= content start <= usable <= data length.
        let area = slice(self.data, 0..self.usable)?;
        let first = self.hdr + self.kind.header_len();
        let pointers = slice(area, first..first + 2 * self.cell_count)?;
        let (mut low, mut high) = (0, self.cell_count);
        let mut equal = false;
        while low < high {
            let mid = low + (high - low) / 2;
            let Some(&[b0, b1]) = pointers.get(2 * mid..2 * mid + 2) else {
                return Err(self.bad_pointer(2 * mid));
            };
            let offset = usize::from(u16::from_be_bytes([b0, b1]));
            if offset < self.content_start {
                return Err(self.bad_pointer(offset));
            }
            let key = table_key::<LEAF>(area, offset)?;
            if key < rowid || (upper && key == rowid) {
                low = mid + 1;
            } else {
                high = mid;
                equal = key == rowid;
            }
        }
        debug_assert!(low == self.cell_count || equal == (self.rowid(low).ok() == Some(rowid)));
        Ok((low, equal))
    }

    /// The rowid of cell `index` on a table leaf and where its payload is in the page's bytes
    /// when that lies wholly on the page (None when it spills), from one read of the cell's two
    /// varints: what a scan's step to the next row reads.
    #[inline(always)]
    pub fn table_leaf_entry(&self, index: usize) -> Result<(i64, Option<Range<usize>>)> {
        debug_assert_eq!(self.kind, PageKind::LeafTable);
        let offset = self.cell_offset(index)?;
        let area = slice(self.data, offset..self.usable)?;
        let (size, size_len) = varint_at(area, 0)?;
        let (rowid, rowid_len) = varint_at(area, size_len)?;
        if size > max_local(PageKind::LeafTable, self.usable) as u64 {
            return Ok((rowid as i64, None));
        }
        let at = size_len + rowid_len;
        let end = at + size as usize;
        check!(
            end <= area.len(),
            "cell at {offset} of {end} bytes runs past {}",
            self.usable
        );
        Ok((rowid as i64, Some(offset + at..offset + end)))
    }

    /// `table_leaf_entry` for every cell of a table leaf, into `out` (cleared first), in one
    /// loop: what a scan stepping along the leaf reads, once per leaf. A cell whose payload
    /// spills, or that `table_leaf_entry` would find malformed, is left to it
    /// (`LeafCell::is_plain` is false), so a damaged cell is reported only when reached.
    pub fn table_leaf_cells(&self, out: &mut Vec<LeafCell>) {
        debug_assert_eq!(self.kind, PageKind::LeafTable);
        out.clear();
        let max = max_local(PageKind::LeafTable, self.usable) as u64;
        let area = self.data.get(..self.usable).unwrap_or_default();
        let pointers = self
            .data
            .get(self.hdr + self.kind.header_len()..self.pointers_end())
            .unwrap_or_default();
        let content_start = self.content_start;
        out.extend(pointers.chunks_exact(2).map(|pointer| {
            let offset = usize::from(u16::from_be_bytes([pointer[0], pointer[1]]));
            if offset < content_start {
                return LeafCell::UNUSUAL;
            }
            short_leaf_cell(area, offset, max)
                .or_else(|| leaf_cell(area, offset, max))
                .unwrap_or(LeafCell::UNUSUAL)
        }));
    }

    /// The payload of cell `index` when it lies wholly on the page, read without a `CellInfo`:
    /// what a scan copies out of every row, and what every step of an index descent compares.
    /// None when it spills to overflow pages.
    #[inline(always)]
    pub fn local_payload(&self, index: usize) -> Result<Option<&'a [u8]>> {
        if !self.kind.has_payload() {
            return Ok(None);
        }
        let offset = self.cell_offset(index)?;
        let area = slice(self.data, offset..self.usable)?;
        let mut at = if self.kind.is_leaf() { 0 } else { 4 };
        let (size, len) = varint_at(area, at)?;
        if size > max_local(self.kind, self.usable) as u64 {
            return Ok(None);
        }
        at += len;
        if self.kind.is_table() {
            at += varint_at(area, at)?.1;
        }
        let end = at + size as usize;
        check!(
            end <= area.len(),
            "cell at {offset} of {end} bytes runs past {}",
            self.usable
        );
        Ok(Some(&area[at..end]))
    }

    /// The reader an index descent's binary search takes each cell's key through.
    pub fn index_keys(&self) -> IndexKeys<'a> {
        debug_assert!(!self.kind.is_table());
        IndexKeys {
            data: &self.data[..self.usable],
            pointers: self.hdr + self.kind.header_len(),
            content_start: self.content_start,
            skip: if self.kind.is_leaf() { 0 } else { 4 },
            small_max: max_local(self.kind, self.usable).min(0x7f),
        }
    }

    /// The child page left of cell `index`, or the right-most child for `index == cell_count`.
    pub fn child(&self, index: usize) -> Result<PageNo> {
        debug_assert!(!self.kind.is_leaf() && index <= self.cell_count);
        let pgno = if index == self.cell_count {
            self.right_child()?
        } else {
            read_u32(self.data, self.cell_offset(index)?)?
        };
        ensure_sound!(pgno != 0, "child pointer 0");
        Ok(pgno)
    }

    /// Visits the freeblock list as (offset, size), checking it is strictly ascending, inside
    /// the content area and not touching the next block (SQLite merges blocks closer than 4 bytes).
    fn for_each_freeblock(&self, mut visit: impl FnMut(usize, usize)) -> Result<()> {
        let mut offset = read_u16(self.data, self.hdr + 1)? as usize;
        let mut floor = self.content_start;
        while offset != 0 {
            ensure_sound!(offset >= floor, "freeblock at {offset} out of order");
            let next = read_u16(self.data, offset)? as usize;
            let size = read_u16(self.data, offset + 2)? as usize;
            ensure_sound!(
                size >= 4 && offset + size <= self.usable,
                "freeblock at {offset} of size {size}"
            );
            visit(offset, size);
            floor = offset + size + 4;
            offset = next;
        }
        Ok(())
    }

    /// The gap between the pointer array and the content: free bytes, though not all of them.
    pub fn gap(&self) -> usize {
        self.content_start - self.pointers_end()
    }

    /// Free bytes: the gap between the pointer array and the content, freeblocks and fragments.
    pub fn free_space(&self) -> Result<usize> {
        let mut free = self.content_start - self.pointers_end() + self.fragmented_bytes();
        self.for_each_freeblock(|_, size| free += size)?;
        ensure_sound!(
            free <= self.usable - self.pointers_end(),
            "free space {free} exceeds the page"
        );
        Ok(free)
    }

    /// Free space if the page were rebuilt from its cells alone.
    pub fn content_bytes(&self) -> usize {
        self.usable - self.pointers_end()
    }
}

fn set_content_start(data: &mut [u8], hdr: usize, content_start: usize) -> Result<()> {
    debug_assert!(content_start <= 65536);
    write_u16(data, hdr + 5, content_start as u16)
}

fn set_cell_count(data: &mut [u8], hdr: usize, count: usize) -> Result<()> {
    debug_assert!(count <= u16::MAX as usize);
    write_u16(data, hdr + 3, count as u16)
}

fn set_fragmented_bytes(data: &mut [u8], hdr: usize, fragmented: usize) -> Result<()> {
    debug_assert!(fragmented <= 255);
    match data.get_mut(hdr + 7) {
        Some(b) => {
            *b = fragmented as u8;
            Ok(())
        }
        None => Err(Error::corrupt("page header past the page end")),
    }
}

/// Makes `data` an empty page of `kind`. Bytes outside the header are left as they are, except
/// that a freshly taken page must be fully initialised by its caller before it is used further.
pub fn init_page(data: &mut [u8], hdr: usize, kind: PageKind, usable: usize) -> Result<()> {
    assert!(
        usable <= data.len() && hdr + kind.header_len() <= usable,
        "page too small to initialise"
    );
    data[hdr] = kind.flag();
    write_u16(data, hdr + 1, 0)?;
    set_cell_count(data, hdr, 0)?;
    set_content_start(data, hdr, usable)?;
    set_fragmented_bytes(data, hdr, 0)?;
    if !kind.is_leaf() {
        write_u32(data, hdr + 8, 0)?;
    }
    Ok(())
}

pub fn set_right_child(data: &mut [u8], hdr: usize, child: PageNo) -> Result<()> {
    write_u32(data, hdr + 8, child)
}

/// Rewrites the page from scratch holding the cells `bytes[start..end]` of `spans` in order,
/// packed at the end of the page, the first at the top. The caller has checked that they fit
/// (`fits`). Cells that lie back to back in `bytes` as they will on the page (each one's bytes
/// ending where the previous one's start: a page this function wrote, copied whole) move as one
/// copy, so rewriting a page mostly made of cells from one earlier rewrite copies a few long runs.
pub fn write_cells(
    data: &mut [u8],
    hdr: usize,
    kind: PageKind,
    usable: usize,
    bytes: &[u8],
    spans: &[(u32, u32)],
    right_child: PageNo,
) -> Result<()> {
    init_page(data, hdr, kind, usable)?;
    if !kind.is_leaf() {
        set_right_child(data, hdr, right_child)?;
    }
    let count = spans.len();
    let pointers = hdr + kind.header_len();
    let pointers_end = pointers + 2 * count;
    assert!(pointers_end <= usable, "cells overflow the page");
    // The pointer array and the content area, split so that the loop writes both unchecked.
    let (head, content) = data[..usable].split_at_mut(pointers_end);
    let mut top = content.len();
    // The pending run: source bytes `run_start..run_end` not yet copied, which end at `run_top`
    // in `content`. Every cell has bytes, so only the first run is empty.
    let (mut run_start, mut run_end, mut run_top) = (0, 0, top);
    for (&(start, end), pointer) in spans.iter().zip(head[pointers..].chunks_exact_mut(2)) {
        debug_assert!(start < end);
        let (start, end) = (start as usize, end as usize);
        top = top
            .checked_sub(end - start)
            .expect("cells overflow the page");
        pointer.copy_from_slice(&((pointers_end + top) as u16).to_be_bytes());
        if end != run_start || run_start == run_end {
            content[run_top - (run_end - run_start)..run_top]
                .copy_from_slice(&bytes[run_start..run_end]);
            (run_end, run_top) = (end, top + (end - start));
        }
        run_start = start;
    }
    content[run_top - (run_end - run_start)..run_top].copy_from_slice(&bytes[run_start..run_end]);
    content[..top].fill(0);
    set_cell_count(data, hdr, count)?;
    set_content_start(data, hdr, pointers_end + top)
}

/// Bytes a page's content area needs for cells of the given sizes (pointers included).
pub fn space_needed(sizes: impl Iterator<Item = usize>) -> usize {
    sizes.map(|s| s + 2).sum()
}

/// Inserts `cell` as cell number `index`. Returns false, changing nothing, when it does not fit.
pub fn insert_cell(
    data: &mut [u8],
    hdr: usize,
    usable: usize,
    index: usize,
    cell: &[u8],
) -> Result<bool> {
    let page = Page::parse(data, hdr, usable)?;
    debug_assert!(index <= page.cell_count && cell.len() >= CELL_SIZE_MIN);
    let (kind, count, content_start) = (page.kind, page.cell_count, page.content_start);
    let gap = content_start - page.pointers_end();
    let offset = if read_u16(data, hdr + 1)? == 0 && gap >= cell.len() + 2 {
        // No freeblock to reuse and room in the gap: what first fit would pick, found without
        // walking anything (a page filling up in key order always takes this path).
        set_content_start(data, hdr, content_start - cell.len())?;
        content_start - cell.len()
    } else {
        if cell.len() + 2 > page.free_space()? {
            return Ok(false);
        }
        match if gap >= 2 {
            take_freeblock(data, hdr, usable, cell.len())?
        } else {
            None
        } {
            Some(offset) => offset,
            None => take_from_gap(data, hdr, usable, cell.len())?,
        }
    };
    data[offset..offset + cell.len()].copy_from_slice(cell);
    let at = hdr + kind.header_len() + 2 * index;
    let end = hdr + kind.header_len() + 2 * count;
    data.copy_within(at..end, at + 2);
    write_u16(data, at, offset as u16)?;
    set_cell_count(data, hdr, count + 1)?;
    Ok(true)
}

/// Takes `size` bytes from the gap above the pointer array, defragmenting first if the gap is
/// too small. The caller checked that the page's total free space suffices.
fn take_from_gap(data: &mut [u8], hdr: usize, usable: usize, size: usize) -> Result<usize> {
    let mut page = Page::parse(data, hdr, usable)?;
    if page.content_start - page.pointers_end() < size + 2 {
        defragment(data, hdr, usable)?;
        page = Page::parse(data, hdr, usable)?;
    }
    // The caller trusted the header's free space (gap, freeblocks, fragmented-byte count); a
    // damaged header can overstate it, which only the rebuilt page reveals.
    let gap = page.content_start - page.pointers_end();
    ensure_sound!(
        gap >= size + 2,
        "page header overstates its free space: {gap} bytes after defragmenting, {} needed",
        size + 2
    );
    let offset = page.content_start - size;
    set_content_start(data, hdr, offset)?;
    Ok(offset)
}

/// First fit from the freeblock list; the cell takes the block's tail. A remainder under 4 bytes
/// becomes fragmented bytes, unless that would pass `FRAGMENTED_BYTES_MAX`.
fn take_freeblock(
    data: &mut [u8],
    hdr: usize,
    usable: usize,
    size: usize,
) -> Result<Option<usize>> {
    let page = Page::parse(data, hdr, usable)?;
    let fragmented = page.fragmented_bytes();
    let mut found = None;
    let mut link = hdr + 1;
    page.for_each_freeblock(|offset, block_size| {
        if found.is_none() {
            if block_size >= size {
                found = Some((link, offset, block_size));
            } else {
                link = offset;
            }
        }
    })?;
    let Some((link, offset, block_size)) = found else {
        return Ok(None);
    };
    let remainder = block_size - size;
    if remainder >= 4 {
        write_u16(data, offset + 2, remainder as u16)?;
        return Ok(Some(offset + remainder));
    }
    if fragmented + remainder > FRAGMENTED_BYTES_MAX {
        return Ok(None);
    }
    let next = read_u16(data, offset)?;
    write_u16(data, link, next)?;
    set_fragmented_bytes(data, hdr, fragmented + remainder)?;
    Ok(Some(offset))
}

/// Removes cell `index`, returning its bytes to the free space.
pub fn drop_cell(data: &mut [u8], hdr: usize, usable: usize, index: usize) -> Result<()> {
    let page = Page::parse(data, hdr, usable)?;
    ensure_sound!(
        index < page.cell_count,
        "dropping cell {index} of {}",
        page.cell_count
    );
    let offset = page.cell_offset(index)?;
    let size = page.cell(index)?.size;
    let (count, kind) = (page.cell_count, page.kind);
    if count == 1 {
        // The last cell: an empty page has no freeblocks or fragments, as SQLite leaves it.
        let right_child = if kind.is_leaf() {
            0
        } else {
            page.right_child()?
        };
        return write_cells(data, hdr, kind, usable, &[], &[], right_child);
    }
    free_region(data, hdr, usable, offset, size)?;
    let at = hdr + kind.header_len() + 2 * index;
    let end = hdr + kind.header_len() + 2 * count;
    data.copy_within(at + 2..end, at);
    set_cell_count(data, hdr, count - 1)
}

/// Returns `size` bytes at `start` to the freeblock list, merging with neighbours closer than
/// 4 bytes (absorbing the fragment between) and with the gap when the region starts the content.
fn free_region(
    data: &mut [u8],
    hdr: usize,
    usable: usize,
    start: usize,
    size: usize,
) -> Result<()> {
    let page = Page::parse(data, hdr, usable)?;
    let mut fragmented = page.fragmented_bytes();
    let content_start = page.content_start;
    // Blocks before and after the region, with the link (offset of the u16) pointing at each.
    let mut before: Option<(usize, usize, usize)> = None;
    let mut after: Option<(usize, usize, usize)> = None;
    let mut link = hdr + 1;
    page.for_each_freeblock(|offset, block_size| {
        if offset < start {
            before = Some((link, offset, block_size));
            link = offset;
        } else if after.is_none() {
            after = Some((link, offset, block_size));
        }
    })?;
    let (mut new_start, mut new_end) = (start, start + size);
    let mut next = 0;
    if let Some((_, offset, block_size)) = after {
        ensure_sound!(
            offset >= new_end,
            "freed cell at {start} overlaps freeblock {offset}"
        );
        next = offset;
        if offset - new_end < 4 {
            ensure_sound!(fragmented >= offset - new_end, "fragment count too small");
            fragmented -= offset - new_end;
            new_end = offset + block_size;
            next = read_u16(data, offset)? as usize;
        }
    }
    let mut link = hdr + 1;
    if let Some((before_link, offset, block_size)) = before {
        ensure_sound!(
            offset + block_size <= new_start,
            "freed cell at {start} overlaps freeblock {offset}"
        );
        link = offset;
        if new_start - (offset + block_size) < 4 {
            ensure_sound!(
                fragmented >= new_start - (offset + block_size),
                "fragment count too small"
            );
            fragmented -= new_start - (offset + block_size);
            new_start = offset;
            link = before_link;
        }
    }
    ensure_sound!(
        new_start >= content_start,
        "freed cell at {start} before the content area"
    );
    if new_start == content_start {
        write_u16(data, link, next as u16)?;
        set_content_start(data, hdr, new_end)?;
    } else {
        write_u16(data, new_start, next as u16)?;
        write_u16(data, new_start + 2, (new_end - new_start) as u16)?;
        write_u16(data, link, new_start as u16)?;
    }
    set_fragmented_bytes(data, hdr, fragmented)
}

/// Packs all cells at the end of the page, leaving one contiguous gap and no freeblocks.
pub fn defragment(data: &mut [u8], hdr: usize, usable: usize) -> Result<()> {
    let page = Page::parse(data, hdr, usable)?;
    let copy = data[..usable].to_vec();
    let view = Page::parse(&copy, hdr, usable)?;
    let pointers = hdr + page.kind.header_len();
    let pointers_end = page.pointers_end();
    let mut top = usable;
    for i in 0..view.cell_count {
        let cell = view.cell_bytes(i)?;
        ensure_sound!(
            top >= pointers_end + cell.len(),
            "cells overlap: page overfull"
        );
        top -= cell.len();
        data[top..top + cell.len()].copy_from_slice(cell);
        write_u16(data, pointers + 2 * i, top as u16)?;
    }
    data[pointers_end..top].fill(0);
    write_u16(data, hdr + 1, 0)?;
    set_fragmented_bytes(data, hdr, 0)?;
    set_content_start(data, hdr, top)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const USABLE: usize = 512;

    fn leaf_cell(rowid: i64, len: usize) -> Vec<u8> {
        let payload: Vec<u8> = (0..len)
            .map(|i| (i as u8).wrapping_add(rowid as u8))
            .collect();
        let mut out = Vec::new();
        build_cell(&mut out, PageKind::LeafTable, 0, rowid, &payload, 0, USABLE);
        out
    }

    fn cells_of(data: &[u8], hdr: usize) -> Vec<Vec<u8>> {
        let page = Page::parse(data, hdr, USABLE).unwrap();
        (0..page.cell_count())
            .map(|i| page.cell_bytes(i).unwrap().to_vec())
            .collect()
    }

    fn used(cells: &[Vec<u8>]) -> usize {
        space_needed(cells.iter().map(|c| c.len()))
    }

    #[test]
    fn local_split_matches_the_file_format() {
        // 4096-byte pages: X = 4061 for table leaves, 1002 for index pages, M = 489.
        assert_eq!(max_local(PageKind::LeafTable, 4096), 4061);
        assert_eq!(max_local(PageKind::LeafIndex, 4096), 1002);
        assert_eq!(min_local(4096), 489);
        assert_eq!(local_payload_len(PageKind::LeafTable, 4061, 4096), 4061);
        // K = 489 + (4062 - 489) % 4092 = 4062 > X, so only M stays local.
        assert_eq!(local_payload_len(PageKind::LeafTable, 4062, 4096), 489);
        assert_eq!(
            local_payload_len(PageKind::LeafTable, 4092 + 489, 4096),
            489
        );
        // K = 489 + (1003 - 489) % 4092 = 1003 > X, so only M stays local.
        assert_eq!(local_payload_len(PageKind::LeafIndex, 1003, 4096), 489);
    }

    #[test]
    fn insert_drop_defragment_keep_cells_and_free_space_exact() {
        let mut data = vec![0u8; USABLE];
        init_page(&mut data, 0, PageKind::LeafTable, USABLE).unwrap();
        let mut model: Vec<Vec<u8>> = Vec::new();
        let mut rng = 12345u64;
        let mut step = || {
            rng = rng
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (rng >> 33) as usize
        };
        for round in 0..4000 {
            let r = step();
            if model.is_empty() || r % 3 != 0 {
                let cell = leaf_cell(round as i64, step() % 60);
                let index = step() % (model.len() + 1);
                let fits = used(&model) + cell.len() + 2 <= USABLE - 8;
                assert_eq!(
                    insert_cell(&mut data, 0, USABLE, index, &cell).unwrap(),
                    fits
                );
                if fits {
                    model.insert(index, cell);
                }
            } else {
                let index = step() % model.len();
                drop_cell(&mut data, 0, USABLE, index).unwrap();
                model.remove(index);
            }
            if round % 97 == 0 {
                defragment(&mut data, 0, USABLE).unwrap();
            }
            assert_eq!(cells_of(&data, 0), model);
            let page = Page::parse(&data, 0, USABLE).unwrap();
            assert_eq!(page.free_space().unwrap(), USABLE - 8 - used(&model));
            assert!(page.fragmented_bytes() <= FRAGMENTED_BYTES_MAX);
        }
    }

    #[test]
    fn fast_cell_reads_agree_with_the_general_ones() {
        for kind in [
            PageKind::LeafIndex,
            PageKind::InteriorIndex,
            PageKind::LeafTable,
            PageKind::InteriorTable,
        ] {
            let mut data = vec![0u8; USABLE];
            init_page(&mut data, 0, kind, USABLE).unwrap();
            for (i, len) in [0usize, 1, 3, 40, 101, 102, 103, 127, 128, 200]
                .into_iter()
                .enumerate()
            {
                let payload = vec![i as u8; len];
                let mut cell = Vec::new();
                let local = local_payload_len(kind, len as u64, USABLE);
                let overflow = if local < len { 77 } else { 0 };
                build_cell(&mut cell, kind, 9, i as i64, &payload, overflow, USABLE);
                if !insert_cell(&mut data, 0, USABLE, i, &cell).unwrap() {
                    break;
                }
            }
            let page = Page::parse(&data, 0, USABLE).unwrap();
            let mut ranges = Vec::new();
            page.cell_spans(page.content_start(), &mut ranges).unwrap();
            let expected: Vec<_> = (0..page.cell_count())
                .map(|i| {
                    let range = page.cell_range(i).unwrap();
                    (range.start as u32, range.end as u32)
                })
                .collect();
            assert_eq!(ranges, expected, "{kind:?}");
            if !kind.is_table() {
                let keys = page.index_keys();
                for i in 0..page.cell_count() {
                    if let Some(record) = keys.record(i) {
                        assert_eq!(Some(record), page.local_payload(i).unwrap(), "{kind:?}");
                    }
                }
            }
        }
    }

    #[test]
    fn rowid_search_agrees_with_a_linear_scan() {
        // Rowids of one to four varint bytes, on a leaf and on an interior page.
        let rowids: Vec<i64> = vec![1, 5, 127, 128, 300, 16_383, 16_384, 70_000, 2_097_152];
        for kind in [PageKind::LeafTable, PageKind::InteriorTable] {
            let mut data = vec![0u8; USABLE];
            init_page(&mut data, 0, kind, USABLE).unwrap();
            for (i, &rowid) in rowids.iter().enumerate() {
                let cell = if kind.is_leaf() {
                    leaf_cell(rowid, 3)
                } else {
                    let mut cell = Vec::new();
                    build_cell(&mut cell, kind, 7, rowid, &[], 0, USABLE);
                    cell
                };
                insert_cell(&mut data, 0, USABLE, i, &cell).unwrap();
            }
            let view = Page::parse(&data, 0, USABLE).unwrap();
            for probe in [
                0, 1, 2, 127, 128, 129, 16_384, 69_999, 70_000, 2_097_152, 3_000_000,
            ] {
                for upper in [false, true] {
                    let low = rowids
                        .iter()
                        .position(|&r| r > probe || (!upper && r == probe))
                        .unwrap_or(rowids.len());
                    let equal = rowids.get(low) == Some(&probe);
                    assert_eq!(
                        view.search_rowid(probe, upper).unwrap(),
                        (low, equal),
                        "{kind:?} probe {probe} upper {upper}"
                    );
                }
            }
        }
    }

    #[test]
    fn page_one_keeps_the_database_header() {
        let mut data = vec![0xAAu8; USABLE];
        init_page(&mut data, 100, PageKind::LeafTable, USABLE).unwrap();
        assert!(insert_cell(&mut data, 100, USABLE, 0, &leaf_cell(1, 30)).unwrap());
        drop_cell(&mut data, 100, USABLE, 0).unwrap();
        assert!(data[..100].iter().all(|&b| b == 0xAA));
    }

    #[test]
    fn interior_cells_round_trip() {
        let mut cell = Vec::new();
        build_cell(&mut cell, PageKind::InteriorTable, 77, -5, &[], 0, USABLE);
        let mut page = vec![0u8; USABLE];
        page[..cell.len()].copy_from_slice(&cell);
        let info = parse_cell(&page, 0, PageKind::InteriorTable, USABLE).unwrap();
        assert_eq!((info.left_child, info.rowid, info.size), (77, -5, 13));
        let payload = vec![7u8; 300];
        let mut cell = Vec::new();
        build_cell(
            &mut cell,
            PageKind::InteriorIndex,
            9,
            0,
            &payload,
            1234,
            USABLE,
        );
        let mut page = vec![0u8; USABLE];
        page[..cell.len()].copy_from_slice(&cell);
        let info = parse_cell(&page, 0, PageKind::InteriorIndex, USABLE).unwrap();
        assert_eq!(info.left_child, 9);
        assert_eq!(info.overflow, 1234);
        assert_eq!(
            info.local.len(),
            local_payload_len(PageKind::InteriorIndex, 300, USABLE)
        );
        assert_eq!(info.size, cell.len());
    }

    #[test]
    fn corrupt_freeblock_lists_are_errors() {
        let mut data = vec![0u8; USABLE];
        init_page(&mut data, 0, PageKind::LeafTable, USABLE).unwrap();
        set_content_start(&mut data, 0, 100).unwrap();
        // A freeblock pointing at itself must not loop.
        write_u16(&mut data, 1, 200).unwrap();
        write_u16(&mut data, 200, 200).unwrap();
        write_u16(&mut data, 202, 10).unwrap();
        assert!(Page::parse(&data, 0, USABLE)
            .unwrap()
            .free_space()
            .unwrap_err()
            .is_corrupt());
        // A freeblock running past the page.
        write_u16(&mut data, 200, 0).unwrap();
        write_u16(&mut data, 202, 400).unwrap();
        assert!(Page::parse(&data, 0, USABLE)
            .unwrap()
            .free_space()
            .unwrap_err()
            .is_corrupt());
    }

    #[test]
    fn overstated_fragment_count_is_an_error_not_a_panic() {
        // A full page whose header claims 60 fragmented bytes it does not have: the header's
        // free space is enough for the cell, the page rebuilt from its cells is not.
        let mut data = vec![0u8; USABLE];
        init_page(&mut data, 0, PageKind::LeafTable, USABLE).unwrap();
        let mut rowid = 0;
        while insert_cell(&mut data, 0, USABLE, rowid as usize, &leaf_cell(rowid, 40)).unwrap() {
            rowid += 1;
        }
        set_fragmented_bytes(&mut data, 0, 60).unwrap();
        let err = insert_cell(&mut data, 0, USABLE, 0, &leaf_cell(99, 40)).unwrap_err();
        assert!(err.is_corrupt(), "{err}");
    }

    proptest! {
        #[test]
        fn random_pages_never_panic(bytes in proptest::collection::vec(any::<u8>(), USABLE), flag in prop::sample::select(vec![2u8, 5, 10, 13]), hdr in prop::sample::select(vec![0usize, 100])) {
            let mut data = bytes;
            data[hdr] = flag;
            if let Ok(page) = Page::parse(&data, hdr, USABLE) {
                let _ = page.free_space();
                for i in 0..page.cell_count() {
                    let _ = page.cell(i);
                    if !page.kind().is_leaf() {
                        let _ = page.child(i);
                    }
                }
                let mut copy = data.clone();
                let _ = insert_cell(&mut copy, hdr, USABLE, 0, &leaf_cell(1, 10));
                let mut copy = data.clone();
                if page.cell_count() > 0 {
                    let _ = drop_cell(&mut copy, hdr, USABLE, page.cell_count() - 1);
                }
                let mut copy = data.clone();
                let _ = defragment(&mut copy, hdr, USABLE);
            }
        }
    }
}
