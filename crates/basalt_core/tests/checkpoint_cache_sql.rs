//! Issue 4 through SQL: each way a cached page's WAL tag comes and goes, driven by statements on
//! real files, with the checkpoint's counters checked (pages copied, pages taken from the cache)
//! and the result checked against SQLite: the same statements run on SQLite's own database, and
//! Basalt's file, opened by SQLite, must pass `PRAGMA integrity_check` and hold the same rows.
//! (`checkpoint_cache.rs` drives the same transitions one page at a time through the pager.)
//! Debug builds also compare every page copied from the cache with its WAL frame.

use basalt_core::connection::Connection;
use basalt_core::record::Value;
use std::path::PathBuf;

/// One scenario's two databases: Basalt's file (connections `a` and `b`) and SQLite's.
struct Pair {
    dir: PathBuf,
    a: Connection,
    b: Option<Connection>,
    sqlite_a: rusqlite::Connection,
    sqlite_b: Option<rusqlite::Connection>,
}

/// What one checkpoint did: pages copied into the database file, and how many of them came
/// from the checkpointing connection's cache.
#[derive(Debug, PartialEq)]
struct Copied {
    pages: u64,
    from_cache: u64,
}

impl Pair {
    fn new(name: &str, cache_pages: i64) -> Pair {
        let dir =
            std::env::temp_dir().join(format!("basalt-ckpt-sql-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let setup = format!(
            "PRAGMA journal_mode=WAL; PRAGMA wal_autocheckpoint=0; PRAGMA cache_size={cache_pages};"
        );
        let a = Connection::open(dir.join("basalt.db").to_str().unwrap()).unwrap();
        a.execute_batch(&setup).unwrap();
        let sqlite_a = rusqlite::Connection::open(dir.join("sqlite.db")).unwrap();
        sqlite_a.execute_batch(&setup).unwrap();
        let pair = Pair {
            dir,
            a,
            b: None,
            sqlite_a,
            sqlite_b: None,
        };
        pair.exec(
            "CREATE TABLE t(id INTEGER PRIMARY KEY, k INTEGER, v TEXT);
             CREATE INDEX t_k ON t(k);
             INSERT INTO t SELECT i, i * 7 % 101, printf('%01000d', i) FROM (
                 WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 400)
                 SELECT i FROM n);",
        );
        pair
    }

    /// Open the second connection on each side.
    fn open_b(&mut self, cache_pages: i64) {
        let setup = format!("PRAGMA wal_autocheckpoint=0; PRAGMA cache_size={cache_pages};");
        let b = Connection::open(self.dir.join("basalt.db").to_str().unwrap()).unwrap();
        b.execute_batch(&setup).unwrap();
        let sqlite_b = rusqlite::Connection::open(self.dir.join("sqlite.db")).unwrap();
        sqlite_b.execute_batch(&setup).unwrap();
        self.b = Some(b);
        self.sqlite_b = Some(sqlite_b);
    }

    /// Run `sql` on connection `a` of both engines.
    fn exec(&self, sql: &str) {
        self.a.execute_batch(sql).unwrap();
        self.sqlite_a.execute_batch(sql).unwrap();
    }

    /// Run `sql` on connection `b` of both engines.
    fn exec_b(&self, sql: &str) {
        self.b.as_ref().unwrap().execute_batch(sql).unwrap();
        self.sqlite_b.as_ref().unwrap().execute_batch(sql).unwrap();
    }

    /// `PRAGMA wal_checkpoint(mode)` on both engines through `a` (or `b`); both must finish the
    /// whole log. Says what Basalt's checkpoint copied.
    fn checkpoint(&self, on_b: bool, mode: &str) -> Copied {
        let (conn, sqlite) = if on_b {
            (self.b.as_ref().unwrap(), self.sqlite_b.as_ref().unwrap())
        } else {
            (&self.a, &self.sqlite_a)
        };
        let sql = format!("PRAGMA wal_checkpoint({mode})");
        let before = conn.pager_stats();
        let mut stmt = conn.prepare(&sql).unwrap();
        assert!(stmt.step_blocking().unwrap());
        let ours: Vec<Value> = stmt.row().to_vec();
        drop(stmt);
        let after = conn.pager_stats();
        let theirs: [i64; 3] = sqlite
            .query_row(&sql, [], |r| Ok([r.get(0)?, r.get(1)?, r.get(2)?]))
            .unwrap();
        assert_eq!(
            ours[0],
            Value::Integer(0),
            "Basalt's {mode} checkpoint busy"
        );
        assert_eq!(ours[1], ours[2], "Basalt's {mode} checkpoint incomplete");
        assert_eq!(theirs[0], 0, "SQLite's {mode} checkpoint busy");
        assert_eq!(
            theirs[1], theirs[2],
            "SQLite's {mode} checkpoint incomplete"
        );
        Copied {
            pages: after.pages_written - before.pages_written,
            from_cache: after.checkpoint_cache_pages - before.checkpoint_cache_pages,
        }
    }

