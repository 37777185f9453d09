//! Cursors re-seek through the pager's per-connection epoch: a write on one connection leaves
//! other connections' cursors alone, and another connection's commit is seen when a cursor's
//! first call of a new read transaction starts it (the freshness check comes after that start).

use basalt_core::btree::{create_tree, Cursor, SeekOp, TreeKind};
use basalt_core::io::{Io, MemoryIo};
use basalt_core::pager::{PageNo, Pager, PagerOptions};
use std::sync::Arc;

fn open(io: &Arc<MemoryIo>) -> Pager {
    let options = PagerOptions {
        page_size: 512,
        ..PagerOptions::default()
    };
    let io: Arc<dyn Io> = io.clone();
    Pager::open(io, "t.db", &options).unwrap()
}

fn insert(pager: &mut Pager, root: PageNo, rows: impl IntoIterator<Item = i64>) {
    pager.begin_write().unwrap();
    let mut cursor = Cursor::new_table(root);
    for rowid in rows {
        cursor.insert_row(pager, rowid, &[rowid as u8; 20]).unwrap();
    }
    pager.commit().unwrap();
}

#[test]
fn writes_bump_only_their_own_connection() {
    let io = Arc::new(MemoryIo::new());
    let mut a = open(&io);
    a.begin_write().unwrap();
    let root = create_tree(&mut a, TreeKind::Table).unwrap();
    a.commit().unwrap();
    insert(&mut a, root, 1..=10);
    let mut b = open(&io);
    b.begin_read().unwrap();
    let epoch = b.epoch();
    let before = a.epoch();
    a.begin_write().unwrap();
    Cursor::new_table(root)
        .insert_row(&mut a, 11, b"x")
        .unwrap();
    assert!(a.epoch() > before, "a write bumps its connection's epoch");
    a.rollback();
    assert_eq!(b.epoch(), epoch, "and no other connection's");
}

#[test]
fn another_connections_commit_is_seen_by_the_next_step() {
    let io = Arc::new(MemoryIo::new());
    let mut a = open(&io);
    a.begin_write().unwrap();
    let root = create_tree(&mut a, TreeKind::Table).unwrap();
    a.commit().unwrap();
    insert(&mut a, root, (1..=200).map(|i| i * 10));
    let mut b = open(&io);
    let mut cursor = Cursor::new_table(root);
    assert!(cursor.seek_rowid(&mut b, 500, SeekOp::Eq).unwrap());
    b.end_read();
    // Rows appear and disappear around the cursor's entry, and pages split, while b is idle.
    a.begin_write().unwrap();
    let mut writer = Cursor::new_table(root);
    for rowid in 501..600 {
        writer.insert_row(&mut a, rowid, &[1; 30]).unwrap();
    }
    assert!(writer.seek_rowid(&mut a, 510, SeekOp::Eq).unwrap());
    writer.delete(&mut a).unwrap();
    a.commit().unwrap();
    // The next step starts b's read transaction (dropping its cache): it must re-seek.
    assert!(cursor.next(&mut b).unwrap());
    assert_eq!(cursor.rowid(), 501);
    let mut seen = vec![cursor.rowid()];
    while cursor.next(&mut b).unwrap() && seen.len() < 10 {
        seen.push(cursor.rowid());
    }
    assert_eq!(seen, vec![501, 502, 503, 504, 505, 506, 507, 508, 509, 511]);
}
