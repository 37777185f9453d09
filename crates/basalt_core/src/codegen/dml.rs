//! INSERT, UPDATE, DELETE: row writes with every index maintained and every constraint checked
//! (NOT NULL, CHECK, UNIQUE and PRIMARY KEY, with the OR/ON CONFLICT algorithm that applies).
//!
//! Invariants:
//! - Constraints are checked in SQLite's order — NOT NULL, CHECK, rowid uniqueness, then each
//!   UNIQUE index in creation order (an UPSERT's targets first) — before the row is written,
//!   so an ABORT leaves the row unwritten and IGNORE skips it whole.
//! - UPDATE and DELETE first collect the rowids to change, then change them: a write never
//!   disturbs the scan that chose the rows.
//! - Every index entry of a row is removed before the row is, and added after it is, keyed by
//!   the index's columns (or expressions) and the rowid. An UPDATE that cannot change an
//!   index's key (it assigns none of its columns, nor the rowid; the index has no expression or
//!   WHERE clause) leaves that index's entry alone, as SQLite does: the same pages change.

use super::autoincrement::Counter;
use super::returning::Returning;
use super::scope::{AggBinding, ColRead, Resolved, Scope};
use super::select::{table_source, Cond, Dest};
use super::upsert::{Arms, Constraint};
use super::{error, Ctx, Label};
use crate::catalog::{Index, Table};
use crate::error::{extended, ErrorCode, Result};
use crate::hooks::{UpdateOp, UpdateReport};
use crate::record::Collation;
use crate::sql::affinity::Affinity;
use crate::sql::func::PureUse;
use crate::vdbe::{CmpOp, CmpSpec, CursorId, Insn, NullMode, OnError, Reg, Root};
use basalt_parser::ast::{self, ConflictAction};
use std::rc::Rc;

/// A table opened for writing with all its indexes.
pub(super) struct Target {
    pub table: Rc<Table>,
    pub cursor: CursorId,
    pub indexes: Vec<(Rc<Index>, CursorId)>,
}

/// What a uniqueness check of a new row needs: its rowid, the rowid an UPDATE replaces, the
/// statement's OR action, where a passed check goes (`ok`), where IGNORE and DO NOTHING go
/// (`skip`), and the row's UPSERT clauses.
struct RowCheck<'a, 'u> {
    rowid: Reg,
    old_rowid: Option<Reg>,
    or: Option<ConflictAction>,
    ok: Label,
    skip: Label,
    upsert: Option<&'a Arms<'u>>,
}

/// A scope in which the table's columns read the registers of a row being written.
pub(super) fn row_scope<'p>(
    table: &Rc<Table>,
    cursor: CursorId,
    regs: Reg,
    rowid: Reg,
) -> Scope<'p> {
    let mut sc = Scope::new(None);
    sc.sources
        .push(table_source(table, table.name.clone(), cursor));
    let binding = AggBinding::new(Vec::new());
    {
        let mut cols = binding.columns.borrow_mut();
        cols.reserve(table.columns.len() + 1);
        for i in 0..table.columns.len() {
            cols.push((cursor, ColRead::Column(i), regs + i));
        }
        cols.push((cursor, ColRead::Rowid, rowid));
    }
    sc.agg = Some(binding);
    sc
}

fn on_error(action: ConflictAction) -> OnError {
    match action {
        ConflictAction::Fail => OnError::Fail,
        ConflictAction::Rollback => OnError::Rollback,
        _ => OnError::Abort,
    }
}

/// SQLite's message for a duplicate key in a unique index.
pub(super) fn unique_message(table: &Table, index: &Index) -> String {
    if index.columns.iter().any(|c| c.column.is_none()) {
        return format!("UNIQUE constraint failed: index '{}'", index.name);
    }
    let names: Vec<String> = index
        .columns
        .iter()
        .filter_map(|c| c.column)
        .map(|c| format!("{}.{}", table.name, table.columns[c].name))
        .collect();
    format!("UNIQUE constraint failed: {}", names.join(", "))
}

