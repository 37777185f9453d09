//! Model tests: random inserts, replacements and deletes on table and index b-trees, checked
//! against a `BTreeMap` by walking cursors both ways and seeking with every `SeekOp`, on page
//! sizes 512 to 65536, with payloads from 0 bytes to several pages (overflow chains).

use basalt_core::btree::{
    clear_tree, create_tree, drop_tree, freelist_pages, verify_tree, Cursor, SeekOp, TreeKind,
};
use basalt_core::format::lock_byte_page;
use basalt_core::io::{Io, MemoryIo};
use basalt_core::pager::{Pager, PagerOptions};
use basalt_core::record::{encode_record, KeyInfo, ValueRef};
use basalt_core::Result;
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

/// Runs a restartable operation on a pager whose backend completes reads only when driven.
fn retry<T>(io: &dyn Io, mut op: impl FnMut() -> Result<T>) -> T {
    loop {
        match op() {
            Err(e) if e.is_io_pending() => io.wait().unwrap(),
            other => return other.unwrap(),
        }
    }
}

fn payload(rng: &mut SmallRng, rowid: i64, page_size: usize) -> Vec<u8> {
    let len = match rng.gen_range(0..20) {
        0 => 0,
        1 => rng.gen_range(page_size / 2..page_size * 3),
        2..=4 => rng.gen_range(page_size / 8..page_size / 2),
        _ => rng.gen_range(1..40),
    };
    (0..len).map(|i| (i as i64 * 7 + rowid) as u8).collect()
}

/// Every page is in use exactly once: in the trees, on the freelist, or the lock-byte page.
fn check_no_leaks(pager: &mut Pager, trees: &[(u32, Option<&KeyInfo>)]) {
    let mut used = BTreeSet::new();
    for &(root, key_info) in trees {
        for pgno in verify_tree(pager, root, key_info).unwrap().pages {
            assert!(used.insert(pgno), "page {pgno} used twice");
        }
    }
    for pgno in freelist_pages(pager).unwrap() {
        assert!(used.insert(pgno), "free page {pgno} also in use");
    }
    let lock_byte = lock_byte_page(pager.page_size());
    let expected: BTreeSet<u32> = (1..=pager.page_count())
        .filter(|&p| p != lock_byte)
        .collect();
    assert_eq!(used, expected, "pages leaked or invented");
}

fn check_table(pager: &mut Pager, root: u32, model: &BTreeMap<i64, Vec<u8>>, rng: &mut SmallRng) {
    let mut cursor = Cursor::new_table(root);
    let mut buf = Vec::new();
    let mut on = cursor.first(pager).unwrap();
    for (rowid, expected) in model {
        assert!(on, "cursor ended before rowid {rowid}");
        assert_eq!(cursor.rowid(), *rowid);
        cursor.payload(pager, &mut buf).unwrap();
        assert!(buf == *expected, "payload of {rowid}");
        on = cursor.next(pager).unwrap();
    }
    assert!(!on);
    let mut on = cursor.last(pager).unwrap();
    for rowid in model.keys().rev() {
        assert!(on);
        assert_eq!(cursor.rowid(), *rowid);
        on = cursor.prev(pager).unwrap();
    }
    assert!(!on);
    assert_eq!(cursor.count(pager).unwrap(), model.len() as u64);
    for _ in 0..50 {
        let probe = rng.gen_range(-5..model.keys().next_back().copied().unwrap_or(0) + 5);
        for op in [SeekOp::Eq, SeekOp::Ge, SeekOp::Gt, SeekOp::Le, SeekOp::Lt] {
            let expected = match op {
                SeekOp::Eq => model.get_key_value(&probe).map(|(k, _)| *k),
                SeekOp::Ge => model.range(probe..).next().map(|(k, _)| *k),
                SeekOp::Gt => model.range(probe + 1..).next().map(|(k, _)| *k),
                SeekOp::Le => model.range(..=probe).next_back().map(|(k, _)| *k),
                SeekOp::Lt => model.range(..probe).next_back().map(|(k, _)| *k),
            };
            let found = cursor.seek_rowid(pager, probe, op).unwrap();
            assert_eq!(
                found.then(|| cursor.rowid()),
                expected,
                "seek {op:?} {probe}"
            );
        }
    }
}

