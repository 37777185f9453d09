//! The run-time half of the PRAGMAs that read or set database and connection state: the header
//! fields, the pager's settings, the WAL checkpoint.
//!
//! Invariants: a setting is applied only after every read it needs succeeded, so an
//! `IoPending` leaves nothing changed (the instruction re-runs whole); header fields are written
//! only inside the write transaction the code generator asked for.

use crate::error::{Error, ErrorCode, Result};
use crate::format::offset::{APPLICATION_ID, USER_VERSION};
use crate::integrity::{check_trees, TreeRoot};
use crate::pager::Pager;
use crate::record::Value;
use crate::schema::Schema;
use crate::wal::{CheckpointMode, Synchronous};
use std::time::Duration;

/// A PRAGMA evaluated when the statement runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RuntimePragma {
    PageSize,
    PageCount,
    FreelistCount,
    CacheSize,
    UserVersion,
    ApplicationId,
    SchemaVersion,
    JournalMode,
    Synchronous,
    WalAutocheckpoint,
    BusyTimeout,
    /// Unqualified `locking_mode`: SQLite's connection default (the `main.` form is answered by
    /// the code generator). Set to 0 (normal), 1 (exclusive), or -1 (anything else: a query).
    LockingMode,
}

impl RuntimePragma {
    pub fn from_name(name: &str) -> Option<RuntimePragma> {
        Some(match name {
            "page_size" => RuntimePragma::PageSize,
            "page_count" => RuntimePragma::PageCount,
            "freelist_count" => RuntimePragma::FreelistCount,
            "cache_size" => RuntimePragma::CacheSize,
            "user_version" => RuntimePragma::UserVersion,
            "application_id" => RuntimePragma::ApplicationId,
            "schema_version" => RuntimePragma::SchemaVersion,
            "journal_mode" => RuntimePragma::JournalMode,
            "synchronous" => RuntimePragma::Synchronous,
            "wal_autocheckpoint" => RuntimePragma::WalAutocheckpoint,
            "busy_timeout" => RuntimePragma::BusyTimeout,
            "locking_mode" => RuntimePragma::LockingMode,
            _ => return None,
        })
    }

    /// The result column's name, as SQLite names it.
    pub fn column_name(self) -> &'static str {
        match self {
            RuntimePragma::PageSize => "page_size",
            RuntimePragma::PageCount => "page_count",
            RuntimePragma::FreelistCount => "freelist_count",
            RuntimePragma::CacheSize => "cache_size",
            RuntimePragma::UserVersion => "user_version",
            RuntimePragma::ApplicationId => "application_id",
            RuntimePragma::SchemaVersion => "schema_version",
            RuntimePragma::JournalMode => "journal_mode",
            RuntimePragma::Synchronous => "synchronous",
            RuntimePragma::WalAutocheckpoint => "wal_autocheckpoint",
            RuntimePragma::BusyTimeout => "timeout",
            RuntimePragma::LockingMode => "locking_mode",
        }
    }

    /// Whether setting it writes the database header (and so needs a write transaction).
    pub fn writes_header(self) -> bool {
        matches!(
            self,
            RuntimePragma::UserVersion | RuntimePragma::ApplicationId
        )
    }

    /// Whether `PRAGMA x = N` still returns the (new) value as a row, as SQLite's do.
    pub fn set_returns_row(self) -> bool {
        matches!(
            self,
            RuntimePragma::JournalMode
                | RuntimePragma::WalAutocheckpoint
                | RuntimePragma::BusyTimeout
                | RuntimePragma::LockingMode
        )
    }
}

