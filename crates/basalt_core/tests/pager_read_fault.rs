//! A failed read leaves nothing behind: the page is not cached, and a read the failed operation
//! left in flight (a prefetch it never collected) cannot fail the next operation. Found by the
//! simulator (seed 12399): after a statement died of an injected read fault, the connection's
//! next read of a page the statement had prefetched got that old fault instead of reading again.

mod pager_support;

use basalt_core::io::{Io, SimConfig, SimIo};
use basalt_core::pager::Pager;
use pager_support::{fill, open};
use std::sync::Arc;

/// A machine on which nothing finishes at submission and, while faults are on, every operation
/// fails.
fn hostile_io() -> Arc<SimIo> {
    let config = SimConfig {
        immediate_percent: 0,
        fault_per_10k: 10_000,
        ..SimConfig::default()
    };
    Arc::new(SimIo::new(1, config))
}

/// Runs the backend until nothing is queued.
fn drain(io: &SimIo) {
    loop {
        let ops = io.stats().ops;
        io.wait().unwrap();
        if io.stats().ops == ops {
            return;
        }
    }
}

/// A pager (in a write transaction if `write`) whose prefetch of pages 2..=5 met failing reads:
/// the prefetch reported the first failure and returned with the reads of the other pages
/// failed but uncollected. The backend may run a read as soon as it is submitted; the machine
/// is reseeded (and the pager opened again) until it runs none of the four early, so that all
/// four are still in flight when the first failure surfaces.
fn failed_prefetch(io: &Arc<SimIo>, write: bool) -> Pager {
    let pages = [2, 3, 4, 5];
    for seed in 0.. {
        let mut pager = open(io);
        if write {
            pager.begin_write().unwrap();
        }
        io.reseed(seed);
        io.set_faults(true);
        let ops = io.stats().ops;
        let first = pager.prefetch(&pages);
        if io.stats().ops != ops {
            // Some read already ran: let whatever is queued finish and start over.
            drain(io);
            io.set_faults(false);
            continue;
        }
        assert!(first.unwrap_err().is_io_pending());
        while io.stats().ops < ops + 4 {
            io.wait().unwrap();
        }
        let err = pager.prefetch(&pages).unwrap_err();
        assert_eq!(err.detail.as_deref(), Some("simulated read error"));
        io.set_faults(false);
        return pager;
    }
    unreachable!("some seed queues every read")
}

fn assert_reads_back(pager: &mut Pager) {
    for pgno in 2..=5 {
        let page = pager.get_now(pgno).unwrap_or_else(|e| {
            panic!("page {pgno} after the fault was gone: {e:?}");
        });
        assert_eq!(page.data()[200], pgno as u8);
    }
}

#[test]
fn a_read_transaction_ended_after_a_read_fault_leaves_no_stale_error() {
    let io = hostile_io();
    fill(&mut open(&io), 6);
    let mut reader = failed_prefetch(&io, false);
    reader.end_read();
    let misses = reader.stats().misses;
    assert_reads_back(&mut reader);
    assert_eq!(
        reader.stats().misses - misses,
        4,
        "every page was read again: no failed read was cached"
    );
}

#[test]
fn abandoned_reads_inside_a_transaction_are_read_again() {
    let io = hostile_io();
    fill(&mut open(&io), 6);
    let mut writer = failed_prefetch(&io, true);
    // The statement failed; the transaction goes on (as an explicit one does).
    writer.abandon_reads();
    assert_reads_back(&mut writer);
    writer.rollback();
}