fn run_table_model(page_size: usize, ops: usize, seed: u64) {
    let mut rng = SmallRng::seed_from_u64(seed);
    let mut pager = Pager::open_memory(page_size).unwrap();
    pager.begin_write().unwrap();
    let root = create_tree(&mut pager, TreeKind::Table).unwrap();
    let mut cursor = Cursor::new_table(root);
    let mut model = BTreeMap::new();
    let key_space = (ops as i64 / 2).max(10);
    for op in 0..ops {
        let rowid = rng.gen_range(0..key_space);
        if rng.gen_range(0..3) == 0 {
            if cursor.seek_rowid(&mut pager, rowid, SeekOp::Eq).unwrap() {
                cursor.delete(&mut pager).unwrap();
                model.remove(&rowid);
            } else {
                assert!(!model.contains_key(&rowid));
            }
        } else {
            let data = payload(&mut rng, rowid, page_size);
            cursor.insert_row(&mut pager, rowid, &data).unwrap();
            model.insert(rowid, data);
        }
        if op % (ops / 8).max(1) == 0 {
            check_table(&mut pager, root, &model, &mut rng);
            check_no_leaks(&mut pager, &[(1, None), (root, None)]);
        }
    }
    check_table(&mut pager, root, &model, &mut rng);
    let stats = verify_tree(&mut pager, root, None).unwrap();
    eprintln!(
        "table {page_size}: depth {} pages {} overflow {} entries {}",
        stats.depth, stats.tree_pages, stats.overflow_pages, stats.entries
    );
    assert!(
        stats.depth >= 2 && stats.overflow_pages > 0,
        "the workload reaches interior pages and overflow chains"
    );
    // Delete everything through a scan: the tree must shrink back to a lone root leaf.
    let mut on = cursor.first(&mut pager).unwrap();
    while on {
        cursor.delete(&mut pager).unwrap();
        on = cursor.next(&mut pager).unwrap();
    }
    let stats = verify_tree(&mut pager, root, None).unwrap();
    assert_eq!((stats.entries, stats.tree_pages, stats.depth), (0, 1, 1));
    check_no_leaks(&mut pager, &[(1, None), (root, None)]);
    pager.commit().unwrap();
}

#[test]
fn table_model_512() {
    run_table_model(512, 20_000, 1);
}

#[test]
fn table_model_1024() {
    run_table_model(1024, 20_000, 2);
}

#[test]
fn table_model_4096() {
    run_table_model(4096, 20_000, 3);
}

#[test]
fn table_model_65536() {
    run_table_model(65536, 4000, 4);
}

/// Index entries (a, blob, rowid): the blob makes some keys spill to overflow pages.
fn index_record(key: &(i64, Vec<u8>, i64)) -> Vec<u8> {
    let mut out = Vec::new();
    encode_record(
        &[
            ValueRef::Integer(key.0),
            ValueRef::Blob(&key.1),
            ValueRef::Integer(key.2),
        ],
        &mut out,
    );
    out
}

fn check_index(
    pager: &mut Pager,
    root: u32,
    key_info: &KeyInfo,
    model: &BTreeSet<(i64, Vec<u8>, i64)>,
    rng: &mut SmallRng,
) {
    let mut cursor = Cursor::new_index(root, key_info.clone());
    let mut on = cursor.first(pager).unwrap();
    for key in model {
        assert!(on);
        assert!(
            cursor.key() == index_record(key).as_slice(),
            "entry {key:?}"
        );
        on = cursor.next(pager).unwrap();
    }
    assert!(!on);
    let mut on = cursor.last(pager).unwrap();
    for key in model.iter().rev() {
        assert!(on);
        assert!(cursor.key() == index_record(key).as_slice());
        on = cursor.prev(pager).unwrap();
    }
    assert!(!on);
    assert_eq!(cursor.count(pager).unwrap(), model.len() as u64);
    // Prefix seeks on the first column, as OP_SeekGE/GT/LE/LT do with a one-column key.
    for _ in 0..40 {
        let a = rng.gen_range(-2..40);
        let first_of = |k: &&(i64, Vec<u8>, i64)| k.0;
        for op in [SeekOp::Eq, SeekOp::Ge, SeekOp::Gt, SeekOp::Le, SeekOp::Lt] {
            let expected = match op {
                SeekOp::Eq => model.iter().find(|k| k.0 == a),
                SeekOp::Ge => model.iter().find(|k| k.0 >= a),
                SeekOp::Gt => model.iter().find(|k| k.0 > a),
                SeekOp::Le => model.iter().rev().find(|k| k.0 <= a),
                SeekOp::Lt => model.iter().rev().find(|k| k.0 < a),
            };
            let found = cursor
                .seek_index(pager, &[ValueRef::Integer(a)], op)
                .unwrap();
            let got = found.then(|| cursor.key().to_vec());
            assert_eq!(
                got,
                expected.map(index_record),
                "seek {op:?} {a} (first column {:?})",
                expected.map(|k| first_of(&k))
            );
        }
    }
}