/// Applies `set` (if any) and returns the pragma's current value.
pub fn run(pager: &mut Pager, pragma: RuntimePragma, set: Option<i64>) -> Result<Value> {
    let header = pager.header()?;
    if let Some(n) = set {
        match pragma {
            RuntimePragma::UserVersion => write_header_i32(pager, USER_VERSION, n)?,
            RuntimePragma::ApplicationId => write_header_i32(pager, APPLICATION_ID, n)?,
            RuntimePragma::CacheSize => pager.set_cache_size(n),
            RuntimePragma::Synchronous => pager.set_synchronous(match n {
                0 => Synchronous::Off,
                1 => Synchronous::Normal,
                3 => Synchronous::Extra,
                _ => Synchronous::Full,
            }),
            RuntimePragma::WalAutocheckpoint => {
                pager.set_wal_autocheckpoint(u32::try_from(n.max(0)).unwrap_or(u32::MAX))
            }
            RuntimePragma::BusyTimeout => {
                pager.set_busy_timeout(Duration::from_millis(u64::try_from(n).unwrap_or(0)))
            }
            RuntimePragma::LockingMode => set_locking_mode(pager, n)?,
            // A new database would take the page size; Basalt's pager fixes it at open, so
            // refuse rather than silently create pages of another size.
            RuntimePragma::PageSize if pager.page_count() == 0 && n != pager.page_size() as i64 => {
                return Err(Error::not_supported("PRAGMA page_size on a new database"))
            }
            // Page size and journal mode are fixed once the database exists: a no-op, as
            // SQLite's is for a WAL database.
            _ => {}
        }
        if !pragma.set_returns_row() {
            return Ok(Value::Null);
        }
    }
    Ok(match pragma {
        RuntimePragma::PageSize => Value::Integer(pager.page_size() as i64),
        RuntimePragma::PageCount => Value::Integer(i64::from(pager.page_count())),
        RuntimePragma::FreelistCount => Value::Integer(i64::from(header.freelist_count)),
        RuntimePragma::CacheSize => Value::Integer(pager.cache_size()),
        RuntimePragma::UserVersion => Value::Integer(i64::from(match set {
            Some(n) => n as i32,
            None => header.user_version,
        })),
        RuntimePragma::ApplicationId => Value::Integer(i64::from(header.application_id)),
        RuntimePragma::SchemaVersion => Value::Integer(i64::from(header.schema_cookie)),
        RuntimePragma::JournalMode => Value::from(if pager.is_wal() { "wal" } else { "memory" }),
        RuntimePragma::Synchronous => Value::Integer(pager.synchronous() as i64),
        RuntimePragma::WalAutocheckpoint => Value::Integer(i64::from(pager.wal_autocheckpoint())),
        RuntimePragma::BusyTimeout => {
            Value::Integer(i64::try_from(pager.busy_timeout().as_millis()).unwrap_or(i64::MAX))
        }
        // Setting answers with the database's own mode, which stays exclusive (SQLite's pager
        // ignores the change for in-memory databases and heap-memory WAL indexes); a query
        // answers with the connection's default.
        RuntimePragma::LockingMode if set.is_some_and(|n| n >= 0) => Value::from("exclusive"),
        RuntimePragma::LockingMode => Value::from(if pager.default_locking_exclusive() {
            "exclusive"
        } else {
            "normal"
        }),
    })
}

/// `PRAGMA locking_mode = NORMAL | EXCLUSIVE` (`n` 0 or 1; -1 changes nothing). A database
/// file keeps the mode it was opened in: held exclusively with its WAL index in heap memory (a
/// new or rollback-journal file, or `PagerOptions::exclusive_locking`), or shared with other
/// processes through its `-shm`. Switching would promise what does not happen, so it is
/// refused. In-memory databases take it as SQLite does.
fn set_locking_mode(pager: &mut Pager, n: i64) -> Result<()> {
    match n {
        0 | 1 if pager.is_wal() && (n == 1) != pager.default_locking_exclusive() => {
            Err(Error::not_supported(if n == 0 {
                "PRAGMA locking_mode=NORMAL on a database this process holds exclusively (a \
                 new or rollback-journal database, or one opened in exclusive locking mode)"
            } else {
                "PRAGMA locking_mode=EXCLUSIVE on a database already shared with other \
                 processes through its -shm (open it in exclusive locking mode instead)"
            }))
        }
        0 | 1 => {
            pager.set_default_locking_exclusive(n == 1);
            Ok(())
        }
        _ => Ok(()),
    }
}

/// `PRAGMA wal_checkpoint(MODE)`: busy, log frames, checkpointed frames; -1, -1 when the
/// database is not in WAL mode, as SQLite reports.
pub fn checkpoint(pager: &mut Pager, mode: CheckpointMode) -> Result<[Value; 3]> {
    if !pager.is_wal() {
        return Ok([Value::Integer(0), Value::Integer(-1), Value::Integer(-1)]);
    }
    let r = pager.checkpoint(mode)?;
    Ok([
        Value::Integer(i64::from(r.busy)),
        Value::Integer(r.log_frames),
        Value::Integer(r.checkpointed_frames),
    ])
}

/// The structural check of every b-tree the schema names (or of `only` those): SQLite's
/// report (all messages in one value, under a heading naming the database) or NULL when clean,
/// and how many of `max_errors` remain for the checks that follow.
pub fn integrity_check(
    pager: &mut Pager,
    max_errors: usize,
    only: Option<&[TreeRoot]>,
) -> Result<(Value, Value)> {
    let messages = match only {
        None => {
            let roots = Schema::load(pager)?.tree_roots(pager)?;
            check_trees(pager, &roots, max_errors, false)?
        }
        Some(trees) => check_trees(pager, trees, max_errors, true)?,
    };
    let left = Value::Integer(max_errors.saturating_sub(messages.len()) as i64);
    if messages.is_empty() {
        return Ok((Value::Null, left));
    }
    let report = format!("*** in database main ***\n{}", messages.join("\n"));
    Ok((Value::from(report.as_str()), left))
}

/// Stores a 32-bit header field (SQLite keeps the low 32 bits of the value set).
fn write_header_i32(pager: &mut Pager, offset: usize, n: i64) -> Result<()> {
    let page_one = pager.get(1)?;
    pager.make_writable(&page_one)?;
    let mut data = page_one.data_mut();
    let field = data
        .get_mut(offset..offset + 4)
        .ok_or_else(|| Error::new(ErrorCode::Corrupt, "database header too short"))?;
    field.copy_from_slice(&(n as i32).to_be_bytes());
    Ok(())
}
