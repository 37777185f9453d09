//! Expression code: each expression is evaluated into a target register, and compiling it tells
//! its affinity and collation (datatype3.html §4.2, §7), which the enclosing comparison needs.
//!
//! Invariants:
//! - A comparison applies `comparison_affinity` of its operands and the collation chosen by
//!   SQLite's precedence: an explicit COLLATE on the left, then on the right, then the left
//!   column's, then the right column's, else BINARY.
//! - An uncorrelated subquery runs once per statement execution (`Once`); a correlated one runs
//!   every time it is evaluated.

use super::lazy_call::LazyCall;
use super::query_plan::SubqueryKind;
use super::scope::{ColRead, Resolved, Scope};
use super::select::{Dest, SelectOut};
use super::{error, Ctx, Label};
use crate::error::{Error, ErrorCode, Result};
use crate::functions::{self, FunctionKind, Lookup};
use crate::record::{Collation, KeyColumn, KeyInfo, SortOrder};
use crate::sql::affinity::Affinity;
use crate::sql::agg::AGGREGATES;
use crate::sql::arith::{ArithOp, BitOp};
use crate::sql::func::{self as sqlfunc, Function};
use crate::vdbe::func::{Aggregate, Scalar};
use crate::vdbe::{Addr, CmpOp, CmpSpec, Insn, NullMode, Reg};
use basalt_parser::ast::{self, BinaryOp, ExprKind, Literal, Span, UnaryOp};
use std::cell::RefCell;
use std::rc::Rc;

/// What compiling an expression found out about its value.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Info {
    /// `None`: the expression has no affinity (not a column, not a CAST).
    pub affinity: Option<Affinity>,
    /// The collation and whether it was explicit (COLLATE).
    pub collation: Option<(Collation, bool)>,
}

/// The collation a binary comparison uses.
pub fn binary_collation(l: Info, r: Info) -> Collation {
    match (l.collation, r.collation) {
        (Some((c, true)), _) => c,
        (_, Some((c, true))) => c,
        (Some((c, false)), _) => c,
        (_, Some((c, false))) => c,
        _ => Collation::Binary,
    }
}

/// If `e` is a call of an aggregate function, which one. A call with the wrong number of
/// arguments is still an aggregate call: the aggregate code reports the count. An
/// application's function of the call's name and count decides first.
pub fn aggregate_of(e: &ast::Expr) -> Option<Aggregate> {
    let ExprKind::Function {
        name,
        args,
        over: None,
        ..
    } = &e.kind
    else {
        // A call with OVER is a window function, computed by `window.rs`.
        return None;
    };
    let argc = match args {
        ast::FunctionArgs::Star => 0,
        ast::FunctionArgs::List { args, .. } => args.len(),
    };
    match functions::lookup(&name.value, argc) {
        Lookup::Found(f) => {
            return match &f.kind {
                FunctionKind::Aggregate(_) | FunctionKind::Window(_) => Some(Aggregate::User(f)),
                FunctionKind::Scalar(_) | FunctionKind::Removed => None,
            }
        }
        // The scalar lookup reports it.
        Lookup::Hidden { .. } => return None,
        Lookup::WrongCount | Lookup::NotFound => {}
    }
    // min/max with several arguments are the scalar functions.
    if (name.value.eq_ignore_ascii_case("min") || name.value.eq_ignore_ascii_case("max"))
        && argc != 1
    {
        return None;
    }
    AGGREGATES
        .iter()
        .find(|a| a.name.eq_ignore_ascii_case(&name.value))
        .map(Aggregate::Builtin)
}

/// The scalar function `name` called with `argc` arguments, with SQLite's messages for an
/// unknown name or a wrong count.
fn scalar_function(name: &str, argc: usize) -> Result<Scalar> {
    let user_wrong_count = match functions::lookup(name, argc) {
        Lookup::Found(f) => match &f.kind {
            FunctionKind::Scalar(_) => return Ok(Scalar::User(f)),
            // Aggregates were taken out before (`aggregate_of`).
            FunctionKind::Aggregate(_) | FunctionKind::Window(_) | FunctionKind::Removed => {
                return Err(sqlfunc::wrong_arguments(name))
            }
        },
        // A removed definition hides the built-ins: SQLite then reports a wrong count if
        // the name is known at all.
        Lookup::Hidden { others } => {
            return Err(if others || sqlfunc::is_builtin(name) {
                sqlfunc::wrong_arguments(name)
            } else {
                Error::new(ErrorCode::Error, format!("no such function: {name}"))
            });
        }
        Lookup::WrongCount => true,
        Lookup::NotFound => false,
    };
    match sqlfunc::lookup(name, argc) {
        Ok(Function::Scalar(f)) => Ok(Scalar::Builtin(f)),
        // Aggregates were taken out before (`aggregate_of`); reaching one here means a wrong
        // argument count for it.
        Ok(Function::Aggregate(_)) => Err(sqlfunc::wrong_arguments(name)),
        Err(_) if user_wrong_count => Err(sqlfunc::wrong_arguments(name)),
        Err(e) => Err(e),
    }
}

/// The affinity a comparison applies to both operands (sqlite3CompareAffinity), from its
/// operands' affinities, `None` being an expression without one. This is the planner's half of
/// the rule: unlike `sql::affinity::comparison_affinities`, it tells a BLOB column (which
/// suppresses TEXT conversion of the other side) from an expression with no affinity at all.
pub fn comparison_affinity(left: Option<Affinity>, right: Option<Affinity>) -> Affinity {
    match (left, right) {
        (Some(l), Some(r)) => {
            if l.is_numeric() || r.is_numeric() {
                Affinity::Numeric
            } else {
                Affinity::Blob
            }
        }
        (Some(a), None) | (None, Some(a)) => a,
        (None, None) => Affinity::Blob,
    }
}

