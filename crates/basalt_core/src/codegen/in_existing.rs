//! IN over an existing b-tree, as SQLite's `sqlite3FindInIndex` chooses it: `x IN (SELECT c
//! FROM t)` with nothing else in the subquery probes `t` by rowid (when `c` is the rowid) or
//! an index whose first column is `c`, instead of copying `c` into an ephemeral set first.
//! `EXPLAIN QUERY PLAN` shows `USING ROWID SEARCH ON TABLE t FOR IN-OPERATOR` or `USING
//! INDEX i FOR IN-OPERATOR`, as SQLite's does.
//!
//! Invariants:
//! - The probe finds exactly what the set would hold: the index is not partial, its first
//!   column compares under the comparison's collation, and the comparison's affinity agrees
//!   with the column's (text only with text, numeric only with numeric, or none), so the
//!   probe converted by that affinity meets every equal entry.
//! - Only a subquery that cannot fail or mean anything else takes this path: one table of
//!   the catalog (no CTE or view of that name), one plain column of it, nothing else. Any
//!   other shape, and any error, is left to the ordinary subquery compile.
//! - Never in a statement that writes: the b-tree probed could change under the probe, where
//!   the set would not.

use super::expr::{binary_collation, comparison_affinity, Info};
use super::Ctx;
use crate::catalog::{Index, Table};
use crate::record::Collation;
use crate::sql::affinity::Affinity;
use crate::vdbe::{Insn, Reg, Root};
use basalt_parser::ast::{self, ExprKind};
use std::rc::Rc;

/// The b-tree an IN probes, with the affinity its probe takes.
pub(super) struct ExistingIn {
    table: Rc<Table>,
    /// `None`: the table itself, by rowid.
    index: Option<Index>,
    pub(super) affinity: Affinity,
}

impl Ctx<'_> {
    /// The b-tree `lhs IN (select)` can probe in place of a set, if any; where `looped`, the
    /// b-tree a seek can loop over in place of a set (`in_seek.rs`): the table's rowids, or
    /// a UNIQUE index on the column alone, whose entries the comparison's affinity leaves
    /// as they are, so each value comes once.
    pub(super) fn existing_in(
        &self,
        select: &ast::Select,
        lhs: Info,
        looped: bool,
    ) -> Option<ExistingIn> {
        if self.writes {
            return None;
        }
        let (table, column) = self.single_column_source(select, false)?;
        let rhs = column_info(&table, column)?;
        let affinity = rhs.affinity.unwrap_or(Affinity::Blob);
        let compared = comparison_affinity(lhs.affinity, rhs.affinity);
        let agrees = match compared {
            Affinity::Blob | Affinity::Text => true,
            _ => affinity.is_numeric(),
        };
        // Converting a column's values to text could make two entries one value; numeric
        // conversion cannot, as a UNIQUE index holds no two equal numbers.
        if !agrees || looped && compared == Affinity::Text && affinity != Affinity::Text {
            return None;
        }
        let Some(n) = column else {
            return Some(ExistingIn {
                table,
                index: None,
                affinity: compared,
            });
        };
        let wanted = binary_collation(lhs, rhs);
        let index = self
            .catalog
            .index_list(&table)
            .into_iter()
            .find(|i| {
                i.partial.is_none()
                    && (!looped || i.unique && i.columns.len() == 1)
                    && i.columns
                        .first()
                        .is_some_and(|c| c.column == Some(n) && c.collation == wanted)
            })
            .map(|i| Index::clone(i))?;
        Some(ExistingIn {
            table,
            index: Some(index),
            affinity: compared,
        })
    }

    /// The affinity and collation of the one column of `select`, where its rows can be
    /// gathered before any loop of the query around it: `SELECT [DISTINCT] c FROM t [WHERE
    /// …]` reading nothing but `t` (`single_column_source`). The rows are gathered in full
    /// before the loop's first row, so a statement that writes cannot change them.
    pub(super) fn in_select_column(&self, select: &ast::Select) -> Option<Info> {
        let (table, column) = self.single_column_source(select, true)?;
        column_info(&table, column)
    }

    /// `SELECT c FROM t` and nothing more (or, where `filtered`, `SELECT [DISTINCT] c FROM t
    /// WHERE …` with a WHERE that reads nothing but `t`'s own columns): `t`'s table and `c`'s
    /// position (`None`: the rowid).
    pub(super) fn single_column_source(
        &self,
        select: &ast::Select,
        filtered: bool,
    ) -> Option<(Rc<Table>, Option<usize>)> {
        let body = super::flatten::lone_body(select)?;
        if (body.distinct.is_some() || body.where_.is_some()) && !filtered
            || !body.group_by.is_empty()
            || body.having.is_some()
            || !body.windows.is_empty()
        {
            return None;
        }
        let (name, alias) = super::flatten::lone_table(body)?;
        let [ast::ResultColumn::Expr { expr, .. }] = body.columns.as_slice() else {
            return None;
        };
        let tname = &name.name.value;
        let shown = alias.unwrap_or(&name.name);
        let column_name = match &expr.kind {
            ExprKind::Id(n) => &n.value,
            ExprKind::Qualified {
                schema: None,
                table,
                column,
            } if table.value.eq_ignore_ascii_case(&shown.value) => &column.value,
            _ => return None,
        };
        if name.schema.is_none()
            && self
                .ctes
                .iter()
                .any(|c| c.name.value.eq_ignore_ascii_case(tname))
        {
            return None;
        }
        let db = self.schema_of(name).ok()?;
        let table = self.catalog.table_in(db, tname)?;
        if table.unsupported.is_some() || table.has_generated_columns() {
            return None;
        }
        let found = table
            .columns
            .iter()
            .position(|c| c.name.eq_ignore_ascii_case(column_name));
        let column = match found {
            Some(n) if table.rowid_alias == Some(n) => None,
            Some(n) => Some(n),
            None if is_rowid_name(column_name) => None,
            None => return None,
        };
        if let Some(w) = &body.where_ {
            if !reads_only(w, table, &shown.value) {
                return None;
            }
        }
        Some((table.clone(), column))
    }

    /// Opens `source`'s b-tree once per statement run; its cursor.
    pub(super) fn open_existing_in(&mut self, source: &ExistingIn) -> crate::vdbe::CursorId {
        let cursor = self.b.cursor();
        let opened = self.b.label();
        self.b.emit(Insn::Once {
            target: self.b.to(opened),
        });
        let (root, key) = match &source.index {
            Some(index) => (index.root, Some(index.key_info())),
            None => (source.table.root, None),
        };
        self.b.emit(Insn::OpenRead {
            cursor,
            db: source.table.db,
            root: Root::Page(root),
            key,
        });
        self.b.place(opened);
        let name = source.table.name.clone();
        match &source.index {
            Some(index) => {
                let index = index.name.clone();
                self.plan_note(|| format!("USING INDEX {index} FOR IN-OPERATOR"));
            }
            None => {
                self.plan_note(|| format!("USING ROWID SEARCH ON TABLE {name} FOR IN-OPERATOR"))
            }
        }
        cursor
    }

    /// Jumps to `found` if the table holds the rowid in `probe` (a number by now).
    pub(super) fn probe_rowid(
        &mut self,
        cursor: crate::vdbe::CursorId,
        probe: Reg,
        found: super::Label,
    ) {
        let missing = self.b.label();
        self.b.emit(Insn::SeekRowid {
            cursor,
            rowid: probe,
            not_found: self.b.to(missing),
        });
        self.b.emit(Insn::Goto {
            target: self.b.to(found),
        });
        self.b.place(missing);
    }
}

