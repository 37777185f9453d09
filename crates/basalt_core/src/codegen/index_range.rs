//! Index seeks: an equality prefix on an index's leading columns (`a = x AND b = y`),
//! optionally followed by a range on the next column (`c > lo`, `c <= hi`, `c BETWEEN lo AND
//! hi`).
//!
//! Invariants:
//! - A range only narrows the entries walked: its conditions stay in the level's list and are
//!   tested exactly on every row, so a bound that lets too much through costs time, never an
//!   answer. The equality terms are tested by the seek itself (`test_terms`).
//! - A range is taken only where SQLite would take it: with the comparison's collation the
//!   index column's and its affinity agreeing with the column's (`affinity_ok`), so index
//!   order is the comparison's order (reversed, on a DESC column) for every entry. On a DESC
//!   column the upper bound is where a forward walk starts.
//! - NULL keys never pass a range: without a lower bound the walk starts past the NULL
//!   entries, and a NULL bound (which no row can satisfy) ends the level at once.

use super::access::{affinity_ok, own_column, term_collation, value_info, EqTerm};
use super::in_seek::InLoop;
use super::scope::{ColRead, Scope};
use super::select::Cond;
use super::{Ctx, Label};
use crate::btree::SeekOp;
use crate::catalog::Index;
use crate::error::Result;
use crate::record::SortOrder;
use crate::sql::affinity::Affinity;
use crate::vdbe::{CmpOp, CursorId, Insn, Reg, Root};
use basalt_parser::ast::{self, BinaryOp, ExprKind};

/// `column < value` and friends, between a column of the level's table and a value known
/// before the level; the comparison's shape is kept in an [`EqTerm`] for affinity and
/// collation.
#[derive(Clone)]
pub(super) struct RangeTerm<'e> {
    pub term: EqTerm<'e>,
    /// A lower bound (`column > value`, `column >= value`), else an upper one.
    pub lower: bool,
    /// `>`/`<` rather than `>=`/`<=`.
    pub strict: bool,
}

/// A walk over an index's entries: an equality prefix, then maybe a range on the next column;
/// the range's conditions stay in the level's list.
pub(super) struct IndexSeek<'e> {
    pub index: Index,
    pub terms: Vec<EqTerm<'e>>,
    pub range: IndexRange<'e>,
    /// From the last entry to the first, for an ORDER BY (`order_walk.rs`).
    pub backward: bool,
}

/// The bounds of a range on the index column after the equality prefix.
#[derive(Clone, Default)]
pub(super) struct IndexRange<'e> {
    pub lower: Option<RangeTerm<'e>>,
    pub upper: Option<RangeTerm<'e>>,
}

impl IndexRange<'_> {
    /// How many bounds the range has (0 to 2).
    pub(super) fn bounds(&self) -> usize {
        usize::from(self.lower.is_some()) + usize::from(self.upper.is_some())
    }
}

