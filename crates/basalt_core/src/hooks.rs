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
//! - Hooks run inside engine calls: they must not use the connection they are set on.

/// The hooks of one connection.
#[derive(Default)]
pub struct Hooks {
    pub commit: Option<Box<dyn FnMut() -> bool>>,
    pub rollback: Option<Box<dyn FnMut()>>,
    pub progress: Option<Progress>,
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
            .finish()
    }
}

/// SQLITE_CONSTRAINT_COMMITHOOK.
pub const CONSTRAINT_COMMITHOOK: i32 = 19 | (2 << 8);
