//! Checkpoint latency with and without the cache fast path (issue 4), run by hand: each round
//! commits changes to PAGES pages (all still cached, tagged with their frames), then times one
//! PASSIVE checkpoint, alternating between copying tagged cached pages and reading every frame
//! back from the WAL (`Pager::set_checkpoint_from_cache(false)`). Prints the median of each,
//! their ratio (fast / slow, lower is better) and the pages served from the cache; once with
//! `synchronous=OFF` (the copying alone) and once with NORMAL (plus the two syncs a checkpoint
//! does).
//!
//! `cargo run --release -p basalt_core --example checkpoint_bench [-- PAGES [ROUNDS]]`

use basalt_core::io::FileIo;
use basalt_core::pager::{Pager, PagerOptions};
use basalt_core::wal::{CheckpointMode, Synchronous};
use std::sync::Arc;
use std::time::{Duration, Instant};

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

/// One transaction changing one byte of every page 2..=pages.
fn touch_all(pager: &mut Pager, pages: u32, value: u8) {
    pager.begin_write().unwrap();
    while pager.page_count() < pages {
        pager.append_page().unwrap();
    }
    for pgno in 2..=pages {
        let page = pager.get(pgno).unwrap();
        pager.make_writable(&page).unwrap();
        page.data_mut()[100] = value;
    }
    pager.commit().unwrap();
}

fn run(dir: &std::path::Path, pages: u32, rounds: usize, sync: Synchronous) {
    let path = dir.join(format!("bench-{sync:?}.db"));
    let options = PagerOptions {
        cache_size: pages as i64 + 100,
        wal_autocheckpoint: 0,
        synchronous: sync,
        ..PagerOptions::default()
    };
    let mut pager = Pager::open(Arc::new(FileIo), path.to_str().unwrap(), &options).unwrap();
    touch_all(&mut pager, pages, 0);
    pager.checkpoint(CheckpointMode::Passive).unwrap();
    let (mut fast, mut slow) = (Vec::new(), Vec::new());
    let mut served = 0;
    for round in 0..rounds * 2 {
        let from_cache = round % 2 == 0;
        touch_all(&mut pager, pages, round as u8);
        pager.set_checkpoint_from_cache(from_cache);
        let before = pager.stats().checkpoint_cache_pages;
        let start = Instant::now();
        let result = pager.checkpoint(CheckpointMode::Passive).unwrap();
        let took = start.elapsed();
        assert_eq!(result.log_frames, result.checkpointed_frames);
        if from_cache {
            served += pager.stats().checkpoint_cache_pages - before;
            fast.push(took);
        } else {
            assert_eq!(pager.stats().checkpoint_cache_pages, before);
            slow.push(took);
        }
    }
    let (fast, slow) = (median(fast), median(slow));
    println!(
        "synchronous={sync:?}: from cache {fast:>10.2?}   from WAL {slow:>10.2?}   ratio {:.2}   \
         pages from cache {} of {} per checkpoint",
        fast.as_secs_f64() / slow.as_secs_f64(),
        served / rounds as u64,
        pages - 1,
    );
    pager.close().unwrap();
}

fn main() {
    let mut args = std::env::args().skip(1);
    let pages: u32 = args.next().and_then(|a| a.parse().ok()).unwrap_or(5000);
    let rounds: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(9);
    let dir = std::env::temp_dir().join(format!("basalt-checkpoint-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    println!("{pages} pages of 4096 bytes changed per checkpoint, median of {rounds} rounds each");
    for sync in [Synchronous::Off, Synchronous::Normal] {
        run(&dir, pages, rounds, sync);
    }
    std::fs::remove_dir_all(&dir).unwrap();
}
