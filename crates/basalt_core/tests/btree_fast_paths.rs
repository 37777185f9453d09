//! The b-tree's fast paths against a `BTreeMap`: inserts placed from the cursor's own position
//! without a descent (appends, and rowids just after the cursor's, replacements included), the
//! in-place quick balance, the insert that changes one page without a prefetch, and `next` along
//! one leaf. Each is checked where it must give way to the general path: a write through another
//! cursor, a rowid beyond the leaf's bound, a cold cache whose reads complete late.

use basalt_core::btree::{create_tree, verify_tree, Cursor, SeekOp, TreeKind};
use basalt_core::io::{Io, MemoryIo};
use basalt_core::pager::{Pager, PagerOptions};
use basalt_core::Result;
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use std::collections::BTreeMap;
use std::sync::Arc;

fn payload(rng: &mut SmallRng, rowid: i64) -> Vec<u8> {
    // Mostly small rows, some spilling to overflow pages on 512-byte pages.
    let len = if rng.gen_range(0..25) == 0 {
        rng.gen_range(500..1500)
    } else {
        rng.gen_range(0..60)
    };
    (0..len).map(|i| (i as i64 * 3 + rowid) as u8).collect()
}

fn check(pager: &mut Pager, root: u32, model: &BTreeMap<i64, Vec<u8>>) {
    verify_tree(pager, root, None).unwrap();
    let mut cursor = Cursor::new_table(root);
    let mut buf = Vec::new();
    let mut on = cursor.first(pager).unwrap();
    for (rowid, expected) in model {
        assert!(on, "scan ended before rowid {rowid}");
        assert_eq!(cursor.rowid(), *rowid);
        cursor.payload(pager, &mut buf).unwrap();
        assert!(buf == *expected, "payload of rowid {rowid}");
        on = cursor.next(pager).unwrap();
    }
    assert!(!on, "scan went past the last rowid");
    let mut on = cursor.last(pager).unwrap();
    for rowid in model.keys().rev() {
        assert!(on);
        assert_eq!(cursor.rowid(), *rowid);
        on = cursor.prev(pager).unwrap();
    }
    assert!(!on);
}

/// Ascending passes keep the cursor beside the next rowid: appends at the right edge, then a
/// second pass that replaces rows and fills gaps inside leaves and past their bounds, then a
/// descending pass that never can use the hint.
#[test]
fn inserts_from_the_cursor_position_match_the_model() {
    let mut pager = Pager::open_memory(512).unwrap();
    pager.begin_write().unwrap();
    let root = create_tree(&mut pager, TreeKind::Table).unwrap();
    let mut rng = SmallRng::seed_from_u64(7);
    let mut model = BTreeMap::new();
    let mut cursor = Cursor::new_table(root);
    for rowid in (0..6000).step_by(4) {
        let data = payload(&mut rng, rowid);
        cursor.insert_row(&mut pager, rowid, &data).unwrap();
        model.insert(rowid, data);
    }
    check(&mut pager, root, &model);
    for rowid in 0..6000 {
        if rng.gen_range(0..3) == 0 {
            let data = payload(&mut rng, rowid);
            cursor.insert_row(&mut pager, rowid, &data).unwrap();
            assert_eq!(cursor.rowid(), rowid);
            model.insert(rowid, data);
        }
    }
    check(&mut pager, root, &model);
    for rowid in (-3000..0).rev() {
        let data = payload(&mut rng, rowid);
        cursor.insert_row(&mut pager, rowid, &data).unwrap();
        model.insert(rowid, data);
    }
    check(&mut pager, root, &model);
    pager.commit().unwrap();
}

/// A cursor positioned by its own insert must notice writes through another cursor before it
/// places the next row beside its old position.
#[test]
fn writes_through_another_cursor_end_the_hint() {
    let mut pager = Pager::open_memory(512).unwrap();
    pager.begin_write().unwrap();
    let root = create_tree(&mut pager, TreeKind::Table).unwrap();
    let mut rng = SmallRng::seed_from_u64(8);
    let mut model = BTreeMap::new();
    let mut appender = Cursor::new_table(root);
    let mut other = Cursor::new_table(root);
    for rowid in 0..3000 {
        let data = payload(&mut rng, rowid);
        appender.insert_row(&mut pager, rowid, &data).unwrap();
        model.insert(rowid, data);
        match rng.gen_range(0..10) {
            0 => {
                // Deleting the rows just before the appender's reshapes its leaf.
                for gone in rowid.saturating_sub(5)..rowid {
                    if other.seek_rowid(&mut pager, gone, SeekOp::Eq).unwrap() {
                        other.delete(&mut pager).unwrap();
                        model.remove(&gone);
                    }
                }
            }
            1 => {
                let data = payload(&mut rng, rowid + 1);
                other.insert_row(&mut pager, rowid + 1, &data).unwrap();
                model.insert(rowid + 1, data);
            }
            _ => {}
        }
    }
    check(&mut pager, root, &model);
    // After its last insert the appender still steps to its neighbours.
    assert!(appender.prev(&mut pager).unwrap());
    let before = model.range(..2999).next_back().map(|(k, _)| *k);
    assert_eq!(Some(appender.rowid()), before);
    pager.commit().unwrap();
}