impl ExistingIn {
    /// Whether the probe is by rowid.
    pub(super) fn by_rowid(&self) -> bool {
        self.index.is_none()
    }
}

fn is_rowid_name(name: &str) -> bool {
    ["rowid", "oid", "_rowid_"]
        .iter()
        .any(|r| r.eq_ignore_ascii_case(name))
}

/// How column `column` of `table` (`None`: the rowid) compares: its affinity and collation.
fn column_info(table: &Table, column: Option<usize>) -> Option<Info> {
    let (affinity, collation) = match column {
        Some(n) => {
            let c = table.columns.get(n)?;
            (c.affinity, c.collation)
        }
        None => (Affinity::Integer, Collation::Binary),
    };
    Some(Info {
        affinity: Some(affinity),
        collation: Some((collation, false)),
    })
}

/// Whether `e` reads nothing but columns of `table` (named `shown` in its FROM): no name it
/// cannot resolve there, no subquery.
fn reads_only(e: &ast::Expr, table: &Table, shown: &str) -> bool {
    let own = |name: &str| {
        table
            .columns
            .iter()
            .any(|c| c.name.eq_ignore_ascii_case(name))
            || is_rowid_name(name)
    };
    let mut only = true;
    super::expr::walk(e, &mut |x| {
        match &x.kind {
            ExprKind::Id(n) => only &= own(&n.value),
            ExprKind::Qualified {
                schema: None,
                table: t,
                column,
            } => only &= t.value.eq_ignore_ascii_case(shown) && own(&column.value),
            ExprKind::Qualified { .. }
            | ExprKind::Subquery(_)
            | ExprKind::Exists(_)
            | ExprKind::InSelect { .. }
            | ExprKind::InTable { .. } => only = false,
            _ => {}
        }
        only
    });
    only
}
