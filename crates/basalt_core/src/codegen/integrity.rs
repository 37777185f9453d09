//! `PRAGMA integrity_check` and `PRAGMA quick_check`: the structural check of every b-tree (one
//! instruction, `integrity.rs`), then SQLite's SQL-level checks as bytecode, in SQLite's order
//! and words. For each table: first each full (not partial) index's entry count against the
//! table's row count (`wrong # of entries in index i`, quick_check too); then row by row: NOT
//! NULL columns (`NULL value in t.c`), the CHECK constraints (`CHECK constraint failed in t`),
//! and, for integrity_check only, each index's entry for the row (`row N missing from index i`,
//! `non-unique entry in index i`).
//!
//! Invariants: every message counts against the limit (default 100) and the program stops when
//! it is used up, as SQLite's does; a clean database gives the single row `ok`. The row is read
//! into registers once (VIRTUAL generated columns computed from it), so constraint and index
//! expressions see the same values the row's writer saw.

use super::dml::{row_scope, Target};
use super::{Ctx, Label};
use crate::catalog::{Index, Table};
use crate::error::{Error, Result};
use crate::integrity::{TreeRoot, DEFAULT_MAX_ERRORS};
use crate::record::Collation;
use crate::schema::Db;
use crate::sql::affinity::Affinity;
use crate::sql::arith::ArithOp;
use crate::vdbe::{CmpOp, CmpSpec, CursorId, Insn, NullMode, Reg, Root};
use std::rc::Rc;

/// What a partial check covers.
struct Object {
    trees: Vec<TreeRoot>,
    table: Option<Rc<Table>>,
}

/// A pragma argument read as SQLite's `sqlite3GetInt32` reads it: an optional sign and
/// decimal digits (up to 10, stopping at the first other character), or `0x` and up to 8
/// hex digits; `None` when it is not a number (then it names a table).
fn sqlite_int32(text: &str) -> Option<i32> {
    let bytes = text.as_bytes();
    let hex = text
        .strip_prefix("0x")
        .or_else(|| text.strip_prefix("0X"))
        .filter(|h| h.bytes().next().is_some_and(|b| b.is_ascii_hexdigit()));
    if let Some(hex) = hex {
        let digits = hex.trim_start_matches('0');
        let end = digits
            .bytes()
            .position(|b| !b.is_ascii_hexdigit())
            .unwrap_or(digits.len());
        if end > 8 {
            return None;
        }
        let value = u32::from_str_radix(&digits[..end], 16).unwrap_or(0);
        return (value & 0x8000_0000 == 0).then_some(value as i32);
    }
    let (negative, rest) = match bytes.first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    if !rest.bytes().next().is_some_and(|b| b.is_ascii_digit()) {
        return None;
    }
    let rest = rest.trim_start_matches('0');
    let digits = rest.bytes().take(11).take_while(u8::is_ascii_digit).count();
    if digits > 10 {
        return None;
    }
    let value: i64 = rest[..digits].parse().unwrap_or(0);
    if value - i64::from(negative) > i64::from(i32::MAX) {
        return None;
    }
    Some(if negative { -value } else { value } as i32)
}

/// The registers every message goes through.
struct Report {
    /// Messages still allowed; the program ends when it reaches zero.
    budget: Reg,
    /// 1 once any message was output (else the answer is `ok`).
    any: Reg,
    end: Label,
}

