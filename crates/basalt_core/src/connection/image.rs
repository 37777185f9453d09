//! A connection's `main` database as raw pages, for SQLite's backup and serialize APIs, and the
//! facts the C API reports about it (file name, read-only, transaction state).
//!
//! Invariants:
//! - Pages are read inside a read transaction, one started only for the read ends with it, so
//!   a multi-page read is one consistent snapshot and leaves no snapshot behind.
//! - An image replaces the `main` database only while no statement of the connection is
//!   running and no transaction is open; the catalog is reloaded from the new pages, so the
//!   next statement sees the new schema (older prepared statements recompile, as after any
//!   schema change).
//! - Writing an image into a file database happens in one write transaction through the pager
//!   (journal or WAL as usual): it is atomic, and other connections see all of it or none.

use super::{Connection, Inner};
use crate::error::{Error, ErrorCode, Result};
use crate::format::DatabaseHeader;
use crate::io::{Io, MemoryIo};
use crate::pager::{Pager, PagerOptions};
use crate::schema::Db;
use std::sync::Arc;

/// A database's transaction state (`sqlite3_txn_state`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TxnState {
    None,
    Read,
    Write,
}

/// The name of the private file an in-memory image lives in (its own `MemoryIo`).
const IMAGE_FILE: &str = "basalt-image.db";

impl Connection {
    /// The main database's full path, "" for an in-memory one (`sqlite3_db_filename`).
    pub fn main_file(&self) -> std::path::PathBuf {
        self.inner.borrow().main_file.clone()
    }

    /// Whether the main database refuses writes (`sqlite3_db_readonly`).
    pub fn main_read_only(&self) -> bool {
        self.inner.borrow().pager.is_read_only()
    }

    /// Whether `db` exists: `main` always, `temp` once a statement has used it.
    pub fn is_open(&self, db: Db) -> bool {
        self.inner.borrow_mut().pager_of(db).is_some()
    }

    /// The transaction state of `db` (`temp` before first use has none).
    pub fn transaction_state(&self, db: Db) -> TxnState {
        let mut inner = self.inner.borrow_mut();
        match inner.pager_of(db) {
            Some(p) if p.in_write_transaction() => TxnState::Write,
            Some(p) if p.in_read_transaction() => TxnState::Read,
            _ => TxnState::None,
        }
    }

    /// The page size and page count of the main database, and a number that changes whenever
    /// its pages may have changed (for a backup to notice it must start over).
    pub fn main_geometry(&self) -> Result<(usize, u32, u64)> {
        self.with_main_read(|pager| {
            let epoch = pager.current_epoch()?;
            Ok((pager.page_size(), pager.page_count(), epoch))
        })
    }

    /// Pages `first..first + count` of the main database, concatenated (fewer past its end).
    pub fn main_pages(&self, first: u32, count: u32) -> Result<Vec<u8>> {
        self.with_main_read(|pager| {
            let last = pager
                .page_count()
                .min(first.saturating_add(count).saturating_sub(1));
            let mut out = Vec::with_capacity(pager.page_size() * (last + 1 - first) as usize);
            for pgno in first.max(1)..=last {
                out.extend_from_slice(&pager.get_now(pgno)?.data());
            }
            Ok(out)
        })
    }

    /// The whole main database as one byte image (`sqlite3_serialize`). A database with no
    /// page yet is the one page of an empty database, as SQLite serializes it.
    pub fn main_image(&self) -> Result<Vec<u8>> {
        let image = self.main_pages(1, u32::MAX)?;
        if !image.is_empty() {
            return Ok(image);
        }
        let inner = self.inner.borrow();
        let mut page = vec![0; inner.pager.page_size()];
        inner.pager.empty_page_one(&mut page);
        Ok(page)
    }

    /// Runs `f` on the main pager inside a read transaction, ending one started for it.
    fn with_main_read<R>(&self, f: impl FnOnce(&mut Pager) -> Result<R>) -> Result<R> {
        let mut inner = self.inner.borrow_mut();
        let pager = &mut inner.pager;
        let was_reading = pager.in_read_transaction();
        let result = f(pager);
        if !was_reading {
            pager.end_read();
        }
        result
    }

    /// Makes `image` the main database, as a private in-memory database
    /// (`sqlite3_deserialize`, and a backup into an in-memory destination).
    pub fn load_image(&self, image: Vec<u8>, read_only: bool) -> Result<()> {
        let header = DatabaseHeader::parse(image.get(..100).unwrap_or(&[]))?;
        let mut inner = self.inner.borrow_mut();
        check_idle(&inner)?;
        let io = MemoryIo::new();
        io.set_file_bytes(IMAGE_FILE, image);
        let options = PagerOptions {
            page_size: header.page_size,
            read_only,
            ..PagerOptions::default()
        };
        let io: Arc<dyn Io> = Arc::new(io);
        let pager = Pager::open(io, IMAGE_FILE, &options)?;
        let old = std::mem::replace(&mut inner.pager, pager);
        // The old database is gone for good; a failure to close it cleanly changes nothing.
        let _ = old.close();
        inner.main_file = std::path::PathBuf::new();
        inner.reload_catalog()
    }

    /// Overwrites the main database, a file, with `image` in one write transaction (a backup
    /// into a file destination). The image must have the destination's page size and at
    /// least its page count: Basalt cannot yet shrink a database file or change its page size.
    pub fn write_image(&self, image: &[u8]) -> Result<()> {
        let header = DatabaseHeader::parse(image.get(..100).unwrap_or(&[]))?;
        let mut inner = self.inner.borrow_mut();
        check_idle(&inner)?;
        let pager = &mut inner.pager;
        pager.begin_write()?;
        let result = copy_pages(pager, image, header.page_size);
        match result {
            Ok(()) => pager.commit()?,
            Err(e) => {
                pager.rollback();
                return Err(e);
            }
        }
        pager.bump_epoch();
        inner.reload_catalog()
    }
}

/// A database may be replaced only between statements and outside transactions.
fn check_idle(inner: &Inner) -> Result<()> {
    if inner.active_statements > 0 || !inner.state.autocommit {
        return Err(Error::code(ErrorCode::Busy));
    }
    Ok(())
}

/// Writes every page of `image` over the pager's, in an open write transaction.
fn copy_pages(pager: &mut Pager, image: &[u8], page_size: usize) -> Result<()> {
    if page_size != pager.page_size() {
        return Err(Error::not_supported(
            "a backup between databases of different page sizes",
        ));
    }
    let pages = image.len() / page_size;
    let count = u32::try_from(pages).map_err(|_| Error::code(ErrorCode::TooBig))?;
    if count < pager.page_count() {
        return Err(Error::not_supported(
            "a backup into a database larger than its source",
        ));
    }
    for (i, bytes) in image.chunks_exact(page_size).enumerate() {
        let pgno = i as u32 + 1;
        let page = if pgno <= pager.page_count() {
            pager.get_for_overwrite(pgno)?
        } else {
            pager.append_page()?
        };
        debug_assert_eq!(page.pgno(), pgno);
        let mut data = page.data_mut();
        data.copy_from_slice(bytes);
        if pgno == 1 {
            // The file format versions say whether the file is in WAL mode: the destination's.
            let version = if pager.is_wal() { 2 } else { 1 };
            data[18] = version;
            data[19] = version;
        }
    }
    Ok(())
}
