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
