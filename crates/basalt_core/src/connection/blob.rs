//! Incremental blob I/O (`sqlite3_blob_open/read/write/reopen`): a handle on one text or blob
//! value of one row, read and overwritten in place in the table's b-tree.
//!
//! Invariants:
//! - A value never changes size through a handle: writes overwrite bytes of the record's
//!   payload (`Cursor::overwrite_payload`), so no cell moves and indexes stay valid. Columns an
//!   index covers cannot be opened for writing, as in SQLite.
//! - Each read or write finds the row again and checks that the value is still where and what
//!   it was; a row deleted, or a value moved or resized by another statement, makes the handle
//!   expired (SQLITE_ABORT), as in SQLite. Unlike SQLite, a change that leaves the value's
//!   place and size alone does not expire the handle.
//! - Outside an explicit transaction each call is its own transaction (a write commits at
//!   once); inside one, writes belong to it. SQLite instead keeps one transaction open for the
//!   handle's life.

use super::{Connection, Inner};
use crate::btree::{Cursor, SeekOp};
use crate::error::{Error, ErrorCode, Result};
use crate::pager::{PageNo, Pager};
use crate::record::RecordIter;
use crate::schema::Db;
use std::cell::RefCell;
use std::rc::Rc;

/// SQLITE_ABORT_ROLLBACK.
const ABORT_ROLLBACK: i32 = ErrorCode::Abort as i32 | (2 << 8);

/// An open blob handle.
pub struct Blob {
    conn: Rc<RefCell<Inner>>,
    db: Db,
    root: PageNo,
    /// The field of the value in the table's records.
    field: usize,
    rowid: i64,
    writable: bool,
    /// Where the value's bytes start in the record, and how many there are.
    offset: usize,
    len: usize,
    /// The connection's rollback count at open: a rollback since expires the handle.
    rollbacks: u64,
}

impl Connection {
    /// Opens the value of `column` in row `rowid` of `table` (in `db`, or the first database
    /// that has it), for reading and, with `writable`, writing. Errors carry SQLite's messages.
    pub fn open_blob(
        &self,
        db: Option<Db>,
        table: &str,
        column: &str,
        rowid: i64,
        writable: bool,
    ) -> Result<Blob> {
        let inner = self.inner.borrow();
        let catalog = Rc::clone(&inner.catalog);
        drop(inner);
        let schema = db.map_or("main", Db::name);
        let t = catalog.table_in(db, table).ok_or_else(|| {
            Error::new(ErrorCode::Error, format!("no such table: {schema}.{table}"))
        })?;
        if let Some(what) = &t.unsupported {
            return Err(Error::not_supported(what));
        }
        let index = t
            .column_index(column)
            .ok_or_else(|| Error::new(ErrorCode::Error, format!("no such column: \"{column}\"")))?;
        let field = t.record_field(index).ok_or_else(|| {
            Error::new(
                ErrorCode::Error,
                "cannot open virtual table column for writing",
            )
        })?;
        if writable {
            let indexed = catalog.table_indexes(t).any(|i| {
                i.columns
                    .iter()
                    .any(|c| c.column == Some(index) || c.expr.is_some())
            });
            if indexed {
                return Err(Error::new(
                    ErrorCode::Error,
                    "cannot open indexed column for writing",
                ));
            }
            if self
                .inner
                .borrow()
                .pager_of_ref(t.db)
                .is_none_or(Pager::is_read_only)
            {
                return Err(Error::code(ErrorCode::ReadOnly));
            }
        }
        let rollbacks = self.inner.borrow().rollbacks;
        let mut blob = Blob {
            rollbacks,
            conn: Rc::clone(&self.inner),
            db: t.db,
            root: t.root,
            field,
            rowid,
            writable,
            offset: 0,
            len: 0,
        };
        blob.locate(rowid)?;
        Ok(blob)
    }
}

impl Blob {
    /// The value's size in bytes.
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Points the handle at row `rowid` of the same table and column (`sqlite3_blob_reopen`).
    pub fn reopen(&mut self, rowid: i64) -> Result<()> {
        self.locate(rowid)
    }

    /// Finds row `rowid` and its value's place; errors as SQLite's for a missing row or a
    /// value that is not text or a blob.
    fn locate(&mut self, rowid: i64) -> Result<()> {
        let (offset, len) =
            self.with_row(rowid, false, |_, _, record| value_place(record, self.field))?;
        self.rowid = rowid;
        self.offset = offset;
        self.len = len;
        Ok(())
    }

    /// Copies `out.len()` bytes of the value from `offset`; SQLITE_ERROR past its end.
    pub fn read(&mut self, offset: usize, out: &mut [u8]) -> Result<()> {
        self.check_range(offset, out.len())?;
        let start = self.offset + offset;
        self.with_current(false, |_, _, record| {
            out.copy_from_slice(&record[start..start + out.len()]);
            Ok(())
        })
    }

