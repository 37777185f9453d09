//! SQLite's value semantics and built-in function library, as plain functions the VM calls.
//!
//! - [`convert`]: text ↔ number conversions, `CAST`, how reals render as text ([`fp`]).
//! - [`affinity`]: column affinity from a declared type, applying it, comparison affinity.
//! - [`arith`]: `+ - * / %`, bitwise operators, unary minus, `||`.
//! - [`compare`]: comparison operators with affinity and collation, three-valued logic,
//!   `BETWEEN`, `IN`, `CASE` equality.
//! - [`pattern`]: LIKE and GLOB; [`printf`]: `format()`; [`text`]: SQLite's view of characters.
//! - [`func`]: the scalar functions and the registry; [`agg`]: the aggregates;
//!   [`datetime`]: the date and time functions.
//!
//! Every operation takes [`ValueRef`](crate::record::ValueRef)s and returns an owned
//! [`Value`](crate::record::Value); text is bytes throughout and invalid UTF-8 passes through.
//! The behaviour is SQLite 3.54.1's, checked by differential tests against it
//! (`tests/sql_*.rs`).

pub mod affinity;
pub mod agg;
pub mod arith;
pub mod compare;
pub mod convert;
pub mod datetime;
pub mod fp;
pub mod func;
pub mod pattern;
pub mod printf;
pub mod text;