fn run_index_model(page_size: usize, ops: usize, seed: u64) {
    let mut rng = SmallRng::seed_from_u64(seed);
    let mut pager = Pager::open_memory(page_size).unwrap();
    pager.begin_write().unwrap();
    let root = create_tree(&mut pager, TreeKind::Index).unwrap();
    let key_info = KeyInfo::binary(3);
    let mut cursor = Cursor::new_index(root, key_info.clone());
    let mut model = BTreeSet::new();
    let mut keys: Vec<(i64, Vec<u8>, i64)> = Vec::new();
    for op in 0..ops {
        if !keys.is_empty() && rng.gen_range(0..3) == 0 {
            let key = keys.swap_remove(rng.gen_range(0..keys.len()));
            let record = index_record(&key);
            let found = cursor
                .seek_index(
                    &mut pager,
                    &[
                        ValueRef::Integer(key.0),
                        ValueRef::Blob(&key.1),
                        ValueRef::Integer(key.2),
                    ],
                    SeekOp::Eq,
                )
                .unwrap();
            assert!(found && cursor.key() == record.as_slice());
            cursor.delete(&mut pager).unwrap();
            model.remove(&key);
        } else {
            let len = match rng.gen_range(0..10) {
                0 => rng.gen_range(page_size / 4..page_size * 2),
                1 => rng.gen_range(0..page_size / 4),
                _ => rng.gen_range(0..12),
            };
            let blob: Vec<u8> = (0..len).map(|_| rng.gen_range(0..4)).collect();
            let key = (rng.gen_range(0..40), blob, rng.gen_range(0..1_000_000));
            cursor
                .insert_index(&mut pager, &index_record(&key))
                .unwrap();
            if model.insert(key.clone()) {
                keys.push(key);
            }
        }
        if op % (ops / 6).max(1) == 0 {
            check_index(&mut pager, root, &key_info, &model, &mut rng);
            check_no_leaks(&mut pager, &[(1, None), (root, Some(&key_info))]);
        }
    }
    check_index(&mut pager, root, &key_info, &model, &mut rng);
    check_no_leaks(&mut pager, &[(1, None), (root, Some(&key_info))]);
    let stats = verify_tree(&mut pager, root, Some(&key_info)).unwrap();
    eprintln!(
        "index {page_size}: depth {} pages {} overflow {} entries {}",
        stats.depth, stats.tree_pages, stats.overflow_pages, stats.entries
    );
    assert!(
        stats.depth >= 2 && stats.overflow_pages > 0,
        "the workload reaches interior pages and overflow chains"
    );
    pager.commit().unwrap();
}

#[test]
fn index_model_512() {
    run_index_model(512, 15_000, 11);
}

#[test]
fn index_model_1024() {
    run_index_model(1024, 15_000, 12);
}

#[test]
fn index_model_4096() {
    run_index_model(4096, 15_000, 13);
}

#[test]
fn index_model_65536() {
    run_index_model(65536, 3000, 14);
}

