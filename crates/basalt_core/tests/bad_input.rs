//! Each kind of bad input the storage issue names, made on purpose: a clear error (SQLite's
//! "database disk image is malformed" or "file is not a database"), never a panic or a hang.

use basalt_core::btree::{freelist_pages, Cursor, Page};
use basalt_core::io::FileIo;
use basalt_core::pager::{Pager, PagerOptions};
use basalt_core::schema::Schema;
use basalt_core::{ErrorCode, Result};
use std::path::{Path, PathBuf};
use std::sync::Arc;

const PAGE: usize = 1024;

/// A database file in the temporary directory, removed (with its journal) when dropped — also
/// when the test panics — so no `basalt-bad-*` file outlives a run.
struct TempDb(PathBuf);

impl TempDb {
    fn new(name: &str) -> TempDb {
        let path =
            std::env::temp_dir().join(format!("basalt-bad-{}-{name}.db", std::process::id()));
        let _ = std::fs::remove_file(&path);
        TempDb(path)
    }
}

impl Drop for TempDb {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
        let mut journal = self.0.clone().into_os_string();
        journal.push("-journal");
        let _ = std::fs::remove_file(journal);
    }
}

impl std::ops::Deref for TempDb {
    type Target = Path;
    fn deref(&self) -> &Path {
        &self.0
    }
}

impl AsRef<Path> for TempDb {
    fn as_ref(&self) -> &Path {
        &self.0
    }
}

/// A table whose rows spill into overflow chains, and a freelist, written by SQLite.
fn sample(name: &str) -> TempDb {
    let path = TempDb::new(name);
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute_batch(&format!(
        "PRAGMA page_size = {PAGE};
         CREATE TABLE t(a INTEGER PRIMARY KEY, b);
         CREATE TABLE gone(x);
         INSERT INTO gone SELECT randomblob(900) FROM (SELECT 1 UNION SELECT 2 UNION SELECT 3 UNION SELECT 4 UNION SELECT 5);
         INSERT INTO t VALUES (1, randomblob(5000)), (2, 'small'), (3, randomblob(3000));
         DROP TABLE gone;"
    ))
    .unwrap();
    path
}

fn open(path: &Path) -> Result<Pager> {
    Pager::open(
        Arc::new(FileIo),
        path.to_str().unwrap(),
        &PagerOptions::default(),
    )
}

fn read_all(pager: &mut Pager) -> Result<usize> {
    let schema = Schema::load(pager)?;
    let root = schema.find("t").map_or(2, |e| e.root_page);
    let mut cursor = Cursor::new_table(root);
    let mut payload = Vec::new();
    let mut rows = 0;
    let mut on = cursor.first(pager)?;
    while on {
        cursor.payload(pager, &mut payload)?;
        rows += 1;
        on = cursor.next(pager)?;
    }
    Ok(rows)
}

fn patch(path: &Path, offset: usize, bytes: &[u8]) {
    let mut data = std::fs::read(path).unwrap();
    data[offset..offset + bytes.len()].copy_from_slice(bytes);
    std::fs::write(path, data).unwrap();
}

fn be32(data: &[u8], at: usize) -> u32 {
    u32::from_be_bytes(data[at..at + 4].try_into().unwrap())
}

/// The first overflow page of some row of a table leaf.
fn first_overflow_page(path: &Path) -> u32 {
    let data = std::fs::read(path).unwrap();
    for chunk in data.chunks(PAGE).skip(1).filter(|page| page[0] == 13) {
        let page = Page::parse(chunk, 0, PAGE).unwrap();
        if let Some(cell) = (0..page.cell_count())
            .map(|i| page.cell(i).unwrap())
            .find(|c| c.overflow != 0)
        {
            return cell.overflow;
        }
    }
    panic!("the sample has a row that spills");
}

#[test]
fn truncated_file_is_malformed() {
    let path = sample("truncated");
    let len = std::fs::metadata(&path).unwrap().len();
    let file = std::fs::OpenOptions::new().write(true).open(&path).unwrap();
    file.set_len(len - PAGE as u64 * 2).unwrap();
    let err = open(&path).and_then(|mut p| read_all(&mut p)).unwrap_err();
    assert_eq!(err.code, ErrorCode::Corrupt, "{err}");
}

#[test]
fn wrong_page_size_is_not_a_database() {
    let path = sample("page-size");
    patch(&path, 16, &[0x03, 0x00]);
    let err = open(&path).err().expect("opening must fail");
    assert_eq!(err.code, ErrorCode::NotADb);
    assert_eq!(err.message, "file is not a database");
}

#[test]
fn impossible_cell_offset_is_malformed() {
    let path = sample("cell-offset");
    patch(&path, PAGE + 8, &[0xff, 0xf0]);
    let err = open(&path).and_then(|mut p| read_all(&mut p)).unwrap_err();
    assert_eq!(err.code, ErrorCode::Corrupt, "{err}");
    assert_eq!(err.message, "database disk image is malformed");
}

/// Reads follow a chain for the length its payload size implies, as SQLite does, so a loop
/// cannot hang them; deleting the row, which would free the looping pages twice, is refused.
#[test]
fn overflow_chain_loop_is_bounded_and_never_freed_twice() {
    let path = sample("overflow-loop");
    let first = first_overflow_page(&path);
    patch(&path, (first as usize - 1) * PAGE, &first.to_be_bytes());
    let mut pager = open(&path).unwrap();
    assert_eq!(read_all(&mut pager).unwrap(), 3);
    pager.begin_write().unwrap();
    let root = Schema::load(&mut pager)
        .unwrap()
        .find("t")
        .unwrap()
        .root_page;
    let mut cursor = Cursor::new_table(root);
    let mut saw_corruption = false;
    let mut on = cursor.first(&mut pager).unwrap();
    while on {
        match cursor.delete(&mut pager) {
            Ok(()) => on = cursor.next(&mut pager).unwrap(),
            Err(err) => {
                assert_eq!(err.code, ErrorCode::Corrupt, "{err}");
                saw_corruption = true;
                break;
            }
        }
    }
    assert!(saw_corruption, "deleting the looping row is refused");
    pager.rollback();
}

#[test]
fn freelist_loop_is_malformed() {
    let path = sample("freelist-loop");
    let data = std::fs::read(&path).unwrap();
    let trunk = be32(&data, 32);
    assert_ne!(trunk, 0, "the sample has a freelist");
    // The trunk's next-trunk pointer names the trunk itself; the count claims many pages.
    patch(&path, (trunk as usize - 1) * PAGE, &trunk.to_be_bytes());
    patch(&path, 36, &1000u32.to_be_bytes());
    let mut pager = open(&path).unwrap();
    let err = freelist_pages(&mut pager).unwrap_err();
    assert_eq!(err.code, ErrorCode::Corrupt, "{err}");
}

#[test]
fn garbage_file_is_not_a_database() {
    let path = TempDb::new("garbage");
    std::fs::write(&path, vec![0x42u8; 4096]).unwrap();
    assert_eq!(
        open(&path).err().expect("opening must fail").code,
        ErrorCode::NotADb
    );
    std::fs::write(&path, b"SQLite format 3").unwrap();
    assert_eq!(
        open(&path).err().expect("opening must fail").code,
        ErrorCode::NotADb
    );
}
