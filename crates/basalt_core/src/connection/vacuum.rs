//! `VACUUM`: rebuilds a database so that it has no free pages and its b-trees are packed, then
//! writes the rebuilt pages over the old ones and shortens the database to fit.
//!
//! The rebuild happens in a private in-memory database: the b-trees are created there in
//! SQLite's order (each table with rows in `sqlite_schema`, its automatic indexes with it, then
//! the explicit indexes; views, triggers and virtual tables last), so their root pages and
//! schema rows come out as SQLite's VACUUM makes them, and every row and index entry is copied
//! as its record bytes, in key order. Nothing is re-encoded, so values, rowids and invalid
//! UTF-8 come through unchanged.
//!
//! Invariants:
//! - Runs only in autocommit mode with no other statement of the connection running, SQLite's
//!   two refusals.
//! - The whole rebuild runs inside one write transaction on the database: other connections
//!   see the old database or the new one, never a mix, and a failure leaves the old one as it
//!   was.
//! - The header fields SQLite carries over (schema format, default cache size, text encoding,
//!   user version, application id) carry over; the schema cookie goes up by one, so every
//!   prepared statement and every other connection reads the schema again.

use super::Inner;
use crate::btree::{Cursor, TreeKind};
use crate::catalog::Catalog;
use crate::error::{Error, ErrorCode, Result};
use crate::format::{self, DatabaseHeader};
use crate::io::Io;
use crate::pager::{PageNo, Pager};
use crate::record::KeyInfo;
use crate::schema::{Db, ObjectKind, Schema, SchemaEntry, SCHEMA_ROOT};
use std::sync::Arc;

/// Header fields copied from the old database to the rebuilt one: (offset, length).
const CARRIED_FIELDS: [(usize, usize); 6] = [
    (24, 4), // change counter: the commit bumps it past the old value
    (44, 4), // schema format
    (48, 4), // default page cache size
    (56, 4), // text encoding
    (60, 4), // user version
    (68, 4), // application id
];
const SCHEMA_COOKIE: usize = 40;

impl Inner {
    /// `VACUUM db`: a database never opened (`temp` before first use) has nothing to do.
    pub(super) fn vacuum(&mut self, db: Db) -> Result<()> {
        if !self.state.autocommit {
            return Err(Error::new(
                ErrorCode::Error,
                "cannot VACUUM from within a transaction",
            ));
        }
        if self.active_statements > 0 {
            return Err(Error::new(
                ErrorCode::Error,
                "cannot VACUUM - SQL statements in progress",
            ));
        }
        let Some(pager) = self.pager_of(db) else {
            return Ok(());
        };
        blocking(&Arc::clone(pager.io()), || pager.begin_write())?;
        let last_schema_rowid = match rebuild(pager, db) {
            Ok(rowid) => {
                pager.commit()?;
                rowid
            }
            Err(e) => {
                pager.rollback();
                return Err(e);
            }
        };
        pager.bump_epoch();
        // SQLite copies views and triggers with an INSERT, whose last rowid the connection
        // then reports.
        if let Some(rowid) = last_schema_rowid {
            self.state.last_insert_rowid = rowid;
        }
        self.reload_catalog()
    }
}