/// A cursor keeps SQLite's semantics when another cursor changes the tree under it: deleting
/// its row moves `next` to the following row and `prev` to the preceding one.
#[test]
fn cursors_survive_writes_through_other_cursors() {
    let mut pager = Pager::open_memory(512).unwrap();
    pager.begin_write().unwrap();
    let root = create_tree(&mut pager, TreeKind::Table).unwrap();
    let mut writer = Cursor::new_table(root);
    for rowid in 0..2000 {
        writer
            .insert_row(&mut pager, rowid * 2, &[rowid as u8; 30])
            .unwrap();
    }
    let mut reader = Cursor::new_table(root);
    assert!(reader.seek_rowid(&mut pager, 1000, SeekOp::Eq).unwrap());
    // Delete the reader's row and many around it, forcing merges.
    for rowid in (900..1100).step_by(2) {
        assert!(writer.seek_rowid(&mut pager, rowid, SeekOp::Eq).unwrap());
        writer.delete(&mut pager).unwrap();
    }
    assert!(reader.next(&mut pager).unwrap());
    assert_eq!(reader.rowid(), 1100);
    assert!(reader.seek_rowid(&mut pager, 1100, SeekOp::Eq).unwrap());
    assert!(writer.seek_rowid(&mut pager, 1100, SeekOp::Eq).unwrap());
    writer.delete(&mut pager).unwrap();
    assert!(reader.prev(&mut pager).unwrap());
    assert_eq!(reader.rowid(), 898);
    // Inserting under a reader does not disturb its position.
    writer.insert_row(&mut pager, 899, b"new").unwrap();
    assert!(reader.next(&mut pager).unwrap());
    assert_eq!(reader.rowid(), 899);
    // Deleting while scanning with the same cursor visits every row once.
    let mut seen = 0;
    let mut on = writer.first(&mut pager).unwrap();
    while on {
        seen += 1;
        writer.delete(&mut pager).unwrap();
        on = writer.next(&mut pager).unwrap();
    }
    assert_eq!(seen, 2000 - 100 - 1 + 1);
    assert_eq!(writer.count(&mut pager).unwrap(), 0);
}

#[test]
fn clear_and_drop_return_every_page() {
    let mut pager = Pager::open_memory(1024).unwrap();
    pager.begin_write().unwrap();
    let table = create_tree(&mut pager, TreeKind::Table).unwrap();
    let index = create_tree(&mut pager, TreeKind::Index).unwrap();
    let key_info = KeyInfo::binary(1);
    let mut rows = Cursor::new_table(table);
    let mut keys = Cursor::new_index(index, key_info.clone());
    for i in 0..3000i64 {
        rows.insert_row(&mut pager, i, &vec![i as u8; (i as usize * 37) % 3000])
            .unwrap();
        let mut record = Vec::new();
        encode_record(
            &[ValueRef::Blob(&vec![i as u8; (i as usize * 13) % 900])],
            &mut record,
        );
        keys.insert_index(&mut pager, &record).unwrap();
    }
    check_no_leaks(
        &mut pager,
        &[(1, None), (table, None), (index, Some(&key_info))],
    );
    clear_tree(&mut pager, table).unwrap();
    assert_eq!(rows.count(&mut pager).unwrap(), 0);
    check_no_leaks(
        &mut pager,
        &[(1, None), (table, None), (index, Some(&key_info))],
    );
    drop_tree(&mut pager, index).unwrap();
    check_no_leaks(&mut pager, &[(1, None), (table, None)]);
    assert_eq!(
        freelist_pages(&mut pager).unwrap().len() as u32,
        pager.page_count() - 2
    );
    // Freed pages are reused before the file grows.
    let count = pager.page_count();
    for i in 0..500i64 {
        rows.insert_row(&mut pager, i, &[1u8; 700]).unwrap();
    }
    assert_eq!(pager.page_count(), count);
    check_no_leaks(&mut pager, &[(1, None), (table, None)]);
    pager.commit().unwrap();
}