/// Calls `f` on every sub-expression of `e` that is evaluated in `e`'s own query (not inside
/// subqueries); `f` returns whether to descend further.
pub fn walk(e: &ast::Expr, f: &mut dyn FnMut(&ast::Expr) -> bool) {
    if !f(e) {
        return;
    }
    let mut go = |x: &ast::Expr| walk(x, f);
    match &e.kind {
        ExprKind::Unary(_, a)
        | ExprKind::Cast { expr: a, .. }
        | ExprKind::Collate { expr: a, .. } => go(a),
        ExprKind::NullTest { expr, .. } => go(expr),
        ExprKind::Binary(a, _, b) => {
            go(a);
            go(b);
        }
        ExprKind::Like {
            expr,
            pattern,
            escape,
            ..
        } => {
            go(expr);
            go(pattern);
            if let Some(x) = escape {
                go(x);
            }
        }
        ExprKind::Between {
            expr, low, high, ..
        } => {
            go(expr);
            go(low);
            go(high);
        }
        ExprKind::InList { expr, list, .. } => {
            go(expr);
            list.iter().for_each(&mut go);
        }
        ExprKind::InSelect { expr, .. } | ExprKind::InTable { expr, .. } => go(expr),
        ExprKind::Case {
            operand,
            whens,
            else_,
        } => {
            if let Some(o) = operand {
                go(o);
            }
            for (w, t) in whens {
                go(w);
                go(t);
            }
            if let Some(x) = else_ {
                go(x);
            }
        }
        ExprKind::Function { args, filter, .. } => {
            if let ast::FunctionArgs::List { args, .. } = args {
                args.iter().for_each(&mut go);
            }
            if let Some(x) = filter {
                go(x);
            }
        }
        ExprKind::Vector(items) => items.iter().for_each(&mut go),
        ExprKind::Raise {
            message: Some(m), ..
        } => go(m),
        _ => {}
    }
}

fn parse_integer_literal(text: &str, negative: bool) -> Result<Insn> {
    if let Some(hex) = text.strip_prefix("0x").or_else(|| text.strip_prefix("0X")) {
        let v = u64::from_str_radix(hex, 16)
            .map_err(|_| error(format!("hex literal too big: {text}")))? as i64;
        let v = if negative { v.wrapping_neg() } else { v };
        return Ok(Insn::Integer { value: v, dest: 0 });
    }
    let signed = if negative {
        format!("-{text}")
    } else {
        text.to_string()
    };
    Ok(match signed.parse::<i64>() {
        Ok(v) => Insn::Integer { value: v, dest: 0 },
        Err(_) => Insn::Real {
            value: crate::sql::convert::parse_f64(signed.as_bytes()),
            dest: 0,
        },
    })
}

fn with_dest(insn: Insn, target: Reg) -> Insn {
    match insn {
        Insn::Integer { value, .. } => Insn::Integer {
            value,
            dest: target,
        },
        Insn::Real { value, .. } => Insn::Real {
            value,
            dest: target,
        },
        other => other,
    }
}

pub(super) fn hex_blob(hex: &str) -> Vec<u8> {
    (0..hex.len() / 2)
        .filter_map(|i| u8::from_str_radix(hex.get(2 * i..2 * i + 2)?, 16).ok())
        .collect()
}

