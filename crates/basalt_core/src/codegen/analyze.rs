//! `ANALYZE`: a program that counts each index's entries and distinct key prefixes and writes
//! them to `sqlite_stat1` in SQLite's format, which the planner then reads (`catalog::Stats`).
//!
//! For an index of `k` columns the row is `(table, index, "N a1 … ak")`: `N` entries (a partial
//! index counts its own), and `ai` the average number of entries per distinct value of the
//! first `i` columns, rounded up — except that SQLite writes 1 instead of 2 when the prefixes
//! are nearly all distinct (at most 10% repeats), and so does this. Prefixes compare with the
//! index's collations, NULLs equal to each other; the rowid is not counted. A table that no
//! analyzed full index covers gets `(table, NULL, "N")` from a count of its rows. Empty tables
//! and full indexes get no row; an empty partial index gets `"0 0 …"`, as SQLite 3.54 writes.
//!
//! Invariants:
//! - The rows of what is analyzed are replaced (all rows for a whole database, the table's or
//!   the index's otherwise), inside the statement, so a failure leaves the old ones.
//! - `sqlite_stat1` is created on first use with SQLite's exact CREATE text; only
//!   `sqlite_stat1` is written (no `sqlite_stat4`, as in a SQLite built with default options).
//! - Tables named `sqlite_…` and virtual tables are skipped, as SQLite skips them; a table
//!   this engine cannot read (WITHOUT ROWID) is refused, never skipped.
//! - The program is marked to reload the catalog when it ends (`Program::reloads_catalog`),
//!   so statements compiled afterwards plan with the new statistics.

use super::ddl::{is_schema_table_name, RootValue};
use super::dml::Target;
use super::{error, no_such_table, Ctx, Label};
use crate::btree::TreeKind;
use crate::catalog::{Index, Table};
use crate::error::{Error, Result};
use crate::record::Collation;
use crate::schema::Db;
use crate::sql::affinity::Affinity;
use crate::sql::arith::ArithOp;
use crate::vdbe::{CmpOp, CmpSpec, CursorId, Insn, NullMode, Reg, Root};
use basalt_parser::ast;
use std::rc::Rc;

/// The statistics table and its CREATE text, exactly as SQLite stores it.
pub(super) const STAT1: &str = "sqlite_stat1";
const STAT1_SQL: &str = "CREATE TABLE sqlite_stat1(tbl,idx,stat)";

/// Which rows of `sqlite_stat1` an ANALYZE replaces (or a DROP deletes).
pub(super) enum Replaced {
    All,
    Table(String),
    Index(String),
}

/// Where new rows of `sqlite_stat1` go.
struct StatTable {
    cursor: CursorId,
}