/// Rowid seeks start from the leaf of the previous seek (found or not) when it still bounds the
/// rowid; writes through another cursor that split, merge or free that leaf must send them down
/// from the root instead, with the answers a fresh cursor gives.
#[test]
fn rowid_seeks_from_a_stale_leaf_match_a_fresh_cursor() {
    let mut pager = Pager::open_memory(512).unwrap();
    pager.begin_write().unwrap();
    let root = create_tree(&mut pager, TreeKind::Table).unwrap();
    let mut rng = SmallRng::seed_from_u64(9);
    let mut model = BTreeMap::new();
    let mut seeker = Cursor::new_table(root);
    let mut writer = Cursor::new_table(root);
    for step in 0..6000i64 {
        let rowid = step / 2 + rng.gen_range(-40..40);
        let found = seeker.seek_rowid(&mut pager, rowid, SeekOp::Eq).unwrap();
        assert_eq!(found, model.contains_key(&rowid), "seek of {rowid}");
        if found {
            assert_eq!(seeker.rowid(), rowid);
        }
        match rng.gen_range(0..4) {
            0 => {
                if writer.seek_rowid(&mut pager, rowid, SeekOp::Eq).unwrap() {
                    writer.delete(&mut pager).unwrap();
                    model.remove(&rowid);
                }
            }
            _ => {
                let data = payload(&mut rng, rowid);
                writer.insert_row(&mut pager, rowid, &data).unwrap();
                model.insert(rowid, data);
            }
        }
    }
    check(&mut pager, root, &model);
    pager.commit().unwrap();
}

/// Appends and near inserts on a cold cache whose reads complete late: every path is retried
/// after `IoPending` and none touches a page its prefetch left out.
#[test]
fn late_reads_under_appends_cause_no_stalls() {
    let io: Arc<dyn Io> = Arc::new(MemoryIo::deferred());
    let options = PagerOptions {
        page_size: 1024,
        cache_size: 100_000,
        ..PagerOptions::default()
    };
    let retry = |op: &mut dyn FnMut() -> Result<()>| loop {
        match op() {
            Err(e) if e.is_io_pending() => io.wait().unwrap(),
            other => break other.unwrap(),
        }
    };
    let mut rng = SmallRng::seed_from_u64(9);
    let mut model = BTreeMap::new();
    let root = {
        let mut pager = Pager::open(io.clone(), "appends.db", &options).unwrap();
        retry(&mut || pager.begin_write());
        let root = create_tree(&mut pager, TreeKind::Table).unwrap();
        let mut cursor = Cursor::new_table(root);
        for rowid in (0..4000).step_by(2) {
            let data = payload(&mut rng, rowid);
            cursor.insert_row(&mut pager, rowid, &data).unwrap();
            model.insert(rowid, data);
        }
        pager.commit().unwrap();
        root
    };
    let mut pager = Pager::open(io.clone(), "appends.db", &options).unwrap();
    retry(&mut || pager.begin_write());
    let stalls_before = pager.stats().stalls;
    let mut cursor = Cursor::new_table(root);
    for rowid in (1..4000).step_by(2).chain(4000..6000) {
        let data = payload(&mut rng, rowid);
        retry(&mut || cursor.insert_row(&mut pager, rowid, &data));
        model.insert(rowid, data);
    }
    assert_eq!(
        pager.stats().stalls,
        stalls_before,
        "a write touched a page its prefetch missed"
    );
    let all: Vec<u32> = (1..=pager.page_count()).collect();
    retry(&mut || pager.prefetch(&all));
    check(&mut pager, root, &model);
}

/// A walk that turns back and forth along a table reads every row from the leaf it is on: a
/// step along a leaf reads it from the cursor's own copy of the leaf, and neither that copy
/// nor the row found in it may outlive a move to another leaf. Runs of small rows (many to a
/// leaf) alternate with single large ones (one to a leaf, where no step along it succeeds).
#[test]
fn walks_that_turn_back_read_each_row_from_its_leaf() {
    let mut pager = Pager::open_memory(512).unwrap();
    pager.begin_write().unwrap();
    let root = create_tree(&mut pager, TreeKind::Table).unwrap();
    let mut rng = SmallRng::seed_from_u64(11);
    let mut model = BTreeMap::new();
    let mut cursor = Cursor::new_table(root);
    for rowid in 1..400i64 {
        let len = if rowid % 7 == 0 {
            400
        } else {
            rng.gen_range(0..40)
        };
        let data: Vec<u8> = (0..len).map(|i| (i as i64 * 5 + rowid) as u8).collect();
        cursor.insert_row(&mut pager, rowid, &data).unwrap();
        model.insert(rowid, data);
    }
    let keys: Vec<i64> = model.keys().copied().collect();
    let mut buf = Vec::new();
    let mut at: usize = 0;
    assert!(cursor.first(&mut pager).unwrap());
    for _ in 0..400 {
        let forward = rng.gen_bool(0.5);
        for _ in 0..rng.gen_range(1..40) {
            let on = if forward {
                cursor.next(&mut pager).unwrap()
            } else {
                cursor.prev(&mut pager).unwrap()
            };
            let next = if forward { at + 1 } else { at.wrapping_sub(1) };
            if next >= keys.len() {
                assert!(!on, "moved past the end from rowid {}", keys[at]);
                at = if forward { keys.len() - 1 } else { 0 };
                let back = if forward {
                    cursor.last(&mut pager).unwrap()
                } else {
                    cursor.first(&mut pager).unwrap()
                };
                assert!(back);
            } else {
                assert!(on);
                at = next;
            }
            assert_eq!(cursor.rowid(), keys[at]);
            // Rows are read at some positions only, as a filtered scan reads them.
            if rng.gen_bool(0.3) {
                cursor.payload(&mut pager, &mut buf).unwrap();
                assert!(buf == model[&keys[at]], "payload of rowid {}", keys[at]);
            }
        }
    }
}
