//! What the pager-level tests share: a small-page pager over any I/O backend, and a committed
//! file of numbered pages to work on.

use basalt_core::io::Io;
use basalt_core::pager::{Pager, PagerOptions};
use std::sync::Arc;

/// A pager with 512-byte pages on `t.db` of `io`.
pub fn open<I: Io + 'static>(io: &Arc<I>) -> Pager {
    let options = PagerOptions {
        page_size: 512,
        ..PagerOptions::default()
    };
    let io: Arc<dyn Io> = io.clone();
    Pager::open(io, "t.db", &options).expect("open the pager")
}

/// Grows the database to `pages` pages, each marked with its number at byte 200, and commits.
pub fn fill(pager: &mut Pager, pages: u32) {
    pager.begin_write().expect("begin");
    while pager.page_count() < pages {
        let page = pager.append_page().expect("append");
        page.data_mut()[200] = page.pgno() as u8;
    }
    pager.commit().expect("commit");
}