impl Ctx<'_> {
    fn writable_table(&self, name: &ast::QualifiedName) -> Result<Rc<Table>> {
        let tname = &name.name.value;
        let db = self.schema_of(name)?;
        match self.catalog.table_in(db, tname) {
            Some(t) => {
                if let Some(why) = &t.unsupported {
                    return Err(error(format!("not supported yet: {why}")));
                }
                if t.has_generated_columns() {
                    return Err(crate::error::Error::not_supported("generated columns"));
                }
                if self.catalog.has_triggers(t) {
                    return Err(error("not supported yet: writing to a table with triggers"));
                }
                // SQLite lets applications write its counters and statistics.
                let writable = [super::autoincrement::SEQUENCE_TABLE, super::analyze::STAT1];
                if tname.to_ascii_lowercase().starts_with("sqlite_")
                    && !writable.iter().any(|w| t.name.eq_ignore_ascii_case(w))
                {
                    return Err(error(format!("table {tname} may not be modified")));
                }
                Ok(t.clone())
            }
            None if self.catalog.view_in(db, tname).is_some() => {
                Err(error(format!("cannot modify {tname} because it is a view")))
            }
            None => Err(super::no_such_table(name, db)),
        }
    }

    pub(super) fn open_target(&mut self, table: Rc<Table>) -> Target {
        self.writes = true;
        let cursor = self.b.cursor();
        self.b.emit(Insn::OpenWrite {
            cursor,
            db: table.db,
            root: Root::Page(table.root),
            key: None,
        });
        // SQLite checks UNIQUE constraints in its index list's order (which one a failing row
        // reports).
        let indexes: Vec<(Rc<Index>, CursorId)> = self
            .catalog
            .index_list(&table)
            .into_iter()
            .cloned()
            .collect::<Vec<_>>()
            .into_iter()
            .map(|index| {
                let c = self.b.cursor();
                self.b.emit(Insn::OpenWrite {
                    cursor: c,
                    db: index.db,
                    root: Root::Page(index.root),
                    key: Some(index.key_info()),
                });
                (index, c)
            })
            .collect();
        Target {
            table,
            cursor,
            indexes,
        }
    }

    /// An index's key columns into `dest..`, read in `sc` (old row: the cursor; new row: the
    /// registers), then the rowid from `rowid`.
    pub(super) fn index_key(
        &mut self,
        t: &Target,
        index: &Index,
        sc: &Scope<'_>,
        dest: Reg,
        rowid: Reg,
    ) -> Result<()> {
        self.index_key_columns(&t.table, t.cursor, index, sc, dest)?;
        self.b.emit(Insn::Copy {
            src: rowid,
            dest: dest + index.columns.len(),
            count: 1,
        });
        Ok(())
    }

    /// An index's key columns (without the rowid) into `dest..`, for the row of `table` that
    /// `cursor` and `sc` read.
    pub(super) fn index_key_columns(
        &mut self,
        table: &Table,
        cursor: CursorId,
        index: &Index,
        sc: &Scope<'_>,
        dest: Reg,
    ) -> Result<()> {
        for (i, col) in index.columns.iter().enumerate() {
            match (col.column, &col.expr) {
                (Some(c), _) => {
                    let read = if table.rowid_alias == Some(c) {
                        ColRead::Rowid
                    } else {
                        ColRead::Column(c)
                    };
                    let r = Resolved {
                        cursor,
                        read,
                        affinity: Some(table.columns[c].affinity),
                        collation: table.columns[c].collation,
                        real: false,
                        alt: None,
                    };
                    self.column_read(&r, sc, dest + i);
                }
                (None, Some(e)) => {
                    self.pure_use = Some(PureUse::IndexExpression);
                    let compiled = self.expr(e, sc, dest + i);
                    self.pure_use = None;
                    compiled?;
                }
                (None, None) => {
                    self.b.emit(Insn::Null {
                        dest: dest + i,
                        count: 1,
                    });
                }
            }
        }
        Ok(())
    }

    /// Jumps to `skip` if a partial index does not cover the row.
    pub(super) fn partial_filter(
        &mut self,
        index: &Index,
        sc: &Scope<'_>,
        skip: Label,
    ) -> Result<()> {
        if let Some(w) = &index.partial {
            self.pure_use = Some(PureUse::PartialIndex);
            let compiled = self.filter(w, sc, skip);
            self.pure_use = None;
            compiled?;
        }
        Ok(())
    }

    /// What a UNIQUE conflict with the row whose rowid is in `conflicting` does: IGNORE skips
    /// the new row (to `skip`), REPLACE deletes the old one and goes on (to `ok`), the other
    /// actions halt with `message` and the extended result code `extended_code`.
    #[allow(clippy::too_many_arguments)]
    fn on_conflict(
        &mut self,
        t: &Target,
        action: ConflictAction,
        conflicting: Reg,
        ok: Label,
        skip: Label,
        extended_code: i32,
        message: impl FnOnce() -> String,
    ) -> Result<()> {
        match action {
            ConflictAction::Ignore => {
                self.b.emit(Insn::Goto {
                    target: self.b.to(skip),
                });
            }
            ConflictAction::Replace => {
                self.b.emit(Insn::SeekRowid {
                    cursor: t.cursor,
                    rowid: conflicting,
                    not_found: self.b.to(ok),
                });
                self.delete_current_row(t, false, false)?;
            }
            other => {
                self.b.emit(Insn::HaltError {
                    code: ErrorCode::Constraint,
                    extended_code: Some(extended_code),
                    message: message(),
                    on_error: on_error(other),
                });
            }
        }
        Ok(())
    }

    /// Deletes the index entries of the row `sc` reads (whose rowid is in `rowid`), skipping
    /// partial indexes that do not cover it and the indexes `kept` marks.
    fn delete_index_entries(
        &mut self,
        t: &Target,
        sc: &Scope<'_>,
        rowid: Reg,
        kept: &[bool],
    ) -> Result<()> {
        for (i, (index, c)) in t.indexes.iter().enumerate() {
            if kept.get(i) == Some(&true) {
                continue;
            }
            let skip = self.b.label();
            self.partial_filter(index, sc, skip)?;
            let key = self.b.regs(index.columns.len() + 1);
            self.index_key(t, index, sc, key, rowid)?;
            self.b.emit(Insn::IdxDelete {
                cursor: *c,
                key,
                count: index.columns.len() + 1,
            });
            self.b.place(skip);
        }
        Ok(())
    }

    /// Deletes the row the table cursor is on, with its index entries; `hook`: the update hook
    /// hears of it (a DELETE's rows; not the rows REPLACE removes, as in SQLite).
    fn delete_current_row(&mut self, t: &Target, count_change: bool, hook: bool) -> Result<()> {
        let mut sc = Scope::new(None);
        sc.sources
            .push(table_source(&t.table, t.table.name.clone(), t.cursor));
        let rowid = self.b.reg();
        self.b.emit(Insn::Rowid {
            cursor: t.cursor,
            dest: rowid,
        });
        self.delete_index_entries(t, &sc, rowid, &[])?;
        self.b.emit(Insn::Delete {
            cursor: t.cursor,
            count_change,
            hook: hook.then(|| update_report(t, UpdateOp::Delete)),
        });
        Ok(())
    }

    /// The new row's values as they will be stored: the INTEGER PRIMARY KEY column reads the
    /// rowid, and every column's affinity is applied (INSERT and UPDATE alike).
    fn row_image(&mut self, table: &Table, regs: Reg, rowid: Reg) {
        if let Some(a) = table.rowid_alias {
            self.b.emit(Insn::Copy {
                src: rowid,
                dest: regs + a,
                count: 1,
            });
        }
        self.b.emit(Insn::Affinity {
            start: regs,
            affinities: table.columns.iter().map(|c| c.affinity).collect(),
        });
    }

    /// Checks constraints for the new row in `regs` (one per column) with rowid in `rowid`, then
    /// writes it and its index entries. `old_rowid`: the row an UPDATE replaces; `kept`: the
    /// indexes (by position in `t.indexes`) whose entry for it stays as it is, because the UPDATE
    /// changes none of their key (as SQLite, which leaves such indexes alone). IGNORE jumps to
    /// `skip`; `upsert`: an INSERT's ON CONFLICT clauses, which order the uniqueness checks and
    /// take over the conflicts they cover (`upsert.rs`).
    #[allow(clippy::too_many_arguments)]
    fn write_row(
        &mut self,
        t: &Target,
        regs: Reg,
        rowid: Reg,
        old_rowid: Option<Reg>,
        kept: &[bool],
        or: Option<ConflictAction>,
        skip: Label,
        last_rowid: bool,
        upsert: Option<&Arms<'_>>,
    ) -> Result<()> {
        let table = &t.table;
        let sc = row_scope(table, t.cursor, regs, rowid);
        // NOT NULL.
        for (i, col) in table.columns.iter().enumerate() {
            if !col.not_null || table.rowid_alias == Some(i) {
                continue;
            }
            let action = or
                .or(col.not_null_conflict)
                .unwrap_or(ConflictAction::Abort);
            let message = format!("NOT NULL constraint failed: {}.{}", table.name, col.name);
            match action {
                ConflictAction::Ignore => {
                    self.b.emit(Insn::IsNull {
                        reg: regs + i,
                        target: self.b.to(skip),
                    });
                }
                ConflictAction::Replace if col.default.is_some() => {
                    let ok = self.b.label();
                    self.b.emit(Insn::NotNull {
                        reg: regs + i,
                        target: self.b.to(ok),
                    });
                    if let Some(d) = &col.default {
                        self.expr(d, &Scope::new(None), regs + i)?;
                        self.b.emit(Insn::Affinity {
                            start: regs + i,
                            affinities: vec![col.affinity],
                        });
                    }
                    self.b.place(ok);
                    self.b.emit(Insn::HaltIfNull {
                        reg: regs + i,
                        message,
                        on_error: OnError::Abort,
                    });
                }
                other => {
                    self.b.emit(Insn::HaltIfNull {
                        reg: regs + i,
                        message,
                        on_error: on_error(other),
                    });
                }
            }
        }
        // CHECK: a false result fails; NULL passes.
        for (check, name) in &table.checks {
            let ok = self.b.label();
            let fail = self.b.label();
            self.pure_use = Some(PureUse::Check);
            let compiled = self.expr_new(check, &sc);
            self.pure_use = None;
            let (r, _) = compiled?;
            self.b.emit(Insn::IfNot {
                reg: r,
                target: self.b.to(fail),
                if_null: false,
            });
            self.b.emit(Insn::Goto {
                target: self.b.to(ok),
            });
            self.b.place(fail);
            match or.unwrap_or(ConflictAction::Abort) {
                ConflictAction::Ignore => {
                    self.b.emit(Insn::Goto {
                        target: self.b.to(skip),
                    });
                }
                action => {
                    self.b.emit(Insn::HaltError {
                        code: ErrorCode::Constraint,
                        extended_code: Some(extended::CONSTRAINT_CHECK),
                        message: format!("CHECK constraint failed: {name}"),
                        on_error: on_error(action),
                    });
                }
            }
            self.b.place(ok);
        }
        // Uniqueness: the rowid and each UNIQUE index, in UPSERT's order if there is one.
        let keys: Vec<Reg> = t
            .indexes
            .iter()
            .map(|(index, _)| self.b.regs(index.columns.len() + 1))
            .collect();
        let order = match upsert {
            Some(arms) => arms.order(t),
            None => std::iter::once(Constraint::Rowid)
                .chain((0..t.indexes.len()).map(Constraint::Index))
                .collect(),
        };
        for check in order {
            let ok = self.b.label();
            let checked = RowCheck {
                rowid,
                old_rowid,
                or,
                ok,
                skip,
                upsert,
            };
            match check {
                Constraint::Rowid => self.rowid_check(t, &checked)?,
                Constraint::Index(i) => self.index_check(t, i, &sc, keys[i], &checked)?,
            }
            self.b.place(ok);
        }
        // UPDATE: the old row's index entries go, and a changed rowid moves the row.
        if let Some(old) = old_rowid {
            self.b.emit(Insn::SeekRowid {
                cursor: t.cursor,
                rowid: old,
                not_found: self.b.to(skip),
            });
            let mut old_sc = Scope::new(None);
            old_sc
                .sources
                .push(table_source(table, table.name.clone(), t.cursor));
            self.delete_index_entries(t, &old_sc, old, kept)?;
            let same = self.b.label();
            self.b.emit(Insn::Compare {
                spec: rowid_eq(),
                lhs: rowid,
                rhs: old,
                target: self.b.to(same),
            });
            self.b.emit(Insn::Delete {
                cursor: t.cursor,
                count_change: false,
                hook: None,
            });
            self.b.place(same);
        }
        // The row, then its index entries. The record stores NULL for an INTEGER PRIMARY KEY
        // (the rowid is the key): its register, which holds the rowid for the row's scope
        // (`row_image`), is cleared for the MakeRecord and given the rowid back after it, rather
        // than the whole row copied into other registers first.
        if let Some(a) = table.rowid_alias {
            self.b.emit(Insn::Null {
                dest: regs + a,
                count: 1,
            });
        }
        let rec = self.b.reg();
        self.b.emit(Insn::MakeRecord {
            start: regs,
            count: table.columns.len(),
            dest: rec,
        });
        if let Some(a) = table.rowid_alias {
            self.b.emit(Insn::Copy {
                src: rowid,
                dest: regs + a,
                count: 1,
            });
        }
        let op = if old_rowid.is_some() {
            UpdateOp::Update
        } else {
            UpdateOp::Insert
        };
        self.b.emit(Insn::Insert {
            cursor: t.cursor,
            record: rec,
            rowid,
            count_change: true,
            last_rowid,
            hook: Some(update_report(t, op)),
        });
        for (i, ((index, c), key)) in t.indexes.iter().zip(keys).enumerate() {
            if kept.get(i) == Some(&true) {
                continue;
            }
            let skip_index = self.b.label();
            self.partial_filter(index, &sc, skip_index)?;
            let irec = self.b.reg();
            self.b.emit(Insn::MakeRecord {
                start: key,
                count: index.columns.len() + 1,
                dest: irec,
            });
            self.b.emit(Insn::IdxInsert {
                cursor: *c,
                record: irec,
            });
            self.b.place(skip_index);
        }
        Ok(())
    }

    /// Checks that no other row has the new row's rowid; a conflict goes to the UPSERT clause
    /// covering it, else to the rowid's conflict action.
    fn rowid_check(&mut self, t: &Target, c: &RowCheck<'_, '_>) -> Result<()> {
        let table = &t.table;
        if let Some(old) = c.old_rowid {
            self.b.emit(Insn::Compare {
                spec: rowid_eq(),
                lhs: c.rowid,
                rhs: old,
                target: self.b.to(c.ok),
            });
        }
        // An INSERT checks on the table's own cursor, as SQLite's NotExists does: a miss leaves
        // it where the row goes, and the Insert takes that position without a second search
        // (`btree::Cursor::seek_result`; any move or write in between drops it). An UPDATE's
        // table cursor is on the old row, which it seeks again later; it checks on another.
        let probe = if c.old_rowid.is_some() {
            let probe = self.b.cursor();
            self.b.emit(Insn::OpenRead {
                cursor: probe,
                db: table.db,
                root: Root::Page(table.root),
                key: None,
            });
            probe
        } else {
            t.cursor
        };
        self.b.emit(Insn::SeekRowid {
            cursor: probe,
            rowid: c.rowid,
            not_found: self.b.to(c.ok),
        });
        if self.upsert_conflict(c.upsert, Constraint::Rowid, c.rowid, c.skip) {
            return Ok(());
        }
        // SQLite names a rowid conflict a PRIMARY KEY one when the rowid has an alias.
        let extended_code = if table.rowid_alias.is_some() {
            extended::CONSTRAINT_PRIMARYKEY
        } else {
            extended::CONSTRAINT_ROWID
        };
        let action = c.or.or(table.pk_conflict).unwrap_or(ConflictAction::Abort);
        self.on_conflict(t, action, c.rowid, c.ok, c.skip, extended_code, || {
            let column = table
                .rowid_alias
                .map_or("rowid".to_string(), |c| table.columns[c].name.clone());
            format!("UNIQUE constraint failed: {}.{column}", table.name)
        })
    }

    /// The key of the new row (read in `sc`) for index `i` of `t` into `key`; for a UNIQUE
    /// index, checks that no other row has it (a key with a NULL never conflicts), a conflict
    /// going to the UPSERT clause covering it, else to the index's conflict action.
    fn index_check(
        &mut self,
        t: &Target,
        i: usize,
        sc: &Scope<'_>,
        key: Reg,
        c: &RowCheck<'_, '_>,
    ) -> Result<()> {
        let (index, cursor) = &t.indexes[i];
        // A row a partial index does not cover skips only that index's check here (and its
        // entry, where the filter is tested again).
        self.partial_filter(index, sc, c.ok)?;
        self.index_key(t, index, sc, key, c.rowid)?;
        if !index.unique {
            return Ok(());
        }
        for i in 0..index.columns.len() {
            self.b.emit(Insn::IsNull {
                reg: key + i,
                target: self.b.to(c.ok),
            });
        }
        self.b.emit(Insn::NotFound {
            cursor: *cursor,
            key,
            count: index.columns.len(),
            target: self.b.to(c.ok),
        });
        let other = self.b.reg();
        self.b.emit(Insn::IdxRowid {
            cursor: *cursor,
            dest: other,
        });
        if let Some(old) = c.old_rowid {
            self.b.emit(Insn::Compare {
                spec: rowid_eq(),
                lhs: other,
                rhs: old,
                target: self.b.to(c.ok),
            });
        }
        if self.upsert_conflict(c.upsert, Constraint::Index(i), other, c.skip) {
            return Ok(());
        }
        let action = c.or.or(index.conflict).unwrap_or(ConflictAction::Abort);
        let extended_code = if index.primary_key {
            extended::CONSTRAINT_PRIMARYKEY
        } else {
            extended::CONSTRAINT_UNIQUE
        };
        self.on_conflict(t, action, other, c.ok, c.skip, extended_code, || {
            unique_message(&t.table, index)
        })
    }

    /// A value for the rowid: NULL means "choose one"; anything else must be an integer. An
    /// AUTOINCREMENT table's `counter` takes part in the choice and is raised to the rowid.
    fn rowid_value(&mut self, t: &Target, rowid: Reg, counter: Option<&Counter>) {
        let chosen = self.b.label();
        let pick = self.b.label();
        self.b.emit(Insn::IsNull {
            reg: rowid,
            target: self.b.to(pick),
        });
        self.b.emit(Insn::MustBeInt { reg: rowid });
        self.b.emit(Insn::Goto {
            target: self.b.to(chosen),
        });
        self.b.place(pick);
        self.b.emit(Insn::NewRowid {
            cursor: t.cursor,
            dest: rowid,
            autoinc: counter.map(Counter::value),
        });
        self.b.place(chosen);
        if let Some(c) = counter {
            self.counter_step(c, rowid);
        }
    }

    /// INSERT; returns the RETURNING clause's column names.
    pub fn insert(&mut self, insert: &ast::Insert) -> Result<Vec<String>> {
        self.with_ctes(insert.with.as_ref(), |ctx| ctx.insert_body(insert))
    }

    fn insert_body(&mut self, insert: &ast::Insert) -> Result<Vec<String>> {
        let table = self.writable_table(&insert.table)?;
        let ncols = table.columns.len();
        // Which table column each value goes to (`None`: the rowid).
        let targets: Vec<Option<usize>> = match &insert.columns {
            Some(names) => {
                let mut out = Vec::new();
                for n in names {
                    match table.column_index(&n.value) {
                        Some(c) if table.rowid_alias == Some(c) => out.push(None),
                        Some(c) => out.push(Some(c)),
                        None if super::scope::is_rowid_name(&n.value) => out.push(None),
                        None => {
                            return Err(error(format!(
                                "table {} has no column named {}",
                                table.name, n.value
                            )))
                        }
                    }
                }
                out
            }
            None => (0..ncols)
                .map(|c| {
                    if table.rowid_alias == Some(c) {
                        None
                    } else {
                        Some(c)
                    }
                })
                .collect(),
        };
        let or = insert.or;
        let t = self.open_target(table.clone());
        let counter = self.counter_begin(&table)?;
        let returning = self.returning_begin(insert.returning.as_ref())?;
        let upsert = self.upsert_begin(&t, &insert.upsert)?;
        let regs = self.b.regs(ncols.max(1));
        let rowid = self.b.reg();
        let empty = Scope::new(None);
        let row = |ctx: &mut Self,
                   values: &dyn Fn(&mut Self, usize, Reg) -> Result<bool>|
         -> Result<()> {
            let skip = ctx.b.label();
            ctx.b.emit(Insn::Null {
                dest: rowid,
                count: 1,
            });
            for c in 0..ncols {
                let pos = targets.iter().position(|x| *x == Some(c));
                let given = match pos {
                    Some(p) => values(ctx, p, regs + c)?,
                    None => false,
                };
                if !given {
                    match &table.columns[c].default {
                        Some(d) if table.rowid_alias != Some(c) => {
                            ctx.expr(d, &empty, regs + c)?;
                        }
                        _ => {
                            ctx.b.emit(Insn::Null {
                                dest: regs + c,
                                count: 1,
                            });
                        }
                    }
                }
            }
            if let Some(p) = targets.iter().position(|x| x.is_none()) {
                values(ctx, p, rowid)?;
            }
            ctx.rowid_value(&t, rowid, counter.as_ref());
            ctx.row_image(&table, regs, rowid);
            let arms = upsert.as_ref().map(|u| u.arms(ctx));
            ctx.write_row(&t, regs, rowid, None, &[], or, skip, true, arms.as_ref())?;
            if let Some(r) = &returning {
                ctx.returning_written(r, &table, t.cursor, regs, rowid)?;
            }
            // UPSERT: the DO UPDATE clauses' code, reached only from the checks above.
            if let Some(arms) = &arms {
                ctx.b.emit(Insn::Goto {
                    target: ctx.b.to(skip),
                });
                let alias = insert.alias.as_ref();
                ctx.upsert_updates(arms, &t, alias, regs, rowid, returning.as_ref(), skip)?;
            }
            ctx.b.place(skip);
            Ok(())
        };
        let count_error = |given: usize| {
            if insert.columns.is_some() {
                error(format!("{given} values for {} columns", targets.len()))
            } else {
                error(format!(
                    "table {} has {} columns but {given} values were supplied",
                    table.name, ncols
                ))
            }
        };
        match &insert.source {
            ast::InsertSource::DefaultValues => row(self, &|_, _, _| Ok(false))?,
            ast::InsertSource::Select(select) => {
                let simple_values = match &select.first {
                    ast::SelectCore::Values(rows)
                        if select.compound.is_empty()
                            && select.order_by.is_empty()
                            && select.limit.is_none()
                            && select.with.is_none() =>
                    {
                        Some(rows)
                    }
                    _ => None,
                };
                if let Some(rows) = simple_values {
                    for values in rows {
                        if values.len() != targets.len() {
                            return Err(count_error(values.len()));
                        }
                        row(self, &|ctx, p, dest| {
                            ctx.expr(&values[p], &Scope::new(None), dest)?;
                            Ok(true)
                        })?;
                    }
                } else {
                    // The rows are computed first: the select may read the table itself.
                    let eph = self.b.cursor();
                    self.b.emit(Insn::OpenEphemeral {
                        cursor: eph,
                        key: None,
                    });
                    let out = self.select(select, None, Dest::Table(eph))?;
                    if out.columns.len() != targets.len() {
                        return Err(count_error(out.columns.len()));
                    }
                    let rows = self.b.scan_start(eph);
                    row(self, &|ctx, p, dest| {
                        ctx.b.emit(Insn::Column {
                            cursor: eph,
                            column: p,
                            dest,
                            default: None,
                        });
                        Ok(true)
                    })?;
                    self.b.scan_end(rows);
                }
            }
        }
        if let Some(c) = &counter {
            self.counter_end(c);
        }
        Ok(self.returning_end(returning))
    }

    /// The rowids of the rows WHERE selects, into a new ephemeral table. The WHERE's AND terms
    /// pick the access path (a rowid lookup, an index seek), as in a SELECT, within what the
    /// table's `indexed` hint allows.
    fn collect_rowids(
        &mut self,
        table: &Rc<Table>,
        alias: Option<&ast::Name>,
        indexed: Option<&ast::Indexed>,
        where_: Option<&ast::Expr>,
    ) -> Result<CursorId> {
        let mut terms = Vec::new();
        if let Some(w) = where_ {
            if super::select::contains_aggregate(w) {
                return Err(error("misuse of aggregate function in WHERE"));
            }
            super::select::split_and(w, &mut terms);
        }
        let (rowids, scan) = self.open_rowid_collection(table);
        self.bind_index_hint(scan, table, indexed)?;
        let mut sc = Scope::new(None);
        let name = alias.map_or(table.name.clone(), |a| a.value.clone());
        sc.sources.push(table_source(table, name, scan));
        let conds: Vec<(Cond<'_>, Option<usize>)> =
            terms.into_iter().map(|e| (Cond::Ast(e), None)).collect();
        self.loops(&sc, &conds, &[], &mut |ctx, _| {
            ctx.collect_rowid(scan, rowids);
            Ok(())
        })?;
        Ok(rowids)
    }

    /// The rowids of the rows of `table` that `filter` (emitting code that jumps to its label
    /// for a row to leave out, with the scan cursor on the row) keeps, into a new ephemeral
    /// table.
    pub(super) fn collect_rowids_where(
        &mut self,
        table: &Table,
        filter: impl FnOnce(&mut Self, CursorId, Label) -> Result<()>,
    ) -> Result<CursorId> {
        let (rowids, scan) = self.open_rowid_collection(table);
        let next = self.b.label();
        let rows = self.b.scan_start(scan);
        filter(self, scan, next)?;
        self.collect_rowid(scan, rowids);
        self.b.place(next);
        self.b.scan_end(rows);
        Ok(rowids)
    }

    /// An ephemeral table for rowids, and a read cursor on `table`.
    fn open_rowid_collection(&mut self, table: &Table) -> (CursorId, CursorId) {
        let rowids = self.b.cursor();
        self.b.emit(Insn::OpenEphemeral {
            cursor: rowids,
            key: None,
        });
        let scan = self.b.cursor();
        self.b.emit(Insn::OpenRead {
            cursor: scan,
            db: table.db,
            root: Root::Page(table.root),
            key: None,
        });
        (rowids, scan)
    }

    /// The rowid of the row `scan` is on, into the ephemeral table `rowids`.
    fn collect_rowid(&mut self, scan: CursorId, rowids: CursorId) {
        let id = self.b.reg();
        let rec = self.b.reg();
        self.b.emit(Insn::Rowid {
            cursor: scan,
            dest: id,
        });
        self.b.emit(Insn::MakeRecord {
            start: id,
            count: 0,
            dest: rec,
        });
        self.b.emit(Insn::Insert {
            cursor: rowids,
            record: rec,
            rowid: id,
            count_change: false,
            last_rowid: false,
            hook: None,
        });
    }

    /// DELETE; returns the RETURNING clause's column names.
    pub fn delete(&mut self, delete: &ast::Delete) -> Result<Vec<String>> {
        self.with_ctes(delete.with.as_ref(), |ctx| ctx.delete_body(delete))
    }

    fn delete_body(&mut self, delete: &ast::Delete) -> Result<Vec<String>> {
        let table = self.writable_table(&delete.table)?;
        let t = self.open_target(table.clone());
        let returning = self.returning_begin(delete.returning.as_ref())?;
        let rowids = self.collect_rowids(
            &table,
            delete.alias.as_ref(),
            delete.indexed.as_ref(),
            delete.where_.as_ref(),
        )?;
        // SQLite empties a table for a plain `DELETE FROM t` without visiting its rows, so
        // its update hook hears nothing of them.
        let hook = delete.where_.is_some() || returning.is_some();
        self.delete_rows(&t, rowids, true, hook, returning.as_ref())?;
        Ok(self.returning_end(returning))
    }

    /// Deletes the rows whose rowids the ephemeral table `rowids` holds, with their index
    /// entries; `count_change`: they count in `changes()`; `returning`: each row's RETURNING
    /// values are collected before it goes.
    pub(super) fn delete_rows(
        &mut self,
        t: &Target,
        rowids: CursorId,
        count_change: bool,
        hook: bool,
        returning: Option<&Returning<'_>>,
    ) -> Result<()> {
        let next = self.b.label();
        let id = self.b.reg();
        let rows = self.b.scan_start(rowids);
        self.b.emit(Insn::Rowid {
            cursor: rowids,
            dest: id,
        });
        self.b.emit(Insn::SeekRowid {
            cursor: t.cursor,
            rowid: id,
            not_found: self.b.to(next),
        });
        if let Some(r) = returning {
            let mut sc = Scope::new(None);
            sc.sources
                .push(table_source(&t.table, t.table.name.clone(), t.cursor));
            self.returning_row(r, &sc)?;
        }
        self.delete_current_row(t, count_change, hook)?;
        self.b.place(next);
        self.b.scan_end(rows);
        Ok(())
    }

    /// UPDATE; returns the RETURNING clause's column names.
    pub fn update(&mut self, update: &ast::Update) -> Result<Vec<String>> {
        if update.from.is_some() {
            return Err(error("not supported yet: FROM in UPDATE"));
        }
        self.with_ctes(update.with.as_ref(), |ctx| ctx.update_body(update))
    }

    fn update_body(&mut self, update: &ast::Update) -> Result<Vec<String>> {
        let table = self.writable_table(&update.table)?;
        let sets = assignments(&table, &update.set)?;
        let t = self.open_target(table.clone());
        let returning = self.returning_begin(update.returning.as_ref())?;
        let rowids = self.collect_rowids(
            &table,
            update.alias.as_ref(),
            update.indexed.as_ref(),
            update.where_.as_ref(),
        )?;
        let next = self.b.label();
        let old = self.b.reg();
        let rows = self.b.scan_start(rowids);
        self.b.emit(Insn::Rowid {
            cursor: rowids,
            dest: old,
        });
        self.b.emit(Insn::SeekRowid {
            cursor: t.cursor,
            rowid: old,
            not_found: self.b.to(next),
        });
        let mut sc = Scope::new(None);
        let name = update
            .alias
            .as_ref()
            .map_or(table.name.clone(), |a| a.value.clone());
        sc.sources.push(table_source(&table, name, t.cursor));
        self.update_current_row(&t, &sc, &sets, old, update.or, next, returning.as_ref())?;
        self.b.place(next);
        self.b.scan_end(rows);
        Ok(self.returning_end(returning))
    }

    /// Updates the row `t.cursor` is on (rowid in `old`) with `sets`, whose values are read in
    /// `sc`, checking constraints under `or` as `write_row` does (IGNORE goes to `skip`); its
    /// RETURNING values are collected.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn update_current_row(
        &mut self,
        t: &Target,
        sc: &Scope<'_>,
        sets: &[(Option<usize>, &ast::Expr)],
        old: Reg,
        or: Option<ConflictAction>,
        skip: Label,
        returning: Option<&Returning<'_>>,
    ) -> Result<()> {
        let table = &t.table;
        let ncols = table.columns.len();
        let rowid = self.b.reg();
        let regs = self.b.regs(ncols.max(1));
        // New values, computed from the old row.
        for c in 0..ncols {
            match sets.iter().find(|(x, _)| *x == Some(c)) {
                Some((_, e)) => {
                    self.expr(e, sc, regs + c)?;
                }
                None => {
                    let r = Resolved {
                        cursor: t.cursor,
                        read: if table.rowid_alias == Some(c) {
                            ColRead::Rowid
                        } else {
                            ColRead::Column(c)
                        },
                        affinity: Some(table.columns[c].affinity),
                        collation: Collation::Binary,
                        real: false,
                        alt: None,
                    };
                    self.column_read(&r, sc, regs + c);
                }
            }
        }
        match sets.iter().find(|(x, _)| x.is_none()) {
            Some((_, e)) => {
                self.expr(e, sc, rowid)?;
                self.b.emit(Insn::MustBeInt { reg: rowid });
            }
            None => {
                self.b.emit(Insn::Copy {
                    src: old,
                    dest: rowid,
                    count: 1,
                });
            }
        }
        self.row_image(table, regs, rowid);
        let kept = unchanged_indexes(t, sets);
        self.write_row(t, regs, rowid, Some(old), &kept, or, skip, false, None)?;
        if let Some(r) = returning {
            self.returning_written(r, table, t.cursor, regs, rowid)?;
        }
        Ok(())
    }
}