/// The range conditions one condition gives: `column op value` either way round, and
/// `column BETWEEN lo AND hi` (a lower and an upper bound, the column on the left of both).
pub(super) fn range_terms<'e>(
    cond_index: usize,
    cond: &Cond<'e>,
    level: usize,
    sc: &Scope<'_>,
) -> Vec<RangeTerm<'e>> {
    let Cond::Ast(e) = cond else {
        return Vec::new();
    };
    let cursor = sc.sources[level].cursor;
    let later: Vec<CursorId> = sc.sources[level..].iter().map(|s| s.cursor).collect();
    let make = |col: &ast::Expr, value: &'e ast::Expr, column_left: bool| {
        let column = own_column(col, sc).filter(|r| r.cursor == cursor)?;
        let value_info = value_info(value, sc, &later)?;
        Some(EqTerm {
            cond: cond_index,
            column,
            value,
            value_info,
            column_left,
            list: None,
        })
    };
    match &e.kind {
        ExprKind::Binary(l, op, r) => {
            // (lower, strict) for `column op value`.
            let (lower, strict) = match op {
                BinaryOp::Gt => (true, true),
                BinaryOp::Ge => (true, false),
                BinaryOp::Lt => (false, true),
                BinaryOp::Le => (false, false),
                _ => return Vec::new(),
            };
            if let Some(term) = make(l, r, true) {
                return vec![RangeTerm {
                    term,
                    lower,
                    strict,
                }];
            }
            make(r, l, false)
                .map(|term| RangeTerm {
                    term,
                    lower: !lower,
                    strict,
                })
                .into_iter()
                .collect()
        }
        ExprKind::Between {
            expr,
            not: false,
            low,
            high,
        } => [(true, &**low), (false, &**high)]
            .into_iter()
            .filter_map(|(lower, v)| {
                make(expr, v, true).map(|term| RangeTerm {
                    term,
                    lower,
                    strict: false,
                })
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// The range usable on index column `at` (the one after an equality prefix of `at` columns):
/// the first lower and the first upper bound on that column that the index can serve.
pub(super) fn index_range<'e>(
    index: &Index,
    at: usize,
    ranges: &[RangeTerm<'e>],
) -> IndexRange<'e> {
    let mut range = IndexRange::default();
    let Some(column) = index.columns.get(at) else {
        return range;
    };
    let Some(n) = column.column else { return range };
    for r in ranges {
        let t = &r.term;
        let usable = t.column.read == ColRead::Column(n)
            && term_collation(t) == column.collation
            && affinity_ok(t.affinity(), t.column.affinity.unwrap_or(Affinity::Blob));
        if !usable {
            continue;
        }
        let side = if r.lower {
            &mut range.lower
        } else {
            &mut range.upper
        };
        side.get_or_insert_with(|| r.clone());
    }
    range
}

/// The seek that starts a walk (backwards if `backward`) over the index entries of a range
/// after an equality prefix of `n` columns, from the bound `from`, and how many key columns
/// it compares (none: the walk starts at an end). A ranged walk that would meet the range
/// column's NULL entries first starts past them.
fn seek_start(
    from: Option<&RangeTerm<'_>>,
    ranged: bool,
    nulls_first: bool,
    backward: bool,
    n: usize,
) -> (SeekOp, usize) {
    match (backward, from) {
        (false, Some(b)) if b.strict => (SeekOp::Gt, n + 1),
        (false, Some(_)) => (SeekOp::Ge, n + 1),
        (true, Some(b)) if b.strict => (SeekOp::Lt, n + 1),
        (true, Some(_)) => (SeekOp::Le, n + 1),
        // Past the NULL entries: the key's range slot holds NULL.
        (false, None) if ranged && nulls_first => (SeekOp::Gt, n + 1),
        (true, None) if ranged && nulls_first => (SeekOp::Lt, n + 1),
        // The first or last entry of the equality prefix.
        (false, None) => (SeekOp::Ge, n),
        (true, None) => (SeekOp::Le, n),
    }
}

impl Ctx<'_> {
    /// Opens the seek's index and walks the entries its equality terms and range select, each
    /// followed by its table row on `cursor`, inside the loop over an IN term's values if it
    /// has one. Returns the loop's top, the index cursor to advance, the loop's
    /// covering-index candidate (`covering.rs`) and the IN loop; rows failing an equality term
    /// jump to `next`, the walk's end to `exit`. The index is open before any IN loop starts,
    /// so code after the loop (an outer join's NULL row) finds it open even when the IN has
    /// no values.
    pub(super) fn open_index_seek(
        &mut self,
        seek: &IndexSeek<'_>,
        cursor: CursorId,
        sc: &Scope<'_>,
        exit: Label,
        next: Label,
    ) -> Result<(Label, CursorId, usize, Option<InLoop>)> {
        let IndexSeek {
            index,
            terms,
            range,
            backward,
        } = seek;
        let start = self.b.addr();
        let idx = self.b.cursor();
        self.b.emit(Insn::OpenRead {
            cursor: idx,
            db: index.db,
            root: Root::Page(index.root),
            key: Some(index.key_info()),
        });
        // An IN term's values come in the order this walk meets them in the index.
        let listed_desc = terms
            .iter()
            .position(|t| t.list.is_some())
            .and_then(|at| index.columns.get(at))
            .is_some_and(|c| c.order == SortOrder::Desc);
        let (exit, list) = self.open_in_loop(terms, listed_desc != *backward, exit, sc)?;
        let n = terms.len();
        let values = self.eval_values(terms, sc, list.as_ref())?;
        // A DESC range column holds its values in descending order: walking forward meets
        // them from the highest down. NULLs are the lowest values either way.
        let desc = index
            .columns
            .get(n)
            .is_some_and(|c| c.order == SortOrder::Desc);
        let ascending = desc == *backward;
        // The walk starts at one end of the range and stops past the other: from the lower
        // bound where values come in ascending order, from the upper one otherwise.
        let (from, to) = if ascending {
            (range.lower.as_ref(), range.upper.as_ref())
        } else {
            (range.upper.as_ref(), range.lower.as_ref())
        };
        let ranged = range.bounds() > 0;
        // The equality key, with one more slot for the starting bound (NULL without one).
        let key = self.key_with_bound(values, terms, from, sc, exit)?;
        // A ranged walk that meets the NULL entries last stops before them without a bound
        // at that end: the stop key's NULL slot.
        let to_key = if to.is_some() || (ranged && !ascending) {
            Some(self.key_with_bound(key, terms, to, sc, exit)?)
        } else {
            None
        };
        let (op, count) = seek_start(from, ranged, ascending, *backward, n);
        if count > 0 {
            self.b.emit(Insn::SeekIndex {
                cursor: idx,
                op,
                key,
                count,
                not_found: self.b.to(exit),
            });
        } else if *backward {
            self.b.emit(Insn::Last {
                cursor: idx,
                if_empty: self.b.to(exit),
            });
        } else {
            self.b.emit(Insn::Rewind {
                cursor: idx,
                if_empty: self.b.to(exit),
            });
        }
        let top = self.b.label();
        self.b.place(top);
        // (key, columns compared, whether an entry equal to the key is past the end too).
        let stop = match (to_key, to) {
            (Some(k), Some(b)) => Some((k, n + 1, b.strict)),
            // The NULL slot: NULL entries are past the end.
            (Some(k), None) => Some((k, n + 1, true)),
            (None, _) if n > 0 => Some((key, n, false)),
            (None, _) => None,
        };
        if let Some((stop_key, count, strict)) = stop {
            // Past the stop key (at it, for a strict bound) the walk is over.
            let op = match (*backward, strict) {
                (false, true) => CmpOp::Ge,
                (false, false) => CmpOp::Gt,
                (true, true) => CmpOp::Le,
                (true, false) => CmpOp::Lt,
            };
            self.b.emit(Insn::IdxCompare {
                cursor: idx,
                op,
                key: stop_key,
                count,
                target: self.b.to(exit),
            });
        }
        let rowid = self.b.reg();
        self.b.emit(Insn::IdxRowid {
            cursor: idx,
            dest: rowid,
        });
        let lookup = self.b.emit(Insn::SeekRowid {
            cursor,
            rowid,
            not_found: self.b.to(next),
        });
        let cover = self.cover_candidate(cursor, idx, index, start, lookup);
        self.test_terms(terms, values, sc, next);
        Ok((top, idx, cover, list))
    }

    /// A key of the equality values in `values..` (converted by their comparisons' affinities)
    /// followed by `bound`'s value converted the same way, or NULL without a bound. A NULL
    /// equality value or bound selects no row: those jump to `exit`.
    fn key_with_bound(
        &mut self,
        values: Reg,
        terms: &[EqTerm<'_>],
        bound: Option<&RangeTerm<'_>>,
        sc: &Scope<'_>,
        exit: Label,
    ) -> Result<Reg> {
        let n = terms.len();
        let key = self.b.regs(n + 1);
        if n > 0 {
            self.b.emit(Insn::Copy {
                src: values,
                dest: key,
                count: n,
            });
        }
        match bound {
            Some(b) => {
                self.expr(b.term.value, sc, key + n)?;
            }
            None => {
                self.b.emit(Insn::Null {
                    dest: key + n,
                    count: 1,
                });
            }
        }
        let mut affinities: Vec<Affinity> = terms.iter().map(EqTerm::affinity).collect();
        affinities.push(bound.map_or(Affinity::Blob, |b| b.term.affinity()));
        self.b.emit(Insn::KeyAffinity {
            start: key,
            affinities,
        });
        let checked = n + usize::from(bound.is_some());
        for i in 0..checked {
            self.b.emit(Insn::IsNull {
                reg: key + i,
                target: self.b.to(exit),
            });
        }
        Ok(key)
    }
}