impl Ctx<'_> {
    /// `quick`: quick_check, which skips the index contents. `arg`: the `(N)` limit, or the
    /// name of the one table (or view, which checks nothing) to check.
    pub fn integrity_check(&mut self, arg: Option<&str>, quick: bool) -> Result<Vec<String>> {
        let name = if quick {
            "quick_check"
        } else {
            "integrity_check"
        };
        // A number as written (a quoted '5' is a name), else a name without its quotes.
        let (max_errors, object) = match arg {
            None => (DEFAULT_MAX_ERRORS, None),
            Some(a) => match sqlite_int32(a) {
                // SQLite takes a limit below 1 as the default.
                Some(n) if n < 1 => (DEFAULT_MAX_ERRORS, None),
                Some(n) => (usize::try_from(n).unwrap_or(usize::MAX), None),
                None => {
                    let object = self.checked_object(&super::pragma::dequote(a), name)?;
                    (DEFAULT_MAX_ERRORS, Some(object))
                }
            },
        };
        let structure = self.b.regs(2);
        let report = Report {
            budget: structure + 1,
            any: self.b.reg(),
            end: self.b.label(),
        };
        self.b.emit(Insn::IntegrityCheck {
            max_errors,
            dest: structure,
            only: object.as_ref().map(|o| o.trees.clone()),
        });
        self.b.emit(Insn::Integer {
            value: 0,
            dest: report.any,
        });
        let clean = self.b.label();
        self.b.emit(Insn::IsNull {
            reg: structure,
            target: self.b.to(clean),
        });
        self.b.emit(Insn::ResultRow {
            start: structure,
            count: 1,
        });
        self.b.emit(Insn::Integer {
            value: 1,
            dest: report.any,
        });
        self.b.place(clean);
        self.b.emit(Insn::IfZero {
            reg: report.budget,
            target: self.b.to(report.end),
        });
        let tables: Vec<Rc<Table>> = match object {
            Some(o) => o.table.into_iter().collect(),
            None => self
                .catalog
                .main
                .tables
                .iter()
                .filter(|t| t.unsupported.is_none() && t.root != 0)
                .cloned()
                .collect(),
        };
        for table in tables {
            self.check_table(table, quick, &report)?;
        }
        self.b.place(report.end);
        let done = self.b.label();
        self.b.emit(Insn::If {
            reg: report.any,
            target: self.b.to(done),
            if_null: false,
        });
        let ok = self.b.reg();
        self.b.emit(Insn::Text {
            value: b"ok".to_vec(),
            dest: ok,
        });
        self.b.emit(Insn::ResultRow {
            start: ok,
            count: 1,
        });
        self.b.place(done);
        Ok(vec![name.to_string()])
    }

    /// The b-trees and table `PRAGMA integrity_check(NAME)` checks: a table with its indexes
    /// (in SQLite's list order), the schema table alone, or nothing for a view.
    fn checked_object(&self, name: &str, pragma: &str) -> Result<Object> {
        if name.eq_ignore_ascii_case("sqlite_schema") || name.eq_ignore_ascii_case("sqlite_master")
        {
            return Ok(Object {
                trees: vec![TreeRoot {
                    root: crate::schema::SCHEMA_ROOT,
                    is_table: true,
                }],
                table: None,
            });
        }
        if let Some(table) = self.catalog.table(name) {
            if table.unsupported.is_some() || table.root == 0 {
                return Err(Error::not_supported(format!("PRAGMA {pragma}({name})")));
            }
            let mut trees = vec![TreeRoot {
                root: table.root,
                is_table: true,
            }];
            trees.extend(
                self.catalog
                    .index_list(table)
                    .into_iter()
                    .map(|i| TreeRoot {
                        root: i.root,
                        is_table: false,
                    }),
            );
            return Ok(Object {
                trees,
                table: Some(table.clone()),
            });
        }
        if self.catalog.view(name).is_some() {
            return Ok(Object {
                trees: Vec::new(),
                table: None,
            });
        }
        Err(super::error(format!("no such table: {name}")))
    }

    fn check_table(&mut self, table: Rc<Table>, quick: bool, report: &Report) -> Result<()> {
        let all: Vec<Index> = self
            .catalog
            .main
            .index_list(&table.name)
            .into_iter()
            .map(|i| Index::clone(i))
            .collect();
        self.check_entry_counts(&table, &all, report);
        let indexes = if quick { Vec::new() } else { all };
        let has_not_null = table
            .columns
            .iter()
            .enumerate()
            .any(|(i, c)| c.not_null && table.rowid_alias != Some(i));
        if !has_not_null && table.checks.is_empty() && indexes.is_empty() {
            return Ok(());
        }
        let cursor = self.b.cursor();
        self.b.emit(Insn::OpenRead {
            cursor,
            db: Db::Main,
            root: Root::Page(table.root),
            key: None,
        });
        let mut index_cursors = Vec::new();
        for index in indexes {
            let c = self.b.cursor();
            self.b.emit(Insn::OpenRead {
                cursor: c,
                db: Db::Main,
                root: Root::Page(index.root),
                key: Some(index.key_info()),
            });
            index_cursors.push((index, c));
        }
        let target = Target {
            table,
            cursor,
            indexes: Vec::new(),
        };
        let rows_done = self.b.label();
        self.b.emit(Insn::Rewind {
            cursor,
            if_empty: self.b.to(rows_done),
        });
        let row_start = self.b.addr();
        let (regs, rowid) = self.load_row(&target)?;
        let sc = row_scope(&target.table, cursor, regs, rowid);
        let table = &target.table;
        for (i, col) in table.columns.iter().enumerate() {
            if !col.not_null || table.rowid_alias == Some(i) {
                continue;
            }
            let fine = self.b.label();
            self.b.emit(Insn::NotNull {
                reg: regs + i,
                target: self.b.to(fine),
            });
            self.report_text(
                &format!("NULL value in {}.{}", table.name, col.name),
                report,
            );
            self.b.place(fine);
        }
        if !table.checks.is_empty() {
            let failed = self.b.label();
            let passed = self.b.label();
            for (check, _) in &table.checks {
                let (r, _) = self.expr_new(check, &sc)?;
                // A CHECK that is NULL passes.
                self.b.emit(Insn::IfNot {
                    reg: r,
                    target: self.b.to(failed),
                    if_null: false,
                });
            }
            self.b.emit(Insn::Goto {
                target: self.b.to(passed),
            });
            self.b.place(failed);
            self.report_text(
                &format!("CHECK constraint failed in {}", table.name),
                report,
            );
            self.b.place(passed);
        }
        for (index, c) in &index_cursors {
            let next_index = self.b.label();
            self.partial_filter(index, &sc, next_index)?;
            let n = index.columns.len();
            let key = self.b.regs(n + 1);
            self.index_key(&target, index, &sc, key, rowid)?;
            let missing = self.b.label();
            self.b.emit(Insn::NotFound {
                cursor: *c,
                key,
                count: n + 1,
                target: self.b.to(missing),
            });
            if index.unique {
                self.check_unique(index, *c, key, report, next_index);
            }
            self.b.emit(Insn::Goto {
                target: self.b.to(next_index),
            });
            self.b.place(missing);
            let msg = self.b.regs(2);
            self.b.emit(Insn::Text {
                value: b"row ".to_vec(),
                dest: msg,
            });
            self.b.emit(Insn::Concat {
                lhs: msg,
                rhs: rowid,
                dest: msg,
            });
            self.b.emit(Insn::Text {
                value: format!(" missing from index {}", index.name).into_bytes(),
                dest: msg + 1,
            });
            self.b.emit(Insn::Concat {
                lhs: msg,
                rhs: msg + 1,
                dest: msg,
            });
            self.report(msg, report);
            self.b.place(next_index);
        }
        self.b.emit(Insn::Next {
            cursor,
            target: row_start,
        });
        self.b.place(rows_done);
        Ok(())
    }

    /// Reads the row the table cursor is on into one register per column (the rowid alias from
    /// the rowid, VIRTUAL generated columns computed last, from the others); returns the first
    /// register and the rowid's.
    fn load_row(&mut self, t: &Target) -> Result<(Reg, Reg)> {
        let table = &t.table;
        let regs = self.b.regs(table.columns.len());
        let rowid = self.b.reg();
        self.b.emit(Insn::Rowid {
            cursor: t.cursor,
            dest: rowid,
        });
        for (i, col) in table.columns.iter().enumerate() {
            if table.rowid_alias == Some(i) {
                self.b.emit(Insn::Copy {
                    src: rowid,
                    dest: regs + i,
                    count: 1,
                });
                continue;
            }
            let Some(field) = table.record_field(i) else {
                continue;
            };
            self.b.emit(Insn::Column {
                cursor: t.cursor,
                column: field,
                dest: regs + i,
                default: None,
            });
            if col.affinity == Affinity::Real {
                self.b.emit(Insn::RealAffinity { reg: regs + i });
            }
        }
        let sc = row_scope(table, t.cursor, regs, rowid);
        for (i, col) in table.columns.iter().enumerate() {
            if let (Some(g), None) = (&col.generated, table.record_field(i)) {
                self.expr(&g.expr, &sc, regs + i)?;
                self.b.emit(Insn::Affinity {
                    start: regs + i,
                    affinities: vec![col.affinity],
                });
            }
        }
        Ok((regs, rowid))
    }

    /// With the index cursor on the row's entry: a UNIQUE index's next entry must not have the
    /// same key (keys with a NULL are never duplicates).
    fn check_unique(&mut self, index: &Index, c: CursorId, key: Reg, report: &Report, done: Label) {
        let n = index.columns.len();
        for k in 0..n {
            self.b.emit(Insn::IsNull {
                reg: key + k,
                target: self.b.to(done),
            });
        }
        let compare = self.b.label();
        self.b.emit(Insn::Next {
            cursor: c,
            target: self.b.to(compare),
        });
        self.b.emit(Insn::Goto {
            target: self.b.to(done),
        });
        self.b.place(compare);
        self.b.emit(Insn::IdxCompare {
            cursor: c,
            op: CmpOp::Gt,
            key,
            count: n,
            target: self.b.to(done),
        });
        self.report_text(&format!("non-unique entry in index {}", index.name), report);
    }

    /// A full index holds exactly one entry per row: compare the counts (a partial index's
    /// count depends on its WHERE, so only the row-by-row check covers it).
    fn check_entry_counts(&mut self, table: &Table, indexes: &[Index], report: &Report) {
        let full: Vec<&Index> = indexes.iter().filter(|i| i.partial.is_none()).collect();
        if full.is_empty() {
            return;
        }
        let rows = self.count_entries(Root::Page(table.root), None);
        for index in full {
            let entries = self.count_entries(Root::Page(index.root), Some(index));
            let fine = self.b.label();
            self.b.emit(Insn::Compare {
                spec: CmpSpec {
                    op: CmpOp::Eq,
                    affinity: Affinity::Blob,
                    collation: Collation::Binary,
                    nulls: NullMode::Unknown,
                },
                lhs: rows,
                rhs: entries,
                target: self.b.to(fine),
            });
            self.report_text(
                &format!("wrong # of entries in index {}", index.name),
                report,
            );
            self.b.place(fine);
        }
    }

    /// The number of entries of a b-tree, into a new register.
    fn count_entries(&mut self, root: Root, index: Option<&Index>) -> Reg {
        let c = self.b.cursor();
        self.b.emit(Insn::OpenRead {
            cursor: c,
            db: Db::Main,
            root,
            key: index.map(Index::key_info),
        });
        let (count, one) = (self.b.reg(), self.b.reg());
        self.b.emit(Insn::Integer {
            value: 0,
            dest: count,
        });
        self.b.emit(Insn::Integer {
            value: 1,
            dest: one,
        });
        let counted = self.b.label();
        self.b.emit(Insn::Rewind {
            cursor: c,
            if_empty: self.b.to(counted),
        });
        let step = self.b.emit(Insn::Arith {
            op: ArithOp::Add,
            lhs: count,
            rhs: one,
            dest: count,
        });
        self.b.emit(Insn::Next {
            cursor: c,
            target: step,
        });
        self.b.place(counted);
        self.b.emit(Insn::Close { cursor: c });
        count
    }

    fn report_text(&mut self, message: &str, report: &Report) {
        let r = self.b.reg();
        self.b.emit(Insn::Text {
            value: message.as_bytes().to_vec(),
            dest: r,
        });
        self.report(r, report);
    }

    /// Outputs the message in `msg`; ends the check when the limit is reached.
    fn report(&mut self, msg: Reg, report: &Report) {
        self.b.emit(Insn::ResultRow {
            start: msg,
            count: 1,
        });
        self.b.emit(Insn::Integer {
            value: 1,
            dest: report.any,
        });
        self.b.emit(Insn::DecrJumpZero {
            reg: report.budget,
            target: self.b.to(report.end),
        });
    }
}
