//! `Pager::get_for_overwrite`: a free page taken for reuse is zero-filled and writable without
//! being read, and savepoint rollback forgets it rather than keep bytes nobody read.

mod pager_support;

use basalt_core::io::MemoryIo;
use pager_support::{fill, open};
use std::sync::Arc;

#[test]
fn overwriting_reads_nothing() {
    let io = Arc::new(MemoryIo::new());
    fill(&mut open(&io), 8);
    let mut pager = open(&io);
    pager.begin_write().unwrap();
    let misses = pager.stats().misses;
    let page = pager.get_for_overwrite(5).unwrap();
    assert_eq!(pager.stats().misses, misses, "no read");
    assert!(page.is_dirty());
    assert!(page.data().iter().all(|&b| b == 0));
    page.data_mut()[200] = 55;
    drop(page);
    let cached = pager.get_for_overwrite(5).unwrap();
    assert!(
        cached.data().iter().all(|&b| b == 0),
        "zero-filled when cached too"
    );
    cached.data_mut()[200] = 56;
    drop(cached);
    pager.commit().unwrap();
    assert_eq!(pager.get(5).unwrap().data()[200], 56);
    assert!(pager.get_for_overwrite(0).is_err());
    pager.end_read();
    assert!(
        pager.get_for_overwrite(5).is_err(),
        "needs a write transaction"
    );
}

#[test]
fn savepoint_rollback_forgets_an_overwritten_page() {
    let io = Arc::new(MemoryIo::new());
    fill(&mut open(&io), 8);
    let mut pager = open(&io);
    pager.begin_write().unwrap();
    let level = pager.savepoint().unwrap();
    pager.get_for_overwrite(6).unwrap().data_mut()[200] = 66;
    pager.rollback_to(level).unwrap();
    let page = pager.get(6).unwrap();
    assert!(!page.is_dirty());
    assert_eq!(page.data()[200], 6, "the committed bytes, read again");
    drop(page);
    pager.release(level).unwrap();
    pager.commit().unwrap();
    assert_eq!(pager.get(6).unwrap().data()[200], 6);
}
