//! The schema catalogue: `sqlite_schema` (the table b-tree rooted at page 1) read into memory.
//!
//! Each row is `(type, name, tbl_name, rootpage, sql)`. The CREATE text is kept exactly as
//! stored: SQLite compares and rewrites it textually (ALTER TABLE), and the parser turns it into
//! an AST when the query engine needs one.
//!
//! Invariants: a malformed row (wrong column count or types, a root page out of range) is a
//! corruption error, as SQLite reports "malformed database schema"; the catalogue is read through
//! the b-tree layer only, so it is restartable like every other read.

use crate::btree::{create_tree, Cursor, PageKind, SeekOp, TreeKind};
use crate::error::{Error, Result};
use crate::format::offset::SCHEMA_COOKIE;
use crate::integrity::TreeRoot;
use crate::pager::{PageNo, Pager};
use crate::record::{encode_record, RecordHeader, ValueRef};

/// The root page of the schema table.
pub const SCHEMA_ROOT: PageNo = 1;

/// A database of a connection, by SQLite's schema number: `main` (0) is the file the
/// connection opened; `temp` (1) is private to the connection, lives in memory and is created
/// on first use. Name lookups search `temp` before `main`, as SQLite's do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub enum Db {
    #[default]
    Main,
    Temp,
}

impl Db {
    pub const ALL: [Db; 2] = [Db::Main, Db::Temp];

    /// SQLite's schema number (`PRAGMA database_list`'s `seq`, EXPLAIN's p1).
    pub fn index(self) -> usize {
        match self {
            Db::Main => 0,
            Db::Temp => 1,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Db::Main => "main",
            Db::Temp => "temp",
        }
    }

    /// The database a schema qualifier names (`main.t`, `temp.t`), ASCII case-insensitively.
    pub fn from_name(name: &str) -> Option<Db> {
        Db::ALL
            .into_iter()
            .find(|db| db.name().eq_ignore_ascii_case(name))
    }

