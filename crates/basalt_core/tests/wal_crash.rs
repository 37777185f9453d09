//! Done-when 2: crash (or fail) at every write and every sync of a multi-transaction workload,
//! reopen, and find exactly the transactions that committed, as `synchronous` promises: never
//! part of one. SQLite's `integrity_check` must say ok on what is left, and on what Basalt writes
//! after recovering it.

mod wal_support;

use basalt_core::io::{Fault, FaultKind, FaultPoint, Io, MemoryIo};
use basalt_core::pager::{Pager, PagerOptions};
use basalt_core::wal::{CheckpointMode, Synchronous};
use std::sync::Arc;
use wal_support::*;

const DB: &str = "crash.db";
const TRANSACTIONS: i64 = 9;

fn options(synchronous: Synchronous) -> PagerOptions {
    PagerOptions {
        page_size: 1024,
        synchronous,
        // Small, so that the workload checkpoints and restarts the log a few times.
        wal_autocheckpoint: 8,
        ..PagerOptions::default()
    }
}

/// The rows after each transaction: `states[k]` once `k` transactions committed (transaction 1
/// creates the table).
fn model() -> Vec<Rows> {
    let mut states = vec![Rows::new(), Rows::new()];
    let mut rows = Rows::new();
    for t in 0..TRANSACTIONS {
        for i in 0..3 {
            let id = t * 10 + i;
            rows.insert(id, value_for(id, (t + i) % 4 == 0));
        }
        rows.remove(&((t - 1) * 10 + 1));
        states.push(rows.clone());
    }
    states
}

/// Run the workload until it ends or an operation fails; returns how many transactions'
/// commits returned Ok.
fn workload(io: &Arc<MemoryIo>, synchronous: Synchronous) -> usize {
    let mut acked = 0;
    let dyn_io: Arc<dyn Io> = io.clone();
    let Ok(mut pager) = Pager::open(dyn_io, DB, &options(synchronous)) else {
        return acked;
    };
    let result = (|| -> basalt_core::Result<()> {
        let root = create_table(&mut pager)?;
        acked += 1;
        for t in 0..TRANSACTIONS {
            pager.begin_write()?;
            for i in 0..3 {
                let id = t * 10 + i;
                put(&mut pager, root, id, &value_for(id, (t + i) % 4 == 0))?;
            }
            delete(&mut pager, root, (t - 1) * 10 + 1)?;
            pager.commit()?;
            acked += 1;
            if t == 5 {
                pager.checkpoint(CheckpointMode::Truncate)?;
            }
        }
        Ok(())
    })();
    if result.is_err() {
        pager.rollback();
    }
    let _ = pager.close();
    acked
}

/// Which model state the recovered database is in (panics if none).
fn recovered_state(io: &Arc<MemoryIo>, states: &[Rows], what: &str) -> usize {
    let dyn_io: Arc<dyn Io> = io.clone();
    let mut pager = Pager::open(dyn_io, DB, &options(Synchronous::Full))
        .unwrap_or_else(|e| panic!("{what}: reopen failed: {e}"));
    let rows = basalt_rows(&mut pager).unwrap_or_else(|e| panic!("{what}: read failed: {e}"));
    let exists = table_root(&mut pager).unwrap().is_some();
    std::mem::forget(pager); // keep the pair as recovery left it, for SQLite
    let k = states
        .iter()
        .enumerate()
        .position(|(k, s)| *s == rows && (k >= 1) == exists)
        .unwrap_or_else(|| panic!("{what}: state matches no prefix of the transactions"));
    let (check, sqlite) = sqlite_view(io, DB, &temp_path("crash-check"));
    assert_eq!(check, "ok", "{what}: SQLite integrity_check");
    assert_eq!(sqlite, rows, "{what}: SQLite sees what Basalt sees");
    k
}

/// After recovery Basalt must be able to go on writing, and SQLite must accept the result.
fn write_after_recovery(io: &Arc<MemoryIo>, what: &str) {
    let scratch = Arc::new(MemoryIo::new());
    for name in [DB.to_string(), format!("{DB}-wal")] {
        if let Some(bytes) = io.file_bytes(&name) {
            scratch.set_file_bytes(&name, bytes);
        }
    }
    let dyn_io: Arc<dyn Io> = scratch.clone();
    let mut pager = Pager::open(dyn_io, DB, &options(Synchronous::Full)).unwrap();
    let mut rows = basalt_rows(&mut pager).unwrap();
    let root = match table_root(&mut pager).unwrap() {
        Some(root) => root,
        None => create_table(&mut pager).unwrap(),
    };
    pager.end_read();
    pager.begin_write().unwrap();
    put(&mut pager, root, 9999, b"after").unwrap();
    pager.commit().unwrap();
    rows.insert(9999, b"after".to_vec());
    std::mem::forget(pager);
    let (check, sqlite) = sqlite_view(&scratch, DB, &temp_path("crash-after"));
    assert_eq!(
        check, "ok",
        "{what}: integrity after writing on the recovered log"
    );
    assert_eq!(
        sqlite, rows,
        "{what}: rows after writing on the recovered log"
    );
}

