//! The built-in functions SQLite evaluates lazily: `coalesce` and `ifnull` stop at the first
//! argument that is not NULL, `iif` (and its alias `if`) evaluates only the branch its
//! conditions choose. Compiled as jumps, like CASE, instead of one `Function` call over every
//! argument, so an argument not needed is never computed — and cannot fail: SQLite answers
//! `coalesce(1, abs(-9223372036854775808))` with 1, not "integer overflow".

use super::expr::Info;
use super::scope::Scope;
use super::Ctx;
use crate::error::Result;
use crate::vdbe::{Insn, Reg};
use basalt_parser::ast;

/// A built-in whose arguments are evaluated only as far as needed.
#[derive(Clone, Copy)]
pub(super) enum LazyCall {
    /// `coalesce`, `ifnull`: the first argument that is not NULL.
    FirstNotNull,
    /// `iif(c1, v1, [c2, v2, ...] [else])`: the value after the first true condition.
    Conditional,
}

impl LazyCall {
    pub(super) fn of(builtin: &str) -> Option<LazyCall> {
        match builtin {
            "coalesce" | "ifnull" => Some(LazyCall::FirstNotNull),
            "iif" | "if" => Some(LazyCall::Conditional),
            _ => None,
        }
    }
}

impl Ctx<'_> {
    /// `call` over `args` into `target`; the arity was checked with the function's lookup.
    pub(super) fn lazy_call(
        &mut self,
        call: LazyCall,
        args: &[ast::Expr],
        sc: &Scope<'_>,
        target: Reg,
    ) -> Result<Info> {
        let end = self.b.label();
        match call {
            LazyCall::FirstNotNull => {
                for (i, arg) in args.iter().enumerate() {
                    self.expr(arg, sc, target)?;
                    if i + 1 < args.len() {
                        self.b.emit(Insn::NotNull {
                            reg: target,
                            target: self.b.to(end),
                        });
                    }
                }
            }
            LazyCall::Conditional => {
                let condition = self.b.reg();
                let mut pairs = args.chunks_exact(2);
                for pair in pairs.by_ref() {
                    let next = self.b.label();
                    self.expr(&pair[0], sc, condition)?;
                    self.b.emit(Insn::IfNot {
                        reg: condition,
                        target: self.b.to(next),
                        if_null: true,
                    });
                    self.expr(&pair[1], sc, target)?;
                    self.b.emit(Insn::Goto {
                        target: self.b.to(end),
                    });
                    self.b.place(next);
                }
                match pairs.remainder() {
                    [otherwise] => {
                        self.expr(otherwise, sc, target)?;
                    }
                    _ => {
                        self.b.emit(Insn::Null {
                            dest: target,
                            count: 1,
                        });
                    }
                }
            }
        }
        self.b.place(end);
        // Function results have no affinity and no collation.
        Ok(Info::default())
    }
}
