//! Callbacks an application sets on a connection: commit and rollback hooks
//! (`sqlite3_commit_hook`, `sqlite3_rollback_hook`) and the progress handler
//! (`sqlite3_progress_handler`).
//!
//! Invariants:
//! - The commit hook runs just before a transaction that wrote commits; returning `true` turns
//!   the commit into a rollback, and the statement fails with SQLITE_CONSTRAINT_COMMITHOOK.
//! - The rollback hook runs when a transaction is rolled back: an explicit ROLLBACK, a failing
//!   statement that undoes its transaction, a commit the commit hook refused. Not when a
//!   connection closes.
//! - The progress handler runs every `every` VM instructions of a running statement;
//!   returning `true` interrupts the statement ("interrupted").
//! - The update hook runs after each row written to a rowid table by INSERT, UPDATE or DELETE
//!   (not for the cases SQLite leaves out, see [`UpdateReport`]).
//! - The authorizer runs while a statement compiles (`codegen/authorize.rs`), never while it
//!   runs; it is kept with the connection's compile settings (`functions::UserRegistry`), so
//!   that changing it makes prepared statements compile again, as SQLite expires them.
//! - Hooks run inside engine calls: they must not use the connection they are set on.

/// The hooks of one connection.
#[derive(Default)]
pub struct Hooks {
    pub commit: Option<Box<dyn FnMut() -> bool>>,
    pub rollback: Option<Box<dyn FnMut()>>,
    pub progress: Option<Progress>,
    /// Called after each row an INSERT, UPDATE or DELETE writes to a rowid table: the kind of
    /// change, the database name, the table name and the rowid.
    pub update: Option<Box<UpdateHook>>,
}

/// An update hook: the kind of change, the database name, the table name, the rowid.
pub type UpdateHook = dyn FnMut(UpdateOp, &str, &str, i64);

/// What an update hook reports (SQLite's `SQLITE_INSERT`, `SQLITE_UPDATE`, `SQLITE_DELETE`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UpdateOp {
    Insert = 18,
    Update = 23,
    Delete = 9,
}

/// The update-hook report an `Insert` or `Delete` instruction makes: which change, to which
/// table. Instructions without one (schema, sequence and temporary tables, the old row of an
/// UPDATE that moves a row, rows REPLACE removes, `DELETE` without WHERE) report nothing, as in
/// SQLite.
#[derive(Clone, Debug, PartialEq)]
pub struct UpdateReport {
    pub op: UpdateOp,
    pub table: std::rc::Rc<str>,
}

/// A progress handler and how often it runs.
pub struct Progress {
    /// Instructions between two calls (at least 1).
    pub every: u32,
    /// Returns `true` to interrupt the running statement.
    pub handler: Box<dyn FnMut() -> bool>,
}

impl std::fmt::Debug for Hooks {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Hooks")
            .field("commit", &self.commit.is_some())
            .field("rollback", &self.rollback.is_some())
            .field("progress", &self.progress.as_ref().map(|p| p.every))
            .field("update", &self.update.is_some())
            .finish()
    }
}

/// SQLITE_CONSTRAINT_COMMITHOOK.
pub const CONSTRAINT_COMMITHOOK: i32 = 19 | (2 << 8);

/// An authorizer (`sqlite3_set_authorizer`): called with an action code ([`auth`]), its two
/// arguments, the database name and the innermost trigger or view; answers `auth::OK`,
/// `auth::DENY` or `auth::IGNORE` (anything else is "authorizer malfunction").
pub type Authorizer = dyn Fn(i32, Option<&str>, Option<&str>, Option<&str>, Option<&str>) -> i32;

/// SQLite's authorizer action codes and answers.
pub mod auth {
    pub const OK: i32 = 0;
    pub const DENY: i32 = 1;
    pub const IGNORE: i32 = 2;
    pub const CREATE_INDEX: i32 = 1;
    pub const CREATE_TABLE: i32 = 2;
    pub const CREATE_TEMP_INDEX: i32 = 3;
    pub const CREATE_TEMP_TABLE: i32 = 4;
    pub const CREATE_TEMP_TRIGGER: i32 = 5;
    pub const CREATE_TEMP_VIEW: i32 = 6;
    pub const CREATE_TRIGGER: i32 = 7;
    pub const CREATE_VIEW: i32 = 8;
    pub const DELETE: i32 = 9;
    pub const DROP_INDEX: i32 = 10;
    pub const DROP_TABLE: i32 = 11;
    pub const DROP_TEMP_INDEX: i32 = 12;
    pub const DROP_TEMP_TABLE: i32 = 13;
    pub const DROP_TEMP_TRIGGER: i32 = 14;
    pub const DROP_TEMP_VIEW: i32 = 15;
    pub const DROP_TRIGGER: i32 = 16;
    pub const DROP_VIEW: i32 = 17;
    pub const INSERT: i32 = 18;
    pub const PRAGMA: i32 = 19;
    pub const READ: i32 = 20;
    pub const SELECT: i32 = 21;
    pub const TRANSACTION: i32 = 22;
    pub const UPDATE: i32 = 23;
    pub const REINDEX: i32 = 27;
    pub const FUNCTION: i32 = 31;
    pub const SAVEPOINT: i32 = 32;
}