fn crash_everywhere(synchronous: Synchronous) {
    let states = model();
    let counting = Arc::new(MemoryIo::new());
    counting.inject(None);
    assert_eq!(workload(&counting, synchronous), TRANSACTIONS as usize + 1);
    let (writes, syncs) = counting.counts();
    assert!(
        writes > 20,
        "the workload writes ({writes} writes, {syncs} syncs)"
    );
    let mut points: Vec<(FaultPoint, FaultKind)> = Vec::new();
    for n in 1..=writes {
        points.push((FaultPoint::Write(n), FaultKind::CrashDropUnsynced));
        points.push((FaultPoint::Write(n), FaultKind::CrashTearLast));
    }
    for n in 1..=syncs {
        points.push((FaultPoint::Sync(n), FaultKind::CrashDropUnsynced));
        points.push((FaultPoint::Sync(n), FaultKind::CrashTearLast));
    }
    let mut lost = 0;
    for (at, kind) in points {
        let what = format!("{synchronous:?} {kind:?} at {at:?}");
        let io = Arc::new(MemoryIo::new());
        io.inject(Some(Fault { at, kind }));
        let acked = workload(&io, synchronous);
        assert!(io.has_crashed(), "{what}: the fault fired");
        io.reboot();
        io.inject(None);
        let k = recovered_state(&io, &states, &what);
        assert!(
            k <= acked + 1,
            "{what}: {k} transactions but only {acked} (+1 in flight)"
        );
        let everything_kept = kind == FaultKind::CrashTearLast;
        if synchronous >= Synchronous::Full || everything_kept {
            assert!(
                k >= acked,
                "{what}: lost a committed transaction ({k} < {acked})"
            );
        }
        lost += acked.saturating_sub(k);
        write_after_recovery(&io, &what);
    }
    println!("{synchronous:?}: {writes} writes, {syncs} syncs; {lost} acknowledged commits lost");
}

#[test]
fn crash_at_every_point_full() {
    crash_everywhere(Synchronous::Full);
}

#[test]
fn crash_at_every_point_normal() {
    crash_everywhere(Synchronous::Normal);
}

/// An I/O error at any write or sync: no panic, the connection stays usable, and after closing
/// and reopening the state is the committed transactions' (or, when a sync failed, possibly
/// with the transaction whose sync failed, as in SQLite).
#[test]
fn fail_at_every_point() {
    let counting = Arc::new(MemoryIo::new());
    workload(&counting, Synchronous::Full);
    let (writes, syncs) = counting.counts();
    let points = (1..=writes)
        .map(FaultPoint::Write)
        .chain((1..=syncs).map(FaultPoint::Sync));
    for at in points {
        let what = format!("failure at {at:?}");
        let io = Arc::new(MemoryIo::new());
        io.inject(Some(Fault {
            at,
            kind: FaultKind::Fail,
        }));
        let dyn_io: Arc<dyn Io> = io.clone();
        let mut expected = Rows::new();
        let mut with_failed: Option<Rows> = None;
        if let Ok(mut pager) = Pager::open(dyn_io, DB, &options(Synchronous::Full)) {
            let mut root = None;
            for t in -1..TRANSACTIONS {
                if root.is_none() {
                    root = create_table(&mut pager).ok();
                    continue;
                }
                let root = root.unwrap();
                let mut next = expected.clone();
                let step = (|| -> basalt_core::Result<()> {
                    pager.begin_write()?;
                    for i in 0..3 {
                        let id = t * 10 + i;
                        let value = value_for(id, (t + i) % 4 == 0);
                        put(&mut pager, root, id, &value)?;
                        next.insert(id, value);
                    }
                    if delete(&mut pager, root, (t - 1) * 10 + 1)? {
                        next.remove(&((t - 1) * 10 + 1));
                    }
                    pager.commit()
                })();
                match step {
                    Ok(()) => expected = next,
                    Err(e) => {
                        assert_ne!(e.code, basalt_core::ErrorCode::Internal, "{what}: {e}");
                        pager.rollback();
                        if matches!(at, FaultPoint::Sync(_)) {
                            with_failed = Some(next);
                        }
                    }
                }
            }
            let _ = pager.close();
        }
        let dyn_io: Arc<dyn Io> = io.clone();
        let mut pager = Pager::open(dyn_io, DB, &options(Synchronous::Full)).unwrap();
        let rows = basalt_rows(&mut pager).unwrap();
        assert!(
            rows == expected || Some(&rows) == with_failed.as_ref(),
            "{what}: unexpected state after reopening"
        );
        std::mem::forget(pager);
        let (check, sqlite) = sqlite_view(&io, DB, &temp_path("fail-check"));
        assert_eq!(check, "ok", "{what}");
        assert_eq!(sqlite, rows, "{what}");
    }
}
