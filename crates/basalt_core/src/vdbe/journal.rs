//! Whether a program needs a statement savepoint (SQLite's statement journal).
//!
//! Inside a transaction, a statement that fails must undo its own changes (ABORT), so the VM
//! opens a pager savepoint when it begins writing, which copies every page before its first
//! change. SQLite skips that when no failure can come after the statement's first write
//! (`usesStmtJournal` is false): a single-row INSERT checks every constraint before it writes.
//! The copies are most of what a bulk load of such inserts costs beyond the b-tree work, so the
//! VM skips them too, under the same condition, decided here from the program alone:
//!
//! - every instruction is one whose behaviour is known here (an allow-list: anything else means
//!   a savepoint), and
//! - from each instruction that writes, only instructions that cannot fail (but on I/O errors,
//!   corruption or an interrupt) are reachable: record building, register moves, constants,
//!   the writes themselves, jumps and the final `Halt`.
//!
//! A statement run without a savepoint that fails after it began writing (only those errors
//! can) rolls back the whole transaction, as SQLite does for I/O errors (`Connection::fail`).

use super::insn::Insn;

/// True unless the program can run without a statement savepoint (see the module doc).
pub fn needs_statement_journal(insns: &[Insn]) -> bool {
    if !insns.iter().all(is_known) {
        return true;
    }
    let mut seen = vec![false; insns.len()];
    let mut pending: Vec<usize> = (0..insns.len()).filter(|&a| writes(&insns[a])).collect();
    while let Some(addr) = pending.pop() {
        if std::mem::replace(&mut seen[addr], true) {
            continue;
        }
        let insn = &insns[addr];
        if !cannot_fail(insn) {
            return true;
        }
        match insn {
            Insn::Halt => {}
            Insn::Goto { target } => pending.push(*target),
            _ => pending.push(addr + 1),
        }
        // A fall-through or jump past the end is a code generator bug: keep the savepoint.
        if pending.last().is_some_and(|&next| next >= insns.len()) {
            return true;
        }
    }
    false
}

/// The instructions that change the database and are allowed without a savepoint.
fn writes(insn: &Insn) -> bool {
    matches!(insn, Insn::Insert { .. } | Insn::IdxInsert { .. })
}

/// Instructions that fail only on I/O errors, corruption or an interrupt.
fn cannot_fail(insn: &Insn) -> bool {
    writes(insn)
        || matches!(
            insn,
            Insn::MakeRecord { .. }
                | Insn::Copy { .. }
                | Insn::Null { .. }
                | Insn::Integer { .. }
                | Insn::Real { .. }
                | Insn::Text { .. }
                | Insn::Blob { .. }
                | Insn::Variable { .. }
                | Insn::Affinity { .. }
                | Insn::RealAffinity { .. }
                | Insn::Noop
                | Insn::Goto { .. }
                | Insn::Halt
        )
}

/// The allow-list: what a single-row INSERT compiles to. Only `Insert` and `IdxInsert` write.
fn is_known(insn: &Insn) -> bool {
    cannot_fail(insn)
        || matches!(
            insn,
            Insn::Init { .. }
                | Insn::Transaction { .. }
                | Insn::OpenRead { .. }
                | Insn::OpenWrite { .. }
                | Insn::IsNull { .. }
                | Insn::NotNull { .. }
                | Insn::MustBeInt { .. }
                | Insn::NewRowid { .. }
                | Insn::SeekRowid { .. }
                | Insn::HaltError { .. }
                | Insn::HaltIfNull { .. }
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failure_after_a_write_needs_a_savepoint() {
        let record = Insn::MakeRecord {
            start: 0,
            count: 1,
            dest: 1,
        };
        let write = Insn::IdxInsert {
            cursor: 0,
            record: 1,
        };
        let fail = Insn::MustBeInt { reg: 0 };
        let safe = [fail.clone(), record.clone(), write.clone(), Insn::Halt];
        assert!(!needs_statement_journal(&safe));
        let unsafe_order = [record.clone(), write.clone(), fail, Insn::Halt];
        assert!(needs_statement_journal(&unsafe_order));
        let loop_back = [record, write, Insn::Goto { target: 0 }];
        assert!(!needs_statement_journal(&loop_back));
        let off_the_end = [Insn::IdxInsert {
            cursor: 0,
            record: 1,
        }];
        assert!(needs_statement_journal(&off_the_end));
        let unknown = Insn::SchemaChanged {
            db: crate::schema::Db::Main,
        };
        assert!(needs_statement_journal(&[unknown, Insn::Halt]));
    }
}