/// The columns a SET list assigns (`None`: the rowid) with their values; a column assigned
/// twice keeps its last value.
pub(super) fn assignments<'a>(
    table: &Table,
    set: &'a [ast::Assignment],
) -> Result<Vec<(Option<usize>, &'a ast::Expr)>> {
    let mut sets: Vec<(Option<usize>, &ast::Expr)> = Vec::new();
    for a in set {
        if a.columns.len() != 1 {
            return Err(error("not supported yet: row-value assignments"));
        }
        let n = &a.columns[0].value;
        let c = match table.column_index(n) {
            Some(c) if table.rowid_alias == Some(c) => None,
            Some(c) => Some(c),
            None if super::scope::is_rowid_name(n) => None,
            None => return Err(error(format!("no such column: {n}"))),
        };
        sets.retain(|(x, _)| *x != c);
        sets.push((c, &a.value));
    }
    Ok(sets)
}

/// For each index of `t`, whether an UPDATE assigning `sets` (column, `None` for the rowid)
/// leaves its key unchanged: no rowid assignment, no partial-index condition or expression to
/// re-evaluate, and none of its columns assigned.
fn unchanged_indexes(t: &Target, sets: &[(Option<usize>, &ast::Expr)]) -> Vec<bool> {
    let assigned = |column: usize| sets.iter().any(|(c, _)| *c == Some(column));
    let rowid_assigned = sets.iter().any(|(c, _)| c.is_none());
    t.indexes
        .iter()
        .map(|(index, _)| {
            !rowid_assigned
                && index.partial.is_none()
                && index
                    .columns
                    .iter()
                    .all(|c| c.expr.is_none() && c.column.is_some_and(|col| !assigned(col)))
        })
        .collect()
}

/// The rowid equality test UPDATE uses to recognise its own row.
fn rowid_eq() -> CmpSpec {
    CmpSpec {
        op: CmpOp::Eq,
        affinity: Affinity::Blob,
        collation: Collation::Binary,
        nulls: NullMode::Unknown,
    }
}

/// The update-hook report of a change to `t`'s table.
fn update_report(t: &Target, op: UpdateOp) -> UpdateReport {
    UpdateReport {
        op,
        table: t.table.name.as_str().into(),
    }
}
