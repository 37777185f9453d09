//! Savepoints through the b-tree: rolling back to a savepoint restores every page exactly, even
//! after splits and merges, and nested savepoints release and roll back as SQLite's do.

mod wal_support;

use basalt_core::btree::verify_tree;
use basalt_core::io::{Io, MemoryIo, OpenFlags};
use basalt_core::pager::{Pager, PagerOptions};
use std::sync::Arc;
use wal_support::*;

fn snapshot_pages(pager: &mut Pager) -> Vec<Vec<u8>> {
    (1..=pager.page_count())
        .map(|pgno| pager.get(pgno).unwrap().data().to_vec())
        .collect()
}

#[test]
fn rollback_to_restores_every_page() {
    let io: Arc<dyn Io> = Arc::new(MemoryIo::new());
    let options = PagerOptions {
        page_size: 1024,
        ..PagerOptions::default()
    };
    let mut pager = Pager::open(io, "sp.db", &options).unwrap();
    let root = create_table(&mut pager).unwrap();
    pager.begin_write().unwrap();
    for id in 0..200 {
        put(&mut pager, root, id, &value_for(id, id % 9 == 0)).unwrap();
    }
    let before = snapshot_pages(&mut pager);
    let outer = pager.savepoint().unwrap();
    for id in 200..400 {
        put(&mut pager, root, id, &value_for(id, id % 5 == 0)).unwrap();
    }
    let middle = snapshot_pages(&mut pager);
    let inner = pager.savepoint().unwrap();
    for id in (0..400).step_by(2) {
        assert!(delete(&mut pager, root, id).unwrap());
    }
    pager.rollback_to(inner).unwrap();
    assert_eq!(
        snapshot_pages(&mut pager),
        middle,
        "inner rollback is exact"
    );
    for id in 400..450 {
        put(&mut pager, root, id, &value_for(id, true)).unwrap();
    }
    pager.release(inner).unwrap();
    pager.rollback_to(outer).unwrap();
    assert_eq!(
        snapshot_pages(&mut pager),
        before,
        "outer rollback is exact"
    );
    verify_tree(&mut pager, root, None).unwrap();
    put(&mut pager, root, 1000, b"kept").unwrap();
    pager.release(outer).unwrap();
    pager.commit().unwrap();
    let rows = basalt_rows(&mut pager).unwrap();
    assert_eq!(rows.len(), 201);
    assert!(rows.contains_key(&1000) && !rows.contains_key(&300));
}

#[test]
fn a_hot_rollback_journal_is_refused_not_ignored() {
    let io = Arc::new(MemoryIo::new());
    let dyn_io: Arc<dyn Io> = io.clone();
    let mut pager = Pager::open(dyn_io.clone(), "hot.db", &PagerOptions::default()).unwrap();
    create_table(&mut pager).unwrap();
    drop(pager);
    let journal = dyn_io.open("hot.db-journal".as_ref(), OpenFlags::default()).unwrap();
    let magic = vec![0xd9, 0xd5, 0x05, 0xf9, 0x20, 0xa1, 0x63, 0xd7, 0, 0, 0, 0];
    basalt_core::io::run_to_completion(io.as_ref(), journal.write(0, magic.into()).unwrap())
        .unwrap();
    let Err(err) = Pager::open(dyn_io, "hot.db", &PagerOptions::default()) else {
        panic!("a hot journal must not be ignored");
    };
    assert!(err.message.contains("hot rollback journal"), "{err}");
}