impl Ctx<'_> {
    /// Compiles `e` into a new register.
    pub fn expr_new(&mut self, e: &ast::Expr, sc: &Scope<'_>) -> Result<(Reg, Info)> {
        let r = self.b.reg();
        let info = self.expr(e, sc, r)?;
        Ok((r, info))
    }

    /// Compiles `e` as an operand only read by the instruction that consumes it: a constant is
    /// computed once per execution in the prologue and its register returned, so loops do not
    /// reload it on every row.
    fn operand(&mut self, e: &ast::Expr, sc: &Scope<'_>) -> Result<(Reg, Info)> {
        // A window query's outer phase binds even constants to the row's registers.
        if !hoistable(e) || sc.window.is_some() {
            return self.expr_new(e, sc);
        }
        let start = self.b.addr();
        let compiled = self.expr_new(e, sc)?;
        self.b.hoist_from(start);
        Ok(compiled)
    }

    pub fn column_read(&mut self, r: &Resolved, sc: &Scope<'_>, target: Reg) {
        let Some(alt) = r.alt_column() else {
            return self.one_column_read(r, sc, target);
        };
        let (first, second) = match r.alt {
            Some(a) if a.first => (alt, r.plain()),
            _ => (r.plain(), alt),
        };
        let done = self.b.label();
        self.one_column_read(&first, sc, target);
        self.b.emit(Insn::NotNull {
            reg: target,
            target: self.b.to(done),
        });
        self.one_column_read(&second, sc, target);
        self.b.place(done);
    }

    fn one_column_read(&mut self, r: &Resolved, sc: &Scope<'_>, target: Reg) {
        if self.read_ignored(r, sc) {
            self.b.emit(Insn::Null {
                dest: target,
                count: 1,
            });
            return;
        }
        if let Some(reg) = sc.agg_column(r) {
            self.b.emit(Insn::Copy {
                src: reg,
                dest: target,
                count: 1,
            });
            return;
        }
        match r.read {
            ColRead::Rowid => {
                self.b.emit(Insn::Rowid {
                    cursor: r.cursor,
                    dest: target,
                });
            }
            ColRead::Column(n) => {
                self.b.emit(Insn::Column {
                    cursor: r.cursor,
                    column: n,
                    dest: target,
                    default: None,
                });
                if r.real {
                    self.b.emit(Insn::RealAffinity { reg: target });
                }
            }
        }
    }

    fn column_info(r: &Resolved) -> Info {
        Info {
            affinity: Some(r.affinity.unwrap_or(Affinity::Blob)),
            collation: Some((r.collation, false)),
        }
    }

    /// `func`, unless it is not deterministic and this is an index, where SQLite refuses it.
    fn allowed_here(&self, func: Scalar) -> Result<Scalar> {
        match self.pure_use.and_then(|p| p.prohibits_volatile()) {
            Some(place) if !func.is_deterministic() => Err(error(format!(
                "non-deterministic functions prohibited in {place}"
            ))),
            _ => Ok(func),
        }
    }

    pub fn expr(&mut self, e: &ast::Expr, sc: &Scope<'_>, target: Reg) -> Result<Info> {
        let none = Info::default();
        if let Some(w) = &sc.window {
            if let Some((_, reg, info)) = w.exprs.iter().find(|(x, _, _)| x == e) {
                self.b.emit(Insn::Copy {
                    src: *reg,
                    dest: target,
                    count: 1,
                });
                return Ok(*info);
            }
        }
        match &e.kind {
            ExprKind::Literal(lit) => {
                match lit {
                    Literal::Null => {
                        self.b.emit(Insn::Null {
                            dest: target,
                            count: 1,
                        });
                    }
                    Literal::Integer(text) => {
                        let insn = parse_integer_literal(text, false)?;
                        self.b.emit(with_dest(insn, target));
                    }
                    Literal::Float(text) => {
                        self.b.emit(Insn::Real {
                            value: crate::sql::convert::parse_f64(text.as_bytes()),
                            dest: target,
                        });
                    }
                    Literal::String(s) => {
                        self.b.emit(Insn::Text {
                            value: s.as_bytes().to_vec(),
                            dest: target,
                        });
                    }
                    Literal::Blob(hex) => {
                        self.b.emit(Insn::Blob {
                            value: hex_blob(hex),
                            dest: target,
                        });
                    }
                    Literal::CurrentDate | Literal::CurrentTime | Literal::CurrentTimestamp => {
                        // The keywords are calls of the functions of the same name.
                        let name = match lit {
                            Literal::CurrentDate => "current_date",
                            Literal::CurrentTime => "current_time",
                            _ => "current_timestamp",
                        };
                        self.b.emit(Insn::Function {
                            func: self.allowed_here(scalar_function(name, 0)?)?,
                            args: target,
                            argc: 0,
                            dest: target,
                            collation: Collation::Binary,
                            pure: self.pure_use,
                        });
                    }
                }
                Ok(none)
            }
            ExprKind::Variable(text) => {
                let index = self.params.index_of(text, e.span.start)?;
                self.b.emit(Insn::Variable {
                    index: index - 1,
                    dest: target,
                });
                Ok(none)
            }
            ExprKind::Id(name) => {
                if let Some(r) = sc.resolve(None, &name.value)? {
                    self.column_read(&r, sc, target);
                    return Ok(Self::column_info(&r));
                }
                if let Some((_, alias_expr)) = sc
                    .aliases
                    .iter()
                    .find(|(a, _)| a.eq_ignore_ascii_case(&name.value))
                {
                    let alias_expr = alias_expr.clone();
                    if sc.window.is_none() && super::window::contains_window(&alias_expr) {
                        return Err(error(format!(
                            "misuse of aliased window function {}",
                            name.value
                        )));
                    }
                    if self.alias_depth > 16 {
                        return Err(error(format!("no such column: {}", name.value)));
                    }
                    self.alias_depth += 1;
                    let info = self.expr(&alias_expr, sc, target);
                    self.alias_depth -= 1;
                    return info;
                }
                if name.quote == ast::Quote::Double {
                    self.b.emit(Insn::Text {
                        value: name.value.as_bytes().to_vec(),
                        dest: target,
                    });
                    return Ok(none);
                }
                // An unquoted TRUE or FALSE that names no column is the number 1 or 0.
                if name.quote == ast::Quote::None {
                    let truth = ["false", "true"]
                        .iter()
                        .position(|t| name.value.eq_ignore_ascii_case(t));
                    if let Some(value) = truth {
                        self.b.emit(Insn::Integer {
                            value: value as i64,
                            dest: target,
                        });
                        return Ok(none);
                    }
                }
                Err(error(format!("no such column: {}", name.value)))
            }
            ExprKind::Qualified {
                schema,
                table,
                column,
            } => {
                // `db.table.column` names only a table source of that database.
                let r = match schema {
                    Some(s) if !sc.has_table_in(&table.value, &s.value) => None,
                    _ => sc.resolve(Some(&table.value), &column.value)?,
                };
                match r {
                    Some(r) => {
                        self.column_read(&r, sc, target);
                        Ok(Self::column_info(&r))
                    }
                    None => {
                        let mut full = String::new();
                        if let Some(s) = schema {
                            full.push_str(&s.value);
                            full.push('.');
                        }
                        full.push_str(&table.value);
                        full.push('.');
                        full.push_str(&column.value);
                        Err(error(format!("no such column: {full}")))
                    }
                }
            }
            ExprKind::Unary(op, inner) => self.unary(*op, inner, sc, target),
            ExprKind::Binary(l, op, r) => self.binary(l, *op, r, sc, target),
            ExprKind::Like {
                expr,
                not,
                op,
                pattern,
                escape,
            } => {
                let name = match op {
                    ast::LikeOp::Like => "like",
                    ast::LikeOp::Glob => "glob",
                    // No built-in: only an application's regexp()/match() serves them.
                    ast::LikeOp::Regexp => "regexp",
                    ast::LikeOp::Match => "match",
                };
                let argc = if escape.is_some() { 3 } else { 2 };
                let func = match scalar_function(name, argc) {
                    Err(_) if matches!(op, ast::LikeOp::Regexp | ast::LikeOp::Match) => {
                        let upper = name.to_ascii_uppercase();
                        return Err(error(format!("no such function: {upper}")));
                    }
                    found => found?,
                };
                let args = self.b.regs(argc);
                self.expr(pattern, sc, args)?;
                self.expr(expr, sc, args + 1)?;
                if let Some(esc) = escape {
                    self.expr(esc, sc, args + 2)?;
                }
                self.b.emit(Insn::Function {
                    func,
                    args,
                    argc,
                    dest: target,
                    collation: Collation::Binary,
                    pure: self.pure_use,
                });
                if *not {
                    self.b.emit(Insn::Not {
                        src: target,
                        dest: target,
                    });
                }
                Ok(none)
            }
            ExprKind::NullTest { expr, not } => {
                let (r, _) = self.expr_new(expr, sc)?;
                let is_null = self.b.label();
                let end = self.b.label();
                self.b.emit(Insn::IsNull {
                    reg: r,
                    target: self.b.to(is_null),
                });
                self.b.emit(Insn::Integer {
                    value: i64::from(*not),
                    dest: target,
                });
                self.b.emit(Insn::Goto {
                    target: self.b.to(end),
                });
                self.b.place(is_null);
                self.b.emit(Insn::Integer {
                    value: i64::from(!*not),
                    dest: target,
                });
                self.b.place(end);
                Ok(none)
            }
            ExprKind::Between {
                expr,
                not,
                low,
                high,
            } => {
                let [ge, le] = self.between_operands(expr, low, high, sc)?;
                let ge_reg = self.b.reg();
                self.b.emit(ge.store(ge_reg));
                let le_reg = self.b.reg();
                self.b.emit(le.store(le_reg));
                self.b.emit(Insn::And {
                    lhs: ge_reg,
                    rhs: le_reg,
                    dest: target,
                });
                if *not {
                    self.b.emit(Insn::Not {
                        src: target,
                        dest: target,
                    });
                }
                Ok(none)
            }
            ExprKind::InList { expr, not, list } => {
                self.in_list(expr, *not, list, sc, target)?;
                Ok(none)
            }
            ExprKind::InSelect { expr, not, select } => {
                self.in_select(expr, *not, select, e.span, sc, target)?;
                Ok(none)
            }
            ExprKind::InTable {
                expr,
                not,
                table,
                args,
            } => {
                if args.is_some() {
                    return Err(error("not supported yet: table-valued functions"));
                }
                let select = select_star_from(table)?;
                self.in_select(expr, *not, &select, e.span, sc, target)?;
                Ok(none)
            }
            ExprKind::Subquery(select) => self.scalar_subquery(select, e.span, sc, target),
            ExprKind::Exists(select) => {
                self.exists(select, e.span, sc, target)?;
                Ok(none)
            }
            ExprKind::Case {
                operand,
                whens,
                else_,
            } => self.case(operand.as_deref(), whens, else_.as_deref(), sc, target),
            ExprKind::Cast { expr, type_name } => {
                let inner = self.expr(expr, sc, target)?;
                let type_name = type_name
                    .as_ref()
                    .map(|t| t.name.clone())
                    .unwrap_or_default();
                let affinity = Affinity::from_type_name(&type_name);
                self.b.emit(Insn::Cast {
                    reg: target,
                    type_name,
                });
                Ok(Info {
                    affinity: Some(affinity),
                    collation: inner.collation,
                })
            }
            ExprKind::Collate { expr, collation } => {
                let c = Collation::from_name(&collation.value).ok_or_else(|| {
                    // SQLITE_ERROR_MISSING_COLLSEQ.
                    error(format!("no such collation sequence: {}", collation.value))
                        .with_extended_code(Some(1 | (1 << 8)))
                })?;
                let inner = self.expr(expr, sc, target)?;
                Ok(Info {
                    affinity: inner.affinity,
                    collation: Some((c, true)),
                })
            }
            ExprKind::Function {
                name,
                args,
                filter,
                over,
            } => {
                if over.is_some() {
                    // Bound above when it is a result column's or ORDER BY term's (`window.rs`).
                    return Err(error(format!("misuse of window function {}()", name.value)));
                }
                if aggregate_of(e).is_some() {
                    if let Some(agg) = &sc.agg {
                        if let Some((_, reg)) = agg.calls.iter().find(|(c, _)| c == e) {
                            self.b.emit(Insn::Copy {
                                src: *reg,
                                dest: target,
                                count: 1,
                            });
                            return Ok(none);
                        }
                    }
                    return Err(error(format!("misuse of aggregate: {}()", name.value)));
                }
                if filter.is_some() {
                    return Err(error(format!(
                        "FILTER may not be used with non-aggregate {}()",
                        name.value
                    )));
                }
                self.scalar_call(name, args, sc, target)
            }
            ExprKind::Raise { .. } => {
                Err(error("RAISE() may only be used within a trigger-program"))
            }
            ExprKind::Vector(_) => Err(error("row value misused")),
        }
    }

    fn scalar_call(
        &mut self,
        name: &ast::Name,
        args: &ast::FunctionArgs,
        sc: &Scope<'_>,
        target: Reg,
    ) -> Result<Info> {
        let list: &[ast::Expr] = match args {
            ast::FunctionArgs::Star => &[],
            ast::FunctionArgs::List { distinct, args, .. } => {
                if *distinct {
                    return Err(error("DISTINCT aggregates must have exactly one argument"));
                }
                args
            }
        };
        let func = self.allowed_here(scalar_function(&name.value, list.len())?)?;
        if let Some(lazy) = func.builtin_name().and_then(LazyCall::of) {
            return self.lazy_call(lazy, list, sc, target);
        }
        let base = self.b.regs(list.len().max(1));
        let mut collation = None;
        for (i, a) in list.iter().enumerate() {
            let info = self.expr(a, sc, base + i)?;
            collation = match (collation, info.collation) {
                (Some((_, true)), _) => collation,
                (_, Some((c, true))) => Some((c, true)),
                (None, c) => c,
                (c, _) => c,
            };
        }
        let min_max = matches!(func.builtin_name(), Some("min" | "max"));
        self.b.emit(Insn::Function {
            func,
            args: base,
            argc: list.len(),
            dest: target,
            collation: collation.map_or(Collation::Binary, |(c, _)| c),
            pure: self.pure_use,
        });
        // Function results have no affinity; min/max keep the collation of their arguments.
        Ok(Info {
            affinity: None,
            collation: if min_max { collation } else { None },
        })
    }

    fn unary(
        &mut self,
        op: UnaryOp,
        inner: &ast::Expr,
        sc: &Scope<'_>,
        target: Reg,
    ) -> Result<Info> {
        match op {
            UnaryOp::Neg => {
                if let ExprKind::Literal(Literal::Integer(text)) = &inner.kind {
                    let insn = parse_integer_literal(text, true)?;
                    self.b.emit(with_dest(insn, target));
                    return Ok(Info::default());
                }
                if let ExprKind::Literal(Literal::Float(text)) = &inner.kind {
                    self.b.emit(Insn::Real {
                        value: -crate::sql::convert::parse_f64(text.as_bytes()),
                        dest: target,
                    });
                    return Ok(Info::default());
                }
                self.expr(inner, sc, target)?;
                self.b.emit(Insn::Negate {
                    src: target,
                    dest: target,
                });
                Ok(Info::default())
            }
            UnaryOp::Plus => {
                let info = self.expr(inner, sc, target)?;
                Ok(Info {
                    affinity: None,
                    collation: info.collation,
                })
            }
            UnaryOp::BitNot => {
                self.expr(inner, sc, target)?;
                self.b.emit(Insn::BitNot {
                    src: target,
                    dest: target,
                });
                Ok(Info::default())
            }
            UnaryOp::Not => {
                self.expr(inner, sc, target)?;
                self.b.emit(Insn::Not {
                    src: target,
                    dest: target,
                });
                Ok(Info::default())
            }
        }
    }

    fn binary(
        &mut self,
        l: &ast::Expr,
        op: BinaryOp,
        r: &ast::Expr,
        sc: &Scope<'_>,
        target: Reg,
    ) -> Result<Info> {
        if matches!(l.kind, ExprKind::Vector(_)) || matches!(r.kind, ExprKind::Vector(_)) {
            return Err(error("row value misused"));
        }
        // SQLite's simplification: `x OR 1` is 1 and `x AND 0` is 0 without computing `x`.
        let decided = match op {
            BinaryOp::Or => [l, r]
                .iter()
                .any(|e| literal_truth(e, sc) == Some(true))
                .then_some(1),
            BinaryOp::And => [l, r]
                .iter()
                .any(|e| literal_truth(e, sc) == Some(false))
                .then_some(0),
            _ => None,
        };
        if let Some(value) = decided {
            self.b.emit(Insn::Integer {
                value,
                dest: target,
            });
            return Ok(Info::default());
        }
        let (a, ai) = self.operand(l, sc)?;
        let (b, bi) = self.operand(r, sc)?;
        let insn = match op {
            BinaryOp::Or => Insn::Or {
                lhs: a,
                rhs: b,
                dest: target,
            },
            BinaryOp::And => Insn::And {
                lhs: a,
                rhs: b,
                dest: target,
            },
            BinaryOp::BitAnd => Insn::Bit {
                op: BitOp::And,
                lhs: a,
                rhs: b,
                dest: target,
            },
            BinaryOp::BitOr => Insn::Bit {
                op: BitOp::Or,
                lhs: a,
                rhs: b,
                dest: target,
            },
            BinaryOp::LShift => Insn::Bit {
                op: BitOp::ShiftLeft,
                lhs: a,
                rhs: b,
                dest: target,
            },
            BinaryOp::RShift => Insn::Bit {
                op: BitOp::ShiftRight,
                lhs: a,
                rhs: b,
                dest: target,
            },
            BinaryOp::Add => arith(ArithOp::Add, a, b, target),
            BinaryOp::Sub => arith(ArithOp::Subtract, a, b, target),
            BinaryOp::Mul => arith(ArithOp::Multiply, a, b, target),
            BinaryOp::Div => arith(ArithOp::Divide, a, b, target),
            BinaryOp::Rem => arith(ArithOp::Remainder, a, b, target),
            BinaryOp::Concat => Insn::Concat {
                lhs: a,
                rhs: b,
                dest: target,
            },
            BinaryOp::Arrow | BinaryOp::LongArrow => {
                return Err(error("not supported yet: JSON operators"))
            }
            _ => {
                let (cmp, nulls) = comparison_of(op)
                    .ok_or_else(|| Error::new(ErrorCode::Internal, "unknown binary operator"))?;
                Comparison {
                    spec: cmp_spec(cmp, ai, bi, nulls),
                    lhs: a,
                    rhs: b,
                }
                .store(target)
            }
        };
        self.b.emit(insn);
        let collation = if matches!(op, BinaryOp::Concat) {
            None
        } else {
            // Arithmetic keeps an explicit COLLATE of an operand visible to an enclosing
            // comparison, as SQLite's collation search does.
            match (ai.collation, bi.collation) {
                (Some((c, true)), _) | (_, Some((c, true))) => Some((c, true)),
                _ => None,
            }
        };
        Ok(Info {
            affinity: None,
            collation,
        })
    }

    fn case(
        &mut self,
        operand: Option<&ast::Expr>,
        whens: &[(ast::Expr, ast::Expr)],
        else_: Option<&ast::Expr>,
        sc: &Scope<'_>,
        target: Reg,
    ) -> Result<Info> {
        let end = self.b.label();
        let base = match operand {
            Some(o) => Some(self.expr_new(o, sc)?),
            None => None,
        };
        let cond = self.b.reg();
        for (when, then) in whens {
            let next = self.b.label();
            match base {
                Some((r, info)) => {
                    let (w, wi) = self.expr_new(when, sc)?;
                    self.b.emit(Insn::CompareStore {
                        spec: cmp_spec(CmpOp::Eq, info, wi, NullMode::Unknown),
                        lhs: r,
                        rhs: w,
                        dest: cond,
                    });
                }
                None => {
                    // A condition, computed as far as decides it (as WHERE's).
                    self.filter(when, sc, next)?;
                }
            }
            if base.is_some() {
                self.b.emit(Insn::IfNot {
                    reg: cond,
                    target: self.b.to(next),
                    if_null: true,
                });
            }
            self.expr(then, sc, target)?;
            self.b.emit(Insn::Goto {
                target: self.b.to(end),
            });
            self.b.place(next);
        }
        match else_ {
            Some(x) => {
                self.expr(x, sc, target)?;
            }
            None => {
                self.b.emit(Insn::Null {
                    dest: target,
                    count: 1,
                });
            }
        }
        self.b.place(end);
        Ok(Info::default())
    }

    fn in_list(
        &mut self,
        expr: &ast::Expr,
        not: bool,
        list: &[ast::Expr],
        sc: &Scope<'_>,
        target: Reg,
    ) -> Result<()> {
        if list.is_empty() {
            self.b.emit(Insn::Integer {
                value: i64::from(not),
                dest: target,
            });
            return Ok(());
        }
        let (x, xi) = self.expr_new(expr, sc)?;
        let found = self.b.label();
        let null = self.b.label();
        let end = self.b.label();
        let has_null = self.b.reg();
        self.b.emit(Insn::Integer {
            value: 0,
            dest: has_null,
        });
        self.b.emit(Insn::IsNull {
            reg: x,
            target: self.b.to(null),
        });
        let spec = CmpSpec {
            op: CmpOp::Eq,
            affinity: xi.affinity.unwrap_or(Affinity::Blob),
            collation: xi.collation.map_or(Collation::Binary, |(c, _)| c),
            nulls: NullMode::Unknown,
        };
        for item in list {
            let (r, _) = self.expr_new(item, sc)?;
            self.b.emit(Insn::Compare {
                spec,
                lhs: x,
                rhs: r,
                target: self.b.to(found),
            });
            let not_null = self.b.label();
            self.b.emit(Insn::NotNull {
                reg: r,
                target: self.b.to(not_null),
            });
            self.b.emit(Insn::Integer {
                value: 1,
                dest: has_null,
            });
            self.b.place(not_null);
        }
        self.b.emit(Insn::If {
            reg: has_null,
            target: self.b.to(null),
            if_null: false,
        });
        self.in_outcomes(not, target, found, end);
        self.b.place(null);
        self.b.emit(Insn::Null {
            dest: target,
            count: 1,
        });
        self.b.place(end);
        Ok(())
    }

    /// Runs `body` once per statement execution unless the code it generates turns out to be
    /// correlated (then every time).
    pub(super) fn once<F>(&mut self, body: F) -> Result<SelectOut>
    where
        F: FnOnce(&mut Self) -> Result<SelectOut>,
    {
        let skip = self.b.label();
        let once_addr = self.b.emit(Insn::Once {
            target: self.b.to(skip),
        });
        let out = body(self)?;
        if out.correlated {
            self.b.replace(once_addr, Insn::Noop);
        }
        self.b.place(skip);
        Ok(out)
    }

    /// The two definite answers of an IN test: falling through here, not found; jumping to
    /// `found`, found. Both go on to `end`, past the NULL answer each caller places between.
    fn in_outcomes(&mut self, not: bool, target: Reg, found: Label, end: Label) {
        self.b.emit(Insn::Integer {
            value: i64::from(not),
            dest: target,
        });
        self.b.emit(Insn::Goto {
            target: self.b.to(end),
        });
        self.b.place(found);
        self.b.emit(Insn::Integer {
            value: i64::from(!not),
            dest: target,
        });
        self.b.emit(Insn::Goto {
            target: self.b.to(end),
        });
    }

    fn in_select(
        &mut self,
        expr: &ast::Expr,
        not: bool,
        select: &ast::Select,
        span: Span,
        sc: &Scope<'_>,
        target: Reg,
    ) -> Result<()> {
        if matches!(expr.kind, ExprKind::Vector(_)) {
            return Err(error("not supported yet: row values"));
        }
        let (x, xi) = self.expr_new(expr, sc)?;
        if let Some(source) = self.existing_in(select, xi, false) {
            let cursor = self.open_existing_in(&source);
            self.in_probe(x, source.affinity, cursor, source.by_rowid(), not, target);
            return Ok(());
        }
        let cursor = self.b.cursor();
        let patches = Rc::new(RefCell::new(Vec::new()));
        let key_addr = self.b.addr();
        let out = self.plan_subquery(SubqueryKind::List, span, |ctx| {
            ctx.once(|ctx| {
                ctx.b.emit(Insn::OpenEphemeral {
                    cursor,
                    key: Some(KeyInfo::binary(1)),
                });
                ctx.select(
                    select,
                    Some(sc),
                    Dest::Set {
                        cursor,
                        affinity_patches: Rc::clone(&patches),
                    },
                )
            })
        })?;
        if out.columns.len() != 1 {
            return Err(error(format!(
                "sub-select returns {} columns - expected 1",
                out.columns.len()
            )));
        }
        // Now that the subquery's column is known: the comparison's affinity and collation.
        let col = &out.columns[0];
        let affinity = comparison_affinity(xi.affinity, col.affinity);
        let collation = binary_collation(xi, col.info());
        self.patch_set_affinity(&patches.borrow(), affinity);
        // The OpenEphemeral is the first instruction after the Once.
        self.b.replace(
            key_addr + 1,
            Insn::OpenEphemeral {
                cursor,
                key: Some(KeyInfo::new(vec![KeyColumn::new(
                    collation,
                    SortOrder::Asc,
                )])),
            },
        );
        self.in_probe(x, affinity, cursor, false, not, target);
        Ok(())
    }

    /// Sets the affinity of the `Affinity` instructions at `patches` (a `Dest::Set`'s, whose
    /// affinity is known only once its subquery is compiled) to `affinity`.
    pub(super) fn patch_set_affinity(&mut self, patches: &[Addr], affinity: Affinity) {
        for &addr in patches {
            if let Some(Insn::Affinity { start, .. }) = self.b.insn(addr) {
                let start = *start;
                self.b.replace(
                    addr,
                    Insn::Affinity {
                        start,
                        affinities: vec![affinity],
                    },
                );
            }
        }
    }

    /// `x IN set` into `target`, the set's b-tree open on `cursor` (an index or ephemeral set
    /// of one-field keys, or a table probed by rowid): the probe is `x` converted by
    /// `affinity`. NULL when `x` is NULL and the set is not empty, or when `x` is not found
    /// and the set holds a NULL (a table's rowids never are).
    fn in_probe(
        &mut self,
        x: Reg,
        affinity: Affinity,
        cursor: crate::vdbe::CursorId,
        by_rowid: bool,
        not: bool,
        target: Reg,
    ) {
        let probe = self.b.reg();
        self.b.emit(Insn::Copy {
            src: x,
            dest: probe,
            count: 1,
        });
        self.b.emit(Insn::Affinity {
            start: probe,
            affinities: vec![affinity],
        });
        let found = self.b.label();
        let null = self.b.label();
        let x_null = self.b.label();
        let end = self.b.label();
        self.b.emit(Insn::IsNull {
            reg: x,
            target: self.b.to(x_null),
        });
        if by_rowid {
            self.probe_rowid(cursor, probe, found);
        } else {
            self.b.emit(Insn::Found {
                cursor,
                key: probe,
                count: 1,
                target: self.b.to(found),
            });
            let null_key = self.b.reg();
            self.b.emit(Insn::Null {
                dest: null_key,
                count: 1,
            });
            self.b.emit(Insn::Found {
                cursor,
                key: null_key,
                count: 1,
                target: self.b.to(null),
            });
        }
        let empty = self.b.label();
        self.b.place(empty);
        self.in_outcomes(not, target, found, end);
        self.b.place(x_null);
        // NULL IN (empty set) is false; NULL IN (anything else) is NULL.
        self.b.emit(Insn::Rewind {
            cursor,
            if_empty: self.b.to(empty),
        });
        self.b.place(null);
        self.b.emit(Insn::Null {
            dest: target,
            count: 1,
        });
        self.b.place(end);
    }

    fn scalar_subquery(
        &mut self,
        select: &ast::Select,
        span: Span,
        sc: &Scope<'_>,
        target: Reg,
    ) -> Result<Info> {
        let result = self.b.reg();
        let done = self.b.label();
        let out = self.plan_subquery(SubqueryKind::Scalar, span, |ctx| {
            ctx.once(|ctx| {
                ctx.b.emit(Insn::Null {
                    dest: result,
                    count: 1,
                });
                let out = ctx.select(select, Some(sc), Dest::Scalar { reg: result, done })?;
                ctx.b.place(done);
                Ok(out)
            })
        })?;
        if out.columns.len() != 1 {
            return Err(error(format!(
                "sub-select returns {} columns - expected 1",
                out.columns.len()
            )));
        }
        self.b.emit(Insn::Copy {
            src: result,
            dest: target,
            count: 1,
        });
        Ok(out.columns[0].info())
    }

    fn exists(
        &mut self,
        select: &ast::Select,
        span: Span,
        sc: &Scope<'_>,
        target: Reg,
    ) -> Result<()> {
        let result = self.b.reg();
        let done = self.b.label();
        self.plan_subquery(SubqueryKind::Scalar, span, |ctx| {
            ctx.once(|ctx| {
                ctx.b.emit(Insn::Integer {
                    value: 0,
                    dest: result,
                });
                let out = ctx.select(select, Some(sc), Dest::Exists { reg: result, done })?;
                ctx.b.place(done);
                Ok(out)
            })
        })?;
        self.b.emit(Insn::Copy {
            src: result,
            dest: target,
            count: 1,
        });
        Ok(())
    }

    /// Jumps to `label` unless `e` is true (WHERE, ON, HAVING, CHECK filters). AND, BETWEEN
    /// and comparisons jump directly on the negated comparison (NULL jumps too), without
    /// computing a truth value into a register; the terms of an AND short-circuit, as
    /// SQLite's do.
    pub fn filter(&mut self, e: &ast::Expr, sc: &Scope<'_>, label: super::Label) -> Result<()> {
        match &e.kind {
            ExprKind::Binary(l, BinaryOp::And, r) => {
                self.filter(l, sc, label)?;
                return self.filter(r, sc, label);
            }
            ExprKind::Binary(l, BinaryOp::Or, r) => {
                // As SQLite: a true left side decides, the right one is not computed.
                let holds = self.b.label();
                self.jump_if_true(l, sc, holds)?;
                self.filter(r, sc, label)?;
                self.b.place(holds);
                return Ok(());
            }
            ExprKind::Binary(l, op, r) if !is_vector(l) && !is_vector(r) => {
                if let Some((cmp, nulls)) = comparison_of(*op) {
                    let (a, ai) = self.operand(l, sc)?;
                    let (b, bi) = self.operand(r, sc)?;
                    let fails = Comparison {
                        spec: cmp_spec(cmp, ai, bi, nulls),
                        lhs: a,
                        rhs: b,
                    }
                    .negated();
                    self.b.emit(fails.jump(self.b.to(label)));
                    return Ok(());
                }
            }
            ExprKind::Between {
                expr,
                not: false,
                low,
                high,
            } => {
                for test in self.between_operands(expr, low, high, sc)? {
                    self.b.emit(test.negated().jump(self.b.to(label)));
                }
                return Ok(());
            }
            _ => {}
        }
        let (r, _) = self.expr_new(e, sc)?;
        self.b.emit(Insn::IfNot {
            reg: r,
            target: self.b.to(label),
            if_null: true,
        });
        Ok(())
    }

    /// Jumps to `label` if `e` is true (not if false or NULL), computing only as much of an
    /// AND/OR as decides it: the mirror of `filter`, for the left side of an OR.
    fn jump_if_true(&mut self, e: &ast::Expr, sc: &Scope<'_>, label: super::Label) -> Result<()> {
        match &e.kind {
            ExprKind::Binary(l, BinaryOp::Or, r) => {
                self.jump_if_true(l, sc, label)?;
                return self.jump_if_true(r, sc, label);
            }
            ExprKind::Binary(l, BinaryOp::And, r) => {
                let fails = self.b.label();
                self.filter(l, sc, fails)?;
                self.jump_if_true(r, sc, label)?;
                self.b.place(fails);
                return Ok(());
            }
            ExprKind::Binary(l, op, r) if !is_vector(l) && !is_vector(r) => {
                if let Some((cmp, nulls)) = comparison_of(*op) {
                    let (a, ai) = self.operand(l, sc)?;
                    let (b, bi) = self.operand(r, sc)?;
                    let holds = Comparison {
                        spec: cmp_spec(cmp, ai, bi, nulls),
                        lhs: a,
                        rhs: b,
                    };
                    self.b.emit(holds.jump(self.b.to(label)));
                    return Ok(());
                }
            }
            _ => {}
        }
        let (r, _) = self.expr_new(e, sc)?;
        self.b.emit(Insn::If {
            reg: r,
            target: self.b.to(label),
            if_null: false,
        });
        Ok(())
    }

    /// `x >= low` and `x <= high` of `x BETWEEN low AND high`, all three operands evaluated
    /// (`x` once) before either comparison runs.
    fn between_operands(
        &mut self,
        x: &ast::Expr,
        low: &ast::Expr,
        high: &ast::Expr,
        sc: &Scope<'_>,
    ) -> Result<[Comparison; 2]> {
        let (x, xi) = self.operand(x, sc)?;
        let (lo, li) = self.operand(low, sc)?;
        let (hi, hi_info) = self.operand(high, sc)?;
        Ok([
            Comparison {
                spec: cmp_spec(CmpOp::Ge, xi, li, NullMode::Unknown),
                lhs: x,
                rhs: lo,
            },
            Comparison {
                spec: cmp_spec(CmpOp::Le, xi, hi_info, NullMode::Unknown),
                lhs: x,
                rhs: hi,
            },
        ])
    }
}