    /// Overwrites `data.len()` bytes of the value from `offset`; SQLITE_ERROR past its end
    /// (a value cannot grow), SQLITE_READONLY on a handle opened for reading.
    pub fn write(&mut self, offset: usize, data: &[u8]) -> Result<()> {
        if !self.writable {
            return Err(Error::code(ErrorCode::ReadOnly));
        }
        self.check_range(offset, data.len())?;
        let start = self.offset + offset;
        self.with_current(true, |pager, cursor, _| {
            cursor.overwrite_payload(pager, start, data)
        })
    }

    fn check_range(&self, offset: usize, n: usize) -> Result<()> {
        match offset.checked_add(n) {
            Some(end) if end <= self.len => Ok(()),
            _ => Err(Error::code(ErrorCode::Error)),
        }
    }

    /// `with_row` on the handle's row, which must still hold the value where it was.
    fn with_current<R>(
        &mut self,
        write: bool,
        f: impl FnOnce(&mut Pager, &mut Cursor, &[u8]) -> Result<R>,
    ) -> Result<R> {
        let (field, place) = (self.field, (self.offset, self.len));
        self.with_row(
            self.rowid,
            write,
            |pager, cursor, record| match value_place(record, field) {
                Ok(now) if now == place => f(pager, cursor, record),
                _ => Err(Error::code(ErrorCode::Abort)),
            },
        )
        .map_err(|e| match e.code {
            // The row is gone: the handle has expired.
            ErrorCode::Error if e.message.starts_with("no such rowid") => {
                Error::code(ErrorCode::Abort)
            }
            _ => e,
        })
    }

    /// Runs `f` on row `rowid`'s record with a cursor on it, in a transaction: the open one,
    /// or one of its own (committed after a write) outside BEGIN.
    fn with_row<R>(
        &self,
        rowid: i64,
        write: bool,
        f: impl FnOnce(&mut Pager, &mut Cursor, &[u8]) -> Result<R>,
    ) -> Result<R> {
        let mut inner = self.conn.borrow_mut();
        if inner.rollbacks != self.rollbacks {
            // As SQLite's ROLLBACK trips every open cursor, the blob's included.
            return Err(Error {
                extended_code: Some(ABORT_ROLLBACK),
                ..Error::new(ErrorCode::Abort, "abort due to ROLLBACK")
            });
        }
        let autocommit = inner.state.autocommit;
        let pager = inner
            .pager_of(self.db)
            .ok_or_else(|| Error::code(ErrorCode::Abort))?;
        if write && autocommit && pager.in_write_transaction() {
            return Err(Error::not_supported(
                "a blob write while another statement writes outside a transaction",
            ));
        }
        let was_reading = pager.in_read_transaction();
        if write {
            pager.begin_write()?;
        }
        let result = row_action(pager, self.root, rowid, f);
        match (&result, write && autocommit) {
            (Ok(_), true) => inner.commit_all()?,
            (Err(_), true) => {
                // Nothing was written: undoing this call's own transaction expires nothing.
                inner.pagers().for_each(Pager::rollback);
            }
            _ => {}
        }
        if autocommit && !was_reading {
            inner.end_read_all();
        }
        result
    }
}

fn row_action<R>(
    pager: &mut Pager,
    root: PageNo,
    rowid: i64,
    f: impl FnOnce(&mut Pager, &mut Cursor, &[u8]) -> Result<R>,
) -> Result<R> {
    let mut cursor = Cursor::new_table(root);
    if !cursor.seek_rowid(pager, rowid, SeekOp::Eq)? {
        return Err(Error::new(
            ErrorCode::Error,
            format!("no such rowid: {rowid}"),
        ));
    }
    let mut record = Vec::new();
    cursor.payload(pager, &mut record)?;
    f(pager, &mut cursor, &record)
}

/// Where field `field`'s content starts in `record` and its length, if it is text or a blob;
/// SQLite's "cannot open value of type …" otherwise (a missing trailing field reads as NULL).
fn value_place(record: &[u8], field: usize) -> Result<(usize, usize)> {
    let mut fields = RecordIter::new(record)?;
    for _ in 0..field {
        fields.next_column()?;
    }
    let Some((serial, content)) = fields.next_column()? else {
        return Err(cannot_open("null"));
    };
    let raw = serial.raw();
    if raw >= 12 {
        let start = content.as_ptr() as usize - record.as_ptr() as usize;
        return Ok((start, content.len()));
    }
    Err(cannot_open(match raw {
        0 => "null",
        7 => "real",
        _ => "integer",
    }))
}

fn cannot_open(kind: &str) -> Error {
    Error::new(
        ErrorCode::Error,
        format!("cannot open value of type {kind}"),
    )
}
