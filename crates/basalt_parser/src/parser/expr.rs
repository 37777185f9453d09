//! Expressions: a precedence-climbing parser equivalent to SQLite's LALR
//! precedence declarations.
//!
//! Invariants:
//! - Binding powers follow SQLite's `%left/%right` table (OR < AND < NOT <
//!   IS/LIKE/BETWEEN/IN/=/ISNULL < comparisons < ESCAPE < bit ops < +,- <
//!   *,/,% < ||,-> < COLLATE < unary). `x NOT LIKE y` and friends bind on the
//!   left with NOT's power, as SQLite's shift/reduce resolution does.
//! - Every node gets SQLite's height; a node taller than 1000 defers
//!   "Expression tree is too large".
//! - Each nesting level pushes on the approximate LALR stack first, so the
//!   recursion depth is bounded by `MAX_PARSER_DEPTH`.

use super::{Parser, MAX_EXPR_DEPTH, R};
use crate::ast::*;
use crate::keywords::Keyword;
use crate::lexer::Tk;

const P_OR: u8 = 1;
const P_AND: u8 = 2;
const P_NOT: u8 = 3;
const P_EQ: u8 = 4;
const P_CMP: u8 = 5;
const P_BIT: u8 = 7;
const P_ADD: u8 = 8;
const P_MUL: u8 = 9;
const P_CONCAT: u8 = 10;
const P_COLLATE: u8 = 11;
const P_UNARY: u8 = 12;

/// SQLite's `SQLITE_MAX_VARIABLE_NUMBER`.
const MAX_VARIABLE_NUMBER: u64 = 32766;
/// SQLite's `SQLITE_MAX_FUNCTION_ARG`.
const MAX_FUNCTION_ARG: usize = 1000;

fn binary_op(t: Tk) -> Option<(u8, BinaryOp)> {
    Some(match t {
        Tk::Kw(Keyword::Or) => (P_OR, BinaryOp::Or),
        Tk::Kw(Keyword::And) => (P_AND, BinaryOp::And),
        Tk::Eq => (P_EQ, BinaryOp::Eq),
        Tk::Ne => (P_EQ, BinaryOp::Ne),
        Tk::Lt => (P_CMP, BinaryOp::Lt),
        Tk::Le => (P_CMP, BinaryOp::Le),
        Tk::Gt => (P_CMP, BinaryOp::Gt),
        Tk::Ge => (P_CMP, BinaryOp::Ge),
        Tk::BitAnd => (P_BIT, BinaryOp::BitAnd),
        Tk::BitOr => (P_BIT, BinaryOp::BitOr),
        Tk::LShift => (P_BIT, BinaryOp::LShift),
        Tk::RShift => (P_BIT, BinaryOp::RShift),
        Tk::Plus => (P_ADD, BinaryOp::Add),
        Tk::Minus => (P_ADD, BinaryOp::Sub),
        Tk::Star => (P_MUL, BinaryOp::Mul),
        Tk::Slash => (P_MUL, BinaryOp::Div),
        Tk::Rem => (P_MUL, BinaryOp::Rem),
        Tk::Concat => (P_CONCAT, BinaryOp::Concat),
        _ => return None,
    })
}

fn like_op(t: Tk) -> Option<LikeOp> {
    match t {
        Tk::Kw(Keyword::Like) => Some(LikeOp::Like),
        Tk::Kw(Keyword::Glob) => Some(LikeOp::Glob),
        Tk::Kw(Keyword::Regexp) => Some(LikeOp::Regexp),
        Tk::Kw(Keyword::Match) => Some(LikeOp::Match),
        _ => None,
    }
}