/// `SELECT * FROM table`, for `x IN table`, built by the parser from quoted names.
fn select_star_from(table: &ast::QualifiedName) -> Result<ast::Select> {
    let quote = |n: &ast::Name| format!("\"{}\"", n.value.replace('"', "\"\""));
    let name = match &table.schema {
        Some(s) => format!("{}.{}", quote(s), quote(&table.name)),
        None => quote(&table.name),
    };
    match basalt_parser::parse_first(&format!("SELECT * FROM {name}")) {
        Ok(Some((
            ast::Statement {
                stmt: ast::Stmt::Select(select),
                ..
            },
            _,
        ))) => Ok(*select),
        _ => Err(error(format!("no such table: {}", table.name.value))),
    }
}

/// The truth of an operand SQLite treats as always true or always false in AND/OR (a 32-bit
/// integer literal, or TRUE or FALSE where no column or alias has that name — not a sign, a
/// real or an expression); `None` otherwise.
fn literal_truth(e: &ast::Expr, sc: &Scope<'_>) -> Option<bool> {
    match &e.kind {
        ExprKind::Literal(Literal::Integer(text)) => {
            let value = super::short_records::small_integer(text)?;
            Some(value != 0)
        }
        ExprKind::Id(name) if name.quote == ast::Quote::None => {
            let named = matches!(sc.resolve(None, &name.value), Ok(Some(_)) | Err(_))
                || sc
                    .aliases
                    .iter()
                    .any(|(a, _)| a.eq_ignore_ascii_case(&name.value));
            if named {
                return None;
            }
            ["false", "true"]
                .iter()
                .position(|t| name.value.eq_ignore_ascii_case(t))
                .map(|p| p == 1)
        }
        _ => None,
    }
}