    /// The name its schema table goes by in SQL (`sqlite_master` / `sqlite_temp_master`).
    pub fn schema_table_name(self) -> &'static str {
        match self {
            Db::Main => "sqlite_master",
            Db::Temp => "sqlite_temp_master",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ObjectKind {
    Table,
    Index,
    View,
    Trigger,
}

impl ObjectKind {
    fn parse(text: &[u8]) -> Option<ObjectKind> {
        match text {
            b"table" => Some(ObjectKind::Table),
            b"index" => Some(ObjectKind::Index),
            b"view" => Some(ObjectKind::View),
            b"trigger" => Some(ObjectKind::Trigger),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ObjectKind::Table => "table",
            ObjectKind::Index => "index",
            ObjectKind::View => "view",
            ObjectKind::Trigger => "trigger",
        }
    }
}

/// One row of `sqlite_schema`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemaEntry {
    pub rowid: i64,
    pub kind: ObjectKind,
    pub name: String,
    pub table_name: String,
    /// 0 for views and triggers (and for virtual tables).
    pub root_page: PageNo,
    /// The CREATE statement; `None` for the automatic indexes of UNIQUE/PRIMARY KEY constraints.
    pub sql: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Schema {
    pub entries: Vec<SchemaEntry>,
}

fn malformed(detail: impl Into<String>) -> Error {
    Error {
        message: "malformed database schema".into(),
        ..Error::corrupt(detail)
    }
}

fn text(value: Option<ValueRef<'_>>) -> Option<String> {
    match value {
        // Valid UTF-8 (the usual case) is copied once, without the lossy decoder's chunking.
        Some(ValueRef::Text(bytes)) => Some(
            std::str::from_utf8(bytes)
                .map(str::to_string)
                .unwrap_or_else(|_| String::from_utf8_lossy(bytes).into_owned()),
        ),
        _ => None,
    }
}

impl Schema {
    /// Reads the whole catalogue. May return `IoPending`; rerunning it is safe.
    pub fn load(pager: &mut Pager) -> Result<Schema> {
        let mut entries = Vec::new();
        if pager.page_count() == 0 {
            return Ok(Schema { entries });
        }
        let mut cursor = Cursor::new_table(SCHEMA_ROOT);
        let mut payload = Vec::new();
        let mut header = RecordHeader::new();
        let mut on_row = cursor.first(pager)?;
        while on_row {
            cursor.payload(pager, &mut payload)?;
            header.parse(&payload)?;
            entries.push(Self::entry(
                cursor.rowid(),
                &header,
                &payload,
                pager.page_count(),
            )?);
            on_row = cursor.next(pager)?;
        }
        Ok(Schema { entries })
    }

    fn entry(
        rowid: i64,
        header: &RecordHeader,
        payload: &[u8],
        page_count: PageNo,
    ) -> Result<SchemaEntry> {
        let column = |i| header.column(payload, i);
        let kind_value = column(0)?;
        let kind = match kind_value {
            Some(ValueRef::Text(bytes)) => ObjectKind::parse(bytes),
            _ => None,
        }
        .ok_or_else(|| {
            let kind_text = text(kind_value).unwrap_or_default();
            malformed(format!("object type {kind_text:?}"))
        })?;
        let name = text(column(1)?).ok_or_else(|| malformed("object without a name"))?;
        let table_name = text(column(2)?).unwrap_or_default();
        let root_page = match column(3)? {
            Some(ValueRef::Integer(n)) if (0..=page_count as i64).contains(&n) => n as PageNo,
            Some(ValueRef::Null) | None => 0,
            other => return Err(malformed(format!("root page {other:?} of {name}"))),
        };
        let sql = text(column(4)?);
        Ok(SchemaEntry {
            rowid,
            kind,
            name,
            table_name,
            root_page,
            sql,
        })
    }

    /// Creates a table or index: a new b-tree of `tree_kind` (WITHOUT ROWID tables and indexes
    /// are index trees), its row in `sqlite_schema`, and a bumped schema cookie so that other
    /// connections reload. Needs an open write transaction; not
    /// restartable half-way (the b-tree steps are, the sequence is not), so callers run it to
    /// completion, waiting for I/O.
    pub fn create_object(
        pager: &mut Pager,
        kind: ObjectKind,
        tree_kind: TreeKind,
        name: &str,
        table_name: &str,
        sql: Option<&str>,
    ) -> Result<SchemaEntry> {
        if matches!(kind, ObjectKind::View | ObjectKind::Trigger)
            || (kind == ObjectKind::Index && tree_kind == TreeKind::Table)
        {
            return Err(Error::misuse(format!(
                "a {} has no {tree_kind:?} b-tree",
                kind.as_str()
            )));
        }
        let root_page = create_tree(pager, tree_kind)?;
        let mut cursor = Cursor::new_table(SCHEMA_ROOT);
        let rowid = if cursor.last(pager)? {
            cursor.rowid() + 1
        } else {
            1
        };
        let sql_value = sql.map_or(ValueRef::Null, |s| ValueRef::Text(s.as_bytes()));
        let mut record = Vec::new();
        encode_record(
            &[
                ValueRef::Text(kind.as_str().as_bytes()),
                ValueRef::Text(name.as_bytes()),
                ValueRef::Text(table_name.as_bytes()),
                ValueRef::Integer(root_page as i64),
                sql_value,
            ],
            &mut record,
        );
        cursor.insert_row(pager, rowid, &record)?;
        pager.get_now(1)?;
        bump_schema_cookie(pager)?;
        Ok(SchemaEntry {
            rowid,
            kind,
            name: name.to_string(),
            table_name: table_name.to_string(),
            root_page,
            sql: sql.map(str::to_string),
        })
    }

    /// Removes an object's row from `sqlite_schema` (its b-tree is the caller's to drop).
    pub fn remove_object(pager: &mut Pager, entry: &SchemaEntry) -> Result<()> {
        let mut cursor = Cursor::new_table(SCHEMA_ROOT);
        if !cursor.seek_rowid(pager, entry.rowid, SeekOp::Eq)? {
            return Err(malformed(format!(
                "schema row {} of {} is gone",
                entry.rowid, entry.name
            )));
        }
        cursor.delete(pager)?;
        pager.get_now(1)?;
        bump_schema_cookie(pager)
    }

    pub fn find(&self, name: &str) -> Option<&SchemaEntry> {
        self.entries
            .iter()
            .find(|e| e.name.eq_ignore_ascii_case(name))
    }

    /// Every b-tree of the database, the schema table first, as the integrity check wants them.
    /// Whether a tree is keyed by rowid is read from its root page, the one place that cannot
    /// disagree with the tree itself; a root that does not parse is left for the check to report.
    pub fn tree_roots(&self, pager: &mut Pager) -> Result<Vec<TreeRoot>> {
        let mut roots = vec![TreeRoot {
            root: SCHEMA_ROOT,
            is_table: true,
        }];
        for entry in self.entries.iter().filter(|e| e.root_page != 0) {
            let page = pager.get(entry.root_page)?;
            let flag = page.data().first().copied().unwrap_or(0);
            let is_table = match PageKind::from_flag(flag) {
                Ok(kind) => kind.is_table(),
                Err(_) => entry.kind == ObjectKind::Table,
            };
            roots.push(TreeRoot {
                root: entry.root_page,
                is_table,
            });
        }
        Ok(roots)
    }
}

/// Bumps the schema cookie in the database header: every schema change does, so that other
/// connections know to reload their catalog. Restartable: it may return `IoPending` before
/// changing anything.
pub fn bump_schema_cookie(pager: &mut Pager) -> Result<()> {
    let page_one = pager.get(1)?;
    pager.make_writable(&page_one)?;
    let mut data = page_one.data_mut();
    let field = &mut data[SCHEMA_COOKIE..SCHEMA_COOKIE + 4];
    let cookie = u32::from_be_bytes([field[0], field[1], field[2], field[3]]).wrapping_add(1);
    field.copy_from_slice(&cookie.to_be_bytes());
    Ok(())
}
