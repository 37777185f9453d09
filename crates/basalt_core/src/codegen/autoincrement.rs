//! AUTOINCREMENT and its `sqlite_sequence` table, with SQLite's exact behaviour.
//!
//! The first CREATE TABLE with AUTOINCREMENT also creates `sqlite_sequence(name,seq)` (SQLite's
//! text, root page and schema row after the table's and its automatic indexes'). An INSERT into
//! an AUTOINCREMENT table works on a *counter* kept in registers for the whole statement:
//! - at the start it is read from the table's `sqlite_sequence` row (the first whose name is
//!   byte-equal to the table's; its `seq` taken as an integer, NULL as 0), or 0 without a row;
//! - every new rowid is past both the table's largest rowid and the counter, and becomes the
//!   counter; every explicit rowid raises it (even for a row later skipped by IGNORE);
//! - at the end of the statement it is written back — only if it grew, or if the table had no
//!   row — so a failing statement (even OR FAIL, which keeps its rows) leaves it unchanged, and
//!   the statement's own atomicity undoes the write with the rows.
//!
//! DROP TABLE deletes the table's `sqlite_sequence` rows. The user may read and write
//! `sqlite_sequence` like any table (SQLite's only restrictions: it cannot be dropped, indexed
//! or created by hand).
//!
//! Invariant: the counter register always holds an integer while the statement runs.

use super::dml::Target;
use super::{error, Ctx, Label};
use crate::catalog::Table;
use crate::error::{Error, ErrorCode, Result};
use crate::record::Collation;
use crate::schema::Db;
use crate::sql::affinity::Affinity;
use crate::vdbe::{CmpOp, CmpSpec, Insn, NullMode, Reg, Root};
use basalt_parser::ast;
use std::rc::Rc;

/// The table SQLite keeps AUTOINCREMENT counters in.
pub const SEQUENCE_TABLE: &str = "sqlite_sequence";

/// Its CREATE text, exactly as SQLite stores it.
const SEQUENCE_SQL: &str = "CREATE TABLE sqlite_sequence(name,seq)";

/// One AUTOINCREMENT table's counter while an INSERT runs (SQLite's `AutoincInfo`).
pub(super) struct Counter {
    /// Four registers: the table's name, the counter (adjacent, so they form the row written
    /// back), the rowid of the table's `sqlite_sequence` row (NULL: none), and the counter's
    /// value at the start (NULL: no row).
    name: Reg,
    sequence: Rc<Table>,
}

impl Counter {
    /// The register holding the largest rowid allocated so far.
    pub(super) fn value(&self) -> Reg {
        self.name + 1
    }

    fn seq_rowid(&self) -> Reg {
        self.name + 2
    }

    fn original(&self) -> Reg {
        self.name + 3
    }
}

/// A comparison of two values as they are: no affinity, BINARY, NULL never equal.
fn exact(op: CmpOp, nulls: NullMode) -> CmpSpec {
    CmpSpec {
        op,
        affinity: Affinity::Blob,
        collation: Collation::Binary,
        nulls,
    }
}

/// Whether a CREATE TABLE asks for AUTOINCREMENT anywhere.
pub(super) fn requests_autoincrement(create: &ast::CreateTable) -> bool {
    let ast::CreateTableBody::Columns {
        columns,
        constraints,
        ..
    } = &create.body
    else {
        return false;
    };
    let in_columns = columns.iter().flat_map(|c| &c.constraints).any(|c| {
        matches!(
            c,
            ast::ColumnConstraint::PrimaryKey {
                autoincrement: true,
                ..
            }
        )
    });
    in_columns
        || constraints.iter().any(|c| {
            matches!(
                c,
                ast::TableConstraint::PrimaryKey {
                    autoincrement: true,
                    ..
                }
            )
        })
}