/// A comparison of two registers, before it becomes a stored result or a jump.
#[derive(Clone, Copy)]
struct Comparison {
    spec: CmpSpec,
    lhs: Reg,
    rhs: Reg,
}

impl Comparison {
    /// Holds exactly when `self` does not, NULL comparisons included: the opposite operator
    /// under the same affinity and collation, and a NULL operand that jumps (or, for IS,
    /// the opposite IS test).
    fn negated(self) -> Comparison {
        let op = match self.spec.op {
            CmpOp::Eq => CmpOp::Ne,
            CmpOp::Ne => CmpOp::Eq,
            CmpOp::Lt => CmpOp::Ge,
            CmpOp::Ge => CmpOp::Lt,
            CmpOp::Le => CmpOp::Gt,
            CmpOp::Gt => CmpOp::Le,
        };
        let nulls = match self.spec.nulls {
            NullMode::Is => NullMode::Is,
            NullMode::Unknown | NullMode::Jump => NullMode::Jump,
        };
        debug_assert!(self.spec.nulls != NullMode::Jump, "negating a jumping test");
        Comparison {
            spec: CmpSpec {
                op,
                nulls,
                ..self.spec
            },
            ..self
        }
    }

    fn jump(self, target: usize) -> Insn {
        Insn::Compare {
            spec: self.spec,
            lhs: self.lhs,
            rhs: self.rhs,
            target,
        }
    }

