//! The stack of named savepoints opened by `SAVEPOINT name` (SQLite's savepoint.html), as the
//! connection keeps it between statements.
//!
//! Each entry remembers, per database, the pager savepoint level it stands for. A savepoint
//! opened before its database's write transaction began (the usual case: `SAVEPOINT a` in
//! autocommit mode starts a *deferred* transaction) has no level there yet; the first write on
//! that database opens one pager savepoint — the *base*, the state at the start of the write —
//! and every entry still without a level gets it. So, per database, the levels along the stack
//! never decrease, and several entries may share one level (then only the first of them owns
//! it: releasing a later one must not release the pager savepoint).
//!
//! Invariants: the stack is empty in autocommit mode; `began_transaction` is set only while the
//! stack is not empty; the pager's savepoints below a statement's own are exactly the distinct
//! levels of this stack.

use crate::schema::Db;

/// One open `SAVEPOINT`.
#[derive(Debug, Clone)]
struct Entry {
    name: String,
    /// The pager savepoint level per database (`Db::index`), once that database writes.
    levels: [Option<usize>; 2],
}

#[derive(Debug, Default)]
pub struct Savepoints {
    entries: Vec<Entry>,
    /// The outermost savepoint started the transaction (it was opened in autocommit mode), so
    /// releasing it commits.
    pub began_transaction: bool,
}

/// What a `RELEASE` amounts to.
#[derive(Debug, PartialEq, Eq)]
pub enum Release {
    /// Release the pager savepoint at this level in each database that has one to release.
    Levels([Option<usize>; 2]),
    /// The outermost savepoint of a transaction it began: the same as COMMIT.
    Commit,
}

impl Savepoints {
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Forget every savepoint: the transaction ended.
    pub fn clear(&mut self) {
        self.entries.clear();
        self.began_transaction = false;
    }

    /// Open savepoint `name` with the pager levels its databases already have.
    pub fn push(&mut self, name: &str, levels: [Option<usize>; 2]) {
        self.entries.push(Entry {
            name: name.to_string(),
            levels,
        });
    }

    /// True when a write just beginning on `db` must open a base savepoint for entries that
    /// have no level there yet.
    pub fn needs_base(&self, db: Db) -> bool {
        self.entries.iter().any(|e| e.levels[db.index()].is_none())
    }

    /// `db`'s write began, and its pager savepoint `level` holds the state from before it.
    pub fn set_base(&mut self, db: Db, level: usize) {
        for entry in &mut self.entries {
            let slot = &mut entry.levels[db.index()];
            debug_assert!(slot.is_none_or(|l| l < level), "levels never decrease");
            slot.get_or_insert(level);
        }
    }

    /// The newest savepoint called `name` (compared as SQLite does: ASCII case-insensitive).
    fn find(&self, name: &str) -> Option<usize> {
        self.entries
            .iter()
            .rposition(|e| e.name.eq_ignore_ascii_case(name))
    }

    /// `RELEASE name`: drops `name` and every savepoint opened after it, and says what the
    /// pagers must do; `None` when there is no such savepoint (nothing changes).
    pub fn release(&mut self, name: &str) -> Option<Release> {
        let at = self.find(name)?;
        if at == 0 && self.began_transaction {
            return Some(Release::Commit);
        }
        let mut owned = self.entries[at].levels;
        if let Some(parent) = at.checked_sub(1).map(|p| &self.entries[p]) {
            for (slot, parent_level) in owned.iter_mut().zip(parent.levels) {
                if *slot == parent_level {
                    // The parent shares this base savepoint and keeps it.
                    *slot = None;
                }
            }
        }
        self.entries.truncate(at);
        Some(Release::Levels(owned))
    }

    /// `ROLLBACK TO name`: drops every savepoint opened after `name` (which stays open) and says
    /// which pager level to roll each database back to; `None` when there is no such savepoint.
    pub fn rollback_to(&mut self, name: &str) -> Option<[Option<usize>; 2]> {
        let at = self.find(name)?;
        self.entries.truncate(at + 1);
        Some(self.entries[at].levels)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_opened_before_the_write_share_its_base() {
        let mut stack = Savepoints {
            began_transaction: true,
            ..Savepoints::default()
        };
        stack.push("a", [None, None]);
        stack.push("B", [None, None]);
        assert!(stack.needs_base(Db::Main));
        stack.set_base(Db::Main, 0);
        stack.push("c", [Some(1), None]);
        assert!(!stack.needs_base(Db::Main));
        assert_eq!(stack.rollback_to("b"), Some([Some(0), None]), "c is gone");
        assert_eq!(
            stack.release("b"),
            Some(Release::Levels([None, None])),
            "a owns the base"
        );
        assert_eq!(stack.release("nosuch"), None);
        assert_eq!(stack.release("A"), Some(Release::Commit));
    }

    #[test]
    fn releasing_a_savepoint_inside_begin_keeps_the_transaction() {
        let mut stack = Savepoints::default();
        stack.push("x", [Some(0), None]);
        stack.push("x", [Some(1), None]);
        assert_eq!(stack.release("x"), Some(Release::Levels([Some(1), None])));
        assert_eq!(stack.release("x"), Some(Release::Levels([Some(0), None])));
        assert!(stack.is_empty());
    }
}