/// With a backend whose reads complete late, every operation is retried after `IoPending`;
/// writes must have prefetched every page they touch, so the pager never stalls.
#[test]
fn late_reads_cause_no_stalls() {
    let io: Arc<dyn Io> = Arc::new(MemoryIo::deferred());
    let options = PagerOptions {
        page_size: 1024,
        cache_size: 100_000,
        ..PagerOptions::default()
    };
    let mut rng = SmallRng::seed_from_u64(99);
    let mut model = BTreeMap::new();
    let root = {
        let mut pager = Pager::open(io.clone(), "late.db", &options).unwrap();
        retry(io.as_ref(), || pager.begin_write());
        let root = create_tree(&mut pager, TreeKind::Table).unwrap();
        let mut cursor = Cursor::new_table(root);
        for _ in 0..3000 {
            let rowid = rng.gen_range(0..5000);
            let data = payload(&mut rng, rowid, 1024);
            cursor.insert_row(&mut pager, rowid, &data).unwrap();
            model.insert(rowid, data);
        }
        pager.commit().unwrap();
        root
    };
    let mut pager = Pager::open(io.clone(), "late.db", &options).unwrap();
    retry(io.as_ref(), || pager.begin_write());
    let stalls_before = pager.stats().stalls;
    let mut cursor = Cursor::new_table(root);
    let mut pending = 0;
    let mut run = |pager: &mut Pager, op: &mut dyn FnMut(&mut Pager) -> Result<()>| loop {
        match op(pager) {
            Err(e) if e.is_io_pending() => {
                pending += 1;
                io.wait().unwrap();
            }
            other => break other.unwrap(),
        }
    };
    for _ in 0..3000 {
        let rowid = rng.gen_range(0..5000);
        if rng.gen_bool(0.4) {
            let mut found = false;
            run(&mut pager, &mut |p| {
                cursor.seek_rowid(p, rowid, SeekOp::Eq).map(|f| found = f)
            });
            if found {
                run(&mut pager, &mut |p| cursor.delete(p));
                model.remove(&rowid);
            }
        } else {
            let data = payload(&mut rng, rowid, 1024);
            run(&mut pager, &mut |p| cursor.insert_row(p, rowid, &data));
            model.insert(rowid, data);
        }
    }
    let mut count = 0;
    run(&mut pager, &mut |p| cursor.count(p).map(|c| count = c));
    assert_eq!(count, model.len() as u64);
    assert!(pending > 0, "the deferred backend made operations wait");
    assert_eq!(
        pager.stats().stalls,
        stalls_before,
        "a write touched a page its prefetch missed"
    );
    let all: Vec<u32> = (1..=pager.page_count()).collect();
    retry(io.as_ref(), || pager.prefetch(&all));
    check_table(&mut pager, root, &model, &mut rng);
}

/// A child pointer that leads back to the root is corruption, reported as an error by every walk
/// instead of looping or overflowing the stack.
#[test]
fn child_pointer_cycles_are_errors() {
    let mut pager = Pager::open_memory(512).unwrap();
    pager.begin_write().unwrap();
    let root = create_tree(&mut pager, TreeKind::Table).unwrap();
    let mut cursor = Cursor::new_table(root);
    for rowid in 0..200 {
        cursor.insert_row(&mut pager, rowid, &[0u8; 40]).unwrap();
    }
    let page = pager.get(root).unwrap();
    pager.make_writable(&page).unwrap();
    page.data_mut()[8..12].copy_from_slice(&root.to_be_bytes());
    drop(page);
    assert!(cursor.last(&mut pager).unwrap_err().is_corrupt());
    assert!(cursor
        .seek_rowid(&mut pager, 1000, SeekOp::Le)
        .unwrap_err()
        .is_corrupt());
    assert!(cursor.count(&mut pager).unwrap_err().is_corrupt());
    assert!(verify_tree(&mut pager, root, None)
        .unwrap_err()
        .is_corrupt());
    assert!(cursor
        .insert_row(&mut pager, 1000, b"x")
        .unwrap_err()
        .is_corrupt());
}

/// Page 1's tree (the schema table) has 100 bytes less room: it must split, grow and collapse
/// like any other root, without touching the database header.
#[test]
fn page_one_tree_grows_and_shrinks() {
    let mut pager = Pager::open_memory(512).unwrap();
    pager.begin_write().unwrap();
    let header: Vec<u8> = pager.get(1).unwrap().data()[..100].to_vec();
    let mut cursor = Cursor::new_table(1);
    let mut rng = SmallRng::seed_from_u64(3);
    let mut model = BTreeMap::new();
    for _ in 0..3000 {
        let rowid = rng.gen_range(0..1500);
        let data = payload(&mut rng, rowid, 512);
        cursor.insert_row(&mut pager, rowid, &data).unwrap();
        model.insert(rowid, data);
    }
    check_table(&mut pager, 1, &model, &mut rng);
    check_no_leaks(&mut pager, &[(1, None)]);
    let mut on = cursor.first(&mut pager).unwrap();
    while on {
        cursor.delete(&mut pager).unwrap();
        on = cursor.next(&mut pager).unwrap();
    }
    let stats = verify_tree(&mut pager, 1, None).unwrap();
    assert_eq!((stats.entries, stats.depth), (0, 1));
    check_no_leaks(&mut pager, &[(1, None)]);
    let after = pager.get(1).unwrap().data()[..100].to_vec();
    assert_eq!(header[..32], after[..32]);
    assert_eq!(
        header[40..],
        after[40..],
        "only the freelist fields changed"
    );
}