    fn store(self, dest: Reg) -> Insn {
        Insn::CompareStore {
            spec: self.spec,
            lhs: self.lhs,
            rhs: self.rhs,
            dest,
        }
    }
}

/// The comparison a binary operator makes, and how it treats NULL.
fn comparison_of(op: BinaryOp) -> Option<(CmpOp, NullMode)> {
    Some(match op {
        BinaryOp::Eq => (CmpOp::Eq, NullMode::Unknown),
        BinaryOp::Ne => (CmpOp::Ne, NullMode::Unknown),
        BinaryOp::Lt => (CmpOp::Lt, NullMode::Unknown),
        BinaryOp::Le => (CmpOp::Le, NullMode::Unknown),
        BinaryOp::Gt => (CmpOp::Gt, NullMode::Unknown),
        BinaryOp::Ge => (CmpOp::Ge, NullMode::Unknown),
        BinaryOp::Is | BinaryOp::IsNotDistinctFrom => (CmpOp::Eq, NullMode::Is),
        BinaryOp::IsNot | BinaryOp::IsDistinctFrom => (CmpOp::Ne, NullMode::Is),
        _ => return None,
    })
}

fn is_vector(e: &ast::Expr) -> bool {
    matches!(e.kind, ExprKind::Vector(_))
}

