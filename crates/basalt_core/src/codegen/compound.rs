//! Compound selects: UNION ALL, UNION, EXCEPT, INTERSECT, evaluated left to right into an
//! ephemeral bag (a table, keeping duplicates and order) or set (an index, distinct rows in key
//! order), whose rows then go through ORDER BY and LIMIT like any select's.
//!
//! Invariants: a set's key order is the result columns' collations, ascending, so a UNION
//! without ORDER BY returns rows in the order SQLite's ephemeral index gives them; a bag keeps
//! the cores' row order.

use super::scope::Scope;
use super::select::{ColInfo, Dest, SelectOut};
use super::{error, Ctx};
use crate::error::Result;
use crate::record::{Collation, KeyColumn, KeyInfo, SortOrder};
use crate::vdbe::{Addr, CursorId, Insn, Reg};
use basalt_parser::ast::{self, CompoundOp, ExprKind};

#[derive(Clone, Copy)]
enum Acc {
    Bag(CursorId),
    Set(CursorId),
}

impl Ctx<'_> {
    fn open_bag(&mut self) -> CursorId {
        let c = self.b.cursor();
        self.b.emit(Insn::OpenEphemeral {
            cursor: c,
            key: None,
        });
        c
    }

    /// Opens a set whose key is patched in when the columns are known.
    fn open_set(&mut self, patches: &mut Vec<(Addr, CursorId)>) -> CursorId {
        let c = self.b.cursor();
        let at = self.b.emit(Insn::OpenEphemeral {
            cursor: c,
            key: Some(KeyInfo::binary(0)),
        });
        patches.push((at, c));
        c
    }

    /// Every row of `from` (n columns) into `to`: a set if `to_set`, else a bag; or, with
    /// `only_in`, only the rows found in that set. Into a set, a row equal to one already there
    /// replaces it if `replace`, else is dropped.
    fn copy_rows(
        &mut self,
        from: CursorId,
        to: CursorId,
        n: usize,
        to_set: bool,
        only_in: Option<CursorId>,
        replace: bool,
    ) {
        let next = self.b.label();
        let regs = self.b.regs(n.max(1));
        let rows = self.b.scan_start(from);
        self.b.columns(from, n, regs);
        if let Some(filter) = only_in {
            self.b.emit(Insn::NotFound {
                cursor: filter,
                key: regs,
                count: n,
                target: self.b.to(next),
            });
        }
        let rec = self.b.reg();
        self.b.emit(Insn::MakeRecord {
            start: regs,
            count: n,
            dest: rec,
        });
        if to_set {
            if replace {
                self.b.emit(Insn::IdxDelete {
                    cursor: to,
                    key: regs,
                    count: n,
                });
            }
            self.b.emit(Insn::IdxInsert {
                cursor: to,
                record: rec,
            });
        } else {
            let rowid = self.b.reg();
            self.b.emit(Insn::NewRowid {
                cursor: to,
                dest: rowid,
                autoinc: None,
            });
            self.b.emit(Insn::Insert {
                cursor: to,
                record: rec,
                rowid,
                count_change: false,
                last_rowid: false,
                hook: None,
            });
        }
        self.b.place(next);
        self.b.scan_end(rows);
    }

    pub(super) fn compound(
        &mut self,
        select: &ast::Select,
        outer: Option<&Scope<'_>>,
        dest: Dest,
    ) -> Result<SelectOut> {
        let mut patches = Vec::new();
        let first_op = select.compound.first().map(|(op, _)| *op);
        let mut acc = if first_op == Some(CompoundOp::UnionAll) {
            Acc::Bag(self.open_bag())
        } else {
            Acc::Set(self.open_set(&mut patches))
        };
        let core_dest = |acc: Acc| match acc {
            Acc::Bag(c) => Dest::Table(c),
            Acc::Set(c) => Dest::Union(c),
        };
        let first = self.core(&select.first, &[], None, outer, core_dest(acc))?;
        let n = first.columns.len();
        let mut correlated = first.correlated;
        let mut collations: Vec<Option<Collation>> = first
            .columns
            .iter()
            .map(|c| c.collation.map(|x| x.0))
            .collect();
        for (op, core) in &select.compound {
            acc = match (op, acc) {
                (CompoundOp::UnionAll, Acc::Set(s)) => {
                    let bag = self.open_bag();
                    self.copy_rows(s, bag, n, false, None, false);
                    Acc::Bag(bag)
                }
                (CompoundOp::UnionAll, bag) => bag,
                (_, Acc::Bag(b)) => {
                    let set = self.open_set(&mut patches);
                    self.copy_rows(b, set, n, true, None, false);
                    Acc::Set(set)
                }
                (_, set) => set,
            };
            let out = match (op, acc) {
                (CompoundOp::Except, Acc::Set(s)) => {
                    self.core(core, &[], None, outer, Dest::Except(s))?
                }
                (CompoundOp::Intersect, Acc::Set(s)) => {
                    let other = self.open_set(&mut patches);
                    let out = self.core(core, &[], None, outer, Dest::Union(other))?;
                    let both = self.open_set(&mut patches);
                    self.copy_rows(s, both, n, true, Some(other), false);
                    acc = Acc::Set(both);
                    out
                }
                (CompoundOp::Union, Acc::Set(s)) => {
                    // SQLite merges the two sides: of equal rows, the first of the right side
                    // wins over the left side's.
                    let other = self.open_set(&mut patches);
                    let out = self.core(core, &[], None, outer, Dest::Union(other))?;
                    self.copy_rows(other, s, out.columns.len().min(n), true, None, true);
                    out
                }
                (_, a) => self.core(core, &[], None, outer, core_dest(a))?,
            };
            if out.columns.len() != n {
                let name = match op {
                    CompoundOp::Union => "UNION",
                    CompoundOp::UnionAll => "UNION ALL",
                    CompoundOp::Except => "EXCEPT",
                    CompoundOp::Intersect => "INTERSECT",
                };
                return Err(error(format!(
                    "SELECTs to the left and right of {name} do not have the same number of result columns"
                )));
            }
            correlated |= out.correlated;
            // A column's collation is that of the leftmost select that gives it one.
            for (c, o) in collations.iter_mut().zip(&out.columns) {
                if c.is_none() {
                    *c = o.collation.map(|x| x.0);
                }
            }
        }
        let key = KeyInfo::new(
            collations
                .iter()
                .map(|c| KeyColumn::new(c.unwrap_or(Collation::Binary), SortOrder::Asc))
                .collect(),
        );
        for (at, c) in patches {
            self.b.replace(
                at,
                Insn::OpenEphemeral {
                    cursor: c,
                    key: Some(key.clone()),
                },
            );
        }
        let from = match acc {
            Acc::Bag(c) | Acc::Set(c) => c,
        };
        let mut sorted = first.columns.clone();
        for (c, coll) in sorted.iter_mut().zip(&collations) {
            if c.collation.is_none() {
                c.collation = coll.map(|x| (x, false));
            }
        }
        self.emit_compound_rows(select, from, &sorted, dest)?;
        Ok(SelectOut {
            columns: first.columns,
            correlated,
        })
    }

    /// The accumulated rows through ORDER BY / LIMIT into the destination.
    fn emit_compound_rows(
        &mut self,
        select: &ast::Select,
        from: CursorId,
        columns: &[ColInfo],
        dest: Dest,
    ) -> Result<()> {
        let n = columns.len();
        let mut sink = self.new_sink(dest, false);
        let mut keys: Vec<(usize, KeyColumn)> = Vec::new();
        for (i, term) in select.order_by.iter().enumerate() {
            let (inner, explicit) = match &term.expr.kind {
                ExprKind::Collate { expr, collation } => (
                    expr.as_ref(),
                    Some(Collation::from_name(&collation.value).ok_or_else(|| {
                        error(format!("no such collation sequence: {}", collation.value))
                    })?),
                ),
                _ => (&term.expr, None),
            };
            let column = match &inner.kind {
                ExprKind::Literal(ast::Literal::Integer(t)) => match t.parse::<usize>() {
                    Ok(k) if (1..=n).contains(&k) => Some(k - 1),
                    _ => {
                        return Err(error(format!(
                            "{} ORDER BY term out of range - should be between 1 and {n}",
                            super::select::ordinal(i + 1)
                        )))
                    }
                },
                ExprKind::Id(name) => columns
                    .iter()
                    .position(|c| c.name.eq_ignore_ascii_case(&name.value)),
                ExprKind::Qualified { column, .. } => columns
                    .iter()
                    .position(|c| c.name.eq_ignore_ascii_case(&column.value)),
                _ => None,
            };
            let Some(column) = column else {
                return Err(error(format!(
                    "{} ORDER BY term does not match any column in the result set",
                    super::select::ordinal(i + 1)
                )));
            };
            let order = match term.order {
                Some(ast::SortOrder::Desc) => SortOrder::Desc,
                _ => SortOrder::Asc,
            };
            if term.nulls.is_some() {
                return Err(error(
                    "not supported yet: NULLS FIRST/LAST on a compound select",
                ));
            }
            let collation = explicit
                .or(columns[column].collation.map(|c| c.0))
                .unwrap_or(Collation::Binary);
            keys.push((column, KeyColumn::new(collation, order)));
        }
        if !keys.is_empty() {
            let cursor = self.b.cursor();
            self.b.emit(Insn::SorterOpen {
                cursor,
                key: KeyInfo::new(keys.iter().map(|k| k.1).collect()),
            });
            sink.sorter = Some(super::select::SorterSink {
                cursor,
                n_keys: keys.len(),
                from_key: None,
            });
        }
        self.limits(select.limit.as_ref(), &mut sink)?;
        let regs: Reg = self.b.regs(n.max(1));
        let key_regs: Reg = self.b.regs(keys.len().max(1));
        let rows = self.b.scan_start(from);
        self.b.columns(from, n, regs);
        for (k, (column, _)) in keys.iter().enumerate() {
            self.b.emit(Insn::Copy {
                src: regs + column,
                dest: key_regs + k,
                count: 1,
            });
        }
        self.emit_row(&sink, regs, n, Some(key_regs));
        self.b.scan_end(rows);
        self.finish_sink(&sink, n);
        Ok(())
    }
}