impl Ctx<'_> {
    /// SQLite's checks of a new table's AUTOINCREMENT: only on an INTEGER PRIMARY KEY of a
    /// rowid table.
    pub(super) fn check_autoincrement(
        &self,
        create: &ast::CreateTable,
        table: &Table,
    ) -> Result<()> {
        if !requests_autoincrement(create) {
            return Ok(());
        }
        if !table.autoincrement {
            return Err(error(
                "AUTOINCREMENT is only allowed on an INTEGER PRIMARY KEY",
            ));
        }
        if let ast::CreateTableBody::Columns { options, .. } = &create.body {
            if options.contains(&ast::TableOption::WithoutRowid) {
                return Err(error("AUTOINCREMENT not allowed on WITHOUT ROWID tables"));
            }
        }
        Ok(())
    }

    /// `sqlite_sequence`, which must exist as an ordinary two-column table once an
    /// AUTOINCREMENT table does (SQLite reports a damaged schema otherwise).
    fn sequence_table(&self, db: Db) -> Result<Rc<Table>> {
        match self.catalog.get(db).table(SEQUENCE_TABLE) {
            Some(t) if t.unsupported.is_none() && t.columns.len() == 2 && t.root != 0 => {
                Ok(t.clone())
            }
            _ => Err(Error::code(ErrorCode::Corrupt)),
        }
    }

    /// For a CREATE TABLE with AUTOINCREMENT: creates `sqlite_sequence` if the database has
    /// none yet (after the table's own b-trees and schema rows, as SQLite does).
    pub(super) fn ensure_sequence_table(&mut self, table: &Table) {
        let db = table.db;
        if !table.autoincrement || self.catalog.get(db).table(SEQUENCE_TABLE).is_some() {
            return;
        }
        let root = self.b.reg();
        self.b.emit(Insn::CreateBtree {
            db,
            kind: crate::btree::TreeKind::Table,
            dest: root,
        });
        self.schema_row(
            db,
            "table",
            SEQUENCE_TABLE,
            SEQUENCE_TABLE,
            super::ddl::RootValue::Reg(root),
            Some(SEQUENCE_SQL),
        );
    }

    /// Start of an INSERT: the counter of an AUTOINCREMENT table, read from `sqlite_sequence`.
    pub(super) fn counter_begin(&mut self, table: &Table) -> Result<Option<Counter>> {
        if !table.autoincrement {
            return Ok(None);
        }
        let counter = Counter {
            name: self.b.regs(4),
            sequence: self.sequence_table(table.db)?,
        };
        let value = counter.value();
        self.b.emit(Insn::Text {
            value: table.name.as_bytes().to_vec(),
            dest: counter.name,
        });
        self.b.emit(Insn::Null {
            dest: value,
            count: 3,
        });
        let cursor = self.b.cursor();
        self.b.emit(Insn::OpenRead {
            cursor,
            db: counter.sequence.db,
            root: Root::Page(counter.sequence.root),
            key: None,
        });
        let found = self.b.label();
        let absent = self.b.label();
        let next = self.b.label();
        let scan = self.b.scan_start(cursor);
        let name = self.b.reg();
        self.b.emit(Insn::Column {
            cursor,
            column: 0,
            dest: name,
            default: None,
        });
        self.b.emit(Insn::Compare {
            spec: exact(CmpOp::Ne, NullMode::Jump),
            lhs: name,
            rhs: counter.name,
            target: self.b.to(next),
        });
        self.b.emit(Insn::Rowid {
            cursor,
            dest: counter.seq_rowid(),
        });
        self.b.emit(Insn::Column {
            cursor,
            column: 1,
            dest: value,
            default: None,
        });
        // SQLite takes `seq` as an integer whatever it holds (NULL as 0).
        self.b.emit(Insn::Cast {
            reg: value,
            type_name: "INTEGER".into(),
        });
        let integer = self.b.label();
        self.b.emit(Insn::NotNull {
            reg: value,
            target: self.b.to(integer),
        });
        self.b.emit(Insn::Integer {
            value: 0,
            dest: value,
        });
        self.b.place(integer);
        self.b.emit(Insn::Copy {
            src: value,
            dest: counter.original(),
            count: 1,
        });
        self.b.emit(Insn::Goto {
            target: self.b.to(found),
        });
        self.b.place(next);
        self.b.scan_end(scan);
        self.b.place(absent);
        self.b.emit(Insn::Integer {
            value: 0,
            dest: value,
        });
        self.b.place(found);
        self.b.emit(Insn::Close { cursor });
        Ok(Some(counter))
    }

    /// After a row's rowid is chosen: the counter is at least that rowid.
    pub(super) fn counter_step(&mut self, counter: &Counter, rowid: Reg) {
        let done: Label = self.b.label();
        self.b.emit(Insn::Compare {
            spec: exact(CmpOp::Ge, NullMode::Unknown),
            lhs: counter.value(),
            rhs: rowid,
            target: self.b.to(done),
        });
        self.b.emit(Insn::Copy {
            src: rowid,
            dest: counter.value(),
            count: 1,
        });
        self.b.place(done);
    }

    /// End of an INSERT: the counter back into `sqlite_sequence` if it grew or had no row.
    pub(super) fn counter_end(&mut self, counter: &Counter) {
        let done = self.b.label();
        // A NULL start (no row) compares as unknown: no jump, the row is written.
        self.b.emit(Insn::Compare {
            spec: exact(CmpOp::Le, NullMode::Unknown),
            lhs: counter.value(),
            rhs: counter.original(),
            target: self.b.to(done),
        });
        let cursor = self.b.cursor();
        self.b.emit(Insn::OpenWrite {
            cursor,
            db: counter.sequence.db,
            root: Root::Page(counter.sequence.root),
            key: None,
        });
        let has_row = self.b.label();
        self.b.emit(Insn::NotNull {
            reg: counter.seq_rowid(),
            target: self.b.to(has_row),
        });
        self.b.emit(Insn::NewRowid {
            cursor,
            dest: counter.seq_rowid(),
            autoinc: None,
        });
        self.b.place(has_row);
        let record = self.b.reg();
        self.b.emit(Insn::MakeRecord {
            start: counter.name,
            count: 2,
            dest: record,
        });
        self.b.emit(Insn::Insert {
            cursor,
            record,
            rowid: counter.seq_rowid(),
            count_change: false,
            last_rowid: false,
            hook: None,
        });
        self.b.emit(Insn::Close { cursor });
        self.b.place(done);
    }

    /// DROP TABLE of an AUTOINCREMENT table: its `sqlite_sequence` rows go too (those whose
    /// name equals the table's exactly, as SQLite's `DELETE ... WHERE name=%Q` selects).
    pub(super) fn forget_counter(&mut self, table: &Table) -> Result<()> {
        if !table.autoincrement {
            return Ok(());
        }
        let Some(sequence) = self.catalog.table(SEQUENCE_TABLE).cloned() else {
            return Err(error(format!("no such table: main.{SEQUENCE_TABLE}")));
        };
        let target: Target = self.open_target(sequence.clone());
        let name = self.b.reg();
        self.b.emit(Insn::Text {
            value: table.name.as_bytes().to_vec(),
            dest: name,
        });
        let rowids = self.collect_rowids_where(&sequence, |ctx, scan, skip| {
            let value = ctx.b.reg();
            ctx.b.emit(Insn::Column {
                cursor: scan,
                column: 0,
                dest: value,
                default: None,
            });
            ctx.b.emit(Insn::Compare {
                spec: exact(CmpOp::Ne, NullMode::Jump),
                lhs: value,
                rhs: name,
                target: ctx.b.to(skip),
            });
            Ok(())
        })?;
        self.delete_rows(&target, rowids, false, false, None)
    }
}