/// Whether `e` is a constant whose code cannot fail and needs no jump: a literal, a bound
/// parameter, or signs and arithmetic over those. Function calls stay in place: whether
/// SQLite raises their errors (abs() overflow) before reading any row depends on the clause
/// (in WHERE it does, in a result column it does not), which this does not model.
fn hoistable(e: &ast::Expr) -> bool {
    match &e.kind {
        ExprKind::Literal(lit) => !matches!(
            lit,
            Literal::CurrentDate | Literal::CurrentTime | Literal::CurrentTimestamp
        ),
        ExprKind::Variable(_) => true,
        ExprKind::Unary(UnaryOp::Neg | UnaryOp::Plus, inner) => hoistable(inner),
        ExprKind::Binary(l, op, r) => {
            matches!(
                op,
                BinaryOp::Add | BinaryOp::Sub | BinaryOp::Mul | BinaryOp::Div | BinaryOp::Rem
            ) && hoistable(l)
                && hoistable(r)
        }
        _ => false,
    }
}

fn arith(op: ArithOp, lhs: Reg, rhs: Reg, dest: Reg) -> Insn {
    Insn::Arith { op, lhs, rhs, dest }
}

pub fn cmp_spec(op: CmpOp, l: Info, r: Info, nulls: NullMode) -> CmpSpec {
    CmpSpec {
        op,
        affinity: comparison_affinity(l.affinity, r.affinity),
        collation: binary_collation(l, r),
        nulls,
    }
}

/// Whether two expressions are the same as written (spans and spacing aside).
pub(super) fn same_expr(a: &ast::Expr, b: &ast::Expr) -> bool {
    a.to_string() == b.to_string()
}