impl Parser<'_> {
    pub(crate) fn expr(&mut self) -> R<Expr> {
        self.expr_bp(0)
    }

    /// Builds a node of height 1 + `child` and checks SQLite's depth limit.
    fn node(&mut self, kind: ExprKind, start: usize, child: u32) -> Expr {
        let height = child + 1;
        if height > MAX_EXPR_DEPTH {
            self.defer(
                format!("Expression tree is too large (maximum depth {MAX_EXPR_DEPTH})"),
                start,
            );
        }
        Expr {
            kind,
            span: self.span_from(start),
            height,
        }
    }

    fn leaf(&self, kind: ExprKind, start: usize) -> Expr {
        Expr {
            kind,
            span: self.span_from(start),
            height: 1,
        }
    }

    /// Parses an expression whose operators all bind at least as tightly as `min`.
    pub(crate) fn expr_bp(&mut self, min: u8) -> R<Expr> {
        self.nest(|p| p.expr_bp_inner(min))
    }

    fn expr_bp_inner(&mut self, min: u8) -> R<Expr> {
        let start = self.cur().start;
        let mut lhs = self.prefix()?;
        loop {
            let t = self.cur().kind;
            if let Some((p, op)) = binary_op(t) {
                if p < min {
                    break;
                }
                self.bump();
                lhs = self.binary_rhs(lhs, op, p + 1, start)?;
                continue;
            }
            match t {
                Tk::Ptr if P_CONCAT >= min => {
                    let tok = self.bump();
                    let op = if tok.end - tok.start == 3 {
                        BinaryOp::LongArrow
                    } else {
                        BinaryOp::Arrow
                    };
                    lhs = self.binary_rhs(lhs, op, P_CONCAT + 1, start)?;
                }
                Tk::Kw(Keyword::Collate) if P_COLLATE >= min => {
                    self.bump();
                    let collation = self.ids()?;
                    let h = lhs.height;
                    lhs = self.node(
                        ExprKind::Collate {
                            expr: Box::new(lhs),
                            collation,
                        },
                        start,
                        h,
                    );
                }
                Tk::Kw(Keyword::Isnull | Keyword::Notnull) if P_EQ >= min => {
                    let not = t == Tk::Kw(Keyword::Notnull);
                    self.bump();
                    let h = lhs.height;
                    lhs = self.node(
                        ExprKind::NullTest {
                            expr: Box::new(lhs),
                            not,
                        },
                        start,
                        h,
                    );
                }
                Tk::Kw(Keyword::Is) if P_EQ >= min => {
                    self.bump();
                    let not = self.eat_kw(Keyword::Not);
                    let op = if self.eat_kw(Keyword::Distinct) {
                        self.expect_kw(Keyword::From)?;
                        if not {
                            BinaryOp::IsNotDistinctFrom
                        } else {
                            BinaryOp::IsDistinctFrom
                        }
                    } else if not {
                        BinaryOp::IsNot
                    } else {
                        BinaryOp::Is
                    };
                    lhs = self.binary_rhs(lhs, op, P_EQ + 1, start)?;
                }
                Tk::Kw(Keyword::Not) if P_NOT >= min => {
                    self.bump();
                    if self.eat_kw(Keyword::Null) {
                        let h = lhs.height;
                        lhs = self.node(
                            ExprKind::NullTest {
                                expr: Box::new(lhs),
                                not: true,
                            },
                            start,
                            h,
                        );
                    } else {
                        lhs = self.negatable(lhs, true, start)?;
                    }
                }
                Tk::Kw(Keyword::Between | Keyword::In) if P_EQ >= min => {
                    lhs = self.negatable(lhs, false, start)?;
                }
                _ if like_op(t).is_some() && P_EQ >= min => {
                    lhs = self.negatable(lhs, false, start)?;
                }
                _ => break,
            }
        }
        Ok(lhs)
    }

    fn binary_rhs(&mut self, lhs: Expr, op: BinaryOp, rbp: u8, start: usize) -> R<Expr> {
        self.push(2)?;
        let rhs = self.expr_bp(rbp)?;
        self.pop(2);
        let h = lhs.height.max(rhs.height);
        Ok(self.node(ExprKind::Binary(Box::new(lhs), op, Box::new(rhs)), start, h))
    }

    /// LIKE/GLOB/REGEXP/MATCH, BETWEEN and IN, after an optional NOT.
    fn negatable(&mut self, lhs: Expr, not: bool, start: usize) -> R<Expr> {
        let t = self.cur().kind;
        // NOT adds a node of its own in SQLite's tree.
        let extra = u32::from(not);
        if let Some(op) = like_op(t) {
            self.bump();
            self.push(2)?;
            let pattern = self.expr_bp(P_EQ + 1)?;
            let escape = if self.eat_kw(Keyword::Escape) {
                Some(Box::new(self.expr_bp(P_EQ + 1)?))
            } else {
                None
            };
            self.pop(2);
            let h = lhs
                .height
                .max(pattern.height)
                .max(escape.as_ref().map_or(0, |e| e.height));
            let kind = ExprKind::Like {
                expr: Box::new(lhs),
                not,
                op,
                pattern: Box::new(pattern),
                escape,
            };
            return Ok(self.node(kind, start, h + extra));
        }
        match t {
            Tk::Kw(Keyword::Between) => {
                self.bump();
                self.push(2)?;
                let low = self.between_middle()?;
                self.expect_kw(Keyword::And)?;
                let high = self.expr_bp(P_EQ + 1)?;
                self.pop(2);
                let h = lhs.height.max(low.height).max(high.height);
                let kind = ExprKind::Between {
                    expr: Box::new(lhs),
                    not,
                    low: Box::new(low),
                    high: Box::new(high),
                };
                Ok(self.node(kind, start, h + extra))
            }
            Tk::Kw(Keyword::In) => {
                self.bump();
                self.in_rhs(lhs, not, start, extra)
            }
            _ => Err(self.error_here()),
        }
    }

    /// The middle operand of BETWEEN: a full expression in which a top-level
    /// AND ends the operand, but an OR's right side may still contain ANDs.
    fn between_middle(&mut self) -> R<Expr> {
        let start = self.cur().start;
        let mut e = self.expr_bp(P_NOT)?;
        while self.at_kw(Keyword::Or) {
            self.bump();
            e = self.binary_rhs(e, BinaryOp::Or, P_OR + 1, start)?;
        }
        Ok(e)
    }

    fn in_rhs(&mut self, lhs: Expr, not: bool, start: usize, extra: u32) -> R<Expr> {
        if self.at(Tk::LParen) {
            self.bump();
            self.push(3)?;
            let r = if self.at_select_start() {
                let select = self.select()?;
                let h = lhs.height.max(self.select_height(&select));
                self.check_stack(2)?;
                self.expect(Tk::RParen)?;
                self.node(
                    ExprKind::InSelect {
                        expr: Box::new(lhs),
                        not,
                        select: Box::new(select),
                    },
                    start,
                    h + extra,
                )
            } else {
                let list = if self.at(Tk::RParen) {
                    Vec::new()
                } else {
                    self.nexprlist()?
                };
                let h = list
                    .iter()
                    .map(|e| e.height)
                    .max()
                    .unwrap_or(0)
                    .max(lhs.height);
                self.check_stack(2)?;
                self.expect(Tk::RParen)?;
                self.node(
                    ExprKind::InList {
                        expr: Box::new(lhs),
                        not,
                        list,
                    },
                    start,
                    h + extra,
                )
            };
            self.pop(3);
            return Ok(r);
        }
        let table = self.qualified_name()?;
        let args = if self.at(Tk::LParen) {
            self.bump();
            let list = if self.at(Tk::RParen) {
                Vec::new()
            } else {
                self.nexprlist()?
            };
            self.expect(Tk::RParen)?;
            Some(list)
        } else {
            None
        };
        let h = args
            .iter()
            .flatten()
            .map(|e| e.height)
            .max()
            .unwrap_or(0)
            .max(lhs.height);
        Ok(self.node(
            ExprKind::InTable {
                expr: Box::new(lhs),
                not,
                table,
                args,
            },
            start,
            h + extra,
        ))
    }

    pub(crate) fn at_select_start(&self) -> bool {
        matches!(
            self.cur().kind,
            Tk::Kw(Keyword::Select | Keyword::Values | Keyword::With)
        )
    }

    /// `expr (, expr)*`
    pub(crate) fn nexprlist(&mut self) -> R<Vec<Expr>> {
        // Room for a typical VALUES row or argument list: growing one element at a time moves
        // every parsed expression again at each step.
        let mut v = Vec::with_capacity(8);
        v.push(self.expr()?);
        while self.at(Tk::Comma) {
            self.bump();
            v.push(self.expr()?);
        }
        Ok(v)
    }

    fn prefix(&mut self) -> R<Expr> {
        let t = self.cur();
        let start = t.start;
        match t.kind {
            Tk::Kw(Keyword::Not) => self.unary(UnaryOp::Not, P_NOT),
            Tk::Minus => self.unary(UnaryOp::Neg, P_UNARY),
            Tk::Plus => self.unary(UnaryOp::Plus, P_UNARY),
            Tk::BitNot => self.unary(UnaryOp::BitNot, P_UNARY),
            Tk::LParen => self.paren(),
            Tk::Integer | Tk::Float | Tk::Blob | Tk::QNumber | Tk::Kw(Keyword::Null) => {
                self.check_stack(1)?;
                let lit = self.term()?;
                Ok(self.leaf(ExprKind::Literal(lit), start))
            }
            Tk::Kw(Keyword::CurrentDate | Keyword::CurrentTime | Keyword::CurrentTimestamp) => {
                self.check_stack(1)?;
                let lit = self.term()?;
                Ok(self.leaf(ExprKind::Literal(lit), start))
            }
            Tk::String if self.peek_kind(1) != Tk::Dot => {
                self.check_stack(1)?;
                let lit = self.term()?;
                Ok(self.leaf(ExprKind::Literal(lit), start))
            }
            Tk::Variable => {
                self.check_stack(1)?;
                self.bump();
                self.check_variable(self.text(t), start);
                Ok(self.leaf(ExprKind::Variable(self.text(t).to_string()), start))
            }
            Tk::Kw(Keyword::Cast) => self.cast(),
            Tk::Kw(Keyword::Case) => self.case(),
            Tk::Kw(Keyword::Exists) => {
                self.bump();
                self.push(2)?;
                self.expect(Tk::LParen)?;
                let select = self.select()?;
                self.check_stack(2)?;
                self.expect(Tk::RParen)?;
                self.pop(2);
                let h = self.select_height(&select);
                Ok(self.node(ExprKind::Exists(Box::new(select)), start, h))
            }
            Tk::Kw(Keyword::Raise) => self.raise(),
            k if self.is_nm(k) => self.name_expr(),
            _ => Err(self.error_here()),
        }
    }

    fn unary(&mut self, op: UnaryOp, bp: u8) -> R<Expr> {
        let start = self.bump().start;
        self.push(1)?;
        let e = self.expr_bp(bp)?;
        self.pop(1);
        let h = e.height;
        Ok(self.node(ExprKind::Unary(op, Box::new(e)), start, h))
    }

    fn paren(&mut self) -> R<Expr> {
        let start = self.bump().start;
        self.push(1)?;
        if self.at_select_start() {
            let select = self.select()?;
            self.check_stack(2)?;
            self.expect(Tk::RParen)?;
            self.pop(1);
            let h = self.select_height(&select);
            return Ok(self.node(ExprKind::Subquery(Box::new(select)), start, h));
        }
        let first = self.expr()?;
        if self.at(Tk::Comma) {
            let mut list = vec![first];
            while self.eat(Tk::Comma) {
                list.push(self.expr()?);
            }
            self.check_stack(2)?;
            self.expect(Tk::RParen)?;
            self.pop(1);
            let h = list.iter().map(|e| e.height).max().unwrap_or(0);
            return Ok(self.node(ExprKind::Vector(list), start, h));
        }
        self.check_stack(2)?;
        self.expect(Tk::RParen)?;
        self.pop(1);
        // The parentheses belong to the expression's text: SQLite names a result column
        // `(b * 2)` with them.
        let mut inner = first;
        inner.span = self.span_from(start);
        Ok(inner)
    }

    /// A literal `term`: NULL, number, string, blob or CURRENT_*.
    pub(crate) fn term(&mut self) -> R<Literal> {
        let t = self.cur();
        let text = self.text(t);
        let lit = match t.kind {
            Tk::Kw(Keyword::Null) => Literal::Null,
            Tk::Integer => Literal::Integer(text.to_string()),
            Tk::Float => Literal::Float(text.to_string()),
            Tk::QNumber => {
                self.bump();
                return Ok(self.dequote_number(text, t.start));
            }
            Tk::String => Literal::String(super::unquote(text, '\'')),
            Tk::Blob => Literal::Blob(text[2..text.len() - 1].to_string()),
            Tk::Kw(Keyword::CurrentDate) => Literal::CurrentDate,
            Tk::Kw(Keyword::CurrentTime) => Literal::CurrentTime,
            Tk::Kw(Keyword::CurrentTimestamp) => Literal::CurrentTimestamp,
            _ => return Err(self.error_here()),
        };
        self.bump();
        Ok(lit)
    }

    /// Removes `_` separators. SQLite validates them while compacting the
    /// token in place, so its message shows the half-compacted text; this
    /// replays the same steps to produce the same message.
    fn dequote_number(&mut self, text: &str, offset: usize) -> Literal {
        let mut buf: Vec<u8> = text.as_bytes().to_vec();
        buf.push(0);
        let hex = buf.len() > 2 && buf[0] == b'0' && matches!(buf[1], b'x' | b'X');
        let ok = |c: u8| {
            if hex {
                c.is_ascii_hexdigit()
            } else {
                c.is_ascii_digit()
            }
        };
        let mut out = 0;
        let mut float = false;
        let mut message = None;
        for i in 0..buf.len() {
            let c = buf[i];
            if c != b'_' {
                buf[out] = c;
                out += 1;
                if !hex && matches!(c, b'e' | b'E' | b'.') {
                    float = true;
                }
            } else if i == 0 || !ok(buf[i - 1]) || !ok(buf.get(i + 1).copied().unwrap_or(0)) {
                let end = buf.iter().position(|&b| b == 0).unwrap_or(buf.len());
                message = Some(format!(
                    "unrecognized token: \"{}\"",
                    String::from_utf8_lossy(&buf[..end])
                ));
            }
        }
        if let Some(m) = message {
            self.defer(m, offset);
        }
        let digits = String::from_utf8_lossy(&buf[..out.saturating_sub(1)]).into_owned();
        if float {
            Literal::Float(digits)
        } else {
            Literal::Integer(digits)
        }
    }

    fn check_variable(&mut self, text: &str, offset: usize) {
        let bytes = text.as_bytes();
        if bytes[0] == b'#' && bytes.get(1).is_some_and(|c| c.is_ascii_digit()) {
            self.defer(format!("near \"{text}\": syntax error"), offset);
        } else if bytes[0] == b'?' && bytes.len() > 1 {
            let n = text[1..].parse::<u64>().unwrap_or(u64::MAX);
            if n == 0 || n > MAX_VARIABLE_NUMBER {
                self.defer(
                    format!("variable number must be between ?1 and ?{MAX_VARIABLE_NUMBER}"),
                    offset,
                );
            } else {
                self.n_var = self.n_var.max(n);
            }
        } else {
            // SQLite numbers `?` and each distinct name after the largest
            // number seen so far, against the same limit.
            let fresh = bytes[0] == b'?' || self.var_names.insert(text.to_string());
            if fresh {
                self.n_var += 1;
                if self.n_var > MAX_VARIABLE_NUMBER {
                    self.defer("too many SQL variables".to_string(), offset);
                }
            }
        }
    }

    fn cast(&mut self) -> R<Expr> {
        let start = self.bump().start;
        self.push(2)?;
        self.expect(Tk::LParen)?;
        let e = self.expr()?;
        self.expect_kw(Keyword::As)?;
        let type_name = self.type_name()?;
        self.expect(Tk::RParen)?;
        self.pop(2);
        let h = e.height;
        Ok(self.node(
            ExprKind::Cast {
                expr: Box::new(e),
                type_name,
            },
            start,
            h,
        ))
    }

    /// `typetoken`: zero or more name words plus optional `(n [, m])`.
    pub(crate) fn type_name(&mut self) -> R<Option<TypeName>> {
        // The words joined by single spaces, built in place: every column of every table
        // read from a schema comes through here, and most types are one word, copied with one
        // exact allocation.
        if !self.is_ids(self.cur().kind) {
            return Ok(None);
        }
        let first = self.bump();
        let mut name = self.text(first).to_string();
        while self.is_ids(self.cur().kind) {
            let t = self.bump();
            name.push(' ');
            name.push_str(self.text(t));
        }
        let mut args = Vec::new();
        if self.eat(Tk::LParen) {
            args.push(self.signed_number()?);
            if self.eat(Tk::Comma) {
                args.push(self.signed_number()?);
            }
            self.expect(Tk::RParen)?;
        }
        Ok(Some(TypeName { name, args }))
    }

    /// `[+|-] INTEGER|FLOAT`, returned as written without spaces.
    pub(crate) fn signed_number(&mut self) -> R<String> {
        let mut s = String::new();
        if self.at(Tk::Plus) || self.at(Tk::Minus) {
            let t = self.bump();
            s.push_str(self.text(t));
        }
        let t = self.cur();
        if matches!(t.kind, Tk::Integer | Tk::Float) {
            self.bump();
            s.push_str(self.text(t));
            Ok(s)
        } else {
            Err(self.error_here())
        }
    }

    fn case(&mut self) -> R<Expr> {
        let start = self.bump().start;
        self.push(2)?;
        let operand = if self.at_kw(Keyword::When) {
            None
        } else {
            Some(Box::new(self.expr()?))
        };
        let mut whens = Vec::new();
        let mut h = operand.as_ref().map_or(0, |e| e.height);
        self.expect_kw(Keyword::When)?;
        loop {
            self.push(1)?;
            let w = self.expr()?;
            self.expect_kw(Keyword::Then)?;
            self.push(2)?;
            let t = self.expr()?;
            self.pop(3);
            h = h.max(w.height).max(t.height);
            whens.push((w, t));
            if !self.eat_kw(Keyword::When) {
                break;
            }
        }
        let else_ = if self.eat_kw(Keyword::Else) {
            let e = self.expr()?;
            h = h.max(e.height);
            Some(Box::new(e))
        } else {
            None
        };
        self.expect_kw(Keyword::End)?;
        self.pop(2);
        Ok(self.node(
            ExprKind::Case {
                operand,
                whens,
                else_,
            },
            start,
            h,
        ))
    }

    fn raise(&mut self) -> R<Expr> {
        let start = self.bump().start;
        self.expect(Tk::LParen)?;
        let kind = match self.cur().kind {
            Tk::Kw(Keyword::Ignore) => RaiseKind::Ignore,
            Tk::Kw(Keyword::Rollback) => RaiseKind::Rollback,
            Tk::Kw(Keyword::Abort) => RaiseKind::Abort,
            Tk::Kw(Keyword::Fail) => RaiseKind::Fail,
            _ => return Err(self.error_here()),
        };
        self.bump();
        let message = if kind == RaiseKind::Ignore {
            None
        } else {
            self.expect(Tk::Comma)?;
            Some(Box::new(self.expr()?))
        };
        self.expect(Tk::RParen)?;
        let h = message.as_ref().map_or(0, |e| e.height);
        Ok(self.node(ExprKind::Raise { kind, message }, start, h))
    }

    /// Identifiers: column, `t.c`, `s.t.c`, or a function call.
    fn name_expr(&mut self) -> R<Expr> {
        let t = self.cur();
        let start = t.start;
        let next = self.peek_kind(1);
        if next == Tk::LParen && t.kind != Tk::String {
            return self.function_call();
        }
        if next == Tk::Dot {
            self.bump();
            let first = self.make_name(t);
            self.bump();
            let second = self.nm()?;
            if self.eat(Tk::Dot) {
                let column = self.nm()?;
                return Ok(self.leaf(
                    ExprKind::Qualified {
                        schema: Some(first),
                        table: second,
                        column,
                    },
                    start,
                ));
            }
            return Ok(self.leaf(
                ExprKind::Qualified {
                    schema: None,
                    table: first,
                    column: second,
                },
                start,
            ));
        }
        if t.kind == Tk::String {
            return Err(self.error_here());
        }
        self.check_stack(1)?;
        self.bump();
        Ok(self.leaf(ExprKind::Id(self.make_name(t)), start))
    }

    fn function_call(&mut self) -> R<Expr> {
        let t = self.bump();
        let start = t.start;
        let name = self.make_name(t);
        self.bump();
        self.push(3)?;
        let mut h = 0;
        let mut too_many = false;
        let args = if self.eat(Tk::Star) {
            FunctionArgs::Star
        } else {
            let distinct = if self.eat_kw(Keyword::Distinct) {
                true
            } else {
                self.eat_kw(Keyword::All);
                false
            };
            let args = if self.at(Tk::RParen) || self.at_kw(Keyword::Order) {
                Vec::new()
            } else {
                self.nexprlist()?
            };
            let order_by = if self.at_kw(Keyword::Order) {
                self.order_by()?
            } else {
                Vec::new()
            };
            h = args.iter().map(|e| e.height).max().unwrap_or(0);
            too_many = args.len() > MAX_FUNCTION_ARG;
            FunctionArgs::List {
                distinct,
                args,
                order_by,
            }
        };
        self.check_stack(1)?;
        self.expect(Tk::RParen)?;
        self.pop(3);
        let filter = if self.at_kw(Keyword::Filter) {
            self.bump();
            self.expect(Tk::LParen)?;
            self.expect_kw(Keyword::Where)?;
            let e = self.expr()?;
            self.expect(Tk::RParen)?;
            Some(Box::new(e))
        } else {
            None
        };
        let over = if self.eat_kw(Keyword::Over) {
            if self.eat(Tk::LParen) {
                let w = self.window()?;
                self.expect(Tk::RParen)?;
                Some(Over::Window(Box::new(w)))
            } else {
                Some(Over::Name(self.nm()?))
            }
        } else {
            None
        };
        let e = self.node(
            ExprKind::Function {
                name,
                args,
                filter,
                over,
            },
            start,
            h,
        );
        if too_many {
            let raw = self.text(t);
            self.defer(format!("too many arguments on function {raw}"), start);
        }
        Ok(e)
    }

    /// Window specification inside `OVER (...)` or `WINDOW w AS (...)`.
    pub(crate) fn window(&mut self) -> R<Window> {
        let base = match self.cur().kind {
            Tk::Kw(Keyword::Partition | Keyword::Range | Keyword::Rows | Keyword::Groups) => None,
            k if self.is_nm(k) => Some(self.nm()?),
            _ => None,
        };
        let partition_by = if self.eat_kw(Keyword::Partition) {
            self.expect_kw(Keyword::By)?;
            self.nexprlist()?
        } else {
            Vec::new()
        };
        let order_by = if self.at_kw(Keyword::Order) {
            self.order_by()?
        } else {
            Vec::new()
        };
        let frame = self.frame()?;
        Ok(Window {
            base,
            partition_by,
            order_by,
            frame,
        })
    }

    fn frame(&mut self) -> R<Option<Frame>> {
        let units = match self.cur().kind {
            Tk::Kw(Keyword::Range) => FrameUnits::Range,
            Tk::Kw(Keyword::Rows) => FrameUnits::Rows,
            Tk::Kw(Keyword::Groups) => FrameUnits::Groups,
            _ => return Ok(None),
        };
        let start_tok = self.bump();
        let (start, end) = if self.eat_kw(Keyword::Between) {
            let s = self.frame_bound(true)?;
            self.expect_kw(Keyword::And)?;
            let e = self.frame_bound(false)?;
            (s, Some(e))
        } else {
            (self.frame_bound(true)?, None)
        };
        let exclude = if self.eat_kw(Keyword::Exclude) {
            Some(match self.cur().kind {
                Tk::Kw(Keyword::No) => {
                    self.bump();
                    self.expect_kw(Keyword::Others)?;
                    FrameExclude::NoOthers
                }
                Tk::Kw(Keyword::Current) => {
                    self.bump();
                    self.expect_kw(Keyword::Row)?;
                    FrameExclude::CurrentRow
                }
                Tk::Kw(Keyword::Group) => {
                    self.bump();
                    FrameExclude::Group
                }
                Tk::Kw(Keyword::Ties) => {
                    self.bump();
                    FrameExclude::Ties
                }
                _ => return Err(self.error_here()),
            })
        } else {
            None
        };
        let rank = |b: &FrameBound| match b {
            FrameBound::UnboundedPreceding => 0,
            FrameBound::Preceding(_) => 1,
            FrameBound::CurrentRow => 2,
            FrameBound::Following(_) => 3,
            FrameBound::UnboundedFollowing => 4,
        };
        // SQLite rejects a frame ending before it starts, judged by bound type
        // only: CURRENT ROW..PRECEDING and FOLLOWING..PRECEDING/CURRENT ROW.
        let (rs, re) = (rank(&start), end.as_ref().map_or(2, rank));
        if (rs == 2 && re == 1) || (rs == 3 && (re == 1 || re == 2)) {
            self.defer(
                "unsupported frame specification".to_string(),
                start_tok.start,
            );
        }
        Ok(Some(Frame {
            units,
            start,
            end,
            exclude,
        }))
    }

    fn frame_bound(&mut self, is_start: bool) -> R<FrameBound> {
        if self.at_kw(Keyword::Unbounded) {
            self.bump();
            return if is_start {
                self.expect_kw(Keyword::Preceding)?;
                Ok(FrameBound::UnboundedPreceding)
            } else {
                self.expect_kw(Keyword::Following)?;
                Ok(FrameBound::UnboundedFollowing)
            };
        }
        if self.at_kw(Keyword::Current) {
            self.bump();
            self.expect_kw(Keyword::Row)?;
            return Ok(FrameBound::CurrentRow);
        }
        let e = self.expr()?;
        if self.eat_kw(Keyword::Preceding) {
            Ok(FrameBound::Preceding(e))
        } else if self.eat_kw(Keyword::Following) {
            Ok(FrameBound::Following(e))
        } else {
            Err(self.error_here())
        }
    }

    /// SQLite's height of a subquery: the tallest expression directly in it.
    pub(crate) fn select_height(&self, s: &Select) -> u32 {
        let mut h = 0;
        let mut see = |e: &Expr| h = h.max(e.height);
        let cores = std::iter::once(&s.first).chain(s.compound.iter().map(|(_, c)| c));
        for core in cores {
            match core {
                SelectCore::Values(rows) => rows.iter().flatten().for_each(&mut see),
                SelectCore::Select(b) => {
                    for c in &b.columns {
                        if let ResultColumn::Expr { expr, .. } = c {
                            see(expr);
                        }
                    }
                    b.where_
                        .iter()
                        .chain(&b.group_by)
                        .chain(&b.having)
                        .for_each(&mut see);
                }
            }
        }
        s.order_by.iter().for_each(|o| see(&o.expr));
        if let Some(l) = &s.limit {
            see(&l.limit);
            l.offset.iter().for_each(&mut see);
        }
        h
    }
}
