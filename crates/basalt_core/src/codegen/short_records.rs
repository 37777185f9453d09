//! Values for the fields a table record lacks. `ALTER TABLE ... ADD COLUMN` (run by SQLite, or
//! anything that wrote the file) does not rewrite existing rows: their records stop before the
//! new columns, and reading such a column yields the column's DEFAULT, as SQLite's `OP_Column`
//! does with the default it is given. Every read of a table cursor — SELECT, the old row of an
//! UPDATE, the index keys of a DELETE, the integrity check — must agree on that value, so it is
//! attached to the cursor when it opens (`Program::table_defaults`, looked up by root page)
//! instead of to each `Column` instruction.
//!
//! The value is the DEFAULT evaluated as SQLite evaluates a constant without running code:
//! literals, a sign, TRUE/FALSE, CAST and COLLATE around them, with the column's affinity
//! applied. Anything else (SQLite refuses to ADD a column with a non-constant default) reads as
//! NULL, as in SQLite.

use super::expr::hex_blob;
use crate::catalog::{Databases, Table};
use crate::record::Value;
use crate::sql::affinity::Affinity;
use crate::sql::convert::{cast, cast_numeric};
use crate::vdbe::{Insn, Program, Root, TableDefaults};
use basalt_parser::ast::{self, ExprKind, Literal, UnaryOp};
use std::sync::Arc;

/// The short-record defaults of every table `program` opens a cursor on by its root page.
pub(super) fn table_defaults(program: &Program, catalog: &Databases) -> Vec<TableDefaults> {
    let mut out: Vec<TableDefaults> = Vec::new();
    for insn in &program.insns {
        let (Insn::OpenRead {
            db,
            root: Root::Page(root),
            key: None,
            ..
        }
        | Insn::OpenWrite {
            db,
            root: Root::Page(root),
            key: None,
            ..
        }) = insn
        else {
            continue;
        };
        if out.iter().any(|t| t.db == *db && t.root == *root) {
            continue;
        }
        let table = catalog.get(*db).tables.iter().find(|t| t.root == *root);
        if let Some(values) = table.and_then(|t| record_defaults(t)) {
            out.push(TableDefaults {
                db: *db,
                root: *root,
                values,
            });
        }
    }
    out
}

/// What each record field of `table` reads as when the record is too short to hold it; `None`
/// when every such read is NULL (no column has a usable DEFAULT), which is most tables.
fn record_defaults(table: &Table) -> Option<Arc<[Value]>> {
    // Checked first: every statement that opens the table asks, and most tables have none.
    if table.columns.iter().all(|c| c.default.is_none()) {
        return None;
    }
    let values: Vec<Value> = table
        .columns
        .iter()
        .enumerate()
        .filter(|&(i, _)| table.record_field(i).is_some())
        .map(|(_, column)| {
            column
                .default
                .as_ref()
                .and_then(|e| constant_default(e, column.affinity))
                .unwrap_or(Value::Null)
        })
        .collect();
    values
        .iter()
        .any(|v| !matches!(v, Value::Null))
        .then(|| values.into())
}

/// The value of a constant DEFAULT expression stored under `affinity`, or `None` if it is not
/// one SQLite evaluates without running code. As in SQLite, an integer literal that fits in 32
/// bits is that integer; any other number is first the text it was written as (with its minus
/// sign), converted by the affinity (a TEXT column keeps `1e3` as written; no affinity makes it
/// a number); a sign before anything else makes the operand a number and negates it. The
/// column's affinity applies last.
pub(super) fn constant_default(e: &ast::Expr, affinity: Affinity) -> Option<Value> {
    let value = match &e.kind {
        ExprKind::Literal(Literal::Integer(text)) => match small_integer(text) {
            Some(i) => Value::Integer(i),
            None => return Some(number_as_written(text, affinity)),
        },
        ExprKind::Literal(Literal::Float(text)) => return Some(number_as_written(text, affinity)),
        ExprKind::Literal(Literal::String(s)) => Value::Text(s.as_bytes().to_vec()),
        ExprKind::Literal(Literal::Blob(hex)) => Value::Blob(hex_blob(hex)),
        ExprKind::Literal(Literal::Null) => Value::Null,
        ExprKind::Unary(UnaryOp::Neg, inner) => match &inner.kind {
            // One step, so that -9223372036854775808 stays an integer (not for long hex).
            ExprKind::Literal(Literal::Integer(text)) if small_integer(text).is_some() => {
                Value::Integer(-small_integer(text).unwrap_or_default())
            }
            ExprKind::Literal(Literal::Integer(text) | Literal::Float(text)) if !is_hex(text) => {
                return Some(number_as_written(&format!("-{text}"), affinity));
            }
            _ => match cast_numeric(constant_default(inner, affinity)?.as_value_ref()) {
                Value::Integer(i) => i
                    .checked_neg()
                    .map_or(Value::Real(-(i as f64)), Value::Integer),
                Value::Real(r) => Value::Real(-r),
                other => other,
            },
        },
        ExprKind::Unary(UnaryOp::Plus, inner) | ExprKind::Collate { expr: inner, .. } => {
            return constant_default(inner, affinity);
        }
        ExprKind::Id(name) if name.value.eq_ignore_ascii_case("true") => Value::Integer(1),
        ExprKind::Id(name) if name.value.eq_ignore_ascii_case("false") => Value::Integer(0),
        ExprKind::Cast {
            expr,
            type_name: Some(type_name),
        } => {
            let inner = constant_default(expr, Affinity::from_type_name(&type_name.name))?;
            cast(inner.as_value_ref(), &type_name.name)
        }
        _ => return None,
    };
    Some(affinity.apply(value.as_value_ref()))
}

/// A numeric literal under `affinity`: the text as written, converted as the affinity says
/// (no affinity converts it as NUMERIC does).
fn number_as_written(text: &str, affinity: Affinity) -> Value {
    let affinity = match affinity {
        Affinity::Blob => Affinity::Numeric,
        other => other,
    };
    affinity.apply(Value::Text(text.as_bytes().to_vec()).as_value_ref())
}

fn is_hex(text: &str) -> bool {
    text.starts_with("0x") || text.starts_with("0X")
}

/// The value of an integer literal that fits in a signed 32-bit integer (decimal, or hex of at
/// most 8 significant digits), as SQLite's parser keeps such literals; `None` for others.
pub(super) fn small_integer(text: &str) -> Option<i64> {
    let (digits, radix, max_digits) =
        match text.strip_prefix("0x").or_else(|| text.strip_prefix("0X")) {
            Some(hex) => (hex, 16, 8),
            None => (text, 10, 10),
        };
    let significant = digits.trim_start_matches('0');
    if significant.len() > max_digits || !significant.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    let value = i64::from_str_radix(
        if significant.is_empty() {
            "0"
        } else {
            significant
        },
        radix,
    )
    .ok()?;
    (value <= i64::from(i32::MAX)).then_some(value)
}
