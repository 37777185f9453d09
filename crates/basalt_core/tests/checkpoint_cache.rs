//! Issue 4: a checkpoint copies a cached page instead of reading its WAL frame only when the
//! page holds exactly that frame (clean, tagged with the frame and the log's generation). One
//! test per trap. In debug builds every fast-path copy is also checked against the frame read
//! from the WAL ("cache fast-path returned wrong content ..."), so a wrong tag fails loudly.

use basalt_core::io::{Io, MemoryIo};
use basalt_core::pager::{PageNo, Pager, PagerOptions, WalTag};
use basalt_core::wal::{CheckpointMode, Synchronous};
use basalt_core::ErrorCode;
use std::sync::Arc;

const PAGE: usize = 512;
/// The byte each test writes: free space on these pages as far as the pager cares.
const AT: usize = 200;

fn open(io: &Arc<MemoryIo>) -> Pager {
    let options = PagerOptions {
        page_size: PAGE,
        cache_size: 1000,
        wal_autocheckpoint: 0,
        ..PagerOptions::default()
    };
    let io: Arc<dyn Io> = io.clone();
    Pager::open(io, "t.db", &options).unwrap()
}

/// One transaction setting byte `AT` of each listed page (appending pages as needed).
fn write(pager: &mut Pager, changes: &[(PageNo, u8)]) {
    pager.begin_write().unwrap();
    for &(pgno, value) in changes {
        while pager.page_count() < pgno {
            pager.append_page().unwrap();
        }
        let page = pager.get(pgno).unwrap();
        pager.make_writable(&page).unwrap();
        page.data_mut()[AT] = value;
    }
    pager.commit().unwrap();
}

fn file_byte(io: &MemoryIo, pgno: PageNo) -> u8 {
    let bytes = io.file_bytes("t.db").unwrap();
    bytes[(pgno as usize - 1) * PAGE + AT]
}

fn tag_of(pager: &mut Pager, pgno: PageNo) -> Option<WalTag> {
    pager.get(pgno).unwrap().wal_tag()
}

#[test]
fn committed_and_read_pages_are_copied_from_the_cache() {
    let io = Arc::new(MemoryIo::new());
    let mut writer = open(&io);
    let changes: Vec<(PageNo, u8)> = (2..=20).map(|p| (p, p as u8)).collect();
    write(&mut writer, &changes);
    assert!(tag_of(&mut writer, 5).is_some(), "tagged by the commit");
    writer.end_read();
    let result = writer.checkpoint(CheckpointMode::Passive).unwrap();
    assert_eq!(result.checkpointed_frames, 20);
    assert_eq!(writer.stats().checkpoint_cache_pages, 20);
    for pgno in 2..=20 {
        assert_eq!(file_byte(&io, pgno), pgno as u8);
    }

    // A reader's pages read from WAL frames carry their tags too.
    write(&mut writer, &[(3, 33), (4, 44)]);
    let mut reader = open(&io);
    assert_eq!(reader.get(3).unwrap().data()[AT], 33);
    assert_eq!(
        tag_of(&mut reader, 3).map(|t| t.frame),
        Some(1),
        "everything was backfilled, so that commit restarted the log"
    );
    reader.end_read();
    reader.checkpoint(CheckpointMode::Passive).unwrap();
    assert_eq!(
        reader.stats().checkpoint_cache_pages,
        1,
        "page 3 from the cache"
    );
    assert_eq!((file_byte(&io, 3), file_byte(&io, 4)), (33, 44));
}

#[test]
fn a_tag_does_not_survive_a_wal_restart() {
    for mode in [
        CheckpointMode::Passive,
        CheckpointMode::Full,
        CheckpointMode::Restart,
        CheckpointMode::Truncate,
    ] {
        let io = Arc::new(MemoryIo::new());
        let mut a = open(&io);
        write(&mut a, &[(2, 1)]);
        let old = tag_of(&mut a, 2).unwrap();
        assert_eq!(old.frame, 2, "frame 1 is page 1");
        a.end_read();
        a.checkpoint(mode).unwrap();
        // Another connection restarts the log and writes page 2 as frame 2 again, new salts.
        let mut b = open(&io);
        write(&mut b, &[(1, 9), (2, 2)]);
        let new = tag_of(&mut b, 2).unwrap();
        assert_eq!(new.frame, old.frame, "{mode:?}: the frame number is reused");
        assert_ne!(new.generation, old.generation, "{mode:?}");
        b.end_read();
        // `a` checkpoints without a read transaction, so its cache still holds the old page 2
        // with the old tag: the generation must tell it apart from the new frame 2.
        let before = a.stats().checkpoint_cache_pages;
        a.checkpoint(CheckpointMode::Passive).unwrap();
        assert_eq!(a.stats().checkpoint_cache_pages, before, "{mode:?}");
        assert_eq!(file_byte(&io, 2), 2, "{mode:?}: the new frame was copied");
    }
}

#[test]
fn a_dirty_page_is_not_a_committed_frame() {
    let io = Arc::new(MemoryIo::new());
    let mut a = open(&io);
    write(&mut a, &[(2, 1)]);
    a.begin_write().unwrap();
    let page = a.get(2).unwrap();
    assert!(page.wal_tag().is_some());
    a.make_writable(&page).unwrap();
    assert_eq!(
        page.wal_tag(),
        None,
        "made writable: no frame's bytes any more"
    );
    page.data_mut()[AT] = 7;
    drop(page);
    assert_eq!(
        a.checkpoint(CheckpointMode::Passive).unwrap_err().code,
        ErrorCode::Locked
    );
    // Another connection's checkpoint never sees this connection's dirty page.
    let mut b = open(&io);
    b.checkpoint(CheckpointMode::Passive).unwrap();
    assert_eq!(file_byte(&io, 2), 1);
    a.rollback();
    assert_eq!(a.get(2).unwrap().data()[AT], 1);
}