/// Replaces the database in `pager`'s open write transaction with a packed copy of itself;
/// returns the new rowid of the last schema row without a b-tree, if there is one.
fn rebuild(pager: &mut Pager, db: Db) -> Result<Option<i64>> {
    let io = Arc::clone(pager.io());
    if pager.page_count() == 0 {
        return Ok(None);
    }
    // Read from the pages themselves: another connection may have changed the schema since
    // this one's catalog was loaded.
    let catalog = blocking(&io, || Catalog::load(pager, db))?;
    if let Some(why) = catalog.tables.iter().find_map(|t| t.unsupported.clone()) {
        return Err(Error::not_supported(format!(
            "VACUUM of a database with {why}"
        )));
    }
    let header = blocking(&io, || pager.header())?;
    if header.reserved_bytes != 0 {
        return Err(Error::not_supported(
            "VACUUM of a database with reserved bytes per page",
        ));
    }
    let mut packed = Pager::open_memory(pager.page_size())?;
    packed.begin_write()?;
    let (copies, last_schema_rowid) = create_objects(pager, &mut packed, &catalog, &io)?;
    for copy in &copies {
        let key_info = match copy.kind {
            TreeKind::Table => None,
            TreeKind::Index => Some(index_key_info(&catalog, &copy.name)?),
        };
        copy_tree(pager, &mut packed, copy, key_info, &io)?;
    }
    carry_header(pager, &mut packed, &io)?;
    packed.commit()?;
    overwrite(pager, &mut packed, &io)?;
    Ok(last_schema_rowid)
}

/// A b-tree to copy: its old root, its new root, what kind it is.
struct TreeCopy {
    name: String,
    kind: TreeKind,
    from: PageNo,
    to: PageNo,
}

/// Creates every object of the catalog in `packed`, in SQLite's VACUUM order; returns the
/// b-trees whose contents are still to be copied, and the rowid of the last schema row
/// copied as it was (views, triggers, virtual tables).
fn create_objects(
    source: &mut Pager,
    packed: &mut Pager,
    catalog: &Catalog,
    io: &Arc<dyn Io>,
) -> Result<(Vec<TreeCopy>, Option<i64>)> {
    let schema = &catalog.schema;
    let mut copies = Vec::new();
    let with_tree = |e: &&SchemaEntry| e.root_page != 0;
    let tables = schema
        .entries
        .iter()
        .filter(with_tree)
        .filter(|e| e.kind == ObjectKind::Table && e.name != "sqlite_sequence");
    for table in tables {
        copies.push(create(packed, table)?);
        // A CREATE TABLE makes its constraints' indexes as it runs.
        let automatic = schema.entries.iter().filter(with_tree).filter(|e| {
            e.kind == ObjectKind::Index && e.sql.is_none() && e.table_name == table.name
        });
        for index in automatic {
            copies.push(create(packed, index)?);
        }
        let autoincrement = catalog.table(&table.name).is_some_and(|t| t.autoincrement);
        if autoincrement && !copies.iter().any(|c| c.name == "sqlite_sequence") {
            if let Some(sequence) = schema.find("sqlite_sequence").filter(with_tree) {
                copies.push(create(packed, sequence)?);
            }
        }
    }
    let explicit = schema
        .entries
        .iter()
        .filter(with_tree)
        .filter(|e| e.kind == ObjectKind::Index && e.sql.is_some());
    for index in explicit {
        copies.push(create(packed, index)?);
    }
    let mut last_rowid = None;
    for entry in schema.entries.iter().filter(|e| e.root_page == 0) {
        last_rowid = Some(copy_schema_row(source, packed, entry, io)?);
    }
    Ok((copies, last_rowid))
}

fn create(packed: &mut Pager, entry: &SchemaEntry) -> Result<TreeCopy> {
    let kind = match entry.kind {
        ObjectKind::Table => TreeKind::Table,
        _ => TreeKind::Index,
    };
    let made = Schema::create_object(
        packed,
        entry.kind,
        kind,
        &entry.name,
        &entry.table_name,
        entry.sql.as_deref(),
    )?;
    Ok(TreeCopy {
        name: entry.name.clone(),
        kind,
        from: entry.root_page,
        to: made.root_page,
    })
}