impl Ctx<'_> {
    /// `ANALYZE`, `ANALYZE schema`, `ANALYZE [schema.]table_or_index`.
    pub(super) fn analyze(&mut self, target: Option<&ast::QualifiedName>) -> Result<()> {
        self.writes = true;
        let Some(name) = target else {
            // The whole of `main`: SQLite's bare ANALYZE leaves `temp` alone.
            return self.analyze_database(Db::Main);
        };
        if name.schema.is_none() {
            if let Some(db) = Db::from_name(&name.name.value) {
                return self.analyze_database(db);
            }
        }
        let schema = match &name.schema {
            None => None,
            Some(s) => Some(
                Db::from_name(&s.value)
                    .ok_or_else(|| error(format!("unknown database {}", s.value)))?,
            ),
        };
        let n = &name.name.value;
        if let Some(index) = self.catalog.index_in(schema, n).cloned() {
            let table = self
                .catalog
                .get(index.db)
                .table(&index.table)
                .cloned()
                .ok_or_else(|| Error::corrupt(format!("index {n} has no table")))?;
            check_readable(&table)?;
            let stat = self.open_stat_table(index.db, Replaced::Index(index.name.clone()))?;
            return self.analyze_table(&stat, &table, Some(&index));
        }
        let schema_table = [Db::Temp, Db::Main]
            .into_iter()
            .filter(|db| schema.is_none_or(|s| s == *db))
            .find(|&db| is_schema_table_name(db, n));
        if let Some(db) = schema_table {
            // Nothing to count, but SQLite still makes the table and reloads the statistics.
            let name = db.schema_table_name().to_string();
            self.open_stat_table(db, Replaced::Table(name))?;
            return Ok(());
        }
        if let Some(table) = self.catalog.table_in(schema, n).cloned() {
            check_readable(&table)?;
            let stat = self.open_stat_table(table.db, Replaced::Table(table.name.clone()))?;
            return self.analyze_table(&stat, &table, None);
        }
        if let Some(view) = self.catalog.view_in(schema, n).cloned() {
            // SQLite clears a view's rows and finds nothing to count.
            self.open_stat_table(view.db, Replaced::Table(view.name))?;
            return Ok(());
        }
        Err(no_such_table(name, schema))
    }

    fn analyze_database(&mut self, db: Db) -> Result<()> {
        let tables: Vec<Rc<Table>> = self.catalog.get(db).tables.clone();
        for table in &tables {
            check_readable(table)?;
        }
        let stat = self.open_stat_table(db, Replaced::All)?;
        for table in &tables {
            self.analyze_table(&stat, table, None)?;
        }
        Ok(())
    }

    /// Opens `db`'s `sqlite_stat1` for writing, creating it if it does not exist, and deletes
    /// the rows being replaced.
    fn open_stat_table(&mut self, db: Db, replaced: Replaced) -> Result<StatTable> {
        if let Some(cursor) = self.clear_stats(db, &replaced)? {
            return Ok(StatTable { cursor });
        }
        let root = self.b.reg();
        self.b.emit(Insn::CreateBtree {
            db,
            kind: TreeKind::Table,
            dest: root,
        });
        self.schema_row(
            db,
            "table",
            STAT1,
            STAT1,
            RootValue::Reg(root),
            Some(STAT1_SQL),
        );
        self.b.emit(Insn::SchemaChanged { db });
        let cursor = self.b.cursor();
        self.b.emit(Insn::OpenWrite {
            cursor,
            db,
            root: Root::Reg(root),
            key: None,
        });
        Ok(StatTable { cursor })
    }

    /// Deletes the `replaced` rows of `db`'s `sqlite_stat1` (DROP TABLE and DROP INDEX forget
    /// their object's rows too, as SQLite's do); returns the table's write cursor, or `None`
    /// if the database has no `sqlite_stat1`.
    pub(super) fn clear_stats(&mut self, db: Db, replaced: &Replaced) -> Result<Option<CursorId>> {
        let Some(existing) = self.catalog.get(db).table(STAT1).cloned() else {
            return Ok(None);
        };
        let target: Target = self.open_target(existing.clone());
        let (column, name) = match replaced {
            Replaced::All => (None, ""),
            Replaced::Table(name) => (Some(0), name.as_str()),
            Replaced::Index(name) => (Some(1), name.as_str()),
        };
        let wanted = self.b.reg();
        self.b.emit(Insn::Text {
            value: name.as_bytes().to_vec(),
            dest: wanted,
        });
        let rowids = self.collect_rowids_where(&existing, |ctx, scan, skip| {
            if let Some(column) = column {
                let value = ctx.b.reg();
                ctx.b.emit(Insn::Column {
                    cursor: scan,
                    column,
                    dest: value,
                    default: None,
                });
                ctx.b.emit(Insn::Compare {
                    spec: exact(CmpOp::Ne, Collation::Binary, NullMode::Jump),
                    lhs: value,
                    rhs: wanted,
                    target: ctx.b.to(skip),
                });
            }
            Ok(())
        })?;
        self.delete_rows(&target, rowids, false, false, None)?;
        Ok(Some(target.cursor))
    }

    /// The rows of one table: each of its indexes (or just `only`), then the table's own row
    /// count if no full index gave it.
    fn analyze_table(
        &mut self,
        stat: &StatTable,
        table: &Table,
        only: Option<&Index>,
    ) -> Result<()> {
        let internal = table.name.to_ascii_lowercase().starts_with("sqlite_");
        if internal || table.root == 0 {
            return Ok(());
        }
        let indexes: Vec<Index> = self
            .catalog
            .index_list(table)
            .into_iter()
            .filter(|i| only.is_none_or(|o| o.name.eq_ignore_ascii_case(&i.name)))
            .map(|i| Index::clone(i))
            .collect();
        for index in &indexes {
            self.analyze_index(stat, table, index);
        }
        if only.is_none() && indexes.iter().all(|i| i.partial.is_some()) {
            self.count_table(stat, table);
        }
        Ok(())
    }

    /// One index's row: its entries counted, and each key prefix's changes along the index.
    fn analyze_index(&mut self, stat: &StatTable, table: &Table, index: &Index) {
        let k = index.columns.len();
        let cursor = self.b.cursor();
        self.b.emit(Insn::OpenRead {
            cursor,
            db: index.db,
            root: Root::Page(index.root),
            key: Some(index.key_info()),
        });
        // `entries`, then per column the number of times its prefix changed (distinct - 1),
        // the previous entry's value, and the current one's.
        let entries = self.b.reg();
        let changes = self.b.regs(k);
        let prev = self.b.regs(k);
        let current = self.b.reg();
        for reg in std::iter::once(entries).chain(changes..changes + k) {
            self.b.emit(Insn::Integer {
                value: 0,
                dest: reg,
            });
        }
        let done = self.b.label();
        let next = self.b.label();
        let top = self.b.label();
        let counted = self.b.label();
        // SQLite writes `"0 0 …"` for an empty partial index, nothing for an empty full one.
        let if_empty = if index.partial.is_some() {
            counted
        } else {
            done
        };
        self.b.emit(Insn::Rewind {
            cursor,
            if_empty: self.b.to(if_empty),
        });
        self.b.columns(cursor, k, prev);
        self.add(entries, 1);
        self.b.emit(Insn::Goto {
            target: self.b.to(next),
        });
        self.b.place(top);
        self.add(entries, 1);
        let changed: Vec<Label> = (0..k).map(|_| self.b.label()).collect();
        for (i, column) in index.columns.iter().enumerate() {
            self.b.emit(Insn::Column {
                cursor,
                column: i,
                dest: current,
                default: None,
            });
            self.b.emit(Insn::Compare {
                spec: exact(CmpOp::Ne, column.collation, NullMode::Is),
                lhs: current,
                rhs: prev + i,
                target: self.b.to(changed[i]),
            });
        }
        self.b.emit(Insn::Goto {
            target: self.b.to(next),
        });
        // A change at column i is a change of every longer prefix too: fall through.
        for (i, label) in changed.into_iter().enumerate() {
            self.b.place(label);
            self.add(changes + i, 1);
            self.b.emit(Insn::Column {
                cursor,
                column: i,
                dest: prev + i,
                default: None,
            });
        }
        self.b.place(next);
        self.b.emit(Insn::Next {
            cursor,
            target: self.b.to(top),
        });
        self.b.place(counted);
        let text = self.stat_text(entries, changes, k);
        self.insert_stat(stat, &table.name, Some(&index.name), text);
        self.b.place(done);
    }

    /// `(table, NULL, "N")` from a count of the table's rows, if it has any.
    fn count_table(&mut self, stat: &StatTable, table: &Table) {
        let cursor = self.b.cursor();
        self.b.emit(Insn::OpenRead {
            cursor,
            db: table.db,
            root: Root::Page(table.root),
            key: None,
        });
        let rows = self.b.reg();
        self.b.emit(Insn::Integer {
            value: 0,
            dest: rows,
        });
        let done = self.b.label();
        let scan = self.b.scan_start(cursor);
        self.add(rows, 1);
        self.b.scan_end(scan);
        self.b.emit(Insn::IfZero {
            reg: rows,
            target: self.b.to(done),
        });
        let text = self.b.reg();
        self.b.emit(Insn::Copy {
            src: rows,
            dest: text,
            count: 1,
        });
        self.insert_stat(stat, &table.name, None, text);
        self.b.place(done);
    }

    /// The stat text `"N a1 … ak"` into a new register.
    fn stat_text(&mut self, entries: Reg, changes: Reg, k: usize) -> Reg {
        let text = self.b.reg();
        self.b.emit(Insn::Copy {
            src: entries,
            dest: text,
            count: 1,
        });
        let space = self.b.reg();
        self.b.emit(Insn::Text {
            value: b" ".to_vec(),
            dest: space,
        });
        let (distinct, average) = (self.b.reg(), self.b.reg());
        let (two, scaled_entries, scaled_distinct) = (self.b.reg(), self.b.reg(), self.b.reg());
        self.b.emit(Insn::Integer {
            value: 2,
            dest: two,
        });
        for i in 0..k {
            // distinct = changes + 1; average = ceil(entries / distinct).
            self.b.emit(Insn::Copy {
                src: changes + i,
                dest: distinct,
                count: 1,
            });
            self.add(distinct, 1);
            self.arith(ArithOp::Add, entries, changes + i, average);
            self.arith(ArithOp::Divide, average, distinct, average);
            // SQLite's rounding: 2 becomes 1 when at most a tenth of the entries repeat.
            let keep = self.b.label();
            self.b.emit(Insn::Compare {
                spec: exact(CmpOp::Ne, Collation::Binary, NullMode::Jump),
                lhs: average,
                rhs: two,
                target: self.b.to(keep),
            });
            self.scale(entries, 10, scaled_entries);
            self.scale(distinct, 11, scaled_distinct);
            self.b.emit(Insn::Compare {
                spec: exact(CmpOp::Gt, Collation::Binary, NullMode::Jump),
                lhs: scaled_entries,
                rhs: scaled_distinct,
                target: self.b.to(keep),
            });
            self.b.emit(Insn::Integer {
                value: 1,
                dest: average,
            });
            self.b.place(keep);
            self.b.emit(Insn::Concat {
                lhs: text,
                rhs: space,
                dest: text,
            });
            self.b.emit(Insn::Concat {
                lhs: text,
                rhs: average,
                dest: text,
            });
        }
        text
    }

    /// Appends `(table, index, stat)` to `sqlite_stat1`.
    fn insert_stat(&mut self, stat: &StatTable, table: &str, index: Option<&str>, text: Reg) {
        let row = self.b.regs(3);
        self.b.emit(Insn::Text {
            value: table.as_bytes().to_vec(),
            dest: row,
        });
        match index {
            Some(name) => self.b.emit(Insn::Text {
                value: name.as_bytes().to_vec(),
                dest: row + 1,
            }),
            None => self.b.emit(Insn::Null {
                dest: row + 1,
                count: 1,
            }),
        };
        self.b.emit(Insn::Copy {
            src: text,
            dest: row + 2,
            count: 1,
        });
        // The stat is text, as SQLite writes it, whatever Concat made of a lone count.
        self.b.emit(Insn::Cast {
            reg: row + 2,
            type_name: "TEXT".into(),
        });
        self.b.append_record(stat.cursor, row, 3);
    }

    fn add(&mut self, reg: Reg, value: i64) {
        let constant = self.b.reg();
        self.b.emit(Insn::Integer {
            value,
            dest: constant,
        });
        self.arith(ArithOp::Add, reg, constant, reg);
    }

    fn scale(&mut self, src: Reg, factor: i64, dest: Reg) {
        let constant = self.b.reg();
        self.b.emit(Insn::Integer {
            value: factor,
            dest: constant,
        });
        self.arith(ArithOp::Multiply, src, constant, dest);
    }

    fn arith(&mut self, op: ArithOp, lhs: Reg, rhs: Reg, dest: Reg) {
        self.b.emit(Insn::Arith { op, lhs, rhs, dest });
    }
}

/// A table whose rows this engine cannot read is refused rather than left out of the
/// statistics (virtual tables, which SQLite skips too, are left out).
fn check_readable(table: &Table) -> Result<()> {
    match &table.unsupported {
        Some(why) if table.root != 0 => Err(Error::not_supported(format!("ANALYZE of {why}"))),
        _ => Ok(()),
    }
}

/// A comparison of stored values as they are: no affinity, the given collation.
fn exact(op: CmpOp, collation: Collation, nulls: NullMode) -> CmpSpec {
    CmpSpec {
        op,
        affinity: Affinity::Blob,
        collation,
        nulls,
    }
}
