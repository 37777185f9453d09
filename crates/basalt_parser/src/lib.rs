//! Basalt's SQL parser: SQLite's grammar into a typed AST, with SQLite's
//! error messages. Free of storage concerns: it only reads text.
//!
//! Invariants:
//! - `parse` accepts exactly the statements SQLite 3.54 accepts at parse
//!   time, and for rejected input returns SQLite's message (see `error`).
//! - `Statement`'s `Display` output parses back to an equal `Statement`.
//! - No input makes the parser panic, loop forever, or recurse deeper than
//!   SQLite's own nesting limits allow.
//!
//! `Parser` steps through a multi-statement text one statement at a time,
//! like `sqlite3_prepare` with its tail pointer.

pub mod ast;
pub mod complete;
pub mod error;
pub mod keywords;
pub mod lexer;
mod parser;
mod print;

pub use error::Error;
pub use parser::Parser;

/// Parses every statement of `sql`. Empty statements (`;;`) and comments
/// produce nothing.
pub fn parse(sql: &str) -> Result<Vec<ast::Statement>, Error> {
    let mut p = Parser::new(sql);
    let mut out = Vec::new();
    while let Some(s) = p.next_statement()? {
        out.push(s);
    }
    Ok(out)
}

/// Parses the first statement of `sql` and returns it with the byte offset
/// of the unparsed tail, like `sqlite3_prepare`. `Ok(None)` when `sql`
/// holds no statement.
pub fn parse_first(sql: &str) -> Result<Option<(ast::Statement, usize)>, Error> {
    let mut p = Parser::new(sql);
    Ok(p.next_statement()?.map(|s| (s, p.tail_offset())))
}
