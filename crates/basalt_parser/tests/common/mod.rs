//! Shared helpers for the integration tests: the SQLite oracle.
#![allow(dead_code)]

use rusqlite::fallible_iterator::FallibleIterator;

/// What SQLite's prepare says about the first statement of a text,
/// judged on syntax only.
#[derive(Debug, PartialEq, Eq, Clone)]
pub enum Verdict {
    /// Parsed.
    Accept,
    /// Failed for a non-syntax reason (name resolution, schema, ...).
    Semantic(String),
    /// Only whitespace, comments or empty statements.
    Empty,
    /// Rejected by the parser with this message.
    Reject(String),
}

/// Messages SQLite's parser raises itself; anything else comes from name
/// resolution or code generation and means the text parsed.
const PARSE_MESSAGES: &[&str] = &[
    "near \"",
    "unrecognized token",
    "incomplete input",
    "Recursion limit",
    "variable number must be between",
    "ORDER BY clause should come after",
    "LIMIT clause should come after",
    "too many terms in compound SELECT",
    "unknown table option",
    "a JOIN clause is required before",
    "unknown join type",
    "unsupported frame specification",
    "cannot use RETURNING in a trigger",
    "qualified table names are not allowed",
    "the INDEXED BY clause is not allowed",
    "the NOT INDEXED clause is not allowed",
    "too many arguments on function",
    "error in generated column",
    "syntax error after column name",
    "Expression tree is too large",
    "too many SQL variables",
    "all VALUES must have the same number of terms",
    " columns assigned ",
];

/// Schema-dependent errors SQLite raises in the middle of parsing (while
/// reducing the statement's head), so a later syntax error never shows.
/// When SQLite reports one of these, the syntax verdict is unknown.
fn raised_mid_parse(msg: &str, sql: &str) -> bool {
    const MID_PARSE: &[&str] = &[
        "temporary table name must be unqualified",
        "unknown database",
        "already exists",
        "duplicate column name",
        "default value of column",
        "AUTOINCREMENT is only allowed",
        "has more than one primary key",
        "object name reserved for internal use",
        "cannot create",
        "generated column",
        "unsupported use of NULLS",
        "no such collation sequence",
        "expressions prohibited in PRIMARY KEY and UNIQUE constraints",
        "cannot use DEFAULT on a generated column",
        // Raised by the final reduction, overwriting a table-option error.
        "missing datatype",
    ];
    let upper = sql.trim_start().to_ascii_uppercase();
    MID_PARSE.iter().any(|m| msg.contains(m))
        || (msg.starts_with("no such table") && upper.contains("TRIGGER"))
        // Column lists of table constraints are resolved as they are parsed.
        || (msg.starts_with("no such column") && upper.starts_with("CREATE TABLE"))
}

pub fn is_parse_message(m: &str) -> bool {
    PARSE_MESSAGES.iter().any(|p| m.contains(p))
}

pub fn oracle_connection() -> rusqlite::Connection {
    let conn = rusqlite::Connection::open_in_memory().expect("in-memory database");
    conn.execute_batch(
        "CREATE TABLE t(a, b, c); CREATE TABLE t1(a INTEGER PRIMARY KEY, b TEXT, c REAL);
         CREATE TABLE t2(x, y); CREATE INDEX i1 ON t1(b);
         CREATE VIEW v AS SELECT 1 AS a, 2 AS b;",
    )
    .expect("schema");
    conn
}

pub fn sqlite_verdict(conn: &rusqlite::Connection, sql: &str) -> Verdict {
    match rusqlite::Batch::new(conn, sql).next() {
        Ok(Some(_)) => Verdict::Accept,
        Ok(None) => Verdict::Empty,
        Err(e) => {
            let msg = match e {
                rusqlite::Error::SqlInputError { msg, .. } => msg,
                rusqlite::Error::SqliteFailure(_, Some(m)) => m,
                other => other.to_string(),
            };
            if is_parse_message(&msg) {
                Verdict::Reject(msg)
            } else {
                Verdict::Semantic(msg)
            }
        }
    }
}

pub fn our_verdict(sql: &str) -> Verdict {
    match basalt_parser::parse_first(sql) {
        Ok(Some(_)) => Verdict::Accept,
        Ok(None) => Verdict::Empty,
        Err(e) => Verdict::Reject(e.message),
    }
}

/// Whether the two verdicts agree. SQLite also reports "Expression tree is
/// too large" during name resolution, where heights of nested subqueries
/// add up; that is not a parse error, so our acceptance is fine there.
pub fn agree(sql: &str, ours: &Verdict, theirs: &Verdict) -> bool {
    match (ours, theirs) {
        (Verdict::Accept, Verdict::Semantic(_)) => true,
        (Verdict::Reject(_), Verdict::Semantic(m)) => raised_mid_parse(m, sql),
        (Verdict::Accept, Verdict::Reject(m)) => m.starts_with("Expression tree is too large"),
        _ => ours == theirs,
    }
}
