//! `Pager::get_for_overwrite`: a free page taken for reuse is zero-filled and writable without
//! being read, and savepoint rollback forgets it rather than keep bytes nobody read.

use basalt_core::io::{Io, MemoryIo};
use basalt_core::pager::{Pager, PagerOptions};
use std::sync::Arc;

fn open(io: &Arc<MemoryIo>) -> Pager {
    let options = PagerOptions {
        page_size: 512,
        ..PagerOptions::default()
    };
    let io: Arc<dyn Io> = io.clone();
    Pager::open(io, "t.db", &options).unwrap()
}

fn fill(pager: &mut Pager, pages: u32) {
    pager.begin_write().unwrap();
    while pager.page_count() < pages {
        let page = pager.append_page().unwrap();
        page.data_mut()[200] = page.pgno() as u8;
    }
    pager.commit().unwrap();
}

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
