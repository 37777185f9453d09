//! The virtual machine: a register-based bytecode interpreter in the shape of SQLite's VDBE.
//!
//! The code generator (`codegen`) compiles one SQL statement into a [`Program`]: a vector of
//! [`Insn`]s plus the sizes of the register file, cursor table and aggregate slots, the result
//! column names and the parameter names. A [`Vm`] is one execution of a program; `step` runs it
//! until it produces a row ([`StepResult::Row`]), ends ([`StepResult::Done`]), fails, or has to
//! wait for I/O ([`StepResult::IoPending`]). EXPLAIN lists the program (`Program::explain_rows`).
//!
//! # Restartability (ARCHITECTURE.md, "Waiting for I/O")
//! **The rule:** an instruction that gets `IoPending` from a pager or b-tree call must not have
//! changed any register, counter, aggregate state or `pc` before that call; the VM then returns
//! `StepResult::IoPending` with `pc` still on that instruction, and the next `step` re-executes
//! it from the start. Each instruction therefore does its (restartable) b-tree call first and
//! commits its effects after. The b-tree guarantees that an interrupted read left the cursor where
//! it was, and that an interrupted write changed nothing; VM-side cursor caches may be dropped
//! freely because they are refilled on demand. Instructions that only touch in-memory state
//! (ephemeral tables, sorters, registers) never return `IoPending`.
//!
//! # Other invariants
//! - Register, cursor and aggregate indices in a program are below the program's `n_regs`,
//!   `n_cursors` and `n_aggs` (the code generator allocates them), and jump targets are inside
//!   the program; a violation is an internal error, never a panic on user input.
//! - A statement's writes happen only inside a write transaction begun by `Transaction`; whether
//!   the statement's changes are kept on failure is the connection's decision, driven by
//!   `Vm::on_error` (the ON CONFLICT algorithm of the failing constraint).
//! - SQLite's value semantics and built-in functions are `crate::sql`'s; `value` and `func` are
//!   only the VM's glue to them (storage affinity, comparison operands, function operands and
//!   the `FunctionContext` a call sees).

mod cursor;
mod exec;
pub mod func;
mod insn;
mod journal;
pub mod pragma;
mod radix;
pub mod savepoint;
mod sorter;
mod spill;
pub mod value;
pub mod window;

pub use exec::{ConnState, Env, StepResult, Vm};
pub use insn::{Addr, CmpOp, CmpSpec, CursorId, Insn, NullMode, OnError, Reg, Root};

/// The table column a result column reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnOrigin {
    /// `main` or `temp`.
    pub database: &'static str,
    pub table: String,
    /// The column's name as declared, or `rowid` for a bare rowid.
    pub column: String,
}

/// A compiled statement.
#[derive(Debug, Clone, Default)]
pub struct Program {
    pub insns: Vec<Insn>,
    pub n_regs: usize,
    pub n_cursors: usize,
    pub n_aggs: usize,
    /// Result column names, as `sqlite3_column_name` reports them.
    pub column_names: Vec<String>,
    /// Result columns' declared types, as `sqlite3_column_decltype` reports them (a top-level
    /// SELECT's columns that are table columns; empty for other statements).
    pub column_types: Vec<Option<String>>,
    /// The table column each result column is, as `sqlite3_column_database_name`,
    /// `sqlite3_column_table_name` and `sqlite3_column_origin_name` report it (same scope as
    /// `column_types`).
    pub column_origins: Vec<Option<ColumnOrigin>>,
    /// The number of parameters (the largest `?NNN`).
    pub n_params: usize,
    /// Named parameters (`:a`, `@a`, `$a`, `?NNN` as written) and their 1-based indices.
    pub param_names: Vec<(String, usize)>,
    /// Whether the program never writes to the database.
    pub read_only: bool,
    /// INSERT, UPDATE or DELETE: the statements whose row count `changes()` reports.
    pub is_dml: bool,
    /// The connection reads its catalog again when the program ends, though no schema
    /// cookie moved (ANALYZE: new planner statistics).
    pub reloads_catalog: bool,
    /// What a field missing from a short record reads as, for the tables opened by root page
    /// whose columns have such defaults (`codegen/short_records.rs`).
    pub table_defaults: Vec<TableDefaults>,
}

/// The values of a table's record fields that a record too short to hold them stands for.
#[derive(Debug, Clone, PartialEq)]
pub struct TableDefaults {
    pub db: crate::schema::Db,
    pub root: crate::pager::PageNo,
    pub values: std::sync::Arc<[crate::record::Value]>,
}

impl Program {
    /// EXPLAIN's rows: addr, opcode, p1, p2, p3, p4, p5, comment.
    pub fn explain_rows(&self) -> Vec<Vec<crate::record::Value>> {
        use crate::record::Value;
        self.insns
            .iter()
            .enumerate()
            .map(|(addr, insn)| {
                let (name, p1, p2, p3, p4) = insn.explain();
                vec![
                    Value::Integer(addr as i64),
                    Value::from(name),
                    Value::Integer(p1),
                    Value::Integer(p2),
                    Value::Integer(p3),
                    Value::Text(p4.into_bytes()),
                    Value::Integer(0),
                    Value::Null,
                ]
            })
            .collect()
    }
}