    /// Close everything; SQLite must find Basalt's file sound and holding SQLite's rows.
    fn finish(self) {
        let Pair {
            dir,
            a,
            b,
            sqlite_a,
            sqlite_b,
        } = self;
        drop((a, b, sqlite_a, sqlite_b));
        let ours = rusqlite::Connection::open(dir.join("basalt.db")).unwrap();
        let theirs = rusqlite::Connection::open(dir.join("sqlite.db")).unwrap();
        let check: String = ours
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .unwrap();
        assert_eq!(check, "ok");
        let rows = |conn: &rusqlite::Connection| -> Vec<(i64, i64, String)> {
            let mut stmt = conn.prepare("SELECT id, k, v FROM t ORDER BY id").unwrap();
            let rows = stmt
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
                .unwrap();
            rows.map(Result::unwrap).collect()
        };
        assert_eq!(rows(&ours), rows(&theirs));
        drop((ours, theirs));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}

/// The pages a commit appends are tagged once the append completes: a checkpoint by the same
/// connection copies every one of them from the cache.
#[test]
fn pages_appended_by_a_commit() {
    let pair = Pair::new("appended", 2000);
    let copied = pair.checkpoint(false, "PASSIVE");
    assert!(copied.pages > 10, "{copied:?}");
    assert_eq!(copied.from_cache, copied.pages, "every page from the cache");
    pair.finish();
}

/// Pages another connection read from WAL frames carry those frames' tags.
#[test]
fn pages_read_from_the_wal() {
    let mut pair = Pair::new("read", 2000);
    pair.open_b(2000);
    // The table by a scan, its one-page index by a seek.
    pair.exec_b("SELECT sum(length(v)) FROM t; SELECT count(*) FROM t WHERE k = 5;");
    let copied = pair.checkpoint(true, "PASSIVE");
    assert!(copied.pages > 10, "{copied:?}");
    assert_eq!(
        copied.from_cache, copied.pages,
        "b read every page from its frame"
    );
    pair.finish();
}

/// A page changed after its commit tagged it loses the tag at once, committed or not: here
/// the change is rolled back, so the page's bytes are again the frame's, yet no tag comes back
/// (restored bytes carry none) and the checkpoint reads those pages from the WAL.
#[test]
fn pages_changed_then_rolled_back() {
    let pair = Pair::new("rolled-back", 2000);
    pair.exec("BEGIN; UPDATE t SET v = 'x' WHERE id <= 100; ROLLBACK;");
    let copied = pair.checkpoint(false, "PASSIVE");
    assert!(copied.from_cache > 0, "{copied:?}");
    assert!(
        copied.from_cache < copied.pages,
        "the touched pages from the WAL: {copied:?}"
    );
    pair.finish();
}

/// A change committed after the tag: the page's new frame is the newest, and the commit that
/// wrote it tagged it with that frame.
#[test]
fn pages_changed_and_committed_again() {
    let pair = Pair::new("recommitted", 2000);
    pair.exec("UPDATE t SET v = 'y' || v WHERE id % 3 = 0; DELETE FROM t WHERE id % 10 = 1;");
    let copied = pair.checkpoint(false, "PASSIVE");
    assert_eq!(copied.from_cache, copied.pages, "{copied:?}");
    pair.finish();
}

/// A cache far smaller than the table: pages are evicted and their buffers reused for other
/// pages, which must never inherit a tag. Whatever is still cached and tagged is copied from
/// the cache, the rest read from the WAL.
#[test]
fn pages_evicted_and_buffers_reused() {
    let pair = Pair::new("evicted", 10);
    pair.exec("UPDATE t SET k = k + 1; SELECT count(*) FROM t WHERE v > '0';");
    let copied = pair.checkpoint(false, "PASSIVE");
    assert!(copied.pages > 20, "{copied:?}");
    assert!(copied.from_cache > 0, "{copied:?}");
    assert!(
        copied.from_cache <= 10,
        "no more than the cache holds: {copied:?}"
    );
    pair.finish();
}

/// After a log restart frame numbers are reused under new salts: a page cached under the old
/// log must never be copied for the new frame of the same number, whatever checkpoint mode
/// restarted the log. Here `b` caches the leaf of row 5 tagged as frame 1; after the restart
/// `a` changes that row again, and the leaf is frame 1 once more, with other bytes. (A
/// checkpoint through `PRAGMA wal_checkpoint` would begin a read transaction, which drops a
/// cache that another connection's commit made stale.)
#[test]
fn the_wal_restarts() {
    for mode in ["PASSIVE", "FULL", "RESTART", "TRUNCATE"] {
        let mut pair = Pair::new(&format!("restart-{}", mode.to_lowercase()), 2000);
        pair.checkpoint(false, "TRUNCATE");
        pair.open_b(2000);
        pair.exec("UPDATE t SET v = 'a' WHERE id = 5;");
        pair.exec_b("SELECT v FROM t WHERE id = 5;");
        pair.checkpoint(false, mode);
        pair.exec("UPDATE t SET v = 'b' WHERE id = 5;");
        // `finish` closes `a`, then `b`: the last close checkpoints with `b`'s cache as it is,
        // without a read transaction that would drop it, so only the generation in the tag
        // keeps the old frame 1 out of the file (SQLite's rows are compared there).
        pair.finish();
    }
}

/// Pages read from the database file carry no tag; only what this connection then commits
/// is copied from its cache.
#[test]
fn pages_read_from_the_database_file() {
    let mut pair = Pair::new("from-file", 2000);
    pair.checkpoint(false, "TRUNCATE");
    pair.open_b(2000);
    pair.exec_b("SELECT sum(k) FROM t; UPDATE t SET v = 'z' WHERE id = 5;");
    let copied = pair.checkpoint(true, "PASSIVE");
    assert!(copied.pages >= 1, "{copied:?}");
    assert_eq!(
        copied.from_cache, copied.pages,
        "just the committed pages: {copied:?}"
    );
    assert!(
        copied.pages <= 3,
        "the leaf holding row 5 (and page 1 at most): {copied:?}"
    );
    pair.finish();
}