#[test]
fn rollback_clears_tags() {
    let io = Arc::new(MemoryIo::new());
    let mut a = open(&io);
    write(&mut a, &[(2, 1), (3, 1)]);
    a.begin_write().unwrap();
    let level = a.savepoint().unwrap();
    let page = a.get(2).unwrap();
    a.make_writable(&page).unwrap();
    page.data_mut()[AT] = 5;
    drop(page);
    a.rollback_to(level).unwrap();
    let page = a.get(2).unwrap();
    assert!(!page.is_dirty());
    assert_eq!(page.data()[AT], 1, "restored");
    assert_eq!(page.wal_tag(), None, "restored bytes carry no tag");
    drop(page);
    a.rollback();
    assert!(
        tag_of(&mut a, 3).is_some(),
        "an untouched page keeps its tag"
    );
    a.end_read();
    let before = a.stats().checkpoint_cache_pages;
    a.checkpoint(CheckpointMode::Passive).unwrap();
    assert_eq!(
        a.stats().checkpoint_cache_pages - before,
        2,
        "pages 1 and 3 from the cache, page 2 from the WAL"
    );
    assert_eq!((file_byte(&io, 2), file_byte(&io, 3)), (1, 1));
}

/// A writer commits while another connection reads and checkpoints: every fast-path copy is
/// checked against the WAL in debug builds, and the file ends with the last values.
#[test]
fn checkpoints_race_writers() {
    let io = Arc::new(MemoryIo::new());
    let mut setup = open(&io);
    let pages: Vec<PageNo> = (2..=12).collect();
    write(
        &mut setup,
        &pages.iter().map(|&p| (p, 0)).collect::<Vec<_>>(),
    );
    drop(setup);
    let mut writer = open(&io);
    let mut checkpointer = open(&io);
    let rounds = 200u32;
    let thread_pages = pages.clone();
    let handle = std::thread::spawn(move || {
        for round in 1..=rounds {
            let changes: Vec<(PageNo, u8)> = thread_pages
                .iter()
                .filter(|&&p| (p + round) % 3 != 0)
                .map(|&p| (p, (round % 251) as u8))
                .collect();
            loop {
                match writer.begin_write() {
                    Ok(()) => break,
                    Err(e) if e.code == ErrorCode::Busy => std::thread::yield_now(),
                    Err(e) => panic!("{e}"),
                }
            }
            write(&mut writer, &changes);
        }
        writer
    });
    for _ in 0..rounds {
        for &pgno in &pages {
            checkpointer.get(pgno).unwrap();
        }
        checkpointer.end_read();
        checkpointer.checkpoint(CheckpointMode::Passive).unwrap();
    }
    let mut writer = handle.join().unwrap();
    // One last commit of every page, so the final checkpoint has frames the checkpointer's
    // cache holds whatever the race above did.
    write(
        &mut writer,
        &pages.iter().map(|&p| (p, 252)).collect::<Vec<_>>(),
    );
    let mut expected = Vec::new();
    for &pgno in &pages {
        expected.push(writer.get(pgno).unwrap().data()[AT]);
    }
    writer.end_read();
    drop(writer);
    for &pgno in &pages {
        checkpointer.get(pgno).unwrap();
    }
    checkpointer.end_read();
    let before = checkpointer.stats().checkpoint_cache_pages;
    let result = checkpointer.checkpoint(CheckpointMode::Passive).unwrap();
    assert_eq!(result.log_frames, result.checkpointed_frames);
    assert!(
        checkpointer.stats().checkpoint_cache_pages - before >= pages.len() as u64,
        "the pages just read from their frames come from the cache"
    );
    let found: Vec<u8> = pages.iter().map(|&p| file_byte(&io, p)).collect();
    assert_eq!(found, expected);
}

/// Syncs one checkpoint does after `commits` (each under its `synchronous`).
fn checkpoint_syncs(commits: &[Synchronous]) -> u64 {
    let io = Arc::new(MemoryIo::new());
    let mut pager = open(&io);
    for (i, &sync) in commits.iter().enumerate() {
        pager.set_synchronous(sync);
        write(&mut pager, &[(2 + i as PageNo, 7)]);
    }
    pager.set_synchronous(Synchronous::Normal);
    let before = pager.stats().syncs;
    let result = pager.checkpoint(CheckpointMode::Passive).unwrap();
    assert_eq!(result.log_frames, result.checkpointed_frames);
    pager.stats().syncs - before
}

#[test]
fn a_checkpoint_syncs_the_wal_unless_every_frame_is_already_durable() {
    use Synchronous::{Full, Normal};
    assert_eq!(
        checkpoint_syncs(&[Normal, Normal]),
        2,
        "the WAL, then the file"
    );
    assert_eq!(
        checkpoint_syncs(&[Full, Full]),
        1,
        "FULL commits synced the WAL"
    );
    assert_eq!(
        checkpoint_syncs(&[Full, Normal]),
        2,
        "the last commit was not synced"
    );
    assert_eq!(
        checkpoint_syncs(&[Normal, Full]),
        1,
        "the FULL commit synced it all"
    );
}