/// Appends an object without a b-tree (view, trigger, virtual table) to the packed schema
/// table, its row copied byte for byte; returns the row's new rowid.
fn copy_schema_row(
    source: &mut Pager,
    packed: &mut Pager,
    entry: &SchemaEntry,
    io: &Arc<dyn Io>,
) -> Result<i64> {
    let mut from = Cursor::new_table(SCHEMA_ROOT);
    let mut row = Vec::new();
    let found = blocking(io, || {
        from.seek_rowid(source, entry.rowid, crate::btree::SeekOp::Eq)
    })?;
    if !found {
        return Err(Error::corrupt(format!(
            "schema row {} of {} vanished during VACUUM",
            entry.rowid, entry.name
        )));
    }
    blocking(io, || from.payload(source, &mut row))?;
    let mut to = Cursor::new_table(SCHEMA_ROOT);
    let rowid = if to.last(packed)? { to.rowid() + 1 } else { 1 };
    to.insert_row(packed, rowid, &row)?;
    Ok(rowid)
}

/// The order of an index's entries, from the catalog (an index of a WITHOUT ROWID table
/// was refused before).
fn index_key_info(catalog: &Catalog, name: &str) -> Result<KeyInfo> {
    catalog
        .index(name)
        .map(crate::catalog::Index::key_info)
        .ok_or_else(|| Error::corrupt(format!("index {name} is missing from the catalog")))
}

/// Copies every entry of one b-tree, in key order.
fn copy_tree(
    source: &mut Pager,
    packed: &mut Pager,
    copy: &TreeCopy,
    key_info: Option<KeyInfo>,
    io: &Arc<dyn Io>,
) -> Result<()> {
    let (mut from, mut to) = match key_info {
        None => (Cursor::new_table(copy.from), Cursor::new_table(copy.to)),
        Some(key) => (
            Cursor::new_index(copy.from, key.clone()),
            Cursor::new_index(copy.to, key),
        ),
    };
    let mut payload = Vec::new();
    let mut more = blocking(io, || from.first(source))?;
    while more {
        blocking(io, || from.payload(source, &mut payload))?;
        match copy.kind {
            TreeKind::Table => to.insert_row(packed, from.rowid(), &payload)?,
            TreeKind::Index => to.insert_index(packed, &payload)?,
        }
        more = blocking(io, || from.next(source))?;
    }
    Ok(())
}

/// Gives the packed database the old one's header fields and the next schema cookie.
fn carry_header(source: &mut Pager, packed: &mut Pager, io: &Arc<dyn Io>) -> Result<()> {
    let old = blocking(io, || source.get_now(1))?;
    let new = packed.get_now(1)?;
    packed.make_writable(&new)?;
    let old = old.data();
    let mut new = new.data_mut();
    for (offset, len) in CARRIED_FIELDS {
        new[offset..offset + len].copy_from_slice(&old[offset..offset + len]);
    }
    let cookie = DatabaseHeader::parse(&old[..100])?.schema_cookie.wrapping_add(1);
    new[SCHEMA_COOKIE..SCHEMA_COOKIE + 4].copy_from_slice(&cookie.to_be_bytes());
    Ok(())
}

/// Writes the packed pages over the database's and drops the pages past their end.
fn overwrite(target: &mut Pager, packed: &mut Pager, io: &Arc<dyn Io>) -> Result<()> {
    let pages = packed.page_count();
    assert!(pages >= 1, "a packed database has at least its first page");
    let lock_byte = format::lock_byte_page(target.page_size());
    for pgno in (1..=pages).filter(|&p| p != lock_byte) {
        let bytes = packed.get_now(pgno)?;
        let page = if pgno <= target.page_count() {
            blocking(io, || target.get_for_overwrite(pgno))?
        } else {
            target.append_page()?
        };
        debug_assert_eq!(page.pgno(), pgno);
        page.data_mut().copy_from_slice(&bytes.data());
    }
    target.truncate(pages)
}

/// Runs a restartable pager or b-tree step to completion, waiting whenever the I/O backend
/// has a read in flight.
fn blocking<T>(io: &Arc<dyn Io>, mut step: impl FnMut() -> Result<T>) -> Result<T> {
    loop {
        match step() {
            Err(e) if e.is_io_pending() => io.wait()?,
            done => return done,
        }
    }
}
